#!/bin/bash
# Runs INSIDE a guest (scripts/vm): the AF_XTCP sock_diag handler
# (module/xtcp_diag.c) through tools/xtcp-ss. Over the virtio NICs between
# netns "a" and "b" (lib-e2e.sh): listeners, established connections of
# both families with known queues, TIME-WAIT entries; xtcp-ss must list
# exactly them (states, ends, Recv-Q = bytes unread, Send-Q), as
# /proc/net/xtcp{,6} and iproute2's ss reading those files do, and as
# Linux's own `ss` lists the same scenario on Linux TCP. Then 2000 sockets
# in one netns (a multi-part dump), and rmmod during a dump.
# TAP output, "N passed, N failed" last.
# Env: as guest-e2e.sh (QUICK, XTCP_IFS, XTCP_KO, XTCP_RESULTS);
#      DIAG_MANY: connections (2 sockets each) of the big dump; 1000, 500
#      with QUICK=1 (the debug kernel, to stay near 6 minutes there)
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
T=$root/tools
RUN=$T/xtcp-run
SS=$T/xtcp-ss
PY=/usr/bin/python3
H=$here/xtcp-diag.py
MANY=${DIAG_MANY:-1000}
[ "${QUICK:-0}" = 1 ] && MANY=${DIAG_MANY:-500}
# shellcheck source=lib-tap.sh
. "$here/lib-tap.sh"

diag "diag: xtcp-ss and the AF_XTCP sock_diag handler ($(uname -r))"
# --- before the module is loaded: a clear error
grep -q '^xtcp ' /proc/modules && rmmod xtcp
out=$("$SS" 2>&1)
rc=$?
case "$rc:$out" in 1:*"XTCP is not loaded"*) ok "xtcp-ss without xtcp.ko: exit 1, \"XTCP is not loaded\"" ;;
*) nok "xtcp-ss without xtcp.ko: exit 1, \"XTCP is not loaded\"" "rc=$rc: $out" ;; esac

E2E_NAME=diag
# shellcheck source=lib-e2e.sh
. "$here/lib-e2e.sh"
# TIME-WAIT entries must outlast the checks: 2*MSL = 10 min
for n in a b; do xsys $n msl_ms 300000; done
PORT=41000
N=3
# the helpers' pids (scripts/xtcp-diag.py note_pid); killhelpers: end them
export DIAG_PIDS=$R/pids
: >"$DIAG_PIDS"
killhelpers() {
	local p
	for p in $(cat "$DIAG_PIDS"); do kill "$p" 2>/dev/null; done
	for p in $(cat "$DIAG_PIDS"); do wait_until 30 test ! -d /proc/"$p"; done
	: >"$DIAG_PIDS"
	wait 2>/dev/null
}
# Linux's ss answers from inet_diag (listeners' Send-Q is the backlog) only
# with tcp_diag; the guest does not autoload modules
modprobe -q tcp_diag 2>/dev/null
logtail() { tail -"${2:-4}" "$1" 2>/dev/null | tr '\n' '|'; }

# settled NS FILE...: two samples of the NS's XTCP rows 1 s apart equal
# (queues no longer moving); the last sample left in FILE
rows_now() { NS "$1" cat /proc/net/xtcp /proc/net/xtcp6 /proc/net/tcp /proc/net/tcp6 | awk '{ $1 = ""; $6 = ""; print }' | sort; }
settled() {
	local s1 s2
	s1=$(rows_now "$1")
	sleep 1
	s2=$(rows_now "$1")
	[ "$s1" = "$s2" ]
}

