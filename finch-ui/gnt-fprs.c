/* Offrec Finch front-end — the "Known fingerprints" window.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <string.h>

#include "finch-private.h"

enum { COL_BUDDY, COL_ACCOUNT, COL_STATUS, COL_VERIFIED, COL_FPR, N_COLS };

typedef struct {
    GntWidget *win;
    GntWidget *tree;
    GntWidget *sort_button;
    GList *list; /* OffrecFingerprint*, rows' keys */
    int sort_col;
} FprWin;

static FprWin *fw;

static const char *
col_title(int col)
{
    switch (col) {
    case COL_BUDDY:
        return _("Buddy");
    case COL_ACCOUNT:
        return _("Account");
    case COL_STATUS:
        return _("Status");
    case COL_VERIFIED:
        return _("Verified");
    case COL_FPR:
        return _("Fingerprint");
    }
    return "";
}

static const char *
row_status(const OffrecFingerprint *fp)
{
    if (!fp->in_use)
        return otr_finch_state_name(OFFREC_STATE_NOT_PRIVATE);
    return otr_finch_state_name(fp->trusted ? OFFREC_STATE_PRIVATE
                                            : OFFREC_STATE_UNVERIFIED);
}

static const char *
row_text(const OffrecFingerprint *fp, int col)
{
    switch (col) {
    case COL_BUDDY:
        return fp->buddy;
    case COL_ACCOUNT:
        return fp->account;
    case COL_STATUS:
        return row_status(fp);
    case COL_VERIFIED:
        return fp->trusted ? _("yes") : _("no");
    case COL_FPR:
        return fp->human;
    }
    return "";
}

static int
compare_rows(gconstpointer a, gconstpointer b)
{
    int col = fw ? fw->sort_col : COL_BUDDY;
    int r = g_utf8_collate(row_text(a, col), row_text(b, col));

    if (r == 0 && col != COL_BUDDY)
        r = g_utf8_collate(row_text(a, COL_BUDDY), row_text(b, COL_BUDDY));
    if (r == 0)
        r = strcmp(((const OffrecFingerprint *)a)->hex,
                   ((const OffrecFingerprint *)b)->hex);
    return r;
}

static void
fill(void)
{
    OtrFinch *fin = otr_finch_get();
    OffrecFingerprint *sel;
    char *sel_key = NULL;
    gpointer select = NULL;

    if (!fin || !fw)
        return;
    sel = gnt_tree_get_selection_data(GNT_TREE(fw->tree));
    if (sel)
        sel_key =
            g_strconcat(sel->account, "/", sel->buddy, "/", sel->hex, NULL);
    gnt_tree_remove_all(GNT_TREE(fw->tree));
    fin->api->fingerprints_free(fw->list);
    fw->list = g_list_sort(fin->api->fingerprints(NULL, NULL), compare_rows);
    for (GList *l = fw->list; l; l = l->next) {
        OffrecFingerprint *fp = l->data;
        char *key;

        gnt_tree_add_row_last(GNT_TREE(fw->tree), fp,
                              gnt_tree_create_row(GNT_TREE(fw->tree),
                                                  row_text(fp, COL_BUDDY),
                                                  row_text(fp, COL_ACCOUNT),
                                                  row_text(fp, COL_STATUS),
                                                  row_text(fp, COL_VERIFIED),
                                                  row_text(fp, COL_FPR)),
                              NULL);
        key = g_strconcat(fp->account, "/", fp->buddy, "/", fp->hex, NULL);
        if (sel_key && strcmp(key, sel_key) == 0)
            select = fp;
        g_free(key);
    }
    if (select)
        gnt_tree_set_selected(GNT_TREE(fw->tree), select);
    g_free(sel_key);
}

static OffrecFingerprint *
selected(void)
{
    return fw ? gnt_tree_get_selection_data(GNT_TREE(fw->tree)) : NULL;
}

static void
set_trust(OffrecFingerprint *fp, gboolean trust)
{
    OtrFinch *fin = otr_finch_get();
    PurpleAccount *acct = otr_finch_fpr_account(fp);

    if (!fin || !acct)
        return;
    fin->api->fingerprint_verify(acct, fp->buddy, fp->hex, trust);
    fill();
}

static void
on_verify(GntWidget *b, gpointer unused)
{
    OffrecFingerprint *fp = selected();

    if (fp)
        set_trust(fp, TRUE);
}

static void
on_unverify(GntWidget *b, gpointer unused)
{
    OffrecFingerprint *fp = selected();

    if (fp)
        set_trust(fp, FALSE);
}

static void
on_forget(GntWidget *b, gpointer unused)
{
    OtrFinch *fin = otr_finch_get();
    OffrecFingerprint *fp = selected();
    PurpleAccount *acct = fp ? otr_finch_fpr_account(fp) : NULL;

    if (!fin || !fp || !acct)
        return;
    if (fp->in_use || !fin->api->fingerprint_forget(acct, fp->buddy, fp->hex)) {
        purple_notify_message(fin->plugin, PURPLE_NOTIFY_MSG_ERROR,
                              _("Known fingerprints"),
                              _("This fingerprint is in use."),
                              _("A private conversation uses it: end the "
                                "conversation before forgetting it."),
                              NULL, NULL);
        return;
    }
    fill();
}

static PurpleConversation *
conv_for(OffrecFingerprint *fp, gboolean make)
{
    PurpleAccount *acct = otr_finch_fpr_account(fp);
    PurpleConversation *c;

    if (!acct)
        return NULL;
    c = purple_find_conversation_with_account(PURPLE_CONV_TYPE_IM, fp->buddy,
                                              acct);
    if (!c && make)
        c = purple_conversation_new(PURPLE_CONV_TYPE_IM, acct, fp->buddy);
    return c;
}

