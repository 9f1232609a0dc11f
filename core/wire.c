/* Offrec — wire codec: sticky reader, wiping writer, headers, base64.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <string.h>

#include "crypto-private.h"
#include "wire-private.h"

#define OTR_PREFIX     "?OTR:"
#define OTR_PREFIX_LEN 5
#define ZEROES_LEN     256
#define WRITER_MIN_CAP 256

/* What a failed read hands out instead of a pointer into the buffer. */
static const uint8_t zeroes[ZEROES_LEN];

/* ---- Reader ------------------------------------------------------------- */

void
otr_reader_init(OtrReader *r, const uint8_t *buf, size_t len)
{
    r->buf = buf;
    r->len = buf ? len : 0;
    r->pos = 0;
    r->failed = FALSE;
}

gboolean
otr_reader_ok(const OtrReader *r)
{
    return !r->failed;
}

size_t
otr_reader_left(const OtrReader *r)
{
    return r->failed ? 0 : r->len - r->pos;
}

gboolean
otr_reader_done(const OtrReader *r)
{
    return !r->failed && r->pos == r->len;
}

/* Consumes n bytes and returns where they start, or NULL (and fails). */
static const uint8_t *
take(OtrReader *r, size_t n)
{
    const uint8_t *p;

    if (r->failed || n > r->len - r->pos) {
        r->failed = TRUE;
        return NULL;
    }
    p = r->buf + r->pos;
    r->pos += n;
    return p;
}

uint8_t
otr_read_byte(OtrReader *r)
{
    const uint8_t *p = take(r, 1);

    return p ? p[0] : 0;
}

guint16
otr_read_short(OtrReader *r)
{
    const uint8_t *p = take(r, 2);

    return p ? (guint16)((p[0] << 8) | p[1]) : 0;
}

guint32
otr_read_int(OtrReader *r)
{
    const uint8_t *p = take(r, 4);

    if (!p)
        return 0;
    return ((guint32)p[0] << 24) | ((guint32)p[1] << 16) |
           ((guint32)p[2] << 8) | (guint32)p[3];
}

static const uint8_t *
read_counted(OtrReader *r, size_t max, size_t *len, gboolean minimal)
{
    guint32 n = otr_read_int(r);
    const uint8_t *p = NULL;

    if (!r->failed && n > max)
        r->failed = TRUE;
    if (!r->failed)
        p = take(r, n);
    if (p && minimal && n > 0 && p[0] == 0) {
        r->failed = TRUE;
        p = NULL;
    }
    if (!p) {
        *len = 0;
        return zeroes;
    }
    *len = n;
    return p;
}

const uint8_t *
otr_read_mpi(OtrReader *r, size_t max, size_t *len)
{
    return read_counted(r, max, len, TRUE);
}

const uint8_t *
otr_read_data(OtrReader *r, size_t max, size_t *len)
{
    return read_counted(r, max, len, FALSE);
}

const uint8_t *
otr_read_bytes(OtrReader *r, size_t n)
{
    const uint8_t *p = take(r, n);

    if (p)
        return p;
    return n <= ZEROES_LEN ? zeroes : NULL;
}

/* ---- Writer ------------------------------------------------------------- */

void
otr_writer_init(OtrWriter *w)
{
    w->buf = g_byte_array_sized_new(WRITER_MIN_CAP);
    w->cap = WRITER_MIN_CAP;
}

void
otr_writer_clear(OtrWriter *w)
{
    if (w->buf) {
        otr_wipe(w->buf->data, w->buf->len);
        g_byte_array_unref(w->buf);
    }
    w->buf = NULL;
    w->cap = 0;
}

/* Makes room for n more bytes without letting GLib realloc the block:
 * a realloc could leave a stale copy of the contents in freed memory. */
