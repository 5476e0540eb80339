#!/bin/bash
# Runs INSIDE a guest (scripts/vm): unmodified programs on XTCP through
# tools/xtcp-run (LD_PRELOAD of tools/libxtcp-preload.so) over the virtio
# NICs between netns "a" and "b" (setup in lib-e2e.sh), each side also
# against Linux TCP. TAP output, "N passed, N failed" last.
# Env: as guest-e2e.sh (QUICK, XTCP_IFS, XTCP_KO, XTCP_RESULTS)
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
T=$root/tools
RUN=$T/xtcp-run
PY=/usr/bin/python3
# shellcheck source=lib-tap.sh
. "$here/lib-tap.sh"

# --- before the module is loaded: the error reaches the program, or -f falls back
# probe: a listener on loopback; prints "xtcp" if /proc/net/xtcp lists it
probe='import socket
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.bind(("127.0.0.1", 0)); s.listen(1)
p = ":%04X" % s.getsockname()[1]
try:
    rows = open("/proc/net/xtcp").read().split("\n")[1:]
except OSError:
    rows = []
print("xtcp" if any(r.split()[1].endswith(p) and r.split()[3] == "0A" for r in rows if r.strip()) else "tcp")'
grep -q '^xtcp ' /proc/modules && rmmod xtcp
out=$("$RUN" $PY -c "$probe" 2>&1)
case "$out" in *"Address family not supported"*) ok "xtcp-run without xtcp.ko: socket() fails with EAFNOSUPPORT" ;;
*) nok "xtcp-run without xtcp.ko: socket() fails with EAFNOSUPPORT" "got: $out" ;; esac
out=$("$RUN" -f $PY -c "$probe" 2>&1)
[ "$out" = tcp ] && ok "xtcp-run -f without xtcp.ko falls back to Linux TCP" ||
	nok "xtcp-run -f without xtcp.ko falls back to Linux TCP" "got: $out"
"$RUN" --help | grep -q 'Static binaries' &&
	ok "xtcp-run --help states the limits" || nok "xtcp-run --help states the limits"

E2E_NAME=programs
# shellcheck source=lib-e2e.sh
. "$here/lib-e2e.sh"
PORT=40000

# --- the IPPROTO_TCP option surface and TCP_INFO, against Linux TCP
"$T/xtcp_sockopt_test" >"$R/sockopt.tap" 2>&1
tap_import sockopt "$R/sockopt.tap"
# --- dual-stack IPv6 sockets and SO_REUSEPORT groups, against Linux TCP
refs() { awk '$1 == "xtcp" { print $3 }' /proc/modules; }
r0=$(refs)
# its fixed ports (41000 on, then 100 from 42100 on for each repeat) lie in the
# ephemeral range: reserved while it runs, so that no earlier connection's
# source port (a TIME-WAIT of either stack) makes one bind fail by chance
resv=$(</proc/sys/net/ipv4/ip_local_reserved_ports)
echo "41000-$((42099 + ${DUAL_REPEAT:-5} * 100))" >/proc/sys/net/ipv4/ip_local_reserved_ports
"$T/xtcp_dual" >"$R/dual.tap" 2>"$R/dual.err"
tap_import dual "$R/dual.tap"
# the same again DUAL_REPEAT times on other ports: sockets moving between
# bind buckets (v4-mapped connects, failed connects) over and over; with
# slub_debug and page_poison (scripts/test-guest boots this suite so) a
# bucket or socket used after its free is reported, not silent
bad=0
cases=$(grep -c '^ok' "$R/dual.tap")
for i in $(seq "${DUAL_REPEAT:-5}"); do
	"$T/xtcp_dual" -p $((42000 + i * 100)) >"$R/dual.$i.tap" 2>&1
	[ "$(grep -c '^ok' "$R/dual.$i.tap")" = "$cases" ] && continue
	bad=$((bad + 1))
	# what differed, in the log: the case and both sides' results
	diag "dual run $i (ports from $((42000 + i * 100))):"
	grep -v '^ok' "$R/dual.$i.tap" | head -20 | sed 's/^/#   /'
done
echo "$resv" >/proc/sys/net/ipv4/ip_local_reserved_ports
[ $bad = 0 ] && ok "dual: ${DUAL_REPEAT:-5} more runs, each with the first run's $cases cases as Linux TCP" ||
	nok "dual: ${DUAL_REPEAT:-5} more runs as the first" "$bad runs differ (dual.N.tap)"
# every socket it made (v4-mapped ones included) is freed: each pinned
# the module
refs_back() { [ "$(refs)" -le "$r0" ]; }
wait_until 60 refs_back && ok "dual: module refcount back to <= $r0 after close" ||
	nok "dual: module refcount back to <= $r0 after close" "refcount $(refs)"
