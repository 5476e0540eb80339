/* SPDX-License-Identifier: GPL-2.0 */
/*
 * XTCP protocol core: the RFC 9293 state machine as pure functions of a
 * transmission control block (TCB), a parsed segment or user event, and the
 * time. The core never sees an skb, a socket lock or the timer API: it acts
 * through the small ops table below, which the Linux glue implements with
 * skbs and timer_lists and the KUnit suites implement with recorders and a
 * fake clock.
 *
 * Data bytes stay with the caller. The send buffer is a byte stream that
 * the glue holds from snd_una up to tcb->snd_end; the core asks for
 * "[seq, seq + len) with these flags" and the glue copies the bytes. For
 * received data the core says which bytes of the current segment are
 * accepted, in order, and the glue queues them.
 */
#ifndef _XTCP_CORE_H
#define _XTCP_CORE_H

#include <linux/types.h>
#include <net/tcp_states.h>
#include "uapi/xtcp.h"
#include "xtcp_ofo_core.h"
#include "xtcp_recovery.h"
#include "xtcp_urg.h"

/* TCP header flags, as in the header's 13th/14th octets (RFC 9293 §3.1) */
#define XTCP_FIN	0x01
#define XTCP_SYN	0x02
#define XTCP_RST	0x04
#define XTCP_PSH	0x08
#define XTCP_ACK	0x10
#define XTCP_URG	0x20
#define XTCP_ECE	0x40	/* ECN-Echo (RFC 3168 §6.1) */
#define XTCP_CWR	0x80	/* Congestion Window Reduced */
/*
 * Not a header flag: the IP header's ECN field of a received segment
 * (RFC 3168 §5: INET_ECN_NOT_ECT, _ECT_1, _ECT_0, _CE), which the glue
 * puts in bits 8-9 of xtcp_seg.flags
 */
#define XTCP_IP_ECN_SHIFT	8
#define XTCP_IP_ECN_MASK	(3 << XTCP_IP_ECN_SHIFT)

/* RFC 9293 §3.4.1 modular sequence-number comparisons */
static inline bool xtcp_seq_lt(u32 a, u32 b)
{
	return (s32)(a - b) < 0;
}

static inline bool xtcp_seq_leq(u32 a, u32 b)
{
	return (s32)(a - b) <= 0;
}

static inline bool xtcp_seq_gt(u32 a, u32 b)
{
	return (s32)(a - b) > 0;
}

static inline bool xtcp_seq_geq(u32 a, u32 b)
{
	return (s32)(a - b) >= 0;
}

/* lo <= s < hi, modulo 2^32 */
static inline bool xtcp_seq_in(u32 s, u32 lo, u32 hi)
{
	return s - lo < hi - lo;
}

/* lo <= s <= hi, modulo 2^32 */
static inline bool xtcp_seq_in_incl(u32 s, u32 lo, u32 hi)
{
	return s - lo <= hi - lo;
}

enum xtcp_timer {
	XTCP_T_RTX,		/* retransmission: SYN, data, FIN (RFC 6298) */
	XTCP_T_DELACK,		/* delayed ACK (RFC 9293 §3.8.6.3) */
	XTCP_T_PERSIST,		/* zero-window probe (RFC 9293 §3.8.6.1) */
	XTCP_T_FINWAIT2,	/* orphaned FIN-WAIT-2 limit */
	XTCP_T_TIMEWAIT,	/* 2*MSL (RFC 9293 §3.6) */
	XTCP_T_KEEPALIVE,	/* keep-alive (RFC 1122 §4.2.3.6) */
	XTCP_T_RACK,		/* RACK reordering timeout (RFC 8985 §6.3) */
	XTCP_T_TLP,		/* tail loss probe (RFC 8985 §7) */
	XTCP_T_MAX
};

