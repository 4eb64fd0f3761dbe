#!/bin/sh
# The soak (issue 14): many containers one after another and many at once, on ext4, squashfs,
# erofs and directory roots, mixed with --net veth, limits and -d, while the test SIGKILLs hutch,
# the monitor, the container's init and its command at random moments, and runs `hutch list`,
# `exec`, `stop` and `kill` beside them. Afterwards nothing may be left (loops, mounts, veths,
# cgroups, state, processes), `hutch list` shows exactly the containers still running, every ext4
# image is fsck-clean and hutch's own peak RSS (VmHWM) stayed below 1 MiB.
#
# POSIX sh (BusyBox ash runs it). Needs HUTCH and IMAGES, as the e2e tests do. Counts:
#   SOAK_RUNS      containers one after another (default 1000)
#   SOAK_PARALLEL  containers at once (default 50), in SOAK_ROUNDS rounds (default 3)
#   SOAK_KEEP      detached containers left running until the end (default 3)
#   SOAK_SEED      seed of the random choices (default: from the clock); printed, so a run repeats
#   SOAK_RSS_MAX   the RSS bound in kB (default 1024)
# Every pid this test signals is one it started ($! of a hutch started directly) or one it found
# below those: the monitor and init from the container's state files, each checked against
# /proc (its start time, its parent, that it runs hutch), and the command as init's child.
# A copy of the binary, so that a rebuild during the run does not change (or half-write) the
# hutch under test.
if [ -z "${SOAK_BIN:-}" ] && [ -n "${HUTCH:-}" ]; then
    SOAK_BIN=$(mktemp -d "${TMPDIR:-/tmp}/hutch-soak-bin.XXXXXX") && cp "$HUTCH" "$SOAK_BIN/hutch" || exit 1
    export SOAK_BIN HUTCH=$SOAK_BIN/hutch
fi
. "$(dirname "$0")/../e2e/lib.sh"
in_own_netns
SOAK_RUNS=${SOAK_RUNS:-1000}
SOAK_PARALLEL=${SOAK_PARALLEL:-50}
SOAK_ROUNDS=${SOAK_ROUNDS:-3}
SOAK_KEEP=${SOAK_KEEP:-3}
SOAK_SEED=${SOAK_SEED:-$(( $(date +%s) % 1000000 + $$ ))}
SOAK_RSS_MAX=${SOAK_RSS_MAX:-1024}
SQFS=$IMAGES/busybox.sqfs
EROFS=$IMAGES/busybox.erofs
ST=$HUTCH_STATE_DIR
LONG=3017            # `sleep $LONG`: the long-running command, found by its command line at the end
START=$(now)
echo "# soak: runs=$SOAK_RUNS parallel=$SOAK_PARALLEL rounds=$SOAK_ROUNDS keep=$SOAK_KEEP seed=$SOAK_SEED"
# Results of the workers (subshells) go to files: R: one line per container ("ok NAME" or
# "fail NAME WHY"); K: one line per SIGKILL delivered (its kind); C: one per concurrent command.
R=$T/results K=$T/kills C=$T/commands
: >"$R"; : >"$K"; : >"$C"; : >"$T/lockwaits"

