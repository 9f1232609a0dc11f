/* Offrec tests — the AKE test harness (see ake-harness.h).
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "ake-harness.h"

#include <string.h>

/* ---- Hosts and delivery -------------------------------------------------- */

const OtrAkeState st_enum[N_ST] = {
    OTR_AKE_NONE,
    OTR_AKE_AWAITING_DHKEY,
    OTR_AKE_AWAITING_REVEALSIG,
    OTR_AKE_AWAITING_SIG,
};

Host *
host_new(guint32 seed)
{
    Host *hs = g_new0(Host, 1);

    test_host_init(&hs->th, seed);
    hs->h.ops = &test_host_ops;
    hs->h.user = &hs->th;
    return hs;
}

void
host_free(Host *hs)
{
    test_host_clear(&hs->th);
    g_free(hs);
}

void
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

uint8_t
type_of(GBytes *msg)
{
    OtrHeader hdr;
    const uint8_t *body;
    size_t len;

    split(msg, &hdr, &body, &len);
    return hdr.type;
}

OtrError
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
OtrError
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

gboolean
bytes_eq(GBytes *a, GBytes *b)
{
    return g_bytes_equal(a, b);
}

int
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

OtrAkeResult *
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

Script *
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
void
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

void
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

void
put_mpi(GByteArray *a, const uint8_t *n, size_t len)
{
    uint8_t l[4] = { (uint8_t)(len >> 24), (uint8_t)(len >> 16),
                     (uint8_t)(len >> 8), (uint8_t)len };

    g_byte_array_append(a, l, 4);
    g_byte_array_append(a, n, (guint)len);
}

/* M = HMAC-SHA256_key(MPI(first) || MPI(second) || pubkey || keyid). */
void
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

void
spec_mac160(const uint8_t key[32], const uint8_t *d, size_t n, uint8_t out[20])
{
    uint8_t full[32];

    otr_hmac_sha256(key, 32, d, n, full);
    memcpy(out, full, 20);
}

/* Opens an encrypted X (DATA incl. length, MAC) with the given keys and
 * checks it is key's PUBKEY, keyid, and a signature over M. */
void
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
