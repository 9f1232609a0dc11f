/* Offrec tests — identity store: formats, errors, atomic writes, keygen.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gcrypt.h>
#include <glib/gstdio.h>

#include "store-pass.h"
#include "store.h"
#include "testutil.h"

static const uint8_t fpr_a[OTR_FPR_LEN] = { 0x01, 0x23, 0x45, 0x67, 0x89,
                                            0xab, 0xcd, 0xef, 0x00, 0x11,
                                            0x22, 0x33, 0x44, 0x55, 0x66,
                                            0x77, 0x88, 0x99, 0xaa, 0xff };
static const uint8_t fpr_b[OTR_FPR_LEN] = { 0xfe, 0xdc, 0xba, 0x98, 0x76 };

static char *
tmpdir_new(void)
{
    char *d = g_dir_make_tmp("otr-store-XXXXXX", NULL);

    g_assert_nonnull(d);
    return d;
}

static void
rm_rf(const char *dir)
{
    char *cmd = g_strdup_printf("rm -rf '%s'", dir);

    g_assert_cmpint(system(cmd), ==, 0);
    g_free(cmd);
}

static char *
slurp(const char *path)
{
    char *s = NULL;

    g_assert_true(g_file_get_contents(path, &s, NULL, NULL));
    return s;
}

/* ---- Fingerprints ----------------------------------------------------- */

static const char fpr_file[] =
    "bob@x.org\talice@x.org/Home\tprpl-jabber\t"
    "0123456789abcdef00112233445566778899aaff\tverified\n"
    "bob@x.org\talice@x.org/Home\tprpl-jabber\t"
    "fedcba9876000000000000000000000000000000\t\n"
    "carol\talice\tprpl-irc\t"
    "0123456789ABCDEF00112233445566778899AAFF\n"
    "dave\talice\tprpl-irc\t"
    "0123456789abcdef00112233445566778899aaff\tsomething new\twith tab\r\n";

static void
test_store_fpr_parse(void)
{
    OtrStore *s = otr_store_new();
    GError *err = NULL;
    const OtrStoreFpr *f;
    GPtrArray *list;

    g_assert_true(
        otr_store_fprs_parse(s, fpr_file, strlen(fpr_file), "fp", &err));
    g_assert_no_error(err);
    g_assert_cmpuint(otr_store_fpr_count(s), ==, 4);
    f = otr_store_fpr_lookup(s, "alice@x.org/Home", "prpl-jabber", "bob@x.org",
                             fpr_a);
    g_assert_nonnull(f);
    g_assert_true(otr_store_fpr_is_trusted(f));
    g_assert_cmpstr(f->trust, ==, "verified");
    f = otr_store_fpr_lookup(s, "alice@x.org/Home", "prpl-jabber", "bob@x.org",
                             fpr_b);
    g_assert_nonnull(f);
    g_assert_false(otr_store_fpr_is_trusted(f));
    f = otr_store_fpr_lookup(s, "alice", "prpl-irc", "carol", fpr_a);
    g_assert_nonnull(f); /* upper-case hex, 4 fields */
    g_assert_null(f->trust);
    f = otr_store_fpr_lookup(s, "alice", "prpl-irc", "dave", fpr_a);
    g_assert_cmpstr(f->trust, ==, "something new\twith tab");
    g_assert_true(otr_store_fpr_is_trusted(f));
    g_assert_null(otr_store_fpr_lookup(s, "alice", "prpl-irc", "dave", fpr_b));
    g_assert_null(
        otr_store_fpr_lookup(s, "alice", "prpl-jabber", "dave", fpr_a));
    list =
        otr_store_fpr_list(s, "alice@x.org/Home", "prpl-jabber", "bob@x.org");
    g_assert_cmpuint(list->len, ==, 2);
    g_ptr_array_unref(list);
    otr_store_free(s);
}

