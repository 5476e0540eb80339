// SPDX-License-Identifier: GPL-2.0
/*
 * XTCP Explicit Congestion Notification (RFC 3168 §6.1), as Linux TCP's
 * classic ECN: negotiation in the SYN exchange, ECT(0) on new data,
 * ECE echoed until the sender's CWR, and the sender's window reduction
 * at most once per window of data. Pure core: acts on the TCB and the
 * parsed segment; the glue reads and writes the IP header's ECN field.
 */
#include <linux/kernel.h>
#include <net/inet_ecn.h>
#include <kunit/visibility.h>

#include "xtcp_core.h"
#include "xtcp_cc.h"

static void xtcp_ecn_note(struct xtcp_tcb *tcb, enum xtcp_note n)
{
	if (tcb->ops->note)
		tcb->ops->note(tcb, n);
}

/* active open: request ECN only with net.xtcp.ecn 1 (tcp_ecn_send_syn) */
void xtcp_ecn_connect(struct xtcp_tcb *tcb)
{
	tcb->ecn = tcb->p.ecn == 1 ? XTCP_ECN_OK : 0;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_ecn_connect);

/* passive open: accept a request with net.xtcp.ecn 1 or 2 */
void xtcp_ecn_accept(struct xtcp_tcb *tcb)
{
	tcb->ecn = tcb->p.ecn ? XTCP_ECN_OK : 0;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_ecn_accept);

/**
 * xtcp_ecn_syn_in() - the peer's SYN or SYN-ACK decides (RFC 3168 §6.1.1)
 * @tcb: the TCB, XTCP_ECN_OK set when we want ECN
 * @seg: the SYN (an ECN-setup SYN has ECE and CWR, and is not ECT as
 *	Linux's tcp_ecn_create_request requires) or the SYN-ACK (an
 *	ECN-setup SYN-ACK has ECE without CWR); anything else turns it off
 */
void xtcp_ecn_syn_in(struct xtcp_tcb *tcb, const struct xtcp_seg *seg)
{
	u16 f = seg->flags & (XTCP_ECE | XTCP_CWR);
	bool ok;

	if (seg->flags & XTCP_ACK)
		ok = f == XTCP_ECE;
	else
		ok = f == (XTCP_ECE | XTCP_CWR) &&
		     !(seg->flags & XTCP_IP_ECN_MASK);
	if (!ok)
		tcb->ecn &= ~XTCP_ECN_OK;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_ecn_syn_in);

/*
 * The flags of our SYN (ECE|CWR) or SYN-ACK (ECE). A retransmitted SYN
 * goes without them (§6.1.1.1: a path may drop ECN-setup SYNs; Linux's
 * tcp_ecn_fallback); the SYN-ACK then decides. Neither is ECT.
 */
void xtcp_ecn_syn_out(struct xtcp_tcb *tcb, struct xtcp_out *o, bool rtx)
{
	if (!(tcb->ecn & XTCP_ECN_OK))
		return;
	if (o->flags & XTCP_ACK)
		o->flags |= XTCP_ECE;
	else if (!rtx)
		o->flags |= XTCP_ECE | XTCP_CWR;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_ecn_syn_out);

/*
 * Any other segment (as tcp_ecn_send): ECT(0) on new data only, not on
 * pure ACKs, retransmissions, window probes (§6.1.5, §6.1.6); CWR on the
 * first new data after a reduction (§6.1.2); ECE while a CE mark waits
 * for the sender's CWR (§6.1.3).
 */
void xtcp_ecn_out(struct xtcp_tcb *tcb, struct xtcp_out *o)
{
	if (!(tcb->ecn & XTCP_ECN_OK))
		return;
	if (o->len && !o->rtx) {
		o->ect = 1;
		if (tcb->ecn & XTCP_ECN_QUEUE_CWR) {
			tcb->ecn &= ~XTCP_ECN_QUEUE_CWR;
			o->flags |= XTCP_CWR;
		}
	}
	if (tcb->ecn & XTCP_ECN_DEMAND_CWR)
		o->flags |= XTCP_ECE;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_ecn_out);

/**
 * xtcp_ecn_rcv() - the receiver's part of an acceptable segment, before
 *	its data is taken (tcp_ecn_accept_cwr, tcp_ecn_check_ce)
 * @tcb: the TCB
 * @seg: the segment
 *
 * CWR ends the echo (accepted on pure ACKs too, as Linux); a CE-marked
 * data segment starts it (§6.1.3) and asks for quick ACKs, since the
 * sender's window may be small now.
 * Return: the segment is to be acknowledged at once.
 */
