// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp_xfer: client/server transfer tool for XTCP and Linux TCP.
 *
 * Data is a deterministic pseudo-random stream (xorshift64*, --seed); the
 * receiver hashes what it gets (FNV-1a 64) and both sides print
 * "bytes=N hash=H" so a script can compare them.
 *
 *   xtcp_xfer server -f xtcp|tcp -b ADDR -p PORT [-n CONNS] [--mode M]
 *       M: normal  read to EOF, print bytes/hash, close
 *          reply   read to EOF, send back "bytes=N hash=H\n", close
 *                  (same as --shutdown-after-recv)
 *          echo    send back everything, close after EOF
 *          crr     read --req bytes, send --resp bytes, wait EOF, close
 *          rr      (read --req bytes, send --resp bytes) until EOF, close
 *          abort   read --abort-after bytes then close with SO_LINGER 0
 *       [--hold MS] wait before closing each connection
 *       [--ready-file F] write the port there once listening
 *       [--rcvbuf N] SO_RCVBUF on the listener (the connections inherit it)
 *       [--expect-error E[,E..]] every connection must end in one of these
 *
 *   xtcp_xfer client -f xtcp|tcp -a ADDR -p PORT -s SIZE [--mode M] [-n N]
 *       M: normal     send SIZE bytes, close
 *          halfclose  send, shutdown(SHUT_WR), read the server's reply
 *                     (server --mode reply) and check it matches
 *          linger0    send SIZE bytes, close with SO_LINGER {1,0} (RST)
 *          rst-mid    send SIZE/2 bytes, then abort as linger0
 *          echo       send and read back concurrently, compare
 *          crr        N x (connect, send --req, read --resp, close): rate
 *          connect-only  same as crr with --req 0 --resp 0
 *          rr         one connection, N x (send --req, read --resp): the
 *                     request/response (transaction) rate
 *          concurrent N parallel halfclose transfers of SIZE bytes each
 *       [--seed S] [--hold MS] [--bind ADDR] [--info] [--expect-error E]
 *       [--wsize N] bytes per write() (default and at most 64 KB)
 *       [--more] send(MSG_MORE) every write of the stream but the last
 *       [--go-file F] connect, then wait until F exists before sending
 *                  (a transfer established before a test's event begins)
 *       [--cork] TCP_CORK before a halfclose send: a request of at most
 *                  one MSS leaves with the FIN in one segment, as a
 *                  request/response client's; every segment before the
 *                  reply then carries the ISN + 1 a SYN cookie is checked by
 *       [--sendfile] the stream goes into a memfd first, then sendfile()
 *                  to the socket (splice into the socket: page references)
 *       [--tos N] IP_TOS (IPV6_TCLASS for IPv6) before connecting
 *   both: [--mark N] SO_MARK, [--priority N] SO_PRIORITY on the client
 *         socket before connect(), on the listener before listen()
 *         (its SYN-ACKs and the accepted sockets carry them)
 *   common: [-t SECONDS] overall timeout (default 120), [-q] quiet
 * Exit: 0 success, 1 failure, 2 usage, 3 timeout.
 */
#include "xtcp_tools.h"

#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/sendfile.h>

#define BUFSZ (64 * 1024)

static int fam = -1;		/* AF_XTCP or 0 (Linux TCP) */
static const char *addr_s;
static int port = -1;
static uint64_t size;
static uint64_t seed = 1;
static int nconns = 1;
static const char *mode = "normal";
static int hold_ms;
static int timeout_s = 120;
static int quiet;
static const char *ready_file;
static const char *go_file;	/* --go-file: connect, then wait for it */
static const char *expect_err;
static const char *bind_s;
static uint64_t abort_after;
static int req_sz = 1, resp_sz = 1;
static int want_info;
static int tos = -1;		/* --tos: IP_TOS / IPV6_TCLASS, -1 none */
static int mark = -1;		/* --mark: SO_MARK, -1 none */
static int prio = -1;		/* --priority: SO_PRIORITY, -1 none */
static int backlog = 128;
static size_t wsize = BUFSZ;	/* bytes per write(), --wsize */
static int more;		/* --more: MSG_MORE but on the last write */
static int cork;		/* --cork: TCP_CORK before a halfclose send */
static int use_sendfile;	/* --sendfile: from a memfd */
static int rcvbuf;		/* --rcvbuf: the server's SO_RCVBUF */

static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;

static void out(const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&out_lock);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fflush(stdout);
	pthread_mutex_unlock(&out_lock);
}

