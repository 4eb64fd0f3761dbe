# lib.sh: sourced by every end-to-end test. POSIX sh, so BusyBox ash runs it in the QEMU guest.
# Needs HUTCH (the binary) and IMAGES (the directory holding busybox.ext4, busybox.sqfs, rootfs/).
# A test is a function that returns 0 when it passes; `t NAME FUNCTION` runs it and reports.
# Every test file ends with `finish`, which checks that nothing leaked and prints a summary.
# Functions here keep their variables `local` (dash and BusyBox ash have it): tests loop too.

: "${HUTCH:?set HUTCH to the hutch binary}"
: "${IMAGES:?set IMAGES to the directory with busybox.ext4 and busybox.sqfs}"
SQFS=$IMAGES/busybox.sqfs
ROOTDIR=$IMAGES/rootfs
T=$(mktemp -d "${TMPDIR:-/tmp}/hutch-e2e.XXXXXX") || exit 1
# Containers' state in a directory of this test's own, not the machine's /run/hutch.
export HUTCH_STATE_DIR="$T/state"
# A writable image is locked by the container that uses it: each test file gets its own copy,
# so that it never waits on (or disturbs) anyone else using the build's image.
EXT4=$T/busybox.ext4
cp "$IMAGES/busybox.ext4" "$EXT4" || exit 1
TEST_FILE=$(basename "$0" .sh)
# The test tool built from probe.c, bind-mounted into containers as /probe where needed.
PROBE=${PROBE:-$IMAGES/hutch-probe}
passed=0 failed=0 skipped=0 why=""
cat /proc/mounts >"$T/mounts.before"

have() { command -v "$1" >/dev/null 2>&1; }

# h ARGS...: run hutch with stdin closed; stdout in $T/out, stderr in $T/err, status in $rc.
h() {
    "$HUTCH" "$@" >"$T/out" 2>"$T/err" </dev/null
    rc=$?
}

# wait_for FILE TEXT: until FILE holds TEXT (10 s at most).
wait_for() {
    local tries=0
    while ! grep -q "$2" "$1" 2>/dev/null; do
        [ $tries -ge 200 ] && return 1
        sleep 0.05
        tries=$((tries + 1))
    done
}

# bg NAME HUTCH-RUN-ARGS...: a container started in the background, its output in $T/NAME.out,
# the pid of its hutch in $bg_pid.
bg() {
    local name=$1
    shift
    "$HUTCH" run --name "$name" "$@" </dev/null >"$T/$name.out" 2>&1 &
    bg_pid=$!
}

# Assertions: each returns 1 with $why set when it does not hold.
no() { why="$*"; return 1; }
rc_is() { [ "$rc" = "$1" ] || no "exit status $rc, want $1"; }
out_is() { [ "$(cat "$T/out")" = "$1" ] || no "stdout '$(cat "$T/out")', want '$1'"; }
out_has() { grep -q -- "$1" "$T/out" || no "stdout lacks '$1'"; }
err_has() { grep -q -- "$1" "$T/err" || no "stderr lacks '$1'"; }
eq() { [ "$1" = "$2" ] || no "${3:-value} is '$1', want '$2'"; }
# One line on stderr, starting "hutch: " and naming NEEDLE.
one_line_error() {
    local n
    n=$(wc -l <"$T/err")
    [ "$n" -eq 1 ] || { no "stderr has $n lines, want 1"; return 1; }
    grep -q '^hutch: ' "$T/err" || { no "stderr does not start with 'hutch: '"; return 1; }
    err_has "$1"
}

# The loop devices bound to a file of this test or of IMAGES.
our_loops() {
    local f b
    for f in /sys/block/loop*/loop/backing_file; do
        b=$(cat "$f" 2>/dev/null) || continue
        case $b in "$T"/* | "$IMAGES"/*) echo "${f%/loop/backing_file}: $b" ;; esac
    done
}
# Mounts in this namespace that were not there when the test file started.
new_mounts() { awk 'NR == FNR { seen[$0] = 1; next } !seen[$0]' "$T/mounts.before" /proc/mounts; }
# Processes running the hutch binary: the file, or the sealed copy in memory that run, start
# and exec execute from.
hutch_procs() {
    local p exe
    for p in /proc/[0-9]*; do
        exe=$(readlink "$p/exe" 2>/dev/null)
        case $exe in "$HUTCH" | "/memfd:hutch (deleted)") echo "${p#/proc/}" ;; esac
    done
    return 0
}
# The pids of processes whose command line is exactly ARGS (the words joined by spaces).
procs_running() {
    local p want="$* "
    for p in /proc/[0-9]*; do
        [ "$(tr '\0' ' ' 2>/dev/null <"$p/cmdline")" = "$want" ] && echo "${p#/proc/}"
    done
    return 0
}
# Wait up to SECONDS (tenths allowed by the loop) until no process runs ARGS...: 0 when none.
gone_within() {
    local tenths=$(($1 * 10)) i=0
    shift
    while [ $i -lt $tenths ]; do
        [ -z "$(procs_running "$@")" ] && return 0
        sleep 0.1
        i=$((i + 1))
    done
    return 1
}
# Run the shell command CMD on a real pseudo-terminal of its own (hutch-probe pty: a new
# session whose controlling terminal it is, as a login shell has; script(1) would do too, but it
# writes an end-of-file into the terminal when its own stdin ends, and BusyBox has none): its
# output in $T/out, its status in $rc.
pty_run() {
    "$PROBE" pty sh -c "$1" </dev/null >"$T/out.pty" 2>&1
    rc=$?
    # A terminal ends its lines with \r\n.
    tr -d '\r\000' <"$T/out.pty" >"$T/out"
}
# veth ends in this network namespace: only checked by tests that run in a namespace of their
# own (in_own_netns), where every veth is one that hutch made.
our_veths() {
    [ -n "${OWN_NETNS:-}" ] || return 0
    ip -o link | grep '@' | sed 's/^[0-9]*: \([^:@]*\).*/\1/'
    return 0
}
# State directories of containers (none may outlive its container). A killed hutch's state is
# cleared the next time hutch looks (here: list).
our_states() {
    "$HUTCH" list --quiet >/dev/null 2>&1
    ls "$HUTCH_STATE_DIR" 2>/dev/null
    return 0
}
# Re-run the calling test file in a network namespace of its own, with lo up.
in_own_netns() {
    if [ -z "${OWN_NETNS:-}" ]; then
        rm -rf "$T"
        OWN_NETNS=1 exec unshare -n sh "$0" "$@"
    fi
    ip link set lo up
}

