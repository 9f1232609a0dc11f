/* Offrec tests — sessions talking to each other in memory: AKE, policies,
 * message states, instances, fragments, errors.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <string.h>

#include "otr.h"
#include "test-session-pair.inc"
#include "testutil.h"

/* ---- tests -------------------------------------------------------------- */

static void
test_query_alice(Pair *p, gconstpointer data)
{
    const Rec *r;

    go_private(p);
    assert_private_pair(ALICE(p), 0, BOB(p), 1, 3);
    g_assert_cmpuint(count(ALICE(p), OTR_EV_STATE), ==, 1);
    g_assert_cmpuint(count(BOB(p), OTR_EV_STATE), ==, 1);
    g_assert_cmpuint(count(BOB(p), OTR_EV_FINGERPRINT), ==, 1);
    g_assert_cmpuint(otr_session_selected(ALICE(p)->s), ==, 0x2001);
    g_assert_cmpuint(otr_session_selected(BOB(p)->s), ==, 0x1111);

    g_assert_cmpint(do_send(ALICE(p), "hello bob"), ==, OTR_OK);
    g_assert_false(sent_contains(ALICE(p), "hello bob"));
    pair_pump(p);
    r = last_of(BOB(p), OTR_EV_DISPLAY);
    g_assert_nonnull(r);
    g_assert_cmpstr(r->text, ==, "hello bob");
    g_assert_true(r->priv);
    g_assert_cmpint(do_send(BOB(p), "hi alice"), ==, OTR_OK);
    pair_pump(p);
    r = last_of(ALICE(p), OTR_EV_DISPLAY);
    g_assert_cmpstr(r->text, ==, "hi alice");
    g_assert_true(r->priv);
    g_assert_cmpuint(count(ALICE(p), OTR_EV_ERROR), ==, 0);
    g_assert_cmpuint(count(BOB(p), OTR_EV_ERROR), ==, 0);
}

static void
test_query_bob(Pair *p, gconstpointer data)
{
    do_op(BOB(p), otr_session_start);
    pair_pump(p);
    assert_private_pair(ALICE(p), 0, BOB(p), 1, 3);
}

static const PairCfg cfg_v2 = {
    OTR_POLICY_MANUAL, OTR_POLICY_MANUAL, OTR_V2 | OTR_V3, OTR_V2, 1, 0
};

static void
test_v2_only(Pair *p, gconstpointer data)
{
    const Rec *r;

    go_private(p);
    assert_private_pair(ALICE(p), 0, BOB(p), 1, 2);
    g_assert_cmpuint(otr_session_selected(ALICE(p)->s), ==, OTR_INSTAG_V2);
    do_send(BOB(p), "v2 text");
    pair_pump(p);
    r = last_of(ALICE(p), OTR_EV_DISPLAY);
    g_assert_cmpstr(r->text, ==, "v2 text");
    g_assert_true(r->priv);
}

static const PairCfg cfg_disjoint = {
    OTR_POLICY_MANUAL, OTR_POLICY_MANUAL, OTR_V3, OTR_V2, 1, 0
};

static void
test_no_common_version(Pair *p, gconstpointer data)
{
    go_private(p);
    g_assert_cmpint(otr_session_msgstate(ALICE(p)->s), ==, OTR_MSG_PLAINTEXT);
    g_assert_cmpint(otr_session_msgstate(BOB(p)->s), ==, OTR_MSG_PLAINTEXT);
    g_assert_cmpuint(count(BOB(p), OTR_EV_STATE), ==, 0);
    /* The query was not shown to Bob as text. */
    g_assert_cmpuint(count(BOB(p), OTR_EV_DISPLAY), ==, 0);
}

static const PairCfg cfg_opp = { OTR_POLICY_OPPORTUNISTIC,
                                 OTR_POLICY_OPPORTUNISTIC,
                                 OTR_V2 | OTR_V3,
                                 OTR_V2 | OTR_V3,
                                 1,
                                 0 };

