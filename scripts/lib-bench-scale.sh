# shellcheck shell=bash
# Sourced by guest-bench.sh (inside the guest, after two_hosts a b and with
# xtcp.ko loaded): the scale series. For each N of SCALE_CONNS, N idle
# connections from a to b are held open (scripts/xtcp-hold.py; XTCP's
# through tools/xtcp-run), XTCP then Linux TCP, and measured:
#  - memory per connection: the growth of /proc/meminfo's Slab divided by
#    N (both ends live in this guest: two sockets, two files, two inodes
#    per connection, the same for both stacks), N >= 100 only;
#  - connect+request+close per second (SCALE_CRR connections) with the N
#    connections open beside them (issue 10: flat from 1 to 10000).
# Also the size of one socket object: /proc/slabinfo's XTCP and TCP caches.
# Env: SCALE_CONNS ("1 100 1000 10000"; the series takes about 90 s
#      under TCG), SCALE_CRR (300)

SCALE_CONNS=${SCALE_CONNS:-1 100 1000 10000}
SCALE_CRR=${SCALE_CRR:-300}
HOLD=$here/xtcp-hold.py

slab_kb() { awk '/^Slab:/ { print $2 }' /proc/meminfo; }
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

# scale_one F N: prints "bytes-per-connection crr-rate" (n/a when unknown)
scale_one() {
	local f=$1 n=$2 s0 s1 mem=n/a rate
	settle
	s0=$(slab_kb)
	if ! hold_open "$f" "$n"; then
		hold_close
		echo "n/a 0"
		return
	fi
	settle
	s1=$(slab_kb)
	[ "$n" -ge 100 ] && mem=$(((s1 - s0) * 1024 / n))
	rate=$(CRR=$SCALE_CRR crr "$f" 10.0.0.2 a)
	hold_close
	echo "$mem ${rate:-0}"
}

bench_scale() {
	local n x t
	SW=$(mktemp -d)
	echo "# scale: idle connections a->b held open (SCALE_CONNS $SCALE_CONNS), crr $SCALE_CRR x 64B/64B beside them"
	for n in $SCALE_CONNS; do
		read -r -a x <<<"$(scale_one xtcp "$n")"
		read -r -a t <<<"$(scale_one tcp "$n")"
		[ "$n" -ge 100 ] &&
			row "$n idle: memory/conn (bytes of Slab)" "${x[0]}" "${t[0]}" \
				"$(pratio "$(num "${x[0]}")" "$(num "${t[0]}")")"
		row "$n idle: conn+req+close (conn/s)" "${x[1]}" "${t[1]}" \
			"$(pratio "${x[1]}" "${t[1]}")"
	done
	# both caches exist once a socket of each was made above
	local xo to
	xo=$(objsize XTCP) to=$(objsize TCP)
	row "socket object (slabinfo objsize, bytes)" "${xo:-n/a}" "${to:-n/a}" \
		"$(pratio "${xo:-0}" "${to:-0}")"
	rm -rf "$SW"
}
