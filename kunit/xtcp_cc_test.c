// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: congestion control (xtcp_cc.c, xtcp_cubic.c) with hand-checked
 * numbers. CUBIC's curve against RFC 9438 eq. (1) and (2) (the exact real
 * values are in the comments, computed with python3 from the RFC's
 * formulas), fast convergence, the Reno-friendly region, HyStart++
 * (RFC 9406) with the fake clock, Reno (RFC 5681), ssthresh, undo, restart
 * after idle, and the core calling all of it. SMSS is 1000 bytes unless
 * said, so windows read in segments.
 */
#include <kunit/test.h>
#include <linux/module.h>

#include "xtcp_cc.h"
#include "xtcp_tcpopt.h"
#include "xtcp_fake.h"

#define MSS	1000U
#define INF_SS	0x7fffffffU

/* an ESTABLISHED TCB using @ops, cwnd @segs segments, nothing in flight */
static struct xf_env *cc_new(struct kunit *test,
			     const struct xtcp_cc_ops *ops, u32 segs)
{
	struct xf_env *e = xf_new(test, 1460, 0);
	struct xtcp_tcb *tcb = &e->tcb;

	tcb->state = XTCP_ESTABLISHED;
	tcb->snd_mss = MSS;
	tcb->snd_una = 1;
	tcb->snd_nxt = 1;
	tcb->snd_max = 1;
	tcb->cwnd = segs * MSS;
	tcb->ssthresh = INF_SS;
	tcb->rto_ms = 200;
	xtcp_cc_select(tcb, ops);
	KUNIT_EXPECT_PTR_EQ(test, tcb->cc_ops, ops);
	return e;
}

static struct xtcp_cubic *cc_cubic(struct xf_env *e)
{
	return (struct xtcp_cubic *)e->tcb.cc_priv;
}

/* a full cwnd in flight (cwnd-limited), then @acked bytes of it acked */
static void cc_ack(struct xf_env *e, u32 acked, u32 rtt_us)
{
	struct xtcp_tcb *tcb = &e->tcb;

	tcb->snd_nxt = tcb->snd_una + tcb->cwnd;
	tcb->snd_max = tcb->snd_nxt;
	tcb->snd_una += acked;
	xtcp_cc_on_ack(tcb, acked, rtt_us);
}

/* one round trip: the window at its start acked segment by segment */
static void cc_round(struct xf_env *e, u32 rtt_ms)
{
	u32 n = e->tcb.cwnd / MSS, i;

	for (i = 0; i < n; i++)
		cc_ack(e, MSS, rtt_ms * 1000);
	e->now += rtt_ms;
}

/* a loss at cwnd @segs: ssthresh, and recovery leaves cwnd = ssthresh */
static void cc_loss(struct xf_env *e, u32 segs)
{
	struct xtcp_tcb *tcb = &e->tcb;

	tcb->cwnd = segs * MSS;
	tcb->ssthresh = xtcp_cc_ssthresh(tcb);
	tcb->cwnd = tcb->ssthresh;
}

static void cc_names(struct kunit *test)
{
	char buf[32];
	int i;

	KUNIT_EXPECT_PTR_EQ(test, xtcp_cc_find("cubic"), &xtcp_cubic);
	KUNIT_EXPECT_PTR_EQ(test, xtcp_cc_find("reno"), &xtcp_reno);
	KUNIT_EXPECT_NULL(test, xtcp_cc_find("bogus"));
	KUNIT_EXPECT_NULL(test, xtcp_cc_find("CUBIC"));
	KUNIT_EXPECT_NULL(test, xtcp_cc_find("cubic "));
	KUNIT_EXPECT_NULL(test, xtcp_cc_find(""));
	KUNIT_EXPECT_PTR_EQ(test, xtcp_cc_default(), &xtcp_cubic);
	KUNIT_EXPECT_EQ(test, xtcp_cc_available(buf, sizeof(buf)), 10);
	KUNIT_EXPECT_STREQ(test, buf, "reno cubic");
	/* getsockopt copies the NUL padding up to TCP_CA_NAME_MAX */
	for (i = 5; i < XTCP_CC_NAME_MAX; i++)
		KUNIT_EXPECT_EQ(test, xtcp_cubic.name[i], 0);
}

static void cc_cbrt(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, xtcp_cbrt(0), 0);
	KUNIT_EXPECT_EQ(test, xtcp_cbrt(26), 2);
	KUNIT_EXPECT_EQ(test, xtcp_cbrt(27), 3);
	KUNIT_EXPECT_EQ(test, xtcp_cbrt(1000000000000000000ULL), 1000000);
	KUNIT_EXPECT_EQ(test, xtcp_cbrt(999999999999999999ULL), 999999);
	/* 2642245^3 = 18446724184312856125 <= 2^64 - 1 < 2642246^3 */
	KUNIT_EXPECT_EQ(test, xtcp_cbrt(U64_MAX), 2642245);
}

