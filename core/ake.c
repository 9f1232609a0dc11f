/* Offrec — the authenticated key exchange (OTR v2/v3 AKE state machine).
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Roles follow the spec: "Bob" sends the D-H Commit and the Reveal
 * Signature, "Alice" answers with the D-H Key and the Signature. One
 * OtrAke can play either role; which one is decided by what arrives.
 */
#include <string.h>

#include "ake-auth-private.h"
#include "ake-private.h"

struct OtrAke {
    OtrAkeState state;
    int version;          /* 2 or 3 once an AKE is under way, else 0 */
    guint32 our_instag;   /* kept across resets */
    guint32 their_instag; /* 0 while unknown, and for v2 */
    OtrDhKeypair our_dh;
    uint8_t r[AKE_R_LEN];         /* Bob: key that hides our g^x */
    uint8_t hashgx[AKE_HASH_LEN]; /* Bob: ours; Alice: theirs */
    uint8_t encgx[AKE_ENCGX_MAX]; /* Alice: their encrypted g^x */
    size_t encgx_len;
    uint8_t their_pub[OTR_DH_PUB_MAX]; /* Bob: g^y once received */
    guint16 their_publen;
    OtrAkeKeys keys; /* Bob, in AWAITING_SIG */
    GBytes *last;    /* the last message we sent, for retransmission */
};

G_DEFINE_AUTOPTR_CLEANUP_FUNC(OtrAke, otr_ake_free)

static void
set_state(OtrAke *ake, OtrAkeState state)
{
    ake->state = state;
}

/* ---- Object lifetime ---------------------------------------------------- */

OtrAke *
otr_ake_new(guint32 our_instag)
{
    OtrAke *ake = g_new0(OtrAke, 1);

    ake->our_instag = our_instag;
    set_state(ake, OTR_AKE_NONE);
    return ake;
}

void
otr_ake_reset(OtrAke *ake)
{
    guint32 instag;

    g_return_if_fail(ake != NULL);
    instag = ake->our_instag;
    g_clear_pointer(&ake->last, g_bytes_unref);
    otr_wipe(ake, sizeof *ake);
    ake->our_instag = instag;
    set_state(ake, OTR_AKE_NONE);
}

void
otr_ake_free(OtrAke *ake)
{
    if (!ake)
        return;
    otr_ake_reset(ake);
    otr_wipe(ake, sizeof *ake);
    g_free(ake);
}

OtrAke *
otr_ake_copy(const OtrAke *ake)
{
    OtrAke *copy;

    g_return_val_if_fail(ake != NULL, NULL);
    copy = g_new(OtrAke, 1);
    memcpy(copy, ake, sizeof *copy);
    if (copy->last) /* immutable bytes: sharing them is a deep copy */
        g_bytes_ref(copy->last);
    return copy;
}

OtrAkeState
otr_ake_state(const OtrAke *ake)
{
    g_return_val_if_fail(ake != NULL, OTR_AKE_NONE);
    return ake->state;
}

int
otr_ake_version(const OtrAke *ake)
{
    g_return_val_if_fail(ake != NULL, 0);
    return ake->version;
}

void
otr_ake_result_free(OtrAkeResult *res)
{
    if (!res)
        return;
    otr_pubkey_free(res->their_pub);
    otr_dh_keypair_clear(&res->our_dh);
    otr_wipe(res, sizeof *res);
    g_free(res);
}

/* ---- Building blocks ----------------------------------------------------- */

static GBytes *
writer_finish(OtrWriter *w)
{
    GBytes *b = g_bytes_new(w->buf->data, w->buf->len);

    otr_writer_clear(w);
    return b;
}

static void
write_header(OtrWriter *w, const OtrAke *ake, int version, uint8_t type)
{
    OtrHeader hdr = { 0 };

    hdr.version = (guint16)version;
    hdr.type = type;
    if (version == 3) {
        hdr.sender_instag = ake->our_instag;
        hdr.receiver_instag = ake->their_instag;
    }
    otr_header_write(w, &hdr);
}

static GBytes *
build_dh_key(const OtrAke *ake)
{
    OtrWriter w;

    otr_writer_init(&w);
    write_header(&w, ake, ake->version, OTR_TYPE_DH_KEY);
    otr_write_mpi(&w, ake->our_dh.pub, ake->our_dh.publen);
    return writer_finish(&w);
}

/* A Reveal Signature (with r, X_B under c, m1, m2) or a Signature (X_A
 * under c', m1', m2'), for the exchange of our_dh with their_dh. *out is
 * set on success only. */
