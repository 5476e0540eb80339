// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the sender scoreboard and loss recovery (xtcp_recovery.c and its
 * users in xtcp_core.c) with a fake microsecond clock: scoreboard updates
 * from ACKs and SACK blocks, D-SACK, RFC 6675 IsLost/NextSeg, RACK's
 * reordering window and timer, tail loss probes, SACK fast recovery with
 * PRR, NewReno partial ACKs, limited transmit, RTO skipping SACKed data,
 * D-SACK undo, lost retransmissions, RTO undo by timestamps (RFC 3522)
 * and by F-RTO (RFC 5682).
 * Every expected number is worked out in the comments.
 */
#include <kunit/test.h>
#include <kunit/resource.h>

#include "xtcp_core.h"
#include "xtcp_cc.h"

#define ISS	1000U
#define IRS	5000U
#define S1	(ISS + 1)
#define R1	(IRS + 1)
#define MSS	1000U
#define XR_MAXOUT	64

struct xr_env {
	struct xtcp_tcb tcb;
	u64 cc_priv[XTCP_CC_PRIV_U64];
	struct xtcp_params p;
	u64 now_us;
	struct xtcp_out out[XR_MAXOUT];
	int nout, rd;
	bool armed[XTCP_T_MAX];
	u32 tms[XTCP_T_MAX];
	int notes[XTCP_N_MAX];
};

static struct xr_env *xr_e(struct xtcp_tcb *tcb)
{
	return container_of(tcb, struct xr_env, tcb);
}

static u64 xr_now(struct xtcp_tcb *tcb)
{
	return div_u64(xr_e(tcb)->now_us, 1000);
}

static u64 xr_now_us(struct xtcp_tcb *tcb)
{
	return xr_e(tcb)->now_us;
}

static int xr_output(struct xtcp_tcb *tcb, const struct xtcp_out *o)
{
	struct xr_env *e = xr_e(tcb);

	if (e->nout < XR_MAXOUT)
		e->out[e->nout++] = *o;
	return 0;
}

static void xr_timer_set(struct xtcp_tcb *tcb, enum xtcp_timer t, u32 ms)
{
	xr_e(tcb)->armed[t] = true;
	xr_e(tcb)->tms[t] = ms;
}

static void xr_timer_clear(struct xtcp_tcb *tcb, enum xtcp_timer t)
{
	xr_e(tcb)->armed[t] = false;
}

static bool xr_rcv_data(struct xtcp_tcb *tcb, u32 off, u32 len)
{
	return true;
}

static u32 xr_rcv_space(struct xtcp_tcb *tcb)
{
	return 65535;
}

static void xr_state_change(struct xtcp_tcb *tcb, enum xtcp_state old)
{
}

static void xr_error(struct xtcp_tcb *tcb, int err)
{
}

static void xr_event(struct xtcp_tcb *tcb)
{
}

static void xr_note(struct xtcp_tcb *tcb, enum xtcp_note n)
{
	xr_e(tcb)->notes[n]++;
}

static const struct xtcp_core_ops xr_ops = {
	.now = xr_now,
	.now_us = xr_now_us,
	.output = xr_output,
	.timer_set = xr_timer_set,
	.timer_clear = xr_timer_clear,
	.rcv_data = xr_rcv_data,
	.rcv_space = xr_rcv_space,
	.state_change = xr_state_change,
	.error = xr_error,
	.event = xr_event,
	.note = xr_note,
};

static void xr_free_res(struct kunit_resource *res)
{
	xtcp_core_destroy(&((struct xr_env *)res->data)->tcb);
}

static struct xr_env *xr_new(struct kunit *test)
{
	struct xr_env *e = kunit_kzalloc(test, sizeof(*e), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, e);
	e->now_us = 100000000;
	e->p = (struct xtcp_params){
		.msl_ms = 30000, .fin_timeout_ms = 40000,
		.rto_init_ms = 1000, .rto_min_ms = 200, .rto_max_ms = 120000,
		.syn_retries = 3, .synack_retries = 2, .retries = 4,
		.delack_ms = 40, .sack = 1,
	};
	xtcp_core_init(&e->tcb, &xr_ops, &e->p, e->cc_priv, MSS, 0);
	KUNIT_ASSERT_NOT_NULL(test, kunit_alloc_resource(test, NULL,
							 xr_free_res,
							 GFP_KERNEL, e));
	return e;
}

static void xr_seg(struct xr_env *e, u16 flags, u32 ack,
		   const struct xtcp_sack_block *blk, u8 n)
{
	struct xtcp_seg seg = {
		.seq = R1, .ack = ack, .flags = flags, .wnd = 65535,
		.wscale = -1, .nsack = n, .sack = n ? blk : NULL,
	};

	xtcp_core_input(&e->tcb, &seg);
}

/* ESTABLISHED after a 10 ms handshake: MSS 1000, cwnd 10000, RTO 200 */
static struct xr_env *xr_established(struct kunit *test, bool sack)
{
	struct xr_env *e = xr_new(test);
	struct xtcp_seg synack = {
		.seq = IRS, .ack = ISS + 1, .flags = XTCP_SYN | XTCP_ACK,
		.wnd = 65535, .mss = MSS, .wscale = -1, .sack_ok = sack,
	};

	KUNIT_ASSERT_EQ(test, xtcp_core_connect(&e->tcb, ISS), 0);
	e->now_us += 10000;
	xtcp_core_input(&e->tcb, &synack);
	KUNIT_ASSERT_EQ(test, e->tcb.state, XTCP_ESTABLISHED);
	KUNIT_ASSERT_EQ(test, e->tcb.sack_ok, sack);
	KUNIT_ASSERT_EQ(test, e->tcb.cwnd, 10 * MSS);
	/* the arithmetic below is RFC 5681's (FlightSize / 2) */
	xtcp_cc_select(&e->tcb, &xtcp_reno);
	e->nout = 0;
	e->rd = 0;
	return e;
}

static void xr_write(struct xr_env *e, u32 n)
{
	e->tcb.snd_end += n;
	xtcp_core_output(&e->tcb);
}

/* one data ACK 10 ms later: srtt = min_rtt = 10 ms */
static void xr_warm(struct kunit *test, struct xr_env *e)
{
	xr_write(e, MSS);
	e->now_us += 10000;
	xr_seg(e, XTCP_ACK, S1 + MSS, NULL, 0);
	KUNIT_ASSERT_EQ(test, e->tcb.min_rtt_us, 10000);
	e->nout = 0;
	e->rd = 0;
}

static void xr_fire(struct xr_env *e, enum xtcp_timer t)
{
	e->armed[t] = false;
	e->now_us += (u64)e->tms[t] * 1000;
	xtcp_core_timeout(&e->tcb, t);
}

static void xr_expect_seg_(struct kunit *test, int line, struct xr_env *e,
			   u32 seq, u32 len, bool rtx)
{
	const struct xtcp_out *o;

	KUNIT_ASSERT_LT_MSG(test, e->rd, e->nout, "line %d: no segment", line);
	o = &e->out[e->rd++];
	KUNIT_EXPECT_EQ_MSG(test, o->seq, seq, "line %d: seq", line);
	KUNIT_EXPECT_EQ_MSG(test, o->len, len, "line %d: len", line);
	KUNIT_EXPECT_EQ_MSG(test, o->rtx, rtx, "line %d: rtx", line);
}

#define xr_expect_seg(test, e, seq, len, rtx) \
	xr_expect_seg_(test, __LINE__, e, seq, len, rtx)

static void xr_expect_none_(struct kunit *test, int line, struct xr_env *e)
{
	KUNIT_EXPECT_EQ_MSG(test, e->nout - e->rd, 0, "line %d: extra segment",
			    line);
}

