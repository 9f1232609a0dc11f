/* Offrec interop — libotr 4.1 behind the JSON Lines peer contract.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * One local account talking to one remote account, driven over stdin/stdout
 * as PEER-PROTOCOL.md describes. The reference implementation that our own
 * engine is tested against: it is used the way pidgin-otr uses it (policy
 * per context, SMP success marks the fingerprint trusted, query messages
 * sent by the application), with fingerprints kept in memory only.
 */
/* libotr's headers depend on their order: proto.h first. */
/* clang-format off */
#include <libotr/proto.h>
#include <libotr/context.h>
#include <libotr/instag.h>
#include <libotr/message.h>
#include <libotr/privkey.h>
#include <libotr/tlv.h>
#include <libotr/userstate.h>
#include <libotr/version.h>
/* clang-format on */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <gcrypt.h>
#include <glib.h>

#include "peerio.h"

typedef struct {
    PeerArgs args;
    OtrlUserState us;
    OtrlPolicy policy;
    unsigned int timer_interval; /* seconds; 0 = no timer */
    gint64 timer_due;            /* monotonic µs; 0 = none */
    gboolean decrypted;          /* set by convert_msg while receiving */
    ConnContext *smp_ctx;        /* instance that asked us for a secret */
    /* Last state printed, to print a transition once. */
    char *last_state;
    gboolean ready; /* `ready` printed: events may follow */
} Peer;

static Peer peer;
static OtrlMessageAppOps ops;

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
static void
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

static void logf_(const char *fmt, ...) G_GNUC_PRINTF(1, 2);

static void
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

/* ---- libotr callbacks ------------------------------------------------- */

static OtrlPolicy
op_policy(void *opdata, ConnContext *context)
{
    return peer.policy;
}

static void
op_create_privkey(void *opdata, const char *accountname, const char *protocol)
{
    logf_("generating a private key for %s", accountname);
    otrl_privkey_generate(peer.us, peer.args.key, accountname, protocol);
}

static int
op_is_logged_in(void *opdata,
                const char *accountname,
                const char *protocol,
                const char *recipient)
{
    return 1;
}

static void
op_inject_message(void *opdata,
                  const char *accountname,
                  const char *protocol,
                  const char *recipient,
                  const char *message)
{
    PeerEv *e;

    if (message == NULL || message[0] == '\0') {
        /* libotr "sends" "" when it refuses a message (FINISHED). */
        peer_emit_log("libotr injected an empty message: not sent");
        return;
    }
    e = peer_ev_new("wire");
    peer_ev_str(e, "wire", message);
    peer_ev_emit(e);
}

static void
op_update_context_list(void *opdata)
{
}

static void
op_new_fingerprint(void *opdata,
                   OtrlUserState us,
                   const char *accountname,
                   const char *protocol,
                   const char *username,
                   unsigned char fingerprint[20])
{
    char *hex = peer_hex(fingerprint, 20);
    logf_("new fingerprint for %s: %s", username, hex);
    g_free(hex);
}

static void
op_write_fingerprints(void *opdata)
{
    /* Fingerprints are kept in memory only. */
}

static void
op_gone_secure(void *opdata, ConnContext *context)
{
    logf_("gone secure (instance %08x)", context->their_instance);
    /* A second AKE inside a private session also lands here: force. */
    report_state(TRUE);
}

static void
op_gone_insecure(void *opdata, ConnContext *context)
{
    logf_("gone insecure (instance %08x)", context->their_instance);
    report_state(FALSE);
}

static void
op_still_secure(void *opdata, ConnContext *context, int is_reply)
{
    logf_("still secure (instance %08x, reply %d)", context->their_instance,
          is_reply);
    report_state(TRUE);
}

static int
op_max_message_size(void *opdata, ConnContext *context)
{
    return (int)peer.args.max_message_size;
}

static const char *
op_account_name(void *opdata, const char *account, const char *protocol)
{
    return g_strdup(account);
}

static void
op_account_name_free(void *opdata, const char *account_name)
{
    g_free((char *)account_name);
}

static void
op_received_symkey(void *opdata,
                   ConnContext *context,
                   unsigned int use,
                   const unsigned char *usedata,
                   size_t usedatalen,
                   const unsigned char *symkey)
{
    PeerEv *e = peer_ev_new("extra-key");
    char *k = peer_hex(symkey, OTRL_EXTRAKEY_BYTES);
    char *c = peer_hex(usedata, usedatalen);
    peer_ev_str(e, "key", k);
    peer_ev_int(e, "use", use);
    peer_ev_str(e, "context", c);
    peer_ev_emit(e);
    g_free(k);
    g_free(c);
}