# ---- small tools ----
rnd() { SEED=$(( (SEED * 1103515245 + 12345) % 2147483648 )); RND=$(( (SEED / 65536) % $1 )); }
# field N of /proc/PID/stat (comm is "hutch" or a command without spaces here)
stat_field() { cut -d' ' -f"$2" "/proc/$1/stat" 2>/dev/null; }
is_hutch() {
    case $(readlink "/proc/$1/exe" 2>/dev/null) in "$HUTCH" | "/memfd:hutch (deleted)") return 0 ;; esac
    return 1
}
# field NAME KEY: a one-line field of NAME's state file, read here, not by hutch (records
# "KEY LEN\nVALUE\n"; the fields read here never hold a newline, nor does any value of the
# soak's own a line like "pid 5").
field() { grep -a -A1 -x "$2 [0-9]*" "$ST/$1/state" 2>/dev/null | sed -n 2p; }
# state_pid NAME FIELD: the pid in the state's FIELD (pid or monitor) when /proc still has
# that very process (same start time); else empty.
state_pid() {
    local p s
    read -r p s <<EOF
$(field "$1" "$2")
EOF
    [ -n "$p" ] && [ "$p" != - ] && [ "$(stat_field "$p" 22)" = "$s" ] && echo "$p"
}
# running NAME [MONITOR]: until NAME's state says running and its init runs hutch and is a child
# of MONITOR (when given) and has forked the command (10 s at most). Sets INIT and CMD.
running() {
    local tries=0 st
    INIT="" CMD=""
    while [ $tries -lt 200 ]; do
        st=$(field "$1" status)
        if [ "$st" = running ]; then
            INIT=$(state_pid "$1" pid)
            if [ -n "$INIT" ] && is_hutch "$INIT" &&
                { [ -z "${2:-}" ] || [ "$(stat_field "$INIT" 4)" = "$2" ]; }; then
                { read -r CMD _ <"/proc/$INIT/task/$INIT/children"; } 2>/dev/null
                [ -n "$CMD" ] && return 0
            fi
        fi
        sleep 0.05
        tries=$((tries + 1))
    done
    return 1
}
# gone NAME: NAME is not listed and has no state, within 10 s.
gone() {
    local tries=0
    while [ $tries -lt 100 ]; do
        if ! "$HUTCH" list -q 2>/dev/null | grep -qx "$1" && [ ! -e "$ST/$1" ]; then
            return 0
        fi
        sleep 0.1
        tries=$((tries + 1))
    done
    return 1
}
# kill9 KIND PID: SIGKILL a pid of ours, counted by kind.
kill9() { kill -KILL "$2" 2>/dev/null && echo "$1" >>"$K"; }
ok() { echo "ok $1" >>"$R"; }
bad() { echo "fail $1 $2" >>"$R"; }

# ---- the roots, options and fates of one container ----
# The writable images are copies per slot (a writable ext4 is locked by its container).
slot_images() {
    cp "$IMAGES/busybox.ext4" "$T/$1.ext4" && cp -a "$ROOTDIR" "$T/$1.dir"
}
# pick SLOT INDEX: sets IMG and OPTS (the root, --net veth with names and addresses of its own,
# limits) for container number INDEX. Every container gets a subnet and a host end of its own:
# one left by a killed hutch may still be in the kernel's hands when the next one starts.
pick() {
    rnd 4
    case $RND in
        0) IMG=$T/$1.ext4 OPTS="" ;;
        1) IMG=$SQFS OPTS="" ;;
        2) IMG=$EROFS OPTS="" ;;
        3) IMG=$T/$1.dir OPTS="" ;;
    esac
    rnd 3
    if [ $RND = 0 ]; then
        OPTS="$OPTS --net veth --veth sk$2 --ip 10.$((100 + $2 / 256)).$(($2 % 256)).2/24"
        OPTS="$OPTS --host-ip 10.$((100 + $2 / 256)).$(($2 % 256)).1/24"
    fi
    rnd 2
    [ $RND = 0 ] && OPTS="$OPTS --memory 32M --pids 64 --cpus 0.5"
    return 0
}

