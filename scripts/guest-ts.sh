#!/bin/bash
# Runs INSIDE a guest (scripts/vm): RFC 7323 timestamps and buffers that
# fit the path, XTCP beside Linux TCP in the same guest, over the virtio
# NICs between netns "a" and "b" (setup in lib-e2e.sh):
#  - the SYN and SYN-ACK carry timestamps and SACK-permitted, every later
#    segment TSval/TSecr, as Linux TCP's do; the window scale of XTCP's
#    SYN equals Linux TCP's (both follow net.ipv4.tcp_rmem);
#  - TSval starts at a random per-connection offset, not at the uptime;
#  - net.xtcp.timestamps=0 on either side turns them off;
#  - a bulk transfer over netem delay 10 ms grows the XTCP receiver's
#    sk_rcvbuf (autotuning) beyond tcp_rmem[1]; goodput beside Linux TCP's
#    is reported (not asserted).
# TAP output, "N passed, N failed" last. Env: TS_BULK (bytes, default 4 MB,
# 2 MB with QUICK=1)
# shellcheck source=lib-guest-init.sh
. "$(dirname "$0")/lib-guest-init.sh"
E2E_NAME=ts
# shellcheck source=lib-e2e.sh
. "$here/lib-e2e.sh"
PORT=31000
BULK=${TS_BULK:-4000000}
# the debug kernel (QUICK) moves a tenth of the bytes per second
[ "$QUICK" = 1 ] && BULK=${TS_BULK:-2000000}

if ! command -v tcpdump >/dev/null; then
	skip "timestamps on the wire" "no tcpdump"
	tap_done
	exit
fi

# fin_acked PCAP: both FINs and a pure ACK after them are captured
fin_acked() {
	tcpdump -r "$1" -n 2>/dev/null | awk '
		/Flags \[F/ { fins++ }
		/Flags \[\.\]/ && fins >= 2 { found = 1 }
		END { exit !found }'
}

# cap_run NAME FAMC FAMS SIZE: a transfer a -> b (10.0.0.2) captured on b's
# NIC; the segments as "src,flags,kinds,tsval,tsecr,wscale,len" in
# $R/NAME.txt, the client's output in $R/NAME.out
cap_run() {
	local name=$1 fc=$2 fs=$3 size=$4 rf
	newport
	rf=$R/$name.ready
	rm -f "$rf"
	B tcpdump -i "$IFB" -n -U --immediate-mode -s 128 -w "$R/$name.pcap" \
		tcp port $PORT >"$R/$name.tcpdump" 2>&1 &
	local tp=$!
	wait_file 30 "$R/$name.tcpdump" listening
	B "$X" server -f "$fs" -b 10.0.0.2 -p $PORT -n 1 -t 60 -q \
		--ready-file "$rf" >"$R/$name.srv" 2>&1 &
	local sp=$!
	wait_file 30 "$rf"
	A "$X" client -f "$fc" -a 10.0.0.2 -p $PORT -s "$size" -t 60 \
		>"$R/$name.out" 2>&1
	wait $sp
	# until the ACK of the second FIN is in the capture
	wait_until 20 fin_acked "$R/$name.pcap"
	kill -TERM $tp
	wait $tp 2>/dev/null
	pcap_opts "$R/$name.pcap" >"$R/$name.txt"
	wire_check "$name" >"$R/$name.chk"
	off_check "$name" >"$R/$name.off"
}

# pcap_opts PCAP: per TCP segment "src;flags;kinds;tsval;tsecr;wscale;len"
pcap_opts() {
	"$here/xtcp-pcap.py" -s';' "$1" src flags kinds tsval tsecr wscale len
}

# wire_check NAME: the options on the wire, checked as RFC 7323 wants:
# prints "ok|nok description" lines, and "W shift" (the SYN's wscale),
# "V tsval" (the SYN's TSval)
wire_check() {
	python3 - "$R/$1.txt" <<'PY'
import sys
rows = [l.rstrip("\n").split(";") for l in open(sys.argv[1]) if l.strip()]
def kinds(r): return [int(k) for k in r[2].split(",") if k]
out = []
def chk(c, d): out.append(("ok " if c else "nok ") + d)
segs = [(r[0], int(r[1], 16), kinds(r), r[3], r[4], r[5], int(r[6] or 0)) for r in rows]
syn = [s for s in segs if s[1] & 0x12 == 0x02]
sa = [s for s in segs if s[1] & 0x12 == 0x12]
rest = [s for s in segs if not s[1] & 0x02]
if not syn or not sa or not rest:
    print("nok capture has SYN, SYN-ACK and more (%d segments)" % len(segs)); sys.exit()
s, a = syn[0], sa[0]
chk(8 in s[2] and s[3] and s[4] == "0", "SYN carries timestamps, TSecr 0 (TSval %s)" % s[3])
chk(4 in s[2], "SYN carries SACK-permitted")
chk(8 in a[2] and a[4] == s[3], "SYN-ACK carries timestamps echoing the SYN's TSval (%s/%s)" % (a[3], a[4]))
chk(4 in a[2], "SYN-ACK carries SACK-permitted")
bad = [x for x in rest if 8 not in x[2] or not x[3] or not x[4]]
chk(not bad, "all %d later segments carry TSval and TSecr (%d without)" % (len(rest), len(bad)))
data = [x for x in rest if x[6] > 0]
chk(data, "data segments in the capture (%d, %d bytes; GRO merges them)" % (len(data), sum(x[6] for x in data)))
mono = True
for src in set(x[0] for x in segs):
    v = [int(x[3]) for x in segs if x[0] == src and x[3]]
    mono &= all(((b - a) & 0xffffffff) < 1 << 31 for a, b in zip(v, v[1:]))
chk(mono, "TSval never goes back on either side")
print("\n".join(out))
print("W", s[5] or "-")
print("V", s[3])
PY
}

off_check() { # NAME: no segment carries timestamps; SACK-permitted stays
	python3 - "$R/$1.txt" <<'PY'
import sys
rows = [l.rstrip("\n").split(";") for l in open(sys.argv[1]) if l.strip()]
k = [[int(x) for x in r[2].split(",") if x] for r in rows]
ts = sum(1 for x in k if 8 in x)
print("ok" if rows and ts in (0, 1) else "nok", "%d segments, %d with timestamps (at most the SYN)" % (len(rows), ts))
print("ok" if len(rows) > 1 and all(8 not in x for x in k[1:]) else "nok", "no timestamps after the SYN")
PY
}

# ---- 1. timestamps and SACK-permitted on the wire, beside Linux TCP ----
declare -A WS TSV
for f in xtcp tcp; do
	cap_run "wire-$f" $f $f 30000
	check "$f: 30000 bytes transferred" grep -q "bytes=30000 " "$R/wire-$f.out"
	while read -r r d; do
		case "$r" in
		ok) ok "$f: $d" ;;
		nok) nok "$f: $d" ;;
		W) WS[$f]=$d ;;
		V) TSV[$f]=$d ;;
		esac
	done <"$R/wire-$f.chk"
