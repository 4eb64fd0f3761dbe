/* Unit tests of the /etc/passwd and /etc/group line parser used for --user. */
#include "check.h"
#include "command.h"

static void test_passwd(void)
{
    char line[] = "user:x:1000:100:A User:/home/user:/bin/sh\n";
    const char *name, *home;
    unsigned long id, gid;
    CHECK_EQ_INT(command_parse_id_line(line, &name, &id, &gid, &home), 0);
    CHECK_EQ_STR(name, "user");
    CHECK_EQ_INT(id, 1000);
    CHECK_EQ_INT(gid, 100);
    CHECK_EQ_STR(home, "/home/user");
}

static void test_group(void)
{
    char line[] = "tty:x:5:";
    const char *name;
    unsigned long id;
    CHECK_EQ_INT(command_parse_id_line(line, &name, &id, NULL, NULL), 0);
    CHECK_EQ_STR(name, "tty");
    CHECK_EQ_INT(id, 5);
}

static void test_bad_lines(void)
{
    const char *name, *home;
    unsigned long id, gid;
    char empty[] = "";
    char comment[] = "# a comment";
    char noid[] = "user:x::100:::";
    char badid[] = "user:x:12a:100:::";
    CHECK_EQ_INT(command_parse_id_line(empty, &name, &id, &gid, &home), -1);
    CHECK_EQ_INT(command_parse_id_line(comment, &name, &id, &gid, &home), -1);
    CHECK_EQ_INT(command_parse_id_line(noid, &name, &id, &gid, &home), -1);
    CHECK_EQ_INT(command_parse_id_line(badid, &name, &id, &gid, &home), -1);
}

static void test_ids(void)
{
    unsigned long id = 7;
    CHECK_EQ_INT(command_parse_id("0", &id), 0);
    CHECK_EQ_INT(id, 0);
    CHECK_EQ_INT(command_parse_id("4294967294", &id), 0);
    CHECK_EQ_INT(id, 4294967294UL);
    CHECK_EQ_INT(command_parse_id("4294967295", &id), -1); /* (uid_t)-1: "no change" */
    CHECK_EQ_INT(command_parse_id("4294967296", &id), -1); /* would wrap to 0, root */
    CHECK_EQ_INT(command_parse_id("18446744073709551616", &id), -1);
    CHECK_EQ_INT(command_parse_id("", &id), -1);
    CHECK_EQ_INT(command_parse_id("-1", &id), -1);
    CHECK_EQ_INT(command_parse_id("1a", &id), -1);
    /* a passwd line's group must be a number: never group 0 for want of one */
    const char *name, *home;
    unsigned long uid, gid;
    char badgid[] = "user:x:1000:staff:A User:/home/user:/bin/sh";
    char nogid[] = "user:x:1000";
    char bigid[] = "user:x:4294967296:100:::";
    CHECK_EQ_INT(command_parse_id_line(badgid, &name, &uid, &gid, &home), -1);
    CHECK_EQ_INT(command_parse_id_line(nogid, &name, &uid, &gid, &home), -1);
    CHECK_EQ_INT(command_parse_id_line(bigid, &name, &uid, &gid, &home), -1);
    char group_only[] = "user:x:1000";
    CHECK_EQ_INT(command_parse_id_line(group_only, &name, &uid, NULL, NULL), 0);
}

int main(void)
{
    test_ids();
    test_passwd();
    test_group();
    test_bad_lines();
    return check_summary("test_command");
}
