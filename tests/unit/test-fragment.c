/* Offrec tests — fragment splitting, parsing and reassembly.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <string.h>

#include "fragment-private.h"
#include "proto-private.h"
#include "testutil.h"

/* ---- Parsing ------------------------------------------------------------ */

typedef struct {
    const char *name;
    const char *text;
    gboolean ok;
    int version;
    guint32 sender, receiver;
    guint16 k, n;
    const char *piece;
} ParseCase;

static const ParseCase parse_cases[] = {
    { "v3/libotr", "?OTR|0000abcd|00001234,00001,00002,?OTR:AAMD,", TRUE, 3,
      0xabcd, 0x1234, 1, 2, "?OTR:AAMD" },
    { "v3/short-fields", "?OTR|100|0,1,1,x,", TRUE, 3, 0x100, 0, 1, 1, "x" },
    { "v3/upper-hex", "?OTR|ABCDEF01|FfFfFfFf,2,3,abc,", TRUE, 3, 0xabcdef01,
      0xffffffff, 2, 3, "abc" },
    { "v3/max", "?OTR|ffffffff|ffffffff,65535,65535,p,", TRUE, 3, 0xffffffff,
      0xffffffff, 65535, 65535, "p" },
    { "v3/leading-zeroes", "?OTR|000000000000abcd|0001,0000000001,00001,p,",
      TRUE, 3, 0xabcd, 1, 1, 1, "p" },
    { "v3/trailing-text", "?OTR|1|2,1,1,piece,  <br>", TRUE, 3, 1, 2, 1, 1,
      "piece" },
    { "v3/k-zero", "?OTR|1|2,0,1,p,", TRUE, 3, 1, 2, 0, 1, "p" },
    { "v2/plain", "?OTR,1,2,abc,", TRUE, 2, 0, 0, 1, 2, "abc" },
    { "v2/libotr", "?OTR,00002,00002,AAAA.,", TRUE, 2, 0, 0, 2, 2, "AAAA." },
    { "v2/k-gt-n", "?OTR,3,2,x,", TRUE, 2, 0, 0, 3, 2, "x" },
    { "v2/zeroes", "?OTR,0,0,x,", TRUE, 2, 0, 0, 0, 0, "x" },
    { "v2/trailing", "?OTR,1,1,x,y,z", TRUE, 2, 0, 0, 1, 1, "x" },
    /* Malformed */
    { "bad/empty", "", FALSE, 0, 0, 0, 0, 0, NULL },
    { "bad/marker-only", "?OTR", FALSE, 0, 0, 0, 0, 0, NULL },
    { "bad/v2-bare", "?OTR,", FALSE, 0, 0, 0, 0, 0, NULL },
    { "bad/v3-bare", "?OTR|", FALSE, 0, 0, 0, 0, 0, NULL },
    { "bad/encoded", "?OTR:AAMD,", FALSE, 0, 0, 0, 0, 0, NULL },
    { "bad/lowercase", "?otr,1,1,x,", FALSE, 0, 0, 0, 0, 0, NULL },
    { "bad/empty-piece", "?OTR,1,2,,", FALSE, 0, 0, 0, 0, 0, NULL },
    { "bad/no-trailing-comma", "?OTR,1,2,abc", FALSE, 0, 0, 0, 0, 0, NULL },
    { "bad/no-piece", "?OTR,1,2,", FALSE, 0, 0, 0, 0, 0, NULL },
    { "bad/no-n", "?OTR,1,", FALSE, 0, 0, 0, 0, 0, NULL },
    { "bad/empty-k", "?OTR,,1,x,", FALSE, 0, 0, 0, 0, 0, NULL },
    { "bad/empty-n", "?OTR,1,,x,", FALSE, 0, 0, 0, 0, 0, NULL },
    { "bad/k-overflow", "?OTR,65536,65536,x,", FALSE, 0, 0, 0, 0, 0, NULL },
    { "bad/n-overflow", "?OTR,1,70000,x,", FALSE, 0, 0, 0, 0, 0, NULL },
    { "bad/huge", "?OTR,99999999999999999999999,1,x,", FALSE, 0, 0, 0, 0, 0,
      NULL },
    { "bad/negative", "?OTR,-1,2,x,", FALSE, 0, 0, 0, 0, 0, NULL },
    { "bad/plus", "?OTR,+1,2,x,", FALSE, 0, 0, 0, 0, 0, NULL },
    { "bad/space", "?OTR, 1,2,x,", FALSE, 0, 0, 0, 0, 0, NULL },
    { "bad/hex-k", "?OTR,a,2,x,", FALSE, 0, 0, 0, 0, 0, NULL },
    { "bad/v3-no-receiver", "?OTR|1,1,1,x,", FALSE, 0, 0, 0, 0, 0, NULL },
    { "bad/v3-empty-sender", "?OTR||1,1,1,x,", FALSE, 0, 0, 0, 0, 0, NULL },
    { "bad/v3-empty-receiver", "?OTR|1|,1,1,x,", FALSE, 0, 0, 0, 0, 0, NULL },
    { "bad/v3-tag-overflow", "?OTR|100000000|1,1,1,x,", FALSE, 0, 0, 0, 0, 0,
      NULL },
    { "bad/v3-0x", "?OTR|0x100|1,1,1,x,", FALSE, 0, 0, 0, 0, 0, NULL },
    { "bad/v3-not-hex", "?OTR|10g|1,1,1,x,", FALSE, 0, 0, 0, 0, 0, NULL },
    { "bad/v3-extra-bar", "?OTR|1|2|3,1,1,x,", FALSE, 0, 0, 0, 0, 0, NULL },
    { "bad/v3-no-k", "?OTR|1|2,", FALSE, 0, 0, 0, 0, 0, NULL },
};

