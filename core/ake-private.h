/* Offrec — authenticated key exchange (spec: "The protocol state
 * machine" / "Authenticated Key Exchange"), v2 and v3.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef OTR_AKE_PRIVATE_H
#define OTR_AKE_PRIVATE_H

#include "crypto-private.h"
#include "wire-private.h"

typedef enum {
    OTR_AKE_NONE,
    OTR_AKE_AWAITING_DHKEY,
    OTR_AKE_AWAITING_REVEALSIG,
    OTR_AKE_AWAITING_SIG,
} OtrAkeState;

/* What a completed AKE hands to the data layer. */
typedef struct {
    int version;
    guint32 their_instag; /* 0 for v2 */
    OtrPubKey *their_pub; /* owned */
    uint8_t their_fpr[OTR_FPR_LEN];
    uint8_t ssid[OTR_SSID_LEN];
    /* We sent the Reveal Signature: emphasise the first (high-order) 32
     * bits of the ssid, else the second (spec "Computing AES keys...";
     * libotr's OTRL_SESSIONID_FIRST_HALF_BOLD). */
    gboolean ssid_high_half;
    OtrDhKeypair our_dh; /* keyid our_keyid */
    guint32 our_keyid;
    uint8_t their_dh[OTR_DH_PUB_MAX];
    guint16 their_dhlen;
    guint32 their_keyid;
} OtrAkeResult;

void otr_ake_result_free(OtrAkeResult *res); /* wipes */

typedef struct OtrAke OtrAke;

OtrAke *otr_ake_new(guint32 our_instag);
void otr_ake_free(OtrAke *ake); /* wipes */
/* Duplicate the whole state (libotr hands the master's pending D-H Commit
 * to each instance that answers it). */
OtrAke *otr_ake_copy(const OtrAke *ake);
OtrAkeState otr_ake_state(const OtrAke *ake);
int otr_ake_version(const OtrAke *ake);
/* Forget everything; back to NONE. */
void otr_ake_reset(OtrAke *ake);

/* Send a D-H Commit (on a query, a whitespace tag, or a refresh).
 * their_instag is 0 when unknown (v3) or for v2. *msg: binary message
 * ready for otr_encode_message (g_bytes_unref). */
OtrError otr_ake_start(OtrAke *ake,
                       const OtrHost *h,
                       int version,
                       guint32 their_instag,
                       GBytes **msg);

/* An AKE message arrived (hdr already read; body is what follows the
 * header). Per the spec's state table: may set *reply (a message to send)
 * and *done (the AKE completed: we are now ENCRYPTED with *done; free it
 * with otr_ake_result_free). A message that must be ignored returns OTR_OK
 * with neither. key may be NULL: OTR_ERR_NO_KEY is returned when it was
 * needed, and the state is unchanged. */
OtrError otr_ake_receive(OtrAke *ake,
                         const OtrHost *h,
                         const OtrPrivKey *key,
                         const OtrHeader *hdr,
                         const uint8_t *body,
                         size_t len,
                         GBytes **reply,
                         OtrAkeResult **done);

#endif
