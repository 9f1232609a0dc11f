/* Offrec tests — SMP against libotr's own SMP steps (libotr/sm.h), loaded
 * at run time when libotr.so.5 is installed; registered by test-smp.c.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <string.h>

#include <gcrypt.h>

#include "smp-harness.h"

#if defined(__has_include)
#if __has_include(<libotr/sm.h>) && __has_include(<dlfcn.h>)
#include <dlfcn.h>
#include <libotr/sm.h>
#define HAVE_LIBOTR_SM 1
#endif
#endif

#ifdef HAVE_LIBOTR_SM

typedef struct {
    void (*init)(void);
    void (*state_new)(OtrlSMState *);
    void (*state_free)(OtrlSMState *);
    gcry_error_t (*step1)(OtrlSMState *,
                          const unsigned char *,
                          int,
                          unsigned char **,
                          int *);
    gcry_error_t (*step2a)(OtrlSMState *, const unsigned char *, int, int);
    gcry_error_t (*step2b)(OtrlSMState *,
                           const unsigned char *,
                           int,
                           unsigned char **,
                           int *);
    gcry_error_t (*step3)(OtrlSMState *,
                          const unsigned char *,
                          int,
                          unsigned char **,
                          int *);
    gcry_error_t (*step4)(OtrlSMState *,
                          const unsigned char *,
                          int,
                          unsigned char **,
                          int *);
    gcry_error_t (*step5)(OtrlSMState *, const unsigned char *, int);
} LibotrSm;

static const LibotrSm *
libotr_sm(void)
{
    static LibotrSm sm;
    static gboolean tried, ok;

    if (!tried) {
        void *h = dlopen("libotr.so.5", RTLD_NOW | RTLD_LOCAL);

        tried = TRUE;
        if (!h)
            return NULL;
#define SYM(field, name)                                                       \
    if (!(*(void **)&sm.field = dlsym(h, name)))                               \
        return NULL;
        SYM(init, "otrl_sm_init");
        SYM(state_new, "otrl_sm_state_new");
        SYM(state_free, "otrl_sm_state_free");
        SYM(step1, "otrl_sm_step1");
        SYM(step2a, "otrl_sm_step2a");
        SYM(step2b, "otrl_sm_step2b");
        SYM(step3, "otrl_sm_step3");
        SYM(step4, "otrl_sm_step4");
        SYM(step5, "otrl_sm_step5");
#undef SYM
        sm.init();
        ok = TRUE;
    }
    return ok ? &sm : NULL;
}

/* libotr's combined secret, computed here independently of smp.c from the
 * layout in libotr's message.c: 0x01 || initiator fpr || responder fpr ||
 * ssid || user secret, SHA-256. */
static void
libotr_secret(const OtrSmpContext *initiator_ctx,
              const char *secret,
              uint8_t out[32])
{
    GByteArray *b = g_byte_array_new();

    g_byte_array_append(b, (const guint8 *)"\x01", 1);
    g_byte_array_append(b, initiator_ctx->our_fpr, OTR_FPR_LEN);
    g_byte_array_append(b, initiator_ctx->their_fpr, OTR_FPR_LEN);
    g_byte_array_append(b, initiator_ctx->ssid, OTR_SSID_LEN);
    g_byte_array_append(b, (const guint8 *)secret, (guint)strlen(secret));
    gcry_md_hash_buffer(GCRY_MD_SHA256, out, b->data, b->len);
    g_byte_array_unref(b);
}

/* Feeds bytes to an OtrSmp as a TLV of type; returns its reply payload
 * (or NULL if none) and the last SMP event's status. */
