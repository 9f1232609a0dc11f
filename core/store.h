/* Offrec — identity store: private keys, fingerprints and instance tags.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The store keeps what an OTR user must never lose, in libotr 4.1.1's file
 * formats so that keys and trust move freely between Offrec and every
 * libotr-based client:
 *
 *   private keys   "(privkeys (account (name N)(protocol P)(private-key
 *                  (dsa ...))) ...)" as libgcrypt S-expressions; any form
 *                  libgcrypt accepts is read, the advanced form is written;
 *   fingerprints   "buddy\taccount\tprotocol\t<40 hex>\ttrust\n" (the trust
 *                  field is optional when read; any non-empty trust string
 *                  means trusted and unknown strings are kept verbatim);
 *   instance tags  "account\tprotocol\t%08x\n" after a '#' comment line.
 *
 * Everything is looked up in hash tables keyed by (account, protocol[,
 * buddy]). Output is byte-identical to what libotr writes for the same
 * data: accounts' keys in insertion order, the newest one last; instance
 * tags newest first; fingerprints grouped by (buddy, account, protocol) in
 * strcmp() order, the newest fingerprint of a buddy first. Entries loaded
 * from a file keep the file's order, so load + save is an identity.
 *
 * Every save is atomic (otr_store_write_atomic()). Loading a malformed file
 * loads every good entry, then fails with an OTR_STORE_ERROR_MALFORMED
 * GError that names the file and line of the first bad entry.
 *
 * An OtrStore belongs to one thread (the main loop's); only key generation
 * runs elsewhere and reports back through the caller's GMainContext.
 */
#ifndef OTR_STORE_H
#define OTR_STORE_H

#include "otr.h"

G_BEGIN_DECLS

#define OTR_STORE_ERROR (otr_store_error_quark())
GQuark otr_store_error_quark(void);

typedef enum {
    OTR_STORE_ERROR_IO,         /* open, read, write, fsync, rename failed */
    OTR_STORE_ERROR_MALFORMED,  /* a file (or line of it) does not parse */
    OTR_STORE_ERROR_INVALID,    /* bad argument (tab in a name, ...) */
    OTR_STORE_ERROR_EXISTS,     /* a key exists and may not be replaced */
    OTR_STORE_ERROR_LOCKED,     /* the key is passphrase-protected */
    OTR_STORE_ERROR_PASSPHRASE, /* wrong passphrase or tampered data */
    OTR_STORE_ERROR_CANCELLED,
    OTR_STORE_ERROR_CRYPTO, /* key generation or a primitive failed */
} OtrStoreError;

typedef struct OtrStore OtrStore;

OtrStore *otr_store_new(void);
/* Cancels and waits for running key generations, wipes keys. */
void otr_store_free(OtrStore *store);

/* Replace path with data: a temporary file created 0600 (O_EXCL) in the
 * same directory, written, fsynced, renamed over path, then the directory
 * fsynced. On failure the old file is untouched and error is set. */
gboolean otr_store_write_atomic(const char *path,
                                const void *data,
                                gsize len,
                                GError **error);

/* ---- Private keys ------------------------------------------------------ */

/* NULL when there is no key or it is passphrase-protected and locked.
 * (transfer none) until the key is replaced or removed. */
const OtrPrivKey *otr_store_key_lookup(const OtrStore *store,
                                       const char *account,
                                       const char *protocol);
/* One key per (account, protocol): replaces any existing key (which then
 * moves last, as libotr does) unless replace is FALSE, in which case an
 * existing key gives OTR_STORE_ERROR_EXISTS. key: (transfer full), freed
 * on failure too. */
gboolean otr_store_key_set(OtrStore *store,
                           const char *account,
                           const char *protocol,
                           OtrPrivKey *key,
                           gboolean replace,
                           GError **error);
gboolean otr_store_key_remove(OtrStore *store,
                              const char *account,
                              const char *protocol);
/* Accounts with a key (locked ones included). */
guint otr_store_key_count(const OtrStore *store);
/* In file order; key is NULL for a locked key. */
typedef void (*OtrStoreKeyFunc)(const char *account,
                                const char *protocol,
                                const OtrPrivKey *key,
                                void *user);
void otr_store_key_foreach(const OtrStore *store,
                           OtrStoreKeyFunc func,
                           void *user);

/* Add the file's keys to the store (replacing keys of the same accounts).
 * A missing file is not an error: nothing is loaded. */
gboolean otr_store_keys_load(OtrStore *store, const char *path, GError **error);
/* Same from memory; name is used in error messages. */
gboolean otr_store_keys_parse(OtrStore *store,
                              const char *data,
                              gsize len,
                              const char *name,
                              GError **error);
/* The libotr private-key file of every unprotected key. Holds secrets: the
 * caller wipes it (otr_wipe(s, *len)) before g_free. */
