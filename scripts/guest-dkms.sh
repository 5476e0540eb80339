#!/bin/bash
# Runs INSIDE a guest (scripts/vm), started by scripts/test-dkms: load a
# DKMS-built xtcp.ko, check it is this kernel's and works, unload it.
# usage: guest-dkms.sh KO VERSION. TAP, "N passed, N failed" last.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
# shellcheck source=lib-tap.sh
. "$here/lib-tap.sh"
ko=${1:?usage: guest-dkms.sh KO VERSION}
ver=${2:?usage: guest-dkms.sh KO VERSION}
ip link set lo up 2>/dev/null

diag "kernel $(uname -r), module $ko"
vm=$(modinfo -F vermagic "$ko" 2>/dev/null | cut -d' ' -f1)
[ "$vm" = "$(uname -r)" ] && ok "module vermagic $vm is the running kernel's" ||
	nok "module vermagic is the running kernel's" "vermagic '$vm', kernel $(uname -r)"
if out=$(insmod "$ko" 2>&1); then
	ok "insmod the DKMS-built module"
else
	nok "insmod the DKMS-built module" "$out"
	tap_done
	exit 1
fi
v=$(cat /sys/module/xtcp/version 2>/dev/null)
[ "$v" = "$ver" ] && ok "/sys/module/xtcp/version is $ver" ||
	nok "/sys/module/xtcp/version is $ver" "got '$v'"
for f in /proc/net/xtcp /proc/net/xtcp6 /proc/net/xtcp_stat; do
	check "$f exists" test -r "$f"
done

# every sysctl starts at the default xtcp(7) documents
n=0 bad=""
for f in /proc/sys/net/xtcp/*; do
	[ -f "$f" ] || continue
	s=${f##*/}
	# "(default 60000)", "(default cubic)", "(default reno cubic, read-only)"
	want=$(sed -n "s/^\.IR $s \" (default \([^),]*\)\(, read-only\)\{0,1\})\"\$/\1/p" \
		"$root/man/xtcp.7")
	got=$(cat "$f")
	n=$((n + 1))
	# a default computed at load time (mem): three ascending page counts
	if grep -q "^\.IR $s \" (default from " "$root/man/xtcp.7"; then
		echo "$got" | awk '{ exit !(NF == 3 && $1 > 0 && $1 <= $2 && $2 <= $3) }' ||
			bad="$bad $s=$got(xtcp.7: min <= pressure <= max)"
		continue
	fi
	[ "$got" = "$want" ] || bad="$bad $s=$got(xtcp.7: ${want:-none})"
done
[ $n -gt 0 ] && [ -z "$bad" ] && ok "all $n net.xtcp sysctls start at the default xtcp(7) gives" ||
	nok "net.xtcp sysctls start at the defaults of xtcp(7)" "${bad:-no sysctl found}"

# socket(AF_XTCP) listening on 127.0.0.1, seen in /proc/net/xtcp, closed
held=/tmp/dkms-held
"$root/tools/xtcp_sock_test" -f xtcp -H 120 >"$held" 2>&1 &
holder=$!
for _ in $(seq 300); do
	grep -q '^port=\|^error=' "$held" && break
	kill -0 $holder 2>/dev/null || break
	sleep 0.1
done
port=$(sed -n 's/^port=//p' "$held")
if [ -n "$port" ]; then
	ok "socket(AF_XTCP, SOCK_STREAM) listening on 127.0.0.1:$port"
	hex=$(printf '%04X' "$port")
	grep -q "^ *[0-9]*: 0100007F:$hex 00000000:0000 0A " /proc/net/xtcp &&
		ok "the socket is listed in /proc/net/xtcp" ||
		nok "the socket is listed in /proc/net/xtcp" "$(tr '\n' '|' </proc/net/xtcp)"
else
	nok "socket(AF_XTCP, SOCK_STREAM) bound" "$(cat "$held")"
fi
kill $holder 2>/dev/null
wait $holder 2>/dev/null
if out=$(rmmod xtcp 2>&1) && ! grep -q '^xtcp ' /proc/modules; then
	ok "rmmod once the socket is closed"
else
	nok "rmmod once the socket is closed" "$out"
fi
tap_done
