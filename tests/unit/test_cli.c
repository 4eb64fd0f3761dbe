/* Unit tests of the command line parser: no side effects, so no root needed. */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "caps.h"
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

static void test_image_options(void)
{
    struct run_opts o;
    ARGS(a, "--entrypoint", "", "--overlay", "tmpfs", "--tmpfs", "/run",
         "--tmpfs", "/scratch:size=1m,mode=700,exec", "img");
    CHECK_EQ_INT(parse(&o, a), 0);
    CHECK_EQ_STR(o.entrypoint, "");
    CHECK_EQ_STR(o.overlay, "tmpfs");
    CHECK_EQ_INT(o.n_tmpfs, 2);
    CHECK_EQ_STR(o.tmpfs[0].dst, "/run");
    CHECK_EQ_STR(o.tmpfs[0].data, "mode=1777");
    CHECK(!o.tmpfs[0].exec);
    CHECK_EQ_STR(o.tmpfs[1].data, "mode=700,size=1048576");
    CHECK(o.tmpfs[1].exec);
    run_opts_free(&o);
    ARGS(ov_rel, "--overlay", "rel/dir", "img", "true");
    ARGS(t_root, "--tmpfs", "/", "img", "true");
    ARGS(t_rel, "--tmpfs", "run", "img", "true");
    ARGS(t_opt, "--tmpfs", "/run:uid=0", "img", "true");
    ARGS(t_mode, "--tmpfs", "/run:mode=999", "img", "true");
    ARGS(t_size, "--tmpfs", "/run:size=lots", "img", "true");
    ARGS(t_wrap, "--tmpfs", "/run:size=99999999999999999999g", "img", "true");
    expect_error(ov_rel, "--overlay");
    expect_error(t_root, "cannot be /");
    expect_error(t_rel, "--tmpfs");
    expect_error(t_opt, "unknown option 'uid=0'");
    expect_error(t_mode, "octal");
    expect_error(t_size, "size");
    expect_error(t_wrap, "size");
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
    /* No command: the image's config gives it (checked inside, where the image is). */
    {
        struct run_opts o;
        CHECK_EQ_INT(parse(&o, no_command), 0);
        CHECK(o.argv == NULL);
        run_opts_free(&o);
    }
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

static void test_net_options(void)
{
    struct run_opts o;
    ARGS(a, "--ip", "10.0.0.2/24", "--host-ip", "10.0.0.1/24", "--ip", "fd00::2/64", "--veth",
         "hw0", "--mtu", "1400", "img", "true");
    CHECK_EQ_INT(parse(&o, a), 0);
    CHECK(o.net == NET_VETH); /* implied by the veth options */
    CHECK_EQ_INT(o.veth.ip[0].prefix, 24);
    CHECK_EQ_INT(o.veth.ip[1].family, 10 /* AF_INET6 */);
    CHECK_EQ_INT(o.veth.host_ip[0].family, 2 /* AF_INET */);
    CHECK_EQ_INT(o.veth.host_ip[1].family, 0);
    CHECK_EQ_STR(o.veth.host_name, "hw0");
    CHECK_EQ_INT(o.veth.mtu, 1400);
    run_opts_free(&o);

    ARGS(b, "--net", "veth", "--bridge", "br0", "--ip", "10.0.0.2/24", "--gateway", "10.0.0.1",
         "img", "true");
    CHECK_EQ_INT(parse(&o, b), 0);
    CHECK_EQ_STR(o.veth.bridge, "br0");
    CHECK_EQ_INT(o.veth.gateway[0].family, 2);
    run_opts_free(&o);

    ARGS(bare, "--net", "veth", "img", "true"); /* eth0 up, no address: DHCP from inside */
    CHECK_EQ_INT(parse(&o, bare), 0);
    run_opts_free(&o);
}

static void test_net_errors(void)
{
    ARGS(two_v4, "--ip", "10.0.0.2/24", "--ip", "10.0.0.3/24", "img", "true");
    ARGS(bridge_and_host, "--bridge", "br0", "--host-ip", "10.0.0.1/24", "img", "true");
    ARGS(other_net, "--ip", "10.0.0.2/24", "--host-ip", "10.0.1.1/24", "img", "true");
    ARGS(same_addr, "--ip", "10.0.0.2/24", "--host-ip", "10.0.0.2/24", "img", "true");
    ARGS(gw_no_ip, "--net", "veth", "--gateway", "10.0.0.1", "img", "true");
    ARGS(none_with_ip, "--net", "none", "--ip", "10.0.0.2/24", "img", "true");
    ARGS(long_veth, "--veth", "sixteen-chars-xx", "img", "true");
    ARGS(slash_veth, "--veth", "a/b", "img", "true");
    ARGS(mtu_low, "--mtu", "67", "img", "true");
    ARGS(mtu_text, "--mtu", "big", "img", "true");
    ARGS(bad_mode, "--net", "bridged", "img", "true");
    expect_error(two_v4, "one IPv4 and one IPv6");
    expect_error(bridge_and_host, "exclude each other");
    expect_error(other_net, "outside the container's network");
    expect_error(same_addr, "are both");
    expect_error(gw_no_ip, "needs an --ip");
    expect_error(none_with_ip, "need --net veth");
    expect_error(long_veth, "1 to 15 bytes");
    expect_error(slash_veth, "not a valid interface name");
    expect_error(mtu_low, "68 to 65535");
    expect_error(mtu_text, "68 to 65535");
    expect_error(bad_mode, "none, host, veth, macvlan:PARENT[:MODE]");
}

/* The board's network: macvlan, ipvlan, dev; and what only veth takes. */
static void test_lan_options(void)
{
    struct run_opts o;
    ARGS(a, "--net", "macvlan:eth1", "--ip", "192.168.1.50/24", "--gateway", "192.168.1.1",
         "img", "true");
    CHECK_EQ_INT(parse(&o, a), 0);
    CHECK(o.net == NET_MACVLAN);
    CHECK_EQ_STR(o.veth.parent, "eth1");
    CHECK_EQ_INT(o.veth.lan_mode, 4 /* MACVLAN_MODE_BRIDGE */);
    CHECK_EQ_INT(o.veth.gateway[0].family, 2);
    run_opts_free(&o);
    const char *modes[] = {"private", "vepa", "passthru"};
    const int values[] = {1, 2, 8};
    for (int i = 0; i < 3; i++) {
        char spec[64];
        snprintf(spec, sizeof spec, "macvlan:lan0:%s", modes[i]);
        ARGS(m, "--net", spec, "img", "true");
        CHECK_EQ_INT(parse(&o, m), 0);
        CHECK_EQ_INT(o.veth.lan_mode, values[i]);
        CHECK_EQ_STR(o.veth.parent, "lan0");
        run_opts_free(&o);
    }
    ARGS(ipv, "--net", "ipvlan:eth0:l3", "--ip", "10.9.0.5/24", "img", "true");
    CHECK_EQ_INT(parse(&o, ipv), 0);
    CHECK(o.net == NET_IPVLAN);
    CHECK_EQ_INT(o.veth.lan_mode, 1 /* IPVLAN_MODE_L3 */);
    run_opts_free(&o);
    ARGS(ipv2, "--net", "ipvlan:eth0", "img", "true");
    CHECK_EQ_INT(parse(&o, ipv2), 0);
    CHECK_EQ_INT(o.veth.lan_mode, 0 /* IPVLAN_MODE_L2 */);
    run_opts_free(&o);
    ARGS(dev, "--net", "dev:usb0", "--ip", "10.0.5.2/24", "img", "true");
    CHECK_EQ_INT(parse(&o, dev), 0);
    CHECK(o.net == NET_DEV);
    CHECK_EQ_STR(o.veth.parent, "usb0");
    run_opts_free(&o);

    ARGS(no_parent, "--net", "macvlan:", "img", "true");
    ARGS(long_parent, "--net", "macvlan:sixteen-chars-xx", "img", "true");
    ARGS(bad_mvmode, "--net", "macvlan:eth0:bridged", "img", "true");
    ARGS(bad_ipmode, "--net", "ipvlan:eth0:l4", "img", "true");
    ARGS(dev_mode, "--net", "dev:usb0:up", "img", "true");
    ARGS(slash_parent, "--net", "dev:a/b", "img", "true");
    ARGS(host_ip, "--net", "macvlan:eth0", "--host-ip", "10.0.0.1/24", "img", "true");
    ARGS(bridge, "--net", "ipvlan:eth0", "--bridge", "br0", "img", "true");
    ARGS(dev_mtu, "--net", "dev:usb0", "--mtu", "1400", "img", "true");
    ARGS(pub_lan, "--net", "macvlan:eth0", "--ip", "10.0.0.2/24", "-p", "80:80", "img", "true");
    expect_error(no_parent, "with an interface name");
    expect_error(long_parent, "with an interface name");
    expect_error(bad_mvmode, "bridge, private, vepa or passthru");
    expect_error(bad_ipmode, "l2, l3 or l3s");
    expect_error(dev_mode, "takes no mode");
    expect_error(slash_parent, "not a valid interface name");
    expect_error(host_ip, "are for --net veth");
    expect_error(bridge, "are for --net veth");
    expect_error(dev_mtu, "not --net dev");
    expect_error(pub_lan, "--publish needs --net veth");
}

static void test_publish_and_names(void)
{
    struct publish_spec p;
    CHECK_EQ_INT(cli_parse_publish("8080:80", &p), 0);
    CHECK_EQ_INT(p.host_port, 8080);
    CHECK_EQ_INT(p.port, 80);
    CHECK_EQ_INT(p.proto, 6 /* IPPROTO_TCP */);
    CHECK_EQ_INT(p.host.family, 0);
    CHECK_EQ_INT(cli_parse_publish("127.0.0.1:5353:53/udp", &p), 0);
    CHECK_EQ_INT(p.host.family, 2);
    CHECK_EQ_INT(p.proto, 17 /* IPPROTO_UDP */);
    CHECK_EQ_INT(p.host_port, 5353);
    CHECK_EQ_INT(cli_parse_publish("[::1]:8443:443/tcp", &p), 0);
    CHECK_EQ_INT(p.host.family, 10);
    CHECK_EQ_INT(p.port, 443);
    const char *bad[] = {"80", "0:80", "80:0", "65536:80", "80:65536", "80:80/sctp",
                         "::1:80:80", "[::1]80:80", "[10.0.0.1]:80:80", "host:80:80",
                         "80:80:80", " 80:80", "80:-1", "18446744073709551696:80", ""};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        err_clear();
        CHECK(cli_parse_publish(bad[i], &p) == -EINVAL);
        CHECK(*err_msg() != '\0');
    }
    struct run_opts o;
    ARGS(a, "--ip", "10.0.0.2/24", "--host-ip", "10.0.0.1/24", "-p", "8080:80", "--publish",
         "127.0.0.1:5353:53/udp", "--dns", "10.0.0.1", "--dns", "fd00::1", "--dns-search",
         "lan.example", "--add-host", "db:10.0.0.9", "--add-host", "v6:fd00::9", "img", "true");
    CHECK_EQ_INT(parse(&o, a), 0);
    CHECK_EQ_INT(o.n_publish, 2);
    CHECK_EQ_INT(o.n_dns, 2);
    CHECK_EQ_INT(o.dns[1].family, 10);
    CHECK_EQ_INT(o.n_dns_search, 1);
    CHECK_EQ_STR(o.dns_search[0], "lan.example");
    CHECK_EQ_INT(o.n_add_hosts, 2);
    CHECK_EQ_STR(o.add_hosts[0].name, "db");
    CHECK_EQ_INT(o.add_hosts[1].addr.family, 10);
    run_opts_free(&o);

    ARGS(dual, "--ip", "10.0.0.2/24", "--ip", "fd00::2/64", "-p", "80:80", "-p", "[::]:80:80",
         "img", "true");
    CHECK_EQ_INT(parse(&o, dual), 0); /* 0.0.0.0:80 and [::]:80 are two listeners */
    run_opts_free(&o);
    ARGS(no_v6, "--ip", "10.0.0.2/24", "-p", "[::]:80:80", "img", "true");
    ARGS(twice, "--ip", "10.0.0.2/24", "-p", "80:80", "-p", "80:81", "img", "true");
    ARGS(no_ip, "--net", "veth", "-p", "80:80", "img", "true");
    ARGS(none, "-p", "80:80", "img", "true");
    ARGS(dns_prefix, "--dns", "10.0.0.1/24", "img", "true");
    ARGS(dns_name, "--dns", "ns.example", "img", "true");
    ARGS(host_space, "--add-host", "a b:10.0.0.1", "img", "true");
    ARGS(host_nl, "--add-host", "a\nb:10.0.0.1", "img", "true");
    ARGS(host_noaddr, "--add-host", "db:", "img", "true");
    ARGS(host_noname, "--add-host", ":10.0.0.1", "img", "true");
    ARGS(search_space, "--dns-search", "a b", "img", "true");
    expect_error(no_v6, "no --ip of IPv6");
    expect_error(twice, "given twice");
    expect_error(no_ip, "no --ip of IPv4");
    expect_error(none, "--publish needs --net veth");
    expect_error(dns_prefix, "--dns");
    expect_error(dns_name, "--dns");
    expect_error(host_space, "--add-host");
    expect_error(host_nl, "--add-host");
    expect_error(host_noaddr, "--add-host");
    expect_error(host_noname, "NAME:ADDR");
    expect_error(search_space, "--dns-search");
}

