/* Offrec Finch front-end — settings (global and per-account policy, logging,
 * key-change confirmation, known contacts) and per-buddy OTR settings.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Every control applies at once: the frame is also Finch's "Configure
 * Plugin" page, whose window has only a Close button.
 */
#include <string.h>

#include "finch-private.h"

#define POLICY_KEY(p) GINT_TO_POINTER((int)(p) + 10)
#define KEY_POLICY(k) ((OffrecPolicy)(GPOINTER_TO_INT(k) - 10))

static GntWidget *prefs_win;
static GList *buddy_wins; /* open per-buddy windows */

static void
add_policies(GntWidget *combo, gboolean with_default, const char *dflt)
{
    for (int p = OFFREC_POLICY_DEFAULT; p <= OFFREC_POLICY_ALWAYS; p++) {
        if (p == OFFREC_POLICY_DEFAULT && !with_default)
            continue;
        if (p == OFFREC_POLICY_DEFAULT && dflt) {
            char *t = g_strdup_printf(_("Default (%s)"), dflt);

            gnt_combo_box_add_data(GNT_COMBO_BOX(combo), POLICY_KEY(p), t);
            g_free(t);
        } else {
            gnt_combo_box_add_data(GNT_COMBO_BOX(combo), POLICY_KEY(p),
                                   otr_finch_policy_name(p));
        }
    }
}

static GntWidget *
labelled(GntWidget *box, const char *label, GntWidget *w)
{
    GntWidget *row = gnt_hbox_new(FALSE);

    gnt_box_add_widget(GNT_BOX(row), gnt_label_new(label));
    gnt_box_add_widget(GNT_BOX(row), w);
    gnt_box_add_widget(GNT_BOX(box), row);
    return w;
}

static void
global_changed(GntWidget *c, gpointer old, gpointer new, gpointer unused)
{
    OtrFinch *fin = otr_finch_get();

    if (fin && KEY_POLICY(new) != OFFREC_POLICY_DEFAULT)
        fin->api->policy_set_global(KEY_POLICY(new));
}

static PurpleAccount *
combo_account(GntWidget *frame)
{
    GntWidget *acombo = g_object_get_data(G_OBJECT(frame), "accounts");
    PurpleAccount *a =
        acombo ? gnt_combo_box_get_selected_data(GNT_COMBO_BOX(acombo)) : NULL;

    /* The account may be gone since the frame was drawn. */
    return a && g_list_find(purple_accounts_get_all(), a) ? a : NULL;
}

static void
account_policy_changed(GntWidget *c, gpointer old, gpointer new, GntWidget *f)
{
    OtrFinch *fin = otr_finch_get();
    PurpleAccount *a = combo_account(f);

    if (fin && a && !g_object_get_data(G_OBJECT(f), "filling"))
        fin->api->policy_set_account(a, KEY_POLICY(new));
}

static void
account_changed(GntWidget *c, gpointer old, gpointer new, GntWidget *f)
{
    OtrFinch *fin = otr_finch_get();
    GntWidget *pc = g_object_get_data(G_OBJECT(f), "account-policy");
    PurpleAccount *a = combo_account(f);

    if (!fin || !pc || !a)
        return;
    g_object_set_data(G_OBJECT(f), "filling", GINT_TO_POINTER(1));
    gnt_combo_box_set_selected(GNT_COMBO_BOX(pc),
                               POLICY_KEY(fin->api->policy_get_account(a)));
    g_object_set_data(G_OBJECT(f), "filling", NULL);
}

static void
bool_toggled(GntWidget *check, gpointer unused)
{
    OtrFinch *fin = otr_finch_get();
    int option = GPOINTER_TO_INT(g_object_get_data(G_OBJECT(check), "option"));

    if (fin)
        fin->api->option_set((OffrecOption)option,
                             gnt_check_box_get_checked(GNT_CHECK_BOX(check)));
}

static void
add_bool(GntWidget *box, const char *label, OffrecOption option)
{
    GntWidget *check = gnt_check_box_new(label);

    gnt_check_box_set_checked(GNT_CHECK_BOX(check),
                              otr_finch_get()->api->option_get(option));
    g_object_set_data(G_OBJECT(check), "option", GINT_TO_POINTER(option));
    g_signal_connect(G_OBJECT(check), "toggled", G_CALLBACK(bool_toggled),
                     NULL);
    gnt_box_add_widget(GNT_BOX(box), check);
}

static void
open_keys(GntWidget *b, gpointer unused)
{
    if (otr_finch_get())
        otr_finch_keys_open();
}