# scenario S: server in b, client in a, on XTCP (S=x) or Linux TCP (t);
# leaves the client's expectations in $R/exp-S.json
scenario() {
	local s=$1 p4 p6 pt4 pt6
	p4=$((PORT + 1)) p6=$((PORT + 2)) pt4=$((PORT + 3)) pt6=$((PORT + 4))
	PORT=$((PORT + 10))
	local pre=()
	[ "$s" = x ] && pre=("$RUN")
	rm -f "$R/exp-$s.json"
	B "${pre[@]}" $PY "$H" server 10.0.0.2 fd00::2 $p4 $p6 $pt4 $pt6 >"$R/srv-$s.log" 2>&1 &
	wait_file 60 "$R/srv-$s.log" listening || return 1
	A "${pre[@]}" $PY "$H" client 10.0.0.2 fd00::2 $p4 $p6 $pt4 $pt6 $N "$R/exp-$s.json" >"$R/cli-$s.log" 2>&1 &
	wait_file 120 "$R/exp-$s.json" || return 1
	wait_until 60 settled a && wait_until 60 settled b
}

# --- the same scenario on Linux TCP, listed by Linux's own ss
if scenario t; then
	A ss -tanH >"$R/ss-t-a.out"; B ss -tanH >"$R/ss-t-b.out"
	for side in "a client" "b server"; do
		set -- $side # two words
		out=$($PY "$H" expect "$R/exp-t.json" "$2" "$R/ss-t-$1.out" loose | tr '\n' ' ')
		case "$out" in *" match "*) ok "Linux TCP reference: Linux's ss lists the $2's sockets and queues as this suite expects ($out)" ;;
		*) nok "Linux TCP reference: ss lists the $2's sockets as expected" "$out" ;; esac
	done
else
	nok "Linux TCP scenario set up" "$(logtail "$R/srv-t.log") $(logtail "$R/cli-t.log")"
fi
killhelpers

