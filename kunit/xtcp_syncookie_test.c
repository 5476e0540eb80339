// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: SYN cookies (xtcp_syncookie.c, RFC 4987 §3.6) with a fixed key
 * and a fake cookie clock: encode/decode of MSS and window scale for both
 * families, expiry after two ticks, every field of the connection bound,
 * forgeries rejected, the net.xtcp.syncookies policy, and a child TCB
 * rebuilt from a cookie completing the handshake in the core.
 */
#include <kunit/test.h>
#include <linux/module.h>
#include <linux/prandom.h>

#include "xtcp_syncookie.h"
#include "xtcp_fake.h"

static siphash_key_t ck_key[2] = {
	{ { 0x0706050403020100ULL, 0x0f0e0d0c0b0a0908ULL } },
	{ { 0x1716151413121110ULL, 0x1f1e1d1c1b1a1918ULL } },
};

static void ck_addr4(struct xtcp_cookie_addr *a)
{
	memset(a, 0, sizeof(*a));
	a->laddr.v4 = htonl(0x0a000002);
	a->raddr.v4 = htonl(0x0a000001);
	a->lport = htons(80);
	a->rport = htons(40000);
}

static void ck_addr6(struct xtcp_cookie_addr *a)
{
	memset(a, 0, sizeof(*a));
	a->v6 = true;
	a->laddr.v6.s6_addr[0] = 0xfd;
	a->laddr.v6.s6_addr[15] = 2;
	a->raddr.v6.s6_addr[0] = 0xfd;
	a->raddr.v6.s6_addr[15] = 1;
	a->lport = htons(80);
	a->rport = htons(40000);
}

/* make a cookie for (@mss, @ws) and check it back at @later ticks */
static int ck_round(struct xtcp_cookie_addr *a, u16 mss, s8 ws, u32 count,
		    u32 later, struct xtcp_cookie_opts *made,
		    struct xtcp_cookie_opts *got)
{
	u32 c;

	made->mss = mss;
	made->wscale = ws;
	c = xtcp_cookie_make(ck_key, a, 123456, count, made);
	return xtcp_cookie_check(ck_key, a, c, 123456, count + later, got);
}

static void cookie_roundtrip_v4(struct kunit *test)
{
	static const u16 mss[] = { 536, 1300, 1440, 1460 };
	struct xtcp_cookie_opts m, g;
	struct xtcp_cookie_addr a;
	int i, ws;

	ck_addr4(&a);
	for (i = 0; i < ARRAY_SIZE(mss); i++) {
		for (ws = -1; ws <= 14; ws++) {
			KUNIT_EXPECT_EQ(test, 0, ck_round(&a, mss[i], ws, 7, 0,
							  &m, &g));
			KUNIT_EXPECT_EQ(test, g.mss, mss[i]);
			KUNIT_EXPECT_EQ(test, m.mss, mss[i]);
			KUNIT_EXPECT_EQ(test, g.wscale, ws);
		}
	}
}

static void cookie_roundtrip_v6(struct kunit *test)
{
	static const u16 mss[] = { 1220, 1420, 1440, 8940 };
	struct xtcp_cookie_opts m, g;
	struct xtcp_cookie_addr a;
	int i;

	ck_addr6(&a);
	for (i = 0; i < ARRAY_SIZE(mss); i++) {
		KUNIT_EXPECT_EQ(test, 0, ck_round(&a, mss[i], 7, 1000, 1,
						  &m, &g));
		KUNIT_EXPECT_EQ(test, g.mss, mss[i]);
		KUNIT_EXPECT_EQ(test, g.wscale, 7);
	}
}

