/* Offrec GTK front-end — the OTR button in Pidgin's conversation windows.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Each IM conversation gets a button at the end of the row that holds the
 * formatting toolbar (so it stays when that toolbar is hidden): the state
 * icon and a coloured label (Not private / Unverified / Private /
 * Finished), redrawn on "otr-state-changed". Clicking it opens the OTR
 * menu. This file and plugin.c are the only ones using Pidgin's headers.
 */
#include <string.h>

#include "gtk-private.h"
#include "gtkconv.h"
#include "gtkconvwin.h"
#include "pidgin.h"

typedef struct {
    PidginConversation *gtkconv;
    GtkWidget *button, *box, *image, *label;
    OffrecState shown;
} OtrButton;

static GList *buttons; /* OtrButton* */

static PurpleConversation *
button_conv(OtrButton *b)
{
    return b->gtkconv ? b->gtkconv->active_conv : NULL;
}

static const char *
buddy_of(PurpleConversation *conv)
{
    return purple_normalize(purple_conversation_get_account(conv),
                            purple_conversation_get_name(conv));
}

static OtrButton *
find_button(PurpleConversation *conv)
{
    GList *l;

    for (l = buttons; l; l = l->next) {
        OtrButton *b = l->data;

        if (button_conv(b) == conv ||
            (b->gtkconv && g_list_find(b->gtkconv->convs, conv)))
            return b;
    }
    return NULL;
}

static void
button_draw(OtrButton *b)
{
    PurpleConversation *conv = button_conv(b);
    const OffrecApi *api = otr_gtk_api();
    OffrecState st;
    char *m, *tip;

    if (!conv || !api)
        return;
    st = api->get_state(conv);
    m = g_markup_printf_escaped("<span foreground='%s' weight='bold'>%s</span>",
                                otr_gtk_state_color(st),
                                otr_gtk_state_label(st));
    gtk_label_set_markup(GTK_LABEL(b->label), m);
    g_free(m);
    if (!b->image || st != b->shown) {
        if (b->image)
            gtk_widget_destroy(b->image);
        b->image = otr_gtk_state_image(st, 16);
        gtk_box_pack_start(GTK_BOX(b->box), b->image, FALSE, FALSE, 0);
        gtk_box_reorder_child(GTK_BOX(b->box), b->image, 0);
        gtk_widget_show(b->image);
    }
    b->shown = st;
    tip = api->status_text(conv);
    gtk_widget_set_tooltip_text(b->button, tip ? tip : "");
    g_free(tip);
    otr_gtk_trace("button %s: %s", buddy_of(conv),
                  gtk_label_get_text(GTK_LABEL(b->label)));
}

void
otr_gtk_button_update(PurpleConversation *conv)
{
    OtrButton *b = find_button(conv);

    if (b)
        button_draw(b);
}

/* ---- the OTR menu ------------------------------------------------------ */

static void
act_start(GtkMenuItem *i, PurpleConversation *conv)
{
    otr_gtk_api()->start(conv);
}

static void
act_end(GtkMenuItem *i, PurpleConversation *conv)
{
    otr_gtk_api()->end(conv);
}

static void
act_auth(GtkMenuItem *i, PurpleConversation *conv)
{
    otr_gtk_auth_open(conv);
}

static void
act_settings(GtkMenuItem *i, PurpleConversation *conv)
{
    otr_gtk_buddy_settings_open(purple_conversation_get_account(conv),
                                purple_conversation_get_name(conv));
}

static void
act_whats_this(GtkMenuItem *i, gpointer data)
{
    otr_gtk_whats_this();
}

static void
act_select(GtkMenuItem *i, PurpleConversation *conv)
{
    OffrecSelect how =
        GPOINTER_TO_INT(g_object_get_data(G_OBJECT(i), "offrec-how"));
    guint32 tag =
        GPOINTER_TO_UINT(g_object_get_data(G_OBJECT(i), "offrec-tag"));

    if (GTK_IS_CHECK_MENU_ITEM(i) &&
        !gtk_check_menu_item_get_active(GTK_CHECK_MENU_ITEM(i)))
        return;
    otr_gtk_api()->select_instance(conv, how, tag);
}

