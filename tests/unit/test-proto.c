/* Offrec tests — message classification, query messages, whitespace tags.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <string.h>

#include "proto-private.h"
#include "testutil.h"

/* Whitespace tags, spelt out independently of proto.c. */
#define BASE "\x20\x09\x20\x20\x09\x09\x09\x09\x20\x09\x20\x09\x20\x09\x20\x20"
#define TV1  "\x20\x09\x20\x09\x20\x20\x09\x20"
#define TV2  "\x20\x20\x09\x09\x20\x20\x09\x20"
#define TV3  "\x20\x20\x09\x09\x20\x20\x09\x09"
#define TV23 (OTR_V2 | OTR_V3)

/* libotr's default query message (otrl_proto_default_query_msg). */
#define LIBOTR_QUERY                                                           \
    "?OTRv23?\n<b>alice@example.org</b> has requested an <a "                  \
    "href=\"https://otr.cypherpunks.ca/\">Off-the-Record private "             \
    "conversation</a>.  However, you do not have a plugin to support "         \
    "that.\nSee <a href=\"https://otr.cypherpunks.ca/\">"                      \
    "https://otr.cypherpunks.ca/</a> for more information."

typedef struct {
    const char *name;
    const char *msg;
    OtrMsgKind kind;
    guint versions;
    size_t start;
    const char *error; /* expected error text (ERROR) */
} ClassifyCase;

