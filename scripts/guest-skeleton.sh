#!/bin/bash
# Runs INSIDE a guest (scripts/vm): load the XTCP module, check the socket
# family and the skeleton socket/bind behaviour, /proc files, unload rules.
# TAP output, "N passed, N failed" last. Env: XTCP_KO, XTCP_KERNEL.
# shellcheck source=lib-guest-init.sh
. "$(dirname "$0")/lib-guest-init.sh"
R=${XTCP_RESULTS:-/tmp}
ko=$(xtcp_ko)
ip link set lo up 2>/dev/null

diag "kernel $(uname -r) XTCP_KERNEL=${XTCP_KERNEL:-?} module $ko"
if [ ! -f "$ko" ]; then
	nok "module file exists" "$ko missing"
	tap_done
	exit 1
fi
loaded() { grep -q '^xtcp ' /proc/modules; }
# rmmod once no socket holds the module: a closed socket may still be
# released a moment later (RCU), more so on a slow guest
unused() { [ "$(cat /sys/module/xtcp/refcnt 2>/dev/null)" = 0 ]; }
rmmod_idle() { wait_until 60 unused; rmmod xtcp; }
loaded && rmmod xtcp 2>/dev/null

if out=$(insmod "$ko" 2>&1); then ok "insmod $ko"; else nok "insmod $ko" "$out"; fi
check "xtcp listed in /proc/modules" loaded
# socket(AF_XTCP) works: xtcp_sock_test's first line proves it; also here
if "$T/xtcp_sock_test" -f xtcp -H 0 >/dev/null; then
	ok "socket(AF_XTCP, SOCK_STREAM) + bind + listen works"
else
	nok "socket(AF_XTCP, SOCK_STREAM) + bind + listen works"
fi
# the netfilter hooks come with a netns's first XTCP socket: until then
# its TCP segments do not pass through XTCP. xtcp_stat's Hooks says so;
# where the kernel lists hooks (nfnetlink_hook: 6.12, not Debian's 6.1),
# nft must agree
ip netns add idle
hooks() {
	local h n
	h=$("$NSX" idle awk '$1 == "Hooks" { print $2 }' /proc/net/xtcp_stat)
	n=$("$NSX" idle nft list hooks 2>/dev/null | grep -c 'xtcp_nf_hook')
	modinfo nfnetlink_hook >/dev/null 2>&1 || n=-
	echo "${h:-?}/$n"
}
modprobe nf_tables 2>/dev/null; modprobe nfnetlink_hook 2>/dev/null
h0=$(hooks)
"$NSX" idle ip link set lo up
"$NSX" idle "$T/xtcp_sock_test" -f xtcp -H 0 >/dev/null
h1=$(hooks)
case "$h0 $h1" in "0/0 1/2" | "0/- 1/-")
	ok "a netns gets XTCP's hooks with its first XTCP socket, none before (Hooks/nft-listed: $h0 then $h1)" ;;
*) nok "hooks with the first XTCP socket" "Hooks/nft-listed before $h0, after $h1" ;; esac
ip netns del idle
# the same in a netns an unprivileged user made (user + net namespace as
# uid 65534, as unshare -Urn; xtcp_userns because the guest's tests run
# chrooted): its first XTCP socket registers the hooks there, and a
# loopback connection through them carries its bytes
userns_run() {
	"$T/xtcp_userns" 65534 bash -c '
		hk() { awk "\$1 == \"Hooks\" { print \$2 }" /proc/net/xtcp_stat; }
		ip link set lo up || exit 9
		h0=$(hk)
		n=$("$1/xtcp-run" python3 -c "
import socket
l = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
l.bind((\"127.0.0.1\", 0)); l.listen(1)
c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
c.connect(l.getsockname())
a, _ = l.accept()
c.sendall(bytes(range(256)) * 1000); c.close()
d = b\"\"
while True:
    r = a.recv(65536)
    if not r:
        break
    d += r
print(len(d) if d == bytes(range(256)) * 1000 else -1)
" 2>&1)
		echo "$h0 $(hk) $n"' userns "$T" 2>&1
}
if [ ! -e /proc/self/ns/user ]; then
	skip "hooks in an unprivileged user's netns" "kernel without CONFIG_USER_NS"
else
	un=$(userns_run)
	case "$un" in "0 1 256000")
		ok "an unprivileged user's netns (user + net namespace made by uid 65534) gets the hooks with its first XTCP socket; 256000 bytes through them (Hooks, bytes: $un)" ;;
	*) nok "hooks in an unprivileged user's netns" "Hooks before, after, bytes: $un" ;; esac
fi
for f in /proc/net/xtcp /proc/net/xtcp6 /proc/net/xtcp_stat; do
	check "$f exists" test -r "$f"
done
for s in msl_ms fin_timeout_ms syn_retries synack_retries retries rto_min_ms rto_init_ms delack_ms; do
	check "sysctl /proc/sys/net/xtcp/$s readable" test -r "/proc/sys/net/xtcp/$s"
done

"$T/xtcp_sock_test" -f xtcp >"$R/sock_test.tap" 2>&1
tap_import sock_test "$R/sock_test.tap"

n4=$(wc -l </proc/net/xtcp 2>/dev/null || echo -1)
n6=$(wc -l </proc/net/xtcp6 2>/dev/null || echo -1)
[ "$n4" = 1 ] && ok "/proc/net/xtcp empty after the tests" || nok "/proc/net/xtcp empty after the tests" "$n4 lines"
[ "$n6" = 1 ] && ok "/proc/net/xtcp6 empty after the tests" || nok "/proc/net/xtcp6 empty after the tests" "$n6 lines"
head -1 /proc/net/xtcp 2>/dev/null | sed 's/^/# header: /'

# rmmod with an open socket: refused (EBUSY/in use), or safe. The holder
# keeps its socket until told (SIGTERM), not for a time that assumes speed
rm -f /tmp/held
"$T/xtcp_sock_test" -f xtcp -H 600 >/tmp/held &
holder=$!
wait_file 60 /tmp/held '^port='
if rmout=$(rmmod xtcp 2>&1); then
	kill -TERM $holder
	# unloaded while a socket was open: only acceptable if nothing broke
	wait $holder
	hrc=$?
	if [ $hrc = 0 ]; then ok "rmmod with an open socket: allowed and safe"; else nok "rmmod with an open socket" "unloaded, holder exit $hrc"; fi
	insmod "$ko"
else
	case "$rmout" in
	*"in use"* | *busy* | *Busy*) ok "rmmod with an open socket refused ($rmout)" ;;
	*) nok "rmmod with an open socket refused" "$rmout" ;;
	esac
	kill -TERM $holder
	wait $holder
fi
if out=$(rmmod_idle 2>&1); then ok "rmmod after close"; else nok "rmmod after close" "$out"; fi
! loaded && ok "module gone" || nok "module gone"

fails=0
for i in 1 2 3 4 5; do
	insmod "$ko" || fails=$((fails + 1))
	"$T/xtcp_sock_test" -f xtcp -H 0 >/dev/null || fails=$((fails + 1))
	rmmod_idle || fails=$((fails + 1))
done
[ $fails = 0 ] && ok "insmod/socket/rmmod loop x5" || nok "insmod/socket/rmmod loop x5" "$fails failures"
tap_done
