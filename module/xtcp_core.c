// SPDX-License-Identifier: GPL-2.0
/*
 * XTCP protocol core: RFC 9293 §3.10 event processing as pure functions of
 * a TCB, a parsed segment or user event and the time. See xtcp_core.h.
 *
 * Also implemented: RFC 5961 (RST/SYN/ACK injection defences), RFC 6298
 * (RTO), RFC 5681 (loss window; growth and ssthresh in xtcp_cc.c), RFC 6928
 * (initial window), RFC 7323 (window scaling; timestamps in xtcp_ts.c),
 * RFC 1337 (no RST in TIME-WAIT), and loss recovery on the scoreboard of
 * xtcp_recovery.c: RFC 8985 (RACK-TLP), RFC 6675 (SACK recovery), RFC 6582
 * (NewReno), RFC 3042 (limited transmit), RFC 6937 (PRR), RFC 2883 (D-SACK
 * undo).
 */

#include <linux/kernel.h>
#include <linux/errno.h>
#include <linux/string.h>
#include <linux/minmax.h>
#include <linux/bits.h>
#include <linux/math64.h>
#include <linux/time64.h>
#include <linux/export.h>
#include <kunit/visibility.h>

#include "xtcp_core.h"
#include "xtcp_cc.h"

#define XTCP_DEFAULT_MSS	536	/* RFC 9293 §3.7.1 */
#define XTCP_MIN_MSS		88	/* as Linux TCP_MIN_MSS */
#define XTCP_MAX_WSCALE		14	/* RFC 7323 §2.3 */
#define XTCP_MAX_WND		65535U
#define XTCP_CLOCK_G_US		1000	/* clock granularity G: 1 ms */
#define XTCP_INIT_CWND		10	/* RFC 6928 */
#define XTCP_MAX_OPT_SPACE	40	/* option bytes, RFC 9293 §3.1 */
#define XTCP_MAX_QUICKACKS	16	/* as Linux TCP_MAX_QUICKACKS */
#define XTCP_WCDELACK_US	200000	/* RFC 8985 §7.2 WCDelAckT */
#define XTCP_PTO_MIN_MS		2	/* a PTO below the timer tick is moot */
#define XTCP_MAX_REORDERING	300	/* as Linux's tcp_max_reordering */

/* xtcp_output_segs_f() modes */
enum {
	XTCP_OUT_NORMAL,
	XTCP_OUT_FORCE,		/* the head goes even beyond the windows */
	XTCP_OUT_PROBE,		/* one new segment beyond cwnd (TLP) */
};

static const char * const xtcp_state_names[XTCP_NSTATES] = {
	[XTCP_CLOSED]		= "CLOSED",
	[XTCP_LISTEN]		= "LISTEN",
	[XTCP_SYN_SENT]		= "SYN-SENT",
	[XTCP_SYN_RECEIVED]	= "SYN-RECEIVED",
	[XTCP_ESTABLISHED]	= "ESTABLISHED",
	[XTCP_FIN_WAIT_1]	= "FIN-WAIT-1",
	[XTCP_FIN_WAIT_2]	= "FIN-WAIT-2",
	[XTCP_CLOSE_WAIT]	= "CLOSE-WAIT",
	[XTCP_CLOSING]		= "CLOSING",
	[XTCP_LAST_ACK]		= "LAST-ACK",
	[XTCP_TIME_WAIT]	= "TIME-WAIT",
};

const char *xtcp_state_name(unsigned int state)
{
	if (state >= XTCP_NSTATES)
		return "UNKNOWN";
	return xtcp_state_names[state];
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_state_name);

/* ---- small helpers ---- */

static u64 xtcp_now(struct xtcp_tcb *tcb)
{
	return tcb->ops->now(tcb);
}

static u64 xtcp_now_us(struct xtcp_tcb *tcb)
{
	if (tcb->now_valid)
		return tcb->now_us;
	if (tcb->ops->now_us)
		return tcb->ops->now_us(tcb);
	return tcb->ops->now(tcb) * 1000;
}

static void xtcp_timer_set(struct xtcp_tcb *tcb, enum xtcp_timer t, u32 ms)
{
	tcb->timers |= BIT(t);
	tcb->ops->timer_set(tcb, t, ms);
}

static void xtcp_timer_clear(struct xtcp_tcb *tcb, enum xtcp_timer t)
{
	if (!(tcb->timers & BIT(t)))
		return;
	tcb->timers &= ~BIT(t);
	tcb->ops->timer_clear(tcb, t);
}

static bool xtcp_timer_armed(const struct xtcp_tcb *tcb, enum xtcp_timer t)
{
	return tcb->timers & BIT(t);
}

static void xtcp_timers_clear_all(struct xtcp_tcb *tcb)
{
	int t;

	for (t = 0; t < XTCP_T_MAX; t++)
		xtcp_timer_clear(tcb, t);
}

static u32 xtcp_now32(struct xtcp_tcb *tcb)
{
	return (u32)xtcp_now(tcb);
}

static u32 xtcp_keepidle_ms(const struct xtcp_tcb *tcb)
{
	return tcb->p.keepalive_time * 1000;
}

/*
 * The connection is synchronized: the keep-alive clock starts and, with
 * SO_KEEPALIVE, its timer (Linux's tcp_finish_connect and
 * tcp_create_openreq_child).
 */
static void xtcp_sender_established(struct xtcp_tcb *tcb)
{
	tcb->rcv_tstamp = xtcp_now32(tcb);
	tcb->lrcv_ts = tcb->rcv_tstamp;
	tcb->rcv_wup = tcb->rcv_nxt;
	if (tcb->keepalive)
		xtcp_timer_set(tcb, XTCP_T_KEEPALIVE, xtcp_keepidle_ms(tcb));
}

/* The one place the state changes; entering CLOSED clears all timers. */
static void xtcp_set_state(struct xtcp_tcb *tcb, enum xtcp_state new)
{
	enum xtcp_state old = tcb->state;

	if (old == new)
		return;
	tcb->state = new;
	if (new == XTCP_ESTABLISHED)
		xtcp_cc_init(tcb);
	if (new == XTCP_CLOSED)
		xtcp_timers_clear_all(tcb);
	if (new == XTCP_ESTABLISHED)
		xtcp_sender_established(tcb);
	/* nothing is in flight any more (TIME-WAIT copies the TCB) */
	if (new == XTCP_CLOSED || new == XTCP_TIME_WAIT) {
		xtcp_sb_free(&tcb->sb);
		xtcp_ofo_free(&tcb->ofo);
	}
	tcb->ops->state_change(tcb, old);
}

static void xtcp_error(struct xtcp_tcb *tcb, int err)
{
	tcb->ops->error(tcb, err);
}

static void xtcp_event(struct xtcp_tcb *tcb)
{
	tcb->ops->event(tcb);
}

static void xtcp_note(struct xtcp_tcb *tcb, enum xtcp_note n)
{
	if (tcb->ops->note)
		tcb->ops->note(tcb, n);
}

static void xtcp_enter_time_wait(struct xtcp_tcb *tcb)
{
	xtcp_timer_clear(tcb, XTCP_T_RTX);
	xtcp_timer_clear(tcb, XTCP_T_DELACK);
	xtcp_timer_clear(tcb, XTCP_T_PERSIST);
	xtcp_timer_clear(tcb, XTCP_T_FINWAIT2);
	xtcp_timer_clear(tcb, XTCP_T_KEEPALIVE);
	xtcp_timer_clear(tcb, XTCP_T_RACK);
	xtcp_timer_clear(tcb, XTCP_T_TLP);
	xtcp_set_state(tcb, XTCP_TIME_WAIT);
	xtcp_timer_set(tcb, XTCP_T_TIMEWAIT, 2 * tcb->p.msl_ms);
}

static void xtcp_enter_fin_wait_2(struct xtcp_tcb *tcb)
{
	xtcp_set_state(tcb, XTCP_FIN_WAIT_2);
	if (tcb->fl & XTCP_F_ORPHAN)
		xtcp_timer_set(tcb, XTCP_T_FINWAIT2, tcb->p.fin_timeout_ms);
}

/* States in which the user's data and FIN may be (re)transmitted. */
static bool xtcp_can_send(const struct xtcp_tcb *tcb)
{
	switch (tcb->state) {
	case XTCP_ESTABLISHED:
	case XTCP_CLOSE_WAIT:
	case XTCP_FIN_WAIT_1:
	case XTCP_CLOSING:
	case XTCP_LAST_ACK:
		return true;
	default:
		return false;
	}
}

/* States in which data from the peer is accepted (§3.10.7.4 step 7). */
static bool xtcp_can_rcv(const struct xtcp_tcb *tcb)
{
	return tcb->state == XTCP_ESTABLISHED ||
	       tcb->state == XTCP_FIN_WAIT_1 ||
	       tcb->state == XTCP_FIN_WAIT_2;
}

/* Has the peer acknowledged our FIN? */
static bool xtcp_fin_acked(const struct xtcp_tcb *tcb)
{
	return (tcb->fl & XTCP_F_FIN_QUEUED) &&
	       tcb->snd_una == tcb->snd_end + 1;
}

/* ---- receive window ---- */

u32 xtcp_rcv_space_calc(u32 rcvbuf, u32 rmem, u32 mss, bool pressure)
{
	u32 free = rcvbuf > rmem ? rcvbuf - rmem : 0;
	u32 space = free - free / 2;	/* payload is ~half of truesize */

	mss = min(mss, rcvbuf / 2);	/* a buffer below 2 MSS still opens */
	if (!mss)
		return 0;
	/* §3.8.6.2.2 receiver SWS avoidance: no window below one MSS */
	if (space < mss || space < (rcvbuf / 2) >> 4)
		return 0;
	if (pressure)	/* after the SWS test, as tcp_adjust_rcv_ssthresh */
		space = min(space, 4 * mss);
	return space;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_rcv_space_calc);

static u32 xtcp_rcv_wnd_left(const struct xtcp_tcb *tcb)
{
	if (xtcp_seq_gt(tcb->rcv_adv, tcb->rcv_nxt))
		return tcb->rcv_adv - tcb->rcv_nxt;
	return 0;
}

/*
 * The window we would advertise now, in bytes, before any no-shrink rule:
 * what the buffer has room for, up to rcv_ssthresh (xtcp_rcv_grow).
 */
static u32 xtcp_wnd_offer(struct xtcp_tcb *tcb)
{
	u32 max_wnd = XTCP_MAX_WND << tcb->rcv_wscale;
	u32 wnd = min(tcb->ops->rcv_space(tcb), max_wnd);

	if (tcb->rcv_ssthresh)
		wnd = min(wnd, tcb->rcv_ssthresh);
	return wnd & ~(BIT(tcb->rcv_wscale) - 1);
}

/**
 * xtcp_rcv_grow() - @len bytes of data arrived: open the window further
 * @tcb: the connection
 * @len: payload bytes of the segment
 *
 * As Linux's tcp_grow_window(): the window starts at the SYN's (at most
 * 64 KB) and grows with the data received, by twice the segment (at
 * least two MSS) per segment, up to what the buffer has room for; so it
 * follows the sender's slow start instead of offering the whole buffer
 * at once. A window far above the sender's rate lets it put a whole
 * buffer's worth in flight early, where one reordering event on the path
 * (RFC 8985 §6.2: RACK before it has seen any D-SACK) marks many
 * segments lost at once: a Linux sender resent several times more to a
 * receiver offering it than to a Linux receiver, on the same path.
 */
static void xtcp_rcv_grow(struct xtcp_tcb *tcb, u32 len)
{
	u32 space, incr;

	if (!tcb->rcv_ssthresh)
		return;
	space = tcb->ops->rcv_space(tcb);
	if (tcb->rcv_ssthresh >= space)
		return;
	incr = max_t(u32, 2 * max_t(u32, tcb->rcv_mss, XTCP_MIN_MSS),
		     2 * len);
	tcb->rcv_ssthresh += min(space - tcb->rcv_ssthresh, incr);
}

/*
 * Choose the window for an outgoing segment (never shrinking the right
 * edge already advertised), record it and return the wire value.
 */
static u16 xtcp_select_window(struct xtcp_tcb *tcb)
{
	u32 max_wnd = XTCP_MAX_WND << tcb->rcv_wscale;
	u32 cur = xtcp_rcv_wnd_left(tcb);
	u32 wnd = xtcp_wnd_offer(tcb);

	if (wnd < cur)
		wnd = min(ALIGN(cur, BIT(tcb->rcv_wscale)), max_wnd);
	tcb->rcv_wnd = wnd;
	tcb->rcv_adv = tcb->rcv_nxt + wnd;
	return wnd >> tcb->rcv_wscale;
}

/* Window in a SYN or SYN-ACK: never scaled (RFC 7323 §2.2). */
static u16 xtcp_syn_window(struct xtcp_tcb *tcb)
{
	u32 wnd = min(tcb->ops->rcv_space(tcb), XTCP_MAX_WND);

	tcb->rcv_wnd = wnd;
	tcb->rcv_adv = tcb->rcv_nxt + wnd;
	/* a few segments at least: the buffer still bounds the window */
	tcb->rcv_ssthresh = max_t(u32, wnd, 4 * max_t(u32, tcb->rcv_mss,
						      XTCP_MIN_MSS));
	return wnd;
}

/* Consume @n sequence numbers of the receive space. */
static void xtcp_rcv_advance(struct xtcp_tcb *tcb, u32 n)
{
	tcb->rcv_nxt += n;
	if (xtcp_seq_lt(tcb->rcv_adv, tcb->rcv_nxt))
		tcb->rcv_adv = tcb->rcv_nxt;
	tcb->rcv_wnd = tcb->rcv_adv - tcb->rcv_nxt;
}

/* ---- emitting segments ---- */

/*
 * RFC 2018 §4: every ACK carries the SACK blocks while data is held out of
 * order (and a D-SACK block when one is due, RFC 2883); a data segment
 * only while all the option space fits beside its payload in the MSS, so
 * the glue never builds a segment above the MSS it budgeted. The glue
 * puts as many blocks as fit beside its other options.
 */
static void xtcp_sack_fill(struct xtcp_tcb *tcb, struct xtcp_out *o)
{
	if (!tcb->sack_ok || tcb->state == XTCP_TIME_WAIT ||
	    (o->len && o->len + XTCP_MAX_OPT_SPACE > tcb->snd_mss))
		return;
	o->nsack = xtcp_ofo_sack(&tcb->ofo, o->sack, ARRAY_SIZE(o->sack));
}