/*
 * RFC 9438 eq. (2): K = cbrt((W_max - cwnd_epoch) / C). W_max 100 and
 * cwnd_epoch 70 segments: K = cbrt(30 / 0.4) = cbrt(75) = 4.2171633 s.
 */
static void cubic_k(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, xtcp_cubic_k_ms(100000, 70000, 1000), 4217);
	/* the same in segments of 1460 bytes */
	KUNIT_EXPECT_EQ(test, xtcp_cubic_k_ms(146000, 102200, 1460), 4217);
	/* fast convergence's W_max 76.5, cwnd 63: cbrt(33.75) = 3.2316521 */
	KUNIT_EXPECT_EQ(test, xtcp_cubic_k_ms(76500, 63000, 1000), 3231);
	/* cwnd_epoch at or above W_max: K = 0 (§4.8, §4.10) */
	KUNIT_EXPECT_EQ(test, xtcp_cubic_k_ms(70000, 70000, 1000), 0);
	KUNIT_EXPECT_EQ(test, xtcp_cubic_k_ms(70000, 90000, 1000), 0);
}

/*
 * RFC 9438 eq. (1): W_cubic(t) = 0.4 (t - K)^3 + W_max, W_max = 100
 * segments, K = cbrt(75) s. Exact values (bytes, SMSS 1000):
 *   t = 0 s:  70000.00   t = 1 s: 86680.76   t = 2 s: 95640.34
 *   t = K:   100000.00   t = 6 s: 102266.70  t = 8 s: 121652.74
 * K rounds down to 4217 ms, so the integer curve is at most a few bytes
 * above the exact one before K and below it after.
 */
static void cubic_w_curve(struct kunit *test)
{
	static const struct { u32 t, w, exact; } pts[] = {
		{ 0, 70004, 70000 }, { 1000, 86683, 86681 },
		{ 2000, 95642, 95640 }, { 4217, 100000, 100000 },
		{ 6000, 102267, 102267 }, { 8000, 121655, 121653 },
	};
	int i;

	for (i = 0; i < ARRAY_SIZE(pts); i++) {
		u32 w = xtcp_cubic_w(100000, 4217, pts[i].t, 1000);

		KUNIT_EXPECT_EQ(test, w, pts[i].w);
		KUNIT_EXPECT_LE(test, abs((int)w - (int)pts[i].exact), 5);
	}
	/* SMSS 1460: t = 1 s gives 86.680764 * 1460 = 126553.92 */
	KUNIT_EXPECT_EQ(test, xtcp_cubic_w(146000, 4217, 1000, 1460), 126558);
	/* far below K the curve stops at 0, far beyond at its cap */
	KUNIT_EXPECT_EQ(test, xtcp_cubic_w(1000, 600000, 0, 1000), 0);
	KUNIT_EXPECT_EQ(test, xtcp_cubic_w(100000, 0, 1U << 30, 1000),
			1U << 30);
}

/* §4.6: ssthresh = cwnd * beta_cubic (0.7), at least 2 segments */
static void cubic_ssthresh(struct kunit *test)
{
	struct xf_env *e = cc_new(test, &xtcp_cubic, 100);
	struct xtcp_tcb *tcb = &e->tcb;

	KUNIT_EXPECT_EQ(test, xtcp_cc_ssthresh(tcb), 70000);
	KUNIT_EXPECT_EQ(test, cc_cubic(e)->e.w_max, 100000);
	/* kept for undo: prior cwnd, and ssthresh (infinite here) */
	KUNIT_EXPECT_EQ(test, tcb->cc_prior_cwnd, 100000);
	KUNIT_EXPECT_EQ(test, tcb->cc_prior_ssthresh, INF_SS);
	KUNIT_EXPECT_EQ(test, cc_cubic(e)->hs.state, XTCP_HS_DONE);
	tcb->cwnd = 2000;
	KUNIT_EXPECT_EQ(test, xtcp_cc_ssthresh(tcb), 2000);
	tcb->cwnd = 1000;
	KUNIT_EXPECT_EQ(test, xtcp_cc_ssthresh(tcb), 2000);
	/* 10 segments of 1460: 7 segments */
	tcb->snd_mss = 1460;
	tcb->cwnd = 14600;
	KUNIT_EXPECT_EQ(test, xtcp_cc_ssthresh(tcb), 10220);
	/* whole segments: 15 * 0.7 = 10.5 -> 10 */
	tcb->cwnd = 15 * 1460;
	KUNIT_EXPECT_EQ(test, xtcp_cc_ssthresh(tcb), 14600);
}

