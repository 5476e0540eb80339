// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: ICMP decisions (xtcp_icmp_core.c) against Linux's tcp_v4_err() /
 * tcp_v6_err() tables, the in-flight sequence check, MSS from MTU, and the
 * core's reaction: a hard error failing an active open, a PMTU drop
 * lowering SND.MSS and resending what was in flight in smaller segments.
 */
#include <kunit/test.h>
#include <linux/module.h>
#include <linux/icmp.h>
#include <linux/icmpv6.h>

#include "xtcp_icmp_core.h"
#include "xtcp_fake.h"

#define IC_ISS	1000U
#define IC_IRS	9000U

/* an active open in SYN-SENT */
static struct xf_env *ic_syn_sent(struct kunit *test)
{
	struct xf_env *e = xf_new(test, 1460, 7);

	KUNIT_ASSERT_EQ(test, 0, xtcp_core_connect(&e->tcb, IC_ISS));
	e->nout = 0;
	return e;
}

/* ESTABLISHED by an active open; the peer offers MSS 1460, big window */
static struct xf_env *ic_estab(struct kunit *test)
{
	struct xf_env *e = ic_syn_sent(test);
	struct xtcp_seg sa = { .seq = IC_IRS, .ack = IC_ISS + 1,
			       .flags = XTCP_SYN | XTCP_ACK, .wnd = 65535,
			       .mss = 1460, .wscale = 7 };

	xtcp_core_input(&e->tcb, &sa);
	KUNIT_ASSERT_EQ(test, e->tcb.state, (u8)XTCP_ESTABLISHED);
	e->nout = 0;
	return e;
}

static enum xtcp_icmp_act ic(struct xf_env *e, bool v6, u8 type, u8 code,
			     u32 info, u32 seq, bool recverr,
			     struct xtcp_icmp_verdict *v)
{
	struct xtcp_icmp_msg m = { .v6 = v6, .type = type, .code = code,
				   .info = info, .seq = seq };

	return xtcp_icmp_classify(&e->tcb, &m, recverr, v);
}

/* SYN-SENT: every unreachable code fails connect() with Linux's errno */
static void icmp4_syn_sent_errno(struct kunit *test)
{
	static const struct { u8 code; int err; } tab[] = {
		{ ICMP_NET_UNREACH, ENETUNREACH },
		{ ICMP_HOST_UNREACH, EHOSTUNREACH },
		{ ICMP_PROT_UNREACH, ENOPROTOOPT },
		{ ICMP_PORT_UNREACH, ECONNREFUSED },
		{ ICMP_SR_FAILED, EOPNOTSUPP },
		{ ICMP_HOST_UNKNOWN, EHOSTDOWN },
		{ ICMP_HOST_ISOLATED, ENONET },
		{ ICMP_NET_ANO, ENETUNREACH },
		{ ICMP_PKT_FILTERED, EHOSTUNREACH },
		{ ICMP_PREC_CUTOFF, EHOSTUNREACH },
	};
	struct xf_env *e = ic_syn_sent(test);
	struct xtcp_icmp_verdict v;
	int i;

	for (i = 0; i < ARRAY_SIZE(tab); i++) {
		KUNIT_EXPECT_EQ(test, ic(e, false, ICMP_DEST_UNREACH,
					 tab[i].code, 0, IC_ISS, false, &v),
				XTCP_ICMP_ABORT);
		KUNIT_EXPECT_EQ(test, v.err, tab[i].err);
	}
	KUNIT_EXPECT_EQ(test, ic(e, false, ICMP_TIME_EXCEEDED, 0, 0, IC_ISS,
				 false, &v), XTCP_ICMP_ABORT);
	KUNIT_EXPECT_EQ(test, v.err, EHOSTUNREACH);
	KUNIT_EXPECT_EQ(test, ic(e, false, ICMP_PARAMETERPROB, 0, 0, IC_ISS,
				 false, &v), XTCP_ICMP_ABORT);
	KUNIT_EXPECT_EQ(test, v.err, EPROTO);
	/* codes past NR_ICMP_UNREACH, quench, redirect, echo: ignored */
	KUNIT_EXPECT_EQ(test, ic(e, false, ICMP_DEST_UNREACH, 16, 0, IC_ISS,
				 false, &v), XTCP_ICMP_IGNORE);
	KUNIT_EXPECT_EQ(test, ic(e, false, ICMP_SOURCE_QUENCH, 0, 0, IC_ISS,
				 false, &v), XTCP_ICMP_IGNORE);
	KUNIT_EXPECT_EQ(test, ic(e, false, ICMP_REDIRECT, 1, 0, IC_ISS,
				 false, &v), XTCP_ICMP_IGNORE);
	KUNIT_EXPECT_EQ(test, ic(e, false, ICMP_ECHOREPLY, 0, 0, IC_ISS,
				 false, &v), XTCP_ICMP_IGNORE);
}

