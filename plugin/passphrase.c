/* Offrec — passphrase protection of the private keys in offrec.so.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * One passphrase protects every account's key (core/store-pass.h): the
 * keys then live only in otr.private_key.sealed, and otr.private_key holds
 * the unprotected ones (none, normally). At load the locked keys are
 * unlocked by asking the user; until then sessions needing a key wait.
 * New keys (generated or imported) while a passphrase is set are sealed
 * after asking for the passphrase again.
 */
#include <errno.h>

#include <glib/gstdio.h>

#include "plugin-private.h"
#include "store-pass.h"

#define SEALED_FILE "otr.private_key.sealed"

static void ask_unlock(OtrPlugin *pl, const char *why);
static void ask_protect(OtrPlugin *pl, const char *why);

static void
wipe_free(char *s)
{
    if (s) {
        otr_plugin_wipe(s, strlen(s));
        g_free(s);
    }
}

static void
set_error(char **error, char *text)
{
    if (error)
        *error = text;
    else
        g_free(text);
}

static char *
sealed_path(OtrPlugin *pl)
{
    return g_build_filename(pl->dir, SEALED_FILE, NULL);
}

/* ---- Which keys --------------------------------------------------------- */

typedef enum {
    PICK_ALL,
    PICK_LOCKED,
    PICK_PROTECTED,
    PICK_PLAIN, /* unlocked and not protected */
} Pick;

typedef struct {
    const OtrStore *store;
    Pick pick;
    GPtrArray *ids; /* account, protocol, account, protocol, ... */
} Collect;

static void
collect_one(const char *account,
            const char *protocol,
            const OtrPrivKey *key,
            void *user)
{
    Collect *c = user;
    gboolean prot = otr_store_key_is_protected(c->store, account, protocol);
    gboolean take = FALSE;

    switch (c->pick) {
    case PICK_ALL:
        take = TRUE;
        break;
    case PICK_LOCKED:
        take = key == NULL;
        break;
    case PICK_PROTECTED:
        take = prot;
        break;
    case PICK_PLAIN:
        take = key != NULL && !prot;
        break;
    }
    if (take) {
        g_ptr_array_add(c->ids, g_strdup(account));
        g_ptr_array_add(c->ids, g_strdup(protocol));
    }
}

/* (account, protocol) pairs, flat; g_ptr_array_unref. */
static GPtrArray *
collect(OtrPlugin *pl, Pick pick)
{
    Collect c = { pl->store, pick, g_ptr_array_new_with_free_func(g_free) };

    otr_store_key_foreach(pl->store, collect_one, &c);
    return c.ids;
}

static guint
count(OtrPlugin *pl, Pick pick)
{
    GPtrArray *ids = collect(pl, pick);
    guint n = ids->len / 2;

    g_ptr_array_unref(ids);
    return n;
}

gboolean
otr_plugin_pass_is_set(void)
{
    OtrPlugin *pl = otr_plugin_get();

    return pl && (pl->pass_on || count(pl, PICK_PROTECTED) > 0);
}

gboolean
otr_plugin_pass_is_locked(PurpleAccount *account)
{
    OtrPlugin *pl = otr_plugin_get();

    return pl && account &&
           otr_store_key_is_locked(pl->store,
                                   purple_account_get_username(account),
                                   purple_account_get_protocol_id(account));
}

/* ---- Files -------------------------------------------------------------- */

/* Keeps the sealed lines to check a passphrase against later. */
static void
remember_sealed(OtrPlugin *pl)
{
    g_free(pl->pass_check);
    pl->pass_check = otr_store_sealed_serialize(pl->store, NULL);
}

void
otr_plugin_pass_load(OtrPlugin *pl)
{
    GError *error = NULL;
    char *p = sealed_path(pl);

    if (!otr_store_sealed_load(pl->store, p, &error)) {
        purple_debug_error("offrec", "%s: %s\n", p,
                           error ? error->message : "failed");
        g_clear_error(&error);
    }
    g_free(p);
    pl->pass_on = count(pl, PICK_PROTECTED) > 0;
    if (pl->pass_on)
        remember_sealed(pl);
}

