/* Offrec tests — the data-message test harness (see data-harness.h).
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "data-harness.h"

#include <string.h>

const char modulus_hex[] = "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD1"
                           "29024E088A67CC74020BBEA63B139B22514A08798E3404DD"
                           "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245"
                           "E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
                           "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3D"
                           "C2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F"
                           "83655D23DCA3AD961C62F356208552BB9ED529077096966D"
                           "670C354E4ABC9804F1746C08CA237327FFFFFFFFFFFFFFFF";

/* ---- Independent key derivation --------------------------------------- */

gcry_mpi_t
mpi_from(const uint8_t *b, size_t n)
{
    gcry_mpi_t m = NULL;

    g_assert_cmpint(gcry_mpi_scan(&m, GCRYMPI_FMT_USG, b, n, NULL), ==, 0);
    return m;
}

void
expected_keys(const OtrDhKeypair *ours,
              const uint8_t *theirs,
              size_t theirs_len,
              Keys *k)
{
    gcry_mpi_t p = NULL, x, y, s, gx;
    uint8_t sec[5 + 192];
    uint8_t dig[32];
    size_t n = 0;
    uint8_t sendbyte;

    g_assert_cmpint(gcry_mpi_scan(&p, GCRYMPI_FMT_HEX, modulus_hex, 0, NULL),
                    ==, 0);
    x = mpi_from(ours->priv, sizeof ours->priv);
    y = mpi_from(theirs, theirs_len);
    gx = mpi_from(ours->pub, ours->publen);
    s = gcry_mpi_new(1536);
    gcry_mpi_powm(s, y, x, p);
    g_assert_cmpint(gcry_mpi_print(GCRYMPI_FMT_USG, sec + 5, 192, &n, s), ==,
                    0);
    sec[1] = (uint8_t)(n >> 24);
    sec[2] = (uint8_t)(n >> 16);
    sec[3] = (uint8_t)(n >> 8);
    sec[4] = (uint8_t)n;
    sendbyte = gcry_mpi_cmp(gx, y) > 0 ? 0x01 : 0x02;

    sec[0] = sendbyte;
    gcry_md_hash_buffer(GCRY_MD_SHA1, dig, sec, 5 + n);
    memcpy(k->send_aes, dig, 16);
    gcry_md_hash_buffer(GCRY_MD_SHA1, k->send_mac, k->send_aes, 16);
    sec[0] = sendbyte ^ 0x03;
    gcry_md_hash_buffer(GCRY_MD_SHA1, dig, sec, 5 + n);
    memcpy(k->recv_aes, dig, 16);
    gcry_md_hash_buffer(GCRY_MD_SHA1, k->recv_mac, k->recv_aes, 16);
    sec[0] = 0xff;
    gcry_md_hash_buffer(GCRY_MD_SHA256, k->extra, sec, 5 + n);

    gcry_mpi_release(p);
    gcry_mpi_release(x);
    gcry_mpi_release(y);
    gcry_mpi_release(gx);
    gcry_mpi_release(s);
}

void
hmac_sha1(const uint8_t key[20], const uint8_t *d, size_t n, uint8_t out[20])
{
    gcry_md_hd_t md;

    g_assert_cmpint(gcry_md_open(&md, GCRY_MD_SHA1, GCRY_MD_FLAG_HMAC), ==, 0);
    g_assert_cmpint(gcry_md_setkey(md, key, 20), ==, 0);
    gcry_md_write(md, d, n);
    memcpy(out, gcry_md_read(md, GCRY_MD_SHA1), 20);
    gcry_md_close(md);
}

void
aes_ctr(const uint8_t key[16], const uint8_t top[8], uint8_t *buf, size_t n)
{
    gcry_cipher_hd_t c;
    uint8_t ctr[16] = { 0 };

    memcpy(ctr, top, 8);
    g_assert_cmpint(gcry_cipher_open(&c, GCRY_CIPHER_AES128,
                                     GCRY_CIPHER_MODE_CTR, 0),
                    ==, 0);
    g_assert_cmpint(gcry_cipher_setkey(c, key, 16), ==, 0);
    g_assert_cmpint(gcry_cipher_setctr(c, ctr, 16), ==, 0);
    if (n > 0)
        g_assert_cmpint(gcry_cipher_encrypt(c, buf, n, NULL, 0), ==, 0);
    gcry_cipher_close(c);
}

