/* Offrec tests — the AKE test harness: hosts, message delivery, recorded
 * exchanges, and the spec's computations done independently of ake.c.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef OTR_TEST_AKE_HARNESS_H
#define OTR_TEST_AKE_HARNESS_H

#include "ake-private.h"
#include "testutil.h"

#define TAG_X 0x1000u /* the subject; spec role varies per test */
#define TAG_Y 0x2000u

enum { ST_NONE, ST_DHKEY, ST_REVEALSIG, ST_SIG, N_ST };
enum { MSG_COMMIT, MSG_KEY, MSG_REVEAL, MSG_SIG, N_MSG };

extern const OtrAkeState st_enum[N_ST];

typedef struct {
    TestHost th;
    OtrHost h;
} Host;

Host *host_new(guint32 seed);
void host_free(Host *hs);

/* Reads msg's header into hdr; body/len: what follows it. */
void split(GBytes *msg, OtrHeader *hdr, const uint8_t **body, size_t *len);
uint8_t type_of(GBytes *msg);
OtrError deliver(OtrAke *ake,
                 Host *hs,
                 const OtrPrivKey *key,
                 GBytes *msg,
                 GBytes **reply,
                 OtrAkeResult **done);
/* Delivers and requires "ignored/refused": no reply, no result. */
OtrError deliver_no_effect(OtrAke *ake,
                           Host *hs,
                           const OtrHeader *hdr,
                           const uint8_t *body,
                           size_t len);
gboolean bytes_eq(GBytes *a, GBytes *b);
/* memcmp of the hashed g^x of two D-H Commits (their order decides
 * which commit wins). */
int hash_cmp(GBytes *commit_a, GBytes *commit_b);

/* ---- A recorded pair of exchanges ---------------------------------------
 * Exchange 1: X commits, Y answers. Exchange 2: Y commits, X answers.
 * Snapshots of X in every state, and Y's messages of every type, let
 * each test replay any cell of the spec's state table. */

typedef struct {
    int version;
    Host *hx, *hy;
    OtrAke *x[N_ST];       /* X in each state (copied before use) */
    OtrAke *y_reveal1;     /* Y awaiting X's Reveal Signature (exch. 1) */
    OtrAke *y_commit2;     /* Y after sending its commit (exch. 2) */
    GBytes *from_y[N_MSG]; /* cy, ky, ry, sy */
    GBytes *cx, *kx, *rx;  /* X's messages */
    OtrAkeResult *res_x1, *res_x2; /* X's results of exchange 1 and 2 */
} Script;

/* Delivers in (must succeed): *out gets the reply (else there must be
 * none); returns the result, if the exchange completed. */
OtrAkeResult *step(OtrAke *ake,
                   Host *hs,
                   const OtrPrivKey *key,
                   GBytes *in,
                   GBytes **out);
/* The recorded exchanges of a version (made once, then cached). */
Script *script_get(int version);
/* The snapshot of X in state st can still finish its own exchange: proof
 * that a refused or ignored message left it as it was. */
void check_continues(Script *sc, OtrAke *x, int st);

/* ---- Spec computations done independently of ake.c ---------------------- */

typedef struct {
    uint8_t ssid[8], c[16], cp[16], m1[32], m2[32], m1p[32], m2p[32];
} SpecKeys;

void spec_keys(const OtrDhKeypair *ours,
               const uint8_t *theirs,
               size_t n,
               SpecKeys *k);
/* Appends len bytes of n as an MPI (4-byte length, then the bytes). */
void put_mpi(GByteArray *a, const uint8_t *n, size_t len);
/* M = HMAC-SHA256_key(MPI(first) || MPI(second) || pubkey || keyid). */
void spec_m(const uint8_t key[32],
            const uint8_t *first,
            size_t flen,
            const uint8_t *second,
            size_t slen,
            const uint8_t *pub,
            size_t publen,
            guint32 keyid,
            uint8_t out[32]);
void spec_mac160(const uint8_t key[32],
                 const uint8_t *d,
                 size_t n,
                 uint8_t out[20]);
/* Opens an encrypted X (DATA incl. length, MAC) with the given keys and
 * checks it is key's PUBKEY, keyid, and a signature over M. */
void spec_check_x(const uint8_t *data,
                  size_t dlen,
                  const uint8_t *mac,
                  const SpecKeys *k,
                  gboolean prime,
                  const uint8_t *first,
                  size_t flen,
                  const uint8_t *second,
                  size_t slen,
                  const OtrPrivKey *key);

/* ---- ake-hostile-tests.c: the AKE under hostile input ----------------- */

void test_tamper(gconstpointer data);
void test_truncated(gconstpointer data);
void test_manual_bob(gconstpointer data);
void test_bad_gy(gconstpointer data);
void test_headers(void);
void test_no_key(void);

#endif /* OTR_TEST_AKE_HARNESS_H */
