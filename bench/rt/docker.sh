# Docker: dockerd from Debian's docker.io (with its own containerd and runc), started here with a
# data root, exec root and socket under WORK, storage overlay2, default bridge docker0 with
# 10.200.1.1/24, iptables on (its FORWARD policy DROP, its chains and ip_forward=1 all land in
# this phase's network namespace). Images come from `docker import` of the same trees; every run
# is `docker run --rm --pull never`. Containers get Docker's default seccomp profile.
RT_DESC="Docker $(dockerd --version | sed 's/^Docker version //'), $(containerd --version | awk '{print "containerd " $3}'), $(runc --version | head -n1)"
RT_NET=yes
NET_HIP=10.200.1.1
DK=$WORK/docker
export DOCKER_HOST=unix://$DK/run/docker.sock DOCKER_CONFIG=$DK/cli
DOCKER=/usr/bin/docker     # Debian's client, not another one earlier in PATH

rt_init() {
    mkdir -p "$DK/run" "$DK/cli" || return 1
    # dockerd writes a trust key to /etc/docker/key.json unless told otherwise
    printf '{ "deprecated-key-path": "%s" }\n' "$DK/key.json" >"$DK/daemon.json"
    dockerd --config-file "$DK/daemon.json" --data-root "$DK/data" --exec-root "$DK/run" \
        --pidfile "$DK/run/dockerd.pid" -H "$DOCKER_HOST" --storage-driver overlay2 \
        --bip 10.200.1.1/24 --log-level warn >"$OUT/dockerd.log" 2>&1 &
    DOCKERD=$!
    local t
    for t in $(seq 300); do
        $DOCKER version >/dev/null 2>&1 && break
        kill -0 "$DOCKERD" 2>/dev/null || return 1
        sleep 0.1
    done
    $DOCKER version >"$OUT/docker-version.txt" || return 1
    tar -C "$WORK/img/busybox" -c . | $DOCKER import - hb-busybox >/dev/null &&
    tar -C "$WORK/img/bench" -c . | $DOCKER import - hb-bench >/dev/null
}
rt_fini() {
    [ -n "${DOCKERD:-}" ] || return 0
    # what dockerd did to its (the phase's) network namespace, for the report
    {
        echo "ip_forward $(cat /proc/sys/net/ipv4/ip_forward)"
        echo "bridge-nf-call-iptables $(cat /proc/sys/net/bridge/bridge-nf-call-iptables 2>/dev/null)"
        iptables-save | grep -v '^#' | sed 's/ \[[0-9]*:[0-9]*\]$//'
    } >"$OUT/docker-netns.txt" 2>&1
    $DOCKER ps -aq | xargs -r $DOCKER rm -f >/dev/null
    kill -TERM "$DOCKERD"
    local t
    for t in $(seq 200); do kill -0 "$DOCKERD" 2>/dev/null || break; sleep 0.1; done
    wait "$DOCKERD" 2>/dev/null
    return 0
}
rt_run() {
    local img=$1 net=$2; shift 2
    $DOCKER run --rm -i --pull never --network "$([ "$net" = veth ] && echo bridge || echo none)" \
        --hostname hb "hb-$img" "$@"
}
rt_true() { echo "$DOCKER run --rm --pull never --network none hb-busybox /bin/true"; }
rt_idle_start() { $DOCKER run -d --name hb-idle --network none hb-busybox /bin/sleep 3600 >/dev/null; }
rt_idle_stop() { $DOCKER rm -f hb-idle >/dev/null 2>&1; return 0; }