done
diag "tcp_rmem: $(A cat /proc/sys/net/ipv4/tcp_rmem | tr '\t' ' '); SYN wscale xtcp=${WS[xtcp]:-?} tcp=${WS[tcp]:-?}"
[ -n "${WS[xtcp]:-}" ] && [ "${WS[xtcp]}" = "${WS[tcp]:-}" ] &&
	ok "XTCP's SYN window scale ${WS[xtcp]} = Linux TCP's (same tcp_rmem)" ||
	nok "XTCP's SYN window scale = Linux TCP's" "xtcp=${WS[xtcp]:-?} tcp=${WS[tcp]:-?}"
# the same with tcp_rmem max 15 MB on both sides: scale 8 (as Linux)
rmem0=$(A cat /proc/sys/net/ipv4/tcp_rmem)
for n in a b; do NS $n sysctl -qw net.ipv4.tcp_rmem="4096 131072 15728640"; done
for f in xtcp tcp; do
	cap_run "ws15-$f" $f $f 3000
	while read -r r d; do [ "$r" = W ] && WS[$f]=$d; done <"$R/ws15-$f.chk"
done
[ "${WS[xtcp]:-}" = 8 ] && [ "${WS[tcp]:-}" = 8 ] &&
	ok "tcp_rmem max 15 MB: XTCP's SYN window scale 8, as Linux TCP's" ||
	nok "tcp_rmem max 15 MB: window scale 8" "xtcp=${WS[xtcp]:-?} tcp=${WS[tcp]:-?}"
for n in a b; do NS $n sysctl -qw net.ipv4.tcp_rmem="$rmem0"; done

# ---- 2. TSval: a random offset per connection, not the uptime ----
cap_run wire-xtcp2 xtcp xtcp 3000
while read -r r d; do [ "$r" = V ] && TSV[xtcp2]=$d; done <"$R/wire-xtcp2.chk"
up_ms=$(awk '{printf "%d", $1 * 1000}' /proc/uptime)
j_ms=$(( up_ms & 0xffffffff ))
python3 - "${TSV[xtcp]:-0}" "${TSV[xtcp2]:-0}" "$j_ms" <<'PY' >"$R/tsoff.chk"
import sys
a, b, up = (int(x) for x in sys.argv[1:])
d = lambda x, y: min((x - y) & 0xffffffff, (y - x) & 0xffffffff)
# two connections some seconds apart: their clocks differ by far more
# than the elapsed time, and neither is near the uptime in ms
print("ok" if d(a, b) > 600000 else "nok", "TSvals of two connections differ by more than 10 minutes of clock (%d ms apart)" % d(a, b))
print("ok" if min(d(a, up), d(b, up)) > 600000 else "nok", "TSval is not the uptime in ms (%d, %d vs %d)" % (a, b, up))
PY
while read -r r d; do tap_line "$([ "$r" = ok ] && echo 0 || echo 1)" "xtcp: $d"; done <"$R/tsoff.chk"

