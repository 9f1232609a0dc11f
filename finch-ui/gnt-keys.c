/* Offrec Finch front-end — "My private keys" (fingerprints, generate,
 * import) and the non-blocking key generation progress windows.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <string.h>

#include "finch-private.h"

typedef struct {
    GntWidget *win, *tree;
} KeysWin;

typedef struct {
    PurpleAccount *account;
    GntWidget *win, *label, *bar, *button;
    gboolean running;
    gboolean asked; /* started from "My private keys": show the result */
} KeygenWin;

static KeysWin *kw;
static GList *keygens;       /* KeygenWin* */
static gboolean user_keygen; /* the next STARTED is the user's Generate */

static void
keys_fill(void)
{
    OtrFinch *fin = otr_finch_get();
    PurpleAccount *sel;

    if (!fin || !kw)
        return;
    sel = gnt_tree_get_selection_data(GNT_TREE(kw->tree));
    gnt_tree_remove_all(GNT_TREE(kw->tree));
    for (GList *l = purple_accounts_get_all(); l; l = l->next) {
        PurpleAccount *a = l->data;
        char *fpr = fin->api->own_fingerprint(a);
        int pct = fin->api->keygen_progress(a);
        char *state =
            pct >= 0 ? g_strdup_printf(_("generating (%d%%)"), pct) : NULL;

        gnt_tree_add_row_last(
            GNT_TREE(kw->tree), a,
            gnt_tree_create_row(GNT_TREE(kw->tree),
                                purple_account_get_username(a),
                                purple_account_get_protocol_name(a),
                                state ? state
                                : fpr ? fpr
                                      : _("no key yet")),
            NULL);
        g_free(fpr);
        g_free(state);
    }
    if (sel && g_list_find(purple_accounts_get_all(), sel))
        gnt_tree_set_selected(GNT_TREE(kw->tree), sel);
}

static PurpleAccount *
keys_selected(void)
{
    PurpleAccount *a =
        kw ? gnt_tree_get_selection_data(GNT_TREE(kw->tree)) : NULL;

    return a && g_list_find(purple_accounts_get_all(), a) ? a : NULL;
}

static void
do_generate(PurpleAccount *a)
{
    OtrFinch *fin = otr_finch_get();

    if (!fin || !a || !g_list_find(purple_accounts_get_all(), a))
        return;
    user_keygen = TRUE;
    if (!fin->api->keygen_start(a))
        purple_notify_message(fin->plugin, PURPLE_NOTIFY_MSG_ERROR,
                              _("Generating private key"),
                              _("The key generation could not be started."),
                              NULL, NULL, NULL);
    user_keygen = FALSE;
    keys_fill();
}

static void
confirm_generate(gpointer account, int choice)
{
    if (choice == 0)
        do_generate(account);
}

static void
on_generate(GntWidget *b, gpointer unused)
{
    OtrFinch *fin = otr_finch_get();
    PurpleAccount *a = keys_selected();
    char *fpr;

    if (!fin || !a)
        return;
    fpr = fin->api->own_fingerprint(a);
    if (!fpr) {
        do_generate(a);
        return;
    }
    g_free(fpr);
    purple_request_action(fin->plugin, _("Replace private key"),
                          _("This account already has a private key."),
                          _("A new key changes your fingerprint: your buddies "
                            "will have to verify you again. Replace it?"),
                          1, a, NULL, NULL, a, 2, _("Replace"),
                          PURPLE_CALLBACK(confirm_generate), _("Cancel"),
                          PURPLE_CALLBACK(confirm_generate));
}

/* Import from another OTR client: which client, and where its files are. */
typedef struct {
    GntWidget *win, *kind, *path;
} ImportWin;

static ImportWin *iw;

static const char *
import_default(OffrecImportKind kind)
{
    switch (kind) {
    case OFFREC_IMPORT_PIDGIN_OTR:
        return purple_user_dir();
    case OFFREC_IMPORT_IRSSI:
        return "~/.irssi/otr";
    case OFFREC_IMPORT_MCABBER:
        return "~/.mcabber/otr";
    case OFFREC_IMPORT_PROFANITY:
        return "~/.local/share/profanity/otr";
    case OFFREC_IMPORT_BITLBEE:
        return "/var/lib/bitlbee";
    }
    return "";
}

