// SPDX-License-Identifier: GPL-2.0
/*
 * Urgent data and splice() out of a socket, on XTCP and Linux TCP in the
 * same run, on loopback pairs: XTCP->XTCP, XTCP->TCP and TCP->XTCP must
 * each give the transcript TCP->TCP gives (bytes read, the out-of-band
 * byte, SIOCATMARK, SIOCINQ, poll's POLLPRI, SO_OOBINLINE, SIGURG, the
 * errnos). splice(): SPLICE_BYTES (10 MB) socket -> pipe -> memfd,
 * byte-exact, then EOF; EAGAIN on an empty O_NONBLOCK socket and on a
 * full pipe with SPLICE_F_NONBLOCK. TAP output.
 * usage: xtcp_oob [-p PORT] [-n SPLICE_BYTES]
 */
#include "xtcp_tools.h"

#include <fcntl.h>
#include <linux/sockios.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

static int port = 42100;
static volatile sig_atomic_t sigurgs;

static void on_sigurg(int sig)
{
	(void)sig;
	sigurgs++;
}

static int fam_socket(int xtcp)
{
	return socket(xtcp ? AF_XTCP : AF_INET, SOCK_STREAM, 0);
}

/* client of family @cx to a listener of family @sx: *c and *a */
static void pair(int cx, int sx, int *c, int *a)
{
	struct sockaddr_storage ss;
	socklen_t len = 0;
	int l = fam_socket(sx), one = 1, tries, r = -1;

	*c = fam_socket(cx);
	setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	/* an earlier client may hold the next port as its ephemeral one */
	for (tries = 0; l >= 0 && tries < 100; tries++) {
		len = parse_addr("127.0.0.1", port++, &ss);
		r = bind(l, (struct sockaddr *)&ss, len);
		if (!r || errno != EADDRINUSE)
			break;
	}
	if (l < 0 || *c < 0 || r ||
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

/* everything sent is acknowledged (so it is at the receiver), 10 s */
static void drained(int fd)
{
	int v = -1, i;

	for (i = 0; i < 1000; i++) {
		if (ioctl(fd, SIOCOUTQ, &v) || v == 0)
			return;
		usleep(10000);
	}
}

static char *tr;		/* the transcript */
static size_t trlen;

static void say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	trlen += vsnprintf(tr + trlen, 8192 - trlen, fmt, ap);
	va_end(ap);
	if (trlen < 8190)
		tr[trlen++] = ';';
}

static void r(int fd, int n, int flags, const char *what)
{
	char b[4096];
	ssize_t k = recv(fd, b, n, flags | MSG_DONTWAIT);
	int e = k < 0 ? errno : 0;

	if (k > 64)
		say("%s %zd bytes", what, k);
	else
		say("%s %zd %s '%.*s'", what, k, ename(e), k > 0 ? (int)k : 0,
		    b);
}

static void atmark(int fd)
{
	int v = -1;

	say("ATMARK %d", ioctl(fd, SIOCATMARK, &v) ? -errno : v);
}

static void inq(int fd)
{
	int v = -1;

	say("INQ %d", ioctl(fd, SIOCINQ, &v) ? -errno : v);
}

static void pollpri(int fd, int wait_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN | POLLPRI };
	int n = poll(&p, 1, wait_ms);

	say("poll %d %#x", n, n > 0 ? p.revents : 0);
}

static void snd(int fd, const char *s, int flags)
{
	ssize_t k = send(fd, s, strlen(s), flags | MSG_NOSIGNAL);

	if (k != (ssize_t)strlen(s))
		say("send '%s' %zd %s", s, k, ename(errno));
}

