/* Offrec — identity files under purple_user_dir()/offrec/, the pidgin-otr
 * import, and key generation in a worker thread.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <errno.h>
#include <string.h>

#include <glib/gstdio.h>

#include "plugin-private.h"

#define KEYS_FILE    "otr.private_key"
#define FPRS_FILE    "otr.fingerprints"
#define INSTAGS_FILE "otr.instance_tags"

static char *
path_of(const char *name)
{
    OtrPlugin *pl = otr_plugin_get();

    return g_build_filename(pl->dir, name, NULL);
}

static void
report(const char *what, GError *error)
{
    purple_debug_error("offrec", "%s: %s\n", what,
                       error ? error->message : "failed");
    g_clear_error(&error);
}

void
otr_plugin_keys_save_fprs(void)
{
    GError *error = NULL;
    char *path;

    if (!otr_plugin_get())
        return;
    path = path_of(FPRS_FILE);
    if (!otr_store_fprs_save(otr_plugin_get()->store, path, &error))
        report("saving fingerprints", error);
    g_free(path);
}

gboolean
otr_plugin_keys_save_plain(void)
{
    GError *error = NULL;
    gboolean ok;
    char *path;

    if (!otr_plugin_get())
        return FALSE;
    path = path_of(KEYS_FILE);
    ok = otr_store_keys_save(otr_plugin_get()->store, path, &error);
    if (!ok)
        report("saving private keys", error);
    g_free(path);
    return ok;
}

void
otr_plugin_keys_save_keys(void)
{
    /* The sealed file first (core/store-pass.h): a crash in between leaves
     * a protected key in both files, never in neither. */
    otr_plugin_pass_save();
    otr_plugin_keys_save_plain();
}

static void
save_instags(void)
{
    GError *error = NULL;
    char *path = path_of(INSTAGS_FILE);

    if (!otr_store_instags_save(otr_plugin_get()->store, path, &error))
        report("saving instance tags", error);
    g_free(path);
}

static gboolean
have_own_files(const char *dir)
{
    static const char *const names[] = { KEYS_FILE, FPRS_FILE, INSTAGS_FILE };

    for (guint i = 0; i < G_N_ELEMENTS(names); i++) {
        char *p = g_build_filename(dir, names[i], NULL);
        gboolean there = g_file_test(p, G_FILE_TEST_EXISTS);

        g_free(p);
        if (there)
            return TRUE;
    }
    return FALSE;
}

static gboolean
load_all(OtrPlugin *pl)
{
    GError *error = NULL;
    char *p;

    p = path_of(KEYS_FILE);
    if (!otr_store_keys_load(pl->store, p, &error)) {
        /* A locked or partly bad file still gave its good keys. */
        report(p, error);
        error = NULL;
    }
    g_free(p);
    otr_plugin_pass_load(pl);
    p = path_of(FPRS_FILE);
    if (!otr_store_fprs_load(pl->store, p, &error)) {
        report(p, error);
        error = NULL;
    }
    g_free(p);
    p = path_of(INSTAGS_FILE);
    if (!otr_store_instags_load(pl->store, p, &error))
        report(p, error);
    g_free(p);
    return TRUE;
}

static void
refresh_key(gpointer p, gpointer unused)
{
    OtrConv *oc = p;

    otr_session_set_privkey(oc->session, otr_plugin_keys_lookup(oc->account));
}

/* Another client's account name -> the libpurple account's name, e.g. a
 * bare jid -> "jid/resource" when such an account exists. */
static char *
map_account(const char *account, const char *protocol, void *unused)
{
    for (GList *l = purple_accounts_get_all(); l; l = l->next) {
        const char *user = purple_account_get_username(l->data);
        const char *slash = user ? strchr(user, '/') : NULL;

        if (!user ||
            g_strcmp0(purple_account_get_protocol_id(l->data), protocol) != 0)
            continue;
        if (strcmp(user, account) == 0)
            return NULL;
        if (slash && strlen(account) == (size_t)(slash - user) &&
            strncmp(user, account, (size_t)(slash - user)) == 0)
            return g_strdup(user);
    }
    return NULL;
}

