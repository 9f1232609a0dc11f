/* Offrec — policies (global, account, buddy), logging and fragment sizes.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <stdlib.h>
#include <string.h>

#include "plugin-private.h"

static const char *const policy_names[] = {
    [OTR_POLICY_NEVER] = "never",
    [OTR_POLICY_MANUAL] = "manual",
    [OTR_POLICY_OPPORTUNISTIC] = "opportunistic",
    [OTR_POLICY_ALWAYS] = "always",
};

const char *
otr_plugin_policy_name(OtrPolicy p)
{
    if ((guint)p >= G_N_ELEMENTS(policy_names))
        return "opportunistic";
    return policy_names[p];
}

gboolean
otr_plugin_policy_parse(const char *s, OtrPolicy *p)
{
    if (!s)
        return FALSE;
    for (guint i = 0; i < G_N_ELEMENTS(policy_names); i++) {
        if (g_ascii_strcasecmp(s, policy_names[i]) == 0) {
            *p = (OtrPolicy)i;
            return TRUE;
        }
    }
    return FALSE;
}

/* pidgin-otr's booleans -> policy. */
static OtrPolicy
from_pidgin_otr(gboolean enabled, gboolean automatic, gboolean onlyprivate)
{
    if (!enabled)
        return OTR_POLICY_NEVER;
    if (!automatic)
        return OTR_POLICY_MANUAL;
    return onlyprivate ? OTR_POLICY_ALWAYS : OTR_POLICY_OPPORTUNISTIC;
}

/* Called from init (no UI calls). On the very first run the global
 * default follows pidgin-otr's "/OTR" prefs when they exist. */
void
otr_plugin_policy_add_prefs(void)
{
    const char *def = "opportunistic";
    gboolean avoid = TRUE;

    if (!purple_prefs_exists(PREF_POLICY) &&
        purple_prefs_exists("/OTR/enabled")) {
        def = policy_names
            [from_pidgin_otr(purple_prefs_get_bool("/OTR/enabled"),
                             !purple_prefs_exists("/OTR/automatic") ||
                                 purple_prefs_get_bool("/OTR/automatic"),
                             purple_prefs_exists("/OTR/onlyprivate") &&
                                 purple_prefs_get_bool("/OTR/onlyprivate"))];
        if (purple_prefs_exists("/OTR/avoidloggingotr"))
            avoid = purple_prefs_get_bool("/OTR/avoidloggingotr");
    }
    purple_prefs_add_none("/plugins");
    purple_prefs_add_none("/plugins/core");
    purple_prefs_add_none(PREF_ROOT);
    purple_prefs_add_string(PREF_POLICY, def);
    purple_prefs_add_bool(PREF_KNOWN, FALSE);
    purple_prefs_add_bool(PREF_AVOID_LOG, avoid);
    purple_prefs_add_bool(PREF_CONFIRM, TRUE);
    purple_prefs_add_string(PREF_FRAGMENTS, "");
    purple_prefs_add_string(PREF_SELECT, "most-secure");
    purple_prefs_add_bool(PREF_IMPORTED, FALSE);
}

OtrPolicy
otr_plugin_policy_global(void)
{
    OtrPolicy p = OTR_POLICY_OPPORTUNISTIC;

    otr_plugin_policy_parse(purple_prefs_get_string(PREF_POLICY), &p);
    return p;
}

static PurpleBlistNode *
buddy_node(PurpleAccount *account, const char *who)
{
    PurpleBuddy *b = purple_find_buddy(account, who);

    return b ? (PurpleBlistNode *)b : NULL;
}

OffrecPolicy
otr_plugin_policy_buddy(PurpleAccount *account, const char *who)
{
    PurpleBlistNode *node = buddy_node(account, who);
    OtrPolicy p;

    if (!node)
        return OFFREC_POLICY_DEFAULT;
    if (otr_plugin_policy_parse(purple_blist_node_get_string(node,
                                                             BUDDY_POLICY_KEY),
                                &p))
        return (OffrecPolicy)p;
    /* pidgin-otr's per-buddy settings. */
    if (purple_blist_node_get_bool(node, "OTR/overridedefault"))
        return (OffrecPolicy)
            from_pidgin_otr(purple_blist_node_get_bool(node, "OTR/enabled"),
                            purple_blist_node_get_bool(node, "OTR/automatic"),
                            purple_blist_node_get_bool(node,
                                                       "OTR/onlyprivate"));
    return OFFREC_POLICY_DEFAULT;
}

gboolean
otr_plugin_policy_set_buddy(PurpleAccount *account,
                            const char *who,
                            OffrecPolicy p)
{
    PurpleBlistNode *node = buddy_node(account, who);

    if (!node)
        return FALSE;
    if (p == OFFREC_POLICY_DEFAULT) {
        purple_blist_node_remove_setting(node, BUDDY_POLICY_KEY);
        /* Also stop honouring an old pidgin-otr override. */
        purple_blist_node_set_bool(node, "OTR/overridedefault", FALSE);
    } else {
        purple_blist_node_set_string(node, BUDDY_POLICY_KEY,
                                     otr_plugin_policy_name((OtrPolicy)p));
    }
    return TRUE;
}