/* Writes the sealed file, or removes it when no key is protected. */
gboolean
otr_plugin_pass_save(void)
{
    OtrPlugin *pl = otr_plugin_get();
    GError *error = NULL;
    gboolean ok = TRUE;
    char *p;

    if (!pl)
        return FALSE;
    p = sealed_path(pl);
    if (count(pl, PICK_PROTECTED) > 0) {
        ok = otr_store_sealed_save(pl->store, p, &error);
        if (ok)
            remember_sealed(pl);
    } else if (g_unlink(p) != 0 && errno != ENOENT) {
        purple_debug_error("offrec", "removing %s: %s\n", p, g_strerror(errno));
        ok = FALSE;
    }
    if (!ok && error) {
        purple_debug_error("offrec", "saving %s: %s\n", p, error->message);
        g_clear_error(&error);
    }
    g_free(p);
    return ok;
}

/* ---- Unlocking ---------------------------------------------------------- */

/* Unlocks every locked key that pass opens; *opened gets how many did.
 * TRUE when no key is left locked. */
static gboolean
unlock_with(OtrPlugin *pl, const char *pass, guint *opened)
{
    GPtrArray *ids = collect(pl, PICK_LOCKED);
    guint left = 0;

    *opened = 0;
    for (guint i = 0; i + 1 < ids->len; i += 2) {
        const char *user = ids->pdata[i], *proto = ids->pdata[i + 1];
        GError *error = NULL;
        PurpleAccount *account;

        if (!otr_store_key_unlock(pl->store, user, proto, pass, &error)) {
            otr_plugin_debug("unlocking the key of %s (%s): %s", user, proto,
                             error ? error->message : "failed");
            g_clear_error(&error);
            left++;
            continue;
        }
        (*opened)++;
        otr_plugin_debug("key of %s (%s) unlocked", user, proto);
        account = purple_accounts_find(user, proto);
        if (account)
            otr_plugin_keys_resume(account);
    }
    g_ptr_array_unref(ids);
    return left == 0;
}

gboolean
otr_plugin_pass_unlock(const char *pass, char **error)
{
    OtrPlugin *pl = otr_plugin_get();
    guint opened;

    if (!pl)
        return FALSE;
    if (count(pl, PICK_LOCKED) == 0)
        return TRUE;
    if (!pass) {
        otr_plugin_pass_ask_unlock();
        set_error(error, g_strdup(_("Enter your passphrase in the dialog.")));
        return FALSE;
    }
    if (unlock_with(pl, pass, &opened)) {
        void *ui = pl->unlock_ui;

        pl->unlock_ui = NULL;
        if (ui)
            purple_request_close(PURPLE_REQUEST_INPUT, ui);
        return TRUE;
    }
    set_error(error, g_strdup(opened ? _("Some keys use another passphrase.")
                                     : _("Wrong passphrase.")));
    return FALSE;
}

static void
unlock_ok(gpointer data, const char *text)
{
    OtrPlugin *pl = otr_plugin_get();
    char *pass = g_strdup(text ? text : "");
    guint opened;
    gboolean done;

    if (!pl)
        goto out;
    pl->unlock_ui = NULL;
    done = unlock_with(pl, pass, &opened);
    if (!done)
        ask_unlock(pl, opened ? _("Some keys were unlocked; the others use "
                                  "another passphrase. Please enter it.")
                              : _("Wrong passphrase. Please try again."));
out:
    wipe_free(pass);
}

static void
unlock_cancel(gpointer data, const char *text)
{
    OtrPlugin *pl = otr_plugin_get();

    if (pl)
        pl->unlock_ui = NULL;
    otr_plugin_debug("unlocking the private keys was cancelled");
}

