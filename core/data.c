/* Offrec — data messages: session keys, encryption, MAC and key rotation.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Key bookkeeping follows libotr's: our_dh[0] is our newest key pair (key id
 * our_keyid), our_dh[1] the one the peer has acknowledged (our_keyid - 1);
 * their_y[0] and their_y[1] likewise for the peer's public keys. We send
 * with (our_keyid - 1, their_keyid) and announce our_dh[0] as next_dh.
 *
 * Public-key work is done only when needed: our newest key pair is
 * generated when a message first has to announce it, and the session keys
 * of a pairing are derived when a message first uses them. Neither changes
 * anything the peer can observe.
 */
#include <string.h>

#include "data-private.h"

void
otr_sesskeys_clear(OtrSessKeys *k)
{
    if (k->sched) {
        otr_wipe(k->sched, sizeof *k->sched);
        g_free(k->sched);
    }
    otr_wipe(k, sizeof *k);
}

void
otr_sesskeys_copy(OtrSessKeys *dst, const OtrSessKeys *src)
{
    *dst = *src;
    if (src->sched)
        dst->sched = g_memdup2(src->sched, sizeof *src->sched);
}

/* dst takes over src's keys (and its sched); src is left empty. */
static void
sesskeys_move(OtrSessKeys *dst, OtrSessKeys *src)
{
    otr_sesskeys_clear(dst);
    *dst = *src;
    otr_wipe(src, sizeof *src);
}

/* Session keys of one pairing (spec "Computing AES keys and MAC keys"). */
static OtrError
sesskeys_derive(const OtrDhKeypair *ours,
                const uint8_t *theirs,
                size_t theirs_len,
                OtrSessKeys *k)
{
    uint8_t secbytes[4 + OTR_DH_PUB_MAX];
    uint8_t digest[OTR_SHA1_LEN];
    size_t slen = 0;
    uint8_t sendbyte, recvbyte;
    OtrError err;

    err = otr_dh_shared(ours, theirs, theirs_len, secbytes + 4, &slen);
    if (err != OTR_OK)
        goto out;
    /* secbytes = the shared secret as a minimal MPI */
    secbytes[0] = (uint8_t)(slen >> 24);
    secbytes[1] = (uint8_t)(slen >> 16);
    secbytes[2] = (uint8_t)(slen >> 8);
    secbytes[3] = (uint8_t)slen;

    if (otr_bn_cmp(ours->pub, ours->publen, theirs, theirs_len) > 0) {
        sendbyte = 0x01; /* we are the "high" end */
        recvbyte = 0x02;
    } else {
        sendbyte = 0x02;
        recvbyte = 0x01;
    }

    otr_sesskeys_clear(k);
    otr_sha1_prefixed(sendbyte, secbytes, 4 + slen, digest);
    memcpy(k->send_aes, digest, sizeof k->send_aes);
    otr_sha1(k->send_aes, sizeof k->send_aes, k->send_mac);
    otr_sha1_prefixed(recvbyte, secbytes, 4 + slen, digest);
    memcpy(k->recv_aes, digest, sizeof k->recv_aes);
    otr_sha1(k->recv_aes, sizeof k->recv_aes, k->recv_mac);
    otr_sha256_prefixed(0xff, secbytes, 4 + slen, k->extra);
    k->sched = g_new0(OtrSessSched, 1);
    otr_aes_key_init(&k->sched->send_aes, k->send_aes);
    otr_aes_key_init(&k->sched->recv_aes, k->recv_aes);
    otr_hmac_sha1_key_init(&k->sched->send_mac, k->send_mac,
                           sizeof k->send_mac);
    otr_hmac_sha1_key_init(&k->sched->recv_mac, k->recv_mac,
                           sizeof k->recv_mac);
    k->valid = TRUE;

out:
    otr_wipe(secbytes, sizeof secbytes);
    otr_wipe(digest, sizeof digest);
    return err;
}

/* The session keys for our_dh[ours] and their_y[theirs], derived on first
 * use and cached. A derived pairing starts with zero counters and no MAC
 * used, exactly as if it had been derived when its keys appeared. */
