/* Offrec — each conversation's security state, its lines, the plugin
 * signals, "don't log" and the key-change warning.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <string.h>

#include "plugin-private.h"

void
otr_plugin_signals_register(PurplePlugin *plugin)
{
    purple_signal_register(plugin, "otr-state-changed",
                           purple_marshal_VOID__POINTER_UINT, NULL, 2,
                           purple_value_new(PURPLE_TYPE_SUBTYPE,
                                            PURPLE_SUBTYPE_CONVERSATION),
                           purple_value_new(PURPLE_TYPE_UINT));
    purple_signal_register(plugin, "otr-smp-progress",
                           purple_marshal_VOID__POINTER_INT_INT, NULL, 3,
                           purple_value_new(PURPLE_TYPE_SUBTYPE,
                                            PURPLE_SUBTYPE_CONVERSATION),
                           purple_value_new(PURPLE_TYPE_INT),
                           purple_value_new(PURPLE_TYPE_INT));
    purple_signal_register(plugin, "otr-fingerprint-new",
                           purple_marshal_VOID__POINTER_POINTER_POINTER, NULL,
                           3,
                           purple_value_new(PURPLE_TYPE_SUBTYPE,
                                            PURPLE_SUBTYPE_ACCOUNT),
                           purple_value_new(PURPLE_TYPE_STRING),
                           purple_value_new(PURPLE_TYPE_STRING));
    purple_signal_register(plugin, "otr-fingerprint-changed",
                           purple_marshal_VOID__POINTER_POINTER_POINTER, NULL,
                           3,
                           purple_value_new(PURPLE_TYPE_SUBTYPE,
                                            PURPLE_SUBTYPE_CONVERSATION),
                           purple_value_new(PURPLE_TYPE_STRING),
                           purple_value_new(PURPLE_TYPE_STRING));
    purple_signal_register(plugin, "otr-keygen-progress",
                           purple_marshal_VOID__POINTER_INT_INT, NULL, 3,
                           purple_value_new(PURPLE_TYPE_SUBTYPE,
                                            PURPLE_SUBTYPE_ACCOUNT),
                           purple_value_new(PURPLE_TYPE_INT),
                           purple_value_new(PURPLE_TYPE_INT));
}

const char *
otr_plugin_state_name(OffrecState st)
{
    switch (st) {
    case OFFREC_STATE_NOT_PRIVATE:
        return _("Not private");
    case OFFREC_STATE_UNVERIFIED:
        return _("Unverified");
    case OFFREC_STATE_PRIVATE:
        return _("Private");
    case OFFREC_STATE_FINISHED:
        return _("Finished");
    }
    return "?";
}

static const OtrStoreFpr *
lookup_fpr(OtrConv *oc, const uint8_t fpr[OTR_FPR_LEN])
{
    OtrPlugin *pl = otr_plugin_get();

    if (!pl)
        return NULL;
    return otr_store_fpr_lookup(pl->store,
                                purple_account_get_username(oc->account),
                                purple_account_get_protocol_id(oc->account),
                                oc->peer, fpr);
}

OffrecState
otr_plugin_state_compute(OtrConv *oc)
{
    OtrStatus st;
    const OtrStoreFpr *f;

    otr_session_status(oc->session, otr_session_selected(oc->session), &st);
    switch (st.state) {
    case OTR_MSG_PLAINTEXT:
        return OFFREC_STATE_NOT_PRIVATE;
    case OTR_MSG_FINISHED:
        return OFFREC_STATE_FINISHED;
    case OTR_MSG_ENCRYPTED:
        break;
    }
    if (oc->confirm_pending || !st.have_fpr)
        return OFFREC_STATE_UNVERIFIED;
    f = lookup_fpr(oc, st.their_fpr);
    return f && otr_store_fpr_is_trusted(f) ? OFFREC_STATE_PRIVATE
                                            : OFFREC_STATE_UNVERIFIED;
}

static void
apply_logging(OtrConv *oc, OffrecState st)
{
    PurpleConversation *conv = otr_plugin_conv_purple(oc, FALSE);

    if (!conv)
        return;
    if ((st == OFFREC_STATE_PRIVATE || st == OFFREC_STATE_UNVERIFIED) &&
        otr_plugin_avoid_logging(oc->account, oc->peer)) {
        if (!oc->logging_saved) {
            oc->logging_saved = TRUE;
            oc->logging_was = purple_conversation_is_logging(conv);
            purple_conversation_set_logging(conv, FALSE);
        }
    } else if (st == OFFREC_STATE_NOT_PRIVATE) {
        otr_plugin_state_restore_logging(oc);
    }
}

void
otr_plugin_state_restore_logging(OtrConv *oc)
{
    PurpleConversation *conv;

    if (!oc->logging_saved)
        return;
    oc->logging_saved = FALSE;
    conv = otr_plugin_conv_purple(oc, FALSE);
    if (conv)
        purple_conversation_set_logging(conv, oc->logging_was);
}

void
otr_plugin_state_update(OtrConv *oc)
{
    OtrPlugin *pl = otr_plugin_get();
    OffrecState st = otr_plugin_state_compute(oc);
    PurpleConversation *conv;

    apply_logging(oc, st);
    if (st == oc->state || !pl)
        return;
    oc->state = st;
    conv = otr_plugin_conv_purple(oc, st != OFFREC_STATE_NOT_PRIVATE);
    otr_plugin_debug("%s: state %s", oc->peer, otr_plugin_state_name(st));
    if (conv)
        purple_signal_emit(pl->handle, "otr-state-changed", conv, (guint)st);
}

static gboolean
trusted_fpr(OtrConv *oc, const uint8_t fpr[OTR_FPR_LEN])
{
    const OtrStoreFpr *f = lookup_fpr(oc, fpr);

    return f && otr_store_fpr_is_trusted(f);
}

/* Lines for the instance's message state changes. */
void
otr_plugin_state_on_event(OtrConv *oc, const OtrEvent *ev)
{
    gpointer key = GUINT_TO_POINTER(ev->instance);
    guint prev = GPOINTER_TO_UINT(g_hash_table_lookup(oc->inst_states, key));
    gboolean was_encrypted = prev == OTR_MSG_ENCRYPTED + 1;
    const char *who = oc->peer;

    g_hash_table_insert(oc->inst_states, key,
                        GUINT_TO_POINTER((guint)ev->state + 1));
    switch (ev->state) {
    case OTR_MSG_ENCRYPTED:
        if (trusted_fpr(oc, ev->fpr) && !oc->confirm_pending)
            otr_plugin_conv_write(
                oc, 0,
                was_encrypted
                    ? _("Successfully refreshed the private conversation "
                        "with %s.")
                    : _("Private conversation with %s started."),
                who);
        else
            otr_plugin_conv_write(
                oc, 0,
                was_encrypted
                    ? _("Successfully refreshed the unverified conversation "
                        "with %s.")
                    : _("Unverified conversation with %s started. Use /otr "
                        "auth to verify their identity."),
                who);
        break;
    case OTR_MSG_FINISHED:
        otr_plugin_conv_write(oc, 0,
                              _("%s has ended the private conversation with "
                                "you; you should do the same: type /otr "
                                "end."),
                              who);
        break;
    case OTR_MSG_PLAINTEXT:
        if (prev == OTR_MSG_ENCRYPTED + 1 || prev == OTR_MSG_FINISHED + 1)
            otr_plugin_conv_write(oc, 0,
                                  _("Private conversation with %s ended."),
                                  who);
        oc->smp_running = FALSE;
        oc->smp_asked = FALSE;
        otr_plugin_smp_close_ui(oc);
        break;
    }
}

