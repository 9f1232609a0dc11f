/* Offrec — crypto primitives. The only module that calls libgcrypt,
 * nettle/hogweed or GMP directly (crypto.c and crypto-dsa.c).
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef OTR_CRYPTO_PRIVATE_H
#define OTR_CRYPTO_PRIVATE_H

#include "otr.h"

/* Randomness and time as handed to the core. */
typedef struct {
    const OtrHostOps *ops;
    void *user;
} OtrHost;

void otr_host_random(const OtrHost *h, void *buf, size_t len);

/* explicit_bzero */
void otr_wipe(void *p, size_t n);
/* Constant-time comparison; TRUE when equal. */
gboolean otr_mem_equal_ct(const void *a, const void *b, size_t n);

#define OTR_SHA1_LEN   20
#define OTR_SHA256_LEN 32

void otr_sha1(const void *data, size_t len, uint8_t out[OTR_SHA1_LEN]);
void otr_sha256(const void *data, size_t len, uint8_t out[OTR_SHA256_LEN]);
/* SHA-1 / SHA-256 of (one byte b || data): the spec's h1() and h2(). */
void otr_sha1_prefixed(uint8_t b,
                       const void *data,
                       size_t len,
                       uint8_t out[OTR_SHA1_LEN]);
void otr_sha256_prefixed(uint8_t b,
                         const void *data,
                         size_t len,
                         uint8_t out[OTR_SHA256_LEN]);
void otr_hmac_sha1(const uint8_t *key,
                   size_t klen,
                   const void *data,
                   size_t len,
                   uint8_t out[OTR_SHA1_LEN]);
void otr_hmac_sha256(const uint8_t *key,
                     size_t klen,
                     const void *data,
                     size_t len,
                     uint8_t out[OTR_SHA256_LEN]);
/* HMAC-SHA1 of the concatenation a || b, without building it. */
void otr_hmac_sha1_2(const uint8_t *key,
                     size_t klen,
                     const void *a,
                     size_t alen,
                     const void *b,
                     size_t blen,
                     uint8_t out[OTR_SHA1_LEN]);
/* HMAC-SHA256 truncated to 160 bits (spec's MAC for the AKE signature). */
void otr_hmac_sha256_160(const uint8_t *key,
                         size_t klen,
                         const void *data,
                         size_t len,
                         uint8_t out[20]);
/* AES-128 in counter mode; ctr is the full initial 16-byte counter block
 * (the spec's top half followed by eight zero bytes). in and out may be
 * the same buffer. */
void otr_aes128_ctr(const uint8_t key[16],
                    const uint8_t ctr[16],
                    const uint8_t *in,
                    uint8_t *out,
                    size_t len);

/* Keys prepared once for repeated use (data messages reuse one pairing's
 * keys for many messages). The storage is opaque here so that nettle stays
 * inside crypto.c, which checks that it fits. Both hold secrets: _clear
 * wipes them. */

/* An expanded AES-128 encryption key (its round keys). */
typedef struct {
    uint64_t opaque[23];
} OtrAesKey;

void otr_aes_key_init(OtrAesKey *k, const uint8_t key[16]);
void otr_aes_key_clear(OtrAesKey *k);
/* otr_aes128_ctr with a prepared key. */
void otr_aes_key_ctr(const OtrAesKey *k,
                     const uint8_t ctr[16],
                     const uint8_t *in,
                     uint8_t *out,
                     size_t len);

/* An HMAC-SHA1 key: the hash states after the inner and the outer padded
 * key blocks, so each MAC skips those two compressions. */
typedef struct {
    uint64_t opaque[26];
} OtrHmacSha1Key;

void otr_hmac_sha1_key_init(OtrHmacSha1Key *k, const uint8_t *key, size_t klen);
void otr_hmac_sha1_key_clear(OtrHmacSha1Key *k);
/* The HMAC inner hash state after a message prefix, for messages that
 * start with the same bytes as the previous one (data messages repeat
 * their header, key ids and next_dh). The prefix itself is public; the
 * state is as secret as the key. len 0: empty. */
