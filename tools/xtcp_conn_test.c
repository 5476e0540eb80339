// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp_conn_test: connection set-up and readiness semantics, TAP output.
 *
 * usage: xtcp_conn_test [-f xtcp|tcp] [-l xtcp|tcp] -a ADDR
 *                       [--refused-port P] [--timeout-addr ADDR
 *                       --timeout-max S]
 *   -f  family of the connecting side (default xtcp)
 *   -l  family of the listening side (default: same as -f)
 *   -a  local address both use (127.0.0.1, ::1, or a NIC address)
 *   --timeout-addr  an address whose SYNs are dropped: blocking connect
 *       must fail ETIMEDOUT within --timeout-max seconds (set a small
 *       syn_retries first), a non-blocking one must stay pending.
 *
 * Checks: ECONNREFUSED (blocking and non-blocking + SO_ERROR), non-blocking
 * connect (EINPROGRESS, POLLOUT, SO_ERROR 0), accept4(SOCK_NONBLOCK|
 * SOCK_CLOEXEC), non-blocking accept EAGAIN, poll and epoll readiness for
 * readable / writable / EOF.
 */
#include "xtcp_tools.h"

#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <sys/epoll.h>

static int cfam = AF_XTCP, lfam = -1;
static const char *addr = "127.0.0.1";

static int res(int r)
{
	return r < 0 ? errno : 0;
}

static int sock_err(int fd)
{
	int e = -1;
	socklen_t l = sizeof(e);

	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &l) < 0)
		return -errno;
	return e;
}

/*
 * Bound of a wait for an event that must come (a handshake, data, a FIN on
 * loopback): generous, as a slow guest only makes it come later. Waits for
 * an event that must NOT come stay short: there slowness can only hide a
 * failure, not cause one.
 */
#define EV_MS 30000

/* poll one fd for events for up to ms; returns revents */
static int pwait(int fd, short ev, int ms)
{
	struct pollfd p = { fd, ev, 0 };
	double end = now_s() + ms / 1000.0;

	for (;;) {
		int left = (int)((end - now_s()) * 1000);
		int r = poll(&p, 1, left > 0 ? left : 0);

		if (r < 0 && errno == EINTR)
			continue;
		return r > 0 ? p.revents : 0;
	}
}

static void evstr(int ev, char *b, size_t n)
{
	snprintf(b, n, "%s%s%s%s%s%s", ev & POLLIN ? "IN|" : "",
		 ev & POLLOUT ? "OUT|" : "", ev & POLLERR ? "ERR|" : "",
		 ev & POLLHUP ? "HUP|" : "", ev & POLLRDHUP ? "RDHUP|" : "",
		 ev ? "" : "none");
}

/* a port with no listener on either stack a moment ago */
static int unused_port(void)
{
	struct sockaddr_storage ss;
	socklen_t l = parse_addr(addr, 0, &ss);
	int fd = socket(ss.ss_family, SOCK_STREAM, 0), p;

	bind(fd, (struct sockaddr *)&ss, l);
	l = sizeof(ss);
	getsockname(fd, (struct sockaddr *)&ss, &l);
	p = sa_port(&ss);
	close(fd);
	return p;
}

static void test_refused(int port)
{
	struct sockaddr_storage ss;
	socklen_t l = parse_addr(addr, port, &ss);
	int fd, r, ev, e;
	char eb[64];

	fd = stream_socket(cfam, ss.ss_family, 0);
	r = res(connect(fd, (struct sockaddr *)&ss, l));
	tap(r == ECONNREFUSED, "blocking connect to %s port %d without "
	    "listener: %s (want ECONNREFUSED)", addr, port, ename(r));
	close(fd);

	fd = stream_socket(cfam, ss.ss_family, SOCK_NONBLOCK);
	r = res(connect(fd, (struct sockaddr *)&ss, l));
	ev = pwait(fd, POLLOUT, EV_MS);
	e = sock_err(fd);
	evstr(ev, eb, sizeof(eb));
	/* POLLERR, not always POLLOUT: a Linux TCP client's poll can run
	 * between tcp_done_with_error()'s setting sk_err and its tcp_done()
	 * (seen once on the debug kernel: "poll ERR|"); it wakes either way
	 */
	tap((r == EINPROGRESS || r == ECONNREFUSED) &&
	    (r == ECONNREFUSED || ((ev & POLLERR) && e == ECONNREFUSED)),
	    "non-blocking connect refused: connect %s, poll %s, SO_ERROR %s",
	    ename(r), eb, ename(e));
	close(fd);
}

