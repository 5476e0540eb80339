#!/bin/bash
# Runs INSIDE a guest (scripts/vm): XTCP's out-of-order queue and SACK over
# the virtio NICs between netns "a" and "b" (setup in lib-e2e.sh), with
# netem reordering the data (a's NIC: delay 5ms reorder 25% 50%). A Linux
# TCP sender and an XTCP sender each send OFO_SIZE bytes to an XTCP
# receiver in b, byte-exact; the receiver's OFOQueue counter rises, a
# capture shows SACK blocks (RFC 2018) above the cumulative ACK in XTCP's
# ACKs, and no memory is left afterwards. Linux's own receiver takes the
# same transfer in the same run for comparison (TCPOFOQueue).
# TAP output, "N passed, N failed" last.
# Env: as guest-e2e.sh (XTCP_KO, XTCP_RESULTS, QUICK); OFO_SIZE (default
# 4M, 1M with QUICK=1, the debug kernel's default)
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
T=$root/tools
# shellcheck source=lib-tap.sh
. "$here/lib-tap.sh"
E2E_NAME=ofo
# shellcheck source=lib-e2e.sh
. "$here/lib-e2e.sh"
SIZE=${OFO_SIZE:-4M}
[ "$QUICK" = 1 ] && SIZE=${OFO_SIZE:-1M}
REORDER="delay 5ms reorder 25% 50%"

xstat() { stat_get "$1" "$2"; }
ext_get() { # NS NAME: a Linux TcpExt counter
	NS "$1" awk -v k="$2" '/^TcpExt:/ { if (!h) { for (i = 1; i <= NF; i++) n[i] = $i; h = 1 } else for (i = 1; i <= NF; i++) if (n[i] == k) print $i }' /proc/net/netstat
}

# xfer DESC SFAM CFAM [CAPTURE]: OFO_SIZE bytes from a (client) to b
# (server); sets PCAP (b's ACKs, when CAPTURE is 1 and tcpdump exists)
xfer() {
	local d=$1 sf=$2 cf=$3 cap=${4:-0} exp sl rf so co tp=
	newport
	rf=$R/ready.$PORT so=$R/srv.$PORT co=$R/cli.$PORT
	PCAP=$R/acks.$PORT.pcap
	rm -f "$PCAP"
	if [ "$cap" = 1 ] && command -v tcpdump >/dev/null; then
		B tcpdump -i "$IFB" -n -U --immediate-mode -s 128 -w "$PCAP" \
			"src host 10.0.0.2 and tcp src port $PORT" \
			>"$R/tcpdump.$PORT" 2>&1 &
		tp=$!
		wait_file 30 "$R/tcpdump.$PORT" listening
	fi
	rm -f "$rf"
	B "$X" server -f "$sf" -b 10.0.0.2 -p $PORT -t 150 --ready-file "$rf" >"$so" 2>&1 &
	local sp=$!
	wait_file 60 "$rf"
	local t0=$SECONDS
	A "$X" client -f "$cf" -a 10.0.0.2 -p $PORT -s "$SIZE" -t 150 >"$co" 2>&1
	local crc=$?
	wait $sp
	local src=$?
	if [ -n "$tp" ]; then
		sleep 0.5
		kill "$tp" 2>/dev/null
		wait "$tp" 2>/dev/null
	fi
	exp=$("$X" hash -s "$SIZE")
	sl=$(grep -o 'bytes=[0-9]* hash=[0-9a-f]*' "$so" | head -1)
	if [ "$src $crc" = "0 0" ] && [ "$sl" = "$exp" ]; then
		ok "$d: $SIZE byte-exact under reordering ($exp, $((SECONDS - t0)) s)"
	else
		nok "$d: byte-exact under reordering" "rc(s c)=$src $crc want '$exp' server '$(tr '\n' ' ' <"$so")' client '$(tr '\n' ' ' <"$co")'"
	fi
}

