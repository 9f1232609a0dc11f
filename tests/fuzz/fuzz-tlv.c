/* Offrec fuzz target — TLV parsing; what parses must write back the same.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz-common.h"
#include "tlv-private.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    GArray *tlvs = g_array_new(FALSE, FALSE, sizeof(OtrTlv));
    size_t text_len = 0;
    OtrWriter w;

    if (otr_tlv_parse(data, size, &text_len, tlvs) != OTR_OK) {
        CHECK(tlvs->len == 0);
        g_array_unref(tlvs);
        return 0;
    }
    CHECK(text_len <= size);
    CHECK(memchr(data, 0, text_len) == NULL);

    /* Text, NUL, then the records written again: the input itself. */
    otr_writer_init(&w);
    otr_write_bytes(&w, data, text_len);
    if (text_len < size)
        otr_write_byte(&w, 0);
    for (guint i = 0; i < tlvs->len; i++) {
        const OtrTlv *t = &g_array_index(tlvs, OtrTlv, i);

        CHECK(t->data >= data && t->data + t->len <= data + size);
        otr_tlv_write(&w, t->type, t->data, t->len);
    }
    CHECK(w.buf->len == size);
    CHECK(size == 0 || memcmp(w.buf->data, data, size) == 0);
    otr_writer_clear(&w);
    g_array_unref(tlvs);
    return 0;
}
