/* Offrec — session internals: the master context and its per-instance
 * children (spec: "The protocol state machine", "Instance Tags").
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef OTR_SESSION_PRIVATE_H
#define OTR_SESSION_PRIVATE_H

#include "ake-private.h"
#include "data-private.h"
#include "fragment-private.h"
#include "smp-private.h"

/* libotr's intervals (message.c): heartbeat, held-message resend window
 * and how long the master's pending D-H Commit is kept. */
#define OTR_HEARTBEAT_SECS 60
#define OTR_HOLD_SECS      60
#define OTR_AKE_WAIT_SECS  60
/* Bounds against a peer inventing instance tags. */
#define OTR_MAX_INSTANCES  64
#define OTR_MAX_REASSEMBLY 16
#define OTR_MAX_HELD       100

/* One remote instance (libotr's child context). */
typedef struct {
    guint32 tag; /* OTR_INSTAG_V2 for a v2 peer */
    /* NULL while no AKE is under way: an idle AKE equals a fresh one, so
     * it is allocated on demand and freed once back to NONE. */
    OtrAke *ake;
    OtrMsgState msgstate;
    gboolean have_keys;
    OtrDataKeys keys;
    int version;
    gboolean have_fpr;
    uint8_t their_fpr[OTR_FPR_LEN];
    uint8_t ssid[OTR_SSID_LEN];
    gboolean ssid_high_half;
    OtrSmp *smp; /* created lazily */
    gint64 last_recv, last_sent;
    gint64 last_data_recv; /* last readable data message */
    /* An AKE message that waits for our private key. */
    GBytes *pending_ake;
} OtrInstance;

typedef enum {
    OTR_OFFER_NOT,
    OTR_OFFER_SENT,
    OTR_OFFER_REJECTED,
    OTR_OFFER_ACCEPTED,
} OtrOffer;

typedef struct {
    char *text;
    gint64 when;
} OtrHeld;

/* Fragments being reassembled from one sender (0 for v2). */
typedef struct {
    guint32 sender;
    OtrReassembly ra;
} OtrReassemblySlot;

/* Everything below that is only needed now and then (held messages,
 * reassembly, an AKE under way) is allocated on demand, so an idle
 * established session costs little more than its keys. */
struct OtrSession {
    OtrHost host;
    /* account, protocol and peer share one allocation (account's). */
    char *account, *protocol, *peer;
    guint32 our_instag;
    OtrPolicy policy;
    guint versions;
    size_t max_msg_size;
    const OtrPrivKey *key; /* borrowed */

    /* Master: the D-H Commit we sent before knowing the instance; NULL
     * while no such AKE is under way. */
    OtrAke *master_ake;
    gint64 master_commit_time;
    OtrOffer offer;
    GArray *held; /* of OtrHeld, under ALWAYS; NULL when none */

    /* Remote instances, in order of creation (at most OTR_MAX_INSTANCES;
     * a linear search beats hashing for the one or two seen in practice). */
    OtrInstance **instances;
    guint n_instances;
    OtrReassemblySlot *reassembly; /* n_reassembly; NULL when none */
    guint n_reassembly;
    OtrSelect select_how;
    guint32 select_tag;
    gboolean need_key_sent;
};

/* ---- instance.c --------------------------------------------------------- */

OtrInstance *otr_instance_find(const OtrSession *s, guint32 tag);
/* Finds or creates; NULL when the bound on instances is reached. */
OtrInstance *otr_instance_get(OtrSession *s, guint32 tag);
void otr_instances_destroy(gpointer inst);
/* State of an AKE slot that may be empty (NULL: NONE). */
OtrAkeState otr_session_ake_state(const OtrAke *ake);
/* The AKE in *slot, created when the slot is empty. */
OtrAke *otr_session_ake_get(OtrSession *s, OtrAke **slot);
/* Free the AKE in *slot when it is back to NONE (nothing to keep). */
void otr_session_ake_compact(OtrAke **slot);
/* The instance the next send goes to, NULL when none is known. */
OtrInstance *otr_instance_selected(const OtrSession *s);
void otr_instance_set_state(OtrSession *s,
                            OtrInstance *in,
                            OtrMsgState state,
                            OtrOutbox *out);
/* Drop keys, SMP and session identity (keeps the AKE). */
void otr_instance_forget_keys(OtrInstance *in);
OtrError otr_instance_go_encrypted(OtrSession *s,
                                   OtrInstance *in,
                                   OtrAkeResult *res,
                                   OtrOutbox *out);
/* Encrypt text (may be "") plus optional TLVs and queue the wire
 * message(s). extra, when non-NULL, receives the extra key used. Never
 * emits anything in plaintext on failure. */
OtrError otr_instance_send_data(OtrSession *s,
                                OtrInstance *in,
                                uint8_t flags,
                                const char *text,
                                const uint8_t *tlvs,
                                size_t tlvs_len,
                                uint8_t extra[OTR_EXTRA_KEY_LEN],
                                OtrOutbox *out);
/* TLVs (as written by otr_tlv_write) each in its own data message, flagged
 * IGNORE_UNREADABLE. */
OtrError otr_instance_send_tlvs(OtrSession *s,
                                OtrInstance *in,
                                const uint8_t *tlvs,
                                size_t len,
                                OtrOutbox *out);
/* Queue an encoded ("?OTR:...") message, fragmented to max_msg_size. */
OtrError otr_session_queue_encoded(OtrSession *s,
                                   guint32 instance,
                                   int version,
                                   guint32 receiver,
                                   GBytes *msg,
                                   OtrOutbox *out);
/* Queue a non-encoded OTR message (query or error) that must fit. */
void otr_session_queue_plain_otr(OtrSession *s,
                                 guint32 instance,
                                 char *text,
                                 OtrOutbox *out);
void otr_session_log(OtrSession *s, OtrOutbox *out, const char *fmt, ...)
    G_GNUC_PRINTF(3, 4);
/* Send the query message for the allowed versions. */
void otr_session_send_query(OtrSession *s, guint32 instance, OtrOutbox *out);
/* Error message to the peer, truncated to fit the size limit. */
void otr_session_send_error(OtrSession *s,
                            guint32 instance,
                            const char *text,
                            OtrOutbox *out);
/* Held messages out through the instance that just went private. */
void otr_session_flush_held(OtrSession *s, OtrInstance *in, OtrOutbox *out);
/* Start an AKE (D-H Commit) for a received query or tag. */
void otr_session_start_ake(OtrSession *s, guint offered, OtrOutbox *out);

/* ---- session-recv.c ---------------------------------------------------- */

OtrError otr_session_receive_encoded(OtrSession *s,
                                     const char *text,
                                     size_t len,
                                     OtrOutbox *out);
/* Run the AKE on a decoded message (also used when the key arrives). */
OtrError otr_session_ake_message(OtrSession *s,
                                 OtrInstance *in,
                                 GBytes *msg,
                                 OtrOutbox *out);

#endif