/* ---- Independent message parser and builder --------------------------- */

static guint32
be32(const uint8_t *p)
{
    return (guint32)p[0] << 24 | (guint32)p[1] << 16 | (guint32)p[2] << 8 |
           p[3];
}

static void
put32(GByteArray *b, guint32 v)
{
    uint8_t x[4] = { v >> 24, v >> 16, v >> 8, v };

    g_byte_array_append(b, x, 4);
}

void
parse_msg(const uint8_t *m, size_t len, Parsed *pm)
{
    size_t o;

    memset(pm, 0, sizeof *pm);
    pm->m = m;
    pm->len = len;
    g_assert_cmpuint(len, >=, 3);
    pm->hdr.version = (guint16)(m[0] << 8 | m[1]);
    pm->hdr.type = m[2];
    g_assert_cmpuint(pm->hdr.type, ==, 0x03);
    o = 3;
    if (pm->hdr.version == 3) {
        g_assert_cmpuint(len, >=, 11);
        pm->hdr.sender_instag = be32(m + 3);
        pm->hdr.receiver_instag = be32(m + 7);
        o = 11;
    }
    pm->hdr_len = o;
    g_assert_cmpuint(len, >=, o + 13);
    pm->flags = m[o];
    pm->sender = be32(m + o + 1);
    pm->recipient = be32(m + o + 5);
    pm->next_len = be32(m + o + 9);
    pm->off_next = o + 13;
    o = pm->off_next + pm->next_len;
    g_assert_cmpuint(len, >=, o + 12);
    pm->off_ctr = o;
    pm->ct_len = be32(m + o + 8);
    pm->off_ct = o + 12;
    o = pm->off_ct + pm->ct_len;
    g_assert_cmpuint(len, >=, o + 24);
    pm->off_mac = o;
    pm->reveal_len = be32(m + o + 20);
    pm->off_reveal = o + 24;
    g_assert_cmpuint(len, ==, pm->off_reveal + pm->reveal_len);
}

GBytes *
build_msg(const Fields *f, const Keys *k)
{
    GByteArray *b = g_byte_array_new();
    uint8_t ver[3] = { 0, (uint8_t)f->version, 0x03 };
    uint8_t mac[20];
    size_t ct;

    g_byte_array_append(b, ver, 3);
    if (f->version == 3) {
        put32(b, f->s_instag);
        put32(b, f->r_instag);
    }
    g_byte_array_append(b, &f->flags, 1);
    put32(b, f->sender);
    put32(b, f->recipient);
    put32(b, (guint32)f->next_len);
    g_byte_array_append(b, f->next, (guint)f->next_len);
    g_byte_array_append(b, f->ctr, 8);
    put32(b, (guint32)f->plain_len);
    ct = b->len;
    g_byte_array_append(b, f->plain, (guint)f->plain_len);
    aes_ctr(k->send_aes, f->ctr, b->data + ct, f->plain_len);
    hmac_sha1(k->send_mac, b->data, b->len, mac);
    g_byte_array_append(b, mac, 20);
    put32(b, (guint32)f->reveal_len);
    g_byte_array_append(b, f->reveal, (guint)f->reveal_len);
    return g_byte_array_free_to_bytes(b);
}

/* ---- State snapshots -------------------------------------------------- */

void
snap_take(OtrDataKeys *dst, const OtrDataKeys *src)
{
    *dst = *src;
    /* Each pairing owns its prepared keys: copy them too. */
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 2; j++)
            otr_sesskeys_copy(&dst->sess[i][j], &src->sess[i][j]);
    dst->old_macs = g_byte_array_new();
    g_byte_array_append(dst->old_macs, src->old_macs->data, src->old_macs->len);
}

/* Everything that matters is equal; a pairing not derived before may have
 * been derived (and cached) since, but must be untouched. */