/* A remote long-term key seen in an AKE: remember it, warn on change. */
void
otr_plugin_state_on_fingerprint(OtrConv *oc, const OtrEvent *ev)
{
    OtrPlugin *pl = otr_plugin_get();
    const char *user = purple_account_get_username(oc->account);
    const char *proto = purple_account_get_protocol_id(oc->account);
    char new_h[OTR_FPR_HUMAN_LEN], old_h[OTR_FPR_HUMAN_LEN] = "";
    const OtrStoreFpr *f;
    gboolean added = FALSE, had_trusted = FALSE;
    GPtrArray *list;

    if (!pl)
        return;
    list = otr_store_fpr_list(pl->store, user, proto, oc->peer);
    for (guint i = 0; i < list->len; i++) {
        const OtrStoreFpr *o = list->pdata[i];

        if (memcmp(o->fpr, ev->fpr, OTR_FPR_LEN) != 0 &&
            otr_store_fpr_is_trusted(o) && !had_trusted) {
            had_trusted = TRUE;
            otr_fingerprint_human(o->fpr, old_h);
        }
    }
    g_ptr_array_unref(list);
    f = otr_store_fpr_add(pl->store, user, proto, oc->peer, ev->fpr, &added);
    if (!f)
        return;
    otr_fingerprint_human(ev->fpr, new_h);
    if (!added)
        return;
    otr_plugin_keys_save_fprs();
    purple_signal_emit(pl->handle, "otr-fingerprint-new", oc->account, oc->peer,
                       new_h);
    if (!had_trusted) {
        otr_plugin_conv_write(oc, 0,
                              _("%s has not been authenticated yet. Their "
                                "fingerprint is %s."),
                              oc->peer, new_h);
        return;
    }
    otr_plugin_conv_write(
        oc, PURPLE_MESSAGE_ERROR,
        _("WARNING: %s is using a different key than before. Old "
          "fingerprint: %s. New fingerprint: %s. Someone may be "
          "impersonating them: verify with /otr auth before you trust this "
          "conversation."),
        oc->peer, old_h, new_h);
    if (purple_prefs_get_bool(PREF_CONFIRM))
        oc->confirm_pending = TRUE;
    purple_signal_emit(pl->handle, "otr-fingerprint-changed",
                       otr_plugin_conv_purple(oc, TRUE), old_h, new_h);
}