static void
on_start(GntWidget *b, gpointer unused)
{
    OtrFinch *fin = otr_finch_get();
    OffrecFingerprint *fp = selected();
    PurpleConversation *c = fp ? conv_for(fp, TRUE) : NULL;

    if (fin && c)
        fin->api->start(c);
}

static void
on_end(GntWidget *b, gpointer unused)
{
    OtrFinch *fin = otr_finch_get();
    OffrecFingerprint *fp = selected();
    PurpleConversation *c = fp ? conv_for(fp, FALSE) : NULL;

    if (fin && c)
        fin->api->end(c);
}

static void
sort_label(void)
{
    char *t = g_strdup_printf(_("Sort: %s"), col_title(fw->sort_col));

    gnt_button_set_text(GNT_BUTTON(fw->sort_button), t);
    g_free(t);
}

static void
on_sort(GntWidget *b, gpointer unused)
{
    if (!fw)
        return;
    fw->sort_col = (fw->sort_col + 1) % N_COLS;
    sort_label();
    fill();
}

static void
on_close(GntWidget *b, gpointer unused)
{
    if (fw)
        gnt_widget_destroy(fw->win);
}

static void
win_destroyed(GntWidget *w, gpointer unused)
{
    OtrFinch *fin = otr_finch_get();
    FprWin *f = fw;

    fw = NULL;
    if (!f)
        return;
    /* The tree's keys point into f->list: forget the rows first. */
    gnt_tree_remove_all(GNT_TREE(f->tree));
    if (fin)
        fin->api->fingerprints_free(f->list);
    g_free(f);
}

void
otr_finch_fprs_open(void)
{
    GntWidget *row;

    if (fw) {
        fill();
        gnt_widget_show(fw->win);
        return;
    }
    fw = g_new0(FprWin, 1);
    fw->win = otr_finch_window_new(_("Known fingerprints"));
    fw->tree = gnt_tree_new_with_columns(N_COLS);
    gnt_tree_set_column_titles(GNT_TREE(fw->tree), col_title(COL_BUDDY),
                               col_title(COL_ACCOUNT), col_title(COL_STATUS),
                               col_title(COL_VERIFIED), col_title(COL_FPR));
    gnt_tree_set_show_title(GNT_TREE(fw->tree), TRUE);
    gnt_tree_set_col_width(GNT_TREE(fw->tree), COL_BUDDY, 18);
    gnt_tree_set_col_width(GNT_TREE(fw->tree), COL_ACCOUNT, 22);
    gnt_tree_set_col_width(GNT_TREE(fw->tree), COL_STATUS, 11);
    gnt_tree_set_col_width(GNT_TREE(fw->tree), COL_VERIFIED, 8);
    gnt_tree_set_col_width(GNT_TREE(fw->tree), COL_FPR, 44);
    gnt_tree_set_search_column(GNT_TREE(fw->tree), COL_BUDDY);
    gnt_widget_set_size(fw->tree, 110, 10);
    gnt_box_add_widget(GNT_BOX(fw->win), fw->tree);
    row = otr_finch_button_row(fw->win);
    otr_finch_button_add(row, _("Verify"), G_CALLBACK(on_verify), NULL);
    otr_finch_button_add(row, _("Unverify"), G_CALLBACK(on_unverify), NULL);
    otr_finch_button_add(row, _("Forget"), G_CALLBACK(on_forget), NULL);
    otr_finch_button_add(row, _("Start private"), G_CALLBACK(on_start), NULL);
    otr_finch_button_add(row, _("End private"), G_CALLBACK(on_end), NULL);
    fw->sort_button = otr_finch_button_add(row, "", G_CALLBACK(on_sort), NULL);
    sort_label();
    otr_finch_button_add(row, _("Close"), G_CALLBACK(on_close), NULL);
    g_signal_connect(G_OBJECT(fw->win), "destroy", G_CALLBACK(win_destroyed),
                     NULL);
    fill();
    gnt_widget_show(fw->win);
}

static void
refresh_any(void)
{
    if (fw)
        fill();
}

static void
on_state(PurpleConversation *c, guint st, gpointer unused)
{
    refresh_any();
}

static void
on_new(PurpleAccount *a, const char *b, const char *f, gpointer unused)
{
    refresh_any();
}

static void
on_changed(PurpleConversation *c, const char *o, const char *n, gpointer unused)
{
    refresh_any();
}

static void
on_smp(PurpleConversation *c, int ev, int pct, gpointer unused)
{
    if (ev == OFFREC_SMP_SUCCESS)
        refresh_any();
}

void
otr_finch_fprs_init(void)
{
    OtrFinch *fin = otr_finch_get();

    purple_signal_connect(fin->core, "otr-state-changed", fin->plugin,
                          PURPLE_CALLBACK(on_state), NULL);
    purple_signal_connect(fin->core, "otr-fingerprint-new", fin->plugin,
                          PURPLE_CALLBACK(on_new), NULL);
    purple_signal_connect(fin->core, "otr-fingerprint-changed", fin->plugin,
                          PURPLE_CALLBACK(on_changed), NULL);
    purple_signal_connect(fin->core, "otr-smp-progress", fin->plugin,
                          PURPLE_CALLBACK(on_smp), NULL);
}

void
otr_finch_fprs_uninit(void)
{
    if (fw)
        gnt_widget_destroy(fw->win);
}