# ---- 3. net.xtcp.timestamps=0 on either side ----
for side in a b; do
	xsys $side timestamps 0
	cap_run "off-$side" xtcp xtcp 30000
	check "timestamps=0 in $side: 30000 bytes transferred" grep -q "bytes=30000 " "$R/off-$side.out"
	while read -r r d; do tap_line "$([ "$r" = ok ] && echo 0 || echo 1)" "timestamps=0 in $side: $d"; done <"$R/off-$side.off"
	xsys $side timestamps 1
done
# XTCP with timestamps against Linux TCP, both directions (one in QUICK)
pairs=("xtcp tcp" "tcp xtcp")
[ "$QUICK" = 1 ] && pairs=("tcp xtcp")
for pair in "${pairs[@]}"; do
	set -- $pair
	cap_run "mix-$1-$2" "$1" "$2" 30000
	check "$1 -> $2: 30000 bytes transferred" grep -q "bytes=30000 " "$R/mix-$1-$2.out"
	while read -r r d; do
		case "$r" in ok) ok "$1 -> $2: $d" ;; nok) nok "$1 -> $2: $d" ;; esac
	done <"$R/mix-$1-$2.chk"
done

# ---- 4. receive-buffer autotuning over a 20 ms RTT ----
if [ "$HAVE_NETEM" = 1 ]; then
	A tc qdisc add dev "$IFA" root netem delay 10ms limit 10000
	B tc qdisc add dev "$IFB" root netem delay 10ms limit 10000
	rmem1=$(B awk '{print $2}' /proc/sys/net/ipv4/tcp_rmem)
	declare -A SECS RB
	for f in xtcp tcp; do
		newport
		rf=$R/bulk-$f.ready
		rm -f "$rf"
		B "$X" server -f $f -b 10.0.0.2 -p $PORT -n 1 -t 120 --info \
			--ready-file "$rf" >"$R/bulk-$f.srv" 2>&1 &
		sp=$!
		wait_file 30 "$rf"
		t0=$(date +%s.%N)
		A "$X" client -f $f -a 10.0.0.2 -p $PORT -s "$BULK" -t 120 \
			>"$R/bulk-$f.out" 2>&1
		wait $sp
		t1=$(date +%s.%N)
		SECS[$f]=$(echo "$t1 - $t0" | bc)
		RB[$f]=$(sed -n 's/^server buf rcvbuf=\([0-9]*\).*/\1/p' "$R/bulk-$f.srv")
		check "$f: $BULK bytes over netem delay 10ms" grep -q "bytes=$BULK " "$R/bulk-$f.out"
	done
	A tc qdisc del dev "$IFA" root
	B tc qdisc del dev "$IFB" root
	[ -n "${RB[xtcp]:-}" ] && [ "${RB[xtcp]}" -gt "$rmem1" ] &&
		ok "XTCP receiver's sk_rcvbuf grew from $rmem1 to ${RB[xtcp]} (Linux TCP's: ${RB[tcp]:-?})" ||
		nok "XTCP receiver's sk_rcvbuf grew beyond tcp_rmem[1] $rmem1" "rcvbuf=${RB[xtcp]:-?}"
	gx=$(echo "scale=1; $BULK * 8 / ${SECS[xtcp]} / 1000000" | bc)
	gt=$(echo "scale=1; $BULK * 8 / ${SECS[tcp]} / 1000000" | bc)
	diag "goodput over 20 ms RTT, $BULK bytes: XTCP $gx Mbit/s, Linux TCP $gt Mbit/s, ratio $(echo "scale=2; $gx / $gt" | bc)"
	echo "ts-goodput xtcp=$gx tcp=$gt rcvbuf_xtcp=${RB[xtcp]:-?} rcvbuf_tcp=${RB[tcp]:-?}" >>"$R/figures"
else
	skip "autotuning over netem" "no netem"
fi

# PAWS drops only old duplicates: without a retransmission (a TCG stall
# may cause a spurious one, whose original then is one) there are none
pw=$(stat_get b PAWSEstab)
rt=$(( $(stat_get a RetransSegs) + $(A awk '/^Tcp:/ { if (!h) { for (i = 1; i <= NF; i++) if ($i == "RetransSegs") c = i; h = 1 } else print $c }' /proc/net/snmp) ))
if [ "$rt" = 0 ]; then
	check "no PAWS drops without retransmissions (PAWSEstab $pw)" test "$pw" = 0
else
	diag "PAWSEstab $pw after $rt retransmissions (not checked)"
fi
tap_done
