// SPDX-License-Identifier: GPL-2.0
/*
 * IPPROTO_TCP socket options as Linux's do_tcp_setsockopt() /
 * do_tcp_getsockopt() define them (names, ranges, errnos, defaults), and
 * TCP_INFO (struct tcp_info) from a TCB. Pure: no socket, lock or skb.
 * Options whose mechanism XTCP does not have yet (defer-accept,
 * notsent_lowat) are checked, stored and reported back like Linux.
 * Nagle/cork, TCP_QUICKACK, keep-alive and the user timeout act through
 * xtcp_tcpopt_apply_sender() and the glue's live setters.
 */
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/minmax.h>
#include <kunit/visibility.h>

#include "xtcp_tcpopt.h"

/* TCP_DEFER_ACCEPT is kept as a SYN-ACK retransmission count (Linux) */
#define XTCP_DEFER_TIMEOUT	1	/* s, TCP_TIMEOUT_INIT */
#define XTCP_DEFER_RTO_MAX	120	/* s, TCP_RTO_MAX */

static u8 xtcp_secs_to_retrans(int seconds)
{
	int timeout = XTCP_DEFER_TIMEOUT, period = timeout;
	u8 res = 0;

	if (seconds > 0) {
		res = 1;
		while (seconds > period && res < 255) {
			res++;
			timeout = min(timeout << 1, XTCP_DEFER_RTO_MAX);
			period += timeout;
		}
	}
	return res;
}

static int xtcp_retrans_to_secs(u8 retrans)
{
	int timeout = XTCP_DEFER_TIMEOUT, period = 0;

	if (retrans > 0) {
		period = timeout;
		while (--retrans) {
			timeout = min(timeout << 1, XTCP_DEFER_RTO_MAX);
			period += timeout;
		}
	}
	return period;
}

/**
 * xtcp_tcpopt_set() - set an int-valued IPPROTO_TCP option
 * @o: the socket's option values
 * @optname: TCP_*
 * @val: the value, already copied from user space
 * @closed: the socket is in CLOSED (TCP_WINDOW_CLAMP 0 needs it)
 *
 * Return: 0, -EINVAL for a value Linux refuses, -ENOPROTOOPT for an option
 * this function does not handle.
 */
int xtcp_tcpopt_set(struct xtcp_tcpopts *o, int optname, int val, bool closed)
{
	switch (optname) {
	case TCP_NODELAY:
		o->nodelay = !!val;
		return 0;
	case TCP_CORK:
		o->cork = !!val;
		return 0;
	case TCP_MAXSEG:
		if (val && (val < XTCP_MIN_MSS || val > XTCP_MAX_WINDOW))
			return -EINVAL;
		o->user_mss = val;
		return 0;
	case TCP_KEEPIDLE:
		if (val < 1 || val > XTCP_MAX_KEEPIDLE)
			return -EINVAL;
		o->keepidle = val;
		return 0;
	case TCP_KEEPINTVL:
		if (val < 1 || val > XTCP_MAX_KEEPINTVL)
			return -EINVAL;
		o->keepintvl = val;
		return 0;
	case TCP_KEEPCNT:
		if (val < 1 || val > XTCP_MAX_KEEPCNT)
			return -EINVAL;
		o->keepcnt = val;
		return 0;
	case TCP_SYNCNT:
		if (val < 1 || val > XTCP_MAX_SYNCNT)
			return -EINVAL;
		o->syncnt = val;
		return 0;
	case TCP_LINGER2:
		o->linger2 = val < 0 ? -1 : min(val, XTCP_FIN_TIMEOUT_MAX);
		return 0;
	case TCP_DEFER_ACCEPT:
		o->defer_accept = xtcp_secs_to_retrans(val);
		return 0;
	case TCP_WINDOW_CLAMP:
		if (!val) {
			if (!closed)
				return -EINVAL;
			o->window_clamp = 0;
			return 0;
		}
		/* Linux compares with an unsigned bound: negatives are huge */
		o->window_clamp = (u32)val < XTCP_MIN_RCVBUF_HALF ?
				  XTCP_MIN_RCVBUF_HALF : val;
		return 0;
	case TCP_QUICKACK:
		o->quickack = !!val;
		o->quickack_set = 1;
		return 0;
	case TCP_USER_TIMEOUT:
		if (val < 0)
			return -EINVAL;
		o->user_timeout = val;
		return 0;
	case TCP_NOTSENT_LOWAT:
		o->notsent_lowat = val;
		return 0;
	case TCP_INQ:
		if (val < 0 || val > 1)
			return -EINVAL;
		o->inq = val;
		return 0;
	}
	return -ENOPROTOOPT;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_tcpopt_set);

