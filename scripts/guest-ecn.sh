#!/bin/bash
# Runs INSIDE a guest (scripts/vm): ECN (RFC 3168) over the virtio NICs,
# netns "a" (sender, client, 10.0.0.1) to "b" (receiver, 10.0.0.2), setup
# in lib-e2e.sh. A netem "loss 2% ecn" on a's NIC takes the full-sized
# data packets only (a prio qdisc and u32 filter: no SYN is ever lost):
# it marks ECT packets CE and drops the others. With ECN negotiated
# (net.xtcp.ecn / net.ipv4.tcp_ecn 1 on the client, the default 2 on the
# server) XTCP->XTCP, XTCP->Linux, Linux->XTCP and Linux->Linux are
# byte-exact, the capture shows the ECN-setup SYN (ECE|CWR) and SYN-ACK
# (ECE), ECT(0) on data and on nothing else, CE marks, ECE on ACKs and
# CWR on data, the sender counts TCPDeliveredCE (and XTCP EcnReductions)
# without retransmitting, TCP_INFO shows TCPI_OPT_ECN/_ECN_SEEN; with ECN
# off on either side nothing is negotiated and netem drops (RetransSegs
# > 0). IPv6 and IP_TOS/IPV6_TCLASS (the user's ECN bits ignored) too.
# TAP output, "N passed, N failed" last.
# Env: as guest-e2e.sh (XTCP_IFS, XTCP_KO, XTCP_RESULTS);
#      ECN_SIZE (default 1M) bytes per transfer.
# shellcheck source=lib-guest-init.sh
. "$(dirname "$0")/lib-guest-init.sh"
E2E_NAME=ecn
# shellcheck source=lib-e2e.sh
. "$here/lib-e2e.sh"
PORT=44000
SIZE=${ECN_SIZE:-1M}
CA=10.0.0.1
SA=10.0.0.2

# ------------------------------------------------------------ sysctl ---
xecn() { NS "$1" cat /proc/sys/net/xtcp/ecn; }
lecn() { NS "$1" sysctl -n net.ipv4.tcp_ecn; }
[ "$(xecn a)" = 2 ] && [ "$(xecn b)" = 2 ] && [ "$(lecn a)" = 2 ] &&
	ok "net.xtcp.ecn starts at 2 in each netns, as net.ipv4.tcp_ecn" ||
	nok "net.xtcp.ecn default" "xtcp a=$(xecn a) b=$(xecn b) linux=$(lecn a)"
bad=""
for v in 3 -1 x; do
	A sh -c "echo $v > /proc/sys/net/xtcp/ecn" 2>/dev/null && bad="$bad xtcp:$v"
	A sh -c "echo $v > /proc/sys/net/ipv4/tcp_ecn" 2>/dev/null && bad="$bad linux:$v"
done
xsys a ecn 1
[ -z "$bad" ] && [ "$(xecn a)" = 1 ] && [ "$(xecn b)" = 2 ] &&
	ok "net.xtcp.ecn takes 0..2 only (as tcp_ecn) and is per netns" ||
	nok "net.xtcp.ecn range and netns" "accepted:$bad a=$(xecn a) b=$(xecn b)"

if [ $HAVE_NETEM = 0 ]; then
	skip "ECN transfers" "no netem"
	tap_done
	exit 0
fi
for m in sch_prio cls_u32; do modprobe -q $m 2>/dev/null; done
# one segment per skb (Linux TCP and XTCP GSO), so netem sees segments
A ip link set dev "$IFA" gso_max_segs 1 2>/dev/null ||
	diag "gso_max_segs not settable: netem sees GSO skbs"
# full-sized IPv4 (total length 1500) and IPv6 (payload 1460) packets go
# through netem, the rest (SYNs, ACKs, the tail) around it
A tc qdisc add dev "$IFA" root handle 1: prio bands 3 \
	priomap 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 &&
	A tc qdisc add dev "$IFA" parent 1:1 handle 10: netem loss 2% ecn &&
	A tc filter add dev "$IFA" parent 1: protocol ip prio 1 u32 \
		match u16 1500 0xffff at 2 flowid 1:1 &&
	A tc filter add dev "$IFA" parent 1: protocol ipv6 prio 2 u32 \
		match u16 1460 0xffff at 4 flowid 1:1
if [ $? != 0 ]; then
	nok "netem loss 2% ecn on full-sized packets" "$(A tc qdisc show dev "$IFA")"
	tap_done
	exit 1
fi
diag "$(A tc -s qdisc show dev "$IFA" | tr '\n' ' ')"

