#!/bin/bash
# Runs INSIDE a guest (scripts/vm): GSO on output. XTCP gathers the data
# segments of one core call into GSO skbs (net.xtcp.gso, default 1) that
# the NIC (TSO) or the stack (software GSO) cuts back into segments.
# Transfers from netns a to b over the virtio NICs (lib-e2e.sh), each
# byte-exact (xtcp_xfer's FNV-1a hash on both ends), XTCP->XTCP and
# XTCP->Linux:
#  - sizes around the GSO boundaries (65535, 65536, 65537, multiples of
#    the 1448-byte MSS +-1), IPv4 and IPv6, 1-byte writes, MSG_MORE;
#  - GSO really happened: XTCP's OutGsoSkbs counted, and a's nft OUTPUT
#    hook (before the segmentation) saw packets longer than the MTU and
#    fewer skbs than OutSegs counted segments, as for a Linux TCP sender;
#  - none with net.xtcp.gso=0 (one skb per segment), the transfers still
#    byte-exact; with "ethtool -K tso off gso off" on the NICs GSO skbs
#    all the same, cut by the stack, as Linux TCP's;
#  - loss: b drops one wire segment, or 3% at random (holes inside GSO
#    runs), or a's netem whole GSO skbs: the lost segments are
#    retransmitted (in GSO skbs too) and the transfers still byte-exact;
#  - a 4 KB receive buffer on b (partial acks of the send queue's skbs),
#    700-byte MSG_MORE writes and netem loss: byte-exact.
# TAP output, "N passed, N failed" last.
# Env: GSO_SMALL bytes sent in 1-byte writes (default 100000, 20000 with
#      QUICK=1); QUICK, XTCP_KO, XTCP_RESULTS as guest-e2e.sh
# shellcheck source=lib-guest-init.sh
. "$(dirname "$0")/lib-guest-init.sh"
E2E_NAME=gso
# shellcheck source=lib-e2e.sh
. "$here/lib-e2e.sh"
# shellcheck source=lib-loss.sh
. "$here/lib-loss.sh"
PORT=33000
SMALL=${GSO_SMALL:-100000}
[ "$QUICK" = 1 ] && SMALL=${GSO_SMALL:-20000}
BIG=400000
M=1448	# the MSS with timestamps over a 1500-byte MTU

if [ $HAVE_NFT = 0 ]; then
	skip "GSO on output" "no nft in this kernel"
	tap_done
	exit
fi
loss_modules
diag "$IFA: $(A ethtool -k "$IFA" 2>/dev/null | grep -E '^(tcp-segmentation-offload|generic-segmentation-offload|tx-checksumming):' | tr '\n' ' ')"

# a's OUTPUT hook sees what the stack hands to IP: TCP skbs to b and
# those longer than the MTU (GSO skbs, not yet cut)
A nft add chain inet xtest out '{ type filter hook output priority 0; }'
A nft add rule inet xtest out ip daddr 10.0.0.2 tcp dport '>=' 33000 counter comment '"skbs"'
A nft add rule inet xtest out ip daddr 10.0.0.2 tcp dport '>=' 33000 meta length gt "$MTU_NIC" counter comment '"big"'
A nft add rule inet xtest out ip6 daddr fd00::2 tcp dport '>=' 33000 meta length gt "$MTU_NIC" counter comment '"big6"'
# nft_pkts NAME: packets the rule with that comment counted
nft_pkts() {
	A nft list chain inet xtest out |
		awk -v c="\"$1\"" '$0 ~ "comment " c { for (i = 1; i < NF; i++) if ($i == "packets") print $(i + 1) }'
}

