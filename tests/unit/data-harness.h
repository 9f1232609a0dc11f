/* Offrec tests — the data-message test harness: key derivation, a
 * message parser and builder and a model of the spec's keyid bookkeeping,
 * all independent of core/data.c, and Alice and Bob exchanging messages
 * checked against them.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef OTR_TEST_DATA_HARNESS_H
#define OTR_TEST_DATA_HARNESS_H

#include <gcrypt.h>

#include "data-private.h"
#include "testutil.h"

#define INSTAG_A 0x1234abcdu
#define INSTAG_B 0x00000100u

/* RFC 3526 group 5, the spec's 1536-bit modulus, in hex. */
extern const char modulus_hex[];

/* ---- Independent key derivation --------------------------------------- */

typedef struct {
    uint8_t send_aes[16], recv_aes[16];
    uint8_t send_mac[20], recv_mac[20];
    uint8_t extra[32];
} Keys;

gcry_mpi_t mpi_from(const uint8_t *b, size_t n);
/* The session keys of our key pair with their public key. */
void expected_keys(const OtrDhKeypair *ours,
                   const uint8_t *theirs,
                   size_t theirs_len,
                   Keys *k);
void hmac_sha1(const uint8_t key[20],
               const uint8_t *d,
               size_t n,
               uint8_t out[20]);
/* AES-128-CTR in place; top: the counter's high 8 bytes. */
void aes_ctr(const uint8_t key[16],
             const uint8_t top[8],
             uint8_t *buf,
             size_t n);

/* ---- Independent message parser and builder --------------------------- */

typedef struct {
    OtrHeader hdr;
    size_t hdr_len;
    uint8_t flags;
    guint32 sender, recipient;
    size_t off_next, next_len, off_ctr, off_ct, ct_len, off_mac, off_reveal,
        reveal_len;
    const uint8_t *m;
    size_t len;
} Parsed;

/* Parses a data message (asserting its layout): offsets into m. */
void parse_msg(const uint8_t *m, size_t len, Parsed *pm);

typedef struct {
    int version;
    guint32 s_instag, r_instag;
    uint8_t flags;
    guint32 sender, recipient;
    const uint8_t *next;
    size_t next_len;
    uint8_t ctr[8];
    const uint8_t *plain;
    size_t plain_len;
    const uint8_t *reveal;
    size_t reveal_len;
} Fields;

/* Builds a data message from f, encrypted and MACed with k's sending
 * keys. */
GBytes *build_msg(const Fields *f, const Keys *k);

/* ---- State snapshots -------------------------------------------------- */

/* A copy of src (clear with otr_data_clear). */
void snap_take(OtrDataKeys *dst, const OtrDataKeys *src);
/* Everything that matters is equal; a pairing not derived before may have
 * been derived (and cached) since, but must be untouched. */
void assert_same_state(const OtrDataKeys *b, const OtrDataKeys *a);

/* ---- The model: keyids, counters and MAC keys to reveal --------------- */

typedef struct {
    guint32 ourid, theirid;
    uint8_t mac[20];
} Used;

typedef struct {
    guint32 our_keyid, their_keyid;
    gboolean their_old;
    GArray *used;          /* of Used: receiving MAC keys that verified */
    GByteArray *pending;   /* MAC keys to reveal in our next message */
    GHashTable *last_recv; /* "ours theirs" -> guint64 counter */
    GHashTable *last_sent;
    GPtrArray *pubs; /* our public keys by keyid (GBytes), as announced */
} Model;

/* The counter last used on the pairing (a, b), 0 if none. */
guint64 ctr_get(GHashTable *t, guint32 a, guint32 b);
void ctr_set(GHashTable *t, guint32 a, guint32 b, guint64 c);

/* ---- Alice and Bob ---------------------------------------------------- */

typedef struct {
    GBytes *msg;
    uint8_t mac[20]; /* sending MAC key, derived independently */
    uint8_t extra[32];
    guint64 ctr;
    GBytes *plain;
} Sent;

void sent_free(gpointer p);

typedef struct {
    TestHost th;
    OtrHost h;
    int version;
    OtrDhKeypair ka, kb;
    OtrDataKeys dk[2]; /* 0 Alice, 1 Bob */
    Model model[2];
    GQueue queue[2]; /* Sent* in flight from side i */
    int sent, delivered, refused;
} Pair;

/* Fixture: data is the protocol version. */
void pair_setup(Pair *p, gconstpointer data);
void pair_teardown(Pair *p, gconstpointer data);
/* A big-endian 8-byte counter. */
guint64 ctr64(const uint8_t *c);
/* Side i sends plain: check the message against the model and against an
 * independent derivation, and queue it. */
Sent *pair_send(Pair *p,
                int i,
                const uint8_t *plain,
                size_t len,
                uint8_t flags);
/* Ops: 'a'/'b' Alice/Bob sends; 'A'/'B' deliver the oldest message in
 * flight from Alice/Bob; 'x'/'y' deliver the newest (out of order);
 * 'r'/'s' deliver the last delivered message of Alice/Bob again. */
void run_ops(Pair *p, const char *ops);

#endif /* OTR_TEST_DATA_HARNESS_H */
