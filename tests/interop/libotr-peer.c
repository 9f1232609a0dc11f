/* Offrec interop — libotr 4.1 behind the JSON Lines peer contract.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * One local account talking to one remote account, driven over stdin/stdout
 * as PEER-PROTOCOL.md describes. The reference implementation that our own
 * engine is tested against: it is used the way pidgin-otr uses it (policy
 * per context, SMP success marks the fingerprint trusted, query messages
 * sent by the application), with fingerprints kept in memory only.
 */
#include "libotr-peer.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <gcrypt.h>

Peer peer;

/* ---- state reporting -------------------------------------------------- */

/* The instance the next `send` goes to (libotr's OTRL_INSTAG_BEST). */
static ConnContext *
send_context(void)
{
    return otrl_context_find(peer.us, peer.args.peer, peer.args.account,
                             peer.args.protocol, OTRL_INSTAG_BEST, 0, NULL,
                             NULL, NULL);
}

static const char *
msgstate_name(OtrlMessageState s)
{
    switch (s) {
    case OTRL_MSGSTATE_PLAINTEXT:
        return "plaintext";
    case OTRL_MSGSTATE_ENCRYPTED:
        return "private";
    case OTRL_MSGSTATE_FINISHED:
        return "finished";
    }
    return "plaintext";
}

/* Fills a state/status event for ctx; returns a key identifying it. */
static char *
describe(PeerEv *e, ConnContext *ctx)
{
    OtrlMessageState s = ctx ? ctx->msgstate : OTRL_MSGSTATE_PLAINTEXT;
    gboolean priv = s == OTRL_MSGSTATE_ENCRYPTED;
    char *fp = NULL, *ssid = NULL, *key;
    int version = 0;

    if (priv) {
        version = (int)ctx->protocol_version;
        if (ctx->active_fingerprint && ctx->active_fingerprint->fingerprint)
            fp = peer_hex(ctx->active_fingerprint->fingerprint, 20);
        ssid = peer_hex(ctx->sessionid,
                        ctx->sessionid_len < 8 ? ctx->sessionid_len : 8);
    }
    if (e != NULL) {
        peer_ev_str(e, "state", msgstate_name(s));
        peer_ev_int(e, "version", version);
        peer_ev_str(e, "their_fingerprint", fp);
        peer_ev_str(e, "ssid", ssid);
    }
    key = g_strdup_printf("%s/%d/%s/%s", msgstate_name(s), version,
                          fp ? fp : "-", ssid ? ssid : "-");
    g_free(fp);
    g_free(ssid);
    return key;
}

/* Prints a `state` event when the send target changed, or always when
 * force is set (a refresh). */
void
report_state(gboolean force)
{
    ConnContext *ctx = send_context();
    char *key = describe(NULL, ctx);

    if (force || peer.last_state == NULL || strcmp(key, peer.last_state) != 0) {
        PeerEv *e = peer_ev_new("state");
        g_free(describe(e, ctx));
        peer_ev_emit(e);
        g_free(peer.last_state);
        peer.last_state = key;
    } else {
        g_free(key);
    }
}

void
logf_(const char *fmt, ...)
{
    va_list ap;
    char *s;

    va_start(ap, fmt);
    s = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    if (peer.ready)
        peer_emit_log(s);
    else
        fprintf(stderr, "%s\n", s); /* nothing may precede `ready` */
    g_free(s);
}

/* ---- operations ------------------------------------------------------- */