static OtrError
sesskeys_get(OtrDataKeys *dk, int ours, int theirs, OtrSessKeys **out)
{
    OtrSessKeys *k = &dk->sess[ours][theirs];
    OtrError err = OTR_OK;

    if (!k->valid) {
        if (!dk->have_our[ours] || dk->their_ylen[theirs] == 0)
            return OTR_ERR_UNREADABLE;
        err = sesskeys_derive(&dk->our_dh[ours], dk->their_y[theirs],
                              dk->their_ylen[theirs], k);
        if (err != OTR_OK)
            return err;
    }
    *out = k;
    return OTR_OK;
}

/* Our newest key pair, generated when it must first be announced. */
static OtrError
our_next_ensure(OtrDataKeys *dk, const OtrHost *h)
{
    OtrError err;

    if (dk->have_our[0])
        return OTR_OK;
    err = otr_dh_keypair_gen(h, &dk->our_dh[0]);
    if (err != OTR_OK) {
        otr_dh_keypair_clear(&dk->our_dh[0]);
        return err;
    }
    dk->have_our[0] = TRUE;
    return OTR_OK;
}

/* Queue a pairing's receiving MAC key for revealing if it verified a
 * message (spec "Revealing MAC keys"; libotr never reveals sending keys). */
static void
reveal_mac(OtrDataKeys *dk, const OtrSessKeys *k)
{
    if (k->valid && k->recv_mac_used)
        g_byte_array_append(dk->old_macs, k->recv_mac, sizeof k->recv_mac);
}

void
otr_data_retire(OtrDataKeys *dk, GByteArray *reveal)
{
    if (dk->version == 0 || dk->old_macs == NULL)
        return;
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 2; j++)
            reveal_mac(dk, &dk->sess[i][j]);
    g_byte_array_append(reveal, dk->old_macs->data, dk->old_macs->len);
}

/* The peer used our newest key: forget our_dh[1] and shift. The new newest
 * key pair is made when it is first needed. */
static void
rotate_ours(OtrDataKeys *dk)
{
    reveal_mac(dk, &dk->sess[1][0]);
    reveal_mac(dk, &dk->sess[1][1]);

    otr_dh_keypair_clear(&dk->our_dh[1]);
    dk->our_dh[1] = dk->our_dh[0];
    dk->have_our[1] = dk->have_our[0];
    otr_dh_keypair_clear(&dk->our_dh[0]);
    dk->have_our[0] = FALSE;

    for (int t = 0; t < 2; t++)
        sesskeys_move(&dk->sess[1][t], &dk->sess[0][t]);
    dk->our_keyid++;
}

/* The peer used its newest key: forget their_y[1], take in next_dh. */
static void
rotate_theirs(OtrDataKeys *dk, const uint8_t *next, size_t next_len)
{
    reveal_mac(dk, &dk->sess[0][1]);
    reveal_mac(dk, &dk->sess[1][1]);

    memcpy(dk->their_y[1], dk->their_y[0], sizeof dk->their_y[1]);
    dk->their_ylen[1] = dk->their_ylen[0];
    memset(dk->their_y[0], 0, sizeof dk->their_y[0]);
    memcpy(dk->their_y[0], next, next_len);
    dk->their_ylen[0] = (guint16)next_len;

    for (int o = 0; o < 2; o++)
        sesskeys_move(&dk->sess[o][1], &dk->sess[o][0]);
    dk->their_keyid++;
}

OtrError
otr_data_init(OtrDataKeys *dk, const OtrHost *h, const OtrAkeResult *res)
{
    g_return_val_if_fail(dk != NULL && res != NULL, OTR_ERR_INVALID);

    if ((res->version != 2 && res->version != 3) || res->our_keyid == 0 ||
        res->our_keyid == G_MAXUINT32 || res->their_keyid == 0 ||
        res->their_dhlen == 0 || res->their_dhlen > OTR_DH_PUB_MAX ||
        res->our_dh.publen == 0 || res->our_dh.publen > OTR_DH_PUB_MAX)
        return OTR_ERR_INVALID;
    if (!otr_dh_pub_valid(res->their_dh, res->their_dhlen))
        return OTR_ERR_BAD_VALUE;

    memset(dk, 0, sizeof *dk);
    dk->version = res->version;
    dk->their_instag = res->their_instag;
    /* The AKE key is the one the peer knows; our next one (keyid + 1) is
     * generated lazily (libotr makes it here). */
    dk->our_keyid = res->our_keyid + 1;
    dk->our_dh[1] = res->our_dh;
    dk->have_our[1] = TRUE;
    dk->their_keyid = res->their_keyid;
    memcpy(dk->their_y[0], res->their_dh, res->their_dhlen);
    dk->their_ylen[0] = res->their_dhlen;
    dk->old_macs = g_byte_array_new();
    return OTR_OK;
}

