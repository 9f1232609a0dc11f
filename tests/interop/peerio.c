/* Offrec interop — JSON Lines I/O shared by the peers (PEER-PROTOCOL.md).
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "peerio.h"

#include <json-glib/json-glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

struct PeerOp {
    JsonNode *root; /* the whole object, or NULL for a malformed line */
    char *name;     /* the "op" member, or NULL */
    char *error;    /* why the line was refused, or NULL */
};

struct PeerEv {
    JsonBuilder *b;
};

static void
usage_exit(GOptionContext *ctx, const char *why)
{
    char *help = g_option_context_get_help(ctx, TRUE, NULL);
    fprintf(stderr, "%s\n%s", why, help);
    g_free(help);
    exit(2);
}

void
peer_args_parse(PeerArgs *a, int argc, char **argv)
{
    char *instag = NULL, *maxsize = NULL;
    GOptionEntry entries[] = {
        { "account", 0, 0, G_OPTION_ARG_STRING, &a->account,
          "local account name", "NAME" },
        { "peer", 0, 0, G_OPTION_ARG_STRING, &a->peer, "remote account name",
          "NAME" },
        { "key", 0, 0, G_OPTION_ARG_FILENAME, &a->key,
          "private key file (created when missing)", "FILE" },
        { "protocol", 0, 0, G_OPTION_ARG_STRING, &a->protocol,
          "protocol name (default xmpp)", "NAME" },
        { "versions", 0, 0, G_OPTION_ARG_STRING, &a->versions,
          "allowed OTR versions: 2, 3 or 23", "V" },
        { "policy", 0, 0, G_OPTION_ARG_STRING, &a->policy,
          "manual|opportunistic|always|never", "P" },
        { "instag", 0, 0, G_OPTION_ARG_STRING, &instag,
          "instance tag (decimal)", "N" },
        { "max-message-size", 0, 0, G_OPTION_ARG_STRING, &maxsize,
          "largest wire message in bytes (0 = no limit)", "N" },
        { NULL, 0, 0, G_OPTION_ARG_NONE, NULL, NULL, NULL },
    };
    GOptionContext *ctx = g_option_context_new("- OTR interop peer");
    GError *err = NULL;

    memset(a, 0, sizeof *a);
    g_option_context_add_main_entries(ctx, entries, NULL);
    if (!g_option_context_parse(ctx, &argc, &argv, &err)) {
        fprintf(stderr, "%s\n", err->message);
        exit(2);
    }
    if (argc > 1)
        usage_exit(ctx, "unexpected argument");
    if (a->account == NULL || a->peer == NULL || a->key == NULL)
        usage_exit(ctx, "--account, --peer and --key are required");
    if (a->protocol == NULL)
        a->protocol = g_strdup("xmpp");
    if (a->versions == NULL)
        a->versions = g_strdup("23");
    if (strcmp(a->versions, "2") != 0 && strcmp(a->versions, "3") != 0 &&
        strcmp(a->versions, "23") != 0)
        usage_exit(ctx, "--versions must be 2, 3 or 23");
    if (a->policy == NULL)
        a->policy = g_strdup("manual");
    if (strcmp(a->policy, "manual") != 0 &&
        strcmp(a->policy, "opportunistic") != 0 &&
        strcmp(a->policy, "always") != 0 && strcmp(a->policy, "never") != 0)
        usage_exit(ctx, "--policy must be manual, opportunistic, always or "
                        "never");
    if (instag != NULL) {
        guint64 v = 0;
        if (!g_ascii_string_to_unsigned(instag, 10, 0, G_MAXUINT32, &v, NULL))
            usage_exit(ctx, "--instag must be a decimal 32-bit number");
        a->instag = (guint32)v;
    }
    if (maxsize != NULL) {
        guint64 v = 0;
        if (!g_ascii_string_to_unsigned(maxsize, 10, 0, G_MAXSIZE, &v, NULL))
            usage_exit(ctx, "--max-message-size must be a decimal number");
        a->max_message_size = (gsize)v;
    }
    g_free(instag);
    g_free(maxsize);
    g_option_context_free(ctx);
}

static PeerOp *
op_refused(const char *why)
{
    PeerOp *op = g_new0(PeerOp, 1);
    op->error = g_strdup(why);
    return op;
}

void
peer_args_clear(PeerArgs *a)
{
    g_clear_pointer(&a->account, g_free);
    g_clear_pointer(&a->peer, g_free);
    g_clear_pointer(&a->key, g_free);
    g_clear_pointer(&a->protocol, g_free);
    g_clear_pointer(&a->versions, g_free);
    g_clear_pointer(&a->policy, g_free);
}

PeerOp *
peer_op_read(void)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    PeerOp *op = NULL;
    JsonParser *parser = NULL;
    GError *err = NULL;
    JsonNode *name;

    n = getline(&line, &cap, stdin);
    if (n < 0)
        goto out; /* EOF (or read error: treated the same) */
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
        line[--n] = '\0';
    if ((size_t)n != strlen(line)) {
        op = op_refused("line contains a NUL byte");
        goto out;
    }
    if (!g_utf8_validate(line, n, NULL)) {
        op = op_refused("line is not UTF-8");
        goto out;
    }
    parser = json_parser_new();
    if (!json_parser_load_from_data(parser, line, n, &err)) {
        char *why = g_strdup_printf("malformed JSON: %s", err->message);
        op = op_refused(why);
        g_free(why);
        goto out;
    }
    if (json_parser_get_root(parser) == NULL ||
        !JSON_NODE_HOLDS_OBJECT(json_parser_get_root(parser))) {
        op = op_refused("line is not a JSON object");
        goto out;
    }
    op = g_new0(PeerOp, 1);
    op->root = json_node_copy(json_parser_get_root(parser));
    name = json_object_get_member(json_node_get_object(op->root), "op");
    if (name == NULL || json_node_get_value_type(name) != G_TYPE_STRING) {
        op->error = g_strdup("missing string field \"op\"");
        goto out;
    }
    op->name = g_strdup(json_node_get_string(name));