# one SLOT INDEX NAME: run one container through a randomly chosen fate; report to $R.
one() {
    local slot=$1 i=$2 n=$3 f rc out mon
    pick "$slot" "$i"
    # The slot's ext4 is free again once the kernel has taken the last container's mount (and so
    # its loop device, which holds the locked file) down: after a SIGKILL that is not at once.
    case $IMG in *.ext4)
        local w=0
        while ! flock -n "$IMG" true; do
            [ $w -ge 100 ] && { bad "$n" "$IMG still locked 10 s after the slot's last container"; return; }
            sleep 0.1; w=$((w + 1))
        done
        [ $w -gt 0 ] && echo "$n $w" >>"$T/lockwaits" ;;
    esac
    rnd 9
    case $RND in
    0 | 1) # runs and ends by itself
        out=$("$HUTCH" run --name "$n" $OPTS "$IMG" sh -c "echo hello-$i" </dev/null 2>"$T/$n.err")
        rc=$?
        [ $rc = 0 ] && [ "$out" = "hello-$i" ] || { bad "$n" "plain run: rc $rc out '$out' $(head -c 300 "$T/$n.err") [$OPTS $IMG]"; return; }
        ;;
    2) # the command's own status
        "$HUTCH" run --name "$n" $OPTS "$IMG" sh -c 'exit 7' </dev/null >/dev/null 2>"$T/$n.err"
        rc=$?
        [ $rc = 7 ] || { bad "$n" "exit 7: rc $rc $(head -c 300 "$T/$n.err") [$OPTS $IMG]"; return; }
        ;;
    3) # hutch (the front process, which is the monitor in the foreground) killed at a random moment
        "$HUTCH" run --name "$n" $OPTS "$IMG" sleep $LONG </dev/null >/dev/null 2>"$T/$n.err" &
        f=$!
        rnd 4
        sleep "0.$RND"
        kill9 front "$f"
        wait "$f" 2>/dev/null
        ;;
    4 | 5) # its init, or its command, SIGKILLed once it runs
        "$HUTCH" run --name "$n" $OPTS "$IMG" sleep $LONG </dev/null >/dev/null 2>"$T/$n.err" &
        f=$!
        if ! running "$n" "$f"; then
            kill -KILL "$f"; wait "$f"
            bad "$n" "never ran: $(head -c 300 "$T/$n.err") [$OPTS $IMG]"; gone "$n"; return
        fi
        if [ $RND = 4 ]; then kill9 init "$INIT"; else kill9 command "$CMD"; fi
        wait "$f" 2>/dev/null
        rc=$?
        [ $rc = 137 ] || { bad "$n" "after SIGKILL of init/command: rc $rc, want 137 $(head -c 300 "$T/$n.err")"; gone "$n"; return; }
        ;;
    6) # `hutch run -d` killed at a random moment of its start: the container runs or not, whole
        "$HUTCH" run -d --name "$n" $OPTS "$IMG" sleep $LONG </dev/null >/dev/null 2>"$T/$n.err" &
        f=$!
        rnd 10
        sleep "0.0$RND"
        kill9 front "$f"
        wait "$f" 2>/dev/null
        # its monitor may live on and start the container: then stop it
        local tries=0
        while [ $tries -lt 30 ] && [ -e "$ST/$n" ]; do
            if "$HUTCH" list -q | grep -qx "$n"; then "$HUTCH" stop -t 1 "$n" >/dev/null 2>&1; break; fi
            sleep 0.1; tries=$((tries + 1))
        done
        ;;
    *) # detached, then stopped, killed by hutch kill, its monitor, init or command SIGKILLed, or exec'd into
        "$HUTCH" run -d --name "$n" $OPTS "$IMG" sleep $LONG </dev/null >/dev/null 2>"$T/$n.err"
        rc=$?
        [ $rc = 0 ] || { bad "$n" "run -d: rc $rc $(head -c 300 "$T/$n.err") [$OPTS $IMG]"; gone "$n"; return; }
        mon=$(state_pid "$n" monitor)
        if [ -z "$mon" ] || ! is_hutch "$mon" || ! running "$n" "$mon"; then
            bad "$n" "detached container has no running monitor/init"; "$HUTCH" stop -t 1 "$n" >/dev/null 2>&1; gone "$n"; return
        fi
        rnd 6
        case $RND in
        0) "$HUTCH" stop -t 2 "$n" >/dev/null 2>"$T/$n.err" || { bad "$n" "stop: $(cat "$T/$n.err")"; gone "$n"; return; } ;;
        1) "$HUTCH" kill "$n" >/dev/null 2>"$T/$n.err" || { bad "$n" "kill: $(cat "$T/$n.err")"; gone "$n"; return; } ;;
        2) kill9 monitor "$mon" ;;
        3) kill9 init "$INIT" ;;
        4) kill9 command "$CMD" ;;
        5) out=$("$HUTCH" exec "$n" sh -c "echo in-$i" </dev/null 2>"$T/$n.err")
           rc=$?
           [ $rc = 0 ] && [ "$out" = "in-$i" ] || bad "$n" "exec: rc $rc out '$out' $(head -c 300 "$T/$n.err")"
           "$HUTCH" stop -t 2 "$n" >/dev/null 2>&1 ;;
        esac
        ;;
    esac
    gone "$n" || { bad "$n" "still listed or has state 10 s after its end [$OPTS $IMG]"; return; }
    ok "$n"
}

