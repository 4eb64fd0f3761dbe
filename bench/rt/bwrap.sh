# bubblewrap: a floor reference. --unshare-all (user, IPC, PID, network with lo only, UTS,
# cgroup), the image's directory bound as /, a new /proc and a minimal /dev. No veth.
RT_DESC="bubblewrap $(bwrap --version | awk '{print $2}')"
RT_NET=no
rt_init() { return 0; }
rt_fini() { return 0; }
rt_run() { local img=$1; shift 2; bwrap --unshare-all --hostname hb --bind "$WORK/img/$img" / --proc /proc --dev /dev "$@"; }
rt_true() { echo "bwrap --unshare-all --hostname hb --bind $WORK/img/busybox / --proc /proc --dev /dev /bin/true"; }
rt_idle_start() { # started directly, so that no shell waits in between
    bwrap --unshare-all --die-with-parent --hostname hb --bind "$WORK/img/busybox" / --proc /proc \
        --dev /dev /bin/sleep 3600 </dev/null & IDLE=$!
}
rt_idle_stop() { kill -TERM "$IDLE" 2>/dev/null; wait "$IDLE" 2>/dev/null; return 0; }
