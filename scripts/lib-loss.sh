# shellcheck shell=bash
# Inside a guest: lossy-path helpers for the two-netns setups (lib-e2e.sh's
# "a"/"b" or lib-guest.sh's two_hosts). Source it after either; nothing runs
# at source time except loading the modules. Used by guest-loss.sh and the
# loss series of guest-bench.sh; any suite may use it.
#
#   loss_modules               modprobe what netem and the nft rules below
#                              need (stock kernels do not autoload them; on
#                              the debug kernel all of it is built in)
#   netem_set NS IF ARGS...    root netem qdisc on IF in netns NS, e.g.
#                              netem_set a eth0 delay 10ms loss 1%; a queue
#                              of 10000 packets so a long delay does not
#                              add tail drops of its own
#   netem_clear NS IF          back to the default qdisc
#   netem_stat NS IF KEY       "sent" packets or "dropped" of the netem qdisc
#   gso_segs NS IF N           gso_max_segs of IF: 1 makes Linux TCP hand
#                              single segments to the qdisc, so that netem
#                              loses wire packets, not 64 KB GSO bursts
#
# Dropping exactly one data segment, once (RFC 5681 fast-retransmit tests):
# a prerouting rule in NS (table inet xloss, priority -300, before anything
# else; GRO is turned off on NS's NICs first, so that one packet there is
# one wire segment, not a GRO aggregate of several) matching TCP segments
# to destination port PORT (or from source port PORT with DIR=sport) that
# carry data (IPv4 total length > 80, IPv6 payload length > 60: more than
# the largest TCP+IP header, so the handshake's ACK and pure ACKs never
# match; data segments shorter than 41 bytes may not match either).
# "limit rate 1/day burst 1 packets" matches the first such segment only,
# so the retransmission of the same sequence passes; "counter" counts
# what was dropped.
#
#   drop_once_seq NS PORT SEQ_LO SEQ_HI [DIR]
#       drop the first data segment whose (absolute) sequence number is in
#       [SEQ_LO, SEQ_HI]; install it before the data gets there
#   drop_once_after NS PORT BYTES [DIR]
#       drop the first data segment after BYTES bytes of data segments
#       (counted as IP packet lengths, headers included: with 1500-byte
#       packets, payload offset ~ BYTES * MSS / 1500) went through
#   drop_once_count NS PORT    how many segments the PORT rule dropped
#                              (1 once it fired; 0 if it never matched)
#   drop_once_bytes NS PORT    their bytes (IP length: one segment <= MTU)
#   drop_once_clear NS PORT    remove the PORT rules
# Install in the receiver's netns, before the connection; e.g.
#   drop_once_after b $PORT 500000
#   ... transfer from a to b:$PORT ...
#   [ "$(drop_once_count b $PORT)" = 1 ] || nok "..."
#   drop_once_clear b $PORT

loss_modules() {
	local m
	for m in nfnetlink nf_tables nft_quota nft_limit sch_netem; do
		modprobe -q $m 2>/dev/null
	done
	return 0
}

netem_set() {
	local ns=$1 dev=$2
	shift 2
	"$NSX" "$ns" tc qdisc replace dev "$dev" root netem "$@" limit 10000
}

netem_clear() {
	"$NSX" "$1" tc qdisc del dev "$2" root 2>/dev/null
	return 0
}

netem_stat() { # NS IF sent|dropped
	"$NSX" "$1" tc -s qdisc show dev "$2" |
		awk -v k="$3" '/qdisc netem/ { n = 1 } n && /Sent/ {
			for (i = 1; i <= NF; i++) {
				if (k == "sent" && $i == "pkt") { print $(i - 1); exit }
				if (k == "dropped" && $i ~ /dropped/) { v = $(i + 1); sub(/,/, "", v); print v; exit }
			} }'
}

gso_segs() {
	"$NSX" "$1" ip link set dev "$2" gso_max_segs "$3"
}

