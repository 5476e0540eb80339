#!/bin/bash
# Runs INSIDE a guest (scripts/vm): XTCP loss recovery over the virtio NICs
# between netns "a" (sender) and "b" (receiver), setup in lib-e2e.sh.
#  - one data segment dropped once in a long transfer (an nft quota rule in
#    the receiver's prerouting hook, GRO off: Linux TCP hands GSO
#    super-packets to the sender's hooks) is repaired by fast retransmit / RACK without
#    an RTO: XTCP->XTCP, XTCP->Linux, and Linux->Linux for comparison;
#  - the tail segment dropped once is repaired by a tail loss probe;
#  - netem loss 1%, byte-exact.
# TAP output, "N passed, N failed" last.
# Env: as guest-e2e.sh (XTCP_IFS, XTCP_KO, XTCP_RESULTS);
#      RECOV_SIZE (default 1M) bytes of the single-drop transfers.
# shellcheck source=lib-guest-init.sh
. "$(dirname "$0")/lib-guest-init.sh"
E2E_NAME=recov
# shellcheck source=lib-e2e.sh
. "$here/lib-e2e.sh"
PORT=40000
SIZE=${RECOV_SIZE:-1M}

# counters: XTCP's /proc/net/xtcp_stat (snap: Linux's TcpExt and Tcp too)
xcnt() { NS "$1" awk -v k="$2" '$1==k {print $2}' /proc/net/xtcp_stat; }
XC="RetransSegs TCPTimeouts TCPFastRetrans TCPSackRecovery TCPRenoRecovery TCPLossProbes TCPLossProbeRecovery"
snap() { mib_snap a "$1" "$XC"; }	# FAMILY (lib-e2e.sh)
delta() { mib_delta "$@"; }
deltas() { # BEFORE AFTER: every counter's change
	local k
	for k in $XC; do printf '%s+%s ' "$k" "$(delta "$1" "$2" "$k")"; done
}
ms() { echo $(($(date +%s%N) / 1000000)); }

if [ $HAVE_NFT = 0 ]; then
	skip "single loss" "no nft"
	tap_done
	exit 0
fi
# one packet per segment at b's prerouting hook (no GRO), and Linux TCP
# sends one segment per skb, so that netem drops segments, not 64 KB
B ethtool -K "$IFB" gro off >/dev/null 2>&1
A ip link set dev "$IFA" gso_max_segs 1 2>/dev/null ||
	diag "gso_max_segs not settable: netem drops Linux TCP's GSO skbs whole"
B nft add chain inet xtest rin '{ type filter hook prerouting priority -250; }'

# drop_rules PORT PASS LO HI: drop the first packet to PORT with an IP
# length in [LO, HI] once PASS bytes of such packets went through
drop_rules() {
	B nft flush chain inet xtest rin
	B nft add rule inet xtest rin ip saddr 10.0.0.1 tcp dport "$1" \
		ip length "$3-$4" quota until "$2" bytes accept
	B nft add rule inet xtest rin ip saddr 10.0.0.1 tcp dport "$1" \
		ip length "$3-$4" quota until "$4" bytes counter drop
}
dropped() { B nft list chain inet xtest rin | grep -o 'packets [0-9]*' | awk '{print $2}'; }

# xfer SERVER_FAM CLIENT_FAM SIZE [client args]: b receives, a sends; sets
# OKX (byte-exact), DT (ms)
xfer() {
	local sf=$1 cf=$2 sz=$3 exp sl cl t0
	shift 3
	local rf=$R/ready.$PORT so=$R/srv.$PORT co=$R/cli.$PORT
	rm -f "$rf"
	B "$X" server -f "$sf" -b 10.0.0.2 -p $PORT -t 240 --ready-file "$rf" >"$so" 2>&1 &
	local sp=$!
	wait_file 60 "$rf"
	t0=$(ms)
	A "$X" client -f "$cf" -a 10.0.0.2 -p $PORT -s "$sz" -t 240 "$@" >"$co" 2>&1
	local crc=$?
	wait $sp
	local src=$?
	DT=$(($(ms) - t0))
	exp=$("$X" hash -s "$sz")
	sl=$(grep -o 'bytes=[0-9]* hash=[0-9a-f]*' "$so" | head -1)
	cl=$(grep -o 'bytes=[0-9]* hash=[0-9a-f]*' "$co" | head -1)
	OKX=0
	[ "$src $crc" = "0 0" ] && [ "$sl" = "$exp" ] && [ "$cl" = "$exp" ] && OKX=1
	XINFO="rc=$src/$crc want '$exp' server '$sl' client '$cl'"
}

