/* Unit tests of in-root path resolution, on a temporary tree, with openat2 and with the walk. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "check.h"
#include "resolve.h"

#define MARKER "hutch-resolve-marker"

static char tree[64];
static int root = -1;


static int rm_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st, (void)type, (void)ftw;
    return remove(path);
}

static void at(const char *rel, char *buf, size_t size)
{
    snprintf(buf, size, "%s/%s", tree, rel);
}

static void mk_link(const char *target, const char *rel)
{
    char p[256];
    at(rel, p, sizeof p);
    CHECK(symlink(target, p) == 0);
}

static void mk_dir(const char *rel)
{
    char p[256];
    at(rel, p, sizeof p);
    CHECK(mkdir(p, 0755) == 0);
}

static void mk_file(const char *rel, const char *text)
{
    char p[256];
    at(rel, p, sizeof p);
    FILE *f = fopen(p, "w");
    CHECK(f != NULL);
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

static bool exists(const char *rel, mode_t type)
{
    struct stat st;
    char p[256];
    at(rel, p, sizeof p);
    return lstat(p, &st) == 0 && (st.st_mode & S_IFMT) == type;
}

/* A fresh tree for each run, as an image might hold it. */
static void setup(void)
{
    snprintf(tree, sizeof tree, "/tmp/resolve-test.XXXXXX");
    CHECK(mkdtemp(tree) != NULL);
    root = open(tree, O_PATH | O_DIRECTORY | O_CLOEXEC);
    CHECK(root >= 0);
    mk_dir("etc");
    mk_file("etc/" MARKER, "in-tree\n");
    mk_file("f", "file\n");
    mk_dir("real");
    mk_dir("sub");
    mk_dir("sub/dir");
    mk_link("/etc", "a");
    mk_link("/proc", "p");
    mk_link("/proc/self/cwd", "pcwd");
    mk_link("../../../etc", "sub/dir/up");
    mk_link("c2", "c1");
    mk_link("sub/c3", "c2");
    mk_link("/a", "sub/c3");
    mk_link("loop2", "loop1");
    mk_link("loop1", "loop2");
    mk_link("/etc/" MARKER, "fl");
    mk_link("/created", "dangling");
    mk_link("../../../created2", "sub/dangling2");
    mk_link("/real", "l");
    char p[256], q[256];
    for (int i = 1; i <= 41; i++) { /* n1 -> n2 -> ... -> n41 -> etc */
        snprintf(p, sizeof p, "n%d", i);
        if (i < 41)
            snprintf(q, sizeof q, "n%d", i + 1);
        else
            snprintf(q, sizeof q, "etc");
        mk_link(q, p);
    }
    at("fifo", p, sizeof p);
    CHECK(mkfifo(p, 0644) == 0);
    struct sockaddr_un sun = {.sun_family = AF_UNIX};
    at("sock", sun.sun_path, sizeof sun.sun_path);
    int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    CHECK(s >= 0 && bind(s, (struct sockaddr *)&sun, sizeof sun) == 0);
    close(s);
}

static void teardown(void)
{
    close(root);
    CHECK(nftw(tree, rm_one, 16, FTW_DEPTH | FTW_PHYS) == 0);
}

/* The fd from resolve_open holds the tree's marker (and the fd is closed). */
static bool is_marker(int fd)
{
    char buf[32] = {0};
    if (fd < 0)
        return false;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    return n == 8 && strcmp(buf, "in-tree\n") == 0;
}

static bool same_file(int fd, int other)
{
    struct stat a, b;
    bool same = fd >= 0 && fstat(fd, &a) == 0 && fstat(other, &b) == 0 && a.st_dev == b.st_dev &&
                a.st_ino == b.st_ino;
    if (fd >= 0)
        close(fd);
    return same;
}

static mode_t type_of(int fd)
{
    struct stat st;
    mode_t t = fd >= 0 && fstat(fd, &st) == 0 ? st.st_mode & S_IFMT : 0;
    if (fd >= 0)
        close(fd);
    return t;
}

