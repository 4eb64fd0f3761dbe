#!/bin/sh
# hutch as an OCI runtime without an engine: hutch-oci spec, create, start, state, kill, delete,
# exec, ps, pause, resume, update, run, hooks, seccomp from JSON, a terminal over the console
# socket, the log, and the lifecycle's error cases, each with nothing left behind. Runs in a
# network namespace of its own.
. "$(dirname "$0")/lib.sh"
in_own_netns

OCI=${HUTCH_OCI:-$(dirname "$HUTCH")/hutch-oci}
ROOT=$T/oci
# The containers' cgroups go below this parent, in every hierarchy.
CGP=hutch-e2e-oci-$$

# o ARGS...: hutch-oci with the test's --root; like h ($rc, $T/out, $T/err).
o() {
    "$OCI" --root "$ROOT" "$@" >"$T/out" 2>"$T/err" </dev/null
    rc=$?
}
# One line on stderr naming NEEDLE, exit status 1 (runc's).
oci_error() {
    rc_is 1 || return 1
    local n
    n=$(wc -l <"$T/err")
    [ "$n" -eq 1 ] || { no "stderr has $n lines, want 1: $(cat "$T/err")"; return 1; }
    grep -q '^hutch-oci: ' "$T/err" || { no "stderr does not start with 'hutch-oci: '"; return 1; }
    err_has "$1"
}
# A JSON field of stdout: a string by a strict reader, a number (pid) by its digits.
field() {
    case $1 in
    pid) "$PROBE" json id <"$T/out" >/dev/null && sed -n 's/.*"pid":\([0-9]*\).*/\1/p' "$T/out" ;;
    *) "$PROBE" json "$1" <"$T/out" ;;
    esac
}
running() {
    local s
    s=$(awk '/^State:/ { print $2 }' "/proc/$1/status" 2>/dev/null)
    [ -n "$s" ] && [ "$s" != Z ]
}
# until_status ID STATUS: up to 5 s.
until_status() {
    local i=0
    while [ $i -lt 50 ]; do
        o state "$1"
        [ "$(field status 2>/dev/null)" = "$2" ] && return 0
        sleep 0.1
        i=$((i + 1))
    done
    no "status of $1 is '$(field status 2>/dev/null)', want $2"
}

# bundle DIR ARGS [LINUX]: a bundle from `hutch-oci spec`, its root the test's BusyBox tree
# (read-only), ARGS the process's args (JSON array text), LINUX more members of "linux".
bundle() {
    rm -rf "$1"
    mkdir -p "$1" || return 1
    "$OCI" spec --bundle "$1" || return 1
    local args linux
    args=$(printf '%s' "$2" | sed 's/[&|\\]/\\&/g')
    linux=$(printf '%s' "${3:-}" | sed 's/[&|\\]/\\&/g')
    sed -e "s|\"path\": \"rootfs\"|\"path\": \"$ROOTDIR\"|" \
        -e "s|\"args\": \\[\"sh\"\\]|\"args\": $args|" \
        -e "s|\"linux\": {|\"linux\": { $linux|" "$1/config.json" >"$1/c" && mv "$1/c" "$1/config.json"
}
cgroup_of() { echo "\"cgroupsPath\": \"$CGP/$1\","; }

# What OCI containers leave: state under --root, cgroups below $CGP.
oci_left() {
    local m
    ls "$ROOT" 2>/dev/null
    awk '$3 ~ /^cgroup/ { print $2 }' /proc/mounts | sort -u | while read -r m; do
        [ -d "$m/$CGP" ] && find "$m/$CGP" -mindepth 1 -maxdepth 1 -type d
    done
    return 0
}
nothing_left() {
    local i=0
    while [ $i -lt 50 ]; do
        [ -z "$(oci_left)$(new_mounts)$(hutch_procs)" ] && return 0
        sleep 0.1
        i=$((i + 1))
    done
    no "left: [$(oci_left)] mounts [$(new_mounts)] hutch pids [$(hutch_procs)]"
}

