#!/bin/bash
# Runs INSIDE a guest (scripts/bench): XTCP and in-kernel TCP measured side
# by side in the same run, between two netns over the virtio NICs and over
# loopback. Prints each figure and the XTCP/TCP ratio. Not a test.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
X=$root/tools/xtcp_xfer
ko=${XTCP_KO:-$root/build/stock61/module/xtcp.ko} # make stock61-modules
BULK=${BULK:-100000000}
CRR=${CRR:-2000}
REPS=${REPS:-3}
PORT=9000

# the first rows need the module unloaded and loaded in turn
grep -q '^xtcp ' /proc/modules && { rmmod xtcp || exit 1; }
. "$here/lib-guest.sh"
# many short connections: TIME-WAIT of 2 s (net.xtcp.msl_ms=1000)
two_hosts a b
sleep 1
# BENCH=loss (scripts/bench loss): the loss series alone
if [ "${BENCH:-all}" = loss ]; then
	echo "# kernel $(uname -r), $(nproc) CPUs"
	insmod "$ko" || exit 1
	# shellcheck source=lib-bench-loss.sh
	. "$here/lib-bench-loss.sh"
	bench_loss
	exit
fi

# bulk FAM DST NS: Mbit/s of one transfer of BULK bytes
bulk() {
	local fam=$1 dst=$2 t0 t1
	PORT=$((PORT + 1))
	rm -f /tmp/bench-ready
	"$NSX" b "$X" server -f "$fam" -b "$dst" -p $PORT -n 1 -q -t 300 \
		--ready-file /tmp/bench-ready >/dev/null 2>&1 &
	# the server listening, not a guess (a client too early waits out
	# its timeout, and that wait would count as throughput)
	wait_until 60 test -s /tmp/bench-ready
	t0=$(date +%s.%N)
	"$NSX" "$3" "$X" client -f "$fam" -a "$dst" -p $PORT -s "$BULK" -q -t 300 >/dev/null
	wait
	t1=$(date +%s.%N)
	echo "scale=1; $BULK * 8 / ($t1 - $t0) / 1000000" | bc
}

# crr FAM DST NS: connect+request+response+close per second
crr() {
	local fam=$1 dst=$2
	PORT=$((PORT + 1))
	rm -f /tmp/bench-ready
	"$NSX" b "$X" server -f "$fam" -b "$dst" -p $PORT --mode crr \
		-n "$CRR" --req 64 --resp 64 -q -t 300 --ready-file /tmp/bench-ready >/dev/null 2>&1 &
	wait_until 60 test -s /tmp/bench-ready
	"$NSX" "$3" "$X" client -f "$fam" -a "$dst" -p $PORT --mode crr \
		-n "$CRR" --req 64 --resp 64 -t 300 | sed -n 's/.*rate=\([0-9.]*\).*/\1/p'
	wait
}