#define xr_expect_none(test, e) xr_expect_none_(test, __LINE__, e)

/* ---- the scoreboard alone ---- */

/* ten 1000-byte records from @base, the i-th sent at @t0 + 100 * i us */
static void xr_sb_fill(struct kunit *test, struct xtcp_sb *sb, u32 base,
		       u64 t0)
{
	u32 i;

	for (i = 0; i < 10; i++)
		KUNIT_ASSERT_EQ(test, xtcp_sb_add(sb, base + i * MSS,
						  base + (i + 1) * MSS, false,
						  t0 + 100 * i, i), 0);
}

static void sb_ack_trims(struct kunit *test)
{
	struct xtcp_sb sb = {};
	struct xtcp_sb_rs rs = {};

	xr_sb_fill(test, &sb, 0, 1000);
	/* 1500: record 0 leaves, record 1 keeps [1500, 2000) */
	xtcp_sb_ack(&sb, 1500, 5000, 0, &rs);
	KUNIT_EXPECT_EQ(test, sb.n, 9);
	KUNIT_EXPECT_EQ(test, xtcp_sb_at(&sb, 0)->seq, 1500);
	KUNIT_EXPECT_EQ(test, rs.acked, 1500);
	KUNIT_EXPECT_EQ(test, rs.delivered, 1500);
	/* the latest sent delivered: record 1, at 1100 us */
	KUNIT_EXPECT_EQ(test, rs.rtt_xmit_us, 1100);
	KUNIT_EXPECT_EQ(test, rs.rack_xmit_us, 1100);
	KUNIT_EXPECT_EQ(test, rs.rack_end, 2000);
	KUNIT_EXPECT_EQ(test, sb.fack, 1500);
	xtcp_sb_free(&sb);
	KUNIT_EXPECT_EQ(test, sb.n, 0);
	KUNIT_EXPECT_PTR_EQ(test, sb.seg, NULL);
}

static void sb_sack_blocks(struct kunit *test)
{
	struct xtcp_sack_block b[3] = {
		{ 3000, 5000 },		/* records 3, 4 */
		{ 5500, 7000 },		/* record 6 only: 5 is cut */
		{ 9000, 11000 },	/* beyond snd_max 10000: ignored */
	};
	struct xtcp_sb sb = {};
	struct xtcp_sb_rs rs = {};

	xr_sb_fill(test, &sb, 0, 0);
	xtcp_sb_sack(&sb, 0, 10000, b, 3, MSS, 5000, 0, &rs);
	KUNIT_EXPECT_EQ(test, rs.blocks, 2);
	KUNIT_EXPECT_EQ(test, rs.discarded, 1);
	KUNIT_EXPECT_FALSE(test, rs.dsack);
	KUNIT_EXPECT_EQ(test, sb.sacked, 3000);
	KUNIT_EXPECT_EQ(test, sb.nsacked, 3);
	KUNIT_EXPECT_EQ(test, rs.newly_sacked, 3000);
	KUNIT_EXPECT_EQ(test, sb.fack, 7000);
	KUNIT_EXPECT_TRUE(test, xtcp_sb_at(&sb, 3)->fl & XTCP_SB_SACKED);
	KUNIT_EXPECT_FALSE(test, xtcp_sb_at(&sb, 5)->fl & XTCP_SB_SACKED);
	KUNIT_EXPECT_TRUE(test, xtcp_sb_at(&sb, 6)->fl & XTCP_SB_SACKED);
	/* latest sent SACKed: record 6 at 600 us */
	KUNIT_EXPECT_EQ(test, rs.rack_xmit_us, 600);
	KUNIT_EXPECT_EQ(test, rs.rack_end, 7000);
	/* the same blocks again deliver nothing */
	memset(&rs, 0, sizeof(rs));
	xtcp_sb_sack(&sb, 0, 10000, b, 2, MSS, 5000, 0, &rs);
	KUNIT_EXPECT_EQ(test, rs.delivered, 0);
	KUNIT_EXPECT_EQ(test, sb.sacked, 3000);
	/* the cumulative ACK takes the SACKed records out of the count */
	memset(&rs, 0, sizeof(rs));
	xtcp_sb_ack(&sb, 5000, 6000, 0, &rs);
	KUNIT_EXPECT_EQ(test, sb.sacked, 1000);
	KUNIT_EXPECT_EQ(test, sb.nsacked, 1);
	KUNIT_EXPECT_EQ(test, rs.acked, 5000);
	KUNIT_EXPECT_EQ(test, rs.delivered, 3000);	/* 0, 1, 2 */
	/* record 0..2 end below fack 7000, never retransmitted: reordered */
	KUNIT_EXPECT_TRUE(test, rs.reordered);
	KUNIT_EXPECT_EQ(test, rs.reorder_dist, 6000);
	xtcp_sb_free(&sb);
}

static void sb_dsack(struct kunit *test)
{
	struct xtcp_sack_block below[1] = { { 0, 2000 } };
	struct xtcp_sack_block inside[2] = { { 6000, 7000 }, { 5000, 8000 } };
	struct xtcp_sb sb = {};
	struct xtcp_sb_rs rs = {};

	xr_sb_fill(test, &sb, 0, 0);
	xtcp_sb_ack(&sb, 2000, 5000, 0, &rs);
	/* RFC 2883 §4.1: the first block below the ACK: two segments */
	memset(&rs, 0, sizeof(rs));
	xtcp_sb_sack(&sb, 2000, 10000, below, 1, MSS, 5000, 0, &rs);
	KUNIT_EXPECT_TRUE(test, rs.dsack);
	KUNIT_EXPECT_EQ(test, rs.dsack_retrans, 2);
	KUNIT_EXPECT_EQ(test, rs.blocks, 0);
	KUNIT_EXPECT_EQ(test, sb.sacked, 0);
	/* §4.2: the first block inside the second; record 6 was resent */
	xtcp_sb_retransmit(&sb, 4, MSS, 5500, 0);	/* record 6 */
	memset(&rs, 0, sizeof(rs));
	xtcp_sb_sack(&sb, 2000, 10000, inside, 2, MSS, 5000, 0, &rs);
	KUNIT_EXPECT_TRUE(test, rs.dsack);
	KUNIT_EXPECT_EQ(test, rs.dsack_end, 7000);
	KUNIT_EXPECT_EQ(test, rs.dsack_retrans, 1);
	KUNIT_EXPECT_EQ(test, rs.blocks, 1);
	KUNIT_EXPECT_EQ(test, sb.sacked, 3000);	/* 5, 6, 7 */
	KUNIT_EXPECT_EQ(test, sb.retrans, 0);	/* 6's copy is SACKed */
	xtcp_sb_free(&sb);
}

