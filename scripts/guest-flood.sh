#!/bin/bash
# Runs INSIDE a guest (scripts/vm): SYN floods and ICMP.
#  - SYN cookies (net.xtcp.syncookies=2): every connection completes through
#    a cookie, byte-exact, v4 and v6; a forged ACK is refused (RST, counted).
#  - SYN flood with random source addresses (hping3 --rand-source) at a
#    listener in netns b while a bulk transfer to it runs, for XTCP and for
#    Linux TCP (net.ipv4.tcp_syncookies=1), at a fixed rate and at the
#    highest rate hping3 reaches: throughput kept (flooded / unflooded),
#    XTCP's compared with Linux's; legitimate connections made during the
#    flood complete through SYN cookies, byte-exact.
#  - PMTU: netns pa - pr1 - pr2 - pc over veth, the pr1-pr2 link with MTU
#    1280 while every host link is 1500: an echo transfer (both directions)
#    completes byte-exact with the MSS lowered on both ends by "fragmentation
#    needed" / "packet too big" (XTCP_INFO, route cache, IcmpPmtu), v4 and
#    v6, XTCP and Linux TCP.
#  - connect() to unreachable destinations (no route, unreachable and
#    prohibit routes, port unreachable from a firewall) fails quickly with
#    the errno Linux TCP gets in the same setup; an established connection
#    whose path becomes unreachable reports it through SO_ERROR (soft).
# TAP output, "N passed, N failed" last.
# Env: FLOOD_SECS (when set, each transfer is sized to last about that
#      many seconds unflooded; default: FLOOD_MB), FLOOD_MB (size of each
#      transfer, default 6; QUICK halves it; a quarter of it at the highest
#      rate), FLOOD_RATE (fixed rate, SYN/s,
#      default 10000: hping3 -i u100, what TCG reaches is reported),
#      FLOOD_PARTS (default "cookies flood pmtu unreach softerr": parts to run),
#      QUICK, XTCP_KO, XTCP_RESULTS, XTCP_IFS
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
T=$root/tools
# shellcheck source=lib-tap.sh
. "$here/lib-tap.sh"
E2E_NAME=flood
# shellcheck source=lib-e2e.sh
. "$here/lib-e2e.sh"
PORT=40000
FLOOD_RATE=${FLOOD_RATE:-10000}
FLOOD_MB=${FLOOD_MB:-6}
[ "$QUICK" = 1 ] && FLOOD_MB=$((FLOOD_MB / 2))
FLOOD_SECS=${FLOOD_SECS:-0}
SZ=$((FLOOD_MB * 1048576))	# bytes per transfer
FLOOD_PARTS=${FLOOD_PARTS:-cookies flood pmtu unreach softerr}
part() { case " $FLOOD_PARTS " in *" $1 "*) return 0 ;; esac; return 1; }

cleanup_flood() {
	local j
	for j in $(jobs -p); do kill_tree "$j"; done
	for n in a b pa pr1 pr2 pc; do ip netns del $n 2>/dev/null; done
	save_results
}
trap cleanup_flood EXIT

xstat() { NS "$1" awk -v k="$2" '$1==k {print $2}' /proc/net/xtcp_stat; }
# Linux TcpExt counter
lstat() {
	NS "$1" awk -v k="$2" '/^TcpExt:/ { if (!h) { for (i=1;i<=NF;i++) n[i]=$i; h=1 } else for (i=1;i<=NF;i++) if (n[i]==k) print $i }' /proc/net/netstat
}
# counter SUBJECT NS NAME: SyncookiesSent/Recv/Failed of XTCP or Linux
ckstat() { if [ "$1" = xtcp ]; then xstat "$2" "$3"; else lstat "$2" "$3"; fi; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }

# xtcp_xfer server in NS on ADDR:$PORT, args...; sets SP (pid), SO (output)
server() {
	local ns=$1 fam=$2 addr=$3
	shift 3
	newport
	SO=$R/srv.$PORT
	rm -f "$R/ready.$PORT"
	NS "$ns" "$X" server -f "$fam" -b "$addr" -p $PORT -t 300 \
		--ready-file "$R/ready.$PORT" "$@" >"$SO" 2>&1 &
	SP=$!
	wait_file 60 "$R/ready.$PORT"
}

