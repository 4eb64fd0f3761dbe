/* Unit tests of address parsing and formatting, and the host end's default name. */
#include <arpa/inet.h>
#include <errno.h>

#include "addr.h"
#include "check.h"
#include "err.h"
#include "net.h"

static void test_parse_v4(void)
{
    struct ip_addr a;
    char buf[ADDR_STRLEN];
    CHECK_EQ_INT(addr_parse("--ip", "10.0.0.2/24", true, &a), 0);
    CHECK_EQ_INT(a.family, AF_INET);
    CHECK_EQ_INT(a.prefix, 24);
    CHECK_EQ_STR(addr_format(&a, buf), "10.0.0.2/24");
    CHECK_EQ_INT(addr_parse("--gateway", "10.0.0.1", false, &a), 0);
    CHECK_EQ_INT(a.prefix, -1);
    CHECK_EQ_STR(addr_format(&a, buf), "10.0.0.1");
}

static void test_parse_v6(void)
{
    struct ip_addr a;
    char buf[ADDR_STRLEN];
    CHECK_EQ_INT(addr_parse("--ip", "fd00::2/64", true, &a), 0);
    CHECK_EQ_INT(a.family, AF_INET6);
    CHECK_EQ_INT(addr_slot(a.family), 1);
    CHECK_EQ_STR(addr_format(&a, buf), "fd00::2/64");
    CHECK_EQ_INT(addr_parse("--ip", "fd00::2/128", true, &a), 0);
    CHECK_EQ_INT(addr_parse("--ip", "fd00::2/129", true, &a), -EINVAL);
}

static void test_parse_errors(void)
{
    struct ip_addr a;
    const char *bad_with_prefix[] = {"10.0.0.2", "10.0.0.2/", "10.0.0.2/0", "10.0.0.2/33",
                                     "10.0.0.256/24", "/24", "10.0.0.2/24x", "host/24", ""};
    for (size_t i = 0; i < sizeof bad_with_prefix / sizeof *bad_with_prefix; i++) {
        err_clear();
        CHECK_EQ_INT(addr_parse("--ip", bad_with_prefix[i], true, &a), -EINVAL);
        CHECK(strstr(err_msg(), "--ip") != NULL);
    }
    CHECK_EQ_INT(addr_parse("--gateway", "10.0.0.1/24", false, &a), -EINVAL);
}

static void test_same_net(void)
{
    struct ip_addr a, b, c, v6;
    addr_parse("a", "10.0.0.2/24", true, &a);
    addr_parse("b", "10.0.0.1", false, &b);
    addr_parse("c", "10.0.1.1", false, &c);
    addr_parse("v6", "fd00::1", false, &v6);
    CHECK(addr_same_net(&a, &b));
    CHECK(!addr_same_net(&a, &c));
    CHECK(!addr_same_net(&a, &v6));
    a.prefix = 23;
    CHECK(addr_same_net(&a, &c));
    a.prefix = 20;
    CHECK(addr_same_net(&a, &c));
    CHECK(addr_equal(&b, &b) && !addr_equal(&b, &c));
}

static void test_veth_default_name(void)
{
    char n[IFNAME_MAX + 1];
    net_veth_default_name("web", n);
    CHECK_EQ_STR(n, "hutch-web");
    net_veth_default_name("hutch-4242", n);
    CHECK_EQ_STR(n, "hutch-4242");
    net_veth_default_name("a-very-long-container-name", n);
    CHECK_EQ_INT(strlen(n), 15);
    CHECK_EQ_STR(n, "hutch-a-very-lo");
    net_veth_default_name("hutch-a-very-long-default-name", n);
    CHECK_EQ_INT(strlen(n), 15);
}

int main(void)
{
    test_parse_v4();
    test_parse_v6();
    test_parse_errors();
    test_same_net();
    test_veth_default_name();
    return check_summary("test_addr");
}
