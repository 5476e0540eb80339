#!/bin/bash
# Runs INSIDE a guest (scripts/vm): urgent data, splice() out of a socket
# and the preload's SO_DOMAIN / SO_PROTOCOL, XTCP beside Linux TCP:
#  - tools/xtcp_oob on loopback in netns a: MSG_OOB, SO_OOBINLINE,
#    SIOCATMARK, SIOCINQ, POLLPRI, SIGURG and the errnos, XTCP->XTCP,
#    XTCP->TCP and TCP->XTCP each as TCP->TCP; splice() socket -> pipe ->
#    file byte-exact (OOB_SPLICE_BYTES, default 10 MB), EOF, EAGAIN as
#    Linux TCP;
#  - over the NICs: XTCP's send(MSG_OOB) puts URG and the pointer on the
#    wire (captured) and a Linux TCP reader gets the byte out of band,
#    and the other way round;
#  - xtcp-run: SO_DOMAIN answers the family given to socket(), SO_PROTOCOL
#    IPPROTO_TCP, accept() passes the family on.
# TAP output, "N passed, N failed" last.
# shellcheck source=lib-guest-init.sh
. "$(dirname "$0")/lib-guest-init.sh"
RUN=$T/xtcp-run
PY=/usr/bin/python3
E2E_NAME=oob
# shellcheck source=lib-e2e.sh
. "$here/lib-e2e.sh"
PORT=32000
BYTES=${OOB_SPLICE_BYTES:-10485760}

# --- the socket API on loopback, against Linux TCP
A timeout 600 "$T/xtcp_oob" -p 42100 -n "$BYTES" >"$R/oob.tap" 2>"$R/oob.err"
grep '^#' "$R/oob.tap" | head -20
tap_import xtcp_oob "$R/oob.tap"
grep -q '^1\.\.' "$R/oob.tap" || nok "xtcp_oob ran to the end" "$(tail -3 "$R/oob.err")"

# --- over the NICs: SERVER prints what it read: stream, OOB byte, rest
srv='import socket, select, sys
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("10.0.0.2", int(sys.argv[1]))); s.listen(1)
open(sys.argv[2], "w").close()
c, _ = s.accept()
p = select.poll(); p.register(c, select.POLLPRI)
ev = p.poll(20000)
a = c.recv(100)
o = c.recv(1, socket.MSG_OOB)
rest = b""
while True:
    d = c.recv(100)
    if not d: break
    rest += d
print(a.decode(), o.decode(), rest.decode(), "pri" if ev else "nopri")'
cli='import socket, sys
c = socket.create_connection(("10.0.0.2", int(sys.argv[1])))
c.send(b"abc"); c.send(b"X", socket.MSG_OOB); c.send(b"def"); c.close()'

# wire NAME CLIENT-RUN SERVER-RUN: client in a, server in b, captured on b
wire() {
	local name=$1 crun=$2 srun=$3 rf=$R/$1.ready out
	newport
	rm -f "$rf"
	B tcpdump -i "$IFB" -n -U --immediate-mode -s 128 -w "$R/$name.pcap" \
		tcp port $PORT >"$R/$name.tcpdump" 2>&1 &
	local tp=$!
	sleep 1
	# shellcheck disable=SC2086
	B timeout 60 $srun $PY -c "$srv" $PORT "$rf" >"$R/$name.out" 2>&1 &
	local sp=$!
	wait_file 60 "$rf"
	# shellcheck disable=SC2086
	A timeout 60 $crun $PY -c "$cli" $PORT >"$R/$name.cli" 2>&1
	wait $sp
	sleep 1
	kill_tree $tp
	out=$(cat "$R/$name.out")
	[ "$out" = "abc X def pri" ] && ok "$name: the reader gets 'abc', 'X' out of band (POLLPRI), 'def'" ||
		nok "$name: the reader gets 'abc', 'X' out of band (POLLPRI), 'def'" "got: $out $(cat "$R/$name.cli")"
	# the segment with the urgent byte: URG, pointer 1 (RFC 6093)
	if tcpdump -r "$R/$name.pcap" -n 2>/dev/null | grep -q "10.0.0.1.* > 10.0.0.2.*Flags \[[^]]*U[^]]*\].*urg 1"; then
		ok "$name: the sender's segment carries URG, urgent pointer 1"
	else
		nok "$name: the sender's segment carries URG, urgent pointer 1" \
			"$(tcpdump -r "$R/$name.pcap" -n 2>/dev/null | head -8 | tr '\n' '|')"
	fi
}
if command -v tcpdump >/dev/null; then
	wire xtcp-to-tcp "$RUN" ""
	wire tcp-to-xtcp "" "$RUN"
	wire xtcp-to-xtcp "$RUN" "$RUN"
	wire tcp-to-tcp "" ""
else
	skip "urgent data over the NICs" "no tcpdump"
fi

# --- xtcp-run: SO_DOMAIN and SO_PROTOCOL as the program asked
dom='import socket, os
S, D, P = socket.SOL_SOCKET, socket.SO_DOMAIN, socket.SO_PROTOCOL
r = []
for f in (socket.AF_INET6, socket.AF_INET):
    s = socket.socket(f, socket.SOCK_STREAM)
    r += [s.getsockopt(S, D), s.getsockopt(S, P)]
    s.close()
l = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
l.bind(("::", 0)); l.listen(1)
c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
c.connect(("127.0.0.1", l.getsockname()[1]))
a, _ = l.accept()
d = os.dup(a.fileno())
r += [a.getsockopt(S, D), a.getsockopt(S, P), c.getsockopt(S, D)]
x = socket.socket(fileno=d)
r.append(x.getsockopt(S, D))
p = ":%04X" % l.getsockname()[1]
rows = [x.split() for x in open("/proc/net/xtcp6").read().split("\n")[1:] if x.strip()]
r.append("xtcp" if any(x[1].endswith(p) and x[3] == "0A" for x in rows) else "tcp")
print(*r)'
out=$(A "$RUN" $PY -c "$dom" 2>&1)
[ "$out" = "10 6 2 6 10 6 2 10 xtcp" ] &&
	ok "xtcp-run: SO_DOMAIN is the family given to socket() (accept, dup too), SO_PROTOCOL IPPROTO_TCP" ||
	nok "xtcp-run: SO_DOMAIN is the family given to socket() (accept, dup too), SO_PROTOCOL IPPROTO_TCP" "got: $out"
out=$(A $PY -c "$dom" 2>&1)
[ "$out" = "10 6 2 6 10 6 2 10 tcp" ] &&
	ok "Linux TCP answers the same (without xtcp-run)" ||
	nok "Linux TCP answers the same (without xtcp-run)" "got: $out"
out=$(A $PY -c 'import socket
s = socket.socket(19, socket.SOCK_STREAM)
print(s.getsockopt(socket.SOL_SOCKET, socket.SO_DOMAIN), s.getsockopt(socket.SOL_SOCKET, socket.SO_PROTOCOL))' 2>&1)
[ "$out" = "2 518" ] && ok "a bare AF_XTCP socket: the kernel answers AF_INET and 0x206" ||
	nok "a bare AF_XTCP socket: the kernel answers AF_INET and 0x206" "got: $out"
"$RUN" --help | grep -q 'SO_PROTOCOL' && ok "xtcp-run --help documents SO_DOMAIN/SO_PROTOCOL" ||
	nok "xtcp-run --help documents SO_DOMAIN/SO_PROTOCOL"

tap_done
