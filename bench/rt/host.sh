# The bare host: no container. The same binaries (the bench image's /opt is bound onto /opt in
# this phase's private mount namespace; the host's /lib serves the same libraries); files in a
# directory under WORK; iperf3 over lo. The reference that the ratios divide by.
RT_DESC="bare host, no container"
RT_NET=yes
RT_SKIP="mem"   # no runtime, no runtime memory
NET_HIP=127.0.0.1
rt_init() { mkdir -p "$WORK/hostio" && mount --bind "$WORK/img/bench/opt" /opt; }
rt_fini() { return 0; }
rt_run() { shift 2; IO_FILE=$WORK/hostio/hutchbench-io "$@"; }
rt_true() { echo "/bin/true"; }
rt_idle_start() { return 1; }
rt_idle_stop() { return 0; }
