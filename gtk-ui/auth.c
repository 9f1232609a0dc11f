/* Offrec GTK front-end — the Authenticate Buddy wizard (SMP and manual).
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * One wizard per conversation. As the asking side it offers question and
 * answer, a shared secret, or manual fingerprint verification; as the
 * answering side (the buddy asked) it shows the question and takes the
 * answer. Progress and results come from "otr-smp-progress". Typed secrets
 * are copied once, handed to the API (which copies and wipes them) and
 * wiped here, and the entries are overwritten.
 */
#include <string.h>

#include "gtk-private.h"

enum { METHOD_QA, METHOD_SECRET, METHOD_MANUAL };
enum { RESPONSE_AUTH = 1 };

typedef struct {
    PurpleConversation *conv;
    GtkWidget *dialog;
    GtkWidget *intro;
    GtkWidget *method_box, *method;
    GtkWidget *pages;
    GtkWidget *question, *answer; /* page METHOD_QA (or the responder) */
    GtkWidget *asked;             /* responder: the buddy's question */
    GtkWidget *secret, *show;     /* page METHOD_SECRET */
    GtkWidget *verified;          /* page METHOD_MANUAL */
    GtkWidget *progress, *status;
    GtkWidget *auth_button, *cancel_button;
    gboolean responder, has_question, running, done;
    char *buddy_hex;
} Wizard;

static GHashTable *wizards; /* PurpleConversation* -> Wizard* */

static const char *
buddy_of(PurpleConversation *conv)
{
    return purple_normalize(purple_conversation_get_account(conv),
                            purple_conversation_get_name(conv));
}

static void
set_status(Wizard *w, const char *text, gboolean error)
{
    char *m = g_markup_printf_escaped(
        error ? "<span foreground='#a40000'><b>%s</b></span>" : "%s", text);

    gtk_label_set_markup(GTK_LABEL(w->status), m);
    g_free(m);
    otr_gtk_trace("auth %s: status: %s", buddy_of(w->conv), text);
}

static void
finish(Wizard *w)
{
    w->running = FALSE;
    w->done = TRUE;
    gtk_widget_hide(w->auth_button);
    gtk_button_set_label(GTK_BUTTON(w->cancel_button), _("_Close"));
}

static void
wipe_entries(Wizard *w)
{
    if (w->answer)
        otr_gtk_entry_wipe(GTK_ENTRY(w->answer));
    if (w->secret)
        otr_gtk_entry_wipe(GTK_ENTRY(w->secret));
}

static void
wizard_free(gpointer data)
{
    Wizard *w = data;

    g_free(w->buddy_hex);
    g_free(w);
}

static void
dialog_destroyed(GtkWidget *widget, Wizard *w)
{
    if (w->running && otr_gtk_api())
        otr_gtk_api()->smp_abort(w->conv);
    if (wizards)
        g_hash_table_remove(wizards, w->conv);
}

static char *
current_buddy_hex(PurpleConversation *conv)
{
    const OffrecApi *api = otr_gtk_api();
    GList *list, *l;
    char *hex = NULL;

    list = api->fingerprints(purple_conversation_get_account(conv),
                             buddy_of(conv));
    for (l = list; l; l = l->next) {
        OffrecFingerprint *f = l->data;

        if (f->in_use || !hex) {
            g_free(hex);
            hex = g_strdup(f->hex);
            if (f->in_use)
                break;
        }
    }
    api->fingerprints_free(list);
    return hex;
}

