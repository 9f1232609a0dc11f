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

char *
otr_encode_message(const uint8_t *bytes, size_t len)
{
    gint state = 0, save = 0;
    size_t room = OTR_PREFIX_LEN + (len / 3 + 1) * 4 + 4 + 2;
    char *out = g_malloc(room);
    size_t n = OTR_PREFIX_LEN;

    memcpy(out, OTR_PREFIX, OTR_PREFIX_LEN);
    n += g_base64_encode_step(bytes, len, FALSE, out + n, &state, &save);
    n += g_base64_encode_close(FALSE, out + n, &state, &save);
    out[n++] = '.';
    out[n] = '\0';
    return out;
}

/* One more than the value of each base64 alphabet character (RFC 4648),
 * 0 for every other byte: one table look-up per character and no
 * data-dependent branch. */
static const uint8_t b64_table[256] = {
    ['A'] = 1,  ['B'] = 2,  ['C'] = 3,  ['D'] = 4,  ['E'] = 5,  ['F'] = 6,
    ['G'] = 7,  ['H'] = 8,  ['I'] = 9,  ['J'] = 10, ['K'] = 11, ['L'] = 12,
    ['M'] = 13, ['N'] = 14, ['O'] = 15, ['P'] = 16, ['Q'] = 17, ['R'] = 18,
    ['S'] = 19, ['T'] = 20, ['U'] = 21, ['V'] = 22, ['W'] = 23, ['X'] = 24,
    ['Y'] = 25, ['Z'] = 26, ['a'] = 27, ['b'] = 28, ['c'] = 29, ['d'] = 30,
    ['e'] = 31, ['f'] = 32, ['g'] = 33, ['h'] = 34, ['i'] = 35, ['j'] = 36,
    ['k'] = 37, ['l'] = 38, ['m'] = 39, ['n'] = 40, ['o'] = 41, ['p'] = 42,
    ['q'] = 43, ['r'] = 44, ['s'] = 45, ['t'] = 46, ['u'] = 47, ['v'] = 48,
    ['w'] = 49, ['x'] = 50, ['y'] = 51, ['z'] = 52, ['0'] = 53, ['1'] = 54,
    ['2'] = 55, ['3'] = 56, ['4'] = 57, ['5'] = 58, ['6'] = 59, ['7'] = 60,
    ['8'] = 61, ['9'] = 62, ['+'] = 63, ['/'] = 64,
};

#define B64_CHUNK 32

/* TRUE when all B64_CHUNK bytes at p are in the base64 alphabet. No
 * branches per byte, so that it vectorises. */
static gboolean
b64_chunk_ok(const uint8_t *p)
{
    uint8_t bad = 0;

    for (size_t i = 0; i < B64_CHUNK; i++) {
        uint8_t c = p[i];
        uint8_t ok = (uint8_t)((uint8_t)(c - 'A') < 26) |
                     (uint8_t)((uint8_t)(c - 'a') < 26) |
                     (uint8_t)((uint8_t)(c - '0') < 10) | (uint8_t)(c == '+') |
                     (uint8_t)(c == '/');

        bad |= ok ^ 1;
    }
    return bad == 0;
}

/* Length of the strict RFC 4648 base64 at s (at most avail bytes) that a
 * '.' must close, found in one pass: alphabet characters, then at most two
 * '=', then the '.'. Whole quanta only, and the bits the padding discards
 * must be zero (one encoding per value). Returns 0 when malformed. */
static size_t
b64_span(const char *s, size_t avail)
{
    const uint8_t *u = (const uint8_t *)s;
    size_t body = 0, n, pad = 0;
    uint8_t last;

    /* Whole chunks first, with range tests the compiler turns into vector
     * compares; the table finds the exact end in the last chunk. */
    while (avail - body >= B64_CHUNK && b64_chunk_ok(u + body))
        body += B64_CHUNK;
    while (body < avail && b64_table[u[body]] != 0)
        body++;
    n = body;
    while (n < avail && pad < 2 && u[n] == '=') {
        n++;
        pad++;
    }
    if (n >= avail || u[n] != '.' || n == 0 || n % 4 != 0)
        return 0;
    if (pad == 0)
        return n;
    last = (uint8_t)(b64_table[u[body - 1]] - 1);
    return (last & (pad == 2 ? 0x0f : 0x03)) == 0 ? n : 0;
}

GBytes *
otr_decode_message(const char *text, size_t len)
{
    const char *b64;
    size_t n, outlen;
    gint state = 0;
    guint save = 0;
    guchar *out;

    if (!text || len < OTR_PREFIX_LEN ||
        memcmp(text, OTR_PREFIX, OTR_PREFIX_LEN) != 0)
        return NULL;
    b64 = text + OTR_PREFIX_LEN;
    n = b64_span(b64, len - OTR_PREFIX_LEN);
    if (n == 0)
        return NULL;
    /* Decode straight from the slice: no NUL-terminated copy needed. */
    out = g_malloc(n / 4 * 3);
    outlen = g_base64_decode_step(b64, n, out, &state, &save);
    return g_bytes_new_take(out, outlen);
}
