/*
 * wwclient: the node agent that keeps a node's runtime overlay current (spec §8.2).
 *
 * A small static C program (musl or glibc -static) so that it runs in any
 * image, busybox-only ones included, and can bind a privileged source port.
 * It polls GET /runtime/<wwid>?assetkey=..&uuid=.. on warewulfd, sends the last
 * ETag in If-None-Match, and applies the plain newc cpio it gets, one file at a
 * time through a temporary name and rename(2), never writing outside its root.
 */
#ifndef WWCLIENT_H
#define WWCLIENT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define WWCLIENT_VERSION "0.1.0"

/* ---- log.c ---- */
enum ww_level { WW_DEBUG = 10, WW_INFO = 20, WW_WARN = 30, WW_ERROR = 40 };
extern int ww_log_level;
void ww_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* write(2) until all of buf is written (EINTR retried); 0, or -1 with errno. */
int write_all(int fd, const void *buf, size_t len);

/* ---- config.c ---- */
struct ww_config {
    char server[256];    /* address or host name of warewulfd */
    int port;            /* warewulf.port (HTTP) */
    int secure;          /* warewulf.secure: use a privileged source port */
    int tls;             /* warewulf.tls: not supported by this client */
    int tls_port;        /* warewulf.tls port */
    int update_interval; /* warewulf.update interval, seconds (<= 0 means 300) */
    int client_port;     /* wwclient.port: fixed source port when > 0 */
};

/*
 * Fill cfg from the warewulf.conf copy at conf_path (a block- or flow-style
 * YAML subset: the keys above), with upstream's defaults for missing keys.
 * The server address is, in order: env WW_IPADDR, ipaddr6, ipaddr (a CIDR
 * suffix is dropped), then WWIPADDR from the wwinit config file at
 * wwinit_config (a server whose warewulf.conf leaves ipaddr to auto-detection
 * still renders WWIPADDR there). Returns 0, or -1 with msg set.
 */
int config_load(const char *conf_path, const char *wwinit_config, struct ww_config *cfg, char *msg, size_t msglen);

/* ---- ident.c ---- */
/* wwid= from the kernel command line (a value "[iface]" names an interface whose MAC is used). */
int ident_wwid(const char *cmdline_path, char *out, size_t outlen, char *msg, size_t msglen);
/* SMBIOS chassis asset tag (spaces become '_') and system UUID; empty strings when unavailable. */
void ident_dmi(const char *dmi_dir, char *asset, size_t alen, char *uuid, size_t ulen);
/* Percent-encode s (RFC 3986 unreserved characters kept) into out. */
void url_encode(const char *s, char *out, size_t outlen);

/* ---- http.c ---- */
struct http_response {
    int status;
    char etag[256];
    unsigned char *body;
    size_t body_len;
    int local_port; /* source port the request left from */
};

enum http_result { HTTP_OK = 0, HTTP_CONN_ERROR = -1, HTTP_FATAL = -2 };

/*
 * One GET of path (with query) on cfg's server. if_none_match: the ETag to
 * send, or NULL. The source port is cfg->client_port, else 987 when secure,
 * else ephemeral; when the chosen privileged port is busy (EADDRINUSE, or
 * EADDRNOTAVAIL for a 4-tuple still in TIME_WAIT) other ports below 1024 are
 * tried. HTTP_OK means a response was read (any status); HTTP_CONN_ERROR is
 * worth retrying; HTTP_FATAL is not (e.g. no permission to bind < 1024).
 * The caller frees resp->body.
 */
int http_get(const struct ww_config *cfg, const char *path, const char *if_none_match, struct http_response *resp, char *msg, size_t msglen);

/* ---- apply.c ---- */
struct apply_stats {
    unsigned updated, unchanged, directories, symlinks, skipped, failed;
};

/*
 * Apply a newc cpio archive (buf, len) under the directory rootfd. Every name
 * is checked first: an absolute name, a ".." component or a malformed header
 * refuses the whole archive (nothing is written, returns -1). Then, in
 * archive order: directories are created or get the archive's mode, owner
 * and (at the end) mtime; regular files whose content, mtime, mode or owner
 * differ are written to a temporary file in the destination directory and
 * renamed over the old one (readers never see a missing or partial file);
 * symlinks likewise. Parent directories are resolved beneath rootfd: a
 * symlink may be followed only while it stays inside the root, so nothing
 * is ever written outside it. Files are never deleted. Entries that cannot
 * be applied are counted in stats->failed (returns 1); 0 when all applied.
 */
int apply_cpio(const unsigned char *buf, size_t len, int rootfd, struct apply_stats *stats, char *msg, size_t msglen);

#endif
