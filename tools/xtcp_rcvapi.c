// SPDX-License-Identifier: GPL-2.0
/*
 * The receive-side API on XTCP and on Linux TCP in the same run:
 * SIOCINQ, SO_RCVLOWAT in poll(), MSG_PEEK, SO_PEEK_OFF and MSG_TRUNC on
 * a loopback pair (or across netns over the NIC), and a poll() blocked
 * under SO_RCVLOWAT woken by the data that completes it. Each step's
 * outcome (return values, errnos, the bytes read back) must be Linux's; SO_PEEK_OFF, which Linux
 * TCP has only since 6.9, is checked against the expected bytes when the
 * running Linux TCP does not support it. TAP output.
 * usage: xtcp_rcvapi [-p PORT] [-a ADDR -c NETNS]
 *   -a: the listener's IPv4 address (default 127.0.0.1); -c: the client
 *   socket is made in network namespace NETNS (/run/netns/NETNS), so the
 *   pair crosses a real NIC, where XTCP was seen copying a small segment
 *   into the skb queued before it (xtcp_try_coalesce; on loopback not
 *   checked)
 */
#include "xtcp_tools.h"

#include <fcntl.h>
#include <linux/sockios.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <sys/ioctl.h>

static int tn;
static const char *lst_addr = "127.0.0.1";
static const char *cli_ns;

/* a socket made in namespace @ns (NULL: ours), ours again after */
static int socket_in(const char *ns, int family)
{
	char path[256];
	int self, there, fd;

	if (!ns)
		return socket(family, SOCK_STREAM, 0);
	snprintf(path, sizeof(path), "/run/netns/%s", ns);
	self = open("/proc/self/ns/net", O_RDONLY);
	there = open(path, O_RDONLY);
	if (self < 0 || there < 0 || setns(there, CLONE_NEWNET)) {
		perror(path);
		exit(2);
	}
	fd = socket(family, SOCK_STREAM, 0);
	if (setns(self, CLONE_NEWNET)) {
		perror("setns back");
		exit(2);
	}
	close(self);
	close(there);
	return fd;
}

static void pair(int xtcp, int port, int *c, int *a)
{
	struct sockaddr_storage ss;
	socklen_t len = parse_addr(lst_addr, port, &ss);
	int l = socket(xtcp ? AF_XTCP : AF_INET, SOCK_STREAM, 0), one = 1;

	*c = socket_in(cli_ns, xtcp ? AF_XTCP : AF_INET);
	setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (l < 0 || *c < 0 || bind(l, (struct sockaddr *)&ss, len) ||
	    listen(l, 1) || connect(*c, (struct sockaddr *)&ss, len)) {
		perror("pair");
		exit(2);
	}
	*a = accept(l, NULL, NULL);
	if (*a < 0) {
		perror("accept");
		exit(2);
	}
	close(l);
}

/* SIOCINQ until it reads @want (up to 10 s): data crosses loopback
 * asynchronously
 */
static int inq_wait(int fd, int want)
{
	int v = -1, i;

	for (i = 0; i < 1000; i++) {
		if (ioctl(fd, SIOCINQ, &v))
			return -errno;
		if (v >= want)
			break;
		usleep(10000);
	}
	return v;
}

static void put(int fd, int from, int n)
{
	char b[512];
	int i;

	for (i = 0; i < n; i++)
		b[i] = 'A' + (from + i) % 26;
	if (write(fd, b, n) != n)
		exit(2);
}

struct late_put {
	int fd, from, n;
};

/* the peer's write 300 ms on, while the reader is blocked in poll() */
static void *put_late(void *arg)
{
	struct late_put *lp = arg;

	usleep(300000);
	put(lp->fd, lp->from, lp->n);
	return NULL;
}

/* "rc errno 'bytes'" of one recv() */
static void rcv(int fd, int n, int flags, char *out, size_t cap)
{
	char b[512] = "";
	ssize_t r = recv(fd, b, n, flags);
	int e = r < 0 ? errno : 0;

	if (r > 0 && (flags & MSG_TRUNC))
		b[0] = 0;	/* nothing copied: show none */
	snprintf(out, cap, "%zd %s '%.*s'", r, ename(e),
		 r > 0 && !(flags & MSG_TRUNC) ? (int)r : 0, b);
}

