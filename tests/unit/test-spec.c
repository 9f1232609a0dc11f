/* Offrec tests — an audit of the session engine against the OTR v3 spec.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Every test drives two sessions through the public API (otr.h) only and
 * inspects the wire messages by decoding them as the spec lays them out.
 * Test names carry the spec section they check.
 */
#include <string.h>

#include "spec-harness.h"

/* ---- "Receiving plaintext ..." in each msgstate and policy ------------- */

/* Spec: whitespace-tagged plaintext while ENCRYPTED is shown stripped of
 * its tag, warned about, never marked private. (The spec's "in any event
 * ... start the AKE" is not followed while ENCRYPTED, as libotr does not;
 * locked in.) LOCK-IN. */
static void
test_tagged_while_encrypted(void)
{
    static const char tag[] = "\x20\x09\x20\x20\x09\x09\x09\x09"
                              "\x20\x09\x20\x09\x20\x09\x20\x20"
                              "\x20\x20\x09\x09\x20\x20\x09\x09";
    Duo d;
    char *msg;
    const Rec *r;

    duo_init(&d, OTR_POLICY_OPPORTUNISTIC, OTR_POLICY_OPPORTUNISTIC,
             OTR_V2 | OTR_V3);
    duo_private(&d);
    msg = g_strconcat("hi", tag, " there", NULL);
    recv_wire(&d.a, msg);
    g_free(msg);
    r = find_display(&d.a, "hi there");
    g_assert_nonnull(r);
    g_assert_false(r->priv);
    g_assert_cmpuint(count_type(&d.a, OTR_EV_NOTICE), >=, 1);
    g_assert_cmpuint(count_sent_prefix(&d.a, "?OTR:AAMC"), ==, 0);
    g_assert_cmpint(otr_session_msgstate(d.a.s), ==, OTR_MSG_ENCRYPTED);
    duo_clear(&d);
}

/* Spec: plaintext while FINISHED is shown with a warning. LOCK-IN. */
static void
test_plaintext_while_finished(void)
{
    Duo d;
    const Rec *r;

    duo_init(&d, OTR_POLICY_MANUAL, OTR_POLICY_MANUAL, OTR_V3);
    duo_private(&d);
    end_session(&d.b);
    pump(&d);
    g_assert_cmpint(otr_session_msgstate(d.a.s), ==, OTR_MSG_FINISHED);
    forget(&d.a);
    recv_wire(&d.a, "sneaky");
    r = find_display(&d.a, "sneaky");
    g_assert_nonnull(r);
    g_assert_false(r->priv);
    g_assert_cmpuint(count_type(&d.a, OTR_EV_NOTICE), >=, 1);
    /* Sending while FINISHED sends nothing. */
    forget(&d.a);
    g_assert_cmpint(send_text(&d.a, "secret"), ==, OTR_ERR_FINISHED);
    g_assert_cmpuint(d.a.sent->len, ==, 0);
    duo_clear(&d);
}

/* Spec: REQUIRE_ENCRYPTION warns on plaintext in PLAINTEXT and never sends
 * the user's text unencrypted. LOCK-IN. */
static void
test_require_encryption(void)
{
    Duo d;
    const Rec *r;

    duo_init(&d, OTR_POLICY_ALWAYS, OTR_POLICY_MANUAL, OTR_V3);
    recv_wire(&d.a, "hello");
    r = find_display(&d.a, "hello");
    g_assert_nonnull(r);
    g_assert_false(r->priv);
    g_assert_cmpuint(count_type(&d.a, OTR_EV_NOTICE), >=, 1);
    forget(&d.a);
    send_text(&d.a, "top secret");
    for (guint i = 0; i < d.a.sent->len; i++)
        g_assert_null(strstr(d.a.sent->pdata[i], "top secret"));
    g_assert_cmpuint(count_sent_prefix(&d.a, "?OTRv3?"), ==, 1);
    pump(&d);
    g_assert_nonnull(find_display(&d.b, "top secret"));
    g_assert_true(find_display(&d.b, "top secret")->priv);
    duo_clear(&d);
}