# --- SIOCINQ, SO_RCVLOWAT, MSG_PEEK, SO_PEEK_OFF, MSG_TRUNC, against Linux TCP
"$T/xtcp_rcvapi" >"$R/rcvapi.tap" 2>&1
tap_import rcvapi "$R/rcvapi.tap"
# the same from netns a to b over the NIC: there the receiver copies a
# small segment into the one queued before it, and that too must wake a
# reader blocked under SO_RCVLOWAT (failed before the wake fix: "woken
# ...: no")
"$NSX" b "$T/xtcp_rcvapi" -p 41910 -a 10.0.0.2 -c a >"$R/rcvapi-nic.tap" 2>&1
tap_import rcvapi-nic "$R/rcvapi-nic.tap"

out=$("$RUN" $PY -c "$probe" 2>&1)
[ "$out" = xtcp ] && ok "mapped listener is listed in /proc/net/xtcp" ||
	nok "mapped listener is listed in /proc/net/xtcp" "got: $out"
out=$($PY -c "$probe" 2>&1)
[ "$out" = tcp ] && ok "without xtcp-run the same program uses Linux TCP" ||
	nok "without xtcp-run the same program uses Linux TCP" "got: $out"
out=$("$RUN" $PY -c 'import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); print(s.getsockopt(socket.SOL_SOCKET, socket.SO_DOMAIN))' 2>&1)
[ "$out" = 2 ] && ok "UDP sockets stay AF_INET" || nok "UDP sockets stay AF_INET" "got: $out"
out=$(XTCP_RUN_DEBUG=1 "$RUN" $PY -c "$probe" 2>&1)
case "$out" in *"-> AF_XTCP fd"*) ok "XTCP_RUN_DEBUG=1 logs the mapped socket" ;;
*) nok "XTCP_RUN_DEBUG=1 logs the mapped socket" "got: $out" ;; esac

# --- SO_MARK and SO_PRIORITY on the segments, against Linux TCP: nft
# counts every segment each side sends, those with the socket's mark and
# those with its priority (SYN-ACKs apart). Linux's accepted socket keeps
# the listener's mark but not its priority (sk_clone_lock()), so only its
# SYN-ACK carries the listener's priority.
# nft_counts NS: the packet counts of chain inet xmark out, in rule order
nft_counts() {
	local line re='counter packets ([0-9]+)' c=""
	while IFS= read -r line; do
		[[ $line =~ $re ]] && c="$c ${BASH_REMATCH[1]}"
	done < <(NS "$1" nft list chain inet xmark out)
	echo "${c# }"
}
# marks_of F ADDR: "client ...; server ..." for family F (x|t) over ADDR,
# on $PORT (the caller's newport: this runs in a command substitution)
marks_of() {
	local f=$1 addr=$2 ns ca cb out
	for ns in a b; do
		NS $ns nft add table inet xmark &&
			NS $ns nft add chain inet xmark out '{ type filter hook output priority 0; }'
	done
	# client a (mark 0x2b, priority 6) -> server b (mark 0x2a, priority 5)
	A nft add rule inet xmark out tcp dport $PORT counter
	A nft add rule inet xmark out tcp dport $PORT meta mark 0x2b counter
	A nft add rule inet xmark out tcp dport $PORT meta priority 0:6 counter
	B nft add rule inet xmark out tcp sport $PORT counter
	B nft add rule inet xmark out tcp sport $PORT meta mark 0x2a counter
	B nft add rule inet xmark out tcp sport $PORT meta priority 0:5 counter
	B nft add rule inet xmark out tcp sport $PORT tcp flags '& (syn|ack) == syn|ack' meta priority 0:5 counter
	rm -f "$R/mark.ready"
	B "$X" server -f "$(fam "$f")" -b "$addr" -p $PORT --mark 0x2a --priority 5 \
		--ready-file "$R/mark.ready" -q -t 60 >"$R/mark.srv" 2>&1 &
	local spid=$!
	wait_file 30 "$R/mark.ready"
	out=$(A "$X" client -f "$(fam "$f")" -a "$addr" -p $PORT -s 200000 \
		--mark 0x2b --priority 6 -t 60 2>&1)
	wait $spid
	read -r -a ca <<<"$(nft_counts a)"
	read -r -a cb <<<"$(nft_counts b)"
	for ns in a b; do NS $ns nft delete table inet xmark; done
	case "$out" in *"bytes=200000 "*) ;; *) echo "transfer failed: $out"; return ;; esac
	# no rule counted anything (nft refused one): nothing to compare
	[ "${ca[0]:-0}" -gt 0 ] && [ "${cb[0]:-0}" -gt 0 ] ||
		{ echo "no segments counted (a: ${ca[*]}, b: ${cb[*]})"; return; }
	# the client: all segments marked, all with its priority; the
	# server: all marked; priority on all, none, or the SYN-ACK only
	echo "client ${ca[0]} segments, mark $([ "${ca[1]}" = "${ca[0]}" ] && echo all || echo "${ca[1]}"), priority $([ "${ca[2]}" = "${ca[0]}" ] && echo all || echo "${ca[2]}");" \
		"server ${cb[0]} segments, mark $([ "${cb[1]}" = "${cb[0]}" ] && echo all || echo "${cb[1]}"), priority $(
		if [ "${cb[2]}" = "${cb[0]}" ]; then echo all
		elif [ "${cb[2]}" = "${cb[3]}" ] && [ "${cb[3]}" -ge 1 ]; then echo "SYN-ACK only"
		else echo "${cb[2]} (${cb[3]} SYN-ACKs)"; fi)"
}
if [ "$HAVE_NFT" = 1 ]; then
	for addr in 10.0.0.2 fd00::2; do
		newport
		mx=$(marks_of x $addr)
		newport
		mt=$(marks_of t $addr)
		# segment counts differ between the stacks; the pattern must not
		sx=$(sed 's/[0-9]* segments, //g' <<<"$mx")
		st=$(sed 's/[0-9]* segments, //g' <<<"$mt")
		[ "$sx" = "$st" ] && [[ $sx == *"client mark all, priority all"* ]] &&
			ok "SO_MARK and SO_PRIORITY on the segments over $addr as Linux TCP: $mx" ||
			nok "SO_MARK and SO_PRIORITY on the segments over $addr as Linux TCP" "XTCP: $mx | Linux TCP: $mt"
	done
