/* Offrec fuzz target — identity store: the fingerprints file parser.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Whatever the input, parsing must not crash, a failure must come with a
 * message, and what was loaded must write out and read back to the same
 * bytes (store-fuzz-common.c).
 */
#include "store-fuzz-common.h"
#include "store.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return store_fuzz_roundtrip(data, size, otr_store_fprs_parse,
                                otr_store_fprs_serialize);
}