/* libotr's output: buddies in strcmp order, 5 fields, trust kept. */
static void
test_store_fpr_roundtrip(void)
{
    OtrStore *s = otr_store_new();
    char *out;
    gsize len;
    static const char expect[] =
        "bob@x.org\talice@x.org/Home\tprpl-jabber\t"
        "0123456789abcdef00112233445566778899aaff\tverified\n"
        "bob@x.org\talice@x.org/Home\tprpl-jabber\t"
        "fedcba9876000000000000000000000000000000\t\n"
        "carol\talice\tprpl-irc\t"
        "0123456789abcdef00112233445566778899aaff\t\n"
        "dave\talice\tprpl-irc\t"
        "0123456789abcdef00112233445566778899aaff\tsomething new\twith tab\n";

    g_assert_true(
        otr_store_fprs_parse(s, fpr_file, strlen(fpr_file), "fp", NULL));
    out = otr_store_fprs_serialize(s, &len);
    g_assert_cmpstr(out, ==, expect);
    g_assert_cmpuint(len, ==, strlen(expect));
    g_free(out);
    otr_store_free(s);
}

static void
test_store_fpr_api(void)
{
    OtrStore *s = otr_store_new();
    gboolean added;
    const OtrStoreFpr *f;
    GPtrArray *list;

    f = otr_store_fpr_add(s, "me", "prpl-irc", "you", fpr_a, &added);
    g_assert_true(added);
    g_assert_false(otr_store_fpr_is_trusted(f));
    g_assert_true(
        otr_store_fpr_add(s, "me", "prpl-irc", "you", fpr_a, &added) == f);
    g_assert_false(added);
    otr_store_fpr_add(s, "me", "prpl-irc", "you", fpr_b, &added);
    list = otr_store_fpr_list(s, "me", "prpl-irc", "you");
    g_assert_cmpuint(list->len, ==, 2); /* newest first, as libotr */
    g_assert_cmpmem(((OtrStoreFpr *)list->pdata[0])->fpr, OTR_FPR_LEN, fpr_b,
                    OTR_FPR_LEN);
    g_ptr_array_unref(list);
    g_assert_true(
        otr_store_fpr_set_trust(s, "me", "prpl-irc", "you", fpr_a, "smp"));
    g_assert_true(otr_store_fpr_is_trusted(f));
    g_assert_false(otr_store_fpr_set_trust(s, "me", "prpl-irc", "you", fpr_a,
                                           "bad\nline"));
    g_assert_true(
        otr_store_fpr_set_trust(s, "me", "prpl-irc", "you", fpr_a, ""));
    g_assert_false(otr_store_fpr_is_trusted(f));
    g_assert_null(otr_store_fpr_add(s, "m\te", "prpl-irc", "you", fpr_a, NULL));
    g_assert_null(otr_store_fpr_add(s, "me", "prpl-irc", "", fpr_a, NULL));
    g_assert_true(otr_store_fpr_remove(s, "me", "prpl-irc", "you", fpr_a));
    g_assert_false(otr_store_fpr_remove(s, "me", "prpl-irc", "you", fpr_a));
    g_assert_cmpuint(otr_store_fpr_count(s), ==, 1);
    g_assert_true(otr_store_fpr_remove(s, "me", "prpl-irc", "you", fpr_b));
    g_assert_cmpuint(otr_store_fpr_count(s), ==, 0);
    list = otr_store_fpr_list(s, "me", "prpl-irc", "you");
    g_assert_cmpuint(list->len, ==, 0);
    g_ptr_array_unref(list);
    otr_store_free(s);
}

static void
test_store_fpr_malformed(void)
{
    static const char bad[] =
        "ok\tme\tprpl-irc\t0123456789abcdef00112233445566778899aaff\tv\n"
        "no tabs here\n"
        "x\tme\tprpl-irc\t0123456789abcdef00112233445566778899aaf\n"
        "\n"
        "y\tme\tprpl-irc\t0123456789abcdef00112233445566778899aazz\t\n"
        "z\tme\tprpl-irc\tfedcba9876000000000000000000000000000000";
    OtrStore *s = otr_store_new();
    GError *err = NULL;

    g_assert_false(
        otr_store_fprs_parse(s, bad, sizeof bad - 1, "otr.fp", &err));
    g_assert_error(err, OTR_STORE_ERROR, OTR_STORE_ERROR_MALFORMED);
    g_assert_nonnull(strstr(err->message, "otr.fp:2:"));
    g_assert_nonnull(strstr(err->message, "2 more"));
    g_clear_error(&err);
    /* Good lines, including an unterminated last one, are loaded. */
    g_assert_cmpuint(otr_store_fpr_count(s), ==, 2);
    g_assert_nonnull(otr_store_fpr_lookup(s, "me", "prpl-irc", "z", fpr_b));
    otr_store_free(s);
}

