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
RR=${RR:-5000}
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

# bulk4 FAM DST NS: Mbit/s of 4 concurrent transfers of BULK/4 bytes each
# (each checked by the server's byte count and hash)
bulk4() {
	local fam=$1 dst=$2 t0 t1
	PORT=$((PORT + 1))
	rm -f /tmp/bench-ready
	"$NSX" b "$X" server -f "$fam" -b "$dst" -p $PORT -n 4 --mode reply -q \
		-t 300 --ready-file /tmp/bench-ready >/dev/null 2>&1 &
	wait_until 60 test -s /tmp/bench-ready
	t0=$(date +%s.%N)
	"$NSX" "$3" "$X" client -f "$fam" -a "$dst" -p $PORT --mode concurrent \
		-n 4 -s $((BULK / 4)) -q -t 300 >/dev/null
	wait
	t1=$(date +%s.%N)
	echo "scale=1; $BULK * 8 / ($t1 - $t0) / 1000000" | bc
}

# rr FAM DST NS: 64-byte request/response transactions per second on one
# connection (RR of them)
rr() {
	local fam=$1 dst=$2
	PORT=$((PORT + 1))
	rm -f /tmp/bench-ready
	"$NSX" b "$X" server -f "$fam" -b "$dst" -p $PORT --mode rr -n 1 \
		--req 64 --resp 64 -q -t 300 --ready-file /tmp/bench-ready >/dev/null 2>&1 &
	wait_until 60 test -s /tmp/bench-ready
	"$NSX" "$3" "$X" client -f "$fam" -a "$dst" -p $PORT --mode rr \
		-n "$RR" --req 64 --resp 64 -t 300 | sed -n 's/.*rate=\([0-9.]*\).*/\1/p'
	wait
}

# CPU cost. perf's cycles counter is not available under TCG ("not
# supported") and its cpu-clock counts idle time too in system-wide mode,
# so the cost is the guest's busy CPU time from /proc/stat (user, nice,
# system, irq, softirq; both ends of a transfer run in this guest): ms of
# CPU per MB of a bulk transfer, per connection of connect+request+close.
busy_ms() { awk '$1 == "cpu" { print ($2 + $3 + $4 + $7 + $8) * 1000 / '"$(getconf CLK_TCK)"'; exit }' /proc/stat; }
# cpu_per FN UNITS FAM DST NS: busy ms per unit while FN FAM DST NS runs
cpu_per() {
	local b0 b1
	b0=$(busy_ms)
	"$1" "$3" "$4" "$5" >/dev/null
	b1=$(busy_ms)
	echo "scale=3; ($b1 - $b0) / $2" | bc
}
bulk_cpu() { cpu_per bulk "$(echo "scale=6; $BULK / 1000000" | bc)" "$@"; }
crr_cpu() { cpu_per crr "$CRR" "$@"; }

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
# Every figure also goes to $XTCP_RESULTS/bench/summary.csv (scripts/bench
# copies it to build/bench/summary-KERNEL.csv and plots each series):
# series,benchmark,a,b,ratio,a_min,a_max,b_min,b_max,reps where a is XTCP
# and b Linux TCP, but in series "overhead": a is Linux TCP with xtcp.ko
# as the benchmark says, b Linux TCP without it
SERIES=core
CSV=$XTCP_RESULTS/bench/summary.csv
mkdir -p "$XTCP_RESULTS/bench"
echo "series,benchmark,a,b,ratio,a_min,a_max,b_min,b_max,reps" >"$CSV"
isnum() { case $1 in '' | . | *[!0-9.]*) return 1 ;; esac; }
# csv LABEL A B RATIO [AMIN AMAX BMIN BMAX REPS]: one figure, if numeric
# (a comma in LABEL becomes a semicolon: the plot splits on commas)
csv() {
	isnum "$2" && isnum "$3" || return 0
	echo "$SERIES,\"${1//,/;}\",$2,$3,$4,${5:-$2},${6:-$2},${7:-$3},${8:-$3},${9:-1}" >>"$CSV"
}
# data row: printed and kept in the CSV
drow() {
	row "$@"
	csv "$@"
}
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
	local xsp tsp
	x=$(echo "$2" | tr ' ' '\n' | grep . | median)
	t=$(echo "$3" | tr ' ' '\n' | grep . | median)
	xsp=$(echo "$2" | tr ' ' '\n' | grep . | spread)
	tsp=$(echo "$3" | tr ' ' '\n' | grep . | spread)
	row "$1" "$x" "$t" "$(pratio "$x" "$t")"
	row "  min-max; median of pair ratios" "$xsp" "$tsp" \
		"$(echo "$r" | tr ' ' '\n' | grep . | median)"
	csv "$1" "$x" "$t" "$(pratio "$x" "$t")" "${xsp%-*}" "${xsp#*-}" \
		"${tsp%-*}" "${tsp#*-}" "${#xs[@]}"
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
		pairs xtcp tcp bulk4 "$2" "$3"
		pair_rows "bulk 4 streams $1 (Mbit/s)" "$PA" "$PB"
		pairs xtcp tcp rr "$2" "$3"
		pair_rows "request/response 64B $1 (trans/s)" "$PA" "$PB"
		pairs xtcp tcp crr "$2" "$3"
		pair_rows "connect+request+close $1 (conn/s)" "$PA" "$PB"
		pairs xtcp tcp bulk_cpu "$2" "$3"
		pair_rows "CPU per MB, bulk $1 (ms)" "$PA" "$PB"
		pairs xtcp tcp crr_cpu "$2" "$3"
		pair_rows "CPU per conn, c+r+c $1 (ms)" "$PA" "$PB"
	done
}
xtcp_msl() {
	for n in a b; do "$NSX" $n sh -c 'echo 1000 > /proc/sys/net/xtcp/msl_ms'; done
	sleep 1
}
hdr() { echo "# kernel $(uname -r), $(nproc) CPUs, bulk $BULK bytes, rr $RR x 64B/64B, crr $CRR x 64B/64B, median of $REPS pairs"; }
# bench_overhead: the cost of XTCP for everyone else (issue 7, goal >=
# 0.98): Linux TCP bulk and connect+request+close over virtio in three
# conditions, REPS times each in this run:
#  - not loaded;
#  - loaded: xtcp.ko in, no XTCP socket (a netns registers XTCP's hooks
#    with its first XTCP socket, xtcp_nf_ensure(), so none here);
#  - hooks: loaded and an idle XTCP listener in each netns, so the hooks
#    look up every TCP segment of both ends and pass it on.
# Odd repetitions go unloaded, loaded, hooks; even ones hooks, unloaded,
# loaded (each loaded condition after its own insmod). Ends unloaded.
OV_PORT=9999
ov_measure() { # P: append a bulk and a crr figure to the caller's P_b, P_c
	local b c v
	b=$(bulk tcp 10.0.0.2 a)
	c=$(crr tcp 10.0.0.2 a)
	v=${1}_b
	printf -v "$v" '%s %s' "${!v}" "$b"
	v=${1}_c
	printf -v "$v" '%s %s' "${!v}" "$c"
}
ov_rmmod() { # the closed listeners' sockets are freed after a grace period
	local _
	for _ in $(seq 100); do rmmod xtcp 2>/dev/null && return 0; sleep 0.1; done
	rmmod xtcp
}
ov_hooks() { # measure with an idle XTCP listener in a and in b
	local pa pb
	rm -f /tmp/ov-a /tmp/ov-b
	"$NSX" a "$X" server -f xtcp -b 10.0.0.1 -p $OV_PORT -n 1 -q -t 3000 \
		--ready-file /tmp/ov-a >/dev/null 2>&1 &
	pa=$!
	"$NSX" b "$X" server -f xtcp -b 10.0.0.2 -p $OV_PORT -n 1 -q -t 3000 \
		--ready-file /tmp/ov-b >/dev/null 2>&1 &
	pb=$!
	wait_until 60 test -s /tmp/ov-a -a -s /tmp/ov-b ||
		echo "# overhead: the XTCP listeners did not start" >&2
	ov_measure h
	kill_tree $pa
	kill_tree $pb
}
bench_overhead() {
	local u_b="" u_c="" l_b="" l_c="" h_b="" h_c="" i
	for i in $(seq "$REPS"); do
		if [ $((i % 2)) = 1 ]; then
			ov_measure u
			insmod "$ko" || exit 1
			ov_measure l
			ov_hooks
			ov_rmmod || exit 1
		else
			insmod "$ko" || exit 1
			ov_hooks
			ov_rmmod || exit 1
			ov_measure u
			insmod "$ko" || exit 1
			ov_measure l
			ov_rmmod || exit 1
		fi
	done
	SERIES=overhead
	row "benchmark (Linux TCP, virtio)" "xtcp loaded" "not loaded" "ratio"
	pair_rows "bulk, loaded (Mbit/s)" "$l_b" "$u_b"
	pair_rows "conn+req+close, loaded (conn/s)" "$l_c" "$u_c"
	row "benchmark (Linux TCP, virtio)" "XTCP hooks" "not loaded" "ratio"
	pair_rows "bulk, hooks on (Mbit/s)" "$h_b" "$u_b"
	pair_rows "conn+req+close, hooks on (conn/s)" "$h_c" "$u_c"
	SERIES=core
}
# BENCH=overhead (scripts/bench overhead): the loaded-vs-not rows alone
if [ "${BENCH:-all}" = overhead ]; then
	hdr
	bench_overhead
	exit