/* what the core tells the glue to count (ops->note) */
enum xtcp_note {
	XTCP_N_OOW_DROP,	/* data segment outside the receive window */
	XTCP_N_ZWIN_DROP,	/* data for a zero window */
	XTCP_N_OFO_DROP,	/* out of order data not held: no memory/room */
	XTCP_N_ORPHAN_PROBE_ABORT, /* orphan gave up zero-window probing */
	/* out-of-order queue (ofo) */
	XTCP_N_OFO_QUEUE,	/* out of order data held */
	XTCP_N_OFO_MERGE,	/* ... joining held data */
	XTCP_N_DSACK_OLD,	/* D-SACK for data below RCV.NXT */
	XTCP_N_DSACK_OFO,	/* D-SACK for data held out of order */
	/* sender: delayed ACK, probes, timeouts */
	XTCP_N_DELACK,		/* the delayed-ACK timer sent an ACK */
	XTCP_N_WINPROBE,	/* zero-window probe sent */
	XTCP_N_KEEPALIVE,	/* keep-alive probe sent */
	XTCP_N_RTO,		/* retransmission timer expired */
	/* timestamps (ts) */
	XTCP_N_PAWS_DROP,	/* segment rejected by PAWS (RFC 7323 §5) */
	/* loss recovery (recov) */
	XTCP_N_FAST_RETRANS,	/* retransmission in fast recovery */
	XTCP_N_SACK_RECOVERY,	/* RFC 6675 recovery entered */
	XTCP_N_RENO_RECOVERY,	/* RFC 6582 recovery entered */
	XTCP_N_LOSS_PROBE,	/* tail loss probe sent */
	XTCP_N_LOSS_PROBE_RECOVERY, /* a loss repaired by a probe */
	XTCP_N_SACK_REORDER,	/* reordering detected from SACKs */
	XTCP_N_DSACK_UNDO,	/* recovery undone: all of it was spurious */
	XTCP_N_SPURIOUS_RTO,	/* RTO undone by D-SACKs */
	XTCP_N_LOSS_UNDO,	/* RTO undone by timestamps (RFC 3522) */
	XTCP_N_PARTIAL_UNDO,	/* recovery undone by timestamps */
	XTCP_N_SACK_BLOCKS,	/* valid SACK block received */
	XTCP_N_SACK_DISCARD,	/* invalid SACK block ignored */
	XTCP_N_DSACK_RECV,	/* D-SACK received */
	XTCP_N_RACK_TIMEOUT,	/* RACK reordering timer marked losses */
	XTCP_N_LOST_RETRANS,	/* a retransmission was lost again */
	XTCP_N_SACK_RENEGING,	/* the peer dropped data it had SACKed */
	/* ECN (RFC 3168): xtcp_ecn.c */
	XTCP_N_DELIVERED_CE,	/* a segment delivered, acknowledged with ECE */
	XTCP_N_ECN_REDUCE,	/* cwnd reduced for an ECE (§6.1.2) */
	XTCP_N_ECN_CE_RCVD,	/* a data segment arrived CE-marked */
	/* ACKs not sent: p.invalid_ratelimit (as tcp_oow_rate_limited) */
	XTCP_N_ACK_SKIP_PAWS,	/* for a segment PAWS rejected */
	XTCP_N_ACK_SKIP_SEQ,	/* for a segment outside the window */
	XTCP_N_ACK_SKIP_CHALLENGE, /* a challenge ACK (RFC 5961) */
	XTCP_N_ACK_SKIP_TW,	/* any of them in TIME-WAIT */
	XTCP_N_MAX
};

/* SACK blocks a segment carries at most (RFC 2018 §3: 4 without
 * timestamps, 3 with them)
 */
#define XTCP_MAX_SACK_BLOCKS	4

/* one SACK block [start, end) (RFC 2018 §3) */
struct xtcp_sack_block {
	u32 start;
	u32 end;
};

/**
 * struct xtcp_seg - a parsed segment, host byte order
 * @seq: SEG.SEQ
 * @ack: SEG.ACK (meaningful when XTCP_ACK is set)
 * @flags: XTCP_* header flags, and the IP ECN field (XTCP_IP_ECN_MASK)
 * @wnd: the raw 16-bit window field, not yet scaled
 * @len: payload bytes (SYN and FIN not counted)
 * @mss: MSS option value, 0 when absent
 * @wscale: window scale option shift, or -1 when absent
 * @sack_ok: SACK-permitted option present (RFC 2018 §2; SYNs only)
 * @ts_ok: timestamps option present (RFC 7323 §3); @tsval, @tsecr valid
 * @nsack: SACK blocks the segment carries (RFC 2018 §3)
 * @urg_ptr: SEG.UP (meaningful when XTCP_URG is set)
 * @tsval: TSval
 * @tsecr: TSecr
 * @sack: the @nsack blocks in the order received, or NULL when the glue
 *	did not decode them (the segment then counts as carrying none)
 *
 * Small enough for skb->cb: the glue decodes SACK blocks into a stack
 * array only when it hands the segment to the core.
 */
struct xtcp_seg {
	u32 seq;
	u32 ack;
	u16 flags;
	u16 wnd;
	u32 len;
	u16 mss;
	s8 wscale;
	u8 sack_ok;
	u8 ts_ok;
	u8 nsack;
	u16 urg_ptr;
	u32 tsval;
	u32 tsecr;
	const struct xtcp_sack_block *sack;
};

/* SEG.LEN of RFC 9293: payload plus one for each of SYN and FIN */
static inline u32 xtcp_seg_seqlen(const struct xtcp_seg *seg)
{
	return seg->len + !!(seg->flags & XTCP_SYN) + !!(seg->flags & XTCP_FIN);
}

/**
 * struct xtcp_out - a segment the core asks the glue to emit
 * @seq: sequence number
 * @ack: acknowledgment number (valid when XTCP_ACK is set)
 * @flags: XTCP_* flags
 * @wnd: window field as it goes on the wire (already scaled down)
 * @len: payload bytes, taken from the send buffer starting at @seq
 * @mss: MSS option to put in a SYN, 0 for none
 * @wscale: window scale option for a SYN, -1 for none
 * @rtx: this is a retransmission (counters only)
 * @sack_ok: put SACK-permitted in a SYN (RFC 2018 §2)
 * @ts_ok: put a timestamps option with @tsval, @tsecr (RFC 7323 §3)
 * @nsack: SACK blocks to put, most recent first (RFC 2018 §4); the glue
 *	puts as many as fit beside the other options (3 with timestamps)
 * @ect: mark the packet ECT(0) in its IP header (RFC 3168 §6.1.2)
 * @tsval: TSval
 * @tsecr: TSecr
 * @sack: the SACK blocks
 */