/* No linear scans: 100k fingerprints load and look up quickly. */
static void
test_store_fpr_scale(void)
{
    OtrStore *s = otr_store_new();
    GString *file = g_string_new(NULL);
    uint8_t f[OTR_FPR_LEN] = { 0 };
    gint64 t0;

    for (int i = 0; i < 100000; i++)
        g_string_append_printf(file,
                               "buddy%d\tme\tprpl-jabber\t%08x"
                               "00000000000000000000000000000000\t%s\n",
                               i / 2, i, i % 3 ? "verified" : "");
    t0 = g_get_monotonic_time();
    g_assert_true(otr_store_fprs_parse(s, file->str, file->len, "big", NULL));
    g_assert_cmpuint(otr_store_fpr_count(s), ==, 100000);
    for (int i = 0; i < 100000; i += 7) {
        char b[32];
        f[0] = (uint8_t)(i >> 24);
        f[1] = (uint8_t)(i >> 16);
        f[2] = (uint8_t)(i >> 8);
        f[3] = (uint8_t)i;
        g_snprintf(b, sizeof b, "buddy%d", i / 2);
        g_assert_nonnull(otr_store_fpr_lookup(s, "me", "prpl-jabber", b, f));
    }
    /* Generous: quadratic behaviour would take minutes. */
    g_assert_cmpint(g_get_monotonic_time() - t0, <, 10 * G_USEC_PER_SEC);
    g_string_free(file, TRUE);
    otr_store_free(s);
}

/* ---- Instance tags ---------------------------------------------------- */

static void
test_store_instag(void)
{
    static const char file[] =
        "# WARNING! You shouldn't copy this file to another computer. It is "
        "unnecessary and can cause problems.\n"
        "b@x\tprpl-jabber\t2b0a1c3d\n"
        "a\tprpl-irc\t00000100\n";
    static const char bad[] = "a\tprpl-irc\t000000ff\n"
                              "b\tprpl-irc\t1234\n"
                              "c\tprpl-irc\t12345678\n"
                              "d prpl-irc 12345678\n";
    OtrStore *s = otr_store_new();
    GError *err = NULL;
    TestHost th;
    gboolean created;
    guint32 tag;
    char *out;

    g_assert_true(otr_store_instags_parse(s, file, strlen(file), "t", &err));
    g_assert_no_error(err);
    g_assert_cmpuint(otr_store_instag_lookup(s, "b@x", "prpl-jabber"), ==,
                     0x2b0a1c3d);
    g_assert_cmpuint(otr_store_instag_lookup(s, "a", "prpl-irc"), ==, 0x100);
    out = otr_store_instags_serialize(s, NULL);
    g_assert_cmpstr(out, ==, file);
    g_free(out);

    test_host_init(&th, 7);
    tag = otr_store_instag_ensure(s, &test_host_ops, &th, "new", "prpl-irc",
                                  &created);
    g_assert_true(created);
    g_assert_cmpuint(tag, >=, OTR_INSTAG_MIN);
    g_assert_cmpuint(otr_store_instag_ensure(s, &test_host_ops, &th, "new",
                                             "prpl-irc", &created),
                     ==, tag);
    g_assert_false(created);
    test_host_clear(&th);
    out = otr_store_instags_serialize(s, NULL);
    g_assert_true(g_str_has_prefix(strchr(out, '\n') + 1, "new\tprpl-irc\t"));
    g_free(out);
    g_assert_false(otr_store_instag_set(s, "x", "prpl-irc", 0xff));
    g_assert_true(otr_store_instag_remove(s, "new", "prpl-irc"));
    g_assert_cmpuint(otr_store_instag_count(s), ==, 2);

    g_assert_false(otr_store_instags_parse(s, bad, strlen(bad), "tags", &err));
    g_assert_error(err, OTR_STORE_ERROR, OTR_STORE_ERROR_MALFORMED);
    g_assert_nonnull(strstr(err->message, "tags:1:"));
    g_clear_error(&err);
    g_assert_cmpuint(otr_store_instag_lookup(s, "c", "prpl-irc"), ==,
                     0x12345678);
    g_assert_cmpuint(otr_store_instag_lookup(s, "a", "prpl-irc"), ==, 0x100);
    otr_store_free(s);
}