static void
reserve(OtrWriter *w, size_t n)
{
    GByteArray *bigger;
    size_t need, cap;

    if (!w->buf)
        otr_writer_init(w);
    need = w->buf->len + n;
    if (need <= w->cap)
        return;
    cap = MAX(need, 2 * w->cap);
    g_return_if_fail(cap <= G_MAXUINT);
    bigger = g_byte_array_sized_new((guint)cap);
    g_byte_array_append(bigger, w->buf->data, w->buf->len);
    otr_wipe(w->buf->data, w->buf->len);
    g_byte_array_unref(w->buf);
    w->buf = bigger;
    w->cap = cap;
}

void
otr_write_bytes(OtrWriter *w, const uint8_t *data, size_t len)
{
    if (len == 0)
        return;
    reserve(w, len);
    g_byte_array_append(w->buf, data, (guint)len);
}

void
otr_write_byte(OtrWriter *w, uint8_t v)
{
    otr_write_bytes(w, &v, 1);
}

void
otr_write_short(OtrWriter *w, guint16 v)
{
    uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };

    otr_write_bytes(w, b, sizeof b);
}

void
otr_write_int(OtrWriter *w, guint32 v)
{
    uint8_t b[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8),
                     (uint8_t)v };

    otr_write_bytes(w, b, sizeof b);
}

void
otr_write_data(OtrWriter *w, const uint8_t *data, size_t len)
{
    g_return_if_fail(len <= G_MAXUINT32);
    reserve(w, 4 + len);
    otr_write_int(w, (guint32)len);
    otr_write_bytes(w, data, len);
}

void
otr_write_mpi(OtrWriter *w, const uint8_t *num, size_t len)
{
    while (len > 0 && num[0] == 0) {
        num++;
        len--;
    }
    otr_write_data(w, num, len);
}

/* ---- Header ------------------------------------------------------------- */

void
otr_header_read(OtrReader *r, OtrHeader *h)
{
    h->version = otr_read_short(r);
    h->type = otr_read_byte(r);
    h->sender_instag = 0;
    h->receiver_instag = 0;
    if (h->version == 3) {
        h->sender_instag = otr_read_int(r);
        h->receiver_instag = otr_read_int(r);
    } else if (h->version != 2) {
        r->failed = TRUE;
    }
}

void
otr_header_write(OtrWriter *w, const OtrHeader *h)
{
    g_return_if_fail(h->version == 2 || h->version == 3);
    reserve(w, 11);
    otr_write_short(w, h->version);
    otr_write_byte(w, h->type);
    if (h->version == 3) {
        otr_write_int(w, h->sender_instag);
        otr_write_int(w, h->receiver_instag);
    }
}

/* ---- Base64 envelope ---------------------------------------------------- */

/* Strict RFC 4648 base64, our own: GLib's streaming coder costs several
 * times more per byte, and every data message goes through both ways. */

static const char b64_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                   "abcdefghijklmnopqrstuvwxyz0123456789+/";

/* Not a value: set in every byte of the decoding tables a valid 24-bit
 * quantum never uses. */
#define B64_BAD 0xff000000u

typedef struct {
    /* Two output characters for each 12 bits of input. */
    char pair[4096][2];
    /* Per position in a quantum: the character's value already shifted
     * into place, or B64_BAD. */
    guint32 dec[4][256];
} B64Tables;

static B64Tables b64_tab;

static const B64Tables *
b64_tables(void)
{
    static gsize done = 0;

    if (g_once_init_enter(&done)) {
        for (guint i = 0; i < 4096; i++) {
            b64_tab.pair[i][0] = b64_alphabet[i >> 6];
            b64_tab.pair[i][1] = b64_alphabet[i & 63];
        }
        for (guint q = 0; q < 4; q++) {
            for (guint c = 0; c < 256; c++)
                b64_tab.dec[q][c] = B64_BAD;
            for (guint v = 0; v < 64; v++)
                b64_tab.dec[q][(uint8_t)b64_alphabet[v]] = v << (18 - 6 * q);
        }
        g_once_init_leave(&done, 1);
    }
    return &b64_tab;
}

