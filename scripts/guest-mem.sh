#!/bin/bash
# Runs INSIDE a guest (scripts/vm): XTCP's bounded memory over the virtio
# NICs between netns "a" and "b" (setup in lib-e2e.sh): a raw peer's
# 1-byte-segment flood against a reader that does not read (XTCP, then
# Linux TCP for comparison), the global limit net.xtcp.mem reached by many
# connections, a full send buffer (EAGAIN, then POLLOUT), the orphan limit
# and orphans in a zero window. TAP output, "N passed, N failed" last.
# Env: as guest-e2e.sh (XTCP_KO, XTCP_RESULTS)
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
T=$root/tools
# shellcheck source=lib-tap.sh
. "$here/lib-tap.sh"
E2E_NAME=mem
# shellcheck source=lib-e2e.sh
. "$here/lib-e2e.sh"
M=$T/xtcp_mem
FLOOD=$here/xtcp-flood.py
PORT=31000
G=/proc/sys/net/xtcp	# the host-wide knobs live in the initial netns

wait_line() { # FILE REGEX SECONDS
	local end=$((SECONDS + $3))
	while [ $SECONDS -le $end ]; do
		grep -Eq "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}
xstat() { stat_get "$1" "$2"; }	# ns counter (also MemPages, Orphans...)
xrow() { # NS PORT: the /proc/net/xtcp rows with local or remote port PORT
	NS "$1" awk -v p=":$(printf '%04X' "$2")" \
		'NR > 1 && (substr($2, length($2) - 4) == p || substr($3, length($3) - 4) == p)' /proc/net/xtcp
}
slab_skb() { awk '$1 == "skbuff_head_cache" { print $2 }' /proc/slabinfo; }
wait_stat() { # NS NAME MAX SECONDS: until counter NAME <= MAX
	local end=$((SECONDS + $4))
	while [ $SECONDS -le $end ]; do
		[ "$(xstat "$1" "$2")" -le "$3" ] && return 0
		sleep 0.2
	done
	return 1
}

MAC_A=$(A cat /sys/class/net/"$IFA"/address)
# 10.0.0.3 belongs to no stack: b reaches it at a's NIC, where only the
# raw peer's packet socket sees the segments
B ip neigh replace 10.0.0.3 lladdr "$MAC_A" dev "$IFB" nud permanent
modprobe -q tcp_diag 2>/dev/null	# ss -m for Linux TCP's skmem

# ------------------------------------------------ 1-byte flood ---
# RCVBUF 8192 (sk_rcvbuf 16384): a window of 8 KB offered, so the peer
# may send 8192 in-order 1-byte segments, each a full skb on arrival.
RCVBUF=8192
SKRCV=$((2 * RCVBUF))
TOTAL=20000
rm -f "$R/figures"
flood_test() { # xtcp|tcp
	local f=$1 go out fl mem rb slab0 slab1 ofo0 oow0 zw0 pr0 col0 coa0
	newport
	go=$R/go-flood-$f
	rm -f "$go"
	slab0=$(slab_skb)
	if [ "$f" = xtcp ]; then
		ofo0=$(xstat b OfoDrop) oow0=$(xstat b OutOfWindowDrop)
		zw0=$(xstat b ZeroWindowDrop) pr0=$(xstat b PruneCalled)
		col0=$(xstat b RcvCollapsed) coa0=$(xstat b RcvCoalesce)
	fi
	B "$M" sink -f "$f" -b 10.0.0.2 -p $PORT -r $RCVBUF -g "$go" -t 200 \
		>"$R/sink-$f.out" 2>&1 &
	wait_line "$R/sink-$f.out" listening 20
	A python3 "$FLOOD" 10.0.0.3 10.0.0.2 $PORT $((40000 + PORT % 1000)) \
		1000 $TOTAL "$go" 150 >"$R/flood-$f.out" 2>&1 &
	# the flood ends when the window closes; its bound (150 s) is for a
	# slow guest: on the debug kernel beside a busy host the Python
	# sender managed 7300 segments in 60 s, where Linux TCP's window
	# closes at about 13000
	if ! wait_line "$R/flood-$f.out" '^(closed|open)' 300; then
		nok "$f: 1-byte flood ran" "$(tail -3 "$R/flood-$f.out")"
		touch "$go"
		wait
		return
	fi
	fl=$(grep -E '^(closed|open)' "$R/flood-$f.out")
	slab1=$(slab_skb)
	if [ "$f" = xtcp ]; then
		mem=$(xrow b $PORT | awk '$4 == "01" && $2 ~ /:'"$(printf '%04X' $PORT)"'$/ { split($5, q, ":"); print strtonum("0x" q[2]) }')
		rb=$SKRCV
	else
		out=$(B ss -tmnH state established "sport = :$PORT")
		mem=$(echo "$out" | grep -o 'skmem:(r[0-9]*' | grep -o '[0-9]*$')
		rb=$(echo "$out" | grep -o ',rb[0-9]*' | grep -o '[0-9]*$')
	fi
	diag "$f flood: $fl; receiver memory ${mem:-?} bytes (sk_rcvbuf ${rb:-?}); skbuff_head_cache +$((slab1 - slab0)) objects"
	echo "$f mem=${mem:-?} rcvbuf=${rb:-?} skb_objs=$((slab1 - slab0)) $fl" >>"$R/figures"
	case "$fl" in closed*) ok "$f: the window closes under the 1-byte flood ($fl)" ;;
	*) nok "$f: the window closes under the 1-byte flood" "$fl" ;; esac
	if [ -n "$mem" ] && [ -n "$rb" ] && [ "$mem" -le $((2 * rb)) ]; then
		ok "$f: memory pinned by the flood $mem bytes <= 2 x sk_rcvbuf ($rb)"
	else
		nok "$f: memory pinned by the flood <= 2 x sk_rcvbuf" "mem=${mem:-?} rcvbuf=${rb:-?}"
	fi
	if [ "$f" = xtcp ]; then
		local d_ofo=$(($(xstat b OfoDrop) - ofo0))
		local d_oow=$(($(xstat b OutOfWindowDrop) + $(xstat b ZeroWindowDrop) - oow0 - zw0))
		local d_pr=$(($(xstat b PruneCalled) - pr0))
		local d_col=$(($(xstat b RcvCollapsed) - col0)) d_coa=$(($(xstat b RcvCoalesce) - coa0))
		diag "xtcp counters: OfoDrop +$d_ofo OutOfWindow/ZeroWindowDrop +$d_oow PruneCalled +$d_pr RcvCollapsed +$d_col RcvCoalesce +$d_coa"
		[ $d_ofo -gt 0 ] && ok "xtcp: out-of-order 1-byte segments dropped and counted (OfoDrop +$d_ofo)" ||
			nok "xtcp: out-of-order segments counted" "OfoDrop +$d_ofo"
		[ $d_oow -gt 0 ] && ok "xtcp: data beyond the window dropped and counted (+$d_oow)" ||
			nok "xtcp: data beyond the window counted" "+$d_oow"
		[ $((d_col + d_coa)) -gt 0 ] && ok "xtcp: tiny segments coalesced/collapsed (RcvCoalesce +$d_coa, RcvCollapsed +$d_col, PruneCalled +$d_pr)" ||
			nok "xtcp: tiny segments coalesced/collapsed" "coalesce +$d_coa collapsed +$d_col"
	fi
	touch "$go"
	wait
	out=$(cat "$R/sink-$f.out")
	case "$out" in *"read $TOTAL bad -1 resets 0 open 0"*)
		ok "$f: after the reader reads, the connection proceeds: $TOTAL bytes byte-exact" ;;
	*) nok "$f: the connection proceeds byte-exact after the flood" "sink: $(tail -1 "$R/sink-$f.out") flood: $(tail -1 "$R/flood-$f.out")" ;;
	esac
}
flood_test xtcp
diag "t=$SECONDS s"
flood_test tcp
diag "t=$SECONDS s"
if wait_stat b Sockets 0 30 && wait_stat b MemPages 0 10; then
	ok "nothing left after the floods: XTCP sockets $(xstat b Sockets), MemPages $(xstat b MemPages)"
