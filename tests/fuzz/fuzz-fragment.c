/* Offrec fuzz target — fragment parsing, reassembly and splitting.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The input is a sequence of messages separated by '\n'. Each is
 * classified; fragments are parsed and fed to one reassembly buffer per
 * version, like the session does per sender instance. Then the whole input
 * (commas and NULs replaced) is split at a size taken from its first byte
 * and must reassemble to itself.
 */
#include <stdlib.h>
#include <string.h>

#include "fragment-private.h"
#include "fuzz-common.h"
#include "proto-private.h"

static void
feed(OtrReassembly ra[2], const char *msg, size_t len)
{
    OtrClassified c;
    OtrFragment f;
    OtrFragResult res;
    char *whole = NULL;
    OtrError err;

    otr_classify(msg, len, &c);
    if (c.kind != OTR_KIND_FRAGMENT)
        return;
    if (otr_fragment_parse(msg + c.start, len - c.start, &f) != OTR_OK)
        return;
    CHECK(f.version == 2 || f.version == 3);
    err = otr_reassembly_add(&ra[f.version - 2], &f, &res, &whole);
    if (err != OTR_OK) {
        CHECK(err == OTR_ERR_TOO_BIG);
        CHECK(ra[f.version - 2].buf == NULL);
        return;
    }
    if (res == OTR_FRAG_COMPLETE) {
        CHECK(whole != NULL);
        CHECK(strlen(whole) > 0 && strlen(whole) <= OTR_FRAG_MAX_BYTES);
        otr_classify(whole, strlen(whole), &c);
        g_free(whole);
    } else {
        CHECK(whole == NULL);
    }
}

static void
split_round_trip(const uint8_t *data, size_t size)
{
    char *msg = g_strndup((const char *)data + 1, size - 1);
    size_t len = strlen(msg), max = 19 + data[0];
    int version = (data[0] & 1) ? 3 : 2;
    OtrReassembly ra = { 0 };
    char **pieces;
    guint n;

    for (size_t i = 0; i < len; i++) {
        if (msg[i] == ',')
            msg[i] = '.';
    }
    if (version == 3)
        max += 18;
    pieces = otr_fragment_split(msg, max, version, 0x100, 0x101);
    if (pieces == NULL) {
        g_free(msg);
        return;
    }
    n = g_strv_length(pieces);
    CHECK(n >= 1);
    if (n == 1 && len <= max) {
        CHECK(strcmp(pieces[0], msg) == 0);
    } else {
        for (guint i = 0; i < n; i++) {
            OtrFragment f;
            OtrFragResult res;
            char *whole = NULL;

            CHECK(strlen(pieces[i]) <= max);
            CHECK(otr_fragment_parse(pieces[i], strlen(pieces[i]), &f) ==
                  OTR_OK);
            CHECK(f.k == i + 1 && f.n == n && f.version == version);
            CHECK(otr_reassembly_add(&ra, &f, &res, &whole) == OTR_OK);
            CHECK((res == OTR_FRAG_COMPLETE) == (i + 1 == n));
            if (whole != NULL) {
                CHECK(strcmp(whole, msg) == 0);
                g_free(whole);
            }
        }
    }
    otr_reassembly_clear(&ra);
    g_strfreev(pieces);
    g_free(msg);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    OtrReassembly ra[2] = { { 0 }, { 0 } };
    const char *p = (const char *)data, *end = p + size;

    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t len = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);

        feed(ra, p, len);
        p += len + 1;
    }
    otr_reassembly_clear(&ra[0]);
    otr_reassembly_clear(&ra[1]);

    if (size > 1 && size < 4096)
        split_round_trip(data, size);
    return 0;
}
