/* Offrec tests — identity store against libotr 4.1: both directions, and
 * import of files libotr wrote under each client's names.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <string.h>

#include "store.h"
#include "testutil.h"

#ifdef OTR_TEST_HAVE_LIBOTR
#include <libotr/context.h>
#include <libotr/instag.h>
#include <libotr/privkey.h>
#include <libotr/proto.h>
#include <libotr/userstate.h>

static char *dir;

static char *
path_of(const char *name)
{
    return g_build_filename(dir, name, NULL);
}

static char *
slurp(const char *path, gsize *len)
{
    char *s = NULL;

    g_assert_true(g_file_get_contents(path, &s, len, NULL));
    return s;
}

static void
assert_file_eq(const char *path, const char *data, gsize len)
{
    gsize flen;
    char *f = slurp(path, &flen);

    g_assert_cmpmem(f, flen, data, len);
    g_free(f);
}

static void
assert_libotr_fpr(OtrlUserState us,
                  const char *account,
                  const char *protocol,
                  const OtrPrivKey *ours)
{
    unsigned char theirs[20];
    uint8_t mine[OTR_FPR_LEN];

    g_assert_nonnull(
        otrl_privkey_fingerprint_raw(us, theirs, account, protocol));
    otr_privkey_fingerprint(ours, mine);
    g_assert_cmpmem(theirs, 20, mine, OTR_FPR_LEN);
}

/* libotr generates; we read it and write back the very same bytes. */
static void
test_keys_from_libotr(void)
{
    char *kp = path_of("libotr.private_key");
    OtrlUserState us = otrl_userstate_create();
    OtrStore *s = otr_store_new();
    GError *err = NULL;
    char *out;
    gsize len;

    g_assert_cmpint(otrl_privkey_generate(us, kp, "alice@x.org/Home",
                                          "prpl-jabber"),
                    ==, 0);
    g_assert_cmpint(otrl_privkey_generate(us, kp, "bob with space\"q",
                                          "prpl-irc"),
                    ==, 0);
    g_assert_true(otr_store_keys_load(s, kp, &err));
    g_assert_no_error(err);
    g_assert_cmpuint(otr_store_key_count(s), ==, 2);
    assert_libotr_fpr(us, "alice@x.org/Home", "prpl-jabber",
                      otr_store_key_lookup(s, "alice@x.org/Home",
                                           "prpl-jabber"));
    assert_libotr_fpr(us, "bob with space\"q", "prpl-irc",
                      otr_store_key_lookup(s, "bob with space\"q", "prpl-irc"));
    out = otr_store_keys_serialize(s, &len);
    assert_file_eq(kp, out, len);
    g_free(out);
    otr_store_free(s);
    otrl_userstate_free(us);
    g_free(kp);
}

/* We write; libotr reads it, and its next write equals ours. */
static void
test_keys_to_libotr(void)
{
    char *kp = path_of("ours.private_key");
    OtrlUserState us = otrl_userstate_create();
    OtrStore *s = otr_store_new(), *t = otr_store_new();
    GError *err = NULL;
    char *out;
    gsize len;

    otr_store_key_set(s, "me@x.org/Res", "prpl-jabber",
                      otr_privkey_copy(test_key(0)), FALSE, NULL);
    g_assert_true(otr_store_keys_save(s, kp, &err));
    g_assert_no_error(err);
    g_assert_cmpint(otrl_privkey_read(us, kp), ==, 0);
    assert_libotr_fpr(us, "me@x.org/Res", "prpl-jabber", test_key(0));

    /* libotr rewrites the file with our key first and a new one. */
    g_assert_cmpint(otrl_privkey_generate(us, kp, "other", "prpl-irc"), ==, 0);
    g_assert_true(otr_store_keys_load(t, kp, &err));
    g_assert_no_error(err);
    out = otr_store_keys_serialize(t, &len);
    assert_file_eq(kp, out, len);
    g_free(out);
    /* Our key went through libotr unchanged. */
    out = otr_store_keys_serialize(s, &len);
    {
        gsize flen;
        char *f = slurp(kp, &flen);
        char *mine = strstr(out, " (account\n");
        char *end = strstr(mine, " )\n");
        char *block = g_strndup(mine, (gsize)(end - mine) + 3);
        g_assert_nonnull(g_strstr_len(f, (gssize)flen, block));
        g_free(block);
        g_free(f);
    }
    g_free(out);
    otr_store_free(s);
    otr_store_free(t);
    otrl_userstate_free(us);
    g_free(kp);
}

typedef struct {
    const char *buddy, *account, *protocol;
    uint8_t fpr0;
    const char *trust;
} FprRow;

