#!/bin/sh
# Verified images (--verity ROOTHASH, --verity-file FILE): hutch sets up dm-verity over the loop
# device with device-mapper ioctls. A good image runs; a wrong root hash is refused; a byte
# flipped in a file's block gives EIO inside and a line from hutch; no device is left after many
# runs nor after a SIGKILL; bad options and hostile verity superblocks are refused in one line.
# Needs device-mapper with dm-verity (the QEMU guests load the modules; this build machine's
# kernel has none: the file is skipped there) and the images of verity-images.sh, which
# qemu/initramfs makes (or the test makes, where veritysetup and mkfs.erofs are at hand).
. "$(dirname "$0")/lib.sh"

[ -e /dev/mapper/control ] || modprobe dm-verity 2>/dev/null
if [ ! -e /dev/mapper/control ]; then
    skip "verified images (--verity)" "no device-mapper here (no /dev/mapper/control after modprobe dm-verity)"
    finish
    exit
fi
if [ -f "$IMAGES/verity.env" ]; then
    VDIR=$IMAGES
elif have veritysetup && have mkfs.erofs && have mke2fs && sh "$(dirname "$0")/verity-images.sh" "$ROOTDIR" "$SQFS" "$T"; then
    VDIR=$T
else
    skip "verified images (--verity)" "no verity images (qemu/initramfs makes them; here: no veritysetup, mkfs.erofs or mke2fs)"
    finish
    exit
fi
. "$VDIR/verity.env"
VE=$VDIR/busybox-verity.erofs
VS=$VDIR/busybox-verity.sqfs
VX=$VDIR/busybox-verity.ext4
HASH=$(cat "$VE.roothash")

# The device-mapper devices hutch made that exist now (hutch-NAME), as sysfs shows them.
our_dms() {
    local f n
    for f in /sys/block/dm-*/dm/name; do
        n=$(cat "$f" 2>/dev/null) || continue
        case $n in hutch-*) echo "${f%/dm/name}=$n" ;; esac
    done
    return 0
}
# None left (the kernel removes them from a work queue: up to 10 s).
no_dms() {
    local i=0
    while [ $i -lt 100 ]; do
        [ -z "$(our_dms)" ] && return 0
        sleep 0.1
        i=$((i + 1))
    done
    no "device-mapper devices left: $(our_dms)"
}
# The sysfs directory of the device hutch-NAME, waiting up to 10 s for it to appear.
dm_of() {
    local i=0 f
    while [ $i -lt 100 ]; do
        for f in /sys/block/dm-*/dm/name; do
            [ "$(cat "$f" 2>/dev/null)" = "hutch-$1" ] && { echo "${f%/dm/name}"; return 0; }
        done
        sleep 0.1
        i=$((i + 1))
    done
    return 1
}
# patch FILE OFFSET BYTES (printf escapes): write BYTES into FILE at OFFSET.
patch() { printf "$3" | dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null; }
# The good hash with its first digit changed.
wrong_hash() {
    case $HASH in 0*) echo "1${HASH#?}" ;; *) echo "0${HASH#?}" ;; esac
}

