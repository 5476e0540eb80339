# shellcheck shell=bash
# Sourced by guest-programs.sh (after lib-e2e.sh) and guest-bench.sh:
# nginx + curl/wrk, redis-server + redis-benchmark, OpenSSH ssh/scp and
# iperf3 between netns b (server, 10.0.0.2) and a (client), each side on
# XTCP through xtcp-run or on Linux TCP. Servers bind the v4 address: a
# [::] dual-stack listener needs IPv4-mapped support (ports work).
# Needs $RUN, $R, $W, PORT/newport, A/B, wait_for, listening, ok/nok.
# With PROG_BENCH=1 only the helpers are defined.

# srv_start S LOG CMD...: server in netns b (S: x = XTCP, t = Linux TCP),
# waits until PORT listens in the matching /proc file; sets SPID
srv_start() { # a dual-stack [::] listener shows in the IPv6 file
	local s=$1 log=$2 p=/proc/net/tcp
	shift 2
	[ "$s" = x ] && p=/proc/net/xtcp
	ons b "$s" "$@" >"$log" 2>&1 &
	SPID=$!
	wait_for listening b "$PORT" "$p" "${p}6"
}
srv_stop() { kill_tree "$SPID"; }
# ons NS S CMD...: CMD in netns NS, through xtcp-run when S is x
ons() {
	local n=$1 s=$2
	shift 2
	if [ "$s" = x ]; then NS "$n" "$RUN" "$@"; else NS "$n" "$@"; fi
}
# failure detail: the last lines of a log, on one line
logtail() { tail -"${2:-4}" "$1" 2>/dev/null | tr '\n' '|'; }
combo_name() { # S C
	local a=XTCP b=XTCP
	[ "$1" = x ] || a="Linux TCP"
	[ "$2" = x ] || b="Linux TCP"
	echo "$a server <- $b client"
}

# ------------------------------------------------------------- nginx ---
nginx_start() { # S: nginx in b on [::]:PORT (dual-stack, SO_REUSEPORT per
	# worker) serving $W, sendfile on; clients come over IPv4 (v4-mapped)
	local d=$W/nginx.$PORT
	mkdir -p "$d"
	cat >"$d/nginx.conf" <<NGX
user root;
worker_processes 2;
daemon off;
pid $d/nginx.pid;
error_log $d/error.log warn;
events { worker_connections 512; }
http {
	access_log off;
	client_body_temp_path $d/body;
	proxy_temp_path $d/proxy;
	fastcgi_temp_path $d/fastcgi;
	uwsgi_temp_path $d/uwsgi;
	scgi_temp_path $d/scgi;
	sendfile on;
	tcp_nopush on;
	keepalive_requests 1000000;
	server {
		listen [::]:$PORT ipv6only=off reuseport;
		root $W;
	}
}
NGX
	srv_start "$1" "$d/stdout.log" nginx -p "$d" -c "$d/nginx.conf" -e "$d/error.log"
}
# wrk_run C HEADER...: wrk for 2 s on /small; prints its output
wrk_run() {
	local c=$1
	shift
	ons a "$c" timeout 60 wrk -t1 -c8 -d"${WRK_SECS:-1}"s --timeout 10s "$@" \
		"http://10.0.0.2:$PORT/small" 2>&1
}
wrk_ok() { # output: requests done, no socket errors, no bad statuses
	case "$1" in *"Socket errors"* | *"Non-2xx"* | *"unable to connect"*) return 1 ;; esac
	echo "$1" | grep -q '^ *[1-9][0-9]* requests in'
}
wrk_rps() { echo "$1" | awk '/^Requests\/sec:/ { print $2 }'; }

