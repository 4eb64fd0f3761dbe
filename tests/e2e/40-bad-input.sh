#!/bin/sh
# Bad input: each gives one line naming the problem, exit status 125, and leaves nothing behind.
. "$(dirname "$0")/lib.sh"

# bad NEEDLE ARGS...: hutch ARGS fails with 125, one line holding NEEDLE, and no leaks.
bad() {
    needle=$1
    shift
    h "$@"
    rc_is 125 && one_line_error "$needle" && no_leaks
}

missing_image() { bad "/no/such.ext4: No such file or directory" run /no/such.ext4 true; }
not_an_image() { echo "just text" >"$T/notes.txt"; bad "not an ext2/3/4, squashfs or erofs image" run "$T/notes.txt" true; }
empty_file() { : >"$T/empty.img"; bad "empty" run "$T/empty.img" true; }
unknown_flag() { bad "unknown option '--frobnicate'" run --frobnicate "$EXT4" true; }
no_command() { bad "no COMMAND" run "$EXT4"; }
no_image() { bad "no IMAGE" run; }
missing_bind_source() { bad "/no/such/dir" run --bind /no/such/dir:/mnt "$EXT4" true; }
bad_bind_spec() { bad "expected SRC:DST" run --bind /tmp "$EXT4" true; }
missing_workdir() { bad "--workdir /no/such" run -w /no/such "$EXT4" true; }
unknown_user() { bad "no such user" run --user nosuchuser "$EXT4" true; }
unknown_subcommand() { bad "unknown command 'frob'" frob; }
corrupt_ext4() {
    img=$(ext4_copy corrupt) || return 1
    # Zero the group descriptors (block 1 of a 4 KiB-block filesystem).
    dd if=/dev/zero of="$img" bs=4096 seek=1 count=1 conv=notrunc 2>/dev/null
    bad "corrupt" run "$img" true
}
truncated_image() {
    head -c 1048576 "$EXT4" >"$T/half.ext4"
    bad "truncated" run "$T/half.ext4" true
}
bind_target_on_read_only_root() {
    bad "read-only root" run --bind /tmp:/no-such-dir "$SQFS" true
}

t "a missing image" missing_image
t "a file that is not an image" not_an_image
t "an empty file" empty_file
t "an unknown flag" unknown_flag
t "no command" no_command
t "no image" no_image
t "a --bind source that does not exist" missing_bind_source
t "a malformed --bind" bad_bind_spec
t "a --workdir that does not exist" missing_workdir
t "a --user unknown in the image" unknown_user
t "an unknown subcommand" unknown_subcommand
t "a corrupt ext4 image" corrupt_ext4
t "a truncated image" truncated_image
t "a bind destination that cannot be made on a read-only root" bind_target_on_read_only_root
finish