ratio() { echo "scale=2; $1 / $2" | bc; }
pratio() { if [ "$(echo "$2 > 0" | bc)" = 1 ]; then ratio "$1" "$2"; else echo n/a; fi; }
row() { printf "%-40s %12s %12s %8s\n" "$@"; }
median() { sort -n | awk '{ v[NR] = $1 } END { if (!NR) print 0; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
# spread: "min-max" of the numbers on stdin
spread() { sort -n | awk '{ v[NR] = $1 } END { if (NR) print v[1] "-" v[NR] }'; }
# pair_rows LABEL XS TS: the medians, their ratio, then the spreads and
# the median of the per-repetition ratios (each pair measured back to
# back, so a load change on the host moves both figures of a pair)
pair_rows() {
	local x t i r="" xs ts
	read -ra xs <<<"$2"
	read -ra ts <<<"$3"
	for i in "${!xs[@]}"; do
		[ "$(echo "${ts[i]:-0} > 0" | bc)" = 1 ] &&
			r="$r $(echo "scale=3; ${xs[i]} / ${ts[i]}" | bc)"
	done
	x=$(echo "$2" | tr ' ' '\n' | grep . | median)
	t=$(echo "$3" | tr ' ' '\n' | grep . | median)
	row "$1" "$x" "$t" "$(pratio "$x" "$t")"
	row "  min-max; median of pair ratios" "$(echo "$2" | tr ' ' '\n' | grep . | spread)" \
		"$(echo "$3" | tr ' ' '\n' | grep . | spread)" \
		"$(echo "$r" | tr ' ' '\n' | grep . | median)"
}
# pairs A B FN ARGS...: REPS pairs of FN runs, A's then B's, the order
# swapped every other pair; A's figures in PA, B's in PB
pairs() {
	local a=$1 b=$2 fn=$3 i
	shift 3
	PA="" PB=""
	for i in $(seq "$REPS"); do
		if [ $((i % 2)) = 1 ]; then
			PA="$PA $("$fn" "$a" "$@")"
			PB="$PB $("$fn" "$b" "$@")"
		else
			PB="$PB $("$fn" "$b" "$@")"
			PA="$PA $("$fn" "$a" "$@")"
		fi
	done
}
# bench_core: bulk and connect+request+close, XTCP vs Linux TCP, over the
# virtio NICs and loopback; medians of REPS back-to-back pairs
bench_core() {
	local path
	for path in "virtio 10.0.0.2 a" "loopback 127.0.0.1 b"; do
		# shellcheck disable=SC2086
		set -- $path
		pairs xtcp tcp bulk "$2" "$3"
		pair_rows "bulk $1 (Mbit/s)" "$PA" "$PB"
		pairs xtcp tcp crr "$2" "$3"
		pair_rows "connect+request+close $1 (conn/s)" "$PA" "$PB"
	done
}
xtcp_msl() {
	for n in a b; do "$NSX" $n sh -c 'echo 1000 > /proc/sys/net/xtcp/msl_ms'; done
	sleep 1
}
hdr() { echo "# kernel $(uname -r), $(nproc) CPUs, bulk $BULK bytes, crr $CRR x 64B/64B, median of $REPS pairs"; }
# bench_overhead: the cost of XTCP for everyone else, Linux TCP with
# xtcp.ko loaded and idle (its hook sees every TCP segment) vs not loaded,
# REPS pairs in this run, each an unloaded run then a loaded one (goal
# >= 0.98); ends with the module unloaded
bench_overhead() {
	local ub="" lb="" uc="" lc="" _
	for _ in $(seq "$REPS"); do
		ub="$ub $(bulk tcp 10.0.0.2 a)"
		uc="$uc $(crr tcp 10.0.0.2 a)"
		insmod "$ko" || exit 1
		lb="$lb $(bulk tcp 10.0.0.2 a)"
		lc="$lc $(crr tcp 10.0.0.2 a)"
		rmmod xtcp || exit 1
	done
	row "benchmark" "xtcp loaded" "not loaded" "ratio"
	pair_rows "Linux TCP bulk virtio (Mbit/s)" "$lb" "$ub"
	pair_rows "Linux TCP conn+req+close virtio (conn/s)" "$lc" "$uc"
}
# BENCH=bulk (scripts/bench bulk): bulk and connect+request+close alone,
# with the loaded-vs-unloaded rows first
if [ "${BENCH:-all}" = bulk ]; then
	hdr
	bench_overhead
	insmod "$ko" || exit 1
	xtcp_msl
	row "benchmark" "XTCP" "Linux TCP" "ratio"
	bench_core
	exit
fi

# shellcheck source=lib-bench-scale.sh
. "$here/lib-bench-scale.sh"
# BENCH=scale (scripts/bench scale): the scale series alone
if [ "${BENCH:-all}" = scale ]; then
	echo "# kernel $(uname -r), $(nproc) CPUs"
	insmod "$ko" || exit 1
	row "benchmark" "XTCP" "Linux TCP" "ratio"
	bench_scale
	exit
fi
hdr
bench_overhead
insmod "$ko" || exit 1
xtcp_msl
row "benchmark" "XTCP" "Linux TCP" "ratio"
[ "${PROGS_ONLY:-0}" = 1 ] || bench_core # PROGS_ONLY=1: only the programs below
[ "${PROGS_ONLY:-0}" = 1 ] || bench_scale

# real programs through tools/xtcp-run (lib-programs.sh), both sides XTCP
# vs both sides Linux TCP, the median of REPS runs each
# shellcheck disable=SC2034
RUN=$root/tools/xtcp-run
# shellcheck disable=SC2034
PY=/usr/bin/python3
NS() { local n=$1; shift; "$NSX" "$n" "$@"; }
A() { NS a "$@"; }
B() { NS b "$@"; }
newport() { PORT=$((PORT + 1)); }
wait_for() { # up to 60 s
	local _
	for _ in $(seq 1 600); do "$@" && return 0; sleep 0.1; done
	return 1
}
listening() { # ns port procfile...: a dual-stack [::] listener is in the IPv6 file
	local hp ns=$1
	hp=$(printf ':%04X' "$2")
	shift 2
	# shellcheck disable=SC2016
	NS "$ns" awk -v p="$hp" 'FNR > 1 && $4 == "0A" && substr($2, length($2) - 4) == p { f = 1 } END { exit !f }' "$@"
}
W=$(mktemp -d)
# shellcheck disable=SC2034
PROG_BENCH=1
# shellcheck source=lib-programs.sh
. "$here/lib-programs.sh"
prog_files
# pb_* S: medians for one family (x or t) on both sides, one per line
pb_nginx() {
	local ka="" cl="" _
	newport
	nginx_start "$1" || { echo "nginx did not start" >&2; echo 0; echo 0; srv_stop; return; }
	for _ in $(seq "$REPS"); do
		ka="$ka $(wrk_rps "$(WRK_SECS=3 wrk_run "$1")")"
		cl="$cl $(wrk_rps "$(WRK_SECS=3 wrk_run "$1" -H "Connection: close")")"
	done
	srv_stop
	echo "$ka" | tr ' ' '\n' | grep . | median
	echo "$cl" | tr ' ' '\n' | grep . | median
}
pb_iperf() {
	local f="" r="" _
	newport
	iperf_start "$1" || { echo 0; echo 0; srv_stop; return; }
	for _ in $(seq "$REPS"); do
		f="$f $(iperf_mbps "$(IPERF_SECS=3 iperf_run "$1")")"
		r="$r $(iperf_mbps "$(IPERF_SECS=3 iperf_run "$1" -R)")"
	done
	srv_stop
	echo "$f" | tr ' ' '\n' | grep . | median
	echo "$r" | tr ' ' '\n' | grep . | median
}
pb_redis() {
	local g="" s="" _ out
	newport
	redis_start "$1" || { echo 0; echo 0; srv_stop; return; }
	for _ in $(seq "$REPS"); do
		out=$(redis_bench "$1" 5000)
		g="$g $(redis_rps "$out" GET)"
		s="$s $(redis_rps "$out" SET)"
	done
	srv_stop
	echo "$g" | tr ' ' '\n' | grep . | median
	echo "$s" | tr ' ' '\n' | grep . | median
}
echo "# programs through xtcp-run over virtio, median of $REPS"
for p in "nginx:wrk keep-alive (req/s):wrk Connection: close (req/s)" \
	"iperf:iperf3 a->b (Mbit/s):iperf3 -R b->a (Mbit/s)" \
	"redis:redis-benchmark GET (req/s):redis-benchmark SET (req/s)"; do
	IFS=: read -r fn l1 l2 <<<"$p"
	# (no /dev/fd in the guest for <(...))
	"pb_$fn" x >"$W/pb"
	mapfile -t xv <"$W/pb"
	"pb_$fn" t >"$W/pb"
	mapfile -t tv <"$W/pb"
	row "$l1" "${xv[0]:-0}" "${tv[0]:-0}" "$(pratio "${xv[0]:-0}" "${tv[0]:-0}")"
	row "$l2" "${xv[1]:-0}" "${tv[1]:-0}" "$(pratio "${xv[1]:-0}" "${tv[1]:-0}")"
done
rm -rf "$W"

# shellcheck source=lib-bench-loss.sh
. "$here/lib-bench-loss.sh"
bench_loss
