/* Offrec plugin tests: a headless libpurple client driven with JSON Lines. */
/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Test-only. Loads offrec.so (or nothing) by path, logs one XMPP account into
 * a private server, and is driven over stdin/stdout, one JSON object a line.
 *
 *   headless-client --profile DIR --account alice@localhost --password PW
 *                   --port N [--plugin PATH] [--debug-category CAT]...
 *                   [--timeout SECONDS]
 *
 * Ops (stdin):
 *   {"op":"send","to":JID,"text":T}  types T into the IM conversation with
 *        JID: a text starting with "/" (not "//") runs as a command, anything
 *        else goes through purple_conv_im_send (so sending-im-msg runs).
 *   {"op":"answer","id":N, "fields":{ID:V}|"text":T|"value":V|"action":I,
 *        "cancel":bool}                     answers a pending request
 *   {"op":"away","message":T}   away with an auto-reply (forces auto-replies
 *        on, as on protocols that have them)
 *   {"op":"available"}
 *   {"op":"pref","path":P,"value":V}  sets a libpurple pref (bool/int/string)
 *   {"op":"close","to":JID}     closes the conversation
 *   {"op":"ping","tag":T}       answered with {"event":"pong","tag":T}
 *   {"op":"quit"}
 * Events (stdout): ready, plugin, signed-on, connection-error, buddy-on,
 * buddy-off, write (every conversation line, with flags), received,
 * command, sent, request, request-closed, notify, debug, error, pong, bye.
 * A transcript of everything goes to stderr.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "headless.h"

#define UI_ID "offrec-headless"

static struct {
    char *profile;
    char *account_name;
    char *password;
    char *plugin;
    int port;
    int timeout;
    char **debug_categories;
} opt = { .timeout = 300 };

static FILE *events;
static GMainLoop *loop;
static PurpleAccount *account;
static gboolean quitting;

/* ---- output ------------------------------------------------------------ */

void
hc_log(const char *fmt, ...)
{
    va_list ap;
    char *s;
    va_start(ap, fmt);
    s = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    fprintf(stderr, "[%s] %s\n", opt.account_name ? opt.account_name : "?", s);
    g_free(s);
}

void
hc_emit(JsonNode *node)
{
    char *line = json_to_string(node, FALSE);
    fprintf(events, "%s\n", line);
    fflush(events);
    hc_log("event %s", line);
    g_free(line);
    json_node_unref(node);
}

JsonBuilder *
hc_event_begin(const char *name)
{
    JsonBuilder *b = json_builder_new();
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "event");
    json_builder_add_string_value(b, name);
    return b;
}

void
hc_emit_end(JsonBuilder *b)
{
    json_builder_end_object(b);
    hc_emit(json_builder_get_root(b));
    g_object_unref(b);
}

static void
emit_simple(const char *name, const char *key, const char *value)
{
    JsonBuilder *b = hc_event_begin(name);
    if (key != NULL) {
        json_builder_set_member_name(b, key);
        json_builder_add_string_value(b, value ? value : "");
    }
    hc_emit_end(b);
}

static void
add_str(JsonBuilder *b, const char *key, const char *value)
{
    json_builder_set_member_name(b, key);
    json_builder_add_string_value(b, value ? value : "");
}

static void
add_bool(JsonBuilder *b, const char *key, gboolean value)
{
    json_builder_set_member_name(b, key);
    json_builder_add_boolean_value(b, value);
}

/* ---- event loop glue (as nullclient does) ------------------------------ */

#define HC_READ_COND  (G_IO_IN | G_IO_HUP | G_IO_ERR)
#define HC_WRITE_COND (G_IO_OUT | G_IO_HUP | G_IO_ERR | G_IO_NVAL)

typedef struct {
    PurpleInputFunction function;
    guint result;
    gpointer data;
} IoClosure;

static gboolean
io_invoke(GIOChannel *source, GIOCondition condition, gpointer data)
{
    IoClosure *c = data;
    int cond = 0;
    if (condition & HC_READ_COND)
        cond |= PURPLE_INPUT_READ;
    if (condition & HC_WRITE_COND)
        cond |= PURPLE_INPUT_WRITE;
    c->function(c->data, g_io_channel_unix_get_fd(source), cond);
    return TRUE;
}

