# hutch-oci: hutch's OCI runtime front end (the same static binary, called by that name), from the
# same bundles as crun and runc (see oci.sh). It works on this machine's hybrid cgroup layout as
# it is: its cgroups (linux.cgroupsPath /hutchbench/...) are made in every v1 hierarchy and in
# the cgroup2 one, and the driver removes what is left like crun's and runc's.
OCI=$(dirname "$HUTCH")/hutch-oci
OCI_ROOT=$WORK/hutchoci-state
NET_HIP=10.200.8.1
RT_DESC="$("$OCI" --version | head -n1)"
. "$BENCH/rt/oci.sh"
rt_init() { oci_init 8; }
rt_fini() { oci_fini; }