# ---------------------------------------------- SYN cookies always ---
for n in a b; do
	xsys $n syn_retries 6
	NS $n sysctl -qw net.ipv4.tcp_syn_retries=6
done
# A failed cookie is a segment that reached the listener with no socket
# for its 4-tuple: with every handshake through cookies that is a segment
# of a connection already gone, which only a retransmission provokes (a
# FIN resent after its ACK was slow: the other end's answer finds the
# socket freed; Linux TCP counts and answers it the same way). So
# SyncookiesFailed may grow by at most the retransmissions of both ends.
cookies_always() { # ADDR
	local addr=$1 s0 r0 f0 s1 r1 f1 out ra0 rb0 rt
	xsys b syncookies 2
	s0=$(xstat b SyncookiesSent) r0=$(xstat b SyncookiesRecv)
	f0=$(xstat b SyncookiesFailed)
	ra0=$(xstat a RetransSegs) rb0=$(xstat b RetransSegs)
	server b xtcp "$addr" --mode reply -n 8
	out=$(A "$X" client -f xtcp -a "$addr" -p $PORT -s 300000 -t 120 \
		--mode concurrent -n 8 2>&1)
	local crc=$?
	wait $SP
	local src=$?
	s1=$(xstat b SyncookiesSent) r1=$(xstat b SyncookiesRecv)
	f1=$(xstat b SyncookiesFailed)
	rt=$(($(xstat a RetransSegs) - ra0 + $(xstat b RetransSegs) - rb0))
	if [ $crc = 0 ] && [ $src = 0 ] && [ $((r1 - r0)) -ge 8 ] &&
		[ $((s1 - s0)) -ge 8 ] && [ $((f1 - f0)) -le $rt ]; then
		ok "syncookies=2 [$addr]: 8 x 300000 bytes byte-exact, all through cookies (sent $((s1 - s0)), recv $((r1 - r0)), failed $((f1 - f0)) <= retransmitted $rt)"
	else
		nok "syncookies=2 [$addr]" "rc=$src/$crc sent=$((s1 - s0)) recv=$((r1 - r0)) failed=$((f1 - f0)) retransmitted=$rt $(echo "$out" | tail -3)"
	fi
}
if part cookies; then
	cookies_always 10.0.0.2
	cookies_always fd00::2
fi

# forged ACKs at a listener that sends cookies: refused, counted, RST
forged_ack() {
	local f0 f1 o0 o1 e0 e1
	xsys b syncookies 2
	server b xtcp 10.0.0.2 -n 1
	f0=$(xstat b SyncookiesFailed) o0=$(xstat b OutRsts)
	e0=$(xstat b PassiveOpens)
	# one SYN first: ACKs are checked only after a cookie was sent
	A hping3 -q -S -c 1 -p $PORT -s 40999 10.0.0.2 >/dev/null 2>&1
	A hping3 -q -A -c 5 -i u20000 -p $PORT -s 41000 -M 12345 -L 999 \
		10.0.0.2 >/dev/null 2>&1
	# the five failed checks, however slowly the guest takes them
	wait_until 30 eval '[ $(($(xstat b SyncookiesFailed) - f0)) -ge 5 ]'
	f1=$(xstat b SyncookiesFailed) o1=$(xstat b OutRsts)
	e1=$(xstat b PassiveOpens)
	kill_tree $SP
	if [ $((f1 - f0)) -ge 5 ] && [ $((o1 - o0)) -ge 5 ] && [ "$e1" = "$e0" ]; then
		ok "forged cookie ACKs: $((f1 - f0)) SyncookiesFailed, $((o1 - o0)) RSTs, no connection"
	else
		nok "forged cookie ACKs" "failed=$((f1 - f0)) rsts=$((o1 - o0)) opens=$((e1 - e0))"
	fi
	xsys b syncookies 1
}
if ! part cookies; then :
elif command -v hping3 >/dev/null; then forged_ack
else skip "forged cookie ACKs" "no hping3"; fi

