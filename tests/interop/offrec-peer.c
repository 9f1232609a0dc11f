/* Offrec interop — our core behind the JSON Lines peer contract
 * (PEER-PROTOCOL.md).
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "otr.h"
#include "peerio.h"

typedef struct {
    PeerArgs args;
    OtrPrivKey *key;
    OtrSession *s;
    guint32 instag;
    guint versions;
} Peer;

static void G_GNUC_NORETURN
die(const char *what)
{
    fprintf(stderr, "offrec-peer: %s\n", what);
    exit(1);
}

static OtrPrivKey *
load_or_make_key(const char *path)
{
    char *text = NULL;
    gsize len = 0;
    GError *gerr = NULL;
    OtrError err = OTR_OK;
    OtrPrivKey *key;
    char *sexp;

    if (g_file_get_contents(path, &text, &len, NULL)) {
        key = otr_privkey_from_sexp(text, len, &err);
        g_free(text);
        if (!key)
            die("cannot read the private key file");
        return key;
    }
    key = otr_privkey_generate(otr_host_ops_default(), NULL, NULL, NULL, NULL,
                               &err);
    if (!key)
        die("key generation failed");
    sexp = otr_privkey_to_sexp(key);
    if (!sexp ||
        !g_file_set_contents_full(path, sexp, -1,
                                  G_FILE_SET_CONTENTS_CONSISTENT, 0600, &gerr))
        die("cannot write the private key file");
    g_free(sexp);
    return key;
}

static guint32
load_or_make_instag(const char *keypath)
{
    char *path = g_strconcat(keypath, ".instag", NULL);
    char *text = NULL;
    guint32 tag = 0;

    if (g_file_get_contents(path, &text, NULL, NULL)) {
        guint64 v = g_ascii_strtoull(g_strstrip(text), NULL, 10);

        if (v >= OTR_INSTAG_MIN && v <= G_MAXUINT32)
            tag = (guint32)v;
        g_free(text);
    }
    while (tag < OTR_INSTAG_MIN) {
        uint8_t b[4];

        otr_host_ops_default()->random(NULL, b, sizeof b);
        tag = ((guint32)b[0] << 24) | ((guint32)b[1] << 16) |
              ((guint32)b[2] << 8) | b[3];
    }
    text = g_strdup_printf("%u\n", tag);
    if (!g_file_set_contents_full(path, text, -1,
                                  G_FILE_SET_CONTENTS_CONSISTENT, 0600, NULL))
        die("cannot write the instance tag file");
    g_free(text);
    g_free(path);
    return tag;
}

static OtrPolicy
parse_policy(const char *p)
{
    if (!p || strcmp(p, "manual") == 0)
        return OTR_POLICY_MANUAL;
    if (strcmp(p, "opportunistic") == 0)
        return OTR_POLICY_OPPORTUNISTIC;
    if (strcmp(p, "always") == 0)
        return OTR_POLICY_ALWAYS;
    if (strcmp(p, "never") == 0)
        return OTR_POLICY_NEVER;
    die("unknown --policy");
}

static guint
parse_versions(const char *v)
{
    guint bits = 0;

    if (!v)
        return OTR_V2 | OTR_V3;
    for (; *v; v++) {
        if (*v == '2')
            bits |= OTR_V2;
        else if (*v == '3')
            bits |= OTR_V3;
        else
            die("bad --versions");
    }
    return bits;
}

static const char *
state_name(OtrMsgState st)
{
    switch (st) {
    case OTR_MSG_PLAINTEXT:
        return "plaintext";
    case OTR_MSG_ENCRYPTED:
        return "private";
    case OTR_MSG_FINISHED:
        return "finished";
    }
    return "plaintext";
}

/* A state or status event describing the selected instance. */
static void
emit_state(Peer *p, const char *ev_name)
{
    OtrStatus st;
    PeerEv *e = peer_ev_new(ev_name);

    otr_session_status(p->s, otr_session_selected(p->s), &st);
    peer_ev_str(e, "state", state_name(st.state));
    if (st.state == OTR_MSG_ENCRYPTED) {
        char fpr[41];
        char *ssid = peer_hex(st.ssid, OTR_SSID_LEN);

        otr_fingerprint_hex(st.their_fpr, fpr);
        peer_ev_int(e, "version", st.version);
        peer_ev_str(e, "their_fingerprint", st.have_fpr ? fpr : NULL);
        peer_ev_str(e, "ssid", ssid);
        g_free(ssid);
    } else {
        peer_ev_int(e, "version", 0);
        peer_ev_str(e, "their_fingerprint", NULL);
        peer_ev_str(e, "ssid", NULL);
    }
    peer_ev_emit(e);
}

