// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp_sender: sender-behaviour probes for XTCP and Linux TCP (the same
 * code for both, so a script can compare): keepalive and user-timeout
 * aborts, Nagle/TCP_NODELAY bursts of small writes, TCP_CORK/MSG_MORE
 * holds, and the socket options read back.
 *
 *   xtcp_sender server -f xtcp|tcp -b ADDR -p PORT [--ready-file F]
 *       accept one connection, read to EOF or error, print
 *       "bytes=N err=E"
 *   xtcp_sender client -f xtcp|tcp -a ADDR -p PORT --mode M [opts]
 *       idle    SO_KEEPALIVE with --idle/--intvl/--cnt, write --ready-file,
 *               wait for --go-file, block in recv(): "err=E ms=N" (ms from
 *               the go)
 *       ut      TCP_USER_TIMEOUT --ut MS; ready, go, then send --size bytes
 *               and wait for the error: "err=E ms=N" (ms from the send)
 *       burst   --count writes of --size bytes in a tight loop (TCP_NODELAY
 *               with --nodelay), then close: "writes=N"
 *       cork    TCP_CORK, --count writes of --size bytes; after --wait ms
 *               print the unsent bytes (SIOCOUTQNSD), uncork and print
 *               them again: "held=N after_uncork=N"
 *       corkmore  TCP_CORK, one write of --size bytes: ms until nothing is
 *               unsent any more and the RTO ("flush_ms=N rto_ms=N"); uncorked, after --wait ms,
 *               send(--size, MSG_MORE): "held=N", then send(--size):
 *               "after=N" (unsent bytes, a moment later)
 *       opts    set options, read them back before and after connect()
 *   common: [-t SECONDS] overall timeout (default 60)
 * Exit: 0 done, 1 failure, 2 usage.
 */
#include "xtcp_tools.h"

#include <fcntl.h>
#include <getopt.h>
#include <linux/sockios.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

static int fam = -1;
static const char *addr_s;
static int port = -1;
static const char *mode = "idle";
static const char *ready_file, *go_file;
static int idle = 1, intvl = 1, cnt = 3, ut_ms, nodelay;
static int size = 100, count = 100, wait_ms = 100, timeout_s = 60;

static void on_alarm(int sig)
{
	static const char m[] = "error=TIMEOUT\n";

	(void)sig;
	if (write(1, m, sizeof(m) - 1) < 0)
		_exit(3);
	_exit(3);
}

static void die(const char *what)
{
	printf("error=%s what=%s\n", ename(errno), what);
	exit(1);
}

static void setint(int fd, int level, int opt, int v, const char *what)
{
	if (setsockopt(fd, level, opt, &v, sizeof(v)))
		die(what);
}

static int getint(int fd, int level, int opt)
{
	int v = -12345;
	socklen_t l = sizeof(v);

	if (getsockopt(fd, level, opt, &v, &l))
		return -errno;
	return v;
}

static int unsent(int fd)
{
	int n = -1;

	if (ioctl(fd, SIOCOUTQNSD, &n))
		return -errno;
	return n;
}

/* the RTO in force (TCP_INFO tcpi_rto, us) in ms */
static int rto_ms(int fd)
{
	struct tcp_info ti;
	socklen_t l = sizeof(ti);

	memset(&ti, 0, sizeof(ti));
	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &l))
		return -1;
	return ti.tcpi_rto / 1000;
}

static void touch(const char *f)
{
	FILE *fp = fopen(f, "w");

	if (fp)
		fclose(fp);
}

static void wait_go(void)
{
	struct stat st;

	if (ready_file)
		touch(ready_file);
	while (go_file && stat(go_file, &st))
		usleep(10000);
}

static void msleep(int ms)
{
	usleep(ms * 1000);
}

static int do_connect(struct sockaddr_storage *ss, socklen_t sl, int fd)
{
	if (connect(fd, (struct sockaddr *)ss, sl))
		die("connect");
	return fd;
}

