// SPDX-License-Identifier: GPL-2.0
/*
 * CUBIC congestion control (RFC 9438), XTCP's default, with HyStart++
 * (RFC 9406) ending the initial slow start. Integer arithmetic; windows in
 * bytes, time in milliseconds of ops->now(). C = 0.4, beta_cubic = 0.7.
 */
#include <linux/kernel.h>
#include <linux/minmax.h>
#include <linux/bits.h>
#include <linux/math64.h>
#include <linux/build_bug.h>
#include <linux/export.h>
#include <kunit/visibility.h>

#include "xtcp_cc.h"

#define XTCP_CUBIC_BETA_NUM	7	/* beta_cubic = 7/10 (§4.6) */
#define XTCP_CUBIC_BETA_DEN	10
#define XTCP_CUBIC_MAX_OFFS_MS	BIT(20)	/* |t - K| cap: d^3 in u64 */
#define XTCP_CUBIC_W_MAX	BIT(30)

static struct xtcp_cubic *xtcp_cubic_ca(struct xtcp_tcb *tcb)
{
	BUILD_BUG_ON(sizeof(struct xtcp_cubic) > XTCP_CC_PRIV_U64 * sizeof(u64));
	return (struct xtcp_cubic *)tcb->cc_priv;
}

/* floor(cbrt(x)), by bisection: r^3 stays in u64 for r < 2642246 */
u32 xtcp_cbrt(u64 x)
{
	u32 lo = 0, hi = 2642245;

	while (lo < hi) {
		u32 mid = lo + (hi - lo + 1) / 2;

		if ((u64)mid * mid * mid <= x)
			lo = mid;
		else
			hi = mid - 1;
	}
	return lo;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_cbrt);

/**
 * xtcp_cubic_k_ms() - K of RFC 9438 eq. (2), in ms
 * @w_max: W_max, bytes
 * @cwnd_epoch: cwnd at the start of the epoch, bytes
 * @mss: SMSS
 *
 * K = cbrt((W_max - cwnd_epoch) / C) seconds, windows in segments; in ms
 * K = cbrt((W_max - cwnd_epoch) / SMSS * 2.5e9) (1/C = 2.5, 1000^3 = 1e9).
 * Return: K in ms, 0 when cwnd_epoch is not below W_max.
 */
u32 xtcp_cubic_k_ms(u32 w_max, u32 cwnd_epoch, u32 mss)
{
	if (w_max <= cwnd_epoch || !mss)
		return 0;
	/* (2^32 - 1) * 2.5e9 < 2^64 */
	return xtcp_cbrt(div_u64((u64)(w_max - cwnd_epoch) * 2500000000ULL,
				 mss));
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_cubic_k_ms);

/**
 * xtcp_cubic_w() - W_cubic(t) of RFC 9438 eq. (1), in bytes
 * @w_max: W_max, bytes
 * @k_ms: K, ms
 * @t_ms: t, ms since the epoch began
 * @mss: SMSS
 *
 * W_cubic(t) = C * (t - K)^3 + W_max with C = 0.4 segments/s^3: with d =
 * |t - K| in ms, C * d^3 = 2 * d^3 / 5e6 thousandths of a segment.
 * Return: the window in bytes, 0 at the least.
 */
u32 xtcp_cubic_w(u32 w_max, u32 k_ms, u32 t_ms, u32 mss)
{
	u32 d = t_ms >= k_ms ? t_ms - k_ms : k_ms - t_ms;
	u64 msegs, delta;

	d = min_t(u32, d, XTCP_CUBIC_MAX_OFFS_MS);
	msegs = div_u64((u64)d * d * d * 2, 5000000);
	delta = div_u64(msegs * mss, 1000);
	if (t_ms < k_ms)
		return delta < w_max ? w_max - (u32)delta : 0;
	return min_t(u64, (u64)w_max + delta, XTCP_CUBIC_W_MAX);
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_cubic_w);

static void xtcp_cubic_init(struct xtcp_tcb *tcb)
{
	xtcp_hystart_reset(tcb, &xtcp_cubic_ca(tcb)->hs);
}

/* §4.2: a new epoch on the first ACK of congestion avoidance */
static void xtcp_cubic_epoch_start(struct xtcp_tcb *tcb,
				   struct xtcp_cubic_epoch *e, u64 now)
{
	e->active = 1;
	e->start = now;
	if (e->w_max > tcb->cwnd) {
		e->k_ms = xtcp_cubic_k_ms(e->w_max, tcb->cwnd, xtcp_send_mss(tcb));
		e->origin = e->w_max;
	} else {
		/* §4.8 and §4.10: after an RTO or a slow start ended
		 * without loss, W_max = cwnd and K = 0
		 */
		e->k_ms = 0;
		e->origin = tcb->cwnd;
	}
	e->w_est = tcb->cwnd;
	e->w_est_frac = 0;
	tcb->cc_cnt = 0;
}

/*
 * §4.3: W_est += alpha_cubic * segments acked / cwnd, alpha_cubic =
 * 3 (1 - beta) / (1 + beta) = 9/17, and 1 once W_est reached the cwnd of
 * the last loss. In bytes: W_est += alpha * acked * SMSS / cwnd.
 */
