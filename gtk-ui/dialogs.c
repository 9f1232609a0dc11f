/* Offrec GTK front-end — key-change warning, "What's this?", buddy settings.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <string.h>

#include "gtk-private.h"

enum { RESPONSE_VERIFY = 1, RESPONSE_CONTINUE = 2 };

/* ---- the key-change warning ------------------------------------------- */

typedef struct {
    PurpleConversation *conv;
} KeyChange;

static void
keychange_response(GtkDialog *d, int response, KeyChange *k)
{
    PurpleConversation *conv = k->conv;
    gboolean still_open = g_list_find(purple_get_conversations(), conv) != NULL;

    otr_gtk_trace("keychange: %s",
                  response == RESPONSE_VERIFY ? "verify now" : "continue");
    gtk_widget_destroy(GTK_WIDGET(d));
    if (response == RESPONSE_VERIFY && still_open)
        otr_gtk_auth_open(conv);
}

static GtkWidget *
fpr_row(GtkWidget *grid, int row, const char *label, const char *fpr)
{
    GtkWidget *l = gtk_label_new(label);

    otr_gtk_label_left(l);
    otr_gtk_grid_attach(grid, l, 0, row);
    otr_gtk_grid_attach(grid, otr_gtk_selectable_label(fpr), 1, row);
    return l;
}

void
otr_gtk_keychange_open(PurpleConversation *conv,
                       const char *old_fpr,
                       const char *new_fpr)
{
    const char *buddy = purple_normalize(purple_conversation_get_account(conv),
                                         purple_conversation_get_name(conv));
    GtkWidget *d, *content, *hbox, *vbox, *img, *head, *text, *grid;
    KeyChange *k = g_new0(KeyChange, 1);
    char *title, *m;

    k->conv = conv;
    title = g_strdup_printf(_("%s is using a different key"), buddy);
    d = gtk_dialog_new();
    gtk_window_set_title(GTK_WINDOW(d), title);
    gtk_window_set_role(GTK_WINDOW(d), "offrec-keychange");
    gtk_window_set_urgency_hint(GTK_WINDOW(d), TRUE);
    gtk_window_set_keep_above(GTK_WINDOW(d), TRUE);
    gtk_dialog_add_button(GTK_DIALOG(d), _("_Continue"), RESPONSE_CONTINUE);
    gtk_dialog_add_button(GTK_DIALOG(d), _("_Verify now"), RESPONSE_VERIFY);
    gtk_dialog_set_default_response(GTK_DIALOG(d), RESPONSE_VERIFY);
    content = gtk_dialog_get_content_area(GTK_DIALOG(d));
    hbox = otr_gtk_hbox_new(12);
    gtk_container_set_border_width(GTK_CONTAINER(hbox), 12);
    gtk_box_pack_start(GTK_BOX(content), hbox, TRUE, TRUE, 0);
    img = otr_gtk_state_image(OFFREC_STATE_NOT_PRIVATE, 48);
    gtk_box_pack_start(GTK_BOX(hbox), img, FALSE, FALSE, 0);
    vbox = otr_gtk_vbox_new(8);
    gtk_box_pack_start(GTK_BOX(hbox), vbox, TRUE, TRUE, 0);

    head = gtk_label_new(NULL);
    m = g_markup_printf_escaped("<span size='large' weight='bold' "
                                "foreground='#a40000'>%s</span>",
                                title);
    gtk_label_set_markup(GTK_LABEL(head), m);
    g_free(m);
    otr_gtk_label_left(head);
    gtk_box_pack_start(GTK_BOX(vbox), head, FALSE, FALSE, 0);
    text = gtk_label_new(
        _("Their key is not the one you verified before. They may have "
          "reinstalled or use a new device, or someone may be impersonating "
          "them. Until you verify the new key, treat this conversation as "
          "unverified."));
    gtk_label_set_line_wrap(GTK_LABEL(text), TRUE);
    otr_gtk_label_left(text);
    gtk_box_pack_start(GTK_BOX(vbox), text, FALSE, FALSE, 0);
    grid = otr_gtk_grid_new();
    otr_gtk_grid_spacing(grid, 4);
    fpr_row(grid, 0, _("Old fingerprint:"), old_fpr ? old_fpr : "?");
    fpr_row(grid, 1, _("New fingerprint:"), new_fpr ? new_fpr : "?");
    gtk_box_pack_start(GTK_BOX(vbox), grid, FALSE, FALSE, 0);

    g_signal_connect(d, "response", G_CALLBACK(keychange_response), k);
    g_signal_connect_swapped(d, "destroy", G_CALLBACK(g_free), k);
    otr_gtk_track_window(d);
    gtk_widget_show_all(d);
    gtk_window_present(GTK_WINDOW(d));
    otr_gtk_trace("keychange %s: old %s new %s", buddy, old_fpr, new_fpr);
    g_free(title);
}