static void test_links(void)
{
    CHECK(is_marker(resolve_open(root, "etc/" MARKER, O_RDONLY, 0)));
    CHECK(is_marker(resolve_open(root, "/a/" MARKER, O_RDONLY, 0)));  /* /a -> /etc, the tree's */
    CHECK_EQ_INT(resolve_open(root, "a/passwd", O_RDONLY, 0), -ENOENT); /* the host's is there */
    CHECK_EQ_INT(resolve_open(root, "p/self/status", O_RDONLY, 0), -ENOENT);
    CHECK_EQ_INT(resolve_open(root, "pcwd", O_PATH, 0), -ENOENT);
    CHECK(is_marker(resolve_open(root, "../../../../etc/" MARKER, O_RDONLY, 0)));
    CHECK(is_marker(resolve_open(root, "/../etc/../../etc/./" MARKER, O_RDONLY, 0)));
    CHECK(is_marker(resolve_open(root, "sub/dir/up/" MARKER, O_RDONLY, 0)));
    CHECK(is_marker(resolve_open(root, "c1/" MARKER, O_RDONLY, 0))); /* c1 -> c2 -> c3 -> a */
    CHECK(is_marker(resolve_open(root, "fl", O_RDONLY, 0)));
    CHECK(same_file(resolve_open(root, "../../..", O_PATH, 0), root));
    CHECK(same_file(resolve_open(root, "", O_PATH | O_DIRECTORY, 0), root));
    CHECK(same_file(resolve_open(root, "/", O_RDONLY | O_DIRECTORY, 0), root));
    CHECK(same_file(resolve_open(root, "sub/..", O_PATH, 0), root));
    CHECK_EQ_INT(resolve_open(root, "loop1", O_RDONLY, 0), -ELOOP);
    CHECK_EQ_INT(resolve_open(root, "loop1/x", O_PATH, 0), -ELOOP);
    CHECK(is_marker(resolve_open(root, "n2/" MARKER, O_RDONLY, 0))); /* 40 links */
    CHECK_EQ_INT(resolve_open(root, "n1/" MARKER, O_RDONLY, 0), -ELOOP); /* 41 */
}

static void test_nofollow_notdir(void)
{
    CHECK_EQ_INT(type_of(resolve_open(root, "a", O_PATH | O_NOFOLLOW, 0)), S_IFLNK);
    CHECK_EQ_INT(resolve_open(root, "a", O_RDONLY | O_NOFOLLOW, 0), -ELOOP);
    CHECK_EQ_INT(type_of(resolve_open(root, "a", O_PATH, 0)), S_IFDIR);
    CHECK_EQ_INT(type_of(resolve_open(root, "a/", O_PATH | O_NOFOLLOW, 0)), S_IFDIR);
    CHECK_EQ_INT(resolve_open(root, "f/x", O_RDONLY, 0), -ENOTDIR);
    CHECK_EQ_INT(resolve_open(root, "f/", O_RDONLY, 0), -ENOTDIR);
    CHECK_EQ_INT(resolve_open(root, "fl/", O_PATH, 0), -ENOTDIR);
    CHECK_EQ_INT(resolve_open(root, "f/../etc/" MARKER, O_RDONLY, 0), -ENOTDIR);
    CHECK_EQ_INT(resolve_open(root, "f", O_PATH | O_DIRECTORY, 0), -ENOTDIR);
    CHECK_EQ_INT(resolve_open(root, "missing/../etc", O_PATH, 0), -ENOENT);
    CHECK_EQ_INT(resolve_open(root, "missing", O_RDONLY, 0), -ENOENT);
}

static void test_create(void)
{
    CHECK_EQ_INT(resolve_open(root, "dangling", O_WRONLY | O_CREAT | O_EXCL, 0644), -EEXIST);
    CHECK(!exists("created", S_IFREG));
    int fd = resolve_open(root, "dangling", O_WRONLY | O_CREAT, 0644);
    CHECK(fd >= 0);
    CHECK(fd < 0 || write(fd, "x", 1) == 1);
    if (fd >= 0)
        close(fd);
    CHECK(exists("created", S_IFREG));
    CHECK(access("/created", F_OK) < 0);
    fd = resolve_open(root, "sub/dangling2", O_WRONLY | O_CREAT, 0644);
    CHECK(fd >= 0);
    if (fd >= 0)
        close(fd);
    CHECK(exists("created2", S_IFREG));
    CHECK_EQ_INT(resolve_open(root, "newdir/", O_WRONLY | O_CREAT, 0644), -EISDIR);
    CHECK_EQ_INT(resolve_open(root, "nodir/x", O_WRONLY | O_CREAT, 0644), -ENOENT);
}

