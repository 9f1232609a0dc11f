/* Offrec fuzz helper — the parse / serialize / re-parse check shared by the
 * identity store targets.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef OTR_STORE_FUZZ_COMMON_H
#define OTR_STORE_FUZZ_COMMON_H

#include "fuzz-common.h"
#include "store.h"

typedef gboolean (*StoreFuzzParse)(OtrStore *store,
                                   const char *data,
                                   gsize len,
                                   const char *name,
                                   GError **error);
typedef char *(*StoreFuzzSerialize)(const OtrStore *store, gsize *len);

/* Parses data (at most 256 KiB are tried) into a fresh store: a failure
 * must come with a message naming the input, and whatever was loaded must
 * serialize, parse again without error and serialize to the same bytes.
 * Aborts otherwise; returns 0 for LLVMFuzzerTestOneInput. */
int store_fuzz_roundtrip(const uint8_t *data,
                         size_t size,
                         StoreFuzzParse parse,
                         StoreFuzzSerialize serialize);

#endif /* OTR_STORE_FUZZ_COMMON_H */
