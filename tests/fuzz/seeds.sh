#!/bin/sh
# seeds.sh NAME DIR: write the binary seeds of harness NAME (netlink replies, image and verity
# superblocks) into DIR, made here byte by byte so that no binary is kept in the repo.
# Little-endian, as the hosts that run the fuzzers are. Other harnesses have no binary seeds: nothing is written.
set -eu
name=$1 dir=$2

byte() { printf "\\$(printf %03o $(($1 & 255)))"; }
le16() { byte "$1"; byte $(($1 >> 8)); }
le32() { le16 $(($1 & 65535)); le16 $((($1 >> 16) & 65535)); }
zeros() { head -c "$1" /dev/zero; }
nul() { byte 0; }
# nlmsghdr: LEN TYPE FLAGS SEQ
nlh() { le32 "$1"; le16 "$2"; le16 "$3"; le32 "$4"; le32 0; }
# attribute header: LEN TYPE
nla() { le16 "$1"; le16 "$2"; }

netlink() {
    # An ACK, and an error with the kernel's extended-ACK text (NLM_F_CAPPED|NLM_F_ACK_TLVS).
    { nlh 36 2 0 1; le32 0; nlh 32 16 5 1; } >"$dir/ack"
    { nlh 52 2 $((0x300)) 1; le32 -17; nlh 32 16 5 1; nla 16 1; printf 'File exists'; nul; } >"$dir/error-exack"
    # The same, not capped: the request follows in full before the attributes.
    { nlh 68 2 $((0x200)) 1; le32 -22; nlh 32 16 5 1; zeros 16; nla 16 1; printf 'Invalid arg'; nul; } >"$dir/error-uncapped"
    # RTM_NEWLINK: ifinfomsg (index 3, IFF_UP), IFLA_IFNAME, IFLA_LINKINFO{IFLA_INFO_KIND}, IFLA_IFALIAS.
    { nlh 76 16 0 1; byte 0; byte 0; le16 1; le32 3; le32 1; le32 0
      nla 9 3; printf 'eth0'; nul; zeros 3
      nla 16 18; nla 11 1; printf 'bridge'; nul; zeros 1
      nla 13 20; printf 'hutch:web'; zeros 3; } >"$dir/newlink"
    # RTM_NEWADDR 10.0.0.2/24 on index 3 (IFA_LOCAL, IFA_ADDRESS), then the link's RTM_NEWLINK.
    { nlh 40 20 2 1; byte 2; byte 24; byte 0; byte 0; le32 3
      nla 8 2; byte 10; byte 0; byte 0; byte 2
      nla 8 1; byte 10; byte 0; byte 0; byte 2
      nlh 32 16 0 2; byte 0; byte 0; le16 1; le32 3; le32 1; le32 0; } >"$dir/newaddr"
    # RTM_NEWADDR fd00::2/64.
    { nlh 48 20 2 1; byte 10; byte 64; byte 0; byte 0; le32 4
      nla 20 1; byte 253; zeros 14; byte 2
      nla 4 8; } >"$dir/newaddr6"
    # A dump's end carrying an error.
    { nlh 20 3 2 1; le32 -95; } >"$dir/done-error"
}

image() {
    # ext4: superblock at 1024 with a 4 KiB block, 2^32 + 4096 blocks (64bit), journal, extents.
    { zeros 1024; zeros 4; le32 4096; zeros 16; le32 2; zeros 28; le16 $((0xEF53)); zeros 34
      le32 4; le32 $((0x2C2)); zeros 236; le32 1; zeros 684; } >"$dir/ext4"
    # ext3 and ext2, 1 KiB blocks, cut short after the superblock's fields.
    { zeros 1024; zeros 4; le32 8192; zeros 16; le32 0; zeros 28; le16 $((0xEF53)); zeros 34
      le32 4; le32 2; } >"$dir/ext3"
    { zeros 1024; zeros 4; le32 8192; zeros 16; le32 0; zeros 28; le16 $((0xEF53)); zeros 34
      le32 0; le32 2; zeros 16; } >"$dir/ext2"
    # squashfs: magic "hsqs", bytes_used at 40.
    { le32 $((0x73717368)); zeros 36; le32 65536; le32 0; zeros 48; } >"$dir/squashfs"
    # erofs: superblock at 1024, blkszbits 12 at +12, blocks at +36.
    { zeros 1024; le32 $((0xE0F5E1E2)); zeros 8; byte 12; zeros 23; le32 16; zeros 984; } >"$dir/erofs"
    printf 'not an image' >"$dir/text"
}

le64() { le32 $(($1 & 4294967295)); le32 $((($1 >> 32) & 4294967295)); }

# verity: the filesystem's size and the file's (le64 each), then the superblock that
# `veritysetup format` writes: "verity", version 1, hash type 1, uuid, "sha256", block sizes,
# data blocks, salt size and salt.
verity_sb() { # DATA_BLOCK HASH_BLOCK BLOCKS SALT_SIZE
    printf 'verity'; zeros 2; le32 1; le32 1
    i=0; while [ $i -lt 16 ]; do byte 171; i=$((i + 1)); done
    printf 'sha256'; zeros 26; le32 "$1"; le32 "$2"; le64 "$3"; le16 "$4"; zeros 6
    i=0; while [ $i -lt "$4" ]; do byte $i; i=$((i + 1)); done
    zeros $((512 - 88 - $4))
}
verity() {
    # 1000 blocks of 4 KiB, 128 hashes a block: a tree of 9 blocks after the superblock's.
    { le64 4096000; le64 $((4096000 + 4096 + 9 * 4096)); verity_sb 4096 4096 1000 32; } >"$dir/sb-4k"
    { le64 512000; le64 $((512000 + 4096 + 40 * 512)); verity_sb 512 512 1000 0; } >"$dir/sb-512"
}

case $name in
verity) verity ;;
netlink) netlink ;;
image) image ;;
esac
