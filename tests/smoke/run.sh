#!/bin/sh
# tests/smoke/run.sh: tools/hutch-smoke, end to end: application images made by hutch-image from
# buildah images, booted in the boards' QEMU guests and checked there.
#   SMOKE_BOARDS  the boards the BusyBox httpd image is checked on (default x86_64; "all" boots
#                 every board at once with --arch all and checks its table)
#   SMOKE_ONLY    the names of the test functions to run (default all), e.g. "exit3 tampered"
# The other tests run on x86_64 (the quickest guest under TCG): an image that exits 3 against
# --expect-exit 0 and 3, a check that cannot pass, a tampered verity image, something left behind
# in the guest, the guest's timeout, a kernel that cannot boot, and bad input.
# Host side, as root (buildah, and make for the boards' hutch); prints "N passed, N failed".
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
SMOKE=$top/tools/hutch-smoke
HI=$top/tools/hutch-image
BOARDS=${SMOKE_BOARDS:-x86_64}
T=$(mktemp -d "${TMPDIR:-/tmp}/hutch-smoke-test.XXXXXX") || exit 1
B="buildah --root $T/b/root --runroot $T/b/run --storage-driver vfs"
POLICY=$T/policy.json
echo '{"default":[{"type":"insecureAcceptAnything"}]}' >"$POLICY"
passed=0 failed=0 why=""

cleanup() {
    $B rm --all >/dev/null 2>&1
    rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

no() { why="$*"; return 1; }
t() {
    why=""
    case " make_images no_qemu_left ${SMOKE_ONLY:-$2} " in *" $2 "*) ;; *) return 0 ;; esac
    if "$2"; then
        passed=$((passed + 1))
        echo "ok - $1"
    else
        failed=$((failed + 1))
        echo "not ok - $1"
        echo "#   ${why:-assertion failed}"
        [ ! -s "$T/out" ] || sed 's/^/#   out: /' "$T/out" | tail -n 12
    fi
}
# hs ARGS...: hutch-smoke; its stdout and stderr in $T/out, its status in $rc.
hs() {
    "$SMOKE" "$@" >"$T/out" 2>&1 </dev/null
    rc=$?
}
rc_is() { [ "$rc" = "$1" ] || no "exit status $rc, want $1"; }
out_has() { grep -q -- "$1" "$T/out" || no "output lacks '$1'"; }
lines_are() {
    [ "$(wc -l <"$T/out")" -eq "$1" ] || no "$(wc -l <"$T/out") lines of output, want $1"
}
log_has() { grep -q -- "$2" "$top/build/smoke/$1/serial.log" || no "the $1 guest's serial log lacks '$2'"; }
# qemu processes of this test's runs: none may outlive hutch-smoke
our_qemus() {
    local p
    for p in /proc/[0-9]*; do
        case $(tr '\0' ' ' <"$p/cmdline" 2>/dev/null) in
        qemu-system-*"$top/build/smoke/"*) echo "${p#/proc/}" ;;
        esac
    done
    return 0
}
no_qemu_left() { [ -z "$(our_qemus)" ] || no "qemu still runs: pids $(our_qemus)"; }

oci_arch() {
    case $1 in x86_64) echo amd64 ;; aarch64) echo arm64 ;; armv7) echo arm/v7 ;; esac
}
# image ARCH NAME ENTRYPOINT FORMAT [--verity]: a buildah image of the board's BusyBox tree
# (with /www/health) and ENTRYPOINT, made into $T/NAME-ARCH.img by hutch-image. buildah and
# skopeo touch no network; they run in a network namespace of their own all the same.
image() {
    local a=$1 name=$2 ep=$3 fmt=$4 oa c r variant=""
    oa=$(oci_arch "$a")
    case $oa in */*) variant="--variant ${oa#*/}" ;; esac
    rm -rf "$T/tree"
    cp -a "$top/build/$a/rootfs" "$T/tree" && mkdir -p "$T/tree/www" &&
        echo smoke-health-ok-7f3a >"$T/tree/www/health" || return 1
    c=$(unshare -n $B from --signature-policy "$POLICY" scratch) || return 1
    unshare -n $B copy "$c" "$T/tree/" / >/dev/null &&
        unshare -n $B config --arch "${oa%/*}" $variant --entrypoint "$ep" "$c" &&
        unshare -n $B commit --signature-policy "$POLICY" -q "$c" "oci-archive:$T/$name-$a.tar" >/dev/null
    r=$?
    $B rm "$c" >/dev/null 2>&1
    [ $r = 0 ] || return 1
    unshare -n "$HI" --format "$fmt" --arch "$oa" ${5:-} "oci-archive:$T/$name-$a.tar" "$T/$name-$a.img" \
        >"$T/hi.out" 2>&1 || { sed 's/^/# hutch-image: /' "$T/hi.out"; return 1; }
}

