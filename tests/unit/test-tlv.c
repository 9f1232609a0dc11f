/* Offrec tests — TLV records after the message text of a data message.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <string.h>

#include "testutil.h"
#include "tlv-private.h"

typedef struct {
    guint16 type, len;
    size_t offset; /* of the value in the plaintext */
} ExpectTlv;

typedef struct {
    const char *name;
    const uint8_t *plain;
    size_t len;
    OtrError err;
    size_t text_len;
    guint ntlvs;
    ExpectTlv tlvs[4];
} ParseCase;

#define BYTES(...)                                                             \
    (const uint8_t[]){ __VA_ARGS__ }, sizeof((uint8_t[]){ __VA_ARGS__ })

static const ParseCase parse_cases[] = {
    { "no-nul", BYTES('h', 'i'), OTR_OK, 2, 0, { { 0 } } },
    { "nul-only-text", BYTES('h', 'i', 0), OTR_OK, 2, 0, { { 0 } } },
    { "just-nul", BYTES(0), OTR_OK, 0, 0, { { 0 } } },
    /* spec examples */
    { "disconnected",
      BYTES('x', 0, 0, 1, 0, 0),
      OTR_OK,
      1,
      1,
      { { 1, 0, 6 } } },
    { "padding-hello",
      BYTES(0, 0, 0, 0, 5, 'h', 'e', 'l', 'l', 'o'),
      OTR_OK,
      0,
      1,
      { { 0, 5, 5 } } },
    { "several",
      BYTES('a',
            'b',
            'c',
            0,
            0,
            2,
            0,
            1,
            0xaa,
            0,
            6,
            0,
            0,
            0x12,
            0x34,
            0,
            2,
            0xbe,
            0xef),
      OTR_OK,
      3,
      3,
      { { 2, 1, 8 }, { 6, 0, 13 }, { 0x1234, 2, 17 } } },
    { "unknown-type",
      BYTES(0, 0xff, 0xff, 0, 1, 7),
      OTR_OK,
      0,
      1,
      { { 0xffff, 1, 5 } } },
    /* The text ends at the first NUL; a NUL inside a value is data. */
    { "nul-in-value",
      BYTES('t', 0, 0, 0, 0, 2, 0, 0),
      OTR_OK,
      1,
      1,
      { { 0, 2, 6 } } },
    /* Truncations */
    { "trunc-type", BYTES(0, 0), OTR_ERR_MALFORMED, 0, 0, { { 0 } } },
    { "trunc-one-byte", BYTES('a', 0, 1), OTR_ERR_MALFORMED, 0, 0, { { 0 } } },
    { "trunc-len", BYTES(0, 0, 1, 0), OTR_ERR_MALFORMED, 0, 0, { { 0 } } },
    { "trunc-value",
      BYTES(0, 0, 1, 0, 3, 'a', 'b'),
      OTR_ERR_MALFORMED,
      0,
      0,
      { { 0 } } },
    { "trunc-second",
      BYTES(0, 0, 1, 0, 0, 0, 0, 0, 9),
      OTR_ERR_MALFORMED,
      0,
      0,
      { { 0 } } },
    { "len-huge",
      BYTES(0, 0, 0, 0xff, 0xff, 1, 2, 3),
      OTR_ERR_MALFORMED,
      0,
      0,
      { { 0 } } },
};

static void
test_parse(gconstpointer data)
{
    const ParseCase *tc = data;
    GArray *tlvs = g_array_new(FALSE, FALSE, sizeof(OtrTlv));
    OtrTlv sentinel = { 0x4242, 1, NULL };
    size_t text_len = 12345;
    OtrError err;

    /* The caller's earlier contents stay in place. */
    g_array_append_val(tlvs, sentinel);
    err = otr_tlv_parse(tc->plain, tc->len, &text_len, tlvs);
    g_assert_cmpint(err, ==, tc->err);
    if (err != OTR_OK) {
        g_assert_cmpuint(tlvs->len, ==, 1);
        g_assert_cmpuint(text_len, ==, 12345); /* untouched on failure */
        g_array_unref(tlvs);
        return;
    }
    g_assert_cmpuint(text_len, ==, tc->text_len);
    g_assert_cmpuint(tlvs->len, ==, tc->ntlvs + 1);
    g_assert_cmpuint(g_array_index(tlvs, OtrTlv, 0).type, ==, 0x4242);
    for (guint i = 0; i < tc->ntlvs; i++) {
        const OtrTlv *t = &g_array_index(tlvs, OtrTlv, i + 1);

        g_assert_cmpuint(t->type, ==, tc->tlvs[i].type);
        g_assert_cmpuint(t->len, ==, tc->tlvs[i].len);
        /* borrowed from the plaintext */
        g_assert_true(t->data == tc->plain + tc->tlvs[i].offset);
    }
    g_array_unref(tlvs);
}

static void
test_parse_empty(void)
{
    GArray *tlvs = g_array_new(FALSE, FALSE, sizeof(OtrTlv));
    size_t text_len = 99;

    g_assert_cmpint(otr_tlv_parse(NULL, 0, &text_len, tlvs), ==, OTR_OK);
    g_assert_cmpuint(text_len, ==, 0);
    g_assert_cmpuint(tlvs->len, ==, 0);
    g_array_unref(tlvs);
}

/* Every prefix of a well-formed plaintext parses exactly when it ends on a
 * record boundary. */
