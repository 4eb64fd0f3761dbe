#!/bin/sh
# run.sh [PATH...]: fault injection. For each path (run, veth, limits, detach, oci; all by
# default) record the system calls hutch makes, under strace, then run the path again once for
# each of them with that call failing (strace's inject=SYSCALL:error=ERRNO:when=N, counted per
# process as strace counts). Every run must end with 125 and one line on stderr (or succeed, where
# hutch can do without the call, or end with the command's own status where the failure hit
# the command), and leave nothing: loop devices, mounts, veths, cgroups, state files, processes.
# FAULT_LEVEL=full (every occurrence of every call) or short (the first, the middle and the last
# occurrence of each call, and every occurrence of the calls that make or undo a kernel resource).
# FAULT_CALLS="SYSCALL ..." tries only those calls.
# Needs HUTCH, IMAGES (as the end-to-end tests), root and strace. Prints one line per failure and
# `fault: N passed, N failed` with the count of injected failures.
set -u
: "${HUTCH:?set HUTCH to the hutch binary}"
: "${IMAGES:?set IMAGES to the build directory with busybox.ext4 and rootfs/}"
here=$(cd "$(dirname "$0")" && pwd)
LEVEL=${FAULT_LEVEL:-short}
OCI=$(dirname "$HUTCH")/hutch-oci

# The whole run in a network namespace of its own: its veths are ours alone.
if [ -z "${FAULT_NETNS:-}" ]; then
    FAULT_NETNS=1 exec unshare -n sh "$0" "$@"
fi
ip link set lo up

