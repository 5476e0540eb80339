// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp_ports: one port space with Linux TCP (guest suite "ports").
 *
 *   xtcp_ports matrix -p PORT [-i IFNAME]
 *       bind/listen conflict scenarios (SO_REUSEADDR, SO_REUSEPORT,
 *       wildcard vs specific, IPV6_V6ONLY, SO_BINDTODEVICE) run three
 *       times: Linux TCP then XTCP, XTCP then Linux TCP, and Linux TCP
 *       twice; each mixed answer must equal the Linux-only one. Prints one
 *       line per scenario and "matrix cases=N diffs=N"; exit 1 on a diff.
 *   xtcp_ports bind -f xtcp|tcp -a ADDR -p PORT [-r] [-l] [-w SECONDS]
 *       bind (SO_REUSEADDR with -r), listen with -l, print
 *       "bind=ERRNO listen=ERRNO", then hold the socket -w seconds.
 *   xtcp_ports server -f F -b ADDR -p PORT[,PORT..] [-H] [-t SECONDS]
 *       accept on every port; close each connection at once (the server
 *       closes first, so the client's 4-tuples are free again), or with
 *       -H read to EOF first. Prints "accepted=N" at the end.
 *   xtcp_ports churn -f F -a ADDR -p PORT[,PORT..] -n N [-c PROCS] [-t S]
 *       N x (connect to the next port, read to EOF, close), split over
 *       PROCS processes (default 4). Prints
 *       "ok=N fail=N ports=DISTINCT_LOCAL_PORTS first_error=E".
 *   xtcp_ports hold -f F -a ADDR -p PORT[,PORT..] -n N
 *       N connections open at once; prints "held=N ports=DISTINCT".
 *   xtcp_ports stream -f F -a ADDR -p PORT [-k KBYTES_PER_S] [-t S]
 *       send a known byte pattern at about that rate until SIGTERM (or -t),
 *       then close; prints "lport=P" at once and "sent=N err=E" at the end.
 *   xtcp_ports sink -f F -b ADDR -p PORT [-t S]
 *       accept one connection, read to EOF checking the pattern; prints
 *       "bytes=N bad=N err=E" (bad: bytes that differ from the pattern).
 * Exit: 0 success, 1 failure, 2 usage.
 */
#include "xtcp_tools.h"

#include <getopt.h>
#include <net/if.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>

#define MAXP 16

static int fam = AF_XTCP;
static const char *addr_s;
static int ports[MAXP], nports;
static int count = 1, procs = 4, reuse, do_listen, hold_s, hold_eof, kbps = 1000;
static double tmo = 120;

static void usage(void)
{
	fprintf(stderr,
		"usage: xtcp_ports matrix -p PORT [-i IFNAME]\n"
		"       xtcp_ports bind -f xtcp|tcp -a ADDR -p PORT [-r] [-l] [-w S]\n"
		"       xtcp_ports server -f F -b ADDR -p P[,P..] [-H] [-t S]\n"
		"       xtcp_ports churn|hold -f F -a ADDR -p P[,P..] -n N [-t S]\n");
	exit(2);
}

/* an XTCP (xt) or Linux TCP socket for the address family of @ss */
static int mksock(int xt, int af)
{
	return socket(xt ? AF_XTCP : af, SOCK_STREAM, 0);
}

static int setint(int fd, int level, int opt, int v)
{
	return setsockopt(fd, level, opt, &v, sizeof(v));
}

/* ---------------------------------------------------------- matrix --- */

struct sspec {
	const char *addr;	/* literal */
	int reuseaddr, reuseport;
	int v6only;		/* -1: leave the default */
	int dev;		/* SO_BINDTODEVICE: 0 none, 1 lo, 2 -i IFNAME */
	int listen;
};

struct scen {
	const char *name;
	struct sspec a, b;	/* a first (bound, maybe listening), then b */
	int xt_a, xt_b;		/* may XTCP play this role? (v6 dual-stack: no) */
};

static const char *ifname = "lo";

/* bind (and listen) one socket per spec; returns the fd or -errno of the
 * first step that failed in *err; *lerr is the listen() result
 */
static int spec_open(int xt, const struct sspec *s, int port, int *berr,
		     int *lerr)
{
	struct sockaddr_storage ss;
	socklen_t len = parse_addr(s->addr, port, &ss);
	int fd = mksock(xt, ss.ss_family);

	*berr = *lerr = -1;
	if (fd < 0) {
		*berr = errno;
		return -1;
	}
	if (s->reuseaddr)
		setint(fd, SOL_SOCKET, SO_REUSEADDR, 1);
	if (s->reuseport)
		setint(fd, SOL_SOCKET, SO_REUSEPORT, 1);
	if (s->v6only >= 0 && ss.ss_family == AF_INET6)
		setint(fd, IPPROTO_IPV6, IPV6_V6ONLY, s->v6only);
	if (s->dev) {
		const char *d = s->dev == 1 ? "lo" : ifname;

		if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, d,
			       strlen(d) + 1))
			fprintf(stderr, "SO_BINDTODEVICE %s: %s\n", d,
				strerror(errno));
	}
	*berr = bind(fd, (struct sockaddr *)&ss, len) ? errno : 0;
	if (!*berr && s->listen)
		*lerr = listen(fd, 8) ? errno : 0;
	return fd;
}