/* the MSS rounds down to the table, as Linux's msstab; absent is 536 */
static void cookie_mss_rounding(struct kunit *test)
{
	struct xtcp_cookie_opts m, g;
	struct xtcp_cookie_addr a;

	ck_addr4(&a);
	KUNIT_EXPECT_EQ(test, 0, ck_round(&a, 1400, -1, 1, 0, &m, &g));
	KUNIT_EXPECT_EQ(test, g.mss, 1300);
	KUNIT_EXPECT_EQ(test, m.mss, 1300);
	KUNIT_EXPECT_EQ(test, 0, ck_round(&a, 9000, -1, 1, 0, &m, &g));
	KUNIT_EXPECT_EQ(test, g.mss, 1460);
	KUNIT_EXPECT_EQ(test, 0, ck_round(&a, 0, -1, 1, 0, &m, &g));
	KUNIT_EXPECT_EQ(test, g.mss, 536);
	KUNIT_EXPECT_EQ(test, 0, ck_round(&a, 100, -1, 1, 0, &m, &g));
	KUNIT_EXPECT_EQ(test, g.mss, 536);
	ck_addr6(&a);
	KUNIT_EXPECT_EQ(test, 0, ck_round(&a, 1460, 3, 1, 0, &m, &g));
	KUNIT_EXPECT_EQ(test, g.mss, 1440);
	KUNIT_EXPECT_EQ(test, 0, ck_round(&a, 1300, 3, 1, 0, &m, &g));
	KUNIT_EXPECT_EQ(test, g.mss, 1220);
	/* a window scale above 14 is recorded as 14 (RFC 7323 §2.3) */
	KUNIT_EXPECT_EQ(test, 0, ck_round(&a, 1440, 14, 1, 0, &m, &g));
	KUNIT_EXPECT_EQ(test, g.wscale, 14);
}

/* good in the tick it was made and the next; not after, not before */
static void cookie_expiry(struct kunit *test)
{
	struct xtcp_cookie_opts m, g;
	struct xtcp_cookie_addr a;

	ck_addr4(&a);
	KUNIT_EXPECT_EQ(test, 0, ck_round(&a, 1460, 7, 50, 0, &m, &g));
	KUNIT_EXPECT_EQ(test, 0, ck_round(&a, 1460, 7, 50, 1, &m, &g));
	KUNIT_EXPECT_EQ(test, -EINVAL, ck_round(&a, 1460, 7, 50, 2, &m, &g));
	KUNIT_EXPECT_EQ(test, -EINVAL, ck_round(&a, 1460, 7, 50, 100, &m,
						&g));
	KUNIT_EXPECT_EQ(test, -EINVAL, ck_round(&a, 1460, 7, 50, (u32)-1, &m,
						&g));
	/* the 8-bit count in the cookie wraps: still good across it */
	KUNIT_EXPECT_EQ(test, 0, ck_round(&a, 1460, 7, 255, 1, &m, &g));
	KUNIT_EXPECT_EQ(test, 0, ck_round(&a, 1460, 7, 0xffffffffU, 1, &m,
					  &g));
}

/* every field of the connection, the SYN's SEQ and the key are bound */
static void cookie_bound_to_tuple(struct kunit *test)
{
	struct xtcp_cookie_opts m = { .mss = 1460, .wscale = 7 }, g;
	struct xtcp_cookie_addr a, b;
	u32 c;

	ck_addr4(&a);
	c = xtcp_cookie_make(ck_key, &a, 999, 3, &m);
	KUNIT_EXPECT_EQ(test, 0, xtcp_cookie_check(ck_key, &a, c, 999, 3, &g));
	/*
	 * As in Linux's scheme, a small offset of the ACK or SEQ moves the
	 * encoding to a neighbouring one (other options); larger ones leave
	 * the 64 valid encodings.
	 */
	if (!xtcp_cookie_check(ck_key, &a, c + 1, 999, 3, &g))
		KUNIT_EXPECT_FALSE(test, g.mss == 1460 && g.wscale == 7);
	KUNIT_EXPECT_NE(test, 0, xtcp_cookie_check(ck_key, &a, c + 0x10000,
						   999, 3, &g));
	KUNIT_EXPECT_NE(test, 0, xtcp_cookie_check(ck_key, &a, c,
						   999 + 0x10000, 3, &g));
	KUNIT_EXPECT_NE(test, 0, xtcp_cookie_check(ck_key, &a, c - 64, 999,
						   3, &g));
	b = a;
	b.rport = htons(40001);
	KUNIT_EXPECT_NE(test, 0, xtcp_cookie_check(ck_key, &b, c, 999, 3, &g));
	b = a;
	b.lport = htons(81);
	KUNIT_EXPECT_NE(test, 0, xtcp_cookie_check(ck_key, &b, c, 999, 3, &g));
	b = a;
	b.raddr.v4 = htonl(0x0a000003);
	KUNIT_EXPECT_NE(test, 0, xtcp_cookie_check(ck_key, &b, c, 999, 3, &g));
	b = a;
	b.laddr.v4 = htonl(0x0a000004);
	KUNIT_EXPECT_NE(test, 0, xtcp_cookie_check(ck_key, &b, c, 999, 3, &g));
	{
		siphash_key_t other[2] = { ck_key[0], ck_key[1] };

		other[1].key[0] ^= 1;
		KUNIT_EXPECT_NE(test, 0, xtcp_cookie_check(other, &a, c, 999,
							   3, &g));
	}
	ck_addr6(&b);
	c = xtcp_cookie_make(ck_key, &b, 999, 3, &m);
	KUNIT_EXPECT_EQ(test, 0, xtcp_cookie_check(ck_key, &b, c, 999, 3, &g));
	b.raddr.v6.s6_addr[7] ^= 0x40;
	KUNIT_EXPECT_NE(test, 0, xtcp_cookie_check(ck_key, &b, c, 999, 3, &g));
}

