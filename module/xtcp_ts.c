// SPDX-License-Identifier: GPL-2.0
/*
 * XTCP timestamps (RFC 7323 §3-§5): negotiation, TSval/TSecr on every
 * segment, TS.Recent and Last.ACK.sent, RTTM and PAWS. Pure functions of
 * the TCB, a parsed segment and ops->now(); the glue only supplies the
 * per-connection offset (tcb->ts_off) so that TSval does not give the
 * host's uptime away (as Linux's secure_tcp_ts_off()).
 */
#include <linux/kernel.h>
#include <linux/export.h>
#include <kunit/visibility.h>

#include "xtcp_core.h"

/* TSval now: a 1 ms clock (Linux's TCP_TS_HZ) plus the offset */
u32 xtcp_ts_now(struct xtcp_tcb *tcb)
{
	return (u32)tcb->ops->now(tcb) + tcb->ts_off;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_ts_now);

static void xtcp_ts_set_recent(struct xtcp_tcb *tcb, u32 tsval)
{
	tcb->ts_recent = tsval;
	tcb->ts_recent_stamp = tcb->ops->now(tcb);
}

/**
 * xtcp_ts_syn_options() - the timestamps part of the peer's SYN or SYN-ACK
 * @tcb: the TCB taking the options
 * @seg: the SYN
 *
 * §3.2: timestamps are on when both SYNs carry the option; a SYN-ACK only
 * carries it when the SYN did, and we offer it only when
 * net.xtcp.timestamps is set. TS.Recent starts at the SYN's TSval.
 */
void xtcp_ts_syn_options(struct xtcp_tcb *tcb, const struct xtcp_seg *seg)
{
	tcb->ts_ok = seg->ts_ok && tcb->p.timestamps;
	tcb->last_ack_sent = seg->seq + 1;	/* what our reply acks */
	if (tcb->ts_ok)
		xtcp_ts_set_recent(tcb, seg->tsval);
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_ts_syn_options);

/**
 * xtcp_ts_out() - put the timestamps option in an outgoing segment
 * @tcb: the connection
 * @o: the segment, flags and ack already set
 *
 * A SYN offers it (TSecr 0, §3.2); a SYN-ACK and every later segment
 * carry it once negotiated, echoing TS.Recent (§4.3 (1)). A plain RST
 * (no ACK) goes without it, as it MAY. Records Last.ACK.sent.
 */
void xtcp_ts_out(struct xtcp_tcb *tcb, struct xtcp_out *o)
{
	bool syn = (o->flags & (XTCP_SYN | XTCP_ACK)) == XTCP_SYN;

	if (o->flags & XTCP_ACK)
		tcb->last_ack_sent = o->ack;
	if (syn ? !tcb->p.timestamps : !tcb->ts_ok)
		return;
	if ((o->flags & XTCP_RST) && !(o->flags & XTCP_ACK))
		return;
	o->ts_ok = 1;
	o->tsval = xtcp_ts_now(tcb);
	o->tsecr = syn ? 0 : tcb->ts_recent;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_ts_out);

/*
 * A pure duplicate ACK (no data, SEG.ACK = SND.UNA) that would not update
 * the send window and is older than TS.Recent by less than an RTO was
 * only reordered on the way: as Linux's tcp_disordered_ack(), PAWS lets
 * it in, so that its SACK and D-SACK blocks (RFC 2018, RFC 2883) reach
 * the scoreboard. Dropped, a path that reorders ACKs costs the sender
 * the D-SACKs that undo spurious retransmissions and widen its RACK
 * reordering window (RFC 8985 §6.2 step 4).
 */
static bool xtcp_ts_disordered_ack(const struct xtcp_tcb *tcb,
				   const struct xtcp_seg *seg)
{
	u32 wnd = (u32)seg->wnd << tcb->snd_wscale;

	return (seg->flags & (XTCP_SYN | XTCP_ACK | XTCP_FIN)) == XTCP_ACK &&
	       !seg->len && seg->seq == tcb->rcv_nxt &&
	       seg->ack == tcb->snd_una && seg->seq == tcb->snd_wl1 &&
	       wnd && wnd <= tcb->snd_wnd &&
	       tcb->ts_recent - seg->tsval <= tcb->rto_ms;
}

/**
 * xtcp_ts_paws_reject() - PAWS (§5.3 R1): is @seg an old duplicate?
 * @tcb: a synchronized connection
 * @seg: the arriving segment
 *
 * True when timestamps are on, @seg carries them, is no RST, and its
 * TSval is older than TS.Recent (modulo 2^32), unless TS.Recent is more
 * than 24 days old (§5.5), or it is a reordered pure duplicate ACK
 * (xtcp_ts_disordered_ack). The caller ACKs and drops it. A segment
 * without the option is not checked (as Linux; §3.2's "SHOULD drop" would
 * let a middlebox that strips options stall the connection).
 */
