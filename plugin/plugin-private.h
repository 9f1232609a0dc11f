/* Offrec — internal declarations shared by the files of offrec.so.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef OFFREC_PLUGIN_PRIVATE_H
#define OFFREC_PLUGIN_PRIVATE_H

#include <string.h>

#include <glib/gi18n-lib.h>

#include "offrec-api.h"
#include "otr.h"
#include "purple.h"
#include "store.h"

#define PREF_ROOT      "/plugins/core/" OFFREC_PLUGIN_ID
#define PREF_POLICY    PREF_ROOT "/policy"
#define PREF_KNOWN     PREF_ROOT "/known-contacts-always"
#define PREF_AVOID_LOG PREF_ROOT "/avoid-logging"
#define PREF_CONFIRM   PREF_ROOT "/confirm-after-key-change"
#define PREF_FRAGMENTS PREF_ROOT "/fragment-sizes"
#define PREF_SELECT    PREF_ROOT "/instance-select"
#define PREF_IMPORTED  PREF_ROOT "/imported-pidgin-otr"

#define ACCOUNT_POLICY_KEY "otr-policy"        /* purple_account string */
#define BUDDY_POLICY_KEY   "otr-policy"        /* blist node string */
#define BUDDY_AVOID_LOG    "otr-avoid-logging" /* blist node string */

/* One OTR conversation: a local account and a (normalized) remote name.
 * Lives independently of the PurpleConversation window. */
typedef struct {
    PurpleAccount *account;
    char *peer; /* normalized: the map key and the fingerprint buddy */
    char *who;  /* name to send to (last one seen or typed) */
    OtrSession *session;
    OffrecState state;       /* last published security state */
    GHashTable *inst_states; /* instance tag -> OtrMsgState + 1 */
    gboolean logging_saved;  /* we turned logging off */
    gboolean logging_was;
    /* Key change: the next typed message needs confirmation. */
    gboolean confirm_pending;
    void *confirm_ui;
    void *confirm_ctx; /* freed here if the dialog is closed unanswered */
    GPtrArray *confirm_texts; /* held HTML messages */
    /* SMP */
    gboolean smp_asked;     /* buddy asked, not answered */
    gboolean smp_answering; /* we answered their question */
    gboolean smp_running;
    char *smp_question;
    OffrecSmpOutcome smp_outcome; /* of the last successful SMP */
    void *smp_ui;                 /* fallback request handle */
    void *smp_ctx;                /* its callback data, owned while open */
    gboolean keygen_line;         /* "generating key" already written */
} OtrConv;

typedef struct {
    PurplePlugin *handle;
    OtrStore *store;
    char *dir;
    GHashTable *convs;        /* "account-ptr\npeer" -> OtrConv */
    GHashTable *keygen_notes; /* "user\nprotocol" -> notify handle */
    GHashTable *keygen_pct;   /* "user\nprotocol" -> percent + 1 */
    GPtrArray *cmd_ids;
    guint tick_id;
    guint ui_flags;
    int injecting;    /* > 0 while we call serv_send_im */
    void *unlock_ui;  /* open "unlock keys" request */
    void *protect_ui; /* open "protect new key" request */
    gboolean pass_on; /* a passphrase is set: new keys get sealed */
    char *pass_check; /* last sealed lines, to check a passphrase */
} OtrPlugin;

/* Wipes a secret copy (otr_wipe() is core-private). */
static inline void
otr_plugin_wipe(void *p, size_t n)
{
    if (p)
        explicit_bzero(p, n);
}

/* plugin.c */
OtrPlugin *otr_plugin_get(void); /* NULL when not loaded */
const OtrHostOps *otr_plugin_host_ops(void);
void otr_plugin_debug(const char *fmt, ...) G_GNUC_PRINTF(1, 2);

/* policy.c */
void otr_plugin_policy_add_prefs(void);
const char *otr_plugin_policy_name(OtrPolicy p);
gboolean otr_plugin_policy_parse(const char *s, OtrPolicy *p);
OffrecPolicy otr_plugin_policy_buddy(PurpleAccount *account, const char *who);
gboolean otr_plugin_policy_set_buddy(PurpleAccount *account,
                                     const char *who,
                                     OffrecPolicy p);
OffrecPolicy otr_plugin_policy_account(PurpleAccount *account);
void otr_plugin_policy_set_account(PurpleAccount *account, OffrecPolicy p);
OtrPolicy otr_plugin_policy_global(void);
OtrPolicy otr_plugin_policy_resolve(PurpleAccount *account, const char *who);
gboolean otr_plugin_avoid_logging(PurpleAccount *account, const char *who);
/* The buddy's own setting: -1 default, 0 log, 1 don't log. */
int otr_plugin_avoid_logging_buddy(PurpleAccount *account, const char *who);
gboolean otr_plugin_avoid_logging_set_buddy(PurpleAccount *account,
                                            const char *who,
                                            int value);
size_t otr_plugin_fragment_size(PurpleAccount *account);

/* conv.c */
void otr_plugin_convs_init(OtrPlugin *pl);
void otr_plugin_convs_free(OtrPlugin *pl);
OtrConv *otr_plugin_conv_find(PurpleAccount *account, const char *who);
OtrConv *otr_plugin_conv_get(PurpleAccount *account, const char *who);
OtrConv *otr_plugin_conv_from_purple(PurpleConversation *conv, gboolean make);
void otr_plugin_conv_refresh(OtrConv *oc); /* policy, fragment size */
void otr_plugin_conv_drop(OtrConv *oc);    /* end (disconnect) and free */
void otr_plugin_conv_end_all(PurpleAccount *account); /* NULL: all */
void otr_plugin_conv_foreach(GFunc func, gpointer data);
/* Finds or (make) opens the PurpleConversation for oc. */
PurpleConversation *otr_plugin_conv_purple(OtrConv *oc, gboolean make);
void otr_plugin_conv_write(OtrConv *oc,
                           PurpleMessageFlags extra,
                           const char *fmt,
                           ...) G_GNUC_PRINTF(3, 4);
