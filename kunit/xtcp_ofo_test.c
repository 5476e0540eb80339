// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the receiver's out-of-order ranges (xtcp_ofo_core.c): merging
 * and overlap trimming, the order of SACK blocks (RFC 2018 §4), D-SACK
 * (RFC 2883 §4), hole filling, pruning, the range limit and wraparound.
 * Every expected range is worked out by hand in the comments.
 */
#include <kunit/test.h>

#include "xtcp_core.h"

static void ofo_free_res(struct kunit_resource *res)
{
	xtcp_ofo_free(res->data);
}

/* a state with its ranges reserved, freed when the test ends */
static struct xtcp_ofo *ofo_new(struct kunit *test)
{
	struct xtcp_ofo *o = kunit_kzalloc(test, sizeof(*o), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, o);
	KUNIT_ASSERT_EQ(test, xtcp_ofo_reserve(o), 0);
	KUNIT_ASSERT_NOT_NULL(test, kunit_alloc_resource(test, NULL,
							 ofo_free_res,
							 GFP_KERNEL, o));
	return o;
}

static void expect_range_(struct kunit *test, int line,
			  const struct xtcp_ofo *o, unsigned int i, u32 start,
			  u32 end)
{
	KUNIT_ASSERT_LT_MSG(test, i, (unsigned int)o->n, "line %d", line);
	KUNIT_EXPECT_EQ_MSG(test, o->r[i].start, start, "line %d: start", line);
	KUNIT_EXPECT_EQ_MSG(test, o->r[i].end, end, "line %d: end", line);
}

#define expect_range(test, o, i, s, e) \
	expect_range_(test, __LINE__, o, i, s, e)

/* the ranges' memory comes with the first range held, stays over a
 * reset, and goes with xtcp_ofo_free
 */
static void ofo_lazy_ranges(struct kunit *test)
{
	struct xtcp_ofo *o = kunit_kzalloc(test, sizeof(*o), GFP_KERNEL);
	struct xtcp_ofo_range *r;

	KUNIT_ASSERT_NOT_NULL(test, o);
	KUNIT_EXPECT_NULL(test, o->r);
	KUNIT_EXPECT_EQ(test, xtcp_ofo_add(o, 100, 200), -ENOMEM);
	KUNIT_EXPECT_EQ(test, o->n, 0);
	KUNIT_ASSERT_EQ(test, xtcp_ofo_reserve(o), 0);
	r = o->r;
	KUNIT_ASSERT_NOT_NULL(test, r);
	KUNIT_EXPECT_EQ(test, xtcp_ofo_reserve(o), 0);
	KUNIT_EXPECT_PTR_EQ(test, o->r, r);
	KUNIT_EXPECT_EQ(test, xtcp_ofo_add(o, 100, 200), 0);
	o->fin = 1;
	xtcp_ofo_reset(o);
	KUNIT_EXPECT_EQ(test, o->n, 0);
	KUNIT_EXPECT_EQ(test, o->fin, 0);
	KUNIT_EXPECT_PTR_EQ(test, o->r, r);
	xtcp_ofo_free(o);
	KUNIT_EXPECT_NULL(test, o->r);
	KUNIT_EXPECT_EQ(test, o->n, 0);
}

/* disjoint segments: one range each, the latest first */
static void ofo_add_disjoint_order(struct kunit *test)
{
	struct xtcp_ofo *o = ofo_new(test);

	KUNIT_EXPECT_EQ(test, xtcp_ofo_add(o, 100, 200), 0);
	KUNIT_EXPECT_EQ(test, xtcp_ofo_add(o, 500, 600), 0);
	KUNIT_EXPECT_EQ(test, xtcp_ofo_add(o, 300, 400), 0);
	KUNIT_EXPECT_EQ(test, o->n, 3);
	expect_range(test, o, 0, 300, 400);
	expect_range(test, o, 1, 500, 600);
	expect_range(test, o, 2, 100, 200);
}

