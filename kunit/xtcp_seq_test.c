// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: RFC 9293 §3.4.1 modular sequence-number arithmetic, including
 * wraparound at 2^32 and the 2^31 ambiguity boundary.
 */
#include <kunit/test.h>
#include <linux/module.h>

#include "xtcp_core.h"

static void seq_lt_basic(struct kunit *test)
{
	KUNIT_EXPECT_TRUE(test, xtcp_seq_lt(1, 2));
	KUNIT_EXPECT_FALSE(test, xtcp_seq_lt(2, 2));
	KUNIT_EXPECT_FALSE(test, xtcp_seq_lt(3, 2));
	KUNIT_EXPECT_TRUE(test, xtcp_seq_lt(0, 1));
	KUNIT_EXPECT_FALSE(test, xtcp_seq_lt(0, 0));
}

static void seq_lt_wrap(struct kunit *test)
{
	KUNIT_EXPECT_TRUE(test, xtcp_seq_lt(0xffffffffU, 0));
	KUNIT_EXPECT_FALSE(test, xtcp_seq_lt(0, 0xffffffffU));
	KUNIT_EXPECT_TRUE(test, xtcp_seq_lt(0xfffffff0U, 0x10));
	KUNIT_EXPECT_FALSE(test, xtcp_seq_lt(0x10, 0xfffffff0U));
	KUNIT_EXPECT_TRUE(test, xtcp_seq_lt(0xffffffffU - 5, 0xffffffffU));
}

static void seq_leq(struct kunit *test)
{
	KUNIT_EXPECT_TRUE(test, xtcp_seq_leq(5, 5));
	KUNIT_EXPECT_TRUE(test, xtcp_seq_leq(4, 5));
	KUNIT_EXPECT_FALSE(test, xtcp_seq_leq(6, 5));
	KUNIT_EXPECT_TRUE(test, xtcp_seq_leq(0xffffffffU, 0xffffffffU));
	KUNIT_EXPECT_TRUE(test, xtcp_seq_leq(0xffffffffU, 0));
	KUNIT_EXPECT_FALSE(test, xtcp_seq_leq(0, 0xffffffffU));
}

static void seq_gt_geq(struct kunit *test)
{
	KUNIT_EXPECT_TRUE(test, xtcp_seq_gt(2, 1));
	KUNIT_EXPECT_FALSE(test, xtcp_seq_gt(1, 1));
	KUNIT_EXPECT_TRUE(test, xtcp_seq_gt(0, 0xffffffffU));
	KUNIT_EXPECT_TRUE(test, xtcp_seq_gt(7, 0xfffffff9U));
	KUNIT_EXPECT_TRUE(test, xtcp_seq_geq(1, 1));
	KUNIT_EXPECT_TRUE(test, xtcp_seq_geq(0, 0xffffffffU));
	KUNIT_EXPECT_FALSE(test, xtcp_seq_geq(0xffffffffU, 0));
}

/* 2^31 apart: (s32)(a - b) is INT_MIN, so "a < b" whatever the order */
static void seq_half_space(struct kunit *test)
{
	u32 a = 0, b = 0x80000000U;

	KUNIT_EXPECT_TRUE(test, xtcp_seq_lt(a, b));
	KUNIT_EXPECT_TRUE(test, xtcp_seq_lt(b, a));
	KUNIT_EXPECT_FALSE(test, xtcp_seq_gt(a, b));
	/* one less than 2^31 apart: ordered */
	KUNIT_EXPECT_TRUE(test, xtcp_seq_lt(0, 0x7fffffffU));
	KUNIT_EXPECT_FALSE(test, xtcp_seq_lt(0x7fffffffU, 0));
	KUNIT_EXPECT_TRUE(test, xtcp_seq_gt(0x7fffffffU, 0));
	/* one more than 2^31 apart: order flips */
	KUNIT_EXPECT_TRUE(test, xtcp_seq_gt(0, 0x80000001U));
	KUNIT_EXPECT_TRUE(test, xtcp_seq_lt(0x80000001U, 0));
}

static void seq_in_basic(struct kunit *test)
{
	KUNIT_EXPECT_TRUE(test, xtcp_seq_in(10, 10, 20));
	KUNIT_EXPECT_TRUE(test, xtcp_seq_in(19, 10, 20));
	KUNIT_EXPECT_FALSE(test, xtcp_seq_in(20, 10, 20));
	KUNIT_EXPECT_FALSE(test, xtcp_seq_in(9, 10, 20));
	/* empty range */
	KUNIT_EXPECT_FALSE(test, xtcp_seq_in(10, 10, 10));
}

