/* Offrec GTK front-end — offrec-gtk.so: plugin info, load and unload.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * A thin Pidgin module on top of the core plugin (id "core-offrec"): it gets
 * the OffrecApi table over IPC, listens to the core plugin's signals and
 * draws. The init function makes no UI calls (it runs in every UI that
 * probes the file); everything GTK happens in load().
 */
#include "gtk-private.h"
#include "gtkplugin.h"
#include "pidgin.h"

#define API_NEEDS (G_STRUCT_OFFSET(OffrecApi, ui_unregister) + sizeof(gpointer))

static PurplePlugin *core_plugin;

static GtkWidget *
config_frame(PurplePlugin *plugin)
{
    return otr_gtk_settings_new();
}

static void
action_settings(PurplePluginAction *a)
{
    otr_gtk_settings_open(0);
}

static void
action_fingerprints(PurplePluginAction *a)
{
    otr_gtk_settings_open(2);
}

static GList *
actions(PurplePlugin *plugin, gpointer context)
{
    GList *l = NULL;

    l = g_list_append(l, purple_plugin_action_new(_("OTR Settings..."),
                                                  action_settings));
    l = g_list_append(l, purple_plugin_action_new(_("Known Fingerprints..."),
                                                  action_fingerprints));
    return l;
}

static void
blist_settings(PurpleBlistNode *node, gpointer data)
{
    PurpleBuddy *b;

    if (PURPLE_BLIST_NODE_IS_CONTACT(node))
        node = (PurpleBlistNode *)purple_contact_get_priority_buddy(
            (PurpleContact *)node);
    if (!node || !PURPLE_BLIST_NODE_IS_BUDDY(node))
        return;
    b = (PurpleBuddy *)node;
    otr_gtk_buddy_settings_open(purple_buddy_get_account(b),
                                purple_buddy_get_name(b));
}

static void
blist_menu(PurpleBlistNode *node, GList **menu, gpointer data)
{
    if (!PURPLE_BLIST_NODE_IS_BUDDY(node) &&
        !PURPLE_BLIST_NODE_IS_CONTACT(node))
        return;
    *menu =
        g_list_append(*menu,
                      purple_menu_action_new(_("OTR Settings"),
                                             PURPLE_CALLBACK(blist_settings),
                                             NULL, NULL));
}

static char *
icon_dir_for(PurplePlugin *plugin)
{
    char *dir = g_path_get_dirname(plugin->path ? plugin->path : ".");
    char *local = g_build_filename(dir, "offrec-icons", NULL);

    g_free(dir);
    if (g_file_test(local, G_FILE_TEST_IS_DIR))
        return local;
    g_free(local);
    return g_strdup(OFFREC_ICONDIR);
}

static gboolean
plugin_load(PurplePlugin *plugin)
{
    const OffrecApi *api;
    gboolean ok = FALSE;
    char *dir;

    core_plugin = purple_plugins_find_with_id(OFFREC_PLUGIN_ID);
    if (!core_plugin || !purple_plugin_is_loaded(core_plugin)) {
        purple_debug_error(OTR_GTK_TRACE_CATEGORY, "core plugin not loaded\n");
        return FALSE;
    }
    api = purple_plugin_ipc_call(core_plugin, OFFREC_IPC_GET_API, &ok, NULL);
    if (!ok || !api || api->version < OFFREC_API_VERSION ||
        api->size < API_NEEDS) {
        purple_debug_error(OTR_GTK_TRACE_CATEGORY,
                           "core plugin API missing or too old\n");
        return FALSE;
    }
    otr_gtk_set_api(api, plugin);
    dir = icon_dir_for(plugin);
    otr_gtk_set_icon_dir(dir);
    g_free(dir);
    api->ui_register(OFFREC_UI_SMP | OFFREC_UI_KEYGEN);
    purple_signal_connect(purple_blist_get_handle(), "blist-node-extended-menu",
                          plugin, PURPLE_CALLBACK(blist_menu), NULL);
    otr_gtk_buttons_init(plugin, core_plugin);
    otr_gtk_trace("loaded (API version %u)", api->version);
    return TRUE;
}

static gboolean
plugin_unload(PurplePlugin *plugin)
{
    const OffrecApi *api = otr_gtk_api();

    otr_gtk_buttons_uninit();
    otr_gtk_close_all_windows();
    if (api && core_plugin && purple_plugin_is_loaded(core_plugin))
        api->ui_unregister(OFFREC_UI_SMP | OFFREC_UI_KEYGEN);
    otr_gtk_set_api(NULL, NULL);
    core_plugin = NULL;
    otr_gtk_trace("unloaded");
    return TRUE;
}

static PidginPluginUiInfo ui_info = {
    config_frame, 0, NULL, NULL, NULL, NULL,
};

static PurplePluginInfo info = {
    PURPLE_PLUGIN_MAGIC,
    PURPLE_MAJOR_VERSION,
    10, /* lowest libpurple minor whose API this uses */
    PURPLE_PLUGIN_STANDARD,
    PIDGIN_PLUGIN_TYPE,
    0,
    NULL, /* dependencies: set in init */
    PURPLE_PRIORITY_DEFAULT,
    OTR_GTK_PLUGIN_ID,
    NULL, /* name, summary, description: translated in init */
    OFFREC_VERSION,
    NULL,
    NULL,
    "Offrec",
    NULL, /* no homepage yet */
    plugin_load,
    plugin_unload,
    NULL,
    &ui_info,
    NULL,
    NULL,
    actions,
    NULL,
    NULL,
    NULL,
    NULL,
};

static void
init_plugin(PurplePlugin *plugin)
{
    /* OFFREC_LOCALEDIR: catalogs of a build tree (tests), as the core
     * plugin honours it; both must bind the shared domain alike. */
    const char *dir = g_getenv("OFFREC_LOCALEDIR");

    bindtextdomain(GETTEXT_PACKAGE, dir && *dir ? dir : LOCALEDIR);
    bind_textdomain_codeset(GETTEXT_PACKAGE, "UTF-8");
    info.name = (char *)_("Off-the-Record Messaging");
    info.summary = (char *)_("Private conversations in Pidgin with OTR");
    info.description = (char *)_(
        "Shows whether each conversation is private, with an OTR button in "
        "the conversation window: start and end private conversations, "
        "authenticate your buddy with a question, a shared secret or by "
        "comparing fingerprints, manage your keys and your buddies' "
        "fingerprints. Needs the Off-the-Record Messaging (Offrec) core "
        "plugin, which does the encryption.");
    info.dependencies = g_list_append(info.dependencies, OFFREC_PLUGIN_ID);
    otr_gtk_prefs_init();
}

PURPLE_INIT_PLUGIN(offrec_gtk, init_plugin, info)
