/* Offrec bench — one interface over two OTR implementations, so the same
 * scenarios run on ours and on libotr in one process.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef OTR_BENCH_H
#define OTR_BENCH_H

#include <stddef.h>

#include <glib.h>

/* Two endpoints, Alice and Bob, connected by an in-memory network. */
typedef struct BenchPair BenchPair;

typedef struct {
    const char *name;
    /* Once per process: keys for Alice and Bob (generated or loaded). */
    void (*setup)(const char *keydir);
    void (*teardown)(void);
    /* max_msg: fragment size (0: none). buddy: index of Alice's buddy. */
    BenchPair *(*pair_new)(size_t max_msg, int buddy);
    void (*pair_free)(BenchPair *p);
    /* Free Bob's side only (heap measurement keeps Alice's). */
    void (*pair_drop_bob)(BenchPair *p);
    /* Alice sends a query; returns when both are encrypted. */
    gboolean (*ake)(BenchPair *p);
    /* One endpoint sends text, the other receives it; TRUE if it arrived
     * intact and private. */
    gboolean (*send)(BenchPair *p, gboolean from_alice, const char *text);
    /* SMP with both secrets; TRUE if the outcome matched expectation
     * (success when equal, failure otherwise) on both sides. */
    gboolean (*smp)(BenchPair *p, const char *secret_a, const char *secret_b);
} BenchImpl;

extern const BenchImpl bench_ours;
extern const BenchImpl bench_libotr;

#endif
