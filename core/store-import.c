/* Offrec — importing identities from other libotr-based clients.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Every client keeps libotr's three formats under its own file names and
 * with its own protocol names. Import loads a client's files into a
 * scratch store, then merges into the real one, renaming protocols to
 * libpurple's ids (and accounts through a caller's map).
 */
#include <string.h>

#include "crypto-private.h"
#include "store-private.h"

typedef struct {
    const char *from;
    const char *to;
} ProtoName;

/* Protocol names used by irssi-otr, mcabber, profanity and bitlbee. */
static const ProtoName proto_names[] = {
    { "irc", "prpl-irc" },         { "jabber", "prpl-jabber" },
    { "xmpp", "prpl-jabber" },     { "aim", "prpl-aim" },
    { "icq", "prpl-icq" },         { "msn", "prpl-msn" },
    { "yahoo", "prpl-yahoo" },     { "gg", "prpl-gg" },
    { "novell", "prpl-novell" },   { "silc", "prpl-silc" },
    { "zephyr", "prpl-zephyr" },   { "sametime", "prpl-meanwhile" },
    { "bonjour", "prpl-bonjour" }, { "simple", "prpl-simple" },
    { "myspace", "prpl-myspace" }, { "gtalk", "prpl-jabber" },
    { "facebook", "prpl-jabber" }, { "hipchat", "prpl-jabber" },
};

const char *
otr_import_purple_protocol(OtrImportSource source,
                           const char *protocol,
                           const char *account)
{
    g_return_val_if_fail(protocol, NULL);
    switch (source) {
    case OTR_IMPORT_PIDGIN_OTR:
        return protocol; /* already libpurple's */
    case OTR_IMPORT_IRSSI:
    case OTR_IMPORT_MCABBER:
    case OTR_IMPORT_PROFANITY:
    case OTR_IMPORT_BITLBEE:
        break;
    }
    if (g_str_has_prefix(protocol, "prpl-"))
        return protocol; /* bitlbee on its libpurple backend */
    if (g_ascii_strcasecmp(protocol, "oscar") == 0) {
        gboolean numeric = account && *account;
        for (const char *p = account; numeric && *p; p++)
            numeric = g_ascii_isdigit(*p);
        return numeric ? "prpl-icq" : "prpl-aim";
    }
    for (gsize i = 0; i < G_N_ELEMENTS(proto_names); i++)
        if (g_ascii_strcasecmp(protocol, proto_names[i].from) == 0)
            return proto_names[i].to;
    return protocol;
}

void
otr_import_paths(OtrImportSource source,
                 const char *dir,
                 const char *name,
                 char **keys,
                 char **fprs,
                 char **instags)
{
    const char *k = NULL, *f = NULL, *t = NULL;
    char *kn = NULL, *fn = NULL, *tn = NULL;

    switch (source) {
    case OTR_IMPORT_PIDGIN_OTR:
        k = "otr.private_key";
        f = "otr.fingerprints";
        t = "otr.instance_tags";
        break;
    case OTR_IMPORT_IRSSI:
        k = "otr.key";
        f = "otr.fp";
        t = "otr.instag";
        break;
    case OTR_IMPORT_MCABBER:
        kn = g_strconcat(name ? name : "", ".key", NULL);
        fn = g_strconcat(name ? name : "", ".fpr", NULL);
        break;
    case OTR_IMPORT_PROFANITY:
        k = "keys.txt";
        f = "fingerprints.txt";
        break;
    case OTR_IMPORT_BITLBEE:
        kn = g_strconcat(name ? name : "", ".otr_keys", NULL);
        fn = g_strconcat(name ? name : "", ".otr_fprints", NULL);
        tn = g_strconcat(name ? name : "", ".otr_instags", NULL);
        break;
    }
    *keys = g_build_filename(dir, kn ? kn : k, NULL);
    *fprs = g_build_filename(dir, fn ? fn : f, NULL);
    *instags = (tn || t) ? g_build_filename(dir, tn ? tn : t, NULL) : NULL;
    g_free(kn);
    g_free(fn);
    g_free(tn);
}

typedef struct {
    OtrImportSource source;
    OtrImportAccountFunc map;
    void *map_user;
} Rename;

/* The libpurple (account, protocol) of a client's pair; g_free both. */
static void
rename_pair(const Rename *r,
            const char *account,
            const char *protocol,
            char **acct_out,
            char **proto_out)
{
    const char *proto =
        otr_import_purple_protocol(r->source, protocol, account);
    char *acct = r->map ? r->map(account, proto, r->map_user) : NULL;

    *acct_out = acct ? acct : g_strdup(account);
    *proto_out = g_strdup(proto);
}