/* ---- Private keys ----------------------------------------------------- */

static void
assert_same_key(const OtrPrivKey *a, const OtrPrivKey *b)
{
    uint8_t fa[OTR_FPR_LEN], fb[OTR_FPR_LEN];

    g_assert_nonnull(a);
    g_assert_nonnull(b);
    otr_privkey_fingerprint(a, fa);
    otr_privkey_fingerprint(b, fb);
    g_assert_cmpmem(fa, OTR_FPR_LEN, fb, OTR_FPR_LEN);
}

static void
test_store_keys_roundtrip(void)
{
    OtrStore *s = otr_store_new(), *t = otr_store_new();
    GError *err = NULL;
    char *out, *out2;
    gsize len, len2;

    g_assert_true(otr_store_key_set(s, "alice@x.org/Home", "prpl-jabber",
                                    otr_privkey_copy(test_key(0)), FALSE,
                                    &err));
    g_assert_true(otr_store_key_set(s, "bob with space", "prpl-irc",
                                    otr_privkey_copy(test_key(1)), FALSE,
                                    &err));
    g_assert_false(otr_store_key_set(s, "bob with space", "prpl-irc",
                                     otr_privkey_copy(test_key(2)), FALSE,
                                     &err));
    g_assert_error(err, OTR_STORE_ERROR, OTR_STORE_ERROR_EXISTS);
    g_clear_error(&err);
    out = otr_store_keys_serialize(s, &len);
    g_assert_true(g_str_has_prefix(out, "(privkeys\n (account\n(name "));
    g_assert_nonnull(strstr(out, "(name \"bob with space\")"));
    g_assert_true(otr_store_keys_parse(t, out, len, "k", &err));
    g_assert_no_error(err);
    g_assert_cmpuint(otr_store_key_count(t), ==, 2);
    assert_same_key(otr_store_key_lookup(t, "alice@x.org/Home", "prpl-jabber"),
                    test_key(0));
    assert_same_key(otr_store_key_lookup(t, "bob with space", "prpl-irc"),
                    test_key(1));
    out2 = otr_store_keys_serialize(t, &len2);
    g_assert_cmpstr(out, ==, out2);
    g_free(out2);

    /* Replacing moves the account last, as libotr writes it. */
    g_assert_true(otr_store_key_set(t, "alice@x.org/Home", "prpl-jabber",
                                    otr_privkey_copy(test_key(2)), TRUE, &err));
    out2 = otr_store_keys_serialize(t, NULL);
    g_assert_true(strstr(out2, "alice@x.org") > strstr(out2, "bob with"));
    g_free(out2);
    g_assert_true(otr_store_key_remove(t, "bob with space", "prpl-irc"));
    g_assert_null(otr_store_key_lookup(t, "bob with space", "prpl-irc"));
    g_free(out);
    otr_store_free(s);
    otr_store_free(t);
}