/* a segment over two ranges and the gap between: one range [100, 400) */
static void ofo_add_merge_overlap(struct kunit *test)
{
	struct xtcp_ofo *o = ofo_new(test);

	xtcp_ofo_add(o, 100, 200);
	xtcp_ofo_add(o, 300, 400);
	xtcp_ofo_add(o, 900, 1000);
	KUNIT_EXPECT_EQ(test, xtcp_ofo_add(o, 150, 350), 2);
	KUNIT_EXPECT_EQ(test, o->n, 2);
	expect_range(test, o, 0, 100, 400);
	expect_range(test, o, 1, 900, 1000);
	/* inside a range: no change in extent, moved first */
	KUNIT_EXPECT_EQ(test, xtcp_ofo_add(o, 920, 950), 1);
	expect_range(test, o, 0, 900, 1000);
	expect_range(test, o, 1, 100, 400);
	/* a segment covering a range whole */
	KUNIT_EXPECT_EQ(test, xtcp_ofo_add(o, 50, 450), 1);
	expect_range(test, o, 0, 50, 450);
	KUNIT_EXPECT_EQ(test, o->n, 2);
}

/* touching ranges are one block: [100, 200) + [200, 300) + [50, 100) */
static void ofo_add_adjacent(struct kunit *test)
{
	struct xtcp_ofo *o = ofo_new(test);

	xtcp_ofo_add(o, 100, 200);
	KUNIT_EXPECT_EQ(test, xtcp_ofo_add(o, 200, 300), 1);
	KUNIT_EXPECT_EQ(test, xtcp_ofo_add(o, 50, 100), 1);
	KUNIT_EXPECT_EQ(test, o->n, 1);
	expect_range(test, o, 0, 50, 300);
}

/* new bytes and the duplicate part (what a D-SACK block reports) */
static void ofo_new_bytes_dup(struct kunit *test)
{
	struct xtcp_ofo *o = ofo_new(test);
	struct xtcp_ofo_range d;

	xtcp_ofo_add(o, 100, 200);
	xtcp_ofo_add(o, 300, 400);
	/* [150, 350): 150..200 and 300..350 held, 200..300 new */
	KUNIT_EXPECT_EQ(test, xtcp_ofo_new_bytes(o, 150, 350), 100U);
	KUNIT_EXPECT_EQ(test, xtcp_ofo_new_bytes(o, 120, 180), 0U);
	KUNIT_EXPECT_EQ(test, xtcp_ofo_new_bytes(o, 400, 450), 50U);
	KUNIT_EXPECT_EQ(test, xtcp_ofo_new_bytes(o, 50, 450), 200U);
	/* the lowest duplicate piece: [150, 200), not [300, 350) */
	KUNIT_EXPECT_TRUE(test, xtcp_ofo_dup(o, 150, 350, &d));
	KUNIT_EXPECT_EQ(test, d.start, 150U);
	KUNIT_EXPECT_EQ(test, d.end, 200U);
	KUNIT_EXPECT_TRUE(test, xtcp_ofo_dup(o, 350, 500, &d));
	KUNIT_EXPECT_EQ(test, d.start, 350U);
	KUNIT_EXPECT_EQ(test, d.end, 400U);
	KUNIT_EXPECT_FALSE(test, xtcp_ofo_dup(o, 200, 300, &d));
}

/* RCV.NXT reaches held data: the contiguous ranges leave */
static void ofo_take_hole_fill(struct kunit *test)
{
	struct xtcp_ofo *o = ofo_new(test);

	xtcp_ofo_add(o, 100, 200);
	xtcp_ofo_add(o, 300, 400);
	/* not yet: the gap [50, 100) is open */
	KUNIT_EXPECT_EQ(test, xtcp_ofo_take(o, 50), 50U);
	KUNIT_EXPECT_EQ(test, o->n, 2);
	/* [50, 100) arrived: [100, 200) follows it */
	KUNIT_EXPECT_EQ(test, xtcp_ofo_take(o, 100), 200U);
	KUNIT_EXPECT_EQ(test, o->n, 1);
	expect_range(test, o, 0, 300, 400);
	/* in-order data past the whole range [300, 400): 450 stays */
	KUNIT_EXPECT_EQ(test, xtcp_ofo_take(o, 450), 450U);
	KUNIT_EXPECT_EQ(test, o->n, 0);
	/* in-order data into the middle of a range */
	xtcp_ofo_add(o, 500, 600);
	KUNIT_EXPECT_EQ(test, xtcp_ofo_take(o, 550), 600U);
}

