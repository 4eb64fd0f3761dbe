#!/bin/sh
# Both ways of attaching a loop device: LOOP_CONFIGURE, and LOOP_SET_FD + LOOP_SET_STATUS64
# (kernels before 5.8), forced with HUTCH_LOOP=legacy.
. "$(dirname "$0")/lib.sh"

ioctls_of() {
    # The loop ioctls hutch issued, by name, where strace is available.
    strace -f -qq -e trace=ioctl -o "$T/strace" "$HUTCH" run "$@" </dev/null >/dev/null 2>&1
    grep -o 'LOOP_[A-Z_0-9]*' "$T/strace" | sort -u | tr '\n' ' '
}
# The way hutch attached the image, as inspect says it: LOOP_CONFIGURE or LOOP_SET_FD (without
# the ",dio" of direct I/O, which 62-direct-io.sh checks).
loop_used() {
    HUTCH_LOOP=$1 "$HUTCH" run -d --name "loop-$1" "$2" sleep 60 </dev/null >/dev/null 2>&1 || return 1
    "$HUTCH" inspect "loop-$1" 2>/dev/null | "$PROBE" json loop | sed 's/,dio$//'
    "$HUTCH" stop -t 1 "loop-$1" </dev/null >/dev/null 2>&1
}
persist_with() {
    img=$(ext4_copy "$1") || return 1
    local want=LOOP_CONFIGURE
    [ "$1" = legacy ] && want=LOOP_SET_FD
    # (on a kernel before 5.8 the default path falls back to LOOP_SET_FD itself)
    [ "$1" = auto ] && [ "$(uname -r | awk -F. '{ print ($1 * 100 + $2 < 508) }')" = 1 ] && want=LOOP_SET_FD
    eq "$(loop_used "$1" "$img")" "$want" "the loop path (inspect)" || return 1
    eq "$(loop_used "$1" "$SQFS")" "$want" "the loop path of a read-only image (inspect)" || return 1
    HUTCH_LOOP=$1 h run "$img" sh -c "echo $1 >/loop-path"
    rc_is 0 || return 1
    HUTCH_LOOP=$1 h run "$img" cat /loop-path
    rc_is 0 && out_is "$1" || return 1
    HUTCH_LOOP=$1 h run "$SQFS" touch /x
    [ "$rc" = 1 ] && err_has "Read-only file system" || return 1
    HUTCH_LOOP=$1 h run --ro "$img" touch /x
    [ "$rc" = 1 ] && err_has "Read-only file system" || return 1
    no_leaks || return 1
    fsck_clean "$img"
}
configure_path() { persist_with auto; }
legacy_path() { persist_with legacy; }
configure_ioctls() {
    got=$(HUTCH_LOOP=auto ioctls_of "$EXT4" true)
    case $got in *LOOP_CONFIGURE*) ;; *) no "ioctls: $got"; return 1 ;; esac
    case $got in *LOOP_SET_FD*) no "ioctls: $got"; return 1 ;; esac
}
legacy_ioctls() {
    got=$(HUTCH_LOOP=legacy ioctls_of "$SQFS" true)
    case $got in *LOOP_SET_FD*LOOP_SET_STATUS64*) ;; *) no "ioctls: $got"; return 1 ;; esac
    case $got in *LOOP_CONFIGURE*) no "ioctls: $got"; return 1 ;; esac
}

t "LOOP_CONFIGURE: ext4 keeps writes, squashfs and --ro refuse them" configure_path
t "LOOP_SET_FD fallback: ext4 keeps writes, squashfs and --ro refuse them" legacy_path
if have strace; then
    t "the default path issues LOOP_CONFIGURE" configure_ioctls
    t "HUTCH_LOOP=legacy issues LOOP_SET_FD and LOOP_SET_STATUS64 only" legacy_ioctls
else
    skip "the ioctls of each path" "no strace"
fi
finish