static void seq_in_wrap(struct kunit *test)
{
	u32 lo = 0xfffffff0U, hi = 0x10;

	KUNIT_EXPECT_TRUE(test, xtcp_seq_in(lo, lo, hi));
	KUNIT_EXPECT_TRUE(test, xtcp_seq_in(0xffffffffU, lo, hi));
	KUNIT_EXPECT_TRUE(test, xtcp_seq_in(0, lo, hi));
	KUNIT_EXPECT_TRUE(test, xtcp_seq_in(0xf, lo, hi));
	KUNIT_EXPECT_FALSE(test, xtcp_seq_in(0x10, lo, hi));
	KUNIT_EXPECT_FALSE(test, xtcp_seq_in(lo - 1, lo, hi));
	KUNIT_EXPECT_FALSE(test, xtcp_seq_in(0x80000000U, lo, hi));
}

static void seq_in_incl(struct kunit *test)
{
	KUNIT_EXPECT_TRUE(test, xtcp_seq_in_incl(20, 10, 20));
	KUNIT_EXPECT_TRUE(test, xtcp_seq_in_incl(10, 10, 20));
	KUNIT_EXPECT_FALSE(test, xtcp_seq_in_incl(21, 10, 20));
	KUNIT_EXPECT_FALSE(test, xtcp_seq_in_incl(9, 10, 20));
	KUNIT_EXPECT_TRUE(test, xtcp_seq_in_incl(10, 10, 10));
	KUNIT_EXPECT_TRUE(test, xtcp_seq_in_incl(0, 0xffffffffU, 0));
	KUNIT_EXPECT_TRUE(test, xtcp_seq_in_incl(0xffffffffU, 0xffffffffU, 0));
	KUNIT_EXPECT_FALSE(test, xtcp_seq_in_incl(1, 0xffffffffU, 0));
	KUNIT_EXPECT_FALSE(test, xtcp_seq_in_incl(0xfffffffeU, 0xffffffffU, 0));
}

/* ranges spanning 2^31 (half the space) still work */
static void seq_in_large(struct kunit *test)
{
	KUNIT_EXPECT_TRUE(test, xtcp_seq_in(0x7fffffffU, 0, 0x80000000U));
	KUNIT_EXPECT_FALSE(test, xtcp_seq_in(0x80000000U, 0, 0x80000000U));
	KUNIT_EXPECT_TRUE(test, xtcp_seq_in(0x10, 0x80000010U, 0x11));
	KUNIT_EXPECT_TRUE(test, xtcp_seq_in_incl(0x80000000U, 0, 0x80000000U));
}

static void seq_seglen(struct kunit *test)
{
	struct xtcp_seg seg = { .len = 100 };

	KUNIT_EXPECT_EQ(test, xtcp_seg_seqlen(&seg), 100);
	seg.flags = XTCP_SYN;
	KUNIT_EXPECT_EQ(test, xtcp_seg_seqlen(&seg), 101);
	seg.flags = XTCP_SYN | XTCP_FIN | XTCP_ACK;
	KUNIT_EXPECT_EQ(test, xtcp_seg_seqlen(&seg), 102);
	seg.len = 0;
	seg.flags = XTCP_ACK | XTCP_RST | XTCP_PSH;
	KUNIT_EXPECT_EQ(test, xtcp_seg_seqlen(&seg), 0);
}

static void seq_state_names(struct kunit *test)
{
	static const char * const names[] = {
		"CLOSED", "LISTEN", "SYN-SENT", "SYN-RECEIVED", "ESTABLISHED",
		"FIN-WAIT-1", "FIN-WAIT-2", "CLOSE-WAIT", "CLOSING",
		"LAST-ACK", "TIME-WAIT",
	};
	unsigned int i;

	KUNIT_EXPECT_EQ(test, ARRAY_SIZE(names), XTCP_NSTATES);
	for (i = 0; i < ARRAY_SIZE(names); i++)
		KUNIT_EXPECT_STREQ(test, xtcp_state_name(i), names[i]);
	KUNIT_EXPECT_STREQ(test, xtcp_state_name(XTCP_NSTATES), "UNKNOWN");
}

static struct kunit_case xtcp_seq_cases[] = {
	KUNIT_CASE(seq_lt_basic),
	KUNIT_CASE(seq_lt_wrap),
	KUNIT_CASE(seq_leq),
	KUNIT_CASE(seq_gt_geq),
	KUNIT_CASE(seq_half_space),
	KUNIT_CASE(seq_in_basic),
	KUNIT_CASE(seq_in_wrap),
	KUNIT_CASE(seq_in_incl),
	KUNIT_CASE(seq_in_large),
	KUNIT_CASE(seq_seglen),
	KUNIT_CASE(seq_state_names),
	{}
};

static struct kunit_suite xtcp_seq_suite = {
	.name = "xtcp_seq",
	.test_cases = xtcp_seq_cases,
};

kunit_test_suites(&xtcp_seq_suite);

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("XTCP KUnit tests: sequence arithmetic, acceptability, state machine");