/* ---- "What's this?" --------------------------------------------------- */

void
otr_gtk_whats_this(void)
{
    GtkWidget *d =
        gtk_message_dialog_new(NULL, 0, GTK_MESSAGE_INFO, GTK_BUTTONS_CLOSE,
                               "%s", _("Off-the-Record Messaging"));

    gtk_message_dialog_format_secondary_text(
        GTK_MESSAGE_DIALOG(d), "%s",
        _("OTR encrypts your instant messages so that only your buddy can "
          "read them, and proves they come from you without leaving "
          "evidence anyone else could check.\n\n"
          "Not private: messages are sent as plain text.\n"
          "Unverified: messages are encrypted, but you have not yet checked "
          "that you are talking to your buddy and not an impostor. Use "
          "\"Authenticate buddy\".\n"
          "Private: messages are encrypted and your buddy's identity is "
          "verified.\n"
          "Finished: your buddy has ended the private conversation; end it "
          "too or start a new one. Nothing you type is sent meanwhile."));
    gtk_window_set_title(GTK_WINDOW(d), _("What is OTR?"));
    g_signal_connect(d, "response", G_CALLBACK(gtk_widget_destroy), NULL);
    otr_gtk_track_window(d);
    gtk_widget_show_all(d);
}

/* ---- per-buddy settings ----------------------------------------------- */

typedef struct {
    PurpleAccount *account;
    char *buddy;
    GtkWidget *policy, *logging;
} BuddyDialog;

static const OffrecPolicy policies[] = {
    OFFREC_POLICY_DEFAULT,       OFFREC_POLICY_NEVER,  OFFREC_POLICY_MANUAL,
    OFFREC_POLICY_OPPORTUNISTIC, OFFREC_POLICY_ALWAYS,
};

static void
buddy_dialog_free(BuddyDialog *b)
{
    g_free(b->buddy);
    g_free(b);
}

static void
buddy_response(GtkDialog *d, int response, BuddyDialog *b)
{
    const OffrecApi *api = otr_gtk_api();
    int p = gtk_combo_box_get_active(GTK_COMBO_BOX(b->policy));
    int lg = gtk_combo_box_get_active(GTK_COMBO_BOX(b->logging));

    if (response == GTK_RESPONSE_OK && api && p >= 0 &&
        p < (int)G_N_ELEMENTS(policies)) {
        api->policy_set_buddy(b->account, b->buddy, policies[p]);
        /* 0 default (-1), 1 log (0), 2 don't log (1) */
        api->avoid_logging_set_buddy(b->account, b->buddy, lg - 1);
        otr_gtk_trace("buddy settings %s: policy %s, logging %d", b->buddy,
                      otr_gtk_policy_label(policies[p]), lg - 1);
    }
    gtk_widget_destroy(GTK_WIDGET(d));
}