/* Spec "User types a message": SEND_WHITESPACE_TAG only if no plaintext
 * was received from the correspondent since entering PLAINTEXT. Bob
 * (no OTR) writes first; Alice's answer must not carry the tag. FAILS:
 * only a reply to our own tagged message counts as rejection. */
static void
test_no_tag_after_plaintext_received(void)
{
    Duo d;

    duo_init(&d, OTR_POLICY_OPPORTUNISTIC, OTR_POLICY_MANUAL, OTR_V3);
    recv_wire(&d.a, "hi, I have no OTR");
    send_text(&d.a, "ok");
    g_assert_cmpuint(d.a.sent->len, ==, 1);
    g_assert_cmpstr(d.a.sent->pdata[0], ==, "ok");
    duo_clear(&d);
}

/* Spec "Receiving a Query Message": in ENCRYPTED, a query starts a new AKE
 * (D-H Commit with receiver tag 0) while the msgstate stays ENCRYPTED, and
 * the new keys work. LOCK-IN. */
static void
test_query_while_encrypted(void)
{
    Duo d;
    Msg m;

    duo_init(&d, OTR_POLICY_MANUAL, OTR_POLICY_MANUAL, OTR_V2 | OTR_V3);
    duo_private(&d);
    start(&d.b);
    deliver(&d.b, &d.a);
    g_assert_cmpuint(d.a.sent->len, ==, 1);
    g_assert_true(msg_parse(d.a.sent->pdata[0], &m));
    g_assert_cmpuint(m.version, ==, 3);
    g_assert_cmpuint(m.type, ==, 0x02);
    g_assert_cmpuint(m.sender, ==, ALICE_TAG);
    g_assert_cmpuint(m.receiver, ==, 0);
    msg_clear(&m);
    g_assert_cmpint(otr_session_msgstate(d.a.s), ==, OTR_MSG_ENCRYPTED);
    pump(&d);
    send_text(&d.a, "after refresh");
    pump(&d);
    g_assert_nonnull(find_display(&d.b, "after refresh"));
    g_assert_true(find_display(&d.b, "after refresh")->priv);
    duo_clear(&d);
}

/* Spec "Receiving an Error Message": shown; a query follows only with
 * ERROR_START_AKE (OPPORTUNISTIC, ALWAYS), not with MANUAL. LOCK-IN. */
static void
test_error_start_ake(void)
{
    Duo d;

    duo_init(&d, OTR_POLICY_OPPORTUNISTIC, OTR_POLICY_MANUAL, OTR_V3);
    recv_wire(&d.a, "?OTR Error: boom");
    g_assert_cmpuint(count_type(&d.a, OTR_EV_ERROR), ==, 1);
    g_assert_cmpuint(count_sent_prefix(&d.a, "?OTRv3?"), ==, 1);
    recv_wire(&d.b, "?OTR Error: boom");
    g_assert_cmpuint(count_type(&d.b, OTR_EV_ERROR), ==, 1);
    g_assert_cmpuint(d.b.sent->len, ==, 0);
    duo_clear(&d);
}

/* ---- Instance tags ------------------------------------------------------ */

/* Spec "Instance Tags": only the first D-H Commit may name receiver 0;
 * every other v3 message names both tags. LOCK-IN. */