static void
import_kind_changed(GntWidget *c, gpointer old, gpointer new, gpointer unused)
{
    if (iw)
        gnt_entry_set_text(GNT_ENTRY(iw->path),
                           import_default(
                               (OffrecImportKind)(GPOINTER_TO_INT(new) - 1)));
}

static void
import_run(GntWidget *b, gpointer unused)
{
    OtrFinch *fin = otr_finch_get();
    OffrecImportKind kind;
    const char *text;
    char *path, *summary = NULL;
    gboolean ok;

    if (!fin || !iw)
        return;
    kind = (OffrecImportKind)(GPOINTER_TO_INT(gnt_combo_box_get_selected_data(
                                  GNT_COMBO_BOX(iw->kind))) -
                              1);
    text = gnt_entry_get_text(GNT_ENTRY(iw->path));
    path = text && text[0] == '~'
               ? g_build_filename(g_get_home_dir(), text + 1, NULL)
               : g_strdup(text);
    ok = fin->api->import_client(kind, path && *path ? path : NULL, &summary);
    gnt_widget_destroy(iw->win);
    purple_notify_message(fin->plugin,
                          ok ? PURPLE_NOTIFY_MSG_INFO : PURPLE_NOTIFY_MSG_ERROR,
                          _("Import OTR keys"),
                          ok ? _("Imported.") : _("Nothing was imported."),
                          summary, NULL, NULL);
    g_free(summary);
    g_free(path);
    keys_fill();
}

static void
import_cancel(GntWidget *b, gpointer unused)
{
    if (iw)
        gnt_widget_destroy(iw->win);
}

static void
import_destroyed(GntWidget *w, gpointer unused)
{
    g_clear_pointer(&iw, g_free);
}

static void
on_import(GntWidget *b, gpointer unused)
{
    static const char *const names[] = {
        [OFFREC_IMPORT_PIDGIN_OTR] = "pidgin-otr",
        [OFFREC_IMPORT_IRSSI] = "irssi",
        [OFFREC_IMPORT_MCABBER] = "mcabber",
        [OFFREC_IMPORT_PROFANITY] = "profanity",
        [OFFREC_IMPORT_BITLBEE] = "bitlbee",
    };
    GntWidget *row;

    if (!otr_finch_get())
        return;
    if (iw) {
        gnt_widget_show(iw->win);
        return;
    }
    iw = g_new0(ImportWin, 1);
    iw->win = otr_finch_window_new(_("Import OTR keys"));
    gnt_box_add_widget(GNT_BOX(iw->win),
                       gnt_label_new(_("Import the keys, fingerprints and "
                                       "instance tags of another OTR "
                                       "client.\nmcabber and bitlbee: the "
                                       "directory or one account's key "
                                       "file.")));
    iw->kind = gnt_combo_box_new();
    /* Data 1..n: a NULL (0) selection would be ambiguous. */
    for (guint k = 0; k < G_N_ELEMENTS(names); k++)
        gnt_combo_box_add_data(GNT_COMBO_BOX(iw->kind), GINT_TO_POINTER(k + 1),
                               names[k]);
    row = gnt_hbox_new(FALSE);
    gnt_box_add_widget(GNT_BOX(row), gnt_label_new(_("Client:")));
    gnt_box_add_widget(GNT_BOX(row), iw->kind);
    gnt_box_add_widget(GNT_BOX(iw->win), row);
    iw->path = gnt_entry_new(import_default(OFFREC_IMPORT_PIDGIN_OTR));
    gnt_widget_set_size(iw->path, 50, 1);
    row = gnt_hbox_new(FALSE);
    gnt_box_add_widget(GNT_BOX(row), gnt_label_new(_("Files in:")));
    gnt_box_add_widget(GNT_BOX(row), iw->path);
    gnt_box_add_widget(GNT_BOX(iw->win), row);
    gnt_combo_box_set_selected(GNT_COMBO_BOX(iw->kind), GINT_TO_POINTER(1));
    g_signal_connect(G_OBJECT(iw->kind), "selection-changed",
                     G_CALLBACK(import_kind_changed), NULL);
    row = otr_finch_button_row(iw->win);
    otr_finch_button_add(row, _("Import"), G_CALLBACK(import_run), NULL);
    otr_finch_button_add(row, _("Cancel"), G_CALLBACK(import_cancel), NULL);
    g_signal_connect(G_OBJECT(iw->win), "destroy", G_CALLBACK(import_destroyed),
                     NULL);
    gnt_widget_show(iw->win);
}