# a process in netns a: its /proc/PID/net is a's, read without a fork
"$NSX" a sleep 100000 &
PA=$!
in_ns() { [ "$(readlink /proc/"$1"/ns/net)" != "$(readlink /proc/self/ns/net)" ]; }
wait_until 60 in_ns $PA || nok "counter reader in netns a" "/proc/$PA"
xstat() { awk -v k="$1" '$1 == k { print $2 }' /proc/$PA/net/xtcp_stat; }
# snap: XTCP's counters in a (and nft's, with "nft")
declare -A S0 S1
snap() { # ARRAY [nft]
	local -n arr=$1
	local k
	for k in OutGsoSkbs OutSegs RetransSegs OutSegsCopied OutSpliceBytes; do arr[$k]=$(xstat $k); done
	if [ "${2:-}" = nft ]; then
		for k in skbs big big6; do arr[$k]=$(nft_pkts $k); done
	fi
}
d() { echo $((S1[$1] - S0[$1])); }

# xfer S R SIZE ADDR [client args...]: sender S in a (x XTCP, t Linux) to
# receiver R in b, SIZE bytes; OK=1 when both ends saw the expected
# bytes and hash; WHY otherwise
xfer() {
	newport
	xfer_p "$PORT" "$@"
}
# xfer_p PORT S R SIZE ADDR [client args...]: the same on port PORT
xfer_p() {
	local PORT=$1 s=$2 r=$3 size=$4 addr=$5 exp sp src crc
	shift 5
	local rf=$R/ready.$PORT so=$R/srv.$PORT co=$R/cli.$PORT
	exp=$("$X" hash -s "$size")
	rm -f "$rf"
	# shellcheck disable=SC2086
	B "$X" server -f "$(fam "$r")" -b "$addr" -p "$PORT" -t 200 \
		--ready-file "$rf" ${SRV_ARGS:-} >"$so" 2>&1 &
	sp=$!
	wait_file 60 "$rf"
	A "$X" client -f "$(fam "$s")" -a "$addr" -p "$PORT" -s "$size" \
		-t 200 "$@" >"$co" 2>&1
	crc=$?
	wait $sp
	src=$?
	xfer_judge "$exp" "$so" "$co" "$src" "$crc"
}
name() { [ "$1" = x ] && echo XTCP || echo Linux; }
# exact DESC S R SIZE ADDR [args]: one byte-exact transfer, one TAP line
exact() {
	local desc=$1
	shift
	xfer "$@"
	if [ $OK = 1 ]; then ok "$desc: $(name "$1")->$(name "$2") $3 bytes byte-exact"
	else nok "$desc: $(name "$1")->$(name "$2") $3 bytes" "$WHY"; fi
}
# sizes DESC R SIZES: transfers XTCP->R over IPv4 of each size, side by
# side (each on its own port), in one TAP line: all byte-exact
SIZES="65535 65536 65537 $((45 * M - 1)) $((45 * M)) $((45 * M + 1)) $((M - 1)) $((M + 1))"
sizes() {
	local desc=$1 r=$2 n bad="" pids=""
	for n in $3; do
		newport
		rm -f "$R/res.$n"
		(xfer_p $PORT x "$r" "$n" 10.0.0.2; echo "$OK $WHY" >"$R/res.$n") &
		pids="$pids $!"
	done
	# shellcheck disable=SC2086
	wait $pids
	for n in $3; do
		[ "$(cut -d' ' -f1 "$R/res.$n" 2>/dev/null)" = 1 ] ||
			bad="$bad $n: $(cat "$R/res.$n" 2>/dev/null);"
	done
	if [ -z "$bad" ]; then ok "$desc: XTCP->$(name "$r") $3 bytes byte-exact"
	else nok "$desc: XTCP->$(name "$r") boundary sizes" "$bad"; fi
}

# ------------------------------------------------ GSO on (default) ---
diag "at $(($(date +%s) - t_start)) s: GSO on"
for r in x t; do
	sizes "gso on" $r "$SIZES"
done

