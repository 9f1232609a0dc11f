/* Offrec — passphrase-sealed private keys (scrypt + ChaCha20-Poly1305).
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The file format is documented in store-pass.h.
 */
#include "store-pass.h"

#include <stdlib.h>
#include <string.h>

#include <gcrypt.h>

#include "crypto-private.h"
#include "store-private.h"

#define SALT_LEN  16
#define NONCE_LEN 12
#define TAG_LEN   16
#define KEY_LEN   32
#define SCRYPT_R  8
#define HEADER    "# Offrec sealed private keys v1\n"

typedef struct {
    guint log2n, r, p;
    guint8 salt[SALT_LEN];
    guint8 nonce[NONCE_LEN];
    guint8 *ct; /* ciphertext || tag */
    gsize ctlen;
} Sealed;

static gboolean
kdf(const char *pass, const Sealed *s, guint8 key[KEY_LEN])
{
    return gcry_kdf_derive(pass, strlen(pass), GCRY_KDF_SCRYPT, 1 << s->log2n,
                           s->salt, SALT_LEN, s->p, KEY_LEN, key) == 0;
}

static char *
aad_of(const OtrStoreId *id, const Sealed *s)
{
    return g_strdup_printf("offrec-sealed-key-v1\n%s\t%s\t%u\t%u\t%u",
                           id->account, id->protocol, s->log2n, s->r, s->p);
}

/* Encrypts (enc) or decrypts and checks the tag; in and out: len bytes,
 * tag separate. */
static gboolean
aead(gboolean enc,
     const guint8 key[KEY_LEN],
     const Sealed *s,
     const char *aad,
     const guint8 *in,
     guint8 *out,
     gsize len,
     guint8 tag[TAG_LEN])
{
    gcry_cipher_hd_t h = NULL;
    gboolean ok = FALSE;

    if (gcry_cipher_open(&h, GCRY_CIPHER_CHACHA20, GCRY_CIPHER_MODE_POLY1305,
                         GCRY_CIPHER_SECURE) != 0)
        return FALSE;
    if (gcry_cipher_setkey(h, key, KEY_LEN) != 0 ||
        gcry_cipher_setiv(h, s->nonce, NONCE_LEN) != 0 ||
        gcry_cipher_authenticate(h, aad, strlen(aad)) != 0)
        goto out;
    if (enc) {
        ok = gcry_cipher_encrypt(h, out, len, in, len) == 0 &&
             gcry_cipher_gettag(h, tag, TAG_LEN) == 0;
    } else {
        ok = gcry_cipher_decrypt(h, out, len, in, len) == 0 &&
             gcry_cipher_checktag(h, tag, TAG_LEN) == 0;
    }
out:
    gcry_cipher_close(h);
    return ok;
}

static char *
sealed_line(const OtrStoreId *id, const Sealed *s)
{
    char *salt = g_base64_encode(s->salt, SALT_LEN);
    char *nonce = g_base64_encode(s->nonce, NONCE_LEN);
    char *ct = g_base64_encode(s->ct, s->ctlen);
    char *line = g_strdup_printf("%s\t%s\tscrypt\t%u\t%u\t%u\t%s\tchacha20-"
                                 "poly1305\t%s\t%s",
                                 id->account, id->protocol, s->log2n, s->r,
                                 s->p, salt, nonce, ct);

    g_free(salt);
    g_free(nonce);
    g_free(ct);
    return line;
}

static gboolean
parse_uint(const char *s, guint lo, guint hi, guint *out)
{
    char *end;
    guint64 v;

    if (!g_ascii_isdigit(s[0]))
        return FALSE;
    v = g_ascii_strtoull(s, &end, 10);
    if (*end || v < lo || v > hi)
        return FALSE;
    *out = (guint)v;
    return TRUE;
}

static gboolean
parse_b64(const char *s, guint8 *out, gsize want)
{
    gsize n = 0;
    guint8 *d;

    if (!*s)
        return FALSE;
    d = g_base64_decode(s, &n);
    if (n != want) {
        g_free(d);
        return FALSE;
    }
    memcpy(out, d, n);
    g_free(d);
    return TRUE;
}

/* Splits a sealed line (without LF); fills id (pointing into a copy the
 * caller frees via *buf) and s (s->ct: g_free). */
