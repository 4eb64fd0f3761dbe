#!/bin/sh
# OCI engines: containerd 1.6 (through ctr and its io.containerd.runc.v2 shim) and podman 4.3
# (through conmon) drive an OCI runtime by runc's command line; then the config.json that each
# engine generated runs straight through the runtime, as do bundles from `runc spec`.
# The runtime under test is HUTCH_OCI (default: hutch-oci next to HUTCH; HUTCH_OCI=runc or crun
# checks the test itself). OCI_SAVE=DIR keeps the engines' configs there; OCI_TRACE=FILE logs
# every runtime call the engines make (argv, one call a line) to FILE.
# The whole file runs in namespaces of its own (network, mount, PID, UTS, IPC): containerd and
# podman keep their config, root, state and sockets in $T; a tmpfs over /run and /dev/shm holds
# what they put in fixed places (shim sockets, runtime roots, podman's lock), checked empty at the end.
. "$(dirname "$0")/lib.sh"
TOP=$(cd "$(dirname "$0")/../.." && pwd)
HUTCH_OCI=${HUTCH_OCI:-$(dirname "$HUTCH")/hutch-oci}
case $HUTCH_OCI in */*) ;; *) HUTCH_OCI=$(command -v "$HUTCH_OCI" || echo "$HUTCH_OCI") ;; esac

if [ -z "${OCI_ENGINES_NS:-}" ]; then
    [ -x "$HUTCH_OCI" ] || { skip "OCI engines" "no runtime at $HUTCH_OCI (HUTCH_OCI=runc checks the test itself)"; finish; exit; }
    have dpkg-query && have apt-get && have unshare ||
        { skip "OCI engines" "not a Debian host with unshare: containerd and podman cannot be installed here"; finish; exit; }
    # Installed (when missing) before the network namespace, which reaches nothing.
    if ! "$TOP/toolchain/need-packages" containerd podman runc crun >"$T/install" 2>&1; then
        why="need-packages: $(tail -n 3 "$T/install" | tr '\n' ' ')"
        failed=$((failed + 1))
        echo "not ok - containerd, podman, runc and crun are installed"
        echo "#   $why"
        finish
        exit
    fi
    rm -rf "$T"
    OCI_ENGINES_NS=1 exec unshare --net --mount --uts --ipc --pid --fork --mount-proc --propagation private sh "$0" "$@"
fi

# ---- inside the namespaces: the runtime, a rootfs, containerd and podman ----
# setup_failed WHAT: the file cannot go on.
setup_failed() {
    failed=$((failed + 1))
    echo "not ok - $1"
    finish
    exit 1
}
ip link set lo up
# (mount -n, umount -n: util-linux would make /run/mount on the host for its utab)
mount -n -t tmpfs -o mode=0755 oci-run /run && mount -n -t tmpfs -o mode=1777 oci-shm /dev/shm ||
    setup_failed "a tmpfs of our own over /run and /dev/shm"
RT_NAME=$(basename "$HUTCH_OCI")
# crun 1.8 refuses hybrid cgroups (v1 controllers and a cgroup2 mount): hidden here, as on a host
# without the cgroup2 mount. OCI_HIDE_CGROUP2=yes|no decides for other runtimes (default: crun only).
case ${OCI_HIDE_CGROUP2:-auto}:$RT_NAME in
yes:* | auto:crun)
    awk '$3 == "cgroup2" { print $2 }' /proc/mounts | grep -v '^/sys/fs/cgroup$' | while read -r m; do umount -n "$m"; done ;;
esac
# The engines call the runtime itself, or with OCI_TRACE a wrapper of the same name that logs each
# call and execs it (podman knows a runtime's abilities by its name).
RT=$HUTCH_OCI
if [ -n "${OCI_TRACE:-}" ]; then
    mkdir -p "$T/trace"
    cat >"$T/trace/$RT_NAME" <<EOF
#!/bin/sh
{ printf '%s:' "\$(pwd)"; for a in "\$@"; do printf ' [%s]' "\$a"; done; echo; } >>"$OCI_TRACE"
exec "$HUTCH_OCI" "\$@"
EOF
    chmod 755 "$T/trace/$RT_NAME"
    RT=$T/trace/$RT_NAME
fi
SAVE=${OCI_SAVE:-$T/saved}
mkdir -p "$SAVE" "$T/bundles"
# Names of our own: the ctr namespace (also the cgroup parent of its containers, /NS/ID) and
# podman's cgroup parent. $$ is 1 in a PID namespace; $T's random suffix is not.
U=${T##*.}
NS=hutch-oci-$U
CGP=hutch-oci-pm-$U

# The BusyBox tree every container runs in (shared: each test writes files of its own names).
ROOTFS=$T/rootfs
if [ -d "$ROOTDIR/bin" ]; then
    cp -a "$ROOTDIR" "$ROOTFS"
else
    bb=$(command -v busybox) && mkdir -p "$ROOTFS/bin" "$ROOTFS/etc" "$ROOTFS/proc" "$ROOTFS/sys" "$ROOTFS/dev" "$ROOTFS/tmp" &&
        cp "$bb" "$ROOTFS/bin/busybox" && for a in $("$bb" --list); do ln -sf busybox "$ROOTFS/bin/$a"; done &&
        cp "$TOP/rootfs/etc/passwd" "$TOP/rootfs/etc/group" "$ROOTFS/etc/" && chmod 1777 "$ROOTFS/tmp" ||
        setup_failed "a BusyBox rootfs (no $ROOTDIR, no busybox)"
fi
[ -x "$PROBE" ] && cp "$PROBE" "$ROOTFS/bin/hutch-probe"
mkdir -p "$ROOTFS/tmp" "$ROOTFS/run"

# containerd: its own config (root, state, sockets in $T; no CRI plugin), one daemon for the file.
CD=$T/containerd
CD_SOCK=$CD/containerd.sock
CD_BUNDLES=$CD/state/io.containerd.runtime.v2.task/$NS
mkdir -p "$CD"
cat >"$CD/config.toml" <<EOF
version = 2
root = "$CD/root"
state = "$CD/state"
disabled_plugins = ["io.containerd.grpc.v1.cri", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.aufs"]
[grpc]
  address = "$CD_SOCK"
[ttrpc]
  address = "$CD_SOCK.ttrpc"
[plugins."io.containerd.internal.v1.opt"]
  path = "$CD/opt"
EOF
containerd --config "$CD/config.toml" >"$CD/log" 2>&1 &
CD_PID=$!
cr() { timeout 60 ctr -a "$CD_SOCK" -n "$NS" "$@"; }
# c_ ARGS...: ctr with stdin closed; stdout in $T/out, stderr in $T/err, status in $rc.
c_() {
    cr "$@" >"$T/out" 2>"$T/err" </dev/null
    rc=$?
}
# The flags every `ctr run` here has: the runtime, and a PATH (ctr gives a bare rootfs none).
CR_RUN="--runc-binary $RT --env PATH=/bin:/sbin:/usr/bin:/usr/sbin"
i=0
until cr version >/dev/null 2>&1; do
    i=$((i + 1))
    [ $i -lt 100 ] && kill -0 $CD_PID 2>/dev/null || { echo "# containerd did not start: $(tail -n 5 "$CD/log")"; break; }
    sleep 0.1
done

# podman: root, tmp dir, events, networks in $T; its containers.conf knows the runtime. The
# runroot (at most 50 characters, podman says) is on our /run.
PM=$T/podman
PMRUN=/run/hutch-oci-podman
mkdir -p "$PM/cni" "$PM/tmp" "$PMRUN"
cat >"$PM/containers.conf" <<EOF
[containers]
netns = "none"
[network]
network_backend = "cni"
network_config_dir = "$PM/cni"
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$PM/events.log"
tmp_dir = "$PM/tmp"
runtime = "hutch-oci"
runtime_supports_json = ["crun", "runc", "kata", "krun", "hutch-oci", "$RT_NAME"]
runtime_supports_nocgroups = ["crun", "krun"]
[engine.runtimes]
hutch-oci = ["$RT"]
EOF
cat >"$PM/storage.conf" <<EOF
[storage]
driver = "vfs"
runroot = "$PMRUN"
graphroot = "$PM/root"
EOF
PODMAN="env CONTAINERS_CONF=$PM/containers.conf CONTAINERS_STORAGE_CONF=$PM/storage.conf podman --root $PM/root --runroot $PMRUN --storage-driver vfs --cgroup-manager cgroupfs --events-backend file --runtime $RT"
# podman's runs: no network, a cgroup parent of ours, the limits this machine allows (conmon
# lowers NPROC; NOFILE cannot be raised here).
PM_RUN="run --network none --cgroup-parent /$CGP --ulimit nofile=20000:20000 --ulimit nproc=32768:32768"
pm() { timeout 90 $PODMAN "$@"; }
p_() {
    pm "$@" >"$T/out" 2>"$T/err" </dev/null
    rc=$?
}

# ---- helpers ----
# tty_run CMD: the shell command CMD on a pseudo-terminal of its own (hutch-probe pty, or script);
# $T/out and $rc as pty_run. Returns 2 (a skip) when there is neither.
tty_run() {
    if [ -x "$PROBE" ]; then
        timeout 90 "$PROBE" pty sh -c "$1" </dev/null >"$T/out.pty" 2>&1
    elif have script; then
        timeout 90 script -qec "$1" /dev/null </dev/null >"$T/out.pty" 2>&1
    else
        skip_why="no hutch-probe and no script(1) to give it a terminal"
        return 2
    fi
    rc=$?
    tr -d '\r\000' <"$T/out.pty" >"$T/out"
    return 0
}
# until_true TENTHS CMD...: run CMD every 0.1 s until it succeeds, at most TENTHS times. (CMD's
# words are expanded once, by the caller: what must be read again each time is a function's.)
until_true() {
    local n=$1 i=0
    shift
    while [ $i -lt "$n" ]; do
        "$@" && return 0
        sleep 0.1
        i=$((i + 1))
    done
    return 1
}
# save_when FILE DEST: copy FILE to DEST as soon as it exists (within 30 s); run in the background
# before an engine command whose bundle lives only while it runs.
save_when() {
    until_true 300 test -s "$1" && cp "$1" "$2"
}
# A task's status and pid as `ctr task ls` shows them.
task_status() { cr task ls | awk -v id="$1" '$1 == id { print $3 }'; }
task_pid() { cr task ls | awk -v id="$1" '$1 == id { print $2 }'; }
status_is() { [ "$(task_status "$1")" = "$2" ]; }
# cg_value PID CONTROLLER V1FILE V2FILE: a value of the cgroup PID is in, read on the host's
# side: the v1 hierarchy that has CONTROLLER, else the cgroup2 one.
cg_value() {
    local path m
    path=$(awk -F: -v c="$2" '{ n = split($2, a, ","); for (i = 1; i <= n; i++) if (a[i] == c) print $3 }' "/proc/$1/cgroup")
    m=$(awk -v c="$2" '$3 == "cgroup" && ("," $4 ",") ~ ("," c ",") { print $2; exit }' /proc/mounts)
    if [ -n "$path" ] && [ -n "$m" ] && [ -r "$m$path/$3" ]; then
        cat "$m$path/$3"
        return
    fi
    path=$(awk -F: '$1 == "0" { print $3 }' "/proc/$1/cgroup")
    m=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)
    [ -n "$m" ] && [ -r "$m$path/$4" ] && cat "$m$path/$4"
}
# The cgroup directories named NAME directly below PARENT in any hierarchy.
cgroups_named() {
    awk '$3 ~ /^cgroup/ { print $2 }' /proc/mounts | sort -u | while read -r m; do
        [ -d "$m/$1/$2" ] && echo "$m/$1/$2"
    done
    return 0
}
# Processes that are engines' or containers': containerd, shims, conmon, podman, anything whose
# command line names $T, or whose root is not ours (inside a container).
engine_procs() {
    local p c
    for p in /proc/[0-9]*; do
        [ "${p#/proc/}" = 1 ] && continue
        c=$(tr '\0' ' ' 2>/dev/null <"$p/cmdline") || continue
        [ -n "$c" ] || continue
        case "$(cat "$p/comm" 2>/dev/null) $c" in
        containerd* | conmon* | podman* | *"$T"*) echo "${p#/proc/} $c" ;;
        *) [ "$(readlink "$p/root" 2>/dev/null)" = / ] || echo "${p#/proc/} $c" ;;
        esac
    done
    return 0
}
# json_field KEY FILE: the member KEY of a runtime's state (hutch-probe json checks it is valid
# JSON; a plain reading gives numbers, and everything where there is no hutch-probe).
json_field() {
    local v
    if [ -x "$PROBE" ]; then
        # valid JSON, or nothing; it prints strings only
        v=$("$PROBE" json "$1" <"$2") || return 1
        [ -n "$v" ] && { echo "$v"; return 0; }
    fi
    tr -d '\n' <"$2" | sed -n 's/.*"'"$1"'"[[:space:]]*:[[:space:]]*"\{0,1\}\([^",}]*\).*/\1/p'
}
# json_args WORD...: a JSON array of the words (none holds a quote or a backslash).
json_args() {
    local a out=""
    for a in "$@"; do out="$out${out:+,}\"$a\""; done
    echo "[$out]"
}

