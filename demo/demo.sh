#!/bin/sh
# demo.sh BUILD_DIR: the main job on the embedded default. A container from the BusyBox image
# prints its process list, its hostname and its network interfaces.
set -eu
build=$1
hutch=$build/hutch
image=$build/busybox.ext4

echo "\$ hutch run --hostname demo $image sh -c 'ps; hostname; ip addr'"
"$hutch" run --hostname demo "$image" sh -c '
    echo "== processes (ps)"; ps
    echo "== hostname"; hostname
    echo "== network interfaces (ip addr)"; ip addr'
