/* Offrec — the public session API: policies, message states, sending and
 * receiving (spec: "The protocol state machine").
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <string.h>

#include "outbox-private.h"
#include "proto-private.h"
#include "session-private.h"

static gint64
now(const OtrSession *s)
{
    return s->host.ops->now(s->host.user);
}

/* Drop every stored fragment. */
static void
reassembly_forget(OtrSession *s)
{
    for (guint i = 0; i < s->n_reassembly; i++)
        otr_reassembly_clear(&s->reassembly[i].ra);
    g_free(s->reassembly);
    s->reassembly = NULL;
    s->n_reassembly = 0;
}

/* The reassembly buffer for sender, made when needed (the oldest ones are
 * dropped when too many senders are pending). */
static OtrReassembly *
reassembly_get(OtrSession *s, guint32 sender)
{
    for (guint i = 0; i < s->n_reassembly; i++) {
        if (s->reassembly[i].sender == sender)
            return &s->reassembly[i].ra;
    }
    if (s->n_reassembly >= OTR_MAX_REASSEMBLY)
        reassembly_forget(s);
    s->reassembly =
        g_renew(OtrReassemblySlot, s->reassembly, s->n_reassembly + 1);
    memset(&s->reassembly[s->n_reassembly], 0, sizeof *s->reassembly);
    s->reassembly[s->n_reassembly].sender = sender;
    return &s->reassembly[s->n_reassembly++].ra;
}

static void
held_clear(OtrHeld *h)
{
    otr_wipe(h->text, strlen(h->text));
    g_free(h->text);
    h->text = NULL;
}

OtrSession *
otr_session_new(const OtrHostOps *ops,
                void *user,
                const OtrSessionConfig *config)
{
    const char *account, *protocol, *peer;
    size_t la, lp, lr;
    OtrSession *s;

    g_return_val_if_fail(ops != NULL && config != NULL, NULL);
    g_return_val_if_fail(config->our_instag >= OTR_INSTAG_MIN, NULL);
    account = config->account ? config->account : "";
    protocol = config->protocol ? config->protocol : "";
    peer = config->peer ? config->peer : "";
    la = strlen(account) + 1;
    lp = strlen(protocol) + 1;
    lr = strlen(peer) + 1;
    s = g_new0(OtrSession, 1);
    s->host.ops = ops;
    s->host.user = user;
    /* One block for the three names: "account\0protocol\0peer\0". */
    s->account = g_malloc(la + lp + lr);
    s->protocol = s->account + la;
    s->peer = s->protocol + lp;
    memcpy(s->account, account, la);
    memcpy(s->protocol, protocol, lp);
    memcpy(s->peer, peer, lr);
    s->our_instag = config->our_instag;
    s->policy = config->policy;
    s->versions = config->versions & (OTR_V2 | OTR_V3);
    s->max_msg_size = config->max_msg_size;
    s->offer = OTR_OFFER_NOT;
    s->select_how = OTR_SELECT_MOST_SECURE;
    return s;
}

void
otr_session_free(OtrSession *s)
{
    if (!s)
        return;
    if (s->held) {
        for (guint i = 0; i < s->held->len; i++)
            held_clear(&g_array_index(s->held, OtrHeld, i));
        g_array_unref(s->held);
    }
    for (guint i = 0; i < s->n_instances; i++)
        otr_instances_destroy(s->instances[i]);
    g_free(s->instances);
    reassembly_forget(s);
    if (s->master_ake)
        otr_ake_free(s->master_ake);
    g_free(s->account); /* protocol and peer too */
    otr_wipe(s, sizeof *s);
    g_free(s);
}

void
otr_session_set_privkey(OtrSession *s, const OtrPrivKey *key)
{
    g_return_if_fail(s != NULL);
    s->key = key;
}

void
otr_session_set_policy(OtrSession *s, OtrPolicy policy)
{
    g_return_if_fail(s != NULL);
    s->policy = policy;
}

void
otr_session_set_max_msg_size(OtrSession *s, size_t max)
{
    g_return_if_fail(s != NULL);
    s->max_msg_size = max;
}

static gboolean
otr_disabled(const OtrSession *s)
{
    return s->policy == OTR_POLICY_NEVER || s->versions == 0;
}

static gboolean
opportunistic(const OtrSession *s)
{
    return s->policy == OTR_POLICY_OPPORTUNISTIC ||
           s->policy == OTR_POLICY_ALWAYS;
}

static OtrMsgState
selected_state(const OtrSession *s)
{
    OtrInstance *in = otr_instance_selected(s);

    return in ? in->msgstate : OTR_MSG_PLAINTEXT;
}

static guint32
selected_tag(const OtrSession *s)
{
    OtrInstance *in = otr_instance_selected(s);

    return in ? in->tag : OTR_INSTAG_V2;
}

