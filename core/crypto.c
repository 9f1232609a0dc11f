/* Offrec — library set-up, hashes, MACs, AES-CTR and Diffie-Hellman.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Symmetric primitives come straight from nettle with caller-stack
 * contexts that are wiped after use; the D-H group arithmetic runs on GMP
 * with constant-time exponentiation for every secret exponent
 * (mpz_powm_sec, or the fixed-base comb of crypto-group.c for g^x).
 */
#include <string.h>
#include <time.h>

#include <gcrypt.h>
#include <gmp.h>
#include <nettle/aes.h>
#include <nettle/ctr.h>
#include <nettle/hmac.h>
#include <nettle/sha1.h>
#include <nettle/sha2.h>

#include "crypto-gmp.h"
#include "crypto-private.h"
#include "group-private.h"

/* Oldest libgcrypt we were built and tested against. */
#define OTR_GCRYPT_MIN "1.10.0"
/* Secure memory pool we ask for when we are the first gcrypt user. */
#define OTR_GCRYPT_SECMEM (32 * 1024)

/* ---- Library initialisation ------------------------------------------- */

static gboolean
gcrypt_setup(void)
{
    if (gcry_control(GCRYCTL_INITIALIZATION_FINISHED_P)) {
        /* Someone else in the process set libgcrypt up; only make sure
         * it is recent enough. */
        return gcry_check_version(OTR_GCRYPT_MIN) != NULL;
    }
    if (!gcry_check_version(OTR_GCRYPT_MIN))
        return FALSE;
    /* A small locked pool for any library that keeps secrets in gcrypt
     * MPIs; without mlock privileges this silently degrades. */
    gcry_control(GCRYCTL_SUSPEND_SECMEM_WARN);
    if (gcry_control(GCRYCTL_INIT_SECMEM, OTR_GCRYPT_SECMEM, 0) != 0)
        gcry_control(GCRYCTL_DISABLE_SECMEM, 0);
    gcry_control(GCRYCTL_RESUME_SECMEM_WARN);
    gcry_control(GCRYCTL_INITIALIZATION_FINISHED, 0);
    return TRUE;
}

gboolean
otr_init(void)
{
    static gsize once = 0;
    static gboolean ok = FALSE;

    if (g_once_init_enter(&once)) {
        ok = gcrypt_setup();
        g_once_init_leave(&once, 1);
    }
    return ok;
}

/* ---- Default host ------------------------------------------------------ */

static void
default_random(void *user, uint8_t *buf, size_t len)
{
    gcry_randomize(buf, len, GCRY_STRONG_RANDOM);
}

static gint64
default_now(void *user)
{
#ifdef CLOCK_MONOTONIC_COARSE
    struct timespec ts;

    /* Whole seconds are all we need: the coarse clock is read from memory
     * without touching the clock source (it is called for every message). */
    if (clock_gettime(CLOCK_MONOTONIC_COARSE, &ts) == 0)
        return (gint64)ts.tv_sec;
#endif
    return g_get_monotonic_time() / G_USEC_PER_SEC;
}

static void
default_log(void *user, const char *line)
{
    g_debug("%s", line);
}

static const OtrHostOps default_ops = {
    .random = default_random,
    .now = default_now,
    .log = default_log,
};

const OtrHostOps *
otr_host_ops_default(void)
{
    otr_init();
    return &default_ops;
}

void
otr_host_random(const OtrHost *h, void *buf, size_t len)
{
    h->ops->random(h->user, buf, len);
}

/* ---- Memory helpers ----------------------------------------------------- */

void
otr_wipe(void *p, size_t n)
{
    if (p && n)
        explicit_bzero(p, n);
}

gboolean
otr_mem_equal_ct(const void *a, const void *b, size_t n)
{
    const volatile uint8_t *x = a;
    const volatile uint8_t *y = b;
    uint8_t diff = 0;

    for (size_t i = 0; i < n; i++)
        diff |= x[i] ^ y[i];
    return diff == 0;
}

void
otr_mpz_wipe_clear(mpz_t z)
{
    /* GMP never wipes what it frees: clear every allocated limb first. */
    if (z->_mp_alloc > 0 && z->_mp_d)
        otr_wipe(z->_mp_d, (size_t)z->_mp_alloc * sizeof(mp_limb_t));
    mpz_clear(z);
}