fi
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

# BENCH=profile (scripts/bench profile): where the CPU time goes, per stack
if [ "${BENCH:-all}" = profile ]; then
	hdr
	insmod "$ko" || exit 1
	xtcp_msl
	# shellcheck source=lib-bench-profile.sh
	. "$here/lib-bench-profile.sh"
	bench_profile
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
		redis_bench "$1" 5000 "$W/redis-bench.log"
		out=$(cat "$W/redis-bench.log")
		g="$g $(redis_rps "$out" GET)"
		s="$s $(redis_rps "$out" SET)"
	done
	srv_stop
	echo "$g" | tr ' ' '\n' | grep . | median
	echo "$s" | tr ' ' '\n' | grep . | median
}
echo "# programs through xtcp-run over virtio, median of $REPS"
SERIES=programs
for p in "nginx:wrk keep-alive (req/s):wrk Connection: close (req/s)" \
	"iperf:iperf3 a->b (Mbit/s):iperf3 -R b->a (Mbit/s)" \
	"redis:redis-benchmark GET (req/s):redis-benchmark SET (req/s)"; do
	IFS=: read -r fn l1 l2 <<<"$p"
	# (no /dev/fd in the guest for <(...))
	"pb_$fn" x >"$W/pb"
	mapfile -t xv <"$W/pb"
	"pb_$fn" t >"$W/pb"
	mapfile -t tv <"$W/pb"
	drow "$l1" "${xv[0]:-0}" "${tv[0]:-0}" "$(pratio "${xv[0]:-0}" "${tv[0]:-0}")"
	drow "$l2" "${xv[1]:-0}" "${tv[1]:-0}" "$(pratio "${xv[1]:-0}" "${tv[1]:-0}")"
done
rm -rf "$W"

# shellcheck source=lib-bench-loss.sh
. "$here/lib-bench-loss.sh"
bench_loss