/* ---- Sending ------------------------------------------------------------ */

static void
send_plaintext(OtrSession *s, OtrInstance *in, const char *text, OtrOutbox *out)
{
    guint32 tag = in ? in->tag : OTR_INSTAG_V2;

    if (s->policy == OTR_POLICY_ALWAYS) {
        OtrHeld h = { g_strdup(text), now(s) };
        gboolean first = !s->held || s->held->len == 0;

        if (s->held && s->held->len >= OTR_MAX_HELD) {
            otr_outbox_error(out, tag, OTR_ERR_TOO_BIG,
                             "Too many messages are waiting for the "
                             "private conversation; not sent.");
            held_clear(&h);
            return;
        }
        if (!s->held)
            s->held = g_array_new(FALSE, TRUE, sizeof(OtrHeld));
        g_array_append_val(s->held, h);
        otr_outbox_push(out, OTR_EV_NOTICE, tag,
                        "Attempting to start a private conversation; "
                        "the message will be sent once it is private.");
        if (first)
            otr_session_send_query(s, tag, out);
        return;
    }
    if (opportunistic(s) && s->offer != OTR_OFFER_REJECTED) {
        otr_outbox_push_take(out, OTR_EV_WIRE, tag,
                             otr_tag_append(text, s->versions));
        s->offer = OTR_OFFER_SENT;
    } else {
        otr_outbox_push(out, OTR_EV_WIRE, tag, text);
    }
    if (in)
        in->last_sent = now(s);
}

OtrError
otr_session_send(OtrSession *s, const char *text, OtrOutbox *out)
{
    OtrInstance *in;
    OtrError err = OTR_OK;

    g_return_val_if_fail(s != NULL && text != NULL && out != NULL,
                         OTR_ERR_INVALID);
    if (otr_disabled(s)) {
        otr_outbox_push(out, OTR_EV_WIRE, OTR_INSTAG_V2, text);
        return OTR_OK;
    }
    in = otr_instance_selected(s);
    switch (in ? in->msgstate : OTR_MSG_PLAINTEXT) {
    case OTR_MSG_PLAINTEXT:
        send_plaintext(s, in, text, out);
        break;
    case OTR_MSG_ENCRYPTED:
        err = otr_instance_send_data(s, in, 0, text, NULL, 0, NULL, out);
        if (err != OTR_OK)
            otr_outbox_error(out, in->tag, err,
                             "The message could not be encrypted and was "
                             "not sent.");
        break;
    case OTR_MSG_FINISHED:
        err = OTR_ERR_FINISHED;
        otr_outbox_error(out, in->tag, err,
                         "The private conversation has ended; the message "
                         "was not sent. End the conversation or start a "
                         "new one.");
        break;
    }
    return err;
}

OtrError
otr_session_start(OtrSession *s, OtrOutbox *out)
{
    g_return_val_if_fail(s != NULL && out != NULL, OTR_ERR_INVALID);
    if (otr_disabled(s)) {
        otr_outbox_error(out, selected_tag(s), OTR_ERR_POLICY,
                         "OTR is disabled for this conversation.");
        return OTR_ERR_POLICY;
    }
    if (!s->key && !s->need_key_sent) {
        otr_outbox_push(out, OTR_EV_NEED_KEY, selected_tag(s),
                        "A private key is needed for OTR.");
        s->need_key_sent = TRUE;
    }
    otr_session_send_query(s, selected_tag(s), out);
    return OTR_OK;
}

OtrError
otr_session_end(OtrSession *s, OtrOutbox *out)
{
    OtrInstance *in;
    OtrWriter w;

    g_return_val_if_fail(s != NULL && out != NULL, OTR_ERR_INVALID);
    in = otr_instance_selected(s);
    if (!in)
        return OTR_OK;
    switch (in->msgstate) {
    case OTR_MSG_PLAINTEXT:
        break;
    case OTR_MSG_ENCRYPTED:
        otr_writer_init(&w);
        otr_tlv_write(&w, OTR_TLV_DISCONNECTED, NULL, 0);
        otr_instance_send_data(s, in, OTR_FLAG_IGNORE_UNREADABLE, "",
                               w.buf->data, w.buf->len, NULL, out);
        otr_writer_clear(&w);
        otr_instance_forget_keys(in);
        otr_instance_set_state(s, in, OTR_MSG_PLAINTEXT, out);
        break;
    case OTR_MSG_FINISHED:
        otr_instance_forget_keys(in);
        otr_instance_set_state(s, in, OTR_MSG_PLAINTEXT, out);
        break;
    }
    return OTR_OK;
}

/* ---- Receiving ---------------------------------------------------------- */

