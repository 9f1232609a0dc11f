/* Offrec tests — the authenticated key exchange (core/ake.c).
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <string.h>

#include "ake-harness.h"

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