static void
test_instance_tags_on_wire(void)
{
    Duo d;
    Side *sides[2];

    duo_init(&d, OTR_POLICY_MANUAL, OTR_POLICY_MANUAL, OTR_V3);
    start(&d.a);
    pump(&d);
    send_text(&d.a, "x");
    send_text(&d.b, "y");
    pump(&d);
    sides[0] = &d.a;
    sides[1] = &d.b;
    for (int s = 0; s < 2; s++) {
        guint32 me = s == 0 ? ALICE_TAG : BOB_TAG;
        guint32 peer = s == 0 ? BOB_TAG : ALICE_TAG;
        guint encoded = 0;

        for (guint i = 0; i < sides[s]->sent->len; i++) {
            Msg m;

            if (!msg_parse(sides[s]->sent->pdata[i], &m))
                continue;
            encoded++;
            g_assert_cmpuint(m.version, ==, 3);
            g_assert_cmpuint(m.sender, ==, me);
            if (m.type == 0x02)
                g_assert_true(m.receiver == 0 || m.receiver == peer);
            else
                g_assert_cmpuint(m.receiver, ==, peer);
            msg_clear(&m);
        }
        g_assert_cmpuint(encoded, >=, 2);
    }
    duo_clear(&d);
}

/* Spec: a v3 message for another receiver tag, or from a sender tag below
 * 0x100, is discarded: nothing shown, nothing sent. LOCK-IN. */
static void
test_discard_other_instances(void)
{
    Duo d;
    Msg m;
    uint8_t *raw;
    gsize n;
    char *wire;

    duo_init(&d, OTR_POLICY_MANUAL, OTR_POLICY_MANUAL, OTR_V3);
    duo_private(&d);
    send_text(&d.a, "for bob only");
    g_assert_true(msg_parse(d.a.queue->pdata[0], &m));
    {
        const void *bytes = g_bytes_get_data(m.raw, &n);
        raw = g_memdup2(bytes, n);
    }
    raw[10] ^= 0x01; /* receiver tag: another of Bob's instances */
    wire = msg_encode(raw, n);
    recv_wire(&d.b, wire);
    g_free(wire);
    g_assert_null(find_display(&d.b, "for bob only"));
    g_assert_cmpuint(count_type(&d.b, OTR_EV_ERROR), ==, 0);
    g_assert_cmpuint(d.b.sent->len, ==, 0);
    raw[10] ^= 0x01;
    raw[3] = raw[4] = raw[5] = 0;
    raw[6] = 0xff; /* sender tag 0xff < 0x100 */
    wire = msg_encode(raw, n);
    recv_wire(&d.b, wire);
    g_free(wire);
    g_assert_null(find_display(&d.b, "for bob only"));
    g_assert_cmpuint(d.b.sent->len, ==, 0);
    g_free(raw);
    msg_clear(&m);
    /* The genuine message still reads. */
    deliver(&d.a, &d.b);
    g_assert_nonnull(find_display(&d.b, "for bob only"));
    duo_clear(&d);
}

/* Spec: a v3 fragment naming another receiver is discarded; outgoing v3
 * fragments are "?OTR|sender|receiver,k,n,piece," and v2 ones
 * "?OTR,k,n,piece,". LOCK-IN. */