/* Damaged files: good accounts still load; the error names the line. */
static void
test_store_keys_malformed(void)
{
    OtrStore *s = otr_store_new(), *t;
    GError *err = NULL;
    char *good, *bad, *p;
    gsize len;

    otr_store_key_set(s, "one", "prpl-irc", otr_privkey_copy(test_key(0)),
                      FALSE, NULL);
    otr_store_key_set(s, "two", "prpl-irc", otr_privkey_copy(test_key(1)),
                      FALSE, NULL);
    otr_store_key_set(s, "three", "prpl-irc", otr_privkey_copy(test_key(2)),
                      FALSE, NULL);
    good = otr_store_keys_serialize(s, &len);

    /* Corrupt the second account's y value. */
    bad = g_strdup(good);
    p = strstr(strstr(bad, "(name two)"), "(y #");
    g_assert_nonnull(p);
    p[4] = 'Z';
    t = otr_store_new();
    g_assert_false(otr_store_keys_parse(t, bad, len, "otr.private_key", &err));
    g_assert_error(err, OTR_STORE_ERROR, OTR_STORE_ERROR_MALFORMED);
    g_assert_nonnull(strstr(err->message, "otr.private_key:"));
    g_clear_error(&err);
    g_assert_nonnull(otr_store_key_lookup(t, "one", "prpl-irc"));
    g_assert_null(otr_store_key_lookup(t, "two", "prpl-irc"));
    g_assert_nonnull(otr_store_key_lookup(t, "three", "prpl-irc"));
    otr_store_free(t);
    g_free(bad);

    /* Truncated in the third account: the first two load. */
    t = otr_store_new();
    p = strstr(good, "(name three)");
    g_assert_false(
        otr_store_keys_parse(t, good, (gsize)(p - good) + 20, "k", &err));
    g_assert_nonnull(strstr(err->message, "end of file"));
    g_clear_error(&err);
    g_assert_cmpuint(otr_store_key_count(t), ==, 2);
    otr_store_free(t);

    /* Not a key file at all. */
    t = otr_store_new();
    g_assert_false(otr_store_keys_parse(t, "(fingerprints)", 14, "k", &err));
    g_assert_nonnull(strstr(err->message, "k:1:"));
    g_clear_error(&err);
    g_assert_false(otr_store_keys_parse(t, "garbage", 7, "k", &err));
    g_clear_error(&err);
    g_assert_false(otr_store_keys_parse(t, "(privkeys (account (name a)))", 29,
                                        "k", &err));
    g_clear_error(&err);
    g_assert_true(otr_store_keys_parse(t, "(privkeys\n)\n", 12, "k", &err));
    g_assert_cmpuint(otr_store_key_count(t), ==, 0);
    otr_store_free(t);
    g_free(good);
    otr_store_free(s);
}

/* libgcrypt's canonical encoding is read too. */
static void
test_store_keys_canonical(void)
{
    OtrStore *s = otr_store_new(), *t = otr_store_new();
    char *text, *canon, *b64, *transport;
    gsize len, clen;
    GError *err = NULL;
    gcry_sexp_t sx = NULL;
    size_t erroff;

    otr_store_key_set(s, "me", "prpl-irc", otr_privkey_copy(test_key(3)), FALSE,
                      NULL);
    otr_store_key_set(s, "you", "prpl-irc", otr_privkey_copy(test_key(2)),
                      FALSE, NULL);
    text = otr_store_keys_serialize(s, &len);
    g_assert_cmpint(gcry_sexp_sscan(&sx, &erroff, text, len), ==, 0);
    clen = gcry_sexp_sprint(sx, GCRYSEXP_FMT_CANON, NULL, 0);
    canon = g_malloc0(clen + 1);
    clen = gcry_sexp_sprint(sx, GCRYSEXP_FMT_CANON, canon, clen);
    gcry_sexp_release(sx);
    g_assert_true(g_str_has_prefix(canon, "(8:privkeys(7:account"));
    /* Raw MPI bytes in the canonical form go through the scanner. */
    g_assert_true(otr_store_keys_parse(t, canon, clen, "c", &err));
    g_assert_no_error(err);
    assert_same_key(otr_store_key_lookup(t, "me", "prpl-irc"), test_key(3));
    assert_same_key(otr_store_key_lookup(t, "you", "prpl-irc"), test_key(2));
    b64 = g_base64_encode((const guchar *)canon, clen);
    transport = g_strdup_printf("{%s}", b64);
    /* libgcrypt rejects the transport form: an error, nothing more. */
    otr_store_free(t);
    t = otr_store_new();
    g_assert_false(
        otr_store_keys_parse(t, transport, strlen(transport), "c", &err));
    g_assert_error(err, OTR_STORE_ERROR, OTR_STORE_ERROR_MALFORMED);
    g_clear_error(&err);
    g_assert_cmpuint(otr_store_key_count(t), ==, 0);
    g_free(b64);
    g_free(transport);
    g_free(canon);
    g_free(text);
    otr_store_free(s);
    otr_store_free(t);
}