static const ClassifyCase classify_cases[] = {
    /* Plaintext */
    { "plain/empty", "", OTR_KIND_PLAINTEXT, 0, 0, NULL },
    { "plain/text", "hello there", OTR_KIND_PLAINTEXT, 0, 0, NULL },
    { "plain/short-marker", "?OT", OTR_KIND_PLAINTEXT, 0, 0, NULL },
    { "plain/lowercase", "?otrv2?", OTR_KIND_PLAINTEXT, 0, 0, NULL },
    { "plain/no-question", "OTRv2?", OTR_KIND_PLAINTEXT, 0, 0, NULL },
    { "plain/partial-tag",
      "hi"
      "\x20\x09\x20\x20\x09\x09\x09\x09\x20\x09",
      OTR_KIND_PLAINTEXT, 0, 0, NULL },
    /* Query messages, spec examples and libotr's reading of them */
    { "query/v1", "?OTR?", OTR_KIND_QUERY, 0, 0, NULL },
    { "query/v2", "?OTRv2?", OTR_KIND_QUERY, OTR_V2, 0, NULL },
    { "query/v3", "?OTRv3?", OTR_KIND_QUERY, OTR_V3, 0, NULL },
    { "query/v23", "?OTRv23?", OTR_KIND_QUERY, TV23, 0, NULL },
    { "query/v32", "?OTRv32?", OTR_KIND_QUERY, TV23, 0, NULL },
    { "query/v1-v2", "?OTR?v2?", OTR_KIND_QUERY, OTR_V2, 0, NULL },
    { "query/v1-v23", "?OTR?v23?", OTR_KIND_QUERY, TV23, 0, NULL },
    { "query/future", "?OTRv24x?", OTR_KIND_QUERY, OTR_V2, 0, NULL },
    { "query/future2", "?OTRv248x?", OTR_KIND_QUERY, OTR_V2, 0, NULL },
    { "query/v1-future", "?OTR?v24x?", OTR_KIND_QUERY, OTR_V2, 0, NULL },
    { "query/only-future", "?OTRv4x?", OTR_KIND_QUERY, 0, 0, NULL },
    { "query/v1-empty-v", "?OTR?v?", OTR_KIND_QUERY, 0, 0, NULL },
    { "query/none", "?OTRv?", OTR_KIND_QUERY, 0, 0, NULL },
    { "query/stops-at-question", "?OTRv2? see you at 3", OTR_KIND_QUERY, OTR_V2,
      0, NULL },
    /* libotr reads the version list to the end when the '?' is missing */
    { "query/unterminated", "?OTRv3", OTR_KIND_QUERY, OTR_V3, 0, NULL },
    { "query/unterminated-text", "?OTRv2 at 3pm", OTR_KIND_QUERY, TV23, 0,
      NULL },
    { "query/embedded", "<b>x</b> ?OTRv3? please", OTR_KIND_QUERY, OTR_V3, 9,
      NULL },
    { "query/libotr-default", LIBOTR_QUERY, OTR_KIND_QUERY, TV23, 0, NULL },
    { "query/html", "<span>?OTR?v2?</span>", OTR_KIND_QUERY, OTR_V2, 6, NULL },
    { "query/first-marker-wins", "?OTRv2? ?OTR Error: x", OTR_KIND_QUERY,
      OTR_V2, 0, NULL },
    { "query/with-tag", "?OTRv3?" BASE TV2, OTR_KIND_QUERY, OTR_V3, 0, NULL },
    /* Error messages */
    { "error/plain", "?OTR Error: You sent an unreadable message",
      OTR_KIND_ERROR, 0, 0, "You sent an unreadable message" },
    { "error/no-space", "?OTR Error:boom", OTR_KIND_ERROR, 0, 0, "boom" },
    { "error/two-spaces", "?OTR Error:  boom", OTR_KIND_ERROR, 0, 0, " boom" },
    { "error/empty", "?OTR Error:", OTR_KIND_ERROR, 0, 0, "" },
    { "error/embedded", "note: ?OTR Error: bad", OTR_KIND_ERROR, 0, 6, "bad" },
    { "error/lowercase", "?OTR error: x", OTR_KIND_UNKNOWN, 0, 0, NULL },
    { "error/truncated", "?OTR Error", OTR_KIND_UNKNOWN, 0, 0, NULL },
    /* Encoded messages */
    { "encoded/dh-commit", "?OTR:AAMCAAABAAAAAAAAAAAAAA==.", OTR_KIND_ENCODED,
      0, 0, NULL },
    { "encoded/dh-key", "?OTR:AAMKAAAAAQ==.", OTR_KIND_ENCODED, 0, 0, NULL },
    { "encoded/reveal-sig", "?OTR:AAMRAAAA.", OTR_KIND_ENCODED, 0, 0, NULL },
    { "encoded/signature", "?OTR:AAMSAAAA.", OTR_KIND_ENCODED, 0, 0, NULL },
    { "encoded/data-v3", "?OTR:AAMDAAAAAQ==.", OTR_KIND_ENCODED, 0, 0, NULL },
    { "encoded/data-v2", "?OTR:AAIDAAAAAQ==.", OTR_KIND_ENCODED, 0, 0, NULL },
    { "encoded/commit-v2", "?OTR:AAICAAAA.", OTR_KIND_ENCODED, 0, 0, NULL },
    { "encoded/embedded", "<p>?OTR:AAMDAAAA.</p>", OTR_KIND_ENCODED, 0, 3,
      NULL },
    { "encoded/unknown-type", "?OTR:AAMXAAAA.", OTR_KIND_UNKNOWN, 0, 0, NULL },
    { "encoded/v1-data", "?OTR:AAEDAAAA.", OTR_KIND_UNKNOWN, 0, 0, NULL },
    { "encoded/v1-keyexch", "?OTR:AAEKAAAA.", OTR_KIND_UNKNOWN, 0, 0, NULL },
    { "encoded/bare", "?OTR:", OTR_KIND_UNKNOWN, 0, 0, NULL },
    { "encoded/header-only", "?OTR:AAM", OTR_KIND_UNKNOWN, 0, 0, NULL },
    /* Fragments */
    { "fragment/v3", "?OTR|0000abcd|00001234,00001,00002,?OTR:AAMD,",
      OTR_KIND_FRAGMENT, 0, 0, NULL },
    { "fragment/v2", "?OTR,1,2,?OTR:AAID,", OTR_KIND_FRAGMENT, 0, 0, NULL },
    { "fragment/embedded", "xx ?OTR,00001,00001,?OTR:AAIDAA.,",
      OTR_KIND_FRAGMENT, 0, 3, NULL },
    { "fragment/before-other-markers", "?OTRv23? ?OTR|1|2,1,1,x,",
      OTR_KIND_FRAGMENT, 0, 9, NULL },
    { "fragment/v3-before-v2", "?OTR,1,1,x, ?OTR|1|2,1,1,y,", OTR_KIND_FRAGMENT,
      0, 12, NULL },
    { "fragment/garbage", "?OTR,hello", OTR_KIND_FRAGMENT, 0, 0, NULL },
    { "fragment/bare-v3", "?OTR|", OTR_KIND_FRAGMENT, 0, 0, NULL },
    /* Unknown ?OTR forms */
    { "unknown/bare", "?OTR", OTR_KIND_UNKNOWN, 0, 0, NULL },
    { "unknown/letter", "?OTRx", OTR_KIND_UNKNOWN, 0, 0, NULL },
    { "unknown/space", "see ?OTR here", OTR_KIND_UNKNOWN, 0, 4, NULL },
    { "unknown/first-marker-wins", "?OTRx ?OTRv2?", OTR_KIND_UNKNOWN, 0, 0,
      NULL },
    { "unknown/capital-v", "?OTRV2?", OTR_KIND_UNKNOWN, 0, 0, NULL },
    /* Whitespace tags */
    { "tag/v2", "hello" BASE TV2, OTR_KIND_TAGGED, OTR_V2, 0, NULL },
    { "tag/v3", "hello" BASE TV3, OTR_KIND_TAGGED, OTR_V3, 0, NULL },
    { "tag/v23", "hello" BASE TV2 TV3, OTR_KIND_TAGGED, TV23, 0, NULL },
    { "tag/v32", "hello" BASE TV3 TV2, OTR_KIND_TAGGED, TV23, 0, NULL },
    { "tag/v1-v2", "hello" BASE TV1 TV2, OTR_KIND_TAGGED, OTR_V2, 0, NULL },
    { "tag/v1-only", "hello" BASE TV1, OTR_KIND_TAGGED, 0, 0, NULL },
    { "tag/base-only", "hello" BASE, OTR_KIND_TAGGED, 0, 0, NULL },
    { "tag/unknown-group", "hi" BASE "        " TV3, OTR_KIND_TAGGED, OTR_V3, 0,
      NULL },
    { "tag/at-start", BASE TV3 "hello", OTR_KIND_TAGGED, OTR_V3, 0, NULL },
    { "tag/in-middle", "he" BASE TV2 "llo", OTR_KIND_TAGGED, OTR_V2, 0, NULL },
    { "tag/alone", BASE TV2 TV3, OTR_KIND_TAGGED, TV23, 0, NULL },
    { "tag/two-tags", "a" BASE TV2 "b" BASE TV3 "c", OTR_KIND_TAGGED, TV23, 0,
      NULL },
    { "tag/short-group", "hi" BASE "\x20\x20\x09\x09\x20\x20\x09",
      OTR_KIND_TAGGED, 0, 0, NULL },
    { "tag/group-not-white", "hi" BASE "\x20\x20\x09\x09\x20\x20\x09x",
      OTR_KIND_TAGGED, 0, 0, NULL },
};