static void on_alarm(int sig)
{
	static const char m[] = "error=TIMEOUT\n";

	(void)sig;
	if (write(1, m, sizeof(m) - 1) < 0)
		_exit(3);
	_exit(3);
}

static int err_expected(int e)
{
	char buf[256], *tok, *save;

	if (!expect_err)
		return 0;
	snprintf(buf, sizeof(buf), "%s", expect_err);
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save))
		if (!strcmp(tok, ename(e)))
			return 1;
	return 0;
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static int set_linger0(int fd)
{
	struct linger l = { 1, 0 };

	return setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
}

/* send all of b with send(2) flags fl (MSG_NOSIGNAL added) */
static int send_all(int fd, const unsigned char *b, size_t n, int fl)
{
	while (n) {
		ssize_t r = send(fd, b, n, MSG_NOSIGNAL | fl);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		b += r;
		n -= r;
	}
	return 0;
}

static int write_all(int fd, const unsigned char *b, size_t n)
{
	return send_all(fd, b, n, 0);
}

/* --sendfile: len bytes of stream st into a memfd, then sendfile() */
static int sendfile_stream(int fd, struct stream *st, uint64_t len,
			   uint64_t *h, uint64_t *sent)
{
	static __thread unsigned char buf[BUFSZ];
	int mfd = memfd_create("xtcp_xfer", MFD_CLOEXEC), e = 0;
	uint64_t left = len;
	off_t off = 0;

	if (mfd < 0)
		return -errno;
	while (left) {
		size_t n = left > BUFSZ ? BUFSZ : left;

		stream_fill(st, buf, n);
		*h = fnv1a(*h, buf, n);
		if (write(mfd, buf, n) != (ssize_t)n) {
			e = -EIO;
			goto out;
		}
		left -= n;
	}
	while ((uint64_t)off < len) {
		ssize_t r = sendfile(fd, mfd, &off, len - off);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			e = r < 0 ? -errno : -EIO;
			goto out;
		}
		*sent += r;
	}
out:
	close(mfd);
	return e;
}

/* send len bytes of stream st, updating *h */
static int send_stream(int fd, struct stream *st, uint64_t len, uint64_t *h,
		       uint64_t *sent)
{
	static __thread unsigned char buf[BUFSZ];

	if (use_sendfile)
		return sendfile_stream(fd, st, len, h, sent);
	while (len) {
		size_t n = len > wsize ? wsize : len;
		int e;

		stream_fill(st, buf, n);
		*h = fnv1a(*h, buf, n);
		/* --more: MSG_MORE on every write but the last */
		e = send_all(fd, buf, n, more && len > n ? MSG_MORE : 0);
		if (e)
			return e;
		*sent += n;
		len -= n;
	}
	return 0;
}

/* read until EOF (or max bytes if max), hashing; returns 0 or -errno */
static int recv_hash(int fd, uint64_t max, uint64_t *bytes, uint64_t *h)
{
	static __thread unsigned char buf[BUFSZ];

	for (;;) {
		size_t want = BUFSZ;
		ssize_t r;

		if (max) {
			if (*bytes >= max)
				return 0;
			if (max - *bytes < want)
				want = max - *bytes;
		}
		r = recv(fd, buf, want, 0);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (r == 0)
			return 0;
		*h = fnv1a(*h, buf, r);
		*bytes += r;
	}
}

