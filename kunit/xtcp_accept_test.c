// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the RFC 9293 §3.10.7.4 segment acceptability test, its four cases
 * (SEG.LEN zero or not, RCV.WND zero or not), at and around the window
 * edges, and across the 2^32 wrap.
 */
#include <kunit/test.h>

#include "xtcp_core.h"

/* the TCB is too large for the stack of the test functions acc() is
 * inlined into (the cases run one at a time)
 */
static struct xtcp_tcb acc_tcb;

static bool acc(u32 rcv_nxt, u32 rcv_wnd, u32 seq, u32 len, u16 flags)
{
	struct xtcp_seg seg = { .seq = seq, .len = len, .flags = flags };

	acc_tcb = (struct xtcp_tcb){ .rcv_nxt = rcv_nxt, .rcv_wnd = rcv_wnd };
	return xtcp_seg_acceptable(&acc_tcb, &seg);
}

/* SEG.LEN = 0, RCV.WND = 0: SEG.SEQ = RCV.NXT */
static void accept_len0_wnd0(struct kunit *test)
{
	KUNIT_EXPECT_TRUE(test, acc(1000, 0, 1000, 0, XTCP_ACK));
	KUNIT_EXPECT_FALSE(test, acc(1000, 0, 999, 0, XTCP_ACK));
	KUNIT_EXPECT_FALSE(test, acc(1000, 0, 1001, 0, XTCP_ACK));
	KUNIT_EXPECT_TRUE(test, acc(0, 0, 0, 0, XTCP_ACK));
	KUNIT_EXPECT_FALSE(test, acc(0, 0, 0xffffffffU, 0, XTCP_ACK));
}

/* SEG.LEN = 0, RCV.WND > 0: RCV.NXT =< SEG.SEQ < RCV.NXT+RCV.WND */
static void accept_len0_wnd(struct kunit *test)
{
	KUNIT_EXPECT_TRUE(test, acc(1000, 100, 1000, 0, XTCP_ACK));
	KUNIT_EXPECT_TRUE(test, acc(1000, 100, 1099, 0, XTCP_ACK));
	KUNIT_EXPECT_FALSE(test, acc(1000, 100, 1100, 0, XTCP_ACK));
	KUNIT_EXPECT_FALSE(test, acc(1000, 100, 999, 0, XTCP_ACK));
	KUNIT_EXPECT_TRUE(test, acc(1000, 1, 1000, 0, XTCP_ACK));
	KUNIT_EXPECT_FALSE(test, acc(1000, 1, 1001, 0, XTCP_ACK));
}

/* SEG.LEN > 0, RCV.WND = 0: never acceptable */
static void accept_len_wnd0(struct kunit *test)
{
	KUNIT_EXPECT_FALSE(test, acc(1000, 0, 1000, 1, XTCP_ACK));
	KUNIT_EXPECT_FALSE(test, acc(1000, 0, 999, 1, XTCP_ACK));
	KUNIT_EXPECT_FALSE(test, acc(1000, 0, 1000, 100, XTCP_ACK));
	/* a FIN alone has SEG.LEN 1 */
	KUNIT_EXPECT_FALSE(test, acc(1000, 0, 1000, 0, XTCP_ACK | XTCP_FIN));
	KUNIT_EXPECT_FALSE(test, acc(1000, 0, 1000, 0, XTCP_SYN));
}

/* SEG.LEN > 0, RCV.WND > 0: first or last byte in the window */
static void accept_len_wnd(struct kunit *test)
{
	/* fully inside */
	KUNIT_EXPECT_TRUE(test, acc(1000, 100, 1000, 100, XTCP_ACK));
	/* starts at the last byte of the window */
	KUNIT_EXPECT_TRUE(test, acc(1000, 100, 1099, 50, XTCP_ACK));
	/* starts just beyond the window */
	KUNIT_EXPECT_FALSE(test, acc(1000, 100, 1100, 50, XTCP_ACK));
	/* old data whose last byte is RCV.NXT */
	KUNIT_EXPECT_TRUE(test, acc(1000, 100, 990, 11, XTCP_ACK));
	/* old data ending just before RCV.NXT */
	KUNIT_EXPECT_FALSE(test, acc(1000, 100, 990, 10, XTCP_ACK));
	/* straddling the whole window */
	KUNIT_EXPECT_FALSE(test, acc(1000, 100, 900, 300, XTCP_ACK));
	KUNIT_EXPECT_TRUE(test, acc(1000, 100, 999, 2, XTCP_ACK));
}