static OtrError
build_auth_msg(const OtrAke *ake,
               const OtrHost *h,
               const OtrPrivKey *key,
               uint8_t type,
               const uint8_t *their_dh,
               size_t their_dh_len,
               const OtrAkeKeys *k,
               GBytes **out)
{
    gboolean reveal = type == OTR_TYPE_REVEAL_SIG;
    OtrAkeKeySet ks = otr_ake_key_set(k, reveal);
    OtrWriter w;
    OtrError err;

    otr_writer_init(&w);
    write_header(&w, ake, ake->version, type);
    if (reveal)
        otr_write_data(&w, ake->r, AKE_R_LEN);
    err = otr_ake_auth_write(&w, h, key, &ake->our_dh, their_dh, their_dh_len,
                             &ks);
    if (err != OTR_OK) {
        otr_writer_clear(&w);
        return err;
    }
    *out = writer_finish(&w);
    return OTR_OK;
}

static OtrAkeResult *
make_result(const OtrAke *ake,
            const OtrAkeKeys *k,
            OtrAkePeer *peer,
            const uint8_t *their_dh,
            size_t their_dh_len,
            gboolean sent_reveal)
{
    OtrAkeResult *res = g_new0(OtrAkeResult, 1);

    res->version = ake->version;
    res->their_instag = ake->version == 3 ? ake->their_instag : 0;
    res->their_pub = peer->pub;
    peer->pub = NULL;
    memcpy(res->their_fpr, peer->fpr, OTR_FPR_LEN);
    memcpy(res->ssid, k->ssid, OTR_SSID_LEN);
    /* Spec: whoever sent the Reveal Signature emphasises the first
     * (high-order) 32 bits, the Signature's sender the second. */
    res->ssid_high_half = sent_reveal;
    res->our_dh = ake->our_dh;
    res->our_keyid = AKE_KEYID;
    memcpy(res->their_dh, their_dh, their_dh_len);
    res->their_dhlen = (guint16)their_dh_len;
    res->their_keyid = peer->keyid;
    return res;
}

/* ---- Starting ------------------------------------------------------------ */

OtrError
otr_ake_start(OtrAke *ake,
              const OtrHost *h,
              int version,
              guint32 their_instag,
              GBytes **msg)
{
    g_auto(OtrDhKeypair) dh = { 0 };
    uint8_t r[AKE_R_LEN], hashgx[AKE_HASH_LEN];
    OtrWriter gx, w;
    GBytes *out = NULL;
    OtrError err;

    g_return_val_if_fail(ake != NULL && h != NULL && msg != NULL,
                         OTR_ERR_INVALID);
    if (version != 2 && version != 3)
        return OTR_ERR_INVALID;

    err = otr_dh_keypair_gen(h, &dh);
    if (err != OTR_OK)
        return err;
    otr_host_random(h, r, sizeof r);

    otr_ake_gx_hide(r, &dh, &gx, hashgx);

    otr_ake_reset(ake);
    ake->version = version;
    ake->their_instag = version == 3 ? their_instag : 0;
    ake->our_dh = dh;
    memcpy(ake->r, r, sizeof r);
    memcpy(ake->hashgx, hashgx, sizeof hashgx);

    otr_writer_init(&w);
    write_header(&w, ake, version, OTR_TYPE_DH_COMMIT);
    otr_write_data(&w, gx.buf->data, gx.buf->len);
    otr_write_data(&w, hashgx, sizeof hashgx);
    out = writer_finish(&w);
    otr_writer_clear(&gx);
    otr_wipe(r, sizeof r);

    ake->last = g_bytes_ref(out);
    set_state(ake, OTR_AKE_AWAITING_DHKEY);
    *msg = out;
    return OTR_OK;
}

/* ---- Routing ------------------------------------------------------------- */

/* A message (other than a D-H Commit) belongs to the AKE under way. */
static gboolean
from_our_peer(const OtrAke *ake, const OtrHeader *hdr)
{
    if (hdr->version != ake->version)
        return FALSE;
    return ake->version != 3 || ake->their_instag == 0 ||
           hdr->sender_instag == ake->their_instag;
}

/* ---- D-H Commit ---------------------------------------------------------- */

/* Answer a D-H Commit with a D-H Key and await the Reveal Signature.
 * keep_dh: resend the g^y we already sent instead of a fresh one. */
static OtrError
answer_commit(OtrAke *ake,
              const OtrHost *h,
              const OtrHeader *hdr,
              const OtrAkeMsg *m,
              gboolean keep_dh,
              GBytes **reply)
{
    g_auto(OtrDhKeypair) dh = { 0 };
    OtrError err;

    if (keep_dh) {
        dh = ake->our_dh;
    } else {
        err = otr_dh_keypair_gen(h, &dh);
        if (err != OTR_OK)
            return err;
    }
    otr_ake_reset(ake); /* forgets our commit, or an unfinished exchange */
    ake->version = hdr->version;
    ake->their_instag = hdr->version == 3 ? hdr->sender_instag : 0;
    ake->our_dh = dh;
    memcpy(ake->encgx, m->encgx, m->encgx_len);
    ake->encgx_len = m->encgx_len;
    memcpy(ake->hashgx, m->hashgx, AKE_HASH_LEN);
    ake->last = build_dh_key(ake);
    set_state(ake, OTR_AKE_AWAITING_REVEALSIG);
    *reply = g_bytes_ref(ake->last);
    return OTR_OK;
}