static int xtcp_emit(struct xtcp_tcb *tcb, struct xtcp_out *o)
{
	if (o->flags & XTCP_ACK) {
		o->ack = tcb->rcv_nxt;
		if (!(o->flags & (XTCP_SYN | XTCP_RST))) {
			o->wnd = xtcp_select_window(tcb);
			xtcp_sack_fill(tcb, o);
			xtcp_ecn_out(tcb, o);
		}
		tcb->delack_pending = 0;
		xtcp_timer_clear(tcb, XTCP_T_DELACK);
		/* as tcp_event_ack_sent(): one quick ACK used */
		tcb->rcv_wup = tcb->rcv_nxt;
		if (tcb->quick)
			tcb->quick--;
	}
	xtcp_ts_out(tcb, o);
	return tcb->ops->output(tcb, o);
}

static void xtcp_out_init(struct xtcp_out *o, u16 flags, u32 seq)
{
	*o = (struct xtcp_out){ .seq = seq, .flags = flags, .wscale = -1 };
}

/* A bare ACK, seq = @seq. */
static void xtcp_send_ack_seq(struct xtcp_tcb *tcb, u32 seq)
{
	struct xtcp_out o;

	xtcp_out_init(&o, XTCP_ACK, seq);
	xtcp_emit(tcb, &o);
}

static void xtcp_send_ack(struct xtcp_tcb *tcb)
{
	xtcp_send_ack_seq(tcb, tcb->snd_nxt);
}

/* RST without ACK (window 0). */
static void xtcp_send_rst(struct xtcp_tcb *tcb, u32 seq)
{
	struct xtcp_out o;

	xtcp_out_init(&o, XTCP_RST, seq);
	tcb->ops->output(tcb, &o);
}

/* SYN (active) or SYN-ACK, with options. */
static void xtcp_send_syn(struct xtcp_tcb *tcb, bool ack, bool rtx)
{
	struct xtcp_out o;

	xtcp_out_init(&o, XTCP_SYN | (ack ? XTCP_ACK : 0), tcb->iss);
	o.mss = tcb->rcv_mss;
	if (!ack || tcb->wscale_ok)
		o.wscale = tcb->rcv_wscale;
	/* RFC 2018 §2: a SYN-ACK offers SACK only if the SYN did */
	o.sack_ok = tcb->p.sack && (!ack || tcb->sack_ok);
	o.wnd = xtcp_syn_window(tcb);
	xtcp_ecn_syn_out(tcb, &o, rtx);
	o.rtx = rtx;
	if (rtx)
		tcb->retransmits++;
	xtcp_emit(tcb, &o);
}

/* ---- RTT and RTO (RFC 6298) ---- */

static void xtcp_rto_update(struct xtcp_tcb *tcb)
{
	u32 rto_us;

	if (!tcb->srtt_us) {
		tcb->rto_ms = tcb->p.rto_init_ms;
		return;
	}
	rto_us = (tcb->srtt_us >> 3) + max_t(u32, XTCP_CLOCK_G_US,
					     tcb->rttvar_us);
	tcb->rto_ms = clamp_t(u32, DIV_ROUND_UP(rto_us, 1000),
			      tcb->p.rto_min_ms, tcb->p.rto_max_ms);
}

/* One RTT measurement of @us microseconds (RFC 6298 §2). */
static void xtcp_rtt_sample(struct xtcp_tcb *tcb, u64 us)
{
	u32 r, srtt, err;

	r = (u32)min_t(u64, us, 100000000);	/* keeps 8*r in u32 */
	if (!r)
		r = 1;
	if (!tcb->srtt_us) {
		/* SRTT <- R, RTTVAR <- R/2 (scaled by 8 and 4) */
		tcb->srtt_us = r << 3;
		tcb->rttvar_us = r << 1;
	} else {
		/* RTTVAR <- 3/4 RTTVAR + 1/4 |SRTT - R'| */
		srtt = tcb->srtt_us >> 3;
		err = srtt > r ? srtt - r : r - srtt;
		tcb->rttvar_us = tcb->rttvar_us - (tcb->rttvar_us >> 2) + err;
		/* SRTT <- 7/8 SRTT + 1/8 R' */
		tcb->srtt_us = tcb->srtt_us - (tcb->srtt_us >> 3) + r;
	}
	tcb->cc_rtt_us = r;	/* for HyStart++ (xtcp_cc_on_ack) */
	xtcp_rto_update(tcb);
}

/* Does @ack end the RTT measurement in progress? */
static void xtcp_rtt_check(struct xtcp_tcb *tcb, u32 ack)
{
	if (!(tcb->fl & XTCP_F_RTT_TIMING) || !xtcp_seq_gt(ack, tcb->rtt_seq))
		return;
	tcb->fl &= ~XTCP_F_RTT_TIMING;
	xtcp_rtt_sample(tcb, (xtcp_now(tcb) - tcb->rtt_ts) * 1000);
}

static void xtcp_rtt_start(struct xtcp_tcb *tcb, u32 seq)
{
	tcb->fl |= XTCP_F_RTT_TIMING;
	tcb->rtt_seq = seq;
	tcb->rtt_ts = xtcp_now(tcb);
}

static u32 xtcp_backoff_ms(const struct xtcp_tcb *tcb, u32 ms, unsigned int n)
{
	while (n-- && ms < tcb->p.rto_max_ms)
		ms *= 2;
	return min(ms, tcb->p.rto_max_ms);
}

/* ---- output ---- */

static u32 xtcp_snd_avail(const struct xtcp_tcb *tcb)
{
	if (xtcp_seq_lt(tcb->snd_nxt, tcb->snd_end))
		return tcb->snd_end - tcb->snd_nxt;
	return 0;
}

static bool xtcp_fin_pending(const struct xtcp_tcb *tcb)
{
	return (tcb->fl & XTCP_F_FIN_QUEUED) && !(tcb->fl & XTCP_F_FIN_SENT);
}

/*
 * May a new segment of @len bytes (@avail queued, @in_flight outstanding)
 * go now? Sender SWS avoidance (RFC 9293 §3.8.6.2.1): a full segment, or
 * at least half the largest window the peer offered, or all that is queued
 * when Nagle (§3.7.4; Minshall's variant as Linux's tcp_nagle_check: no
 * second small segment while one is unacknowledged) and the cork allow.
 * A FIN is never held (tcp_nagle_test).
 */
static bool xtcp_snd_hold(const struct xtcp_tcb *tcb, u32 len, u32 avail,
			  u32 in_flight)
{
	if (len >= xtcp_send_mss(tcb) || (tcb->send_how & XTCP_SEND_PROBE))
		return false;
	if (len < avail)	/* the window cuts the segment short */
		return len < tcb->max_wnd / 2;
	if ((tcb->send_how & XTCP_SEND_PUSH) || xtcp_fin_pending(tcb))
		return false;
	if ((tcb->nonagle & XTCP_NAGLE_CORK) ||
	    (tcb->send_how & XTCP_SEND_MORE))
		return true;
	if (tcb->nonagle & XTCP_NAGLE_OFF)
		return false;
	/* Minshall: hold while a small segment is unacknowledged
	 * (tcp_minshall_check)
	 */
	return in_flight && xtcp_seq_gt(tcb->snd_sml, tcb->snd_una) &&
	       xtcp_seq_leq(tcb->snd_sml, tcb->snd_max);
}

/* New data [@seq, @seq + @len) is going out (not a retransmission). */
static void xtcp_sent_new(struct xtcp_tcb *tcb, u32 seq, u32 len)
{
	if (seq == tcb->snd_una)	/* the flight starts: RFC 5482 clock */
		tcb->una_ts = xtcp_now32(tcb);
	if (len < xtcp_send_mss(tcb))
		tcb->snd_sml = seq + len;
}

/* ---- loss recovery: the scoreboard's users ---- */

/* RFC 6675 §4 pipe: what the network holds of ours, in sequence space */
static u32 xtcp_pipe(const struct xtcp_tcb *tcb)
{
	u32 flight = tcb->snd_max - tcb->snd_una;
	u32 out = tcb->sb.sacked + tcb->sb.lost + tcb->reno_sacked;

	return flight - min(out, flight) + tcb->sb.retrans;
}

/*
 * As tcp_event_data_sent(): new data sent within the delayed-ACK time of
 * the last data received answers it, so the session is interactive
 * (pingpong): the peer's next data is acknowledged by our answer, or by
 * the delayed-ACK timer, not at once in quick-ACK mode. A delayed ACK
 * that has to go alone ends it (xtcp_core_timeout()).
 */
static void xtcp_data_sent_pingpong(struct xtcp_tcb *tcb)
{
	if (tcb->ack_started && tcb->p.delack_ms &&
	    xtcp_now32(tcb) - tcb->lrcv_ts < tcb->p.delack_ms)
		tcb->pingpong = 1;
}

/* emit [seq, seq + len) of the send stream, with a FIN after it */
static void xtcp_xmit(struct xtcp_tcb *tcb, u32 seq, u32 len, bool fin,
		      bool rtx)
{
	struct xtcp_out o;

	xtcp_out_init(&o, XTCP_ACK, seq);
	o.len = len;
	if (len && seq + len == tcb->snd_end)
		o.flags |= XTCP_PSH;
	if (fin)
		o.flags |= XTCP_FIN;
	o.rtx = rtx;
	if (rtx)
		tcb->retransmits++;
	tcb->bytes_sent += len;
	if (len)
		xtcp_cc_sent(tcb);
	if (len && !rtx)
		xtcp_data_sent_pingpong(tcb);
	/* an error means the segment was lost: the timers recover it */
	xtcp_emit(tcb, &o);
}

/* retransmit scoreboard record @i (RFC 6675 §5 step C.1) */
static void xtcp_retransmit_rec(struct xtcp_tcb *tcb, u32 i)
{
	u32 mss = xtcp_send_mss(tcb), len, seq, data;
	struct xtcp_sb_seg *s;
	bool fin;

	len = xtcp_sb_retransmit(&tcb->sb, i, mss, xtcp_now_us(tcb),
				 tcb->delivered);
	s = xtcp_sb_at(&tcb->sb, i);
	seq = s->seq;
	data = xtcp_sb_seg_data(s);
	fin = s->fl & XTCP_SB_FIN;
	/* a record that could not be split goes in MSS pieces */
	while (data > mss) {
		xtcp_xmit(tcb, seq, mss, false, true);
		seq += mss;
		data -= mss;
	}
	xtcp_xmit(tcb, seq, data, fin, true);
	/* RFC 3522 §3.2: remember the first retransmission's TSval */
	if (tcb->ts_ok && !tcb->undo_ts) {
		tcb->undo_tsval = xtcp_ts_now(tcb);
		tcb->undo_ts = true;
	}
	/* the head resent: its RTO counts from now (as Linux's
	 * tcp_xmit_retransmit_queue), not from the last ACK before the loss
	 */
	if (!i)
		xtcp_timer_set(tcb, XTCP_T_RTX, tcb->rto_ms);
	tcb->prr_out += len;
	if (tcb->undo_ok)
		tcb->undo_retrans++;
	if (tcb->ca_state == XTCP_CA_RECOVERY)
		xtcp_note(tcb, XTCP_N_FAST_RETRANS);
}

/* RFC 8985 §6.2 step 4: RACK.reo_wnd */
static u32 xtcp_reo_wnd(const struct xtcp_tcb *tcb)
{
	if (!tcb->reord_seen &&
	    (tcb->ca_state != XTCP_CA_OPEN || tcb->sb.nsacked >= 3))
		return 0;
	return min_t(u64, (u64)(tcb->min_rtt_us / 4) * tcb->reo_wnd_mult,
		     tcb->srtt_us >> 3);
}

/* RFC 6675 §5 / RFC 6582 §3.2: a loss episode begins */
static void xtcp_enter_recovery(struct xtcp_tcb *tcb, bool reno)
{
	tcb->reno_rec = reno;
	xtcp_note(tcb, reno ? XTCP_N_RENO_RECOVERY : XTCP_N_SACK_RECOVERY);
	tcb->undo_ok = true;
	tcb->undo_rto = false;
	tcb->undo_retrans = 0;
	tcb->undo_ts = false;
	tcb->frto = XTCP_FRTO_OFF;
	/* after an ECE the window is reduced already (tcp_enter_recovery) */
	if (tcb->ecn & XTCP_ECN_CWR)
		tcb->undo_ok = false;
	else
		tcb->ssthresh = xtcp_cc_ssthresh(tcb);
	tcb->ecn &= ~XTCP_ECN_CWR;
	xtcp_ecn_queue_cwr(tcb);
	tcb->recover = tcb->snd_max;
	tcb->recover_fs = tcb->snd_max - tcb->snd_una;
	tcb->prr_delivered = 0;
	tcb->prr_out = 0;
	tcb->ca_state = XTCP_CA_RECOVERY;
	tcb->tlp_high_seq = 0;
	xtcp_timer_clear(tcb, XTCP_T_TLP);
}

/* RFC 6937 §3: how much may go on this ACK; sets cwnd = pipe + sndcnt */
static void xtcp_prr(struct xtcp_tcb *tcb, u32 delivered)
{
	u32 pipe = xtcp_pipe(tcb), mss = xtcp_send_mss(tcb);
	s64 sndcnt;

	tcb->prr_delivered += delivered;
	if (pipe > tcb->ssthresh) {
		sndcnt = (s64)DIV_ROUND_UP_ULL((u64)tcb->prr_delivered *
					       tcb->ssthresh,
					       tcb->recover_fs ? : 1) -
			 tcb->prr_out;
	} else {
		/* PRR-SSRB: grow back to ssthresh, one MSS per ACK ahead */
		s64 limit = max_t(s64, (s64)tcb->prr_delivered - tcb->prr_out,
				  delivered) + mss;

		sndcnt = min_t(s64, tcb->ssthresh - pipe, limit);
	}
	if (sndcnt < 0)
		sndcnt = 0;
	/* whole segments; the fast retransmit itself always goes */
	sndcnt = roundup(sndcnt, mss);
	if (!tcb->prr_out && sndcnt < mss)
		sndcnt = mss;
	tcb->cwnd = pipe + sndcnt;
}

/* the episode proved spurious: counted as @note */
static void xtcp_undo(struct xtcp_tcb *tcb, enum xtcp_note note)
{
	tcb->undo_ok = false;
	tcb->undo_ts = false;
	tcb->frto = XTCP_FRTO_OFF;
	xtcp_note(tcb, note);
	xtcp_cc_undo(tcb);
	tcb->ecn &= ~XTCP_ECN_QUEUE_CWR;	/* tcp_ecn_withdraw_cwr */
	tcb->ca_state = XTCP_CA_OPEN;
	tcb->dupacks = 0;
	xtcp_sb_unmark_lost(&tcb->sb);
}