static void test_mkdirs(void)
{
    CHECK_EQ_INT(type_of(resolve_mkdirs(root, "l/b/c", 0755)), S_IFDIR); /* l -> /real */
    CHECK(exists("real/b/c", S_IFDIR));
    CHECK(exists("l", S_IFLNK));
    CHECK_EQ_INT(type_of(resolve_mkdirs(root, "/a/new/", 0755)), S_IFDIR);
    CHECK(exists("etc/new", S_IFDIR));
    CHECK_EQ_INT(type_of(resolve_mkdirs(root, "x/../y//z", 0755)), S_IFDIR);
    CHECK(exists("x", S_IFDIR) && exists("y/z", S_IFDIR));
    CHECK(same_file(resolve_mkdirs(root, "/", 0755), root));
    CHECK(same_file(resolve_mkdirs(root, "../..", 0755), root));
    CHECK_EQ_INT(resolve_mkdirs(root, "f/x", 0755), -ENOTDIR);
    CHECK_EQ_INT(resolve_mkdirs(root, "f", 0755), -ENOTDIR);
    CHECK_EQ_INT(resolve_mkdirs(root, "loop1/x", 0755), -ELOOP);
    CHECK(!exists("f/x", S_IFDIR));
}

static void test_mount_target(void)
{
    int fd = resolve_mount_target(root, "mnt/deep/file", false);
    CHECK(fd >= 0 && (fcntl(fd, F_GETFL) & O_PATH));
    CHECK_EQ_INT(type_of(fd), S_IFREG);
    CHECK(exists("mnt/deep/file", S_IFREG));
    CHECK_EQ_INT(type_of(resolve_mount_target(root, "/mnt/d1/d2", true)), S_IFDIR);
    CHECK(exists("mnt/d1/d2", S_IFDIR));
    CHECK_EQ_INT(type_of(resolve_mount_target(root, "l/m/", true)), S_IFDIR);
    CHECK(exists("real/m", S_IFDIR));
    CHECK_EQ_INT(type_of(resolve_mount_target(root, "etc/" MARKER, false)), S_IFREG);
    CHECK_EQ_INT(type_of(resolve_mount_target(root, "fl", false)), S_IFREG);
    CHECK_EQ_INT(type_of(resolve_mount_target(root, "a", true)), S_IFDIR);
    CHECK_EQ_INT(type_of(resolve_mount_target(root, "etc", true)), S_IFDIR);
    CHECK_EQ_INT(resolve_mount_target(root, "fifo", false), -EINVAL); /* at once: alarm() */
    CHECK_EQ_INT(resolve_mount_target(root, "fifo", true), -EINVAL);
    CHECK_EQ_INT(resolve_mount_target(root, "sock", false), -EINVAL);
    CHECK_EQ_INT(resolve_mount_target(root, "etc", false), -EISDIR);
    CHECK_EQ_INT(resolve_mount_target(root, "a", false), -EISDIR);
    CHECK_EQ_INT(resolve_mount_target(root, "f", true), -ENOTDIR);
    CHECK_EQ_INT(resolve_mount_target(root, "f/x", false), -ENOTDIR);
    CHECK_EQ_INT(resolve_mount_target(root, "/", true), -EINVAL);
    CHECK_EQ_INT(resolve_mount_target(root, "", false), -EINVAL);
    CHECK_EQ_INT(resolve_mount_target(root, "x/..", true), -EINVAL);
    CHECK_EQ_INT(resolve_mount_target(root, "etc/.", true), -EINVAL);
    CHECK_EQ_INT(resolve_mount_target(root, "loop1", false), -ELOOP);
    CHECK_EQ_INT(resolve_mount_target(root, "newfile/", false), -EISDIR);
    CHECK(!exists("newfile", S_IFREG));
}