static void
merge_keys(OtrStore *dst,
           OtrStore *src,
           const Rename *r,
           OtrImportFlags flags,
           OtrImportStats *st)
{
    for (GList *l = src->key_order.head; l; l = l->next) {
        OtrStoreKey *from = l->data, *to;
        char *acct, *proto;

        if (!from->key)
            continue;
        rename_pair(r, from->id.account, from->id.protocol, &acct, &proto);
        to = otr_store_key_entry(dst, acct, proto);
        if (!otr_store_name_valid(acct) ||
            (to && !(flags & OTR_IMPORT_REPLACE_KEYS))) {
            st->keys_skipped++;
        } else {
            if (to) {
                g_queue_unlink(&dst->key_order, to->link);
                g_queue_push_tail_link(&dst->key_order, to->link);
            }
            to = otr_store_key_entry_ensure(dst, acct, proto);
            otr_privkey_free(to->key);
            if (to->sexp) {
                otr_wipe(to->sexp, strlen(to->sexp));
                g_free(to->sexp);
            }
            to->key = g_steal_pointer(&from->key);
            to->sexp = g_steal_pointer(&from->sexp);
            g_clear_pointer(&to->sealed, g_free);
            st->keys_added++;
        }
        g_free(acct);
        g_free(proto);
    }
}

typedef struct {
    OtrStore *dst;
    const Rename *r;
    OtrImportStats *st;
} FprMerge;

static void
merge_fpr(const OtrStoreFpr *f, void *user)
{
    FprMerge *m = user;
    const OtrStoreFpr *have;
    gboolean added;
    char *acct, *proto;

    rename_pair(m->r, f->account, f->protocol, &acct, &proto);
    have = otr_store_fpr_add(m->dst, acct, proto, f->buddy, f->fpr, &added);
    if (have && added) {
        otr_store_fpr_set_trust(m->dst, acct, proto, f->buddy, f->fpr,
                                f->trust);
        m->st->fprs_added++;
    } else if (have) {
        /* Never lose trust: a trusted side wins, the existing one first. */
        if (!otr_store_fpr_is_trusted(have) && otr_store_fpr_is_trusted(f))
            otr_store_fpr_set_trust(m->dst, acct, proto, f->buddy, f->fpr,
                                    f->trust);
        m->st->fprs_merged++;
    }
    g_free(acct);
    g_free(proto);
}

static void
merge_instags(OtrStore *dst, OtrStore *src, const Rename *r, OtrImportStats *st)
{
    /* Walk oldest first so that prepending keeps the source's order. */
    for (GList *l = src->instag_order.tail; l; l = l->prev) {
        OtrStoreInstag *t = l->data;
        char *acct, *proto;

        rename_pair(r, t->id.account, t->id.protocol, &acct, &proto);
        if (otr_store_instag_lookup(dst, acct, proto) ||
            !otr_store_instag_set(dst, acct, proto, t->tag))
            st->instags_skipped++;
        else
            st->instags_added++;
        g_free(acct);
        g_free(proto);
    }
}

/* Loads one file, keeping only the first error. */
static void
load_one(gboolean (*load)(OtrStore *, const char *, GError **),
         OtrStore *tmp,
         const char *path,
         GError **first)
{
    GError *err = NULL;

    if (!path || load(tmp, path, &err))
        return;
    if (first && !*first)
        g_propagate_error(first, err);
    else
        g_error_free(err);
}

gboolean
otr_store_import_files(OtrStore *store,
                       OtrImportSource source,
                       const char *keys_path,
                       const char *fprs_path,
                       const char *instags_path,
                       OtrImportFlags flags,
                       OtrImportAccountFunc map,
                       void *map_user,
                       OtrImportStats *stats,
                       GError **error)
{
    OtrImportStats dummy;
    Rename r = { source, map, map_user };
    OtrStore *tmp;
    GError *first = NULL;
    FprMerge fm;

    g_return_val_if_fail(store, FALSE);
    if (!stats)
        stats = &dummy;
    memset(stats, 0, sizeof *stats);
    tmp = otr_store_new();
    load_one(otr_store_keys_load, tmp, keys_path, &first);
    load_one(otr_store_fprs_load, tmp, fprs_path, &first);
    load_one(otr_store_instags_load, tmp, instags_path, &first);
    merge_keys(store, tmp, &r, flags, stats);
    fm.dst = store;
    fm.r = &r;
    fm.st = stats;
    otr_store_fpr_foreach(tmp, merge_fpr, &fm);
    merge_instags(store, tmp, &r, stats);
    otr_store_free(tmp);
    if (first) {
        g_propagate_error(error, first);
        return FALSE;
    }
    return TRUE;
}

gboolean
otr_store_import_dir(OtrStore *store,
                     OtrImportSource source,
                     const char *dir,
                     const char *name,
                     OtrImportFlags flags,
                     OtrImportAccountFunc map,
                     void *map_user,
                     OtrImportStats *stats,
                     GError **error)
{
    char *k, *f, *t;
    gboolean ok;

    g_return_val_if_fail(store && dir, FALSE);
    otr_import_paths(source, dir, name, &k, &f, &t);
    ok = otr_store_import_files(store, source, k, f, t, flags, map, map_user,
                                stats, error);
    g_free(k);
    g_free(f);
    g_free(t);
    return ok;
}
