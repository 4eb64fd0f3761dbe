/* Unit tests of the loop device's settings from the environment and their names in inspect. */
#include <stdlib.h>

#include "check.h"
#include "loop.h"

static void with_env(const char *loop, const char *dio)
{
    if (loop)
        setenv("HUTCH_LOOP", loop, 1);
    else
        unsetenv("HUTCH_LOOP");
    if (dio)
        setenv("HUTCH_LOOP_DIO", dio, 1);
    else
        unsetenv("HUTCH_LOOP_DIO");
}

static void test_method_from_env(void)
{
    with_env(NULL, NULL);
    CHECK_EQ_INT(loop_method_from_env(), LOOP_METHOD_AUTO);
    with_env("legacy", NULL);
    CHECK_EQ_INT(loop_method_from_env(), LOOP_METHOD_LEGACY);
    with_env("auto", "0");
    CHECK_EQ_INT(loop_method_from_env(), LOOP_METHOD_NO_DIO);
    with_env("legacy", "0");
    CHECK_EQ_INT(loop_method_from_env(), LOOP_METHOD_LEGACY | LOOP_METHOD_NO_DIO);
    /* only "0" turns direct I/O off */
    with_env(NULL, "1");
    CHECK_EQ_INT(loop_method_from_env(), LOOP_METHOD_AUTO);
    with_env(NULL, "");
    CHECK_EQ_INT(loop_method_from_env(), LOOP_METHOD_AUTO);
    with_env(NULL, "00");
    CHECK_EQ_INT(loop_method_from_env(), LOOP_METHOD_AUTO);
    with_env(NULL, NULL);
}

static void test_how(void)
{
    struct loop_dev l = {.fd = -1, .file_fd = -1};
    CHECK_EQ_STR(loop_how(&l), "LOOP_CONFIGURE");
    l.dio = true;
    CHECK_EQ_STR(loop_how(&l), "LOOP_CONFIGURE,dio");
    l.legacy = true;
    CHECK_EQ_STR(loop_how(&l), "LOOP_SET_FD,dio");
    l.dio = false;
    CHECK_EQ_STR(loop_how(&l), "LOOP_SET_FD");
}

int main(void)
{
    test_method_from_env();
    test_how();
    return check_summary("test_loop");
}