good_erofs() {
    h run --verity "$HASH" "$VE" sh -c 'grep " / " /proc/mounts; sed -n 1p /verity-marker'
    rc_is 0 || return 1
    grep -q '^/dev/dm-[0-9]* / erofs ro' "$T/out" || no "the root is not the verity device: $(cat "$T/out")" || return 1
    out_has "hutch-verity-marker 0000" || return 1
    [ ! -s "$T/err" ] || no "stderr: $(cat "$T/err")" || return 1
    no_dms
}
running_device() {
    h run -d --name vrun --verity "$HASH" "$VE" sleep 30
    rc_is 0 || return 1
    local d
    d=$(dm_of vrun) || { no "no device hutch-vrun while the container runs"; "$HUTCH" stop -t 1 vrun >/dev/null 2>&1; return 1; }
    local ro slaves
    ro=$(cat "$d/ro") slaves=$(ls "$d/slaves" 2>/dev/null | tr '\n' ' ')
    "$HUTCH" stop -t 1 vrun </dev/null >/dev/null 2>&1
    eq "$ro" 1 "$d/ro" || return 1
    case $slaves in loop*) ;; *) no "$d/slaves is '$slaves', want the loop device"; return 1 ;; esac
    no_dms
}
sqfs_file() {
    h run --verity-file "$VS.roothash" "$VS" grep " / " /proc/mounts
    rc_is 0 || return 1
    grep -q '^/dev/dm-[0-9]* / squashfs ro' "$T/out" || no "the root is not the verity device: $(cat "$T/out")" || return 1
    no_dms
}
ext4_ro() {
    h run --verity "$(cat "$VX.roothash")" "$VX" sh -c 'grep " / " /proc/mounts; touch /x'
    rc_is 1 && err_has "Read-only file system" || return 1
    grep -q '^/dev/dm-[0-9]* / ext4 ro' "$T/out" || no "the root is not the verity device: $(cat "$T/out")" || return 1
    # an ext4 of 1024-byte blocks cannot mount on the device's 4096-byte sectors: said so first
    h run --verity "$(cat "$VDIR/busybox-verity-1k.ext4.roothash")" "$VDIR/busybox-verity-1k.ext4" true
    rc_is 125 && one_line_error "image $VDIR/busybox-verity-1k.ext4: its ext4 blocks of 1024 bytes are smaller than its verity blocks of 4096 bytes" || return 1
    no_dms && no_leaks
}
overlay() {
    h run --verity "$HASH" --overlay tmpfs "$VE" sh -c 'echo written >/new && cat /new && sed -n 1p /verity-marker'
    rc_is 0 && out_is "written
hutch-verity-marker 0000" || return 1
    no_dms && no_leaks
}
made_by_hutch_image() {
    [ -f "$VDIR/hutch-image.erofs.roothash" ] || { skip_why="no image from tools/hutch-image"; return 2; }
    h run --verity-file "$VDIR/hutch-image.erofs.roothash" "$VDIR/hutch-image.erofs" grep " / " /proc/mounts
    rc_is 0 || return 1
    grep -q '^/dev/dm-[0-9]* / erofs ro' "$T/out" || no "the root is not the verity device: $(cat "$T/out")" || return 1
    no_dms
}
wrong_root_hash() {
    h run --verity "$(wrong_hash)" "$VE" true
    rc_is 125 || return 1
    one_line_error "image $VE: the root hash does not match (--verity): refused" || return 1
    no_dms && no_leaks
}
tampered() {
    cp "$VE" "$T/tampered.erofs" || return 1
    # the 'v' of line 100's "hutch-verity-marker", in the file's data block
    patch "$T/tampered.erofs" $((VERITY_MARKER_AT + 6)) X
    # Without --verity nobody notices: the flip is in the file as read.
    h run "$T/tampered.erofs" sed -n 101p /verity-marker
    rc_is 0 && out_is "hutch-Xerity-marker 0100" || return 1
    h run --verity "$HASH" "$T/tampered.erofs" sh -c 'sed -n 1p /etc/passwd >/dev/null && echo passwd read; cat /verity-marker >/dev/null || echo cat failed; exit 7'
    rc_is 7 || return 1
    out_has "passwd read" && out_has "cat failed" || return 1
    grep -qi 'I/O error\|Input/output error' "$T/err" || no "no EIO inside: $(cat "$T/err")" || return 1
    err_has "^hutch: image $T/tampered.erofs: dm-verity found corrupt blocks: the image was modified after hutch-image made it$" || return 1
    [ "$(grep -c '^hutch: ' "$T/err")" = 1 ] || no "hutch printed $(grep -c '^hutch: ' "$T/err") lines" || return 1
    no_dms && no_leaks
}
fifty_runs() {
    local i=0
    while [ $i -lt 50 ]; do
        "$HUTCH" run --verity "$HASH" "$VE" true </dev/null >/dev/null 2>"$T/err" || { no "run $i failed"; return 1; }
        i=$((i + 1))
    done
    no_dms && no_leaks
}
killed() {
    "$HUTCH" run --name vkill --verity "$HASH" "$VE" sleep 61 </dev/null >/dev/null 2>&1 &
    local pid=$! i=0
    while [ $i -lt 100 ] && [ -z "$(procs_running sleep 61)" ]; do sleep 0.1; i=$((i + 1)); done
    dm_of vkill >/dev/null || { kill -9 "$pid"; no "no device hutch-vkill while the container runs"; return 1; }
    [ -n "$(procs_running sleep 61)" ] || { kill -9 "$pid"; no "the container did not start"; return 1; }
    kill -9 "$pid"
    wait "$pid" 2>/dev/null
    gone_within 10 sleep 61 || no "the container outlived its hutch" || return 1
    no_dms && no_leaks
}
bad_options() {
    h run --verity "$HASH" "$ROOTDIR" true
    rc_is 125 && one_line_error "--verity: $ROOTDIR is a directory" || return 1
    local v
    for v in abc "${HASH%?}" "${HASH}0" "${HASH%?}g" "$HASH$HASH"; do
        h run --verity "$v" "$VE" true
        rc_is 125 && one_line_error "--verity '$v': expected the root hash, 64 hex digits" || return 1
    done
    h run --verity-file "$T/nope.roothash" "$VE" true
    rc_is 125 && one_line_error "--verity-file $T/nope.roothash: No such file" || return 1
    printf 'not a hash\n' >"$T/bad.roothash"
    h run --verity-file "$T/bad.roothash" "$VE" true
    rc_is 125 && one_line_error "--verity-file $T/bad.roothash: expected the root hash" || return 1
    { cat "$VE.roothash"; echo; } >"$T/two-lines.roothash"
    h run --verity-file "$T/two-lines.roothash" "$VE" true
    rc_is 125 && one_line_error "--verity-file $T/two-lines.roothash: expected the root hash" || return 1
    mkfifo "$T/fifo.roothash" || return 1
    timeout -s KILL 10 "$HUTCH" run --verity-file "$T/fifo.roothash" "$VE" true </dev/null >"$T/out" 2>"$T/err"
    rc=$?
    rc_is 125 && one_line_error "--verity-file $T/fifo.roothash: not a regular file" || return 1
    h run --verity "$HASH" --verity-file "$VE.roothash" "$VE" true
    rc_is 125 && one_line_error "--verity and --verity-file: give one of them" || return 1
    # an image without a tree
    h run --verity "$HASH" "$SQFS" true
    rc_is 125 && one_line_error "image $SQFS: no verity superblock at byte" || return 1
    no_dms && no_leaks
}
# hostile NAME OFFSET BYTES WANT: a copy of the erofs image with BYTES written into its verity
# superblock at OFFSET is refused in one line that says WANT.
hostile() {
    cp "$VE" "$T/$1.erofs" || return 1
    patch "$T/$1.erofs" $((VERITY_EROFS_OFF + $2)) "$3"
    h run --verity "$HASH" "$T/$1.erofs" true
    rc_is 125 && one_line_error "image $T/$1.erofs: $4" && err_has "refused$" || return 1
    rm -f "$T/$1.erofs"
    no_dms
}
hostile_superblocks() {
    # data_blocks (le64 at 72): 2^56 more blocks than there are
    hostile blocks 79 '\001' "verity data blocks [0-9]* of 4096 bytes do not cover" || return 1
    hostile sha1 32 'sha1\000\000' "verity hash algorithm 'sha1' (hutch takes sha256 only)" || return 1
    hostile bs0 64 '\000\000\000\000' "verity block sizes 0 and 4096" || return 1
    hostile bs8k 64 '\000\040\000\000\000\040\000\000' "verity block sizes 8192 and 8192" || return 1
    hostile salt 80 '\001\001' "verity salt of 257 bytes" || return 1
    hostile type0 12 '\000' "verity hash type 0" || return 1
    # the tree cut short by one block
    local size
    size=$(wc -c <"$VE")
    dd if="$VE" of="$T/short.erofs" bs=4096 count=$((size / 4096 - 1)) 2>/dev/null
    h run --verity "$HASH" "$T/short.erofs" true
    rc_is 125 && one_line_error "image $T/short.erofs: the verity hash tree" && err_has "runs past the end of the file" || return 1
    no_dms && no_leaks
}
# The median of 10 starts of `hutch run OPTS... IMAGE /bin/true`, in seconds.
median_start() {
    local i=0 a
    : >"$T/times"
    while [ $i -lt 10 ]; do
        a=$(now)
        "$HUTCH" run "$@" /bin/true </dev/null >/dev/null 2>&1 || return 1
        since "$a" >>"$T/times"
        echo >>"$T/times"
        i=$((i + 1))
    done
    sort -n "$T/times" | sed -n '5p;6p' | awk '{ s += $1 } END { printf "%.3f", s / 2 }'
}
timing() {
    local plain verity
    plain=$(median_start "$VE") || { no "a plain start failed"; return 1; }
    verity=$(median_start --verity "$HASH" "$VE") || { no "a verity start failed"; return 1; }
    echo "# verity timing: erofs $(wc -c <"$VE") bytes, median of 10 starts of hutch run IMAGE /bin/true: ${plain} s plain, ${verity} s with --verity ($(uname -m))"
    no_dms
}

t "a good erofs image runs from its verity device (--verity)" good_erofs
t "while it runs the device is hutch-NAME, read-only, over the loop device; gone after" running_device
t "--verity-file IMAGE.roothash with a squashfs image" sqfs_file
t "an ext4 image with --verity is mounted read-only; one of 1024-byte blocks is refused" ext4_ro
t "--overlay tmpfs over a verity image: writes go to the layer" overlay
t "an image made by hutch-image --verity runs with its .roothash" made_by_hutch_image
t "a wrong root hash is refused: 125, one line, nothing left" wrong_root_hash
t "a byte flipped in a file's block: EIO inside, hutch names the image, the command's own code" tampered
t "no device-mapper device left after 50 runs" fifty_runs
t "no device-mapper device left after hutch is killed (SIGKILL) while its container runs" killed
t "bad --verity and --verity-file input: one line, 125" bad_options
t "hostile verity superblocks (blocks past the end, sha1, block size 0...): refused" hostile_superblocks
t "start times with and without --verity" timing
finish
