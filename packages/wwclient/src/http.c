/*
 * One HTTP/1.1 GET over a socket whose source port we choose: warewulfd
 * serves the runtime overlay in secure mode only to source ports < 1024
 * (spec §4.4), which only root can bind, so the request proves the asker is
 * the node's root. No TLS: Debian's iPXE cannot do HTTPS either, and the
 * caller refuses `tls: true` clearly.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include "wwclient.h"

#define IO_TIMEOUT_S 30
#define MAX_HEADER (64 * 1024)
#define MAX_BODY ((size_t)1 << 30)
#define PRIV_LOW 512
#define PRIV_HIGH 1023
#define PORT_TRIES 32

/* connect with a timeout; 0 or an errno value */
static int connect_timeout(int s, const struct sockaddr *addr, socklen_t alen) {
    int flags = fcntl(s, F_GETFL);
    fcntl(s, F_SETFL, flags | O_NONBLOCK);
    int rc = connect(s, addr, alen), err = 0;
    if (rc != 0) {
        if (errno != EINPROGRESS) return errno;
        struct pollfd p = {.fd = s, .events = POLLOUT};
        int n;
        do n = poll(&p, 1, IO_TIMEOUT_S * 1000); while (n < 0 && errno == EINTR);
        if (n == 0) return ETIMEDOUT;
        if (n < 0) return errno;
        socklen_t len = sizeof err;
        if (getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &len) != 0) return errno;
        if (err) return err;
    }
    fcntl(s, F_SETFL, flags);
    struct timeval tv = {.tv_sec = IO_TIMEOUT_S};
    setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    return 0;
}

static void set_port(struct sockaddr_storage *ss, int family, int port) {
    memset(ss, 0, sizeof *ss);
    if (family == AF_INET6) {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
        a->sin6_family = AF_INET6;
        a->sin6_addr = in6addr_any;
        a->sin6_port = htons((uint16_t)port);
    } else {
        struct sockaddr_in *a = (struct sockaddr_in *)ss;
        a->sin_family = AF_INET;
        a->sin_addr.s_addr = htonl(INADDR_ANY);
        a->sin_port = htons((uint16_t)port);
    }
}

/*
 * Source ports to try, in order: the configured one (or 987 when secure),
 * then, when it is busy, other privileged ports from a random starting point
 * (secure) or an ephemeral one (port 0). A 4-tuple in TIME_WAIT after the
 * previous poll makes connect() fail with EADDRNOTAVAIL: another port works.
 */
static int source_ports(const struct ww_config *cfg, int *ports, int max) {
    int first = cfg->client_port > 0 ? cfg->client_port : (cfg->secure ? 987 : 0);
    int n = 0;
    ports[n++] = first;
    if (first == 0) return n;
    if (!cfg->secure && first >= 1024) {
        ports[n++] = 0;
        return n;
    }
    int span = PRIV_HIGH - PRIV_LOW + 1, start = (int)((unsigned)rand() % (unsigned)span);
    for (int i = 0; n < max && i < span; i++) {
        int p = PRIV_LOW + (start + i * 37) % span; /* 37 is coprime with 512: visits every port */
        if (p != first) ports[n++] = p;
    }
    return n;
}