static void
test_classify(gconstpointer data)
{
    const ClassifyCase *tc = data;
    OtrClassified c;

    memset(&c, 0xa5, sizeof c);
    otr_classify(tc->msg, strlen(tc->msg), &c);
    g_assert_cmpint(c.kind, ==, tc->kind);
    g_assert_cmpuint(c.versions, ==, tc->versions);
    switch (tc->kind) {
    case OTR_KIND_ERROR:
        g_assert_nonnull(c.error);
        g_assert_cmpstr(c.error, ==, tc->error);
        g_assert_cmpuint(c.start, ==, tc->start);
        break;
    case OTR_KIND_QUERY:
    case OTR_KIND_ENCODED:
    case OTR_KIND_FRAGMENT:
    case OTR_KIND_UNKNOWN:
        g_assert_null(c.error);
        g_assert_cmpuint(c.start, ==, tc->start);
        g_assert_true(strncmp(tc->msg + c.start, "?OTR", 4) == 0);
        break;
    case OTR_KIND_PLAINTEXT:
    case OTR_KIND_TAGGED:
        g_assert_null(c.error);
        break;
    }
}

/* The length given, not the terminator, bounds the scan. */
static void
test_classify_length(void)
{
    static const char buf[] = "hi ?OTRv23? and more";
    OtrClassified c;

    otr_classify(buf, 3, &c);
    g_assert_cmpint(c.kind, ==, OTR_KIND_PLAINTEXT);
    otr_classify(buf, 7, &c); /* "hi ?OTR" */
    g_assert_cmpint(c.kind, ==, OTR_KIND_UNKNOWN);
    otr_classify(buf, 9, &c); /* "hi ?OTRv2" */
    g_assert_cmpint(c.kind, ==, OTR_KIND_QUERY);
    g_assert_cmpuint(c.versions, ==, OTR_V2);
    otr_classify(NULL, 0, &c);
    g_assert_cmpint(c.kind, ==, OTR_KIND_PLAINTEXT);

    /* A NUL inside the buffer does not end the scan. */
    otr_classify("a\0?OTRv3?", 9, &c);
    g_assert_cmpint(c.kind, ==, OTR_KIND_QUERY);
    g_assert_cmpuint(c.versions, ==, OTR_V3);
    g_assert_cmpuint(c.start, ==, 2);
}

