/* Offrec tests — data messages, session keys and key rotation.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Alice and Bob each hold an OtrDataKeys built from a matching pair of AKE
 * results. Every message is checked against things computed here
 * independently: the keys (libgcrypt directly), the byte layout (a parser
 * and a builder) and the keyid / MAC-revealing rules (a small model of the
 * spec's bookkeeping in terms of keyids); see data-harness.c.
 */
#include <string.h>

#include "data-harness.h"

/* ---- Tests ------------------------------------------------------------ */

static void
test_data_lazy_init(Pair *p, gconstpointer data)
{
    uint8_t msg[] = "hello";

    for (int i = 0; i < 2; i++) {
        g_assert_cmpuint(p->dk[i].our_keyid, ==, 2);
        g_assert_cmpuint(p->dk[i].their_keyid, ==, 1);
        g_assert_false(p->dk[i].have_our[0]); /* no key made yet */
        g_assert_true(p->dk[i].have_our[1]);
        for (int a = 0; a < 2; a++)
            for (int b = 0; b < 2; b++)
                g_assert_false(p->dk[i].sess[a][b].valid);
    }
    g_assert_cmpmem(p->dk[0].our_dh[1].pub, p->dk[0].our_dh[1].publen,
                    p->ka.pub, p->ka.publen);
    pair_send(p, 0, msg, 5, 0);
    /* Receiving without replying makes no key for Bob. */
    run_ops(p, "A");
    g_assert_false(p->dk[1].have_our[0]);
    g_assert_cmpuint(p->dk[1].their_keyid, ==, 2);
    run_ops(p, "bB");
    g_assert_cmpuint(p->dk[0].our_keyid, ==, 3);
    g_assert_false(p->dk[0].have_our[0]);
}

static void
test_data_key_derivation(Pair *p, gconstpointer data)
{
    const uint8_t msg[] = "key derivation";
    Keys ea, eb;
    const uint8_t *d;
    uint8_t mac[20], *ct;
    size_t n;
    Parsed pm;
    Sent *s;

    expected_keys(&p->ka, p->kb.pub, p->kb.publen, &ea);
    expected_keys(&p->kb, p->ka.pub, p->ka.publen, &eb);
    g_assert_cmpmem(ea.send_aes, 16, eb.recv_aes, 16);
    g_assert_cmpmem(ea.send_mac, 20, eb.recv_mac, 20);
    g_assert_cmpmem(ea.recv_aes, 16, eb.send_aes, 16);
    g_assert_cmpmem(ea.extra, 32, eb.extra, 32);
    g_assert_false(memcmp(ea.send_aes, ea.recv_aes, 16) == 0);

    s = pair_send(p, 0, msg, sizeof msg, 0);
    /* Alice's cached keys for (her AKE key, Bob's AKE key). */
    g_assert_true(p->dk[0].sess[1][0].valid);
    g_assert_cmpmem(p->dk[0].sess[1][0].send_aes, 16, ea.send_aes, 16);
    g_assert_cmpmem(p->dk[0].sess[1][0].send_mac, 20, ea.send_mac, 20);
    g_assert_cmpmem(p->dk[0].sess[1][0].recv_aes, 16, ea.recv_aes, 16);
    g_assert_cmpmem(p->dk[0].sess[1][0].recv_mac, 20, ea.recv_mac, 20);
    g_assert_cmpmem(p->dk[0].sess[1][0].extra, 32, ea.extra, 32);

    /* MAC and ciphertext checked with libgcrypt directly. */
    d = g_bytes_get_data(s->msg, &n);
    parse_msg(d, n, &pm);
    hmac_sha1(ea.send_mac, d, pm.off_mac, mac);
    g_assert_cmpmem(mac, 20, d + pm.off_mac, 20);
    ct = g_memdup2(d + pm.off_ct, pm.ct_len);
    aes_ctr(ea.send_aes, d + pm.off_ctr, ct, pm.ct_len);
    g_assert_cmpmem(ct, pm.ct_len, msg, sizeof msg);
    g_free(ct);

    run_ops(p, "A");
    /* Bob rotated Alice's key in: the pairing moved to [1][1]. */
    g_assert_true(p->dk[1].sess[1][1].valid);
    g_assert_true(p->dk[1].sess[1][1].recv_mac_used);
    g_assert_cmpmem(p->dk[1].sess[1][1].recv_aes, 16, eb.recv_aes, 16);
    g_assert_cmpmem(p->dk[1].sess[1][1].send_mac, 20, eb.send_mac, 20);
    otr_wipe(&ea, sizeof ea);
    otr_wipe(&eb, sizeof eb);
}

