/* Offrec tests — the SMP test harness (see smp-harness.h).
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "smp-harness.h"

#include <string.h>

/* ---- Fixture: Alice and Bob exchanging TLVs directly -------------------- */

void
pair_setup(Pair *p, gconstpointer data)
{
    test_host_init(&p->th, 0x51f00u);
    p->host.ops = &test_host_ops;
    p->host.user = &p->th;
    p->a = otr_smp_new();
    p->b = otr_smp_new();
    for (int i = 0; i < OTR_FPR_LEN; i++) {
        p->ca.our_fpr[i] = p->cb.their_fpr[i] = (uint8_t)(0xA0 + i);
        p->cb.our_fpr[i] = p->ca.their_fpr[i] = (uint8_t)(0x10 + i);
    }
    for (int i = 0; i < OTR_SSID_LEN; i++)
        p->ca.ssid[i] = p->cb.ssid[i] = (uint8_t)(0x55 ^ i);
    otr_writer_init(&p->wa);
    otr_writer_init(&p->wb);
    otr_outbox_init(&p->oa);
    otr_outbox_init(&p->ob);
}

void
pair_teardown(Pair *p, gconstpointer data)
{
    otr_smp_free(p->a);
    otr_smp_free(p->b);
    otr_writer_clear(&p->wa);
    otr_writer_clear(&p->wb);
    otr_outbox_clear(&p->oa);
    otr_outbox_clear(&p->ob);
    test_host_clear(&p->th);
}

void
writer_reset(OtrWriter *w)
{
    otr_writer_clear(w);
    otr_writer_init(w);
}

/* Splits a run of TLVs (type, len, value) into an array of OtrTlv that
 * borrows from bytes. */
GArray *
split_tlvs(GBytes *bytes)
{
    GArray *arr = g_array_new(FALSE, TRUE, sizeof(OtrTlv));
    gsize len;
    const uint8_t *d = g_bytes_get_data(bytes, &len);
    gsize pos = 0;

    while (pos < len) {
        OtrTlv t;

        g_assert_cmpuint(len - pos, >=, 4);
        t.type = (guint16)((d[pos] << 8) | d[pos + 1]);
        t.len = (guint16)((d[pos + 2] << 8) | d[pos + 3]);
        pos += 4;
        g_assert_cmpuint(len - pos, >=, t.len);
        t.data = d + pos;
        pos += t.len;
        g_array_append_val(arr, t);
    }
    return arr;
}

GBytes *
take(OtrWriter *w)
{
    GBytes *b =
        g_bytes_new(w->buf ? w->buf->data : NULL, w->buf ? w->buf->len : 0);

    writer_reset(w);
    return b;
}

/* Delivers one side's pending TLVs to the other side. Returns how many. */
guint
deliver(Pair *p, gboolean from_alice)
{
    GBytes *bytes = take(from_alice ? &p->wa : &p->wb);
    GArray *tlvs = split_tlvs(bytes);
    OtrSmp *to = from_alice ? p->b : p->a;
    guint n = tlvs->len;

    for (guint i = 0; i < tlvs->len; i++) {
        OtrError err =
            otr_smp_receive(to, &p->host, &g_array_index(tlvs, OtrTlv, i),
                            from_alice ? &p->wb : &p->wa,
                            from_alice ? &p->ob : &p->oa);
        g_assert_cmpint(err, ==, OTR_OK);
    }
    g_array_unref(tlvs);
    g_bytes_unref(bytes);
    return n;
}

/* Types of the pending TLVs, e.g. "6,2". */
char *
pending(OtrWriter *w)
{
    GBytes *b =
        g_bytes_new(w->buf ? w->buf->data : NULL, w->buf ? w->buf->len : 0);
    GArray *tlvs = split_tlvs(b);
    GString *s = g_string_new(NULL);

    for (guint i = 0; i < tlvs->len; i++)
        g_string_append_printf(s, "%s%u", i ? "," : "",
                               g_array_index(tlvs, OtrTlv, i).type);
    g_array_unref(tlvs);
    g_bytes_unref(b);
    return g_string_free(s, FALSE);
}

/* The last SMP event in out, then empties out. */
OtrEvent
last_smp(OtrOutbox *out, char **text)
{
    OtrEvent ev = { 0 };
    gboolean found = FALSE;

    for (guint i = 0; i < otr_outbox_len(out); i++) {
        const OtrEvent *e = otr_outbox_get(out, i);

        if (e->type == OTR_EV_SMP) {
            ev = *e;
            found = TRUE;
            if (text) {
                g_free(*text);
                *text = g_strdup(e->text);
            }
        }
    }
    g_assert_true(found);
    ev.text = NULL;
    otr_outbox_clear(out);
    otr_outbox_init(out);
    return ev;
}

