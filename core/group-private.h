/* Offrec — arithmetic in the spec's 1536-bit MODP group, for SMP.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Modulus p = otr_dh_modulus, generator g = 2, prime order q = (p - 1) / 2.
 * Values are GMP integers. Secret exponents go through
 * otr_group_powm_sec() (mpz_powm_sec); public exponents (proof checks) go
 * through the variable-time otr_group_multi_exp(), which computes a
 * product of up to OTR_GROUP_MULTI_MAX powers in one pass over the bits.
 */
#ifndef OTR_GROUP_PRIVATE_H
#define OTR_GROUP_PRIVATE_H

#include <gmp.h>

#include "crypto-private.h"

#define OTR_GROUP_BYTES     192 /* size of p */
#define OTR_GROUP_BITS      1536
#define OTR_GROUP_MULTI_MAX 4

/* The constants, initialised on first use (thread-safe). */
mpz_srcptr otr_group_p(void);
mpz_srcptr otr_group_q(void);
mpz_srcptr otr_group_g(void);

/* mpz_init2 with room for every intermediate, so secrets are not
 * reallocated (GMP frees old buffers without wiping them). */
void otr_group_init(mpz_ptr x);
/* Overwrites every allocated limb, then mpz_clear. */
void otr_group_clear(mpz_ptr x);
/* Overwrites every allocated limb and sets x to 0; x stays usable. */
void otr_group_wipe(mpz_ptr x);

/* r = base^exp mod p in time independent of the exponent's value (for a
 * given limb length). exp >= 0, 0 <= base < p. */
void otr_group_powm_sec(mpz_ptr r, mpz_srcptr base, mpz_srcptr exp);
/* r = g^exp mod p, exp secret. */
void otr_group_gpow_sec(mpz_ptr r, mpz_srcptr exp);
/* r = prod bases[i]^exps[i] mod p, for n in 1..OTR_GROUP_MULTI_MAX.
 * Variable time: only for PUBLIC exponents (the bases may be secret).
 * exps[i] >= 0, 0 <= bases[i] < p. */
void otr_group_multi_exp(mpz_ptr r,
                         size_t n,
                         mpz_srcptr const *bases,
                         mpz_srcptr const *exps);
/* r = a * b mod p */
void otr_group_mul(mpz_ptr r, mpz_srcptr a, mpz_srcptr b);
/* r = a / b mod p. FALSE when b has no inverse (b = 0 mod p). */
gboolean otr_group_div(mpz_ptr r, mpz_srcptr a, mpz_srcptr b);
/* d = r - x * c mod q (the proofs' D values). */
void otr_group_exp_sub_mul(mpz_ptr d, mpz_srcptr r, mpz_srcptr x, mpz_srcptr c);

/* 2 <= x <= p - 2 */
gboolean otr_group_elem_valid(mpz_srcptr x);
/* 1 <= e < q */
gboolean otr_group_expon_valid(mpz_srcptr e);

/* A random 1536-bit exponent (as libotr: not reduced mod q), never 0. */
void otr_group_random_exponent(const OtrHost *h, mpz_ptr e);

/* SMP hash: SHA-256(version || MPI(a) [|| MPI(b)]) as a number; b may be
 * NULL. */
void otr_group_hash(mpz_ptr out, uint8_t version, mpz_srcptr a, mpz_srcptr b);

/* Appends count (INT) then each value as an MPI (minimal big-endian). */
void otr_group_write_mpis(GByteArray *buf, size_t n, mpz_srcptr const *v);
/* Parses count (INT) + MPIs into v[0..n-1] (initialised by the caller).
 * The count must be n, every MPI complete and at most OTR_GROUP_BYTES
 * significant bytes (leading zero bytes are accepted, as libotr does), and
 * nothing may follow: else OTR_ERR_MALFORMED. */
OtrError otr_group_read_mpis(const uint8_t *buf,
                             size_t len,
                             size_t n,
                             mpz_ptr const *v);

#endif
