#!/bin/bash
# Runs INSIDE a guest (scripts/vm): hostile input and identity.
#  - identity: SO_TIMESTAMPING with OPT_ID/OPT_STATS on XTCP sockets (the
#    kernel must not take them for a tcp_sock), SO_PROTOCOL/SO_DOMAIN
#  - API edge cases, each beside Linux TCP: 24-byte sockaddr_in6,
#    connect(AF_UNSPEC) then connect() elsewhere, SIGIO on data
#  - malformed segments at a listener (raw sender in the peer netns),
#    reply compared with Linux TCP's and drop counters checked; all 64
#    flag combinations; IPv6 extension headers and fragments
#  - the recycled TIME-WAIT ISN (above the old SND.NXT, as Linux)
#  - segment fuzzer (FUZZ_SECS) at listeners and live connections, which
#    must still transfer byte-exact or have been reset cleanly
#  - socket-API fuzzer (SYSFUZZ_SECS) on AF_XTCP sockets in every state
#  - afterwards: no XTCP socket left but TIME-WAIT, rmmod succeeds
# TAP output, "N passed, N failed" last.
# Env: QUICK (debug kernel), FUZZ_SECS, SYSFUZZ_SECS, XTCP_IFS, XTCP_KO,
#      XTCP_RESULTS
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
T=$root/tools
# shellcheck source=lib-tap.sh
. "$here/lib-tap.sh"
E2E_NAME=hostile
# shellcheck source=lib-e2e.sh
. "$here/lib-e2e.sh"
SF=$T/xtcp_segfuzz
H=$T/xtcp_hostile
RAW=$here/xtcp-raw.py
PORT=31000
if [ "$QUICK" = 1 ]; then
	FUZZ_SECS=${FUZZ_SECS:-100}
	SYSFUZZ_SECS=${SYSFUZZ_SECS:-45}
else
	FUZZ_SECS=${FUZZ_SECS:-45}
	SYSFUZZ_SECS=${SYSFUZZ_SECS:-20}
fi

# long-running servers, killed in the aftermath (started with "ip netns
# exec" itself, so that $! is the server and not a subshell)
BG=()
# kv KEY TEXT: value of KEY=... in TEXT
kv() { echo "$2" | tr ' ' '\n' | sed -n "s/^$1=//p" | head -1; }
statx() { NS "$1" awk -v k="$2" '$1==k {v=$2} END {print v+0}' /proc/net/xtcp_stat; }

# ---------------------------------------------------------- identity ---
diag "t=${SECONDS}s: identity"
for v in 4 6; do
	newport
	o6=
	[ $v = 6 ] && o6=-6
	ox=$(A "$H" tsopt -f xtcp -p $PORT $o6 2>&1)
	newport
	ot=$(A "$H" tsopt -f tcp -p $PORT $o6 2>&1)
	diag "v$v XTCP: $(echo "$ox" | tr '\n' ' ')"
	diag "v$v Linux: $(echo "$ot" | tr '\n' ' ')"
	if [ "$(kv conn_set "$ox")" = OK ] && [ "$(kv accepted_set "$ox")" = OK ] &&
		[ "$(kv xfer "$ox")" = ok ] && [ "$(kv conn_set "$ot")" = OK ]; then
		ok "v$v SO_TIMESTAMPING OPT_ID and OPT_STATS on connected XTCP sockets: accepted as on Linux TCP, data still flows (KASAN watches the read)"
	else
		nok "v$v SO_TIMESTAMPING OPT_ID on XTCP" "$ox"
	fi
	p=$(kv so_protocol "$ox")
	d=$(kv so_domain "$ox")
	if [ "$p" != 6 ] && [ "$(kv so_type "$ox")" = 1 ] &&
		{ [ "$d" = 2 ] || [ "$d" = 10 ]; }; then
		ok "v$v XTCP sk_protocol is not IPPROTO_TCP (SO_PROTOCOL=$p), SO_DOMAIN=$d, SO_TYPE=SOCK_STREAM"
	else
		nok "v$v XTCP identity fields" "$ox"
	fi
done

