/* Offrec tests — the authenticated key exchange (core/ake.c).
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <string.h>

#include "ake-private.h"
#include "testutil.h"

#define TAG_X 0x1000u /* the subject; spec role varies per test */
#define TAG_Y 0x2000u

enum { ST_NONE, ST_DHKEY, ST_REVEALSIG, ST_SIG, N_ST };
enum { MSG_COMMIT, MSG_KEY, MSG_REVEAL, MSG_SIG, N_MSG };

static const OtrAkeState st_enum[N_ST] = {
    OTR_AKE_NONE,
    OTR_AKE_AWAITING_DHKEY,
    OTR_AKE_AWAITING_REVEALSIG,
    OTR_AKE_AWAITING_SIG,
};

typedef struct {
    TestHost th;
    OtrHost h;
} Host;

static Host *
host_new(guint32 seed)
{
    Host *hs = g_new0(Host, 1);

    test_host_init(&hs->th, seed);
    hs->h.ops = &test_host_ops;
    hs->h.user = &hs->th;
    return hs;
}

static void
host_free(Host *hs)
{
    test_host_clear(&hs->th);
    g_free(hs);
}

static void
split(GBytes *msg, OtrHeader *hdr, const uint8_t **body, size_t *len)
{
    gsize n;
    const uint8_t *p = g_bytes_get_data(msg, &n);
    OtrReader rd;

    otr_reader_init(&rd, p, n);
    otr_header_read(&rd, hdr);
    g_assert_true(otr_reader_ok(&rd));
    *body = p + rd.pos;
    *len = n - rd.pos;
}

static uint8_t
type_of(GBytes *msg)
{
    OtrHeader hdr;
    const uint8_t *body;
    size_t len;

    split(msg, &hdr, &body, &len);
    return hdr.type;
}

static OtrError
deliver(OtrAke *ake,
        Host *hs,
        const OtrPrivKey *key,
        GBytes *msg,
        GBytes **reply,
        OtrAkeResult **done)
{
    OtrHeader hdr;
    const uint8_t *body;
    size_t len;

    split(msg, &hdr, &body, &len);
    return otr_ake_receive(ake, &hs->h, key, &hdr, body, len, reply, done);
}

/* Delivers and requires "ignored/refused": no reply, no result. */
static OtrError
deliver_no_effect(OtrAke *ake,
                  Host *hs,
                  const OtrHeader *hdr,
                  const uint8_t *body,
                  size_t len)
{
    GBytes *reply = NULL;
    OtrAkeResult *done = NULL;
    OtrError err;

    err = otr_ake_receive(ake, &hs->h, test_key(0), hdr, body, len, &reply,
                          &done);
    g_assert_null(reply);
    g_assert_null(done);
    return err;
}

static gboolean
bytes_eq(GBytes *a, GBytes *b)
{
    return g_bytes_equal(a, b);
}

/* ---- A recorded pair of exchanges ---------------------------------------
 * Exchange 1: X commits, Y answers. Exchange 2: Y commits, X answers.
 * Snapshots of X in every state, and Y's messages of every type, let
 * each test replay any cell of the spec's state table. */

typedef struct {
    int version;
    Host *hx, *hy;
    OtrAke *x[N_ST];       /* X in each state (copied before use) */
    OtrAke *y_reveal1;     /* Y awaiting X's Reveal Signature (exch. 1) */
    OtrAke *y_commit2;     /* Y after sending its commit (exch. 2) */
    GBytes *from_y[N_MSG]; /* cy, ky, ry, sy */
    GBytes *cx, *kx, *rx;  /* X's messages */
    OtrAkeResult *res_x1, *res_x2; /* X's results of exchange 1 and 2 */
} Script;

static OtrAkeResult *
step(OtrAke *ake, Host *hs, const OtrPrivKey *key, GBytes *in, GBytes **out)
{
    OtrAkeResult *done = NULL;
    GBytes *reply = NULL;

    g_assert_cmpint(deliver(ake, hs, key, in, &reply, &done), ==, OTR_OK);
    if (out)
        *out = reply;
    else
        g_assert_null(reply);
    return done;
}

