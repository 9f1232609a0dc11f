/* Offrec — offrec.so in a headless libpurple without network: load/unload,
 * the IPC API, policy levels, key generation, passphrase protection, and
 * the markup helpers.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Usage: test-plugin PATH/TO/offrec.so (GTest options accepted).
 */
#include <signal.h>
#include <sys/stat.h>

#include <glib/gstdio.h>

#include "plugin-private.h"

static const char *so_path;
static char *tmp_dir, *plugin_dir;
static PurplePlugin *core;
static const OffrecApi *api;

static guint
input_add(gint fd,
          PurpleInputCondition cond,
          PurpleInputFunction f,
          gpointer data)
{
    return 0; /* no network in this test */
}

static PurpleEventLoopUiOps loop_ops = {
    g_timeout_add, g_source_remove,       input_add, g_source_remove,
    NULL,          g_timeout_add_seconds, NULL,      NULL,
    NULL,
};
static PurpleBlistUiOps blist_ops;

static void
ui_init(void)
{
    purple_blist_set_ui_ops(&blist_ops);
}

static PurpleCoreUiOps core_ops = { NULL, NULL, ui_init, NULL,
                                    NULL, NULL, NULL,    NULL };

static gboolean
copy_file(const char *from, const char *to)
{
    char *data = NULL;
    gsize len = 0;
    gboolean ok = g_file_get_contents(from, &data, &len, NULL) &&
                  g_file_set_contents(to, data, len, NULL);

    g_free(data);
    return ok;
}

static void
test_load_cycle(void)
{
    int copies = 0;
    gboolean ok = FALSE;

    g_assert_nonnull(core);
    g_assert_null(core->error);
    g_assert_cmpstr(core->info->id, ==, "core-offrec");
    g_assert_null(core->info->ui_requirement);
    for (int i = 0; i < 3; i++) {
        g_assert_true(purple_plugin_load(core));
        g_assert_true(purple_plugin_unload(core));
    }
    g_assert_true(purple_plugin_load(core));
    /* The same plugin under another file name refuses to load. */
    for (GList *l = purple_plugins_get_all(); l; l = l->next) {
        PurplePlugin *p = l->data;

        if (p != core && p->info && p->info->id &&
            g_str_equal(p->info->id, OFFREC_PLUGIN_ID)) {
            copies++;
            g_assert_false(purple_plugin_load(p));
        }
    }
    g_assert_cmpint(copies, ==, 1);
    api = purple_plugin_ipc_call(core, OFFREC_IPC_GET_API, &ok, NULL);
    g_assert_true(ok);
    g_assert_nonnull(api);
    g_assert_cmpuint(api->version, ==, OFFREC_API_VERSION);
    g_assert_cmpuint(api->size, ==, sizeof(OffrecApi));
}

