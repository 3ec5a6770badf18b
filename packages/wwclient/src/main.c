/*
 * wwclient main loop (spec §8.2): identify the node, then every update
 * interval (with jitter) fetch the runtime overlay and apply it. SIGHUP asks
 * for an update now; SIGTERM/SIGINT end it cleanly. --once does one update.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include "wwclient.h"

#define WWCLIENT_DIR "/warewulf"
#define CONN_RETRY_LOG_EVERY 61 /* upstream logs a connection error once every 61 attempts */
#define ONCE_CONN_ATTEMPTS 60

static volatile sig_atomic_t stop_requested, update_requested;

static void on_signal(int sig) {
    if (sig == SIGHUP) update_requested = 1;
    else stop_requested = 1;
}

static void usage(FILE *f) {
    fprintf(f,
            "Usage: wwclient [OPTIONS]\n"
            "Keep this node's runtime overlay current: poll warewulfd every update interval and apply changes.\n\n"
            "  --once                 one update, then exit (status 0 when applied or unchanged)\n"
            "  -d, --debug            debug messages\n"
            "  -p, --pidfile PATH     pid file (default /var/run/wwclient.pid; \"\" for none)\n"
            "      --warewulfconf PATH  warewulf.conf copy (default $WAREWULFCONF or /etc/warewulf/warewulf.conf)\n"
            "      --wwinit-config PATH wwinit's config, for WWIPADDR (default /warewulf/config)\n"
            "      --root DIR         apply the overlay under DIR (default: / when run as " WWCLIENT_DIR "/wwclient,\n"
            "                         else " WWCLIENT_DIR "/wwclient-test)\n"
            "      --wwid ID          node id (default: wwid= on /proc/cmdline)\n"
            "      --cmdline PATH     kernel command line to read wwid= from (default /proc/cmdline)\n"
            "      --dmi DIR          SMBIOS attributes (default /sys/class/dmi/id)\n"
            "  -V, --version          print the version\n"
            "Environment: WW_IPADDR overrides the server address.\n");
}

/* Sleep up to ms, waking early on a signal; returns when done or a flag is set. */
static void wait_ms(long ms) {
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_sec += ms / 1000;
    until.tv_nsec += (ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    while (!stop_requested && !update_requested) {
        int rc = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, NULL);
        if (rc == 0) break;
        if (rc != EINTR) break;
    }
}

/* systemd's sd_notify("READY=1") without libsystemd: one datagram to $NOTIFY_SOCKET. */
static void notify_ready(void) {
    const char *path = getenv("NOTIFY_SOCKET");
    if (!path || (path[0] != '/' && path[0] != '@') || strlen(path) >= sizeof(((struct sockaddr_un *)0)->sun_path)) return;
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    size_t len = strlen(path);
    memcpy(a.sun_path, path, len);
    if (path[0] == '@') a.sun_path[0] = '\0';
    int s = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s < 0) return;
    if (sendto(s, "READY=1", 7, 0, (struct sockaddr *)&a, (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len)) < 0)
        ww_log(WW_DEBUG, "notify systemd: %s", strerror(errno));
    close(s);
}

static int mkdir_parents(const char *path) {
    char p[PATH_MAX];
    snprintf(p, sizeof p, "%s", path);
    for (char *s = p + 1; *s; s++)
        if (*s == '/') {
            *s = '\0';
            if (mkdir(p, 0755) != 0 && errno != EEXIST) return -1;
            *s = '/';
        }
    return 0;
}

/* Write our pid; refuse when a live process holds the file. */
static int pidfile_take(const char *path) {
    FILE *f = fopen(path, "r");
    if (f) {
        long pid = 0;
        if (fscanf(f, "%ld", &pid) == 1 && pid > 0 && pid != (long)getpid() && (kill((pid_t)pid, 0) == 0 || errno == EPERM)) {
            fclose(f);
            ww_log(WW_ERROR, "%s: held by running process %ld: not starting", path, pid);
            return -1;
        }
        fclose(f);
    }
    char tmp[PATH_MAX];
    snprintf(tmp, sizeof tmp, "%s.%ld", path, (long)getpid());
    mkdir_parents(path);
    f = fopen(tmp, "w");
    if (!f || fprintf(f, "%ld\n", (long)getpid()) < 0 || fclose(f) != 0 || rename(tmp, path) != 0) {
        ww_log(WW_WARN, "%s: cannot write the pid file: %s", path, strerror(errno));
        unlink(tmp);
    }
    return 0;
}