static const char *
op_otr_error_message(void *opdata, ConnContext *context, OtrlErrorCode code)
{
    /* Short texts, so an error message fits any sensible size limit. */
    switch (code) {
    case OTRL_ERRCODE_NONE:
        break;
    case OTRL_ERRCODE_ENCRYPTION_ERROR:
        return g_strdup("encryption error");
    case OTRL_ERRCODE_MSG_NOT_IN_PRIVATE:
        return g_strdup("not in a private conversation");
    case OTRL_ERRCODE_MSG_UNREADABLE:
        return g_strdup("unreadable message");
    case OTRL_ERRCODE_MSG_MALFORMED:
        return g_strdup("malformed message");
    }
    return NULL;
}

static void
op_otr_error_message_free(void *opdata, const char *err_msg)
{
    g_free((char *)err_msg);
}

static void
smp_event(const char *status, const char *question)
{
    PeerEv *e = peer_ev_new("smp");
    peer_ev_str(e, "status", status);
    if (question != NULL)
        peer_ev_str(e, "question", question);
    peer_ev_emit(e);
}

static void
op_handle_smp_event(void *opdata,
                    OtrlSMPEvent ev,
                    ConnContext *context,
                    unsigned short progress,
                    char *question)
{
    switch (ev) {
    case OTRL_SMPEVENT_NONE:
        break;
    case OTRL_SMPEVENT_ASK_FOR_SECRET:
        peer.smp_ctx = context;
        smp_event("asked", NULL);
        break;
    case OTRL_SMPEVENT_ASK_FOR_ANSWER:
        peer.smp_ctx = context;
        smp_event("asked", question ? question : "");
        break;
    case OTRL_SMPEVENT_IN_PROGRESS:
        logf_("smp in progress (%u%%)", progress);
        break;
    case OTRL_SMPEVENT_SUCCESS:
        /* Like pidgin-otr: a successful SMP authenticates the key. */
        if (context->active_fingerprint)
            otrl_context_set_trust(context->active_fingerprint, "smp");
        smp_event("success", NULL);
        break;
    case OTRL_SMPEVENT_FAILURE:
        if (context->active_fingerprint)
            otrl_context_set_trust(context->active_fingerprint, "");
        smp_event("failure", NULL);
        break;
    case OTRL_SMPEVENT_ABORT:
        smp_event("aborted", NULL);
        break;
    case OTRL_SMPEVENT_CHEATED:
    case OTRL_SMPEVENT_ERROR:
        /* libotr asks the application to abort in these cases. */
        smp_event("error", NULL);
        otrl_message_abort_smp(peer.us, &ops, NULL, context);
        break;
    }
}

