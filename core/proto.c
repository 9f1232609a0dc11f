/* Offrec — classifying incoming messages: queries, whitespace tags, errors.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The rules follow the spec's "Unencoded messages" section and agree with
 * libotr on every form a real client sends:
 *
 *  - a fragment marker ("?OTR|" for v3, then "?OTR," for v2) anywhere in
 *    the message wins over every other marker (spec: "check for this
 *    before checking for any of the other markers");
 *  - otherwise the first "?OTR" decides: "?OTR:AAM" / "?OTR:AAI" (v3 / v2
 *    binary header) followed by the letter of a known message type is
 *    ENCODED, "?OTR?" and "?OTRv" are QUERY, "?OTR Error:" is ERROR, any
 *    other "?OTR" is UNKNOWN (this includes v1 encoded messages, which we
 *    do not speak);
 *  - no "?OTR" at all: TAGGED when the base whitespace tag appears
 *    anywhere, else PLAINTEXT.
 */
#include <string.h>

#include "proto-private.h"

#define MARKER     "?OTR"
#define MARKER_LEN 4

#define ERROR_PREFIX "?OTR Error:"

/* Whitespace tags (spec: "Tagged plaintext messages"). */
static const char tag_base[] = "\x20\x09\x20\x20\x09\x09\x09\x09"
                               "\x20\x09\x20\x09\x20\x09\x20\x20";
static const char tag_v2[] = "\x20\x20\x09\x09\x20\x20\x09\x20";
static const char tag_v3[] = "\x20\x20\x09\x09\x20\x20\x09\x09";
#define TAG_BASE_LEN 16
#define TAG_VER_LEN  8

/* First occurrence of needle (nlen > 0) in hay[0..len), or NULL. Works on
 * byte buffers that may contain NULs. */
static const char *
find(const char *hay, size_t len, const char *needle, size_t nlen)
{
    const char *p = hay;
    const char *last;

    if (nlen == 0 || len < nlen)
        return NULL;
    /* Last position where a match can start; memchr jumps between
     * candidates for the first byte. */
    last = hay + (len - nlen);
    while (p <= last) {
        p = memchr(p, needle[0], (size_t)(last - p) + 1);
        if (p == NULL)
            return NULL;
        if (memcmp(p, needle, nlen) == 0)
            return p;
        p++;
    }
    return NULL;
}

static gboolean
has_prefix(const char *p, size_t avail, const char *prefix)
{
    size_t n = strlen(prefix);

    return avail >= n && memcmp(p, prefix, n) == 0;
}

/* Versions named in a query whose "?OTR" is at q (avail bytes from there).
 * "?" right after the marker offers v1, which we ignore; a "v" then lists
 * version identifiers up to the closing "?" (or, as libotr reads it, up to
 * the end of the message). Unknown identifiers are ignored. */
static guint
query_versions(const char *q, size_t avail)
{
    size_t i = MARKER_LEN;
    guint versions = 0;

    if (i < avail && q[i] == '?')
        i++;
    if (i < avail && q[i] == 'v') {
        for (i++; i < avail && q[i] != '?' && q[i] != '\0'; i++) {
            if (q[i] == '2')
                versions |= OTR_V2;
            else if (q[i] == '3')
                versions |= OTR_V3;
        }
    }
    return versions;
}

static gboolean
is_tag_white(char ch)
{
    return ch == ' ' || ch == '\t';
}

/* Length of the run of 8-byte whitespace groups at p (at most avail bytes),
 * adding the versions the known groups name to *versions. Unknown groups
 * of spaces and tabs are part of the tag too (libotr skips them alike). */
static size_t
tag_groups(const char *p, size_t avail, guint *versions)
{
    size_t used = 0;

    while (avail - used >= TAG_VER_LEN) {
        const char *g = p + used;
        size_t i;

        for (i = 0; i < TAG_VER_LEN; i++) {
            if (!is_tag_white(g[i]))
                return used;
        }
        if (memcmp(g, tag_v2, TAG_VER_LEN) == 0)
            *versions |= OTR_V2;
        else if (memcmp(g, tag_v3, TAG_VER_LEN) == 0)
            *versions |= OTR_V3;
        used += TAG_VER_LEN;
    }
    return used;
}

/* Scan msg for whitespace tags. Returns TRUE when at least one base tag
 * is present; *versions gets the union of the versions offered. When out
 * is non-NULL the message without its tags is appended to it. */
static gboolean
scan_tags(const char *msg, size_t len, guint *versions, GString *out)
{
    gboolean found = FALSE;
    size_t pos = 0;

    *versions = 0;
    while (pos < len) {
        const char *t = find(msg + pos, len - pos, tag_base, TAG_BASE_LEN);
        size_t at, end;

        if (t == NULL)
            break;
        found = TRUE;
        at = (size_t)(t - msg);
        end = at + TAG_BASE_LEN;
        end += tag_groups(msg + end, len - end, versions);
        if (out != NULL)
            g_string_append_len(out, msg + pos, (gssize)(at - pos));
        pos = end;
    }
    if (out != NULL && pos < len)
        g_string_append_len(out, msg + pos, (gssize)(len - pos));
    return found;
}

