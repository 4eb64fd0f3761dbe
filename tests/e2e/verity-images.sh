#!/bin/sh
# verity-images.sh ROOTFS SQFS OUTDIR: the verity images that 91-verity.sh runs, made with tools
# nobody here wrote (mkfs.erofs, veritysetup) in the layout of hutch-image --verity: the
# filesystem, zeros up to its size rounded up to 4096, then what `veritysetup format IMG IMG
# --hash-offset=THERE` appends (its superblock and the hash tree); the root hash in IMG.roothash.
#   busybox-verity.erofs  an uncompressed erofs of ROOTFS plus /verity-marker, a file of known
#                         lines (so that a test finds its bytes in the image)
#   busybox-verity.sqfs   the squashfs image SQFS, with its tree
#   busybox-verity.ext4   an ext4 of ROOTFS (mke2fs -d) in blocks of 4096, with its tree;
#                         busybox-verity-1k.ext4 the same in blocks of 1024
#   hutch-image.erofs     hutch-image --verity dir:ROOTFS, where tools/hutch-image is there
#   verity.env            VERITY_EROFS_OFF, VERITY_SQFS_OFF: where each verity superblock is;
#                         VERITY_MARKER_AT: a byte of /verity-marker's data in the erofs
# qemu/initramfs runs it on the build machine (the guests have none of these tools), with
# BOARD_ARCH the board's name (board/ARCH).
set -eu
rootfs=${1:?usage: verity-images.sh ROOTFS SQFS OUTDIR} sqfs=${2:?} out=${3:?}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/verity-images.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cp -a "$rootfs" "$tmp/root"
awk 'BEGIN { for (i = 0; i < 512; i++) printf "hutch-verity-marker %04d\n", i }' >"$tmp/root/verity-marker"

# append_tree IMG: pad IMG to 4096, append the tree; prints the superblock's offset.
append_tree() {
    local size off
    size=$(stat -c %s "$1")
    off=$(((size + 4095) / 4096 * 4096))
    truncate -s "$off" "$1"
    veritysetup format "$1" "$1" --hash-offset="$off" >"$tmp/format"
    sed -n 's/^Root hash:[[:space:]]*//p' "$tmp/format" >"$1.roothash"
    [ "$(wc -c <"$1.roothash")" = 65 ] || { echo "verity-images: no root hash for $1" >&2; return 1; }
    echo "$off"
}

# No -z: the file's bytes are in the image as they are.
rm -f "$out/busybox-verity.erofs"
mkfs.erofs "$out/busybox-verity.erofs" "$tmp/root" >/dev/null
erofs_off=$(append_tree "$out/busybox-verity.erofs")
cp "$sqfs" "$out/busybox-verity.sqfs"
sqfs_off=$(append_tree "$out/busybox-verity.sqfs")
# ext4 in blocks of 4096 (the verity device's sectors are that size), and one in blocks of 1024,
# which cannot mount on it.
for b in 4096 1024; do
    x=$out/busybox-verity.ext4
    [ "$b" = 4096 ] || x=$out/busybox-verity-1k.ext4
    rm -f "$x"
    mke2fs -q -F -t ext4 -b "$b" -d "$rootfs" "$x" 8M >/dev/null
    append_tree "$x" >/dev/null
done
# And, where the repository has it, what hutch-image --verity makes of ROOTFS (not fatal: the
# test skips it when missing).
tool=$(dirname "$0")/../../tools/hutch-image
rm -f "$out/hutch-image.erofs" "$out/hutch-image.erofs.roothash"
case ${BOARD_ARCH:-} in # the board ROOTFS is for (qemu/initramfs says), as OCI names it
x86_64) set -- --arch amd64 ;;
aarch64) set -- --arch arm64 ;;
armv7) set -- --arch arm/v7 ;;
*) set -- ;;
esac
if [ -x "$tool" ] && ! "$tool" "$@" --verity "dir:$rootfs" "$out/hutch-image.erofs" >"$tmp/tool.log" 2>&1; then
    echo "verity-images: hutch-image failed (skipped): $(tail -n 1 "$tmp/tool.log")" >&2
    rm -f "$out/hutch-image.erofs" "$out/hutch-image.erofs.roothash"
fi
# The 100th line of the marker, well inside its first block.
at=$(grep -boa 'hutch-verity-marker 0100' "$out/busybox-verity.erofs" | head -n 1 | cut -d: -f1)
[ -n "$at" ] && [ "$at" -lt "$erofs_off" ] || { echo "verity-images: marker not found" >&2; exit 1; }
printf 'VERITY_EROFS_OFF=%s\nVERITY_SQFS_OFF=%s\nVERITY_MARKER_AT=%s\n' "$erofs_off" "$sqfs_off" "$at" >"$out/verity.env"
