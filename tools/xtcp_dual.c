// SPDX-License-Identifier: GPL-2.0
/*
 * Dual-stack IPv6 sockets (IPV6_V6ONLY, v4-mapped addresses, RFC 4291
 * §2.5.5.2) and SO_REUSEPORT groups, on XTCP and on Linux TCP in the same
 * run: every scenario runs on both and its outcome (errnos, address
 * families and addresses seen, bytes echoed, how the connections spread
 * over a reuseport group) must be Linux's. TAP output on loopback.
 * usage: xtcp_dual [-p BASEPORT]
 */
#include "xtcp_tools.h"

#include <fcntl.h>
#include <poll.h>

static int base_port = 41000;

/* an XTCP socket (its family is chosen at bind/connect) or Linux TCP's
 * of family @fam
 */
static int sock_of(int xtcp, int fam)
{
	int fd = socket(xtcp ? AF_XTCP : fam, SOCK_STREAM, 0);

	if (fd < 0) {
		perror("socket");
		exit(2);
	}
	return fd;
}

#define sock6(x) sock_of(x, AF_INET6)
#define sock4(x) sock_of(x, AF_INET)

static int setint(int fd, int level, int opt, int v)
{
	return setsockopt(fd, level, opt, &v, sizeof(v)) ? errno : 0;
}

static int getint(int fd, int level, int opt, int *v)
{
	socklen_t len = sizeof(*v);

	return getsockopt(fd, level, opt, v, &len) ? errno : 0;
}

static int do_bind(int fd, const char *addr, int port)
{
	struct sockaddr_storage ss;
	socklen_t len = parse_addr(addr, port, &ss);

	return bind(fd, (struct sockaddr *)&ss, len) ? errno : 0;
}

static int do_connect(int fd, const char *addr, int port)
{
	struct sockaddr_storage ss;
	socklen_t len = parse_addr(addr, port, &ss);

	return connect(fd, (struct sockaddr *)&ss, len) ? errno : 0;
}

/* "family addr" of a sockaddr, as the test compares it */
static void fmt_sa(const struct sockaddr_storage *ss, char *out, size_t n)
{
	char a[INET6_ADDRSTRLEN] = "?";

	if (ss->ss_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)ss)->sin_addr,
			  a, sizeof(a));
	else if (ss->ss_family == AF_INET6)
		inet_ntop(AF_INET6,
			  &((const struct sockaddr_in6 *)ss)->sin6_addr, a,
			  sizeof(a));
	snprintf(out, n, "%s %s", ss->ss_family == AF_INET ? "inet" :
		 ss->ss_family == AF_INET6 ? "inet6" : "other", a);
}

/* one echo of 64 KB through an accepted pair; 0 when byte-exact */
static int echo_pair(int c, int a)
{
	static char out[65536], in[65536];
	size_t got = 0, i;
	ssize_t n;

	for (i = 0; i < sizeof(out); i++)
		out[i] = (char)(i * 7 + 3);
	if (write(c, out, sizeof(out)) != (ssize_t)sizeof(out))
		return -1;
	while (got < sizeof(in)) {
		n = read(a, in + got, sizeof(in) - got);
		if (n <= 0)
			return -1;
		got += n;
	}
	return memcmp(in, out, sizeof(in)) ? -1 : 0;
}

/*
 * Scenario: a listener (IPV6_V6ONLY = @v6only, or left at the default when
 * -1) bound to @laddr, a client of @cfam connecting to @caddr. Writes a
 * one-line outcome to @res.
 */
