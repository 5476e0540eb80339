// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp_life: connection-lifecycle test roles for XTCP and Linux TCP, one
 * per teardown scenario of RFC 9293 §3.6. Each prints one "key=value" line
 * per connection for the guest script to check.
 *
 *   xtcp_life linger -f F -a ADDR -p PORT [-l SECS] [-s BYTES]
 *       connect, send BYTES (default 1000), set SO_LINGER {1, SECS} (none
 *       without -l), close(); prints close_ms=, the time close() blocked
 *   xtcp_life serve -f F -b ADDR -p PORT [-n CONNS]
 *                   (--first | --hold MS | --hold-until FILE) [-s BYTES]
 *       --first: send BYTES and close at once (this side ends in TIME-WAIT)
 *       --hold:  read to EOF, keep the socket open MS more, then close
 *       --hold-until: read to EOF, keep the socket open until FILE exists
 *   xtcp_life reconnect -f F -a ADDR -p PORT -P LPORT [-n N] [-g GAP_MS]
 *       N times: SO_REUSEADDR, bind LPORT, connect, read to EOF, close,
 *       sleep GAP_MS; prints bytes= and the connect result of each
 *   xtcp_life simclose -f F (-b ADDR | -a ADDR) -p PORT
 *                      (--at EPOCH_MS | --at-file FILE)
 *       accept (-b) or connect (-a), print "connected", then at
 *       CLOCK_REALTIME EPOCH_MS (or the EPOCH_MS written to FILE, waited
 *       for; 0: at once) shutdown(SHUT_WR), read to EOF, close: run one
 *       on each host with a path delay (or the FINs held back until both
 *       are sent) and the two FINs cross (simultaneous close)
 *   common: [-t SECONDS] overall timeout (default 60)
 * Exit: 0 success, 1 failure, 2 usage, 3 timeout.
 */
#include "xtcp_tools.h"

#include <getopt.h>
#include <signal.h>

static int fam = -1;
static const char *addr_s;
static int port = -1, lport, nconns = 1, gap_ms, hold_ms = -1, linger_s = -1;
static int first;
static long bytes = 1000;
static long long at_ms = -1;
static const char *at_file, *hold_file;
static int listen_side;

static void on_alarm(int sig)
{
	(void)sig;
	printf("error=timeout\n");
	fflush(stdout);
	_exit(3);
}

static double ms_since(double t0)
{
	return (now_s() - t0) * 1000;
}

/* wait (bounded by the overall alarm) until path exists: the script's go */
static void wait_for_file(const char *path)
{
	while (access(path, F_OK))
		usleep(10000);
}

static int fail(const char *what)
{
	printf("error=%s (%s)\n", ename(errno), what);
	return 1;
}

static int send_bytes(int fd, long n)
{
	char buf[4096];

	memset(buf, 'x', sizeof(buf));
	while (n > 0) {
		size_t len = n > (long)sizeof(buf) ? sizeof(buf) : (size_t)n;
		ssize_t w = write(fd, buf, len);

		if (w <= 0)
			return -1;
		n -= w;
	}
	return 0;
}

/* read to EOF: bytes read, or -1 with errno */
static long drain(int fd)
{
	char buf[4096];
	long total = 0;
	ssize_t r;

	while ((r = read(fd, buf, sizeof(buf))) > 0)
		total += r;
	return r < 0 ? -1 : total;
}

static int connect_to(struct sockaddr_storage *ss, socklen_t sl, int bport)
{
	int fd = stream_socket(fam, ss->ss_family, 0), one = 1;

	if (fd < 0)
		return -1;
	if (bport) {
		struct sockaddr_storage bs;
		socklen_t bl;

		memset(&bs, 0, sizeof(bs));
		bs.ss_family = ss->ss_family;
		bl = ss->ss_family == AF_INET ? sizeof(struct sockaddr_in) :
			sizeof(struct sockaddr_in6);
		if (ss->ss_family == AF_INET)
			((struct sockaddr_in *)&bs)->sin_port = htons(bport);
		else
			((struct sockaddr_in6 *)&bs)->sin6_port = htons(bport);
		if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
		    bind(fd, (struct sockaddr *)&bs, bl))
			goto err;
	}
	if (connect(fd, (struct sockaddr *)ss, sl))
		goto err;
	return fd;
err:
	{
		int e = errno;

		close(fd);
		errno = e;
	}
	return -1;
}

static int listen_on(struct sockaddr_storage *ss, socklen_t sl)
{
	int fd = stream_socket(fam, ss->ss_family, 0), one = 1;

	if (fd < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, (struct sockaddr *)ss, sl) || listen(fd, 16))
		return -1;
	return fd;
}

static int run_linger(struct sockaddr_storage *ss, socklen_t sl)
{
	struct linger l = { .l_onoff = 1, .l_linger = linger_s };
	double t0;
	int fd, rc;

	fd = connect_to(ss, sl, 0);
	if (fd < 0)
		return fail("connect");
	if (send_bytes(fd, bytes))
		return fail("write");
	if (linger_s >= 0 &&
	    setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l)))
		return fail("SO_LINGER");
	t0 = now_s();
	rc = close(fd);
	printf("close_ms=%.0f rc=%d error=%s\n", ms_since(t0), rc,
	       ename(rc ? errno : 0));
	return rc ? 1 : 0;
}

