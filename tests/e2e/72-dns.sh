#!/bin/sh
# The container's /etc/resolv.conf and /etc/hosts that hutch writes (--dns, --dns-search,
# --add-host, and any network beyond lo): their contents, the host's resolv.conf filtered (a fake
# one bound over the host's in a mount namespace of the test's own), read-only and writable
# images left as they were, name lookups against a DNS responder (hutch-probe dnsd) in this
# test's own network namespace, and hostile images whose /etc/resolv.conf is a symlink out, a
# FIFO or a directory. No outside address is ever used.
. "$(dirname "$0")/lib.sh"
in_own_netns
ERO=$IMAGES/busybox.erofs

# Containers on a veth: 10.3.N.2 inside, 10.3.N.1 the host end.
veth() { echo "--net veth --ip 10.3.$1.2/24 --host-ip 10.3.$1.1/24"; }
# The file without hutch's first line ("# written by hutch ...").
body() { sed 1d "$1"; }
nl='
'

# hr ARGS...: h, but the host's /etc/resolv.conf is $T/host.resolv (in a mount namespace made
# for this one run; where the host has no such file, a copy of its /etc with one).
hr() {
    unshare -m sh -c '
        f=$1; shift
        if [ -f /etc/resolv.conf ]; then
            mount --bind "$f" /etc/resolv.conf || exit 99
        else
            rm -rf "$f.etc" && mkdir "$f.etc" && cp -a /etc/. "$f.etc/" &&
                cp "$f" "$f.etc/resolv.conf" && mount --bind "$f.etc" /etc || exit 99
        fi
        exec "$@"' sh "$T/host.resolv" "$HUTCH" "$@" >"$T/out" 2>"$T/err" </dev/null
    rc=$?
}
host_resolv() { printf '%s\n' "$@" >"$T/host.resolv"; }
# A writable directory root of this test's own: a copy of the BusyBox tree.
dir_copy() { rm -rf "$T/root" && cp -a "$ROOTDIR" "$T/root"; }

given() {
    # shellcheck disable=SC2046
    h run $(veth 1) --ip fd00:3::2/64 --host-ip fd00:3::1/64 --hostname web \
        --dns 10.3.1.1 --dns fd00:3::1 --dns-search a.test --dns-search b.test \
        --add-host db:10.3.1.9 --add-host v6db:fd00::9 "$EXT4" \
        sh -c 'cat /etc/resolv.conf; echo ==; cat /etc/hosts; echo ==;
               { echo x >>/etc/hosts; } 2>/dev/null && echo WRITABLE;
               grep -c " /etc/resolv.conf tmpfs ro," /proc/mounts; ls -a /dev | grep -c hutch; true'
    rc_is 0 || return 1
    awk -v T="$T" '/^==$/ { n++; next } { print > (T "/part" n) }' "$T/out"
    eq "$(body "$T/part")" "nameserver 10.3.1.1${nl}nameserver fd00:3::1${nl}search a.test b.test" \
        resolv.conf &&
    eq "$(body "$T/part1")" "127.0.0.1	localhost${nl}::1	localhost ip6-localhost ip6-loopback${nl}10.3.1.2	web${nl}fd00:3::2	web${nl}10.3.1.9	db${nl}fd00::9	v6db" \
        hosts &&
    eq "$(cat "$T/part2")" "1${nl}0" "read-only bind; staging left in /dev" &&
    ! grep -q WRITABLE "$T/out" || no "the container could write its /etc/hosts"
}