# ---- beside the containers: concurrent commands, and the RSS sampler ----
# chaos: until $T/stop-chaos, `hutch list`, and exec, stop, kill on a random container listed
# (never one of the kept ones). A list must always succeed; exec, stop and kill either act or say
# in one line that the container is gone (it may end meanwhile), never crash.
chaos() {
    local SEED=$((SOAK_SEED + 7)) names n c rc cn=0
    while [ ! -e "$T/stop-chaos" ]; do
        "$HUTCH" list >"$T/chaos.list" 2>"$T/chaos.err"
        rc=$?
        echo "list $rc" >>"$C"
        # only the chaos targets (NAME-c): the others' ends are checked strictly by their starters
        names=$(awk 'NR > 1 && $1 ~ /-c$/ { print $1 }' "$T/chaos.list")
        if [ -z "$names" ]; then
            # none: start one (detached, ending by itself after 3 s unless stopped or killed)
            cn=$((cn + 1))
            "$HUTCH" run -d --name "c$cn-c" --ro "$SQFS" sleep 3 </dev/null >/dev/null 2>"$T/chaos.err"
            echo "run-d $? c$cn-c $(head -n 1 "$T/chaos.err")" >>"$C"
        fi
        set -- $names
        if [ $# -gt 0 ]; then
            rnd $#
            eval "n=\${$((RND + 1))}"
            rnd 10
            case $RND in
            0) c=stop; "$HUTCH" stop -t 1 "$n" >/dev/null 2>"$T/chaos.err" ;;
            1) c=kill; "$HUTCH" kill "$n" >/dev/null 2>"$T/chaos.err" ;;
            *) c=exec; "$HUTCH" exec "$n" true </dev/null >/dev/null 2>"$T/chaos.err" ;;
            esac
            rc=$?
            echo "$c $rc $n $(head -n 1 "$T/chaos.err")" >>"$C"
        fi
        sleep 0.05
    done
}
# sampler: every 20 ms, the VmHWM (peak RSS) of every process running hutch, by role: "init"
# (hutch-init, PID 1 inside), "monitor" (a parent of an init: the foreground `hutch run` itself,
# or the forked monitor of -d) and "front" (any other: `run -d` before it returns, a `run`
# before its clone, list, exec, stop, kill). Only shell built-ins in the loop, to be quick.
sampler() {
    local p c k v rest hwm pp ns1 ns2 all mi mo fr inits
    mi=0 mo=0 fr=0
    while [ ! -e "$T/stop-sampler" ]; do
        all="" inits=" "
        for p in /proc/[0-9]*; do
            c=""
            { read -r c <"$p/comm"; } 2>/dev/null
            [ "$c" = hutch ] || continue
            hwm=0 pp=0 ns2=""
            while read -r k v rest; do
                case $k in
                    PPid:) pp=$v ;;
                    NSpid:) ns2=$rest ;;
                    VmHWM:) hwm=$v ;;
                esac
            done 2>/dev/null <"$p/status"
            if [ "$ns2" = 1 ]; then
                inits="$inits$pp "
                [ "$hwm" -gt "$mi" ] && mi=$hwm
            else
                all="$all ${p#/proc/}:$hwm"
            fi
        done
        for v in $all; do
            case $inits in
                *" ${v%:*} "*) [ "${v#*:}" -gt "$mo" ] && mo=${v#*:} ;;
                *) [ "${v#*:}" -gt "$fr" ] && fr=${v#*:} ;;
            esac
        done
        echo "$mo $fr $mi" >"$T/rss.new" && mv "$T/rss.new" "$T/rss"
        sleep 0.02
    done
}

