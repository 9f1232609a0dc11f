/* Offrec — identity store object, lookup keys and shared file helpers.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <errno.h>
#include <string.h>

#include "crypto-private.h"
#include "store-private.h"

G_DEFINE_QUARK(otr - store - error - quark, otr_store_error)

guint
otr_store_id_hash(gconstpointer p)
{
    const OtrStoreId *id = p;
    guint h = g_str_hash(id->account);

    h = h * 31u + g_str_hash(id->protocol);
    if (id->buddy)
        h = h * 31u + g_str_hash(id->buddy);
    return h;
}

gboolean
otr_store_id_equal(gconstpointer a, gconstpointer b)
{
    const OtrStoreId *x = a, *y = b;

    if (strcmp(x->account, y->account) != 0 ||
        strcmp(x->protocol, y->protocol) != 0)
        return FALSE;
    if (!x->buddy || !y->buddy)
        return x->buddy == y->buddy;
    return strcmp(x->buddy, y->buddy) == 0;
}

gboolean
otr_store_name_valid(const char *s)
{
    return s && *s && !strpbrk(s, "\t\r\n");
}

OtrStore *
otr_store_new(void)
{
    OtrStore *store = g_new0(OtrStore, 1);

    otr_init();
    store->keys = g_hash_table_new_full(otr_store_id_hash, otr_store_id_equal,
                                        NULL, otr_store_key_entry_free);
    g_queue_init(&store->key_order);
    store->instags = g_hash_table_new_full(otr_store_id_hash,
                                           otr_store_id_equal, NULL, g_free);
    g_queue_init(&store->instag_order);
    store->buddies =
        g_hash_table_new_full(otr_store_id_hash, otr_store_id_equal, NULL,
                              otr_store_buddy_free);
    store->fprs = otr_store_fpr_table_new();
    store->jobs = g_hash_table_new(otr_store_id_hash, otr_store_id_equal);
    return store;
}

void
otr_store_free(OtrStore *store)
{
    if (!store)
        return;
    otr_store_keygen_shutdown(store);
    g_hash_table_destroy(store->jobs);
    g_hash_table_destroy(store->fprs);
    g_hash_table_destroy(store->buddies);
    g_queue_clear(&store->instag_order);
    g_hash_table_destroy(store->instags);
    g_queue_clear(&store->key_order);
    g_hash_table_destroy(store->keys);
    g_free(store);
}

void
otr_store_errs_add(OtrStoreErrs *e, guint line, const char *fmt, ...)
{
    va_list ap;
    char *msg;

    e->count++;
    if (e->first)
        return;
    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    e->first =
        g_strdup_printf("%s:%u: %s", e->name ? e->name : "(memory)", line, msg);
    g_free(msg);
}

gboolean
otr_store_errs_finish(OtrStoreErrs *e, GError **error)
{
    if (e->count == 0)
        return TRUE;
    if (e->count > 1)
        g_set_error(error, OTR_STORE_ERROR, OTR_STORE_ERROR_MALFORMED,
                    "%s (and %u more bad entries; the rest was loaded)",
                    e->first, e->count - 1);
    else
        g_set_error(error, OTR_STORE_ERROR, OTR_STORE_ERROR_MALFORMED,
                    "%s (the rest was loaded)", e->first);
    g_clear_pointer(&e->first, g_free);
    return FALSE;
}

gboolean
otr_store_read_file(const char *path,
                    char **data,
                    gsize *len,
                    gboolean *missing,
                    GError **error)
{
    GError *err = NULL;

    *missing = FALSE;
    if (g_file_get_contents(path, data, len, &err))
        return TRUE;
    if (g_error_matches(err, G_FILE_ERROR, G_FILE_ERROR_NOENT)) {
        *missing = TRUE;
        g_error_free(err);
        return FALSE;
    }
    g_set_error(error, OTR_STORE_ERROR, OTR_STORE_ERROR_IO, "%s", err->message);
    g_error_free(err);
    return FALSE;
}

void
otr_store_parse_lines(OtrStore *store,
                      const char *data,
                      gsize len,
                      gboolean comments,
                      OtrStoreLineFunc func,
                      OtrStoreErrs *errs)
{
    char *buf, *p, *end;
    guint lineno = 0;

    buf = g_malloc(len + 1);
    if (len)
        memcpy(buf, data, len);
    buf[len] = '\0';
    end = buf + len;
    for (p = buf; p < end;) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        char *eol = nl ? nl : end, *cr;

        lineno++;
        if (memchr(p, '\0', (size_t)(eol - p))) {
            otr_store_errs_add(errs, lineno, "NUL byte in line");
        } else {
            *eol = '\0';
            cr = strchr(p, '\r');
            if (cr)
                *cr = '\0';
            if (*p && !(comments && *p == '#'))
                func(store, p, lineno, errs);
        }
        p = eol + 1;
    }
    g_free(buf);
}

gboolean
otr_store_load_file(OtrStore *store,
                    const char *path,
                    OtrStoreParseFunc parse,
                    gboolean secret,
                    GError **error)
{
    char *data = NULL;
    gsize len = 0;
    gboolean missing, ok;

    if (!otr_store_read_file(path, &data, &len, &missing, error))
        return missing;
    ok = parse(store, data, len, path, error);
    if (secret)
        otr_wipe(data, len);
    g_free(data);
    return ok;
}

gboolean
otr_store_write_owned(const char *path,
                      char *data,
                      gsize len,
                      gboolean secret,
                      GError **error)
{
    gboolean ok = otr_store_write_atomic(path, data, len, error);

    if (secret)
        otr_wipe(data, len);
    g_free(data);
    return ok;
}

gboolean
otr_store_save_file(const OtrStore *store,
                    const char *path,
                    OtrStoreSerializeFunc serialize,
                    gboolean secret,
                    GError **error)
{
    gsize len = 0;
    char *data = serialize(store, &len);

    return otr_store_write_owned(path, data, len, secret, error);
}