void
otr_mpz_from_bytes(mpz_t z, const uint8_t *buf, size_t len)
{
    if (len == 0)
        mpz_set_ui(z, 0);
    else
        mpz_import(z, len, 1, 1, 1, 0, buf);
}

size_t
otr_mpz_to_bytes(mpz_srcptr z, uint8_t *out)
{
    size_t n = 0;

    if (mpz_sgn(z) == 0)
        return 0;
    mpz_export(out, &n, 1, 1, 1, 0, z);
    return n;
}

void
otr_mpz_to_fixed(mpz_srcptr z, uint8_t *out, size_t width)
{
    size_t n = otr_mpz_size_bytes(z);

    g_assert(n <= width);
    memset(out, 0, width - n);
    otr_mpz_to_bytes(z, out + (width - n));
}

size_t
otr_mpz_size_bytes(mpz_srcptr z)
{
    return mpz_sgn(z) == 0 ? 0 : (mpz_sizeinbase(z, 2) + 7) / 8;
}

/* ---- Hashes and MACs ---------------------------------------------------- */

void
otr_sha1(const void *data, size_t len, uint8_t out[OTR_SHA1_LEN])
{
    struct sha1_ctx ctx;

    sha1_init(&ctx);
    sha1_update(&ctx, len, data);
    sha1_digest(&ctx, OTR_SHA1_LEN, out);
    otr_wipe(&ctx, sizeof ctx);
}

void
otr_sha256(const void *data, size_t len, uint8_t out[OTR_SHA256_LEN])
{
    struct sha256_ctx ctx;

    sha256_init(&ctx);
    sha256_update(&ctx, len, data);
    sha256_digest(&ctx, OTR_SHA256_LEN, out);
    otr_wipe(&ctx, sizeof ctx);
}

void
otr_sha1_prefixed(uint8_t b,
                  const void *data,
                  size_t len,
                  uint8_t out[OTR_SHA1_LEN])
{
    struct sha1_ctx ctx;

    sha1_init(&ctx);
    sha1_update(&ctx, 1, &b);
    sha1_update(&ctx, len, data);
    sha1_digest(&ctx, OTR_SHA1_LEN, out);
    otr_wipe(&ctx, sizeof ctx);
}

void
otr_sha256_prefixed(uint8_t b,
                    const void *data,
                    size_t len,
                    uint8_t out[OTR_SHA256_LEN])
{
    struct sha256_ctx ctx;

    sha256_init(&ctx);
    sha256_update(&ctx, 1, &b);
    sha256_update(&ctx, len, data);
    sha256_digest(&ctx, OTR_SHA256_LEN, out);
    otr_wipe(&ctx, sizeof ctx);
}

void
otr_hmac_sha1(const uint8_t *key,
              size_t klen,
              const void *data,
              size_t len,
              uint8_t out[OTR_SHA1_LEN])
{
    struct hmac_sha1_ctx ctx;

    hmac_sha1_set_key(&ctx, klen, key);
    hmac_sha1_update(&ctx, len, data);
    hmac_sha1_digest(&ctx, OTR_SHA1_LEN, out);
    otr_wipe(&ctx, sizeof ctx);
}

void
otr_hmac_sha1_2(const uint8_t *key,
                size_t klen,
                const void *a,
                size_t alen,
                const void *b,
                size_t blen,
                uint8_t out[OTR_SHA1_LEN])
{
    struct hmac_sha1_ctx ctx;

    hmac_sha1_set_key(&ctx, klen, key);
    hmac_sha1_update(&ctx, alen, a);
    hmac_sha1_update(&ctx, blen, b);
    hmac_sha1_digest(&ctx, OTR_SHA1_LEN, out);
    otr_wipe(&ctx, sizeof ctx);
}

void
otr_hmac_sha256(const uint8_t *key,
                size_t klen,
                const void *data,
                size_t len,
                uint8_t out[OTR_SHA256_LEN])
{
    struct hmac_sha256_ctx ctx;

    hmac_sha256_set_key(&ctx, klen, key);
    hmac_sha256_update(&ctx, len, data);
    hmac_sha256_digest(&ctx, OTR_SHA256_LEN, out);
    otr_wipe(&ctx, sizeof ctx);
}

