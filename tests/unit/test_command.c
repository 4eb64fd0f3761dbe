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

int main(void)
{
    test_passwd();
    test_group();
    test_bad_lines();
    return check_summary("test_command");
}
