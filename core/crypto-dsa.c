/* Offrec — long-term DSA keys: generation, storage, signatures.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Arithmetic is nettle's DSA on GMP. libgcrypt is used only to read and
 * write the S-expression libotr stores keys in, so that files written by
 * either implementation read back byte for byte.
 *
 * What is signed: libotr hands the 32-byte value to gcry_pk_sign as a
 * plain (non-opaque) MPI, "(%m)". libgcrypt (>= 1.6 and still in 1.10)
 * only truncates opaque hash values; a plain MPI enters the DSA equations
 * whole, so the effective message representative is the value reduced
 * modulo q, not its leftmost 160 bits. We compute h = data mod q ourselves
 * and give nettle exactly that number.
 */
#include <string.h>

#include <gcrypt.h>
#include <nettle/dsa.h>

#include "crypto-gmp.h"
#include "crypto-private.h"
#include "wire-private.h"

#define DSA_P_BITS    1024
#define DSA_Q_BITS    160
#define DSA_Q_MAX     20  /* bytes: r and s are 20 bytes on the wire */
#define DSA_PARAM_MAX 512 /* bytes: largest p, g, y we accept (4096 bits) */
#define PUBKEY_TYPE   0x0000
#define KEYGEN_STEPS  4

struct OtrPrivKey {
    struct dsa_params params; /* p, q, g */
    mpz_t y;
    mpz_t x;
    uint8_t *pub; /* PUBKEY: type, p, q, g, y */
    size_t publen;
    uint8_t fpr[OTR_FPR_LEN];
};

struct OtrPubKey {
    struct dsa_params params;
    mpz_t y;
    uint8_t fpr[OTR_FPR_LEN];
};

static void
set_err(OtrError *err, OtrError value)
{
    if (err)
        *err = value;
}

/* nettle_random_func on top of an OtrHost. */
static void
host_random(void *ctx, size_t len, uint8_t *dst)
{
    otr_host_random(ctx, dst, len);
}

/* ---- Key objects -------------------------------------------------------- */

static OtrPrivKey *
privkey_alloc(void)
{
    OtrPrivKey *key = g_new0(OtrPrivKey, 1);

    dsa_params_init(&key->params);
    mpz_init(key->y);
    mpz_init(key->x);
    return key;
}

void
otr_privkey_free(OtrPrivKey *key)
{
    if (!key)
        return;
    otr_mpz_wipe_clear(key->x);
    mpz_clear(key->y);
    dsa_params_clear(&key->params);
    g_free(key->pub);
    otr_wipe(key, sizeof *key);
    g_free(key);
}

static void
put_mpi(uint8_t **p, mpz_srcptr z)
{
    size_t n = otr_mpz_size_bytes(z);

    (*p)[0] = (uint8_t)(n >> 24);
    (*p)[1] = (uint8_t)(n >> 16);
    (*p)[2] = (uint8_t)(n >> 8);
    (*p)[3] = (uint8_t)n;
    otr_mpz_to_bytes(z, *p + 4);
    *p += 4 + n;
}

/* Serialises the PUBKEY and its fingerprint (SHA-1 of the PUBKEY minus
 * its two type bytes, as the spec and libotr do for DSA keys). */
static void
privkey_finish(OtrPrivKey *key)
{
    mpz_srcptr parts[4] = { key->params.p, key->params.q, key->params.g,
                            key->y };
    uint8_t *p;

    key->publen = 2;
    for (int i = 0; i < 4; i++)
        key->publen += 4 + otr_mpz_size_bytes(parts[i]);
    key->pub = g_malloc(key->publen);
    key->pub[0] = PUBKEY_TYPE >> 8;
    key->pub[1] = PUBKEY_TYPE & 0xff;
    p = key->pub + 2;
    for (int i = 0; i < 4; i++)
        put_mpi(&p, parts[i]);
    otr_sha1(key->pub + 2, key->publen - 2, key->fpr);
}

/* Group sanity shared by private and public keys. */
static gboolean
params_sane(const struct dsa_params *d, mpz_srcptr y)
{
    size_t qbits = mpz_sizeinbase(d->q, 2);

    return mpz_odd_p(d->p) && mpz_cmp_ui(d->p, 3) > 0 &&
           mpz_cmp_ui(d->q, 1) > 0 && qbits <= 8 * DSA_Q_MAX &&
           mpz_cmp(d->q, d->p) < 0 && mpz_cmp_ui(d->g, 1) > 0 &&
           mpz_cmp(d->g, d->p) < 0 && mpz_cmp_ui(y, 1) > 0 &&
           mpz_cmp(y, d->p) < 0 && otr_mpz_size_bytes(d->p) <= DSA_PARAM_MAX;
}