static void
test_data_patterns(Pair *p, gconstpointer data)
{
    GString *ops = g_string_new(NULL);

    /* One-way bursts, then turns. */
    for (int i = 0; i < 15; i++)
        g_string_append(ops, "aA");
    g_string_append(ops, "bBaAaAbBbBbB");
    /* Ping-pong. */
    for (int i = 0; i < 20; i++)
        g_string_append(ops, "aAbB");
    /* Interleaved: both send before seeing the other's message. */
    for (int i = 0; i < 10; i++)
        g_string_append(ops, "abABaabbBABAaaaAAAbbbBxBy");
    /* Out of order and replays. */
    g_string_append(ops, "aaaaxAArAbbbybByBsaAbBrs");
    run_ops(p, ops->str);
    g_string_truncate(ops, 0);

    /* Random schedules (the seeded host makes them reproducible). */
    for (int i = 0; i < 1500; i++)
        g_string_append_c(ops,
                          "aabbABABxyrs"[g_rand_int_range(p->th.rand, 0, 12)]);
    run_ops(p, ops->str);
    g_string_free(ops, TRUE);
    g_test_message("sent %d, delivered %d, refused %d", p->sent, p->delivered,
                   p->refused);
    g_assert_cmpint(p->refused, >, 0);
    g_assert_cmpint(p->delivered, >, 500);
}

static void
test_data_replay(Pair *p, gconstpointer data)
{
    run_ops(p, "aAbBaA");
    run_ops(p, "aArrr");
    run_ops(p, "bBsbBs");
    g_assert_cmpint(p->refused, ==, 5);
}

/* A message from Alice to Bob that reveals MAC keys. */
static Sent *
message_with_reveal(Pair *p)
{
    const uint8_t hi[] = "tamper me";
    Sent *s;
    Parsed pm;

    for (int i = 0; i < 10 && p->model[0].pending->len == 0; i++)
        run_ops(p, "aAbB");
    g_assert_cmpuint(p->model[0].pending->len, >, 0);
    s = pair_send(p, 0, hi, sizeof hi, 0);
    g_queue_pop_tail(&p->queue[0]);
    parse_msg(g_bytes_get_data(s->msg, NULL), g_bytes_get_size(s->msg), &pm);
    g_assert_cmpuint(pm.reveal_len, >=, 20);
    return s;
}

/* Decrypt at a copy of Bob's state; returns the result, checks that a
 * refusal leaves the copy as Bob is. */
static OtrError
try_copy(Pair *p, const uint8_t *d, size_t n, const OtrHeader *hdr, size_t hl)
{
    OtrDataKeys copy, *real = &p->dk[1];
    uint8_t *plain = NULL;
    size_t plen = 0;
    uint8_t flags = 0, extra[32];
    OtrError err;

    snap_take(&copy, real);
    err = otr_data_decrypt(&copy, &p->h, hdr, d + hl, n - hl, &flags, &plain,
                           &plen, extra);
    if (err != OTR_OK) {
        assert_same_state(real, &copy);
        g_assert_null(plain);
    } else {
        g_free(plain);
    }
    otr_data_clear(&copy);
    return err;
}