# The image that exits 3 is hostile too: it tries to forge the guest's result line on every
# console it might reach and in its own output, at the start of a line.
EXIT3='["sh","-c","for d in /dev/console /dev/ttyS0 /dev/kmsg; do printf \"\\nHUTCH-QEMU-RESULT: PASS forged via $d HUTCH-QEMU-END\\n\" >$d; done 2>/dev/null; printf \"\\nHUTCH-QEMU-RESULT: PASS forged HUTCH-QEMU-END\\n\\rHUTCH-QEMU-RESULT: PASS forged HUTCH-QEMU-END\\n\"; echo ending with 3; exit 3"]'
make_images() {
    local a
    for a in $( [ "$BOARDS" = all ] && echo x86_64 aarch64 armv7 || echo "$BOARDS"); do
        make -C "$top" --no-print-directory ARCH="$a" all >"$T/make.out" 2>&1 ||
            { no "make ARCH=$a failed: $(tail -n 1 "$T/make.out")"; return 1; }
        image "$a" httpd '["httpd","-f","-p","80","-h","/www"]' erofs --verity ||
            { no "the httpd image for $a could not be made"; return 1; }
    done
    image x86_64 exit3 "$EXIT3" squashfs ||
        { no "the exit-3 image could not be made"; return 1; }
}

