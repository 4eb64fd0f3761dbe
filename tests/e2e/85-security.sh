#!/bin/sh
# The hardened default: each escape attempt fails with the default settings, and the same action
# succeeds with the protection off (--privileged or the matching flag), so each test can fail.
. "$(dirname "$0")/lib.sh"

status_line() { grep "^$1:" "$T/out" | awk '{print $2}'; }

default_sets() {
    inside 'grep -E "^(Cap(Inh|Prm|Eff|Bnd|Amb)|NoNewPrivs|Seccomp):" /proc/self/status'
    rc_is 0 || return 1
    eq "$(status_line CapEff)" 00000000a80425fb CapEff && eq "$(status_line CapBnd)" 00000000a80425fb CapBnd &&
        eq "$(status_line CapInh)" 0000000000000000 CapInh && eq "$(status_line CapAmb)" 0000000000000000 CapAmb &&
        eq "$(status_line NoNewPrivs)" 1 NoNewPrivs && eq "$(status_line Seccomp)" 2 Seccomp
}
cap_flags() {
    inside --cap-drop ALL --cap-add NET_BIND_SERVICE 'grep CapEff /proc/self/status'
    rc_is 0 && out_has 0000000000000400 || return 1
    inside --cap-add NET_ADMIN 'grep CapEff /proc/self/status'
    rc_is 0 && out_has 00000000a80435fb || return 1
    inside --user 1000 'grep CapEff /proc/self/status'
    rc_is 0 && out_has 0000000000000000 || return 1
    inside --seccomp unconfined 'grep "^Seccomp:" /proc/self/status'
    rc_is 0 && out_has '0$'
}
remount_root_rw() {
    cp -a "$ROOTDIR" "$T/rootdir"
    h run --ro "$T/rootdir" sh -c 'mount -o remount,rw / && touch /x && echo WROTE'
    [ "$rc" != 0 ] && ! grep -q WROTE "$T/out" || { no "remounted read-write"; return 1; }
    # A read-only image is attached read-only too: not even --privileged writes it.
    h run --ro --privileged "$EXT4" sh -c 'mount -o remount,rw / && echo REMOUNTED'
    [ "$rc" != 0 ] && ! grep -q REMOUNTED "$T/out" || { no "remounted the --ro image"; return 1; }
    h run --ro --privileged "$T/rootdir" sh -c 'mount -o remount,rw / && touch /x && echo WROTE'
    rc_is 0 && out_has WROTE
}
mount_filesystems() {
    for fs in "proc proc" "sysfs sysfs" "tmpfs tmpfs"; do
        set -- $fs
        inside "mkdir -p /tmp/m && mount -t $1 $2 /tmp/m && echo MOUNTED"
        [ "$rc" != 0 ] && ! grep -q MOUNTED "$T/out" || { no "mounted $1"; return 1; }
    done
    inside --privileged 'mkdir -p /tmp/m && mount -t tmpfs tmpfs /tmp/m && echo MOUNTED'
    rc_is 0 && out_has MOUNTED || return 1
    inside --cap-add SYS_ADMIN 'mkdir -p /tmp/m && mount -t proc proc /tmp/m && echo MOUNTED'
    rc_is 0 && out_has MOUNTED
}
open_by_handle() {
    probe_inside '/probe handle /etc/passwd'
    rc_is 1 && out_has 'open_by_handle_at: Operation not permitted' || return 1
    probe_inside --privileged '/probe handle /etc/passwd'
    rc_is 0 && out_has 'open_by_handle_at: ok'
}
load_module() {
    inside 'insmod /etc/passwd'
    [ "$rc" != 0 ] && err_has "Operation not permitted" || return 1
    # With CAP_SYS_MODULE the call reaches the kernel, which rejects the file as a module.
    inside --cap-add SYS_MODULE 'insmod /etc/passwd'
    [ "$rc" != 0 ] && ! err_has "Operation not permitted" || no "insmod still refused: $(cat "$T/err")"
}
sysrq() {
    inside 'echo h >/proc/sysrq-trigger && echo WROTE'
    [ "$rc" != 0 ] && ! grep -q WROTE "$T/out" || { no "wrote /proc/sysrq-trigger"; return 1; }
    inside --privileged 'echo h >/proc/sysrq-trigger && echo WROTE' # h: print the help to the log
    rc_is 0 && out_has WROTE
}
reboot_call() {
    inside 'reboot -f; echo STILL-HERE'
    rc_is 0 && out_has STILL-HERE && err_has "Operation not permitted" || return 1
    # With the protection off, reboot(2) ends the container's PID namespace, not the machine.
    inside --privileged 'reboot -f; sleep 5; echo STILL-HERE'
    rc_is 129 && ! grep -q STILL-HERE "$T/out"
}
host_hostname() {
    before=$(hostname)
    inside 'hostname evil'
    [ "$rc" != 0 ] && err_has "not permitted" && eq "$(hostname)" "$before" "host's hostname" || return 1
    inside --privileged 'hostname evil && hostname'
    rc_is 0 && out_is evil && eq "$(hostname)" "$before" "host's hostname"
}
host_processes() {
    sleep 30 &
    local host_pid=$!
    kill -0 $host_pid || { no "the host cannot see its own process"; return 1; }
    inside --privileged "ps -o pid,comm | grep -cw sleep; kill -0 $host_pid 2>/dev/null && echo SIGNALLED || echo NOT-SIGNALLED
        [ -e /proc/$host_pid ] && echo SEEN || echo NOT-SEEN"
    kill $host_pid
    wait $host_pid 2>/dev/null
    rc_is 0 && eq "$(tr '\n' ' ' <"$T/out")" "0 NOT-SIGNALLED NOT-SEEN " "what the container saw of host process $host_pid"
}
host_files() {
    mkdir -p "$T/secret" && echo host-only >"$T/secret/marker"
    local try="cat /proc/1/root$T/secret/marker; cat /proc/\$\$/root$T/secret/marker;
        cat /../../..$T/secret/marker; cd / && cd .. && cat .$T/secret/marker"
    inside "$try; true"
    ! grep -q host-only "$T/out" || { no "host file reached"; return 1; }
    # The same paths do reach it once the directory is bound in: the attempts above can succeed.
    inside --bind "$T/secret:$T/secret:ro" "$try; true"
    rc_is 0 && eq "$(grep -c host-only "$T/out")" 3 "reads through /proc/\$\$/root, .. and cd .."
}
host_disk() {
    # A block device of this machine that the host itself can read through a node made with
    # mknod: a disk, or else (where this machine closes its disks to such nodes even on the host)
    # a loop device the test attaches.
    local dev="" loop=""
    for d in /sys/block/*; do
        [ "$(cat "$d/size" 2>/dev/null || echo 0)" -gt 0 ] || continue
        local node=$T/node-${d##*/} majmin
        majmin=$(cat "$d/dev")
        mknod "$node" b "${majmin%:*}" "${majmin#*:}" 2>/dev/null || continue
        head -c 512 "$node" 2>/dev/null | grep -q . && dev=$majmin
        rm -f "$node"
        [ -n "$dev" ] && break
    done
    if [ -z "$dev" ]; then
        printf 'host-disk-data' | dd of="$T/disk.img" bs=1M seek=1 conv=notrunc 2>/dev/null
        dd if=/dev/zero of="$T/disk.img" bs=1 count=0 seek=2M 2>/dev/null
        loop=$(losetup -f) && losetup "$loop" "$T/disk.img" || { no "no block device to try"; return 1; }
        dev=$(cat "/sys/block/${loop#/dev/}/dev")
    fi
    local major=${dev%:*} minor=${dev#*:}
    inside "rm -f /tmp/disk; mknod /tmp/disk b $major $minor; head -c 512 /tmp/disk | wc -c"
    ! out_has '^512$' || { no "read the host's disk $dev"; [ -n "$loop" ] && losetup -d "$loop"; return 1; }
    inside --privileged "rm -f /tmp/disk; mknod /tmp/disk b $major $minor && head -c 512 /tmp/disk | wc -c"
    [ -n "$loop" ] && losetup -d "$loop"
    rc_is 0 && out_has '^512$'
}
hutch_binary() {
    # CVE-2019-5736: reach the hutch binary through /proc/PID/exe of hutch's init (PID 1) or of
    # the container's own processes. A copy of hutch is used, so nothing real is at stake.
    cp "$HUTCH" "$T/hutch-copy" && before=$(md5sum <"$T/hutch-copy")
    HUTCH=$T/hutch-copy inside 'cat /proc/1/exe >/dev/null && echo OPENED; echo x >>/proc/1/exe && echo WROTE; readlink /proc/self/exe'
    local opened
    grep -q OPENED "$T/out" && opened=yes
    eq "$(md5sum <"$T/hutch-copy")" "$before" "the binary" || return 1
    [ -z "$opened" ] && ! grep -q WROTE "$T/out" && out_has '^/bin/busybox$' || { no "opened or wrote /proc/1/exe"; return 1; }
    # With the protection off the open succeeds (the kernel still refuses the write: text busy).
    HUTCH=$T/hutch-copy inside --privileged 'cat /proc/1/exe >/dev/null && echo OPENED; echo x >>/proc/1/exe && echo WROTE'
    out_has OPENED && ! grep -q WROTE "$T/out" && eq "$(md5sum <"$T/hutch-copy")" "$before" "the binary"
}
ptrace_process() {
    probe_inside 'sleep 5 & /probe ptrace $!; r=$?; kill $!; exit $r'
    rc_is 1 && out_has 'ptrace attach: Operation not permitted' || return 1
    probe_inside --privileged 'sleep 5 & /probe ptrace $!; r=$?; kill $!; exit $r'
    rc_is 0 && out_has 'ptrace attach: ok' || return 1
    # A process outside is not even there to attach to.
    sleep 30 &
    local host_pid=$!
    probe_inside --privileged "/probe ptrace $host_pid"
    kill $host_pid
    wait $host_pid 2>/dev/null
    rc_is 1 && out_has 'No such process'
}
net_none() {
    inside --net none 'ping -c 1 -W 1 192.0.2.1'
    [ "$rc" != 0 ] && err_has "unreachable"
}
user_namespaces_refused() {
    # The same attempts both times: refused by the filter by default, made with SYS_ADMIN kept.
    local try='unshare -U -r true && echo USER; unshare -m true && echo MOUNT; true'
    inside "$try"
    rc_is 0 && eq "$(cat "$T/out")" "" "namespaces made" || return 1
    inside --cap-add SYS_ADMIN "$try"
    rc_is 0 && eq "$(tr '\n' ' ' <"$T/out")" "USER MOUNT " "namespaces made with SYS_ADMIN"
}
cap_add_all_own() {
    # --cap-add ALL keeps every capability hutch itself has (its bounding set: a board's init, or
    # this machine, may lack some); one it lacks, named, is one line and 125.
    local bnd
    bnd=$(awk '/^CapBnd:/ { print $2 }' /proc/self/status)
    inside --cap-add ALL 'grep CapEff /proc/self/status'
    rc_is 0 && out_has "^CapEff:[[:space:]]*$bnd$" || return 1
    [ $(((0x$bnd >> 24) & 1)) = 0 ] || return 0
    inside --cap-add SYS_RESOURCE true
    rc_is 125 && one_line_error "capability SYS_RESOURCE: hutch itself does not have it"
}
always_rules() {
    # keyctl needs no capability at all: only the filter refuses it, whatever is kept.
    probe_inside --cap-add ALL '/probe keyctl'
    out_has 'keyctl: Operation not permitted' || return 1
    probe_inside --seccomp unconfined '/probe keyctl'
    out_has 'keyctl: ok'
}
clone3_enosys() {
    probe_inside '/probe clone3'
    out_has 'clone3: Function not implemented' || return 1
    probe_inside --seccomp unconfined '/probe clone3'
    out_has 'clone3: Invalid argument'
}
foreign_abis_killed() {
    local abi
    for abi in x32 i386; do
        probe_inside "/probe abi $abi"
        rc_is 159 && ! out_has pid || { no "$abi: status $rc, $(cat "$T/out")"; return 1; } # SIGSYS
        probe_inside --seccomp unconfined "/probe abi $abi"
        rc_is 0 && out_has '^pid ' || { no "$abi unconfined: status $rc"; return 1; }
    done
}

