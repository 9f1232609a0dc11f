/* Offrec — long-term private keys per account, libotr's private-key file.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Reading uses libgcrypt's own S-expression parser, so every form it
 * accepts (advanced, canonical, transport) is read. To load the good
 * accounts of a damaged file and name the line of a bad one, the file is
 * first cut into its top-level "(account ...)" lists by a small scanner
 * that knows the lexical forms (tokens, "strings", #hex#, |base64|, N:raw);
 * each list is then parsed by libgcrypt on its own.
 */
#include <string.h>

#include <gcrypt.h>

#include "crypto-private.h"
#include "store-private.h"

void
otr_store_key_entry_free(gpointer p)
{
    OtrStoreKey *k = p;

    otr_privkey_free(k->key);
    if (k->sexp) {
        otr_wipe(k->sexp, strlen(k->sexp));
        g_free(k->sexp);
    }
    g_free(k->sealed);
    g_free(k->id.account);
    g_free(k->id.protocol);
    g_free(k);
}

OtrStoreKey *
otr_store_key_entry(const OtrStore *store,
                    const char *account,
                    const char *protocol)
{
    OtrStoreId id = { (char *)account, (char *)protocol, NULL };

    if (!account || !protocol)
        return NULL;
    return g_hash_table_lookup(store->keys, &id);
}

OtrStoreKey *
otr_store_key_entry_ensure(OtrStore *store,
                           const char *account,
                           const char *protocol)
{
    OtrStoreKey *k = otr_store_key_entry(store, account, protocol);

    if (k)
        return k;
    k = g_new0(OtrStoreKey, 1);
    k->id.account = g_strdup(account);
    k->id.protocol = g_strdup(protocol);
    g_hash_table_add(store->keys, k);
    g_queue_push_tail(&store->key_order, k);
    k->link = store->key_order.tail;
    return k;
}

/* gcry_sexp_sprint in the advanced form, NUL-terminated; secret-safe. */
static char *
sexp_text(gcry_sexp_t s)
{
    size_t n = gcry_sexp_sprint(s, GCRYSEXP_FMT_ADVANCED, NULL, 0);
    char *buf;

    if (n == 0)
        return NULL;
    buf = g_malloc0(n + 1);
    if (gcry_sexp_sprint(s, GCRYSEXP_FMT_ADVANCED, buf, n) == 0) {
        g_free(buf);
        return NULL;
    }
    return buf;
}

static void
text_free(char *t)
{
    if (t) {
        otr_wipe(t, strlen(t));
        g_free(t);
    }
}

char *
otr_store_privkey_text(const char *sexp, gsize len)
{
    gcry_sexp_t all = NULL, priv = NULL;
    size_t erroff;
    char *out = NULL;

    if (gcry_sexp_sscan(&all, &erroff, sexp, len) != 0)
        return NULL;
    priv = gcry_sexp_find_token(all, "private-key", 0);
    if (priv)
        out = sexp_text(priv);
    gcry_sexp_release(priv);
    gcry_sexp_release(all);
    return out;
}

gboolean
otr_store_key_entry_install(OtrStoreKey *k, OtrPrivKey *key, GError **error)
{
    char *raw = otr_privkey_to_sexp(key);
    char *text = raw ? otr_store_privkey_text(raw, strlen(raw)) : NULL;

    text_free(raw);
    if (!text) {
        otr_privkey_free(key);
        g_set_error(error, OTR_STORE_ERROR, OTR_STORE_ERROR_CRYPTO,
                    "Cannot serialise the private key of %s (%s)",
                    k->id.account, k->id.protocol);
        return FALSE;
    }
    otr_privkey_free(k->key);
    text_free(k->sexp);
    k->key = key;
    k->sexp = text;
    g_clear_pointer(&k->sealed, g_free); /* a new key is not protected */
    return TRUE;
}

const OtrPrivKey *
otr_store_key_lookup(const OtrStore *store,
                     const char *account,
                     const char *protocol)
{
    OtrStoreKey *k;

    g_return_val_if_fail(store, NULL);
    k = otr_store_key_entry(store, account, protocol);
    return k ? k->key : NULL;
}

