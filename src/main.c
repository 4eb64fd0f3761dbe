/* hutch: subcommand dispatch. The only place that prints errors and exits. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "err.h"
#include "init.h"
#include "run.h"

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
          "  help                                        show this help\n"
          "  version                                     show the version\n\n"
          "'hutch run --help' lists the options of run.\n",
          out);
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