static OtrError
on_dh_commit(OtrAke *ake,
             const OtrHost *h,
             const OtrHeader *hdr,
             const OtrAkeMsg *m,
             GBytes **reply)
{
    OtrError err = OTR_OK;

    switch (ake->state) {
    case OTR_AKE_NONE:
    case OTR_AKE_AWAITING_SIG:
        err = answer_commit(ake, h, hdr, m, FALSE, reply);
        break;
    case OTR_AKE_AWAITING_DHKEY:
        /* Both sides committed: the larger hash (public values, so a
         * plain comparison) keeps its commit. */
        if (memcmp(ake->hashgx, m->hashgx, AKE_HASH_LEN) > 0)
            *reply = g_bytes_ref(ake->last);
        else
            err = answer_commit(ake, h, hdr, m, FALSE, reply);
        break;
    case OTR_AKE_AWAITING_REVEALSIG:
        /* Same g^y again, but remember the new commit. */
        err = answer_commit(ake, h, hdr, m, TRUE, reply);
        break;
    }
    return err;
}

/* ---- D-H Key ------------------------------------------------------------- */

static OtrError
send_reveal(OtrAke *ake,
            const OtrHost *h,
            const OtrPrivKey *key,
            const OtrHeader *hdr,
            const OtrAkeMsg *m,
            GBytes **reply)
{
    g_autoptr(OtrAke) next = NULL;
    GBytes *msg = NULL;
    OtrError err;

    if (!otr_dh_pub_valid(m->gy, m->gy_len))
        return OTR_ERR_BAD_VALUE;
    if (!key)
        return OTR_ERR_NO_KEY;

    /* Work on a copy so that a failure leaves us untouched. */
    next = otr_ake_copy(ake);
    memcpy(next->their_pub, m->gy, m->gy_len);
    next->their_publen = (guint16)m->gy_len;
    if (next->version == 3)
        next->their_instag = hdr->sender_instag;
    err = otr_ake_keys_derive(&next->our_dh, m->gy, m->gy_len, &next->keys);
    if (err != OTR_OK)
        return err;
    err = build_auth_msg(next, h, key, OTR_TYPE_REVEAL_SIG, next->their_pub,
                         next->their_publen, &next->keys, &msg);
    if (err != OTR_OK)
        return err;
    g_clear_pointer(&next->last, g_bytes_unref);
    next->last = msg;
    set_state(next, OTR_AKE_AWAITING_SIG);

    otr_ake_reset(ake); /* commit: the finished copy replaces us */
    memcpy(ake, next, sizeof *ake);
    otr_wipe(next, sizeof *next); /* its reference to last moved to ake */
    *reply = g_bytes_ref(ake->last);
    return OTR_OK;
}

static OtrError
on_dh_key(OtrAke *ake,
          const OtrHost *h,
          const OtrPrivKey *key,
          const OtrHeader *hdr,
          const OtrAkeMsg *m,
          GBytes **reply)
{
    OtrError err = OTR_OK;

    switch (ake->state) {
    case OTR_AKE_NONE:
    case OTR_AKE_AWAITING_REVEALSIG:
        break; /* ignore */
    case OTR_AKE_AWAITING_DHKEY:
        if (!from_our_peer(ake, hdr))
            return OTR_ERR_STATE;
        err = send_reveal(ake, h, key, hdr, m, reply);
        break;
    case OTR_AKE_AWAITING_SIG:
        if (!from_our_peer(ake, hdr))
            return OTR_ERR_STATE;
        /* The same D-H Key again: our Reveal Signature was lost. */
        if (m->gy_len == ake->their_publen &&
            memcmp(m->gy, ake->their_pub, m->gy_len) == 0)
            *reply = g_bytes_ref(ake->last);
        break;
    }
    return err;
}

/* ---- Reveal Signature ---------------------------------------------------- */