void
otr_hmac_sha256_160(const uint8_t *key,
                    size_t klen,
                    const void *data,
                    size_t len,
                    uint8_t out[20])
{
    struct hmac_sha256_ctx ctx;

    /* nettle truncates the digest to the length asked for. */
    hmac_sha256_set_key(&ctx, klen, key);
    hmac_sha256_update(&ctx, len, data);
    hmac_sha256_digest(&ctx, 20, out);
    otr_wipe(&ctx, sizeof ctx);
}

/* ---- Prepared keys ------------------------------------------------------ */

/* The opaque storage must hold nettle's contexts, suitably aligned. */
typedef struct {
    struct sha1_ctx inner, outer;
} HmacSha1State;

G_STATIC_ASSERT(sizeof(struct aes128_ctx) <= sizeof(OtrAesKey));
G_STATIC_ASSERT(G_ALIGNOF(struct aes128_ctx) <= G_ALIGNOF(OtrAesKey));
G_STATIC_ASSERT(sizeof(HmacSha1State) <= sizeof(OtrHmacSha1Key));
G_STATIC_ASSERT(G_ALIGNOF(HmacSha1State) <= G_ALIGNOF(OtrHmacSha1Key));

void
otr_aes_key_init(OtrAesKey *k, const uint8_t key[16])
{
    aes128_set_encrypt_key((struct aes128_ctx *)(void *)k->opaque, key);
}

void
otr_aes_key_clear(OtrAesKey *k)
{
    otr_wipe(k, sizeof *k);
}

void
otr_aes_key_ctr(const OtrAesKey *k,
                const uint8_t ctr[16],
                const uint8_t *in,
                uint8_t *out,
                size_t len)
{
    uint8_t block[AES_BLOCK_SIZE];

    if (len == 0)
        return;
    memcpy(block, ctr, AES_BLOCK_SIZE); /* ctr_crypt advances it */
    ctr_crypt(k->opaque, (nettle_cipher_func *)aes128_encrypt, AES_BLOCK_SIZE,
              block, len, out, in);
    otr_wipe(block, sizeof block);
}

void
otr_aes128_ctr(const uint8_t key[16],
               const uint8_t ctr[16],
               const uint8_t *in,
               uint8_t *out,
               size_t len)
{
    OtrAesKey k;

    if (len == 0)
        return;
    otr_aes_key_init(&k, key);
    otr_aes_key_ctr(&k, ctr, in, out, len);
    otr_aes_key_clear(&k);
}

void
otr_hmac_sha1_key_init(OtrHmacSha1Key *k, const uint8_t *key, size_t klen)
{
    HmacSha1State *st = (HmacSha1State *)(void *)k->opaque;
    struct hmac_sha1_ctx ctx;

    hmac_sha1_set_key(&ctx, klen, key);
    st->inner = ctx.inner;
    st->outer = ctx.outer;
    otr_wipe(&ctx, sizeof ctx);
}

void
otr_hmac_sha1_key_clear(OtrHmacSha1Key *k)
{
    otr_wipe(k, sizeof *k);
}

G_STATIC_ASSERT(sizeof(struct sha1_ctx) <=
                sizeof(((OtrHmacSha1Prefix *)0)->state));
G_STATIC_ASSERT(G_ALIGNOF(struct sha1_ctx) <= G_ALIGNOF(OtrHmacSha1Prefix));

/* Bytes [off, off + n) of a || b. */
static void
two_part_update(struct sha1_ctx *ctx,
                const uint8_t *a,
                size_t alen,
                const uint8_t *b,
                size_t off,
                size_t n)
{
    if (off < alen) {
        size_t na = MIN(n, alen - off);

        sha1_update(ctx, na, a + off);
        off += na;
        n -= na;
    }
    if (n > 0)
        sha1_update(ctx, n, b + (off - alen));
}

/* Do the first n bytes of a || b equal p? */
static gboolean
two_part_equal(const uint8_t *p,
               const uint8_t *a,
               size_t alen,
               const uint8_t *b,
               size_t n)
{
    size_t na = MIN(n, alen);

    return memcmp(p, a, na) == 0 && (n == na || memcmp(p + na, b, n - na) == 0);
}

