# LXC: lxc-execute (lxc-start + lxc-attach for the listings), privileged, the root filesystem a
# directory. The configuration follows what LXC's busybox template writes: no seccomp profile,
# a few capabilities dropped, proc/sys/cgroup mounted "mixed", /dev a tmpfs (autodev); no
# AppArmor on this kernel. The veth's host end is on a bridge this phase makes.
RT_DESC="LXC $(lxc-execute --version)"
RT_NET=yes
NET_HIP=10.200.2.1
LXCPATH=$WORK/lxc

lxc_config() { # lxc_config NAME IMAGE NET
    mkdir -p "$LXCPATH/$1"
    {
        echo "lxc.uts.name = $1"
        echo "lxc.rootfs.path = dir:$WORK/img/$2"
        if [ "$3" = veth ]; then
            echo "lxc.net.0.type = veth"
            echo "lxc.net.0.link = hb-br0"
            echo "lxc.net.0.flags = up"
            echo "lxc.net.0.name = eth0"
            echo "lxc.net.0.ipv4.address = 10.200.2.2/24"
            echo "lxc.net.0.ipv4.gateway = $NET_HIP"
        else
            echo "lxc.net.0.type = empty"
        fi
        echo "lxc.autodev = 1"
        echo "lxc.tty.max = 0"
        echo "lxc.pty.max = 16"
        echo "lxc.cap.drop = sys_module mac_admin mac_override sys_time"
        echo "lxc.mount.auto = proc:mixed sys:mixed cgroup:mixed"
        echo "lxc.apparmor.profile = unconfined"
        echo "lxc.log.level = WARN"
    } >"$LXCPATH/$1/config"
}

rt_init() {
    ip link add hb-br0 type bridge &&
    ip addr add "$NET_HIP/24" dev hb-br0 &&
    ip link set hb-br0 up || return 1
    local img net
    for img in busybox bench; do for net in none veth; do lxc_config "hb-$img-$net" $img $net; done; done
}
rt_fini() { return 0; }
rt_run() { local img=$1 net=$2; shift 2; lxc-execute -P "$LXCPATH" -n "hb-$img-$net" -- "$@"; }
rt_true() { echo "lxc-execute -P $LXCPATH -n hb-busybox-none -- /bin/true"; }
rt_idle_start() { lxc-execute -P "$LXCPATH" -n hb-busybox-none -- /bin/sleep 3600 </dev/null & IDLE=$!; }
rt_idle_stop() { lxc-stop -P "$LXCPATH" -n hb-busybox-none -k; wait "$IDLE" 2>/dev/null; return 0; }
rt_listing() { # a running container (lxc-start), the listing script (stdin) through lxc-attach
    local n=hb-busybox-veth rc
    lxc-start -P "$LXCPATH" -n $n -d -- /bin/sleep 3600 </dev/null &&
        lxc-wait -P "$LXCPATH" -n $n -s RUNNING -t 10 </dev/null || return 1
    lxc-attach -P "$LXCPATH" -n $n -- sh -s; rc=$?
    lxc-stop -P "$LXCPATH" -n $n -k </dev/null
    return $rc
}
# The files-written workload (w_writes): the start workload's lxc-execute.
rt_writes() { echo "execute|\`lxc-execute -P LXCPATH -n NAME -- /bin/true\`"; }
rt_writes_run() { shift; "$@" lxc-execute -P "$LXCPATH" -n hb-busybox-none -- /bin/true; }
# A board's boot (w_boot): a configuration per container (as lxc-create would write), `lxc-start
# -d`, then `lxc-stop -k`. Not lxc-destroy: it would delete the rootfs, the shared BusyBox tree;
# the configurations go with LXCPATH at the end of the run.
rt_boot_prepare() { local i; for i in $(seq "$1"); do lxc_config "hb-boot$i" busybox none; done; }
rt_boot_start() { lxc-start -P "$LXCPATH" -n "hb-boot$1" -d -- /bin/sleep 60; }
rt_boot_stop() { lxc-stop -P "$LXCPATH" -n "hb-boot$1" -k; }