/* §4.7: a loss below the last W_max remembers W_max = cwnd (1 + 0.7) / 2 */
static void cubic_fast_convergence(struct kunit *test)
{
	struct xf_env *e = cc_new(test, &xtcp_cubic, 100);
	struct xtcp_tcb *tcb = &e->tcb;

	cc_loss(e, 100);
	KUNIT_EXPECT_EQ(test, cc_cubic(e)->e.w_max, 100000);
	KUNIT_EXPECT_EQ(test, tcb->cwnd, 70000);
	cc_loss(e, 90);				/* 90 < 100 */
	KUNIT_EXPECT_EQ(test, cc_cubic(e)->e.w_max, 76500);	/* 90 * 0.85 */
	KUNIT_EXPECT_EQ(test, tcb->ssthresh, 63000);		/* 90 * 0.7 */
	/* the epoch starts on the next ACK: K = cbrt(13.5 / 0.4) s */
	tcb->srtt_us = 100000 << 3;
	cc_ack(e, MSS, 0);
	KUNIT_EXPECT_EQ(test, cc_cubic(e)->e.k_ms, 3231);
	KUNIT_EXPECT_EQ(test, cc_cubic(e)->e.origin, 76500);
	KUNIT_EXPECT_EQ(test, cc_cubic(e)->e.start, e->now);
	cc_loss(e, 80);				/* 80 >= 76.5: W_max = cwnd */
	KUNIT_EXPECT_EQ(test, cc_cubic(e)->e.w_max, 80000);
	KUNIT_EXPECT_EQ(test, cc_cubic(e)->e.active, 0);
}

/*
 * The window over time after a loss at 100 segments, RTT 200 ms: each
 * round aims at W_cubic(t + RTT), so after n rounds cwnd is about
 * W_cubic(n * 0.2 s) of eq. (1) (values above). The per-ACK step
 * (target - cwnd) / cwnd of §4.4 closes about 1 - 1/e of the gap in a
 * round, so where the curve is steep (t = 1 s: 2.5 segments a round) cwnd
 * trails it by up to 2 segments; at the plateau it is on it. The
 * Reno-friendly W_est stays below: 70 + 0.53 per round (§4.3).
 */
static void cubic_window_over_time(struct kunit *test)
{
	static const struct { u32 rounds, exact; } pts[] = {
		{ 5, 86681 }, { 10, 95640 }, { 21, 100000 }, { 30, 102267 },
		{ 40, 121653 },
	};
	struct xf_env *e = cc_new(test, &xtcp_cubic, 100);
	struct xtcp_tcb *tcb = &e->tcb;
	u32 r = 0;
	int i;

	tcb->srtt_us = 200000 << 3;
	cc_loss(e, 100);
	for (i = 0; i < ARRAY_SIZE(pts); i++) {
		while (r < pts[i].rounds) {
			cc_round(e, 200);
			r++;
		}
		KUNIT_EXPECT_EQ(test, cc_cubic(e)->e.k_ms, 4217);
		KUNIT_EXPECT_LE(test, tcb->cwnd, pts[i].exact + MSS);
		KUNIT_EXPECT_GE(test, tcb->cwnd, pts[i].exact - 2 * MSS);
		KUNIT_EXPECT_EQ(test, tcb->cwnd % MSS, 0);
		KUNIT_EXPECT_LT(test, cc_cubic(e)->e.w_est, tcb->cwnd);
	}
}

/*
 * §4.3 Reno-friendly region: RTT 10 ms, loss at 100 segments. W_cubic(1 s)
 * is 86.68, but W_est = 70 + 9/17 per round reaches 100 (cwnd_prior)
 * after 56.7 rounds and then grows 1 per round: 70 + 50 * 9/17 = 96.47
 * after 50 rounds, 100.18 + 43 = 143.18 after 100. cwnd follows W_est.
 */
static void cubic_reno_friendly(struct kunit *test)
{
	struct xf_env *e = cc_new(test, &xtcp_cubic, 100);
	struct xtcp_tcb *tcb = &e->tcb;
	int r;

	tcb->srtt_us = 10000 << 3;
	cc_loss(e, 100);
	for (r = 0; r < 50; r++)
		cc_round(e, 10);
	/* W_cubic(0.5 s) = 79.45 segments: the Reno-friendly region */
	KUNIT_EXPECT_LT(test, xtcp_cubic_w(100000, 4217, 500, MSS), 80000U);
	KUNIT_EXPECT_GE(test, tcb->cwnd, 95000);
	KUNIT_EXPECT_LE(test, tcb->cwnd, 97000);
	for (; r < 100; r++)
		cc_round(e, 10);
	KUNIT_EXPECT_GE(test, tcb->cwnd, 141000);
	KUNIT_EXPECT_LE(test, tcb->cwnd, 145000);
	KUNIT_EXPECT_GE(test, cc_cubic(e)->e.w_est, tcb->cwnd);
	KUNIT_EXPECT_LT(test, cc_cubic(e)->e.w_est, tcb->cwnd + MSS);
}