/* The host's /proc as the root: ordinary procfs links work, magic links never. */
static void test_magic_links(void)
{
    int proc = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
    char fdpath[64], buf[64] = {0};
    CHECK(proc >= 0);
    CHECK_EQ_INT(resolve_open(proc, "self/cwd", O_PATH, 0), -ELOOP);
    CHECK_EQ_INT(resolve_open(proc, "/self/root/etc/passwd", O_RDONLY, 0), -ELOOP);
    CHECK_EQ_INT(resolve_open(proc, "thread-self/exe", O_PATH, 0), -ELOOP);
    snprintf(fdpath, sizeof fdpath, "self/fd/%d", root);
    CHECK_EQ_INT(resolve_open(proc, fdpath, O_PATH, 0), -ELOOP);
    snprintf(fdpath, sizeof fdpath, "self/fd/%d/etc/" MARKER, root);
    CHECK_EQ_INT(resolve_open(proc, fdpath, O_RDONLY, 0), -ELOOP);
    CHECK_EQ_INT(resolve_mount_target(proc, "self/cwd", true), -ELOOP);
    int fd = resolve_open(proc, "self/status", O_RDONLY, 0);
    CHECK(fd >= 0 && read(fd, buf, sizeof buf - 1) > 0 && strncmp(buf, "Name:", 5) == 0);
    if (fd >= 0)
        close(fd);
    CHECK_EQ_INT(type_of(resolve_open(proc, "mounts", O_RDONLY, 0)), S_IFREG);
    CHECK_EQ_INT(type_of(resolve_open(proc, "self/cwd", O_PATH | O_NOFOLLOW, 0)), S_IFLNK);
    close(proc);
}

static void run(bool walk)
{
    resolve_use_walk(walk);
    setup();
    int before = check_open_fds();
    test_links();
    test_nofollow_notdir();
    test_create();
    test_mkdirs();
    test_mount_target();
    test_magic_links();
    CHECK_EQ_INT(check_open_fds(), before);
    teardown();
}

/* Which writable tree of the host a path lies in: the outermost, component by component. */
static void test_tree_of(void)
{
    const char *trees[] = {"/srv/app", "/srv/app/data", "/var/log/", "/srv/apple", "rel", "/"};
    const char *rest = NULL;
    CHECK_EQ_INT(resolve_tree_of("/srv/app/up", trees, 5, &rest), 0);
    CHECK_EQ_STR(rest, "up");
    CHECK_EQ_INT(resolve_tree_of("/srv/app/data/x", trees, 5, &rest), 0); /* the outer one */
    CHECK_EQ_STR(rest, "data/x");
    CHECK_EQ_INT(resolve_tree_of("/srv/app", trees, 5, &rest), 0);
    CHECK_EQ_STR(rest, "");
    CHECK_EQ_INT(resolve_tree_of("//srv/./app//logs/x.log", trees, 5, &rest), 0);
    CHECK_EQ_STR(rest, "logs/x.log");
    CHECK_EQ_INT(resolve_tree_of("/srv/apples/x", trees, 5, &rest), -1); /* not a prefix of names */
    CHECK_EQ_INT(resolve_tree_of("/srv/apple/x", trees, 5, &rest), 3);
    CHECK_EQ_INT(resolve_tree_of("/var/log/messages", trees, 5, &rest), 2);
    CHECK_EQ_STR(rest, "messages");
    CHECK_EQ_INT(resolve_tree_of("/etc/passwd", trees, 5, &rest), -1);
    CHECK_EQ_INT(resolve_tree_of("relative/x", trees, 5, &rest), -1);
    CHECK_EQ_INT(resolve_tree_of("/etc/passwd", trees, 6, &rest), 5); /* a bind of / */
    CHECK_EQ_STR(rest, "etc/passwd");
}

int main(void)
{
    test_tree_of();
    alarm(20); /* a FIFO opened by mistake would block: fail instead of hanging */
    run(false);
    run(true);
    return check_summary("resolve");
}
