/* Fuzz hutch's command line: the input is one argument per line; the first line names the
 * command ("run", "exec", "list", "kill", "stop", "wait", "inspect", "start"), the rest are its
 * arguments. Also the word splitter of config commands and the small value checkers. Pure
 * parsers only: no command is carried out. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "err.h"
#include "fuzz.h"

#define MAX_ARGS 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FILE *devnull = fuzz_devnull();
    /* One block: the lines, each NUL-terminated in place (argv points into it). */
    char *text = fuzz_string(data, size, 4096);
    if (!text)
        return 0;

    /* The whole input as a config file's command value. */
    char **words = NULL;
    err_clear();
    if (cli_split_words(text, &words) == 0) {
        for (char **w = words; *w; w++)
            (void)strlen(*w);
        free(words);
    }

    char *argv[MAX_ARGS + 1];
    int argc = 0;
    char *p = text, *end = text + size;
    while (argc < MAX_ARGS && p <= end) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        if (nl)
            *nl = '\0';
        argv[argc++] = p;
        if (!nl)
            break;
        p = nl + 1;
    }
    argv[argc] = NULL;
    if (argc == 0) {
        free(text);
        return 0;
    }

    /* --config FILE reads FILE: the config harness gives it files of its own; here a path of
     * the fuzzer's making could name any file of the machine (/proc/kcore). */
    for (int i = 0; i < argc; i++)
        if (strcmp(argv[i], "--config") == 0 || strncmp(argv[i], "--config=", 9) == 0) {
            free(text);
            return 0;
        }

    const char *cmd = argv[0];
    err_clear();
    if (strcmp(cmd, "run") == 0) {
        struct run_opts o;
        cli_parse_run(argc - 1, argv + 1, &o, devnull);
        run_opts_free(&o);
    } else if (strcmp(cmd, "exec") == 0) {
        struct exec_opts e;
        memset(&e, 0, sizeof e);
        cli_parse_exec(argc - 1, argv + 1, &e, devnull);
        exec_opts_free(&e);
    } else if (strcmp(cmd, "list") == 0 || strcmp(cmd, "kill") == 0 ||
               strcmp(cmd, "stop") == 0 || strcmp(cmd, "wait") == 0 ||
               strcmp(cmd, "inspect") == 0 || strcmp(cmd, "start") == 0) {
        struct ctl_opts c;
        memset(&c, 0, sizeof c);
        cli_parse_ctl(cmd, argc - 1, argv + 1, &c, devnull);
    } else {
        /* Any other first line: each line through the value checkers. */
        for (int i = 0; i < argc; i++) {
            err_clear();
            cli_parse_signal(argv[i]);
            err_clear();
            cli_check_user("--user", argv[i]);
            err_clear();
            cli_check_name("--name", argv[i]);
            err_clear();
            cli_check_ifname("--veth-host", argv[i]);
            char *u = cli_unquote(cli_trim(argv[i]));
            (void)strlen(u);
        }
    }
    free(text);
    return 0;
}
