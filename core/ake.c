/* Offrec — the authenticated key exchange (OTR v2/v3 AKE state machine).
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Roles follow the spec: "Bob" sends the D-H Commit and the Reveal
 * Signature, "Alice" answers with the D-H Key and the Signature. One
 * OtrAke can play either role; which one is decided by what arrives.
 */
#include <string.h>

#include "ake-private.h"

#define AKE_KEYID     1u /* keyid of the D-H key pair used in the AKE */
#define AKE_R_LEN     16
#define AKE_HASH_LEN  OTR_SHA256_LEN
#define AKE_ENCGX_MAX (4 + OTR_DH_PUB_MAX) /* an MPI of at most 1536 bits */
#define AKE_AUTH_MAX  4096 /* encrypted X_B / X_A: PUBKEY, keyid, SIG */

/* The values the spec derives from s = g^xy. */
typedef struct {
    uint8_t ssid[OTR_SSID_LEN];
    uint8_t c[16], cp[16];
    uint8_t m1[32], m2[32], m1p[32], m2p[32];
} AkeKeys;

static void
ake_keys_clear(AkeKeys *k)
{
    otr_wipe(k, sizeof *k);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(AkeKeys, ake_keys_clear)

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
    AkeKeys keys; /* Bob, in AWAITING_SIG */
    GBytes *last; /* the last message we sent, for retransmission */
};

/* The parsed body of any of the four AKE messages. auth points at the
 * whole DATA field (length included): that is what the MAC covers. */
typedef struct {
    const uint8_t *encgx, *hashgx; /* D-H Commit */
    size_t encgx_len;
    const uint8_t *gy; /* D-H Key */
    size_t gy_len;
    const uint8_t *r;          /* Reveal Signature */
    const uint8_t *auth, *mac; /* Reveal Signature, Signature */
    size_t auth_len;
} AkeMsg;

/* What a verified X_B / X_A told us about the peer. */
typedef struct {
    OtrPubKey *pub;
    uint8_t fpr[OTR_FPR_LEN];
    guint32 keyid;
} AkePeer;

static const uint8_t zero_ctr[16];

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

/* ---- Building blocks ------------------------------------------------------
 */

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

/* c, c', m1, m2, m1', m2' and the ssid from s = (their public)^(our x). */
static OtrError
derive_keys(const OtrDhKeypair *ours,
            const uint8_t *theirs,
            size_t theirs_len,
            AkeKeys *k)
{
    uint8_t s[OTR_DH_PUB_MAX];
    uint8_t secbytes[4 + OTR_DH_PUB_MAX];
    uint8_t h2[OTR_SHA256_LEN];
    size_t slen = 0, skip = 0, n;
    OtrError err;

    err = otr_dh_shared(ours, theirs, theirs_len, s, &slen);
    if (err != OTR_OK)
        goto out;
    while (skip < slen && s[skip] == 0) /* secbytes is a minimal MPI */
        skip++;
    n = slen - skip;
    secbytes[0] = (uint8_t)(n >> 24);
    secbytes[1] = (uint8_t)(n >> 16);
    secbytes[2] = (uint8_t)(n >> 8);
    secbytes[3] = (uint8_t)n;
    memcpy(secbytes + 4, s + skip, n);

    otr_sha256_prefixed(0x00, secbytes, 4 + n, h2);
    memcpy(k->ssid, h2, OTR_SSID_LEN);
    otr_sha256_prefixed(0x01, secbytes, 4 + n, h2);
    memcpy(k->c, h2, 16);
    memcpy(k->cp, h2 + 16, 16);
    otr_sha256_prefixed(0x02, secbytes, 4 + n, k->m1);
    otr_sha256_prefixed(0x03, secbytes, 4 + n, k->m2);
    otr_sha256_prefixed(0x04, secbytes, 4 + n, k->m1p);
    otr_sha256_prefixed(0x05, secbytes, 4 + n, k->m2p);
out:
    otr_wipe(s, sizeof s);
    otr_wipe(secbytes, sizeof secbytes);
    otr_wipe(h2, sizeof h2);
    return err;
}

/* MAC_mk(first DH || second DH || PUBKEY || keyid), the M_B / M_A that
 * gets signed. The DH values are the sender's first. */