/* block until the connection fails (or EOF): the errno, 0 for EOF */
static int wait_error(int fd)
{
	char b[256];

	for (;;) {
		ssize_t n = recv(fd, b, sizeof(b), 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno;
		if (n == 0)
			return 0;
	}
}

static void opts_line(int fd, const char *tag)
{
	printf("%s nodelay=%d cork=%d keepidle=%d keepintvl=%d keepcnt=%d user_timeout=%d keepalive=%d",
	       tag, getint(fd, IPPROTO_TCP, TCP_NODELAY),
	       getint(fd, IPPROTO_TCP, TCP_CORK),
	       getint(fd, IPPROTO_TCP, TCP_KEEPIDLE),
	       getint(fd, IPPROTO_TCP, TCP_KEEPINTVL),
	       getint(fd, IPPROTO_TCP, TCP_KEEPCNT),
	       getint(fd, IPPROTO_TCP, TCP_USER_TIMEOUT),
	       getint(fd, SOL_SOCKET, SO_KEEPALIVE));
}

static int client(void)
{
	struct sockaddr_storage ss;
	socklen_t sl = parse_addr(addr_s, port, &ss);
	char *buf;
	double t0;
	int fd, i, e;

	if (!sl)
		return 2;
	buf = calloc(1, size > 0 ? size : 1);
	fd = stream_socket(fam, ss.ss_family, 0);
	if (fd < 0)
		die("socket");

	if (!strcmp(mode, "opts")) {
		opts_line(fd, "fresh");
		printf(" quickack=%d\n", getint(fd, IPPROTO_TCP, TCP_QUICKACK));
		setint(fd, IPPROTO_TCP, TCP_NODELAY, 1, "nodelay");
		setint(fd, IPPROTO_TCP, TCP_CORK, 1, "cork");
		setint(fd, IPPROTO_TCP, TCP_KEEPIDLE, 5, "keepidle");
		setint(fd, IPPROTO_TCP, TCP_KEEPINTVL, 3, "keepintvl");
		setint(fd, IPPROTO_TCP, TCP_KEEPCNT, 4, "keepcnt");
		setint(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, 1234, "ut");
		setint(fd, SOL_SOCKET, SO_KEEPALIVE, 1, "keepalive");
		setint(fd, IPPROTO_TCP, TCP_QUICKACK, 0, "quickack");
		opts_line(fd, "set");
		printf(" quickack=%d\n", getint(fd, IPPROTO_TCP, TCP_QUICKACK));
		do_connect(&ss, sl, fd);
		setint(fd, IPPROTO_TCP, TCP_QUICKACK, 1, "quickack");
		setint(fd, IPPROTO_TCP, TCP_CORK, 0, "uncork");
		setint(fd, IPPROTO_TCP, TCP_KEEPIDLE, 7, "keepidle");
		opts_line(fd, "connected");
		printf(" quickack=%d\n", getint(fd, IPPROTO_TCP, TCP_QUICKACK));
		printf("err_einval_keepcnt=%d err_einval_ut=%d\n",
		       setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &(int){ 0 },
				  sizeof(int)) ? errno : 0,
		       setsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT,
				  &(int){ -1 }, sizeof(int)) ? errno : 0);
		close(fd);
		return 0;
	}
	if (!strcmp(mode, "idle")) {
		setint(fd, SOL_SOCKET, SO_KEEPALIVE, 1, "keepalive");
		setint(fd, IPPROTO_TCP, TCP_KEEPIDLE, idle, "keepidle");
		setint(fd, IPPROTO_TCP, TCP_KEEPINTVL, intvl, "keepintvl");
		setint(fd, IPPROTO_TCP, TCP_KEEPCNT, cnt, "keepcnt");
		do_connect(&ss, sl, fd);
		wait_go();
		t0 = now_s();
		e = wait_error(fd);
		printf("err=%s ms=%.0f\n", ename(e), (now_s() - t0) * 1000);
		return 0;
	}
	if (!strcmp(mode, "ut")) {
		setint(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, ut_ms, "user_timeout");
		do_connect(&ss, sl, fd);
		wait_go();
		t0 = now_s();
		if (send(fd, buf, size, 0) != size)
			die("send");
		e = wait_error(fd);
		printf("err=%s ms=%.0f\n", ename(e), (now_s() - t0) * 1000);
		return 0;
	}
	do_connect(&ss, sl, fd);
	if (!strcmp(mode, "burst")) {
		if (nodelay)
			setint(fd, IPPROTO_TCP, TCP_NODELAY, 1, "nodelay");
		for (i = 0; i < count; i++)
			if (send(fd, buf, size, 0) != size)
				die("send");
		printf("writes=%d\n", count);
	} else if (!strcmp(mode, "cork")) {
		setint(fd, IPPROTO_TCP, TCP_CORK, 1, "cork");
		for (i = 0; i < count; i++)
			if (send(fd, buf, size, 0) != size)
				die("send");
		msleep(wait_ms);
		printf("held=%d", unsent(fd));
		setint(fd, IPPROTO_TCP, TCP_CORK, 0, "uncork");
		printf(" after_uncork=%d\n", unsent(fd));
	} else if (!strcmp(mode, "corkmore")) {
		setint(fd, IPPROTO_TCP, TCP_CORK, 1, "cork");
		t0 = now_s();
		if (send(fd, buf, size, 0) != size)
			die("send");
		while (unsent(fd) > 0 && now_s() - t0 < 5)
			usleep(1000);
		printf("flush_ms=%.0f rto_ms=%d ", (now_s() - t0) * 1000,
		       rto_ms(fd));
		setint(fd, IPPROTO_TCP, TCP_CORK, 0, "uncork");
		msleep(wait_ms);
		if (send(fd, buf, size, MSG_MORE) != size)
			die("send");
		msleep(wait_ms);
		printf("held=%d", unsent(fd));
		if (send(fd, buf, size, 0) != size)
			die("send");
		msleep(20);
		printf(" after=%d\n", unsent(fd));
	} else {
		return 2;
	}
	/* let the last bytes out before the FIN (close() would send them) */
	msleep(50);
	close(fd);
	return 0;
}

