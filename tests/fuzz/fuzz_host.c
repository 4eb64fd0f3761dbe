/* Fuzz the readers of the host's and the image's text files that hutch parses: the first line
 * names the file, the rest is its text:
 *   resolv.conf  the host's /etc/resolv.conf into the container's (dns_resolv_conf), as is and
 *                with --dns / --dns-search given
 *   passwd       lines of the image's /etc/passwd or /etc/group (command_parse_id_line)
 *   mounts       /proc/self/mounts for the cgroup layout (cgroup_parse_mounts)
 *   cpuset       a CPU list (cgroup_valid_cpuset)
 * Pure: text in, text or data out. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "cgroup.h"
#include "command.h"
#include "dns.h"
#include "err.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 65536)
        return 0;
    const uint8_t *nl = memchr(data, '\n', size);
    if (!nl)
        return 0;
    size_t klen = (size_t)(nl - data), len = size - klen - 1;
    char *text = malloc(len + 1);
    if (!text)
        return 0;
    memcpy(text, nl + 1, len);
    text[len] = '\0';
    if (klen == 11 && memcmp(data, "resolv.conf", 11) == 0) {
        static char out[8192];
        struct dns_conf c = {NULL, 0, NULL, 0, false};
        err_clear();
        dns_resolv_conf(&c, text, len, out, sizeof out);
        struct ip_addr servers[2];
        const char *search[] = {"lan", "example.org"};
        err_clear();
        if (addr_parse("--dns", "10.0.0.1", false, &servers[0]) == 0 &&
            addr_parse("--dns", "fd00::1", false, &servers[1]) == 0) {
            struct dns_conf g = {servers, 2, search, 2, true};
            err_clear();
            dns_resolv_conf(&g, text, len, out, sizeof out);
        }
        err_clear();
        dns_resolv_conf(&c, text, len, out, 64); /* too small an OUT */
    } else if (klen == 6 && memcmp(data, "passwd", 6) == 0) {
        for (char *line = text, *next; line; line = next) {
            next = strchr(line, '\n');
            if (next)
                *next++ = '\0';
            char *copy = strdup(line); /* a block of its own: ASan sees past its end */
            if (!copy)
                break;
            const char *name = NULL, *home = NULL;
            unsigned long id, gid;
            if (command_parse_id_line(copy, &name, &id, &gid, &home) == 0) {
                (void)strlen(name);
                if (home)
                    (void)strlen(home);
            }
            free(copy);
        }
    } else if (klen == 6 && memcmp(data, "mounts", 6) == 0) {
        struct cgroup_layout l;
        cgroup_parse_mounts(text, &l);
        if (strnlen(l.v2, sizeof l.v2) == sizeof l.v2)
            abort();
    } else if (klen == 6 && memcmp(data, "cpuset", 6) == 0) {
        cgroup_valid_cpuset(text);
    }
    free(text);
    return 0;
}