static void print_info(int fd, const char *who)
{
	struct xtcp_info xi;
	socklen_t l = sizeof(xi);
	int rb = 0, sb = 0;

	if (!want_info)
		return;
	/* the buffers autotuning reached (both families) */
	l = sizeof(rb);
	getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rb, &l);
	l = sizeof(sb);
	getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sb, &l);
	out("%s buf rcvbuf=%d sndbuf=%d\n", who, rb, sb);
	/* TCP_INFO's options (both families): TCPI_OPT_ECN, _ECN_SEEN */
	{
		struct tcp_info ti;

		memset(&ti, 0, sizeof(ti));
		l = sizeof(ti);
		if (!getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &l))
			out("%s tcpinfo options=%u\n", who, ti.tcpi_options);
	}
	l = sizeof(xi);
	if (fam != AF_XTCP)
		return;
	memset(&xi, 0, sizeof(xi));
	if (getsockopt(fd, SOL_XTCP, XTCP_INFO, &xi, &l) < 0) {
		out("%s info error=%s\n", who, ename(errno));
		return;
	}
	out("%s info state=%u snd_mss=%u rcv_mss=%u retransmits=%u rto_ms=%u "
	    "bytes_sent=%llu bytes_acked=%llu bytes_received=%llu\n", who,
	    xi.state, xi.snd_mss, xi.rcv_mss, xi.retransmits, xi.rto_ms,
	    (unsigned long long)xi.bytes_sent,
	    (unsigned long long)xi.bytes_acked,
	    (unsigned long long)xi.bytes_received);
}

/* ---------------- server ---------------- */

struct sconn {
	int fd;
	int idx;
	int result;		/* 0 ok, 1 failed */
};

/* write @n zero bytes */
static int write_zeros(int fd, int n)
{
	static const unsigned char buf[4096];
	int e = 0;

	while (!e && n > 0) {
		int k = n > (int)sizeof(buf) ? (int)sizeof(buf) : n;

		e = write_all(fd, buf, k);
		n -= k;
	}
	return e;
}

/* server --mode rr: answer each --req bytes with --resp bytes until EOF */
static int serve_rr(int fd, uint64_t *bytes, uint64_t *h)
{
	for (;;) {
		uint64_t b = 0;
		int e = recv_hash(fd, req_sz, &b, h);

		if (e)
			return e;
		*bytes += b;
		if (!b)
			return 0;	/* EOF between requests */
		if (b < (uint64_t)req_sz)
			return -EPROTO;
		e = write_zeros(fd, resp_sz);
		if (e)
			return e;
	}
}

static void *serve_conn(void *arg)
{
	struct sconn *c = arg;
	uint64_t bytes = 0, h = FNV_INIT;
	int e = 0;
	char line[128];

	if (!strcmp(mode, "normal") || !strcmp(mode, "reply")) {
		e = recv_hash(c->fd, 0, &bytes, &h);
		print_info(c->fd, "server");
		if (!e && !strcmp(mode, "reply")) {
			int n = snprintf(line, sizeof(line),
					 "bytes=%" PRIu64 " hash=%016" PRIx64 "\n",
					 bytes, h);
			e = write_all(c->fd, (unsigned char *)line, n);
			if (!e)
				shutdown(c->fd, SHUT_WR);
		}
	} else if (!strcmp(mode, "echo")) {
		static __thread unsigned char buf[BUFSZ];

		for (;;) {
			ssize_t r = recv(c->fd, buf, sizeof(buf), 0);

			if (r < 0 && errno == EINTR)
				continue;
			if (r < 0) {
				e = -errno;
				break;
			}
			if (r == 0) {
				print_info(c->fd, "server");
				shutdown(c->fd, SHUT_WR);
				break;
			}
			h = fnv1a(h, buf, r);
			bytes += r;
			e = write_all(c->fd, buf, r);
			if (e)
				break;
		}
	} else if (!strcmp(mode, "crr")) {
		uint64_t dummy = FNV_INIT;

		e = recv_hash(c->fd, req_sz, &bytes, &h);
		if (!e && bytes < (uint64_t)req_sz)
			e = -EPROTO;
		if (!e)
			e = write_zeros(c->fd, resp_sz);
		if (!e) {
			uint64_t extra = 0;

			e = recv_hash(c->fd, 0, &extra, &dummy);
		}
	} else if (!strcmp(mode, "rr")) {
		e = serve_rr(c->fd, &bytes, &h);
	} else if (!strcmp(mode, "abort")) {
		e = recv_hash(c->fd, abort_after, &bytes, &h);
		if (!e) {
			if (hold_ms)
				sleep_ms(hold_ms);
			set_linger0(c->fd);
		}
	}
	if (hold_ms && strcmp(mode, "abort"))
		sleep_ms(hold_ms);
	close(c->fd);

	if (e)
		c->result = !err_expected(-e);
	else
		c->result = expect_err ? 1 : 0;
	if (strcmp(mode, "crr") || e) {
		if (!quiet || e)
			out("conn=%d bytes=%" PRIu64 " hash=%016" PRIx64 "%s%s\n",
			    c->idx, bytes, h, e ? " error=" : "",
			    e ? ename(-e) : "");
	}
	return NULL;
}