# BPF: a cgroup-skb egress program calls bpf_tcp_sock() on the socket of
# every packet; XTCP's must get NULL, Linux TCP's a tcp_sock
# (not under /sys: "ip netns exec" mounts a fresh sysfs)
CG2=/tmp/hostile-cg2
mkdir -p $CG2
mountpoint -q $CG2 || mount -t cgroup2 none $CG2 2>/dev/null
declare -A bp=()
for f in xtcp tcp; do
	newport
	rf=$R/bpf.ready.$PORT
	"$NSX" a "$T/xtcp_xfer" server -f $f -b 10.0.0.1 -p $PORT -t 60 -q --ready-file "$rf" >/dev/null 2>&1 &
	sp=$!
	wait_file 60 "$rf"
	bp[$f]=$(B "$T/xtcp_bpfsk" $CG2 "$T/xtcp_xfer" client -f $f -a 10.0.0.1 -p $PORT -s 100000 -t 60 2>&1 | tail -1)
	# no BPF in this kernel (the debug one): no client came, so the
	# server would wait out its 60 s
	case ${bp[$f]} in *bpf=unavailable*) kill $sp 2>/dev/null ;; esac
	wait $sp
	diag "bpf_tcp_sock() on $f packets: ${bp[$f]}"
done
if echo "${bp[xtcp]}" | grep -q "bpf=unavailable"; then
	skip "bpf_tcp_sock() on XTCP packets" "${bp[xtcp]}"
elif [ "$(kv fullsock "${bp[xtcp]}")" -gt 0 ] && [ "$(kv tcp_sock "${bp[xtcp]}")" = 0 ] &&
	[ "$(kv cmd_rc "${bp[xtcp]}")" = 0 ] && [ "$(kv tcp_sock "${bp[tcp]}")" -gt 0 ]; then
	ok "BPF bpf_tcp_sock() on XTCP sockets returns NULL (${bp[xtcp]}); on Linux TCP a tcp_sock ($(kv tcp_sock "${bp[tcp]}"))"
else
	nok "BPF bpf_tcp_sock() on XTCP sockets" "xtcp: ${bp[xtcp]} / tcp: ${bp[tcp]}"
fi

# ------------------------------------------------------- API edges ---
ox=$(A "$H" sin6_24 -f xtcp 2>&1)
ot=$(A "$H" sin6_24 -f tcp 2>&1)
if [ "$(kv bind24 "$ox")" = EINVAL ] && [ "$(kv connect24 "$ox")" = EINVAL ] &&
	[ "$(kv bind24 "$ox")" = "$(kv bind24 "$ot")" ] &&
	[ "$(kv connect24 "$ox")" = "$(kv connect24 "$ot")" ]; then
	ok "24-byte sockaddr_in6 to fe80::: no scope id read past 24 bytes (bind/connect EINVAL as Linux TCP; $ox)"
else
	nok "24-byte sockaddr_in6" "xtcp: $ox / tcp: $ot"
fi

for f in xtcp tcp; do
	newport; newport
	o=$(A "$H" unspec -f $f -p $PORT 2>&1)
	diag "unspec $f: $(echo "$o" | tr '\n' ' ')"
	eval "un_$f=\"\$(kv b_got \"\$o\")/\$(kv b_first \"\$o\")/\$(kv c_data \"\$o\")\""
done
# shellcheck disable=SC2154
if [ "$un_xtcp" = "3/new/fromB" ] && [ "$un_xtcp" = "$un_tcp" ]; then
	ok "connect(AF_UNSPEC) then connect() elsewhere: no old unsent bytes, no stale EOF (same as Linux TCP: $un_xtcp)"
else
	nok "connect(AF_UNSPEC) reuse" "xtcp $un_xtcp, tcp $un_tcp"
fi

for f in xtcp tcp; do
	newport
	o=$(A "$H" sigio -f $f -p $PORT 2>&1)
	diag "sigio $f: $(echo "$o" | tr '\n' ' ')"
	eval "sg_$f=\"\$(kv sig_before \"\$o\")/\$(kv band_in \"\$o\")/\$(kv fd_ok \"\$o\")\""
	eval "sn_$f=\"\$(kv sig_after_data \"\$o\")\""
done
# shellcheck disable=SC2154
if [ "$sg_xtcp" = "0/1/1" ] && [ "${sn_xtcp:-0}" -ge 1 ] && [ "$sg_xtcp" = "$sg_tcp" ]; then
	ok "O_ASYNC: data raises SIGIO with POLL_IN for the right fd, none before (as Linux TCP)"
else
	nok "SIGIO on data" "xtcp $sg_xtcp n=$sn_xtcp, tcp $sg_tcp"
fi

