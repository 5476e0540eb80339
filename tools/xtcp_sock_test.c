// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp_sock_test: socket()/bind()/getsockname() behaviour of AF_XTCP,
 * compared at run time with Linux inet sockets (the "oracle"): every
 * errno expected from XTCP is the one the same call gives on
 * AF_INET/AF_INET6 SOCK_STREAM, so nothing here is hard-coded.
 *
 * usage: xtcp_sock_test [-f xtcp|tcp] [-n SOCKETS]
 *   -f tcp runs the same checks with Linux TCP as the subject (a
 *   self-check of the test itself, valid on any host). TAP output.
 */
#include "xtcp_tools.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>

static int subj = AF_XTCP;	/* AF_XTCP or 0 (Linux TCP) */

/* socket() of the subject for an IPv4 (af=AF_INET) or IPv6 use */
static int ssock(int af, int type, int proto)
{
	return socket(subj == AF_XTCP ? AF_XTCP : af, type, proto);
}

static int res(int r)
{
	return r < 0 ? errno : 0;
}

/* result of a call: 0 or errno, printed as a name */
#define R(x) ename(x)

static socklen_t mk(int af, const char *a, int port,
		    struct sockaddr_storage *ss)
{
	socklen_t l = parse_addr(a, port, ss);

	if (!l || ss->ss_family != af) {
		fprintf(stderr, "bad addr %s\n", a);
		exit(2);
	}
	return l;
}

/* a port that was free a moment ago for both stacks */
static int free_port(int af, const char *a)
{
	struct sockaddr_storage ss;
	socklen_t l = mk(af, a, 0, &ss);
	int fd = socket(af, SOCK_STREAM, 0), p;

	if (fd < 0 || bind(fd, (struct sockaddr *)&ss, l) < 0) {
		perror("free_port");
		exit(1);
	}
	l = sizeof(ss);
	getsockname(fd, (struct sockaddr *)&ss, &l);
	p = sa_port(&ss);
	close(fd);
	return p;
}

