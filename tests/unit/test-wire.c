/* Offrec tests — wire codec: reader, writer, MPIs, headers, base64.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <string.h>

#include "crypto-private.h"
#include "testutil.h"
#include "wire-private.h"

/* A message using every field type, written with the writer. */
static const uint8_t mpi_val[] = { 0x01, 0x02, 0x03 };
static const uint8_t data_val[] = { 0x00, 0xff, 0x00 };
static const uint8_t ctr_val[OTR_CTR_LEN] = { 1, 2, 3, 4, 5, 6, 7, 8 };
static uint8_t mac_val[OTR_MAC_LEN];

static GByteArray *
build_all(OtrWriter *w)
{
    OtrHeader h = { 3, OTR_TYPE_DATA, 0x101, 0x202 };

    for (int i = 0; i < OTR_MAC_LEN; i++)
        mac_val[i] = (uint8_t)(0xa0 + i);
    otr_writer_init(w);
    otr_header_write(w, &h);
    otr_write_byte(w, 0x7e);
    otr_write_short(w, 0xbeef);
    otr_write_int(w, 0xdeadbeef);
    otr_write_mpi(w, mpi_val, sizeof mpi_val);
    otr_write_data(w, data_val, sizeof data_val);
    otr_write_bytes(w, ctr_val, OTR_CTR_LEN);
    otr_write_bytes(w, mac_val, OTR_MAC_LEN);
    return w->buf;
}

/* Parses what build_all wrote; returns TRUE when everything matched. */
static gboolean
parse_all(const uint8_t *buf, size_t len)
{
    OtrReader r;
    OtrHeader h;
    const uint8_t *p, *ctr, *mac;
    size_t mlen, dlen;
    gboolean ok;
    uint8_t b;
    guint16 s;
    guint32 i;

    otr_reader_init(&r, buf, len);
    otr_header_read(&r, &h);
    b = otr_read_byte(&r);
    s = otr_read_short(&r);
    i = otr_read_int(&r);
    p = otr_read_mpi(&r, 16, &mlen);
    ok = mlen == sizeof mpi_val && memcmp(p, mpi_val, mlen) == 0;
    p = otr_read_data(&r, 16, &dlen);
    ok = ok && dlen == sizeof data_val && memcmp(p, data_val, dlen) == 0;
    ctr = otr_read_bytes(&r, OTR_CTR_LEN);
    mac = otr_read_bytes(&r, OTR_MAC_LEN);
    if (!otr_reader_ok(&r)) {
        /* Sticky failure: zero values, non-NULL zero pointers. */
        g_assert_nonnull(ctr);
        g_assert_nonnull(mac);
        g_assert_cmpuint(otr_reader_left(&r), ==, 0);
        g_assert_cmpint(otr_read_byte(&r), ==, 0);
        g_assert_cmpint(otr_read_int(&r), ==, 0);
        return FALSE;
    }
    return otr_reader_done(&r) && ok && h.version == 3 &&
           h.type == OTR_TYPE_DATA && h.sender_instag == 0x101 &&
           h.receiver_instag == 0x202 && b == 0x7e && s == 0xbeef &&
           i == 0xdeadbeef && memcmp(ctr, ctr_val, OTR_CTR_LEN) == 0 &&
           memcmp(mac, mac_val, OTR_MAC_LEN) == 0;
}

static void
test_roundtrip(void)
{
    OtrWriter w;
    GByteArray *b = build_all(&w);
    static const uint8_t expect_head[] = {
        0x00, 0x03, 0x03, 0x00, 0x00, 0x01, 0x01, 0x00, 0x00, 0x02, 0x02,
        0x7e, 0xbe, 0xef, 0xde, 0xad, 0xbe, 0xef, 0x00, 0x00, 0x00, 0x03,
        0x01, 0x02, 0x03, 0x00, 0x00, 0x00, 0x03, 0x00, 0xff, 0x00,
    };

    g_assert_cmpuint(b->len, ==, sizeof expect_head + 8 + 20);
    g_assert_cmpmem(b->data, sizeof expect_head, expect_head,
                    sizeof expect_head);
    g_assert_true(parse_all(b->data, b->len));
    otr_writer_clear(&w);
    g_assert_null(w.buf);
}

