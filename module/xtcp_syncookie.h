/* SPDX-License-Identifier: GPL-2.0 */
/*
 * XTCP SYN cookies (RFC 4987 §3.6): the initial sequence number of a
 * SYN-ACK sent without keeping any state carries, under a keyed hash, what
 * the listener needs to build the connection when the ACK comes back.
 * Pure functions of a key, the 4-tuple, the sequence numbers and a coarse
 * clock, so that KUnit drives them with a fixed key and a fake clock.
 */
#ifndef _XTCP_SYNCOOKIE_H
#define _XTCP_SYNCOOKIE_H

#include <linux/types.h>
#include <linux/in6.h>
#include <linux/siphash.h>

/* cookie = H0 + SEQ + (count << 24) + ((H1(count) + data) mod 2^24) */
#define XTCP_COOKIE_BITS	24
#define XTCP_COOKIE_MASK	((1U << XTCP_COOKIE_BITS) - 1)
/* a cookie is good for this many clock ticks (minutes), as Linux */
#define XTCP_COOKIE_MAX_AGE	2
/* ms per tick of the cookie clock; also how long after the last cookie
 * sent the listener still checks ACKs for cookies (Linux: 2 * 60 s)
 */
#define XTCP_COOKIE_TICK_MS	60000U
#define XTCP_COOKIE_VALID_MS	(XTCP_COOKIE_MAX_AGE * XTCP_COOKIE_TICK_MS)

/**
 * struct xtcp_cookie_addr - the connection a cookie is bound to
 * @v6: IPv6 when true, else IPv4 (@laddr.v4, @raddr.v4)
 * @lport: the listener's port (network order)
 * @rport: the peer's port (network order)
 * @laddr: the listener's address
 * @raddr: the peer's address
 */
struct xtcp_cookie_addr {
	bool v6;
	__be16 lport, rport;
	union {
		__be32 v4;
		struct in6_addr v6;
	} laddr, raddr;
};

/**
 * struct xtcp_cookie_opts - what a cookie remembers of the SYN
 * @mss: the peer's MSS, rounded down to a table value (Linux's msstab)
 * @wscale: the peer's window scale shift, -1 when it sent none
 */
struct xtcp_cookie_opts {
	u16 mss;
	s8 wscale;
};

u32 xtcp_cookie_make(const siphash_key_t key[2],
		     const struct xtcp_cookie_addr *a, u32 sseq, u32 count,
		     struct xtcp_cookie_opts *o);
int xtcp_cookie_check(const siphash_key_t key[2],
		      const struct xtcp_cookie_addr *a, u32 cookie, u32 sseq,
		      u32 count, struct xtcp_cookie_opts *o);

/* net.xtcp.syncookies, the values of net.ipv4.tcp_syncookies */
enum {
	XTCP_SYNCOOKIES_OFF = 0,
	XTCP_SYNCOOKIES_ON_OVERFLOW = 1,
	XTCP_SYNCOOKIES_ALWAYS = 2,
};

bool xtcp_cookie_want(int sysctl, bool synq_full);
bool xtcp_cookie_check_wanted(int sysctl, bool sent_any, u64 last_sent_ms,
			      u64 now_ms);

#endif /* _XTCP_SYNCOOKIE_H */
