/* Offrec bench — runs the same scenarios on our core and on libotr in one
 * process and prints, per figure, both medians and the ratio ours/libotr:
 *   bench NAME ours=VALUE libotr=VALUE unit=UNIT ratio=R
 * Usage: offrec-bench [--runs N] [--keydir DIR] [NAME...]
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "bench.h"

#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int runs = 11;
static const BenchImpl *impls[2] = { &bench_ours, &bench_libotr };

static double
cpu_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

static double
median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void
check(gboolean ok, const BenchImpl *impl, const char *what)
{
    if (!ok) {
        fprintf(stderr, "bench: %s failed for %s\n", what, impl->name);
        exit(1);
    }
}

static void
report(const char *name, const char *unit, const double value[2])
{
    printf("bench %s ours=%.4g libotr=%.4g unit=%s ratio=%.3f\n", name,
           value[0], value[1], unit, value[0] / value[1]);
    fflush(stdout);
}

/* Printable ASCII text of len bytes (no NUL, nothing markup-like). */
static char *
make_text(size_t len, guint32 seed)
{
    char *t = g_malloc(len + 1);
    GRand *r = g_rand_new_with_seed(seed);

    for (size_t i = 0; i < len; i++)
        t[i] = (char)g_rand_int_range(r, 'a', 'z' + 1);
    t[len] = '\0';
    g_rand_free(r);
    return t;
}

static double
one_ake(const BenchImpl *impl)
{
    BenchPair *p = impl->pair_new(0, 0);
    double t0 = cpu_now(), t;

    check(impl->ake(p), impl, "ake");
    t = cpu_now() - t0;
    impl->pair_free(p);
    return t;
}

static void
bench_ake(void)
{
    double v[2], *s[2];
    int n = runs * 3;

    for (int k = 0; k < 2; k++)
        s[k] = g_new(double, n);
    for (int i = 0; i < n; i++)
        for (int k = 0; k < 2; k++)
            s[k][i] = one_ake(impls[k]) * 1e3;
    for (int k = 0; k < 2; k++) {
        v[k] = median(s[k], n);
        g_free(s[k]);
    }
    report("ake", "ms", v);
}

/* Time per message for count messages of text; pattern 0 one-way, 1
 * alternating. The first message and its reply are never timed; when
 * steady, one more message goes the way the first timed one does, so that
 * the key rotation the reply triggers is not timed either (the per-message
 * cost between rotations). */
static double
message_run(const BenchImpl *impl,
            size_t max_msg,
            const char *text,
            int count,
            gboolean alternate,
            gboolean steady)
{
    BenchPair *p = impl->pair_new(max_msg, 0);
    double t0, t;

    check(impl->ake(p), impl, "ake");
    check(impl->send(p, TRUE, text), impl, "first message");
    check(impl->send(p, FALSE, text), impl, "first reply");
    if (steady)
        check(impl->send(p, TRUE, text), impl, "warm-up message");
    t0 = cpu_now();
    for (int i = 0; i < count; i++)
        check(impl->send(p, alternate ? (i % 2 == 0) : TRUE, text), impl,
              "message");
    t = (cpu_now() - t0) / count;
    impl->pair_free(p);
    return t;
}

static void
bench_messages(const char *name,
               size_t max_msg,
               size_t len,
               int count,
               gboolean alternate,
               gboolean steady,
               const char *unit,
               double scale)
{
    char *text = make_text(len, (guint32)len);
    double v[2], *s[2];

    for (int k = 0; k < 2; k++)
        s[k] = g_new(double, runs);
    for (int i = 0; i < runs; i++)
        for (int k = 0; k < 2; k++)
            s[k][i] =
                message_run(impls[k], max_msg, text, count, alternate, steady) *
                scale;
    for (int k = 0; k < 2; k++) {
        v[k] = median(s[k], runs);
        g_free(s[k]);
    }
    g_free(text);
    report(name, unit, v);
}

/* Heap bytes per session on Alice's side, right after the AKE or, with
 * active, after a message each way (keys in use, per-key caches built). */
