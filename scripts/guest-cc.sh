#!/bin/bash
# Runs INSIDE a guest (scripts/vm): XTCP congestion control against Linux
# TCP in the same guest. net.xtcp.congestion_control and
# available_congestion_control (values, per netns, errors as
# net.ipv4.tcp_congestion_control's), TCP_CONGESTION get/set compared
# byte for byte (tools/xtcp_cc_test), and a transfer over the NIC path
# with netem delay for each algorithm: byte-exact, and tcpi_snd_cwnd grows
# from the initial window. TAP output, "N passed, N failed" last.
# Env: as guest-e2e.sh (QUICK, XTCP_IFS, XTCP_KO, XTCP_RESULTS);
# CC_SIZE (bytes per transfer, default 2000000, 500000 with QUICK=1)
# shellcheck source=lib-guest-init.sh
. "$(dirname "$0")/lib-guest-init.sh"
E2E_NAME=cc
SUBJECT=xtcp
# shellcheck source=lib-e2e.sh
. "$here/lib-e2e.sh"
CT=$T/xtcp_cc_test
PORT=31000
SIZE=${CC_SIZE:-2000000}
# the debug kernel (QUICK) is several times slower
[ "$QUICK" = 1 ] && [ -z "${CC_SIZE:-}" ] && SIZE=500000
XS=/proc/sys/net/xtcp
LS=/proc/sys/net/ipv4

# rd NS FILE: a sysctl's value; wr NS FILE VALUE: "OK" or the errno name
# of opening the file and writing VALUE as sysctl(8) does
rd() { NS "$1" cat "$2"; }
wr() {
	NS "$1" python3 -c '
import errno, os, sys
try:
    fd = os.open(sys.argv[1], os.O_WRONLY)
    os.write(fd, (sys.argv[2] + "\n").encode())
    os.close(fd)
    print("OK")
except OSError as e:
    print(errno.errorcode.get(e.errno, e.errno))' "$2" "$3" 2>&1
}

# ---------------------------------------------------------- sysctls ---
x=$(rd a $XS/congestion_control) l=$(rd a $LS/tcp_congestion_control)
[ "$x" = cubic ] && [ "$x" = "$l" ] &&
	ok "net.xtcp.congestion_control is \"$x\" (Linux's tcp_congestion_control \"$l\")" ||
	nok "net.xtcp.congestion_control default" "xtcp '$x' linux '$l'"
x=$(rd a $XS/available_congestion_control)
l=$(rd a $LS/tcp_available_congestion_control)
lok=0
case " $l " in *" reno "*) case " $l " in *" cubic "*) lok=1 ;; esac ;; esac
[ "$x" = "reno cubic" ] && [ $lok = 1 ] &&
	ok "available_congestion_control is \"$x\" (Linux \"$l\")" ||
	nok "available_congestion_control" "xtcp '$x' linux '$l'"
x=$(wr a $XS/available_congestion_control reno)
l=$(wr a $LS/tcp_available_congestion_control reno)
[ "$x" = "$l" ] && [ "$x" != OK ] &&
	ok "available_congestion_control is read-only: $x (Linux $l)" ||
	nok "available_congestion_control is read-only" "xtcp '$x' linux '$l'"

x=$(wr a $XS/congestion_control reno) l=$(wr a $LS/tcp_congestion_control reno)
xv=$(rd a $XS/congestion_control) xd=$(A "$CT" default -f xtcp)
lv=$(rd a $LS/tcp_congestion_control) ld=$(A "$CT" default -f tcp)
[ "$x" = OK ] && [ "$x" = "$l" ] && [ "$xv" = reno ] && [ "$xd" = reno ] &&
	[ "$lv" = reno ] && [ "$ld" = reno ] &&
	ok "set to reno: reads reno, a new socket gets reno (as Linux)" ||
	nok "set to reno" "write xtcp '$x' linux '$l'; read $xv/$lv; socket $xd/$ld"
bv=$(rd b $XS/congestion_control) bd=$(B "$CT" default -f xtcp)
[ "$bv" = cubic ] && [ "$bd" = cubic ] &&
	ok "per netns: b still has cubic while a has reno" ||
	nok "per netns" "b reads '$bv', socket '$bd'"