# ------------------------------------------- malformed at listeners ---
diag "t=${SECONDS}s: malformed at listeners"
# XTCP listener on LX, Linux TCP listener on LT, both in netns a
newport
LX=$PORT
newport
LT=$PORT
# both on :: dual-stack (IPV6_V6ONLY 0, as net.ipv6.bindv6only): one
# listener takes IPv4 and IPv6, for each stack
"$NSX" a "$T/xtcp_xfer" server -f xtcp -b :: -p $LX -n 100000 -t 3600 -q >/dev/null 2>&1 &
BG+=($!)
"$NSX" a "$T/xtcp_xfer" server -f tcp -b :: -p $LT -n 100000 -t 3600 -q >/dev/null 2>&1 &
BG+=($!)
for i in $(seq 1 50); do
	[ "$(A ss -Hltn "sport = :$LT" | wc -l)" -ge 1 ] &&
		[ "$(A awk 'NR > 1' /proc/net/xtcp /proc/net/xtcp6 | grep -c LISTEN)" -ge 1 ] && break
	sleep 0.2
done
# warm up neighbour entries both ways
B "$SF" probe -s 10.0.0.2 -d 10.0.0.1 -p $LT -c syn >/dev/null 2>&1
B "$SF" probe -s fd00::2 -d fd00::1 -p $LT -c syn >/dev/null 2>&1

