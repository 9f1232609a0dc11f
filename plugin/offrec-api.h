/* Offrec — the typed API table the core plugin hands to front-ends.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Front-ends (offrec-gtk.so, offrec-gnt.so) cannot link against offrec.so
 * (libpurple opens plugins with local binding). They get this table with
 *
 *   PurplePlugin *core = purple_plugins_find_with_id(OFFREC_PLUGIN_ID);
 *   const OffrecApi *api = purple_plugin_ipc_call(core, OFFREC_IPC_GET_API,
 *                                                 &ok, NULL);
 *
 * and check api->version >= the version they were built for and
 * api->size >= the offset of the last member they use. Members are only
 * ever appended. Every function runs on the main thread only.
 *
 * Events are plugin signals on the core plugin handle (connect with
 * purple_signal_connect(core, name, ui_plugin, cb, data)):
 *
 *   "otr-state-changed"        void (PurpleConversation *conv,
 *                                     guint OffrecState, gpointer data)
 *   "otr-smp-progress"         void (PurpleConversation *conv,
 *                                     int OffrecSmpEvent, int percent,
 *                                     gpointer data)
 *   "otr-fingerprint-new"      void (PurpleAccount *account,
 *                                     const char *buddy,
 *                                     const char *fpr_human, gpointer data)
 *   "otr-fingerprint-changed"  void (PurpleConversation *conv,
 *                                     const char *old_fpr_human,
 *                                     const char *new_fpr_human,
 *                                     gpointer data)
 *   "otr-keygen-progress"      void (PurpleAccount *account, int percent,
 *                                     int OffrecKeygenEvent, gpointer data)
 */
#ifndef OFFREC_API_H
#define OFFREC_API_H

#include <glib.h>

G_BEGIN_DECLS

#define OFFREC_PLUGIN_ID   "core-offrec"
#define OFFREC_IPC_GET_API "get-api"
#define OFFREC_API_VERSION 1

/* Forward declarations: the header does not pull libpurple in. */
struct _PurpleConversation;
struct _PurpleAccount;

typedef enum {
    OFFREC_STATE_NOT_PRIVATE,
    OFFREC_STATE_UNVERIFIED,
    OFFREC_STATE_PRIVATE,
    OFFREC_STATE_FINISHED,
} OffrecState;

/* Same values as core OtrPolicy; DEFAULT = "inherit from the wider level". */
typedef enum {
    OFFREC_POLICY_DEFAULT = -1,
    OFFREC_POLICY_NEVER = 0,
    OFFREC_POLICY_MANUAL,
    OFFREC_POLICY_OPPORTUNISTIC,
    OFFREC_POLICY_ALWAYS,
} OffrecPolicy;

typedef enum {
    OFFREC_SELECT_MOST_SECURE,
    OFFREC_SELECT_MOST_RECENT,
    OFFREC_SELECT_INSTANCE,
} OffrecSelect;

typedef enum {
    OFFREC_SMP_ASKED,    /* the buddy started SMP: answer it */
    OFFREC_SMP_PROGRESS, /* a step completed */
    OFFREC_SMP_SUCCESS,
    OFFREC_SMP_FAILURE,
    OFFREC_SMP_ABORTED,
    OFFREC_SMP_ERROR,
} OffrecSmpEvent;

typedef enum {
    OFFREC_KEYGEN_STARTED,
    OFFREC_KEYGEN_PROGRESS,
    OFFREC_KEYGEN_DONE,
    OFFREC_KEYGEN_FAILED, /* failed or cancelled */
} OffrecKeygenEvent;

/* What a front-end draws itself: the core plugin then opens no fallback
 * purple_request/purple_notify dialog for it. */
typedef enum {
    OFFREC_UI_SMP = 1 << 0,    /* SMP questions and progress */
    OFFREC_UI_KEYGEN = 1 << 1, /* key generation progress */
} OffrecUiFlags;