static void
op_handle_msg_event(void *opdata,
                    OtrlMessageEvent ev,
                    ConnContext *context,
                    const char *message,
                    gcry_error_t err)
{
    PeerEv *e;

    switch (ev) {
    case OTRL_MSGEVENT_NONE:
        break;
    case OTRL_MSGEVENT_ENCRYPTION_REQUIRED:
        peer_emit_log("encryption required: message held, query sent");
        break;
    case OTRL_MSGEVENT_ENCRYPTION_ERROR:
        peer_emit_error("ENCRYPTION_ERROR: the message was not sent");
        break;
    case OTRL_MSGEVENT_CONNECTION_ENDED:
        peer_emit_error("CONNECTION_ENDED: the remote side ended the private "
                        "conversation; the message was not sent");
        break;
    case OTRL_MSGEVENT_SETUP_ERROR:
        logf_("SETUP_ERROR: %s", gcry_strerror(err));
        peer_emit_error("SETUP_ERROR: a private conversation could not be "
                        "set up");
        break;
    case OTRL_MSGEVENT_MSG_REFLECTED:
        peer_emit_log("MSG_REFLECTED: received our own OTR message");
        break;
    case OTRL_MSGEVENT_MSG_RESENT:
        peer_emit_log("MSG_RESENT: the last message was resent");
        break;
    case OTRL_MSGEVENT_RCVDMSG_NOT_IN_PRIVATE:
        peer_emit_error("RCVDMSG_NOT_IN_PRIVATE: an encrypted message "
                        "arrived outside a private conversation");
        break;
    case OTRL_MSGEVENT_RCVDMSG_UNREADABLE:
        peer_emit_error("RCVDMSG_UNREADABLE: an encrypted message could not "
                        "be read");
        break;
    case OTRL_MSGEVENT_RCVDMSG_MALFORMED:
        peer_emit_error("RCVDMSG_MALFORMED: a malformed message arrived");
        break;
    case OTRL_MSGEVENT_LOG_HEARTBEAT_RCVD:
        peer_emit_log("heartbeat received");
        break;
    case OTRL_MSGEVENT_LOG_HEARTBEAT_SENT:
        peer_emit_log("heartbeat sent");
        break;
    case OTRL_MSGEVENT_RCVDMSG_GENERAL_ERR:
        logf_("RCVDMSG_GENERAL_ERR");
        e = peer_ev_new("error");
        peer_ev_str(e, "text", message ? message : "OTR error");
        peer_ev_emit(e);
        break;
    case OTRL_MSGEVENT_RCVDMSG_UNENCRYPTED:
        /* Plaintext inside a private session: shown, flagged as such. */
        e = peer_ev_new("message");
        peer_ev_str(e, "text", message ? message : "");
        peer_ev_bool(e, "private", FALSE);
        peer_ev_emit(e);
        break;
    case OTRL_MSGEVENT_RCVDMSG_UNRECOGNIZED:
        peer_emit_log("RCVDMSG_UNRECOGNIZED: an OTR message of unknown type");
        break;
    case OTRL_MSGEVENT_RCVDMSG_FOR_OTHER_INSTANCE:
        peer_emit_log("RCVDMSG_FOR_OTHER_INSTANCE: ignored");
        break;
    }
}

static void
op_create_instag(void *opdata, const char *accountname, const char *protocol)
{
    char *path = g_strconcat(peer.args.key, ".instag", NULL);
    otrl_instag_generate(peer.us, path, accountname, protocol);
    g_free(path);
}

static void
op_convert_msg(void *opdata,
               ConnContext *context,
               OtrlConvertType type,
               char **dest,
               const char *src)
{
    /* No conversion; libotr calls this right after decrypting, which is
     * the one reliable sign that a message arrived encrypted. */
    if (type == OTRL_CONVERT_RECEIVING)
        peer.decrypted = TRUE;
}

static void
op_convert_free(void *opdata, ConnContext *context, char *dest)
{
    g_free(dest);
}

static void
op_timer_control(void *opdata, unsigned int interval)
{
    peer.timer_interval = interval;
    peer.timer_due =
        interval ? g_get_monotonic_time() + (gint64)interval * G_USEC_PER_SEC
                 : 0;
}

/* Runs libotr's periodic clean-up when its timer is due. */
static void
poll_timer(void)
{
    if (peer.timer_due == 0 || g_get_monotonic_time() < peer.timer_due)
        return;
    peer.timer_due =
        g_get_monotonic_time() + (gint64)peer.timer_interval * G_USEC_PER_SEC;
    otrl_message_poll(peer.us, &ops, NULL);
}

static void
ops_init(void)
{
    ops.policy = op_policy;
    ops.create_privkey = op_create_privkey;
    ops.is_logged_in = op_is_logged_in;
    ops.inject_message = op_inject_message;
    ops.update_context_list = op_update_context_list;
    ops.new_fingerprint = op_new_fingerprint;
    ops.write_fingerprints = op_write_fingerprints;
    ops.gone_secure = op_gone_secure;
    ops.gone_insecure = op_gone_insecure;
    ops.still_secure = op_still_secure;
    ops.max_message_size = op_max_message_size;
    ops.account_name = op_account_name;
    ops.account_name_free = op_account_name_free;
    ops.received_symkey = op_received_symkey;
    ops.otr_error_message = op_otr_error_message;
    ops.otr_error_message_free = op_otr_error_message_free;
    ops.resent_msg_prefix = NULL; /* libotr's "[resent]" */
    ops.resent_msg_prefix_free = NULL;
    ops.handle_smp_event = op_handle_smp_event;
    ops.handle_msg_event = op_handle_msg_event;
    ops.create_instag = op_create_instag;
    ops.convert_msg = op_convert_msg;
    ops.convert_free = op_convert_free;
    ops.timer_control = op_timer_control;
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
