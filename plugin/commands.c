/* Offrec — the /otr command, the same in Pidgin, Finch and any libpurple UI.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <string.h>

#include "plugin-private.h"

#define USAGE                                                                  \
    N_("Usage: /otr start|end|status|auth SECRET|auth-q QUESTION "             \
       "SECRET|auth-abort|trust|distrust|fingerprint|policy "                  \
       "[never|manual|opportunistic|always|default]|genkey|instance "          \
       "[secure|recent|TAG]|help")
/* Kept apart so that USAGE's translations stay valid. */
#define USAGE_PASS N_("/otr passphrase [set|off|unlock|export FILE]")

static void
say(OtrConv *oc, const char *text)
{
    otr_plugin_conv_write(oc, 0, "%s", text);
}

static void
wipe_free(char *s)
{
    if (s) {
        otr_plugin_wipe(s, strlen(s));
        g_free(s);
    }
}

/* "QUESTION SECRET": the question is one word or quoted ("..." or '...',
 * backslash escapes the quote); the secret is the rest. */
static gboolean
split_question(const char *in, char **question, char **secret)
{
    GString *q = g_string_new(NULL);
    const char *p = in;
    char quote = 0;

    while (*p == ' ')
        p++;
    if (*p == '"' || *p == '\'')
        quote = *p++;
    for (; *p; p++) {
        if (quote && *p == '\\' && (p[1] == quote || p[1] == '\\')) {
            g_string_append_c(q, *++p);
            continue;
        }
        if (quote ? *p == quote : *p == ' ')
            break;
        g_string_append_c(q, *p);
    }
    if (quote && *p != quote) {
        g_string_free(q, TRUE);
        return FALSE;
    }
    if (*p)
        p++;
    while (*p == ' ')
        p++;
    if (q->len == 0 || !*p) {
        g_string_free(q, TRUE);
        return FALSE;
    }
    *question = g_string_free(q, FALSE);
    *secret = g_strdup(p);
    g_strchomp(*secret);
    return TRUE;
}

static const char *
current_fpr(OtrConv *oc, uint8_t fpr[OTR_FPR_LEN])
{
    OtrStatus st;

    otr_session_status(oc->session, otr_session_selected(oc->session), &st);
    if (st.state != OTR_MSG_ENCRYPTED || !st.have_fpr)
        return NULL;
    memcpy(fpr, st.their_fpr, OTR_FPR_LEN);
    return "ok";
}

static PurpleCmdRet
cmd_trust(OtrConv *oc, gboolean trust, char **error)
{
    OtrPlugin *pl = otr_plugin_get();
    uint8_t fpr[OTR_FPR_LEN];
    char h[OTR_FPR_HUMAN_LEN];
    const char *user = purple_account_get_username(oc->account);
    const char *proto = purple_account_get_protocol_id(oc->account);

    if (!current_fpr(oc, fpr)) {
        *error = g_strdup(_("There is no private conversation whose "
                            "fingerprint could be trusted."));
        return PURPLE_CMD_RET_FAILED;
    }
    otr_store_fpr_add(pl->store, user, proto, oc->peer, fpr, NULL);
    otr_store_fpr_set_trust(pl->store, user, proto, oc->peer, fpr,
                            trust ? "verified" : NULL);
    otr_plugin_keys_save_fprs();
    otr_fingerprint_human(fpr, h);
    otr_plugin_conv_write(oc, 0,
                          trust ? _("You trust %s's fingerprint %s.")
                                : _("You no longer trust %s's fingerprint "
                                    "%s."),
                          oc->peer, h);
    otr_plugin_trust_changed(oc->account, oc->peer);
    return PURPLE_CMD_RET_OK;
}

