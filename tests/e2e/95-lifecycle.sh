#!/bin/sh
# Board life: detached containers with state, list, exec, kill, stop, wait, inspect, restart
# policies, logs, pidfiles, config files, `hutch start`, and the init.d script. Runs in a network
# namespace of its own (one test uses a veth).
. "$(dirname "$0")/lib.sh"
in_own_netns
TOP=$(cd "$(dirname "$0")/../.." && pwd)

hutch_() { "$HUTCH" "$@" </dev/null; }
# PID is a process that has not ended (a zombie has: it waits only for whoever adopted it to reap it).
running() {
    local s
    s=$(awk '/^State:/ { print $2 }' "/proc/$1/status" 2>/dev/null)
    [ -n "$s" ] && [ "$s" != Z ]
}
# A field of `hutch inspect NAME`, read by a strict JSON reader (hutch-probe json).
status_of() { "$HUTCH" inspect "$1" 2>/dev/null | "$PROBE" json "$2"; }

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
# A descriptor the caller had open (here a pipe's write end, as 7) is not kept by the monitor:
# the reader sees its end once run -d returns, not when the container ends an hour later.
monitor_keeps_no_caller_fd() {
    rm -f "$T/eof"
    { "$HUTCH" run -d --name fds "$EXT4.fds" sleep 3600 7>&1 >/dev/null 2>&1 </dev/null | cat >/dev/null
        echo eof >"$T/eof"; } &
    local seen=0
    wait_for "$T/eof" eof && seen=1
    "$HUTCH" stop -t 1 fds >/dev/null 2>&1
    rm -f "$EXT4.fds"
    [ $seen = 1 ] || no "the pipe stayed open while the container ran: the monitor holds the caller's descriptor"
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
inspect_json() {
    # A command line holding quotes and backslashes: inspect is valid JSON and gives it back.
    h run -d --name quoted "$SQFS" sh -c 'sleep 60; echo "a \"b\" c\\d"' 'x"y' 'back\slash'
    rc_is 0 || return 1
    h inspect quoted
    rc_is 0 || return 1
    local f
    for f in name status pid monitor image loop; do
        "$PROBE" json "$f" <"$T/out" >"$T/field" || { no "inspect: not valid JSON, or no $f: $(cat "$T/out")"; return 1; }
    done
    eq "$("$PROBE" json name <"$T/out")" quoted "name" && eq "$("$PROBE" json status <"$T/out")" running "status" &&
        eq "$("$PROBE" json pid <"$T/out" | grep -c '^[0-9][0-9]*$')" 1 "a pid" || return 1
    "$PROBE" json run <"$T/out" >"$T/run"
    h stop quoted
    eq "$(sed -n '$p' "$T/run")" 'back\slash' "the last word of run" &&
        grep -qxF 'sleep 60; echo "a \"b\" c\\d"' "$T/run" && grep -qxF 'x"y' "$T/run" ||
        no "run: $(cat "$T/run")"
}
stop_in_time() {
    local start
    start=$(now)
    h stop -t 5 bg
    local took
    took=$(since "$start")
    # sleep ends at SIGTERM: stop returns long before its timeout
    rc_is 0 && eq "$(hutch_ list --quiet)" "" "containers after stop" && less_than "$took" 3 "seconds to stop"
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
    local took
    took=$(since "$start")
    # SIGTERM ignored: SIGKILL after the 2 s of -t, not before, and not much later
    rc_is 0 && at_least "$took" 2 "seconds to stop" && less_than "$took" 5 "seconds to stop" || return 1
    [ ! -e "$T/stubborn.pid" ] || no "the pidfile stayed"
}
pidfile_term() {
    # The pidfile holds the monitor's pid: kill -TERM on it stops the container as `hutch stop`
    # does, with no restart even under --restart always, and leaves no state and no pidfile.
    h run -d --name termed --restart always --pidfile "$T/termed.pid" "$EXT4" sleep 1004
    rc_is 0 || return 1
    local pid i=0
    pid=$(cat "$T/termed.pid")
    hutch_procs | grep -qx "$pid" || { no "the pidfile's pid $pid is not a hutch process"; return 1; }
    [ -n "$(procs_running sleep 1004)" ] || { no "the container does not run"; return 1; }
    kill -TERM "$pid"
    gone_within 3 sleep 1004 || { no "the container outlived kill -TERM of its monitor"; return 1; }
    while running "$pid" && [ $i -lt 30 ]; do
        sleep 0.1; i=$((i + 1))
    done
    [ $i -lt 30 ] || { no "the monitor still runs"; return 1; }
    sleep 0.5
    [ -z "$(procs_running sleep 1004)" ] || { no "restarted after TERM"; return 1; }
    [ ! -e "$T/termed.pid" ] || { no "the pidfile stayed"; return 1; }
    eq "$(our_states)" "" "states left"
}
exec_joins_cgroups() {
    # A process of hutch exec is in every cgroup of the container (the host's view, whole paths).
    h run -d --name limited --memory 64M --pids 50 "$SQFS" sleep 1005
    rc_is 0 || return 1
    "$HUTCH" exec limited sleep 1006 </dev/null >/dev/null 2>&1 &
    local ex=$! i=0 c e
    while [ -z "$(procs_running sleep 1006)" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
    c=$(procs_running sleep 1005) e=$(procs_running sleep 1006)
    if [ -z "$c" ] || [ -z "$e" ]; then
        no "not running: container '$c', exec '$e'"
    else
        cat "/proc/$c/cgroup" >"$T/cg.container"
        cat "/proc/$e/cgroup" >"$T/cg.exec"
        grep -q 'hutch/limited' "$T/cg.container" || no "the container is in no cgroup of its own"
    fi
    h stop -t 1 limited
    wait $ex 2>/dev/null
    [ -z "$why" ] || return 1
    cmp -s "$T/cg.container" "$T/cg.exec" || no "exec's cgroups: $(tr '\n' ' ' <"$T/cg.exec"), the container's: $(tr '\n' ' ' <"$T/cg.container")"
}
no_init_signals() {
    # With --no-init the command is PID 1: a signal it has no handler for never reaches it, even
    # from the host (SIGTERM leaves sleep running; the stop's SIGKILL goes through); one it
    # handles does. Without --no-init hutch's init passes the SIGTERM on (stop_in_time).
    h run -d --name bare --no-init "$SQFS" sleep 1007
    rc_is 0 || return 1
    h kill bare TERM
    sleep 0.5
    [ -n "$(procs_running sleep 1007)" ] || { no "SIGTERM without a handler ended PID 1"; return 1; }
    h stop -t 1 bare
    rc_is 0 && gone_within 2 sleep 1007 || { no "sleep 1007 outlived stop"; return 1; }
    h run -d --name handler --no-init --log "$T/handler.log" "$SQFS" \
        sh -c 'trap "exit 7" TERM; echo ready; while :; do sleep 0.1; done'
    rc_is 0 || return 1
    local i=0
    while ! grep -q ready "$T/handler.log" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
    h kill handler TERM
    h wait handler
    rc_is 7 || { h stop -t 1 handler; return 1; }
    # found but not executable: 126 as PID 1 too
    h run --no-init "$SQFS" /etc/passwd
    rc_is 126 && one_line_error "/etc/passwd"
}
restart_on_failure() {
    mkdir -p "$T/runs"
    h run -d --name flaky --restart on-failure:4 --bind "$T/runs:/mnt" "$SQFS" \
        sh -c 'cut -d" " -f1 /proc/uptime >>/mnt/times; exit 3'
    rc_is 0 || return 1
    h wait flaky
    rc_is 3 && out_is 3 || return 1
    eq "$(wc -l <"$T/runs/times")" 5 "runs (one and four restarts)" || return 1
    # The pauses are 0.1, 0.2, 0.4 and 0.8 s: the fourth gap is longer than the first by more
    # than any start's jitter (the unit tests check the exact values and the 30 s cap).
    awk 'NR > 1 { gap[NR - 1] = $1 - prev } { prev = $1 }
         END { if (!(gap[4] > gap[1] + 0.4)) { print "gaps " gap[1] " " gap[2] " " gap[3] " " gap[4]; exit 1 } }' \
        "$T/runs/times" >"$T/gaps" || no "the back-off did not grow: $(cat "$T/gaps")"
}
backoff_resets() {
    # Runs of 0 s, 0 s, 0 s, then one of 10.5 s: the pause after it starts again at 0.1 s
    # (it would be 0.8 s), and a stop is not followed by a restart.
    mkdir -p "$T/reset"
    h run -d --name resets --restart always --bind "$T/reset:/mnt" "$SQFS" sh -c '
        n=$(cat /mnt/starts 2>/dev/null | wc -l)
        cut -d" " -f1 /proc/uptime >>/mnt/starts
        [ "$n" = 3 ] && sleep 10.5
        cut -d" " -f1 /proc/uptime >>/mnt/ends'
    rc_is 0 || return 1
    local i=0
    while [ "$(cat "$T/reset/starts" 2>/dev/null | wc -l)" -lt 5 ] && [ $i -lt 400 ]; do sleep 0.1; i=$((i + 1)); done
    local monitor
    monitor=$(status_of resets monitor)
    h stop resets
    rc_is 0 || return 1
    # the long run is the 4th start; the pause after it (from its end to the 5th start) is the
    # first one's again (0.1 s, each with the same cost of a start), not 0.8 s
    local pause first
    pause=$(awk 'NR == FNR { s[FNR] = $1; next } FNR == 4 { printf "%.2f", s[5] - $1 }' "$T/reset/starts" "$T/reset/ends")
    first=$(awk 'NR == FNR { s[FNR] = $1; next } FNR == 1 { printf "%.2f", s[2] - $1 + 0.35 }' "$T/reset/starts" "$T/reset/ends")
    less_than "$pause" "$first" "the pause after a run of 10 s (the first pause + 0.35 s)" || return 1
    local runs
    runs=$(wc -l <"$T/reset/starts")
    sleep 1
    eq "$(wc -l <"$T/reset/starts")" "$runs" "starts after the stop" || return 1
    # gone, or a zombie that whoever adopted it has not reaped yet
    [ -n "$monitor" ] && ! running "$monitor" ||
        { no "the monitor '$monitor' runs on"; return 1; }
    eq "$(hutch_ list --quiet)" "" "containers after the stop"
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
    # kill returns before the process has ended and let go of its lock: until then it is live
    local i=0
    while [ -d "/proc/$monitor" ] && [ $i -lt 50 ]; do sleep 0.05; i=$((i + 1)); done
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
# /run is flash on many boards: a foreground container that nothing can name writes nothing at
# all (the state directory is not even made), and list does not show it.
unnamed_writes_nothing() {
    local fresh=$T/fresh-state pid i=0
    HUTCH_STATE_DIR=$fresh "$HUTCH" run "$SQFS" sleep 1031 </dev/null >/dev/null 2>&1 &
    pid=$!
    # (a start under TCG, on a loaded machine, takes seconds)
    while [ -z "$(procs_running sleep 1031)" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
    [ -n "$(procs_running sleep 1031)" ] || { kill "$pid"; wait "$pid"; no "the container did not start"; return 1; }
    local made=""
    [ ! -e "$fresh" ] || made=$(ls -R "$fresh" | tr '\n' ' ')
    HUTCH_STATE_DIR=$fresh h list --quiet
    local listed_rc=$rc
    cp "$T/out" "$T/listed"
    kill -TERM "$pid"
    wait "$pid"
    rc=$?
    eq "$made" "" "made for it" && eq "$listed_rc" 0 "list's status" && eq "$(cat "$T/listed")" "" "listed" &&
        rc_is 143 && [ ! -e "$fresh" ] || no "${why:-the state directory $fresh exists after it}"
}
# A named foreground container: its state is written once (one file renamed into place), beside
# an empty lock; nothing else is created, renamed or removed there but that, at its end. Where
# there is strace: the file operations under the state directory, paths resolved (-y).
named_writes_once() {
    have strace || { skip_why="no strace"; return 2; }
    strace -f -qq -y -e trace=openat,open,creat,rename,renameat,renameat2,unlink,unlinkat,mkdir,mkdirat,rmdir,truncate,ftruncate,pwrite64,write \
        -o "$T/strace" "$HUTCH" run --name once "$SQFS" true </dev/null >/dev/null 2>&1
    local st=$HUTCH_STATE_DIR
    # the calls on or in the state directory: writes, creations, renames and removals
    grep -F "$st/once" "$T/strace" | grep -Ev 'O_RDONLY[|)]|O_RDONLY,| = -1 ' |
        grep -E 'O_CREAT|O_WRONLY|O_RDWR|rename|unlink|mkdir|rmdir|truncate|pwrite|write\(' >"$T/writes"
    local renames creates
    renames=$(grep -c rename "$T/writes")
    creates=$(grep -c O_CREAT "$T/writes")
    eq "$renames" 1 "renames in the state directory" && eq "$creates" 2 "files created there (lock, .state.new)" &&
        grep -q 'renameat.*"\.state\.new".*"state"' "$T/writes" &&
        ! grep -E 'pwrite64\(.*lock' "$T/writes" >/dev/null ||
        { no "$why; the writes: $(cat "$T/writes" | cut -c1-160 | tr '\n' ';')"; return 1; }
}
# HUTCH_TRACE=1: a line per phase on stderr, from start to end, the child's among them; the
# command's own output untouched; without the variable, not a line.
trace_phases() {
    HUTCH_TRACE=1 h run "$SQFS" echo hi
    rc_is 0 && out_is hi || return 1
    local order
    order=$(sort -n -k2 "$T/err" | awk '$1 == "hutch-trace:" { print $3 }' | tr '\n' ' ')
    case $order in
    "start sealed-copy main state image loop clone go rootfs mount proc dev masks pivot config security exec run "*"end ") ;;
    *) no "phases in the order of their times: '$order'"; return 1 ;;
    esac
    [ "$(grep -vc '^hutch-trace: [0-9][0-9]* [a-z-]*$' "$T/err")" = 0 ] || { no "other lines on stderr"; return 1; }
    h run "$SQFS" echo hi
    rc_is 0 && [ ! -s "$T/err" ] || no "stderr without HUTCH_TRACE: $(cat "$T/err")"
}
log_rotates() {
    h run --name chatty --log "$T/chatty.log" --log-max 4k "$SQFS" \
        sh -c 'i=0; while [ $i -lt 300 ]; do echo "line $i of the log"; i=$((i + 1)); done'
    rc_is 0 || return 1
    [ -s "$T/chatty.log.1" ] && [ "$(wc -c <"$T/chatty.log")" -le 4096 ] || { no "no rotation"; return 1; }
    tail -n 1 "$T/chatty.log" | grep -q 'line 299 of the log' || no "the last line is not in the log"
}
log_appends_default_max() {
    # --log appends to what FILE held; without --log-max FILE turns into FILE.1 at 1 MiB.
    echo "from before" >"$T/app.log"
    h run --log "$T/app.log" "$SQFS" echo first
    h run --log "$T/app.log" "$SQFS" echo second
    eq "$(tr '\n' ' ' <"$T/app.log")" "from before first second " "the log" || return 1
    # 1.5 MiB of 64-byte lines
    h run --log "$T/big.log" "$SQFS" sh -c 'yes 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde | head -n 24576'
    rc_is 0 || return 1
    local one all
    one=$(wc -c <"$T/big.log.1" 2>/dev/null || echo 0) all=$(cat "$T/big.log" "$T/big.log.1" 2>/dev/null | wc -c)
    [ ! -e "$T/big.log.2" ] && [ "$one" -gt 1040000 ] && [ "$one" -le 1048576 ] &&
        [ "$(wc -c <"$T/big.log")" -le 1048576 ] && [ "$all" -eq 1572864 ] ||
        no "rotated at $one bytes, $all in all (want at 1 MiB, 1572864)"
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
cp "$EXT4" "$EXT4.fds"
t "the monitor of run -d keeps none of its caller's descriptors" monitor_keeps_no_caller_fd
t "inspect is valid JSON, quotes and backslashes in the command kept" inspect_json
t "stop ends it within the timeout" stop_in_time
t "stop ends a container that ignores SIGTERM; --pidfile" stop_ignoring_sigterm
t "kill -TERM of the pidfile's pid stops it cleanly, not restarted" pidfile_term
t "exec joins the container's cgroups" exec_joins_cgroups
t "--no-init: no signal without a handler reaches PID 1, a handled one does; 126" no_init_signals
t "--restart on-failure:4 runs it 4 more times with a growing back-off" restart_on_failure
t "the back-off starts afresh after a run of 10 s; a stop ends the restarts" backoff_resets
t "--restart always restarts a command that exits 0" restart_always
t "a second run with a name in use is refused, the first goes on" name_in_use
t "a monitor killed with SIGKILL: list clears its state; no loop, mount, veth, cgroup left" killed_monitor_cleaned
t "kill sends a signal; wait returns the exit code" kill_and_wait
t "a foreground container without --name writes no state; list does not show it" unnamed_writes_nothing
t "a named foreground container's state is one file written once, beside its lock" named_writes_once
t "HUTCH_TRACE=1 prints each phase of the start and the end, in order; nothing without it" trace_phases
t "--log appends the output and rotates past --log-max" log_rotates
t "--log appends to what the file held; the default --log-max is 1 MiB" log_appends_default_max
t "--config and hutch start; flags win over the file" config_and_start
t "the init.d script: start, status, restart, stop" init_script
t "an unknown name: one line, 125" unknown_name
t "a bad signal: one line, 125" bad_signal
t "a bad config line names the file and line" bad_config_line
t "an unwritable log path: one line, 125, nothing left" unwritable_log
t "a container that cannot start is not restarted" never_started
finish
