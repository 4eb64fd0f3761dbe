/* hutch: subcommand dispatch. The only place that prints errors and exits. */
#include <stdio.h>
#include <string.h>

#include "caps.h"
#include "cli.h"
#include "err.h"
#include "init.h"
#include "run.h"
#include "seccomp.h"

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
          "  defaults                                    show the default capabilities and seccomp rules\n"
          "  help                                        show this help\n"
          "  version                                     show the version\n\n"
          "'hutch run --help' lists the options of run.\n",
          out);
}

struct rule_group {
    int cap;
    int printed;
};

static void print_rule(const char *name, int cap, void *arg)
{
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
    int groups[] = {-1, 21, 16, 22, 25, 19, 20, 23, 17, 2};
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
           "Calls of another architecture (and of the x32 ABI on x86_64) kill the process.\n");
    return 0;
}

static int fail(void)
{
    fprintf(stderr, "hutch: %s\n", *err_msg() ? err_msg() : "failed");
    return EXIT_HUTCH;
}

static int cmd_run(int argc, char **argv)
{
    struct run_opts o;
    int r = cli_parse_run(argc, argv, &o, stdout);
    if (r == 1) {
        run_opts_free(&o);
        return 0;
    }
    if (r == 0)
        r = run_container(&o);
    run_opts_free(&o);
    if (r < 0)
        return fail();
    if (*err_msg())
        fprintf(stderr, "hutch: %s\n", err_msg());
    return r;
}

int main(int argc, char **argv)
{
    init_title_area(argc, argv);
    if (argc < 2) {
        usage(stderr);
        return EXIT_HUTCH;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "run") == 0)
        return cmd_run(argc - 2, argv + 2);
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
    err_setx(22, "unknown command '%s' (see hutch --help)", cmd);
    return fail();
}