static void
test_parse(gconstpointer data)
{
    const ParseCase *tc = data;
    OtrFragment f;
    OtrError err;

    memset(&f, 0x5a, sizeof f);
    err = otr_fragment_parse(tc->text, strlen(tc->text), &f);
    if (!tc->ok) {
        g_assert_cmpint(err, ==, OTR_ERR_MALFORMED);
        return;
    }
    g_assert_cmpint(err, ==, OTR_OK);
    g_assert_cmpint(f.version, ==, tc->version);
    g_assert_cmphex(f.sender, ==, tc->sender);
    g_assert_cmphex(f.receiver, ==, tc->receiver);
    g_assert_cmpuint(f.k, ==, tc->k);
    g_assert_cmpuint(f.n, ==, tc->n);
    g_assert_cmpuint(f.piece_len, ==, strlen(tc->piece));
    g_assert_true(memcmp(f.piece, tc->piece, f.piece_len) == 0);
    g_assert_true(f.piece > tc->text &&
                  f.piece + f.piece_len < tc->text + strlen(tc->text));
}

/* The length bounds parsing; bytes past it are never read. */
static void
test_parse_length(void)
{
    static const char text[] = "?OTR,1,1,abc,";
    OtrFragment f;

    for (size_t len = 0; len < sizeof text - 1; len++) {
        char *copy = g_memdup2(text, len); /* exact-size heap copy for ASan */

        g_assert_cmpint(otr_fragment_parse(copy, len, &f), ==,
                        OTR_ERR_MALFORMED);
        g_free(copy);
    }
    g_assert_cmpint(otr_fragment_parse(text, sizeof text - 1, &f), ==, OTR_OK);
    /* A NUL inside the piece is not text. */
    g_assert_cmpint(otr_fragment_parse("?OTR,1,1,a\0b,", 13, &f), ==,
                    OTR_ERR_MALFORMED);
    g_assert_cmpint(otr_fragment_parse(NULL, 0, &f), ==, OTR_ERR_MALFORMED);
}

/* ---- Reassembly ---------------------------------------------------------- */

typedef struct {
    guint16 k, n;
    const char *piece;
    const char *expect; /* completed message, or NULL for incomplete */
} Step;

