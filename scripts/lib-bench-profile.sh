# shellcheck shell=bash
# Sourced by guest-bench.sh (inside the guest, after two_hosts a b, with
# xtcp.ko loaded): the profile series (issue 10: "what the profile
# shows"). Not a figure: where each stack's CPU time goes while it runs a
# benchmark of bench_core. perf record -a samples the cpu-clock (TCG has
# no cycles counter) on both CPUs, kernel and modules by kallsyms; the
# idle loop's samples are left out, and each symbol's share is of the
# busy samples. Both ends of a transfer run in this guest, so a profile
# holds sender and receiver.
# Env: PROF_BENCH ("bulk crr rr": bench_core's functions, over virtio),
#      PROF_TOP (15 symbols), PROF_FREQ (999 Hz).
# Output: a table per benchmark and stack, and the reports in
# $XTCP_RESULTS/bench/profile-BENCH-STACK.txt.

PROF_BENCH=${PROF_BENCH:-bulk crr rr}
PROF_TOP=${PROF_TOP:-15}
PROF_FREQ=${PROF_FREQ:-999}
# the idle loop, as perf names it in a 6.1/6.12 guest under TCG
PROF_IDLE='default_idle|native_safe_halt|pv_native_safe_halt|acpi_idle_do_entry|acpi_safe_halt|mwait_idle|cpu_idle_poll|do_idle|intel_idle|arch_cpu_idle'

# prof_report FILE: "share symbol" for the busy samples, top PROF_TOP, then
# the share of XTCP's module and of Linux TCP's functions (tcp_*, inet_*)
prof_report() {
	perf report -i "$1" --stdio --no-children --sort dso,sym \
		--percent-limit 0 2>/dev/null |
		awk -v idle="$PROF_IDLE" -v top="$PROF_TOP" '
		/^#/ || NF < 4 { next }
		{
			p = $1; sub(/%/, "", p)
			sym = $NF; dso = $2
			if (sym ~ "^(" idle ")$") { idlep += p; next }
			n++; s[n] = sym; d[n] = dso; v[n] = p; busy += p
			if (dso ~ /xtcp/) xp += p
			else if (sym ~ /^(tcp_|__tcp_|inet_|__inet_|inet6_)/) tp += p
		}
		END {
			if (busy <= 0) { print "  (no busy samples)"; exit }
			printf "  busy %.1f%% of the samples; XTCP module %.1f%%, Linux tcp_/inet_ %.1f%% of busy\n", busy, 100 * xp / busy, 100 * tp / busy
			for (i = 1; i <= n && i <= top; i++)
				printf "  %5.1f%%  %-40s %s\n", 100 * v[i] / busy, s[i], d[i]
		}'
}

# prof_one FN STACK: FN STACK 10.0.0.2 a under perf record
prof_one() {
	local f=$XTCP_RESULTS/bench/profile-$1-$2 pid
	perf record -a -e cpu-clock -F "$PROF_FREQ" -o "$f.data" \
		>/dev/null 2>&1 &
	pid=$!
	sleep 1
	"$1" "$2" 10.0.0.2 a >/dev/null
	kill -INT $pid
	wait $pid
	echo "# profile: $1 over virtio, $2"
	prof_report "$f.data" | tee "$f.txt"
	rm -f "$f.data"
}

bench_profile() {
	local b
	command -v perf >/dev/null || { echo "# profile: no perf in the guest (linux-perf)"; return 0; }
	for b in $PROF_BENCH; do
		prof_one "$b" xtcp
		prof_one "$b" tcp
	done
}
