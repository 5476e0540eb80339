// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp_sysfuzz: a socket-API fuzzer for AF_XTCP (trinity cannot create
 * AF_XTCP sockets). Several threads drive random sequences of socket(),
 * setsockopt()/getsockopt() at every level with random option numbers,
 * lengths and values, bind()/connect() with random address bytes and
 * lengths, listen(), accept4(), send()/recv() with random flags, ioctl(),
 * shutdown(), poll() and close() on a shared pool of descriptors, so the
 * sockets pass through every state (fresh, bound, listening, connecting,
 * connected, closed) and calls race each other. Seeded; bounded by time.
 *
 *   xtcp_sysfuzz [-t SECS] [-j THREADS] [-S SEED] [-f xtcp|tcp]
 *
 * Run it as root in a network namespace of its own: random ioctls reach
 * the device ioctls of that namespace. Every socket is non-blocking and
 * SO_LINGER is capped at 1 s, so no call blocks for long. Prints
 * "calls=N seed=S" and per-call counts.
 */
#include "xtcp_tools.h"

#include <fcntl.h>
#include <getopt.h>
#include <linux/sockios.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/ioctl.h>

#define NFD 24

static int fds[NFD];
static pthread_mutex_t fd_lock = PTHREAD_MUTEX_INITIALIZER;
static double end_time;
static int fam = AF_XTCP;

enum { OP_SOCKET, OP_SETOPT, OP_GETOPT, OP_BIND, OP_CONNECT, OP_LISTEN,
       OP_ACCEPT, OP_SEND, OP_RECV, OP_IOCTL, OP_SHUTDOWN, OP_CLOSE,
       OP_POLL, OP_NAME, OP_SERVER, OP_CLIENT, OP_MAX };
static const char *const op_names[OP_MAX] = {
	"socket", "setsockopt", "getsockopt", "bind", "connect", "listen",
	"accept", "send", "recv", "ioctl", "shutdown", "close", "poll", "name",
	"server", "client",
};
static unsigned long op_count[OP_MAX], op_ok[OP_MAX];

static uint64_t next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static uint32_t rnd(uint64_t *s)
{
	return (uint32_t)(next(s) >> 17);
}

static int pick_fd(uint64_t *s)
{
	int fd;

	pthread_mutex_lock(&fd_lock);
	fd = fds[rnd(s) % NFD];
	pthread_mutex_unlock(&fd_lock);
	return fd;
}

/* put @fd in a random slot, closing what was there */
static void put_fd(uint64_t *s, int fd)
{
	int i = rnd(s) % NFD, old;

	pthread_mutex_lock(&fd_lock);
	old = fds[i];
	fds[i] = fd;
	pthread_mutex_unlock(&fd_lock);
	if (old >= 0)
		close(old);
}

