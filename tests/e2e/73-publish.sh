#!/bin/sh
# -p, --publish: the host's port relayed to the container's by the process that supervises it
# (no netfilter). Everything runs in a network namespace this test makes, clients on its lo and
# on the host end; no traffic leaves this machine.
. "$(dirname "$0")/lib.sh"
in_own_netns
wget() { busybox wget "$@"; }
nc() { busybox nc "$@"; }

# serve NAME PORTS...: BusyBox httpd on port 80 in a container at 10.33.N.2 with -p for each of
# PORTS; /msg says "hello-through-relay", /big is 16 MiB whose md5 the container prints.
serve() {
    local name=$1 n=$2
    shift 2
    local pubs="" p
    for p in "$@"; do pubs="$pubs -p $p"; done
    # shellcheck disable=SC2086
    bg "$name" --ip "10.33.$n.2/24" --host-ip "10.33.$n.1/24" $pubs --tmpfs /tmp "$SQFS" sh -c '
        mkdir -p /tmp/www && echo hello-through-relay >/tmp/www/msg &&
        head -c 16777216 /dev/urandom >/tmp/www/big && echo "MD5 $(md5sum </tmp/www/big)" &&
        echo SERVING && exec httpd -f -p 80 -h /tmp/www'
    server=$bg_pid
    wait_for "$T/$name.out" SERVING || { no "the server did not start: $(cat "$T/$name.out")"; return 1; }
}
stop_server() {
    kill "$server" 2>/dev/null
    wait "$server" 2>/dev/null
}
# fetch URL [FILE]: wget with a few tries (the relay is up before httpd listens).
fetch() {
    local tries=0
    until wget -q -O "${2:--}" "$1" 2>/dev/null; do
        [ $tries -ge 40 ] && return 1
        sleep 0.05
        tries=$((tries + 1))
    done
}

