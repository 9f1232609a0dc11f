/* Offrec — the map of OTR conversations and the outbox dispatcher.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <stdarg.h>
#include <string.h>

#include "plugin-private.h"

#define TICK_SECS 10

/* The core's user-facing texts (English), listed so that xgettext puts
 * them in the "offrec" catalogue; they are translated at display time. */
static const char *const core_texts[] G_GNUC_UNUSED = {
    N_("A malformed encrypted message was received."),
    N_("A message waiting for the private conversation could not be sent."),
    N_("A private key is needed for OTR."),
    N_("A private key is needed to continue."),
    N_("An encrypted message was received, but no private conversation is "
       "active."),
    N_("An unreadable encrypted message was received."),
    N_("Could not set up the private conversation."),
    N_("No private key for SMP."),
    N_("OTR is disabled for this conversation."),
    N_("The extra key request could not be sent."),
    N_("The following message was received unencrypted."),
    N_("The maximum message size is too small to send an OTR message."),
    N_("The message could not be encrypted and was not sent."),
    N_("There is no private conversation to use."),
    N_("Too many messages are waiting for the private conversation; not "
       "sent."),
    N_("Attempting to start a private conversation; the message will be "
       "sent once it is private."),
    N_("The private conversation has ended; the message was not sent. End "
       "the conversation or start a new one."),
    N_("No private conversation could be started; a message was not sent."),
};

static char *
conv_key(PurpleAccount *account, const char *norm)
{
    return g_strdup_printf("%p\n%s", (void *)account, norm);
}

static void
conv_free(gpointer p)
{
    OtrConv *oc = p;

    otr_plugin_smp_close_ui(oc);
    otr_plugin_state_confirm_close(oc);
    if (oc->confirm_texts)
        g_ptr_array_unref(oc->confirm_texts);
    otr_session_free(oc->session);
    g_hash_table_destroy(oc->inst_states);
    g_free(oc->smp_question);
    g_free(oc->peer);
    g_free(oc->who);
    g_free(oc);
}

void
otr_plugin_convs_init(OtrPlugin *pl)
{
    pl->convs =
        g_hash_table_new_full(g_str_hash, g_str_equal, g_free, conv_free);
}

void
otr_plugin_convs_free(OtrPlugin *pl)
{
    g_hash_table_destroy(pl->convs);
    pl->convs = NULL;
}

OtrConv *
otr_plugin_conv_find(PurpleAccount *account, const char *who)
{
    OtrPlugin *pl = otr_plugin_get();
    OtrConv *oc;
    char *key;

    if (!pl || !pl->convs || !account || !who)
        return NULL;
    key = conv_key(account, purple_normalize(account, who));
    oc = g_hash_table_lookup(pl->convs, key);
    g_free(key);
    return oc;
}

static OtrSelect
select_pref(void)
{
    const char *s = purple_prefs_get_string(PREF_SELECT);

    if (s && strcmp(s, "most-recent") == 0)
        return OTR_SELECT_MOST_RECENT;
    return OTR_SELECT_MOST_SECURE;
}

OtrConv *
otr_plugin_conv_get(PurpleAccount *account, const char *who)
{
    OtrPlugin *pl = otr_plugin_get();
    OtrSessionConfig cfg = { 0 };
    OtrConv *oc;
    guint32 instag;

    if (!pl || !pl->convs || !account || !who || !*who)
        return NULL;
    oc = otr_plugin_conv_find(account, who);
    if (oc) {
        if (strcmp(oc->who, who) != 0) {
            g_free(oc->who);
            oc->who = g_strdup(who);
        }
        return oc;
    }
    instag = otr_plugin_keys_instag(account);
    if (instag < OTR_INSTAG_MIN)
        return NULL;
    oc = g_new0(OtrConv, 1);
    oc->account = account;
    oc->peer = g_strdup(purple_normalize(account, who));
    oc->who = g_strdup(who);
    oc->inst_states = g_hash_table_new(g_direct_hash, g_direct_equal);
    cfg.account = purple_account_get_username(account);
    cfg.protocol = purple_account_get_protocol_id(account);
    cfg.peer = oc->peer;
    cfg.our_instag = instag;
    cfg.policy = otr_plugin_policy_resolve(account, oc->peer);
    cfg.versions = OTR_V2 | OTR_V3;
    cfg.max_msg_size = otr_plugin_fragment_size(account);
    oc->session = otr_session_new(otr_plugin_host_ops(), oc, &cfg);
    if (!oc->session) {
        g_hash_table_destroy(oc->inst_states);
        g_free(oc->peer);
        g_free(oc->who);
        g_free(oc);
        return NULL;
    }
    otr_session_set_privkey(oc->session, otr_plugin_keys_lookup(account));
    otr_session_select(oc->session, select_pref(), 0);
    g_hash_table_insert(pl->convs, conv_key(account, oc->peer), oc);
    return oc;
}