/* one ordered pair: outcome of the second socket as "bind/listen" */
static void run_pair(int xa, int xb, const struct scen *sc, int port,
		     char *out, size_t n)
{
	int fa, fb, ba, la, bb, lb;

	fa = spec_open(xa, &sc->a, port, &ba, &la);
	if (ba || (sc->a.listen && la)) {
		snprintf(out, n, "first-failed:%s/%s", ename(ba),
			 la < 0 ? "-" : ename(la));
		if (fa >= 0)
			close(fa);
		return;
	}
	fb = spec_open(xb, &sc->b, port, &bb, &lb);
	snprintf(out, n, "%s/%s", ename(bb), lb < 0 ? "-" : ename(lb));
	if (fb >= 0)
		close(fb);
	close(fa);
}

#define S(addr, ra, rp, v6, dev, l) { addr, ra, rp, v6, dev, l }

static const struct scen scens[] = {
	{ "wildcard listener, wildcard", S("0.0.0.0", 0, 0, -1, 0, 1),
	  S("0.0.0.0", 0, 0, -1, 0, 1), 1, 1 },
	{ "specific listener, wildcard", S("127.0.0.1", 0, 0, -1, 0, 1),
	  S("0.0.0.0", 0, 0, -1, 0, 1), 1, 1 },
	{ "wildcard listener, specific", S("0.0.0.0", 0, 0, -1, 0, 1),
	  S("127.0.0.1", 0, 0, -1, 0, 1), 1, 1 },
	{ "specific listener, other specific", S("127.0.0.1", 0, 0, -1, 0, 1),
	  S("127.0.0.2", 0, 0, -1, 0, 1), 1, 1 },
	{ "bound (no listen), same address", S("127.0.0.1", 0, 0, -1, 0, 0),
	  S("127.0.0.1", 0, 0, -1, 0, 1), 1, 1 },
	{ "SO_REUSEADDR both, first listens", S("127.0.0.1", 1, 0, -1, 0, 1),
	  S("127.0.0.1", 1, 0, -1, 0, 1), 1, 1 },
	{ "SO_REUSEADDR both, first only bound", S("127.0.0.1", 1, 0, -1, 0, 0),
	  S("127.0.0.1", 1, 0, -1, 0, 1), 1, 1 },
	{ "SO_REUSEADDR second only, first bound", S("0.0.0.0", 0, 0, -1, 0, 0),
	  S("0.0.0.0", 1, 0, -1, 0, 0), 1, 1 },
	{ "SO_REUSEPORT both, listeners", S("0.0.0.0", 0, 1, -1, 0, 1),
	  S("0.0.0.0", 0, 1, -1, 0, 1), 1, 1 },
	{ "SO_REUSEPORT second only", S("0.0.0.0", 0, 0, -1, 0, 1),
	  S("0.0.0.0", 0, 1, -1, 0, 1), 1, 1 },
	{ "IPv6 v6only wildcard, IPv4 wildcard", S("::", 0, 0, 1, 0, 1),
	  S("0.0.0.0", 0, 0, -1, 0, 1), 1, 1 },
	{ "IPv4 wildcard, IPv6 v6only wildcard", S("0.0.0.0", 0, 0, -1, 0, 1),
	  S("::", 0, 0, 1, 0, 1), 1, 1 },
	{ "IPv6 dual-stack wildcard, IPv4 wildcard", S("::", 0, 0, 0, 0, 1),
	  S("0.0.0.0", 0, 0, -1, 0, 1), 0, 1 },
	{ "IPv4 wildcard, IPv6 dual-stack wildcard", S("0.0.0.0", 0, 0, -1, 0, 1),
	  S("::", 0, 0, 0, 0, 1), 1, 0 },
	{ "IPv6 listeners, ::1 and ::", S("::1", 0, 0, 1, 0, 1),
	  S("::", 0, 0, 1, 0, 1), 1, 1 },
	{ "SO_BINDTODEVICE lo, other device", S("0.0.0.0", 0, 0, -1, 1, 1),
	  S("0.0.0.0", 0, 0, -1, 2, 1), 1, 1 },
	{ "SO_BINDTODEVICE lo, no device", S("0.0.0.0", 0, 0, -1, 1, 1),
	  S("0.0.0.0", 0, 0, -1, 0, 1), 1, 1 },
	{ "no device, SO_BINDTODEVICE lo", S("0.0.0.0", 0, 0, -1, 0, 1),
	  S("0.0.0.0", 0, 0, -1, 1, 1), 1, 1 },
};