/* Every proper prefix of a valid message must fail, never crash. */
static void
test_truncation(void)
{
    OtrWriter w;
    GByteArray *b = build_all(&w);

    for (size_t n = 0; n < b->len; n++) {
        uint8_t *copy = g_memdup2(b->data, n); /* exact size for ASan */

        g_assert_false(parse_all(copy, n));
        g_free(copy);
    }
    g_assert_true(parse_all(b->data, b->len));
    otr_writer_clear(&w);
}

/* Each length field made one larger, or huge: the reader fails. */
static void
test_bad_lengths(void)
{
    OtrWriter w;
    GByteArray *b = build_all(&w);
    static const size_t len_at[] = { 18, 25 }; /* MPI and DATA lengths */

    for (guint i = 0; i < G_N_ELEMENTS(len_at); i++) {
        uint8_t *copy = g_memdup2(b->data, b->len);

        copy[len_at[i] + 3] += 1;
        g_assert_false(parse_all(copy, b->len));
        copy[len_at[i]] = 0x80;
        g_assert_false(parse_all(copy, b->len));
        g_free(copy);
    }
    otr_writer_clear(&w);
}

static void
test_trailing(void)
{
    OtrWriter w;
    GByteArray *b = build_all(&w);
    OtrReader r;
    OtrHeader h;

    otr_write_byte(&w, 0);
    b = w.buf;
    g_assert_false(parse_all(b->data, b->len));
    otr_reader_init(&r, b->data, b->len);
    otr_header_read(&r, &h);
    g_assert_true(otr_reader_ok(&r));
    g_assert_false(otr_reader_done(&r));
    g_assert_cmpuint(otr_reader_left(&r), ==, b->len - 11);
    otr_writer_clear(&w);
}

static void
test_mpi_minimal(void)
{
    static const uint8_t lead0[] = { 0, 0, 0, 2, 0x00, 0x80 };
    static const uint8_t zero_len[] = { 0, 0, 0, 0 };
    static const uint8_t one[] = { 0, 0, 0, 1, 0x80 };
    static const uint8_t padded[] = { 0x00, 0x00, 0x12, 0x34 };
    static const uint8_t zeros[] = { 0x00, 0x00 };
    OtrReader r;
    OtrWriter w;
    const uint8_t *p;
    size_t len = 99;

    otr_reader_init(&r, lead0, sizeof lead0);
    p = otr_read_mpi(&r, 16, &len);
    g_assert_false(otr_reader_ok(&r));
    g_assert_nonnull(p);
    g_assert_cmpuint(len, ==, 0);

    /* The same bytes are fine as DATA. */
    otr_reader_init(&r, lead0, sizeof lead0);
    p = otr_read_data(&r, 16, &len);
    g_assert_true(otr_reader_done(&r));
    g_assert_cmpuint(len, ==, 2);
    g_assert_true(p == lead0 + 4);

    otr_reader_init(&r, zero_len, sizeof zero_len);
    otr_read_mpi(&r, 16, &len);
    g_assert_true(otr_reader_done(&r));
    g_assert_cmpuint(len, ==, 0);

    otr_reader_init(&r, one, sizeof one);
    p = otr_read_mpi(&r, 1, &len);
    g_assert_true(otr_reader_done(&r));
    g_assert_cmpuint(p[0], ==, 0x80);

    /* Writer strips leading zeroes; zero becomes an empty MPI. */
    otr_writer_init(&w);
    otr_write_mpi(&w, padded, sizeof padded);
    otr_write_mpi(&w, zeros, sizeof zeros);
    otr_write_mpi(&w, NULL, 0);
    g_assert_cmpuint(w.buf->len, ==, 6 + 4 + 4);
    g_assert_cmpmem(w.buf->data, 6,
                    ((const uint8_t[]){ 0, 0, 0, 2, 0x12, 0x34 }), 6);
    g_assert_cmpmem(w.buf->data + 6, 8,
                    ((const uint8_t[]){ 0, 0, 0, 0, 0, 0, 0, 0 }), 8);
    otr_writer_clear(&w);
}