void
start(Pair *p, const char *question, const char *secret)
{
    g_assert_cmpint(otr_smp_start(p->a, &p->host, &p->ca, question,
                                  (const uint8_t *)secret, strlen(secret),
                                  &p->wa, &p->oa),
                    ==, OTR_OK);
}

void
respond(Pair *p, const char *secret)
{
    g_assert_cmpint(otr_smp_respond(p->b, &p->host, &p->cb,
                                    (const uint8_t *)secret, strlen(secret),
                                    &p->wb, &p->ob),
                    ==, OTR_OK);
}

/* Runs a whole exchange; returns Alice's and Bob's final status. */
void
run(Pair *p,
    const char *question,
    const char *sa,
    const char *sb,
    OtrSmpStatus *ra,
    OtrSmpStatus *rb)
{
    OtrEvent ev;
    char *text = NULL;

    start(p, question, sa);
    assert_pending(&p->wa, question ? "7" : "2");
    g_assert_cmpint(otr_smp_state(p->a), ==, OTR_SMP_EXPECT2);
    ev = last_smp(&p->oa, NULL);
    g_assert_cmpint(ev.smp_status, ==, OTR_SMP_PROGRESS);

    g_assert_cmpuint(deliver(p, TRUE), ==, 1);
    ev = last_smp(&p->ob, &text);
    g_assert_cmpint(ev.smp_status, ==, OTR_SMP_ASKED);
    g_assert_cmpint(ev.progress, ==, 25);
    g_assert_cmpstr(text, ==, question);
    g_assert_true(otr_smp_asked(p->b));
    g_assert_cmpint(otr_smp_received_question(p->b), ==, question != NULL);
    g_assert_cmpint(otr_smp_state(p->b), ==, OTR_SMP_EXPECT1);
    assert_pending(&p->wb, "");

    respond(p, sb);
    assert_pending(&p->wb, "3");
    g_assert_cmpint(otr_smp_state(p->b), ==, OTR_SMP_EXPECT3);
    ev = last_smp(&p->ob, NULL);
    g_assert_cmpint(ev.smp_status, ==, OTR_SMP_PROGRESS);

    deliver(p, FALSE);
    assert_pending(&p->wa, "4");
    g_assert_cmpint(otr_smp_state(p->a), ==, OTR_SMP_EXPECT4);
    ev = last_smp(&p->oa, NULL);
    g_assert_cmpint(ev.smp_status, ==, OTR_SMP_PROGRESS);

    deliver(p, TRUE);
    assert_pending(&p->wb, "5");
    g_assert_cmpint(otr_smp_state(p->b), ==, OTR_SMP_EXPECT1);
    ev = last_smp(&p->ob, NULL);
    g_assert_cmpint(ev.progress, ==, 100);
    *rb = ev.smp_status;

    deliver(p, FALSE);
    assert_pending(&p->wa, "");
    g_assert_cmpint(otr_smp_state(p->a), ==, OTR_SMP_EXPECT1);
    ev = last_smp(&p->oa, NULL);
    g_assert_cmpint(ev.progress, ==, 100);
    *ra = ev.smp_status;
    g_free(text);
}

/* Drives the exchange to just before step `step` (0: nothing sent yet,
 * 1: SMP1 delivered, 2: SMP2 delivered, 3: SMP3 delivered). */
void
advance(Pair *p, int step)
{
    if (step >= 0)
        start(p, NULL, "s");
    if (step >= 1) {
        deliver(p, TRUE);
        respond(p, "s");
    }
    if (step >= 2)
        deliver(p, FALSE);
    if (step >= 3)
        deliver(p, TRUE);
    otr_outbox_clear(&p->oa);
    otr_outbox_clear(&p->ob);
}

/* Payload of the single pending TLV of w (consumed). */
GByteArray *
take_payload(OtrWriter *w, guint16 *type)
{
    GBytes *b = take(w);
    GArray *tlvs = split_tlvs(b);
    OtrTlv *t;
    GByteArray *out = g_byte_array_new();

    g_assert_cmpuint(tlvs->len, ==, 1);
    t = &g_array_index(tlvs, OtrTlv, 0);
    *type = t->type;
    g_byte_array_append(out, t->data, t->len);
    g_array_unref(tlvs);
    g_bytes_unref(b);
    return out;
}
