/* Offrec Finch front-end — the OTR menu and status line of IM windows.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Nothing is stored per conversation but a "key changed" flag: the menu
 * item lives on the window's menubar (object data on the GntMenu) and the
 * status line is found again among the window's info widgets, so no
 * pointer can outlive Finch's own widgets.
 */
#include <stdio.h>
#include <string.h>

#include <gntconv.h>

#include "finch-private.h"

#define ITEM_KEY    "offrec-gnt-item"
#define STATUS_KEY  "offrec-gnt-status"
#define CHANGED_KEY "offrec-gnt-key-changed"
#define INST_PREFIX "offrec-instance-"

/* The conversation a window's menubar belongs to (the active one). */
static PurpleConversation *
conv_of_menu(GntWidget *menu)
{
    for (GList *l = purple_get_ims(); l; l = l->next) {
        PurpleConversation *c = l->data;
        FinchConv *fc = FINCH_CONV(c);

        if (fc && fc->menu == menu)
            return fc->active_conv ? fc->active_conv : c;
    }
    return NULL;
}

/* Our status label among the window's info widgets, or NULL. */
static GntWidget *
status_label(FinchConv *fc)
{
    GList *kids;

    if (!fc || !fc->info)
        return NULL;
    kids = gnt_box_get_children(GNT_BOX(fc->info));
    for (GList *l = kids; l; l = l->next)
        if (g_object_get_data(G_OBJECT(l->data), STATUS_KEY))
            return l->data;
    return NULL;
}

static char *
status_text(PurpleConversation *conv)
{
    OtrFinch *fin = otr_finch_get();
    OffrecState st = fin->api->get_state(conv);
    const char *name = otr_finch_state_name(st);
    gboolean changed = purple_conversation_get_data(conv, CHANGED_KEY) != NULL;

    if (changed && st != OFFREC_STATE_PRIVATE)
        return g_strdup_printf(_("OTR: %s - WARNING: %s's key has changed!"),
                               name,
                               purple_normalize(purple_conversation_get_account(
                                                    conv),
                                                purple_conversation_get_name(
                                                    conv)));
    switch (st) {
    case OFFREC_STATE_NOT_PRIVATE:
    case OFFREC_STATE_PRIVATE:
        break;
    case OFFREC_STATE_UNVERIFIED:
        return g_strdup_printf(_("OTR: %s (OTR > Authenticate buddy... to "
                                 "verify)"),
                               name);
    case OFFREC_STATE_FINISHED:
        return g_strdup_printf(_("OTR: %s (the buddy ended the private "
                                 "conversation: end it too)"),
                               name);
    }
    return g_strdup_printf(_("OTR: %s"), name);
}

static void
update_status(PurpleConversation *conv)
{
    FinchConv *fc;
    GntWidget *label;
    char *text;

    if (!otr_finch_get() ||
        purple_conversation_get_type(conv) != PURPLE_CONV_TYPE_IM)
        return;
    fc = FINCH_CONV(conv);
    if (!fc || !fc->info || (fc->active_conv && fc->active_conv != conv))
        return;
    text = status_text(conv);
    label = status_label(fc);
    if (label) {
        /* Setting the text redraws in place; replacing the info widget
         * would re-lay the window out and raise it over our dialogs. */
        char *padded =
            g_strdup_printf("%-*s",
                            (int)GPOINTER_TO_INT(
                                g_object_get_data(G_OBJECT(label), STATUS_KEY)),
                            text);

        gnt_label_set_text(GNT_LABEL(label), padded);
        g_free(padded);
    } else {
        int width = 0, height = 0;
        char *padded;

        gnt_widget_get_size(fc->window, &width, &height);
        width = CLAMP(width - 2, 40, 200);
        padded = g_strdup_printf("%-*s", width, text);
        label = gnt_label_new(padded);
        g_object_set_data(G_OBJECT(label), STATUS_KEY, GINT_TO_POINTER(width));
        finch_conversation_set_info_widget(conv, label);
        g_free(padded);
    }
    g_free(text);
}

static void
menu_start(GntMenuItem *item, gpointer menu)
{
    OtrFinch *fin = otr_finch_get();
    PurpleConversation *conv = conv_of_menu(menu);

    if (fin && conv)
        fin->api->start(conv);
}

static void
menu_end(GntMenuItem *item, gpointer menu)
{
    OtrFinch *fin = otr_finch_get();
    PurpleConversation *conv = conv_of_menu(menu);

    if (fin && conv)
        fin->api->end(conv);
}

static void
menu_auth(GntMenuItem *item, gpointer menu)
{
    PurpleConversation *conv = conv_of_menu(menu);

    if (otr_finch_get() && conv)
        otr_finch_smp_open(conv);
}