/* ---- Atomic writes ---------------------------------------------------- */

static void
test_store_atomic(void)
{
    char *dir = tmpdir_new();
    char *path = g_build_filename(dir, "f", NULL);
    char *sub = g_build_filename(dir, "sub", NULL);
    char *inner = g_build_filename(sub, "x", NULL);
    char *nodir = g_build_filename(dir, "missing", "f", NULL);
    GError *err = NULL;
    struct stat st;
    char *s;
    GDir *d;
    int n = 0;

    umask(022);
    g_assert_true(otr_store_write_atomic(path, "old", 3, &err));
    g_assert_no_error(err);
    g_assert_cmpint(stat(path, &st), ==, 0);
    g_assert_cmpint(st.st_mode & 0777, ==, 0600);
    g_assert_true(otr_store_write_atomic(path, "new!", 4, &err));
    s = slurp(path);
    g_assert_cmpstr(s, ==, "new!");
    g_free(s);

    /* Replacing a non-empty directory fails: it stays, no temp is left. */
    g_assert_cmpint(g_mkdir(sub, 0700), ==, 0);
    g_assert_true(g_file_set_contents(inner, "keep", 4, NULL));
    g_assert_false(otr_store_write_atomic(sub, "x", 1, &err));
    g_assert_error(err, OTR_STORE_ERROR, OTR_STORE_ERROR_IO);
    g_assert_nonnull(strstr(err->message, sub));
    g_clear_error(&err);
    s = slurp(inner);
    g_assert_cmpstr(s, ==, "keep");
    g_free(s);
    g_assert_false(otr_store_write_atomic(nodir, "x", 1, &err));
    g_assert_error(err, OTR_STORE_ERROR, OTR_STORE_ERROR_IO);
    g_clear_error(&err);
    d = g_dir_open(dir, 0, NULL);
    while (g_dir_read_name(d))
        n++;
    g_dir_close(d);
    g_assert_cmpint(n, ==, 2); /* f and sub: no temporary files */
    rm_rf(dir);
    g_free(dir);
    g_free(path);
    g_free(sub);
    g_free(inner);
    g_free(nodir);
}

static void
test_store_load_save_files(void)
{
    char *dir = tmpdir_new();
    char *kp = g_build_filename(dir, "k", NULL);
    char *fp = g_build_filename(dir, "fp", NULL);
    char *tp = g_build_filename(dir, "t", NULL);
    OtrStore *s = otr_store_new(), *t = otr_store_new();
    GError *err = NULL;

    /* Missing files load nothing, without error. */
    g_assert_true(otr_store_keys_load(t, kp, &err));
    g_assert_true(otr_store_fprs_load(t, fp, &err));
    g_assert_true(otr_store_instags_load(t, tp, &err));
    g_assert_no_error(err);
    otr_store_key_set(s, "me", "prpl-irc", otr_privkey_copy(test_key(0)), FALSE,
                      NULL);
    otr_store_fpr_add(s, "me", "prpl-irc", "you", fpr_a, NULL);
    otr_store_fpr_set_trust(s, "me", "prpl-irc", "you", fpr_a, "verified");
    otr_store_instag_set(s, "me", "prpl-irc", 0x12345678);
    g_assert_true(otr_store_keys_save(s, kp, &err));
    g_assert_true(otr_store_fprs_save(s, fp, &err));
    g_assert_true(otr_store_instags_save(s, tp, &err));
    g_assert_no_error(err);
    g_assert_true(otr_store_keys_load(t, kp, &err));
    g_assert_true(otr_store_fprs_load(t, fp, &err));
    g_assert_true(otr_store_instags_load(t, tp, &err));
    g_assert_no_error(err);
    assert_same_key(otr_store_key_lookup(t, "me", "prpl-irc"), test_key(0));
    g_assert_true(otr_store_fpr_is_trusted(
        otr_store_fpr_lookup(t, "me", "prpl-irc", "you", fpr_a)));
    g_assert_cmpuint(otr_store_instag_lookup(t, "me", "prpl-irc"), ==,
                     0x12345678);
    otr_store_free(s);
    otr_store_free(t);
    rm_rf(dir);
    g_free(dir);
    g_free(kp);
    g_free(fp);
    g_free(tp);
}