/* Open a connected socket; sets *local_port. HTTP_OK, HTTP_CONN_ERROR or HTTP_FATAL. */
static int open_conn(const struct ww_config *cfg, int *fd, int *local_port, char *msg, size_t msglen) {
    char portstr[16];
    snprintf(portstr, sizeof portstr, "%d", cfg->port);
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res = NULL;
    int gai = getaddrinfo(cfg->server, portstr, &hints, &res);
    if (gai != 0) {
        snprintf(msg, msglen, "resolving %s: %s", cfg->server, gai_strerror(gai));
        return HTTP_CONN_ERROR;
    }
    int ports[PORT_TRIES + 1], nports = source_ports(cfg, ports, PORT_TRIES);
    int result = HTTP_CONN_ERROR;
    snprintf(msg, msglen, "no address for %s", cfg->server);
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        for (int i = 0; i < nports; i++) {
            int s = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
            if (s < 0) {
                snprintf(msg, msglen, "socket: %s", strerror(errno));
                break;
            }
            int one = 1;
            setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
            if (ports[i] > 0) {
                struct sockaddr_storage local;
                set_port(&local, ai->ai_family, ports[i]);
                socklen_t llen = ai->ai_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
                if (bind(s, (struct sockaddr *)&local, llen) != 0) {
                    int e = errno;
                    close(s);
                    if (e == EACCES || e == EPERM) {
                        snprintf(msg, msglen, "binding source port %d: %s (a privileged port needs root)", ports[i], strerror(e));
                        freeaddrinfo(res);
                        return HTTP_FATAL;
                    }
                    snprintf(msg, msglen, "binding source port %d: %s", ports[i], strerror(e));
                    if (e == EADDRINUSE || e == EADDRNOTAVAIL) continue;
                    break;
                }
            }
            int e = connect_timeout(s, ai->ai_addr, ai->ai_addrlen);
            if (e == 0) {
                struct sockaddr_storage me;
                socklen_t mlen = sizeof me;
                getsockname(s, (struct sockaddr *)&me, &mlen);
                *local_port = ntohs(me.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&me)->sin6_port : ((struct sockaddr_in *)&me)->sin_port);
                *fd = s;
                freeaddrinfo(res);
                return HTTP_OK;
            }
            close(s);
            snprintf(msg, msglen, "connecting to %s port %d from port %d: %s", cfg->server, cfg->port, ports[i], strerror(e));
            if (e == EADDRNOTAVAIL || e == EADDRINUSE) {
                ww_log(WW_DEBUG, "%s; trying another source port", msg);
                continue;
            }
            break; /* refused, unreachable, timed out: the next address, if any */
        }
    }
    freeaddrinfo(res);
    return result;
}

struct buf {
    unsigned char *p;
    size_t len, cap;
};

static int buf_reserve(struct buf *b, size_t more) {
    if (b->len + more <= b->cap) return 0;
    size_t cap = b->cap ? b->cap : 16384;
    while (cap < b->len + more) cap *= 2;
    unsigned char *p = realloc(b->p, cap + 1);
    if (!p) return -1;
    b->p = p;
    b->cap = cap;
    return 0;
}

/* read once into b; >0 bytes, 0 at EOF, -1 with errno */
static ssize_t read_some(int fd, struct buf *b) {
    if (buf_reserve(b, 65536) != 0) {
        errno = ENOMEM;
        return -1;
    }
    ssize_t n;
    do n = read(fd, b->p + b->len, 65536); while (n < 0 && errno == EINTR);
    if (n > 0) b->len += (size_t)n;
    return n;
}

static const unsigned char *find_crlfcrlf(const unsigned char *p, size_t len) {
    for (size_t i = 0; i + 3 < len; i++)
        if (p[i] == '\r' && p[i + 1] == '\n' && p[i + 2] == '\r' && p[i + 3] == '\n') return p + i;
    return NULL;
}

/* Decode a chunked body in place; returns the decoded length or -1. */
static long dechunk(unsigned char *p, size_t len) {
    size_t in = 0, out = 0;
    for (;;) {
        char *end;
        if (in >= len) return -1;
        unsigned long n = strtoul((char *)p + in, &end, 16);
        unsigned char *eol = memchr(p + in, '\n', len - in);
        if (!eol || (unsigned char *)end == p + in) return -1;
        in = (size_t)(eol - p) + 1;
        if (n == 0) return (long)out;
        if (n > len - in) return -1;
        memmove(p + out, p + in, n);
        out += n;
        in += n;
        if (in + 2 > len || p[in] != '\r' || p[in + 1] != '\n') return -1;
        in += 2;
    }
}