OtrConv *
otr_plugin_conv_from_purple(PurpleConversation *conv, gboolean make)
{
    PurpleAccount *account;
    const char *name;

    if (!conv || purple_conversation_get_type(conv) != PURPLE_CONV_TYPE_IM)
        return NULL;
    account = purple_conversation_get_account(conv);
    name = purple_conversation_get_name(conv);
    return make ? otr_plugin_conv_get(account, name)
                : otr_plugin_conv_find(account, name);
}

void
otr_plugin_conv_refresh(OtrConv *oc)
{
    otr_session_set_policy(oc->session,
                           otr_plugin_policy_resolve(oc->account, oc->peer));
    otr_session_set_max_msg_size(oc->session,
                                 otr_plugin_fragment_size(oc->account));
}

void
otr_plugin_conv_drop(OtrConv *oc)
{
    OtrPlugin *pl = otr_plugin_get();
    OtrOutbox out;
    char *key;

    if (!pl)
        return;
    /* Disconnect every encrypted instance, not only the selected one. */
    if (purple_account_is_connected(oc->account)) {
        GArray *tags = otr_session_instances(oc->session);

        for (guint i = 0; i < tags->len; i++) {
            guint32 tag = g_array_index(tags, guint32, i);
            OtrStatus st;

            otr_session_status(oc->session, tag, &st);
            if (st.state != OTR_MSG_ENCRYPTED)
                continue;
            otr_outbox_init(&out);
            otr_session_select(oc->session, OTR_SELECT_INSTANCE, tag);
            otr_session_end(oc->session, &out);
            for (guint j = 0; j < otr_outbox_len(&out); j++) {
                const OtrEvent *ev = otr_outbox_get(&out, j);

                if (ev->type == OTR_EV_WIRE && ev->text)
                    otr_plugin_inject(oc, ev->text);
            }
            otr_outbox_clear(&out);
        }
        g_array_unref(tags);
    }
    otr_plugin_state_restore_logging(oc);
    key = conv_key(oc->account, oc->peer);
    g_hash_table_remove(pl->convs, key);
    g_free(key);
}

void
otr_plugin_conv_end_all(PurpleAccount *account)
{
    OtrPlugin *pl = otr_plugin_get();
    GList *list, *l;

    if (!pl || !pl->convs)
        return;
    list = g_hash_table_get_values(pl->convs);
    for (l = list; l; l = l->next) {
        OtrConv *oc = l->data;

        if (!account || oc->account == account)
            otr_plugin_conv_drop(oc);
    }
    g_list_free(list);
}

void
otr_plugin_conv_foreach(GFunc func, gpointer data)
{
    OtrPlugin *pl = otr_plugin_get();
    GList *list, *l;

    if (!pl || !pl->convs)
        return;
    list = g_hash_table_get_values(pl->convs);
    for (l = list; l; l = l->next)
        func(l->data, data);
    g_list_free(list);
}

PurpleConversation *
otr_plugin_conv_purple(OtrConv *oc, gboolean make)
{
    PurpleConversation *conv;

    conv = purple_find_conversation_with_account(PURPLE_CONV_TYPE_IM, oc->who,
                                                 oc->account);
    if (!conv && make && purple_account_is_connected(oc->account))
        conv =
            purple_conversation_new(PURPLE_CONV_TYPE_IM, oc->account, oc->who);
    return conv;
}