static void
test_whitespace_start(Pair *p, gconstpointer data)
{
    const Rec *r;

    do_send(ALICE(p), "hello there");
    g_assert_cmpuint(ALICE(p)->queue->len, ==, 1);
    g_assert_cmpuint(strlen(ALICE(p)->queue->pdata[0]), >,
                     strlen("hello there"));
    pair_pump(p);
    r = nth_of(BOB(p), OTR_EV_DISPLAY, 0);
    g_assert_cmpstr(r->text, ==, "hello there"); /* tag stripped */
    g_assert_false(r->priv);
    assert_private_pair(ALICE(p), 0, BOB(p), 1, 3);
    /* Private now: no more tags, no plaintext. */
    do_send(ALICE(p), "second");
    g_assert_false(sent_contains(ALICE(p), "second"));
}

static void
test_tag_rejected(Pair *p, gconstpointer data)
{
    /* Alice opportunistic, Bob has OTR off: after his untagged answer,
     * Alice stops tagging. */
    otr_session_set_policy(BOB(p)->s, OTR_POLICY_NEVER);
    do_send(ALICE(p), "one");
    g_assert_cmpstr(ALICE(p)->queue->pdata[0], !=, "one");
    pair_pump(p);
    do_recv(ALICE(p), "plain answer");
    do_send(ALICE(p), "two");
    g_assert_cmpstr(ALICE(p)->queue->pdata[0], ==, "two");
    g_assert_cmpint(otr_session_msgstate(ALICE(p)->s), ==, OTR_MSG_PLAINTEXT);
}

static const PairCfg cfg_always = {
    OTR_POLICY_ALWAYS, OTR_POLICY_MANUAL, OTR_V2 | OTR_V3, OTR_V2 | OTR_V3, 1, 0
};

static void
test_always_holds(Pair *p, gconstpointer data)
{
    g_assert_cmpint(do_send(ALICE(p), "secret one"), ==, OTR_OK);
    g_assert_cmpint(do_send(ALICE(p), "secret two"), ==, OTR_OK);
    g_assert_false(sent_contains(ALICE(p), "secret"));
    g_assert_cmpuint(ALICE(p)->queue->len, ==, 1); /* one query */
    g_assert_true(g_str_has_prefix(ALICE(p)->queue->pdata[0], "?OTRv23?"));
    pair_pump(p);
    assert_private_pair(ALICE(p), 0, BOB(p), 1, 3);
    g_assert_false(sent_contains(ALICE(p), "secret"));
    g_assert_cmpuint(count(BOB(p), OTR_EV_DISPLAY), ==, 2);
    g_assert_cmpstr(nth_of(BOB(p), OTR_EV_DISPLAY, 0)->text, ==, "secret one");
    g_assert_cmpstr(nth_of(BOB(p), OTR_EV_DISPLAY, 1)->text, ==, "secret two");
    g_assert_true(nth_of(BOB(p), OTR_EV_DISPLAY, 1)->priv);
}

static void
test_always_expires(Pair *p, gconstpointer data)
{
    do_send(ALICE(p), "never sent");
    drop_queue(ALICE(p));
    ALICE(p)->th.now += 61;
    do_tick(ALICE(p));
    g_assert_cmpuint(count(ALICE(p), OTR_EV_ERROR), ==, 1);
    go_private(p);
    g_assert_cmpuint(count(BOB(p), OTR_EV_DISPLAY), ==, 0);
    g_assert_false(sent_contains(ALICE(p), "never sent"));
}

static void
test_always_warns_plaintext(Pair *p, gconstpointer data)
{
    do_recv(ALICE(p), "unprotected");
    g_assert_cmpuint(count(ALICE(p), OTR_EV_NOTICE), ==, 1);
    g_assert_cmpstr(last_of(ALICE(p), OTR_EV_DISPLAY)->text, ==, "unprotected");
}