/* ---- Confirm the first message after a key change ----------------------- */

typedef struct {
    PurpleAccount *account;
    char *peer;
} ConfirmCtx;

static void
confirm_ctx_free(ConfirmCtx *c)
{
    g_free(c->peer);
    g_free(c);
}

static void
confirm_answer(ConfirmCtx *c, gboolean send)
{
    OtrConv *oc = otr_plugin_conv_find(c->account, c->peer);
    PurpleConversation *conv;
    GPtrArray *texts;

    confirm_ctx_free(c);
    if (!oc)
        return;
    oc->confirm_ui = NULL;
    oc->confirm_ctx = NULL;
    texts = oc->confirm_texts;
    oc->confirm_texts = NULL;
    if (!texts)
        return;
    if (!send) {
        otr_plugin_conv_write(oc, 0, _("The message was not sent."));
        g_ptr_array_unref(texts);
        return;
    }
    oc->confirm_pending = FALSE;
    otr_plugin_state_update(oc);
    conv = otr_plugin_conv_purple(oc, TRUE);
    for (guint i = 0; conv && i < texts->len; i++)
        purple_conv_im_send(PURPLE_CONV_IM(conv), texts->pdata[i]);
    g_ptr_array_unref(texts);
}

static void
confirm_send_cb(ConfirmCtx *c, int unused)
{
    confirm_answer(c, TRUE);
}

static void
confirm_cancel_cb(ConfirmCtx *c, int unused)
{
    confirm_answer(c, FALSE);
}

static void
wipe_string(gpointer p)
{
    char *s = p;

    otr_plugin_wipe(s, strlen(s));
    g_free(s);
}

void
otr_plugin_state_confirm_send(OtrConv *oc, const char *html)
{
    OtrPlugin *pl = otr_plugin_get();
    ConfirmCtx *c;
    char *primary;

    if (!pl)
        return;
    if (!oc->confirm_texts)
        oc->confirm_texts = g_ptr_array_new_with_free_func(wipe_string);
    g_ptr_array_add(oc->confirm_texts, g_strdup(html));
    otr_plugin_conv_write(oc, 0,
                          _("%s's key has changed: the message waits until "
                            "you confirm that it may be sent."),
                          oc->peer);
    if (oc->confirm_ui)
        return;
    c = g_new0(ConfirmCtx, 1);
    c->account = oc->account;
    c->peer = g_strdup(oc->peer);
    primary = g_strdup_printf(_("%s's key has changed"), oc->peer);
    oc->confirm_ui = purple_request_action(
        pl->handle, _("OTR key change"), primary,
        _("Someone may be impersonating your buddy. Send the message "
          "anyway?"),
        1, oc->account, oc->who, otr_plugin_conv_purple(oc, FALSE), c, 2,
        _("Send"), PURPLE_CALLBACK(confirm_send_cb), _("Cancel"),
        PURPLE_CALLBACK(confirm_cancel_cb));
    g_free(primary);
    if (oc->confirm_ui)
        oc->confirm_ctx = c;
    else
        confirm_ctx_free(c);
}

