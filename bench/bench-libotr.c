/* Offrec bench — the scenarios driven through Debian's libotr 4.1.1, the
 * reference the figures are compared with. Benchmarks and tests only.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <stdio.h>
#include <string.h>

/* libotr's headers must come in this order. */
/* clang-format off */
#include <libotr/proto.h>
#include <libotr/message.h>
#include <libotr/privkey.h>
#include <libotr/instag.h>
#include <libotr/userstate.h>
/* clang-format on */

#include "bench.h"

#define PROTO "xmpp"

typedef struct Endpoint Endpoint;
struct Endpoint {
    OtrlUserState us;
    char account[32], buddy[32];
    GQueue inbox; /* char* wire messages for this endpoint */
    Endpoint *other;
    size_t max_msg;
    char *received;         /* last private text delivered */
    const char *smp_secret; /* answer to give when asked */
    int smp_result;         /* 0 none, 1 success, -1 failure */
    ConnContext *smp_asked;
};

struct BenchPair {
    Endpoint alice, bob;
};

static OtrlUserState alice_us;
static char *key_file, *instag_file;

static OtrlPolicy
op_policy(void *opdata, ConnContext *context)
{
    return OTRL_POLICY_MANUAL;
}

static int
op_is_logged_in(void *opdata,
                const char *accountname,
                const char *protocol,
                const char *recipient)
{
    return 1;
}

static void
op_inject(void *opdata,
          const char *accountname,
          const char *protocol,
          const char *recipient,
          const char *message)
{
    Endpoint *ep = opdata;

    g_queue_push_tail(&ep->other->inbox, g_strdup(message));
}

static void
op_gone(void *opdata, ConnContext *context)
{
}

static void
op_still(void *opdata, ConnContext *context, int is_reply)
{
}

static void
op_nothing(void *opdata)
{
}

static void
op_new_fpr(void *opdata,
           OtrlUserState us,
           const char *accountname,
           const char *protocol,
           const char *username,
           unsigned char fingerprint[20])
{
}

static int
op_max(void *opdata, ConnContext *context)
{
    Endpoint *ep = opdata;

    return (int)ep->max_msg;
}

static const char *
op_account_name(void *opdata, const char *account, const char *protocol)
{
    return g_strdup(account);
}

static void
op_free_str(void *opdata, const char *s)
{
    g_free((char *)s);
}

static const char *
op_error_message(void *opdata, ConnContext *context, OtrlErrorCode code)
{
    return g_strdup("error");
}

static const char *
op_resent_prefix(void *opdata, ConnContext *context)
{
    return g_strdup("[resent]");
}

static void
op_smp_event(void *opdata,
             OtrlSMPEvent event,
             ConnContext *context,
             unsigned short progress,
             char *question)
{
    Endpoint *ep = opdata;

    switch (event) {
    case OTRL_SMPEVENT_ASK_FOR_SECRET:
    case OTRL_SMPEVENT_ASK_FOR_ANSWER:
        ep->smp_asked = context;
        break;
    case OTRL_SMPEVENT_SUCCESS:
        ep->smp_result = 1;
        break;
    case OTRL_SMPEVENT_FAILURE:
    case OTRL_SMPEVENT_CHEATED:
    case OTRL_SMPEVENT_ABORT:
    case OTRL_SMPEVENT_ERROR:
        ep->smp_result = -1;
        break;
    case OTRL_SMPEVENT_IN_PROGRESS:
    case OTRL_SMPEVENT_NONE:
        break;
    }
}

static void
op_msg_event(void *opdata,
             OtrlMessageEvent event,
             ConnContext *context,
             const char *message,
             gcry_error_t err)
{
}

static void
op_create_instag(void *opdata, const char *accountname, const char *protocol)
{
    Endpoint *ep = opdata;

    otrl_instag_generate(ep->us, instag_file, accountname, protocol);
}

static void
op_create_privkey(void *opdata, const char *accountname, const char *protocol)
{
    g_error("libotr asked for a key for %s", accountname);
}

