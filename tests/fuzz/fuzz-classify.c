/* Offrec fuzz target — message classification and whitespace tag removal.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <stdlib.h>
#include <string.h>

#include "fragment-private.h"
#include "fuzz-common.h"
#include "proto-private.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *msg = (const char *)data;
    OtrClassified c;
    OtrFragment f;
    char *text, *stripped, *tagged, *again;
    guint versions = 0, tag_versions = 0;
    size_t len;

    otr_classify(msg, size, &c);
    CHECK(c.start <= size);
    CHECK((c.versions & ~(guint)(OTR_V2 | OTR_V3)) == 0);
    switch (c.kind) {
    case OTR_KIND_ERROR:
        CHECK(c.error != NULL);
        CHECK(c.error >= msg && c.error <= msg + size);
        CHECK(memcmp(msg + c.start, "?OTR Error:", 11) == 0);
        break;
    case OTR_KIND_FRAGMENT:
        CHECK(size - c.start >= 5);
        if (otr_fragment_parse(msg + c.start, size - c.start, &f) == OTR_OK) {
            CHECK(f.version == 2 || f.version == 3);
            CHECK(f.piece_len > 0);
            CHECK(f.piece > msg + c.start &&
                  f.piece + f.piece_len < msg + size);
        }
        break;
    case OTR_KIND_QUERY:
    case OTR_KIND_ENCODED:
    case OTR_KIND_UNKNOWN:
        CHECK(size - c.start >= 4);
        CHECK(memcmp(msg + c.start, "?OTR", 4) == 0);
        break;
    case OTR_KIND_PLAINTEXT:
    case OTR_KIND_TAGGED:
        break;
    }

    /* Whitespace tags on the NUL-terminated text, as the session sees it. */
    text = g_strndup(msg, size);
    stripped = otr_tag_strip(text, &versions);
    CHECK(strlen(stripped) <= strlen(text));
    CHECK((versions & ~(guint)(OTR_V2 | OTR_V3)) == 0);
    otr_classify(text, strlen(text), &c);
    if (c.kind == OTR_KIND_TAGGED)
        CHECK(c.versions == versions);
    if (c.kind == OTR_KIND_PLAINTEXT)
        CHECK(strcmp(stripped, text) == 0 && versions == 0);

    /* A tag we append is found again, unless the text ends in spaces or
     * tabs: those can begin a base tag that swallows the start of ours
     * (the base tag overlaps itself), for libotr as for us. */
    tagged = otr_tag_append(stripped, OTR_V2 | OTR_V3);
    again = otr_tag_strip(tagged, &tag_versions);
    len = strlen(stripped);
    if (len == 0 || (stripped[len - 1] != ' ' && stripped[len - 1] != '\t'))
        CHECK(tag_versions == (OTR_V2 | OTR_V3));
    CHECK(strlen(again) <= len);

    g_free(again);
    g_free(tagged);
    g_free(stripped);
    g_free(text);
    return 0;
}
