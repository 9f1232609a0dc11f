/* Offrec — the cryptographic parts of the AKE: keys derived from g^xy,
 * the hidden g^x of the D-H Commit, the signed and encrypted X_B / X_A,
 * and the parsing of the four AKE message bodies.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef OTR_AKE_AUTH_PRIVATE_H
#define OTR_AKE_AUTH_PRIVATE_H

#include "crypto-private.h"
#include "wire-private.h"

#define AKE_KEYID     1u /* keyid of the D-H key pair used in the AKE */
#define AKE_R_LEN     16
#define AKE_HASH_LEN  OTR_SHA256_LEN
#define AKE_ENCGX_MAX (4 + OTR_DH_PUB_MAX) /* an MPI of at most 1536 bits */
#define AKE_AUTH_MAX  4096 /* encrypted X_B / X_A: PUBKEY, keyid, SIG */

/* The values the spec derives from s = g^xy. */
typedef struct {
    uint8_t ssid[OTR_SSID_LEN];
    uint8_t c[16], cp[16];
    uint8_t m1[32], m2[32], m1p[32], m2p[32];
} OtrAkeKeys;

void otr_ake_keys_clear(OtrAkeKeys *k); /* wipes */
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(OtrAkeKeys, otr_ake_keys_clear)

/* c, c', m1, m2, m1', m2' and the ssid from s = (their public)^(our x). */
OtrError otr_ake_keys_derive(const OtrDhKeypair *ours,
                             const uint8_t *theirs,
                             size_t theirs_len,
                             OtrAkeKeys *k);

/* The keys of one direction: X_B (Reveal Signature) uses c, m1 and m2,
 * X_A (Signature) c', m1' and m2'. Points into an OtrAkeKeys. */
typedef struct {
    const uint8_t *ck; /* 16 bytes: encrypts X */
    const uint8_t *mk; /* 32 bytes: MAC of the signed M */
    const uint8_t *mm; /* 32 bytes: MAC of the encrypted X */
} OtrAkeKeySet;

/* The set for the Reveal Signature when reveal is set, else for the
 * Signature. */
OtrAkeKeySet otr_ake_key_set(const OtrAkeKeys *k, gboolean reveal);

/* The parsed body of any of the four AKE messages. auth points at the
 * whole DATA field (length included): that is what the MAC covers. */
typedef struct {
    const uint8_t *encgx, *hashgx; /* D-H Commit */
    size_t encgx_len;
    const uint8_t *gy; /* D-H Key */
    size_t gy_len;
    const uint8_t *r;          /* Reveal Signature */
    const uint8_t *auth, *mac; /* Reveal Signature, Signature */
    size_t auth_len;
} OtrAkeMsg;

/* Parses the body (what follows the header) of an AKE message of the
 * given type; fields point into body. */
OtrError otr_ake_parse_body(uint8_t type,
                            const uint8_t *body,
                            size_t len,
                            OtrAkeMsg *m);

/* What a verified X_B / X_A told us about the peer. */
typedef struct {
    OtrPubKey *pub; /* owned */
    uint8_t fpr[OTR_FPR_LEN];
    guint32 keyid;
} OtrAkePeer;

/* Bob: initialises encgx with AES_r(g^x) and sets hashgx = SHA256(g^x);
 * clear encgx with otr_writer_clear. */
void otr_ake_gx_hide(const uint8_t r[AKE_R_LEN],
                     const OtrDhKeypair *dh,
                     OtrWriter *encgx,
                     uint8_t hashgx[AKE_HASH_LEN]);
/* Alice: recover and check Bob's g^x from the commit, using r. */
OtrError otr_ake_gx_reveal(const uint8_t r[AKE_R_LEN],
                           const uint8_t *encgx,
                           size_t encgx_len,
                           const uint8_t hashgx[AKE_HASH_LEN],
                           uint8_t gx[OTR_DH_PUB_MAX],
                           size_t *gx_len);

/* Writes DATA(AES_ck(X)) followed by MAC_mm(that DATA field), where
 * X = PUBKEY || keyid || sig(MAC_mk(our g || their g || PUBKEY || keyid)).
 */
OtrError otr_ake_auth_write(OtrWriter *w,
                            const OtrHost *h,
                            const OtrPrivKey *key,
                            const OtrDhKeypair *ours,
                            const uint8_t *theirs,
                            size_t theirs_len,
                            const OtrAkeKeySet *ks);

/* Checks the MAC on the DATA field of msg, decrypts it and verifies the
 * signed X inside. their_dh/our_dh: the two D-H values, sender's first.
 * On success peer->pub is set (the caller owns it). */
OtrError otr_ake_auth_check(const OtrAkeMsg *msg,
                            const uint8_t *their_dh,
                            size_t their_dh_len,
                            const uint8_t *our_dh,
                            size_t our_dh_len,
                            const OtrAkeKeySet *ks,
                            OtrAkePeer *peer);

#endif /* OTR_AKE_AUTH_PRIVATE_H */