static void
test_parse_every_truncation(void)
{
    static const uint8_t plain[] = { 'h', 'e', 'y', 0,    0,    1, 0, 0,
                                     0,   2,   0,   3,    1,    2, 3, 0,
                                     8,   0,   4,   0xde, 0xad, 0, 0 };
    static const size_t boundaries[] = { 4, 8, 15, 23 };
    uint8_t full[sizeof plain + 1];

    memcpy(full, plain, sizeof plain);
    for (size_t cut = 0; cut <= sizeof plain; cut++) {
        /* heap copy of exactly cut bytes, so ASan sees any overread */
        uint8_t *copy = g_memdup2(full, cut);
        GArray *tlvs = g_array_new(FALSE, FALSE, sizeof(OtrTlv));
        size_t text_len = 0;
        OtrError err = otr_tlv_parse(copy, cut, &text_len, tlvs);
        int boundary = -1;

        for (gsize b = 0; b < G_N_ELEMENTS(boundaries); b++) {
            if (boundaries[b] == cut)
                boundary = (int)b;
        }
        if (cut <= 3) {
            g_assert_cmpint(err, ==, OTR_OK); /* text only, no NUL yet */
            g_assert_cmpuint(text_len, ==, cut);
            g_assert_cmpuint(tlvs->len, ==, 0);
        } else if (boundary >= 0) {
            g_assert_cmpint(err, ==, OTR_OK);
            g_assert_cmpuint(text_len, ==, 3);
            g_assert_cmpuint(tlvs->len, ==, (guint)boundary);
        } else {
            g_assert_cmpint(err, ==, OTR_ERR_MALFORMED);
            g_assert_cmpuint(tlvs->len, ==, 0);
        }
        g_array_unref(tlvs);
        g_free(copy);
    }
}

static void
test_write(void)
{
    static const uint8_t expect[] = {
        0, 1, 0, 0, 0, 0, 0, 5, 'h', 'e', 'l', 'l', 'o', 0x12, 0x34, 0, 1, 0xff
    };
    static const uint8_t ff = 0xff;
    OtrWriter w;

    otr_writer_init(&w);
    otr_tlv_write(&w, OTR_TLV_DISCONNECTED, NULL, 0);
    otr_tlv_write(&w, OTR_TLV_PADDING, (const uint8_t *)"hello", 5);
    otr_tlv_write(&w, 0x1234, &ff, 1);
    g_assert_cmpmem(w.buf->data, w.buf->len, expect, sizeof expect);
    otr_writer_clear(&w);
}

/* Written records parse back, including the largest value allowed. */
static void
test_round_trip(void)
{
    static const guint16 lens[] = { 0, 1, 2, 255, 256, 1000, 65535 };
    uint8_t *value = g_malloc(65535);
    GArray *tlvs = g_array_new(FALSE, FALSE, sizeof(OtrTlv));
    size_t text_len = 0;
    OtrWriter w;

    for (size_t i = 0; i < 65535; i++)
        value[i] = (uint8_t)(i * 7 + 3);
    otr_writer_init(&w);
    otr_write_bytes(&w, (const uint8_t *)"msg", 4); /* with its NUL */
    for (gsize i = 0; i < G_N_ELEMENTS(lens); i++)
        otr_tlv_write(&w, (guint16)(i + OTR_TLV_SMP1), value, lens[i]);
    g_assert_cmpint(otr_tlv_parse(w.buf->data, w.buf->len, &text_len, tlvs), ==,
                    OTR_OK);
    g_assert_cmpuint(text_len, ==, 3);
    g_assert_cmpuint(tlvs->len, ==, G_N_ELEMENTS(lens));
    for (guint i = 0; i < tlvs->len; i++) {
        const OtrTlv *t = &g_array_index(tlvs, OtrTlv, i);

        g_assert_cmpuint(t->type, ==, i + OTR_TLV_SMP1);
        g_assert_cmpmem(t->data, t->len, value, lens[i]);
    }
    otr_writer_clear(&w);
    g_array_unref(tlvs);
    g_free(value);
}

/* Random bytes never crash and every record lies inside the input. */
static void
test_parse_random(void)
{
    GRand *r = g_rand_new_with_seed(11);
    uint8_t buf[40];

    for (int iter = 0; iter < 20000; iter++) {
        size_t len = (size_t)g_rand_int_range(r, 0, sizeof buf + 1);
        uint8_t *copy;
        GArray *tlvs = g_array_new(FALSE, FALSE, sizeof(OtrTlv));
        size_t text_len;

        for (size_t i = 0; i < len; i++)
            buf[i] =
                (uint8_t)(g_rand_boolean(r) ? 0 : g_rand_int_range(r, 0, 9));
        copy = g_memdup2(buf, len);
        if (otr_tlv_parse(copy, len, &text_len, tlvs) == OTR_OK) {
            g_assert_cmpuint(text_len, <=, len);
            for (guint i = 0; i < tlvs->len; i++) {
                const OtrTlv *t = &g_array_index(tlvs, OtrTlv, i);

                g_assert_true(t->data >= copy &&
                              t->data + t->len <= copy + len);
            }
        }
        g_free(copy);
        g_array_unref(tlvs);
    }
    g_rand_free(r);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    for (gsize i = 0; i < G_N_ELEMENTS(parse_cases); i++) {
        char *path = g_strdup_printf("/core/tlv/parse/%s", parse_cases[i].name);
        g_test_add_data_func(path, &parse_cases[i], test_parse);
        g_free(path);
    }
    g_test_add_func("/core/tlv/parse-empty", test_parse_empty);
    g_test_add_func("/core/tlv/parse-every-truncation",
                    test_parse_every_truncation);
    g_test_add_func("/core/tlv/parse-random", test_parse_random);
    g_test_add_func("/core/tlv/write", test_write);
    g_test_add_func("/core/tlv/round-trip", test_round_trip);
    return g_test_run();
}
