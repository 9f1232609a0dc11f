/* Offrec GTK front-end — the "Known fingerprints" page.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * A sortable list of every buddy fingerprint the core plugin knows, with
 * the state of the conversation using it, and actions on the selected row:
 * start, end, verify and forget (the core refuses to forget one in use).
 */
#include <string.h>

#include "gtk-private.h"

enum {
    COL_BUDDY,
    COL_STATE,
    COL_VERIFIED,
    COL_FPR,
    COL_ACCOUNT,
    COL_HEX,
    COL_PROTOCOL,
    COL_TRUSTED,
    N_COLS
};

typedef struct {
    GtkListStore *store;
    GtkWidget *view, *status;
    GtkWidget *start, *end, *verify, *forget;
} FprPage;

static GList *fpr_pages;

static const char *
row_state(PurpleAccount *a, const OffrecFingerprint *f)
{
    PurpleConversation *conv;

    if (!f->in_use)
        return otr_gtk_state_label(OFFREC_STATE_NOT_PRIVATE);
    conv = otr_gtk_im_conv(a, f->buddy, FALSE);
    if (!conv)
        return otr_gtk_state_label(f->trusted ? OFFREC_STATE_PRIVATE
                                              : OFFREC_STATE_UNVERIFIED);
    return otr_gtk_state_label(otr_gtk_api()->get_state(conv));
}

static void
page_refresh(FprPage *p)
{
    const OffrecApi *api = otr_gtk_api();
    GList *list, *l;

    gtk_list_store_clear(p->store);
    if (!api)
        return;
    list = api->fingerprints(NULL, NULL);
    for (l = list; l; l = l->next) {
        OffrecFingerprint *f = l->data;
        PurpleAccount *a = otr_gtk_find_account(f->account, f->protocol);
        const char *state = row_state(a, f);
        const char *verified = f->trusted ? _("Yes") : _("No");
        GtkTreeIter it;

        gtk_list_store_append(p->store, &it);
        gtk_list_store_set(p->store, &it, COL_BUDDY, f->buddy, COL_STATE, state,
                           COL_VERIFIED, verified, COL_FPR, f->human,
                           COL_ACCOUNT, f->account, COL_HEX, f->hex,
                           COL_PROTOCOL, f->protocol, COL_TRUSTED, f->trusted,
                           -1);
        otr_gtk_trace("fprlist row: buddy=%s state=%s verified=%s "
                      "fingerprint=%s account=%s",
                      f->buddy, state, verified, f->human, f->account);
    }
    otr_gtk_trace("fprlist: %u rows", g_list_length(list));
    api->fingerprints_free(list);
}

void
otr_gtk_fprlist_refresh_all(void)
{
    GList *l;

    for (l = fpr_pages; l; l = l->next)
        page_refresh(l->data);
}

/* The selected row: account, buddy, hex (g_free both strings). */
static gboolean
selected(FprPage *p,
         PurpleAccount **acct,
         char **buddy,
         char **hex,
         gboolean *trusted)
{
    GtkTreeSelection *sel = gtk_tree_view_get_selection(GTK_TREE_VIEW(p->view));
    GtkTreeModel *model;
    GtkTreeIter it;
    char *user = NULL, *proto = NULL;

    if (!gtk_tree_selection_get_selected(sel, &model, &it)) {
        gtk_label_set_text(GTK_LABEL(p->status), _("Select a fingerprint."));
        return FALSE;
    }
    gtk_tree_model_get(model, &it, COL_BUDDY, buddy, COL_HEX, hex, COL_ACCOUNT,
                       &user, COL_PROTOCOL, &proto, COL_TRUSTED, trusted, -1);
    *acct = otr_gtk_find_account(user, proto);
    g_free(user);
    g_free(proto);
    if (!*acct) {
        gtk_label_set_text(GTK_LABEL(p->status),
                           _("That account no longer exists."));
        g_free(*buddy);
        g_free(*hex);
        return FALSE;
    }
    return TRUE;
}

static void
start_clicked(GtkButton *b, FprPage *p)
{
    PurpleAccount *a;
    char *buddy, *hex;
    gboolean trusted;

    if (!selected(p, &a, &buddy, &hex, &trusted))
        return;
    otr_gtk_api()->start(otr_gtk_im_conv(a, buddy, TRUE));
    gtk_label_set_text(GTK_LABEL(p->status), "");
    g_free(buddy);
    g_free(hex);
}

