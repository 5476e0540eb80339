# shellcheck shell=bash
# Sourced by guest-bench.sh (inside the guest, after two_hosts a b, with
# xtcp.ko loaded): the profile series (issue 10: "what the profile
# shows"). Not a figure: where each stack's CPU time goes while it runs a
# benchmark of bench_core. perf record -a samples the cpu-clock (TCG has
# no cycles counter) on both CPUs, kernel and modules by kallsyms; the
# guest's perf report (by dso and symbol: XTCP's module is known only
# here) goes to $XTCP_RESULTS/bench/profile-BENCH-PATH-STACK.report, which
# scripts/bench sums up on the host (bench-profile-report). Both ends of a
# transfer run in this guest, so a profile holds sender and receiver.
# Under TCG (this host: no KVM) the samples do not show where the time
# goes: they land where the guest turns interrupts back on
# (_raw_spin_unlock_irqrestore, handle_softirqs) or in the idle loop (a
# guest that ran two 20 MB loopback transfers, 7.6 s busy of a 50 s
# recording, gave 99.5% native_safe_halt), and perf takes a minute or
# more to end. Meant for a KVM guest, where perf's timer works.
# PROF_METHOD=insns (scripts/bench's choice under TCG): no perf; QEMU
# counts the guest's instructions per code block (tools/xtcp-tcgprof.so),
# in windows this script marks with sync(2): the plugin learns the
# address of __x64_sys_sync from $XTCP_RESULTS/bench/insns-mark and dumps
# the counts at each entry to it (insns.N on the host). The windows'
# labels go to insns-windows and the guest's /proc/kallsyms (with
# xtcp.ko's symbols) to insns-kallsyms, for bench-insns-report.
# Env: PROF_BENCH ("bulk crr rr": bench_core's functions), PROF_PATHS
#      ("loopback virtio"), PROF_FREQ (99 Hz: each sample costs the TCG
#      guest so much that at 999 Hz a 2 s XTCP loopback transfer took
#      3.5 min); the benchmarks' own BULK, CRR, RR.

PROF_BENCH=${PROF_BENCH:-bulk crr rr}
PROF_PATHS=${PROF_PATHS:-loopback virtio}
PROF_FREQ=${PROF_FREQ:-99}
PROF_METHOD=${PROF_METHOD:-perf}
PROF_SLEEP=86399	# perf's command, killed after each benchmark

# prof_one FN STACK PATH DST NS: FN STACK DST NS under perf record
prof_one() {
	local f=/tmp/profile-$1-$3-$2.data out=$XTCP_RESULTS/bench
	# perf records until its command ends, here a sleep killed after the
	# benchmark: a signal to perf would end it before it writes its
	# header (SIGTERM), or not at all (a script's background job ignores
	# SIGINT); not a job of this shell either (the benchmark functions
	# wait for all of theirs); and one exec (a polling loop's execs
	# showed in the profile)
	# (-B -N: no build-id pass at its exit, minutes over 9p under TCG;
	# the samples on the guest's tmpfs, not on the 9p results dir)
	rm -f "$f" "$f.done"
	( (perf record -a -B -N -e cpu-clock -F "$PROF_FREQ" -o "$f" -- \
		sleep $PROF_SLEEP >/dev/null 2>&1
	touch "$f.done") 2>/dev/null &)
	wait_until 10 test -s "$f"
	"$1" "$2" "$4" "$5" >/dev/null
	pkill -x -f "sleep $PROF_SLEEP"
	wait_until 600 test -e "$f.done" ||
		echo "# profile: perf record did not end" >&2
	rm -f "$f.done"
	perf report -i "$f" --stdio --no-children --sort dso,sym \
		--percent-limit 0.1 >"$out/profile-$1-$3-$2.report" 2>/dev/null
	echo "# profile: $1 over $3, $2: $(grep -c . "$out/profile-$1-$3-$2.report") report lines"
	rm -f "$f"
}

# the work one run of FN does, in its unit (bench_core's sizes)
prof_units() {
	case $1 in
	bulk) echo "$BULK bytes" ;;
	crr) echo "$CRR connections" ;;
	rr) echo "$RR transactions" ;;
	*) echo "1 runs" ;;
	esac
}

# PROF_METHOD=insns: each benchmark run between two marks
bench_profile_insns() {
	local out=$XTCP_RESULTS/bench b p s mark
	mkdir -p "$out"
	mark=$(awk '$3 == "__x64_sys_sync" { print $1; exit }' /proc/kallsyms)
	case $mark in "" | *[!0]*) ;; *) mark="" ;; esac
	[ -n "$mark" ] || { echo "# profile: no address for __x64_sys_sync in /proc/kallsyms"; return 1; }
	echo "$mark" >"$out/insns-mark"
	# nothing has called sync(2) yet, so its code is translated, and the
	# mark hooked, only after the plugin (polling as it translates) has
	# read the file
	sleep 2
	echo "setup" >"$out/insns-windows"
	sync
	for p in $PROF_PATHS; do
		case $p in
		virtio) set -- 10.0.0.2 a ;;
		*) set -- 127.0.0.1 b ;;
		esac
		for b in $PROF_BENCH; do
			for s in xtcp tcp; do
				"$b" "$s" "$@" >/dev/null
				sync
				echo "$b $p $s $(prof_units "$b")" >>"$out/insns-windows"
			done
		done
	done
	cp /proc/kallsyms "$out/insns-kallsyms"
	echo "# profile: $(($(wc -l <"$out/insns-windows") - 1)) windows marked"
}

bench_profile() {
	local b p
	if [ "$PROF_METHOD" = insns ]; then
		bench_profile_insns
		return
	fi
	command -v perf >/dev/null || { echo "# profile: no perf in the guest (linux-perf)"; return 0; }
	for p in $PROF_PATHS; do
		for b in $PROF_BENCH; do
			case $p in
			virtio) set -- 10.0.0.2 a ;;
			*) set -- 127.0.0.1 b ;;
			esac
			prof_one "$b" xtcp "$p" "$@"
			prof_one "$b" tcp "$p" "$@"
		done
	done
}
