/* Offrec — the Socialist Millionaires' Protocol from the user's side: the
 * events, trust on success, and the purple_request fallback when no
 * front-end draws SMP itself.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <string.h>

#include "plugin-private.h"

typedef struct {
    PurpleAccount *account;
    char *peer;
} SmpCtx;

static void
ctx_free(SmpCtx *c)
{
    g_free(c->peer);
    g_free(c);
}

void
otr_plugin_smp_close_ui(OtrConv *oc)
{
    if (oc->smp_ui) {
        void *ui = oc->smp_ui;
        SmpCtx *c = oc->smp_ctx;

        oc->smp_ui = NULL;
        oc->smp_ctx = NULL;
        /* Closing calls no callback: the context is ours to free. */
        purple_request_close(PURPLE_REQUEST_INPUT, ui);
        if (c)
            ctx_free(c);
    }
}

static void
answer_cb(SmpCtx *c, const char *secret)
{
    OtrConv *oc = otr_plugin_conv_find(c->account, c->peer);

    ctx_free(c);
    if (!oc)
        return;
    oc->smp_ui = NULL;
    oc->smp_ctx = NULL;
    if (!secret || !*secret) {
        otr_plugin_smp_abort(oc);
        return;
    }
    otr_plugin_smp_respond(oc, secret);
}

static void
cancel_cb(SmpCtx *c, const char *unused)
{
    OtrConv *oc = otr_plugin_conv_find(c->account, c->peer);

    ctx_free(c);
    if (!oc)
        return;
    oc->smp_ui = NULL;
    oc->smp_ctx = NULL;
    otr_plugin_smp_abort(oc);
}

/* The buddy asked: a masked input works in Pidgin and Finch alike. */
static void
open_fallback(OtrConv *oc)
{
    OtrPlugin *pl = otr_plugin_get();
    SmpCtx *c;
    char *primary, *secondary;

    if (!pl || (pl->ui_flags & OFFREC_UI_SMP) || oc->smp_ui)
        return;
    c = g_new0(SmpCtx, 1);
    c->account = oc->account;
    c->peer = g_strdup(oc->peer);
    primary = g_strdup_printf(_("%s wants to verify your identity"), oc->peer);
    if (oc->smp_question)
        secondary = g_strdup_printf(_("Question: %s\nType the answer; it is "
                                      "never sent, only compared."),
                                    oc->smp_question);
    else
        secondary = g_strdup(_("Type the secret you agreed on; it is never "
                               "sent, only compared."));
    oc->smp_ui =
        purple_request_input(pl->handle, _("Authenticate buddy"), primary,
                             secondary, NULL, FALSE, TRUE, NULL,
                             _("Authenticate"), PURPLE_CALLBACK(answer_cb),
                             _("Cancel"), PURPLE_CALLBACK(cancel_cb),
                             oc->account, oc->who,
                             otr_plugin_conv_purple(oc, FALSE), c);
    if (oc->smp_ui)
        oc->smp_ctx = c;
    else
        ctx_free(c); /* no UI ops: nothing will call us back */
    g_free(primary);
    g_free(secondary);
}

/* As libotr, so that the fingerprints file means the same to both: a
 * successful SMP marks the fingerprint "smp", a failed one clears it. */
static void
set_trust_current(OtrConv *oc, const char *trust)
{
    OtrPlugin *pl = otr_plugin_get();
    OtrStatus st;

    otr_session_status(oc->session, otr_session_selected(oc->session), &st);
    if (!pl || st.state != OTR_MSG_ENCRYPTED || !st.have_fpr)
        return;
    otr_store_fpr_add(pl->store, purple_account_get_username(oc->account),
                      purple_account_get_protocol_id(oc->account), oc->peer,
                      st.their_fpr, NULL);
    otr_store_fpr_set_trust(pl->store, purple_account_get_username(oc->account),
                            purple_account_get_protocol_id(oc->account),
                            oc->peer, st.their_fpr, trust);
    otr_plugin_keys_save_fprs();
}

static void
emit(OtrConv *oc, OffrecSmpEvent what, int pct)
{
    OtrPlugin *pl = otr_plugin_get();
    PurpleConversation *conv = otr_plugin_conv_purple(oc, TRUE);

    if (pl && conv)
        purple_signal_emit(pl->handle, "otr-smp-progress", conv, (int)what,
                           pct);
}

static void
smp_over(OtrConv *oc)
{
    oc->smp_running = FALSE;
    oc->smp_asked = FALSE;
    oc->smp_answering = FALSE;
    oc->smp_outcome = OFFREC_SMP_OUTCOME_NONE;
    g_clear_pointer(&oc->smp_question, g_free);
    otr_plugin_smp_close_ui(oc);
}

