#!/bin/sh
# User namespaces: --userns maps container root to an unprivileged range; an ordinary user runs
# a directory root without any privilege.
. "$(dirname "$0")/lib.sh"

# The host's view of the uid of the process whose command line holds MARK.
host_uid_of() {
    for p in /proc/[0-9]*; do
        [ "$(tr '\0' ' ' 2>/dev/null <"$p/cmdline")" = "$1 " ] || continue
        awk '/^Uid:/ { print $2 }' "$p/status"
        return
    done
}

root_is_mapped() {
    "$HUTCH" run --userns "$EXT4" sh -c 'id -u; cat /proc/self/uid_map; sleep 3.1415' \
        </dev/null >"$T/out" 2>"$T/err" &
    local pid=$! tries=0 outside=""
    while [ -z "$outside" ] && [ $tries -lt 100 ]; do
        sleep 0.05
        outside=$(host_uid_of 'sleep 3.1415')
        tries=$((tries + 1))
    done
    wait $pid
    rc=$?
    rc_is 0 && eq "$(head -n 1 "$T/out")" 0 "uid inside" && out_has '^ *0 *100000 *65536$' &&
        eq "$outside" 100000 "uid outside"
}
custom_map() {
    h run --uidmap 0:200000:1000 --gidmap 0:200000:1000 "$SQFS" cat /proc/self/uid_map /proc/self/gid_map
    rc_is 0 && eq "$(grep -c '^ *0 *200000 *1000$' "$T/out")" 2 "map lines"
}
image_files_belong_to_root() {
    h run --userns "$EXT4" sh -c 'echo x >/etc/made-in-userns && stat -c %u:%g /etc/made-in-userns /bin'
    rc_is 0 || return 1
    if ! out_has '^0:0$'; then
        no "files show as $(tail -n 1 "$T/out") (the kernel lacks idmapped mounts, 5.12)"
        return 1
    fi
    # On disk, as seen without a user namespace, the file belongs to root too.
    h run "$EXT4" stat -c %u /etc/made-in-userns
    rc_is 0 && out_is 0
}
host_root_files_closed() {
    # A file only the host's root may read, bound in: container root is not host root.
    echo secret >"$T/root-only" && chmod 600 "$T/root-only"
    h run --userns --bind "$T/root-only:/secret" "$EXT4" cat /secret
    [ "$rc" != 0 ] && err_has "Permission denied" || { no "read the host root's file"; return 1; }
    h run --bind "$T/root-only:/secret" "$EXT4" cat /secret
    rc_is 0 && out_is secret
}
nobody_without_idmap() {
    # A tree on ramfs, which has no idmapped mounts: its root-owned files show as nobody inside,
    # and root inside (uid 100000 outside) cannot write them. The same tree on the image's
    # filesystem (idmapped) shows them as root's: the twin that tells the two apart.
    mkdir -p "$T/ramroot" && mount -t ramfs ramfs "$T/ramroot" || { skip_why="cannot mount ramfs"; return 2; }
    cp -a "$ROOTDIR/." "$T/ramroot/"
    h run --userns "$T/ramroot" sh -c 'stat -c "%u %U" /bin/busybox; id -u; touch /bin/x 2>/dev/null && echo wrote; true'
    umount "$T/ramroot"
    rc_is 0 && eq "$(tr '\n' ' ' <"$T/out")" "65534 nobody 0 " "owner inside, uid, write" || return 1
    h run --userns "$EXT4" stat -c "%u %U" /bin/busybox
    rc_is 0 && out_is "0 root"
}
bad_maps() {
    h run --uidmap 0:100000 "$EXT4" true
    rc_is 125 && one_line_error "INSIDE:OUTSIDE:COUNT"
}

# An ordinary user, for these: nobody, through the test probe, with a state directory of its own.
as_nobody() {
    mkdir -p "$T/nobody-state" && chown 65534:65534 "$T/nobody-state" && chmod 700 "$T/nobody-state" && chmod 755 "$T"
    HUTCH_STATE_DIR=$T/nobody-state "$PROBE" as-user 65534 65534 "$@"
}
rootless_directory_root() {
    # The user must be able to reach the binary and the tree.
    cp "$HUTCH" "$T/hutch" && cp -a "$ROOTDIR" "$T/root" && chmod 755 "$T" || return 1
    chown -R 65534:65534 "$T/root"
    as_nobody "$T/hutch" run --hostname rootless "$T/root" sh -c 'id -u; hostname; ps -o pid | wc -l; touch /mine && echo wrote' \
        </dev/null >"$T/out" 2>"$T/err"
    rc=$?
    rc_is 0 && eq "$(sed -n 1p "$T/out")" 0 "uid inside" && out_has '^rootless$' && out_has '^wrote$' &&
        eq "$(stat -c %u "$T/root/mine")" 65534 "owner on the host"
}
rootless_refuses_images() {
    cp "$HUTCH" "$T/hutch-r" && chmod 755 "$T" "$T/hutch-r"
    cp "$SQFS" "$T/image.sqfs" && chmod 644 "$T/image.sqfs"
    as_nobody "$T/hutch-r" run "$T/image.sqfs" true </dev/null >"$T/out" 2>"$T/err"
    rc=$?
    rc_is 125 && one_line_error "needs root"
}

if [ -r /proc/self/ns/user ]; then
    t "--userns: root inside is uid 100000 outside" root_is_mapped
    t "--uidmap and --gidmap" custom_map
    t "--userns: the image's files belong to root inside and on disk (idmapped)" image_files_belong_to_root
    t "--userns: a file only the host's root may read stays closed (open without)" host_root_files_closed
    t "--userns without idmapped mounts (ramfs): root's files show as nobody, not writable" nobody_without_idmap
    if [ -x "$PROBE" ] && [ "$(cat /proc/sys/user/max_user_namespaces 2>/dev/null || echo 1)" != 0 ]; then
        t "an ordinary user runs a directory root" rootless_directory_root
        t "an ordinary user is told image files need root" rootless_refuses_images
    else
        skip "an ordinary user" "no hutch-probe or no unprivileged user namespaces"
    fi
else
    skip "user namespaces" "the kernel has none (CONFIG_USER_NS)"
fi
t "a malformed --uidmap" bad_maps
finish