/* one stack's run: a line per step into @res[] */
static void run(int xtcp, int port, char res[][256], int *peek_ok)
{
	struct pollfd p;
	int c, a, v, lowat, off;

	pair(xtcp, port, &c, &a);
	put(c, 0, 100);
	snprintf(res[0], 256, "SIOCINQ %d", inq_wait(a, 100));
	lowat = 150;
	setsockopt(a, SOL_SOCKET, SO_RCVLOWAT, &lowat, sizeof(lowat));
	p = (struct pollfd){ .fd = a, .events = POLLIN };
	v = poll(&p, 1, 200);
	snprintf(res[1], 256, "poll with SO_RCVLOWAT 150 and 100 queued: %d",
		 v);
	put(c, 100, 100);
	inq_wait(a, 200);
	p.revents = 0;
	v = poll(&p, 1, 5000);
	snprintf(res[2], 256, "... after 100 more: %d revents %#x", v,
		 p.revents);
	lowat = 1;
	setsockopt(a, SOL_SOCKET, SO_RCVLOWAT, &lowat, sizeof(lowat));
	rcv(a, 10, MSG_PEEK, res[3], 256);
	rcv(a, 10, MSG_TRUNC, res[4], 256);
	rcv(a, 10, 0, res[5], 256);
	snprintf(res[6], 256, "SIOCINQ after reading 20: %d", inq_wait(a, 0));
	off = 5;
	*peek_ok = !setsockopt(a, SOL_SOCKET, SO_PEEK_OFF, &off, sizeof(off));
	if (*peek_ok) {
		char x[64], y[64], z[64];

		rcv(a, 10, MSG_PEEK, x, sizeof(x));	/* 25..34 */
		rcv(a, 10, MSG_PEEK, y, sizeof(y));	/* 35..44 */
		rcv(a, 10, 0, z, sizeof(z));		/* 20..29 */
		snprintf(res[7], 256, "SO_PEEK_OFF 5: %s | %s | read %s", x,
			 y, z);
		rcv(a, 5, MSG_PEEK, res[8], 256);	/* offset 15: 45.. */
		off = -1;
		setsockopt(a, SOL_SOCKET, SO_PEEK_OFF, &off, sizeof(off));
	} else {
		char z[64];

		snprintf(res[7], 256, "SO_PEEK_OFF unsupported (%s)",
			 ename(errno));
		res[8][0] = 0;
		rcv(a, 10, 0, z, sizeof(z));	/* as the branch above */
	}
	put(c, 200, 50);
	snprintf(res[9], 256, "SIOCINQ after 50 more: %d", inq_wait(a, 220));
	/* the wake: 40 queued under SO_RCVLOWAT 45, then 10 more sent while
	 * poll() sleeps. Over virtio-net XTCP copies those 10 bytes into the
	 * queued skb (xtcp_try_coalesce); before 2026-11-27 that woke nobody
	 * and this poll() returned 1 only when its time ran out
	 */
	{
		char drain[512];
		struct late_put lp = { c, 40, 10 };
		struct timespec t0, t1;
		pthread_t th;
		int got = 0;
		long ms;

		while (got < 220) {
			ssize_t r = recv(a, drain, sizeof(drain), 0);

			if (r <= 0)
				break;
			got += r;
		}
		put(c, 0, 40);
		inq_wait(a, 40);
		lowat = 45;
		setsockopt(a, SOL_SOCKET, SO_RCVLOWAT, &lowat, sizeof(lowat));
		p = (struct pollfd){ .fd = a, .events = POLLIN };
		if (pthread_create(&th, NULL, put_late, &lp))
			exit(2);
		clock_gettime(CLOCK_MONOTONIC, &t0);
		v = poll(&p, 1, 10000);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		pthread_join(th, NULL);
		/* poll() checks once more when its time is up: only the time
		 * taken tells a wake from a missed one
		 */
		ms = (t1.tv_sec - t0.tv_sec) * 1000 +
		     (t1.tv_nsec - t0.tv_nsec) / 1000000;
		snprintf(res[10], 256,
			 "poll blocked with SO_RCVLOWAT 45 and 40 queued, 10 more sent: %d revents %#x, woken before its 10 s ran out: %s, SIOCINQ %d",
			 v, p.revents, ms < 9000 ? "yes" : "no",
			 inq_wait(a, 50));
	}
	close(c);
	close(a);
}

static void compare(const char *x, const char *t)
{
	int same = !strcmp(x, t);

	printf("%s %d - %s%s%s\n", same ? "ok" : "not ok", ++tn, x,
	       same ? " (as Linux TCP)" : " | Linux TCP: ", same ? "" : t);
}

int main(int argc, char **argv)
{
	char x[11][256] = { { 0 } }, t[11][256] = { { 0 } };
	int port = 41900, opt, i, xpeek = 0, tpeek = 0;

	while ((opt = getopt(argc, argv, "p:a:c:")) != -1) {
		if (opt == 'p')
			port = atoi(optarg);
		else if (opt == 'a')
			lst_addr = optarg;
		else if (opt == 'c')
			cli_ns = optarg;
	}
	run(1, port, x, &xpeek);
	run(0, port + 1, t, &tpeek);
	for (i = 0; i < 7; i++)
		compare(x[i], t[i]);
	if (tpeek) {
		compare(x[7], t[7]);
		compare(x[8], t[8]);
	} else {
		/* by hand: the peek offset 5 skips "UVWXY" (bytes 20..24) */
		const char *w7 = "SO_PEEK_OFF 5: 10 OK 'ZABCDEFGHI' | 10 OK "
				 "'JKLMNOPQRS' | read 10 OK 'UVWXYZABCD'";
		const char *w8 = "5 OK 'TUVWX'";

		printf("%s %d - %s (Linux TCP here: %s)\n",
		       !strcmp(x[7], w7) ? "ok" : "not ok", ++tn, x[7], t[7]);
		printf("%s %d - SO_PEEK_OFF after a read: %s (expected %s)\n",
		       !strcmp(x[8], w8) ? "ok" : "not ok", ++tn, x[8], w8);
	}
	compare(x[9], t[9]);
	compare(x[10], t[10]);
	printf("1..%d\n", tn);
	return 0;
}