static PurpleCmdRet
cmd_fingerprint(OtrConv *oc)
{
    const OtrPrivKey *key = otr_plugin_keys_lookup(oc->account);
    uint8_t fpr[OTR_FPR_LEN];
    char h[OTR_FPR_HUMAN_LEN];
    GString *s = g_string_new(NULL);

    if (key) {
        otr_privkey_fingerprint(key, fpr);
        otr_fingerprint_human(fpr, h);
        g_string_append_printf(s, _("Your fingerprint (%s): %s"),
                               purple_account_get_username(oc->account), h);
    } else if (otr_plugin_pass_is_locked(oc->account)) {
        g_string_append(s, _("Your private key is locked: unlock it with "
                             "your passphrase (/otr passphrase unlock)."));
    } else {
        g_string_append(s, _("You have no private key yet (/otr genkey)."));
    }
    if (current_fpr(oc, fpr)) {
        otr_fingerprint_human(fpr, h);
        g_string_append_printf(s, _("\n%s's fingerprint: %s"), oc->peer, h);
    } else {
        g_string_append_printf(s,
                               _("\n%s's fingerprint: unknown (no private "
                                 "conversation)"),
                               oc->peer);
    }
    say(oc, s->str);
    g_string_free(s, TRUE);
    return PURPLE_CMD_RET_OK;
}

static PurpleCmdRet
cmd_policy(OtrConv *oc, const char *arg, char **error)
{
    OtrPolicy p;

    if (!arg || !*arg) {
        OffrecPolicy own = otr_plugin_policy_buddy(oc->account, oc->peer);
        char *line = g_strdup_printf(_("OTR policy for %s: %s (%s)."), oc->peer,
                                     otr_plugin_policy_name(
                                         otr_plugin_policy_resolve(oc->account,
                                                                   oc->peer)),
                                     own == OFFREC_POLICY_DEFAULT
                                         ? _("default")
                                         : _("set for this buddy"));

        say(oc, line);
        g_free(line);
        return PURPLE_CMD_RET_OK;
    }
    if (strcmp(arg, "default") != 0 && !otr_plugin_policy_parse(arg, &p)) {
        *error = g_strdup_printf(_("Unknown policy \"%s\": use never, manual, "
                                   "opportunistic, always or default."),
                                 arg);
        return PURPLE_CMD_RET_FAILED;
    }
    if (!otr_plugin_policy_set_buddy(oc->account, oc->peer,
                                     strcmp(arg, "default") == 0
                                         ? OFFREC_POLICY_DEFAULT
                                         : (OffrecPolicy)p)) {
        *error = g_strdup_printf(_("%s is not in your buddy list; the "
                                   "policy can only be set for buddies."),
                                 oc->peer);
        return PURPLE_CMD_RET_FAILED;
    }
    otr_plugin_conv_refresh(oc);
    return cmd_policy(oc, NULL, error);
}

static PurpleCmdRet
cmd_instance(OtrConv *oc, const char *arg, char **error)
{
    GArray *tags;
    GString *s;
    guint64 tag;
    char *end = NULL;

    if (arg && *arg) {
        if (strcmp(arg, "secure") == 0) {
            otr_session_select(oc->session, OTR_SELECT_MOST_SECURE, 0);
        } else if (strcmp(arg, "recent") == 0) {
            otr_session_select(oc->session, OTR_SELECT_MOST_RECENT, 0);
        } else {
            tag = g_ascii_strtoull(arg, &end, 16);
            if (end == arg || *end || tag > G_MAXUINT32) {
                *error = g_strdup(_("Usage: /otr instance "
                                    "[secure|recent|TAG] (TAG in hex)"));
                return PURPLE_CMD_RET_FAILED;
            }
            otr_session_select(oc->session, OTR_SELECT_INSTANCE, (guint32)tag);
        }
        otr_plugin_state_update(oc);
    }
    tags = otr_session_instances(oc->session);
    s = g_string_new(NULL);
    g_string_append_printf(s, _("Selected instance: %08x. Known:"),
                           otr_session_selected(oc->session));
    for (guint i = 0; i < tags->len; i++) {
        OtrStatus st;
        guint32 t = g_array_index(tags, guint32, i);

        otr_session_status(oc->session, t, &st);
        g_string_append_printf(s, " %08x (%s)", t,
                               st.state == OTR_MSG_ENCRYPTED ? _("private")
                               : st.state == OTR_MSG_FINISHED
                                   ? _("finished")
                                   : _("not private"));
    }
    if (tags->len == 0)
        g_string_append(s, _(" none"));
    say(oc, s->str);
    g_string_free(s, TRUE);
    g_array_unref(tags);
    return PURPLE_CMD_RET_OK;
}