/* §4.8: after an RTO the next epoch has W_max = cwnd, K = 0 */
static void cubic_after_rto(struct kunit *test)
{
	struct xf_env *e = cc_new(test, &xtcp_cubic, 100);
	struct xtcp_tcb *tcb = &e->tcb;

	tcb->ssthresh = xtcp_cc_ssthresh(tcb);
	tcb->cwnd = MSS;
	xtcp_cc_on_rto(tcb);
	KUNIT_EXPECT_EQ(test, cc_cubic(e)->e.w_max, 0);
	/* slow start back to ssthresh (70), then the first CA ACK */
	while (tcb->cwnd < tcb->ssthresh)
		cc_ack(e, MSS, 0);
	KUNIT_EXPECT_EQ(test, tcb->cwnd, 70000);
	cc_ack(e, MSS, 0);
	KUNIT_EXPECT_EQ(test, cc_cubic(e)->e.k_ms, 0);
	KUNIT_EXPECT_EQ(test, cc_cubic(e)->e.origin, 70000);
	/* W_est += 9/17 * 1 / 70 segments = 7.56 bytes */
	KUNIT_EXPECT_EQ(test, cc_cubic(e)->e.w_est, 70000 + 7);
}

/* §4.9 / tcp_undo_cwnd_reduction: a spurious loss is taken back */
static void cubic_undo(struct kunit *test)
{
	struct xf_env *e = cc_new(test, &xtcp_cubic, 100);
	struct xtcp_tcb *tcb = &e->tcb;
	struct xtcp_cubic_epoch before;
	u32 cwnd;

	tcb->ssthresh = 80000;
	tcb->srtt_us = 100000 << 3;
	/* an epoch is running: no loss yet, W_est grows as Reno (+1) */
	cc_round(e, 100);
	before = cc_cubic(e)->e;
	cwnd = tcb->cwnd;
	KUNIT_EXPECT_EQ(test, before.active, 1);
	KUNIT_EXPECT_EQ(test, cwnd, 101000);
	cc_loss(e, cwnd / MSS);
	KUNIT_EXPECT_NE(test, cc_cubic(e)->e.w_max, before.w_max);
	xtcp_cc_undo(tcb);
	KUNIT_EXPECT_EQ(test, tcb->cwnd, cwnd);
	/* prior ssthresh: max(80000, 3/4 * 101000) */
	KUNIT_EXPECT_EQ(test, tcb->ssthresh, 80000);
	KUNIT_EXPECT_EQ(test, cc_cubic(e)->e.w_max, before.w_max);
	KUNIT_EXPECT_EQ(test, cc_cubic(e)->e.k_ms, before.k_ms);
	KUNIT_EXPECT_EQ(test, cc_cubic(e)->e.start, before.start);
	KUNIT_EXPECT_EQ(test, cc_cubic(e)->e.w_est, before.w_est);
	/* once only */
	tcb->cwnd = 50000;
	xtcp_cc_undo(tcb);
	KUNIT_EXPECT_EQ(test, tcb->cwnd, 50000);
}

/*
 * RFC 9406: 10 segments, one per ACK. ACK 1 closes the empty round 0
 * (window_end = SND.NXT = 1); round 1 is ACKs 1-9 at 100 ms and ends when
 * SND.UNA reaches 10001 (ACK 10). Round 2 at 113 ms: RttThresh =
 * clamp(100 / 8, 4, 16) = 12.5 ms and 113 >= 100 + 12.5, so its 8th
 * sample (ACK 17) moves to CSS with baseline 113 ms.
 */
static struct xf_env *hs_to_css(struct kunit *test)
{
	struct xf_env *e = cc_new(test, &xtcp_cubic, 10);
	struct xtcp_hystart *hs = &cc_cubic(e)->hs;
	int i;

