// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp_cc_test: congestion control from user space.
 *
 *   xtcp_cc_test sockopt
 *       TCP_CONGESTION on XTCP compared with Linux TCP in the same netns:
 *       getsockopt's bytes and length for several buffer lengths,
 *       setsockopt's result and errno for good, bad, truncated and
 *       NUL-embedded names, a switch on a connected socket and a passive
 *       child inheriting its listener's choice (loopback). TAP output.
 *   xtcp_cc_test default -f xtcp|tcp
 *       print the algorithm a new socket gets (the netns default)
 *   xtcp_cc_test send -f xtcp|tcp -a ADDR -p PORT -s BYTES [-c NAME]
 *       connect (after TCP_CONGESTION NAME), send the xtcp_xfer stream
 *       (seed 1), shut down the send side, wait for the peer's EOF; print
 *       "cc=NAME cwnd_first=N cwnd_max=N ssthresh=N retrans=N" from
 *       TCP_INFO (tcpi_snd_cwnd sampled after each write).
 * Exit: 0 success, 1 failure, 2 usage.
 */
#include "xtcp_tools.h"

#include <linux/tcp.h>

#define CA_NAME_MAX	16

static int sock_of(int fam)
{
	int fd = socket(fam ? fam : AF_INET, SOCK_STREAM, 0);

	if (fd < 0) {
		perror("socket");
		exit(2);
	}
	return fd;
}

struct got {
	int rc, err;
	socklen_t len;
	char buf[40];
};

static void get_cc(int fd, int len, struct got *g)
{
	socklen_t l = len;

	memset(g->buf, 'x', sizeof(g->buf));
	errno = 0;
	g->rc = getsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, g->buf, &l);
	g->err = g->rc ? errno : 0;
	g->len = l;
}

static int same_get(const struct got *x, const struct got *t)
{
	return x->rc == t->rc && x->err == t->err && x->len == t->len &&
	       !memcmp(x->buf, t->buf, sizeof(x->buf));
}

static int set_cc(int fd, const char *name, int len, int *err)
{
	int rc;

	errno = 0;
	rc = setsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, name, len);
	*err = rc ? errno : 0;
	return rc;
}

static void cmp_get(int fx, int ft, int len, const char *what)
{
	struct got x, t;

	get_cc(fx, len, &x);
	get_cc(ft, len, &t);
	tap(same_get(&x, &t),
	    "%s: getsockopt(TCP_CONGESTION, len %d): XTCP rc %d %s len %u \"%.*s\", Linux rc %d %s len %u \"%.*s\"",
	    what, len, x.rc, ename(x.err), x.len, (int)x.len > 0 ? 16 : 0,
	    x.buf, t.rc, ename(t.err), t.len, (int)t.len > 0 ? 16 : 0, t.buf);
}

static void cmp_set(int fx, int ft, const char *name, int len,
		    const char *what)
{
	int ex, et, rx, rt;

	rx = set_cc(fx, name, len, &ex);
	rt = set_cc(ft, name, len, &et);
	tap(rx == rt && ex == et,
	    "%s: setsockopt(TCP_CONGESTION, optlen %d): XTCP %s, Linux %s",
	    what, len, ename(ex), ename(et));
}

/* a connected loopback pair; *srv the accepted end, *lfd the listener */
static int pair(int fam, int *srv, int *lfd, const char *lcc)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t al = sizeof(a);
	int c, err;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	*lfd = sock_of(fam);
	if (lcc && set_cc(*lfd, lcc, strlen(lcc), &err))
		return -1;
	if (bind(*lfd, (struct sockaddr *)&a, sizeof(a)) ||
	    listen(*lfd, 4) ||
	    getsockname(*lfd, (struct sockaddr *)&a, &al))
		return -1;
	c = sock_of(fam);
	if (connect(c, (struct sockaddr *)&a, sizeof(a)))
		return -1;
	*srv = accept(*lfd, NULL, NULL);
	return *srv < 0 ? -1 : c;
}