static GByteArray *
feed(Pair *p,
     gboolean to_alice,
     guint16 type,
     const uint8_t *data,
     size_t len,
     OtrSmpStatus *status)
{
    OtrTlv tlv = { type, (guint16)len, data };
    OtrWriter *w = to_alice ? &p->wa : &p->wb;
    OtrOutbox *o = to_alice ? &p->oa : &p->ob;
    GByteArray *reply = NULL;
    guint16 rtype;
    char *types;

    g_assert_cmpint(otr_smp_receive(to_alice ? p->a : p->b, &p->host, &tlv, w,
                                    o),
                    ==, OTR_OK);
    *status = last_smp(o, NULL).smp_status;
    types = pending(w);
    if (types[0])
        reply = take_payload(w, &rtype);
    g_free(types);
    return reply;
}

/* Our Alice against libotr's Bob. */
static void
ours_vs_libotr(Pair *p, const LibotrSm *sm, const char *sa, const char *sb)
{
    OtrlSMState bob;
    uint8_t sec[32];
    unsigned char *out = NULL;
    int outlen = 0;
    guint16 type;
    GByteArray *m, *m3, *none;
    OtrSmpStatus st;
    gboolean same = strcmp(sa, sb) == 0;

    sm->state_new(&bob);
    start(p, NULL, sa);
    otr_outbox_clear(&p->oa);
    m = take_payload(&p->wa, &type);
    g_assert_cmpint(sm->step2a(&bob, m->data, (int)m->len, 0), ==, 0);
    libotr_secret(&p->ca, sb, sec);
    g_assert_cmpint(sm->step2b(&bob, sec, 32, &out, &outlen), ==, 0);
    m3 = feed(p, TRUE, OTR_TLV_SMP2, out, (size_t)outlen, &st);
    free(out);
    g_assert_cmpint(st, ==, OTR_SMP_PROGRESS);
    g_assert_nonnull(m3);
    g_assert_cmpint(sm->step4(&bob, m3->data, (int)m3->len, &out, &outlen) == 0,
                    ==, same);
    g_assert_cmpint(bob.sm_prog_state, ==,
                    same ? OTRL_SMP_PROG_SUCCEEDED : OTRL_SMP_PROG_FAILED);
    none = feed(p, TRUE, OTR_TLV_SMP4, out, (size_t)outlen, &st);
    free(out);
    g_assert_null(none);
    g_assert_cmpint(st, ==, same ? OTR_SMP_SUCCESS : OTR_SMP_FAILURE);
    sm->state_free(&bob);
    g_byte_array_unref(m);
    g_byte_array_unref(m3);
}

/* libotr's Alice against our Bob. */
static void
libotr_vs_ours(Pair *p, const LibotrSm *sm, const char *sa, const char *sb)
{
    OtrlSMState alice;
    uint8_t sec[32];
    unsigned char *out = NULL;
    int outlen = 0;
    GByteArray *m2, *m4, *none;
    OtrSmpStatus st;
    gboolean same = strcmp(sa, sb) == 0;

    sm->state_new(&alice);
    libotr_secret(&p->ca, sa, sec);
    g_assert_cmpint(sm->step1(&alice, sec, 32, &out, &outlen), ==, 0);
    none = feed(p, FALSE, OTR_TLV_SMP1, out, (size_t)outlen, &st);
    free(out);
    g_assert_null(none);
    g_assert_cmpint(st, ==, OTR_SMP_ASKED);
    respond(p, sb);
    otr_outbox_clear(&p->ob);
    {
        guint16 type;

        m2 = take_payload(&p->wb, &type);
        g_assert_cmpint(type, ==, OTR_TLV_SMP2);
    }
    g_assert_cmpint(sm->step3(&alice, m2->data, (int)m2->len, &out, &outlen),
                    ==, 0);
    g_assert_cmpint(alice.sm_prog_state, ==, OTRL_SMP_PROG_OK);
    m4 = feed(p, FALSE, OTR_TLV_SMP3, out, (size_t)outlen, &st);
    free(out);
    g_assert_cmpint(st, ==, same ? OTR_SMP_SUCCESS : OTR_SMP_FAILURE);
    g_assert_nonnull(m4);
    g_assert_cmpint(sm->step5(&alice, m4->data, (int)m4->len) == 0, ==, same);
    g_assert_cmpint(alice.sm_prog_state, ==,
                    same ? OTRL_SMP_PROG_SUCCEEDED : OTRL_SMP_PROG_FAILED);
    sm->state_free(&alice);
    g_byte_array_unref(m2);
    g_byte_array_unref(m4);
}

