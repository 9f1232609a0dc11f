/* Offrec fuzz target — the ?OTR: envelope, the message header and the
 * reader on the layout of every message type.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The first byte picks the mode: even, the rest is message text for
 * otr_decode_message; odd, the rest is the binary message itself (so the
 * fuzzer reaches the readers without having to find valid base64), which
 * is also encoded and decoded again.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz-common.h"
#include "wire-private.h"

#define DH_MAX   192 /* 1536-bit group element */
#define DATA_MAX (1u << 20)

static const uint8_t *buf_start;
static size_t buf_len;

/* A returned field must lie inside the message, or be NULL/empty after a
 * failed read. */
static void
check_field(const OtrReader *r, const uint8_t *p, size_t len)
{
    CHECK(r->pos <= r->len);
    if (!otr_reader_ok(r))
        return;
    CHECK(len == 0 || p != NULL);
    if (p != NULL)
        CHECK(p >= buf_start && p + len <= buf_start + buf_len);
}

static void
read_data(OtrReader *r, size_t max)
{
    size_t len = 0;
    const uint8_t *p = otr_read_data(r, max, &len);

    check_field(r, p, len);
}

static void
read_mpi(OtrReader *r, size_t max)
{
    size_t len = 0;
    const uint8_t *p = otr_read_mpi(r, max, &len);

    check_field(r, p, len);
    if (otr_reader_ok(r) && len > 0)
        CHECK(p[0] != 0); /* minimal encoding */
    if (otr_reader_ok(r))
        CHECK(len <= max);
}

static void
read_fixed(OtrReader *r, size_t n)
{
    const uint8_t *p = otr_read_bytes(r, n);

    check_field(r, p, otr_reader_ok(r) ? n : 0);
}

static void
parse_body(OtrReader *r, const OtrHeader *h)
{
    switch (h->type) {
    case OTR_TYPE_DH_COMMIT:
        read_data(r, DATA_MAX); /* AES(r, g^x) */
        read_data(r, 32);       /* SHA-256(g^x) */
        break;
    case OTR_TYPE_DH_KEY:
        read_mpi(r, DH_MAX);
        break;
    case OTR_TYPE_REVEAL_SIG:
        read_data(r, 16); /* r */
        read_data(r, DATA_MAX);
        read_fixed(r, OTR_MAC_LEN);
        break;
    case OTR_TYPE_SIGNATURE:
        read_data(r, DATA_MAX);
        read_fixed(r, OTR_MAC_LEN);
        break;
    case OTR_TYPE_DATA:
        (void)otr_read_byte(r); /* flags */
        (void)otr_read_int(r);  /* sender keyid */
        (void)otr_read_int(r);  /* recipient keyid */
        read_mpi(r, DH_MAX);    /* next DH key */
        read_fixed(r, OTR_CTR_LEN);
        read_data(r, DATA_MAX);
        read_fixed(r, OTR_MAC_LEN);
        read_data(r, DATA_MAX); /* old MAC keys */
        break;
    default:
        /* Unknown type: read a little of everything. */
        (void)otr_read_short(r);
        read_mpi(r, 16);
        read_data(r, 16);
        read_fixed(r, 3);
        break;
    }
    CHECK(r->pos <= r->len);
    if (otr_reader_done(r))
        CHECK(otr_reader_ok(r) && otr_reader_left(r) == 0);
    if (!otr_reader_ok(r)) {
        /* Sticky: further reads fail and return zeroes. */
        const uint8_t *z;

        CHECK(otr_read_int(r) == 0);
        z = otr_read_bytes(r, 4);
        CHECK(z == NULL || (z[0] | z[1] | z[2] | z[3]) == 0);
        CHECK(!otr_reader_ok(r));
    }
}

static void
parse_message(const uint8_t *msg, size_t len)
{
    OtrReader r;
    OtrHeader h;

    buf_start = msg;
    buf_len = len;
    otr_reader_init(&r, msg, len);
    otr_header_read(&r, &h);
    if (!otr_reader_ok(&r))
        return;
    CHECK(h.version == 2 || h.version == 3);
    if (h.version == 2)
        CHECK(h.sender_instag == 0 && h.receiver_instag == 0);
    parse_body(&r, &h);

    /* The header writes back as read. */
    {
        OtrWriter w;
        size_t hlen = h.version == 3 ? 11 : 3;

        otr_writer_init(&w);
        otr_header_write(&w, &h);
        CHECK(w.buf->len == hlen && memcmp(w.buf->data, msg, hlen) == 0);
        otr_writer_clear(&w);
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    GBytes *bytes;
    char *text;

    if (size == 0)
        return 0;
    if ((data[0] & 1) == 0) {
        bytes = otr_decode_message((const char *)data + 1, size - 1);
        if (bytes != NULL) {
            gsize len;
            const uint8_t *msg = g_bytes_get_data(bytes, &len);

            parse_message(msg, len);
            g_bytes_unref(bytes);
        }
        return 0;
    }

    parse_message(data + 1, size - 1);
    /* Envelope round trip on the same bytes. */
    text = otr_encode_message(data + 1, size - 1);
    CHECK(strncmp(text, "?OTR:", 5) == 0);
    bytes = otr_decode_message(text, strlen(text));
    if (size > 1) {
        gsize len;
        const uint8_t *back;

        CHECK(bytes != NULL);
        back = g_bytes_get_data(bytes, &len);
        CHECK(len == size - 1 && memcmp(back, data + 1, len) == 0);
    }
    if (bytes != NULL)
        g_bytes_unref(bytes);
    g_free(text);
    return 0;
}
