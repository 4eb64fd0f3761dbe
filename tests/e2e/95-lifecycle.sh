#!/bin/sh
# Board life: detached containers with state, list, exec, kill, stop, wait, inspect, restart
# policies, logs, pidfiles, config files, `hutch start`, and the init.d script. Runs in a network
# namespace of its own (one test uses a veth).
. "$(dirname "$0")/lib.sh"
in_own_netns
TOP=$(cd "$(dirname "$0")/../.." && pwd)

hutch_() { "$HUTCH" "$@" </dev/null; }
status_of() { "$HUTCH" inspect "$1" 2>/dev/null | sed -n "s/^  \"$2\": \"\\(.*\\)\",\$/\\1/p"; }

detached_outlives_shell() {
    # The shell that starts it ends at once; the container stays.
    sh -c "\"$HUTCH\" run -d --name bg --hostname bg-host \"$EXT4\" sleep 60 >\"$T/out\" 2>\"$T/err\" </dev/null"
    rc=$?
    rc_is 0 && out_is bg || return 1
    hutch_ list >"$T/out"
    out_has '^bg  *[0-9][0-9]*  *running  *busybox.ext4' || return 1
    hutch_ list --quiet >"$T/out"
    out_is bg
}
exec_sees_container() {
    h exec bg sh -c 'ps -o pid,comm; hostname'
    rc_is 0 && out_has '^ *1 hutch' && out_has '^ *[0-9]* sleep' && out_has '^bg-host$' || return 1
    # exec's own options, and its exit code
    h exec -e X=1 -w /tmp bg sh -c 'echo $X $(pwd) $(id -u); exit 5'
    rc_is 5 && out_is "1 /tmp 0" || return 1
    h exec --user user bg id -u
    rc_is 0 && out_is 1000 || return 1
    # the same hardening as the container's first process
    h exec bg grep -E '^(CapEff|NoNewPrivs|Seccomp):' /proc/self/status
    rc_is 0 && out_has 'a80425fb' && out_has 'NoNewPrivs:[[:space:]]*1' && out_has 'Seccomp:[[:space:]]*2' || return 1
    h exec bg no-such-command
    rc_is 127 && one_line_error "no-such-command"
}
inspect_and_pidfile() {
    h inspect bg
    rc_is 0 && out_has '"status": "running"' && out_has '"name": "bg"' && out_has '"run": \[' 
}
stop_in_time() {
    h stop -t 5 bg
    rc_is 0 && eq "$(hutch_ list --quiet)" "" "containers after stop"
}
stop_ignoring_sigterm() {
    h run -d --name stubborn --pidfile "$T/stubborn.pid" --log "$T/stubborn.log" "$EXT4" \
        sh -c 'trap "" TERM; echo trapped; while :; do sleep 1; done'
    rc_is 0 || return 1
    # -d returns once the shell runs; its trap comes a moment later
    local tries=0
    while ! grep -q trapped "$T/stubborn.log" 2>/dev/null && [ $tries -lt 200 ]; do
        sleep 0.05
        tries=$((tries + 1))
    done
    [ "$(cat "$T/stubborn.pid")" -gt 1 ] && kill -0 "$(cat "$T/stubborn.pid")" || { no "no pidfile"; return 1; }
    local start
    start=$(now)
    h stop -t 2 stubborn
    local took=$(($(now) - start))
    rc_is 0 && [ "$took" -ge 1 ] && [ "$took" -le 8 ] || { no "stop took $took s"; return 1; }
    [ ! -e "$T/stubborn.pid" ] || no "the pidfile stayed"
}
restart_on_failure() {
    mkdir -p "$T/runs"
    h run -d --name flaky --restart on-failure:3 --bind "$T/runs:/mnt" "$SQFS" \
        sh -c 'cut -d" " -f1 /proc/uptime >>/mnt/times; exit 3'
    rc_is 0 || return 1
    h wait flaky
    rc_is 3 && out_is 3 || return 1
    eq "$(wc -l <"$T/runs/times")" 4 "runs (one and three restarts)" || return 1
    # The back-off grows: the third pause is longer than the first.
    awk 'NR > 1 { gap[NR - 1] = $1 - prev } { prev = $1 }
         END { if (!(gap[3] > gap[1])) { print "gaps " gap[1] " " gap[2] " " gap[3]; exit 1 } }' \
        "$T/runs/times" || no "the back-off did not grow"
}
restart_always() {
    h run -d --name again --restart always "$SQFS" sh -c 'sleep 0.2; exit 0'
    rc_is 0 || return 1
    sleep 2
    local restarts
    restarts=$(status_of again restarts)
    h stop again
    rc_is 0 && [ "${restarts:-0}" -ge 2 ] || no "$restarts restarts in 2 s"
}
name_in_use() {
    h run -d --name taken "$SQFS" sleep 30
    rc_is 0 || return 1
    h run --name taken "$SQFS" true
    rc_is 125 && one_line_error "name taken is in use" || return 1
    eq "$(hutch_ list --quiet)" taken "still running" && h stop taken && rc_is 0
}
killed_monitor_cleaned() {
    ip link add br-life type bridge && ip link set br-life up || return 1
    h run -d --name doomed --memory 32M --bridge br-life --ip 10.9.9.2/24 "$EXT4" sleep 60
    rc_is 0 || return 1
    local monitor
    monitor=$(status_of doomed monitor)
    [ -n "$monitor" ] && kill -KILL "$monitor" || { no "no monitor"; return 1; }
    hutch_ list >"$T/out"
    ! grep -q doomed "$T/out" && [ ! -e "$HUTCH_STATE_DIR/doomed" ] || { no "state stayed"; return 1; }
    no_leaks || return 1
    local cg
    cg=$(awk '$3 ~ /^cgroup/ { print $2 }' /proc/mounts | while read -r m; do
        [ -d "$m/hutch/doomed" ] && echo "$m"; done)
    ip link del br-life
    eq "$cg" "" "cgroups left"
}
kill_and_wait() {
    h run -d --name victim "$SQFS" sleep 60
    # wait first: once the container has ended, there is no container of that name to wait for
    "$HUTCH" wait victim </dev/null >"$T/wait.out" 2>"$T/wait.err" &
    local waiter=$!
    sleep 0.5
    h kill victim TERM
    rc_is 0 || return 1
    wait $waiter
    rc=$?
    cp "$T/wait.out" "$T/out"
    cp "$T/wait.err" "$T/err"
    rc_is 143 && out_is 143
}
log_rotates() {
    h run --name chatty --log "$T/chatty.log" --log-max 4k "$SQFS" \
        sh -c 'i=0; while [ $i -lt 300 ]; do echo "line $i of the log"; i=$((i + 1)); done'
    rc_is 0 || return 1
    [ -s "$T/chatty.log.1" ] && [ "$(wc -c <"$T/chatty.log")" -le 4096 ] || { no "no rotation"; return 1; }
    tail -n 1 "$T/chatty.log" | grep -q 'line 299 of the log' || no "the last line is not in the log"
}
config_and_start() {
    mkdir -p "$T/conf"
    cat >"$T/conf/svc.conf" <<CONF
# a service, from its config file
image = $SQFS
command = sh -c "echo \$GREETING; sleep 60"
env = GREETING=hello from config
hostname = svc-host
pids = 32
CONF
    HUTCH_CONFIG_DIR=$T/conf h start svc
    rc_is 0 || return 1
    h exec svc sh -c 'hostname; echo $GREETING'
    rc_is 0 && out_has svc-host && out_has 'hello from config' || return 1
    h stop svc
    # flags on the command line win over the file
    h run --config "$T/conf/svc.conf" --hostname cli-host "$SQFS" hostname
    rc_is 0 && out_is cli-host
}
init_script() {
    mkdir -p "$T/conf" "$T/init.d"
    cat >"$T/conf/boot.conf" <<CONF
image = $SQFS
command = sleep 60
CONF
    cp "$TOP/board/init.d/hutch" "$T/init.d/hutch" && ln -sf hutch "$T/init.d/hutch.boot" || return 1
    export HUTCH HUTCH_CONFIG_DIR="$T/conf"
    "$T/init.d/hutch.boot" status >/dev/null
    [ $? = 3 ] || { no "status of a stopped container is not 3"; return 1; }
    "$T/init.d/hutch.boot" start >"$T/out" 2>&1 && "$T/init.d/hutch.boot" status >/dev/null || { no "start: $(cat "$T/out")"; return 1; }
    local first
    first=$(status_of boot pid)
    "$T/init.d/hutch.boot" restart >"$T/out" 2>&1 && "$T/init.d/hutch.boot" status >/dev/null || { no "restart: $(cat "$T/out")"; return 1; }
    [ "$(status_of boot pid)" != "$first" ] || { no "restart kept the same container"; return 1; }
    "$T/init.d/hutch.boot" stop >"$T/out" 2>&1 || { no "stop: $(cat "$T/out")"; return 1; }
    "$T/init.d/hutch.boot" status >/dev/null
    [ $? = 3 ]
}

