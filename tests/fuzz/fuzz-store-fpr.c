/* Offrec fuzz target — identity store: the fingerprints file parser.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Whatever the input, parsing must not crash, a failure must come with a
 * message, and what was loaded must write out and read back to the same
 * bytes.
 */
#include <stdlib.h>
#include <string.h>

#include "store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                            \
    do {                                                                       \
        if (!(cond))                                                           \
            abort();                                                           \
    } while (0)

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    OtrStore *s, *t;
    GError *err = NULL;
    char *out, *again;
    gsize len, len2;

    if (size > 256 * 1024)
        return 0;
    otr_init();
    s = otr_store_new();
    if (!otr_store_fprs_parse(s, (const char *)data, size, "fuzz", &err)) {
        CHECK(err && err->message && strstr(err->message, "fuzz:"));
        g_clear_error(&err);
    }
    out = otr_store_fprs_serialize(s, &len);
    t = otr_store_new();
    CHECK(otr_store_fprs_parse(t, out, len, "again", NULL));
    again = otr_store_fprs_serialize(t, &len2);
    CHECK(len == len2 && memcmp(out, again, len) == 0);
    g_free(out);
    g_free(again);
    otr_store_free(s);
    otr_store_free(t);
    return 0;
}
