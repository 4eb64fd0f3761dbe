/* hutch: subcommand dispatch. The only place that prints errors and exits. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "caps.h"
#include "cli.h"
#include "err.h"
#include "init.h"
#include "control.h"
#include "exec.h"
#include "monitor.h"
#include "oci.h"
#include "sealed.h"
#include "trace.h"
#include "seccomp.h"
#include "state.h"

#ifndef HUTCH_VERSION
#define HUTCH_VERSION "0.1"
#endif

#define EXIT_HUTCH 125

static void usage(FILE *out)
{
    fputs("Usage: hutch COMMAND [ARG...]\n"
          "A container runtime for small Linux boards: one static binary, no daemon.\n\n"
          "Commands:\n"
          "  run [OPTIONS] IMAGE [--] COMMAND [ARG...]   run COMMAND in a new container\n"
          "  start NAME                   run the container of /etc/hutch/NAME.conf, detached\n"
          "  exec [OPTIONS] NAME COMMAND  run COMMAND in the running container NAME\n"
          "  list [-q]                    the running containers\n"
          "  kill NAME [SIGNAL]           send SIGNAL (default KILL) to the container's init\n"
          "  stop [-t SECONDS] NAME       SIGTERM, then SIGKILL after SECONDS (default 10)\n"
          "  wait NAME                    wait for NAME to end; print and return its exit code\n"
          "  inspect NAME                 NAME's state, as JSON\n"
          "  defaults                     show the default capabilities and seccomp rules\n"
          "  oci COMMAND ...              an OCI runtime with runc's command line (as hutch-oci)\n"
          "  help                                        show this help\n"
          "  version                                     show the version\n\n"
          "'hutch run --help' lists the options of run.\n",
          out);
}

struct rule_group {
    int cap;
    int printed;
};

static void print_rule(const char *name, int nr, int cap, void *arg)
{
    (void)nr;
    struct rule_group *g = arg;
    if (cap != g->cap)
        return;
    printf("%s%s", g->printed++ ? " " : "  ", name);
}

/* The hardened default, as the code has it: for the README and for users on a board. */
static int cmd_defaults(void)
{
    printf("Capabilities kept by default (--cap-add, --cap-drop change them):\n ");
    for (int cap = 0; caps_name(cap); cap++)
        if (CAPS_DEFAULT & CAPS_BIT(cap))
            printf(" %s", caps_name(cap));
    printf("\n\nSystem calls refused with EPERM by the default seccomp filter:\n");
    int groups[] = {-1, 21, 16, 22, 25, 19, 20, 23, 17, 2, 34};
    for (size_t i = 0; i < sizeof groups / sizeof *groups; i++) {
        struct rule_group g = {groups[i], 0};
        if (groups[i] < 0)
            printf("- always:\n");
        else
            printf("- unless CAP_%s is kept:\n", caps_name(groups[i]));
        seccomp_each_rule(print_rule, &g);
        printf("\n");
    }
    printf("- clone() with namespace flags, unless CAP_SYS_ADMIN is kept (clone3() gets ENOSYS,\n"
           "  and the C library falls back to clone())\n"
           "- personality() but with 0x0, 0x8, 0x20000, 0x20008 or 0xffffffff\n"
           "- ioctl() TIOCSTI and TIOCLINUX, always\n"
           "Calls of another architecture (and of the x32 ABI on x86_64) kill the process.\n");
    return 0;
}

static int fail(void)
{
    fprintf(stderr, "hutch: %s\n", *err_msg() ? err_msg() : "failed");
    return EXIT_HUTCH;
}

/* A command's result: its exit status, with the recorded message printed once. */
static int finish(int r)
{
    if (r < 0)
        return fail();
    if (*err_msg())
        fprintf(stderr, "hutch: %s\n", err_msg());
    return r;
}

static int cmd_run(int argc, char **argv)
{
    struct run_opts o;
    int r = cli_parse_run(argc, argv, &o, stdout);
    if (r == 0 && o.caps_all)
        o.caps &= caps_own(); /* ALL: what hutch has (a board's init may have dropped some) */
    if (r == 0)
        r = monitor_run(&o, argc, argv);
    else if (r == 1)
        r = 0;
    run_opts_free(&o);
    return finish(r);
}