struct xtcp_out {
	u32 seq;
	u32 ack;
	u16 flags;
	u16 wnd;
	u32 len;
	u16 mss;
	s8 wscale;
	bool rtx;
	u8 sack_ok;
	u8 ts_ok;
	u8 nsack;
	u8 ect;
	u32 tsval;
	u32 tsecr;
	struct xtcp_sack_block sack[XTCP_MAX_SACK_BLOCKS];
};

struct xtcp_tcb;
struct xtcp_cc_ops;

/* private state of a congestion control, as Linux's ICSK_CA_PRIV_SIZE
 * (CUBIC's 88 bytes are the most; each algorithm checks it fits)
 */
#define XTCP_CC_PRIV_U64	11

/**
 * struct xtcp_core_ops - what the core needs from its environment
 * @now: current time in milliseconds (monotonic)
 * @output: emit one segment; payload bytes are [o->seq, o->seq + o->len)
 *	of the send stream. Returns 0 or a negative errno (segment not sent;
 *	the core treats it as lost)
 * @timer_set: (re)arm @t to fire @ms milliseconds from now
 * @timer_clear: stop @t (no-op when not armed)
 * @rcv_data: bytes [@off, @off + @len) of the segment being processed are
 *	accepted in order and must be queued for the user. Returns false
 *	when memory does not allow it: the bytes are not acknowledged
 * @rcv_space: receive window the memory allows, in bytes (from
 *	xtcp_rcv_space_calc()); the core never shrinks the right edge
 * @state_change: the TCB moved from @old to tcb->state. Must not free the
 *	TCB; the glue acts on CLOSED / TIME-WAIT after the core returns
 * @error: report an error to the user: -ECONNREFUSED, -ECONNRESET,
 *	-ETIMEDOUT, -EPIPE
 * @event: something the user may wait for changed (readable, writable,
 *	acked, connected); a hint for wake-ups
 * @note: count an event (enum xtcp_note); may be NULL
 * @ofo_hold: bytes [@off, @off + @len) of the segment being processed,
 *	starting at sequence number @seq above RCV.NXT, are to be held out
 *	of order (the glue trims what it holds already). Returns false when
 *	memory does not allow it. May be NULL: nothing is held
 * @ofo_pull: held bytes below @to are in order now: those in [@from, @to)
 *	go to the user in sequence, those below @from are duplicates
 * @now_us: current time in microseconds (same clock); NULL: now() * 1000
 */
struct xtcp_core_ops {
	u64 (*now)(struct xtcp_tcb *tcb);
	int (*output)(struct xtcp_tcb *tcb, const struct xtcp_out *o);
	void (*timer_set)(struct xtcp_tcb *tcb, enum xtcp_timer t, u32 ms);
	void (*timer_clear)(struct xtcp_tcb *tcb, enum xtcp_timer t);
	bool (*rcv_data)(struct xtcp_tcb *tcb, u32 off, u32 len);
	u32 (*rcv_space)(struct xtcp_tcb *tcb);
	void (*state_change)(struct xtcp_tcb *tcb, enum xtcp_state old);
	void (*error)(struct xtcp_tcb *tcb, int err);
	void (*event)(struct xtcp_tcb *tcb);
	void (*note)(struct xtcp_tcb *tcb, enum xtcp_note n);
	bool (*ofo_hold)(struct xtcp_tcb *tcb, u32 off, u32 len, u32 seq);
	void (*ofo_pull)(struct xtcp_tcb *tcb, u32 from, u32 to);
	u64 (*now_us)(struct xtcp_tcb *tcb);
};

/**
 * struct xtcp_params - per-connection tunables, copied from the netns
 *	sysctls when the TCB is set up
 * @msl_ms: maximum segment lifetime; TIME-WAIT lasts 2 * msl_ms
 * @fin_timeout_ms: limit for an orphaned FIN-WAIT-2
 * @rto_init_ms: initial RTO (RFC 6298 §2.1: 1 s)
 * @rto_min_ms: lower bound of the RTO
 * @rto_max_ms: upper bound of the RTO
 * @syn_retries: SYN retransmissions before ETIMEDOUT
 * @synack_retries: SYN-ACK retransmissions before the half-open entry dies
 * @retries: data/FIN retransmissions before ETIMEDOUT (R2 of RFC 9293)
 * @delack_ms: delayed ACK timeout
 * @orphan_retries: zero-window probes of an orphan (0: 8 while the probe
 *	interval is below rto_max_ms), as Linux's tcp_orphan_retries
 * @sack: offer and accept SACK (RFC 2018), as Linux's tcp_sack
 * @keepalive_time: idle seconds before the first keep-alive probe
 *	(TCP_KEEPIDLE; tcp_keepalive_time)
 * @keepalive_intvl: seconds between probes (TCP_KEEPINTVL)
 * @keepalive_probes: unanswered probes before the connection is dropped
 *	(TCP_KEEPCNT)
 * @timestamps: offer and accept timestamps (RFC 7323), as tcp_timestamps
 * @ecn: ECN (RFC 3168) as tcp_ecn: 0 off, 1 request it and accept it,
 *	2 accept it when the peer requests it
 * @invalid_ratelimit: ms between two ACKs answering segments without data
 *	that failed the sequence or PAWS test, or challenge ACKs (RFC 5961
 *	§7), as tcp_invalid_ratelimit; 0: no limit
 */