/**
 * xtcp_tcpopt_get() - read an int-valued IPPROTO_TCP option
 * @o: the socket's option values
 * @tcb: its TCB (MSS, SYN retries, FIN-WAIT-2 time in force)
 * @optname: TCP_*
 * @val: the value Linux would report
 *
 * Return: 0 or -ENOPROTOOPT.
 */
int xtcp_tcpopt_get(const struct xtcp_tcpopts *o, const struct xtcp_tcb *tcb,
		    int optname, int *val)
{
	bool closed = tcb->state == XTCP_CLOSED || tcb->state == XTCP_LISTEN;

	switch (optname) {
	case TCP_NODELAY:
		*val = o->nodelay;
		break;
	case TCP_CORK:
		*val = o->cork;
		break;
	case TCP_MAXSEG:
		/* the MSS in use; before a connection, the user's or 536 */
		if (o->user_mss && closed)
			*val = o->user_mss;
		else
			*val = tcb->snd_mss && !closed ? tcb->snd_mss :
							 XTCP_MSS_DEFAULT;
		break;
	/* unset: the netns sysctl the socket took (Linux's defaults) */
	case TCP_KEEPIDLE:
		*val = o->keepidle ? : tcb->p.keepalive_time ? :
		       XTCP_KEEPIDLE_DEFAULT;
		break;
	case TCP_KEEPINTVL:
		*val = o->keepintvl ? : tcb->p.keepalive_intvl ? :
		       XTCP_KEEPINTVL_DEFAULT;
		break;
	case TCP_KEEPCNT:
		*val = o->keepcnt ? : tcb->p.keepalive_probes ? :
		       XTCP_KEEPCNT_DEFAULT;
		break;
	case TCP_SYNCNT:
		*val = o->syncnt ? : tcb->p.syn_retries;
		break;
	case TCP_LINGER2:
		*val = o->linger2 < 0 ? -1 :
		       o->linger2 ? : (int)(tcb->p.fin_timeout_ms / 1000);
		break;
	case TCP_DEFER_ACCEPT:
		*val = xtcp_retrans_to_secs(o->defer_accept);
		break;
	case TCP_WINDOW_CLAMP:
		*val = o->window_clamp;
		break;
	case TCP_QUICKACK:
		/* !pingpong, as Linux; the core may leave pingpong */
		if (closed)
			*val = o->quickack_set ? o->quickack : 1;
		else
			*val = !tcb->pingpong;
		break;
	case TCP_USER_TIMEOUT:
		*val = o->user_timeout;
		break;
	case TCP_NOTSENT_LOWAT:
		*val = o->notsent_lowat;
		break;
	case TCP_INQ:
		*val = o->inq;
		break;
	default:
		return -ENOPROTOOPT;
	}
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_tcpopt_get);

/**
 * xtcp_tcpopt_apply() - make a freshly initialised TCB honour the options
 * @o: the socket's option values
 * @tcb: TCB after xtcp_core_init() and the route's MSS
 *
 * TCP_SYNCNT replaces the SYN retry count, TCP_LINGER2 > 0 the FIN-WAIT-2
 * time, TCP_MAXSEG caps the MSS we advertise (as Linux's user_mss),
 * TCP_CONGESTION picks the congestion control.
 */
void xtcp_tcpopt_apply(const struct xtcp_tcpopts *o, struct xtcp_tcb *tcb)
{
	if (o->syncnt) {
		tcb->p.syn_retries = o->syncnt;
		tcb->p.synack_retries = o->syncnt;
	}
	if (o->linger2 > 0)
		tcb->p.fin_timeout_ms = o->linger2 * 1000;
	if (o->user_mss && o->user_mss < tcb->rcv_mss)
		tcb->rcv_mss = o->user_mss;
	tcb->cc_ops = o->cc;
	xtcp_tcpopt_apply_sender(o, tcb);
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_tcpopt_apply);

/**
 * xtcp_tcpopt_apply_sender() - the sender options (part "sender") into a
 *	TCB: Nagle/cork, pingpong (TCP_QUICKACK 0), keep-alive times and
 *	count, user timeout. Nothing is sent or re-armed here.
 * @o: the socket's option values
 * @tcb: the TCB
 */
void xtcp_tcpopt_apply_sender(const struct xtcp_tcpopts *o,
			      struct xtcp_tcb *tcb)
{
	tcb->nonagle = (o->nodelay ? XTCP_NAGLE_OFF : 0) |
		       (o->cork ? XTCP_NAGLE_CORK : 0);
	tcb->pingpong = o->quickack_set && !o->quickack;
	if (o->keepidle)
		tcb->p.keepalive_time = o->keepidle;
	if (o->keepintvl)
		tcb->p.keepalive_intvl = o->keepintvl;
	if (o->keepcnt)
		tcb->p.keepalive_probes = o->keepcnt;
	tcb->user_timeout = o->user_timeout;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_tcpopt_apply_sender);