static Script *
script_get(int version)
{
    static Script *cache[4];
    const OtrPrivKey *kx = test_key(0), *ky = test_key(1);
    OtrAke *x, *y;
    OtrAkeResult *res;
    GBytes *sx;
    Script *sc;

    if (cache[version])
        return cache[version];
    sc = g_new0(Script, 1);
    sc->version = version;
    sc->hx = host_new(100 + (guint32)version);
    sc->hy = host_new(200 + (guint32)version);

    x = otr_ake_new(TAG_X);
    y = otr_ake_new(TAG_Y);
    sc->x[ST_NONE] = otr_ake_copy(x);
    g_assert_cmpint(otr_ake_start(x, &sc->hx->h, version, 0, &sc->cx), ==,
                    OTR_OK);
    sc->x[ST_DHKEY] = otr_ake_copy(x);
    g_assert_null(step(y, sc->hy, ky, sc->cx, &sc->from_y[MSG_KEY]));
    sc->y_reveal1 = otr_ake_copy(y);
    g_assert_null(step(x, sc->hx, kx, sc->from_y[MSG_KEY], &sc->rx));
    sc->x[ST_SIG] = otr_ake_copy(x);
    res = step(y, sc->hy, ky, sc->rx, &sc->from_y[MSG_SIG]);
    g_assert_nonnull(res);
    otr_ake_result_free(res);
    sc->res_x1 = step(x, sc->hx, kx, sc->from_y[MSG_SIG], NULL);
    g_assert_nonnull(sc->res_x1);
    otr_ake_free(x);
    otr_ake_free(y);

    x = otr_ake_new(TAG_X);
    y = otr_ake_new(TAG_Y);
    g_assert_cmpint(otr_ake_start(y, &sc->hy->h, version, 0,
                                  &sc->from_y[MSG_COMMIT]),
                    ==, OTR_OK);
    sc->y_commit2 = otr_ake_copy(y);
    g_assert_null(step(x, sc->hx, kx, sc->from_y[MSG_COMMIT], &sc->kx));
    sc->x[ST_REVEALSIG] = otr_ake_copy(x);
    g_assert_null(step(y, sc->hy, ky, sc->kx, &sc->from_y[MSG_REVEAL]));
    sc->res_x2 = step(x, sc->hx, kx, sc->from_y[MSG_REVEAL], &sx);
    g_assert_nonnull(sc->res_x2);
    res = step(y, sc->hy, ky, sx, NULL);
    g_assert_nonnull(res);
    g_assert_cmpmem(res->ssid, 8, sc->res_x2->ssid, 8);
    otr_ake_result_free(res);
    g_bytes_unref(sx);
    otr_ake_free(x);
    otr_ake_free(y);
    cache[version] = sc;
    return sc;
}

/* The snapshot of X in state st can still finish its own exchange: proof
 * that a refused or ignored message left it as it was. */
static void
check_continues(Script *sc, OtrAke *x, int st)
{
    OtrAkeResult *res = NULL;
    GBytes *out = NULL;

    g_assert_cmpint(otr_ake_state(x), ==, st_enum[st]);
    switch (st) {
    case ST_NONE:
        g_assert_null(
            step(x, sc->hx, test_key(0), sc->from_y[MSG_COMMIT], &out));
        g_assert_cmpint(type_of(out), ==, OTR_TYPE_DH_KEY);
        break;
    case ST_DHKEY: {
        OtrAke *y = otr_ake_copy(sc->y_reveal1);
        GBytes *rev;

        g_assert_null(step(x, sc->hx, test_key(0), sc->from_y[MSG_KEY], &out));
        rev = out;
        res = step(y, sc->hy, test_key(1), rev, &out);
        g_bytes_unref(rev);
        g_assert_cmpint(type_of(out), ==, OTR_TYPE_SIGNATURE);
        g_assert_nonnull(res);
        g_assert_cmpmem(res->ssid, 8, sc->res_x1->ssid, 8);
        otr_ake_free(y);
        break;
    }
    case ST_REVEALSIG:
        res = step(x, sc->hx, test_key(0), sc->from_y[MSG_REVEAL], &out);
        g_assert_nonnull(res);
        g_assert_cmpmem(res->ssid, 8, sc->res_x2->ssid, 8);
        break;
    case ST_SIG:
        res = step(x, sc->hx, test_key(0), sc->from_y[MSG_SIG], NULL);
        g_assert_nonnull(res);
        g_assert_cmpmem(res->ssid, 8, sc->res_x1->ssid, 8);
        break;
    default:
        g_assert_not_reached();
    }
    otr_ake_result_free(res);
    if (out)
        g_bytes_unref(out);
}