# --- XTCP: the same expectations on xtcp-ss
if scenario x; then
	for n in a b; do
		NS $n "$SS" -tanH >"$R/ss-x-$n.out" 2>"$R/ss-x-$n.err"
		NS $n cp /proc/net/xtcp "$R/proc4-$n"
		NS $n cp /proc/net/xtcp6 "$R/proc6-$n"
	done
	for side in "a client" "b server"; do
		set -- $side # two words
		out=$($PY "$H" expect "$R/exp-x.json" "$2" "$R/ss-x-$1.out" | tr '\n' ' ')
		case "$out" in *" match "*) ok "xtcp-ss in the $2's netns lists exactly its listeners/connections/TIME-WAIT with their queues ($out)" ;;
		*) nok "xtcp-ss lists the $2's sockets as expected" "$out" ;; esac
		out=$($PY "$H" proc "$R/ss-x-$1.out" "$R/proc4-$1" "$R/proc6-$1" | tr '\n' ' ')
		case "$out" in *" match "*) ok "$2: the same sockets, states and Send-Q as /proc/net/xtcp{,6} ($out)" ;;
		*) nok "$2: xtcp-ss agrees with /proc/net/xtcp{,6}" "$out" ;; esac
		# iproute2's ss over the /proc files: the same sockets
		NS $1 env PROC_NET_TCP=/proc/net/xtcp PROC_NET_TCP6=/proc/net/xtcp6 \
			ss -tanH >"$R/ss-proc-$1.out" 2>&1
		a1=$(awk '{ print $1, $4, $5 }' "$R/ss-proc-$1.out" | sort)
		a2=$(awk '{ print $1, $4, $5 }' "$R/ss-x-$1.out" | sort)
		if [ -n "$a1" ] && [ "$a1" = "$a2" ]; then
			ok "$2: PROC_NET_TCP=/proc/net/xtcp PROC_NET_TCP6=/proc/net/xtcp6 ss -tan lists the same $(echo "$a1" | wc -l) sockets"
		else
			nok "$2: iproute2 ss over /proc/net/xtcp{,6} lists the same sockets" "$(diff <(echo "$a1") <(echo "$a2") | tr '\n' '|')"
		fi
	done
	# filters: -l, -4, -6 (server side: 4 listeners, 2 per family)
	l=$(B "$SS" -H -l | awk '{ print $1 }' | sort | uniq -c | tr -s ' ')
	[ "$l" = " 4 LISTEN" ] && ok "xtcp-ss -l: the 4 listeners only" || nok "xtcp-ss -l: the 4 listeners only" "$l"
	n4=$(B "$SS" -H -4 | grep -c '^')
	n6=$(B "$SS" -H -6 | grep -c '^')
	e4=$(grep -vc '\[' "$R/ss-x-b.out")
	e6=$(grep -c '\[' "$R/ss-x-b.out")
	[ "$n4" = "$e4" ] && [ "$n6" = "$e6" ] && [ "$n4" -gt 0 ] && [ "$n6" -gt 0 ] &&
		ok "xtcp-ss -4 / -6: $n4 IPv4 and $n6 IPv6 sockets, the whole list split by family" ||
		nok "xtcp-ss -4 / -6 split the list by family" "-4 $n4 (want $e4) -6 $n6 (want $e6)"
	[ "$(B "$SS" -H -4 | grep -c '\[')" = 0 ] && [ "$(B "$SS" -H -6 | grep -vc '\[')" = 0 ] &&
		ok "xtcp-ss -4 lists no IPv6 socket, -6 no IPv4 one" || nok "xtcp-ss -4/-6 filter by family"
	# -i: tcp_info, congestion control and the RFC state per socket
	A "$SS" -H -i -o >"$R/ss-i-a.out" 2>&1
	B "$SS" -H -i >"$R/ss-i-b.out" 2>&1
	mss_ok=$($PY - "$R/exp-x.json" "$R/ss-i-a.out" <<'EOF'
import json, re, sys
exp = json.load(open(sys.argv[1]))
lines = open(sys.argv[2]).read().split("\n")
info = {}
for i, l in enumerate(lines[:-1]):
    w = l.split()
    if w and not l.startswith("\t"):
        info[(w[0], w[3], w[4])] = lines[i + 1]
bad = 0
for r in exp:
    l = info.get((r["state"], r["local"], r["peer"]), "")
    if r["state"] == "ESTAB":
        m = re.search(r" mss:(\d+) cwnd:(\d+)", l)
        ok = (m and int(m.group(1)) == r["mss"] and int(m.group(2)) > 0
              and re.search(r" rto:[0-9.]+ rtt:[0-9.]+/[0-9.]+", l)
              and "xtcp_state:ESTABLISHED(4)" in l and " cubic " in l)
    else:
        ok = "xtcp_state:TIME-WAIT(10)" in l
    if not ok:
        bad += 1
        print("bad:", r["local"], l)
print("%d of %d" % (len(exp) - bad, len(exp)))
EOF
)
	case "$mss_ok" in "$(grep -o '"state"' "$R/exp-x.json" | wc -l) of "*)
		ok "xtcp-ss -i: cubic, rto, rtt/rttvar, cwnd, mss = the socket's own TCP_INFO mss, RFC state, for each connection and TIME-WAIT ($mss_ok)" ;;
	*) nok "xtcp-ss -i shows tcp_info and the RFC state" "$(echo "$mss_ok" | tr '\n' '|')" ;; esac
	grep -q 'xtcp_state:LISTEN(1)' "$R/ss-i-b.out" &&
		[ "$(grep -c 'xtcp_state:' "$R/ss-i-b.out")" = "$(grep -vc '^	' "$R/ss-i-b.out")" ] &&
		ok "xtcp-ss -i: every server socket has its RFC state, listeners LISTEN(1)" ||
		nok "xtcp-ss -i: RFC state on every server socket" "$(head -4 "$R/ss-i-b.out" | tr '\n' '|')"
	grep -Eq '^TIME-WAIT .* timer:\(timewait,[0-9]+ms,0\)' "$R/ss-i-a.out" &&
		ok "xtcp-ss -o: TIME-WAIT entries carry the timewait timer" ||
		nok "xtcp-ss -o: timewait timer" "$(grep TIME-WAIT "$R/ss-i-a.out" | head -2 | tr '\n' '|')"
	# get-exact requests: each dumped socket asked again by 4-tuple + cookie
	for n in a b; do
		out=$(NS $n "$SS" -e 2>&1)
		case "$out" in *"exact: "*" found, 0 bad"*) ok "netns $n: every socket found again by a get-exact request (${out#xtcp-ss: })" ;;
		*) nok "netns $n: get-exact requests" "$(echo "$out" | tail -3 | tr '\n' '|')" ;; esac
	done
	# bad requests get a clean errno: short, family 99, protocol UDP,
	# exact without a family, exact for no socket, SOCK_DESTROY for no
	# socket and without a family
	out=$(A $PY "$H" badreq 2>&1)
	[ "$out" = "EINVAL EINVAL EINVAL EINVAL ENOENT ENOENT EINVAL" ] &&
		ok "bad sock_diag requests: $out" ||
		nok "bad sock_diag requests: EINVAL x4, ENOENT, ENOENT, EINVAL" "$out"