void
otr_hmac_sha1_key_mac_cached(const OtrHmacSha1Key *k,
                             const OtrHmacSha1Prefix *cache,
                             OtrHmacSha1Prefix *fresh,
                             const void *a,
                             size_t alen,
                             const void *b,
                             size_t blen,
                             size_t fixed,
                             uint8_t out[OTR_SHA1_LEN])
{
    const HmacSha1State *st = (const HmacSha1State *)(const void *)k->opaque;
    struct sha1_ctx ctx;
    uint8_t inner[SHA1_DIGEST_SIZE];
    size_t total = alen + blen;

    fixed = MIN(MIN(fixed, total), (size_t)OTR_HMAC_PREFIX_MAX);
    if (fresh)
        fresh->len = 0;
    if (fixed > 0 && cache && cache->len == fixed &&
        two_part_equal(cache->prefix, a, alen, b, fixed)) {
        memcpy(&ctx, cache->state, sizeof ctx);
    } else {
        ctx = st->inner;
        two_part_update(&ctx, a, alen, b, 0, fixed);
        if (fresh && fixed > 0) {
            memcpy(fresh->state, &ctx, sizeof ctx);
            fresh->len = fixed;
            memcpy(fresh->prefix, a, MIN(fixed, alen));
            if (fixed > alen)
                memcpy(fresh->prefix + alen, b, fixed - alen);
        }
    }
    two_part_update(&ctx, a, alen, b, fixed, total - fixed);
    sha1_digest(&ctx, sizeof inner, inner);
    ctx = st->outer;
    sha1_update(&ctx, sizeof inner, inner);
    sha1_digest(&ctx, OTR_SHA1_LEN, out);
    otr_wipe(&ctx, sizeof ctx);
    otr_wipe(inner, sizeof inner);
}

void
otr_hmac_sha1_key_mac(const OtrHmacSha1Key *k,
                      const void *a,
                      size_t alen,
                      const void *b,
                      size_t blen,
                      uint8_t out[OTR_SHA1_LEN])
{
    otr_hmac_sha1_key_mac_cached(k, NULL, NULL, a, alen, b, blen, 0, out);
}

/* ---- Diffie-Hellman ----------------------------------------------------- */

/* RFC 3526 group 5, as given in the spec. */
const uint8_t otr_dh_modulus[OTR_DH_PUB_MAX] = {
    0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xC9, 0x0F, 0xDA, 0xA2,
    0x21, 0x68, 0xC2, 0x34, 0xC4, 0xC6, 0x62, 0x8B, 0x80, 0xDC, 0x1C, 0xD1,
    0x29, 0x02, 0x4E, 0x08, 0x8A, 0x67, 0xCC, 0x74, 0x02, 0x0B, 0xBE, 0xA6,
    0x3B, 0x13, 0x9B, 0x22, 0x51, 0x4A, 0x08, 0x79, 0x8E, 0x34, 0x04, 0xDD,
    0xEF, 0x95, 0x19, 0xB3, 0xCD, 0x3A, 0x43, 0x1B, 0x30, 0x2B, 0x0A, 0x6D,
    0xF2, 0x5F, 0x14, 0x37, 0x4F, 0xE1, 0x35, 0x6D, 0x6D, 0x51, 0xC2, 0x45,
    0xE4, 0x85, 0xB5, 0x76, 0x62, 0x5E, 0x7E, 0xC6, 0xF4, 0x4C, 0x42, 0xE9,
    0xA6, 0x37, 0xED, 0x6B, 0x0B, 0xFF, 0x5C, 0xB6, 0xF4, 0x06, 0xB7, 0xED,
    0xEE, 0x38, 0x6B, 0xFB, 0x5A, 0x89, 0x9F, 0xA5, 0xAE, 0x9F, 0x24, 0x11,
    0x7C, 0x4B, 0x1F, 0xE6, 0x49, 0x28, 0x66, 0x51, 0xEC, 0xE4, 0x5B, 0x3D,
    0xC2, 0x00, 0x7C, 0xB8, 0xA1, 0x63, 0xBF, 0x05, 0x98, 0xDA, 0x48, 0x36,
    0x1C, 0x55, 0xD3, 0x9A, 0x69, 0x16, 0x3F, 0xA8, 0xFD, 0x24, 0xCF, 0x5F,
    0x83, 0x65, 0x5D, 0x23, 0xDC, 0xA3, 0xAD, 0x96, 0x1C, 0x62, 0xF3, 0x56,
    0x20, 0x85, 0x52, 0xBB, 0x9E, 0xD5, 0x29, 0x07, 0x70, 0x96, 0x96, 0x6D,
    0x67, 0x0C, 0x35, 0x4E, 0x4A, 0xBC, 0x98, 0x04, 0xF1, 0x74, 0x6C, 0x08,
    0xCA, 0x23, 0x73, 0x27, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
};