/* ---- Spec computations done independently of ake.c ---------------------- */

typedef struct {
    uint8_t ssid[8], c[16], cp[16], m1[32], m2[32], m1p[32], m2p[32];
} SpecKeys;

static void
spec_keys(const OtrDhKeypair *ours,
          const uint8_t *theirs,
          size_t n,
          SpecKeys *k)
{
    uint8_t s[OTR_DH_PUB_MAX], buf[5 + OTR_DH_PUB_MAX], h[32];
    uint8_t *dst[] = { k->ssid, k->c, k->m1, k->m2, k->m1p, k->m2p };
    size_t slen = 0;

    g_assert_cmpint(otr_dh_shared(ours, theirs, n, s, &slen), ==, OTR_OK);
    buf[1] = (uint8_t)(slen >> 24);
    buf[2] = (uint8_t)(slen >> 16);
    buf[3] = (uint8_t)(slen >> 8);
    buf[4] = (uint8_t)slen;
    memcpy(buf + 5, s, slen);
    for (int b = 0; b < 6; b++) {
        buf[0] = (uint8_t)b;
        otr_sha256(buf, 5 + slen, h);
        memcpy(dst[b], h, b == 0 ? 8 : b == 1 ? 16 : 32);
        if (b == 1)
            memcpy(k->cp, h + 16, 16);
    }
}

static void
put_mpi(GByteArray *a, const uint8_t *n, size_t len)
{
    uint8_t l[4] = { (uint8_t)(len >> 24), (uint8_t)(len >> 16),
                     (uint8_t)(len >> 8), (uint8_t)len };

    g_byte_array_append(a, l, 4);
    g_byte_array_append(a, n, (guint)len);
}

/* M = HMAC-SHA256_key(MPI(first) || MPI(second) || pubkey || keyid). */
static void
spec_m(const uint8_t key[32],
       const uint8_t *first,
       size_t flen,
       const uint8_t *second,
       size_t slen,
       const uint8_t *pub,
       size_t publen,
       guint32 keyid,
       uint8_t out[32])
{
    GByteArray *a = g_byte_array_new();
    uint8_t id[4] = { (uint8_t)(keyid >> 24), (uint8_t)(keyid >> 16),
                      (uint8_t)(keyid >> 8), (uint8_t)keyid };

    put_mpi(a, first, flen);
    put_mpi(a, second, slen);
    g_byte_array_append(a, pub, (guint)publen);
    g_byte_array_append(a, id, 4);
    otr_hmac_sha256(key, 32, a->data, a->len, out);
    g_byte_array_unref(a);
}

static void
spec_mac160(const uint8_t key[32], const uint8_t *d, size_t n, uint8_t out[20])
{
    uint8_t full[32];

    otr_hmac_sha256(key, 32, d, n, full);
    memcpy(out, full, 20);
}

/* Opens an encrypted X (DATA incl. length, MAC) with the given keys and
 * checks it is key's PUBKEY, keyid, and a signature over M. */
static void
spec_check_x(const uint8_t *data,
             size_t dlen,
             const uint8_t *mac,
             const SpecKeys *k,
             gboolean prime,
             const uint8_t *first,
             size_t flen,
             const uint8_t *second,
             size_t slen,
             const OtrPrivKey *key)
{
    static const uint8_t zero[16];
    uint8_t tag[20], m[32];
    size_t publen = 0, used = 0;
    const uint8_t *pub = otr_privkey_pubkey(key, &publen);
    uint8_t *x = g_malloc(dlen);
    OtrError err = OTR_OK;
    OtrPubKey *pk;

    spec_mac160(prime ? k->m2p : k->m2, data, dlen, tag);
    g_assert_cmpmem(tag, 20, mac, 20);
    otr_aes128_ctr(prime ? k->cp : k->c, zero, data + 4, x, dlen - 4);
    g_assert_cmpuint(dlen - 4, ==, publen + 4 + 40);
    g_assert_cmpmem(x, publen, pub, publen);
    g_assert_cmpmem(x + publen, 4, "\0\0\0\1", 4); /* keyid 1 */
    pk = otr_pubkey_parse(x, dlen - 4, &used, &err);
    g_assert_nonnull(pk);
    g_assert_cmpuint(used, ==, publen);
    spec_m(prime ? k->m1p : k->m1, first, flen, second, slen, pub, publen, 1,
           m);
    g_assert_true(otr_pubkey_verify(pk, m, 32, x + publen + 4));
    otr_pubkey_free(pk);
    g_free(x);
}