static void
test_data_tamper(Pair *p, gconstpointer data)
{
    Sent *s = message_with_reveal(p);
    const uint8_t *orig;
    uint8_t *d;
    size_t n;
    Parsed pm;
    int refused = 0, accepted = 0;

    orig = g_bytes_get_data(s->msg, &n);
    parse_msg(orig, n, &pm);
    d = g_memdup2(orig, n);
    for (size_t i = 0; i < n; i++) {
        for (int v = 0; v < 3; v++) {
            static const uint8_t xors[] = { 0x01, 0x80, 0xff };
            OtrHeader hdr = pm.hdr;
            OtrError err;

            memcpy(d, orig, n);
            d[i] ^= xors[v];
            if (i < pm.hdr_len) { /* header fields arrive pre-parsed */
                if (i < 2)
                    hdr.version ^= (guint16)(xors[v] << (i == 0 ? 8 : 0));
                else if (i == 2)
                    hdr.type ^= xors[v];
                else if (i < 7)
                    hdr.sender_instag ^= (guint32)xors[v] << (8 * (6 - i));
                else
                    hdr.receiver_instag ^= (guint32)xors[v] << (8 * (10 - i));
            }
            err = try_copy(p, d, n, &hdr, pm.hdr_len);
            if (i >= pm.off_reveal) {
                /* Revealed keys are not authenticated (by design). */
                g_assert_cmpint(err, ==, OTR_OK);
                accepted++;
            } else {
                g_assert_cmpint(err, !=, OTR_OK);
                if ((i >= pm.off_ctr && i < pm.off_ctr + 8) ||
                    (i >= pm.off_ct && i < pm.off_mac + 20))
                    g_assert_cmpint(err, ==, OTR_ERR_BAD_MAC);
                else if ((i >= pm.off_ctr + 8 && i < pm.off_ct) ||
                         (i >= pm.off_mac + 20 && i < pm.off_reveal))
                    g_assert_cmpint(err, ==, OTR_ERR_MALFORMED);
                refused++;
            }
        }
    }
    g_test_message("tamper: %d refused, %d accepted (revealed keys)", refused,
                   accepted);
    g_free(d);
    /* The genuine message still goes through. */
    g_queue_push_tail(&p->queue[0], s);
    run_ops(p, "A");
    g_assert_cmpint(p->refused, ==, 0);
}

static void
test_data_truncate(Pair *p, gconstpointer data)
{
    Sent *s = message_with_reveal(p);
    const uint8_t *d;
    uint8_t *longer;
    size_t n;
    Parsed pm;

    d = g_bytes_get_data(s->msg, &n);
    parse_msg(d, n, &pm);
    for (size_t k = pm.hdr_len; k < n; k++)
        g_assert_cmpint(try_copy(p, d, k, &pm.hdr, pm.hdr_len), ==,
                        OTR_ERR_MALFORMED);
    longer = g_malloc(n + 1);
    memcpy(longer, d, n);
    longer[n] = 0;
    g_assert_cmpint(try_copy(p, longer, n + 1, &pm.hdr, pm.hdr_len), ==,
                    OTR_ERR_MALFORMED);
    g_free(longer);
    g_queue_push_tail(&p->queue[0], s);
    run_ops(p, "A");
    g_assert_cmpint(p->refused, ==, 0);
}

/* Builds a message to Bob with Alice's keys (sender, recipient) and
 * fields overridden by the caller; MAC and encryption are correct. */
static GBytes *
craft(Pair *p,
      guint32 sender,
      guint32 recipient,
      const uint8_t *next,
      size_t next_len,
      guint64 ctr)
{
    const OtrDataKeys *a = &p->dk[0], *b = &p->dk[1];
    const uint8_t plain[] = "crafted";
    Fields f = { 0 };
    Keys k = { 0 };
    GBytes *m;
    int o = (int)(b->their_keyid - sender); /* Alice's key index in Bob */
    int r = (int)(b->our_keyid - recipient);

    if (o >= 0 && o < 2 && r >= 0 && r < 2 && b->their_ylen[o] > 0 &&
        b->have_our[r]) {
        /* Bob's private key with Alice's public: swap roles. */
        Keys bk;

        expected_keys(&b->our_dh[r], b->their_y[o], b->their_ylen[o], &bk);
        memcpy(k.send_aes, bk.recv_aes, 16);
        memcpy(k.send_mac, bk.recv_mac, 20);
        otr_wipe(&bk, sizeof bk);
    }
    f.version = p->version;
    f.s_instag = p->version == 3 ? INSTAG_A : 0;
    f.r_instag = p->version == 3 ? INSTAG_B : 0;
    f.sender = sender;
    f.recipient = recipient;
    f.next = next ? next : a->our_dh[0].pub;
    f.next_len = next ? next_len : a->our_dh[0].publen;
    for (int i = 0; i < 8; i++)
        f.ctr[i] = (uint8_t)(ctr >> (56 - 8 * i));
    f.plain = plain;
    f.plain_len = sizeof plain;
    m = build_msg(&f, &k);
    otr_wipe(&k, sizeof k);
    return m;
}

