// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp_hostile: regression checks for XTCP's identity and API edge cases,
 * run the same way against XTCP and Linux TCP (over loopback). Each
 * prints key=value lines for the guest suite to compare.
 *
 *   xtcp_hostile tsopt  -f xtcp|tcp -p PORT
 *       SO_TIMESTAMPING with OPT_ID (and OPT_STATS|OPT_TSONLY) on a
 *       connected socket and a listener: errno of each, the flags read
 *       back, SO_PROTOCOL / SO_DOMAIN / SO_TYPE, then a transfer
 *   xtcp_hostile sin6_24 -f xtcp|tcp
 *       bind() and connect() with a 24-byte (RFC 2133) sockaddr_in6 to
 *       a link-local address: no scope id may be read from beyond the 24
 *       bytes (the kernel's copy is primed with a scope id first)
 *   xtcp_hostile unspec -f xtcp|tcp -p PORT
 *       connect to server A, queue unsent bytes, see A's FIN (EOF);
 *       connect(AF_UNSPEC); connect to server B: B must get only the new
 *       bytes, and the socket must read B's bytes (no stale EOF)
 *   xtcp_hostile sigio -f xtcp|tcp -p PORT
 *       O_ASYNC + F_SETOWN + F_SETSIG on a receiver: data from the peer
 *       must raise the signal with POLL_IN
 *   xtcp_hostile victims -f xtcp|tcp -a ADDR -p PORT [-n N] [-H SECS]
 *       N connections to an echo server that echo, idle SECS, echo again
 */
#include "xtcp_tools.h"

#include <fcntl.h>
#include <getopt.h>
#include <linux/net_tstamp.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>

static int fam;
static int port = 23000;
static int v6;

static socklen_t lo_addr(struct sockaddr_storage *ss, int p)
{
	return parse_addr(v6 ? "::1" : "127.0.0.1", p, ss);
}

static int xsock(void)
{
	return stream_socket(fam, v6 ? AF_INET6 : AF_INET, 0);
}

static int listener(int p)
{
	struct sockaddr_storage ss;
	socklen_t sl = lo_addr(&ss, p);
	int one = 1, fd = xsock();

	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, sl) || listen(fd, 8)) {
		close(fd);
		return -1;
	}
	return fd;
}

static int dial(int fd, int p)
{
	struct sockaddr_storage ss;
	socklen_t sl = lo_addr(&ss, p);

	return connect(fd, (struct sockaddr *)&ss, sl) ? -errno : 0;
}

static int acc(int lfd)
{
	struct pollfd pf = { .fd = lfd, .events = POLLIN };

	if (poll(&pf, 1, 10000) != 1)
		return -1;
	return accept(lfd, NULL, NULL);
}

