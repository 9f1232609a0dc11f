/* Offrec tests — SMP state machine and proofs; group arithmetic and libotr
 * interop in smp-group-tests.c and smp-libotr-tests.c.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <string.h>

#include <gcrypt.h>

#include "group-private.h"
#include "smp-harness.h"

static void
test_smp_success(Pair *p, gconstpointer data)
{
    OtrSmpStatus ra, rb;

    run(p, NULL, "correct horse", "correct horse", &ra, &rb);
    g_assert_cmpint(ra, ==, OTR_SMP_SUCCESS);
    g_assert_cmpint(rb, ==, OTR_SMP_SUCCESS);
    /* and again on the same objects */
    run(p, NULL, "", "", &ra, &rb);
    g_assert_cmpint(ra, ==, OTR_SMP_SUCCESS);
    g_assert_cmpint(rb, ==, OTR_SMP_SUCCESS);
}

static void
test_smp_question(Pair *p, gconstpointer data)
{
    OtrSmpStatus ra, rb;

    run(p, "Where did we meet?", "Paris", "Paris", &ra, &rb);
    g_assert_cmpint(ra, ==, OTR_SMP_SUCCESS);
    g_assert_cmpint(rb, ==, OTR_SMP_SUCCESS);
    run(p, "", "x", "x", &ra, &rb); /* empty question is still TLV 7 */
    g_assert_cmpint(ra, ==, OTR_SMP_SUCCESS);
}

static void
test_smp_failure(Pair *p, gconstpointer data)
{
    OtrSmpStatus ra, rb;

    run(p, NULL, "secret", "Secret", &ra, &rb);
    g_assert_cmpint(ra, ==, OTR_SMP_FAILURE);
    g_assert_cmpint(rb, ==, OTR_SMP_FAILURE);
    run(p, "q?", "secret", "secret\n", &ra, &rb);
    g_assert_cmpint(ra, ==, OTR_SMP_FAILURE);
    g_assert_cmpint(rb, ==, OTR_SMP_FAILURE);
}

/* Same user secret but the fingerprints or session id differ (a
 * man-in-the-middle): the combined secrets differ. */
static void
test_smp_context_bound(Pair *p, gconstpointer data)
{
    OtrSmpStatus ra, rb;

    p->cb.ssid[3] ^= 1;
    run(p, NULL, "s", "s", &ra, &rb);
    g_assert_cmpint(ra, ==, OTR_SMP_FAILURE);
    p->cb.ssid[3] ^= 1;
    p->cb.their_fpr[0] ^= 1;
    run(p, NULL, "s", "s", &ra, &rb);
    g_assert_cmpint(ra, ==, OTR_SMP_FAILURE);
    p->cb.their_fpr[0] ^= 1;
    /* Bob swapping the fingerprint order is not the spec's layout. */
    memcpy(p->cb.our_fpr, p->ca.our_fpr, OTR_FPR_LEN);
    memcpy(p->cb.their_fpr, p->ca.their_fpr, OTR_FPR_LEN);
    run(p, NULL, "s", "s", &ra, &rb);
    g_assert_cmpint(ra, ==, OTR_SMP_FAILURE);
}

static void
test_smp_abort(Pair *p, gconstpointer data)
{
    for (int step = 0; step <= 2; step++) {
        for (int side = 0; side < 2; side++) {
            gboolean alice = side == 0;
            OtrEvent ev;

            advance(p, step);
            /* whatever the aborting side had pending is dropped */
            writer_reset(alice ? &p->wa : &p->wb);
            g_assert_cmpint(otr_smp_abort(alice ? p->a : p->b,
                                          alice ? &p->wa : &p->wb,
                                          alice ? &p->oa : &p->ob),
                            ==, OTR_OK);
            g_assert_cmpint(otr_smp_state(alice ? p->a : p->b), ==,
                            OTR_SMP_EXPECT1);
            g_assert_false(otr_smp_asked(alice ? p->a : p->b));
            assert_pending(alice ? &p->wa : &p->wb, "6");
            /* the other side may have a message in flight: drop it, and
             * deliver the abort */
            writer_reset(alice ? &p->wb : &p->wa);
            deliver(p, alice);
            ev = last_smp(alice ? &p->ob : &p->oa, NULL);
            g_assert_cmpint(ev.smp_status, ==, OTR_SMP_ABORTED);
            g_assert_cmpint(otr_smp_state(p->a), ==, OTR_SMP_EXPECT1);
            g_assert_cmpint(otr_smp_state(p->b), ==, OTR_SMP_EXPECT1);
            g_assert_false(otr_smp_asked(p->b));
            assert_pending(alice ? &p->wb : &p->wa, "");
            g_assert_cmpint(otr_smp_respond(p->b, &p->host, &p->cb, NULL, 0,
                                            &p->wb, &p->ob),
                            ==, OTR_ERR_STATE);
        }
    }
}

