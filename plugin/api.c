/* Offrec — the OffrecApi table handed to front-ends over IPC.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <string.h>

#include "plugin-private.h"

gboolean
otr_plugin_start(OtrConv *oc)
{
    OtrOutbox out;
    OtrError err;
    gboolean refresh = otr_session_msgstate(oc->session) == OTR_MSG_ENCRYPTED;

    otr_outbox_init(&out);
    err = otr_session_start(oc->session, &out);
    if (err == OTR_OK)
        otr_plugin_conv_write(
            oc, 0,
            refresh ? _("Refreshing the private conversation with %s...")
                    : _("Attempting to start a private conversation with "
                        "%s..."),
            oc->peer);
    otr_plugin_conv_process(oc, &out, NULL, NULL);
    otr_outbox_clear(&out);
    return err == OTR_OK;
}

gboolean
otr_plugin_end(OtrConv *oc)
{
    OtrOutbox out;
    OtrError err;
    OtrMsgState before = otr_session_msgstate(oc->session);

    otr_outbox_init(&out);
    err = otr_session_end(oc->session, &out);
    otr_plugin_conv_process(oc, &out, NULL, NULL);
    otr_outbox_clear(&out);
    if (err == OTR_OK && before == OTR_MSG_PLAINTEXT)
        otr_plugin_conv_write(oc, 0,
                              _("There is no private conversation with %s "
                                "to end."),
                              oc->peer);
    return err == OTR_OK;
}

static OtrConv *
conv_of(struct _PurpleConversation *conv, gboolean make)
{
    OtrConv *oc = otr_plugin_conv_from_purple(conv, make);

    if (oc)
        otr_plugin_conv_refresh(oc);
    return oc;
}

static OffrecState
api_get_state(struct _PurpleConversation *conv)
{
    OtrConv *oc = conv_of(conv, FALSE);

    return oc ? otr_plugin_state_compute(oc) : OFFREC_STATE_NOT_PRIVATE;
}

static char *
api_status_text(struct _PurpleConversation *conv)
{
    OtrConv *oc = conv_of(conv, TRUE);

    return oc ? otr_plugin_state_status_text(oc) : NULL;
}

static gboolean
api_start(struct _PurpleConversation *conv)
{
    OtrConv *oc = conv_of(conv, TRUE);

    return oc && otr_plugin_start(oc);
}

static gboolean
api_end(struct _PurpleConversation *conv)
{
    OtrConv *oc = conv_of(conv, FALSE);

    return !oc || otr_plugin_end(oc);
}

static gboolean
api_smp_start(struct _PurpleConversation *conv,
              const char *question,
              const char *secret)
{
    OtrConv *oc = conv_of(conv, FALSE);

    return oc && otr_plugin_smp_start(oc, question, secret);
}

static gboolean
api_smp_respond(struct _PurpleConversation *conv, const char *secret)
{
    OtrConv *oc = conv_of(conv, FALSE);

    return oc && otr_plugin_smp_respond(oc, secret);
}

static gboolean
api_smp_abort(struct _PurpleConversation *conv)
{
    OtrConv *oc = conv_of(conv, FALSE);

    return oc && otr_plugin_smp_abort(oc);
}

static gboolean
api_smp_pending(struct _PurpleConversation *conv, char **question)
{
    OtrConv *oc = conv_of(conv, FALSE);

    if (question)
        *question = oc && oc->smp_asked ? g_strdup(oc->smp_question) : NULL;
    return oc && oc->smp_asked;
}

static void
api_select_instance(struct _PurpleConversation *conv,
                    OffrecSelect how,
                    guint32 instance)
{
    OtrConv *oc = conv_of(conv, TRUE);
    OtrSelect sel = OTR_SELECT_MOST_SECURE;

    if (!oc)
        return;
    switch (how) {
    case OFFREC_SELECT_MOST_SECURE:
        sel = OTR_SELECT_MOST_SECURE;
        break;
    case OFFREC_SELECT_MOST_RECENT:
        sel = OTR_SELECT_MOST_RECENT;
        break;
    case OFFREC_SELECT_INSTANCE:
        sel = OTR_SELECT_INSTANCE;
        break;
    }
    otr_session_select(oc->session, sel, instance);
    otr_plugin_state_update(oc);
}

static GArray *
api_instances(struct _PurpleConversation *conv)
{
    OtrConv *oc = conv_of(conv, FALSE);

    return oc ? otr_session_instances(oc->session)
              : g_array_new(FALSE, FALSE, sizeof(guint32));
}

static guint32
api_selected_instance(struct _PurpleConversation *conv)
{
    OtrConv *oc = conv_of(conv, FALSE);

    return oc ? otr_session_selected(oc->session) : 0;
}

/* ---- Fingerprints ------------------------------------------------------ */

