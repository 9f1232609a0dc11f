/* Offrec tests — DSA keys: generation, key files, signatures, interop with
 * libgcrypt (as libotr drives it) and, when available, libotr itself.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <string.h>
#include <unistd.h>

#include <gcrypt.h>
#include <glib/gstdio.h>

#include "crypto-private.h"
#include "crypto-tests.h"
#include "testutil.h"
#include "wire-private.h"

#ifdef OTR_TEST_HAVE_LIBOTR
#include <libotr/privkey.h>
#include <libotr/proto.h>
#endif

/* A key file entry written by libotr 4.1.1 (otrl_privkey_generate). */
static const char libotr_file[] =
    "(privkeys\n"
    " (account\n"
    "(name \"alice@example.org\")\n"
    "(protocol prpl-jabber)\n"
    "(private-key \n"
    " (dsa \n"
    "  (p #00D34A096A0DBE38A372C180E8F2F52015D64B7564B9041AC5E3948641"
    "803D84A0853E537F7D2DAA26625FB873330751A37876E33CBC8369A3DA75DB6C"
    "E83F65778AF360F9F979591AFAB97F7C92FF05603B9BCD9569D136EA70D61131"
    "420CF3217633ADB86DBBD9B8F0982860FDAED33ABE134ADC1D9677B98184E7E8"
    "82459353#)\n"
    "  (q #00FC6A081F743DD0FA7517B3F2967400F1D1EE6E1B#)\n"
    "  (g #18F04BCF7A2655D5E7A39159074D2511CC02E3A8A9D32E60FD60BE47D4"
    "3507206BBF400D839C674861766E371805FC0B179B593CAED74C012A0E0D7BB1"
    "AC5B592A3E3B6F709729565903309319CBCFC0DB35EDEA165DEBC8F91A360167"
    "93827D9C236D224A61E1D42F1B5755D92F1FD96E5D41CA142B4E4C1B07D3298F"
    "7D35F1#)\n"
    "  (y #00949BAA2029AED5C85DB4D2CEB1FC0F05C617845E744B750289D01575"
    "375C1D41F853F165ED8185E497153EE8CE8D22BC9E6B186F6AEAFEFBFF6A2D65"
    "B963849E5DB3C269CE1E7DE6873E2A74EC5CDDC414F11B82141C2AE8F58F4D37"
    "EDED7E3D31676B53ED303BE866C4057CDF81F6AFE3F9D6F3429248361B405830"
    "E2A39152#)\n"
    "  (x #00D2BD479022DFCD36AFFD72FA3151DA81CD6BD3FC#)\n"
    "  )\n"
    " )\n"
    " )\n"
    ")\n";
/* otrl_privkey_fingerprint() of that key, as libotr 4.1.1 printed it. */
static const char libotr_file_fpr[] =
    "15F811EF A21ED30B 826349A8 1DF878C2 4DAE1527";

/* The "(private-key ...)" text of a libotr key file with one account. */
static char *
inner_key_text(const char *file)
{
    const char *start = strstr(file, "(private-key");
    const char *tail = " )\n)\n";

    g_assert_nonnull(start);
    g_assert_true(g_str_has_suffix(file, tail));
    return g_strndup(start, strlen(start) - strlen(tail));
}

static void
assert_fpr_human(const OtrPrivKey *key, const char *want)
{
    uint8_t fpr[OTR_FPR_LEN];
    char human[OTR_FPR_HUMAN_LEN];

    otr_privkey_fingerprint(key, fpr);
    otr_fingerprint_human(fpr, human);
    g_assert_cmpstr(human, ==, want);
}

static void
test_sexp_libotr_entry(void)
{
    OtrError err = OTR_ERR_INVALID;
    OtrPrivKey *key =
        otr_privkey_from_sexp(libotr_file, strlen(libotr_file), &err);
    char *inner = inner_key_text(libotr_file), *ours;

    g_assert_cmpint(err, ==, OTR_OK);
    g_assert_nonnull(key);
    assert_fpr_human(key, libotr_file_fpr);
    /* Written back exactly as libotr wrote it. */
    ours = otr_privkey_to_sexp(key);
    g_assert_cmpstr(ours, ==, inner);
    g_free(ours);
    otr_privkey_free(key);
    /* The inner key alone parses too. */
    key = otr_privkey_from_sexp(inner, strlen(inner), &err);
    g_assert_cmpint(err, ==, OTR_OK);
    assert_fpr_human(key, libotr_file_fpr);
    otr_privkey_free(key);
    g_free(inner);
}

