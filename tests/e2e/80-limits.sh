#!/bin/sh
# Resource limits through cgroups (v1 on the host, v2 in the QEMU guest): memory, pids, CPU
# quota and CPU set; their cgroups removed at the end, stale ones by the next run.
. "$(dirname "$0")/lib.sh"

# The cgroup v2 mount, if any (the usage counter lives there on v2 and hybrid layouts).
V2=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)
# Every cgroup directory hutch made for container NAME.
cgroups_of() {
    awk '$3 ~ /^cgroup/ { print $2 }' /proc/mounts | sort -u | while read -r m; do
        [ -d "$m/hutch/$1" ] && echo "$m/hutch/$1"
    done
    return 0
}

memory_limit() {
    h run --name mem-ok --bind "$PROBE:/probe:ro" "$EXT4" /probe alloc 48
    rc_is 0 || return 1 # without a limit the same allocation succeeds
    h run --name mem --memory 32M --bind "$PROBE:/probe:ro" "$EXT4" /probe alloc 48
    rc_is 137 && one_line_error "memory limit" && eq "$(cgroups_of mem)" "" "cgroups left"
}
pids_limit() {
    # A bounded fork bomb (2^9 processes without a limit) against --pids 40; meanwhile the host
    # still starts processes.
    "$HUTCH" run --name bomb --pids 40 "$EXT4" sh -c '
        f() { [ "$1" -gt 0 ] && { f $(($1 - 1)) & f $(($1 - 1)) & }; sleep 4; }
        f 8 2>/dev/null
        # Until the bomb has burnt out, even this shell may not fork: try again.
        while ! sleep 5; do sleep 1; done 2>/dev/null
        n=; while [ -z "$n" ]; do n=$(ps -o pid | wc -l); done 2>/dev/null; echo $n' \
        </dev/null >"$T/out" 2>"$T/err" &
    pid=$!
    sleep 2
    host_ok=no
    sh -c 'echo responsive' >/dev/null && host_ok=yes
    current=$(cat "$(cgroups_of bomb | grep pids | head -n 1)/pids.current" 2>/dev/null ||
              cat "$(cgroups_of bomb | head -n 1)/pids.current" 2>/dev/null)
    wait $pid
    rc=$?
    eq "$host_ok" yes "host responsive" && rc_is 0 || return 1
    [ "${current:-0}" -le 40 ] || no "pids.current $current > 40" || return 1
    # ps -o pid prints a header line: at most 40 processes inside
    [ "$(cat "$T/out")" -le 41 ] || no "$(cat "$T/out") lines of ps"
}
# busy NAME ARGS...: spin for 3 s in a container; echo its CPU use in ms (the v2 usage counter)
# and how often its quota stopped it (nr_throttled, from whichever cpu.stat has it).
busy() {
    local name=$1
    shift
    # The count starts when the loop does: the container's start (slow under an emulator) is
    # not part of it.
    "$HUTCH" run --name "$name" "$@" "$EXT4" sh -c 'echo spinning; timeout 3 sh -c "while :; do :; done"; sleep 3' \
        </dev/null >"$T/busy.out" 2>&1 &
    local pid=$! i=0
    while ! grep -q spinning "$T/busy.out" && [ $i -lt 300 ]; do sleep 0.05; i=$((i + 1)); done
    local before usage throttled=0 dir
    before=$(awk '$1 == "usage_usec" { print int($2 / 1000) }' "$V2/hutch/$name/cpu.stat")
    sleep 4
    usage=$(awk -v b="${before:-0}" '$1 == "usage_usec" { print int($2 / 1000) - b }' "$V2/hutch/$name/cpu.stat")
    for dir in $(cgroups_of "$name"); do
        local n
        n=$(awk '$1 == "nr_throttled" { print $2 }' "$dir/cpu.stat" 2>/dev/null)
        [ "${n:-0}" -gt "$throttled" ] && throttled=$n
    done
    echo "${usage:-0} $throttled"
    wait $pid
}
cpu_quota() {
    set -- $(busy cpu-half --cpus 0.5)
    local half=$1 throttled=$2
    # 3 s of spinning at half a CPU is about 1500 ms (wide margins: the machine is shared, and
    # other load can only lower it); the quota must have stopped the loop again and again.
    [ "$half" -ge 600 ] && [ "$half" -le 2100 ] || no "with --cpus 0.5 the loop got $half ms of 3000" || return 1
    [ "$throttled" -ge 5 ] || no "throttled only $throttled times"
}
cpuset() {
    h run --cpuset 0 "$EXT4" grep Cpus_allowed_list /proc/self/status
    rc_is 0 && out_has 'Cpus_allowed_list:[[:space:]]*0$'
}
cgroups_removed() {
    h run --name cg-gone --memory 64M --pids 100 "$EXT4" sh -c 'cat /proc/self/cgroup'
    rc_is 0 && eq "$(cgroups_of cg-gone)" "" "cgroups left"
}
own_cgroup_namespace() {
    h run --memory 64M "$EXT4" cat /proc/self/cgroup
    rc_is 0 || return 1
    # Inside, the container's cgroups are the roots: every line ends in ":/".
    ! grep -v ':/$' "$T/out" || no "cgroups outside the namespace seen: $(grep -v ':/$' "$T/out")"
}
stale_removed() {
    "$HUTCH" run --name stale --memory 64M "$EXT4" sleep 30 </dev/null >/dev/null 2>&1 &
    pid=$!
    local tries=0 init=""
    while [ -z "$init" ] && [ $tries -lt 100 ]; do
        sleep 0.05
        tries=$((tries + 1))
        init=$(cut -d" " -f1 "$HUTCH_STATE_DIR/stale/pid" 2>/dev/null)
    done
    [ -n "$init" ] && [ -n "$(cgroups_of stale)" ] || { no "no container or cgroup while running"; return 1; }
    kill -KILL $pid
    wait $pid 2>/dev/null
    # Its container dies with it; the cgroups stay, empty, until the next run, once the init of
    # the dead container (an orphan now) has been reaped by the machine's init.
    tries=0
    while [ -d "/proc/$init" ] && [ $tries -lt 600 ]; do sleep 0.05; tries=$((tries + 1)); done
    [ -n "$(cgroups_of stale)" ] || { no "the killed container's cgroup was gone before the next run"; return 1; }
    h run "$SQFS" true
    rc_is 0 && eq "$(cgroups_of stale)" "" "stale cgroups after the next run" && no_leaks
}
missing_controller() {
    # A kernel without the memory controller, as seen from a mount namespace without cgroups.
    unshare -m --propagation private sh -c '
        awk "\$3 ~ /^cgroup/ { print \$2 }" /proc/mounts | sort -r | while read -r m; do umount "$m"; done
        exec "$0" run --memory 32M "$1" true' "$HUTCH" "$EXT4" </dev/null >"$T/out" 2>"$T/err"
    rc=$?
    rc_is 125 && one_line_error "no memory cgroup controller"
}

[ -x "$PROBE" ] && t "--memory: allocating past it is OOM-killed, 137 and one line" memory_limit ||
    skip "--memory" "no hutch-probe"
t "--pids: a fork bomb stops at the limit, the host stays responsive" pids_limit
if [ -n "$V2" ]; then t "--cpus 0.5 holds a busy loop near half a CPU, throttled (cgroup counters)" cpu_quota
else skip "--cpus 0.5" "no cgroup v2 usage counter"; fi
t "--cpuset pins the container" cpuset
t "the cgroups are removed when the container ends" cgroups_removed
t "the container has its own cgroup namespace" own_cgroup_namespace
t "a killed hutch's cgroups are removed by the next run" stale_removed
t "a controller the kernel lacks: one line, 125" missing_controller
finish
