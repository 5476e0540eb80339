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

/* accept @c's connection on @l (when @connected), append " echo ok|BAD"
 * of one echo through the pair to @res, close both sockets
 */
static void echo_close(int l, int c, int connected, char *res, size_t n)
{
	int a;

	if (connected) {
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
	int l = sock4(xtcp), c, e;

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
	echo_close(l, c, !e, res, n);
}

/* "E v" of getsockopt(@level, @opt): errno and the value */
static void get_fmt(int fd, int level, int opt, char *out, size_t n)
{
	int v = -1, e = getint(fd, level, opt, &v);

	snprintf(out, n, "%s %d", ename(e), e ? -1 : v);
}

/*
 * IPv6- and IPv4-level options of an AF_INET6 socket set before connect()
 * (the preload's sockets: an XTCP socket takes its family at connect) and
 * read back after it, to an IPv6 peer and to a v4-mapped one; with @again
 * IPV6_TCLASS is set once more once connected (not to a v4-mapped peer:
 * such an XTCP socket is IPv4 and refuses IPv6-level options with
 * ENOPROTOOPT, where Linux keeps them unused; README, known differences).
 */
static void level_opts(int xtcp, int port, const char *caddr, int again,
		       char *res, size_t n)
{
	char g1[32], g2[32], g3[32], g4[32], g5[32], g6[32];
	int l = sock6(xtcp), c, e1, e2, e3, e;

	setint(l, SOL_SOCKET, SO_REUSEADDR, 1);
	setint(l, IPPROTO_IPV6, IPV6_V6ONLY, 0);
	if (do_bind(l, "::", port) || listen(l, 8)) {
		snprintf(res, n, "listener %s", ename(errno));
		close(l);
		return;
	}
	c = sock6(xtcp);
	e1 = setint(c, IPPROTO_IPV6, IPV6_TCLASS, 0x28);
	get_fmt(c, IPPROTO_IPV6, IPV6_TCLASS, g1, sizeof(g1));
	e2 = setint(c, IPPROTO_IP, IP_TOS, 0x48);
	get_fmt(c, IPPROTO_IP, IP_TOS, g2, sizeof(g2));
	e3 = setint(c, IPPROTO_IPV6, IPV6_UNICAST_HOPS, 9);
	get_fmt(c, IPPROTO_IPV6, IPV6_UNICAST_HOPS, g3, sizeof(g3));
	e = do_connect(c, caddr, port);
	get_fmt(c, IPPROTO_IPV6, IPV6_TCLASS, g4, sizeof(g4));
	get_fmt(c, IPPROTO_IP, IP_TOS, g5, sizeof(g5));
	strcpy(g6, "-");
	if (again) {
		setint(c, IPPROTO_IPV6, IPV6_TCLASS, 0x30);
		get_fmt(c, IPPROTO_IPV6, IPV6_TCLASS, g6, sizeof(g6));
	}
	snprintf(res, n,
		 "before connect: TCLASS set %s get %s, IP_TOS set %s get %s, UNICAST_HOPS set %s get %s; connect %s; then TCLASS %s, IP_TOS %s, TCLASS set again %s",
		 ename(e1), g1, ename(e2), g2, ename(e3), g3, ename(e), g4, g5,
		 g6);
	echo_close(l, c, !e, res, n);
}

/*
 * A client bound first (IPV6_V6ONLY @v6only, -1: the default), as
 * programs that pick their source port do: "family addr port" of a
 * sockaddr, the port named by its role so that XTCP's and Linux's runs
 * (on different ports) compare.
 */
static void fmt_ap(const struct sockaddr_storage *ss, int bport, int lport,
		   char *out, size_t n)
{
	char a[80];
	int p = sa_port(ss);

	fmt_sa(ss, a, sizeof(a));
	snprintf(out, n, "%s %s", a, p == bport ? "bport" : p == lport ?
		 "lport" : p ? "other" : "0");
}

static void names(int fd, int bport, int lport, char *out, size_t n)
{
	struct sockaddr_storage self, peer;
	socklen_t slen = sizeof(self), plen = sizeof(peer);
	char s[96] = "-", p[96];

	if (!getsockname(fd, (struct sockaddr *)&self, &slen))
		fmt_ap(&self, bport, lport, s, sizeof(s));
	if (!getpeername(fd, (struct sockaddr *)&peer, &plen))
		fmt_ap(&peer, bport, lport, p, sizeof(p));
	else
		snprintf(p, sizeof(p), "%s", ename(errno));
	snprintf(out, n, "name [%s] peer [%s]", s, p);
}

/* a listener of Linux TCP or XTCP on @addr:@port, or -1 */
static int listener(int xtcp, const char *addr, int port)
{
	int l = strchr(addr, ':') ? sock6(xtcp) : sock4(xtcp);

	setint(l, SOL_SOCKET, SO_REUSEADDR, 1);
	if (do_bind(l, addr, port) || listen(l, 8)) {
		close(l);
		return -1;
	}
	return l;
}

/* accept on @l, the accepted side's view of the peer, echo both ways */
static void accept_echo(int l, int c, int bport, int lport, char *res,
			size_t n)
{
	struct sockaddr_storage peer;
	socklen_t plen = sizeof(peer);
	char ps[96];
	int a = accept(l, (struct sockaddr *)&peer, &plen);

	if (a < 0) {
		snprintf(res + strlen(res), n - strlen(res), " accept %s",
			 ename(errno));
		return;
	}
	fmt_ap(&peer, bport, lport, ps, sizeof(ps));
	snprintf(res + strlen(res), n - strlen(res),
		 " accepted [%s] echo %s/%s", ps,
		 echo_pair(c, a) ? "BAD" : "ok", echo_pair(a, c) ? "BAD" : "ok");
	close(a);
}

/* a dual-stack IPv6 client socket bound to @baddr:@bport (0: bind picks) */
static int bound6(int xtcp, int v6only, int reuse, const char *baddr,
		  int *bport, char *res, size_t n)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	int c = sock6(xtcp), e;

	if (v6only >= 0)
		setint(c, IPPROTO_IPV6, IPV6_V6ONLY, v6only);
	if (reuse)
		setint(c, SOL_SOCKET, SO_REUSEADDR, 1);
	e = do_bind(c, baddr, *bport);
	if (!e && !*bport && !getsockname(c, (struct sockaddr *)&ss, &len))
		*bport = sa_port(&ss);
	if (e) {
		snprintf(res, n, "bind %s", ename(e));
		close(c);
		return -1;
	}
	return c;
}