/* RFC 6675 §4 IsLost and NextSeg */
static void sb_islost_nextseg(struct kunit *test)
{
	struct xtcp_sack_block two[1] = { { 3000, 5000 } };
	struct xtcp_sack_block three[1] = { { 3000, 6000 } };
	struct xtcp_sb sb = {};
	struct xtcp_sb_rs rs = {};

	xr_sb_fill(test, &sb, 0, 0);
	xtcp_sb_sack(&sb, 0, 10000, two, 1, MSS, 0, 0, &rs);
	/* two SACKed records, 2000 bytes: not > 2 * 1000, nor 3 records */
	KUNIT_EXPECT_FALSE(test, xtcp_sb_is_lost(&sb, 0, MSS));
	/* with SMSS 900: 2000 > 1800 */
	KUNIT_EXPECT_TRUE(test, xtcp_sb_is_lost(&sb, 0, 900));
	KUNIT_EXPECT_EQ(test, xtcp_sb_mark_lost_6675(&sb, MSS), 0);
	KUNIT_EXPECT_EQ(test, xtcp_sb_next_lost(&sb), -1);
	xtcp_sb_sack(&sb, 0, 10000, three, 1, MSS, 0, 0, &rs);
	KUNIT_EXPECT_TRUE(test, xtcp_sb_is_lost(&sb, 2, MSS));
	KUNIT_EXPECT_FALSE(test, xtcp_sb_is_lost(&sb, 6, MSS));
	/* 0, 1, 2 lie below three SACKed records */
	KUNIT_EXPECT_EQ(test, xtcp_sb_mark_lost_6675(&sb, MSS), 3000);
	KUNIT_EXPECT_EQ(test, sb.lost, 3000);
	KUNIT_EXPECT_EQ(test, xtcp_sb_next_lost(&sb), 0);
	KUNIT_EXPECT_EQ(test, xtcp_sb_retransmit(&sb, 0, MSS, 10, 0), MSS);
	KUNIT_EXPECT_EQ(test, sb.retrans, 1000);
	KUNIT_EXPECT_EQ(test, xtcp_sb_next_lost(&sb), 1);
	/* an RTO: all but the SACKed is lost, the resent copy too */
	xtcp_sb_mark_all_lost(&sb);
	KUNIT_EXPECT_EQ(test, sb.lost, 7000);
	KUNIT_EXPECT_EQ(test, sb.retrans, 0);
	KUNIT_EXPECT_EQ(test, xtcp_sb_next_lost(&sb), 0);
	xtcp_sb_free(&sb);
}

/* a record longer than the MSS is split when resent */
static void sb_split_on_retransmit(struct kunit *test)
{
	struct xtcp_sb sb = {};

	KUNIT_ASSERT_EQ(test, xtcp_sb_add(&sb, 0, 2501, true, 0, 0), 0);
	xtcp_sb_mark_all_lost(&sb);
	KUNIT_EXPECT_EQ(test, xtcp_sb_retransmit(&sb, 0, MSS, 1, 0), MSS);
	KUNIT_EXPECT_EQ(test, sb.n, 2);
	KUNIT_EXPECT_EQ(test, xtcp_sb_at(&sb, 1)->seq, 1000);
	KUNIT_EXPECT_EQ(test, xtcp_sb_at(&sb, 1)->end, 2501);
	KUNIT_EXPECT_TRUE(test, xtcp_sb_at(&sb, 1)->fl & XTCP_SB_FIN);
	KUNIT_EXPECT_FALSE(test, xtcp_sb_at(&sb, 0)->fl & XTCP_SB_FIN);
	KUNIT_EXPECT_EQ(test, sb.lost, 2501);
	KUNIT_EXPECT_EQ(test, sb.retrans, 1000);
	KUNIT_EXPECT_EQ(test, xtcp_sb_next_lost(&sb), 1);
	xtcp_sb_free(&sb);
	/* two short lost records make one full segment, then the rest */
	xtcp_sb_add(&sb, 0, 700, false, 0, 0);
	xtcp_sb_add(&sb, 700, 1400, false, 0, 0);
	xtcp_sb_mark_all_lost(&sb);
	KUNIT_EXPECT_EQ(test, xtcp_sb_retransmit(&sb, 0, MSS, 1, 0), MSS);
	KUNIT_EXPECT_EQ(test, sb.n, 2);
	KUNIT_EXPECT_EQ(test, xtcp_sb_at(&sb, 1)->seq, 1000);
	KUNIT_EXPECT_EQ(test, xtcp_sb_at(&sb, 1)->end, 1400);
	KUNIT_EXPECT_EQ(test, sb.lost, 1400);
	xtcp_sb_free(&sb);
}

/* RFC 8985 §6.2 step 5 with the records of xr_sb_fill at 0..900 us */
static void sb_rack_window(struct kunit *test)
{
	struct xtcp_sb sb = {};
	u32 timeout, lost_rtx = 0;

	xr_sb_fill(test, &sb, 0, 0);
	/* record 5 (500 us) delivered at 10000 us: RACK.rtt 9500. With
	 * reo_wnd 2000, 0..4 wait 11500 us from their sending; record 4
	 * (400 us) is the last: 11500 - 9600 = 1900 us to go
	 */
	KUNIT_EXPECT_EQ(test, xtcp_sb_rack_detect(&sb, 500, 6000, 9500, 2000,
						  10000, &timeout, &lost_rtx),
			0);
	KUNIT_EXPECT_EQ(test, timeout, 1900);
	/* with reo_wnd 0 all five have waited 9500 us or more */
	KUNIT_EXPECT_EQ(test, xtcp_sb_rack_detect(&sb, 500, 6000, 9500, 0,
						  10000, &timeout, &lost_rtx),
			5000);
	KUNIT_EXPECT_EQ(test, timeout, 0);
	KUNIT_EXPECT_EQ(test, sb.lost, 5000);
	KUNIT_EXPECT_FALSE(test, xtcp_sb_at(&sb, 6)->fl & XTCP_SB_LOST);
	/* a lost retransmission: record 0 resent at 10000, then record 7
	 * (700 us) delivered at 30000 us says nothing about it; records 5
	 * and 6, sent before 7, are lost
	 */
	xtcp_sb_retransmit(&sb, 0, MSS, 10000, 0);
	KUNIT_EXPECT_EQ(test, xtcp_sb_rack_detect(&sb, 700, 8000, 29300, 0,
						  30000, &timeout, &lost_rtx),
			2000);
	KUNIT_EXPECT_EQ(test, lost_rtx, 0);
	/* ...but a record sent after it (at 20000) delivered at 40000 */
	xtcp_sb_at(&sb, 9)->xmit_us = 20000;
	KUNIT_EXPECT_EQ(test, xtcp_sb_rack_detect(&sb, 20000, 10000, 20000, 0,
						  40000, &timeout, &lost_rtx),
			3000);	/* record 0 again, 7 and 8 */
	KUNIT_EXPECT_EQ(test, lost_rtx, 1);
	KUNIT_EXPECT_EQ(test, sb.retrans, 0);
	xtcp_sb_free(&sb);
}

/* ---- recovery in the core ---- */

/* One hole, three SACKed segments: RACK (reo_wnd 0 once DupThresh
 * segments are SACKed) marks it lost, recovery starts, exactly the hole
 * is resent (no go-back-N), PRR sets cwnd.
 */
static void core_sack_fast_retransmit(struct kunit *test)
{
	struct xtcp_sack_block b[1] = { { S1 + 2000, S1 + 5000 } };
	struct xr_env *e = xr_established(test, true);
	struct xtcp_tcb *t = &e->tcb;

	xr_write(e, 10 * MSS);
	KUNIT_EXPECT_EQ(test, e->nout, 10);
	e->nout = 0;
	e->now_us += 10000;
	xr_seg(e, XTCP_ACK, S1 + 1000, b, 1);
	/* flight 9000: ssthresh 4000 (4500 in whole segments); delivered
	 * 1000 + 3000; pipe = 9000 - 3000 SACKed - 1000 lost = 5000 > 4000:
	 * sndcnt = ceil(4000 * 4000 / 9000) = 1778, 2000 in segments,
	 * cwnd = 7000
	 */
	KUNIT_EXPECT_EQ(test, t->ca_state, XTCP_CA_RECOVERY);
	KUNIT_EXPECT_EQ(test, t->ssthresh, 4000);
	KUNIT_EXPECT_EQ(test, t->cwnd, 7000);
	xr_expect_seg(test, e, S1 + 1000, MSS, true);
	xr_expect_none(test, e);
	KUNIT_EXPECT_EQ(test, t->sb.sacked, 3000);
	KUNIT_EXPECT_EQ(test, t->sb.lost, 1000);
	KUNIT_EXPECT_EQ(test, t->sb.retrans, 1000);
	KUNIT_EXPECT_EQ(test, e->notes[XTCP_N_SACK_RECOVERY], 1);
	KUNIT_EXPECT_EQ(test, e->notes[XTCP_N_FAST_RETRANS], 1);
	KUNIT_EXPECT_EQ(test, e->notes[XTCP_N_SACK_BLOCKS], 1);
	KUNIT_EXPECT_EQ(test, e->notes[XTCP_N_RTO], 0);
	/* everything arrives: recovery ends with cwnd = ssthresh */
	xr_seg(e, XTCP_ACK, S1 + 10000, NULL, 0);
	KUNIT_EXPECT_EQ(test, t->ca_state, XTCP_CA_OPEN);
	KUNIT_EXPECT_EQ(test, t->cwnd, 4000);
	KUNIT_EXPECT_EQ(test, t->sb.n, 0);
	KUNIT_EXPECT_EQ(test, t->retransmits, 1);
}