static int server(void)
{
	struct sockaddr_storage ss;
	socklen_t sl = parse_addr(addr_s, port, &ss);
	char b[65536];
	long long bytes = 0;
	int lfd, fd, e = 0;

	if (!sl)
		return 2;
	lfd = stream_socket(fam, ss.ss_family, 0);
	if (lfd < 0)
		die("socket");
	setint(lfd, SOL_SOCKET, SO_REUSEADDR, 1, "reuseaddr");
	if (bind(lfd, (struct sockaddr *)&ss, sl) || listen(lfd, 4))
		die("bind/listen");
	if (ready_file)
		touch(ready_file);
	fd = accept(lfd, NULL, NULL);
	if (fd < 0)
		die("accept");
	for (;;) {
		ssize_t n = recv(fd, b, sizeof(b), 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			e = errno;
			break;
		}
		if (!n)
			break;
		bytes += n;
	}
	printf("bytes=%lld err=%s\n", bytes, ename(e));
	close(fd);
	close(lfd);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "mode", 1, NULL, 'm' }, { "ready-file", 1, NULL, 'R' },
		{ "go-file", 1, NULL, 'G' }, { "idle", 1, NULL, 'I' },
		{ "intvl", 1, NULL, 'V' }, { "cnt", 1, NULL, 'C' },
		{ "ut", 1, NULL, 'U' }, { "nodelay", 0, NULL, 'N' },
		{ "size", 1, NULL, 's' }, { "count", 1, NULL, 'n' },
		{ "wait", 1, NULL, 'w' }, { NULL, 0, NULL, 0 },
	};
	const char *role;
	int c;

	if (argc < 2)
		return 2;
	role = argv[1];
	optind = 2;
	while ((c = getopt_long(argc, argv, "f:a:b:p:t:s:n:", lo, NULL)) != -1) {
		switch (c) {
		case 'f': fam = parse_family(optarg); break;
		case 'a': case 'b': addr_s = optarg; break;
		case 'p': port = atoi(optarg); break;
		case 't': timeout_s = atoi(optarg); break;
		case 'm': mode = optarg; break;
		case 'R': ready_file = optarg; break;
		case 'G': go_file = optarg; break;
		case 'I': idle = atoi(optarg); break;
		case 'V': intvl = atoi(optarg); break;
		case 'C': cnt = atoi(optarg); break;
		case 'U': ut_ms = atoi(optarg); break;
		case 'N': nodelay = 1; break;
		case 's': size = atoi(optarg); break;
		case 'n': count = atoi(optarg); break;
		case 'w': wait_ms = atoi(optarg); break;
		default: return 2;
		}
	}
	if (fam < 0 || !addr_s || port < 0)
		return 2;
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGALRM, on_alarm);
	alarm(timeout_s);
	if (!strcmp(role, "server"))
		return server();
	if (!strcmp(role, "client"))
		return client();
	return 2;
}