static void
ask_unlock(OtrPlugin *pl, const char *why)
{
    GString *accounts = g_string_new(NULL);
    GPtrArray *ids = collect(pl, PICK_LOCKED);
    char *secondary;

    for (guint i = 0; i + 1 < ids->len; i += 2)
        g_string_append_printf(accounts, "\n%s (%s)", (char *)ids->pdata[i],
                               (char *)ids->pdata[i + 1]);
    g_ptr_array_unref(ids);
    secondary = g_strdup_printf(_("Your OTR private keys are protected by a "
                                  "passphrase. Private conversations of these "
                                  "accounts wait until you unlock them:%s"),
                                accounts->str);
    g_string_free(accounts, TRUE);
    pl->unlock_ui =
        purple_request_input(pl->handle, _("Unlock OTR private keys"),
                             why ? why : _("Enter your OTR passphrase"),
                             secondary, NULL, FALSE, TRUE, NULL, _("_Unlock"),
                             G_CALLBACK(unlock_ok), _("_Cancel"),
                             G_CALLBACK(unlock_cancel), NULL, NULL, NULL, NULL);
    g_free(secondary);
}

void
otr_plugin_pass_ask_unlock(void)
{
    OtrPlugin *pl = otr_plugin_get();

    if (!pl || pl->unlock_ui || count(pl, PICK_LOCKED) == 0)
        return;
    ask_unlock(pl, NULL);
}

/* ---- Setting, changing, removing ---------------------------------------- */

/* TRUE when pass opens the first key of the last sealed file loaded or
 * saved: checked on a copy, so the keys in use stay untouched, and still
 * possible after the only protected key was replaced by a new one. */
static gboolean
pass_matches(OtrPlugin *pl, const char *pass)
{
    OtrStore *tmp = otr_store_new();
    Collect c = { tmp, PICK_LOCKED, g_ptr_array_new_with_free_func(g_free) };
    gboolean ok = FALSE;

    if (pl->pass_check &&
        otr_store_sealed_parse(tmp, pl->pass_check, strlen(pl->pass_check),
                               SEALED_FILE, NULL))
        otr_store_key_foreach(tmp, collect_one, &c);
    if (c.ids->len >= 2)
        ok = otr_store_key_unlock(tmp, c.ids->pdata[0], c.ids->pdata[1], pass,
                                  NULL);
    otr_store_free(tmp);
    g_ptr_array_unref(c.ids);
    return ok;
}

/* Seals the keys picked with pass; FALSE with *error on the first
 * failure. */
static gboolean
protect_keys(OtrPlugin *pl, Pick pick, const char *pass, char **error)
{
    GPtrArray *ids = collect(pl, pick);
    gboolean ok = TRUE;

    for (guint i = 0; ok && i + 1 < ids->len; i += 2) {
        GError *err = NULL;

        ok = otr_store_key_protect(pl->store, ids->pdata[i], ids->pdata[i + 1],
                                   pass, 0, &err);
        if (!ok) {
            set_error(error, g_strdup_printf(_("The key of %s (%s) could not "
                                               "be protected: %s"),
                                             (char *)ids->pdata[i],
                                             (char *)ids->pdata[i + 1],
                                             err ? err->message : "?"));
            g_clear_error(&err);
        }
    }
    g_ptr_array_unref(ids);
    return ok;
}

gboolean
otr_plugin_pass_set(const char *pass, char **error)
{
    OtrPlugin *pl = otr_plugin_get();
    gboolean ok;

    if (!pl)
        return FALSE;
    if (!pass || !*pass) {
        set_error(error, g_strdup(_("The passphrase is empty.")));
        return FALSE;
    }
    if (count(pl, PICK_LOCKED) > 0) {
        set_error(error, g_strdup(_("Unlock your private keys first.")));
        return FALSE;
    }
    if (count(pl, PICK_ALL) == 0) {
        set_error(error, g_strdup(_("You have no private key to protect "
                                    "yet.")));
        return FALSE;
    }
    ok = protect_keys(pl, PICK_ALL, pass, error);
    pl->pass_on = TRUE; /* new keys get sealed too */
    /* Sealed file first: a crash in between leaves the keys in both. */
    if (!otr_plugin_pass_save() && ok) {
        set_error(error, g_strdup(_("The protected keys could not be "
                                    "saved.")));
        ok = FALSE;
    }
    if (ok)
        otr_plugin_keys_save_plain();
    otr_plugin_debug("passphrase %s", ok ? "set" : "not set");
    return ok;
}

