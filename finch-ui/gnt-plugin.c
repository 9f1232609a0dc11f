/* Offrec Finch front-end — module skeleton, core API lookup and helpers.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <string.h>

#include <gntplugin.h>

#include "finch-private.h"

static OtrFinch *the_finch;

OtrFinch *
otr_finch_get(void)
{
    return the_finch;
}

void
otr_finch_wipe(void *p, size_t n)
{
    if (p && n)
        explicit_bzero(p, n);
}

void
otr_finch_entry_wipe(GntEntry *entry)
{
    if (!entry)
        return;
    /* The entry's own buffer holds the secret: wipe all of it. */
    if (entry->start && entry->buffer)
        otr_finch_wipe(entry->start, entry->buffer);
    gnt_entry_clear(entry);
}

/* Runs after the focused child had its chance at the key. */
static gboolean
window_key(GntWidget *win, const char *keys, gpointer unused)
{
    if (strcmp(keys, "\033") != 0)
        return FALSE;
    gnt_widget_destroy(win);
    return TRUE;
}

GntWidget *
otr_finch_window_new(const char *title)
{
    GntWidget *win = gnt_vbox_new(FALSE);

    g_signal_connect_after(G_OBJECT(win), "key_pressed", G_CALLBACK(window_key),
                           NULL);

    gnt_box_set_toplevel(GNT_BOX(win), TRUE);
    gnt_box_set_title(GNT_BOX(win), title);
    gnt_box_set_alignment(GNT_BOX(win), GNT_ALIGN_MID);
    gnt_box_set_pad(GNT_BOX(win), 0);
    return win;
}

GntWidget *
otr_finch_button_row(GntWidget *box)
{
    GntWidget *row = gnt_hbox_new(FALSE);

    gnt_box_set_alignment(GNT_BOX(row), GNT_ALIGN_MID);
    gnt_box_add_widget(GNT_BOX(box), row);
    return row;
}

GntWidget *
otr_finch_button_add(GntWidget *row,
                     const char *label,
                     GCallback cb,
                     gpointer data)
{
    GntWidget *b = gnt_button_new(label);

    if (cb)
        g_signal_connect(G_OBJECT(b), "activate", cb, data);
    gnt_box_add_widget(GNT_BOX(row), b);
    return b;
}

const char *
otr_finch_state_name(OffrecState state)
{
    /* The same words as the core plugin's /otr status. */
    switch (state) {
    case OFFREC_STATE_NOT_PRIVATE:
        return _("Not private");
    case OFFREC_STATE_UNVERIFIED:
        return _("Unverified");
    case OFFREC_STATE_PRIVATE:
        return _("Private");
    case OFFREC_STATE_FINISHED:
        return _("Finished");
    }
    return _("Not private");
}

const char *
otr_finch_policy_name(OffrecPolicy policy)
{
    switch (policy) {
    case OFFREC_POLICY_DEFAULT:
        return _("Default");
    case OFFREC_POLICY_NEVER:
        return _("Never");
    case OFFREC_POLICY_MANUAL:
        return _("Manual");
    case OFFREC_POLICY_OPPORTUNISTIC:
        return _("Opportunistic");
    case OFFREC_POLICY_ALWAYS:
        return _("Always");
    }
    return _("Default");
}

PurpleAccount *
otr_finch_fpr_account(const OffrecFingerprint *fp)
{
    if (!fp || !fp->account || !fp->protocol)
        return NULL;
    return purple_accounts_find(fp->account, fp->protocol);
}

/* Buddy list: "OTR settings..." for buddies and (collapsed) contacts. */
static void
blist_settings_cb(PurpleBlistNode *node, gpointer unused)
{
    PurpleBuddy *buddy = NULL;

    if (!the_finch || !node)
        return;
    if (PURPLE_BLIST_NODE_IS_CONTACT(node))
        buddy = purple_contact_get_priority_buddy((PurpleContact *)node);
    else if (PURPLE_BLIST_NODE_IS_BUDDY(node))
        buddy = (PurpleBuddy *)node;
    if (buddy)
        otr_finch_buddy_settings_open(buddy);
}

static void
blist_menu_cb(PurpleBlistNode *node, GList **menu, gpointer unused)
{
    if (!PURPLE_BLIST_NODE_IS_BUDDY(node) &&
        !PURPLE_BLIST_NODE_IS_CONTACT(node))
        return;
    *menu =
        g_list_append(*menu,
                      purple_menu_action_new(_("OTR settings..."),
                                             PURPLE_CALLBACK(blist_settings_cb),
                                             NULL, NULL));
}

static void
action_fprs(PurplePluginAction *a)
{
    if (the_finch)
        otr_finch_fprs_open();
}

static void
action_prefs(PurplePluginAction *a)
{
    if (the_finch)
        otr_finch_prefs_open();
}

