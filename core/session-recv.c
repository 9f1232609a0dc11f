/* Offrec — received encoded messages: routing by instance tag to the AKE
 * or to the data layer, TLVs, heartbeats (spec: "Receiving a D-H Commit
 * Message" ... "Receiving a Data Message").
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <string.h>

#include "outbox-private.h"
#include "session-private.h"

#define MSG_NOT_PRIVATE                                                        \
    "You sent encrypted data to %s, who wasn't expecting it."
#define MSG_UNREADABLE "You transmitted an unreadable encrypted message."
#define MSG_MALFORMED  "You transmitted a malformed data message."

static gint64
now(const OtrSession *s)
{
    return s->host.ops->now(s->host.user);
}

static gboolean
version_allowed(const OtrSession *s, int version)
{
    return (version == 3 && (s->versions & OTR_V3)) ||
           (version == 2 && (s->versions & OTR_V2));
}

OtrError
otr_session_ake_message(OtrSession *s,
                        OtrInstance *in,
                        GBytes *msg,
                        OtrOutbox *out)
{
    gsize len;
    const uint8_t *data = g_bytes_get_data(msg, &len);
    OtrReader r;
    OtrHeader hdr;
    GBytes *reply = NULL;
    OtrAkeResult *done = NULL;
    OtrError err;

    otr_reader_init(&r, data, len);
    otr_header_read(&r, &hdr);
    if (!otr_reader_ok(&r))
        return OTR_ERR_MALFORMED;
    err = otr_ake_receive(otr_session_ake_get(s, &in->ake), &s->host, s->key,
                          &hdr, data + r.pos, len - r.pos, &reply, &done);
    otr_session_ake_compact(&in->ake);
    if (err == OTR_ERR_NO_KEY) {
        if (in->pending_ake)
            g_bytes_unref(in->pending_ake);
        in->pending_ake = g_bytes_ref(msg);
        if (!s->need_key_sent)
            otr_outbox_push(out, OTR_EV_NEED_KEY, in->tag,
                            "A private key is needed to continue.");
        s->need_key_sent = TRUE;
        return OTR_OK;
    }
    if (reply) {
        otr_session_queue_encoded(s, in->tag, hdr.version, in->tag, reply, out);
        g_bytes_unref(reply);
    }
    if (done) {
        otr_instance_go_encrypted(s, in, done, out);
        otr_ake_result_free(done);
    }
    if (err != OTR_OK)
        otr_session_log(s, out, "AKE message from %08x ignored: %s", in->tag,
                        otr_error_str(err));
    return err;
}

/* A data message we cannot use: tell the user and (unless the message
 * may be meant for another of our v2 logins) the peer. Keys stay. */
static void
data_failure(OtrSession *s,
             OtrInstance *in,
             guint32 tag,
             int version,
             uint8_t flags,
             OtrError err,
             OtrOutbox *out)
{
    gboolean private = in && in->msgstate == OTR_MSG_ENCRYPTED;
    char *text;

    if (flags & OTR_FLAG_IGNORE_UNREADABLE) {
        otr_session_log(s, out, "unreadable data message (%s) ignored",
                        otr_error_str(err));
        return;
    }
    if (!private) {
        otr_outbox_error(out, tag, OTR_ERR_NO_SESSION,
                         "An encrypted message was received, but no "
                         "private conversation is active.");
        /* libotr stays silent here for v2, where the message may be for
         * another login of ours; v3 ones are addressed to us. */
        if (version == 3) {
            text = g_strdup_printf(MSG_NOT_PRIVATE, s->account);
            otr_session_send_error(s, tag, text, out);
            g_free(text);
        }
        return;
    }
    otr_outbox_error(out, tag, err,
                     err == OTR_ERR_MALFORMED
                         ? "A malformed encrypted message was received."
                         : "An unreadable encrypted message was received.");
    otr_session_send_error(s, tag,
                           err == OTR_ERR_MALFORMED ? MSG_MALFORMED
                                                    : MSG_UNREADABLE,
                           out);
}