else
	skip "SO_MARK and SO_PRIORITY on the segments" "no nft"
fi

# --- python3 http.server and curl
W=$(mktemp -d)
head -c 1000000 /dev/urandom >"$W/blob"
# wait_for CMD...: up to 60 s for CMD to succeed (no speed assumed)
wait_for() {
	local i
	for i in $(seq 1 600); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}
listening() { # ns port procfile...
	local hp ns=$1
	hp=$(printf ':%04X' "$2")
	shift 2
	NS "$ns" awk -v p="$hp" 'FNR > 1 && $4 == "0A" && substr($2, length($2) - 4) == p { f = 1 } END { exit !f }' "$@"
}
# http_case NAME SERVER(x|t) CLIENT(x|t) ADDR
http_case() {
	local name=$1 srv=$2 cli=$3 addr=$4 proc wrap_s="" wrap_c="" url
	newport
	[ "$srv" = x ] && wrap_s=$RUN
	[ "$cli" = x ] && wrap_c=$RUN
	proc=/proc/net/tcp
	case "$addr" in *:*) proc=/proc/net/tcp6; url="http://[$addr]:$PORT/blob" ;;
	*) url="http://$addr:$PORT/blob" ;; esac
	[ "$srv" = x ] && proc=${proc/tcp/xtcp}
	(cd "$W" && B $wrap_s $PY -m http.server --bind "$addr" "$PORT" \
		>"$R/http.$PORT.log" 2>&1) &
	local spid=$!
	if ! wait_for listening b "$PORT" "$proc"; then
		nok "$name: server listening in $proc" "$(tail -3 "$R/http.$PORT.log")"
		kill_tree $spid
		return
	fi
	ok "$name: server listening in $proc"
	rm -f "$W/got"
	if A $wrap_c curl -sS --max-time 150 -o "$W/got" "$url" 2>"$R/curl.$PORT.log" &&
		cmp -s "$W/blob" "$W/got"; then
		ok "$name: 1 MB fetched byte-exact"
	else
		nok "$name: 1 MB fetched byte-exact" "$(tail -3 "$R/curl.$PORT.log")"
	fi
	pkill -f "http.server --bind $addr $PORT" 2>/dev/null
	wait $spid 2>/dev/null
}
x0=$(stat_get a ActiveOpens)
http_case "http.server XTCP <- curl XTCP v4" x x 10.0.0.2
x1=$(stat_get a ActiveOpens)
[ "$((x1 - x0))" -ge 1 ] && ok "curl's connection was an XTCP active open (ActiveOpens +$((x1 - x0)))" ||
	nok "curl's connection was an XTCP active open" "ActiveOpens $x0 -> $x1"
http_case "http.server XTCP <- curl XTCP v6" x x fd00::2
http_case "http.server XTCP <- curl Linux TCP" x t 10.0.0.2
http_case "http.server Linux TCP <- curl XTCP" t x 10.0.0.2
# shellcheck source=lib-programs.sh
. "$here/lib-programs.sh"
# the programs' logs and configs, kept with the results
(cd "$W" && find . -name '*.log' -o -name '*.conf' -o -name sshd_config) |
	(cd "$W" && xargs -r cp --parents -t "$R" 2>/dev/null)
# every server was stopped with its whole process tree (srv_stop): their
# sockets, orphans finishing their close included, are freed and the
# module unloads
refs_zero() { [ "$(refs)" = 0 ]; }
out=""
if wait_until 120 refs_zero && out=$(rmmod xtcp 2>&1); then
	ok "rmmod xtcp once every program stopped"
else
	nok "rmmod xtcp once every program stopped" "refcount $(refs) $out; $(ps -eo pid,comm | grep -E 'nginx|redis|sshd|iperf|python|wrk|curl' | tr '\n' ' ')"
fi
rm -rf "$W"
tap_done