/* one scenario on a fresh pair; the sender is the client when @fwd */
static void scenario(int sc, int cx, int sx, int fwd, char *out)
{
	int c, a, s, d, one = 1;

	tr = out;
	trlen = 0;
	pair(cx, sx, &c, &a);
	s = fwd ? c : a;
	d = fwd ? a : c;
	sigurgs = 0;
	fcntl(d, F_SETOWN, getpid());
	switch (sc) {
	case 0:	/* out of band: the stream skips the byte */
		r(d, 10, MSG_OOB, "oob-before");
		atmark(d);
		pollpri(d, 0);
		snd(s, "abc", 0);
		snd(s, "X", MSG_OOB);
		snd(s, "def", 0);
		drained(s);
		pollpri(d, 5000);
		inq(d);
		atmark(d);
		r(d, 100, 0, "read");
		atmark(d);
		inq(d);
		pollpri(d, 0);
		r(d, 10, MSG_OOB | MSG_PEEK, "oob-peek");
		r(d, 10, MSG_OOB, "oob");
		r(d, 10, MSG_OOB, "oob-again");
		atmark(d);
		pollpri(d, 0);
		r(d, 100, MSG_PEEK, "peek");
		r(d, 100, 0, "read");
		atmark(d);
		r(d, 100, 0, "read-empty");
		break;
	case 1:	/* SO_OOBINLINE: the byte stays in the stream */
		setsockopt(d, SOL_SOCKET, SO_OOBINLINE, &one, sizeof(one));
		snd(s, "abc", 0);
		snd(s, "X", MSG_OOB);
		snd(s, "def", 0);
		drained(s);
		pollpri(d, 5000);
		inq(d);
		r(d, 100, 0, "read");
		atmark(d);
		inq(d);
		r(d, 10, MSG_OOB, "oob");
		r(d, 100, 0, "read");
		atmark(d);
		pollpri(d, 0);
		break;
	case 2:	/* a second mark supersedes the first */
		snd(s, "a", 0);
		snd(s, "X", MSG_OOB);
		snd(s, "b", 0);
		snd(s, "Y", MSG_OOB);
		snd(s, "c", 0);
		drained(s);
		pollpri(d, 5000);
		r(d, 100, 0, "read");
		atmark(d);
		r(d, 10, MSG_OOB, "oob");
		r(d, 100, 0, "read");
		break;
	case 3:	/* read past the mark without recv(MSG_OOB) */
		snd(s, "ab", 0);
		snd(s, "X", MSG_OOB);
		snd(s, "cd", 0);
		drained(s);
		pollpri(d, 5000);
		r(d, 100, 0, "read");
		r(d, 100, 0, "read");
		r(d, 10, MSG_OOB, "oob");
		atmark(d);
		pollpri(d, 0);
		break;
	case 4: {	/* the last byte of a large write is urgent */
		char big[3001];

		memset(big, 'q', 3000);
		big[2999] = 'Z';
		big[3000] = 0;
		snd(s, big, MSG_OOB);
		drained(s);
		pollpri(d, 5000);
		inq(d);
		r(d, 4000, 0, "read");
		atmark(d);
		r(d, 10, MSG_OOB, "oob");
		r(d, 100, 0, "read");
		break;
	}
	case 5: {	/* the reader at the mark with the byte read: a new
			 * mark takes the old byte out of the stream
			 */
		snd(s, "a", 0);
		snd(s, "X", MSG_OOB);
		drained(s);
		pollpri(d, 5000);
		r(d, 100, 0, "read");
		r(d, 10, MSG_OOB, "oob");
		snd(s, "b", 0);
		snd(s, "Y", MSG_OOB);
		drained(s);
		pollpri(d, 5000);
		atmark(d);
		r(d, 100, 0, "read");
		r(d, 10, MSG_OOB, "oob");
		r(d, 100, 0, "read");
		break;
	}
	}
	say("sigurg %d", sigurgs > 0);
	close(c);
	close(a);
	tr[trlen ? trlen - 1 : 0] = 0;
}

static const char *const sc_name[] = {
	"MSG_OOB: read stops at the mark, the byte out of band",
	"SO_OOBINLINE: the byte stays in the stream",
	"two marks: the second supersedes the first",
	"reading past the mark discards the urgent byte",
	"the last byte of a 3000-byte send(MSG_OOB)",
	"a new mark at the reader takes the read byte out",
};

#define NSC ((int)(sizeof(sc_name) / sizeof(sc_name[0])))

/* ---- splice() ---- */

struct feeder {
	int fd;
	size_t n;
};

static void *feed(void *arg)
{
	struct feeder *f = arg;
	unsigned char b[65536];
	struct stream st;
	size_t left = f->n;

	stream_init(&st, 42);
	while (left) {
		size_t k = left < sizeof(b) ? left : sizeof(b), o = 0;

		stream_fill(&st, b, k);
		while (o < k) {
			ssize_t w = send(f->fd, b + o, k - o, MSG_NOSIGNAL);

			if (w <= 0)
				return NULL;
			o += w;
		}
		left -= k;
	}
	shutdown(f->fd, SHUT_WR);
	return NULL;
}