void
assert_same_state(const OtrDataKeys *b, const OtrDataKeys *a)
{
    static const uint8_t zero[8];

    g_assert_cmpint(a->version, ==, b->version);
    g_assert_cmpuint(a->our_instag, ==, b->our_instag);
    g_assert_cmpuint(a->their_instag, ==, b->their_instag);
    g_assert_cmpuint(a->our_keyid, ==, b->our_keyid);
    g_assert_cmpuint(a->their_keyid, ==, b->their_keyid);
    for (int i = 0; i < 2; i++) {
        g_assert_cmpint(a->have_our[i], ==, b->have_our[i]);
        if (b->have_our[i])
            g_assert_true(
                memcmp(&a->our_dh[i], &b->our_dh[i], sizeof a->our_dh[i]) == 0);
        g_assert_cmpuint(a->their_ylen[i], ==, b->their_ylen[i]);
        g_assert_true(
            memcmp(a->their_y[i], b->their_y[i], sizeof a->their_y[i]) == 0);
        for (int j = 0; j < 2; j++) {
            const OtrSessKeys *x = &a->sess[i][j], *y = &b->sess[i][j];

            if (y->valid) {
                OtrSessKeys xv = *x, yv = *y;

                /* Every byte equal, the prepared keys by content. */
                g_assert_nonnull(x->sched);
                g_assert_nonnull(y->sched);
                g_assert_true(memcmp(x->sched, y->sched, sizeof *x->sched) ==
                              0);
                xv.sched = yv.sched = NULL;
                g_assert_true(memcmp(&xv, &yv, sizeof xv) == 0);
            } else if (x->valid) {
                g_assert_false(x->recv_mac_used);
                g_assert_true(memcmp(x->send_ctr, zero, 8) == 0);
                g_assert_true(memcmp(x->recv_ctr, zero, 8) == 0);
            }
        }
    }
    g_assert_cmpmem(a->old_macs->data, a->old_macs->len, b->old_macs->data,
                    b->old_macs->len);
}

/* ---- The model: keyids, counters and MAC keys to reveal --------------- */

static void
model_init(Model *m, const OtrDhKeypair *ake_key)
{
    m->our_keyid = 2;
    m->their_keyid = 1;
    m->their_old = FALSE;
    m->used = g_array_new(FALSE, FALSE, sizeof(Used));
    m->pending = g_byte_array_new();
    m->last_recv =
        g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    m->last_sent =
        g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    m->pubs = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
    g_ptr_array_add(m->pubs, NULL); /* no keyid 0 */
    g_ptr_array_add(m->pubs, g_bytes_new(ake_key->pub, ake_key->publen));
}

static void
model_clear(Model *m)
{
    g_array_unref(m->used);
    g_byte_array_unref(m->pending);
    g_hash_table_unref(m->last_recv);
    g_hash_table_unref(m->last_sent);
    g_ptr_array_unref(m->pubs);
}

guint64
ctr_get(GHashTable *t, guint32 a, guint32 b)
{
    g_autofree char *key = g_strdup_printf("%u %u", a, b);
    guint64 *v = g_hash_table_lookup(t, key);

    return v ? *v : 0;
}

void
ctr_set(GHashTable *t, guint32 a, guint32 b, guint64 c)
{
    g_hash_table_insert(t, g_strdup_printf("%u %u", a, b),
                        g_memdup2(&c, sizeof c));
}

/* Move the used MAC key of pairing (ourid, theirid), if any, to pending. */
static void
model_reveal(Model *m, guint32 ourid, guint32 theirid)
{
    for (guint i = 0; i < m->used->len; i++) {
        Used *u = &g_array_index(m->used, Used, i);

        if (u->ourid == ourid && u->theirid == theirid) {
            g_byte_array_append(m->pending, u->mac, 20);
            g_array_remove_index(m->used, i);
            return;
        }
    }
}

static OtrError
model_receive(Model *m, guint32 s, guint32 r, guint64 ctr, const uint8_t *mac)
{
    gboolean mine = r != 0 && (r == m->our_keyid || r == m->our_keyid - 1);
    gboolean theirs = s != 0 && (s == m->their_keyid ||
                                 (s == m->their_keyid - 1 && m->their_old));
    gboolean seen = FALSE;

    if (!mine || !theirs)
        return OTR_ERR_UNREADABLE;
    if (ctr <= ctr_get(m->last_recv, r, s))
        return OTR_ERR_REPLAY;
    ctr_set(m->last_recv, r, s, ctr);
    for (guint i = 0; i < m->used->len; i++) {
        Used *u = &g_array_index(m->used, Used, i);

        if (u->ourid == r && u->theirid == s) {
            g_assert_cmpmem(u->mac, 20, mac, 20);
            seen = TRUE;
        }
    }
    if (!seen) {
        Used u = { r, s, { 0 } };

        memcpy(u.mac, mac, 20);
        g_array_append_val(m->used, u);
    }
    if (r == m->our_keyid) {
        model_reveal(m, m->our_keyid - 1, m->their_keyid);
        model_reveal(m, m->our_keyid - 1, m->their_keyid - 1);
        m->our_keyid++;
    }
    if (s == m->their_keyid) {
        model_reveal(m, m->our_keyid, m->their_keyid - 1);
        model_reveal(m, m->our_keyid - 1, m->their_keyid - 1);
        m->their_keyid++;
        m->their_old = TRUE;
    }
    return OTR_OK;
}