static void
assert_same_key(const OtrPrivKey *a, const OtrPrivKey *b)
{
    uint8_t fa[OTR_FPR_LEN], fb[OTR_FPR_LEN];
    size_t la, lb;
    const uint8_t *pa = otr_privkey_pubkey(a, &la);
    const uint8_t *pb = otr_privkey_pubkey(b, &lb);
    char *sa = otr_privkey_to_sexp(a), *sb = otr_privkey_to_sexp(b);

    g_assert_cmpmem(pa, la, pb, lb);
    otr_privkey_fingerprint(a, fa);
    otr_privkey_fingerprint(b, fb);
    g_assert_cmpmem(fa, sizeof fa, fb, sizeof fb);
    g_assert_cmpstr(sa, ==, sb);
    otr_wipe(sa, strlen(sa));
    otr_wipe(sb, strlen(sb));
    g_free(sa);
    g_free(sb);
}

static void
test_sexp_roundtrip(void)
{
    const OtrPrivKey *key = test_key(0);
    char *text = otr_privkey_to_sexp(key);
    OtrError err = OTR_ERR_INVALID;
    OtrPrivKey *back = otr_privkey_from_sexp(text, strlen(text), &err);
    OtrPrivKey *copy = otr_privkey_copy(key);

    g_assert_cmpint(err, ==, OTR_OK);
    g_assert_true(g_str_has_prefix(text, "(private-key \n (dsa \n  (p #"));
    assert_same_key(key, back);
    assert_same_key(key, copy);
    otr_privkey_free(back);
    otr_privkey_free(copy);
    g_free(text);
}

/* libotr's own path: gcry_pk_genkey, find "private-key", print advanced. */
static void
test_sexp_gcrypt_forms(void)
{
    gcry_sexp_t parms = NULL, all = NULL, priv = NULL;
    char *adv, *ours;
    uint8_t *canon;
    size_t n;
    OtrError err = OTR_ERR_INVALID;
    OtrPrivKey *a, *b;

    g_assert_cmpint(gcry_sexp_build(&parms, NULL,
                                    "(genkey (dsa (nbits 4:1024)))"),
                    ==, 0);
    g_assert_cmpint(gcry_pk_genkey(&all, parms), ==, 0);
    priv = gcry_sexp_find_token(all, "private-key", 0);
    g_assert_nonnull(priv);
    n = gcry_sexp_sprint(priv, GCRYSEXP_FMT_ADVANCED, NULL, 0);
    adv = g_malloc(n);
    gcry_sexp_sprint(priv, GCRYSEXP_FMT_ADVANCED, adv, n);
    n = gcry_sexp_sprint(priv, GCRYSEXP_FMT_CANON, NULL, 0);
    canon = g_malloc(n);
    n = gcry_sexp_sprint(priv, GCRYSEXP_FMT_CANON, canon, n);

    a = otr_privkey_from_sexp(adv, strlen(adv), &err);
    g_assert_cmpint(err, ==, OTR_OK);
    ours = otr_privkey_to_sexp(a);
    g_assert_cmpstr(ours, ==, adv);
    /* Canonical (binary) form: same key. */
    b = otr_privkey_from_sexp((const char *)canon, n, &err);
    g_assert_cmpint(err, ==, OTR_OK);
    assert_same_key(a, b);

    otr_privkey_free(a);
    otr_privkey_free(b);
    g_free(ours);
    g_free(adv);
    g_free(canon);
    gcry_sexp_release(priv);
    gcry_sexp_release(all);
    gcry_sexp_release(parms);
}

static char *
replace_once(const char *s, const char *from, const char *to)
{
    const char *at = strstr(s, from);

    g_assert_nonnull(at);
    return g_strdup_printf("%.*s%s%s", (int)(at - s), s, to, at + strlen(from));
}