/* --mark / --priority: SO_MARK and SO_PRIORITY, 0 or -errno */
static int set_sol_opts(int fd)
{
	if (mark >= 0 &&
	    setsockopt(fd, SOL_SOCKET, SO_MARK, &mark, sizeof(mark)) < 0)
		return -errno;
	if (prio >= 0 &&
	    setsockopt(fd, SOL_SOCKET, SO_PRIORITY, &prio, sizeof(prio)) < 0)
		return -errno;
	return 0;
}

static int run_server(void)
{
	struct sockaddr_storage ss;
	socklen_t sl = parse_addr(addr_s, port, &ss);
	int lfd, one = 1, failed = 0;
	pthread_t *th;
	struct sconn *cs;

	if (!sl) {
		fprintf(stderr, "bad address %s\n", addr_s);
		return 2;
	}
	lfd = stream_socket(fam, ss.ss_family, 0);
	if (lfd < 0) {
		out("error=%s op=socket\n", ename(errno));
		return 1;
	}
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (set_sol_opts(lfd) < 0) {
		out("error=%s op=setsockopt\n", ename(errno));
		return 1;
	}
	if (rcvbuf &&
	    setsockopt(lfd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf))) {
		out("error=%s op=setsockopt\n", ename(errno));
		return 1;
	}
	if (bind(lfd, (struct sockaddr *)&ss, sl) < 0) {
		out("error=%s op=bind\n", ename(errno));
		return 1;
	}
	if (listen(lfd, backlog) < 0) {
		out("error=%s op=listen\n", ename(errno));
		return 1;
	}
	sl = sizeof(ss);
	if (getsockname(lfd, (struct sockaddr *)&ss, &sl) < 0) {
		out("error=%s op=getsockname\n", ename(errno));
		return 1;
	}
	if (!quiet || !port)
		out("listening port=%d\n", sa_port(&ss));
	if (ready_file) {
		char tmp[4096];
		FILE *f;

		snprintf(tmp, sizeof(tmp), "%s.tmp", ready_file);
		f = fopen(tmp, "w");
		if (!f || fprintf(f, "%d\n", sa_port(&ss)) < 0 || fclose(f) ||
		    rename(tmp, ready_file)) {
			perror("ready-file");
			return 1;
		}
	}
	th = calloc(nconns ? nconns : 1, sizeof(*th));
	cs = calloc(nconns ? nconns : 1, sizeof(*cs));
	for (int i = 0; !nconns || i < nconns; i++) {
		int fd, slot = nconns ? i : 0;

		fd = accept(lfd, NULL, NULL);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED) {
				i--;
				continue;
			}
			out("error=%s op=accept\n", ename(errno));
			return 1;
		}
		cs[slot].fd = fd;
		cs[slot].idx = i;
		if (!nconns) {
			serve_conn(&cs[0]);
			continue;
		}
		if (pthread_create(&th[i], NULL, serve_conn, &cs[i])) {
			out("error=pthread_create\n");
			return 1;
		}
	}
	for (int i = 0; i < nconns; i++) {
		pthread_join(th[i], NULL);
		failed += cs[i].result;
	}
	close(lfd);
	out("server conns=%d failed=%d\n", nconns, failed);
	return failed ? 1 : 0;
}