/* The ACK echoes a TSval older than the episode's first retransmission:
 * it answers original transmissions only (RFC 3522 §2, RFC 8985 §6.2)
 */
static bool xtcp_ack_for_original(const struct xtcp_tcb *tcb,
				  const struct xtcp_seg *seg)
{
	return tcb->undo_ts && seg->ts_ok && seg->tsecr &&
	       xtcp_seq_lt(seg->tsecr, tcb->undo_tsval);
}

/* D-SACKs proved every retransmission of the episode needless */
static void xtcp_recov_undo(struct xtcp_tcb *tcb)
{
	xtcp_undo(tcb, tcb->undo_rto ? XTCP_N_SPURIOUS_RTO :
				       XTCP_N_DSACK_UNDO);
}

/*
 * RFC 3522 (Eifel detection), as Linux's tcp_try_undo_loss(): after an
 * RTO, an ACK of new data echoing a timestamp older than the episode's
 * first retransmission answers an original segment, so the original was
 * only late: restore the window and forget the lost marks rather than
 * resend the whole flight (go-back-N) until D-SACKs tell. In fast
 * recovery, as tcp_try_undo_partial(): the hole was filled by a late
 * original, so the path reorders (RACK keeps a reordering window from
 * now on, RFC 8985 §6.2 step 4); once no retransmission is in flight
 * any more the episode is undone, and what is still marked lost (by a
 * reordering window that was too small) is not resent.
 */
static void xtcp_loss_undo_ts(struct xtcp_tcb *tcb, const struct xtcp_seg *seg)
{
	if (!tcb->undo_ok || !xtcp_ack_for_original(tcb, seg))
		return;
	if (tcb->ca_state == XTCP_CA_LOSS) {
		xtcp_undo(tcb, XTCP_N_LOSS_UNDO);
	} else if (tcb->ca_state == XTCP_CA_RECOVERY && !tcb->reno_rec) {
		if (!tcb->reord_seen)
			xtcp_note(tcb, XTCP_N_SACK_REORDER);
		tcb->reord_seen = true;
		if (!tcb->sb.retrans)
			xtcp_undo(tcb, XTCP_N_PARTIAL_UNDO);
	}
}

/* RFC 8985 §7.2: arm the probe timeout (PTO) in the Open state */
static void xtcp_tlp_arm(struct xtcp_tcb *tcb)
{
	u32 flight = tcb->snd_max - tcb->snd_una;
	u32 pto_us, pto_ms;

	if (!tcb->sack_ok || tcb->ca_state != XTCP_CA_OPEN || !flight ||
	    tcb->tlp_high_seq || !xtcp_can_send(tcb)) {
		xtcp_timer_clear(tcb, XTCP_T_TLP);
		return;
	}
	pto_us = tcb->srtt_us ? (tcb->srtt_us >> 3) * 2 : USEC_PER_SEC;
	if (flight <= xtcp_send_mss(tcb))
		pto_us += XTCP_WCDELACK_US;	/* the ACK may be delayed */
	pto_ms = max_t(u32, DIV_ROUND_UP(pto_us, 1000), XTCP_PTO_MIN_MS);
	/* PTO = min(PTO, RTO): a probe rather than an RTO. The RTO timer
	 * stays armed beside it, so the probe goes an eighth earlier to
	 * come first despite timer granularity
	 */
	pto_ms = min(pto_ms, tcb->rto_ms - tcb->rto_ms / 8);
	xtcp_timer_set(tcb, XTCP_T_TLP, pto_ms);
}

/*
 * Mark losses: RACK (RFC 8985 §6.2 step 5), and RFC 6675 IsLost while no
 * reordering was seen; arm the RACK timer for records not yet judged.
 * Without SACK: RFC 6582 after DupThresh duplicate ACKs.
 */
static void xtcp_detect_loss(struct xtcp_tcb *tcb)
{
	u32 timeout = 0, lost_rtx = 0, marked = 0;

	/* RFC 6582 §3.2 step 2; also for a SACK peer that never sent one */
	if (tcb->ca_state == XTCP_CA_OPEN && tcb->dupacks >= 3 &&
	    (!tcb->sack_ok || !tcb->sack_seen) && tcb->sb.n) {
		xtcp_sb_mark_lost(&tcb->sb, 0);
		tcb->lost_total += xtcp_sb_seg_len(xtcp_sb_at(&tcb->sb, 0));
		xtcp_enter_recovery(tcb, true);
		return;
	}
	if (!tcb->sack_ok)
		return;
	if (tcb->rack_xmit_us)
		marked = xtcp_sb_rack_detect(&tcb->sb, tcb->rack_xmit_us,
					     tcb->rack_end, tcb->rack_rtt_us,
					     xtcp_reo_wnd(tcb),
					     xtcp_now_us(tcb), &timeout,
					     &lost_rtx);
	if (!tcb->reord_seen)
		marked += xtcp_sb_mark_lost_6675(&tcb->sb, xtcp_send_mss(tcb));
	tcb->lost_total += marked;
	while (lost_rtx--)
		xtcp_note(tcb, XTCP_N_LOST_RETRANS);
	if (timeout)
		xtcp_timer_set(tcb, XTCP_T_RACK, DIV_ROUND_UP(timeout, 1000));
	else
		xtcp_timer_clear(tcb, XTCP_T_RACK);
	if (tcb->sb.lost && tcb->ca_state == XTCP_CA_OPEN)
		xtcp_enter_recovery(tcb, false);
}

/*
 * The congestion response to a loss the ACK in hand revealed, with the
 * FlightSize of before that ACK (RFC 5681 §3.1 eq. (4) is taken at the
 * loss, not after the repair was acknowledged).
 */
static u32 xtcp_ssthresh_before(struct xtcp_tcb *tcb, u32 prior_una)
{
	u32 una = tcb->snd_una, ssthresh;

	tcb->snd_una = prior_una;
	ssthresh = xtcp_cc_ssthresh(tcb);
	tcb->snd_una = una;
	return ssthresh;
}

/* RFC 8985 §7.4: the end of a probe's episode */
static void xtcp_tlp_ack(struct xtcp_tcb *tcb, const struct xtcp_sb_rs *rs,
			 u32 prior_una)
{
	if (!tcb->tlp_high_seq)
		return;
	if (tcb->tlp_retrans && rs->dsack && rs->dsack_end == tcb->tlp_high_seq) {
		tcb->tlp_high_seq = 0;	/* the original got there too */
		return;
	}
	if (xtcp_seq_lt(tcb->snd_una, tcb->tlp_high_seq))
		return;
	if (tcb->tlp_retrans && !rs->dsack) {
		/* §7.4.2: the probe repaired a loss: reduce once, as a
		 * recovery would (undone if its D-SACK comes later)
		 */
		xtcp_note(tcb, XTCP_N_LOSS_PROBE_RECOVERY);
		tcb->undo_ok = true;
		tcb->undo_rto = false;
		tcb->undo_retrans = 1;
		tcb->ssthresh = xtcp_ssthresh_before(tcb, prior_una);
		tcb->cwnd = tcb->ssthresh;
	}
	tcb->tlp_high_seq = 0;
}

/*
 * The RTT sample of an ACK, as tcp_ack_update_rtt(): the scoreboard's
 * microsecond sample of a segment sent once (Karn), else, when new data
 * is acknowledged, the timestamp echo (RFC 7323 §4.1: it tells which
 * transmission it answers). Also RACK.min_RTT and the delivery rate.
 */
static void xtcp_ack_rtt(struct xtcp_tcb *tcb, const struct xtcp_sb_rs *rs,
			 const struct xtcp_seg *seg, bool acked)
{
	u64 now = xtcp_now_us(tcb);
	u32 rtt;
	s64 ms;

	if (rs->rtt_xmit_us) {
		rtt = max_t(u64, now - rs->rtt_xmit_us, 1);
		/* RACK.min_RTT, renewed when five minutes old (as Linux) */
		if (!tcb->min_rtt_us || rtt <= tcb->min_rtt_us ||
		    now - tcb->min_rtt_stamp_us > 300ULL * USEC_PER_SEC) {
			tcb->min_rtt_us = rtt;
			tcb->min_rtt_stamp_us = now;
		}
		tcb->delivery_rate = div64_u64((u64)(tcb->delivered +
						     rs->delivered -
						     rs->rtt_delivered) *
					       USEC_PER_SEC, rtt);
	} else {
		ms = acked ? xtcp_ts_rtt_ms(tcb, seg) : -1;
		if (ms < 0)
			return;
		rtt = max_t(u32, min_t(s64, ms, 100000) * USEC_PER_MSEC, 1);
	}
	tcb->fl &= ~XTCP_F_RTT_TIMING;
	xtcp_rtt_sample(tcb, rtt);
}

/* RFC 8985 §6.2 steps 1-4 of one ACK */
static void xtcp_rack_update(struct xtcp_tcb *tcb,
			     const struct xtcp_sb_rs *rs, u64 now)
{
	tcb->delivered += rs->delivered;
	if (rs->rack_xmit_us) {
		tcb->rack_rtt_us = max_t(u64, now - rs->rack_xmit_us, 1);
		if (rs->rack_xmit_us > tcb->rack_xmit_us ||
		    (rs->rack_xmit_us == tcb->rack_xmit_us &&
		     xtcp_seq_gt(rs->rack_end, tcb->rack_end))) {
			tcb->rack_xmit_us = rs->rack_xmit_us;
			tcb->rack_end = rs->rack_end;
		}
	}
	if (rs->reordered) {
		if (!tcb->reord_seen)
			xtcp_note(tcb, XTCP_N_SACK_REORDER);
		tcb->reord_seen = true;
		tcb->reordering = clamp_t(u32, rs->reorder_dist /
					  xtcp_send_mss(tcb) + 1, tcb->reordering,
					  XTCP_MAX_REORDERING);
	}
	if (rs->dsack) {
		/* step 4: a wider reordering window, once per round trip */
		if (!tcb->dsack_seq ||
		    xtcp_seq_geq(tcb->snd_una, tcb->dsack_seq)) {
			if (tcb->reo_wnd_mult < U8_MAX)
				tcb->reo_wnd_mult++;
			tcb->dsack_seq = tcb->snd_max;
			tcb->reo_wnd_persist = 16;
		}
		if (tcb->undo_ok && rs->dsack_retrans && tcb->undo_retrans) {
			tcb->undo_retrans -= min(tcb->undo_retrans,
						 rs->dsack_retrans);
			if (!tcb->undo_retrans)
				xtcp_recov_undo(tcb);
		}
	}
}

/*
 * F-RTO (RFC 5682 §3, SACK-enhanced, the flow of Linux's
 * tcp_process_loss): after an RTO only SND.UNA was resent. When the first
 * ACK after it advances SND.UNA below the RecoveryPoint, send new data
 * rather than the rest of the flight (step 2b); when the next ACK then
 * (S)ACKs data sent before the RTO and never retransmitted, the RTO was
 * spurious (step 3b): undo it and do not resend the flight. A duplicate
 * ACK or SACKs for the new data only prove the loss (steps 2a, 3a).
 */
static void xtcp_frto_ack(struct xtcp_tcb *tcb, const struct xtcp_sb_rs *rs,
			  u32 acked, bool dupack)
{
	if (tcb->ca_state != XTCP_CA_LOSS || tcb->frto == XTCP_FRTO_OFF)
		return;
	if (tcb->frto == XTCP_FRTO_NEW) {
		if (rs->orig && xtcp_seq_leq(rs->orig_end, tcb->recover)) {
			xtcp_note(tcb, XTCP_N_SPURIOUS_RTO);
			xtcp_undo(tcb, XTCP_N_LOSS_UNDO);
		} else if (acked || dupack || rs->newly_sacked) {
			tcb->frto = XTCP_FRTO_OFF;
		}
		return;
	}
	tcb->frto = XTCP_FRTO_OFF;
	if (!acked || rs->newly_sacked || xtcp_seq_geq(tcb->snd_una, tcb->recover))
		return;
	if (xtcp_snd_avail(tcb) &&
	    xtcp_seq_gt(tcb->snd_una + tcb->snd_wnd, tcb->snd_nxt)) {
		tcb->recover = tcb->snd_max;
		tcb->frto = XTCP_FRTO_NEW;
	}
}

/**
 * xtcp_recov_ack() - loss recovery's part of an acceptable ACK
 * @tcb: the TCB, snd_una already advanced to the ACK
 * @rs: what the ACK delivered on the scoreboard
 * @acked: sequence space newly acknowledged
 * @dupack: a duplicate ACK per RFC 5681 §2
 */
static void xtcp_recov_ack(struct xtcp_tcb *tcb, const struct xtcp_sb_rs *rs,
			   u32 acked, bool dupack)
{
	u32 reno_prior = tcb->reno_sacked, delivered, flight;
	u64 now = xtcp_now_us(tcb);
	u32 i;

	for (i = 0; i < rs->blocks; i++)
		xtcp_note(tcb, XTCP_N_SACK_BLOCKS);
	for (i = 0; i < rs->discarded; i++)
		xtcp_note(tcb, XTCP_N_SACK_DISCARD);
	if (rs->dsack)
		xtcp_note(tcb, XTCP_N_DSACK_RECV);
	xtcp_rack_update(tcb, rs, now);
	xtcp_tlp_ack(tcb, rs, tcb->snd_una - acked);
	xtcp_frto_ack(tcb, rs, acked, dupack);

	/* RFC 5681 §3.2 / RFC 3042 without SACK: a dupACK says a segment
	 * left the network; counted as SACKed so pipe lets new data go
	 */
	flight = tcb->snd_max - tcb->snd_una;
	if (!tcb->sack_ok || !tcb->sack_seen) {
		if (acked) {
			tcb->dupacks = 0;
			tcb->reno_sacked -= min(tcb->reno_sacked, acked);
		} else if (dupack) {
			if (tcb->dupacks < U8_MAX)
				tcb->dupacks++;
			tcb->reno_sacked += xtcp_send_mss(tcb);
		}
		tcb->reno_sacked = min(tcb->reno_sacked,
				       flight - min(flight, xtcp_send_mss(tcb)));
	} else {
		tcb->reno_sacked = 0;	/* real SACK information now */
	}
	delivered = rs->delivered;
	if (tcb->reno_sacked > reno_prior)
		delivered += tcb->reno_sacked - reno_prior;

	if (tcb->ca_state != XTCP_CA_OPEN &&
	    xtcp_seq_geq(tcb->snd_una, tcb->recover)) {
		/* RFC 6675 §5 / RFC 6937: the episode is over */
		if (tcb->ca_state == XTCP_CA_RECOVERY)
			tcb->cwnd = max(tcb->ssthresh, xtcp_send_mss(tcb));
		tcb->ca_state = XTCP_CA_OPEN;
		tcb->frto = XTCP_FRTO_OFF;
		tcb->dupacks = 0;
		tcb->reno_sacked = 0;
		if (tcb->reo_wnd_persist && !--tcb->reo_wnd_persist)
			tcb->reo_wnd_mult = 1;
	} else if (tcb->ca_state == XTCP_CA_RECOVERY && tcb->reno_rec &&
		   acked && tcb->sb.n && !tcb->sack_seen) {
		/* RFC 6582 §3.2 step 5: a partial ACK; the next hole now */
		xtcp_sb_mark_lost(&tcb->sb, 0);
	}

	xtcp_detect_loss(tcb);
	if (xtcp_ecn_acked(tcb, delivered) ||
	    tcb->ca_state == XTCP_CA_RECOVERY)
		xtcp_prr(tcb, delivered);
	if (tcb->snd_una == tcb->snd_max)
		xtcp_timer_clear(tcb, XTCP_T_RACK);
	if (acked)
		xtcp_tlp_arm(tcb);
}

