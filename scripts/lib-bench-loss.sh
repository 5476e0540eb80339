# shellcheck shell=bash
# Sourced by guest-bench.sh (inside the guest, after two_hosts a b and with
# xtcp.ko loaded): the loss series. Goodput of one LOSS_BYTES transfer from
# a to b over the NIC path, netem "delay LOSS_DELAY" on both NICs (RTT 2x)
# plus "loss P%" at each P of LOSS_RATES, for four sender->receiver pairs:
# XTCP->XTCP, Linux->Linux, XTCP->Linux, Linux->XTCP; the median of REPS
# runs with min and max, and each pair's ratio to Linux->Linux.
# Goodput = bytes / (server's exit - client's start): the handshake, any
# SYN retransmission and the FIN are inside the time, as a user sees it.
# netem loses wire packets: gso_max_segs 1 on both NICs makes Linux TCP
# hand single segments to the qdisc as XTCP does (a GSO burst of 64 KB
# would be lost or kept as one); LOSS_GSO=1 keeps GSO.
# Writes $XTCP_RESULTS/bench/loss.csv (scripts/bench copies it to
# build/bench/ and plots it).
#
# Env: LOSS_BYTES (2M), LOSS_RATES ("0 1 3"), LOSS_DELAY (10ms), REPS (3),
#      LOSS_GSO (0)

# shellcheck source=lib-loss.sh
. "$here/lib-loss.sh"

LOSS_BYTES=${LOSS_BYTES:-2M}
LOSS_RATES=${LOSS_RATES:-0 1 3}
LOSS_DELAY=${LOSS_DELAY:-10ms}
LOSS_GSO=${LOSS_GSO:-0}
LOSS_PORT=30000

# lb_once S R: Mbit/s of one transfer from stack S in a to R in b (x|t),
# or 0 if it failed (the byte count and hash at both ends must match)
lb_once() {
	local rf so co t0 t1 exp
	LOSS_PORT=$((LOSS_PORT + 1))
	rf=$LW/ready.$LOSS_PORT so=$LW/srv.$LOSS_PORT co=$LW/cli.$LOSS_PORT
	exp=$("$X" hash -s "$LOSS_BYTES")
	"$NSX" b "$X" server -f "$(lb_fam "$2")" -b 10.0.0.2 -p $LOSS_PORT \
		-t 600 --ready-file "$rf" >"$so" 2>&1 &
	local sp=$! i
	for i in $(seq 600); do [ -s "$rf" ] && break; sleep 0.1; done
	t0=$(date +%s%N)
	"$NSX" a "$X" client -f "$(lb_fam "$1")" -a 10.0.0.2 -p $LOSS_PORT \
		-s "$LOSS_BYTES" -t 600 >"$co" 2>&1
	wait $sp
	t1=$(date +%s%N)
	if grep -q "$exp" "$so" && grep -q "$exp" "$co"; then
		echo "scale=2; $(grep -o 'bytes=[0-9]*' "$so" | head -1 | cut -d= -f2) * 8000 / ($t1 - $t0)" | bc
	else
		echo "bench loss: $1->$2 failed: $(tr '\n' ' ' <"$so") / $(tr '\n' ' ' <"$co")" >&2
		echo 0
	fi
}
lb_fam() { [ "$1" = x ] && echo xtcp || echo tcp; }
# lb_stats: "median min max" of the numbers on stdin
lb_stats() {
	sort -n | awk '{ v[NR] = $1 } END {
		m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "%.2f %.2f %.2f\n", m, v[1], v[NR] }'
}
lb_ratio() { awk -v x="$1" -v t="$2" 'BEGIN { if (t > 0) printf "%.2f\n", x / t; else print "n/a" }'; }
lb_name() {
	case $1 in
	xx) echo "XTCP->XTCP" ;; tt) echo "Linux->Linux" ;;
	xt) echo "XTCP->Linux" ;; tx) echo "Linux->XTCP" ;;
	esac
}

bench_loss() {
	local rate p r v med min max tmed csv g1 g2
	LW=$(mktemp -d)
	mkdir -p "$XTCP_RESULTS/bench"
	csv=$XTCP_RESULTS/bench/loss.csv
	echo "kernel,loss_pct,delay,bytes,pair,median_mbps,min_mbps,max_mbps,reps,ratio_to_linux" >"$csv"
	g1=$(ip -n a -d link show "$IF1" | grep -o 'gso_max_segs [0-9]*' | cut -d' ' -f2)
	g2=$(ip -n b -d link show "$IF2" | grep -o 'gso_max_segs [0-9]*' | cut -d' ' -f2)
	if [ "$LOSS_GSO" = 0 ]; then
		gso_segs a "$IF1" 1
		gso_segs b "$IF2" 1
	fi
	echo "# loss series: $LOSS_BYTES a->b over virtio, netem delay $LOSS_DELAY each way + loss, median [min-max] of $REPS, gso_max_segs $([ "$LOSS_GSO" = 0 ] && echo 1 || echo default)"
	printf "%-34s %22s %22s %6s\n" "loss series (Mbit/s)" "this pair" "Linux->Linux" "ratio"
	for rate in $LOSS_RATES; do
		netem_set a "$IF1" delay "$LOSS_DELAY" loss "$rate%" &&
			netem_set b "$IF2" delay "$LOSS_DELAY" loss "$rate%" || return 1
		# the pairs interleaved in each round, so that a slow spell of the
		# host is spread over all of them
		for p in xx tt xt tx; do : >"$LW/$p"; done
		for r in $(seq "$REPS"); do
			for p in xx tt xt tx; do
				lb_once "${p%?}" "${p#?}" >>"$LW/$p"
			done
		done
		read -r tmed _ _ <<<"$(lb_stats <"$LW/tt")"
		for p in xx tt xt tx; do
			read -r med min max <<<"$(lb_stats <"$LW/$p")"
			v=$(lb_ratio "$med" "$tmed")
			echo "$(uname -r),$rate,$LOSS_DELAY,$LOSS_BYTES,$(lb_name $p),$med,$min,$max,$REPS,$v" >>"$csv"
			[ $p = tt ] && continue
			printf "%-34s %22s %22s %6s\n" "loss $rate% $(lb_name $p)" \
				"$med [$min-$max]" "$(grep -h . "$LW/tt" | lb_stats | awk '{ printf "%s [%s-%s]", $1, $2, $3 }')" "$v"
		done
	done
	netem_clear a "$IF1"
	netem_clear b "$IF2"
	gso_segs a "$IF1" "$g1"
	gso_segs b "$IF2" "$g2"
	rm -rf "$LW"
}