typedef struct {
    const char *user, *proto, *buddy;
    GList *list;
} FprQuery;

static gboolean
fpr_in_use(const OtrStoreFpr *f)
{
    PurpleAccount *account = purple_accounts_find(f->account, f->protocol);
    OtrConv *oc = account ? otr_plugin_conv_find(account, f->buddy) : NULL;
    GArray *tags;
    gboolean used = FALSE;

    if (!oc)
        return FALSE;
    tags = otr_session_instances(oc->session);
    for (guint i = 0; i < tags->len && !used; i++) {
        OtrStatus st;

        otr_session_status(oc->session, g_array_index(tags, guint32, i), &st);
        used = st.state == OTR_MSG_ENCRYPTED && st.have_fpr &&
               memcmp(st.their_fpr, f->fpr, OTR_FPR_LEN) == 0;
    }
    g_array_unref(tags);
    return used;
}

static void
collect_fpr(const OtrStoreFpr *f, void *user)
{
    FprQuery *q = user;
    OffrecFingerprint *o;

    if (q->user && (strcmp(f->account, q->user) != 0 ||
                    strcmp(f->protocol, q->proto) != 0))
        return;
    if (q->buddy && strcmp(f->buddy, q->buddy) != 0)
        return;
    o = g_new0(OffrecFingerprint, 1);
    o->account = g_strdup(f->account);
    o->protocol = g_strdup(f->protocol);
    o->buddy = g_strdup(f->buddy);
    otr_fingerprint_hex(f->fpr, o->hex);
    otr_fingerprint_human(f->fpr, o->human);
    o->trusted = otr_store_fpr_is_trusted(f);
    o->in_use = fpr_in_use(f);
    q->list = g_list_prepend(q->list, o);
}

static GList *
api_fingerprints(struct _PurpleAccount *account, const char *buddy)
{
    OtrPlugin *pl = otr_plugin_get();
    FprQuery q = { 0 };
    char *norm = NULL;

    if (!pl)
        return NULL;
    if (account) {
        q.user = purple_account_get_username(account);
        q.proto = purple_account_get_protocol_id(account);
        if (buddy)
            norm = g_strdup(purple_normalize(account, buddy));
    }
    q.buddy = norm ? norm : buddy;
    otr_store_fpr_foreach(pl->store, collect_fpr, &q);
    g_free(norm);
    return g_list_reverse(q.list);
}

static void
fpr_free(gpointer p)
{
    OffrecFingerprint *o = p;

    g_free(o->account);
    g_free(o->protocol);
    g_free(o->buddy);
    g_free(o);
}

static void
api_fingerprints_free(GList *list)
{
    g_list_free_full(list, fpr_free);
}

static gboolean
api_fingerprint_verify(struct _PurpleAccount *account,
                       const char *buddy,
                       const char *hex,
                       gboolean trusted)
{
    OtrPlugin *pl = otr_plugin_get();
    uint8_t fpr[OTR_FPR_LEN];
    char *norm;
    gboolean ok;

    if (!pl || !account || !buddy || !otr_plugin_fpr_parse(hex, fpr))
        return FALSE;
    norm = g_strdup(purple_normalize(account, buddy));
    ok =
        otr_store_fpr_set_trust(pl->store, purple_account_get_username(account),
                                purple_account_get_protocol_id(account), norm,
                                fpr, trusted ? "verified" : NULL);
    if (ok) {
        otr_plugin_keys_save_fprs();
        otr_plugin_trust_changed(account, norm);
    }
    g_free(norm);
    return ok;
}