static void
send_tlvs(OtrSession *s, OtrInstance *in, OtrWriter *w, OtrOutbox *out)
{
    OtrError err;

    if (!w->buf || w->buf->len == 0)
        return;
    err = otr_instance_send_tlvs(s, in, w->buf->data, w->buf->len, out);
    if (err != OTR_OK)
        otr_session_log(s, out, "could not send SMP reply: %s",
                        otr_error_str(err));
}

static void
handle_tlv(OtrSession *s,
           OtrInstance *in,
           const OtrTlv *tlv,
           const uint8_t extra[OTR_EXTRA_KEY_LEN],
           OtrWriter *w,
           OtrOutbox *out)
{
    OtrEvent *ev;
    OtrError err;

    switch (tlv->type) {
    case OTR_TLV_SMP1:
    case OTR_TLV_SMP2:
    case OTR_TLV_SMP3:
    case OTR_TLV_SMP4:
    case OTR_TLV_SMP_ABORT:
    case OTR_TLV_SMP1Q:
        if (!in->smp) {
            in->smp = otr_smp_new();
            otr_smp_set_instance(in->smp, in->tag);
        }
        err = otr_smp_receive(in->smp, &s->host, tlv, w, out);
        if (err != OTR_OK)
            otr_session_log(s, out, "SMP TLV %u: %s", tlv->type,
                            otr_error_str(err));
        break;
    case OTR_TLV_SYMKEY:
        if (tlv->len < 4) {
            otr_session_log(s, out, "short extra-key TLV ignored");
            break;
        }
        ev = otr_outbox_push(out, OTR_EV_EXTRA_KEY, in->tag, NULL);
        memcpy(ev->key, extra, OTR_EXTRA_KEY_LEN);
        ev->use = ((guint32)tlv->data[0] << 24) |
                  ((guint32)tlv->data[1] << 16) | ((guint32)tlv->data[2] << 8) |
                  tlv->data[3];
        ev->context = g_bytes_new(tlv->data + 4, tlv->len - 4);
        break;
    default: /* padding, disconnect (handled after), unknown */
        break;
    }
}

/* Decrypted data: the message for the user, then the TLVs (their array
 * and the reply writer are only made when there are TLVs). */
static void
handle_plaintext(OtrSession *s,
                 OtrInstance *in,
                 const uint8_t *plain,
                 size_t len,
                 const uint8_t extra[OTR_EXTRA_KEY_LEN],
                 OtrOutbox *out)
{
    size_t text_len = strnlen((const char *)plain, len);
    gboolean disconnected = FALSE;
    GArray *tlvs = NULL;
    size_t tl;

    if (text_len < len) {
        tlvs = g_array_new(FALSE, FALSE, sizeof(OtrTlv));
        if (otr_tlv_parse(plain, len, &tl, tlvs) != OTR_OK) {
            otr_session_log(s, out, "malformed TLVs ignored");
            g_array_set_size(tlvs, 0);
        }
    }
    if (text_len > 0) {
        /* A copy, not plain itself: measured, handing plain over made
         * glibc trim and regrow the heap around large messages. */
        OtrEvent *ev =
            otr_outbox_push_take(out, OTR_EV_DISPLAY, in->tag,
                                 g_strndup((const char *)plain, text_len));

        ev->is_private = TRUE;
    }
    if (tlvs) {
        OtrWriter w;

        otr_writer_init(&w);
        for (guint i = 0; i < tlvs->len; i++) {
            const OtrTlv *tlv = &g_array_index(tlvs, OtrTlv, i);

            if (tlv->type == OTR_TLV_DISCONNECTED)
                disconnected = TRUE;
            else
                handle_tlv(s, in, tlv, extra, &w, out);
        }
        send_tlvs(s, in, &w, out);
        otr_writer_clear(&w);
        g_array_unref(tlvs);
    }

    if (disconnected) {
        otr_instance_forget_keys(in);
        otr_instance_set_state(s, in, OTR_MSG_FINISHED, out);
        return;
    }
    /* libotr: a real message while we have been quiet for a minute gets
     * a heartbeat back, so the keys move on. in->last_recv is now. */
    if (text_len > 0 && in->last_recv - in->last_sent >= OTR_HEARTBEAT_SECS) {
        if (otr_instance_send_data(s, in, OTR_FLAG_IGNORE_UNREADABLE, "", NULL,
                                   0, NULL, out) == OTR_OK)
            otr_session_log(s, out, "heartbeat sent to %08x", in->tag);
    }
}