static void
menu_instance(GntMenuItem *item, gpointer menu)
{
    OtrFinch *fin = otr_finch_get();
    PurpleConversation *conv = conv_of_menu(menu);
    const char *id = gnt_menuitem_get_id(item);
    unsigned int tag = 0;

    if (!fin || !conv || !id)
        return;
    if (strcmp(id, INST_PREFIX "secure") == 0)
        fin->api->select_instance(conv, OFFREC_SELECT_MOST_SECURE, 0);
    else if (strcmp(id, INST_PREFIX "recent") == 0)
        fin->api->select_instance(conv, OFFREC_SELECT_MOST_RECENT, 0);
    else if (sscanf(id, INST_PREFIX "%x", &tag) == 1)
        fin->api->select_instance(conv, OFFREC_SELECT_INSTANCE, tag);
    update_status(conv);
}

static void
menu_fingerprints(GntMenuItem *item, gpointer menu)
{
    OtrFinch *fin = otr_finch_get();
    PurpleConversation *conv = conv_of_menu(menu);
    char *text, *primary;

    if (!fin || !conv)
        return;
    text = fin->api->status_text(conv);
    primary = g_strdup_printf(_("Fingerprints for the conversation with %s"),
                              purple_conversation_get_name(conv));
    purple_notify_message(fin->plugin, PURPLE_NOTIFY_MSG_INFO,
                          _("OTR fingerprints"), primary,
                          text ? text : _("No fingerprints yet."), NULL, NULL);
    g_free(primary);
    g_free(text);
}

static void
menu_buddy_settings(GntMenuItem *item, gpointer menu)
{
    PurpleConversation *conv = conv_of_menu(menu);
    PurpleBuddy *b;

    if (!otr_finch_get() || !conv)
        return;
    b = purple_find_buddy(purple_conversation_get_account(conv),
                          purple_conversation_get_name(conv));
    if (b)
        otr_finch_buddy_settings_open(b);
    else
        purple_notify_message(otr_finch_get()->plugin, PURPLE_NOTIFY_MSG_ERROR,
                              _("OTR settings"),
                              _("This buddy is not in your buddy list."),
                              _("Per-buddy OTR settings can only be stored "
                                "for buddies in the buddy list."),
                              NULL, NULL);
}

static void
menu_help(GntMenuItem *item, gpointer menu)
{
    OtrFinch *fin = otr_finch_get();

    if (!fin)
        return;
    purple_notify_message(
        fin->plugin, PURPLE_NOTIFY_MSG_INFO, _("What is OTR?"),
        _("Off-the-Record (OTR) messaging"),
        _("OTR encrypts your instant messages end to end, so that only your "
          "buddy can read them; nobody can later prove what you said.\n\n"
          "Not private: messages are sent in the clear.\n"
          "Unverified: encrypted, but you have not yet checked that you "
          "talk to your buddy and not an impostor.\n"
          "Private: encrypted, and the buddy's fingerprint is verified.\n"
          "Finished: the buddy ended the private conversation; end it too "
          "or start a new one.\n\n"
          "Use OTR > Start private conversation, then OTR > Authenticate "
          "buddy... to verify who you talk to. The /otr command does the "
          "same from the keyboard (/otr help)."),
        NULL, NULL);
}

static void
add_item(GntMenu *sub, const char *label, GntMenuItemCallback cb, gpointer d)
{
    GntMenuItem *it = gnt_menuitem_new(label);

    gnt_menuitem_set_callback(it, cb, d);
    gnt_menu_add_item(sub, it);
}

static GntMenu *
instance_menu(PurpleConversation *conv, GntWidget *menu, GArray *inst)
{
    OtrFinch *fin = otr_finch_get();
    GntMenu *sub = GNT_MENU(gnt_menu_new(GNT_MENU_POPUP));
    guint32 sel = fin->api->selected_instance(conv);
    GntMenuItem *it;

    it = gnt_menuitem_new(_("Most secure"));
    gnt_menuitem_set_id(it, INST_PREFIX "secure");
    gnt_menuitem_set_callback(it, menu_instance, menu);
    gnt_menu_add_item(sub, it);
    it = gnt_menuitem_new(_("Most recent"));
    gnt_menuitem_set_id(it, INST_PREFIX "recent");
    gnt_menuitem_set_callback(it, menu_instance, menu);
    gnt_menu_add_item(sub, it);
    for (guint i = 0; i < inst->len; i++) {
        guint32 tag = g_array_index(inst, guint32, i);
        char *label = g_strdup_printf(tag == sel ? _("Instance %08x (selected)")
                                                 : _("Instance %08x"),
                                      tag);
        char *id = g_strdup_printf(INST_PREFIX "%08x", tag);

        it = gnt_menuitem_new(label);
        gnt_menuitem_set_id(it, id);
        gnt_menuitem_set_callback(it, menu_instance, menu);
        gnt_menu_add_item(sub, it);
        g_free(label);
        g_free(id);
    }
    return sub;
}

