#!/bin/sh
# --net macvlan, ipvlan and dev: eth0 on the board's own network, and the veth's end that goes
# with the container's namespace. The "LAN" is the host end of a veth held by a hutch container
# (the peer, standing in for another machine on the board's network). Everything runs in a
# network namespace this test makes; no traffic leaves this machine.
. "$(dirname "$0")/lib.sh"
in_own_netns

# peer_up VETH ADDR: a peer container on the host end VETH, eth0 at ADDR/24, idling until
# peer_down; its hutch's pid in $peer. The host end is the LAN that others join.
peer_up() {
    bg "peer-$1" --veth "$1" --ip "$2/24" "$SQFS" sh -c 'echo UP; exec sleep 60'
    peer=$bg_pid
    wait_for "$T/peer-$1.out" UP || { no "the peer on $1 did not start: $(cat "$T/peer-$1.out")"; return 1; }
}
peer_down() {
    kill "$peer" 2>/dev/null
    wait "$peer" 2>/dev/null
}
# What this namespace's links are (ip, not /sys/class/net: that sysfs shows the first namespace).
link_state() { ip -o link show "$1" 2>/dev/null | grep -q '[<,]UP[,>]' && echo up || echo down; }
link_index() { ip -o link show "$1" 2>/dev/null | sed -n 's/^\([0-9]*\): .*/\1/p'; }
link_here() { ip link show "$1" >/dev/null 2>&1 && echo yes || echo no; }

