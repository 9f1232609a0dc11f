/* Offrec bench — fpload-10k: load 10,000 fingerprints, ours vs libotr.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Prints one line:
 *   bench fpload-10k ours=MS libotr=MS unit=ms ratio=OURS/LIBOTR
 * with the median of several runs of each, in the same process.
 */
#include <libotr/privkey.h>
#include <libotr/proto.h>
#include <libotr/userstate.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "store.h"

#define N_FPRS 10000

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

static double
ms_since(gint64 t0)
{
    return (double)(g_get_monotonic_time() - t0) / 1000.0;
}

int
main(int argc, char **argv)
{
    int runs_ours = 15, runs_libotr = argc > 1 ? atoi(argv[1]) : 5;
    double ours[15], theirs[64];
    char *dir = g_dir_make_tmp("otr-bench-XXXXXX", NULL);
    char *path = g_build_filename(dir, "otr.fingerprints", NULL);
    GString *file = g_string_new(NULL);
    double mo, ml;

    if (runs_libotr < 1 || runs_libotr > 64)
        runs_libotr = 5;
    OTRL_INIT;
    otr_init();
    /* 10,000 distinct buddies over a few accounts, some trusted: the
     * shape of a big real fingerprints file. */
    for (int i = 0; i < N_FPRS; i++) {
        guint32 h = (guint32)i * 2654435761u;
        g_string_append_printf(file,
                               "buddy%05d@example.org\tme%d@example.org/Home"
                               "\tprpl-jabber\t%08x%08x%08x%08x%08x\t%s\n",
                               (int)(h % 100000), i % 3, h, h ^ 0x5a5a5a5a,
                               (guint32)i, h >> 3, ~h, i % 4 ? "verified" : "");
    }
    if (!g_file_set_contents(path, file->str, (gssize)file->len, NULL))
        return 1;

    for (int r = 0; r < runs_libotr; r++) {
        OtrlUserState us = otrl_userstate_create();
        gint64 t0 = g_get_monotonic_time();
        if (otrl_privkey_read_fingerprints(us, path, NULL, NULL) != 0)
            return 1;
        theirs[r] = ms_since(t0);
        otrl_userstate_free(us);
    }
    for (int r = 0; r < runs_ours; r++) {
        OtrStore *s = otr_store_new();
        GError *err = NULL;
        gint64 t0 = g_get_monotonic_time();
        if (!otr_store_fprs_load(s, path, &err) ||
            otr_store_fpr_count(s) != N_FPRS) {
            fprintf(stderr, "load failed: %s\n", err ? err->message : "count");
            return 1;
        }
        ours[r] = ms_since(t0);
        otr_store_free(s);
    }
    mo = median(ours, runs_ours);
    ml = median(theirs, runs_libotr);
    printf("bench fpload-10k ours=%.2f libotr=%.2f unit=ms ratio=%.4f\n", mo,
           ml, mo / ml);
    unlink(path);
    g_rmdir(dir);
    g_free(path);
    g_free(dir);
    g_string_free(file, TRUE);
    return 0;
}
