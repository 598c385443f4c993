/* fault_fs: an LD_PRELOAD shim that fails one call changing a file under a
 * directory, for the commit-phase tests (tests/properties/test_faults.cpp, suite
 * commit_phase). The process it is loaded into sees the call fail with
 * EIO, as a failing disk would make it; nothing in ostree-ima knows of it.
 *
 * Environment (read when the shim is loaded):
 *   FAULT_FS_UNDER=DIR  only calls whose target lies under DIR (an absolute
 *                       path, as /proc/self/fd shows it) count; unset: none
 *   FAULT_FS_AT=N       the Nth counted call fails with EIO, counting from 1
 *                       (unset or 0: none fails)
 *   FAULT_FS_LOG=PATH   appends "N CALL PATH" for each counted call, and
 *                       "N CALL PATH failed" for the one that fails
 *
 * Counted calls, by the file they change: write, pwrite, pwrite64, writev
 * and fsetxattr (the descriptor's file), linkat, link, renameat, renameat2,
 * rename and symlinkat (the new name). The target's path is what
 * /proc/self/fd says of the descriptor, or the directory descriptor's path
 * joined with a relative name; a nameless O_TMPFILE file under DIR counts
 * ("DIR/tmp/#123 (deleted)"). */
#define _GNU_SOURCE /* RTLD_NEXT, renameat2 */

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

#define EXPORT __attribute__((visibility("default")))

typedef ssize_t (*write_fn)(int, const void *, size_t);
typedef ssize_t (*pwrite_fn)(int, const void *, size_t, off_t);
typedef ssize_t (*pwrite64_fn)(int, const void *, size_t, off64_t);
typedef ssize_t (*writev_fn)(int, const struct iovec *, int);
typedef int (*fsetxattr_fn)(int, const char *, const void *, size_t, int);
typedef int (*linkat_fn)(int, const char *, int, const char *, int);
typedef int (*link_fn)(const char *, const char *);
typedef int (*renameat_fn)(int, const char *, int, const char *);
typedef int (*renameat2_fn)(int, const char *, int, const char *, unsigned int);
typedef int (*rename_fn)(const char *, const char *);
typedef int (*symlinkat_fn)(const char *, int, const char *);

static struct {
    char under[PATH_MAX];
    size_t under_len; /* 0: nothing counts */
    unsigned long at; /* 0: nothing fails */
    int log_fd;       /* -1: no log */
} state = {.log_fd = -1};

static atomic_ulong counted;