static void test_limits_and_caps(void)
{
    struct run_opts o;
    ARGS(a, "-m", "64M", "--pids", "50", "--cpus", "0.5", "--cpuset", "0-1", "--cap-add", "NET_ADMIN",
         "--cap-drop", "mknod", "img", "true");
    CHECK_EQ_INT(parse(&o, a), 0);
    CHECK_EQ_INT(o.limits.memory, 64 << 20);
    CHECK_EQ_INT(o.limits.pids, 50);
    CHECK_EQ_INT(o.limits.cpu_quota_us, 50000);
    CHECK_EQ_STR(o.limits.cpuset, "0-1");
    CHECK(o.caps & CAPS_BIT(12));
    CHECK(!(o.caps & CAPS_BIT(27)));
    CHECK(o.caps & CAPS_BIT(0));
    CHECK(!o.privileged && !o.seccomp_off && !o.caps_all);
    run_opts_free(&o);

    ARGS(b, "--cap-drop", "ALL", "--cap-add", "NET_BIND_SERVICE", "--cpus", "2", "--memory", "1g",
         "--seccomp", "unconfined", "img", "true");
    CHECK_EQ_INT(parse(&o, b), 0);
    CHECK_EQ_INT(o.caps, CAPS_BIT(10));
    CHECK_EQ_INT(o.limits.cpu_quota_us, 200000);
    CHECK_EQ_INT(o.limits.memory, (uint64_t)1 << 30);
    CHECK(o.seccomp_off);
    run_opts_free(&o);

    ARGS(c, "--cap-add", "ALL", "--cap-drop", "SYS_ADMIN", "--cpus", "1.25", "img", "true");
    CHECK_EQ_INT(parse(&o, c), 0);
    CHECK_EQ_INT(o.caps, CAPS_ALL_KNOWN & ~CAPS_BIT(21));
    CHECK(o.caps_all); /* narrowed to hutch's own set when it runs */
    CHECK_EQ_INT(o.limits.cpu_quota_us, 125000);
    run_opts_free(&o);

    ARGS(d, "--privileged", "img", "true");
    CHECK_EQ_INT(parse(&o, d), 0);
    CHECK(o.privileged && o.caps == CAPS_ALL_KNOWN && o.caps_all);
    run_opts_free(&o);
}