static guint
io_input_add(gint fd,
             PurpleInputCondition condition,
             PurpleInputFunction function,
             gpointer data)
{
    IoClosure *c = g_new0(IoClosure, 1);
    GIOChannel *channel;
    int cond = 0;

    c->function = function;
    c->data = data;
    if (condition & PURPLE_INPUT_READ)
        cond |= HC_READ_COND;
    if (condition & PURPLE_INPUT_WRITE)
        cond |= HC_WRITE_COND;
    channel = g_io_channel_unix_new(fd);
    c->result = g_io_add_watch_full(channel, G_PRIORITY_DEFAULT, cond,
                                    io_invoke, c, g_free);
    g_io_channel_unref(channel);
    return c->result;
}

static PurpleEventLoopUiOps glib_ops = {
    .timeout_add = g_timeout_add,
    .timeout_remove = g_source_remove,
    .input_add = io_input_add,
    .input_remove = g_source_remove,
    .timeout_add_seconds = g_timeout_add_seconds,
};

/* ---- conversation ------------------------------------------------------ */

static void
op_write_conv(PurpleConversation *conv,
              const char *who,
              const char *alias,
              const char *message,
              PurpleMessageFlags flags,
              time_t mtime)
{
    JsonBuilder *b = hc_event_begin("write");
    char *plain = purple_markup_strip_html(message ? message : "");

    add_str(b, "conv", purple_conversation_get_name(conv));
    add_str(b, "who", who);
    add_str(b, "text", plain);
    add_str(b, "html", message);
    json_builder_set_member_name(b, "flags");
    json_builder_add_int_value(b, flags);
    add_bool(b, "send", (flags & PURPLE_MESSAGE_SEND) != 0);
    add_bool(b, "recv", (flags & PURPLE_MESSAGE_RECV) != 0);
    add_bool(b, "system", (flags & PURPLE_MESSAGE_SYSTEM) != 0);
    add_bool(b, "nolog", (flags & PURPLE_MESSAGE_NO_LOG) != 0);
    add_bool(b, "error", (flags & PURPLE_MESSAGE_ERROR) != 0);
    add_bool(b, "auto", (flags & PURPLE_MESSAGE_AUTO_RESP) != 0);
    add_bool(b, "logging", purple_conversation_is_logging(conv));
    hc_emit_end(b);
    g_free(plain);
}

static PurpleConversationUiOps conv_ops = {
    .write_conv = op_write_conv,
};

static void
on_received_im(PurpleAccount *acct,
               char *sender,
               char *message,
               PurpleConversation *conv,
               PurpleMessageFlags flags,
               gpointer data)
{
    JsonBuilder *b = hc_event_begin("received");
    char *plain = purple_markup_strip_html(message ? message : "");
    add_str(b, "from", sender);
    add_str(b, "text", plain);
    json_builder_set_member_name(b, "flags");
    json_builder_add_int_value(b, flags);
    hc_emit_end(b);
    g_free(plain);
}

static PurpleConversation *
im_with(const char *who)
{
    PurpleConversation *conv =
        purple_find_conversation_with_account(PURPLE_CONV_TYPE_IM, who,
                                              account);
    if (conv == NULL)
        conv = purple_conversation_new(PURPLE_CONV_TYPE_IM, account, who);
    return conv;
}

static void
do_send(const char *to, const char *text)
{
    PurpleConversation *conv = im_with(to);

    if (text[0] == '/' && text[1] != '/') {
        char *err = NULL;
        char *markup = g_markup_escape_text(text + 1, -1);
        PurpleCmdStatus st =
            purple_cmd_do_command(conv, text + 1, markup, &err);
        JsonBuilder *b = hc_event_begin("command");
        add_str(b, "to", to);
        add_str(b, "text", text);
        json_builder_set_member_name(b, "status");
        json_builder_add_int_value(b, st);
        add_bool(b, "ok", st == PURPLE_CMD_STATUS_OK);
        add_str(b, "error", err);
        hc_emit_end(b);
        g_free(markup);
        g_free(err);
    } else {
        char *escaped =
            purple_markup_escape_text(text[0] == '/' ? text + 1 : text, -1);
        purple_conv_im_send(PURPLE_CONV_IM(conv), escaped);
        emit_simple("sent", "to", to);
        g_free(escaped);
    }
}