typedef struct {
    const char *from, *to;
    OtrError err;
} SexpMutation;

static const SexpMutation sexp_mutations[] = {
    { "(x #", "(z #", OTR_ERR_MALFORMED }, /* no x */
    { "(private-key", "(public-key", OTR_ERR_MALFORMED },
    { "(dsa", "(rsa", OTR_ERR_MALFORMED },
    { "(privkeys\n", "", OTR_ERR_MALFORMED },              /* unbalanced */
    { "#00D2BD4790", "#00D2BD4791", OTR_ERR_BAD_VALUE },   /* y != g^x */
    { "(q #00FC6A08", "(q #01FC6A08", OTR_ERR_BAD_VALUE }, /* q > 160 bits */
    { "(x #00D2BD479022DFCD36AFFD72FA3151DA81CD6BD3FC#)", "(x #00#)",
      OTR_ERR_BAD_VALUE },
    { "(g #18F0", "(g #", OTR_ERR_BAD_VALUE },
};

static void
test_sexp_bad(void)
{
    OtrError err = OTR_OK;

    g_assert_null(otr_privkey_from_sexp("", 0, &err));
    g_assert_cmpint(err, ==, OTR_ERR_MALFORMED);
    g_assert_null(otr_privkey_from_sexp("(((", 3, &err));
    g_assert_cmpint(err, ==, OTR_ERR_MALFORMED);
    /* Cut short anywhere: refused, never a crash. */
    for (size_t n = 0; n < strlen(libotr_file) - 8; n += 7) {
        err = OTR_OK;
        g_assert_null(otr_privkey_from_sexp(libotr_file, n, &err));
        g_assert_cmpint(err, !=, OTR_OK);
    }
    for (guint i = 0; i < G_N_ELEMENTS(sexp_mutations); i++) {
        const SexpMutation *m = &sexp_mutations[i];
        char *bad = replace_once(libotr_file, m->from, m->to);

        err = OTR_OK;
        g_assert_null(otr_privkey_from_sexp(bad, strlen(bad), &err));
        g_assert_cmpint(err, ==, m->err);
        g_free(bad);
    }
}

static void
test_fingerprint_format(void)
{
    uint8_t fpr[OTR_FPR_LEN];
    char human[OTR_FPR_HUMAN_LEN], hex[41];

    for (int i = 0; i < OTR_FPR_LEN; i++)
        fpr[i] = (uint8_t)(0x01 + 0x11 * i);
    otr_fingerprint_human(fpr, human);
    g_assert_cmpstr(human, ==, "01122334 45566778 899AABBC CDDEEF00 11223344");
    g_assert_cmpuint(strlen(human), ==, OTR_FPR_HUMAN_LEN - 1);
    otr_fingerprint_hex(fpr, hex);
    g_assert_cmpstr(hex, ==, "0112233445566778899aabbccddeef0011223344");
}

/* ---- Signatures --------------------------------------------------------- */

static OtrPubKey *
pub_of(const OtrPrivKey *key)
{
    size_t len, used = 0;
    const uint8_t *buf = otr_privkey_pubkey(key, &len);
    OtrError err = OTR_ERR_INVALID;
    OtrPubKey *pub = otr_pubkey_parse(buf, len, &used, &err);

    g_assert_cmpint(err, ==, OTR_OK);
    g_assert_cmpuint(used, ==, len);
    return pub;
}