/* A message of the aborted exchange arriving afterwards is an error. */
static void
test_smp_late_message(Pair *p, gconstpointer data)
{
    OtrEvent ev;

    advance(p, 1); /* Bob's SMP2 pending */
    otr_smp_abort(p->a, &p->wa, &p->oa);
    writer_reset(&p->wa);
    deliver(p, FALSE); /* SMP2 reaches Alice in EXPECT1 */
    ev = last_smp(&p->oa, NULL);
    g_assert_cmpint(ev.smp_status, ==, OTR_SMP_ERROR);
    g_assert_cmpint(ev.error, ==, OTR_ERR_STATE);
    assert_pending(&p->wa, "6");
}

static void
test_smp_restart(Pair *p, gconstpointer data)
{
    OtrSmpStatus ra, rb;
    OtrEvent ev;

    /* Alice restarts while waiting for SMP2: abort, then a new SMP1. */
    start(p, NULL, "old");
    deliver(p, TRUE);
    otr_outbox_clear(&p->ob);
    start(p, "new?", "new");
    assert_pending(&p->wa, "6,7");
    deliver(p, TRUE);
    g_assert_true(otr_smp_asked(p->b));
    ev = last_smp(&p->ob, NULL);
    g_assert_cmpint(ev.smp_status, ==, OTR_SMP_ASKED);
    respond(p, "new");
    deliver(p, FALSE);
    deliver(p, TRUE);
    ev = last_smp(&p->ob, NULL);
    g_assert_cmpint(ev.smp_status, ==, OTR_SMP_SUCCESS);
    deliver(p, FALSE);
    ev = last_smp(&p->oa, NULL);
    g_assert_cmpint(ev.smp_status, ==, OTR_SMP_SUCCESS);

    /* A second SMP1 while Bob has not answered yet replaces the first
     * (libotr: state is still EXPECT1). */
    start(p, NULL, "first");
    deliver(p, TRUE);
    otr_smp_reset(p->a);
    start(p, NULL, "second");
    assert_pending(&p->wa, "2");
    deliver(p, TRUE);
    respond(p, "second");
    deliver(p, FALSE);
    deliver(p, TRUE);
    deliver(p, FALSE);
    ev = last_smp(&p->oa, NULL);
    g_assert_cmpint(ev.smp_status, ==, OTR_SMP_SUCCESS);
    otr_outbox_clear(&p->ob);

    /* Bob starts his own while Alice's runs: both are mid-exchange, each
     * SMP1 is unexpected -> both abort, both back to EXPECT1. */
    start(p, NULL, "a");
    g_assert_cmpint(otr_smp_start(p->b, &p->host, &p->cb, NULL,
                                  (const uint8_t *)"b", 1, &p->wb, &p->ob),
                    ==, OTR_OK);
    otr_outbox_clear(&p->oa);
    otr_outbox_clear(&p->ob);
    deliver(p, TRUE);
    ev = last_smp(&p->ob, NULL);
    g_assert_cmpint(ev.smp_status, ==, OTR_SMP_ERROR);
    g_assert_cmpint(ev.error, ==, OTR_ERR_STATE);
    assert_pending(&p->wb, "2,6");
    deliver(p, FALSE); /* Alice: SMP1 unexpected too, then the abort */
    ev = last_smp(&p->oa, NULL);
    g_assert_cmpint(ev.smp_status, ==, OTR_SMP_ABORTED);
    assert_pending(&p->wa, "6");
    deliver(p, TRUE);
    ev = last_smp(&p->ob, NULL);
    g_assert_cmpint(ev.smp_status, ==, OTR_SMP_ABORTED);
    g_assert_cmpint(otr_smp_state(p->a), ==, OTR_SMP_EXPECT1);
    g_assert_cmpint(otr_smp_state(p->b), ==, OTR_SMP_EXPECT1);
    writer_reset(&p->wa);
    writer_reset(&p->wb);
    otr_outbox_clear(&p->oa);
    otr_outbox_clear(&p->ob);

    run(p, NULL, "z", "z", &ra, &rb);
    g_assert_cmpint(ra, ==, OTR_SMP_SUCCESS);
}