void
otr_gtk_buddy_settings_open(PurpleAccount *account, const char *name)
{
    const OffrecApi *api = otr_gtk_api();
    BuddyDialog *b;
    GtkWidget *d, *grid, *l;
    PurpleBuddy *pb;
    const char *own;
    OffrecPolicy cur;
    char *title, *s;
    guint i;

    g_return_if_fail(api != NULL && account != NULL && name != NULL);
    b = g_new0(BuddyDialog, 1);
    b->account = account;
    b->buddy = g_strdup(purple_normalize(account, name));
    title = g_strdup_printf(_("OTR Settings for %s"), b->buddy);
    d = gtk_dialog_new_with_buttons(title, NULL, 0, _("_Cancel"),
                                    GTK_RESPONSE_CANCEL, _("_OK"),
                                    GTK_RESPONSE_OK, NULL);
    gtk_window_set_role(GTK_WINDOW(d), "offrec-buddy");
    grid = otr_gtk_grid_new();
    otr_gtk_grid_spacing(grid, 6);
    gtk_container_set_border_width(GTK_CONTAINER(grid), 12);
    gtk_box_pack_start(GTK_BOX(gtk_dialog_get_content_area(GTK_DIALOG(d))),
                       grid, TRUE, TRUE, 0);

    l = gtk_label_new_with_mnemonic(_("_Policy:"));
    otr_gtk_label_left(l);
    otr_gtk_grid_attach(grid, l, 0, 0);
    b->policy = gtk_combo_box_text_new();
    cur = api->policy_get_buddy(account, b->buddy);
    for (i = 0; i < G_N_ELEMENTS(policies); i++) {
        if (policies[i] == OFFREC_POLICY_DEFAULT) {
            s = g_strdup_printf(_("Use the default (%s)"),
                                otr_gtk_policy_label(
                                    api->policy_get_account(account) ==
                                            OFFREC_POLICY_DEFAULT
                                        ? api->policy_get_global()
                                        : api->policy_get_account(account)));
            gtk_combo_box_text_append_text(GTK_COMBO_BOX_TEXT(b->policy), s);
            g_free(s);
        } else {
            gtk_combo_box_text_append_text(GTK_COMBO_BOX_TEXT(b->policy),
                                           otr_gtk_policy_label(policies[i]));
        }
        if (policies[i] == cur)
            gtk_combo_box_set_active(GTK_COMBO_BOX(b->policy), (int)i);
    }
    gtk_label_set_mnemonic_widget(GTK_LABEL(l), b->policy);
    otr_gtk_grid_attach(grid, b->policy, 1, 0);

    l = gtk_label_new_with_mnemonic(_("_Logging:"));
    otr_gtk_label_left(l);
    otr_gtk_grid_attach(grid, l, 0, 1);
    b->logging = gtk_combo_box_text_new();
    gtk_combo_box_text_append_text(GTK_COMBO_BOX_TEXT(b->logging),
                                   _("Use the default"));
    gtk_combo_box_text_append_text(GTK_COMBO_BOX_TEXT(b->logging),
                                   _("Log OTR conversations"));
    gtk_combo_box_text_append_text(GTK_COMBO_BOX_TEXT(b->logging),
                                   _("Don't log OTR conversations"));
    pb = purple_find_buddy(account, b->buddy);
    if (api->size >= G_STRUCT_OFFSET(OffrecApi, avoid_logging_get_buddy) +
                         sizeof(gpointer)) {
        int v = api->avoid_logging_get_buddy(account, b->buddy);

        own = v == 0 ? "no" : v == 1 ? "yes" : NULL;
    } else {
        /* A version-1 core has no getter for the buddy's own setting: read
         * the node setting it documents (plugin/README-internal.md). */
        own = pb ? purple_blist_node_get_string((PurpleBlistNode *)pb,
                                                "otr-avoid-logging")
                 : NULL;
    }
    gtk_combo_box_set_active(GTK_COMBO_BOX(b->logging),
                             g_strcmp0(own, "no") == 0    ? 1
                             : g_strcmp0(own, "yes") == 0 ? 2
                                                          : 0);
    gtk_label_set_mnemonic_widget(GTK_LABEL(l), b->logging);
    otr_gtk_grid_attach(grid, b->logging, 1, 1);
    if (!pb) {
        l = gtk_label_new(_("Settings can only be stored for buddies in "
                            "your buddy list."));
        otr_gtk_grid_attach_wide(grid, l, 0, 2, 2);
        gtk_dialog_set_response_sensitive(GTK_DIALOG(d), GTK_RESPONSE_OK,
                                          FALSE);
    }
    g_signal_connect(d, "response", G_CALLBACK(buddy_response), b);
    g_signal_connect_swapped(d, "destroy", G_CALLBACK(buddy_dialog_free), b);
    otr_gtk_track_window(d);
    gtk_widget_show_all(d);
    otr_gtk_trace("buddy settings %s: opened, policy %d", b->buddy, (int)cur);
    g_free(title);
}
