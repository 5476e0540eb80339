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
 * Environment:
 *   XTCP_FALLBACK=1   if AF_XTCP is not available (module not loaded), make
 *                     the socket in the original family instead of failing
 *   XTCP_RUN_DEBUG=1  log each mapped socket on stderr
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "uapi/xtcp.h"

typedef int (*socket_fn)(int, int, int);

static socket_fn real_socket;
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

static void preload_init(void)
{
	real_socket = (socket_fn)dlsym(RTLD_NEXT, "socket");
	if (!real_socket)
		real_socket = raw_socket;
	fallback = env_flag("XTCP_FALLBACK");
	debug = env_flag("XTCP_RUN_DEBUG");
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