	KUNIT_EXPECT_EQ(test, hs->state, XTCP_HS_SS);
	for (i = 1; i <= 9; i++)
		cc_ack(e, MSS, 100000);
	KUNIT_EXPECT_EQ(test, e->tcb.cwnd, 19000);	/* +1 per ACK */
	for (i = 10; i <= 16; i++)
		cc_ack(e, MSS, 113000);
	KUNIT_EXPECT_EQ(test, hs->last_min_rtt_us, 100000);
	KUNIT_EXPECT_EQ(test, hs->state, XTCP_HS_SS);
	cc_ack(e, MSS, 113000);				/* ACK 17 */
	KUNIT_EXPECT_EQ(test, hs->state, XTCP_HS_CSS);
	KUNIT_EXPECT_EQ(test, hs->css_baseline_us, 113000);
	KUNIT_EXPECT_EQ(test, e->tcb.cwnd, 27000);
	KUNIT_EXPECT_EQ(test, e->tcb.ssthresh, INF_SS);
	return e;
}

static void hystart_exit_on_rtt_rise(struct kunit *test)
{
	struct xf_env *e = hs_to_css(test);
	struct xtcp_hystart *hs = &cc_cubic(e)->hs;
	u32 n = 0, cwnd_css = e->tcb.cwnd;

	/* CSS grows by a quarter: one segment per 4 ACKs */
	cc_ack(e, MSS, 113000);
	cc_ack(e, MSS, 113000);
	cc_ack(e, MSS, 113000);
	KUNIT_EXPECT_EQ(test, e->tcb.cwnd, 27000);
	cc_ack(e, MSS, 113000);
	KUNIT_EXPECT_EQ(test, e->tcb.cwnd, 28000);
	n = 4;
	/* CSS_ROUNDS rounds later: ssthresh = cwnd, congestion avoidance */
	while (hs->state == XTCP_HS_CSS && n < 1000) {
		cc_ack(e, MSS, 113000);
		n++;
	}
	KUNIT_EXPECT_EQ(test, hs->state, XTCP_HS_DONE);
	KUNIT_EXPECT_EQ(test, e->tcb.ssthresh, e->tcb.cwnd);
	/* the last ACK ended CSS and went to congestion avoidance */
	KUNIT_EXPECT_EQ(test, e->tcb.cwnd, cwnd_css + (n - 1) * 250 / MSS * MSS);
	KUNIT_EXPECT_GE(test, hs->css_rounds, XTCP_HS_CSS_ROUNDS);
	/*
	 * the rest of round 2 (ACKs 18-28, 11 ACKs), then 4 rounds of one
	 * window each, the window growing by a quarter a round: about
	 * 30 + 37 + 45 + 53 ACKs
	 */
	KUNIT_EXPECT_GE(test, n, 11 + 155);
	KUNIT_EXPECT_LE(test, n, 11 + 175);
}

/* CSS: a round's minimum RTT under the baseline resumes slow start */
static void hystart_css_spurious(struct kunit *test)
{
	struct xf_env *e = hs_to_css(test);
	struct xtcp_hystart *hs = &cc_cubic(e)->hs;

	cc_ack(e, MSS, 100000);		/* round 2 has 8 samples: at once */
	KUNIT_EXPECT_EQ(test, hs->state, XTCP_HS_SS);
	KUNIT_EXPECT_EQ(test, hs->css_baseline_us, U32_MAX);
	KUNIT_EXPECT_EQ(test, e->tcb.cc_frac, 250);	/* CSS's quarter */
	cc_ack(e, MSS, 100000);				/* full rate again */
	KUNIT_EXPECT_EQ(test, e->tcb.cwnd, 28000);
	KUNIT_EXPECT_EQ(test, e->tcb.cc_frac, 250);
}

/* an RTT rise below RttThresh (112 < 112.5 ms) stays in slow start */
static void hystart_small_rise(struct kunit *test)
{
	struct xf_env *e = cc_new(test, &xtcp_cubic, 10);
	struct xtcp_hystart *hs = &cc_cubic(e)->hs;
	int i;

	for (i = 1; i <= 9; i++)
		cc_ack(e, MSS, 100000);
	for (i = 10; i <= 27; i++)
		cc_ack(e, MSS, 112000);
	KUNIT_EXPECT_EQ(test, hs->state, XTCP_HS_SS);
	KUNIT_EXPECT_EQ(test, hs->cur_min_rtt_us, 112000);
	KUNIT_EXPECT_EQ(test, e->tcb.cwnd, 37000);
	/* the threshold floor: 20 ms rounds need +4 ms, not 20/8 = 2.5 */
	e = cc_new(test, &xtcp_cubic, 10);
	hs = &cc_cubic(e)->hs;
	for (i = 1; i <= 9; i++)
		cc_ack(e, MSS, 20000);
	for (i = 10; i <= 17; i++)
		cc_ack(e, MSS, 23900);
	KUNIT_EXPECT_EQ(test, hs->state, XTCP_HS_SS);
	cc_ack(e, MSS, 24000);	/* the minimum stays 23.9 ms */
	KUNIT_EXPECT_EQ(test, hs->state, XTCP_HS_SS);
	/* without RTT samples (no timestamps) HyStart++ never exits */
	e = cc_new(test, &xtcp_cubic, 10);
	for (i = 0; i < 200; i++)
		cc_ack(e, MSS, 0);
	KUNIT_EXPECT_EQ(test, cc_cubic(e)->hs.state, XTCP_HS_SS);
	/* §4.3: only the first slow start */
	e = cc_new(test, &xtcp_cubic, 10);
	e->tcb.ssthresh = 20000;
	xtcp_cc_init(&e->tcb);
	KUNIT_EXPECT_EQ(test, cc_cubic(e)->hs.state, XTCP_HS_DONE);
}