static void icmp6_syn_sent_errno(struct kunit *test)
{
	static const struct { u8 type, code; int err; } tab[] = {
		{ ICMPV6_DEST_UNREACH, ICMPV6_NOROUTE, ENETUNREACH },
		{ ICMPV6_DEST_UNREACH, ICMPV6_ADM_PROHIBITED, EACCES },
		{ ICMPV6_DEST_UNREACH, ICMPV6_ADDR_UNREACH, EHOSTUNREACH },
		{ ICMPV6_DEST_UNREACH, ICMPV6_PORT_UNREACH, ECONNREFUSED },
		{ ICMPV6_DEST_UNREACH, ICMPV6_REJECT_ROUTE, EACCES },
		{ ICMPV6_DEST_UNREACH, 42, EPROTO },
		{ ICMPV6_TIME_EXCEED, 0, EHOSTUNREACH },
		{ ICMPV6_PARAMPROB, 1, EPROTO },
	};
	struct xf_env *e = ic_syn_sent(test);
	struct xtcp_icmp_verdict v;
	int i;

	for (i = 0; i < ARRAY_SIZE(tab); i++) {
		KUNIT_EXPECT_EQ(test, ic(e, true, tab[i].type, tab[i].code, 0,
					 IC_ISS, false, &v), XTCP_ICMP_ABORT);
		KUNIT_EXPECT_EQ(test, v.err, tab[i].err);
	}
	KUNIT_EXPECT_EQ(test, ic(e, true, ICMPV6_ECHO_REPLY, 0, 0, IC_ISS,
				 false, &v), XTCP_ICMP_IGNORE);
}

/* synchronized: soft errors (SO_ERROR), or reported with IP_RECVERR */
static void icmp_established_soft(struct kunit *test)
{
	struct xf_env *e = ic_estab(test);
	struct xtcp_icmp_verdict v;

	KUNIT_EXPECT_EQ(test, ic(e, false, ICMP_DEST_UNREACH,
				 ICMP_PORT_UNREACH, 0, IC_ISS + 1, false, &v),
			XTCP_ICMP_SOFT);
	KUNIT_EXPECT_EQ(test, v.err, ECONNREFUSED);
	KUNIT_EXPECT_EQ(test, ic(e, false, ICMP_DEST_UNREACH,
				 ICMP_HOST_UNREACH, 0, IC_ISS + 1, true, &v),
			XTCP_ICMP_REPORT);
	KUNIT_EXPECT_EQ(test, v.err, EHOSTUNREACH);
	KUNIT_EXPECT_EQ(test, ic(e, true, ICMPV6_DEST_UNREACH,
				 ICMPV6_NOROUTE, 0, IC_ISS + 1, false, &v),
			XTCP_ICMP_SOFT);
	KUNIT_EXPECT_EQ(test, v.err, ENETUNREACH);
	KUNIT_EXPECT_EQ(test, e->tcb.state, (u8)XTCP_ESTABLISHED);
}

