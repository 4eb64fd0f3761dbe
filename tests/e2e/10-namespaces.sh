#!/bin/sh
# The container's view: its own processes, hostname, network, namespaces, /dev, /proc, /sys.
. "$(dirname "$0")/lib.sh"

ps_only_own() {
    h run "$EXT4" ps -o pid,comm
    rc_is 0 || return 1
    # Header, then init as PID 1 and ps itself: the host's many processes are not seen.
    eq "$(sed 1d "$T/out" | wc -l)" 2 "process count" || return 1
    eq "$(sed -n '2p' "$T/out" | awk '{print $1}')" 1 "first PID"
}
ps_no_init() {
    h run --no-init "$EXT4" ps -o pid,comm
    rc_is 0 && eq "$(sed 1d "$T/out" | awk '{print $1 " " $2}')" "1 ps" "the only process"
}
hostname_given() {
    before=$(hostname)
    h run --hostname box-1 "$EXT4" hostname
    rc_is 0 && out_is box-1 && eq "$(hostname)" "$before" "host's hostname"
}
hostname_from_name() {
    h run --name web.1 "$EXT4" hostname
    rc_is 0 && out_is web.1
}
only_lo_up() {
    h run "$EXT4" ip -o link
    rc_is 0 || return 1
    eq "$(wc -l <"$T/out")" 1 "interface count" || return 1
    out_has '^1: lo: <LOOPBACK,UP' || return 1
    h run "$EXT4" ping -c 1 -W 1 127.0.0.1
    rc_is 0
}
own_namespaces() {
    for ns in pid mnt uts ipc net; do
        h run "$EXT4" readlink /proc/self/ns/$ns
        rc_is 0 || return 1
        [ "$(cat "$T/out")" != "$(readlink /proc/self/ns/$ns)" ] || no "$ns namespace shared" || return 1
    done
}
net_host() {
    h run --net host "$EXT4" readlink /proc/self/ns/net
    rc_is 0 && out_is "$(readlink /proc/self/ns/net)"
}
environment() {
    HUTCH_SECRET=1 h run -e FOO=bar -e PATH=/usr/bin:/bin "$EXT4" env
    rc_is 0 && out_has '^FOO=bar$' && out_has '^PATH=/usr/bin:/bin$' && out_has '^container=hutch$' || return 1
    ! grep -q HUTCH_SECRET "$T/out" || no "the host's environment leaked in"
}
workdir() {
    h run -w /tmp "$EXT4" pwd
    rc_is 0 && out_is /tmp
}
user_by_name_and_number() {
    h run --user user "$EXT4" sh -c 'echo $(id -u) $(id -g) $HOME'
    rc_is 0 && out_is "1000 1000 /home/user" || return 1
    h run --user 1234:5 "$EXT4" sh -c 'echo $(id -u) $(id -g) $(id -G)'
    rc_is 0 && out_is "1234 5 5"
}
bind_rw_ro_file() {
    mkdir -p "$T/share" && echo host >"$T/share/from-host" && echo conf >"$T/file.conf"
    h run --bind "$T/share:/share" --bind "$T/file.conf:/etc/app.conf:ro" "$EXT4" \
        sh -c 'cat /share/from-host /etc/app.conf && echo inside >/share/from-container'
    rc_is 0 && out_is "host
conf" && eq "$(cat "$T/share/from-container")" inside "file written through the bind" || return 1
    h run --bind "$T/share:/share:ro" "$EXT4" touch /share/x
    [ "$rc" != 0 ] && err_has "Read-only file system" && [ ! -e "$T/share/x" ]
}
bind_covering_staging() {
    # A recursive bind of a tree that holds the directory hutch stages the root on still shows
    # the host's files there, not the container's root.
    mkdir -p "$T/marker-dir" && touch "$T/marker-dir/marker"
    h run --bind "$(dirname "$T"):/hosttmp:ro" "$EXT4" ls "/hosttmp/$(basename "$T")/marker-dir"
    rc_is 0 && out_is marker
}
directory_root() {
    h run --name dirroot "$ROOTDIR" sh -c 'ps -o comm; hostname'
    # ps: a header, init, sh, ps; nothing of the host's
    rc_is 0 && eq "$(tr '\n' ' ' <"$T/out")" "COMMAND hutch sh ps dirroot " "ps and hostname" || return 1
    h run --ro "$ROOTDIR" touch /x
    [ "$rc" != 0 ] && err_has "Read-only file system" && [ ! -e "$ROOTDIR/x" ]
}
# mount_opts MOUNTPOINT: the per-mount options of MOUNTPOINT in the container's mountinfo (the
# last mount there), from $T/out.
mount_opts() { awk -v m="$1" '$5 == m { o = $6 } END { print o }' "$T/out"; }
dev_proc_sys() {
    h run "$EXT4" sh -c 'echo x >/dev/null && head -c 4 /dev/zero | wc -c && ls /dev/pts/ptmx &&
        touch /dev/shm/x && grep -c . /proc/1/status >/dev/null && echo done; cat /proc/self/mountinfo'
    rc_is 0 && out_has '^4$' && out_has '^done$' || return 1
    # /sys read-only, /dev nodev: by their mount flags (a failed write could have other causes)
    case $(mount_opts /sys) in ro,*) ;; *) no "/sys: $(mount_opts /sys)"; return 1 ;; esac
    case $(mount_opts /dev) in *nodev*) ;; *) no "/dev: $(mount_opts /dev)"; return 1 ;; esac
    h run --privileged "$EXT4" cat /proc/self/mountinfo
    case $(mount_opts /sys) in rw,*) ;; *) no "--privileged /sys: $(mount_opts /sys)"; return 1 ;; esac
    case $(mount_opts /dev) in *nodev*) no "--privileged /dev: $(mount_opts /dev)"; return 1 ;; esac
}
masked_proc() {
    # Every masked path of the README: covered (by /dev/null or an empty tmpfs), or read-only;
    # those this kernel lacks are not there to mask.
    h run "$EXT4" sh -c 'cat /proc/self/mountinfo; for f in kcore keys timer_list timer_stats sched_debug latency_stats kallsyms kmsg; do
        [ -e /proc/$f ] && echo "file $f"; done;
        for d in acpi scsi asound; do [ -d /proc/$d ] && echo "dir $d $(ls -A /proc/$d | wc -l)"; done;
        [ -d /sys/firmware ] && echo "dir sysfirmware $(ls -A /sys/firmware | wc -l)"; echo x >/proc/sys/kernel/hostname; true'
    rc_is 0 || return 1
    local bad="" f
    # files: the host's /dev/null (a mount whose root is /null) bound over them, read-only
    for f in $(awk '$1 == "file" { print $2 }' "$T/out"); do
        [ "$(awk -v m="/proc/$f" '$5 == m { r = $4 } END { print r }' "$T/out")" = /null ] &&
            case $(mount_opts "/proc/$f") in ro,*) ;; *) false ;; esac || bad="$bad $f"
    done
    for f in $(awk '$1 == "dir" { print $2 }' "$T/out"); do
        grep -q "^dir $f 0$" "$T/out" || bad="$bad $f"
    done
    for f in /proc/sys /proc/irq /proc/bus /proc/fs /proc/sysrq-trigger; do
        [ -e "$f" ] || continue
        case $(mount_opts "$f") in ro,*) ;; *) bad="$bad $f:$(mount_opts "$f")" ;; esac
    done
    err_has "Read-only file system" || bad="$bad write-to-/proc/sys"
    [ -z "$bad" ] || { no "not masked:$bad"; return 1; }
    # --privileged masks nothing
    h run --privileged "$EXT4" cat /proc/self/mountinfo
    [ -z "$(mount_opts /proc/sys)" ] || no "--privileged: /proc/sys still covered"
}
cgroup_ns_without_limits() {
    h run "$EXT4" readlink /proc/self/ns/cgroup
    rc_is 0 && [ -n "$(cat "$T/out")" ] && [ "$(cat "$T/out")" != "$(readlink /proc/self/ns/cgroup)" ] ||
        no "the cgroup namespace is the host's: $(cat "$T/out")"
}

t "ps inside lists only the container's processes, the first being PID 1" ps_only_own
t "--no-init: the command is PID 1 and alone" ps_no_init
t "--hostname sets the hostname inside, not on the host" hostname_given
t "the hostname defaults to the name" hostname_from_name
t "--net none: only lo exists inside, and it is up" only_lo_up
t "new pid, mnt, uts, ipc and net namespaces" own_namespaces
t "--net host shares the host's network namespace" net_host
t "--env sets variables; the host's environment stays out" environment
t "--workdir" workdir
t "--user by name and by number" user_by_name_and_number
t "--bind read-write, read-only, and of a single file" bind_rw_ro_file
t "--bind of a tree holding the staging directory shows the host's files" bind_covering_staging
t "every masked /proc path is covered or read-only (none --privileged)" masked_proc
t "a directory as the root, and --ro on it" directory_root
t "/dev nodes, /dev/pts, /dev/shm, /proc, and /sys read-only" dev_proc_sys
if [ -e /proc/self/ns/cgroup ]; then t "a container without limits has a cgroup namespace of its own" cgroup_ns_without_limits
else skip "a cgroup namespace without limits" "the kernel has no cgroup namespaces"; fi
finish