# a bulk transfer: GSO skbs counted and seen by the OUTPUT hook
gso_seen() { # DESC S R ADDR BIGKEY [args]
	local desc=$1 s=$2 r=$3 addr=$4 key=$5 g
	shift 5
	snap S0 nft
	xfer "$s" "$r" $BIG "$addr" "$@"
	snap S1 nft
	g=$(d OutGsoSkbs)
	desc="$desc: $(name "$s")->$(name "$r") $BIG bytes: OUTPUT saw"
	[ "$key" = big ] && desc="$desc $(d skbs) skbs to b,"
	desc="$desc $(d "$key") longer than $MTU_NIC"
	[ "$s" = x ] && desc="$desc; XTCP OutGsoSkbs +$g, OutSegs +$(d OutSegs), OutSegsCopied +$(d OutSegsCopied)"
	if [ $OK != 1 ]; then
		nok "$desc" "$WHY"
	elif [ "$s" = x ] && [ "$(d OutSegsCopied)" != 0 ]; then
		# segments reference the write queue's pages (no second copy)
		nok "$desc" "segment payloads copied"
	elif [ "$(d "$key")" -lt 1 ]; then
		nok "$desc" "no skb longer than the MTU"
	elif [ "$s" = x ] && { [ "$g" -lt 1 ] || [ "$g" -gt "$(d "$key")" ] ||
		{ [ "$key" = big ] && [ "$(d skbs)" -ge "$(d OutSegs)" ]; }; }; then
		nok "$desc" "want OutGsoSkbs >= 1, each one a long skb, fewer skbs than segments"
	else
		ok "$desc"
	fi
}
gso_seen "GSO skbs" x x 10.0.0.2 big
gso_seen "GSO skbs" x t 10.0.0.2 big
gso_seen "GSO skbs (Linux TCP the same)" t x 10.0.0.2 big
gso_seen "GSO skbs over IPv6" x x fd00::2 big6
exact "IPv6 boundary" x t $((45 * M + 1)) fd00::2

# small writes (Nagle gathers them) and MSG_MORE
for r in x t; do
	exact "1-byte writes" x $r "$SMALL" 10.0.0.2 --wsize 1
done
exact "MSG_MORE, 1000-byte writes" x x $BIG 10.0.0.2 --more --wsize 1000
exact "MSG_MORE, 1000-byte writes" x t 65537 10.0.0.2 --more --wsize 1000

# ------------------------------------------------ net.xtcp.gso=0 ---
diag "at $(($(date +%s) - t_start)) s: net.xtcp.gso=0"
xsys a gso 0
check "net.xtcp.gso reads back 0" [ "$(A cat /proc/sys/net/xtcp/gso)" = 0 ]
if A sh -c 'echo 2 > /proc/sys/net/xtcp/gso' 2>/dev/null; then
	nok "net.xtcp.gso=2 refused"
else
	ok "net.xtcp.gso=2 refused"
fi
snap S0 nft
xfer x x $BIG 10.0.0.2
snap S1 nft
desc="net.xtcp.gso=0: XTCP->XTCP $BIG bytes: OutGsoSkbs +$(d OutGsoSkbs), OUTPUT saw $(d skbs) skbs to b (OutSegs +$(d OutSegs)), $(d big) longer than $MTU_NIC"
if [ $OK = 1 ] && [ "$(d OutGsoSkbs)" = 0 ] && [ "$(d big)" = 0 ] &&
	[ "$(d skbs)" -ge "$(d OutSegs)" ]; then
	ok "$desc"
else
	nok "$desc" "want byte-exact, no GSO skb, one skb per segment; $WHY"
fi
sizes "net.xtcp.gso=0" t "65536 65537 $((45 * M + 1))"
xsys a gso 1