static const FprRow fpr_rows[] = {
    { "zed@x.org", "me@x.org/R", "prpl-jabber", 1, "verified" },
    { "amy", "me", "prpl-irc", 2, NULL },
    { "amy", "me", "prpl-irc", 3, "smp" },
    { "amy", "me", "prpl-aim", 4, "" },
    { "amy", "me", "prpl-irc", 5, "custom trust" },
    { "bo", "a", "prpl-irc", 6, "verified" },
};

static void
fill_fpr(uint8_t f[20], uint8_t b)
{
    for (int i = 0; i < 20; i++)
        f[i] = (uint8_t)(b * 17 + i);
}

static void
test_fprs_both_ways(void)
{
    char *lp = path_of("libotr.fingerprints");
    char *op = path_of("ours.fingerprints");
    OtrlUserState us = otrl_userstate_create(), us2;
    OtrStore *s = otr_store_new(), *t = otr_store_new();
    GError *err = NULL;
    char *out;
    gsize len;

    for (gsize i = 0; i < G_N_ELEMENTS(fpr_rows); i++) {
        const FprRow *r = &fpr_rows[i];
        uint8_t f[20];
        ConnContext *ctx;
        Fingerprint *fp;

        fill_fpr(f, r->fpr0);
        ctx = otrl_context_find(us, r->buddy, r->account, r->protocol,
                                OTRL_INSTAG_MASTER, 1, NULL, NULL, NULL);
        fp = otrl_context_find_fingerprint(ctx, f, 1, NULL);
        otrl_context_set_trust(fp, r->trust);
        g_assert_nonnull(
            otr_store_fpr_add(s, r->account, r->protocol, r->buddy, f, NULL));
        otr_store_fpr_set_trust(s, r->account, r->protocol, r->buddy, f,
                                r->trust);
    }
    g_assert_cmpint(otrl_privkey_write_fingerprints(us, lp), ==, 0);
    /* Same data, same bytes. */
    out = otr_store_fprs_serialize(s, &len);
    assert_file_eq(lp, out, len);
    g_free(out);
    /* We read libotr's file and write it back unchanged. */
    g_assert_true(otr_store_fprs_load(t, lp, &err));
    g_assert_no_error(err);
    out = otr_store_fprs_serialize(t, &len);
    assert_file_eq(lp, out, len);
    g_free(out);
    /* libotr reads ours: every fingerprint with its trust. */
    g_assert_true(otr_store_fprs_save(s, op, &err));
    us2 = otrl_userstate_create();
    g_assert_cmpint(otrl_privkey_read_fingerprints(us2, op, NULL, NULL), ==, 0);
    for (gsize i = 0; i < G_N_ELEMENTS(fpr_rows); i++) {
        const FprRow *r = &fpr_rows[i];
        uint8_t f[20];
        ConnContext *ctx =
            otrl_context_find(us2, r->buddy, r->account, r->protocol,
                              OTRL_INSTAG_MASTER, 0, NULL, NULL, NULL);
        Fingerprint *fp;

        fill_fpr(f, r->fpr0);
        g_assert_nonnull(ctx);
        fp = otrl_context_find_fingerprint(ctx, f, 0, NULL);
        g_assert_nonnull(fp);
        g_assert_cmpstr(fp->trust ? fp->trust : "", ==,
                        r->trust ? r->trust : "");
    }
    otrl_userstate_free(us2);
    otr_store_free(s);
    otr_store_free(t);
    otrl_userstate_free(us);
    g_free(lp);
    g_free(op);
}

static void
test_instags_both_ways(void)
{
    char *lp = path_of("libotr.instance_tags");
    char *op = path_of("ours.instance_tags");
    OtrlUserState us = otrl_userstate_create(), us2;
    OtrStore *s = otr_store_new(), *t = otr_store_new();
    static const char *accts[][2] = { { "a@x.org/R", "prpl-jabber" },
                                      { "b", "prpl-irc" },
                                      { "c c", "prpl-aim" } };
    GError *err = NULL;
    char *out;
    gsize len;

    for (gsize i = 0; i < G_N_ELEMENTS(accts); i++) {
        OtrlInsTag *it;
        g_assert_cmpint(otrl_instag_generate(us, lp, accts[i][0], accts[i][1]),
                        ==, 0);
        it = otrl_instag_find(us, accts[i][0], accts[i][1]);
        g_assert_true(
            otr_store_instag_set(s, accts[i][0], accts[i][1], it->instag));
    }
    out = otr_store_instags_serialize(s, &len);
    assert_file_eq(lp, out, len); /* same data, same bytes */
    g_free(out);
    g_assert_true(otr_store_instags_load(t, lp, &err));
    g_assert_no_error(err);
    out = otr_store_instags_serialize(t, &len);
    assert_file_eq(lp, out, len);
    g_free(out);
    g_assert_true(otr_store_instags_save(t, op, &err));
    us2 = otrl_userstate_create();
    g_assert_cmpint(otrl_instag_read(us2, op), ==, 0);
    for (gsize i = 0; i < G_N_ELEMENTS(accts); i++) {
        OtrlInsTag *it = otrl_instag_find(us2, accts[i][0], accts[i][1]);
        g_assert_nonnull(it);
        g_assert_cmpuint(it->instag, ==,
                         otr_store_instag_lookup(s, accts[i][0], accts[i][1]));
    }
    otrl_userstate_free(us2);
    otrl_userstate_free(us);
    otr_store_free(s);
    otr_store_free(t);
    g_free(lp);
    g_free(op);
}