static void
test_many_messages(Pair *p, gconstpointer data)
{
    go_private(p);
    for (int i = 0; i < 150; i++) {
        char *t = g_strdup_printf("message %d", i);
        Side *from = (i % 7 < 4) ? ALICE(p) : BOB(p);

        g_assert_cmpint(do_send(from, t), ==, OTR_OK);
        if (i % 3 == 0)
            pair_pump(p);
        g_free(t);
    }
    pair_pump(p);
    g_assert_cmpuint(count(ALICE(p), OTR_EV_DISPLAY) +
                         count(BOB(p), OTR_EV_DISPLAY),
                     ==, 150);
    g_assert_cmpuint(count(ALICE(p), OTR_EV_ERROR), ==, 0);
    g_assert_cmpuint(count(BOB(p), OTR_EV_ERROR), ==, 0);
    for (guint i = 0; i < count(BOB(p), OTR_EV_DISPLAY); i++)
        g_assert_true(nth_of(BOB(p), OTR_EV_DISPLAY, i)->priv);
    g_assert_false(sent_contains(ALICE(p), "message"));
    g_assert_false(sent_contains(BOB(p), "message"));
}

static void
test_finished(Pair *p, gconstpointer data)
{
    guint before;

    go_private(p);
    do_op(ALICE(p), otr_session_end);
    g_assert_cmpint(otr_session_msgstate(ALICE(p)->s), ==, OTR_MSG_PLAINTEXT);
    pair_pump(p);
    g_assert_cmpint(otr_session_msgstate(BOB(p)->s), ==, OTR_MSG_FINISHED);
    g_assert_cmpint(last_of(BOB(p), OTR_EV_STATE)->state, ==, OTR_MSG_FINISHED);

    before = BOB(p)->sent->len;
    g_assert_cmpint(do_send(BOB(p), "oops private"), ==, OTR_ERR_FINISHED);
    g_assert_cmpuint(BOB(p)->sent->len, ==, before);
    g_assert_cmpint(last_of(BOB(p), OTR_EV_ERROR)->error, ==, OTR_ERR_FINISHED);
    g_assert_false(sent_contains(BOB(p), "oops"));

    do_op(BOB(p), otr_session_end);
    g_assert_cmpint(otr_session_msgstate(BOB(p)->s), ==, OTR_MSG_PLAINTEXT);
    g_assert_cmpuint(BOB(p)->sent->len, ==, before);
    g_assert_cmpint(do_send(BOB(p), "now plain"), ==, OTR_OK);
    g_assert_true(sent_contains(BOB(p), "now plain"));
}

static void
test_refresh(Pair *p, gconstpointer data)
{
    OtrStatus before, after, bob;

    go_private(p);
    status(ALICE(p), &before);
    forget(ALICE(p));
    forget(BOB(p));
    go_private(p);
    status(ALICE(p), &after);
    status(BOB(p), &bob);
    assert_private_pair(ALICE(p), 0, BOB(p), 1, 3);
    g_assert_true(memcmp(before.ssid, after.ssid, OTR_SSID_LEN) != 0);
    g_assert_cmpuint(count(ALICE(p), OTR_EV_STATE), ==, 1);
    g_assert_cmpuint(count(BOB(p), OTR_EV_STATE), ==, 1);
    g_assert_cmpint(last_of(BOB(p), OTR_EV_STATE)->state, ==,
                    OTR_MSG_ENCRYPTED);
    do_send(BOB(p), "after refresh");
    pair_pump(p);
    g_assert_cmpstr(last_of(ALICE(p), OTR_EV_DISPLAY)->text, ==,
                    "after refresh");
}

static const PairCfg cfg_frag = { OTR_POLICY_MANUAL,
                                  OTR_POLICY_MANUAL,
                                  OTR_V2 | OTR_V3,
                                  OTR_V2 | OTR_V3,
                                  1,
                                  120 };
static const PairCfg cfg_frag2 = {
    OTR_POLICY_MANUAL, OTR_POLICY_MANUAL, OTR_V2 | OTR_V3, OTR_V2, 1, 90
};