PCAP=$R/all.pcap
A tcpdump -i "$IFA" -nn -U --immediate-mode -s 96 -w "$PCAP" tcp >"$R/td" 2>&1 &
wait_file 60 "$R/td" listening
# port_pcap PORT: that port's packets into their own file (one pass over the
# whole capture); cnt PORT FILTER: packets of it matching FILTER
port_pcap() {
	sleep 1	# the last packets
	tcpdump -nn -r "$PCAP" -w "$R/p$1.pcap" "tcp port $1" 2>/dev/null
}
cnt() { tcpdump -nn -r "$R/p$1.pcap" "$2" 2>/dev/null | wc -l; }
# IPv4 and IPv6 filter pieces: ECN field, TCP flags, payload length
ecn4() { echo "ip[1] & 3 == $1"; }
ecn6() { echo "ip6[1] & 0x30 == $(($1 << 4))"; }
fl4() { echo "tcp[13] & $1 == $2"; }
fl6() { echo "ip6[53] & $1 == $2"; }
data4() { echo "ip[2:2] - ((ip[0] & 0xf) << 2) - ((tcp[12] & 0xf0) >> 2) $1 0"; }
data6() { echo "ip6[4:2] - ((ip6[52] & 0xf0) >> 2) $1 0"; }

# counters of netns NS: XTCP's (xtcp_stat) or Linux's (netstat, snmp)
XC="RetransSegs TCPDeliveredCE EcnReductions EcnCeRcvd TCPLossProbes TCPTimeouts"
snap() { mib_snap "$1" "$2" "$XC"; }	# NS FAMILY
delta() { mib_delta "$@"; }

# xfer SF CF ADDR [client args]: b serves, a sends SIZE; sets OKX, XINFO,
# OPT_C / OPT_S (TCP_INFO tcpi_options of client / server), DT (ms)
xfer() {
	local sf=$1 cf=$2 addr=$3 exp sl cl t0
	shift 3
	local rf=$R/ready.$PORT so=$R/srv.$PORT co=$R/cli.$PORT
	rm -f "$rf"
	B "$X" server -f "$sf" -b "$addr" -p $PORT -t 120 --info --ready-file "$rf" >"$so" 2>&1 &
	local sp=$!
	wait_file 60 "$rf"
	t0=$(date +%s%N)
	A "$X" client -f "$cf" -a "$addr" -p $PORT -s "$SIZE" -t 120 --info "$@" >"$co" 2>&1
	local crc=$?
	wait $sp
	local src=$?
	DT=$((($(date +%s%N) - t0) / 1000000))
	exp=$("$X" hash -s "$SIZE")
	sl=$(grep -o 'bytes=[0-9]* hash=[0-9a-f]*' "$so" | head -1)
	cl=$(grep -o 'bytes=[0-9]* hash=[0-9a-f]*' "$co" | head -1)
	OPT_C=$(sed -n 's/^client tcpinfo options=\([0-9]*\)$/\1/p' "$co" | head -1)
	OPT_S=$(sed -n 's/^server tcpinfo options=\([0-9]*\)$/\1/p' "$so" | head -1)
	OKX=0
	[ "$src $crc" = "0 0" ] && [ "$sl" = "$exp" ] && [ "$cl" = "$exp" ] && OKX=1
	XINFO="rc=$src/$crc want '$exp' server '$sl' client '$cl'"
}

