// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp_mem: programs for the memory tests (scripts/guest-mem.sh). The
 * stream content is the byte pattern PAT(i) of its offset, so every
 * receiver checks what it read byte by byte.
 *
 *   xtcp_mem sink -f xtcp|tcp -b ADDR -p PORT [-n CONNS] [-r RCVBUF]
 *                 -g GOFILE [-t SECS]
 *     accept CONNS connections (prints "accepted N"), read nothing until
 *     GOFILE exists, then read every connection to EOF; prints
 *     "read BYTES bad OFFSET|-1 resets R" (resets: connections that ended
 *     with ECONNRESET)
 *   xtcp_mem blast -f xtcp|tcp -a ADDR -p PORT [-n CONNS] -s BYTES
 *                 [-S SNDBUF] [-t SECS]
 *     CONNS connections, BYTES each, non-blocking writes driven by poll();
 *     then shutdown(SHUT_WR) and close at the peer's EOF (a close with
 *     unacked data above net.xtcp.mem[2] would reset, as Linux's
 *     tcp_check_oom); prints "sent BYTES eagain N left L"
 *   xtcp_mem sndfull -f xtcp|tcp -a ADDR -p PORT [-S SNDBUF] -g GOFILE
 *     fill the send buffer with non-blocking send() until EAGAIN (never
 *     ENOBUFS), check poll() has no POLLOUT, create GOFILE (the peer
 *     reads), wait for POLLOUT; TAP lines
 *   xtcp_mem orphans -f xtcp|tcp -a ADDR -p PORT -n CONNS [-S SNDBUF]
 *     CONNS connections filled until EAGAIN (the peer does not read),
 *     then all closed: orphans in a zero window; prints "closed N"
 */
#include "xtcp_tools.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>

#define PAT(i) ((unsigned char)((i) * 131 + 7))
#define MAXC 256

static int fam = AF_XTCP, port, nconn = 1, rcvbuf, sndbuf, secs = 120;
static const char *addr, *gofile;
static long long bytes;

static void die(const char *what)
{
	fprintf(stderr, "xtcp_mem: %s: %s\n", what, strerror(errno));
	exit(1);
}

static int sock_for(struct sockaddr_storage *ss, socklen_t *len, int flags)
{
	int fd;

	*len = parse_addr(addr, port, ss);
	if (!*len) {
		fprintf(stderr, "bad address %s\n", addr);
		exit(2);
	}
	fd = stream_socket(fam, ss->ss_family, flags);
	if (fd < 0)
		die("socket");
	if (rcvbuf && setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf,
				 sizeof(rcvbuf)))
		die("SO_RCVBUF");
	if (sndbuf && setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf,
				 sizeof(sndbuf)))
		die("SO_SNDBUF");
	return fd;
}

static int do_connect(int flags)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd = sock_for(&ss, &len, 0);

	if (connect(fd, (struct sockaddr *)&ss, len))
		die("connect");
	if (flags)
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | flags);
	return fd;
}

static void fill(unsigned char *b, long long off, size_t n)
{
	for (size_t i = 0; i < n; i++)
		b[i] = PAT(off + (long long)i);
}

static int sink(void)
{
	struct sockaddr_storage ss;
	struct pollfd pfd[MAXC];
	long long got[MAXC] = { 0 }, total = 0, bad = -1;
	unsigned char buf[65536];
	int one = 1, lfd, n, open_n, resets = 0;
	double end;
	socklen_t len;

	lfd = sock_for(&ss, &len, 0);
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(lfd, (struct sockaddr *)&ss, len) || listen(lfd, MAXC))
		die("bind/listen");
	printf("listening\n");
	fflush(stdout);
	for (n = 0; n < nconn; n++) {
		pfd[n].fd = accept(lfd, NULL, NULL);
		if (pfd[n].fd < 0)
			die("accept");
		pfd[n].events = POLLIN;
	}
	printf("accepted %d\n", nconn);
	fflush(stdout);
	end = now_s() + secs;
	while (access(gofile, F_OK)) {
		if (now_s() > end) {
			fprintf(stderr, "xtcp_mem: no %s\n", gofile);
			return 1;
		}
		usleep(50000);
	}
	open_n = nconn;
	while (open_n && now_s() < end) {
		if (poll(pfd, nconn, 1000) < 0)
			die("poll");
		for (n = 0; n < nconn; n++) {
			ssize_t r;

			if (pfd[n].fd < 0 || !pfd[n].revents)
				continue;
			r = read(pfd[n].fd, buf, sizeof(buf));
			if (r > 0) {
				for (ssize_t i = 0; i < r && bad < 0; i++)
					if (buf[i] != PAT(got[n] + i))
						bad = got[n] + i;
				got[n] += r;
				total += r;
				continue;
			}
			if (r < 0 && errno == EAGAIN)
				continue;
			if (r < 0 && errno == ECONNRESET)
				resets++;
			close(pfd[n].fd);
			pfd[n].fd = -1;
			open_n--;
		}
	}
	printf("read %lld bad %lld resets %d open %d\n", total, bad, resets,
	       open_n);
	return open_n ? 1 : 0;
}