/* 0 < x < q and y = g^x mod p. */
static gboolean
privkey_consistent(const OtrPrivKey *key)
{
    mpz_t t;
    gboolean ok;

    if (!params_sane(&key->params, key->y) || mpz_sgn(key->x) <= 0 ||
        mpz_cmp(key->x, key->params.q) >= 0)
        return FALSE;
    mpz_init(t);
    mpz_powm_sec(t, key->params.g, key->x, key->params.p);
    ok = mpz_cmp(t, key->y) == 0;
    mpz_clear(t);
    return ok;
}

OtrPrivKey *
otr_privkey_copy(const OtrPrivKey *key)
{
    OtrPrivKey *copy;

    g_return_val_if_fail(key, NULL);
    copy = privkey_alloc();
    mpz_set(copy->params.p, key->params.p);
    mpz_set(copy->params.q, key->params.q);
    mpz_set(copy->params.g, key->params.g);
    mpz_set(copy->y, key->y);
    mpz_set(copy->x, key->x);
    copy->pub = g_memdup2(key->pub, key->publen);
    copy->publen = key->publen;
    memcpy(copy->fpr, key->fpr, OTR_FPR_LEN);
    return copy;
}

void
otr_privkey_fingerprint(const OtrPrivKey *key, uint8_t fpr[OTR_FPR_LEN])
{
    g_return_if_fail(key);
    memcpy(fpr, key->fpr, OTR_FPR_LEN);
}

const uint8_t *
otr_privkey_pubkey(const OtrPrivKey *key, size_t *len)
{
    g_return_val_if_fail(key && len, NULL);
    *len = key->publen;
    return key->pub;
}

void
otr_fingerprint_human(const uint8_t fpr[OTR_FPR_LEN],
                      char out[OTR_FPR_HUMAN_LEN])
{
    static const char hex[] = "0123456789ABCDEF";
    char *p = out;

    for (int i = 0; i < OTR_FPR_LEN; i++) {
        if (i > 0 && i % 4 == 0)
            *p++ = ' ';
        *p++ = hex[fpr[i] >> 4];
        *p++ = hex[fpr[i] & 0x0f];
    }
    *p = '\0';
}

void
otr_fingerprint_hex(const uint8_t fpr[OTR_FPR_LEN], char out[41])
{
    static const char hex[] = "0123456789abcdef";

    for (int i = 0; i < OTR_FPR_LEN; i++) {
        out[2 * i] = hex[fpr[i] >> 4];
        out[2 * i + 1] = hex[fpr[i] & 0x0f];
    }
    out[40] = '\0';
}

/* ---- Generation --------------------------------------------------------- */

typedef struct {
    OtrProgressFunc func;
    void *user;
    const volatile gint *cancel;
    gboolean cancelled;
    int step;
} Keygen;

static gboolean
keygen_cancelled(Keygen *kg)
{
    if (!kg->cancelled && kg->cancel && g_atomic_int_get(kg->cancel))
        kg->cancelled = TRUE;
    return kg->cancelled;
}

static void
keygen_report(Keygen *kg, int step)
{
    if (step > kg->step)
        kg->step = step;
    if (kg->func && !kg->cancelled)
        kg->func(kg->user, kg->step, KEYGEN_STEPS);
}

/* nettle's progress: 'q' (q and p0 found), 'p', 'g'; other characters are
 * heartbeats during the prime searches. Polls cancel on every call; nettle
 * itself cannot be interrupted, so a cancelled run is discarded as soon as
 * the current step returns. */
static void
keygen_progress(void *ctx, int c)
{
    Keygen *kg = ctx;
    int step = kg->step;

    if (keygen_cancelled(kg))
        return;
    if (c == 'q')
        step = 1;
    else if (c == 'p')
        step = 2;
    else if (c == 'g')
        step = 3;
    keygen_report(kg, step);
}

OtrPrivKey *
otr_privkey_generate(const OtrHostOps *ops,
                     void *user,
                     OtrProgressFunc progress,
                     void *progress_user,
                     const volatile gint *cancel,
                     OtrError *err)
{
    OtrHost host = { ops, user };
    Keygen kg = { progress, progress_user, cancel, FALSE, 0 };
    OtrPrivKey *key = NULL;
    OtrError e = OTR_ERR_CANCELLED;

    set_err(err, OTR_ERR_INVALID);
    g_return_val_if_fail(ops && ops->random, NULL);
    if (keygen_cancelled(&kg))
        goto out;
    keygen_report(&kg, 0);
    key = privkey_alloc();
    if (!dsa_generate_params(&key->params, &host, host_random, &kg,
                             keygen_progress, DSA_P_BITS, DSA_Q_BITS)) {
        e = OTR_ERR_CRYPTO;
        goto out;
    }
    if (keygen_cancelled(&kg))
        goto out;
    dsa_generate_keypair(&key->params, key->y, key->x, &host, host_random);
    if (keygen_cancelled(&kg))
        goto out;
    privkey_finish(key);
    keygen_report(&kg, KEYGEN_STEPS);
    e = OTR_OK;

out:
    if (e != OTR_OK) {
        otr_privkey_free(key);
        key = NULL;
    }
    set_err(err, e);
    return key;
}