else
	nok "XTCP scenario set up" "$(logtail "$R/srv-x.log") $(logtail "$R/cli-x.log")"
fi
killhelpers

# --- socket memory (xtcp-ss -m, INET_DIAG_SKMEMINFO) against what each
# socket holds, and Linux's ss -tmn on Linux TCP in the same situation: a
# receiver with SO_RCVBUF 65536 that never reads (rb = 131072 as Linux
# doubles it, r >= the bytes queued), a sender stuck on a full buffer
# (w >= Send-Q, tb = its SO_SNDBUF)
MRCV=65536 MSMALL=20000
memtest() {
	local s=$1 p=$PORT pre=()
	PORT=$((PORT + 10))
	[ "$s" = x ] && pre=("$RUN")
	rm -f "$R/ms-$s.json" "$R/mc-$s.json"
	B "${pre[@]}" $PY "$H" mserver 10.0.0.2 $p $MRCV "$R/ms-$s.json" >"$R/msrv-$s.log" 2>&1 &
	wait_file 60 "$R/msrv-$s.log" listening || return 1
	A "${pre[@]}" $PY "$H" mclient 10.0.0.2 $p $MSMALL "$R/mc-$s.json" >"$R/mcli-$s.log" 2>&1 &
	wait_file 120 "$R/mc-$s.json" && wait_file 60 "$R/ms-$s.json" || return 1
	wait_until 60 settled a && wait_until 60 settled b
	if [ "$s" = x ]; then
		A "$SS" -H -m -p $p >"$R/mem-$s-a.out"; B "$SS" -H -m -p $p >"$R/mem-$s-b.out"
	else
		A ss -tmnH "dport = :$p" >"$R/mem-$s-a.out"; B ss -tmnH "sport = :$p" >"$R/mem-$s-b.out"
	fi
}
for s in t x; do
	name="XTCP, xtcp-ss -m"
	[ $s = t ] && name="Linux TCP, Linux's ss -tmn"
	if memtest $s; then
		for side in "b server" "a client"; do
			set -- $side # two words
			out=$($PY "$H" memcheck "$2" $MRCV $MSMALL "$R/ms-$s.json" "$R/mc-$s.json" "$R/mem-$s-$1.out" | tr '\n' ' ')
			case "$out" in *" match "*) ok "$name, $2 side: skmem agrees with the sockets (rb = 2 x SO_RCVBUF, r >= Recv-Q, tb = SO_SNDBUF, w >= Send-Q, d0 but on the bulk receiver) ($out)" ;;
			*) nok "$name, $2 side: skmem agrees with the sockets" "$out" ;; esac
		done
	else
		nok "$name: memory scenario set up" "$(logtail "$R/msrv-$s.log") $(logtail "$R/mcli-$s.log")"
	fi
	killhelpers
done

# --- SOCK_DESTROY: xtcp-ss -K, and Linux's ss -K on Linux TCP (needs
# CONFIG_INET_DIAG_DESTROY). An established connection: the owner's
# blocked recv gets ECONNABORTED, the peer's ECONNRESET (a RST, OutRsts),
# the next send EPIPE; the listener: a blocked accept gets EINVAL
NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all)
kcfg=/boot/config-$(uname -r)
LINUX_K=0
if grep -q '^CONFIG_INET_DIAG_DESTROY=y' "$kcfg" 2>/dev/null ||
	zcat /proc/config.gz 2>/dev/null | grep -q '^CONFIG_INET_DIAG_DESTROY=y'; then
	LINUX_K=1
