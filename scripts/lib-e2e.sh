# shellcheck shell=bash
# Inside a guest: the two-host setup shared by guest-e2e.sh and
# guest-life.sh. Netns "a" and "b" each own one of the two NICs
# (10.0.0.1/fd00::1 and 10.0.0.2/fd00::2), the module is loaded, the XTCP
# sysctls set (MSL, syn_retries), nft table "xtest" and netem probed.
# Needs lib-tap.sh, $here, $T; sets $R (results, $XTCP_RESULTS/$E2E_NAME),
# $X, $PORT and the helpers below. Needs lib-guest.sh (wait_until).

# wait_file, wait_until (every suite that sources this file needs them)
# shellcheck source=lib-guest.sh
declare -F wait_file >/dev/null || . "$(dirname "${BASH_SOURCE[0]}")/lib-guest.sh"

QUICK=${QUICK:-0}
SUBJECT=${SUBJECT:-xtcp}
# The suite's files live on the guest's tmpfs while it runs: a reader
# polling a file that another process appends to over the 9p results mount
# saw NUL bytes for data not yet written back (6.12, busy host). They are
# copied to $XTCP_RESULTS/$E2E_NAME when the suite ends (save_results).
R=/tmp/xtcp-run/${E2E_NAME:-e2e}
R_SAVE=${XTCP_RESULTS:-}/${E2E_NAME:-e2e}
rm -rf "$R"
mkdir -p "$R"
X=$T/xtcp_xfer
PORT=20000
t_start=$(date +%s)

A() { "$NSX" a "$@"; }
B() { "$NSX" b "$@"; }
NS() { "$NSX" "$@"; }
newport() { PORT=$((PORT + 1)); }
fam() { [ "$1" = x ] && echo "$SUBJECT" || echo tcp; }  # x=XTCP t=Linux
proc4() { [ "$SUBJECT" = xtcp ] && echo /proc/net/xtcp || echo /proc/net/tcp; }
proc6() { [ "$SUBJECT" = xtcp ] && echo /proc/net/xtcp6 || echo /proc/net/tcp6; }

# save_results: the suite's files (captures over 8 MB left out) to the
# host's results directory
save_results() {
	[ -n "${XTCP_RESULTS:-}" ] && [ -d "$R" ] || return 0
	mkdir -p "$R_SAVE"
	(cd "$R" && find . -type f -size -8M -print0 |
		xargs -0 -r cp --parents -t "$R_SAVE") 2>/dev/null
}
cleanup() {
	jobs -p | xargs -r kill 2>/dev/null
	ip netns del a 2>/dev/null
	ip netns del b 2>/dev/null
	save_results
}
trap cleanup EXIT

# ------------------------------------------------------------- setup ---
if [ -n "${XTCP_IFS:-}" ]; then
	read -r IFA IFB <<<"$XTCP_IFS"
else
	# shellcheck disable=SC2012
	read -r IFA IFB <<<"$(ls /sys/class/net | grep -vx lo | sort | head -2 | tr '\n' ' ')"
fi
diag "kernel $(uname -r) subject=$SUBJECT QUICK=$QUICK interfaces $IFA $IFB"
if [ "$SUBJECT" = xtcp ]; then
	ko=$(xtcp_ko)
	grep -q '^xtcp ' /proc/modules || insmod "$ko"
	if grep -q '^xtcp ' /proc/modules; then ok "module loaded ($ko)"; else
		nok "module loaded" "insmod $ko failed"
		tap_done
		exit 1
	fi
fi
ip netns del a 2>/dev/null
ip netns del b 2>/dev/null
ip netns add a && ip netns add b
ip link set "$IFA" netns a && ip link set "$IFB" netns b
A ip link set lo up; B ip link set lo up
A ip addr add 10.0.0.1/24 dev "$IFA"; A ip addr add fd00::1/64 dev "$IFA" nodad
B ip addr add 10.0.0.2/24 dev "$IFB"; B ip addr add fd00::2/64 dev "$IFB" nodad
A ip link set "$IFA" up; B ip link set "$IFB" up
A sysctl -qw net.ipv6.conf.all.accept_dad=0 2>/dev/null
reach() { # Linux TCP from a to b over the NICs
	local rf=$R/reach.ready
	rm -f "$rf"
	B "$X" server -f tcp -b "$1" -p 19999 -t 60 -q --ready-file "$rf" >/dev/null 2>&1 &
	wait_file 60 "$rf"
	A "$X" client -f tcp -a "$1" -p 19999 -s 1000 -t 60 >/dev/null 2>&1
	local r=$?
	wait
	return $r
}
reach 10.0.0.2 && reach fd00::2 &&
	ok "Linux TCP from netns a ($IFA 10.0.0.1 fd00::1) to b ($IFB 10.0.0.2 fd00::2)" ||
	nok "netns a reaches b over $IFA/$IFB"