/*
 * Guessed cookies: a valid one needs the count byte to land on one of 2
 * values of 256 and the 24 low bits on one of 64 encodings: 2^-25 per
 * guess. 20000 deterministic guesses expect 0.0006 acceptances; allow 1.
 */
static void cookie_forgery(struct kunit *test)
{
	struct xtcp_cookie_opts g;
	struct xtcp_cookie_addr a;
	struct rnd_state rs;
	int i, hits = 0;

	ck_addr4(&a);
	prandom_seed_state(&rs, 42);
	for (i = 0; i < 20000; i++)
		if (!xtcp_cookie_check(ck_key, &a, prandom_u32_state(&rs),
				       999, 3, &g))
			hits++;
	KUNIT_EXPECT_LE(test, hits, 1);
}

/* net.ipv4.tcp_syncookies semantics */
static void cookie_policy(struct kunit *test)
{
	KUNIT_EXPECT_FALSE(test, xtcp_cookie_want(0, false));
	KUNIT_EXPECT_FALSE(test, xtcp_cookie_want(0, true));
	KUNIT_EXPECT_FALSE(test, xtcp_cookie_want(1, false));
	KUNIT_EXPECT_TRUE(test, xtcp_cookie_want(1, true));
	KUNIT_EXPECT_TRUE(test, xtcp_cookie_want(2, false));
	KUNIT_EXPECT_TRUE(test, xtcp_cookie_want(2, true));
	/* ACKs are checked only after a recent cookie (2 minutes) */
	KUNIT_EXPECT_FALSE(test, xtcp_cookie_check_wanted(1, false, 0, 10));
	KUNIT_EXPECT_FALSE(test, xtcp_cookie_check_wanted(0, true, 1000,
							  1000));
	KUNIT_EXPECT_TRUE(test, xtcp_cookie_check_wanted(1, true, 1000, 1000));
	KUNIT_EXPECT_TRUE(test, xtcp_cookie_check_wanted(1, true, 1000,
							 121000));
	KUNIT_EXPECT_FALSE(test, xtcp_cookie_check_wanted(1, true, 1000,
							  121001));
	KUNIT_EXPECT_TRUE(test, xtcp_cookie_check_wanted(2, true, 0, 5));
}

#define CK_IRS	70000U

/*
 * The whole stateless handshake in the core: SYN (MSS 1460, wscale 7)
 * answered by a cookie; the ACK, carrying 100 bytes, is checked, a child
 * is rebuilt from it and goes to ESTABLISHED with the peer's options and
 * the data accepted. No segment is sent for the ACK itself but the ACK of
 * the data (or a delayed one): nothing resends a SYN-ACK.
 */
