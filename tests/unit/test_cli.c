/* Unit tests of the command line parser: no side effects, so no root needed. */
#include <errno.h>
#include <stdlib.h>

#include "check.h"
#include "cli.h"
#include "err.h"

static FILE *devnull;

/* The parsed options point into argv, so each argv lives as long as the test function. */
#define ARGS(name, ...) char *name[] = {__VA_ARGS__, NULL}

static int parse(struct run_opts *o, char **argv)
{
    int argc = 0;
    while (argv[argc])
        argc++;
    err_clear();
    return cli_parse_run(argc, argv, o, devnull);
}

static void test_minimal(void)
{
    struct run_opts o;
    ARGS(a, "img.ext4", "ps");
    CHECK_EQ_INT(parse(&o, a), 0);
    CHECK_EQ_STR(o.image, "img.ext4");
    CHECK_EQ_STR(o.argv[0], "ps");
    CHECK(o.argv[1] == NULL);
    CHECK(o.name == NULL && o.net == NET_NONE && !o.ro && !o.no_init);
    run_opts_free(&o);
}

static void test_all_options(void)
{
    struct run_opts o;
    ARGS(a, "--name", "web", "--hostname=box", "-e", "A=1", "--env", "B=2=3", "-w", "/srv", "--user",
         "1000:100", "--ro", "-v", "/data:/mnt/data:ro", "--bind=/x:/y", "--net", "host", "--no-init",
         "img", "--", "sh", "-c", "echo hi");
    CHECK_EQ_INT(parse(&o, a), 0);
    CHECK_EQ_STR(o.name, "web");
    CHECK_EQ_STR(o.hostname, "box");
    CHECK_EQ_INT(o.n_env, 2);
    CHECK_EQ_STR(o.env[1], "B=2=3");
    CHECK_EQ_STR(o.workdir, "/srv");
    CHECK_EQ_STR(o.user, "1000:100");
    CHECK(o.ro && o.no_init && o.net == NET_HOST);
    CHECK_EQ_INT(o.n_binds, 2);
    CHECK_EQ_STR(o.binds[0].src, "/data");
    CHECK_EQ_STR(o.binds[0].dst, "/mnt/data");
    CHECK(o.binds[0].ro && !o.binds[1].ro);
    CHECK_EQ_STR(o.image, "img");
    CHECK_EQ_STR(o.argv[0], "sh");
    CHECK_EQ_STR(o.argv[2], "echo hi");
    run_opts_free(&o);
}

static void test_command_options_are_not_ours(void)
{
    struct run_opts o;
    ARGS(a, "img", "ls", "--ro", "-l");
    CHECK_EQ_INT(parse(&o, a), 0);
    CHECK(!o.ro);
    CHECK_EQ_STR(o.argv[1], "--ro");
    run_opts_free(&o);
}

/* Each bad command line fails with -EINVAL and a message that holds NEEDLE. */
static void expect_error(char **argv, const char *needle)
{
    struct run_opts o;
    CHECK_EQ_INT(parse(&o, argv), -EINVAL);
    if (!strstr(err_msg(), needle)) {
        check_failed++;
        fprintf(stderr, "message \"%s\" lacks \"%s\"\n", err_msg(), needle);
    }
    run_opts_free(&o);
}

static void test_errors(void)
{
    ARGS(unknown, "--bogus", "img", "true");
    ARGS(no_command, "img");
    ARGS(no_image, "--ro");
    ARGS(no_value, "--name");
    ARGS(flag_value, "--ro=yes", "img", "true");
    ARGS(bad_name, "--name", "bad/name", "img", "true");
    ARGS(dash_name, "--name", "-x", "img", "true");
    ARGS(bad_env, "--env", "NOVALUE", "img", "true");
    ARGS(rel_workdir, "--workdir", "relative", "img", "true");
    ARGS(bad_user, "--user", "a:b:c", "img", "true");
    ARGS(bad_net, "--net", "bridge", "img", "true");
    expect_error(unknown, "--bogus");
    expect_error(no_command, "no COMMAND");
    expect_error(no_image, "no IMAGE");
    expect_error(no_value, "needs a value");
    expect_error(flag_value, "takes no value");
    expect_error(bad_name, "bad/name");
    expect_error(dash_name, "-x");
    expect_error(bad_env, "KEY=VALUE");
    expect_error(rel_workdir, "absolute");
    expect_error(bad_user, "UID[:GID]");
    expect_error(bad_net, "--net");
}

static void test_bind_specs(void)
{
    struct bind_spec b;
    CHECK_EQ_INT(cli_parse_bind("/a:/b", &b), 0);
    CHECK(!b.ro);
    free((char *)b.src);
    free((char *)b.dst);
    CHECK_EQ_INT(cli_parse_bind("/a:/b:rw", &b), 0);
    free((char *)b.src);
    free((char *)b.dst);
    CHECK_EQ_INT(cli_parse_bind("/a", &b), -EINVAL);
    CHECK_EQ_INT(cli_parse_bind(":/b", &b), -EINVAL);
    CHECK_EQ_INT(cli_parse_bind("/a:", &b), -EINVAL);
    CHECK_EQ_INT(cli_parse_bind("/a:/b:rx", &b), -EINVAL);
    CHECK_EQ_INT(cli_parse_bind("/a:b", &b), -EINVAL);
    CHECK_EQ_INT(cli_parse_bind("/a:/b/../../etc", &b), -EINVAL);
    CHECK_EQ_INT(cli_parse_bind("/a:/b..c", &b), 0); /* ".." inside a name is fine */
    free((char *)b.src);
    free((char *)b.dst);
}

static void test_help(void)
{
    struct run_opts o;
    ARGS(long_help, "--help");
    ARGS(short_help, "-h", "img");
    CHECK_EQ_INT(parse(&o, long_help), 1);
    run_opts_free(&o);
    CHECK_EQ_INT(parse(&o, short_help), 1);
    run_opts_free(&o);
}

int main(void)
{
    devnull = fopen("/dev/null", "w");
    test_minimal();
    test_all_options();
    test_command_options_are_not_ours();
    test_errors();
    test_bind_specs();
    test_help();
    fclose(devnull);
    return check_summary("test_cli");
}