/* Passphrase window: set / change / remove, export to a plain file. */
typedef struct {
    GntWidget *win, *pass, *confirm, *path;
} PassWin;

static PassWin *pw;

static gboolean
pass_api(OtrFinch *fin)
{
    return fin &&
           fin->api->size >= G_STRUCT_OFFSET(OffrecApi, export_plain) +
                                 sizeof(fin->api->export_plain) &&
           fin->api->passphrase_set && fin->api->passphrase_clear &&
           fin->api->passphrase_is_set && fin->api->export_plain;
}

static void
pass_result(gboolean ok, const char *primary, char *error)
{
    OtrFinch *fin = otr_finch_get();

    if (fin)
        purple_notify_message(fin->plugin,
                              ok ? PURPLE_NOTIFY_MSG_INFO
                                 : PURPLE_NOTIFY_MSG_ERROR,
                              _("OTR passphrase"), primary, error, NULL, NULL);
    g_free(error);
}

static void
pass_close(GntWidget *b, gpointer unused)
{
    if (!pw)
        return;
    otr_finch_entry_wipe(GNT_ENTRY(pw->pass));
    otr_finch_entry_wipe(GNT_ENTRY(pw->confirm));
    gnt_widget_destroy(pw->win);
}

static void
pass_set(GntWidget *b, gpointer unused)
{
    OtrFinch *fin = otr_finch_get();
    const char *a, *c;
    char *error = NULL;
    gboolean ok;

    if (!pass_api(fin) || !pw)
        return;
    a = gnt_entry_get_text(GNT_ENTRY(pw->pass));
    c = gnt_entry_get_text(GNT_ENTRY(pw->confirm));
    if (!a || !*a || g_strcmp0(a, c) != 0) {
        pass_result(FALSE,
                    !a || !*a ? _("Enter the new passphrase twice.")
                              : _("The passphrases do not match."),
                    NULL);
        return;
    }
    ok = fin->api->passphrase_set(a, &error);
    pass_close(NULL, NULL);
    pass_result(ok,
                ok ? _("Your private keys are protected by the passphrase.")
                   : _("The passphrase was not set."),
                error);
}

static void
pass_remove(GntWidget *b, gpointer unused)
{
    OtrFinch *fin = otr_finch_get();
    char *error = NULL;
    gboolean ok;

    if (!pass_api(fin))
        return;
    ok = fin->api->passphrase_clear(&error);
    pass_close(NULL, NULL);
    pass_result(ok,
                ok ? _("Your private keys are no longer protected by a "
                       "passphrase.")
                   : _("The passphrase was not removed."),
                error);
}

static void
pass_export(GntWidget *b, gpointer unused)
{
    OtrFinch *fin = otr_finch_get();
    const char *text;
    char *path, *error = NULL;
    gboolean ok;

    if (!pass_api(fin) || !pw)
        return;
    text = gnt_entry_get_text(GNT_ENTRY(pw->path));
    path = text && text[0] == '~'
               ? g_build_filename(g_get_home_dir(), text + 1, NULL)
               : g_strdup(text);
    ok = fin->api->export_plain(path, &error);
    pass_result(ok,
                ok ? _("Your private keys were written, unprotected, in "
                       "the libotr format.")
                   : _("The private keys were not exported."),
                error);
    g_free(path);
}

static void
pass_destroyed(GntWidget *w, gpointer unused)
{
    /* "destroy" handlers run before the box destroys its children. */
    if (pw) {
        otr_finch_entry_wipe(GNT_ENTRY(pw->pass));
        otr_finch_entry_wipe(GNT_ENTRY(pw->confirm));
    }
    g_clear_pointer(&pw, g_free);
}

static GntWidget *
pass_entry(GntWidget *box, const char *label, gboolean masked)
{
    GntWidget *row = gnt_hbox_new(FALSE);
    GntWidget *e = gnt_entry_new(NULL);

    gnt_entry_set_masked(GNT_ENTRY(e), masked);
    gnt_widget_set_size(e, 40, 1);
    gnt_box_add_widget(GNT_BOX(row), gnt_label_new(label));
    gnt_box_add_widget(GNT_BOX(row), e);
    gnt_box_add_widget(GNT_BOX(box), row);
    return e;
}

