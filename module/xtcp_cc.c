// SPDX-License-Identifier: GPL-2.0
/*
 * XTCP congestion control, the generic part (see xtcp_cc.h): algorithm
 * lookup, the calls the core makes, slow start and additive increase
 * shared by the algorithms, HyStart++ (RFC 9406), cwnd restart after idle
 * (RFC 5681 §4.1), and Reno (RFC 5681 §3.1).
 */
#include <linux/kernel.h>
#include <linux/minmax.h>
#include <linux/bits.h>
#include <linux/string.h>
#include <linux/math64.h>
#include <linux/export.h>
#include <kunit/visibility.h>

#include "xtcp_cc.h"

#define XTCP_CC_IW_SEGS		10		/* RFC 6928 */
#define XTCP_CC_CWND_MAX	BIT(30)	/* bytes; keeps sums in u32 */

static const struct xtcp_cc_ops *const xtcp_cc_list[] = {
	&xtcp_reno,
	&xtcp_cubic,
};

const struct xtcp_cc_ops *xtcp_cc_find(const char *name)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(xtcp_cc_list); i++)
		if (!strcmp(xtcp_cc_list[i]->name, name))
			return xtcp_cc_list[i];
	return NULL;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_cc_find);

const struct xtcp_cc_ops *xtcp_cc_default(void)
{
	return &xtcp_cubic;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_cc_default);

int xtcp_cc_available(char *buf, size_t len)
{
	size_t off = 0;
	int i;

	if (!len)
		return 0;
	buf[0] = 0;
	for (i = 0; i < ARRAY_SIZE(xtcp_cc_list) && off < len; i++)
		off += scnprintf(buf + off, len - off, "%s%s", i ? " " : "",
				 xtcp_cc_list[i]->name);
	return off;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_cc_available);

const struct xtcp_cc_ops *xtcp_cc_ops_of(const struct xtcp_tcb *tcb)
{
	return tcb->cc_ops ? tcb->cc_ops : xtcp_cc_default();
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_cc_ops_of);

static u64 xtcp_cc_now(struct xtcp_tcb *tcb)
{
	return tcb->ops->now(tcb);
}

static u32 xtcp_cc_segs_down(u32 bytes, u32 mss)
{
	return bytes - bytes % mss;
}

/* ---- the calls the core makes ---- */

void xtcp_cc_init(struct xtcp_tcb *tcb)
{
	const struct xtcp_cc_ops *ops = xtcp_cc_ops_of(tcb);

	tcb->cc_ops = ops;
	memset(tcb->cc_priv, 0, XTCP_CC_PRIV_U64 * sizeof(u64));
	tcb->cc_frac = 0;
	tcb->cc_cnt = 0;
	tcb->cc_prior_cwnd = 0;
	tcb->cc_prior_ssthresh = 0;
	tcb->cc_rtt_us = 0;
	tcb->cc_lsnd = 0;
	if (ops->init)
		ops->init(tcb);
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_cc_init);

void xtcp_cc_select(struct xtcp_tcb *tcb, const struct xtcp_cc_ops *ops)
{
	tcb->cc_ops = ops;
	if (tcb->state >= XTCP_ESTABLISHED && tcb->state != XTCP_TIME_WAIT)
		xtcp_cc_init(tcb);
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_cc_select);

/*
 * RFC 7661 §4.3 (as Linux's tcp_is_cwnd_limited): grow cwnd only when it
 * limits the sender. In slow start, while the flight before this ACK was
 * over half of cwnd (the window doubles each round); in congestion
 * avoidance, while the flight filled cwnd to within one segment. An
 * application- or receive-window-limited sender keeps its cwnd.
 */
bool xtcp_cc_cwnd_limited(const struct xtcp_tcb *tcb, u32 acked)
{
	u32 flight = tcb->snd_nxt - tcb->snd_una + acked;

	if (tcb->cwnd < tcb->ssthresh)
		return tcb->cwnd < 2 * flight;
	return flight + xtcp_send_mss(tcb) > tcb->cwnd;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_cc_cwnd_limited);

void xtcp_cc_on_ack(struct xtcp_tcb *tcb, u32 acked, u32 rtt_us)
{
	if (!acked || !xtcp_send_mss(tcb))
		return;
	if (!tcb->cc_ops)
		xtcp_cc_init(tcb);
	if (!xtcp_cc_cwnd_limited(tcb, acked))
		return;
	tcb->cc_ops->cong_avoid(tcb, acked, rtt_us);
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_cc_on_ack);

/*
 * A loss event: the algorithm's ssthresh. cwnd and ssthresh as they were
 * are kept for xtcp_cc_undo() (Linux's prior_cwnd and, from
 * tcp_current_ssthresh, prior_ssthresh).
 */
u32 xtcp_cc_ssthresh(struct xtcp_tcb *tcb)
{
	if (!tcb->cc_ops)
		xtcp_cc_init(tcb);
	tcb->cc_prior_cwnd = tcb->cwnd;
	tcb->cc_prior_ssthresh = max(tcb->ssthresh,
				     (tcb->cwnd >> 1) + (tcb->cwnd >> 2));
	tcb->cc_cnt = 0;
	tcb->cc_frac = 0;
	return tcb->cc_ops->ssthresh(tcb);
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_cc_ssthresh);

