/* Offrec — GMP helpers shared by crypto.c and crypto-dsa.c only.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef OTR_CRYPTO_GMP_H
#define OTR_CRYPTO_GMP_H

#include <gmp.h>

#include "crypto-private.h"

/* Wipes every allocated limb, then mpz_clear(). */
void otr_mpz_wipe_clear(mpz_t z);
/* Big-endian unsigned bytes to mpz (len 0 gives zero). */
void otr_mpz_from_bytes(mpz_t z, const uint8_t *buf, size_t len);
/* Minimal big-endian bytes of z >= 0 (nothing for zero); returns the
 * length, which is otr_mpz_size_bytes(z). */
size_t otr_mpz_to_bytes(mpz_srcptr z, uint8_t *out);
/* z left-padded with zeroes to width bytes; z must fit. */
void otr_mpz_to_fixed(mpz_srcptr z, uint8_t *out, size_t width);
size_t otr_mpz_size_bytes(mpz_srcptr z);
/* The D-H modulus, converted once (thread-safe). */
mpz_srcptr otr_dh_modulus_mpz(void);

#endif