static int matrix(int port)
{
	int cases = 0, diffs = 0;
	size_t i;

	for (i = 0; i < sizeof(scens) / sizeof(scens[0]); i++) {
		const struct scen *sc = &scens[i];
		char ll[64], lx[64], xl[64], xx[64];
		int p = port + (int)i;

		run_pair(0, 0, sc, p, ll, sizeof(ll));
		strcpy(lx, "n/a");
		strcpy(xl, "n/a");
		if (sc->xt_b) {
			run_pair(0, 1, sc, p, lx, sizeof(lx));
			cases++;
			diffs += !!strcmp(lx, ll);
		}
		if (sc->xt_a) {
			run_pair(1, 0, sc, p, xl, sizeof(xl));
			cases++;
			diffs += !!strcmp(xl, ll);
		}
		/* XTCP against itself follows the same rules */
		if (sc->xt_a && sc->xt_b) {
			run_pair(1, 1, sc, p, xx, sizeof(xx));
			cases++;
			diffs += !!strcmp(xx, ll);
		} else {
			strcpy(xx, "n/a");
		}
		printf("%-42s tcp,tcp=%-22s tcp,xtcp=%-22s xtcp,tcp=%-22s xtcp,xtcp=%-22s %s\n",
		       sc->name, ll, lx, xl, xx,
		       (sc->xt_b && strcmp(lx, ll)) ||
		       (sc->xt_a && strcmp(xl, ll)) ||
		       (sc->xt_a && sc->xt_b && strcmp(xx, ll)) ?
		       "DIFF" : "MATCH");
	}
	printf("matrix cases=%d diffs=%d\n", cases, diffs);
	return diffs ? 1 : 0;
}

/* ------------------------------------------------------------ bind --- */

static int do_bind(void)
{
	struct sockaddr_storage ss;
	socklen_t len = parse_addr(addr_s, ports[0], &ss);
	int fd, berr, lerr = -1;

	if (!len)
		usage();
	fd = socket(fam ? fam : ss.ss_family, SOCK_STREAM, 0);
	if (fd < 0) {
		printf("socket=%s\n", ename(errno));
		return 1;
	}
	if (reuse)
		setint(fd, SOL_SOCKET, SO_REUSEADDR, 1);
	if (ss.ss_family == AF_INET6)
		setint(fd, IPPROTO_IPV6, IPV6_V6ONLY, 1);
	berr = bind(fd, (struct sockaddr *)&ss, len) ? errno : 0;
	if (!berr && do_listen)
		lerr = listen(fd, 8) ? errno : 0;
	printf("bind=%s listen=%s\n", ename(berr), lerr < 0 ? "-" : ename(lerr));
	fflush(stdout);
	if (hold_s)
		sleep(hold_s);
	close(fd);
	return 0;
}

/* ---------------------------------------------------------- server --- */

static volatile sig_atomic_t stop;

static void on_sig(int s)
{
	(void)s;
	stop = 1;
}