gboolean
otr_plugin_pass_clear(char **error)
{
    OtrPlugin *pl = otr_plugin_get();
    GPtrArray *ids;

    if (!pl)
        return FALSE;
    if (count(pl, PICK_LOCKED) > 0) {
        set_error(error, g_strdup(_("Unlock your private keys first.")));
        return FALSE;
    }
    pl->pass_on = FALSE;
    g_clear_pointer(&pl->pass_check, g_free);
    ids = collect(pl, PICK_PROTECTED);
    for (guint i = 0; i + 1 < ids->len; i += 2)
        otr_store_key_unprotect(pl->store, ids->pdata[i], ids->pdata[i + 1],
                                NULL);
    g_ptr_array_unref(ids);
    /* Plain file first here: the keys must never be in neither file. */
    if (!otr_plugin_keys_save_plain()) {
        set_error(error, g_strdup(_("The private keys could not be saved.")));
        return FALSE;
    }
    otr_plugin_pass_save();
    otr_plugin_debug("passphrase removed");
    return TRUE;
}

gboolean
otr_plugin_pass_export(const char *path, char **error)
{
    OtrPlugin *pl = otr_plugin_get();
    GError *err = NULL;

    if (!pl)
        return FALSE;
    if (!path || !*path) {
        set_error(error, g_strdup(_("No file name given.")));
        return FALSE;
    }
    if (!otr_store_keys_export(pl->store, path, &err)) {
        set_error(error, g_strdup_printf(_("Export failed: %s"),
                                         err ? err->message : "?"));
        g_clear_error(&err);
        return FALSE;
    }
    return TRUE;
}

/* ---- New keys while a passphrase is set ---------------------------------- */

/* A masked passphrase field and, when no sealed key can check it, a
 * confirmation field. */
static PurpleRequestFields *
pass_fields(const char *first_label, gboolean confirm)
{
    PurpleRequestFields *fields = purple_request_fields_new();
    PurpleRequestFieldGroup *group = purple_request_field_group_new(NULL);
    PurpleRequestField *f;

    purple_request_fields_add_group(fields, group);
    f = purple_request_field_string_new("passphrase", first_label, NULL, FALSE);
    purple_request_field_string_set_masked(f, TRUE);
    purple_request_field_set_required(f, TRUE);
    purple_request_field_group_add_field(group, f);
    if (confirm) {
        f = purple_request_field_string_new("confirm", _("Confirm passphrase"),
                                            NULL, FALSE);
        purple_request_field_string_set_masked(f, TRUE);
        purple_request_field_set_required(f, TRUE);
        purple_request_field_group_add_field(group, f);
    }
    return fields;
}

static void
protect_ok(gpointer data, PurpleRequestFields *fields)
{
    OtrPlugin *pl = otr_plugin_get();
    const char *a = purple_request_fields_get_string(fields, "passphrase");
    const char *c = purple_request_fields_get_string(fields, "confirm");
    char *pass = g_strdup(a ? a : ""), *error = NULL;
    gboolean check;

    if (!pl)
        goto out;
    pl->protect_ui = NULL;
    check = pl->pass_check != NULL;
    if (!*pass) {
        ask_protect(pl, _("The passphrase is empty. Please try again."));
        goto out;
    }
    if (check ? !pass_matches(pl, pass) : g_strcmp0(pass, c ? c : "") != 0) {
        ask_protect(pl, check ? _("Wrong passphrase. Please try again.")
                              : _("The passphrases do not match. Please try "
                                  "again."));
        goto out;
    }
    if (!protect_keys(pl, PICK_PLAIN, pass, &error)) {
        purple_debug_error("offrec", "%s\n", error);
        g_free(error);
    }
    otr_plugin_keys_save_keys();
out:
    wipe_free(pass);
}

