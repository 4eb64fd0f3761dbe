# hutch with a directory root: the same tree as crun, runc, LXC and bubblewrap use, bind-mounted
# (no loop device, no ext4): the like-for-like comparison with the directory runtimes.
HUTCH_ROOT=directory
. "$BENCH/rt/hutch.sh"