char *otr_store_keys_serialize(const OtrStore *store, gsize *len);
gboolean otr_store_keys_save(const OtrStore *store,
                             const char *path,
                             GError **error);

/* ---- Fingerprints ------------------------------------------------------ */

typedef struct {
    const char *buddy; /* owned by the store */
    const char *account;
    const char *protocol;
    uint8_t fpr[OTR_FPR_LEN];
    const char *trust; /* NULL (no trust field) or the trust string */
} OtrStoreFpr;

/* TRUE when trust is a non-empty string. */
gboolean otr_store_fpr_is_trusted(const OtrStoreFpr *f);
/* Adds the fingerprint (untrusted) if absent; *added tells which. NULL only
 * for invalid names (empty, or containing a TAB, CR or LF). (transfer
 * none): valid until the fingerprint is removed. */
const OtrStoreFpr *otr_store_fpr_add(OtrStore *store,
                                     const char *account,
                                     const char *protocol,
                                     const char *buddy,
                                     const uint8_t fpr[OTR_FPR_LEN],
                                     gboolean *added);
const OtrStoreFpr *otr_store_fpr_lookup(const OtrStore *store,
                                        const char *account,
                                        const char *protocol,
                                        const char *buddy,
                                        const uint8_t fpr[OTR_FPR_LEN]);
/* trust: NULL or "" to distrust, e.g. "verified" or "smp" to trust. FALSE
 * when the fingerprint is unknown or trust holds a CR or LF. */
gboolean otr_store_fpr_set_trust(OtrStore *store,
                                 const char *account,
                                 const char *protocol,
                                 const char *buddy,
                                 const uint8_t fpr[OTR_FPR_LEN],
                                 const char *trust);
gboolean otr_store_fpr_remove(OtrStore *store,
                              const char *account,
                              const char *protocol,
                              const char *buddy,
                              const uint8_t fpr[OTR_FPR_LEN]);
/* The buddy's fingerprints, newest first: const OtrStoreFpr *, container
 * only (g_ptr_array_unref). Empty when the buddy is unknown. */
GPtrArray *otr_store_fpr_list(const OtrStore *store,
                              const char *account,
                              const char *protocol,
                              const char *buddy);
guint otr_store_fpr_count(const OtrStore *store);
/* In the order they are written. */
typedef void (*OtrStoreFprFunc)(const OtrStoreFpr *f, void *user);
void otr_store_fpr_foreach(const OtrStore *store,
                           OtrStoreFprFunc func,
                           void *user);

gboolean otr_store_fprs_load(OtrStore *store, const char *path, GError **error);
gboolean otr_store_fprs_parse(OtrStore *store,
                              const char *data,
                              gsize len,
                              const char *name,
                              GError **error);
char *otr_store_fprs_serialize(const OtrStore *store, gsize *len);
gboolean otr_store_fprs_save(const OtrStore *store,
                             const char *path,
                             GError **error);

/* ---- Instance tags ----------------------------------------------------- */

/* 0 when the account has none. */
guint32 otr_store_instag_lookup(const OtrStore *store,
                                const char *account,
                                const char *protocol);
/* FALSE for tags below OTR_INSTAG_MIN or invalid names. */
gboolean otr_store_instag_set(OtrStore *store,
                              const char *account,
                              const char *protocol,
                              guint32 instag);
/* The account's tag, creating a random one (from ops) when it has none;
 * *created (may be NULL) tells which. 0 only for invalid names. */
guint32 otr_store_instag_ensure(OtrStore *store,
                                const OtrHostOps *ops,
                                void *user,
                                const char *account,
                                const char *protocol,
                                gboolean *created);
gboolean otr_store_instag_remove(OtrStore *store,
                                 const char *account,
                                 const char *protocol);
guint otr_store_instag_count(const OtrStore *store);

gboolean otr_store_instags_load(OtrStore *store,
                                const char *path,
                                GError **error);
gboolean otr_store_instags_parse(OtrStore *store,
                                 const char *data,
                                 gsize len,
                                 const char *name,
                                 GError **error);
char *otr_store_instags_serialize(const OtrStore *store, gsize *len);
gboolean otr_store_instags_save(const OtrStore *store,
                                const char *path,
                                GError **error);

/* ---- Key generation ---------------------------------------------------- */

/* One running generation of a key for (account, protocol). */
typedef struct OtrKeygen OtrKeygen;

/* done, total as from otr_privkey_generate(). */
typedef void (*OtrKeygenProgressFunc)(OtrKeygen *job,
                                      int done,
                                      int total,
                                      void *user);
/* key: the new key, already installed in the store (transfer none), or
 * NULL with error set (OTR_STORE_ERROR_CANCELLED when cancelled). */
