/* Offrec — wire codec for the spec's data types (BYTE, SHORT, INT, MPI,
 * DATA, CTR, MAC, PUBKEY, SIG) and the ?OTR:...base64... envelope.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The reader is sticky: after the first failure every further read fails
 * and returns zeroes, so a parser can read a whole message and check
 * otr_reader_ok() once at the end.
 */
#ifndef OTR_WIRE_PRIVATE_H
#define OTR_WIRE_PRIVATE_H

#include "otr.h"

#define OTR_CTR_LEN 8
#define OTR_MAC_LEN 20

typedef struct {
    const uint8_t *buf;
    size_t len;
    size_t pos;
    gboolean failed;
} OtrReader;

void otr_reader_init(OtrReader *r, const uint8_t *buf, size_t len);
gboolean otr_reader_ok(const OtrReader *r);
size_t otr_reader_left(const OtrReader *r);
/* TRUE when ok and every byte was consumed. */
gboolean otr_reader_done(const OtrReader *r);
uint8_t otr_read_byte(OtrReader *r);
guint16 otr_read_short(OtrReader *r);
guint32 otr_read_int(OtrReader *r);
/* MPI and DATA: point into the buffer (no copy). An MPI must be minimal
 * (no leading zero byte) and at most max bytes, else the reader fails.
 * On failure they return static zero bytes with *len = 0, and
 * otr_read_bytes returns n static zero bytes (NULL when n > 256). */
const uint8_t *otr_read_mpi(OtrReader *r, size_t max, size_t *len);
const uint8_t *otr_read_data(OtrReader *r, size_t max, size_t *len);
/* Fixed-size fields: CTR (8), MAC (20), SIG (40), raw n bytes. */
const uint8_t *otr_read_bytes(OtrReader *r, size_t n);

/* Writer on a growable buffer; wipes it on clear. The writer grows buf
 * itself (copy, wipe the old block, free it) so that no unwiped copy of
 * the contents is left behind by a realloc; cap is its bookkeeping. */
typedef struct {
    GByteArray *buf;
    size_t cap;
} OtrWriter;

void otr_writer_init(OtrWriter *w);
void otr_writer_clear(OtrWriter *w); /* wipes and frees */
void otr_write_byte(OtrWriter *w, uint8_t v);
void otr_write_short(OtrWriter *w, guint16 v);
void otr_write_int(OtrWriter *w, guint32 v);
/* Writes the number given as big-endian bytes in minimal form (leading
 * zero bytes stripped; zero is written with length 0). */
void otr_write_mpi(OtrWriter *w, const uint8_t *num, size_t len);
void otr_write_data(OtrWriter *w, const uint8_t *data, size_t len);
void otr_write_bytes(OtrWriter *w, const uint8_t *data, size_t len);

/* Message header: protocol version, type, and for v3 the instance tags. */
typedef struct {
    guint16 version; /* 2 or 3 */
    uint8_t type;
    guint32 sender_instag;   /* 0 for v2 */
    guint32 receiver_instag; /* 0 for v2 */
} OtrHeader;

enum {
    OTR_TYPE_DH_COMMIT = 0x02,
    OTR_TYPE_DATA = 0x03,
    OTR_TYPE_DH_KEY = 0x0a,
    OTR_TYPE_REVEAL_SIG = 0x11,
    OTR_TYPE_SIGNATURE = 0x12,
};

void otr_header_read(OtrReader *r, OtrHeader *h);
void otr_header_write(OtrWriter *w, const OtrHeader *h);

/* "?OTR:" base64 "." from bytes (g_free). */
char *otr_encode_message(const uint8_t *bytes, size_t len);
/* Decodes "?OTR:...." (text must start with "?OTR:"; the terminating '.'
 * is required, trailing text after it ignored). Strict base64 (GLib's
 * decoder, after checking the alphabet). Returns NULL when malformed. */
GBytes *otr_decode_message(const char *text, size_t len);

#endif