static void
do_send(const PeerOp *op)
{
    const char *text = peer_op_str(op, "text");
    char *out = NULL;
    ConnContext *ctx = NULL;
    gcry_error_t err;

    if (text == NULL) {
        peer_emit_error("send needs a string field \"text\"");
        return;
    }
    err = otrl_message_sending(peer.us, &ops, NULL, peer.args.account,
                               peer.args.protocol, peer.args.peer,
                               OTRL_INSTAG_BEST, text, NULL, &out,
                               OTRL_FRAGMENT_SEND_ALL, &ctx, NULL, NULL);
    if (err) {
        /* libotr refused; the text must not go out in the clear. */
        logf_("otrl_message_sending: %s", gcry_strerror(err));
        if (ctx == NULL || ctx->msgstate != OTRL_MSGSTATE_FINISHED)
            peer_emit_error("the message could not be sent");
    } else if (out == NULL) {
        /* libotr left the message alone: it goes out as typed. */
        op_inject_message(NULL, peer.args.account, peer.args.protocol,
                          peer.args.peer, text);
    }
    /* Otherwise libotr has injected everything itself (SEND_ALL). */
    otrl_message_free(out);
}

static void
do_recv(const PeerOp *op)
{
    const char *wire = peer_op_str(op, "wire");
    char *newmsg = NULL;
    OtrlTLV *tlvs = NULL;
    ConnContext *ctx = NULL;
    int internal;

    if (wire == NULL) {
        peer_emit_error("recv needs a string field \"wire\"");
        return;
    }
    peer.decrypted = FALSE;
    internal = otrl_message_receiving(peer.us, &ops, NULL, peer.args.account,
                                      peer.args.protocol, peer.args.peer, wire,
                                      &newmsg, &tlvs, &ctx, NULL, NULL);
    if (!internal) {
        PeerEv *e = peer_ev_new("message");
        peer_ev_str(e, "text", newmsg ? newmsg : wire);
        peer_ev_bool(e, "private", peer.decrypted);
        peer_ev_emit(e);
    }
    if (tlvs != NULL && otrl_tlv_find(tlvs, OTRL_TLV_DISCONNECTED) != NULL)
        peer_emit_log("the remote side ended the private conversation");
    peer.decrypted = FALSE;
    otrl_tlv_free(tlvs);
    otrl_message_free(newmsg);
}

static const char *
bare_query(void)
{
    gboolean v2 = (peer.policy & OTRL_POLICY_ALLOW_V2) != 0;
    gboolean v3 = (peer.policy & OTRL_POLICY_ALLOW_V3) != 0;
    return v2 && v3 ? "?OTRv23?" : v3 ? "?OTRv3?" : "?OTRv2?";
}

static void
do_start(void)
{
    char *q;

    if ((peer.policy & (OTRL_POLICY_ALLOW_V2 | OTRL_POLICY_ALLOW_V3)) == 0) {
        peer_emit_error("the policy does not allow OTR");
        return;
    }
    /* What pidgin-otr sends for "Start/Refresh private conversation". */
    q = otrl_proto_default_query_msg(peer.args.account, peer.policy);
    if (q == NULL || (peer.args.max_message_size != 0 &&
                      strlen(q) > peer.args.max_message_size)) {
        op_inject_message(NULL, peer.args.account, peer.args.protocol,
                          peer.args.peer, bare_query());
    } else {
        op_inject_message(NULL, peer.args.account, peer.args.protocol,
                          peer.args.peer, q);
    }
    free(q);
}

static void
do_end(void)
{
    otrl_message_disconnect_all_instances(peer.us, &ops, NULL,
                                          peer.args.account, peer.args.protocol,
                                          peer.args.peer);
}

static ConnContext *
private_context(void)
{
    ConnContext *ctx = send_context();
    if (ctx == NULL || ctx->msgstate != OTRL_MSGSTATE_ENCRYPTED) {
        peer_emit_error("not in a private conversation");
        return NULL;
    }
    return ctx;
}

static void
do_smp_start(const PeerOp *op)
{
    const char *secret = peer_op_str(op, "secret");
    const char *question = peer_op_str(op, "question");
    ConnContext *ctx;

    if (secret == NULL) {
        peer_emit_error("smp-start needs a string field \"secret\"");
        return;
    }
    ctx = private_context();
    if (ctx == NULL)
        return;
    if (question != NULL)
        otrl_message_initiate_smp_q(peer.us, &ops, NULL, ctx, question,
                                    (const unsigned char *)secret,
                                    strlen(secret));
    else
        otrl_message_initiate_smp(peer.us, &ops, NULL, ctx,
                                  (const unsigned char *)secret,
                                  strlen(secret));
}