typedef void (*OtrKeygenDoneFunc)(OtrKeygen *job,
                                  const OtrPrivKey *key,
                                  const GError *error,
                                  void *user);

/* Starts generating a key for (account, protocol) in a worker thread, or,
 * when one is already running for that account, returns that job (then
 * *started, when non-NULL, is FALSE). ops must be thread-safe (the default
 * ops are). Callbacks run in the thread-default GMainContext of the thread
 * that first started the job. (transfer none): the job lives until its
 * done callbacks have run; otr_keygen_ref() to keep it longer. */
OtrKeygen *otr_store_keygen_start(OtrStore *store,
                                  const OtrHostOps *ops,
                                  void *user,
                                  const char *account,
                                  const char *protocol,
                                  gboolean *started);
/* The running job for the account or NULL. (transfer none) */
OtrKeygen *otr_store_keygen_running(const OtrStore *store,
                                    const char *account,
                                    const char *protocol);
/* Adds a listener; progress and done may be NULL. Listeners added after
 * completion are never called. */
void otr_keygen_watch(OtrKeygen *job,
                      OtrKeygenProgressFunc progress,
                      OtrKeygenDoneFunc done,
                      void *user);
/* Asks the worker to stop; done callbacks still run (with CANCELLED,
 * unless the key was already complete). */
void otr_keygen_cancel(OtrKeygen *job);
const char *otr_keygen_account(const OtrKeygen *job);
const char *otr_keygen_protocol(const OtrKeygen *job);
gboolean otr_keygen_finished(const OtrKeygen *job);
OtrKeygen *otr_keygen_ref(OtrKeygen *job);
void otr_keygen_unref(OtrKeygen *job);

/* ---- Import from other libotr clients ---------------------------------- */

typedef enum {
    OTR_IMPORT_PIDGIN_OTR, /* otr.private_key, otr.fingerprints,
                              otr.instance_tags; purple names already */
    OTR_IMPORT_IRSSI,      /* otr.key, otr.fp, otr.instag; "IRC" */
    OTR_IMPORT_MCABBER,    /* <jid>.key, <jid>.fpr; "jabber" */
    OTR_IMPORT_PROFANITY,  /* keys.txt, fingerprints.txt; "xmpp" */
    OTR_IMPORT_BITLBEE,    /* <user>.otr_keys, <user>.otr_fprints */
} OtrImportSource;

typedef enum {
    OTR_IMPORT_REPLACE_KEYS = 1 << 0, /* overwrite existing keys */
} OtrImportFlags;

typedef struct {
    guint keys_added;
    guint keys_skipped; /* an existing key was kept */
    guint fprs_added;
    guint fprs_merged;     /* already known: trust merged */
    guint instags_added;   /* tags of accounts that had none */
    guint instags_skipped; /* the account already had a tag */
} OtrImportStats;

/* Rewrites an account name for libpurple (e.g. add the XMPP resource).
 * Returns a new string or NULL to keep it. */
typedef char *(*OtrImportAccountFunc)(const char *account,
                                      const char *purple_protocol,
                                      void *user);

/* libpurple's protocol id for a client's protocol name ("IRC" ->
 * "prpl-irc", "xmpp" -> "prpl-jabber", ...); (transfer none). account
 * disambiguates bitlbee's "oscar" (numeric: ICQ, else AIM). */
const char *otr_import_purple_protocol(OtrImportSource source,
                                       const char *protocol,
                                       const char *account);
/* The three file names a client uses in dir (NULL for none); g_free.
 * name: the jid (mcabber) or the user (bitlbee); ignored otherwise. */
void otr_import_paths(OtrImportSource source,
                      const char *dir,
                      const char *name,
                      char **keys,
                      char **fprs,
                      char **instags);
/* Merges the given files (any may be NULL or missing) into store,
 * rewriting protocols (and accounts through map, when non-NULL).
 * Fingerprints merge without losing trust; existing keys are kept unless
 * OTR_IMPORT_REPLACE_KEYS; existing instance tags are kept. A malformed
 * file still imports its good entries, then error is set. */
gboolean otr_store_import_files(OtrStore *store,
                                OtrImportSource source,
                                const char *keys_path,
                                const char *fprs_path,
                                const char *instags_path,
                                OtrImportFlags flags,
                                OtrImportAccountFunc map,
                                void *map_user,
                                OtrImportStats *stats,
                                GError **error);
/* otr_import_paths() + otr_store_import_files(). */
gboolean otr_store_import_dir(OtrStore *store,
                              OtrImportSource source,
                              const char *dir,
                              const char *name,
                              OtrImportFlags flags,
                              OtrImportAccountFunc map,
                              void *map_user,
                              OtrImportStats *stats,
                              GError **error);

G_END_DECLS

#endif /* OTR_STORE_H */