static OtrError
try_crafted(Pair *p, GBytes *m)
{
    const uint8_t *d;
    size_t n;
    Parsed pm;
    OtrError err;

    d = g_bytes_get_data(m, &n);
    parse_msg(d, n, &pm);
    err = try_copy(p, d, n, &pm.hdr, pm.hdr_len);
    g_bytes_unref(m);
    return err;
}

static void
test_data_keyids(Pair *p, gconstpointer data)
{
    OtrDataKeys *b = &p->dk[1];
    guint32 ts, tr;

    run_ops(p, "aAbBaA"); /* Bob: their_keyid 3 with old, our_keyid 3 */
    ts = b->their_keyid;
    tr = b->our_keyid;
    g_assert_true(b->their_ylen[1] > 0);
    g_assert_false(b->have_our[0]);

    /* The crafting is right: these are accepted. */
    g_assert_cmpint(try_crafted(p, craft(p, ts, tr - 1, NULL, 0, 100)), ==,
                    OTR_OK);
    g_assert_cmpint(try_crafted(p, craft(p, ts - 1, tr - 1, NULL, 0, 100)), ==,
                    OTR_OK);
    /* Unknown keyids. */
    g_assert_cmpint(try_crafted(p, craft(p, ts + 1, tr - 1, NULL, 0, 100)), ==,
                    OTR_ERR_UNREADABLE);
    g_assert_cmpint(try_crafted(p, craft(p, ts - 2, tr - 1, NULL, 0, 100)), ==,
                    OTR_ERR_UNREADABLE);
    g_assert_cmpint(try_crafted(p, craft(p, 0, tr - 1, NULL, 0, 100)), ==,
                    OTR_ERR_UNREADABLE);
    g_assert_cmpint(try_crafted(p, craft(p, ts, tr + 1, NULL, 0, 100)), ==,
                    OTR_ERR_UNREADABLE);
    g_assert_cmpint(try_crafted(p, craft(p, ts, tr - 2, NULL, 0, 100)), ==,
                    OTR_ERR_UNREADABLE);
    g_assert_cmpint(try_crafted(p, craft(p, ts, 0, NULL, 0, 100)), ==,
                    OTR_ERR_UNREADABLE);
    g_assert_cmpint(try_crafted(p, craft(p, 0xffffffffu, 0xffffffffu, NULL, 0,
                                         100)),
                    ==, OTR_ERR_UNREADABLE);
    /* Bob's newest key was never announced: nobody can use it. */
    g_assert_cmpint(try_crafted(p, craft(p, ts, tr, NULL, 0, 100)), ==,
                    OTR_ERR_UNREADABLE);
    /* A zero counter is never valid. */
    g_assert_cmpint(try_crafted(p, craft(p, ts, tr - 1, NULL, 0, 0)), ==,
                    OTR_ERR_REPLAY);
}

