/* Offrec — crash-safe file replacement (temp file, fsync, rename, fsync).
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store-private.h"

static gboolean
fail(GError **error, const char *what, const char *path, int err)
{
    g_set_error(error, OTR_STORE_ERROR, OTR_STORE_ERROR_IO, "Cannot %s %s: %s",
                what, path, g_strerror(err));
    return FALSE;
}

/* Creates dir/.base.XXXXXX exclusively with mode 0600. */
static int
create_temp(const char *dir, const char *base, char **tmp_out)
{
    for (int attempt = 0; attempt < 100; attempt++) {
        char *tmp = g_strdup_printf("%s/.%s.%08x", dir, base, g_random_int());
        int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
                      S_IRUSR | S_IWUSR);
        if (fd >= 0) {
            *tmp_out = tmp;
            return fd;
        }
        int e = errno;
        g_free(tmp);
        if (e != EEXIST) {
            errno = e;
            return -1;
        }
    }
    errno = EEXIST;
    return -1;
}

static gboolean
write_all(int fd, const guint8 *p, gsize len)
{
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return FALSE;
        }
        if (n == 0) {
            errno = EIO;
            return FALSE;
        }
        p += n;
        len -= (gsize)n;
    }
    return TRUE;
}

gboolean
otr_store_write_atomic(const char *path,
                       const void *data,
                       gsize len,
                       GError **error)
{
    char *dir = NULL, *base = NULL, *tmp = NULL;
    gboolean ok = FALSE;
    int fd = -1, dfd = -1, e;

    g_return_val_if_fail(path && (data || len == 0), FALSE);
    dir = g_path_get_dirname(path);
    base = g_path_get_basename(path);
    fd = create_temp(dir, base, &tmp);
    if (fd < 0) {
        fail(error, "create a temporary file in", dir, errno);
        goto out;
    }
    /* Mode 0600 from creation; fchmod only undoes a stricter umask. */
    if (fchmod(fd, S_IRUSR | S_IWUSR) != 0 || !write_all(fd, data, len) ||
        fsync(fd) != 0) {
        fail(error, "write", tmp, errno);
        goto out;
    }
    e = close(fd);
    fd = -1;
    if (e != 0) {
        fail(error, "write", tmp, errno);
        goto out;
    }
    if (rename(tmp, path) != 0) {
        fail(error, "replace", path, errno);
        goto out;
    }
    g_clear_pointer(&tmp, g_free); /* renamed: nothing to unlink */
    dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0 || fsync(dfd) != 0) {
        fail(error, "sync directory", dir, errno);
        goto out;
    }
    ok = TRUE;
out:
    if (fd >= 0)
        close(fd);
    if (dfd >= 0)
        close(dfd);
    if (tmp) {
        unlink(tmp);
        g_free(tmp);
    }
    g_free(dir);
    g_free(base);
    return ok;
}