bool xtcp_ts_paws_reject(struct xtcp_tcb *tcb, const struct xtcp_seg *seg)
{
	if (!tcb->ts_ok || !seg->ts_ok || (seg->flags & XTCP_RST))
		return false;
	if ((s32)(seg->tsval - tcb->ts_recent) >= 0 ||
	    xtcp_ts_disordered_ack(tcb, seg))
		return false;
	if (tcb->ops->now(tcb) - tcb->ts_recent_stamp >= XTCP_PAWS_IDLE_MS) {
		/* §5.5: TS.Recent is invalid; the segment renews it */
		xtcp_ts_set_recent(tcb, seg->tsval);
		return false;
	}
	return true;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_ts_paws_reject);

/**
 * xtcp_ts_update_recent() - §4.3 (2): an acceptable segment that covers
 *	the left edge of the window we last acknowledged (SEG.SEQ <=
 *	Last.ACK.sent) and is not older than TS.Recent renews TS.Recent.
 * @tcb: the connection
 * @seg: a segment that passed the sequence and PAWS checks
 */
void xtcp_ts_update_recent(struct xtcp_tcb *tcb, const struct xtcp_seg *seg)
{
	if (!tcb->ts_ok || !seg->ts_ok)
		return;
	if (xtcp_seq_leq(seg->seq, tcb->last_ack_sent) &&
	    (s32)(seg->tsval - tcb->ts_recent) >= 0)
		xtcp_ts_set_recent(tcb, seg->tsval);
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_ts_update_recent);

/**
 * xtcp_ts_rtt_ms() - RTTM (§4.1): the round-trip time an ACK's TSecr gives
 * @tcb: the connection
 * @seg: an ACK that acknowledges new data
 *
 * The one RTT sampler from timestamps (RACK and the RTO both use it).
 * TSecr 0 is no echo (a peer that echoes nothing, §3.2); an echo from the
 * future or older than 2^31 ms is no sample either.
 * Return: the RTT in ms, or -1 when @seg gives none.
 */
s64 xtcp_ts_rtt_ms(struct xtcp_tcb *tcb, const struct xtcp_seg *seg)
{
	s32 d;

	if (!tcb->ts_ok || !seg->ts_ok || !seg->tsecr)
		return -1;
	d = (s32)(xtcp_ts_now(tcb) - seg->tsecr);
	return d < 0 ? -1 : d;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_ts_rtt_ms);

/**
 * xtcp_ts_rcv_rtt() - the receiver's RTT estimate from a data segment's
 *	TSecr, for receive-buffer autotuning (Linux's
 *	tcp_rcv_rtt_measure_ts): a full-sized segment echoing a TSval not
 *	seen before; smoothed by 1/8 (tcp_rcv_rtt_update).
 * @tcb: the connection
 * @seg: a data segment taken in order
 */
void xtcp_ts_rcv_rtt(struct xtcp_tcb *tcb, const struct xtcp_seg *seg)
{
	s64 ms;
	u32 us;

	if (seg->len < 536 || seg->tsecr == tcb->rcv_rtt_tsecr)
		return;
	ms = xtcp_ts_rtt_ms(tcb, seg);
	if (ms < 0)
		return;
	tcb->rcv_rtt_tsecr = seg->tsecr;
	/* at least one tick of the 1 ms clock, as tcp_rtt_tsopt_us() */
	us = (u32)clamp_t(s64, ms, 1, 100000) * 1000;
	if (!tcb->rcv_rtt_us)
		tcb->rcv_rtt_us = us << 3;
	else
		tcb->rcv_rtt_us += us - (tcb->rcv_rtt_us >> 3);
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_ts_rcv_rtt);

/**
 * xtcp_rcv_rtt_measure() - the receiver's RTT without timestamps, as
 *	Linux's tcp_rcv_rtt_measure(): the time it takes the sender to fill
 *	the window we advertised is at least one RTT; the smallest such time
 *	is the estimate.
 * @tcb: the connection, rcv_nxt just advanced by in-order data
 */
void xtcp_rcv_rtt_measure(struct xtcp_tcb *tcb)
{
	u64 now = tcb->ops->now(tcb);
	u32 us;

	if (tcb->ts_ok)
		return;
	if (tcb->rcv_rtt_time) {
		if (xtcp_seq_lt(tcb->rcv_nxt, tcb->rcv_rtt_seq))
			return;
		us = (u32)clamp_t(u64, now - tcb->rcv_rtt_time, 1, 100000) *
		     1000;
		if (!tcb->rcv_rtt_us || (us << 3) < tcb->rcv_rtt_us)
			tcb->rcv_rtt_us = us << 3;
	}
	tcb->rcv_rtt_seq = tcb->rcv_nxt + tcb->rcv_wnd;
	tcb->rcv_rtt_time = now;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_rcv_rtt_measure);