/*
 * connect() to @caddr (a listener there on @lport) of a socket bound to
 * @baddr:@bport first: Linux's tcp_v6_connect() takes a v4-mapped peer
 * over IPv4 keeping the bound port (RFC 4291 §2.5.5.2).
 */
static void bound_connect(int xtcp, int bport, int lport, int v6only,
			  const char *baddr, const char *caddr, char *res,
			  size_t n)
{
	const char *laddr = strncmp(caddr, "::ffff:", 7) ? caddr :
			    caddr + 7;
	int l = listener(xtcp, laddr, lport), c, e;
	char nm[256];

	if (l < 0) {
		snprintf(res, n, "listener %s", ename(errno));
		return;
	}
	c = bound6(xtcp, v6only, 0, baddr, &bport, res, n);
	if (c < 0) {
		close(l);
		return;
	}
	e = do_connect(c, caddr, lport);
	names(c, bport, lport, nm, sizeof(nm));
	snprintf(res, n, "connect %s %s", ename(e), nm);
	if (!e)
		accept_echo(l, c, bport, lport, res, n);
	close(c);
	close(l);
}

/*
 * A bound socket's connect() refused (no listener), then again once a
 * listener is there: as tcp_disconnect(), the failed attempt forgets the
 * source address it chose ([::] or 0.0.0.0 bound) and keeps the port.
 */
static void refused_again(int xtcp, int bport, int lport, const char *baddr,
			  const char *caddr, char *res, size_t n)
{
	const char *laddr = strncmp(caddr, "::ffff:", 7) ? caddr :
			    caddr + 7;
	char nm[256];
	int c, l, e;

	c = strchr(baddr, ':') ? bound6(xtcp, 0, 0, baddr, &bport, res, n) :
				 sock4(xtcp);
	if (c < 0)
		return;
	if (!strchr(baddr, ':') && (e = do_bind(c, baddr, bport))) {
		snprintf(res, n, "bind %s", ename(e));
		close(c);
		return;
	}
	e = do_connect(c, caddr, lport);
	names(c, bport, lport, nm, sizeof(nm));
	snprintf(res, n, "first %s %s", ename(e), nm);
	l = listener(xtcp, laddr, lport);
	if (l < 0) {
		snprintf(res + strlen(res), n - strlen(res), " listener %s",
			 ename(errno));
		close(c);
		return;
	}
	e = do_connect(c, caddr, lport);
	names(c, bport, lport, nm, sizeof(nm));
	snprintf(res + strlen(res), n - strlen(res), "; again %s %s",
		 ename(e), nm);
	if (!e)
		accept_echo(l, c, bport, lport, res, n);
	close(c);
	close(l);
}

/*
 * While a [::]-bound socket (SO_REUSEADDR @reuse) is connected to a
 * v4-mapped peer: bind() and listen() of other sockets (SO_REUSEADDR
 * @reuse) on its port, per address; then the same after it closed.
 */
