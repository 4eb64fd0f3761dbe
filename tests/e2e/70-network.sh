#!/bin/sh
# --net veth: a veth pair between the namespace hutch runs in and the container. Everything here
# runs in a network namespace this test makes (the host ends live there), and no traffic leaves
# this machine. CONTAINERS_SEQ and CONTAINERS_PAR set the counts (the QEMU guest may lower them).
. "$(dirname "$0")/lib.sh"
in_own_netns
CONTAINERS_SEQ=${CONTAINERS_SEQ:-100}
CONTAINERS_PAR=${CONTAINERS_PAR:-10}

# The host side's tools are BusyBox's, as on a board (and in the QEMU guest).
ping() { busybox ping "$@"; }
nc() { busybox nc "$@"; }

ping_both_ways() {
    bg pinger --ip 10.1.0.2/24 --host-ip 10.1.0.1/24 "$EXT4" \
        sh -c 'ip addr show eth0; ip route; ping -c 2 -W 2 10.1.0.1 && echo PING-HOST-OK; sleep 3'
    wait_for "$T/pinger.out" PING-HOST-OK || { no "container could not ping the host end"; wait $bg_pid; return 1; }
    ping -c 2 -W 2 10.1.0.2 >"$T/ping" 2>&1
    host_ping=$?
    wait $bg_pid
    rc=$?
    cp "$T/pinger.out" "$T/out"
    eq "$host_ping" 0 "host -> container ping status" && rc_is 0 &&
        out_has 'inet 10.1.0.2/24' && out_has 'default via 10.1.0.1 dev eth0' &&
        out_has '^10.1.0.0/24 dev eth0'
}
ipv6() {
    h run --ip 10.1.1.2/24 --host-ip 10.1.1.1/24 --ip fd00:1::2/64 --host-ip fd00:1::1/64 "$EXT4" \
        sh -c 'ip -6 route | grep default; ping6 -c 1 -W 2 fd00:1::1 >/dev/null && echo V6-OK'
    rc_is 0 && out_has 'default via fd00:1::1' && out_has V6-OK
}
host_end_named() {
    h run --veth tv-named --ip 10.1.2.2/24 --host-ip 10.1.2.1/24 --mtu 1280 "$EXT4" \
        cat /sys/class/net/eth0/mtu
    rc_is 0 && out_is 1280 || return 1
    # the host end is named so, and has the MTU too
    bg named --veth tv-named2 --ip 10.1.2.2/24 --host-ip 10.1.2.1/24 --mtu 1400 "$EXT4" sleep 2
    local tries=0 mtu=""
    while ! ip -o link | grep -q 'tv-named2@'; do
        [ $tries -ge 100 ] && { no "no host end tv-named2"; break; }
        sleep 0.05; tries=$((tries + 1))
    done
    [ $tries -lt 100 ] && mtu=$(ip -o link show tv-named2 | sed -n 's/.* mtu \([0-9]*\) .*/\1/p')
    wait $bg_pid
    [ $tries -lt 100 ] && eq "$mtu" 1400 "the host end's MTU"
}
tcp_10mib() {
    head -c 10485760 /dev/urandom >"$T/payload"
    want=$(md5sum <"$T/payload" | cut -d' ' -f1)
    bg receiver --ip 10.1.3.2/24 --host-ip 10.1.3.1/24 "$EXT4" \
        sh -c 'echo LISTENING; nc -l -p 5001 -e sh -c "cat >/tmp/recv"; md5sum </tmp/recv'
    wait_for "$T/receiver.out" LISTENING || return 1
    local tries=0
    until nc 10.1.3.2 5001 <"$T/payload" 2>/dev/null; do
        [ $tries -ge 100 ] && { no "could not connect"; break; }
        sleep 0.05; tries=$((tries + 1))
    done
    wait $bg_pid
    rc=$?
    cp "$T/receiver.out" "$T/out"
    rc_is 0 && out_has "^$want"
}
bridge_two_containers() {
    ip link add br-t type bridge && ip addr add 10.1.4.1/24 dev br-t && ip link set br-t up || return 1
    bg server --bridge br-t --ip 10.1.4.2/24 --gateway 10.1.4.1 "$EXT4" \
        sh -c 'mkdir -p /tmp/www && echo hello-from-a >/tmp/www/msg && httpd -p 8080 -h /tmp/www &&
               echo SERVING && sleep 5'
    server=$bg_pid
    wait_for "$T/server.out" SERVING || return 1
    h run --name client --bridge br-t --ip 10.1.4.3/24 "$SQFS" \
        sh -c 'ping -c 1 -W 2 10.1.4.2 >/dev/null && echo PING-OK; wget -q -O - http://10.1.4.2:8080/msg'
    kill $server
    wait $server
    ip link del br-t
    rc_is 0 && out_has PING-OK && out_has hello-from-a
}
net_none_isolated() {
    ip link add br-n type bridge && ip addr add 10.1.5.1/24 dev br-n && ip link set br-n up || return 1
    h run --net none "$EXT4" ping -c 1 -W 1 10.1.5.1
    local none_rc=$rc
    cp "$T/err" "$T/none.err"
    # The same ping with a veth on that bridge does get through: the test can fail.
    h run --bridge br-n --ip 10.1.5.2/24 "$EXT4" ping -c 1 -W 2 10.1.5.1
    ip link del br-n
    cp "$T/none.err" "$T/err"
    [ "$none_rc" != 0 ] && err_has "unreachable" && rc_is 0
}