static const char *
source_name(OtrImportSource source)
{
    switch (source) {
    case OTR_IMPORT_PIDGIN_OTR:
        return "pidgin-otr";
    case OTR_IMPORT_IRSSI:
        return "irssi";
    case OTR_IMPORT_MCABBER:
        return "mcabber";
    case OTR_IMPORT_PROFANITY:
        return "profanity";
    case OTR_IMPORT_BITLBEE:
        return "bitlbee";
    }
    return "?";
}

/* The key-file suffix of clients that name files after the account. */
static const char *
named_suffix(OtrImportSource source)
{
    switch (source) {
    case OTR_IMPORT_MCABBER:
        return ".key";
    case OTR_IMPORT_BITLBEE:
        return ".otr_keys";
    case OTR_IMPORT_PIDGIN_OTR:
    case OTR_IMPORT_IRSSI:
    case OTR_IMPORT_PROFANITY:
        break;
    }
    return NULL;
}

/* Imports one set of files; counts into stats; TRUE if it read cleanly. */
static gboolean
import_one(OtrPlugin *pl,
           OtrImportSource source,
           const char *dir,
           const char *name,
           gboolean replace,
           OtrImportStats *stats,
           GString *errors)
{
    OtrImportStats one = { 0 };
    GError *error = NULL;
    gboolean ok;

    ok = otr_store_import_dir(pl->store, source, dir, name,
                              replace ? OTR_IMPORT_REPLACE_KEYS : 0,
                              source == OTR_IMPORT_PIDGIN_OTR ? NULL
                                                              : map_account,
                              NULL, &one, &error);
    stats->keys_added += one.keys_added;
    stats->keys_skipped += one.keys_skipped;
    stats->fprs_added += one.fprs_added;
    stats->fprs_merged += one.fprs_merged;
    stats->instags_added += one.instags_added;
    stats->instags_skipped += one.instags_skipped;
    if (error) {
        g_string_append_printf(errors, " %s", error->message);
        report("import", error);
    }
    return ok;
}

/* Saves what an import changed and writes the summary. */
static void
import_finish(OtrImportSource source,
              const char *where,
              const OtrImportStats *stats,
              const GString *errors,
              char **summary)
{
    if (summary)
        *summary = g_strdup_printf(_("Imported from %s (%s): %u keys (%u "
                                     "kept), %u fingerprints (%u merged), %u "
                                     "instance tags.%s"),
                                   where, source_name(source),
                                   stats->keys_added, stats->keys_skipped,
                                   stats->fprs_added, stats->fprs_merged,
                                   stats->instags_added, errors->str);
    if (stats->keys_added)
        otr_plugin_pass_new_keys(); /* saves, sealing them if need be */
    if (stats->fprs_added || stats->fprs_merged)
        otr_plugin_keys_save_fprs();
    if (stats->instags_added)
        save_instags();
    if (stats->keys_added)
        otr_plugin_conv_foreach(refresh_key, NULL);
}

gboolean
otr_plugin_keys_import(const char *dir, gboolean replace, char **summary)
{
    OtrPlugin *pl = otr_plugin_get();
    OtrImportStats stats = { 0 };
    GString *errors;
    gboolean ok;

    if (!pl)
        return FALSE;
    if (!dir)
        dir = purple_user_dir();
    errors = g_string_new("");
    ok = import_one(pl, OTR_IMPORT_PIDGIN_OTR, dir, NULL, replace, &stats,
                    errors);
    import_finish(OTR_IMPORT_PIDGIN_OTR, dir, &stats, errors, summary);
    g_string_free(errors, TRUE);
    return ok;
}