/* RFC 5681 §3.1 slow start, L = 8 segments per ACK (RFC 9406 §4.2) */
static void reno_slow_start(struct kunit *test)
{
	struct xf_env *e = cc_new(test, &xtcp_reno, 10);
	struct xtcp_tcb *tcb = &e->tcb;

	cc_ack(e, 1000, 0);
	KUNIT_EXPECT_EQ(test, tcb->cwnd, 11000);
	cc_ack(e, 10000, 0);			/* a stretch ACK: +8 */
	KUNIT_EXPECT_EQ(test, tcb->cwnd, 19000);
	cc_ack(e, 500, 0);			/* whole segments only */
	KUNIT_EXPECT_EQ(test, tcb->cwnd, 19000);
	cc_ack(e, 500, 0);
	KUNIT_EXPECT_EQ(test, tcb->cwnd, 20000);
	/* up to ssthresh; the rest counts toward congestion avoidance */
	tcb->ssthresh = 22000;
	cc_ack(e, 5000, 0);
	KUNIT_EXPECT_EQ(test, tcb->cwnd, 22000);
	KUNIT_EXPECT_EQ(test, tcb->cc_cnt, 3000);
}

/* one SMSS per cwnd of acked bytes */
static void reno_congestion_avoidance(struct kunit *test)
{
	struct xf_env *e = cc_new(test, &xtcp_reno, 20);
	struct xtcp_tcb *tcb = &e->tcb;
	int i;

	tcb->ssthresh = 20000;
	for (i = 0; i < 19; i++)
		cc_ack(e, MSS, 0);
	KUNIT_EXPECT_EQ(test, tcb->cwnd, 20000);
	cc_ack(e, MSS, 0);
	KUNIT_EXPECT_EQ(test, tcb->cwnd, 21000);
	KUNIT_EXPECT_EQ(test, tcb->cc_cnt, 0);
	/* the next one needs 21 segments */
	for (i = 0; i < 20; i++)
		cc_ack(e, MSS, 0);
	KUNIT_EXPECT_EQ(test, tcb->cwnd, 21000);
	cc_ack(e, MSS, 0);
	KUNIT_EXPECT_EQ(test, tcb->cwnd, 22000);
}

/* RFC 5681 eq. (4): max(FlightSize / 2, 2 SMSS), in whole segments */
static void reno_ssthresh(struct kunit *test)
{
	struct xf_env *e = cc_new(test, &xtcp_reno, 40);
	struct xtcp_tcb *tcb = &e->tcb;

	tcb->snd_max = tcb->snd_una + 20000;
	KUNIT_EXPECT_EQ(test, xtcp_cc_ssthresh(tcb), 10000);
	tcb->snd_max = tcb->snd_una + 25500;	/* 12750 -> 12 segments */
	KUNIT_EXPECT_EQ(test, xtcp_cc_ssthresh(tcb), 12000);
	tcb->snd_max = tcb->snd_una + 3000;
	KUNIT_EXPECT_EQ(test, xtcp_cc_ssthresh(tcb), 2000);
	/* undo: cwnd back to 40 segments, ssthresh to 3/4 of it */
	tcb->ssthresh = 2000;
	tcb->cwnd = 2000;
	xtcp_cc_undo(tcb);
	KUNIT_EXPECT_EQ(test, tcb->cwnd, 40000);
	KUNIT_EXPECT_EQ(test, tcb->ssthresh, INF_SS);
}