static void
on_passphrase(GntWidget *b, gpointer unused)
{
    OtrFinch *fin = otr_finch_get();
    gboolean set;
    GntWidget *row;
    char *def;

    if (!fin)
        return;
    if (!pass_api(fin)) {
        pass_result(FALSE,
                    _("The Offrec core plugin is too old for passphrase "
                      "protection."),
                    NULL);
        return;
    }
    if (pw) {
        gnt_widget_show(pw->win);
        return;
    }
    set = fin->api->passphrase_is_set();
    pw = g_new0(PassWin, 1);
    pw->win = otr_finch_window_new(_("OTR passphrase"));
    gnt_box_add_widget(
        GNT_BOX(pw->win),
        gnt_label_new(set ? _("Your private keys are protected by a "
                              "passphrase. Enter a new one to change it.")
                          : _("Your private keys are not protected. A "
                              "passphrase will be asked each time they are "
                              "loaded.")));
    pw->pass = pass_entry(pw->win, _("New passphrase:"), TRUE);
    pw->confirm = pass_entry(pw->win, _("Confirm passphrase:"), TRUE);
    row = otr_finch_button_row(pw->win);
    otr_finch_button_add(row, set ? _("Change") : _("Set"),
                         G_CALLBACK(pass_set), NULL);
    if (set)
        otr_finch_button_add(row, _("Remove"), G_CALLBACK(pass_remove), NULL);
    otr_finch_button_add(row, _("Cancel"), G_CALLBACK(pass_close), NULL);
    gnt_box_add_widget(GNT_BOX(pw->win), gnt_line_new(FALSE));
    def = g_build_filename(g_get_home_dir(), "otr.private_key.export", NULL);
    pw->path = pass_entry(pw->win, _("Export to:"), FALSE);
    gnt_entry_set_text(GNT_ENTRY(pw->path), def);
    g_free(def);
    row = otr_finch_button_row(pw->win);
    otr_finch_button_add(row, _("Export plain keys"), G_CALLBACK(pass_export),
                         NULL);
    g_signal_connect(G_OBJECT(pw->win), "destroy", G_CALLBACK(pass_destroyed),
                     NULL);
    gnt_widget_show(pw->win);
}

static void
keys_close(GntWidget *b, gpointer unused)
{
    if (kw)
        gnt_widget_destroy(kw->win);
}

static void
keys_destroyed(GntWidget *w, gpointer unused)
{
    g_clear_pointer(&kw, g_free);
}

void
otr_finch_keys_open(void)
{
    GntWidget *row;

    if (kw) {
        keys_fill();
        gnt_widget_show(kw->win);
        return;
    }
    kw = g_new0(KeysWin, 1);
    kw->win = otr_finch_window_new(_("My private keys"));
    kw->tree = gnt_tree_new_with_columns(3);
    gnt_tree_set_column_titles(GNT_TREE(kw->tree), _("Account"), _("Protocol"),
                               _("Fingerprint"));
    gnt_tree_set_show_title(GNT_TREE(kw->tree), TRUE);
    gnt_tree_set_col_width(GNT_TREE(kw->tree), 0, 30);
    gnt_tree_set_col_width(GNT_TREE(kw->tree), 1, 10);
    gnt_tree_set_col_width(GNT_TREE(kw->tree), 2, 46);
    gnt_widget_set_size(kw->tree, 90, 6);
    gnt_box_add_widget(GNT_BOX(kw->win), kw->tree);
    row = otr_finch_button_row(kw->win);
    otr_finch_button_add(row, _("Generate"), G_CALLBACK(on_generate), NULL);
    otr_finch_button_add(row, _("Import..."), G_CALLBACK(on_import), NULL);
    otr_finch_button_add(row, _("Passphrase..."), G_CALLBACK(on_passphrase),
                         NULL);
    otr_finch_button_add(row, _("Close"), G_CALLBACK(keys_close), NULL);
    g_signal_connect(G_OBJECT(kw->win), "destroy", G_CALLBACK(keys_destroyed),
                     NULL);
    keys_fill();
    gnt_widget_show(kw->win);
}

/* Key generation progress: one window per account, Cancel while running. */
static void
keygen_destroyed(GntWidget *w, KeygenWin *k)
{
    keygens = g_list_remove(keygens, k);
    g_free(k);
}

static void
keygen_button(GntWidget *b, KeygenWin *k)
{
    OtrFinch *fin = otr_finch_get();

    if (k->running && fin && g_list_find(purple_accounts_get_all(), k->account))
        fin->api->keygen_cancel(k->account); /* FAILED follows */
    else
        gnt_widget_destroy(k->win);
}