# ---- the checks ----
check() { # check NAME FUNCTION: one line per check, as lib.sh's t
    t "$@"
}
results_of() { # results_of PREFIX: the containers named PREFIX* that failed
    nok=$(grep -c "^ok $1" "$R")
    nbad=$(grep -c "^fail $1" "$R")
}
all_ended_well() {
    results_of "$1"
    [ "$nbad" = 0 ] && [ "$nok" -ge "$2" ] && return 0
    why="$nok ended as expected, $nbad did not (of $2):
$(grep "^fail $1" "$R" | head -n 10 | sed 's/^/#     /')"
    return 1
}
sequential() {
    local SEED=$SOAK_SEED i=0
    while [ $i -lt "$SOAK_RUNS" ]; do
        one s $i "s$i"
        i=$((i + 1))
    done
}
# together SLOT INDEX NAME: a detached container that waits until all the slots' are running
# (SOAK_PARALLEL at once), then is ended by stop, hutch kill, or SIGKILL of its monitor, init or
# command.
together() {
    local n=$3 mon rc
    pick "$1" "$2"
    "$HUTCH" run -d --name "$n" $OPTS "$IMG" sleep $LONG </dev/null >/dev/null 2>"$T/$n.err"
    rc=$?
    mon=$(state_pid "$n" monitor)
    if [ $rc != 0 ] || [ -z "$mon" ] || ! running "$n" "$mon"; then
        bad "$n" "run -d: rc $rc $(head -c 300 "$T/$n.err") [$OPTS $IMG]"; touch "$T/ready.$1"
        "$HUTCH" stop -t 1 "$n" >/dev/null 2>&1; gone "$n"; return
    fi
    touch "$T/ready.$1"
    local tries=0
    while [ ! -e "$T/go" ] && [ $tries -lt 1200 ]; do sleep 0.1; tries=$((tries + 1)); done
    rnd 5
    case $RND in
        0) "$HUTCH" stop -t 2 "$n" >/dev/null 2>"$T/$n.err" || bad "$n" "stop: $(cat "$T/$n.err")" ;;
        1) "$HUTCH" kill "$n" >/dev/null 2>"$T/$n.err" || bad "$n" "kill: $(cat "$T/$n.err")" ;;
        2) kill9 monitor "$mon" ;;
        3) kill9 init "$INIT" ;;
        4) kill9 command "$CMD" ;;
    esac
    gone "$n" && ok "$n" || bad "$n" "still listed or has state 10 s after its end [$OPTS $IMG]"
}
parallel() {
    local slot=0 pids="" p tries=0
    while [ $slot -lt "$SOAK_PARALLEL" ]; do
        (
            SEED=$((SOAK_SEED + 1000 * (slot + 1)))
            together "p$slot" $((SOAK_RUNS + SOAK_KEEP + SOAK_ROUNDS * SOAK_PARALLEL + slot)) "p$slot-t"
            r=0
            while [ $r -lt "$SOAK_ROUNDS" ]; do
                i=$((SOAK_RUNS + SOAK_KEEP + r * SOAK_PARALLEL + slot))
                # fates with sleeps of their own overlap: start them all within a moment
                one "p$slot" $i "p$slot-$r"
                r=$((r + 1))
            done
            # chaos targets: detached, ending by themselves unless chaos ends them first
            n=p$slot-c
            "$HUTCH" run -d --name "$n" --ro "$SQFS" sleep 2 </dev/null >/dev/null 2>"$T/$n.err" ||
                { bad "$n" "run -d: $(head -c 300 "$T/$n.err")"; exit 0; }
            gone "$n" && ok "$n" || bad "$n" "not gone 10 s after its end"
        ) &
        pids="$pids $!"
        slot=$((slot + 1))
    done
    # all running at once: count them, then let them go
    while [ "$(ls "$T" | grep -c '^ready\.')" -lt "$SOAK_PARALLEL" ] && [ $tries -lt 1200 ]; do
        sleep 0.1; tries=$((tries + 1))
    done
    "$HUTCH" list -q | grep -c -- '-t$' >"$T/together"
    touch "$T/go"
    for p in $pids; do wait "$p"; done
}
all_together() {
    local n
    n=$(cat "$T/together")
    eq "$n" "$SOAK_PARALLEL" "containers listed at once"
}
start_kept() {
    local k=0 img opts
    while [ $k -lt "$SOAK_KEEP" ]; do
        case $((k % 3)) in
            0) cp "$IMAGES/busybox.ext4" "$T/keep$k.ext4"; img=$T/keep$k.ext4
               opts="--net veth --veth skkeep$k --ip 10.99.$k.2/24 --host-ip 10.99.$k.1/24" ;;
            1) img=$EROFS opts="--memory 16M --pids 16" ;;
            2) img=$ROOTDIR opts="--ro" ;;
        esac
        "$HUTCH" run -d --name "keep-$k" $opts "$img" sleep 3600 </dev/null >/dev/null 2>"$T/keep.err" ||
            { no "keep-$k: $(cat "$T/keep.err")"; return 1; }
        k=$((k + 1))
    done
}
kept_alive() {
    local k=0 out
    while [ $k -lt "$SOAK_KEEP" ]; do
        out=$("$HUTCH" exec "keep-$k" sh -c 'echo alive' </dev/null 2>&1)
        [ "$out" = alive ] || { no "exec keep-$k: '$out'"; return 1; }
        k=$((k + 1))
    done
}
# `hutch list` shows exactly the containers still running: the kept ones, each with a live init.
list_exact() {
    local want got k=0 n p
    want=$(while [ $k -lt "$SOAK_KEEP" ]; do echo "keep-$k"; k=$((k + 1)); done)
    got=$("$HUTCH" list -q | sort)
    [ "$got" = "$(echo "$want" | sort)" ] || { no "hutch list -q shows [$(echo $got)], want [$(echo $want)]"; return 1; }
    for n in $want; do
        p=$(state_pid "$n" pid)
        [ -n "$p" ] && is_hutch "$p" || { no "$n is listed but its init is not running"; return 1; }
    done
    # and every init of ours that runs is a listed container's: no container runs unlisted
    for p in $(hutch_procs); do
        [ "$(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | cut -d' ' -f1)" = hutch-init ] || continue
        for n in $want; do field "$n" pid; done | cut -d' ' -f1 | grep -qx "$p" ||
            { no "init $p runs but is not listed"; return 1; }
    done
}
stop_kept() {
    local k=0
    while [ $k -lt "$SOAK_KEEP" ]; do
        "$HUTCH" stop -t 2 "keep-$k" >/dev/null 2>"$T/keep.err" || { no "stop keep-$k: $(cat "$T/keep.err")"; return 1; }
        k=$((k + 1))
    done
    [ -z "$("$HUTCH" list -q)" ] || no "still listed after stop: $("$HUTCH" list -q | tr '\n' ' ')"
}
concurrent_ok() {
    local nl bad
    nl=$(wc -l <"$C")
    # a list always succeeds; exec/stop/kill act (0; exec's command may be killed: 137) or say
    # the container is gone (125, one line naming it)
    bad=$(awk '($1 == "list" || $1 == "run-d") && $2 != 0 { print; next }
               $1 != "list" && $1 != "run-d" && $2 != 0 && $2 != 125 && !($1 == "exec" && $2 == 137) { print }' "$C")
    [ -z "$bad" ] || { no "unexpected results: $(echo "$bad" | head -n 5 | tr '\n' ';')"; return 1; }
    [ "$nl" -gt 0 ] || no "no concurrent command ran"
}
no_strays() {
    local p
    p=$(procs_running sleep $LONG)
    [ -z "$p" ] || no "commands left running: pids $p"
}
all_fsck_clean() {
    local f
    have e2fsck || { skip_why="no e2fsck"; return 2; }
    for f in "$EXT4" "$T"/*.ext4; do
        [ -f "$f" ] || continue
        e2fsck -fn "$f" >"$T/fsck" 2>&1 || { no "e2fsck -fn $(basename "$f"): $(tail -n 3 "$T/fsck" | tr '\n' ' ')"; return 1; }
    done
}
rss_under() {
    local mo fr mi
    read -r mo fr mi <"$T/rss" || { no "no RSS sample"; return 1; }
    echo "# peak RSS (VmHWM, kB): monitor $mo, other hutch processes $fr, hutch-init $mi"
    [ "$mo" -gt 0 ] && [ "$fr" -gt 0 ] || { no "the sampler saw no monitor ($mo) or front ($fr)"; return 1; }
    less_than "$mo" "$SOAK_RSS_MAX" "the monitor's peak RSS (kB)" &&
        less_than "$fr" "$SOAK_RSS_MAX" "the peak RSS of other hutch processes (kB)" &&
        less_than "$mi" "$SOAK_RSS_MAX" "hutch-init's peak RSS (kB)"
}
# SOAK_PLANT_LEAK=loop: attach a loop device to a file of the test before the final check, to
# show that the soak reports it (the loop is detached again at the end).
plant_leak() {
    case ${SOAK_PLANT_LEAK:-} in
        loop) dd if=/dev/zero of="$T/planted.img" bs=1k count=1024 2>/dev/null
              PLANTED=$(losetup -f --show "$T/planted.img") && echo "# planted a leak: $PLANTED" ;;
    esac
}

# ---- the run ----
slot_images s || exit 1
i=0
while [ $i -lt "$SOAK_PARALLEL" ]; do slot_images "p$i" || exit 1; i=$((i + 1)); done
sampler &
SAMPLER=$!
chaos &
CHAOS=$!
check "$SOAK_KEEP detached containers start and stay" start_kept
t0=$(now)
sequential
seq_ended() { all_ended_well s "$SOAK_RUNS"; }
check "$SOAK_RUNS containers one after another ended as expected ($(since "$t0") s)" seq_ended
check "the kept containers still answer exec after them" kept_alive
t0=$(now)
parallel
par_ended() { all_ended_well p "$((SOAK_PARALLEL * (SOAK_ROUNDS + 2)))"; }
check "$SOAK_PARALLEL containers at once, $SOAK_ROUNDS rounds, ended as expected ($(since "$t0") s)" par_ended
touch "$T/stop-chaos"
wait "$CHAOS"
# the chaos targets left end by themselves within 3 s
for n in $("$HUTCH" list -q | grep -- '-c$'); do gone "$n"; done
check "$SOAK_PARALLEL containers were running at once (hutch list)" all_together
check "the kept containers still answer exec" kept_alive
check "hutch list shows exactly the containers still running" list_exact
check "$(wc -l <"$C") concurrent list/exec/stop/kill ended well" concurrent_ok
check "the kept containers stop" stop_kept
plant_leak
touch "$T/stop-sampler"
wait "$SAMPLER"
check "no command left running" no_strays
check "nothing left behind: loops, mounts, veths, cgroups, state, hutch processes" no_leaks
check "every ext4 image passes e2fsck -fn" all_fsck_clean
check "hutch's peak RSS stayed below $SOAK_RSS_MAX kB" rss_under
[ -n "${PLANTED:-}" ] && losetup -d "$PLANTED"
echo "# containers: $(wc -l <"$R"); SIGKILLs: $(sort "$K" | uniq -c | awk '{ printf "%s %s, ", $2, $1 }')total $(wc -l <"$K")"
echo "# concurrent commands: $(awk '{ print $1 }' "$C" | sort | uniq -c | awk '{ printf "%s %s, ", $2, $1 }')total $(wc -l <"$C")"
echo "# waits for a slot's ext4 to be unlocked after a kill: $(wc -l <"$T/lockwaits"), longest $(awk 'BEGIN { m = 0 } $2 > m { m = $2 } END { print m * 100 }' "$T/lockwaits") ms"
echo "# wall time: $(since "$START") s"
rm -rf "$T" "$SOAK_BIN"
echo "soak: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