gboolean
otr_store_key_set(OtrStore *store,
                  const char *account,
                  const char *protocol,
                  OtrPrivKey *key,
                  gboolean replace,
                  GError **error)
{
    OtrStoreKey *k;

    g_return_val_if_fail(store && key, FALSE);
    if (!otr_store_name_valid(account) || !otr_store_name_valid(protocol)) {
        otr_privkey_free(key);
        g_set_error(error, OTR_STORE_ERROR, OTR_STORE_ERROR_INVALID,
                    "Invalid account name or protocol");
        return FALSE;
    }
    k = otr_store_key_entry(store, account, protocol);
    if (k && !replace) {
        otr_privkey_free(key);
        g_set_error(error, OTR_STORE_ERROR, OTR_STORE_ERROR_EXISTS,
                    "%s (%s) already has a private key", account, protocol);
        return FALSE;
    }
    if (k) { /* libotr writes a replaced key last */
        g_queue_unlink(&store->key_order, k->link);
        g_queue_push_tail_link(&store->key_order, k->link);
    } else {
        k = otr_store_key_entry_ensure(store, account, protocol);
    }
    if (!otr_store_key_entry_install(k, key, error)) {
        if (!k->key && !k->sealed)
            otr_store_key_remove(store, account, protocol);
        return FALSE;
    }
    return TRUE;
}

gboolean
otr_store_key_remove(OtrStore *store, const char *account, const char *protocol)
{
    OtrStoreKey *k;

    g_return_val_if_fail(store, FALSE);
    k = otr_store_key_entry(store, account, protocol);
    if (!k)
        return FALSE;
    g_queue_delete_link(&store->key_order, k->link);
    g_hash_table_remove(store->keys, k);
    return TRUE;
}

guint
otr_store_key_count(const OtrStore *store)
{
    g_return_val_if_fail(store, 0);
    return g_hash_table_size(store->keys);
}

void
otr_store_key_foreach(const OtrStore *store, OtrStoreKeyFunc func, void *user)
{
    g_return_if_fail(store && func);
    for (GList *l = store->key_order.head; l; l = l->next) {
        OtrStoreKey *k = l->data;
        func(k->id.account, k->id.protocol, k->key, user);
    }
}

/* ---- Reading ----------------------------------------------------------- */

/* The n-th element of list s as a new NUL-terminated string; NULL if it is
 * absent, empty or holds a NUL. */
static char *
nth_string(gcry_sexp_t s, int n)
{
    size_t len = 0;
    const char *d = s ? gcry_sexp_nth_data(s, n, &len) : NULL;

    if (!d || len == 0 || memchr(d, '\0', len))
        return NULL;
    return g_strndup(d, len);
}

static gboolean
head_is(gcry_sexp_t s, const char *word)
{
    size_t len = 0;
    const char *d = gcry_sexp_nth_data(s, 0, &len);

    return d && len == strlen(word) && memcmp(d, word, len) == 0;
}

static void
load_account(OtrStore *store, gcry_sexp_t acc, guint line, OtrStoreErrs *errs)
{
    gcry_sexp_t names = NULL, protos = NULL, privs = NULL;
    char *name = NULL, *proto = NULL, *text = NULL;
    OtrPrivKey *key = NULL;
    OtrError err = OTR_OK;
    OtrStoreKey *k;

    if (!head_is(acc, "account")) {
        otr_store_errs_add(errs, line, "expected an (account ...) list");
        goto out;
    }
    names = gcry_sexp_find_token(acc, "name", 0);
    protos = gcry_sexp_find_token(acc, "protocol", 0);
    privs = gcry_sexp_find_token(acc, "private-key", 0);
    name = nth_string(names, 1);
    proto = nth_string(protos, 1);
    if (!otr_store_name_valid(name) || !otr_store_name_valid(proto)) {
        otr_store_errs_add(errs, line,
                           "account without a valid name and "
                           "protocol");
        goto out;
    }
    text = privs ? sexp_text(privs) : NULL;
    if (text)
        key = otr_privkey_from_sexp(text, strlen(text), &err);
    if (!key) {
        otr_store_errs_add(errs, line, "bad private key for %s (%s): %s", name,
                           proto, text ? otr_error_str(err) : "missing");
        goto out;
    }
    k = otr_store_key_entry_ensure(store, name, proto);
    otr_privkey_free(k->key);
    text_free(k->sexp);
    k->key = key;
    k->sexp = text; /* as read: libotr writes it back the same way */
    text = NULL;
    g_clear_pointer(&k->sealed, g_free);
out:
    text_free(text);
    g_free(name);
    g_free(proto);
    gcry_sexp_release(names);
    gcry_sexp_release(protos);
    gcry_sexp_release(privs);
}

typedef struct {
    gsize start, end;
} Span;

typedef struct {
    Span head;          /* first atom of the outer list */
    GArray *lists;      /* Span of each list inside the outer one */
    GArray *stray;      /* gsize offsets of other atoms inside it */
    gboolean truncated; /* end of data inside a list */
    gsize open_at;      /* start of the unfinished inner list */
} Split;