# ecn_on NAME SF CF [ADDR [client args]]: ECN negotiated and used
ecn_on() {
	local name=$1 sf=$2 cf=$3 addr=${4:-$SA} s0 s1 r0 r1 v=4 p why=""
	shift 3
	[ $# -gt 0 ] && shift
	case $addr in *:*) v=6 ;; esac
	newport
	p=$PORT
	s0=$(snap a "$cf")
	r0=$(snap b "$sf")
	xfer "$sf" "$cf" "$addr" "$@"
	s1=$(snap a "$cf")
	r1=$(snap b "$sf")
	port_pcap $p
	local syn synack ect ectnd ce ece cwr rtx dce red cer
	syn=$(cnt $p "src host ${addr%2}1 and $(fl$v 0xd2 0xc2)")
	synack=$(cnt $p "src host $addr and $(fl$v 0xd2 0x52)")
	ect=$(cnt $p "src host ${addr%2}1 and $(ecn$v 2) and $(data$v '>')")
	ectnd=$(cnt $p "src host ${addr%2}1 and not $(ecn$v 0) and $(data$v '==')")
	ce=$(cnt $p "src host ${addr%2}1 and $(ecn$v 3)")
	ece=$(cnt $p "src host $addr and $(fl$v 0x42 0x40)")
	cwr=$(cnt $p "src host ${addr%2}1 and $(fl$v 0x82 0x80) and $(data$v '>')")
	rtx=$(delta "$s0" "$s1" RetransSegs)
	dce=$(delta "$s0" "$s1" TCPDeliveredCE)
	red=$(delta "$s0" "$s1" EcnReductions)
	cer=$(delta "$r0" "$r1" EcnCeRcvd)
	diag "$name: $SIZE in $DT ms; SYN ECE|CWR $syn, SYN-ACK ECE $synack, ECT(0) data $ect, ECT without data $ectnd, CE $ce, ACKs with ECE $ece, data with CWR $cwr; sender RetransSegs +$rtx (TCPLossProbes +$(delta "$s0" "$s1" TCPLossProbes), TCPTimeouts +$(delta "$s0" "$s1" TCPTimeouts)) TCPDeliveredCE +$dce EcnReductions +$red; receiver EcnCeRcvd +$cer; tcpi_options client $OPT_C server $OPT_S"
	[ "$OKX" = 1 ] && ok "$name: $SIZE byte-exact through netem loss 2% ecn" ||
		nok "$name: byte-exact" "$XINFO"
	[ "$syn" -ge 1 ] && [ "$synack" -ge 1 ] &&
		ok "$name: SYN with ECE|CWR, SYN-ACK with ECE alone (RFC 3168 §6.1.1)" ||
		nok "$name: ECN-setup SYN and SYN-ACK" "SYN $syn SYN-ACK $synack"
	[ "$ect" -ge 100 ] && [ "$ectnd" = 0 ] &&
		ok "$name: ECT(0) on $ect data segments, on no segment without data" ||
		nok "$name: ECT(0) on data only" "data $ect, without data $ectnd"
	[ "$ce" -ge 1 ] && [ "$ece" -ge 1 ] && [ "$cwr" -ge 1 ] &&
		ok "$name: $ce CE marks, $ece ACKs with ECE, $cwr data segments with CWR" ||
		nok "$name: CE echoed and answered" "CE $ce ECE $ece CWR $cwr"
	[ "$dce" -ge 1 ] || why="$why TCPDeliveredCE+$dce"
	[ "$cf" = xtcp ] && [ "$red" -lt 1 ] && why="$why EcnReductions+$red"
	# netem marked instead of dropping: far fewer retransmissions than
	# marks (with ECN off each would be a loss: ecn_off below)
	[ $((2 * rtx)) -lt "$ce" ] || why="$why RetransSegs+$rtx (CE $ce)"
	[ -z "$why" ] &&
		ok "$name: the sender reduced its window (TCPDeliveredCE +$dce$([ "$cf" = xtcp ] && echo ", EcnReductions +$red")), RetransSegs +$rtx" ||
		nok "$name: the sender reacted to marks, not losses" "$why"
	[ "$sf" = xtcp ] && {
		[ "$cer" -ge 1 ] && ok "$name: the XTCP receiver counted EcnCeRcvd +$cer" ||
			nok "$name: EcnCeRcvd" "+$cer"
	}
	# TCPI_OPT_ECN 8 on both ends, TCPI_OPT_ECN_SEEN 16 at the receiver
	[ $((${OPT_C:-0} & 8)) = 8 ] && [ $((${OPT_S:-0} & 24)) = 24 ] &&
		ok "$name: tcpi_options has ECN (client $OPT_C) and ECN|ECN_SEEN (server $OPT_S)" ||
		nok "$name: tcpi_options ECN bits" "client '$OPT_C' server '$OPT_S'"
}

# ecn_off NAME SF CF: nothing negotiated, netem drops
ecn_off() {
	local name=$1 sf=$2 cf=$3 s0 s1 p ecnseg ect rtx
	newport
	p=$PORT
	s0=$(snap a "$cf")
	xfer "$sf" "$cf" $SA
	s1=$(snap a "$cf")
	port_pcap $p
	ecnseg=$(cnt $p "not (tcp[13] & 0x02 == 0x02 and src host $CA) and tcp[13] & 0xc0 != 0")
	ect=$(cnt $p "not $(ecn4 0)")
	rtx=$(delta "$s0" "$s1" RetransSegs)
	diag "$name: $SIZE in $DT ms; ECE/CWR past the SYN $ecnseg, ECT/CE $ect, RetransSegs +$rtx; tcpi_options client $OPT_C server $OPT_S"
	[ "$OKX" = 1 ] && ok "$name: $SIZE byte-exact through netem loss 2% ecn" ||
		nok "$name: byte-exact" "$XINFO"
	[ "$ecnseg" = 0 ] && [ "$ect" = 0 ] && [ $((${OPT_C:-0} & 8)) = 0 ] &&
		[ $((${OPT_S:-0} & 24)) = 0 ] &&
		ok "$name: no ECN negotiated (no ECE/CWR after the SYN, no ECT, tcpi_options $OPT_C/$OPT_S)" ||
		nok "$name: no ECN negotiated" "ECE/CWR $ecnseg ECT $ect tcpi_options $OPT_C/$OPT_S"
	[ "$rtx" -ge 3 ] && ok "$name: netem dropped instead (RetransSegs +$rtx)" ||
		nok "$name: netem dropped instead" "RetransSegs +$rtx"
}