static void
auth_mac(const uint8_t mk[32],
         const uint8_t *first,
         size_t first_len,
         const uint8_t *second,
         size_t second_len,
         const uint8_t *pubkey,
         size_t pubkey_len,
         guint32 keyid,
         uint8_t out[OTR_SHA256_LEN])
{
    OtrWriter w;

    otr_writer_init(&w);
    otr_write_mpi(&w, first, first_len);
    otr_write_mpi(&w, second, second_len);
    otr_write_bytes(&w, pubkey, pubkey_len);
    otr_write_int(&w, keyid);
    otr_hmac_sha256(mk, 32, w.buf->data, w.buf->len, out);
    otr_writer_clear(&w);
}

/* Writes DATA(AES_ck(X)) followed by MAC_mm(that DATA field), where
 * X = PUBKEY || keyid || sig(M) (spec: X_B with c, m1, m2; X_A with
 * c', m1', m2'). */
static OtrError
write_auth(OtrWriter *w,
           const OtrHost *h,
           const OtrPrivKey *key,
           const OtrDhKeypair *ours,
           const uint8_t *theirs,
           size_t theirs_len,
           const uint8_t mk[32],
           const uint8_t ck[16],
           const uint8_t mm[32])
{
    uint8_t m[OTR_SHA256_LEN], sig[OTR_DSA_SIG_LEN], tag[OTR_MAC_LEN];
    const uint8_t *pubkey;
    size_t pubkey_len = 0, start;
    OtrWriter x;
    OtrError err;

    otr_writer_init(&x);
    pubkey = otr_privkey_pubkey(key, &pubkey_len);
    if (!pubkey) {
        err = OTR_ERR_INVALID;
        goto out;
    }
    auth_mac(mk, ours->pub, ours->publen, theirs, theirs_len, pubkey,
             pubkey_len, AKE_KEYID, m);
    err = otr_dsa_sign(key, h, m, sizeof m, sig);
    if (err != OTR_OK)
        goto out;
    otr_write_bytes(&x, pubkey, pubkey_len);
    otr_write_int(&x, AKE_KEYID);
    otr_write_bytes(&x, sig, sizeof sig);
    otr_aes128_ctr(ck, zero_ctr, x.buf->data, x.buf->data, x.buf->len);

    start = w->buf->len;
    otr_write_data(w, x.buf->data, x.buf->len);
    otr_hmac_sha256_160(mm, 32, w->buf->data + start, w->buf->len - start, tag);
    otr_write_bytes(w, tag, sizeof tag);
out:
    otr_writer_clear(&x);
    otr_wipe(m, sizeof m);
    otr_wipe(sig, sizeof sig);
    return err;
}

/* Checks the MAC on the DATA field, decrypts it and verifies the signed
 * X inside. their_dh/our_dh: the two D-H values, sender's first. */