#define OTR_HMAC_PREFIX_MAX 256
typedef struct {
    uint64_t state[13];
    size_t len;
    uint8_t prefix[OTR_HMAC_PREFIX_MAX];
} OtrHmacSha1Prefix;

/* HMAC-SHA1 of a || b with a prepared key, where the first fixed bytes of
 * a || b are likely to repeat: resumes from *cache when it holds exactly
 * those bytes, and otherwise fills *fresh (when non-NULL) so the caller
 * can commit it to the cache once the MAC is used. fresh->len stays 0 when
 * there is nothing new to commit. fixed beyond OTR_HMAC_PREFIX_MAX or
 * alen + blen is clamped. */
void otr_hmac_sha1_key_mac_cached(const OtrHmacSha1Key *k,
                                  const OtrHmacSha1Prefix *cache,
                                  OtrHmacSha1Prefix *fresh,
                                  const void *a,
                                  size_t alen,
                                  const void *b,
                                  size_t blen,
                                  size_t fixed,
                                  uint8_t out[OTR_SHA1_LEN]);

/* HMAC-SHA1 of a || b (b may be empty) with a prepared key. */
void otr_hmac_sha1_key_mac(const OtrHmacSha1Key *k,
                           const void *a,
                           size_t alen,
                           const void *b,
                           size_t blen,
                           uint8_t out[OTR_SHA1_LEN]);

/* ---- Diffie-Hellman in the spec's 1536-bit MODP group ----------------- */

#define OTR_DH_PRIV_LEN 40  /* 320-bit exponents */
#define OTR_DH_PUB_MAX  192 /* 1536 bits */

typedef struct {
    uint8_t priv[OTR_DH_PRIV_LEN];
    uint8_t pub[OTR_DH_PUB_MAX]; /* big-endian, minimal (no leading 0) */
    guint16 publen;
} OtrDhKeypair;

void otr_dh_keypair_clear(OtrDhKeypair *kp);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(OtrDhKeypair, otr_dh_keypair_clear)

OtrError otr_dh_keypair_gen(const OtrHost *h, OtrDhKeypair *kp);
/* 2 <= y <= p - 2 */
gboolean otr_dh_pub_valid(const uint8_t *pub, size_t len);
/* Shared secret g^xy as minimal big-endian bytes (len <= 192). Fails with
 * OTR_ERR_BAD_VALUE when theirs is not a valid public value. */
OtrError otr_dh_shared(const OtrDhKeypair *ours,
                       const uint8_t *theirs,
                       size_t theirs_len,
                       uint8_t out[OTR_DH_PUB_MAX],
                       size_t *out_len);
/* Numeric comparison of two big-endian unsigned numbers: <0, 0, >0. */
int otr_bn_cmp(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen);

/* The group: modulus (192 bytes), generator 2, order q = (p - 1) / 2. */
extern const uint8_t otr_dh_modulus[OTR_DH_PUB_MAX];

/* ---- DSA (crypto-dsa.c) ----------------------------------------------- */

#define OTR_DSA_SIG_LEN 40 /* r || s, 20 bytes each */

/* Signs data taken as an unsigned big-endian integer reduced mod q: what
 * libotr's gcry_pk_sign("(%m)") does with libgcrypt >= 1.6, which never
 * truncates a plain MPI (checked against libgcrypt in test-crypto). */
OtrError otr_dsa_sign(const OtrPrivKey *key,
                      const OtrHost *h,
                      const uint8_t *data,
                      size_t len,
                      uint8_t sig[OTR_DSA_SIG_LEN]);

/* A remote long-term public key, parsed from its PUBKEY serialisation. */
typedef struct OtrPubKey OtrPubKey;
/* buf starts at the PUBKEY type field; *used is set to the bytes consumed. */
OtrPubKey *otr_pubkey_parse(const uint8_t *buf,
                            size_t len,
                            size_t *used,
                            OtrError *err);
void otr_pubkey_free(OtrPubKey *pub);
gboolean otr_pubkey_verify(const OtrPubKey *pub,
                           const uint8_t *data,
                           size_t len,
                           const uint8_t sig[OTR_DSA_SIG_LEN]);
void otr_pubkey_fingerprint(const OtrPubKey *pub, uint8_t fpr[OTR_FPR_LEN]);

#endif