static const OtrlMessageAppOps ops = {
    .policy = op_policy,
    .create_privkey = op_create_privkey,
    .is_logged_in = op_is_logged_in,
    .inject_message = op_inject,
    .update_context_list = op_nothing,
    .new_fingerprint = op_new_fpr,
    .write_fingerprints = op_nothing,
    .gone_secure = op_gone,
    .gone_insecure = op_gone,
    .still_secure = op_still,
    .max_message_size = op_max,
    .account_name = op_account_name,
    .account_name_free = op_free_str,
    .otr_error_message = op_error_message,
    .otr_error_message_free = op_free_str,
    .resent_msg_prefix = op_resent_prefix,
    .resent_msg_prefix_free = op_free_str,
    .handle_smp_event = op_smp_event,
    .handle_msg_event = op_msg_event,
    .create_instag = op_create_instag,
};

static OtrlUserState
userstate_new(void)
{
    OtrlUserState us = otrl_userstate_create();

    if (otrl_privkey_read(us, key_file))
        g_error("libotr cannot read %s", key_file);
    otrl_instag_read(us, instag_file);
    return us;
}

static void
lo_setup(const char *keydir)
{
    OtrlUserState us;

    OTRL_INIT;
    key_file = g_build_filename(keydir, "libotr.keys", NULL);
    instag_file = g_build_filename(keydir, "libotr.instags", NULL);
    us = otrl_userstate_create();
    if (!g_file_test(key_file, G_FILE_TEST_EXISTS)) {
        otrl_privkey_generate(us, key_file, "alice", PROTO);
        otrl_privkey_read(us, key_file);
        otrl_privkey_generate(us, key_file, "bob", PROTO);
    }
    if (!g_file_test(instag_file, G_FILE_TEST_EXISTS)) {
        otrl_instag_generate(us, instag_file, "alice", PROTO);
        otrl_instag_generate(us, instag_file, "bob", PROTO);
    }
    otrl_userstate_free(us);
    alice_us = userstate_new();
}

static void
lo_teardown(void)
{
    otrl_userstate_free(alice_us);
    g_free(key_file);
    g_free(instag_file);
}

static void
endpoint_init(Endpoint *ep,
              OtrlUserState us,
              const char *account,
              const char *buddy,
              Endpoint *other,
              size_t max_msg)
{
    ep->us = us;
    g_strlcpy(ep->account, account, sizeof ep->account);
    g_strlcpy(ep->buddy, buddy, sizeof ep->buddy);
    g_queue_init(&ep->inbox);
    ep->other = other;
    ep->max_msg = max_msg;
}

static BenchPair *
lo_pair_new(size_t max_msg, int buddy)
{
    BenchPair *p = g_new0(BenchPair, 1);
    char name[32];

    g_snprintf(name, sizeof name, "alice%d", buddy);
    /* Alice is one account with many buddies; each buddy has a userstate of
     * its own with Bob's key, talking to "aliceN" as Alice's account. */
    endpoint_init(&p->alice, alice_us, "alice", name, &p->bob, max_msg);
    endpoint_init(&p->bob, userstate_new(), "bob", "alice", &p->alice, max_msg);
    g_snprintf(p->alice.buddy, sizeof p->alice.buddy, "bob%d", buddy);
    return p;
}

static void
forget_contexts(OtrlUserState us, const char *buddy)
{
    GPtrArray *doomed = g_ptr_array_new();

    for (ConnContext *c = us->context_root; c; c = c->next)
        if (strcmp(c->username, buddy) == 0)
            g_ptr_array_add(doomed, c);
    /* children first, then the master */
    for (guint i = 0; i < doomed->len; i++) {
        ConnContext *c = doomed->pdata[i];
        if (c->m_context != c) {
            otrl_context_force_plaintext(c);
            otrl_context_forget(c);
        }
    }
    for (guint i = 0; i < doomed->len; i++) {
        ConnContext *c = doomed->pdata[i];
        if (c->m_context == c) {
            otrl_context_force_plaintext(c);
            otrl_context_forget(c);
        }
    }
    g_ptr_array_free(doomed, TRUE);
}

static void
endpoint_clear(Endpoint *ep)
{
    g_queue_clear_full(&ep->inbox, g_free);
    g_free(ep->received);
    ep->received = NULL;
}

static void
lo_pair_drop_bob(BenchPair *p)
{
    if (!p->bob.us)
        return;
    endpoint_clear(&p->bob);
    otrl_userstate_free(p->bob.us);
    p->bob.us = NULL;
}