/* Send what the windows allow; returns the number of segments emitted. */
static int xtcp_output_segs_f(struct xtcp_tcb *tcb, unsigned int how)
{
	bool force_head = how == XTCP_OUT_FORCE;
	bool probe = how == XTCP_OUT_PROBE;
	bool held = false;
	int sent = 0;

	if (!xtcp_can_send(tcb))
		return 0;
	/* RFC 5681 §4.1: restart after idle */
	if (tcb->snd_max == tcb->snd_una && xtcp_snd_avail(tcb))
		xtcp_cc_tx_start(tcb);

	/* RFC 6675 §5 NextSeg rule 1: what is lost goes first */
	for (;;) {
		int i = xtcp_sb_next_lost(&tcb->sb);

		/* F-RTO step 2b: new data first */
		if (i < 0 || tcb->frto == XTCP_FRTO_NEW)
			break;
		if (!(force_head && !sent) && xtcp_pipe(tcb) >= tcb->cwnd)
			break;
		xtcp_retransmit_rec(tcb, i);
		sent++;
	}

	/* then new data (rule 2); a tail loss probe ignores cwnd */
	for (;;) {
		u32 avail = xtcp_snd_avail(tcb);
		u32 pipe = xtcp_pipe(tcb);
		u32 cwnd_room = tcb->cwnd > pipe ? tcb->cwnd - pipe : 0;
		u32 rwnd_end = tcb->snd_una + tcb->snd_wnd;
		u32 usable, len, seq = tcb->snd_nxt, mss = xtcp_send_mss(tcb);
		bool fin;

		usable = xtcp_seq_gt(rwnd_end, seq) ? rwnd_end - seq : 0;
		if (!probe)
			usable = min(usable, cwnd_room);
		/* the head may be sent beyond the window */
		if (force_head && !sent && tcb->snd_una == tcb->snd_max)
			usable = max_t(u32, usable, mss);
		len = min3(avail, usable, mss);

		if (!avail && !xtcp_fin_pending(tcb))
			break;
		if (avail && !len)
			break;	/* window-limited */
		/* a probe goes as TCP_NAGLE_OFF (tcp_send_loss_probe) */
		if (len && !probe &&
		    xtcp_snd_hold(tcb, len, avail, tcb->snd_max - tcb->snd_una)) {
			held = true;
			break;
		}
		fin = len == avail && xtcp_fin_pending(tcb);
		if (xtcp_sb_add(&tcb->sb, seq, seq + len + fin, fin,
				xtcp_now_us(tcb), tcb->delivered))
			break;	/* no memory: the timers retry */
		xtcp_sent_new(tcb, seq, len);
		tcb->snd_nxt += len + fin;
		if (fin)
			tcb->fl |= XTCP_F_FIN_SENT;
		tcb->snd_max = tcb->snd_nxt;
		tcb->prr_out += len + fin;
		xtcp_xmit(tcb, seq, len, fin, false);
		sent++;
		if (probe)
			break;	/* one segment */
	}

	if (tcb->snd_una != tcb->snd_max) {
		if (!xtcp_timer_armed(tcb, XTCP_T_RTX))
			xtcp_timer_set(tcb, XTCP_T_RTX, tcb->rto_ms);
		xtcp_timer_clear(tcb, XTCP_T_PERSIST);
		if (sent && !probe && !xtcp_timer_armed(tcb, XTCP_T_TLP))
			xtcp_tlp_arm(tcb);
	} else if (!tcb->snd_wnd &&
		   (xtcp_snd_avail(tcb) || xtcp_fin_pending(tcb)) &&
		   !xtcp_timer_armed(tcb, XTCP_T_PERSIST)) {
		xtcp_timer_set(tcb, XTCP_T_PERSIST,
			       xtcp_backoff_ms(tcb, tcb->rto_ms, tcb->probes));
	} else if (held && !xtcp_timer_armed(tcb, XTCP_T_PERSIST)) {
		/* nothing in flight to clock it out: as tcp_check_probe_timer */
		xtcp_timer_set(tcb, XTCP_T_PERSIST,
			       max_t(u32, tcb->rto_ms, XTCP_HOLD_MIN_MS));
	}
	return sent;
}

static int xtcp_output_segs(struct xtcp_tcb *tcb)
{
	return xtcp_output_segs_f(tcb, XTCP_OUT_NORMAL);
}

void xtcp_core_output(struct xtcp_tcb *tcb)
{
	xtcp_output_segs(tcb);
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_core_output);

void xtcp_core_send(struct xtcp_tcb *tcb, unsigned int how)
{
	tcb->send_how = how;
	xtcp_output_segs(tcb);
	tcb->send_how = 0;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_core_send);

void xtcp_core_set_nodelay(struct xtcp_tcb *tcb, bool on)
{
	if (!on) {
		tcb->nonagle &= ~XTCP_NAGLE_OFF;
		return;
	}
	tcb->nonagle |= XTCP_NAGLE_OFF;
	xtcp_core_send(tcb, XTCP_SEND_PUSH);
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_core_set_nodelay);

void xtcp_core_set_cork(struct xtcp_tcb *tcb, bool on)
{
	if (on) {
		tcb->nonagle |= XTCP_NAGLE_CORK;
		return;
	}
	/* as __tcp_sock_set_cork(): with TCP_NODELAY all of it goes */
	tcb->nonagle &= ~XTCP_NAGLE_CORK;
	xtcp_core_send(tcb, tcb->nonagle & XTCP_NAGLE_OFF ? XTCP_SEND_PUSH : 0);
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_core_set_cork);

/* ---- set-up ---- */

/**
 * xtcp_core_init() - a CLOSED TCB
 * @tcb: the TCB
 * @ops: its environment
 * @p: the parameters it starts with (a copy: socket options change it)
 * @cc_priv: XTCP_CC_PRIV_U64 words for the congestion control's own state,
 *	outside the TCB (the module lends the icsk's icsk_ca_priv, which it
 *	has no other use for)
 * @rcv_mss: the MSS to announce
 * @rcv_wscale: the window scale to announce
 */
void xtcp_core_init(struct xtcp_tcb *tcb, const struct xtcp_core_ops *ops,
		    const struct xtcp_params *p, u64 *cc_priv, u16 rcv_mss,
		    u8 rcv_wscale)
{
	tcb->ops = ops;
	tcb->p = *p;
	tcb->cc_priv = cc_priv;
	tcb->state = XTCP_CLOSED;
	tcb->rcv_mss = rcv_mss ? rcv_mss : XTCP_DEFAULT_MSS;
	tcb->rcv_wscale = min_t(u8, rcv_wscale, XTCP_MAX_WSCALE);
	tcb->snd_mss = min_t(u16, XTCP_DEFAULT_MSS, tcb->rcv_mss);
	tcb->cwnd = XTCP_INIT_CWND * tcb->snd_mss;
	tcb->ssthresh = 0x7fffffff;
	tcb->rto_ms = p->rto_init_ms;
	/* sender: the glue applies the socket options after this */
	tcb->nonagle = 0;
	tcb->send_how = 0;
	tcb->quick = 0;
	tcb->pingpong = 0;
	tcb->ack_started = 0;
	tcb->keepalive = 0;
	tcb->rcv_seg_mss = 0;
	tcb->probe_ts = 0;
	tcb->user_timeout = 0;
	tcb->reo_wnd_mult = 1;
	tcb->reordering = 3;	/* RFC 6675 DupThresh, tcp_reordering */
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_core_init);

/* Options of the peer's SYN or SYN-ACK (RFC 9293 §3.7.1, RFC 7323 §2). */
static void xtcp_take_syn_options(struct xtcp_tcb *tcb,
				  const struct xtcp_seg *seg)
{
	u16 mss = seg->mss ? seg->mss : XTCP_DEFAULT_MSS;

	tcb->snd_mss = max_t(u16, min(mss, tcb->rcv_mss), XTCP_MIN_MSS);
	if (seg->wscale >= 0) {
		tcb->wscale_ok = 1;
		tcb->snd_wscale = min_t(u8, seg->wscale, XTCP_MAX_WSCALE);
	} else {
		tcb->wscale_ok = 0;
		tcb->snd_wscale = 0;
		tcb->rcv_wscale = 0;
	}
	tcb->sack_ok = seg->sack_ok && tcb->p.sack;
	xtcp_ts_syn_options(tcb, seg);
	xtcp_ecn_syn_in(tcb, seg);
	/* ten full segments (RFC 6928), options deducted */
	tcb->cwnd = XTCP_INIT_CWND * xtcp_send_mss(tcb);
	/* the window of a SYN is never scaled */
	tcb->snd_wnd = seg->wnd;
	tcb->max_wnd = seg->wnd;
	tcb->snd_wl1 = seg->seq;
	tcb->irs = seg->seq;
	tcb->rcv_nxt = seg->seq + 1;
	tcb->rcv_adv = tcb->rcv_nxt + tcb->rcv_wnd;
}

static void xtcp_set_iss(struct xtcp_tcb *tcb, u32 iss)
{
	tcb->iss = iss;
	tcb->snd_una = iss;
	tcb->snd_nxt = iss + 1;
	tcb->snd_max = iss + 1;
	tcb->snd_end = iss + 1;
	tcb->snd_wl2 = iss;
	tcb->snd_sml = iss;	/* no small segment yet (Minshall) */
	tcb->recover = iss;
	tcb->syn_tries = 0;
	tcb->backoff = 0;
	tcb->rto_ms = tcb->p.rto_init_ms;
	tcb->una_ts = xtcp_now32(tcb);	/* the SYN: RFC 5482 clock */
	xtcp_rtt_start(tcb, iss);
}

int xtcp_core_connect(struct xtcp_tcb *tcb, u32 iss)
{
	if (tcb->state != XTCP_CLOSED)
		return -EISCONN;
	xtcp_set_iss(tcb, iss);
	xtcp_ecn_connect(tcb);
	xtcp_set_state(tcb, XTCP_SYN_SENT);
	xtcp_send_syn(tcb, false, false);
	xtcp_timer_set(tcb, XTCP_T_RTX, tcb->rto_ms);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_core_connect);

int xtcp_core_listen(struct xtcp_tcb *tcb)
{
	if (tcb->state == XTCP_LISTEN)
		return 0;
	if (tcb->state != XTCP_CLOSED)
		return -EINVAL;
	xtcp_set_state(tcb, XTCP_LISTEN);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_core_listen);

enum xtcp_listen_verdict xtcp_core_listen_input(const struct xtcp_seg *seg)
{
	if (seg->flags & XTCP_RST)
		return XTCP_LV_DROP;
	if (seg->flags & XTCP_ACK)
		return XTCP_LV_RESET;
	/* SYN+FIN opens nothing: dropped, as Linux tcp_rcv_state_process() */
	if ((seg->flags & (XTCP_SYN | XTCP_FIN)) == XTCP_SYN)
		return XTCP_LV_SYN;
	return XTCP_LV_DROP;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_core_listen_input);

void xtcp_core_accept_syn(struct xtcp_tcb *child, const struct xtcp_seg *seg,
			  u32 iss)
{
	xtcp_set_iss(child, iss);
	xtcp_ecn_accept(child);
	xtcp_take_syn_options(child, seg);
	child->fl |= XTCP_F_PASSIVE;
	xtcp_set_state(child, XTCP_SYN_RECEIVED);
	xtcp_send_syn(child, true, false);
	xtcp_timer_set(child, XTCP_T_RTX, child->rto_ms);
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_core_accept_syn);

bool xtcp_core_reset_for(const struct xtcp_seg *seg, struct xtcp_out *o)
{
	if (seg->flags & XTCP_RST)
		return false;
	if (seg->flags & XTCP_ACK) {
		xtcp_out_init(o, XTCP_RST, seg->ack);
	} else {
		xtcp_out_init(o, XTCP_RST | XTCP_ACK, 0);
		o->ack = seg->seq + xtcp_seg_seqlen(seg);
	}
	return true;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_core_reset_for);

bool xtcp_core_tw_syn_ok(const struct xtcp_tcb *tcb,
			 const struct xtcp_seg *seg)
{
	bool ts = tcb->ts_ok && seg->ts_ok;

	if (tcb->state != XTCP_TIME_WAIT ||
	    (seg->flags & (XTCP_SYN | XTCP_ACK | XTCP_RST)) != XTCP_SYN)
		return false;
	/* RFC 6191 §2, as Linux: never an old duplicate by PAWS; then a
	 * sequence number beyond rcv_nxt or a TSval beyond TS.Recent
	 */
	if (ts && (s32)(seg->tsval - tcb->ts_recent) < 0)
		return false;
	return xtcp_seq_gt(seg->seq, tcb->rcv_nxt) ||
	       (ts && (s32)(seg->tsval - tcb->ts_recent) > 0);
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_core_tw_syn_ok);

