/* Offrec fuzz targets — what every target shares: the libFuzzer entry
 * point's prototype and CHECK, which aborts (a crash for libFuzzer) when
 * an invariant fails.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef OTR_FUZZ_COMMON_H
#define OTR_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                            \
    do {                                                                       \
        if (!(cond))                                                           \
            abort();                                                           \
    } while (0)

#endif /* OTR_FUZZ_COMMON_H */