# class:expected reply:XTCP counter that must grow. All probes of one
# address family run at once (distinct source ports), so the counters are
# checked in sum: every malformed one counts in InErrs, bad checksums also
# in InCsumErrors, listener drops in InBadFlags, fragments in InFragDrops.
classes="syn:S. doff4:none:InErrs doffbig:none:InErrs trunc:none:InErrs
badcsum:none:InCsumErrors optlen0:S. optlen1:S. optover:S. synfin:none:InBadFlags
synrst:none synurg:S. fin:none:InBadFlags null:none:InBadFlags xmas:none"
for v in 4 6; do
	if [ $v = 4 ]; then src=10.0.0.2 dst=10.0.0.1; else src=fd00::2 dst=fd00::1; fi
	cl=$classes
	[ $v = 6 ] && cl="$classes v6ext:S. v6frag:none:InFragDrops"
	declare -A want=()
	for ctr in InErrs InCsumErrors InBadFlags InFragDrops; do
		eval "c0_$ctr=\$(statx a $ctr)"
	done
	pids=()
	for c in $cl; do
		name=${c%%:*}
		B "$SF" probe -s $src -d $dst -p $LX -c "$name" >"$R/probe.x$v.$name" 2>&1 &
		pids+=($!)
		B "$SF" probe -s $src -d $dst -p $LT -c "$name" >"$R/probe.t$v.$name" 2>&1 &
		pids+=($!)
	done
	wait "${pids[@]}"
	bad=""
	for c in $cl; do
		IFS=: read -r name exp ctr <<<"$c"
		rx=$(cat "$R/probe.x$v.$name") rt=$(cat "$R/probe.t$v.$name")
		rx=${rx#reply=} rt=${rt#reply=}
		rx=${rx%%,*} rt=${rt%%,*}	# the first answer (SYN-ACKs repeat)
		line="$name: xtcp=$rx linux=$rt"
		[ -n "$ctr" ] && want[$ctr]=$((${want[$ctr]:-0} + 1))
		[ "$ctr" = InCsumErrors ] || [ "$ctr" = InFragDrops ] &&
			want[InErrs]=$((${want[InErrs]:-0} + 1))
		[ "$rx" = "$exp" ] || bad="$bad [$line: expected $exp]"
		# Linux reassembles the fragments and answers; XTCP drops them
		if [ "$name" = v6frag ]; then
			[ "$rt" = S. ] || bad="$bad [$line: Linux should reassemble]"
		else
			[ "$rx" = "$rt" ] || bad="$bad [$line: differs]"
		fi
		diag "v$v $line"
	done
	cnt=""
	for ctr in "${!want[@]}"; do
		eval "c0=\$c0_$ctr"
		c1=$(statx a "$ctr")
		cnt="$cnt $ctr+$((c1 - c0))/${want[$ctr]}"
		[ $((c1 - c0)) -ge "${want[$ctr]}" ] || bad="$bad [$ctr +$((c1 - c0)), want ${want[$ctr]}]"
	done
	[ -z "$bad" ] && ok "v$v malformed segments at a listener: dropped and counted ($cnt), or answered as Linux TCP answers" ||
		nok "v$v malformed segments at a listener" "$bad"
	unset want
done
# v6frag regression: no RST from Linux TCP for XTCP's port
ic=$(statx a InFragDrops)
[ "${ic:-0}" -ge 1 ] && ok "IPv6 fragments of an XTCP 4-tuple stolen and dropped (InFragDrops=$ic), Linux TCP does not answer them with RST" ||
	nok "IPv6 fragments counted" "InFragDrops=$ic"

for v in 4 6; do
	if [ $v = 4 ]; then src=10.0.0.2 dst=10.0.0.1; else src=fd00::2 dst=fd00::1; fi
	B "$SF" probe -s $src -d $dst -p $LX -c allflags -P 40000 >"$R/flags.x$v" 2>&1
	B "$SF" probe -s $src -d $dst -p $LT -c allflags -P 40100 >"$R/flags.t$v" 2>&1
	d=$(diff "$R/flags.x$v" "$R/flags.t$v" | grep '^[<>]' | tr '\n' ' ')
	n=$(grep -c '^f' "$R/flags.x$v")
	sa=$(grep -c '=S\.$' "$R/flags.x$v")
	rs=$(grep -c '=R' "$R/flags.x$v")
	[ "$n" = 64 ] && [ -z "$d" ] &&
		ok "v$v all 64 flag combinations at a listener: same replies as Linux TCP ($sa SYN-ACK, $rs RST, rest dropped)" ||
		nok "v$v flag combinations at a listener" "n=$n diff: $d"
done

# -------------------------------------------------- TIME-WAIT ISN ---
diag "t=${SECONDS}s: TIME-WAIT ISN"
for s in xtcp tcp; do
	newport
	cport=$((PORT + 10000))
	xsys b msl_ms 20000
	"$NSX" b "$T/xtcp_life" serve -f $s -b 10.0.0.2 -p $PORT -n 2 --first -s 1000 -t 60 >"$R/twisn.$s" 2>&1 &
	twsrv=$!
	sleep 0.5
	out=$(A python3 "$RAW" twisn 10.0.0.1 10.0.0.2 $PORT $cport \
		"$T/xtcp_life" reconnect -f tcp -a 10.0.0.2 -p $PORT -P $cport -n 1 2>&1)
	last=$(echo "$out" | sed -n 's/^last=//p')
	sq=$(echo "$last" | sed -n 's/.*seq=\([0-9]*\).*/\1/p')
	rep=$(echo "$out" | sed -n 's/^newsyn_reply=//p')
	nseq=$(echo "$rep" | tr ',' '\n' | grep '^S\.:' | head -1 | cut -d: -f2)
	eval "tw_$s=\"\${nseq:+\$(( (nseq - sq) & 0xffffffff ))}\""
	diag "twisn $s: last=$last newsyn_reply=$rep"
	kill $twsrv 2>/dev/null
	wait $twsrv 2>/dev/null
done
xsys b msl_ms $MSL_MS
# shellcheck disable=SC2154
# Linux means the same (tcp_timewait_state_process()), but before 6.10
# tcp_v4_fill_cb() clears tcp_tw_isn on the way to the listener and the
# clock-driven RFC 6528 ISN is used: above the old SND.NXT too
[ "${tw_xtcp:-x}" = 65537 ] && [ -n "${tw_tcp:-}" ] &&
	[ "$tw_tcp" -gt 0 ] && [ "$tw_tcp" -lt 2147483648 ] &&
	ok "SYN reopening a TIME-WAIT 4-tuple: ISS = old SND.NXT + 65537 (Linux TCP here: old SND.NXT + $tw_tcp)" ||
	nok "TIME-WAIT recycle ISN" "xtcp ISS-SND.NXT=${tw_xtcp:-none} linux=${tw_tcp:-none}"

# ----------------------------------- rate-limited out-of-window ACKs ---
# RFC 5961 §7, as Linux's tcp_oow_rate_limited() (invalid_ratelimit,
# 500 ms): N pure ACKs far outside the window, back to back, at an idle
# connection get an ACK or two, not N; for XTCP and for Linux TCP
diag "t=${SECONDS}s: out-of-window ACKs"
oow_probe() { # FAM N [oowacks|winsyns]
	local f=$1 n=$2 mode=${3:-oowacks} sp rf
	newport
	rf=$R/oow.ready.$PORT
	"$NSX" a "$T/xtcp_xfer" server -f "$f" -b 10.0.0.1 -p $PORT -n 1 --mode echo -t 120 -q --ready-file "$rf" >"$R/oow.srv.$PORT" 2>&1 &
	sp=$!
	wait_file 60 "$rf"
	B python3 "$RAW" "$mode" 10.0.0.2 10.0.0.1 $PORT "$n" \
		"$H" victims -f "$f" -a 10.0.0.1 -p $PORT -n 1 -H 3 2>&1
	wait $sp
}
# oow_check MODE COUNTER WHAT: the burst of MODE at an XTCP connection and
# at a Linux TCP one; Linux TCP answers it with the same limit (one ACK
# per tcp_invalid_ratelimit, 500 ms): a burst may straddle a second one
oow_check() {
	local mode=$1 cnt=$2 what=$3 n=30 k0 k1 ox ot rx rt
	k0=$(statx a "$cnt")
	ox=$(oow_probe xtcp $n "$mode")
	k1=$(statx a "$cnt")
	ot=$(oow_probe tcp $n "$mode")
	rx=$(kv replies "$ox") rt=$(kv replies "$ot")
	diag "$mode: XTCP: $(echo "$ox" | tr '\n' ' ') $cnt +$((k1 - k0)); Linux TCP: $(echo "$ot" | tr '\n' ' ')"
	if [ "${rx:-x}" -ge 1 ] 2>/dev/null && [ "$rx" -le 3 ] && [ $((k1 - k0)) -ge $((n - rx)) ] &&
		[ "${rt:-x}" -ge 1 ] 2>/dev/null && [ "$rt" -le 3 ] && [ "$rx" -le $((rt + 1)) ] &&
		echo "$ox" | grep -q "client_rc=0 .*result=ok"; then
		ok "$n $what at an XTCP connection: $rx ACKs back, Linux TCP $rt (both 1-3, XTCP <= Linux + 1), $cnt +$((k1 - k0)), the connection still echoes"
	else
		nok "$n $what at a connection: ACKs rate-limited, connection kept" "XTCP replies ${rx:-?} $cnt +$((k1 - k0)) ($ox); Linux TCP ${rt:-?} ($ot)"
	fi
}
oow_check oowacks TCPACKSkippedSeq "out-of-window pure ACKs"
# RFC 5961 §4: an in-window SYN on a synchronized connection gets a
# challenge ACK, never a reset or a new connection; a burst of them gets
# one per invalid_ratelimit (Linux: tcp_send_challenge_ack())
oow_check winsyns TCPACKSkippedChallenge "in-window SYNs"

# ------------------------------------------------- segment fuzzing ---
diag "t=${SECONDS}s: segment fuzzing"
# victims: idle connections the fuzzer may hit in window; bystander: a
# transfer it may hit only with unacceptable segments (must stay exact)
newport
VP=$PORT
newport
BP=$PORT
"$NSX" a "$T/xtcp_xfer" server -f xtcp -b 10.0.0.1 -p $VP -n 8 --mode echo -t 3600 -q >"$R/victim.srv" 2>&1 &
BG+=($!)
# orphans of desynchronised victims retransmit for a bounded time
xsys a retries 6
xsys b retries 6
"$NSX" a "$T/xtcp_xfer" server -f xtcp -b 10.0.0.1 -p $BP -n 1 --mode reply -t 3600 -q >"$R/bystander.srv" 2>&1 &
BG+=($!)
sleep 0.5
# 8 victim connections: echo, idle through the fuzz, echo again, abort
B "$H" victims -f xtcp -a 10.0.0.1 -p $VP -n 8 -H $((FUZZ_SECS + 5)) >"$R/victims" 2>&1 &
vpid=$!
# the bystander streams for the whole fuzz run
BYSZ=$((FUZZ_SECS * 100000))
"$NSX" b "$T/xtcp_xfer" client -f xtcp -a 10.0.0.1 -p $BP -s $BYSZ --mode halfclose -t $((FUZZ_SECS * 4 + 120)) >"$R/bystander.cli" 2>&1 &
bys=$!
sleep 1
e0=$(statx a InErrs) s0=$(statx a InSegs)
B "$SF" fuzz -s 10.0.0.2 -d 10.0.0.1 -l $LX -v $VP -b $BP -i "$IFB" -t "$FUZZ_SECS" >"$R/segfuzz.v4" 2>&1
B "$SF" fuzz -s fd00::2 -d fd00::1 -l $LX -t 5 >"$R/segfuzz.v6" 2>&1
sent=$(kv sent "$(cat "$R/segfuzz.v4")")
sent6=$(kv sent "$(cat "$R/segfuzz.v6")")
e1=$(statx a InErrs) s1=$(statx a InSegs)
diag "segment fuzzer: $(tr '\n' ' ' <"$R/segfuzz.v4") + v6 $(tr '\n' ' ' <"$R/segfuzz.v6")"
diag "XTCP in netns a during the fuzz: InSegs +$((s1 - s0)) InErrs +$((e1 - e0)); $(NS a cat /proc/net/xtcp_stat | tr '\n' ' ')"
[ "${sent:-0}" -gt 1000 ] &&
	ok "segment fuzzer sent $sent IPv4 + $sent6 IPv6 segments in ${FUZZ_SECS}+5 s at listeners and live connections" ||
	nok "segment fuzzer ran" "$(cat "$R/segfuzz.v4")"

wait $bys
rc=$?
bo=$(tr '\n' ' ' <"$R/bystander.cli")
[ $rc = 0 ] && ok "bystander transfer under fuzz ($BYSZ bytes) arrived byte-exact ($bo)" ||
	nok "bystander transfer under fuzz byte-exact" "rc=$rc $bo"
wait $vpid
vo=$(cat "$R/victims")
nv=$(echo "$vo" | grep -c 'result=')
summ=$(echo "$vo" | sed -n 's/.*result=//p' | sort | uniq -c | awk '{printf "%s=%s ", $2, $1}')
[ "$nv" = 8 ] && ok "victim connections hit in window: each still worked or ended with an error, none hung ($summ)" ||
	nok "victim connections" "$vo"
# listeners still accept and carry data
newport
for fam_addr in 10.0.0.1 fd00::1; do
	o=$(B "$T/xtcp_xfer" client -f xtcp -a $fam_addr -p $LX -s 100000 -t 60 2>&1)
	[ $? = 0 ] && ok "after the fuzz the XTCP listener on [$fam_addr]:$LX accepts and transfers ($o)" ||
		nok "listener after fuzz ($fam_addr)" "$o"
done

# ---------------------------------------------- socket-API fuzzing ---
diag "t=${SECONDS}s: socket-API fuzzing"
ip netns add f
NS f ip link set lo up
o=$(NS f "$T/xtcp_sysfuzz" -t "$SYSFUZZ_SECS" -j 4 2>&1)
echo "$o" | sed 's/^/# sysfuzz: /' | sed 's/^# sysfuzz: # /# sysfuzz: /'
calls=$(kv calls "$(echo "$o" | head -1)")
[ "${calls:-0}" -gt 1000 ] && ok "socket-API fuzzer: $calls calls on AF_XTCP sockets from 4 threads in ${SYSFUZZ_SECS} s ($(echo "$o" | head -1))" ||
	nok "socket-API fuzzer ran" "$o"
o=$(NS f "$T/xtcp_sysfuzz" -t 3 -j 2 -f tcp 2>&1 | head -1)
diag "same fuzzer on Linux TCP for reference: $o"

# --------------------------------------------------------- aftermath ---
diag "t=${SECONDS}s: aftermath"
cleanup_jobs() {
	kill "${BG[@]}" 2>/dev/null
	jobs -p | xargs -r kill 2>/dev/null
	wait 2>/dev/null
}
cleanup_jobs
# every XTCP socket must go (TIME-WAIT may stay until rmmod purges it)
refcnt() { cat /sys/module/xtcp/refcnt 2>/dev/null || echo gone; }
rows() { for n in a b f; do NS $n cat /proc/net/xtcp /proc/net/xtcp6 2>/dev/null; done | awk '$1 ~ /:$/'; }
diag "after the fuzzers: module refcnt $(refcnt), rows by state: $(rows | awk '{print $NF}' | sort | uniq -c | tr '\n' ' ')"
left=
for i in $(seq 1 90); do
	left=$(rows | awk '$NF != "TIME-WAIT"')
	[ -z "$left" ] && break
	sleep 1
done
[ -z "$left" ] && ok "after both fuzzers every XTCP socket is gone but TIME-WAITs (no socket wedged)" ||
	nok "XTCP sockets left after the fuzzers" "$(echo "$left" | head -5 | tr '\n' ';')"
diag "module refcnt $(refcnt) before the namespaces go"
ip netns del f
cleanup
for i in $(seq 1 60); do
	[ "$(refcnt)" = 0 ] && break
	sleep 1
done
diag "t=${SECONDS}s: rmmod (refcnt $(refcnt))"
for i in $(seq 1 10); do
	timeout 20 rmmod xtcp 2>/dev/null && break
	sleep 1
done
grep -q '^xtcp ' /proc/modules && nok "rmmod xtcp after the fuzzers" "$(grep '^xtcp ' /proc/modules)" ||
	ok "rmmod xtcp after the fuzzers (no socket leaked)"
trap - EXIT
tap_done