/* a FIN held out of order is the byte after the data; take stops at it */
static void ofo_take_fin(struct kunit *test)
{
	struct xtcp_ofo *o = ofo_new(test);

	o->fin = 1;
	o->fin_seq = 400;
	xtcp_ofo_add(o, 300, 401);
	KUNIT_EXPECT_EQ(test, xtcp_ofo_take(o, 200), 200U);
	KUNIT_EXPECT_EQ(test, xtcp_ofo_take(o, 300), 400U);
	KUNIT_EXPECT_EQ(test, o->n, 0);
	/* a FIN alone: RCV.NXT stays at it */
	xtcp_ofo_add(o, 400, 401);
	KUNIT_EXPECT_EQ(test, xtcp_ofo_take(o, 400), 400U);
}

/* pruning drops everything at and above the cut */
static void ofo_cut(struct kunit *test)
{
	struct xtcp_ofo *o = ofo_new(test);

	xtcp_ofo_add(o, 100, 200);
	xtcp_ofo_add(o, 300, 400);
	xtcp_ofo_add(o, 500, 600);
	xtcp_ofo_cut(o, 350);
	KUNIT_EXPECT_EQ(test, o->n, 2);
	expect_range(test, o, 0, 300, 350);
	expect_range(test, o, 1, 100, 200);
	xtcp_ofo_cut(o, 100);
	KUNIT_EXPECT_EQ(test, o->n, 0);
}

/* RFC 2018 §4: the blocks are the ranges, most recent first, at most
 * @max; RFC 2883 §4: a D-SACK block first, reported once
 */
static void ofo_sack_blocks(struct kunit *test)
{
	struct xtcp_ofo *o = ofo_new(test);
	struct xtcp_sack_block b[XTCP_MAX_SACK_BLOCKS];
	int i;

	for (i = 0; i < 5; i++)
		xtcp_ofo_add(o, 1000 * (i + 1), 1000 * (i + 1) + 100);
	KUNIT_EXPECT_EQ(test, xtcp_ofo_sack(o, b, 4), 4U);
	/* the fifth segment (5000) first, down to the second (2000) */
	for (i = 0; i < 4; i++) {
		KUNIT_EXPECT_EQ(test, b[i].start, 1000U * (5 - i));
		KUNIT_EXPECT_EQ(test, b[i].end, 1000U * (5 - i) + 100);
	}
	xtcp_ofo_set_dsack(o, 10, 20);
	KUNIT_EXPECT_EQ(test, xtcp_ofo_sack(o, b, 3), 3U);
	KUNIT_EXPECT_EQ(test, b[0].start, 10U);
	KUNIT_EXPECT_EQ(test, b[0].end, 20U);
	KUNIT_EXPECT_EQ(test, b[1].start, 5000U);
	KUNIT_EXPECT_EQ(test, b[2].start, 4000U);
	/* once */
	KUNIT_EXPECT_EQ(test, xtcp_ofo_sack(o, b, 3), 3U);
	KUNIT_EXPECT_EQ(test, b[0].start, 5000U);
	/* no room: the D-SACK stays due */
	xtcp_ofo_set_dsack(o, 10, 20);
	KUNIT_EXPECT_EQ(test, xtcp_ofo_sack(o, b, 0), 0U);
	KUNIT_EXPECT_TRUE(test, o->dsack);
}

/* RFC 2883 §4 rule 4: a duplicate inside a held range puts that range
 * right after the D-SACK block
 */
static void ofo_dsack_inside(struct kunit *test)
{
	struct xtcp_ofo *o = ofo_new(test);
	struct xtcp_sack_block b[XTCP_MAX_SACK_BLOCKS];

	xtcp_ofo_add(o, 100, 300);
	xtcp_ofo_add(o, 500, 600);
	xtcp_ofo_add(o, 700, 800);
	xtcp_ofo_set_dsack(o, 150, 200);
	xtcp_ofo_touch(o, 150);
	KUNIT_EXPECT_EQ(test, xtcp_ofo_sack(o, b, 4), 4U);
	KUNIT_EXPECT_EQ(test, b[0].start, 150U);
	KUNIT_EXPECT_EQ(test, b[0].end, 200U);
	KUNIT_EXPECT_EQ(test, b[1].start, 100U);
	KUNIT_EXPECT_EQ(test, b[1].end, 300U);
	KUNIT_EXPECT_EQ(test, b[2].start, 700U);
	KUNIT_EXPECT_EQ(test, b[3].start, 500U);
}

