/* Offrec GTK front-end — the settings notebook (Configure Plugin).
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Pages: Settings (default policy and the core plugin's switches, the
 * button), My private keys (keys.c), Known fingerprints (fprlist.c).
 */
#include "gtk-private.h"

static GtkWidget *settings_window;

static const OffrecPolicy global_policies[] = {
    OFFREC_POLICY_NEVER,
    OFFREC_POLICY_MANUAL,
    OFFREC_POLICY_OPPORTUNISTIC,
    OFFREC_POLICY_ALWAYS,
};

void
otr_gtk_prefs_init(void)
{
    purple_prefs_add_none("/plugins/gtk");
    purple_prefs_add_none(OTR_GTK_PREF_ROOT);
    purple_prefs_add_bool(OTR_GTK_PREF_SHOW_BUTTON, TRUE);
}

static void
policy_changed(GtkComboBox *c, gpointer data)
{
    int i = gtk_combo_box_get_active(c);

    if (i >= 0 && i < (int)G_N_ELEMENTS(global_policies) && otr_gtk_api()) {
        otr_gtk_api()->policy_set_global(global_policies[i]);
        otr_gtk_trace("settings: default policy %s",
                      otr_gtk_policy_label(global_policies[i]));
    }
}

static void
bool_toggled(GtkToggleButton *t, const char *pref)
{
    purple_prefs_set_bool(pref, gtk_toggle_button_get_active(t));
    otr_gtk_trace("settings: %s = %d", pref, gtk_toggle_button_get_active(t));
}

static void
bool_option(GtkWidget *box, const char *label, const char *pref)
{
    GtkWidget *c = gtk_check_button_new_with_mnemonic(label);

    gtk_toggle_button_set_active(GTK_TOGGLE_BUTTON(c),
                                 purple_prefs_get_bool(pref));
    g_signal_connect(c, "toggled", G_CALLBACK(bool_toggled), (gpointer)pref);
    gtk_box_pack_start(GTK_BOX(box), c, FALSE, FALSE, 0);
}

static GtkWidget *
options_page(void)
{
    GtkWidget *vbox = otr_gtk_vbox_new(6), *hbox, *l, *combo;
    OffrecPolicy cur = otr_gtk_api() ? otr_gtk_api()->policy_get_global()
                                     : OFFREC_POLICY_OPPORTUNISTIC;
    guint i;

    gtk_container_set_border_width(GTK_CONTAINER(vbox), 8);
    hbox = otr_gtk_hbox_new(6);
    l = gtk_label_new_with_mnemonic(_("_Default policy:"));
    gtk_box_pack_start(GTK_BOX(hbox), l, FALSE, FALSE, 0);
    combo = gtk_combo_box_text_new();
    for (i = 0; i < G_N_ELEMENTS(global_policies); i++) {
        gtk_combo_box_text_append_text(GTK_COMBO_BOX_TEXT(combo),
                                       otr_gtk_policy_label(
                                           global_policies[i]));
        if (global_policies[i] == cur)
            gtk_combo_box_set_active(GTK_COMBO_BOX(combo), (int)i);
    }
    g_signal_connect(combo, "changed", G_CALLBACK(policy_changed), NULL);
    gtk_label_set_mnemonic_widget(GTK_LABEL(l), combo);
    gtk_box_pack_start(GTK_BOX(hbox), combo, TRUE, TRUE, 0);
    gtk_box_pack_start(GTK_BOX(vbox), hbox, FALSE, FALSE, 0);
    l = gtk_label_new(_("Each account can override the default on the "
                        "\"My private keys\" page, and each buddy from its "
                        "\"OTR Settings\" in the buddy list."));
    gtk_label_set_line_wrap(GTK_LABEL(l), TRUE);
    otr_gtk_label_left(l);
    gtk_box_pack_start(GTK_BOX(vbox), l, FALSE, FALSE, 0);

    bool_option(vbox, _("Always use OTR with buddies whose _key I know"),
                OTR_CORE_PREF_KNOWN);
    bool_option(vbox, _("Don't _log OTR conversations"), OTR_CORE_PREF_AVOID);
    bool_option(vbox, _("Ask before sending when a buddy's _key has changed"),
                OTR_CORE_PREF_CONFIRM);
    bool_option(vbox, _("Show the OTR _button in conversation windows"),
                OTR_GTK_PREF_SHOW_BUTTON);
    return vbox;
}

GtkWidget *
otr_gtk_settings_new(void)
{
    GtkWidget *nb = gtk_notebook_new();

    gtk_notebook_append_page(GTK_NOTEBOOK(nb), options_page(),
                             gtk_label_new(_("Settings")));
    gtk_notebook_append_page(GTK_NOTEBOOK(nb), otr_gtk_keys_page(),
                             gtk_label_new(_("My private keys")));
    gtk_notebook_append_page(GTK_NOTEBOOK(nb), otr_gtk_fprlist_page(),
                             gtk_label_new(_("Known fingerprints")));
    gtk_widget_show_all(nb);
    otr_gtk_trace("settings: notebook created");
    return nb;
}

static void
close_clicked(GtkButton *b, gpointer data)
{
    if (settings_window)
        gtk_widget_destroy(settings_window);
}

static void
window_destroyed(GtkWidget *w, gpointer data)
{
    settings_window = NULL;
}

void
otr_gtk_settings_open(int page)
{
    GtkWidget *vbox, *nb, *bbox, *b;

    if (!settings_window) {
        settings_window = gtk_window_new(GTK_WINDOW_TOPLEVEL);
        gtk_window_set_title(GTK_WINDOW(settings_window),
                             _("Off-the-Record Messaging"));
        gtk_window_set_role(GTK_WINDOW(settings_window), "offrec-settings");
        vbox = otr_gtk_vbox_new(6);
        gtk_container_set_border_width(GTK_CONTAINER(vbox), 6);
        gtk_container_add(GTK_CONTAINER(settings_window), vbox);
        nb = otr_gtk_settings_new();
        g_object_set_data(G_OBJECT(settings_window), "offrec-notebook", nb);
        gtk_box_pack_start(GTK_BOX(vbox), nb, TRUE, TRUE, 0);
        bbox = otr_gtk_button_box_new();
        gtk_button_box_set_layout(GTK_BUTTON_BOX(bbox), GTK_BUTTONBOX_END);
        b = gtk_button_new_with_mnemonic(_("_Close"));
        g_signal_connect(b, "clicked", G_CALLBACK(close_clicked), NULL);
        gtk_container_add(GTK_CONTAINER(bbox), b);
        gtk_box_pack_start(GTK_BOX(vbox), bbox, FALSE, FALSE, 0);
        g_signal_connect(settings_window, "destroy",
                         G_CALLBACK(window_destroyed), NULL);
        otr_gtk_track_window(settings_window);
        gtk_widget_show_all(settings_window);
    }
    nb = g_object_get_data(G_OBJECT(settings_window), "offrec-notebook");
    if (page >= 0)
        gtk_notebook_set_current_page(GTK_NOTEBOOK(nb), page);
    gtk_window_present(GTK_WINDOW(settings_window));
    otr_gtk_trace("settings: window open on page %d", page);
}
