/*
 * The few warewulf.conf keys wwclient needs (spec §3.1, §8.2), read from the
 * node's copy of the server's file without a YAML library: top-level scalars
 * and one level of block or flow mapping, which is every shape wwctl writes
 * and the shipped file uses. Anything else is ignored.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "wwclient.h"

static char *trim(char *s) {
    while (isspace((unsigned char)*s)) s++;
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1])) s[--n] = '\0';
    return s;
}

/* The first character outside quotes at which at(s, p) holds, or NULL. */
static char *find_unquoted(char *s, int (*at)(const char *s, const char *p)) {
    char quote = 0;
    for (char *p = s; *p; p++) {
        if (quote) {
            if (*p == quote) quote = 0;
        } else if (*p == '"' || *p == '\'') {
            quote = *p;
        } else if (at(s, p)) {
            return p;
        }
    }
    return NULL;
}

/* A comment starts with '#' at the start of the line or after a blank. */
static int comment_at(const char *s, const char *p) {
    return *p == '#' && (p == s || isspace((unsigned char)p[-1]));
}

/* A mapping key ends at ':' followed by a blank or the end of the line. */
static int key_end_at(const char *s, const char *p) {
    (void)s;
    return *p == ':' && (p[1] == '\0' || isspace((unsigned char)p[1]));
}

static void strip_comment(char *s) {
    char *p = find_unquoted(s, comment_at);
    if (p) *p = '\0';
}

static char *unquote(char *s) {
    s = trim(s);
    size_t n = strlen(s);
    if (n >= 2 && (s[0] == '"' || s[0] == '\'') && s[n - 1] == s[0]) {
        s[n - 1] = '\0';
        s++;
    }
    return s;
}

static int parse_bool(const char *v, int dflt) {
    static const char *yes[] = {"true", "yes", "on", "y"}, *no[] = {"false", "no", "off", "n"};
    for (size_t i = 0; i < 4; i++) {
        if (strcasecmp(v, yes[i]) == 0) return 1;
        if (strcasecmp(v, no[i]) == 0) return 0;
    }
    return dflt;
}

static int parse_int(const char *v, int dflt) {
    char *end;
    errno = 0;
    long n = strtol(v, &end, 10);
    if (errno || end == v || *trim(end) != '\0' || n < -1000000000L || n > 1000000000L) return dflt;
    return (int)n;
}

struct raw {
    char ipaddr[256], ipaddr6[256];
};

static void set_key(struct ww_config *cfg, struct raw *raw, const char *section, const char *key, char *value) {
    value = unquote(value);
    if (*section == '\0') {
        if (strcmp(key, "ipaddr") == 0) snprintf(raw->ipaddr, sizeof raw->ipaddr, "%s", value);
        else if (strcmp(key, "ipaddr6") == 0) snprintf(raw->ipaddr6, sizeof raw->ipaddr6, "%s", value);
    } else if (strcmp(section, "warewulf") == 0) {
        if (strcmp(key, "port") == 0) cfg->port = parse_int(value, cfg->port);
        else if (strcmp(key, "secure") == 0) cfg->secure = parse_bool(value, cfg->secure);
        else if (strcmp(key, "tls") == 0) cfg->tls = parse_bool(value, cfg->tls);
        else if (strcmp(key, "tls port") == 0) cfg->tls_port = parse_int(value, cfg->tls_port);
        else if (strcmp(key, "update interval") == 0) cfg->update_interval = parse_int(value, cfg->update_interval);
    } else if (strcmp(section, "wwclient") == 0) {
        if (strcmp(key, "port") == 0) cfg->client_port = parse_int(value, cfg->client_port);
    }
}

/* Split "key: value" at the key's colon; returns the value or NULL. */
static char *split_key(char *s, char **key) {
    char *p = find_unquoted(s, key_end_at);
    if (!p) return NULL;
    *p = '\0';
    *key = unquote(s);
    return p + 1;
}

