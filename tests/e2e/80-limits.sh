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
# The directory of NAME's cgroup that holds FILE (one hierarchy or another, v1 or v2).
cgroup_file() {
    local d
    for d in $(cgroups_of "$1"); do
        [ -f "$d/$2" ] && { echo "$d/$2"; return 0; }
    done
    return 1
}
pids_limit() {
    # A fork bomb that keeps trying (up to 500 children for 6 s: a shell's would give up at its
    # first refused fork) against --pids 40, looked at while it runs: the limit is in pids.max,
    # the cgroup is full up to it and no further, the kernel refused the rest, the host still
    # starts processes.
    "$HUTCH" run --name bomb --pids 40 --bind "$PROBE:/probe:ro" "$EXT4" /probe forks 500 6 \
        </dev/null >"$T/out" 2>"$T/err" &
    pid=$!
    local i=0 max="" current=0 procs=0 peak=0 n
    while [ -z "$max" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); max=$(cat "$(cgroup_file bomb pids.max)" 2>/dev/null); done
    i=0
    while [ $i -lt 30 ]; do # 3 s of the bomb
        current=$(cat "$(cgroup_file bomb pids.current)" 2>/dev/null || echo 0)
        [ "$current" -gt "$peak" ] && peak=$current
        n=$(cat "$(cgroup_file bomb cgroup.procs)" 2>/dev/null | wc -l)
        [ "$n" -gt "$procs" ] && procs=$n
        sleep 0.1
        i=$((i + 1))
    done
    host_ok=no
    sh -c 'echo responsive' >/dev/null && host_ok=yes
    wait $pid
    rc=$?
    eq "$host_ok" yes "host responsive" && rc_is 0 && eq "$max" 40 "pids.max" || return 1
    # at the limit (init and the probe are 2 of the 40), never above it, the rest refused
    eq "$peak" 40 "the peak of pids.current" || return 1
    [ "$procs" -ge 30 ] && [ "$procs" -le 40 ] || no "at most $procs processes seen in the cgroup" || return 1
    grep -q '^forks: most 38 alive, [1-9][0-9]* refused$' "$T/out" || no "the bomb: $(cat "$T/out")"
}
# busy NAME ARGS...: spin for 3 s in a container; echo its CPU use in ms (the v2 usage counter)
# and how often its quota stopped it (nr_throttled, from whichever cpu.stat has it).
busy() {
    # The CPU time of the loop as the container's shell counts it (its children's, from
    # /proc/self/stat: the same on v1, v2 and hybrid), and how often the quota stopped it.
    local name=$1
    shift
    "$HUTCH" run --name "$name" "$@" "$EXT4" sh -c 'timeout 3 sh -c "while :; do :; done"
        set -- $(sed "s/.*) //" /proc/$$/stat); echo $(( (${14} + ${15}) * 10 )); sleep 2' \
        </dev/null >"$T/busy.out" 2>&1 &
    local pid=$! i=0
    while ! grep -q '^[0-9]' "$T/busy.out" && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
    local throttled=0 dir n
    for dir in $(cgroups_of "$name"); do
        n=$(awk '$1 == "nr_throttled" { print $2 }' "$dir/cpu.stat" 2>/dev/null)
        [ "${n:-0}" -gt "$throttled" ] && throttled=$n
    done
    wait $pid
    # (the shell may say "Terminated" of the loop that timeout ended)
    echo "$(grep -m 1 '^[0-9][0-9]*$' "$T/busy.out") $throttled"
}
cpu_quota() {
    set -- $(busy cpu-half --cpus 0.5)
    local half=$1 throttled=$2
    set -- $(busy cpu-full)
    local full=$1
    # 3 s of spinning at half a CPU is about 1500 ms (wide margins: the machine is shared, and
    # other load can only lower it), unlimited near 3000; the quota stopped the loop again and
    # again.
    [ "$half" -ge 600 ] && [ "$half" -le 2100 ] || no "with --cpus 0.5 the loop got $half ms of 3000" || return 1
    [ "$full" -gt "$half" ] || no "without a limit the loop got $full ms, with one $half" || return 1
    [ "$throttled" -ge 5 ] || no "throttled only $throttled times"
}
cpuset() {
    h run --cpuset 0 "$EXT4" grep Cpus_allowed_list /proc/self/status
    rc_is 0 && out_has 'Cpus_allowed_list:[[:space:]]*0$'
}
cgroups_removed() {
    h run -d --name cg-gone --memory 64M --pids 100 "$EXT4" sleep 60
    rc_is 0 || return 1
    local during
    during=$(cgroups_of cg-gone)
    h stop -t 1 cg-gone
    [ -n "$during" ] || { no "no cgroup while it ran"; return 1; }
    rc_is 0 && eq "$(cgroups_of cg-gone)" "" "cgroups left"
}
no_swap() {
    # --memory is all the container gets: no swap beyond it.
    h run -d --name noswap --memory 64M "$EXT4" sleep 60
    rc_is 0 || return 1
    local v2 v1
    v2=$(cat "$(cgroup_file noswap memory.swap.max)" 2>/dev/null)
    v1=$(cat "$(cgroup_file noswap memory.memsw.limit_in_bytes)" 2>/dev/null)
    h stop -t 1 noswap
    case "$v2/$v1" in
    0/* | */67108864) ;;
    "/") skip_why="no swap accounting in this kernel (memory.swap.max, memsw)"; return 2 ;;
    *) no "swap allowed: memory.swap.max '$v2', memsw '$v1'" ;;
    esac
}
own_cgroup_namespace() {
    h run --memory 64M "$EXT4" cat /proc/self/cgroup
    rc_is 0 || return 1
    # Inside, the container's cgroups are the roots: every line ends in ":/".
    ! grep -v ':/$' "$T/out" || no "cgroups outside the namespace seen: $(grep -v ':/$' "$T/out")"
}
stale_removed() {
    "$HUTCH" run --name stale --memory 64M "$EXT4" sleep 1002 </dev/null >/dev/null 2>&1 &
    pid=$!
    local tries=0 init=""
    while [ -z "$init" ] && [ $tries -lt 100 ]; do
        sleep 0.05
        tries=$((tries + 1))
        init=$("$HUTCH" inspect stale 2>/dev/null | sed -n 's/^  "pid": "\([0-9]*\)",$/\1/p')
    done
    [ -n "$init" ] && [ -n "$(cgroups_of stale)" ] ||
        { no "no container or cgroup while running"; kill -KILL $pid; wait $pid; return 1; }
    kill -KILL $pid
    wait $pid 2>/dev/null
    gone_within 2 sleep 1002 || { no "the container outlived its killed hutch"; return 1; }
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
    rc_is 125 && one_line_error "no memory cgroup controller" && err_has "CONFIG_MEMCG"
}

[ -x "$PROBE" ] && t "--memory: allocating past it is OOM-killed, 137 and one line" memory_limit ||
    skip "--memory" "no hutch-probe"
t "--pids: a fork bomb stops at the limit, the host stays responsive" pids_limit
t "--cpus 0.5 holds a busy loop near half a CPU, throttled (v1, v2 or hybrid)" cpu_quota
t "--cpuset pins the container" cpuset
t "the cgroups are there while it runs and removed when the container ends" cgroups_removed
t "--memory: no swap beyond it" no_swap
t "the container has its own cgroup namespace" own_cgroup_namespace
t "a killed hutch's cgroups are removed by the next run" stale_removed
t "a controller the kernel lacks: one line, 125" missing_controller
finish
