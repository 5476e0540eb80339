#!/bin/bash
# Runs INSIDE a guest (scripts/vm): one port space with Linux TCP, and XTCP
# steals only what it owns. Netns "a" and "b" over the virtio NICs
# (lib-e2e.sh). As an unprivileged user (uid 65534): bind/listen conflicts
# between XTCP and Linux TCP against the same pairs of two Linux TCP
# sockets; the privileged-port rule; a Linux TCP stream stays byte-exact
# while XTCP opens and closes CHURN connections with
# ip_local_port_range narrowed to 50 ports (and the reverse), with no RST
# on the wire; one netns holds more XTCP connections than the range has
# ports; segments to XTCP-bound ports that XTCP does not own reach Linux.
# TAP output, "N passed, N failed" last.
# Env: QUICK=1 (debug kernel): CHURN=300 instead of 2000.
# Background programs run as "ip netns exec NS PROG &" (which execs PROG),
# so that $! is the program and kill reaches it.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
T=$root/tools
# shellcheck source=lib-tap.sh
. "$here/lib-tap.sh"
E2E_NAME=ports
# shellcheck source=lib-e2e.sh
. "$here/lib-e2e.sh"
P=$T/xtcp_ports
CHURN=${CHURN:-2000}
[ "$QUICK" = 1 ] && CHURN=${CHURN_QUICK:-300}
NOBODY="setpriv --reuid 65534 --regid 65534 --clear-groups"
RANGE_LO=40000
RANGE_HI=40049

# wait_line FILE PATTERN SECONDS
wait_line() {
	local end=$((SECONDS + $3))
	while [ $SECONDS -le $end ]; do
		grep -q -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}
kv() { sed -n "s/.*\\b$2=\\([^ ]*\\).*/\\1/p" "$1" | tail -1; } # FILE KEY
snmp_tcp() { # ns field: Linux TCP MIB
	NS "$1" awk -v k="$2" '/^Tcp:/ { if (!h) { for (i=1;i<=NF;i++) n[i]=$i; h=1 } else for (i=1;i<=NF;i++) if (n[i]==k) print $i }' /proc/net/snmp
}

# ------------------------------------------- bind/listen conflicts ---
out=$R/matrix.out
A $NOBODY "$P" matrix -p 41000 -i "$IFA" >"$out" 2>&1
rc=$?
cat "$out" | sed 's/^/# /'
cases=$(kv "$out" cases)
[ $rc = 0 ] && [ "${cases:-0}" -ge 40 ] &&
	ok "uid 65534: $cases XTCP/Linux TCP bind+listen pairs (SO_REUSEADDR, SO_REUSEPORT, wildcard/specific, IPV6_V6ONLY, SO_BINDTODEVICE) answer as the same pair of Linux TCP sockets" ||
	nok "XTCP/Linux TCP bind conflicts as Linux TCP pairs" "$(grep -E 'DIFF|matrix' "$out" | tr '\n' ';')"
grep -q "^wildcard listener, wildcard .*tcp,xtcp=EADDRINUSE.*xtcp,tcp=EADDRINUSE" "$out" &&
	ok "XTCP listen on a Linux TCP listener's port and Linux TCP bind on an XTCP listener's port: EADDRINUSE" ||
	nok "EADDRINUSE both ways" "$(grep '^wildcard listener, wildcard' "$out")"

# ------------------------------------------------- privileged ports ---
priv() { # ns fam: bind 0.0.0.0:80 as nobody
	NS "$1" $NOBODY "$P" bind -f "$2" -a 0.0.0.0 -p 80 | sed -n 's/^bind=\([^ ]*\).*/\1/p'
}
x=$(priv a xtcp) t=$(priv a tcp)
[ "$x" = EACCES ] && [ "$t" = EACCES ] &&
	ok "uid 65534 bind to port 80: XTCP $x, Linux TCP $t" ||
	nok "privileged port refused" "xtcp=$x tcp=$t"
A sysctl -qw net.ipv4.ip_unprivileged_port_start=80
x=$(priv a xtcp) t=$(priv a tcp)
A sysctl -qw net.ipv4.ip_unprivileged_port_start=1024
[ "$x" = OK ] && [ "$t" = OK ] &&
	ok "ip_unprivileged_port_start=80: port 80 free to uid 65534 for XTCP ($x) and Linux TCP ($t)" ||
	nok "ip_unprivileged_port_start=80 lets uid 65534 bind 80" "xtcp=$x tcp=$t"