# ---- containerd through ctr ----
cd_running() {
    cr version >/dev/null 2>&1 || { no "containerd is not serving: $(tail -n 3 "$CD/log" | tr '\n' ' ')"; return 1; }
}
cd_own_ps() {
    c_ run --rm $CR_RUN --rootfs "$ROOTFS" c-ps ps -o pid,comm
    rc_is 0 || return 1
    # PID 1 is ps itself: not one process of the host's
    eq "$(awk 'NR > 1 { printf "%s:%s ", $1, $2 }' "$T/out")" "1:ps " "the processes ps sees"
}
cd_hostname() {
    # ctr sets no hostname: the container starts with a copy of ours in a UTS namespace of its own,
    # where it may set its own without changing ours.
    c_ run --rm $CR_RUN --cap-add CAP_SYS_ADMIN --rootfs "$ROOTFS" c-uts \
        sh -c 'hostname; readlink /proc/self/ns/uts; hostname ctr-inner && hostname'
    rc_is 0 || return 1
    eq "$(sed -n 1p "$T/out")" "$(hostname)" "the hostname it starts with" || return 1
    [ "$(sed -n 2p "$T/out")" != "$(readlink /proc/self/ns/uts)" ] || { no "the container shares our UTS namespace: $(cat "$T/out")"; return 1; }
    eq "$(sed -n 3p "$T/out")" ctr-inner "the hostname it set" && eq "$(hostname)" "$(sed -n 1p "$T/out")" "our hostname after it"
}
cd_exit_code() {
    c_ run --rm $CR_RUN --rootfs "$ROOTFS" c-exit sh -c 'exit 3'
    rc_is 3
}
cd_error_text() {
    # The runtime's error reaches ctr: containerd reads the last "error" line of the JSON log
    # (--log FILE --log-format json) that it asked for.
    c_ run --rm $CR_RUN --rootfs "$ROOTFS" c-missing /no/such/binary
    [ "$rc" != 0 ] || { no "exit status 0"; return 1; }
    err_has 'OCI runtime create failed: ' && err_has '/no/such/binary' || return 1
    ! grep -q 'unable to retrieve OCI runtime error' "$T/err" || { no "containerd could not read the runtime's --log: $(cat "$T/err")"; return 1; }
    cr container ls -q | grep -qx c-missing && { cr container rm c-missing; no "ctr run --rm left the container"; return 1; }
    return 0
}
cd_long_starts() {
    c_ run -d $CR_RUN --cap-add CAP_SYS_ADMIN --rootfs "$ROOTFS" c-long sh -c '
        hostname ctr-long; echo from-init >/tmp/c-long.mark; sleep 1001 &
        trap "exit 7" TERM
        i=0; while :; do i=$((i + 1)); echo $i >/tmp/c-long.count; sleep 0.1; done'
    rc_is 0 || return 1
    until_true 50 test -s "$ROOTFS/tmp/c-long.count" || { no "c-long does not count"; return 1; }
    status_is c-long RUNNING || no "c-long is $(task_status c-long)"
}
cd_exec() {
    c_ task exec --exec-id e1 c-long sh -c 'hostname; cat /tmp/c-long.mark; exit 5'
    rc_is 5 && eq "$(tr '\n' ' ' <"$T/out")" "ctr-long from-init " "what exec saw"
}
cd_task_ps() {
    local init sleeper p bad=""
    init=$(task_pid c-long) sleeper=$(procs_running sleep 1001)
    c_ task ps c-long
    rc_is 0 || return 1
    awk 'NR > 1 { print $1 }' "$T/out" >"$T/pids"
    grep -qx "$init" "$T/pids" && grep -qx "$sleeper" "$T/pids" ||
        { no "task ps: $(tr '\n' ' ' <"$T/pids"), want init $init and sleep $sleeper among them"; return 1; }
    # each one that sleeps in the container's cgroups (the counter's sleeps come and go)
    for p in $(cat "$T/pids"); do
        # a process that has exited is in the root cgroups until it is reaped
        [ "$(awk '/^State:/ { print $2 }' "/proc/$p/status" 2>/dev/null)" = S ] || continue
        cmp -s "/proc/$p/cgroup" "/proc/$init/cgroup" || bad="$bad $p"
    done
    [ -z "$bad" ] || no "not in the container's cgroups:$bad"
}
count_above() { [ "$(cat "$ROOTFS/tmp/c-long.count")" -gt "$1" ]; }
cd_pause() {
    local a b
    c_ task pause c-long
    rc_is 0 && status_is c-long PAUSED || { no "pause: rc $rc, status $(task_status c-long)"; return 1; }
    a=$(cat "$ROOTFS/tmp/c-long.count")
    sleep 1
    b=$(cat "$ROOTFS/tmp/c-long.count")
    c_ task resume c-long
    eq "$b" "$a" "the counter after 1 s paused" || return 1
    rc_is 0 && status_is c-long RUNNING || { no "resume: rc $rc, status $(task_status c-long)"; return 1; }
    until_true 30 count_above "$b" || no "the counter did not go on after resume"
}
cd_kill() {
    # SIGTERM (ctr's default) to PID 1, whose trap exits 7
    c_ task kill c-long
    rc_is 0 || return 1
    until_true 50 status_is c-long STOPPED || { no "c-long is $(task_status c-long) after kill"; return 1; }
    [ -z "$(procs_running sleep 1001)" ] || no "its other process outlived it"
}
cd_rm() {
    c_ task rm c-long
    rc_is 0 && err_has 'exit code 7' || return 1
    c_ container rm c-long
    rc_is 0 || return 1
    ! cr container ls -q | grep -qx c-long || { no "ctr c ls still lists c-long"; return 1; }
    eq "$(cgroups_named "$NS" c-long)" "" "its cgroups" &&
        eq "$(find "/run/containerd/runc/$NS" -mindepth 1 2>/dev/null)" "" "the runtime's state under --root" &&
        eq "$(ls -d "$CD_BUNDLES/c-long" 2>/dev/null)" "" "its bundle" &&
        eq "$(grep -F -e "$ROOTFS" -e "$CD/" /proc/mounts)" "" "mounts of its rootfs or bundle"
}
cd_seccomp() {
    local script='grep "^Seccomp:" /proc/self/status; unshare -U true 2>/dev/null && echo userns-allowed || echo userns-refused
        [ -x /bin/hutch-probe ] && /bin/hutch-probe personality 40000'
    c_ run --rm $CR_RUN --seccomp --rootfs "$ROOTFS" c-sec sh -c "$script"
    cp "$T/out" "$T/sec.on"
    c_ run --rm $CR_RUN --rootfs "$ROOTFS" c-nosec sh -c "$script"
    cp "$T/out" "$T/sec.off"
    # ctr's default profile refuses CLONE_NEWUSER without CAP_SYS_ADMIN, and personality() but
    # for a few values, with EPERM; without it both work
    grep -q 'Seccomp:[[:space:]]*2' "$T/sec.on" && grep -q userns-refused "$T/sec.on" ||
        { no "--seccomp: $(tr '\n' ' ' <"$T/sec.on")"; return 1; }
    if [ -x "$PROBE" ]; then
        grep -q 'personality: Operation not permitted' "$T/sec.on" && grep -q 'personality: ok' "$T/sec.off" ||
            { no "personality(0x40000) with --seccomp: $(tr '\n' ' ' <"$T/sec.on"), without: $(tr '\n' ' ' <"$T/sec.off")"; return 1; }
    fi
    grep -q userns-allowed "$T/sec.off" ||
        { skip_why="user namespaces are refused without the filter too: $(tr '\n' ' ' <"$T/sec.off")"; return 2; }
}
cd_memory() {
    # with --seccomp as well: the config containerd made for it is the one saved
    save_when "$CD_BUNDLES/c-mem/config.json" "$SAVE/containerd-config.json" &
    local saver=$! pid limit
    c_ run -d $CR_RUN --seccomp --memory-limit 67108864 --rootfs "$ROOTFS" c-mem sleep 1002
    wait $saver
    rc_is 0 || return 1
    pid=$(task_pid c-mem)
    limit=$(cg_value "$pid" memory memory.limit_in_bytes memory.max)
    # PID 1 sleep has no handler for SIGTERM: KILL
    c_ task kill -s KILL c-mem
    until_true 50 status_is c-mem STOPPED
    c_ task rm c-mem
    err_has 'exit code 137' || return 1
    c_ container rm c-mem
    eq "$limit" 67108864 "the cgroup's memory limit" && eq "$(cgroups_named "$NS" c-mem)" "" "its cgroups after rm"
}
cd_tty() {
    save_when "$CD_BUNDLES/c-tty/config.json" "$SAVE/containerd-tty-config.json" &
    local saver=$!
    tty_run "ctr -a $CD_SOCK -n $NS run --rm -t $CR_RUN --rootfs $ROOTFS c-tty sh -c 'tty; [ -t 0 ] && echo stdin-is-a-tty; sleep 0.2; exit 4'"
    local r=$?
    wait $saver
    [ $r = 0 ] || return $r
    rc_is 4 && out_has '^/dev/pts/[0-9]' && out_has '^stdin-is-a-tty'
}
cd_exec_tty() {
    c_ run -d $CR_RUN --rootfs "$ROOTFS" c-execty sleep 1003
    rc_is 0 || return 1
    tty_run "ctr -a $CD_SOCK -n $NS task exec -t --exec-id e2 c-execty sh -c 'tty; exit 6'"
    local r=$? out
    out=$(cat "$T/out") why=""
    c_ task kill -s KILL c-execty
    until_true 50 status_is c-execty STOPPED
    c_ task rm c-execty
    c_ container rm c-execty
    [ $r = 0 ] || return $r
    echo "$out" >"$T/out"
    out_has '^/dev/pts/[0-9]'
}