/* ---- Full exchanges ------------------------------------------------------ */

static void
test_full(gconstpointer data)
{
    int version = GPOINTER_TO_INT(data);
    Script *sc = script_get(version);
    OtrAkeResult *rx = sc->res_x1, *ry;
    OtrAke *y = otr_ake_copy(sc->y_reveal1);
    uint8_t fpr_x[20], fpr_y[20];
    OtrHeader hdr;
    const uint8_t *body, *encgx, *hashgx, *r, *enc, *mac;
    size_t len, n1, n2, nr, nenc;
    uint8_t gxmpi[4 + OTR_DH_PUB_MAX], hash[32];
    static const uint8_t zero[16];
    OtrReader rd;
    SpecKeys k;
    GBytes *sy;
    int i;

    /* Y finishes exchange 1 again from its snapshot. */
    ry = step(y, sc->hy, test_key(1), sc->rx, &sy);
    g_assert_nonnull(ry);
    g_assert_cmpint(otr_ake_state(y), ==, OTR_AKE_NONE);
    otr_privkey_fingerprint(test_key(0), fpr_x);
    otr_privkey_fingerprint(test_key(1), fpr_y);
    g_assert_cmpint(rx->version, ==, version);
    g_assert_cmpint(ry->version, ==, version);
    g_assert_cmpmem(rx->ssid, 8, ry->ssid, 8);
    g_assert_cmpmem(rx->their_fpr, 20, fpr_y, 20);
    g_assert_cmpmem(ry->their_fpr, 20, fpr_x, 20);
    g_assert_cmpmem(rx->their_dh, rx->their_dhlen, ry->our_dh.pub,
                    ry->our_dh.publen);
    g_assert_cmpmem(ry->their_dh, ry->their_dhlen, rx->our_dh.pub,
                    rx->our_dh.publen);
    g_assert_cmpuint(rx->our_keyid, ==, 1);
    g_assert_cmpuint(rx->their_keyid, ==, 1);
    g_assert_cmpuint(ry->their_keyid, ==, 1);
    g_assert_true(rx->ssid_high_half);  /* X sent the Reveal Signature */
    g_assert_false(ry->ssid_high_half); /* Y sent the Signature */
    g_assert_cmpuint(rx->their_instag, ==, version == 3 ? TAG_Y : 0);
    g_assert_cmpuint(ry->their_instag, ==, version == 3 ? TAG_X : 0);
    g_assert_nonnull(rx->their_pub);

    /* Headers: the commit goes to "anyone", the rest to the peer. */
    split(sc->cx, &hdr, &body, &len);
    g_assert_cmpint(hdr.version, ==, version);
    g_assert_cmpuint(hdr.sender_instag, ==, version == 3 ? TAG_X : 0);
    g_assert_cmpuint(hdr.receiver_instag, ==, 0);
    split(sc->from_y[MSG_KEY], &hdr, &body, &len);
    g_assert_cmpint(hdr.type, ==, OTR_TYPE_DH_KEY);
    g_assert_cmpuint(hdr.receiver_instag, ==, version == 3 ? TAG_X : 0);
    split(sc->rx, &hdr, &body, &len);
    g_assert_cmpuint(hdr.sender_instag, ==, version == 3 ? TAG_X : 0);
    g_assert_cmpuint(hdr.receiver_instag, ==, version == 3 ? TAG_Y : 0);
    split(sy, &hdr, &body, &len);
    g_assert_cmpint(hdr.type, ==, OTR_TYPE_SIGNATURE);
    g_assert_cmpuint(hdr.receiver_instag, ==, version == 3 ? TAG_X : 0);

    /* The messages, checked against the spec by hand. */
    split(sc->cx, &hdr, &body, &len);
    otr_reader_init(&rd, body, len);
    encgx = otr_read_data(&rd, 1000, &n1);
    hashgx = otr_read_data(&rd, 1000, &n2);
    g_assert_true(otr_reader_done(&rd));
    g_assert_cmpuint(n2, ==, 32);
    split(sc->rx, &hdr, &body, &len);
    otr_reader_init(&rd, body, len);
    r = otr_read_data(&rd, 1000, &nr);
    enc = body + rd.pos;
    otr_read_data(&rd, 4000, &nenc);
    mac = otr_read_bytes(&rd, 20);
    g_assert_true(otr_reader_done(&rd));
    g_assert_cmpuint(nr, ==, 16);
    g_assert_cmpuint(n1, ==, 4 + rx->our_dh.publen);
    otr_aes128_ctr(r, zero, encgx, gxmpi, n1);
    g_assert_cmpmem(gxmpi + 4, n1 - 4, rx->our_dh.pub, rx->our_dh.publen);
    for (i = 0; i < 4; i++)
        g_assert_cmpuint(gxmpi[i], ==, (n1 - 4) >> (24 - 8 * i) & 0xff);
    otr_sha256(gxmpi, n1, hash);
    g_assert_cmpmem(hash, 32, hashgx, 32);

    spec_keys(&rx->our_dh, rx->their_dh, rx->their_dhlen, &k);
    g_assert_cmpmem(k.ssid, 8, rx->ssid, 8);
    spec_check_x(enc, 4 + nenc, mac, &k, FALSE, rx->our_dh.pub,
                 rx->our_dh.publen, rx->their_dh, rx->their_dhlen, test_key(0));
    split(sy, &hdr, &body, &len);
    otr_reader_init(&rd, body, len);
    otr_read_data(&rd, 4000, &nenc);
    mac = otr_read_bytes(&rd, 20);
    g_assert_true(otr_reader_done(&rd));
    spec_check_x(body, 4 + nenc, mac, &k, TRUE, rx->their_dh, rx->their_dhlen,
                 rx->our_dh.pub, rx->our_dh.publen, test_key(1));

    g_bytes_unref(sy);
    otr_ake_result_free(ry);
    otr_ake_free(y);
}

