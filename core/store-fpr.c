/* Offrec — buddies' fingerprints and trust, libotr's fingerprints file.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <stdlib.h>
#include <string.h>

#include "crypto-private.h"
#include "store-private.h"

static guint
fpr_hash(gconstpointer p)
{
    const OtrStoreFprEntry *f = p;
    guint32 h;

    memcpy(&h, f->pub.fpr, sizeof h); /* SHA-1 bytes: already uniform */
    return h ^ g_direct_hash(f->buddy);
}

static gboolean
fpr_equal(gconstpointer a, gconstpointer b)
{
    const OtrStoreFprEntry *x = a, *y = b;

    return x->buddy == y->buddy &&
           memcmp(x->pub.fpr, y->pub.fpr, OTR_FPR_LEN) == 0;
}

static void
fpr_entry_free(gpointer p)
{
    OtrStoreFprEntry *f = p;

    g_free(f->trust_heap);
    g_free(f);
}

GHashTable *
otr_store_fpr_table_new(void)
{
    return g_hash_table_new_full(fpr_hash, fpr_equal, NULL, fpr_entry_free);
}

void
otr_store_buddy_free(gpointer p)
{
    g_free(p); /* entries belong to the fingerprint table */
}

gboolean
otr_store_fpr_is_trusted(const OtrStoreFpr *f)
{
    return f && f->trust && f->trust[0];
}

static OtrStoreBuddy *
buddy_find(const OtrStore *store,
           const char *account,
           const char *protocol,
           const char *buddy)
{
    OtrStoreId id = { (char *)account, (char *)protocol, (char *)buddy };

    if (!account || !protocol || !buddy)
        return NULL;
    return g_hash_table_lookup(store->buddies, &id);
}

static OtrStoreBuddy *
buddy_ensure(OtrStore *store,
             const char *account,
             const char *protocol,
             const char *buddy)
{
    OtrStoreBuddy *b = buddy_find(store, account, protocol, buddy);

    if (b)
        return b;
    gsize al = strlen(account) + 1, pl = strlen(protocol) + 1;
    gsize bl = strlen(buddy) + 1;
    b = g_malloc0(sizeof *b + al + pl + bl);
    b->id.account = (char *)(b + 1);
    b->id.protocol = b->id.account + al;
    b->id.buddy = b->id.protocol + pl;
    memcpy(b->id.account, account, al);
    memcpy(b->id.protocol, protocol, pl);
    memcpy(b->id.buddy, buddy, bl);
    g_hash_table_add(store->buddies, b);
    return b;
}

static OtrStoreFprEntry *
entry_find(const OtrStore *store,
           OtrStoreBuddy *b,
           const uint8_t fpr[OTR_FPR_LEN])
{
    OtrStoreFprEntry key;

    if (!b)
        return NULL;
    key.buddy = b;
    memcpy(key.pub.fpr, fpr, OTR_FPR_LEN);
    return g_hash_table_lookup(store->fprs, &key);
}

/* New entries go first (as libotr prepends them), or last while loading a
 * file so that the file's order is kept. */
static OtrStoreFprEntry *
entry_add(OtrStore *store,
          OtrStoreBuddy *b,
          const uint8_t fpr[OTR_FPR_LEN],
          gboolean append,
          gboolean *added)
{
    OtrStoreFprEntry *f = entry_find(store, b, fpr);

    *added = FALSE;
    if (f)
        return f;
    f = g_new0(OtrStoreFprEntry, 1);
    f->buddy = b;
    f->pub.buddy = b->id.buddy;
    f->pub.account = b->id.account;
    f->pub.protocol = b->id.protocol;
    memcpy(f->pub.fpr, fpr, OTR_FPR_LEN);
    g_hash_table_add(store->fprs, f);
    if (append && b->last) {
        b->last->next = f;
        b->last = f;
    } else if (append || !b->first) {
        b->first = b->last = f;
    } else {
        f->next = b->first;
        b->first = f;
    }
    b->count++;
    store->nfprs++;
    *added = TRUE;
    return f;
}

static void
entry_set_trust(OtrStoreFprEntry *f, const char *trust)
{
    gsize n = trust ? strlen(trust) + 1 : 0;

    if (trust == f->pub.trust)
        return; /* also keeps a self-assignment from freeing its source */
    g_clear_pointer(&f->trust_heap, g_free);
    if (!trust) {
        f->pub.trust = NULL;
    } else if (n <= sizeof f->trust_small) {
        memcpy(f->trust_small, trust, n);
        f->pub.trust = f->trust_small;
    } else {
        f->trust_heap = g_strdup(trust);
        f->pub.trust = f->trust_heap;
    }
}