T=$(mktemp -d "${TMPDIR:-/tmp}/hutch-fault.XXXXXX") || exit 1
export HUTCH_STATE_DIR="$T/state"
OCIROOT=$T/oci
cp "$IMAGES/busybox.ext4" "$T/img.ext4" || exit 1
cat /proc/mounts >"$T/mounts.before"
[ $# -gt 0 ] || set -- run veth limits detach oci
# The cgroup directories of hutch (hutch/NAME) and of the OCI containers (CGP/ID).
CGP=hutch-fault-$$
passed=0 failed=0 injected=0 sealed=0 slow=0

# ---- what is left --------------------------------------------------------------------------
left_now() {
    local f b m
    for f in /sys/block/loop*/loop/backing_file; do
        b=$(cat "$f" 2>/dev/null) || continue
        case $b in "$T"/* | "$IMAGES"/*) echo "loop ${f%/loop/backing_file}" ;; esac
    done
    awk 'NR == FNR { seen[$0] = 1; next } !seen[$0] { print "mount " $2 }' "$T/mounts.before" /proc/mounts
    # Processes of the hutch binary (the file, or the sealed copy in memory that run executes
    # from), and the container's command: one find and one ps, not a fork per process.
    find /proc -mindepth 2 -maxdepth 2 -name exe \( -lname "$HUTCH" -o -lname "/memfd:hutch (deleted)" \) \
        2>/dev/null | sed 's|^/proc/\([0-9]*\)/exe$|process \1 (hutch)|'
    ps -eo pid=,args= | awk '$2 == "sleep" && $3 == "7777" && NF == 3 { print "process " $1 " (the command)" }'
    ip -o link | awk -F': ' '$2 != "lo" { print "link " $2 }'
    # The state as hutch left it: no `hutch list` first, which would clear a dead one's.
    ls "$HUTCH_STATE_DIR" 2>/dev/null | sed 's/^/state /'
    ls "$OCIROOT" 2>/dev/null | sed 's/^/oci-state /'
    awk '$3 ~ /^cgroup/ { print $2 }' /proc/mounts | sort -u | while read -r m; do
        [ -d "$m/hutch" ] && find "$m/hutch" -mindepth 1 -maxdepth 1 -type d | sed 's/^/cgroup /'
        [ -d "$m/$CGP" ] && find "$m/$CGP" -mindepth 1 -maxdepth 1 -type d | sed 's/^/cgroup /'
    done
    return 0
}
# What is left once the kernel has finished its asynchronous teardown (up to 10 s); empty when
# nothing.
left() {
    local i=0 l
    while :; do
        l=$(left_now)
        [ -z "$l" ] && return 0
        [ $i -ge 100 ] && { echo "$l" | tr '\n' ' '; return 0; }
        sleep 0.1
        i=$((i + 1))
    done
}
# Put the machine back after a failure, so that the next run starts clean; by pid and by name.
scrub() {
    local p
    for p in $(left_now | sed -n 's/^process \([0-9]*\).*/\1/p'); do kill -KILL "$p" 2>/dev/null; done
    "$HUTCH" list -q 2>/dev/null | while read -r p; do "$HUTCH" kill "$p" KILL >/dev/null 2>&1; done
    "$OCI" --root "$OCIROOT" list -q 2>/dev/null | while read -r p; do
        "$OCI" --root "$OCIROOT" delete --force "$p" >/dev/null 2>&1
    done
    sleep 0.5
    rm -rf "$HUTCH_STATE_DIR" "$OCIROOT"
    left_now | sed -n 's/^mount //p' | sort -r | while read -r m; do umount -l "$m" 2>/dev/null; done
    left_now | sed -n 's/^loop \/sys\/block\///p' | while read -r l; do losetup -d "/dev/$l" 2>/dev/null; done
    ip -o link | awk -F': ' '$2 != "lo" { sub(/@.*/, "", $2); print $2 }' | while read -r l; do ip link del "$l" 2>/dev/null; done
    awk '$3 ~ /^cgroup/ { print $2 }' /proc/mounts | sort -u | while read -r m; do
        find "$m/hutch" "$m/$CGP" -mindepth 1 -depth -type d 2>/dev/null | while read -r d; do rmdir "$d"; done
    done
    return 0
}

# ---- the paths -----------------------------------------------------------------------------
# A path is a list of steps (step_PATH_K, K = 1, 2, ...), each one hutch command run as
# `$S hutch ...`: S runs it under strace. The first step makes the container; when an injected
# failure ends a later step, `end_PATH` ends the container as its user would, and only then is
# the machine checked.
steps_run=1
step_run_1() { $S "$HUTCH" run --name frun "$T/img.ext4" /bin/true; }
end_run() { :; }

steps_veth=1
step_veth_1() {
    $S "$HUTCH" run --name fveth --net veth --ip 10.77.0.2/24 --host-ip 10.77.0.1/24 "$T/img.ext4" /bin/true
}
end_veth() { :; }

steps_limits=1
step_limits_1() {
    $S "$HUTCH" run --name flim --memory 64M --pids 40 --cpus 0.5 "$T/img.ext4" /bin/true
}
end_limits() { :; }

steps_detach=3
step_detach_1() { $S "$HUTCH" run -d --name fdet "$T/img.ext4" sleep 7777; }
step_detach_2() { $S "$HUTCH" exec fdet /bin/true; }
step_detach_3() { $S "$HUTCH" stop -t 2 fdet; }
end_detach() { "$HUTCH" stop -t 2 fdet >/dev/null 2>&1; }

steps_oci=3
setup_oci() {
    rm -rf "$T/bundle" && mkdir -p "$T/bundle" && "$OCI" spec --bundle "$T/bundle" || return 1
    sed -e "s|\"path\": \"rootfs\"|\"path\": \"$IMAGES/rootfs\"|" \
        -e 's|"args": \["sh"\]|"args": ["sleep", "7777"]|' \
        -e "s|\"linux\": {|\"linux\": { \"cgroupsPath\": \"$CGP/foci\",|" \
        "$T/bundle/config.json" >"$T/bundle/c" && mv "$T/bundle/c" "$T/bundle/config.json"
}
step_oci_1() { $S "$OCI" --root "$OCIROOT" create --bundle "$T/bundle" foci; }
step_oci_2() { $S "$OCI" --root "$OCIROOT" start foci; }
step_oci_3() { $S "$OCI" --root "$OCIROOT" delete --force foci; }
end_oci() { "$OCI" --root "$OCIROOT" delete --force foci >/dev/null 2>&1; }

# ---- running a step under strace -----------------------------------------------------------
# strace follows every process of the step: the detached monitor and the container's init
# outlive the command that made them, so strace runs in the background, and the step's status is
# the first process's exit, read from strace's output (strace -o names its pid first).
STRACE_PIDS=""
# under LOG [STRACE-OPTIONS...]: set S for one step.
traced() {
    local log=$1
    shift
    S="strace -f -q -o $log $*"
}
# run_step PATH K LOG: run it, wait for its first process to end; status in $rc, stderr in
# $T/err.
run_step() {
    local log=$3 first="" i=0
    : >"$log"
    "step_$1_$2" </dev/null >"$T/out" 2>"$T/err" &
    STRACE_PIDS="$STRACE_PIDS $!"
    rc=""
    while [ $i -lt 600 ]; do
        [ -n "$first" ] || first=$(awk 'NR == 1 { print $1; exit }' "$log")
        if [ -n "$first" ]; then
            rc=$(sed -n "s/^$first  *+++ exited with \([0-9]*\) +++\$/\1/p; s/^$first  *+++ killed by SIG\([A-Z0-9]*\).*/signal \1/p" "$log")
            [ -n "$rc" ] && return 0
        fi
        sleep 0.05
        i=$((i + 1))
    done
    rc="hung"
}
# Wait for every strace of this run to end (its processes all gone): up to 30 s, then kill it.
# Under ptrace a container's teardown can be slow on a loaded machine (once over 10 s in CI,
# with nothing left afterwards): what counts is what is left, which `left` checks after this.
# A strace still there after 30 s is reported with what it still traced (a hang), and the run
# fails.
strace_done() {
    local p i=0 alive t
    while :; do
        alive=""
        for p in $STRACE_PIDS; do kill -0 "$p" 2>/dev/null && alive="$alive $p"; done
        [ -z "$alive" ] && break
        if [ $i -ge 300 ]; then
            for p in $alive; do
                for t in $(grep -l "^TracerPid:[[:space:]]*$p\$" /proc/[0-9]*/status 2>/dev/null); do
                    printf '%s ' "$(awk '/^(Pid|Name|State):/ { printf "%s ", $2 }' "$t")"
                done
                kill -KILL "$p" 2>/dev/null
            done
            echo "strace still tracing after 30 s"
            break
        fi
        [ $i != 100 ] || slow=$((slow + 1))
        sleep 0.1
        i=$((i + 1))
    done
    for p in $STRACE_PIDS; do wait "$p" 2>/dev/null; done
    STRACE_PIDS=""
}

# ---- recording -----------------------------------------------------------------------------
# calls LOG: "SYSCALL COUNT" for each call, COUNT the most any one of hutch's processes made:
# the occurrences `when=N` can reach. A process's calls after it executes the container's
# command (any execve but the first process's own) are the command's, not hutch's.
calls() {
    awk '
    { pid = $1; line = $0; sub(/^[0-9]+ +/, "", line) }
    line ~ /^<\.\.\./ || line ~ /^\+\+\+/ || line ~ /^---/ { next }
    !(pid in seen) { seen[pid] = 1; if (NR == 1) first = pid }
    gone[pid] { next }
    { name = line; sub(/\(.*/, "", name) }
    name == "execve" && pid != first { gone[pid] = 1; next }
    { n[pid, name]++; if (n[pid, name] > max[name]) max[name] = n[pid, name] }
    END { for (c in max) print c, max[c] }' "$1" | sort
}
# Calls that are never made to fail: process exit and the C library start-up (musl has no
# answer to a failing arch_prctl), calls that cannot fail, execve (its first occurrence is
# strace starting hutch; the command's own is tested by the end-to-end tests, 126 and 127), and
# close: Linux frees the descriptor even when close reports an error, but strace fails a call by
# not making it, which leaves the descriptor open (a pipe's end that never closes) -- a failure
# the kernel cannot produce. rt_sigprocmask with valid arguments cannot fail, and musl's fork()
# counts on it: it restores a mask that a failed call never gave it.
skipped_call() {
    case $1 in
    exit | exit_group | rt_sigreturn | arch_prctl | set_tid_address | set_robust_list | rseq | \
        getpid | gettid | getppid | getuid | geteuid | getgid | getegid | umask | sched_yield | \
        execve | close | rt_sigprocmask) return 0 ;;
    esac
    return 1
}
# The errno a call can really return, from its manual page's ERRORS.
errno_of() {
    case $1 in
    open | openat | openat2 | creat | stat | lstat | newfstatat | statx | access | faccessat | \
        faccessat2 | readlink | readlinkat | chdir | fchdir | execveat) echo EACCES ;;
    read | pread64 | readv | write | pwrite64 | writev | sendfile | fsync | fdatasync | \
        close | getdents64 | lseek) echo EIO ;;
    wait4 | waitid | poll | ppoll | epoll_wait | epoll_pwait | rt_sigtimedwait | flock | \
        recvmsg | recvfrom | nanosleep | clock_nanosleep | pselect6 | select) echo EINTR ;;
    clone | clone3 | fork | vfork) echo EAGAIN ;;
    socket | socketpair | memfd_create | signalfd4 | epoll_create1 | eventfd2 | pipe2 | \
        dup | dup2 | dup3 | pidfd_open | open_tree | fsopen | fsmount | inotify_init1) echo EMFILE ;;
    sendmsg | sendto) echo ENOBUFS ;;
    bind) echo EADDRINUSE ;;
    connect) echo ECONNREFUSED ;;
    mkdir | mkdirat | symlink | symlinkat | rename | renameat | renameat2 | link | linkat | \
        mknod | mknodat | ftruncate | fallocate) echo ENOSPC ;;
    unlink | unlinkat | rmdir | umount2 | pivot_root) echo EBUSY ;;
    ioctl) echo EBUSY ;;
    kill | tgkill | tkill | pidfd_send_signal | setns | sethostname | setdomainname | setsid | \
        setpgid | setuid | setgid | setresuid | setresgid | setgroups | capset | prlimit64 | \
        setrlimit | chroot | mount | fchown | fchownat | chown | lchown | fchmod | fchmodat | chmod) echo EPERM ;;
    prctl | rt_sigaction | fcntl | seccomp | personality | sigaltstack) echo EINVAL ;;
    *) echo ENOMEM ;;
    esac
}
# Calls that make or undo a kernel resource: in the short form, every occurrence of them.
resource_call() {
    case $1 in
    mount | umount2 | fsopen | fsconfig | fsmount | move_mount | open_tree | mount_setattr | \
        pivot_root | ioctl | clone | clone3 | unshare | setns | socket | sendmsg | sendto | \
        recvmsg | recvfrom | mkdir | mkdirat | unlinkat | rmdir | rename | renameat | renameat2 | \
        flock | write | pwrite64 | kill | seccomp | execveat | memfd_create) return 0 ;;
    esac
    return 1
}
# occurrences SYSCALL COUNT: the N of when=N to try.
occurrences() {
    if [ "$LEVEL" = full ] || resource_call "$1" || [ "$2" -le 3 ]; then
        seq 1 "$2"
    else
        printf '%s\n' 1 $((($2 + 1) / 2)) "$2"
    fi
}