else
	diag "this kernel has no CONFIG_INET_DIAG_DESTROY ($kcfg): no Linux ss -K reference"
fi
# outrsts NS S: OutRsts of XTCP (x) or Linux TCP (t)
outrsts() { if [ "$2" = x ]; then SUBJECT=xtcp stat_get "$1" OutRsts; else SUBJECT=tcp stat_get "$1" OutRsts; fi; }
# no_port NS PORT S: no row of PORT in NS's /proc/net/xtcp (S=x) or tcp
# (t), nor in xtcp-ss's dump (S=x): a killed socket its owner still holds
# is listed by neither stack
no_port() {
	local f=/proc/net/xtcp
	[ "$3" = t ] && f=/proc/net/tcp
	[ "$3" = t ] || [ -z "$(NS "$1" "$SS" -H -p "$2")" ] || return 1
	! NS "$1" awk 'NR > 1 { print $2; print $3 }' "$f" | grep -qi ":$(printf %04X "$2")\$"
}
ktest() {
	local s=$1 p=$PORT pre=() lp r0 r1 out rc
	PORT=$((PORT + 10))
	[ "$s" = x ] && pre=("$RUN")
	rm -f "$R/ks-$s" "$R/kc-$s"
	B "${pre[@]}" $PY "$H" kserver 10.0.0.2 $p "$R/ks-$s" >"$R/ksrv-$s.log" 2>&1 &
	wait_file 60 "$R/ks-$s" listening || return 1
	A "${pre[@]}" $PY "$H" kclient 10.0.0.2 $p "$R/kc-$s" >"$R/kcli-$s.log" 2>&1 &
	wait_file 60 "$R/kc-$s" connected && wait_file 60 "$R/ks-$s" accepted || return 1
	lp=$(awk '/^connected/ { print $2 }' "$R/kc-$s")
	if [ "$s" = x ]; then
		out=$(A "${NOBODY[@]}" "$SS" -K -L 10.0.0.1:$lp -R 10.0.0.2:$p 2>&1)
		rc=$?
		out2=$(A "${NOBODY[@]}" "$SS" -K -p $p 2>&1)
		rc2=$?
		[ $rc = 1 ] && [ $rc2 = 1 ] && case "$out|$out2" in *"Operation not permitted"*"|"*"Operation not permitted"*) true ;; *) false ;; esac &&
			[ "$(A "$SS" -H -p $p | awk '{ print $1 }')" = ESTAB ] && ! grep -q '^recv' "$R/kc-$s" "$R/ks-$s" &&
			ok "xtcp-ss -K as uid 65534 without capabilities: EPERM (by 4-tuple and by port), the connection is still ESTAB ($out)" ||
			nok "xtcp-ss -K without CAP_NET_ADMIN: EPERM, connection survives" "rc $rc/$rc2: $out | $out2 | $(cat "$R/kc-$s" | tr '\n' ' ')"
	fi
	r0=$(outrsts a $s)
	if [ "$s" = x ]; then
		A "$SS" -H -K -p $p >"$R/kill-$s.out" 2>&1
	else
		A ss -K -tnH "dport = :$p" >"$R/kill-$s.out" 2>&1
	fi
	rc=$?
	wait_file 60 "$R/kc-$s" '^send' && wait_file 60 "$R/ks-$s" '^recv'
	wait_until 30 no_port a $p $s
	r1=$(outrsts a $s)
	KRES=$(grep -h '^recv\|^send' "$R/kc-$s" | sed 's/^/client /' | tr '\n' ' ')$(grep -h '^recv' "$R/ks-$s" | sed 's/^/server /')
	KRST=$((r1 - r0))
	KRC=$rc
	KOUT=$(awk '{ print $1, $4, $5 }' "$R/kill-$s.out" | tr '\n' ' ')
	# the listener
	if [ "$s" = x ]; then
		B "$SS" -H -K -l -p $p >"$R/killl-$s.out" 2>&1
	else
		B ss -K -tlnH "sport = :$p" >"$R/killl-$s.out" 2>&1
	fi
	wait_file 60 "$R/ks-$s" '^accept [A-Z]'
	KLRES="$(grep -h '^accept [A-Z]' "$R/ks-$s") $(awk '{ print $1 }' "$R/killl-$s.out")"
	wait_until 30 no_port b $p $s && KLRES="$KLRES gone" || KLRES="$KLRES left"
	return 0
}
KWANT="client recv ECONNABORTED client send EPIPE server recv ECONNRESET"
if ktest x; then
	xres=$KRES xrst=$KRST xl=$KLRES
	[ "$KRC" = 0 ] && [ "$KRES" = "$KWANT" ] && [ "$KRST" -ge 1 ] && no_port a "$((PORT - 10))" x &&
		case "$KOUT" in "ESTAB 10.0.0.1:"*" 10.0.0.2:$((PORT - 10)) ") true ;; *) false ;; esac &&
		ok "xtcp-ss -K on an established XTCP connection: it lists it ($KOUT), a RST (OutRsts +$KRST), $KRES; neither /proc/net/xtcp nor xtcp-ss lists it while its owner holds it" ||
		nok "xtcp-ss -K aborts an established connection" "rc $KRC out '$KOUT' rst +$KRST: $KRES (want $KWANT)"
	case "$KLRES" in "accept EINVAL LISTEN gone") ok "xtcp-ss -K -l on the listener: closed, its blocked accept() gets EINVAL ($KLRES)" ;;
	*) nok "xtcp-ss -K on a listener" "$KLRES" ;; esac
