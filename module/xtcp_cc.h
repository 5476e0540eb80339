/* SPDX-License-Identifier: GPL-2.0 */
/*
 * XTCP congestion control: a small pluggable interface (as Linux's struct
 * tcp_congestion_ops) with CUBIC (RFC 9438, the default) and Reno
 * (RFC 5681), HyStart++ (RFC 9406) for CUBIC's initial slow start and
 * cwnd restart after idle. Pure core: state lives in the TCB (tcb->cc_priv,
 * as Linux's icsk_ca_priv), time comes from ops->now(), no allocation.
 *
 * cwnd and ssthresh stay in bytes, as the rest of the core keeps them;
 * cwnd only grows by whole segments (as Linux counts it), so a full window
 * never ends in a runt segment.
 */
#ifndef _XTCP_CC_H
#define _XTCP_CC_H

#include "xtcp_core.h"

#define XTCP_CC_NAME_MAX	16	/* TCP_CA_NAME_MAX */
#define XTCP_INFINITE_SSTHRESH_B 0x7fffffffU	/* initial ssthresh, bytes */

/**
 * struct xtcp_cc_ops - one congestion control algorithm
 * @name: as TCP_CONGESTION and net.xtcp.congestion_control spell it,
 *	NUL-padded to XTCP_CC_NAME_MAX (getsockopt copies the padding)
 * @init: the connection reached ESTABLISHED (or switched algorithm);
 *	tcb->cc_priv is zeroed before
 * @cong_avoid: grow cwnd for @acked newly acknowledged bytes, outside
 *	loss recovery, when the sender is cwnd-limited; @rtt_us is an RTT
 *	sample taken on this ACK, 0 when there is none
 * @ssthresh: the slow-start threshold after a loss event (bytes)
 * @on_rto: the retransmission timer fired and cwnd is the loss window
 *	(optional)
 * @undo: the last loss event was spurious; the generic part restored
 *	cwnd and ssthresh (optional)
 * @tx_start: sending resumes with nothing in flight after @idle_ms
 *	(optional)
 */
struct xtcp_cc_ops {
	char name[XTCP_CC_NAME_MAX];
	void (*init)(struct xtcp_tcb *tcb);
	void (*cong_avoid)(struct xtcp_tcb *tcb, u32 acked, u32 rtt_us);
	u32 (*ssthresh)(struct xtcp_tcb *tcb);
	void (*on_rto)(struct xtcp_tcb *tcb);
	void (*undo)(struct xtcp_tcb *tcb);
	void (*tx_start)(struct xtcp_tcb *tcb, u32 idle_ms);
};

extern const struct xtcp_cc_ops xtcp_cubic;
extern const struct xtcp_cc_ops xtcp_reno;

/* the algorithm named @name, or NULL (names compare as Linux: exact) */
const struct xtcp_cc_ops *xtcp_cc_find(const char *name);

/* the built-in default: CUBIC */
const struct xtcp_cc_ops *xtcp_cc_default(void);

/* "reno cubic", as tcp_available_congestion_control; returns the length */
int xtcp_cc_available(char *buf, size_t len);

/*
 * Use @ops for @tcb (TCP_CONGESTION): re-initialised at once on a
 * connection that is already synchronized, as tcp_reinit_congestion_control.
 */
void xtcp_cc_select(struct xtcp_tcb *tcb, const struct xtcp_cc_ops *ops);

/* the algorithm in force, tcb->cc_ops or the default */
const struct xtcp_cc_ops *xtcp_cc_ops_of(const struct xtcp_tcb *tcb);

/* the contract the rest of the core codes against */
void xtcp_cc_init(struct xtcp_tcb *tcb);
void xtcp_cc_on_ack(struct xtcp_tcb *tcb, u32 acked, u32 rtt_us);
u32 xtcp_cc_ssthresh(struct xtcp_tcb *tcb);
void xtcp_cc_on_rto(struct xtcp_tcb *tcb);
void xtcp_cc_undo(struct xtcp_tcb *tcb);

