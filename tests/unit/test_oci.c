/* The JSON reader and the OCI config reader: exact numbers, escapes, hostile input, the fields
 * engines' configs carry, and the ones hutch refuses by name. */
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <linux/seccomp.h>

#include "check.h"
#include "caps.h"
#include "devices.h"
#include "err.h"
#include "json.h"
#include "oci_config.h"
#include "scmp.h"

static int parse(const char *text, struct json *j)
{
    err_clear();
    return json_parse(j, text, strlen(text), "t");
}

static void test_json(void)
{
    struct json j;
    CHECK_EQ_INT(parse("{\"a\": 18446744073709551615, \"b\": 18446744073709551616, "
                       "\"c\": -9223372036854775808, \"d\": 1.5, \"e\": 01, \"f\": true}", &j), 0);
    uint64_t u;
    int64_t s;
    bool b;
    CHECK_EQ_INT(json_u64(&j, json_get(&j, 0, "a"), &u), 0);
    CHECK(u == UINT64_MAX);
    CHECK_EQ_INT(json_u64(&j, json_get(&j, 0, "b"), &u), -ERANGE);
    CHECK_EQ_INT(json_i64(&j, json_get(&j, 0, "c"), &s), 0);
    CHECK(s == INT64_MIN);
    CHECK_EQ_INT(json_u64(&j, json_get(&j, 0, "c"), &u), -EINVAL);
    CHECK_EQ_INT(json_u64(&j, json_get(&j, 0, "d"), &u), -EINVAL);
    CHECK_EQ_INT(json_u64(&j, json_get(&j, 0, "e"), &u), -EINVAL);
    CHECK_EQ_INT(json_bool(&j, json_get(&j, 0, "f"), &b), 0);
    CHECK(b);
    CHECK_EQ_INT(json_get(&j, 0, "missing"), -1);
    json_free(&j);

    /* escapes: decoded, a pair to 4 bytes, \u0000 and a lone surrogate refused */
    CHECK_EQ_INT(parse("[\"a\\\"b\\\\c\\/d\\n\", \"\\u00e9\\ud83d\\ude00\", \"x\\u0000y\", "
                       "\"\\udc00\"]", &j), 0);
    char *v;
    int k = json_first(&j, 0);
    CHECK_EQ_INT(json_string(&j, k, &v), 0);
    CHECK_EQ_STR(v, "a\"b\\c/d\n");
    free(v);
    k = json_skip(&j, k);
    CHECK_EQ_INT(json_string(&j, k, &v), 0);
    CHECK_EQ_STR(v, "\xc3\xa9\xf0\x9f\x98\x80");
    free(v);
    k = json_skip(&j, k);
    CHECK_EQ_INT(json_string(&j, k, &v), -EINVAL);
    k = json_skip(&j, k);
    CHECK_EQ_INT(json_string(&j, k, &v), -EINVAL);
    json_free(&j);

    /* nesting: skip lands on the next key */
    CHECK_EQ_INT(parse("{\"a\": {\"x\": [1, {\"y\": 2}]}, \"b\": \"B\"}", &j), 0);
    CHECK(json_eq(&j, json_get(&j, 0, "b"), "B"));
    CHECK_EQ_INT(json_count(&j, 0), 2);
    json_free(&j);

    /* not JSON: a message, no tokens */
    CHECK(parse("{\"a\": ", &j) < 0 && strstr(err_msg(), "not valid JSON"));
    CHECK(parse("{\"a\": nope}", &j) < 0 && strstr(err_msg(), "not valid JSON"));
    CHECK(parse("{} {}", &j) < 0);
    CHECK(parse("\"just a string\"", &j) < 0);
    CHECK(parse("", &j) < 0);
}