const OtrStoreFpr *
otr_store_fpr_add(OtrStore *store,
                  const char *account,
                  const char *protocol,
                  const char *buddy,
                  const uint8_t fpr[OTR_FPR_LEN],
                  gboolean *added)
{
    gboolean dummy;
    OtrStoreFprEntry *f;

    g_return_val_if_fail(store && fpr, NULL);
    if (!added)
        added = &dummy;
    *added = FALSE;
    if (!otr_store_name_valid(account) || !otr_store_name_valid(protocol) ||
        !otr_store_name_valid(buddy))
        return NULL;
    f = entry_add(store, buddy_ensure(store, account, protocol, buddy), fpr,
                  FALSE, added);
    return &f->pub;
}

const OtrStoreFpr *
otr_store_fpr_lookup(const OtrStore *store,
                     const char *account,
                     const char *protocol,
                     const char *buddy,
                     const uint8_t fpr[OTR_FPR_LEN])
{
    OtrStoreFprEntry *f;

    g_return_val_if_fail(store && fpr, NULL);
    f = entry_find(store, buddy_find(store, account, protocol, buddy), fpr);
    return f ? &f->pub : NULL;
}

gboolean
otr_store_fpr_set_trust(OtrStore *store,
                        const char *account,
                        const char *protocol,
                        const char *buddy,
                        const uint8_t fpr[OTR_FPR_LEN],
                        const char *trust)
{
    OtrStoreFprEntry *f;

    g_return_val_if_fail(store && fpr, FALSE);
    if (trust && strpbrk(trust, "\r\n"))
        return FALSE;
    f = entry_find(store, buddy_find(store, account, protocol, buddy), fpr);
    if (!f)
        return FALSE;
    entry_set_trust(f, trust);
    return TRUE;
}

gboolean
otr_store_fpr_remove(OtrStore *store,
                     const char *account,
                     const char *protocol,
                     const char *buddy,
                     const uint8_t fpr[OTR_FPR_LEN])
{
    OtrStoreBuddy *b;
    OtrStoreFprEntry *f;

    g_return_val_if_fail(store && fpr, FALSE);
    b = buddy_find(store, account, protocol, buddy);
    f = entry_find(store, b, fpr);
    if (!f)
        return FALSE;
    /* A buddy has few fingerprints: unlink by walking its list. */
    OtrStoreFprEntry **pp = &b->first, *prev = NULL;
    while (*pp != f) {
        prev = *pp;
        pp = &(*pp)->next;
    }
    *pp = f->next;
    if (b->last == f)
        b->last = prev;
    b->count--;
    g_hash_table_remove(store->fprs, f);
    store->nfprs--;
    if (b->count == 0)
        g_hash_table_remove(store->buddies, b);
    return TRUE;
}

GPtrArray *
otr_store_fpr_list(const OtrStore *store,
                   const char *account,
                   const char *protocol,
                   const char *buddy)
{
    OtrStoreBuddy *b;
    GPtrArray *out = g_ptr_array_new();

    g_return_val_if_fail(store, out);
    b = buddy_find(store, account, protocol, buddy);
    for (OtrStoreFprEntry *f = b ? b->first : NULL; f; f = f->next)
        g_ptr_array_add(out, &f->pub);
    return out;
}

guint
otr_store_fpr_count(const OtrStore *store)
{
    g_return_val_if_fail(store, 0);
    return store->nfprs;
}

/* libotr keeps its contexts sorted by username, account, protocol. */
static int
buddy_cmp(const void *a, const void *b)
{
    const OtrStoreBuddy *x = *(OtrStoreBuddy *const *)a;
    const OtrStoreBuddy *y = *(OtrStoreBuddy *const *)b;
    int c = strcmp(x->id.buddy, y->id.buddy);

    if (c == 0)
        c = strcmp(x->id.account, y->id.account);
    if (c == 0)
        c = strcmp(x->id.protocol, y->id.protocol);
    return c;
}

static GPtrArray *
sorted_buddies(const OtrStore *store)
{
    GPtrArray *arr = g_ptr_array_sized_new(g_hash_table_size(store->buddies));
    GHashTableIter it;
    gpointer b;

    g_hash_table_iter_init(&it, store->buddies);
    while (g_hash_table_iter_next(&it, &b, NULL))
        g_ptr_array_add(arr, b);

    if (arr->len > 1)
        qsort(arr->pdata, arr->len, sizeof(gpointer), buddy_cmp);
    return arr;
}