/* Other libotr clients whose files import_client reads. */
typedef enum {
    OFFREC_IMPORT_PIDGIN_OTR,
    OFFREC_IMPORT_IRSSI,
    OFFREC_IMPORT_MCABBER,
    OFFREC_IMPORT_PROFANITY,
    OFFREC_IMPORT_BITLBEE,
} OffrecImportKind;

/* Global switches of the plugin (option_get / option_set). */
typedef enum {
    OFFREC_OPTION_AVOID_LOGGING,         /* don't log OTR conversations */
    OFFREC_OPTION_CONFIRM_KEY_CHANGE,    /* ask before sending after a key
                                            change */
    OFFREC_OPTION_KNOWN_CONTACTS_ALWAYS, /* policy "always" for buddies
                                            with a known fingerprint */
} OffrecOption;

/* Who was authenticated by the last successful SMP of a conversation. */
typedef enum {
    OFFREC_SMP_OUTCOME_NONE,          /* no success since the last start */
    OFFREC_SMP_OUTCOME_WE_VERIFIED,   /* our question or a shared secret:
                                         the buddy's key is now verified */
    OFFREC_SMP_OUTCOME_THEY_VERIFIED, /* we answered their question: they
                                         verified us, not we them */
} OffrecSmpOutcome;

typedef struct {
    char *account;  /* libpurple account user name */
    char *protocol; /* libpurple protocol id */
    char *buddy;    /* normalized buddy name */
    char hex[41];   /* 40 lower-case hex digits */
    char human[45]; /* "XXXXXXXX XXXXXXXX ..." */
    gboolean trusted;
    gboolean in_use; /* an encrypted session currently uses it */
} OffrecFingerprint;