static void
end_clicked(GtkButton *b, FprPage *p)
{
    PurpleAccount *a;
    char *buddy, *hex;
    gboolean trusted;
    PurpleConversation *conv;

    if (!selected(p, &a, &buddy, &hex, &trusted))
        return;
    conv = otr_gtk_im_conv(a, buddy, FALSE);
    if (conv)
        otr_gtk_api()->end(conv);
    gtk_label_set_text(GTK_LABEL(p->status),
                       conv ? "" : _("There is no conversation to end."));
    page_refresh(p);
    g_free(buddy);
    g_free(hex);
}

static void
verify_clicked(GtkButton *b, FprPage *p)
{
    PurpleAccount *a;
    char *buddy, *hex, *mine, *q;
    gboolean trusted;
    GtkWidget *d, *box, *combo;
    int r;

    if (!selected(p, &a, &buddy, &hex, &trusted))
        return;
    mine = otr_gtk_api()->own_fingerprint(a);
    d = gtk_dialog_new_with_buttons(_("Verify fingerprint"),
                                    GTK_WINDOW(
                                        gtk_widget_get_toplevel(p->view)),
                                    GTK_DIALOG_MODAL, _("_Cancel"),
                                    GTK_RESPONSE_CANCEL, _("_OK"),
                                    GTK_RESPONSE_OK, NULL);
    box = otr_gtk_vbox_new(6);
    gtk_container_set_border_width(GTK_CONTAINER(box), 12);
    gtk_box_pack_start(GTK_BOX(gtk_dialog_get_content_area(GTK_DIALOG(d))), box,
                       TRUE, TRUE, 0);
    q = g_strdup_printf(_("Your fingerprint (%s):"),
                        purple_account_get_username(a));
    gtk_box_pack_start(GTK_BOX(box), gtk_label_new(q), FALSE, FALSE, 0);
    g_free(q);
    gtk_box_pack_start(GTK_BOX(box),
                       otr_gtk_selectable_label(mine ? mine : "?"), FALSE,
                       FALSE, 0);
    q = g_strdup_printf(_("Fingerprint of %s:"), buddy);
    gtk_box_pack_start(GTK_BOX(box), gtk_label_new(q), FALSE, FALSE, 0);
    g_free(q);
    gtk_box_pack_start(GTK_BOX(box), otr_gtk_selectable_label(hex), FALSE,
                       FALSE, 0);
    combo = gtk_combo_box_text_new();
    gtk_combo_box_text_append_text(GTK_COMBO_BOX_TEXT(combo),
                                   _("I have not verified"));
    gtk_combo_box_text_append_text(GTK_COMBO_BOX_TEXT(combo),
                                   _("I have verified"));
    gtk_combo_box_set_active(GTK_COMBO_BOX(combo), trusted ? 1 : 0);
    gtk_box_pack_start(GTK_BOX(box), combo, FALSE, FALSE, 0);
    q = g_strdup_printf(_("that this is in fact the correct fingerprint for "
                          "%s."),
                        buddy);
    gtk_box_pack_start(GTK_BOX(box), gtk_label_new(q), FALSE, FALSE, 0);
    g_free(q);
    gtk_widget_show_all(d);
    r = gtk_dialog_run(GTK_DIALOG(d));
    if (r == GTK_RESPONSE_OK)
        otr_gtk_api()->fingerprint_verify(a, buddy, hex,
                                          gtk_combo_box_get_active(
                                              GTK_COMBO_BOX(combo)) == 1);
    gtk_widget_destroy(d);
    otr_gtk_fprlist_refresh_all();
    g_free(mine);
    g_free(buddy);
    g_free(hex);
}

static void
forget_clicked(GtkButton *b, FprPage *p)
{
    PurpleAccount *a;
    char *buddy, *hex;
    gboolean trusted;

    if (!selected(p, &a, &buddy, &hex, &trusted))
        return;
    if (otr_gtk_api()->fingerprint_forget(a, buddy, hex)) {
        gtk_label_set_text(GTK_LABEL(p->status), "");
        otr_gtk_trace("fprlist: forgot %s of %s", hex, buddy);
    } else {
        gtk_label_set_text(GTK_LABEL(p->status),
                           _("This fingerprint is in use by a private "
                             "conversation: end it first."));
        otr_gtk_trace("fprlist: refused to forget %s of %s", hex, buddy);
    }
    otr_gtk_fprlist_refresh_all();
    g_free(buddy);
    g_free(hex);
}

