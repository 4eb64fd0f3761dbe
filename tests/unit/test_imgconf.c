/* Unit tests of the image config (/.hutch/image.conf): parsing a hostile file, and Docker's rules
 * for laying the command line over it. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>

#include "check.h"
#include "err.h"
#include "imgconf.h"

static int parse(const char *text, struct image_conf *ic)
{
    err_clear();
    return imgconf_parse(text, strlen(text), ic);
}

static void test_parse(void)
{
    struct image_conf ic;
    const char *good = "# made by hutch-image\n"
                       "arch = amd64\n"
                       "entrypoint = '/bin/sh' '-c' 'echo \"$0\" it'\\''s'\n"
                       "cmd = 'a b' c\n"
                       "env = \"PATH=/usr/bin:/bin\"\n"
                       "env = \"Q=\"quoted\" inside\"\n"
                       "  workdir   =   \"/srv\"  \n"
                       "user = \"app:app\"\n"
                       "stop-signal = \"SIGQUIT\"\n"
                       "label = \"x=y\"\n"
                       "expose = \"8080/tcp\"\n"
                       "volume = \"/data\"\n";
    CHECK_EQ_INT(parse(good, &ic), 0);
    CHECK_EQ_STR(ic.arch, "amd64");
    CHECK(ic.entrypoint && ic.entrypoint[3] == NULL);
    CHECK_EQ_STR(ic.entrypoint[0], "/bin/sh");
    CHECK_EQ_STR(ic.entrypoint[2], "echo \"$0\" it's");
    CHECK_EQ_STR(ic.cmd[0], "a b");
    CHECK_EQ_STR(ic.cmd[1], "c");
    CHECK_EQ_INT(ic.n_env, 2);
    CHECK_EQ_STR(ic.env[1], "Q=\"quoted\" inside");
    CHECK_EQ_STR(ic.workdir, "/srv");
    CHECK_EQ_STR(ic.user, "app:app");
    CHECK_EQ_INT(ic.stop_signal, SIGQUIT);
    CHECK_EQ_INT(ic.n_labels, 1);
    CHECK_EQ_INT(ic.n_expose, 1);
    CHECK_EQ_STR(ic.volumes[0], "/data");
    imgconf_free(&ic);

    /* An empty entrypoint is given, and empty. */
    CHECK_EQ_INT(parse("entrypoint =\n", &ic), 0);
    CHECK(ic.entrypoint && ic.entrypoint[0] == NULL && ic.cmd == NULL);
    imgconf_free(&ic);

    /* The image may not set hutch run's options: each refused, naming the key and the line. */
    static const char *const refused[] = {"privileged = true\n", "bind = /:/host\n",
                                          "cap-add = ALL\n", "seccomp = unconfined\n",
                                          "image = /other\n", "command = sh\n", "net = host\n",
                                          "device = /dev/sda\n"};
    for (size_t i = 0; i < sizeof refused / sizeof *refused; i++) {
        CHECK_EQ_INT(parse(refused[i], &ic), -EINVAL);
        CHECK(strstr(err_msg(), "unknown key") && strstr(err_msg(), ":1"));
        imgconf_free(&ic);
    }
    CHECK_EQ_INT(parse("env = A=1\n\nprivileged = yes\n", &ic), -EINVAL);
    CHECK(strstr(err_msg(), "image.conf:3"));
    imgconf_free(&ic);

    /* Bad values. */
    static const char *const bad[] = {
        "workdir = relative\n", "user = a:b:c\n", "user = \"x y\"\n", "stop-signal = NOPE\n",
        "stop-signal = 99\n", "env = NOEQUALS\n", "env = =v\n", "arch = AMD64\n",
        "entrypoint = 'open\n", "cmd = a\ncmd = b\n", "workdir = /a\nworkdir = /b\n",
        "no equals sign\n"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        CHECK_EQ_INT(parse(bad[i], &ic), -EINVAL);
        imgconf_free(&ic);
    }
    /* A NUL, and a file over the limit. */
    char nul[] = "env = A=1\0privileged = true\n";
    err_clear();
    CHECK_EQ_INT(imgconf_parse(nul, sizeof nul - 1, &ic), -EINVAL);
    imgconf_free(&ic);
    size_t big = IMGCONF_MAX + 1;
    char *huge = malloc(big);
    memset(huge, '#', big);
    err_clear();
    CHECK_EQ_INT(imgconf_parse(huge, big, &ic), -EFBIG);
    imgconf_free(&ic);
    /* Too many lines of one key. */
    size_t n = 5000, len = n * 10;
    char *many = malloc(len + 1);
    for (size_t i = 0; i < n; i++)
        memcpy(many + i * 10, "env = A=1\n", 10);
    err_clear();
    CHECK_EQ_INT(imgconf_parse(many, len, &ic), -EINVAL);
    imgconf_free(&ic);
    free(many);
    free(huge);
}

