/* Offrec — private key generation in a worker thread, one per account.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The worker only runs otr_privkey_generate(); everything else (progress
 * and completion callbacks, installing the key in the store) happens in
 * the GMainContext of the thread that started the job, through idle
 * sources. A job is in store->jobs from start to completion, so a second
 * request for the same (account, protocol) gets the running job.
 */
#include "store-private.h"

typedef struct {
    OtrKeygenProgressFunc progress;
    OtrKeygenDoneFunc done;
    void *user;
} Watcher;

struct OtrKeygen {
    OtrStoreId id; /* first: the job is its own key in store->jobs */
    gint ref;
    OtrStore *store; /* NULL once the store is freed */
    const OtrHostOps *ops;
    void *user;
    GMainContext *ctx;
    GThread *thread;
    volatile gint cancel;
    GArray *watchers;
    gboolean finished;
    /* Written by the worker, read in ctx under lock. */
    GMutex lock;
    int prog_done, prog_total;
    gboolean prog_queued;
    OtrPrivKey *key;
    OtrError err;
};

OtrKeygen *
otr_keygen_ref(OtrKeygen *job)
{
    g_return_val_if_fail(job, NULL);
    g_atomic_int_inc(&job->ref);
    return job;
}

void
otr_keygen_unref(OtrKeygen *job)
{
    if (!job || !g_atomic_int_dec_and_test(&job->ref))
        return;
    if (job->thread)
        g_thread_join(job->thread);
    otr_privkey_free(job->key);
    g_array_unref(job->watchers);
    g_main_context_unref(job->ctx);
    g_mutex_clear(&job->lock);
    g_free(job->id.account);
    g_free(job->id.protocol);
    g_free(job);
}

static void
queue_in_ctx(OtrKeygen *job, GSourceFunc func)
{
    GSource *src = g_idle_source_new();

    g_source_set_priority(src, G_PRIORITY_DEFAULT);
    g_source_set_callback(src, func, otr_keygen_ref(job),
                          (GDestroyNotify)otr_keygen_unref);
    g_source_attach(src, job->ctx);
    g_source_unref(src);
}

static gboolean
progress_in_ctx(gpointer p)
{
    OtrKeygen *job = p;
    int done, total;

    g_mutex_lock(&job->lock);
    done = job->prog_done;
    total = job->prog_total;
    job->prog_queued = FALSE;
    g_mutex_unlock(&job->lock);
    if (job->finished)
        return G_SOURCE_REMOVE;
    for (guint i = 0; i < job->watchers->len; i++) {
        Watcher *w = &g_array_index(job->watchers, Watcher, i);
        if (w->progress)
            w->progress(job, done, total, w->user);
    }
    return G_SOURCE_REMOVE;
}

/* Worker thread: only records the latest figures and queues one update. */
static void
progress_in_worker(void *user, int done, int total)
{
    OtrKeygen *job = user;
    gboolean queue;

    g_mutex_lock(&job->lock);
    job->prog_done = done;
    job->prog_total = total;
    queue = !job->prog_queued;
    job->prog_queued = TRUE;
    g_mutex_unlock(&job->lock);
    if (queue)
        queue_in_ctx(job, progress_in_ctx);
}

static gboolean
finish_in_ctx(gpointer p)
{
    OtrKeygen *job = p;
    OtrStore *store = job->store;
    const OtrPrivKey *key = NULL;
    GError *error = NULL;
    OtrPrivKey *fresh;

    if (job->thread) {
        g_thread_join(job->thread); /* it has queued us: returns at once */
        job->thread = NULL;
    }
    g_mutex_lock(&job->lock);
    fresh = job->key;
    job->key = NULL;
    g_mutex_unlock(&job->lock);
    if (!store) {
        otr_privkey_free(fresh);
        g_set_error(&error, OTR_STORE_ERROR, OTR_STORE_ERROR_CANCELLED,
                    "Key generation cancelled: the store was closed");
    } else if (!fresh) {
        g_set_error(&error, OTR_STORE_ERROR,
                    job->err == OTR_ERR_CANCELLED ? OTR_STORE_ERROR_CANCELLED
                                                  : OTR_STORE_ERROR_CRYPTO,
                    "Key generation for %s (%s) failed: %s", job->id.account,
                    job->id.protocol, otr_error_str(job->err));
    } else if (otr_store_key_set(store, job->id.account, job->id.protocol,
                                 fresh, TRUE, &error)) {
        key = otr_store_key_lookup(store, job->id.account, job->id.protocol);
    }
    job->finished = TRUE;
    if (store) {
        g_hash_table_remove(store->jobs, job);
        job->store = NULL;
    }
    for (guint i = 0; i < job->watchers->len; i++) {
        Watcher *w = &g_array_index(job->watchers, Watcher, i);
        if (w->done)
            w->done(job, key, error, w->user);
    }
    g_clear_error(&error);
    if (store)
        otr_keygen_unref(job); /* the store's reference */
    return G_SOURCE_REMOVE;
}