void
otr_plugin_smp_on_event(OtrConv *oc, const OtrEvent *ev)
{
    gboolean answered;

    switch (ev->smp_status) {
    case OTR_SMP_ASKED:
        smp_over(oc);
        oc->smp_asked = TRUE;
        oc->smp_running = TRUE;
        oc->smp_question = g_strdup(ev->text);
        if (ev->text)
            otr_plugin_conv_write(oc, 0,
                                  _("%s wants to authenticate you. "
                                    "Question: %s. Answer with /otr auth "
                                    "ANSWER."),
                                  oc->peer, ev->text);
        else
            otr_plugin_conv_write(oc, 0,
                                  _("%s wants to authenticate you. Answer "
                                    "with /otr auth SECRET (the secret you "
                                    "agreed on)."),
                                  oc->peer);
        emit(oc, OFFREC_SMP_ASKED, 0);
        open_fallback(oc);
        break;
    case OTR_SMP_PROGRESS:
        emit(oc, OFFREC_SMP_PROGRESS, ev->progress);
        break;
    case OTR_SMP_SUCCESS:
        answered = oc->smp_answering && oc->smp_question;
        smp_over(oc);
        oc->smp_outcome = answered ? OFFREC_SMP_OUTCOME_THEY_VERIFIED
                                   : OFFREC_SMP_OUTCOME_WE_VERIFIED;
        if (answered) {
            otr_plugin_conv_write(oc, 0,
                                  _("%s has authenticated you. To verify "
                                    "them too, ask your own question with "
                                    "/otr auth-q."),
                                  oc->peer);
        } else {
            set_trust_current(oc, "smp");
            otr_plugin_conv_write(oc, 0,
                                  _("Authentication succeeded: %s's "
                                    "fingerprint is now verified."),
                                  oc->peer);
            otr_plugin_trust_changed(oc->account, oc->peer);
        }
        emit(oc, OFFREC_SMP_SUCCESS, 100);
        break;
    case OTR_SMP_FAILURE:
        smp_over(oc);
        set_trust_current(oc, "");
        otr_plugin_trust_changed(oc->account, oc->peer);
        otr_plugin_conv_write(oc, PURPLE_MESSAGE_ERROR,
                              _("Authentication of %s failed: the secrets "
                                "did not match."),
                              oc->peer);
        emit(oc, OFFREC_SMP_FAILURE, 100);
        break;
    case OTR_SMP_ABORTED:
        smp_over(oc);
        otr_plugin_conv_write(oc, 0, _("Authentication with %s was aborted."),
                              oc->peer);
        emit(oc, OFFREC_SMP_ABORTED, 0);
        break;
    case OTR_SMP_ERROR:
        smp_over(oc);
        otr_plugin_conv_write(oc, PURPLE_MESSAGE_ERROR,
                              _("Authentication with %s failed: protocol "
                                "error."),
                              oc->peer);
        emit(oc, OFFREC_SMP_ERROR, 0);
        break;
    }
}

static gboolean
run(OtrConv *oc, OtrError err, OtrOutbox *out)
{
    otr_plugin_conv_process(oc, out, NULL, NULL);
    otr_outbox_clear(out);
    return err == OTR_OK;
}

gboolean
otr_plugin_smp_start(OtrConv *oc, const char *question, const char *secret)
{
    OtrOutbox out;
    OtrError err;

    if (!secret || !*secret)
        return FALSE;
    if (otr_session_msgstate(oc->session) != OTR_MSG_ENCRYPTED) {
        otr_plugin_conv_write(oc, PURPLE_MESSAGE_ERROR,
                              _("Start a private conversation first (/otr "
                                "start)."));
        return FALSE;
    }
    smp_over(oc);
    otr_outbox_init(&out);
    err = otr_session_smp_start(oc->session, question, (const uint8_t *)secret,
                                strlen(secret), &out);
    if (err == OTR_OK) {
        oc->smp_running = TRUE;
        otr_plugin_conv_write(oc, 0,
                              _("Authenticating %s; waiting for their "
                                "answer."),
                              oc->peer);
    }
    return run(oc, err, &out);
}

gboolean
otr_plugin_smp_respond(OtrConv *oc, const char *secret)
{
    OtrOutbox out;
    OtrError err;

    if (!secret || !*secret || !oc->smp_asked)
        return FALSE;
    oc->smp_asked = FALSE;
    oc->smp_answering = TRUE;
    otr_plugin_smp_close_ui(oc);
    otr_outbox_init(&out);
    err = otr_session_smp_respond(oc->session, (const uint8_t *)secret,
                                  strlen(secret), &out);
    if (err == OTR_OK)
        otr_plugin_conv_write(oc, 0, _("Answer sent; checking with %s."),
                              oc->peer);
    return run(oc, err, &out);
}

gboolean
otr_plugin_smp_abort(OtrConv *oc)
{
    OtrOutbox out;
    OtrError err;

    smp_over(oc);
    otr_outbox_init(&out);
    err = otr_session_smp_abort(oc->session, &out);
    if (err == OTR_OK)
        otr_plugin_conv_write(oc, 0, _("Authentication aborted."));
    return run(oc, err, &out);
}
