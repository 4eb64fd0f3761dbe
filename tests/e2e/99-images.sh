#!/bin/sh
# Application images from tools nobody here wrote (buildah, umoci), converted by hutch-image to
# erofs, squashfs and ext4 and run without a command: the image's entrypoint, env, workdir and
# user. Whiteouts and opaque directories honoured, reproducible output, verity, bad input, and a
# hostile image's /.hutch. Host only (the guests have no buildah): skipped where the tools lack.
. "$(dirname "$0")/lib.sh"

TOOL=${HUTCH_IMAGE:-$(cd "$(dirname "$0")/../.." && pwd)/tools/hutch-image}
missing=""
for x in buildah skopeo umoci jq veritysetup mkfs.erofs mksquashfs mke2fs debugfs unsquashfs; do
    have "$x" || missing="$missing $x"
done
if [ -n "$missing" ] || [ ! -x "$TOOL" ]; then
    skip "99-images: application images" "no$missing${TOOL:+ }$( [ -x "$TOOL" ] || echo hutch-image)"
    finish
    exit
fi
# buildah and umoci touch no network; still, their namespace is the test's own.
in_own_netns

POLICY=$T/policy.json
echo '{"default":[{"type":"insecureAcceptAnything"}]}' >"$POLICY"
B="buildah --root $T/b/root --runroot $T/b/run --storage-driver vfs"

# The BusyBox tree as an image made by buildah, with a config of buildah's.
make_buildah_image() {
    rm -rf "$T/tree"
    cp -a "$ROOTDIR" "$T/tree" && mkdir -p "$T/tree/srv" && chown 1000:1000 "$T/tree/srv" || return 1
    local c
    c=$($B from --signature-policy "$POLICY" scratch) || return 1
    $B copy "$c" "$T/tree/" / >/dev/null &&
        $B config --entrypoint '["/bin/sh","-c","echo ep:$0:$*; echo A=$A; pwd; id -u","zero"]' \
            --cmd "one two" --env A=1 --workingdir /srv --user 1000:1000 --stop-signal SIGQUIT \
            --label x=y --port 8080 "$c" &&
        $B commit --signature-policy "$POLICY" -q "$c" "oci-archive:$T/app.oci.tar" >/dev/null &&
        $B commit --signature-policy "$POLICY" -q "$c" "docker-archive:$T/app.docker.tar:app:1" >/dev/null
    local r=$?
    $B rm "$c" >/dev/null 2>&1
    return $r
}

# hi SOURCE OUTPUT [FORMAT]: hutch-image, like h ($rc, $T/out, $T/err).
hi() {
    "$TOOL" ${3:+--format "$3"} "$1" "$2" >"$T/out" 2>"$T/err" </dev/null
    rc=$?
}
image_error() {
    rc_is 125 || return 1
    local n
    n=$(wc -l <"$T/err")
    [ "$n" -eq 1 ] || { no "stderr has $n lines, want 1: $(cat "$T/err")"; return 1; }
    grep -q '^hutch-image: ' "$T/err" || { no "stderr does not start with 'hutch-image: '"; return 1; }
    err_has "$1"
}
WANT="ep:zero:one two
A=1
/srv
1000"

buildah_images_run() {
    make_buildah_image || { no "buildah could not make the image"; return 1; }
    local src f
    for src in "oci-archive:$T/app.oci.tar" "docker-archive:$T/app.docker.tar"; do
        for f in erofs squashfs ext4; do
            hi "$src" "$T/app.$f" $f
            rc_is 0 || return 1
            h run "$T/app.$f"
            rc_is 0 && out_is "$WANT" || { why="$src as $f: $why"; return 1; }
        done
    done
    # The config as written into the image (erofs, the default: read back with hutch itself).
    h run --entrypoint /bin/cat "$T/app.erofs" /.hutch/image.conf
    rc_is 0 && out_has "^entrypoint = '/bin/sh' '-c' " && out_has "^cmd = 'one' 'two'$" &&
        out_has '^env = "A=1"$' && out_has '^workdir = "/srv"$' && out_has '^user = "1000:1000"$' &&
        out_has '^stop-signal = "SIGQUIT"$' && out_has '^label = "x=y"$' && out_has '^expose = "8080/tcp"$'
}
default_is_erofs() {
    hi "oci-archive:$T/app.oci.tar" "$T/default.img"
    rc_is 0 && eq "$(od -An -tx1 -j1024 -N4 "$T/default.img" | tr -d ' ')" e2e1f5e0 "erofs magic"
}