diag "setup done after $(($(date +%s) - t_start)) s"
# ECN on: the client asks (1), the server accepts (2, the default)
xsys a ecn 1
A sysctl -qw net.ipv4.tcp_ecn=1
ecn_on "XTCP->XTCP" "$(fam x)" "$(fam x)"
ecn_on "XTCP->Linux" tcp "$(fam x)"
ecn_on "Linux->XTCP" "$(fam x)" tcp
ecn_on "Linux->Linux" tcp tcp
ecn_on "XTCP->XTCP IPv6" "$(fam x)" "$(fam x)" fd00::2
diag "ECN on done after $(($(date +%s) - t_start)) s"

# IP_TOS / IPV6_TCLASS 0x13: the ECN bits are the kernel's (0x10 kept,
# the user's CE dropped: ECT(0) on data, nothing on the rest)
tos_check() { # NAME FAM ADDR
	local name=$1 f=$2 addr=$3 v=4 p tos_f bad
	case $addr in *:*) v=6 ;; esac
	newport
	p=$PORT
	xfer "$(fam x)" "$f" "$addr" --tos 0x13
	port_pcap $p
	if [ $v = 4 ]; then tos_f="ip[1] & 0xfc == 0x10"; else tos_f="ip6[0:2] & 0x0fc0 == 0x0100"; fi
	# SYN, data and FIN (set before connect(): an XTCP socket not yet
	# bound takes IPV6_TCLASS as an AF_INET6 socket does)
	bad=$(cnt $p "src host ${addr%2}1 and ($(data$v '>') or $(fl$v 0x01 0x01) or $(fl$v 0x02 0x02)) and not ($tos_f)")
	local syn
	syn=$(cnt $p "src host ${addr%2}1 and $(fl$v 0x02 0x02) and ($tos_f)")
	local nd ect
	nd=$(cnt $p "src host ${addr%2}1 and $(data$v '==') and not $(ecn$v 0)")
	ect=$(cnt $p "src host ${addr%2}1 and $(data$v '>') and ($(ecn$v 2) or $(ecn$v 3))")
	[ "$OKX" = 1 ] && [ "$bad" = 0 ] && [ "$syn" -ge 1 ] && [ "$nd" = 0 ] && [ "$ect" -ge 100 ] &&
		ok "$name: TOS 0x13 set: 0x10 on SYN, data and FIN, ECN bits only the kernel's (ECT/CE on $ect data, none on the rest)" ||
		nok "$name: TOS 0x13 keeps the kernel's ECN bits" "$XINFO other-TOS $bad SYN-with-TOS $syn ECN-without-data $nd ECT-data $ect"
}
tos_check "XTCP IP_TOS" "$(fam x)" $SA
tos_check "Linux IP_TOS" tcp $SA
tos_check "XTCP IPV6_TCLASS" "$(fam x)" fd00::2

# ECN off on either side
xsys a ecn 0
ecn_off "XTCP ecn=0 -> XTCP" "$(fam x)" "$(fam x)"
xsys a ecn 1
B sysctl -qw net.ipv4.tcp_ecn=0
ecn_off "XTCP ecn=1 -> Linux tcp_ecn=0" tcp "$(fam x)"
B sysctl -qw net.ipv4.tcp_ecn=2
xsys b ecn 0
ecn_off "Linux tcp_ecn=1 -> XTCP ecn=0" "$(fam x)" tcp
A sysctl -qw net.ipv4.tcp_ecn=0
ecn_off "Linux->Linux tcp_ecn=0" tcp tcp
xsys b ecn 2
A sysctl -qw net.ipv4.tcp_ecn=2
A tc qdisc del dev "$IFA" root
diag "ecn suite ran $(($(date +%s) - t_start)) s"
tap_done