static void
test_dsa_sign_verify(void)
{
    TestHost th;
    OtrHost h = { &test_host_ops, &th };
    OtrPubKey *pub = pub_of(test_key(0)), *other = pub_of(test_key(1));
    static const size_t lens[] = { 0, 1, 20, 32, 100 };
    uint8_t data[100], sig[OTR_DSA_SIG_LEN];

    test_host_init(&th, 99);
    for (guint i = 0; i < G_N_ELEMENTS(lens); i++) {
        size_t n = lens[i];

        for (size_t j = 0; j < n; j++)
            data[j] = (uint8_t)g_rand_int(th.rand);
        g_assert_cmpint(otr_dsa_sign(test_key(0), &h, data, n, sig), ==,
                        OTR_OK);
        g_assert_true(otr_pubkey_verify(pub, data, n, sig));
        g_assert_false(otr_pubkey_verify(other, data, n, sig));
        if (n > 0) {
            data[n - 1] ^= 0x01;
            g_assert_false(otr_pubkey_verify(pub, data, n, sig));
            data[n - 1] ^= 0x01;
        }
    }
    /* Every single-bit change of the signature is refused. */
    for (int i = 0; i < OTR_DSA_SIG_LEN; i++) {
        sig[i] ^= (uint8_t)(1u << (i % 8));
        g_assert_false(otr_pubkey_verify(pub, data, 100, sig));
        sig[i] ^= (uint8_t)(1u << (i % 8));
    }
    g_assert_true(otr_pubkey_verify(pub, data, 100, sig));
    memset(sig, 0, sizeof sig);
    g_assert_false(otr_pubkey_verify(pub, data, 100, sig));
    memset(sig, 0xff, sizeof sig);
    g_assert_false(otr_pubkey_verify(pub, data, 100, sig));
    otr_pubkey_free(pub);
    otr_pubkey_free(other);
    test_host_clear(&th);
}

/* gcry_sexp of a key of ours, through the S-expression writer. */
static gcry_sexp_t
gcry_key(const OtrPrivKey *key)
{
    char *text = otr_privkey_to_sexp(key);
    gcry_sexp_t s = NULL;

    g_assert_cmpint(gcry_sexp_sscan(&s, NULL, text, strlen(text)), ==, 0);
    g_free(text);
    return s;
}

/* Data as libotr hands it to gcry_pk_sign / gcry_pk_verify: "(%m)". */
static gcry_sexp_t
libotr_data(const uint8_t *data, size_t len)
{
    gcry_mpi_t m = NULL;
    gcry_sexp_t s = NULL;

    g_assert_cmpint(gcry_mpi_scan(&m, GCRYMPI_FMT_USG, data, len, NULL), ==, 0);
    g_assert_cmpint(gcry_sexp_build(&s, NULL, "(%m)", m), ==, 0);
    gcry_mpi_release(m);
    return s;
}

static void
sig_part(gcry_sexp_t sig, const char *name, uint8_t out[20])
{
    gcry_sexp_t t = gcry_sexp_find_token(sig, name, 0);
    gcry_mpi_t m = gcry_sexp_nth_mpi(t, 1, GCRYMPI_FMT_USG);
    size_t n = 0;

    g_assert_nonnull(m);
    gcry_mpi_print(GCRYMPI_FMT_USG, NULL, 0, &n, m);
    g_assert_cmpuint(n, <=, 20);
    memset(out, 0, 20);
    gcry_mpi_print(GCRYMPI_FMT_USG, out + 20 - n, n, NULL, m);
    gcry_mpi_release(m);
    gcry_sexp_release(t);
}