/* The OTR submenu, rebuilt each time it opens so the labels fit. */
static GntMenu *
build_menu(PurpleConversation *conv, GntWidget *menu)
{
    OtrFinch *fin = otr_finch_get();
    GntMenu *sub = GNT_MENU(gnt_menu_new(GNT_MENU_POPUP));
    OffrecState st = fin->api->get_state(conv);
    GArray *inst = fin->api->instances(conv);
    gboolean on = st == OFFREC_STATE_PRIVATE || st == OFFREC_STATE_UNVERIFIED;

    add_item(sub,
             on ? _("Refresh private conversation")
                : _("Start private conversation"),
             menu_start, menu);
    add_item(sub, _("End private conversation"), menu_end, menu);
    add_item(sub, _("Authenticate buddy..."), menu_auth, menu);
    if (inst && inst->len > 1) {
        GntMenuItem *it = gnt_menuitem_new(_("Instance"));

        gnt_menuitem_set_submenu(it, instance_menu(conv, menu, inst));
        gnt_menu_add_item(sub, it);
    }
    if (inst)
        g_array_unref(inst);
    add_item(sub, _("Show fingerprints"), menu_fingerprints, menu);
    add_item(sub, _("OTR settings for this buddy..."), menu_buddy_settings,
             menu);
    add_item(sub, _("What's this?"), menu_help, menu);
    return sub;
}

static void
item_activate(GntMenuItem *item, gpointer menu)
{
    PurpleConversation *conv = conv_of_menu(menu);

    if (!otr_finch_get() || !conv)
        return;
    gnt_menuitem_set_submenu(item, build_menu(conv, menu));
}

static void
attach(PurpleConversation *conv)
{
    FinchConv *fc;
    GntMenuItem *item;

    if (purple_conversation_get_type(conv) != PURPLE_CONV_TYPE_IM)
        return;
    fc = FINCH_CONV(conv);
    if (!fc || !fc->menu || !GNT_IS_MENU(fc->menu))
        return;
    if (!g_object_get_data(G_OBJECT(fc->menu), ITEM_KEY)) {
        item = gnt_menuitem_new(_("OTR"));
        gnt_menuitem_set_submenu(item, build_menu(conv, fc->menu));
        g_signal_connect(G_OBJECT(item), "activate", G_CALLBACK(item_activate),
                         fc->menu);
        gnt_menu_add_item(GNT_MENU(fc->menu), item);
        g_object_set_data(G_OBJECT(fc->menu), ITEM_KEY, item);
    }
    update_status(conv);
}

static void
detach(PurpleConversation *conv)
{
    FinchConv *fc = FINCH_CONV(conv);
    GntMenuItem *item;
    GntMenu *menu;

    purple_conversation_set_data(conv, CHANGED_KEY, NULL);
    if (!fc)
        return;
    if (status_label(fc))
        finch_conversation_set_info_widget(conv, NULL);
    if (!fc->menu || !GNT_IS_MENU(fc->menu))
        return;
    menu = GNT_MENU(fc->menu);
    item = g_object_get_data(G_OBJECT(menu), ITEM_KEY);
    if (!item)
        return;
    g_object_set_data(G_OBJECT(menu), ITEM_KEY, NULL);
    g_signal_handlers_disconnect_by_func(G_OBJECT(item),
                                         G_CALLBACK(item_activate), fc->menu);
    menu->list = g_list_remove(menu->list, item);
    if (menu->selected < 0 || menu->selected >= (int)g_list_length(menu->list))
        menu->selected = 0;
    g_object_unref(item);
}

static void
conv_created(PurpleConversation *conv, gpointer unused)
{
    if (otr_finch_get())
        attach(conv);
}

static void
state_changed(PurpleConversation *conv, guint state, gpointer unused)
{
    if (!otr_finch_get() || !conv)
        return;
    if (state == OFFREC_STATE_PRIVATE || state == OFFREC_STATE_NOT_PRIVATE)
        purple_conversation_set_data(conv, CHANGED_KEY, NULL);
    attach(conv);
}

static void
fpr_changed(PurpleConversation *conv,
            const char *old_fpr,
            const char *new_fpr,
            gpointer unused)
{
    if (!otr_finch_get() || !conv)
        return;
    purple_conversation_set_data(conv, CHANGED_KEY, GINT_TO_POINTER(1));
    attach(conv);
}

void
otr_finch_conv_init(void)
{
    OtrFinch *fin = otr_finch_get();

    purple_signal_connect(purple_conversations_get_handle(),
                          "conversation-created", fin->plugin,
                          PURPLE_CALLBACK(conv_created), NULL);
    purple_signal_connect(fin->core, "otr-state-changed", fin->plugin,
                          PURPLE_CALLBACK(state_changed), NULL);
    purple_signal_connect(fin->core, "otr-fingerprint-changed", fin->plugin,
                          PURPLE_CALLBACK(fpr_changed), NULL);
    for (GList *l = purple_get_ims(); l; l = l->next)
        attach(l->data);
}

void
otr_finch_conv_uninit(void)
{
    for (GList *l = purple_get_ims(); l; l = l->next)
        detach(l->data);
}