# ------------------------------------------- tso off gso off (ethtool) ---
# Linux TCP builds GSO skbs all the same (sk_setup_caps() forces GSO for
# TCP) and the stack cuts them; XTCP does as Linux TCP
diag "at $(($(date +%s) - t_start)) s: ethtool -K tso off gso off"
if A ethtool -K "$IFA" tso off gso off 2>/dev/null &&
	B ethtool -K "$IFB" tso off gso off 2>/dev/null; then
	gso_seen "tso off gso off, GSO skbs cut by the stack" x x 10.0.0.2 big
	gso_seen "tso off gso off (Linux TCP the same)" t x 10.0.0.2 big
	sizes "tso off gso off" t "65536 65537 $((45 * M + 1))"
	for f in gso tso; do
		A ethtool -K "$IFA" $f on 2>/dev/null
		B ethtool -K "$IFB" $f on 2>/dev/null
	done
else
	skip "tso off gso off" "ethtool -K failed"
fi

# ------------------------------------------------------------- loss ---
diag "at $(($(date +%s) - t_start)) s: loss"
for n in a b; do xsys $n syn_retries 6; done
# lossy DESC R PKEY MIN: a transfer XTCP->R under the loss set up by the
# caller; PKEY: netem, or a command printing the count of drops
nft_b() { # packets the rule of b's prerouting chain with comment $1 counted
	B nft list chain inet xtest pre |
		awk -v c="\"$1\"" '$0 ~ "comment " c { for (i = 1; i < NF; i++) if ($i == "packets") print $(i + 1) }'
}
lost_now() { if [ "$1" = netem ]; then netem_stat a "$IFA" dropped; else $1; fi; }
lossy() { # DESC R PKEY MIN: MIN drops at least
	local desc=$1 r=$2 key=$3 min=$4 q0 lost
	snap S0
	q0=$(lost_now "$key")
	xfer x "$r" $BIG 10.0.0.2
	snap S1
	lost=$(($(lost_now "$key") - q0))
	desc="$desc: XTCP->$(name "$r") $BIG bytes byte-exact, OutGsoSkbs +$(d OutGsoSkbs), RetransSegs +$(d RetransSegs) ($lost dropped), OutSegsCopied +$(d OutSegsCopied)"
	if [ $OK = 1 ] && [ "$(d OutGsoSkbs)" -ge 1 ] && [ "$lost" -ge "$min" ] &&
		[ "$(d OutSegsCopied)" = 0 ] &&
		{ [ "$lost" = 0 ] || [ "$(d RetransSegs)" -ge 1 ]; }; then
		ok "$desc"
	else
		nok "$desc" "want byte-exact, GSO skbs, >= $min dropped, lost segments retransmitted; $WHY"
	fi
}
lost_once() { drop_once_count b "$DROP_PORT"; }
# b drops one wire segment (lib-loss.sh, GRO off on b's NIC) after
# 150 KB: a hole inside a GSO run, repaired by SACK recovery
for r in x t; do
	DROP_PORT=$((PORT + 1))	# xfer's next port
	drop_once_after b $DROP_PORT 150000 ||
		{ nok "nft rule dropping one segment"; continue; }
	lossy "one wire segment lost" $r lost_once 1
	drop_once_clear b $DROP_PORT
done
# b drops 3% of a's data segments at random (about 8 of 280; none at all:
# p < 0.001); the debug kernel has no nft numgen
if modprobe -q nft_numgen 2>/dev/null; [ -d /sys/module/nft_numgen ] &&
	B nft add rule inet xtest pre ip saddr 10.0.0.1 tcp dport '>=' 33000 \
		meta length gt 80 numgen random mod 100 lt 3 counter drop comment '"rnd"'; then
	for r in x t; do
		lossy "3% of the wire segments lost" $r "nft_b rnd" 1
	done
	B nft flush chain inet xtest pre
	B nft add rule inet xtest pre tcp dport 9 drop
else
	skip "3% of the wire segments lost" "no nft numgen"
