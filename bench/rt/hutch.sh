# hutch: the static binary. Each container's root is an ext4 image on a loop device (busybox: a
# copy of build/ARCH/busybox.ext4; bench: the same tree plus the benchmark tools), or with
# HUTCH_ROOT=directory (rt/hutchdir.sh) the same trees as directories, bind-mounted.
if [ "${HUTCH_ROOT:-image}" = image ]; then
    root_suffix=.ext4 net_n=3 veth=hb-hutch0 prefix=hb
else
    root_suffix="" net_n=7 veth=hb-hutch1 prefix=hbd
fi
RT_DESC="$("$HUTCH" --version 2>/dev/null | head -n1)"
# hutch always has its veth (--host-ip): a network workload that cannot run is a failure, not a skip
RT_NET=yes
NET_HIP=10.200.$net_n.1
hutch_net() { [ "$1" = veth ] && echo "--net veth --ip 10.200.$net_n.2/24 --host-ip $NET_HIP/24 --veth $veth"; }

rt_init() { return 0; }
rt_fini() { return 0; }
# shellcheck disable=SC2046
rt_run() { local img=$1 net=$2; shift 2; "$HUTCH" run --name "$prefix-$img" $(hutch_net "$net") "$WORK/img/$img$root_suffix" "$@"; }
rt_true() { echo "$HUTCH run $WORK/img/busybox$root_suffix /bin/true"; }
rt_idle_start() { "$HUTCH" run --name "$prefix-idle" "$WORK/img/busybox$root_suffix" /bin/sleep 3600 </dev/null & IDLE=$!; }
rt_idle_stop() { kill -TERM "$IDLE" 2>/dev/null; wait "$IDLE" 2>/dev/null; return 0; }
if [ "${HUTCH_ROOT:-image}" = image ]; then
    # The image formats workload (bench/phase's w_formats): KEY|IMAGE|HUTCH OPTIONS|ENVIRONMENT,
    # the same BusyBox tree each time (bench/run made the images); direct I/O unless the
    # environment says HUTCH_LOOP_DIO=0.
    rt_formats() {
        local f=$WORK/img/fmt
        printf '%s\n' "directory|$WORK/img/busybox||" "erofs|$f/busybox.erofs||" \
            "erofs-lz4|$f/busybox-lz4.erofs||" "erofs-lz4hc|$f/busybox-lz4hc.erofs||" \
            "squashfs|$f/busybox.sqfs||" "ext4-ro|$f/busybox.ext4|--ro|" "ext4|$f/busybox.ext4||" \
            "erofs-buffered|$f/busybox.erofs||HUTCH_LOOP_DIO=0" \
            "squashfs-buffered|$f/busybox.sqfs||HUTCH_LOOP_DIO=0" \
            "ext4-ro-buffered|$f/busybox.ext4|--ro|HUTCH_LOOP_DIO=0"
    }
    # The direct I/O workload (w_dio): the file workload and the page cache, both loop modes.
    RT_DIO=yes
fi
# The network start workload (bench/phase's w_netstart): KEY|COMMAND, /bin/true from this
# runtime's root with no network and with a veth of the same name and addresses every run, as a
# supervisor restarting a container has it.
rt_netstart() {
    local cmd="$HUTCH run --name $prefix-netstart"
    printf '%s\n' "none|$cmd --net none $WORK/img/busybox$root_suffix /bin/true" \
        "veth|$cmd $(hutch_net veth) $WORK/img/busybox$root_suffix /bin/true"
}
# The relay workload (w_relay): an iperf3 server in a container of the bench image with the veth
# and `-p PORT:5201`, in the background; hutch's relay (in this hutch process) listens on PORT
# of every address of the phase. RT_CT_IP: the container's address (the direct path).
RT_CT_IP=10.200.$net_n.2
# shellcheck disable=SC2046
rt_relay_start() {
    "$HUTCH" run --name "$prefix-relay" $(hutch_net veth) -p "$1:5201" "$WORK/img/bench$root_suffix" \
        /opt/bench/bin/iperf3 -s -p 5201 </dev/null & RELAY=$!
}
rt_relay_pid() { "$HUTCH" inspect "$prefix-relay" 2>/dev/null | jq -r '.pid // empty'; }
rt_relay_stop() { kill -TERM "$RELAY" 2>/dev/null; wait "$RELAY" 2>/dev/null; return 0; }
# The files-written workload (bench/phase's w_writes): KEY|DESCRIPTION, and rt_writes_run KEY
# PREFIX... running that start with PREFIX (strace) before each hutch command: in the
# foreground without and with --name, and detached (-d) then `hutch stop` (both traced; the
# first strace follows the monitor that -d leaves until the container has ended).
rt_writes() {
    printf '%s\n' "fg|\`hutch run ROOT /bin/true\` (no --name)" \
        "name|\`hutch run --name NAME ROOT /bin/true\`" \
        "detach|\`hutch run -d --name NAME ROOT /bin/sleep 60\`, then \`hutch stop NAME\`"
}
rt_writes_run() {
    local key=$1 root=$WORK/img/busybox$root_suffix bg rc=0; shift
    case $key in
        fg) "$@" "$HUTCH" run "$root" /bin/true ;;
        name) "$@" "$HUTCH" run --name "$prefix-writes" "$root" /bin/true ;;
        detach)
            "$@" "$HUTCH" run -d --name "$prefix-writes" "$root" /bin/sleep 60 </dev/null & bg=$!
            for _ in $(seq 100); do
                [ "$("$HUTCH" inspect "$prefix-writes" 2>/dev/null | jq -r '.status // empty')" = running ] && break
                sleep 0.1
            done
            "$@" "$HUTCH" stop -t 5 "$prefix-writes" || rc=1
            wait "$bg" || rc=1
            return $rc ;;
    esac
}
if [ "${HUTCH_ROOT:-image}" = directory ]; then
    # A board's boot (w_boot): detached containers of the BusyBox directory (20 containers cannot
    # share one writable image: each locks it), stopped with `hutch stop`.
    rt_boot_start() { "$HUTCH" run -d --name "boot$1" "$WORK/img/busybox" /bin/sleep 60 >/dev/null; }
    rt_boot_stop() { "$HUTCH" stop -t 5 "boot$1"; }
else
    # hutch's phases (w_trace): the BusyBox tree as a directory, as erofs and as ext4 (the
    # images of the formats workload; the ext4 one is a copy of busybox.ext4).
    rt_trace() {
        printf '%s\n' "directory|$WORK/img/busybox" "erofs|$WORK/img/fmt/busybox.erofs" \
            "ext4|$WORK/img/fmt/busybox.ext4"
    }
fi