/* Every SMP TLV type in every state it is not expected in. */
static void
test_smp_wrong_state(Pair *p, gconstpointer data)
{
    static const guint16 types[] = { OTR_TLV_SMP1, OTR_TLV_SMP2, OTR_TLV_SMP3,
                                     OTR_TLV_SMP4, OTR_TLV_SMP1Q };
    /* state reached by: 0 fresh, 1 Alice after start (EXPECT2), 2 Bob
     * after respond (EXPECT3), 3 Alice after SMP2 (EXPECT4) */
    for (int st = 0; st < 4; st++) {
        for (guint t = 0; t < G_N_ELEMENTS(types); t++) {
            OtrSmp *who;
            OtrWriter *w;
            OtrOutbox *o;
            OtrSmpState s;
            OtrTlv tlv = { types[t], 0, NULL };
            OtrEvent ev;
            OtrError err;

            advance(p, st == 0 ? -1 : st);
            who = (st == 2) ? p->b : p->a;
            w = (st == 2) ? &p->wb : &p->wa;
            o = (st == 2) ? &p->ob : &p->oa;
            s = otr_smp_state(who);
            g_assert_cmpint(s, ==, st);
            if ((s == OTR_SMP_EXPECT1 &&
                 (types[t] == OTR_TLV_SMP1 || types[t] == OTR_TLV_SMP1Q)) ||
                (s != OTR_SMP_EXPECT1 && types[t] == (guint16)(s + 2))) {
                otr_smp_reset(p->a);
                otr_smp_reset(p->b);
                writer_reset(&p->wa);
                writer_reset(&p->wb);
                continue;
            }
            writer_reset(w);
            err = otr_smp_receive(who, &p->host, &tlv, w, o);
            g_assert_cmpint(err, ==, OTR_OK);
            ev = last_smp(o, NULL);
            g_assert_cmpint(ev.smp_status, ==, OTR_SMP_ERROR);
            g_assert_cmpint(ev.error, ==, OTR_ERR_STATE);
            assert_pending(w, "6");
            g_assert_cmpint(otr_smp_state(who), ==, OTR_SMP_EXPECT1);
            otr_smp_reset(p->a);
            otr_smp_reset(p->b);
            writer_reset(&p->wa);
            writer_reset(&p->wb);
        }
    }
    /* An abort in the idle state is harmless. */
    {
        OtrTlv tlv = { OTR_TLV_SMP_ABORT, 0, NULL };
        OtrTlv bad = { OTR_TLV_SYMKEY, 0, NULL };

        g_assert_cmpint(otr_smp_receive(p->a, &p->host, &tlv, &p->wa, &p->oa),
                        ==, OTR_OK);
        assert_pending(&p->wa, "");
        g_assert_cmpint(otr_smp_receive(p->a, &p->host, &bad, &p->wa, &p->oa),
                        ==, OTR_ERR_INVALID);
    }
}

/* ---- Malformed and hostile messages ------------------------------------- */

/* Feeds payload as a TLV of type to who; checks an ERROR with err, an
 * abort, and state EXPECT1. */
static void
expect_error(Pair *p,
             gboolean to_alice,
             guint16 type,
             const uint8_t *data,
             size_t len,
             OtrError want)
{
    OtrSmp *who = to_alice ? p->a : p->b;
    OtrWriter *w = to_alice ? &p->wa : &p->wb;
    OtrOutbox *o = to_alice ? &p->oa : &p->ob;
    OtrTlv tlv = { type, (guint16)len, data };
    OtrEvent ev;

    writer_reset(w);
    otr_outbox_clear(o);
    g_assert_cmpint(otr_smp_receive(who, &p->host, &tlv, w, o), ==, OTR_OK);
    ev = last_smp(o, NULL);
    g_assert_cmpint(ev.smp_status, ==, OTR_SMP_ERROR);
    g_assert_cmpint(ev.error, ==, want);
    assert_pending(w, "6");
    g_assert_cmpint(otr_smp_state(who), ==, OTR_SMP_EXPECT1);
    g_assert_false(otr_smp_asked(who));
}