/* ---- S-expressions ------------------------------------------------------ */

/* Reads the value of "(name value)" inside list into z. */
static gboolean
sexp_get(gcry_sexp_t list, const char *name, mpz_t z)
{
    gcry_sexp_t item = gcry_sexp_find_token(list, name, 0);
    const char *data;
    size_t n = 0;

    if (!item)
        return FALSE;
    data = gcry_sexp_nth_data(item, 1, &n);
    if (data && n > 0)
        otr_mpz_from_bytes(z, (const uint8_t *)data, n);
    gcry_sexp_release(item);
    return data && n > 0;
}

OtrPrivKey *
otr_privkey_from_sexp(const char *sexp, size_t len, OtrError *err)
{
    gcry_sexp_t all = NULL, priv = NULL, dsa = NULL;
    OtrPrivKey *key = NULL;
    OtrError e = OTR_ERR_MALFORMED;

    set_err(err, OTR_ERR_INVALID);
    g_return_val_if_fail(sexp, NULL);
    if (!otr_init()) {
        e = OTR_ERR_CRYPTO;
        goto out;
    }
    if (gcry_sexp_sscan(&all, NULL, sexp, len) != 0)
        goto out;
    priv = gcry_sexp_find_token(all, "private-key", 0);
    dsa = priv ? gcry_sexp_find_token(priv, "dsa", 0) : NULL;
    if (!dsa)
        goto out;
    key = privkey_alloc();
    if (!sexp_get(dsa, "p", key->params.p) ||
        !sexp_get(dsa, "q", key->params.q) ||
        !sexp_get(dsa, "g", key->params.g) || !sexp_get(dsa, "y", key->y) ||
        !sexp_get(dsa, "x", key->x))
        goto out;
    if (!privkey_consistent(key)) {
        e = OTR_ERR_BAD_VALUE;
        goto out;
    }
    privkey_finish(key);
    e = OTR_OK;

out:
    gcry_sexp_release(dsa);
    gcry_sexp_release(priv);
    gcry_sexp_release(all);
    if (e != OTR_OK) {
        otr_privkey_free(key);
        key = NULL;
    }
    set_err(err, e);
    return key;
}

/* z as a libgcrypt MPI; secret values go through secure memory, which
 * gcry_mpi_scan keeps using for the MPI. */
static gcry_mpi_t
to_gcry(mpz_srcptr z, gboolean secret)
{
    size_t n = otr_mpz_size_bytes(z);
    uint8_t *buf = secret ? gcry_malloc_secure(n + 1) : g_malloc(n + 1);
    gcry_mpi_t m = NULL;

    if (!buf)
        return NULL;
    otr_mpz_to_bytes(z, buf);
    if (gcry_mpi_scan(&m, GCRYMPI_FMT_USG, buf, n, NULL) != 0)
        m = NULL;
    otr_wipe(buf, n);
    if (secret)
        gcry_free(buf);
    else
        g_free(buf);
    return m;
}

char *
otr_privkey_to_sexp(const OtrPrivKey *key)
{
    gcry_mpi_t m[5] = { NULL };
    gcry_sexp_t sexp = NULL;
    char *out = NULL;
    size_t n;

    g_return_val_if_fail(key, NULL);
    if (!otr_init())
        goto out;
    m[0] = to_gcry(key->params.p, FALSE);
    m[1] = to_gcry(key->params.q, FALSE);
    m[2] = to_gcry(key->params.g, FALSE);
    m[3] = to_gcry(key->y, FALSE);
    m[4] = to_gcry(key->x, TRUE);
    for (int i = 0; i < 5; i++) {
        if (!m[i])
            goto out;
    }
    /* The shape gcry_pk_genkey gives libotr, printed the way libotr
     * prints it. */
    if (gcry_sexp_build(&sexp, NULL,
                        "(private-key (dsa (p %m)(q %m)(g %m)(y %m)(x %m)))",
                        m[0], m[1], m[2], m[3], m[4]) != 0)
        goto out;
    n = gcry_sexp_sprint(sexp, GCRYSEXP_FMT_ADVANCED, NULL, 0);
    out = g_malloc0(n + 1);
    gcry_sexp_sprint(sexp, GCRYSEXP_FMT_ADVANCED, out, n);

out:
    gcry_sexp_release(sexp);
    for (int i = 0; i < 5; i++)
        gcry_mpi_release(m[i]);
    return out;
}

/* ---- Signatures --------------------------------------------------------- */

