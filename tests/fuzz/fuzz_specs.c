/* Fuzz the option values of hutch run: the first line names the option, the rest of the input
 * is its value. Each value goes through its own pure parser (cli_parse_publish, cli_parse_bind,
 * devices_parse_spec, cli_parse_add_host, cli_parse_tmpfs, cli_parse_lan, addr_parse,
 * command_parse_id), then through cli_parse_run as `--OPTION VALUE img sh`. Nothing is applied:
 * devices_stat and the like are not called. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "cli.h"
#include "command.h"
#include "devices.h"
#include "err.h"
#include "fuzz.h"


static const char *const options[] = {
    "publish", "bind", "device", "add-host", "tmpfs", "net", "ip", "dns", "user", "memory",
    "pids", "cpus", "uidmap", "gidmap", "restart", "volume", "mount", "cap-add", "cap-drop",
    "env", "veth", "bridge", "dns-search", "hostname", "name", "workdir", "log-max", "stop-signal",
    "entrypoint", "overlay", "verity", "seccomp", "sysctl", "ulimit", "userns", NULL,
};

static void direct(const char *opt, const char *v)
{
    err_clear();
    if (strcmp(opt, "publish") == 0) {
        struct publish_spec p;
        cli_parse_publish(v, &p);
    } else if (strcmp(opt, "bind") == 0 || strcmp(opt, "volume") == 0) {
        struct bind_spec b = {0};
        if (cli_parse_bind(v, &b) == 0) {
            free((char *)b.src);
            free((char *)b.dst);
        }
    } else if (strcmp(opt, "device") == 0) {
        struct device_spec d;
        memset(&d, 0, sizeof d);
        devices_parse_spec(v, &d);
        devices_spec_free(&d);
    } else if (strcmp(opt, "add-host") == 0) {
        struct host_entry h = {0};
        if (cli_parse_add_host(v, &h) == 0)
            free((char *)h.name);
    } else if (strcmp(opt, "tmpfs") == 0) {
        struct tmpfs_spec t = {0};
        if (cli_parse_tmpfs(v, &t) == 0) {
            free((char *)t.dst);
            free((char *)t.data);
        }
    } else if (strcmp(opt, "net") == 0) {
        enum net_mode mode;
        struct veth_opts vo;
        memset(&vo, 0, sizeof vo);
        cli_parse_lan(v, &mode, &vo);
        free((char *)vo.parent);
    } else if (strcmp(opt, "ip") == 0 || strcmp(opt, "dns") == 0) {
        struct ip_addr a;
        char buf[ADDR_STRLEN];
        if (addr_parse("--ip", v, strcmp(opt, "ip") == 0, &a) == 0)
            addr_format(&a, buf);
    } else if (strcmp(opt, "user") == 0) {
        unsigned long id;
        command_parse_id(v, &id);
        cli_check_user("--user", v);
    } else if (strcmp(opt, "stop-signal") == 0) {
        cli_parse_signal(v);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_string(data, size, 2048);
    if (!text)
        return 0;
    char *nl = strchr(text, '\n');
    if (!nl) {
        free(text);
        return 0;
    }
    *nl = '\0';
    const char *opt = text;
    /* The value in a block of its own, so that ASan sees reads past its end. */
    char *value = strdup(nl + 1);
    if (!value) {
        free(text);
        return 0;
    }
    for (size_t i = 0; options[i]; i++) {
        if (strcmp(opt, options[i]) != 0)
            continue;
        direct(opt, value);
        char flag[32], img[] = "img", sh[] = "sh";
        snprintf(flag, sizeof flag, "--%s", opt);
        char *argv[] = {flag, value, img, sh, NULL};
        struct run_opts o;
        err_clear();
        cli_parse_run(4, argv, &o, fuzz_devnull());
        run_opts_free(&o);
        break;
    }
    free(value);
    free(text);
    return 0;
}