else
	nok "XTCP SOCK_DESTROY scenario set up" "$(logtail "$R/ksrv-x.log") $(logtail "$R/kcli-x.log")"
fi
killhelpers
if [ $LINUX_K = 1 ]; then
	if ktest t; then
		[ "$KRES" = "$xres" ] && [ "$KRST" -ge 1 ] && [ "$KLRES" = "$xl" ] &&
			ok "Linux TCP reference: ss -K gives the same ($KRES, OutRsts +$KRST; listener: $KLRES)" ||
			nok "Linux TCP ss -K behaves as xtcp-ss -K" "Linux: $KRES rst +$KRST listener $KLRES; XTCP: $xres rst +$xrst listener $xl"
	else
		nok "Linux TCP SOCK_DESTROY scenario set up" "$(logtail "$R/ksrv-t.log") $(logtail "$R/kcli-t.log")"
	fi
	killhelpers
fi
out=$(A "$SS" -K -L 10.0.0.1:1 -R 10.0.0.2:1 2>&1)
rc=$?
[ $rc = 1 ] && case "$out" in *"No such file or directory"*) true ;; *) false ;; esac &&
	ok "xtcp-ss -K on a 4-tuple no socket has: ENOENT ($out)" || nok "xtcp-ss -K on no socket: ENOENT" "rc $rc: $out"
# a TIME-WAIT entry (the client's, from the scenario above) by its 4-tuple
tw=$(A "$SS" -H | awk '$1 == "TIME-WAIT" && $4 !~ /\[/ { print $4, $5; exit }')
ntw=$(A "$SS" -H | grep -c '^TIME-WAIT')
if [ -n "$tw" ]; then
	set -- $tw # two words
	out=$(A "$SS" -K -L "$1" -R "$2" 2>&1)
	rc=$?
	left=$(A "$SS" -H | grep -c '^TIME-WAIT')
	[ $rc = 0 ] && ! A "$SS" -H | grep -q "^TIME-WAIT .* $1 *$2 *\$" && [ "$left" = $((ntw - 1)) ] &&
		ok "xtcp-ss -K -L $1 -R $2: that TIME-WAIT entry goes, the other $left stay" ||
		nok "xtcp-ss -K on a TIME-WAIT entry" "rc $rc $out: $ntw -> $left"