/* ---- Alice and Bob ---------------------------------------------------- */

void
sent_free(gpointer p)
{
    Sent *s = p;

    g_bytes_unref(s->msg);
    g_bytes_unref(s->plain);
    g_free(s);
}

void
pair_setup(Pair *p, gconstpointer data)
{
    OtrAkeResult ra = { 0 }, rb = { 0 };

    memset(p, 0, sizeof *p);
    p->version = GPOINTER_TO_INT(data);
    test_host_init(&p->th, 0xda7a0000u + (guint32)p->version);
    p->h.ops = &test_host_ops;
    p->h.user = &p->th;
    g_assert_cmpint(otr_dh_keypair_gen(&p->h, &p->ka), ==, OTR_OK);
    g_assert_cmpint(otr_dh_keypair_gen(&p->h, &p->kb), ==, OTR_OK);

    ra.version = rb.version = p->version;
    ra.their_instag = p->version == 3 ? INSTAG_B : 0;
    rb.their_instag = p->version == 3 ? INSTAG_A : 0;
    ra.our_dh = p->ka;
    rb.our_dh = p->kb;
    ra.our_keyid = rb.our_keyid = 1;
    ra.their_keyid = rb.their_keyid = 1;
    memcpy(ra.their_dh, p->kb.pub, p->kb.publen);
    ra.their_dhlen = p->kb.publen;
    memcpy(rb.their_dh, p->ka.pub, p->ka.publen);
    rb.their_dhlen = p->ka.publen;

    g_assert_cmpint(otr_data_init(&p->dk[0], &p->h, &ra), ==, OTR_OK);
    g_assert_cmpint(otr_data_init(&p->dk[1], &p->h, &rb), ==, OTR_OK);
    if (p->version == 3) {
        p->dk[0].our_instag = INSTAG_A;
        p->dk[1].our_instag = INSTAG_B;
    }
    otr_wipe(&ra, sizeof ra);
    otr_wipe(&rb, sizeof rb);
    model_init(&p->model[0], &p->ka);
    model_init(&p->model[1], &p->kb);
    g_queue_init(&p->queue[0]);
    g_queue_init(&p->queue[1]);
}

void
pair_teardown(Pair *p, gconstpointer data)
{
    for (int i = 0; i < 2; i++) {
        otr_data_clear(&p->dk[i]);
        model_clear(&p->model[i]);
        g_queue_clear_full(&p->queue[i], sent_free);
    }
    otr_dh_keypair_clear(&p->ka);
    otr_dh_keypair_clear(&p->kb);
    test_host_clear(&p->th);
}

guint64
ctr64(const uint8_t *c)
{
    return (guint64)be32(c) << 32 | be32(c + 4);
}

static void
check_model_state(Pair *p, int i)
{
    g_assert_cmpuint(p->dk[i].our_keyid, ==, p->model[i].our_keyid);
    g_assert_cmpuint(p->dk[i].their_keyid, ==, p->model[i].their_keyid);
    g_assert_cmpint(p->dk[i].their_ylen[1] > 0, ==, p->model[i].their_old);
}

/* Side i sends plain: check the message against the model and against an
 * independent derivation, and queue it. */