typedef struct {
    guint16 type;
    GByteArray *payload; /* the genuine message */
    gboolean to_alice;
    int step;
    size_t count;
    size_t qlen; /* question prefix length (TLV 7) */
} Genuine;

/* Replays, from fresh objects and an RNG seeded with seed, the exchange up
 * to the message of step (0: SMP1Q, 1: SMP2, 2: SMP3, 3: SMP4), which is
 * taken out of the sender's writer: the receiver waits for it. The same
 * seed gives the same exchange, bit for bit. */
static Genuine
rewind_to(Pair *p, int step, guint32 seed)
{
    Genuine g = { 0 };
    static const size_t counts[] = { 6, 11, 8, 3 };

    otr_smp_reset(p->a);
    otr_smp_reset(p->b);
    writer_reset(&p->wa);
    writer_reset(&p->wb);
    test_host_clear(&p->th);
    test_host_init(&p->th, seed);
    if (step == 0)
        start(p, "Q", "s");
    else
        advance(p, step);
    otr_outbox_clear(&p->oa);
    otr_outbox_clear(&p->ob);
    g.to_alice = step % 2 == 1;
    g.payload = take_payload(g.to_alice ? &p->wb : &p->wa, &g.type);
    g.step = step;
    g.count = counts[step];
    g.qlen = step == 0 ? 2 : 0;
    return g;
}

static Genuine
capture(Pair *p, int step)
{
    return rewind_to(p, step, 0x600du + (guint32)step);
}

/* Puts the receiver back in the state in which g is expected. */
static void
replay_to(Pair *p, const Genuine *g)
{
    Genuine again = rewind_to(p, g->step, 0x600du + (guint32)g->step);

    g_assert_cmpmem(again.payload->data, again.payload->len, g->payload->data,
                    g->payload->len);
    g_byte_array_unref(again.payload);
}

/* The receiver accepts data (positive control for the hostile variants). */
static void
expect_accepted(Pair *p, const Genuine *g, const uint8_t *data, size_t len)
{
    OtrSmp *who = g->to_alice ? p->a : p->b;
    OtrWriter *w = g->to_alice ? &p->wa : &p->wb;
    OtrOutbox *o = g->to_alice ? &p->oa : &p->ob;
    OtrTlv tlv = { g->type, (guint16)len, data };
    OtrEvent ev;

    g_assert_cmpint(otr_smp_receive(who, &p->host, &tlv, w, o), ==, OTR_OK);
    ev = last_smp(o, NULL);
    g_assert_cmpint(ev.smp_status, !=, OTR_SMP_ERROR);
    g_assert_cmpint(ev.smp_status, !=, OTR_SMP_FAILURE);
}