static void
test_dsa_gcrypt_interop(void)
{
    TestHost th;
    OtrHost h = { &test_host_ops, &th };
    const OtrPrivKey *key = test_key(2);
    OtrPubKey *pub = pub_of(key);
    gcry_sexp_t gkey = gcry_key(key);
    uint8_t data[32], sig[OTR_DSA_SIG_LEN];

    test_host_init(&th, 2024);
    for (int round = 0; round < 24; round++) {
        gcry_sexp_t d, gsig = NULL, gsig2 = NULL;
        gcry_mpi_t r = NULL, s = NULL;

        for (size_t j = 0; j < sizeof data; j++)
            data[j] = (uint8_t)g_rand_int(th.rand);
        if (round % 3 == 0)
            data[0] |= 0x80; /* top bit set: value far above q */
        else if (round % 3 == 1)
            data[0] = 0; /* leading zero byte */
        d = libotr_data(data, sizeof data);

        /* libgcrypt signs as libotr does; we verify. */
        g_assert_cmpint(gcry_pk_sign(&gsig, d, gkey), ==, 0);
        sig_part(gsig, "r", sig);
        sig_part(gsig, "s", sig + 20);
        g_assert_true(otr_pubkey_verify(pub, data, sizeof data, sig));

        /* We sign; libgcrypt verifies as libotr does. */
        g_assert_cmpint(otr_dsa_sign(key, &h, data, sizeof data, sig), ==,
                        OTR_OK);
        g_assert_cmpint(gcry_mpi_scan(&r, GCRYMPI_FMT_USG, sig, 20, NULL), ==,
                        0);
        g_assert_cmpint(gcry_mpi_scan(&s, GCRYMPI_FMT_USG, sig + 20, 20, NULL),
                        ==, 0);
        g_assert_cmpint(gcry_sexp_build(&gsig2, NULL,
                                        "(sig-val (dsa (r %m)(s %m)))", r, s),
                        ==, 0);
        g_assert_cmpint(gcry_pk_verify(gsig2, d, gkey), ==, 0);
        /* And a tampered one is refused by libgcrypt too. */
        gcry_sexp_release(d);
        data[31] ^= 0x40;
        d = libotr_data(data, sizeof data);
        g_assert_cmpint(gcry_err_code(gcry_pk_verify(gsig2, d, gkey)), ==,
                        GPG_ERR_BAD_SIGNATURE);

        gcry_mpi_release(r);
        gcry_mpi_release(s);
        gcry_sexp_release(gsig);
        gcry_sexp_release(gsig2);
        gcry_sexp_release(d);
    }
    gcry_sexp_release(gkey);
    otr_pubkey_free(pub);
    test_host_clear(&th);
}

/* ---- PUBKEY parsing ----------------------------------------------------- */

typedef struct {
    const uint8_t *v[4]; /* p, q, g, y */
    size_t n[4];
} PubParts;

static void
split_pub(const OtrPrivKey *key, PubParts *pp)
{
    size_t len;
    const uint8_t *buf = otr_privkey_pubkey(key, &len);
    OtrReader r;

    otr_reader_init(&r, buf, len);
    g_assert_cmpint(otr_read_short(&r), ==, 0);
    for (int i = 0; i < 4; i++)
        pp->v[i] = otr_read_mpi(&r, 1024, &pp->n[i]);
    g_assert_true(otr_reader_done(&r));
}

/* Serialises a PUBKEY from parts, writing DATA (not MPI) so that
 * non-minimal encodings can be produced on purpose. */
static GByteArray *
make_pub(guint16 type, const PubParts *pp)
{
    OtrWriter w;
    GByteArray *out;

    otr_writer_init(&w);
    otr_write_short(&w, type);
    for (int i = 0; i < 4; i++)
        otr_write_data(&w, pp->v[i], pp->n[i]);
    out = w.buf; /* public data: taken over unwiped */
    w.buf = NULL;
    return out;
}

static OtrError
parse_err(const GByteArray *b)
{
    OtrError err = OTR_OK;
    OtrPubKey *pub = otr_pubkey_parse(b->data, b->len, NULL, &err);

    if (pub) {
        otr_pubkey_free(pub);
        return OTR_OK;
    }
    g_assert_cmpint(err, !=, OTR_OK);
    return err;
}