static void
run_smp(Wizard *w, int method)
{
    const OffrecApi *api = otr_gtk_api();
    char *q = NULL, *secret;
    gboolean ok;

    if (method == METHOD_QA && !w->responder) {
        q = g_strdup(gtk_entry_get_text(GTK_ENTRY(w->question)));
        if (!*g_strstrip(q)) {
            set_status(w, _("Type a question only your buddy can answer."),
                       TRUE);
            g_free(q);
            return;
        }
    }
    secret = g_strdup(gtk_entry_get_text(
        GTK_ENTRY(method == METHOD_SECRET ? w->secret : w->answer)));
    if (!*secret) {
        set_status(w, _("The answer must not be empty."), TRUE);
        goto out;
    }
    if (w->responder)
        ok = api->smp_respond(w->conv, secret);
    else
        ok = api->smp_start(w->conv, q, secret);
    wipe_entries(w);
    if (!ok) {
        set_status(w,
                   _("Authentication could not be started: is the "
                     "conversation private?"),
                   TRUE);
        goto out;
    }
    w->running = TRUE;
    gtk_widget_set_sensitive(w->auth_button, FALSE);
    gtk_widget_set_sensitive(w->pages, FALSE);
    if (w->method_box)
        gtk_widget_set_sensitive(w->method_box, FALSE);
    gtk_progress_bar_set_fraction(GTK_PROGRESS_BAR(w->progress), 0.2);
    set_status(w,
               w->responder ? _("Answer sent; waiting for the result...")
                            : _("Waiting for your buddy to answer..."),
               FALSE);
out:
    otr_gtk_wipe(secret);
    g_free(secret);
    g_free(q);
}

static void
run_manual(Wizard *w)
{
    const OffrecApi *api = otr_gtk_api();
    gboolean trust = gtk_combo_box_get_active(GTK_COMBO_BOX(w->verified)) == 1;

    if (!w->buddy_hex ||
        !api->fingerprint_verify(purple_conversation_get_account(w->conv),
                                 buddy_of(w->conv), w->buddy_hex, trust)) {
        set_status(w, _("The fingerprint could not be changed."), TRUE);
        return;
    }
    set_status(w,
               trust ? _("The fingerprint is now marked as verified.")
                     : _("The fingerprint is now marked as not verified."),
               FALSE);
    gtk_progress_bar_set_fraction(GTK_PROGRESS_BAR(w->progress), 1.0);
    finish(w);
}

static void
on_response(GtkDialog *d, int response, Wizard *w)
{
    int method;

    if (response != RESPONSE_AUTH) {
        if (w->running)
            otr_gtk_api()->smp_abort(w->conv);
        w->running = FALSE;
        wipe_entries(w);
        gtk_widget_destroy(w->dialog);
        return;
    }
    if (w->responder)
        method = w->has_question ? METHOD_QA : METHOD_SECRET;
    else
        method = gtk_combo_box_get_active(GTK_COMBO_BOX(w->method));
    if (method == METHOD_MANUAL)
        run_manual(w);
    else
        run_smp(w, method);
}

static void
method_changed(GtkComboBox *combo, Wizard *w)
{
    int m = gtk_combo_box_get_active(combo);

    gtk_notebook_set_current_page(GTK_NOTEBOOK(w->pages), m);
    gtk_button_set_label(GTK_BUTTON(w->auth_button),
                         m == METHOD_MANUAL ? _("_Save") : _("_Authenticate"));
    gtk_widget_grab_focus(m == METHOD_QA       ? w->question
                          : m == METHOD_SECRET ? w->secret
                                               : w->verified);
}

static void
show_toggled(GtkToggleButton *t, Wizard *w)
{
    gtk_entry_set_visibility(GTK_ENTRY(w->secret),
                             gtk_toggle_button_get_active(t));
}

static GtkWidget *
labelled_entry(GtkWidget *grid,
               int row,
               const char *label,
               const char *name,
               GtkWidget **entry)
{
    GtkWidget *l = gtk_label_new_with_mnemonic(label);

    *entry = gtk_entry_new();
    gtk_widget_set_name(*entry, name);
    gtk_entry_set_activates_default(GTK_ENTRY(*entry), TRUE);
    gtk_label_set_mnemonic_widget(GTK_LABEL(l), *entry);
    otr_gtk_label_left(l);
    otr_gtk_grid_attach(grid, l, 0, row);
    otr_gtk_grid_attach(grid, *entry, 1, row);
    otr_gtk_hexpand(*entry);
    return l;
}

static GtkWidget *
page_qa(Wizard *w)
{
    GtkWidget *grid = otr_gtk_grid_new();

    otr_gtk_grid_spacing(grid, 6);
    if (!w->responder)
        labelled_entry(grid, 0, _("_Question:"), "offrec-question",
                       &w->question);
    labelled_entry(grid, 1, _("A_nswer:"), "offrec-answer", &w->answer);
    return grid;
}