/*
 * The sender is about to send with nothing in flight: cwnd restart after
 * an idle period longer than the RTO (RFC 5681 §4.1, with the decay of
 * Linux's tcp_cwnd_restart / RFC 2861), and the algorithm's tx_start.
 */
void xtcp_cc_tx_start(struct xtcp_tcb *tcb);

/* a data segment was sent now (for the idle test above) */
void xtcp_cc_sent(struct xtcp_tcb *tcb);

/* ---- building blocks, exported for the KUnit suite ---- */

/* RFC 9406 constants */
#define XTCP_HS_MIN_RTT_THRESH_US	4000
#define XTCP_HS_MAX_RTT_THRESH_US	16000
#define XTCP_HS_MIN_RTT_DIVISOR		8
#define XTCP_HS_N_RTT_SAMPLE		8
#define XTCP_HS_CSS_GROWTH_DIVISOR	4
#define XTCP_HS_CSS_ROUNDS		5
#define XTCP_HS_L			8	/* segments per ACK, not paced */

enum xtcp_hs_state {
	XTCP_HS_SS,		/* standard slow start, watching RTTs */
	XTCP_HS_CSS,		/* conservative slow start */
	XTCP_HS_DONE,		/* left slow start, or not the first one */
};

/**
 * struct xtcp_hystart - HyStart++ (RFC 9406 §4) state
 * @window_end: the round ends when this sequence number is acknowledged
 * @last_min_rtt_us: lastRoundMinRTT (U32_MAX: infinity)
 * @cur_min_rtt_us: currentRoundMinRTT
 * @css_baseline_us: cssBaselineMinRtt
 * @samples: rttSampleCount
 * @css_rounds: rounds completed in CSS
 * @state: enum xtcp_hs_state
 */
struct xtcp_hystart {
	u32 window_end;
	u32 last_min_rtt_us;
	u32 cur_min_rtt_us;
	u32 css_baseline_us;
	u16 samples;
	u8 css_rounds;
	u8 state;
};

void xtcp_hystart_reset(struct xtcp_tcb *tcb, struct xtcp_hystart *hs);
u32 xtcp_hystart_on_ack(struct xtcp_tcb *tcb, struct xtcp_hystart *hs,
			u32 acked, u32 rtt_us);

/* slow start: cwnd += min(acked, L * SMSS) up to ssthresh; returns the
 * acked bytes left over for congestion avoidance
 */
u32 xtcp_cc_slow_start(struct xtcp_tcb *tcb, u32 acked);

/* congestion avoidance: one SMSS more for each @need bytes acknowledged */
void xtcp_cc_ai(struct xtcp_tcb *tcb, u32 need, u32 acked);

/* does this ACK find the sender cwnd-limited (RFC 7661 §4.3)? */
bool xtcp_cc_cwnd_limited(const struct xtcp_tcb *tcb, u32 acked);

/* one congestion avoidance epoch (§4.2) */
struct xtcp_cubic_epoch {
	u64 start;		/* t_epoch, ms */
	u32 w_max;		/* bytes; 0 after an RTO or before any loss */
	u32 k_ms;		/* K */
	u32 origin;		/* W_max of the curve in this epoch */
	u32 w_est;		/* Reno-friendly estimate, bytes (§4.3) */
	u32 w_est_frac;		/* remainder of its increments */
	u8 active;		/* start, k_ms, origin, w_est are valid */
};

struct xtcp_cubic {
	struct xtcp_cubic_epoch e;
	struct xtcp_cubic_epoch prior;	/* before the last loss (§4.9) */
	struct xtcp_hystart hs;
};

/* CUBIC (RFC 9438 §4.2), time in ms, windows in bytes */
u32 xtcp_cubic_k_ms(u32 w_max, u32 cwnd_epoch, u32 mss);
u32 xtcp_cubic_w(u32 w_max, u32 k_ms, u32 t_ms, u32 mss);
u32 xtcp_cbrt(u64 x);

#endif /* _XTCP_CC_H */