static void
test_fragment_formats(void)
{
    Duo d;
    char *prefix, *wrong;
    guint n;

    duo_init(&d, OTR_POLICY_MANUAL, OTR_POLICY_MANUAL, OTR_V3);
    duo_private(&d);
    otr_session_set_max_msg_size(d.a.s, 120);
    send_text(&d.a, "a long message that needs to be cut into several pieces");
    n = d.a.queue->len;
    g_assert_cmpuint(n, >, 1);
    prefix = g_strdup_printf("?OTR|%08x|%08x,", ALICE_TAG, BOB_TAG);
    for (guint i = 0; i < n; i++) {
        const char *f = d.a.queue->pdata[i];

        g_assert_true(g_str_has_prefix(f, prefix));
        g_assert_true(g_str_has_suffix(f, ","));
        g_assert_cmpuint(strlen(f), <=, 120);
    }
    /* The same fragments addressed to another instance of Bob. */
    for (guint i = 0; i < n; i++) {
        const char *f = d.a.queue->pdata[i];

        wrong = g_strdup_printf("?OTR|%08x|%08x%s", ALICE_TAG, BOB_TAG + 1,
                                f + strlen(prefix) - 1);
        recv_wire(&d.b, wrong);
        g_free(wrong);
    }
    g_assert_cmpuint(count_type(&d.b, OTR_EV_DISPLAY), ==, 0);
    g_assert_cmpuint(d.b.sent->len, ==, 0);
    deliver(&d.a, &d.b);
    g_assert_nonnull(find_display(&d.b, "a long message that needs to be cut "
                                        "into several pieces"));
    g_free(prefix);
    duo_clear(&d);

    duo_init(&d, OTR_POLICY_MANUAL, OTR_POLICY_MANUAL, OTR_V2);
    duo_private(&d);
    otr_session_set_max_msg_size(d.a.s, 100);
    send_text(&d.a, "a long message that needs to be cut into several pieces");
    g_assert_cmpuint(d.a.queue->len, >, 1);
    for (guint i = 0; i < d.a.queue->len; i++)
        g_assert_true(g_str_has_prefix(d.a.queue->pdata[i], "?OTR,"));
    deliver(&d.a, &d.b);
    g_assert_nonnull(find_display(&d.b, "a long message that needs to be cut "
                                        "into several pieces"));
    duo_clear(&d);
}

/* ---- Data messages ------------------------------------------------------ */

/* Flags of the last data message side sent. */
static uint8_t
last_flags(const Side *sd)
{
    Msg m;
    uint8_t f;

    g_assert_cmpuint(sd->sent->len, >, 0);
    g_assert_true(msg_parse(sd->sent->pdata[sd->sent->len - 1], &m));
    g_assert_cmpuint(m.type, ==, 0x03);
    f = m.flags;
    msg_clear(&m);
    return f;
}

/* libotr sets IGNORE_UNREADABLE on heartbeats, SMP, the extra-key TLV and
 * the disconnect; ordinary messages go without it. LOCK-IN. */
static void
test_ignore_unreadable_flags(void)
{
    static const uint8_t secret[] = "s";
    Duo d;
    OtrOutbox out;

    duo_init(&d, OTR_POLICY_MANUAL, OTR_POLICY_MANUAL, OTR_V3);
    duo_private(&d);
    send_text(&d.a, "plain");
    g_assert_cmpuint(last_flags(&d.a), ==, 0);
    pump(&d);

    d.a.th.now += 3600;
    send_text(&d.b, "wake up");
    pump(&d); /* Alice, quiet for an hour, answers with a heartbeat */
    g_assert_cmpuint(last_flags(&d.a), ==, 1);
    pump(&d);

    otr_outbox_init(&out);
    otr_session_smp_start(d.a.s, NULL, secret, 1, &out);
    collect(&d.a, &out);
    g_assert_cmpuint(last_flags(&d.a), ==, 1);
    g_ptr_array_set_size(d.a.queue, 0);

    otr_outbox_init(&out);
    otr_session_extra_key(d.a.s, 7, NULL, 0, &out);
    collect(&d.a, &out);
    g_assert_cmpuint(last_flags(&d.a), ==, 1);

    end_session(&d.a);
    g_assert_cmpuint(last_flags(&d.a), ==, 1);
    duo_clear(&d);
}

/* Spec "Data Message": counters strictly increase per key pairing, key ids
 * never run ahead of what the peer announced, and every message with the
 * same sender key id announces the same next_dh. LOCK-IN. */