# Without --dns: the host's, minus the servers on its loopback.
host_filtered() {
    host_resolv '# the host' 'nameserver 127.0.0.53' 'nameserver 10.9.0.53' 'nameserver ::1' \
        'nameserver fd00:9::53' 'search host.test' 'options edns0 trust-ad'
    dir_copy
    # shellcheck disable=SC2046
    hr run $(veth 2) "$T/root" cat /etc/resolv.conf
    rc_is 0 &&
        eq "$(body "$T/out")" "# the host${nl}nameserver 10.9.0.53${nl}nameserver fd00:9::53${nl}search host.test${nl}options edns0 trust-ad" \
            resolv.conf
}
none_left() {
    host_resolv 'nameserver 127.0.0.53' 'options edns0'
    # shellcheck disable=SC2046
    hr run $(veth 3) "$EXT4" cat /etc/resolv.conf
    rc_is 0 && out_has 'options edns0' && out_has '# hutch: no name server' &&
        out_has 'give --dns ADDR' || return 1
    ! grep -q '^nameserver' "$T/out" || no "a name server was made up: $(grep nameserver "$T/out")"
}
search_replaces() {
    host_resolv 'nameserver 10.9.0.53' 'domain host.test' 'search host.test' 'options ndots:2'
    # shellcheck disable=SC2046
    hr run $(veth 4) --dns-search c.test "$EXT4" cat /etc/resolv.conf
    rc_is 0 &&
        eq "$(body "$T/out")" "search c.test${nl}nameserver 10.9.0.53${nl}options ndots:2" resolv.conf
}
# --net host: the host's loopback servers are the container's too.
net_host_keeps_loopback() {
    host_resolv 'nameserver 127.0.0.53' 'search host.test'
    hr run --net host --dns-search c.test "$EXT4" cat /etc/resolv.conf
    rc_is 0 && eq "$(body "$T/out")" "search c.test${nl}nameserver 127.0.0.53" resolv.conf
}
# --net none and --net host without an option: the image's own files (BusyBox's has an
# /etc/hosts and no /etc/resolv.conf).
untouched() {
    local net
    for net in none host; do
        h run --net $net "$SQFS" sh -c 'cat /etc/hosts; [ -e /etc/resolv.conf ] || echo NO-RESOLV;
                                        grep -c " /etc/" /proc/mounts; true'
        rc_is 0 && eq "$(cat "$T/out")" "$(cat "$ROOTDIR/etc/hosts")${nl}NO-RESOLV${nl}0" \
            "--net $net's files" || return 1
    done
}
# Read-only images without /etc/resolv.conf: its hosts, and no resolv.conf, when nobody asked; a
# one-line error when --dns asks; --overlay tmpfs makes room.
read_only_images() {
    local img
    for img in "$SQFS" "$ERO"; do
        [ -f "$img" ] || continue
        # only an image without the file (one hutch-image made has an empty one: see below)
        h run --net none "$img" test -e /etc/resolv.conf
        [ "$rc" = 1 ] || continue
        # shellcheck disable=SC2046
        h run $(veth 5) --hostname ro "$img" sh -c 'grep -w ro /etc/hosts; [ -e /etc/resolv.conf ] || echo NO-RESOLV'
        rc_is 0 && eq "$(cat "$T/out")" "10.3.5.2	ro${nl}NO-RESOLV" "$img" || return 1
        # shellcheck disable=SC2046
        h run $(veth 5) --dns 10.3.5.1 "$img" true
        rc_is 125 && one_line_error "it has no /etc/resolv.conf, and it is read-only: add an empty /etc/resolv.conf to the image, or use --overlay tmpfs" || return 1
        # shellcheck disable=SC2046
        h run $(veth 5) --dns 10.3.5.1 --overlay tmpfs "$img" cat /etc/resolv.conf
        rc_is 0 && eq "$(body "$T/out")" "nameserver 10.3.5.1" "$img with --overlay tmpfs" || return 1
    done
}
# A read-only root that has the files: bound over them, which stay as they were.
read_only_with_file() {
    dir_copy
    echo 'nameserver 10.7.7.7' >"$T/root/etc/resolv.conf"
    h run --ro --dns 10.3.6.1 --add-host db:10.3.6.9 "$T/root" sh -c 'cat /etc/resolv.conf /etc/hosts'
    rc_is 0 && out_has '^nameserver 10.3.6.1$' && out_has '^10.3.6.9	db$' || return 1
    eq "$(cat "$T/root/etc/resolv.conf")" 'nameserver 10.7.7.7' "the image's resolv.conf" &&
        eq "$(cat "$T/root/etc/hosts")" "$(cat "$ROOTDIR/etc/hosts")" "the image's hosts" || return 1
    have mksquashfs || { skip_why="no mksquashfs to make a squashfs image with the files"; return 2; }
    mksquashfs "$T/root" "$T/with.sqfs" -quiet -noappend >/dev/null 2>&1 || { no "mksquashfs"; return 1; }
    h run --dns 10.3.6.1 "$T/with.sqfs" cat /etc/resolv.conf
    rc_is 0 && eq "$(body "$T/out")" "nameserver 10.3.6.1" "squashfs with the files"
}
# A writable ext4 image: its /etc/hosts unchanged after the run; its missing /etc/resolv.conf
# made as an empty mount point (that one stays).
ext4_unchanged() {
    local img
    img=$(ext4_copy dns) || return 1
    # shellcheck disable=SC2046
    h run $(veth 7) --dns 10.3.7.1 --add-host db:10.3.7.9 "$img" sh -c 'grep -c db /etc/hosts'
    rc_is 0 && out_is 1 || return 1
    h run --net none "$img" sh -c 'cat /etc/hosts; wc -c </etc/resolv.conf'
    rc_is 0 && eq "$(cat "$T/out")" "$(cat "$ROOTDIR/etc/hosts")${nl}0" "the image's files after" ||
        return 1
    fsck_clean "$img"
}
# A --bind of one's own over /etc/hosts wins over hutch's.
own_bind_wins() {
    echo '10.3.8.8 mine' >"$T/myhosts"
    # shellcheck disable=SC2046
    h run $(veth 8) --bind "$T/myhosts:/etc/hosts:ro" "$EXT4" cat /etc/hosts
    rc_is 0 && out_is '10.3.8.8 mine'
}
# nslookup inside against a DNS responder on the host end (bound to every address of this
# test's own network namespace: the host end comes with the container), and a name of --add-host
# through the C library.
nslookup_inside() {
    "$PROBE" dnsd 0.0.0.0 web.test 10.3.9.9 >"$T/dnsd.out" 2>&1 &
    local dnsd=$!
    local tries=0
    while ! grep -q 'dnsd: ready' "$T/dnsd.out"; do
        [ $tries -ge 100 ] && { kill $dnsd; wait $dnsd; no "dnsd did not start: $(cat "$T/dnsd.out")"; return 1; }
        sleep 0.05; tries=$((tries + 1))
    done
    # shellcheck disable=SC2046
    h run $(veth 9) --dns 10.3.9.1 --add-host gw:10.3.9.1 "$EXT4" \
        sh -c 'nslookup web.test; nslookup missing.test && echo FOUND-MISSING; ping -c 1 -W 2 gw >/dev/null && echo GW-OK'
    kill $dnsd
    wait $dnsd 2>/dev/null
    rc_is 0 && out_has 'Address:.*10.3.9.9' && out_has GW-OK || return 1
    ! grep -q FOUND-MISSING "$T/out" || no "nslookup found a name the responder does not have"
}
# The same on the old kernels' paths (mount(2), the resolver's walk).
old_kernel_paths() {
    dir_copy
    export HUTCH_OLD_KERNEL=1
    # shellcheck disable=SC2046
    h run $(veth 10) --dns 10.3.10.1 --hostname old "$T/root" \
        sh -c 'cat /etc/resolv.conf; grep old /etc/hosts; grep -c " /etc/hosts tmpfs ro," /proc/mounts'
    unset HUTCH_OLD_KERNEL
    rc_is 0 && eq "$(body "$T/out")" "nameserver 10.3.10.1${nl}10.3.10.2	old${nl}1" "old paths"
}
# In a user namespace of its own: the files are root's of the container.
userns() {
    dir_copy
    # (made here: under --userns the tree may not be the container's root's to write, where the
    # kernel cannot idmap it, as on tmpfs before Linux 6.3)
    : >"$T/root/etc/resolv.conf"
    h run --userns --dns 10.3.11.1 "$T/root" sh -c 'cat /etc/resolv.conf; stat -c "%u %a" /etc/resolv.conf /etc/hosts'
    rc_is 0 && eq "$(body "$T/out")" "nameserver 10.3.11.1${nl}0 644${nl}0 644" "under --userns"
}
bad_names() {
    h run --add-host 'a b:10.3.12.9' "$EXT4" true
    rc_is 125 && one_line_error "--add-host" || return 1
    h run --dns-search 'x#y' "$EXT4" true
    rc_is 125 && one_line_error "--dns-search" || return 1
    # shellcheck disable=SC2046
    h run $(veth 12) --hostname 'my#host' "$EXT4" true
    rc_is 125 && one_line_error "hostname 'my#host'"
}