macvlan_lan() {
    peer_up lan-a 10.30.0.1 || return 1
    bg mv-server --net macvlan:lan-a --ip 10.30.0.2/24 "$EXT4" \
        sh -c 'echo UP; mkdir -p /tmp/w && echo from-b >/tmp/w/x && httpd -f -p 8080 -h /tmp/w'
    local server=$bg_pid
    wait_for "$T/mv-server.out" UP || { no "the macvlan server did not start: $(cat "$T/mv-server.out")"; peer_down; return 1; }
    h run --net macvlan:lan-a --ip 10.30.0.3/24 --gateway 10.30.0.1 "$SQFS" sh -c '
        cat /sys/class/net/eth0/address; ip route
        ping -c 1 -W 2 10.30.0.1 >/dev/null && echo PEER-OK
        wget -q -O - http://10.30.0.2:8080/x'
    kill "$server"
    wait "$server"
    peer_down
    rc_is 0 && out_has PEER-OK && out_has from-b && out_has 'default via 10.30.0.1 dev eth0'
}
# In private mode two containers on one parent do not reach each other, but do reach the LAN.
macvlan_private() {
    peer_up lan-p 10.30.1.1 || return 1
    bg mv-priv --net macvlan:lan-p:private --ip 10.30.1.2/24 "$SQFS" sh -c 'echo UP; exec sleep 30'
    local first=$bg_pid
    wait_for "$T/mv-priv.out" UP || { no "the first private container did not start"; peer_down; return 1; }
    h run --net macvlan:lan-p:private --ip 10.30.1.3/24 "$EXT4" sh -c '
        ping -c 1 -W 2 10.30.1.1 >/dev/null && echo PEER-OK
        ping -c 1 -W 1 10.30.1.2 >/dev/null && echo NEIGHBOUR-REACHED; exit 0'
    kill "$first"
    wait "$first"
    peer_down
    rc_is 0 && out_has PEER-OK || return 1
    ! grep -q NEIGHBOUR-REACHED "$T/out" || no "private mode: the neighbour was reached"
}
macvlan_mtu() {
    peer_up lan-m 10.30.2.1 || return 1
    h run --net macvlan:lan-m --mtu 1280 "$EXT4" cat /sys/class/net/eth0/mtu
    peer_down
    rc_is 0 && out_is 1280
}
# ipvlan where the kernel has it; else one line that names CONFIG_IPVLAN.
ipvlan_lan() {
    peer_up lan-i 10.30.3.1 || return 1
    h run --net ipvlan:lan-i --ip 10.30.3.2/24 "$EXT4" sh -c 'ping -c 1 -W 2 10.30.3.1 >/dev/null && echo PEER-OK'
    peer_down
    if grep -q CONFIG_IPVLAN "$T/err"; then
        rc_is 125 && one_line_error "the kernel lacks ipvlan (CONFIG_IPVLAN)" && no_leaks
    else
        rc_is 0 && out_has PEER-OK
    fi
}
# The interface comes in as eth0 and goes back with its name and state, even when root inside
# renamed it and took it down.
dev_moved_and_back() {
    peer_up dev-a 10.31.0.1 || return 1
    local index
    index=$(link_index dev-a)
    eq "$(link_state dev-a)" up "dev-a before" || { peer_down; return 1; }
    h run --net dev:dev-a --ip 10.31.0.2/24 --cap-add NET_ADMIN "$EXT4" sh -c '
        ls /sys/class/net | tr "\n" " "; echo
        ping -c 1 -W 2 10.31.0.1 >/dev/null && echo PEER-OK
        ip link set eth0 down && ip link set eth0 name wlan9 && echo RENAMED'
    local back state
    back=$(link_index dev-a)
    state=$(link_state dev-a)
    peer_down
    rc_is 0 && out_has 'eth0 lo' && out_has PEER-OK && out_has RENAMED &&
        eq "$back" "$index" "dev-a's index after" && eq "$state" up "dev-a's state after"
}
dev_down_stays_down() {
    peer_up dev-d 10.31.1.1 || return 1
    ip link set dev-d down
    h run --net dev:dev-d "$EXT4" cat /sys/class/net/eth0/operstate
    local state present
    present=$(link_here dev-d)
    state=$(link_state dev-d)
    peer_down
    rc_is 0 && eq "$present" yes "dev-d back" && eq "$state" down "dev-d's state after"
}
# While one container has it, the interface is not here for another.
dev_in_use() {
    peer_up dev-u 10.31.2.1 || return 1
    bg dev-holder --net dev:dev-u "$SQFS" sh -c 'echo UP; exec sleep 30'
    local holder=$bg_pid
    wait_for "$T/dev-holder.out" UP || { no "the holder did not start"; peer_down; return 1; }
    h run --net dev:dev-u "$EXT4" true
    kill "$holder"
    wait "$holder"
    local present
    present=$(link_here dev-u)
    peer_down
    rc_is 125 && one_line_error "no interface dev-u here" && eq "$present" yes "dev-u back"
}
# hutch killed with SIGKILL: the container's namespace dies, and the kernel takes the interface
# (a veth here; a real device goes to the first namespace). Nothing of ours stays.
dev_hutch_killed() {
    peer_up dev-k 10.31.3.1 || return 1
    bg dev-victim --net dev:dev-k "$SQFS" sh -c 'echo UP; exec sleep 30'
    local victim=$bg_pid
    wait_for "$T/dev-victim.out" UP || { no "the victim did not start"; peer_down; return 1; }
    kill -KILL "$victim"
    wait "$victim" 2>/dev/null
    peer_down
    no_leaks
}

bad() {
    local needle=$1
    shift
    h run "$@" "$EXT4" true
    rc_is 125 && one_line_error "$needle" && no_leaks
}
missing_parent() { bad "--net macvlan:nosuch0: no interface nosuch0 here" --net macvlan:nosuch0; }
missing_dev() { bad "--net dev:nosuch1: no interface nosuch1 here" --net dev:nosuch1; }
loopback_parent() { bad "the loopback interface cannot be used" --net macvlan:lo; }
loopback_dev() { bad "the loopback interface cannot be used" --net dev:lo; }
bad_mode() { bad "bridge, private, vepa or passthru" --net macvlan:lo:fast; }
veth_only_options() { bad "are for --net veth" --net macvlan:lo --host-ip 10.0.0.1/24; }
lan_address_in_use() {
    peer_up lan-u 10.30.4.1 || return 1
    ip addr add 10.30.4.9/24 dev lan-u
    h run --net macvlan:lan-u --ip 10.30.4.9/24 "$SQFS" true
    peer_down
    rc_is 125 && one_line_error "address 10.30.4.9 already in use on lan-u" && no_leaks
}