# Bad input: one line, 125, no veth left.
bad() {
    local needle=$1
    shift
    h run "$@" "$EXT4" true
    rc_is 125 && one_line_error "$needle" && no_leaks
}
bad_address() { bad "not an IPv4 or IPv6 address" --ip 10.1.300.2/24; }
bad_prefix() { bad "prefix length must be 1 to 32" --ip 10.1.6.2/33; }
missing_prefix() { bad "prefix length is missing" --ip 10.1.6.2; }
name_too_long() { bad "1 to 15 bytes" --veth a-name-that-is-too-long --ip 10.1.6.2/24; }
name_taken() {
    ip link add tv-taken type bridge || return 1
    bad "veth tv-taken: name already in use" --veth tv-taken --ip 10.1.6.2/24
    local r=$?
    ip link del tv-taken
    return $r
}
missing_bridge() { bad "bridge br-none: no such device" --bridge br-none --ip 10.1.6.2/24; }
address_in_use() {
    ip link add br-u type bridge && ip addr add 10.1.7.1/24 dev br-u || return 1
    bad "address 10.1.7.1 already in use on br-u" --ip 10.1.7.2/24 --host-ip 10.1.7.1/24
    local r=$?
    [ $r = 0 ] && { bad "address 10.1.7.1 already in use on br-u" --ip 10.1.7.1/24; r=$?; }
    ip link del br-u
    return $r
}
other_network() { bad "outside the container's network" --ip 10.1.8.2/24 --host-ip 10.2.8.1/24; }
veth_options_need_veth() { bad "need --net veth" --net none --ip 10.1.8.2/24; }

many_one_after_another() {
    local i=0
    while [ $i -lt "$CONTAINERS_SEQ" ]; do
        "$HUTCH" run --ip 10.1.9.2/24 --host-ip 10.1.9.1/24 "$EXT4" true </dev/null ||
            { no "container $i failed"; return 1; }
        i=$((i + 1))
    done
    no_leaks
}
many_at_once() {
    local i=0 pids="" failures=0
    while [ $i -lt "$CONTAINERS_PAR" ]; do
        "$HUTCH" run --ro --name "par$i" --ip "10.2.$i.2/24" --host-ip "10.2.$i.1/24" "$EXT4" \
            ping -c 1 -W 2 "10.2.$i.1" </dev/null >/dev/null 2>&1 &
        pids="$pids $!"
        i=$((i + 1))
    done
    for p in $pids; do wait "$p" || failures=$((failures + 1)); done
    eq "$failures" 0 "failed containers" && no_leaks
}
killed_after_pair_made() {
    bg victim --veth tv-victim --ip 10.1.10.2/24 --host-ip 10.1.10.1/24 "$EXT4" \
        sh -c 'echo UP; sleep 30'
    wait_for "$T/victim.out" UP || return 1
    ip -o link | grep -q 'tv-victim@' || { no "no host end while running"; return 1; }
    kill -KILL $bg_pid
    wait $bg_pid 2>/dev/null
    no_leaks
}

t "the container pings the host end and the host end pings it; ip addr and route inside" ping_both_ways
t "IPv6 addresses and default route" ipv6
t "--veth names the host end; --mtu sets the MTU of both ends" host_end_named
t "10 MiB over TCP with nc arrive with the same checksum" tcp_10mib
t "two containers on one bridge reach each other" bridge_two_containers
t "with --net none the container reaches nothing" net_none_isolated
t "a malformed address" bad_address
t "a prefix out of range" bad_prefix
t "an address without its prefix" missing_prefix
t "an interface name too long" name_too_long
t "an interface name already taken" name_taken
t "a missing bridge" missing_bridge
t "an address already used" address_in_use
t "a host end outside the container's network" other_network
t "veth options without --net veth" veth_options_need_veth
t "$CONTAINERS_SEQ containers with veth one after another leave no veth" many_one_after_another
t "$CONTAINERS_PAR containers with veth at once leave no veth" many_at_once
t "hutch killed with SIGKILL after the pair was made leaves no host end" killed_after_pair_made
finish
