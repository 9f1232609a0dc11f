/* Offrec tests — seeded randomness and a fake clock for the core.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef OTR_TESTUTIL_H
#define OTR_TESTUTIL_H

#include "otr.h"

/* Deterministic host: GRand seeded with seed, clock starting at 1000 s. */
typedef struct {
    GRand *rand;
    gint64 now;
    GPtrArray *log; /* of char*, when non-NULL */
} TestHost;

extern const OtrHostOps test_host_ops;

void test_host_init(TestHost *th, guint32 seed);
void test_host_clear(TestHost *th);

/* A DSA key generated once per process and cached (keygen is slow);
 * index 0..3 gives distinct keys. Borrowed. */
const OtrPrivKey *test_key(int index);

#endif
