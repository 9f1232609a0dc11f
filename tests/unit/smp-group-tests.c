/* Offrec tests — group arithmetic for SMP, against libgcrypt and against
 * products of single exponentiations; registered by test-smp.c.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <stdlib.h>

#include <gcrypt.h>

#include "group-private.h"
#include "smp-harness.h"

static void
mpz_to_gcry(gcry_mpi_t *out, mpz_srcptr x)
{
    char *hex = mpz_get_str(NULL, 16, x);

    g_assert_cmpint(gcry_mpi_scan(out, GCRYMPI_FMT_HEX, hex, 0, NULL), ==, 0);
    free(hex);
}

static void
assert_mpz_eq_gcry(mpz_srcptr a, gcry_mpi_t b)
{
    gcry_mpi_t t = NULL;

    mpz_to_gcry(&t, a);
    g_assert_cmpint(gcry_mpi_cmp(t, b), ==, 0);
    gcry_mpi_release(t);
}

static void
random_below(GRand *r, mpz_ptr x, mpz_srcptr bound, unsigned bits)
{
    uint8_t buf[OTR_GROUP_BYTES];

    for (size_t i = 0; i < sizeof buf; i++)
        buf[i] = (uint8_t)g_rand_int_range(r, 0, 256);
    mpz_import(x, sizeof buf, 1, 1, 1, 0, buf);
    mpz_fdiv_r_2exp(x, x, bits);
    if (bound)
        mpz_mod(x, x, bound);
}

void
test_group_constants(void)
{
    gcry_mpi_t gp = NULL;
    mpz_t t;

    /* RFC 3526 group 5, as libotr's SM_MODULUS_S */
    g_assert_cmpint(
        gcry_mpi_scan(&gp, GCRYMPI_FMT_HEX,
                      "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD1"
                      "29024E088A67CC74020BBEA63B139B22514A08798E3404DD"
                      "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245"
                      "E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
                      "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3D"
                      "C2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F"
                      "83655D23DCA3AD961C62F356208552BB9ED529077096966D"
                      "670C354E4ABC9804F1746C08CA237327FFFFFFFFFFFFFFFF",
                      0, NULL),
        ==, 0);
    assert_mpz_eq_gcry(otr_group_p(), gp);
    mpz_init(t);
    mpz_mul_2exp(t, otr_group_q(), 1);
    mpz_add_ui(t, t, 1);
    g_assert_cmpint(mpz_cmp(t, otr_group_p()), ==, 0);
    g_assert_cmpint(mpz_probab_prime_p(otr_group_q(), 10), >, 0);
    /* g = 2 generates the subgroup of order q */
    otr_group_powm_sec(t, otr_group_g(), otr_group_q());
    g_assert_cmpint(mpz_cmp_ui(t, 1), ==, 0);
    mpz_clear(t);
    gcry_mpi_release(gp);
}

void
test_group_ranges(void)
{
    mpz_t x;

    mpz_init(x);
    mpz_set_ui(x, 0);
    g_assert_false(otr_group_elem_valid(x));
    g_assert_false(otr_group_expon_valid(x));
    mpz_set_ui(x, 1);
    g_assert_false(otr_group_elem_valid(x));
    g_assert_true(otr_group_expon_valid(x));
    mpz_set_ui(x, 2);
    g_assert_true(otr_group_elem_valid(x));
    mpz_sub_ui(x, otr_group_p(), 2);
    g_assert_true(otr_group_elem_valid(x));
    mpz_sub_ui(x, otr_group_p(), 1);
    g_assert_false(otr_group_elem_valid(x));
    mpz_set(x, otr_group_p());
    g_assert_false(otr_group_elem_valid(x));
    mpz_sub_ui(x, otr_group_q(), 1);
    g_assert_true(otr_group_expon_valid(x));
    mpz_set(x, otr_group_q());
    g_assert_false(otr_group_expon_valid(x));
    otr_group_clear(x);
}