static const char base[] =
    "{\"ociVersion\": \"1.0.2\", \"unknownTop\": {\"x\": 1},"
    " \"process\": {\"terminal\": true, \"consoleSize\": {\"height\": 25, \"width\": 80},"
    "  \"user\": {\"uid\": 1000, \"gid\": 100, \"umask\": 18, \"additionalGids\": [5, 6]},"
    "  \"args\": [\"sh\", \"-c\", \"echo hi\"], \"env\": [\"PATH=/bin\", \"A=b=c\"], \"cwd\": \"/tmp\","
    "  \"capabilities\": {\"bounding\": [\"CAP_KILL\", \"CAP_CHOWN\"], \"effective\": [\"CAP_KILL\"],"
    "   \"permitted\": [\"CAP_KILL\"], \"inheritable\": [], \"ambient\": []},"
    "  \"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", \"hard\": 18446744073709551615, \"soft\": 1024}],"
    "  \"noNewPrivileges\": true, \"oomScoreAdj\": -500, \"apparmorProfile\": \"x\"},"
    " \"root\": {\"path\": \"rootfs\", \"readonly\": true}, \"hostname\": \"box\","
    " \"mounts\": [{\"destination\": \"/proc\", \"type\": \"proc\", \"source\": \"proc\"},"
    "  {\"destination\": \"/dev\", \"type\": \"tmpfs\", \"source\": \"tmpfs\","
    "   \"options\": [\"nosuid\", \"strictatime\", \"mode=755\", \"size=65536k\"]},"
    "  {\"destination\": \"/data\", \"type\": \"bind\", \"source\": \"/srv/data\","
    "   \"options\": [\"rbind\", \"ro\", \"rprivate\", \"x-engine-thing\"]}],"
    " \"annotations\": {\"k\": \"v\"},"
    " \"linux\": {\"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"mount\"}, {\"type\": \"uts\"},"
    "   {\"type\": \"network\", \"path\": \"/var/run/netns/x\"}],"
    "  \"cgroupsPath\": \"/default/c1\","
    "  \"resources\": {\"devices\": [{\"allow\": false, \"access\": \"rwm\"},"
    "    {\"allow\": true, \"type\": \"c\", \"major\": 10, \"minor\": 200, \"access\": \"rw\"}],"
    "   \"memory\": {\"limit\": 67108864, \"swap\": 67108864}, \"pids\": {\"limit\": 50},"
    "   \"cpu\": {\"shares\": 512, \"quota\": 50000, \"period\": 100000, \"cpus\": \"0\"}},"
    "  \"maskedPaths\": [\"/proc/kcore\"], \"readonlyPaths\": [\"/proc/sys\"],"
    "  \"sysctl\": {\"net.ipv4.ip_forward\": \"1\"},"
    "  \"seccomp\": {\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 38,"
    "   \"architectures\": [\"SCMP_ARCH_X86_64\"],"
    "   \"syscalls\": [{\"names\": [\"read\", \"no_such_call_at_all\", \"write\"],"
    "     \"action\": \"SCMP_ACT_ALLOW\"},"
    "    {\"names\": [\"personality\"], \"action\": \"SCMP_ACT_ALLOW\","
    "     \"args\": [{\"index\": 0, \"value\": 8, \"op\": \"SCMP_CMP_EQ\"}]}]}}}";

static int config(const char *text, struct run_opts *o, struct oci_extra *x)
{
    struct oci_host host = {"/b", CAPS_BIT(5) | CAPS_BIT(0) | CAPS_BIT(12), false};
    err_clear();
    return oci_config_parse(text, strlen(text), &host, o, x);
}

/* BASE with FROM replaced by TO, parsed; the message when it fails. */
static int variant(const char *from, const char *to, const char *want_msg)
{
    const char *at = strstr(base, from);
    if (!at) {
        fprintf(stderr, "variant: %s not in the base config\n", from);
        return -999;
    }
    char *text = malloc(strlen(base) + strlen(to) + 1);
    sprintf(text, "%.*s%s%s", (int)(at - base), base, to, at + strlen(from));
    struct run_opts o;
    struct oci_extra x;
    int r = config(text, &o, &x);
    if (want_msg && (r >= 0 || !strstr(err_msg(), want_msg))) {
        fprintf(stderr, "variant %s: got %d \"%s\", want \"%s\"\n", to, r, err_msg(), want_msg);
        r = -999;
    }
    oci_config_free(&o, &x);
    free(text);
    return r;
}