static OtrError
check_auth(const AkeMsg *msg,
           const uint8_t *their_dh,
           size_t their_dh_len,
           const uint8_t *our_dh,
           size_t our_dh_len,
           const uint8_t mk[32],
           const uint8_t ck[16],
           const uint8_t mm[32],
           AkePeer *peer)
{
    uint8_t tag[OTR_MAC_LEN], m[OTR_SHA256_LEN];
    const uint8_t *sig;
    uint8_t *x = NULL;
    size_t xlen, used = 0;
    OtrPubKey *pub = NULL;
    OtrReader rd;
    guint32 keyid;
    OtrError err = OTR_OK;

    otr_hmac_sha256_160(mm, 32, msg->auth, msg->auth_len, tag);
    if (!otr_mem_equal_ct(tag, msg->mac, sizeof tag)) {
        err = OTR_ERR_BAD_MAC;
        goto out;
    }
    xlen = msg->auth_len - 4;
    x = g_malloc(xlen + 1);
    otr_aes128_ctr(ck, zero_ctr, msg->auth + 4, x, xlen);

    pub = otr_pubkey_parse(x, xlen, &used, &err);
    if (!pub) {
        if (err == OTR_OK)
            err = OTR_ERR_MALFORMED;
        goto out;
    }
    if (used > xlen) {
        err = OTR_ERR_MALFORMED;
        goto out;
    }
    otr_reader_init(&rd, x + used, xlen - used);
    keyid = otr_read_int(&rd);
    sig = otr_read_bytes(&rd, OTR_DSA_SIG_LEN);
    if (!otr_reader_done(&rd) || !sig) {
        err = OTR_ERR_MALFORMED;
        goto out;
    }
    if (keyid == 0) {
        err = OTR_ERR_BAD_VALUE;
        goto out;
    }
    auth_mac(mk, their_dh, their_dh_len, our_dh, our_dh_len, x, used, keyid, m);
    if (!otr_pubkey_verify(pub, m, sizeof m, sig)) {
        err = OTR_ERR_BAD_SIG;
        goto out;
    }
    otr_pubkey_fingerprint(pub, peer->fpr);
    peer->pub = pub;
    peer->keyid = keyid;
    pub = NULL;
    err = OTR_OK;
out:
    if (pub)
        otr_pubkey_free(pub);
    if (x) {
        otr_wipe(x, xlen);
        g_free(x);
    }
    otr_wipe(m, sizeof m);
    return err;
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

static OtrAkeResult *
make_result(const OtrAke *ake,
            const AkeKeys *k,
            AkePeer *peer,
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

/* ---- Starting -------------------------------------------------------------
 */

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

    otr_writer_init(&gx);
    otr_write_mpi(&gx, dh.pub, dh.publen);
    otr_sha256(gx.buf->data, gx.buf->len, hashgx);
    otr_aes128_ctr(r, zero_ctr, gx.buf->data, gx.buf->data, gx.buf->len);

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

/* ---- Parsing ----------------------------------------------------------------
 */

static void
read_auth(OtrReader *rd, AkeMsg *m)
{
    size_t start = rd->pos;

    m->auth = rd->buf + start;
    otr_read_data(rd, AKE_AUTH_MAX, &m->auth_len);
    m->auth_len = otr_reader_ok(rd) ? rd->pos - start : 0;
    m->mac = otr_read_bytes(rd, OTR_MAC_LEN);
}

static OtrError
parse_body(uint8_t type, const uint8_t *body, size_t len, AkeMsg *m)
{
    OtrReader rd;
    size_t n = 0;

    memset(m, 0, sizeof *m);
    otr_reader_init(&rd, body, len);
    switch (type) {
    case OTR_TYPE_DH_COMMIT:
        m->encgx = otr_read_data(&rd, AKE_ENCGX_MAX, &m->encgx_len);
        m->hashgx = otr_read_data(&rd, AKE_HASH_LEN, &n);
        if (otr_reader_ok(&rd) && n != AKE_HASH_LEN)
            return OTR_ERR_MALFORMED;
        break;
    case OTR_TYPE_DH_KEY:
        m->gy = otr_read_mpi(&rd, OTR_DH_PUB_MAX, &m->gy_len);
        break;
    case OTR_TYPE_REVEAL_SIG:
        m->r = otr_read_data(&rd, AKE_R_LEN, &n);
        if (otr_reader_ok(&rd) && n != AKE_R_LEN)
            return OTR_ERR_MALFORMED;
        read_auth(&rd, m);
        break;
    case OTR_TYPE_SIGNATURE:
        read_auth(&rd, m);
        break;
    default:
        return OTR_ERR_INVALID;
    }
    if (!otr_reader_done(&rd))
        return OTR_ERR_MALFORMED;
    return OTR_OK;
}

/* A message (other than a D-H Commit) belongs to the AKE under way. */
static gboolean
from_our_peer(const OtrAke *ake, const OtrHeader *hdr)
{
    if (hdr->version != ake->version)
        return FALSE;
    return ake->version != 3 || ake->their_instag == 0 ||
           hdr->sender_instag == ake->their_instag;
}

/* ---- D-H Commit -------------------------------------------------------------
 */

/* Answer a D-H Commit with a D-H Key and await the Reveal Signature.
 * keep_dh: resend the g^y we already sent instead of a fresh one. */
static OtrError
answer_commit(OtrAke *ake,
              const OtrHost *h,
              const OtrHeader *hdr,
              const AkeMsg *m,
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
             const AkeMsg *m,
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

/* ---- D-H Key ----------------------------------------------------------------
 */

static OtrError
send_reveal(OtrAke *ake,
            const OtrHost *h,
            const OtrPrivKey *key,
            const OtrHeader *hdr,
            const AkeMsg *m,
            GBytes **reply)
{
    g_autoptr(OtrAke) next = NULL;
    OtrWriter w;
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
    err = derive_keys(&next->our_dh, m->gy, m->gy_len, &next->keys);
    if (err != OTR_OK)
        return err;

    otr_writer_init(&w);
    write_header(&w, next, next->version, OTR_TYPE_REVEAL_SIG);
    otr_write_data(&w, next->r, AKE_R_LEN);
    err = write_auth(&w, h, key, &next->our_dh, next->their_pub,
                     next->their_publen, next->keys.m1, next->keys.c,
                     next->keys.m2);
    if (err != OTR_OK) {
        otr_writer_clear(&w);
        return err;
    }
    g_clear_pointer(&next->last, g_bytes_unref);
    next->last = writer_finish(&w);
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
          const AkeMsg *m,
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

/* ---- Reveal Signature -----------------------------------------------------
 */

/* Alice: recover and check Bob's g^x from the commit, using r. */
static OtrError
reveal_gx(const OtrAke *ake,
          const uint8_t r[AKE_R_LEN],
          uint8_t gx[OTR_DH_PUB_MAX],
          size_t *gx_len)
{
    uint8_t plain[AKE_ENCGX_MAX], hash[AKE_HASH_LEN];
    const uint8_t *p;
    OtrReader rd;
    OtrError err = OTR_OK;

    otr_aes128_ctr(r, zero_ctr, ake->encgx, plain, ake->encgx_len);
    otr_sha256(plain, ake->encgx_len, hash);
    if (!otr_mem_equal_ct(hash, ake->hashgx, AKE_HASH_LEN)) {
        err = OTR_ERR_BAD_MAC;
        goto out;
    }
    otr_reader_init(&rd, plain, ake->encgx_len);
    p = otr_read_mpi(&rd, OTR_DH_PUB_MAX, gx_len);
    if (!otr_reader_done(&rd) || !p) {
        err = OTR_ERR_MALFORMED;
        goto out;
    }
    if (!otr_dh_pub_valid(p, *gx_len)) {
        err = OTR_ERR_BAD_VALUE;
        goto out;
    }
    memcpy(gx, p, *gx_len);
out:
    otr_wipe(plain, sizeof plain);
    return err;
}

static OtrError
on_reveal_sig(OtrAke *ake,
              const OtrHost *h,
              const OtrPrivKey *key,
              const OtrHeader *hdr,
              const AkeMsg *m,
              GBytes **reply,
              OtrAkeResult **done)
{
    g_auto(AkeKeys) k = { 0 };
    AkePeer peer = { 0 };
    uint8_t gx[OTR_DH_PUB_MAX];
    size_t gx_len = 0;
    OtrWriter w;
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

    err = reveal_gx(ake, m->r, gx, &gx_len);
    if (err != OTR_OK)
        goto out;
    err = derive_keys(&ake->our_dh, gx, gx_len, &k);
    if (err != OTR_OK)
        goto out;
    err = check_auth(m, gx, gx_len, ake->our_dh.pub, ake->our_dh.publen, k.m1,
                     k.c, k.m2, &peer);
    if (err != OTR_OK)
        goto out;

    otr_writer_init(&w);
    write_header(&w, ake, ake->version, OTR_TYPE_SIGNATURE);
    err = write_auth(&w, h, key, &ake->our_dh, gx, gx_len, k.m1p, k.cp, k.m2p);
    if (err != OTR_OK) {
        otr_writer_clear(&w);
        goto out;
    }
    *reply = writer_finish(&w);
    *done = make_result(ake, &k, &peer, gx, gx_len, FALSE);
    otr_ake_reset(ake);
out:
    if (peer.pub)
        otr_pubkey_free(peer.pub);
    otr_wipe(gx, sizeof gx);
    return err;
}

/* ---- Signature ------------------------------------------------------------
 */

static OtrError
on_signature(OtrAke *ake,
             const OtrHeader *hdr,
             const AkeMsg *m,
             OtrAkeResult **done)
{
    AkePeer peer = { 0 };
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
    err = check_auth(m, ake->their_pub, ake->their_publen, ake->our_dh.pub,
                     ake->our_dh.publen, ake->keys.m1p, ake->keys.cp,
                     ake->keys.m2p, &peer);
    if (err != OTR_OK)
        return err;
    *done = make_result(ake, &ake->keys, &peer, ake->their_pub,
                        ake->their_publen, TRUE);
    otr_ake_reset(ake);
    return OTR_OK;
}

/* ---- Entry point ------------------------------------------------------------
 */

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
    AkeMsg m;
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
    err = parse_body(hdr->type, body, len, &m);
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