static void set_timeouts(int fd)
{
	struct timeval tv = { .tv_sec = 10 };

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

static int getint(int fd, int level, int opt)
{
	int v = -1;
	socklen_t l = sizeof(v);

	if (getsockopt(fd, level, opt, &v, &l))
		return -errno;
	return v;
}

static int cmd_tsopt(void)
{
	int lfd = listener(port), c, s, e1, e2, e3;
	struct so_timestamping ts = { 0 };
	unsigned int f = SOF_TIMESTAMPING_OPT_ID | SOF_TIMESTAMPING_TX_SOFTWARE |
			 SOF_TIMESTAMPING_SOFTWARE;
	char buf[6];

	if (lfd < 0) {
		printf("error=listen:%s\n", ename(errno));
		return 1;
	}
	c = xsock();
	if (c < 0 || dial(c, port)) {
		printf("error=connect:%s\n", ename(errno));
		return 1;
	}
	s = acc(lfd);
	set_timeouts(c);
	set_timeouts(s);
	e1 = setsockopt(c, SOL_SOCKET, SO_TIMESTAMPING, &f, sizeof(f)) ?
	     errno : 0;
	f |= SOF_TIMESTAMPING_OPT_STATS | SOF_TIMESTAMPING_OPT_TSONLY;
	e2 = setsockopt(s, SOL_SOCKET, SO_TIMESTAMPING, &f, sizeof(f)) ?
	     errno : 0;
	f = SOF_TIMESTAMPING_OPT_ID | SOF_TIMESTAMPING_SOFTWARE;
	e3 = setsockopt(lfd, SOL_SOCKET, SO_TIMESTAMPING, &f, sizeof(f)) ?
	     errno : 0;
	ts.flags = getint(c, SOL_SOCKET, SO_TIMESTAMPING);
	printf("conn_set=%s accepted_set=%s listen_set=%s conn_flags=0x%x\n",
	       ename(e1), ename(e2), ename(e3), ts.flags);
	printf("so_protocol=%d so_domain=%d so_type=%d\n",
	       getint(c, SOL_SOCKET, SO_PROTOCOL),
	       getint(c, SOL_SOCKET, SO_DOMAIN),
	       getint(c, SOL_SOCKET, SO_TYPE));
	/* the sockets still carry data both ways */
	if (send(c, "hello", 5, 0) != 5 || recv(s, buf, 5, MSG_WAITALL) != 5 ||
	    memcmp(buf, "hello", 5) || send(s, "world", 5, 0) != 5 ||
	    recv(c, buf, 5, MSG_WAITALL) != 5 || memcmp(buf, "world", 5)) {
		printf("xfer=fail:%s\n", ename(errno));
		return 1;
	}
	printf("xfer=ok\n");
	close(c);
	close(s);
	close(lfd);
	return 0;
}

static int cmd_sin6_24(void)
{
	struct sockaddr_in6 a = { .sin6_family = AF_INET6 };
	int one = 1, fa, fb, e_bind, e_conn, e_prime;

	v6 = 1;
	inet_pton(AF_INET6, "fe80::1", &a.sin6_addr);
	a.sin6_scope_id = if_nametoindex("lo");
	/* prime the kernel's sockaddr_storage copy with a scope id: a full
	 * 28-byte bind of the same address through the same syscall, right
	 * before the 24-byte one
	 */
	fa = xsock();
	fb = xsock();
	setsockopt(fa, SOL_IP, IP_FREEBIND, &one, sizeof(one));
	setsockopt(fa, SOL_IPV6, IPV6_FREEBIND, &one, sizeof(one));
	setsockopt(fb, SOL_IP, IP_FREEBIND, &one, sizeof(one));
	setsockopt(fb, SOL_IPV6, IPV6_FREEBIND, &one, sizeof(one));
	e_prime = bind(fa, (struct sockaddr *)&a, sizeof(a)) ? errno : 0;
	e_bind = bind(fb, (struct sockaddr *)&a, 24) ? errno : 0;
	close(fa);
	close(fb);

	/* connect: primed the same way (that attempt itself may fail) */
	inet_pton(AF_INET6, "fe80::2", &a.sin6_addr);
	a.sin6_port = htons(9);
	fa = xsock();
	fb = xsock();
	fcntl(fa, F_SETFL, O_NONBLOCK);
	fcntl(fb, F_SETFL, O_NONBLOCK);
	connect(fa, (struct sockaddr *)&a, sizeof(a));
	e_conn = connect(fb, (struct sockaddr *)&a, 24) ? errno : 0;
	close(fa);
	close(fb);
	printf("prime_bind=%s bind24=%s connect24=%s\n", ename(e_prime),
	       ename(e_bind), ename(e_conn));
	return 0;
}

static int read_all(int fd, char *buf, int max)
{
	int n = 0, r;

	while (n < max && (r = recv(fd, buf + n, max - n, 0)) > 0)
		n += r;
	return r < 0 ? -errno : n;
}

static int cmd_unspec(void)
{
	int la = listener(port), lb = listener(port + 1), c, sa, sb, n, big;
	int small = 4096, one = 1;
	char *junk, buf[4096];
	struct sockaddr sa_un = { .sa_family = AF_UNSPEC };

	if (la < 0 || lb < 0) {
		printf("error=listen:%s\n", ename(errno));
		return 1;
	}
	/* A advertises a small window, so most of what c sends stays unsent */
	setsockopt(la, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
	c = xsock();
	setsockopt(c, IPPROTO_TCP, 1 /* TCP_NODELAY */, &one, sizeof(one));
	if (dial(c, port)) {
		printf("error=connect:%s\n", ename(errno));
		return 1;
	}
	sa = acc(la);
	set_timeouts(c);
	set_timeouts(sa);
	big = 512 * 1024;
	junk = malloc(big);
	memset(junk, 'J', big);
	big = send(c, junk, big, MSG_DONTWAIT);
	free(junk);
	/* A closes its side first: c sees EOF */
	shutdown(sa, SHUT_WR);
	n = recv(c, buf, sizeof(buf), 0);
	printf("queued=%d eof_before=%d\n", big, n);
	if (connect(c, &sa_un, sizeof(sa_un)))
		printf("unspec=%s\n", ename(errno));
	else
		printf("unspec=OK\n");
	close(sa);
	/* connect elsewhere with the same socket */
	if (dial(c, port + 1)) {
		printf("reconnect=%s\n", ename(errno));
		return 1;
	}
	sb = acc(lb);
	set_timeouts(sb);
	if (send(c, "new", 3, 0) != 3 || send(sb, "fromB", 5, 0) != 5) {
		printf("error=send:%s\n", ename(errno));
		return 1;
	}
	n = recv(c, buf, 5, MSG_WAITALL);
	printf("c_read=%d c_data=%.*s\n", n, n > 0 ? n : 0, buf);
	shutdown(c, SHUT_WR);
	n = read_all(sb, buf, sizeof(buf) - 1);
	printf("b_got=%d b_first=%.*s\n", n, n > 0 ? (n < 8 ? n : 8) : 0, buf);
	close(c);
	close(sb);
	close(la);
	close(lb);
	return 0;
}

static volatile sig_atomic_t sig_n, sig_band, sig_fd;

static void on_sig(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	sig_n++;
	sig_band = si->si_band;
	sig_fd = si->si_fd;
}

static int cmd_sigio(void)
{
	int lfd = listener(port), c, s, i;
	struct sigaction act = { .sa_sigaction = on_sig,
				 .sa_flags = SA_SIGINFO };
	int sig = SIGRTMIN + 1;
	char buf[64];

	sigaction(sig, &act, NULL);
	c = xsock();
	if (lfd < 0 || c < 0 || dial(c, port)) {
		printf("error=connect:%s\n", ename(errno));
		return 1;
	}
	s = acc(lfd);
	if (fcntl(s, F_SETOWN, getpid()) || fcntl(s, F_SETSIG, sig) ||
	    fcntl(s, F_SETFL, fcntl(s, F_GETFL) | O_ASYNC | O_NONBLOCK)) {
		printf("error=fcntl:%s\n", ename(errno));
		return 1;
	}
	/* nothing happened yet: no signal */
	usleep(200000);
	printf("sig_before=%d\n", (int)sig_n);
	sig_n = 0;
	if (send(c, "ping", 4, 0) != 4)
		return 1;
	for (i = 0; i < 500 && !sig_n; i++)
		usleep(10000);
	printf("sig_after_data=%d band_in=%d fd_ok=%d\n", (int)sig_n,
	       !!(sig_band & POLLIN), sig_fd == s);
	printf("read=%zd\n", recv(s, buf, sizeof(buf), 0));
	close(c);
	close(s);
	close(lfd);
	return 0;
}

/*
 * victims: N connections to an echo server at ADDR:PORT, each echoes 1000
 * bytes, idles @hold_s seconds (while a fuzzer hits it), echoes again,
 * then aborts (SO_LINGER 0). One line per connection:
 * "victim=I result=ok|ERRNAME|corrupt|desync" (desync: no echo within
 * 20 s, as when spoofed in-window data moved the peer's sequence space).
 */
static int cmd_victims(const char *addr, int n, int hold_s)
{
	struct sockaddr_storage ss;
	socklen_t sl = parse_addr(addr, port, &ss);
	struct linger lg = { 1, 0 };
	struct timeval tv = { .tv_sec = 20 };
	char out[1000], in[1000];
	int fd[64], i, r, round;
	const char *res[64];

	if (!sl || n < 1 || n > 64)
		return 2;
	memset(out, 'v', sizeof(out));
	for (i = 0; i < n; i++) {
		res[i] = "ok";
		fd[i] = stream_socket(fam, ss.ss_family, 0);
		setsockopt(fd[i], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		setsockopt(fd[i], SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
		if (connect(fd[i], (struct sockaddr *)&ss, sl)) {
			printf("victim=%d connect=%s\n", i, ename(errno));
			return 1;
		}
	}
	for (round = 0; round < 2; round++) {
		if (round)
			sleep(hold_s);
		for (i = 0; i < n; i++) {
			if (strcmp(res[i], "ok"))
				continue;
			if (send(fd[i], out, sizeof(out), MSG_NOSIGNAL) !=
			    (ssize_t)sizeof(out)) {
				res[i] = strdup(ename(errno));
				continue;
			}
			r = recv(fd[i], in, sizeof(in), MSG_WAITALL);
			if (r < 0 && errno == EAGAIN)
				res[i] = "desync";
			else if (r < 0)
				res[i] = strdup(ename(errno));
			else if (r != (int)sizeof(in) || memcmp(in, out, r))
				res[i] = "corrupt";
		}
	}
	for (i = 0; i < n; i++) {
		printf("victim=%d result=%s\n", i, res[i]);
		setsockopt(fd[i], SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		close(fd[i]);
	}
	return 0;
}

int main(int argc, char **argv)
{
	const char *addr = "127.0.0.1";
	int nv = 8, hold = 10;
	const char *cmd;
	int o;

	if (argc < 2)
		goto usage;
	cmd = argv[1];
	optind = 2;
	while ((o = getopt(argc, argv, "f:p:6a:n:H:")) != -1) {
		switch (o) {
		case 'a': addr = optarg; break;
		case 'n': nv = atoi(optarg); break;
		case 'H': hold = atoi(optarg); break;
		case 'f': fam = parse_family(optarg); break;
		case 'p': port = atoi(optarg); break;
		case '6': v6 = 1; break;
		default: goto usage;
		}
	}
	if (!strcmp(cmd, "tsopt"))
		return cmd_tsopt();
	if (!strcmp(cmd, "sin6_24"))
		return cmd_sin6_24();
	if (!strcmp(cmd, "unspec"))
		return cmd_unspec();
	if (!strcmp(cmd, "sigio"))
		return cmd_sigio();
	if (!strcmp(cmd, "victims"))
		return cmd_victims(addr, nv, hold);
usage:
	fprintf(stderr, "usage: xtcp_hostile tsopt|sin6_24|unspec|sigio|victims -f xtcp|tcp [-p PORT] [-6] [-a ADDR -n N -H SECS]\n");
	return 2;
}
