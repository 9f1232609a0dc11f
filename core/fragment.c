/* Offrec — splitting encoded messages into fragments and reassembling them.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Outgoing fragments use libotr's fixed-width form so every header has the
 * same size: v3 "?OTR|%08x|%08x,%05hu,%05hu,piece," (36 bytes of header)
 * and v2 "?OTR,%05hu,%05hu,piece," (18 bytes). Incoming fragments are
 * parsed strictly: hex instance tags and decimal k, n of any width (the
 * spec allows leading zeroes) as long as the value fits, a non-empty piece
 * without commas, and the closing comma. Bytes after that comma are
 * ignored, as libotr does.
 *
 * Splitting refuses (returns NULL) when the message would need more than
 * OTR_FRAG_MAX_PIECES pieces, the bound our own reassembly enforces.
 */
#include <string.h>

#include "fragment-private.h"

#define V3_HEADER_LEN 36 /* "?OTR|" 8 "|" 8 "," 5 "," 5 "," + "," */
#define V2_HEADER_LEN 18 /* "?OTR," 5 "," 5 "," + "," */
#define MAX_K         65535u

/* "%08x" of v at p; returns the end. */
static char *
put_hex8(char *p, guint32 v)
{
    static const char hex[] = "0123456789abcdef";

    for (int i = 7; i >= 0; i--) {
        p[i] = hex[v & 0xf];
        v >>= 4;
    }
    return p + 8;
}

/* "%05u" of v (v <= 99999) at p; returns the end. */
static char *
put_dec5(char *p, guint v)
{
    for (int i = 4; i >= 0; i--) {
        p[i] = (char)('0' + v % 10);
        v /= 10;
    }
    return p + 5;
}

char **
otr_fragment_split(const char *msg,
                   size_t max,
                   int version,
                   guint32 sender,
                   guint32 receiver)
{
    size_t len, header, room, n, k, off;
    char **pieces;

    g_return_val_if_fail(msg != NULL, NULL);
    g_return_val_if_fail(version == 2 || version == 3, NULL);

    len = strlen(msg);
    if (len <= max) {
        pieces = g_new0(char *, 2);
        pieces[0] = g_strdup(msg);
        return pieces;
    }
    header = version == 3 ? V3_HEADER_LEN : V2_HEADER_LEN;
    if (max <= header)
        return NULL;
    room = max - header;
    n = len / room + (len % room != 0);
    /* Never send more pieces than we would accept ourselves. */
    if (n > OTR_FRAG_MAX_PIECES)
        return NULL;

    pieces = g_new0(char *, n + 1);
    for (k = 1, off = 0; k <= n; k++) {
        size_t take = MIN(room, len - off);
        /* header counts the closing comma as well. */
        char *piece = g_malloc(header + take + 1);
        char *p = piece;

        /* Fixed-width fields, written by hand: printf-style formatting
         * cost as much as the rest of the split. */
        if (version == 3) {
            memcpy(p, "?OTR|", 5);
            p = put_hex8(p + 5, sender);
            *p++ = '|';
            p = put_hex8(p, receiver);
        } else {
            memcpy(p, "?OTR", 4);
            p += 4;
        }
        *p++ = ',';
        p = put_dec5(p, (guint)k);
        *p++ = ',';
        p = put_dec5(p, (guint)n);
        *p++ = ',';
        memcpy(p, msg + off, take);
        p[take] = ',';
        p[take + 1] = '\0';
        pieces[k - 1] = piece;
        off += take;
    }
    return pieces;
}

/* Parsing cursor over the fragment text. */
typedef struct {
    const char *p;
    size_t len, pos;
} Cursor;

static gboolean
expect(Cursor *c, char ch)
{
    if (c->pos >= c->len || c->p[c->pos] != ch)
        return FALSE;
    c->pos++;
    return TRUE;
}