# Two layers by umoci: a file deleted (a whiteout) and a directory replaced (an opaque one).
whiteouts_honoured() {
    local L=$T/layout
    rm -rf "$L" "$T/bundle"
    umoci init --layout "$L" && umoci new --image "$L:base" || return 1
    umoci unpack --image "$L:base" "$T/bundle" >/dev/null || return 1
    cp -a "$ROOTDIR/." "$T/bundle/rootfs/" && mkdir -p "$T/bundle/rootfs/data" &&
        echo old >"$T/bundle/rootfs/data/old" && echo gone >"$T/bundle/rootfs/etc/deleted" || return 1
    umoci repack --image "$L:base" "$T/bundle" >/dev/null || return 1
    rm -f "$T/bundle/rootfs/etc/deleted"
    umoci repack --image "$L:base" "$T/bundle" >/dev/null || return 1
    # An opaque directory: a layer of its own (made by hand: it is the test's input).
    rm -rf "$T/opq" && mkdir -p "$T/opq/data" && : >"$T/opq/data/.wh..wh..opq" && echo new >"$T/opq/data/new"
    (cd "$T/opq" && tar -cf "$T/opq.tar" --owner=0 --group=0 data) || return 1
    umoci raw add-layer --image "$L:base" "$T/opq.tar" >/dev/null || return 1
    umoci config --image "$L:base" --config.entrypoint /bin/sh --config.cmd -c \
        --config.cmd 'ls /data; test -e /etc/deleted && echo deleted-is-there; true' >/dev/null || return 1
    local f
    for f in erofs squashfs ext4; do
        hi "oci:$L:base" "$T/wh.$f" $f
        rc_is 0 || return 1
        h run "$T/wh.$f"
        rc_is 0 && out_is new || { why="$f: $why"; return 1; }
    done
    # Nothing of the whiteouts themselves in the tree.
    unsquashfs -l "$T/wh.squashfs" >"$T/list" 2>&1
    ! grep -q '\.wh\.' "$T/list" || no "a whiteout file is in the image"
}

reproducible() {
    local f
    for f in erofs squashfs ext4; do
        # A second apart: no time of the conversion's may reach the image.
        hi "oci-archive:$T/app.oci.tar" "$T/r1.$f" $f && sleep 1 && hi "oci-archive:$T/app.oci.tar" "$T/r2.$f" $f
        rc_is 0 && cmp -s "$T/r1.$f" "$T/r2.$f" || { no "two $f conversions differ"; return 1; }
        "$TOOL" --format $f --verity "oci-archive:$T/app.oci.tar" "$T/v1.$f" >/dev/null 2>&1 &&
            "$TOOL" --format $f --verity "oci-archive:$T/app.oci.tar" "$T/v2.$f" >/dev/null 2>&1 &&
            cmp -s "$T/v1.$f" "$T/v2.$f" && cmp -s "$T/v1.$f.roothash" "$T/v2.$f.roothash" ||
            { no "two $f --verity conversions differ"; return 1; }
    done
}

verity_layout() {
    hi "oci-archive:$T/app.oci.tar" "$T/plain.erofs"
    "$TOOL" --verity "oci-archive:$T/app.oci.tar" "$T/ver.erofs" >"$T/out" 2>"$T/err"
    rc=$?
    rc_is 0 || return 1
    local hash size off
    hash=$(cat "$T/ver.erofs.roothash")
    echo "$hash" | grep -qx '[0-9a-f]\{64\}' || { no "roothash '$hash'"; return 1; }
    out_has "$hash" || return 1
    size=$(stat -c %s "$T/plain.erofs")
    off=$(( (size + 4095) / 4096 * 4096 ))
    at_least "$(stat -c %s "$T/ver.erofs")" $((off + 4096)) "size with the hash tree" || return 1
    eq "$(dd if="$T/ver.erofs" bs=1 skip="$off" count=6 2>/dev/null)" verity "the verity superblock at $off" || return 1
    # veritysetup reads the same superblock at that offset (without device-mapper).
    veritysetup dump --hash-offset="$off" "$T/ver.erofs" >"$T/dump" 2>&1 || { no "veritysetup dump: $(cat "$T/dump")"; return 1; }
    grep -q 'Hash algorithm:.*sha256' "$T/dump" || no "veritysetup dump: $(cat "$T/dump")"
}

