# hutch with a directory root: the same tree as crun, runc, LXC and bubblewrap use, bind-mounted
# (no loop device, no ext4): the like-for-like comparison with the directory runtimes.
# busybox: the tree of build/ARCH/rootfs; bench: the same tree plus the benchmark tools.
RT_DESC="$("$HUTCH" --version 2>/dev/null | head -n1)"
if "$HUTCH" run --help 2>&1 | grep -q -- '--host-ip'; then RT_NET=yes; else RT_NET=no; fi
NET_HIP=10.200.7.1
hutchdir_net() { [ "$1" = veth ] && echo "--net veth --ip 10.200.7.2/24 --host-ip $NET_HIP/24 --veth hb-hutch1"; }

rt_init() { return 0; }
rt_fini() { return 0; }
# shellcheck disable=SC2046
rt_run() { local img=$1 net=$2; shift 2; "$HUTCH" run --name "hbd-$img" $(hutchdir_net "$net") "$WORK/img/$img" "$@"; }
rt_true() { echo "$HUTCH run $WORK/img/busybox /bin/true"; }
rt_idle_start() { "$HUTCH" run --name hbd-idle "$WORK/img/busybox" /bin/sleep 3600 </dev/null & IDLE=$!; }
rt_idle_stop() { kill -TERM "$IDLE" 2>/dev/null; wait "$IDLE" 2>/dev/null; return 0; }