# A SYN cookie's ACK and the data right behind it, while the listener's
# owner holds its lock (a setsockopt loop): both wait on the listener's
# backlog, the ACK makes the child, and the data is the child's, never
# taken for a failed cookie and answered with a RST (Linux's listeners
# take segments without a backlog: each finds the child by its lookup)
cookie_backlog() {
	local n=100 out hold sp b0 b1 h=0 k=0 r=-1 re='handshakes=([0-9]+) acked=([0-9]+) rsts=([0-9]+)'
	xsys b syncookies 2
	newport
	hold=$R/hold.$PORT
	rm -f "$hold"
	# the raw client's own netns has no socket: its RSTs to the
	# children's ACKs are dropped
	A nft add chain inet xtest out '{ type filter hook output priority -300; }' 2>/dev/null
	A nft add rule inet xtest out tcp dport $PORT tcp flags \& rst == rst meta mark != 1 drop
	B "$T/xtcp-run" python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.bind((sys.argv[1], int(sys.argv[2])))
s.listen(4096)
open(sys.argv[3], "w").close()
while True:
    s.setsockopt(socket.SOL_SOCKET, socket.SO_PRIORITY, 0)
' 10.0.0.2 $PORT "$hold" >"$R/hold.$PORT.log" 2>&1 &
	sp=$!
	wait_file 60 "$hold"
	b0=$(xstat b Backlogged)
	out=$(A python3 "$here/xtcp-raw.py" cookieburst 10.0.0.1 10.0.0.2 $PORT 42000 $n 2>&1)
	b1=$(xstat b Backlogged)
	kill_tree $sp
	A nft flush chain inet xtest out
	xsys b syncookies 1
	[[ $out =~ $re ]] && h=${BASH_REMATCH[1]} k=${BASH_REMATCH[2]} r=${BASH_REMATCH[3]}
	# Backlogged: the listener was held while segments came; without
	# that the run never met the race it is for (seen on a 6.12 guest,
	# whose one TCG thread rarely lets softirq in while the loop holds
	# the lock): no verdict then, unless it failed anyway
	if [ "$h" = $n ] && [ "$k" = $n ] && [ "$r" = 0 ] && [ $((b1 - b0)) -gt 0 ]; then
		ok "cookie ACK and data queued together on a held listener: $n handshakes, all data acknowledged by the child, no RST (Backlogged +$((b1 - b0)))"
	elif [ "$h" = $n ] && [ "$k" = $n ] && [ "$r" = 0 ]; then
		skip "cookie ACK and data queued together on a held listener" "the listener was never held while segments came (Backlogged +0)"
	else
		nok "cookie ACK and data queued together on a held listener" "$out Backlogged +$((b1 - b0)) $(tail -2 "$R/hold.$PORT.log")"
	fi
}
part cookies && cookie_backlog

# ------------------------------------------------------- SYN flood ---
# SYN-ACKs to the random sources leave b by a default route through a
# (which drops them: no forwarding), as they would on a real network
B ip route add default via 10.0.0.1 2>/dev/null
B sysctl -qw net.ipv4.tcp_syncookies=1

# bulk SUBJECT: one transfer a -> b (SZ bytes, the server replies with
# the hash it got, the client compares); prints Mbit/s, 0 on failure
BULK_OK=1
bulk() {
	local fam=$1 sz=$SZ ta tb out
	server b "$fam" 10.0.0.2 --mode reply -n 1
	ta=$(now_ms)
	out=$(A "$X" client -f "$fam" -a 10.0.0.2 -p $PORT -s $sz -t 200 \
		--mode halfclose 2>&1)
	local crc=$?
	tb=$(now_ms)
	wait $SP
	local src=$?
	if [ $crc != 0 ] || [ $src != 0 ]; then
		BULK_OK=0
		diag "bulk $fam: rc=$src/$crc $(echo "$out" | tail -2) $(tail -2 "$SO")"
		echo 0
		return
	fi
	awk -v b=$sz -v ms=$((tb - ta)) 'BEGIN { printf "%.1f", b * 8 / (ms / 1000) / 1e6 }'
}
# SYNs to PORT counted at b's prerouting hook
syn_count() {
	B nft list chain inet xtest pre 2>/dev/null |
		awk -v p="dport $1 " 'index($0, p) && /flags syn/ { for (i = 1; i < NF; i++) if ($i == "packets") print $(i + 1) }'
}

# estab_at SUBJECT PORT: netns b has an ESTABLISHED connection on PORT
estab_at() {
	if [ "$1" = xtcp ]; then
		B "$T/xtcp-ss" -H -p "$2" | grep -q '^ESTAB '
	else
		B ss -Htn state established "( sport = :$2 )" | grep -q .
	fi
}