static void
test_smp_malformed(Pair *p, gconstpointer data)
{
    for (int step = 0; step <= 3; step++) {
        Genuine g = capture(p, step);
        size_t len = g.payload->len - g.qlen;
        GByteArray *m;

        /* truncated anywhere in the MPI part */
        for (size_t cut = 0; cut < len; cut += (cut < 16 ? 1 : 37)) {
            m = g_byte_array_new();
            g_byte_array_append(m, g.payload->data, (guint)(g.qlen + cut));
            replay_to(p, &g);
            expect_error(p, g.to_alice, g.type, m->data, m->len,
                         OTR_ERR_MALFORMED);
            g_byte_array_unref(m);
        }
        /* wrong counts */
        for (guint32 c = 0; c < 13; c++) {
            if (c == g.count)
                continue;
            m = g_byte_array_new();
            g_byte_array_append(m, g.payload->data, g.payload->len);
            m->data[g.qlen + 0] = 0;
            m->data[g.qlen + 1] = 0;
            m->data[g.qlen + 2] = 0;
            m->data[g.qlen + 3] = (uint8_t)c;
            replay_to(p, &g);
            expect_error(p, g.to_alice, g.type, m->data, m->len,
                         OTR_ERR_MALFORMED);
            g_byte_array_unref(m);
        }
        /* a huge count */
        m = g_byte_array_new();
        g_byte_array_append(m, g.payload->data, g.payload->len);
        m->data[g.qlen] = 0xff;
        replay_to(p, &g);
        expect_error(p, g.to_alice, g.type, m->data, m->len, OTR_ERR_MALFORMED);
        /* trailing byte */
        g_byte_array_append(m, (const uint8_t *)"\0", 1);
        m->data[g.qlen] = 0;
        replay_to(p, &g);
        expect_error(p, g.to_alice, g.type, m->data, m->len, OTR_ERR_MALFORMED);
        g_byte_array_unref(m);
        /* first MPI length beyond the end */
        m = g_byte_array_new();
        g_byte_array_append(m, g.payload->data, g.payload->len);
        m->data[g.qlen + 4] = 0x7f;
        replay_to(p, &g);
        expect_error(p, g.to_alice, g.type, m->data, m->len, OTR_ERR_MALFORMED);
        g_byte_array_unref(m);
        g_byte_array_unref(g.payload);
    }
    /* TLV 7 without a NUL, and empty TLVs 2 / 7 */
    {
        static const uint8_t q[] = "no terminator";

        expect_error(p, FALSE, OTR_TLV_SMP1Q, q, sizeof q - 1,
                     OTR_ERR_MALFORMED);
        expect_error(p, FALSE, OTR_TLV_SMP1Q, NULL, 0, OTR_ERR_MALFORMED);
        expect_error(p, FALSE, OTR_TLV_SMP1, NULL, 0, OTR_ERR_MALFORMED);
    }
}

/* Rewrites value idx of g's message as v (count + MPIs re-serialised). */
static GByteArray *
substitute(const Genuine *g, size_t idx, mpz_srcptr v)
{
    mpz_t vals[11];
    mpz_ptr ptr[11];
    GByteArray *m = g_byte_array_new();

    for (size_t i = 0; i < g->count; i++) {
        mpz_init(vals[i]);
        ptr[i] = vals[i];
    }
    g_assert_cmpint(otr_group_read_mpis(g->payload->data + g->qlen,
                                        g->payload->len - g->qlen, g->count,
                                        ptr),
                    ==, OTR_OK);
    if (v)
        mpz_set(vals[idx], v);
    g_byte_array_append(m, g->payload->data, (guint)g->qlen);
    otr_group_write_mpis(m, g->count, (mpz_srcptr const *)ptr);
    for (size_t i = 0; i < g->count; i++)
        mpz_clear(vals[i]);
    return m;
}

/* Which values of each message are group elements, exponents (D) and
 * hashes (c). */
static const char *const roles[] = {
    "ecdecd",      /* SMP1: g2a c2 D2 g3a c3 D3 */
    "ecdecdeecdd", /* SMP2: g2b c2 D2 g3b c3 D3 Pb Qb cP D5 D6 */
    "eecddecd",    /* SMP3: Pa Qa cP D5 D6 Ra cR D7 */
    "ecd",         /* SMP4: Rb cR D7 */
};