static void
receive_plain(OtrSession *s, const char *text, guint tagged, OtrOutbox *out)
{
    OtrMsgState st = selected_state(s);
    guint32 tag = selected_tag(s);
    OtrEvent *ev;

    if (tagged && opportunistic(s) && st != OTR_MSG_ENCRYPTED)
        otr_session_start_ake(s, tagged, out);
    if (*text == '\0')
        return;
    if (st != OTR_MSG_PLAINTEXT || s->policy == OTR_POLICY_ALWAYS)
        otr_outbox_push(out, OTR_EV_NOTICE, tag,
                        "The following message was received unencrypted.");
    ev = otr_outbox_push(out, OTR_EV_DISPLAY, tag, text);
    ev->is_private = FALSE;
}

static void
receive_error(OtrSession *s, const char *text, OtrOutbox *out)
{
    guint32 tag = selected_tag(s);
    char *msg;

    while (*text == ' ')
        text++;
    msg = g_strdup_printf("OTR error from %s: %s", s->peer, text);
    otr_outbox_error(out, tag, OTR_ERR_STATE, msg);
    g_free(msg);
    if (opportunistic(s))
        otr_session_send_query(s, tag, out);
}

static OtrError receive_one(OtrSession *s,
                            const char *msg,
                            size_t len,
                            gboolean whole,
                            OtrOutbox *out);

static void
receive_fragment(OtrSession *s, const char *text, size_t len, OtrOutbox *out)
{
    OtrFragment f;
    OtrReassembly *ra;
    OtrFragResult res = OTR_FRAG_INCOMPLETE;
    char *whole = NULL;
    guint32 key;
    OtrError err;

    if (otr_fragment_parse(text, len, &f) != OTR_OK) {
        otr_session_log(s, out, "malformed fragment ignored");
        return;
    }
    if ((f.version == 3 && !(s->versions & OTR_V3)) ||
        (f.version == 2 && !(s->versions & OTR_V2))) {
        otr_session_log(s, out, "fragment of a disabled version ignored");
        return;
    }
    if (f.version == 3) {
        if (f.receiver != 0 && f.receiver != s->our_instag) {
            otr_session_log(s, out, "fragment for instance %08x discarded",
                            f.receiver);
            return;
        }
        if (f.sender < OTR_INSTAG_MIN) {
            otr_session_log(s, out, "fragment with bad sender discarded");
            return;
        }
    }
    key = f.version == 3 ? f.sender : 0;
    ra = reassembly_get(s, key);
    err = otr_reassembly_add(ra, &f, &res, &whole);
    if (err != OTR_OK) {
        otr_session_log(s, out, "fragment dropped: %s", otr_error_str(err));
        return;
    }
    if (res == OTR_FRAG_COMPLETE && whole) {
        receive_one(s, whole, strlen(whole), TRUE, out);
        g_free(whole);
    }
}

static OtrError
receive_one(OtrSession *s,
            const char *msg,
            size_t len,
            gboolean whole,
            OtrOutbox *out)
{
    OtrClassified c;
    char *stripped;
    guint tagged = 0;

    otr_classify(msg, len, &c);
    /* Spec: a message that is not a fragment makes us forget any stored
     * fragments (libotr does the same per context). */
    if (!whole && c.kind != OTR_KIND_FRAGMENT)
        reassembly_forget(s);
    if (opportunistic(s)) {
        /* Spec: the tag goes out only while no plaintext has been
         * received since entering PLAINTEXT (libotr stops only after it
         * sent one). */
        if (c.kind != OTR_KIND_PLAINTEXT)
            s->offer = OTR_OFFER_ACCEPTED;
        else
            s->offer = OTR_OFFER_REJECTED;
    }
    switch (c.kind) {
    case OTR_KIND_PLAINTEXT:
        receive_plain(s, msg, 0, out);
        break;
    case OTR_KIND_TAGGED:
        stripped = otr_tag_strip(msg, &tagged);
        receive_plain(s, stripped ? stripped : "", tagged, out);
        g_free(stripped);
        break;
    case OTR_KIND_QUERY:
        otr_session_start_ake(s, c.versions, out);
        break;
    case OTR_KIND_ERROR:
        receive_error(s, c.error ? c.error : "", out);
        break;
    case OTR_KIND_ENCODED:
        return otr_session_receive_encoded(s, msg + c.start, len - c.start,
                                           out);
    case OTR_KIND_FRAGMENT:
        if (whole) {
            otr_session_log(s, out, "fragment inside a fragment ignored");
            break;
        }
        receive_fragment(s, msg + c.start, len - c.start, out);
        break;
    case OTR_KIND_UNKNOWN:
        otr_session_log(s, out, "unrecognised OTR message ignored");
        break;
    }
    return OTR_OK;
}