static void
test_policy_levels(void)
{
    PurpleAccount *a = purple_account_new("me@localhost/x", "prpl-jabber");
    PurpleBuddy *b;
    PurpleBlistNode *n;

    purple_accounts_add(a);
    g_assert_cmpint(api->policy_get_global(), ==, OFFREC_POLICY_OPPORTUNISTIC);
    g_assert_cmpint(api->policy_get(a, "bob@localhost"), ==,
                    OFFREC_POLICY_OPPORTUNISTIC);
    api->policy_set_account(a, OFFREC_POLICY_MANUAL);
    g_assert_cmpint(api->policy_get(a, "bob@localhost"), ==,
                    OFFREC_POLICY_MANUAL);
    g_assert_cmpstr(purple_account_get_string(a, "otr-policy", NULL), ==,
                    "manual");
    /* Strangers have no blist node: no per-buddy policy. */
    g_assert_false(
        api->policy_set_buddy(a, "x@localhost", OFFREC_POLICY_NEVER));
    b = purple_buddy_new(a, "bob@localhost", NULL);
    purple_blist_add_buddy(b, NULL, NULL, NULL);
    n = (PurpleBlistNode *)b;
    g_assert_true(
        api->policy_set_buddy(a, "bob@localhost", OFFREC_POLICY_ALWAYS));
    g_assert_cmpstr(purple_blist_node_get_string(n, "otr-policy"), ==,
                    "always");
    g_assert_cmpint(api->policy_get(a, "bob@localhost"), ==,
                    OFFREC_POLICY_ALWAYS);
    /* pidgin-otr's per-buddy booleans, when ours is absent. */
    purple_blist_node_remove_setting(n, "otr-policy");
    purple_blist_node_set_bool(n, "OTR/overridedefault", TRUE);
    purple_blist_node_set_bool(n, "OTR/enabled", FALSE);
    g_assert_cmpint(api->policy_get(a, "bob@localhost"), ==,
                    OFFREC_POLICY_NEVER);
    purple_blist_node_set_bool(n, "OTR/enabled", TRUE);
    g_assert_cmpint(api->policy_get(a, "bob@localhost"), ==,
                    OFFREC_POLICY_MANUAL);
    purple_blist_node_set_bool(n, "OTR/automatic", TRUE);
    g_assert_cmpint(api->policy_get(a, "bob@localhost"), ==,
                    OFFREC_POLICY_OPPORTUNISTIC);
    purple_blist_node_set_bool(n, "OTR/onlyprivate", TRUE);
    g_assert_cmpint(api->policy_get(a, "bob@localhost"), ==,
                    OFFREC_POLICY_ALWAYS);
    purple_blist_node_set_bool(n, "OTR/avoidloggingotr", FALSE);
    g_assert_false(api->avoid_logging_get(a, "bob@localhost"));
    g_assert_true(api->avoid_logging_set_buddy(a, "bob@localhost", 1));
    g_assert_true(api->avoid_logging_get(a, "bob@localhost"));
    /* "default" clears both ours and the pidgin-otr override. */
    g_assert_true(
        api->policy_set_buddy(a, "bob@localhost", OFFREC_POLICY_DEFAULT));
    g_assert_cmpint(api->policy_get_buddy(a, "bob@localhost"), ==,
                    OFFREC_POLICY_DEFAULT);
    g_assert_cmpint(api->policy_get(a, "bob@localhost"), ==,
                    OFFREC_POLICY_MANUAL);
    api->policy_set_account(a, OFFREC_POLICY_DEFAULT);
    api->policy_set_global(OFFREC_POLICY_NEVER);
    g_assert_cmpint(api->policy_get(a, "bob@localhost"), ==,
                    OFFREC_POLICY_NEVER);
    api->policy_set_global(OFFREC_POLICY_OPPORTUNISTIC);
}

static int kg_started, kg_progress, kg_done;

static void
on_keygen(PurpleAccount *a, int pct, int ev, gpointer loop)
{
    g_assert_cmpint(pct, >=, 0);
    g_assert_cmpint(pct, <=, 100);
    switch ((OffrecKeygenEvent)ev) {
    case OFFREC_KEYGEN_STARTED:
        kg_started++;
        break;
    case OFFREC_KEYGEN_PROGRESS:
        kg_progress++;
        break;
    case OFFREC_KEYGEN_DONE:
    case OFFREC_KEYGEN_FAILED:
        kg_done++;
        g_main_loop_quit(loop);
        break;
    }
}

static gboolean
timeout_quit(gpointer loop)
{
    g_main_loop_quit(loop);
    return G_SOURCE_REMOVE;
}

static void
test_keygen(void)
{
    PurpleAccount *a = purple_accounts_find("me@localhost/x", "prpl-jabber");
    PurpleAccount *a2 = purple_account_new("two@localhost/x", "prpl-jabber");
    GMainLoop *loop = g_main_loop_new(NULL, FALSE);
    char *fp, *fp2, *path;
    struct stat st;
    guint to;

    g_assert_nonnull(a);
    purple_accounts_add(a2);
    g_assert_null(api->own_fingerprint(a));
    g_assert_cmpint(api->keygen_progress(a), ==, -1);
    purple_signal_connect(core, "otr-keygen-progress", loop,
                          PURPLE_CALLBACK(on_keygen), loop);
    g_assert_true(api->keygen_start(a));
    g_assert_cmpint(api->keygen_progress(a), >=, 0);
    to = g_timeout_add_seconds(120, timeout_quit, loop);
    g_main_loop_run(loop);
    g_source_remove(to);
    g_assert_cmpint(kg_started, ==, 1);
    g_assert_cmpint(kg_done, ==, 1);
    fp = api->own_fingerprint(a);
    g_assert_nonnull(fp);
    g_assert_cmpuint(strlen(fp), ==, OTR_FPR_HUMAN_LEN - 1);
    path = g_build_filename(tmp_dir, "offrec", "otr.private_key", NULL);
    g_assert_cmpint(g_stat(path, &st), ==, 0);
    g_assert_cmpint(st.st_mode & 0777, ==, 0600);
    g_free(path);
    /* Unloading while a generation runs: no callback into freed state. */
    g_assert_true(api->keygen_start(a2));
    purple_signal_disconnect(core, "otr-keygen-progress", loop,
                             PURPLE_CALLBACK(on_keygen));
    g_assert_true(purple_plugin_unload(core));
    for (int i = 0; i < 100; i++)
        g_main_context_iteration(NULL, FALSE);
    g_assert_true(purple_plugin_load(core));
    fp2 = api->own_fingerprint(a); /* read back from the file */
    g_assert_cmpstr(fp, ==, fp2);
    g_free(fp);
    g_free(fp2);
    g_main_loop_unref(loop);
}