/* ---- Import ----------------------------------------------------------- */

typedef struct {
    OtrImportSource source;
    const char *sub;      /* directory under dir */
    const char *name;     /* jid / user for per-account file names */
    const char *account;  /* as the client stores it */
    const char *protocol; /* as the client stores it */
    const char *purple;   /* expected protocol after import */
} ImportCase;

static const ImportCase import_cases[] = {
    { OTR_IMPORT_PIDGIN_OTR, "purple", NULL, "me@x.org/Home", "prpl-jabber",
      "prpl-jabber" },
    { OTR_IMPORT_IRSSI, "irssi/otr", NULL, "me@irc.example.net", "IRC",
      "prpl-irc" },
    { OTR_IMPORT_MCABBER, "mcabber/otr", "me@x.org", "me@x.org", "jabber",
      "prpl-jabber" },
    { OTR_IMPORT_PROFANITY, "profanity/otr/me_at_x.org", NULL, "me@x.org",
      "xmpp", "prpl-jabber" },
    { OTR_IMPORT_BITLBEE, "bitlbee", "me", "123456", "oscar", "prpl-icq" },
};

static void
test_import(gconstpointer data)
{
    const ImportCase *c = data;
    char *d = g_build_filename(dir, c->sub, NULL);
    char *kp, *fp, *tp;
    OtrlUserState us = otrl_userstate_create();
    OtrStore *s = otr_store_new();
    OtrImportStats st;
    GError *err = NULL;
    uint8_t f1[20], f2[20];
    ConnContext *ctx;
    const OtrStoreFpr *have;
    char *other_acct = g_strconcat(c->account, "2", NULL);

    g_assert_cmpint(g_mkdir_with_parents(d, 0700), ==, 0);
    otr_import_paths(c->source, d, c->name, &kp, &fp, &tp);
    /* The client's files, written by libotr. */
    g_assert_cmpint(otrl_privkey_generate(us, kp, c->account, c->protocol), ==,
                    0);
    g_assert_cmpint(otrl_privkey_generate(us, kp, other_acct, c->protocol), ==,
                    0);
    fill_fpr(f1, 1);
    fill_fpr(f2, 2);
    ctx = otrl_context_find(us, "buddy@y.org", c->account, c->protocol,
                            OTRL_INSTAG_MASTER, 1, NULL, NULL, NULL);
    otrl_context_set_trust(otrl_context_find_fingerprint(ctx, f1, 1, NULL),
                           "verified");
    otrl_context_set_trust(otrl_context_find_fingerprint(ctx, f2, 1, NULL), "");
    g_assert_cmpint(otrl_privkey_write_fingerprints(us, fp), ==, 0);
    if (tp)
        g_assert_cmpint(otrl_instag_generate(us, tp, c->account, c->protocol),
                        ==, 0);

    /* Ours already: a key for the second account and f2 trusted. */
    otr_store_key_set(s, other_acct, c->purple, otr_privkey_copy(test_key(1)),
                      FALSE, NULL);
    otr_store_fpr_add(s, c->account, c->purple, "buddy@y.org", f2, NULL);
    otr_store_fpr_set_trust(s, c->account, c->purple, "buddy@y.org", f2, "smp");

    g_assert_true(otr_store_import_dir(s, c->source, d, c->name, 0, NULL, NULL,
                                       &st, &err));
    g_assert_no_error(err);
    g_assert_cmpuint(st.keys_added, ==, 1);
    g_assert_cmpuint(st.keys_skipped, ==, 1);
    g_assert_cmpuint(st.fprs_added, ==, 1);
    g_assert_cmpuint(st.fprs_merged, ==, 1);
    assert_libotr_fpr(us, c->account, c->protocol,
                      otr_store_key_lookup(s, c->account, c->purple));
    /* The existing key was not overwritten. */
    {
        uint8_t a[20], b[20];
        otr_privkey_fingerprint(otr_store_key_lookup(s, other_acct, c->purple),
                                a);
        otr_privkey_fingerprint(test_key(1), b);
        g_assert_cmpmem(a, 20, b, 20);
    }
    have = otr_store_fpr_lookup(s, c->account, c->purple, "buddy@y.org", f1);
    g_assert_cmpstr(have->trust, ==, "verified");
    have = otr_store_fpr_lookup(s, c->account, c->purple, "buddy@y.org", f2);
    g_assert_cmpstr(have->trust, ==, "smp"); /* not lost to "" */
    if (tp) {
        OtrlInsTag *it = otrl_instag_find(us, c->account, c->protocol);
        g_assert_cmpuint(st.instags_added, ==, 1);
        g_assert_cmpuint(otr_store_instag_lookup(s, c->account, c->purple), ==,
                         it->instag);
    }
    /* Told to, import replaces the existing key. */
    g_assert_true(otr_store_import_dir(s, c->source, d, c->name,
                                       OTR_IMPORT_REPLACE_KEYS, NULL, NULL, &st,
                                       &err));
    g_assert_cmpuint(st.keys_added, ==, 2);
    assert_libotr_fpr(us, other_acct, c->protocol,
                      otr_store_key_lookup(s, other_acct, c->purple));

    otr_store_free(s);
    otrl_userstate_free(us);
    g_free(kp);
    g_free(fp);
    g_free(tp);
    g_free(d);
    g_free(other_acct);
}

