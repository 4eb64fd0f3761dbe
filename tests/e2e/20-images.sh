#!/bin/sh
# Image files: ext4 keeps what is written, squashfs and --ro refuse writes, other types run.
. "$(dirname "$0")/lib.sh"

# Images written by containers are checked with e2fsck afterwards, each in a test of its own
# (a skip, said as such, where there is no e2fsck).
FSCK_IMAGES=""
fsck_later() { FSCK_IMAGES="$FSCK_IMAGES $1"; }
fsck_all() {
    local img bad=""
    for img in $FSCK_IMAGES; do
        e2fsck -fn "$img" >"$T/fsck" 2>&1 || bad="$bad $(basename "$img"): $(tail -n 2 "$T/fsck" | tr '\n' ' ')"
    done
    [ -n "$FSCK_IMAGES" ] || { no "no image to check"; return 1; }
    [ -z "$bad" ] || no "not fsck-clean:$bad"
}
ext4_persists() {
    img=$(ext4_copy) || return 1
    h run "$img" sh -c 'echo kept >/data.txt; sync'
    rc_is 0 || return 1
    h run "$img" cat /data.txt
    rc_is 0 && out_is kept && fsck_later "$img"
}
squashfs_read_only() {
    h run "$SQFS" sh -c 'cat /etc/hosts >/dev/null && touch /new'
    [ "$rc" = 1 ] && err_has "Read-only file system"
}
ro_ext4() {
    img=$(ext4_copy) || return 1
    h run --ro "$img" touch /new
    [ "$rc" = 1 ] && err_has "Read-only file system" || return 1
    h run "$img" ls /new
    [ "$rc" = 1 ] && fsck_later "$img"
}
# ext2 and erofs images are made here with e2fsprogs and erofs-utils, or taken from IMAGES where
# they were made beforehand (the QEMU guest's BusyBox has neither tool).
ext2_image() {
    if [ -f "$IMAGES/busybox.ext2" ]; then
        cp "$IMAGES/busybox.ext2" "$T/old.ext2" || return 1
    else
        mke2fs -q -F -t ext2 -d "$ROOTDIR" "$T/old.ext2" 16M >/dev/null 2>&1 || return 1
    fi
    h run "$T/old.ext2" sh -c 'echo two >/f && cat /f'
    rc_is 0 && out_is two && fsck_later "$T/old.ext2"
}
erofs_image() {
    img=$IMAGES/busybox.erofs
    [ -f "$img" ] || { img=$T/root.erofs; mkfs.erofs -q "$img" "$ROOTDIR" >/dev/null 2>&1 || mkfs.erofs "$img" "$ROOTDIR" >/dev/null 2>&1; } || return 1
    h run "$img" cat /etc/hosts
    rc_is 0 && out_has localhost
}
# erofs from its file (Linux 6.12): no loop device while it runs, its root read-only, nosuid and
# nodev, the image locked; a kernel without file-backed erofs (the guests' 6.1) takes a loop
# device, as HUTCH_EROFS_FILE=0 does everywhere.
erofs_file_backed() {
    local img=$1 how loops
    h run -d --name fback "$img" sleep 30
    rc_is 0 || return 1
    how=$("$HUTCH" inspect fback | sed -n 's/^  "loop": "\(.*\)",$/\1/p')
    loops=$(our_loops)
    h exec fback sh -c 'awk '"'"'$2 == "/" { print $4 }'"'"' /proc/mounts'
    local opts
    opts=$(cat "$T/out")
    "$HUTCH" stop -t 1 fback </dev/null >/dev/null 2>&1
    case $how in
    file) [ -z "$loops" ] || { no "a loop device for a file-backed erofs: $loops"; return 1; } ;;
    LOOP_*) [ -n "$loops" ] || { no "inspect says $how but no loop device is bound"; return 1; } ;;
    *) no "inspect's loop field is '$how'"; return 1 ;;
    esac
    case ",$opts," in *,ro,*) ;; *) no "root mounted $opts, want ro"; return 1 ;; esac
    case ",$opts," in *,nosuid,*nodev,* | *,nodev,*nosuid,*) ;; *) no "root mounted $opts, want nosuid,nodev"; return 1 ;; esac
    # with the loop device asked for: one is bound while it runs
    HUTCH_EROFS_FILE=0 "$HUTCH" run -d --name fback2 "$img" sleep 30 </dev/null >/dev/null 2>&1 || { no "HUTCH_EROFS_FILE=0 run failed"; return 1; }
    loops=$(our_loops)
    how=$("$HUTCH" inspect fback2 | sed -n 's/^  "loop": "\(.*\)",$/\1/p')
    "$HUTCH" stop -t 1 fback2 </dev/null >/dev/null 2>&1
    [ -n "$loops" ] && case $how in LOOP_*) true ;; *) false ;; esac ||
        no "HUTCH_EROFS_FILE=0: loop '$how', devices [$loops]"
}
erofs_file() { erofs_file_backed "$IMAGES/busybox.erofs"; }
writer_while_readers() {
    # Read-only users hold the image: a writer is refused, in one line.
    img=$(ext4_copy shared) || return 1
    "$HUTCH" run --ro "$img" sleep 2 </dev/null >/dev/null 2>&1 &
    local reader=$! i=0
    while [ -z "$(our_loops)" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
    h run "$img" true
    local w=$rc
    cp "$T/err" "$T/err.w"
    wait $reader
    local r=$?
    cp "$T/err.w" "$T/err"
    rc=$w
    rc_is 125 && one_line_error "in use" && eq "$r" 0 "the reader's status"
}
one_writer() {
    img=$(ext4_copy) || return 1
    "$HUTCH" run "$img" sleep 30 </dev/null >/dev/null 2>&1 &
    pid=$!
    i=0
    while [ -z "$(our_loops)" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
    h run "$img" true
    first=$rc
    cp "$T/err" "$T/err.first"
    h run --ro "$img" true
    second=$rc
    kill -TERM "$pid"
    wait "$pid"
    cp "$T/err.first" "$T/err"
    eq "$first" 125 "a second writer's status" && one_line_error "in use" && eq "$second" 125 "a reader's status"
}
many_readers() {
    # Three readers of the ext4 image at once, and a fourth while they run: all succeed.
    local pids="" i=0 p bad=""
    while [ $i -lt 3 ]; do
        "$HUTCH" run --ro "$EXT4" sh -c 'cat /etc/hosts >/dev/null; sleep 1' </dev/null >/dev/null 2>&1 &
        pids="$pids $!"
        i=$((i + 1))
    done
    sleep 0.3
    h run --ro "$EXT4" cat /etc/hosts
    rc_is 0 && out_has localhost || bad="the fourth reader: $rc"
    for p in $pids; do wait "$p" || bad="$bad reader $p: $?"; done
    [ -z "$bad" ] || no "$bad"
}

t "a file written in the ext4 image is there in a second container; fsck-clean" ext4_persists
t "writing into the squashfs image fails read-only" squashfs_read_only
t "writing into an ext4 image under --ro fails read-only" ro_ext4
# e2fsprogs' mke2fs answers -V; BusyBox's cannot fill an image from a directory (-d).
if [ -f "$IMAGES/busybox.ext2" ] || { have mke2fs && mke2fs -V >/dev/null 2>&1; }; then
    t "an ext2 image runs" ext2_image
else
    skip "an ext2 image runs" "no mke2fs of e2fsprogs, no IMAGES/busybox.ext2"
fi
# The erofs module may just not be loaded yet.
grep -qw erofs /proc/filesystems || modprobe erofs 2>/dev/null
if { [ -f "$IMAGES/busybox.erofs" ] || have mkfs.erofs; } && grep -qw erofs /proc/filesystems; then
    t "an erofs image runs" erofs_image
    if [ -f "$IMAGES/busybox.erofs" ]; then
        t "erofs from its file where the kernel can (no loop device), ro, nosuid, nodev" erofs_file
    fi
else
    skip "an erofs image runs" "no mkfs.erofs or no erofs in the kernel"
fi
t "an image in read-write use is refused to a second container" one_writer
t "read-only users share an image" many_readers
t "a writer is refused while read-only users hold the image" writer_while_readers
if have e2fsck; then t "every ext image the tests wrote is fsck-clean" fsck_all
else skip "the images are fsck-clean" "no e2fsck"; fi
finish
