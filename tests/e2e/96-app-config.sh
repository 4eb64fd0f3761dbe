#!/bin/sh
# An application image's own config (/.hutch/image.conf, as hutch-image writes it): hutch run
# without a command runs its entrypoint and cmd with its env, workdir and user; the command line
# wins; inspect says where each came from; a stop sends its stop signal. The file is the image's
# (the attacker's): it cannot set hutch's options, and it is read inside the root only. Writable
# layers over a read-only root (--overlay tmpfs|DIR) and scratch tmpfs mounts (--tmpfs).
. "$(dirname "$0")/lib.sh"

# app NAME: a directory root (a copy of the BusyBox tree) with NAME's config from stdin.
app() {
    rm -rf "$T/$1"
    cp -a "$ROOTDIR" "$T/$1" || return 1
    mkdir -p "$T/$1/.hutch" "$T/$1/srv"
    chown 1000:1000 "$T/$1/srv"
    cat >"$T/$1/.hutch/image.conf"
}
APP=$T/app
app app <<'EOF'
# hutch image config
entrypoint = '/bin/sh' '-c' 'echo "ep:$0:$*"; echo "A=$A B=$B"; pwd; id -u' 'zero'
cmd = 'one' 'it'\''s'
env = "A=1"
env = "B=x y"
workdir = "/srv"
user = "1000:1000"
label = "org.example=yes"
EOF

no_command_runs_the_image() {
    h run "$APP"
    rc_is 0 && out_is "ep:zero:one it's
A=1 B=x y
/srv
1000"
}
args_replace_cmd() {
    h run "$APP" a b
    rc_is 0 && out_has '^ep:zero:a b$'
}
entrypoint_flag_replaces_it() {
    # Docker's rule: a new entrypoint drops the image's cmd; args after IMAGE are its args.
    h run --entrypoint /bin/echo "$APP"
    rc_is 0 && out_is "" || return 1
    h run --entrypoint /bin/echo "$APP" hi there
    rc_is 0 && out_is "hi there"
}
command_line_wins() {
    h run -e A=2 -w / -u 0 "$APP"
    rc_is 0 && out_is "ep:zero:one it's
A=2 B=x y
/
0"
}
plain_image_needs_a_command() {
    h run "$EXT4"
    rc_is 125 && one_line_error "no COMMAND given" && err_has "$(echo /.hutch/image.conf)"
}

inspect_says_where_from() {
    h run -d --name cfg-inspect -e C=3 --entrypoint /bin/sleep "$APP" 30
    rc_is 0 || return 1
    h inspect cfg-inspect
    local ok=0
    out_has '"command": \["/bin/sleep", "30"\]' &&
        out_has '"entrypoint": "command-line"' && out_has '"cmd": "command-line"' &&
        out_has '"env": "image+command-line"' && out_has '"workdir": "image"' &&
        out_has '"user": "image"' && out_has '"workdir": "/srv"' || ok=1
    # exec gets the container's settings: the image's env and workdir, the user.
    h exec cfg-inspect sh -c 'echo "$A$C $(pwd) $(id -u)"'
    [ $ok = 0 ] && rc_is 0 && out_is "13 /srv 1000" || ok=1
    h stop -t 2 cfg-inspect
    [ $ok = 0 ]
}

