/*
 * Applying a runtime overlay (a newc cpio, spec §5.2) to a live root. The
 * archive comes over the network, so it is treated as hostile: names are
 * checked before anything is written, directories are resolved with
 * openat2(RESOLVE_BENEATH) (a symlink is followed only while it stays in the
 * root; without openat2 no symlink is followed at all), and each file
 * replaces the old one by rename(2) from a temporary file in the same
 * directory, so a reader sees the old or the new file, never none.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "wwclient.h"

#ifndef SYS_openat2
#define SYS_openat2 437 /* the same number on every architecture */
#endif
#ifndef RESOLVE_BENEATH
#define RESOLVE_NO_MAGICLINKS 0x02
#define RESOLVE_BENEATH 0x08
#endif
struct ww_open_how { /* struct open_how of linux/openat2.h, which musl's headers lack */
    uint64_t flags, mode, resolve;
};

struct entry {
    char *name; /* normalised: relative, no "." or empty components */
    unsigned long ino, mode, uid, gid, nlink, mtime, devmajor, devminor;
    const unsigned char *data;
    size_t size;
};

static int is_root_user;
/* -1 unknown; 1 when the kernel has no openat2 (or WWCLIENT_NO_OPENAT2 is set: tests use it to exercise the fallback) */
static int no_openat2 = -1;
static unsigned tmp_counter;

/* A printable copy of a name for logs (archive names may hold control characters). */
static const char *printable(const char *s) {
    static char out[512];
    size_t o = 0;
    for (; *s && o + 1 < sizeof out; s++) out[o++] = (*s >= 0x20 && *s < 0x7f) ? *s : '?';
    out[o] = '\0';
    return out;
}

static int hex8(const unsigned char *p, unsigned long *out) {
    unsigned long v = 0;
    for (int i = 0; i < 8; i++) {
        unsigned char c = p[i];
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (d < 0) return -1;
        v = v * 16 + (unsigned long)d;
    }
    *out = v;
    return 0;
}

/* Normalise an archive name in place; -1 for absolute names and ".." components. */
static int normalise(char *name) {
    if (name[0] == '/') return -1;
    char *out = name, *p = name;
    while (*p) {
        char *slash = strchr(p, '/');
        size_t n = slash ? (size_t)(slash - p) : strlen(p);
        if (n == 2 && p[0] == '.' && p[1] == '.') return -1;
        if (n > 0 && !(n == 1 && p[0] == '.')) {
            if (out != name) *out++ = '/';
            memmove(out, p, n);
            out += n;
        }
        p += n;
        if (*p == '/') p++;
    }
    *out = '\0';
    return 0;
}

/* Parse every header; -1 (msg set) for a malformed archive or a refused name. */
static int parse(const unsigned char *buf, size_t len, struct entry **out, size_t *count, char *msg, size_t msglen) {
    size_t off = 0, n = 0, cap = 0;
    struct entry *v = NULL;
    for (;;) {
        if (len - off < 110) {
            snprintf(msg, msglen, "archive ends inside a header at byte %zu", off);
            goto bad;
        }
        const unsigned char *h = buf + off;
        if (memcmp(h, "070701", 6) != 0 && memcmp(h, "070702", 6) != 0) {
            snprintf(msg, msglen, "not a newc cpio header at byte %zu", off);
            goto bad;
        }
        unsigned long f[13];
        for (int i = 0; i < 13; i++)
            if (hex8(h + 6 + 8 * i, &f[i]) != 0) {
                snprintf(msg, msglen, "bad header field at byte %zu", off);
                goto bad;
            }
        unsigned long namesize = f[11], filesize = f[6];
        if (namesize < 2 || namesize > PATH_MAX || namesize > len - off - 110) {
            snprintf(msg, msglen, "bad name size at byte %zu", off);
            goto bad;
        }
        const char *name = (const char *)h + 110;
        if (name[namesize - 1] != '\0' || memchr(name, '\0', namesize - 1)) {
            snprintf(msg, msglen, "name with a NUL byte at byte %zu", off);
            goto bad;
        }
        size_t data_off = (off + 110 + namesize + 3) & ~(size_t)3;
        if (data_off > len || filesize > len - data_off) {
            snprintf(msg, msglen, "%s: data runs past the end of the archive", printable(name));
            goto bad;
        }
        if (strcmp(name, "TRAILER!!!") == 0) break;
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            struct entry *nv = realloc(v, cap * sizeof *v);
            if (!nv) {
                snprintf(msg, msglen, "out of memory");
                goto bad;
            }
            v = nv;
        }
        struct entry *e = &v[n];
        e->name = strdup(name);
        if (!e->name) {
            snprintf(msg, msglen, "out of memory");
            goto bad;
        }
        n++;
        if (normalise(e->name) != 0) {
            snprintf(msg, msglen, "refusing the archive: entry \"%s\" is absolute or has a \"..\" component", printable(name));
            goto bad;
        }
        e->ino = f[0];
        e->mode = f[1];
        e->uid = f[2];
        e->gid = f[3];
        e->nlink = f[4];
        e->mtime = f[5];
        e->devmajor = f[7];
        e->devminor = f[8];
        e->data = buf + data_off;
        e->size = filesize;
        off = (data_off + filesize + 3) & ~(size_t)3;
        if (off > len) off = len;
    }
    *out = v;
    *count = n;
    return 0;