# _drop_once NS PORT DIR MATCH...: the two per-family rules, tagged with
# a comment naming the port so that count/clear find them
_drop_once() {
	local ns=$1 port=$2 dir=${3:-dport}
	shift 3
	local d
	for d in $("$NSX" "$ns" ls /sys/class/net); do
		[ "$d" = lo ] || "$NSX" "$ns" ethtool -K "$d" gro off 2>/dev/null
	done
	"$NSX" "$ns" nft add table inet xloss 2>/dev/null
	"$NSX" "$ns" nft add chain inet xloss pre \
		'{ type filter hook prerouting priority -300; }' 2>/dev/null
	"$NSX" "$ns" nft add rule inet xloss pre meta nfproto ipv4 \
		tcp "$dir" "$port" ip length \> 80 "$@" \
		limit rate 1/day burst 1 packets counter drop comment "\"drop1-$port\"" &&
		"$NSX" "$ns" nft add rule inet xloss pre meta nfproto ipv6 \
			tcp "$dir" "$port" ip6 length \> 60 "$@" \
			limit rate 1/day burst 1 packets counter drop comment "\"drop1-$port\""
}

drop_once_seq() { # NS PORT SEQ_LO SEQ_HI [DIR]
	_drop_once "$1" "$2" "${5:-dport}" tcp sequence "$3-$4"
}

drop_once_after() { # NS PORT BYTES [DIR]
	local ns=$1 port=$2 dir=${4:-dport}
	_drop_once "$ns" "$port" "$dir" || return
	# inserted before the drop rules: data segments pass (accepted, the
	# drop rules never see them) until BYTES of them have gone through
	"$NSX" "$ns" nft insert rule inet xloss pre meta nfproto ipv4 \
		tcp "$dir" "$port" ip length \> 80 quota until "$3" bytes accept \
		comment "\"drop1-$port\"" &&
		"$NSX" "$ns" nft insert rule inet xloss pre meta nfproto ipv6 \
			tcp "$dir" "$port" ip6 length \> 60 quota until "$3" bytes accept \
			comment "\"drop1-$port\""
}

_drop_once_counter() { # NS PORT packets|bytes
	"$NSX" "$1" nft list chain inet xloss pre 2>/dev/null |
		awk -v c="\"drop1-$2\"" -v k="$3" 'index($0, c) && / drop / {
			for (i = 1; i < NF; i++) if ($i == "counter") n += $(i + (k == "bytes" ? 4 : 2)) }
			END { print n + 0 }'
}
drop_once_count() { _drop_once_counter "$1" "$2" packets; }
drop_once_bytes() { _drop_once_counter "$1" "$2" bytes; }

drop_once_clear() { # NS PORT
	local h
	for h in $("$NSX" "$1" nft -a list chain inet xloss pre 2>/dev/null |
		awk -v c="\"drop1-$2\"" 'index($0, c) { print $NF }'); do
		"$NSX" "$1" nft delete rule inet xloss pre handle "$h"
	done
	return 0
}

loss_modules

# xfer_judge EXP SERVER_OUT CLIENT_OUT SERVER_RC CLIENT_RC: OK=1 when both
# ends exited 0 and reported the expected "bytes=N hash=H" (EXP), else
# OK=0 and WHY says what each end printed
xfer_judge() {
	local sl cl
	sl=$(grep -o 'bytes=[0-9]* hash=[0-9a-f]*' "$2" | head -1)
	cl=$(grep -o 'bytes=[0-9]* hash=[0-9a-f]*' "$3" | head -1)
	OK=0 WHY=""
	if [ "$4 $5" = "0 0" ] && [ "$sl" = "$1" ] && [ "$cl" = "$1" ]; then
		OK=1
	else
		WHY="rc(server client)=$4 $5 want '$1' server '$(tr '\n' ' ' <"$2")' client '$(tr '\n' ' ' <"$3")'"
	fi
}