static GtkWidget *
menu_add(GtkWidget *menu,
         const char *label,
         GCallback cb,
         gpointer data,
         gboolean sensitive,
         GString *trace)
{
    GtkWidget *i = gtk_menu_item_new_with_mnemonic(label);

    gtk_widget_set_sensitive(i, sensitive);
    if (cb)
        g_signal_connect(i, "activate", cb, data);
    gtk_menu_shell_append(GTK_MENU_SHELL(menu), i);
    g_string_append_printf(trace, "%s%s%s", trace->len ? " | " : "", label,
                           sensitive ? "" : " (off)");
    return i;
}

static GtkWidget *
instances_menu(PurpleConversation *conv, GArray *tags)
{
    const OffrecApi *api = otr_gtk_api();
    GtkWidget *menu = gtk_menu_new(), *i;
    GSList *group = NULL;
    guint32 cur = api->selected_instance(conv);
    guint n;

    i = gtk_menu_item_new_with_mnemonic(_("Most _secure"));
    g_object_set_data(G_OBJECT(i), "offrec-how",
                      GINT_TO_POINTER(OFFREC_SELECT_MOST_SECURE));
    g_signal_connect(i, "activate", G_CALLBACK(act_select), conv);
    gtk_menu_shell_append(GTK_MENU_SHELL(menu), i);
    i = gtk_menu_item_new_with_mnemonic(_("Most _recent"));
    g_object_set_data(G_OBJECT(i), "offrec-how",
                      GINT_TO_POINTER(OFFREC_SELECT_MOST_RECENT));
    g_signal_connect(i, "activate", G_CALLBACK(act_select), conv);
    gtk_menu_shell_append(GTK_MENU_SHELL(menu), i);
    gtk_menu_shell_append(GTK_MENU_SHELL(menu), gtk_separator_menu_item_new());
    for (n = 0; n < tags->len; n++) {
        guint32 tag = g_array_index(tags, guint32, n);
        char *s = g_strdup_printf(_("Instance %08x"), tag);

        i = gtk_radio_menu_item_new_with_label(group, s);
        group = gtk_radio_menu_item_get_group(GTK_RADIO_MENU_ITEM(i));
        gtk_check_menu_item_set_active(GTK_CHECK_MENU_ITEM(i), tag == cur);
        g_object_set_data(G_OBJECT(i), "offrec-how",
                          GINT_TO_POINTER(OFFREC_SELECT_INSTANCE));
        g_object_set_data(G_OBJECT(i), "offrec-tag", GUINT_TO_POINTER(tag));
        g_signal_connect(i, "activate", G_CALLBACK(act_select), conv);
        gtk_menu_shell_append(GTK_MENU_SHELL(menu), i);
        g_free(s);
    }
    return menu;
}

static void
menu_position(GtkMenu *menu, gint *x, gint *y, gboolean *push_in, gpointer d)
{
    GtkWidget *w = d;
    GtkAllocation a;

    gdk_window_get_origin(gtk_widget_get_window(w), x, y);
    gtk_widget_get_allocation(w, &a);
    *x += a.x;
    *y += a.y + a.height;
    *push_in = TRUE;
}

static void
button_clicked(GtkButton *button, OtrButton *b)
{
    PurpleConversation *conv = button_conv(b);
    const OffrecApi *api = otr_gtk_api();
    GtkWidget *menu, *item;
    GString *trace = g_string_new(NULL);
    GArray *tags;
    OffrecState st;

    if (!conv || !api)
        goto out;
    st = api->get_state(conv);
    menu = gtk_menu_new();
    menu_add(menu,
             st == OFFREC_STATE_NOT_PRIVATE
                 ? _("_Start private conversation")
                 : _("_Refresh private conversation"),
             G_CALLBACK(act_start), conv, TRUE, trace);
    menu_add(menu, _("_End private conversation"), G_CALLBACK(act_end), conv,
             st != OFFREC_STATE_NOT_PRIVATE, trace);
    menu_add(menu,
             st == OFFREC_STATE_PRIVATE ? _("Re_authenticate buddy")
                                        : _("_Authenticate buddy"),
             G_CALLBACK(act_auth), conv,
             st == OFFREC_STATE_UNVERIFIED || st == OFFREC_STATE_PRIVATE,
             trace);
    tags = api->instances(conv);
    if (tags && tags->len > 1) {
        item = menu_add(menu, _("_Instances"), NULL, NULL, TRUE, trace);
        gtk_menu_item_set_submenu(GTK_MENU_ITEM(item),
                                  instances_menu(conv, tags));
    }
    if (tags)
        g_array_unref(tags);
    gtk_menu_shell_append(GTK_MENU_SHELL(menu), gtk_separator_menu_item_new());
    menu_add(menu, _("OTR _settings for this buddy..."),
             G_CALLBACK(act_settings), conv, TRUE, trace);
    menu_add(menu, _("_What's this?"), G_CALLBACK(act_whats_this), NULL, TRUE,
             trace);
    gtk_widget_show_all(menu);
    g_signal_connect(menu, "selection-done", G_CALLBACK(gtk_widget_destroy),
                     NULL);
    gtk_menu_popup(GTK_MENU(menu), NULL, NULL, menu_position, b->button, 0,
                   gtk_get_current_event_time());
    gtk_menu_shell_select_first(GTK_MENU_SHELL(menu), FALSE);
    otr_gtk_trace("menu %s: %s", buddy_of(conv), trace->str);
out:
    g_string_free(trace, TRUE);
}

