/* Offrec tests — two sessions talking through otr.h, and a decoder for
 * the wire messages as the spec lays them out (for test-spec.c).
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "spec-harness.h"

#include <string.h>

void
rec_clear(gpointer p)
{
    g_free(((Rec *)p)->text);
}

void
side_init(Side *sd,
          guint32 seed,
          const char *me,
          const char *them,
          guint32 tag,
          OtrPolicy policy,
          guint versions,
          int key)
{
    OtrSessionConfig cfg = { me, "xmpp", them, tag, policy, versions, 0 };

    test_host_init(&sd->th, seed);
    sd->s = otr_session_new(&test_host_ops, &sd->th, &cfg);
    g_assert_nonnull(sd->s);
    otr_session_set_privkey(sd->s, test_key(key));
    sd->queue = g_ptr_array_new_with_free_func(g_free);
    sd->sent = g_ptr_array_new_with_free_func(g_free);
    sd->recs = g_array_new(FALSE, TRUE, sizeof(Rec));
    g_array_set_clear_func(sd->recs, rec_clear);
}

void
side_clear(Side *sd)
{
    otr_session_free(sd->s);
    g_ptr_array_unref(sd->queue);
    g_ptr_array_unref(sd->sent);
    g_array_unref(sd->recs);
    test_host_clear(&sd->th);
}

void
duo_init(Duo *d, OtrPolicy pa, OtrPolicy pb, guint versions)
{
    side_init(&d->a, 11, "alice@x", "bob@x", ALICE_TAG, pa, versions, 0);
    side_init(&d->b, 22, "bob@x", "alice@x", BOB_TAG, pb, versions, 1);
}

void
duo_clear(Duo *d)
{
    side_clear(&d->a);
    side_clear(&d->b);
}

void
collect(Side *sd, OtrOutbox *out)
{
    for (guint i = 0; i < otr_outbox_len(out); i++) {
        const OtrEvent *ev = otr_outbox_get(out, i);
        Rec r = { 0 };

        if (ev->type == OTR_EV_WIRE) {
            g_ptr_array_add(sd->queue, g_strdup(ev->text));
            g_ptr_array_add(sd->sent, g_strdup(ev->text));
            continue;
        }
        if (ev->type == OTR_EV_LOG)
            continue;
        r.type = ev->type;
        r.text = g_strdup(ev->text);
        r.priv = ev->is_private;
        r.state = ev->state;
        r.use = ev->use;
        memcpy(r.key, ev->key, sizeof r.key);
        g_array_append_val(sd->recs, r);
    }
    otr_outbox_clear(out);
}

void
recv_wire(Side *sd, const char *wire)
{
    OtrOutbox out;

    otr_outbox_init(&out);
    g_assert_cmpint(otr_session_receive(sd->s, wire, &out), ==, OTR_OK);
    collect(sd, &out);
}

OtrError
send_text(Side *sd, const char *text)
{
    OtrOutbox out;
    OtrError err;

    otr_outbox_init(&out);
    err = otr_session_send(sd->s, text, &out);
    collect(sd, &out);
    return err;
}

void
start(Side *sd)
{
    OtrOutbox out;

    otr_outbox_init(&out);
    otr_session_start(sd->s, &out);
    collect(sd, &out);
}

void
end_session(Side *sd)
{
    OtrOutbox out;

    otr_outbox_init(&out);
    otr_session_end(sd->s, &out);
    collect(sd, &out);
}

/* Move everything queued on from to to. Returns how many. */
guint
deliver(Side *from, Side *to)
{
    guint n = 0;

    while (from->queue->len > 0) {
        char *w = g_ptr_array_steal_index(from->queue, 0);

        recv_wire(to, w);
        g_free(w);
        n++;
    }
    return n;
}

void
pump(Duo *d)
{
    for (int i = 0; i < 100; i++) {
        if (deliver(&d->a, &d->b) + deliver(&d->b, &d->a) == 0)
            return;
    }
    g_assert_not_reached();
}

void
forget(Side *sd)
{
    g_array_set_size(sd->recs, 0);
    g_ptr_array_set_size(sd->sent, 0);
}