struct xtcp_params {
	u32 msl_ms;
	u32 fin_timeout_ms;
	u32 rto_init_ms;
	u32 rto_min_ms;
	u32 rto_max_ms;
	u8 syn_retries;
	u8 synack_retries;
	u8 retries;
	u8 orphan_retries;
	u8 sack;
	u32 delack_ms;
	/* sender: keep-alive (RFC 1122 §4.2.3.6), Linux's units */
	u32 keepalive_time;
	u32 keepalive_intvl;
	u8 keepalive_probes;
	u8 timestamps;
	u8 ecn;
	u32 invalid_ratelimit;
};

/* tcb->fl bits */
#define XTCP_F_FIN_QUEUED	BIT(0)	/* user closed the send side */
#define XTCP_F_FIN_SENT		BIT(1)	/* FIN occupies seq snd_end */
#define XTCP_F_FIN_RCVD		BIT(2)	/* peer's FIN consumed: EOF */
#define XTCP_F_ORPHAN		BIT(3)	/* no user any more (close()d) */
#define XTCP_F_RTT_TIMING	BIT(4)	/* rtt_seq/rtt_ts valid (Karn) */
#define XTCP_F_SHUT_RD		BIT(5)	/* data received is discarded */
#define XTCP_F_PASSIVE		BIT(6)	/* came from a LISTEN (for SYN-RCVD) */
#define XTCP_F_OOW_ACKED	BIT(7)	/* last_oow_ack is valid */

/**
 * struct xtcp_tcb - transmission control block (RFC 9293 §3.3.1)
 *
 * Sequence variables are absolute 32-bit numbers. Windows are in bytes,
 * already scaled. Times are in milliseconds of ops->now().
 */
struct xtcp_tcb {
	const struct xtcp_core_ops *ops;
	struct xtcp_params p;
	u8 state;		/* enum xtcp_state */
	u8 snd_wscale;		/* shift applied to the peer's window */
	u8 rcv_wscale;		/* shift we apply to our window */
	u8 wscale_ok;		/* both sides sent the option */
	u8 sack_ok;		/* both sides sent SACK-permitted */
	u8 ts_ok;		/* both sides sent timestamps (RFC 7323 §3.2) */
	u8 now_valid;		/* @now_us holds this segment's clock */
	u32 fl;			/* XTCP_F_* */

	/* send sequence space */
	u32 iss;
	u32 snd_una;
	u32 snd_nxt;
	u32 snd_max;		/* highest seq sent + 1 (go-back-N resends) */
	u32 snd_end;		/* end of user data queued by the glue */
	u32 snd_wnd;		/* peer's window in bytes */
	u32 snd_wl1;
	u32 snd_wl2;
	u32 max_wnd;		/* largest window the peer offered */

	/* receive sequence space */
	u32 irs;
	u32 rcv_nxt;
	u32 rcv_wnd;		/* window last advertised */
	u32 rcv_adv;		/* rcv_nxt + rcv_wnd at last advertisement */
	u32 rcv_ssthresh;	/* window offered at most (0: no bound) */

	/* MSS (RFC 9293 §3.7.1, RFC 6691) */
	u16 snd_mss;		/* effective MSS for sending */
	u16 rcv_mss;		/* MSS we advertise (from the route MTU) */

	/* congestion control, RFC 5681 */
	u32 cwnd;
	u32 ssthresh;

	/* RTO, RFC 6298; srtt/rttvar scaled by 8 and 4 as in the RFC code */
	u32 srtt_us;
	u32 rttvar_us;
	u32 rto_ms;
	u32 rtt_seq;		/* segment being timed */
	u64 rtt_ts;		/* when it was sent */
	u8 backoff;		/* consecutive RTO expirations */
	u8 syn_tries;		/* SYN or SYN-ACK retransmissions so far */
	u8 probes;		/* zero-window probes (backoff) */
	u8 probes_out;		/* probes since the last ACK */
	u8 delack_pending;	/* data segments received but not ACKed */
	u8 ecn;			/* XTCP_ECN_* (RFC 3168): xtcp_ecn.c */
	u16 timers;		/* BIT(enum xtcp_timer) armed by the core */

	/* statistics for xtcp_info */
	u32 retransmits;
	u32 lost_total;		/* sequence space ever marked lost */
	u64 bytes_sent;		/* payload bytes sent, retransmits included */
	u64 bytes_acked;
	u64 bytes_received;

