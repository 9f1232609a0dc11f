/* Offrec — our instance tags per account, libotr's instance-tags file.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <string.h>

#include "store-private.h"

/* libotr writes this line first; readers skip it (it has no TAB). */
#define INSTAG_HEADER                                                          \
    "# WARNING! You shouldn't copy this file to another computer. It is "      \
    "unnecessary and can cause problems.\n"

static OtrStoreInstag *
instag_find(const OtrStore *store, const char *account, const char *protocol)
{
    OtrStoreId id = { (char *)account, (char *)protocol, NULL };

    if (!account || !protocol)
        return NULL;
    return g_hash_table_lookup(store->instags, &id);
}

/* New accounts go first (libotr prepends), or last while loading. */
static void
instag_put(OtrStore *store,
           const char *account,
           const char *protocol,
           guint32 tag,
           gboolean append)
{
    OtrStoreInstag *t = instag_find(store, account, protocol);

    if (t) {
        t->tag = tag;
        return;
    }
    /* One allocation: the entry, then both strings. */
    gsize alen = strlen(account) + 1, plen = strlen(protocol) + 1;
    t = g_malloc0(sizeof *t + alen + plen);
    t->id.account = (char *)(t + 1);
    t->id.protocol = t->id.account + alen;
    memcpy(t->id.account, account, alen);
    memcpy(t->id.protocol, protocol, plen);
    t->tag = tag;
    g_hash_table_add(store->instags, t);
    if (append) {
        g_queue_push_tail(&store->instag_order, t);
        t->link = store->instag_order.tail;
    } else {
        g_queue_push_head(&store->instag_order, t);
        t->link = store->instag_order.head;
    }
}

guint32
otr_store_instag_lookup(const OtrStore *store,
                        const char *account,
                        const char *protocol)
{
    OtrStoreInstag *t;

    g_return_val_if_fail(store, 0);
    t = instag_find(store, account, protocol);
    return t ? t->tag : 0;
}

gboolean
otr_store_instag_set(OtrStore *store,
                     const char *account,
                     const char *protocol,
                     guint32 instag)
{
    g_return_val_if_fail(store, FALSE);
    if (instag < OTR_INSTAG_MIN || !otr_store_name_valid(account) ||
        !otr_store_name_valid(protocol))
        return FALSE;
    instag_put(store, account, protocol, instag, FALSE);
    return TRUE;
}

guint32
otr_store_instag_ensure(OtrStore *store,
                        const OtrHostOps *ops,
                        void *user,
                        const char *account,
                        const char *protocol,
                        gboolean *created)
{
    guint32 tag = otr_store_instag_lookup(store, account, protocol);
    guint8 b[4];

    if (created)
        *created = FALSE;
    if (tag)
        return tag;
    g_return_val_if_fail(ops && ops->random, 0);
    if (!otr_store_name_valid(account) || !otr_store_name_valid(protocol))
        return 0;
    while (tag < OTR_INSTAG_MIN) {
        ops->random(user, b, sizeof b);
        tag = (guint32)b[0] << 24 | (guint32)b[1] << 16 | (guint32)b[2] << 8 |
              b[3];
    }
    instag_put(store, account, protocol, tag, FALSE);
    if (created)
        *created = TRUE;
    return tag;
}

gboolean
otr_store_instag_remove(OtrStore *store,
                        const char *account,
                        const char *protocol)
{
    OtrStoreInstag *t;

    g_return_val_if_fail(store, FALSE);
    t = instag_find(store, account, protocol);
    if (!t)
        return FALSE;
    g_queue_delete_link(&store->instag_order, t->link);
    g_hash_table_remove(store->instags, t);
    return TRUE;
}

guint
otr_store_instag_count(const OtrStore *store)
{
    g_return_val_if_fail(store, 0);
    return g_hash_table_size(store->instags);
}

static gboolean
parse_tag(const char *s, guint32 *out)
{
    guint32 v = 0;

    if (strlen(s) != 8)
        return FALSE;
    for (int i = 0; i < 8; i++) {
        char c = s[i];
        guint32 d;
        if (c >= '0' && c <= '9')
            d = (guint32)(c - '0');
        else if (c >= 'a' && c <= 'f')
            d = (guint32)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            d = (guint32)(c - 'A' + 10);
        else
            return FALSE;
        v = v << 4 | d;
    }
    *out = v;
    return TRUE;
}

static void
parse_line(OtrStore *store, char *line, guint lineno, OtrStoreErrs *errs)
{
    char *t1 = strchr(line, '\t'), *t2;
    guint32 tag;

    if (!t1 || !(t2 = strchr(t1 + 1, '\t'))) {
        otr_store_errs_add(errs, lineno, "expected 3 TAB-separated fields");
        return;
    }
    *t1 = '\0';
    *t2 = '\0';
    if (!line[0] || !t1[1]) {
        otr_store_errs_add(errs, lineno, "empty account or protocol");
        return;
    }
    if (!parse_tag(t2 + 1, &tag)) {
        otr_store_errs_add(errs, lineno,
                           "instance tag is not 8 hexadecimal digits");
        return;
    }
    if (tag < OTR_INSTAG_MIN) {
        otr_store_errs_add(errs, lineno, "reserved instance tag %08x", tag);
        return;
    }
    instag_put(store, line, t1 + 1, tag, TRUE); /* a later line wins */
}

gboolean
otr_store_instags_parse(OtrStore *store,
                        const char *data,
                        gsize len,
                        const char *name,
                        GError **error)
{
    OtrStoreErrs errs = { name, 0, NULL };

    g_return_val_if_fail(store && (data || len == 0), FALSE);
    otr_store_parse_lines(store, data, len, TRUE, parse_line, &errs);
    return otr_store_errs_finish(&errs, error);
}

gboolean
otr_store_instags_load(OtrStore *store, const char *path, GError **error)
{
    g_return_val_if_fail(store && path, FALSE);
    return otr_store_load_file(store, path, otr_store_instags_parse, FALSE,
                               error);
}

char *
otr_store_instags_serialize(const OtrStore *store, gsize *len)
{
    GString *s = g_string_new(INSTAG_HEADER);

    for (GList *l = store->instag_order.head; l; l = l->next) {
        OtrStoreInstag *t = l->data;
        g_string_append_printf(s, "%s\t%s\t%08x\n", t->id.account,
                               t->id.protocol, t->tag);
    }
    if (len)
        *len = s->len;
    return g_string_free(s, FALSE);
}

gboolean
otr_store_instags_save(const OtrStore *store, const char *path, GError **error)
{
    g_return_val_if_fail(store && path, FALSE);
    return otr_store_save_file(store, path, otr_store_instags_serialize, FALSE,
                               error);
}