bad_input() {
    hi "frob:$T/x" "$T/bad.img"
    image_error "transport" || return 1
    hi "docker-archive:$T/no-such.tar" "$T/bad.img"
    image_error "no-such.tar" || return 1
    head -c 100000 "$T/app.docker.tar" >"$T/cut.tar"
    hi "docker-archive:$T/cut.tar" "$T/bad.img"
    image_error "" || return 1
    hi "oci-archive:$T/app.oci.tar" "$T/bad.img" nosuchfs
    image_error "format" || return 1
    "$TOOL" --arch s390x "oci-archive:$T/app.oci.tar" "$T/bad.img" >"$T/out" 2>"$T/err" </dev/null
    rc=$?
    image_error "s390x" || return 1
    hi "oci:$T/layout:no-such-tag" "$T/bad.img"
    image_error "no-such-tag" || return 1
    [ ! -e "$T/bad.img" ] && [ ! -e "$T/bad.img.roothash" ] || { no "a half-written OUTPUT was left"; return 1; }
    ! ls -a "$T" | grep -q '^\.bad\.img\|bad\.img\..*tmp' || no "a temporary file was left: $(ls -a "$T")"
}

hostile_hutch_dir() {
    # The image's own /.hutch is a symlink to a directory of the host: nothing is written
    # there, and the image gets the real config.
    mkdir -p "$T/victim"
    rm -rf "$T/evil" && cp -a "$ROOTDIR" "$T/evil" && ln -s "$T/victim" "$T/evil/.hutch"
    hi "dir:$T/evil" "$T/evil.img"
    rc_is 0 || return 1
    [ -z "$(ls -A "$T/victim")" ] || { no "hutch-image wrote into the host's $T/victim"; return 1; }
    # One that ships its own image.conf asking for privileges gets it replaced.
    rm -rf "$T/evil" && cp -a "$ROOTDIR" "$T/evil" && mkdir "$T/evil/.hutch" &&
        printf 'privileged = true\ncmd = /bin/true\n' >"$T/evil/.hutch/image.conf"
    hi "dir:$T/evil" "$T/evil2.img"
    rc_is 0 || return 1
    h run --entrypoint /bin/cat "$T/evil2.img" /.hutch/image.conf
    rc_is 0 && ! out_has privileged 2>/dev/null
}

# The converted tree gets empty /etc/resolv.conf (and /etc/hosts) where it has none, so that a
# read-only image still gets the files hutch run writes; an /etc that is a symlink, or a
# resolv.conf that is a dangling one, is the image's: nothing is written through it.
etc_mount_points() {
    rm -rf "$T/noetc" && cp -a "$ROOTDIR" "$T/noetc" && rm -f "$T/noetc/etc/resolv.conf"
    hi "dir:$T/noetc" "$T/noetc.img"
    rc_is 0 || return 1
    h run --dns 10.9.9.9 --net none "$T/noetc.img" cat /etc/resolv.conf
    rc_is 0 && out_has '^nameserver 10.9.9.9$' || return 1
    mkdir -p "$T/hostetc"
    rm -rf "$T/evil" && cp -a "$ROOTDIR" "$T/evil" && rm -rf "$T/evil/etc" &&
        ln -s "$T/hostetc" "$T/evil/etc"
    hi "dir:$T/evil" "$T/evil3.img"
    rc_is 0 || return 1
    [ -z "$(ls -A "$T/hostetc")" ] || { no "hutch-image wrote into the host's $T/hostetc"; return 1; }
    rm -rf "$T/evil" && cp -a "$ROOTDIR" "$T/evil" && rm -f "$T/evil/etc/resolv.conf" &&
        ln -s "$T/hostetc/resolv.conf" "$T/evil/etc/resolv.conf"
    hi "dir:$T/evil" "$T/evil4.img"
    rc_is 0 && eq "$(ls -A "$T/hostetc")" "" "what was written through the dangling symlink"
}

t "buildah images (oci-archive, docker-archive) as erofs, squashfs, ext4 run their entrypoint" buildah_images_run
t "hutch-image's default format is erofs" default_is_erofs
t "umoci layers: a deleted file and an opaque directory honoured" whiteouts_honoured
t "the same SOURCE gives the same bytes (and root hash)" reproducible
t "--verity: the hash tree after the filesystem, the root hash written" verity_layout
t "bad input: one line, 125, no OUTPUT" bad_input
t "security: an image's /.hutch symlink or own config is not used" hostile_hutch_dir
t "empty /etc/resolv.conf and /etc/hosts as mount points; never through the image's symlinks" etc_mount_points
finish