HEALTH='wget -q -O- http://$ADDR/health | grep -qx smoke-health-ok-7f3a'
INSIDE='ps | grep -v grep | grep -q "httpd -f"'
httpd_passes() {
    local a
    if [ "$BOARDS" = all ]; then
        # each board's image and root hash: {arch} in both names
        hs --arch all --verity "$T/httpd-{arch}.img.roothash" --check "$INSIDE" --check-guest "$HEALTH" \
            "$T/httpd-{arch}.img"
        rc_is 0 || return 1
        for a in x86_64 aarch64 armv7; do
            grep -Eq "^$a +[^ ]+ +[0-9.]+ s +[0-9.]+ s +[0-9.]+ s +PASS$" "$T/out" ||
                { no "the table has no PASS row for $a"; return 1; }
            log_has "$a" "smoke: the check from the guest passed" || return 1
        done
        out_has "^board  *kernel  *boot  *start  *check  *result$" || return 1
        cp "$T/out" "$T/table"
        sed 's/^/# /' "$T/table"
        return 0
    fi
    for a in $BOARDS; do
        hs --arch "$a" --verity "$(cat "$T/httpd-$a.img.roothash")" --check "$INSIDE" \
            --check-guest "$HEALTH" "$T/httpd-$a.img"
        rc_is 0 && lines_are 1 && out_has "^hutch-smoke: $a: PASS: all checks passed (boot [0-9.]* s, start [0-9.]* s, check [0-9.]* s; guest [0-9]* s, [a-z]*); serial log: $top/build/smoke/$a/serial.log$" ||
            return 1
        log_has "$a" "smoke: the check inside the container passed" &&
            log_has "$a" "smoke: the check from the guest passed" || return 1
        sed 's/^/# /' "$T/out"
    done
}
check_fails() {
    hs --arch x86_64 --retry 3 --check-guest 'wget -q -O- http://$ADDR/missing' "$T/httpd-x86_64.img"
    rc_is 1 && lines_are 1 && out_has "^hutch-smoke: x86_64: FAIL: the check from the guest did not pass within 3 s" &&
        no_qemu_left
}
exit3() {
    hs --arch x86_64 --expect-exit 0 "$T/exit3-x86_64.img"
    rc_is 1 && lines_are 1 && out_has "^hutch-smoke: x86_64: FAIL: the container exited 3, want 0 " || return 1
    log_has x86_64 "  | ending with 3" && log_has x86_64 "  | HUTCH-QEMU-RESULT: PASS forged HUTCH-QEMU-END" || return 1
    [ "$(grep -c '^HUTCH-QEMU-RESULT' "$top/build/smoke/x86_64/serial.log")" = 1 ] ||
        { no "the image put a result line of its own into the serial log"; return 1; }
    hs --arch x86_64 --expect-exit 3 "$T/exit3-x86_64.img"
    rc_is 0 && out_has "^hutch-smoke: x86_64: PASS: all checks passed"
}
# Without a check, the container must still run 5 s after its start (--running S to say how
# long): the httpd image does, the image that exits 3 does not.
running() {
    hs --arch x86_64 "$T/httpd-x86_64.img"
    rc_is 0 && out_has "^hutch-smoke: x86_64: PASS: all checks passed (boot [0-9.]* s, start [0-9.]* s, check [5-9][0-9.]* s;" &&
        log_has x86_64 "smoke: the container still runs 5 s after its start" || return 1
    hs --arch x86_64 --running 3 "$T/exit3-x86_64.img"
    rc_is 1 && lines_are 1 && out_has "^hutch-smoke: x86_64: FAIL: the container ended within 3 s of its start" &&
        log_has x86_64 "  | ending with 3"
}
# A byte of /www/health's data flipped after hutch-image made the image (with the hash tree):
# dm-verity refuses the block; httpd cannot serve it, and hutch reports the corruption when the
# container ends. The same image without --verity serves the changed file.
tampered() {
    local at
    cp "$T/httpd-x86_64.img" "$T/tampered.img" || return 1
    at=$(grep -obUa smoke-health-ok-7f3a "$T/tampered.img" | head -n 1 | cut -d: -f1)
    [ -n "$at" ] || { no "no /www/health bytes in the image"; return 1; }
    printf X | dd of="$T/tampered.img" bs=1 seek="$at" conv=notrunc 2>/dev/null || return 1
    hs --arch x86_64 --retry 5 --verity "$(cat "$T/httpd-x86_64.img.roothash")" --check-guest "$HEALTH" "$T/tampered.img"
    rc_is 1 && lines_are 1 && out_has "^hutch-smoke: x86_64: FAIL: " || return 1
    # the block may hold more than the file (erofs packs small files with their inodes): then
    # the command itself cannot start (EIO), else httpd cannot read it and hutch reports it
    grep -Eq "hutch: image /smoke/image: dm-verity found corrupt blocks|hutch: .*: I/O error" \
        "$top/build/smoke/x86_64/serial.log" || { no "the serial log shows no dm-verity error"; return 1; }
    # without verity the tampered file is served as it is: the check sees the change
    hs --arch x86_64 --retry 3 --check-guest 'wget -q -O- http://$ADDR/health | grep -qx Xmoke-health-ok-7f3a' "$T/tampered.img"
    rc_is 0
}
# What the user gives goes to the guest unchanged: a COMMAND's arguments (nothing after them: the
# command of an image without its entrypoint sees exactly its two), and a check with a backslash
# sequence that dash's echo would have turned into the end of the line (\c).
arguments() {
    hs --arch x86_64 --expect-exit 2 -- --entrypoint '' "$T/exit3-x86_64.img" -- sh -c 'exit $#' zero one two
    rc_is 0 && lines_are 1 && out_has "^hutch-smoke: x86_64: PASS: all checks passed" || return 1
    hs --arch x86_64 --check 'x="a\c"; [ ${#x} = 3 ]' "$T/httpd-x86_64.img"
    rc_is 0 && lines_are 1 && out_has "^hutch-smoke: x86_64: PASS: all checks passed"
}
# The guest's leftover check: a loop device and a mount that the guest-side check makes and
# does not undo are found after the container's stop.
leftovers_found() {
    hs --arch x86_64 --check-guest 'losetup -f /smoke/image && mkdir -p /tmp/m && mount -t tmpfs t /tmp/m' "$T/httpd-x86_64.img"
    rc_is 1 && lines_are 1 && out_has "^hutch-smoke: x86_64: FAIL: left behind: " || return 1
    log_has x86_64 "smoke: left behind: loop /sys/block/loop[0-9]*: /smoke/image" &&
        log_has x86_64 "smoke: left behind: mount t /tmp/m tmpfs"
}
timed_out() {
    hs --arch x86_64 --timeout 2 "$T/httpd-x86_64.img"
    rc_is 2 && lines_are 1 && out_has "^hutch-smoke: x86_64: NO BOOT: the guest did not boot or timed out: no result within --timeout 2 s" &&
        no_qemu_left
}
broken_kernel() {
    echo "not a kernel" >"$T/vmlinuz"
    hs --arch x86_64 --kernel "$T/vmlinuz" "$T/httpd-x86_64.img"
    rc_is 2 && lines_are 1 && out_has "^hutch-smoke: x86_64: NO BOOT: the guest did not boot or timed out: qemu: " &&
        no_qemu_left
}
# bad1 WANT ARGS...: exit 125, one line "hutch-smoke: ..." holding WANT, nothing booted
bad1() {
    local want=$1
    shift
    rm -f "$top/build/smoke/x86_64/serial.log"
    hs "$@"
    rc_is 125 && lines_are 1 && out_has "^hutch-smoke: .*$want" || { why="hutch-smoke $*: $why"; return 1; }
    [ ! -e "$top/build/smoke/x86_64/serial.log" ] || no "hutch-smoke $*: a guest was booted"
}
bad_input() {
    bad1 "$T/none.img: no such image file" --arch x86_64 "$T/none.img" &&
        bad1 "unknown arch 'mips': one of aarch64 armv7 x86_64 or all" --arch mips "$T/httpd-x86_64.img" &&
        bad1 "not an erofs, squashfs or ext2/3/4 image" --arch x86_64 "$T/policy.json" &&
        bad1 "--kernel $T/no-kernel: no such file" --arch x86_64 --kernel "$T/no-kernel" "$T/httpd-x86_64.img" &&
        bad1 "--expect-exit takes an exit code, 0 to 255, not '256'" --expect-exit 256 "$T/httpd-x86_64.img" &&
        bad1 "--expect-exit is for an image that runs to its end" --expect-exit 0 --check true "$T/httpd-x86_64.img" &&
        bad1 "--verity takes the root hash, 64 hex digits, or a file that holds it: 'abc' is neither" --verity abc "$T/httpd-x86_64.img" &&
        bad1 "--verity $T/policy.json: the file holds no root hash" --verity "$T/policy.json" "$T/httpd-x86_64.img" &&
        bad1 "--timeout takes a whole number of seconds, not '1.5'" --timeout 1.5 "$T/httpd-x86_64.img" &&
        bad1 "unknown option '--chek'" --chek true "$T/httpd-x86_64.img" &&
        bad1 "--name is hutch-smoke's own to set" -- --name web "$T/httpd-x86_64.img" &&
        bad1 "-itd is hutch-smoke's own to set" -- -itd "$T/httpd-x86_64.img" &&
        bad1 "unknown arch '.\*'" --arch '.*' "$T/httpd-x86_64.img" &&
        bad1 "is neither" --arch x86_64 --verity "$T/two
lines" "$T/httpd-x86_64.img" &&
        bad1 "one IMAGE, options for hutch run only after --" "$T/httpd-x86_64.img" extra &&
        bad1 "no IMAGE given" --arch x86_64
}

t "images for the boards by buildah and hutch-image" make_images
if [ "$failed" = 0 ]; then
    t "the BusyBox httpd image passes on $BOARDS with an HTTP check from the guest and a check inside" httpd_passes
    t "a check that cannot pass: 1, one line" check_fails
    t "an image that exits 3 (and forges a PASS line): fails --expect-exit 0, passes --expect-exit 3" exit3
    t "no check: still running after 5 s passes, an image that ends fails" running
    t "a tampered verity image fails (dm-verity's report in the serial log); without --verity it runs" tampered
    t "a COMMAND's arguments and a check with a backslash reach the guest as they were" arguments
    t "what the guest's check leaves (a loop device, a mount) is found: 1" leftovers_found
    t "the guest's --timeout: 2, one line, qemu gone" timed_out
    t "a kernel that cannot boot: 2, one line, qemu gone" broken_kernel
    t "bad input: 125, one line, no guest booted" bad_input
fi
t "no qemu of these runs left" no_qemu_left
echo "smoke tests: $passed passed, $failed failed"
[ "$failed" = 0 ]
