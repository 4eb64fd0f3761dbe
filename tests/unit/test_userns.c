/* Unit tests of user namespace map parsing and defaults. */
#include <errno.h>

#include "check.h"
#include "userns.h"

static void test_parse(void)
{
    struct idmap m;
    CHECK_EQ_INT(userns_parse_map("--uidmap", "0:100000:65536", &m), 0);
    CHECK_EQ_INT(m.inside, 0);
    CHECK_EQ_INT(m.outside, 100000);
    CHECK_EQ_INT(m.count, 65536);
    const char *bad[] = {"", "0", "0:1", "0:1:", "0:1:0", "a:1:2", "0:1:2:3", "-1:0:1", "0:-1:1",
                         "0:4294967295:2", "0::1"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        CHECK_EQ_INT(userns_parse_map("--uidmap", bad[i], &m), -EINVAL);
}

static void test_defaults(void)
{
    struct idmap u, g;
    userns_default_maps(0, 0, &u, &g);
    CHECK(u.inside == 0 && u.outside == USERNS_DEFAULT_BASE && u.count == USERNS_DEFAULT_COUNT);
    CHECK(g.outside == USERNS_DEFAULT_BASE);
    userns_default_maps(1000, 100, &u, &g);
    CHECK(u.inside == 0 && u.outside == 1000 && u.count == 1);
    CHECK(g.inside == 0 && g.outside == 100 && g.count == 1);
}

int main(void)
{
    test_parse();
    test_defaults();
    return check_summary("test_userns");
}