static void scenario(int xtcp, int port, int v6only, const char *laddr,
		     int c6, const char *caddr, char *res, size_t n)
{
	struct sockaddr_storage peer, self;
	socklen_t plen = sizeof(peer), slen = sizeof(self);
	char ps[80] = "-", ss[80] = "-";
	int l = sock6(xtcp), c, a, e, v = -1, ge;

	setint(l, SOL_SOCKET, SO_REUSEADDR, 1);
	e = v6only >= 0 ? setint(l, IPPROTO_IPV6, IPV6_V6ONLY, v6only) : 0;
	if (e) {
		snprintf(res, n, "setsockopt(IPV6_V6ONLY) %s", ename(e));
		close(l);
		return;
	}
	e = do_bind(l, laddr, port);
	ge = getint(l, IPPROTO_IPV6, IPV6_V6ONLY, &v);
	if (e || listen(l, 8)) {
		snprintf(res, n, "bind %s", ename(e ? e : errno));
		close(l);
		return;
	}
	c = c6 ? sock6(xtcp) : sock4(xtcp);
	e = do_connect(c, caddr, port);
	if (e) {
		snprintf(res, n, "v6only %d(%s) connect %s", v, ename(ge),
			 ename(e));
		close(c);
		close(l);
		return;
	}
	a = accept(l, (struct sockaddr *)&peer, &plen);
	if (a < 0) {
		snprintf(res, n, "accept %s", ename(errno));
		close(c);
		close(l);
		return;
	}
	fmt_sa(&peer, ps, sizeof(ps));
	if (!getsockname(a, (struct sockaddr *)&self, &slen))
		fmt_sa(&self, ss, sizeof(ss));
	snprintf(res, n, "v6only %d(%s) accepted peer [%s] local [%s] echo %s",
		 v, ename(ge), ps, ss, echo_pair(c, a) ? "BAD" : "ok");
	close(a);
	close(c);
	close(l);
}

/* connect() of an IPv6-intent socket to a v4-mapped address */
static void mapped_connect(int xtcp, int port, int v6only, char *res,
			   size_t n)
{
	struct sockaddr_storage peer;
	socklen_t plen = sizeof(peer);
	char ps[80] = "-";
	int l = sock4(xtcp), c, e, a;

	setint(l, SOL_SOCKET, SO_REUSEADDR, 1);
	if (do_bind(l, "127.0.0.1", port) || listen(l, 8)) {
		snprintf(res, n, "listener %s", ename(errno));
		close(l);
		return;
	}
	c = sock6(xtcp);
	if (v6only >= 0)
		setint(c, IPPROTO_IPV6, IPV6_V6ONLY, v6only);
	e = do_connect(c, "::ffff:127.0.0.1", port);
	if (!e && !getpeername(c, (struct sockaddr *)&peer, &plen))
		fmt_sa(&peer, ps, sizeof(ps));
	snprintf(res, n, "connect %s peer [%s]", ename(e), ps);
	if (!e) {
		a = accept(l, NULL, NULL);
		if (a >= 0) {
			snprintf(res + strlen(res), n - strlen(res), " echo %s",
				 echo_pair(c, a) ? "BAD" : "ok");
			close(a);
		}
	}
	close(c);
	close(l);
}

/*
 * SO_REUSEPORT: @nl listeners on one port (@reuse set or not), @nc
 * connections; the outcome: binds that failed, and whether every
 * listener took at least one connection and none took them all.
 */
static void reuseport(int xtcp, int port, int reuse, char *res, size_t n)
{
	enum { NL = 4, NC = 64 };
	int l[NL], cnt[NL] = { 0 }, c[NC], i, j, failed = 0, e0 = 0, lo, hi;

	for (i = 0; i < NL; i++) {
		l[i] = sock4(xtcp);
		if (reuse)
			setint(l[i], SOL_SOCKET, SO_REUSEPORT, 1);
		if (do_bind(l[i], "127.0.0.1", port) || listen(l[i], NC)) {
			if (!e0)
				e0 = errno;
			failed++;
			close(l[i]);
			l[i] = -1;
			continue;
		}
		fcntl(l[i], F_SETFL, O_NONBLOCK);
	}
	for (j = 0; j < NC; j++) {
		c[j] = sock4(xtcp);
		do_connect(c[j], "127.0.0.1", port);
	}
	for (j = 0; j < NC;) {
		struct pollfd p[NL];
		int k;

		for (i = 0; i < NL; i++) {
			p[i].fd = l[i];
			p[i].events = POLLIN;
		}
		if (poll(p, NL, 5000) <= 0)
			break;
		for (i = 0; i < NL; i++) {
			while (l[i] >= 0 && (p[i].revents & POLLIN)) {
				k = accept(l[i], NULL, NULL);
				if (k < 0)
					break;
				close(k);
				cnt[i]++;
				j++;
			}
		}
	}
	lo = NC;
	hi = 0;
	for (i = 0; i < NL; i++) {
		if (l[i] < 0)
			continue;
		lo = cnt[i] < lo ? cnt[i] : lo;
		hi = cnt[i] > hi ? cnt[i] : hi;
	}
	snprintf(res, n, "bind failures %d (%s), accepted %d, spread %s",
		 failed, ename(e0), cnt[0] + cnt[1] + cnt[2] + cnt[3],
		 failed ? "n/a" : lo > 0 && hi < NC ? "all listeners" :
		 "UNEVEN");
	if (!failed)
		fprintf(stderr, "# %s reuseport counts %d %d %d %d\n",
			xtcp ? "xtcp" : "tcp", cnt[0], cnt[1], cnt[2], cnt[3]);
	for (j = 0; j < NC; j++)
		close(c[j]);
	for (i = 0; i < NL; i++)
		if (l[i] >= 0)
			close(l[i]);
}