# flood_run SUBJECT MODE: bulk transfer while hping3 floods b's listener
# port; MODE fixed (FLOOD_RATE) or max (--flood). The transfer's
# connection is established before the flood begins, its bytes sent once
# the listener answers with cookies. Sets FR (Mbit/s),
# PPS (SYNs/s b received), LEGIT ("ok" when 5 connections made during the
# flood completed byte-exact), CKR (cookies received during the run)
flood_run() {
	local fam=$1 mode=$2 args p0 p1 t0 t1 c0 c1 lout
	case $mode in
	fixed) args="-i u$((1000000 / FLOOD_RATE))" ;;
	max) args="--flood" ;;
	esac
	c0=$(ckstat "$fam" b SyncookiesRecv)
	newport
	local fport=$PORT
	# the listener under attack: the legitimate clients and the bulk
	# transfer below connect to it
	rm -f "$R/ready.$fport"
	B "$X" server -f "$fam" -b 10.0.0.2 -p $fport -t 300 --mode reply \
		-n 6 --ready-file "$R/ready.$fport" >"$R/flsrv.$fport" 2>&1 &
	local lsp=$!
	wait_file 60 "$R/ready.$fport"
	# the measured transfer, to the same listener: connected now, sending
	# once the go file is there
	local sz=$SZ ta tb out tmo=120 go=$R/go.$fport
	[ "$mode" = max ] && tmo=60
	A "$X" client -f "$fam" -a 10.0.0.2 -p $fport -s $sz -t $((tmo + 30)) \
		--go-file "$go" --mode halfclose >"$R/flcli.$fport" 2>&1 &
	local cp=$!
	wait_until 30 estab_at "$fam" $fport ||
		diag "flooded bulk $fam $mode: not established before the flood"
	B nft add rule inet xtest pre tcp dport $fport tcp flags syn counter 2>/dev/null
	p0=$(syn_count $fport)
	p0=${p0:-0}
	t0=$(now_ms)
	# shellcheck disable=SC2086
	A timeout 300 hping3 -q -S --rand-source $args \
		-p $fport 10.0.0.2 >/dev/null 2>&1 &
	local hp=$!
	# wait for the half-open queue to fill (cookies sent): the transfer
	# and the legitimate clients are meant for a listener under the flood
	local s0
	s0=$(ckstat "$fam" b SyncookiesSent)
	wait_until 60 eval "[ \$(ckstat $fam b SyncookiesSent) != $s0 ]" ||
		diag "$fam $mode: no cookie sent after 60 s of flood"
	ta=$(now_ms)
	touch "$go"
	wait $cp
	local crc=$?
	tb=$(now_ms)
	out=$(cat "$R/flcli.$fport")
	diag "t=${SECONDS}s: flooded transfer done ($((tb - ta)) ms)"
	FR=$(awk -v b=$sz -v ms=$((tb - ta)) 'BEGIN { printf "%.1f", b * 8 / (ms / 1000) / 1e6 }')
	if [ $crc != 0 ]; then
		FR=0
		[ "$mode" = max ] || BULK_OK=0
		diag "flooded bulk $fam $mode: $(echo "$out" | tail -2)"
	fi
	# legitimate connections during the flood, as a request/response
	# service's clients: a request in one segment with the FIN (corked),
	# so whichever of the handshake's ACK and the request reaches the
	# listener first carries the ISN + 1 its SYN cookie is checked by.
	# A client that sends more than a segment before the reply is reset
	# by either stack when the NIC queue drops its first segment and a
	# later one arrives first (the cookie then checks a wrong ISN: a
	# Linux TCP bulk transfer connecting during the flood was so reset
	# in 1 of 4 runs at the highest rate, RSTs captured)
	lout=$(A "$X" client -f "$fam" -a 10.0.0.2 -p $fport -s 1000 --cork \
		-t $tmo --mode concurrent -n 5 --seed 7 2>&1)
	local lrc=$?
	LEGIT=no
	[ $lrc = 0 ] && LEGIT=ok
	[ $LEGIT = ok ] || diag "legit $fam $mode: $(echo "$lout" | tail -3)"
	t1=$(now_ms)
	diag "t=${SECONDS}s: legitimate connections done"
	kill_tree $hp
	p1=$(syn_count $fport)
	p1=${p1:-0}
	# the server ends after its 6 connections once every client is done;
	# when one failed it may not (its -t 300 would hold the suite 5
	# minutes). Each client checked the server's count and hash of its
	# bytes, so the legitimate verdict is theirs: a failed bulk transfer
	# at the highest rate (not asserted) leaves it alone
	local lsrc=0
	if [ $crc = 0 ] && [ $lrc = 0 ] &&
		wait_until 60 eval "! kill -0 $lsp 2>/dev/null"; then
		wait $lsp
		lsrc=$?
		[ $lsrc = 0 ] || LEGIT=no
	else
		kill_tree $lsp
		lsrc=1
	fi
	[ $lsrc = 0 ] || diag "server $fam $mode (rc $lsrc): $(grep error "$R/flsrv.$fport" | head -3)"
	PPS=$(((p1 - p0) * 1000 / (t1 - t0 + 1)))
	c1=$(ckstat "$fam" b SyncookiesRecv)
	CKR=$((c1 - c0))
}