static int sockopt_main(void)
{
	static const int lens[] = { 40, 16, 15, 5, 3, 1, 0, -1 };
	int fx = sock_of(AF_XTCP), ft = sock_of(0), cx, ct, sx, st, lx, lt;
	char bad[24];
	size_t i;

	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++)
		cmp_get(fx, ft, lens[i], "default");
	cmp_set(fx, ft, "reno", 4, "\"reno\"");
	cmp_get(fx, ft, 40, "after \"reno\"");
	cmp_set(fx, ft, "cubic", 5, "\"cubic\"");
	cmp_get(fx, ft, 40, "after \"cubic\"");
	cmp_set(fx, ft, "cubic", 3, "\"cub\" (truncated by optlen)");
	cmp_set(fx, ft, "bogus", 5, "\"bogus\"");
	cmp_set(fx, ft, "reno\0junk", 9, "\"reno\\0junk\"");
	cmp_get(fx, ft, 40, "after \"reno\\0junk\"");
	cmp_set(fx, ft, "reno", 0, "optlen 0");
	memset(bad, 'r', sizeof(bad));
	memcpy(bad, "reno", 4);
	cmp_set(fx, ft, bad, sizeof(bad), "24 bytes, no NUL");
	cmp_set(fx, ft, "", 1, "empty name");
	close(fx);
	close(ft);

	/* a connected socket switches; a child inherits the listener's */
	cx = pair(AF_XTCP, &sx, &lx, "reno");
	ct = pair(0, &st, &lt, "reno");
	tap(cx >= 0 && ct >= 0, "loopback pairs (listeners set to reno)");
	if (cx < 0 || ct < 0)
		return 1;
	cmp_get(sx, st, 40, "passive child of a reno listener");
	cmp_get(cx, ct, 40, "connected client (netns default)");
	cmp_set(cx, ct, "reno", 4, "connected client to reno");
	cmp_get(cx, ct, 40, "connected client after the switch");
	cmp_set(sx, st, "cubic", 6, "child to cubic (optlen 6, with NUL)");
	cmp_get(sx, st, 40, "child after the switch");
	close(cx); close(sx); close(lx);
	close(ct); close(st); close(lt);
	printf("1..%d\n%d passed, %d failed\n", tap_n, tap_n - tap_fail,
	       tap_fail);
	return tap_fail != 0;
}

/* tcpi_snd_cwnd into *first (once) and *max; true when all is acked */
static int sample(int fd, uint32_t *first, uint32_t *max)
{
	struct tcp_info ti;
	socklen_t l = sizeof(ti);

	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &l))
		return 1;
	if (!*first)
		*first = ti.tcpi_snd_cwnd;
	if (ti.tcpi_snd_cwnd > *max)
		*max = ti.tcpi_snd_cwnd;
	return !ti.tcpi_unacked && !ti.tcpi_notsent_bytes;
}

static int send_main(int fam, const char *addr, int port, uint64_t size,
		     const char *cc)
{
	struct sockaddr_storage ss;
	socklen_t sl = parse_addr(addr, port, &ss), l;
	unsigned char buf[65536];
	struct tcp_info ti;
	struct stream st;
	uint32_t first = 0, max = 0;
	char name[CA_NAME_MAX + 1] = "";
	uint64_t left = size;
	double t0;
	int fd, err;

	fd = stream_socket(fam, ss.ss_family, 0);
	if (fd < 0) {
		perror("socket");
		return 1;
	}
	if (cc && set_cc(fd, cc, strlen(cc), &err)) {
		printf("setsockopt TCP_CONGESTION %s: %s\n", cc, ename(err));
		return 1;
	}
	if (connect(fd, (struct sockaddr *)&ss, sl)) {
		printf("connect: %s\n", ename(errno));
		return 1;
	}
	stream_init(&st, 1);
	while (left) {
		size_t n = left < sizeof(buf) ? left : sizeof(buf), off = 0;

		stream_fill(&st, buf, n);
		while (off < n) {
			ssize_t w = write(fd, buf + off, n - off);

			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0) {
				printf("write: %s\n", ename(errno));
				return 1;
			}
			off += w;
		}
		left -= n;
		sample(fd, &first, &max);
	}
	/* the send buffer holds most of it: sample until all is acked */
	for (t0 = now_s(); now_s() - t0 < 200;) {
		if (sample(fd, &first, &max))
			break;
		usleep(1000);
	}
	shutdown(fd, SHUT_WR);
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	l = sizeof(ti);
	memset(&ti, 0, sizeof(ti));
	getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &l);
	l = CA_NAME_MAX;
	getsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, name, &l);
	printf("cc=%s bytes=%llu cwnd_first=%u cwnd_max=%u cwnd_end=%u ssthresh=%u retrans=%u\n",
	       name, (unsigned long long)size, first, max, ti.tcpi_snd_cwnd,
	       ti.tcpi_snd_ssthresh, ti.tcpi_total_retrans);
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	const char *addr = NULL, *cc = NULL;
	int fam = -1, port = -1, c;
	uint64_t size = 0;
	char name[CA_NAME_MAX + 1] = "";
	socklen_t l = CA_NAME_MAX;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2)
		goto usage;
	optind = 2;
	while ((c = getopt(argc, argv, "f:a:p:s:c:")) != -1) {
		switch (c) {
		case 'f': fam = parse_family(optarg); break;
		case 'a': addr = optarg; break;
		case 'p': port = atoi(optarg); break;
		case 's': size = strtoull(optarg, NULL, 0); break;
		case 'c': cc = optarg; break;
		default: goto usage;
		}
	}
	if (!strcmp(argv[1], "sockopt"))
		return sockopt_main();
	if (!strcmp(argv[1], "default") && fam >= 0) {
		int fd = stream_socket(fam, AF_INET, 0);

		if (fd < 0 || getsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, name,
					 &l))
			return 1;
		printf("%s\n", name);
		return 0;
	}
	if (!strcmp(argv[1], "send") && fam >= 0 && addr && port > 0 && size)
		return send_main(fam, addr, port, size, cc);
usage:
	fprintf(stderr, "usage: xtcp_cc_test sockopt | default -f FAM | send -f FAM -a ADDR -p PORT -s BYTES [-c NAME]\n");
	return 2;
}