void xtcp_cc_on_rto(struct xtcp_tcb *tcb)
{
	if (!tcb->cc_ops)
		xtcp_cc_init(tcb);
	tcb->cc_cnt = 0;
	tcb->cc_frac = 0;
	if (tcb->cc_ops->on_rto)
		tcb->cc_ops->on_rto(tcb);
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_cc_on_rto);

/* As tcp_undo_cwnd_reduction(): back to the window before the loss. */
void xtcp_cc_undo(struct xtcp_tcb *tcb)
{
	if (!tcb->cc_ops || !tcb->cc_prior_cwnd)
		return;
	tcb->cwnd = max(tcb->cwnd, tcb->cc_prior_cwnd);
	tcb->ssthresh = max(tcb->ssthresh, tcb->cc_prior_ssthresh);
	tcb->cc_prior_cwnd = 0;
	if (tcb->cc_ops->undo)
		tcb->cc_ops->undo(tcb);
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_cc_undo);

void xtcp_cc_sent(struct xtcp_tcb *tcb)
{
	tcb->cc_lsnd = xtcp_cc_now(tcb);
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_cc_sent);

/*
 * RFC 5681 §4.1: after more than one RTO without sending, cwnd is
 * reduced before transmission starts again, to no less than the restart
 * window RW = min(IW, cwnd). As Linux's tcp_cwnd_restart (RFC 2861),
 * ssthresh first keeps 3/4 of the old cwnd, and cwnd halves once per RTO
 * of idle time.
 */
void xtcp_cc_tx_start(struct xtcp_tcb *tcb)
{
	u32 mss = xtcp_send_mss(tcb), rto = max(tcb->rto_ms, 1U);
	u32 idle, rw, cwnd = tcb->cwnd;
	s64 delta;

	if (!tcb->cc_ops || !tcb->cc_lsnd || !mss)
		return;
	idle = (u32)min_t(u64, xtcp_cc_now(tcb) - tcb->cc_lsnd, U32_MAX);
	if (tcb->cc_ops->tx_start)
		tcb->cc_ops->tx_start(tcb, idle);
	if (idle <= rto)
		return;
	tcb->ssthresh = max(tcb->ssthresh,
			    xtcp_cc_segs_down((cwnd >> 1) + (cwnd >> 2), mss));
	rw = min(XTCP_CC_IW_SEGS * mss, cwnd);
	delta = idle;
	while ((delta -= rto) > 0 && cwnd > rw)
		cwnd >>= 1;
	tcb->cwnd = max(xtcp_cc_segs_down(cwnd, mss), rw);
	tcb->cc_cnt = 0;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_cc_tx_start);

/* ---- building blocks ---- */

/* cwnd grows by whole segments; @bytes short of one wait in cc_frac */
static void xtcp_cc_grow(struct xtcp_tcb *tcb, u32 bytes)
{
	u32 mss = xtcp_send_mss(tcb), n;

	tcb->cc_frac += bytes;
	if (tcb->cc_frac < mss)
		return;
	n = tcb->cc_frac / mss;
	tcb->cc_frac -= n * mss;
	tcb->cwnd = min_t(u64, (u64)tcb->cwnd + (u64)n * mss,
			  XTCP_CC_CWND_MAX);
}

/*
 * RFC 5681 §3.1 slow start with the per-ACK limit L of RFC 9406 §4.2
 * (8 segments without pacing, as RFC 3465 allows a limit), not beyond
 * ssthresh. Returns the acked bytes left for congestion avoidance once
 * ssthresh is reached.
 */
u32 xtcp_cc_slow_start(struct xtcp_tcb *tcb, u32 acked)
{
	u32 inc = min(acked, XTCP_HS_L * (u32)xtcp_send_mss(tcb));
	u32 room = tcb->ssthresh > tcb->cwnd ? tcb->ssthresh - tcb->cwnd : 0;

	if (inc < room) {
		xtcp_cc_grow(tcb, inc);
		return 0;
	}
	tcb->cwnd = min_t(u32, tcb->ssthresh, XTCP_CC_CWND_MAX);
	tcb->cc_frac = 0;
	return acked > room ? acked - room : 0;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_cc_slow_start);

/* As tcp_cong_avoid_ai(), in bytes: +1 SMSS per @need bytes acked. */
void xtcp_cc_ai(struct xtcp_tcb *tcb, u32 need, u32 acked)
{
	u32 n;

	need = max(need, 1U);
	tcb->cc_cnt += acked;
	if (tcb->cc_cnt < need)
		return;
	n = tcb->cc_cnt / need;
	tcb->cc_cnt -= n * need;
	tcb->cwnd = min_t(u64, (u64)tcb->cwnd + (u64)n * xtcp_send_mss(tcb),
			  XTCP_CC_CWND_MAX);
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_cc_ai);

/* ---- HyStart++ (RFC 9406 §4.2) ---- */

