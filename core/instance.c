/* Offrec — remote instances of a session (libotr's child contexts), their
 * selection, and queueing of outgoing OTR messages.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <stdarg.h>
#include <string.h>

#include "outbox-private.h"
#include "proto-private.h"
#include "session-private.h"

static gint64
now(const OtrSession *s)
{
    return s->host.ops->now(s->host.user);
}

void
otr_session_log(OtrSession *s, OtrOutbox *out, const char *fmt, ...)
{
    va_list ap;
    char *line;

    va_start(ap, fmt);
    line = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    s->host.ops->log(s->host.user, line);
    if (out)
        otr_outbox_push_take(out, OTR_EV_LOG, 0, line);
    else
        g_free(line);
}

OtrInstance *
otr_instance_find(const OtrSession *s, guint32 tag)
{
    for (guint i = 0; i < s->n_instances; i++) {
        if (s->instances[i]->tag == tag)
            return s->instances[i];
    }
    return NULL;
}

OtrInstance *
otr_instance_get(OtrSession *s, guint32 tag)
{
    OtrInstance *in = otr_instance_find(s, tag);

    if (in)
        return in;
    if (s->n_instances >= OTR_MAX_INSTANCES)
        return NULL;
    in = g_new0(OtrInstance, 1);
    in->tag = tag;
    in->msgstate = OTR_MSG_PLAINTEXT;
    /* Grown one at a time: there are rarely more than one or two. */
    s->instances = g_renew(OtrInstance *, s->instances, s->n_instances + 1);
    s->instances[s->n_instances++] = in;
    return in;
}

OtrAkeState
otr_session_ake_state(const OtrAke *ake)
{
    return ake ? otr_ake_state(ake) : OTR_AKE_NONE;
}

OtrAke *
otr_session_ake_get(OtrSession *s, OtrAke **slot)
{
    if (!*slot)
        *slot = otr_ake_new(s->our_instag);
    return *slot;
}

void
otr_session_ake_compact(OtrAke **slot)
{
    /* An AKE in NONE holds nothing but our instance tag (otr_ake_reset):
     * a new one made later is the same. */
    if (*slot && otr_ake_state(*slot) == OTR_AKE_NONE) {
        otr_ake_free(*slot);
        *slot = NULL;
    }
}

void
otr_instance_forget_keys(OtrInstance *in)
{
    if (in->have_keys)
        otr_data_clear(&in->keys);
    in->have_keys = FALSE;
    if (in->smp)
        otr_smp_free(in->smp);
    in->smp = NULL;
    in->version = 0;
    in->have_fpr = FALSE;
    otr_wipe(in->their_fpr, sizeof in->their_fpr);
    otr_wipe(in->ssid, sizeof in->ssid);
    in->ssid_high_half = FALSE;
}

void
otr_instances_destroy(gpointer p)
{
    OtrInstance *in = p;

    otr_instance_forget_keys(in);
    if (in->ake)
        otr_ake_free(in->ake);
    if (in->pending_ake)
        g_bytes_unref(in->pending_ake);
    otr_wipe(in, sizeof *in);
    g_free(in);
}

static int
rank(OtrMsgState st)
{
    switch (st) {
    case OTR_MSG_ENCRYPTED:
        return 2;
    case OTR_MSG_FINISHED:
        return 1;
    case OTR_MSG_PLAINTEXT:
        return 0;
    }
    return 0;
}

/* TRUE when a should be preferred over b. */
static gboolean
better(OtrSelect how, const OtrInstance *a, const OtrInstance *b)
{
    gint64 ra = MAX(a->last_recv, a->last_sent);
    gint64 rb = MAX(b->last_recv, b->last_sent);

    if (how != OTR_SELECT_MOST_RECENT && rank(a->msgstate) != rank(b->msgstate))
        return rank(a->msgstate) > rank(b->msgstate);
    if (how != OTR_SELECT_MOST_RECENT && a->last_recv != b->last_recv)
        return a->last_recv > b->last_recv;
    if (ra != rb)
        return ra > rb;
    return a->tag > b->tag;
}

OtrInstance *
otr_instance_selected(const OtrSession *s)
{
    OtrInstance *best = NULL;

    if (s->select_how == OTR_SELECT_INSTANCE) {
        best = otr_instance_find(s, s->select_tag);
        if (best)
            return best;
    }
    for (guint i = 0; i < s->n_instances; i++) {
        OtrInstance *in = s->instances[i];

        if (!best || better(s->select_how, in, best))
            best = in;
    }
    return best;
}

void
otr_instance_set_state(OtrSession *s,
                       OtrInstance *in,
                       OtrMsgState state,
                       OtrOutbox *out)
{
    OtrEvent *ev;

    in->msgstate = state;
    ev = otr_outbox_push(out, OTR_EV_STATE, in->tag, NULL);
    ev->state = state;
    if (state == OTR_MSG_ENCRYPTED && in->have_fpr)
        memcpy(ev->fpr, in->their_fpr, OTR_FPR_LEN);
    if (state == OTR_MSG_PLAINTEXT)
        s->offer = OTR_OFFER_NOT;
}