static const char *
parse_line(const char *line, char **buf, OtrStoreId *id, Sealed *s)
{
    char **f;
    const char *why = NULL;

    memset(s, 0, sizeof *s);
    *buf = NULL;
    f = g_strsplit(line, "\t", 0);
    if (g_strv_length(f) != 10) {
        why = "expected 10 TAB-separated fields";
    } else if (!otr_store_name_valid(f[0]) || !otr_store_name_valid(f[1])) {
        why = "empty account or protocol";
    } else if (strcmp(f[2], "scrypt") != 0 ||
               strcmp(f[7], "chacha20-poly1305") != 0) {
        why = "unknown KDF or cipher";
    } else if (!parse_uint(f[3], 10, 20, &s->log2n) ||
               !parse_uint(f[4], SCRYPT_R, SCRYPT_R, &s->r) ||
               !parse_uint(f[5], 1, 16, &s->p)) {
        why = "scrypt parameters out of range";
    } else if (!parse_b64(f[6], s->salt, SALT_LEN) ||
               !parse_b64(f[8], s->nonce, NONCE_LEN)) {
        why = "bad salt or nonce";
    } else {
        s->ct = g_base64_decode(f[9], &s->ctlen);
        if (s->ctlen <= TAG_LEN || s->ctlen > 64 * 1024)
            why = "bad ciphertext";
    }
    if (!why) {
        *buf = g_strconcat(f[0], "\n", f[1], NULL);
        id->account = *buf;
        id->protocol = strchr(*buf, '\n');
        *id->protocol++ = '\0';
        id->buddy = NULL;
    } else {
        g_clear_pointer(&s->ct, g_free);
    }
    g_strfreev(f);
    return why;
}

gboolean
otr_store_key_protect(OtrStore *store,
                      const char *account,
                      const char *protocol,
                      const char *passphrase,
                      guint log2n,
                      GError **error)
{
    OtrStoreKey *k;
    Sealed s = { 0 };
    guint8 key[KEY_LEN];
    char *aad = NULL;
    gsize len;
    gboolean ok = FALSE;

    g_return_val_if_fail(store && passphrase, FALSE);
    k = otr_store_key_entry(store, account, protocol);
    if (!k || !k->sexp) {
        g_set_error(error, OTR_STORE_ERROR,
                    k ? OTR_STORE_ERROR_LOCKED : OTR_STORE_ERROR_INVALID,
                    k ? "The key is locked" : "No such key");
        return FALSE;
    }
    if (!*passphrase || (log2n && (log2n < 10 || log2n > 20))) {
        g_set_error(error, OTR_STORE_ERROR, OTR_STORE_ERROR_INVALID,
                    "Empty passphrase or bad scrypt cost");
        return FALSE;
    }
    s.log2n = log2n ? log2n : OTR_STORE_SCRYPT_LOG2N;
    s.r = SCRYPT_R;
    s.p = OTR_STORE_SCRYPT_P;
    gcry_randomize(s.salt, SALT_LEN, GCRY_STRONG_RANDOM);
    gcry_create_nonce(s.nonce, NONCE_LEN);
    len = strlen(k->sexp);
    s.ctlen = len + TAG_LEN;
    s.ct = g_malloc(s.ctlen);
    aad = aad_of(&k->id, &s);
    if (!kdf(passphrase, &s, key) ||
        !aead(TRUE, key, &s, aad, (const guint8 *)k->sexp, s.ct, len,
              s.ct + len)) {
        g_set_error(error, OTR_STORE_ERROR, OTR_STORE_ERROR_CRYPTO,
                    "Cannot seal the key of %s (%s)", account, protocol);
        goto out;
    }
    g_free(k->sealed);
    k->sealed = sealed_line(&k->id, &s);
    ok = TRUE;
out:
    otr_wipe(key, sizeof key);
    g_free(aad);
    g_free(s.ct);
    return ok;
}

gboolean
otr_store_key_unprotect(OtrStore *store,
                        const char *account,
                        const char *protocol,
                        GError **error)
{
    OtrStoreKey *k;

    g_return_val_if_fail(store, FALSE);
    k = otr_store_key_entry(store, account, protocol);
    if (!k || !k->sexp) {
        g_set_error(error, OTR_STORE_ERROR,
                    k ? OTR_STORE_ERROR_LOCKED : OTR_STORE_ERROR_INVALID,
                    k ? "The key is locked" : "No such key");
        return FALSE;
    }
    g_clear_pointer(&k->sealed, g_free);
    return TRUE;
}

gboolean
otr_store_key_unlock(OtrStore *store,
                     const char *account,
                     const char *protocol,
                     const char *passphrase,
                     GError **error)
{
    OtrStoreKey *k;
    OtrStoreId id;
    Sealed s;
    char *buf = NULL, *aad = NULL, *text = NULL, *norm = NULL;
    guint8 key[KEY_LEN];
    gsize len;
    OtrPrivKey *pk = NULL;
    OtrError err = OTR_OK;
    gboolean ok = FALSE;

    g_return_val_if_fail(store && passphrase, FALSE);
    k = otr_store_key_entry(store, account, protocol);
    if (!k || !k->sealed) {
        g_set_error(error, OTR_STORE_ERROR, OTR_STORE_ERROR_INVALID,
                    "%s (%s) has no protected key", account, protocol);
        return FALSE;
    }
    if (k->key)
        return TRUE;
    if (parse_line(k->sealed, &buf, &id, &s)) {
        g_set_error(error, OTR_STORE_ERROR, OTR_STORE_ERROR_MALFORMED,
                    "Damaged sealed key");
        return FALSE;
    }
    aad = aad_of(&id, &s);
    len = s.ctlen - TAG_LEN;
    text = g_malloc0(len + 1);
    if (!kdf(passphrase, &s, key) ||
        !aead(FALSE, key, &s, aad, s.ct, (guint8 *)text, len, s.ct + len)) {
        g_set_error(error, OTR_STORE_ERROR, OTR_STORE_ERROR_PASSPHRASE,
                    "Wrong passphrase for the key of %s (%s)", account,
                    protocol);
        goto out;
    }
    norm = memchr(text, '\0', len) ? NULL : otr_store_privkey_text(text, len);
    if (norm)
        pk = otr_privkey_from_sexp(norm, strlen(norm), &err);
    if (!pk) {
        g_set_error(error, OTR_STORE_ERROR, OTR_STORE_ERROR_MALFORMED,
                    "The sealed key of %s (%s) is not a DSA key", account,
                    protocol);
        goto out;
    }
    k->key = pk;
    k->sexp = g_steal_pointer(&norm);
    ok = TRUE;
out:
    otr_wipe(key, sizeof key);
    otr_wipe(text, len);
    g_free(text);
    if (norm) {
        otr_wipe(norm, strlen(norm));
        g_free(norm);
    }
    g_free(aad);
    g_free(buf);
    g_free(s.ct);
    return ok;
}