/* ---- The spec's state table: every state x every message -------------- */

static int
hash_cmp(GBytes *commit_a, GBytes *commit_b)
{
    const uint8_t *ba, *bb, *ha, *hb;
    size_t la, lb, n;
    OtrHeader hdr;
    OtrReader rd;

    split(commit_a, &hdr, &ba, &la);
    otr_reader_init(&rd, ba, la);
    otr_read_data(&rd, 1000, &n);
    ha = otr_read_data(&rd, 32, &n);
    split(commit_b, &hdr, &bb, &lb);
    otr_reader_init(&rd, bb, lb);
    otr_read_data(&rd, 1000, &n);
    hb = otr_read_data(&rd, 32, &n);
    return memcmp(ha, hb, 32);
}

static void
test_table(gconstpointer data)
{
    int code = GPOINTER_TO_INT(data);
    int version = code / 100, st = code / 10 % 10, mt = code % 10;
    Script *sc = script_get(version);
    OtrAke *x = otr_ake_copy(sc->x[st]);
    OtrAkeResult *done = NULL;
    GBytes *reply = NULL;
    OtrError err;
    int expect_st = st;
    gboolean act = FALSE;

    err = deliver(x, sc->hx, test_key(0), sc->from_y[mt], &reply, &done);
    g_assert_cmpint(err, ==, OTR_OK);
    switch (mt * 10 + st) {
    case MSG_COMMIT * 10 + ST_DHKEY:
        if (hash_cmp(sc->cx, sc->from_y[MSG_COMMIT]) > 0) {
            g_assert_true(bytes_eq(reply, sc->cx)); /* resend ours */
            act = TRUE;
            break;
        }
        /* theirs wins: answer it */
        G_GNUC_FALLTHROUGH;
    case MSG_COMMIT * 10 + ST_NONE:
    case MSG_COMMIT * 10 + ST_SIG:
        g_assert_nonnull(reply);
        g_assert_cmpint(type_of(reply), ==, OTR_TYPE_DH_KEY);
        g_assert_false(bytes_eq(reply, sc->kx)); /* a fresh g^y */
        expect_st = ST_REVEALSIG;
        act = TRUE;
        break;
    case MSG_COMMIT * 10 + ST_REVEALSIG:
        g_assert_true(bytes_eq(reply, sc->kx)); /* the same D-H Key */
        act = TRUE;
        break;
    case MSG_KEY * 10 + ST_DHKEY: {
        OtrAke *y = otr_ake_copy(sc->y_reveal1);
        OtrAke *x2 = otr_ake_copy(x);
        OtrAkeResult *res, *res2;
        GBytes *sig;

        g_assert_cmpint(type_of(reply), ==, OTR_TYPE_REVEAL_SIG);
        res = step(y, sc->hy, test_key(1), reply, &sig);
        g_assert_nonnull(res); /* a valid Reveal Signature */
        res2 = step(x2, sc->hx, test_key(0), sig, NULL);
        g_assert_nonnull(res2);
        g_assert_cmpmem(res->ssid, 8, res2->ssid, 8);
        otr_ake_result_free(res);
        otr_ake_result_free(res2);
        g_bytes_unref(sig);
        otr_ake_free(x2);
        otr_ake_free(y);
        expect_st = ST_SIG;
        act = TRUE;
        break;
    }
    case MSG_KEY * 10 + ST_SIG:
        g_assert_true(bytes_eq(reply, sc->rx)); /* retransmission */
        act = TRUE;
        break;
    case MSG_REVEAL * 10 + ST_REVEALSIG:
        g_assert_nonnull(done);
        g_assert_cmpint(type_of(reply), ==, OTR_TYPE_SIGNATURE);
        g_assert_cmpmem(done->ssid, 8, sc->res_x2->ssid, 8);
        expect_st = ST_NONE;
        act = TRUE;
        break;
    case MSG_SIG * 10 + ST_SIG:
        g_assert_nonnull(done);
        g_assert_null(reply);
        g_assert_cmpmem(done->ssid, 8, sc->res_x1->ssid, 8);
        expect_st = ST_NONE;
        act = TRUE;
        break;
    default: /* every other cell: ignore */
        break;
    }
    if (!act) {
        g_assert_null(reply);
        g_assert_null(done);
    }
    if (mt != MSG_REVEAL && mt != MSG_SIG)
        g_assert_null(done);
    g_assert_cmpint(otr_ake_state(x), ==, st_enum[expect_st]);
    if (!act || (mt == MSG_KEY && st == ST_SIG))
        check_continues(sc, x, st);
    if (expect_st == ST_REVEALSIG && mt == MSG_COMMIT) {
        /* Our D-H Key lets Y's exchange 2 complete with us. */
        OtrAke *y = otr_ake_copy(sc->y_commit2);
        OtrAkeResult *rx, *ry;
        GBytes *r2, *s2;

        g_assert_cmpint(otr_ake_version(x), ==, version);
        g_assert_null(step(y, sc->hy, test_key(1), reply, &r2));
        rx = step(x, sc->hx, test_key(0), r2, &s2);
        ry = step(y, sc->hy, test_key(1), s2, NULL);
        g_assert_nonnull(rx);
        g_assert_nonnull(ry);
        g_assert_cmpmem(rx->ssid, 8, ry->ssid, 8);
        otr_ake_result_free(rx);
        otr_ake_result_free(ry);
        g_bytes_unref(r2);
        g_bytes_unref(s2);
        otr_ake_free(y);
    }
    if (reply)
        g_bytes_unref(reply);
    otr_ake_result_free(done);
    otr_ake_free(x);
}

