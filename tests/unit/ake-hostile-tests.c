/* Offrec tests — the AKE under hostile input: tampering, truncation, a
 * hand-built Bob, bad D-H values, headers, a missing key. Registered by
 * test-ake.c; shares its recorded exchanges and spec helpers
 * (ake-harness.c).
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <string.h>

#include "ake-harness.h"

/* ---- Tampering and truncation -------------------------------------------- */

/* Flip one bit in every byte of Y's message of type mt in turn. The
 * subject must refuse it (or, where it cannot tell yet, the next step of
 * the exchange must fail); it never completes. */
void
test_tamper(gconstpointer data)
{
    int code = GPOINTER_TO_INT(data), version = code / 10, mt = code % 10;
    Script *sc = script_get(version);
    static const int subject[N_MSG] = { ST_NONE, ST_DHKEY, ST_REVEALSIG,
                                        ST_SIG };
    GBytes *orig = mt == MSG_COMMIT ? sc->cx : sc->from_y[mt];
    OtrHeader hdr;
    const uint8_t *body;
    size_t len;
    guint refused = 0, later = 0;

    split(orig, &hdr, &body, &len);
    for (size_t i = 0; i < len; i++) {
        uint8_t *bad = g_memdup2(body, len);
        GBytes *reply = NULL, *r2 = NULL;
        OtrAkeResult *done = NULL;
        OtrAke *x, *y;
        OtrError err;

        bad[i] ^= (uint8_t)(1u << (i % 8));
        if (mt == MSG_COMMIT) {
            /* X's commit, tampered, to a fresh Y (Alice's role). */
            OtrHeader h2 = hdr;

            y = otr_ake_new(TAG_Y);
            err = otr_ake_receive(y, &sc->hy->h, test_key(1), &h2, bad, len,
                                  &reply, &done);
            g_assert_null(done);
            if (err != OTR_OK) {
                g_assert_cmpint(otr_ake_state(y), ==, OTR_AKE_NONE);
                refused++;
            } else {
                x = otr_ake_copy(sc->x[ST_DHKEY]);
                if (deliver(x, sc->hx, test_key(0), reply, &r2, &done) ==
                    OTR_OK) {
                    g_assert_null(done);
                    g_assert_nonnull(r2);
                    GBytes *r3 = NULL;

                    err = deliver(y, sc->hy, test_key(1), r2, &r3, &done);
                    g_assert_cmpint(err, !=, OTR_OK);
                    g_assert_null(r3);
                }
                g_assert_null(done);
                later++;
                otr_ake_free(x);
            }
            otr_ake_free(y);
        } else {
            x = otr_ake_copy(sc->x[subject[mt]]);
            err = otr_ake_receive(x, &sc->hx->h, test_key(0), &hdr, bad, len,
                                  &reply, &done);
            g_assert_null(done);
            if (err != OTR_OK) {
                g_assert_null(reply);
                check_continues(sc, x, subject[mt]);
                refused++;
            } else {
                /* Only a D-H Key cannot be checked on arrival. */
                g_assert_cmpint(mt, ==, MSG_KEY);
                y = otr_ake_copy(sc->y_reveal1);
                err = deliver(y, sc->hy, test_key(1), reply, &r2, &done);
                g_assert_cmpint(err, !=, OTR_OK);
                g_assert_null(done);
                g_assert_null(r2);
                g_assert_cmpint(otr_ake_state(y), ==,
                                OTR_AKE_AWAITING_REVEALSIG);
                later++;
                otr_ake_free(y);
            }
            otr_ake_free(x);
        }
        if (reply)
            g_bytes_unref(reply);
        if (r2)
            g_bytes_unref(r2);
        g_free(bad);
    }
    g_assert_cmpuint(refused + later, ==, len);
    if (mt == MSG_REVEAL || mt == MSG_SIG)
        g_assert_cmpuint(refused, ==, len);
    g_test_message("%zu tampered bodies: %u refused at once, %u later", len,
                   refused, later);
}

/* Every prefix of every message, and one extra byte: an error, no change,
 * both in the state that would act on it and in NONE. */
