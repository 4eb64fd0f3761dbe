#!/bin/sh
# Loop devices with direct I/O: hutch asks for LO_FLAGS_DIRECT_IO, so that the image file's
# blocks are not cached twice (once under the loop device, once in the file's own page cache).
# Where the image's filesystem has no O_DIRECT (ramfs; tmpfs before Linux 6.6, the QEMU
# guests' 6.1 kernel) the device does buffered I/O and works the same; HUTCH_LOOP_DIO=0 turns
# direct I/O off. inspect's "loop" says which: LOOP_CONFIGURE,dio or LOOP_CONFIGURE.
. "$(dirname "$0")/lib.sh"

# The filesystem type that holds PATH (the longest mount point above it).
fstype_of() {
    local p
    p=$(readlink -f "$1")
    awk -v p="$p" '{ m = $2; gsub(/\\040/, " ", m)
        if ((p == m || index(p, (m == "/") ? "/" : (m "/")) == 1) && length(m) >= best) { best = length(m); t = $3 } }
        END { print t }' /proc/mounts
}
# Whether direct I/O must work for an image file on filesystem type $1: 1, 0, or "" (unknown).
dio_expected() {
    case $1 in
        ext4 | ext3 | xfs | btrfs) echo 1 ;;
        ramfs) echo 0 ;;
        # tmpfs takes O_DIRECT from Linux 6.6
        tmpfs) uname -r | awk -F. '{ print ($1 * 100 + $2 >= 606) ? 1 : 0 }' ;;
        *) echo "" ;;
    esac
}
# The /sys/block/loopN directory of the loop device bound to the image file $1.
loop_sys_of() {
    local f b want
    want=$(readlink -f "$1")
    for f in /sys/block/loop*/loop/backing_file; do
        b=$(cat "$f" 2>/dev/null) || continue
        [ "$b" = "$want" ] && { echo "${f%/loop/backing_file}"; return 0; }
    done
    return 1
}
# dio_of IMAGE [ENV...]: start a container of IMAGE (with the environment ENV for hutch), print
# "SYSFS-DIO INSPECT-LOOP" (e.g. "1 LOOP_CONFIGURE,dio"), stop it.
dio_of() {
    local img=$1 d sys how
    shift
    env "$@" "$HUTCH" run -d --name dio "$img" sleep 60 </dev/null >/dev/null 2>"$T/err" || return 1
    how=$("$HUTCH" inspect dio 2>/dev/null | "$PROBE" json loop)
    sys=$(loop_sys_of "$img") && d=$(cat "$sys/loop/dio" 2>/dev/null)
    "$HUTCH" stop -t 1 dio </dev/null >/dev/null 2>&1
    echo "${d:-?} $how"
}
# The device's mode, as sysfs and inspect show it, is WANT (1 or 0), and the two agree.
mode_is() { # mode_is "SYSFS INSPECT" WANT WHAT
    local d=${1%% *} how=${1#* }
    eq "$d" "$2" "/sys/block/loopN/loop/dio ($3)" || return 1
    case $2:$how in
        1:LOOP_CONFIGURE,dio | 1:LOOP_SET_FD,dio | 0:LOOP_CONFIGURE | 0:LOOP_SET_FD) ;;
        *) no "inspect's loop is '$how' with dio=$2 ($3)"; return 1 ;;
    esac
}
# Write 4 MiB of random bytes into IMAGE's root in one run, check the filesystem, read them
# back in a second run (ENV for hutch in both): the checksums agree.
keeps_data() { # keeps_data IMAGE [ENV...]
    local img=$1 sum
    shift
    env "$@" "$HUTCH" run "$img" sh -c \
        'dd if=/dev/urandom of=/dio-data bs=64k count=64 2>/dev/null && sync && md5sum </dio-data' \
        </dev/null >"$T/out" 2>"$T/err"
    rc=$?
    rc_is 0 || return 1
    sum=$(cut -d' ' -f1 "$T/out")
    [ ${#sum} = 32 ] || { no "no checksum: '$sum'"; return 1; }
    fsck_clean "$img" || return $?
    env "$@" "$HUTCH" run "$img" sh -c 'md5sum </dio-data' </dev/null >"$T/out" 2>"$T/err"
    rc=$?
    rc_is 0 || return 1
    eq "$(cut -d' ' -f1 "$T/out")" "$sum" "the checksum read back"
}

HERE_FS=$(fstype_of "$T")
HERE_DIO=$(dio_expected "$HERE_FS")
echo "# images in $T: $HERE_FS, direct I/O expected: ${HERE_DIO:-unknown}, $(uname -r)"

dio_default() {
    local got
    got=$(dio_of "$EXT4") || { no "the container did not start: $(head -n1 "$T/err")"; return 1; }
    if [ -z "$HERE_DIO" ]; then
        # a filesystem whose O_DIRECT is not known here: sysfs and inspect must still agree
        mode_is "$got" "${got%% *}" "$HERE_FS"
        return
    fi
    mode_is "$got" "$HERE_DIO" "ext4 image on $HERE_FS"
}
dio_readonly() {
    [ -n "$HERE_DIO" ] || { skip_why="direct I/O unknown on $HERE_FS"; return 2; }
    local got
    got=$(dio_of "$SQFS") || { no "the container did not start: $(head -n1 "$T/err")"; return 1; }
    # SQFS is in IMAGES, which may be on another filesystem than $T
    mode_is "$got" "$(dio_expected "$(fstype_of "$SQFS")")" "squashfs image"
}
dio_legacy() {
    [ -n "$HERE_DIO" ] || { skip_why="direct I/O unknown on $HERE_FS"; return 2; }
    local got
    got=$(dio_of "$EXT4" HUTCH_LOOP=legacy) || { no "no start: $(head -n1 "$T/err")"; return 1; }
    mode_is "$got" "$HERE_DIO" "LOOP_SET_FD + LOOP_SET_DIRECT_IO on $HERE_FS"
}
dio_off() {
    local got
    got=$(dio_of "$EXT4" HUTCH_LOOP_DIO=0) || { no "no start: $(head -n1 "$T/err")"; return 1; }
    mode_is "$got" 0 "HUTCH_LOOP_DIO=0" || return 1
    got=$(dio_of "$EXT4" HUTCH_LOOP_DIO=0 HUTCH_LOOP=legacy) || { no "no start"; return 1; }
    mode_is "$got" 0 "HUTCH_LOOP_DIO=0, legacy"
}
data_default() { keeps_data "$(ext4_copy data)" && no_leaks; }
data_off() { keeps_data "$(ext4_copy data-off)" HUTCH_LOOP_DIO=0 && no_leaks; }
# ramfs never takes O_DIRECT, on every kernel: the fallback to buffered I/O.
RAMFS=$T/ramfs
on_ramfs() {
    mkdir -p "$RAMFS" && mount -t ramfs -o mode=0755 hutch-e2e-ramfs "$RAMFS" ||
        { no "cannot mount a ramfs"; return 1; }
    local img=$RAMFS/busybox.ext4 got r=0
    cp "$IMAGES/busybox.ext4" "$img" || r=1
    if [ $r = 0 ]; then
        got=$(dio_of "$img") || { no "no start on ramfs: $(head -n1 "$T/err")"; r=1; }
    fi
    [ $r = 0 ] && { mode_is "$got" 0 "ext4 image on ramfs" || r=1; }
    [ $r = 0 ] && { keeps_data "$img" || r=$?; }
    rm -f "$img"
    umount "$RAMFS" || { no "cannot unmount $RAMFS"; r=1; }
    [ $r = 0 ] || return $r
    no_leaks
}

t "direct I/O where the image's filesystem allows it (sysfs dio and inspect agree)" dio_default
t "a read-only image gets direct I/O too" dio_readonly
t "LOOP_SET_FD path: LOOP_SET_DIRECT_IO" dio_legacy
t "HUTCH_LOOP_DIO=0: buffered I/O" dio_off
t "an image read and written with direct I/O keeps its data, fsck-clean" data_default
t "the same buffered (HUTCH_LOOP_DIO=0)" data_off
t "an image on a ramfs (no O_DIRECT) runs, buffered, and keeps its data" on_ramfs
finish