static void test_socket_create(void)
{
	static const struct { int type; const char *name; } types[] = {
		{ SOCK_DGRAM, "SOCK_DGRAM" }, { SOCK_RAW, "SOCK_RAW" },
		{ SOCK_SEQPACKET, "SOCK_SEQPACKET" } };
	static const struct { int proto; const char *name; } protos[] = {
		{ IPPROTO_UDP, "IPPROTO_UDP" }, { 99, "99" } };
	int fd, e, oe, fl, fdf;

	fd = ssock(AF_INET, SOCK_STREAM, 0);
	tap(fd >= 0, "socket(SOCK_STREAM, 0) succeeds (%s)", R(res(fd)));
	if (fd >= 0)
		close(fd);
	fd = ssock(AF_INET, SOCK_STREAM, IPPROTO_TCP);
	tap(fd >= 0, "socket(SOCK_STREAM, IPPROTO_TCP) succeeds (%s)",
	    R(res(fd)));
	if (fd >= 0)
		close(fd);

	/*
	 * Unsupported type: the oracle is what AF_INET answers for a type it
	 * has no protocol for (SOCK_SEQPACKET without SCTP loaded):
	 * ESOCKTNOSUPPORT. AF_INET itself supports DGRAM and RAW, so the
	 * same call on AF_INET is no oracle for those.
	 */
	fd = socket(AF_INET, SOCK_SEQPACKET, 0);
	oe = res(fd);
	if (fd >= 0) {
		close(fd);
		oe = ESOCKTNOSUPPORT;
		tap_diag("AF_INET SOCK_SEQPACKET works here (SCTP?): "
			 "expecting ESOCKTNOSUPPORT");
	}
	for (unsigned i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		fd = ssock(AF_INET, types[i].type, 0);
		e = res(fd);
		if (fd >= 0)
			close(fd);
		if (subj != AF_XTCP) {
			tap(1, "socket(%s) # SKIP Linux inet supports it", types[i].name);
			continue;
		}
		tap(e == oe, "socket(AF_XTCP, %s, 0) fails %s (oracle %s)",
		    types[i].name, R(e), R(oe));
	}
	for (unsigned i = 0; i < sizeof(protos) / sizeof(protos[0]); i++) {
		fd = socket(AF_INET, SOCK_STREAM, protos[i].proto);
		oe = res(fd);
		if (fd >= 0)
			close(fd);
		fd = ssock(AF_INET, SOCK_STREAM, protos[i].proto);
		e = res(fd);
		if (fd >= 0)
			close(fd);
		tap(e == oe && e, "socket(SOCK_STREAM, %s) fails %s (oracle %s)",
		    protos[i].name, R(e), R(oe));
	}
	fd = ssock(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	fl = fd >= 0 ? fcntl(fd, F_GETFL) : -1;
	fdf = fd >= 0 ? fcntl(fd, F_GETFD) : -1;
	tap(fd >= 0 && (fl & O_NONBLOCK) && (fdf & FD_CLOEXEC),
	    "SOCK_NONBLOCK|SOCK_CLOEXEC honoured (fl=%#x fdflags=%#x %s)",
	    fl, fdf, R(res(fd)));
	if (fd >= 0)
		close(fd);
	fd = ssock(AF_INET, SOCK_STREAM, 0);
	fl = fd >= 0 ? fcntl(fd, F_GETFL) : -1;
	fdf = fd >= 0 ? fcntl(fd, F_GETFD) : -1;
	tap(fd >= 0 && !(fl & O_NONBLOCK) && !(fdf & FD_CLOEXEC),
	    "no flags: blocking, no close-on-exec");
	if (fd >= 0)
		close(fd);
}

/*
 * A bind scenario run on one stack: returns the results packed as
 * "r1 r2 ..." in out. "fam" is AF_INET/AF_INET6 for the oracle and
 * AF_XTCP for the subject (using addresses of family af).
 */
enum scen {
	SC_SAME_PORT,		/* bind A:p, bind B:p */
	SC_REUSE_BOTH,		/* REUSEADDR on both, no listener */
	SC_REUSE_LISTEN,	/* REUSEADDR on both, first listens */
	SC_BIND_TWICE,		/* bind, bind again on same socket */
	SC_CLOSE_FREES,		/* bind, close, bind again */
	SC_REUSE_ONE,		/* REUSEADDR only on second */
};

static void run_scen(int fam, int af, const char *a, int port, enum scen sc,
		     char *out, size_t outsz)
{
	struct sockaddr_storage ss;
	socklen_t l = mk(af, a, port, &ss);
	int one = 1, f1, f2, r1, r2, r3 = 0;

	f1 = socket(fam, SOCK_STREAM, 0);
	f2 = socket(fam, SOCK_STREAM, 0);
	if (f1 < 0 || f2 < 0) {
		snprintf(out, outsz, "socket:%s", R(errno));
		goto done;
	}
	switch (sc) {
	case SC_SAME_PORT:
		r1 = res(bind(f1, (struct sockaddr *)&ss, l));
		r2 = res(bind(f2, (struct sockaddr *)&ss, l));
		snprintf(out, outsz, "%s %s", R(r1), R(r2));
		break;
	case SC_REUSE_BOTH:
	case SC_REUSE_LISTEN:
	case SC_REUSE_ONE:
		if (sc != SC_REUSE_ONE)
			setsockopt(f1, SOL_SOCKET, SO_REUSEADDR, &one,
				   sizeof(one));
		setsockopt(f2, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		r1 = res(bind(f1, (struct sockaddr *)&ss, l));
		if (sc == SC_REUSE_LISTEN)
			r3 = res(listen(f1, 1));
		r2 = res(bind(f2, (struct sockaddr *)&ss, l));
		snprintf(out, outsz, "%s %s %s", R(r1), R(r3), R(r2));
		break;
	case SC_BIND_TWICE:
		r1 = res(bind(f1, (struct sockaddr *)&ss, l));
		r2 = res(bind(f1, (struct sockaddr *)&ss, l));
		snprintf(out, outsz, "%s %s", R(r1), R(r2));
		break;
	case SC_CLOSE_FREES:
		r1 = res(bind(f1, (struct sockaddr *)&ss, l));
		close(f1);
		f1 = -1;
		r2 = res(bind(f2, (struct sockaddr *)&ss, l));
		snprintf(out, outsz, "%s %s", R(r1), R(r2));
		break;
	}
done:
	if (f1 >= 0)
		close(f1);
	if (f2 >= 0)
		close(f2);
}

static void test_bind_rules(int af, const char *a)
{
	static const char *names[] = {
		[SC_SAME_PORT] = "second bind of the same port",
		[SC_REUSE_BOTH] = "SO_REUSEADDR on both, no listener",
		[SC_REUSE_LISTEN] = "SO_REUSEADDR on both, first listening",
		[SC_BIND_TWICE] = "bind twice on one socket",
		[SC_CLOSE_FREES] = "close frees the port (rebind)",
		[SC_REUSE_ONE] = "SO_REUSEADDR on second only",
	};
	for (int sc = SC_SAME_PORT; sc <= SC_REUSE_ONE; sc++) {
		char o[128], s[128];
		int p = free_port(af, a);

		run_scen(af, af, a, p, sc, o, sizeof(o));
		run_scen(subj == AF_XTCP ? AF_XTCP : af, af, a, p, sc, s,
			 sizeof(s));
		tap(!strcmp(o, s), "bind %s [%s]: %s: got '%s' oracle '%s'",
		    a, af == AF_INET ? "v4" : "v6", names[sc], s, o);
	}
}

static void read_range(int *lo, int *hi)
{
	FILE *f = fopen("/proc/sys/net/ipv4/ip_local_port_range", "r");

	*lo = 32768;
	*hi = 60999;
	if (f) {
		if (fscanf(f, "%d %d", lo, hi) != 2)
			tap_diag("cannot parse ip_local_port_range");
		fclose(f);
	}
}

static void test_bind_basic(int af, const char *a)
{
	struct sockaddr_storage ss, got;
	socklen_t l, gl = sizeof(got);
	int fd, p = free_port(af, a), lo, hi, r;
	const char *v = af == AF_INET ? "v4" : "v6";

	fd = ssock(af, SOCK_STREAM, 0);
	l = mk(af, a, p, &ss);
	r = res(bind(fd, (struct sockaddr *)&ss, l));
	memset(&got, 0, sizeof(got));
	getsockname(fd, (struct sockaddr *)&got, &gl);
	tap(!r && got.ss_family == af && sa_port(&got) == p,
	    "bind %s %s:%d explicit port, getsockname family=%d port=%d (%s)",
	    v, a, p, got.ss_family, sa_port(&got), R(r));
	close(fd);

	read_range(&lo, &hi);
	fd = ssock(af, SOCK_STREAM, 0);
	l = mk(af, a, 0, &ss);
	r = res(bind(fd, (struct sockaddr *)&ss, l));
	gl = sizeof(got);
	memset(&got, 0, sizeof(got));
	getsockname(fd, (struct sockaddr *)&got, &gl);
	tap(!r && sa_port(&got) >= lo && sa_port(&got) <= hi &&
	    gl == (af == AF_INET ? sizeof(struct sockaddr_in) :
		   sizeof(struct sockaddr_in6)),
	    "bind %s %s:0 picks ephemeral port %d in [%d,%d] (len %u, %s)",
	    v, a, sa_port(&got), lo, hi, gl, R(r));
	close(fd);
}

/* a call on a fresh subject socket vs on a fresh oracle socket */
enum badop {
	B_FAMILY, B_SHORTLEN, B_NULL, B_BADPTR, B_GETSOCKNAME,
	B_GETPEERNAME, B_V6_SHORT, B_CONNECT_FAMILY, B_LISTEN_UNBOUND_NAME,
};

static int do_bad(int fd, enum badop op, char *extra, size_t exsz)
{
	struct sockaddr_storage ss;
	struct sockaddr_in s4;
	socklen_t l = sizeof(ss);
	int r;

	memset(&s4, 0, sizeof(s4));
	s4.sin_family = AF_INET;
	s4.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	extra[0] = 0;
	switch (op) {
	case B_FAMILY:
		s4.sin_family = AF_UNIX;
		return res(bind(fd, (struct sockaddr *)&s4, sizeof(s4)));
	case B_SHORTLEN:
		return res(bind(fd, (struct sockaddr *)&s4, 4));
	case B_NULL:
		return res(bind(fd, NULL, sizeof(s4)));
	case B_BADPTR:
		return res(bind(fd, (struct sockaddr *)1, sizeof(s4)));
	case B_GETSOCKNAME:
		memset(&ss, 0xaa, sizeof(ss));
		r = res(getsockname(fd, (struct sockaddr *)&ss, &l));
		if (!r)
			snprintf(extra, exsz, " len=%u port=%d", l, sa_port(&ss));
		return r;
	case B_GETPEERNAME:
		return res(getpeername(fd, (struct sockaddr *)&ss, &l));
	case B_V6_SHORT: {
		struct sockaddr_in6 s6;

		memset(&s6, 0, sizeof(s6));
		s6.sin6_family = AF_INET6;
		s6.sin6_addr = in6addr_loopback;
		return res(bind(fd, (struct sockaddr *)&s6, 20));
	}
	case B_CONNECT_FAMILY:
		s4.sin_family = AF_UNIX;
		s4.sin_port = htons(9);
		return res(connect(fd, (struct sockaddr *)&s4, sizeof(s4)));
	case B_LISTEN_UNBOUND_NAME:
		r = res(listen(fd, 1));
		if (!r) {
			r = res(getsockname(fd, (struct sockaddr *)&ss, &l));
			if (!r)
				snprintf(extra, exsz, " autobound=%s",
					 sa_port(&ss) > 0 ? "yes" : "no");
		}
		return r;
	}
	return -1;
}

static void test_bad_args(void)
{
	static const struct { enum badop op; int af; const char *d; } t[] = {
		{ B_FAMILY, AF_INET, "bind sin_family=AF_UNIX" },
		{ B_SHORTLEN, AF_INET, "bind addrlen=4" },
		{ B_NULL, AF_INET, "bind NULL address, len>0" },
		{ B_BADPTR, AF_INET, "bind address (void*)1" },
		{ B_GETSOCKNAME, AF_INET, "getsockname on unbound socket" },
		{ B_GETPEERNAME, AF_INET, "getpeername on unconnected socket" },
		{ B_V6_SHORT, AF_INET6, "bind AF_INET6 with addrlen=20" },
		{ B_CONNECT_FAMILY, AF_INET, "connect sin_family=AF_UNIX" },
		{ B_LISTEN_UNBOUND_NAME, AF_INET,
		  "listen on unbound socket (autobind)" },
	};
	for (unsigned i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		char ox[64], sx[64];
		int of = socket(t[i].af, SOCK_STREAM, 0);
		int sf = ssock(t[i].af, SOCK_STREAM, 0);
		int oe = do_bad(of, t[i].op, ox, sizeof(ox));
		int se = sf >= 0 ? do_bad(sf, t[i].op, sx, sizeof(sx)) : errno;

		if (sf < 0)
			snprintf(sx, sizeof(sx), " (socket failed)");
		tap(sf >= 0 && oe == se && !strcmp(ox, sx),
		    "%s: %s%s (oracle %s%s)", t[i].d, R(se), sx, R(oe), ox);
		close(of);
		if (sf >= 0)
			close(sf);
	}
}

static int proc_lines(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[512];
	int n = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		n++;
	fclose(f);
	return n;
}

static void test_many(int n)
{
	struct sockaddr_storage ss;
	socklen_t l = mk(AF_INET, "127.0.0.1", 0, &ss);
	int bad = 0, first_err = 0, lines;

	for (int i = 0; i < n; i++) {
		int fd = ssock(AF_INET, SOCK_STREAM, 0);

		if (fd < 0 || bind(fd, (struct sockaddr *)&ss, l) < 0) {
			if (!bad++)
				first_err = errno;
		}
		if (fd >= 0)
			close(fd);
	}
	tap(!bad, "%d sockets opened, bound to port 0, closed (%d failed, "
	    "first %s)", n, bad, R(first_err));

	/* 1000 sockets open at once, then closed */
	{
		int *fds = calloc(n, sizeof(int)), opened = 0;
		int lo, hi, distinct = 1;

		read_range(&lo, &hi);
		for (int i = 0; i < n; i++) {
			fds[i] = ssock(AF_INET, SOCK_STREAM, 0);
			if (fds[i] < 0 ||
			    bind(fds[i], (struct sockaddr *)&ss, l) < 0)
				break;
			opened++;
		}
		{	/* ports distinct */
			char *seen = calloc(65536, 1);

			for (int i = 0; i < opened; i++) {
				struct sockaddr_storage g;
				socklen_t gl = sizeof(g);

				getsockname(fds[i], (struct sockaddr *)&g, &gl);
				if (seen[sa_port(&g) & 0xffff]++)
					distinct = 0;
			}
			free(seen);
		}
		tap(opened == n && distinct, "%d sockets bound at once to port 0"
		    " got distinct ephemeral ports (%d opened)", n, opened);
		for (int i = 0; i < opened; i++)
			close(fds[i]);
		if (opened < n && fds[opened] >= 0)
			close(fds[opened]);
		free(fds);
	}
	if (subj == AF_XTCP) {
		lines = proc_lines("/proc/net/xtcp");
		tap(lines == 1, "/proc/net/xtcp has only its header after "
		    "close (%d lines)", lines);
		lines = proc_lines("/proc/net/xtcp6");
		tap(lines == 1, "/proc/net/xtcp6 has only its header (%d lines)",
		    lines);
	}
}

static void on_term(int sig)
{
	(void)sig;	/* only interrupts sleep() */
}

static void close_rst(int fd)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };

	setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	close(fd);
}