static gpointer
worker(gpointer p)
{
    OtrKeygen *job = p;
    OtrError err = OTR_OK;
    OtrPrivKey *key;

    key = otr_privkey_generate(job->ops, job->user, progress_in_worker, job,
                               &job->cancel, &err);
    if (key && g_atomic_int_get(&job->cancel)) {
        otr_privkey_free(key); /* cancelled before we could report it */
        key = NULL;
        err = OTR_ERR_CANCELLED;
    }
    g_mutex_lock(&job->lock);
    job->key = key;
    job->err = key ? OTR_OK : (err != OTR_OK ? err : OTR_ERR_CRYPTO);
    g_mutex_unlock(&job->lock);
    queue_in_ctx(job, finish_in_ctx);
    return NULL;
}

OtrKeygen *
otr_store_keygen_running(const OtrStore *store,
                         const char *account,
                         const char *protocol)
{
    OtrStoreId id = { (char *)account, (char *)protocol, NULL };

    g_return_val_if_fail(store, NULL);
    if (!account || !protocol)
        return NULL;
    return g_hash_table_lookup(store->jobs, &id);
}

OtrKeygen *
otr_store_keygen_start(OtrStore *store,
                       const OtrHostOps *ops,
                       void *user,
                       const char *account,
                       const char *protocol,
                       gboolean *started)
{
    OtrKeygen *job;

    g_return_val_if_fail(store && ops, NULL);
    if (started)
        *started = FALSE;
    if (!otr_store_name_valid(account) || !otr_store_name_valid(protocol))
        return NULL;
    job = otr_store_keygen_running(store, account, protocol);
    if (job)
        return job;
    job = g_new0(OtrKeygen, 1);
    job->ref = 1; /* the store's, dropped on completion */
    job->id.account = g_strdup(account);
    job->id.protocol = g_strdup(protocol);
    job->store = store;
    job->ops = ops;
    job->user = user;
    job->ctx = g_main_context_ref_thread_default();
    job->watchers = g_array_new(FALSE, FALSE, sizeof(Watcher));
    g_mutex_init(&job->lock);
    g_hash_table_add(store->jobs, job);
    job->thread = g_thread_new("otr-keygen", worker, job);
    if (started)
        *started = TRUE;
    return job;
}

void
otr_keygen_watch(OtrKeygen *job,
                 OtrKeygenProgressFunc progress,
                 OtrKeygenDoneFunc done,
                 void *user)
{
    Watcher w = { progress, done, user };

    g_return_if_fail(job);
    if (!job->finished)
        g_array_append_val(job->watchers, w);
}

void
otr_keygen_cancel(OtrKeygen *job)
{
    g_return_if_fail(job);
    g_atomic_int_set(&job->cancel, 1);
}

const char *
otr_keygen_account(const OtrKeygen *job)
{
    return job->id.account;
}

const char *
otr_keygen_protocol(const OtrKeygen *job)
{
    return job->id.protocol;
}

gboolean
otr_keygen_finished(const OtrKeygen *job)
{
    return job->finished;
}

void
otr_store_keygen_shutdown(OtrStore *store)
{
    GHashTableIter it;
    gpointer p;

    g_hash_table_iter_init(&it, store->jobs);
    while (g_hash_table_iter_next(&it, &p, NULL)) {
        OtrKeygen *job = p;
        g_atomic_int_set(&job->cancel, 1);
        if (job->thread) {
            g_thread_join(job->thread);
            job->thread = NULL;
        }
        job->store = NULL; /* its queued completion reports CANCELLED */
        g_hash_table_iter_remove(&it);
        otr_keygen_unref(job);
    }
}