else
	nok "nothing left after the floods" "Sockets $(xstat b Sockets) MemPages $(xstat b MemPages)"
fi

# --------------------------------------- global limit, pressure ---
# net.xtcp.mem (pages) low: 12 connections of 256 KB to readers that do
# not read pass the pressure threshold and the hard limit. Both ends share
# the guest's one pool: the senders' buffers stay small (SO_SNDBUF 8 KB,
# about 60 pages in all), so the receivers are what reaches the limits.
mem_test() {
	local old go n=12 bytes=262144 max=0 seen=0 v p drops0 press0 end out
	old=$(cat $G/mem)
	echo "40 80 120" >$G/mem
	# refused segments come back by RTO: keep it short, and let the
	# senders outlive a hold of several seconds
	for ns in a b; do xsys $ns rto_max_ms 2000; xsys $ns retries 40; done
	newport
	go=$R/go-mem
	rm -f "$go"
	drops0=$(xstat b RcvQDrop)
	local renege0=$(xstat a TCPSACKReneging) rto0=$(xstat a TCPTimeouts) prune0=$(xstat b OfoPruned)
	press0=$(($(xstat a MemoryPressures) + $(xstat b MemoryPressures)))
	B "$M" sink -f xtcp -b 10.0.0.2 -p $PORT -n $n -g "$go" -t 80 >"$R/sink-mem.out" 2>&1 &
	wait_line "$R/sink-mem.out" listening 20
	A "$M" blast -f xtcp -a 10.0.0.2 -p $PORT -n $n -s $bytes -S 8192 -t 80 >"$R/blast-mem.out" 2>&1 &
	wait_line "$R/sink-mem.out" accepted 30
	end=$((SECONDS + 5))
	while [ $SECONDS -le $end ]; do
		v=$(xstat b MemPages) p=$(xstat b MemPressure)
		if [ "$v" -gt "$max" ]; then
			max=$v
			# who holds the pages at the peak: each socket's skmem
			{
				echo "MemPages $v at t=$SECONDS"
				for ns in a b; do echo "-- $ns"; NS $ns "$T/xtcp-ss" -tanm; done
			} >"$R/mem-at-max.txt" 2>&1
		fi
		[ "$p" = 1 ] && seen=1
		sleep 0.2
	done
	local drops=$(($(xstat b RcvQDrop) - drops0))
	local press=$(($(xstat a MemoryPressures) + $(xstat b MemoryPressures) - press0))
	diag "net.xtcp.mem 40 80 120: MemPages max $max, pressure flag seen $seen, MemoryPressures +$press, RcvQDrop +$drops"
	echo "mem_limit 40/80/120 pages: max MemPages $max pressure_seen $seen RcvQDrop +$drops" >>"$R/figures"
	[ $seen = 1 ] && [ $press -gt 0 ] && ok "pressure entered above net.xtcp.mem[1] (flag seen, MemoryPressures +$press)" ||
		nok "pressure entered above net.xtcp.mem[1]" "seen $seen MemoryPressures +$press"
	# As Linux, above the hard limit a stream socket may still take one
	# send skb (16 KB, 5 pages: sk_stream_moderate_sndbuf) and keeps its
	# receive floor (tcp_rmem[0] 4 KB plus the skb that crosses it, up to
	# 64 KB after GRO: 17 pages), and a page of forward allocation each:
	# 24 pages per connection pair. Without a limit, the unread data
	# (n x 256 KB) would be pinned, so the max must also stay below half.
	local slack=$((120 + n * 24)) data=$((n * bytes / 4096))
	[ $drops -gt 0 ] && [ "$max" -le $slack ] && [ "$max" -lt $((data / 2)) ] &&
		ok "above net.xtcp.mem[2] new receive memory is refused (RcvQDrop +$drops), MemPages max $max <= $slack and < half of the $data pages sent" ||
		nok "hard limit enforced" "RcvQDrop +$drops max MemPages $max"
	if dmesg | grep -Eq 'Out of memory|oom-kill|invoked oom'; then
		nok "no OOM under the limit" "$(dmesg | grep -E 'Out of memory|oom' | head -1)"
	else
		ok "no OOM under the limit"
	fi
	touch "$go"
	# a connection still open 20 s after the readers started: its sockets
	# on both ends and its segments, for the log
	( sleep 20
	  if ! grep -q "^read " "$R/sink-mem.out"; then
		for ns in a b; do echo "== $ns"; NS $ns "$T/xtcp-ss" -io; done
		B timeout 6 tcpdump -ni "$IFB" -c 300 -v tcp 2>&1 | head -300
		for ns in a b; do echo "== $ns"; NS $ns "$T/xtcp-ss" -io; done
	  fi >"$R/mem-stuck.txt" 2>&1 ) &
	local dog=$!
	while [ "$(jobs -pr | grep -cvx "$dog")" -gt 0 ]; do sleep 0.5; done
	kill "$dog" 2>/dev/null
	wait
	[ -s "$R/mem-stuck.txt" ] && diag "stuck connections: $(head -c 3000 "$R/mem-stuck.txt")"
	diag "sender a: TCPSACKReneging +$(($(xstat a TCPSACKReneging) - renege0)), RTOs +$(($(xstat a TCPTimeouts) - rto0)); receiver b: OfoPruned +$(($(xstat b OfoPruned) - prune0))"
	out="$(tail -1 "$R/sink-mem.out") / $(tail -1 "$R/blast-mem.out")"
	case "$out" in "read $((n * bytes)) bad -1 resets 0 open 0 / sent $((n * bytes)) "*"left 0")
		ok "recovery: the readers read, all $n x $bytes bytes arrive byte-exact ($out)" ;;
	*) nok "recovery: all bytes arrive byte-exact" "$out" ;; esac
	if wait_stat b MemPressure 0 20 && wait_stat b Sockets 0 30 && wait_stat b MemPages 0 10; then
		ok "after close: pressure left, MemPages $(xstat b MemPages), XTCP sockets $(xstat b Sockets)"
	else
		nok "after close: pressure left, memory returned" "MemPressure $(xstat b MemPressure) MemPages $(xstat b MemPages) Sockets $(xstat b Sockets)"
	fi
	echo "$old" >$G/mem
	for ns in a b; do xsys $ns rto_max_ms 120000; xsys $ns retries 15; done
}
mem_test
diag "t=$SECONDS s"