static void tame(int fd)
{
	struct timeval tv = { .tv_usec = 100000 };

	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

static int new_socket(uint64_t *s)
{
	static const int protos[] = { 0, IPPROTO_TCP, IPPROTO_UDP, 255, -1 };
	int type = (rnd(s) % 8) ? SOCK_STREAM : (int)(rnd(s) % 12);
	int proto = (rnd(s) % 4) ? 0 : protos[rnd(s) % 5];

	if (fam != AF_XTCP)
		return socket(rnd(s) & 1 ? AF_INET6 : AF_INET, SOCK_STREAM, 0);
	return socket(AF_XTCP, type | SOCK_CLOEXEC, proto);
}

/* random bytes, biased towards small integers in the first word */
static void fill(uint64_t *s, uint8_t *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		b[i] = rnd(s);
	if (n >= 4 && (rnd(s) & 1)) {
		static const int vals[] = { 0, 1, -1, 2, 4, 8, 255, 256, 4096,
					    65535, 65536, 0x7fffffff };
		int v = vals[rnd(s) % 12];

		memcpy(b, &v, 4);
	}
}

static int rand_level(uint64_t *s)
{
	static const int lv[] = { SOL_SOCKET, IPPROTO_IP, IPPROTO_IPV6,
				  IPPROTO_TCP, SOL_XTCP };

	return rnd(s) % 16 ? lv[rnd(s) % 5] : (int)rnd(s);
}

static socklen_t rand_len(uint64_t *s)
{
	static const socklen_t l[] = { 0, 1, 2, 3, 4, 8, 12, 16, 24, 28, 32,
				       64, 128, 256 };

	return l[rnd(s) % 14];
}

static void do_setopt(uint64_t *s, int fd, int *ok)
{
	uint8_t b[256];
	int level = rand_level(s), opt = rnd(s) % 90;
	socklen_t len = rand_len(s);

	fill(s, b, sizeof(b));
	if (level == SOL_SOCKET && opt == SO_LINGER) {
		struct linger l = { rnd(s) & 1, rnd(s) & 1 };

		memcpy(b, &l, sizeof(l));
	}
	if (level == SOL_SOCKET && (opt == SO_RCVTIMEO_OLD ||
				    opt == SO_SNDTIMEO_OLD))
		memset(b, 0, 8);	/* stay bounded */
	*ok = !setsockopt(fd, level, opt, b, len);
}

static void do_getopt(uint64_t *s, int fd, int *ok)
{
	uint8_t b[512];
	int level = rand_level(s), opt = rnd(s) % 90;
	socklen_t len = rand_len(s);

	if (rnd(s) % 16 == 0)
		len = rnd(s);	/* absurd lengths: must be clamped */
	if (len > sizeof(b))
		len = rnd(s) % 2 ? sizeof(b) : len;
	if (len > sizeof(b)) {
		/* an absurd length with a NULL buffer: EFAULT, not a copy */
		*ok = !getsockopt(fd, level, opt, NULL, &len);
		return;
	}
	*ok = !getsockopt(fd, level, opt, b, &len);
}

static socklen_t rand_addr(uint64_t *s, struct sockaddr_storage *ss)
{
	static const char *const a4[] = { "127.0.0.1", "0.0.0.0", "127.0.0.2",
					  "224.0.0.1", "255.255.255.255" };
	static const char *const a6[] = { "::1", "::", "fe80::1", "ff02::1",
					  "::ffff:127.0.0.1" };
	socklen_t len;
	int port = 30000 + rnd(s) % 8;	/* few ports: sockets meet */

	if (rnd(s) % 8 == 0) {
		fill(s, (uint8_t *)ss, sizeof(*ss));
		len = rnd(s) % 40;
		return len;
	}
	if (rnd(s) & 1) {
		len = parse_addr(a4[rnd(s) % 5], port, ss);
	} else {
		len = parse_addr(a6[rnd(s) % 5], port, ss);
		if (rnd(s) & 1)
			((struct sockaddr_in6 *)ss)->sin6_scope_id = rnd(s) % 3;
	}
	switch (rnd(s) % 8) {
	case 0: len = rnd(s) % (len + 1); break;	/* short */
	case 1: len = 24; break;			/* RFC 2133 */
	case 2: ss->ss_family = rnd(s) % 4 ? AF_UNSPEC : rnd(s); break;
	default: break;
	}
	return len;
}

static void do_ioctl(uint64_t *s, int fd, int *ok)
{
	static const unsigned long cmds[] = {
		SIOCINQ, SIOCOUTQ, FIONBIO, FIOASYNC, SIOCATMARK,
		SIOCGSTAMP_OLD, SIOCGSTAMPNS_OLD, SIOCGIFNAME, SIOCGIFCONF,
		SIOCGIFFLAGS, SIOCGIFMTU, SIOCOUTQNSD, TIOCOUTQ, FIONREAD,
	};
	uint8_t b[256];
	unsigned long cmd = cmds[rnd(s) % 14];

	fill(s, b, sizeof(b));
	if (cmd == FIONBIO)
		memset(b, 1, 4);	/* never make a socket blocking */
	if (cmd == SIOCGIFCONF)
		memset(b, 0, sizeof(b));
	if (rnd(s) % 8 == 0)
		cmd = 0x8900 + rnd(s) % 0x100;	/* socket/device ioctls */
	if (cmd == 0x8914 || cmd == 0x8916 || cmd == 0x8922 ||
	    cmd == 0x8924 || cmd == 0x8934)
		cmd = SIOCINQ;	/* keep lo up and its MTU sane */
	*ok = !ioctl(fd, cmd, b);
}

static void *worker(void *arg)
{
	uint64_t st = (uint64_t)(uintptr_t)arg, *s = &st;
	static uint8_t zeros[65536];
	uint8_t buf[65536];
	unsigned long cnt[OP_MAX] = { 0 }, okc[OP_MAX] = { 0 };
	int i;

	while (now_s() < end_time) {
		struct sockaddr_storage ss;
		socklen_t sl;
		int op = rnd(s) % OP_MAX, fd = pick_fd(s), ok = 0, nfd;

		if (fd < 0)
			op = OP_SOCKET;
		cnt[op]++;
		switch (op) {
		case OP_SOCKET:
			nfd = new_socket(s);
			if (nfd >= 0) {
				tame(nfd);
				put_fd(s, nfd);
				ok = 1;
			}
			break;
		case OP_SETOPT:
			do_setopt(s, fd, &ok);
			break;
		case OP_GETOPT:
			do_getopt(s, fd, &ok);
			break;
		case OP_BIND:
			sl = rand_addr(s, &ss);
			ok = !bind(fd, (struct sockaddr *)&ss, sl);
			break;
		case OP_CONNECT:
			sl = rand_addr(s, &ss);
			ok = !connect(fd, (struct sockaddr *)&ss, sl);
			break;
		case OP_LISTEN:
			ok = !listen(fd, (int)(rnd(s) % 8) - 1);
			break;
		case OP_ACCEPT:
			sl = sizeof(ss);
			nfd = accept4(fd, (struct sockaddr *)&ss, &sl,
				      SOCK_NONBLOCK | SOCK_CLOEXEC);
			if (nfd >= 0) {
				tame(nfd);
				put_fd(s, nfd);
				ok = 1;
			}
			break;
		case OP_SEND: {
			int fl = MSG_DONTWAIT | MSG_NOSIGNAL;
			size_t n = rnd(s) % 4 ? rnd(s) % 2048 :
				   rnd(s) % sizeof(zeros);

			if (rnd(s) % 4 == 0)
				fl |= rnd(s) & (MSG_OOB | MSG_MORE | MSG_EOR |
						MSG_PEEK | MSG_WAITALL |
						MSG_FASTOPEN | MSG_ZEROCOPY |
						MSG_CONFIRM);
			ok = send(fd, zeros, n, fl) >= 0;
			break;
		}
		case OP_RECV: {
			int fl = MSG_DONTWAIT;

			if (rnd(s) % 3 == 0)
				fl |= rnd(s) & (MSG_OOB | MSG_PEEK | MSG_TRUNC |
						MSG_WAITALL | MSG_ERRQUEUE |
						MSG_CMSG_CLOEXEC);
			ok = recv(fd, rnd(s) % 16 ? buf : NULL,
				  rnd(s) % sizeof(buf), fl) >= 0;
			break;
		}
		case OP_IOCTL:
			do_ioctl(s, fd, &ok);
			break;
		case OP_SHUTDOWN:
			ok = !shutdown(fd, (int)(rnd(s) % 5) - 1);
			break;
		case OP_CLOSE:
			pthread_mutex_lock(&fd_lock);
			for (i = 0; i < NFD; i++)
				if (fds[i] == fd)
					fds[i] = -1;
			pthread_mutex_unlock(&fd_lock);
			/* another thread may still be inside a call on it:
			 * that race is part of the test
			 */
			ok = !close(fd);
			break;
		case OP_POLL: {
			struct pollfd p = { .fd = fd, .events = POLLIN |
					    POLLOUT | POLLPRI | POLLRDHUP };

			ok = poll(&p, 1, rnd(s) % 3) >= 0;
			break;
		}
		case OP_SERVER:	/* a listener on one of the shared ports */
		case OP_CLIENT:	/* a connection to one of them */
			nfd = new_socket(s);
			if (nfd < 0)
				break;
			tame(nfd);
			sl = parse_addr(rnd(s) & 1 ? "127.0.0.1" : "::1",
					30000 + rnd(s) % 8, &ss);
			if (op == OP_SERVER) {
				int one = 1;

				setsockopt(nfd, SOL_SOCKET, SO_REUSEADDR, &one,
					   sizeof(one));
				ok = !bind(nfd, (struct sockaddr *)&ss, sl) &&
				     !listen(nfd, 4);
			} else {
				ok = !connect(nfd, (struct sockaddr *)&ss, sl) ||
				     errno == EINPROGRESS;
			}
			put_fd(s, nfd);
			break;
		case OP_NAME:
			sl = rand_len(s);
			ok = !(rnd(s) & 1 ?
			       getsockname(fd, (struct sockaddr *)&ss, &sl) :
			       getpeername(fd, (struct sockaddr *)&ss, &sl));
			break;
		}
		okc[op] += ok;
	}
	pthread_mutex_lock(&fd_lock);
	for (i = 0; i < OP_MAX; i++) {
		op_count[i] += cnt[i];
		op_ok[i] += okc[i];
	}
	pthread_mutex_unlock(&fd_lock);
	return NULL;
}

int main(int argc, char **argv)
{
	double secs = 20;
	int nthreads = 4, o, i;
	uint64_t seed = 0, calls = 0;
	pthread_t th[32];

	while ((o = getopt(argc, argv, "t:j:S:f:")) != -1) {
		switch (o) {
		case 't': secs = atof(optarg); break;
		case 'j': nthreads = atoi(optarg); break;
		case 'S': seed = strtoull(optarg, NULL, 0); break;
		case 'f': fam = parse_family(optarg); break;
		default:
			fprintf(stderr, "usage: xtcp_sysfuzz [-t SECS] [-j THREADS] [-S SEED] [-f xtcp|tcp]\n");
			return 2;
		}
	}
	if (nthreads < 1 || nthreads > 32)
		nthreads = 4;
	if (!seed)
		seed = (uint64_t)time(NULL) * 2654435761ULL ^ getpid();
	signal(SIGPIPE, SIG_IGN);
	signal(SIGIO, SIG_IGN);
	signal(SIGURG, SIG_IGN);
	for (i = 0; i < NFD; i++)
		fds[i] = -1;
	end_time = now_s() + secs;
	for (i = 0; i < nthreads; i++)
		pthread_create(&th[i], NULL, worker,
			       (void *)(uintptr_t)(seed * 0x9E3779B97F4A7C15ULL +
						   i + 1));
	for (i = 0; i < nthreads; i++)
		pthread_join(th[i], NULL);
	for (i = 0; i < NFD; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	for (i = 0; i < OP_MAX; i++)
		calls += op_count[i];
	printf("calls=%llu seed=%llu threads=%d\n", (unsigned long long)calls,
	       (unsigned long long)seed, nthreads);
	for (i = 0; i < OP_MAX; i++)
		printf("# %-10s %8lu calls %8lu ok\n", op_names[i], op_count[i],
		       op_ok[i]);
	return 0;
}