/* ---- Crossing commits and network trouble ------------------------------ */

typedef struct {
    OtrAke *ake;
    Host *hs;
    const OtrPrivKey *key;
    GQueue in;
    int n_done;
    OtrAkeResult *res;
} Party;

/* mode 0: A's traffic first, 1: B's first, 2: random interleaving,
 * 3: random and every message duplicated. */
static void
run_crossing(int version, guint32 seed, int mode)
{
    Party p[2] = { { 0 } };
    GRand *rnd = g_rand_new_with_seed(seed);
    GBytes *msg;
    int steps = 0;

    for (int i = 0; i < 2; i++) {
        p[i].ake = otr_ake_new(i ? TAG_Y : TAG_X);
        p[i].hs = host_new(seed * 2 + (guint32)i + 7);
        p[i].key = test_key(i);
        g_queue_init(&p[i].in);
    }
    for (int i = 0; i < 2; i++) {
        g_assert_cmpint(otr_ake_start(p[i].ake, &p[i].hs->h, version, 0, &msg),
                        ==, OTR_OK);
        g_queue_push_tail(&p[!i].in, msg);
        if (mode == 3)
            g_queue_push_tail(&p[!i].in, g_bytes_ref(msg));
    }
    while (!g_queue_is_empty(&p[0].in) || !g_queue_is_empty(&p[1].in)) {
        int to;
        GBytes *reply = NULL;
        OtrAkeResult *done = NULL;

        g_assert_cmpint(++steps, <, 200);
        if (g_queue_is_empty(&p[0].in))
            to = 1;
        else if (g_queue_is_empty(&p[1].in))
            to = 0;
        else if (mode < 2)
            to = mode == 0 ? 1 : 0;
        else
            to = g_rand_boolean(rnd) ? 1 : 0;
        msg = g_queue_pop_head(&p[to].in);
        g_assert_cmpint(deliver(p[to].ake, p[to].hs, p[to].key, msg, &reply,
                                &done),
                        ==, OTR_OK);
        g_bytes_unref(msg);
        if (reply) {
            g_queue_push_tail(&p[!to].in, reply);
            if (mode == 3)
                g_queue_push_tail(&p[!to].in, g_bytes_ref(reply));
        }
        if (done) {
            p[to].n_done++;
            otr_ake_result_free(p[to].res);
            p[to].res = done;
        }
    }
    g_assert_cmpint(p[0].n_done, ==, 1);
    g_assert_cmpint(p[1].n_done, ==, 1);
    g_assert_cmpmem(p[0].res->ssid, 8, p[1].res->ssid, 8);
    g_assert_cmpint(p[0].res->ssid_high_half, !=, p[1].res->ssid_high_half);
    g_assert_cmpmem(p[0].res->their_dh, p[0].res->their_dhlen,
                    p[1].res->our_dh.pub, p[1].res->our_dh.publen);
    for (int i = 0; i < 2; i++) {
        g_assert_cmpint(otr_ake_state(p[i].ake), ==, OTR_AKE_NONE);
        g_assert_cmpint(p[i].res->version, ==, version);
        otr_ake_result_free(p[i].res);
        otr_ake_free(p[i].ake);
        host_free(p[i].hs);
    }
    g_rand_free(rnd);
}