void
otr_data_clear(OtrDataKeys *dk)
{
    if (dk == NULL)
        return;
    if (dk->old_macs) {
        otr_wipe(dk->old_macs->data, dk->old_macs->len);
        g_byte_array_unref(dk->old_macs);
    }
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 2; j++)
            otr_sesskeys_clear(&dk->sess[i][j]);
    otr_wipe(dk, sizeof *dk);
}

/* The 16-byte initial counter block: top half, then eight zero bytes. */
static void
ctr_block(const uint8_t top[OTR_CTR_LEN], uint8_t block[16])
{
    memcpy(block, top, OTR_CTR_LEN);
    memset(block + OTR_CTR_LEN, 0, 16 - OTR_CTR_LEN);
}

static uint8_t *
put_int(uint8_t *p, guint32 v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
    return p + 4;
}

static uint8_t *
put_data(uint8_t *p, const uint8_t *data, size_t len)
{
    p = put_int(p, (guint32)len);
    if (len > 0)
        memcpy(p, data, len);
    return p + len;
}

OtrError
otr_data_encrypt(OtrDataKeys *dk,
                 const OtrHost *h,
                 uint8_t flags,
                 const uint8_t *plain,
                 size_t len,
                 GBytes **msg,
                 uint8_t extra[OTR_EXTRA_KEY_LEN])
{
    OtrSessKeys *k = NULL;
    const uint8_t *next;
    uint8_t ctr[OTR_CTR_LEN];
    uint8_t block[16];
    uint8_t *buf, *p;
    size_t next_len, mac_len, total, fixed;
    OtrHmacSha1Prefix fresh;
    OtrError err;
    int i;

    g_return_val_if_fail(dk != NULL && h != NULL && msg != NULL,
                         OTR_ERR_INVALID);
    g_return_val_if_fail(plain != NULL || len == 0, OTR_ERR_INVALID);

    if (dk->version == 0 || dk->old_macs == NULL)
        return OTR_ERR_STATE;
    if (len > G_MAXUINT32 - 1024 || dk->old_macs->len > G_MAXUINT32 - 1024)
        return OTR_ERR_TOO_BIG;
    /* The message size below (at most 512 bytes besides these two) must
     * not overflow a 32-bit size_t. */
    if (len > G_MAXSIZE - 512 - dk->old_macs->len)
        return OTR_ERR_TOO_BIG;

    err = our_next_ensure(dk, h);
    if (err != OTR_OK)
        return err;
    err = sesskeys_get(dk, 1, 0, &k);
    if (err != OTR_OK)
        return err == OTR_ERR_UNREADABLE ? OTR_ERR_STATE : err;

    /* Next counter for this pairing (big-endian increment). */
    memcpy(ctr, k->send_ctr, sizeof ctr);
    for (i = OTR_CTR_LEN - 1; i >= 0; i--) {
        if (++ctr[i] != 0)
            break;
    }
    if (i < 0) /* 2^64 messages on one pairing: never reuse a counter */
        return OTR_ERR_TOO_BIG;

    /* next_dh as a minimal MPI. */
    next = dk->our_dh[0].pub;
    next_len = dk->our_dh[0].publen;
    while (next_len > 0 && next[0] == 0) {
        next++;
        next_len--;
    }

    /* The message is written straight into one block of its exact size,
     * handed out without a copy: header (version, type, and for v3 the
     * instance tags), flags, key ids, next_dh, counter, ciphertext, then
     * the MAC of all that and the revealed MAC keys. */
    mac_len = (dk->version == 3 ? 11 : 3) + 1 + 4 + 4 + 4 + next_len +
              OTR_CTR_LEN + 4 + len;
    total = mac_len + OTR_MAC_LEN + 4 + dk->old_macs->len;
    buf = g_malloc(total);
    p = buf;
    *p++ = 0;
    *p++ = (uint8_t)dk->version;
    *p++ = OTR_TYPE_DATA;
    if (dk->version == 3) {
        p = put_int(p, dk->our_instag);
        p = put_int(p, dk->their_instag);
    }
    *p++ = flags;
    p = put_int(p, dk->our_keyid - 1);
    p = put_int(p, dk->their_keyid);
    p = put_data(p, next, next_len);
    /* The same for every message until the keys or the flags change. */
    fixed = (size_t)(p - buf);
    memcpy(p, ctr, sizeof ctr);
    p += sizeof ctr;
    p = put_int(p, (guint32)len);
    /* Encrypt straight from plain into the message: no plaintext copy. */
    ctr_block(ctr, block);
    otr_aes_key_ctr(&k->sched->send_aes, block, plain, p, len);
    p += len;
    g_assert((size_t)(p - buf) == mac_len);
    otr_hmac_sha1_key_mac_cached(&k->sched->send_mac, &k->sched->send_prefix,
                                 &fresh, buf, mac_len, NULL, 0, fixed, p);
    p += OTR_MAC_LEN;
    p = put_data(p, dk->old_macs->data, dk->old_macs->len);
    g_assert((size_t)(p - buf) == total);

    /* Nothing secret is in the block: header, ciphertext, MAC and the MAC
     * keys we reveal on purpose. */
    *msg = g_bytes_new_take(buf, total);
    if (extra)
        memcpy(extra, k->extra, OTR_EXTRA_KEY_LEN);

    /* Commit: the counter is spent, the old MAC keys are out. */
    memcpy(k->send_ctr, ctr, sizeof ctr);
    if (fresh.len > 0) {
        k->sched->send_prefix = fresh;
        otr_wipe(&fresh, sizeof fresh);
    }
    otr_wipe(dk->old_macs->data, dk->old_macs->len);
    g_byte_array_set_size(dk->old_macs, 0);

    otr_wipe(block, sizeof block);
    return OTR_OK;
}