static void
open_fprs(GntWidget *b, gpointer unused)
{
    if (otr_finch_get())
        otr_finch_fprs_open();
}

/* The settings as a frame (also Finch's "Configure Plugin" page). */
GntWidget *
otr_finch_prefs_frame(void)
{
    OtrFinch *fin = otr_finch_get();
    GntWidget *frame = gnt_vbox_new(FALSE), *c, *pc, *row;
    gboolean any = FALSE;

    gnt_box_set_alignment(GNT_BOX(frame), GNT_ALIGN_LEFT);
    if (!fin) {
        gnt_box_add_widget(GNT_BOX(frame),
                           gnt_label_new(
                               _("The Offrec plugin is not loaded.")));
        return frame;
    }
    c = gnt_combo_box_new();
    add_policies(c, FALSE, NULL);
    gnt_combo_box_set_selected(GNT_COMBO_BOX(c),
                               POLICY_KEY(fin->api->policy_get_global()));
    g_signal_connect(G_OBJECT(c), "selection-changed",
                     G_CALLBACK(global_changed), NULL);
    labelled(frame, _("Default OTR policy:"), c);

    c = gnt_combo_box_new();
    for (GList *l = purple_accounts_get_all(); l; l = l->next) {
        PurpleAccount *a = l->data;
        char *t = g_strdup_printf("%s (%s)", purple_account_get_username(a),
                                  purple_account_get_protocol_name(a));

        gnt_combo_box_add_data(GNT_COMBO_BOX(c), a, t);
        g_free(t);
        any = TRUE;
    }
    if (any) {
        pc = gnt_combo_box_new();
        add_policies(pc, TRUE, NULL);
        g_object_set_data(G_OBJECT(frame), "accounts", c);
        g_object_set_data(G_OBJECT(frame), "account-policy", pc);
        row = gnt_hbox_new(FALSE);
        gnt_box_add_widget(GNT_BOX(row), gnt_label_new(_("Account:")));
        gnt_box_add_widget(GNT_BOX(row), c);
        gnt_box_add_widget(GNT_BOX(row), gnt_label_new(_("policy:")));
        gnt_box_add_widget(GNT_BOX(row), pc);
        gnt_box_add_widget(GNT_BOX(frame), row);
        account_changed(c, NULL, NULL, frame);
        g_signal_connect(G_OBJECT(c), "selection-changed",
                         G_CALLBACK(account_changed), frame);
        g_signal_connect(G_OBJECT(pc), "selection-changed",
                         G_CALLBACK(account_policy_changed), frame);
    } else {
        gnt_widget_destroy(c);
    }
    add_bool(frame, _("Don't log OTR conversations"),
             OFFREC_OPTION_AVOID_LOGGING);
    add_bool(frame, _("Ask before sending when a buddy's key has changed"),
             OFFREC_OPTION_CONFIRM_KEY_CHANGE);
    add_bool(frame, _("Always use OTR with buddies whose fingerprint is known"),
             OFFREC_OPTION_KNOWN_CONTACTS_ALWAYS);
    row = gnt_hbox_new(FALSE);
    otr_finch_button_add(row, _("My private keys..."), G_CALLBACK(open_keys),
                         NULL);
    otr_finch_button_add(row, _("Known fingerprints..."), G_CALLBACK(open_fprs),
                         NULL);
    gnt_box_add_widget(GNT_BOX(frame), row);
    return frame;
}

static void
prefs_destroyed(GntWidget *w, gpointer unused)
{
    prefs_win = NULL;
}

static void
prefs_close(GntWidget *b, gpointer unused)
{
    if (prefs_win)
        gnt_widget_destroy(prefs_win);
}

void
otr_finch_prefs_open(void)
{
    if (prefs_win) {
        gnt_widget_show(prefs_win);
        return;
    }
    prefs_win = otr_finch_window_new(_("OTR settings"));
    gnt_box_add_widget(GNT_BOX(prefs_win), otr_finch_prefs_frame());
    otr_finch_button_add(otr_finch_button_row(prefs_win), _("Close"),
                         G_CALLBACK(prefs_close), NULL);
    g_signal_connect(G_OBJECT(prefs_win), "destroy",
                     G_CALLBACK(prefs_destroyed), NULL);
    gnt_widget_show(prefs_win);
}

/* Per-buddy settings: policy and logging, saved on "Save". */
typedef struct {
    PurpleAccount *account;
    char *buddy;
    GntWidget *win, *policy, *logging;
} BuddyWin;