void
test_group_powm(void)
{
    GRand *r = g_rand_new_with_seed(7);
    gcry_mpi_t gp = NULL, gb = NULL, ge = NULL, gr = gcry_mpi_new(0);
    mpz_t b, e, res;

    mpz_inits(b, e, res, NULL);
    mpz_to_gcry(&gp, otr_group_p());
    for (int i = 0; i < 40; i++) {
        unsigned bits = (unsigned)(i < 5 ? i : g_rand_int_range(r, 1, 1600));

        random_below(r, b, otr_group_p(), OTR_GROUP_BITS);
        random_below(r, e, NULL, MIN(bits, OTR_GROUP_BITS));
        mpz_to_gcry(&gb, b);
        mpz_to_gcry(&ge, e);
        gcry_mpi_powm(gr, gb, ge, gp);
        otr_group_powm_sec(res, b, e);
        assert_mpz_eq_gcry(res, gr);
        /* single public exponentiation through the multi-exp path */
        otr_group_multi_exp(res, 1, (mpz_srcptr[]){ b }, (mpz_srcptr[]){ e });
        assert_mpz_eq_gcry(res, gr);
        gcry_mpi_release(gb);
        gcry_mpi_release(ge);
        gb = ge = NULL;
    }
    mpz_clears(b, e, res, NULL);
    gcry_mpi_release(gp);
    gcry_mpi_release(gr);
    g_rand_free(r);
}

void
test_group_multi_exp(void)
{
    GRand *r = g_rand_new_with_seed(11);
    mpz_t b[OTR_GROUP_MULTI_MAX], e[OTR_GROUP_MULTI_MAX], want, one, got;

    mpz_inits(want, one, got, NULL);
    for (int i = 0; i < OTR_GROUP_MULTI_MAX; i++)
        mpz_inits(b[i], e[i], NULL);
    for (int iter = 0; iter < 300; iter++) {
        size_t n = (size_t)g_rand_int_range(r, 1, OTR_GROUP_MULTI_MAX + 1);
        mpz_srcptr bp[OTR_GROUP_MULTI_MAX], ep[OTR_GROUP_MULTI_MAX];

        mpz_set_ui(want, 1);
        for (size_t i = 0; i < n; i++) {
            int kind = g_rand_int_range(r, 0, 6);
            unsigned bits = kind == 0   ? 0
                            : kind == 1 ? (unsigned)g_rand_int_range(r, 1, 9)
                            : kind == 2 ? 256
                                        : OTR_GROUP_BITS;

            random_below(r, b[i], otr_group_p(), OTR_GROUP_BITS);
            if (g_rand_int_range(r, 0, 10) == 0)
                mpz_set_ui(b[i], (unsigned long)g_rand_int_range(r, 0, 3));
            random_below(r, e[i], NULL, bits ? bits : 1);
            if (bits == 0)
                mpz_set_ui(e[i], 0);
            mpz_powm(one, b[i], e[i], otr_group_p());
            mpz_mul(want, want, one);
            mpz_mod(want, want, otr_group_p());
            bp[i] = b[i];
            ep[i] = e[i];
        }
        otr_group_multi_exp(got, n, bp, ep);
        g_assert_cmpint(mpz_cmp(got, want), ==, 0);
    }
    for (int i = 0; i < OTR_GROUP_MULTI_MAX; i++)
        mpz_clears(b[i], e[i], NULL);
    mpz_clears(want, one, got, NULL);
    g_rand_free(r);
}

