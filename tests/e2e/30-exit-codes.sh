#!/bin/sh
# Exit codes and signals: the command's status, 128+N, 126, 127; SIGTERM; reaping.
. "$(dirname "$0")/lib.sh"

status_of() {
    h run "$EXT4" sh -c "$1"
    rc_is "$2"
}
exit_0() { status_of 'exit 0' 0; }
exit_3() { status_of 'exit 3' 3; }
exit_137() { status_of 'kill -KILL $$' 137; }
exit_126() { h run "$EXT4" /etc/passwd; rc_is 126 && one_line_error "/etc/passwd"; }
exit_127() { h run "$EXT4" no-such-command; rc_is 127 && one_line_error "no-such-command"; }
exit_127_no_init() { h run --no-init "$EXT4" /no/such; rc_is 127 && one_line_error "/no/such"; }

sigterm_ends_sleep() {
    "$HUTCH" run "$EXT4" sleep 100 </dev/null >/dev/null 2>&1 &
    pid=$!
    sleep 1
    local start
    start=$(now)
    kill -TERM "$pid"
    wait "$pid"
    rc=$?
    # "At once": within 2 s of the signal, far sooner than the sleep would have ended.
    rc_is 143 && less_than "$(since "$start")" 2 "seconds to end"
}
signals_forwarded() {
    for sig in HUP INT QUIT USR1 USR2; do
        # The last round's "ready" must not count: the shell truncates $T/out only once the
        # background job has started, which can be after the first grep below.
        : >"$T/out"
        "$HUTCH" run "$EXT4" sh -c "trap 'echo got-$sig; exit 7' $sig; echo ready; while :; do sleep 0.1; done" \
            </dev/null >"$T/out" 2>"$T/err" &
        pid=$!
        i=0
        while ! grep -q ready "$T/out" && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
        kill -"$sig" "$pid"
        wait "$pid"
        rc=$?
        rc_is 7 && out_has "got-$sig" || return 1
    done
}
signal_before_start() {
    # A signal that comes before the command runs still ends the container, with 128+N: sent
    # once the process is hutch (not the shell that starts it), early in its start.
    "$HUTCH" run "$EXT4" sleep 100 </dev/null >/dev/null 2>&1 &
    pid=$!
    local i=0 exe=""
    while [ $i -lt 2000 ]; do
        exe=$(readlink "/proc/$pid/exe" 2>/dev/null)
        case $exe in "$HUTCH" | "/memfd:hutch (deleted)") break ;; esac
        i=$((i + 1))
    done
    kill -TERM "$pid"
    wait "$pid"
    rc=$?
    case $exe in "$HUTCH" | "/memfd:hutch (deleted)") ;; *) no "signalled $exe, not hutch"; return 1 ;; esac
    rc_is 143 && no_leaks
}
orphans_reaped() {
    # The subshell exits at once; its sleep is orphaned to init, ends, and must be reaped.
    h run "$EXT4" sh -c '(sleep 0.2 &); sleep 1.5; ps -o stat,comm'
    rc_is 0 || return 1
    ! grep -q '^ *Z' "$T/out" || no "a zombie is left: $(grep '^ *Z' "$T/out")"
}

t "exit status 0" exit_0
t "exit status 3" exit_3
t "killed by SIGKILL: 137" exit_137
t "not executable: 126, one line" exit_126
t "not found: 127, one line" exit_127
t "not found with --no-init: 127, one line" exit_127_no_init
t "SIGTERM to hutch ends a sleep 100 inside at once, 143" sigterm_ends_sleep
t "SIGHUP, SIGINT, SIGQUIT, SIGUSR1 and SIGUSR2 reach the command" signals_forwarded
t "SIGTERM before the command starts: 143" signal_before_start
t "an orphaned grandchild does not stay a zombie" orphans_reaped
finish