static void test_timeout(const char *taddr, double tmax)
{
	struct sockaddr_storage ss;
	socklen_t l = parse_addr(taddr, 9, &ss);
	int fd, r, ev;
	double t0;
	char eb[64];

	if (!l) {
		tap(0, "bad --timeout-addr %s", taddr);
		return;
	}
	fd = stream_socket(cfam, ss.ss_family, SOCK_NONBLOCK);
	r = res(connect(fd, (struct sockaddr *)&ss, l));
	ev = pwait(fd, POLLOUT | POLLIN, 1000);
	evstr(ev, eb, sizeof(eb));
	tap(r == EINPROGRESS && !ev, "non-blocking connect to dropping %s: "
	    "%s, still pending after 1 s (poll %s)", taddr, ename(r), eb);
	close(fd);

	fd = stream_socket(cfam, ss.ss_family, 0);
	t0 = now_s();
	r = res(connect(fd, (struct sockaddr *)&ss, l));
	t0 = now_s() - t0;
	tap(r == ETIMEDOUT && t0 <= tmax, "blocking connect to dropping %s: "
	    "%s after %.1f s (want ETIMEDOUT within %.0f s)", taddr,
	    ename(r), t0, tmax);
	close(fd);
}

static void test_nonblock(void)
{
	struct sockaddr_storage ss, cs, ps;
	socklen_t l = parse_addr(addr, 0, &ss), cl, pl;
	int lfd, cfd, afd = -1, r, ev, e, fl, fdf, ep;
	char eb[64], buf[16];
	struct epoll_event ee, got[4];

	lfd = stream_socket(lfam, ss.ss_family, 0);
	r = lfd < 0 ? errno : res(bind(lfd, (struct sockaddr *)&ss, l));
	if (!r)
		r = res(listen(lfd, 8));
	tap(!r, "listener (%s) on %s: %s", lfam == AF_XTCP ? "xtcp" : "tcp",
	    addr, ename(r));
	if (r)
		return;
	l = sizeof(ss);
	getsockname(lfd, (struct sockaddr *)&ss, &l);
	fcntl(lfd, F_SETFL, fcntl(lfd, F_GETFL) | O_NONBLOCK);

	r = res(accept(lfd, NULL, NULL));
	tap(r == EAGAIN, "non-blocking accept with empty queue: %s "
	    "(want EAGAIN)", ename(r));
	ev = pwait(lfd, POLLIN, 0);
	evstr(ev, eb, sizeof(eb));
	tap(!(ev & POLLIN), "listener not readable before a connection "
	    "(poll %s)", eb);

	cfd = stream_socket(cfam, ss.ss_family, SOCK_NONBLOCK);
	r = res(connect(cfd, (struct sockaddr *)&ss, l));
	tap(r == EINPROGRESS || r == 0, "non-blocking connect: %s "
	    "(want EINPROGRESS)", ename(r));
	ev = pwait(cfd, POLLOUT, EV_MS);
	e = sock_err(cfd);
	evstr(ev, eb, sizeof(eb));
	tap((ev & POLLOUT) && !(ev & (POLLERR | POLLHUP)) && !e,
	    "connect completes: poll %s, SO_ERROR %s", eb, ename(e));

	ev = pwait(lfd, POLLIN, EV_MS);
	evstr(ev, eb, sizeof(eb));
	tap(ev & POLLIN, "listener readable with a pending connection "
	    "(poll %s)", eb);

	afd = accept4(lfd, (struct sockaddr *)&ps, &(socklen_t){ sizeof(ps) },
		      SOCK_NONBLOCK | SOCK_CLOEXEC);
	r = res(afd);
	fl = afd >= 0 ? fcntl(afd, F_GETFL) : 0;
	fdf = afd >= 0 ? fcntl(afd, F_GETFD) : 0;
	tap(afd >= 0 && (fl & O_NONBLOCK) && (fdf & FD_CLOEXEC),
	    "accept4(SOCK_NONBLOCK|SOCK_CLOEXEC): %s, O_NONBLOCK=%d "
	    "FD_CLOEXEC=%d", ename(r), !!(fl & O_NONBLOCK), !!(fdf & FD_CLOEXEC));
	if (afd < 0) {
		close(cfd);
		close(lfd);
		return;
	}
	cl = sizeof(cs);
	getsockname(cfd, (struct sockaddr *)&cs, &cl);
	tap(sa_port(&cs) == sa_port(&ps) && sa_port(&cs) > 0,
	    "accepted peer port %d == client local port %d", sa_port(&ps),
	    sa_port(&cs));
	pl = sizeof(ps);
	r = res(getpeername(cfd, (struct sockaddr *)&ps, &pl));
	tap(!r && sa_port(&ps) == sa_port(&ss),
	    "client getpeername port %d == listener port %d (%s)",
	    sa_port(&ps), sa_port(&ss), ename(r));

	r = res(recv(afd, buf, sizeof(buf), 0));
	tap(r == EAGAIN, "non-blocking recv without data: %s (want EAGAIN)",
	    ename(r));
	ev = pwait(afd, POLLIN | POLLOUT | POLLRDHUP, 0);
	evstr(ev, eb, sizeof(eb));
	tap(ev == POLLOUT, "accepted socket: writable, not readable "
	    "(poll %s)", eb);

	ep = epoll_create1(EPOLL_CLOEXEC);
	ee.events = EPOLLIN | EPOLLRDHUP;
	ee.data.fd = afd;
	epoll_ctl(ep, EPOLL_CTL_ADD, afd, &ee);
	r = epoll_wait(ep, got, 4, 0);
	tap(r == 0, "epoll: no EPOLLIN before data (%d events)", r);

	r = res(send(cfd, "hello", 5, MSG_NOSIGNAL));
	ev = pwait(afd, POLLIN, EV_MS);
	evstr(ev, eb, sizeof(eb));
	tap(!r && (ev & POLLIN), "readable after peer sent 5 bytes (poll %s)",
	    eb);
	r = epoll_wait(ep, got, 4, EV_MS);
	tap(r == 1 && (got[0].events & EPOLLIN) &&
	    !(got[0].events & EPOLLRDHUP), "epoll: EPOLLIN, no EPOLLRDHUP "
	    "(%d events, %#x)", r, r > 0 ? got[0].events : 0);
	memset(buf, 0, sizeof(buf));
	r = recv(afd, buf, sizeof(buf), 0);
	tap(r == 5 && !memcmp(buf, "hello", 5), "recv got the 5 bytes (%d)", r);

	shutdown(cfd, SHUT_WR);
	r = epoll_wait(ep, got, 4, EV_MS);
	tap(r == 1 && (got[0].events & EPOLLIN) &&
	    (got[0].events & EPOLLRDHUP), "epoll after peer SHUT_WR: "
	    "EPOLLIN|EPOLLRDHUP (%d events, %#x)", r, r > 0 ? got[0].events : 0);
	r = recv(afd, buf, sizeof(buf), 0);
	tap(r == 0, "recv returns 0 (EOF) after peer SHUT_WR (%d %s)", r,
	    ename(r < 0 ? errno : 0));
	ev = pwait(afd, POLLOUT, 0);
	tap(ev & POLLOUT, "half-closed socket still writable");
	r = res(send(afd, "bye", 3, MSG_NOSIGNAL));
	ev = pwait(cfd, POLLIN, EV_MS);
	memset(buf, 0, sizeof(buf));
	tap(!r && (ev & POLLIN) && recv(cfd, buf, sizeof(buf), 0) == 3 &&
	    !memcmp(buf, "bye", 3), "data flows back after half-close (%s)",
	    ename(r));

	close(afd);
	ev = pwait(cfd, POLLIN | POLLRDHUP, EV_MS);
	evstr(ev, eb, sizeof(eb));
	r = recv(cfd, buf, sizeof(buf), 0);
	tap((ev & POLLIN) && (ev & POLLRDHUP) && (ev & POLLHUP) && r == 0,
	    "client after both sides closed: poll %s (want IN|HUP|RDHUP), "
	    "recv %d", eb, r);
	close(ep);
	close(cfd);
	close(lfd);
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "refused-port", 1, 0, 'r' }, { "timeout-addr", 1, 0, 'T' },
		{ "timeout-max", 1, 0, 'M' }, { 0, 0, 0, 0 } };
	const char *taddr = NULL;
	double tmax = 30;
	int c, rport = 0;

	while ((c = getopt_long(argc, argv, "f:l:a:", lo, NULL)) != -1) {
		switch (c) {
		case 'f': cfam = parse_family(optarg); break;
		case 'l': lfam = parse_family(optarg); break;
		case 'a': addr = optarg; break;
		case 'r': rport = atoi(optarg); break;
		case 'T': taddr = optarg; break;
		case 'M': tmax = atof(optarg); break;
		default:
			fprintf(stderr, "usage: xtcp_conn_test [-f xtcp|tcp] "
				"[-l xtcp|tcp] -a ADDR [--refused-port P] "
				"[--timeout-addr A --timeout-max S]\n");
			return 2;
		}
	}
	if (lfam < 0)
		lfam = cfam;
	{
		struct sockaddr_storage ss;

		if (!parse_addr(addr, 0, &ss)) {
			fprintf(stderr, "bad address %s\n", addr);
			return 2;
		}
	}
	tap_diag("connector %s, listener %s, address %s",
		 cfam == AF_XTCP ? "xtcp" : "tcp",
		 lfam == AF_XTCP ? "xtcp" : "tcp", addr);
	test_refused(rport ? rport : unused_port());
	test_nonblock();
	if (taddr)
		test_timeout(taddr, tmax);
	printf("1..%d\n", tap_n);
	printf("# %d passed, %d failed\n", tap_n - tap_fail, tap_fail);
	return tap_fail ? 1 : 0;
}