void xtcp_core_tw_save(const struct xtcp_tcb *tcb, struct xtcp_tw_tcb *tw)
{
	*tw = (struct xtcp_tw_tcb){
		.fl = tcb->fl,
		.iss = tcb->iss,
		.snd_una = tcb->snd_una,
		.snd_nxt = tcb->snd_nxt,
		.snd_max = tcb->snd_max,
		.snd_end = tcb->snd_end,
		.snd_wnd = tcb->snd_wnd,
		.snd_wl1 = tcb->snd_wl1,
		.snd_wl2 = tcb->snd_wl2,
		.max_wnd = tcb->max_wnd,
		.irs = tcb->irs,
		.rcv_nxt = tcb->rcv_nxt,
		.rcv_wnd = tcb->rcv_wnd,
		.rcv_adv = tcb->rcv_adv,
		.rcv_wup = tcb->rcv_wup,
		.ts_off = tcb->ts_off,
		.ts_recent = tcb->ts_recent,
		.last_ack_sent = tcb->last_ack_sent,
		.ts_recent_stamp = (u32)tcb->ts_recent_stamp,
		.last_oow_ack = (u32)tcb->last_oow_ack,
		.msl_ms = tcb->p.msl_ms,
		.invalid_ratelimit = tcb->p.invalid_ratelimit,
		.snd_mss = tcb->snd_mss,
		.rcv_mss = tcb->rcv_mss,
		.timers = tcb->timers,
		.state = tcb->state,
		.snd_wscale = tcb->snd_wscale,
		.rcv_wscale = tcb->rcv_wscale,
		.wscale_ok = tcb->wscale_ok,
		.sack_ok = tcb->sack_ok,
		.ts_ok = tcb->ts_ok,
		.p_sack = tcb->p.sack,
		.p_timestamps = tcb->p.timestamps,
	};
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_core_tw_save);

void xtcp_core_tw_load(struct xtcp_tcb *tcb, const struct xtcp_tw_tcb *tw,
		       const struct xtcp_core_ops *ops, u64 now)
{
	memset(tcb, 0, sizeof(*tcb));
	tcb->ops = ops;
	tcb->p.msl_ms = tw->msl_ms;
	tcb->p.sack = tw->p_sack;
	tcb->p.timestamps = tw->p_timestamps;
	/* nothing is retransmitted from TIME-WAIT; sane bounds anyway */
	tcb->p.rto_init_ms = 1000;
	tcb->p.rto_min_ms = 200;
	tcb->p.rto_max_ms = 120000;
	tcb->rto_ms = 1000;
	tcb->fl = tw->fl;
	tcb->iss = tw->iss;
	tcb->snd_una = tw->snd_una;
	tcb->snd_nxt = tw->snd_nxt;
	tcb->snd_max = tw->snd_max;
	tcb->snd_end = tw->snd_end;
	tcb->snd_wnd = tw->snd_wnd;
	tcb->snd_wl1 = tw->snd_wl1;
	tcb->snd_wl2 = tw->snd_wl2;
	tcb->max_wnd = tw->max_wnd;
	tcb->irs = tw->irs;
	tcb->rcv_nxt = tw->rcv_nxt;
	tcb->rcv_wnd = tw->rcv_wnd;
	tcb->rcv_adv = tw->rcv_adv;
	tcb->rcv_wup = tw->rcv_wup;
	tcb->ts_off = tw->ts_off;
	tcb->ts_recent = tw->ts_recent;
	tcb->last_ack_sent = tw->last_ack_sent;
	/* the stamp's age fits 32 bits of milliseconds (49 days) */
	tcb->ts_recent_stamp = now - (u32)((u32)now - tw->ts_recent_stamp);
	tcb->last_oow_ack = now - (u32)((u32)now - tw->last_oow_ack);
	tcb->p.invalid_ratelimit = tw->invalid_ratelimit;
	tcb->snd_mss = tw->snd_mss;
	tcb->rcv_mss = tw->rcv_mss;
	tcb->timers = tw->timers;
	tcb->state = tw->state;
	tcb->snd_wscale = tw->snd_wscale;
	tcb->rcv_wscale = tw->rcv_wscale;
	tcb->wscale_ok = tw->wscale_ok;
	tcb->sack_ok = tw->sack_ok;
	tcb->ts_ok = tw->ts_ok;
	tcb->cwnd = tw->snd_mss;
	tcb->ssthresh = 0x7fffffff;
	tcb->reo_wnd_mult = 1;
	tcb->reordering = 3;
	tcb->recover = tw->snd_una;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_core_tw_load);

/* ---- segment arrives ---- */

bool xtcp_seg_acceptable(const struct xtcp_tcb *tcb,
			 const struct xtcp_seg *seg)
{
	u32 len = xtcp_seg_seqlen(seg);
	u32 lo = tcb->rcv_nxt, hi = tcb->rcv_nxt + tcb->rcv_wnd;

	if (!tcb->rcv_wnd)
		return !len && seg->seq == lo;
	if (!len)
		return xtcp_seq_in(seg->seq, lo, hi);
	return xtcp_seq_in(seg->seq, lo, hi) ||
	       xtcp_seq_in(seg->seq + len - 1, lo, hi);
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_seg_acceptable);

/* Per-call scratch for one segment's processing. */
struct xtcp_rx {
	bool ack_now;		/* send an ACK at once */
	bool ack_later;		/* delayed ACK */
	bool ack_dup;		/* a duplicate ACK is due: a bare one even if
				 * data goes out (RFC 5681 §4.2)
				 */
};

/* Our SYN is acknowledged (SYN-SENT or SYN-RECEIVED): the first RTT
 * sample unless the SYN was retransmitted (RFC 6298 §3, Karn), the
 * backoff reset and the SYN's retransmission timer stopped.
 */
static void xtcp_syn_acked(struct xtcp_tcb *tcb, u32 ack)
{
	tcb->snd_una = ack;
	if (!tcb->syn_tries)
		xtcp_rtt_check(tcb, ack);
	tcb->fl &= ~XTCP_F_RTT_TIMING;
	tcb->backoff = 0;
	tcb->syn_tries = 0;
	xtcp_rto_update(tcb);
	xtcp_timer_clear(tcb, XTCP_T_RTX);
}

/* §3.10.7.3: SYN-SENT. */
static void xtcp_input_syn_sent(struct xtcp_tcb *tcb,
				const struct xtcp_seg *seg, struct xtcp_rx *rx)
{
	bool has_ack = seg->flags & XTCP_ACK;

	if (has_ack && !xtcp_seq_in_incl(seg->ack, tcb->iss + 1, tcb->snd_nxt)) {
		if (!(seg->flags & XTCP_RST))
			xtcp_send_rst(tcb, seg->ack);
		return;
	}
	if (seg->flags & XTCP_RST) {
		if (has_ack) {
			xtcp_error(tcb, -ECONNREFUSED);
			xtcp_set_state(tcb, XTCP_CLOSED);
		}
		return;
	}
	if (!(seg->flags & XTCP_SYN))
		return;

	xtcp_take_syn_options(tcb, seg);
	if (!has_ack) {
		/* simultaneous open; our SYN is resent with the ACK */
		tcb->fl &= ~XTCP_F_RTT_TIMING;
		xtcp_set_state(tcb, XTCP_SYN_RECEIVED);
		xtcp_send_syn(tcb, true, true);
		return;
	}
	tcb->snd_wl2 = seg->ack;
	xtcp_syn_acked(tcb, seg->ack);
	xtcp_set_state(tcb, XTCP_ESTABLISHED);
	xtcp_event(tcb);
	rx->ack_now = true;	/* may ride on data, or on the ACK of data */
}

/**
 * xtcp_oow_ack() - ACK a segment that failed the sequence or PAWS test,
 *	or send a challenge ACK (RFC 5961 §§3-5), at most one per
 *	p.invalid_ratelimit ms when @seg has no data or is a SYN
 * @tcb: the connection
 * @seg: the segment answered
 * @skipped: what to count when the ACK is not sent
 *
 * As Linux's tcp_oow_rate_limited() (RFC 5961 §7): two ends that disagree
 * on the window, or a forger, must not make it send an ACK per segment;
 * a data segment is answered every time (its sender needs the ACK, and a
 * loop of data is unlikely).
 */
static void xtcp_oow_ack(struct xtcp_tcb *tcb, const struct xtcp_seg *seg,
			 enum xtcp_note skipped)
{
	u64 now;

	if (!seg->len || (seg->flags & XTCP_SYN)) {
		now = tcb->ops->now(tcb);
		if ((tcb->fl & XTCP_F_OOW_ACKED) &&
		    now - tcb->last_oow_ack < tcb->p.invalid_ratelimit) {
			xtcp_note(tcb, tcb->state == XTCP_TIME_WAIT ?
				  XTCP_N_ACK_SKIP_TW : skipped);
			return;
		}
		tcb->fl |= XTCP_F_OOW_ACKED;
		tcb->last_oow_ack = now;
	}
	xtcp_send_ack(tcb);
}

/* §3.10.7.4 second check: a RST in a synchronized state. */
static void xtcp_input_rst(struct xtcp_tcb *tcb, const struct xtcp_seg *seg)
{
	if (tcb->state == XTCP_TIME_WAIT)
		return;		/* RFC 1337 */
	if (seg->seq != tcb->rcv_nxt) {
		/* RFC 5961 §3.2: in window but not exact */
		xtcp_oow_ack(tcb, seg, XTCP_N_ACK_SKIP_CHALLENGE);
		return;
	}
	switch (tcb->state) {
	case XTCP_SYN_RECEIVED:
		if (!(tcb->fl & XTCP_F_PASSIVE))
			xtcp_error(tcb, -ECONNREFUSED);
		break;
	case XTCP_ESTABLISHED:
	case XTCP_FIN_WAIT_1:
	case XTCP_FIN_WAIT_2:
	case XTCP_CLOSE_WAIT:
		xtcp_error(tcb, -ECONNRESET);
		break;
	default:
		break;
	}
	xtcp_set_state(tcb, XTCP_CLOSED);
}

/* SYN-RECEIVED -> ESTABLISHED: our SYN is acknowledged. */
static void xtcp_syn_rcvd_established(struct xtcp_tcb *tcb,
				      const struct xtcp_seg *seg)
{
	xtcp_syn_acked(tcb, tcb->iss + 1);
	tcb->snd_wnd = (u32)seg->wnd << tcb->snd_wscale;
	tcb->max_wnd = max(tcb->max_wnd, tcb->snd_wnd);
	tcb->snd_wl1 = seg->seq;
	tcb->snd_wl2 = seg->ack;
	xtcp_set_state(tcb, XTCP_ESTABLISHED);
	xtcp_event(tcb);
	if (tcb->fl & XTCP_F_FIN_QUEUED)
		xtcp_set_state(tcb, XTCP_FIN_WAIT_1);
}

/* §3.10.7.4 fifth check; returns false when the segment is done with. */
static bool xtcp_input_ack(struct xtcp_tcb *tcb, const struct xtcp_seg *seg)
{
	struct xtcp_sb_rs rs = {};
	u32 ack = seg->ack, prior_una, acked_seq, rack_min;
	bool dupack;

	if (tcb->state == XTCP_SYN_RECEIVED) {
		if (!xtcp_seq_in_incl(ack, tcb->snd_una + 1, tcb->snd_nxt)) {
			xtcp_send_rst(tcb, ack);
			return false;
		}
		xtcp_syn_rcvd_established(tcb, seg);
	}

	/* RFC 5961 §5.2 */
	if (xtcp_seq_gt(ack, tcb->snd_max)) {
		xtcp_send_ack(tcb);
		return false;
	}
	if (xtcp_seq_lt(ack, tcb->snd_una - tcb->max_wnd))
		return false;
	tcb->probes_out = 0;	/* the peer is alive (tcp_ack) */
	tcb->rcv_tstamp = xtcp_now32(tcb);

	/* RFC 5681 §2 DUPLICATE ACKNOWLEDGMENT (before the window update) */
	prior_una = tcb->snd_una;
	dupack = ack == prior_una && prior_una != tcb->snd_max && !seg->len &&
		 !(seg->flags & (XTCP_SYN | XTCP_FIN)) &&
		 ((u32)seg->wnd << tcb->snd_wscale) == tcb->snd_wnd;
	/* RFC 8985 §6.2 step 2: a retransmitted segment gives no RACK
	 * sample when the ACK may be for the original: sooner than min_RTT
	 * after the retransmission, or echoing an older TSval
	 */
	rack_min = xtcp_ack_for_original(tcb, seg) ? U32_MAX :
						     tcb->min_rtt_us;
	if (xtcp_seq_gt(ack, tcb->snd_una))
		xtcp_sb_ack(&tcb->sb, ack, xtcp_now_us(tcb), rack_min, &rs);
	if (seg->nsack)
		tcb->sack_seen = true;
	if (tcb->sack_ok && seg->sack && seg->nsack)
		xtcp_sb_sack(&tcb->sb, ack, tcb->snd_max, seg->sack, seg->nsack,
			     xtcp_send_mss(tcb), xtcp_now_us(tcb), rack_min,
			     &rs);
	xtcp_ack_rtt(tcb, &rs, seg, xtcp_seq_gt(ack, tcb->snd_una));
	xtcp_ecn_ack(tcb, seg);

	if (xtcp_seq_gt(ack, tcb->snd_una)) {
		u32 acked = ack - tcb->snd_una;
		bool fin = (tcb->fl & XTCP_F_FIN_QUEUED) &&
			   ack == tcb->snd_end + 1;

		if (fin)
			acked--;
		tcb->bytes_acked += acked;
		tcb->snd_una = ack;
		tcb->una_ts = tcb->rcv_tstamp;	/* progress: RFC 5482 */
		if (xtcp_seq_gt(ack, tcb->snd_nxt)) {
			tcb->snd_nxt = ack;
			if (fin)
				tcb->fl |= XTCP_F_FIN_SENT;
		}
		tcb->backoff = 0;
		tcb->probes = 0;
		xtcp_rto_update(tcb);
		/* outside fast recovery and ECN's CWR (PRR sets cwnd there) */
		if (tcb->ca_state != XTCP_CA_RECOVERY &&
		    !(tcb->ecn & XTCP_ECN_CWR))
			xtcp_cc_on_ack(tcb, acked, tcb->cc_rtt_us);
		tcb->cc_rtt_us = 0;
		if (tcb->snd_una != tcb->snd_max)
			xtcp_timer_set(tcb, XTCP_T_RTX, tcb->rto_ms);
		else
			xtcp_timer_clear(tcb, XTCP_T_RTX);
		xtcp_event(tcb);
	}
	acked_seq = tcb->snd_una - prior_una;
	if (acked_seq)
		xtcp_loss_undo_ts(tcb, seg);
	if (acked_seq || rs.delivered || rs.dsack || dupack || rs.discarded)
		xtcp_recov_ack(tcb, &rs, acked_seq, dupack);
	/* the peer acknowledges up to a record it SACKed: it dropped it
	 * (RFC 2018 §8). The RTO forgets the SACKs and resends; it comes
	 * soon, as tcp_check_sack_reneging()
	 */
	if ((acked_seq || dupack) && xtcp_sb_reneged(&tcb->sb))
		xtcp_timer_set(tcb, XTCP_T_RTX,
			       max_t(u32, (tcb->srtt_us >> 4) / USEC_PER_MSEC,
				     XTCP_RENEGE_MIN_MS));

	/* window update */
	if (xtcp_seq_geq(ack, tcb->snd_una) &&
	    (xtcp_seq_lt(tcb->snd_wl1, seg->seq) ||
	     (tcb->snd_wl1 == seg->seq && xtcp_seq_leq(tcb->snd_wl2, ack)))) {
		u32 old = tcb->snd_wnd;

		tcb->snd_wnd = (u32)seg->wnd << tcb->snd_wscale;
		tcb->snd_wl1 = seg->seq;
		tcb->snd_wl2 = ack;
		tcb->max_wnd = max(tcb->max_wnd, tcb->snd_wnd);
		if (!old && tcb->snd_wnd) {
			tcb->probes = 0;
			tcb->probe_ts = 0;
			xtcp_timer_clear(tcb, XTCP_T_PERSIST);
		}
	}

	switch (tcb->state) {
	case XTCP_FIN_WAIT_1:
		if (xtcp_fin_acked(tcb))
			xtcp_enter_fin_wait_2(tcb);
		break;
	case XTCP_CLOSING:
		if (xtcp_fin_acked(tcb))
			xtcp_enter_time_wait(tcb);
		return false;
	case XTCP_LAST_ACK:
		if (xtcp_fin_acked(tcb))
			xtcp_set_state(tcb, XTCP_CLOSED);
		return false;
	default:
		break;
	}
	return true;
}