# ----------------------------------------- one segment dropped once ---
single_loss() { # NAME SERVER_FAM CLIENT_FAM
	local name=$1 sf=$2 cf=$3 s0 s1 base d rtx rto fr o0=0 o1=0 ofo=0
	newport
	B nft flush chain inet xtest rin
	xfer "$sf" "$cf" "$SIZE"
	base=$DT
	newport
	drop_rules $PORT 300000 1000 1600
	[ "$sf" = xtcp ] && o0=$(xcnt b OfoDrop)
	s0=$(snap "$cf")
	xfer "$sf" "$cf" "$SIZE"
	s1=$(snap "$cf")
	[ "$sf" = xtcp ] && o1=$(xcnt b OfoDrop) && ofo=$((o1 - o0))
	d=$(dropped)
	rtx=$(delta "$s0" "$s1" RetransSegs)
	rto=$(delta "$s0" "$s1" TCPTimeouts)
	fr=$(($(delta "$s0" "$s1" TCPFastRetrans) + $(delta "$s0" "$s1" TCPLossProbes)))
	diag "$name: $SIZE in ${base} ms clean, ${DT} ms with one drop; $(deltas "$s0" "$s1")"
	# an XTCP receiver without reassembly (OfoDrop) discards all that
	# follows the hole and sends no SACK: only byte-exactness is asserted
	if [ "$ofo" -gt 0 ]; then
		[ "$OKX" = 1 ] && [ "$d" = 1 ] &&
			ok "$name: byte-exact after one dropped segment ($XINFO)" ||
			nok "$name: byte-exact after one dropped segment" "$XINFO dropped=$d"
		skip "$name: repaired without an RTO" "the receiver discarded $ofo out-of-order segments (no reassembly queue)"
		return 0
	fi
	if [ "$OKX" = 1 ] && [ "$d" = 1 ] && [ "$rto" = 0 ] && [ "$rtx" -ge 1 ] &&
		[ "$rtx" -le 3 ] && [ "$fr" -ge 1 ]; then
		ok "$name: one dropped segment repaired without an RTO (RetransSegs +$rtx, TCPFastRetrans/TCPLossProbes +$fr, ${DT} ms vs ${base} ms clean)"
	else
		nok "$name: one dropped segment repaired without an RTO" \
			"$XINFO dropped=$d RetransSegs+$rtx TCPTimeouts+$rto fast+$fr"
	fi
	[ "$cf" = xtcp ] || return 0
	# SACK recovery when the receiver sends SACK blocks, NewReno on
	# dupACKs when it does not (an XTCP receiver without reassembly)
	local sr rr
	sr=$(delta "$s0" "$s1" TCPSackRecovery)
	rr=$(delta "$s0" "$s1" TCPRenoRecovery)
	[ $((sr + rr)) -ge 1 ] &&
		ok "$name: fast recovery entered (TCPSackRecovery +$sr, TCPRenoRecovery +$rr)" ||
		nok "$name: fast recovery entered" "TCPSackRecovery +$sr TCPRenoRecovery +$rr"
}
diag "setup done after $(($(date +%s) - t_start)) s"
single_loss "XTCP->XTCP" "$(fam x)" "$(fam x)"
single_loss "XTCP->Linux" tcp "$(fam x)"
single_loss "Linux->Linux" tcp tcp

# --------------------------------------------- the tail dropped once ---
# 5000 bytes: three full segments and a short one, the one dropped; the
# sender then stays quiet (--hold) so only a probe or the RTO can repair it
tail_loss() { # NAME SERVER_FAM CLIENT_FAM
	local name=$1 sf=$2 cf=$3 s0 s1 d rto lp
	newport
	drop_rules $PORT 0 200 1000
	s0=$(snap "$cf")
	xfer "$sf" "$cf" 5000 --hold 2000
	s1=$(snap "$cf")
	d=$(dropped)
	rto=$(delta "$s0" "$s1" TCPTimeouts)
	lp=$(delta "$s0" "$s1" TCPLossProbes)
	if [ "$OKX" = 1 ] && [ "$d" = 1 ] && [ "$rto" = 0 ] && [ "$lp" -ge 1 ]; then
		ok "$name: the dropped tail repaired by a loss probe (TCPLossProbes +$lp, TCPLossProbeRecovery +$(delta "$s0" "$s1" TCPLossProbeRecovery), no RTO)"
	else
		nok "$name: the dropped tail repaired by a loss probe" \
			"$XINFO dropped=$d TCPTimeouts+$rto TCPLossProbes+$lp"
	fi
}
diag "single losses done after $(($(date +%s) - t_start)) s"
# Linux TCP's autocorking can hold the short tail until the NIC is done
# with the full segments; a loss probe then sends it as new data, and the
# dropped tail is the probe itself, which only the RTO repairs (seen on a
# busy host). Off, so the tail leaves with the rest, as XTCP sends it.
ac=$(A sysctl -n net.ipv4.tcp_autocorking 2>/dev/null)
A sysctl -qw net.ipv4.tcp_autocorking=0 2>/dev/null
tail_loss "XTCP->XTCP tail" "$(fam x)" "$(fam x)"
tail_loss "XTCP->Linux tail" tcp "$(fam x)"
tail_loss "Linux->Linux tail" tcp tcp
B nft flush chain inet xtest rin
[ -n "$ac" ] && A sysctl -qw net.ipv4.tcp_autocorking="$ac"

diag "tail losses done after $(($(date +%s) - t_start)) s"
# ----------------------------------------------------- netem loss 1% ---
if [ $HAVE_NETEM = 1 ]; then
	A tc qdisc add dev "$IFA" root netem loss 1%
	B tc qdisc add dev "$IFB" root netem loss 1%
	for p in "XTCP->XTCP $(fam x) $(fam x)" "XTCP->Linux tcp $(fam x)" "Linux->XTCP $(fam x) tcp"; do
		read -r name sf cf <<<"$p"
		newport
		s0=$(snap "$cf")
		xfer "$sf" "$cf" 1M
		s1=$(snap "$cf")
		[ "$OKX" = 1 ] &&
			ok "1% loss $name 1 MB byte-exact in $DT ms (RetransSegs +$(delta "$s0" "$s1" RetransSegs), TCPTimeouts +$(delta "$s0" "$s1" TCPTimeouts))" ||
			nok "1% loss $name 1 MB" "$XINFO"
	done
	A tc qdisc del dev "$IFA" root; B tc qdisc del dev "$IFB" root
else
	skip "1% loss" "no netem"
fi
B ethtool -K "$IFB" gro on >/dev/null 2>&1
diag "recov suite ran $(($(date +%s) - t_start)) s"
tap_done