static gboolean
api_fingerprint_forget(struct _PurpleAccount *account,
                       const char *buddy,
                       const char *hex)
{
    OtrPlugin *pl = otr_plugin_get();
    uint8_t fpr[OTR_FPR_LEN];
    const OtrStoreFpr *f;
    char *norm;
    gboolean ok = FALSE;

    if (!pl || !account || !buddy || !otr_plugin_fpr_parse(hex, fpr))
        return FALSE;
    norm = g_strdup(purple_normalize(account, buddy));
    f = otr_store_fpr_lookup(pl->store, purple_account_get_username(account),
                             purple_account_get_protocol_id(account), norm,
                             fpr);
    if (f && !fpr_in_use(f)) {
        ok = otr_store_fpr_remove(pl->store,
                                  purple_account_get_username(account),
                                  purple_account_get_protocol_id(account), norm,
                                  fpr);
        if (ok)
            otr_plugin_keys_save_fprs();
    }
    g_free(norm);
    return ok;
}

/* ---- Policies ------------------------------------------------------------ */

static void
refresh_all(gpointer p, gpointer unused)
{
    otr_plugin_conv_refresh(p);
}

static OffrecPolicy
api_policy_get(struct _PurpleAccount *account, const char *buddy)
{
    if (!account || !buddy)
        return (OffrecPolicy)otr_plugin_policy_global();
    return (OffrecPolicy)otr_plugin_policy_resolve(account, buddy);
}

static OffrecPolicy
api_policy_get_buddy(struct _PurpleAccount *account, const char *buddy)
{
    return account && buddy ? otr_plugin_policy_buddy(account, buddy)
                            : OFFREC_POLICY_DEFAULT;
}

static gboolean
api_policy_set_buddy(struct _PurpleAccount *account,
                     const char *buddy,
                     OffrecPolicy policy)
{
    gboolean ok =
        account && buddy && otr_plugin_policy_set_buddy(account, buddy, policy);

    otr_plugin_conv_foreach(refresh_all, NULL);
    return ok;
}

static OffrecPolicy
api_policy_get_account(struct _PurpleAccount *account)
{
    return otr_plugin_policy_account(account);
}

static void
api_policy_set_account(struct _PurpleAccount *account, OffrecPolicy policy)
{
    otr_plugin_policy_set_account(account, policy);
    otr_plugin_conv_foreach(refresh_all, NULL);
}

static OffrecPolicy
api_policy_get_global(void)
{
    return (OffrecPolicy)otr_plugin_policy_global();
}

static void
api_policy_set_global(OffrecPolicy policy)
{
    if (policy < OFFREC_POLICY_NEVER || policy > OFFREC_POLICY_ALWAYS)
        return;
    purple_prefs_set_string(PREF_POLICY,
                            otr_plugin_policy_name((OtrPolicy)policy));
    otr_plugin_conv_foreach(refresh_all, NULL);
}

static gboolean
api_avoid_logging_get(struct _PurpleAccount *account, const char *buddy)
{
    if (!account || !buddy)
        return purple_prefs_get_bool(PREF_AVOID_LOG);
    return otr_plugin_avoid_logging(account, buddy);
}

static gboolean
api_avoid_logging_set_buddy(struct _PurpleAccount *account,
                            const char *buddy,
                            int value)
{
    return account && buddy &&
           otr_plugin_avoid_logging_set_buddy(account, buddy, value);
}

/* ---- Keys ---------------------------------------------------------------- */

static char *
api_own_fingerprint(struct _PurpleAccount *account)
{
    const OtrPrivKey *key = account ? otr_plugin_keys_lookup(account) : NULL;
    uint8_t fpr[OTR_FPR_LEN];
    char h[OTR_FPR_HUMAN_LEN];

    if (!key)
        return NULL;
    otr_privkey_fingerprint(key, fpr);
    otr_fingerprint_human(fpr, h);
    return g_strdup(h);
}

static gboolean
api_keygen_start(struct _PurpleAccount *account)
{
    return account && otr_plugin_keys_generate(account, NULL);
}

static void
api_keygen_cancel(struct _PurpleAccount *account)
{
    if (account)
        otr_plugin_keys_cancel(account);
}

static int
api_keygen_progress(struct _PurpleAccount *account)
{
    return account ? otr_plugin_keys_progress(account) : -1;
}

static gboolean
api_import_pidgin_otr(const char *dir, char **summary)
{
    return otr_plugin_keys_import(dir, FALSE, summary);
}

static void
api_ui_register(guint flags)
{
    OtrPlugin *pl = otr_plugin_get();

    if (pl)
        pl->ui_flags |= flags;
}

static void
api_ui_unregister(guint flags)
{
    OtrPlugin *pl = otr_plugin_get();

    if (pl)
        pl->ui_flags &= ~flags;
}

/* ---- Appended members ---------------------------------------------- */

