/* Offrec — Off-the-Record messaging protocol engine.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Public API of the sans-I/O OTR core. The caller hands the core what the
 * user typed or what arrived from the network; the core fills an OtrOutbox
 * with wire messages to send, text to show and events. It never does I/O,
 * never blocks, and gets randomness and time through OtrHostOps.
 */
#ifndef OTR_H
#define OTR_H

#include <stddef.h>
#include <stdint.h>

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
    OTR_OK = 0,
    OTR_ERR_NOMEM,
    OTR_ERR_INVALID,    /* bad argument from the caller */
    OTR_ERR_MALFORMED,  /* bytes that do not parse */
    OTR_ERR_BAD_MAC,    /* authenticator mismatch */
    OTR_ERR_BAD_SIG,    /* signature does not verify */
    OTR_ERR_BAD_VALUE,  /* out-of-range group element, exponent, ... */
    OTR_ERR_STATE,      /* message not expected in this state */
    OTR_ERR_REPLAY,     /* counter not strictly increasing */
    OTR_ERR_UNREADABLE, /* data message for keys we do not have */
    OTR_ERR_CRYPTO,     /* the crypto library failed */
    OTR_ERR_TOO_BIG,    /* a bound on size or count was exceeded */
    OTR_ERR_FINISHED,   /* the session is finished: nothing is sent */
    OTR_ERR_POLICY,     /* the policy forbids this */
    OTR_ERR_NO_KEY,     /* no private key yet */
    OTR_ERR_NO_SESSION, /* no private session to use */
    OTR_ERR_CANCELLED,
} OtrError;

const char *otr_error_str(OtrError err);

typedef enum {
    OTR_POLICY_NEVER,
    OTR_POLICY_MANUAL,
    OTR_POLICY_OPPORTUNISTIC,
    OTR_POLICY_ALWAYS,
} OtrPolicy;

/* Bit set of protocol versions. */
#define OTR_V2 (1u << 2)
#define OTR_V3 (1u << 3)

typedef enum {
    OTR_MSG_PLAINTEXT,
    OTR_MSG_ENCRYPTED,
    OTR_MSG_FINISHED,
} OtrMsgState;

/* Smallest valid instance tag (spec: tags below 0x100 are reserved). */
#define OTR_INSTAG_MIN 0x100u
/* Remote "instance" of a v2 peer, which has no instance tags. */
#define OTR_INSTAG_V2 0u

#define OTR_FPR_LEN       20 /* SHA-1 of the public key */
#define OTR_FPR_HUMAN_LEN 45 /* "XXXXXXXX XXXXXXXX ... " incl. NUL */
#define OTR_SSID_LEN      8
#define OTR_EXTRA_KEY_LEN 32

/* What the core needs from its host. All members are mandatory. */
typedef struct {
    /* Fill buf with len cryptographically strong random bytes. */
    void (*random)(void *user, uint8_t *buf, size_t len);
    /* Monotonic time in seconds (heartbeats, fragment expiry). */
    gint64 (*now)(void *user);
    /* Debug log line; never receives secrets. */
    void (*log)(void *user, const char *line);
} OtrHostOps;

/* Host ops backed by libgcrypt's strong RNG and g_get_monotonic_time(). */
const OtrHostOps *otr_host_ops_default(void);

/* Initialise the crypto libraries. Idempotent and safe to call when another
 * library in the process already initialised libgcrypt. */
gboolean otr_init(void);

/* ---- Long-term DSA key ------------------------------------------------ */

typedef struct OtrPrivKey OtrPrivKey;

typedef void (*OtrProgressFunc)(void *user, int done, int total);

/* Generate a DSA-1024 key. Blocking: call it off the main thread. cancel,
 * when non-NULL, is polled; if it becomes non-zero, returns NULL with
 * OTR_ERR_CANCELLED. progress may be NULL. */
OtrPrivKey *otr_privkey_generate(const OtrHostOps *ops,
                                 void *user,
                                 OtrProgressFunc progress,
                                 void *progress_user,
                                 const volatile gint *cancel,
                                 OtrError *err);