bad:
    for (size_t i = 0; i < n; i++) free(v[i].name);
    free(v);
    return -1;
}

/* Open rel beneath rootfd: in-root symlinks are followed, escaping ones fail with EXDEV. */
static int open_beneath(int rootfd, const char *rel, int flags) {
    if (no_openat2 < 0) no_openat2 = getenv("WWCLIENT_NO_OPENAT2") != NULL;
    if (!no_openat2) {
        struct ww_open_how how = {.flags = (uint64_t)(flags | O_CLOEXEC), .resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS};
        int fd = (int)syscall(SYS_openat2, rootfd, rel, &how, sizeof how);
        if (fd >= 0 || errno != ENOSYS) return fd;
        no_openat2 = 1;
    }
    /* kernels before 5.6: follow no symlink at all */
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s", rel);
    int fd = fcntl(rootfd, F_DUPFD_CLOEXEC, 0);
    char *save = NULL;
    for (char *c = strtok_r(path, "/", &save); c && fd >= 0; c = strtok_r(NULL, "/", &save)) {
        int last = save == NULL || *save == '\0';
        int nfd = openat(fd, c, (last ? flags : O_PATH | O_DIRECTORY) | O_NOFOLLOW | O_CLOEXEC);
        int e = errno;
        struct stat st;
        /* a symlink gives ELOOP, or ENOTDIR with O_DIRECTORY: report both as leaving the root */
        if (nfd < 0 && (e == ELOOP || (e == ENOTDIR && fstatat(fd, c, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode)))) e = EXDEV;
        close(fd);
        errno = e;
        fd = nfd;
    }
    return fd;
}

/* An O_PATH descriptor of directory dir (relative, "" = the root), creating missing directories 0755. */
static int ensure_dir(int rootfd, const char *dir) {
    if (*dir == '\0') return fcntl(rootfd, F_DUPFD_CLOEXEC, 0);
    int fd = open_beneath(rootfd, dir, O_PATH | O_DIRECTORY);
    if (fd >= 0 || errno != ENOENT) return fd;
    char parent[PATH_MAX];
    snprintf(parent, sizeof parent, "%s", dir);
    char *slash = strrchr(parent, '/');
    const char *base = slash ? slash + 1 : dir;
    if (slash) *slash = '\0';
    else parent[0] = '\0';
    int pfd = ensure_dir(rootfd, parent);
    if (pfd < 0) return -1;
    if (mkdirat(pfd, base, 0755) != 0 && errno != EEXIST) {
        int e = errno;
        close(pfd);
        errno = e;
        return -1;
    }
    close(pfd);
    return open_beneath(rootfd, dir, O_PATH | O_DIRECTORY);
}