static gboolean
file_has(const char *name, const char *needle)
{
    char *path = g_path_is_absolute(name)
                     ? g_strdup(name)
                     : g_build_filename(tmp_dir, "offrec", name, NULL);
    char *data = NULL;
    gboolean has = g_file_get_contents(path, &data, NULL, NULL) &&
                   strstr(data, needle) != NULL;

    g_free(data);
    g_free(path);
    return has;
}

static void
reload(void)
{
    g_assert_true(purple_plugin_unload(core));
    g_assert_true(purple_plugin_load(core));
}

/* After test_keygen: account a has a key. */
static void
test_passphrase(void)
{
    PurpleAccount *a = purple_accounts_find("me@localhost/x", "prpl-jabber");
    char *fp = api->own_fingerprint(a), *fp2, *error = NULL;
    char *out = g_build_filename(tmp_dir, "exported", NULL);
    struct stat st;

    g_assert_nonnull(fp);
    g_assert_cmpuint(api->size, >=,
                     G_STRUCT_OFFSET(OffrecApi, export_plain) +
                         sizeof(api->export_plain));
    g_assert_false(api->passphrase_is_set());
    g_assert_true(file_has("otr.private_key", "(x #"));
    g_assert_false(api->passphrase_set("", &error));
    g_assert_nonnull(error);
    g_clear_pointer(&error, g_free);
    g_assert_true(api->passphrase_set("pw-one 1", &error));
    g_assert_null(error);
    g_assert_true(api->passphrase_is_set());
    g_assert_false(file_has("otr.private_key", "(x #"));
    g_assert_true(file_has("otr.private_key.sealed", "chacha20-poly1305"));
    g_assert_false(file_has("otr.private_key.sealed", "pw-one"));
    {
        char *p =
            g_build_filename(tmp_dir, "offrec", "otr.private_key.sealed", NULL);

        g_assert_cmpint(g_stat(p, &st), ==, 0);
        g_assert_cmpint(st.st_mode & 0777, ==, 0600);
        g_free(p);
    }

    /* Reloaded: locked (no request UI here) until unlocked. */
    reload();
    g_assert_true(api->passphrase_is_set());
    g_assert_null(api->own_fingerprint(a));
    g_assert_false(api->export_plain(out, NULL));
    g_assert_false(g_file_test(out, G_FILE_TEST_EXISTS));
    g_assert_false(api->passphrase_set("pw-two", NULL));
    g_assert_false(api->passphrase_clear(NULL));
    g_assert_false(api->passphrase_unlock("wrong", &error));
    g_assert_nonnull(error);
    g_clear_pointer(&error, g_free);
    g_assert_null(api->own_fingerprint(a));
    g_assert_true(api->passphrase_unlock("pw-one 1", &error));
    fp2 = api->own_fingerprint(a);
    g_assert_cmpstr(fp, ==, fp2);
    g_free(fp2);

    /* Change, export, clear. */
    g_assert_true(api->passphrase_set("pw-two", NULL));
    reload();
    g_assert_false(api->passphrase_unlock("pw-one 1", NULL));
    g_assert_true(api->passphrase_unlock("pw-two", NULL));
    g_assert_true(api->export_plain(out, NULL));
    g_assert_true(file_has(out, "(x #"));
    g_assert_false(file_has("otr.private_key", "(x #"));
    g_assert_true(api->passphrase_clear(NULL));
    g_assert_false(api->passphrase_is_set());
    g_assert_true(file_has("otr.private_key", "(x #"));
    g_assert_false(file_has("otr.private_key.sealed", "chacha"));
    reload();
    fp2 = api->own_fingerprint(a);
    g_assert_cmpstr(fp, ==, fp2);
    g_free(fp2);
    g_free(fp);
    g_free(out);
}