static int tn;

static void compare(const char *name, const char *x, const char *t)
{
	int same = !strcmp(x, t);

	printf("%s %d - %s: %s%s%s\n", same ? "ok" : "not ok", ++tn, name, x,
	       same ? "" : " | Linux TCP: ", same ? "" : t);
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int v6only;
		const char *laddr;
		int c6;
		const char *caddr;
	} sc[] = {
		{ "[::] default IPV6_V6ONLY, IPv4 client", -1, "::", 0,
		  "127.0.0.1" },
		{ "[::] IPV6_V6ONLY 0, IPv4 client", 0, "::", 0, "127.0.0.1" },
		{ "[::] IPV6_V6ONLY 0, IPv6 client", 0, "::", 1, "::1" },
		{ "[::] IPV6_V6ONLY 1, IPv4 client", 1, "::", 0, "127.0.0.1" },
		{ "[::] IPV6_V6ONLY 1, IPv6 client", 1, "::", 1, "::1" },
		{ "[::ffff:127.0.0.1] IPV6_V6ONLY 0, IPv4 client", 0,
		  "::ffff:127.0.0.1", 0, "127.0.0.1" },
		{ "[::ffff:127.0.0.1] IPV6_V6ONLY 1", 1, "::ffff:127.0.0.1", 0,
		  "127.0.0.1" },
		{ "[::] IPV6_V6ONLY 0, client to ::ffff:127.0.0.1", 0, "::", 1,
		  "::ffff:127.0.0.1" },
	};
	char x[256], t[256];
	int opt, i, port;

	while ((opt = getopt(argc, argv, "p:")) != -1) {
		if (opt == 'p')
			base_port = atoi(optarg);
	}
	port = base_port;
	for (i = 0; i < (int)(sizeof(sc) / sizeof(sc[0])); i++) {
		scenario(1, port++, sc[i].v6only, sc[i].laddr, sc[i].c6,
			 sc[i].caddr, x, sizeof(x));
		scenario(0, port++, sc[i].v6only, sc[i].laddr, sc[i].c6,
			 sc[i].caddr, t, sizeof(t));
		compare(sc[i].name, x, t);
	}
	mapped_connect(1, port++, 0, x, sizeof(x));
	mapped_connect(0, port++, 0, t, sizeof(t));
	compare("connect to ::ffff:127.0.0.1, IPV6_V6ONLY 0", x, t);
	mapped_connect(1, port++, 1, x, sizeof(x));
	mapped_connect(0, port++, 1, t, sizeof(t));
	compare("connect to ::ffff:127.0.0.1, IPV6_V6ONLY 1", x, t);
	reuseport(1, port++, 1, x, sizeof(x));
	reuseport(0, port++, 1, t, sizeof(t));
	compare("SO_REUSEPORT group of 4 listeners, 64 connections", x, t);
	reuseport(1, port++, 0, x, sizeof(x));
	reuseport(0, port++, 0, t, sizeof(t));
	compare("4 listeners on one port without SO_REUSEPORT", x, t);
	printf("1..%d\n", tn);
	return 0;
}