static PurpleCmdRet
cmd_auth(OtrConv *oc, const char *arg, gboolean with_question, char **error)
{
    char *question = NULL, *secret = NULL;
    gboolean ok;

    if (with_question) {
        if (!arg || !split_question(arg, &question, &secret)) {
            *error = g_strdup(_("Usage: /otr auth-q \"QUESTION\" SECRET"));
            return PURPLE_CMD_RET_FAILED;
        }
    } else {
        if (!arg || !*arg) {
            *error = g_strdup(_("Usage: /otr auth SECRET"));
            return PURPLE_CMD_RET_FAILED;
        }
        secret = g_strdup(arg);
    }
    if (!with_question && oc->smp_asked)
        ok = otr_plugin_smp_respond(oc, secret);
    else
        ok = otr_plugin_smp_start(oc, question, secret);
    wipe_free(secret);
    g_free(question);
    if (!ok) {
        *error = g_strdup(_("Authentication could not be started: is the "
                            "conversation private?"));
        return PURPLE_CMD_RET_FAILED;
    }
    return PURPLE_CMD_RET_OK;
}

static PurpleCmdRet
cmd_passphrase(OtrConv *oc, const char *arg, char **error)
{
    char *err = NULL;

    if (!arg || !*arg) {
        say(oc, otr_plugin_pass_is_locked(oc->account)
                    ? _("Your private keys are protected by a passphrase "
                        "and locked.")
                : otr_plugin_pass_is_set()
                    ? _("Your private keys are protected by a passphrase.")
                    : _("Your private keys are not protected by a "
                        "passphrase."));
        return PURPLE_CMD_RET_OK;
    }
    if (strcmp(arg, "set") == 0) {
        otr_plugin_pass_dialog();
        return PURPLE_CMD_RET_OK;
    }
    if (strcmp(arg, "unlock") == 0) {
        otr_plugin_pass_ask_unlock();
        return PURPLE_CMD_RET_OK;
    }
    if (strcmp(arg, "off") == 0) {
        if (!otr_plugin_pass_clear(&err))
            goto fail;
        say(oc, _("Your private keys are no longer protected by a "
                  "passphrase."));
        return PURPLE_CMD_RET_OK;
    }
    if (strncmp(arg, "export ", 7) == 0) {
        const char *path = arg + 7;

        while (*path == ' ')
            path++;
        if (!otr_plugin_pass_export(path, &err))
            goto fail;
        otr_plugin_conv_write(oc, 0,
                              _("Your private keys were written, "
                                "unprotected, to %s."),
                              path);
        return PURPLE_CMD_RET_OK;
    }
    *error = g_strdup(_("Usage: /otr passphrase [set|off|unlock|export "
                        "FILE]"));
    return PURPLE_CMD_RET_FAILED;
fail:
    *error = err ? err : g_strdup(_("Failed."));
    return PURPLE_CMD_RET_FAILED;
}

