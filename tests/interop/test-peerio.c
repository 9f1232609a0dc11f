/* Offrec interop — tests of the JSON Lines helpers shared by the peers.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "peerio.h"

/* Points stdin at a temporary file holding text. */
static void
stdin_from(const char *text)
{
    char *path = NULL;
    int fd = g_file_open_tmp("peerio-XXXXXX", &path, NULL);
    g_assert_cmpint(fd, >=, 0);
    g_assert_true(g_file_set_contents(path, text, -1, NULL));
    close(fd);
    g_assert_nonnull(freopen(path, "r", stdin));
    g_unlink(path);
    g_free(path);
}

static void
test_op_read(void)
{
    PeerOp *op;
    gint64 v = 0;

    stdin_from("{\"op\":\"send\",\"text\":\"h\\u00e9 \\\"x\\\"\"}\n"
               "{\"op\":\"extra-key\",\"use\":7,\"context\":\"ab\"}\r\n"
               "not json\n"
               "[1,2]\n"
               "{\"text\":\"no op\"}\n"
               "{\"op\":5}\n"
               "{\"op\":\"recv\",\"wire\":3}");
    op = peer_op_read();
    g_assert_nonnull(op);
    g_assert_cmpstr(peer_op_name(op), ==, "send");
    g_assert_null(peer_op_error(op));
    g_assert_cmpstr(peer_op_str(op, "text"), ==, "h\xc3\xa9 \"x\"");
    g_assert_null(peer_op_str(op, "wire"));
    g_assert_false(peer_op_int(op, "text", &v));
    peer_op_free(op);

    op = peer_op_read();
    g_assert_cmpstr(peer_op_name(op), ==, "extra-key");
    g_assert_true(peer_op_int(op, "use", &v));
    g_assert_cmpint(v, ==, 7);
    g_assert_cmpstr(peer_op_str(op, "context"), ==, "ab");
    peer_op_free(op);

    for (int i = 0; i < 4; i++) {
        op = peer_op_read();
        g_assert_nonnull(op);
        g_assert_null(peer_op_name(op));
        g_assert_nonnull(peer_op_error(op));
        peer_op_free(op);
    }

    op = peer_op_read(); /* last line without a newline */
    g_assert_cmpstr(peer_op_name(op), ==, "recv");
    g_assert_null(peer_op_str(op, "wire")); /* wrong type */
    peer_op_free(op);

    g_assert_null(peer_op_read());
}

static void
test_ev_emit(void)
{
    if (g_test_subprocess()) {
        PeerEv *e = peer_ev_new("state");
        peer_ev_str(e, "state", "private");
        peer_ev_int(e, "version", 3);
        peer_ev_str(e, "their_fingerprint", NULL);
        peer_ev_bool(e, "private", TRUE);
        peer_ev_str(e, "text", "a\"b\\c\nd\xc3\xa9");
        peer_ev_emit(e);
        e = peer_ev_new("message");
        peer_ev_str(e, "text", "bad\xff");
        peer_ev_emit(e);
        peer_emit_error("oops");
        peer_emit_done();
        return;
    }
    g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
    g_test_trap_assert_passed();
    g_test_trap_assert_stdout(
        "{\"ev\":\"state\",\"state\":\"private\",\"version\":3,"
        "\"their_fingerprint\":null,\"private\":true,"
        "\"text\":\"a\\\"b\\\\c\\nd\xc3\xa9\"}\n"
        "{\"ev\":\"message\",\"text\":\"bad\xef\xbf\xbd\"}\n"
        "{\"ev\":\"error\",\"text\":\"oops\"}\n"
        "{\"ev\":\"done\"}\n");
}

static void
test_hex(void)
{
    static const uint8_t bytes[] = { 0x00, 0x7f, 0xab, 0xff };
    char *hex = peer_hex(bytes, sizeof bytes);
    GBytes *back;
    gsize n = 0;

    g_assert_cmpstr(hex, ==, "007fabff");
    back = peer_unhex("007FabfF");
    g_assert_nonnull(back);
    g_assert_cmpmem(g_bytes_get_data(back, &n), n, bytes, sizeof bytes);
    g_bytes_unref(back);
    back = peer_unhex("");
    g_assert_nonnull(back);
    g_assert_cmpuint(g_bytes_get_size(back), ==, 0);
    g_bytes_unref(back);
    g_assert_null(peer_unhex("abc"));
    g_assert_null(peer_unhex("zz"));
    g_assert_null(peer_unhex(NULL));
    g_free(hex);
}

static void
test_args(void)
{
    char *argv[] = {
        "peer",  "--account", "alice",    "--peer",     "bob",
        "--key", "k",         "--instag", "4294967295", "--max-message-size",
        "140",   NULL
    };
    int argc = G_N_ELEMENTS(argv) - 1;
    PeerArgs a;

    peer_args_parse(&a, argc, argv);
    g_assert_cmpstr(a.account, ==, "alice");
    g_assert_cmpstr(a.peer, ==, "bob");
    g_assert_cmpstr(a.key, ==, "k");
    g_assert_cmpstr(a.protocol, ==, "xmpp");
    g_assert_cmpstr(a.versions, ==, "23");
    g_assert_cmpstr(a.policy, ==, "manual");
    g_assert_cmpuint(a.instag, ==, 4294967295u);
    g_assert_cmpuint(a.max_message_size, ==, 140);
    peer_args_clear(&a);
}

static void
test_args_bad(void)
{
    if (g_test_subprocess()) {
        char *argv[] = { "peer",  "--account", "a",          "--peer", "b",
                         "--key", "k",         "--versions", "4",      NULL };
        PeerArgs a;
        peer_args_parse(&a, G_N_ELEMENTS(argv) - 1, argv);
        return;
    }
    g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
    g_test_trap_assert_failed();
    g_test_trap_assert_stderr("*--versions*");
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/interop/peerio/op-read", test_op_read);
    g_test_add_func("/interop/peerio/ev-emit", test_ev_emit);
    g_test_add_func("/interop/peerio/hex", test_hex);
    g_test_add_func("/interop/peerio/args", test_args);
    g_test_add_func("/interop/peerio/args-bad", test_args_bad);
    return g_test_run();
}