/* RFC 7661 §4.3: an application- or rwnd-limited sender keeps cwnd */
static void cc_not_cwnd_limited(struct kunit *test)
{
	struct xf_env *e = cc_new(test, &xtcp_reno, 20);
	struct xtcp_tcb *tcb = &e->tcb;
	int i;

	/* slow start: 4 segments out of 20 in flight */
	for (i = 0; i < 10; i++) {
		tcb->snd_nxt = tcb->snd_una + 4000;
		tcb->snd_una += MSS;
		xtcp_cc_on_ack(tcb, MSS, 0);
	}
	KUNIT_EXPECT_EQ(test, tcb->cwnd, 20000);
	/* 11 of 20 in flight: over half, slow start grows */
	tcb->snd_nxt = tcb->snd_una + 11000;
	tcb->snd_una += MSS;
	xtcp_cc_on_ack(tcb, MSS, 0);
	KUNIT_EXPECT_EQ(test, tcb->cwnd, 21000);
	/* congestion avoidance: the flight must fill cwnd */
	tcb->ssthresh = tcb->cwnd;
	for (i = 0; i < 100; i++) {
		tcb->snd_nxt = tcb->snd_una + 19000;
		tcb->snd_una += MSS;
		xtcp_cc_on_ack(tcb, MSS, 0);
	}
	KUNIT_EXPECT_EQ(test, tcb->cwnd, 21000);
	/* 18000 in flight: an ACK of 2001 makes the flight 20001 > 21 - 1 */
	KUNIT_EXPECT_TRUE(test, xtcp_cc_cwnd_limited(tcb, 2001));
	KUNIT_EXPECT_FALSE(test, xtcp_cc_cwnd_limited(tcb, 2000));
}

/*
 * RFC 5681 §4.1 restart after more than one RTO idle, as Linux's
 * tcp_cwnd_restart: cwnd halves per RTO idle, not below
 * RW = min(IW, cwnd); ssthresh keeps 3/4 of the old cwnd.
 */
static void cc_restart_after_idle(struct kunit *test)
{
	struct xf_env *e = cc_new(test, &xtcp_reno, 40);
	struct xtcp_tcb *tcb = &e->tcb;

	tcb->ssthresh = 20000;
	tcb->cc_lsnd = e->now;
	e->now += 200;			/* = RTO: nothing happens */
	xtcp_cc_tx_start(tcb);
	KUNIT_EXPECT_EQ(test, tcb->cwnd, 40000);
	KUNIT_EXPECT_EQ(test, tcb->ssthresh, 20000);
	e->now += 100;			/* 1.5 RTO: halved once */
	xtcp_cc_tx_start(tcb);
	KUNIT_EXPECT_EQ(test, tcb->cwnd, 20000);
	KUNIT_EXPECT_EQ(test, tcb->ssthresh, 30000);
	tcb->cwnd = 40000;
	tcb->cc_lsnd = e->now;
	e->now += 700;			/* 3.5 RTO: 40 -> 20 -> 10 = IW */
	xtcp_cc_tx_start(tcb);
	KUNIT_EXPECT_EQ(test, tcb->cwnd, 10000);
	tcb->cwnd = 6000;		/* below IW: RW = cwnd */
	tcb->cc_lsnd = e->now;
	e->now += 100000;
	xtcp_cc_tx_start(tcb);
	KUNIT_EXPECT_EQ(test, tcb->cwnd, 6000);
}

/* CUBIC: the idle time does not count as epoch time (Linux's TX_START) */
static void cubic_idle_epoch(struct kunit *test)
{
	struct xf_env *e = cc_new(test, &xtcp_cubic, 100);
	struct xtcp_tcb *tcb = &e->tcb;
	u64 start;

	tcb->srtt_us = 100000 << 3;
	cc_loss(e, 100);
	cc_round(e, 100);
	start = cc_cubic(e)->e.start;
	xtcp_cc_sent(tcb);
	e->now += 150;			/* under the RTO: cwnd kept */
	xtcp_cc_tx_start(tcb);
	KUNIT_EXPECT_EQ(test, cc_cubic(e)->e.start, start + 150);
	KUNIT_EXPECT_GE(test, tcb->cwnd, 70000);
}