/* ---------------- client ---------------- */

static int set_tos(int fd, int family)
{
	if (family == AF_INET6)
		return setsockopt(fd, IPPROTO_IPV6, IPV6_TCLASS, &tos,
				  sizeof(tos));
	return setsockopt(fd, IPPROTO_IP, IP_TOS, &tos, sizeof(tos));
}

static int do_connect(int *fdp)
{
	struct sockaddr_storage ss, bs;
	socklen_t sl = parse_addr(addr_s, port, &ss), bl;
	int fd;

	if (!sl) {
		fprintf(stderr, "bad address %s\n", addr_s);
		exit(2);
	}
	fd = stream_socket(fam, ss.ss_family, 0);
	if (fd < 0)
		return -errno;
	/* IP_TOS / IPV6_TCLASS (the kernel keeps the ECN bits its own),
	 * before connect() so that the SYN carries it too
	 */
	if ((tos >= 0 && set_tos(fd, ss.ss_family) < 0) ||
	    set_sol_opts(fd) < 0) {
		int e = errno;

		close(fd);
		return -e;
	}
	if (bind_s) {
		bl = parse_addr(bind_s, 0, &bs);
		if (!bl || bind(fd, (struct sockaddr *)&bs, bl) < 0) {
			int e = errno;

			close(fd);
			return -e;
		}
	}
	while (connect(fd, (struct sockaddr *)&ss, sl) < 0) {
		int e = errno;

		if (e == EINTR)
			continue;
		close(fd);
		return -e;
	}
	*fdp = fd;
	return 0;
}

static int client_fail(const char *op, int e)
{
	out("error=%s op=%s\n", ename(e), op);
	return err_expected(e) ? 0 : 1;
}

/* halfclose transfer on connection index i; returns 0 or -errno/-EPROTO */
static int halfclose_one(int fd, uint64_t sd, uint64_t len, int verbose)
{
	struct stream st;
	uint64_t h = FNV_INIT, sent = 0, rb = 0, rh = 0;
	char line[256];
	size_t got = 0;
	int e, one = 1;

	stream_init(&st, sd);
	if (cork && setsockopt(fd, IPPROTO_TCP, TCP_CORK, &one, sizeof(one)) < 0)
		return -errno;
	e = send_stream(fd, &st, len, &h, &sent);
	if (e)
		return e;
	if (shutdown(fd, SHUT_WR) < 0)
		return -errno;
	for (;;) {
		ssize_t r = recv(fd, line + got, sizeof(line) - 1 - got, 0);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			break;
		got += r;
		if (got >= sizeof(line) - 1)
			return -EPROTO;
	}
	line[got] = 0;
	if (sscanf(line, "bytes=%" SCNu64 " hash=%" SCNx64, &rb, &rh) != 2)
		return -EPROTO;
	if (verbose)
		out("bytes=%" PRIu64 " hash=%016" PRIx64 " reply_bytes=%" PRIu64
		    " reply_hash=%016" PRIx64 " match=%s\n", sent, h, rb, rh,
		    rb == sent && rh == h ? "yes" : "no");
	return rb == sent && rh == h ? 0 : -EPROTO;
}

struct cconn {
	int idx;
	int err;
};

static void *concurrent_one(void *arg)
{
	struct cconn *c = arg;
	int fd;

	c->err = do_connect(&fd);
	if (c->err)
		return NULL;
	c->err = halfclose_one(fd, seed + c->idx, size, 0);
	if (hold_ms)
		sleep_ms(hold_ms);
	close(fd);
	return NULL;
}

