/* Offrec — offrec.so module: plugin info, init, load and unload.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <stdarg.h>

#include "plugin-private.h"

static OtrPlugin *the_plugin;

OtrPlugin *
otr_plugin_get(void)
{
    return the_plugin;
}

void
otr_plugin_debug(const char *fmt, ...)
{
    va_list ap;
    char *line;

    va_start(ap, fmt);
    line = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    purple_debug_info("offrec", "%s\n", line);
    g_free(line);
}

/* Session host ops: the default RNG and clock, the log into purple_debug
 * (sessions only run on the main thread). */
static void
ops_random(void *user, uint8_t *buf, size_t len)
{
    const OtrHostOps *d = otr_host_ops_default();

    d->random(NULL, buf, len);
}

static gint64
ops_now(void *user)
{
    const OtrHostOps *d = otr_host_ops_default();

    return d->now(NULL);
}

static void
ops_log(void *user, const char *line)
{
    purple_debug_misc("offrec", "core: %s\n", line);
}

static const OtrHostOps host_ops = { ops_random, ops_now, ops_log };

const OtrHostOps *
otr_plugin_host_ops(void)
{
    return &host_ops;
}

static gpointer
ipc_get_api(gpointer unused)
{
    return (gpointer)otr_plugin_api();
}

/* Another file with our id (a second copy under another name). */
static gboolean
other_copy_loaded(PurplePlugin *self)
{
    for (GList *l = purple_plugins_get_loaded(); l; l = l->next) {
        PurplePlugin *p = l->data;

        if (p != self && p->info && p->info->id &&
            g_str_equal(p->info->id, OFFREC_PLUGIN_ID))
            return TRUE;
    }
    return FALSE;
}

/* pidgin-otr ("otr") hooks the same signals. */
static gboolean
conflicting_plugin_loaded(void)
{
    PurplePlugin *p = purple_plugins_find_with_id("otr");

    return p && purple_plugin_is_loaded(p);
}

/* Binds the "offrec" text domain to the installed catalogs, or to
 * $OFFREC_LOCALEDIR when set (tests point it at the build tree's po/,
 * which has the <lang>/LC_MESSAGES/offrec.mo layout). */
static void
bind_text_domain(void)
{
    const char *dir = g_getenv("OFFREC_LOCALEDIR");

    bindtextdomain(GETTEXT_PACKAGE, dir && *dir ? dir : LOCALEDIR);
    bind_textdomain_codeset(GETTEXT_PACKAGE, "UTF-8");
}

static gboolean
plugin_load(PurplePlugin *plugin)
{
    OtrPlugin *pl;

    if (the_plugin || other_copy_loaded(plugin)) {
        purple_debug_error("offrec", "already loaded; refusing to load "
                                     "twice\n");
        return FALSE;
    }
    if (conflicting_plugin_loaded()) {
        purple_notify_error(plugin, _("Off-the-Record Messaging"),
                            _("Offrec cannot run together with pidgin-otr"),
                            _("Both would encrypt the same messages. "
                              "Disable the other OTR plugin first."));
        return FALSE;
    }
    bind_text_domain();
    if (!otr_init()) {
        purple_debug_error("offrec", "crypto libraries failed to start\n");
        return FALSE;
    }
    pl = g_new0(OtrPlugin, 1);
    pl->handle = plugin;
    pl->cmd_ids = g_ptr_array_new();
    pl->keygen_notes =
        g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    pl->keygen_pct =
        g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    the_plugin = pl;
    plugin->extra = pl;
    if (!otr_plugin_keys_init(pl)) {
        g_hash_table_destroy(pl->keygen_notes);
        g_hash_table_destroy(pl->keygen_pct);
        g_ptr_array_unref(pl->cmd_ids);
        g_free(pl);
        the_plugin = NULL;
        plugin->extra = NULL;
        return FALSE;
    }
    otr_plugin_convs_init(pl);
    otr_plugin_signals_register(plugin);
    purple_plugin_ipc_register(plugin, OFFREC_IPC_GET_API,
                               PURPLE_CALLBACK(ipc_get_api),
                               purple_marshal_POINTER__POINTER,
                               purple_value_new(PURPLE_TYPE_POINTER), 1,
                               purple_value_new(PURPLE_TYPE_POINTER));
    otr_plugin_messages_connect(pl);
    otr_plugin_lifecycle_connect(pl);
    otr_plugin_commands_register(pl);
    otr_plugin_tick_start(pl);
    otr_plugin_debug("loaded (files in %s)", pl->dir);
    return TRUE;
}