static void
emit_smp(const OtrEvent *ev)
{
    const char *status = NULL;
    PeerEv *e;
    char *line;

    switch (ev->smp_status) {
    case OTR_SMP_ASKED:
        status = "asked";
        break;
    case OTR_SMP_PROGRESS:
        line = g_strdup_printf("smp progress %d", ev->progress);
        peer_emit_log(line);
        g_free(line);
        return;
    case OTR_SMP_SUCCESS:
        status = "success";
        break;
    case OTR_SMP_FAILURE:
        status = "failure";
        break;
    case OTR_SMP_ABORTED:
        status = "aborted";
        break;
    case OTR_SMP_ERROR:
        status = "error";
        break;
    }
    e = peer_ev_new("smp");
    peer_ev_str(e, "status", status);
    if (ev->smp_status == OTR_SMP_ASKED && ev->text)
        peer_ev_str(e, "question", ev->text);
    peer_ev_emit(e);
}

static void
emit_extra_key(const OtrEvent *ev)
{
    PeerEv *e = peer_ev_new("extra-key");
    char *key = peer_hex(ev->key, OTR_EXTRA_KEY_LEN);
    gsize clen = 0;
    const uint8_t *c =
        ev->context ? g_bytes_get_data(ev->context, &clen) : NULL;
    char *ctx = peer_hex(c ? c : (const uint8_t *)"", clen);

    peer_ev_str(e, "key", key);
    peer_ev_int(e, "use", ev->use);
    peer_ev_str(e, "context", ctx);
    peer_ev_emit(e);
    g_free(key);
    g_free(ctx);
}

static void
emit_outbox(Peer *p, OtrOutbox *out)
{
    guint32 selected = otr_session_selected(p->s);
    PeerEv *e;
    char *line;

    for (guint i = 0; i < otr_outbox_len(out); i++) {
        const OtrEvent *ev = otr_outbox_get(out, i);

        switch (ev->type) {
        case OTR_EV_WIRE:
            e = peer_ev_new("wire");
            peer_ev_str(e, "wire", ev->text);
            peer_ev_emit(e);
            break;
        case OTR_EV_DISPLAY:
            e = peer_ev_new("message");
            peer_ev_str(e, "text", ev->text ? ev->text : "");
            peer_ev_bool(e, "private", ev->is_private);
            peer_ev_emit(e);
            break;
        case OTR_EV_STATE:
            if (ev->instance == selected)
                emit_state(p, "state");
            else
                peer_emit_log("state change of another instance");
            break;
        case OTR_EV_ERROR:
            peer_emit_error(ev->text ? ev->text : otr_error_str(ev->error));
            break;
        case OTR_EV_NOTICE:
        case OTR_EV_LOG:
            peer_emit_log(ev->text ? ev->text : "");
            break;
        case OTR_EV_SMP:
            emit_smp(ev);
            break;
        case OTR_EV_EXTRA_KEY:
            emit_extra_key(ev);
            break;
        case OTR_EV_NEED_KEY:
            peer_emit_log("core asked for a private key");
            break;
        case OTR_EV_FINGERPRINT:
            line = g_strdup_printf("fingerprint seen for instance %u",
                                   ev->instance);
            peer_emit_log(line);
            g_free(line);
            break;
        }
    }
    otr_outbox_clear(out);
}