/* SYN and FIN occupy sequence space */
static void accept_syn_fin_len(struct kunit *test)
{
	/* retransmitted FIN ending at RCV.NXT: last seq is RCV.NXT-1 */
	KUNIT_EXPECT_FALSE(test, acc(1000, 100, 999, 0, XTCP_ACK | XTCP_FIN));
	/* FIN at RCV.NXT */
	KUNIT_EXPECT_TRUE(test, acc(1000, 100, 1000, 0, XTCP_ACK | XTCP_FIN));
	/* data + FIN whose FIN is the first in-window seq */
	KUNIT_EXPECT_TRUE(test, acc(1000, 100, 990, 10, XTCP_ACK | XTCP_FIN));
	/* SYN at IRS (= RCV.NXT - 1) */
	KUNIT_EXPECT_FALSE(test, acc(1000, 100, 999, 0, XTCP_SYN));
}

/* windows that wrap past 2^32 */
static void accept_wrap_len0(struct kunit *test)
{
	u32 nxt = 0xffffff00U;

	KUNIT_EXPECT_TRUE(test, acc(nxt, 0x200, nxt, 0, XTCP_ACK));
	KUNIT_EXPECT_TRUE(test, acc(nxt, 0x200, 0, 0, XTCP_ACK));
	KUNIT_EXPECT_TRUE(test, acc(nxt, 0x200, 0xff, 0, XTCP_ACK));
	KUNIT_EXPECT_FALSE(test, acc(nxt, 0x200, 0x100, 0, XTCP_ACK));
	KUNIT_EXPECT_FALSE(test, acc(nxt, 0x200, nxt - 1, 0, XTCP_ACK));
}

static void accept_wrap_len(struct kunit *test)
{
	u32 nxt = 0xffffff00U;

	/* segment spans 2^32 */
	KUNIT_EXPECT_TRUE(test, acc(nxt, 0x200, 0xfffffff0U, 0x20, XTCP_ACK));
	/* old segment whose last byte is RCV.NXT, across the wrap */
	KUNIT_EXPECT_TRUE(test, acc(0x8, 0x100, 0xfffffff0U, 0x19, XTCP_ACK));
	KUNIT_EXPECT_FALSE(test, acc(0x8, 0x100, 0xfffffff0U, 0x18, XTCP_ACK));
	/* first byte at the last in-window seq 0xff */
	KUNIT_EXPECT_TRUE(test, acc(nxt, 0x200, 0xff, 0x1000, XTCP_ACK));
	KUNIT_EXPECT_FALSE(test, acc(nxt, 0x200, 0x100, 0x10, XTCP_ACK));
}

/* RCV.NXT at 2^32 - 1 and the window at the 2^31 boundary */
static void accept_edges_max(struct kunit *test)
{
	KUNIT_EXPECT_TRUE(test, acc(0xffffffffU, 1, 0xffffffffU, 0, XTCP_ACK));
	KUNIT_EXPECT_FALSE(test, acc(0xffffffffU, 1, 0, 0, XTCP_ACK));
	KUNIT_EXPECT_TRUE(test, acc(0xffffffffU, 2, 0, 1, XTCP_ACK));
	KUNIT_EXPECT_TRUE(test, acc(0xffffffffU, 0, 0xffffffffU, 0, XTCP_ACK));
	KUNIT_EXPECT_TRUE(test, acc(0, 0x40000000U, 0x3fffffffU, 0, XTCP_ACK));
	KUNIT_EXPECT_FALSE(test, acc(0, 0x40000000U, 0x40000000U, 0, XTCP_ACK));
}

static struct kunit_case xtcp_accept_cases[] = {
	KUNIT_CASE(accept_len0_wnd0),
	KUNIT_CASE(accept_len0_wnd),
	KUNIT_CASE(accept_len_wnd0),
	KUNIT_CASE(accept_len_wnd),
	KUNIT_CASE(accept_syn_fin_len),
	KUNIT_CASE(accept_wrap_len0),
	KUNIT_CASE(accept_wrap_len),
	KUNIT_CASE(accept_edges_max),
	{}
};

static struct kunit_suite xtcp_accept_suite = {
	.name = "xtcp_accept",
	.test_cases = xtcp_accept_cases,
};

kunit_test_suites(&xtcp_accept_suite);