static void
test_fragments(Pair *p, gconstpointer data)
{
    const PairCfg *c = data;
    char *big = g_strnfill(700, 'z');

    go_private(p);
    assert_private_pair(ALICE(p), 0, BOB(p), 1, c->bver & OTR_V3 ? 3 : 2);
    do_send(ALICE(p), big);
    g_assert_cmpuint(ALICE(p)->queue->len, >, 5);
    pair_pump(p);
    g_assert_cmpstr(last_of(BOB(p), OTR_EV_DISPLAY)->text, ==, big);
    for (int i = 0; i < p->n; i++)
        for (guint j = 0; j < p->side[i].sent->len; j++)
            g_assert_cmpuint(strlen(p->side[i].sent->pdata[j]), <=, c->max);
    g_free(big);
}

/* Spec: an unfragmented message makes the receiver forget stored
 * fragments, so the rest of an interrupted message is not shown. */
static void
test_fragments_interrupted(Pair *p, gconstpointer data)
{
    char *big = g_strnfill(700, 'y');
    GPtrArray *wires;
    guint half;

    go_private(p);
    do_send(ALICE(p), big);
    wires = g_ptr_array_new_with_free_func(g_free);
    while (ALICE(p)->queue->len > 0)
        g_ptr_array_add(wires, g_ptr_array_steal_index(ALICE(p)->queue, 0));
    g_assert_cmpuint(wires->len, >, 3);
    half = wires->len / 2;
    for (guint i = 0; i < half; i++)
        do_recv(BOB(p), wires->pdata[i]);
    do_recv(BOB(p), "an ordinary message in between");
    for (guint i = half; i < wires->len; i++)
        do_recv(BOB(p), wires->pdata[i]);
    g_assert_cmpstr(last_of(BOB(p), OTR_EV_DISPLAY)->text, ==,
                    "an ordinary message in between");
    /* The whole message still arrives when sent again undisturbed. */
    for (guint i = 0; i < wires->len; i++)
        do_recv(BOB(p), wires->pdata[i]);
    g_assert_cmpstr(last_of(BOB(p), OTR_EV_DISPLAY)->text, ==, big);
    g_ptr_array_unref(wires);
    g_free(big);
}

static const PairCfg cfg_two_bobs = {
    OTR_POLICY_MANUAL, OTR_POLICY_MANUAL, OTR_V2 | OTR_V3, OTR_V2 | OTR_V3, 2, 0
};

static void
test_instances(Pair *p, gconstpointer data)
{
    Side *bob1 = &p->side[1], *bob2 = &p->side[2];
    GArray *tags;
    OtrStatus s1, s2;

    go_private(p);
    tags = otr_session_instances(ALICE(p)->s);
    g_assert_cmpuint(tags->len, ==, 2);
    g_assert_cmpuint(g_array_index(tags, guint32, 0), ==, 0x2001);
    g_assert_cmpuint(g_array_index(tags, guint32, 1), ==, 0x2002);
    g_array_unref(tags);
    otr_session_status(ALICE(p)->s, 0x2001, &s1);
    otr_session_status(ALICE(p)->s, 0x2002, &s2);
    g_assert_cmpint(s1.state, ==, OTR_MSG_ENCRYPTED);
    g_assert_cmpint(s2.state, ==, OTR_MSG_ENCRYPTED);
    g_assert_true(memcmp(s1.ssid, s2.ssid, OTR_SSID_LEN) != 0);
    otr_session_select(ALICE(p)->s, OTR_SELECT_INSTANCE, 0x2001);
    assert_private_pair(ALICE(p), 0, bob1, 1, 3);

    otr_session_select(ALICE(p)->s, OTR_SELECT_INSTANCE, 0x2002);
    g_assert_cmpuint(otr_session_selected(ALICE(p)->s), ==, 0x2002);
    do_send(ALICE(p), "only for two");
    pair_pump(p);
    g_assert_cmpstr(last_of(bob2, OTR_EV_DISPLAY)->text, ==, "only for two");
    g_assert_null(last_of(bob1, OTR_EV_DISPLAY));
    g_assert_cmpuint(count(bob1, OTR_EV_ERROR), ==, 0);

    otr_session_select(ALICE(p)->s, OTR_SELECT_INSTANCE, 0x2001);
    do_send(ALICE(p), "only for one");
    pair_pump(p);
    g_assert_cmpstr(last_of(bob1, OTR_EV_DISPLAY)->text, ==, "only for one");
    g_assert_cmpuint(count(bob2, OTR_EV_DISPLAY), ==, 1);

    /* Ending with one instance leaves the other private. */
    do_op(ALICE(p), otr_session_end);
    pair_pump(p);
    g_assert_cmpint(otr_session_msgstate(bob1->s), ==, OTR_MSG_FINISHED);
    g_assert_cmpint(otr_session_msgstate(bob2->s), ==, OTR_MSG_ENCRYPTED);
    otr_session_select(ALICE(p)->s, OTR_SELECT_MOST_SECURE, 0);
    g_assert_cmpuint(otr_session_selected(ALICE(p)->s), ==, 0x2002);
}