char *
otr_encode_message(const uint8_t *bytes, size_t len)
{
    const B64Tables *t = b64_tables();
    /* Prefix, whole quanta (padding included), '.', NUL. */
    size_t room = OTR_PREFIX_LEN + (len + 2) / 3 * 4 + 2;
    char *out = g_malloc(room);
    char *o = out + OTR_PREFIX_LEN;
    size_t i = 0;

    memcpy(out, OTR_PREFIX, OTR_PREFIX_LEN);
    for (; len - i >= 3; i += 3) {
        guint32 v = ((guint32)bytes[i] << 16) | ((guint32)bytes[i + 1] << 8) |
                    bytes[i + 2];

        memcpy(o, t->pair[v >> 12], 2);
        memcpy(o + 2, t->pair[v & 0xfff], 2);
        o += 4;
    }
    if (len - i > 0) {
        guint32 v = (guint32)bytes[i] << 16;

        if (len - i == 2)
            v |= (guint32)bytes[i + 1] << 8;
        memcpy(o, t->pair[v >> 12], 2);
        o[2] = len - i == 2 ? b64_alphabet[(v >> 6) & 63] : '=';
        o[3] = '=';
        o += 4;
    }
    *o++ = '.';
    *o = '\0';
    return out;
}

/* Decode the n base64 characters at in (n a positive multiple of 4) into
 * out. Strict: only alphabet characters, then at most two '=' closing the
 * last quantum, whose discarded bits must be zero (one encoding per
 * value). Returns the number of bytes written, or 0 when malformed. */
static size_t
b64_decode(const B64Tables *t, const char *text, size_t n, uint8_t *out)
{
    const uint8_t *in = (const uint8_t *)text;
    size_t pad = in[n - 1] != '=' ? 0 : in[n - 2] != '=' ? 1 : 2;
    size_t full = pad ? n - 4 : n;
    guint32 bad = 0, v;
    uint8_t *o = out;
    size_t i;

    /* No branch on the data: bad collects B64_BAD from any stray byte. */
    for (i = 0; i < full; i += 4) {
        v = t->dec[0][in[i]] | t->dec[1][in[i + 1]] | t->dec[2][in[i + 2]] |
            t->dec[3][in[i + 3]];
        bad |= v;
        o[0] = (uint8_t)(v >> 16);
        o[1] = (uint8_t)(v >> 8);
        o[2] = (uint8_t)v;
        o += 3;
    }
    if (pad) {
        v = t->dec[0][in[i]] | t->dec[1][in[i + 1]];
        if (pad == 1)
            v |= t->dec[2][in[i + 2]];
        bad |= v;
        /* The bits the padding drops must be zero. */
        bad |= v & (pad == 2 ? 0xffffu : 0xffu) ? B64_BAD : 0;
        *o++ = (uint8_t)(v >> 16);
        if (pad == 1)
            *o++ = (uint8_t)(v >> 8);
    }
    return bad & B64_BAD ? 0 : (size_t)(o - out);
}

GBytes *
otr_decode_message(const char *text, size_t len)
{
    const char *b64, *dot;
    size_t n, outlen;
    guchar *out;

    if (!text || len < OTR_PREFIX_LEN ||
        memcmp(text, OTR_PREFIX, OTR_PREFIX_LEN) != 0)
        return NULL;
    b64 = text + OTR_PREFIX_LEN;
    /* The base64 ends at the first '.' (not in the alphabet, so whatever
     * precedes it must all be base64); text after it is ignored. */
    dot = memchr(b64, '.', len - OTR_PREFIX_LEN);
    if (!dot)
        return NULL;
    n = (size_t)(dot - b64);
    if (n == 0 || n % 4 != 0)
        return NULL;
    /* Decode straight from the slice: no NUL-terminated copy needed. */
    out = g_malloc(n / 4 * 3);
    outlen = b64_decode(b64_tables(), b64, n, out);
    if (outlen == 0) {
        g_free(out);
        return NULL;
    }
    return g_bytes_new_take(out, outlen);
}