static int server(void)
{
	struct pollfd pf[MAXP];
	long accepted = 0;
	double end = now_s() + tmo;
	char buf[4096];
	int i;

	signal(SIGTERM, on_sig);
	signal(SIGINT, on_sig);
	for (i = 0; i < nports; i++) {
		struct sockaddr_storage ss;
		socklen_t len = parse_addr(addr_s, ports[i], &ss);

		pf[i].fd = socket(fam ? fam : ss.ss_family, SOCK_STREAM, 0);
		pf[i].events = POLLIN;
		setint(pf[i].fd, SOL_SOCKET, SO_REUSEADDR, 1);
		if (pf[i].fd < 0 || bind(pf[i].fd, (struct sockaddr *)&ss, len) ||
		    listen(pf[i].fd, 512)) {
			perror("server");
			return 1;
		}
	}
	printf("listening\n");
	fflush(stdout);
	while (!stop && now_s() < end) {
		if (poll(pf, nports, 200) <= 0)
			continue;
		for (i = 0; i < nports; i++) {
			int c;

			if (!(pf[i].revents & POLLIN))
				continue;
			c = accept(pf[i].fd, NULL, NULL);
			if (c < 0)
				continue;
			accepted++;
			if (hold_eof)
				while (read(c, buf, sizeof(buf)) > 0)
					;
			close(c);
		}
	}
	for (i = 0; i < nports; i++)
		close(pf[i].fd);
	printf("accepted=%ld\n", accepted);
	return 0;
}

/* ---------------------------------------------------- churn / hold --- */

static int lport_of(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &len))
		return -1;
	if (ss.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	return ntohs(((struct sockaddr_in *)&ss)->sin_port);
}

static int conn(int i)
{
	struct sockaddr_storage ss;
	socklen_t len = parse_addr(addr_s, ports[i % nports], &ss);
	struct timeval tv = { 120, 0 };	/* debug kernel under TCG */
	int fd = socket(fam ? fam : ss.ss_family, SOCK_STREAM, 0);

	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&ss, len)) {
		int e = errno;

		close(fd);
		return -e;
	}
	return fd;
}

/* shared by the churn processes */
struct cstate {
	int ok, fail, first;
	unsigned char seen[65536];
};

static void churn_one(struct cstate *cs, int from, int to, double end)
{
	char buf[256];
	int i;

	for (i = from; i < to && now_s() < end; i++) {
		int fd = conn(i), p, e = 0;

		if (fd < 0) {
			e = -fd;
		} else {
			p = lport_of(fd);
			if (p > 0)
				cs->seen[p] = 1;
			/* the server closes first: EOF, then our close */
			if (read(fd, buf, sizeof(buf)) != 0)
				e = errno ? errno : EPROTO;
			close(fd);
		}
		if (e) {
			__atomic_add_fetch(&cs->fail, 1, __ATOMIC_RELAXED);
			__atomic_compare_exchange_n(&cs->first, &(int){0}, e, 0,
						    __ATOMIC_RELAXED,
						    __ATOMIC_RELAXED);
		} else {
			__atomic_add_fetch(&cs->ok, 1, __ATOMIC_RELAXED);
		}
	}
}

static int churn(int hold)
{
	static unsigned char seen[65536];
	static int fds[65536];
	int ok = 0, fail = 0, distinct = 0, first = 0, i;
	double end = now_s() + tmo;

	if (count > 65536 || procs < 1)
		usage();
	if (!hold) {
		struct cstate *cs = mmap(NULL, sizeof(*cs),
					 PROT_READ | PROT_WRITE,
					 MAP_SHARED | MAP_ANONYMOUS, -1, 0);

		if (cs == MAP_FAILED)
			return 1;
		for (i = 0; i < procs; i++) {
			if (fork() == 0) {
				churn_one(cs, count * i / procs,
					  count * (i + 1) / procs, end);
				_exit(0);
			}
		}
		while (wait(NULL) > 0)
			;
		for (i = 0; i < 65536; i++)
			distinct += cs->seen[i];
		printf("ok=%d fail=%d ports=%d first_error=%s\n", cs->ok,
		       cs->fail, distinct, ename(cs->first));
		return cs->fail || cs->ok != count ? 1 : 0;
	}
	for (i = 0; i < count && now_s() < end; i++) {
		int fd = conn(i), p;

		if (fd < 0) {
			fail++;
			if (!first)
				first = -fd;
			continue;
		}
		p = lport_of(fd);
		if (p > 0 && !seen[p]) {
			seen[p] = 1;
			distinct++;
		}
		fds[ok++] = fd;
	}
	{
		printf("held=%d fail=%d ports=%d first_error=%s\n", ok, fail,
		       distinct, ename(first));
		for (i = 0; i < ok; i++)
			close(fds[i]);
		return fail ? 1 : 0;
	}
}