else
	nok "a TIME-WAIT entry to abort" "$(A "$SS" -H | head -3 | tr '\n' '|')"
fi

# --- many sockets in one netns: a dump in several parts
ip netns add c
ip -n c link set lo up
NS c sh -c 'echo 300000 > /proc/sys/net/xtcp/msl_ms'
rm -f "$R/many.ready"
NS c "$RUN" $PY "$H" many "$MANY" 42000 "$R/many.ready" >"$R/many.log" 2>&1 &
if wait_file 600 "$R/many.ready"; then
	want=$((2 * MANY + 1))
	inproc=$(NS c cat /proc/net/xtcp | awk 'NR > 1' | wc -l)
	NS c "$SS" -H -S >"$R/many.out" 2>"$R/many.err"
	got=$(wc -l <"$R/many.out")
	est=$(grep -c '^ESTAB ' "$R/many.out")
	sum=$(cat "$R/many.err")
	reads=$(echo "$sum" | sed -n 's/.* in \([0-9]*\) netlink reads/\1/p')
	[ "$got" = "$want" ] && [ "$inproc" = "$want" ] && [ "$est" = $((2 * MANY)) ] && [ "${reads:-0}" -gt 2 ] &&
		ok "$want sockets open: xtcp-ss lists all $got ($est ESTAB, 1 LISTEN) as /proc does, over $reads netlink reads" ||
		nok "a dump of $want sockets lists all" "got $got est $est /proc $inproc: $sum"
	NS c "$SS" -H -i -S >"$R/many-i.out" 2>"$R/many-i.err"
	got=$(grep -vc '^	' "$R/many-i.out")
	dups=$(grep -v '^	' "$R/many-i.out" | sort | uniq -d | wc -l)
	[ "$got" = "$want" ] && [ "$dups" = 0 ] &&
		ok "with tcp_info (-i): all $got sockets, none twice ($(cat "$R/many-i.err"))" ||
		nok "-i dump of $want sockets" "got $got dups $dups: $(cat "$R/many-i.err")"
	out=$(rmmod xtcp 2>&1)
	grep -q '^xtcp ' /proc/modules && ok "rmmod refused while $want XTCP sockets are open ($out)" ||
		nok "rmmod refused with sockets open" "module gone"
	# -K on all of them: each connection aborted from one end (the
	# other then reset by its RST, or aborted first), the listener closed
	r0=$(SUBJECT=xtcp stat_get c OutRsts)
	NS c "$SS" -H -K -p 42000 >"$R/many-k.out" 2>&1
	rc=$?
	nk=$(grep -c '^ESTAB \|^LISTEN ' "$R/many-k.out")
	# nothing is left listed, though the owners still hold the sockets
	many_gone() { [ "$(NS c "$SS" -H -p 42000 | grep -c .)" = 0 ]; }
	wait_until 120 many_gone
	r1=$(SUBJECT=xtcp stat_get c OutRsts)
	[ $rc = 0 ] && [ "$nk" -gt "$MANY" ] && [ "$nk" -le "$want" ] && many_gone && [ $((r1 - r0)) -ge "$MANY" ] &&
		ok "xtcp-ss -K -p 42000 on the $want sockets: $nk aborted, the others reset by their RSTs (OutRsts +$((r1 - r0))), no connection left" ||
		nok "xtcp-ss -K on $want sockets" "rc $rc aborted $nk OutRsts +$((r1 - r0)) left $(NS c "$SS" -H -p 42000 | grep -c .)"
else
	nok "$((2 * MANY + 1)) sockets opened" "$(logtail "$R/many.log")"
fi
killhelpers