# ------------------------------------------ full send buffer ---
sndbuf_test() { # xtcp|tcp (the sender's protocol; the reader is Linux TCP)
	local f=$1 go
	newport
	go=$R/go-snd-$f
	rm -f "$go"
	B "$M" sink -f tcp -b 10.0.0.2 -p $PORT -r 4096 -g "$go" -t 60 >"$R/sink-snd-$f.out" 2>&1 &
	wait_line "$R/sink-snd-$f.out" listening 20
	A "$M" sndfull -f "$f" -a 10.0.0.2 -p $PORT -S 65536 -g "$go" -t 60 >"$R/snd-$f.out" 2>&1
	tap_import "$f sender" "$R/snd-$f.out"
	kill %% 2>/dev/null
	wait
}
sndbuf_test xtcp
sndbuf_test tcp
diag "t=$SECONDS s"

# ------------------------------------------------- orphans ---
# Linux TCP readers that never read: the XTCP senders' windows close, and
# each close() leaves an orphan in FIN-WAIT-1 with data it cannot send.
wait_gone_rows() { # NS PORT SECONDS
	local end=$((SECONDS + $3))
	while [ $SECONDS -le $end ]; do
		[ -z "$(xrow "$1" "$2")" ] && return 0
		sleep 0.2
	done
	return 1
}
orphan_limit_test() { # rto_max 120 s: the orphans stay "alive" meanwhile
	local go n=4 abort0 lrst0 rows aborts out
	newport
	go=$R/go-orph
	rm -f "$go"
	echo 2 >$G/max_orphans
	abort0=$(xstat a AbortOnMemory)
	lrst0=$(SUBJECT=tcp stat_get b EstabResets)
	B "$M" sink -f tcp -b 10.0.0.2 -p $PORT -n $n -r 4096 -g "$go" -t 90 >"$R/sink-orph.out" 2>&1 &
	wait_line "$R/sink-orph.out" listening 20
	A "$M" orphans -f xtcp -a 10.0.0.2 -p $PORT -n $n -S 65536 >"$R/orph.out" 2>&1
	rows=$(xrow a $PORT | grep -c 'FIN-WAIT-1')
	aborts=$(($(xstat a AbortOnMemory) - abort0))
	diag "$(tr '\n' ' ' <"$R/orph.out"); orphans $(xstat a Orphans), FIN-WAIT-1 rows $rows"
	[ $aborts = $((n - 2)) ] && [ "$rows" = 2 ] &&
		ok "max_orphans 2: $n closes leave 2 orphans, $aborts reset (AbortOnMemory +$aborts)" ||
		nok "max_orphans enforced" "AbortOnMemory +$aborts FIN-WAIT-1 rows $rows ($(tr '\n' ' ' <"$R/orph.out"))"
	echo 16384 >$G/max_orphans
	# the reader reads: the 2 orphans deliver their data and FIN
	touch "$go"
	wait
	out=$(tail -1 "$R/sink-orph.out")
	lrst0=$(($(SUBJECT=tcp stat_get b EstabResets) - lrst0))
	case "$out" in "read "*" bad -1 resets $((n - 2)) open 0")
		ok "the Linux TCP reader: $((n - 2)) connections reset, the orphans' data complete ($out, EstabResets +$lrst0)" ;;
	*) nok "the reset connections and the orphans' data" "$out" ;; esac
}
orphan_retries_test() { # rto_max 1 s: a probe interval reaches it fast
	local go n=2 probe0 probes
	newport
	go=$R/go-orph2
	rm -f "$go"
	xsys a orphan_retries 2
	xsys a rto_max_ms 1000
	probe0=$(xstat a OrphanProbeAborts)
	B "$M" sink -f tcp -b 10.0.0.2 -p $PORT -n $n -r 4096 -g "$go" -t 90 >"$R/sink-orph2.out" 2>&1 &
	wait_line "$R/sink-orph2.out" listening 20
	A "$M" orphans -f xtcp -a 10.0.0.2 -p $PORT -n $n -S 65536 >"$R/orph2.out" 2>&1
	if wait_gone_rows a $PORT 40; then
		probes=$(($(xstat a OrphanProbeAborts) - probe0))
		[ "$probes" = $n ] && ok "orphans in a zero window freed after orphan_retries 2 (OrphanProbeAborts +$probes)" ||
			nok "orphan probe aborts counted" "OrphanProbeAborts +$probes"
	else
		nok "orphans in a zero window freed after orphan_retries" "$(xrow a $PORT)"
	fi
	wait_stat a Orphans 0 10 && ok "orphan count back to 0" ||
		nok "orphan count back to 0" "Orphans $(xstat a Orphans)"
	touch "$go"
	kill %% 2>/dev/null
	wait
	xsys a orphan_retries 0
	xsys a rto_max_ms 120000
}
orphan_limit_test
diag "t=$SECONDS s"
orphan_retries_test

diag "figures: $(tr '\n' ';' <"$R/figures")"
diag "guest time for mem: $(($(date +%s) - t_start)) s"
tap_done