typedef struct {
    const char *name;
    const char *msg;
    const char *stripped;
    guint versions;
} StripCase;

static const StripCase strip_cases[] = {
    { "none", "hello", "hello", 0 },
    { "empty", "", "", 0 },
    { "end-v23", "hello" BASE TV2 TV3, "hello", TV23 },
    { "start-v3", BASE TV3 "hello", "hello", OTR_V3 },
    { "middle", "he" BASE TV2 "llo", "hello", OTR_V2 },
    { "two-tags", "a" BASE TV2 "b" BASE TV3 "c", "abc", TV23 },
    { "base-only", "a" BASE "b", "ab", 0 },
    { "v1-v2", "a" BASE TV1 TV2 "b", "ab", OTR_V2 },
    { "unknown-group", "a" BASE "\t\t\t\t\t\t\t\t" TV3 "b", "ab", OTR_V3 },
    { "short-white-kept", "a" BASE TV2 "   x", "a   x", OTR_V2 },
    { "partial-base-kept", "a\x20\x09\x20\x20\x09 b", "a\x20\x09\x20\x20\x09 b",
      0 },
    { "tag-only", BASE TV2 TV3, "", TV23 },
    { "with-query", "?OTRv3?" BASE TV3, "?OTRv3?", OTR_V3 },
};

static void
test_strip(gconstpointer data)
{
    const StripCase *tc = data;
    guint versions = 0xdead;
    char *out = otr_tag_strip(tc->msg, &versions);

    g_assert_cmpstr(out, ==, tc->stripped);
    g_assert_cmpuint(versions, ==, tc->versions);
    g_free(out);

    /* versions is optional */
    out = otr_tag_strip(tc->msg, NULL);
    g_assert_cmpstr(out, ==, tc->stripped);
    g_free(out);
}

static void
test_tag_append(void)
{
    static const guint sets[] = { OTR_V2, OTR_V3, TV23 };
    static const char *texts[] = { "", "hello", "?OTR is fun", "tab\there" };

    for (gsize i = 0; i < G_N_ELEMENTS(sets); i++) {
        for (gsize j = 0; j < G_N_ELEMENTS(texts); j++) {
            char *tagged = otr_tag_append(texts[j], sets[i]);
            char *plain;
            size_t expect;
            guint v = 0;

            g_assert_true(g_str_has_prefix(tagged, texts[j]));
            g_assert_true(strstr(tagged, BASE) != NULL);
            expect = strlen(texts[j]) + 16;
            expect += (sets[i] & OTR_V2) ? 8 : 0;
            expect += (sets[i] & OTR_V3) ? 8 : 0;
            g_assert_cmpuint(strlen(tagged), ==, expect);
            plain = otr_tag_strip(tagged, &v);
            g_assert_cmpstr(plain, ==, texts[j]);
            g_assert_cmpuint(v, ==, sets[i]);
            g_free(plain);
            g_free(tagged);
        }
    }
}