/* ---- attaching buttons ------------------------------------------------- */

static void
button_destroyed(GtkWidget *w, OtrButton *b)
{
    otr_gtk_trace("button removed");
    buttons = g_list_remove(buttons, b);
    g_free(b);
}

static void
button_show(OtrButton *b)
{
    if (purple_prefs_get_bool(OTR_GTK_PREF_SHOW_BUTTON))
        gtk_widget_show(b->button);
    else
        gtk_widget_hide(b->button);
}

static void
button_trace_geometry(GtkWidget *w, GtkAllocation *a, OtrButton *b)
{
    PurpleConversation *conv = button_conv(b);
    GtkWidget *top = gtk_widget_get_toplevel(w);
    int x = 0, y = 0;

    if (!conv || !gtk_widget_get_window(w))
        return;
    gtk_widget_translate_coordinates(w, top, 0, 0, &x, &y);
    otr_gtk_trace("button %s: geometry %d %d %d %d", buddy_of(conv), x, y,
                  a->width, a->height);
}

static void
attach(PidginConversation *gtkconv)
{
    OtrButton *b;
    PurpleConversation *conv;

    if (!gtkconv || !gtkconv->lower_hbox)
        return;
    conv = gtkconv->active_conv;
    if (!conv || purple_conversation_get_type(conv) != PURPLE_CONV_TYPE_IM)
        return;
    for (GList *l = buttons; l; l = l->next)
        if (((OtrButton *)l->data)->gtkconv == gtkconv)
            return;
    b = g_new0(OtrButton, 1);
    b->gtkconv = gtkconv;
    b->shown = OFFREC_STATE_NOT_PRIVATE;
    b->button = gtk_button_new();
    gtk_button_set_relief(GTK_BUTTON(b->button), GTK_RELIEF_NONE);
    /* A click must leave the keyboard focus in the message entry. */
    gtk_button_set_focus_on_click(GTK_BUTTON(b->button), FALSE);
    b->box = otr_gtk_hbox_new(4);
    b->label = gtk_label_new(NULL);
    gtk_box_pack_start(GTK_BOX(b->box), b->label, FALSE, FALSE, 0);
    gtk_container_add(GTK_CONTAINER(b->button), b->box);
    gtk_widget_show_all(b->box);
    gtk_box_pack_end(GTK_BOX(gtkconv->lower_hbox), b->button, FALSE, FALSE, 0);
    g_signal_connect(b->button, "clicked", G_CALLBACK(button_clicked), b);
    g_signal_connect(b->button, "destroy", G_CALLBACK(button_destroyed), b);
    g_signal_connect(b->button, "size-allocate",
                     G_CALLBACK(button_trace_geometry), b);
    buttons = g_list_prepend(buttons, b);
    button_show(b);
    button_draw(b);
}

static void
on_displayed(PidginConversation *gtkconv, gpointer data)
{
    attach(gtkconv);
}

static void
on_switched(PurpleConversation *conv, gpointer data)
{
    otr_gtk_button_update(conv);
}

static void
on_state_changed(PurpleConversation *conv, guint st, gpointer data)
{
    otr_gtk_button_update(conv);
    otr_gtk_fprlist_refresh_all();
}

static void
on_smp(PurpleConversation *conv, int ev, int pct, gpointer data)
{
    otr_gtk_auth_smp_event(conv, (OffrecSmpEvent)ev, pct);
    if (ev == OFFREC_SMP_SUCCESS)
        otr_gtk_fprlist_refresh_all();
}

