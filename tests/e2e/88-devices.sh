#!/bin/sh
# Devices on purpose: --device HOST[:CONTAINER][:rwm] gives the container one node of the host's,
# and nothing else opens; where the container has a cgroup (limits, or --device), a device policy
# (v1 devices.allow, or a BPF program on cgroup v2) is a second wall behind the nodev mounts.
. "$(dirname "$0")/lib.sh"

device_works() {
    loop_up || return 1
    h run --device "$LOOP" "$EXT4" sh -c "head -c 14 $LOOP; echo; ls -l $LOOP"
    local r1=$rc out1
    out1=$(cat "$T/out")
    h run --device "$LOOP:/dev/disk0" "$EXT4" sh -c 'head -c 14 /dev/disk0'
    local out2
    out2=$(cat "$T/out")
    # Not given: the same node made inside opens nothing.
    h run "$EXT4" sh -c "mknod /tmp/d b $MAJ $MIN && head -c 14 /tmp/d"
    local out3
    out3=$(cat "$T/out")
    loop_done
    rc=$r1
    rc_is 0 && case $out1 in host-disk-data*) ;; *) no "read: $out1"; return 1 ;; esac
    eq "$out2" host-disk-data "read at the container's path" || return 1
    case $out3 in *host-disk-data*) no "a node made inside opened the disk"; return 1 ;; esac
}
device_read_only() {
    loop_up || return 1
    h run --device "$LOOP:/dev/disk0:r" "$EXT4" sh -c 'head -c 14 /dev/disk0; echo; echo x | dd of=/dev/disk0 2>&1; echo wrote=$?'
    local out1
    out1=$(cat "$T/out")
    h run --device "$LOOP:/dev/disk0:rw" "$EXT4" sh -c 'echo x | dd of=/dev/disk0 2>/dev/null; echo wrote=$?'
    local out2
    out2=$(cat "$T/out")
    loop_done
    case $out1 in host-disk-data*wrote=[1-9]*) ;; *) no ":r: $out1"; return 1 ;; esac
    case $out2 in *wrote=0*) ;; *) no ":rw: $out2"; return 1 ;; esac
}
second_wall() {
    # With SYS_ADMIN a container can mount a filesystem without nodev; the cgroup's device
    # policy still refuses the node (--privileged has none).
    loop_up || return 1
    local try="mkdir -p /tmp/m && mount -t tmpfs none /tmp/m && mknod /tmp/m/d b $MAJ $MIN && echo MADE && head -c 14 /tmp/m/d"
    h run --memory 64M --cap-add SYS_ADMIN "$EXT4" sh -c "$try"
    local out1 err1
    out1=$(cat "$T/out") err1=$(cat "$T/err")
    h run --memory 64M --privileged "$EXT4" sh -c "$try"
    local out2
    out2=$(cat "$T/out")
    loop_done
    case $out1 in *host-disk-data*) no "the cgroup let the node open"; return 1 ;; MADE*) ;; *) no "the mount or mknod failed: $err1"; return 1 ;; esac
    case $err1 in *"not permitted"*) ;; *) no "refused otherwise: $err1"; return 1 ;; esac
    eq "$out2" "MADE
host-disk-data" "--privileged read"
}
bad_devices() {
    h run --device /etc/passwd "$EXT4" true
    rc_is 125 && one_line_error "not a device node" || return 1
    h run --device /dev/null:rwx "$EXT4" true
    rc_is 125 && one_line_error "--device '/dev/null:rwx'" || return 1
    h run --device dev/null "$EXT4" true
    rc_is 125 && one_line_error "--device 'dev/null'" || return 1
    h run --device /dev/no-such-node "$EXT4" true
    rc_is 125 && one_line_error "/dev/no-such-node"
}

t "--device: the host's node works inside, at its path or another; a node not given opens nothing" device_works
t "--device ...:r reads and cannot write (the device policy); :rw writes" device_read_only
t "the device policy stops a node on a filesystem without nodev (not --privileged)" second_wall
t "bad --device specs: one line, 125" bad_devices
finish