void
test_truncated(gconstpointer data)
{
    int version = GPOINTER_TO_INT(data);
    Script *sc = script_get(version);
    static const int subject[N_MSG] = { ST_REVEALSIG, ST_DHKEY, ST_REVEALSIG,
                                        ST_SIG };
    guint count = 0;

    for (int mt = 0; mt < N_MSG; mt++) {
        OtrHeader hdr;
        const uint8_t *body;
        size_t len;
        uint8_t *longer;

        split(sc->from_y[mt], &hdr, &body, &len);
        longer = g_malloc(len + 1);
        memcpy(longer, body, len);
        longer[len] = 0;
        for (size_t n = 0; n <= len + 1; n++) {
            int states[2] = { subject[mt], ST_NONE };

            if (n == len)
                continue;
            for (int j = 0; j < 2; j++) {
                OtrAke *x = otr_ake_copy(sc->x[states[j]]);
                OtrError err;

                err = deliver_no_effect(x, sc->hx, &hdr, longer, n);
                g_assert_cmpint(err, ==, OTR_ERR_MALFORMED);
                g_assert_cmpint(otr_ake_state(x), ==, st_enum[states[j]]);
                if (n % 37 == 0)
                    check_continues(sc, x, states[j]);
                otr_ake_free(x);
                count++;
            }
        }
        g_free(longer);
    }
    g_test_message("%u truncated/extended bodies refused", count);
}

/* ---- A hand-built Bob (spec formulas only) against our Alice ------------ */

typedef enum {
    BOB_HONEST,
    BOB_WRONG_SIGNER, /* X_B carries key 2, signed with key 3 */
    BOB_KEYID_ZERO,
    BOB_TRAILING, /* a byte after the signature, MAC still right */
    BOB_BAD_GX,   /* commits to g^x = 1 */
    BOB_WRONG_R,
    BOB_MAC_NO_LEN, /* MAC over the ciphertext without its length */
} BobCase;

