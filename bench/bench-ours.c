/* Offrec bench — the scenarios driven through our core (core/otr.h).
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <string.h>

#include "bench.h"
#include "otr.h"

typedef struct Endpoint Endpoint;
struct Endpoint {
    OtrSession *s;
    GQueue inbox; /* char* wire messages for this endpoint */
    Endpoint *other;
    char *received;
    const char *smp_secret;
    gboolean smp_asked;
    int smp_result;
};

struct BenchPair {
    Endpoint alice, bob;
};

static OtrPrivKey *keys[2]; /* Alice, Bob */
static guint32 instags[2];

static OtrPrivKey *
load_or_make(const char *keydir, const char *name)
{
    char *path = g_build_filename(keydir, name, NULL);
    char *text = NULL;
    gsize len = 0;
    OtrPrivKey *key = NULL;
    OtrError err = OTR_OK;

    if (g_file_get_contents(path, &text, &len, NULL))
        key = otr_privkey_from_sexp(text, len, &err);
    if (!key) {
        key = otr_privkey_generate(otr_host_ops_default(), NULL, NULL, NULL,
                                   NULL, &err);
        if (!key)
            g_error("key generation failed: %s", otr_error_str(err));
        g_free(text);
        text = otr_privkey_to_sexp(key);
        g_file_set_contents(path, text, -1, NULL);
    }
    g_free(text);
    g_free(path);
    return key;
}

static void
ours_setup(const char *keydir)
{
    otr_init();
    keys[0] = load_or_make(keydir, "ours-alice.key");
    keys[1] = load_or_make(keydir, "ours-bob.key");
    instags[0] = 0x1234567u;
    instags[1] = 0x7654321u;
}

static void
ours_teardown(void)
{
    otr_privkey_free(keys[0]);
    otr_privkey_free(keys[1]);
}

static void
endpoint_init(Endpoint *ep,
              int who,
              const char *account,
              const char *peer,
              Endpoint *other,
              size_t max_msg)
{
    OtrSessionConfig cfg = {
        .account = account,
        .protocol = "xmpp",
        .peer = peer,
        .our_instag = instags[who],
        .policy = OTR_POLICY_MANUAL,
        .versions = OTR_V2 | OTR_V3,
        .max_msg_size = max_msg,
    };

    ep->s = otr_session_new(otr_host_ops_default(), NULL, &cfg);
    otr_session_set_privkey(ep->s, keys[who]);
    g_queue_init(&ep->inbox);
    ep->other = other;
}

static BenchPair *
ours_pair_new(size_t max_msg, int buddy)
{
    BenchPair *p = g_new0(BenchPair, 1);
    char name[32];

    g_snprintf(name, sizeof name, "bob%d", buddy);
    endpoint_init(&p->alice, 0, "alice", name, &p->bob, max_msg);
    endpoint_init(&p->bob, 1, "bob", "alice", &p->alice, max_msg);
    return p;
}

static void
endpoint_clear(Endpoint *ep)
{
    if (!ep->s)
        return;
    otr_session_free(ep->s);
    ep->s = NULL;
    g_queue_clear_full(&ep->inbox, g_free);
    g_free(ep->received);
    ep->received = NULL;
}

static void
ours_pair_drop_bob(BenchPair *p)
{
    endpoint_clear(&p->bob);
}

static void
ours_pair_free(BenchPair *p)
{
    endpoint_clear(&p->bob);
    endpoint_clear(&p->alice);
    g_free(p);
}

static void
consume(Endpoint *ep, OtrOutbox *out)
{
    for (guint i = 0; i < otr_outbox_len(out); i++) {
        const OtrEvent *ev = otr_outbox_get(out, i);
        switch (ev->type) {
        case OTR_EV_WIRE:
            g_queue_push_tail(&ep->other->inbox, g_strdup(ev->text));
            break;
        case OTR_EV_DISPLAY:
            if (ev->is_private) {
                g_free(ep->received);
                ep->received = g_strdup(ev->text);
            }
            break;
        case OTR_EV_SMP:
            if (ev->smp_status == OTR_SMP_ASKED)
                ep->smp_asked = TRUE;
            else if (ev->smp_status == OTR_SMP_SUCCESS)
                ep->smp_result = 1;
            else if (ev->smp_status != OTR_SMP_PROGRESS)
                ep->smp_result = -1;
            break;
        case OTR_EV_STATE:
        case OTR_EV_ERROR:
        case OTR_EV_NOTICE:
        case OTR_EV_LOG:
        case OTR_EV_EXTRA_KEY:
        case OTR_EV_NEED_KEY:
        case OTR_EV_FINGERPRINT:
            break;
        }
    }
    otr_outbox_clear(out);
}

static void
pump(BenchPair *p)
{
    gboolean busy = TRUE;

    while (busy) {
        busy = FALSE;
        Endpoint *eps[2] = { &p->alice, &p->bob };
        for (int i = 0; i < 2; i++) {
            Endpoint *ep = eps[i];
            char *wire;
            while ((wire = g_queue_pop_head(&ep->inbox))) {
                OtrOutbox out = { 0 };
                otr_session_receive(ep->s, wire, &out);
                consume(ep, &out);
                g_free(wire);
                busy = TRUE;
            }
            if (ep->smp_asked) {
                OtrOutbox out = { 0 };
                ep->smp_asked = FALSE;
                otr_session_smp_respond(ep->s, (const uint8_t *)ep->smp_secret,
                                        strlen(ep->smp_secret), &out);
                consume(ep, &out);
                busy = TRUE;
            }
        }
    }
}

static gboolean
ours_ake(BenchPair *p)
{
    OtrOutbox out = { 0 };

    otr_session_start(p->alice.s, &out);
    consume(&p->alice, &out);
    pump(p);
    return otr_session_msgstate_of(p->alice.s) == OTR_MSG_ENCRYPTED &&
           otr_session_msgstate_of(p->bob.s) == OTR_MSG_ENCRYPTED;
}

static gboolean
ours_send(BenchPair *p, gboolean from_alice, const char *text)
{
    Endpoint *from = from_alice ? &p->alice : &p->bob;
    Endpoint *to = from->other;
    OtrOutbox out = { 0 };

    if (otr_session_send(from->s, text, &out) != OTR_OK) {
        otr_outbox_clear(&out);
        return FALSE;
    }
    consume(from, &out);
    g_free(to->received);
    to->received = NULL;
    pump(p);
    return to->received && strcmp(to->received, text) == 0;
}

static gboolean
ours_smp(BenchPair *p, const char *secret_a, const char *secret_b)
{
    OtrOutbox out = { 0 };

    p->alice.smp_result = p->bob.smp_result = 0;
    p->bob.smp_secret = secret_b;
    otr_session_smp_start(p->alice.s, NULL, (const uint8_t *)secret_a,
                          strlen(secret_a), &out);
    consume(&p->alice, &out);
    pump(p);
    if (strcmp(secret_a, secret_b) == 0)
        return p->alice.smp_result == 1 && p->bob.smp_result == 1;
    return p->alice.smp_result == -1 && p->bob.smp_result == -1;
}

const BenchImpl bench_ours = {
    .name = "ours",
    .setup = ours_setup,
    .teardown = ours_teardown,
    .pair_new = ours_pair_new,
    .pair_free = ours_pair_free,
    .pair_drop_bob = ours_pair_drop_bob,
    .ake = ours_ake,
    .send = ours_send,
    .smp = ours_smp,
};