/* Bytes the MAC covers: the header as read (re-encoded: every header field
 * has a fixed width) followed by the body up to the end of the ciphertext.
 */
static void
mac_compute(const OtrSessKeys *k,
            const OtrHeader *hdr,
            const uint8_t *body,
            size_t body_len,
            size_t body_fixed,
            OtrHmacSha1Prefix *fresh,
            uint8_t mac[OTR_MAC_LEN])
{
    uint8_t head[11];
    size_t hlen = 3;

    /* The short header is re-encoded on the stack (big-endian version,
     * type, and for v3 the two instance tags); the body is hashed where it
     * lies. */
    head[0] = (uint8_t)(hdr->version >> 8);
    head[1] = (uint8_t)hdr->version;
    head[2] = hdr->type;
    if (hdr->version == 3) {
        for (int i = 0; i < 4; i++) {
            head[3 + i] = (uint8_t)(hdr->sender_instag >> (24 - 8 * i));
            head[7 + i] = (uint8_t)(hdr->receiver_instag >> (24 - 8 * i));
        }
        hlen = 11;
    }
    otr_hmac_sha1_key_mac_cached(&k->sched->recv_mac, &k->sched->recv_prefix,
                                 fresh, head, hlen, body, body_len,
                                 hlen + body_fixed, mac);
}

/* Pick our key pair (0 newest, 1 previous) and theirs for the keyids of a
 * received message; -1 when we do not have them. */
static int
select_ours(const OtrDataKeys *dk, guint32 recipient)
{
    if (recipient == 0)
        return -1;
    if (recipient == dk->our_keyid && dk->have_our[0])
        return 0;
    if (recipient == dk->our_keyid - 1 && dk->have_our[1])
        return 1;
    return -1;
}

static int
select_theirs(const OtrDataKeys *dk, guint32 sender)
{
    if (sender == 0 || dk->their_keyid == 0)
        return -1;
    if (sender == dk->their_keyid && dk->their_ylen[0] > 0)
        return 0;
    if (sender == dk->their_keyid - 1 && dk->their_ylen[1] > 0)
        return 1;
    return -1;
}