static char *
map_resource(const char *account, const char *protocol, void *user)
{
    if (strcmp(protocol, "prpl-jabber") == 0 && !strchr(account, '/'))
        return g_strconcat(account, "/", (const char *)user, NULL);
    return NULL;
}

static void
test_import_map_and_errors(void)
{
    char *d = g_build_filename(dir, "mapped", NULL);
    char *fp = g_build_filename(d, "fingerprints.txt", NULL);
    OtrStore *s = otr_store_new();
    OtrImportStats st;
    GError *err = NULL;
    static const char file[] =
        "b@y\tme@x.org\txmpp\t0000000000000000000000000000000000000001\tv\n"
        "broken line\n";

    g_assert_cmpint(g_mkdir_with_parents(d, 0700), ==, 0);
    g_assert_true(g_file_set_contents(fp, file, -1, NULL));
    g_assert_false(otr_store_import_dir(s, OTR_IMPORT_PROFANITY, d, NULL, 0,
                                        map_resource, "Home", &st, &err));
    g_assert_error(err, OTR_STORE_ERROR, OTR_STORE_ERROR_MALFORMED);
    g_assert_nonnull(strstr(err->message, "fingerprints.txt:2:"));
    g_clear_error(&err);
    g_assert_cmpuint(st.fprs_added, ==, 1);
    g_assert_cmpuint(otr_store_fpr_count(s), ==, 1);
    {
        GPtrArray *l =
            otr_store_fpr_list(s, "me@x.org/Home", "prpl-jabber", "b@y");
        g_assert_cmpuint(l->len, ==, 1);
        g_ptr_array_unref(l);
    }
    g_assert_cmpstr(otr_import_purple_protocol(OTR_IMPORT_BITLBEE, "oscar",
                                               "nick"),
                    ==, "prpl-aim");
    g_assert_cmpstr(otr_import_purple_protocol(OTR_IMPORT_BITLBEE, "prpl-gg",
                                               "1"),
                    ==, "prpl-gg");
    otr_store_free(s);
    g_free(fp);
    g_free(d);
}
#else
static void
skip_no_libotr(void)
{
    g_test_skip("built without libotr");
}
#endif

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    otr_init();
#ifdef OTR_TEST_HAVE_LIBOTR
    OTRL_INIT;
    dir = g_dir_make_tmp("otr-store-libotr-XXXXXX", NULL);
    g_test_add_func("/core/store-libotr/keys-from-libotr",
                    test_keys_from_libotr);
    g_test_add_func("/core/store-libotr/keys-to-libotr", test_keys_to_libotr);
    g_test_add_func("/core/store-libotr/fprs-both-ways", test_fprs_both_ways);
    g_test_add_func("/core/store-libotr/instags-both-ways",
                    test_instags_both_ways);
    g_test_add_data_func("/core/store-libotr/import/pidgin-otr",
                         &import_cases[0], test_import);
    g_test_add_data_func("/core/store-libotr/import/irssi", &import_cases[1],
                         test_import);
    g_test_add_data_func("/core/store-libotr/import/mcabber", &import_cases[2],
                         test_import);
    g_test_add_data_func("/core/store-libotr/import/profanity",
                         &import_cases[3], test_import);
    g_test_add_data_func("/core/store-libotr/import/bitlbee", &import_cases[4],
                         test_import);
    g_test_add_func("/core/store-libotr/import/map-and-errors",
                    test_import_map_and_errors);
    {
        int rc = g_test_run();
        char *cmd = g_strdup_printf("rm -rf '%s'", dir);
        if (system(cmd) != 0)
            rc = 1;
        g_free(cmd);
        g_free(dir);
        return rc;
    }
#else
    g_test_add_func("/core/store-libotr/skipped", skip_no_libotr);
    return g_test_run();
#endif
}