int http_get(const struct ww_config *cfg, const char *path, const char *if_none_match, struct http_response *resp, char *msg, size_t msglen) {
    memset(resp, 0, sizeof *resp);
    int fd = -1, rc = open_conn(cfg, &fd, &resp->local_port, msg, msglen);
    if (rc != HTTP_OK) return rc;
    char req[4096];
    int v6 = strchr(cfg->server, ':') != NULL;
    int n = snprintf(req, sizeof req,
                     "GET %s HTTP/1.1\r\nHost: %s%s%s:%d\r\nUser-Agent: wwclient/" WWCLIENT_VERSION "\r\nAccept: */*\r\nConnection: close\r\n",
                     path, v6 ? "[" : "", cfg->server, v6 ? "]" : "", cfg->port);
    if (if_none_match && *if_none_match) n += snprintf(req + n, sizeof req - (size_t)n, "If-None-Match: %s\r\n", if_none_match);
    n += snprintf(req + n, sizeof req - (size_t)n, "\r\n");
    if ((size_t)n >= sizeof req || write_all(fd, req, (size_t)n) != 0) {
        snprintf(msg, msglen, "sending the request: %s", (size_t)n >= sizeof req ? "too long" : strerror(errno));
        close(fd);
        return HTTP_CONN_ERROR;
    }

    struct buf b = {0};
    const unsigned char *hend = NULL;
    while (!(hend = find_crlfcrlf(b.p, b.len))) {
        ssize_t r = b.len > MAX_HEADER ? -2 : read_some(fd, &b);
        if (r <= 0) {
            snprintf(msg, msglen, "reading the response header: %s", r == 0 ? "connection closed" : r == -2 ? "header too long" : strerror(errno));
            goto fail;
        }
    }
    size_t hlen = (size_t)(hend - b.p) + 4;
    b.p[hlen - 2] = '\0';
    char *save = NULL, *line = strtok_r((char *)b.p, "\r\n", &save);
    if (!line || sscanf(line, "HTTP/%*d.%*d %d", &resp->status) != 1) {
        snprintf(msg, msglen, "not an HTTP response");
        goto fail;
    }
    long long content_length = -1;
    int chunked = 0;
    while ((line = strtok_r(NULL, "\r\n", &save))) {
        char *colon = strchr(line, ':');
        if (!colon) continue;
        *colon = '\0';
        char *v = colon + 1;
        while (*v == ' ' || *v == '\t') v++;
        if (strcasecmp(line, "content-length") == 0) content_length = strtoll(v, NULL, 10);
        else if (strcasecmp(line, "transfer-encoding") == 0 && strstr(v, "chunked")) chunked = 1;
        else if (strcasecmp(line, "etag") == 0) snprintf(resp->etag, sizeof resp->etag, "%s", v);
    }
    size_t have = b.len - hlen;
    memmove(b.p, b.p + hlen, have);
    b.len = have;
    int no_body = resp->status == 304 || resp->status == 204 || (resp->status >= 100 && resp->status < 200);
    if (no_body) {
        b.len = 0;
    } else if (content_length >= 0 && !chunked) {
        if ((unsigned long long)content_length > MAX_BODY) {
            snprintf(msg, msglen, "body of %lld bytes is too large", content_length);
            goto fail;
        }
        while (b.len < (size_t)content_length) {
            ssize_t r = read_some(fd, &b);
            if (r <= 0) {
                snprintf(msg, msglen, "body cut short at %zu of %lld bytes: %s", b.len, content_length, r == 0 ? "connection closed" : strerror(errno));
                goto fail;
            }
        }
        b.len = (size_t)content_length;
    } else {
        ssize_t r;
        while ((r = read_some(fd, &b)) > 0)
            if (b.len > MAX_BODY) {
                snprintf(msg, msglen, "body too large");
                goto fail;
            }
        if (r < 0) {
            snprintf(msg, msglen, "reading the body: %s", strerror(errno));
            goto fail;
        }
        if (chunked) {
            long d = dechunk(b.p, b.len);
            if (d < 0) {
                snprintf(msg, msglen, "malformed chunked body");
                goto fail;
            }
            b.len = (size_t)d;
        }
    }
    close(fd);
    resp->body = b.p;
    resp->body_len = b.len;
    return HTTP_OK;
fail:
    close(fd);
    free(b.p);
    return HTTP_CONN_ERROR;
}
