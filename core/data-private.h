/* Offrec — data messages and key management (spec: "Data Message",
 * "Computing AES keys and MAC keys", "Revealing MAC keys").
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef OTR_DATA_PRIVATE_H
#define OTR_DATA_PRIVATE_H

#include "ake-private.h"

#define OTR_FLAG_IGNORE_UNREADABLE 0x01

/* A pairing's keys prepared for use: expanded AES keys and HMAC states.
 * Kept on the heap, made only for pairings that are actually derived, so a
 * session that has sent nothing yet does not pay for them. */
typedef struct {
    OtrAesKey send_aes, recv_aes;
    OtrHmacSha1Key send_mac, recv_mac;
    /* MAC state after the unchanging start (header to next_dh) of the
     * last message sent / accepted with these keys. */
    OtrHmacSha1Prefix send_prefix, recv_prefix;
} OtrSessSched;

/* Owns sched (non-NULL exactly when valid): move with a plain copy and then
 * otr_wipe of the source, duplicate with otr_sesskeys_copy. */
typedef struct {
    uint8_t send_aes[16], recv_aes[16];
    uint8_t send_mac[20], recv_mac[20];
    uint8_t send_ctr[8]; /* top half of the last counter we sent */
    uint8_t recv_ctr[8]; /* top half of the last counter we accepted */
    uint8_t extra[OTR_EXTRA_KEY_LEN];
    gboolean valid;
    gboolean recv_mac_used; /* reveal recv_mac when forgotten */
    OtrSessSched *sched;
} OtrSessKeys;

void otr_sesskeys_clear(OtrSessKeys *k); /* wipes, frees sched */
/* dst (not initialised) becomes an independent copy of src. */
void otr_sesskeys_copy(OtrSessKeys *dst, const OtrSessKeys *src);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(OtrSessKeys, otr_sesskeys_clear)

/* The key state of one private session (one remote instance). Index 0 is
 * the most recent key id, index 1 the one before it. */
typedef struct {
    int version;
    guint32 our_instag, their_instag;
    guint32 our_keyid;
    OtrDhKeypair our_dh[2];
    gboolean have_our[2];
    guint32 their_keyid;
    uint8_t their_y[2][OTR_DH_PUB_MAX];
    guint16 their_ylen[2];
    OtrSessKeys sess[2][2]; /* [ours][theirs], computed on demand */
    GByteArray *old_macs;   /* MAC keys to reveal in the next message */
} OtrDataKeys;

/* Set up from a completed AKE (takes copies; res stays the caller's).
 * dk need not be initialised (it is overwritten; clear it first if it was
 * in use). The AKE result does not carry our own instance tag: for v3 the
 * caller sets dk->our_instag after this call. Our next D-H key pair
 * (keyid res->our_keyid + 1) is generated lazily, on first use. */
OtrError otr_data_init(OtrDataKeys *dk,
                       const OtrHost *h,
                       const OtrAkeResult *res);
void otr_data_clear(OtrDataKeys *dk); /* wipes */
/* The key state is about to be forgotten (a new AKE replaces it): append
 * to reveal the receiving MAC keys it used and those still waiting to be
 * revealed, so the next key state can publish them (spec "Revealing MAC
 * keys"). */
void otr_data_retire(OtrDataKeys *dk, GByteArray *reveal);

/* Encrypt plain (message bytes, optionally NUL + TLVs) into a binary data
 * message (header included) ready for otr_encode_message. extra, when
 * non-NULL, receives the extra symmetric key of the keys used. */
OtrError otr_data_encrypt(OtrDataKeys *dk,
                          const OtrHost *h,
                          uint8_t flags,
                          const uint8_t *plain,
                          size_t len,
                          GBytes **msg,
                          uint8_t extra[OTR_EXTRA_KEY_LEN]);

/* Verify and decrypt a data message whose header was already read. *flags
 * is set as soon as it is parsed (also on failure, so the caller can honour
 * IGNORE_UNREADABLE). On success *plain is a NUL-terminated copy
 * (otr_wipe + g_free it) of *plain_len bytes, extra gets the extra key of
 * the keys used, and keys are rotated per the spec. On failure nothing in
 * dk changes. */
OtrError otr_data_decrypt(OtrDataKeys *dk,
                          const OtrHost *h,
                          const OtrHeader *hdr,
                          const uint8_t *body,
                          size_t len,
                          uint8_t *flags,
                          uint8_t **plain,
                          size_t *plain_len,
                          uint8_t extra[OTR_EXTRA_KEY_LEN]);

#endif