static void
test_smp_libotr(Pair *p, gconstpointer data)
{
    const LibotrSm *sm = libotr_sm();

    if (!sm) {
        g_test_skip("libotr.so.5 not loadable");
        return;
    }
    ours_vs_libotr(p, sm, "shared", "shared");
    ours_vs_libotr(p, sm, "shared", "other");
    libotr_vs_ours(p, sm, "shared", "shared");
    libotr_vs_ours(p, sm, "shared", "other");
    /* a cheating libotr-side message is refused by libotr as well as us:
     * our SMP1 with a tampered D2 */
    {
        OtrlSMState bob;
        GByteArray *m;
        guint16 type;

        sm->state_new(&bob);
        start(p, NULL, "x");
        otr_outbox_clear(&p->oa);
        m = take_payload(&p->wa, &type);
        m->data[4 + 4 + 192 + 4 + 10] ^= 1; /* inside c2 */
        g_assert_cmpint(sm->step2a(&bob, m->data, (int)m->len, 0), !=, 0);
        otr_smp_reset(p->a);
        sm->state_free(&bob);
        g_byte_array_unref(m);
    }
}

/* Time of whole exchanges, ours against libotr's (both sides each). */
static void
test_smp_speed(Pair *p, gconstpointer data)
{
    const LibotrSm *sm = libotr_sm();
    const int runs = 4;
    double ours, theirs, ratio;
    OtrSmpStatus ra, rb;

    if (!sm) {
        g_test_skip("libotr.so.5 not loadable");
        return;
    }
    g_test_timer_start();
    for (int i = 0; i < runs; i++) {
        run(p, NULL, "s", "s", &ra, &rb);
        g_assert_cmpint(ra, ==, OTR_SMP_SUCCESS);
    }
    ours = g_test_timer_elapsed() / runs;

    g_test_timer_start();
    for (int i = 0; i < runs; i++) {
        OtrlSMState a, b;
        uint8_t sec[32];
        unsigned char *m1, *m2, *m3, *m4;
        int l1, l2, l3, l4;

        libotr_secret(&p->ca, "s", sec);
        sm->state_new(&a);
        sm->state_new(&b);
        sm->step1(&a, sec, 32, &m1, &l1);
        sm->step2a(&b, m1, l1, 0);
        sm->step2b(&b, sec, 32, &m2, &l2);
        sm->step3(&a, m2, l2, &m3, &l3);
        g_assert_cmpint(sm->step4(&b, m3, l3, &m4, &l4), ==, 0);
        g_assert_cmpint(sm->step5(&a, m4, l4), ==, 0);
        free(m1);
        free(m2);
        free(m3);
        free(m4);
        sm->state_free(&a);
        sm->state_free(&b);
    }
    theirs = g_test_timer_elapsed() / runs;
    ratio = ours / theirs;
    g_test_message("SMP run: ours %.1f ms, libotr %.1f ms, ratio %.2f",
                   ours * 1e3, theirs * 1e3, ratio);
    if (g_test_perf())
        g_assert_cmpfloat(ratio, <=, 0.45);
}

void
add_libotr_tests(void)
{
    g_test_add("/core/smp/libotr-interop", Pair, NULL, pair_setup,
               test_smp_libotr, pair_teardown);
    g_test_add("/core/smp/speed", Pair, NULL, pair_setup, test_smp_speed,
               pair_teardown);
}

#else

void
add_libotr_tests(void)
{
}

#endif
