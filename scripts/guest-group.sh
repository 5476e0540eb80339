#!/bin/bash
# Runs INSIDE a guest (scripts/vm): several guest suites one after another
# in one boot (XTCP_ONE_GUEST=1 scripts/test-guest; make check does so on
# the debug kernel, where a boot and the closing kmemleak scans cost about
# 100 s a suite). Between two suites the guest is put back as a fresh boot
# leaves it: the suite's processes gone, its namespaces deleted, the NICs'
# settings as the boot left them, xtcp.ko unloaded.
# usage: [XTCP_QUEUE=DIR [XTCP_QUEUE_SECS=N]] guest-group.sh KERNEL SUITE...
# Prints each suite's TAP between "# suite S begins" and "# suite S ended
# with status N" lines, and "# S on KERNEL took N s" after each.
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib-guest.sh
. "$here/lib-guest.sh"
kernel=$1
shift
# shell builtins where a loop polls: a process costs most of a second on
# the debug kernel
refs() { # xtcp.ko's refcount, empty when it is not loaded
	local m _s r _
	while read -r m _s r _; do
		[ "$m" = xtcp ] && { echo "$r"; return; }
	done </proc/modules
}
loaded() { [ -n "$(refs)" ]; }
# reset: what one suite leaves must not reach the next
reset_guest() {
	local p n keep=" " q=$$ t0=$SECONDS t1 t2 t3 _
	# every process but this script, its ancestors and kernel threads
	# (no exe): the suite's children, and those that left for init
	while [ -n "$q" ] && [ "$q" != 0 ]; do
		keep="$keep$q "
		read -r _ _ _ q _ <"/proc/$q/stat" 2>/dev/null || q=""
	done
	for p in /proc/[0-9]*; do
		p=${p#/proc/}
		case "$keep" in *" $p "*) continue ;; esac
		[ -e "/proc/$p/exe" ] || continue
		kill -9 "$p" 2>/dev/null
	done
	# the sockets those processes held close while their peers still
	# answer (TIME-WAIT holds no reference: rmmod purges it)
	loaded && wait_until 30 eval '[ "$(refs)" = 0 ]'
	t1=$SECONDS
	for n in $(ip netns list 2>/dev/null | awk '{ print $1 }'); do
		ip netns del "$n" 2>/dev/null
	done
	# a deleted namespace's NICs come back to this one from a workqueue:
	# the next suite looks for them at once
	wait_until 60 eval '[ "$(nics)" = "$nics0" ]' ||
		echo "# reset: NICs back: '$(nics)', at boot: '$nics0'"
	for n in $(nics); do
		tc qdisc del dev "$n" root 2>/dev/null
		ip addr flush dev "$n" 2>/dev/null
		nic_restore "$n"
	done
	t2=$SECONDS
	if loaded; then
		wait_until 30 eval '[ "$(refs)" = 0 ]'
		timeout 60 rmmod xtcp 2>/dev/null ||
			echo "# reset: xtcp.ko stays loaded (refcount $(refs)): the next suite finds it"
	fi
	sysctls_restore
	t3=$SECONDS
	echo "# reset after $1: $((t3 - t0)) s (sockets closing $((t1 - t0)) s, namespaces and NICs $((t2 - t1)) s, module $((t3 - t2)) s)"
}
nics() { # the NICs of this namespace, sorted, as one line
	local f l=""
	for f in /sys/class/net/*; do
		[ "${f##*/}" = lo ] || l="$l${f##*/} "
	done
	echo "$l"
}
nics0=$(nics)
# a NIC's settings the suites change (recov: gro off and gso_max_segs 1,
# gso: tso/gso off, ecn: gso_max_segs 1), as the boot left them
declare -A NIC0
nic_state() { # NIC: "mtu segs size gro tso gso", two processes (each
	# costs most of a second on the debug kernel)
	local l k mtu segs size gro tso gso
	read -r mtu <"/sys/class/net/$1/mtu"
	l=$(ip -d link show dev "$1")
	[[ $l =~ gso_max_segs\ ([0-9]+) ]] && segs=${BASH_REMATCH[1]}
	[[ $l =~ gso_max_size\ ([0-9]+) ]] && size=${BASH_REMATCH[1]}
	while read -r k l; do
		case "$k" in
		generic-receive-offload:) gro=${l%% *} ;;
		tcp-segmentation-offload:) tso=${l%% *} ;;
		generic-segmentation-offload:) gso=${l%% *} ;;
		esac
	done < <(ethtool -k "$1" 2>/dev/null)
	echo "$mtu ${segs:-} ${size:-} ${gro:-} ${tso:-} ${gso:-}"
}
nic_restore() { # NIC: only what differs from the boot's state is set
	local mtu segs size gro tso gso now
	now=$(nic_state "$1")
	[ "$now" = "${NIC0[$1]:-}" ] && return 0
	read -r mtu segs size gro tso gso <<<"${NIC0[$1]:-}"
	[ -n "$mtu" ] || return 0
	ip link set dev "$1" mtu "$mtu" ${segs:+gso_max_segs "$segs"} \
		${size:+gso_max_size "$size"} 2>/dev/null
	ethtool -K "$1" ${gro:+gro "$gro"} ${tso:+tso "$tso"} ${gso:+gso "$gso"} 2>/dev/null
	now=$(nic_state "$1")
	[ "$now" = "${NIC0[$1]}" ] && echo "# reset: $1 restored to its boot settings" ||
		echo "# reset: $1 is '$now', at boot '${NIC0[$1]}'"
}
for n in $nics0; do NIC0[$n]=$(nic_state "$n"); done
# the root namespace's net sysctls: what differs after a suite is written
# back (gso and programs put back what they change themselves: this is
# for a suite that stopped before it could)
declare -A SYS0
sysctl_files() {
	local f
	for f in /proc/sys/net/core/* /proc/sys/net/ipv4/* /proc/sys/net/ipv6/conf/all/*; do
		[ -f "$f" ] && [ -r "$f" ] && [ -w "$f" ] && echo "$f"
	done
}
sysctls_snap() {
	local f v
	while read -r f; do
		read -r v <"$f" 2>/dev/null && SYS0[$f]=$v
	done < <(sysctl_files)
}
sysctls_restore() {
	local f v
	for f in "${!SYS0[@]}"; do
		read -r v <"$f" 2>/dev/null || continue
		[ "$v" = "${SYS0[$f]}" ] && continue
		echo "${SYS0[$f]}" >"$f" 2>/dev/null &&
			echo "# reset: ${f#/proc/sys/} back to '${SYS0[$f]}' (was '$v')"
	done
}
sysctls_snap
# XTCP_QUEUE=DIR (a directory of the results mount, which the host and
# other guests share): a suite runs here only if this guest is the first
# to create DIR/SUITE (mkdir is atomic through 9p as on the host), so
# guests on two lanes share one list, longest first, and none runs a
# suite twice. XTCP_QUEUE_SECS: no suite is taken after that many seconds
# (the run's deadline).
claim() {
	[ -z "${XTCP_QUEUE:-}" ] && return 0
	[ $SECONDS -lt "${XTCP_QUEUE_SECS:-999999}" ] || return 1
	mkdir "$XTCP_QUEUE/$1" 2>/dev/null
}
status=0
for s in "$@"; do
	claim "$s" || continue
	echo "# suite $s begins"
	t0=$SECONDS
	"$here/guest-$s.sh"
	rc=$?
	[ $rc = 0 ] || status=1
	echo "# suite $s ended with status $rc"
	echo "# $s on $kernel took $((SECONDS - t0)) s"
	reset_guest "$s"
done
exit $status