/* as Linux's tcp_incr_quickack(): about a window's worth of quick ACKs */
static void xtcp_incr_quickack(struct xtcp_tcb *tcb)
{
	u32 mss = tcb->rcv_seg_mss ? : max_t(u32, tcb->rcv_mss, XTCP_MIN_MSS);
	u32 q = tcb->rcv_wnd / (2 * mss);

	q = clamp_t(u32, q, 2, XTCP_MAX_QUICKACKS);
	if (q > tcb->quick)
		tcb->quick = q;
}

/*
 * @len in-order bytes were accepted: ACK now or later? RFC 9293 §3.8.6.3
 * and RFC 5681 §4.2 as Linux's __tcp_ack_snd_check(): at once when more
 * than one full-sized segment is unacknowledged (every second segment) or
 * in quick-ACK mode, else within delack_ms. Quick-ACK mode starts with
 * the first data and after an idle gap longer than the RTO
 * (tcp_event_data_recv); TCP_QUICKACK 0 (pingpong) turns it off.
 */
static void xtcp_rcv_ack_policy(struct xtcp_tcb *tcb, u32 len,
				struct xtcp_rx *rx)
{
	u32 now = xtcp_now32(tcb);

	/* the peer's segment size, as tcp_measure_rcv_mss() */
	if (!tcb->rcv_seg_mss)
		tcb->rcv_seg_mss = clamp_t(u32, tcb->rcv_mss, XTCP_MIN_MSS,
					   XTCP_DEFAULT_MSS);
	if (len >= tcb->rcv_seg_mss)
		tcb->rcv_seg_mss = min_t(u32, len, tcb->rcv_mss);
	if (!tcb->ack_started) {
		tcb->ack_started = 1;
		xtcp_incr_quickack(tcb);
	} else if (now - tcb->lrcv_ts > tcb->rto_ms) {
		xtcp_incr_quickack(tcb);
	}
	tcb->lrcv_ts = now;
	if (tcb->delack_pending < U8_MAX)
		tcb->delack_pending++;
	if (!tcb->p.delack_ms ||
	    tcb->rcv_nxt - tcb->rcv_wup > tcb->rcv_seg_mss ||
	    (tcb->quick && !tcb->pingpong))
		rx->ack_now = true;
	else
		rx->ack_later = true;
}

/* ---- out-of-order data (RFC 5681 §4.2, RFC 2018, RFC 2883) ---- */

/* report [@start, @end) as duplicate data (RFC 2883 §4), when SACK is on */
static void xtcp_dsack(struct xtcp_tcb *tcb, u32 start, u32 end,
		       enum xtcp_note n)
{
	if (!tcb->sack_ok || !xtcp_seq_lt(start, end))
		return;
	xtcp_ofo_set_dsack(&tcb->ofo, start, end);
	xtcp_note(tcb, n);
}

/*
 * Bytes from @off of @seg (payload at @seq) start above RCV.NXT: hold what
 * is new and inside the window, and a FIN that ends them; report what is
 * held already with a D-SACK block; ACK at once (RFC 5681 §4.2).
 */
static void xtcp_rcv_ofo(struct xtcp_tcb *tcb, const struct xtcp_seg *seg,
			 u32 seq, u32 off, struct xtcp_rx *rx)
{
	struct xtcp_ofo *o = &tcb->ofo;
	u32 start = seq + off, end = seq + seg->len;
	u32 wend = tcb->rcv_nxt + tcb->rcv_wnd;
	bool fin = seg->flags & XTCP_FIN;
	struct xtcp_ofo_range dup;
	u32 rend;
	int merged;

	rx->ack_now = true;
	rx->ack_dup = true;
	xtcp_incr_quickack(tcb);
	if (o->fin && !xtcp_seq_lt(end, o->fin_seq)) {
		end = o->fin_seq;	/* nothing comes after the FIN */
		fin = true;
	}
	if (xtcp_seq_gt(end + fin, wend)) {
		xtcp_note(tcb, tcb->rcv_wnd ? XTCP_N_OOW_DROP :
					      XTCP_N_ZWIN_DROP);
		end = xtcp_seq_lt(wend, start) ? start : wend;
		fin = false;
	}
	rend = end + fin;	/* a FIN counts as the byte after the data */
	if (!xtcp_seq_lt(start, rend))
		return;
	if (start != end && (tcb->fl & XTCP_F_ORPHAN) &&
	    tcb->state != XTCP_ESTABLISHED) {
		/* nobody will read it: as in the in-order case */
		xtcp_send_rst(tcb, tcb->snd_nxt);
		xtcp_set_state(tcb, XTCP_CLOSED);
		return;
	}
	if (!xtcp_ofo_new_bytes(o, start, rend)) {
		xtcp_dsack(tcb, start, rend, XTCP_N_DSACK_OFO);
		xtcp_ofo_touch(o, start);
		return;
	}
	if (xtcp_ofo_dup(o, start, rend, &dup))
		xtcp_dsack(tcb, dup.start, dup.end, XTCP_N_DSACK_OFO);
	if (xtcp_ofo_reserve(o) || !xtcp_ofo_can_add(o, start, rend) ||
	    (start != end && !(tcb->fl & XTCP_F_SHUT_RD) &&
	     (!tcb->ops->ofo_hold ||
	      !tcb->ops->ofo_hold(tcb, off, end - start, start)))) {
		xtcp_note(tcb, XTCP_N_OFO_DROP);
		return;
	}
	if (fin) {
		o->fin = 1;
		o->fin_seq = end;
	}
	/* after ofo_hold: a prune may have cut the ranges above @start */
	merged = xtcp_ofo_add(o, start, rend);
	xtcp_rcv_grow(tcb, end - start);
	xtcp_note(tcb, XTCP_N_OFO_QUEUE);
	if (merged > 0)
		xtcp_note(tcb, XTCP_N_OFO_MERGE);
}

/*
 * In-order data arrived: held data that it reaches is in order now
 * (RFC 5681 §4.2: ACK at once while a gap is (partly) filled), and the
 * quick ACKs after out-of-order data.
 */
static void xtcp_ofo_fill(struct xtcp_tcb *tcb, struct xtcp_rx *rx)
{
	struct xtcp_ofo *o = &tcb->ofo;
	u32 from = tcb->rcv_nxt, to;
	u8 n = o->n;

	if (!n)
		return;
	rx->ack_now = true;
	to = xtcp_ofo_take(o, from);
	if (o->n == n)
		return;
	if (!(tcb->fl & XTCP_F_SHUT_RD) && tcb->ops->ofo_pull)
		tcb->ops->ofo_pull(tcb, from, to);
	if (to == from)
		return;
	xtcp_rcv_advance(tcb, to - from);
	tcb->bytes_received += to - from;
	xtcp_event(tcb);
}

/* §3.10.7.4 seventh and eighth checks: data and FIN. */
static void xtcp_input_data(struct xtcp_tcb *tcb, const struct xtcp_seg *seg,
			    struct xtcp_rx *rx)
{
	u32 seq = seg->seq + !!(seg->flags & XTCP_SYN);
	u32 off = 0, len = seg->len;

	if (!xtcp_can_rcv(tcb))
		return;

	if (len) {
		if (xtcp_seq_lt(seq, tcb->rcv_nxt)) {
			off = min(tcb->rcv_nxt - seq, len);
			rx->ack_now = true;	/* duplicate bytes */
			xtcp_dsack(tcb, seq, seq + off, XTCP_N_DSACK_OLD);
		}
		if (off < len && seq + off != tcb->rcv_nxt) {
			xtcp_rcv_ofo(tcb, seg, seq, off, rx);
			return;
		}
		len -= off;
		if (len > tcb->rcv_wnd) {
			/* beyond the window: trimmed, counted */
			xtcp_note(tcb, tcb->rcv_wnd ? XTCP_N_OOW_DROP :
						      XTCP_N_ZWIN_DROP);
			len = tcb->rcv_wnd;
			rx->ack_now = true;
		}
		if (len && (tcb->fl & XTCP_F_ORPHAN) &&
		    tcb->state != XTCP_ESTABLISHED) {
			/* nobody will read it: as Linux tcp_rcv_state_process */
			xtcp_send_rst(tcb, tcb->snd_nxt);
			xtcp_set_state(tcb, XTCP_CLOSED);
			return;
		}
		if (len && !(tcb->fl & XTCP_F_SHUT_RD) &&
		    !tcb->ops->rcv_data(tcb, off, len)) {
			/* no memory: not acknowledged, the peer resends
			 * (Linux's TCPRcvQDrop); a FIN with it waits too
			 */
			rx->ack_now = true;
			xtcp_event(tcb);
			return;
		}
		if (len) {
			xtcp_ts_rcv_rtt(tcb, seg);
			xtcp_rcv_grow(tcb, len);
			xtcp_rcv_advance(tcb, len);
			xtcp_rcv_rtt_measure(tcb);
			tcb->bytes_received += len;
			xtcp_rcv_ack_policy(tcb, len, rx);
			xtcp_event(tcb);
		}
		xtcp_ofo_fill(tcb, rx);
	}

	if (!(seg->flags & XTCP_FIN) || seq + seg->len != tcb->rcv_nxt) {
		if (tcb->ofo.fin && tcb->ofo.fin_seq == tcb->rcv_nxt)
			goto fin;	/* the FIN held out of order */
		if ((seg->flags & XTCP_FIN) && !seg->len &&
		    xtcp_seq_gt(seq, tcb->rcv_nxt))
			xtcp_rcv_ofo(tcb, seg, seq, 0, rx);
		return;
	}
fin:
	tcb->ofo.n = 0;
	tcb->ofo.fin = 0;
	xtcp_rcv_advance(tcb, 1);
	tcb->fl |= XTCP_F_FIN_RCVD;
	switch (tcb->state) {
	case XTCP_ESTABLISHED:
		xtcp_set_state(tcb, XTCP_CLOSE_WAIT);
		/* as tcp_fin(): the ACK waits (pingpong), so that a close()
		 * soon after sends one FIN-ACK rather than an ACK and a FIN;
		 * more than a segment unacknowledged still goes at once
		 */
		tcb->pingpong = 1;
		if (tcb->p.delack_ms && !rx->ack_now)
			rx->ack_later = true;
		else
			rx->ack_now = true;
		break;
	case XTCP_FIN_WAIT_1:
		rx->ack_now = true;
		if (xtcp_fin_acked(tcb))
			xtcp_enter_time_wait(tcb);
		else
			xtcp_set_state(tcb, XTCP_CLOSING);
		break;
	case XTCP_FIN_WAIT_2:
		rx->ack_now = true;
		xtcp_enter_time_wait(tcb);
		break;
	default:
		rx->ack_now = true;
		break;
	}
	xtcp_event(tcb);
}

/* SYN-RECEIVED special cases (as Linux tcp_check_req / validate_incoming). */
static bool xtcp_input_syn_rcvd_syn(struct xtcp_tcb *tcb,
				    const struct xtcp_seg *seg)
{
	if (!(seg->flags & XTCP_SYN) || (seg->flags & XTCP_RST) ||
	    seg->seq != tcb->irs || seg->len || (seg->flags & XTCP_FIN))
		return false;
	if (!(seg->flags & XTCP_ACK)) {
		/* the peer retransmitted its SYN: resend our SYN-ACK */
		xtcp_send_syn(tcb, true, true);
		return true;
	}
	if (!(tcb->fl & XTCP_F_PASSIVE) && seg->ack == tcb->snd_nxt) {
		/* simultaneous open: the peer's SYN-ACK acks our SYN */
		xtcp_syn_rcvd_established(tcb, seg);
		xtcp_output_segs(tcb);
		return true;
	}
	return false;
}

static void xtcp_input_time_wait_fin(struct xtcp_tcb *tcb)
{
	xtcp_send_ack(tcb);
	xtcp_timer_set(tcb, XTCP_T_TIMEWAIT, 2 * tcb->p.msl_ms);
}

/*
 * PAWS dropped @seg: ACK (§5.3 R1). Data of it below RCV.NXT is a copy
 * of bytes we hold, typically a retransmission that its reordered
 * original overtook: reported as duplicate (RFC 2883 §4), as Linux's
 * tcp_send_dupack(), so that the sender learns the retransmission was
 * spurious (undo, a wider RACK reordering window: RFC 8985 §6.2).
 */
