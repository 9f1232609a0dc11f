/* Offrec interop — the libotr peer's callbacks (OtrlMessageAppOps): what
 * libotr asks of the application, answered as pidgin-otr does, with events
 * printed as PEER-PROTOCOL.md describes.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libotr-peer.h"

OtrlMessageAppOps ops;

/* ---- libotr callbacks ------------------------------------------------- */

static OtrlPolicy
op_policy(void *opdata, ConnContext *context)
{
    return peer.policy;
}

void
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

void
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

void
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

void
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
void
poll_timer(void)
{
    if (peer.timer_due == 0 || g_get_monotonic_time() < peer.timer_due)
        return;
    peer.timer_due =
        g_get_monotonic_time() + (gint64)peer.timer_interval * G_USEC_PER_SEC;
    otrl_message_poll(peer.us, &ops, NULL);
}

void
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