# one unflooded and one flooded transfer of SUBJECT, back to back (the
# host's load varies: XTCP's and Linux's pairs run interleaved)
flood_pair() { # SUBJECT MODE
	local fam=$1 mode=$2 base
	# at the highest rate Linux TCP's transfer crawls (about 1 Mbit/s
	# in TCG): a quarter of the bytes there, in both transfers of the pair
	local SZ=${SIZED_SZ:-$SZ}
	[ "$mode" = max ] && SZ=$((SZ / 4))
	# (bulk's server takes a new port in the subshell: skipped here too)
	newport
	base=$(bulk "$fam")
	newport
	if [ "$FLOOD_SECS" -gt 0 ] && [ "$SIZED" = 0 ]; then
		SZ=$(awk -v r="$base" -v s="$FLOOD_SECS" 'BEGIN { printf "%d", r * 1e6 / 8 * s }')
		[ "$SZ" -gt 0 ] || SZ=$((FLOOD_MB * 1048576))
		SIZED=1 SIZED_SZ=$SZ
		diag "FLOOD_SECS=$FLOOD_SECS: transfers of $SZ bytes"
		newport
		base=$(bulk "$fam")
		newport
	fi
	diag "t=${SECONDS}s: $fam $mode: flooded run"
	flood_run "$fam" "$mode"
	diag "t=${SECONDS}s: $fam $mode: unflooded $base Mbit/s, flooded ($PPS SYN/s at b) $FR Mbit/s; legitimate connections $LEGIT, SyncookiesRecv +$CKR"
	eval "BASE_${fam}_$mode=$base FR_${fam}_$mode=$FR PPS_${fam}_$mode=$PPS"
	eval "LEGIT_${fam}_$mode=$LEGIT CKR_${fam}_$mode=$CKR"
}
kept() { awk -v f="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.3f", f / b; else print 0 }'; }

SIZED=0
if ! part flood; then :
elif command -v hping3 >/dev/null; then
	for mode in fixed max; do
		flood_pair xtcp $mode
		flood_pair tcp $mode
		eval "bx=\$BASE_xtcp_$mode fx=\$FR_xtcp_$mode px=\$PPS_xtcp_$mode"
		eval "bt=\$BASE_tcp_$mode ft=\$FR_tcp_$mode pt=\$PPS_tcp_$mode"
		eval "lx=\$LEGIT_xtcp_$mode cx=\$CKR_xtcp_$mode"
		eval "lt=\$LEGIT_tcp_$mode ct=\$CKR_tcp_$mode"
		# shellcheck disable=SC2154
		kx=$(kept "$fx" "$bx") kt=$(kept "$ft" "$bt")
		if [ $mode = max ]; then
			# not asserted: at the highest rate the guest's NIC
			# queue drops data segments too, and the figure then
			# measures how each stack rides out RTOs in a TCG guest
			# (see README, Known limits)
			diag "max-rate flood (XTCP $px, Linux $pt SYN/s): XTCP keeps $kx of its throughput ($fx/$bx Mbit/s), Linux TCP $kt ($ft/$bt)"
		elif [ $BULK_OK = 1 ]; then
			# the throughput goal (>= 0.9 x Linux's fraction) is
			# reported, not asserted: one TCG run on a shared host
			# swings it from 0.5 to 1.9 (README, Known limits)
			goal=missed
			awk -v x="$kx" -v l="$kt" 'BEGIN { exit !(x > 0 && x >= 0.9 * l) }' && goal=met
			ok "$mode-rate flood (XTCP $px, Linux $pt SYN/s): transfers complete byte-exact; XTCP keeps $kx of its throughput ($fx/$bx Mbit/s), Linux TCP $kt ($ft/$bt): goal >= 0.9 x Linux's $goal"
		else
			nok "$mode-rate flood (XTCP $px, Linux $pt SYN/s): transfers under the flood" "XTCP keeps $kx ($fx/$bx Mbit/s), Linux TCP $kt ($ft/$bt), transfers ok=$BULK_OK"
		fi
		# shellcheck disable=SC2154
		if [ "$lx" = ok ] && [ "$cx" -gt 0 ]; then
			ok "$mode-rate flood: 5 new XTCP connections complete byte-exact during the flood, $cx of them through SYN cookies (Linux TCP: $lt, $ct through cookies)"
		else
			nok "$mode-rate flood: new XTCP connections through SYN cookies" "legit=$lx SyncookiesRecv +$cx (Linux TCP: $lt, +$ct)"
		fi
	done