static gboolean
api_import_client(OffrecImportKind kind, const char *path, char **summary)
{
    switch (kind) {
    case OFFREC_IMPORT_PIDGIN_OTR:
        return otr_plugin_keys_import_client(OTR_IMPORT_PIDGIN_OTR, path,
                                             summary);
    case OFFREC_IMPORT_IRSSI:
        return otr_plugin_keys_import_client(OTR_IMPORT_IRSSI, path, summary);
    case OFFREC_IMPORT_MCABBER:
        return otr_plugin_keys_import_client(OTR_IMPORT_MCABBER, path, summary);
    case OFFREC_IMPORT_PROFANITY:
        return otr_plugin_keys_import_client(OTR_IMPORT_PROFANITY, path,
                                             summary);
    case OFFREC_IMPORT_BITLBEE:
        return otr_plugin_keys_import_client(OTR_IMPORT_BITLBEE, path, summary);
    }
    /* A value from a newer front-end: refuse rather than guess. */
    if (summary)
        *summary = NULL;
    return FALSE;
}

static const char *
option_pref(OffrecOption option)
{
    switch (option) {
    case OFFREC_OPTION_AVOID_LOGGING:
        return PREF_AVOID_LOG;
    case OFFREC_OPTION_CONFIRM_KEY_CHANGE:
        return PREF_CONFIRM;
    case OFFREC_OPTION_KNOWN_CONTACTS_ALWAYS:
        return PREF_KNOWN;
    }
    return NULL;
}

static gboolean
api_option_get(OffrecOption option)
{
    const char *pref = option_pref(option);

    return pref && purple_prefs_get_bool(pref);
}

static void
api_option_set(OffrecOption option, gboolean value)
{
    const char *pref = option_pref(option);

    if (!pref)
        return;
    purple_prefs_set_bool(pref, value);
    /* known-contacts-always changes effective policies. */
    otr_plugin_conv_foreach(refresh_all, NULL);
}

static int
api_avoid_logging_get_buddy(struct _PurpleAccount *account, const char *buddy)
{
    return account && buddy ? otr_plugin_avoid_logging_buddy(account, buddy)
                            : -1;
}

static OffrecSmpOutcome
api_smp_outcome(struct _PurpleConversation *conv)
{
    OtrConv *oc = conv ? otr_plugin_conv_from_purple(conv, FALSE) : NULL;

    return oc ? oc->smp_outcome : OFFREC_SMP_OUTCOME_NONE;
}

static gboolean
api_passphrase_set(const char *passphrase, char **error)
{
    return otr_plugin_pass_set(passphrase, error);
}

static gboolean
api_passphrase_clear(char **error)
{
    return otr_plugin_pass_clear(error);
}

static gboolean
api_passphrase_is_set(void)
{
    return otr_plugin_pass_is_set();
}

static gboolean
api_passphrase_unlock(const char *passphrase, char **error)
{
    return otr_plugin_pass_unlock(passphrase, error);
}

static gboolean
api_export_plain(const char *path, char **error)
{
    return otr_plugin_pass_export(path, error);
}

static const OffrecApi api = {
    OFFREC_API_VERSION,
    sizeof(OffrecApi),
    api_get_state,
    api_status_text,
    api_start,
    api_end,
    api_smp_start,
    api_smp_respond,
    api_smp_abort,
    api_smp_pending,
    api_select_instance,
    api_instances,
    api_selected_instance,
    api_fingerprints,
    api_fingerprints_free,
    api_fingerprint_verify,
    api_fingerprint_forget,
    api_policy_get,
    api_policy_get_buddy,
    api_policy_set_buddy,
    api_policy_get_account,
    api_policy_set_account,
    api_policy_get_global,
    api_policy_set_global,
    api_avoid_logging_get,
    api_avoid_logging_set_buddy,
    api_own_fingerprint,
    api_keygen_start,
    api_keygen_cancel,
    api_keygen_progress,
    api_import_pidgin_otr,
    api_ui_register,
    api_ui_unregister,
    api_import_client,
    api_option_get,
    api_option_set,
    api_avoid_logging_get_buddy,
    api_smp_outcome,
    api_passphrase_set,
    api_passphrase_clear,
    api_passphrase_is_set,
    api_passphrase_unlock,
    api_export_plain,
};

const OffrecApi *
otr_plugin_api(void)
{
    return &api;
}