static void split(const char *name, char *dir, size_t dlen, const char **base) {
    const char *slash = strrchr(name, '/');
    if (slash) {
        snprintf(dir, dlen, "%.*s", (int)(slash - name), name);
        *base = slash + 1;
    } else {
        dir[0] = '\0';
        *base = name;
    }
}

static void tmp_name(char *out, size_t len) {
    snprintf(out, len, ".wwclient-%ld-%u.tmp", (long)getpid(), tmp_counter++);
}

static int same_owner(const struct stat *st, const struct entry *e) {
    return !is_root_user || (st->st_uid == e->uid && st->st_gid == e->gid);
}

static int apply_dir(int rootfd, const struct entry *e, struct apply_stats *s) {
    int fd = open_beneath(rootfd, e->name, O_RDONLY | O_DIRECTORY);
    if (fd < 0 && errno == ENOENT) {
        char dir[PATH_MAX];
        const char *base;
        split(e->name, dir, sizeof dir, &base);
        int pfd = ensure_dir(rootfd, dir);
        if (pfd < 0) return -1;
        int rc = mkdirat(pfd, base, (mode_t)(e->mode & 07777));
        int err = errno;
        close(pfd);
        if (rc != 0 && err != EEXIST) {
            errno = err;
            return -1;
        }
        fd = open_beneath(rootfd, e->name, O_RDONLY | O_DIRECTORY);
    }
    if (fd < 0) return -1;
    struct stat st;
    int rc = fstat(fd, &st);
    if (rc == 0 && is_root_user && !same_owner(&st, e)) rc = fchown(fd, (uid_t)e->uid, (gid_t)e->gid);
    if (rc == 0 && (st.st_mode & 07777) != (e->mode & 07777)) rc = fchmod(fd, (mode_t)(e->mode & 07777));
    int err = errno;
    close(fd);
    errno = err;
    if (rc == 0) s->directories++;
    return rc;
}

/* Whether pfd/base (a regular file of the same size) holds exactly data. */
static int same_content(int pfd, const char *base, const unsigned char *data, size_t size) {
    int fd = openat(pfd, base, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return 0;
    unsigned char buf[65536];
    size_t off = 0;
    int same = 1;
    while (same) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            same = n == 0 && off == size;
            break;
        }
        same = (size_t)n <= size - off && memcmp(buf, data + off, (size_t)n) == 0;
        off += (size_t)n;
    }
    close(fd);
    return same;
}

/* Replace pfd/base by a new file or symlink made under a temporary name. */
static int apply_leaf(int pfd, const char *base, const struct entry *e, const unsigned char *data, size_t size, struct apply_stats *s) {
    struct stat st;
    int exists = fstatat(pfd, base, &st, AT_SYMLINK_NOFOLLOW) == 0;
    if (exists && S_ISDIR(st.st_mode)) {
        errno = EISDIR;
        return -1;
    }
    char tmp[64];
    tmp_name(tmp, sizeof tmp);
    if (S_ISLNK(e->mode)) {
        char target[PATH_MAX], cur[PATH_MAX];
        if (size == 0 || size >= sizeof target || memchr(data, '\0', size)) {
            errno = EINVAL;
            return -1;
        }
        memcpy(target, data, size);
        target[size] = '\0';
        if (exists && S_ISLNK(st.st_mode)) {
            ssize_t n = readlinkat(pfd, base, cur, sizeof cur - 1);
            if (n >= 0 && (cur[n] = '\0', strcmp(cur, target) == 0) && same_owner(&st, e)) {
                s->unchanged++;
                return 0;
            }
        }
        if (symlinkat(target, pfd, tmp) != 0) return -1;
        if (is_root_user && fchownat(pfd, tmp, (uid_t)e->uid, (gid_t)e->gid, AT_SYMLINK_NOFOLLOW) != 0) goto undo;
        if (renameat(pfd, tmp, pfd, base) != 0) goto undo;
        s->symlinks++;
        return 0;
    }
    /* overlays are rendered with one mtime (0): equal size and time do not mean equal content */
    if (exists && S_ISREG(st.st_mode) && (size_t)st.st_size == size && (unsigned long)st.st_mtime == e->mtime &&
        (st.st_mode & 07777) == (e->mode & 07777) && same_owner(&st, e) && same_content(pfd, base, data, size)) {
        s->unchanged++;
        return 0;
    }
    int fd = openat(pfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) return -1;
    struct timespec times[2] = {{.tv_sec = (time_t)e->mtime}, {.tv_sec = (time_t)e->mtime}};
    /* owner before mode: chown clears set-id bits */
    if (write_all(fd, data, size) != 0 || (is_root_user && fchown(fd, (uid_t)e->uid, (gid_t)e->gid) != 0) ||
        fchmod(fd, (mode_t)(e->mode & 07777)) != 0 || futimens(fd, times) != 0) {
        int err = errno;
        close(fd);
        errno = err;
        goto undo;
    }
    if (close(fd) != 0) goto undo;
    if (renameat(pfd, tmp, pfd, base) != 0) goto undo;
    s->updated++;
    return 0;
undo:;
    int err = errno;
    unlinkat(pfd, tmp, 0);
    errno = err;
    return -1;
}