OtrError
otr_data_decrypt(OtrDataKeys *dk,
                 const OtrHost *h,
                 const OtrHeader *hdr,
                 const uint8_t *body,
                 size_t len,
                 uint8_t *flags,
                 uint8_t **plain,
                 size_t *plain_len,
                 uint8_t extra[OTR_EXTRA_KEY_LEN])
{
    OtrReader r;
    OtrSessKeys *k = NULL;
    const uint8_t *next, *ctr, *ct, *given;
    size_t next_len = 0, ct_len = 0, mac_end, reveal_len = 0;
    guint32 sender, recipient;
    uint8_t mac[OTR_MAC_LEN];
    uint8_t block[16];
    OtrHmacSha1Prefix fresh;
    uint8_t *out = NULL;
    uint8_t f;
    int ours, theirs;
    OtrError err;

    g_return_val_if_fail(dk != NULL && hdr != NULL && flags != NULL &&
                             plain != NULL && plain_len != NULL,
                         OTR_ERR_INVALID);
    g_return_val_if_fail(body != NULL || len == 0, OTR_ERR_INVALID);

    *flags = 0;
    fresh.len = 0;
    otr_reader_init(&r, body, len);
    f = otr_read_byte(&r);
    if (!otr_reader_ok(&r))
        return OTR_ERR_MALFORMED;
    *flags = f; /* early: the caller may have to stay silent on failure */

    if (dk->version == 0 || dk->old_macs == NULL)
        return OTR_ERR_STATE;
    if (hdr->type != OTR_TYPE_DATA)
        return OTR_ERR_INVALID;
    if (hdr->version != dk->version)
        return OTR_ERR_STATE;
    if (dk->version == 3 && (hdr->receiver_instag != dk->our_instag ||
                             hdr->sender_instag != dk->their_instag))
        return OTR_ERR_STATE;

    sender = otr_read_int(&r);
    recipient = otr_read_int(&r);
    next = otr_read_mpi(&r, OTR_DH_PUB_MAX, &next_len);
    ctr = otr_read_bytes(&r, OTR_CTR_LEN);
    ct = otr_read_data(&r, len, &ct_len);
    mac_end = r.pos;
    given = otr_read_bytes(&r, OTR_MAC_LEN);
    /* The revealed keys are for transcript forgeability; we skip them. */
    (void)otr_read_data(&r, len, &reveal_len);
    if (!otr_reader_done(&r))
        return OTR_ERR_MALFORMED;

    ours = select_ours(dk, recipient);
    theirs = select_theirs(dk, sender);
    if (ours < 0 || theirs < 0)
        return OTR_ERR_UNREADABLE;
    /* Deriving (and caching) the pairing's keys changes no state that
     * matters: they are a function of keys we already hold. */
    err = sesskeys_get(dk, ours, theirs, &k);
    if (err != OTR_OK)
        return err;

    /* Everything before the counter repeats while the peer keeps its
     * keys: the MAC resumes after it when it is what we last accepted. */
    mac_compute(k, hdr, body, mac_end, (size_t)(ctr - body), &fresh, mac);
    if (!otr_mem_equal_ct(mac, given, OTR_MAC_LEN)) {
        err = OTR_ERR_BAD_MAC;
        goto out;
    }
    /* Counters are big-endian: byte order comparison is numeric. */
    if (memcmp(ctr, k->recv_ctr, OTR_CTR_LEN) <= 0) {
        err = OTR_ERR_REPLAY;
        goto out;
    }
    if (theirs == 0 && !otr_dh_pub_valid(next, next_len)) {
        err = OTR_ERR_BAD_VALUE;
        goto out;
    }

    out = g_malloc(ct_len + 1);
    ctr_block(ctr, block);
    if (ct_len > 0)
        otr_aes_key_ctr(&k->sched->recv_aes, block, ct, out, ct_len);
    out[ct_len] = '\0';

    /* Commit. */
    memcpy(k->recv_ctr, ctr, OTR_CTR_LEN);
    k->recv_mac_used = TRUE;
    if (fresh.len > 0)
        k->sched->recv_prefix = fresh;
    if (extra)
        memcpy(extra, k->extra, OTR_EXTRA_KEY_LEN);
    if (ours == 0)
        rotate_ours(dk);
    if (theirs == 0)
        rotate_theirs(dk, next, next_len);

    *plain = out;
    *plain_len = ct_len;
    err = OTR_OK;

out:
    if (fresh.len > 0)
        otr_wipe(&fresh, sizeof fresh);
    otr_wipe(mac, sizeof mac);
    otr_wipe(block, sizeof block);
    return err;
}