/* client --mode rr: nconns transactions on one connection, then EOF */
static int run_rr(void)
{
	uint64_t extra = 0, dummy = FNV_INIT;
	double t0, dt;
	int fd, e, okt = 0;

	if (req_sz <= 0 || resp_sz <= 0) {
		fprintf(stderr, "rr needs --req and --resp > 0\n");
		return 2;
	}
	e = do_connect(&fd);
	if (e)
		return client_fail("connect", -e);
	t0 = now_s();
	for (int i = 0; i < nconns; i++) {
		uint64_t rb = 0, rh = FNV_INIT;

		e = write_zeros(fd, req_sz);
		if (!e)
			e = recv_hash(fd, resp_sz, &rb, &rh);
		if (!e && rb != (uint64_t)resp_sz)
			e = -EPROTO;
		if (e)
			break;
		okt++;
	}
	dt = now_s() - t0;
	if (!e) {
		shutdown(fd, SHUT_WR);
		e = recv_hash(fd, 0, &extra, &dummy);
		if (!e && extra)
			e = -EPROTO;	/* nothing unasked for */
	}
	close(fd);
	if (e)
		return client_fail("rr", -e);
	out("trans=%d ok=%d elapsed=%.3f rate=%.1f/s\n", nconns, okt, dt,
	    dt > 0 ? okt / dt : 0.0);
	return okt == nconns ? 0 : 1;
}

static int run_client(void)
{
	struct stream st;
	uint64_t h = FNV_INIT, sent = 0;
	int fd, e;

	if (!strcmp(mode, "crr") || !strcmp(mode, "connect-only")) {
		double t0 = now_s(), dt;
		int okc = 0;

		if (!strcmp(mode, "connect-only"))
			req_sz = resp_sz = 0;
		for (int i = 0; i < nconns; i++) {
			uint64_t rb = 0, rh = FNV_INIT;

			e = do_connect(&fd);
			if (e)
				return client_fail("connect", -e);
			e = write_zeros(fd, req_sz);
			if (!e)
				e = recv_hash(fd, resp_sz, &rb, &rh);
			if (!e && rb != (uint64_t)resp_sz)
				e = -EPROTO;
			close(fd);
			if (e)
				return client_fail("crr", -e);
			okc++;
		}
		dt = now_s() - t0;
		out("conns=%d ok=%d elapsed=%.3f rate=%.1f/s\n", nconns, okc,
		    dt, dt > 0 ? okc / dt : 0.0);
		return okc == nconns ? 0 : 1;
	}
	if (!strcmp(mode, "rr"))
		return run_rr();
	if (!strcmp(mode, "concurrent")) {
		pthread_t *th = calloc(nconns, sizeof(*th));
		struct cconn *cc = calloc(nconns, sizeof(*cc));
		double t0 = now_s();
		int okc = 0;

		for (int i = 0; i < nconns; i++) {
			cc[i].idx = i;
			if (pthread_create(&th[i], NULL, concurrent_one, &cc[i])) {
				out("error=pthread_create\n");
				return 1;
			}
		}
		for (int i = 0; i < nconns; i++) {
			pthread_join(th[i], NULL);
			if (!cc[i].err)
				okc++;
			else
				out("conn=%d error=%s\n", i, ename(-cc[i].err));
		}
		out("conns=%d ok=%d failed=%d elapsed=%.3f\n", nconns, okc,
		    nconns - okc, now_s() - t0);
		return okc == nconns ? 0 : 1;
	}

	e = do_connect(&fd);
	if (e)
		return client_fail("connect", -e);
	/* the overall timeout (SIGALRM) bounds the wait */
	while (go_file && access(go_file, F_OK))
		sleep_ms(10);
	stream_init(&st, seed);

	if (!strcmp(mode, "halfclose")) {
		e = halfclose_one(fd, seed, size, 1);
		print_info(fd, "client");
		if (hold_ms)
			sleep_ms(hold_ms);
		close(fd);
		if (e)
			return client_fail("halfclose", -e);
		return expect_err ? 1 : 0;
	}
	if (!strcmp(mode, "echo")) {
		static unsigned char sbuf[BUFSZ], rbuf[BUFSZ];
		uint64_t rh = FNV_INIT, rcvd = 0, toSend = size;
		size_t soff = 0, slen = 0;
		int wdone = 0;

		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
		for (;;) {
			struct pollfd p = { fd, POLLIN, 0 };
			ssize_t r;

			if (!wdone)
				p.events |= POLLOUT;
			if (poll(&p, 1, -1) < 0) {
				if (errno == EINTR)
					continue;
				return client_fail("poll", errno);
			}
			if (!wdone && (p.revents & POLLOUT)) {
				if (soff == slen && toSend) {
					slen = toSend > BUFSZ ? BUFSZ : toSend;
					stream_fill(&st, sbuf, slen);
					h = fnv1a(h, sbuf, slen);
					toSend -= slen;
					soff = 0;
				}
				if (soff < slen) {
					r = send(fd, sbuf + soff, slen - soff,
						 MSG_NOSIGNAL);
					if (r < 0 && errno != EAGAIN &&
					    errno != EINTR)
						return client_fail("send", errno);
					if (r > 0) {
						soff += r;
						sent += r;
					}
				}
				if (soff == slen && !toSend) {
					shutdown(fd, SHUT_WR);
					wdone = 1;
				}
			}
			if (p.revents & (POLLIN | POLLHUP | POLLERR)) {
				r = recv(fd, rbuf, sizeof(rbuf), 0);
				if (r < 0 && errno != EAGAIN && errno != EINTR)
					return client_fail("recv", errno);
				if (r == 0)
					break;
				if (r > 0) {
					rh = fnv1a(rh, rbuf, r);
					rcvd += r;
				}
			}
		}
		print_info(fd, "client");
		close(fd);
		out("bytes=%" PRIu64 " hash=%016" PRIx64 " echo_bytes=%" PRIu64
		    " echo_hash=%016" PRIx64 " match=%s\n", sent, h, rcvd, rh,
		    rcvd == sent && rh == h ? "yes" : "no");
		return rcvd == sent && rh == h && wdone ? 0 : 1;
	}

	/* normal, linger0, rst-mid */
	{
		uint64_t len = size;

		if (!strcmp(mode, "rst-mid"))
			len = size / 2;
		else if (strcmp(mode, "normal") && strcmp(mode, "linger0")) {
			fprintf(stderr, "unknown mode %s\n", mode);
			return 2;
		}
		e = send_stream(fd, &st, len, &h, &sent);
		if (e) {
			close(fd);
			out("bytes=%" PRIu64 " error=%s op=send\n", sent,
			    ename(-e));
			return err_expected(-e) ? 0 : 1;
		}
		print_info(fd, "client");
		if (hold_ms)
			sleep_ms(hold_ms);
		if (strcmp(mode, "normal") && set_linger0(fd) < 0)
			return client_fail("setsockopt", errno);
		close(fd);
		out("bytes=%" PRIu64 " hash=%016" PRIx64 "\n", sent, h);
		return expect_err ? 1 : 0;
	}
}

