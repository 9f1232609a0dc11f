/* Offrec — the message path: sending-im-msg, receiving-im-msg and the guard
 * around each protocol's send_im that stops plaintext bypassing them.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <string.h>

#include "plugin-private.h"

typedef int (*SendImFunc)(PurpleConnection *gc,
                          const char *who,
                          const char *message,
                          PurpleMessageFlags flags);

/* PurplePluginProtocolInfo * -> its original send_im */
static GHashTable *wrapped;

static void
wipe_free(char *s)
{
    if (s) {
        otr_plugin_wipe(s, strlen(s));
        g_free(s);
    }
}

static void
replace(char **message, char *text)
{
    g_free(*message);
    *message = text;
}

/* Runs the typed HTML through the session. The last wire message takes
 * the place of *message (libpurple then echoes the typed text locally);
 * the others are injected first. */
void
otr_plugin_send_text(OtrConv *oc, const char *html, char **message)
{
    GPtrArray *wires = g_ptr_array_new_with_free_func(g_free);
    char *plain = otr_plugin_markup_to_otr(html);
    char *keep = g_strdup(html);
    const char *last, *suffix;
    OtrOutbox out;
    OtrError err;

    otr_outbox_init(&out);
    err = otr_session_send(oc->session, plain, &out);
    for (guint i = 0; i < otr_outbox_len(&out); i++) {
        if (otr_outbox_get(&out, i)->type == OTR_EV_ERROR && err == OTR_OK)
            err = otr_outbox_get(&out, i)->error; /* not held after all */
    }
    otr_plugin_conv_process(oc, &out, wires, NULL);
    otr_outbox_clear(&out);
    if (wires->len == 0) {
        replace(message, g_strdup(""));
        if (err == OTR_OK) {
            /* Held until private: libpurple shows nothing, so we do. */
            PurpleConversation *conv = otr_plugin_conv_purple(oc, TRUE);

            /* It will go out encrypted: keep it out of the log too. */
            if (conv)
                purple_conv_im_write(PURPLE_CONV_IM(conv), NULL, keep,
                                     PURPLE_MESSAGE_SEND |
                                         (otr_plugin_avoid_logging(oc->account,
                                                                   oc->peer)
                                              ? PURPLE_MESSAGE_NO_LOG
                                              : 0),
                                     time(NULL));
        }
        goto out;
    }
    for (guint i = 0; i + 1 < wires->len; i++)
        otr_plugin_inject(oc, wires->pdata[i]);
    last = wires->pdata[wires->len - 1];
    if (strcmp(last, plain) == 0) {
        /* Plaintext as typed: keep the formatting. */
    } else if ((suffix = otr_plugin_markup_tag_suffix(plain, last))) {
        replace(message, g_strconcat(html, suffix, NULL));
    } else {
        replace(message, g_strdup(last));
    }
out:
    wipe_free(keep);
    wipe_free(plain);
    g_ptr_array_unref(wires);
}

static void
sending_im(PurpleAccount *account,
           const char *receiver,
           char **message,
           gpointer unused)
{
    OtrConv *oc;

    if (!message || !*message || !**message || !receiver)
        return;
    oc = otr_plugin_conv_get(account, receiver);
    if (!oc) {
        /* No session possible (e.g. a name the store refuses): plaintext
         * is what the policy allows, except under "always". */
        if (otr_plugin_policy_resolve(account, receiver) == OTR_POLICY_ALWAYS) {
            purple_debug_error("offrec",
                               "no OTR session for %s; message "
                               "not sent\n",
                               receiver);
            replace(message, g_strdup(""));
        }
        return;
    }
    otr_plugin_conv_refresh(oc);
    if (oc->confirm_pending && purple_prefs_get_bool(PREF_CONFIRM)) {
        otr_plugin_state_confirm_send(oc, *message);
        otr_plugin_wipe(*message, strlen(*message));
        replace(message, g_strdup(""));
        return;
    }
    otr_plugin_send_text(oc, *message, message);
}