static KeygenWin *
keygen_find(PurpleAccount *a)
{
    for (GList *l = keygens; l; l = l->next)
        if (((KeygenWin *)l->data)->account == a)
            return l->data;
    return NULL;
}

static KeygenWin *
keygen_open(PurpleAccount *a)
{
    KeygenWin *k = keygen_find(a);
    char *t;

    if (k)
        return k;
    k = g_new0(KeygenWin, 1);
    k->account = a;
    k->win = otr_finch_window_new(_("Generating private key"));
    t = g_strdup_printf(_("Generating a private key for %s (%s).\nThis may "
                          "take a moment; Finch stays usable meanwhile."),
                        purple_account_get_username(a),
                        purple_account_get_protocol_name(a));
    k->label = gnt_label_new(t);
    g_free(t);
    gnt_box_add_widget(GNT_BOX(k->win), k->label);
    k->bar = gnt_progress_bar_new();
    gnt_widget_set_size(k->bar, 40, 1);
    gnt_box_add_widget(GNT_BOX(k->win), k->bar);
    k->button = otr_finch_button_add(otr_finch_button_row(k->win), _("Cancel"),
                                     G_CALLBACK(keygen_button), k);
    g_signal_connect(G_OBJECT(k->win), "destroy", G_CALLBACK(keygen_destroyed),
                     k);
    keygens = g_list_prepend(keygens, k);
    gnt_widget_show(k->win);
    return k;
}

static void
keygen_progress(PurpleAccount *a, int pct, int ev, gpointer unused)
{
    OtrFinch *fin = otr_finch_get();
    KeygenWin *k;
    char *fpr, *t;

    if (!fin || !a)
        return;
    k = ev == OFFREC_KEYGEN_STARTED ? keygen_open(a) : keygen_find(a);
    if (k) {
        switch ((OffrecKeygenEvent)ev) {
        case OFFREC_KEYGEN_STARTED:
            k->asked = k->asked || user_keygen;
            user_keygen = FALSE;
            k->running = TRUE;
            gnt_progress_bar_set_fraction(GNT_PROGRESS_BAR(k->bar),
                                          CLAMP(pct, 0, 100) / 100.0);
            break;
        case OFFREC_KEYGEN_PROGRESS:
            k->running = TRUE;
            gnt_progress_bar_set_fraction(GNT_PROGRESS_BAR(k->bar),
                                          CLAMP(pct, 0, 100) / 100.0);
            break;
        case OFFREC_KEYGEN_DONE:
            k->running = FALSE;
            fpr = fin->api->own_fingerprint(a);
            t = g_strdup_printf(_("Private key for %s ready.\nFingerprint: "
                                  "%s"),
                                purple_account_get_username(a),
                                fpr ? fpr : "?");
            purple_debug_info("offrec-gnt", "%s\n", t);
            if (k->asked) {
                /* The user pressed Generate: show the result. */
                gnt_progress_bar_set_fraction(GNT_PROGRESS_BAR(k->bar), 1.0);
                gnt_label_set_text(GNT_LABEL(k->label), t);
                gnt_button_set_text(GNT_BUTTON(k->button), _("Close"));
            } else {
                /* Started by a conversation, which continues by itself:
                 * the window has done its job and must not linger. */
                gnt_widget_destroy(k->win);
                k = NULL;
            }
            g_free(t);
            g_free(fpr);
            break;
        case OFFREC_KEYGEN_FAILED:
            k->running = FALSE;
            gnt_label_set_text(GNT_LABEL(k->label),
                               _("The key generation failed or was "
                                 "cancelled."));
            gnt_button_set_text(GNT_BUTTON(k->button), _("Close"));
            break;
        }
        if (k)
            gnt_widget_draw(k->win);
    }
    keys_fill();
}

void
otr_finch_keys_init(void)
{
    OtrFinch *fin = otr_finch_get();

    purple_signal_connect(fin->core, "otr-keygen-progress", fin->plugin,
                          PURPLE_CALLBACK(keygen_progress), NULL);
}

void
otr_finch_keys_uninit(void)
{
    if (kw)
        gnt_widget_destroy(kw->win);
    pass_close(NULL, NULL);
    while (keygens)
        gnt_widget_destroy(((KeygenWin *)keygens->data)->win);
}
