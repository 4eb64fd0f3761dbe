# hutch: the static binary, each container's root an ext4 image on a loop device.
# busybox: a copy of build/ARCH/busybox.ext4; bench: the same tree plus the benchmark tools.
RT_DESC="$("$HUTCH" --version 2>/dev/null | head -n1)"
# --net veth arrives with issue 3; without it the network workload is skipped (pending).
if "$HUTCH" run --help 2>&1 | grep -q -- '--host-ip'; then RT_NET=yes; else RT_NET=no; fi
NET_HIP=10.200.3.1
hutch_net() { [ "$1" = veth ] && echo "--net veth --ip 10.200.3.2/24 --host-ip $NET_HIP/24 --veth hb-hutch0"; }

rt_init() { return 0; }
rt_fini() { return 0; }
# shellcheck disable=SC2046
rt_run() { local img=$1 net=$2; shift 2; "$HUTCH" run --name "hb-$img" $(hutch_net "$net") "$WORK/img/$img.ext4" "$@"; }
rt_true() { echo "$HUTCH run $WORK/img/busybox.ext4 /bin/true"; }
rt_idle_start() { "$HUTCH" run --name hb-idle "$WORK/img/busybox.ext4" /bin/sleep 3600 </dev/null & IDLE=$!; }
rt_idle_stop() { kill -TERM "$IDLE" 2>/dev/null; wait "$IDLE" 2>/dev/null; return 0; }