typedef struct {
    const char *name;
    Step steps[8];
} ReassemblyCase;

#define END                                                                    \
    {                                                                          \
        0, 0, NULL, NULL                                                       \
    }

static const ReassemblyCase reassembly_cases[] = {
    { "in-order",
      { { 1, 3, "ab", NULL },
        { 2, 3, "cd", NULL },
        { 3, 3, "ef", "abcdef" },
        END } },
    { "single", { { 1, 1, "whole", "whole" }, END } },
    { "k-zero-ignored",
      { { 1, 3, "a", NULL },
        { 0, 3, "x", NULL },
        { 2, 3, "b", NULL },
        { 3, 3, "c", "abc" },
        END } },
    { "n-zero-ignored",
      { { 1, 2, "a", NULL }, { 1, 0, "x", NULL }, { 2, 2, "b", "ab" }, END } },
    { "k-gt-n-ignored",
      { { 1, 2, "a", NULL }, { 3, 2, "x", NULL }, { 2, 2, "b", "ab" }, END } },
    { "empty-piece-ignored",
      { { 1, 2, "a", NULL }, { 2, 2, "", NULL }, { 2, 2, "b", "ab" }, END } },
    { "out-of-order",
      { { 1, 3, "a", NULL }, { 3, 3, "c", NULL }, { 2, 3, "b", NULL }, END } },
    { "reverse",
      { { 3, 3, "c", NULL }, { 2, 3, "b", NULL }, { 1, 3, "a", NULL }, END } },
    { "restart-k1",
      { { 1, 3, "a", NULL },
        { 2, 3, "b", NULL },
        { 1, 2, "x", NULL },
        { 2, 2, "y", "xy" },
        END } },
    { "restart-same-n",
      { { 1, 3, "a", NULL },
        { 2, 3, "b", NULL },
        { 1, 3, "x", NULL },
        { 2, 3, "y", NULL },
        { 3, 3, "z", "xyz" },
        END } },
    { "changed-n",
      { { 1, 3, "a", NULL },
        { 2, 4, "b", NULL },
        { 3, 4, "c", NULL },
        { 4, 4, "d", NULL },
        END } },
    { "duplicate",
      { { 1, 3, "a", NULL },
        { 2, 3, "b", NULL },
        { 2, 3, "b", NULL },
        { 3, 3, "c", NULL },
        END } },
    { "duplicate-first",
      { { 1, 2, "a", NULL }, { 1, 2, "a", NULL }, { 2, 2, "b", "ab" }, END } },
    { "no-start", { { 2, 3, "b", NULL }, { 3, 3, "c", NULL }, END } },
    { "skip",
      { { 1, 4, "a", NULL }, { 3, 4, "c", NULL }, { 4, 4, "d", NULL }, END } },
    { "complete-then-empty",
      { { 1, 1, "a", "a" },
        { 2, 2, "b", NULL },
        { 1, 2, "c", NULL },
        { 2, 2, "d", "cd" },
        END } },
    { "last-alone", { { 5, 5, "z", NULL }, END } },
    { "discard-then-restart",
      { { 1, 2, "a", NULL },
        { 1, 3, "b", NULL },
        { 2, 2, "c", NULL },
        { 1, 2, "d", NULL },
        { 2, 2, "e", "de" },
        END } },
};

static void
test_reassembly(gconstpointer data)
{
    const ReassemblyCase *tc = data;
    OtrReassembly ra = { 0 };

    for (const Step *s = tc->steps; s->piece != NULL; s++) {
        OtrFragment f = { .version = 3, .sender = 0x100, .receiver = 0x101 };
        OtrFragResult res = OTR_FRAG_COMPLETE;
        char *whole = (char *)"unset";

        f.k = s->k;
        f.n = s->n;
        f.piece = s->piece;
        f.piece_len = strlen(s->piece);
        g_assert_cmpint(otr_reassembly_add(&ra, &f, &res, &whole), ==, OTR_OK);
        if (s->expect == NULL) {
            g_assert_cmpint(res, ==, OTR_FRAG_INCOMPLETE);
            g_assert_null(whole);
        } else {
            g_assert_cmpint(res, ==, OTR_FRAG_COMPLETE);
            g_assert_cmpstr(whole, ==, s->expect);
            g_assert_null(ra.buf); /* nothing is kept once complete */
            g_free(whole);
        }
    }
    otr_reassembly_clear(&ra);
    g_assert_null(ra.buf);
    otr_reassembly_clear(&ra); /* idempotent */
}