OffrecPolicy
otr_plugin_policy_account(PurpleAccount *account)
{
    OtrPolicy p;

    if (account &&
        otr_plugin_policy_parse(purple_account_get_string(account,
                                                          ACCOUNT_POLICY_KEY,
                                                          NULL),
                                &p))
        return (OffrecPolicy)p;
    return OFFREC_POLICY_DEFAULT;
}

void
otr_plugin_policy_set_account(PurpleAccount *account, OffrecPolicy p)
{
    if (!account)
        return;
    if (p == OFFREC_POLICY_DEFAULT)
        purple_account_remove_setting(account, ACCOUNT_POLICY_KEY);
    else
        purple_account_set_string(account, ACCOUNT_POLICY_KEY,
                                  otr_plugin_policy_name((OtrPolicy)p));
}

static gboolean
known_contact(PurpleAccount *account, const char *who)
{
    OtrPlugin *pl = otr_plugin_get();
    GPtrArray *list;
    gboolean known;
    char *norm;

    if (!pl || !purple_prefs_get_bool(PREF_KNOWN))
        return FALSE;
    norm = g_strdup(purple_normalize(account, who));
    list = otr_store_fpr_list(pl->store, purple_account_get_username(account),
                              purple_account_get_protocol_id(account), norm);
    known = list->len > 0;
    g_ptr_array_unref(list);
    g_free(norm);
    return known;
}

/* Narrowest wins: buddy, then known contact, then account, then global. */
OtrPolicy
otr_plugin_policy_resolve(PurpleAccount *account, const char *who)
{
    OffrecPolicy p = otr_plugin_policy_buddy(account, who);

    if (p != OFFREC_POLICY_DEFAULT)
        return (OtrPolicy)p;
    if (known_contact(account, who))
        return OTR_POLICY_ALWAYS;
    p = otr_plugin_policy_account(account);
    if (p != OFFREC_POLICY_DEFAULT)
        return (OtrPolicy)p;
    return otr_plugin_policy_global();
}

gboolean
otr_plugin_avoid_logging(PurpleAccount *account, const char *who)
{
    PurpleBlistNode *node = buddy_node(account, who);
    const char *v;

    if (node) {
        v = purple_blist_node_get_string(node, BUDDY_AVOID_LOG);
        if (v)
            return strcmp(v, "no") != 0;
        if (purple_blist_node_get_bool(node, "OTR/overridedefault"))
            return purple_blist_node_get_bool(node, "OTR/avoidloggingotr");
    }
    return purple_prefs_get_bool(PREF_AVOID_LOG);
}

int
otr_plugin_avoid_logging_buddy(PurpleAccount *account, const char *who)
{
    PurpleBlistNode *node = buddy_node(account, who);
    const char *v;

    if (!node)
        return -1;
    v = purple_blist_node_get_string(node, BUDDY_AVOID_LOG);
    if (v)
        return strcmp(v, "no") != 0;
    if (purple_blist_node_get_bool(node, "OTR/overridedefault"))
        return purple_blist_node_get_bool(node, "OTR/avoidloggingotr");
    return -1;
}

gboolean
otr_plugin_avoid_logging_set_buddy(PurpleAccount *account,
                                   const char *who,
                                   int value)
{
    PurpleBlistNode *node = buddy_node(account, who);

    if (!node)
        return FALSE;
    if (value < 0)
        purple_blist_node_remove_setting(node, BUDDY_AVOID_LOG);
    else
        purple_blist_node_set_string(node, BUDDY_AVOID_LOG,
                                     value ? "yes" : "no");
    return TRUE;
}

/* pidgin-otr's table; 0 = no fragmentation (XMPP and the rest). */
static const struct {
    const char *protocol;
    size_t size;
} fragment_table[] = {
    { "prpl-msn", 1409 },   { "prpl-icq", 2343 },    { "prpl-aim", 2343 },
    { "prpl-oscar", 2343 }, { "prpl-yahoo", 799 },   { "prpl-gg", 1999 },
    { "prpl-irc", 417 },    { "prpl-novell", 1792 },
};

/* The pref overrides the table: "prpl-irc=300;prpl-foo=1000". */
static gboolean
fragment_override(const char *protocol, size_t *size)
{
    const char *pref = purple_prefs_get_string(PREF_FRAGMENTS);
    gboolean found = FALSE;
    char **items;

    if (!pref || !*pref)
        return FALSE;
    items = g_strsplit_set(pref, ";,", -1);
    for (char **it = items; *it && !found; it++) {
        char *eq = strchr(*it, '=');
        char *end = NULL;
        unsigned long v;

        if (!eq)
            continue;
        *eq = '\0';
        if (strcmp(g_strstrip(*it), protocol) != 0)
            continue;
        v = strtoul(eq + 1, &end, 10);
        if (end == eq + 1)
            continue;
        *size = v;
        found = TRUE;
    }
    g_strfreev(items);
    return found;
}

size_t
otr_plugin_fragment_size(PurpleAccount *account)
{
    const char *protocol = purple_account_get_protocol_id(account);
    size_t size = 0;

    if (!protocol)
        return 0;
    if (fragment_override(protocol, &size))
        return size;
    for (guint i = 0; i < G_N_ELEMENTS(fragment_table); i++) {
        if (strcmp(fragment_table[i].protocol, protocol) == 0)
            return fragment_table[i].size;
    }
    return 0;
}
