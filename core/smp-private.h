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
/* A received SMP TLV (types 2..7). */
OtrError otr_smp_receive(OtrSmp *smp,
                         const OtrHost *h,
                         const OtrTlv *tlv,
                         OtrWriter *tlvs_out,
                         OtrOutbox *out);

#endif