static OtrError
on_reveal_sig(OtrAke *ake,
              const OtrHost *h,
              const OtrPrivKey *key,
              const OtrHeader *hdr,
              const OtrAkeMsg *m,
              GBytes **reply,
              OtrAkeResult **done)
{
    g_auto(OtrAkeKeys) k = { 0 };
    OtrAkeKeySet ks = otr_ake_key_set(&k, TRUE);
    OtrAkePeer peer = { 0 };
    uint8_t gx[OTR_DH_PUB_MAX];
    size_t gx_len = 0;
    OtrError err;

    switch (ake->state) {
    case OTR_AKE_NONE:
    case OTR_AKE_AWAITING_DHKEY:
    case OTR_AKE_AWAITING_SIG:
        return OTR_OK; /* ignore */
    case OTR_AKE_AWAITING_REVEALSIG:
        break;
    }
    if (!from_our_peer(ake, hdr))
        return OTR_ERR_STATE;
    if (!key)
        return OTR_ERR_NO_KEY;

    err = otr_ake_gx_reveal(m->r, ake->encgx, ake->encgx_len, ake->hashgx, gx,
                            &gx_len);
    if (err != OTR_OK)
        goto out;
    err = otr_ake_keys_derive(&ake->our_dh, gx, gx_len, &k);
    if (err != OTR_OK)
        goto out;
    err = otr_ake_auth_check(m, gx, gx_len, ake->our_dh.pub, ake->our_dh.publen,
                             &ks, &peer);
    if (err != OTR_OK)
        goto out;
    err =
        build_auth_msg(ake, h, key, OTR_TYPE_SIGNATURE, gx, gx_len, &k, reply);
    if (err != OTR_OK)
        goto out;
    *done = make_result(ake, &k, &peer, gx, gx_len, FALSE);
    otr_ake_reset(ake);
out:
    if (peer.pub)
        otr_pubkey_free(peer.pub);
    otr_wipe(gx, sizeof gx);
    return err;
}

/* ---- Signature ----------------------------------------------------------- */

static OtrError
on_signature(OtrAke *ake,
             const OtrHeader *hdr,
             const OtrAkeMsg *m,
             OtrAkeResult **done)
{
    OtrAkeKeySet ks = otr_ake_key_set(&ake->keys, FALSE);
    OtrAkePeer peer = { 0 };
    OtrError err;

    switch (ake->state) {
    case OTR_AKE_NONE:
    case OTR_AKE_AWAITING_DHKEY:
    case OTR_AKE_AWAITING_REVEALSIG:
        return OTR_OK; /* ignore */
    case OTR_AKE_AWAITING_SIG:
        break;
    }
    if (!from_our_peer(ake, hdr))
        return OTR_ERR_STATE;
    err = otr_ake_auth_check(m, ake->their_pub, ake->their_publen,
                             ake->our_dh.pub, ake->our_dh.publen, &ks, &peer);
    if (err != OTR_OK)
        return err;
    *done = make_result(ake, &ake->keys, &peer, ake->their_pub,
                        ake->their_publen, TRUE);
    otr_ake_reset(ake);
    return OTR_OK;
}

/* ---- Entry point --------------------------------------------------------- */

OtrError
otr_ake_receive(OtrAke *ake,
                const OtrHost *h,
                const OtrPrivKey *key,
                const OtrHeader *hdr,
                const uint8_t *body,
                size_t len,
                GBytes **reply,
                OtrAkeResult **done)
{
    OtrAkeMsg m;
    OtrError err;

    g_return_val_if_fail(ake != NULL && h != NULL && hdr != NULL,
                         OTR_ERR_INVALID);
    g_return_val_if_fail(body != NULL || len == 0, OTR_ERR_INVALID);
    g_return_val_if_fail(reply != NULL && done != NULL, OTR_ERR_INVALID);
    *reply = NULL;
    *done = NULL;

    if (hdr->version != 2 && hdr->version != 3)
        return OTR_ERR_MALFORMED;
    if (hdr->version == 3) {
        /* Spec "Instance Tags": discard what is not for us; only a
         * D-H Commit may leave the receiver unspecified. */
        if (hdr->sender_instag < OTR_INSTAG_MIN)
            return OTR_ERR_BAD_VALUE;
        if (hdr->receiver_instag != ake->our_instag &&
            !(hdr->type == OTR_TYPE_DH_COMMIT && hdr->receiver_instag == 0))
            return OTR_ERR_STATE;
    }
    err = otr_ake_parse_body(hdr->type, body, len, &m);
    if (err != OTR_OK)
        return err;

    /* The handlers set *reply and *done only on success. */
    switch (hdr->type) {
    case OTR_TYPE_DH_COMMIT:
        return on_dh_commit(ake, h, hdr, &m, reply);
    case OTR_TYPE_DH_KEY:
        return on_dh_key(ake, h, key, hdr, &m, reply);
    case OTR_TYPE_REVEAL_SIG:
        return on_reveal_sig(ake, h, key, hdr, &m, reply, done);
    case OTR_TYPE_SIGNATURE:
        return on_signature(ake, hdr, &m, done);
    default:
        return OTR_ERR_INVALID;
    }
}