OtrError
otr_instance_go_encrypted(OtrSession *s,
                          OtrInstance *in,
                          OtrAkeResult *res,
                          OtrOutbox *out)
{
    OtrError err;
    OtrEvent *ev;
    GByteArray *reveal = g_byte_array_new();

    /* A refresh replaces the keys of a running session: the MAC keys it
     * used are revealed in the new session's first message. */
    if (in->have_keys)
        otr_data_retire(&in->keys, reveal);
    otr_instance_forget_keys(in);
    err = otr_data_init(&in->keys, &s->host, res);
    if (err == OTR_OK)
        g_byte_array_append(in->keys.old_macs, reveal->data, reveal->len);
    otr_wipe(reveal->data, reveal->len);
    g_byte_array_unref(reveal);
    if (err != OTR_OK) {
        otr_outbox_error(out, in->tag, err,
                         "Could not set up the private conversation.");
        if (in->msgstate == OTR_MSG_ENCRYPTED)
            otr_instance_set_state(s, in, OTR_MSG_FINISHED, out);
        return err;
    }
    /* The AKE result carries only their tag; ours is the session's. */
    if (res->version == 3)
        in->keys.our_instag = s->our_instag;
    in->have_keys = TRUE;
    in->version = res->version;
    in->have_fpr = TRUE;
    memcpy(in->their_fpr, res->their_fpr, OTR_FPR_LEN);
    memcpy(in->ssid, res->ssid, OTR_SSID_LEN);
    in->ssid_high_half = res->ssid_high_half;
    in->last_sent = now(s);
    s->offer = OTR_OFFER_ACCEPTED;

    ev = otr_outbox_push(out, OTR_EV_FINGERPRINT, in->tag, NULL);
    memcpy(ev->fpr, in->their_fpr, OTR_FPR_LEN);
    otr_instance_set_state(s, in, OTR_MSG_ENCRYPTED, out);
    otr_session_flush_held(s, in, out);
    return OTR_OK;
}

OtrError
otr_session_queue_encoded(OtrSession *s,
                          guint32 instance,
                          int version,
                          guint32 receiver,
                          GBytes *msg,
                          OtrOutbox *out)
{
    gsize len;
    const uint8_t *data = g_bytes_get_data(msg, &len);
    char *text = otr_encode_message(data, len);
    OtrInstance *in;
    char **pieces;

    if (!text)
        return OTR_ERR_NOMEM;
    if (s->max_msg_size == 0 || strlen(text) <= s->max_msg_size) {
        otr_outbox_push_take(out, OTR_EV_WIRE, instance, text);
        goto sent;
    }
    pieces = otr_fragment_split(text, s->max_msg_size, version,
                                version == 3 ? s->our_instag : 0,
                                version == 3 ? receiver : 0);
    g_free(text);
    if (!pieces) {
        otr_outbox_error(out, instance, OTR_ERR_TOO_BIG,
                         "The maximum message size is too small to send "
                         "an OTR message.");
        return OTR_ERR_TOO_BIG;
    }
    for (char **p = pieces; *p; p++) {
        otr_outbox_push_take(out, OTR_EV_WIRE, instance, *p);
        *p = NULL;
    }
    g_free(pieces);
sent:
    in = otr_instance_find(s, instance);
    if (in)
        in->last_sent = now(s);
    return OTR_OK;
}

OtrError
otr_instance_send_data(OtrSession *s,
                       OtrInstance *in,
                       uint8_t flags,
                       const char *text,
                       const uint8_t *tlvs,
                       size_t tlvs_len,
                       uint8_t extra[OTR_EXTRA_KEY_LEN],
                       OtrOutbox *out)
{
    size_t text_len, plain_len;
    uint8_t *plain;
    GBytes *msg = NULL;
    OtrError err;

    if (in->msgstate != OTR_MSG_ENCRYPTED || !in->have_keys)
        return OTR_ERR_NO_SESSION;
    text_len = strlen(text);
    if (tlvs_len == 0) {
        /* The text alone is the plaintext: encrypt it where it lies. */
        err = otr_data_encrypt(&in->keys, &s->host, flags,
                               (const uint8_t *)text, text_len, &msg, extra);
    } else {
        /* Text, NUL, TLVs in one block sized once: a growing buffer would
         * leave unwiped copies of the plaintext in freed memory. */
        plain_len = text_len + 1 + tlvs_len;
        plain = g_malloc(plain_len);
        memcpy(plain, text, text_len);
        plain[text_len] = 0;
        memcpy(plain + text_len + 1, tlvs, tlvs_len);
        err = otr_data_encrypt(&in->keys, &s->host, flags, plain, plain_len,
                               &msg, extra);
        otr_wipe(plain, plain_len);
        g_free(plain);
    }
    if (err != OTR_OK)
        goto out;
    err = otr_session_queue_encoded(s, in->tag, in->version, in->tag, msg, out);
out:
    if (msg)
        g_bytes_unref(msg);
    return err;
}

