# shellcheck shell=bash
# Sourced by guest-bench.sh (inside the guest, after two_hosts a b and with
# xtcp.ko loaded): the scale series. For each N of SCALE_CONNS, N idle
# connections from a to b are held open (scripts/xtcp-hold.py; XTCP's
# through tools/xtcp-run), XTCP and Linux TCP in turn, and measured:
#  - memory per connection, N >= 100 only (both ends live in this guest:
#    two sockets, two files, two inodes per connection, the same for both
#    stacks), two ways:
#    - the bytes of the slab objects the connections hold: the growth of
#      /proc/slabinfo's active objects times their size, summed over the
#      caches. Objects freed by the stack measured before are reused, not
#      counted, so this does not depend on which stack goes first;
#    - the growth of /proc/meminfo's Slab (pages): the stack measured
#      second reuses the partly empty slabs the first one left, so the two
#      take turns going first (XTCP first at the 1st, 3rd.. N);
#  - connect+request+close per second (SCALE_CRR connections, the median
#    of SCALE_REPS runs) with the N connections open beside them (issue
#    10: flat from 1 to 10000).
# Also the size of one socket object: /proc/slabinfo's XTCP and TCP caches.
# Env: SCALE_CONNS ("1 100 1000 10000"; the series took 4-7 minutes
#      under TCG on a busy host), SCALE_CRR (300), SCALE_REPS (3)

SCALE_CONNS=${SCALE_CONNS:-1 100 1000 10000}
SCALE_CRR=${SCALE_CRR:-300}
SCALE_REPS=${SCALE_REPS:-3}
HOLD=$here/xtcp-hold.py

slab_kb() { awk '/^Slab:/ { print $2 }' /proc/meminfo; }
# bytes of the active objects of every slab cache (slabinfo 2.1: name
# active_objs num_objs objsize ...)
slab_obj_bytes() { awk 'NR > 2 { s += $2 * $4 } END { printf "%d\n", s }' /proc/slabinfo; }
objsize() { awk -v n="$1" '$1 == n { print $4 }' /proc/slabinfo; }
num() { case $1 in '' | *[!0-9.]*) echo 0 ;; *) echo "$1" ;; esac; }
settle() { sync; echo 2 >/proc/sys/vm/drop_caches; sleep 1; }

# hold_open F N: N connections of F (xtcp|tcp) open from a to b (their
# pids in HOLD_PIDS); non-zero if they did not all open within 600 s
hold_open() {
	local f=$1 n=$2 run=() _
	[ "$f" = xtcp ] && run=("$root/tools/xtcp-run")
	PORT=$((PORT + 1))
	rm -f "$SW"/srv* "$SW"/cli*
	"$NSX" b "${run[@]}" /usr/bin/python3 "$HOLD" server 10.0.0.2 \
		$PORT "$n" "$SW/srv" >"$SW/srv.log" 2>&1 &
	HOLD_PIDS=$!
	for _ in $(seq 600); do [ -e "$SW/srv.listen" ] && break; sleep 0.1; done
	"$NSX" a "${run[@]}" /usr/bin/python3 "$HOLD" client 10.0.0.2 \
		$PORT "$n" "$SW/cli" >"$SW/cli.log" 2>&1 &
	HOLD_PIDS="$HOLD_PIDS $!"
	for _ in $(seq 6000); do
		[ -s "$SW/srv" ] && [ -s "$SW/cli" ] && return 0
		sleep 0.1
	done
	echo "# $f: $n connections did not open: $(tail -1 "$SW/cli.log")" >&2
	return 1
}
hold_close() {
	# shellcheck disable=SC2086
	kill $HOLD_PIDS 2>/dev/null
	# shellcheck disable=SC2086
	wait $HOLD_PIDS 2>/dev/null
}

# scale_one F N: prints "object-bytes-per-connection
# meminfo-bytes-per-connection crr-rate" (n/a when unknown)
scale_one() {
	local f=$1 n=$2 s0 s1 o0 o1 mem=n/a obj=n/a rate
	settle
	s0=$(slab_kb) o0=$(slab_obj_bytes)
	if ! hold_open "$f" "$n"; then
		hold_close
		echo "n/a n/a 0"
		return
	fi
	settle
	s1=$(slab_kb) o1=$(slab_obj_bytes)
	if [ "$n" -ge 100 ]; then
		mem=$(((s1 - s0) * 1024 / n))
		obj=$(((o1 - o0) / n))
	fi
	rate=$(for _ in $(seq "$SCALE_REPS"); do
		CRR=$SCALE_CRR crr "$f" 10.0.0.2 a
	done | median)
	hold_close
	echo "$obj $mem ${rate:-0}"
}

bench_scale() {
	SERIES=scale
	local n x t
	SW=$(mktemp -d)
	echo "# scale: idle connections a->b held open (SCALE_CONNS $SCALE_CONNS), crr $SCALE_CRR x 64B/64B beside them (median of $SCALE_REPS)"
	local i=0
	for n in $SCALE_CONNS; do
		if [ $((i % 2)) = 0 ]; then
			read -r -a x <<<"$(scale_one xtcp "$n")"
			read -r -a t <<<"$(scale_one tcp "$n")"
		else
			read -r -a t <<<"$(scale_one tcp "$n")"
			read -r -a x <<<"$(scale_one xtcp "$n")"
		fi
		i=$((i + 1))
		if [ "$n" -ge 100 ]; then
			drow "$n idle: slab objects/conn (bytes)" "${x[0]}" "${t[0]}" \
				"$(pratio "$(num "${x[0]}")" "$(num "${t[0]}")")"
			drow "$n idle: meminfo Slab/conn (bytes)" "${x[1]}" "${t[1]}" \
				"$(pratio "$(num "${x[1]}")" "$(num "${t[1]}")")"
		fi
		drow "$n idle: conn+req+close (conn/s)" "${x[2]}" "${t[2]}" \
			"$(pratio "${x[2]}" "${t[2]}")"
	done
	# both caches exist once a socket of each was made above
	local xo to
	xo=$(objsize XTCP) to=$(objsize TCP)
	drow "socket object (slabinfo objsize, bytes)" "${xo:-n/a}" "${to:-n/a}" \
		"$(pratio "${xo:-0}" "${to:-0}")"
	rm -rf "$SW"
	SERIES=core
}