void
otr_store_fpr_foreach(const OtrStore *store, OtrStoreFprFunc func, void *user)
{
    GPtrArray *arr;

    g_return_if_fail(store && func);
    arr = sorted_buddies(store);
    for (guint i = 0; i < arr->len; i++) {
        OtrStoreBuddy *b = g_ptr_array_index(arr, i);
        for (OtrStoreFprEntry *f = b->first; f; f = f->next)
            func(&f->pub, user);
    }
    g_ptr_array_unref(arr);
}

static int
hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static gboolean
parse_hex(const char *hex, uint8_t fpr[OTR_FPR_LEN])
{
    if (strlen(hex) != 2 * OTR_FPR_LEN)
        return FALSE;
    for (int i = 0; i < OTR_FPR_LEN; i++) {
        int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return FALSE;
        fpr[i] = (uint8_t)(hi << 4 | lo);
    }
    return TRUE;
}

/* One line, NUL-terminated, CR/LF already cut off. */
static void
parse_line(OtrStore *store, char *line, guint lineno, OtrStoreErrs *errs)
{
    char *field[4], *trust = NULL, *p = line;
    uint8_t fpr[OTR_FPR_LEN];
    OtrStoreFprEntry *f;
    gboolean added;

    for (int i = 0; i < 4; i++) {
        char *tab = strchr(p, '\t');
        field[i] = p;
        if (i < 3 && !tab) {
            otr_store_errs_add(errs, lineno,
                               "expected 4 or 5 TAB-separated fields");
            return;
        }
        if (tab) {
            *tab = '\0';
            p = tab + 1;
        }
        if (i == 3 && tab)
            trust = p; /* everything after the 4th TAB, kept verbatim */
    }
    if (!field[0][0] || !field[1][0] || !field[2][0]) {
        otr_store_errs_add(errs, lineno, "empty buddy, account or protocol");
        return;
    }
    if (!parse_hex(field[3], fpr)) {
        otr_store_errs_add(errs, lineno,
                           "fingerprint is not 40 hexadecimal digits");
        return;
    }
    f = entry_add(store, buddy_ensure(store, field[1], field[2], field[0]), fpr,
                  TRUE, &added);
    entry_set_trust(f, trust); /* a repeated line wins, as in libotr */
}

gboolean
otr_store_fprs_parse(OtrStore *store,
                     const char *data,
                     gsize len,
                     const char *name,
                     GError **error)
{
    OtrStoreErrs errs = { name, 0, NULL };

    g_return_val_if_fail(store && (data || len == 0), FALSE);
    otr_store_parse_lines(store, data, len, FALSE, parse_line, &errs);
    return otr_store_errs_finish(&errs, error);
}

gboolean
otr_store_fprs_load(OtrStore *store, const char *path, GError **error)
{
    g_return_val_if_fail(store && path, FALSE);
    return otr_store_load_file(store, path, otr_store_fprs_parse, FALSE, error);
}

char *
otr_store_fprs_serialize(const OtrStore *store, gsize *len)
{
    GString *s = g_string_sized_new(128 + store->nfprs * 96);
    GPtrArray *arr = sorted_buddies(store);
    char hex[2 * OTR_FPR_LEN + 1];

    for (guint i = 0; i < arr->len; i++) {
        OtrStoreBuddy *b = g_ptr_array_index(arr, i);
        for (OtrStoreFprEntry *f = b->first; f; f = f->next) {
            for (int k = 0; k < OTR_FPR_LEN; k++) {
                hex[2 * k] = "0123456789abcdef"[f->pub.fpr[k] >> 4];
                hex[2 * k + 1] = "0123456789abcdef"[f->pub.fpr[k] & 15];
            }
            hex[2 * OTR_FPR_LEN] = '\0';
            g_string_append(s, b->id.buddy);
            g_string_append_c(s, '\t');
            g_string_append(s, b->id.account);
            g_string_append_c(s, '\t');
            g_string_append(s, b->id.protocol);
            g_string_append_c(s, '\t');
            g_string_append(s, hex);
            g_string_append_c(s, '\t');
            if (f->pub.trust)
                g_string_append(s, f->pub.trust);
            g_string_append_c(s, '\n');
        }
    }
    g_ptr_array_unref(arr);
    if (len)
        *len = s->len;
    return g_string_free(s, FALSE);
}

gboolean
otr_store_fprs_save(const OtrStore *store, const char *path, GError **error)
{
    g_return_val_if_fail(store && path, FALSE);
    return otr_store_save_file(store, path, otr_store_fprs_serialize, FALSE,
                               error);
}