# ------------------------------------------- a live Linux TCP stream ---
# the issue's reproduction: while a Linux TCP transfer runs, XTCP may take
# neither its server's port nor its client's local port
for n in a b; do NS $n sysctl -qw net.ipv4.ip_local_port_range="$RANGE_LO $RANGE_HI"; done
newport
SP=$PORT
"$NSX" b "$P" sink -f tcp -b 10.0.0.2 -p $SP -t 300 >"$R/sink1" 2>&1 &
sink_pid=$!
wait_line "$R/sink1" listening 20
"$NSX" a "$P" stream -f tcp -a 10.0.0.2 -p $SP -k 2000 -t 600 >"$R/stream1" 2>&1 &
stream_pid=$!
wait_line "$R/stream1" lport= 20
CP=$(kv "$R/stream1" lport)
x=$(B $NOBODY "$P" bind -f xtcp -a 0.0.0.0 -p $SP -l)
y=$(A $NOBODY "$P" bind -f xtcp -a 0.0.0.0 -p "$CP" -l)
case "$x $y" in "bind=EADDRINUSE listen=- bind=EADDRINUSE listen=-")
	ok "uid 65534: XTCP bind+listen on a live Linux TCP connection's server port $SP and client port $CP: EADDRINUSE" ;;
*) nok "XTCP cannot take a live Linux TCP connection's ports" "server: $x client: $y" ;;
esac
[ "$CP" -ge $RANGE_LO ] && [ "$CP" -le $RANGE_HI ] &&
	ok "the Linux TCP stream's local port $CP is in the 50-port range" ||
	nok "Linux client port in range" "$CP"

# XTCP churn in the same netns, through the same 50 ports
newport
XP1=$PORT
newport
XP2=$PORT
"$NSX" b "$P" server -f xtcp -b 10.0.0.2 -p $XP1,$XP2 -t 900 >"$R/xsrv" 2>&1 &
xsrv=$!
wait_line "$R/xsrv" listening 20
"$NSX" a tcpdump -i "$IFA" -nn -U -w "$R/rst1.pcap" 'tcp[tcpflags] & tcp-rst != 0' 2>"$R/tcpdump1.err" &
td=$!
wait_line "$R/tcpdump1.err" listening 20
lr0=$(snmp_tcp a OutRsts) xr0=$(stat_get a OutRsts)
t0=$SECONDS
A "$P" churn -f xtcp -a 10.0.0.2 -p $XP1,$XP2 -n "$CHURN" -t 600 >"$R/churn1" 2>&1
crc=$?
diag "XTCP churn: $(cat "$R/churn1") in $((SECONDS - t0)) s"
sleep 1
kill -TERM $stream_pid
wait $stream_pid
wait $sink_pid
kill -INT $td 2>/dev/null
wait $td 2>/dev/null
diag "Linux stream: $(tr '\n' ' ' <"$R/stream1") sink: $(cat "$R/sink1" | tr '\n' ' ')"
[ $crc = 0 ] && [ "$(kv "$R/churn1" ok)" = "$CHURN" ] &&
	ok "XTCP opened and closed $CHURN connections through the 50-port range ($(kv "$R/churn1" ports) distinct ports) beside a Linux TCP stream" ||
	nok "XTCP churn beside Linux TCP" "$(cat "$R/churn1")"
sent=$(kv "$R/stream1" sent)
[ -n "$sent" ] && [ "$sent" -gt 0 ] && [ "$(kv "$R/sink1" bytes)" = "$sent" ] &&
	[ "$(kv "$R/sink1" bad)" = 0 ] && [ "$(kv "$R/sink1" err)" = OK ] &&
	[ "$(kv "$R/stream1" err)" = OK ] &&
	ok "the Linux TCP stream kept running byte-exact ($sent bytes, none differ)" ||
	nok "Linux TCP stream intact" "$(cat "$R/stream1" "$R/sink1" | tr '\n' ' ')"