static void test_config(void)
{
    struct run_opts o;
    struct oci_extra x;
    CHECK_EQ_INT(config(base, &o, &x), 0);
    if (*err_msg())
        fprintf(stderr, "config: %s\n", err_msg());
    CHECK_EQ_STR(o.image, "/b/rootfs");
    CHECK(o.ro && o.tty && o.no_init && o.more.given);
    CHECK_EQ_STR(o.argv[2], "echo hi");
    CHECK(o.argv[3] == NULL);
    CHECK_EQ_INT(o.n_env, 2);
    CHECK_EQ_STR(o.env[1], "A=b=c");
    CHECK_EQ_STR(o.workdir, "/tmp");
    CHECK_EQ_STR(o.hostname, "box");
    CHECK_EQ_INT(o.more.uid, 1000);
    CHECK_EQ_INT(o.more.gid, 100);
    CHECK_EQ_INT(o.more.umask, 18);
    CHECK_EQ_INT(o.more.n_groups, 2);
    CHECK_EQ_INT(o.more.console_rows, 25);
    /* CAP_CHOWN (0) and CAP_KILL (5): both hutch's own here */
    CHECK(o.more.capsets[CAPSET_BOUNDING] == (CAPS_BIT(0) | CAPS_BIT(5)));
    CHECK(o.more.capsets[CAPSET_EFFECTIVE] == CAPS_BIT(5));
    CHECK_EQ_INT(o.more.n_rlimits, 1);
    CHECK(o.more.rlimits[0].resource == RLIMIT_NOFILE && o.more.rlimits[0].hard == UINT64_MAX &&
          o.more.rlimits[0].soft == 1024);
    CHECK(o.more.no_new_privs && o.more.oom_given && o.more.oom_score_adj == -500);
    CHECK_EQ_INT(o.more.n_mounts, 3);
    CHECK(o.more.mounts[1].flags == (MS_NOSUID | MS_STRICTATIME));
    CHECK_EQ_STR(o.more.mounts[1].data, "mode=755,size=65536k");
    CHECK(o.more.mounts[2].bind && (o.more.mounts[2].flags & MS_RDONLY) &&
          (o.more.mounts[2].flags & MS_REC) && o.more.mounts[2].propagation == (MS_PRIVATE | MS_REC));
    CHECK(o.more.namespaces == (CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS));
    CHECK_EQ_INT(o.more.n_joins, 1);
    CHECK(o.more.joins[0].type == CLONE_NEWNET);
    CHECK(o.net == NET_HOST); /* the joined one, as it is: nothing set up in it */
    CHECK_EQ_STR(o.more.cgroup_path, "/default/c1");
    CHECK(o.more.device_policy && o.more.n_device_rules == 1 && o.more.device_rules[0].major == 10);
    CHECK(o.limits.memory == 67108864 && o.limits.pids == 50 && o.limits.cpu_quota_us == 50000);
    CHECK(o.more.cpu_shares == 512 && o.more.cpu_period == 100000);
    CHECK_EQ_STR(o.limits.cpuset, "0");
    CHECK_EQ_INT(o.more.n_masked, 1);
    CHECK_EQ_INT(o.more.n_readonly, 1);
    CHECK_EQ_INT(o.more.n_sysctls, 1);
    CHECK_EQ_STR(o.more.sysctls[0].key, "net.ipv4.ip_forward");
    /* seccomp: the unknown name left out, the errno of the default */
    CHECK(o.more.seccomp && o.more.seccomp->n_rules == 3);
    CHECK(o.more.seccomp && o.more.seccomp->default_action == (SECCOMP_RET_ERRNO | 38));
    CHECK(o.more.seccomp && o.more.seccomp->rules[2].n_args == 1 &&
          o.more.seccomp->rules[2].args[0].value == 8);
    CHECK_EQ_STR(x.annotations, "{\"k\": \"v\"}");
    oci_config_free(&o, &x);

    /* refused, each by name */
    CHECK_EQ_INT(variant("\"cgroupsPath\"", "\"intelRdt\": {\"closID\": \"a\"}, \"cgroupsPath\"", "linux.intelRdt"), -EOPNOTSUPP);
    CHECK_EQ_INT(variant("\"ro\", \"rprivate\"", "\"ro\", \"tmpcopyup\"", "tmpcopyup"), -EOPNOTSUPP);
    CHECK_EQ_INT(variant("\"type\": \"proc\"", "\"type\": \"nfs\"", "type \"nfs\""), -EOPNOTSUPP);
    CHECK_EQ_INT(variant("{\"type\": \"pid\"}", "{\"type\": \"pid\"}, {\"type\": \"pid\", \"path\": \"/x\"}", "twice"), -EINVAL);
    CHECK_EQ_INT(variant("\"1.0.2\"", "\"2.0.0\"", "ociVersion"), -EINVAL);
    CHECK_EQ_INT(variant("\"rootfs\"", "\"../etc\"", "root.path"), -EINVAL);
    CHECK_EQ_INT(variant("\"rootfs\"", "\"a/../../etc\"", "root.path"), -EINVAL);
    CHECK_EQ_INT(variant("\"cwd\": \"/tmp\"", "\"cwd\": \"tmp\"", "process.cwd"), -EINVAL);
    CHECK_EQ_INT(variant("\"args\": [\"sh\", \"-c\", \"echo hi\"]", "\"args\": []", "process.args"), -EINVAL);
    CHECK_EQ_INT(variant("\"uid\": 1000", "\"uid\": 4294967296", "process.user.uid"), -EINVAL);
    CHECK_EQ_INT(variant("\"soft\": 1024", "\"soft\": 18446744073709551616", "rlimits"), -EINVAL);
    CHECK_EQ_INT(variant("\"CAP_KILL\", \"CAP_CHOWN\"", "\"CAP_NOPE\"", "unknown capability CAP_NOPE"), -EINVAL);
    CHECK_EQ_INT(variant("\"SCMP_ACT_ALLOW\"}", "\"SCMP_ACT_NOTIFY\"}", "SCMP_ACT_NOTIFY"), -EOPNOTSUPP);
    CHECK_EQ_INT(variant("\"op\": \"SCMP_CMP_EQ\"", "\"op\": \"SCMP_CMP_XX\"", "SCMP_CMP_XX"), -EINVAL);
    CHECK_EQ_INT(variant("\"index\": 0", "\"index\": 6", "index"), -EINVAL);
    CHECK_EQ_INT(variant("{\"allow\": false, \"access\": \"rwm\"},", "", "deny"), -EOPNOTSUPP);
    CHECK_EQ_INT(variant("\"/default/c1\"", "\"/default/../../c1\"", "cgroupsPath"), -EINVAL);
    CHECK_EQ_INT(variant("\"/default/c1\"", "\"system.slice:x:y\"", "systemd"), -EINVAL);
    CHECK_EQ_INT(variant("\"net.ipv4.ip_forward\"", "\"../../x\"", "sysctl"), -EINVAL);
    CHECK_EQ_INT(variant("\"limit\": 67108864, \"swap\": 67108864", "\"limit\": 67108864, \"swap\": 1000", "swap"), -EINVAL);
    CHECK_EQ_INT(variant("\"hostname\": \"box\"", "\"hostname\": \"box\", \"hooks\": {\"prestart\": [{\"path\": \"rel\"}]}", "absolute"), -EINVAL);
    CHECK_EQ_INT(variant("\"mount\"}", "\"mount\"}, {\"type\": \"user\"}", "uidMappings"), -EINVAL);
    /* AppArmor: a profile where AppArmor is on would not be applied: refused */
    struct oci_host aa = {"/b", ~0ULL, true};
    err_clear();
    CHECK(oci_config_parse(base, strlen(base), &aa, &o, &x) == -EOPNOTSUPP &&
          strstr(err_msg(), "apparmorProfile"));
    oci_config_free(&o, &x);
    /* unknown fields anywhere are ignored */
    CHECK_EQ_INT(variant("\"noNewPrivileges\"", "\"futureField\": [1, 2, {\"a\": null}], \"noNewPrivileges\"", NULL), 0);
}