t "default: Docker's capability set, no_new_privs, seccomp filter" default_sets
t "--cap-add, --cap-drop, --user and --seccomp change the sets" cap_flags
t "--cap-add ALL keeps what hutch has; one it lacks is named" cap_add_all_own
t "remounting / read-write under --ro fails (works --privileged)" remount_root_rw
t "mounting proc, sysfs or tmpfs fails (works --privileged / with SYS_ADMIN)" mount_filesystems
if [ -x "$PROBE" ]; then
    t "open_by_handle_at fails (works --privileged)" open_by_handle
    t "ptrace fails (works --privileged); host processes are out of reach" ptrace_process
else
    skip "open_by_handle_at, ptrace" "no hutch-probe"
fi
t "loading a module fails (reaches the kernel with SYS_MODULE)" load_module
if [ -e /proc/sysrq-trigger ]; then t "writing /proc/sysrq-trigger fails (works --privileged)" sysrq
else skip "writing /proc/sysrq-trigger" "this kernel has none"; fi
t "reboot fails (--privileged: it ends only the container)" reboot_call
t "the host's hostname cannot be changed" host_hostname
t "host processes cannot be seen or signalled" host_processes
t "host files are out of reach through /proc/1/root and .. (a bind reaches them)" host_files
t "a block device of the host's disk cannot be read through mknod (can --privileged)" host_disk
t "the hutch binary cannot be opened or overwritten through /proc/PID/exe" hutch_binary
t "--net none reaches no address" net_none
t "new namespaces from inside fail (work with SYS_ADMIN)" user_namespaces_refused
if [ -x "$PROBE" ]; then
    t "an always-refused call (keyctl) stays refused with every capability (not unconfined)" always_rules
    t "clone3 gets ENOSYS from the filter (EINVAL from the kernel unconfined)" clone3_enosys
    if [ "$(uname -m)" = x86_64 ]; then
        t "a call of the x32 ABI or of i386 (int 0x80) kills the process (not unconfined)" foreign_abis_killed
    else
        skip "foreign ABIs killed" "tried on x86_64, whose binary can make both kinds of call"
    fi
fi
finish