void
duo_private(Duo *d)
{
    start(&d->a);
    pump(d);
    g_assert_cmpint(otr_session_msgstate(d->a.s), ==, OTR_MSG_ENCRYPTED);
    g_assert_cmpint(otr_session_msgstate(d->b.s), ==, OTR_MSG_ENCRYPTED);
    forget(&d->a);
    forget(&d->b);
}

guint
count_type(const Side *sd, OtrEventType type)
{
    guint n = 0;

    for (guint i = 0; i < sd->recs->len; i++)
        n += g_array_index(sd->recs, Rec, i).type == type;
    return n;
}

const Rec *
find_display(const Side *sd, const char *text)
{
    for (guint i = 0; i < sd->recs->len; i++) {
        const Rec *r = &g_array_index(sd->recs, Rec, i);

        if (r->type == OTR_EV_DISPLAY && g_strcmp0(r->text, text) == 0)
            return r;
    }
    return NULL;
}

guint
count_sent_prefix(const Side *sd, const char *prefix)
{
    guint n = 0;

    for (guint i = 0; i < sd->sent->len; i++)
        n += g_str_has_prefix(sd->sent->pdata[i], prefix);
    return n;
}

/* ---- Wire decoding (spec "Data types", "Data Message") ------------------ */

void
msg_clear(Msg *m)
{
    g_clear_pointer(&m->next_dh, g_bytes_unref);
    g_clear_pointer(&m->old_macs, g_bytes_unref);
    g_clear_pointer(&m->raw, g_bytes_unref);
}

guint32
be32(const uint8_t *p)
{
    return ((guint32)p[0] << 24) | ((guint32)p[1] << 16) |
           ((guint32)p[2] << 8) | p[3];
}

/* Decode an unfragmented "?OTR:...." message. FALSE if it is not one. */
gboolean
msg_parse(const char *wire, Msg *m)
{
    const char *p = strstr(wire, "?OTR:");
    const char *dot;
    char *b64;
    uint8_t *raw;
    gsize n = 0, pos;
    guint32 len;

    memset(m, 0, sizeof *m);
    if (!p || !(dot = strchr(p, '.')))
        return FALSE;
    b64 = g_strndup(p + 5, (gsize)(dot - p - 5));
    raw = g_base64_decode(b64, &n);
    g_free(b64);
    g_assert_cmpuint(n, >=, 3);
    m->version = (guint16)((raw[0] << 8) | raw[1]);
    m->type = raw[2];
    pos = 3;
    if (m->version == 3) {
        g_assert_cmpuint(n, >=, 11);
        m->sender = be32(raw + 3);
        m->receiver = be32(raw + 7);
        pos = 11;
    }
    if (m->type == 0x03) {
        m->flags = raw[pos++];
        m->skeyid = be32(raw + pos);
        m->rkeyid = be32(raw + pos + 4);
        pos += 8;
        len = be32(raw + pos);
        pos += 4;
        g_assert_cmpuint(pos + len, <=, n);
        m->next_dh = g_bytes_new(raw + pos, len);
        pos += len;
        memcpy(m->ctr, raw + pos, 8);
        pos += 8;
        len = be32(raw + pos);
        pos += 4 + len;
        m->mac_end = pos;
        g_assert_cmpuint(pos + 20 + 4, <=, n);
        memcpy(m->mac, raw + pos, 20);
        pos += 20;
        len = be32(raw + pos);
        pos += 4;
        g_assert_cmpuint(pos + len, ==, n);
        m->old_macs = g_bytes_new(raw + pos, len);
    }
    m->raw = g_bytes_new_take(raw, n);
    return TRUE;
}

/* Re-encode raw bytes as "?OTR:....". */
char *
msg_encode(const uint8_t *raw, gsize n)
{
    char *b64 = g_base64_encode(raw, n);
    char *wire = g_strdup_printf("?OTR:%s.", b64);

    g_free(b64);
    return wire;
}

/* HMAC-SHA1 of a data message under key equals its MAC. */
gboolean
mac_verifies(const Msg *m, const uint8_t key[20])
{
    GHmac *h = g_hmac_new(G_CHECKSUM_SHA1, key, 20);
    uint8_t digest[20];
    gsize dlen = sizeof digest;

    g_hmac_update(h, g_bytes_get_data(m->raw, NULL), (gssize)m->mac_end);
    g_hmac_get_digest(h, digest, &dlen);
    g_hmac_unref(h);
    return memcmp(digest, m->mac, 20) == 0;
}