/* libgcrypt S-expression "(private-key (dsa (p ..)(q ..)(g ..)(y ..)(x ..)))"
 * as libotr stores per account (the inner key, not the account wrapper). */
OtrPrivKey *otr_privkey_from_sexp(const char *sexp, size_t len, OtrError *err);
/* Canonical advanced-format S-expression as libotr writes it; g_free.
 * It holds the secret exponent: otr_wipe() it before freeing.
 * otr_privkey_from_sexp() also accepts a whole libotr account entry or key
 * file (it reads the first "private-key" found) and every syntax libgcrypt
 * parses (advanced, canonical). */
char *otr_privkey_to_sexp(const OtrPrivKey *key);
OtrPrivKey *otr_privkey_copy(const OtrPrivKey *key);
void otr_privkey_free(OtrPrivKey *key);
void otr_privkey_fingerprint(const OtrPrivKey *key, uint8_t fpr[OTR_FPR_LEN]);
/* Serialised OTR PUBKEY (type 0x0000, p, q, g, y). */
const uint8_t *otr_privkey_pubkey(const OtrPrivKey *key, size_t *len);

/* "12345678 9ABCDEF0 ..." upper-case, 5 groups of 8. */
void otr_fingerprint_human(const uint8_t fpr[OTR_FPR_LEN],
                           char out[OTR_FPR_HUMAN_LEN]);
/* 40 lower-case hex digits + NUL. */
void otr_fingerprint_hex(const uint8_t fpr[OTR_FPR_LEN], char out[41]);

/* ---- Outbox ------------------------------------------------------------ */

typedef enum {
    OTR_SMP_ASKED,    /* remote started SMP; question may be set */
    OTR_SMP_PROGRESS, /* a step completed; progress = 0..100 */
    OTR_SMP_SUCCESS,
    OTR_SMP_FAILURE,
    OTR_SMP_ABORTED, /* the remote side aborted */
    OTR_SMP_ERROR,   /* protocol error or cheating */
} OtrSmpStatus;

typedef enum {
    OTR_EV_WIRE,        /* text: transmit to the remote account */
    OTR_EV_DISPLAY,     /* text: show the user; is_private if it came
                           inside an encrypted session */
    OTR_EV_STATE,       /* instance's msgstate changed, or refreshed */
    OTR_EV_ERROR,       /* error + text: tell the user */
    OTR_EV_NOTICE,      /* text: informational line for the user */
    OTR_EV_LOG,         /* text: debug line */
    OTR_EV_SMP,         /* smp_status, progress, text = question */
    OTR_EV_EXTRA_KEY,   /* key, use, context: TLV 8 sent or received */
    OTR_EV_NEED_KEY,    /* a private key is needed to continue */
    OTR_EV_FINGERPRINT, /* fpr: remote long-term key seen in an AKE */
} OtrEventType;

typedef struct {
    OtrEventType type;
    guint32 instance; /* remote instance tag concerned, OTR_INSTAG_V2 for v2 */
    char *text;       /* owned by the outbox; NUL-terminated, may be NULL */
    gboolean is_private;
    OtrError error;
    OtrMsgState state;
    OtrSmpStatus smp_status;
    int progress;
    uint8_t fpr[OTR_FPR_LEN];
    uint8_t key[OTR_EXTRA_KEY_LEN];
    guint32 use;
    GBytes *context; /* extra-key use-specific data */
} OtrEvent;

typedef struct {
    GArray *events; /* of OtrEvent */
} OtrOutbox;

void otr_outbox_init(OtrOutbox *out);
/* Frees every event (wipes display text) and empties the array. */
void otr_outbox_clear(OtrOutbox *out);
guint otr_outbox_len(const OtrOutbox *out);
const OtrEvent *otr_outbox_get(const OtrOutbox *out, guint i);

/* ---- Session ------------------------------------------------------------ */

/* One OTR conversation between a local account and a remote account: the
 * master context plus one child per remote instance. */