static gboolean
is_delim(char c)
{
    return strchr(" \t\r\n\f\v()[]\"#|{}", c) != NULL || c == '\0';
}

/* Skips one atom starting at i; returns the offset after it. */
static gsize
skip_atom(const char *d, gsize len, gsize i, gboolean *truncated)
{
    char c = d[i];

    if (c >= '0' && c <= '9') {
        gsize j = i, n = 0;
        while (j < len && d[j] >= '0' && d[j] <= '9' && n < len)
            n = n * 10 + (gsize)(d[j++] - '0');
        if (j < len && d[j] == ':') { /* verbatim: N raw bytes */
            if (n > len - j - 1) {
                *truncated = TRUE;
                return len;
            }
            return j + 1 + n;
        }
        if (j < len && (d[j] == '"' || d[j] == '#' || d[j] == '|'))
            return skip_atom(d, len, j, truncated); /* length hint */
        i = j;
    }
    if (c == '"') {
        for (gsize j = i + 1; j < len; j++) {
            if (d[j] == '\\')
                j++;
            else if (d[j] == '"')
                return j + 1;
        }
        *truncated = TRUE;
        return len;
    }
    if (c == '#' || c == '|') {
        const char *e = memchr(d + i + 1, c, len - i - 1);
        if (!e) {
            *truncated = TRUE;
            return len;
        }
        return (gsize)(e - d) + 1;
    }
    while (i < len && !is_delim(d[i]))
        i++;
    return i;
}

/* FALSE when the data is not a plain list (e.g. transport "{...}"). */
static gboolean
split(const char *d, gsize len, Split *sp)
{
    gsize i = 0;
    int depth = 0;
    gboolean have_head = FALSE;

    memset(sp, 0, sizeof *sp);
    while (i < len && g_ascii_isspace(d[i]))
        i++;
    if (i >= len || d[i] != '(')
        return FALSE;
    sp->lists = g_array_new(FALSE, FALSE, sizeof(Span));
    sp->stray = g_array_new(FALSE, FALSE, sizeof(gsize));
    while (i < len) {
        char c = d[i];
        if (c == '{' || c == '}')
            return FALSE;
        if (g_ascii_isspace(c) || c == '[' || c == ']') {
            i++;
        } else if (c == '(') {
            if (++depth == 2)
                sp->open_at = i;
            i++;
        } else if (c == ')') {
            if (depth == 2) {
                Span s = { sp->open_at, i + 1 };
                g_array_append_val(sp->lists, s);
            }
            i++;
            if (--depth == 0)
                return TRUE;
        } else {
            gsize end = skip_atom(d, len, i, &sp->truncated);
            if (depth == 1 && !have_head) {
                sp->head.start = i;
                sp->head.end = end;
                have_head = TRUE;
            } else if (depth == 1) {
                g_array_append_val(sp->stray, i);
            }
            i = end > i ? end : i + 1;
        }
    }
    sp->truncated = TRUE;
    return TRUE;
}

static void
split_clear(Split *sp)
{
    if (sp->lists)
        g_array_unref(sp->lists);
    if (sp->stray)
        g_array_unref(sp->stray);
}

static guint
line_of(const char *d, gsize off, gsize *from, guint *line)
{
    for (; *from < off; (*from)++)
        if (d[*from] == '\n')
            (*line)++;
    return *line;
}

static gboolean
head_ok(const char *d, const Span *h)
{
    char *buf;
    gcry_sexp_t s = NULL;
    size_t erroff;
    gboolean ok;

    if (h->end <= h->start)
        return FALSE;
    buf = g_strdup_printf("(%.*s)", (int)(h->end - h->start), d + h->start);
    ok = gcry_sexp_sscan(&s, &erroff, buf, strlen(buf)) == 0 &&
         head_is(s, "privkeys");
    gcry_sexp_release(s);
    g_free(buf);
    return ok;
}

/* Fallback for what the scanner does not cut: libgcrypt on the whole. */
static void
parse_whole(OtrStore *store, const char *d, gsize len, OtrStoreErrs *errs)
{
    gcry_sexp_t all = NULL;
    size_t erroff = 0;
    gsize from = 0;
    guint line = 1;

    if (gcry_sexp_sscan(&all, &erroff, d, len) != 0) {
        otr_store_errs_add(errs, line_of(d, MIN(erroff, len), &from, &line),
                           "not a valid S-expression");
        return;
    }
    if (!head_is(all, "privkeys")) {
        otr_store_errs_add(errs, 1, "not a (privkeys ...) file");
    } else {
        int n = gcry_sexp_length(all);
        for (int i = 1; i < n; i++) {
            gcry_sexp_t acc = gcry_sexp_nth(all, i);
            if (acc)
                load_account(store, acc, 1, errs);
            else
                otr_store_errs_add(errs, 1, "expected an (account ...) list");
            gcry_sexp_release(acc);
        }
    }
    gcry_sexp_release(all);
}