# Hostile images: a directory root whose /etc/resolv.conf (or /etc) is made by the test. Each
# ends in one line and 125, or in a bind at the target inside the root, within 20 seconds, and
# the host's files stay as they were.
hostile() {
    local want=$1
    shift
    dir_copy
    rm -f "$T/root/etc/resolv.conf"
    "$@" || { no "could not make the hostile image"; return 1; }
    local before
    before=$(cat /etc/shadow /etc/resolv.conf 2>/dev/null | md5sum)
    # shellcheck disable=SC2046
    timeout 20 "$HUTCH" run $(veth 13) --dns 10.3.13.1 "$T/root" cat /etc/resolv.conf \
        >"$T/out" 2>"$T/err" </dev/null
    rc=$?
    eq "$(cat /etc/shadow /etc/resolv.conf 2>/dev/null | md5sum)" "$before" "the host's files" ||
        return 1
    case $want in
    bind) rc_is 0 && eq "$(body "$T/out")" "nameserver 10.3.13.1" "the bound file" ;;
    *) rc_is 125 && one_line_error "$want" ;;
    esac
}
to_proc() { ln -s /proc/1/environ "$T/root/etc/resolv.conf"; }
to_proc_self_fd() { ln -s /proc/self/fd/1 "$T/root/etc/resolv.conf"; }
to_sys() { ln -s /sys/kernel/uevent_seqnum "$T/root/etc/resolv.conf"; }
to_dev() { ln -s /dev/null "$T/root/etc/resolv.conf"; }
to_host_shadow() { ln -s ../../../../etc/shadow "$T/root/etc/resolv.conf"; }
to_image_shadow() { to_host_shadow && echo image-shadow >"$T/root/etc/shadow"; }
to_fifo() { mkfifo "$T/root/etc/resolv.conf"; }
to_dir() { mkdir "$T/root/etc/resolv.conf"; }
to_dangling() { ln -s /run/systemd/resolve/stub-resolv.conf "$T/root/etc/resolv.conf"; }
etc_loop() { rm -rf "$T/root/etc" && ln -s ../../../../etc "$T/root/etc"; }
etc_to_proc() { rm -rf "$T/root/etc" && ln -s /proc/self "$T/root/etc"; }
hosts_to_fifo() { mkfifo "$T/root/etc/hosts.fifo" && rm "$T/root/etc/hosts" && ln -s hosts.fifo "$T/root/etc/hosts"; }