/* hutch start NAME: hutch run --config DIR/NAME.conf --name NAME --detach */
static int cmd_start(int argc, char **argv)
{
    struct ctl_opts c;
    int r = cli_parse_ctl("start", argc, argv, &c, stdout);
    if (r != 0)
        return r == 1 ? 0 : fail();
    const char *dir = getenv("HUTCH_CONFIG_DIR");
    char path[512];
    snprintf(path, sizeof path, "%s/%s.conf", dir && *dir ? dir : "/etc/hutch", c.name);
    char *run_argv[] = {"--config", path, "--name", (char *)c.name, "--detach", NULL};
    return cmd_run(5, run_argv);
}

static int cmd_exec(int argc, char **argv)
{
    struct exec_opts e;
    int r = cli_parse_exec(argc, argv, &e, stdout);
    if (r == 0)
        r = exec_in(&e);
    else if (r == 1)
        r = 0;
    exec_opts_free(&e);
    return finish(r);
}

static int cmd_control(const char *cmd, int argc, char **argv)
{
    static const struct {
        const char *name;
        int (*fn)(const struct ctl_opts *);
    } commands[] = {{"list", control_list}, {"kill", control_kill}, {"stop", control_stop},
                    {"wait", control_wait}, {"inspect", control_inspect}};
    for (size_t i = 0; i < sizeof commands / sizeof *commands; i++) {
        if (strcmp(cmd, commands[i].name) != 0)
            continue;
        struct ctl_opts c;
        int r = cli_parse_ctl(cmd, argc, argv, &c, stdout);
        if (r == 1)
            return 0;
        return finish(r == 0 ? commands[i].fn(&c) : r);
    }
    return -1;
}

/* hutch-oci, or hutch oci: runc's command line. Exit status 1 for a failure, as runc. */
static int oci_entry(int argc, char **argv)
{
    bool starts = false;
    for (int i = 1; i < argc; i++)
        starts = starts || strcmp(argv[i], "create") == 0 || strcmp(argv[i], "run") == 0 ||
                 strcmp(argv[i], "exec") == 0;
    if (starts && sealed_reexec(argv - (strcmp(argv[0], "oci") == 0)) < 0)
        return oci_report(err_msg());
    int r = oci_main(argc, argv);
    fflush(stdout);
    return r < 0 ? oci_report(err_msg()) : r;
}

int main(int argc, char **argv)
{
    trace_init();
    init_title_area(argc, argv);
    const char *base = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
    if (strcmp(base, "hutch-oci") == 0)
        return oci_entry(argc, argv);
    if (argc >= 2 && strcmp(argv[1], "oci") == 0)
        return oci_entry(argc - 1, argv + 1);
    if (argc < 2) {
        usage(stderr);
        return EXIT_HUTCH;
    }
    const char *cmd = argv[1];
    /* What starts processes in a container runs from a sealed copy of itself. */
    if ((strcmp(cmd, "run") == 0 || strcmp(cmd, "start") == 0 || strcmp(cmd, "exec") == 0) &&
        sealed_reexec(argv) < 0)
        return fail();
    if (strcmp(cmd, "run") == 0)
        return cmd_run(argc - 2, argv + 2);
    if (strcmp(cmd, "start") == 0)
        return cmd_start(argc - 2, argv + 2);
    if (strcmp(cmd, "exec") == 0)
        return cmd_exec(argc - 2, argv + 2);
    int r = cmd_control(cmd, argc - 2, argv + 2);
    if (r >= 0)
        return r;
    if (strcmp(cmd, "defaults") == 0)
        return cmd_defaults();
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
        printf("hutch %s\n", HUTCH_VERSION);
        return 0;
    }
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        usage(stdout);
        return 0;
    }
    err_setx(EINVAL, "unknown command '%s' (see hutch --help)", cmd);
    return fail();
}