static void
test_pubkey_parse(void)
{
    const OtrPrivKey *key = test_key(0);
    PubParts pp, bad;
    GByteArray *b = make_pub(0, (split_pub(key, &pp), &pp));
    uint8_t fa[OTR_FPR_LEN], fb[OTR_FPR_LEN], big[21], one = 1;
    uint8_t *padded;
    OtrPubKey *pub;
    size_t used = 0;
    OtrError err;

    /* Same bytes as otr_privkey_pubkey; trailing data is left unused. */
    g_byte_array_append(b, (const guint8 *)"tail", 4);
    pub = otr_pubkey_parse(b->data, b->len, &used, &err);
    g_assert_nonnull(pub);
    g_assert_cmpuint(used, ==, b->len - 4);
    otr_pubkey_fingerprint(pub, fa);
    otr_privkey_fingerprint(key, fb);
    g_assert_cmpmem(fa, sizeof fa, fb, sizeof fb);
    otr_pubkey_free(pub);

    for (size_t n = 0; n < used; n++) {
        err = OTR_OK;
        g_assert_null(otr_pubkey_parse(b->data, n, NULL, &err));
        g_assert_cmpint(err, ==, OTR_ERR_MALFORMED);
    }
    g_byte_array_unref(b);

    b = make_pub(1, &pp); /* unknown key type */
    g_assert_cmpint(parse_err(b), ==, OTR_ERR_MALFORMED);
    g_byte_array_unref(b);

    bad = pp; /* non-minimal q */
    padded = g_malloc0(pp.n[1] + 1);
    memcpy(padded + 1, pp.v[1], pp.n[1]);
    bad.v[1] = padded;
    bad.n[1] = pp.n[1] + 1;
    b = make_pub(0, &bad);
    g_assert_cmpint(parse_err(b), ==, OTR_ERR_MALFORMED);
    g_byte_array_unref(b);
    g_free(padded);

    memset(big, 0x7f, sizeof big); /* q longer than 20 bytes */
    bad = pp;
    bad.v[1] = big;
    bad.n[1] = sizeof big;
    b = make_pub(0, &bad);
    g_assert_cmpint(parse_err(b), ==, OTR_ERR_MALFORMED);
    g_byte_array_unref(b);

    bad = pp; /* g = 1 */
    bad.v[2] = &one;
    bad.n[2] = 1;
    b = make_pub(0, &bad);
    g_assert_cmpint(parse_err(b), ==, OTR_ERR_BAD_VALUE);
    g_byte_array_unref(b);

    bad = pp; /* y = 0 */
    bad.n[3] = 0;
    b = make_pub(0, &bad);
    g_assert_cmpint(parse_err(b), ==, OTR_ERR_BAD_VALUE);
    g_byte_array_unref(b);

    bad = pp; /* y = p */
    bad.v[3] = pp.v[0];
    bad.n[3] = pp.n[0];
    b = make_pub(0, &bad);
    g_assert_cmpint(parse_err(b), ==, OTR_ERR_BAD_VALUE);
    g_byte_array_unref(b);
}

/* ---- Generation --------------------------------------------------------- */

typedef struct {
    int calls, last_done, total;
    volatile gint cancel;
    int cancel_at; /* set cancel when done reaches this; -1: never */
    gboolean after_cancel;
} Prog;

static void
on_progress(void *user, int done, int total)
{
    Prog *p = user;

    if (g_atomic_int_get(&p->cancel))
        p->after_cancel = TRUE;
    g_assert_cmpint(done, >=, p->last_done);
    g_assert_cmpint(done, <=, total);
    p->calls++;
    p->last_done = done;
    p->total = total;
    if (p->cancel_at >= 0 && done >= p->cancel_at)
        g_atomic_int_set(&p->cancel, 1);
}

static void
test_keygen_progress_determinism(void)
{
    TestHost th;
    Prog prog = { 0, 0, 0, 0, -1, FALSE };
    OtrError err = OTR_ERR_INVALID;
    OtrPrivKey *key;
    PubParts pp;
    size_t len;

    /* Seed of test_key(0): same RNG stream, same key. */
    test_host_init(&th, 0x5eed0000u);
    key = otr_privkey_generate(&test_host_ops, &th, on_progress, &prog,
                               &prog.cancel, &err);
    g_assert_cmpint(err, ==, OTR_OK);
    g_assert_nonnull(key);
    assert_same_key(key, test_key(0));
    g_assert_cmpint(prog.calls, >=, 2);
    g_assert_cmpint(prog.last_done, ==, prog.total);
    g_assert_cmpint(prog.total, >, 0);
    /* DSA-1024 with a 160-bit q. */
    split_pub(key, &pp);
    g_assert_cmpuint(pp.n[0], ==, 128);
    g_assert_cmpuint(pp.n[1], ==, 20);
    otr_privkey_pubkey(key, &len);
    g_assert_cmpuint(len, ==, 2 + 16 + pp.n[0] + pp.n[1] + pp.n[2] + pp.n[3]);
    otr_privkey_free(key);
    test_host_clear(&th);
}

