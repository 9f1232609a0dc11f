/* Offrec tests — rewrites a big file atomically in a loop until killed.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 *   crash-writer refs DIR        write DIR/a.ref and DIR/b.ref
 *   crash-writer once PATH a|b   replace PATH with version a or b
 *   crash-writer loop PATH       alternate a and b forever (atomic)
 *   crash-writer unsafe PATH     same, rewriting in place (the control)
 *   crash-writer kill DIR MS [MAX] fork writers of DIR/f and SIGKILL them
 *                                at random points for about MS ms (at
 *                                most MAX kills), checking the file after
 *                                each kill; TAP on stdout
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "store.h"

#define SIZE (512u * 1024)

static char *
version(char v)
{
    char *buf = g_malloc(SIZE);
    guint32 x = v == 'a' ? 0x12345678u : 0x9abcdef0u;

    /* Fingerprint-file-like lines, different all the way through. */
    for (gsize i = 0; i < SIZE; i++) {
        x = x * 1103515245u + 12345u;
        buf[i] = (i % 64 == 63) ? '\n' : "0123456789abcdef\t"[(x >> 16) % 17];
    }
    return buf;
}

static int
write_unsafe(const char *path, const char *data)
{
    int fd = open(path, O_WRONLY | O_TRUNC | O_CREAT, 0600);
    gsize off = 0;

    if (fd < 0)
        return -1;
    while (off < SIZE) {
        ssize_t n = write(fd, data + off, MIN(SIZE - off, 65536u));
        if (n <= 0)
            break;
        off += (gsize)n;
    }
    return close(fd);
}

static G_GNUC_NORETURN void
loop(const char *path, const char *a, const char *b, gboolean unsafe)
{
    GError *err = NULL;

    for (unsigned i = 0;; i++) {
        const char *v = (i & 1) ? a : b;
        if (unsafe) {
            if (write_unsafe(path, v) != 0)
                _exit(1);
        } else if (!otr_store_write_atomic(path, v, SIZE, &err)) {
            fprintf(stderr, "%s\n", err->message);
            _exit(1);
        }
    }
}

/* 'a', 'b', or 0 for anything else (torn). */
static char
which(const char *path, const char *a, const char *b)
{
    char *data = NULL;
    gsize len = 0;
    char r = 0;

    if (!g_file_get_contents(path, &data, &len, NULL))
        return 0;
    if (len == SIZE && memcmp(data, a, SIZE) == 0)
        r = 'a';
    else if (len == SIZE && memcmp(data, b, SIZE) == 0)
        r = 'b';
    g_free(data);
    return r;
}

/* One kill: fork a writer, let it run a random while, SIGKILL it, reap. */
static void
kill_one(const char *path, const char *a, const char *b, gboolean unsafe)
{
    pid_t pid = fork();

    if (pid == 0)
        loop(path, a, b, unsafe);
    g_usleep((gulong)g_random_int_range(500, 40000));
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
}

static int
kill_test(const char *dir, long budget_ms, long max)
{
    char *path = g_build_filename(dir, "f", NULL);
    char *ctl = g_build_filename(dir, "g", NULL);
    char *a = version('a'), *b = version('b');
    gint64 end = g_get_monotonic_time() + budget_ms * 1000;
    GError *err = NULL;
    int n = 0, seen[2] = { 0, 0 }, failed = 0, torn = 0;
    struct stat st;

    if (!otr_store_write_atomic(path, a, SIZE, &err)) {
        printf("Bail out! %s\n", err->message);
        return 1;
    }
    while (n < max && (n < 20 || g_get_monotonic_time() < end)) {
        char v;
        kill_one(path, a, b, FALSE);
        v = which(path, a, b);
        n++;
        if (v)
            seen[v - 'a']++;
        if (!v || stat(path, &st) != 0 || (st.st_mode & 0777) != 0600) {
            failed = 1;
            printf("not ok %d - torn file or wrong mode after SIGKILL\n", n);
        } else {
            printf("ok %d - whole %c version after SIGKILL\n", n, v);
        }
    }
    printf("# %d kills; versions seen: a=%d b=%d\n", n, seen[0], seen[1]);
    /* Control: the same kills on an in-place writer must be able to tear
     * the file, or the checks above prove nothing. */
    for (int j = 0; j < 30 && !torn; j++) {
        g_file_set_contents(ctl, a, SIZE, NULL);
        kill_one(ctl, a, b, TRUE);
        torn = !which(ctl, a, b);
    }
    if (torn)
        printf("ok %d - control: an in-place writer tears the file\n", ++n);
    else
        printf("ok %d # SKIP control never caught a torn write\n", ++n);
    printf("1..%d\n", n);
    g_free(path);
    g_free(ctl);
    g_free(a);
    g_free(b);
    return failed;
}

int
main(int argc, char **argv)
{
    GError *err = NULL;
    char *a, *b;
    int rc = 2;

    if (argc < 3)
        return 2;
    if (strcmp(argv[1], "kill") == 0 && argc >= 4)
        return kill_test(argv[2], atol(argv[3]),
                         argc > 4 ? atol(argv[4]) : 1000);
    a = version('a');
    b = version('b');
    if (strcmp(argv[1], "refs") == 0) {
        char *pa = g_build_filename(argv[2], "a.ref", NULL);
        char *pb = g_build_filename(argv[2], "b.ref", NULL);
        rc = g_file_set_contents(pa, a, SIZE, NULL) &&
                     g_file_set_contents(pb, b, SIZE, NULL)
                 ? 0
                 : 1;
        g_free(pa);
        g_free(pb);
    } else if (strcmp(argv[1], "once") == 0 && argc == 4) {
        rc = otr_store_write_atomic(argv[2], argv[3][0] == 'a' ? a : b, SIZE,
                                    &err)
                 ? 0
                 : 1;
        g_clear_error(&err);
    } else {
        loop(argv[2], a, b, strcmp(argv[1], "unsafe") == 0);
    }
    g_free(a);
    g_free(b);
    return rc;
}