static void test_limit_errors(void)
{
    ARGS(mem_text, "--memory", "lots", "img", "true");
    ARGS(mem_small, "--memory", "1M", "img", "true");
    ARGS(mem_suffix, "--memory", "64X", "img", "true");
    ARGS(pids_zero, "--pids", "0", "img", "true");
    ARGS(cpus_zero, "--cpus", "0", "img", "true");
    ARGS(cpus_neg, "--cpus", "-1", "img", "true");
    ARGS(cpus_prec, "--cpus", "0.125", "img", "true");
    ARGS(cpuset_bad, "--cpuset", "1-0", "img", "true");
    ARGS(cap_bad, "--cap-add", "NET_FOO", "img", "true");
    ARGS(seccomp_bad, "--seccomp", "strict", "img", "true");
    expect_error(mem_text, "expected a size");
    expect_error(mem_small, "at least 4 MiB");
    expect_error(mem_suffix, "expected a size");
    expect_error(pids_zero, "from 1");
    expect_error(cpus_zero, "from 0.01");
    expect_error(cpus_neg, "from 0.01");
    expect_error(cpus_prec, "from 0.01");
    expect_error(cpuset_bad, "CPU list");
    expect_error(cap_bad, "unknown capability");
    expect_error(seccomp_bad, "default or unconfined");
}