static void xtcp_cubic_w_est(struct xtcp_tcb *tcb, struct xtcp_cubic_epoch *e,
			     u32 acked)
{
	u64 num, den = 17ULL * tcb->cwnd;
	u32 alpha = e->w_est >= tcb->cc_prior_cwnd ? 17 : 9;
	u32 rem;

	num = (u64)alpha * acked * xtcp_send_mss(tcb) + e->w_est_frac;
	num = div_u64_rem(num, den, &rem);
	e->w_est = min_t(u64, e->w_est + num, XTCP_CUBIC_W_MAX);
	e->w_est_frac = rem;
}

static void xtcp_cubic_update(struct xtcp_tcb *tcb, u32 acked)
{
	struct xtcp_cubic_epoch *e = &xtcp_cubic_ca(tcb)->e;
	u32 mss = xtcp_send_mss(tcb), cwnd = tcb->cwnd, t, rtt_ms, target, w_t;
	u64 now = tcb->ops->now(tcb), need;

	if (!e->active)
		xtcp_cubic_epoch_start(tcb, e, now);
	t = (u32)min_t(u64, now - e->start, U32_MAX / 2);
	rtt_ms = (tcb->srtt_us >> 3) / 1000;

	/* §4.3 Reno-friendly region: cwnd follows W_est */
	xtcp_cubic_w_est(tcb, e, acked);
	w_t = xtcp_cubic_w(e->origin, e->k_ms, t, mss);
	if (w_t < e->w_est) {
		if (e->w_est >= cwnd + mss)
			tcb->cwnd = e->w_est - e->w_est % mss;
		return;
	}

	/* §4.4, §4.5: target = W_cubic(t + RTT) within [cwnd, 1.5 cwnd] */
	target = xtcp_cubic_w(e->origin, e->k_ms, t + rtt_ms, mss);
	target = clamp(target, cwnd, cwnd + cwnd / 2);
	if (target <= cwnd)
		return;
	/*
	 * cwnd += (target - cwnd) / cwnd per acked segment; one SMSS more
	 * needs cwnd * SMSS / (target - cwnd) acked bytes
	 */
	need = div_u64((u64)cwnd * mss, target - cwnd);
	xtcp_cc_ai(tcb, (u32)min_t(u64, need, U32_MAX), acked);
}

static void xtcp_cubic_cong_avoid(struct xtcp_tcb *tcb, u32 acked,
				  u32 rtt_us)
{
	struct xtcp_cubic *ca = xtcp_cubic_ca(tcb);

	if (tcb->cwnd < tcb->ssthresh) {
		if (ca->hs.state != XTCP_HS_DONE)
			acked = xtcp_hystart_on_ack(tcb, &ca->hs, acked,
						    rtt_us);
		else
			acked = xtcp_cc_slow_start(tcb, acked);
		if (!acked)
			return;
	}
	xtcp_cubic_update(tcb, acked);
}

/* §4.6 multiplicative decrease, §4.7 fast convergence */
static u32 xtcp_cubic_ssthresh(struct xtcp_tcb *tcb)
{
	struct xtcp_cubic *ca = xtcp_cubic_ca(tcb);
	u32 mss = xtcp_send_mss(tcb), cwnd = tcb->cwnd, segs;

	ca->prior = ca->e;
	if (ca->e.w_max && cwnd < ca->e.w_max)
		/* W_max = cwnd * (1 + beta_cubic) / 2 */
		ca->e.w_max = div_u64((u64)cwnd * (XTCP_CUBIC_BETA_DEN +
						   XTCP_CUBIC_BETA_NUM),
				      2 * XTCP_CUBIC_BETA_DEN);
	else
		ca->e.w_max = cwnd;
	ca->e.active = 0;
	ca->hs.state = XTCP_HS_DONE;
	/* in whole segments, as Linux's (cwnd * beta) >> 10 */
	segs = cwnd / mss * XTCP_CUBIC_BETA_NUM / XTCP_CUBIC_BETA_DEN;
	return max(segs, 2U) * mss;
}

/* §4.8: after a timeout, the next epoch starts with W_max = cwnd, K = 0 */
static void xtcp_cubic_on_rto(struct xtcp_tcb *tcb)
{
	struct xtcp_cubic *ca = xtcp_cubic_ca(tcb);

	ca->e.w_max = 0;
	ca->e.active = 0;
	ca->hs.state = XTCP_HS_DONE;
}

/* §4.9: a spurious loss restores W_max, K, t_epoch, W_est */
static void xtcp_cubic_undo(struct xtcp_tcb *tcb)
{
	struct xtcp_cubic *ca = xtcp_cubic_ca(tcb);

	ca->e = ca->prior;
}

/*
 * Sending resumes after @idle_ms with nothing in flight: the epoch moves
 * forward by the idle time so that the curve does not jump (as Linux's
 * bictcp_cwnd_event(CA_EVENT_TX_START)).
 */
static void xtcp_cubic_tx_start(struct xtcp_tcb *tcb, u32 idle_ms)
{
	struct xtcp_cubic_epoch *e = &xtcp_cubic_ca(tcb)->e;
	u64 now = tcb->ops->now(tcb);

	if (!e->active)
		return;
	e->start = min(e->start + idle_ms, now);
}

const struct xtcp_cc_ops xtcp_cubic = {
	.name		= "cubic",
	.init		= xtcp_cubic_init,
	.cong_avoid	= xtcp_cubic_cong_avoid,
	.ssthresh	= xtcp_cubic_ssthresh,
	.on_rto		= xtcp_cubic_on_rto,
	.undo		= xtcp_cubic_undo,
	.tx_start	= xtcp_cubic_tx_start,
};
EXPORT_SYMBOL_IF_KUNIT(xtcp_cubic);