void
test_manual_bob(gconstpointer data)
{
    BobCase bc = GPOINTER_TO_INT(data);
    static const uint8_t zero[16], one[1] = { 1 };
    Host *hs = host_new(77 + bc);
    const OtrPrivKey *claimed = test_key(bc == BOB_WRONG_SIGNER ? 2 : 0);
    const OtrPrivKey *signer = test_key(bc == BOB_WRONG_SIGNER ? 3 : 0);
    guint32 keyid = bc == BOB_KEYID_ZERO ? 0 : 7;
    OtrHeader hdr = { 3, OTR_TYPE_DH_COMMIT, TAG_X, 0 };
    g_auto(OtrDhKeypair) dh = { 0 };
    OtrAke *alice = otr_ake_new(TAG_Y);
    GByteArray *gx = g_byte_array_new(), *x = g_byte_array_new();
    GByteArray *msg = g_byte_array_new();
    uint8_t r[16], hash[32], m[32], sig[40], mac[20], id[4];
    uint8_t gy[OTR_DH_PUB_MAX];
    const uint8_t *body, *pub;
    size_t len, gylen, publen;
    GBytes *reply = NULL;
    OtrAkeResult *done = NULL;
    OtrReader rd;
    SpecKeys k;
    OtrError err;

    g_assert_cmpint(otr_dh_keypair_gen(&hs->h, &dh), ==, OTR_OK);
    otr_host_random(&hs->h, r, 16);
    if (bc == BOB_BAD_GX)
        put_mpi(gx, one, 1);
    else
        put_mpi(gx, dh.pub, dh.publen);
    otr_sha256(gx->data, gx->len, hash);
    otr_aes128_ctr(r, zero, gx->data, gx->data, gx->len);
    put_mpi(msg, gx->data, gx->len); /* DATA has the MPI's layout */
    put_mpi(msg, hash, 32);
    g_assert_cmpint(otr_ake_receive(alice, &hs->h, test_key(1), &hdr, msg->data,
                                    msg->len, &reply, &done),
                    ==, OTR_OK);
    split(reply, &hdr, &body, &len);
    g_assert_cmpint(hdr.type, ==, OTR_TYPE_DH_KEY);
    g_assert_cmpuint(hdr.receiver_instag, ==, TAG_X);
    otr_reader_init(&rd, body, len);
    body = otr_read_mpi(&rd, OTR_DH_PUB_MAX, &gylen);
    memcpy(gy, body, gylen);
    g_assert_true(otr_reader_done(&rd));
    spec_keys(&dh, gy, gylen, &k);

    pub = otr_privkey_pubkey(claimed, &publen);
    spec_m(k.m1, dh.pub, dh.publen, gy, gylen, pub, publen, keyid, m);
    g_assert_cmpint(otr_dsa_sign(signer, &hs->h, m, 32, sig), ==, OTR_OK);
    id[0] = 0, id[1] = 0, id[2] = 0, id[3] = (uint8_t)keyid;
    g_byte_array_append(x, pub, (guint)publen);
    g_byte_array_append(x, id, 4);
    g_byte_array_append(x, sig, 40);
    if (bc == BOB_TRAILING)
        g_byte_array_append(x, one, 1);
    otr_aes128_ctr(k.c, zero, x->data, x->data, x->len);

    g_byte_array_set_size(msg, 0);
    if (bc == BOB_WRONG_R)
        r[3] ^= 0x40;
    put_mpi(msg, r, 16);
    put_mpi(msg, x->data, x->len);
    if (bc == BOB_MAC_NO_LEN)
        spec_mac160(k.m2, x->data, x->len, mac);
    else
        spec_mac160(k.m2, msg->data + 20, msg->len - 20, mac);
    g_byte_array_append(msg, mac, 20);
    g_bytes_unref(reply);
    reply = NULL;
    hdr = (OtrHeader){ 3, OTR_TYPE_REVEAL_SIG, TAG_X, TAG_Y };
    err = otr_ake_receive(alice, &hs->h, test_key(1), &hdr, msg->data, msg->len,
                          &reply, &done);
    switch (bc) {
    case BOB_HONEST: {
        uint8_t fpr[20];
        size_t n;

        g_assert_cmpint(err, ==, OTR_OK);
        g_assert_nonnull(done);
        otr_privkey_fingerprint(claimed, fpr);
        g_assert_cmpmem(done->their_fpr, 20, fpr, 20);
        g_assert_cmpmem(done->ssid, 8, k.ssid, 8);
        g_assert_cmpuint(done->their_keyid, ==, 7);
        g_assert_cmpuint(done->their_instag, ==, TAG_X);
        g_assert_cmpmem(done->their_dh, done->their_dhlen, dh.pub, dh.publen);
        g_assert_false(done->ssid_high_half);
        split(reply, &hdr, &body, &len);
        g_assert_cmpint(hdr.type, ==, OTR_TYPE_SIGNATURE);
        otr_reader_init(&rd, body, len);
        otr_read_data(&rd, 4000, &n);
        otr_read_bytes(&rd, 20);
        g_assert_true(otr_reader_done(&rd));
        spec_check_x(body, 4 + n, body + 4 + n, &k, TRUE, gy, gylen, dh.pub,
                     dh.publen, test_key(1));
        break;
    }
    case BOB_WRONG_SIGNER:
        g_assert_cmpint(err, ==, OTR_ERR_BAD_SIG);
        break;
    case BOB_KEYID_ZERO:
    case BOB_BAD_GX:
        g_assert_cmpint(err, ==, OTR_ERR_BAD_VALUE);
        break;
    case BOB_TRAILING:
        g_assert_cmpint(err, ==, OTR_ERR_MALFORMED);
        break;
    case BOB_WRONG_R:
    case BOB_MAC_NO_LEN:
        g_assert_cmpint(err, ==, OTR_ERR_BAD_MAC);
        break;
    }
    if (bc != BOB_HONEST) {
        g_assert_null(reply);
        g_assert_null(done);
        g_assert_cmpint(otr_ake_state(alice), ==, OTR_AKE_AWAITING_REVEALSIG);
    } else {
        g_assert_cmpint(otr_ake_state(alice), ==, OTR_AKE_NONE);
    }
    if (reply)
        g_bytes_unref(reply);
    otr_ake_result_free(done);
    g_byte_array_unref(gx);
    g_byte_array_unref(x);
    g_byte_array_unref(msg);
    otr_ake_free(alice);
    host_free(hs);
}

/* ---- Bad D-H values, versions, instance tags, missing key --------------- */