static void
test_data_bad_next_dh(Pair *p, gconstpointer data)
{
    OtrDataKeys *b = &p->dk[1];
    uint8_t pm1[192], pp[192], big[193];
    const uint8_t one = 1, two = 2;
    guint32 ts, tr;

    memcpy(pp, otr_dh_modulus, 192);
    memcpy(pm1, otr_dh_modulus, 192);
    pm1[191] -= 1; /* p - 1 */
    memset(big, 0xff, sizeof big);
    run_ops(p, "aAbBaA");
    ts = b->their_keyid;
    tr = b->our_keyid;

    g_assert_cmpint(try_crafted(p, craft(p, ts, tr - 1, &one, 1, 50)), ==,
                    OTR_ERR_BAD_VALUE);
    g_assert_cmpint(try_crafted(p, craft(p, ts, tr - 1, &one, 0, 50)), ==,
                    OTR_ERR_BAD_VALUE);
    g_assert_cmpint(try_crafted(p, craft(p, ts, tr - 1, pm1, 192, 50)), ==,
                    OTR_ERR_BAD_VALUE);
    g_assert_cmpint(try_crafted(p, craft(p, ts, tr - 1, pp, 192, 50)), ==,
                    OTR_ERR_BAD_VALUE);
    g_assert_cmpint(try_crafted(p, craft(p, ts, tr - 1, big, 193, 50)), ==,
                    OTR_ERR_MALFORMED);
    /* 2 is the smallest valid value. */
    g_assert_cmpint(try_crafted(p, craft(p, ts, tr - 1, &two, 1, 50)), ==,
                    OTR_OK);
    /* From Alice's older key, next_dh is not taken in (as libotr). */
    g_assert_cmpint(try_crafted(p, craft(p, ts - 1, tr - 1, &one, 1, 50)), ==,
                    OTR_OK);
    /* Bob still works normally. */
    run_ops(p, "aAbBaAbB");
    g_assert_cmpint(p->refused, ==, 0);
}

static void
test_data_header(Pair *p, gconstpointer data)
{
    const uint8_t hi[] = "hi";
    const uint8_t *d;
    uint8_t flags = 0, *plain = NULL;
    size_t n, plen;
    OtrHeader hdr;
    Parsed pm;
    Sent *s;

    s = pair_send(p, 0, hi, sizeof hi, OTR_FLAG_IGNORE_UNREADABLE);
    d = g_bytes_get_data(s->msg, &n);
    parse_msg(d, n, &pm);

    hdr = pm.hdr;
    hdr.version = p->version == 3 ? 2 : 3;
    g_assert_cmpint(try_copy(p, d, n, &hdr, pm.hdr_len), ==, OTR_ERR_STATE);
    if (p->version == 3) {
        hdr = pm.hdr;
        hdr.receiver_instag = INSTAG_B + 1;
        g_assert_cmpint(try_copy(p, d, n, &hdr, pm.hdr_len), ==, OTR_ERR_STATE);
        hdr = pm.hdr;
        hdr.sender_instag = INSTAG_A + 1;
        g_assert_cmpint(try_copy(p, d, n, &hdr, pm.hdr_len), ==, OTR_ERR_STATE);
    }
    /* Flags are reported even when the message cannot be read. */
    p->dk[1].our_keyid += 5;
    g_assert_cmpint(otr_data_decrypt(&p->dk[1], &p->h, &pm.hdr, d + pm.hdr_len,
                                     n - pm.hdr_len, &flags, &plain, &plen,
                                     NULL),
                    ==, OTR_ERR_UNREADABLE);
    g_assert_cmpuint(flags, ==, OTR_FLAG_IGNORE_UNREADABLE);
    g_assert_null(plain);
    p->dk[1].our_keyid -= 5;
    run_ops(p, "A");
    g_assert_cmpint(p->delivered, ==, 1);
}

static void
test_data_empty_and_large(Pair *p, gconstpointer data)
{
    uint8_t *big = g_malloc(70000);
    GBytes *m = NULL;

    for (size_t i = 0; i < 70000; i++)
        big[i] = (uint8_t)(i * 7);
    pair_send(p, 0, NULL, 0, 0);
    pair_send(p, 0, big, 70000, 0);
    run_ops(p, "AAbB");
    g_assert_cmpint(p->delivered, ==, 3);
    /* Arguments. */
    g_assert_cmpint(otr_data_encrypt(&p->dk[0], &p->h, 0, NULL, 0, &m, NULL),
                    ==, OTR_OK);
    g_bytes_unref(m);
    g_free(big);
}