static gboolean
plugin_unload(PurplePlugin *plugin)
{
    OtrPlugin *pl = the_plugin;

    if (!pl)
        return TRUE;
    otr_plugin_conv_end_all(NULL);
    if (pl->tick_id)
        purple_timeout_remove(pl->tick_id);
    otr_plugin_commands_unregister(pl);
    otr_plugin_messages_disconnect(pl);
    purple_request_close_with_handle(plugin);
    purple_notify_close_with_handle(plugin);
    purple_signals_disconnect_by_handle(plugin);
    purple_plugin_ipc_unregister_all(plugin);
    purple_signals_unregister_by_instance(plugin);
    otr_plugin_convs_free(pl);
    /* From here on, queued key-generation callbacks find no plugin. */
    the_plugin = NULL;
    plugin->extra = NULL;
    otr_store_free(pl->store);
    g_free(pl->pass_check);
    g_hash_table_destroy(pl->keygen_notes);
    g_hash_table_destroy(pl->keygen_pct);
    g_ptr_array_unref(pl->cmd_ids);
    g_free(pl->dir);
    g_free(pl);
    otr_plugin_debug("unloaded");
    return TRUE;
}

/* The settings dialog both Pidgin and Finch build from a pref frame. */
static PurplePluginPrefFrame *
get_pref_frame(PurplePlugin *plugin)
{
    PurplePluginPrefFrame *frame = purple_plugin_pref_frame_new();
    PurplePluginPref *pref;

    pref = purple_plugin_pref_new_with_name_and_label(PREF_POLICY,
                                                      _("Default OTR policy"));
    purple_plugin_pref_set_type(pref, PURPLE_PLUGIN_PREF_CHOICE);
    purple_plugin_pref_add_choice(pref, _("Never"), (gpointer) "never");
    purple_plugin_pref_add_choice(pref, _("Manual (only when asked)"),
                                  (gpointer) "manual");
    purple_plugin_pref_add_choice(pref, _("Opportunistic"),
                                  (gpointer) "opportunistic");
    purple_plugin_pref_add_choice(pref, _("Always (never send unencrypted)"),
                                  (gpointer) "always");
    purple_plugin_pref_frame_add(frame, pref);
    purple_plugin_pref_frame_add(frame,
                                 purple_plugin_pref_new_with_name_and_label(
                                     PREF_KNOWN,
                                     _("Always encrypt with buddies whose "
                                       "fingerprint is known")));
    purple_plugin_pref_frame_add(frame,
                                 purple_plugin_pref_new_with_name_and_label(
                                     PREF_AVOID_LOG,
                                     _("Don't log OTR conversations")));
    purple_plugin_pref_frame_add(
        frame, purple_plugin_pref_new_with_name_and_label(
                   PREF_CONFIRM,
                   _("Confirm the first message after a buddy's key changed")));
    purple_plugin_pref_frame_add(
        frame, purple_plugin_pref_new_with_name_and_label(
                   PREF_FRAGMENTS, _("Fragment sizes (protocol=bytes; ...)")));
    return frame;
}

static PurplePluginUiInfo prefs_info = {
    get_pref_frame, 0, NULL, NULL, NULL, NULL, NULL,
};

static PurplePluginInfo info = {
    PURPLE_PLUGIN_MAGIC,
    PURPLE_MAJOR_VERSION,
    10, /* lowest libpurple 2 minor whose API we use */
    PURPLE_PLUGIN_STANDARD,
    NULL, /* core plugin: every UI */
    0,
    NULL,
    PURPLE_PRIORITY_DEFAULT,
    OFFREC_PLUGIN_ID,
    NULL, /* name, summary, description: set (translated) in init */
    OFFREC_VERSION,
    NULL,
    NULL,
    "Offrec developers",
    "https://github.com/offrec/offrec",
    plugin_load,
    plugin_unload,
    NULL,
    NULL,
    NULL,
    &prefs_info,
    NULL,
    NULL,
    NULL,
    NULL,
    NULL,
};

/* Runs at probe time in every UI: no UI calls here. */
static void
plugin_init(PurplePlugin *plugin)
{
    bind_text_domain();
    info.name = (char *)_("Off-the-Record Messaging (Offrec)");
    info.summary = (char *)_("End-to-end encrypted, deniable messaging");
    info.description =
        (char *)_("Off-the-Record (OTR) messaging for every libpurple "
                  "protocol: encryption, authentication, deniability and "
                  "perfect forward secrecy. Compatible with pidgin-otr.");
    otr_plugin_policy_add_prefs();
}

PURPLE_INIT_PLUGIN(offrec, plugin_init, info)