static int run_serve(struct sockaddr_storage *ss, socklen_t sl)
{
	int lfd = listen_on(ss, sl), i, bad = 0;

	if (lfd < 0)
		return fail("listen");
	printf("listening\n");
	fflush(stdout);
	for (i = 0; i < nconns; i++) {
		int fd = accept(lfd, NULL, NULL);
		long got = 0;

		if (fd < 0)
			return fail("accept");
		if (first) {
			if (send_bytes(fd, bytes))
				return fail("write");
		} else {
			got = drain(fd);
			if (got < 0)
				return fail("read");
			if (hold_file)
				wait_for_file(hold_file);
			else
				usleep(hold_ms * 1000);
		}
		if (close(fd))
			bad = 1;
		printf("conn=%d got=%ld closed\n", i, got);
		fflush(stdout);
	}
	close(lfd);
	return bad;
}

static int run_reconnect(struct sockaddr_storage *ss, socklen_t sl)
{
	int i, bad = 0;

	for (i = 0; i < nconns; i++) {
		int fd = connect_to(ss, sl, lport);
		long got;

		if (fd < 0) {
			printf("conn=%d connect=%s\n", i, ename(errno));
			bad = 1;
			continue;
		}
		got = drain(fd);
		printf("conn=%d connect=OK bytes=%ld%s\n", i, got,
		       got < 0 ? " read-error" : "");
		fflush(stdout);
		if (got != bytes)
			bad = 1;
		close(fd);
		if (i + 1 < nconns)
			usleep(gap_ms * 1000);
	}
	return bad;
}

static long long realtime_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static int run_simclose(struct sockaddr_storage *ss, socklen_t sl)
{
	long long wait;
	long got;
	int fd;

	if (listen_side) {
		int lfd = listen_on(ss, sl);

		if (lfd < 0)
			return fail("listen");
		fd = accept(lfd, NULL, NULL);
		close(lfd);
		if (fd < 0)
			return fail("accept");
	} else {
		double t0 = now_s();

		/* the listener may not be up yet */
		while ((fd = connect_to(ss, sl, 0)) < 0) {
			if (errno != ECONNREFUSED || now_s() - t0 > 60)
				return fail("connect");
			usleep(50000);
		}
	}
	printf("connected\n");
	if (at_file) {
		FILE *f;

		/* written atomically (rename) by the script once both are up */
		wait_for_file(at_file);
		f = fopen(at_file, "r");
		if (!f || fscanf(f, "%lld", &at_ms) != 1)
			return fail("at-file");
		fclose(f);
	}
	/* 0: at once (the script holds the FINs back itself) */
	if (!at_ms)
		at_ms = realtime_ms();
	wait = at_ms - realtime_ms();
	if (wait < 0 && !at_file) {
		printf("error=late by %lld ms\n", -wait);
		return 1;
	}
	/* with --at-file, whether the FINs crossed is for the states to say */
	if (wait < 0)
		printf("late_ms=%lld\n", -wait);
	else
		usleep(wait * 1000);
	if (shutdown(fd, SHUT_WR))
		return fail("shutdown");
	got = drain(fd);
	if (got < 0)
		return fail("read");
	printf("eof_after_ms=%lld bytes=%ld\n", realtime_ms() - at_ms, got);
	return close(fd) ? fail("close") : 0;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: xtcp_life linger|serve|reconnect|simclose -f xtcp|tcp\n"
		"       (-a ADDR | -b ADDR) -p PORT [-l SECS] [-s BYTES] [-n N]\n"
		"       [-P LPORT] [-g GAP_MS] [--first | --hold MS |\n"
		"       --hold-until FILE] [--at MS | --at-file FILE]\n"
		"       [-t SECONDS]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "first", 0, 0, 'F' }, { "hold", 1, 0, 'H' },
		{ "at", 1, 0, 'T' }, { "at-file", 1, 0, 'A' },
		{ "hold-until", 1, 0, 'U' }, { 0, 0, 0, 0 } };
	struct sockaddr_storage ss;
	const char *role;
	int timeout_s = 60, c;
	socklen_t sl;

	if (argc < 2)
		usage();
	role = argv[1];
	optind = 2;
	while ((c = getopt_long(argc, argv, "f:a:b:p:P:l:s:n:g:t:", lo,
				NULL)) != -1) {
		switch (c) {
		case 'f': fam = parse_family(optarg); break;
		case 'a': addr_s = optarg; break;
		case 'b': addr_s = optarg; listen_side = 1; break;
		case 'p': port = atoi(optarg); break;
		case 'P': lport = atoi(optarg); break;
		case 'l': linger_s = atoi(optarg); break;
		case 's': bytes = atol(optarg); break;
		case 'n': nconns = atoi(optarg); break;
		case 'g': gap_ms = atoi(optarg); break;
		case 't': timeout_s = atoi(optarg); break;
		case 'F': first = 1; break;
		case 'H': hold_ms = atoi(optarg); break;
		case 'T': at_ms = atoll(optarg); break;
		case 'A': at_file = optarg; break;
		case 'U': hold_file = optarg; break;
		default: usage();
		}
	}
	if (fam < 0 || !addr_s || port < 0)
		usage();
	sl = parse_addr(addr_s, port, &ss);
	if (!sl)
		usage();
	signal(SIGPIPE, SIG_IGN);
	signal(SIGALRM, on_alarm);
	alarm(timeout_s);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(role, "linger"))
		return run_linger(&ss, sl);
	if (!strcmp(role, "serve") && listen_side &&
	    (first || hold_ms >= 0 || hold_file))
		return run_serve(&ss, sl);
	if (!strcmp(role, "reconnect") && lport)
		return run_reconnect(&ss, sl);
	if (!strcmp(role, "simclose") && (at_ms >= 0 || at_file))
		return run_simclose(&ss, sl);
	usage();
	return 2;
}