static void
test_tag_append_exact(void)
{
    char *s = otr_tag_append("hi", TV23);

    g_assert_cmpstr(s, ==, "hi" BASE TV2 TV3);
    g_free(s);
    s = otr_tag_append("hi", OTR_V3);
    g_assert_cmpstr(s, ==, "hi" BASE TV3);
    g_free(s);
    /* No version to offer: no tag (the spec wants one or more). */
    s = otr_tag_append("hi", 0);
    g_assert_cmpstr(s, ==, "hi");
    g_free(s);
}

static void
test_query_message(void)
{
    static const struct {
        guint versions;
        const char *text;
    } cases[] = {
        { OTR_V2, "?OTRv2?" },
        { OTR_V3, "?OTRv3?" },
        { TV23, "?OTRv23?" },
    };

    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        char *q = otr_query_message(cases[i].versions);
        OtrClassified c;

        g_assert_cmpstr(q, ==, cases[i].text);
        otr_classify(q, strlen(q), &c);
        g_assert_cmpint(c.kind, ==, OTR_KIND_QUERY);
        g_assert_cmpuint(c.versions, ==, cases[i].versions);
        g_free(q);
    }
}

static void
test_error_message(void)
{
    char *e = otr_error_message("Something went wrong");
    OtrClassified c;

    g_assert_cmpstr(e, ==, "?OTR Error: Something went wrong");
    otr_classify(e, strlen(e), &c);
    g_assert_cmpint(c.kind, ==, OTR_KIND_ERROR);
    g_assert_cmpstr(c.error, ==, "Something went wrong");
    g_free(e);
}

/* Arbitrary bytes never crash and the result stays in range. */
static void
test_classify_random(void)
{
    static const char alphabet[] = "?OTR|,:v23 Error\t\x20\x09x";
    GRand *r = g_rand_new_with_seed(7);
    char buf[64];

    for (int iter = 0; iter < 20000; iter++) {
        size_t len = (size_t)g_rand_int_range(r, 0, sizeof buf);
        OtrClassified c;
        char *s;
        guint v;

        for (size_t i = 0; i < len; i++)
            buf[i] = alphabet[g_rand_int_range(r, 0, sizeof alphabet - 1)];
        otr_classify(buf, len, &c);
        g_assert_cmpuint(c.start, <=, len);
        g_assert_cmpuint(c.versions & ~(guint)TV23, ==, 0);
        buf[len] = '\0';
        s = otr_tag_strip(buf, &v);
        g_assert_cmpuint(strlen(s), <=, len);
        g_free(s);
    }
    g_rand_free(r);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    for (gsize i = 0; i < G_N_ELEMENTS(classify_cases); i++) {
        char *path =
            g_strdup_printf("/core/proto/classify/%s", classify_cases[i].name);
        g_test_add_data_func(path, &classify_cases[i], test_classify);
        g_free(path);
    }
    for (gsize i = 0; i < G_N_ELEMENTS(strip_cases); i++) {
        char *path =
            g_strdup_printf("/core/proto/strip/%s", strip_cases[i].name);
        g_test_add_data_func(path, &strip_cases[i], test_strip);
        g_free(path);
    }
    g_test_add_func("/core/proto/classify-length", test_classify_length);
    g_test_add_func("/core/proto/classify-random", test_classify_random);
    g_test_add_func("/core/proto/tag-append", test_tag_append);
    g_test_add_func("/core/proto/tag-append-exact", test_tag_append_exact);
    g_test_add_func("/core/proto/query-message", test_query_message);
    g_test_add_func("/core/proto/error-message", test_error_message);
    return g_test_run();
}
