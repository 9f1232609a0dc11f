/* Offrec fuzz target — arbitrary bytes as an SMP TLV of each type, fed to
 * an OtrSmp in each state. Nothing may crash, and no forged message may
 * complete an exchange.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Input: one selector byte (state = b % 5, TLV type = 2 + (b / 5) % 6),
 * then the TLV value. States: 0 idle, 1 asked (Bob holds Alice's SMP1),
 * 2 EXPECT2 (Alice), 3 EXPECT3 (Bob), 4 EXPECT4 (Alice), snapshotted once
 * from a genuine exchange with a deterministic RNG.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz-common.h"
#include "smp-private.h"

static guint64 rng_state = 0x9e3779b97f4a7c15ull;

static void
fz_random(void *user, uint8_t *buf, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        rng_state ^= rng_state << 13;
        rng_state ^= rng_state >> 7;
        rng_state ^= rng_state << 17;
        buf[i] = (uint8_t)rng_state;
    }
}

static gint64
fz_now(void *user)
{
    return 0;
}

static void
fz_log(void *user, const char *line)
{
}

static const OtrHostOps fz_ops = { fz_random, fz_now, fz_log };
static const OtrHost host = { &fz_ops, NULL };

static OtrSmp *snap[5];
static GBytes *genuine[8]; /* by TLV type: the message of the exchange */

/* Moves the single TLV written to w into genuine[] and returns it. */
static OtrTlv
grab(OtrWriter *w)
{
    OtrTlv t;
    const uint8_t *d = w->buf->data;

    CHECK(w->buf->len >= 4);
    t.type = (guint16)((d[0] << 8) | d[1]);
    t.len = (guint16)((d[2] << 8) | d[3]);
    CHECK(w->buf->len == 4u + t.len && t.type < 8);
    genuine[t.type] = g_bytes_new(d + 4, t.len);
    t.data = g_bytes_get_data(genuine[t.type], NULL);
    otr_writer_clear(w);
    otr_writer_init(w);
    return t;
}

static void
setup(void)
{
    OtrSmpContext ca = { { 1 }, { 2 }, { 3 } }, cb = { { 2 }, { 1 }, { 3 } };
    OtrSmp *a = otr_smp_new(), *b = otr_smp_new();
    OtrWriter w;
    OtrOutbox out;
    OtrTlv t;

    otr_init();
    otr_writer_init(&w);
    otr_outbox_init(&out);
    snap[0] = otr_smp_new();
    CHECK(otr_smp_start(a, &host, &ca, NULL, (const uint8_t *)"s", 1, &w,
                        &out) == OTR_OK);
    snap[2] = otr_smp_copy(a);
    t = grab(&w);
    CHECK(otr_smp_receive(b, &host, &t, &w, &out) == OTR_OK);
    snap[1] = otr_smp_copy(b);
    CHECK(otr_smp_respond(b, &host, &cb, (const uint8_t *)"s", 1, &w, &out) ==
          OTR_OK);
    snap[3] = otr_smp_copy(b);
    t = grab(&w);
    CHECK(otr_smp_receive(a, &host, &t, &w, &out) == OTR_OK);
    snap[4] = otr_smp_copy(a);
    t = grab(&w);
    CHECK(otr_smp_receive(b, &host, &t, &w, &out) == OTR_OK);
    grab(&w);
    otr_smp_free(a);
    otr_smp_free(b);
    otr_writer_clear(&w);
    otr_outbox_clear(&out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static gboolean ready;
    OtrWriter w;
    OtrOutbox out;
    OtrSmp *smp;
    OtrTlv tlv;
    int state;

    if (!ready) {
        setup();
        ready = TRUE;
    }
    if (size < 1 || size - 1 > G_MAXUINT16)
        return 0;
    state = data[0] % 5;
    tlv.type = (guint16)(2 + (data[0] / 5) % 6);
    tlv.len = (guint16)(size - 1);
    tlv.data = data + 1;

    smp = otr_smp_copy(snap[state]);
    otr_writer_init(&w);
    otr_outbox_init(&out);
    CHECK(otr_smp_receive(smp, &host, &tlv, &w, &out) == OTR_OK);
    for (guint i = 0; i < otr_outbox_len(&out); i++) {
        const OtrEvent *ev = otr_outbox_get(&out, i);
        gsize glen = 0;
        const uint8_t *g;

        CHECK(ev->type == OTR_EV_SMP);
        switch (ev->smp_status) {
        case OTR_SMP_SUCCESS:
        case OTR_SMP_FAILURE:
            /* only the genuine message can finish the exchange */
            CHECK(genuine[tlv.type]);
            g = g_bytes_get_data(genuine[tlv.type], &glen);
            CHECK(glen == tlv.len && memcmp(g, tlv.data, glen) == 0);
            break;
        case OTR_SMP_ERROR:
            CHECK(otr_smp_state(smp) == OTR_SMP_EXPECT1);
            CHECK(w.buf && w.buf->len >= 4 && w.buf->data[1] == 6);
            break;
        case OTR_SMP_ABORTED:
            CHECK(tlv.type == OTR_TLV_SMP_ABORT);
            break;
        case OTR_SMP_ASKED:
        case OTR_SMP_PROGRESS:
            break;
        }
    }
    otr_smp_free(smp);
    otr_writer_clear(&w);
    otr_outbox_clear(&out);
    return 0;
}