/* at most XTCP_OFO_MAX_RANGES ranges; merging still works when full */
static void ofo_range_limit(struct kunit *test)
{
	struct xtcp_ofo *o = ofo_new(test);
	int i;

	for (i = 0; i < XTCP_OFO_MAX_RANGES; i++)
		KUNIT_EXPECT_EQ(test, xtcp_ofo_add(o, 10 * i + 10, 10 * i + 15),
				0);
	KUNIT_EXPECT_EQ(test, o->n, XTCP_OFO_MAX_RANGES);
	/* 10 * 32 + 10 = 330 is past the last range [320, 325): no room */
	KUNIT_EXPECT_FALSE(test, xtcp_ofo_can_add(o, 330, 331));
	KUNIT_EXPECT_EQ(test, xtcp_ofo_add(o, 330, 331), -ENOSPC);
	KUNIT_EXPECT_EQ(test, o->n, XTCP_OFO_MAX_RANGES);
	expect_range(test, o, 0, 320, 325);
	/* [15, 20) fills the gap between [10, 15) and [20, 25) */
	KUNIT_EXPECT_EQ(test, xtcp_ofo_add(o, 15, 20), 2);
	KUNIT_EXPECT_EQ(test, o->n, XTCP_OFO_MAX_RANGES - 1);
	expect_range(test, o, 0, 10, 25);
	KUNIT_EXPECT_EQ(test, xtcp_ofo_add(o, 330, 331), 0);
}

/* sequence numbers wrap at 2^32 */
static void ofo_wrap(struct kunit *test)
{
	struct xtcp_ofo *o = ofo_new(test);
	struct xtcp_ofo_range d;

	xtcp_ofo_add(o, 0xffffff00U, 0xffffff80U);
	xtcp_ofo_add(o, 0x80, 0x100);
	/* [0xffffff80, 0x80) joins both: [0xffffff00, 0x100) */
	KUNIT_EXPECT_EQ(test, xtcp_ofo_new_bytes(o, 0xffffff40U, 0x90),
			0x100U);
	KUNIT_EXPECT_TRUE(test, xtcp_ofo_dup(o, 0xffffff40U, 0x90, &d));
	KUNIT_EXPECT_EQ(test, d.start, 0xffffff40U);
	KUNIT_EXPECT_EQ(test, d.end, 0xffffff80U);
	KUNIT_EXPECT_EQ(test, xtcp_ofo_add(o, 0xffffff80U, 0x80), 2);
	KUNIT_EXPECT_EQ(test, o->n, 1);
	expect_range(test, o, 0, 0xffffff00U, 0x100);
	KUNIT_EXPECT_EQ(test, xtcp_ofo_take(o, 0xffffff00U), 0x100U);
}

static struct kunit_case xtcp_ofo_cases[] = {
	KUNIT_CASE(ofo_lazy_ranges),
	KUNIT_CASE(ofo_add_disjoint_order),
	KUNIT_CASE(ofo_add_merge_overlap),
	KUNIT_CASE(ofo_add_adjacent),
	KUNIT_CASE(ofo_new_bytes_dup),
	KUNIT_CASE(ofo_take_hole_fill),
	KUNIT_CASE(ofo_take_fin),
	KUNIT_CASE(ofo_cut),
	KUNIT_CASE(ofo_sack_blocks),
	KUNIT_CASE(ofo_dsack_inside),
	KUNIT_CASE(ofo_range_limit),
	KUNIT_CASE(ofo_wrap),
	{}
};

static struct kunit_suite xtcp_ofo_suite = {
	.name = "xtcp_ofo",
	.test_cases = xtcp_ofo_cases,
};

kunit_test_suite(xtcp_ofo_suite);