/* --------------------------------------------------- stream / sink --- */

static unsigned char pat(unsigned long long i)
{
	return (unsigned char)(i * 7 + (i >> 9) + (i >> 17));
}

static int stream(void)
{
	unsigned long long sent = 0;
	double t0 = now_s(), end = t0 + tmo;
	unsigned char buf[4096];
	int fd = conn(0), err = 0;
	size_t i;

	signal(SIGTERM, on_sig);
	signal(SIGPIPE, SIG_IGN);
	if (fd < 0) {
		printf("sent=0 err=%s\n", ename(-fd));
		return 1;
	}
	printf("lport=%d\n", lport_of(fd));
	fflush(stdout);
	while (!stop && now_s() < end) {
		/* about kbps KB/s in 4 KB writes */
		if (sent > (now_s() - t0) * kbps * 1000.0) {
			usleep(2000);
			continue;
		}
		ssize_t w;

		for (i = 0; i < sizeof(buf); i++)
			buf[i] = pat(sent + i);
		/* SIGTERM may cut a write short: count what went out */
		w = write(fd, buf, sizeof(buf));
		if (w > 0)
			sent += w;
		if (w < 0 && !(errno == EINTR && stop)) {
			err = errno;
			break;
		}
	}
	close(fd);
	printf("sent=%llu err=%s\n", sent, ename(err));
	return err ? 1 : 0;
}

static int sink(void)
{
	struct sockaddr_storage ss;
	socklen_t len = parse_addr(addr_s, ports[0], &ss);
	unsigned long long got = 0, bad = 0;
	unsigned char buf[65536];
	struct timeval tv = { (long)tmo, 0 };
	int l, fd, err = 0;
	ssize_t n, i;

	l = socket(fam ? fam : ss.ss_family, SOCK_STREAM, 0);
	setint(l, SOL_SOCKET, SO_REUSEADDR, 1);
	if (l < 0 || bind(l, (struct sockaddr *)&ss, len) || listen(l, 1)) {
		perror("sink");
		return 1;
	}
	printf("listening\n");
	fflush(stdout);
	fd = accept(l, NULL, NULL);
	if (fd < 0) {
		perror("accept");
		return 1;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		for (i = 0; i < n; i++)
			bad += buf[i] != pat(got + i);
		got += n;
	}
	if (n < 0)
		err = errno;
	close(fd);
	close(l);
	printf("bytes=%llu bad=%llu err=%s\n", got, bad, ename(err));
	return err || bad ? 1 : 0;
}

int main(int argc, char **argv)
{
	const char *cmd;
	char *p;
	int c;

	if (argc < 2)
		usage();
	cmd = argv[1];
	optind = 2;
	while ((c = getopt(argc, argv, "f:a:b:p:n:c:t:i:w:k:rlH")) != -1) {
		switch (c) {
		case 'f': fam = parse_family(optarg); break;
		case 'a': case 'b': addr_s = optarg; break;
		case 'p':
			for (p = strtok(optarg, ","); p && nports < MAXP;
			     p = strtok(NULL, ","))
				ports[nports++] = atoi(p);
			break;
		case 'n': count = atoi(optarg); break;
		case 'c': procs = atoi(optarg); break;
		case 't': tmo = atof(optarg); break;
		case 'i': ifname = optarg; break;
		case 'w': hold_s = atoi(optarg); break;
		case 'k': kbps = atoi(optarg); break;
		case 'r': reuse = 1; break;
		case 'l': do_listen = 1; break;
		case 'H': hold_eof = 1; break;
		default: usage();
		}
	}
	if (!nports)
		usage();
	if (!strcmp(cmd, "matrix"))
		return matrix(ports[0]);
	if (!addr_s)
		usage();
	if (!strcmp(cmd, "bind"))
		return do_bind();
	if (!strcmp(cmd, "server"))
		return server();
	if (!strcmp(cmd, "churn"))
		return churn(0);
	if (!strcmp(cmd, "hold"))
		return churn(1);
	if (!strcmp(cmd, "stream"))
		return stream();
	if (!strcmp(cmd, "sink"))
		return sink();
	usage();
	return 2;
}
