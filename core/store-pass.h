/* Offrec — passphrase protection of private keys (sealed-key file).
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Passphrase-protected keys
 * =========================
 *
 * libotr's private-key file has no encryption. Offrec can keep any key
 * sealed under a passphrase instead, in a second file beside the libotr
 * one (suggested name: the key file's name + ".sealed", e.g.
 * "otr.private_key.sealed"). A protected key is left out of the libotr
 * file; otr_store_keys_export() writes a plain libotr file again on
 * request, so the key can go back to any libotr client.
 *
 * File format (version 1). UTF-8 text, one key per line, fields separated
 * by one TAB, lines ending in LF; empty lines and lines starting with '#'
 * are ignored (the writer emits one "# Offrec sealed private keys v1"
 * line first):
 *
 *   account TAB protocol TAB "scrypt" TAB log2N TAB r TAB p TAB salt
 *           TAB "chacha20-poly1305" TAB nonce TAB ciphertext LF
 *
 *   account, protocol  as in the libotr file (no TAB, CR or LF);
 *   log2N, r, p        scrypt parameters in decimal: N = 2^log2N with
 *                      10 <= log2N <= 20, r = 8 (libgcrypt's fixed block
 *                      size), 1 <= p <= 16;
 *   salt               16 random bytes, standard base64 with padding;
 *   nonce              12 random bytes, base64;
 *   ciphertext         base64 of the ChaCha20-Poly1305 (RFC 8439)
 *                      encryption of the plaintext followed by its 16-byte
 *                      tag.
 *
 *   key        = scrypt(passphrase (UTF-8 bytes), salt, N, r, p), 32 bytes
 *   AAD        = "offrec-sealed-key-v1\n" account TAB protocol TAB log2N
 *                TAB r TAB p  (the same decimal text as in the line), so a
 *                line cannot be moved to another account or have its cost
 *                lowered without the tag failing;
 *   plaintext  = the key's "(private-key (dsa (p ..)(q ..)(g ..)(y ..)
 *                (x ..)))" S-expression exactly as the libotr file would
 *                hold it (libgcrypt advanced form).
 *
 * A wrong passphrase and a modified line are both reported as
 * OTR_STORE_ERROR_PASSPHRASE. Every protect draws a fresh salt and nonce.
 *
 * Saving order: save the sealed file first, then the libotr file (which
 * then drops the plain copy); a crash in between leaves the key in both,
 * and loading both attaches the sealed line to the plain key.
 */
#ifndef OTR_STORE_PASS_H
#define OTR_STORE_PASS_H

#include "store.h"

G_BEGIN_DECLS

#define OTR_STORE_SCRYPT_LOG2N 15 /* 32 MiB with r = 8 */
#define OTR_STORE_SCRYPT_P     1

/* Seals the account's (unlocked) key under passphrase. log2n: 0 for
 * OTR_STORE_SCRYPT_LOG2N, else 10..20. */
gboolean otr_store_key_protect(OtrStore *store,
                               const char *account,
                               const char *protocol,
                               const char *passphrase,
                               guint log2n,
                               GError **error);
/* Drops the protection of an unlocked key: it is written to the libotr
 * file again. */
gboolean otr_store_key_unprotect(OtrStore *store,
                                 const char *account,
                                 const char *protocol,
                                 GError **error);
/* Decrypts a locked key; then otr_store_key_lookup() returns it. */
gboolean otr_store_key_unlock(OtrStore *store,
                              const char *account,
                              const char *protocol,
                              const char *passphrase,
                              GError **error);
/* Forgets the plain copy of a protected key (wiped). */
void otr_store_key_lock(OtrStore *store,
                        const char *account,
                        const char *protocol);
gboolean otr_store_key_is_protected(const OtrStore *store,
                                    const char *account,
                                    const char *protocol);
gboolean otr_store_key_is_locked(const OtrStore *store,
                                 const char *account,
                                 const char *protocol);

gboolean otr_store_sealed_load(OtrStore *store,
                               const char *path,
                               GError **error);
gboolean otr_store_sealed_parse(OtrStore *store,
                                const char *data,
                                gsize len,
                                const char *name,
                                GError **error);
char *otr_store_sealed_serialize(const OtrStore *store, gsize *len);
gboolean otr_store_sealed_save(const OtrStore *store,
                               const char *path,
                               GError **error);

/* A plain libotr private-key file with every key, protected ones included;
 * fails with OTR_STORE_ERROR_LOCKED (writing nothing) while one is
 * locked. */
gboolean otr_store_keys_export(const OtrStore *store,
                               const char *path,
                               GError **error);

G_END_DECLS

#endif /* OTR_STORE_PASS_H */