static void
test_crossing(gconstpointer data)
{
    int version = GPOINTER_TO_INT(data);
    int n = g_test_slow() ? 100 : 25;

    for (guint32 seed = 1; seed <= (guint32)n; seed++)
        for (int mode = 0; mode < 4; mode++)
            run_crossing(version, seed, mode);
    g_test_message("%d crossing runs, each exactly one AKE per side", n * 4);
}

/* Commit while AWAITING_REVEALSIG: same D-H Key, but the new commit's
 * values are what the Reveal Signature is checked against. */
static void
test_recommit(gconstpointer data)
{
    int version = GPOINTER_TO_INT(data);
    Script *sc = script_get(version);
    OtrAke *x = otr_ake_copy(sc->x[ST_REVEALSIG]);
    OtrAke *y = otr_ake_new(TAG_Y);
    Host *hy = host_new(4242);
    OtrAkeResult *res, *ry;
    GBytes *c2, *k, *r2, *s;

    g_assert_cmpint(otr_ake_start(y, &hy->h, version, 0, &c2), ==, OTR_OK);
    g_assert_null(step(x, sc->hx, test_key(0), c2, &k));
    g_assert_true(bytes_eq(k, sc->kx));
    g_assert_cmpint(otr_ake_state(x), ==, OTR_AKE_AWAITING_REVEALSIG);
    /* The old exchange's Reveal Signature no longer matches. */
    {
        OtrAke *x2 = otr_ake_copy(x);
        GBytes *reply = NULL;
        OtrAkeResult *done = NULL;

        g_assert_cmpint(deliver(x2, sc->hx, test_key(0), sc->from_y[MSG_REVEAL],
                                &reply, &done),
                        ==, OTR_ERR_BAD_MAC);
        g_assert_null(reply);
        g_assert_null(done);
        otr_ake_free(x2);
    }
    g_assert_null(step(y, hy, test_key(1), k, &r2));
    res = step(x, sc->hx, test_key(0), r2, &s);
    g_assert_nonnull(res);
    ry = step(y, hy, test_key(1), s, NULL);
    g_assert_nonnull(ry);
    g_assert_cmpmem(res->ssid, 8, ry->ssid, 8);
    /* Late duplicates after completion are ignored. */
    g_assert_null(step(x, sc->hx, test_key(0), r2, NULL));
    g_assert_null(step(y, hy, test_key(1), s, NULL));
    otr_ake_result_free(res);
    otr_ake_result_free(ry);
    g_bytes_unref(c2);
    g_bytes_unref(k);
    g_bytes_unref(r2);
    g_bytes_unref(s);
    otr_ake_free(x);
    otr_ake_free(y);
    host_free(hy);
}