	/* out-of-order queue, SACK and D-SACK generation (ofo) */
	struct xtcp_ofo ofo;
	/* congestion control (cc): xtcp_cc.h */
	const struct xtcp_cc_ops *cc_ops;	/* NULL until xtcp_cc_init() */
	u32 cc_frac;		/* slow-start bytes short of a whole SMSS */
	u32 cc_cnt;		/* bytes acked toward the next CA increment */
	u32 cc_prior_cwnd;	/* before the last loss event (undo) */
	u32 cc_prior_ssthresh;
	u64 cc_lsnd;		/* when data was last sent (ops->now()) */
	/* the algorithm's own state: XTCP_CC_PRIV_U64 words the environment
	 * provides (xtcp_core_init()), the icsk's icsk_ca_priv in the module
	 */
	u64 *cc_priv;
	/* sender: Nagle/cork, delayed ACK, keep-alive, user timeout */
	u8 nonagle;		/* XTCP_NAGLE_* */
	u8 send_how;		/* XTCP_SEND_* of the output in progress */
	u8 quick;		/* quick ACKs left (Linux's icsk_ack.quick) */
	u8 pingpong;		/* TCP_QUICKACK 0: ACKs wait for the timer */
	u8 ack_started;		/* the first data segment came */
	u8 keepalive;		/* SO_KEEPALIVE */
	u16 rcv_seg_mss;	/* peer's segment size (tcp_measure_rcv_mss) */
	u32 rcv_wup;		/* rcv_nxt when the last ACK went out */
	u32 snd_sml;		/* end of the last small segment (Minshall) */
	u32 lrcv_ts;		/* last data received (ms, 32 bits) */
	u32 rcv_tstamp;		/* last acceptable ACK received */
	u32 una_ts;		/* unacknowledged data outstanding since */
	u32 probe_ts;		/* first zero-window probe, 0: none */
	u32 user_timeout;	/* ms, 0: off (RFC 5482) */
	/* timestamps (RFC 7323) and the receiver's RTT estimate: part "ts" */
	u32 ts_off;		/* random per-connection offset of TSval */
	u32 ts_recent;		/* TS.Recent (§4.3) */
	u32 last_ack_sent;	/* Last.ACK.sent (§4.3) */
	u64 ts_recent_stamp;	/* ops->now() when TS.Recent was set */
	u64 last_oow_ack;	/* ops->now() of the last rate-limited ACK */
	u32 rcv_rtt_us;		/* receiver RTT << 3 (tcp_rcv_rtt_est) */
	u32 rcv_rtt_tsecr;	/* TSecr of the last receiver sample */
	u32 rcv_rtt_seq;	/* without timestamps: rcv_nxt + rcv_wnd */
	u32 cc_rtt_us;		/* cc: RTT sample taken on the ACK in hand */
	u64 rcv_rtt_time;	/* ... when the measure began (ms) */
	/* loss recovery (recov): RFC 6675, 6582, 6937, 8985; times in us */
	struct xtcp_sb sb;	/* segments in flight */
	u8 ca_state;		/* XTCP_CA_* */
	u8 dupacks;		/* RFC 5681 duplicate ACKs (no SACK) */
	u8 reo_wnd_mult;	/* RFC 8985 §6.2 step 4 */
	u8 reo_wnd_persist;
	bool reord_seen;	/* RACK.reordering_seen */
	bool tlp_retrans;	/* the probe was a retransmission */
	bool undo_ok;		/* the episode may still prove spurious */
	bool undo_rto;		/* the episode began with an RTO */
	bool reno_rec;		/* recovery entered on dupACKs, no SACKs */
	bool sack_seen;		/* the peer sent a SACK block once */
	bool undo_ts;		/* undo_tsval is set */
	u8 frto;		/* XTCP_FRTO_*: RFC 5682 after an RTO */
	u32 recover;		/* RFC 6582 recover, RFC 6675 RecoveryPoint */
	u32 recover_fs;		/* RFC 6937 RecoverFS */
	u32 prr_delivered;
	u32 prr_out;
	u32 reno_sacked;	/* dupACKs as SACKed bytes (no SACK) */
	u32 undo_retrans;	/* retransmissions not yet D-SACKed */
	u32 undo_tsval;		/* TSval of the episode's first retransmission */
	u32 tlp_high_seq;	/* SND.MAX when the probe went, 0: none */
	u32 dsack_seq;		/* reo_wnd grows once per round trip */
	u32 rack_end;		/* RACK.end_seq */
	u32 rack_rtt_us;	/* RACK.rtt */
	u64 rack_xmit_us;	/* RACK.xmit_ts */
	u64 now_us;		/* ops->now_us() read once per segment */
	u32 min_rtt_us;		/* RACK.min_RTT */
	u32 delivered;		/* sequence space delivered (rate samples) */
	u64 min_rtt_stamp_us;
	u64 delivery_rate;	/* bytes/s of the last rate sample */
	u32 reordering;		/* reordering degree seen, in segments */
	/* urgent data (oob): xtcp_urg.h */
	struct xtcp_urg urg;
	u32 ecn_high;		/* ECN: the reduction ends past this (high_seq) */
};