static GtkWidget *
page_secret(Wizard *w)
{
    GtkWidget *grid = otr_gtk_grid_new();

    otr_gtk_grid_spacing(grid, 6);
    labelled_entry(grid, 0, _("Shared _secret:"), "offrec-secret", &w->secret);
    gtk_entry_set_visibility(GTK_ENTRY(w->secret), FALSE);
    w->show = gtk_check_button_new_with_mnemonic(_("S_how the secret"));
    g_signal_connect(w->show, "toggled", G_CALLBACK(show_toggled), w);
    otr_gtk_grid_attach(grid, w->show, 1, 1);
    return grid;
}

static GtkWidget *
page_manual(Wizard *w)
{
    const OffrecApi *api = otr_gtk_api();
    PurpleAccount *acct = purple_conversation_get_account(w->conv);
    GtkWidget *grid = otr_gtk_grid_new(), *l;
    char *mine = api->own_fingerprint(acct), *theirs = NULL, *s;
    GList *list = api->fingerprints(acct, buddy_of(w->conv)), *i;

    w->buddy_hex = current_buddy_hex(w->conv);
    for (i = list; i && w->buddy_hex; i = i->next) {
        OffrecFingerprint *f = i->data;

        if (strcmp(f->hex, w->buddy_hex) == 0) {
            theirs = g_strdup(f->human);
            break;
        }
    }
    otr_gtk_grid_spacing(grid, 6);
    l = gtk_label_new(_("Compare the fingerprints over another channel you "
                        "trust, such as a phone call."));
    gtk_label_set_line_wrap(GTK_LABEL(l), TRUE);
    otr_gtk_grid_attach_wide(grid, l, 0, 0, 2);
    s = g_strdup_printf(_("Yours (%s):"), purple_account_get_username(acct));
    otr_gtk_grid_attach(grid, gtk_label_new(s), 0, 1);
    g_free(s);
    otr_gtk_grid_attach(grid,
                        otr_gtk_selectable_label(mine ? mine
                                                      : _("(no key yet)")),
                        1, 1);
    s = g_strdup_printf(_("%s's:"), buddy_of(w->conv));
    otr_gtk_grid_attach(grid, gtk_label_new(s), 0, 2);
    g_free(s);
    otr_gtk_grid_attach(grid,
                        otr_gtk_selectable_label(theirs ? theirs
                                                        : _("(not known yet)")),
                        1, 2);
    w->verified = gtk_combo_box_text_new();
    gtk_combo_box_text_append_text(GTK_COMBO_BOX_TEXT(w->verified),
                                   _("I have not verified"));
    gtk_combo_box_text_append_text(GTK_COMBO_BOX_TEXT(w->verified),
                                   _("I have verified"));
    gtk_combo_box_set_active(GTK_COMBO_BOX(w->verified), 0);
    for (i = list; i; i = i->next) {
        OffrecFingerprint *f = i->data;

        if (w->buddy_hex && strcmp(f->hex, w->buddy_hex) == 0 && f->trusted)
            gtk_combo_box_set_active(GTK_COMBO_BOX(w->verified), 1);
    }
    otr_gtk_grid_attach(grid, w->verified, 0, 3);
    s = g_strdup_printf(_("that this is in fact the correct fingerprint for "
                          "%s."),
                        buddy_of(w->conv));
    l = gtk_label_new(s);
    otr_gtk_label_left(l);
    otr_gtk_grid_attach(grid, l, 1, 3);
    g_free(s);
    api->fingerprints_free(list);
    g_free(mine);
    g_free(theirs);
    return grid;
}