OtrError
otr_instance_send_tlvs(OtrSession *s,
                       OtrInstance *in,
                       const uint8_t *tlvs,
                       size_t len,
                       OtrOutbox *out)
{
    OtrError err = OTR_OK;
    size_t pos = 0;

    /* One TLV per message: libotr handles the TLVs of one message in a
     * fixed order (SMP1 before ABORT), so an abort followed by a new SMP1
     * in one message would abort the new exchange. */
    while (pos + 4 <= len && err == OTR_OK) {
        size_t one = 4 + (((size_t)tlvs[pos + 2] << 8) | tlvs[pos + 3]);

        if (one > len - pos)
            return OTR_ERR_INVALID;
        err = otr_instance_send_data(s, in, OTR_FLAG_IGNORE_UNREADABLE, "",
                                     tlvs + pos, one, NULL, out);
        pos += one;
    }
    return err;
}

/* Shortens text at a UTF-8 boundary so that it is at most max bytes. */
static void
truncate_utf8(char *text, size_t max)
{
    size_t cut = max;

    if (strlen(text) <= max)
        return;
    while (cut > 0 && ((unsigned char)text[cut] & 0xC0) == 0x80)
        cut--;
    text[cut] = '\0';
}

void
otr_session_queue_plain_otr(OtrSession *s,
                            guint32 instance,
                            char *text,
                            OtrOutbox *out)
{
    OtrInstance *in;

    if (s->max_msg_size != 0 && strlen(text) > s->max_msg_size) {
        otr_session_log(s, out,
                        "OTR message of %zu bytes does not fit in "
                        "%zu; not sent",
                        strlen(text), s->max_msg_size);
        g_free(text);
        return;
    }
    otr_outbox_push_take(out, OTR_EV_WIRE, instance, text);
    in = otr_instance_find(s, instance);
    if (in)
        in->last_sent = now(s);
}

void
otr_session_send_query(OtrSession *s, guint32 instance, OtrOutbox *out)
{
    char *query = otr_query_message(s->versions & (OTR_V2 | OTR_V3));
    char *full;

    full = g_strdup_printf("%s\n%s has requested an Off-the-Record private "
                           "conversation, which your client does not seem "
                           "to support. See https://otr.cypherpunks.ca/ "
                           "for more information.",
                           query, s->account);
    if (s->max_msg_size == 0 || strlen(full) <= s->max_msg_size) {
        g_free(query);
        query = full;
    } else {
        g_free(full);
    }
    s->offer = OTR_OFFER_SENT;
    otr_session_queue_plain_otr(s, instance, query, out);
}

void
otr_session_send_error(OtrSession *s,
                       guint32 instance,
                       const char *text,
                       OtrOutbox *out)
{
    char *msg = otr_error_message(text);

    if (s->max_msg_size != 0)
        truncate_utf8(msg, s->max_msg_size);
    otr_session_queue_plain_otr(s, instance, msg, out);
}

void
otr_session_flush_held(OtrSession *s, OtrInstance *in, OtrOutbox *out)
{
    if (!s->held)
        return;
    for (guint i = 0; i < s->held->len; i++) {
        OtrHeld *h = &g_array_index(s->held, OtrHeld, i);
        OtrError err;

        err = otr_instance_send_data(s, in, 0, h->text, NULL, 0, NULL, out);
        if (err != OTR_OK)
            otr_outbox_error(out, in->tag, err,
                             "A message waiting for the private "
                             "conversation could not be sent.");
        otr_wipe(h->text, strlen(h->text));
        g_free(h->text);
    }
    g_array_unref(s->held);
    s->held = NULL;
}

void
otr_session_start_ake(OtrSession *s, guint offered, OtrOutbox *out)
{
    guint common = offered & s->versions;
    int version = (common & OTR_V3) ? 3 : (common & OTR_V2) ? 2 : 0;
    GBytes *msg = NULL;
    OtrAke *ake, **slot;
    OtrError err;

    if (version == 0) {
        otr_session_log(s, out, "no common OTR version; not starting");
        return;
    }
    if (version == 3) {
        slot = &s->master_ake;
    } else {
        OtrInstance *in = otr_instance_get(s, OTR_INSTAG_V2);

        if (!in)
            return;
        slot = &in->ake;
    }
    ake = otr_session_ake_get(s, slot);
    err = otr_ake_start(ake, &s->host, version, 0, &msg);
    if (err != OTR_OK) {
        otr_session_ake_compact(slot);
        otr_session_log(s, out, "could not start the AKE: %s",
                        otr_error_str(err));
        return;
    }
    if (version == 3)
        s->master_commit_time = now(s);
    otr_session_queue_encoded(s, OTR_INSTAG_V2, version, 0, msg, out);
    g_bytes_unref(msg);
}