sym_proc() { hostile "leads out of the image's own filesystem" to_proc; }
sym_proc_fd() { hostile "/proc magic link" to_proc_self_fd; }
sym_sys() { hostile "leads out of the image's own filesystem" to_sys; }
sym_dev() { hostile "/etc/resolv.conf" to_dev; }
sym_host_path() { hostile "a symlink to nothing in the image" to_host_shadow; }
sym_image_path() {
    hostile bind to_image_shadow || return 1
    eq "$(cat "$T/root/etc/shadow")" image-shadow "the image's own /etc/shadow after"
}
fifo() { hostile "a FIFO" to_fifo; }
directory() { hostile "a directory in the image" to_dir; }
dangling() { hostile "a symlink to nothing in the image" to_dangling; }
etc_symlink_loop() { hostile "/etc/resolv.conf" etc_loop; }
etc_symlink_proc() { hostile "/etc/resolv.conf" etc_to_proc; }
hosts_fifo() { hostile "a FIFO" hosts_to_fifo; }
# Unasked (a network, no option), a symlink the image's own way (OpenWrt's -> /tmp/resolv.conf,
# systemd-resolved's -> /run/...) that leads to nothing or out of the image is left as it is.
unasked_symlinks_left() {
    dir_copy
    rm -f "$T/root/etc/resolv.conf" && to_dangling || return 1
    # shellcheck disable=SC2046
    h run $(veth 14) "$T/root" sh -c 'readlink /etc/resolv.conf; echo RAN'
    rc_is 0 && out_has '^/run/systemd/resolve/stub-resolv.conf$' && out_has RAN || return 1
    rm -f "$T/root/etc/resolv.conf" && to_proc || return 1
    # shellcheck disable=SC2046
    h run $(veth 14) "$T/root" sh -c 'readlink /etc/resolv.conf; echo RAN'
    rc_is 0 && out_has '^/proc/1/environ$' && out_has RAN
}
# The same hostile images on the old kernels' paths.
old_kernel_hostile() {
    local f r=0
    export HUTCH_OLD_KERNEL=1
    for f in sym_proc sym_proc_fd sym_host_path sym_image_path fifo directory; do
        "$f" || { why="HUTCH_OLD_KERNEL=1 $f: $why"; r=1; break; }
    done
    unset HUTCH_OLD_KERNEL
    return $r
}

