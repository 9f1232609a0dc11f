/* Offrec fuzz target — arbitrary bytes as received messages into a session,
 * in plaintext and, after an in-memory AKE with a second session, in the
 * encrypted state. Nothing may crash or leak, and garbage must not end or
 * break a private conversation.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Input: one selector byte, then the messages, separated by NUL bytes.
 *   bit 0: 1 = Bob is private with Alice first (else plaintext)
 *   bit 1-2: Bob's policy (manual, opportunistic, always, never)
 *   bit 3: 1 = each message is binary, wrapped as "?OTR:" base64 "."
 *   bit 4: 1 = Bob fragments what he sends at 120 bytes
 *   bit 5: 1 = Bob allows v3 only (else v2 and v3)
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz-common.h"
#include "otr.h"

#define MAX_MESSAGES 64

static guint64 rng_state;
static gint64 clock_now;

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
    return clock_now;
}

static void
fz_log(void *user, const char *line)
{
}

static const OtrHostOps fz_ops = { fz_random, fz_now, fz_log };
static OtrPrivKey *keys[2];

static void
setup(void)
{
    OtrError err = OTR_OK;

    if (keys[0])
        return;
    CHECK(otr_init());
    for (int i = 0; i < 2; i++) {
        rng_state = 0x9e3779b97f4a7c15ull + (guint64)i;
        keys[i] = otr_privkey_generate(&fz_ops, NULL, NULL, NULL, NULL, &err);
        CHECK(keys[i] != NULL);
    }
}

/* Wires in out go to the queue; returns the number of private displays. */
static int
drain(OtrOutbox *out, GPtrArray *queue)
{
    int private = 0;

    for (guint i = 0; i < otr_outbox_len(out); i++) {
        const OtrEvent *ev = otr_outbox_get(out, i);

        if (ev->type == OTR_EV_WIRE && queue)
            g_ptr_array_add(queue, g_strdup(ev->text));
        if (ev->type == OTR_EV_DISPLAY && ev->is_private)
        private++;
    }
    otr_outbox_clear(out);
    return private;
}

/* Carry messages between the two until both are quiet. */
static int
pump(OtrSession *a, OtrSession *b, GPtrArray *to_b, GPtrArray *to_a)
{
    int private_at_b = 0;
    OtrOutbox out;

    for (int round = 0; round < 50 && (to_a->len || to_b->len); round++) {
        while (to_b->len) {
            char *w = g_ptr_array_steal_index(to_b, 0);

            otr_outbox_init(&out);
            otr_session_receive(b, w, &out);
            private_at_b += drain(&out, to_a);
            g_free(w);
        }
        while (to_a->len) {
            char *w = g_ptr_array_steal_index(to_a, 0);

            otr_outbox_init(&out);
            otr_session_receive(a, w, &out);
            drain(&out, to_b);
            g_free(w);
        }
    }
    return private_at_b;
}

static char *
message_at(const uint8_t *p, size_t len, gboolean wrap)
{
    char *b64, *msg;

    if (!wrap)
        return g_strndup((const char *)p, len);
    b64 = g_base64_encode(p, len);
    msg = g_strconcat("?OTR:", b64, ".", NULL);
    g_free(b64);
    return msg;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const OtrPolicy policies[] = { OTR_POLICY_MANUAL,
                                          OTR_POLICY_OPPORTUNISTIC,
                                          OTR_POLICY_ALWAYS, OTR_POLICY_NEVER };
    OtrSessionConfig ca = { "alice@x",         "xmpp",          "bob@x", 0x1234,
                            OTR_POLICY_MANUAL, OTR_V2 | OTR_V3, 0 };
    OtrSessionConfig cb = {
        "bob@x",           "xmpp",          "alice@x", 0x5678,
        OTR_POLICY_MANUAL, OTR_V2 | OTR_V3, 0
    };
    GPtrArray *to_a, *to_b;
    OtrSession *alice, *bob;
    OtrOutbox out;
    gboolean private, wrap;
    size_t pos = 1;
    int n = 0;
    uint8_t sel;

    if (size < 1)
        return 0;
    setup();
    sel = data[0];
    private = sel & 1;
    wrap = (sel >> 3) & 1;
    rng_state = 0x0123456789abcdefull;
    clock_now = 1000;
    cb.policy = private ? OTR_POLICY_MANUAL : policies[(sel >> 1) & 3];
    cb.max_msg_size = (sel & 0x10) ? 120 : 0;
    cb.versions = (sel & 0x20) ? OTR_V3 : OTR_V2 | OTR_V3;
    alice = otr_session_new(&fz_ops, NULL, &ca);
    bob = otr_session_new(&fz_ops, NULL, &cb);
    otr_session_set_privkey(alice, keys[0]);
    otr_session_set_privkey(bob, keys[1]);
    to_a = g_ptr_array_new_with_free_func(g_free);
    to_b = g_ptr_array_new_with_free_func(g_free);

    if (private) {
        otr_outbox_init(&out);
        otr_session_start(alice, &out);
        drain(&out, to_b);
        pump(alice, bob, to_b, to_a);
        CHECK(otr_session_msgstate(bob) == OTR_MSG_ENCRYPTED);
        CHECK(otr_session_msgstate(alice) == OTR_MSG_ENCRYPTED);
    }

    while (pos < size && n++ < MAX_MESSAGES) {
        const uint8_t *end = memchr(data + pos, 0, size - pos);
        size_t len = end ? (size_t)(end - (data + pos)) : size - pos;
        char *msg = message_at(data + pos, len, wrap);

        otr_outbox_init(&out);
        otr_session_receive(bob, msg, &out);
        drain(&out, NULL); /* Bob's answers go nowhere */
        g_free(msg);
        clock_now += 7;
        otr_outbox_init(&out);
        otr_session_tick(bob, &out);
        drain(&out, NULL);
        pos += len + 1;
    }

    if (private) {
        /* Forged input cannot end the conversation or desynchronise the
         * keys: Alice's next message still arrives privately. */
        CHECK(otr_session_msgstate(bob) == OTR_MSG_ENCRYPTED);
        otr_outbox_init(&out);
        CHECK(otr_session_send(alice, "still private?", &out) == OTR_OK);
        drain(&out, to_b);
        CHECK(pump(alice, bob, to_b, to_a) == 1);
    } else {
        otr_outbox_init(&out);
        otr_session_send(bob, "hello", &out);
        drain(&out, NULL);
    }

    g_ptr_array_unref(to_a);
    g_ptr_array_unref(to_b);
    otr_session_free(alice);
    otr_session_free(bob);
    return 0;
}
