# runc: see oci.sh. The OCI reference runtime, also what Docker runs below containerd here.
OCI=runc
OCI_ROOT=$WORK/runc-state
NET_HIP=10.200.5.1
RT_DESC="$(runc --version | head -n1)"
. "$BENCH/rt/oci.sh"
rt_init() { oci_init 5; }
rt_fini() { oci_fini; }