static void
lo_pair_free(BenchPair *p)
{
    lo_pair_drop_bob(p);
    forget_contexts(alice_us, p->alice.buddy);
    endpoint_clear(&p->alice);
    g_free(p);
}

static void
deliver(Endpoint *ep, const char *wire)
{
    char *newmsg = NULL;
    OtrlTLV *tlvs = NULL;
    int ignore;

    ignore =
        otrl_message_receiving(ep->us, &ops, ep, ep->account, PROTO, ep->buddy,
                               wire, &newmsg, &tlvs, NULL, NULL, NULL);
    if (!ignore && newmsg) {
        g_free(ep->received);
        ep->received = g_strdup(newmsg);
    }
    otrl_message_free(newmsg);
    otrl_tlv_free(tlvs);
}

static void
pump(BenchPair *p)
{
    gboolean busy = TRUE;

    while (busy) {
        busy = FALSE;
        Endpoint *eps[2] = { &p->alice, &p->bob };
        for (int i = 0; i < 2; i++) {
            char *wire;
            while ((wire = g_queue_pop_head(&eps[i]->inbox))) {
                deliver(eps[i], wire);
                g_free(wire);
                busy = TRUE;
            }
            if (eps[i]->smp_asked) {
                ConnContext *c = eps[i]->smp_asked;
                const char *secret = eps[i]->smp_secret;
                eps[i]->smp_asked = NULL;
                otrl_message_respond_smp(eps[i]->us, &ops, eps[i], c,
                                         (const unsigned char *)secret,
                                         strlen(secret));
                busy = TRUE;
            }
        }
    }
}

static ConnContext *
secure_context(Endpoint *ep)
{
    ConnContext *m = otrl_context_find(ep->us, ep->buddy, ep->account, PROTO,
                                       OTRL_INSTAG_MASTER, 0, NULL, NULL, NULL);

    return m ? otrl_context_find_recent_secure_instance(m) : NULL;
}

static gboolean
lo_ake(BenchPair *p)
{
    char *query = otrl_proto_default_query_msg("alice", OTRL_POLICY_MANUAL);
    ConnContext *a, *b;

    g_queue_push_tail(&p->bob.inbox, query);
    pump(p);
    a = secure_context(&p->alice);
    b = secure_context(&p->bob);
    return a && b && a->msgstate == OTRL_MSGSTATE_ENCRYPTED &&
           b->msgstate == OTRL_MSGSTATE_ENCRYPTED;
}

static gboolean
lo_send(BenchPair *p, gboolean from_alice, const char *text)
{
    Endpoint *from = from_alice ? &p->alice : &p->bob;
    Endpoint *to = from->other;
    char *newmsg = NULL;
    gcry_error_t err;

    err =
        otrl_message_sending(from->us, &ops, from, from->account, PROTO,
                             from->buddy, OTRL_INSTAG_BEST, text, NULL, &newmsg,
                             OTRL_FRAGMENT_SEND_ALL, NULL, NULL, NULL);
    otrl_message_free(newmsg);
    if (err)
        return FALSE;
    g_free(to->received);
    to->received = NULL;
    pump(p);
    return to->received && strcmp(to->received, text) == 0;
}

static gboolean
lo_smp(BenchPair *p, const char *secret_a, const char *secret_b)
{
    ConnContext *a = secure_context(&p->alice);

    p->alice.smp_result = p->bob.smp_result = 0;
    p->bob.smp_secret = secret_b; /* pump() answers Bob's request */
    otrl_message_initiate_smp(p->alice.us, &ops, &p->alice, a,
                              (const unsigned char *)secret_a,
                              strlen(secret_a));
    pump(p);
    if (strcmp(secret_a, secret_b) == 0)
        return p->alice.smp_result == 1 && p->bob.smp_result == 1;
    return p->alice.smp_result == -1 && p->bob.smp_result == -1;
}

const BenchImpl bench_libotr = {
    .name = "libotr",
    .setup = lo_setup,
    .teardown = lo_teardown,
    .pair_new = lo_pair_new,
    .pair_free = lo_pair_free,
    .pair_drop_bob = lo_pair_drop_bob,
    .ake = lo_ake,
    .send = lo_send,
    .smp = lo_smp,
};