gboolean
otr_plugin_keys_import_client(OtrImportSource source,
                              const char *path,
                              char **summary)
{
    OtrPlugin *pl = otr_plugin_get();
    OtrImportStats stats = { 0 };
    const char *suffix = named_suffix(source);
    GString *errors;
    gboolean ok = FALSE, any = FALSE;

    if (summary)
        *summary = NULL;
    if (!pl)
        return FALSE;
    if (source == OTR_IMPORT_PIDGIN_OTR)
        return otr_plugin_keys_import(path, FALSE, summary);
    if (!path || !*path) {
        if (summary)
            *summary = g_strdup(_("No directory or file given."));
        return FALSE;
    }
    errors = g_string_new("");
    if (!suffix) {
        ok = import_one(pl, source, path, NULL, FALSE, &stats, errors);
        any = TRUE;
    } else if (g_file_test(path, G_FILE_TEST_IS_DIR)) {
        /* Every account's key file in the directory. */
        GDir *d = g_dir_open(path, 0, NULL);
        const char *f;

        ok = TRUE;
        while (d && (f = g_dir_read_name(d))) {
            char *name;

            if (!g_str_has_suffix(f, suffix) || strlen(f) == strlen(suffix))
                continue;
            name = g_strndup(f, strlen(f) - strlen(suffix));
            ok =
                import_one(pl, source, path, name, FALSE, &stats, errors) && ok;
            any = TRUE;
            g_free(name);
        }
        if (d)
            g_dir_close(d);
    } else if (g_str_has_suffix(path, suffix)) {
        char *dir = g_path_get_dirname(path);
        char *base = g_path_get_basename(path);

        base[strlen(base) - strlen(suffix)] = '\0';
        if (*base) {
            ok = import_one(pl, source, dir, base, FALSE, &stats, errors);
            any = TRUE;
        }
        g_free(dir);
        g_free(base);
    }
    if (!any) {
        g_string_append_printf(errors, _(" No %s files found."),
                               source_name(source));
        ok = FALSE;
    }
    import_finish(source, path, &stats, errors, summary);
    g_string_free(errors, TRUE);
    return ok && any;
}

/* First run: pidgin-otr's files in purple_user_dir(), once. */
static void
first_run_import(OtrPlugin *pl)
{
    char *k = g_build_filename(purple_user_dir(), "otr.private_key", NULL);
    char *f = g_build_filename(purple_user_dir(), "otr.fingerprints", NULL);
    gboolean present = g_file_test(k, G_FILE_TEST_EXISTS) ||
                       g_file_test(f, G_FILE_TEST_EXISTS);
    char *summary = NULL;

    g_free(k);
    g_free(f);
    if (!present || purple_prefs_get_bool(PREF_IMPORTED) ||
        have_own_files(pl->dir))
        return;
    otr_plugin_keys_import(NULL, FALSE, &summary);
    purple_debug_info("offrec", "first run: imported pidgin-otr files. %s\n",
                      summary);
    g_free(summary);
    purple_prefs_set_bool(PREF_IMPORTED, TRUE);
}

gboolean
otr_plugin_keys_init(OtrPlugin *pl)
{
    pl->dir = g_build_filename(purple_user_dir(), "offrec", NULL);
    if (g_mkdir_with_parents(pl->dir, 0700) != 0) {
        purple_debug_error("offrec", "cannot create %s: %s\n", pl->dir,
                           g_strerror(errno));
        g_free(pl->dir);
        pl->dir = NULL;
        return FALSE;
    }
    pl->store = otr_store_new();
    load_all(pl);
    first_run_import(pl);
    otr_plugin_pass_ask_unlock();
    return TRUE;
}

guint32
otr_plugin_keys_instag(PurpleAccount *account)
{
    OtrPlugin *pl = otr_plugin_get();
    gboolean created = FALSE;
    guint32 tag;

    tag = otr_store_instag_ensure(pl->store, otr_plugin_host_ops(), NULL,
                                  purple_account_get_username(account),
                                  purple_account_get_protocol_id(account),
                                  &created);
    if (created)
        save_instags();
    return tag;
}

const OtrPrivKey *
otr_plugin_keys_lookup(PurpleAccount *account)
{
    OtrPlugin *pl = otr_plugin_get();

    if (!pl)
        return NULL;
    return otr_store_key_lookup(pl->store, purple_account_get_username(account),
                                purple_account_get_protocol_id(account));
}

/* ---- Key generation ---------------------------------------------------- */