#include "test-ake-hostile.inc"

static void
test_reset_copy(void)
{
    Script *sc = script_get(3);
    OtrAke *x = otr_ake_copy(sc->x[ST_SIG]);
    OtrAke *c = otr_ake_copy(x);
    Host *hs = host_new(5);
    GBytes *msg = NULL;

    otr_ake_reset(x);
    g_assert_cmpint(otr_ake_state(x), ==, OTR_AKE_NONE);
    g_assert_cmpint(otr_ake_version(x), ==, 0);
    otr_ake_free(x); /* the copy is independent */
    check_continues(sc, c, ST_SIG);
    otr_ake_free(c);
    x = otr_ake_new(TAG_X);
    g_assert_cmpint(otr_ake_start(x, &hs->h, 1, 0, &msg), ==, OTR_ERR_INVALID);
    g_assert_null(msg);
    g_assert_cmpint(otr_ake_state(x), ==, OTR_AKE_NONE);
    otr_ake_free(x);
    otr_ake_free(NULL);
    host_free(hs);
}

int
main(int argc, char **argv)
{
    static const char *st_name[N_ST] = { "none", "awaiting-dhkey",
                                         "awaiting-revealsig", "awaiting-sig" };
    static const char *mt_name[N_MSG] = { "dh-commit", "dh-key", "reveal-sig",
                                          "signature" };
    static const char *bob_name[] = {
        "honest", "wrong-signer", "keyid-zero",        "trailing",
        "bad-gx", "wrong-r",      "mac-without-length"
    };

    g_test_init(&argc, &argv, NULL);
    otr_init();
    for (int v = 2; v <= 3; v++) {
        char *p;

        p = g_strdup_printf("/core/ake/v%d/full", v);
        g_test_add_data_func(p, GINT_TO_POINTER(v), test_full);
        g_free(p);
        for (int st = 0; st < N_ST; st++)
            for (int mt = 0; mt < N_MSG; mt++) {
                p = g_strdup_printf("/core/ake/v%d/table/%s/%s", v, st_name[st],
                                    mt_name[mt]);
                g_test_add_data_func(p, GINT_TO_POINTER(v * 100 + st * 10 + mt),
                                     test_table);
                g_free(p);
            }
        p = g_strdup_printf("/core/ake/v%d/crossing-commits", v);
        g_test_add_data_func(p, GINT_TO_POINTER(v), test_crossing);
        g_free(p);
        p = g_strdup_printf("/core/ake/v%d/recommit", v);
        g_test_add_data_func(p, GINT_TO_POINTER(v), test_recommit);
        g_free(p);
        for (int mt = 0; mt < N_MSG; mt++) {
            p = g_strdup_printf("/core/ake/v%d/tamper/%s", v, mt_name[mt]);
            g_test_add_data_func(p, GINT_TO_POINTER(v * 10 + mt), test_tamper);
            g_free(p);
        }
        p = g_strdup_printf("/core/ake/v%d/truncated", v);
        g_test_add_data_func(p, GINT_TO_POINTER(v), test_truncated);
        g_free(p);
        p = g_strdup_printf("/core/ake/v%d/bad-gy", v);
        g_test_add_data_func(p, GINT_TO_POINTER(v), test_bad_gy);
        g_free(p);
    }
    for (int b = 0; b < (int)G_N_ELEMENTS(bob_name); b++) {
        char *p = g_strdup_printf("/core/ake/manual-bob/%s", bob_name[b]);

        g_test_add_data_func(p, GINT_TO_POINTER(b), test_manual_bob);
        g_free(p);
    }
    g_test_add_func("/core/ake/headers", test_headers);
    g_test_add_func("/core/ake/no-key", test_no_key);
    g_test_add_func("/core/ake/reset-copy", test_reset_copy);
    return g_test_run();
}