static void
test_keygen_distinct(void)
{
    uint8_t f0[OTR_FPR_LEN], f1[OTR_FPR_LEN];

    otr_privkey_fingerprint(test_key(0), f0);
    otr_privkey_fingerprint(test_key(1), f1);
    g_assert_false(memcmp(f0, f1, sizeof f0) == 0);
}

static void
test_keygen_cancel(void)
{
    TestHost th;
    OtrError err = OTR_OK;
    Prog prog = { 0, 0, 0, 1, -1, FALSE };

    test_host_init(&th, 5);
    /* Already cancelled: nothing is done. */
    g_assert_null(otr_privkey_generate(&test_host_ops, &th, on_progress, &prog,
                                       &prog.cancel, &err));
    g_assert_cmpint(err, ==, OTR_ERR_CANCELLED);
    g_assert_cmpint(prog.calls, ==, 0);

    /* Cancelled from the progress callback, mid-way. */
    for (int at = 0; at <= 2; at++) {
        Prog p2 = { 0, 0, 0, 0, at, FALSE };

        err = OTR_OK;
        g_assert_null(otr_privkey_generate(&test_host_ops, &th, on_progress,
                                           &p2, &p2.cancel, &err));
        g_assert_cmpint(err, ==, OTR_ERR_CANCELLED);
        g_assert_false(p2.after_cancel); /* no reports once cancelled */
        g_assert_cmpint(p2.last_done, ==, at);
    }
    test_host_clear(&th);
}

#ifdef OTR_TEST_HAVE_LIBOTR

static void
libotr_once(void)
{
    static gsize once = 0;

    if (g_once_init_enter(&once)) {
        g_assert_cmpint(otrl_init(OTRL_VERSION_MAJOR, OTRL_VERSION_MINOR,
                                  OTRL_VERSION_SUB),
                        ==, 0);
        g_once_init_leave(&once, 1);
    }
}

/* libotr reads our key file: same fingerprint, same PUBKEY, and each
 * verifies the other's signatures. */
static void
test_libotr_reads_ours(void)
{
    TestHost th;
    OtrHost h = { &test_host_ops, &th };
    const OtrPrivKey *key = test_key(3);
    OtrlUserState us;
    OtrlPrivKey *lk;
    OtrPubKey *pub = pub_of(key);
    char *text = otr_privkey_to_sexp(key), *file, *path = NULL;
    char human[OTR_FPR_HUMAN_LEN], theirs[OTR_FPR_HUMAN_LEN];
    uint8_t fpr[OTR_FPR_LEN], data[32], sig[OTR_DSA_SIG_LEN];
    unsigned char *lsig = NULL;
    const uint8_t *ourpub;
    size_t ourlen, lsiglen = 0;
    int fd;

    libotr_once();
    test_host_init(&th, 77);
    file = g_strdup_printf("(privkeys\n (account\n(name \"bob\")\n"
                           "(protocol prpl-test)\n%s )\n)\n",
                           text);
    fd = g_file_open_tmp("offrec-key-XXXXXX", &path, NULL);
    g_assert_cmpint(fd, >=, 0);
    close(fd);
    g_assert_true(g_file_set_contents(path, file, -1, NULL));
    us = otrl_userstate_create();
    g_assert_cmpint(otrl_privkey_read(us, path), ==, 0);
    g_assert_nonnull(otrl_privkey_fingerprint(us, theirs, "bob", "prpl-test"));
    otr_privkey_fingerprint(key, fpr);
    otr_fingerprint_human(fpr, human);
    g_assert_cmpstr(human, ==, theirs);

    lk = otrl_privkey_find(us, "bob", "prpl-test");
    g_assert_nonnull(lk);
    ourpub = otr_privkey_pubkey(key, &ourlen);
    g_assert_cmpmem(lk->pubkey_data, lk->pubkey_datalen, ourpub + 2,
                    ourlen - 2);

    for (int round = 0; round < 8; round++) {
        for (size_t j = 0; j < sizeof data; j++)
            data[j] = (uint8_t)g_rand_int(th.rand);
        g_assert_cmpint(otrl_privkey_sign(&lsig, &lsiglen, lk, data, 32), ==,
                        0);
        g_assert_cmpuint(lsiglen, ==, OTR_DSA_SIG_LEN);
        g_assert_true(otr_pubkey_verify(pub, data, 32, lsig));
        free(lsig);
        g_assert_cmpint(otr_dsa_sign(key, &h, data, 32, sig), ==, OTR_OK);
        g_assert_cmpint(otrl_privkey_verify(sig, sizeof sig,
                                            OTRL_PUBKEY_TYPE_DSA, lk->privkey,
                                            data, 32),
                        ==, 0);
        data[0] ^= 1;
        g_assert_cmpint(otrl_privkey_verify(sig, sizeof sig,
                                            OTRL_PUBKEY_TYPE_DSA, lk->privkey,
                                            data, 32),
                        !=, 0);
    }

    otrl_userstate_free(us);
    g_unlink(path);
    g_free(path);
    otr_wipe(file, strlen(file));
    g_free(file);
    otr_wipe(text, strlen(text));
    g_free(text);
    otr_pubkey_free(pub);
    test_host_clear(&th);
}