# bad input
unknown_name() {
    for cmd in "exec nosuch true" "stop nosuch" "kill nosuch" "wait nosuch" "inspect nosuch"; do
        h $cmd
        rc_is 125 && one_line_error "no container named nosuch" || return 1
    done
}
bad_signal() {
    h run -d --name sig "$SQFS" sleep 30
    h kill sig SIGFOO
    local bad=$rc
    cp "$T/err" "$T/err.bad"
    h stop sig
    rc=$bad
    cp "$T/err.bad" "$T/err"
    rc_is 125 && one_line_error "bad signal 'SIGFOO'"
}
bad_config_line() {
    printf 'image = %s\nthis is not a setting\n' "$SQFS" >"$T/bad.conf"
    h run --config "$T/bad.conf" true
    rc_is 125 && one_line_error "bad.conf:2: expected KEY = VALUE" || return 1
    printf 'memory = lots\n' >"$T/bad2.conf"
    h run --config "$T/bad2.conf" "$SQFS" true
    rc_is 125 && one_line_error "bad2.conf:1: --memory 'lots'"
}
never_started() {
    # A container that cannot start at all is not restarted, detached or not.
    h run --restart always "$T/no-such.img" true
    rc_is 125 && one_line_error "no-such.img" || return 1
    h run -d --restart on-failure --name never "$T/no-such.img" true
    rc_is 125 && one_line_error "no-such.img" && eq "$(our_states)" "" "state left"
}
unwritable_log() {
    h run -d --name logless --log /proc/no-such-dir/x.log "$SQFS" true
    rc_is 125 && one_line_error "--log /proc/no-such-dir/x.log" && eq "$(our_states)" "" "state left"
}

t "a detached container outlives the shell that started it; list shows it" detached_outlives_shell
t "exec joins its namespaces, with its hardening; options and exit code" exec_sees_container
t "inspect" inspect_and_pidfile
t "stop ends it within the timeout" stop_in_time
t "stop ends a container that ignores SIGTERM; --pidfile" stop_ignoring_sigterm
t "--restart on-failure:3 runs it 3 more times with a growing back-off" restart_on_failure
t "--restart always restarts a command that exits 0" restart_always
t "a second run with a name in use is refused, the first goes on" name_in_use
t "a monitor killed with SIGKILL: list clears its state; no loop, mount, veth, cgroup left" killed_monitor_cleaned
t "kill sends a signal; wait returns the exit code" kill_and_wait
t "--log appends the output and rotates past --log-max" log_rotates
t "--config and hutch start; flags win over the file" config_and_start
t "the init.d script: start, status, restart, stop" init_script
t "an unknown name: one line, 125" unknown_name
t "a bad signal: one line, 125" bad_signal
t "a bad config line names the file and line" bad_config_line
t "an unwritable log path: one line, 125, nothing left" unwritable_log
t "a container that cannot start is not restarted" never_started
finish
