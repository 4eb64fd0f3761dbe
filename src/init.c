#include "init.h"

#include <errno.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static char *title_start;
static size_t title_len;

void init_title_area(int argc, char **argv)
{
    if (argc < 1)
        return;
    title_start = argv[0];
    title_len = (size_t)(argv[argc - 1] + strlen(argv[argc - 1]) + 1 - argv[0]);
}

static void set_title(const char *title)
{
    if (!title_start || title_len <= strlen(title))
        return;
    memset(title_start, 0, title_len);
    memcpy(title_start, title, strlen(title));
}

static const int forwarded[] = {SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2};
#define N_FORWARDED (sizeof forwarded / sizeof forwarded[0])

void init_forwarded_signals(sigset_t *set)
{
    sigemptyset(set);
    for (size_t i = 0; i < N_FORWARDED; i++)
        sigaddset(set, forwarded[i]);
}

int init_exit_code(int status)
{
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    if (WIFSIGNALED(status))
        return 128 + WTERMSIG(status);
    return 125;
}

static void on_signal(int sig) { (void)sig; }

void init_reset_signals(void)
{
    sigset_t none;
    for (size_t i = 0; i < N_FORWARDED; i++)
        signal(forwarded[i], SIG_DFL);
    signal(SIGCHLD, SIG_DFL);
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
}

void init_main(void (*start)(void *arg), void *arg, int close_fd)
{
    sigset_t set;
    init_forwarded_signals(&set);
    sigaddset(&set, SIGCHLD);
    sigprocmask(SIG_BLOCK, &set, NULL);
    /* PID 1 of a namespace gets a signal from outside only if it has a handler for it:
     * install one, and take the signals synchronously with sigwaitinfo. */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    for (size_t i = 0; i < N_FORWARDED; i++)
        sigaction(forwarded[i], &sa, NULL);
    sigaction(SIGCHLD, &sa, NULL);

    pid_t cmd = fork();
    if (cmd < 0)
        _exit(125);
    if (cmd == 0) {
        start(arg);
        _exit(125);
    }
    if (close_fd >= 0)
        close(close_fd);
    set_title("hutch-init"); /* the command has its own copy of the arguments */

    for (;;) {
        siginfo_t si;
        int sig = sigwaitinfo(&set, &si);
        if (sig < 0)
            continue;
        if (sig != SIGCHLD) {
            kill(cmd, sig);
            continue;
        }
        int status;
        pid_t p;
        /* Every child that ended, the command's end among them: its SIGCHLD is taken, so an
         * interrupted wait must not end the loop before it is reaped. */
        while ((p = waitpid(-1, &status, WNOHANG)) > 0 || (p < 0 && errno == EINTR))
            if (p == cmd)
                _exit(init_exit_code(status)); /* the kernel ends the rest of the namespace */
    }
}