/* A data message; in->last_recv was just set to now. */
static void
handle_data(OtrSession *s,
            OtrInstance *in,
            guint32 tag,
            const OtrHeader *hdr,
            const uint8_t *body,
            size_t len,
            OtrOutbox *out)
{
    uint8_t flags = 0;
    uint8_t extra[OTR_EXTRA_KEY_LEN];
    uint8_t *plain = NULL;
    size_t plain_len = 0;
    OtrError err;

    if (!in || in->msgstate != OTR_MSG_ENCRYPTED || !in->have_keys) {
        if (len > 0)
            flags = body[0];
        data_failure(s, in, tag, hdr->version, flags, OTR_ERR_NO_SESSION, out);
        return;
    }
    err = otr_data_decrypt(&in->keys, &s->host, hdr, body, len, &flags, &plain,
                           &plain_len, extra);
    if (err != OTR_OK) {
        data_failure(s, in, tag, hdr->version, flags, err, out);
        goto out;
    }
    in->last_data_recv = in->last_recv;
    handle_plaintext(s, in, plain, plain_len, extra, out);
out:
    if (plain) {
        otr_wipe(plain, plain_len);
        g_free(plain);
    }
    otr_wipe(extra, sizeof extra);
}

/* The message is not valid base64 (truncated, tampered). Peek at the
 * first 12 bytes to learn whether it was a data message, for whom, and
 * whether it may be ignored. */
static void
undecodable(OtrSession *s, const char *text, size_t len, OtrOutbox *out)
{
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                   "abcdefghijklmnopqrstuvwxyz0123456789+/";
    char chunk[17];
    uint8_t *raw;
    gsize n = 0;
    guint16 version;
    guint32 sender = 0, receiver = 0;
    uint8_t flags;
    size_t hlen;
    OtrInstance *in = NULL;

    if (len < 5 + 8 || strspn(text + 5, alphabet) < 16) {
        if (len >= 5 + 8 && strspn(text + 5, alphabet) >= 8) {
            memcpy(chunk, text + 5, 8);
            chunk[8] = '\0';
        } else {
            otr_session_log(s, out, "undecodable OTR message ignored");
            return;
        }
    } else {
        memcpy(chunk, text + 5, 16);
        chunk[16] = '\0';
    }
    raw = g_base64_decode(chunk, &n);
    if (n < 4 || raw[2] != OTR_TYPE_DATA) {
        otr_session_log(s, out, "undecodable OTR message ignored");
        g_free(raw);
        return;
    }
    version = (guint16)((raw[0] << 8) | raw[1]);
    hlen = version == 3 ? 11 : 3;
    if (!version_allowed(s, version) || n < hlen + 1) {
        otr_session_log(s, out, "undecodable OTR message ignored");
        g_free(raw);
        return;
    }
    if (version == 3) {
        sender = ((guint32)raw[3] << 24) | ((guint32)raw[4] << 16) |
                 ((guint32)raw[5] << 8) | raw[6];
        receiver = ((guint32)raw[7] << 24) | ((guint32)raw[8] << 16) |
                   ((guint32)raw[9] << 8) | raw[10];
    }
    flags = raw[hlen];
    g_free(raw);
    if (version == 3 &&
        (receiver != s->our_instag || sender < OTR_INSTAG_MIN)) {
        otr_session_log(s, out, "message for instance %08x discarded",
                        receiver);
        return;
    }
    in = otr_instance_find(s, sender);
    data_failure(s, in, sender, version, flags, OTR_ERR_MALFORMED, out);
}

/* libotr hands the master's pending D-H Commit to the instance that
 * answers it, so that several instances can answer one commit. A new
 * instance sending a D-H Commit gets it too, so that crossing commits are
 * compared by their hashes as the spec says. Returns TRUE if it copied. */