static Wizard *
wizard_new(PurpleConversation *conv, gboolean responder, const char *question)
{
    Wizard *w = g_new0(Wizard, 1);
    GtkWidget *content, *vbox;
    char *title, *intro;

    w->conv = conv;
    w->responder = responder;
    w->has_question = question != NULL;
    title = g_strdup_printf(_("Authenticate %s"), buddy_of(conv));
    w->dialog = gtk_dialog_new();
    gtk_window_set_title(GTK_WINDOW(w->dialog), title);
    gtk_window_set_role(GTK_WINDOW(w->dialog), "offrec-auth");
    gtk_window_set_default_size(GTK_WINDOW(w->dialog), 460, -1);
    w->cancel_button = gtk_dialog_add_button(GTK_DIALOG(w->dialog),
                                             _("_Cancel"), GTK_RESPONSE_CANCEL);
    w->auth_button = gtk_dialog_add_button(GTK_DIALOG(w->dialog),
                                           _("_Authenticate"), RESPONSE_AUTH);
    gtk_dialog_set_default_response(GTK_DIALOG(w->dialog), RESPONSE_AUTH);
    content = gtk_dialog_get_content_area(GTK_DIALOG(w->dialog));
    vbox = otr_gtk_vbox_new(8);
    gtk_container_set_border_width(GTK_CONTAINER(vbox), 8);
    gtk_box_pack_start(GTK_BOX(content), vbox, TRUE, TRUE, 0);

    if (responder)
        intro = g_strdup_printf(
            question ? _("%s wants to verify your identity. Answer their "
                         "question:")
                     : _("%s wants to verify your identity. Type the secret "
                         "you agreed on:"),
            buddy_of(conv));
    else
        intro = g_strdup_printf(_("Make sure you are talking to %s and not to "
                                  "an impostor. "
                                  "Choose how:"),
                                buddy_of(conv));
    w->intro = gtk_label_new(intro);
    gtk_label_set_line_wrap(GTK_LABEL(w->intro), TRUE);
    otr_gtk_label_left(w->intro);
    gtk_box_pack_start(GTK_BOX(vbox), w->intro, FALSE, FALSE, 0);

    w->asked = gtk_label_new(NULL);
    if (question) {
        char *m = g_markup_printf_escaped("<b><big>%s</big></b>", question);

        gtk_label_set_markup(GTK_LABEL(w->asked), m);
        gtk_label_set_selectable(GTK_LABEL(w->asked), TRUE);
        gtk_label_set_line_wrap(GTK_LABEL(w->asked), TRUE);
        g_free(m);
    }
    gtk_box_pack_start(GTK_BOX(vbox), w->asked, FALSE, FALSE, 0);

    w->pages = gtk_notebook_new();
    gtk_notebook_set_show_tabs(GTK_NOTEBOOK(w->pages), FALSE);
    gtk_notebook_set_show_border(GTK_NOTEBOOK(w->pages), FALSE);
    if (responder) {
        if (question) {
            gtk_notebook_append_page(GTK_NOTEBOOK(w->pages), page_qa(w), NULL);
        } else {
            gtk_notebook_append_page(GTK_NOTEBOOK(w->pages), page_secret(w),
                                     NULL);
        }
    } else {
        w->method_box = otr_gtk_hbox_new(6);
        gtk_box_pack_start(GTK_BOX(w->method_box), gtk_label_new(_("Method:")),
                           FALSE, FALSE, 0);
        w->method = gtk_combo_box_text_new();
        gtk_combo_box_text_append_text(GTK_COMBO_BOX_TEXT(w->method),
                                       _("Question and answer"));
        gtk_combo_box_text_append_text(GTK_COMBO_BOX_TEXT(w->method),
                                       _("Shared secret"));
        gtk_combo_box_text_append_text(GTK_COMBO_BOX_TEXT(w->method),
                                       _("Manual fingerprint verification"));
        gtk_box_pack_start(GTK_BOX(w->method_box), w->method, TRUE, TRUE, 0);
        gtk_box_pack_start(GTK_BOX(vbox), w->method_box, FALSE, FALSE, 0);
        gtk_notebook_append_page(GTK_NOTEBOOK(w->pages), page_qa(w), NULL);
        gtk_notebook_append_page(GTK_NOTEBOOK(w->pages), page_secret(w), NULL);
        gtk_notebook_append_page(GTK_NOTEBOOK(w->pages), page_manual(w), NULL);
    }
    gtk_box_pack_start(GTK_BOX(vbox), w->pages, TRUE, TRUE, 0);

    w->progress = gtk_progress_bar_new();
    gtk_box_pack_start(GTK_BOX(vbox), w->progress, FALSE, FALSE, 0);
    w->status = gtk_label_new(NULL);
    gtk_label_set_line_wrap(GTK_LABEL(w->status), TRUE);
    otr_gtk_label_left(w->status);
    gtk_box_pack_start(GTK_BOX(vbox), w->status, FALSE, FALSE, 0);

    g_signal_connect(w->dialog, "response", G_CALLBACK(on_response), w);
    g_signal_connect(w->dialog, "destroy", G_CALLBACK(dialog_destroyed), w);
    gtk_widget_show_all(w->dialog);
    if (!question)
        gtk_widget_hide(w->asked);
    if (w->method) {
        g_signal_connect(w->method, "changed", G_CALLBACK(method_changed), w);
        gtk_combo_box_set_active(GTK_COMBO_BOX(w->method), METHOD_QA);
    } else {
        gtk_widget_grab_focus(question ? w->answer : w->secret);
    }
    otr_gtk_track_window(w->dialog);
    otr_gtk_trace("auth %s: opened as %s%s%s", buddy_of(conv),
                  responder ? "responder" : "asker",
                  question ? ", question: " : "", question ? question : "");
    g_free(intro);
    g_free(title);
    return w;
}

