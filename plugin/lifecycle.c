/* Offrec — conversation and connection lifecycle: every private session
 * ends with a disconnect when its conversation closes, its account signs
 * off or is removed, or the client quits.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "plugin-private.h"

static void
deleting_conversation(PurpleConversation *conv, gpointer unused)
{
    OtrConv *oc = otr_plugin_conv_from_purple(conv, FALSE);

    if (!oc)
        return;
    /* The window goes away: never leave logging switched off on a
     * conversation object that may be reused, and say goodbye. */
    oc->logging_saved = FALSE;
    otr_plugin_conv_drop(oc);
}

static void
conversation_created(PurpleConversation *conv, gpointer unused)
{
    OtrConv *oc = otr_plugin_conv_from_purple(conv, FALSE);

    /* A window for a session that is already private: apply the state. */
    if (oc)
        otr_plugin_state_update(oc);
}

static void
signing_off(PurpleConnection *gc, gpointer unused)
{
    otr_plugin_conv_end_all(purple_connection_get_account(gc));
}

static void
account_removed(PurpleAccount *account, gpointer unused)
{
    otr_plugin_conv_end_all(account);
}

static void
quitting(gpointer unused)
{
    otr_plugin_conv_end_all(NULL);
}

void
otr_plugin_lifecycle_connect(OtrPlugin *pl)
{
    void *convs = purple_conversations_get_handle();

    purple_signal_connect(convs, "deleting-conversation", pl->handle,
                          PURPLE_CALLBACK(deleting_conversation), NULL);
    purple_signal_connect(convs, "conversation-created", pl->handle,
                          PURPLE_CALLBACK(conversation_created), NULL);
    purple_signal_connect(purple_connections_get_handle(), "signing-off",
                          pl->handle, PURPLE_CALLBACK(signing_off), NULL);
    purple_signal_connect(purple_connections_get_handle(), "signed-off",
                          pl->handle, PURPLE_CALLBACK(signing_off), NULL);
    purple_signal_connect(purple_accounts_get_handle(), "account-removed",
                          pl->handle, PURPLE_CALLBACK(account_removed), NULL);
    purple_signal_connect(purple_get_core(), "quitting", pl->handle,
                          PURPLE_CALLBACK(quitting), NULL);
}
