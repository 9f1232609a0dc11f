/* Offrec — identity store internals shared by the core/store*.c modules.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef OTR_STORE_PRIVATE_H
#define OTR_STORE_PRIVATE_H

#include "store.h"

/* Hash-table key. Every entry starts with one, so an entry is its own key
 * and a lookup uses a stack OtrStoreId. buddy is NULL for keys and tags. */
typedef struct {
    char *account;
    char *protocol;
    char *buddy;
} OtrStoreId;

guint otr_store_id_hash(gconstpointer p);
gboolean otr_store_id_equal(gconstpointer a, gconstpointer b);
/* Names must be non-empty and free of TAB, CR and LF (file separators). */
gboolean otr_store_name_valid(const char *s);

typedef struct {
    OtrStoreId id;
    OtrPrivKey *key; /* NULL while locked */
    char *sexp;      /* "(private-key ...)" advanced form, NUL-terminated;
                        NULL while locked; secret */
    char *sealed;    /* sealed-file line without "\n", or NULL */
    GList *link;     /* in OtrStore.key_order */
} OtrStoreKey;

typedef struct {
    OtrStoreId id;
    guint32 tag;
    GList *link; /* in OtrStore.instag_order */
} OtrStoreInstag;

typedef struct OtrStoreBuddy OtrStoreBuddy;

typedef struct OtrStoreFprEntry OtrStoreFprEntry;

struct OtrStoreFprEntry {
    OtrStoreFpr pub; /* strings point into buddy->id */
    OtrStoreBuddy *buddy;
    OtrStoreFprEntry *next; /* the buddy's next fingerprint */
    char *trust_heap;       /* behind pub.trust when too long for: */
    char trust_small[16];
};

/* One allocation: the struct, then its three strings. */
struct OtrStoreBuddy {
    OtrStoreId id;
    OtrStoreFprEntry *first, *last; /* written order (newest first) */
    guint count;
};

struct OtrStore {
    GHashTable *keys; /* OtrStoreKey set */
    GQueue key_order;
    GHashTable *instags; /* OtrStoreInstag set */
    GQueue instag_order;
    GHashTable *buddies; /* OtrStoreBuddy set */
    GHashTable *fprs;    /* OtrStoreFprEntry set, by (buddy, fpr) */
    guint nfprs;
    GHashTable *jobs; /* running OtrKeygen, by their OtrStoreId */
};

/* Collects parse errors: the first one becomes the GError, the count of the
 * others is appended when finishing. */
typedef struct {
    const char *name;
    guint count;
    char *first;
} OtrStoreErrs;

void otr_store_errs_add(OtrStoreErrs *e, guint line, const char *fmt, ...)
    G_GNUC_PRINTF(3, 4);
/* TRUE when no error was added; else sets error and returns FALSE. */
gboolean otr_store_errs_finish(OtrStoreErrs *e, GError **error);

/* Reads a whole file; *missing is set when it does not exist (then FALSE
 * without error). */
gboolean otr_store_read_file(const char *path,
                             char **data,
                             gsize *len,
                             gboolean *missing,
                             GError **error);

/* Called for each line of a text file: NUL-terminated, LF and anything
 * from the first CR on cut off, never empty. */
typedef void (*OtrStoreLineFunc)(OtrStore *store,
                                 char *line,
                                 guint lineno,
                                 OtrStoreErrs *errs);

/* Splits data at LF and hands each non-empty line to func; lines starting
 * with '#' are skipped too when comments is set. A line holding a NUL byte
 * is reported in errs and skipped. */
void otr_store_parse_lines(OtrStore *store,
                           const char *data,
                           gsize len,
                           gboolean comments,
                           OtrStoreLineFunc func,
                           OtrStoreErrs *errs);

/* The signatures of the otr_store_*_parse and otr_store_*_serialize
 * functions of store.h and store-pass.h. */
typedef gboolean (*OtrStoreParseFunc)(OtrStore *store,
                                      const char *data,
                                      gsize len,
                                      const char *name,
                                      GError **error);
typedef char *(*OtrStoreSerializeFunc)(const OtrStore *store, gsize *len);

/* Reads path and parses it; a missing file loads nothing and succeeds.
 * secret: the file's bytes are wiped after parsing. */
gboolean otr_store_load_file(OtrStore *store,
                             const char *path,
                             OtrStoreParseFunc parse,
                             gboolean secret,
                             GError **error);
/* Writes data (len bytes) to path atomically, then frees it, wiped first
 * when secret. */
gboolean otr_store_write_owned(const char *path,
                               char *data,
                               gsize len,
                               gboolean secret,
                               GError **error);
/* Serializes the store and writes the result atomically. */
gboolean otr_store_save_file(const OtrStore *store,
                             const char *path,
                             OtrStoreSerializeFunc serialize,
                             gboolean secret,
                             GError **error);

/* store-keys.c */
OtrStoreKey *otr_store_key_entry(const OtrStore *store,
                                 const char *account,
                                 const char *protocol);
/* Creates the entry (appended last) if needed; never NULL for valid
 * names. */
OtrStoreKey *otr_store_key_entry_ensure(OtrStore *store,
                                        const char *account,
                                        const char *protocol);
void otr_store_key_entry_free(gpointer p);
/* Installs key with its private-key S-expression (normalised here). */
gboolean otr_store_key_entry_install(OtrStoreKey *k,
                                     OtrPrivKey *key,
                                     GError **error);
/* Normalised advanced-form text of a "(private-key ...)" S-expression;
 * NULL if it is not one. Secret: wipe before g_free. */
char *otr_store_privkey_text(const char *sexp, gsize len);

/* The libotr key file; protected keys too (if unlocked) when asked. */
char *otr_store_keys_serialize_all(const OtrStore *store,
                                   gboolean protected_too,
                                   gsize *len);

/* store-fpr.c */
/* Set of OtrStoreFprEntry by (buddy, fpr); owns the entries. */
GHashTable *otr_store_fpr_table_new(void);
void otr_store_buddy_free(gpointer p);

/* store-keygen.c */
void otr_store_keygen_shutdown(OtrStore *store);

#endif /* OTR_STORE_PRIVATE_H */