t "--dns, --dns-search, --add-host: the files inside, read-only" given
t "no --dns: the host's resolv.conf without its loopback servers" host_filtered
t "no server left: none made up, a comment says so" none_left
t "--dns-search replaces the host's search and domain" search_replaces
t "--net host: the host's loopback servers kept" net_host_keeps_loopback
t "--net none, --net host: the image's own files" untouched
t "read-only images (squashfs, erofs) without resolv.conf" read_only_images
t "a read-only root with the files: bound over, unchanged" read_only_with_file
t "a writable ext4 image: unchanged but for an empty mount point" ext4_unchanged
t "a --bind over /etc/hosts wins" own_bind_wins
t "nslookup against a DNS responder, --add-host through libc" nslookup_inside
t "the old kernels' paths" old_kernel_paths
t "--userns: the files are the container's root's" userns
t "bad names: one line, 125" bad_names
t "hostile: resolv.conf -> /proc/1/environ" sym_proc
t "hostile: resolv.conf -> /proc/self/fd/1" sym_proc_fd
t "hostile: resolv.conf -> /sys file" sym_sys
t "hostile: resolv.conf -> /dev/null" sym_dev
t "hostile: resolv.conf -> ../../../../etc/shadow (none in the image)" sym_host_path
t "hostile: resolv.conf -> ../../../../etc/shadow (the image's)" sym_image_path
t "hostile: resolv.conf a FIFO" fifo
t "hostile: resolv.conf a directory" directory
t "hostile: resolv.conf a dangling symlink" dangling
t "unasked: the image's dangling or outward resolv.conf symlink is left as it is" unasked_symlinks_left
t "hostile: /etc -> ../../../../etc (a loop inside the root)" etc_symlink_loop
t "hostile: /etc -> /proc/self" etc_symlink_proc
t "hostile: hosts -> a FIFO" hosts_fifo
t "hostile images on the old kernels' paths" old_kernel_hostile
finish
