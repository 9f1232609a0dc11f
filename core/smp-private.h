/* Offrec — Socialist Millionaires' Protocol (spec: "The Socialist
 * Millionaires' Protocol"), TLVs 2-7.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef OTR_SMP_PRIVATE_H
#define OTR_SMP_PRIVATE_H

#include "crypto-private.h"
#include "tlv-private.h"

typedef enum {
    OTR_SMP_EXPECT1,
    OTR_SMP_EXPECT2,
    OTR_SMP_EXPECT3,
    OTR_SMP_EXPECT4,
} OtrSmpState;

typedef struct OtrSmp OtrSmp;

/* What the session tells SMP about the private session it runs in. */
typedef struct {
    uint8_t our_fpr[OTR_FPR_LEN];
    uint8_t their_fpr[OTR_FPR_LEN];
    uint8_t ssid[OTR_SSID_LEN];
} OtrSmpContext;

OtrSmp *otr_smp_new(void);
void otr_smp_free(OtrSmp *smp); /* wipes */
OtrSmpState otr_smp_state(const OtrSmp *smp);
/* A deep copy, secrets included (tests and fuzzing snapshot states). */
OtrSmp *otr_smp_copy(const OtrSmp *smp);
/* Remote instance tag put in the OTR_EV_SMP events (default 0). */
void otr_smp_set_instance(OtrSmp *smp, guint32 instance);
/* TRUE while the peer's SMP message 1 waits for otr_smp_respond(). */
gboolean otr_smp_asked(const OtrSmp *smp);
/* TRUE when the current (or last) exchange was started by the peer with a
 * question (TLV 7). A SUCCESS then proves only that WE know the answer, so
 * libotr does not mark the peer's fingerprint as trusted in that case. */
gboolean otr_smp_received_question(const OtrSmp *smp);
/* Drop any exchange silently (no TLV): e.g. when the session leaves
 * MSGSTATE_ENCRYPTED. */
void otr_smp_reset(OtrSmp *smp);

/* Each call may write TLVs to send into tlvs_out (to go in one data
 * message) and events (OTR_EV_SMP) into out. */
OtrError otr_smp_start(OtrSmp *smp,
                       const OtrHost *h,
                       const OtrSmpContext *ctx,
                       const char *question,
                       const uint8_t *secret,
                       size_t secret_len,
                       OtrWriter *tlvs_out,
                       OtrOutbox *out);
OtrError otr_smp_respond(OtrSmp *smp,
                         const OtrHost *h,
                         const OtrSmpContext *ctx,
                         const uint8_t *secret,
                         size_t secret_len,
                         OtrWriter *tlvs_out,
                         OtrOutbox *out);
OtrError otr_smp_abort(OtrSmp *smp, OtrWriter *tlvs_out, OtrOutbox *out);
/* A received SMP TLV (types 2..7).
 *
 * Peer misbehaviour (a TLV not expected in this state, malformed values,
 * an out-of-range element or exponent, a proof that does not verify) is
 * handled here and still returns OTR_OK: an abort TLV (6) is written to
 * tlvs_out, an OTR_SMP_ERROR event (with ev->error saying why) goes to out,
 * and the state is back to EXPECT1. So always send what tlvs_out holds.
 * Errors are returned only for caller mistakes (OTR_ERR_INVALID: a TLV
 * type outside 2..7, NULL arguments). otr_smp_respond() without a pending
 * request returns OTR_ERR_STATE and writes nothing. */
OtrError otr_smp_receive(OtrSmp *smp,
                         const OtrHost *h,
                         const OtrTlv *tlv,
                         OtrWriter *tlvs_out,
                         OtrOutbox *out);

#endif