/*
 * An AF_XTCP socket takes its family from its addresses: IPv6 options set
 * while a connect() to [::1] made it IPv6 stay on it when a later connect
 * to 127.0.0.1 makes it IPv4; closing must free them (kmemleak watches
 * this on the debug kernel). XTCP only: a Linux socket has one family.
 */
static void test_v6opt_family_change(void)
{
	static const unsigned char hop[8] = { 0, 0, 1, 4, 0, 0, 0, 0 };
	struct sockaddr_storage ss6, ls;
	socklen_t l6, ll = mk(AF_INET, "127.0.0.1", 0, &ls);
	int lfd = ssock(AF_INET, SOCK_STREAM, 0), c, a = -1, r = -1, e;

	if (subj != AF_XTCP)
		return;
	l6 = mk(AF_INET6, "::1", free_port(AF_INET6, "::1"), &ss6);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&ls, ll) ||
	    listen(lfd, 1)) {
		tap(0, "IPv6 options, then IPv4: listener: %s", R(errno));
		return;
	}
	ll = sizeof(ls);
	getsockname(lfd, (struct sockaddr *)&ls, &ll);
	c = ssock(AF_INET6, SOCK_STREAM, 0);
	e = res(connect(c, (struct sockaddr *)&ss6, l6));
	if (e == ECONNREFUSED)
		r = setsockopt(c, IPPROTO_IPV6, IPV6_HOPOPTS, hop,
			       sizeof(hop));
	tap(e == ECONNREFUSED && r == 0,
	    "connect to a closed [::1] port: %s; then IPV6_HOPOPTS: %s",
	    R(e), R(res(r)));
	r = connect(c, (struct sockaddr *)&ls, ll);
	if (!r)
		a = accept(lfd, NULL, NULL);
	tap(!r && a >= 0, "then connect to 127.0.0.1: %s, accepted %s",
	    R(res(r)), a >= 0 ? "yes" : "no");
	/* reset, not closed: no TIME-WAIT is left for later checks */
	if (a >= 0)
		close_rst(a);
	close_rst(c);
	close(lfd);
}