spec_writes_config() {
    mkdir -p "$T/s" && rm -f "$T/s/config.json"
    o spec --bundle "$T/s"
    rc_is 0 && "$PROBE" json ociVersion <"$T/s/config.json" >/dev/null ||
        { no "spec: no valid config.json"; return 1; }
    o spec --bundle "$T/s"
    oci_error "config.json exists"
}
spec_rootless() {
    # spec --rootless: a user namespace mapping the caller alone, the host's /sys bound.
    rm -rf "$T/rl" && mkdir -p "$T/rl" && "$OCI" spec --rootless --bundle "$T/rl" || return 1
    sed -e "s|\"path\": \"rootfs\"|\"path\": \"$ROOTDIR\"|" \
        -e 's|"args": \["sh"\]|"args": ["sh", "-c", "cat /proc/self/uid_map; id -u"]|' \
        "$T/rl/config.json" >"$T/rl/c" && mv "$T/rl/c" "$T/rl/config.json"
    o run --bundle "$T/rl" rl
    rc_is 0 && out_has "^ *0 *$(id -u) *1$" && nothing_left
}
lifecycle() {
    bundle "$T/b1" '["sleep", "60"]' "$(cgroup_of c1)" || return 1
    o create --bundle "$T/b1" --pid-file "$T/c1.pid" c1
    rc_is 0 || return 1
    # The pid file: the process's pid, written whole, without a newline.
    local pid
    pid=$(cat "$T/c1.pid")
    eq "$(wc -l <"$T/c1.pid")" 0 "newlines in the pid file" && running "$pid" ||
        { no "pid file '$pid'"; return 1; }
    o state c1
    rc_is 0 && eq "$(field status)" created "status" && eq "$(field pid)" "$pid" "pid" &&
        eq "$(field id)" c1 "id" && eq "$(field bundle)" "$T/b1" "bundle" &&
        eq "$(field ociVersion | cut -c1-2)" "1." "ociVersion" || return 1
    field annotations >/dev/null || { no "state has no annotations"; return 1; }
    # Created: the process waits, sleep has not run yet.
    [ "$(cat /proc/"$pid"/comm)" != sleep ] || { no "sleep ran before start"; return 1; }
    o start c1
    rc_is 0 && until_status c1 running || return 1
    # process.args is PID 1 (no init of hutch's), alone in its PID namespace.
    o exec c1 ps -o pid,comm
    rc_is 0 && out_has '^ *1 sleep' && eq "$(grep -vc PID "$T/out")" 2 "processes seen" || return 1
    o exec c1 hostname
    rc_is 0 && out_is hutch || return 1
    o ps --format json c1
    rc_is 0 && out_is "[$pid]" || return 1
    o list
    rc_is 0 && out_has "^c1  *$pid  *running" || return 1
    o delete c1
    oci_error "not stopped" || return 1
    o kill c1 KILL
    rc_is 0 && until_status c1 stopped || return 1
    o kill c1
    oci_error "container not running" || return 1
    o delete c1
    rc_is 0 || return 1
    o state c1
    oci_error "does not exist" && nothing_left
}
run_exit_code() {
    bundle "$T/b2" '["sh", "-c", "echo out; echo err >&2; exit 3"]' || return 1
    o run --bundle "$T/b2" r2
    rc_is 3 && out_is out && err_has '^err$' && nothing_left
}
exec_process_json() {
    bundle "$T/b3" '["sleep", "60"]' || return 1
    o create --bundle "$T/b3" c3 && o start c3
    rc_is 0 || return 1
    cat >"$T/process.json" <<EOF
{"terminal": false, "user": {"uid": 1000, "gid": 1000, "additionalGids": [5]},
 "args": ["sh", "-c", "echo \$X \$(pwd) \$(id -u) \$(id -G); exit 4"],
 "env": ["PATH=/bin:/usr/bin", "X=from-json"], "cwd": "/tmp",
 "capabilities": {"bounding": [], "effective": [], "permitted": []}}
EOF
    o exec --process "$T/process.json" c3
    rc_is 4 && out_is "from-json /tmp 1000 1000 5" || return 1
    o exec --env Y=2 --cwd /etc c3 sh -c 'echo $Y $(pwd)'
    rc_is 0 && out_is "2 /etc" || return 1
    o exec c3 no-such-command
    oci_error "executable file not found" || return 1
    # --detach: the pid file names the process, which outlives hutch-oci.
    o exec --detach --pid-file "$T/e.pid" c3 sleep 30
    rc_is 0 && running "$(cat "$T/e.pid")" || { no "exec --detach: no process"; return 1; }
    o delete --force c3
    rc_is 0 && nothing_left
}
pause_resume() {
    bundle "$T/b4" '["sh", "-c", "i=0; while :; do i=$((i+1)); echo $i >/dev/shm/n; sleep 0.05; done"]' \
        "$(cgroup_of c4)" || return 1
    o create --bundle "$T/b4" c4 && o start c4
    rc_is 0 || return 1
    sleep 0.3
    o pause c4
    rc_is 0 && until_status c4 paused || return 1
    local a b
    sleep 0.2
    # A paused container's processes do not run: the counter stays (read from the host).
    a=$(cat /proc/"$(cat_pid c4)"/root/dev/shm/n)
    sleep 0.5
    b=$(cat /proc/"$(cat_pid c4)"/root/dev/shm/n)
    eq "$b" "$a" "the counter while paused" || return 1
    o resume c4
    rc_is 0 && until_status c4 running || return 1
    sleep 0.5
    b=$(cat /proc/"$(cat_pid c4)"/root/dev/shm/n)
    [ "$b" -gt "$a" ] || { no "the counter did not move after resume ($a, $b)"; return 1; }
    o resume c4
    oci_error "not paused" || return 1
    o delete --force c4
    rc_is 0 && nothing_left
}
cat_pid() { "$OCI" --root "$ROOT" state "$1" | sed -n 's/.*"pid":\([0-9]*\).*/\1/p'; }
limits_and_update() {
    bundle "$T/b5" '["sleep", "60"]' "$(cgroup_of c5) \"resources\": {\"memory\": {\"limit\": 67108864}, \"pids\": {\"limit\": 20}, \"devices\": [{\"allow\": false, \"access\": \"rwm\"}]}," || return 1
    o create --bundle "$T/b5" c5
    rc_is 0 || return 1
    local mem pids
    mem=$(awk '$3 == "cgroup" && $4 ~ /memory/ { print $2 }' /proc/mounts | head -n 1)
    pids=$(awk '$3 == "cgroup" && $4 ~ /pids/ { print $2 }' /proc/mounts | head -n 1)
    if [ -n "$mem" ]; then
        eq "$(cat "$mem/$CGP/c5/memory.limit_in_bytes")" 67108864 "memory.limit_in_bytes" || return 1
        eq "$(cat "$pids/$CGP/c5/pids.max")" 20 "pids.max" || return 1
    else
        mem=$(awk '$3 == "cgroup2" { print $2 }' /proc/mounts | head -n 1)
        eq "$(cat "$mem/$CGP/c5/memory.max")" 67108864 "memory.max" || return 1
        eq "$(cat "$mem/$CGP/c5/pids.max")" 20 "pids.max" || return 1
        pids=$mem
    fi
    printf '{"pids": {"limit": 30}}' >"$T/res.json"
    o update --resources "$T/res.json" c5
    rc_is 0 && eq "$(cat "$pids/$CGP/c5/pids.max")" 30 "pids.max after update" || return 1
    o delete --force c5
    rc_is 0 && nothing_left
}
seccomp_json() {
    # mkdir refused with EPERM, personality refused unless its argument is 0 (PER_LINUX), the
    # rest allowed.
    bundle "$T/b6" '["sh", "-c", "mkdir /tmp/x 2>&1; /mnt/hutch-probe personality 0; /mnt/hutch-probe personality 8; echo done"]' \
        '"seccomp": {"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"], "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}, {"names": ["personality"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 0, "value": 0, "op": "SCMP_CMP_NE"}]}]},' || return 1
    # The test tool's directory, bound read-only on /mnt.
    sed "s|\"mounts\": \\[|\"mounts\": [{\"destination\": \"/mnt\", \"type\": \"bind\", \"source\": \"$(dirname "$PROBE")\", \"options\": [\"rbind\", \"ro\"]},|" \
        "$T/b6/config.json" >"$T/b6/c" && mv "$T/b6/c" "$T/b6/config.json"
    o run --bundle "$T/b6" s6
    # mkdir's EPERM is errnoRet 1; personality(8)'s the action's default, EPERM too.
    rc_is 0 && eq "$(grep -c "Operation not permitted" "$T/out")" 2 "calls refused" &&
        out_has "^personality: ok" && out_has '^done$' && nothing_left
}
hooks_get_state() {
    cat >"$T/hook" <<EOF
#!/bin/sh
cat >>"$T/hook.out"
echo >>"$T/hook.out"
EOF
    chmod +x "$T/hook"
    rm -f "$T/hook.out"
    bundle "$T/b7" '["true"]' || return 1
    sed "s|\"linux\": {|\"hooks\": {\"prestart\": [{\"path\": \"$T/hook\"}], \"poststop\": [{\"path\": \"$T/hook\", \"timeout\": 5}]}, \"linux\": {|" \
        "$T/b7/config.json" >"$T/b7/c" && mv "$T/b7/c" "$T/b7/config.json"
    o run --bundle "$T/b7" h7
    rc_is 0 || return 1
    eq "$(grep -c '"id":"h7"' "$T/hook.out")" 2 "hooks run with the state" &&
        grep -q '"status":"created"' "$T/hook.out" && grep -q '"status":"stopped"' "$T/hook.out" ||
        { no "hook input: $(cat "$T/hook.out")"; return 1; }
    # A failing prestart hook ends the create: exit 1, nothing left.
    printf '#!/bin/sh\nexit 7\n' >"$T/hook"
    o create --bundle "$T/b7" h8
    oci_error "prestart hook" && nothing_left
}
terminal_console() {
    bundle "$T/b8" '["sh", "-c", "tty; echo cols $(stty size)"]' || return 1
    sed -e 's|"terminal": false|"terminal": true, "consoleSize": {"height": 30, "width": 100}|' \
        "$T/b8/config.json" >"$T/b8/c" && mv "$T/b8/c" "$T/b8/config.json"
    rm -f "$T/console.sock"
    "$PROBE" console "$T/console.sock" "" >"$T/console.out" 2>&1 &
    local p=$! i=0
    while [ ! -S "$T/console.sock" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
    o run --bundle "$T/b8" --console-socket "$T/console.sock" t8
    local r=$rc
    wait $p
    rc=$r
    tr -d '\r' <"$T/console.out" >"$T/out"
    rc_is 0 && out_has '^tty$' && out_has '^/dev/pts/[0-9]' && out_has '^cols 30 100$' && nothing_left
}
hook_places() {
    # createContainer: the engine's program (a path of the host's, its interpreter the host's)
    # in the container's namespaces; startContainer: what the image has at its path, run as the
    # container's process would be (its capabilities, no_new_privs, PID namespace), never with
    # hutch's privileges.
    rm -rf "$T/hk" && cp -a "$ROOTDIR" "$T/hk" || return 1
    printf '#!/bin/sh\necho "create-hook on $(hostname)"\n' >"$T/cc-hook" && chmod +x "$T/cc-hook"
    printf '#!/bin/sh\necho "start-hook $(grep -E "^(CapEff|NoNewPrivs)" /proc/self/status | tr -s "\t\n" "  ")pid $$"\n' \
        >"$T/hk/start-hook" && chmod +x "$T/hk/start-hook"
    bundle "$T/b16" '["true"]' || return 1
    sed -e "s|\"path\": \"$ROOTDIR\", \"readonly\": true|\"path\": \"$T/hk\", \"readonly\": true|" \
        -e "s|\"linux\": {|\"hooks\": {\"createContainer\": [{\"path\": \"$T/cc-hook\"}], \"startContainer\": [{\"path\": \"/start-hook\"}]}, \"linux\": {|" \
        "$T/b16/config.json" >"$T/b16/c" && mv "$T/b16/c" "$T/b16/config.json"
    o run --bundle "$T/b16" hk16
    rc_is 0 && out_has '^create-hook on hutch$' || return 1
    # the bundle's capabilities: AUDIT_WRITE, KILL, NET_BIND_SERVICE; a PID of the container's
    out_has '^start-hook CapEff: 0000000020000420 NoNewPrivs: 1 pid [0-9]*$' || return 1
    local pid
    pid=$(sed -n 's/^start-hook .* pid \([0-9]*\)$/\1/p' "$T/out")
    [ "$pid" -lt 10 ] || { no "the startContainer hook ran as pid $pid, not in the container's namespace"; return 1; }
    nothing_left
}
host_sysctl_refused() {
    # A setting of the host's (no network namespace of the container's own) is refused.
    bundle "$T/b17" '["true"]' '"sysctl": {"net.ipv4.conf.lo.forwarding": "1"},' || return 1
    sed 's|{"type": "network"}, ||' "$T/b17/config.json" >"$T/b17/c" && mv "$T/b17/c" "$T/b17/config.json"
    o run --bundle "$T/b17" s17
    oci_error "needs a network namespace" || return 1
    eq "$(cat /proc/sys/net/ipv4/conf/lo/forwarding)" 0 "lo forwarding" || return 1
    bundle "$T/b17" '["true"]' '"sysctl": {"vm.overcommit_ratio": "51"},' || return 1
    o run --bundle "$T/b17" s18
    oci_error "not a setting of a namespace" && nothing_left
}
readonly_root_mount_points() {
    # A read-only root whose image lacks a mount point: made, then the root made read-only.
    rm -rf "$T/ro" && cp -a "$ROOTDIR" "$T/ro" && rmdir "$T/ro/mnt" 2>/dev/null
    rm -rf "$T/ro/mnt"
    bundle "$T/b18" '["sh", "-c", "grep -c . /proc/mounts >/dev/null; touch /x 2>&1; touch /mnt/y && echo mnt-writable"]' || return 1
    sed -e "s|\"path\": \"$ROOTDIR\"|\"path\": \"$T/ro\"|" \
        -e 's|"mounts": \[|"mounts": [{"destination": "/mnt", "type": "tmpfs", "source": "tmpfs"},|' \
        "$T/b18/config.json" >"$T/b18/c" && mv "$T/b18/c" "$T/b18/config.json"
    o run --bundle "$T/b18" ro18
    rc_is 0 && out_has 'Read-only file system' && out_has '^mnt-writable$' && [ -d "$T/ro/mnt" ] &&
        [ ! -e "$T/ro/x" ] && nothing_left
}
delete_created() {
    # containerd's shim deletes a created container without --force: it goes.
    bundle "$T/b19" '["sleep", "60"]' "$(cgroup_of c19)" || return 1
    o create --bundle "$T/b19" c19
    rc_is 0 || return 1
    o delete c19
    rc_is 0 && nothing_left
}
features_json() {
    o features
    rc_is 0 && eq "$(field ociVersionMin)" 1.0.0 "ociVersionMin" && out_has '"SCMP_CMP_MASKED_EQ"' &&
        out_has '"CAP_SYS_ADMIN"' && out_has '"mountOptions":\[' || return 1
    # the version, as podman asks for it
    o --version
    rc_is 0 && out_has '^hutch-oci version ' && out_has '^spec: 1\.'
}
log_json() {
    "$OCI" --root "$ROOT" --log "$T/log.json" --log-format json state no-such >/dev/null 2>&1
    local line
    line=$(tail -n 1 "$T/log.json")
    echo "$line" >"$T/out"
    eq "$(field level)" error "level" && field msg | grep -q "does not exist" &&
        field time | grep -q '^20[0-9][0-9]-' || no "log line: $line"
}
bad_inputs() {
    # an id in use
    bundle "$T/b9" '["sleep", "60"]' || return 1
    o create --bundle "$T/b9" dup
    rc_is 0 || return 1
    o create --bundle "$T/b9" dup
    oci_error "exists" || return 1
    o start dup && o start dup
    oci_error "already running" || return 1
    o delete -f dup
    rc_is 0 || return 1
    # a missing config.json, a corrupt one, a root outside the bundle, a missing root
    mkdir -p "$T/empty"
    o create --bundle "$T/empty" e1
    oci_error "config.json" || return 1
    printf '{"ociVersion": "1.0.2", "process": {' >"$T/empty/config.json"
    o create --bundle "$T/empty" e2
    oci_error "not valid JSON" || return 1
    bundle "$T/b10" '["true"]' && sed "s|\"path\": \"$ROOTDIR\"|\"path\": \"../../etc\"|" \
        "$T/b10/config.json" >"$T/b10/c" && mv "$T/b10/c" "$T/b10/config.json"
    o create --bundle "$T/b10" e3
    oci_error "root.path" || return 1
    sed "s|\"path\": \"../../etc\"|\"path\": \"$T/no-such-root\"|" "$T/b10/config.json" >"$T/b10/c" &&
        mv "$T/b10/c" "$T/b10/config.json"
    o create --bundle "$T/b10" e4
    oci_error "no-such-root" || return 1
    # an executable that is not there: create fails, as runc's does
    bundle "$T/b11" '["no-such-binary"]' || return 1
    o create --bundle "$T/b11" e5
    oci_error "executable file not found" || return 1
    # an unsupported field is named, not dropped
    bundle "$T/b12" '["true"]' '"intelRdt": {"closID": "x"},' || return 1
    o create --bundle "$T/b12" e6
    oci_error "linux.intelRdt" || return 1
    o --systemd-cgroup state x
    oci_error "systemd-cgroup" && nothing_left
}

hostile_image() {
    # The image's paths are the attacker's: a mount on /evil/t where /evil is a symlink to the
    # host's /etc, a mount on /../../up, a sysctl where /proc is a symlink, all stay inside.
    rm -rf "$T/hr" && cp -a "$ROOTDIR" "$T/hr" || return 1
    ln -s /etc "$T/hr/evil"
    bundle "$T/b13" '["sh", "-c", "grep -c . /evil/t/mounted-here 2>/dev/null; ls /up"]' || return 1
    sed -e "s|\"path\": \"$ROOTDIR\", \"readonly\": true|\"path\": \"$T/hr\", \"readonly\": false|" \
        -e "s|\"mounts\": \\[|\"mounts\": [{\"destination\": \"/evil/t\", \"type\": \"tmpfs\", \"source\": \"tmpfs\"}, {\"destination\": \"/../../up\", \"type\": \"tmpfs\", \"source\": \"tmpfs\"},|" \
        "$T/b13/config.json" >"$T/b13/c" && mv "$T/b13/c" "$T/b13/config.json"
    o run --bundle "$T/b13" x13
    rc_is 0 || return 1
    [ ! -e /etc/t ] && [ ! -e /up ] && [ -d "$T/hr/etc/t" ] && [ -d "$T/hr/up" ] ||
        { no "a mount target left the root: /etc/t or /up on the host"; rm -rf /etc/t; return 1; }
    # /proc as a symlink to a FIFO-holding directory: the sysctl is refused, nothing blocks.
    rm -rf "$T/hr/proc" && mkdir -p "$T/hr/fake/sys/kernel" && mkfifo "$T/hr/fake/sys/kernel/domainname" &&
        ln -s /fake "$T/hr/proc" || return 1
    bundle "$T/b14" '["true"]' '"sysctl": {"kernel.domainname": "x"},' || return 1
    sed -e "s|\"path\": \"$ROOTDIR\", \"readonly\": true|\"path\": \"$T/hr\"|" \
        -e 's|{"destination": "/proc", "type": "proc", "source": "proc"},||' \
        "$T/b14/config.json" >"$T/b14/c" && mv "$T/b14/c" "$T/b14/config.json"
    o run --bundle "$T/b14" x14
    oci_error "linux.sysctl kernel.domainname" && nothing_left
}
no_fds_inside() {
    # The container's process holds nothing of hutch's: no exec fifo, no state directory, no
    # channel; an exec'd one neither.
    bundle "$T/b15" '["sleep", "60"]' || return 1
    o create --bundle "$T/b15" --pid-file "$T/c15.pid" c15 && o start c15
    rc_is 0 || return 1
    local pid n
    pid=$(cat "$T/c15.pid")
    n=$(ls /proc/"$pid"/fd | grep -vc '^[012]$')
    eq "$n" 0 "descriptors beyond stdio in the container's process ($(ls -l /proc/"$pid"/fd | tr '\n' ' '))" || return 1
    o exec c15 sh -c 'ls /proc/self/fd | grep -vc "^[0-3]$"'
    out_is 0 || return 1
    o delete -f c15
    rc_is 0 && nothing_left
}
root_of_others() {
    # A --root another user may write is refused: they could plant a state of their own.
    mkdir -p "$T/shared" && chmod 0777 "$T/shared"
    "$OCI" --root "$T/shared" list >"$T/out" 2>"$T/err" </dev/null
    rc=$?
    oci_error "others may write it"
}

t "spec writes a config.json, and will not overwrite one" spec_writes_config
t "spec --rootless: a user namespace of the caller alone" spec_rootless
t "create, state, start, exec, ps, list, kill, delete: the lifecycle" lifecycle
t "run: stdio passed through, the exit code" run_exit_code
t "exec --process JSON: user, groups, env, cwd; --env, --cwd; --detach" exec_process_json
t "pause stops the processes, resume lets them go on" pause_resume
t "resources: memory, pids, devices; update --resources" limits_and_update
t "seccomp from the config's JSON: errno, argument conditions" seccomp_json
t "hooks get the state on stdin; a failing prestart ends create" hooks_get_state
t "process.terminal: the master over --console-socket, consoleSize" terminal_console
t "--log-format json: one object a line with level, msg, time" log_json
t "features: the runtime-spec's features JSON; --version" features_json
t "createContainer hooks run the host's program, startContainer ones as the container" hook_places
t "a sysctl of the host's is refused" host_sysctl_refused
t "a read-only root gets its missing mount points first" readonly_root_mount_points
t "delete of a created container, without --force" delete_created
t "an id in use, start twice, bad configs and roots: one line, exit 1, nothing left" bad_inputs
t "a hostile image: mount targets and sysctls stay inside the root" hostile_image
t "no descriptor of hutch's reaches the container's processes" no_fds_inside
t "a --root others may write is refused" root_of_others
awk '$3 ~ /^cgroup/ { print $2 }' /proc/mounts | sort -u | while read -r m; do rmdir "$m/$CGP" 2>/dev/null; done
finish
