#!/bin/sh
# demo.sh BUILD_DIR: the main job on the embedded default. A container from the BusyBox image
# prints its process list, its hostname and its network interfaces, pings the host end of its
# veth, and is pinged from the host side. The host side is a network namespace this script makes,
# so nothing touches the machine's own network.
set -eu
build=$(cd "$1" && pwd)
if [ -z "${HUTCH_DEMO_NETNS:-}" ]; then
    HUTCH_DEMO_NETNS=1 exec unshare -n sh "$0" "$@"
fi
hutch=$build/hutch
image=$build/busybox.ext4
talk=$(mktemp -d "${TMPDIR:-/tmp}/hutch-demo.XXXXXX")
trap 'rm -rf "$talk"' EXIT
ip link set lo up

echo "\$ hutch run --hostname demo --ip 10.200.0.2/24 --host-ip 10.200.0.1/24 busybox.ext4 sh -c '...'"
"$hutch" run --hostname demo --ip 10.200.0.2/24 --host-ip 10.200.0.1/24 \
    --bind "$talk:/talk" "$image" sh -c '
    echo "== processes (ps)"; ps
    echo "== hostname"; hostname
    echo "== network interfaces (ip addr)"; ip addr
    echo "== routes (ip route)"; ip route
    echo "== the container pings the host end"; ping -c 3 10.200.0.1
    touch /talk/pinged
    while [ ! -e /talk/done ]; do sleep 0.1; done' &
container=$!
while [ ! -e "$talk/pinged" ] && kill -0 "$container" 2>/dev/null; do sleep 0.1; done
echo "== the host pings the container"
busybox ping -c 3 10.200.0.2 || true
touch "$talk/done"
wait "$container"