/* The message representative libgcrypt uses for libotr's "(%m)" input:
 * data as an unsigned integer mod q. It is handed to nettle as a digest
 * of exactly ceil(qbits / 8) bytes, pre-shifted so that nettle's own
 * truncation to qbits gives the number back unchanged. */
static size_t
dsa_digest(mpz_srcptr q, const uint8_t *data, size_t len, uint8_t out[20])
{
    size_t qbits = mpz_sizeinbase(q, 2);
    size_t n = (qbits + 7) / 8;
    mpz_t h;

    mpz_init(h);
    otr_mpz_from_bytes(h, data, len);
    mpz_mod(h, h, q);
    mpz_mul_2exp(h, h, 8 * n - qbits);
    otr_mpz_to_fixed(h, out, n);
    mpz_clear(h);
    return n;
}

OtrError
otr_dsa_sign(const OtrPrivKey *key,
             const OtrHost *h,
             const uint8_t *data,
             size_t len,
             uint8_t sig[OTR_DSA_SIG_LEN])
{
    struct dsa_signature s;
    uint8_t digest[DSA_Q_MAX];
    size_t n;
    OtrError e = OTR_ERR_CRYPTO;

    g_return_val_if_fail(key && h && sig && (data || len == 0),
                         OTR_ERR_INVALID);
    n = dsa_digest(key->params.q, data, len, digest);
    dsa_signature_init(&s);
    if (!dsa_sign(&key->params, key->x, (void *)h, host_random, n, digest, &s))
        goto out;
    otr_mpz_to_fixed(s.r, sig, DSA_Q_MAX);
    otr_mpz_to_fixed(s.s, sig + DSA_Q_MAX, DSA_Q_MAX);
    e = OTR_OK;

out:
    dsa_signature_clear(&s);
    otr_wipe(digest, sizeof digest);
    return e;
}

OtrPubKey *
otr_pubkey_parse(const uint8_t *buf, size_t len, size_t *used, OtrError *err)
{
    OtrReader r;
    const uint8_t *p, *q, *g, *y;
    size_t plen, qlen, glen, ylen;
    guint16 type;
    OtrPubKey *pub = NULL;
    OtrError e = OTR_ERR_MALFORMED;

    if (len > 0 && !buf)
        goto out;
    otr_reader_init(&r, buf, len);
    type = otr_read_short(&r);
    p = otr_read_mpi(&r, DSA_PARAM_MAX, &plen);
    q = otr_read_mpi(&r, DSA_Q_MAX, &qlen);
    g = otr_read_mpi(&r, DSA_PARAM_MAX, &glen);
    y = otr_read_mpi(&r, DSA_PARAM_MAX, &ylen);
    if (!otr_reader_ok(&r) || type != PUBKEY_TYPE)
        goto out;
    pub = g_new0(OtrPubKey, 1);
    dsa_params_init(&pub->params);
    mpz_init(pub->y);
    otr_mpz_from_bytes(pub->params.p, p, plen);
    otr_mpz_from_bytes(pub->params.q, q, qlen);
    otr_mpz_from_bytes(pub->params.g, g, glen);
    otr_mpz_from_bytes(pub->y, y, ylen);
    if (!params_sane(&pub->params, pub->y)) {
        e = OTR_ERR_BAD_VALUE;
        goto out;
    }
    otr_sha1(buf + 2, r.pos - 2, pub->fpr);
    if (used)
        *used = r.pos;
    e = OTR_OK;

out:
    if (e != OTR_OK) {
        otr_pubkey_free(pub);
        pub = NULL;
    }
    set_err(err, e);
    return pub;
}

void
otr_pubkey_free(OtrPubKey *pub)
{
    if (!pub)
        return;
    mpz_clear(pub->y);
    dsa_params_clear(&pub->params);
    g_free(pub);
}

gboolean
otr_pubkey_verify(const OtrPubKey *pub,
                  const uint8_t *data,
                  size_t len,
                  const uint8_t sig[OTR_DSA_SIG_LEN])
{
    struct dsa_signature s;
    uint8_t digest[DSA_Q_MAX];
    size_t n;
    gboolean ok;

    g_return_val_if_fail(pub && sig && (data || len == 0), FALSE);
    n = dsa_digest(pub->params.q, data, len, digest);
    dsa_signature_init(&s);
    otr_mpz_from_bytes(s.r, sig, DSA_Q_MAX);
    otr_mpz_from_bytes(s.s, sig + DSA_Q_MAX, DSA_Q_MAX);
    /* nettle rejects r or s outside ]0, q[. */
    ok = dsa_verify(&pub->params, pub->y, n, digest, &s) == 1;
    dsa_signature_clear(&s);
    return ok;
}

void
otr_pubkey_fingerprint(const OtrPubKey *pub, uint8_t fpr[OTR_FPR_LEN])
{
    g_return_if_fail(pub);
    memcpy(fpr, pub->fpr, OTR_FPR_LEN);
}