static u32 xtcp_segs(u32 bytes, u32 mss)
{
	return mss ? DIV_ROUND_UP(bytes, mss) : 0;
}

/**
 * xtcp_tcpinfo_fill() - Linux's struct tcp_info from a TCB
 * @tcb: the connection
 * @ti: zeroed by this function, then filled
 *
 * Real values where XTCP has the quantity; zero where it has no such
 * mechanism yet (SACK, timestamps, pacing, delivery rate). Counts that
 * Linux keeps in segments (cwnd, ssthresh, unacked) are converted from
 * XTCP's bytes with the sending MSS. tcpi_pmtu comes from the route:
 * the glue fills it.
 */
void xtcp_tcpinfo_fill(const struct xtcp_tcb *tcb, struct tcp_info *ti)
{
	u32 mss = tcb->snd_mss ? : XTCP_MSS_DEFAULT;
	u32 inflight = tcb->snd_nxt - tcb->snd_una;

	memset(ti, 0, sizeof(*ti));
	ti->tcpi_state = xtcp_linux_state(tcb->state);
	/* TCP_CA_Open, TCP_CA_Recovery, TCP_CA_Loss */
	ti->tcpi_ca_state = tcb->backoff || tcb->ca_state == XTCP_CA_LOSS ? 4 :
			    tcb->ca_state == XTCP_CA_RECOVERY ? 3 : 0;
	ti->tcpi_retransmits = tcb->backoff;
	ti->tcpi_probes = tcb->probes;
	ti->tcpi_backoff = tcb->backoff;
	if (tcb->wscale_ok) {
		ti->tcpi_options |= TCPI_OPT_WSCALE;
		ti->tcpi_snd_wscale = tcb->snd_wscale;
		ti->tcpi_rcv_wscale = tcb->rcv_wscale;
	}
	if (tcb->sack_ok)
		ti->tcpi_options |= TCPI_OPT_SACK;
	if (tcb->ts_ok)
		ti->tcpi_options |= TCPI_OPT_TIMESTAMPS;
	if (tcb->ecn & XTCP_ECN_OK)
		ti->tcpi_options |= TCPI_OPT_ECN;
	if (tcb->ecn & XTCP_ECN_SEEN)
		ti->tcpi_options |= TCPI_OPT_ECN_SEEN;
	ti->tcpi_rcv_rtt = tcb->rcv_rtt_us >> 3;
	ti->tcpi_rto = tcb->rto_ms * USEC_PER_MSEC;
	ti->tcpi_ato = tcb->p.delack_ms * USEC_PER_MSEC;
	ti->tcpi_snd_mss = mss;
	ti->tcpi_rcv_mss = tcb->rcv_mss;
	if (tcb->state >= XTCP_SYN_SENT && tcb->state != XTCP_TIME_WAIT &&
	    (s32)inflight > 0)
		ti->tcpi_unacked = xtcp_segs(inflight, mss);
	ti->tcpi_rcv_ssthresh = tcb->rcv_wnd;
	ti->tcpi_rtt = tcb->srtt_us >> 3;
	ti->tcpi_rttvar = tcb->rttvar_us >> 2;
	ti->tcpi_snd_ssthresh = tcb->ssthresh >= XTCP_INFINITE_SSTHRESH ?
				XTCP_INFINITE_SSTHRESH : tcb->ssthresh / mss;
	ti->tcpi_snd_cwnd = xtcp_segs(tcb->cwnd, mss);
	ti->tcpi_advmss = tcb->rcv_mss;
	ti->tcpi_reordering = tcb->reordering;
	ti->tcpi_sacked = xtcp_segs(tcb->sb.sacked, mss);
	ti->tcpi_lost = xtcp_segs(tcb->sb.lost, mss);
	ti->tcpi_retrans = xtcp_segs(tcb->sb.retrans, mss);
	ti->tcpi_min_rtt = tcb->min_rtt_us;
	ti->tcpi_delivery_rate = tcb->delivery_rate;
	ti->tcpi_delivered = xtcp_segs(tcb->delivered, mss);
	ti->tcpi_rcv_space = tcb->rcv_wnd;
	ti->tcpi_total_retrans = tcb->retransmits;
	ti->tcpi_max_pacing_rate = ~0ULL;	/* no pacing limit */
	ti->tcpi_bytes_acked = tcb->bytes_acked;
	ti->tcpi_bytes_received = tcb->bytes_received;
	ti->tcpi_bytes_sent = tcb->bytes_sent;
	if (xtcp_seq_gt(tcb->snd_end, tcb->snd_nxt))
		ti->tcpi_notsent_bytes = tcb->snd_end - tcb->snd_nxt;
	ti->tcpi_snd_wnd = tcb->snd_wnd;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_tcpinfo_fill);