static OtrError
add_piece(OtrReassembly *ra,
          guint16 k,
          guint16 n,
          const char *piece,
          size_t len,
          OtrFragResult *res,
          char **whole)
{
    OtrFragment f = { .version = 2, .k = k, .n = n };

    f.piece = piece;
    f.piece_len = len;
    *res = OTR_FRAG_COMPLETE;
    *whole = NULL;
    return otr_reassembly_add(ra, &f, res, whole);
}

static void
test_bound_pieces(void)
{
    OtrReassembly ra = { 0 };
    OtrFragResult res;
    char *whole;

    g_assert_cmpint(add_piece(&ra, 1, 2, "a", 1, &res, &whole), ==, OTR_OK);
    /* Too many pieces announced: refused and the buffer dropped. */
    g_assert_cmpint(add_piece(&ra, 1, OTR_FRAG_MAX_PIECES + 1, "x", 1, &res,
                              &whole),
                    ==, OTR_ERR_TOO_BIG);
    g_assert_null(ra.buf);
    g_assert_cmpint(add_piece(&ra, 2, 2, "b", 1, &res, &whole), ==, OTR_OK);
    g_assert_cmpint(res, ==, OTR_FRAG_INCOMPLETE);
    /* A piece in the middle of a sequence with a huge n is refused too. */
    g_assert_cmpint(add_piece(&ra, 7, 65535, "x", 1, &res, &whole), ==,
                    OTR_ERR_TOO_BIG);

    /* Exactly the bound is fine. */
    for (guint k = 1; k <= OTR_FRAG_MAX_PIECES; k++) {
        g_assert_cmpint(add_piece(&ra, (guint16)k, OTR_FRAG_MAX_PIECES, "p", 1,
                                  &res, &whole),
                        ==, OTR_OK);
        g_assert_cmpint(res, ==,
                        k == OTR_FRAG_MAX_PIECES ? OTR_FRAG_COMPLETE
                                                 : OTR_FRAG_INCOMPLETE);
    }
    g_assert_cmpuint(strlen(whole), ==, OTR_FRAG_MAX_PIECES);
    g_free(whole);
    otr_reassembly_clear(&ra);
}

static void
test_bound_bytes(void)
{
    const size_t half = OTR_FRAG_MAX_BYTES / 2;
    char *big = g_malloc(OTR_FRAG_MAX_BYTES + 1);
    OtrReassembly ra = { 0 };
    OtrFragResult res;
    char *whole;

    memset(big, 'A', OTR_FRAG_MAX_BYTES + 1);

    /* One piece over the bound. */
    g_assert_cmpint(add_piece(&ra, 1, 1, big, OTR_FRAG_MAX_BYTES + 1, &res,
                              &whole),
                    ==, OTR_ERR_TOO_BIG);
    g_assert_null(ra.buf);

    /* Exactly the bound in two pieces. */
    g_assert_cmpint(add_piece(&ra, 1, 2, big, half, &res, &whole), ==, OTR_OK);
    g_assert_cmpint(add_piece(&ra, 2, 2, big, OTR_FRAG_MAX_BYTES - half, &res,
                              &whole),
                    ==, OTR_OK);
    g_assert_cmpint(res, ==, OTR_FRAG_COMPLETE);
    g_assert_cmpuint(strlen(whole), ==, OTR_FRAG_MAX_BYTES);
    g_free(whole);

    /* One byte over in the third piece: buffer dropped. */
    g_assert_cmpint(add_piece(&ra, 1, 3, big, half, &res, &whole), ==, OTR_OK);
    g_assert_cmpint(add_piece(&ra, 2, 3, big, OTR_FRAG_MAX_BYTES - half, &res,
                              &whole),
                    ==, OTR_OK);
    g_assert_cmpint(add_piece(&ra, 3, 3, "x", 1, &res, &whole), ==,
                    OTR_ERR_TOO_BIG);
    g_assert_null(ra.buf);
    g_assert_cmpuint(ra.k, ==, 0);
    g_assert_cmpuint(ra.n, ==, 0);
    otr_reassembly_clear(&ra);
    g_free(big);
}