/* RFC 5927 §4.1: SND.UNA <= SEQ <= SND.NXT, else ignored */
static void icmp_seq_in_flight(struct kunit *test)
{
	struct xf_env *e = ic_estab(test);
	struct xtcp_icmp_verdict v;
	u32 una;

	e->tcb.snd_end += 3000;
	xtcp_core_output(&e->tcb);
	una = e->tcb.snd_una;
	KUNIT_ASSERT_EQ(test, e->tcb.snd_max, una + 3000);
	KUNIT_EXPECT_EQ(test, ic(e, false, ICMP_DEST_UNREACH,
				 ICMP_NET_UNREACH, 0, una, false, &v),
			XTCP_ICMP_SOFT);
	KUNIT_EXPECT_EQ(test, ic(e, false, ICMP_DEST_UNREACH,
				 ICMP_NET_UNREACH, 0, una + 1460, false, &v),
			XTCP_ICMP_SOFT);
	KUNIT_EXPECT_EQ(test, ic(e, false, ICMP_DEST_UNREACH,
				 ICMP_NET_UNREACH, 0, una + 3000, false, &v),
			XTCP_ICMP_SOFT);
	KUNIT_EXPECT_EQ(test, ic(e, false, ICMP_DEST_UNREACH,
				 ICMP_NET_UNREACH, 0, una + 3001, false, &v),
			XTCP_ICMP_OUT_OF_WINDOW);
	KUNIT_EXPECT_EQ(test, ic(e, false, ICMP_DEST_UNREACH,
				 ICMP_NET_UNREACH, 0, una - 1, false, &v),
			XTCP_ICMP_OUT_OF_WINDOW);
	KUNIT_EXPECT_EQ(test, ic(e, false, ICMP_DEST_UNREACH,
				 ICMP_FRAG_NEEDED, 1280, una - 100000, false,
				 &v), XTCP_ICMP_OUT_OF_WINDOW);
	/* SYN-SENT: only the SYN's sequence number */
	e = ic_syn_sent(test);
	KUNIT_EXPECT_EQ(test, ic(e, false, ICMP_DEST_UNREACH,
				 ICMP_HOST_UNREACH, 0, IC_ISS + 2, false, &v),
			XTCP_ICMP_OUT_OF_WINDOW);
	KUNIT_EXPECT_EQ(test, ic(e, false, ICMP_DEST_UNREACH,
				 ICMP_HOST_UNREACH, 0, 12345, false, &v),
			XTCP_ICMP_OUT_OF_WINDOW);
}

/* a passive half-open child: only errors about its SYN-ACK, and only the
 * "fatal" ones drop it, silently (tcp_req_err)
 */
static void icmp_passive_child(struct kunit *test)
{
	struct xf_env *e = xf_new(test, 1460, 7);
	struct xtcp_seg syn = { .seq = IC_IRS, .flags = XTCP_SYN, .wnd = 1000,
				.mss = 1460, .wscale = -1 };
	struct xtcp_icmp_verdict v;

	xtcp_core_accept_syn(&e->tcb, &syn, IC_ISS);
	KUNIT_ASSERT_EQ(test, e->tcb.state, (u8)XTCP_SYN_RECEIVED);
	KUNIT_EXPECT_EQ(test, ic(e, false, ICMP_DEST_UNREACH,
				 ICMP_HOST_UNREACH, 0, IC_ISS, false, &v),
			XTCP_ICMP_DROP);
	KUNIT_EXPECT_EQ(test, ic(e, false, ICMP_DEST_UNREACH,
				 ICMP_PORT_UNREACH, 0, IC_ISS, false, &v),
			XTCP_ICMP_IGNORE);
	KUNIT_EXPECT_EQ(test, ic(e, false, ICMP_DEST_UNREACH,
				 ICMP_FRAG_NEEDED, 576, IC_ISS, false, &v),
			XTCP_ICMP_IGNORE);
	KUNIT_EXPECT_EQ(test, ic(e, false, ICMP_TIME_EXCEEDED, 0, 0, IC_ISS,
				 false, &v), XTCP_ICMP_DROP);
	KUNIT_EXPECT_EQ(test, ic(e, false, ICMP_DEST_UNREACH,
				 ICMP_HOST_UNREACH, 0, IC_ISS + 1, false, &v),
			XTCP_ICMP_OUT_OF_WINDOW);
	KUNIT_EXPECT_EQ(test, ic(e, true, ICMPV6_DEST_UNREACH,
				 ICMPV6_PORT_UNREACH, 0, IC_ISS, false, &v),
			XTCP_ICMP_DROP);
	KUNIT_EXPECT_EQ(test, ic(e, true, ICMPV6_DEST_UNREACH,
				 ICMPV6_NOROUTE, 0, IC_ISS, false, &v),
			XTCP_ICMP_IGNORE);
}