static void
on_fpr_new(PurpleAccount *a, const char *buddy, const char *fpr, gpointer d)
{
    otr_gtk_fprlist_refresh_all();
}

static void
on_fpr_changed(PurpleConversation *conv,
               const char *old_fpr,
               const char *new_fpr,
               gpointer data)
{
    otr_gtk_keychange_open(conv, old_fpr, new_fpr);
    otr_gtk_fprlist_refresh_all();
}

static void
on_keygen(PurpleAccount *a, int pct, int ev, gpointer data)
{
    otr_gtk_keygen_event(a, pct, (OffrecKeygenEvent)ev);
}

static void
on_deleting(PurpleConversation *conv, gpointer data)
{
    otr_gtk_auth_forget(conv);
}

static void
on_show_pref(const char *name,
             PurplePrefType type,
             gconstpointer val,
             gpointer data)
{
    GList *l;

    for (l = buttons; l; l = l->next)
        button_show(l->data);
}

static void
menu_start(PurpleConversation *conv, gpointer data)
{
    otr_gtk_api()->start(conv);
}

static void
menu_end(PurpleConversation *conv, gpointer data)
{
    otr_gtk_api()->end(conv);
}

static void
menu_auth(PurpleConversation *conv, gpointer data)
{
    otr_gtk_auth_open(conv);
}

/* Options menu of the conversation window, for when the button is hidden. */
static void
on_extended_menu(PurpleConversation *conv, GList **menu, gpointer data)
{
    if (purple_conversation_get_type(conv) != PURPLE_CONV_TYPE_IM)
        return;
    *menu = g_list_append(*menu, NULL); /* separator */
    *menu =
        g_list_append(*menu, purple_menu_action_new(_("OTR: Start or refresh"),
                                                    PURPLE_CALLBACK(menu_start),
                                                    NULL, NULL));
    *menu =
        g_list_append(*menu, purple_menu_action_new(_("OTR: End"),
                                                    PURPLE_CALLBACK(menu_end),
                                                    NULL, NULL));
    *menu = g_list_append(*menu,
                          purple_menu_action_new(_("OTR: Authenticate buddy"),
                                                 PURPLE_CALLBACK(menu_auth),
                                                 NULL, NULL));
}

void
otr_gtk_buttons_init(PurplePlugin *plugin, PurplePlugin *core)
{
    void *ch = pidgin_conversations_get_handle();
    void *cv = purple_conversations_get_handle();
    GList *l;

    purple_signal_connect(ch, "conversation-displayed", plugin,
                          PURPLE_CALLBACK(on_displayed), NULL);
    purple_signal_connect(ch, "conversation-switched", plugin,
                          PURPLE_CALLBACK(on_switched), NULL);
    purple_signal_connect(cv, "deleting-conversation", plugin,
                          PURPLE_CALLBACK(on_deleting), NULL);
    purple_signal_connect(cv, "conversation-extended-menu", plugin,
                          PURPLE_CALLBACK(on_extended_menu), NULL);
    purple_signal_connect(core, "otr-state-changed", plugin,
                          PURPLE_CALLBACK(on_state_changed), NULL);
    purple_signal_connect(core, "otr-smp-progress", plugin,
                          PURPLE_CALLBACK(on_smp), NULL);
    purple_signal_connect(core, "otr-fingerprint-new", plugin,
                          PURPLE_CALLBACK(on_fpr_new), NULL);
    purple_signal_connect(core, "otr-fingerprint-changed", plugin,
                          PURPLE_CALLBACK(on_fpr_changed), NULL);
    purple_signal_connect(core, "otr-keygen-progress", plugin,
                          PURPLE_CALLBACK(on_keygen), NULL);
    purple_prefs_connect_callback(plugin, OTR_GTK_PREF_SHOW_BUTTON,
                                  on_show_pref, NULL);
    for (l = purple_get_ims(); l; l = l->next) {
        PurpleConversation *conv = l->data;

        if (PIDGIN_IS_PIDGIN_CONVERSATION(conv))
            attach(PIDGIN_CONVERSATION(conv));
    }
}

void
otr_gtk_buttons_uninit(void)
{
    /* Signals and pref callbacks go with the plugin handle; widgets don't. */
    while (buttons)
        gtk_widget_destroy(((OtrButton *)buttons->data)->button);
}