# RSTs of the churn's own 4-tuples are TCP at work (a reused 4-tuple
# meeting the old TIME-WAIT's ACK is reset by the client, RFC 9293
# §3.10.7.3, as Linux does in the reverse run); none may touch anything else
rst_other() { # PCAP CHURN_PORT...: RSTs not to/from those server ports
	local f=$1
	shift
	tcpdump -nn -r "$f" 2>/dev/null |
		grep -vE "10\.0\.0\.2\.($(echo "$@" | tr ' ' '|'))[:>]"
}
rsts=$(tcpdump -nn -r "$R/rst1.pcap" 2>/dev/null | wc -l)
other=$(rst_other "$R/rst1.pcap" $XP1 $XP2)
lr1=$(snmp_tcp a OutRsts) xr1=$(stat_get a OutRsts)
# Linux's RSTs here answer segments of XTCP 4-tuples that no longer exist
# (e.g. a duplicate ACK after LAST-ACK closed): "no socket", as it should
diag "netns a during the XTCP churn: Linux Tcp OutRsts $lr0 -> $lr1, XTCP OutRsts $xr0 -> $xr1, RSTs captured $rsts"
[ -z "$other" ] && ok "no RST to or from any Linux TCP 4-tuple during the XTCP churn (capture: $rsts RSTs, all within the churn's own XTCP connections)" ||
	nok "no RST to Linux TCP during XTCP churn" "$(echo "$other" | head -3 | tr '\n' ';')"
kill $xsrv 2>/dev/null
wait $xsrv

# the reverse: an XTCP stream while Linux TCP churns through the range
newport
SP=$PORT
"$NSX" b "$P" sink -f xtcp -b 10.0.0.2 -p $SP -t 300 >"$R/sink2" 2>&1 &
sink_pid=$!
wait_line "$R/sink2" listening 20
"$NSX" a "$P" stream -f xtcp -a 10.0.0.2 -p $SP -k 2000 -t 600 >"$R/stream2" 2>&1 &
stream_pid=$!
wait_line "$R/stream2" lport= 20
CP=$(kv "$R/stream2" lport)
x=$(B $NOBODY "$P" bind -f tcp -a 0.0.0.0 -p $SP -l)
y=$(A $NOBODY "$P" bind -f tcp -a 0.0.0.0 -p "$CP" -l)
case "$x $y" in "bind=EADDRINUSE listen=- bind=EADDRINUSE listen=-")
	ok "uid 65534: Linux TCP bind+listen on a live XTCP connection's server port $SP and client port $CP: EADDRINUSE" ;;
*) nok "Linux TCP cannot take a live XTCP connection's ports" "server: $x client: $y" ;;
esac
newport
LP1=$PORT
newport
LP2=$PORT
"$NSX" b "$P" server -f tcp -b 10.0.0.2 -p $LP1,$LP2 -t 900 >"$R/lsrv" 2>&1 &
lsrv=$!
wait_line "$R/lsrv" listening 20
"$NSX" a tcpdump -i "$IFA" -nn -U -w "$R/rst2.pcap" 'tcp[tcpflags] & tcp-rst != 0' 2>"$R/tcpdump2.err" &
td=$!
wait_line "$R/tcpdump2.err" listening 20
x0=$(stat_get a OutRsts)
t0=$SECONDS
A "$P" churn -f tcp -a 10.0.0.2 -p $LP1,$LP2 -n "$CHURN" -t 600 >"$R/churn2" 2>&1
crc=$?
diag "Linux TCP churn: $(cat "$R/churn2") in $((SECONDS - t0)) s"
sleep 1
kill -TERM $stream_pid
wait $stream_pid
wait $sink_pid
kill -INT $td 2>/dev/null
wait $td 2>/dev/null
diag "XTCP stream: $(tr '\n' ' ' <"$R/stream2") sink: $(cat "$R/sink2" | tr '\n' ' ')"
[ $crc = 0 ] && [ "$(kv "$R/churn2" ok)" = "$CHURN" ] &&
	ok "Linux TCP opened and closed $CHURN connections through the 50-port range beside an XTCP stream" ||
	nok "Linux TCP churn beside XTCP" "$(cat "$R/churn2")"
sent=$(kv "$R/stream2" sent)
[ -n "$sent" ] && [ "$sent" -gt 0 ] && [ "$(kv "$R/sink2" bytes)" = "$sent" ] &&
	[ "$(kv "$R/sink2" bad)" = 0 ] && [ "$(kv "$R/sink2" err)" = OK ] &&
	[ "$(kv "$R/stream2" err)" = OK ] &&
	ok "the XTCP stream kept running byte-exact ($sent bytes, none differ)" ||
	nok "XTCP stream intact" "$(cat "$R/stream2" "$R/sink2" | tr '\n' ' ')"