# The veth's host end goes with the container's namespace, after hutch has returned; the next
# run of the same container (its name, its --veth, its addresses) waits for it or takes it.
veth_same_name_again() {
    local i=0
    while [ $i -lt 20 ]; do
        "$HUTCH" run --name again --veth tv-again --ip 10.32.0.2/24 --host-ip 10.32.0.1/24 "$EXT4" \
            true </dev/null 2>"$T/err" || { no "run $i: $(cat "$T/err")"; return 1; }
        i=$((i + 1))
    done
    no_leaks
}
veth_alias_names_owner() {
    bg owner --veth tv-owner --ip 10.32.1.2/24 --host-ip 10.32.1.1/24 "$EXT4" sh -c 'echo UP; exec sleep 30'
    local pid=$bg_pid alias
    wait_for "$T/owner.out" UP || { no "the container did not start"; return 1; }
    # iproute2 shows the alias; BusyBox's ip does not (then that part is skipped)
    alias=$(ip -o link show tv-owner 2>/dev/null | sed -n 's/.* alias \([^ ]*\).*/\1/p')
    # Another container may not take a name a running one has, however it is named.
    h run --name intruder --veth tv-owner --ip 10.32.1.3/24 "$EXT4" true
    kill "$pid"
    wait "$pid"
    rc_is 125 && one_line_error "veth tv-owner: name already in use" || return 1
    if ip -o link show lo | grep -q ' mode '; then
        eq "$alias" "hutch:owner" "the host end's alias"
    else
        skip_why="BusyBox's ip does not show aliases"
        return 2
    fi
}
veth_foreign_name() {
    ip link add tv-foreign type bridge || return 1
    h run --name foreign --veth tv-foreign --ip 10.32.2.2/24 "$EXT4" true
    local still
    still=$(link_here tv-foreign)
    ip link del tv-foreign
    rc_is 125 && one_line_error "veth tv-foreign: name already in use" && eq "$still" yes "the bridge"
}
veth_restarts() {
    h run --name restarter --restart on-failure:3 --veth tv-restart --ip 10.32.3.2/24 \
        --host-ip 10.32.3.1/24 "$EXT4" sh -c 'echo RUN; exit 3'
    rc_is 3 && eq "$(grep -c RUN "$T/out")" 4 "runs"
}

t "macvlan: containers on one parent reach each other and a peer on the LAN" macvlan_lan
t "macvlan private mode: the LAN yes, the neighbour no" macvlan_private
t "macvlan --mtu" macvlan_mtu
t "ipvlan where the kernel has it, else one line naming CONFIG_IPVLAN" ipvlan_lan
t "dev: moved in as eth0, back with its name, index and state" dev_moved_and_back
t "dev: an interface that was down comes back down" dev_down_stays_down
t "dev: an interface in a container is not there for another" dev_in_use
t "dev: hutch killed leaves nothing of ours" dev_hutch_killed
t "macvlan: a parent that does not exist" missing_parent
t "dev: an interface that does not exist" missing_dev
t "macvlan on lo" loopback_parent
t "dev: lo" loopback_dev
t "macvlan: an unknown mode" bad_mode
t "macvlan: --host-ip is refused" veth_only_options
t "macvlan: an address in use" lan_address_in_use
t "veth: 20 runs of one container with one --veth name and addresses in a row" veth_same_name_again
t "veth: the host end names its container; a running one's name is not taken" veth_alias_names_owner
t "veth: a name that a link not of hutch's has" veth_foreign_name
t "veth: restarts reuse the name" veth_restarts
finish