static gboolean
receiving_im(PurpleAccount *account,
             char **sender,
             char **message,
             PurpleConversation *conv,
             PurpleMessageFlags *flags,
             gpointer unused)
{
    GArray *shown;
    OtrConv *oc;
    OtrOutbox out;
    char *plain;
    gboolean drop = FALSE;

    if (!sender || !*sender || !message || !*message)
        return FALSE;
    oc = otr_plugin_conv_find(account, *sender);
    if (!oc && otr_plugin_policy_resolve(account, *sender) == OTR_POLICY_NEVER)
        return FALSE;
    if (!oc)
        oc = otr_plugin_conv_get(account, *sender);
    if (!oc)
        return FALSE;
    if (strcmp(oc->who, *sender) != 0) {
        g_free(oc->who);
        oc->who = g_strdup(*sender);
    }
    otr_plugin_conv_refresh(oc);
    plain = otr_plugin_markup_to_plain(*message);
    shown = g_array_new(FALSE, FALSE, sizeof(OtrShown));
    otr_outbox_init(&out);
    otr_session_receive(oc->session, plain, &out);
    otr_plugin_conv_process(oc, &out, NULL, shown);
    otr_outbox_clear(&out);
    if (shown->len == 0) {
        /* A protocol message: never shown, never logged. */
        replace(message, NULL);
        drop = TRUE;
        goto out;
    }
    for (guint i = 0; i < shown->len; i++) {
        OtrShown *sh = &g_array_index(shown, OtrShown, i);
        char *stripped;

        if (i + 1 < shown->len) {
            /* Rare (several reassembled messages): all but the last are
             * written directly, the last one takes *message's place. */
            PurpleConversation *pc = otr_plugin_conv_purple(oc, TRUE);
            char *html = otr_plugin_markup_from_plain(sh->text);

            if (pc)
                purple_conv_im_write(PURPLE_CONV_IM(pc), oc->who, html,
                                     PURPLE_MESSAGE_RECV |
                                         (sh->is_private ? PURPLE_MESSAGE_NO_LOG
                                                         : 0),
                                     time(NULL));
            wipe_free(html);
            continue;
        }
        if (sh->is_private) {
            replace(message, otr_plugin_markup_from_plain(sh->text));
            if (flags && otr_plugin_avoid_logging(account, oc->peer))
                *flags |= PURPLE_MESSAGE_NO_LOG;
        } else if (strcmp(sh->text, plain) != 0) {
            stripped = otr_plugin_markup_strip_tag(*message);
            replace(message, stripped ? stripped
                                      : otr_plugin_markup_from_plain(sh->text));
        }
    }
out:
    for (guint i = 0; i < shown->len; i++)
        wipe_free(g_array_index(shown, OtrShown, i).text);
    g_array_unref(shown);
    wipe_free(plain);
    return drop;
}

/* ---- Guard around the protocols' send_im --------------------------------- */

/* Plaintext must not go out while a conversation is private or finished,
 * or while the policy is "always". */
static gboolean
must_guard(PurpleAccount *account, const char *who, OtrConv **ocp)
{
    OtrConv *oc = otr_plugin_conv_find(account, who);

    *ocp = oc;
    if (oc && otr_plugin_state_compute(oc) != OFFREC_STATE_NOT_PRIVATE)
        return TRUE;
    return otr_plugin_policy_resolve(account, who) == OTR_POLICY_ALWAYS;
}

static int
send_encrypted_auto_reply(OtrConv *oc,
                          SendImFunc orig,
                          PurpleConnection *gc,
                          const char *message,
                          PurpleMessageFlags flags)
{
    GPtrArray *wires = g_ptr_array_new_with_free_func(g_free);
    char *plain = otr_plugin_markup_to_otr(message);
    OtrOutbox out;
    int ret = 0;

    otr_outbox_init(&out);
    if (otr_session_send(oc->session, plain, &out) == OTR_OK)
        otr_plugin_conv_process(oc, &out, wires, NULL);
    otr_outbox_clear(&out);
    for (guint i = 0; i < wires->len; i++) {
        const char *w = wires->pdata[i];

        /* Only OTR messages: the session is encrypted. */
        if (otr_plugin_markup_is_otr(w))
            ret = orig(gc, oc->who, w, flags);
    }
    wipe_free(plain);
    g_ptr_array_unref(wires);
    return ret;
}