static void
protect_cancel(gpointer data, PurpleRequestFields *fields)
{
    OtrPlugin *pl = otr_plugin_get();

    if (!pl)
        return;
    pl->protect_ui = NULL;
    /* Not protected: kept in the plain file rather than lost. */
    otr_plugin_keys_save_keys();
    purple_notify_warning(pl->handle, _("OTR private key not protected"),
                          _("The new private key is not protected by your "
                            "passphrase."),
                          _("It was saved in the plain key file. Set the "
                            "passphrase again to protect it."));
}

static void
ask_protect(OtrPlugin *pl, const char *why)
{
    gboolean check = pl->pass_check != NULL;

    pl->protect_ui = purple_request_fields(
        pl->handle, _("Protect new OTR private key"),
        why ? why : _("Enter your OTR passphrase"),
        _("A new private key was added. Enter your passphrase to protect "
          "it like your other keys."),
        pass_fields(_("Passphrase"), !check), _("_Protect"),
        G_CALLBACK(protect_ok), _("_Cancel"), G_CALLBACK(protect_cancel), NULL,
        NULL, NULL, NULL);
    if (!pl->protect_ui)
        otr_plugin_keys_save_keys(); /* no UI: keep the key */
}

void
otr_plugin_pass_new_keys(void)
{
    OtrPlugin *pl = otr_plugin_get();

    if (!pl)
        return;
    if (!pl->pass_on || count(pl, PICK_PLAIN) == 0) {
        otr_plugin_keys_save_keys();
        return;
    }
    if (!pl->protect_ui)
        ask_protect(pl, NULL);
}

/* ---- The plugin's own set-passphrase dialog (for /otr passphrase) -------- */

static void
dialog_ok(gpointer data, PurpleRequestFields *fields)
{
    OtrPlugin *pl = otr_plugin_get();
    const char *a = purple_request_fields_get_string(fields, "passphrase");
    const char *b = purple_request_fields_get_string(fields, "confirm");
    char *pass = g_strdup(a ? a : ""), *error = NULL;

    if (!pl)
        goto out;
    if (g_strcmp0(pass, b ? b : "") != 0) {
        purple_notify_error(pl->handle, _("OTR passphrase"),
                            _("The passphrases do not match."),
                            _("Nothing was changed."));
        goto out;
    }
    if (otr_plugin_pass_set(pass, &error))
        purple_notify_info(pl->handle, _("OTR passphrase"),
                           _("Your private keys are protected by the "
                             "passphrase."),
                           NULL);
    else
        purple_notify_error(pl->handle, _("OTR passphrase"),
                            _("The passphrase was not set."), error);
    g_free(error);
out:
    wipe_free(pass);
}

void
otr_plugin_pass_dialog(void)
{
    OtrPlugin *pl = otr_plugin_get();
    PurpleRequestFields *fields;

    if (!pl)
        return;
    fields = pass_fields(_("New passphrase"), TRUE);
    purple_request_fields(pl->handle, _("OTR passphrase"),
                          otr_plugin_pass_is_set()
                              ? _("Change the passphrase of your OTR "
                                  "private keys")
                              : _("Protect your OTR private keys with a "
                                  "passphrase"),
                          _("You will be asked for it each time the keys are "
                            "loaded. Without "
                            "it the keys cannot be used."),
                          fields, _("_Set"), G_CALLBACK(dialog_ok),
                          _("_Cancel"), NULL, NULL, NULL, NULL, NULL);
}