static void
do_smp_respond(const PeerOp *op)
{
    const char *secret = peer_op_str(op, "secret");
    ConnContext *ctx = peer.smp_ctx;

    if (secret == NULL) {
        peer_emit_error("smp-respond needs a string field \"secret\"");
        return;
    }
    if (ctx == NULL || ctx->msgstate != OTRL_MSGSTATE_ENCRYPTED)
        ctx = private_context();
    if (ctx == NULL)
        return;
    otrl_message_respond_smp(peer.us, &ops, NULL, ctx,
                             (const unsigned char *)secret, strlen(secret));
}

static void
do_smp_abort(void)
{
    ConnContext *ctx = peer.smp_ctx;

    if (ctx == NULL || ctx->msgstate != OTRL_MSGSTATE_ENCRYPTED)
        ctx = private_context();
    if (ctx == NULL)
        return;
    otrl_message_abort_smp(peer.us, &ops, NULL, ctx);
}

static void
do_extra_key(const PeerOp *op)
{
    gint64 use = 0;
    const char *hex = peer_op_str(op, "context");
    GBytes *usedata;
    ConnContext *ctx;
    unsigned char key[OTRL_EXTRAKEY_BYTES];
    gcry_error_t err;
    gsize len = 0;
    const unsigned char *data;

    if (!peer_op_int(op, "use", &use) || use < 0 || use > G_MAXUINT32) {
        peer_emit_error("extra-key needs an integer field \"use\"");
        return;
    }
    usedata = peer_unhex(hex ? hex : "");
    if (usedata == NULL) {
        peer_emit_error("extra-key: \"context\" is not hex");
        return;
    }
    ctx = private_context();
    if (ctx == NULL)
        goto out;
    data = g_bytes_get_data(usedata, &len);
    err = otrl_message_symkey(peer.us, &ops, NULL, ctx, (unsigned int)use, data,
                              len, key);
    if (err) {
        peer_emit_error("the extra symmetric key is not available");
    } else {
        op_received_symkey(NULL, ctx, (unsigned int)use, data, len, key);
    }
    memset(key, 0, sizeof key);
out:
    g_bytes_unref(usedata);
}

static void
do_status(void)
{
    PeerEv *e = peer_ev_new("status");
    g_free(describe(e, send_context()));
    peer_ev_emit(e);
}

/* Runs one operation; returns FALSE after `quit`. */
static gboolean
dispatch(const PeerOp *op)
{
    const char *name = peer_op_name(op);

    poll_timer();
    if (name == NULL) {
        peer_emit_error(peer_op_error(op));
    } else if (strcmp(name, "send") == 0) {
        do_send(op);
    } else if (strcmp(name, "recv") == 0) {
        do_recv(op);
    } else if (strcmp(name, "start") == 0) {
        do_start();
    } else if (strcmp(name, "end") == 0) {
        do_end();
    } else if (strcmp(name, "smp-start") == 0) {
        do_smp_start(op);
    } else if (strcmp(name, "smp-respond") == 0) {
        do_smp_respond(op);
    } else if (strcmp(name, "smp-abort") == 0) {
        do_smp_abort();
    } else if (strcmp(name, "extra-key") == 0) {
        do_extra_key(op);
    } else if (strcmp(name, "status") == 0) {
        do_status();
    } else if (strcmp(name, "quit") == 0) {
        return FALSE;
    } else {
        char *why = g_strdup_printf("unknown operation \"%s\"", name);
        peer_emit_error(why);
        g_free(why);
    }
    report_state(FALSE);
    return TRUE;
}