typedef struct OtrSession OtrSession;

typedef struct {
    const char *account;  /* local account name */
    const char *protocol; /* protocol id */
    const char *peer;     /* remote account name */
    guint32 our_instag;   /* >= OTR_INSTAG_MIN */
    OtrPolicy policy;
    guint versions;      /* OTR_V2 | OTR_V3 */
    size_t max_msg_size; /* 0: no fragmentation */
} OtrSessionConfig;

OtrSession *otr_session_new(const OtrHostOps *ops,
                            void *user,
                            const OtrSessionConfig *config);
void otr_session_free(OtrSession *s);

/* The key is borrowed; it must outlive the session or be replaced. NULL:
 * no key yet (the AKE asks with OTR_EV_NEED_KEY and waits). */
void otr_session_set_privkey(OtrSession *s, const OtrPrivKey *key);
void otr_session_set_policy(OtrSession *s, OtrPolicy policy);
void otr_session_set_max_msg_size(OtrSession *s, size_t max);

/* The user typed text. Fills out with wire messages (encrypted, plaintext,
 * a query) or an error (finished). Under ALWAYS the text is held and sent
 * once private. */
OtrError otr_session_send(OtrSession *s, const char *text, OtrOutbox *out);
/* A message arrived from the peer. */
OtrError otr_session_receive(OtrSession *s, const char *msg, OtrOutbox *out);
/* Start or refresh: sends a query message. */
OtrError otr_session_start(OtrSession *s, OtrOutbox *out);
/* End the private conversation with the selected instance (disconnect TLV),
 * or leave the finished state. */
OtrError otr_session_end(OtrSession *s, OtrOutbox *out);
/* Time passes: heartbeats, expiry of held messages. */
void otr_session_tick(OtrSession *s, OtrOutbox *out);
/* The key became available: continue whatever waited for it. */
OtrError otr_session_key_ready(OtrSession *s, OtrOutbox *out);

typedef enum {
    OTR_SELECT_MOST_SECURE, /* pidgin-otr's default */
    OTR_SELECT_MOST_RECENT,
    OTR_SELECT_INSTANCE,
} OtrSelect;
void otr_session_select(OtrSession *s, OtrSelect how, guint32 instance);
/* Instance the next send goes to (OTR_INSTAG_V2 for none known / v2). */
guint32 otr_session_selected(const OtrSession *s);
/* Remote instances known (including OTR_INSTAG_V2 when a v2 one exists). */
GArray *otr_session_instances(const OtrSession *s); /* guint32; unref */

typedef struct {
    OtrMsgState state;
    int version; /* 2 or 3 while encrypted, else 0 */
    guint32 instance;
    gboolean have_fpr;
    uint8_t their_fpr[OTR_FPR_LEN];
    uint8_t ssid[OTR_SSID_LEN];
    gboolean ssid_high_half; /* v2: which half to emphasise */
} OtrStatus;
/* Status of an instance; instance 0 with no v2 peer means "selected". */
void otr_session_status(const OtrSession *s, guint32 instance, OtrStatus *st);
#define otr_session_msgstate(s) otr_session_msgstate_of(s)
OtrMsgState otr_session_msgstate_of(const OtrSession *s);

/* SMP on the selected instance (issue: SMP). question may be NULL. */
OtrError otr_session_smp_start(OtrSession *s,
                               const char *question,
                               const uint8_t *secret,
                               size_t secret_len,
                               OtrOutbox *out);
OtrError otr_session_smp_respond(OtrSession *s,
                                 const uint8_t *secret,
                                 size_t secret_len,
                                 OtrOutbox *out);
OtrError otr_session_smp_abort(OtrSession *s, OtrOutbox *out);
/* Send TLV 8 and report the key as OTR_EV_EXTRA_KEY. */
OtrError otr_session_extra_key(OtrSession *s,
                               guint32 use,
                               const uint8_t *context,
                               size_t context_len,
                               OtrOutbox *out);

G_END_DECLS

#endif /* OTR_H */