# ---- one path ------------------------------------------------------------------------------
fail() {
    failed=$((failed + 1))
    echo "FAIL $*"
}
# The one line hutch prints: "hutch: " or "hutch-oci: " and a message.
one_line() {
    [ "$(wc -l <"$T/err")" -eq 1 ] && grep -q '^hutch\(-oci\)\{0,1\}: ..' "$T/err"
}

path() {
    local p=$1 n k sys count when e log what leftover
    eval "n=\${steps_$p:-}"
    [ -n "$n" ] || { fail "$p: no such path"; return; }
    if command -v "setup_$p" >/dev/null 2>&1; then "setup_$p" || { fail "$p: setup"; return; }; fi
    # The recording: the whole path, each step traced whole.
    k=1
    while [ "$k" -le "$n" ]; do
        traced "$T/rec.$k"
        run_step "$p" "$k" "$T/rec.$k"
        [ "$rc" = 0 ] || { fail "$p: step $k did not succeed without a failure (status $rc: $(head -n 1 "$T/err"))"; }
        k=$((k + 1))
    done
    strace_done >/dev/null
    leftover=$(left)
    [ -z "$leftover" ] || { fail "$p: the recording left $leftover"; scrub; }
    local total=0 runs=0 reached=0
    k=1
    while [ "$k" -le "$n" ]; do
        calls "$T/rec.$k" >"$T/calls.$p.$k"
        while read -r sys count; do
            skipped_call "$sys" && continue
            case " ${FAULT_CALLS:-$sys} " in *" $sys "*) ;; *) continue ;; esac
            e=$(errno_of "$sys")
            for when in $(occurrences "$sys" "$count"); do
                runs=$((runs + 1))
                inject "$p" "$n" "$k" "$sys" "$e" "$when"
            done
        done <"$T/calls.$p.$k"
        k=$((k + 1))
    done
    echo "# $p: $(cat "$T"/calls.$p.* | wc -l) distinct calls in $n step(s), $runs runs, $reached injected, $((runs - reached)) not reached"
}