/* ---- start-up --------------------------------------------------------- */

static OtrlPolicy
policy_from_args(const PeerArgs *a)
{
    OtrlPolicy p = OTRL_POLICY_MANUAL;

    if (strcmp(a->policy, "never") == 0)
        return OTRL_POLICY_NEVER;
    if (strcmp(a->policy, "opportunistic") == 0)
        p = OTRL_POLICY_OPPORTUNISTIC;
    else if (strcmp(a->policy, "always") == 0)
        p = OTRL_POLICY_ALWAYS;
    if (strchr(a->versions, '2') == NULL)
        p &= ~(OtrlPolicy)OTRL_POLICY_ALLOW_V2;
    if (strchr(a->versions, '3') == NULL)
        p &= ~(OtrlPolicy)OTRL_POLICY_ALLOW_V3;
    return p;
}

static gboolean
load_identity(void)
{
    unsigned char fp[20];
    OtrlInsTag *tag;
    char *path, *hex;
    PeerEv *e;

    otrl_privkey_read(peer.us, peer.args.key); /* missing file: no key */
    if (otrl_privkey_find(peer.us, peer.args.account, peer.args.protocol) ==
        NULL) {
        op_create_privkey(NULL, peer.args.account, peer.args.protocol);
        if (otrl_privkey_find(peer.us, peer.args.account, peer.args.protocol) ==
            NULL) {
            fprintf(stderr, "cannot create a key in %s\n", peer.args.key);
            return FALSE;
        }
    }
    if (otrl_privkey_fingerprint_raw(peer.us, fp, peer.args.account,
                                     peer.args.protocol) == NULL)
        return FALSE;

    if (peer.args.instag != 0) {
        FILE *f = tmpfile();
        if (peer.args.instag < OTRL_MIN_VALID_INSTAG || f == NULL) {
            fprintf(stderr, "--instag must be at least %u\n",
                    OTRL_MIN_VALID_INSTAG);
            if (f)
                fclose(f);
            return FALSE;
        }
        fprintf(f, "%s\t%s\t%08x\n", peer.args.account, peer.args.protocol,
                peer.args.instag);
        rewind(f);
        otrl_instag_read_FILEp(peer.us, f);
        fclose(f);
    } else {
        path = g_strconcat(peer.args.key, ".instag", NULL);
        otrl_instag_read(peer.us, path);
        g_free(path);
        if (otrl_instag_find(peer.us, peer.args.account, peer.args.protocol) ==
            NULL)
            op_create_instag(NULL, peer.args.account, peer.args.protocol);
    }
    tag = otrl_instag_find(peer.us, peer.args.account, peer.args.protocol);
    if (tag == NULL)
        return FALSE;

    /* libotr 4 speaks versions 2 and 3: all that --versions may ask. */
    e = peer_ev_new("ready");
    hex = peer_hex(fp, 20);
    peer_ev_str(e, "impl", "libotr " OTRL_VERSION);
    peer_ev_str(e, "versions", peer.args.versions);
    peer_ev_str(e, "fingerprint", hex);
    peer_ev_int(e, "instag", tag->instag);
    peer_ev_emit(e);
    peer.ready = TRUE;
    peer.last_state = describe(NULL, NULL);
    g_free(hex);
    return TRUE;
}

int
main(int argc, char **argv)
{
    PeerOp *op;
    int status = 0;

    peer_args_parse(&peer.args, argc, argv);
    OTRL_INIT;
    ops_init();
    peer.us = otrl_userstate_create();
    peer.policy = policy_from_args(&peer.args);
    if (!load_identity()) {
        status = 1;
        goto out;
    }
    while ((op = peer_op_read()) != NULL) {
        gboolean more = dispatch(op);
        peer_op_free(op);
        peer_emit_done();
        if (!more)
            break;
    }
out:
    otrl_userstate_free(peer.us);
    g_free(peer.last_state);
    return status;
}