struct state {
    struct ww_config cfg;
    char path[2048];  /* /runtime/<wwid>?assetkey=..&uuid=.. */
    char etag[256];   /* of the last overlay applied in full */
    int rootfd;
};

enum { UPDATE_DONE = 0, UPDATE_CONN = 1, UPDATE_STATUS = 2, UPDATE_APPLY = 3, UPDATE_FATAL = 4 };

static int update(struct state *st) {
    struct http_response r;
    char msg[512] = "";
    int rc = http_get(&st->cfg, st->path, st->etag[0] ? st->etag : NULL, &r, msg, sizeof msg);
    if (rc == HTTP_FATAL) {
        ww_log(WW_ERROR, "%s", msg);
        return UPDATE_FATAL;
    }
    if (rc != HTTP_OK) {
        ww_log(WW_DEBUG, "connection error: %s", msg);
        return UPDATE_CONN;
    }
    ww_log(WW_DEBUG, "GET %s from port %d: %d, %zu bytes", st->path, r.local_port, r.status, r.body_len);
    if (r.status == 304) {
        ww_log(WW_DEBUG, "runtime overlay unchanged");
        free(r.body);
        return UPDATE_DONE;
    }
    if (r.status != 200) {
        ww_log(WW_WARN, "not applying runtime overlay: got status code: %d", r.status);
        free(r.body);
        return UPDATE_STATUS;
    }
    if (r.body_len >= 2 && r.body[0] == 0x1f && r.body[1] == 0x8b) {
        ww_log(WW_ERROR, "the server sent a gzip body; wwclient applies the plain cpio (no compress= parameter)");
        free(r.body);
        return UPDATE_APPLY;
    }
    ww_log(WW_INFO, "applying runtime overlay");
    struct apply_stats s;
    rc = apply_cpio(r.body, r.body_len, st->rootfd, &s, msg, sizeof msg);
    free(r.body);
    if (rc < 0) {
        ww_log(WW_ERROR, "runtime overlay not applied: %s", msg);
        st->etag[0] = '\0';
        return UPDATE_APPLY;
    }
    ww_log(rc == 0 ? WW_INFO : WW_WARN, "runtime overlay: %u files updated, %u unchanged, %u symlinks, %u directories, %u skipped, %u failed",
           s.updated, s.unchanged, s.symlinks, s.directories, s.skipped, s.failed);
    /* only a fully applied overlay may be answered 304 next time */
    if (rc == 0) snprintf(st->etag, sizeof st->etag, "%s", r.etag);
    else st->etag[0] = '\0';
    return rc == 0 ? UPDATE_DONE : UPDATE_APPLY;
}

static int open_root(const char *root_opt, const char *argv0) {
    char self[PATH_MAX];
    const char *root = root_opt;
    if (!root) {
        /* upstream's safety net: the live root only for the installed binary */
        const char *me = realpath(argv0, self) ? self : argv0;
        if (strcmp(me, WWCLIENT_DIR "/wwclient") == 0) {
            root = "/";
            ww_log(WW_WARN, "updating live file system: cancel now if this is in error");
            if (isatty(STDERR_FILENO)) sleep(5);
        } else {
            root = WWCLIENT_DIR "/wwclient-test";
            ww_log(WW_WARN, "not run as %s/wwclient: applying the runtime overlay under %s (use --root DIR to choose)", WWCLIENT_DIR, root);
            mkdir_parents(WWCLIENT_DIR "/wwclient-test/");
        }
    }
    int fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) ww_log(WW_ERROR, "%s: %s", root, strerror(errno));
    return fd;
}