static void
test_crossing_start(Pair *p, gconstpointer data)
{
    do_op(ALICE(p), otr_session_start);
    do_op(BOB(p), otr_session_start);
    pair_pump(p);
    assert_private_pair(ALICE(p), 0, BOB(p), 1, 3);
    g_assert_cmpuint(count(ALICE(p), OTR_EV_ERROR), ==, 0);
    do_send(ALICE(p), "crossed");
    pair_pump(p);
    g_assert_cmpstr(last_of(BOB(p), OTR_EV_DISPLAY)->text, ==, "crossed");
}

static void
test_ignore_unreadable(Pair *p, gconstpointer data)
{
    guint sent;

    go_private(p);
    /* Bob leaves privately without Alice hearing of it. */
    do_op(BOB(p), otr_session_end);
    drop_queue(BOB(p));
    forget(BOB(p));
    sent = BOB(p)->sent->len;

    /* A message flagged IGNORE_UNREADABLE (Alice's disconnect) is
     * dropped silently. */
    do_op(ALICE(p), otr_session_end);
    pair_pump(p);
    g_assert_cmpuint(count(BOB(p), OTR_EV_ERROR), ==, 0);
    g_assert_cmpuint(BOB(p)->sent->len, ==, sent);
}

static void
test_not_private_error(Pair *p, gconstpointer data)
{
    const char *w;

    go_private(p);
    do_op(BOB(p), otr_session_end);
    drop_queue(BOB(p));
    forget(BOB(p));
    forget(ALICE(p));
    do_send(ALICE(p), "lost words");
    pair_pump(p);
    g_assert_cmpuint(count(BOB(p), OTR_EV_ERROR), ==, 1);
    g_assert_cmpuint(count(BOB(p), OTR_EV_DISPLAY), ==, 0);
    w = g_ptr_array_index(BOB(p)->sent, BOB(p)->sent->len - 1);
    g_assert_true(g_str_has_prefix(w, "?OTR Error:"));
    /* Alice is told, and (manual) stays private. */
    g_assert_cmpuint(count(ALICE(p), OTR_EV_ERROR), ==, 1);
    g_assert_cmpint(otr_session_msgstate(ALICE(p)->s), ==, OTR_MSG_ENCRYPTED);
}