/* RFC 3042, RFC 6582 without SACK */
static void core_newreno(struct kunit *test)
{
	struct xr_env *e = xr_established(test, false);
	struct xtcp_tcb *t = &e->tcb;

	xr_write(e, 12 * MSS);
	KUNIT_EXPECT_EQ(test, e->nout, 10);	/* cwnd */
	e->rd = 10;
	/* two dupACKs: one new segment each (limited transmit) */
	xr_seg(e, XTCP_ACK, S1, NULL, 0);
	xr_expect_seg(test, e, S1 + 10000, MSS, false);
	xr_seg(e, XTCP_ACK, S1, NULL, 0);
	xr_expect_seg(test, e, S1 + 11000, MSS, false);
	xr_expect_none(test, e);
	KUNIT_EXPECT_EQ(test, t->ca_state, XTCP_CA_OPEN);
	/* the third: fast retransmit of the head. flight 12000: ssthresh
	 * 6000; pipe = 12000 - 3000 dupACKed - 1000 lost = 8000 > 6000:
	 * sndcnt = ceil(1000 * 6000 / 12000) = 500 -> one segment
	 */
	xr_seg(e, XTCP_ACK, S1, NULL, 0);
	xr_expect_seg(test, e, S1, MSS, true);
	xr_expect_none(test, e);
	KUNIT_EXPECT_EQ(test, t->ca_state, XTCP_CA_RECOVERY);
	KUNIT_EXPECT_EQ(test, t->ssthresh, 6000);
	KUNIT_EXPECT_EQ(test, t->cwnd, 9000);
	KUNIT_EXPECT_EQ(test, e->notes[XTCP_N_RENO_RECOVERY], 1);
	/* a partial ACK (RFC 6582 §3.2 step 5): the next hole at once.
	 * prr_delivered 1000 + 3000; pipe 9000 - 1000 lost = 8000 > 6000:
	 * sndcnt = 4000 * 6000 / 12000 - 1000 out = 1000
	 */
	xr_seg(e, XTCP_ACK, S1 + 3000, NULL, 0);
	xr_expect_seg(test, e, S1 + 3000, MSS, true);
	xr_expect_none(test, e);
	KUNIT_EXPECT_EQ(test, t->cwnd, 9000);
	KUNIT_EXPECT_EQ(test, t->ca_state, XTCP_CA_RECOVERY);
	/* the full ACK ends it */
	xr_seg(e, XTCP_ACK, S1 + 12000, NULL, 0);
	KUNIT_EXPECT_EQ(test, t->ca_state, XTCP_CA_OPEN);
	KUNIT_EXPECT_EQ(test, t->cwnd, 6000);
	KUNIT_EXPECT_EQ(test, e->notes[XTCP_N_FAST_RETRANS], 2);
}

/* SACK negotiated but the peer sends no blocks: dupACKs still work */
static void core_sack_peer_without_blocks(struct kunit *test)
{
	struct xr_env *e = xr_established(test, true);
	int i;

	xr_write(e, 10 * MSS);
	e->rd = 10;
	for (i = 0; i < 3; i++)
		xr_seg(e, XTCP_ACK, S1, NULL, 0);
	xr_expect_seg(test, e, S1, MSS, true);
	xr_expect_none(test, e);
	KUNIT_EXPECT_EQ(test, e->tcb.ca_state, XTCP_CA_RECOVERY);
	KUNIT_EXPECT_EQ(test, e->notes[XTCP_N_RENO_RECOVERY], 1);
	/* the partial ACK resends the next hole */
	xr_seg(e, XTCP_ACK, S1 + 2000, NULL, 0);
	xr_expect_seg(test, e, S1 + 2000, MSS, true);
	xr_seg(e, XTCP_ACK, S1 + 10000, NULL, 0);
	KUNIT_EXPECT_EQ(test, e->tcb.ca_state, XTCP_CA_OPEN);
	KUNIT_EXPECT_EQ(test, e->notes[XTCP_N_RTO], 0);
}

/* RFC 8985 §6.2-6.3: the reordering window delays the verdict */
static void core_rack_timer(struct kunit *test)
{
	struct xtcp_sack_block c[1] = { { S1 + 3000, S1 + 4000 } };
	struct xr_env *e = xr_established(test, true);
	struct xtcp_tcb *t = &e->tcb;

	xr_warm(test, e);
	xr_write(e, 4 * MSS);		/* S1+1000 .. S1+5000 */
	e->nout = 0;
	e->now_us += 10000;
	/* the third SACKed: RACK.rtt 10 ms, reo_wnd = min_rtt / 4 =
	 * 2500 us; the first two wait 2.5 ms more: a 3 ms timer
	 */
	xr_seg(e, XTCP_ACK, S1 + 1000, c, 1);
	xr_expect_none(test, e);
	KUNIT_EXPECT_EQ(test, t->ca_state, XTCP_CA_OPEN);
	KUNIT_EXPECT_TRUE(test, e->armed[XTCP_T_RACK]);
	KUNIT_EXPECT_EQ(test, e->tms[XTCP_T_RACK], 3);
	KUNIT_EXPECT_EQ(test, t->sb.lost, 0);
	/* it fires: both lost; flight 4000, ssthresh 2000; pipe 4000 -
	 * 1000 - 2000 = 1000 <= 2000: PRR-SSRB sndcnt = min(1000, 0 + MSS)
	 */
	xr_fire(e, XTCP_T_RACK);
	KUNIT_EXPECT_EQ(test, t->sb.lost, 2000);
	KUNIT_EXPECT_EQ(test, t->ca_state, XTCP_CA_RECOVERY);
	KUNIT_EXPECT_EQ(test, t->cwnd, 2000);
	xr_expect_seg(test, e, S1 + 1000, MSS, true);
	xr_expect_none(test, e);
	KUNIT_EXPECT_EQ(test, e->notes[XTCP_N_RACK_TIMEOUT], 1);
}

/* the same, but the originals arrive inside the window: reordering */
static void core_rack_reordering(struct kunit *test)
{
	struct xtcp_sack_block c[1] = { { S1 + 3000, S1 + 4000 } };
	struct xr_env *e = xr_established(test, true);
	struct xtcp_tcb *t = &e->tcb;

	xr_warm(test, e);
	xr_write(e, 4 * MSS);
	e->nout = 0;
	e->now_us += 10000;
	xr_seg(e, XTCP_ACK, S1 + 1000, c, 1);
	e->now_us += 1000;
	xr_seg(e, XTCP_ACK, S1 + 4000, NULL, 0);
	KUNIT_EXPECT_TRUE(test, t->reord_seen);
	KUNIT_EXPECT_EQ(test, e->notes[XTCP_N_SACK_REORDER], 1);
	KUNIT_EXPECT_FALSE(test, e->armed[XTCP_T_RACK]);
	KUNIT_EXPECT_EQ(test, t->ca_state, XTCP_CA_OPEN);
	KUNIT_EXPECT_EQ(test, t->retransmits, 0);
	xr_expect_none(test, e);
}