void
otr_plugin_state_confirm_close(OtrConv *oc)
{
    if (oc->confirm_ui) {
        void *ui = oc->confirm_ui;
        ConfirmCtx *c = oc->confirm_ctx;

        oc->confirm_ui = NULL;
        oc->confirm_ctx = NULL;
        purple_request_close(PURPLE_REQUEST_ACTION, ui);
        if (c)
            confirm_ctx_free(c);
    }
}

/* Trust of a buddy's fingerprint changed (command, API, SMP). */
static void
trust_changed_one(gpointer p, gpointer data)
{
    OtrConv *oc = p;
    const char **id = data;
    OffrecState before = oc->state;

    gboolean pending = oc->confirm_pending;

    if (oc->account != (PurpleAccount *)id[0] || strcmp(oc->peer, id[1]) != 0)
        return;
    /* Trusting the new key settles a key change; distrusting does not. */
    oc->confirm_pending = FALSE;
    if (otr_plugin_state_compute(oc) != OFFREC_STATE_PRIVATE)
        oc->confirm_pending = pending;
    otr_plugin_state_update(oc);
    if (before == OFFREC_STATE_UNVERIFIED && oc->state == OFFREC_STATE_PRIVATE)
        otr_plugin_conv_write(oc, 0,
                              _("%s's fingerprint is now verified: the "
                                "conversation is private."),
                              oc->peer);
    else if (before == OFFREC_STATE_PRIVATE &&
             oc->state == OFFREC_STATE_UNVERIFIED)
        otr_plugin_conv_write(oc, 0,
                              _("%s's fingerprint is no longer verified: "
                                "the conversation is unverified."),
                              oc->peer);
}

void
otr_plugin_trust_changed(PurpleAccount *account, const char *buddy)
{
    const void *id[2] = { account, buddy };

    otr_plugin_conv_foreach(trust_changed_one, id);
}

/* ---- /otr status -------------------------------------------------------- */

char *
otr_plugin_state_status_text(OtrConv *oc)
{
    GString *s = g_string_new(NULL);
    char our_h[OTR_FPR_HUMAN_LEN], their_h[OTR_FPR_HUMAN_LEN];
    const OtrPrivKey *key = otr_plugin_keys_lookup(oc->account);
    guint32 sel = otr_session_selected(oc->session);
    GArray *tags = otr_session_instances(oc->session);
    OtrStatus st;

    otr_session_status(oc->session, sel, &st);
    g_string_append_printf(s, _("OTR status with %s: %s"), oc->peer,
                           otr_plugin_state_name(otr_plugin_state_compute(oc)));
    if (st.state == OTR_MSG_ENCRYPTED)
        g_string_append_printf(s, _(" (protocol version %d)"), st.version);
    g_string_append_printf(s, _("\nPolicy: %s"),
                           otr_plugin_policy_name(
                               otr_plugin_policy_resolve(oc->account,
                                                         oc->peer)));
    g_string_append_printf(s, _("\nSelected instance: %08x (of %u known)"), sel,
                           tags->len);
    if (key) {
        uint8_t fpr[OTR_FPR_LEN];

        otr_privkey_fingerprint(key, fpr);
        otr_fingerprint_human(fpr, our_h);
        g_string_append_printf(s, _("\nYour fingerprint: %s"), our_h);
    } else {
        g_string_append(s, _("\nYour fingerprint: none (no key yet)"));
    }
    if (st.state == OTR_MSG_ENCRYPTED && st.have_fpr) {
        otr_fingerprint_human(st.their_fpr, their_h);
        g_string_append_printf(s, _("\nTheir fingerprint: %s (%s)"), their_h,
                               trusted_fpr(oc, st.their_fpr)
                                   ? _("verified")
                                   : _("not verified"));
    }
    if (oc->smp_asked)
        g_string_append(s, _("\nAuthentication request pending: answer "
                             "with /otr auth SECRET"));
    g_array_unref(tags);
    return g_string_free(s, FALSE);
}
