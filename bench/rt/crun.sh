# crun: see oci.sh. crun 1.8 refuses this machine's hybrid cgroup layout ("cgroups in hybrid mode
# not supported, drop all controllers from cgroupv2") unless the cgroup2 mount at
# /sys/fs/cgroup/unified is gone, so the phase unmounts it in its private mount namespace (the
# host keeps it). crun also fails when its stdin is closed; every run gets one.
OCI=crun
OCI_ROOT=$WORK/crun-state
NET_HIP=10.200.4.1
RT_DESC="$(crun --version | head -n1)"
OCI_BOOT=yes   # the boot workload: crun is the OCI runtime it compares with
. "$BENCH/rt/oci.sh"
rt_init() {
    if mountpoint -q /sys/fs/cgroup/unified; then umount /sys/fs/cgroup/unified || return 1; fi
    oci_init 4
}
rt_fini() { oci_fini; }