/* RFC 8985 §7: PTO = 2 * SRTT; a probe resends the tail */
static void core_tlp_retransmit(struct kunit *test)
{
	struct xr_env *e = xr_established(test, true);
	struct xtcp_tcb *t = &e->tcb;

	xr_write(e, 3 * MSS);
	KUNIT_EXPECT_TRUE(test, e->armed[XTCP_T_TLP]);
	KUNIT_EXPECT_EQ(test, e->tms[XTCP_T_TLP], 20);	/* 2 * 10 ms */
	e->nout = 0;
	xr_fire(e, XTCP_T_TLP);
	xr_expect_seg(test, e, S1 + 2000, MSS, true);
	xr_expect_none(test, e);
	KUNIT_EXPECT_EQ(test, t->tlp_high_seq, S1 + 3000);
	KUNIT_EXPECT_EQ(test, e->notes[XTCP_N_LOSS_PROBE], 1);
	KUNIT_EXPECT_TRUE(test, e->armed[XTCP_T_RTX]);
	KUNIT_EXPECT_EQ(test, e->tms[XTCP_T_RTX], 200);
	/* the ACK covers the probe, no D-SACK: it repaired a loss. The
	 * response of a fast recovery with the FlightSize before this ACK
	 * (3000): ssthresh = cwnd = max(1500, 2 * SMSS) = 2000
	 */
	xr_seg(e, XTCP_ACK, S1 + 3000, NULL, 0);
	KUNIT_EXPECT_EQ(test, e->notes[XTCP_N_LOSS_PROBE_RECOVERY], 1);
	KUNIT_EXPECT_EQ(test, t->ssthresh, 2000);
	KUNIT_EXPECT_EQ(test, t->cwnd, 2000);
	KUNIT_EXPECT_EQ(test, t->tlp_high_seq, 0);
	KUNIT_EXPECT_EQ(test, e->notes[XTCP_N_RTO], 0);
}

/* one segment in flight: PTO += WCDelAckT; min(PTO, RTO - RTO / 8) */
static void core_tlp_one_segment(struct kunit *test)
{
	struct xr_env *e = xr_established(test, true);

	xr_write(e, MSS);
	KUNIT_EXPECT_TRUE(test, e->armed[XTCP_T_TLP]);
	KUNIT_EXPECT_EQ(test, e->tms[XTCP_T_TLP], 175);	/* 220 > 200 */
	e->tcb.p.rto_min_ms = 1000;	/* RTO 1 s: the probe may come first */
	e->tcb.snd_end += MSS;
	e->tcb.cwnd = MSS;	/* nothing more goes: re-arm on an ACK */
	e->now_us += 10000;
	xr_seg(e, XTCP_ACK, S1 + MSS, NULL, 0);
	KUNIT_EXPECT_TRUE(test, e->armed[XTCP_T_TLP]);
	KUNIT_EXPECT_EQ(test, e->tms[XTCP_T_TLP], 220);
}

/* a probe is new data when there is some */
static void core_tlp_new_data(struct kunit *test)
{
	struct xr_env *e = xr_established(test, true);

	xr_write(e, 12 * MSS);		/* 10 go (cwnd) */
	e->nout = 0;
	xr_fire(e, XTCP_T_TLP);
	xr_expect_seg(test, e, S1 + 10000, MSS, false);
	xr_expect_none(test, e);
	KUNIT_EXPECT_FALSE(test, e->tcb.tlp_retrans);
	KUNIT_EXPECT_EQ(test, e->tcb.tlp_high_seq, S1 + 11000);
}

/* three segments S1+1000 .. S1+4000 out, the third SACKed (RACK waits) */
static struct xr_env *xr_third_sacked(struct kunit *test)
{
	struct xtcp_sack_block c[1] = { { S1 + 3000, S1 + 4000 } };
	struct xr_env *e = xr_established(test, true);

	xr_warm(test, e);
	xr_write(e, 3 * MSS);
	e->now_us += 1000;
	xr_seg(e, XTCP_ACK, S1 + 1000, c, 1);
	return e;
}

/* after an RTO what the peer SACKed is not resent */
static void core_rto_skips_sacked(struct kunit *test)
{
	struct xr_env *e = xr_third_sacked(test);
	struct xtcp_tcb *t = &e->tcb;

	e->nout = 0;
	e->rd = 0;
	xr_fire(e, XTCP_T_RTX);
	KUNIT_EXPECT_EQ(test, t->ca_state, XTCP_CA_LOSS);
	KUNIT_EXPECT_EQ(test, t->cwnd, MSS);
	KUNIT_EXPECT_EQ(test, e->notes[XTCP_N_RTO], 1);
	xr_expect_seg(test, e, S1 + 1000, MSS, true);
	xr_expect_none(test, e);
	/* slow start: 2 segments, but only S1+2000 is missing */
	xr_seg(e, XTCP_ACK, S1 + 2000, NULL, 0);
	KUNIT_EXPECT_EQ(test, t->cwnd, 2 * MSS);
	xr_expect_seg(test, e, S1 + 2000, MSS, true);
	xr_expect_none(test, e);
	xr_seg(e, XTCP_ACK, S1 + 4000, NULL, 0);
	KUNIT_EXPECT_EQ(test, t->ca_state, XTCP_CA_OPEN);
	KUNIT_EXPECT_EQ(test, t->retransmits, 2);
}

/*
 * RFC 2018 §8: a receiver may drop data it SACKed. The cumulative ACK
 * stops at a SACKed record: the RTO comes after max(srtt/2, 10 ms), forgets
 * the SACKs and resends the record (as tcp_check_sack_reneging and
 * tcp_timeout_mark_lost); without that it would wait for it forever.
 */
static void core_sack_reneging(struct kunit *test)
{
	struct xr_env *e = xr_third_sacked(test);
	struct xtcp_tcb *t = &e->tcb;

	KUNIT_EXPECT_EQ(test, t->sb.sacked, MSS);
	KUNIT_EXPECT_FALSE(test, xtcp_sb_reneged(&t->sb));
	e->now_us += 1000;
	xr_seg(e, XTCP_ACK, S1 + 3000, NULL, 0);
	KUNIT_EXPECT_TRUE(test, xtcp_sb_reneged(&t->sb));
	KUNIT_EXPECT_TRUE(test, e->armed[XTCP_T_RTX]);
	/* srtt 10 ms: 5 ms, raised to the 10 ms floor */
	KUNIT_EXPECT_EQ(test, e->tms[XTCP_T_RTX], 10);
	e->nout = 0;
	e->rd = 0;
	xr_fire(e, XTCP_T_RTX);
	KUNIT_EXPECT_EQ(test, e->notes[XTCP_N_SACK_RENEGING], 1);
	KUNIT_EXPECT_EQ(test, t->sb.sacked, 0);
	KUNIT_EXPECT_EQ(test, t->sb.nsacked, 0);
	KUNIT_EXPECT_EQ(test, t->sb.fack, S1 + 3000);
	KUNIT_EXPECT_FALSE(test, t->undo_ok);
	xr_expect_seg(test, e, S1 + 3000, MSS, true);
	xr_expect_none(test, e);
	xr_seg(e, XTCP_ACK, S1 + 4000, NULL, 0);
	KUNIT_EXPECT_EQ(test, t->snd_una, S1 + 4000);
	KUNIT_EXPECT_EQ(test, t->ca_state, XTCP_CA_OPEN);
	KUNIT_EXPECT_FALSE(test, e->armed[XTCP_T_RTX]);
}

