/* Offrec — SMP and extra symmetric key requests on the selected instance.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <string.h>

#include "outbox-private.h"
#include "session-private.h"

/* The selected instance when it is private, else an error event. */
static OtrInstance *
private_instance(OtrSession *s, OtrOutbox *out, OtrError *err)
{
    OtrInstance *in = otr_instance_selected(s);

    if (in && in->msgstate == OTR_MSG_ENCRYPTED && in->have_keys) {
        *err = OTR_OK;
        return in;
    }
    *err = OTR_ERR_NO_SESSION;
    otr_outbox_error(out, in ? in->tag : OTR_INSTAG_V2, *err,
                     "There is no private conversation to use.");
    return NULL;
}

static OtrError
smp_context(OtrSession *s, OtrInstance *in, OtrSmpContext *ctx)
{
    if (!s->key)
        return OTR_ERR_NO_KEY;
    otr_privkey_fingerprint(s->key, ctx->our_fpr);
    memcpy(ctx->their_fpr, in->their_fpr, OTR_FPR_LEN);
    memcpy(ctx->ssid, in->ssid, OTR_SSID_LEN);
    return OTR_OK;
}

typedef enum {
    SMP_START,
    SMP_RESPOND,
    SMP_ABORT,
} SmpOp;

static OtrError
smp_run(OtrSession *s,
        SmpOp op,
        const char *question,
        const uint8_t *secret,
        size_t secret_len,
        OtrOutbox *out)
{
    OtrInstance *in;
    OtrSmpContext ctx;
    OtrWriter w;
    OtrError err;

    in = private_instance(s, out, &err);
    if (!in)
        return err;
    err = smp_context(s, in, &ctx);
    if (err != OTR_OK) {
        otr_outbox_error(out, in->tag, err, "No private key for SMP.");
        return err;
    }
    if (!in->smp) {
        in->smp = otr_smp_new();
        otr_smp_set_instance(in->smp, in->tag);
    }
    otr_writer_init(&w);
    switch (op) {
    case SMP_START:
        err = otr_smp_start(in->smp, &s->host, &ctx, question, secret,
                            secret_len, &w, out);
        break;
    case SMP_RESPOND:
        err = otr_smp_respond(in->smp, &s->host, &ctx, secret, secret_len, &w,
                              out);
        break;
    case SMP_ABORT:
        err = otr_smp_abort(in->smp, &w, out);
        break;
    }
    if (w.buf && w.buf->len > 0) {
        OtrError serr =
            otr_instance_send_tlvs(s, in, w.buf->data, w.buf->len, out);
        if (err == OTR_OK)
            err = serr;
    }
    otr_writer_clear(&w);
    otr_wipe(&ctx, sizeof ctx);
    return err;
}

OtrError
otr_session_smp_start(OtrSession *s,
                      const char *question,
                      const uint8_t *secret,
                      size_t secret_len,
                      OtrOutbox *out)
{
    g_return_val_if_fail(s != NULL && out != NULL, OTR_ERR_INVALID);
    g_return_val_if_fail(secret != NULL || secret_len == 0, OTR_ERR_INVALID);
    return smp_run(s, SMP_START, question, secret, secret_len, out);
}

OtrError
otr_session_smp_respond(OtrSession *s,
                        const uint8_t *secret,
                        size_t secret_len,
                        OtrOutbox *out)
{
    g_return_val_if_fail(s != NULL && out != NULL, OTR_ERR_INVALID);
    g_return_val_if_fail(secret != NULL || secret_len == 0, OTR_ERR_INVALID);
    return smp_run(s, SMP_RESPOND, NULL, secret, secret_len, out);
}

OtrError
otr_session_smp_abort(OtrSession *s, OtrOutbox *out)
{
    g_return_val_if_fail(s != NULL && out != NULL, OTR_ERR_INVALID);
    return smp_run(s, SMP_ABORT, NULL, NULL, 0, out);
}

OtrError
otr_session_extra_key(OtrSession *s,
                      guint32 use,
                      const uint8_t *context,
                      size_t context_len,
                      OtrOutbox *out)
{
    OtrInstance *in;
    OtrWriter tlv, value;
    uint8_t extra[OTR_EXTRA_KEY_LEN];
    OtrEvent *ev;
    OtrError err;

    g_return_val_if_fail(s != NULL && out != NULL, OTR_ERR_INVALID);
    g_return_val_if_fail(context != NULL || context_len == 0, OTR_ERR_INVALID);
    if (context_len > G_MAXUINT16 - 4)
        return OTR_ERR_TOO_BIG;
    in = private_instance(s, out, &err);
    if (!in)
        return err;
    otr_writer_init(&value);
    otr_write_int(&value, use);
    if (context_len > 0)
        otr_write_bytes(&value, context, context_len);
    otr_writer_init(&tlv);
    otr_tlv_write(&tlv, OTR_TLV_SYMKEY, value.buf->data, value.buf->len);
    err = otr_instance_send_data(s, in, OTR_FLAG_IGNORE_UNREADABLE, "",
                                 tlv.buf->data, tlv.buf->len, extra, out);
    otr_writer_clear(&tlv);
    otr_writer_clear(&value);
    if (err != OTR_OK) {
        otr_outbox_error(out, in->tag, err,
                         "The extra key request could not be sent.");
        goto out;
    }
    ev = otr_outbox_push(out, OTR_EV_EXTRA_KEY, in->tag, NULL);
    memcpy(ev->key, extra, OTR_EXTRA_KEY_LEN);
    ev->use = use;
    ev->context = g_bytes_new(context, context_len);
out:
    otr_wipe(extra, sizeof extra);
    return err;
}