static void test_split_words(void)
{
    char **w;
    CHECK_EQ_INT(cli_split_words("  sh -c 'echo a  b' \"x \\\"y\\\"\" z\\ w  ", &w), 0);
    CHECK_EQ_STR(w[0], "sh");
    CHECK_EQ_STR(w[1], "-c");
    CHECK_EQ_STR(w[2], "echo a  b");
    CHECK_EQ_STR(w[3], "x \"y\"");
    CHECK_EQ_STR(w[4], "z w");
    CHECK(w[5] == NULL);
    free(w);
    CHECK_EQ_INT(cli_split_words("", &w), 0);
    CHECK(w[0] == NULL);
    free(w);
    CHECK_EQ_INT(cli_split_words("a'b'c\"d\"", &w), 0);
    CHECK_EQ_STR(w[0], "abcd");
    free(w);
    CHECK_EQ_INT(cli_split_words("echo 'open", &w), -EINVAL);
    CHECK_EQ_INT(cli_split_words("echo \"open", &w), -EINVAL);
}

static void test_signals(void)
{
    CHECK_EQ_INT(cli_parse_signal("TERM"), 15);
    CHECK_EQ_INT(cli_parse_signal("sigterm"), 15);
    CHECK_EQ_INT(cli_parse_signal("KILL"), 9);
    CHECK_EQ_INT(cli_parse_signal("HUP"), 1);
    CHECK_EQ_INT(cli_parse_signal("10"), 10);
    CHECK_EQ_INT(cli_parse_signal("0"), -EINVAL);
    CHECK_EQ_INT(cli_parse_signal("65"), -EINVAL);
    CHECK_EQ_INT(cli_parse_signal("FOO"), -EINVAL);
}