# An image whose command reports the signal that ended it, in a file of the host (bound in).
sigapp() {
    app "$1" <<EOF
entrypoint = '/bin/sh' '-c' 'trap "echo QUIT >/out/sig; exit 3" QUIT; trap "echo TERM >/out/sig; exit 4" TERM; echo up >/out/sig; while :; do sleep 0.1; done'
$2
EOF
}
stop_sends_the_stop_signal() {
    mkdir -p "$T/sig"
    local img
    for img in quit term; do
        if [ $img = quit ]; then sigapp sq 'stop-signal = "SIGQUIT"'; else sigapp sq ''; fi
        : >"$T/sig/sig"
        h run -d --name cfg-sig -v "$T/sig:/out" "$T/sq"
        rc_is 0 || return 1
        local i=0
        while [ "$(cat "$T/sig/sig")" != up ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
        h inspect cfg-sig
        if [ $img = quit ]; then out_has '"stop-signal": 3' || return 1; fi
        h stop -t 5 cfg-sig
        rc_is 0 || return 1
        if [ $img = quit ]; then
            eq "$(cat "$T/sig/sig")" QUIT "the signal a stop sent (stop-signal = SIGQUIT)" || return 1
        else
            eq "$(cat "$T/sig/sig")" TERM "the signal a stop sent (no stop-signal)" || return 1
        fi
    done
}

# ---- the image's config is the attacker's ----

config_cannot_set_options() {
    local key
    for key in "privileged = true" "bind = /:/host" "cap-add = ALL" "seccomp = unconfined" \
        "net = host" "device = /dev/sda"; do
        printf 'cmd = /bin/true\n%s\n' "$key" | app evil
        h run "$T/evil"
        rc_is 125 && one_line_error "unknown key '${key%% *}'" || return 1
    done
    no_leaks
}
config_fifo_is_refused() {
    app fifo </dev/null
    rm -f "$T/fifo/.hutch/image.conf"
    mkfifo "$T/fifo/.hutch/image.conf"
    local t0
    t0=$(now)
    h run "$T/fifo" /bin/true
    rc_is 125 && one_line_error "not a regular file" && less_than "$(since "$t0")" 10 "seconds"
}
config_magic_link_is_refused() {
    app magic </dev/null
    rm -f "$T/magic/.hutch/image.conf"
    ln -s /proc/self/fd/0 "$T/magic/.hutch/image.conf"
    h run "$T/magic" /bin/true
    rc_is 125 && one_line_error "image.conf"
}
config_symlink_stays_inside() {
    # A link out of the root names the image's own path: the host's file is never read.
    echo 'cmd = /bin/echo HOST-CONFIG' >"$T/hostconf"
    app link </dev/null
    rm -f "$T/link/.hutch/image.conf"
    ln -s "../../../../../../../../..$T/hostconf" "$T/link/.hutch/image.conf"
    h run "$T/link"
    ! grep -q HOST-CONFIG "$T/out" || { no "the host's file was read: $(cat "$T/out")"; return 1; }
    rc_is 125 && one_line_error "no COMMAND given" || return 1
    # A link that stays inside is followed.
    echo 'cmd = /bin/echo IMAGE-CONFIG' >"$T/link/etc/app.conf"
    ln -sfn /etc/app.conf "$T/link/.hutch/image.conf"
    h run "$T/link"
    rc_is 0 && out_is IMAGE-CONFIG
}
config_too_big_is_refused() {
    app big </dev/null
    awk 'BEGIN { for (i = 0; i < 7000; i++) print "label = \"k" i "=0123456789\"" }' >"$T/big/.hutch/image.conf"
    echo 'cmd = /bin/true' >>"$T/big/.hutch/image.conf"
    h run "$T/big"
    rc_is 125 && one_line_error "over 64 KiB"
}
other_arch_is_refused() {
    printf 'arch = s390x\ncmd = /bin/true\n' | app s390
    h run "$T/s390"
    rc_is 125 && one_line_error "is for s390x"
}

# ---- --overlay and --tmpfs ----

sum() { cksum <"$1"; }
overlay_tmpfs_forgets() {
    local before
    before=$(sum "$EXT4")
    h run --overlay tmpfs "$EXT4" sh -c 'echo hi >/etc/written && cat /etc/written && rm /bin/ls && ! test -e /bin/ls'
    rc_is 0 && out_is hi || return 1
    h run --overlay tmpfs "$EXT4" sh -c 'test -e /etc/written && echo kept; test -e /bin/ls && echo ls-there'
    rc_is 0 && out_is ls-there && eq "$(sum "$EXT4")" "$before" "the image's checksum" && no_leaks
}
overlay_dir_keeps() {
    local before
    before=$(sum "$SQFS")
    h run --overlay "$T/layer" "$SQFS" sh -c 'echo kept >/var-note; mkdir -p /data && echo 1 >/data/n'
    rc_is 0 || return 1
    h run --overlay "$T/layer" "$SQFS" sh -c 'cat /var-note /data/n'
    rc_is 0 && out_is "kept
1" && [ -f "$T/layer/upper/var-note" ] && eq "$(sum "$SQFS")" "$before" "the image's checksum" &&
        no_leaks
}
overlay_dir_one_at_a_time() {
    h run -d --name cfg-ov --overlay "$T/layer2" "$EXT4" sleep 30
    rc_is 0 || return 1
    h run --overlay "$T/layer2" "$SQFS" /bin/true
    local rc2=$rc
    cp "$T/err" "$T/err2"
    h stop -t 1 cfg-ov
    rc=$rc2
    cp "$T/err2" "$T/err"
    rc_is 125 && one_line_error "in use by another container" || return 1
    # Free again once the first has ended.
    h run --overlay "$T/layer2" "$SQFS" /bin/true
    rc_is 0 && no_leaks
}
overlay_over_a_directory_root() {
    h run --overlay tmpfs "$ROOTDIR" sh -c 'echo x >/etc/overlay-test && cat /etc/overlay-test'
    rc_is 0 && out_is x && [ ! -e "$ROOTDIR/etc/overlay-test" ] ||
        no "the directory root was written through the overlay"
}
overlay_ext4_is_clean() {
    h run --overlay tmpfs "$EXT4" sh -c 'grep " / " /proc/mounts'
    rc_is 0 && out_has '^overlay / overlay rw,nosuid,nodev' && fsck_clean "$EXT4"
}
overlay_symlink_refused() {
    mkdir -p "$T/realdir"
    ln -sfn "$T/realdir" "$T/ovlink"
    h run --overlay "$T/ovlink" "$SQFS" /bin/true
    rc_is 125 && one_line_error "not a directory" && [ ! -e "$T/realdir/upper" ]
}
overlay_dir_others_cannot_enter() {
    # DIR/upper gets what root inside makes, set-user-ID binaries too: a DIR that other users
    # can enter is refused; one hutch makes is 0700.
    mkdir -p "$T/open-layer"
    chmod 755 "$T/open-layer"
    h run --overlay "$T/open-layer" "$SQFS" sh -c 'cp /bin/busybox /suid && chmod 4755 /suid'
    rc_is 125 && one_line_error "others can enter it" && [ ! -e "$T/open-layer/upper" ] || return 1
    h run --overlay "$T/new-layer" "$SQFS" /bin/true
    rc_is 0 && eq "$(stat -c %a "$T/new-layer")" 700 "mode of the DIR hutch made"
}
overlay_bad_input() {
    h run --overlay relative/dir "$SQFS" /bin/true
    rc_is 125 && one_line_error "--overlay" || return 1
    : >"$T/afile"
    h run --overlay "$T/afile" "$SQFS" /bin/true
    rc_is 125 && one_line_error "not a directory" && no_leaks
}

tmpfs_mounts() {
    # On the read-only image, at its own /tmp and /mnt; with --overlay, anywhere.
    h run --tmpfs /tmp:size=1m --tmpfs /mnt:exec,mode=700 "$SQFS" sh -c \
        'grep -E " /(tmp|mnt) " /proc/mounts; dd if=/dev/zero of=/tmp/f bs=64k count=32 2>/dev/null && echo filled-past-1m; true'
    rc_is 0 && out_has '^tmpfs /tmp tmpfs rw,nosuid,nodev,noexec,.*size=1024k' &&
        out_has '^tmpfs /mnt tmpfs rw,nosuid,nodev,relatime,mode=700' && ! grep -q filled-past-1m "$T/out" ||
        return 1
    h run --overlay tmpfs --tmpfs /new/scratch "$SQFS" sh -c 'grep -c " /new/scratch tmpfs" /proc/mounts'
    rc_is 0 && out_is 1
}
tmpfs_is_noexec_by_default() {
    h run --tmpfs /tmp --tmpfs /mnt:exec "$SQFS" sh -c \
        'cp /bin/busybox /tmp/true; cp /bin/busybox /mnt/true; /tmp/true 2>/dev/null && echo s-ran; /mnt/true && echo e-ran'
    rc_is 0 && out_is e-ran
}
tmpfs_bad_input() {
    h run --tmpfs /run:uid=0 "$SQFS" /bin/true
    rc_is 125 && one_line_error "unknown option 'uid=0'" || return 1
    # A read-only image lacks the mount point: say so.
    h run --tmpfs /no-such-dir "$SQFS" /bin/true
    rc_is 125 && one_line_error "/no-such-dir" && no_leaks
}

t "run IMAGE: the image's entrypoint, cmd, env, workdir, user" no_command_runs_the_image
t "run IMAGE ARGS: ARGS replace cmd, the entrypoint stays" args_replace_cmd
t "--entrypoint replaces the entrypoint and drops cmd" entrypoint_flag_replaces_it
t "-e, -w, -u win over the image's config" command_line_wins
t "an image without a config needs a command" plain_image_needs_a_command
t "inspect shows the command and where each setting came from; exec uses them" inspect_says_where_from
t "stop sends the image's stop signal (SIGTERM without one)" stop_sends_the_stop_signal
t "security: the image's config cannot set hutch's options" config_cannot_set_options
t "security: a FIFO as the config is refused, not waited on" config_fifo_is_refused
t "security: a magic link as the config is refused" config_magic_link_is_refused
t "security: a symlink out of the root reads the image, not the host" config_symlink_stays_inside
t "security: a config over 64 KiB is refused" config_too_big_is_refused
t "an image for another architecture is refused" other_arch_is_refused
t "--overlay tmpfs: writes are forgotten, the image untouched" overlay_tmpfs_forgets
t "--overlay DIR: writes kept across runs in DIR/upper" overlay_dir_keeps
t "--overlay DIR: one container at a time" overlay_dir_one_at_a_time
t "--overlay over a directory root leaves the directory alone" overlay_over_a_directory_root
t "--overlay over ext4: nosuid,nodev overlay root, image fsck-clean" overlay_ext4_is_clean
t "--overlay DIR through a symlink is refused" overlay_symlink_refused
t "security: --overlay DIR that others can enter is refused" overlay_dir_others_cannot_enter
t "--overlay bad input" overlay_bad_input
t "--tmpfs DST:size=N,mode=,exec" tmpfs_mounts
t "--tmpfs is noexec unless exec" tmpfs_is_noexec_by_default
t "--tmpfs bad input" tmpfs_bad_input
finish