/* Returns FALSE on quit. */
static gboolean
run_op(Peer *p, PeerOp *op)
{
    const char *name = peer_op_name(op);
    const char *str, *secret;
    OtrOutbox out;
    gint64 use;
    GBytes *ctx;

    otr_outbox_init(&out);
    if (!name) {
        peer_emit_error(peer_op_error(op) ? peer_op_error(op)
                                          : "malformed line");
        goto done;
    }
    otr_session_tick(p->s, &out);
    if (strcmp(name, "send") == 0) {
        if (!(str = peer_op_str(op, "text")))
            peer_emit_error("send: missing text");
        else
            otr_session_send(p->s, str, &out);
    } else if (strcmp(name, "recv") == 0) {
        if (!(str = peer_op_str(op, "wire")))
            peer_emit_error("recv: missing wire");
        else
            otr_session_receive(p->s, str, &out);
    } else if (strcmp(name, "start") == 0) {
        otr_session_start(p->s, &out);
    } else if (strcmp(name, "end") == 0) {
        otr_session_end(p->s, &out);
    } else if (strcmp(name, "smp-start") == 0) {
        if (!(secret = peer_op_str(op, "secret")))
            peer_emit_error("smp-start: missing secret");
        else
            otr_session_smp_start(p->s, peer_op_str(op, "question"),
                                  (const uint8_t *)secret, strlen(secret),
                                  &out);
    } else if (strcmp(name, "smp-respond") == 0) {
        if (!(secret = peer_op_str(op, "secret")))
            peer_emit_error("smp-respond: missing secret");
        else
            otr_session_smp_respond(p->s, (const uint8_t *)secret,
                                    strlen(secret), &out);
    } else if (strcmp(name, "smp-abort") == 0) {
        otr_session_smp_abort(p->s, &out);
    } else if (strcmp(name, "extra-key") == 0) {
        str = peer_op_str(op, "context");
        ctx = str ? peer_unhex(str) : NULL;
        if (!peer_op_int(op, "use", &use) || use < 0 || use > G_MAXUINT32 ||
            !ctx) {
            peer_emit_error("extra-key: needs use (int) and context (hex)");
        } else {
            gsize clen;
            const uint8_t *c = g_bytes_get_data(ctx, &clen);

            otr_session_extra_key(p->s, (guint32)use, c, clen, &out);
        }
        if (ctx)
            g_bytes_unref(ctx);
    } else if (strcmp(name, "status") == 0) {
        emit_outbox(p, &out);
        emit_state(p, "status");
    } else if (strcmp(name, "quit") == 0) {
        emit_outbox(p, &out);
        peer_emit_done();
        return FALSE;
    } else {
        char *msg = g_strdup_printf("unknown operation: %s", name);

        peer_emit_error(msg);
        g_free(msg);
    }
done:
    emit_outbox(p, &out);
    peer_emit_done();
    return TRUE;
}

int
main(int argc, char **argv)
{
    Peer p = { 0 };
    OtrSessionConfig cfg = { 0 };
    uint8_t fpr[OTR_FPR_LEN];
    char hex[41];
    char vers[3] = { 0 };
    PeerEv *e;
    PeerOp *op;
    gboolean go = TRUE;

    /* stdout carries the protocol: GLib's debug lines go to stderr. */
    g_log_writer_default_set_use_stderr(TRUE);
    peer_args_parse(&p.args, argc, argv);
    if (!otr_init())
        die("crypto initialisation failed");
    p.key = load_or_make_key(p.args.key);
    p.instag = p.args.instag ? p.args.instag : load_or_make_instag(p.args.key);
    if (p.instag < OTR_INSTAG_MIN)
        die("--instag must be at least 256");
    p.versions = parse_versions(p.args.versions);

    cfg.account = p.args.account;
    cfg.protocol = p.args.protocol ? p.args.protocol : "xmpp";
    cfg.peer = p.args.peer;
    cfg.our_instag = p.instag;
    cfg.policy = parse_policy(p.args.policy);
    cfg.versions = p.versions;
    cfg.max_msg_size = p.args.max_message_size;
    p.s = otr_session_new(otr_host_ops_default(), NULL, &cfg);
    if (!p.s)
        die("cannot create the session");
    otr_session_set_privkey(p.s, p.key);

    if (p.versions & OTR_V2)
        strcat(vers, "2");
    if (p.versions & OTR_V3)
        strcat(vers, "3");
    otr_privkey_fingerprint(p.key, fpr);
    otr_fingerprint_hex(fpr, hex);
    e = peer_ev_new("ready");
    peer_ev_str(e, "impl", "offrec 0.1.0");
    peer_ev_str(e, "versions", vers);
    peer_ev_str(e, "fingerprint", hex);
    peer_ev_int(e, "instag", p.instag);
    peer_ev_emit(e);

    while (go && (op = peer_op_read()) != NULL) {
        go = run_op(&p, op);
        peer_op_free(op);
    }
    otr_session_free(p.s);
    otr_privkey_free(p.key);
    g_free(p.args.account);
    g_free(p.args.peer);
    g_free(p.args.key);
    g_free(p.args.protocol);
    g_free(p.args.versions);
    g_free(p.args.policy);
    return 0;
}