static void icmp_pmtu_verdict(struct kunit *test)
{
	struct xf_env *e = ic_estab(test);
	struct xtcp_icmp_verdict v;

	KUNIT_EXPECT_EQ(test, ic(e, false, ICMP_DEST_UNREACH,
				 ICMP_FRAG_NEEDED, 1280, IC_ISS + 1, false,
				 &v), XTCP_ICMP_PMTU);
	KUNIT_EXPECT_EQ(test, v.mtu, 1280U);
	KUNIT_EXPECT_EQ(test, ic(e, true, ICMPV6_PKT_TOOBIG, 0, 1400,
				 IC_ISS + 1, false, &v), XTCP_ICMP_PMTU);
	KUNIT_EXPECT_EQ(test, v.mtu, 1400U);
	/* RFC 8201 §4: below the IPv6 minimum MTU is ignored */
	KUNIT_EXPECT_EQ(test, ic(e, true, ICMPV6_PKT_TOOBIG, 0, 1279,
				 IC_ISS + 1, false, &v), XTCP_ICMP_IGNORE);
	/* in SYN-SENT too; not in TIME-WAIT or CLOSED */
	e = ic_syn_sent(test);
	KUNIT_EXPECT_EQ(test, ic(e, false, ICMP_DEST_UNREACH,
				 ICMP_FRAG_NEEDED, 1000, IC_ISS, false, &v),
			XTCP_ICMP_PMTU);
	e->tcb.state = XTCP_TIME_WAIT;
	KUNIT_EXPECT_EQ(test, ic(e, false, ICMP_DEST_UNREACH,
				 ICMP_FRAG_NEEDED, 1000, IC_ISS, false, &v),
			XTCP_ICMP_IGNORE);
	e->tcb.state = XTCP_CLOSED;
	KUNIT_EXPECT_EQ(test, ic(e, false, ICMP_DEST_UNREACH,
				 ICMP_HOST_UNREACH, 0, IC_ISS, false, &v),
			XTCP_ICMP_IGNORE);
}

static void icmp_mtu_to_mss(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, xtcp_mtu_to_mss(1500, false), 1460);
	KUNIT_EXPECT_EQ(test, xtcp_mtu_to_mss(1500, true), 1440);
	KUNIT_EXPECT_EQ(test, xtcp_mtu_to_mss(1280, false), 1240);
	KUNIT_EXPECT_EQ(test, xtcp_mtu_to_mss(1280, true), 1220);
	KUNIT_EXPECT_EQ(test, xtcp_mtu_to_mss(576, false), 536);
	KUNIT_EXPECT_EQ(test, xtcp_mtu_to_mss(68, false), 48);
	KUNIT_EXPECT_EQ(test, xtcp_mtu_to_mss(0, true), 48);
	KUNIT_EXPECT_EQ(test, xtcp_mtu_to_mss(100000, false), 65495);
}