/* p - 2: the modulus ends in 0xFF, so only the last byte changes. */
static const uint8_t *
dh_modulus_minus_2(void)
{
    static uint8_t pm2[OTR_DH_PUB_MAX];
    static gsize once = 0;

    if (g_once_init_enter(&once)) {
        memcpy(pm2, otr_dh_modulus, sizeof pm2);
        pm2[OTR_DH_PUB_MAX - 1] -= 2;
        g_once_init_leave(&once, 1);
    }
    return pm2;
}

mpz_srcptr
otr_dh_modulus_mpz(void)
{
    static mpz_t p;
    static gsize once = 0;

    if (g_once_init_enter(&once)) {
        mpz_init(p);
        otr_mpz_from_bytes(p, otr_dh_modulus, sizeof otr_dh_modulus);
        g_once_init_leave(&once, 1);
    }
    return p;
}

int
otr_bn_cmp(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
    int c;

    while (alen > 0 && a[0] == 0) {
        a++;
        alen--;
    }
    while (blen > 0 && b[0] == 0) {
        b++;
        blen--;
    }
    if (alen != blen)
        return alen < blen ? -1 : 1;
    if (alen == 0)
        return 0;
    c = memcmp(a, b, alen);
    return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

gboolean
otr_dh_pub_valid(const uint8_t *pub, size_t len)
{
    static const uint8_t two = 2;

    if (len > 0 && !pub)
        return FALSE;
    return otr_bn_cmp(pub, len, &two, 1) >= 0 &&
           otr_bn_cmp(pub, len, dh_modulus_minus_2(), OTR_DH_PUB_MAX) <= 0;
}

void
otr_dh_keypair_clear(OtrDhKeypair *kp)
{
    otr_wipe(kp, sizeof *kp);
}

static gboolean
all_zero(const uint8_t *buf, size_t len)
{
    uint8_t acc = 0;

    for (size_t i = 0; i < len; i++)
        acc |= buf[i];
    return acc == 0;
}

OtrError
otr_dh_keypair_gen(const OtrHost *h, OtrDhKeypair *kp)
{
    mpz_t x, y;
    size_t n;

    g_return_val_if_fail(h && kp, OTR_ERR_INVALID);

    /* mpz_powm_sec needs a positive exponent; an all-zero draw would
     * mean a broken RNG, but never loop forever on one. */
    for (int tries = 0;; tries++) {
        otr_host_random(h, kp->priv, OTR_DH_PRIV_LEN);
        if (!all_zero(kp->priv, OTR_DH_PRIV_LEN))
            break;
        if (tries == 8) {
            otr_dh_keypair_clear(kp);
            return OTR_ERR_CRYPTO;
        }
    }
    mpz_init(x);
    mpz_init(y);
    otr_mpz_from_bytes(x, kp->priv, OTR_DH_PRIV_LEN);
    /* g^x with the fixed-base comb: constant time, a third of the work
     * of a general exponentiation. */
    otr_group_gpow_sec(y, x);
    n = otr_mpz_to_bytes(y, kp->pub);
    kp->publen = (guint16)n;
    otr_mpz_wipe_clear(x);
    mpz_clear(y);
    return OTR_OK;
}

OtrError
otr_dh_shared(const OtrDhKeypair *ours,
              const uint8_t *theirs,
              size_t theirs_len,
              uint8_t out[OTR_DH_PUB_MAX],
              size_t *out_len)
{
    mpz_t x, y, s;

    g_return_val_if_fail(ours && out && out_len, OTR_ERR_INVALID);
    if (!otr_dh_pub_valid(theirs, theirs_len))
        return OTR_ERR_BAD_VALUE;
    if (all_zero(ours->priv, OTR_DH_PRIV_LEN))
        return OTR_ERR_BAD_VALUE;

    mpz_init(x);
    mpz_init(y);
    mpz_init(s);
    otr_mpz_from_bytes(x, ours->priv, OTR_DH_PRIV_LEN);
    otr_mpz_from_bytes(y, theirs, theirs_len);
    mpz_powm_sec(s, y, x, otr_dh_modulus_mpz());
    *out_len = otr_mpz_to_bytes(s, out);
    otr_mpz_wipe_clear(x);
    otr_mpz_wipe_clear(s);
    mpz_clear(y);
    return OTR_OK;
}