static Wizard *
wizard_get(PurpleConversation *conv, gboolean responder, const char *q)
{
    Wizard *w;

    if (!wizards)
        wizards = g_hash_table_new_full(NULL, NULL, NULL, wizard_free);
    w = g_hash_table_lookup(wizards, conv);
    if (w && (w->responder != responder || w->done)) {
        w->running = FALSE; /* a new exchange replaces the old one */
        gtk_widget_destroy(w->dialog);
        w = NULL;
    }
    if (!w) {
        w = wizard_new(conv, responder, q);
        g_hash_table_insert(wizards, conv, w);
    }
    gtk_window_present(GTK_WINDOW(w->dialog));
    return w;
}

void
otr_gtk_auth_open(PurpleConversation *conv)
{
    g_return_if_fail(conv != NULL && otr_gtk_api() != NULL);
    wizard_get(conv, FALSE, NULL);
}

void
otr_gtk_auth_smp_event(PurpleConversation *conv, OffrecSmpEvent ev, int percent)
{
    const OffrecApi *api = otr_gtk_api();
    Wizard *w = wizards ? g_hash_table_lookup(wizards, conv) : NULL;
    char *q = NULL, *s;

    otr_gtk_trace("auth %s: smp event %d %d%%", buddy_of(conv), (int)ev,
                  percent);
    switch (ev) {
    case OFFREC_SMP_ASKED:
        if (api && api->smp_pending(conv, &q)) {
            w = wizard_get(conv, TRUE, q);
            w->running = FALSE;
        }
        g_free(q);
        return;
    case OFFREC_SMP_PROGRESS:
        if (!w)
            return;
        gtk_progress_bar_set_fraction(GTK_PROGRESS_BAR(w->progress),
                                      CLAMP(percent, 0, 100) / 100.0);
        return;
    case OFFREC_SMP_SUCCESS:
        if (!w)
            return;
        gtk_progress_bar_set_fraction(GTK_PROGRESS_BAR(w->progress), 1.0);
        s = g_strdup_printf(
            w->responder
                ? _("%s has verified your identity. Ask your own question "
                    "to verify them too.")
                : _("Authentication successful: %s's fingerprint is now "
                    "verified."),
            buddy_of(conv));
        set_status(w, s, FALSE);
        g_free(s);
        break;
    case OFFREC_SMP_FAILURE:
        if (!w)
            return;
        gtk_progress_bar_set_fraction(GTK_PROGRESS_BAR(w->progress), 1.0);
        set_status(w,
                   _("Authentication failed: the answers did not match. "
                     "Your buddy may have mistyped, or you may be talking "
                     "to an impostor."),
                   TRUE);
        break;
    case OFFREC_SMP_ABORTED:
        if (!w)
            return;
        set_status(w, _("Authentication was aborted."), TRUE);
        break;
    case OFFREC_SMP_ERROR:
        if (!w)
            return;
        set_status(w, _("Authentication failed: protocol error."), TRUE);
        break;
    }
    finish(w);
}

void
otr_gtk_auth_forget(PurpleConversation *conv)
{
    Wizard *w = wizards ? g_hash_table_lookup(wizards, conv) : NULL;

    if (w) {
        w->running = FALSE;
        gtk_widget_destroy(w->dialog);
    }
}