OtrError
otr_session_receive(OtrSession *s, const char *msg, OtrOutbox *out)
{
    OtrEvent *ev;

    g_return_val_if_fail(s != NULL && msg != NULL && out != NULL,
                         OTR_ERR_INVALID);
    if (otr_disabled(s)) {
        ev = otr_outbox_push(out, OTR_EV_DISPLAY, OTR_INSTAG_V2, msg);
        ev->is_private = FALSE;
        return OTR_OK;
    }
    return receive_one(s, msg, strlen(msg), FALSE, out);
}

/* ---- Time and keys ------------------------------------------------------ */

void
otr_session_tick(OtrSession *s, OtrOutbox *out)
{
    gint64 t;
    guint i = 0;

    g_return_if_fail(s != NULL && out != NULL);
    t = now(s);
    if (otr_session_ake_state(s->master_ake) == OTR_AKE_AWAITING_DHKEY &&
        t - s->master_commit_time >= OTR_AKE_WAIT_SECS)
        g_clear_pointer(&s->master_ake, otr_ake_free);
    while (s->held && i < s->held->len) {
        OtrHeld *h = &g_array_index(s->held, OtrHeld, i);

        if (t - h->when < OTR_HOLD_SECS) {
            i++;
            continue;
        }
        otr_outbox_error(out, selected_tag(s), OTR_ERR_NO_SESSION,
                         "No private conversation could be started; a "
                         "message was not sent.");
        held_clear(h);
        g_array_remove_index(s->held, i);
    }
    for (i = 0; i < s->n_instances; i++) {
        OtrInstance *in = s->instances[i];

        if (in->msgstate != OTR_MSG_ENCRYPTED ||
            in->last_data_recv < in->last_sent ||
            t - in->last_sent < OTR_HEARTBEAT_SECS)
            continue;
        if (otr_instance_send_data(s, in, OTR_FLAG_IGNORE_UNREADABLE, "", NULL,
                                   0, NULL, out) == OTR_OK)
            otr_session_log(s, out, "heartbeat sent to %08x", in->tag);
    }
}

OtrError
otr_session_key_ready(OtrSession *s, OtrOutbox *out)
{
    GPtrArray *waiting;

    g_return_val_if_fail(s != NULL && out != NULL, OTR_ERR_INVALID);
    if (!s->key)
        return OTR_ERR_NO_KEY;
    s->need_key_sent = FALSE;
    waiting = g_ptr_array_new();
    for (guint i = 0; i < s->n_instances; i++) {
        if (s->instances[i]->pending_ake)
            g_ptr_array_add(waiting, s->instances[i]);
    }
    for (guint i = 0; i < waiting->len; i++) {
        OtrInstance *in = waiting->pdata[i];
        GBytes *msg = in->pending_ake;

        in->pending_ake = NULL;
        otr_session_ake_message(s, in, msg, out);
        g_bytes_unref(msg);
    }
    g_ptr_array_unref(waiting);
    return OTR_OK;
}

/* ---- Instances and status ----------------------------------------------- */

void
otr_session_select(OtrSession *s, OtrSelect how, guint32 instance)
{
    g_return_if_fail(s != NULL);
    s->select_how = how;
    s->select_tag = instance;
}

guint32
otr_session_selected(const OtrSession *s)
{
    g_return_val_if_fail(s != NULL, OTR_INSTAG_V2);
    return selected_tag(s);
}

static gint
cmp_tag(gconstpointer a, gconstpointer b)
{
    guint32 x = *(const guint32 *)a, y = *(const guint32 *)b;

    return x < y ? -1 : x > y;
}

GArray *
otr_session_instances(const OtrSession *s)
{
    GArray *tags = g_array_new(FALSE, FALSE, sizeof(guint32));

    g_return_val_if_fail(s != NULL, tags);
    for (guint i = 0; i < s->n_instances; i++)
        g_array_append_val(tags, s->instances[i]->tag);
    g_array_sort(tags, cmp_tag);
    return tags;
}

void
otr_session_status(const OtrSession *s, guint32 instance, OtrStatus *st)
{
    OtrInstance *in;

    g_return_if_fail(s != NULL && st != NULL);
    memset(st, 0, sizeof *st);
    st->state = OTR_MSG_PLAINTEXT;
    in = otr_instance_find(s, instance);
    if (!in && instance == OTR_INSTAG_V2)
        in = otr_instance_selected(s);
    if (!in) {
        st->instance = instance;
        return;
    }
    st->state = in->msgstate;
    st->instance = in->tag;
    if (in->msgstate != OTR_MSG_ENCRYPTED)
        return;
    st->version = in->version;
    st->have_fpr = in->have_fpr;
    memcpy(st->their_fpr, in->their_fpr, OTR_FPR_LEN);
    memcpy(st->ssid, in->ssid, OTR_SSID_LEN);
    st->ssid_high_half = in->ssid_high_half;
}

OtrMsgState
otr_session_msgstate_of(const OtrSession *s)
{
    g_return_val_if_fail(s != NULL, OTR_MSG_PLAINTEXT);
    return selected_state(s);
}