static PurpleAccount *
job_account(OtrKeygen *job)
{
    return purple_accounts_find(otr_keygen_account(job),
                                otr_keygen_protocol(job));
}

static char *
note_key(const char *user, const char *protocol)
{
    return g_strdup_printf("%s\n%s", user, protocol);
}

static void
keygen_progress(OtrKeygen *job, int done, int total, void *unused)
{
    OtrPlugin *pl = otr_plugin_get();
    PurpleAccount *account;
    int pct;

    if (!pl || !(account = job_account(job)))
        return;
    pct = total > 0 ? (int)((gint64)done * 100 / total) : 0;
    pct = CLAMP(pct, 0, 100);
    g_hash_table_insert(pl->keygen_pct,
                        note_key(otr_keygen_account(job),
                                 otr_keygen_protocol(job)),
                        GINT_TO_POINTER(pct + 1));
    purple_signal_emit(pl->handle, "otr-keygen-progress", account, pct,
                       (int)OFFREC_KEYGEN_PROGRESS);
}

typedef struct {
    PurpleAccount *account;
    const OtrPrivKey *key;
} KeyReady;

static void
continue_waiting(gpointer p, gpointer data)
{
    OtrConv *oc = p;
    KeyReady *kr = data;
    OtrOutbox out;

    if (oc->account != kr->account)
        return;
    otr_session_set_privkey(oc->session, kr->key);
    if (!kr->key)
        return;
    if (oc->keygen_line) {
        oc->keygen_line = FALSE;
        otr_plugin_conv_write(oc, 0,
                              _("Your private key is ready; continuing."));
    }
    otr_outbox_init(&out);
    otr_session_key_ready(oc->session, &out);
    otr_plugin_conv_process(oc, &out, NULL, NULL);
    otr_outbox_clear(&out);
}

static void
close_note(OtrPlugin *pl, const char *user, const char *protocol)
{
    char *k = note_key(user, protocol);
    gpointer handle = g_hash_table_lookup(pl->keygen_notes, k);

    if (handle) {
        purple_notify_close(PURPLE_NOTIFY_MESSAGE, handle);
        g_hash_table_remove(pl->keygen_notes, k);
    }
    g_free(k);
}

static void
keygen_done(OtrKeygen *job,
            const OtrPrivKey *key,
            const GError *error,
            void *unused)
{
    OtrPlugin *pl = otr_plugin_get();
    PurpleAccount *account;
    KeyReady kr;

    if (!pl)
        return; /* unloaded meanwhile */
    close_note(pl, otr_keygen_account(job), otr_keygen_protocol(job));
    {
        char *k = note_key(otr_keygen_account(job), otr_keygen_protocol(job));

        g_hash_table_remove(pl->keygen_pct, k);
        g_free(k);
    }
    account = job_account(job);
    if (!key) {
        purple_debug_error("offrec", "key generation for %s failed: %s\n",
                           otr_keygen_account(job),
                           error ? error->message : "?");
        if (account)
            purple_signal_emit(pl->handle, "otr-keygen-progress", account, 0,
                               (int)OFFREC_KEYGEN_FAILED);
        return;
    }
    otr_plugin_pass_new_keys(); /* saves, sealing it if need be */
    if (!account)
        return;
    {
        uint8_t fpr[OTR_FPR_LEN];
        char h[OTR_FPR_HUMAN_LEN];

        otr_privkey_fingerprint(key, fpr);
        otr_fingerprint_human(fpr, h);
        otr_plugin_debug("key for %s (%s) generated: %s",
                         otr_keygen_account(job), otr_keygen_protocol(job), h);
    }
    purple_signal_emit(pl->handle, "otr-keygen-progress", account, 100,
                       (int)OFFREC_KEYGEN_DONE);
    kr.account = account;
    kr.key = key;
    otr_plugin_conv_foreach(continue_waiting, &kr);
}

void
otr_plugin_keys_resume(PurpleAccount *account)
{
    KeyReady kr = { account, otr_plugin_keys_lookup(account) };

    otr_plugin_conv_foreach(continue_waiting, &kr);
}