void
otr_store_key_lock(OtrStore *store, const char *account, const char *protocol)
{
    OtrStoreKey *k;

    g_return_if_fail(store);
    k = otr_store_key_entry(store, account, protocol);
    if (!k || !k->sealed)
        return;
    otr_privkey_free(k->key);
    k->key = NULL;
    if (k->sexp) {
        otr_wipe(k->sexp, strlen(k->sexp));
        g_clear_pointer(&k->sexp, g_free);
    }
}

gboolean
otr_store_key_is_protected(const OtrStore *store,
                           const char *account,
                           const char *protocol)
{
    OtrStoreKey *k = otr_store_key_entry(store, account, protocol);

    return k && k->sealed;
}

gboolean
otr_store_key_is_locked(const OtrStore *store,
                        const char *account,
                        const char *protocol)
{
    OtrStoreKey *k = otr_store_key_entry(store, account, protocol);

    return k && k->sealed && !k->key;
}

static void
parse_sealed(OtrStore *store, char *line, guint no, OtrStoreErrs *errs)
{
    OtrStoreId id;
    Sealed s;
    char *buf;
    const char *why = parse_line(line, &buf, &id, &s);
    OtrStoreKey *k;

    if (why) {
        otr_store_errs_add(errs, no, "%s", why);
        return;
    }
    /* A plain key of the same account (a crash between the two saves)
     * becomes protected; otherwise the key stays locked. */
    k = otr_store_key_entry_ensure(store, id.account, id.protocol);
    g_free(k->sealed);
    k->sealed = g_strdup(line);
    g_free(buf);
    g_free(s.ct);
}

gboolean
otr_store_sealed_parse(OtrStore *store,
                       const char *data,
                       gsize len,
                       const char *name,
                       GError **error)
{
    OtrStoreErrs errs = { name, 0, NULL };
    const char *nul;

    g_return_val_if_fail(store && (data || len == 0), FALSE);
    /* A NUL byte ends the file: reported once, what follows is dropped. */
    nul = len ? memchr(data, '\0', len) : NULL;
    if (nul) {
        otr_store_errs_add(&errs, 1, "NUL byte in file");
        len = (gsize)(nul - data);
    }
    otr_store_parse_lines(store, data, len, TRUE, parse_sealed, &errs);
    return otr_store_errs_finish(&errs, error);
}

gboolean
otr_store_sealed_load(OtrStore *store, const char *path, GError **error)
{
    g_return_val_if_fail(store && path, FALSE);
    return otr_store_load_file(store, path, otr_store_sealed_parse, FALSE,
                               error);
}

char *
otr_store_sealed_serialize(const OtrStore *store, gsize *len)
{
    GString *s = g_string_new(HEADER);

    for (GList *l = store->key_order.head; l; l = l->next) {
        OtrStoreKey *k = l->data;
        if (k->sealed) {
            g_string_append(s, k->sealed);
            g_string_append_c(s, '\n');
        }
    }
    if (len)
        *len = s->len;
    return g_string_free(s, FALSE);
}

gboolean
otr_store_sealed_save(const OtrStore *store, const char *path, GError **error)
{
    g_return_val_if_fail(store && path, FALSE);
    return otr_store_save_file(store, path, otr_store_sealed_serialize, FALSE,
                               error);
}

gboolean
otr_store_keys_export(const OtrStore *store, const char *path, GError **error)
{
    gsize len;
    char *data;

    g_return_val_if_fail(store && path, FALSE);
    for (GList *l = store->key_order.head; l; l = l->next) {
        OtrStoreKey *k = l->data;
        if (!k->sexp) {
            g_set_error(error, OTR_STORE_ERROR, OTR_STORE_ERROR_LOCKED,
                        "The key of %s (%s) is locked: unlock it first",
                        k->id.account, k->id.protocol);
            return FALSE;
        }
    }
    data = otr_store_keys_serialize_all(store, TRUE, &len);
    return otr_store_write_owned(path, data, len, TRUE, error);
}
