/* Offrec — parsing and writing the TLV records of a data message.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <string.h>

#include "tlv-private.h"

#define TLV_HEADER_LEN 4

OtrError
otr_tlv_parse(const uint8_t *plain, size_t len, size_t *text_len, GArray *tlvs)
{
    OtrError err = OTR_ERR_MALFORMED;
    const uint8_t *nul;
    guint first;
    size_t pos;

    g_return_val_if_fail(plain != NULL || len == 0, OTR_ERR_INVALID);
    g_return_val_if_fail(text_len != NULL, OTR_ERR_INVALID);
    g_return_val_if_fail(tlvs != NULL, OTR_ERR_INVALID);
    g_return_val_if_fail(g_array_get_element_size(tlvs) == sizeof(OtrTlv),
                         OTR_ERR_INVALID);

    nul = len > 0 ? memchr(plain, 0, len) : NULL;
    if (nul == NULL) {
        *text_len = len;
        return OTR_OK;
    }

    first = tlvs->len;
    pos = (size_t)(nul - plain) + 1;
    while (pos < len) {
        OtrTlv t;

        if (len - pos < TLV_HEADER_LEN)
            goto out;
        t.type = (guint16)((plain[pos] << 8) | plain[pos + 1]);
        t.len = (guint16)((plain[pos + 2] << 8) | plain[pos + 3]);
        pos += TLV_HEADER_LEN;
        if (len - pos < t.len)
            goto out;
        t.data = plain + pos;
        pos += t.len;
        g_array_append_val(tlvs, t);
    }
    *text_len = (size_t)(nul - plain);
    err = OTR_OK;

out:
    if (err != OTR_OK)
        g_array_set_size(tlvs, first); /* as the caller gave it */
    return err;
}

void
otr_tlv_write(OtrWriter *w, guint16 type, const uint8_t *data, size_t len)
{
    g_return_if_fail(w != NULL);
    g_return_if_fail(len <= G_MAXUINT16);
    g_return_if_fail(data != NULL || len == 0);

    otr_write_short(w, type);
    otr_write_short(w, (guint16)len);
    if (len > 0)
        otr_write_bytes(w, data, len);
}