static void
test_mpi_max(void)
{
    uint8_t buf[4 + 200];
    OtrReader r;
    size_t len;

    memset(buf, 0x11, sizeof buf);
    buf[0] = 0;
    buf[1] = 0;
    buf[2] = 0;
    buf[3] = 192;
    otr_reader_init(&r, buf, 4 + 192);
    otr_read_mpi(&r, 192, &len);
    g_assert_true(otr_reader_done(&r));
    g_assert_cmpuint(len, ==, 192);

    buf[3] = 193;
    otr_reader_init(&r, buf, 4 + 193);
    otr_read_mpi(&r, 192, &len);
    g_assert_false(otr_reader_ok(&r));
    otr_reader_init(&r, buf, 4 + 193);
    otr_read_data(&r, 192, &len);
    g_assert_false(otr_reader_ok(&r));

    /* A huge length must not overflow the bounds check. */
    buf[0] = 0xff;
    buf[1] = 0xff;
    buf[2] = 0xff;
    buf[3] = 0xff;
    otr_reader_init(&r, buf, sizeof buf);
    otr_read_data(&r, G_MAXSIZE, &len);
    g_assert_false(otr_reader_ok(&r));
    g_assert_cmpuint(len, ==, 0);
}

static void
test_read_bytes_fail(void)
{
    static const uint8_t two[] = { 1, 2 };
    OtrReader r;
    const uint8_t *p;

    otr_reader_init(&r, two, sizeof two);
    p = otr_read_bytes(&r, 40);
    g_assert_false(otr_reader_ok(&r));
    g_assert_nonnull(p);
    for (int i = 0; i < 40; i++)
        g_assert_cmpint(p[i], ==, 0);
    g_assert_null(otr_read_bytes(&r, 100000));
    otr_reader_init(&r, NULL, 5);
    g_assert_cmpuint(otr_reader_left(&r), ==, 0);
    otr_read_byte(&r);
    g_assert_false(otr_reader_ok(&r));
}

static void
test_header_versions(void)
{
    OtrWriter w;
    OtrHeader h2 = { 2, OTR_TYPE_DH_KEY, 0, 0 }, out;
    OtrHeader h3 = { 3, OTR_TYPE_DH_COMMIT, 0x12345678, 0 };
    static const uint8_t v1[] = { 0, 1, 0x02 };
    static const uint8_t v4[] = { 0, 4, 0x02, 0, 0, 1, 0, 0, 0, 1, 0 };
    static const uint8_t v3short[] = { 0, 3, 0x02, 0, 0, 1, 0, 0, 0, 1 };
    OtrReader r;

    otr_writer_init(&w);
    otr_header_write(&w, &h2);
    g_assert_cmpuint(w.buf->len, ==, 3);
    g_assert_cmpmem(w.buf->data, 3, ((const uint8_t[]){ 0, 2, 0x0a }), 3);
    otr_reader_init(&r, w.buf->data, w.buf->len);
    otr_header_read(&r, &out);
    g_assert_true(otr_reader_done(&r));
    g_assert_cmpint(out.version, ==, 2);
    g_assert_cmpint(out.type, ==, OTR_TYPE_DH_KEY);
    g_assert_cmpint(out.sender_instag, ==, 0);
    otr_writer_clear(&w);

    otr_writer_init(&w);
    otr_header_write(&w, &h3);
    g_assert_cmpuint(w.buf->len, ==, 11);
    otr_reader_init(&r, w.buf->data, w.buf->len);
    otr_header_read(&r, &out);
    g_assert_true(otr_reader_done(&r));
    g_assert_cmpint(out.version, ==, 3);
    g_assert_cmphex(out.sender_instag, ==, 0x12345678);
    g_assert_cmphex(out.receiver_instag, ==, 0);
    otr_writer_clear(&w);

    otr_reader_init(&r, v1, sizeof v1);
    otr_header_read(&r, &out);
    g_assert_false(otr_reader_ok(&r));
    otr_reader_init(&r, v4, sizeof v4);
    otr_header_read(&r, &out);
    g_assert_false(otr_reader_ok(&r));
    otr_reader_init(&r, v3short, sizeof v3short);
    otr_header_read(&r, &out);
    g_assert_false(otr_reader_ok(&r));
}

/* Growing past the initial capacity keeps the contents intact. */
static void
test_writer_growth(void)
{
    OtrWriter w;
    GRand *rnd = g_rand_new_with_seed(7);
    GByteArray *ref = g_byte_array_new();

    otr_writer_init(&w);
    for (int i = 0; i < 2000; i++) {
        uint8_t chunk[37];
        size_t n = (size_t)g_rand_int_range(rnd, 0, sizeof chunk + 1);

        for (size_t j = 0; j < n; j++)
            chunk[j] = (uint8_t)g_rand_int(rnd);
        otr_write_bytes(&w, chunk, n);
        g_byte_array_append(ref, chunk, (guint)n);
    }
    g_assert_cmpmem(w.buf->data, w.buf->len, ref->data, ref->len);
    g_assert_cmpuint(w.cap, >=, w.buf->len);
    otr_writer_clear(&w);
    g_byte_array_unref(ref);
    g_rand_free(rnd);
}