static void
page_destroyed(GtkWidget *w, FprPage *p)
{
    fpr_pages = g_list_remove(fpr_pages, p);
    g_object_unref(p->store);
    g_free(p);
}

static void
add_column(GtkWidget *view, const char *title, int col)
{
    GtkCellRenderer *r = gtk_cell_renderer_text_new();
    GtkTreeViewColumn *c =
        gtk_tree_view_column_new_with_attributes(title, r, "text", col, NULL);

    gtk_tree_view_column_set_sort_column_id(c, col);
    gtk_tree_view_column_set_resizable(c, TRUE);
    gtk_tree_view_append_column(GTK_TREE_VIEW(view), c);
}

static GtkWidget *
action_button(GtkWidget *bbox, const char *label, GCallback cb, FprPage *p)
{
    GtkWidget *b = gtk_button_new_with_mnemonic(label);

    g_signal_connect(b, "clicked", cb, p);
    gtk_container_add(GTK_CONTAINER(bbox), b);
    return b;
}

GtkWidget *
otr_gtk_fprlist_page(void)
{
    FprPage *p = g_new0(FprPage, 1);
    GtkWidget *vbox = otr_gtk_vbox_new(6), *sw, *bbox;

    gtk_container_set_border_width(GTK_CONTAINER(vbox), 8);
    p->store = gtk_list_store_new(N_COLS, G_TYPE_STRING, G_TYPE_STRING,
                                  G_TYPE_STRING, G_TYPE_STRING, G_TYPE_STRING,
                                  G_TYPE_STRING, G_TYPE_STRING, G_TYPE_BOOLEAN);
    p->view = gtk_tree_view_new_with_model(GTK_TREE_MODEL(p->store));
    add_column(p->view, _("Buddy"), COL_BUDDY);
    add_column(p->view, _("Status"), COL_STATE);
    add_column(p->view, _("Verified"), COL_VERIFIED);
    add_column(p->view, _("Fingerprint"), COL_FPR);
    add_column(p->view, _("Account"), COL_ACCOUNT);
    gtk_tree_sortable_set_sort_column_id(GTK_TREE_SORTABLE(p->store), COL_BUDDY,
                                         GTK_SORT_ASCENDING);
    sw = gtk_scrolled_window_new(NULL, NULL);
    gtk_scrolled_window_set_policy(GTK_SCROLLED_WINDOW(sw),
                                   GTK_POLICY_AUTOMATIC, GTK_POLICY_AUTOMATIC);
    gtk_scrolled_window_set_shadow_type(GTK_SCROLLED_WINDOW(sw), GTK_SHADOW_IN);
    gtk_widget_set_size_request(sw, 560, 200);
    gtk_container_add(GTK_CONTAINER(sw), p->view);
    gtk_box_pack_start(GTK_BOX(vbox), sw, TRUE, TRUE, 0);

    bbox = otr_gtk_button_box_new();
    gtk_button_box_set_layout(GTK_BUTTON_BOX(bbox), GTK_BUTTONBOX_START);
    gtk_box_set_spacing(GTK_BOX(bbox), 6);
    p->start = action_button(bbox, _("_Start private connection"),
                             G_CALLBACK(start_clicked), p);
    p->end = action_button(bbox, _("_End private connection"),
                           G_CALLBACK(end_clicked), p);
    gtk_box_pack_start(GTK_BOX(vbox), bbox, FALSE, FALSE, 0);
    /* Two rows: Pidgin's Configure Plugin dialog is only 400 px wide. */
    bbox = otr_gtk_button_box_new();
    gtk_button_box_set_layout(GTK_BUTTON_BOX(bbox), GTK_BUTTONBOX_START);
    gtk_box_set_spacing(GTK_BOX(bbox), 6);
    p->verify = action_button(bbox, _("_Verify fingerprint"),
                              G_CALLBACK(verify_clicked), p);
    p->forget = action_button(bbox, _("_Forget fingerprint"),
                              G_CALLBACK(forget_clicked), p);
    gtk_box_pack_start(GTK_BOX(vbox), bbox, FALSE, FALSE, 0);
    p->status = gtk_label_new(NULL);
    otr_gtk_label_left(p->status);
    gtk_box_pack_start(GTK_BOX(vbox), p->status, FALSE, FALSE, 0);

    g_signal_connect(vbox, "destroy", G_CALLBACK(page_destroyed), p);
    fpr_pages = g_list_prepend(fpr_pages, p);
    page_refresh(p);
    return vbox;
}