/* RFC 2883 §5: every retransmission D-SACKed: the reduction is undone */
static void core_dsack_undo(struct kunit *test)
{
	struct xtcp_sack_block b[1] = { { S1 + 2000, S1 + 5000 } };
	struct xtcp_sack_block d[1] = { { S1 + 1000, S1 + 2000 } };
	struct xr_env *e = xr_established(test, true);
	struct xtcp_tcb *t = &e->tcb;

	xr_write(e, 10 * MSS);
	e->now_us += 10000;
	xr_seg(e, XTCP_ACK, S1 + 1000, b, 1);
	KUNIT_EXPECT_EQ(test, t->ca_state, XTCP_CA_RECOVERY);
	KUNIT_EXPECT_EQ(test, t->cc_prior_cwnd, 11000);
	KUNIT_EXPECT_EQ(test, t->cwnd, 7000);
	/* the original was only late: its copy comes back as a D-SACK */
	xr_seg(e, XTCP_ACK, S1 + 10000, d, 1);
	KUNIT_EXPECT_EQ(test, e->notes[XTCP_N_DSACK_RECV], 1);
	KUNIT_EXPECT_EQ(test, e->notes[XTCP_N_DSACK_UNDO], 1);
	KUNIT_EXPECT_EQ(test, t->cwnd, 11000);
	KUNIT_EXPECT_EQ(test, t->ssthresh, 0x7fffffff);
	KUNIT_EXPECT_EQ(test, t->ca_state, XTCP_CA_OPEN);
	KUNIT_EXPECT_EQ(test, t->reo_wnd_mult, 2);
}

/* RFC 2018 §3 / RFC 5961-style: SACK blocks beyond SND.MAX are dropped */
static void core_sack_invalid(struct kunit *test)
{
	struct xtcp_sack_block b[2] = {
		{ S1 + 5000, S1 + 90000 }, { S1 + 3000, S1 + 2000 },
	};
	struct xr_env *e = xr_established(test, true);

	xr_write(e, 10 * MSS);
	xr_seg(e, XTCP_ACK, S1 + 1000, b, 2);
	KUNIT_EXPECT_EQ(test, e->notes[XTCP_N_SACK_DISCARD], 2);
	KUNIT_EXPECT_EQ(test, e->tcb.sb.sacked, 0);
	KUNIT_EXPECT_EQ(test, e->tcb.ca_state, XTCP_CA_OPEN);
}

/* the scoreboard goes with the connection */
static void core_sb_freed_on_close(struct kunit *test)
{
	struct xr_env *e = xr_established(test, true);

	xr_write(e, 3 * MSS);
	KUNIT_EXPECT_EQ(test, e->tcb.sb.n, 3);
	xtcp_core_abort(&e->tcb);
	KUNIT_EXPECT_EQ(test, e->tcb.state, XTCP_CLOSED);
	KUNIT_EXPECT_PTR_EQ(test, e->tcb.sb.seg, NULL);
	KUNIT_EXPECT_FALSE(test, e->armed[XTCP_T_TLP]);
	KUNIT_EXPECT_FALSE(test, e->armed[XTCP_T_RACK]);
}

/*
 * RFC 8985 §6.2: a lost retransmission is found by RACK from a segment
 * sent after it being SACKed, with no RTO. 20 segments queued, IW 10 sent
 * at T0; at T1 = T0 + 10 ms the ACK of S1+1000 SACKs [S1+2000, S1+5000):
 * recovery as in core_sack_fast_retransmit (ssthresh 4000, cwnd 7000,
 * pipe 5000), so the retransmission of S1+1000 and one new segment
 * S1+10000 go at T1 (pipe 7000).
 */
static void core_rack_lost_retransmit(struct kunit *test)
{
	struct xtcp_sack_block b[1] = { { S1 + 2000, S1 + 5000 } };
	struct xtcp_sack_block c[1] = { { S1 + 2000, S1 + 11000 } };
	struct xr_env *e = xr_established(test, true);
	struct xtcp_tcb *t = &e->tcb;

	xr_write(e, 20 * MSS);
	KUNIT_EXPECT_EQ(test, e->nout, 10);
	e->nout = 0;
	e->now_us += 10000;
	xr_seg(e, XTCP_ACK, S1 + 1000, b, 1);
	KUNIT_EXPECT_EQ(test, t->ca_state, XTCP_CA_RECOVERY);
	KUNIT_EXPECT_EQ(test, t->cwnd, 7000);
	xr_expect_seg(test, e, S1 + 1000, MSS, true);
	xr_expect_seg(test, e, S1 + 10000, MSS, false);
	xr_expect_none(test, e);
	/* the retransmission is lost; 11 ms later S1+5000..S1+11000 are
	 * SACKed, S1+10000 sent at T1 among them: RACK.xmit_ts = T1,
	 * RACK.rtt = 11 ms, reo_wnd 0 in recovery without reordering: the
	 * retransmission (sent at T1, 11 ms ago) is lost again
	 */
	e->now_us += 11000;
	xr_seg(e, XTCP_ACK, S1 + 1000, c, 1);
	KUNIT_EXPECT_EQ(test, e->notes[XTCP_N_LOST_RETRANS], 1);
	KUNIT_EXPECT_EQ(test, e->notes[XTCP_N_RTO], 0);
	KUNIT_EXPECT_EQ(test, t->sb.sacked, 9000);
	/* flight 10000 - SACKed 9000 - lost 1000: pipe 0 <= ssthresh, PRR-SSRB:
	 * prr_delivered 4000 + 6000, prr_out 2000, limit max(8000, 6000) +
	 * 1000, sndcnt = min(4000 - 0, 9000) = 4000: the retransmission
	 * again and three new segments
	 */
	KUNIT_EXPECT_EQ(test, t->cwnd, 4000);
	xr_expect_seg(test, e, S1 + 1000, MSS, true);
	xr_expect_seg(test, e, S1 + 11000, MSS, false);
	xr_expect_seg(test, e, S1 + 12000, MSS, false);
	xr_expect_seg(test, e, S1 + 13000, MSS, false);
	xr_expect_none(test, e);
	/* it arrives: everything up to S1+14000 acknowledged, recovery over */
	e->now_us += 10000;
	xr_seg(e, XTCP_ACK, S1 + 14000, NULL, 0);
	KUNIT_EXPECT_EQ(test, t->ca_state, XTCP_CA_OPEN);
	KUNIT_EXPECT_EQ(test, t->retransmits, 2);
	KUNIT_EXPECT_EQ(test, e->notes[XTCP_N_RTO], 0);
}

#define XR_PEER_TS	7000U

/* as xr_established, with timestamps (RFC 7323) negotiated; an MSS of
 * 1012 both ways leaves 1000 bytes of payload beside the 12-byte option
 */
static struct xr_env *xr_established_ts(struct kunit *test)
{
	struct xr_env *e = xr_new(test);
	struct xtcp_seg synack = {
		.seq = IRS, .ack = ISS + 1, .flags = XTCP_SYN | XTCP_ACK,
		.wnd = 65535, .mss = MSS + 12, .wscale = -1, .sack_ok = true,
		.ts_ok = 1, .tsval = XR_PEER_TS,
	};

	e->tcb.p.timestamps = 1;
	e->tcb.rcv_mss = MSS + 12;
	KUNIT_ASSERT_EQ(test, xtcp_core_connect(&e->tcb, ISS), 0);
	synack.tsecr = xtcp_ts_now(&e->tcb);
	e->now_us += 10000;
	xtcp_core_input(&e->tcb, &synack);
	KUNIT_ASSERT_EQ(test, e->tcb.state, XTCP_ESTABLISHED);
	KUNIT_ASSERT_EQ(test, e->tcb.ts_ok, 1);
	KUNIT_ASSERT_EQ(test, e->tcb.cwnd, 10 * MSS);
	xtcp_cc_select(&e->tcb, &xtcp_reno);
	e->nout = 0;
	e->rd = 0;
	return e;
}