/* ---- presence and connections ------------------------------------------ */

static void
set_status(PurpleStatusPrimitive prim, const char *message)
{
    PurpleSavedStatus *s = purple_savedstatus_new(NULL, prim);
    if (message != NULL)
        purple_savedstatus_set_message(s, message);
    purple_savedstatus_activate(s);
}

static void
do_away(const char *message)
{
    PurpleConnection *gc = purple_account_get_connection(account);
    /* XMPP has no auto-replies of its own; act like a protocol that has
     * them (AIM, ICQ) so libpurple's serv_got_im sends the away text. */
    purple_prefs_set_string("/purple/away/auto_reply", "away");
    if (gc != NULL)
        gc->flags |= PURPLE_CONNECTION_AUTO_RESP;
    set_status(PURPLE_STATUS_AWAY, message);
}

static void
on_signed_on(PurpleConnection *gc, gpointer data)
{
    JsonBuilder *b = hc_event_begin("signed-on");
    add_str(b, "account",
            purple_account_get_username(purple_connection_get_account(gc)));
    hc_emit_end(b);
}

static void
on_connection_error(PurpleConnection *gc,
                    PurpleConnectionError err,
                    const gchar *desc,
                    gpointer data)
{
    emit_simple("connection-error", "desc", desc);
}

static void
on_buddy(PurpleBuddy *buddy, gpointer data)
{
    emit_simple(GPOINTER_TO_INT(data) ? "buddy-on" : "buddy-off", "who",
                purple_buddy_get_name(buddy));
}

/* ---- ops from the driver ------------------------------------------------ */

static void
set_pref(const char *path, JsonNode *v)
{
    GType t = json_node_get_value_type(v);
    if (t == G_TYPE_BOOLEAN)
        purple_prefs_set_bool(path, json_node_get_boolean(v));
    else if (t == G_TYPE_INT64)
        purple_prefs_set_int(path, (int)json_node_get_int(v));
    else
        purple_prefs_set_string(path, json_node_get_string(v));
}

static gboolean
quit_now(gpointer data)
{
    if (!quitting) {
        quitting = TRUE;
        g_main_loop_quit(loop);
    }
    return G_SOURCE_REMOVE;
}

static void
handle_op(JsonObject *o)
{
    const char *op = json_object_get_string_member_with_default(o, "op", "");
    const char *to = json_object_get_string_member_with_default(o, "to", "");
    char *error = NULL;

    if (g_str_equal(op, "send")) {
        do_send(to, json_object_get_string_member_with_default(o, "text", ""));
    } else if (g_str_equal(op, "answer")) {
        if (!hc_request_answer(o, &error)) {
            emit_simple("error", "error", error);
            g_free(error);
        } else {
            emit_simple("answered", NULL, NULL);
        }
    } else if (g_str_equal(op, "away")) {
        do_away(json_object_get_string_member_with_default(o, "message", ""));
        emit_simple("status", "status", "away");
    } else if (g_str_equal(op, "available")) {
        set_status(PURPLE_STATUS_AVAILABLE, NULL);
        emit_simple("status", "status", "available");
    } else if (g_str_equal(op, "pref") && json_object_has_member(o, "value")) {
        set_pref(json_object_get_string_member_with_default(o, "path", ""),
                 json_object_get_member(o, "value"));
        emit_simple("pref-set", NULL, NULL);
    } else if (g_str_equal(op, "close")) {
        PurpleConversation *conv =
            purple_find_conversation_with_account(PURPLE_CONV_TYPE_IM, to,
                                                  account);
        if (conv != NULL)
            purple_conversation_destroy(conv);
        emit_simple("closed", "to", to);
    } else if (g_str_equal(op, "ping")) {
        emit_simple("pong", "tag",
                    json_object_get_string_member_with_default(o, "tag", ""));
    } else if (g_str_equal(op, "quit")) {
        g_idle_add(quit_now, NULL);
    } else {
        emit_simple("error", "error", "unknown op");
    }
}