static void cookie_child_established(struct kunit *test)
{
	struct xtcp_cookie_opts co = { .mss = 1460, .wscale = 7 }, got;
	struct xf_env *e = xf_new(test, 1460, 9);
	struct xtcp_cookie_addr a;
	struct xtcp_seg ack = {}, syn = {};
	u32 cookie;
	int i;

	ck_addr4(&a);
	cookie = xtcp_cookie_make(ck_key, &a, CK_IRS, 20, &co);
	ack.seq = CK_IRS + 1;
	ack.ack = cookie + 1;
	ack.flags = XTCP_ACK | XTCP_PSH;
	ack.wnd = 1000;		/* scaled by 2^7 */
	ack.len = 100;
	ack.wscale = -1;
	KUNIT_ASSERT_EQ(test, 0, xtcp_cookie_check(ck_key, &a, ack.ack - 1,
						   ack.seq - 1, 21, &got));
	syn.seq = ack.seq - 1;
	syn.flags = XTCP_SYN;
	syn.mss = got.mss;
	syn.wscale = got.wscale;
	xtcp_core_cookie_child(&e->tcb, &syn, ack.ack - 1);
	KUNIT_EXPECT_EQ(test, e->tcb.state, (u8)XTCP_SYN_RECEIVED);
	KUNIT_EXPECT_EQ(test, e->nout, 0);
	xtcp_core_input(&e->tcb, &ack);
	KUNIT_EXPECT_EQ(test, e->tcb.state, (u8)XTCP_ESTABLISHED);
	KUNIT_EXPECT_EQ(test, e->tcb.snd_mss, 1460);
	KUNIT_EXPECT_EQ(test, e->tcb.snd_wscale, 7);
	KUNIT_EXPECT_EQ(test, e->tcb.rcv_wscale, 9);
	KUNIT_EXPECT_EQ(test, e->tcb.snd_wnd, 1000U << 7);
	KUNIT_EXPECT_EQ(test, e->tcb.snd_una, cookie + 1);
	KUNIT_EXPECT_EQ(test, e->tcb.rcv_nxt, CK_IRS + 1 + 100);
	KUNIT_EXPECT_EQ(test, e->nrcv, 1);
	KUNIT_EXPECT_EQ(test, e->rlen, 100U);
	KUNIT_EXPECT_EQ(test, e->nerr, 0);
	for (i = 0; i < e->nout; i++)
		KUNIT_EXPECT_FALSE(test, e->out[i].flags & XTCP_SYN);
	/* no RTT sample from an unknown SYN-ACK time */
	KUNIT_EXPECT_EQ(test, e->tcb.srtt_us, 0U);
}

/* a peer without window scaling: neither side scales */
static void cookie_child_no_wscale(struct kunit *test)
{
	struct xf_env *e = xf_new(test, 1460, 9);
	struct xtcp_seg syn = { .seq = CK_IRS, .flags = XTCP_SYN, .mss = 536,
				.wscale = -1 };
	struct xtcp_seg ack = { .seq = CK_IRS + 1, .ack = 501,
				.flags = XTCP_ACK, .wnd = 5000, .wscale = -1 };

	xtcp_core_cookie_child(&e->tcb, &syn, 500);
	xtcp_core_input(&e->tcb, &ack);
	KUNIT_EXPECT_EQ(test, e->tcb.state, (u8)XTCP_ESTABLISHED);
	KUNIT_EXPECT_EQ(test, e->tcb.snd_mss, 536);
	KUNIT_EXPECT_EQ(test, e->tcb.rcv_wscale, 0);
	KUNIT_EXPECT_EQ(test, e->tcb.snd_wnd, 5000U);
	KUNIT_EXPECT_EQ(test, e->nout, 0);
}

static struct kunit_case xtcp_syncookie_cases[] = {
	KUNIT_CASE(cookie_roundtrip_v4),
	KUNIT_CASE(cookie_roundtrip_v6),
	KUNIT_CASE(cookie_mss_rounding),
	KUNIT_CASE(cookie_expiry),
	KUNIT_CASE(cookie_bound_to_tuple),
	KUNIT_CASE(cookie_forgery),
	KUNIT_CASE(cookie_policy),
	KUNIT_CASE(cookie_child_established),
	KUNIT_CASE(cookie_child_no_wscale),
	{}
};

static struct kunit_suite xtcp_syncookie_suite = {
	.name = "xtcp_syncookie",
	.test_cases = xtcp_syncookie_cases,
};

kunit_test_suites(&xtcp_syncookie_suite);
