#!/bin/sh
# Many containers, one after another and at once, and hutch killed mid-start: afterwards no loop
# device, mount or hutch process of ours is left, and the ext4 image is fsck-clean.
# SEQUENTIAL, PARALLEL and KILLS set the counts (the QEMU guest may lower them).
. "$(dirname "$0")/lib.sh"
SEQUENTIAL=${SEQUENTIAL:-200}
PARALLEL=${PARALLEL:-20}
KILLS=${KILLS:-30}

one_after_another() {
    img=$(ext4_copy seq) || return 1
    i=0
    while [ $i -lt "$SEQUENTIAL" ]; do
        "$HUTCH" run "$img" true </dev/null || { no "run $i failed"; return 1; }
        i=$((i + 1))
    done
    no_leaks || return 1
    fsck_clean "$img"
}
at_once() {
    i=0 pids=""
    while [ $i -lt "$PARALLEL" ]; do
        # half on the squashfs image, half sharing the ext4 image read-only
        if [ $((i % 2)) = 0 ]; then img=$SQFS; ro=""; else img=$EXT4; ro=--ro; fi
        "$HUTCH" run $ro --name "par-$i" "$img" sh -c 'sleep 1; hostname' </dev/null >"$T/par-$i" 2>&1 &
        pids="$pids $!"
        i=$((i + 1))
    done
    failed_runs=0
    for p in $pids; do wait "$p" || failed_runs=$((failed_runs + 1)); done
    eq "$failed_runs" 0 "failed runs" || return 1
    eq "$(cat "$T/par-7")" par-7 "hostname of par-7" || return 1
    no_leaks
}
killed_mid_start() {
    img=$(ext4_copy killed) || return 1
    i=0
    while [ $i -lt "$KILLS" ]; do
        "$HUTCH" run "$img" sleep 1000 </dev/null >/dev/null 2>&1 &
        pid=$!
        # Kill at a different moment of the start each time: 0 to 29 ms in.
        sleep "0.0$((i % 3))$((i % 10))"
        kill -KILL "$pid"
        wait "$pid" 2>/dev/null
        # the container, if it had started, dies with hutch: at once, not when its sleep ends
        gone_within 2 sleep 1000 || { no "a container outlived its killed hutch"; return 1; }
        no_leaks || return 1
        i=$((i + 1))
    done
    fsck_clean "$img"
}
killed_while_running() {
    img=$(ext4_copy running) || return 1
    "$HUTCH" run "$img" sh -c 'echo ready; exec sleep 1001' </dev/null >"$T/out" 2>&1 &
    pid=$!
    i=0
    while ! grep -q ready "$T/out" && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
    [ -n "$(our_loops)" ] && [ -n "$(procs_running sleep 1001)" ] || { no "not running"; return 1; }
    kill -KILL "$pid"
    wait "$pid" 2>/dev/null
    gone_within 2 sleep 1001 || { no "the container outlived its killed hutch"; return 1; }
    no_leaks || return 1
    h run "$img" true
    rc_is 0
}

t "$SEQUENTIAL containers one after another leave nothing; image fsck-clean" one_after_another
t "$PARALLEL containers at once leave nothing" at_once
t "hutch killed with SIGKILL mid-start, $KILLS times, leaves nothing" killed_mid_start
t "hutch killed with SIGKILL while the command runs leaves nothing" killed_while_running
finish
