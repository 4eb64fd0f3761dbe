#!/bin/sh
# Terminals: nothing inside a container can type into the caller's terminal (TIOCSTI, the
# CVE-2017-5226 class): each container process has a session of its own, and the filter refuses
# TIOCSTI. `-t` gives the command a pseudo-terminal of the container's own devpts, relayed to the
# caller's terminal in raw mode, its size followed, the terminal put back afterwards. Each test
# runs hutch on a real pseudo-terminal (hutch-probe pty).
. "$(dirname "$0")/lib.sh"

[ -x "$PROBE" ] || { skip "terminals" "no hutch-probe"; finish; exit; }
cp "$PROBE" "$T/probe" && chmod 755 "$T/probe"
P=$T/probe

# inject OPTS...: a container pushes "echo INJECTED" into the terminal hutch runs on; then what
# the caller's shell would read next is printed ("typed: ...").
inject() {
    pty_run "\"$HUTCH\" run $* --bind \"$P:/probe:ro\" \"$EXT4\" /probe tiocsti 'echo INJECTED
'; \"$P\" typed"
}
tiocsti_refused() {
    inject
    grep -q '^typed: *$' "$T/out" && out_has 'tiocsti: Operation not permitted' || { no "default: $(tr '\r\n' '  ' <"$T/out")"; return 1; }
    # Each wall alone: the filter (with SYS_ADMIN, which the terminal's own check lets through),
    # and the session (without the filter).
    inject --cap-add SYS_ADMIN
    grep -q '^typed: *$' "$T/out" || { no "--cap-add SYS_ADMIN: $(tr '\r\n' '  ' <"$T/out")"; return 1; }
    inject --seccomp unconfined
    grep -q '^typed: *$' "$T/out" || { no "--seccomp unconfined: $(tr '\r\n' '  ' <"$T/out")"; return 1; }
    # Both walls off: the text arrives (so this test can fail).
    inject --privileged
    out_has '^typed: echo INJECTED' || no "--privileged: nothing typed: $(tr '\r\n' '  ' <"$T/out")"
}
own_session() {
    h run "$SQFS" sh -c 'cat /proc/1/stat; cat /proc/$$/stat'
    rc_is 0 || return 1
    # field 6 is the session: init's is its own pid (1), and the command's (this sh) its own
    awk '{ print $1, $6 }' "$T/out" >"$T/sessions"
    eq "$(sed -n 1p "$T/sessions")" "1 1" "init's session" &&
        eq "$(awk 'NR == 2 { print ($1 == $2) ? "own" : "shared" }' "$T/sessions")" own "the command's session"
}

tty_basics() {
    pty_run "stty rows 33 cols 77; \"$HUTCH\" run -t \"$SQFS\" sh -c 'tty; stty size; ls /dev/pts; exit 7'"
    rc_is 7 && out_has '^/dev/pts/0' && out_has '^33 77' && out_has '^0 *ptmx' ||
        no "rc $rc: $(tr '\r\n' '  ' <"$T/out")"
}
tty_restored() {
    pty_run "stty -g >\"$T/before\"; \"$HUTCH\" run -it \"$SQFS\" sh -c 'stty -a >/dev/null; echo RAN; exit 0'; stty -g >\"$T/after\""
    rc_is 0 && out_has '^RAN' && eq "$(cat "$T/after")" "$(cat "$T/before")" "the terminal's settings after hutch"
}
tty_follows_size() {
    pty_run "stty rows 20 cols 60; (sleep 1; stty rows 40 cols 100 </dev/tty) & \"$HUTCH\" run -t \"$SQFS\" sh -c 'trap \"stty size\" WINCH; stty size; sleep 3'"
    rc_is 0 && out_has '^20 60' && out_has '^40 100' || no "rc $rc: $(tr '\r\n' '  ' <"$T/out")"
}
tty_input() {
    printf 'hello from the caller\n' >"$T/in"
    pty_run "\"$HUTCH\" run -t \"$SQFS\" sh -c 'read line; echo got: \$line' <\"$T/in\""
    rc_is 0 && out_has 'got: hello from the caller' || no "rc $rc: $(tr '\r\n' '  ' <"$T/out")"
}
exec_tty() {
    h run -d --name termy "$SQFS" sleep 1000
    rc_is 0 || return 1
    pty_run "\"$HUTCH\" exec -t termy sh -c 'tty; readlink /proc/self/fd/1; exit 4'"
    local out_rc=$rc
    cp "$T/out" "$T/exec.out"
    h stop termy
    rc=$out_rc
    cp "$T/exec.out" "$T/out"
    rc_is 4 && out_has '^/dev/pts/[0-9]' || no "rc $rc: $(tr '\r\n' '  ' <"$T/out")"
}
tty_with_log() {
    h run -t --log "$T/tty.log" "$SQFS" sh -c 'tty; echo into the log'
    rc_is 0 && grep -q 'into the log' "$T/tty.log" && grep -q '^/dev/pts/0' "$T/tty.log" ||
        no "log: $(cat "$T/tty.log" 2>/dev/null)"
}

t "TIOCSTI from a container types nothing into the caller's terminal (each wall alone)" tiocsti_refused
t "the container's init and its command each have a session of their own" own_session
t "-t: the container's own pseudo-terminal, its size, the exit code" tty_basics
t "-it: the caller's terminal settings come back as they were" tty_restored
t "-t: a change of the window's size reaches the command (SIGWINCH)" tty_follows_size
t "-t: the caller's input reaches the command" tty_input
t "exec -t" exec_tty
t "-t with --log: the terminal's output goes to the log" tty_with_log
finish