static int blast(void)
{
	struct pollfd pfd[MAXC];
	long long sent[MAXC] = { 0 }, total = 0;
	unsigned char buf[16384];
	int n, left = nconn;
	long eagain = 0;
	double end = now_s() + secs;

	for (n = 0; n < nconn; n++) {
		pfd[n].fd = do_connect(O_NONBLOCK);
		pfd[n].events = POLLOUT;
	}
	while (left && now_s() < end) {
		if (poll(pfd, nconn, 1000) < 0)
			die("poll");
		for (n = 0; n < nconn; n++) {
			size_t want;
			ssize_t w;

			if (pfd[n].fd < 0 || !pfd[n].revents)
				continue;
			if (sent[n] == bytes) {
				/* sent and shut: wait for the reader's EOF */
				if (recv(pfd[n].fd, buf, sizeof(buf), 0) < 0 &&
				    errno == EAGAIN)
					continue;
				close(pfd[n].fd);
				pfd[n].fd = -1;
				left--;
				continue;
			}
			if (!(pfd[n].revents & POLLOUT))
				continue;
			want = bytes - sent[n] < (long long)sizeof(buf) ?
			       (size_t)(bytes - sent[n]) : sizeof(buf);
			fill(buf, sent[n], want);
			w = send(pfd[n].fd, buf, want, MSG_NOSIGNAL);
			if (w < 0 && errno == EAGAIN) {
				eagain++;
				continue;
			}
			if (w < 0)
				die("send");
			sent[n] += w;
			total += w;
			if (sent[n] == bytes) {
				if (shutdown(pfd[n].fd, SHUT_WR))
					die("shutdown");
				pfd[n].events = POLLIN;
			}
		}
	}
	printf("sent %lld eagain %ld left %d\n", total, eagain, left);
	return left ? 1 : 0;
}

/* send() until EAGAIN; returns the bytes queued */
static long long fill_until_eagain(int fd, int *err)
{
	unsigned char buf[4096];
	long long off = 0;

	for (;;) {
		ssize_t w;

		fill(buf, off, sizeof(buf));
		w = send(fd, buf, sizeof(buf), MSG_DONTWAIT | MSG_NOSIGNAL);
		if (w < 0) {
			*err = errno;
			return off;
		}
		off += w;
		if (off > (1LL << 30)) {
			*err = 0;
			return off;
		}
	}
}

static int sndfull(void)
{
	struct pollfd p;
	long long n;
	int fd, err, r, fdg;
	double t;

	fd = do_connect(0);
	n = fill_until_eagain(fd, &err);
	tap(err == EAGAIN, "non-blocking send with a full send buffer: %s after %lld bytes",
	    ename(err), n);
	p = (struct pollfd){ .fd = fd, .events = POLLOUT };
	r = poll(&p, 1, 0);
	tap(r == 0, "poll: no POLLOUT while the send buffer is full (revents %#x)",
	    p.revents);
	fdg = open(gofile, O_CREAT | O_WRONLY, 0644);
	if (fdg >= 0)
		close(fdg);
	t = now_s();
	p.revents = 0;
	r = poll(&p, 1, secs * 1000);
	tap(r == 1 && (p.revents & POLLOUT),
	    "poll reports POLLOUT again after the peer reads (%.2f s)",
	    now_s() - t);
	n = fill_until_eagain(fd, &err);
	tap(n > 0 && err == EAGAIN, "send takes %lld more bytes, then %s", n,
	    ename(err));
	close(fd);
	return tap_fail ? 1 : 0;
}

static int orphans(void)
{
	int fds[MAXC], n, err;
	long long b;

	for (n = 0; n < nconn; n++) {
		fds[n] = do_connect(0);
		b = fill_until_eagain(fds[n], &err);
		if (err != EAGAIN) {
			fprintf(stderr, "xtcp_mem: fill %d: %s\n", n, ename(err));
			return 1;
		}
		printf("filled %d %lld\n", n, b);
	}
	/* let the peers' windows close on everything in flight */
	sleep(2);
	for (n = 0; n < nconn; n++)
		close(fds[n]);
	printf("closed %d\n", nconn);
	return 0;
}

int main(int argc, char **argv)
{
	const char *cmd;
	int c;

	if (argc < 2) {
		fprintf(stderr, "usage: see the head of xtcp_mem.c\n");
		return 2;
	}
	cmd = argv[1];
	optind = 2;
	while ((c = getopt(argc, argv, "f:a:b:p:n:r:S:s:g:t:")) != -1) {
		switch (c) {
		case 'f': fam = parse_family(optarg); break;
		case 'a': case 'b': addr = optarg; break;
		case 'p': port = atoi(optarg); break;
		case 'n': nconn = atoi(optarg); break;
		case 'r': rcvbuf = atoi(optarg); break;
		case 'S': sndbuf = atoi(optarg); break;
		case 's': bytes = atoll(optarg); break;
		case 'g': gofile = optarg; break;
		case 't': secs = atoi(optarg); break;
		default: return 2;
		}
	}
	if (!addr || !port || nconn < 1 || nconn > MAXC) {
		fprintf(stderr, "xtcp_mem: -a/-b, -p and 1 <= -n <= %d needed\n",
			MAXC);
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	if (!strcmp(cmd, "sink") && gofile)
		return sink();
	if (!strcmp(cmd, "blast") && bytes > 0)
		return blast();
	if (!strcmp(cmd, "sndfull") && gofile)
		return sndfull();
	if (!strcmp(cmd, "orphans"))
		return orphans();
	fprintf(stderr, "xtcp_mem: bad command or missing option\n");
	return 2;
}