out:
    g_clear_error(&err);
    g_clear_object(&parser);
    free(line);
    return op;
}

void
peer_op_free(PeerOp *op)
{
    if (op == NULL)
        return;
    if (op->root != NULL)
        json_node_unref(op->root);
    g_free(op->name);
    g_free(op->error);
    g_free(op);
}

const char *
peer_op_name(const PeerOp *op)
{
    g_return_val_if_fail(op != NULL, NULL);
    return op->name;
}

const char *
peer_op_error(const PeerOp *op)
{
    g_return_val_if_fail(op != NULL, NULL);
    return op->error;
}

static JsonNode *
op_field(const PeerOp *op, const char *field)
{
    if (op == NULL || op->root == NULL || field == NULL)
        return NULL;
    return json_object_get_member(json_node_get_object(op->root), field);
}

const char *
peer_op_str(const PeerOp *op, const char *field)
{
    JsonNode *n = op_field(op, field);
    if (n == NULL || json_node_get_value_type(n) != G_TYPE_STRING)
        return NULL;
    return json_node_get_string(n);
}

gboolean
peer_op_int(const PeerOp *op, const char *field, gint64 *v)
{
    JsonNode *n = op_field(op, field);
    if (n == NULL || json_node_get_value_type(n) != G_TYPE_INT64)
        return FALSE;
    if (v != NULL)
        *v = json_node_get_int(n);
    return TRUE;
}

PeerEv *
peer_ev_new(const char *ev)
{
    PeerEv *e = g_new0(PeerEv, 1);
    e->b = json_builder_new();
    json_builder_begin_object(e->b);
    json_builder_set_member_name(e->b, "ev");
    json_builder_add_string_value(e->b, ev);
    return e;
}

void
peer_ev_str(PeerEv *e, const char *field, const char *value)
{
    g_return_if_fail(e != NULL && field != NULL);
    json_builder_set_member_name(e->b, field);
    if (value == NULL) {
        json_builder_add_null_value(e->b);
    } else if (g_utf8_validate(value, -1, NULL)) {
        json_builder_add_string_value(e->b, value);
    } else {
        /* Decrypted garbage may not be UTF-8; the line must stay JSON. */
        char *valid = g_utf8_make_valid(value, -1);
        json_builder_add_string_value(e->b, valid);
        g_free(valid);
    }
}

void
peer_ev_int(PeerEv *e, const char *field, gint64 v)
{
    g_return_if_fail(e != NULL && field != NULL);
    json_builder_set_member_name(e->b, field);
    json_builder_add_int_value(e->b, v);
}

void
peer_ev_bool(PeerEv *e, const char *field, gboolean v)
{
    g_return_if_fail(e != NULL && field != NULL);
    json_builder_set_member_name(e->b, field);
    json_builder_add_boolean_value(e->b, v);
}

void
peer_ev_emit(PeerEv *e)
{
    JsonGenerator *gen;
    JsonNode *root;
    char *text;

    g_return_if_fail(e != NULL);
    json_builder_end_object(e->b);
    root = json_builder_get_root(e->b);
    gen = json_generator_new();
    json_generator_set_pretty(gen, FALSE);
    json_generator_set_root(gen, root);
    text = json_generator_to_data(gen, NULL);
    fputs(text, stdout);
    fputc('\n', stdout);
    fflush(stdout);
    g_free(text);
    g_object_unref(gen);
    json_node_unref(root);
    g_object_unref(e->b);
    g_free(e);
}

void
peer_emit_done(void)
{
    peer_ev_emit(peer_ev_new("done"));
}

void
peer_emit_error(const char *text)
{
    PeerEv *e = peer_ev_new("error");
    peer_ev_str(e, "text", text);
    peer_ev_emit(e);
}

void
peer_emit_log(const char *text)
{
    PeerEv *e = peer_ev_new("log");
    peer_ev_str(e, "text", text);
    peer_ev_emit(e);
}

char *
peer_hex(const uint8_t *bytes, gsize len)
{
    static const char digits[] = "0123456789abcdef";
    char *s = g_malloc(len * 2 + 1);
    for (gsize i = 0; i < len; i++) {
        s[2 * i] = digits[bytes[i] >> 4];
        s[2 * i + 1] = digits[bytes[i] & 0xf];
    }
    s[len * 2] = '\0';
    return s;
}

GBytes *
peer_unhex(const char *hex)
{
    gsize n;
    uint8_t *buf;

    if (hex == NULL)
        return NULL;
    n = strlen(hex);
    if (n % 2 != 0)
        return NULL;
    buf = g_malloc(n / 2 + 1);
    for (gsize i = 0; i < n / 2; i++) {
        int hi = g_ascii_xdigit_value(hex[2 * i]);
        int lo = g_ascii_xdigit_value(hex[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            g_free(buf);
            return NULL;
        }
        buf[i] = (uint8_t)(hi << 4 | lo);
    }
    return g_bytes_new_take(buf, n / 2);
}
