/* Who this node is: wwid from the kernel command line, asset tag and UUID from SMBIOS (spec §8.2). */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "wwclient.h"

static int read_small(const char *path, char *out, size_t outlen) {
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    size_t n = fread(out, 1, outlen - 1, f);
    fclose(f);
    out[n] = '\0';
    while (n > 0 && isspace((unsigned char)out[n - 1])) out[--n] = '\0';
    return 0;
}

int ident_wwid(const char *cmdline_path, char *out, size_t outlen, char *msg, size_t msglen) {
    char cmdline[8192];
    if (read_small(cmdline_path, cmdline, sizeof cmdline) != 0) {
        snprintf(msg, msglen, "%s: %s", cmdline_path, strerror(errno));
        return -1;
    }
    char *save = NULL, *value = NULL;
    for (char *w = strtok_r(cmdline, " \t\n", &save); w; w = strtok_r(NULL, " \t\n", &save))
        if (strncmp(w, "wwid=", 5) == 0) value = w + 5; /* the last one wins, as the kernel's own parameters */
    if (!value || !*value) {
        snprintf(msg, msglen, "no wwid= on the kernel command line (%s)", cmdline_path);
        return -1;
    }
    size_t n = strlen(value);
    if (value[0] == '[' && value[n - 1] == ']') {
        value[n - 1] = '\0';
        const char *iface = value + 1;
        if (!*iface || strchr(iface, '/') || strcmp(iface, ".") == 0 || strcmp(iface, "..") == 0) {
            snprintf(msg, msglen, "wwid=[%s]: not an interface name", iface);
            return -1;
        }
        char path[512];
        snprintf(path, sizeof path, "/sys/class/net/%s/address", iface);
        if (read_small(path, out, outlen) != 0 || !*out) {
            snprintf(msg, msglen, "wwid=[%s]: %s: %s", iface, path, strerror(errno));
            return -1;
        }
        return 0;
    }
    snprintf(out, outlen, "%s", value);
    return 0;
}

void ident_dmi(const char *dmi_dir, char *asset, size_t alen, char *uuid, size_t ulen) {
    char path[512];
    snprintf(path, sizeof path, "%s/chassis_asset_tag", dmi_dir);
    if (read_small(path, asset, alen) != 0) asset[0] = '\0';
    for (char *p = asset; *p; p++)
        if (*p == ' ') *p = '_';
    snprintf(path, sizeof path, "%s/product_uuid", dmi_dir);
    if (read_small(path, uuid, ulen) != 0) uuid[0] = '\0';
}

void url_encode(const char *s, char *out, size_t outlen) {
    static const char hex[] = "0123456789ABCDEF";
    size_t o = 0;
    for (; *s && o + 4 < outlen; s++) {
        unsigned char c = (unsigned char)*s;
        if (isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
            out[o++] = (char)c;
        } else {
            out[o++] = '%';
            out[o++] = hex[c >> 4];
            out[o++] = hex[c & 15];
        }
    }
    out[o] = '\0';
}