static void
test_base64_roundtrip(void)
{
    uint8_t buf[64];

    for (size_t n = 1; n <= sizeof buf; n++) {
        char *text;
        GBytes *back;

        for (size_t i = 0; i < n; i++)
            buf[i] = (uint8_t)(i * 37 + n);
        text = otr_encode_message(buf, n);
        g_assert_true(g_str_has_prefix(text, "?OTR:"));
        g_assert_true(g_str_has_suffix(text, "."));
        g_assert_cmpuint(strlen(text), ==, 5 + (n + 2) / 3 * 4 + 1);
        back = otr_decode_message(text, strlen(text));
        g_assert_nonnull(back);
        g_assert_cmpmem(g_bytes_get_data(back, NULL), g_bytes_get_size(back),
                        buf, n);
        g_bytes_unref(back);
        g_free(text);
    }
}

static void
test_base64_known(void)
{
    const char *msg = "?OTR:AAMDJ+MVmSfjFZc=. trailing text";
    static const uint8_t expect[] = { 0x00, 0x03, 0x03, 0x27, 0xe3, 0x15,
                                      0x99, 0x27, 0xe3, 0x15, 0x97 };
    GBytes *b = otr_decode_message(msg, strlen(msg));
    char *enc;

    g_assert_nonnull(b);
    g_assert_cmpmem(g_bytes_get_data(b, NULL), g_bytes_get_size(b), expect,
                    sizeof expect);
    g_bytes_unref(b);
    enc = otr_encode_message(expect, sizeof expect);
    g_assert_cmpstr(enc, ==, "?OTR:AAMDJ+MVmSfjFZc=.");
    g_free(enc);

    /* The length bounds the search for '.': the dot past it is unseen. */
    g_assert_null(otr_decode_message(msg, 21));
    b = otr_decode_message(msg, 22);
    g_assert_nonnull(b);
    g_bytes_unref(b);
}

static void
test_base64_bad(gconstpointer data)
{
    const char *text = data;

    g_assert_null(otr_decode_message(text, strlen(text)));
}

static const char *const bad_b64[] = {
    "",
    "?OTR",
    "?OTR:",
    "?OTR:.",
    "?OTR:AAMD",      /* no terminating '.' */
    "?OTR:AAM.",      /* not whole quanta */
    "?OTR:AAMDJ.",    /* 5 chars */
    "?OTR:AA MD.",    /* space (GLib would skip it) */
    "?OTR:AA\nMD.",   /* newline */
    "?OTR:AA*D.",     /* outside the alphabet */
    "?OTR:AA-_.",     /* URL-safe alphabet */
    "?OTR:A===.",     /* too much padding */
    "?OTR:====.",     /* padding only */
    "?OTR:AA=A.",     /* padding in the middle */
    "?OTR:AA==AAAA.", /* padding before more data */
    "?OTR:AB==.",     /* non-zero discarded bits (2 pad) */
    "?OTR:AAB=.",     /* non-zero discarded bits (1 pad) */
    "?OTR|AAMD.",     /* fragment marker, not encoded */
    "?otr:AAMD.",     /* prefix is case-sensitive */
    "?OTR:AAMD\xff.", /* high byte */
};

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/core/wire/roundtrip", test_roundtrip);
    g_test_add_func("/core/wire/truncation", test_truncation);
    g_test_add_func("/core/wire/trailing", test_trailing);
    g_test_add_func("/core/wire/bad-lengths", test_bad_lengths);
    g_test_add_func("/core/wire/mpi-minimal", test_mpi_minimal);
    g_test_add_func("/core/wire/mpi-max", test_mpi_max);
    g_test_add_func("/core/wire/read-bytes-fail", test_read_bytes_fail);
    g_test_add_func("/core/wire/header-versions", test_header_versions);
    g_test_add_func("/core/wire/writer-growth", test_writer_growth);
    g_test_add_func("/core/wire/base64-roundtrip", test_base64_roundtrip);
    g_test_add_func("/core/wire/base64-known", test_base64_known);
    for (guint i = 0; i < G_N_ELEMENTS(bad_b64); i++) {
        char *path = g_strdup_printf("/core/wire/base64-bad/%u", i);

        g_test_add_data_func(path, bad_b64[i], test_base64_bad);
        g_free(path);
    }
    return g_test_run();
}
