// SPDX-License-Identifier: GPL-2.0
/*
 * libxtcp-preload.so: run an unmodified program on XTCP.
 *
 * Loaded with LD_PRELOAD (see xtcp-run), it maps every
 *	socket(AF_INET | AF_INET6, SOCK_STREAM [| SOCK_NONBLOCK | SOCK_CLOEXEC],
 *	       0 | IPPROTO_TCP)
 * to the same call with AF_XTCP. Addresses stay sockaddr_in / sockaddr_in6,
 * so nothing else in the program changes.
 *
 * getsockopt(SOL_SOCKET, SO_DOMAIN / SO_PROTOCOL) of an XTCP socket
 * answers what the program asked for: the family it gave socket() (the
 * kernel says AF_INET until bind()/connect() of an IPv6 socket, and
 * AF_INET for an IPv4-mapped connection) and IPPROTO_TCP (the kernel says
 * XTCP's own 0x206). Accepted sockets take their listener's family, dup()
 * and fcntl(F_DUPFD) copy it. Sockets that reach the program otherwise
 * (SCM_RIGHTS, from a parent without the library) get the kernel's
 * SO_DOMAIN.
 *
 * Environment:
 *   XTCP_FALLBACK=1   if AF_XTCP is not available (module not loaded), make
 *                     the socket in the original family instead of failing
 *   XTCP_RUN_DEBUG=1  log each mapped socket on stderr
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "uapi/xtcp.h"

/* XTCP's sk_protocol (module/xtcp.h XTCP_SK_PROTOCOL) */
#define XTCP_SK_PROTOCOL	(IPPROTO_TCP + 0x200)
/* the family each mapped socket was asked for, by fd: 0 unknown */
#define FD_TABLE		65536

typedef int (*socket_fn)(int, int, int);
typedef int (*getsockopt_fn)(int, int, int, void *, socklen_t *);
typedef int (*accept4_fn)(int, struct sockaddr *, socklen_t *, int);
typedef int (*close_fn)(int);
typedef int (*dup_fn)(int);
typedef int (*dup2_fn)(int, int);
typedef int (*dup3_fn)(int, int, int);
typedef int (*fcntl_fn)(int, int, ...);

static socket_fn real_socket;
static getsockopt_fn real_getsockopt;
static accept4_fn real_accept4;
static close_fn real_close;
static dup_fn real_dup;
static dup2_fn real_dup2;
static dup3_fn real_dup3;
static fcntl_fn real_fcntl;
static fcntl_fn real_fcntl64;
static unsigned char fam_of[FD_TABLE];
static int fallback;
static int debug;
static pthread_once_t init_once = PTHREAD_ONCE_INIT;

static int env_flag(const char *name)
{
	const char *v = getenv(name);

	return v && *v && strcmp(v, "0") != 0;
}

static int raw_socket(int domain, int type, int protocol)
{
	return (int)syscall(SYS_socket, domain, type, protocol);
}

static int raw_getsockopt(int fd, int level, int name, void *val,
			  socklen_t *len)
{
	return (int)syscall(SYS_getsockopt, fd, level, name, val, len);
}

static int raw_accept4(int fd, struct sockaddr *a, socklen_t *len, int fl)
{
	return (int)syscall(SYS_accept4, fd, a, len, fl);
}

static int raw_close(int fd)
{
	return (int)syscall(SYS_close, fd);
}

static int raw_dup(int fd)
{
	return (int)syscall(SYS_dup, fd);
}

static int raw_dup3(int fd, int to, int fl)
{
	return (int)syscall(SYS_dup3, fd, to, fl);
}

static int raw_dup2(int fd, int to)
{
	if (fd == to)	/* dup3() refuses it; dup2() checks fd is open */
		return fcntl(fd, F_GETFD) < 0 ? -1 : to;
	return raw_dup3(fd, to, 0);
}

#define LOOKUP(name, dflt) \
	do { \
		real_##name = (name##_fn)dlsym(RTLD_NEXT, #name); \
		if (!real_##name) \
			real_##name = dflt; \
	} while (0)

static void preload_init(void)
{
	LOOKUP(socket, raw_socket);
	LOOKUP(getsockopt, raw_getsockopt);
	LOOKUP(accept4, raw_accept4);
	LOOKUP(close, raw_close);
	LOOKUP(dup, raw_dup);
	LOOKUP(dup2, raw_dup2);
	LOOKUP(dup3, raw_dup3);
	real_fcntl = (fcntl_fn)dlsym(RTLD_NEXT, "fcntl");
	real_fcntl64 = (fcntl_fn)dlsym(RTLD_NEXT, "fcntl64");
	if (!real_fcntl64)
		real_fcntl64 = real_fcntl;
	fallback = env_flag("XTCP_FALLBACK");
	debug = env_flag("XTCP_RUN_DEBUG");
}

static void fam_set(int fd, int family)
{
	if (fd >= 0 && fd < FD_TABLE)
		__atomic_store_n(&fam_of[fd], (unsigned char)family,
				 __ATOMIC_RELAXED);
}

static int fam_get(int fd)
{
	if (fd < 0 || fd >= FD_TABLE)
		return 0;
	return __atomic_load_n(&fam_of[fd], __ATOMIC_RELAXED);
}

static int is_tcp(int domain, int type, int protocol)
{
	int base = type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC);

	return (domain == AF_INET || domain == AF_INET6) &&
	       base == SOCK_STREAM &&
	       (protocol == 0 || protocol == IPPROTO_TCP);
}