else
	skip "SYN flood" "no hping3"
fi
B ip route del default 2>/dev/null

# ------------------------------------------------------------ PMTU ---
# pa (10.1.0.1) - pr1 - [MTU 1280] - pr2 - pc (10.3.0.2); host links 1500
P() { local n=$1; shift; "$NSX" "$n" "$@"; }
modprobe -q veth 2>/dev/null
for n in pa pr1 pr2 pc; do ip netns add $n; P $n ip link set lo up; done
ip link add va netns pa type veth peer name vr1a netns pr1
ip link add vr1b netns pr1 type veth peer name vr2a netns pr2
ip link add vr2b netns pr2 type veth peer name vc netns pc
addr() { P "$1" ip addr add "$3" dev "$2"; P "$1" ip addr add "$4" dev "$2" nodad; P "$1" ip link set "$2" up; }
addr pa va 10.1.0.1/24 fd01::1/64
addr pr1 vr1a 10.1.0.2/24 fd01::2/64
addr pr1 vr1b 10.2.0.1/24 fd02::1/64
addr pr2 vr2a 10.2.0.2/24 fd02::2/64
addr pr2 vr2b 10.3.0.1/24 fd03::1/64
addr pc vc 10.3.0.2/24 fd03::2/64
P pr1 ip link set vr1b mtu 1280
P pr2 ip link set vr2a mtu 1280
P pa ip route add default via 10.1.0.2
P pa ip -6 route add default via fd01::2
P pc ip route add default via 10.3.0.1
P pc ip -6 route add default via fd03::1
P pr1 ip route add 10.3.0.0/24 via 10.2.0.2
P pr1 ip -6 route add fd03::/64 via fd02::2
P pr2 ip route add 10.1.0.0/24 via 10.2.0.1
P pr2 ip -6 route add fd01::/64 via fd02::1
for n in pr1 pr2; do
	P $n sysctl -qw net.ipv4.ip_forward=1
	P $n sysctl -qw net.ipv6.conf.all.forwarding=1
done
for n in pa pc; do
	P $n sh -c 'echo 1000 > /proc/sys/net/xtcp/msl_ms'
	P $n sysctl -qw net.ipv6.conf.all.accept_dad=0
done
P pa ping -c1 -W5 10.3.0.2 >/dev/null 2>&1
P pa ping -c1 -W5 fd03::2 >/dev/null 2>&1
diag "PMTU path: pa $(P pa cat /sys/class/net/va/mtu) - pr1 $(P pr1 cat /sys/class/net/vr1b/mtu) - pr2 - pc $(P pc cat /sys/class/net/vc/mtu)"