static void
test_keyids_and_counters(void)
{
    Duo d;
    Side *sides[2];

    duo_init(&d, OTR_POLICY_MANUAL, OTR_POLICY_MANUAL, OTR_V3);
    duo_private(&d);
    for (int round = 0; round < 6; round++) {
        for (int k = 0; k <= round % 3; k++) {
            char *t = g_strdup_printf("a%d.%d", round, k);

            send_text(&d.a, t);
            g_free(t);
        }
        pump(&d);
        send_text(&d.b, "b");
        pump(&d);
    }
    g_assert_cmpuint(count_type(&d.b, OTR_EV_DISPLAY), >=, 12);
    sides[0] = &d.a;
    sides[1] = &d.b;
    for (int s = 0; s < 2; s++) {
        GHashTable *last_ctr =
            g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, g_free);
        GHashTable *next =
            g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL,
                                  (GDestroyNotify)g_bytes_unref);
        guint32 max_skeyid = 0;

        for (guint i = 0; i < sides[s]->sent->len; i++) {
            Msg m;
            gint64 pair;
            uint8_t *prev;
            GBytes *nd;

            if (!msg_parse(sides[s]->sent->pdata[i], &m) || m.type != 0x03) {
                msg_clear(&m);
                continue;
            }
            g_assert_cmpuint(m.skeyid, >, 0);
            g_assert_cmpuint(m.rkeyid, >, 0);
            g_assert_cmpuint(m.skeyid, >=, max_skeyid);
            max_skeyid = m.skeyid;
            pair = ((gint64)m.skeyid << 32) | m.rkeyid;
            prev = g_hash_table_lookup(last_ctr, &pair);
            if (prev)
                g_assert_cmpint(memcmp(m.ctr, prev, 8), >, 0);
            g_hash_table_insert(last_ctr, g_memdup2(&pair, sizeof pair),
                                g_memdup2(m.ctr, 8));
            nd = g_hash_table_lookup(next, GUINT_TO_POINTER(m.skeyid));
            if (nd)
                g_assert_true(g_bytes_equal(nd, m.next_dh));
            else
                g_hash_table_insert(next, GUINT_TO_POINTER(m.skeyid),
                                    g_bytes_ref(m.next_dh));
            msg_clear(&m);
        }
        /* Keys did rotate over six round trips. */
        g_assert_cmpuint(max_skeyid, >=, 4);
        g_hash_table_unref(last_ctr);
        g_hash_table_unref(next);
    }
    duo_clear(&d);
}

/* Every revealed MAC key of side `revealer` in wires [from, to) verifies
 * one of the messages in `received`; returns the revealed keys (20 bytes
 * each), each checked to appear once only. */
static GByteArray *
check_revealed(const GPtrArray *sent, const GPtrArray *received)
{
    GByteArray *all = g_byte_array_new();

    for (guint i = 0; i < sent->len; i++) {
        Msg m;
        gsize n;
        const uint8_t *keys;

        if (!msg_parse(sent->pdata[i], &m) || m.type != 0x03) {
            msg_clear(&m);
            continue;
        }
        keys = g_bytes_get_data(m.old_macs, &n);
        g_assert_cmpuint(n % 20, ==, 0);
        for (gsize k = 0; k < n; k += 20) {
            gboolean ok = FALSE;

            for (gsize j = 0; j < all->len; j += 20)
                g_assert_false(memcmp(all->data + j, keys + k, 20) == 0);
            for (guint j = 0; j < received->len && !ok; j++) {
                Msg r;

                if (msg_parse(received->pdata[j], &r) && r.type == 0x03)
                    ok = mac_verifies(&r, keys + k);
                msg_clear(&r);
            }
            /* Only receiving keys that verified a message are revealed. */
            g_assert_true(ok);
            g_byte_array_append(all, keys + k, 20);
        }
        msg_clear(&m);
    }
    return all;
}

/* Number of data messages in wires whose MAC key is among keys. */
static guint
count_forgeable(const GPtrArray *wires, const GByteArray *keys, guint *total)
{
    guint n = 0;

    *total = 0;
    for (guint i = 0; i < wires->len; i++) {
        Msg m;

        if (!msg_parse(wires->pdata[i], &m) || m.type != 0x03) {
            msg_clear(&m);
            continue;
        }
        (*total)++;
        for (guint k = 0; k < keys->len; k += 20) {
            if (mac_verifies(&m, keys->data + k)) {
                n++;
                break;
            }
        }
        msg_clear(&m);
    }
    return n;
}

