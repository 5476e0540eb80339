#!/bin/bash
# Runs INSIDE a stock guest (scripts/demo): one XTCP connection between two
# network namespaces that each own one virtio NIC, drawn as a ladder by
# tools/xtcp-ladder from the kernel's own tracepoints; then the same with
# the last ACK lost once. Everything printed is read or measured in this
# run. Files land in $XTCP_RESULTS/demo (scripts/demo copies them to
# build/demo).
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
X=$root/tools/xtcp_xfer
ko=${XTCP_KO:-$root/build/stock61/module/xtcp.ko} # make stock61-modules
R=${XTCP_RESULTS:-/tmp}/demo
rm -rf "$R"
mkdir -p "$R"
PORT=7000

echo "== 1. insmod xtcp.ko"
insmod "$ko" || exit 1
dmesg | grep 'xtcp:' | tail -1

. "$here/lib-guest.sh"
. "$here/lib-ladder.sh"
two_hosts host1 host2
ladder_modules
# 250 ms each way, so that every state lives long enough to be seen
"$NSX" host1 tc qdisc add dev "$IF1" root netem delay 250ms
"$NSX" host2 tc qdisc add dev "$IF2" root netem delay 250ms
ladder_warm
echo "   host1 = 10.0.0.1 on $IF1, host2 = 10.0.0.2 on $IF2 (virtio-net, one QEMU hub)"
for h in host1 host2; do
	echo "   $h qdiscs: $("$NSX" $h tc qdisc show | grep -v ' dev lo ' | tr '\n' ' ')"
	echo "   $h net.xtcp.msl_ms = $("$NSX" $h cat /proc/sys/net/xtcp/msl_ms)"
done

echo
echo "== 2. host2 listens on 10.0.0.2:$PORT; host1 connects, sends 1000 bytes, closes"
echo "   (xtcp-ladder records xtcp:xtcp_segment_send/recv, xtcp_state, xtcp_timer)"
ladder_scene "$R/conn" $PORT 0 1000 || echo "   client failed: $(cat "$R/conn/client.out")"
sed 's/^/   client: /' "$R/conn/client.out"
sed 's/^/   server: /' "$R/conn/server.out"
for h in host1 host2; do
	echo "   $h /proc/net/xtcp right after host1's close():"
	sed 's/^/     /' "$R/conn/proc-$h-after-close.txt"
done
echo "   host1 /proc/net/xtcp rows of port $PORT once the trace ended: $(host1_rows $PORT | wc -l)"

echo
echo "== 3. the ladder (relative sequence numbers; tools/xtcp-ladder show --absolute for raw)"
ladder_show "$R/conn" $PORT | sed 's/^/  /'

echo
echo "== 4. again, with host1's last ACK dropped once in host2 (nft byte quota),"
echo "   host2's RTO capped at 1 s (net.xtcp.rto_max_ms) so its FIN comes back"
echo "   within host1's TIME-WAIT"
ladder_scene "$R/lost-ack" $((PORT + 1)) 1 0 ||
	echo "   client failed: $(cat "$R/lost-ack/client.out")"
ladder_show "$R/lost-ack" $((PORT + 1)) | sed 's/^/  /'

echo
echo "== 5. counters (host1 /proc/net/xtcp_stat)"
grep -E '^(ActiveOpens|CurrEstab|InSegs|OutSegs|RetransSegs|TimeWaits) ' \
	"$R/lost-ack/stat-host1.txt" | sed 's/^/   /'
two_hosts_cleanup
trap - EXIT
sleep 1
rmmod xtcp && echo && echo "== 6. rmmod xtcp: ok"
