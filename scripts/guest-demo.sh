#!/bin/bash
# Runs INSIDE a stock guest (scripts/demo): one XTCP connection between two
# network namespaces that each own one virtio NIC, shown like a textbook:
# the seven segments of setup and teardown from a capture, and the states
# each host passed through, read from /proc/net/xtcp.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
X=$root/tools/xtcp_xfer
ko=${XTCP_KO:-$root/build/stock61/module/xtcp.ko} # make stock61-modules
R=${XTCP_RESULTS:-/tmp}/demo
mkdir -p "$R"
PORT=7000


echo "== 1. insmod xtcp.ko"
insmod "$ko" || exit 1
dmesg | grep 'xtcp:' | tail -1

. "$here/lib-guest.sh"
two_hosts host1 host2
# 250 ms each way, so that every state lives long enough to be seen
ip netns exec host1 tc qdisc add dev "$IF1" root netem delay 250ms
ip netns exec host2 tc qdisc add dev "$IF2" root netem delay 250ms
sleep 1
echo "   host1 = 10.0.0.1 on $IF1, host2 = 10.0.0.2 on $IF2 (virtio-net, one QEMU hub)"
echo "   netem delay 250 ms on each NIC; net.xtcp.msl_ms = 1000 in both,"
echo "   so TIME-WAIT lasts 2*MSL = 2 s"

echo
echo "== 2. host2: socket(AF_XTCP, SOCK_STREAM, 0), bind 10.0.0.2:$PORT, listen"
ip netns exec host2 "$X" server -f xtcp -b 10.0.0.2 -p $PORT -n 1 \
	--hold 300 -t 30 -q >"$R/server.out" 2>&1 &
sleep 0.5
echo "   host2 /proc/net/xtcp:"
ip netns exec host2 cat /proc/net/xtcp | sed 's/^/     /'

# every state change, from the xtcp:xtcp_state tracepoint
T=/sys/kernel/tracing
mountpoint -q $T || mount -t tracefs nodev $T
echo > $T/trace
echo 1 > $T/events/xtcp/xtcp_state/enable
ip netns exec host1 tcpdump -i "$IF1" -n -U -w "$R/demo.pcap" \
	"tcp port $PORT" 2>/dev/null &
td=$!
sleep 1

echo
echo "== 3. host1: connect to 10.0.0.2:$PORT, send 1000 bytes, close"
ip netns exec host1 "$X" client -f xtcp -a 10.0.0.2 -p $PORT -s 1000 \
	--hold 500 -t 30 | sed 's/^/   client: /'
echo "   host1 /proc/net/xtcp right after close:"
ip netns exec host1 cat /proc/net/xtcp | sed 's/^/     /'
wait %1 2>/dev/null
sed 's/^/   server: /' "$R/server.out"
sleep 2.5
echo "   host1 /proc/net/xtcp 2.5 s later (after 2*MSL):"
ip netns exec host1 cat /proc/net/xtcp | sed 's/^/     /'
kill $td 2>/dev/null
wait $td 2>/dev/null
echo 0 > $T/events/xtcp/xtcp_state/enable
cp $T/trace "$R/trace"

echo
echo "== 4. the segments on the wire (tshark, captured in host1)"
tshark -r "$R/demo.pcap" -o tcp.relative_sequence_numbers:FALSE -T fields \
	-e ip.src -e ip.dst -e tcp.flags.str -e tcp.seq -e tcp.ack -e tcp.len \
	2>/dev/null | awk -F'\t' '
	BEGIN { printf "   %-3s %-10s %-4s %-10s %-12s %-12s %-12s %s\n", "#", "from", "", "to", "flags", "seq", "ack", "len" }
	{ gsub(/·/, "", $3); printf "   %-3d %-10s -->  %-10s %-12s %-12s %-12s %s\n", NR, $1, $2, $3, $4, $5, $6 }'

echo
echo "== 5. the states each host passed through (tracepoint xtcp:xtcp_state)"
# the trace shows the local side first; host1 is 10.0.0.1
for h in 10.0.0.1 10.0.0.2; do
	printf "   %s: " "$h"
	grep "xtcp_state: \[::ffff:$h\]" "$R/trace" |
		grep -v '0\.0\.0\.0\]:0 ' |
		awk '{print $(NF-2) " -> " $NF}' |
		awk 'NR == 1 {printf "%s", $1} {printf " -> %s", $3} END {print ""}'
done
echo "   (and /proc/net/xtcp showed host1 in TIME-WAIT, then nothing after 2*MSL)"
echo
echo "== 6. counters (host1 /proc/net/xtcp_stat)"
ip netns exec host1 grep -E '^(ActiveOpens|CurrEstab|InSegs|OutSegs|TimeWaits) ' /proc/net/xtcp_stat | sed 's/^/   /'
two_hosts_cleanup
trap - EXIT
sleep 1
rmmod xtcp && echo && echo "== 7. rmmod xtcp: ok"