# Containers' cgroups: every directory below hutch/ in a cgroup hierarchy (after our_states'
# list, which removes the stale ones of killed containers).
our_cgroups() {
    local m
    awk '$3 ~ /^cgroup/ { print $2 }' /proc/mounts | sort -u | while read -r m; do
        [ -d "$m/hutch" ] && find "$m/hutch" -mindepth 1 -maxdepth 1 -type d
    done
    return 0
}
# Nothing of ours outlives a container; the kernel tears namespaces down asynchronously after a
# SIGKILL, so give it up to 10 seconds.
no_leaks() {
    local tries=0
    while [ $tries -lt 100 ]; do
        [ -z "$(our_loops)$(new_mounts)$(hutch_procs)$(our_veths)$(our_states)$(our_cgroups)" ] && return 0
        sleep 0.1
        tries=$((tries + 1))
    done
    no "left behind: loops [$(our_loops)] mounts [$(new_mounts)] hutch pids [$(hutch_procs)] veths [$(our_veths)] states [$(our_states)] cgroups [$(our_cgroups)]"
}

# t NAME FUNCTION: run one test.
t() {
    why="" skip_why=""
    "$2"
    local r=$?
    if [ $r = 0 ]; then
        passed=$((passed + 1))
        echo "ok - $1"
    elif [ $r = 2 ] && [ -n "$skip_why" ]; then
        # a test that could not check its last part for want of a tool: a skip, said so
        skip "$1" "$skip_why"
    else
        failed=$((failed + 1))
        echo "not ok - $1"
        echo "#   ${why:-assertion failed}"
        [ -s "$T/err" ] && sed 's/^/#   stderr: /' "$T/err" | head -5
    fi
}

# skip NAME REASON
skip() {
    skipped=$((skipped + 1))
    echo "ok - $1 # skip $2"
}

finish() {
    t "$TEST_FILE: nothing left behind" no_leaks
    rm -rf "$T"
    echo "# $TEST_FILE: $passed passed, $failed failed, $skipped skipped"
    [ "$failed" -eq 0 ]
}

# IMAGE is fsck-clean; where there is no e2fsck, the test that asks is skipped, not passed
# (fsck_clean returns 2 then, and `t` reports a skip).
fsck_clean() {
    have e2fsck || { skip_why="no e2fsck to check the image"; return 2; }
    e2fsck -fn "$1" >"$T/fsck" 2>&1 || no "e2fsck -fn $1: $(tail -n 2 "$T/fsck" | tr '\n' ' ')"
}

# Another private writable copy of the ext4 image.
ext4_copy() {
    cp "$IMAGES/busybox.ext4" "$T/${1:-rw}.ext4" && echo "$T/${1:-rw}.ext4"
}

# Seconds since boot with their fraction (/proc/uptime: BusyBox's date has no %N), and the
# seconds since such a moment.
now() { cut -d' ' -f1 /proc/uptime; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }
# less_than X Y [WHAT]: the number X is below Y.
less_than() { awk -v x="$1" -v y="$2" 'BEGIN { exit !(x < y) }' || no "${3:-value} is $1, want below $2"; }
at_least() { awk -v x="$1" -v y="$2" 'BEGIN { exit !(x >= y) }' || no "${3:-value} is $1, want at least $2"; }

# inside [HUTCH-OPTS] SCRIPT: sh -c SCRIPT in a container of this file's ext4 image (h's $rc,
# $T/out, $T/err); probe_inside does the same with hutch-probe at /probe.
inside() {
    local script
    eval "script=\${$#}"
    local n=$(($# - 1)) opts="" i=1
    while [ $i -le $n ]; do eval "opts=\"\$opts \\\"\\\${$i}\\\"\""; i=$((i + 1)); done
    eval "h run $opts \"\$EXT4\" sh -c \"\$script\""
}
probe_inside() { inside --bind "$PROBE:/probe:ro" "$@"; }

# A block device the host can read: a loop device on a file of this test, its first bytes
# "host-disk-data". Sets LOOP, MAJ and MIN; loop_done detaches it.
LOOP=""
loop_up() {
    printf 'host-disk-data' >"$T/disk.img" && dd if=/dev/zero of="$T/disk.img" bs=1 count=0 seek=1M 2>/dev/null
    LOOP=$(losetup -f) && losetup "$LOOP" "$T/disk.img" || { no "cannot attach a loop device"; return 1; }
    local mm
    mm=$(cat "/sys/block/${LOOP#/dev/}/dev")
    MAJ=${mm%:*} MIN=${mm#*:}
}
loop_done() { [ -z "$LOOP" ] || losetup -d "$LOOP"; LOOP=""; }