static void test_apply(void)
{
    struct image_conf ic;
    struct effective e;
    CHECK_EQ_INT(parse("entrypoint = /ep x\ncmd = c1 c2\nenv = \"A=1\"\nworkdir = \"/srv\"\n"
                       "user = \"1000\"\nstop-signal = \"QUIT\"\n", &ic), 0);
    char *args[] = {"a1", NULL};
    const char *env[] = {"A=2", "B=3"};
    struct run_opts o = {.image = "img"};

    /* Nothing on the command line: entrypoint + cmd, the image's settings. */
    CHECK_EQ_INT(imgconf_apply(&ic, &o, &e), 0);
    CHECK_EQ_STR(e.argv[0], "/ep");
    CHECK_EQ_STR(e.argv[2], "c1");
    CHECK(e.argv[4] == NULL);
    CHECK_EQ_STR(e.workdir, "/srv");
    CHECK_EQ_STR(e.user, "1000");
    CHECK_EQ_INT(e.stop_signal, SIGQUIT);
    CHECK_EQ_INT(e.cmd_from, FROM_IMAGE);
    char line[256];
    imgconf_origins(&e, line, sizeof line);
    CHECK_EQ_STR(line, "entrypoint=image cmd=image env=image workdir=image user=image "
                       "stop-signal=image");
    effective_free(&e);

    /* ARGS replace cmd, the entrypoint stays; -e, -w, -u win. */
    o.argv = args;
    o.env = env;
    o.n_env = 2;
    o.workdir = "/w";
    o.user = "0";
    CHECK_EQ_INT(imgconf_apply(&ic, &o, &e), 0);
    CHECK_EQ_STR(e.argv[0], "/ep");
    CHECK_EQ_STR(e.argv[2], "a1");
    CHECK(e.argv[3] == NULL);
    CHECK_EQ_INT(e.n_env, 3);
    CHECK_EQ_STR(e.env[0], "A=1"); /* the image's first: command.c's env_add lets A=2 win */
    CHECK_EQ_STR(e.env[1], "A=2");
    CHECK_EQ_STR(e.workdir, "/w");
    CHECK_EQ_STR(e.user, "0");
    CHECK_EQ_INT(e.env_from, FROM_BOTH);
    CHECK_EQ_INT(e.user_from, FROM_COMMAND_LINE);
    effective_free(&e);

    /* --entrypoint replaces the entrypoint and drops the image's cmd (Docker's rule). */
    o.argv = NULL;
    o.entrypoint = "/bin/echo";
    CHECK_EQ_INT(imgconf_apply(&ic, &o, &e), 0);
    CHECK_EQ_STR(e.argv[0], "/bin/echo");
    CHECK(e.argv[1] == NULL);
    effective_free(&e);
    /* --entrypoint "" with no args: nothing to run. */
    o.entrypoint = "";
    err_clear();
    CHECK_EQ_INT(imgconf_apply(&ic, &o, &e), -EINVAL);
    CHECK(strstr(err_msg(), "no COMMAND"));
    o.argv = args;
    CHECK_EQ_INT(imgconf_apply(&ic, &o, &e), 0);
    CHECK_EQ_STR(e.argv[0], "a1");
    effective_free(&e);
    imgconf_free(&ic);

    /* No config: the command line alone; none at all is an error naming the config. */
    struct run_opts plain = {.image = "img", .argv = args};
    CHECK_EQ_INT(imgconf_apply(NULL, &plain, &e), 0);
    CHECK_EQ_STR(e.argv[0], "a1");
    CHECK_EQ_INT(e.stop_signal, 0);
    effective_free(&e);
    plain.argv = NULL;
    err_clear();
    CHECK_EQ_INT(imgconf_apply(NULL, &plain, &e), -EINVAL);
    CHECK(strstr(err_msg(), IMGCONF_PATH));

    /* Another architecture is refused; a variant of ours is fine. */
    char text[64];
    snprintf(text, sizeof text, "arch = %s/v8\ncmd = x\n", imgconf_this_arch());
    CHECK_EQ_INT(parse(text, &ic), 0);
    CHECK_EQ_INT(imgconf_apply(&ic, &plain, &e), 0);
    effective_free(&e);
    imgconf_free(&ic);
    CHECK_EQ_INT(parse("arch = s390x\ncmd = x\n", &ic), 0);
    err_clear();
    CHECK_EQ_INT(imgconf_apply(&ic, &plain, &e), -EINVAL);
    CHECK(strstr(err_msg(), "s390x"));
    imgconf_free(&ic);
}

int main(void)
{
    test_parse();
    test_apply();
    return check_summary("test_imgconf");
}
