/* Offrec tests — crypto: known answers, D-H, DSA, key files, interop.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <string.h>

#include <gcrypt.h>

#include "crypto-private.h"
#include "crypto-tests.h"
#include "testutil.h"

uint8_t *
unhex(const char *hex, size_t *len)
{
    size_t n = strlen(hex) / 2;
    uint8_t *out = g_malloc(n + 1);

    for (size_t i = 0; i < n; i++) {
        int hi = g_ascii_xdigit_value(hex[2 * i]);
        int lo = g_ascii_xdigit_value(hex[2 * i + 1]);

        g_assert(hi >= 0 && lo >= 0);
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    *len = n;
    return out;
}

void
assert_hex(const uint8_t *got, size_t len, const char *hex)
{
    size_t n;
    uint8_t *want = unhex(hex, &n);

    g_assert_cmpmem(got, len, want, n);
    g_free(want);
}

/* ---- Hashes ------------------------------------------------------------- */

typedef struct {
    const char *msg;
    const char *sha1;
    const char *sha256;
} HashKat;

static const HashKat hash_kats[] = {
    { "", "da39a3ee5e6b4b0d3255bfef95601890afd80709",
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
    { "abc", "a9993e364706816aba3e25717850c26c9cd0d89d",
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
    { "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
      "84983e441c3bd26ebaae4aa1f95129e5e54670f1",
      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
};

static void
test_hash_kat(gconstpointer data)
{
    const HashKat *k = data;
    uint8_t d1[OTR_SHA1_LEN], d256[OTR_SHA256_LEN];

    otr_sha1(k->msg, strlen(k->msg), d1);
    assert_hex(d1, sizeof d1, k->sha1);
    otr_sha256(k->msg, strlen(k->msg), d256);
    assert_hex(d256, sizeof d256, k->sha256);
}

static void
test_hash_million(void)
{
    char *a = g_malloc(1000000);
    uint8_t d1[OTR_SHA1_LEN], d256[OTR_SHA256_LEN];

    memset(a, 'a', 1000000);
    otr_sha1(a, 1000000, d1);
    assert_hex(d1, sizeof d1, "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
    otr_sha256(a, 1000000, d256);
    assert_hex(d256, sizeof d256,
               "cdc76e5c9914fb9281a1c7e284d73e67"
               "f1809a48a497200e046d39ccc7112cd0");
    g_free(a);
}

static void
test_hash_prefixed(void)
{
    const char *msg = "secret bytes";
    char buf[32];
    uint8_t a[OTR_SHA256_LEN], b[OTR_SHA256_LEN];

    buf[0] = 0x02;
    memcpy(buf + 1, msg, strlen(msg));
    otr_sha256_prefixed(0x02, msg, strlen(msg), a);
    otr_sha256(buf, 1 + strlen(msg), b);
    g_assert_cmpmem(a, sizeof a, b, sizeof b);
    otr_sha1_prefixed(0x02, msg, strlen(msg), a);
    otr_sha1(buf, 1 + strlen(msg), b);
    g_assert_cmpmem(a, OTR_SHA1_LEN, b, OTR_SHA1_LEN);
    otr_sha1_prefixed(0x03, msg, strlen(msg), a);
    g_assert_false(memcmp(a, b, OTR_SHA1_LEN) == 0);
}

/* ---- HMAC --------------------------------------------------------------- */

typedef struct {
    const char *key_hex; /* or NULL: key_byte repeated key_len times */
    guint8 key_byte;
    size_t key_len;
    const char *data; /* or NULL: data_byte repeated data_len times */
    guint8 data_byte;
    size_t data_len;
    const char *mac; /* may be a truncated MAC (RFC 4231 case 5) */
} HmacKat;

static const char long_sha1_1[] =
    "Test Using Larger Than Block-Size Key - Hash Key First";
static const char long_sha1_2[] = "Test Using Larger Than Block-Size Key and "
                                  "Larger Than One Block-Size Data";
static const char long_sha256[] =
    "This is a test using a larger than block-size key and a larger than "
    "block-size data. The key needs to be hashed before being used by the "
    "HMAC algorithm.";
static const char key_1_25[] = "0102030405060708090a0b0c0d0e0f10111213141516"
                               "171819";

/* RFC 2202 section 3 */
static const HmacKat hmac_sha1_kats[] = {
    { NULL, 0x0b, 20, "Hi There", 0, 0,
      "b617318655057264e28bc0b6fb378c8ef146be00" },
    { "4a656665", 0, 0, "what do ya want for nothing?", 0, 0,
      "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79" },
    { NULL, 0xaa, 20, NULL, 0xdd, 50,
      "125d7342b9ac11cd91a39af48aa17b4f63f175d3" },
    { key_1_25, 0, 0, NULL, 0xcd, 50,
      "4c9007f4026250c6bc8414f9bf50c86c2d7235da" },
    { NULL, 0x0c, 20, "Test With Truncation", 0, 0,
      "4c1a03424b55e07fe7f27be1d58bb9324a9a5a04" },
    { NULL, 0xaa, 80, long_sha1_1, 0, 0,
      "aa4ae5e15272d00e95705637ce8a3b55ed402112" },
    { NULL, 0xaa, 80, long_sha1_2, 0, 0,
      "e8e99d0f45237d786d6bbaa7965c7808bbff1a91" },
};

/* RFC 4231 section 4 */
static const HmacKat hmac_sha256_kats[] = {
    { NULL, 0x0b, 20, "Hi There", 0, 0,
      "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7" },
    { "4a656665", 0, 0, "what do ya want for nothing?", 0, 0,
      "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843" },
    { NULL, 0xaa, 20, NULL, 0xdd, 50,
      "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe" },
    { key_1_25, 0, 0, NULL, 0xcd, 50,
      "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b" },
    { NULL, 0x0c, 20, "Test With Truncation", 0, 0,
      "a3b6167473100ee06e0c796c2955552b" },
    { NULL, 0xaa, 131, long_sha1_1, 0, 0,
      "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54" },
    { NULL, 0xaa, 131, long_sha256, 0, 0,
      "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2" },
};

static void
hmac_inputs(const HmacKat *k,
            uint8_t **key,
            size_t *klen,
            uint8_t **data,
            size_t *dlen)
{
    if (k->key_hex) {
        *key = unhex(k->key_hex, klen);
    } else {
        *klen = k->key_len;
        *key = g_malloc(*klen);
        memset(*key, k->key_byte, *klen);
    }
    if (k->data) {
        *dlen = strlen(k->data);
        *data = (uint8_t *)g_strdup(k->data);
    } else {
        *dlen = k->data_len;
        *data = g_malloc(*dlen);
        memset(*data, k->data_byte, *dlen);
    }
}

static void
test_hmac_sha1(gconstpointer p)
{
    uint8_t *key, *data, mac[OTR_SHA1_LEN];
    size_t klen, dlen;

    hmac_inputs(p, &key, &klen, &data, &dlen);
    otr_hmac_sha1(key, klen, data, dlen, mac);
    assert_hex(mac, sizeof mac, ((const HmacKat *)p)->mac);
    g_free(key);
    g_free(data);
}

static void
test_hmac_sha256(gconstpointer p)
{
    const HmacKat *k = p;
    uint8_t *key, *data, mac[OTR_SHA256_LEN], mac160[20];
    size_t klen, dlen;

    hmac_inputs(k, &key, &klen, &data, &dlen);
    otr_hmac_sha256(key, klen, data, dlen, mac);
    assert_hex(mac, strlen(k->mac) / 2, k->mac);
    otr_hmac_sha256_160(key, klen, data, dlen, mac160);
    g_assert_cmpmem(mac160, 20, mac, 20);
    g_free(key);
    g_free(data);
}

/* ---- AES-128-CTR: NIST SP 800-38A F.5.1 ---------------------------------- */

static const char aes_key[] = "2b7e151628aed2a6abf7158809cf4f3c";
static const char aes_ctr[] = "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff";
static const char aes_pt[] = "6bc1bee22e409f96e93d7e117393172a"
                             "ae2d8a571e03ac9c9eb76fac45af8e51"
                             "30c81c46a35ce411e5fbc1191a0a52ef"
                             "f69f2445df4f9b17ad2b417be66c3710";
static const char aes_ct[] = "874d6191b620e3261bef6864990db6ce"
                             "9806f66b7970fdff8617187bb9fffdff"
                             "5ae4df3edbd5d35e5b4f09020db03eab"
                             "1e031dda2fbe03d1792170a0f3009cee";

static void
test_aes_ctr(void)
{
    size_t klen, clen, n, m;
    uint8_t *key = unhex(aes_key, &klen), *ctr = unhex(aes_ctr, &clen);
    uint8_t *pt = unhex(aes_pt, &n), *ct = unhex(aes_ct, &m);
    uint8_t out[64], ctr_copy[16];

    memcpy(ctr_copy, ctr, 16);
    otr_aes128_ctr(key, ctr, pt, out, n);
    g_assert_cmpmem(out, n, ct, m);
    g_assert_cmpmem(ctr, 16, ctr_copy, 16); /* counter not modified */
    /* In place, and decryption is the same operation. */
    otr_aes128_ctr(key, ctr, out, out, n);
    g_assert_cmpmem(out, n, pt, n);
    /* A partial block uses a prefix of the key stream. */
    otr_aes128_ctr(key, ctr, pt, out, 21);
    g_assert_cmpmem(out, 21, ct, 21);
    otr_aes128_ctr(key, ctr, pt, out, 0);
    g_free(key);
    g_free(ctr);
    g_free(pt);
    g_free(ct);
}

static void
test_mem_helpers(void)
{
    uint8_t a[32], b[32];

    memset(a, 0x5a, sizeof a);
    memcpy(b, a, sizeof b);
    g_assert_true(otr_mem_equal_ct(a, b, sizeof a));
    g_assert_true(otr_mem_equal_ct(a, b, 0));
    for (size_t i = 0; i < sizeof a; i++) {
        b[i] ^= 0x01;
        g_assert_false(otr_mem_equal_ct(a, b, sizeof a));
        b[i] ^= 0x01;
    }
    otr_wipe(a, sizeof a);
    for (size_t i = 0; i < sizeof a; i++)
        g_assert_cmpint(a[i], ==, 0);
    otr_wipe(NULL, 0);
}

/* ---- Diffie-Hellman ----------------------------------------------------- */

static gcry_mpi_t
gmpi(const uint8_t *buf, size_t len)
{
    gcry_mpi_t m = NULL;

    g_assert_cmpint(gcry_mpi_scan(&m, GCRYMPI_FMT_USG, buf, len, NULL), ==, 0);
    return m;
}

/* Checks base^priv mod p computed by libgcrypt against expect. */
static void
assert_powm(const uint8_t *base,
            size_t blen,
            const OtrDhKeypair *kp,
            const uint8_t *expect,
            size_t elen)
{
    gcry_mpi_t b = gmpi(base, blen), x = gmpi(kp->priv, OTR_DH_PRIV_LEN);
    gcry_mpi_t p = gmpi(otr_dh_modulus, OTR_DH_PUB_MAX), r = gcry_mpi_new(0);
    uint8_t buf[OTR_DH_PUB_MAX];
    size_t n = 0;

    gcry_mpi_powm(r, b, x, p);
    g_assert_cmpint(gcry_mpi_print(GCRYMPI_FMT_USG, buf, sizeof buf, &n, r), ==,
                    0);
    g_assert_cmpmem(expect, elen, buf, n);
    gcry_mpi_release(b);
    gcry_mpi_release(x);
    gcry_mpi_release(p);
    gcry_mpi_release(r);
}

static void
test_dh_shared(void)
{
    TestHost th;
    OtrHost h = { &test_host_ops, &th };
    g_auto(OtrDhKeypair) a = { 0 };
    g_auto(OtrDhKeypair) b = { 0 };
    uint8_t s1[OTR_DH_PUB_MAX], s2[OTR_DH_PUB_MAX], two = 2;
    size_t n1 = 0, n2 = 0;

    test_host_init(&th, 42);
    for (int round = 0; round < 4; round++) {
        g_assert_cmpint(otr_dh_keypair_gen(&h, &a), ==, OTR_OK);
        g_assert_cmpint(otr_dh_keypair_gen(&h, &b), ==, OTR_OK);
        g_assert_true(a.publen > 0 && a.pub[0] != 0);
        g_assert_true(otr_dh_pub_valid(a.pub, a.publen));
        assert_powm(&two, 1, &a, a.pub, a.publen);
        g_assert_cmpint(otr_dh_shared(&a, b.pub, b.publen, s1, &n1), ==,
                        OTR_OK);
        g_assert_cmpint(otr_dh_shared(&b, a.pub, a.publen, s2, &n2), ==,
                        OTR_OK);
        g_assert_cmpmem(s1, n1, s2, n2);
        g_assert_true(n1 > 0 && s1[0] != 0); /* minimal */
        assert_powm(b.pub, b.publen, &a, s1, n1);
    }
    test_host_clear(&th);
}

static void
test_dh_invalid(void)
{
    TestHost th;
    OtrHost h = { &test_host_ops, &th };
    g_auto(OtrDhKeypair) a = { 0 };
    uint8_t v[OTR_DH_PUB_MAX + 1], out[OTR_DH_PUB_MAX];
    size_t n;

    test_host_init(&th, 7);
    g_assert_cmpint(otr_dh_keypair_gen(&h, &a), ==, OTR_OK);

    /* 0, 1, empty */
    v[0] = 0;
    g_assert_false(otr_dh_pub_valid(v, 1));
    g_assert_cmpint(otr_dh_shared(&a, v, 1, out, &n), ==, OTR_ERR_BAD_VALUE);
    v[0] = 1;
    g_assert_false(otr_dh_pub_valid(v, 1));
    g_assert_cmpint(otr_dh_shared(&a, v, 1, out, &n), ==, OTR_ERR_BAD_VALUE);
    g_assert_false(otr_dh_pub_valid(NULL, 0));
    g_assert_cmpint(otr_dh_shared(&a, v, 0, out, &n), ==, OTR_ERR_BAD_VALUE);
    /* 2 is the smallest valid value, even with leading zeroes */
    v[0] = 0;
    v[1] = 2;
    g_assert_true(otr_dh_pub_valid(v, 2));
    /* p */
    memcpy(v, otr_dh_modulus, OTR_DH_PUB_MAX);
    g_assert_false(otr_dh_pub_valid(v, OTR_DH_PUB_MAX));
    g_assert_cmpint(otr_dh_shared(&a, v, OTR_DH_PUB_MAX, out, &n), ==,
                    OTR_ERR_BAD_VALUE);
    /* p - 1 */
    v[OTR_DH_PUB_MAX - 1] = 0xfe;
    g_assert_false(otr_dh_pub_valid(v, OTR_DH_PUB_MAX));
    g_assert_cmpint(otr_dh_shared(&a, v, OTR_DH_PUB_MAX, out, &n), ==,
                    OTR_ERR_BAD_VALUE);
    /* p - 2 is the largest valid value */
    v[OTR_DH_PUB_MAX - 1] = 0xfd;
    g_assert_true(otr_dh_pub_valid(v, OTR_DH_PUB_MAX));
    g_assert_cmpint(otr_dh_shared(&a, v, OTR_DH_PUB_MAX, out, &n), ==, OTR_OK);
    /* > p, and longer than p */
    memset(v, 0xff, sizeof v);
    g_assert_false(otr_dh_pub_valid(v, OTR_DH_PUB_MAX));
    g_assert_cmpint(otr_dh_shared(&a, v, OTR_DH_PUB_MAX, out, &n), ==,
                    OTR_ERR_BAD_VALUE);
    v[0] = 0x01;
    g_assert_false(otr_dh_pub_valid(v, sizeof v));
    test_host_clear(&th);
}

static void
test_bn_cmp(void)
{
    static const uint8_t a[] = { 0, 0, 1, 2 }, b[] = { 1, 2 }, c[] = { 1, 3 };
    static const uint8_t d[] = { 1, 0, 0 }, z[] = { 0 };

    g_assert_cmpint(otr_bn_cmp(a, sizeof a, b, sizeof b), ==, 0);
    g_assert_cmpint(otr_bn_cmp(b, sizeof b, c, sizeof c), ==, -1);
    g_assert_cmpint(otr_bn_cmp(c, sizeof c, a, sizeof a), ==, 1);
    g_assert_cmpint(otr_bn_cmp(d, sizeof d, c, sizeof c), ==, 1);
    g_assert_cmpint(otr_bn_cmp(z, sizeof z, NULL, 0), ==, 0);
    g_assert_cmpint(otr_bn_cmp(NULL, 0, a, sizeof a), ==, -1);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    crypto_tests_early_init();
    g_assert_true(otr_init());
    g_assert_true(otr_init()); /* idempotent */

    for (guint i = 0; i < G_N_ELEMENTS(hash_kats); i++) {
        char *path = g_strdup_printf("/core/crypto/sha-kat/%u", i);

        g_test_add_data_func(path, &hash_kats[i], test_hash_kat);
        g_free(path);
    }
    g_test_add_func("/core/crypto/sha-million-a", test_hash_million);
    g_test_add_func("/core/crypto/sha-prefixed", test_hash_prefixed);
    for (guint i = 0; i < G_N_ELEMENTS(hmac_sha1_kats); i++) {
        char *path =
            g_strdup_printf("/core/crypto/hmac-sha1/rfc2202-%u", i + 1);

        g_test_add_data_func(path, &hmac_sha1_kats[i], test_hmac_sha1);
        g_free(path);
    }
    for (guint i = 0; i < G_N_ELEMENTS(hmac_sha256_kats); i++) {
        char *path =
            g_strdup_printf("/core/crypto/hmac-sha256/rfc4231-%u", i + 1);

        g_test_add_data_func(path, &hmac_sha256_kats[i], test_hmac_sha256);
        g_free(path);
    }
    g_test_add_func("/core/crypto/aes128-ctr", test_aes_ctr);
    g_test_add_func("/core/crypto/mem-helpers", test_mem_helpers);
    g_test_add_func("/core/crypto/dh-shared", test_dh_shared);
    g_test_add_func("/core/crypto/dh-invalid", test_dh_invalid);
    g_test_add_func("/core/crypto/bn-cmp", test_bn_cmp);
    crypto_tests_add_dsa();
    return g_test_run();
}