int socket(int domain, int type, int protocol)
{
	int fd, err;

	pthread_once(&init_once, preload_init);
	if (!is_tcp(domain, type, protocol))
		return real_socket(domain, type, protocol);

	fd = real_socket(AF_XTCP, type, protocol);
	err = errno;
	fam_set(fd, domain);
	if (debug)
		fprintf(stderr, "xtcp-run[%d]: socket(%s, %#x, %d) -> AF_XTCP fd %d%s%s\n",
			(int)getpid(), domain == AF_INET ? "AF_INET" : "AF_INET6",
			type, protocol, fd, fd < 0 ? ": " : "",
			fd < 0 ? strerror(err) : "");
	if (fd >= 0 || !fallback ||
	    (err != EAFNOSUPPORT && err != EPROTONOSUPPORT))
		return errno = err, fd;
	if (debug)
		fprintf(stderr, "xtcp-run[%d]: falling back to the original family\n",
			(int)getpid());
	return real_socket(domain, type, protocol);
}

/* SO_DOMAIN and SO_PROTOCOL of an XTCP socket: what the program asked for */
int getsockopt(int fd, int level, int name, void *val, socklen_t *len)
{
	int ret, proto = 0, fam;
	socklen_t plen = sizeof(proto);

	pthread_once(&init_once, preload_init);
	ret = real_getsockopt(fd, level, name, val, len);
	if (ret || level != SOL_SOCKET ||
	    (name != SO_DOMAIN && name != SO_PROTOCOL) ||
	    !val || !len || *len < (socklen_t)sizeof(int))
		return ret;
	if (name == SO_PROTOCOL)
		proto = *(int *)val;
	else if (real_getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &proto, &plen))
		return ret;
	if (proto != XTCP_SK_PROTOCOL)
		return ret;
	if (name == SO_PROTOCOL) {
		*(int *)val = IPPROTO_TCP;
	} else {
		fam = fam_get(fd);
		if (fam)
			*(int *)val = fam;
	}
	return ret;
}

int accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags)
{
	int nfd;

	pthread_once(&init_once, preload_init);
	nfd = real_accept4(fd, addr, len, flags);
	if (nfd >= 0)
		fam_set(nfd, fam_get(fd));
	return nfd;
}

int accept(int fd, struct sockaddr *addr, socklen_t *len)
{
	return accept4(fd, addr, len, 0);
}

/* async-signal-safe: no initialisation here */
int close(int fd)
{
	close_fn f = __atomic_load_n(&real_close, __ATOMIC_ACQUIRE);

	fam_set(fd, 0);
	return f ? f(fd) : raw_close(fd);
}

int dup(int fd)
{
	int nfd;

	pthread_once(&init_once, preload_init);
	nfd = real_dup(fd);
	if (nfd >= 0)
		fam_set(nfd, fam_get(fd));
	return nfd;
}

int dup2(int fd, int to)
{
	int nfd;

	pthread_once(&init_once, preload_init);
	nfd = real_dup2(fd, to);
	if (nfd >= 0 && nfd != fd)
		fam_set(nfd, fam_get(fd));
	return nfd;
}

int dup3(int fd, int to, int flags)
{
	int nfd;

	pthread_once(&init_once, preload_init);
	nfd = real_dup3(fd, to, flags);
	if (nfd >= 0)
		fam_set(nfd, fam_get(fd));
	return nfd;
}

/* fcntl(F_DUPFD[_CLOEXEC]) copies the family; the argument is passed on as
 * glibc's own fcntl() takes it (one word)
 */
static int fcntl_common(fcntl_fn f, int fd, int cmd, void *arg)
{
	int ret;

	if (!f) {
		errno = ENOSYS;
		return -1;
	}
	ret = f(fd, cmd, arg);
	if (ret >= 0 && (cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC))
		fam_set(ret, fam_get(fd));
	return ret;
}

int fcntl(int fd, int cmd, ...)
{
	va_list ap;
	void *arg;

	va_start(ap, cmd);
	arg = va_arg(ap, void *);
	va_end(ap);
	pthread_once(&init_once, preload_init);
	return fcntl_common(real_fcntl, fd, cmd, arg);
}

int fcntl64(int fd, int cmd, ...)
{
	va_list ap;
	void *arg;

	va_start(ap, cmd);
	arg = va_arg(ap, void *);
	va_end(ap);
	pthread_once(&init_once, preload_init);
	return fcntl_common(real_fcntl64, fd, cmd, arg);
}