# pmtu_echo SUBJECT DADDR WANT_MSS: echo 2 MB pa <-> pc; both ends must
# end with SND.MSS = WANT_MSS (XTCP) and a 1280 PMTU in their route cache
pmtu_echo() {
	local fam=$1 da=$2 want=$3 out rmtu_a rmtu_c smss cmss p0 p1 q0 q1
	p0=$(P pa awk '$1=="IcmpPmtu" {print $2}' /proc/net/xtcp_stat)
	q0=$(P pc awk '$1=="IcmpPmtu" {print $2}' /proc/net/xtcp_stat)
	newport
	rm -f "$R/ready.$PORT"
	P pc "$X" server -f "$fam" -b "$da" -p $PORT -t 120 --mode echo \
		--info --ready-file "$R/ready.$PORT" >"$R/psrv.$PORT" 2>&1 &
	local sp=$!
	wait_file 60 "$R/ready.$PORT"
	out=$(P pa "$X" client -f "$fam" -a "$da" -p $PORT -s 2000000 -t 120 \
		--mode echo --info 2>&1)
	local crc=$?
	wait $sp
	local src=$?
	p1=$(P pa awk '$1=="IcmpPmtu" {print $2}' /proc/net/xtcp_stat)
	q1=$(P pc awk '$1=="IcmpPmtu" {print $2}' /proc/net/xtcp_stat)
	case $da in
	*:*) rmtu_a=$(P pa ip -6 route get "$da" | grep -o 'mtu [0-9]*')
	     rmtu_c=$(P pc ip -6 route get fd01::1 | grep -o 'mtu [0-9]*') ;;
	*) rmtu_a=$(P pa ip route get "$da" | grep -o 'mtu [0-9]*')
	   rmtu_c=$(P pc ip route get 10.1.0.1 | grep -o 'mtu [0-9]*') ;;
	esac
	cmss=$(echo "$out" | grep -o 'client info .*snd_mss=[0-9]*' | grep -o 'snd_mss=[0-9]*')
	smss=$(grep -o 'server info .*snd_mss=[0-9]*' "$R/psrv.$PORT" | grep -o 'snd_mss=[0-9]*')
	local desc="PMTU $fam [$da]: 2 MB echo both ways over a 1280-MTU hop"
	if [ $crc != 0 ] || [ $src != 0 ] || ! echo "$out" | grep -q 'match=yes'; then
		nok "$desc" "rc=$src/$crc $(echo "$out" | tail -2)"
	elif [ "$rmtu_a" != "mtu 1280" ] || [ "$rmtu_c" != "mtu 1280" ]; then
		nok "$desc" "route cache: pa '$rmtu_a' pc '$rmtu_c'"
	elif [ "$fam" = xtcp ] && { [ "$cmss" != "snd_mss=$want" ] ||
		[ "$smss" != "snd_mss=$want" ] || [ $((p1 - p0)) -lt 1 ] ||
		[ $((q1 - q0)) -lt 1 ]; }; then
		nok "$desc" "client $cmss server $smss IcmpPmtu +$((p1 - p0)) +$((q1 - q0)) (want snd_mss=$want)"
	else
		ok "$desc: byte-exact, route PMTU 1280 at both ends${cmss:+, SND.MSS $cmss / $smss, IcmpPmtu +$((p1 - p0)) / +$((q1 - q0))}"
	fi
	# forget the learned PMTU for the next run
	P pa ip route flush cache 2>/dev/null
	P pc ip route flush cache 2>/dev/null
	P pa ip -6 route flush cache 2>/dev/null
	P pc ip -6 route flush cache 2>/dev/null
}
if part pmtu; then
	pmtu_echo xtcp 10.3.0.2 1240
	pmtu_echo tcp 10.3.0.2 1240
	pmtu_echo xtcp fd03::2 1220
	pmtu_echo tcp fd03::2 1220
fi

# ----------------------------------------------------- unreachable ---
# pr1: no route to 10.7/16 (net unreachable), "unreachable" 10.9/16 (host
# unreachable), "prohibit" 10.8/16 (communication prohibited), and a
# firewall rejecting TCP port 7 with port unreachable; the same for IPv6.
P pr1 ip route add unreachable 10.9.0.0/16
P pr1 ip route add prohibit 10.8.0.0/16
P pr1 ip -6 route add unreachable fd09::/64
P pr1 ip -6 route add prohibit fd08::/64
for m in nf_reject_ipv4 nf_reject_ipv6 nft_reject nft_reject_inet; do modprobe -q $m 2>/dev/null; done
HAVE_REJECT=0
if P pr1 nft add table inet f 2>/dev/null &&
	P pr1 nft add chain inet f fw '{ type filter hook forward priority 0; }' &&
	P pr1 nft add rule inet f fw tcp dport 7 reject with icmpx type port-unreachable; then
	HAVE_REJECT=1
fi
for n in pa; do
	P $n sh -c 'echo 6 > /proc/sys/net/xtcp/syn_retries'
	P $n sysctl -qw net.ipv4.tcp_syn_retries=6