/* hard error: connect() fails with the errno, no RST is sent */
static void icmp_core_fail(struct kunit *test)
{
	struct xf_env *e = ic_syn_sent(test);

	xtcp_core_fail(&e->tcb, EHOSTUNREACH);
	KUNIT_EXPECT_EQ(test, e->tcb.state, (u8)XTCP_CLOSED);
	KUNIT_EXPECT_EQ(test, e->err, -EHOSTUNREACH);
	KUNIT_EXPECT_EQ(test, e->nout, 0);
	KUNIT_EXPECT_EQ(test, e->tcb.timers, 0);
	/* a passive child is dropped without a user error */
	e = xf_new(test, 1460, 7);
	e->tcb.state = XTCP_SYN_RECEIVED;
	xtcp_core_fail(&e->tcb, 0);
	KUNIT_EXPECT_EQ(test, e->tcb.state, (u8)XTCP_CLOSED);
	KUNIT_EXPECT_EQ(test, e->nerr, 0);
}

/*
 * PMTU: 4000 bytes in flight as 1460-byte segments; the path takes 1240.
 * Everything from SND.UNA is sent again at once in segments of at most
 * 1240 bytes, the congestion window is not cut; a larger value later
 * changes nothing.
 */
static void icmp_core_mtu_reduced(struct kunit *test)
{
	struct xf_env *e = ic_estab(test);
	u32 una = e->tcb.snd_una, cwnd, sum = 0;
	int i;

	e->tcb.snd_end += 4000;
	xtcp_core_output(&e->tcb);
	KUNIT_ASSERT_EQ(test, e->nout, 3);
	KUNIT_EXPECT_EQ(test, e->out[0].len, 1460U);
	cwnd = e->tcb.cwnd;
	e->nout = 0;
	KUNIT_EXPECT_TRUE(test, xtcp_core_mtu_reduced(&e->tcb, 1240));
	KUNIT_EXPECT_EQ(test, e->tcb.snd_mss, 1240);
	KUNIT_EXPECT_EQ(test, e->tcb.cwnd, cwnd);
	KUNIT_ASSERT_EQ(test, e->nout, 4);
	for (i = 0; i < e->nout; i++) {
		KUNIT_EXPECT_LE(test, e->out[i].len, 1240U);
		KUNIT_EXPECT_EQ(test, e->out[i].seq, una + sum);
		KUNIT_EXPECT_TRUE(test, e->out[i].rtx);
		sum += e->out[i].len;
	}
	KUNIT_EXPECT_EQ(test, sum, 4000U);
	KUNIT_EXPECT_EQ(test, e->tcb.snd_nxt, una + 4000);
	e->nout = 0;
	KUNIT_EXPECT_FALSE(test, xtcp_core_mtu_reduced(&e->tcb, 1400));
	KUNIT_EXPECT_FALSE(test, xtcp_core_mtu_reduced(&e->tcb, 1240));
	KUNIT_EXPECT_EQ(test, e->tcb.snd_mss, 1240);
	KUNIT_EXPECT_EQ(test, e->nout, 0);
	/* nothing in flight: only the MSS changes */
	e = ic_estab(test);
	KUNIT_EXPECT_TRUE(test, xtcp_core_mtu_reduced(&e->tcb, 1000));
	KUNIT_EXPECT_EQ(test, e->tcb.snd_mss, 1000);
	KUNIT_EXPECT_EQ(test, e->nout, 0);
}

static struct kunit_case xtcp_icmp_cases[] = {
	KUNIT_CASE(icmp4_syn_sent_errno),
	KUNIT_CASE(icmp6_syn_sent_errno),
	KUNIT_CASE(icmp_established_soft),
	KUNIT_CASE(icmp_seq_in_flight),
	KUNIT_CASE(icmp_passive_child),
	KUNIT_CASE(icmp_pmtu_verdict),
	KUNIT_CASE(icmp_mtu_to_mss),
	KUNIT_CASE(icmp_core_fail),
	KUNIT_CASE(icmp_core_mtu_reduced),
	{}
};

static struct kunit_suite xtcp_icmp_suite = {
	.name = "xtcp_icmp",
	.test_cases = xtcp_icmp_cases,
};

kunit_test_suites(&xtcp_icmp_suite);