/* tcb->ecn bits (as Linux's TCP_ECN_*) */
#define XTCP_ECN_OK		BIT(0)	/* negotiated (RFC 3168 §6.1.1) */
#define XTCP_ECN_QUEUE_CWR	BIT(1)	/* CWR on the next new data */
#define XTCP_ECN_DEMAND_CWR	BIT(2)	/* ECE on all we send until CWR */
#define XTCP_ECN_SEEN		BIT(3)	/* an ECT or CE segment came */
#define XTCP_ECN_CWR		BIT(4)	/* cwnd reduced for ECE (CWR state) */
#define XTCP_ECN_ECE_ACK	BIT(5)	/* the ACK in hand carries ECE */

/* tcb->frto: where F-RTO (RFC 5682 §3) stands after an RTO */
enum {
	XTCP_FRTO_OFF,
	XTCP_FRTO_WAIT,		/* step 2: the first ACK after the RTO */
	XTCP_FRTO_NEW,		/* step 3: new data sent, the second ACK */
};

/* tcb->ca_state (as Linux's TCP_CA_Open, _Recovery, _Loss) */
enum {
	XTCP_CA_OPEN,
	XTCP_CA_RECOVERY,	/* fast recovery, RFC 6675 / RFC 6582 */
	XTCP_CA_LOSS,		/* after an RTO, until RecoveryPoint */
};

/* enum xtcp_state to Linux's TCP_* numbering, for sk_state and /proc */
static inline int xtcp_linux_state(unsigned int s)
{
	static const u8 map[XTCP_NSTATES] = {
		[XTCP_CLOSED] = TCP_CLOSE,
		[XTCP_LISTEN] = TCP_LISTEN,
		[XTCP_SYN_SENT] = TCP_SYN_SENT,
		[XTCP_SYN_RECEIVED] = TCP_SYN_RECV,
		[XTCP_ESTABLISHED] = TCP_ESTABLISHED,
		[XTCP_FIN_WAIT_1] = TCP_FIN_WAIT1,
		[XTCP_FIN_WAIT_2] = TCP_FIN_WAIT2,
		[XTCP_CLOSE_WAIT] = TCP_CLOSE_WAIT,
		[XTCP_CLOSING] = TCP_CLOSING,
		[XTCP_LAST_ACK] = TCP_LAST_ACK,
		[XTCP_TIME_WAIT] = TCP_TIME_WAIT,
	};

	return s < XTCP_NSTATES ? map[s] : TCP_CLOSE;
}

/* enum xtcp_state to the name RFC 9293 uses, for logs and /proc */
const char *xtcp_state_name(unsigned int state);

/**
 * xtcp_rcv_space_calc() - the receive window memory allows (RFC 9293
 *	§3.8.6.2.2, as Linux's __tcp_select_window)
 * @rcvbuf: sk_rcvbuf, charged by skb truesize
 * @rmem: sk_rmem_alloc, truesize of what is queued
 * @mss: our MSS
 * @pressure: the protocol is under global memory pressure
 *
 * Half the free buffer (truesize is about twice the payload); under
 * pressure at most 4 MSS; less than one MSS (at most half the buffer) or
 * 1/16 of the buffer offers nothing (receiver SWS avoidance).
 * Return: window in bytes.
 */
u32 xtcp_rcv_space_calc(u32 rcvbuf, u32 rmem, u32 mss, bool pressure);

/* §3.10.7.4: is @seg acceptable for the TCB's receive window? */
bool xtcp_seg_acceptable(const struct xtcp_tcb *tcb,
			 const struct xtcp_seg *seg);

/**
 * xtcp_core_init() - set up a CLOSED TCB
 * @tcb: the TCB (zeroed by the caller)
 * @ops: environment
 * @p: tunables
 * @rcv_mss: MSS to advertise
 * @rcv_wscale: window scale shift we will offer (0..14)
 */
void xtcp_core_init(struct xtcp_tcb *tcb, const struct xtcp_core_ops *ops,
		    const struct xtcp_params *p, u64 *cc_priv, u16 rcv_mss,
		    u8 rcv_wscale);

/* OPEN, active (§3.10.1): CLOSED -> SYN-SENT, emits SYN. */
int xtcp_core_connect(struct xtcp_tcb *tcb, u32 iss);

/* OPEN, passive (§3.10.1): CLOSED -> LISTEN. */
int xtcp_core_listen(struct xtcp_tcb *tcb);

enum xtcp_listen_verdict {
	XTCP_LV_DROP,		/* ignore the segment */
	XTCP_LV_RESET,		/* answer with xtcp_core_reset_for() */
	XTCP_LV_SYN,		/* a new connection: create a child */
};

/* §3.10.7.2: what a LISTEN socket does with @seg */
enum xtcp_listen_verdict xtcp_core_listen_input(const struct xtcp_seg *seg);

/**
 * xtcp_core_accept_syn() - set up a child TCB for a SYN a listener took:
 *	it enters SYN-RECEIVED and emits the SYN-ACK (§3.10.7.2)
 * @child: TCB prepared by xtcp_core_init()
 * @seg: the SYN
 * @iss: initial send sequence number
 */
void xtcp_core_accept_syn(struct xtcp_tcb *child, const struct xtcp_seg *seg,
			  u32 iss);

/**
 * xtcp_core_reset_for() - the RST answering @seg when no TCB exists
 *	(§3.10.7.1, reset generation of §3.5.2)
 * Return: false when @seg is itself a RST (never answered).
 */