/* ---- Passphrase ------------------------------------------------------- */

static void
test_store_pass(void)
{
    OtrStore *s = otr_store_new(), *t = otr_store_new();
    GError *err = NULL;
    char *sealed, *plain, *p;
    gsize len;

    otr_store_key_set(s, "me", "prpl-irc", otr_privkey_copy(test_key(0)), FALSE,
                      NULL);
    otr_store_key_set(s, "other", "prpl-irc", otr_privkey_copy(test_key(1)),
                      FALSE, NULL);
    g_assert_true(
        otr_store_key_protect(s, "me", "prpl-irc", "correct horse", 10, &err));
    g_assert_no_error(err);
    g_assert_true(otr_store_key_is_protected(s, "me", "prpl-irc"));
    g_assert_false(otr_store_key_is_locked(s, "me", "prpl-irc"));
    plain = otr_store_keys_serialize(s, NULL);
    g_assert_null(strstr(plain, "(name me)")); /* not in the libotr file */
    g_assert_nonnull(strstr(plain, "(name other)"));
    g_free(plain);
    sealed = otr_store_sealed_serialize(s, &len);
    g_assert_null(strstr(sealed, "private-key"));

    g_assert_true(otr_store_sealed_parse(t, sealed, len, "sealed", &err));
    g_assert_no_error(err);
    g_assert_true(otr_store_key_is_locked(t, "me", "prpl-irc"));
    g_assert_null(otr_store_key_lookup(t, "me", "prpl-irc"));
    g_assert_false(otr_store_keys_export(t, "/nonexistent/x", &err));
    g_assert_error(err, OTR_STORE_ERROR, OTR_STORE_ERROR_LOCKED);
    g_clear_error(&err);
    g_assert_false(otr_store_key_unlock(t, "me", "prpl-irc", "wrong", &err));
    g_assert_error(err, OTR_STORE_ERROR, OTR_STORE_ERROR_PASSPHRASE);
    g_clear_error(&err);
    g_assert_true(
        otr_store_key_unlock(t, "me", "prpl-irc", "correct horse", &err));
    g_assert_no_error(err);
    assert_same_key(otr_store_key_lookup(t, "me", "prpl-irc"), test_key(0));
    otr_store_key_lock(t, "me", "prpl-irc");
    g_assert_true(otr_store_key_is_locked(t, "me", "prpl-irc"));
    otr_store_free(t);

    /* Tampering with the bound parameters fails authentication. */
    t = otr_store_new();
    p = strstr(sealed, "\tscrypt\t10\t");
    g_assert_nonnull(p);
    p[9] = '1'; /* log2N 10 -> 11 */
    g_assert_true(otr_store_sealed_parse(t, sealed, len, "sealed", NULL));
    g_assert_false(
        otr_store_key_unlock(t, "me", "prpl-irc", "correct horse", &err));
    g_assert_error(err, OTR_STORE_ERROR, OTR_STORE_ERROR_PASSPHRASE);
    g_clear_error(&err);
    g_assert_false(otr_store_sealed_parse(t, "a\tb\tscrypt\n", 12, "sl", &err));
    g_assert_nonnull(strstr(err->message, "sl:1:"));
    g_clear_error(&err);
    otr_store_free(t);

    /* Unprotect puts the key back into the plain file. */
    g_assert_true(otr_store_key_unprotect(s, "me", "prpl-irc", &err));
    plain = otr_store_keys_serialize(s, NULL);
    g_assert_nonnull(strstr(plain, "(name me)"));
    g_free(plain);
    g_free(sealed);
    otr_store_free(s);
}

