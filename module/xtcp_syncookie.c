// SPDX-License-Identifier: GPL-2.0
/*
 * XTCP SYN cookies (RFC 4987 §3.6), after the scheme of Linux's
 * net/ipv4/syncookies.c: the ISN of the SYN-ACK is
 *
 *	H(key0, tuple) + SEG.SEQ + (count << 24)
 *		+ ((H(key1, tuple, count) + data) mod 2^24)
 *
 * where count is a clock that ticks once a minute and data says which
 * MSS (a 2-bit index into a table) and window scale the peer asked for.
 * The ACK that completes the handshake acknowledges ISN + 1; subtracting
 * the first hash and SEQ gives the count back (the cookie is good for two
 * ticks), and subtracting the second hash gives the data, which must be a
 * valid encoding.
 *
 * Linux keeps only the MSS in the cookie: window scale, SACK and ECN ride
 * in the low bits of the timestamp it echoes, and a peer without
 * timestamps gets no window scaling. XTCP sends no timestamps, so the
 * peer's window scale goes into the cookie (4 bits: 0..14, or 15 for none):
 * data is 6 bits, and 18 of the 24 low bits stay a check: a guessed ACK
 * is accepted with probability 2^-7 (count) * 2^-18 = 2^-25 (Linux's
 * 2-bit data: 2^-29).
 */
#include <linux/kernel.h>
#include <linux/errno.h>
#include <linux/export.h>
#include <linux/siphash.h>
#include <kunit/visibility.h>

#include "xtcp_syncookie.h"

/* Linux's tables: the most common MSS values of each family */
static const u16 xtcp_msstab4[] = { 536, 1300, 1440, 1460 };
static const u16 xtcp_msstab6[] = { 1280 - 60, 1480 - 60, 1500 - 60,
				    9000 - 60 };
#define XTCP_MSSTAB_N	4
#define XTCP_WS_NONE	15
#define XTCP_DATA_LIMIT	(XTCP_MSSTAB_N << 4)

static const u16 *xtcp_msstab(bool v6)
{
	return v6 ? xtcp_msstab6 : xtcp_msstab4;
}

static u32 xtcp_cookie_hash(const siphash_key_t *key,
			    const struct xtcp_cookie_addr *a, u32 count)
{
	if (!a->v6)
		return siphash_4u32((__force u32)a->raddr.v4,
				    (__force u32)a->laddr.v4,
				    (__force u32)a->rport << 16 |
				    (__force u32)a->lport, count, key);
	{
		const struct {
			struct in6_addr raddr, laddr;
			u32 count;
			__be16 rport, lport;
		} __aligned(SIPHASH_ALIGNMENT) in = {
			.raddr = a->raddr.v6,
			.laddr = a->laddr.v6,
			.count = count,
			.rport = a->rport,
			.lport = a->lport,
		};

		return siphash(&in, sizeof(in), key);
	}
}

/**
 * xtcp_cookie_make() - the ISN of a stateless SYN-ACK
 * @key: two secret keys
 * @a: the connection
 * @sseq: SEG.SEQ of the SYN
 * @count: the cookie clock (minutes)
 * @o: in: the SYN's MSS (0 when absent) and window scale; out: the MSS
 *	the cookie records (rounded down to a table value; as Linux, below
 *	the smallest entry the smallest entry)
 *
 * Return: the cookie.
 */
u32 xtcp_cookie_make(const siphash_key_t key[2],
		     const struct xtcp_cookie_addr *a, u32 sseq, u32 count,
		     struct xtcp_cookie_opts *o)
{
	const u16 *tab = xtcp_msstab(a->v6);
	u16 mss = o->mss ? o->mss : 536;	/* RFC 9293 §3.7.1 default */
	u32 idx, ws, data;

	for (idx = XTCP_MSSTAB_N - 1; idx; idx--)
		if (mss >= tab[idx])
			break;
	o->mss = tab[idx];
	ws = o->wscale >= 0 ? min_t(u32, o->wscale, 14) : XTCP_WS_NONE;
	if (o->wscale >= 0)
		o->wscale = ws;
	data = idx | ws << 2;
	return xtcp_cookie_hash(&key[0], a, 0) + sseq +
	       (count << XTCP_COOKIE_BITS) +
	       ((xtcp_cookie_hash(&key[1], a, count) + data) &
		XTCP_COOKIE_MASK);
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_cookie_make);

/**
 * xtcp_cookie_check() - is @cookie one we made for @a, recently?
 * @key: the keys it was made with
 * @a: the connection of the ACK
 * @cookie: SEG.ACK - 1 of the ACK
 * @sseq: SEG.SEQ - 1 of the ACK (the SYN's sequence number)
 * @count: the cookie clock now
 * @o: filled with what the cookie recorded
 *
 * Return: 0, or -EINVAL for a forged, corrupted or expired cookie.
 */
int xtcp_cookie_check(const siphash_key_t key[2],
		      const struct xtcp_cookie_addr *a, u32 cookie, u32 sseq,
		      u32 count, struct xtcp_cookie_opts *o)
{
	u32 diff, data, ws;

	cookie -= xtcp_cookie_hash(&key[0], a, 0) + sseq;
	diff = (count - (cookie >> XTCP_COOKIE_BITS)) &
	       ((u32)-1 >> XTCP_COOKIE_BITS);
	if (diff >= XTCP_COOKIE_MAX_AGE)
		return -EINVAL;
	data = (cookie - xtcp_cookie_hash(&key[1], a, count - diff)) &
	       XTCP_COOKIE_MASK;
	if (data >= XTCP_DATA_LIMIT)
		return -EINVAL;
	ws = data >> 2;
	o->mss = xtcp_msstab(a->v6)[data & (XTCP_MSSTAB_N - 1)];
	o->wscale = ws == XTCP_WS_NONE ? -1 : (s8)ws;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_cookie_check);

/**
 * xtcp_cookie_want() - answer this SYN with a cookie instead of a
 *	half-open connection? (net.ipv4.tcp_syncookies semantics)
 * @sysctl: 0 never, 1 when the half-open queue is full, 2 always
 * @synq_full: the listener's half-open queue is at its bound
 */
bool xtcp_cookie_want(int sysctl, bool synq_full)
{
	return sysctl == XTCP_SYNCOOKIES_ALWAYS ||
	       (sysctl == XTCP_SYNCOOKIES_ON_OVERFLOW && synq_full);
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_cookie_want);

/**
 * xtcp_cookie_check_wanted() - may an ACK to a listener be a cookie's?
 *	Only when cookies are on and the listener sent one within the last
 *	two minutes (Linux: tcp_synq_no_recent_overflow()), so that a
 *	listener never flooded accepts no guessed ACK.
 * @sysctl: net.xtcp.syncookies
 * @sent_any: the listener ever sent a cookie
 * @last_sent_ms: when it last did
 * @now_ms: the time
 */
bool xtcp_cookie_check_wanted(int sysctl, bool sent_any, u64 last_sent_ms,
			      u64 now_ms)
{
	if (sysctl == XTCP_SYNCOOKIES_OFF || !sent_any)
		return false;
	return now_ms - last_sent_ms <= XTCP_COOKIE_VALID_MS;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_cookie_check_wanted);