static void xtcp_paws_dupack(struct xtcp_tcb *tcb, const struct xtcp_seg *seg)
{
	u32 end = seg->seq + seg->len;

	if (seg->flags & XTCP_SYN) {
		xtcp_oow_ack(tcb, seg, XTCP_N_ACK_SKIP_CHALLENGE);
		return;
	}
	if (seg->len && xtcp_seq_lt(seg->seq, tcb->rcv_nxt)) {
		xtcp_incr_quickack(tcb);
		xtcp_dsack(tcb, seg->seq,
			   xtcp_seq_lt(tcb->rcv_nxt, end) ? tcb->rcv_nxt : end,
			   XTCP_N_DSACK_OLD);
	}
	xtcp_oow_ack(tcb, seg, XTCP_N_ACK_SKIP_PAWS);
}

static void xtcp_input_seg(struct xtcp_tcb *tcb, const struct xtcp_seg *seg)
{
	struct xtcp_rx rx = {};
	u32 rcv_nxt;
	bool ok;

	switch (tcb->state) {
	case XTCP_CLOSED:
	case XTCP_LISTEN:
		return;
	case XTCP_SYN_SENT:
		xtcp_input_syn_sent(tcb, seg, &rx);
		if (tcb->state != XTCP_ESTABLISHED)
			return;
		/* data or FIN that came with the SYN-ACK */
		xtcp_input_data(tcb, seg, &rx);
		goto out;
	case XTCP_SYN_RECEIVED:
		if (xtcp_input_syn_rcvd_syn(tcb, seg))
			return;
		break;
	default:
		break;
	}

	/* RFC 7323 §5.3 R1: PAWS, before the sequence number check */
	if (xtcp_ts_paws_reject(tcb, seg)) {
		xtcp_note(tcb, XTCP_N_PAWS_DROP);
		xtcp_paws_dupack(tcb, seg);
		return;
	}

	switch (tcb->state) {
	case XTCP_TIME_WAIT:
		/* a retransmitted FIN: re-ACK and restart 2*MSL */
		if ((seg->flags & (XTCP_FIN | XTCP_RST | XTCP_SYN)) == XTCP_FIN &&
		    seg->seq + xtcp_seg_seqlen(seg) == tcb->rcv_nxt) {
			xtcp_input_time_wait_fin(tcb);
			return;
		}
		break;
	default:
		break;
	}

	/* first: sequence number (RFC 9293 §3.10.7.4) */
	ok = xtcp_seg_acceptable(tcb, seg);
	/* zero window: still take ACK, RST and FIN at RCV.NXT; data is trimmed */
	if (!ok && !tcb->rcv_wnd && seg->seq == tcb->rcv_nxt)
		ok = true;
	if (!ok) {
		if (seg->len)
			xtcp_note(tcb, tcb->rcv_wnd ? XTCP_N_OOW_DROP :
						      XTCP_N_ZWIN_DROP);
		/* an old duplicate (RFC 2883 §4) */
		if (seg->len && !(seg->flags & XTCP_SYN) &&
		    xtcp_seq_leq(seg->seq + seg->len, tcb->rcv_nxt))
			xtcp_dsack(tcb, seg->seq, seg->seq + seg->len,
				   XTCP_N_DSACK_OLD);
		if (!(seg->flags & XTCP_RST))
			xtcp_oow_ack(tcb, seg, seg->flags & XTCP_SYN ?
					       XTCP_N_ACK_SKIP_CHALLENGE :
					       XTCP_N_ACK_SKIP_SEQ);
		return;
	}

	/* second: RST */
	if (seg->flags & XTCP_RST) {
		xtcp_input_rst(tcb, seg);
		return;
	}

	/* fourth: SYN (RFC 5961 §4): challenge ACK */
	if (seg->flags & XTCP_SYN) {
		xtcp_oow_ack(tcb, seg, XTCP_N_ACK_SKIP_CHALLENGE);
		return;
	}

	/* RFC 7323 §4.3 (2) */
	xtcp_ts_update_recent(tcb, seg);

	/* fifth: ACK */
	if (!(seg->flags & XTCP_ACK))
		return;
	if (tcb->state == XTCP_TIME_WAIT)
		return;
	if (!xtcp_input_ack(tcb, seg))
		goto out;

	/* sixth: URG (RFC 6093); seventh and eighth: data and FIN */
	rcv_nxt = tcb->rcv_nxt;
	if (seg->flags & XTCP_URG)
		xtcp_urg_check(&tcb->urg, seg->seq, seg->urg_ptr, rcv_nxt);
	if (xtcp_ecn_rcv(tcb, seg))
		rx.ack_now = true;
	xtcp_input_data(tcb, seg, &rx);
	xtcp_urg_arrived(&tcb->urg, rcv_nxt, tcb->rcv_nxt -
			 !!(tcb->fl & XTCP_F_FIN_RCVD));

out:
	if (tcb->state == XTCP_CLOSED)
		return;
	if (xtcp_output_segs(tcb) && !rx.ack_dup && !tcb->ofo.dsack)
		return;		/* the data carried the ACK */
	if (rx.ack_now)
		xtcp_send_ack(tcb);
	else if (rx.ack_later && !xtcp_timer_armed(tcb, XTCP_T_DELACK))
		xtcp_timer_set(tcb, XTCP_T_DELACK, tcb->p.delack_ms);
}

/*
 * One segment in. The clock is read once for all the segment does (its
 * RTT and RACK samples, the scoreboard's stamps, what it sends), as
 * Linux's tcp_mstamp_refresh(): a clock read is not free (an HPET read is
 * a device access, and contended between CPUs).
 */
void xtcp_core_input(struct xtcp_tcb *tcb, const struct xtcp_seg *seg)
{
	tcb->now_us = xtcp_now_us(tcb);
	tcb->now_valid = 1;
	xtcp_input_seg(tcb, seg);
	tcb->now_valid = 0;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_core_input);

/* ---- user calls ---- */

void xtcp_core_recvd(struct xtcp_tcb *tcb)
{
	u32 old, wnd;

	if (!xtcp_can_rcv(tcb))
		return;
	old = xtcp_rcv_wnd_left(tcb);
	wnd = xtcp_wnd_offer(tcb);
	/* as tcp_cleanup_rbuf(): an update of its own only when the read at
	 * least doubles what the peer has left; with half of it still open
	 * the next ACK carries the window (over loopback, an MSS of 64 KB and
	 * a window of about one MSS made every read of a request/response
	 * exchange a pure ACK)
	 */
	if (!wnd || wnd < 2 * old)
		return;
	/* receiver SWS avoidance (RFC 9293 §3.8.6.2.2) */
	if (wnd - old >= 2U * tcb->rcv_mss ||
	    (old < tcb->rcv_mss && wnd >= tcb->rcv_mss))
		xtcp_send_ack(tcb);
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_core_recvd);

int xtcp_core_close(struct xtcp_tcb *tcb)
{
	switch (tcb->state) {
	case XTCP_CLOSED:
		return -ENOTCONN;
	case XTCP_LISTEN:
	case XTCP_SYN_SENT:
		xtcp_set_state(tcb, XTCP_CLOSED);
		return 0;
	case XTCP_SYN_RECEIVED:
		/* §3.10.4: the FIN goes once ESTABLISHED is reached */
		tcb->fl |= XTCP_F_FIN_QUEUED;
		return 0;
	case XTCP_ESTABLISHED:
		tcb->fl |= XTCP_F_FIN_QUEUED;
		xtcp_set_state(tcb, XTCP_FIN_WAIT_1);
		xtcp_output_segs(tcb);
		return 0;
	case XTCP_CLOSE_WAIT:
		tcb->fl |= XTCP_F_FIN_QUEUED;
		xtcp_set_state(tcb, XTCP_LAST_ACK);
		xtcp_output_segs(tcb);
		return 0;
	case XTCP_FIN_WAIT_2:
		if ((tcb->fl & XTCP_F_ORPHAN) &&
		    !xtcp_timer_armed(tcb, XTCP_T_FINWAIT2))
			xtcp_timer_set(tcb, XTCP_T_FINWAIT2,
				       tcb->p.fin_timeout_ms);
		return 0;
	default:
		return 0;
	}
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_core_close);

void xtcp_core_abort(struct xtcp_tcb *tcb)
{
	struct xtcp_out o;

	switch (tcb->state) {
	case XTCP_SYN_RECEIVED:
	case XTCP_ESTABLISHED:
	case XTCP_FIN_WAIT_1:
	case XTCP_FIN_WAIT_2:
	case XTCP_CLOSE_WAIT:
		xtcp_out_init(&o, XTCP_RST | XTCP_ACK, tcb->snd_nxt);
		xtcp_emit(tcb, &o);
		break;
	default:
		break;
	}
	xtcp_set_state(tcb, XTCP_CLOSED);
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_core_abort);

void xtcp_core_fail(struct xtcp_tcb *tcb, int err)
{
	if (tcb->state == XTCP_CLOSED)
		return;
	if (err)
		xtcp_error(tcb, -err);
	xtcp_set_state(tcb, XTCP_CLOSED);
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_core_fail);

bool xtcp_core_mtu_reduced(struct xtcp_tcb *tcb, u16 mss)
{
	mss = max_t(u16, mss, 48);
	if (mss >= tcb->snd_mss)
		return false;
	tcb->snd_mss = mss;
	if (!xtcp_can_send(tcb) || tcb->snd_una == tcb->snd_max)
		return true;
	/* as tcp_simple_retransmit(): what was sent is lost, resend it now
	 * in smaller segments without a congestion response
	 */
	xtcp_sb_mark_all_lost(&tcb->sb);
	if (tcb->ca_state != XTCP_CA_LOSS) {
		tcb->ca_state = XTCP_CA_LOSS;
		tcb->recover = tcb->snd_max;
		tcb->undo_ok = false;
	}
	tcb->fl &= ~XTCP_F_RTT_TIMING;	/* Karn */
	xtcp_output_segs_f(tcb, XTCP_OUT_FORCE);
	return true;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_core_mtu_reduced);

void xtcp_core_cookie_child(struct xtcp_tcb *child,
			    const struct xtcp_seg *syn, u32 iss)
{
	xtcp_set_iss(child, iss);
	child->fl &= ~XTCP_F_RTT_TIMING;	/* the SYN-ACK time is unknown */
	xtcp_take_syn_options(child, syn);
	child->fl |= XTCP_F_PASSIVE;
	xtcp_syn_window(child);		/* what the cookie SYN-ACK offered */
	xtcp_set_state(child, XTCP_SYN_RECEIVED);
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_core_cookie_child);

/* ---- timers (§3.10.8) ---- */

/*
 * TCP_USER_TIMEOUT (RFC 5482) as Linux: @ms, but no later than the user
 * timeout counted from @since (tcp_clamp_rto_to_user_timeout,
 * tcp_clamp_probe0_to_user_timeout).
 */
static u32 xtcp_ut_clamp(struct xtcp_tcb *tcb, u32 since, u32 ms)
{
	u32 elapsed = xtcp_now32(tcb) - since;

	if (elapsed >= tcb->user_timeout)
		return 1;
	return min(ms, tcb->user_timeout - elapsed);
}

static void xtcp_timeout_handshake(struct xtcp_tcb *tcb)
{
	bool syn_sent = tcb->state == XTCP_SYN_SENT;
	u8 limit = syn_sent ? tcb->p.syn_retries : tcb->p.synack_retries;
	/* a user timeout also bounds connect() (Linux's tcp_write_timeout) */
	bool ut = syn_sent && tcb->user_timeout && tcb->syn_tries &&
		  xtcp_now32(tcb) - tcb->una_ts >= tcb->user_timeout;

	xtcp_note(tcb, XTCP_N_RTO);
	if (tcb->syn_tries >= limit || ut) {
		if (syn_sent || !(tcb->fl & XTCP_F_PASSIVE))
			xtcp_error(tcb, -ETIMEDOUT);
		xtcp_set_state(tcb, XTCP_CLOSED);
		return;
	}
	tcb->syn_tries++;
	tcb->fl &= ~XTCP_F_RTT_TIMING;
	tcb->rto_ms = min(tcb->rto_ms * 2, tcb->p.rto_max_ms);
	xtcp_send_syn(tcb, !syn_sent, true);
	xtcp_timer_set(tcb, XTCP_T_RTX, syn_sent && tcb->user_timeout ?
		       xtcp_ut_clamp(tcb, tcb->una_ts, tcb->rto_ms) :
		       tcb->rto_ms);
}

/*
 * Give up retransmitting? After `retries` expirations, or with a user
 * timeout once data stayed unacknowledged that long and at least one
 * retransmission was tried (Linux's retransmits_timed_out()).
 */
static bool xtcp_rtx_expired(struct xtcp_tcb *tcb)
{
	if (!tcb->user_timeout)
		return tcb->backoff >= tcb->p.retries;
	return tcb->backoff &&
	       xtcp_now32(tcb) - tcb->una_ts >= tcb->user_timeout;
}

static void xtcp_timeout_rtx(struct xtcp_tcb *tcb)
{
	bool open = tcb->ca_state == XTCP_CA_OPEN;

	if (tcb->state == XTCP_SYN_SENT || tcb->state == XTCP_SYN_RECEIVED) {
		xtcp_timeout_handshake(tcb);
		return;
	}
	if (!xtcp_can_send(tcb) || tcb->snd_una == tcb->snd_max)
		return;
	xtcp_note(tcb, XTCP_N_RTO);
	if (xtcp_rtx_expired(tcb)) {
		xtcp_error(tcb, -ETIMEDOUT);
		xtcp_set_state(tcb, XTCP_CLOSED);
		return;
	}
	/* RFC 5681 §3.1: ssthresh once per loss episode, and not again when
	 * the RTO cuts a fast recovery short (as tcp_enter_loss); loss window
	 */
	if (!tcb->backoff) {
		if (tcb->ca_state == XTCP_CA_OPEN) {
			/* no undo of an ECN reduction (tcp_enter_loss) */
			tcb->undo_ok = !(tcb->ecn & XTCP_ECN_CWR);
			tcb->undo_retrans = 0;
			tcb->undo_ts = false;
		}
		tcb->undo_rto = true;
		if (tcb->ca_state != XTCP_CA_RECOVERY &&
		    !(tcb->ecn & XTCP_ECN_CWR))
			tcb->ssthresh = xtcp_cc_ssthresh(tcb);
	}
	tcb->cwnd = xtcp_send_mss(tcb);	/* a full segment (ts) */
	xtcp_cc_on_rto(tcb);
	tcb->ca_state = XTCP_CA_LOSS;
	tcb->ecn &= ~XTCP_ECN_CWR;
	xtcp_ecn_queue_cwr(tcb);
	tcb->recover = tcb->snd_max;
	tcb->dupacks = 0;
	tcb->reno_sacked = 0;
	tcb->tlp_high_seq = 0;
	xtcp_timer_clear(tcb, XTCP_T_TLP);
	xtcp_timer_clear(tcb, XTCP_T_RACK);
	/* SACKs are advisory (RFC 2018 §8): with the record at SND.UNA
	 * SACKed, the peer dropped what it SACKed; nothing SACKed is trusted
	 * and the retransmissions are not undone (as tcp_timeout_mark_lost)
	 */
	if (xtcp_sb_reneged(&tcb->sb)) {
		xtcp_note(tcb, XTCP_N_SACK_RENEGING);
		xtcp_sb_unmark_sacked(&tcb->sb, tcb->snd_una);
		tcb->undo_ok = false;
	}
	/* RFC 5682 §3.1 step 1: F-RTO for a new episode of a SACK peer */
	tcb->frto = !tcb->backoff && open &&
		    tcb->sack_ok && tcb->undo_ok ? XTCP_FRTO_WAIT :
						   XTCP_FRTO_OFF;
	/* RFC 6675 §5.1: all but the SACKed is resent, in order */
	tcb->lost_total += tcb->snd_max - tcb->snd_una - tcb->sb.sacked -
			   tcb->sb.lost;
	xtcp_sb_mark_all_lost(&tcb->sb);
	tcb->backoff++;
	tcb->rto_ms = min(tcb->rto_ms * 2, tcb->p.rto_max_ms);
	tcb->fl &= ~XTCP_F_RTT_TIMING;	/* Karn */
	xtcp_output_segs_f(tcb, XTCP_OUT_FORCE);
	if (tcb->snd_una != tcb->snd_max && !xtcp_timer_armed(tcb, XTCP_T_RTX))
		xtcp_timer_set(tcb, XTCP_T_RTX, tcb->rto_ms);
	if (tcb->user_timeout && xtcp_timer_armed(tcb, XTCP_T_RTX))
		xtcp_timer_set(tcb, XTCP_T_RTX,
			       xtcp_ut_clamp(tcb, tcb->una_ts, tcb->rto_ms));
}