static void
test_tampered(Pair *p, gconstpointer data)
{
    char *w;
    size_t n;

    go_private(p);
    do_send(ALICE(p), "genuine");
    w = g_ptr_array_steal_index(ALICE(p)->queue, 0);
    n = strlen(w);
    /* Flip a base64 digit inside the encrypted body. */
    w[n / 2] = w[n / 2] == 'A' ? 'B' : 'A';
    do_recv(BOB(p), w);
    g_assert_cmpuint(count(BOB(p), OTR_EV_ERROR), ==, 1);
    g_assert_cmpuint(count(BOB(p), OTR_EV_DISPLAY), ==, 0);
    g_assert_true(g_str_has_prefix(BOB(p)->queue->pdata[0], "?OTR Error:"));
    drop_queue(BOB(p));
    /* Truncated, too. */
    w[n / 2] = '\0';
    do_recv(BOB(p), w);
    g_assert_cmpuint(count(BOB(p), OTR_EV_ERROR), ==, 2);
    g_free(w);
    drop_queue(BOB(p));
    g_assert_cmpint(otr_session_msgstate(BOB(p)->s), ==, OTR_MSG_ENCRYPTED);
    do_send(ALICE(p), "still works");
    pair_pump(p);
    g_assert_cmpstr(last_of(BOB(p), OTR_EV_DISPLAY)->text, ==, "still works");
}

static void
test_replay(Pair *p, gconstpointer data)
{
    char *w;

    go_private(p);
    do_send(ALICE(p), "once");
    w = g_strdup(ALICE(p)->queue->pdata[0]);
    pair_pump(p);
    do_recv(BOB(p), w);
    g_free(w);
    g_assert_cmpuint(count(BOB(p), OTR_EV_DISPLAY), ==, 1);
    g_assert_cmpuint(count(BOB(p), OTR_EV_ERROR), ==, 1);
}

static void
test_plaintext_while_private(Pair *p, gconstpointer data)
{
    const Rec *r;

    go_private(p);
    do_recv(BOB(p), "sneaky plain");
    r = last_of(BOB(p), OTR_EV_DISPLAY);
    g_assert_cmpstr(r->text, ==, "sneaky plain");
    g_assert_false(r->priv);
    g_assert_cmpuint(count(BOB(p), OTR_EV_NOTICE), ==, 1);
    g_assert_cmpint(otr_session_msgstate(BOB(p)->s), ==, OTR_MSG_ENCRYPTED);
}

static void
test_error_message(Pair *p, gconstpointer data)
{
    /* Manual: shown, nothing sent. */
    do_recv(BOB(p), "?OTR Error: something broke");
    g_assert_cmpuint(count(BOB(p), OTR_EV_ERROR), ==, 1);
    g_assert_nonnull(
        strstr(last_of(BOB(p), OTR_EV_ERROR)->text, "something broke"));
    g_assert_cmpuint(BOB(p)->sent->len, ==, 0);
    /* Opportunistic: shown, and a query goes out, which starts OTR. */
    otr_session_set_policy(BOB(p)->s, OTR_POLICY_OPPORTUNISTIC);
    do_recv(BOB(p), "?OTR Error: again");
    g_assert_cmpuint(count(BOB(p), OTR_EV_ERROR), ==, 2);
    g_assert_cmpuint(BOB(p)->sent->len, ==, 1);
    g_assert_true(g_str_has_prefix(BOB(p)->sent->pdata[0], "?OTRv23?"));
    pair_pump(p);
    assert_private_pair(ALICE(p), 0, BOB(p), 1, 3);
}

static void
test_need_key(Pair *p, gconstpointer data)
{
    otr_session_set_privkey(BOB(p)->s, NULL);
    go_private(p);
    g_assert_cmpuint(count(BOB(p), OTR_EV_NEED_KEY), ==, 1);
    g_assert_cmpint(otr_session_msgstate(BOB(p)->s), ==, OTR_MSG_PLAINTEXT);
    otr_session_set_privkey(BOB(p)->s, test_key(1));
    do_op(BOB(p), otr_session_key_ready);
    pair_pump(p);
    assert_private_pair(ALICE(p), 0, BOB(p), 1, 3);
}