# --- orphans (closed by their owner, in FIN-WAIT-2) aborted by -K: a RST
# to the CLOSE-WAIT end, the orphan freed (the module refcount below
# reaches 0 only if every aborted socket was)
NORPH=50
rm -f "$R/orph.ready"
NS c "$RUN" $PY "$H" orphans $NORPH 42300 "$R/orph.ready" >"$R/orph.log" 2>&1 &
fw2() { [ "$(NS c "$SS" -H -p 42300 | grep -c '^FIN-WAIT-2 ')" = $NORPH ]; }
if wait_file 120 "$R/orph.ready" && wait_until 60 fw2; then
	NS c "$SS" -H -K -p 42300 >"$R/orph-k.out" 2>&1
	rc=$?
	nf=$(grep -c '^FIN-WAIT-2 ' "$R/orph-k.out")
	orph_gone() { [ "$(NS c "$SS" -H -p 42300 | grep -c '^FIN-WAIT-2 \|^CLOSE-WAIT \|^ESTAB ')" = 0 ]; }
	wait_until 60 orph_gone
	[ $rc = 0 ] && [ "$nf" = $NORPH ] && orph_gone &&
		ok "xtcp-ss -K -p 42300: the $NORPH orphans in FIN-WAIT-2 aborted, their CLOSE-WAIT peers reset" ||
		nok "xtcp-ss -K on orphans" "rc $rc FIN-WAIT-2 aborted $nf: $(NS c "$SS" -H -p 42300 | awk '{ print $1 }' | sort | uniq -c | tr '\n' ' ')"
else
	nok "$NORPH orphans in FIN-WAIT-2" "$(logtail "$R/orph.log") $(NS c "$SS" -H -p 42300 | awk '{ print $1 }' | sort | uniq -c | tr '\n' ' ')"
fi
killhelpers

# --- rmmod while a dump is half read: TIME-WAIT entries only, no socket
rm -f "$R/tw.ready" "$R/go"
NTW=$((MANY / 2))
# more than one part (about 289 entries each): the -K tests above left no
# TIME-WAIT entries of the connections before
[ $NTW -lt 400 ] && NTW=400
NS c "$RUN" $PY "$H" tw $NTW 42500 "$R/tw.ready" >"$R/tw.log" 2>&1 &
only_tw() { [ "$(NS c awk 'NR > 1 && $4 != "06"' /proc/net/xtcp | wc -l)" = 0 ]; }
if wait_file 300 "$R/tw.ready"; then
	wait
	refs() { awk '$1 == "xtcp" { print $3 }' /proc/modules; }
	no_refs() { [ "$(refs)" = 0 ]; }
	wait_until 120 only_tw && wait_until 120 no_refs &&
		ok "sockets all gone (module refcount 0), TIME-WAIT entries left" ||
		nok "sockets all gone before the rmmod checks" "refcount $(refs)"
	ntw=$(NS c awk 'NR > 1' /proc/net/xtcp | wc -l)
	NS c $PY "$H" partial 19 "$R/go" >"$R/partial.out" 2>&1 &
	ppid=$!
	wait_file 60 "$R/partial.out" '^first'
	r1=$(refs)
	out=$(rmmod xtcp 2>&1)
	still=$(grep -c '^xtcp ' /proc/modules)
	touch "$R/go"
	wait $ppid
	tot=$(cat "$R/partial.out" | tr '\n' ' ')
	[ "$still" = 1 ] && [ "${r1:-0}" -ge 1 ] &&
		ok "a dump half read pins the module: refcount $r1, rmmod refused ($out)" ||
		nok "a dump in progress pins the module" "refs $r1 still=$still: $out"
	case "$tot" in "first "*" total $ntw parts "*) p=${tot##* parts }
		[ "${p% }" -gt 1 ] && ok "then the dump completes: $ntw TIME-WAIT entries ($tot)" ||
			nok "dump of $ntw TIME-WAIT entries in several parts" "$tot" ;;
	*) nok "dump of $ntw TIME-WAIT entries completes" "$tot" ;; esac
	wait_until 30 no_refs
	out=$(rmmod xtcp 2>&1)
	grep -q '^xtcp ' /proc/modules && nok "rmmod after the dump, TIME-WAIT entries left" "$out" ||
		ok "rmmod after the dump succeeds ($ntw TIME-WAIT entries purged)"
else
	nok "$NTW TIME-WAIT entries made" "$(logtail "$R/tw.log")"
fi
ip netns del c 2>/dev/null
tap_done