static void
test_markup(void)
{
    static const char tag[] = " \t  \t\t\t\t \t \t \t    \t\t  \t\t";
    char *s, *html;

    s = otr_plugin_markup_to_otr("hi <b>x</b> &amp; y<br>z &lt;3");
    g_assert_cmpstr(s, ==, "hi x &amp; y\nz &lt;3");
    g_free(s);
    s = otr_plugin_markup_to_otr("plain text");
    g_assert_cmpstr(s, ==, "plain text");
    g_free(s);
    /* The whitespace tag survives the way in. */
    html = g_strconcat("<b>tagged</b>", tag, NULL);
    s = otr_plugin_markup_to_plain(html);
    g_assert_nonnull(strstr(s, tag));
    g_free(s);
    s = otr_plugin_markup_strip_tag(html);
    g_assert_cmpstr(s, ==, "<b>tagged</b>");
    g_free(s);
    g_free(html);
    g_assert_null(otr_plugin_markup_strip_tag("no tag here"));
    /* XMPP hands over XHTML-IM as is; the tag survives there too. */
    html = g_strconcat("<html xmlns='http://jabber.org/protocol/xhtml-im'>"
                       "<body xmlns='http://www.w3.org/1999/xhtml'><p>hi "
                       "<span style='font-weight: bold;'>x</span> &amp; y",
                       tag, "</p></body></html>", NULL);
    s = otr_plugin_markup_to_plain(html);
    g_assert_nonnull(strstr(s, tag));
    g_assert_nonnull(strstr(s, "hi x & y"));
    g_free(s);
    s = otr_plugin_markup_strip_tag(html);
    g_assert_null(strstr(s, tag));
    g_assert_nonnull(strstr(s, "&amp; y</p></body></html>"));
    g_free(s);
    g_free(html);
    s = g_strconcat("abc", tag, NULL);
    g_assert_cmpstr(otr_plugin_markup_tag_suffix("abc", s), ==, tag);
    g_assert_null(otr_plugin_markup_tag_suffix("abd", s));
    g_free(s);
    /* Display: HTML stays HTML, plain text is escaped. */
    s = otr_plugin_markup_from_plain("a < b & c\nd");
    g_assert_cmpstr(s, ==, "a &lt; b &amp; c<BR>d");
    g_free(s);
    s = otr_plugin_markup_from_plain("<b>bold</b> &amp;");
    g_assert_cmpstr(s, ==, "<b>bold</b> &amp;");
    g_free(s);
    g_assert_true(otr_plugin_markup_is_otr("?OTR:AAMD"));
    g_assert_true(otr_plugin_markup_is_otr(" ?OTRv3?"));
    g_assert_false(otr_plugin_markup_is_otr("hello ?OTR:"));
    g_assert_false(otr_plugin_markup_is_otr(""));
}

static void
remove_tree(const char *path)
{
    GDir *dir = g_dir_open(path, 0, NULL);
    const char *name;

    while (dir && (name = g_dir_read_name(dir)) != NULL) {
        char *child = g_build_filename(path, name, NULL);

        if (g_file_test(child, G_FILE_TEST_IS_DIR))
            remove_tree(child);
        else
            g_unlink(child);
        g_free(child);
    }
    if (dir)
        g_dir_close(dir);
    g_rmdir(path);
}

int
main(int argc, char **argv)
{
    char *copy;
    int ret;

    g_test_init(&argc, &argv, NULL);
    if (argc < 2) {
        g_printerr("usage: %s PATH/offrec.so\n", argv[0]);
        return 2;
    }
    so_path = argv[1];
    signal(SIGCHLD, SIG_IGN);
    tmp_dir = g_dir_make_tmp("offrec-plugin-XXXXXX", NULL);
    plugin_dir = g_build_filename(tmp_dir, "plugins", NULL);
    g_mkdir_with_parents(plugin_dir, 0700);
    copy = g_build_filename(plugin_dir, "offrec.so", NULL);
    g_assert_true(copy_file(so_path, copy));
    g_free(copy);
    copy = g_build_filename(plugin_dir, "offrec-second-copy.so", NULL);
    g_assert_true(copy_file(so_path, copy));
    g_free(copy);
    purple_util_set_user_dir(tmp_dir);
    purple_plugins_add_search_path(plugin_dir);
    purple_core_set_ui_ops(&core_ops);
    purple_eventloop_set_ui_ops(&loop_ops);
    purple_debug_set_enabled(g_getenv("OFFREC_TEST_DEBUG") != NULL);
    g_assert_true(purple_core_init("offrec-test"));
    purple_set_blist(purple_blist_new());
    purple_blist_load();
    core = purple_plugins_find_with_id(OFFREC_PLUGIN_ID);

    g_test_add_func("/plugin/load/cycle", test_load_cycle);
    g_test_add_func("/plugin/policy/levels", test_policy_levels);
    g_test_add_func("/plugin/keygen/worker", test_keygen);
    g_test_add_func("/plugin/keys/passphrase", test_passphrase);
    g_test_add_func("/plugin/markup/helpers", test_markup);
    ret = g_test_run();
    purple_core_quit();
    remove_tree(tmp_dir);
    g_free(plugin_dir);
    g_free(tmp_dir);
    return ret;
}