/* Handles every event. wires: when non-NULL, WIRE texts are appended
 * (transfer full) instead of injected; displays likewise for DISPLAY
 * events (OtrEvent copies: char * text with is_private in a tag). */
typedef struct {
    char *text;
    gboolean is_private;
} OtrShown;
void otr_plugin_conv_process(OtrConv *oc,
                             OtrOutbox *out,
                             GPtrArray *wires,
                             GArray *shown);
void otr_plugin_inject(OtrConv *oc, const char *text);
void otr_plugin_tick_start(OtrPlugin *pl);

/* markup.c */
char *otr_plugin_markup_to_plain(const char *html);
char *otr_plugin_markup_to_otr(const char *html);
char *otr_plugin_markup_from_plain(const char *plain);
gboolean otr_plugin_markup_is_otr(const char *text);
char *otr_plugin_markup_strip_tag(const char *html);
const char *otr_plugin_markup_tag_suffix(const char *plain, const char *wire);

/* messages.c */
void otr_plugin_messages_connect(OtrPlugin *pl);
void otr_plugin_messages_disconnect(OtrPlugin *pl);
void otr_plugin_send_text(OtrConv *oc, const char *html, char **message);

/* state.c */
OffrecState otr_plugin_state_compute(OtrConv *oc);
void otr_plugin_state_update(OtrConv *oc);
void otr_plugin_state_on_event(OtrConv *oc, const OtrEvent *ev);
void otr_plugin_state_on_fingerprint(OtrConv *oc, const OtrEvent *ev);
void otr_plugin_state_restore_logging(OtrConv *oc);
const char *otr_plugin_state_name(OffrecState st);
char *otr_plugin_state_status_text(OtrConv *oc);
void otr_plugin_state_confirm_send(OtrConv *oc, const char *html);
void otr_plugin_state_confirm_close(OtrConv *oc);
void otr_plugin_signals_register(PurplePlugin *plugin);
void otr_plugin_trust_changed(PurpleAccount *account, const char *buddy);

/* keys.c */
gboolean otr_plugin_keys_init(OtrPlugin *pl);
void otr_plugin_keys_save_fprs(void);
void otr_plugin_keys_save_keys(void);      /* sealed file, then plain file */
gboolean otr_plugin_keys_save_plain(void); /* otr.private_key only */
/* Continues the sessions of account that wait for its key. */
void otr_plugin_keys_resume(PurpleAccount *account);
guint32 otr_plugin_keys_instag(PurpleAccount *account);
const OtrPrivKey *otr_plugin_keys_lookup(PurpleAccount *account);
gboolean otr_plugin_keys_generate(PurpleAccount *account, OtrConv *waiting);
void otr_plugin_keys_cancel(PurpleAccount *account);
int otr_plugin_keys_progress(PurpleAccount *account);
gboolean otr_plugin_keys_import(const char *dir,
                                gboolean replace,
                                char **summary);
/* Another client's files: see OffrecApi.import_client. */
gboolean otr_plugin_keys_import_client(OtrImportSource source,
                                       const char *path,
                                       char **summary);
gboolean otr_plugin_fpr_parse(const char *hex, uint8_t fpr[OTR_FPR_LEN]);

/* passphrase.c */
void otr_plugin_pass_load(OtrPlugin *pl);
gboolean otr_plugin_pass_save(void); /* the sealed file only */
gboolean otr_plugin_pass_is_set(void);
gboolean otr_plugin_pass_is_locked(PurpleAccount *account);
/* Opens the unlock request unless one is open or nothing is locked. */
void otr_plugin_pass_ask_unlock(void);
/* pass NULL: open the unlock request. */
gboolean otr_plugin_pass_unlock(const char *pass, char **error);
gboolean otr_plugin_pass_set(const char *pass, char **error);
gboolean otr_plugin_pass_clear(char **error);
gboolean otr_plugin_pass_export(const char *path, char **error);
/* Saves the keys after new ones were added, sealing them (after asking)
 * while a passphrase is set. */
void otr_plugin_pass_new_keys(void);
/* Opens the plugin's own set-passphrase dialog (masked, with confirm). */
void otr_plugin_pass_dialog(void);

/* smp-ui.c */
void otr_plugin_smp_on_event(OtrConv *oc, const OtrEvent *ev);
gboolean otr_plugin_smp_start(OtrConv *oc,
                              const char *question,
                              const char *secret);
gboolean otr_plugin_smp_respond(OtrConv *oc, const char *secret);
gboolean otr_plugin_smp_abort(OtrConv *oc);
void otr_plugin_smp_close_ui(OtrConv *oc);

/* commands.c */
void otr_plugin_commands_register(OtrPlugin *pl);
void otr_plugin_commands_unregister(OtrPlugin *pl);

/* lifecycle.c */
void otr_plugin_lifecycle_connect(OtrPlugin *pl);

/* api.c */
const OffrecApi *otr_plugin_api(void);
gboolean otr_plugin_start(OtrConv *oc);
gboolean otr_plugin_end(OtrConv *oc);

#endif /* OFFREC_PLUGIN_PRIVATE_H */
