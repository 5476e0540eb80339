# shellcheck shell=bash
# Inside a guest: helpers shared by the guest scripts.

# Under TCG a process costs 50-250 ms to start (the loader, libraries and
# locale files come over 9p), and the suites were spending most of their
# time starting processes. Hence: NSX (xtcp-nsexec, static) instead of
# "ip netns exec" (two dynamic execs), a builtin sleep, builtins in the
# helpers that poll.

# NSX NETNS CMD...: CMD in network namespace NETNS, as "ip netns exec"
# (execs CMD, so $! of "$NSX ns prog &" is prog's pid); NETNS --cat FILE
# prints FILE as read in NETNS
# (built by "make tools", as every tool the suites run)
NSX=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/tools/xtcp-nsexec

# sleep SECONDS: waits in the shell (read -t on a pipe nobody writes);
# any other form (units, several arguments, infinity) is sleep(1)'s
sleep() {
	local us end now rem frac
	if [ $# != 1 ] || [[ ! $1 =~ ^([0-9]*)(\.([0-9]{0,6}))?$ ]] || [ "$1" = . ] || [ -z "$1" ]; then
		command sleep "$@"
		return
	fi
	frac=${BASH_REMATCH[3]}000000
	us=$((10#${BASH_REMATCH[1]:-0} * 1000000 + 10#${frac:0:6}))
	[ -n "${XTCP_SLEEP_FD:-}" ] || exec {XTCP_SLEEP_FD}<> <(:)
	now=${EPOCHREALTIME/[.,]/}
	end=$((now + us))
	# read returns early on a signal: sleep the rest
	while rem=$((end - now)); [ $rem -gt 0 ]; do
		printf -v frac %06d $((rem % 1000000))
		read -r -t "$((rem / 1000000)).$frac" -u "$XTCP_SLEEP_FD" || :
		now=${EPOCHREALTIME/[.,]/}
	done
	return 0
}

# two_hosts NS1 NS2: give each of two new network namespaces one of the
# guest's two virtio NICs, 10.0.0.1/24 and 10.0.0.2/24, lo up, and
# net.xtcp.msl_ms=1000 (TIME-WAIT 2 s). Sets IF1 and IF2; on exit, kills
# the script's background jobs and deletes both namespaces.
two_hosts() {
	local n
	TWO_HOSTS="$1 $2"
	trap two_hosts_cleanup EXIT
	read -r IF1 IF2 <<<"$(ls /sys/class/net | grep -vx lo | sort | head -2 | tr '\n' ' ')"
	ip netns add "$1"
	ip netns add "$2"
	ip link set "$IF1" netns "$1"
	ip link set "$IF2" netns "$2"
	ip -n "$1" addr add 10.0.0.1/24 dev "$IF1"
	ip -n "$2" addr add 10.0.0.2/24 dev "$IF2"
	for n in "$1" "$2"; do
		ip -n "$n" link set lo up
		[ -d /proc/sys/net/xtcp ] &&
			"$NSX" "$n" sh -c 'echo 1000 > /proc/sys/net/xtcp/msl_ms'
	done
	ip -n "$1" link set "$IF1" up
	ip -n "$2" link set "$IF2" up
}

two_hosts_cleanup() {
	local n
	jobs -p | xargs -r kill 2>/dev/null
	for n in $TWO_HOSTS; do ip netns del "$n" 2>/dev/null; done
}

# Waiting for events. Under TCG on a busy host a step can take seconds, so
# every wait is for the event itself, bounded generously: the bound only
# costs time when something is already slow or broken.

# wait_until SECONDS CMD...: run CMD until it succeeds (return 0) or
# SECONDS have passed (return 1, after one last try at the deadline)
wait_until() {
	local end=$((SECONDS + $1))
	shift
	until "$@"; do
		[ $SECONDS -lt "$end" ] || return 1
		sleep 0.05
	done
}

# file_has FILE [ERE]: FILE exists and, given ERE, has a line matching it
# (read by the shell: it is polled)
file_has() {
	local line re=${2:-}
	[ -e "$1" ] || return 1
	[ -n "$re" ] || return 0
	while IFS= read -r line || [ -n "$line" ]; do
		[[ $line =~ $re ]] && return 0
	done <"$1"
	return 1
}

# wait_file SECONDS FILE [ERE]: until FILE exists (and has a line matching
# ERE), e.g. a server's --ready-file or its "listening" line
wait_file() {
	wait_until "$1" file_has "$2" "${3:-}"
}
# the pids of @1 and all its descendants (parents first)
proc_tree() {
	local c
	echo "$1"
	for c in $(pgrep -P "$1"); do proc_tree "$c"; done
}
# any of the pids still running (zombies do not count)?
alive() {
	local p
	for p; do
		case $(awk '{ print $3 }' "/proc/$p/stat" 2>/dev/null) in
		"" | Z) ;;
		*) return 0 ;;
		esac
	done
	return 1
}
# kill_tree PID: SIGTERM to PID (a subshell of ours) and every descendant
# at once, SIGKILL to what is left after 20 s. "kill $!" of a function run
# with & ends only the subshell: the command it runs in a namespace lives
# on (programs' servers kept serving; flood's hping3 kept flooding for its
# 300 s, under every later transfer of the suite)
kill_tree() {
	local pids
	pids=$(proc_tree "$1")
	# shellcheck disable=SC2086
	kill $pids 2>/dev/null
	wait "$1" 2>/dev/null
	for _ in $(seq 200); do
		# shellcheck disable=SC2086
		alive $pids || return 0
		sleep 0.1
	done
	# shellcheck disable=SC2086
	kill -9 $pids 2>/dev/null
}