/* Spec "Revealing MAC keys": the receiving MAC keys that verified messages
 * are revealed once their D-H keys are forgotten, and only those. After
 * many round trips all but the messages of the last key generations are
 * forgeable. LOCK-IN. */
static void
test_revealed_mac_keys(void)
{
    Duo d;
    GByteArray *keys;
    guint total, forgeable;
    GPtrArray *bob_msgs;

    duo_init(&d, OTR_POLICY_MANUAL, OTR_POLICY_MANUAL, OTR_V3);
    duo_private(&d);
    for (int round = 0; round < 8; round++) {
        send_text(&d.b, "from bob");
        pump(&d);
        send_text(&d.a, "from alice");
        pump(&d);
    }
    keys = check_revealed(d.a.sent, d.b.sent);
    g_assert_cmpuint(keys->len, >, 0);
    /* Bob's first six rounds lie at least two generations back. */
    bob_msgs = g_ptr_array_new();
    for (guint i = 0; i < d.b.sent->len; i++) {
        Msg m;

        if (msg_parse(d.b.sent->pdata[i], &m) && m.type == 0x03 &&
            bob_msgs->len < 6)
            g_ptr_array_add(bob_msgs, d.b.sent->pdata[i]);
        msg_clear(&m);
    }
    forgeable = count_forgeable(bob_msgs, keys, &total);
    g_assert_cmpuint(total, ==, 6);
    g_assert_cmpuint(forgeable, ==, total);
    g_ptr_array_unref(bob_msgs);
    g_byte_array_unref(keys);
    duo_clear(&d);
}

/* Spec "Revealing MAC keys": "whenever you are about to forget ... one of
 * your old D-H key pairs ... reveal the receiving MAC keys". A refresh
 * (new AKE while ENCRYPTED) forgets every key of the old session, and the
 * keys already queued for revealing: none of them is ever revealed, so
 * the last messages of every session stay unforgeable. FAILS. */
static void
test_reveal_on_refresh(void)
{
    Duo d;
    GByteArray *keys;
    guint total, forgeable;

    duo_init(&d, OTR_POLICY_MANUAL, OTR_POLICY_MANUAL, OTR_V3);
    duo_private(&d);
    send_text(&d.b, "old 1");
    pump(&d);
    send_text(&d.a, "ack");
    pump(&d);
    send_text(&d.b, "old 2");
    pump(&d);
    /* Every message Bob sent in the old session. */
    g_ptr_array_set_size(d.a.sent, 0);
    start(&d.b); /* refresh */
    pump(&d);
    g_assert_cmpint(otr_session_msgstate(d.a.s), ==, OTR_MSG_ENCRYPTED);
    for (int i = 0; i < 4; i++) {
        send_text(&d.a, "new");
        pump(&d);
        send_text(&d.b, "new");
        pump(&d);
    }
    keys = check_revealed(d.a.sent, d.b.sent);
    {
        GPtrArray *old = g_ptr_array_new();

        for (guint i = 0; i < d.b.sent->len; i++) {
            Msg m;

            if (msg_parse(d.b.sent->pdata[i], &m) && m.type == 0x03 &&
                old->len < 2)
                g_ptr_array_add(old, d.b.sent->pdata[i]);
            msg_clear(&m);
        }
        forgeable = count_forgeable(old, keys, &total);
        g_assert_cmpuint(total, ==, 2);
        g_ptr_array_unref(old);
    }
    g_byte_array_unref(keys);
    duo_clear(&d);
    g_assert_cmpuint(forgeable, ==, total);
}

/* Spec "Extra symmetric key": TLV 8 carries a 4-byte use and use-specific
 * data; both ends report the same key, use and context. LOCK-IN. */