http_through_relay() {
    serve web 1 8080:80 || return 1
    fetch http://127.0.0.1:8080/msg >"$T/msg"
    # also on the host end's address: the default host address is every IPv4 one
    wget -q -O - http://10.33.1.1:8080/msg >"$T/msg2" 2>/dev/null
    stop_server
    eq "$(cat "$T/msg")" hello-through-relay "through 127.0.0.1:8080" &&
        eq "$(cat "$T/msg2")" hello-through-relay "through 10.33.1.1:8080"
}
hundred_in_a_row() {
    serve seq 2 8082:80 || return 1
    fetch http://127.0.0.1:8082/msg >/dev/null || { stop_server; no "no first answer"; return 1; }
    local i=0 ok=0
    while [ $i -lt 100 ]; do
        [ "$(wget -q -O - http://127.0.0.1:8082/msg 2>/dev/null)" = hello-through-relay ] && ok=$((ok + 1))
        i=$((i + 1))
    done
    stop_server
    eq "$ok" 100 "answers of 100 in a row"
}
twenty_at_once() {
    serve par 3 8083:80 || return 1
    fetch http://127.0.0.1:8083/msg >/dev/null || { stop_server; no "no first answer"; return 1; }
    local i=0 pids="" ok=0
    while [ $i -lt 20 ]; do
        wget -q -O "$T/par.$i" http://127.0.0.1:8083/big 2>/dev/null &
        pids="$pids $!"
        i=$((i + 1))
    done
    for p in $pids; do wait "$p"; done
    local want
    want=$(sed -n 's/^MD5 \([0-9a-f]*\).*/\1/p' "$T/par.out")
    i=0
    while [ $i -lt 20 ]; do
        [ "$(md5sum <"$T/par.$i" | cut -d' ' -f1)" = "$want" ] && ok=$((ok + 1))
        i=$((i + 1))
    done
    rm -f "$T"/par.[0-9]*
    stop_server
    eq "$ok" 20 "whole 16 MiB answers of 20 at once"
}
large_both_ways() {
    serve big 4 8084:80 || return 1
    fetch http://127.0.0.1:8084/big "$T/big" || { stop_server; no "no answer"; return 1; }
    stop_server
    local want got
    want=$(sed -n 's/^MD5 \([0-9a-f]*\).*/\1/p' "$T/big.out")
    got=$(md5sum <"$T/big" | cut -d' ' -f1)
    eq "$got" "$want" "md5 of 16 MiB from the container" || return 1
    # and to it: the client's end of input is passed on (a half close), then the answer comes
    head -c 10485760 /dev/urandom >"$T/payload"
    want=$(md5sum <"$T/payload" | cut -d' ' -f1)
    bg sink --ip 10.33.5.2/24 --host-ip 10.33.5.1/24 -p 5001:5001 --tmpfs /tmp "$SQFS" \
        sh -c 'echo LISTENING; nc -l -p 5001 -e sh -c "cat >/tmp/recv"; md5sum </tmp/recv'
    local sink=$bg_pid tries=0
    wait_for "$T/sink.out" LISTENING || { no "the sink did not start"; return 1; }
    until nc 127.0.0.1 5001 <"$T/payload" 2>/dev/null; do
        [ $tries -ge 100 ] && { no "could not connect"; break; }
        sleep 0.05; tries=$((tries + 1))
    done
    wait "$sink"
    rc=$?
    cp "$T/sink.out" "$T/out"
    rc_is 0 && out_has "^$want"
}
udp_echo() {
    bg echo --ip 10.33.6.2/24 --host-ip 10.33.6.1/24 -p 5353:5353/udp --bind "$PROBE:/probe:ro" \
        "$EXT4" /probe udp-echo 5353
    local echo_pid=$bg_pid
    wait_for "$T/echo.out" "udp-echo: ready" || { no "the echo did not start"; return 1; }
    "$PROBE" udp-ask 127.0.0.1 5353 hello-udp >"$T/a1" 2>&1
    "$PROBE" udp-ask 10.33.6.1 5353 second-client >"$T/a2" 2>&1
    kill "$echo_pid"
    wait "$echo_pid"
    eq "$(cat "$T/a1")" hello-udp "the first client's answer" &&
        eq "$(cat "$T/a2")" second-client "the second client's answer"
}
# The relay ends with the container: the port is free again, and nothing answers on it.
relay_ends() {
    serve end 7 8087:80 || return 1
    fetch http://127.0.0.1:8087/msg >/dev/null || { stop_server; no "no answer"; return 1; }
    stop_server
    wget -q -O - http://127.0.0.1:8087/msg >/dev/null 2>&1 && { no "port 8087 still answers"; return 1; }
    serve end2 7 8087:80 || return 1
    fetch http://127.0.0.1:8087/msg >"$T/msg"
    stop_server
    eq "$(cat "$T/msg")" hello-through-relay "the second container's answer"
}
detached() {
    h run -d --name pub-d --ip 10.33.8.2/24 --host-ip 10.33.8.1/24 -p 8088:80 --tmpfs /tmp "$SQFS" \
        sh -c 'mkdir -p /tmp/www && echo hello-detached >/tmp/www/msg && exec httpd -f -p 80 -h /tmp/www'
    rc_is 0 || return 1
    fetch http://127.0.0.1:8088/msg >"$T/msg"
    "$HUTCH" stop pub-d >/dev/null 2>&1
    eq "$(cat "$T/msg")" hello-detached "through the monitor's relay" || return 1
    wget -q -O - http://127.0.0.1:8088/msg >/dev/null 2>&1 && no "port 8088 answers after stop"
    no_leaks
}
port_in_use() {
    # busybox itself, not the nc function: $! must be the listener's own pid
    busybox nc -l -p 8089 </dev/null >/dev/null 2>&1 &
    local holder=$!
    sleep 0.2
    h run --ip 10.33.9.2/24 --host-ip 10.33.9.1/24 -p 8089:80 "$SQFS" true
    kill "$holder"
    wait "$holder" 2>/dev/null
    rc_is 125 && one_line_error "port 8089 is in use" && no_leaks
}
# The relay's sockets (bound before the container is made) are the supervisor's alone: nothing
# of them reaches the container's processes.
no_relay_fds_inside() {
    h run --ip 10.33.11.2/24 --host-ip 10.33.11.1/24 -p 8091:80 -p 8092:80/udp \
        --bind "$PROBE:/probe:ro" "$EXT4" /probe fds
    rc_is 0 || return 1
    ! grep -q 'socket:\|anon_inode' "$T/out" || no "descriptors inside: $(tr '\n' ' ' <"$T/out")"
}
bad() {
    local needle=$1
    shift
    h run "$@" "$SQFS" true
    rc_is 125 && one_line_error "$needle" && no_leaks
}
needs_veth() { bad "--publish needs --net veth" -p 8090:80; }
needs_ip() { bad "no --ip of IPv4" --net veth -p 8090:80; }
bad_port() { bad "ports from 1 to 65535" --ip 10.33.10.2/24 -p 0:80; }
bad_proto() { bad "tcp or udp" --ip 10.33.10.2/24 -p 8090:80/sctp; }

t "httpd in the container through the host's port, on lo and on the host end" http_through_relay
t "100 connections in a row" hundred_in_a_row
t "20 connections at once, 16 MiB each, whole" twenty_at_once
t "16 MiB from the container and 10 MiB to it, checksums equal (half close)" large_both_ways
t "UDP echo for two clients" udp_echo
t "the relay ends with the container; the port is free again" relay_ends
t "with -d the monitor relays; hutch stop ends it" detached
t "a host port in use: one line, 125, nothing made" port_in_use
t "no relay socket reaches the container" no_relay_fds_inside
t "--publish without --net veth" needs_veth
t "--publish without --ip" needs_ip
t "a port out of range" bad_port
t "an unknown protocol" bad_proto
finish