rsts=$(tcpdump -nn -r "$R/rst2.pcap" 2>/dev/null | wc -l)
other=$(rst_other "$R/rst2.pcap" $LP1 $LP2)
x1=$(stat_get a OutRsts)
[ -z "$other" ] && [ "$x0" = "$x1" ] &&
	ok "XTCP sent no RST during the Linux TCP churn (OutRsts $x1; capture: $rsts RSTs, all Linux's within its own churn)" ||
	nok "no XTCP RST during Linux churn" "xtcp OutRsts $x0 -> $x1; $(echo "$other" | head -3 | tr '\n' ';')"
kill $lsrv 2>/dev/null
wait $lsrv

# ----------------- more connections than ports: 4-tuple sharing ------
newport
HP1=$PORT
newport
HP2=$PORT
"$NSX" b "$P" server -f xtcp -b 10.0.0.2 -p $HP1,$HP2 -H -t 300 >"$R/hsrv" 2>&1 &
hsrv=$!
wait_line "$R/hsrv" listening 20
A "$P" hold -f xtcp -a 10.0.0.2 -p $HP1,$HP2 -n 80 -t 200 >"$R/hold" 2>&1
hrc=$?
held=$(kv "$R/hold" held) hp=$(kv "$R/hold" ports)
[ $hrc = 0 ] && [ "$held" = 80 ] && [ "${hp:-99}" -le 50 ] &&
	ok "netns a holds 80 XTCP connections at once through $hp ports of a 50-port range (ports shared by 4-tuple)" ||
	nok "more XTCP connections than ports" "$(cat "$R/hold")"
kill $hsrv 2>/dev/null
wait $hsrv
for n in a b; do NS $n sysctl -qw net.ipv4.ip_local_port_range="32768 60999"; done

# ------------------ segments XTCP does not own go to Linux TCP ---------
B ip addr add 10.0.0.3/24 dev "$IFB"
newport
"$NSX" b $NOBODY "$P" bind -f xtcp -a 10.0.0.2 -p $PORT -l -w 30 >"$R/xl" 2>&1 &
xl=$!
"$NSX" b $NOBODY "$P" server -f tcp -b 10.0.0.3 -p $PORT -t 30 >"$R/lsrv3" 2>&1 &
l3=$!
wait_line "$R/xl" bind= 20
wait_line "$R/lsrv3" listening 20
xin0=$(stat_get b InSegs)
A "$P" churn -f tcp -a 10.0.0.3 -p $PORT -n 3 -t 60 >"$R/c3" 2>&1
r3=$?
grep -q "bind=OK listen=OK" "$R/xl" && [ $r3 = 0 ] &&
	ok "with an XTCP listener on 10.0.0.2:$PORT, Linux TCP connections to a Linux listener on 10.0.0.3:$PORT succeed ($(cat "$R/c3"))" ||
	nok "Linux listener on another address gets its SYNs" "$(cat "$R/xl" "$R/c3" | tr '\n' ' ')"
newport
"$NSX" b $NOBODY "$P" bind -f xtcp -a 10.0.0.2 -p $PORT -w 30 >"$R/xb" 2>&1 &
xb=$!
wait_line "$R/xb" bind= 20
lr0=$(snmp_tcp b OutRsts)
A "$P" churn -f tcp -a 10.0.0.2 -p $PORT -n 1 -t 60 >"$R/c4" 2>&1
lr1=$(snmp_tcp b OutRsts)
xin1=$(stat_get b InSegs)
grep -q "bind=OK" "$R/xb" && grep -q "first_error=ECONNREFUSED" "$R/c4" &&
	[ "$lr1" -gt "$lr0" ] && [ "$xin0" = "$xin1" ] &&
	ok "a SYN to an XTCP-bound port with no XTCP listener is Linux TCP's: Linux resets it (Tcp OutRsts $lr0 -> $lr1, ECONNREFUSED), XTCP InSegs unchanged ($xin1)" ||
	nok "segment to an XTCP-bound port reaches Linux TCP" "$(cat "$R/c4") linux OutRsts $lr0->$lr1 xtcp InSegs $xin0->$xin1"
kill $xl $l3 $xb 2>/dev/null
wait $xl $l3 $xb 2>/dev/null

tap_done