void xtcp_hystart_reset(struct xtcp_tcb *tcb, struct xtcp_hystart *hs)
{
	hs->window_end = tcb->snd_nxt;
	hs->last_min_rtt_us = U32_MAX;
	hs->cur_min_rtt_us = U32_MAX;
	hs->css_baseline_us = U32_MAX;
	hs->samples = 0;
	hs->css_rounds = 0;
	/* §4.3: only the initial slow start, ssthresh still "infinite" */
	hs->state = tcb->ssthresh >= XTCP_INFINITE_SSTHRESH_B ? XTCP_HS_SS :
							       XTCP_HS_DONE;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_hystart_reset);

/**
 * xtcp_hystart_on_ack() - slow start with HyStart++ (RFC 9406 §4.2)
 * @tcb: the connection, in its initial slow start
 * @hs: HyStart++ state
 * @acked: bytes newly acknowledged (N)
 * @rtt_us: an RTT sample of this ACK, 0 when none
 *
 * A round ends when the ACK covers window_end (SND.NXT when the round
 * began). In standard slow start, a round whose minimum RTT (over at least
 * N_RTT_SAMPLE samples) rose by RttThresh over the previous round's moves
 * to Conservative Slow Start; CSS grows cwnd at 1/CSS_GROWTH_DIVISOR of
 * the rate, goes back to slow start if the RTT falls below the baseline
 * (a spurious exit), and after CSS_ROUNDS rounds sets ssthresh = cwnd:
 * congestion avoidance.
 *
 * Return: the acked bytes left for congestion avoidance (0 or @acked when
 * this ACK ended CSS).
 */
u32 xtcp_hystart_on_ack(struct xtcp_tcb *tcb, struct xtcp_hystart *hs,
			u32 acked, u32 rtt_us)
{
	u32 inc = min(acked, XTCP_HS_L * (u32)xtcp_send_mss(tcb)), thresh;

	if (xtcp_seq_geq(tcb->snd_una, hs->window_end)) {
		if (hs->state == XTCP_HS_CSS &&
		    ++hs->css_rounds >= XTCP_HS_CSS_ROUNDS) {
			tcb->ssthresh = tcb->cwnd;
			hs->state = XTCP_HS_DONE;
			return acked;
		}
		hs->last_min_rtt_us = hs->cur_min_rtt_us;
		hs->cur_min_rtt_us = U32_MAX;
		hs->samples = 0;
		hs->window_end = tcb->snd_nxt;
	}
	if (rtt_us) {
		hs->cur_min_rtt_us = min(hs->cur_min_rtt_us, rtt_us);
		if (hs->samples < U16_MAX)
			hs->samples++;
	}

	if (hs->state == XTCP_HS_CSS) {
		xtcp_cc_grow(tcb, inc / XTCP_HS_CSS_GROWTH_DIVISOR);
		if (hs->samples >= XTCP_HS_N_RTT_SAMPLE &&
		    hs->cur_min_rtt_us < hs->css_baseline_us) {
			hs->css_baseline_us = U32_MAX;
			hs->state = XTCP_HS_SS;
		}
		return 0;
	}

	xtcp_cc_grow(tcb, inc);
	if (hs->samples >= XTCP_HS_N_RTT_SAMPLE &&
	    hs->cur_min_rtt_us != U32_MAX && hs->last_min_rtt_us != U32_MAX) {
		thresh = clamp_t(u32,
				 hs->last_min_rtt_us / XTCP_HS_MIN_RTT_DIVISOR,
				 XTCP_HS_MIN_RTT_THRESH_US,
				 XTCP_HS_MAX_RTT_THRESH_US);
		if (hs->cur_min_rtt_us >= hs->last_min_rtt_us + thresh) {
			hs->css_baseline_us = hs->cur_min_rtt_us;
			hs->css_rounds = 0;
			hs->state = XTCP_HS_CSS;
		}
	}
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_hystart_on_ack);

/* ---- Reno (RFC 5681 §3.1) ---- */

static void xtcp_reno_cong_avoid(struct xtcp_tcb *tcb, u32 acked, u32 rtt_us)
{
	if (tcb->cwnd < tcb->ssthresh) {
		acked = xtcp_cc_slow_start(tcb, acked);
		if (!acked)
			return;
	}
	/* one SMSS per cwnd of acknowledged bytes (byte counting) */
	xtcp_cc_ai(tcb, tcb->cwnd, acked);
}

/* RFC 5681 eq. (4): max(FlightSize / 2, 2 * SMSS), in whole segments */
static u32 xtcp_reno_ssthresh(struct xtcp_tcb *tcb)
{
	u32 mss = xtcp_send_mss(tcb), flight = tcb->snd_max - tcb->snd_una;

	return max(xtcp_cc_segs_down(flight / 2, mss), 2 * mss);
}

const struct xtcp_cc_ops xtcp_reno = {
	.name		= "reno",
	.cong_avoid	= xtcp_reno_cong_avoid,
	.ssthresh	= xtcp_reno_ssthresh,
};
EXPORT_SYMBOL_IF_KUNIT(xtcp_reno);
