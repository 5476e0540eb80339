#!/bin/bash
# Runs INSIDE a guest (scripts/vm): XTCP sender behaviour over the virtio
# NICs between netns "a" (client, 10.0.0.1) and "b" (server, 10.0.0.2),
# each test run against Linux TCP in the same guest and compared:
# keepalive probes on the wire and a dead peer detected (ETIMEDOUT after
# about idle + cnt * intvl), TCP_USER_TIMEOUT against a silenced peer,
# Nagle coalescing of small writes (and none with TCP_NODELAY), TCP_CORK,
# MSG_MORE, the options read back, the keepalive sysctls, and rmmod
# refused while a keepalive connection lives.
# TAP output, "N passed, N failed" last.
# Env: as guest-e2e.sh (QUICK, XTCP_IFS, XTCP_KO, XTCP_RESULTS)
# shellcheck source=lib-guest-init.sh
. "$(dirname "$0")/lib-guest-init.sh"
E2E_NAME=sender
# shellcheck source=lib-e2e.sh
. "$here/lib-e2e.sh"
S=$T/xtcp_sender
PORT=32000
SA=10.0.0.2
CA=10.0.0.1

# ------------------------------------------------------------ helpers ---
# server F PORT: start a one-connection server in b, wait until listening
server() {
	rm -f "$R/srv.$2"
	B "$S" server -f "$1" -b $SA -p "$2" --ready-file "$R/srv.$2" -t 60 \
		>"$R/srv.$2.out" 2>&1 &
	SRV_PID=$!
	wait_file 30 "$R/srv.$2"
}
kill_server() { kill "$SRV_PID" 2>/dev/null; wait "$SRV_PID" 2>/dev/null; }
# one capture of every TCP segment on a's NIC for the whole suite (-U:
# each packet is written as captured); rd PORT [FILTER] reads a port's
PCAP=$R/all.pcap
A tcpdump -i "$IFA" -nn -U --immediate-mode -s 96 -w "$PCAP" tcp >"$R/td" 2>&1 &
wait_file 60 "$R/td" listening
rd() { tcpdump -nn "${@:3}" -r "$PCAP" "tcp port $1 and (${2:-tcp})" 2>/dev/null; }
# cap_has PORT FILTER: the capture holds a segment of PORT matching FILTER
cap_has() { [ -n "$(rd "$1" "$2" | head -1)" ]; }
# silence PORT / unsilence: b drops every segment to the server port
silence() { B nft add rule inet xtest pre tcp dport "$1" drop; }
unsilence() {
	B nft flush chain inet xtest pre
	B nft add rule inet xtest pre tcp dport 9 drop
}
# field FILE KEY: the value of KEY=V in FILE
field() { sed -n "s/.*\b$2=\([^ ]*\).*/\1/p" "$1" | tail -1; }
# data_segs PORT: segments with payload from the client
data_segs() {
	rd "$1" "src host $CA" |
		awk '{ for (i = 1; i < NF; i++) if ($i == "length" && $(i+1) + 0 > 0) n++ } END { print n + 0 }'
}
# probes PORT: pure ACKs from the client with SEG.SEQ = ISS (SND.NXT - 1
# of a connection that sent no data): keepalive probes
probes() {
	local iss
	iss=$(rd "$1" "src host $CA and tcp[tcpflags] == tcp-syn" -S |
		sed -n 's/.* seq \([0-9]*\),.*/\1/p' | head -1)
	[ -n "$iss" ] || { echo 0; return; }
	rd "$1" "src host $CA and tcp[tcpflags] == tcp-ack and tcp[4:4] == $iss" | wc -l
}
# peer_acks PORT: pure ACKs from the server (answers to probes sent
# before the silence began)
peer_acks() { rd "$1" "src host $SA and tcp[tcpflags] == tcp-ack" | wc -l; }
# ka_span PORT: ms from the server's last segment (the last sign of life)
# to the client's RST
ka_span() {
	rd "$1" "" -tt | awk -v sa="$SA" -v ca="$CA" '
		{ src = $3; sub(/\.[0-9]+$/, "", src) }
		src == sa && !r { last = $1 }
		src == ca && /Flags \[R/ && !r { r = $1 }
		END { if (last && r) printf "%d\n", (r - last) * 1000; else print 0 }'
}
rsts() { rd "$1" "src host $CA and tcp[tcpflags] & tcp-rst != 0" | wc -l; }
in_range() { [ "$1" -ge "$2" ] && [ "$1" -le "$3" ]; }

declare -A KA_MS UT_MS NAGLE ND SW_MS
# ------------------------------------------------ keepalive, dead peer ---
diag "at $(($(date +%s) - t_start)) s: keepalive, dead peer"
# TCP_KEEPIDLE 1, TCP_KEEPINTVL 1, TCP_KEEPCNT 3: probes at about 1, 2 and
# 3 s, the reset at about 4 s.
for f in xtcp tcp; do
	newport
	p=$PORT
	server $f $p
	ka0=$(stat_get a TCPKeepAlive)
	rm -f "$R/ka.ready.$p" "$R/ka.go.$p"
	A "$S" client -f $f -a $SA -p $p --mode idle --idle 1 --intvl 1 --cnt 3 \
		--ready-file "$R/ka.ready.$p" --go-file "$R/ka.go.$p" -t 60 \
		>"$R/ka.$f.out" 2>&1 &
	cpid=$!
	wait_file 30 "$R/ka.ready.$p"
	silence $p
	touch "$R/ka.go.$p"
	if [ $f = xtcp ]; then
		# a live XTCP socket with its keepalive timer armed pins the module
		if rmmod xtcp 2>/dev/null; then
			nok "rmmod refused while a keepalive connection lives"
			insmod "$(xtcp_ko)"
		else
			grep -q '^xtcp ' /proc/modules &&
				ok "rmmod refused while a keepalive connection lives (module still loaded)" ||
				nok "rmmod refused while a keepalive connection lives" "module gone"
		fi
	fi
	wait_file 30 "$R/ka.$f.out" 'err='
	wait $cpid 2>/dev/null
	wait_until 10 cap_has $p "tcp[tcpflags] & tcp-rst != 0"
	unsilence
	kill_server
	err=$(field "$R/ka.$f.out" err)
	# the silence may begin after a probe or two were answered (nft is
	# slow under TCG): time the abort from the last answer, on the wire
	ms=$(ka_span $p)
	# a probe sent before the rule was in place got its answer
	np=$(($(probes $p) - $(peer_acks $p)))
	nr=$(rsts $p)
	KA_MS[$f]=${ms:-0}
	if [ "$err" = ETIMEDOUT ] && in_range "${ms:-0}" 3000 9000; then
		ok "$f keepalive 1/1/3: dead peer detected, ETIMEDOUT; RST $ms ms after the peer's last segment (expect ~4000)"
	else
		nok "$f keepalive 1/1/3: dead peer detected" "$(cat "$R/ka.$f.out") span $ms"
	fi
	[ "$np" = 3 ] && [ "$nr" -ge 1 ] &&
		ok "$f keepalive: 3 unanswered probes (SEG.SEQ = SND.NXT-1, no data) and a RST on the wire" ||
		nok "$f keepalive: 3 unanswered probes and a RST on the wire" "probes $np rsts $nr"
	if [ $f = xtcp ]; then
		d=$(($(stat_get a TCPKeepAlive) - ka0))
		[ "$d" = "$(probes $p)" ] && [ "$d" -ge 3 ] &&
			ok "TCPKeepAlive counted the $d probes seen on the wire" ||
			nok "TCPKeepAlive counts the probes" "delta $d"
	fi
done
[ $((KA_MS[xtcp] - KA_MS[tcp])) -le 1500 ] &&
	ok "keepalive abort time: XTCP ${KA_MS[xtcp]} ms, Linux ${KA_MS[tcp]} ms" ||
	nok "keepalive abort no later than Linux's" "XTCP ${KA_MS[xtcp]} Linux ${KA_MS[tcp]}"

# ---------------------------------------------- TCP_USER_TIMEOUT 2000 ---
diag "at $(($(date +%s) - t_start)) s: TCP_USER_TIMEOUT 2000"
for f in xtcp tcp; do
	newport
	p=$PORT
	server $f $p
	rm -f "$R/ut.ready.$p" "$R/ut.go.$p"
	A "$S" client -f $f -a $SA -p $p --mode ut --ut 2000 --size 1000 \
		--ready-file "$R/ut.ready.$p" --go-file "$R/ut.go.$p" -t 60 \
		>"$R/ut.$f.out" 2>&1 &
	cpid=$!
	wait_file 30 "$R/ut.ready.$p"
	silence $p
	touch "$R/ut.go.$p"
	wait_file 40 "$R/ut.$f.out" 'err='
	wait $cpid 2>/dev/null
	unsilence
	kill_server
	err=$(field "$R/ut.$f.out" err)
	ms=$(field "$R/ut.$f.out" ms)
	UT_MS[$f]=${ms:-0}
	if [ "$err" = ETIMEDOUT ] && in_range "${ms:-0}" 1800 6000; then
		ok "$f TCP_USER_TIMEOUT 2000: unacknowledged data aborts with ETIMEDOUT after $ms ms"
	else
		nok "$f TCP_USER_TIMEOUT 2000 aborts" "$(cat "$R/ut.$f.out")"
	fi
done
# Linux's timers run late under TCG load as well: XTCP must not be later
[ $((UT_MS[xtcp] - UT_MS[tcp])) -le 1500 ] &&
	ok "user timeout abort time: XTCP ${UT_MS[xtcp]} ms, Linux ${UT_MS[tcp]} ms" ||
	nok "user timeout abort no later than Linux's" "XTCP ${UT_MS[xtcp]} Linux ${UT_MS[tcp]}"

# ------------------------------------- Nagle: 200 writes of 10 bytes ---
diag "at $(($(date +%s) - t_start)) s: Nagle: 200 writes of 10 bytes"
# b's ACKs are delayed 20 ms, so outstanding data is there to wait for
B tc qdisc replace dev "$IFB" root netem delay 20ms
for f in xtcp tcp; do
	for nd in 0 1; do
		newport
		p=$PORT
		server $f $p
		A "$S" client -f $f -a $SA -p $p --mode burst --count 200 --size 10 \
			$([ $nd = 1 ] && echo --nodelay) -t 60 >"$R/burst.$f.$nd.out" 2>&1
		wait_file 30 "$R/srv.$p.out" 'bytes='
		kill_server
		wait_until 10 cap_has $p "src host $CA and tcp[tcpflags] & tcp-fin != 0"
		bytes=$(field "$R/srv.$p.out" bytes)
		n=$(data_segs $p)
		[ $nd = 1 ] && ND[$f]=$n || NAGLE[$f]=$n
		[ "$bytes" = 2000 ] || nok "$f burst nodelay=$nd: 2000 bytes arrive" "got $bytes"
	done
done
B tc qdisc del dev "$IFB" root 2>/dev/null
diag "data segments for 200 x 10 bytes: XTCP Nagle ${NAGLE[xtcp]} nodelay ${ND[xtcp]}; Linux Nagle ${NAGLE[tcp]} nodelay ${ND[tcp]}"
[ "${NAGLE[xtcp]}" -ge 1 ] && [ "${NAGLE[xtcp]}" -le 50 ] &&
	ok "XTCP Nagle: 200 small writes with data outstanding coalesce into ${NAGLE[xtcp]} segments" ||
	nok "XTCP Nagle coalesces 200 small writes" "${NAGLE[xtcp]} segments"
[ "${ND[xtcp]}" -ge 190 ] &&
	ok "XTCP TCP_NODELAY: ${ND[xtcp]} segments for 200 writes" ||
	nok "XTCP TCP_NODELAY: one segment per write" "${ND[xtcp]} segments"
[ "${NAGLE[tcp]}" -le 50 ] &&
	ok "Linux TCP coalesces the same writes too (${NAGLE[tcp]} segments)" ||
	nok "Linux TCP coalesces the same writes" "${NAGLE[tcp]} segments"

# ------------------------------------------- small writes of 1 byte ---
# each write() of one byte is appended to the send queue's tail skb; the
# stream arrives byte-exact (hashes compared), XTCP's time beside Linux's
SW_N=${SW_N:-$([ "${QUICK:-0}" = 1 ] && echo 20000 || echo 100000)}
diag "at $(($(date +%s) - t_start)) s: $SW_N writes of 1 byte"
for f in xtcp tcp; do
	newport
	rf=$R/sw.ready.$f so=$R/sw.srv.$f co=$R/sw.cli.$f
	rm -f "$rf"
	B "$X" server -f $f -b $SA -p $PORT -t 240 --ready-file "$rf" >"$so" 2>&1 &
	sp=$!
	wait_file 60 "$rf"
	t0=$(date +%s%N)
	A "$X" client -f $f -a $SA -p $PORT -s "$SW_N" --wsize 1 -t 240 >"$co" 2>&1
	SW_MS[$f]=$((($(date +%s%N) - t0) / 1000000))
	wait $sp
	sb=$(field "$so" bytes) sh=$(field "$so" hash) ch=$(field "$co" hash)
	[ "$sb" = "$SW_N" ] && [ -n "$sh" ] && [ "$sh" = "$ch" ] &&
		ok "$f: $SW_N writes of 1 byte arrive byte-exact in ${SW_MS[$f]} ms" ||
		nok "$f: $SW_N writes of 1 byte arrive byte-exact" "server bytes=$sb hash=$sh client hash=$ch"
done
diag "$SW_N x 1 byte: XTCP ${SW_MS[xtcp]} ms, Linux ${SW_MS[tcp]} ms"
# a bound loose enough for a busy TCG guest, tight enough to catch a
# per-write walk of the queue (quadratic: minutes at 100000 writes)
[ "${SW_MS[xtcp]}" -le $((5 * SW_MS[tcp] + 2000)) ] &&
	ok "small writes: XTCP ${SW_MS[xtcp]} ms <= 5 x Linux's ${SW_MS[tcp]} ms + 2 s" ||
	nok "small writes: XTCP within 5 x Linux's time + 2 s" "XTCP ${SW_MS[xtcp]} ms, Linux ${SW_MS[tcp]} ms"

# ------------------------------ request/response over loopback: ACKs ---
# 64-byte requests and responses on one connection over b's loopback (an
# MSS of 64 KB, a window of about one MSS): each answer carries the ACK,
# and a read sends no window update of its own unless it at least doubles
# the peer's window (tcp_cleanup_rbuf()): 2 segments per transaction,
# counted at both ends (both in b), as Linux TCP
RR_N=${RR_N:-300}
diag "at $(($(date +%s) - t_start)) s: $RR_N request/response transactions over loopback"
declare -A RR_SEGS
for f in xtcp tcp; do
	newport
	rf=$R/rr.ready.$f
	rm -f "$rf"
	B "$X" server -f $f -b 127.0.0.1 -p $PORT --mode rr -n 1 --req 64 --resp 64 \
		-q -t 120 --ready-file "$rf" >"$R/rr.srv.$f" 2>&1 &
	sp=$!
	wait_file 60 "$rf"
	fam=tcp
	[ $f = xtcp ] && fam=xtcp
	m0=$(mib_snap b $fam InSegs)
	B "$X" client -f $f -a 127.0.0.1 -p $PORT --mode rr -n "$RR_N" --req 64 \
		--resp 64 -t 120 >"$R/rr.cli.$f" 2>&1
	rc=$?
	wait $sp
	m1=$(mib_snap b $fam InSegs)
	RR_SEGS[$f]=$(mib_delta "$m0" "$m1" InSegs)
	[ $rc = 0 ] && grep -q "ok=$RR_N " "$R/rr.cli.$f" &&
		ok "$f: $RR_N request/response transactions over loopback, every response whole" ||
		nok "$f: $RR_N request/response transactions over loopback" "rc=$rc $(cat "$R/rr.cli.$f")"
done
diag "segments received in b for $RR_N transactions: XTCP ${RR_SEGS[xtcp]}, Linux ${RR_SEGS[tcp]}"
# 2 per transaction plus the handshake, the teardown and the odd delayed
# ACK whose timer beat a slow answer (TCG); a pure ACK per read would
# double it
[ "${RR_SEGS[xtcp]}" -le $((2 * RR_N + RR_N / 5)) ] &&
	[ "${RR_SEGS[xtcp]}" -le $((RR_SEGS[tcp] + RR_N / 10 + 10)) ] &&
	ok "loopback request/response: ${RR_SEGS[xtcp]} XTCP segments (<= 2.2 per transaction, <= Linux's ${RR_SEGS[tcp]} + 10%)" ||
	nok "loopback request/response: about 2 XTCP segments per transaction, as Linux" "XTCP ${RR_SEGS[xtcp]}, Linux ${RR_SEGS[tcp]}, $RR_N transactions"

# -------------------------------------------- TCP_CORK and MSG_MORE ---
diag "at $(($(date +%s) - t_start)) s: TCP_CORK and MSG_MORE"
for f in xtcp tcp; do
	newport
	p=$PORT
	server $f $p
	# read right after the writes: the hold itself ends after max(RTO,
	# 200 ms), checked below
	A "$S" client -f $f -a $SA -p $p --mode cork --count 20 --size 10 --wait 0 \
		-t 60 >"$R/cork.$f.out" 2>&1
	wait_file 30 "$R/srv.$p.out" 'bytes='
	kill_server
	wait_until 10 cap_has $p "src host $CA and tcp[tcpflags] & tcp-fin != 0"
	n=$(data_segs $p)
	out=$(cat "$R/cork.$f.out")
	[ "$out" = "held=200 after_uncork=0" ] && [ "$n" = 1 ] &&
		ok "$f TCP_CORK: 20 writes held ($out), uncork sends them as 1 segment" ||
		nok "$f TCP_CORK holds and uncork sends" "$out, $n segments"

	newport
	p=$PORT
	server $f $p
	A "$S" client -f $f -a $SA -p $p --mode corkmore --size 100 --wait 100 \
		-t 60 >"$R/corkmore.$f.out" 2>&1
	kill_server
	ms=$(field "$R/corkmore.$f.out" flush_ms)
	rto=$(field "$R/corkmore.$f.out" rto_ms)
	# the ceiling is max(RTO, 200 ms) (Linux's tcp_probe0_base), plus
	# timer slack under TCG
	ceil=$((${rto:-0} > 200 ? ${rto:-0} : 200))
	in_range "${ms:-0}" 150 $((ceil + 1000)) &&
		ok "$f TCP_CORK never uncorked: the partial segment leaves after $ms ms (ceiling max(RTO $rto, 200))" ||
		nok "$f TCP_CORK ceiling max(RTO, 200 ms)" "$(cat "$R/corkmore.$f.out")"
	out=$(sed 's/^flush_ms=[0-9]* rto_ms=[0-9]* //' "$R/corkmore.$f.out")
	[ "$out" = "held=100 after=0" ] &&
		ok "$f MSG_MORE holds the partial segment, the next send releases it ($out)" ||
		nok "$f MSG_MORE" "$out"
done

# ------------------------------------------- options read back, sysctls ---
diag "at $(($(date +%s) - t_start)) s: options read back, sysctls"
ks=$(A cat /proc/sys/net/xtcp/keepalive_time /proc/sys/net/xtcp/keepalive_intvl \
	/proc/sys/net/xtcp/keepalive_probes | tr '\n' ' ')
kl=$(A cat /proc/sys/net/ipv4/tcp_keepalive_time /proc/sys/net/ipv4/tcp_keepalive_intvl \
	/proc/sys/net/ipv4/tcp_keepalive_probes | tr '\n' ' ')
[ "$ks" = "$kl" ] && [ "$ks" = "7200 75 9 " ] &&
	ok "net.xtcp.keepalive_time/intvl/probes default to Linux's ($ks)" ||
	nok "keepalive sysctl defaults" "xtcp $ks linux $kl"
# the options with keepalive_time 300 in both stacks: a new socket's
# TCP_KEEPIDLE reads its netns value
xsys a keepalive_time 300
A sysctl -qw net.ipv4.tcp_keepalive_time=300
for f in xtcp tcp; do
	newport
	server $f $PORT
	A "$S" client -f $f -a $SA -p $PORT --mode opts -t 60 >"$R/opts.$f.out" 2>&1
	kill_server
done
xsys a keepalive_time 7200
A sysctl -qw net.ipv4.tcp_keepalive_time=7200
if [ -s "$R/opts.xtcp.out" ] && cmp -s "$R/opts.xtcp.out" "$R/opts.tcp.out"; then
	ok "TCP_NODELAY/CORK/KEEPIDLE/KEEPINTVL/KEEPCNT/USER_TIMEOUT/QUICKACK, SO_KEEPALIVE read back as Linux TCP's"
else
	nok "options read back as Linux TCP's" "$(diff "$R/opts.xtcp.out" "$R/opts.tcp.out" | tr '\n' ' ')"
fi
grep -q '^fresh .*keepidle=300 ' "$R/opts.xtcp.out" &&
	ok "a new socket takes keepalive_time from its netns (TCP_KEEPIDLE reads 300, as Linux)" ||
	nok "keepalive_time sysctl read by TCP_KEEPIDLE" "$(head -1 "$R/opts.xtcp.out")"

# ----------------------------------------------------------- teardown ---
diag "at $(($(date +%s) - t_start)) s: teardown"
wait_until 60 xtcp_ns_empty a && wait_until 60 xtcp_ns_empty b
if out=$(rmmod xtcp 2>&1) && ! grep -q '^xtcp ' /proc/modules; then
	ok "rmmod once the connections are gone (kmemleak/KASAN checked by the runner)"
	insmod "$(xtcp_ko)"
else
	nok "rmmod once the connections are gone" "$out"
fi
diag "guest time for sender: $(($(date +%s) - t_start)) s"
tap_done