done
# cerr SUBJECT ADDR PORT: "ERRNO MS" of one blocking connect() from pa
cerr() {
	local t0 t1 out e
	t0=$(now_ms)
	out=$(P pa "$X" client -f "$1" -a "$2" -p "$3" -s 1 -t 60 2>&1)
	t1=$(now_ms)
	e=$(echo "$out" | grep -o 'error=[A-Z0-9]*' | head -1)
	echo "${e#error=} $((t1 - t0))"
}
unreach() { # DESC ADDR PORT
	local x l xe xt le lt
	read -r xe xt <<<"$(cerr xtcp "$2" "$3")"
	read -r le lt <<<"$(cerr tcp "$2" "$3")"
	if [ -n "$xe" ] && [ "$xe" = "$le" ] && [ "$xe" != ETIMEDOUT ] &&
		[ "$xe" != TIMEOUT ] && [ "$xt" -lt 20000 ]; then
		ok "connect() to $1 ($2:$3) fails in $xt ms with $xe, as Linux TCP ($le in $lt ms)"
	else
		nok "connect() to $1 ($2:$3)" "XTCP '$xe' in $xt ms, Linux TCP '$le' in $lt ms"
	fi
}
if part unreach; then
	unreach "no route at the router (net unreachable)" 10.7.0.1 80
	unreach "an unreachable route (host unreachable)" 10.9.0.1 80
	unreach "a prohibit route (administratively prohibited)" 10.8.0.1 80
	unreach "no route at the router (v6 no route)" fd07::1 80
	unreach "an unreachable route (v6)" fd09::1 80
	unreach "a prohibit route (v6 administratively prohibited)" fd08::1 80
	if [ $HAVE_REJECT = 1 ]; then
		unreach "a firewall's port unreachable" 10.3.0.2 7
		unreach "a firewall's port unreachable (v6)" fd03::2 7
	else
		skip "port unreachable" "nft reject unavailable"
	fi
fi
# soft errors: an established connection whose path fails reports the
# ICMP error through SO_ERROR and stays up (RFC 1122 §4.2.3.9), as Linux
SE=$T/xtcp_softerr
# (on $PORT, the caller's newport: it runs in a command substitution)
softerr_one() { # SUBJECT DADDR PLEN: prints the SO_ERROR line
	local fam=$1 da=$2 trig out
	trig=$R/trig.$PORT
	out=$R/softerr.$PORT
	rm -f "$trig" "$R/ready.$PORT"
	P pc "$X" server -f "$fam" -b "$da" -p $PORT -t 60 -q \
		--ready-file "$R/ready.$PORT" >/dev/null 2>&1 &
	local sp=$!
	wait_file 60 "$R/ready.$PORT"
	P pa "$SE" -f "$fam" -a "$da" -p $PORT -w "$trig" -t 20 >"$out" 2>&1 &
	local cp=$!
	wait_file 60 "$out" connected
	P pr1 ip route add unreachable "$da/$3"
	touch "$trig"
	wait $cp
	P pr1 ip route del unreachable "$da/$3"
	kill_tree $sp
	grep -o 'so_error=[A-Z0-9]*' "$out" | head -1
}
softerr() { # DADDR PLEN
	local x l
	# a port for each run: the Linux TCP server on the port XTCP's had
	# just left was refused by chance (its client got ECONNREFUSED)
	newport
	x=$(softerr_one xtcp "$1" "$2")
	newport
	l=$(softerr_one tcp "$1" "$2")
	if [ -n "$x" ] && [ "$x" = "$l" ] && [ "$x" != so_error=OK ]; then
		ok "soft error on an established connection to $1 (path becomes unreachable): $x, as Linux TCP"
	else
		nok "soft error on an established connection to $1" "XTCP '$x', Linux TCP '$l'"
	fi
}
if part softerr; then
	softerr 10.3.0.2 32
	softerr fd03::2 128
fi
diag "XTCP counters in pa: $(P pa awk '$1 ~ /Icmp/ {printf "%s=%s ", $1, $2}' /proc/net/xtcp_stat)"

# an ICMP that matches no XTCP connection is left to the stack: Linux TCP
# still learns its PMTU with XTCP loaded (covered by pmtu_echo tcp above)
diag "elapsed $(($(date +%s) - t_start)) s"
tap_done