static void
test_smp_bad_values(Pair *p, gconstpointer data)
{
    mpz_t v;

    mpz_init(v);
    for (int step = 0; step <= 3; step++) {
        Genuine g = capture(p, step);
        GByteArray *m;

        /* the unmodified message is accepted after a replay */
        replay_to(p, &g);
        expect_accepted(p, &g, g.payload->data, g.payload->len);
        for (size_t i = 0; i < g.count; i++) {
            char role = roles[step][i];

            if (role == 'e') {
                /* 0, 1, p - 1, p, p + 1 */
                static const int deltas[] = { 0, 1, -1, 0, 1 };
                for (int k = 0; k < 5; k++) {
                    if (k < 2)
                        mpz_set_ui(v, (unsigned long)deltas[k]);
                    else if (k == 2)
                        mpz_sub_ui(v, otr_group_p(), 1);
                    else if (k == 3)
                        mpz_set(v, otr_group_p());
                    else
                        mpz_add_ui(v, otr_group_p(), 1);
                    if (mpz_sizeinbase(v, 256) > OTR_GROUP_BYTES)
                        continue; /* p + 1 does not fit: malformed */
                    m = substitute(&g, i, v);
                    replay_to(p, &g);
                    expect_error(p, g.to_alice, g.type, m->data, m->len,
                                 OTR_ERR_BAD_VALUE);
                    g_byte_array_unref(m);
                }
            } else if (role == 'd') {
                /* 0, q, q + 1 */
                for (int k = 0; k < 3; k++) {
                    if (k == 0)
                        mpz_set_ui(v, 0);
                    else
                        mpz_add_ui(v, otr_group_q(), (unsigned long)k - 1);
                    m = substitute(&g, i, v);
                    replay_to(p, &g);
                    expect_error(p, g.to_alice, g.type, m->data, m->len,
                                 OTR_ERR_BAD_VALUE);
                    g_byte_array_unref(m);
                }
            }
            /* tampered but in range: c + 1, D + 1 mod q, element * 2 */
            {
                mpz_t vals[11];
                mpz_ptr ptr[11];

                for (size_t j = 0; j < g.count; j++) {
                    mpz_init(vals[j]);
                    ptr[j] = vals[j];
                }
                otr_group_read_mpis(g.payload->data + g.qlen,
                                    g.payload->len - g.qlen, g.count, ptr);
                if (role == 'e') {
                    mpz_mul_ui(v, vals[i], 2);
                    mpz_mod(v, v, otr_group_p());
                } else {
                    mpz_add_ui(v, vals[i], 1);
                    if (role == 'd')
                        mpz_mod(v, v, otr_group_q());
                }
                for (size_t j = 0; j < g.count; j++)
                    mpz_clear(vals[j]);
            }
            if (otr_group_elem_valid(v) || role != 'e') {
                m = substitute(&g, i, v);
                replay_to(p, &g);
                expect_error(p, g.to_alice, g.type, m->data, m->len,
                             OTR_ERR_BAD_VALUE);
                g_byte_array_unref(m);
            }
        }
        g_byte_array_unref(g.payload);
    }
    mpz_clear(v);
}

/* A genuine message from one exchange replayed into another fails its
 * proofs (they bind g2/g3 and Qa/Qb of the exchange). */
static void
test_smp_cross_exchange(Pair *p, gconstpointer data)
{
    for (int step = 1; step <= 3; step++) {
        Genuine g = capture(p, step);
        Genuine other = rewind_to(p, step, 0xbadu);

        g_byte_array_unref(other.payload);
        expect_error(p, g.to_alice, g.type, g.payload->data, g.payload->len,
                     OTR_ERR_BAD_VALUE);
        g_byte_array_unref(g.payload);
    }
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    otr_init();

#define PAIR_TEST(path, fn)                                                    \
    g_test_add(path, Pair, NULL, pair_setup, fn, pair_teardown)
    PAIR_TEST("/core/smp/success", test_smp_success);
    PAIR_TEST("/core/smp/question", test_smp_question);
    PAIR_TEST("/core/smp/failure", test_smp_failure);
    PAIR_TEST("/core/smp/context-bound", test_smp_context_bound);
    PAIR_TEST("/core/smp/abort", test_smp_abort);
    PAIR_TEST("/core/smp/late-message", test_smp_late_message);
    PAIR_TEST("/core/smp/restart", test_smp_restart);
    PAIR_TEST("/core/smp/wrong-state", test_smp_wrong_state);
    PAIR_TEST("/core/smp/malformed", test_smp_malformed);
    PAIR_TEST("/core/smp/bad-values", test_smp_bad_values);
    PAIR_TEST("/core/smp/cross-exchange", test_smp_cross_exchange);
    g_test_add_func("/core/smp/group/constants", test_group_constants);
    g_test_add_func("/core/smp/group/ranges", test_group_ranges);
    g_test_add_func("/core/smp/group/powm", test_group_powm);
    g_test_add_func("/core/smp/group/multi-exp", test_group_multi_exp);
    g_test_add_func("/core/smp/group/ops", test_group_ops);
    g_test_add_func("/core/smp/group/serialise", test_group_serialise);
    add_libotr_tests();
    return g_test_run();
}