static void
test_extra_key(void)
{
    static const uint8_t ctx[] = "file.txt";
    Duo d;
    OtrOutbox out;
    const Rec *ra = NULL, *rb = NULL;

    duo_init(&d, OTR_POLICY_MANUAL, OTR_POLICY_MANUAL, OTR_V3);
    duo_private(&d);
    send_text(&d.b, "rotate first");
    pump(&d);
    otr_outbox_init(&out);
    g_assert_cmpint(otr_session_extra_key(d.a.s, 0x01020304, ctx,
                                          sizeof ctx - 1, &out),
                    ==, OTR_OK);
    collect(&d.a, &out);
    pump(&d);
    for (guint i = 0; i < d.a.recs->len; i++) {
        if (g_array_index(d.a.recs, Rec, i).type == OTR_EV_EXTRA_KEY)
            ra = &g_array_index(d.a.recs, Rec, i);
    }
    for (guint i = 0; i < d.b.recs->len; i++) {
        if (g_array_index(d.b.recs, Rec, i).type == OTR_EV_EXTRA_KEY)
            rb = &g_array_index(d.b.recs, Rec, i);
    }
    g_assert_nonnull(ra);
    g_assert_nonnull(rb);
    g_assert_cmpuint(ra->use, ==, 0x01020304);
    g_assert_cmpuint(rb->use, ==, 0x01020304);
    g_assert_cmpmem(ra->key, OTR_EXTRA_KEY_LEN, rb->key, OTR_EXTRA_KEY_LEN);
    duo_clear(&d);
}

/* Spec "Receiving a Data Message" in PLAINTEXT: tell the user and reply
 * with an Error Message (unless IGNORE_UNREADABLE). LOCK-IN. */
static void
test_data_in_plaintext(void)
{
    Duo d;

    duo_init(&d, OTR_POLICY_MANUAL, OTR_POLICY_MANUAL, OTR_V3);
    duo_private(&d);
    end_session(&d.b); /* Bob forgets; Alice goes FINISHED */
    g_ptr_array_set_size(d.b.queue, 0);
    send_text(&d.a, "lost");
    forget(&d.b);
    deliver(&d.a, &d.b);
    g_assert_null(find_display(&d.b, "lost"));
    g_assert_cmpuint(count_type(&d.b, OTR_EV_ERROR), ==, 1);
    g_assert_cmpuint(count_sent_prefix(&d.b, "?OTR Error:"), ==, 1);
    duo_clear(&d);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    /* Report every deviation, not just the first. */
    g_test_set_nonfatal_assertions();
    otr_init();
    g_test_add_func("/spec/plaintext/tagged-while-encrypted",
                    test_tagged_while_encrypted);
    g_test_add_func("/spec/plaintext/while-finished",
                    test_plaintext_while_finished);
    g_test_add_func("/spec/plaintext/require-encryption",
                    test_require_encryption);
    g_test_add_func("/spec/plaintext/no-tag-after-plaintext-received",
                    test_no_tag_after_plaintext_received);
    g_test_add_func("/spec/query/while-encrypted", test_query_while_encrypted);
    g_test_add_func("/spec/error/start-ake", test_error_start_ake);
    g_test_add_func("/spec/instance/tags-on-wire", test_instance_tags_on_wire);
    g_test_add_func("/spec/instance/discard-others",
                    test_discard_other_instances);
    g_test_add_func("/spec/fragment/formats", test_fragment_formats);
    g_test_add_func("/spec/data/ignore-unreadable-flags",
                    test_ignore_unreadable_flags);
    g_test_add_func("/spec/data/keyids-counters", test_keyids_and_counters);
    g_test_add_func("/spec/data/in-plaintext", test_data_in_plaintext);
    g_test_add_func("/spec/mac/revealed", test_revealed_mac_keys);
    g_test_add_func("/spec/mac/reveal-on-refresh", test_reveal_on_refresh);
    g_test_add_func("/spec/extra-key/tlv8", test_extra_key);
    return g_test_run();
}
