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
    h run "$ROOTDIR" sh -c 'ps -o pid | wc -l; hostname'
    rc_is 0 || return 1
    h run --ro "$ROOTDIR" touch /x
    [ "$rc" != 0 ] && err_has "Read-only file system"
}
dev_proc_sys() {
    h run "$EXT4" sh -c 'echo x >/dev/null && head -c 4 /dev/zero | wc -c && ls /dev/pts/ptmx &&
        touch /dev/shm/x && grep -c . /proc/1/status >/dev/null && ! touch /sys/x 2>/dev/null && echo done'
    rc_is 0 && out_has '^4$' && out_has '^done$'
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
t "a directory as the root, and --ro on it" directory_root
t "/dev nodes, /dev/pts, /dev/shm, /proc, and /sys read-only" dev_proc_sys
finish