/* Letter that the base64 of a message type byte starts with (third
 * character of the header after "AAM"/"AAI"). */
static gboolean
is_encoded_type_letter(char ch)
{
    switch (ch) {
    case 'C': /* 0x02 D-H Commit */
    case 'D': /* 0x03 Data */
    case 'K': /* 0x0a D-H Key */
    case 'R': /* 0x11 Reveal Signature */
    case 'S': /* 0x12 Signature */
        return TRUE;
    }
    return FALSE;
}

static OtrMsgKind
marker_kind(const char *m, size_t avail)
{
    if (has_prefix(m, avail, "?OTR:AAM") || has_prefix(m, avail, "?OTR:AAI"))
        return avail > 8 && is_encoded_type_letter(m[8]) ? OTR_KIND_ENCODED
                                                         : OTR_KIND_UNKNOWN;
    if (has_prefix(m, avail, "?OTR?") || has_prefix(m, avail, "?OTRv"))
        return OTR_KIND_QUERY;
    if (has_prefix(m, avail, ERROR_PREFIX))
        return OTR_KIND_ERROR;
    return OTR_KIND_UNKNOWN;
}

void
otr_classify(const char *msg, size_t len, OtrClassified *c)
{
    const char *m, *v3_frag = NULL, *v2_frag = NULL;
    size_t avail;

    g_return_if_fail(c != NULL);
    memset(c, 0, sizeof *c);
    c->kind = OTR_KIND_PLAINTEXT;
    g_return_if_fail(msg != NULL || len == 0);

    /* One pass over every "?OTR": the first one, and the first followed
     * by '|' (v3 fragment) or ',' (v2 fragment). */
    m = find(msg, len, MARKER, MARKER_LEN);
    for (const char *p = m; p != NULL;) {
        size_t at = (size_t)(p - msg) + MARKER_LEN;

        if (at < len && msg[at] == '|') {
            v3_frag = p;
            break;
        }
        if (at < len && msg[at] == ',' && v2_frag == NULL)
            v2_frag = p;
        p = find(msg + at, len - at, MARKER, MARKER_LEN);
    }
    if (v3_frag != NULL || v2_frag != NULL) {
        c->kind = OTR_KIND_FRAGMENT;
        c->start = (size_t)((v3_frag != NULL ? v3_frag : v2_frag) - msg);
        return;
    }

    if (m == NULL) {
        guint versions;

        if (scan_tags(msg, len, &versions, NULL)) {
            c->kind = OTR_KIND_TAGGED;
            c->versions = versions;
        }
        return;
    }

    c->start = (size_t)(m - msg);
    avail = len - c->start;
    c->kind = marker_kind(m, avail);
    switch (c->kind) {
    case OTR_KIND_QUERY:
        c->versions = query_versions(m, avail);
        break;
    case OTR_KIND_ERROR:
        /* Like libotr, drop the one space that follows the colon. */
        c->error = m + strlen(ERROR_PREFIX);
        if (c->error < msg + len && *c->error == ' ')
            c->error++;
        break;
    case OTR_KIND_PLAINTEXT:
    case OTR_KIND_TAGGED:
    case OTR_KIND_ENCODED:
    case OTR_KIND_FRAGMENT:
    case OTR_KIND_UNKNOWN:
        break;
    }
}

char *
otr_query_message(guint versions)
{
    GString *s = g_string_new("?OTRv");

    if (versions & OTR_V2)
        g_string_append_c(s, '2');
    if (versions & OTR_V3)
        g_string_append_c(s, '3');
    g_string_append_c(s, '?');
    return g_string_free(s, FALSE);
}

char *
otr_tag_append(const char *text, guint versions)
{
    GString *s;

    g_return_val_if_fail(text != NULL, NULL);
    s = g_string_new(text);
    /* The spec wants at least one version group after the base tag. */
    if (versions & (OTR_V2 | OTR_V3)) {
        g_string_append_len(s, tag_base, TAG_BASE_LEN);
        if (versions & OTR_V2)
            g_string_append_len(s, tag_v2, TAG_VER_LEN);
        if (versions & OTR_V3)
            g_string_append_len(s, tag_v3, TAG_VER_LEN);
    }
    return g_string_free(s, FALSE);
}

char *
otr_tag_strip(const char *msg, guint *versions)
{
    GString *s;
    guint found = 0;
    size_t len;

    g_return_val_if_fail(msg != NULL, NULL);
    len = strlen(msg);
    s = g_string_sized_new(len);
    scan_tags(msg, len, &found, s);
    if (versions != NULL)
        *versions = found;
    return g_string_free(s, FALSE);
}

char *
otr_error_message(const char *text)
{
    return g_strconcat(ERROR_PREFIX, " ", text != NULL ? text : "", NULL);
}