gboolean
otr_plugin_keys_generate(PurpleAccount *account, OtrConv *waiting)
{
    OtrPlugin *pl = otr_plugin_get();
    const char *user = purple_account_get_username(account);
    const char *proto = purple_account_get_protocol_id(account);
    gboolean started = FALSE;
    OtrKeygen *job;

    if (!pl)
        return FALSE;
    if (otr_plugin_pass_is_locked(account)) {
        /* Never replace a locked key: wait until it is unlocked. */
        if (waiting && !waiting->keygen_line) {
            waiting->keygen_line = TRUE;
            otr_plugin_conv_write(waiting, 0,
                                  _("Your private key for %s (%s) is "
                                    "protected by a passphrase; the "
                                    "conversation will continue when you "
                                    "unlock it."),
                                  user, proto);
        }
        otr_plugin_pass_ask_unlock();
        return TRUE;
    }
    if (waiting && otr_plugin_keys_lookup(account)) {
        /* Already there (e.g. imported): just continue. */
        KeyReady kr = { account, otr_plugin_keys_lookup(account) };

        continue_waiting(waiting, &kr);
        return TRUE;
    }
    job = otr_store_keygen_start(pl->store, otr_host_ops_default(), NULL, user,
                                 proto, &started);
    if (!job)
        return FALSE;
    if (waiting && !waiting->keygen_line) {
        waiting->keygen_line = TRUE;
        otr_plugin_conv_write(waiting, 0,
                              _("Generating a private key for %s (%s); the "
                                "conversation will continue by itself when "
                                "it is ready."),
                              user, proto);
    }
    if (!started)
        return TRUE;
    otr_keygen_watch(job, keygen_progress, keygen_done, NULL);
    purple_signal_emit(pl->handle, "otr-keygen-progress", account, 0,
                       (int)OFFREC_KEYGEN_STARTED);
    if (!(pl->ui_flags & OFFREC_UI_KEYGEN)) {
        char *secondary = g_strdup_printf(
            _("Generating a private key for %s (%s). This may take a "
              "moment; you can keep using your client meanwhile."),
            user, proto);
        gpointer h =
            purple_notify_message(pl->handle, PURPLE_NOTIFY_MSG_INFO,
                                  _("Generating private key"), _("Please wait"),
                                  secondary, NULL, NULL);

        g_free(secondary);
        if (h)
            g_hash_table_insert(pl->keygen_notes, note_key(user, proto), h);
    }
    return TRUE;
}

void
otr_plugin_keys_cancel(PurpleAccount *account)
{
    OtrPlugin *pl = otr_plugin_get();
    OtrKeygen *job;

    if (!pl)
        return;
    job = otr_store_keygen_running(pl->store,
                                   purple_account_get_username(account),
                                   purple_account_get_protocol_id(account));
    if (job)
        otr_keygen_cancel(job);
}

int
otr_plugin_keys_progress(PurpleAccount *account)
{
    OtrPlugin *pl = otr_plugin_get();
    const char *user = purple_account_get_username(account);
    const char *proto = purple_account_get_protocol_id(account);
    char *k;
    int pct;

    if (!pl || !otr_store_keygen_running(pl->store, user, proto))
        return -1;
    k = note_key(user, proto);
    pct = GPOINTER_TO_INT(g_hash_table_lookup(pl->keygen_pct, k)) - 1;
    g_free(k);
    return MAX(pct, 0);
}

gboolean
otr_plugin_fpr_parse(const char *hex, uint8_t fpr[OTR_FPR_LEN])
{
    guint n = 0;
    int hi = -1;

    for (const char *p = hex; p && *p; p++) {
        int v = g_ascii_xdigit_value(*p);

        if (*p == ' ' || *p == ':')
            continue;
        if (v < 0 || n >= OTR_FPR_LEN)
            return FALSE;
        if (hi < 0) {
            hi = v;
        } else {
            fpr[n++] = (uint8_t)(hi << 4 | v);
            hi = -1;
        }
    }
    return n == OTR_FPR_LEN && hi < 0;
}