void
test_bad_gy(gconstpointer data)
{
    int version = GPOINTER_TO_INT(data);
    Script *sc = script_get(version);
    uint8_t v[OTR_DH_PUB_MAX + 1];
    OtrHeader hdr;
    const uint8_t *body;
    size_t len;
    struct {
        int kind; /* 0: 0, 1: 1, 2: p-1, 3: p, 4: 2^1536-1, 5: 193 bytes,
                     6: 2, 7: p-2 */
        OtrError err;
    } cases[] = {
        { 0, OTR_ERR_BAD_VALUE },
        { 1, OTR_ERR_BAD_VALUE },
        { 2, OTR_ERR_BAD_VALUE },
        { 3, OTR_ERR_BAD_VALUE },
        { 4, OTR_ERR_BAD_VALUE },
        { 5, OTR_ERR_MALFORMED },
        { 6, OTR_OK },
        { 7, OTR_OK },
    };

    split(sc->from_y[MSG_KEY], &hdr, &body, &len);
    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        OtrAke *x = otr_ake_copy(sc->x[ST_DHKEY]);
        GBytes *reply = NULL;
        OtrAkeResult *done = NULL;
        OtrWriter w;
        size_t n = OTR_DH_PUB_MAX;
        OtrError err;

        memcpy(v, otr_dh_modulus, OTR_DH_PUB_MAX);
        switch (cases[i].kind) {
        case 0:
            n = 0;
            break;
        case 1:
        case 6:
            v[0] = cases[i].kind == 1 ? 1 : 2;
            n = 1;
            break;
        case 2:
        case 7:
            v[OTR_DH_PUB_MAX - 1] -= cases[i].kind == 2 ? 1 : 2;
            break;
        case 4:
            memset(v, 0xff, OTR_DH_PUB_MAX);
            break;
        case 5:
            memset(v, 0x01, sizeof v);
            n = sizeof v;
            break;
        default:
            break;
        }
        otr_writer_init(&w);
        otr_write_mpi(&w, v, n);
        err = otr_ake_receive(x, &sc->hx->h, test_key(0), &hdr, w.buf->data,
                              w.buf->len, &reply, &done);
        g_assert_cmpint(err, ==, cases[i].err);
        g_assert_null(done);
        if (err == OTR_OK) {
            g_assert_cmpint(type_of(reply), ==, OTR_TYPE_REVEAL_SIG);
            g_assert_cmpint(otr_ake_state(x), ==, OTR_AKE_AWAITING_SIG);
            g_bytes_unref(reply);
        } else {
            g_assert_null(reply);
            check_continues(sc, x, ST_DHKEY);
        }
        otr_writer_clear(&w);
        otr_ake_free(x);
    }
}

