# unshare + chroot: the floor. New PID, mount, UTS, IPC and network namespaces (util-linux
# unshare --fork), a fresh /proc, chroot into the image's directory; for the other workloads
# the host's /dev is bound in. With a veth: a namespace prepared by hand, entered with nsenter.
RT_DESC="$(unshare --version | sed 's/ from / /')"
RT_NET=yes
NET_HIP=10.200.6.1
rt_init() {
    unshare --net sleep infinity &
    NETNS_PID=$!
    ip link add hb-un-h type veth peer name hb-un-c &&
    ip link set hb-un-c netns "$NETNS_PID" &&
    ip addr add "$NET_HIP/24" dev hb-un-h && ip link set hb-un-h up &&
    nsenter --net=/proc/$NETNS_PID/ns/net sh -c "
        ip link set lo up && ip link set hb-un-c name eth0 &&
        ip addr add 10.200.6.2/24 dev eth0 && ip link set eth0 up &&
        ip route add default via $NET_HIP"
}
rt_fini() { kill "$NETNS_PID"; return 0; }
rt_run() {
    local root=$WORK/img/$1 net=$2 pre=() nsflag=--net; shift 2
    [ "$net" = veth ] && pre=(nsenter "--net=/proc/$NETNS_PID/ns/net") && nsflag=
    # shellcheck disable=SC2016
    "${pre[@]}" unshare --fork --pid --mount --uts --ipc $nsflag --mount-proc="$root/proc" \
        sh -c 'hostname hb; mount --bind /dev "$0/dev" && exec chroot "$0" "$@"' "$root" "$@"
}
rt_true() { echo "unshare --fork --pid --mount --uts --ipc --net --mount-proc=$WORK/img/busybox/proc chroot $WORK/img/busybox /bin/true"; }
rt_idle_start() { # started directly, so that no shell waits in between
    unshare --fork --kill-child --pid --mount --uts --ipc --net \
        --mount-proc="$WORK/img/busybox/proc" chroot "$WORK/img/busybox" /bin/sleep 3600 </dev/null &
    IDLE=$!
}
rt_idle_stop() { kill -KILL "$IDLE" 2>/dev/null; wait "$IDLE" 2>/dev/null; return 0; }  # unshare ignores TERM; --kill-child passes KILL on