/* a pure ACK with timestamps, TSecr @tsecr */
static void xr_ack_ts(struct xr_env *e, u32 ack, u32 tsval, u32 tsecr)
{
	struct xtcp_seg seg = {
		.seq = R1, .ack = ack, .flags = XTCP_ACK, .wnd = 65535,
		.wscale = -1, .ts_ok = 1, .tsval = tsval, .tsecr = tsecr,
	};

	xtcp_core_input(&e->tcb, &seg);
}

/*
 * RFC 3522 Eifel detection (Linux's tcp_try_undo_loss): ten segments go
 * with TSval ts0, the RTO fires 200 ms later and resends S1 with TSval
 * ts0 + 200 (cwnd 1000, ssthresh 5000). The first ACK echoes ts0: it
 * answers the original, the RTO was spurious. Undone: cwnd back to the
 * 10000 before the RTO, ssthresh to its prior (infinite) value, Open, and
 * nothing resent (9000 in flight < cwnd, nothing new queued) where the
 * loss state would resend S1+1000 and S1+2000 (next case).
 */
static void core_rto_undo_ts(struct kunit *test)
{
	struct xr_env *e = xr_established_ts(test);
	struct xtcp_tcb *t = &e->tcb;
	u32 ts0;

	xr_write(e, 10 * MSS);
	ts0 = xtcp_ts_now(t);
	KUNIT_EXPECT_EQ(test, e->nout, 10);
	e->nout = 0;
	KUNIT_EXPECT_EQ(test, e->tms[XTCP_T_RTX], 200);
	xr_fire(e, XTCP_T_RTX);
	KUNIT_EXPECT_EQ(test, t->ca_state, XTCP_CA_LOSS);
	KUNIT_EXPECT_EQ(test, t->cwnd, MSS);
	KUNIT_EXPECT_EQ(test, t->ssthresh, 5000);
	KUNIT_EXPECT_EQ(test, t->undo_tsval, ts0 + 200);
	xr_expect_seg(test, e, S1, MSS, true);
	KUNIT_EXPECT_EQ(test, e->out[0].tsval, ts0 + 200);
	xr_expect_none(test, e);
	e->now_us += 1000;
	xr_ack_ts(e, S1 + 1000, XR_PEER_TS + 1, ts0);
	KUNIT_EXPECT_EQ(test, e->notes[XTCP_N_LOSS_UNDO], 1);
	KUNIT_EXPECT_EQ(test, e->notes[XTCP_N_SPURIOUS_RTO], 0);
	KUNIT_EXPECT_EQ(test, t->ca_state, XTCP_CA_OPEN);
	KUNIT_EXPECT_EQ(test, t->cwnd, 10000);
	KUNIT_EXPECT_EQ(test, t->ssthresh, 0x7fffffff);
	KUNIT_EXPECT_EQ(test, t->sb.lost, 0);
	xr_expect_none(test, e);
	/* the rest of the flight is acknowledged without a retransmission */
	xr_ack_ts(e, S1 + 10000, XR_PEER_TS + 2, ts0);
	KUNIT_EXPECT_EQ(test, t->snd_una, S1 + 10000);
	KUNIT_EXPECT_EQ(test, t->retransmits, 1);
	xr_expect_none(test, e);
}

/* a pure ACK with timestamps and SACK blocks */
static void xr_ack_ts_sack(struct xr_env *e, u32 ack, u32 tsval, u32 tsecr,
			   const struct xtcp_sack_block *b, u8 n)
{
	struct xtcp_seg seg = {
		.seq = R1, .ack = ack, .flags = XTCP_ACK, .wnd = 65535,
		.wscale = -1, .ts_ok = 1, .tsval = tsval, .tsecr = tsecr,
		.nsack = n, .sack = b,
	};

	xtcp_core_input(&e->tcb, &seg);
}

/*
 * Fast recovery undone by timestamps (Linux's tcp_try_undo_partial): ten
 * segments go with TSval ts0; 10 ms later an ACK of S1 SACKs S1+2000 ..
 * S1+5000: recovery, S1+1000 resent with TSval ts0 + 10. Then an ACK of
 * S1+5000 echoes ts0: the late original filled the hole, not the
 * retransmission (none is in flight any more). Undone: Open, the window
 * before the episode back, ssthresh infinite again, reordering seen (RACK
 * keeps a reordering window), nothing lost.
 */
static struct xr_env *xr_recovery_ts(struct kunit *test, u32 *ts0)
{
	static const struct xtcp_sack_block b[1] = {
		{ S1 + 2000, S1 + 5000 }
	};
	struct xr_env *e = xr_established_ts(test);

	xr_write(e, 10 * MSS);
	*ts0 = xtcp_ts_now(&e->tcb);
	KUNIT_EXPECT_EQ(test, e->nout, 10);
	e->nout = 0;
	e->now_us += 10000;
	xr_ack_ts_sack(e, S1 + 1000, XR_PEER_TS + 1, *ts0, b, 1);
	KUNIT_ASSERT_EQ(test, e->tcb.ca_state, XTCP_CA_RECOVERY);
	return e;
}

static void core_recovery_undo_ts(struct kunit *test)
{
	u32 ts0, prior;
	struct xr_env *e = xr_recovery_ts(test, &ts0);
	struct xtcp_tcb *t = &e->tcb;

	KUNIT_EXPECT_EQ(test, t->ssthresh, 4000);
	KUNIT_EXPECT_EQ(test, t->undo_tsval, ts0 + 10);
	xr_expect_seg(test, e, S1 + 1000, MSS, true);
	KUNIT_EXPECT_EQ(test, t->sb.retrans, 1000);
	KUNIT_EXPECT_EQ(test, t->reord_seen, false);
	prior = t->cc_prior_cwnd;
	KUNIT_EXPECT_GE(test, prior, 10 * MSS);
	e->now_us += 1000;
	xr_ack_ts(e, S1 + 5000, XR_PEER_TS + 2, ts0);
	KUNIT_EXPECT_EQ(test, e->notes[XTCP_N_PARTIAL_UNDO], 1);
	KUNIT_EXPECT_EQ(test, e->notes[XTCP_N_SACK_REORDER], 1);
	KUNIT_EXPECT_EQ(test, t->reord_seen, true);
	KUNIT_EXPECT_EQ(test, t->ca_state, XTCP_CA_OPEN);
	KUNIT_EXPECT_EQ(test, t->cwnd, prior);
	KUNIT_EXPECT_EQ(test, t->ssthresh, 0x7fffffff);
	KUNIT_EXPECT_EQ(test, t->sb.lost, 0);
	KUNIT_EXPECT_EQ(test, t->retransmits, 1);
}

/*
 * The same episode, but the ACK of S1+5000 echoes the retransmission's
 * TSval (ts0 + 10): the retransmission filled the hole, the loss was
 * real. No undo: still in recovery (RecoveryPoint S1+10000).
 */
static void core_recovery_real_ts(struct kunit *test)
{
	u32 ts0;
	struct xr_env *e = xr_recovery_ts(test, &ts0);
	struct xtcp_tcb *t = &e->tcb;

	e->now_us += 1000;
	xr_ack_ts(e, S1 + 5000, XR_PEER_TS + 2, ts0 + 10);
	KUNIT_EXPECT_EQ(test, e->notes[XTCP_N_PARTIAL_UNDO], 0);
	KUNIT_EXPECT_EQ(test, t->ca_state, XTCP_CA_RECOVERY);
	KUNIT_EXPECT_EQ(test, t->ssthresh, 4000);
	KUNIT_EXPECT_EQ(test, t->reord_seen, false);
}