/* ---- Splitting ----------------------------------------------------------- */

static void
test_split_fits(void)
{
    const char *msg = "?OTR:AAMDshort.";
    char **v = otr_fragment_split(msg, strlen(msg), 3, 0x100, 0x101);

    g_assert_nonnull(v);
    g_assert_cmpuint(g_strv_length(v), ==, 1);
    g_assert_cmpstr(v[0], ==, msg);
    g_assert_true(v[0] != msg);
    g_strfreev(v);

    v = otr_fragment_split("", 0, 2, 0, 0);
    g_assert_cmpuint(g_strv_length(v), ==, 1);
    g_assert_cmpstr(v[0], ==, "");
    g_strfreev(v);
}

static void
test_split_exact_v3(void)
{
    /* 60 bytes, 20 per piece: max = 36 + 20. */
    char **v = otr_fragment_split("?OTR:AAMDABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                  "abcdefghijklmnopqrstuvwx.",
                                  56, 3, 0x12345678, 0xabcdef01);

    g_assert_nonnull(v);
    g_assert_cmpuint(g_strv_length(v), ==, 3);
    g_assert_cmpstr(v[0], ==,
                    "?OTR|12345678|abcdef01,00001,00003,?OTR:AAMDABCDEFGHIJK,");
    g_assert_cmpstr(v[1], ==,
                    "?OTR|12345678|abcdef01,00002,00003,LMNOPQRSTUVWXYZabcde,");
    g_assert_cmpstr(v[2], ==,
                    "?OTR|12345678|abcdef01,00003,00003,fghijklmnopqrstuvwx.,");
    for (int i = 0; i < 3; i++)
        g_assert_cmpuint(strlen(v[i]), ==, 56);
    g_strfreev(v);

    /* Receiver 0 (not yet known) is written as zeroes; short last piece. */
    v = otr_fragment_split("?OTR:AAMDABCDEFGHIJKLMNOPQRSTUVWXYZ"
                           "abcdefghijklmnopqrstuvwx",
                           47, 3, 0x100, 0);
    g_assert_cmpuint(g_strv_length(v), ==, 6);
    g_assert_cmpstr(v[0], ==,
                    "?OTR|00000100|00000000,00001,00006,?OTR:AAMDAB,");
    g_assert_cmpstr(v[5], ==, "?OTR|00000100|00000000,00006,00006,uvwx,");
    g_strfreev(v);
}

static void
test_split_exact_v2(void)
{
    /* 41 bytes, 5 per piece: max = 18 + 5. */
    char **v = otr_fragment_split("?OTR:AAID0123456789abcdefghijklmnopqrstu.",
                                  23, 2, 0, 0);

    g_assert_nonnull(v);
    g_assert_cmpuint(g_strv_length(v), ==, 9);
    g_assert_cmpstr(v[0], ==, "?OTR,00001,00009,?OTR:,");
    g_assert_cmpstr(v[1], ==, "?OTR,00002,00009,AAID0,");
    g_assert_cmpstr(v[2], ==, "?OTR,00003,00009,12345,");
    g_assert_cmpstr(v[3], ==, "?OTR,00004,00009,6789a,");
    g_assert_cmpstr(v[4], ==, "?OTR,00005,00009,bcdef,");
    g_assert_cmpstr(v[5], ==, "?OTR,00006,00009,ghijk,");
    g_assert_cmpstr(v[6], ==, "?OTR,00007,00009,lmnop,");
    g_assert_cmpstr(v[7], ==, "?OTR,00008,00009,qrstu,");
    g_assert_cmpstr(v[8], ==, "?OTR,00009,00009,.,");
    g_strfreev(v);
}