typedef struct {
    guint version; /* OFFREC_API_VERSION of the core plugin */
    gsize size;    /* sizeof(OffrecApi) of the core plugin */

    /* Conversation state and actions. conv is an IM conversation. */
    OffrecState (*get_state)(struct _PurpleConversation *conv);
    /* Multi-line human summary as /otr status prints it; g_free. */
    char *(*status_text)(struct _PurpleConversation *conv);
    gboolean (*start)(struct _PurpleConversation *conv); /* or refresh */
    gboolean (*end)(struct _PurpleConversation *conv);

    /* SMP; question may be NULL. Secrets are copied and wiped. */
    gboolean (*smp_start)(struct _PurpleConversation *conv,
                          const char *question,
                          const char *secret);
    gboolean (*smp_respond)(struct _PurpleConversation *conv,
                            const char *secret);
    gboolean (*smp_abort)(struct _PurpleConversation *conv);
    /* TRUE when the buddy asked and we have not answered; *question
     * (may be NULL) gets a copy of the question or NULL; g_free. */
    gboolean (*smp_pending)(struct _PurpleConversation *conv, char **question);

    /* Remote instances. */
    void (*select_instance)(struct _PurpleConversation *conv,
                            OffrecSelect how,
                            guint32 instance);
    GArray *(*instances)(struct _PurpleConversation *conv); /* guint32 */
    guint32 (*selected_instance)(struct _PurpleConversation *conv);

    /* Fingerprints. account/buddy NULL = all. List of OffrecFingerprint*,
     * free with fingerprints_free. hex: 40 hex digits (spaces allowed). */
    GList *(*fingerprints)(struct _PurpleAccount *account, const char *buddy);
    void (*fingerprints_free)(GList *list);
    gboolean (*fingerprint_verify)(struct _PurpleAccount *account,
                                   const char *buddy,
                                   const char *hex,
                                   gboolean trusted);
    /* Refuses (FALSE) while an encrypted session uses the fingerprint. */
    gboolean (*fingerprint_forget)(struct _PurpleAccount *account,
                                   const char *buddy,
                                   const char *hex);

    /* Policies (OffrecPolicy). policy_get is the effective one. */
    OffrecPolicy (*policy_get)(struct _PurpleAccount *account,
                               const char *buddy);
    OffrecPolicy (*policy_get_buddy)(struct _PurpleAccount *account,
                                     const char *buddy);
    gboolean (*policy_set_buddy)(struct _PurpleAccount *account,
                                 const char *buddy,
                                 OffrecPolicy policy);
    OffrecPolicy (*policy_get_account)(struct _PurpleAccount *account);
    void (*policy_set_account)(struct _PurpleAccount *account,
                               OffrecPolicy policy);
    OffrecPolicy (*policy_get_global)(void);
    void (*policy_set_global)(OffrecPolicy policy); /* not DEFAULT */
    /* "Don't log OTR conversations": effective value, and the buddy's
     * own setting (-1 default, 0 log, 1 don't log). */
    gboolean (*avoid_logging_get)(struct _PurpleAccount *account,
                                  const char *buddy);
    gboolean (*avoid_logging_set_buddy)(struct _PurpleAccount *account,
                                        const char *buddy,
                                        int value);

    /* Own keys. own_fingerprint: human form or NULL; g_free. */
    char *(*own_fingerprint)(struct _PurpleAccount *account);
    gboolean (*keygen_start)(struct _PurpleAccount *account);
    void (*keygen_cancel)(struct _PurpleAccount *account);
    int (*keygen_progress)(struct _PurpleAccount *account); /* -1: none */

    /* Import pidgin-otr's otr.private_key, otr.fingerprints and
     * otr.instance_tags from dir (NULL: purple_user_dir()). *summary
     * (may be NULL) gets a human summary; g_free. */
    gboolean (*import_pidgin_otr)(const char *dir, char **summary);

    /* A front-end announces what it draws itself (OffrecUiFlags). */
    void (*ui_register)(guint flags);
    void (*ui_unregister)(guint flags);

    /* ---- Appended later: check size before use, e.g.
     *      api->size >= G_STRUCT_OFFSET(OffrecApi, smp_outcome) +
     *                   sizeof(api->smp_outcome) ---- */

    /* Import another libotr client's keys, fingerprints and instance tags.
     * path: the client's OTR directory (pidgin-otr: NULL = purple_user_dir;
     * irssi: ~/.irssi/otr; profanity: its otr/<account> directory), or for
     * mcabber and bitlbee a directory (every <jid>.key / <user>.otr_keys in
     * it) or one such key file. Existing keys are kept. *summary (may be
     * NULL) gets a human summary; g_free. */
    gboolean (*import_client)(OffrecImportKind kind,
                              const char *path,
                              char **summary);
    gboolean (*option_get)(OffrecOption option);
    void (*option_set)(OffrecOption option, gboolean value);
    /* The buddy's own don't-log setting: -1 default, 0 log, 1 don't log. */
    int (*avoid_logging_get_buddy)(struct _PurpleAccount *account,
                                   const char *buddy);
    /* Valid in an OFFREC_SMP_SUCCESS handler and until the next SMP. */
    OffrecSmpOutcome (*smp_outcome)(struct _PurpleConversation *conv);

    /* Passphrase protection of the private keys: one passphrase for every
     * account's key (plugin-wide, not per account). While set, the keys
     * are kept only in otr.private_key.sealed; at load the plugin asks for
     * the passphrase itself (a masked purple_request_input). The
     * passphrases given are copied and wiped after use; the caller wipes
     * its own copies. *error (may be NULL) gets a message; g_free. */
    /* Sets or changes the passphrase; fails while a key is locked or when
     * there is no key. */
    gboolean (*passphrase_set)(const char *passphrase, char **error);
    /* Removes the protection: the keys go back to otr.private_key. */
    gboolean (*passphrase_clear)(char **error);
    gboolean (*passphrase_is_set)(void);
    /* Unlocks the locked keys; passphrase NULL opens the plugin's unlock
     * request instead (and returns FALSE). TRUE when none is locked. */
    gboolean (*passphrase_unlock)(const char *passphrase, char **error);
    /* Writes every key, protected ones included, to path as a plain libotr
     * private-key file (mode 0600); fails while a key is locked. */
    gboolean (*export_plain)(const char *path, char **error);
} OffrecApi;

G_END_DECLS

#endif /* OFFREC_API_H */