static double
heap_per_session(const BenchImpl *impl, int sessions, gboolean active)
{
    BenchPair **pairs = g_new(BenchPair *, sessions);
    struct mallinfo2 before, after;

    before = mallinfo2();
    for (int i = 0; i < sessions; i++) {
        pairs[i] = impl->pair_new(0, i);
        check(impl->ake(pairs[i]), impl, "ake");
        if (active) {
            check(impl->send(pairs[i], TRUE, "ping"), impl, "message");
            check(impl->send(pairs[i], FALSE, "pong"), impl, "reply");
        }
        impl->pair_drop_bob(pairs[i]);
    }
    after = mallinfo2();
    for (int i = 0; i < sessions; i++)
        impl->pair_free(pairs[i]);
    g_free(pairs);
    return ((double)after.uordblks - (double)before.uordblks) / sessions;
}

static void
bench_heap(const char *name, gboolean active)
{
    double v[2];

    for (int k = 0; k < 2; k++)
        v[k] = heap_per_session(impls[k], 1000, active);
    report(name, "bytes", v);
}

static double
smp_run(const BenchImpl *impl, gboolean equal)
{
    BenchPair *p = impl->pair_new(0, 0);
    double t0, t;

    check(impl->ake(p), impl, "ake");
    t0 = cpu_now();
    check(impl->smp(p, "correct horse", equal ? "correct horse" : "wrong"),
          impl, equal ? "smp" : "smp-fail");
    t = cpu_now() - t0;
    impl->pair_free(p);
    return t;
}

static void
bench_smp(const char *name, gboolean equal)
{
    double v[2], *s[2];

    for (int k = 0; k < 2; k++)
        s[k] = g_new(double, runs);
    for (int i = 0; i < runs; i++)
        for (int k = 0; k < 2; k++)
            s[k][i] = smp_run(impls[k], equal) * 1e3;
    for (int k = 0; k < 2; k++) {
        v[k] = median(s[k], runs);
        g_free(s[k]);
    }
    report(name, "ms", v);
}

static gboolean
wanted(char **names, const char *name)
{
    return !names || !names[0] ||
           g_strv_contains((const char *const *)names, name);
}

int
main(int argc, char **argv)
{
    char *keydir = NULL;
    char **names = NULL;
    GOptionEntry entries[] = {
        { "runs", 0, 0, G_OPTION_ARG_INT, &runs, "runs per figure", "N" },
        { "keydir", 0, 0, G_OPTION_ARG_FILENAME, &keydir,
          "where keys are kept between runs", "DIR" },
        { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &names, NULL,
          "NAME..." },
        { NULL },
    };
    GOptionContext *ctx = g_option_context_new("- Offrec vs libotr");
    GError *error = NULL;

    g_option_context_add_main_entries(ctx, entries, NULL);
    if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
        fprintf(stderr, "%s\n", error->message);
        return 2;
    }
    g_option_context_free(ctx);
    if (runs < 1)
        runs = 1;
    if (!keydir)
        keydir = g_strdup(".");
    g_mkdir_with_parents(keydir, 0700);
    for (int k = 0; k < 2; k++)
        impls[k]->setup(keydir);

    if (wanted(names, "ake"))
        bench_ake();
    if (wanted(names, "pingpong"))
        bench_messages("pingpong", 0, 100, 200, TRUE, FALSE, "us", 1e6);
    if (wanted(names, "oneway"))
        bench_messages("oneway", 0, 100, 200, FALSE, FALSE, "us", 1e6);
    if (wanted(names, "large"))
        bench_messages("large", 0, 64 * 1024, 20, FALSE, FALSE, "us", 1e6);
    if (wanted(names, "frags"))
        bench_messages("frags", 400, 10 * 1024, 20, FALSE, FALSE, "us", 1e6);
    /* oneway and frags without the key rotation the first reply causes;
     * after the others, so that those run on the same heap as before. */
    if (wanted(names, "oneway-steady"))
        bench_messages("oneway-steady", 0, 100, 200, FALSE, TRUE, "us", 1e6);
    if (wanted(names, "frags-steady"))
        bench_messages("frags-steady", 400, 10 * 1024, 20, FALSE, TRUE, "us",
                       1e6);
    if (wanted(names, "heap"))
        bench_heap("heap", FALSE);
    if (wanted(names, "heap-active"))
        bench_heap("heap-active", TRUE);
    if (wanted(names, "smp"))
        bench_smp("smp", TRUE);
    if (wanted(names, "smp-fail"))
        bench_smp("smp-fail", FALSE);

    for (int k = 0; k < 2; k++)
        impls[k]->teardown();
    g_strfreev(names);
    g_free(keydir);
    return 0;
}