static void
action_keys(PurplePluginAction *a)
{
    if (the_finch)
        otr_finch_keys_open();
}

static GList *
plugin_actions(PurplePlugin *plugin, gpointer context)
{
    GList *l = NULL;

    l = g_list_append(l, purple_plugin_action_new(_("OTR known fingerprints"),
                                                  action_fprs));
    l = g_list_append(l, purple_plugin_action_new(_("OTR settings"),
                                                  action_prefs));
    l = g_list_append(l, purple_plugin_action_new(_("OTR private keys"),
                                                  action_keys));
    return l;
}

static gboolean
plugin_load(PurplePlugin *plugin)
{
    PurplePlugin *core = purple_plugins_find_with_id(OFFREC_PLUGIN_ID);
    const OffrecApi *api;
    gboolean ok = FALSE;

    if (!core || !purple_plugin_is_loaded(core)) {
        purple_debug_error("offrec-gnt", "the core plugin is not loaded\n");
        return FALSE;
    }
    api = purple_plugin_ipc_call(core, OFFREC_IPC_GET_API, &ok, NULL);
    /* Every member up to smp_outcome (the last one) is used. */
    if (!ok || !api || api->version < OFFREC_API_VERSION ||
        api->size < sizeof(OffrecApi)) {
        purple_debug_error("offrec-gnt", "the core plugin's API is too old\n");
        return FALSE;
    }
    the_finch = g_new0(OtrFinch, 1);
    the_finch->plugin = plugin;
    the_finch->core = core;
    the_finch->api = api;
    api->ui_register(OFFREC_UI_SMP | OFFREC_UI_KEYGEN);
    purple_signal_connect(purple_blist_get_handle(), "blist-node-extended-menu",
                          plugin, PURPLE_CALLBACK(blist_menu_cb), NULL);
    otr_finch_conv_init();
    otr_finch_smp_init();
    otr_finch_fprs_init();
    otr_finch_keys_init();
    purple_debug_info("offrec-gnt", "loaded\n");
    return TRUE;
}

static gboolean
plugin_unload(PurplePlugin *plugin)
{
    if (!the_finch)
        return TRUE;
    otr_finch_keys_uninit();
    otr_finch_prefs_uninit();
    otr_finch_fprs_uninit();
    otr_finch_smp_uninit();
    otr_finch_conv_uninit();
    purple_signals_disconnect_by_handle(plugin);
    if (purple_plugin_is_loaded(the_finch->core))
        the_finch->api->ui_unregister(OFFREC_UI_SMP | OFFREC_UI_KEYGEN);
    g_clear_pointer(&the_finch, g_free);
    purple_debug_info("offrec-gnt", "unloaded\n");
    return TRUE;
}

static PurplePluginInfo info = {
    .magic = PURPLE_PLUGIN_MAGIC,
    .major_version = PURPLE_MAJOR_VERSION,
    .minor_version = 10,
    .type = PURPLE_PLUGIN_STANDARD,
    .ui_requirement = FINCH_PLUGIN_TYPE,
    .flags = 0,
    .dependencies = NULL,
    .priority = PURPLE_PRIORITY_DEFAULT,
    .id = OTR_FINCH_PLUGIN_ID,
    .name = NULL,
    .version = OFFREC_VERSION,
    .summary = NULL,
    .description = NULL,
    .author = "Offrec developers",
    .homepage = NULL, /* no homepage yet */
    .load = plugin_load,
    .unload = plugin_unload,
    .destroy = NULL,
    .ui_info = (void *)otr_finch_prefs_frame,
    .extra_info = NULL,
    .prefs_info = NULL,
    .actions = plugin_actions,
};

/* Runs at probe time in every UI: no UI calls here. */
static void
init_plugin(PurplePlugin *plugin)
{
    /* OFFREC_LOCALEDIR: catalogs of a build tree (tests), as the core
     * plugin honours it; both must bind the shared domain alike. */
    const char *dir = g_getenv("OFFREC_LOCALEDIR");

    bindtextdomain(GETTEXT_PACKAGE, dir && *dir ? dir : LOCALEDIR);
    bind_textdomain_codeset(GETTEXT_PACKAGE, "UTF-8");
    info.name = _("Off-the-Record Messaging for Finch (Offrec)");
    info.summary = _("Private conversations in Finch: OTR menu, status, "
                     "buddy authentication");
    info.description =
        _("The Finch front-end of Offrec: an OTR menu and a status line in "
          "every IM window, a wizard to authenticate buddies (question and "
          "answer, shared secret, fingerprint), the known fingerprints, "
          "settings and your private keys. Needs the Offrec core plugin.");
    info.dependencies = g_list_append(info.dependencies, OFFREC_PLUGIN_ID);
}

PURPLE_INIT_PLUGIN(offrec_gnt, init_plugin, info)