static gboolean
maybe_copy_master(OtrSession *s, OtrInstance *in, uint8_t type)
{
    OtrAkeState mine = otr_session_ake_state(in->ake);
    OtrAke *copy;

    if (otr_session_ake_state(s->master_ake) != OTR_AKE_AWAITING_DHKEY ||
        otr_ake_version(s->master_ake) != 3)
        return FALSE;
    if (type == OTR_TYPE_DH_COMMIT && mine != OTR_AKE_NONE)
        return FALSE;
    /* As libotr: any child not itself awaiting a D-H Key takes the
     * master's state (also one stuck in AWAITING_SIG from an earlier
     * attempt, so a new start recovers). */
    if (type == OTR_TYPE_DH_KEY && mine == OTR_AKE_AWAITING_DHKEY)
        return FALSE;
    copy = otr_ake_copy(s->master_ake);
    if (!copy)
        return FALSE;
    if (in->ake)
        otr_ake_free(in->ake);
    in->ake = copy;
    return TRUE;
}

OtrError
otr_session_receive_encoded(OtrSession *s,
                            const char *text,
                            size_t len,
                            OtrOutbox *out)
{
    GBytes *msg = otr_decode_message(text, len);
    const uint8_t *data;
    gsize mlen;
    OtrReader r;
    OtrHeader hdr;
    OtrInstance *in = NULL;
    guint32 tag = OTR_INSTAG_V2;
    gboolean copied;

    if (!msg) {
        undecodable(s, text, len, out);
        return OTR_OK;
    }
    data = g_bytes_get_data(msg, &mlen);
    otr_reader_init(&r, data, mlen);
    otr_header_read(&r, &hdr);
    if (!otr_reader_ok(&r) || !version_allowed(s, hdr.version)) {
        otr_session_log(s, out, "OTR message with bad header ignored");
        goto out;
    }
    if (hdr.version == 3) {
        if (hdr.sender_instag < OTR_INSTAG_MIN) {
            otr_session_log(s, out, "bad sender instance %08x",
                            hdr.sender_instag);
            goto out;
        }
        if (hdr.receiver_instag != s->our_instag &&
            !(hdr.receiver_instag == 0 && hdr.type == OTR_TYPE_DH_COMMIT)) {
            otr_session_log(s, out, "message for instance %08x discarded",
                            hdr.receiver_instag);
            goto out;
        }
        tag = hdr.sender_instag;
    }

    switch (hdr.type) {
    case OTR_TYPE_DH_COMMIT:
    case OTR_TYPE_DH_KEY:
        in = otr_instance_get(s, tag);
        if (!in) {
            otr_session_log(s, out, "too many instances; message dropped");
            goto out;
        }
        copied = hdr.version == 3 && maybe_copy_master(s, in, hdr.type);
        in->last_recv = now(s);
        otr_session_ake_message(s, in, msg, out);
        /* Their commit crossed ours and won the hash comparison: the spec
         * says to forget our g^x, so a D-H Key still on its way for our
         * commit must not take this instance over. (libotr does not; it
         * stalls when both sides start at once.) */
        if (copied && hdr.type == OTR_TYPE_DH_COMMIT &&
            otr_session_ake_state(in->ake) == OTR_AKE_AWAITING_REVEALSIG)
            g_clear_pointer(&s->master_ake, otr_ake_free);
        break;
    case OTR_TYPE_REVEAL_SIG:
    case OTR_TYPE_SIGNATURE:
        in = otr_instance_find(s, tag);
        if (!in) {
            otr_session_log(s, out, "AKE message from unknown instance");
            goto out;
        }
        in->last_recv = now(s);
        otr_session_ake_message(s, in, msg, out);
        break;
    case OTR_TYPE_DATA:
        in = otr_instance_find(s, tag);
        if (in)
            in->last_recv = now(s);
        handle_data(s, in, tag, &hdr, data + r.pos, mlen - r.pos, out);
        break;
    default:
        otr_session_log(s, out, "unknown OTR message type %u ignored",
                        hdr.type);
        break;
    }
out:
    g_bytes_unref(msg);
    return OTR_OK;
}
