# crun, runc and hutch-oci: an OCI bundle whose root is the image's directory, config.json as
# `runc spec` writes it (no seccomp profile; the default capability set, masked and read-only
# /proc paths), made non-interactive. With a veth, the container joins a network namespace
# prepared the way a CNI plugin would: a veth pair, the peer moved into a namespace held open by
# `sleep`. For the seccomp workload, the same bundle with podman's default profile as podman
# would put it in linux.seccomp (bench/oci-seccomp, for this machine and the bundle's bounding
# set). Expects OCI (the binary) and OCI_ROOT (its state directory).
RT_NET=yes
OCI_DIR=$WORK/oci-$RT
OCI_N=0

oci_netns() { # a namespace with eth0 = 10.200.$1.2/24, the host end $NET_HIP/24
    unshare --net sleep infinity &
    NETNS_PID=$!
    ip link add "hb-$RT-h" type veth peer name "hb-$RT-c" &&
    ip link set "hb-$RT-c" netns "$NETNS_PID" &&
    ip addr add "$NET_HIP/24" dev "hb-$RT-h" &&
    ip link set "hb-$RT-h" up &&
    nsenter --net=/proc/$NETNS_PID/ns/net sh -c "
        ip link set lo up && ip link set hb-$RT-c name eth0 &&
        ip addr add 10.200.$1.2/24 dev eth0 && ip link set eth0 up &&
        ip route add default via $NET_HIP"
}
oci_bundle() { # oci_bundle DIR IMAGE NET ARG...  write DIR/config.json from the spec
    # (with linux.seccomp from the file OCI_SECCOMP when it is set)
    local dir=$1 img=$2 net=$3 ns=""; shift 3
    mkdir -p "$dir"
    [ "$net" = veth ] && ns="/proc/$NETNS_PID/ns/net"
    python3 -c '
import json, sys
spec, root, ns, cg, sc, args = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6:]
c = json.load(open(spec))
if sc:
    c["linux"]["seccomp"] = json.load(open(sc))
c["process"]["terminal"] = False
c["process"]["args"] = args
c["root"] = {"path": root, "readonly": False}
c["hostname"] = "hb"
c["linux"]["cgroupsPath"] = cg
for n in c["linux"]["namespaces"]:
    if n["type"] == "network" and ns:
        n["path"] = ns
json.dump(c, sys.stdout, indent=1)
' "$OCI_DIR/spec.json" "$WORK/img/$img" "$ns" "/hutchbench/$RT-$(basename "$dir")" \
    "${OCI_SECCOMP:-}" "$@" >"$dir/config.json"
}
oci_init() {
    mkdir -p "$OCI_DIR" "$OCI_ROOT" || return 1
    (cd "$OCI_DIR" && rm -f config.json && runc spec && mv config.json spec.json) || return 1
    cp "$OCI_DIR/spec.json" "$OUT/spec.json"   # for the report
    "$BENCH/oci-seccomp" "$SECCOMP_PROFILE" "$OCI_DIR/spec.json" >"$OUT/seccomp-podman.json" ||
        return 1
    oci_netns "$1" || return 1
    oci_bundle "$OCI_DIR/true" busybox none /bin/true
}
oci_fini() {
    [ -n "${NETNS_PID:-}" ] && kill "$NETNS_PID"
    # every `run` deletes its container when it ends: state left under the root is a failure
    local left; left=$(ls -A "$OCI_ROOT" 2>/dev/null | paste -sd' ')
    [ -z "$left" ] || fail "state left under $OCI_ROOT: $left"
    return 0
}
rt_run() {
    local img=$1 net=$2 id; shift 2
    OCI_N=$((OCI_N + 1)); id=run$OCI_N
    # in a subshell (a background run, a coproc) the count does not reach the phase: the id must
    # still be its own
    [ "$BASHPID" = "$$" ] || id=$id-$BASHPID
    oci_bundle "$OCI_DIR/$id" "$img" "$net" "$@"
    $OCI --root "$OCI_ROOT" run --bundle "$OCI_DIR/$id" "hb-$id"
}
rt_run_seccomp() { # rt_run_seccomp unconfined|podman IMAGE CMD...
    local prof=$1; shift
    if [ "$prof" = podman ]; then OCI_SECCOMP=$OUT/seccomp-podman.json rt_run "$1" none "${@:2}"
    else rt_run "$1" none "${@:2}"; fi
}
rt_true() { echo "$OCI --root $OCI_ROOT run --bundle $OCI_DIR/true hb-true"; }
rt_idle_start() {
    oci_bundle "$OCI_DIR/idle" busybox none /bin/sleep 3600
    $OCI --root "$OCI_ROOT" run --bundle "$OCI_DIR/idle" hb-idle </dev/null & IDLE=$!
}
rt_idle_stop() { $OCI --root "$OCI_ROOT" kill hb-idle KILL; wait "$IDLE" 2>/dev/null; return 0; }
# The files-written workload (w_writes): `RUNTIME run` of the start workload's bundle.
rt_writes() { echo "run|\`$(basename "$OCI") --root ROOT run --bundle B ID\` of /bin/true"; }
rt_writes_run() { shift; "$@" $OCI --root "$OCI_ROOT" run --bundle "$OCI_DIR/true" hb-writes; }
# A board's boot (w_boot; where the adapter sets OCI_BOOT=yes): a bundle per container,
# `run --detach`, then `delete --force` (SIGKILL: the bundle's sleep is the container's PID 1,
# which ignores SIGTERM).
if [ "${OCI_BOOT:-}" = yes ]; then
    rt_boot_prepare() {
        local i
        for i in $(seq "$1"); do oci_bundle "$OCI_DIR/boot$i" busybox none /bin/sleep 60 || return 1; done
    }
    rt_boot_start() { $OCI --root "$OCI_ROOT" run --detach --bundle "$OCI_DIR/boot$1" "hb-boot$1" >/dev/null; }
    rt_boot_stop() { $OCI --root "$OCI_ROOT" delete --force "hb-boot$1"; }
fi
