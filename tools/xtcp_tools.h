/* SPDX-License-Identifier: GPL-2.0 */
/* Small helpers shared by the XTCP test tools (user space, no deps). */
#ifndef XTCP_TOOLS_H
#define XTCP_TOOLS_H

#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "uapi/xtcp.h"

static inline const char *ename(int e)
{
	const char *s;

	if (e == 0)
		return "OK";
	s = strerrorname_np(e);
	return s ? s : "E?";
}

static inline double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* "xtcp" -> AF_XTCP, "tcp" -> 0 (meaning: the address family itself) */
static inline int parse_family(const char *s)
{
	if (!strcmp(s, "xtcp"))
		return AF_XTCP;
	if (!strcmp(s, "tcp"))
		return 0;
	fprintf(stderr, "bad family '%s' (xtcp|tcp)\n", s);
	exit(2);
}

/* Parse a v4 or v6 literal into ss; returns the sockaddr length or 0. */
static inline socklen_t parse_addr(const char *a, int port,
				   struct sockaddr_storage *ss)
{
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, a, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		return sizeof(*s4);
	}
	if (inet_pton(AF_INET6, a, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		return sizeof(*s6);
	}
	return 0;
}

static inline int sa_port(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)ss)->sin_port);
	if (ss->ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
	return -1;
}

/* socket() for family (AF_XTCP or 0 = Linux TCP of the address family) */
static inline int stream_socket(int fam, int addr_family, int flags)
{
	if (fam == AF_XTCP)
		return socket(AF_XTCP, SOCK_STREAM | flags, 0);
	return socket(addr_family, SOCK_STREAM | flags, 0);
}

/* TAP */
static int tap_n, tap_fail;

static inline void tap(int ok, const char *fmt, ...)
{
	va_list ap;

	tap_n++;
	if (!ok)
		tap_fail++;
	printf("%sok %d - ", ok ? "" : "not ", tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

static inline void tap_diag(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

/* Deterministic stream: xorshift64* bytes; hash: FNV-1a 64. */
struct stream {
	uint64_t s;
	uint64_t cur;
	int left;
};

static inline void stream_init(struct stream *st, uint64_t seed)
{
	st->s = seed * 0x9E3779B97F4A7C15ULL + 0x1234567ULL;
	if (!st->s)
		st->s = 1;
	st->left = 0;
}

static inline void stream_fill(struct stream *st, unsigned char *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (!st->left) {
			st->s ^= st->s >> 12;
			st->s ^= st->s << 25;
			st->s ^= st->s >> 27;
			st->cur = st->s * 2685821657736338717ULL;
			st->left = 8;
		}
		b[i] = (unsigned char)st->cur;
		st->cur >>= 8;
		st->left--;
	}
}

#define FNV_INIT 0xcbf29ce484222325ULL
static inline uint64_t fnv1a(uint64_t h, const unsigned char *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		h ^= b[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

#endif