/*
 * The same RTO, but the ACK echoes the retransmission's TSval: it was
 * the retransmission that arrived, the loss was real. No undo; slow
 * start (cwnd 2000) resends the next two (RFC 6675 §5.1).
 */
static void core_rto_real_ts(struct kunit *test)
{
	struct xr_env *e = xr_established_ts(test);
	struct xtcp_tcb *t = &e->tcb;
	u32 ts0;

	xr_write(e, 10 * MSS);
	ts0 = xtcp_ts_now(t);
	e->nout = 0;
	xr_fire(e, XTCP_T_RTX);
	xr_expect_seg(test, e, S1, MSS, true);
	e->now_us += 1000;
	xr_ack_ts(e, S1 + 1000, XR_PEER_TS + 1, ts0 + 200);
	KUNIT_EXPECT_EQ(test, e->notes[XTCP_N_LOSS_UNDO], 0);
	KUNIT_EXPECT_EQ(test, t->ca_state, XTCP_CA_LOSS);
	KUNIT_EXPECT_EQ(test, t->cwnd, 2 * MSS);
	xr_expect_seg(test, e, S1 + 1000, MSS, true);
	xr_expect_seg(test, e, S1 + 2000, MSS, true);
	xr_expect_none(test, e);
}

/*
 * F-RTO (RFC 5682 §3) without timestamps. After xr_warm (S1 acked, cwnd
 * 10000 as it was not full, min_RTT 10 ms) 20 segments are queued and 10
 * go (S1+1000 .. S1+11000); the RTO resends S1+1000 only (cwnd 1000,
 * ssthresh 5000). Its
 * ACK 1 ms later (sooner than min_RTT: no RACK sample) advances below the
 * RecoveryPoint: step 2b, slow start gives cwnd 2000 and two NEW segments
 * go (pipe 0: the rest is marked lost) instead of S1+2000 and S1+3000.
 */
static struct xr_env *xr_frto_step2(struct kunit *test)
{
	struct xr_env *e = xr_established(test, true);
	struct xtcp_tcb *t = &e->tcb;

	xr_warm(test, e);
	xr_write(e, 20 * MSS);
	KUNIT_EXPECT_EQ(test, e->nout, 10);
	e->nout = 0;
	xr_fire(e, XTCP_T_RTX);
	KUNIT_EXPECT_EQ(test, t->ca_state, XTCP_CA_LOSS);
	KUNIT_EXPECT_EQ(test, t->ssthresh, 5000);
	KUNIT_EXPECT_EQ(test, t->frto, XTCP_FRTO_WAIT);
	xr_expect_seg(test, e, S1 + 1000, MSS, true);
	xr_expect_none(test, e);
	e->now_us += 1000;
	xr_seg(e, XTCP_ACK, S1 + 2000, NULL, 0);
	KUNIT_EXPECT_EQ(test, t->frto, XTCP_FRTO_NEW);
	KUNIT_EXPECT_EQ(test, t->recover, S1 + 11000);
	KUNIT_EXPECT_EQ(test, t->cwnd, 2 * MSS);
	xr_expect_seg(test, e, S1 + 11000, MSS, false);
	xr_expect_seg(test, e, S1 + 12000, MSS, false);
	xr_expect_none(test, e);
	return e;
}

/*
 * Step 3b: the next ACK acknowledges S1+2000..S1+4000, sent before the
 * RTO and never resent: the RTO was spurious. Undone: cwnd back to 10000,
 * ssthresh to infinity, Open, no lost marks; 9000 in flight (S1+4000 ..
 * S1+13000), so one new segment and nothing resent.
 */
static void core_frto_spurious(struct kunit *test)
{
	struct xr_env *e = xr_frto_step2(test);
	struct xtcp_tcb *t = &e->tcb;

	e->now_us += 1000;
	xr_seg(e, XTCP_ACK, S1 + 4000, NULL, 0);
	KUNIT_EXPECT_EQ(test, e->notes[XTCP_N_SPURIOUS_RTO], 1);
	KUNIT_EXPECT_EQ(test, e->notes[XTCP_N_LOSS_UNDO], 1);
	KUNIT_EXPECT_EQ(test, t->ca_state, XTCP_CA_OPEN);
	KUNIT_EXPECT_EQ(test, t->frto, XTCP_FRTO_OFF);
	KUNIT_EXPECT_EQ(test, t->cwnd, 10000);
	KUNIT_EXPECT_EQ(test, t->ssthresh, 0x7fffffff);
	KUNIT_EXPECT_EQ(test, t->sb.lost, 0);
	xr_expect_seg(test, e, S1 + 13000, MSS, false);
	xr_expect_none(test, e);
	KUNIT_EXPECT_EQ(test, t->retransmits, 1);
}

/*
 * Step 3a: the next ACK is a duplicate SACKing only the new S1+11000
 * (above the RecoveryPoint): the flight was lost. Conventional recovery:
 * cwnd stays 2000; pipe = 11000 in flight - 1000 SACKed - 9000 lost =
 * 1000, so S1+2000 is resent.
 */
static void core_frto_real(struct kunit *test)
{
	struct xtcp_sack_block b[1] = { { S1 + 11000, S1 + 12000 } };
	struct xr_env *e = xr_frto_step2(test);
	struct xtcp_tcb *t = &e->tcb;

	e->now_us += 1000;
	xr_seg(e, XTCP_ACK, S1 + 2000, b, 1);
	KUNIT_EXPECT_EQ(test, e->notes[XTCP_N_SPURIOUS_RTO], 0);
	KUNIT_EXPECT_EQ(test, e->notes[XTCP_N_LOSS_UNDO], 0);
	KUNIT_EXPECT_EQ(test, t->ca_state, XTCP_CA_LOSS);
	KUNIT_EXPECT_EQ(test, t->frto, XTCP_FRTO_OFF);
	KUNIT_EXPECT_EQ(test, t->cwnd, 2 * MSS);
	xr_expect_seg(test, e, S1 + 2000, MSS, true);
	xr_expect_none(test, e);
}

static struct kunit_case xtcp_recovery_cases[] = {
	KUNIT_CASE(sb_ack_trims),
	KUNIT_CASE(sb_sack_blocks),
	KUNIT_CASE(sb_dsack),
	KUNIT_CASE(sb_islost_nextseg),
	KUNIT_CASE(sb_split_on_retransmit),
	KUNIT_CASE(sb_rack_window),
	KUNIT_CASE(core_sack_fast_retransmit),
	KUNIT_CASE(core_newreno),
	KUNIT_CASE(core_sack_peer_without_blocks),
	KUNIT_CASE(core_rack_timer),
	KUNIT_CASE(core_rack_reordering),
	KUNIT_CASE(core_tlp_retransmit),
	KUNIT_CASE(core_tlp_one_segment),
	KUNIT_CASE(core_tlp_new_data),
	KUNIT_CASE(core_rto_skips_sacked),
	KUNIT_CASE(core_sack_reneging),
	KUNIT_CASE(core_dsack_undo),
	KUNIT_CASE(core_sack_invalid),
	KUNIT_CASE(core_sb_freed_on_close),
	KUNIT_CASE(core_rack_lost_retransmit),
	KUNIT_CASE(core_rto_undo_ts),
	KUNIT_CASE(core_recovery_undo_ts),
	KUNIT_CASE(core_recovery_real_ts),
	KUNIT_CASE(core_rto_real_ts),
	KUNIT_CASE(core_frto_spurious),
	KUNIT_CASE(core_frto_real),
	{}
};

static struct kunit_suite xtcp_recovery_suite = {
	.name = "xtcp_recovery",
	.test_cases = xtcp_recovery_cases,
};

kunit_test_suites(&xtcp_recovery_suite);