/* ---- Key generation --------------------------------------------------- */

typedef struct {
    GMainLoop *loop;
    int progress;
    int done;
    gboolean got_key;
    int error_code;
} Watch;

static void
on_progress(OtrKeygen *job, int done, int total, void *user)
{
    Watch *w = user;

    g_assert_cmpint(done, <=, total);
    w->progress++;
}

static void
on_done(OtrKeygen *job, const OtrPrivKey *key, const GError *error, void *user)
{
    Watch *w = user;

    w->done++;
    w->got_key = key != NULL;
    w->error_code = error ? error->code : -1;
    if (w->done == 2 || error)
        g_main_loop_quit(w->loop);
}

static void
test_store_keygen(void)
{
    OtrStore *s = otr_store_new();
    Watch w = { g_main_loop_new(NULL, FALSE), 0, 0, FALSE, -1 };
    gboolean started;
    OtrKeygen *job, *again;

    job = otr_store_keygen_start(s, otr_host_ops_default(), NULL, "me",
                                 "prpl-irc", &started);
    g_assert_true(started);
    again = otr_store_keygen_start(s, otr_host_ops_default(), NULL, "me",
                                   "prpl-irc", &started);
    g_assert_false(started);
    g_assert_true(job == again);
    g_assert_true(otr_store_keygen_running(s, "me", "prpl-irc") == job);
    otr_keygen_ref(job);
    otr_keygen_watch(job, on_progress, on_done, &w);
    otr_keygen_watch(again, NULL, on_done, &w);
    g_main_loop_run(w.loop);
    g_assert_cmpint(w.done, ==, 2);
    g_assert_true(w.got_key);
    g_assert_true(otr_keygen_finished(job));
    g_assert_cmpint(w.progress, >, 0);
    g_assert_nonnull(otr_store_key_lookup(s, "me", "prpl-irc"));
    g_assert_null(otr_store_keygen_running(s, "me", "prpl-irc"));
    otr_keygen_unref(job);

    /* Cancelled at once: no key, CANCELLED reported. */
    w.done = 0;
    job = otr_store_keygen_start(s, otr_host_ops_default(), NULL, "you",
                                 "prpl-irc", &started);
    otr_keygen_watch(job, NULL, on_done, &w);
    otr_keygen_cancel(job);
    g_main_loop_run(w.loop);
    g_assert_cmpint(w.error_code, ==, OTR_STORE_ERROR_CANCELLED);
    g_assert_null(otr_store_key_lookup(s, "you", "prpl-irc"));

    /* Freeing the store with a job running cancels and joins it. */
    job = otr_store_keygen_start(s, otr_host_ops_default(), NULL, "x",
                                 "prpl-irc", &started);
    g_assert_nonnull(job);
    otr_store_free(s);
    while (g_main_context_iteration(NULL, FALSE))
        ;
    g_main_loop_unref(w.loop);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    otr_init();
    g_test_add_func("/core/store/fpr-parse", test_store_fpr_parse);
    g_test_add_func("/core/store/fpr-roundtrip", test_store_fpr_roundtrip);
    g_test_add_func("/core/store/fpr-api", test_store_fpr_api);
    g_test_add_func("/core/store/fpr-malformed", test_store_fpr_malformed);
    g_test_add_func("/core/store/fpr-scale", test_store_fpr_scale);
    g_test_add_func("/core/store/instag", test_store_instag);
    g_test_add_func("/core/store/keys-roundtrip", test_store_keys_roundtrip);
    g_test_add_func("/core/store/keys-malformed", test_store_keys_malformed);
    g_test_add_func("/core/store/keys-canonical", test_store_keys_canonical);
    g_test_add_func("/core/store/atomic", test_store_atomic);
    g_test_add_func("/core/store/load-save-files", test_store_load_save_files);
    g_test_add_func("/core/store/pass", test_store_pass);
    g_test_add_func("/core/store/keygen", test_store_keygen);
    return g_test_run();
}