static void
test_split_too_small(void)
{
    char msg[101];
    char **v;

    memset(msg, 'Q', 100);
    msg[100] = '\0';
    g_assert_null(otr_fragment_split(msg, 0, 3, 0x100, 0x100));
    g_assert_null(otr_fragment_split(msg, 15, 3, 0x100, 0x100));
    g_assert_null(otr_fragment_split(msg, 36, 3, 0x100, 0x100));
    g_assert_null(otr_fragment_split(msg, 18, 2, 0, 0));

    /* One byte of room: one byte per piece. */
    v = otr_fragment_split(msg, 37, 3, 0x100, 0x100);
    g_assert_cmpuint(g_strv_length(v), ==, 100);
    g_assert_cmpstr(v[99], ==, "?OTR|00000100|00000100,00100,00100,Q,");
    g_strfreev(v);
    v = otr_fragment_split(msg, 19, 2, 0, 0);
    g_assert_cmpuint(g_strv_length(v), ==, 100);
    g_assert_cmpstr(v[0], ==, "?OTR,00001,00100,Q,");
    g_strfreev(v);
}

static void
test_split_too_many(void)
{
    char *msg = g_malloc(OTR_FRAG_MAX_PIECES + 2);
    char **v;

    memset(msg, 'A', OTR_FRAG_MAX_PIECES + 1);
    msg[OTR_FRAG_MAX_PIECES + 1] = '\0';
    /* One byte per piece: one piece more than a receiver accepts. */
    g_assert_null(otr_fragment_split(msg, 19, 2, 0, 0));
    msg[OTR_FRAG_MAX_PIECES] = '\0';
    v = otr_fragment_split(msg, 19, 2, 0, 0);
    g_assert_nonnull(v);
    g_assert_cmpuint(g_strv_length(v), ==, OTR_FRAG_MAX_PIECES);
    g_strfreev(v);
    g_free(msg);
}

/* Split at many sizes, then parse, classify and reassemble every piece. */
static void
round_trip(const char *msg, size_t max, int version)
{
    guint32 snd = 0x1234abcd, rcv = version == 3 ? 0x100 : 0;
    char **v = otr_fragment_split(msg, max, version, snd, rcv);
    OtrReassembly ra = { 0 };
    guint count;
    size_t header = version == 3 ? 36 : 18;

    if (max <= header && strlen(msg) > max) {
        g_assert_null(v);
        return;
    }
    g_assert_nonnull(v);
    count = g_strv_length(v);
    if (strlen(msg) <= max) {
        g_assert_cmpuint(count, ==, 1);
        g_assert_cmpstr(v[0], ==, msg);
        g_strfreev(v);
        return;
    }
    g_assert_cmpuint(count, ==,
                     (strlen(msg) + max - header - 1) / (max - header));
    for (guint i = 0; i < count; i++) {
        OtrFragment f;
        OtrClassified c;
        OtrFragResult res;
        char *whole = NULL;

        g_assert_cmpuint(strlen(v[i]), <=, max);
        otr_classify(v[i], strlen(v[i]), &c);
        g_assert_cmpint(c.kind, ==, OTR_KIND_FRAGMENT);
        g_assert_cmpuint(c.start, ==, 0);
        g_assert_cmpint(otr_fragment_parse(v[i], strlen(v[i]), &f), ==, OTR_OK);
        g_assert_cmpint(f.version, ==, version);
        g_assert_cmpuint(f.k, ==, i + 1);
        g_assert_cmpuint(f.n, ==, count);
        if (version == 3) {
            g_assert_cmphex(f.sender, ==, snd);
            g_assert_cmphex(f.receiver, ==, rcv);
        }
        g_assert_cmpint(otr_reassembly_add(&ra, &f, &res, &whole), ==, OTR_OK);
        if (i + 1 < count) {
            g_assert_cmpint(res, ==, OTR_FRAG_INCOMPLETE);
        } else {
            g_assert_cmpint(res, ==, OTR_FRAG_COMPLETE);
            g_assert_cmpstr(whole, ==, msg);
            g_free(whole);
        }
    }
    otr_reassembly_clear(&ra);
    g_strfreev(v);
}