static int
guard_send_im(PurpleConnection *gc,
              const char *who,
              const char *message,
              PurpleMessageFlags flags)
{
    OtrPlugin *pl = otr_plugin_get();
    PurplePlugin *prpl = purple_connection_get_prpl(gc);
    PurplePluginProtocolInfo *info =
        prpl ? PURPLE_PLUGIN_PROTOCOL_INFO(prpl) : NULL;
    SendImFunc orig =
        info && wrapped ? g_hash_table_lookup(wrapped, info) : NULL;
    PurpleAccount *account = purple_connection_get_account(gc);
    OtrConv *oc = NULL;

    if (!orig)
        return -1;
    if (!pl || pl->injecting > 0 || !message ||
        otr_plugin_markup_is_otr(message) || !must_guard(account, who, &oc))
        return orig(gc, who, message, flags);
    if (oc && (flags & PURPLE_MESSAGE_AUTO_RESP) &&
        otr_plugin_state_compute(oc) != OFFREC_STATE_FINISHED &&
        otr_session_msgstate(oc->session) == OTR_MSG_ENCRYPTED) {
        otr_plugin_debug("auto-reply to %s sent encrypted", who);
        return send_encrypted_auto_reply(oc, orig, gc, message, flags);
    }
    otr_plugin_debug("plaintext %s to %s blocked (private or policy "
                     "always)",
                     (flags & PURPLE_MESSAGE_AUTO_RESP) ? "auto-reply"
                                                        : "message",
                     who);
    if (oc && (flags & PURPLE_MESSAGE_AUTO_RESP))
        otr_plugin_conv_write(oc, 0, "%s",
                              _("An automatic reply was not sent: it "
                                "would have gone out unencrypted."));
    return 0;
}

static void
wrap_prpl(PurplePlugin *prpl)
{
    PurplePluginProtocolInfo *info;

    if (!prpl || !PURPLE_IS_PROTOCOL_PLUGIN(prpl))
        return;
    info = PURPLE_PLUGIN_PROTOCOL_INFO(prpl);
    if (!info || !info->send_im || info->send_im == guard_send_im ||
        g_hash_table_contains(wrapped, info))
        return;
    g_hash_table_insert(wrapped, info, (gpointer)info->send_im);
    info->send_im = guard_send_im;
}

static void
plugin_loaded(PurplePlugin *plugin, gpointer unused)
{
    if (wrapped)
        wrap_prpl(plugin);
}

void
otr_plugin_messages_connect(OtrPlugin *pl)
{
    void *convs = purple_conversations_get_handle();

    purple_signal_connect_priority(convs, "sending-im-msg", pl->handle,
                                   PURPLE_CALLBACK(sending_im), NULL,
                                   PURPLE_SIGNAL_PRIORITY_HIGHEST - 1);
    purple_signal_connect_priority(convs, "receiving-im-msg", pl->handle,
                                   PURPLE_CALLBACK(receiving_im), NULL,
                                   PURPLE_SIGNAL_PRIORITY_LOWEST + 1);
    wrapped = g_hash_table_new(g_direct_hash, g_direct_equal);
    for (GList *l = purple_plugins_get_protocols(); l; l = l->next)
        wrap_prpl(l->data);
    purple_signal_connect(purple_plugins_get_handle(), "plugin-load",
                          pl->handle, PURPLE_CALLBACK(plugin_loaded), NULL);
}

void
otr_plugin_messages_disconnect(OtrPlugin *pl)
{
    GHashTableIter it;
    gpointer key, value;

    if (!wrapped)
        return;
    g_hash_table_iter_init(&it, wrapped);
    while (g_hash_table_iter_next(&it, &key, &value)) {
        PurplePluginProtocolInfo *info = key;

        if (info->send_im == guard_send_im)
            info->send_im = (SendImFunc)value;
    }
    g_hash_table_destroy(wrapped);
    wrapped = NULL;
}
