/* Offrec tests — the SMP test harness: Alice and Bob exchanging TLVs
 * directly, and the drivers of a whole or partial exchange.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef OTR_TEST_SMP_HARNESS_H
#define OTR_TEST_SMP_HARNESS_H

#include "smp-private.h"
#include "testutil.h"

/* ---- Fixture: Alice and Bob exchanging TLVs directly -------------------- */

typedef struct {
    TestHost th;
    OtrHost host;
    OtrSmp *a, *b;
    OtrSmpContext ca, cb;
    OtrWriter wa, wb; /* TLVs Alice / Bob want to send */
    OtrOutbox oa, ob;
} Pair;

void pair_setup(Pair *p, gconstpointer data);
void pair_teardown(Pair *p, gconstpointer data);

void writer_reset(OtrWriter *w);
/* Splits a run of TLVs (type, len, value) into an array of OtrTlv that
 * borrows from bytes. */
GArray *split_tlvs(GBytes *bytes);
/* What w holds (w is emptied). */
GBytes *take(OtrWriter *w);
/* Delivers one side's pending TLVs to the other side. Returns how many. */
guint deliver(Pair *p, gboolean from_alice);
/* Types of the pending TLVs, e.g. "6,2". */
char *pending(OtrWriter *w);

#define assert_pending(w, str)                                                 \
    do {                                                                       \
        char *got_ = pending(w);                                               \
        g_assert_cmpstr(got_, ==, str);                                        \
        g_free(got_);                                                          \
    } while (0)

/* The last SMP event in out, then empties out. */
OtrEvent last_smp(OtrOutbox *out, char **text);
/* Alice starts, Bob responds (each must succeed). */
void start(Pair *p, const char *question, const char *secret);
void respond(Pair *p, const char *secret);
/* Runs a whole exchange; returns Alice's and Bob's final status. */
void run(Pair *p,
         const char *question,
         const char *sa,
         const char *sb,
         OtrSmpStatus *ra,
         OtrSmpStatus *rb);
/* Drives the exchange to just before step `step` (0: nothing sent yet,
 * 1: SMP1 delivered, 2: SMP2 delivered, 3: SMP3 delivered). */
void advance(Pair *p, int step);
/* Payload of the single pending TLV of w (consumed). */
GByteArray *take_payload(OtrWriter *w, guint16 *type);

/* ---- smp-group-tests.c: group arithmetic --------------------------------- */

void test_group_constants(void);
void test_group_ranges(void);
void test_group_powm(void);
void test_group_multi_exp(void);
void test_group_ops(void);
void test_group_serialise(void);

/* ---- smp-libotr-tests.c: against libotr's SMP, when installed ------------ */

/* Registers /core/smp/libotr-interop and /core/smp/speed (or nothing when
 * libotr's headers were missing at build time). */
void add_libotr_tests(void);

#endif /* OTR_TEST_SMP_HARNESS_H */