static void
test_split_round_trip(void)
{
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuv"
                              "wxyz0123456789+/";
    static const size_t lens[] = { 1, 2, 17, 64, 317, 1000, 4099 };
    GRand *r = g_rand_new_with_seed(42);

    for (gsize li = 0; li < G_N_ELEMENTS(lens); li++) {
        GString *m = g_string_new("?OTR:AAMD");

        while (m->len < lens[li] + 9)
            g_string_append_c(m, b64[g_rand_int_range(r, 0, 64)]);
        g_string_append_c(m, '.');
        for (size_t max = 1; max <= m->len + 2;
             max += max < 80 ? 1 : (size_t)g_rand_int_range(r, 1, 97)) {
            round_trip(m->str, max, 2);
            round_trip(m->str, max, 3);
        }
        g_string_free(m, TRUE);
    }
    g_rand_free(r);
}

/* Random bytes with fragment-ish characters never crash the parser, and
 * whatever parses can be fed to reassembly. */
static void
test_parse_random(void)
{
    static const char alphabet[] = "?OTR|,0123456789abcdefAF:x";
    GRand *r = g_rand_new_with_seed(3);
    OtrReassembly ra = { 0 };
    char buf[48];
    guint parsed = 0;

    for (int iter = 0; iter < 50000; iter++) {
        size_t len = (size_t)g_rand_int_range(r, 0, sizeof buf);
        OtrFragment f;
        OtrFragResult res;
        char *whole = NULL;

        memcpy(buf, g_rand_boolean(r) ? "?OTR|" : "?OTR,", 5);
        for (size_t i = 5; i < len; i++)
            buf[i] = alphabet[g_rand_int_range(r, 0, sizeof alphabet - 1)];
        if (otr_fragment_parse(buf, len, &f) != OTR_OK)
            continue;
        parsed++;
        g_assert_cmpuint(f.piece_len, >, 0);
        g_assert_true(f.piece >= buf && f.piece + f.piece_len < buf + len);
        if (otr_reassembly_add(&ra, &f, &res, &whole) == OTR_OK)
            g_free(whole);
    }
    g_assert_cmpuint(parsed, >, 0);
    otr_reassembly_clear(&ra);
    g_rand_free(r);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    for (gsize i = 0; i < G_N_ELEMENTS(parse_cases); i++) {
        char *path =
            g_strdup_printf("/core/fragment/parse/%s", parse_cases[i].name);
        g_test_add_data_func(path, &parse_cases[i], test_parse);
        g_free(path);
    }
    for (gsize i = 0; i < G_N_ELEMENTS(reassembly_cases); i++) {
        char *path = g_strdup_printf("/core/fragment/reassembly/%s",
                                     reassembly_cases[i].name);
        g_test_add_data_func(path, &reassembly_cases[i], test_reassembly);
        g_free(path);
    }
    g_test_add_func("/core/fragment/parse-length", test_parse_length);
    g_test_add_func("/core/fragment/parse-random", test_parse_random);
    g_test_add_func("/core/fragment/bound-pieces", test_bound_pieces);
    g_test_add_func("/core/fragment/bound-bytes", test_bound_bytes);
    g_test_add_func("/core/fragment/split-fits", test_split_fits);
    g_test_add_func("/core/fragment/split-exact-v3", test_split_exact_v3);
    g_test_add_func("/core/fragment/split-exact-v2", test_split_exact_v2);
    g_test_add_func("/core/fragment/split-too-small", test_split_too_small);
    g_test_add_func("/core/fragment/split-too-many", test_split_too_many);
    g_test_add_func("/core/fragment/split-round-trip", test_split_round_trip);
    return g_test_run();
}