static void test_ctl_and_exec(void)
{
    struct ctl_opts c;
    ARGS(kill_args, "web", "HUP");
    CHECK_EQ_INT(cli_parse_ctl("kill", 2, kill_args, &c, devnull), 0);
    CHECK_EQ_STR(c.name, "web");
    CHECK_EQ_INT(c.signal, 1);
    ARGS(kill_default, "web");
    CHECK_EQ_INT(cli_parse_ctl("kill", 1, kill_default, &c, devnull), 0);
    CHECK_EQ_INT(c.signal, 9);
    ARGS(stop_args, "-t", "3", "web");
    CHECK_EQ_INT(cli_parse_ctl("stop", 3, stop_args, &c, devnull), 0);
    CHECK_EQ_INT(c.timeout, 3);
    ARGS(list_args, "--quiet");
    CHECK_EQ_INT(cli_parse_ctl("list", 1, list_args, &c, devnull), 0);
    CHECK(c.quiet);
    ARGS(too_many, "web", "extra");
    CHECK_EQ_INT(cli_parse_ctl("stop", 2, too_many, &c, devnull), -EINVAL);
    CHECK_EQ_INT(cli_parse_ctl("wait", 0, too_many, &c, devnull), -EINVAL);
    ARGS(bad_name, "../x");
    CHECK_EQ_INT(cli_parse_ctl("inspect", 1, bad_name, &c, devnull), -EINVAL);

    struct exec_opts e;
    ARGS(exec_args, "-e", "A=1", "--workdir", "/tmp", "-u", "1000", "web", "ls", "-l");
    CHECK_EQ_INT(cli_parse_exec(9, exec_args, &e, devnull), 0);
    CHECK_EQ_STR(e.name, "web");
    CHECK_EQ_STR(e.argv[0], "ls");
    CHECK_EQ_STR(e.argv[1], "-l");
    CHECK_EQ_INT(e.n_env, 1);
    CHECK_EQ_STR(e.workdir, "/tmp");
    CHECK_EQ_STR(e.user, "1000");
    exec_opts_free(&e);
    ARGS(exec_noname, "-e", "A=1");
    CHECK_EQ_INT(cli_parse_exec(2, exec_noname, &e, devnull), -EINVAL);
    exec_opts_free(&e);
    ARGS(exec_nocmd, "web");
    CHECK_EQ_INT(cli_parse_exec(1, exec_nocmd, &e, devnull), -EINVAL);
    exec_opts_free(&e);
}