bool xtcp_ecn_rcv(struct xtcp_tcb *tcb, const struct xtcp_seg *seg)
{
	bool now = false;

	if (!(tcb->ecn & XTCP_ECN_OK))
		return false;
	if (seg->flags & XTCP_CWR) {
		tcb->ecn &= ~XTCP_ECN_DEMAND_CWR;
		now = seg->len;
	}
	if (!seg->len)
		return now;
	switch ((seg->flags & XTCP_IP_ECN_MASK) >> XTCP_IP_ECN_SHIFT) {
	case INET_ECN_NOT_ECT:
		/* not ECT after ECT: probably a retransmission, ACK it soon */
		if (tcb->ecn & XTCP_ECN_SEEN)
			tcb->quick = max_t(u8, tcb->quick, 2);
		break;
	case INET_ECN_CE:
		xtcp_ecn_note(tcb, XTCP_N_ECN_CE_RCVD);
		if (!(tcb->ecn & XTCP_ECN_DEMAND_CWR)) {
			tcb->quick = max_t(u8, tcb->quick, 2);
			tcb->ecn |= XTCP_ECN_DEMAND_CWR;
			now = true;
		}
		tcb->ecn |= XTCP_ECN_SEEN;
		break;
	default:
		tcb->ecn |= XTCP_ECN_SEEN;
		break;
	}
	return now;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_ecn_rcv);

/**
 * xtcp_ecn_ack() - the sender's part of an acceptable ACK, before
 *	snd_una moves: an ECE starts a reduction (RFC 3168 §6.1.2)
 * @tcb: the TCB
 * @seg: the ACK
 *
 * As Linux's tcp_enter_cwr(): ssthresh from the congestion control, cwnd
 * brought down to it by PRR (RFC 6937) over the next round trip, no
 * retransmission, no undo (the congestion is certain), CWR on the next
 * new data. One reduction per window: ECEs are ignored until what was
 * sent before the reduction is acknowledged (ecn_high), and in loss
 * recovery, whose own reduction covers them.
 */
void xtcp_ecn_ack(struct xtcp_tcb *tcb, const struct xtcp_seg *seg)
{
	tcb->ecn &= ~XTCP_ECN_ECE_ACK;
	if (!(tcb->ecn & XTCP_ECN_OK))
		return;
	if (tcb->ca_state != XTCP_CA_OPEN) {
		tcb->ecn &= ~XTCP_ECN_CWR;	/* recovery took over */
		return;
	}
	if (!(seg->flags & XTCP_ECE) || (seg->flags & XTCP_SYN))
		return;
	tcb->ecn |= XTCP_ECN_ECE_ACK;
	if (tcb->ecn & XTCP_ECN_CWR)
		return;
	tcb->ssthresh = xtcp_cc_ssthresh(tcb);
	tcb->cc_prior_cwnd = 0;		/* no undo */
	tcb->recover_fs = tcb->snd_max - tcb->snd_una;
	tcb->prr_delivered = 0;
	tcb->prr_out = 0;
	tcb->ecn_high = tcb->snd_max;
	tcb->ecn |= XTCP_ECN_CWR | XTCP_ECN_QUEUE_CWR;
	xtcp_ecn_note(tcb, XTCP_N_ECN_REDUCE);
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_ecn_ack);

/**
 * xtcp_ecn_acked() - after the ACK's loss recovery: count what an ECE
 *	ACK delivered (TCPDeliveredCE) and end the reduction once data sent
 *	after it is acknowledged (cwnd = ssthresh, tcp_end_cwnd_reduction)
 * @tcb: the TCB, snd_una advanced
 * @delivered: sequence space the ACK delivered
 *
 * Return: the reduction goes on: the caller runs PRR for @delivered.
 */
bool xtcp_ecn_acked(struct xtcp_tcb *tcb, u32 delivered)
{
	u32 mss = xtcp_send_mss(tcb);

	if (tcb->ecn & XTCP_ECN_ECE_ACK) {
		u32 n = DIV_ROUND_UP(delivered, mss);

		tcb->ecn &= ~XTCP_ECN_ECE_ACK;
		while (n--)
			xtcp_ecn_note(tcb, XTCP_N_DELIVERED_CE);
	}
	if (!(tcb->ecn & XTCP_ECN_CWR))
		return false;
	if (tcb->ca_state != XTCP_CA_OPEN) {
		tcb->ecn &= ~XTCP_ECN_CWR;
		return false;
	}
	/* held until something above ecn_high is acknowledged, so that
	 * the CWR reached the receiver (tcp_fastretrans_alert)
	 */
	if (xtcp_seq_gt(tcb->snd_una, tcb->ecn_high)) {
		tcb->ecn &= ~XTCP_ECN_CWR;
		tcb->cwnd = max(tcb->ssthresh, mss);
		return false;
	}
	return delivered;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_ecn_acked);