gboolean
otr_store_keys_parse(OtrStore *store,
                     const char *data,
                     gsize len,
                     const char *name,
                     GError **error)
{
    OtrStoreErrs errs = { name, 0, NULL };
    Split sp;
    gsize from = 0;
    guint line = 1;

    g_return_val_if_fail(store && (data || len == 0), FALSE);
    if (!split(data, len, &sp)) {
        parse_whole(store, data, len, &errs);
        goto out;
    }
    if (!head_ok(data, &sp.head)) {
        otr_store_errs_add(&errs, line_of(data, sp.head.start, &from, &line),
                           "not a (privkeys ...) file");
        goto out;
    }
    for (guint i = 0; i < sp.lists->len; i++) {
        Span *s = &g_array_index(sp.lists, Span, i);
        gcry_sexp_t acc = NULL;
        size_t erroff;
        guint at = line_of(data, s->start, &from, &line);

        if (gcry_sexp_sscan(&acc, &erroff, data + s->start,
                            s->end - s->start) != 0)
            otr_store_errs_add(&errs, at, "not a valid S-expression");
        else
            load_account(store, acc, at, &errs);
        gcry_sexp_release(acc);
    }
    for (guint i = 0; i < sp.stray->len; i++) {
        gsize off = g_array_index(sp.stray, gsize, i);
        gsize f2 = 0;
        guint l2 = 1;
        otr_store_errs_add(&errs, line_of(data, off, &f2, &l2),
                           "unexpected atom; expected (account ...)");
    }
    if (sp.truncated) {
        gsize f2 = 0;
        guint l2 = 1;
        otr_store_errs_add(&errs, line_of(data, len, &f2, &l2),
                           "unexpected end of file");
    }
out:
    split_clear(&sp);
    return otr_store_errs_finish(&errs, error);
}

gboolean
otr_store_keys_load(OtrStore *store, const char *path, GError **error)
{
    g_return_val_if_fail(store && path, FALSE);
    return otr_store_load_file(store, path, otr_store_keys_parse, TRUE, error);
}

/* ---- Writing ------------------------------------------------------------ */

static void
append_field(GString *s, const char *fmt, const char *value)
{
    gcry_sexp_t sx = NULL;
    char *t;

    if (gcry_sexp_build(&sx, NULL, fmt, value) != 0)
        return;
    t = sexp_text(sx);
    if (t)
        g_string_append(s, t);
    g_free(t);
    gcry_sexp_release(sx);
}

char *
otr_store_keys_serialize_all(const OtrStore *store,
                             gboolean protected_too,
                             gsize *len)
{
    gsize need = 64;
    GString *s;

    /* Sized up front: growing would leave copies of secrets behind. */
    for (GList *l = store->key_order.head; l; l = l->next) {
        OtrStoreKey *k = l->data;
        need += 64 + 4 * (strlen(k->id.account) + strlen(k->id.protocol)) +
                (k->sexp ? strlen(k->sexp) : 0);
    }
    s = g_string_sized_new(need);
    g_string_append(s, "(privkeys\n");
    for (GList *l = store->key_order.head; l; l = l->next) {
        OtrStoreKey *k = l->data;
        if ((k->sealed && !protected_too) || !k->sexp)
            continue; /* protected keys live in the sealed file */
        g_string_append(s, " (account\n");
        append_field(s, "(name %s)", k->id.account);
        append_field(s, "(protocol %s)", k->id.protocol);
        g_string_append(s, k->sexp);
        g_string_append(s, " )\n");
    }
    g_string_append(s, ")\n");
    if (len)
        *len = s->len;
    return g_string_free(s, FALSE);
}

char *
otr_store_keys_serialize(const OtrStore *store, gsize *len)
{
    g_return_val_if_fail(store, NULL);
    return otr_store_keys_serialize_all(store, FALSE, len);
}

gboolean
otr_store_keys_save(const OtrStore *store, const char *path, GError **error)
{
    g_return_val_if_fail(store && path, FALSE);
    return otr_store_save_file(store, path, otr_store_keys_serialize, TRUE,
                               error);
}
