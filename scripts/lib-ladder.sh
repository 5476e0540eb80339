# shellcheck shell=bash
# Inside a guest, after two_hosts host1 host2 (lib-guest.sh) and insmod:
# one XTCP connection drawn by tools/xtcp-ladder. Used by guest-demo.sh
# and guest-ladder.sh.
LADDER=${LADDER:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/tools/xtcp-ladder}
LX=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/tools/xtcp_xfer

# ladder_modules: what netem and nft need (the guest never autoloads)
ladder_modules() {
	local m
	for m in sch_netem nfnetlink nf_tables nft_quota; do
		modprobe -q "$m" 2>/dev/null
	done
}

# ladder_warm: resolve ARP (through any netem delay) before a scene, so
# its SYN is not held up by neighbour resolution: one Linux TCP connect
# to a closed port (refused), then both neighbour entries must be there
ladder_warm() {
	timeout 20 "$NSX" host1 bash -c ': </dev/tcp/10.0.0.2/9' 2>/dev/null
	ip -n host1 neigh show 10.0.0.2 | grep -q lladdr &&
		ip -n host2 neigh show 10.0.0.1 | grep -q lladdr
}

# host1_rows PORT: host1's /proc/net/xtcp rows whose remote port is PORT
host1_rows() {
	"$NSX" host1 awk -v r=":$(printf '%04X' "$1")" \
		'NR > 1 && substr($3, length($3) - 4) == r' /proc/net/xtcp
}

# ladder_listening PORT: host2 lists an XTCP listener on PORT
ladder_listening() {
	"$NSX" host2 awk -v l=":$(printf '%04X' "$1")" \
		'NR > 1 && substr($2, length($2) - 4) == l {f = 1} END {exit !f}' \
		/proc/net/xtcp
}

# ladder_scene DIR PORT LOST [SIZE]: record one connection host1 ->
# host2:PORT (SIZE bytes, default none; host2 closes 300 ms after the EOF) from before the listen
# until host1's TIME-WAIT is over (or 30 s). LOST=1 drops host1's last
# ACK once in host2 (nft byte quotas: the first pure ACK, 40 bytes, of
# the handshake passes, the second is dropped, the third passes), and
# caps host2's RTO at 1 s so the FIN comes back while host1 is still in
# TIME-WAIT (2*MSL = 2 s).
# Writes DIR/trace, DIR/client.out, DIR/server.out, DIR/proc-*.txt and
# DIR/stat-host{1,2}.txt. Returns non-zero if the client failed.
ladder_scene() {
	local d=$1 p=$2 lost=$3 size=${4:-0} rc i rtomax=
	mkdir -p "$d"
	if [ "$lost" = 1 ]; then
		rtomax=$("$NSX" host2 cat /proc/sys/net/xtcp/rto_max_ms)
		"$NSX" host2 sh -c 'echo 1000 > /proc/sys/net/xtcp/rto_max_ms'
		"$NSX" host2 nft add table inet ladder
		"$NSX" host2 nft add chain inet ladder pre \
			'{ type filter hook prerouting priority -300; }'
		"$NSX" host2 nft add rule inet ladder pre ip saddr 10.0.0.1 \
			tcp dport "$p" 'tcp flags == ack' quota until 52 bytes accept
		"$NSX" host2 nft add rule inet ladder pre ip saddr 10.0.0.1 \
			tcp dport "$p" 'tcp flags == ack' quota until 60 bytes drop
	fi
	"$LADDER" start --port "$p"
	"$NSX" host2 "$LX" server -f xtcp -b 10.0.0.2 -p "$p" -n 1 \
		--hold 300 -t 30 -q >"$d/server.out" 2>&1 &
	local srv=$!
	wait_until 60 ladder_listening "$p"
	"$NSX" host1 "$LX" client -f xtcp -a 10.0.0.2 -p "$p" -s "$size" \
		-t 30 >"$d/client.out" 2>&1
	rc=$?
	for h in host1 host2; do
		"$NSX" $h cat /proc/net/xtcp >"$d/proc-$h-after-close.txt"
	done
	wait $srv
	# until host1 holds no row of this connection (its TIME-WAIT ended)
	for i in $(seq 300); do
		[ -z "$(host1_rows "$p")" ] && break
		sleep 0.1
	done
	sleep 0.2
	"$LADDER" stop -o "$d/trace"
	for h in host1 host2; do
		"$NSX" $h cat /proc/net/xtcp_stat >"$d/stat-$h.txt"
	done
	if [ "$lost" = 1 ]; then
		"$NSX" host2 nft delete table inet ladder
		"$NSX" host2 sh -c "echo $rtomax > /proc/sys/net/xtcp/rto_max_ms"
	fi
	return $rc
}

# ladder_show DIR PORT [ARGS...]: the terminal ladder, DIR/ladder.svg,
# DIR/index.html, DIR/ladder.json
ladder_show() {
	local d=$1 p=$2
	shift 2
	"$LADDER" show "$d/trace" --port "$p" --name 10.0.0.1=host1 \
		--name 10.0.0.2=host2 --svg "$d/ladder.svg" \
		--html "$d/index.html" --json "$d/ladder.json" \
		--stat "host1=$d/stat-host1.txt" --stat "host2=$d/stat-host2.txt" \
		--proc "host1 /proc/net/xtcp right after close=$d/proc-host1-after-close.txt" \
		--proc "host2 /proc/net/xtcp right after close=$d/proc-host2-after-close.txt" \
		"$@"
}