/* A flow mapping "{a: 1, b: c}" (no nesting) under section. */
static void parse_flow(struct ww_config *cfg, struct raw *raw, const char *section, char *body) {
    size_t n = strlen(body);
    if (n < 2 || body[n - 1] != '}') return;
    body[n - 1] = '\0';
    body++;
    for (char *save = NULL, *item = strtok_r(body, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
        char *key, *value = split_key(item, &key);
        if (value) set_key(cfg, raw, section, key, value);
    }
}

static void parse_conf(FILE *f, struct ww_config *cfg, struct raw *raw) {
    char line[4096], section[64] = "";
    while (fgets(line, sizeof line, f)) {
        strip_comment(line);
        size_t indent = strspn(line, " \t");
        char *s = trim(line);
        if (*s == '\0' || strcmp(s, "---") == 0) continue;
        char *key, *value = split_key(s, &key);
        if (!value) continue;
        value = trim(value);
        if (indent == 0) {
            section[0] = '\0';
            if (*value == '\0') snprintf(section, sizeof section, "%s", key);
            else if (*value == '{') parse_flow(cfg, raw, key, value);
            else set_key(cfg, raw, "", key, value);
        } else if (section[0] != '\0') {
            set_key(cfg, raw, section, key, value);
        }
    }
}

/* WWIPADDR=... from the wwinit config (shell variable syntax, optionally quoted). */
static void wwinit_ipaddr(const char *path, char *out, size_t outlen) {
    FILE *f = path ? fopen(path, "r") : NULL;
    if (!f) return;
    char line[1024];
    while (fgets(line, sizeof line, f)) {
        char *s = trim(line);
        if (strncmp(s, "WWIPADDR=", 9) == 0) snprintf(out, outlen, "%s", unquote(s + 9));
    }
    fclose(f);
}

static void strip_prefix_len(char *addr) {
    char *slash = strchr(addr, '/');
    if (slash) *slash = '\0';
}

int config_load(const char *conf_path, const char *wwinit_config, struct ww_config *cfg, char *msg, size_t msglen) {
    memset(cfg, 0, sizeof *cfg);
    cfg->port = 9873;
    cfg->secure = 1; /* upstream's default when the key is absent */
    cfg->tls_port = 9874;
    cfg->update_interval = 60;
    struct raw raw = {{0}, {0}};
    FILE *f = fopen(conf_path, "r");
    if (f) {
        parse_conf(f, cfg, &raw);
        fclose(f);
    } else if (errno != ENOENT) {
        snprintf(msg, msglen, "%s: %s", conf_path, strerror(errno));
        return -1;
    } else {
        ww_log(WW_WARN, "%s: not found, using defaults", conf_path);
    }
    const char *env = getenv("WW_IPADDR");
    if (env && *env) snprintf(cfg->server, sizeof cfg->server, "%s", env);
    else if (raw.ipaddr6[0]) snprintf(cfg->server, sizeof cfg->server, "%s", raw.ipaddr6);
    else if (raw.ipaddr[0]) snprintf(cfg->server, sizeof cfg->server, "%s", raw.ipaddr);
    else wwinit_ipaddr(wwinit_config, cfg->server, sizeof cfg->server);
    strip_prefix_len(cfg->server);
    if (cfg->server[0] == '\0') {
        snprintf(msg, msglen, "no server address: neither WW_IPADDR, ipaddr6/ipaddr in %s nor WWIPADDR in %s", conf_path, wwinit_config ? wwinit_config : "(none)");
        return -1;
    }
    if (cfg->port <= 0 || cfg->port > 65535) {
        snprintf(msg, msglen, "%s: warewulf.port %d out of range", conf_path, cfg->port);
        return -1;
    }
    if (cfg->client_port < 0 || cfg->client_port > 65535) {
        snprintf(msg, msglen, "%s: wwclient.port %d out of range", conf_path, cfg->client_port);
        return -1;
    }
    return 0;
}