static int
hex_value(char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

/* One or more digits in the given base whose value is at most limit. */
static gboolean
number(Cursor *c, int base, guint32 limit, guint32 *out)
{
    guint64 v = 0;
    size_t start = c->pos;

    while (c->pos < c->len) {
        int d = hex_value(c->p[c->pos]);

        if (d < 0 || d >= base)
            break;
        v = v * (guint64)base + (guint64)d;
        if (v > limit)
            return FALSE;
        c->pos++;
    }
    if (c->pos == start)
        return FALSE;
    *out = (guint32)v;
    return TRUE;
}

OtrError
otr_fragment_parse(const char *text, size_t len, OtrFragment *f)
{
    Cursor c = { text, len, 0 };
    OtrFragment r = { 0 };
    guint32 k = 0, n = 0;
    const char *comma;
    size_t start;

    g_return_val_if_fail(f != NULL, OTR_ERR_INVALID);
    if (text == NULL || len < 5 || memcmp(text, "?OTR", 4) != 0)
        return OTR_ERR_MALFORMED;
    c.pos = 4;

    if (expect(&c, '|')) {
        r.version = 3;
        if (!number(&c, 16, G_MAXUINT32, &r.sender) || !expect(&c, '|') ||
            !number(&c, 16, G_MAXUINT32, &r.receiver))
            return OTR_ERR_MALFORMED;
    } else {
        r.version = 2;
    }
    if (!expect(&c, ',') || !number(&c, 10, MAX_K, &k) || !expect(&c, ',') ||
        !number(&c, 10, MAX_K, &n) || !expect(&c, ','))
        return OTR_ERR_MALFORMED;

    start = c.pos;
    comma = memchr(text + start, ',', len - start);
    if (comma == NULL || comma == text + start)
        return OTR_ERR_MALFORMED;
    /* The piece must not hide a NUL. */
    if (memchr(text + start, '\0', (size_t)(comma - (text + start))) != NULL)
        return OTR_ERR_MALFORMED;
    c.pos = (size_t)(comma - text) + 1;

    r.k = (guint16)k;
    r.n = (guint16)n;
    r.piece = text + start;
    r.piece_len = c.pos - 1 - start;
    *f = r;
    return OTR_OK;
}

void
otr_reassembly_clear(OtrReassembly *ra)
{
    g_return_if_fail(ra != NULL);
    if (ra->buf != NULL)
        g_string_free(ra->buf, TRUE);
    ra->buf = NULL;
    ra->k = 0;
    ra->n = 0;
}

OtrError
otr_reassembly_add(OtrReassembly *ra,
                   const OtrFragment *f,
                   OtrFragResult *result,
                   char **whole)
{
    OtrError err = OTR_OK;

    g_return_val_if_fail(ra != NULL, OTR_ERR_INVALID);
    g_return_val_if_fail(f != NULL, OTR_ERR_INVALID);
    g_return_val_if_fail(result != NULL, OTR_ERR_INVALID);
    g_return_val_if_fail(whole != NULL, OTR_ERR_INVALID);
    g_return_val_if_fail(f->piece != NULL || f->piece_len == 0,
                         OTR_ERR_INVALID);

    /* Illegal fragment (an empty piece is illegal too): discard it alone,
     * keeping what is stored, as libotr does. */
    if (f->k == 0 || f->n == 0 || f->k > f->n || f->piece_len == 0)
        goto out;

    if (f->n > OTR_FRAG_MAX_PIECES || f->piece_len > OTR_FRAG_MAX_BYTES) {
        otr_reassembly_clear(ra);
        err = OTR_ERR_TOO_BIG;
        goto out;
    }

    if (f->k == 1) {
        otr_reassembly_clear(ra);
        ra->buf = g_string_new_len(f->piece, (gssize)f->piece_len);
        ra->k = f->k;
        ra->n = f->n;
    } else if (ra->buf != NULL && f->n == ra->n && f->k == ra->k + 1) {
        if (ra->buf->len + f->piece_len > OTR_FRAG_MAX_BYTES) {
            otr_reassembly_clear(ra);
            err = OTR_ERR_TOO_BIG;
            goto out;
        }
        g_string_append_len(ra->buf, f->piece, (gssize)f->piece_len);
        ra->k = f->k;
    } else {
        otr_reassembly_clear(ra);
    }

out:
    if (err != OTR_OK)
        return err;
    *result = OTR_FRAG_INCOMPLETE;
    *whole = NULL;
    if (ra->buf != NULL && ra->n > 0 && ra->k == ra->n) {
        *whole = g_string_free(ra->buf, FALSE);
        ra->buf = NULL;
        ra->k = 0;
        ra->n = 0;
        *result = OTR_FRAG_COMPLETE;
    }
    return OTR_OK;
}