void
test_group_ops(void)
{
    GRand *r = g_rand_new_with_seed(5);
    mpz_t a, b, c, x, t;

    mpz_inits(a, b, c, x, t, NULL);
    for (int i = 0; i < 50; i++) {
        random_below(r, a, otr_group_p(), OTR_GROUP_BITS);
        random_below(r, b, otr_group_p(), OTR_GROUP_BITS);
        if (mpz_sgn(b) == 0)
            continue;
        g_assert_true(otr_group_div(c, a, b));
        otr_group_mul(t, c, b);
        g_assert_cmpint(mpz_cmp(t, a), ==, 0);
        /* d = r - x c mod q, as 0 <= d < q and d + x c = r (mod q) */
        random_below(r, x, otr_group_q(), OTR_GROUP_BITS);
        random_below(r, c, NULL, 256);
        otr_group_exp_sub_mul(t, a, x, c);
        g_assert_cmpint(mpz_sgn(t), >=, 0);
        g_assert_cmpint(mpz_cmp(t, otr_group_q()), <, 0);
        mpz_addmul(t, x, c);
        mpz_sub(t, t, a);
        g_assert_true(mpz_divisible_p(t, otr_group_q()));
    }
    mpz_set_ui(b, 0);
    g_assert_false(otr_group_div(c, a, b));
    mpz_clears(a, b, c, x, t, NULL);
    g_rand_free(r);
}

void
test_group_serialise(void)
{
    static const uint8_t lz[] = { 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 7, 0, 0, 0, 0 };
    mpz_t v[3];
    mpz_ptr ptr[3] = { v[0], v[1], v[2] };
    GByteArray *buf = g_byte_array_new();
    uint8_t md[32];
    uint8_t in[1 + 4 + 1 + 4 + 2] = { 9, 0, 0, 0, 1, 0x05, 0, 0, 0, 2, 1, 0 };
    mpz_t h, want;

    mpz_inits(v[0], v[1], v[2], h, want, NULL);
    mpz_set_ui(v[0], 0);
    mpz_set_ui(v[1], 0x1234);
    mpz_sub_ui(v[2], otr_group_p(), 1);
    otr_group_write_mpis(buf, 3, (mpz_srcptr const *)ptr);
    /* count, len 0, len 2 (0x12 0x34), len 192 */
    g_assert_cmpuint(buf->len, ==, 4 + 4 + 6 + 4 + 192);
    g_assert_cmpint(buf->data[3], ==, 3);
    g_assert_cmpint(buf->data[11], ==, 2);
    g_assert_cmpint(buf->data[12], ==, 0x12);
    mpz_set_ui(v[0], 99);
    g_assert_cmpint(otr_group_read_mpis(buf->data, buf->len, 3, ptr), ==,
                    OTR_OK);
    g_assert_cmpint(mpz_sgn(v[0]), ==, 0);
    g_assert_cmpint(mpz_cmp_ui(v[1], 0x1234), ==, 0);
    g_assert_cmpint(otr_group_read_mpis(buf->data, buf->len, 2, ptr), ==,
                    OTR_ERR_MALFORMED);
    g_assert_cmpint(otr_group_read_mpis(buf->data, buf->len - 1, 3, ptr), ==,
                    OTR_ERR_MALFORMED);
    /* leading zero bytes accepted as libotr (gcry_mpi_scan) does */
    g_assert_cmpint(otr_group_read_mpis(lz, sizeof lz, 2, ptr), ==, OTR_OK);
    g_assert_cmpint(mpz_cmp_ui(v[0], 7), ==, 0);
    g_assert_cmpint(mpz_sgn(v[1]), ==, 0);

    /* hash: SHA-256(9 || 00000001 05 || 00000002 0100) */
    mpz_set_ui(v[0], 5);
    mpz_set_ui(v[1], 0x100);
    otr_group_hash(h, 9, v[0], v[1]);
    gcry_md_hash_buffer(GCRY_MD_SHA256, md, in, sizeof in);
    mpz_import(want, 32, 1, 1, 1, 0, md);
    g_assert_cmpint(mpz_cmp(h, want), ==, 0);
    gcry_md_hash_buffer(GCRY_MD_SHA256, md, in, 6);
    otr_group_hash(h, 9, v[0], NULL);
    mpz_import(want, 32, 1, 1, 1, 0, md);
    g_assert_cmpint(mpz_cmp(h, want), ==, 0);

    mpz_clears(v[0], v[1], v[2], h, want, NULL);
    g_byte_array_unref(buf);
}