/* The data of a hard-link group is carried by one member (newc puts it on the last). */
static const struct entry *link_data(const struct entry *v, size_t n, size_t i) {
    const struct entry *e = &v[i];
    if (e->size > 0 || e->nlink < 2) return e;
    for (size_t j = 0; j < n; j++)
        if (j != i && v[j].ino == e->ino && v[j].devmajor == e->devmajor && v[j].devminor == e->devminor && S_ISREG(v[j].mode) && v[j].size > 0)
            return &v[j];
    return e;
}

int apply_cpio(const unsigned char *buf, size_t len, int rootfd, struct apply_stats *s, char *msg, size_t msglen) {
    memset(s, 0, sizeof *s);
    is_root_user = geteuid() == 0;
    struct entry *v = NULL;
    size_t n = 0;
    if (parse(buf, len, &v, &n, msg, msglen) != 0) return -1;
    for (size_t i = 0; i < n; i++) {
        struct entry *e = &v[i];
        if (e->name[0] == '\0') continue; /* the root itself: left as it is */
        int rc;
        if (S_ISDIR(e->mode)) {
            rc = apply_dir(rootfd, e, s);
        } else if (S_ISREG(e->mode) || S_ISLNK(e->mode)) {
            char dir[PATH_MAX];
            const char *base;
            split(e->name, dir, sizeof dir, &base);
            int pfd = ensure_dir(rootfd, dir);
            if (pfd < 0) {
                rc = -1;
            } else {
                const struct entry *d = link_data(v, n, i);
                rc = apply_leaf(pfd, base, e, d->data, d->size, s);
                int err = errno;
                close(pfd);
                errno = err;
            }
        } else {
            ww_log(WW_DEBUG, "%s: device, fifo or socket entries are not applied", printable(e->name));
            s->skipped++;
            continue;
        }
        if (rc != 0) {
            s->failed++;
            ww_log(WW_WARN, "%s: %s", printable(e->name), errno != EXDEV ? strerror(errno)
                   : no_openat2 ? "refused: the path goes through a symlink (followed only with openat2, kernel 5.6+)"
                                : "refused: the path leaves the root through a symlink");
        }
    }
    /* directory times last: writing their contents changed them */
    for (size_t i = n; i-- > 0;) {
        struct entry *e = &v[i];
        if (!S_ISDIR(e->mode) || e->name[0] == '\0') continue;
        int fd = open_beneath(rootfd, e->name, O_RDONLY | O_DIRECTORY);
        if (fd < 0) continue;
        struct timespec times[2] = {{.tv_sec = (time_t)e->mtime}, {.tv_sec = (time_t)e->mtime}};
        futimens(fd, times);
        close(fd);
    }
    for (size_t i = 0; i < n; i++) free(v[i].name);
    free(v);
    if (s->failed) snprintf(msg, msglen, "%u entries could not be applied", s->failed);
    return s->failed ? 1 : 0;
}