nginx_case() { # S C
	local s=$1 c=$2 name out d
	name="nginx $(combo_name "$s" "$c")"
	newport
	d=$W/nginx.$PORT
	if ! nginx_start "$s"; then
		nok "$name: nginx listening" "$(logtail "$d/error.log") $(logtail "$d/stdout.log")"
		srv_stop
		return
	fi
	rm -f "$W/got"
	if ons a "$c" curl -sS --max-time 150 -o "$W/got" "http://10.0.0.2:$PORT/blob10" \
		2>"$d/curl.log" && cmp -s "$W/blob10" "$W/got"; then
		ok "$name: curl fetches 10 MB byte-exact (sendfile on)"
	else
		nok "$name: curl fetches 10 MB byte-exact (sendfile on)" \
			"$(logtail "$d/curl.log") $(logtail "$d/error.log")"
	fi
	out=$(wrk_run "$c")
	echo "$out" >"$d/wrk-keepalive.log"
	if wrk_ok "$out"; then ok "$name: wrk keep-alive, zero socket errors ($(wrk_rps "$out") req/s)"
	else nok "$name: wrk keep-alive, zero socket errors" "$(logtail "$d/wrk-keepalive.log" 12) $(logtail "$d/error.log")"; fi
	out=$(wrk_run "$c" -H "Connection: close")
	echo "$out" >"$d/wrk-close.log"
	if wrk_ok "$out"; then ok "$name: wrk Connection: close, zero socket errors ($(wrk_rps "$out") req/s)"
	else nok "$name: wrk Connection: close, zero socket errors" "$(logtail "$d/wrk-close.log" 12) $(logtail "$d/error.log")"; fi
	srv_stop
}

# ------------------------------------------------------------- redis ---
redis_start() { # S
	local d=$W/redis.$PORT
	mkdir -p "$d"
	srv_start "$1" "$d/server.log" redis-server --bind 10.0.0.2 --port "$PORT" \
		--save '' --appendonly no --dir "$d" --protected-mode no --daemonize no
}
# redis_bench C N LOG: redis-benchmark -q's output in LOG, unbuffered (a
# run ended by its timeout keeps its progress lines), and the exit status
# as "# exit N". One still running after 90 s (it has no timeout of its
# own: one stalled connection hangs it) gets both ends' sockets with their
# timers and queues, and its stacks, in LOG.hang before its 120 s are up.
redis_bench() {
	local c=$1 n=$2 log=$3 bp i
	(
		ons a "$c" timeout 120 stdbuf -o0 redis-benchmark -h 10.0.0.2 -p "$PORT" \
			-t set,get -n "$n" -c 8 -q >"$log.raw" 2>&1
		echo "# exit $?" >>"$log.raw"
	) &
	bp=$!
	for i in $(seq 900); do
		alive "$bp" || break
		sleep 0.1
	done
	if alive "$bp"; then
		{
			for i in a b; do
				echo "== netns $i: xtcp-ss -tanoim"
				NS "$i" "$T/xtcp-ss" -tanoim -p "$PORT"
			done
			for i in $(pgrep -f "redis-(benchmark|server) .*$PORT"); do
				echo "== $i $(tr '\0' ' ' <"/proc/$i/cmdline")"
				cat "/proc/$i/wchan" "/proc/$i/stack" 2>/dev/null
			done
		} >"$log.hang" 2>&1
	fi
	wait "$bp"
	tr '\r' '\n' <"$log.raw" >"$log"
}
redis_rps() { # output OP
	echo "$1" | awk -v op="$2:" '$1 == op { print $2 }' | tail -1
}
redis_case() { # S C
	local s=$1 c=$2 name out d
	name="redis $(combo_name "$s" "$c")"
	newport
	d=$W/redis.$PORT
	if ! redis_start "$s"; then
		nok "$name: redis-server listening" "$(logtail "$d/server.log")"
		srv_stop
		return
	fi
	redis_bench "$c" 1000 "$d/bench.log"
	out=$(cat "$d/bench.log")
	if [ -n "$(redis_rps "$out" SET)" ] && [ -n "$(redis_rps "$out" GET)" ] &&
		! echo "$out" | grep -qi 'error' && echo "$out" | grep -qx '# exit 0'; then
		ok "$name: redis-benchmark set,get, zero errors (SET $(redis_rps "$out" SET) GET $(redis_rps "$out" GET) req/s)"
	else
		nok "$name: redis-benchmark set,get, zero errors" "$(logtail "$d/bench.log" 6) $(logtail "$d/bench.log.hang" 40) $(logtail "$d/server.log")"
	fi
	srv_stop
}