# sack_check DESC: the capture of the last xfer has ACKs with SACK blocks
# whose left edge is above the ACK number (not D-SACK: a reported hole);
# tcpdump -S prints the blocks unrelativized: "ack A, ..., sack 1 {L:R}"
sack_check() {
	local d=$1 n tot
	if [ ! -s "$PCAP" ]; then
		skip "$d: SACK blocks in the ACKs" "no capture"
		return
	fi
	tcpdump -r "$PCAP" -n -S 2>/dev/null >"$PCAP.txt"
	tot=$(grep -c ' ack ' "$PCAP.txt")
	n=$(awk 'match($0, / ack [0-9]+/) {
		a = substr($0, RSTART + 5, RLENGTH - 5) + 0
		s = $0
		while (match(s, /\{[0-9]+:/)) {
			l = substr(s, RSTART + 1, RLENGTH - 2) + 0
			s = substr(s, RSTART + RLENGTH)
			x = (l - a) % 4294967296
			if (x < 0)
				x += 4294967296
			if (x > 0 && x < 2147483648) { c++; break }
		}
	} END { print c + 0 }' "$PCAP.txt")
	if [ "$n" -gt 0 ]; then
		ok "$d: $n of $tot ACKs carry SACK blocks above the ACK (e.g. $(grep -m1 -o 'ack [0-9]*.*sack [^]]*' "$PCAP.txt"))"
	else
		nok "$d: ACKs carry SACK blocks" "$n of $tot; $(head -3 "$PCAP.txt" | tr '\n' ';')"
	fi
}

if [ "$HAVE_NETEM" = 0 ]; then
	skip "reordering transfers" "no netem (sch_netem)"
	tap_done
	exit
fi
A tc qdisc replace dev "$IFA" root netem $REORDER
diag "a $IFA: netem $REORDER; OFO_SIZE=$SIZE"

# ------------------------------------ Linux TCP sender -> XTCP receiver ---
q0=$(xstat b OFOQueue) m0=$(xstat b OFOMerge) d0=$(xstat b OfoDrop)
xfer "Linux->XTCP" xtcp tcp 1
diag "t=$SECONDS s"
q1=$(xstat b OFOQueue) m1=$(xstat b OFOMerge) d1=$(xstat b OfoDrop)
diag "XTCP receiver: OFOQueue +$((q1 - q0)) OFOMerge +$((m1 - m0)) OfoDrop +$((d1 - d0)) DSACKOldSent $(xstat b DSACKOldSent) DSACKOfoSent $(xstat b DSACKOfoSent)"
[ $((q1 - q0)) -gt 0 ] &&
	ok "Linux->XTCP: the XTCP receiver held out-of-order data (OFOQueue +$((q1 - q0)))" ||
	nok "Linux->XTCP: out-of-order data held" "OFOQueue $q0 -> $q1"
sack_check "Linux->XTCP"
xq=$((q1 - q0))

# ------------------------------------------ Linux TCP receiver, the same ---
l0=$(ext_get b TCPOFOQueue)
xfer "Linux->Linux" tcp tcp
l1=$(ext_get b TCPOFOQueue)
[ $((l1 - l0)) -gt 0 ] &&
	ok "Linux->Linux: Linux's receiver under the same reordering: TCPOFOQueue +$((l1 - l0)) (XTCP's OFOQueue +$xq)" ||
	nok "Linux->Linux: Linux's receiver saw reordering" "TCPOFOQueue $l0 -> $l1"

# ------------------------------------------------ XTCP -> XTCP ---
q0=$(xstat b OFOQueue)
xfer "XTCP->XTCP" xtcp xtcp 1
q1=$(xstat b OFOQueue)
[ $((q1 - q0)) -gt 0 ] &&
	ok "XTCP->XTCP: out-of-order data held (OFOQueue +$((q1 - q0)))" ||
	nok "XTCP->XTCP: out-of-order data held" "OFOQueue $q0 -> $q1"
sack_check "XTCP->XTCP"

A tc qdisc del dev "$IFA" root 2>/dev/null

# ---------------------------------------------- nothing left behind ---
if wait_until 60 eval '[ "$(xstat b Sockets)" = 0 ] && [ "$(xstat b MemPages)" = 0 ]'; then
	ok "receiver memory all given back: XTCP sockets $(xstat b Sockets), MemPages $(xstat b MemPages)"
else
	nok "receiver memory all given back" "Sockets $(xstat b Sockets) MemPages $(xstat b MemPages)"
fi
diag "t=$SECONDS s"
tap_done