Sent *
pair_send(Pair *p, int i, const uint8_t *plain, size_t len, uint8_t flags)
{
    OtrDataKeys *dk = &p->dk[i];
    Model *m = &p->model[i];
    Model *other = &p->model[!i];
    Sent *s = g_new0(Sent, 1);
    uint8_t extra[32];
    const uint8_t *d;
    GBytes *built;
    Fields f = { 0 };
    Parsed pm;
    Keys k;
    size_t n;
    guint64 last;

    g_assert_cmpint(otr_data_encrypt(dk, &p->h, flags, plain, len, &s->msg,
                                     extra),
                    ==, OTR_OK);
    p->sent++;
    g_assert_true(dk->have_our[0]);
    d = g_bytes_get_data(s->msg, &n);
    parse_msg(d, n, &pm);
    g_assert_cmpint(pm.hdr.version, ==, p->version);
    if (p->version == 3) {
        g_assert_cmpuint(pm.hdr.sender_instag, ==, i ? INSTAG_B : INSTAG_A);
        g_assert_cmpuint(pm.hdr.receiver_instag, ==, i ? INSTAG_A : INSTAG_B);
    }
    g_assert_cmpuint(pm.flags, ==, flags);
    g_assert_cmpuint(pm.sender, ==, m->our_keyid - 1);
    g_assert_cmpuint(pm.recipient, ==, m->their_keyid);
    g_assert_cmpuint(pm.ct_len, ==, len);

    /* next_dh is our newest key; the announcement never changes. */
    g_assert_cmpmem(d + pm.off_next, pm.next_len, dk->our_dh[0].pub,
                    dk->our_dh[0].publen);
    g_assert_cmpuint(m->pubs->len, >=, pm.sender + 1);
    if (m->pubs->len == pm.sender + 1) {
        g_ptr_array_add(m->pubs, g_bytes_new(d + pm.off_next, pm.next_len));
    } else {
        gsize pl;
        const uint8_t *pd =
            g_bytes_get_data(m->pubs->pdata[pm.sender + 1], &pl);
        g_assert_cmpmem(d + pm.off_next, pm.next_len, pd, pl);
    }

    /* Counter: one more than the last on this pairing. */
    s->ctr = ctr64(d + pm.off_ctr);
    last = ctr_get(m->last_sent, pm.sender, pm.recipient);
    g_assert_cmpuint(s->ctr, ==, last + 1);
    ctr_set(m->last_sent, pm.sender, pm.recipient, s->ctr);

    /* Revealed MAC keys: exactly what the model says, then none. */
    g_assert_cmpmem(d + pm.off_reveal, pm.reveal_len, m->pending->data,
                    m->pending->len);
    g_byte_array_set_size(m->pending, 0);
    g_assert_cmpuint(dk->old_macs->len, ==, 0);

    /* Keys: our key (sender) with their key (recipient), from scratch. */
    {
        gsize tl;
        const uint8_t *td;

        g_assert_cmpuint(other->pubs->len, >, pm.recipient);
        td = g_bytes_get_data(other->pubs->pdata[pm.recipient], &tl);
        g_assert_cmpmem(dk->our_dh[1].pub, dk->our_dh[1].publen,
                        g_bytes_get_data(m->pubs->pdata[pm.sender], NULL),
                        g_bytes_get_size(m->pubs->pdata[pm.sender]));
        expected_keys(&dk->our_dh[1], td, tl, &k);
    }
    g_assert_cmpmem(extra, 32, k.extra, 32);
    memcpy(s->mac, k.send_mac, 20);
    memcpy(s->extra, k.extra, 32);

    /* The whole message equals one built here from the same fields. */
    f.version = p->version;
    f.s_instag = pm.hdr.sender_instag;
    f.r_instag = pm.hdr.receiver_instag;
    f.flags = flags;
    f.sender = pm.sender;
    f.recipient = pm.recipient;
    f.next = d + pm.off_next;
    f.next_len = pm.next_len;
    memcpy(f.ctr, d + pm.off_ctr, 8);
    f.plain = plain;
    f.plain_len = len;
    f.reveal = d + pm.off_reveal;
    f.reveal_len = pm.reveal_len;
    built = build_msg(&f, &k);
    g_assert_true(g_bytes_equal(built, s->msg));
    g_bytes_unref(built);

    s->plain = g_bytes_new(plain, len);
    g_queue_push_tail(&p->queue[i], s);
    otr_wipe(&k, sizeof k);
    return s;
}

static OtrError
deliver_raw(Pair *p,
            int to,
            const uint8_t *d,
            size_t n,
            const OtrHeader *hdr,
            size_t hdr_len,
            uint8_t *flags,
            uint8_t **plain,
            size_t *plain_len,
            uint8_t extra[32])
{
    return otr_data_decrypt(&p->dk[to], &p->h, hdr, d + hdr_len, n - hdr_len,
                            flags, plain, plain_len, extra);
}