static gboolean
on_stdin(GIOChannel *ch, GIOCondition cond, gpointer data)
{
    char *line = NULL;
    gsize len = 0;
    GError *err = NULL;
    GIOStatus st = g_io_channel_read_line(ch, &line, &len, NULL, &err);

    if (st == G_IO_STATUS_EOF || st == G_IO_STATUS_ERROR) {
        g_clear_error(&err);
        g_idle_add(quit_now, NULL);
        return G_SOURCE_REMOVE;
    }
    if (st == G_IO_STATUS_NORMAL && line != NULL) {
        JsonParser *p = json_parser_new();
        g_strchomp(line);
        if (*line == '\0') {
            /* empty line: ignore */
        } else if (json_parser_load_from_data(p, line, -1, &err) &&
                   JSON_NODE_HOLDS_OBJECT(json_parser_get_root(p))) {
            hc_log("op %s", line);
            handle_op(json_node_get_object(json_parser_get_root(p)));
        } else {
            emit_simple("error", "error", err ? err->message : "not an object");
            g_clear_error(&err);
        }
        g_object_unref(p);
    }
    g_free(line);
    return G_SOURCE_CONTINUE;
}

static gboolean
on_timeout(gpointer data)
{
    emit_simple("timeout", NULL, NULL);
    return quit_now(NULL);
}

/* ---- start-up ---------------------------------------------------------- */

static PurpleBlistUiOps blist_ops; /* all NULL: libpurple fills in saving */

static void
ui_init(void)
{
    purple_conversations_set_ui_ops(&conv_ops);
    purple_request_set_ui_ops(hc_request_ui_ops());
    purple_notify_set_ui_ops(hc_notify_ui_ops());
    purple_blist_set_ui_ops(&blist_ops);
}

static PurpleCoreUiOps core_ops = {
    .ui_init = ui_init,
};

static void
load_plugin(void)
{
    PurplePlugin *p = purple_plugin_probe(opt.plugin);
    JsonBuilder *b = hc_event_begin("plugin");
    gboolean loaded = FALSE;
    const char *error = NULL;

    if (p == NULL)
        error = "probe failed";
    else if (g_strcmp0(p->path, opt.plugin) != 0)
        error = "a plugin with the same name was loaded from elsewhere";
    else if (!purple_plugin_load(p))
        error = p->error ? p->error : "load failed";
    else
        loaded = TRUE;
    add_str(b, "path", opt.plugin);
    add_str(b, "id", p ? purple_plugin_get_id(p) : "");
    add_bool(b, "loaded", loaded);
    add_str(b, "error", error);
    hc_emit_end(b);
}

static void
setup_account(void)
{
    account = purple_accounts_find(opt.account_name, "prpl-jabber");
    if (account == NULL) {
        account = purple_account_new(opt.account_name, "prpl-jabber");
        purple_accounts_add(account);
    }
    purple_account_set_password(account, opt.password);
    purple_account_set_string(account, "connect_server", "127.0.0.1");
    purple_account_set_int(account, "port", opt.port);
    purple_account_set_string(account, "connection_security",
                              "opportunistic_tls");
    purple_account_set_bool(account, "auth_plain_in_clear", TRUE);
    purple_account_set_enabled(account, UI_ID, TRUE);
}