fi
# a's netem drops whole GSO skbs (several segments each)
if [ $HAVE_NETEM = 1 ]; then
	netem_set a "$IFA" loss 10%
	lossy "netem loss 10% of the skbs" x netem 0
	netem_clear a "$IFA"
	# the send queue's skbs are page fragments that segments refer to
	# (no copy): b's 4 KB SO_RCVBUF acknowledges parts of them, 700-byte
	# MSG_MORE writes fill them, a's netem loses some of what refers to
	# them; the retransmissions from the same pages stay byte-exact
	netem_set a "$IFA" loss 5%
	# a packet a loses may be its last ACK (of b's FIN), which b then
	# resends: b's retransmissions count too
	for r in x t; do
		rf=tcp
		[ $r = x ] && rf=xtcp
		snap S0
		rb0=$(mib_snap b $rf RetransSegs)
		q0=$(netem_stat a "$IFA" dropped)
		SRV_ARGS="--rcvbuf 4096" xfer x $r 150000 10.0.0.2 --more --wsize 700
		snap S1
		rb1=$(mib_snap b $rf RetransSegs)
		lost=$(($(netem_stat a "$IFA" dropped) - q0))
		rtx=$(($(d RetransSegs) + $(mib_delta "$rb0" "$rb1" RetransSegs)))
		desc="4 KB receive buffer, 700-byte MSG_MORE writes, netem loss 5%: XTCP->$(name $r) 150000 bytes byte-exact, RetransSegs +$(d RetransSegs), receiver +$((rtx - $(d RetransSegs))) ($lost dropped)"
		if [ $OK = 1 ] && { [ "$lost" = 0 ] || [ "$rtx" -ge 1 ]; }; then
			ok "$desc"
		else
			nok "$desc" "want byte-exact, lost segments retransmitted; $WHY"
		fi
	done
	netem_clear a "$IFA"
else
	skip "netem loss" "no netem in this kernel"
fi

# ---------------------------------------------------------- sendfile ---
# sendfile() into XTCP (splice: 6.1's sendpage, 6.12's MSG_SPLICE_PAGES):
# the file's pages are referenced in the send queue, not copied
# (OutSpliceBytes counts every byte), also when segments are lost and
# resent from those pages; a Linux TCP sender's sendfile() the reference
diag "at $(($(date +%s) - t_start)) s: sendfile"
SF=$((4 * 1024 * 1024))
sendfile_check() { # DESC S R [netem args...]
	local desc=$1 s=$2 r=$3 want
	shift 3
	[ $# -gt 0 ] && netem_set a "$IFA" "$@"
	snap S0
	xfer "$s" "$r" $SF 10.0.0.2 --sendfile
	snap S1
	[ $# -gt 0 ] && netem_clear a "$IFA"
	desc="$desc: $(name "$s")->$(name "$r") $SF bytes by sendfile() byte-exact"
	want=0
	[ "$s" = x ] && want=$SF &&
		desc="$desc, OutSpliceBytes +$(d OutSpliceBytes), OutSegsCopied +$(d OutSegsCopied), RetransSegs +$(d RetransSegs)"
	if [ $OK = 1 ] && [ "$(d OutSpliceBytes)" = $want ] && [ "$(d OutSegsCopied)" = 0 ]; then
		ok "$desc"
	else
		nok "$desc" "want byte-exact, OutSpliceBytes +$want, nothing copied; $WHY"
	fi
}
sendfile_check "sendfile" x x
sendfile_check "sendfile" x t
sendfile_check "sendfile (Linux TCP sender)" t x
[ $HAVE_NETEM = 1 ] && sendfile_check "sendfile, netem loss 3%" x x loss 3%
# net.core.max_skb_frags 2: the splice into the send queue's tail stops
# at 2 fragments (6.12's skb_splice_from_iter) and goes on in a new skb
frags0=$(cat /proc/sys/net/core/max_skb_frags)
echo 2 >/proc/sys/net/core/max_skb_frags
sendfile_check "sendfile, net.core.max_skb_frags 2" x x
echo "$frags0" >/proc/sys/net/core/max_skb_frags

diag "gso suite took $(($(date +%s) - t_start)) s"
tap_done