/* Deliver a message sent by side !to; check the outcome predicted by the
 * model and, on failure, that nothing changed. */
static void
pair_deliver(Pair *p, int to, Sent *s)
{
    OtrDataKeys before;
    const uint8_t *d;
    uint8_t *plain = NULL;
    size_t n, plen = 0;
    uint8_t flags = 0xee, extra[32];
    Parsed pm;
    OtrError want, got;

    d = g_bytes_get_data(s->msg, &n);
    parse_msg(d, n, &pm);
    snap_take(&before, &p->dk[to]);

    /* Before the model moves: check the receiving keys from scratch. */
    want =
        model_receive(&p->model[to], pm.sender, pm.recipient, s->ctr, s->mac);
    if (want == OTR_OK) {
        const OtrDataKeys *dk = &before;
        const OtrDhKeypair *ours = &dk->our_dh[dk->our_keyid - pm.recipient];
        GBytes *tp = p->model[!to].pubs->pdata[pm.sender];
        Keys k;

        expected_keys(ours, g_bytes_get_data(tp, NULL), g_bytes_get_size(tp),
                      &k);
        g_assert_cmpmem(k.recv_mac, 20, s->mac, 20);
        g_assert_cmpmem(k.extra, 32, s->extra, 32);
    }

    got = deliver_raw(p, to, d, n, &pm.hdr, pm.hdr_len, &flags, &plain, &plen,
                      extra);
    g_assert_cmpint(got, ==, want);
    g_assert_cmpuint(flags, ==, pm.flags);
    if (got == OTR_OK) {
        p->delivered++;
        g_assert_cmpmem(plain, plen, g_bytes_get_data(s->plain, NULL),
                        g_bytes_get_size(s->plain));
        g_assert_cmpuint(plain[plen], ==, 0);
        g_assert_cmpmem(extra, 32, s->extra, 32);
        otr_wipe(plain, plen);
        g_free(plain);
    } else {
        p->refused++;
        assert_same_state(&before, &p->dk[to]);
    }
    otr_data_clear(&before);
    check_model_state(p, to);
}

static void
random_plain(Pair *p, uint8_t *buf, size_t *len)
{
    *len = (size_t)g_rand_int_range(p->th.rand, 0, 200);
    for (size_t i = 0; i < *len; i++)
        buf[i] = (uint8_t)g_rand_int_range(p->th.rand, 0, 256);
    if (*len > 3 && g_rand_boolean(p->th.rand))
        buf[*len / 2] = 0; /* message NUL TLVs */
}

/* Ops: 'a'/'b' Alice/Bob sends; 'A'/'B' deliver the oldest message in
 * flight from Alice/Bob; 'x'/'y' deliver the newest (out of order);
 * 'r'/'s' deliver the last delivered message of Alice/Bob again. */
void
run_ops(Pair *p, const char *ops)
{
    uint8_t buf[256];
    size_t len;
    Sent *last[2] = { NULL, NULL };

    for (const char *o = ops; *o; o++) {
        int side;
        Sent *s;

        switch (*o) {
        case 'a':
        case 'b':
            random_plain(p, buf, &len);
            pair_send(p, *o == 'b', buf, len,
                      g_rand_boolean(p->th.rand) ? 0
                                                 : OTR_FLAG_IGNORE_UNREADABLE);
            break;
        case 'A':
        case 'B':
        case 'x':
        case 'y':
            side = (*o == 'B' || *o == 'y');
            s = (*o == 'A' || *o == 'B') ? g_queue_pop_head(&p->queue[side])
                                         : g_queue_pop_tail(&p->queue[side]);
            if (!s)
                break;
            pair_deliver(p, !side, s);
            if (last[side])
                sent_free(last[side]);
            last[side] = s;
            break;
        case 'r':
        case 's':
            side = *o == 's';
            if (last[side])
                pair_deliver(p, !side, last[side]);
            break;
        default:
            g_assert_not_reached();
        }
        check_model_state(p, 0);
        check_model_state(p, 1);
    }
    for (int i = 0; i < 2; i++)
        if (last[i])
            sent_free(last[i]);
}