/*
 * As Linux's tcp_probe_timer: RFC 1122 §4.2.2.17 keeps probing while the
 * peer answers; give up after `retries` unanswered probes, and an orphan
 * after orphan_retries probes once its interval reached rto_max (not
 * "alive"), or that many unanswered ones (0 means 8 while alive).
 */
static bool xtcp_probes_exhausted(const struct xtcp_tcb *tcb)
{
	u32 max = tcb->p.retries;
	bool alive;

	if (tcb->fl & XTCP_F_ORPHAN) {
		alive = xtcp_backoff_ms(tcb, tcb->rto_ms, tcb->probes) <
			tcb->p.rto_max_ms;
		max = tcb->p.orphan_retries;
		if (!max && alive)
			max = 8;
		if (!alive && tcb->probes >= max)
			return true;
	}
	return tcb->probes_out >= max;
}

static void xtcp_timeout_persist(struct xtcp_tcb *tcb)
{
	u32 now = xtcp_now32(tcb), ms;

	if (!xtcp_can_send(tcb))
		return;
	if (tcb->snd_una != tcb->snd_max) {
		tcb->probe_ts = 0;
		xtcp_output_segs(tcb);
		return;
	}
	if (tcb->snd_wnd) {
		/* a segment held by cork, MSG_MORE or SWS avoidance goes
		 * now, as tcp_write_wakeup() (TCP_CORK's 200 ms ceiling)
		 */
		tcb->probe_ts = 0;
		xtcp_core_send(tcb, XTCP_SEND_PROBE);
		return;
	}
	if (!xtcp_snd_avail(tcb) && !xtcp_fin_pending(tcb))
		return;
	/* the user timeout bounds zero-window probing (tcp_probe_timer) */
	if (!tcb->probe_ts) {
		tcb->probe_ts = now ? : 1;
	} else if (tcb->user_timeout &&
		   now - tcb->probe_ts >= tcb->user_timeout) {
		xtcp_error(tcb, -ETIMEDOUT);
		xtcp_set_state(tcb, XTCP_CLOSED);
		return;
	}
	if (xtcp_probes_exhausted(tcb)) {
		if (tcb->fl & XTCP_F_ORPHAN)
			xtcp_note(tcb, XTCP_N_ORPHAN_PROBE_ABORT);
		xtcp_error(tcb, -ETIMEDOUT);
		xtcp_set_state(tcb, XTCP_CLOSED);
		return;
	}
	/* window probe: an old sequence number elicits an ACK */
	xtcp_send_ack_seq(tcb, tcb->snd_una - 1);
	xtcp_note(tcb, XTCP_N_WINPROBE);
	if (tcb->probes < U8_MAX)
		tcb->probes++;
	if (tcb->probes_out < U8_MAX)
		tcb->probes_out++;
	ms = xtcp_backoff_ms(tcb, tcb->rto_ms, tcb->probes);
	if (tcb->user_timeout)
		ms = xtcp_ut_clamp(tcb, tcb->probe_ts, ms);
	xtcp_timer_set(tcb, XTCP_T_PERSIST, ms);
}

/* states in which keep-alive runs (Linux: all but CLOSE and SYN-SENT) */
static bool xtcp_ka_state(const struct xtcp_tcb *tcb)
{
	return tcb->state >= XTCP_ESTABLISHED &&
	       tcb->state != XTCP_TIME_WAIT;
}

/* since the peer last showed life (Linux's keepalive_time_elapsed()) */
static u32 xtcp_ka_elapsed(struct xtcp_tcb *tcb)
{
	u32 now = xtcp_now32(tcb);

	return min(now - tcb->lrcv_ts, now - tcb->rcv_tstamp);
}

/*
 * RFC 1122 §4.2.3.6 as Linux's tcp_keepalive_timer(): after keepalive_time
 * of silence with nothing to send, a probe SEG.SEQ = SND.NXT - 1 without
 * data every keepalive_intvl; keepalive_probes unanswered probes (with a
 * user timeout: that long silent and one probe out) reset the connection
 * with ETIMEDOUT.
 */
static void xtcp_timeout_keepalive(struct xtcp_tcb *tcb)
{
	u32 when = xtcp_keepidle_ms(tcb), elapsed;
	struct xtcp_out o;

	if (!tcb->keepalive || !xtcp_ka_state(tcb))
		return;
	if (tcb->snd_una != tcb->snd_max || xtcp_snd_avail(tcb) ||
	    xtcp_fin_pending(tcb)) {
		/* alive without keep-alive: the other timers watch it */
		xtcp_timer_set(tcb, XTCP_T_KEEPALIVE, when);
		return;
	}
	elapsed = xtcp_ka_elapsed(tcb);
	if (elapsed < when) {
		xtcp_timer_set(tcb, XTCP_T_KEEPALIVE, when - elapsed);
		return;
	}
	if (tcb->user_timeout ?
	    elapsed >= tcb->user_timeout && tcb->probes_out :
	    tcb->probes_out >= tcb->p.keepalive_probes) {
		xtcp_out_init(&o, XTCP_RST | XTCP_ACK, tcb->snd_nxt);
		xtcp_emit(tcb, &o);
		xtcp_error(tcb, -ETIMEDOUT);
		xtcp_set_state(tcb, XTCP_CLOSED);
		return;
	}
	xtcp_send_ack_seq(tcb, tcb->snd_nxt - 1);
	xtcp_note(tcb, XTCP_N_KEEPALIVE);
	if (tcb->probes_out < U8_MAX)
		tcb->probes_out++;
	xtcp_timer_set(tcb, XTCP_T_KEEPALIVE, tcb->p.keepalive_intvl * 1000);
}

void xtcp_core_set_keepalive(struct xtcp_tcb *tcb, bool on)
{
	bool was = tcb->keepalive;

	tcb->keepalive = on;
	if (!xtcp_ka_state(tcb))
		return;		/* armed when the connection is established */
	if (on && !was)
		xtcp_timer_set(tcb, XTCP_T_KEEPALIVE, xtcp_keepidle_ms(tcb));
	else if (!on)
		xtcp_timer_clear(tcb, XTCP_T_KEEPALIVE);
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_core_set_keepalive);

void xtcp_core_set_keepidle(struct xtcp_tcb *tcb, u32 secs)
{
	u32 when, elapsed;

	tcb->p.keepalive_time = secs;
	if (!tcb->keepalive || !xtcp_ka_state(tcb))
		return;
	/* as tcp_sock_set_keepidle_locked(): counted from the last sign */
	when = xtcp_keepidle_ms(tcb);
	elapsed = xtcp_ka_elapsed(tcb);
	xtcp_timer_set(tcb, XTCP_T_KEEPALIVE, when > elapsed ? when - elapsed : 0);
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_core_set_keepidle);

void xtcp_core_set_quickack(struct xtcp_tcb *tcb, int val)
{
	if (!val) {
		tcb->pingpong = 1;
		return;
	}
	tcb->pingpong = 0;
	/* a pending ACK goes now; an even value then delays again */
	if ((tcb->state == XTCP_ESTABLISHED ||
	     tcb->state == XTCP_CLOSE_WAIT) &&
	    xtcp_timer_armed(tcb, XTCP_T_DELACK)) {
		xtcp_send_ack(tcb);
		if (!(val & 1))
			tcb->pingpong = 1;
	}
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_core_set_quickack);

/* RFC 8985 §6.3: the reordering window of a waiting record ran out */
static void xtcp_timeout_rack(struct xtcp_tcb *tcb)
{
	u32 lost = tcb->sb.lost;

	if (!xtcp_can_send(tcb) || tcb->snd_una == tcb->snd_max)
		return;
	xtcp_detect_loss(tcb);
	if (tcb->sb.lost == lost)
		return;
	xtcp_note(tcb, XTCP_N_RACK_TIMEOUT);
	if (tcb->ca_state == XTCP_CA_RECOVERY)
		xtcp_prr(tcb, 0);
	xtcp_output_segs(tcb);
}

/*
 * RFC 8985 §7.3: the probe timeout: one new segment if the receive window
 * allows, else the last segment again, so that a tail loss gets SACK
 * feedback (or is repaired) without waiting for the RTO.
 */
static void xtcp_timeout_tlp(struct xtcp_tcb *tcb)
{
	u32 rwnd_end = tcb->snd_una + tcb->snd_wnd;
	struct xtcp_sb_seg *s;

	if (!xtcp_can_send(tcb) || tcb->snd_una == tcb->snd_max ||
	    tcb->ca_state != XTCP_CA_OPEN || tcb->tlp_high_seq || !tcb->sb.n)
		return;
	tcb->tlp_retrans = false;
	if (!((xtcp_snd_avail(tcb) || xtcp_fin_pending(tcb)) &&
	      xtcp_seq_gt(rwnd_end, tcb->snd_nxt) &&
	      xtcp_output_segs_f(tcb, XTCP_OUT_PROBE))) {
		s = xtcp_sb_at(&tcb->sb, tcb->sb.n - 1);
		if (s->fl & XTCP_SB_SACKED)
			return;	/* the tail arrived: RACK judges the rest */
		xtcp_retransmit_rec(tcb, tcb->sb.n - 1);
		tcb->tlp_retrans = true;
	}
	tcb->tlp_high_seq = tcb->snd_max;
	xtcp_note(tcb, XTCP_N_LOSS_PROBE);
	xtcp_timer_set(tcb, XTCP_T_RTX, tcb->rto_ms);
}

void xtcp_core_timeout(struct xtcp_tcb *tcb, enum xtcp_timer t)
{
	if (t >= XTCP_T_MAX || !(tcb->timers & BIT(t)))
		return;		/* stale: already cleared by the core */
	tcb->timers &= ~BIT(t);

	switch (t) {
	case XTCP_T_RTX:
		xtcp_timeout_rtx(tcb);
		break;
	case XTCP_T_DELACK:
		if (tcb->state >= XTCP_ESTABLISHED &&
		    tcb->state != XTCP_TIME_WAIT) {
			/* a missed delayed ACK ends pingpong (Linux) */
			tcb->pingpong = 0;
			xtcp_send_ack(tcb);
			xtcp_note(tcb, XTCP_N_DELACK);
		}
		break;
	case XTCP_T_PERSIST:
		xtcp_timeout_persist(tcb);
		break;
	case XTCP_T_FINWAIT2:
		if (tcb->state == XTCP_FIN_WAIT_2)
			xtcp_set_state(tcb, XTCP_CLOSED);
		break;
	case XTCP_T_TIMEWAIT:
		if (tcb->state == XTCP_TIME_WAIT)
			xtcp_set_state(tcb, XTCP_CLOSED);
		break;
	case XTCP_T_KEEPALIVE:
		xtcp_timeout_keepalive(tcb);
		break;
	case XTCP_T_RACK:
		xtcp_timeout_rack(tcb);
		break;
	case XTCP_T_TLP:
		xtcp_timeout_tlp(tcb);
		break;
	default:
		break;
	}
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_core_timeout);

void xtcp_core_destroy(struct xtcp_tcb *tcb)
{
	xtcp_sb_free(&tcb->sb);
	xtcp_ofo_free(&tcb->ofo);
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_core_destroy);

void xtcp_core_info(const struct xtcp_tcb *tcb, struct xtcp_info *info)
{
	*info = (struct xtcp_info){
		.state = tcb->state,
		.snd_mss = tcb->snd_mss,
		.rcv_mss = tcb->rcv_mss,
		.snd_una = tcb->snd_una - tcb->iss,
		.snd_nxt = tcb->snd_nxt - tcb->iss,
		.rcv_nxt = tcb->rcv_nxt - tcb->irs,
		.snd_wnd = tcb->snd_wnd,
		.rcv_wnd = tcb->rcv_wnd,
		.cwnd = tcb->cwnd,
		.ssthresh = tcb->ssthresh,
		.srtt_us = tcb->srtt_us >> 3,
		.rttvar_us = tcb->rttvar_us >> 2,
		.rto_ms = tcb->rto_ms,
		.retransmits = tcb->retransmits,
		.backoff = tcb->backoff,
		.snd_wscale = tcb->snd_wscale,
		.rcv_wscale = tcb->rcv_wscale,
		.bytes_sent = tcb->bytes_sent,
		.bytes_acked = tcb->bytes_acked,
		.bytes_received = tcb->bytes_received,
		.sacked = tcb->sb.sacked,
		.lost = tcb->sb.lost,
		.retrans = tcb->sb.retrans,
		.reordering = tcb->reordering,
		.min_rtt_us = tcb->min_rtt_us,
		.ca_state = tcb->ca_state,
		.delivery_rate = tcb->delivery_rate,
		.lost_total = tcb->lost_total,
	};
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_core_info);