/* A message whose header does not fit the AKE under way is refused. */
void
test_headers(void)
{
    Script *sc = script_get(3), *sc2 = script_get(2);
    struct {
        int st, mt;
        guint16 version;
        guint32 sender, receiver;
        OtrError err;
    } cases[] = {
        /* v2 message while our AKE is v3 */
        { ST_DHKEY, MSG_KEY, 2, 0, 0, OTR_ERR_STATE },
        { ST_SIG, MSG_KEY, 2, 0, 0, OTR_ERR_STATE },
        { ST_REVEALSIG, MSG_REVEAL, 2, 0, 0, OTR_ERR_STATE },
        { ST_SIG, MSG_SIG, 2, 0, 0, OTR_ERR_STATE },
        /* not addressed to us */
        { ST_DHKEY, MSG_KEY, 3, TAG_Y, TAG_X + 1, OTR_ERR_STATE },
        { ST_DHKEY, MSG_KEY, 3, TAG_Y, 0, OTR_ERR_STATE },
        { ST_NONE, MSG_COMMIT, 3, TAG_Y, TAG_X + 1, OTR_ERR_STATE },
        /* invalid sender tag */
        { ST_DHKEY, MSG_KEY, 3, 0xff, TAG_X, OTR_ERR_BAD_VALUE },
        { ST_NONE, MSG_COMMIT, 3, 0, 0, OTR_ERR_BAD_VALUE },
        /* another instance than the one we are talking to */
        { ST_REVEALSIG, MSG_REVEAL, 3, TAG_Y + 1, TAG_X, OTR_ERR_STATE },
        { ST_SIG, MSG_SIG, 3, TAG_Y + 1, TAG_X, OTR_ERR_STATE },
        { ST_SIG, MSG_KEY, 3, TAG_Y + 1, TAG_X, OTR_ERR_STATE },
        /* unknown version or type */
        { ST_NONE, MSG_COMMIT, 1, 0, 0, OTR_ERR_MALFORMED },
        { ST_NONE, MSG_COMMIT, 4, TAG_Y, 0, OTR_ERR_MALFORMED },
    };

    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        OtrAke *x = otr_ake_copy(sc->x[cases[i].st]);
        OtrHeader hdr;
        const uint8_t *body;
        size_t len;

        split(sc->from_y[cases[i].mt], &hdr, &body, &len);
        hdr.version = cases[i].version;
        hdr.sender_instag = cases[i].sender;
        hdr.receiver_instag = cases[i].receiver;
        g_assert_cmpint(deliver_no_effect(x, sc->hx, &hdr, body, len), ==,
                        cases[i].err);
        check_continues(sc, x, cases[i].st);
        otr_ake_free(x);
    }
    /* A type that is not an AKE message. */
    {
        OtrAke *x = otr_ake_copy(sc->x[ST_NONE]);
        OtrHeader hdr = { 3, OTR_TYPE_DATA, TAG_Y, TAG_X };

        g_assert_cmpint(deliver_no_effect(x, sc->hx, &hdr, NULL, 0), ==,
                        OTR_ERR_INVALID);
        otr_ake_free(x);
    }
    /* A v2 commit while our v3 commit is out: the commit's version wins
     * when we answer it. */
    {
        OtrAke *x = otr_ake_copy(sc->x[ST_DHKEY]);
        GBytes *reply = NULL;
        OtrAkeResult *done = NULL;
        OtrHeader hdr;
        const uint8_t *body;
        size_t len;

        g_assert_cmpint(deliver(x, sc->hx, test_key(0), sc2->from_y[MSG_COMMIT],
                                &reply, &done),
                        ==, OTR_OK);
        split(reply, &hdr, &body, &len);
        if (hash_cmp(sc->cx, sc2->from_y[MSG_COMMIT]) > 0) {
            g_assert_true(bytes_eq(reply, sc->cx));
            g_assert_cmpint(otr_ake_version(x), ==, 3);
        } else {
            g_assert_cmpint(hdr.version, ==, 2);
            g_assert_cmpint(hdr.type, ==, OTR_TYPE_DH_KEY);
            g_assert_cmpint(otr_ake_version(x), ==, 2);
        }
        g_bytes_unref(reply);
        otr_ake_free(x);
    }
}

void
test_no_key(void)
{
    Script *sc = script_get(3);
    int sts[] = { ST_DHKEY, ST_REVEALSIG };
    int mts[] = { MSG_KEY, MSG_REVEAL };

    for (int i = 0; i < 2; i++) {
        OtrAke *x = otr_ake_copy(sc->x[sts[i]]);
        GBytes *reply = NULL;
        OtrAkeResult *done = NULL;

        g_assert_cmpint(deliver(x, sc->hx, NULL, sc->from_y[mts[i]], &reply,
                                &done),
                        ==, OTR_ERR_NO_KEY);
        g_assert_null(reply);
        g_assert_null(done);
        check_continues(sc, x, sts[i]);
        otr_ake_free(x);
    }
    /* Neither a commit nor a Signature needs our key. */
    {
        OtrAke *x = otr_ake_copy(sc->x[ST_NONE]);
        GBytes *reply = NULL;
        OtrAkeResult *done = NULL;

        g_assert_cmpint(deliver(x, sc->hx, NULL, sc->from_y[MSG_COMMIT], &reply,
                                &done),
                        ==, OTR_OK);
        g_assert_nonnull(reply);
        g_bytes_unref(reply);
        otr_ake_free(x);
        x = otr_ake_copy(sc->x[ST_SIG]);
        g_assert_cmpint(deliver(x, sc->hx, NULL, sc->from_y[MSG_SIG], &reply,
                                &done),
                        ==, OTR_OK);
        g_assert_nonnull(done);
        otr_ake_result_free(done);
        otr_ake_free(x);
    }
}