static void test_config_file(void)
{
    char path[] = "/tmp/hutch-test-config.XXXXXX";
    int fd = mkstemp(path);
    FILE *f = fdopen(fd, "w");
    fputs("# comment\n\nimage = /img.sqfs\ncommand = sh -c \"echo hi\"\nmemory = 64M\n"
          "env = A=1\nro = yes\nno-init = false\nhostname = 'from-file'\n", f);
    fclose(f);
    struct run_opts o;
    ARGS(a, "--config", path, "--hostname", "from-cli", "-e", "B=2");
    CHECK_EQ_INT(parse(&o, a), 0);
    CHECK_EQ_STR(o.image, "/img.sqfs");
    CHECK_EQ_STR(o.argv[0], "sh");
    CHECK_EQ_STR(o.argv[2], "echo hi");
    CHECK_EQ_INT(o.limits.memory, 64 << 20);
    CHECK(o.ro && !o.no_init);
    CHECK_EQ_STR(o.hostname, "from-cli"); /* the command line wins */
    CHECK_EQ_INT(o.n_env, 2);             /* repeatable options add up */
    run_opts_free(&o);
    /* IMAGE and COMMAND on the command line replace the file's */
    ARGS(b, "--config", path, "/other.ext4", "true");
    CHECK_EQ_INT(parse(&o, b), 0);
    CHECK_EQ_STR(o.image, "/other.ext4");
    CHECK_EQ_STR(o.argv[0], "true");
    run_opts_free(&o);

    f = fopen(path, "a");
    fputs("memory = lots\n", f);
    fclose(f);
    ARGS(c, "--config", path);
    expect_error(c, ":10: --memory 'lots'");
    f = fopen(path, "w");
    fputs("frobnicate = 1\n", f);
    fclose(f);
    expect_error(c, ":1: unknown key 'frobnicate'");
    unlink(path);
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

static void test_terminals_devices_clusters(void)
{
    struct run_opts o;
    /* Docker's -it, -dit, and a cluster ending in a flag with a value */
    ARGS(it, "-it", "img", "sh");
    CHECK_EQ_INT(parse(&o, it), 0);
    CHECK(o.tty && !o.detach);
    CHECK_EQ_STR(o.image, "img");
    run_opts_free(&o);
    ARGS(dit, "-dit", "--name", "x", "img", "sh");
    CHECK_EQ_INT(parse(&o, dit), 0);
    CHECK(o.tty && o.detach);
    run_opts_free(&o);
    ARGS(de, "-de", "A=1", "-deB=2", "img", "sh");
    CHECK_EQ_INT(parse(&o, de), 0);
    CHECK(o.detach);
    CHECK_EQ_INT(o.n_env, 2);
    if (o.n_env == 2) {
        CHECK_EQ_STR(o.env[0], "A=1");
        CHECK_EQ_STR(o.env[1], "B=2");
    }
    run_opts_free(&o);
    ARGS(bad_cluster, "-tx", "img", "sh");
    expect_error(bad_cluster, "'-x' in '-tx'");
    /* --device */
    ARGS(dev, "--device", "/dev/ttyS1", "--device=/dev/i2c-1:/dev/i2c:rw", "img", "sh");
    CHECK_EQ_INT(parse(&o, dev), 0);
    CHECK_EQ_INT(o.n_devices, 2);
    run_opts_free(&o);
    ARGS(bad_dev, "--device", "/dev/ttyS1:rwx", "img", "sh");
    expect_error(bad_dev, "--device '/dev/ttyS1:rwx'");
    /* exec -t */
    struct exec_opts e;
    ARGS(exec_t, "-ti", "web", "sh");
    CHECK_EQ_INT(cli_parse_exec(3, exec_t, &e, devnull), 0);
    CHECK(e.tty);
    CHECK_EQ_STR(e.name, "web");
    exec_opts_free(&e);
}

static void test_numbers_do_not_wrap(void)
{
    ARGS(uid, "--user", "4294967296", "img", "true");
    ARGS(uid_max, "--user", "4294967295", "img", "true");
    ARGS(gid, "--user", "0:4294967296", "img", "true");
    ARGS(huge, "--user", "99999999999999999999999", "img", "true");
    ARGS(long_name, "--user", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "img", "true");
    expect_error(uid, "0 to 4294967294");
    expect_error(uid_max, "0 to 4294967294");
    expect_error(gid, "0 to 4294967294");
    expect_error(huge, "0 to 4294967294");
    expect_error(long_name, "at most 64");
    struct run_opts o;
    ARGS(ok, "--user", "4294967294:4294967294", "img", "true");
    CHECK_EQ_INT(parse(&o, ok), 0);
    run_opts_free(&o);
    ARGS(mtu, "--mtu", "18446744073709551684", "img", "true");
    expect_error(mtu, "--mtu");
    ARGS(pids, "--pids", "4294967297", "img", "true");
    expect_error(pids, "--pids");
    ARGS(cpus, "--cpus", "18446744073709551617", "img", "true");
    expect_error(cpus, "--cpus");
    ARGS(mem, "--memory", "17179869184G", "img", "true");
    expect_error(mem, "--memory");
    ARGS(map, "--uidmap", "4294967295:100000:2", "img", "true");
    expect_error(map, "below 2^32");
    ARGS(map2, "--uidmap", "0:4294967295:2", "img", "true");
    expect_error(map2, "below 2^32");
    /* each value above 2^32 on its own, summing to a wrap in 64 bits */
    ARGS(map3, "--uidmap", "18446744069414584320:18446744069414584320:4294967297", "img", "true");
    expect_error(map3, "below 2^32");
    ARGS(root_bind, "--bind", "/tmp:/", "img", "true");
    expect_error(root_bind, "cannot be /");
    ARGS(root_bind2, "--bind", "/tmp://", "img", "true");
    expect_error(root_bind2, "cannot be /");
    ARGS(restart, "--restart", "on-failure:0", "img", "true");
    expect_error(restart, "on-failure[:N]");
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
    test_image_options();
    test_bind_specs();
    test_net_options();
    test_net_errors();
    test_lan_options();
    test_publish_and_names();
    test_limits_and_caps();
    test_split_words();
    test_signals();
    test_ctl_and_exec();
    test_config_file();
    test_limit_errors();
    test_help();
    test_terminals_devices_clusters();
    test_numbers_do_not_wrap();
    fclose(devnull);
    return check_summary("test_cli");
}