int main(int argc, char **argv) {
    int once = 0;
    const char *pidfile = "/var/run/wwclient.pid", *wwconf = getenv("WAREWULFCONF"), *wwinit_config = WWCLIENT_DIR "/config";
    const char *root = NULL, *wwid_opt = NULL, *dmi = "/sys/class/dmi/id", *cmdline = "/proc/cmdline";
    if (!wwconf || !*wwconf) wwconf = "/etc/warewulf/warewulf.conf";
    enum { OPT_ONCE = 256, OPT_WWCONF, OPT_WWINIT, OPT_ROOT, OPT_WWID, OPT_DMI, OPT_CMDLINE };
    static const struct option opts[] = {
        {"once", no_argument, 0, OPT_ONCE},           {"debug", no_argument, 0, 'd'},
        {"pidfile", required_argument, 0, 'p'},       {"warewulfconf", required_argument, 0, OPT_WWCONF},
        {"wwinit-config", required_argument, 0, OPT_WWINIT}, {"root", required_argument, 0, OPT_ROOT},
        {"wwid", required_argument, 0, OPT_WWID},     {"dmi", required_argument, 0, OPT_DMI},
        {"cmdline", required_argument, 0, OPT_CMDLINE},
        {"help", no_argument, 0, 'h'},                {"version", no_argument, 0, 'V'},
        {0, 0, 0, 0}};
    for (int c; (c = getopt_long(argc, argv, "dp:hV", opts, NULL)) != -1;) {
        switch (c) {
        case OPT_ONCE: once = 1; break;
        case 'd': ww_log_level = WW_DEBUG; break;
        case 'p': pidfile = optarg; break;
        case OPT_WWCONF: wwconf = optarg; break;
        case OPT_WWINIT: wwinit_config = optarg; break;
        case OPT_ROOT: root = optarg; break;
        case OPT_WWID: wwid_opt = optarg; break;
        case OPT_DMI: dmi = optarg; break;
        case OPT_CMDLINE: cmdline = optarg; break;
        case 'h': usage(stdout); return 0;
        case 'V': printf("wwclient %s\n", WWCLIENT_VERSION); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind < argc) {
        usage(stderr);
        return 2;
    }

    struct state st;
    memset(&st, 0, sizeof st);
    char msg[512];
    if (config_load(wwconf, wwinit_config, &st.cfg, msg, sizeof msg) != 0) {
        ww_log(WW_ERROR, "%s", msg);
        return 1;
    }
    if (st.cfg.tls) {
        ww_log(WW_ERROR, "%s: warewulf.tls is true, and this wwclient speaks plain HTTP only", wwconf);
        return 1;
    }
    char wwid[128], asset[256], uuid[128], e_wwid[400], e_asset[800], e_uuid[400];
    if (wwid_opt) snprintf(wwid, sizeof wwid, "%s", wwid_opt);
    else if (ident_wwid(cmdline, wwid, sizeof wwid, msg, sizeof msg) != 0) {
        ww_log(WW_ERROR, "%s", msg);
        return 1;
    }
    ident_dmi(dmi, asset, sizeof asset, uuid, sizeof uuid);
    url_encode(wwid, e_wwid, sizeof e_wwid);
    url_encode(asset, e_asset, sizeof e_asset);
    url_encode(uuid, e_uuid, sizeof e_uuid);
    /* query keys sorted, as upstream sends them; no compress=: the plain cpio is applied as it comes */
    snprintf(st.path, sizeof st.path, "/runtime/%s?assetkey=%s&uuid=%s", e_wwid, e_asset, e_uuid);

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGHUP, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    srand((unsigned)(time(NULL) ^ getpid() ^ (uuid[0] << 8)));

    if (*pidfile && pidfile_take(pidfile) != 0) return 1;
    st.rootfd = open_root(root, argv[0]);
    if (st.rootfd < 0) {
        if (*pidfile) unlink(pidfile);
        return 1;
    }
    ww_log(WW_DEBUG, "server %s port %d, secure %s, update interval %d s, node %s", st.cfg.server, st.cfg.port, st.cfg.secure ? "true" : "false",
           st.cfg.update_interval, wwid);

    int ready = 0, status = 0;
    unsigned long conn_failures = 0;
    while (!stop_requested) {
        update_requested = 0;
        int rc = update(&st);
        if (rc == UPDATE_FATAL) {
            status = 1;
            break;
        }
        if (rc == UPDATE_CONN) {
            if (conn_failures++ % CONN_RETRY_LOG_EVERY == 0) ww_log(WW_WARN, "cannot reach %s port %d; retrying every second", st.cfg.server, st.cfg.port);
            if (once && conn_failures >= ONCE_CONN_ATTEMPTS) {
                ww_log(WW_ERROR, "giving up after %lu attempts", conn_failures);
                status = 1;
                break;
            }
            wait_ms(1000);
            continue;
        }
        if (conn_failures > 0) ww_log(WW_INFO, "reached the server again after %lu failed attempts", conn_failures);
        conn_failures = 0;
        if (rc == UPDATE_DONE && !ready) {
            ready = 1;
            notify_ready();
        }
        if (once) {
            status = rc == UPDATE_DONE ? 0 : 1;
            break;
        }
        long interval = st.cfg.update_interval > 0 ? st.cfg.update_interval : 300;
        /* +-10% jitter spreads a cluster's polls after a mass reboot */
        long ms = interval * 1000L * (900 + rand() % 201) / 1000;
        wait_ms(ms);
    }
    close(st.rootfd);
    if (*pidfile) unlink(pidfile);
    return status;
}