int main(int argc, char **argv)
{
	int c, n = 1000;

	while ((c = getopt(argc, argv, "f:n:H:")) != -1) {
		switch (c) {
		case 'H': {	/* hold one listening socket for N seconds */
			struct sockaddr_storage ss;
			socklen_t l = mk(AF_INET, "127.0.0.1", 0, &ss);
			int fd = ssock(AF_INET, SOCK_STREAM, 0);

			/* listening, so that /proc/net/xtcp lists it: as
			 * /proc/net/tcp, a socket only bound is in no table
			 */
			if (fd < 0 || bind(fd, (struct sockaddr *)&ss, l) < 0 ||
			    listen(fd, 1) < 0) {
				printf("error=%s\n", R(errno));
				return 1;
			}
			l = sizeof(ss);
			getsockname(fd, (struct sockaddr *)&ss, &l);
			printf("port=%d\n", sa_port(&ss));
			fflush(stdout);
			/* SIGTERM ends the hold early: the script holds the
			 * socket open exactly as long as its check needs
			 */
			signal(SIGTERM, on_term);
			sleep(atoi(optarg));
			return close(fd) ? 1 : 0;
		}
		case 'f': subj = parse_family(optarg); break;
		case 'n': n = atoi(optarg); break;
		default:
			fprintf(stderr, "usage: xtcp_sock_test [-f xtcp|tcp] "
				"[-n SOCKETS] [-H SECONDS: hold one listening socket "
				"(SIGTERM ends the hold)]\n");
			return 2;
		}
	}
	tap_diag("subject %s, oracle Linux AF_INET/AF_INET6",
		 subj == AF_XTCP ? "AF_XTCP" : "Linux TCP");
	test_socket_create();
	test_bind_basic(AF_INET, "127.0.0.1");
	test_bind_basic(AF_INET, "0.0.0.0");
	test_bind_basic(AF_INET6, "::1");
	test_bind_basic(AF_INET6, "::");
	test_bind_rules(AF_INET, "127.0.0.1");
	test_bind_rules(AF_INET6, "::1");
	test_bad_args();
	test_v6opt_family_change();
	test_many(n);
	printf("1..%d\n", tap_n);
	printf("# %d passed, %d failed\n", tap_n - tap_fail, tap_fail);
	return tap_fail ? 1 : 0;
}