/* the core: ESTABLISHED starts CUBIC, the RTO uses its ssthresh */
static void cc_core_wiring(struct kunit *test)
{
	struct xf_env *e = xf_new(test, 1460, 0);
	struct xtcp_tcb *tcb = &e->tcb;
	struct xtcp_seg synack = {
		.seq = 5000, .ack = 1001, .flags = XTCP_SYN | XTCP_ACK,
		.wnd = 65535, .mss = 1000, .wscale = -1,
	};
	struct xtcp_seg ack = {
		.seq = 5001, .flags = XTCP_ACK, .wnd = 65535, .wscale = -1,
	};

	KUNIT_ASSERT_EQ(test, 0, xtcp_core_connect(tcb, 1000));
	e->now += 10;
	xtcp_core_input(tcb, &synack);
	KUNIT_ASSERT_EQ(test, tcb->state, XTCP_ESTABLISHED);
	KUNIT_EXPECT_PTR_EQ(test, tcb->cc_ops, &xtcp_cubic);
	KUNIT_EXPECT_EQ(test, tcb->cwnd, 10000);	/* RFC 6928 IW 10 */
	KUNIT_EXPECT_EQ(test, cc_cubic(e)->hs.state, XTCP_HS_SS);
	/* 3 segments sent and acked: application-limited, cwnd stays */
	e->nout = 0;
	tcb->snd_end += 3000;
	xtcp_core_output(tcb);
	KUNIT_EXPECT_EQ(test, e->nout, 3);
	e->now += 10;
	ack.ack = 4001;
	xtcp_core_input(tcb, &ack);
	KUNIT_EXPECT_EQ(test, tcb->cwnd, 10000);
	/* idle for 5 s with a larger cwnd: back to IW before sending */
	tcb->cwnd = 40000;
	e->now += 5000;
	e->nout = 0;
	tcb->snd_end += 50000;
	xtcp_core_output(tcb);
	KUNIT_EXPECT_EQ(test, tcb->cwnd, 10000);
	KUNIT_EXPECT_EQ(test, e->nout, 10);
	/* a full window acked in slow start: +1 per segment */
	e->now += 10;
	ack.ack = 4001 + 10000;
	xtcp_core_input(tcb, &ack);
	KUNIT_EXPECT_EQ(test, tcb->cwnd, 18000);	/* L = 8 segments */
	/* RTO: CUBIC's ssthresh (0.7 * 18), loss window, K = 0 epoch */
	xtcp_core_timeout(tcb, XTCP_T_RTX);
	KUNIT_EXPECT_EQ(test, tcb->ssthresh, 12000);
	KUNIT_EXPECT_EQ(test, tcb->cwnd, 1000);
	KUNIT_EXPECT_EQ(test, cc_cubic(e)->e.w_max, 0);
	KUNIT_EXPECT_EQ(test, cc_cubic(e)->hs.state, XTCP_HS_DONE);
}

/* TCP_CONGESTION's choice reaches the TCB; a listener's is inherited */
static void cc_sockopt_apply(struct kunit *test)
{
	struct xtcp_tcpopts o = { .cc = &xtcp_reno }, child;
	struct xf_env *e = xf_new(test, 1460, 0);

	xtcp_tcpopt_apply(&o, &e->tcb);
	KUNIT_EXPECT_PTR_EQ(test, e->tcb.cc_ops, &xtcp_reno);
	child = o;		/* as xtcp_sock_init() copies the listener's */
	e = xf_new(test, 1460, 0);
	xtcp_tcpopt_apply(&child, &e->tcb);
	e->tcb.state = XTCP_ESTABLISHED;
	xtcp_cc_init(&e->tcb);
	KUNIT_EXPECT_PTR_EQ(test, e->tcb.cc_ops, &xtcp_reno);
	/* switching on a connection re-initialises at once */
	xtcp_cc_select(&e->tcb, &xtcp_cubic);
	KUNIT_EXPECT_PTR_EQ(test, e->tcb.cc_ops, &xtcp_cubic);
	KUNIT_EXPECT_EQ(test, cc_cubic(e)->hs.state, XTCP_HS_SS);
}

static struct kunit_case xtcp_cc_cases[] = {
	KUNIT_CASE(cc_names),
	KUNIT_CASE(cc_cbrt),
	KUNIT_CASE(cubic_k),
	KUNIT_CASE(cubic_w_curve),
	KUNIT_CASE(cubic_ssthresh),
	KUNIT_CASE(cubic_fast_convergence),
	KUNIT_CASE(cubic_window_over_time),
	KUNIT_CASE(cubic_reno_friendly),
	KUNIT_CASE(cubic_after_rto),
	KUNIT_CASE(cubic_undo),
	KUNIT_CASE(hystart_exit_on_rtt_rise),
	KUNIT_CASE(hystart_css_spurious),
	KUNIT_CASE(hystart_small_rise),
	KUNIT_CASE(reno_slow_start),
	KUNIT_CASE(reno_congestion_avoidance),
	KUNIT_CASE(reno_ssthresh),
	KUNIT_CASE(cc_not_cwnd_limited),
	KUNIT_CASE(cc_restart_after_idle),
	KUNIT_CASE(cubic_idle_epoch),
	KUNIT_CASE(cc_core_wiring),
	KUNIT_CASE(cc_sockopt_apply),
	{}
};

static struct kunit_suite xtcp_cc_suite = {
	.name = "xtcp_cc",
	.test_cases = xtcp_cc_cases,
};

kunit_test_suites(&xtcp_cc_suite);