/* We read a key libotr generated just now and write it back identically. */
static void
test_libotr_writes_we_read(void)
{
    OtrlUserState us;
    char *path = NULL, *file = NULL, *inner, *ours;
    char theirs[OTR_FPR_HUMAN_LEN];
    OtrError err = OTR_ERR_INVALID;
    OtrPrivKey *key;
    int fd;

    libotr_once();
    fd = g_file_open_tmp("offrec-key-XXXXXX", &path, NULL);
    g_assert_cmpint(fd, >=, 0);
    close(fd);
    us = otrl_userstate_create();
    g_assert_cmpint(otrl_privkey_generate(us, path, "carol", "prpl-x"), ==, 0);
    g_assert_true(g_file_get_contents(path, &file, NULL, NULL));
    g_assert_nonnull(otrl_privkey_fingerprint(us, theirs, "carol", "prpl-x"));
    key = otr_privkey_from_sexp(file, strlen(file), &err);
    g_assert_cmpint(err, ==, OTR_OK);
    assert_fpr_human(key, theirs);
    inner = inner_key_text(file);
    ours = otr_privkey_to_sexp(key);
    g_assert_cmpstr(ours, ==, inner);

    otr_privkey_free(key);
    otrl_userstate_free(us);
    g_unlink(path);
    g_free(path);
    g_free(file);
    g_free(inner);
    g_free(ours);
}

#endif

void
crypto_tests_early_init(void)
{
#ifdef OTR_TEST_HAVE_LIBOTR
    /* libotr installs libgcrypt allocation hooks; memory libgcrypt
     * allocated before them would later be freed by libotr's free(). So
     * libotr must come first in this process. */
    libotr_once();
#endif
}

void
crypto_tests_add_dsa(void)
{
    g_test_add_func("/core/crypto/sexp-libotr-entry", test_sexp_libotr_entry);
    g_test_add_func("/core/crypto/sexp-roundtrip", test_sexp_roundtrip);
    g_test_add_func("/core/crypto/sexp-gcrypt-forms", test_sexp_gcrypt_forms);
    g_test_add_func("/core/crypto/sexp-bad", test_sexp_bad);
    g_test_add_func("/core/crypto/fingerprint-format", test_fingerprint_format);
    g_test_add_func("/core/crypto/dsa-sign-verify", test_dsa_sign_verify);
    g_test_add_func("/core/crypto/dsa-gcrypt-interop", test_dsa_gcrypt_interop);
    g_test_add_func("/core/crypto/pubkey-parse", test_pubkey_parse);
    g_test_add_func("/core/crypto/keygen-progress-determinism",
                    test_keygen_progress_determinism);
    g_test_add_func("/core/crypto/keygen-distinct", test_keygen_distinct);
    g_test_add_func("/core/crypto/keygen-cancel", test_keygen_cancel);
#ifdef OTR_TEST_HAVE_LIBOTR
    g_test_add_func("/core/crypto/libotr-reads-ours", test_libotr_reads_ours);
    g_test_add_func("/core/crypto/libotr-writes-we-read",
                    test_libotr_writes_we_read);
#endif
}
