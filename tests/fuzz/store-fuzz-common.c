/* Offrec fuzz helper — the round-trip check of the identity store targets.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "store-fuzz-common.h"

#include <string.h>

int
store_fuzz_roundtrip(const uint8_t *data,
                     size_t size,
                     StoreFuzzParse parse,
                     StoreFuzzSerialize serialize)
{
    OtrStore *s, *t;
    GError *err = NULL;
    char *out, *again;
    gsize len, len2;

    if (size > 256 * 1024)
        return 0;
    otr_init();
    s = otr_store_new();
    if (!parse(s, (const char *)data, size, "fuzz", &err)) {
        CHECK(err && err->message && strstr(err->message, "fuzz:"));
        g_clear_error(&err);
    }
    out = serialize(s, &len);
    t = otr_store_new();
    CHECK(parse(t, out, len, "again", NULL));
    again = serialize(t, &len2);
    CHECK(len == len2 && memcmp(out, again, len) == 0);
    g_free(out);
    g_free(again);
    otr_store_free(s);
    otr_store_free(t);
    return 0;
}