static PurpleCmdRet
otr_cmd(PurpleConversation *conv,
        const gchar *cmd,
        gchar **args,
        gchar **error,
        void *unused)
{
    const char *sub = args && args[0] ? args[0] : "";
    const char *rest = args && args[0] && args[1] ? args[1] : NULL;
    OtrConv *oc;
    char *text;

    if (!*sub || strcmp(sub, "help") == 0) {
        char *usage = g_strdup_printf("%s\n%s", _(USAGE), _(USAGE_PASS));

        purple_conversation_write(conv, NULL, usage,
                                  PURPLE_MESSAGE_SYSTEM | PURPLE_MESSAGE_NO_LOG,
                                  time(NULL));
        g_free(usage);
        return PURPLE_CMD_RET_OK;
    }
    oc = otr_plugin_conv_from_purple(conv, TRUE);
    if (!oc) {
        *error = g_strdup(_("OTR is not available in this conversation."));
        return PURPLE_CMD_RET_FAILED;
    }
    otr_plugin_conv_refresh(oc);
    if (strcmp(sub, "start") == 0 || strcmp(sub, "refresh") == 0) {
        if (!otr_plugin_start(oc)) {
            *error = g_strdup(_("OTR is disabled for this buddy (policy "
                                "never)."));
            return PURPLE_CMD_RET_FAILED;
        }
        return PURPLE_CMD_RET_OK;
    }
    if (strcmp(sub, "end") == 0 || strcmp(sub, "stop") == 0) {
        otr_plugin_end(oc);
        return PURPLE_CMD_RET_OK;
    }
    if (strcmp(sub, "status") == 0 || strcmp(sub, "info") == 0) {
        text = otr_plugin_state_status_text(oc);
        say(oc, text);
        g_free(text);
        return PURPLE_CMD_RET_OK;
    }
    if (strcmp(sub, "auth") == 0)
        return cmd_auth(oc, rest, FALSE, error);
    if (strcmp(sub, "auth-q") == 0)
        return cmd_auth(oc, rest, TRUE, error);
    if (strcmp(sub, "auth-abort") == 0) {
        otr_plugin_smp_abort(oc);
        return PURPLE_CMD_RET_OK;
    }
    if (strcmp(sub, "trust") == 0)
        return cmd_trust(oc, TRUE, error);
    if (strcmp(sub, "distrust") == 0)
        return cmd_trust(oc, FALSE, error);
    if (strcmp(sub, "fingerprint") == 0)
        return cmd_fingerprint(oc);
    if (strcmp(sub, "policy") == 0)
        return cmd_policy(oc, rest ? g_strstrip((char *)rest) : NULL, error);
    if (strcmp(sub, "genkey") == 0) {
        if (otr_plugin_keys_lookup(oc->account) &&
            !(rest && strcmp(rest, "new") == 0)) {
            *error = g_strdup(_("You already have a private key for this "
                                "account; /otr genkey new replaces it."));
            return PURPLE_CMD_RET_FAILED;
        }
        otr_plugin_keys_generate(oc->account, NULL);
        say(oc, _("Generating a new private key; this may take a moment."));
        return PURPLE_CMD_RET_OK;
    }
    if (strcmp(sub, "passphrase") == 0)
        return cmd_passphrase(oc, rest ? g_strstrip((char *)rest) : NULL,
                              error);
    if (strcmp(sub, "instance") == 0)
        return cmd_instance(oc, rest ? g_strstrip((char *)rest) : NULL, error);
    *error =
        g_strdup_printf(_("Unknown /otr command \"%s\". %s"), sub, _(USAGE));
    return PURPLE_CMD_RET_FAILED;
}

void
otr_plugin_commands_register(OtrPlugin *pl)
{
    PurpleCmdId id = purple_cmd_register(
        "otr", "ws", PURPLE_CMD_P_PLUGIN,
        PURPLE_CMD_FLAG_IM | PURPLE_CMD_FLAG_ALLOW_WRONG_ARGS, NULL,
        PURPLE_CMD_FUNC(otr_cmd),
        _("otr &lt;start|end|status|auth|auth-q|auth-abort|trust|distrust|"
          "fingerprint|policy|genkey|instance|passphrase|help&gt;: "
          "Off-the-Record "
          "messaging"),
        NULL);

    g_ptr_array_add(pl->cmd_ids, GUINT_TO_POINTER(id));
}

void
otr_plugin_commands_unregister(OtrPlugin *pl)
{
    for (guint i = 0; i < pl->cmd_ids->len; i++)
        purple_cmd_unregister(GPOINTER_TO_UINT(pl->cmd_ids->pdata[i]));
    g_ptr_array_set_size(pl->cmd_ids, 0);
}