void
otr_plugin_conv_write(OtrConv *oc,
                      PurpleMessageFlags extra,
                      const char *fmt,
                      ...)
{
    PurpleConversation *conv = otr_plugin_conv_purple(oc, TRUE);
    va_list ap;
    char *text, *esc, *html;

    if (!conv)
        return;
    va_start(ap, fmt);
    text = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    /* Our own lines are always plain text: escape, never guess. */
    esc = purple_markup_escape_text(text, -1);
    html = purple_strdup_withhtml(esc);
    g_free(esc);
    purple_conversation_write(conv, NULL, html,
                              PURPLE_MESSAGE_SYSTEM | PURPLE_MESSAGE_NO_LOG |
                                  extra,
                              time(NULL));
    g_free(html);
    g_free(text);
}

void
otr_plugin_inject(OtrConv *oc, const char *text)
{
    OtrPlugin *pl = otr_plugin_get();
    PurpleConnection *gc = purple_account_get_connection(oc->account);

    if (!pl || !gc || !text || !*text) {
        otr_plugin_debug("cannot send to %s: not connected", oc->who);
        return;
    }
    pl->injecting++;
    serv_send_im(gc, oc->who, text, 0);
    pl->injecting--;
}

static void
write_received(OtrConv *oc, const char *text, gboolean is_private)
{
    PurpleConversation *conv = otr_plugin_conv_purple(oc, TRUE);
    PurpleMessageFlags flags = PURPLE_MESSAGE_RECV;
    char *html = otr_plugin_markup_from_plain(text);

    if (is_private && otr_plugin_avoid_logging(oc->account, oc->peer))
        flags |= PURPLE_MESSAGE_NO_LOG;
    if (conv)
        purple_conv_im_write(PURPLE_CONV_IM(conv), oc->who, html, flags,
                             time(NULL));
    g_free(html);
}

void
otr_plugin_conv_process(OtrConv *oc,
                        OtrOutbox *out,
                        GPtrArray *wires,
                        GArray *shown)
{
    for (guint i = 0; i < otr_outbox_len(out); i++) {
        const OtrEvent *ev = otr_outbox_get(out, i);
        OtrShown sh;

        switch (ev->type) {
        case OTR_EV_WIRE:
            if (!ev->text)
                break;
            if (wires)
                g_ptr_array_add(wires, g_strdup(ev->text));
            else
                otr_plugin_inject(oc, ev->text);
            break;
        case OTR_EV_DISPLAY:
            if (!ev->text)
                break;
            if (shown) {
                sh.text = g_strdup(ev->text);
                sh.is_private = ev->is_private;
                g_array_append_val(shown, sh);
            } else {
                write_received(oc, ev->text, ev->is_private);
            }
            break;
        case OTR_EV_LOG:
            purple_debug_misc("offrec", "%s: %s\n", oc->peer,
                              ev->text ? ev->text : "");
            break;
        case OTR_EV_NOTICE:
            if (ev->text)
                otr_plugin_conv_write(oc, 0, "%s", _(ev->text));
            break;
        case OTR_EV_ERROR:
            otr_plugin_conv_write(oc, PURPLE_MESSAGE_ERROR, "%s",
                                  ev->text ? _(ev->text)
                                           : otr_error_str(ev->error));
            break;
        case OTR_EV_NEED_KEY:
            otr_plugin_keys_generate(oc->account, oc);
            break;
        case OTR_EV_FINGERPRINT:
            otr_plugin_state_on_fingerprint(oc, ev);
            break;
        case OTR_EV_STATE:
            otr_plugin_state_on_event(oc, ev);
            break;
        case OTR_EV_SMP:
            otr_plugin_smp_on_event(oc, ev);
            break;
        case OTR_EV_EXTRA_KEY:
            otr_plugin_debug("extra symmetric key event (use %u) for %s",
                             ev->use, oc->peer);
            break;
        }
    }
    otr_plugin_state_update(oc);
}

static void
tick_one(gpointer p, gpointer unused)
{
    OtrConv *oc = p;
    OtrOutbox out;

    if (!purple_account_is_connected(oc->account))
        return;
    otr_outbox_init(&out);
    otr_session_tick(oc->session, &out);
    if (otr_outbox_len(&out) > 0)
        otr_plugin_conv_process(oc, &out, NULL, NULL);
    otr_outbox_clear(&out);
}

static gboolean
tick(gpointer unused)
{
    otr_plugin_conv_foreach(tick_one, NULL);
    return TRUE;
}

void
otr_plugin_tick_start(OtrPlugin *pl)
{
    pl->tick_id = purple_timeout_add_seconds(TICK_SECS, tick, NULL);
}
