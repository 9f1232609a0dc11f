/* Offrec tests — helpers shared by test-crypto.c and crypto-dsa-tests.c.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef OTR_CRYPTO_TESTS_H
#define OTR_CRYPTO_TESTS_H

#include "otr.h"

/* Hex string to bytes (g_free). */
uint8_t *unhex(const char *hex, size_t *len);
void assert_hex(const uint8_t *got, size_t len, const char *hex);
/* Must run before anything touches libgcrypt (libotr's allocation hooks). */
void crypto_tests_early_init(void);
/* Registers the DSA, key file and interop tests. */
void crypto_tests_add_dsa(void);

#endif