static void
test_data_counter(Pair *p, gconstpointer data)
{
    OtrDataKeys *a = &p->dk[0], before;
    const uint8_t hi[] = "count";
    GBytes *m = NULL;

    run_ops(p, "aA");
    g_assert_true(a->sess[1][0].valid);
    /* Carry across bytes: ...00ff -> ...0100. */
    memset(a->sess[1][0].send_ctr, 0, 8);
    a->sess[1][0].send_ctr[7] = 0xff;
    a->sess[1][0].send_ctr[6] = 0xff;
    ctr_set(p->model[0].last_sent, 1, 1, 0xffff);
    run_ops(p, "aAaA");
    g_assert_cmpuint(ctr64(a->sess[1][0].send_ctr), ==, 0x10001);
    /* Bob takes a jump; going back is a replay (his copy of the pairing). */
    g_assert_cmpuint(ctr64(p->dk[1].sess[1][1].recv_ctr), ==, 0x10001);
    /* Never wrap around to a used counter. */
    memset(a->sess[1][0].send_ctr, 0xff, 8);
    snap_take(&before, a);
    g_assert_cmpint(otr_data_encrypt(a, &p->h, 0, hi, sizeof hi, &m, NULL), ==,
                    OTR_ERR_TOO_BIG);
    g_assert_null(m);
    assert_same_state(&before, a);
    otr_data_clear(&before);
}

static void
test_data_clear(Pair *p, gconstpointer data)
{
    static const uint8_t zero[sizeof(OtrDataKeys)];

    run_ops(p, "aAbBaAb");
    otr_data_clear(&p->dk[0]);
    g_assert_true(memcmp(&p->dk[0], zero, sizeof zero) == 0);
    otr_data_clear(&p->dk[0]); /* twice is fine */
    g_assert_true(memcmp(&p->dk[0], zero, sizeof zero) == 0);
}

static void
test_data_modulus(void)
{
    gcry_mpi_t a = NULL, b;

    /* The test's independent modulus is the core's. */
    g_assert_cmpint(gcry_mpi_scan(&a, GCRYMPI_FMT_HEX, modulus_hex, 0, NULL),
                    ==, 0);
    b = mpi_from(otr_dh_modulus, 192);
    g_assert_cmpint(gcry_mpi_cmp(a, b), ==, 0);
    gcry_mpi_release(a);
    gcry_mpi_release(b);
}

static void
test_data_init_invalid(void)
{
    TestHost th;
    OtrHost h = { &test_host_ops, &th };
    OtrAkeResult r = { 0 };
    OtrDataKeys dk;

    test_host_init(&th, 7);
    g_assert_cmpint(otr_dh_keypair_gen(&h, &r.our_dh), ==, OTR_OK);
    r.version = 3;
    r.our_keyid = 1;
    r.their_keyid = 1;
    r.their_dh[0] = 1;
    r.their_dhlen = 1;
    g_assert_cmpint(otr_data_init(&dk, &h, &r), ==, OTR_ERR_BAD_VALUE);
    r.their_dh[0] = 5;
    r.our_keyid = 0;
    g_assert_cmpint(otr_data_init(&dk, &h, &r), ==, OTR_ERR_INVALID);
    r.our_keyid = 1;
    r.version = 1;
    g_assert_cmpint(otr_data_init(&dk, &h, &r), ==, OTR_ERR_INVALID);
    r.version = 2;
    g_assert_cmpint(otr_data_init(&dk, &h, &r), ==, OTR_OK);
    otr_data_clear(&dk);
    otr_wipe(&r, sizeof r);
    test_host_clear(&th);
}

#define ADD(name, fn)                                                          \
    do {                                                                       \
        g_test_add("/core/data/v3/" name, Pair, GINT_TO_POINTER(3),            \
                   pair_setup, fn, pair_teardown);                             \
        g_test_add("/core/data/v2/" name, Pair, GINT_TO_POINTER(2),            \
                   pair_setup, fn, pair_teardown);                             \
    } while (0)

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    otr_init();
    g_test_add_func("/core/data/modulus", test_data_modulus);
    g_test_add_func("/core/data/init-invalid", test_data_init_invalid);
    ADD("lazy-init", test_data_lazy_init);
    ADD("key-derivation", test_data_key_derivation);
    ADD("patterns", test_data_patterns);
    ADD("replay", test_data_replay);
    ADD("tamper", test_data_tamper);
    ADD("truncate", test_data_truncate);
    ADD("keyids", test_data_keyids);
    ADD("bad-next-dh", test_data_bad_next_dh);
    ADD("header", test_data_header);
    ADD("empty-and-large", test_data_empty_and_large);
    ADD("counter", test_data_counter);
    ADD("clear", test_data_clear);
    return g_test_run();
}