#define DEFINE_REAL(name)                                                                          \
    static name##_fn real_##name(void)                                                             \
    {                                                                                              \
        static name##_fn fn;                                                                       \
        if (fn == NULL) {                                                                          \
            void *symbol = dlsym(RTLD_NEXT, #name);                                                \
            /* POSIX guarantees object and function pointers convert (dlsym). */                   \
            memcpy(&fn, &symbol, sizeof fn);                                                       \
        }                                                                                          \
        return fn;                                                                                 \
    }
DEFINE_REAL(write)
DEFINE_REAL(pwrite)
DEFINE_REAL(pwrite64)
DEFINE_REAL(writev)
DEFINE_REAL(fsetxattr)
DEFINE_REAL(linkat)
DEFINE_REAL(link)
DEFINE_REAL(renameat)
DEFINE_REAL(renameat2)
DEFINE_REAL(rename)
DEFINE_REAL(symlinkat)

__attribute__((constructor)) static void setup(void)
{
    const char *under = getenv("FAULT_FS_UNDER");
    const char *at = getenv("FAULT_FS_AT");
    const char *log = getenv("FAULT_FS_LOG");
    if (under != NULL && under[0] == '/' && strlen(under) < sizeof state.under) {
        strcpy(state.under, under);
        state.under_len = strlen(under);
        while (state.under_len > 1 && state.under[state.under_len - 1] == '/')
            state.under[--state.under_len] = '\0';
    }
    if (at != NULL)
        state.at = strtoul(at, NULL, 10);
    if (log != NULL && log[0] != '\0')
        state.log_fd = open(log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
}

/* The path of `name` relative to `dirfd` (AT_FDCWD, or a descriptor of a
 * directory); `name` NULL or empty: the descriptor's own path. */
static int path_of(int dirfd, const char *name, char *out, size_t size)
{
    char proc[64];
    ssize_t n;
    size_t len;
    if (name != NULL && name[0] == '/') {
        if (strlen(name) >= size)
            return -1;
        strcpy(out, name);
        return 0;
    }
    if (dirfd == AT_FDCWD) {
        if (getcwd(out, size) == NULL)
            return -1;
    } else {
        snprintf(proc, sizeof proc, "/proc/self/fd/%d", dirfd);
        n = readlink(proc, out, size - 1);
        if (n < 0)
            return -1;
        out[n] = '\0';
    }
    if (name == NULL || name[0] == '\0')
        return 0;
    len = strlen(out);
    if (len + 1 + strlen(name) >= size)
        return -1;
    out[len] = '/';
    strcpy(out + len + 1, name);
    return 0;
}

/* Whether the call on `dirfd`/`name` counts; if it does, whether it is the
 * one to fail (then errno is EIO). */
static int fails(const char *call, int dirfd, const char *name)
{
    char path[PATH_MAX];
    char line[PATH_MAX + 64];
    unsigned long n;
    int fail;
    int len;
    if (state.under_len == 0 || path_of(dirfd, name, path, sizeof path) != 0)
        return 0;
    if (strncmp(path, state.under, state.under_len) != 0 ||
        (path[state.under_len] != '/' && path[state.under_len] != '\0'))
        return 0;
    n = atomic_fetch_add(&counted, 1) + 1;
    fail = state.at != 0 && n == state.at;
    if (state.log_fd >= 0) {
        len = snprintf(line, sizeof line, "%lu %s %s%s\n", n, call, path, fail ? " failed" : "");
        /* One write() per line on an O_APPEND descriptor: lines never
         * interleave. The log is not under DIR, so this is not counted. */
        if (len > 0 && (size_t)len < sizeof line)
            (void)real_write()(state.log_fd, line, (size_t)len);
    }
    if (fail)
        errno = EIO;
    return fail;
}

EXPORT ssize_t write(int fd, const void *buf, size_t count)
{
    if (fd != state.log_fd && fd > 2 && fails("write", fd, NULL))
        return -1;
    return real_write()(fd, buf, count);
}

EXPORT ssize_t pwrite(int fd, const void *buf, size_t count, off_t offset)
{
    if (fd > 2 && fails("pwrite", fd, NULL))
        return -1;
    return real_pwrite()(fd, buf, count, offset);
}

EXPORT ssize_t pwrite64(int fd, const void *buf, size_t count, off64_t offset)
{
    if (fd > 2 && fails("pwrite64", fd, NULL))
        return -1;
    return real_pwrite64()(fd, buf, count, offset);
}

EXPORT ssize_t writev(int fd, const struct iovec *iov, int iovcnt)
{
    if (fd > 2 && fails("writev", fd, NULL))
        return -1;
    return real_writev()(fd, iov, iovcnt);
}

EXPORT int fsetxattr(int fd, const char *name, const void *value, size_t size, int flags)
{
    if (fails("fsetxattr", fd, NULL))
        return -1;
    return real_fsetxattr()(fd, name, value, size, flags);
}

EXPORT int linkat(int olddirfd, const char *oldpath, int newdirfd, const char *newpath, int flags)
{
    if (fails("linkat", newdirfd, newpath))
        return -1;
    return real_linkat()(olddirfd, oldpath, newdirfd, newpath, flags);
}

EXPORT int link(const char *oldpath, const char *newpath)
{
    if (fails("link", AT_FDCWD, newpath))
        return -1;
    return real_link()(oldpath, newpath);
}

EXPORT int renameat(int olddirfd, const char *oldpath, int newdirfd, const char *newpath)
{
    if (fails("renameat", newdirfd, newpath))
        return -1;
    return real_renameat()(olddirfd, oldpath, newdirfd, newpath);
}

EXPORT int renameat2(int olddirfd, const char *oldpath, int newdirfd, const char *newpath,
                     unsigned int flags)
{
    if (fails("renameat2", newdirfd, newpath))
        return -1;
    return real_renameat2()(olddirfd, oldpath, newdirfd, newpath, flags);
}

EXPORT int rename(const char *oldpath, const char *newpath)
{
    if (fails("rename", AT_FDCWD, newpath))
        return -1;
    return real_rename()(oldpath, newpath);
}

EXPORT int symlinkat(const char *target, int newdirfd, const char *linkpath)
{
    if (fails("symlinkat", newdirfd, linkpath))
        return -1;
    return real_symlinkat()(target, newdirfd, linkpath);
}