x=$(wr a $XS/congestion_control bogus) l=$(wr a $LS/tcp_congestion_control bogus)
xv=$(rd a $XS/congestion_control) lv=$(rd a $LS/tcp_congestion_control)
[ "$x" = ENOENT ] && [ "$x" = "$l" ] && [ "$xv" = reno ] && [ "$lv" = reno ] &&
	ok "\"bogus\" refused with $x as Linux ($l); value kept" ||
	nok "\"bogus\" refused" "xtcp '$x' ($xv) linux '$l' ($lv)"
x=$(wr a $XS/congestion_control cubic) l=$(wr a $LS/tcp_congestion_control cubic)
xv=$(rd a $XS/congestion_control) xd=$(A "$CT" default -f xtcp)
[ "$x" = OK ] && [ "$x" = "$l" ] && [ "$xv" = cubic ] && [ "$xd" = cubic ] &&
	ok "set back to cubic" || nok "set back to cubic" "'$x' '$l' '$xv' '$xd'"

# ---------------------------------------------------- TCP_CONGESTION ---
A "$CT" sockopt >"$R/sockopt.tap" 2>&1
tap_import sockopt "$R/sockopt.tap"

# ------------------------------------------------------- transfers ---
# stat NS: the counters that explain a slow transfer
stat() {
	NS "$1" awk '/^(RetransSegs|Timeouts|OfoDrop|RcvQDrop|OutOfWindowDrop) / { printf "%s=%s ", $1, $2 }' /proc/net/xtcp_stat
}
# send FAM CC: FAM a -> FAM b over the NICs, sender using CC; sets
# XRC, GOT (the receiver's bytes/hash), LINE (the sender's TCP_INFO line)
send() {
	local f=$1 cc=$2 rf so co
	newport
	rf=$R/ready.$PORT so=$R/srv.$PORT co=$R/cli.$PORT
	rm -f "$rf"
	B "$X" server -f "$f" -b 10.0.0.2 -p $PORT -t 240 --ready-file "$rf" >"$so" 2>&1 &
	local sp=$!
	wait_file 60 "$rf"
	A timeout 240 "$CT" send -f "$f" -a 10.0.0.2 -p $PORT -s "$SIZE" -c "$cc" >"$co" 2>&1
	local crc=$?
	wait $sp
	XRC="$? $crc"
	GOT=$(grep -o 'bytes=[0-9]* hash=[0-9a-f]*' "$so" | head -1)
	LINE=$(grep '^cc=' "$co" || cat "$co")
}
# xfer CC: XTCP a -> XTCP b, byte-exact, cwnd grows (Linux TCP's run
# beside it, for the record)
xfer() {
	local cc=$1 exp got line first max src crc
	send tcp "$cc"
	diag "Linux TCP $cc: $LINE"
	send xtcp "$cc"
	read -r src crc <<<"$XRC"
	got=$GOT line=$LINE
	exp=$("$X" hash -s "$SIZE")
	diag "XTCP $cc: $line; sender $(stat a); receiver $(stat b)"
	[ "$src $crc" = "0 0" ] && [ "$got" = "$exp" ] &&
		case "$line" in "cc=$cc "*) true ;; *) false ;; esac &&
		ok "$cc: XTCP -> XTCP $SIZE bytes with netem delay, byte-exact ($exp)" ||
		nok "$cc: transfer" "rc(s c)=$src $crc want '$exp' got '$got' client '$(cat "$co")'"
	first=$(echo "$line" | sed -n 's/.*cwnd_first=\([0-9]*\).*/\1/p')
	max=$(echo "$line" | sed -n 's/.*cwnd_max=\([0-9]*\).*/\1/p')
	[ -n "$max" ] && [ "${first:-0}" -ge 10 ] && [ "$max" -gt $((first * 3 / 2)) ] &&
		ok "$cc: tcpi_snd_cwnd grew from $first to $max segments" ||
		nok "$cc: tcpi_snd_cwnd grows" "first '$first' max '$max'"
}
if [ "$HAVE_NETEM" = 1 ]; then
	A tc qdisc replace dev "$IFA" root netem delay 10ms
	B tc qdisc replace dev "$IFB" root netem delay 10ms
	xfer cubic
	xfer reno
	A tc qdisc del dev "$IFA" root 2>/dev/null
	B tc qdisc del dev "$IFB" root 2>/dev/null
else
	skip "transfers with netem delay" "no netem"
fi

diag "cc suite took $(($(date +%s) - t_start)) s"
tap_done