xsys() { # ns name value: XTCP sysctl (no-op for SUBJECT=tcp)
	[ "$SUBJECT" = xtcp ] || return 0
	NS "$1" sh -c "echo $3 > /proc/sys/net/xtcp/$2"
}
# TIME-WAIT = 2*MSL must outlast a few /proc samples; under the debug
# kernel (QUICK) one sample takes about 2 s
MSL_MS=1000
[ "$QUICK" = 1 ] && MSL_MS=4000
for n in a b; do
	xsys $n msl_ms $MSL_MS
	xsys $n syn_retries 1
	NS $n sysctl -qw net.ipv4.tcp_syn_retries=1
done
# the guest does not autoload modules: load what nft and netem need
for m in nfnetlink nf_tables nft_quota sch_netem; do modprobe -q $m 2>/dev/null; done
HAVE_NFT=0
if command -v nft >/dev/null && A nft add table inet xtest 2>/dev/null; then
	HAVE_NFT=1
	for n in a b; do
		NS $n nft add table inet xtest 2>/dev/null
		NS $n nft add chain inet xtest pre '{ type filter hook prerouting priority -300; }'
		# port 9: SYNs dropped (connect timeout tests)
		NS $n nft add rule inet xtest pre tcp dport 9 drop
	done
fi
HAVE_NETEM=0
A tc qdisc add dev "$IFA" root netem loss 0% 2>/dev/null && HAVE_NETEM=1 &&
	A tc qdisc del dev "$IFA" root
mtu_a=$(cat /sys/class/net/lo/mtu)
MTU_NIC=$(A cat /sys/class/net/"$IFA"/mtu)
MTU_LO=$(A cat /sys/class/net/lo/mtu)
diag "MTU nic=$MTU_NIC lo=$MTU_LO nft=$HAVE_NFT netem=$HAVE_NETEM ($mtu_a)"

stat_get() { # ns name: XTCP counter (or Linux Tcp: MIB for SUBJECT=tcp)
	local f=tcp w
	[ "$SUBJECT" = xtcp ] && f=xtcp
	mib_read "$1" $f "$2"
	for w in $MIB_OUT; do [ "${w%%=*}" = "$2" ] && echo "${w#*=}"; done
	return 0
}
# mib_snap NS FAMILY KEYS: "name=value ..." of the counters named in KEYS
# (space-separated), from XTCP's /proc/net/xtcp_stat (FAMILY xtcp) or
# Linux's TcpExt and Tcp lines
mib_snap() {
	mib_read "$@"
	echo "$MIB_OUT"
}
# mib_read NS FAMILY KEYS: mib_snap's line into MIB_OUT (one static exec,
# parsed by the shell)
mib_read() {
	local -A want=()
	local k line pfx="" i
	local -a names vals
	MIB_OUT=""
	for k in $3; do want[$k]=1; done
	if [ "$2" = xtcp ]; then
		while read -r k line; do
			[ -n "${want[$k]:-}" ] && MIB_OUT+="$k=$line "
		done < <(NS "$1" --cat /proc/net/xtcp_stat)
		return 0
	fi
	# a header line, then its values line, per prefix
	while read -r line; do
		case $line in TcpExt:* | Tcp:*) ;; *) continue ;; esac
		if [ "${line%%:*}" != "$pfx" ]; then
			pfx=${line%%:*}
			read -r -a names <<<"$line"
			continue
		fi
		pfx=""
		read -r -a vals <<<"$line"
		for ((i = 1; i < ${#names[@]}; i++)); do
			[ -n "${want[${names[i]}]:-}" ] && MIB_OUT+="${names[i]}=${vals[i]} "
		done
	done < <(NS "$1" --cat /proc/net/netstat /proc/net/snmp)
	return 0
}
# mib_delta BEFORE AFTER NAME: how much NAME grew between two mib_snaps
mib_delta() {
	local b=0 a=0 w
	for w in $1; do [ "${w%%=*}" = "$3" ] && b=${w#*=}; done
	for w in $2; do [ "${w%%=*}" = "$3" ] && a=${w#*=}; done
	echo $((${a:-0} - ${b:-0}))
}
# proc_lines NS FILE: how many lines FILE has, read in NS
proc_lines() {
	local n=0 line
	while IFS= read -r line; do n=$((n + 1)); done < <(NS "$1" --cat "$2")
	echo $n
}
# xtcp_ns_empty NS: no XTCP connection left in NS (CurrEstab 0, no rows)
xtcp_ns_empty() {
	[ "$(stat_get "$1" CurrEstab)" = 0 ] &&
		[ "$(proc_lines "$1" /proc/net/xtcp)" = 1 ] &&
		[ "$(proc_lines "$1" /proc/net/xtcp6)" = 1 ]
}
