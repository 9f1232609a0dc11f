/* Offrec — the cryptographic parts of the AKE: key derivation, the hidden
 * g^x, the signed X_B / X_A, and parsing of the message bodies.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <string.h>

#include "ake-auth-private.h"

static const uint8_t zero_ctr[16];

void
otr_ake_keys_clear(OtrAkeKeys *k)
{
    otr_wipe(k, sizeof *k);
}

/* ---- Key derivation ----------------------------------------------------- */

OtrError
otr_ake_keys_derive(const OtrDhKeypair *ours,
                    const uint8_t *theirs,
                    size_t theirs_len,
                    OtrAkeKeys *k)
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

OtrAkeKeySet
otr_ake_key_set(const OtrAkeKeys *k, gboolean reveal)
{
    OtrAkeKeySet ks;

    ks.ck = reveal ? k->c : k->cp;
    ks.mk = reveal ? k->m1 : k->m1p;
    ks.mm = reveal ? k->m2 : k->m2p;
    return ks;
}

/* ---- The hidden g^x of the D-H Commit ----------------------------------- */

void
otr_ake_gx_hide(const uint8_t r[AKE_R_LEN],
                const OtrDhKeypair *dh,
                OtrWriter *encgx,
                uint8_t hashgx[AKE_HASH_LEN])
{
    otr_writer_init(encgx);
    otr_write_mpi(encgx, dh->pub, dh->publen);
    otr_sha256(encgx->buf->data, encgx->buf->len, hashgx);
    otr_aes128_ctr(r, zero_ctr, encgx->buf->data, encgx->buf->data,
                   encgx->buf->len);
}

OtrError
otr_ake_gx_reveal(const uint8_t r[AKE_R_LEN],
                  const uint8_t *encgx,
                  size_t encgx_len,
                  const uint8_t hashgx[AKE_HASH_LEN],
                  uint8_t gx[OTR_DH_PUB_MAX],
                  size_t *gx_len)
{
    uint8_t plain[AKE_ENCGX_MAX], hash[AKE_HASH_LEN];
    const uint8_t *p;
    OtrReader rd;
    OtrError err = OTR_OK;

    otr_aes128_ctr(r, zero_ctr, encgx, plain, encgx_len);
    otr_sha256(plain, encgx_len, hash);
    if (!otr_mem_equal_ct(hash, hashgx, AKE_HASH_LEN)) {
        err = OTR_ERR_BAD_MAC;
        goto out;
    }
    otr_reader_init(&rd, plain, encgx_len);
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

/* ---- X_B and X_A -------------------------------------------------------- */

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

OtrError
otr_ake_auth_write(OtrWriter *w,
                   const OtrHost *h,
                   const OtrPrivKey *key,
                   const OtrDhKeypair *ours,
                   const uint8_t *theirs,
                   size_t theirs_len,
                   const OtrAkeKeySet *ks)
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
    auth_mac(ks->mk, ours->pub, ours->publen, theirs, theirs_len, pubkey,
             pubkey_len, AKE_KEYID, m);
    err = otr_dsa_sign(key, h, m, sizeof m, sig);
    if (err != OTR_OK)
        goto out;
    otr_write_bytes(&x, pubkey, pubkey_len);
    otr_write_int(&x, AKE_KEYID);
    otr_write_bytes(&x, sig, sizeof sig);
    otr_aes128_ctr(ks->ck, zero_ctr, x.buf->data, x.buf->data, x.buf->len);

    start = w->buf->len;
    otr_write_data(w, x.buf->data, x.buf->len);
    otr_hmac_sha256_160(ks->mm, 32, w->buf->data + start, w->buf->len - start,
                        tag);
    otr_write_bytes(w, tag, sizeof tag);
out:
    otr_writer_clear(&x);
    otr_wipe(m, sizeof m);
    otr_wipe(sig, sizeof sig);
    return err;
}

OtrError
otr_ake_auth_check(const OtrAkeMsg *msg,
                   const uint8_t *their_dh,
                   size_t their_dh_len,
                   const uint8_t *our_dh,
                   size_t our_dh_len,
                   const OtrAkeKeySet *ks,
                   OtrAkePeer *peer)
{
    uint8_t tag[OTR_MAC_LEN], m[OTR_SHA256_LEN];
    const uint8_t *sig;
    uint8_t *x = NULL;
    size_t xlen, used = 0;
    OtrPubKey *pub = NULL;
    OtrReader rd;
    guint32 keyid;
    OtrError err = OTR_OK;

    otr_hmac_sha256_160(ks->mm, 32, msg->auth, msg->auth_len, tag);
    if (!otr_mem_equal_ct(tag, msg->mac, sizeof tag)) {
        err = OTR_ERR_BAD_MAC;
        goto out;
    }
    xlen = msg->auth_len - 4;
    x = g_malloc(xlen + 1);
    otr_aes128_ctr(ks->ck, zero_ctr, msg->auth + 4, x, xlen);

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
    auth_mac(ks->mk, their_dh, their_dh_len, our_dh, our_dh_len, x, used, keyid,
             m);
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

/* ---- Parsing ------------------------------------------------------------ */

static void
read_auth(OtrReader *rd, OtrAkeMsg *m)
{
    size_t start = rd->pos;

    m->auth = rd->buf + start;
    otr_read_data(rd, AKE_AUTH_MAX, &m->auth_len);
    m->auth_len = otr_reader_ok(rd) ? rd->pos - start : 0;
    m->mac = otr_read_bytes(rd, OTR_MAC_LEN);
}

OtrError
otr_ake_parse_body(uint8_t type, const uint8_t *body, size_t len, OtrAkeMsg *m)
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