bool xtcp_core_reset_for(const struct xtcp_seg *seg, struct xtcp_out *o);

/* SEGMENT ARRIVES for any state but CLOSED and LISTEN (§3.10.7.3-4). */
void xtcp_core_input(struct xtcp_tcb *tcb, const struct xtcp_seg *seg);

/*
 * SEND (§3.10.2): the glue appended data, tcb->snd_end already advanced.
 * Transmits what the windows allow. Also used to push after window opens.
 */
void xtcp_core_output(struct xtcp_tcb *tcb);

/* RECEIVE (§3.10.3): the user consumed data; may send a window update. */
void xtcp_core_recvd(struct xtcp_tcb *tcb);

/*
 * CLOSE (§3.10.4) of the send side: queue a FIN after the data
 * (shutdown(SHUT_WR) and close() both). LISTEN and SYN-SENT go to CLOSED.
 * Returns -ENOTCONN in CLOSED.
 */
int xtcp_core_close(struct xtcp_tcb *tcb);

/* ABORT (§3.10.5): RST if synchronized, then CLOSED. */
void xtcp_core_abort(struct xtcp_tcb *tcb);

/*
 * A hard error from the network (ICMP during an active open, RFC 1122
 * §4.2.3.9): report -@err to the user (none when @err is 0) and go to
 * CLOSED without a RST.
 */
void xtcp_core_fail(struct xtcp_tcb *tcb, int err);

/*
 * Path MTU discovery (RFC 1191 §6.3, RFC 8201 §5.2): the path takes no
 * more than @mss bytes of payload. Lowers SND.MSS and resends what is in
 * flight at once (the bigger segments were dropped), without a congestion
 * response. Returns false when @mss is not below the current MSS.
 */
bool xtcp_core_mtu_reduced(struct xtcp_tcb *tcb, u16 mss);

/*
 * SYN cookies (RFC 4987 §3.6): set up a child TCB in SYN-RECEIVED for a
 * SYN answered statelessly, rebuilt from the completing ACK: @syn carries
 * SEG.SEQ = the ACK's SEQ - 1 and the MSS and window scale the cookie
 * recorded, @iss is the cookie. Nothing is emitted and no timer armed;
 * the glue then passes the ACK to xtcp_core_input(), which completes the
 * handshake (and takes any data it carries).
 */
void xtcp_core_cookie_child(struct xtcp_tcb *child,
			    const struct xtcp_seg *syn, u32 iss);

/*
 * TIME-WAIT (§3.10.7.4, as Linux does): may a SYN for this 4-tuple start a
 * new incarnation? True when SEG.SEQ is beyond rcv_nxt; the glue then ends
 * the TIME-WAIT and gives the SYN to the listener with an ISS above
 * snd_nxt. Otherwise the SYN goes to xtcp_core_input() (challenge ACK).
 */
bool xtcp_core_tw_syn_ok(const struct xtcp_tcb *tcb,
			 const struct xtcp_seg *seg);

/**
 * struct xtcp_tw_tcb - what a connection in TIME-WAIT keeps of its TCB
 * (RFC 9293 §3.6.1): enough to re-acknowledge a retransmitted FIN and
 * restart 2*MSL, answer old duplicates and RSTs (RFC 5961, RFC 1337),
 * apply PAWS (RFC 7323 §5) and judge a SYN that reopens the 4-tuple.
 * The rest of the TCB (congestion control, RTT, queues, scoreboard) is
 * not needed once everything is acknowledged, so the object holding a
 * TIME-WAIT stays smaller than Linux's tcp_timewait_sock.
 * Field names are those of struct xtcp_tcb.
 */
struct xtcp_tw_tcb {
	u32 fl;
	u32 iss, snd_una, snd_nxt, snd_max, snd_end, snd_wnd, snd_wl1;
	u32 snd_wl2, max_wnd;
	u32 irs, rcv_nxt, rcv_wnd, rcv_adv, rcv_wup;
	u32 ts_off, ts_recent, last_ack_sent;
	u32 ts_recent_stamp;	/* ops->now() (ms) truncated to 32 bits */
	u32 last_oow_ack;	/* the same */
	u32 msl_ms, invalid_ratelimit;
	u16 snd_mss, rcv_mss;
	u16 timers;
	u8 state, snd_wscale, rcv_wscale, wscale_ok, sack_ok, ts_ok;
	u8 p_sack, p_timestamps;
};

/* Keep what TIME-WAIT needs of @tcb in @tw. */
void xtcp_core_tw_save(const struct xtcp_tcb *tcb, struct xtcp_tw_tcb *tw);

/*
 * Rebuild in @tcb, for one core call (xtcp_core_input() or
 * xtcp_core_timeout()), the TCB that @tw keeps; then xtcp_core_tw_save()
 * stores its changes back. @now is ops->now() for the timestamp age.
 */
void xtcp_core_tw_load(struct xtcp_tcb *tcb, const struct xtcp_tw_tcb *tw,
		       const struct xtcp_core_ops *ops, u64 now);

