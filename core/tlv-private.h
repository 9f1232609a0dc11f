/* Offrec — type/length/value records inside data messages.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef OTR_TLV_PRIVATE_H
#define OTR_TLV_PRIVATE_H

#include "wire-private.h"

enum {
    OTR_TLV_PADDING = 0,
    OTR_TLV_DISCONNECTED = 1,
    OTR_TLV_SMP1 = 2,
    OTR_TLV_SMP2 = 3,
    OTR_TLV_SMP3 = 4,
    OTR_TLV_SMP4 = 5,
    OTR_TLV_SMP_ABORT = 6,
    OTR_TLV_SMP1Q = 7,
    OTR_TLV_SYMKEY = 8,
};

typedef struct {
    guint16 type;
    guint16 len;
    const uint8_t *data; /* borrowed from the decrypted plaintext */
} OtrTlv;

/* Plaintext of a data message: the message up to the first NUL, then TLVs.
 * *text_len is the length of the message part. tlvs (GArray of OtrTlv)
 * receives every TLV; a truncated TLV is OTR_ERR_MALFORMED. */
OtrError otr_tlv_parse(const uint8_t *plain,
                       size_t len,
                       size_t *text_len,
                       GArray *tlvs);
void otr_tlv_write(OtrWriter *w, guint16 type, const uint8_t *data, size_t len);

#endif