static gboolean
parse_args(int argc, char **argv)
{
    GOptionEntry entries[] = {
        { "profile", 0, 0, G_OPTION_ARG_FILENAME, &opt.profile,
          "libpurple user dir", "DIR" },
        { "account", 0, 0, G_OPTION_ARG_STRING, &opt.account_name,
          "XMPP account (user@domain/resource)", "JID" },
        { "password", 0, 0, G_OPTION_ARG_STRING, &opt.password, "password",
          "PW" },
        { "port", 0, 0, G_OPTION_ARG_INT, &opt.port, "server port on 127.0.0.1",
          "N" },
        { "plugin", 0, 0, G_OPTION_ARG_FILENAME, &opt.plugin,
          "plugin to load (absolute path)", "PATH" },
        { "debug-category", 0, 0, G_OPTION_ARG_STRING_ARRAY,
          &opt.debug_categories, "emit debug lines of this category", "CAT" },
        { "timeout", 0, 0, G_OPTION_ARG_INT, &opt.timeout,
          "quit after this many seconds", "S" },
        { NULL, 0, 0, 0, NULL, NULL, NULL },
    };
    GOptionContext *ctx = g_option_context_new("- headless libpurple client");
    GError *err = NULL;
    gboolean ok;

    g_option_context_add_main_entries(ctx, entries, NULL);
    ok = g_option_context_parse(ctx, &argc, &argv, &err);
    g_option_context_free(ctx);
    if (!ok) {
        fprintf(stderr, "%s\n", err->message);
        g_error_free(err);
        return FALSE;
    }
    if (!opt.profile || !opt.account_name || !opt.password || opt.port <= 0) {
        fprintf(stderr, "--profile, --account, --password, --port needed\n");
        return FALSE;
    }
    return TRUE;
}

int
main(int argc, char **argv)
{
    GIOChannel *in;
    int out_fd;
    int ret = 1;

    /* Events own the real stdout; anything else printing there goes to
     * stderr instead. */
    out_fd = dup(STDOUT_FILENO);
    if (out_fd < 0 || dup2(STDERR_FILENO, STDOUT_FILENO) < 0)
        return 1;
    events = fdopen(out_fd, "w");
    if (events == NULL || !parse_args(argc, argv))
        return 2;
    for (char **c = opt.debug_categories; c && *c; c++)
        hc_debug_add_category(*c);

    signal(SIGCHLD, SIG_IGN);
    signal(SIGPIPE, SIG_IGN);
    purple_util_set_user_dir(opt.profile);
    purple_debug_set_enabled(FALSE);
    purple_debug_set_ui_ops(hc_debug_ui_ops());
    purple_core_set_ui_ops(&core_ops);
    purple_eventloop_set_ui_ops(&glib_ops);
    if (!purple_core_init(UI_ID)) {
        emit_simple("error", "error", "purple_core_init failed");
        goto out;
    }
    purple_set_blist(purple_blist_new());
    purple_blist_load();

    if (opt.plugin != NULL)
        load_plugin();

    purple_signal_connect(purple_connections_get_handle(), "signed-on", &opt,
                          PURPLE_CALLBACK(on_signed_on), NULL);
    purple_signal_connect(purple_connections_get_handle(), "connection-error",
                          &opt, PURPLE_CALLBACK(on_connection_error), NULL);
    purple_signal_connect(purple_blist_get_handle(), "buddy-signed-on", &opt,
                          PURPLE_CALLBACK(on_buddy), GINT_TO_POINTER(1));
    purple_signal_connect(purple_blist_get_handle(), "buddy-signed-off", &opt,
                          PURPLE_CALLBACK(on_buddy), GINT_TO_POINTER(0));
    purple_signal_connect(purple_conversations_get_handle(), "received-im-msg",
                          &opt, PURPLE_CALLBACK(on_received_im), NULL);

    setup_account();
    purple_savedstatus_activate(
        purple_savedstatus_new(NULL, PURPLE_STATUS_AVAILABLE));
    purple_accounts_restore_current_statuses();

    loop = g_main_loop_new(NULL, FALSE);
    in = g_io_channel_unix_new(STDIN_FILENO);
    g_io_add_watch(in, G_IO_IN | G_IO_HUP | G_IO_ERR, on_stdin, NULL);
    g_io_channel_unref(in);
    g_timeout_add_seconds(opt.timeout, on_timeout, NULL);
    emit_simple("ready", "account", opt.account_name);
    g_main_loop_run(loop);

    purple_signals_disconnect_by_handle(&opt);
    purple_core_quit();
    emit_simple("bye", NULL, NULL);
    ret = 0;
out:
    fclose(events);
    return ret;
}