static void
buddy_win_destroyed(GntWidget *w, BuddyWin *bw)
{
    buddy_wins = g_list_remove(buddy_wins, bw);
    g_free(bw->buddy);
    g_free(bw);
}

static void
buddy_save(GntWidget *b, BuddyWin *bw)
{
    OtrFinch *fin = otr_finch_get();
    gboolean ok = FALSE;

    if (fin && g_list_find(purple_accounts_get_all(), bw->account)) {
        ok = fin->api->policy_set_buddy(bw->account, bw->buddy,
                                        KEY_POLICY(
                                            gnt_combo_box_get_selected_data(
                                                GNT_COMBO_BOX(bw->policy))));
        ok =
            fin->api
                ->avoid_logging_set_buddy(bw->account, bw->buddy,
                                          GPOINTER_TO_INT(
                                              gnt_combo_box_get_selected_data(
                                                  GNT_COMBO_BOX(bw->logging))) -
                                              2) &&
            ok;
    }
    if (!ok && fin)
        purple_notify_message(fin->plugin, PURPLE_NOTIFY_MSG_ERROR,
                              _("OTR settings"),
                              _("The settings could not be saved."),
                              _("Is the buddy still in your buddy list?"), NULL,
                              NULL);
    gnt_widget_destroy(bw->win);
}

static void
buddy_cancel(GntWidget *b, BuddyWin *bw)
{
    gnt_widget_destroy(bw->win);
}

void
otr_finch_buddy_settings_open(PurpleBuddy *buddy)
{
    OtrFinch *fin = otr_finch_get();
    PurpleAccount *acct = purple_buddy_get_account(buddy);
    const char *name = purple_normalize(acct, purple_buddy_get_name(buddy));
    OffrecPolicy own, eff;
    BuddyWin *bw;
    GntWidget *row;
    char *t;
    int log_own;

    if (!fin)
        return;
    for (GList *l = buddy_wins; l; l = l->next) {
        bw = l->data;
        if (bw->account == acct && g_strcmp0(bw->buddy, name) == 0) {
            gnt_widget_show(bw->win);
            return;
        }
    }
    bw = g_new0(BuddyWin, 1);
    bw->account = acct;
    bw->buddy = g_strdup(name);
    t = g_strdup_printf(_("OTR settings for %s"), name);
    bw->win = otr_finch_window_new(t);
    g_free(t);
    own = fin->api->policy_get_buddy(acct, name);
    /* What "default" means here: the account's (or the global) policy. */
    eff = fin->api->policy_get_account(acct);
    if (eff == OFFREC_POLICY_DEFAULT)
        eff = fin->api->policy_get_global();
    bw->policy = gnt_combo_box_new();
    add_policies(bw->policy, TRUE, otr_finch_policy_name(eff));
    gnt_combo_box_set_selected(GNT_COMBO_BOX(bw->policy), POLICY_KEY(own));
    labelled(bw->win, _("OTR policy:"), bw->policy);
    bw->logging = gnt_combo_box_new();
    gnt_combo_box_add_data(GNT_COMBO_BOX(bw->logging), GINT_TO_POINTER(1),
                           _("Default"));
    gnt_combo_box_add_data(GNT_COMBO_BOX(bw->logging), GINT_TO_POINTER(2),
                           _("Log OTR conversations"));
    gnt_combo_box_add_data(GNT_COMBO_BOX(bw->logging), GINT_TO_POINTER(3),
                           _("Don't log OTR conversations"));
    log_own = fin->api->avoid_logging_get_buddy(acct, name);
    gnt_combo_box_set_selected(GNT_COMBO_BOX(bw->logging),
                               GINT_TO_POINTER(log_own + 2));
    labelled(bw->win, _("Logging:"), bw->logging);
    row = otr_finch_button_row(bw->win);
    otr_finch_button_add(row, _("Save"), G_CALLBACK(buddy_save), bw);
    otr_finch_button_add(row, _("Cancel"), G_CALLBACK(buddy_cancel), bw);
    g_signal_connect(G_OBJECT(bw->win), "destroy",
                     G_CALLBACK(buddy_win_destroyed), bw);
    buddy_wins = g_list_prepend(buddy_wins, bw);
    gnt_widget_show(bw->win);
}

void
otr_finch_prefs_uninit(void)
{
    if (prefs_win)
        gnt_widget_destroy(prefs_win);
    while (buddy_wins)
        gnt_widget_destroy(((BuddyWin *)buddy_wins->data)->win);
}
