/* Small shared helpers: log lines in Warewulf's wwlog shape (spec §0.2), all on stderr (journald or the
 * init.d log file keeps them), and a write(2) loop. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>
#include "wwclient.h"

int ww_log_level = WW_INFO;

static const char *level_name(int level) {
    switch (level) {
    case WW_DEBUG: return "DEBUG";
    case WW_INFO: return "INFO";
    case WW_WARN: return "WARN";
    default: return "ERROR";
    }
}

void ww_log(int level, const char *fmt, ...) {
    if (level < ww_log_level) return;
    char line[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    /* at the default level INFO lines carry no prefix, as wwlog prints them */
    if (level == WW_INFO && ww_log_level == WW_INFO)
        fprintf(stderr, "%s\n", line);
    else
        fprintf(stderr, "%-7s: %s\n", level_name(level), line);
    fflush(stderr);
}

int write_all(int fd, const void *buf, size_t len) {
    const unsigned char *p = buf;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}