# ------------------------------------------------------------ iperf3 ---
iperf_start() { # S: iperf3's own dual-stack [::] listener (IPV6_V6ONLY 0)
	local d=$W/iperf.$PORT
	mkdir -p "$d"
	srv_start "$1" "$d/server.log" iperf3 -s -p "$PORT"
}
iperf_run() { # C ARGS...: prints the client's output
	local c=$1
	shift
	ons a "$c" timeout 90 iperf3 -c 10.0.0.2 -p "$PORT" -t "${IPERF_SECS:-1}" -f m "$@" 2>&1
}
iperf_mbps() { # output: receiver's Mbit/s (the SUM line with -P)
	echo "$1" | awk '/receiver/ { r = $(NF - 2) } END { print r }'
}
iperf_case() { # S C
	local s=$1 c=$2 name out d a
	name="iperf3 $(combo_name "$s" "$c")"
	newport
	d=$W/iperf.$PORT
	if ! iperf_start "$s"; then
		nok "$name: iperf3 -s listening" "$(logtail "$d/server.log")"
		srv_stop
		return
	fi
	# -P 4 once, XTCP on both sides (the suite's runtime)
	local flags=("" "-R")
	[ "$s$c" = xx ] && flags+=("-P 4")
	for a in "${flags[@]}"; do
		# shellcheck disable=SC2086
		out=$(iperf_run "$c" $a)
		echo "$out" >"$d/client${a// /}.log"
		if [ -n "$(iperf_mbps "$out")" ] && ! echo "$out" | grep -q 'iperf3: error'; then
			ok "$name: iperf3 ${a:-(no flag)} $(iperf_mbps "$out") Mbit/s"
		else
			nok "$name: iperf3 ${a:-(no flag)}" "$(logtail "$d/client${a// /}.log" 6) $(logtail "$d/server.log")"
		fi
	done
	srv_stop
}

# ----------------------------------------------------------- OpenSSH ---
ssh_setup() {
	SD=$W/ssh
	mkdir -p "$SD" /run/sshd
	ssh-keygen -q -t ed25519 -N '' -f "$SD/hostkey" >/dev/null
	ssh-keygen -q -t ed25519 -N '' -f "$SD/id" >/dev/null
	cp "$SD/id.pub" "$SD/authorized_keys"
}
ssh_case() { # S C
	local s=$1 c=$2 name d out
	name="OpenSSH $(combo_name "$s" "$c")"
	newport
	d=$SD/$PORT
	mkdir -p "$d"
	cat >"$d/sshd_config" <<SSHD
Port $PORT
ListenAddress 10.0.0.2
HostKey $SD/hostkey
PidFile $d/sshd.pid
AuthorizedKeysFile $SD/authorized_keys
PermitRootLogin yes
StrictModes no
UsePAM no
UseDNS no
PasswordAuthentication no
KbdInteractiveAuthentication no
Subsystem sftp internal-sftp
SSHD
	if ! srv_start "$s" "$d/sshd.log" /usr/sbin/sshd -D -e -f "$d/sshd_config"; then
		nok "$name: sshd listening" "$(logtail "$d/sshd.log")"
		srv_stop
		return
	fi
	local o=(-i "$SD/id" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null
		-o BatchMode=yes -o ConnectTimeout=60)
	# shellcheck disable=SC2016
	out=$(ons a "$c" timeout 120 ssh "${o[@]}" -p "$PORT" root@10.0.0.2 'echo ssh-ok-$((6 * 7))' 2>"$d/ssh.log")
	if [ "$out" = ssh-ok-42 ]; then ok "$name: ssh runs a command"
	else nok "$name: ssh runs a command" "got '$out' $(logtail "$d/ssh.log") $(logtail "$d/sshd.log")"; fi
	rm -f "$d/got"
	if ons a "$c" timeout 150 scp -q "${o[@]}" -P "$PORT" "$W/blob10" root@10.0.0.2:"$d/got" \
		2>"$d/scp.log" && cmp -s "$W/blob10" "$d/got"; then
		ok "$name: scp 10 MB byte-exact"
	else
		nok "$name: scp 10 MB byte-exact" "$(logtail "$d/scp.log") $(logtail "$d/sshd.log")"
	fi
	srv_stop
}

# ---------------------------------------------------------------- ss ---
ss_case() { # a listener and an established XTCP connection in iproute2's ss
	local hold out
	newport
	hold='import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
if sys.argv[1] == "s":
    s.bind(("10.0.0.2", int(sys.argv[2]))); s.listen(4); c, _ = s.accept()
else:
    s.connect(("10.0.0.2", int(sys.argv[2])))
time.sleep(60)'
	srv_start x "$W/ss-srv.log" "$PY" -c "$hold" s "$PORT" ||
		{ nok "ss: XTCP listener up" "$(logtail "$W/ss-srv.log")"; srv_stop; return; }
	A "$RUN" "$PY" -c "$hold" c "$PORT" >"$W/ss-cli.log" 2>&1 &
	local cpid=$!
	# shellcheck disable=SC2016
	wait_for NS b awk -v p="$(printf ':%04X' "$PORT")" 'NR > 1 && $4 == "01" && substr($2, length($2) - 4) == p { f = 1 } END { exit !f }' /proc/net/xtcp
	out=$(B env PROC_NET_TCP=/proc/net/xtcp PROC_NET_TCP6=/proc/net/xtcp6 ss -tan 2>&1)
	echo "$out" >"$W/ss.log"
	if echo "$out" | grep -Eq "^LISTEN +0 +[0-9]+ +10\\.0\\.0\\.2:$PORT +0\\.0\\.0\\.0:\\*"; then
		ok "ss -tan (PROC_NET_TCP=/proc/net/xtcp) shows the XTCP listener"
	else nok "ss -tan (PROC_NET_TCP=/proc/net/xtcp) shows the XTCP listener" "$(logtail "$W/ss.log" 8)"; fi
	if echo "$out" | grep -Eq "^ESTAB +[0-9]+ +[0-9]+ +10\\.0\\.0\\.2:$PORT +10\\.0\\.0\\.1:[0-9]+"; then
		ok "ss -tan shows the established XTCP connection"
	else nok "ss -tan shows the established XTCP connection" "$(logtail "$W/ss.log" 8)"; fi
	out=$(B ss -tan 2>&1)
	if ! echo "$out" | grep -q ":$PORT "; then ok "plain ss -tan (Linux TCP) does not list it"
	else nok "plain ss -tan (Linux TCP) does not list it" "$out"; fi
	kill_tree "$cpid"
	srv_stop
}

prog_files() {
	head -c 10000000 /dev/urandom >"$W/blob10"
	head -c 600 /dev/urandom | base64 >"$W/small"
	chmod 755 "$W"
}

if [ "${PROG_BENCH:-0}" != 1 ]; then
	prog_files
	ss_case
	ssh_setup
	for sc in "x x" "x t" "t x"; do
		# shellcheck disable=SC2086
		nginx_case $sc
		# shellcheck disable=SC2086
		redis_case $sc
		# shellcheck disable=SC2086
		iperf_case $sc
		# shellcheck disable=SC2086
		ssh_case $sc
	done
	diag "programs done after $(($(date +%s) - ${t_start:-0})) s"
fi