# filtered LOG: every process killed by SIGSYS died on the call injected into it.
filtered() {
    awk '
    { pid = $1; line = $0; sub(/^[0-9]+ +/, "", line) }
    line ~ /^\+\+\+ killed by SIGSYS/ { n++; if (last[pid] ~ /INJECTED/) ok++; next }
    line !~ /^\+\+\+/ && line !~ /^---/ { last[pid] = line }
    END { exit !(n > 0 && ok == n) }' "$1"
}

# inject PATH STEPS K SYSCALL ERRNO N: the path with step K's Nth SYSCALL (in each process)
# failing with ERRNO; the other steps as they are.
inject() {
    local p=$1 n=$2 k=$3 sys=$4 e=$5 when=$6 j=1 log="$T/inj" hits=0 what="" out status=0
    while [ "$j" -le "$n" ]; do
        if [ "$j" = "$k" ]; then
            traced "$log" -e "trace=$sys,execve" -e "inject=$sys:error=$e:when=$when"
            run_step "$p" "$j" "$log"
            status=$rc
            cp "$T/err" "$T/err.inj"
            hits=$(grep -c 'INJECTED' "$log")
            # Past its seccomp filter a process cannot be made to fail by strace: it skips a
            # call by turning its number into -1, which the kernel filters again (since Linux
            # 4.8), and hutch's filter kills a process for a number it does not know. Such a
            # run (SIGSYS right after the injected call, 128 + 31 passed on as the command's
            # status) tells nothing about hutch: counted apart, the machine still checked.
            if [ "$status" = 159 ] && filtered "$log"; then
                status=0 sealed=$((sealed + 1))
            elif [ "$status" = 0 ] && grep -q -E '^[0-9]+ +(prctl\((PR_SET_DUMPABLE|PR_SET_NO_NEW_PRIVS)|seccomp\(|capset\().*INJECTED' "$log"; then
                # A protection that failed must end the start: a container without it is one
                # the user did not ask for.
                what="$(grep -m 1 -o -E '(prctl\((PR_SET_DUMPABLE|PR_SET_NO_NEW_PRIVS)|seccomp\(|capset\()[^)]*' "$log") failed, and the step succeeded"
            fi
            if [ "$status" != 0 ]; then
                # The failure ended this step: hutch said so in one line, with 125 (or 1, the OCI
                # mode's), or the command's own status where it hit the command.
                case $status in
                125 | 1) one_line || what="status $status but stderr: $(head -c 300 "$T/err" | tr '\n' '|')" ;;
                126 | 127) ;;
                *) what="status $status: $(head -c 300 "$T/err" | tr '\n' '|')" ;;
                esac
                # A later step's failure leaves a container that its user ends.
                [ "$j" -gt 1 ] && "end_$p"
                break
            fi
        else
            S=""
            "step_${p}_$j" >/dev/null 2>&1 </dev/null
        fi
        j=$((j + 1))
    done
    strace_done >"$T/done"
    out=$(cat "$T/done")
    [ -n "$out" ] && what="${what:+$what; }$out"
    leftover=$(left)
    [ -z "$leftover" ] || what="${what:+$what; }left: $leftover"
    if [ "$hits" -gt 0 ]; then
        reached=$((reached + 1))
        injected=$((injected + hits))
    fi
    if [ -n "$what" ]; then
        fail "$p: step $k, $sys #$when = $e ($hits injected): $what"
        scrub
    else
        passed=$((passed + 1))
    fi
}

command -v strace >/dev/null || { echo "fault: no strace"; echo "fault: 0 passed, 1 failed"; exit 1; }
for p in "$@"; do path "$p"; done
scrub
# The OCI containers' parent cgroup (cgroupsPath's first part) is the test's own.
awk '$3 ~ /^cgroup/ { print $2 }' /proc/mounts | sort -u | while read -r m; do
    [ ! -d "$m/$CGP" ] || rmdir "$m/$CGP" || echo "FAIL cgroup $m/$CGP left"
done
rm -rf "$T"
echo "fault: $injected failures injected; $sealed runs reached only processes past their seccomp filter; $slow took over 10 s to end"
echo "fault: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