# ---- podman ----
pm_default_seccomp() {
    local script='echo hi; grep "^Seccomp:" /proc/self/status; [ -x /bin/hutch-probe ] && /bin/hutch-probe personality 40000; true'
    p_ $PM_RUN --rm --rootfs "$ROOTFS" sh -c "$script"
    rc_is 0 && out_has '^hi$' && out_has 'Seccomp:[[:space:]]*2' || return 1
    [ -x "$PROBE" ] || { skip_why="no hutch-probe for a call the profile blocks"; return 2; }
    # podman's default profile answers the calls it does not list (and personality() but for a
    # few values) with ENOSYS; unconfined, the same call works
    out_has 'personality: Function not implemented' || return 1
    p_ $PM_RUN --rm --security-opt seccomp=unconfined --rootfs "$ROOTFS" sh -c "$script"
    rc_is 0 && out_has 'personality: ok'
}
pm_exit_codes() {
    p_ $PM_RUN --rm --rootfs "$ROOTFS" sh -c 'exit 3'
    rc_is 3 || return 1
    # podman maps the runtime's error text: "no such file or directory" (or "executable file not
    # found in") is 127, "permission denied" (or "operation not permitted") is 126
    p_ $PM_RUN --rm --rootfs "$ROOTFS" /no/such/binary
    rc_is 127 && err_has 'OCI runtime attempted to invoke a command that was not found' || return 1
    p_ $PM_RUN --rm --rootfs "$ROOTFS" /etc/passwd
    rc_is 126 && err_has 'permission denied'
}
pm_long_starts() {
    p_ $PM_RUN -d --name pm-long --hostname pm-host --rootfs "$ROOTFS" sh -c '
        echo from-init >/tmp/pm-long.mark; trap "exit 0" TERM; while :; do sleep 0.1; done'
    rc_is 0 || return 1
    local id
    id=$(cat "$T/out")
    cp "$PM/root/vfs-containers/$id/userdata/config.json" "$SAVE/podman-config.json" ||
        { no "no config.json in podman's bundle"; return 1; }
    until_true 50 test -s "$ROOTFS/tmp/pm-long.mark" || no "pm-long did not start"
}
pm_exec() {
    p_ exec pm-long sh -c 'hostname; cat /tmp/pm-long.mark; exit 4'
    rc_is 4 && eq "$(tr '\n' ' ' <"$T/out")" "pm-host from-init " "what exec saw" || return 1
    tty_run "$PODMAN exec -t pm-long sh -c 'tty; exit 5'"
    local r=$?
    [ $r = 0 ] || return $r
    rc_is 5 && out_has '^/dev/pts/[0-9]' || no "rc $rc: $(tr '\n' ' ' <"$T/out")"
}
pm_stop() {
    local start took
    start=$(now)
    p_ stop -t 5 pm-long
    took=$(since "$start")
    # the trap ends it at SIGTERM, long before the timeout
    rc_is 0 && less_than "$took" 4 "seconds to stop pm-long" || return 1
    eq "$(pm inspect --format '{{.State.Status}}' pm-long)" exited "pm-long's state" || return 1
    # PID 1 sleep ignores SIGTERM: SIGKILL after the 2 s
    p_ $PM_RUN -d --name pm-sleep --rootfs "$ROOTFS" sleep 1004
    rc_is 0 || return 1
    start=$(now)
    p_ stop -t 2 pm-sleep
    took=$(since "$start")
    rc_is 0 && at_least "$took" 2 "seconds to stop pm-sleep" && less_than "$took" 8 "seconds to stop pm-sleep" || return 1
    gone_within 2 sleep 1004 || no "sleep 1004 outlived podman stop"
}
pm_rm() {
    local id
    id=$(pm inspect --format '{{.Id}}' pm-long)
    p_ rm pm-long pm-sleep
    rc_is 0 || return 1
    eq "$(pm ps -aq)" "" "podman ps -a" &&
        eq "$(cgroups_named "$CGP" "libpod-$id")" "" "pm-long's cgroups" &&
        eq "$(grep -F -e "$PM/" -e "$PMRUN/" /proc/mounts)" "" "podman's mounts" &&
        eq "$(find /run -path "*$id*" ! -path "$PMRUN/*" 2>/dev/null)" "" "the runtime's state of pm-long" &&
        eq "$(ls -d "$PMRUN/vfs-containers/$id" "$PM/root/vfs-containers/$id" 2>/dev/null)" "" "podman's directories of pm-long"
}
pm_limits() {
    local pid mem pids
    # (--memory 64m comes with linux.resources.memory.swap = 128 MiB: podman's memory+swap is
    # twice the memory unless --memory-swap says otherwise)
    p_ $PM_RUN -d --name pm-limits --memory 64m --pids-limit 50 --rootfs "$ROOTFS" sleep 1005
    rc_is 0 || return 1
    pid=$(pm inspect --format '{{.State.Pid}}' pm-limits)
    mem=$(cg_value "$pid" memory memory.limit_in_bytes memory.max)
    pids=$(cg_value "$pid" pids pids.max pids.max)
    p_ stop -t 0 pm-limits
    p_ rm pm-limits
    rc_is 0 && eq "$mem" 67108864 "the cgroup's memory limit" && eq "$pids" 50 "the cgroup's pids limit"
}
pm_limits_test() {
    pm_limits
    local r=$?
    pm rm -f -t 0 pm-limits >/dev/null 2>&1
    return $r
}
pm_tty() {
    tty_run "$PODMAN $PM_RUN --name pm-tty -t --rootfs $ROOTFS sh -c 'tty; [ -t 0 ] && echo stdin-is-a-tty; exit 6'"
    local r=$? id
    [ $r = 0 ] || return $r
    cp "$T/out" "$T/tty.out"
    id=$(pm inspect --format '{{.Id}}' pm-tty)
    cp "$PM/root/vfs-containers/$id/userdata/config.json" "$SAVE/podman-tty-config.json" 2>/dev/null
    pm rm -f -t 0 pm-tty >/dev/null 2>&1
    cp "$T/tty.out" "$T/out"
    rc_is 6 && out_has '^/dev/pts/[0-9]' && out_has '^stdin-is-a-tty'
}

# ---- bundles run straight through the runtime ----
OROOT=$T/oci-root
oci_() {
    timeout 60 "$RT" "$@" >"$T/out" 2>"$T/err" </dev/null
    rc=$?
}
# oci_in DIR ARGS...: the same with DIR as the working directory (engines call it from anywhere).
oci_in() {
    local d=$1
    shift
    (cd "$d" && exec timeout 60 "$RT" "$@") >"$T/out" 2>"$T/err" </dev/null
    rc=$?
}
# oci_status ARGS...: the status in the runtime's answer to ARGS (a `state`); empty when it has none.
oci_status() {
    timeout 10 "$RT" "$@" >"$T/state.json" 2>/dev/null </dev/null && json_field status "$T/state.json"
}
oci_stopped() { [ "$(oci_status --root "$OROOT" state "$1")" = stopped ]; }
# bundle NAME CONFIG ARGS_JSON CGROUP: $T/bundles/NAME whose config.json is CONFIG (compact JSON,
# as the engines write it) with process.args and linux.cgroupsPath replaced. The rootfs stays:
# it is this file's. Sources of podman's own mounts (its hosts, hostname, .containerenv, shm),
# gone with its container, become stand-ins in the bundle.
bundle() {
    local b=$T/bundles/$1 src
    [ -s "$2" ] || { no "no saved config $2"; return 1; }
    mkdir -p "$b/files"
    # the first "args" is process.args: an array of strings (which may hold brackets)
    sed -E -e 's#"args":\["([^"\\]|\\.)*"(,"([^"\\]|\\.)*")*\]#"args":'"$3"'#' \
        -e 's#"cgroupsPath":"[^"]*"#"cgroupsPath":"'"$4"'"#' \
        -e 's#"source":"[^"]*/userdata/([^"]*)"#"source":"'"$b"'/files/\1"#g' "$2" >"$b/config.json"
    grep -o '"source":"'"$b"'/files/[^"]*"' "$b/config.json" | sed 's/^"source":"//; s/"$//' | while read -r src; do
        case $src in */shm) mkdir -p "$src" ;; */hostname) echo pm-bundle >"$src" ;; *) : >"$src" ;; esac
    done
    grep -q '"args":\["' "$b/config.json" || { no "could not set the args of $2"; return 1; }
}
spec_bundle() {
    # runc spec: pretty JSON; terminal off, our command, a cgroup of ours, the rootfs a relative
    # path to a directory of the bundle (resolved against the bundle, not the caller's cwd)
    local b=$T/bundles/$1
    mkdir -p "$b"
    (cd "$b" && runc spec) || { no "runc spec failed"; return 1; }
    awk -v args="$2" -v cg="$3" '
        /"terminal":/ { sub(/true/, "false") }
        /"args": \[/ { print "\t\t\"args\": " args ","; skip = 1; next }
        skip && /\]/ { skip = 0; next }
        skip { next }
        /"linux": \{/ { print; print "\t\t\"cgroupsPath\": \"" cg "\","; next }
        { print }' "$b/config.json" >"$b/config.new" && mv "$b/config.new" "$b/config.json"
    cp -a "$ROOTFS" "$b/rootfs"
}
spec_run() {
    spec_bundle spec-run "$(json_args sh -c 'echo hi from runc spec; hostname; touch /ro 2>/dev/null || echo read-only; exit 3')" "/$NS/spec-run" || return 1
    oci_in / --root "$OROOT" run --bundle "$T/bundles/spec-run" spec-run
    rc_is 3 && eq "$(tr '\n' ' ' <"$T/out")" "hi from runc spec runc read-only " "its output"
}
# force_delete ID [ROOT]: a container a failed test left, deleted as the engines' cleanups do.
force_delete() {
    timeout 10 "$RT" ${2:+--root "$2"} delete --force "$1" >/dev/null 2>&1
    return 0
}
spec_lifecycle() {
    spec_lifecycle_steps
    local r=$?
    force_delete spec-life "$OROOT"
    return $r
}
spec_lifecycle_steps() {
    local b=$T/bundles/spec-life pid
    spec_bundle spec-life "$(json_args sleep 1006)" "/$NS/spec-life" || return 1
    # create: the container's stdio is the runtime's; stdout is a file, never a pipe we wait on
    (cd / && timeout 60 "$RT" --root "$OROOT" --log "$b/log.json" --log-format json create --bundle "$b" --pid-file "$b/init.pid" spec-life \
        >"$b/out" 2>"$b/err" </dev/null)
    rc=$?
    rc_is 0 || { no "create: rc $rc: $(cat "$b/err" "$b/log.json" 2>/dev/null | tail -n 3)"; return 1; }
    oci_status --root "$OROOT" state spec-life >/dev/null
    # the fields engines read: status and pid (podman), id, bundle (containerd's go-runc)
    eq "$(json_field status "$T/state.json")" created "status after create" &&
        eq "$(json_field id "$T/state.json")" spec-life "id" && eq "$(json_field bundle "$T/state.json")" "$b" "bundle" || return 1
    pid=$(cat "$b/init.pid")
    eq "$(json_field pid "$T/state.json")" "$pid" "pid (the --pid-file's)" && [ -d "/proc/$pid" ] || return 1
    oci_ --root "$OROOT" start spec-life
    rc_is 0 && eq "$(oci_status --root "$OROOT" state spec-life)" running "status after start" || return 1
    [ -n "$(procs_running sleep 1006)" ] || { no "sleep 1006 does not run"; return 1; }
    oci_ --root "$OROOT" ps --format json spec-life
    rc_is 0 && grep -qE "(^|[^0-9])$pid([^0-9]|\$)" "$T/out" || { no "ps --format json: $(cat "$T/out")"; return 1; }
    oci_ --root "$OROOT" pause spec-life
    rc_is 0 && eq "$(oci_status --root "$OROOT" state spec-life)" paused "status after pause" || return 1
    oci_ --root "$OROOT" resume spec-life
    rc_is 0 && eq "$(oci_status --root "$OROOT" state spec-life)" running "status after resume" || return 1
    # kill by number, as both engines do
    oci_ --root "$OROOT" kill spec-life 9
    rc_is 0 || return 1
    until_true 50 oci_stopped spec-life ||
        { no "status after kill: $(oci_status --root "$OROOT" state spec-life)"; return 1; }
    # what containerd matches in the error of a kill that finds no process
    oci_ --root "$OROOT" kill spec-life 9
    [ "$rc" != 0 ] && cat "$T/err" "$b/log.json" 2>/dev/null | grep -qiE 'container not running|no such process|process already finished' ||
        { no "a kill of a stopped container: rc $rc: $(cat "$T/err" "$b/log.json" 2>/dev/null | tail -n 2)"; return 1; }
    oci_ --root "$OROOT" delete spec-life
    rc_is 0 || return 1
    # what podman and containerd match when a container is gone
    oci_ --root "$OROOT" state spec-life
    [ "$rc" != 0 ] && grep -qE 'does not exist|No such file' "$T/err" ||
        { no "state of a deleted container: rc $rc: $(cat "$T/err")"; return 1; }
    eq "$(cgroups_named "$NS" spec-life)" "" "its cgroups" && eq "$(find "$OROOT" -mindepth 1 ! -type d 2>/dev/null)" "" "files under --root"
}
containerd_bundle() {
    containerd_bundle_steps
    local r=$?
    force_delete cd-bundle "$OROOT"
    return $r
}
containerd_bundle_steps() {
    # as containerd's shim calls it: --root, --log, --log-format json; create, start, state, delete
    local b=$T/bundles/cd-bundle
    bundle cd-bundle "$SAVE/containerd-config.json" \
        "$(json_args sh -c 'grep ^Seccomp: /proc/self/status; echo hi from the containerd config')" "/$NS/cd-bundle" || return 1
    (cd "$b" && timeout 60 "$RT" --root "$OROOT" --log "$b/log.json" --log-format json create --bundle "$b" --pid-file "$b/init.pid" cd-bundle \
        >"$b/out" 2>"$b/err" </dev/null)
    rc=$?
    rc_is 0 || { no "create: rc $rc: $(cat "$b/err" "$b/log.json" 2>/dev/null | tail -n 3)"; return 1; }
    oci_ --root "$OROOT" --log "$b/log.json" --log-format json start cd-bundle
    rc_is 0 || return 1
    until_true 50 oci_stopped cd-bundle ||
        { no "it did not stop: state $(tr '\n' ' ' <"$T/state.json"); its pid: $(grep -E '^(State|PPid):' "/proc/$(cat "$b/init.pid")/status" 2>/dev/null | tr '\n\t' '  '); its output: $(cat "$b/out" "$b/err" | tr '\n' ' ')"; return 1; }
    oci_ --root "$OROOT" --log "$b/log.json" --log-format json delete cd-bundle
    rc_is 0 || return 1
    cp "$b/out" "$T/out"
    out_has 'Seccomp:[[:space:]]*2' && out_has '^hi from the containerd config$' &&
        eq "$(cgroups_named "$NS" cd-bundle)" "" "its cgroups"
}
containerd_tty_bundle() {
    bundle cd-tty-bundle "$SAVE/containerd-tty-config.json" "$(json_args sh -c 'tty; exit 5')" "/$NS/cd-tty-bundle" || return 1
    tty_run "$RT --root $OROOT run --bundle $T/bundles/cd-tty-bundle cd-tty-bundle"
    tty_result $? "--root $OROOT" cd-tty-bundle
}
# tty_result R ROOTARGS ID: what tty_run of a terminal config through `run` in the foreground
# gave. runc and crun relay the terminal themselves; a runtime may instead want --console-socket,
# which is how both engines always call it: then the same run again with a console socket of
# the test's (hutch-probe console takes the terminal's master and copies what comes out of it).
tty_result() {
    [ "$1" = 0 ] || return "$1"
    if [ "$rc" != 0 ] && grep -qi 'console-socket' "$T/out"; then
        [ -x "$PROBE" ] || { skip_why="no hutch-probe to take the terminal from --console-socket"; return 2; }
        rm -f "$T/console.sock"
        "$PROBE" console "$T/console.sock" "" >"$T/console.out" 2>&1 &
        local p=$! i=0
        while [ ! -S "$T/console.sock" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
        # shellcheck disable=SC2086
        $RT $2 run --bundle "$T/bundles/$3" --console-socket "$T/console.sock" "$3" >"$T/run.out" 2>&1 </dev/null
        rc=$?
        wait $p
        tr -d '\r' <"$T/console.out" >"$T/out"
        rc_is 5 && out_has '^tty$' && out_has '^/dev/pts/[0-9]' || no "rc $rc: $(tr '\n' ' ' <"$T/out") $(cat "$T/run.out")"
        return
    fi
    rc_is 5 && out_has '^/dev/pts/[0-9]' || no "rc $rc: $(tr '\n' ' ' <"$T/out")"
}
podman_bundle() {
    # as podman calls it: no --root (the runtime's default), --log-format=json --log FILE
    local b=$T/bundles/pm-bundle
    bundle pm-bundle "$SAVE/podman-config.json" \
        "$(json_args sh -c 'grep ^Seccomp: /proc/self/status; hostname; echo hi from the podman config; exit 3')" "/$CGP/pm-bundle" || return 1
    oci_in / --log-format=json --log "$b/oci-log" run --bundle "$b" pm-bundle
    rc_is 3 && out_has 'Seccomp:[[:space:]]*2' && out_has '^pm-host$' && out_has '^hi from the podman config$' &&
        eq "$(cgroups_named "$CGP" pm-bundle)" "" "its cgroups"
}
podman_tty_bundle() {
    bundle pm-tty-bundle "$SAVE/podman-tty-config.json" "$(json_args sh -c 'tty; exit 5')" "/$CGP/pm-tty-bundle" || return 1
    tty_run "$RT run --bundle $T/bundles/pm-tty-bundle pm-tty-bundle"
    tty_result $? "" pm-tty-bundle
}

# ---- the end: nothing of the engines' or the runtime's is left ----
# Engines' own leftovers, removed here and named: containerd's namespace cgroup (/NS) and podman's
# cgroup parent with conmon's cgroup in it (/CGP/conmon).
engines_leave_nothing() {
    local left="" id p i
    for id in $(cr container ls -q 2>/dev/null); do
        left="$left ctr:$id"
        cr task kill -s KILL "$id" >/dev/null 2>&1
        sleep 0.2
        cr task rm -f "$id" >/dev/null 2>&1
        cr container rm "$id" >/dev/null 2>&1
    done
    for id in $(pm ps -aq 2>/dev/null); do
        left="$left podman:$id"
        pm rm -f -t 0 "$id" >/dev/null 2>&1
    done
    kill -TERM $CD_PID 2>/dev/null
    wait $CD_PID 2>/dev/null
    # shims and conmon end with their last container; give them a moment
    i=0
    while [ -n "$(engine_procs)" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
    engine_procs >"$T/procs"
    for p in $(cut -d' ' -f1 "$T/procs"); do kill -KILL "$p" 2>/dev/null; done
    # what the runtime and the engines keep under /run: files, sockets and fifos (empty dirs are
    # left), but for podman's runroot and lock; and no container's directory in that runroot
    { find /run /dev/shm -mindepth 1 ! -type d ! -path "$PMRUN/*" ! -path /dev/shm/libpod_lock
      ls -d "$PMRUN"/vfs-containers/*/userdata; } >"$T/runfiles" 2>/dev/null
    grep -F -e "$T" -e "$PMRUN" /proc/mounts >"$T/mounts"
    # cgroups below our parents, but for conmon's
    for p in $(cgroups_named "" "$NS") $(cgroups_named "" "$CGP"); do
        find "$p" -mindepth 1 -type d ! -path "*/$CGP/conmon"
    done >"$T/cgroups"
    ip -o link | awk -F': ' '$2 != "lo" { print $2 }' >"$T/links"
    [ -z "$left" ] && [ ! -s "$T/procs" ] && [ ! -s "$T/runfiles" ] && [ ! -s "$T/mounts" ] && [ ! -s "$T/cgroups" ] && [ ! -s "$T/links" ] ||
        no "left: containers [$left] processes [$(tr '\n' ';' <"$T/procs")] under /run [$(tr '\n' ' ' <"$T/runfiles")] mounts [$(cut -d' ' -f2 "$T/mounts" | tr '\n' ' ')] cgroups [$(tr '\n' ' ' <"$T/cgroups")] links [$(tr '\n' ' ' <"$T/links")]"
}
remove_engine_cgroups() {
    local p c tries=0
    for p in $(cgroups_named "" "$NS") $(cgroups_named "" "$CGP"); do
        while [ -d "$p" ] && [ $tries -lt 50 ]; do
            find "$p" -depth -type d -exec rmdir {} \; 2>/dev/null
            [ -d "$p" ] && sleep 0.1
            tries=$((tries + 1))
        done
        [ -d "$p" ] && c="$c $p"
    done
    umount -n /dev/shm /run
    [ -z "$c" ] || no "cgroups that could not be removed:$c"
}

echo "# runtime: $HUTCH_OCI ($("$HUTCH_OCI" --version 2>/dev/null | head -n 1))"
t "containerd serves (its own config, root, state and socket)" cd_running
t "ctr run: ps inside sees only the container's processes" cd_own_ps
t "ctr run: a UTS namespace of its own; the hostname it sets stays inside" cd_hostname
t "ctr run: the exit code comes back" cd_exit_code
t "ctr run: the runtime's error text (its JSON --log) reaches ctr" cd_error_text
t "ctr run -d: a long-running container" cd_long_starts
t "ctr task exec: runs inside (its hostname, its files); the exit code comes back" cd_exec
t "ctr task ps: the container's processes" cd_task_ps
t "ctr task pause stops its progress, resume lets it go on" cd_pause
t "ctr task kill: SIGTERM reaches PID 1 and ends it" cd_kill
t "ctr task rm, ctr c rm: the exit code; no process, state, bundle, mount or cgroup left" cd_rm
t "ctr run --seccomp: the default profile refuses what it blocks" cd_seccomp
t "ctr run --memory-limit: the cgroup has the limit (the config saved)" cd_memory
t "ctr run -t: a terminal inside" cd_tty
t "ctr task exec -t: a terminal inside" cd_exec_tty
t "podman run: output comes back; the default seccomp profile blocks" pm_default_seccomp
t "podman run: exit codes, and 127 and 126 from the runtime's error text" pm_exit_codes
t "podman run -d: a long-running container (the config saved)" pm_long_starts
t "podman exec (and exec -t): runs inside; the exit code comes back" pm_exec
t "podman stop: SIGTERM, then SIGKILL after the timeout" pm_stop
t "podman rm: no container, cgroup, mount or state left" pm_rm
t "podman run --memory --pids-limit: the cgroup has the limits" pm_limits_test
t "podman run -t: a terminal inside (the config saved)" pm_tty
t "runc spec bundle: run, the exit code, a read-only root" spec_run
t "runc spec bundle: create, state, start, ps, pause, resume, kill, delete" spec_lifecycle
t "containerd's config: create, start, delete as its shim does" containerd_bundle
t "containerd's -t config: a terminal" containerd_tty_bundle
t "podman's config: run as podman does (default root, --log-format=json)" podman_bundle
t "podman's -t config: a terminal" podman_tty_bundle
t "the engines leave nothing: containers, processes, state, mounts, cgroups, links" engines_leave_nothing
t "the engines' own cgroup parents removed" remove_engine_cgroups
finish