/*
 * Sender behaviour (part "sender"): Nagle (RFC 9293 §3.7.4), TCP_CORK,
 * MSG_MORE, sender SWS avoidance (§3.8.6.2.1), TCP_QUICKACK, keep-alive.
 */
#define XTCP_NAGLE_OFF		BIT(0)	/* TCP_NODELAY */
#define XTCP_NAGLE_CORK		BIT(1)	/* TCP_CORK */

#define XTCP_SEND_MORE		BIT(0)	/* MSG_MORE: hold a partial segment */
#define XTCP_SEND_PUSH		BIT(1)	/* Nagle and cork yield (NAGLE_PUSH) */
#define XTCP_SEND_PROBE		BIT(2)	/* one held segment goes regardless */

/* the cork/SWS hold ends after max(RTO, this) (Linux's tcp_probe0_base) */
#define XTCP_HOLD_MIN_MS	200

/* the soonest RTO after SACK reneging is seen (tcp_check_sack_reneging) */
#define XTCP_RENEGE_MIN_MS	10

/* SEND with a hint: @how is XTCP_SEND_* for this call only. */
void xtcp_core_send(struct xtcp_tcb *tcb, unsigned int how);

/* TCP_NODELAY: on pushes what Nagle held, at once (as Linux). */
void xtcp_core_set_nodelay(struct xtcp_tcb *tcb, bool on);

/* TCP_CORK: off sends what the cork held (Nagle still applies). */
void xtcp_core_set_cork(struct xtcp_tcb *tcb, bool on);

/* TCP_QUICKACK as Linux's __tcp_sock_set_quickack(). */
void xtcp_core_set_quickack(struct xtcp_tcb *tcb, int val);

/* SO_KEEPALIVE: arms or stops the keep-alive timer (tcp_set_keepalive). */
void xtcp_core_set_keepalive(struct xtcp_tcb *tcb, bool on);

/* TCP_KEEPIDLE (s): re-arms a running keep-alive timer, as Linux. */
void xtcp_core_set_keepidle(struct xtcp_tcb *tcb, u32 secs);

/* A timer the core armed fired (§3.10.8). */
void xtcp_core_timeout(struct xtcp_tcb *tcb, enum xtcp_timer t);

/* Free what the TCB owns (the scoreboard); any state. */
void xtcp_core_destroy(struct xtcp_tcb *tcb);

/* Fill a struct xtcp_info from the TCB. */
void xtcp_core_info(const struct xtcp_tcb *tcb, struct xtcp_info *info);

/* ---- timestamps (RFC 7323), xtcp_ts.c ---- */

/* bytes a timestamps option takes in every segment once negotiated */
#define XTCP_TS_OPT_LEN		12
/* §5.5: TS.Recent is invalid after 24 days of idleness */
#define XTCP_PAWS_IDLE_MS	(24ULL * 24 * 3600 * 1000)

u32 xtcp_ts_now(struct xtcp_tcb *tcb);
void xtcp_ts_syn_options(struct xtcp_tcb *tcb, const struct xtcp_seg *seg);
void xtcp_ts_out(struct xtcp_tcb *tcb, struct xtcp_out *o);
bool xtcp_ts_paws_reject(struct xtcp_tcb *tcb, const struct xtcp_seg *seg);
void xtcp_ts_update_recent(struct xtcp_tcb *tcb, const struct xtcp_seg *seg);
s64 xtcp_ts_rtt_ms(struct xtcp_tcb *tcb, const struct xtcp_seg *seg);
void xtcp_ts_rcv_rtt(struct xtcp_tcb *tcb, const struct xtcp_seg *seg);
void xtcp_rcv_rtt_measure(struct xtcp_tcb *tcb);

/* ---- ECN (RFC 3168), xtcp_ecn.c ---- */

void xtcp_ecn_connect(struct xtcp_tcb *tcb);
void xtcp_ecn_accept(struct xtcp_tcb *tcb);
void xtcp_ecn_syn_in(struct xtcp_tcb *tcb, const struct xtcp_seg *seg);
void xtcp_ecn_syn_out(struct xtcp_tcb *tcb, struct xtcp_out *o, bool rtx);
void xtcp_ecn_out(struct xtcp_tcb *tcb, struct xtcp_out *o);
bool xtcp_ecn_rcv(struct xtcp_tcb *tcb, const struct xtcp_seg *seg);
void xtcp_ecn_ack(struct xtcp_tcb *tcb, const struct xtcp_seg *seg);
bool xtcp_ecn_acked(struct xtcp_tcb *tcb, u32 delivered);

/* a loss response reduced the window: CWR goes out too (as Linux) */
static inline void xtcp_ecn_queue_cwr(struct xtcp_tcb *tcb)
{
	if (tcb->ecn & XTCP_ECN_OK)
		tcb->ecn |= XTCP_ECN_QUEUE_CWR;
}

/* payload bytes a full segment carries: SND.MSS less the options every
 * segment has (RFC 6691 §3; as Linux's mss_cache)
 */
static inline u32 xtcp_send_mss(const struct xtcp_tcb *tcb)
{
	return tcb->snd_mss - (tcb->ts_ok ? XTCP_TS_OPT_LEN : 0);
}

#endif /* _XTCP_CORE_H */