static void
test_heartbeat(Pair *p, gconstpointer data)
{
    guint sent;

    go_private(p);
    do_send(ALICE(p), "ping");
    pair_pump(p);
    /* Bob answered nothing: no heartbeat yet (he sent the AKE just now). */
    sent = BOB(p)->sent->len;
    BOB(p)->th.now += 61;
    do_tick(BOB(p));
    g_assert_cmpuint(BOB(p)->sent->len, ==, sent + 1);
    pair_pump(p);
    g_assert_cmpuint(count(ALICE(p), OTR_EV_DISPLAY), ==, 0);
    g_assert_cmpuint(count(ALICE(p), OTR_EV_ERROR), ==, 0);
    /* Only one heartbeat per quiet spell. */
    do_tick(BOB(p));
    g_assert_cmpuint(BOB(p)->sent->len, ==, sent + 1);
    /* A message after a quiet minute draws a heartbeat on receipt. */
    BOB(p)->th.now += 61;
    do_send(ALICE(p), "pong?");
    pair_pump(p);
    g_assert_cmpuint(BOB(p)->sent->len, ==, sent + 2);
    g_assert_cmpuint(count(ALICE(p), OTR_EV_ERROR), ==, 0);
}

static void
test_extra_key(Pair *p, gconstpointer data)
{
    OtrOutbox out;
    const uint8_t ctx[] = { 0xde, 0xad };
    const Rec *a, *b;

    go_private(p);
    otr_outbox_init(&out);
    g_assert_cmpint(otr_session_extra_key(ALICE(p)->s, 7, ctx, 2, &out), ==,
                    OTR_OK);
    collect(ALICE(p), &out);
    pair_pump(p);
    a = last_of(ALICE(p), OTR_EV_EXTRA_KEY);
    b = last_of(BOB(p), OTR_EV_EXTRA_KEY);
    g_assert_nonnull(a);
    g_assert_nonnull(b);
    g_assert_cmpmem(a->key, OTR_EXTRA_KEY_LEN, b->key, OTR_EXTRA_KEY_LEN);
    g_assert_cmpuint(b->use, ==, 7);
    g_assert_cmpuint(count(BOB(p), OTR_EV_DISPLAY), ==, 0);
}

static void
smp_run(Pair *p, const char *sa, const char *sb, OtrSmpStatus want)
{
    OtrOutbox out;

    otr_outbox_init(&out);
    g_assert_cmpint(otr_session_smp_start(ALICE(p)->s, "q?",
                                          (const uint8_t *)sa, strlen(sa),
                                          &out),
                    ==, OTR_OK);
    collect(ALICE(p), &out);
    pair_pump(p);
    g_assert_cmpint(last_of(BOB(p), OTR_EV_SMP)->smp, ==, OTR_SMP_ASKED);
    g_assert_cmpstr(last_of(BOB(p), OTR_EV_SMP)->text, ==, "q?");
    otr_outbox_init(&out);
    g_assert_cmpint(otr_session_smp_respond(BOB(p)->s, (const uint8_t *)sb,
                                            strlen(sb), &out),
                    ==, OTR_OK);
    collect(BOB(p), &out);
    pair_pump(p);
    g_assert_cmpint(last_of(ALICE(p), OTR_EV_SMP)->smp, ==, want);
    g_assert_cmpint(last_of(BOB(p), OTR_EV_SMP)->smp, ==, want);
}

static void
test_smp(Pair *p, gconstpointer data)
{
    go_private(p);
    smp_run(p, "blue", "blue", OTR_SMP_SUCCESS);
    smp_run(p, "blue", "green", OTR_SMP_FAILURE);
    g_assert_cmpint(otr_session_msgstate(ALICE(p)->s), ==, OTR_MSG_ENCRYPTED);
}

static void
test_smp_needs_session(Pair *p, gconstpointer data)
{
    OtrOutbox out;

    otr_outbox_init(&out);
    g_assert_cmpint(otr_session_smp_start(ALICE(p)->s, NULL,
                                          (const uint8_t *)"x", 1, &out),
                    ==, OTR_ERR_NO_SESSION);
    collect(ALICE(p), &out);
    g_assert_cmpuint(ALICE(p)->sent->len, ==, 0);
    g_assert_cmpuint(count(ALICE(p), OTR_EV_ERROR), ==, 1);
}