static void second_bind(int xtcp, int bport, int lport, int reuse,
			char *res, size_t n)
{
	static const char *const addrs[] = {
		"::", "0.0.0.0", "127.0.0.1", "::ffff:127.0.0.1", "::1",
		"::ffff:0.0.0.0",
	};
	int l = listener(xtcp, "127.0.0.1", lport), c, a, e, i, s;
	size_t k;

	if (l < 0) {
		snprintf(res, n, "listener %s", ename(errno));
		return;
	}
	c = bound6(xtcp, 0, reuse, "::", &bport, res, n);
	if (c < 0) {
		close(l);
		return;
	}
	e = do_connect(c, "::ffff:127.0.0.1", lport);
	snprintf(res, n, "connect %s;", ename(e));
	a = e ? -1 : accept(l, NULL, NULL);
	for (i = 0; i < (int)(sizeof(addrs) / sizeof(addrs[0])); i++) {
		s = strchr(addrs[i], ':') ? sock6(xtcp) : sock4(xtcp);
		if (reuse)
			setint(s, SOL_SOCKET, SO_REUSEADDR, 1);
		e = do_bind(s, addrs[i], bport);
		k = strlen(res);
		snprintf(res + k, n - k, " %s bind %s", addrs[i], ename(e));
		if (!e) {
			e = listen(s, 1) ? errno : 0;
			k = strlen(res);
			snprintf(res + k, n - k, " listen %s", ename(e));
		}
		close(s);
	}
	if (a >= 0)
		close(a);
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
	static const struct {
		const char *name;
		int bport, v6only;
		const char *baddr, *caddr;
	} bc[] = {
		{ "bound [::]:P IPV6_V6ONLY 0, connect ::ffff:127.0.0.1", 1, 0,
		  "::", "::ffff:127.0.0.1" },
		{ "bound [::]:0 default IPV6_V6ONLY, connect ::ffff:127.0.0.1",
		  0, -1, "::", "::ffff:127.0.0.1" },
		{ "bound [::]:P IPV6_V6ONLY 1, connect ::ffff:127.0.0.1", 1, 1,
		  "::", "::ffff:127.0.0.1" },
		{ "bound [::1]:P, connect ::ffff:127.0.0.1", 1, 0, "::1",
		  "::ffff:127.0.0.1" },
		{ "bound [::ffff:127.0.0.1]:P, connect ::ffff:127.0.0.1", 1, 0,
		  "::ffff:127.0.0.1", "::ffff:127.0.0.1" },
		{ "bound [::]:P IPV6_V6ONLY 0, connect ::1", 1, 0, "::",
		  "::1" },
	};
	static const struct {
		const char *name, *baddr, *caddr;
	} ra[] = {
		{ "bound [::]:P, ::ffff:127.0.0.1 refused, then accepted", "::",
		  "::ffff:127.0.0.1" },
		{ "bound [::]:P, ::1 refused, then accepted", "::", "::1" },
		{ "bound 0.0.0.0:P, 127.0.0.1 refused, then accepted",
		  "0.0.0.0", "127.0.0.1" },
	};
	char x[1024], t[1024];
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
	level_opts(1, port++, "::1", 1, x, sizeof(x));
	level_opts(0, port++, "::1", 1, t, sizeof(t));
	compare("IPv6 and IPv4 options before connect to ::1", x, t);
	level_opts(1, port++, "::ffff:127.0.0.1", 0, x, sizeof(x));
	level_opts(0, port++, "::ffff:127.0.0.1", 0, t, sizeof(t));
	compare("IPv6 and IPv4 options before connect to ::ffff:127.0.0.1", x,
		t);
	/* bound first, then connect (v4-mapped peers over IPv4) */
	for (i = 0; i < (int)(sizeof(bc) / sizeof(bc[0])); i++) {
		bound_connect(1, bc[i].bport ? port : 0, port + 1, bc[i].v6only,
			      bc[i].baddr, bc[i].caddr, x, sizeof(x));
		bound_connect(0, bc[i].bport ? port + 2 : 0, port + 3,
			      bc[i].v6only, bc[i].baddr, bc[i].caddr, t,
			      sizeof(t));
		port += 4;
		compare(bc[i].name, x, t);
	}
	for (i = 0; i < (int)(sizeof(ra) / sizeof(ra[0])); i++) {
		refused_again(1, port, port + 1, ra[i].baddr, ra[i].caddr, x,
			      sizeof(x));
		refused_again(0, port + 2, port + 3, ra[i].baddr, ra[i].caddr,
			      t, sizeof(t));
		port += 4;
		compare(ra[i].name, x, t);
	}
	for (i = 0; i < 2; i++) {
		second_bind(1, port, port + 1, i, x, sizeof(x));
		second_bind(0, port + 2, port + 3, i, t, sizeof(t));
		port += 4;
		compare(i ? "binds on the port of a [::] socket connected to a v4-mapped peer, SO_REUSEADDR" :
			"binds on the port of a [::] socket connected to a v4-mapped peer",
			x, t);
	}
	reuseport(1, port++, 1, x, sizeof(x));
	reuseport(0, port++, 1, t, sizeof(t));
	compare("SO_REUSEPORT group of 4 listeners, 64 connections", x, t);
	reuseport(1, port++, 0, x, sizeof(x));
	reuseport(0, port++, 0, t, sizeof(t));
	compare("4 listeners on one port without SO_REUSEPORT", x, t);
	printf("1..%d\n", tn);
	return 0;
}