static uint64_t parse_size(const char *s)
{
	char *end;
	double v = strtod(s, &end);

	switch (*end) {
	case 'k': case 'K': v *= 1024; break;
	case 'm': case 'M': v *= 1024 * 1024; break;
	case 'g': case 'G': v *= 1024.0 * 1024 * 1024; break;
	case 0: break;
	default:
		fprintf(stderr, "bad size %s\n", s);
		exit(2);
	}
	return (uint64_t)v;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: xtcp_xfer server -f xtcp|tcp -b ADDR -p PORT [-n CONNS] "
		"[--mode normal|reply|echo|crr|abort] [--shutdown-after-recv]\n"
		"         [--abort-after N] [--hold MS] [--ready-file F] "
		"[--expect-error E,..] [--req N --resp N] [--wsize N] [--rcvbuf N]\n"
		"         [--mark N] [--priority N] [-t S] [-q]\n"
		"       xtcp_xfer client -f xtcp|tcp -a ADDR -p PORT -s SIZE "
		"[--mode normal|halfclose|linger0|rst-mid|echo|crr|connect-only|"
		"concurrent]\n"
		"         [-n N] [--seed S] [--hold MS] [--bind ADDR] [--info] "
		"[--expect-error E,..] [--req N --resp N] [--wsize N] [--more] [--cork] [--go-file F] [--sendfile] [--tos N]\n"
		"         [--mark N] [--priority N] [-t S] [-q]\n"
		"       xtcp_xfer hash -s SIZE [--seed S]   (expected bytes/hash)\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "mode", 1, 0, 'm' }, { "hold", 1, 0, 'H' },
		{ "ready-file", 1, 0, 'R' }, { "expect-error", 1, 0, 'E' },
		{ "seed", 1, 0, 'S' }, { "bind", 1, 0, 'B' },
		{ "abort-after", 1, 0, 'A' }, { "req", 1, 0, 'r' },
		{ "resp", 1, 0, 'o' }, { "info", 0, 0, 'i' },
		{ "shutdown-after-recv", 0, 0, 'x' }, { "backlog", 1, 0, 'L' },
		{ "wsize", 1, 0, 'W' }, { "more", 0, 0, 'M' }, { "cork", 0, 0, 'C' },
		{ "go-file", 1, 0, 'G' },
		{ "rcvbuf", 1, 0, 'V' }, { "sendfile", 0, 0, 'F' },
		{ "tos", 1, 0, 'T' }, { "mark", 1, 0, 'K' },
		{ "priority", 1, 0, 'P' },
		{ 0, 0, 0, 0 } };
	const char *role;
	int c;

	if (argc < 2)
		usage();
	role = argv[1];
	optind = 2;
	while ((c = getopt_long(argc, argv, "f:a:b:p:s:n:t:q", lo, NULL)) != -1) {
		switch (c) {
		case 'f': fam = parse_family(optarg); break;
		case 'a': case 'b': addr_s = optarg; break;
		case 'p': port = atoi(optarg); break;
		case 's': size = parse_size(optarg); break;
		case 'n': nconns = atoi(optarg); break;
		case 't': timeout_s = atoi(optarg); break;
		case 'q': quiet = 1; break;
		case 'm': mode = optarg; break;
		case 'H': hold_ms = atoi(optarg); break;
		case 'R': ready_file = optarg; break;
		case 'E': expect_err = optarg; break;
		case 'S': seed = strtoull(optarg, NULL, 0); break;
		case 'B': bind_s = optarg; break;
		case 'A': abort_after = parse_size(optarg); break;
		case 'r': req_sz = atoi(optarg); break;
		case 'o': resp_sz = atoi(optarg); break;
		case 'i': want_info = 1; break;
		case 'x': mode = "reply"; break;
		case 'L': backlog = atoi(optarg); break;
		case 'M': more = 1; break;
		case 'C': cork = 1; break;
		case 'G': go_file = optarg; break;
		case 'F': use_sendfile = 1; break;
		case 'V': rcvbuf = parse_size(optarg); break;
		case 'T': tos = strtol(optarg, NULL, 0); break;
		case 'K': mark = strtol(optarg, NULL, 0); break;
		case 'P': prio = strtol(optarg, NULL, 0); break;
		case 'W':
			wsize = parse_size(optarg);
			if (!wsize || wsize > BUFSZ)
				usage();
			break;
		default: usage();
		}
	}
	if (!strcmp(role, "hash")) {
		struct stream st;
		unsigned char buf[BUFSZ];
		uint64_t h = FNV_INIT, left = size;

		stream_init(&st, seed);
		while (left) {
			size_t n = left > BUFSZ ? BUFSZ : left;

			stream_fill(&st, buf, n);
			h = fnv1a(h, buf, n);
			left -= n;
		}
		printf("bytes=%" PRIu64 " hash=%016" PRIx64 "\n", size, h);
		return 0;
	}
	if (fam < 0 || !addr_s || port < 0)
		usage();
	signal(SIGPIPE, SIG_IGN);
	signal(SIGALRM, on_alarm);
	if (timeout_s > 0)
		alarm(timeout_s);
	if (!strcmp(role, "server"))
		return run_server();
	if (!strcmp(role, "client"))
		return run_client();
	usage();
	return 2;
}