static void test_process_json(void)
{
    struct run_opts o;
    struct oci_extra x;
    CHECK_EQ_INT(config(base, &o, &x), 0);
    const char *p = "{\"args\": [\"id\"], \"cwd\": \"/\", \"env\": [\"A=1\"],"
                    " \"user\": {\"uid\": 7, \"gid\": 8}, \"terminal\": false}";
    struct oci_host host = {"/b", ~0ULL, false};
    err_clear();
    CHECK_EQ_INT(oci_process_parse(p, strlen(p), &host, &o), 0);
    CHECK_EQ_STR(o.argv[0], "id");
    CHECK_EQ_INT(o.n_env, 1);
    CHECK(o.more.uid == 7 && o.more.gid == 8 && o.more.n_groups == 0 && !o.tty);
    /* no capabilities given: none kept (as runc) */
    CHECK(o.more.capsets[CAPSET_BOUNDING] == 0 && o.more.n_rlimits == 0);
    /* the container's own settings stay */
    CHECK(o.more.seccomp != NULL && o.more.cgroup_path != NULL);
    const char *bad = "{\"args\": [], \"cwd\": \"/\"}";
    err_clear();
    CHECK(oci_process_parse(bad, strlen(bad), &host, &o) < 0 && strstr(err_msg(), "process.args"));
    oci_config_free(&o, &x);
}

static void test_mount_options(void)
{
    unsigned long fl = MS_RDONLY, prop = 0;
    bool bind = false;
    char data[32] = "";
    CHECK_EQ_INT(oci_mount_option("rw", &fl, &prop, &bind, data, sizeof data), 0);
    CHECK(fl == 0);
    CHECK_EQ_INT(oci_mount_option("rslave", &fl, &prop, &bind, data, sizeof data), 0);
    CHECK(prop == (MS_SLAVE | MS_REC));
    CHECK_EQ_INT(oci_mount_option("size=1m", &fl, &prop, &bind, data, sizeof data), 0);
    CHECK_EQ_INT(oci_mount_option("mode=700", &fl, &prop, &bind, data, sizeof data), 0);
    CHECK_EQ_STR(data, "size=1m,mode=700");
    CHECK_EQ_INT(oci_mount_option("a,b", &fl, &prop, &bind, data, sizeof data), -EINVAL);
    CHECK_EQ_INT(oci_mount_option("0123456789012345678901234567890", &fl, &prop, &bind, data, sizeof data), -E2BIG);
}

int main(void)
{
    test_json();
    test_config();
    test_process_json();
    test_mount_options();
    return check_summary("test_oci");
}