/* socket -> pipe -> memfd; returns the transcript of the run */
static void splice_run(int cx, int sx, size_t n, char *out, size_t cap)
{
	int c, a, p[2], m, fl, e1, e2, full, eof;
	struct feeder f;
	pthread_t th;
	size_t got = 0;
	ssize_t k;
	unsigned char *map, *want;
	struct stream st;
	double t0;

	pair(cx, sx, &c, &a);
	if (pipe(p) || (m = memfd_create("xtcp_oob", 0)) < 0) {
		perror("pipe/memfd");
		exit(2);
	}
	/* nothing queued, O_NONBLOCK socket: EAGAIN */
	fl = fcntl(a, F_GETFL);
	fcntl(a, F_SETFL, fl | O_NONBLOCK);
	k = splice(a, NULL, p[1], NULL, 4096, SPLICE_F_NONBLOCK);
	e1 = k < 0 ? errno : 0;
	fcntl(a, F_SETFL, fl);
	/* a full pipe with SPLICE_F_NONBLOCK: EAGAIN (the pipe's side) */
	if (send(c, "0123456789", 10, 0) != 10)
		exit(2);
	drained(c);
	fcntl(p[1], F_SETFL, O_NONBLOCK);
	while (write(p[1], out, cap > 4096 ? 4096 : cap) > 0)
		;
	fcntl(p[1], F_SETFL, 0);
	k = splice(a, NULL, p[1], NULL, 4096, SPLICE_F_NONBLOCK);
	e2 = k < 0 ? errno : 0;
	full = (int)k;
	fcntl(p[0], F_SETFL, O_NONBLOCK);		/* empty the pipe */
	while (read(p[0], out, cap) > 0)
		;
	fcntl(p[0], F_SETFL, 0);
	/* the 10 bytes still queued: read them out */
	k = recv(a, out, 10, MSG_WAITALL);
	if (k != 10)
		exit(2);

	f.fd = c;
	f.n = n;
	t0 = now_s();
	pthread_create(&th, NULL, feed, &f);
	for (;;) {
		k = splice(a, NULL, p[1], NULL, 1 << 20, SPLICE_F_MOVE);
		if (k <= 0)
			break;
		got += k;
		while (k > 0) {
			ssize_t w = splice(p[0], NULL, m, NULL, k,
					   SPLICE_F_MOVE);

			if (w <= 0) {
				perror("splice pipe->memfd");
				exit(2);
			}
			k -= w;
		}
	}
	eof = (int)k;
	pthread_join(th, NULL);
	tap_diag("splice %s->%s: %zu bytes in %.2f s", cx ? "xtcp" : "tcp",
		 sx ? "xtcp" : "tcp", got, now_s() - t0);
	want = malloc(n);
	stream_init(&st, 42);
	stream_fill(&st, want, n);
	map = got ? mmap(NULL, got, PROT_READ, MAP_SHARED, m, 0) : NULL;
	snprintf(out, cap,
		 "empty O_NONBLOCK: %s; full pipe NONBLOCK: %d %s; %zu bytes, %s; end %d",
		 ename(e1), full, ename(e2), got,
		 got == n && map != MAP_FAILED && !memcmp(map, want, n) ?
		 "byte-exact" : "DIFFERENT", eof);
	if (map && map != MAP_FAILED)
		munmap(map, got);
	free(want);
	close(m);
	close(p[0]);
	close(p[1]);
	close(c);
	close(a);
}

static void compare(const char *what, const char *x, const char *t)
{
	int same = !strcmp(x, t);

	tap(same, "%s: %s", what, same ? "as Linux TCP" : "differs");
	if (!same) {
		tap_diag("got:       %s", x);
		tap_diag("Linux TCP: %s", t);
	}
}

int main(int argc, char **argv)
{
	static char ref[8192], got[8192];
	static const int combo[3][2] = { { 1, 1 }, { 1, 0 }, { 0, 1 } };
	static const char *const cname[3] = {
		"XTCP->XTCP", "XTCP->TCP", "TCP->XTCP"
	};
	size_t n = 10 << 20;
	int opt, sc, i, fwd;

	while ((opt = getopt(argc, argv, "p:n:")) != -1) {
		if (opt == 'p')
			port = atoi(optarg);
		else if (opt == 'n')
			n = strtoul(optarg, NULL, 0);
	}
	signal(SIGURG, on_sigurg);

	for (sc = 0; sc < NSC; sc++) {
		for (fwd = 1; fwd >= 0; fwd--) {
			scenario(sc, 0, 0, fwd, ref);
			if (sc == 0 && fwd)
				tap(strstr(ref, "oob 1 OK 'X'") &&
				    strstr(ref, "read 3 OK 'abc'") &&
				    strstr(ref, "read 3 OK 'def'") &&
				    strstr(ref, "ATMARK 1"),
				    "Linux TCP reference: 'abc', 'X' out of band, 'def'");
			for (i = 0; i < 3; i++) {
				/* sender -> receiver: client is the sender
				 * when fwd
				 */
				int cx = fwd ? combo[i][0] : combo[i][1];
				int sx = fwd ? combo[i][1] : combo[i][0];
				char what[160];

				scenario(sc, cx, sx, fwd, got);
				snprintf(what, sizeof(what), "%s %s (%s sends)",
					 cname[i], sc_name[sc],
					 fwd ? "client" : "server");
				compare(what, got, ref);
			}
			if (sc == 0 && fwd)
				tap_diag("reference: %s", ref);
		}
	}

	/* send(MSG_OOB) on a socket never connected: EPIPE */
	for (i = 0; i < 2; i++) {
		int fd = fam_socket(i);

		ref[i] = send(fd, "x", 1, MSG_OOB | MSG_NOSIGNAL) < 0 ?
			 (char)errno : 0;
		close(fd);
	}
	tap(ref[0] == ref[1] && ref[1] == EPIPE,
	    "send(MSG_OOB) unconnected: %s (Linux TCP %s)", ename(ref[1]),
	    ename(ref[0]));

	splice_run(0, 0, n, ref, sizeof(ref));
	tap(strstr(ref, "byte-exact") != NULL, "Linux TCP splice reference: %s",
	    ref);
	for (i = 0; i < 3; i++) {
		char what[80];

		splice_run(combo[i][0], combo[i][1], n, got, sizeof(got));
		snprintf(what, sizeof(what), "splice %s %zu bytes socket->pipe->file",
			 cname[i], n);
		compare(what, got, ref);
	}
	printf("1..%d\n", tap_n);
	return tap_fail ? 1 : 0;
}