static void
test_never(Pair *p, gconstpointer data)
{
    otr_session_set_policy(BOB(p)->s, OTR_POLICY_NEVER);
    go_private(p);
    g_assert_cmpint(otr_session_msgstate(BOB(p)->s), ==, OTR_MSG_PLAINTEXT);
    g_assert_cmpuint(BOB(p)->sent->len, ==, 0);
    /* The query shows up as plain text. */
    g_assert_true(
        g_str_has_prefix(last_of(BOB(p), OTR_EV_DISPLAY)->text, "?OTR"));
    g_assert_cmpint(do_op(BOB(p), otr_session_start), ==, OTR_ERR_POLICY);
    do_send(BOB(p), "plain as ever");
    g_assert_cmpstr(BOB(p)->sent->pdata[0], ==, "plain as ever");
}

static void
test_foreign_instance(Pair *p, gconstpointer data)
{
    Side eve;

    go_private(p);
    /* A session of someone with another tag gets Alice's messages for
     * Bob and must ignore them without complaint. */
    side_init(&eve, 99, "bob@x", "alice@x", 0x7777, OTR_POLICY_MANUAL,
              OTR_V2 | OTR_V3, 2);
    do_send(ALICE(p), "for bob only");
    for (guint i = 0; i < ALICE(p)->queue->len; i++)
        do_recv(&eve, ALICE(p)->queue->pdata[i]);
    g_assert_cmpuint(eve.recs->len, ==, 0);
    g_assert_cmpuint(eve.sent->len, ==, 0);
    side_clear(&eve);
}

#define ADD(path, fn, cfg)                                                     \
    g_test_add(path, Pair, cfg, pair_setup, fn, pair_teardown)

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    otr_init();
    ADD("/core/session/query-alice", test_query_alice, NULL);
    ADD("/core/session/query-bob", test_query_bob, NULL);
    ADD("/core/session/v2-only", test_v2_only, &cfg_v2);
    ADD("/core/session/no-common-version", test_no_common_version,
        &cfg_disjoint);
    ADD("/core/session/whitespace-start", test_whitespace_start, &cfg_opp);
    ADD("/core/session/tag-rejected", test_tag_rejected, &cfg_opp);
    ADD("/core/session/always-holds", test_always_holds, &cfg_always);
    ADD("/core/session/always-expires", test_always_expires, &cfg_always);
    ADD("/core/session/always-warns", test_always_warns_plaintext, &cfg_always);
    ADD("/core/session/many-messages", test_many_messages, NULL);
    ADD("/core/session/finished", test_finished, NULL);
    ADD("/core/session/refresh", test_refresh, NULL);
    ADD("/core/session/fragments-v3", test_fragments, &cfg_frag);
    ADD("/core/session/fragments-v2", test_fragments, &cfg_frag2);
    ADD("/core/session/fragments-interrupted", test_fragments_interrupted,
        &cfg_frag);
    ADD("/core/session/instances", test_instances, &cfg_two_bobs);
    ADD("/core/session/crossing-start", test_crossing_start, NULL);
    ADD("/core/session/ignore-unreadable", test_ignore_unreadable, NULL);
    ADD("/core/session/not-private-error", test_not_private_error, NULL);
    ADD("/core/session/tampered", test_tampered, NULL);
    ADD("/core/session/replay", test_replay, NULL);
    ADD("/core/session/plaintext-while-private", test_plaintext_while_private,
        NULL);
    ADD("/core/session/error-message", test_error_message, NULL);
    ADD("/core/session/need-key", test_need_key, NULL);
    ADD("/core/session/heartbeat", test_heartbeat, NULL);
    ADD("/core/session/extra-key", test_extra_key, NULL);
    ADD("/core/session/smp", test_smp, NULL);
    ADD("/core/session/smp-needs-session", test_smp_needs_session, NULL);
    ADD("/core/session/never", test_never, NULL);
    ADD("/core/session/foreign-instance", test_foreign_instance, NULL);
    return g_test_run();
}
