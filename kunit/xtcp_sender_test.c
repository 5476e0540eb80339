// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: sender behaviour of the XTCP core (part "sender" of issue 9):
 * Nagle (RFC 9293 §3.7.4, Minshall's variant as Linux), TCP_CORK and its
 * 200 ms ceiling, MSG_MORE, sender SWS avoidance (§3.8.6.2.1), the
 * delayed-ACK policy (every second full-sized segment, quick-ACK mode at
 * the start, TCP_QUICKACK), keep-alive (RFC 1122 §4.2.3.6) and
 * TCP_USER_TIMEOUT (RFC 5482) on the retransmission, zero-window and
 * keep-alive paths. The core runs against a recording fake environment
 * and a clock the test advances; every number below is worked out by hand
 * in the comments.
 */
#include <kunit/test.h>
#include <linux/errno.h>

#include "xtcp_core.h"

#define ISS	1000U
#define IRS	5000U
#define S1	(ISS + 1)	/* our first data byte */
#define R1	(IRS + 1)	/* the peer's first data byte */
#define MSS	1460U
#define XS_MAXOUT	64

struct xs_env {
	struct xtcp_tcb tcb;
	u64 cc_priv[XTCP_CC_PRIV_U64];
	struct xtcp_params p;
	u64 now;
	struct xtcp_out out[XS_MAXOUT];
	int nout, rd;
	bool armed[XTCP_T_MAX];
	u32 tms[XTCP_T_MAX];
	u32 rbuf, queued;
	int err, nerr;
	int notes[XTCP_N_MAX];
	u16 peer_wnd;
	u32 iss;	/* ISS unless a test sets another */
};

static struct xs_env *xs_e(struct xtcp_tcb *tcb)
{
	return container_of(tcb, struct xs_env, tcb);
}

static u64 xs_now(struct xtcp_tcb *tcb)
{
	return xs_e(tcb)->now;
}

static int xs_output(struct xtcp_tcb *tcb, const struct xtcp_out *o)
{
	struct xs_env *e = xs_e(tcb);

	if (e->nout < XS_MAXOUT)
		e->out[e->nout++] = *o;
	return 0;
}

static void xs_timer_set(struct xtcp_tcb *tcb, enum xtcp_timer t, u32 ms)
{
	xs_e(tcb)->armed[t] = true;
	xs_e(tcb)->tms[t] = ms;
}

static void xs_timer_clear(struct xtcp_tcb *tcb, enum xtcp_timer t)
{
	xs_e(tcb)->armed[t] = false;
}

static bool xs_rcv_data(struct xtcp_tcb *tcb, u32 off, u32 len)
{
	xs_e(tcb)->queued += len;
	return true;
}

static u32 xs_rcv_space(struct xtcp_tcb *tcb)
{
	struct xs_env *e = xs_e(tcb);

	return e->rbuf > e->queued ? e->rbuf - e->queued : 0;
}

static void xs_state_change(struct xtcp_tcb *tcb, enum xtcp_state old)
{
}

static void xs_error(struct xtcp_tcb *tcb, int err)
{
	xs_e(tcb)->err = err;
	xs_e(tcb)->nerr++;
}

static void xs_event(struct xtcp_tcb *tcb)
{
}

static void xs_note(struct xtcp_tcb *tcb, enum xtcp_note n)
{
	xs_e(tcb)->notes[n]++;
}

static const struct xtcp_core_ops xs_ops = {
	.now = xs_now,
	.output = xs_output,
	.timer_set = xs_timer_set,
	.timer_clear = xs_timer_clear,
	.rcv_data = xs_rcv_data,
	.rcv_space = xs_rcv_space,
	.state_change = xs_state_change,
	.error = xs_error,
	.event = xs_event,
	.note = xs_note,
};

static int xs_init(struct kunit *test)
{
	struct xs_env *e = kunit_kzalloc(test, sizeof(*e), GFP_KERNEL);

	if (!e)
		return -ENOMEM;
	e->now = 100000;
	e->rbuf = 65535;
	e->peer_wnd = 65535;
	e->iss = ISS;
	e->p = (struct xtcp_params){
		.msl_ms = 30000, .fin_timeout_ms = 40000,
		.rto_init_ms = 1000, .rto_min_ms = 200, .rto_max_ms = 120000,
		.syn_retries = 3, .synack_retries = 2, .retries = 4,
		.delack_ms = 40,
		.keepalive_time = 10, .keepalive_intvl = 2,
		.keepalive_probes = 3,
	};
	test->priv = e;
	return 0;
}

static struct xs_env *E(struct kunit *test)
{
	return test->priv;
}

static struct xtcp_tcb *T(struct kunit *test)
{
	return &E(test)->tcb;
}

static void xs_clear(struct kunit *test)
{
	E(test)->nout = 0;
	E(test)->rd = 0;
}

/*
 * An ESTABLISHED connection (active open, MSS 1460 both ways, no window
 * scaling). The SYN-ACK comes 10 ms after the SYN: SRTT 10 ms, RTTVAR
 * 5 ms, RTO = 10 + 4 * 5 = 30 ms, raised to rto_min 200 ms. @before runs
 * on the CLOSED TCB (socket options set before connect()).
 */
static void xs_established_with(struct kunit *test,
				void (*before)(struct xtcp_tcb *tcb))
{
	struct xs_env *e = E(test);
	struct xtcp_seg synack = {
		.seq = IRS, .ack = e->iss + 1, .flags = XTCP_SYN | XTCP_ACK,
		.wnd = e->peer_wnd, .mss = MSS, .wscale = -1,
	};

	xtcp_core_init(&e->tcb, &xs_ops, &e->p, e->cc_priv, MSS, 0);
	if (before)
		before(&e->tcb);
	KUNIT_ASSERT_EQ(test, xtcp_core_connect(&e->tcb, e->iss), 0);
	e->now += 10;
	xtcp_core_input(&e->tcb, &synack);
	KUNIT_ASSERT_EQ(test, e->tcb.state, XTCP_ESTABLISHED);
	KUNIT_ASSERT_EQ(test, e->tcb.rto_ms, 200U);
	KUNIT_ASSERT_EQ(test, e->tcb.snd_mss, MSS);
	xs_clear(test);
}

static void xs_established(struct kunit *test)
{
	xs_established_with(test, NULL);
}

/* the peer sends a segment */
static void xs_peer(struct kunit *test, u16 flags, u32 seq, u32 ack, u32 len,
		    u16 wnd)
{
	struct xtcp_seg seg = {
		.seq = seq, .ack = ack, .flags = flags, .wnd = wnd, .len = len,
		.wscale = -1,
	};

	xtcp_core_input(T(test), &seg);
}

/* the peer acknowledges up to @ack with its usual window */
static void xs_ack(struct kunit *test, u32 ack)
{
	xs_peer(test, XTCP_ACK, R1, ack, 0, E(test)->peer_wnd);
}

/* the user writes @n bytes (send(2) with @how: XTCP_SEND_MORE for
 * MSG_MORE)
 */
static void xs_write_how(struct kunit *test, u32 n, unsigned int how)
{
	T(test)->snd_end += n;
	xtcp_core_send(T(test), how);
}

static void xs_write(struct kunit *test, u32 n)
{
	xs_write_how(test, n, 0);
}

static void xs_fire(struct kunit *test, enum xtcp_timer t)
{
	struct xs_env *e = E(test);

	KUNIT_ASSERT_TRUE(test, e->armed[t]);
	e->armed[t] = false;
	e->now += e->tms[t];
	xtcp_core_timeout(T(test), t);
}

static void xs_expect_seg_(struct kunit *test, int line, u16 flags, u32 seq,
			   u32 len)
{
	struct xs_env *e = E(test);
	const struct xtcp_out *o;

	KUNIT_ASSERT_LT_MSG(test, e->rd, e->nout, "line %d: no segment", line);
	o = &e->out[e->rd++];
	KUNIT_EXPECT_EQ_MSG(test, o->flags, flags, "line %d: flags", line);
	KUNIT_EXPECT_EQ_MSG(test, o->seq, seq, "line %d: seq", line);
	KUNIT_EXPECT_EQ_MSG(test, o->len, len, "line %d: len", line);
}

#define xs_expect_seg(test, f, s, l) xs_expect_seg_(test, __LINE__, f, s, l)

static void xs_expect_ack_(struct kunit *test, int line, u32 ack)
{
	struct xs_env *e = E(test);
	const struct xtcp_out *o;

	KUNIT_ASSERT_LT_MSG(test, e->rd, e->nout, "line %d: no ACK", line);
	o = &e->out[e->rd++];
	KUNIT_EXPECT_EQ_MSG(test, o->flags, XTCP_ACK, "line %d: flags", line);
	KUNIT_EXPECT_EQ_MSG(test, o->len, 0U, "line %d: len", line);
	KUNIT_EXPECT_EQ_MSG(test, o->ack, ack, "line %d: ack", line);
}

#define xs_expect_ack(test, a) xs_expect_ack_(test, __LINE__, a)

static void xs_expect_none_(struct kunit *test, int line)
{
	KUNIT_EXPECT_EQ_MSG(test, E(test)->nout - E(test)->rd, 0,
			    "line %d: unexpected segment", line);
}

#define xs_expect_none(test) xs_expect_none_(test, __LINE__)

#define XS_DATA	(XTCP_ACK | XTCP_PSH)

/* ---- Nagle ---- */

/*
 * 100 bytes go at once (nothing outstanding); two more writes of 100 are
 * held while that small segment is unacknowledged; its ACK releases both
 * as one 200-byte segment.
 */
static void nagle_hold_release(struct kunit *test)
{
	xs_established(test);
	xs_write(test, 100);
	xs_expect_seg(test, XS_DATA, S1, 100);
	xs_write(test, 100);
	xs_write(test, 100);
	xs_expect_none(test);
	KUNIT_EXPECT_FALSE(test, E(test)->armed[XTCP_T_PERSIST]);
	xs_ack(test, S1 + 100);
	xs_expect_seg(test, XS_DATA, S1 + 100, 200);
	xs_expect_none(test);
}

/*
 * Full segments are never held: 100 goes, then a 3000-byte write sends
 * 1460 + 1460 and holds the 80-byte tail (the 100 is still out). The ACK
 * of the 100 leaves only full segments outstanding: Minshall's rule lets
 * the tail go although data is unacknowledged.
 */
static void nagle_full_segments_and_minshall(struct kunit *test)
{
	xs_established(test);
	xs_write(test, 100);
	xs_expect_seg(test, XS_DATA, S1, 100);
	xs_write(test, 3000);
	xs_expect_seg(test, XTCP_ACK, S1 + 100, MSS);
	xs_expect_seg(test, XTCP_ACK, S1 + 100 + MSS, MSS);
	xs_expect_none(test);
	xs_ack(test, S1 + 100);
	xs_expect_seg(test, XS_DATA, S1 + 100 + 2 * MSS, 80);
	xs_expect_none(test);
}

/*
 * Whatever the ISS, the first write's short tail goes with its full
 * segments: no small segment was sent before it (Minshall). An ISS in the
 * upper half of the sequence space once made an unset "last small
 * segment" (0) look unacknowledged, so the tail waited for an ACK or a
 * loss probe; and across the wrap.
 */
static void nagle_first_tail_any_iss(struct kunit *test)
{
	static const u32 iss[] = { ISS, 0x80000000U + ISS, 0xfffffc00U };
	int i;

	for (i = 0; i < ARRAY_SIZE(iss); i++) {
		u32 s1 = iss[i] + 1;

		/* a new socket: its TCB zeroed, as sk_alloc() leaves it
		 * (the last one's scoreboard freed first)
		 */
		xtcp_core_destroy(T(test));
		memset(T(test), 0, sizeof(*T(test)));
		E(test)->iss = iss[i];
		xs_established(test);
		xs_write(test, 3000);
		xs_expect_seg(test, XTCP_ACK, s1, MSS);
		xs_expect_seg(test, XTCP_ACK, s1 + MSS, MSS);
		xs_expect_seg(test, XS_DATA, s1 + 2 * MSS, 80);
		xs_expect_none(test);
		/* and a second small write waits for the first's ACK */
		xs_write(test, 10);
		xs_expect_none(test);
		xs_ack(test, s1 + 3000);
		xs_expect_seg(test, XS_DATA, s1 + 3000, 10);
		xs_expect_none(test);
	}
}

/* TCP_NODELAY: setting it sends the held bytes; then no holding at all */
static void nagle_nodelay(struct kunit *test)
{
	xs_established(test);
	xs_write(test, 100);
	xs_write(test, 50);
	xs_expect_seg(test, XS_DATA, S1, 100);
	xs_expect_none(test);
	xtcp_core_set_nodelay(T(test), true);
	xs_expect_seg(test, XS_DATA, S1 + 100, 50);
	xs_write(test, 10);
	xs_expect_seg(test, XS_DATA, S1 + 150, 10);
	xtcp_core_set_nodelay(T(test), false);
	xs_write(test, 10);
	xs_expect_none(test);
}

/* a FIN is never held: close() sends the held bytes with it */
static void nagle_fin_not_held(struct kunit *test)
{
	xs_established(test);
	xs_write(test, 100);
	xs_write(test, 30);
	xs_expect_seg(test, XS_DATA, S1, 100);
	xs_expect_none(test);
	KUNIT_EXPECT_EQ(test, xtcp_core_close(T(test)), 0);
	xs_expect_seg(test, XS_DATA | XTCP_FIN, S1 + 100, 30);
}

/* ---- TCP_CORK and MSG_MORE ---- */

/*
 * Corked, partial data waits with nothing in flight; the hold ends after
 * max(RTO, 200 ms) = max(200, 200) = 200 ms with one segment of all 300
 * bytes.
 */
static void cork_flush_200ms(struct kunit *test)
{
	u64 t0;

	xs_established(test);
	xtcp_core_set_cork(T(test), true);
	t0 = E(test)->now;
	xs_write(test, 100);
	xs_write(test, 200);
	xs_expect_none(test);
	KUNIT_EXPECT_TRUE(test, E(test)->armed[XTCP_T_PERSIST]);
	KUNIT_EXPECT_EQ(test, E(test)->tms[XTCP_T_PERSIST], 200U);
	xs_fire(test, XTCP_T_PERSIST);
	KUNIT_EXPECT_EQ(test, E(test)->now - t0, 200ULL);
	xs_expect_seg(test, XS_DATA, S1, 300);
	xs_expect_none(test);
	KUNIT_EXPECT_TRUE(test, E(test)->armed[XTCP_T_RTX]);
}

/* uncork sends what the cork held at once (nothing is in flight) */
static void cork_uncork_sends(struct kunit *test)
{
	xs_established(test);
	xtcp_core_set_cork(T(test), true);
	xs_write(test, 100);
	xs_write(test, 100);
	xs_expect_none(test);
	xtcp_core_set_cork(T(test), false);
	xs_expect_seg(test, XS_DATA, S1, 200);
	xs_expect_none(test);
	KUNIT_EXPECT_FALSE(test, E(test)->armed[XTCP_T_PERSIST]);
}

/* the cork holds only the partial tail: 3000 -> 1460 + 1460, 80 held */
static void cork_full_segments_go(struct kunit *test)
{
	xs_established(test);
	xtcp_core_set_cork(T(test), true);
	xs_write(test, 3000);
	xs_expect_seg(test, XTCP_ACK, S1, MSS);
	xs_expect_seg(test, XTCP_ACK, S1 + MSS, MSS);
	xs_expect_none(test);
	/* both full segments acknowledged: still corked, 80 wait */
	xs_ack(test, S1 + 2 * MSS);
	xs_expect_none(test);
	KUNIT_EXPECT_EQ(test, E(test)->tms[XTCP_T_PERSIST], 200U);
	/* TCP_NODELAY while corked sends the tail (Linux's NAGLE_PUSH) */
	xtcp_core_set_nodelay(T(test), true);
	xs_expect_seg(test, XS_DATA, S1 + 2 * MSS, 80);
}

/*
 * MSG_MORE holds the partial tail of that call only: the next plain write
 * sends both (nothing outstanding, so Nagle lets it go).
 */
static void msg_more(struct kunit *test)
{
	xs_established(test);
	xs_write_how(test, 100, XTCP_SEND_MORE);
	xs_expect_none(test);
	KUNIT_EXPECT_TRUE(test, E(test)->armed[XTCP_T_PERSIST]);
	xs_write(test, 100);
	xs_expect_seg(test, XS_DATA, S1, 200);
	xs_expect_none(test);
	KUNIT_EXPECT_FALSE(test, E(test)->armed[XTCP_T_PERSIST]);
}

/* MSG_MORE alone still flushes after 200 ms, as Linux's probe timer */
static void msg_more_flush(struct kunit *test)
{
	xs_established(test);
	xs_write_how(test, 700, XTCP_SEND_MORE);
	xs_expect_none(test);
	xs_fire(test, XTCP_T_PERSIST);
	xs_expect_seg(test, XS_DATA, S1, 700);
}

/* ---- sender SWS avoidance ---- */

/*
 * The peer offered at most 2000 bytes (SYN-ACK window). 900 go (all
 * queued, nothing out); a 1460-byte write finds 2000 - 900 = 1100 usable:
 * 1100 >= 2000 / 2, so a 1100-byte segment goes (RFC 9293 §3.8.6.2.1
 * (2)); the 360 left find no window.
 */
static void sws_half_window_goes(struct kunit *test)
{
	E(test)->peer_wnd = 2000;
	xs_established(test);
	KUNIT_EXPECT_EQ(test, T(test)->max_wnd, 2000U);
	xs_write(test, 900);
	xs_expect_seg(test, XS_DATA, S1, 900);
	xs_write(test, 1460);
	xs_expect_seg(test, XTCP_ACK, S1 + 900, 1100);
	xs_expect_none(test);
}

/*
 * 1460 out of a 2000 window leaves 540 usable: below an MSS and below
 * half the window, so the next 1460 wait for the ACK rather than go as a
 * 540-byte sliver; the ACK opens 2000 and a full segment goes.
 */
static void sws_sliver_held(struct kunit *test)
{
	E(test)->peer_wnd = 2000;
	xs_established(test);
	xs_write(test, MSS);
	xs_expect_seg(test, XS_DATA, S1, MSS);
	xs_write(test, MSS);
	xs_expect_none(test);
	xs_ack(test, S1 + MSS);
	xs_expect_seg(test, XS_DATA, S1 + MSS, MSS);
	xs_expect_none(test);
}

/*
 * With nothing in flight the held sliver must not wait forever: the
 * probe timer (200 ms) sends what the window takes, as tcp_write_wakeup.
 * The peer's window shrank to 500 with 3000 queued.
 */
static void sws_probe_timer_sends(struct kunit *test)
{
	xs_established(test);
	xs_peer(test, XTCP_ACK, R1, S1, 0, 500);
	xs_write(test, 3000);
	xs_expect_none(test);
	KUNIT_EXPECT_EQ(test, E(test)->tms[XTCP_T_PERSIST], 200U);
	xs_fire(test, XTCP_T_PERSIST);
	xs_expect_seg(test, XTCP_ACK, S1, 500);
	xs_expect_none(test);
}

/* ---- delayed ACK ---- */

/* the peer sends @n full segments from @seq */
static u32 xs_peer_full(struct kunit *test, u32 seq, int n)
{
	while (n--) {
		xs_peer(test, XTCP_ACK, seq, S1, MSS, E(test)->peer_wnd);
		seq += MSS;
	}
	return seq;
}

/*
 * Quick-ACK mode at the start: after the first segment the window is
 * 65535 - 1460 = 64075 bytes, 64075 / (2 * 1460) = 21 quick ACKs, capped
 * at 16. Segments 1-16 are each ACKed at once; segment 17 waits for the
 * timer (1460 unacknowledged is not more than one MSS); segment 18 makes
 * 2920 > 1460 and is ACKed at once.
 */
static void quickack_at_start(struct kunit *test)
{
	u32 seq;
	int i;

	xs_established(test);
	seq = R1;
	for (i = 1; i <= 16; i++) {
		seq = xs_peer_full(test, seq, 1);
		xs_expect_ack(test, seq);
	}
	KUNIT_EXPECT_EQ(test, T(test)->quick, 0);
	seq = xs_peer_full(test, seq, 1);
	xs_expect_none(test);
	KUNIT_EXPECT_TRUE(test, E(test)->armed[XTCP_T_DELACK]);
	KUNIT_EXPECT_EQ(test, E(test)->tms[XTCP_T_DELACK], 40U);
	seq = xs_peer_full(test, seq, 1);
	xs_expect_ack(test, seq);
	KUNIT_EXPECT_FALSE(test, E(test)->armed[XTCP_T_DELACK]);
}

/*
 * The quick-ACK budget follows the window: a 8000-byte buffer leaves
 * 8000 - 1460 = 6540 after the first segment, 6540 / 2920 = 2 quick ACKs.
 */
static void quickack_budget_from_window(struct kunit *test)
{
	u32 seq;

	E(test)->rbuf = 8000;
	xs_established(test);
	seq = xs_peer_full(test, R1, 1);
	xs_expect_ack(test, seq);
	seq = xs_peer_full(test, seq, 1);
	xs_expect_ack(test, seq);
	seq = xs_peer_full(test, seq, 1);
	xs_expect_none(test);
	KUNIT_EXPECT_TRUE(test, E(test)->armed[XTCP_T_DELACK]);
}

/* out of quick mode: every second full segment, the timer otherwise */
static void delack_every_second_segment(struct kunit *test)
{
	u32 seq;
	int i;

	xs_established(test);
	xtcp_core_set_quickack(T(test), 0);	/* no quick ACKs */
	seq = R1;
	for (i = 0; i < 3; i++) {
		seq = xs_peer_full(test, seq, 1);
		xs_expect_none(test);
		seq = xs_peer_full(test, seq, 1);
		xs_expect_ack(test, seq);
	}
	/* small segments: 100 + 100 + 100 is not more than one MSS */
	xs_peer(test, XTCP_ACK, seq, S1, 100, 65535);
	xs_peer(test, XTCP_ACK, seq + 100, S1, 100, 65535);
	xs_peer(test, XTCP_ACK, seq + 200, S1, 100, 65535);
	xs_expect_none(test);
	KUNIT_EXPECT_EQ(test, E(test)->tms[XTCP_T_DELACK], 40U);
	xs_fire(test, XTCP_T_DELACK);
	xs_expect_ack(test, seq + 300);
	KUNIT_EXPECT_EQ(test, E(test)->notes[XTCP_N_DELACK], 1);
	/* a missed delayed ACK ends pingpong, as Linux */
	KUNIT_EXPECT_EQ(test, T(test)->pingpong, 0);
}

/* an idle gap longer than the RTO (200 ms) re-enters quick-ACK mode */
static void quickack_after_idle(struct kunit *test)
{
	u32 seq;
	int i;

	xs_established(test);
	seq = xs_peer_full(test, R1, 1);
	T(test)->quick = 0;	/* budget spent */
	xs_clear(test);
	E(test)->now += 100;	/* 100 ms is no idle gap: delayed */
	seq = xs_peer_full(test, seq, 1);
	xs_expect_none(test);
	E(test)->now += 100;
	seq = xs_peer_full(test, seq, 1);
	xs_expect_ack(test, seq);	/* 2920 > 1460: second segment */
	E(test)->now += 201;	/* idle 201 > RTO 200: quick again */
	for (i = 0; i < 3; i++) {
		seq = xs_peer_full(test, seq, 1);
		xs_expect_ack(test, seq);
	}
}

/*
 * TCP_QUICKACK 0 delays even the first segments; 1 sends the pending ACK
 * at once and leaves pingpong; 2 sends it and delays again (even value).
 */
static void quickack_sockopt(struct kunit *test)
{
	u32 seq;

	xs_established(test);
	xtcp_core_set_quickack(T(test), 0);
	seq = xs_peer_full(test, R1, 1);
	xs_expect_none(test);
	KUNIT_EXPECT_TRUE(test, E(test)->armed[XTCP_T_DELACK]);
	xtcp_core_set_quickack(T(test), 1);
	xs_expect_ack(test, seq);
	KUNIT_EXPECT_EQ(test, T(test)->pingpong, 0);
	KUNIT_EXPECT_FALSE(test, E(test)->armed[XTCP_T_DELACK]);
	/* quick mode again: the next segment is ACKed at once */
	seq = xs_peer_full(test, seq, 1);
	xs_expect_ack(test, seq);
	/* nothing pending: 1 sends nothing */
	xtcp_core_set_quickack(T(test), 1);
	xs_expect_none(test);
	xtcp_core_set_quickack(T(test), 0);
	seq = xs_peer_full(test, seq, 1);
	xs_expect_none(test);
	xtcp_core_set_quickack(T(test), 2);
	xs_expect_ack(test, seq);
	KUNIT_EXPECT_EQ(test, T(test)->pingpong, 1);
}

/*
 * As tcp_event_data_sent(): an answer sent within delack_ms (40 ms) of
 * the request makes the session interactive (pingpong). The next request
 * waits for the delayed-ACK timer although quick ACKs are left, and the
 * answer carries its ACK: 2 segments per exchange, not 3.
 */
static void pingpong_on_answer(struct kunit *test)
{
	const struct xtcp_out *o;

	xs_established(test);
	xs_peer(test, XTCP_ACK, R1, S1, 64, 65535);
	xs_expect_ack(test, R1 + 64);	/* quick-ACK mode at the start */
	KUNIT_EXPECT_EQ(test, T(test)->pingpong, 0);
	E(test)->now += 10;
	xs_write(test, 64);
	xs_expect_seg(test, XS_DATA, S1, 64);
	KUNIT_EXPECT_EQ(test, T(test)->pingpong, 1);
	KUNIT_EXPECT_GT(test, T(test)->quick, 0);
	xs_peer(test, XTCP_ACK, R1 + 64, S1 + 64, 64, 65535);
	xs_expect_none(test);
	KUNIT_EXPECT_TRUE(test, E(test)->armed[XTCP_T_DELACK]);
	E(test)->now += 10;
	xs_write(test, 64);
	xs_expect_seg(test, XS_DATA, S1 + 64, 64);
	o = &E(test)->out[E(test)->rd - 1];
	KUNIT_EXPECT_EQ(test, o->ack, R1 + 128);
	KUNIT_EXPECT_FALSE(test, E(test)->armed[XTCP_T_DELACK]);
	/* the timer that must ACK alone ends it (Linux) */
	xs_peer(test, XTCP_ACK, R1 + 128, S1 + 128, 64, 65535);
	xs_expect_none(test);
	xs_fire(test, XTCP_T_DELACK);
	xs_expect_ack(test, R1 + 192);
	KUNIT_EXPECT_EQ(test, T(test)->pingpong, 0);
}

/* data sent later than delack_ms after the last data in is no answer */
static void pingpong_not_on_late_data(struct kunit *test)
{
	xs_established(test);
	xs_peer(test, XTCP_ACK, R1, S1, 64, 65535);
	xs_expect_ack(test, R1 + 64);
	E(test)->now += 40;
	xs_write(test, 64);
	xs_expect_seg(test, XS_DATA, S1, 64);
	KUNIT_EXPECT_EQ(test, T(test)->pingpong, 0);
}

/* before any data came in, sending is no answer either */
static void pingpong_not_before_data(struct kunit *test)
{
	xs_established(test);
	xs_write(test, 64);
	xs_expect_seg(test, XS_DATA, S1, 64);
	KUNIT_EXPECT_EQ(test, T(test)->pingpong, 0);
}

/* ---- keep-alive ---- */

static void xs_ka_on(struct xtcp_tcb *tcb)
{
	tcb->keepalive = 1;
}

/*
 * keepalive 10 s / 2 s / 3 probes, armed at ESTABLISHED. Probes at 10,
 * 12 and 14 s (SEG.SEQ = SND.NXT - 1 = ISS, no data); at 16 s the third
 * is unanswered: RST, ETIMEDOUT, CLOSED after 10 + 3 * 2 = 16 s.
 */
static void keepalive_dead_peer(struct kunit *test)
{
	u64 t0;
	int i;

	xs_established_with(test, xs_ka_on);
	t0 = E(test)->now;
	KUNIT_EXPECT_TRUE(test, E(test)->armed[XTCP_T_KEEPALIVE]);
	KUNIT_EXPECT_EQ(test, E(test)->tms[XTCP_T_KEEPALIVE], 10000U);
	for (i = 0; i < 3; i++) {
		xs_fire(test, XTCP_T_KEEPALIVE);
		KUNIT_EXPECT_EQ(test, E(test)->now - t0, 10000ULL + 2000 * i);
		xs_expect_seg(test, XTCP_ACK, ISS, 0);
		KUNIT_EXPECT_EQ(test, E(test)->tms[XTCP_T_KEEPALIVE], 2000U);
		KUNIT_EXPECT_EQ(test, T(test)->state, XTCP_ESTABLISHED);
	}
	xs_fire(test, XTCP_T_KEEPALIVE);
	KUNIT_EXPECT_EQ(test, E(test)->now - t0, 16000ULL);
	xs_expect_seg(test, XTCP_RST | XTCP_ACK, S1, 0);
	xs_expect_none(test);
	KUNIT_EXPECT_EQ(test, E(test)->err, -ETIMEDOUT);
	KUNIT_EXPECT_EQ(test, T(test)->state, XTCP_CLOSED);
	KUNIT_EXPECT_EQ(test, E(test)->notes[XTCP_N_KEEPALIVE], 3);
	KUNIT_EXPECT_FALSE(test, E(test)->armed[XTCP_T_KEEPALIVE]);
}

/*
 * An answered probe resets the count: the peer ACKs the 10 s probe at
 * once, so the 12 s expiry finds 2 s of silence and waits 10 - 2 = 8 s
 * more, without a probe.
 */
static void keepalive_answered(struct kunit *test)
{
	xs_established_with(test, xs_ka_on);
	xs_fire(test, XTCP_T_KEEPALIVE);
	xs_expect_seg(test, XTCP_ACK, ISS, 0);
	xs_ack(test, S1);
	KUNIT_EXPECT_EQ(test, T(test)->probes_out, 0);
	xs_fire(test, XTCP_T_KEEPALIVE);
	xs_expect_none(test);
	KUNIT_EXPECT_EQ(test, E(test)->tms[XTCP_T_KEEPALIVE], 8000U);
}

/* data outstanding: the keep-alive timer only re-arms for 10 s */
static void keepalive_busy(struct kunit *test)
{
	xs_established_with(test, xs_ka_on);
	xs_write(test, 100);
	xs_clear(test);
	E(test)->armed[XTCP_T_RTX] = false;	/* the RTX path is not ours */
	xs_fire(test, XTCP_T_KEEPALIVE);
	xs_expect_none(test);
	KUNIT_EXPECT_EQ(test, E(test)->tms[XTCP_T_KEEPALIVE], 10000U);
}

/*
 * SO_KEEPALIVE on an established connection arms it for keepalive_time;
 * TCP_KEEPIDLE re-arms from the last sign of life: 3 s silent, idle 5 s
 * -> 2 s; idle 2 s after 3 s silent -> at once (0). Off stops it.
 */
static void keepalive_set_on_established(struct kunit *test)
{
	xs_established(test);
	KUNIT_EXPECT_FALSE(test, E(test)->armed[XTCP_T_KEEPALIVE]);
	xtcp_core_set_keepalive(T(test), true);
	KUNIT_EXPECT_TRUE(test, E(test)->armed[XTCP_T_KEEPALIVE]);
	KUNIT_EXPECT_EQ(test, E(test)->tms[XTCP_T_KEEPALIVE], 10000U);
	E(test)->now += 3000;
	xtcp_core_set_keepidle(T(test), 5);
	KUNIT_EXPECT_EQ(test, E(test)->tms[XTCP_T_KEEPALIVE], 2000U);
	xtcp_core_set_keepidle(T(test), 2);
	KUNIT_EXPECT_EQ(test, E(test)->tms[XTCP_T_KEEPALIVE], 0U);
	xtcp_core_set_keepalive(T(test), false);
	KUNIT_EXPECT_FALSE(test, E(test)->armed[XTCP_T_KEEPALIVE]);
}

/*
 * With a user timeout of 5 s keep-alive ends when the silence reaches it
 * with a probe out: the probe at 10 s (none out before), then at 12 s
 * (12 >= 5, one out) the reset, after 1 probe instead of 3.
 */
static void keepalive_user_timeout(struct kunit *test)
{
	u64 t0;

	xs_established_with(test, xs_ka_on);
	T(test)->user_timeout = 5000;
	t0 = E(test)->now;
	xs_fire(test, XTCP_T_KEEPALIVE);
	xs_expect_seg(test, XTCP_ACK, ISS, 0);
	xs_fire(test, XTCP_T_KEEPALIVE);
	KUNIT_EXPECT_EQ(test, E(test)->now - t0, 12000ULL);
	xs_expect_seg(test, XTCP_RST | XTCP_ACK, S1, 0);
	KUNIT_EXPECT_EQ(test, E(test)->err, -ETIMEDOUT);
	KUNIT_EXPECT_EQ(test, T(test)->state, XTCP_CLOSED);
}

/* ---- TCP_USER_TIMEOUT ---- */

/*
 * User timeout 1000 ms, RTO 200 ms, data sent at t0 and never ACKed.
 * t0+200: first expiry, no retransmission yet -> resend, RTO 400,
 * remaining 800 -> timer 400. t0+600: resend, RTO 800, remaining 400 ->
 * timer 400. t0+1000: 1000 >= 1000 -> ETIMEDOUT, without a RST.
 * (retries is 4: without the user timeout it would last 200 + 400 + 800 +
 * 1600 + 3200 ms.)
 */
static void user_timeout_rtx(struct kunit *test)
{
	u64 t0;

	xs_established(test);
	T(test)->user_timeout = 1000;
	t0 = E(test)->now;
	xs_write(test, 100);
	xs_expect_seg(test, XS_DATA, S1, 100);
	KUNIT_EXPECT_EQ(test, E(test)->tms[XTCP_T_RTX], 200U);
	xs_fire(test, XTCP_T_RTX);
	xs_expect_seg(test, XS_DATA, S1, 100);
	KUNIT_EXPECT_EQ(test, E(test)->tms[XTCP_T_RTX], 400U);
	xs_fire(test, XTCP_T_RTX);
	xs_expect_seg(test, XS_DATA, S1, 100);
	KUNIT_EXPECT_EQ(test, E(test)->tms[XTCP_T_RTX], 400U);
	KUNIT_EXPECT_EQ(test, T(test)->state, XTCP_ESTABLISHED);
	xs_fire(test, XTCP_T_RTX);
	KUNIT_EXPECT_EQ(test, E(test)->now - t0, 1000ULL);
	xs_expect_none(test);
	KUNIT_EXPECT_EQ(test, E(test)->err, -ETIMEDOUT);
	KUNIT_EXPECT_EQ(test, T(test)->state, XTCP_CLOSED);
	KUNIT_EXPECT_EQ(test, E(test)->notes[XTCP_N_RTO], 3);
}

/*
 * An ACK that advances restarts the user-timeout clock. Two 100-byte
 * segments at t0, the first ACKed at t0+500 (an RTT sample of 500 ms:
 * SRTT 71.25 ms, 4 * RTTVAR 505 ms, RTO 577 ms), then silence. t0+1077:
 * first expiry, resend, RTO 1154 clamped to 1000 - 577 = 423; t0+1500,
 * 1000 ms after the ACK: ETIMEDOUT.
 */
static void user_timeout_progress_restarts(struct kunit *test)
{
	u64 t0;

	xs_established(test);
	T(test)->user_timeout = 1000;
	t0 = E(test)->now;
	xtcp_core_set_nodelay(T(test), true);
	xs_write(test, 100);
	xs_write(test, 100);
	E(test)->now += 500;
	xs_ack(test, S1 + 100);
	KUNIT_EXPECT_EQ(test, E(test)->tms[XTCP_T_RTX], 577U);
	xs_fire(test, XTCP_T_RTX);
	KUNIT_EXPECT_EQ(test, E(test)->now - t0, 1077ULL);
	KUNIT_EXPECT_EQ(test, T(test)->state, XTCP_ESTABLISHED);
	KUNIT_EXPECT_EQ(test, E(test)->tms[XTCP_T_RTX], 423U);
	xs_fire(test, XTCP_T_RTX);
	KUNIT_EXPECT_EQ(test, E(test)->now - t0, 1500ULL);
	KUNIT_EXPECT_EQ(test, T(test)->state, XTCP_CLOSED);
	KUNIT_EXPECT_EQ(test, E(test)->err, -ETIMEDOUT);
}

/*
 * Zero-window probing under a 1000 ms user timeout: window 0, 100 bytes
 * queued, persist 200 ms. t0+200: first probe (clock starts), next
 * 400. t0+600: probe, next min(800, 1000 - 400) = 600. t0+1200: 1000 ms
 * of probing -> ETIMEDOUT (retries 4 is not reached: 2 probes out).
 */
static void user_timeout_zero_window(struct kunit *test)
{
	u64 t0;

	xs_established(test);
	T(test)->user_timeout = 1000;
	xs_peer(test, XTCP_ACK, R1, S1, 0, 0);
	t0 = E(test)->now;
	xs_write(test, 100);
	xs_expect_none(test);
	KUNIT_EXPECT_EQ(test, E(test)->tms[XTCP_T_PERSIST], 200U);
	xs_fire(test, XTCP_T_PERSIST);
	xs_expect_seg(test, XTCP_ACK, ISS, 0);
	KUNIT_EXPECT_EQ(test, E(test)->tms[XTCP_T_PERSIST], 400U);
	xs_fire(test, XTCP_T_PERSIST);
	xs_expect_seg(test, XTCP_ACK, ISS, 0);
	KUNIT_EXPECT_EQ(test, E(test)->tms[XTCP_T_PERSIST], 600U);
	xs_fire(test, XTCP_T_PERSIST);
	KUNIT_EXPECT_EQ(test, E(test)->now - t0, 1200ULL);
	xs_expect_none(test);
	KUNIT_EXPECT_EQ(test, E(test)->err, -ETIMEDOUT);
	KUNIT_EXPECT_EQ(test, T(test)->state, XTCP_CLOSED);
	KUNIT_EXPECT_EQ(test, E(test)->notes[XTCP_N_WINPROBE], 2);
}

/*
 * connect() under a 1500 ms user timeout (Linux applies it to SYN-SENT):
 * SYN at t0, RTO 1000. t0+1000: resend, RTO 2000 clamped to 1500 - 1000
 * = 500; t0+1500: ETIMEDOUT (syn_retries 3 would last 1 + 2 + 4 + 8 s).
 */
static void user_timeout_connect(struct kunit *test)
{
	struct xs_env *e = E(test);
	u64 t0 = e->now;

	xtcp_core_init(&e->tcb, &xs_ops, &e->p, e->cc_priv, MSS, 0);
	e->tcb.user_timeout = 1500;
	KUNIT_ASSERT_EQ(test, xtcp_core_connect(&e->tcb, ISS), 0);
	xs_expect_seg(test, XTCP_SYN, ISS, 0);
	KUNIT_EXPECT_EQ(test, e->tms[XTCP_T_RTX], 1000U);
	xs_fire(test, XTCP_T_RTX);
	xs_expect_seg(test, XTCP_SYN, ISS, 0);
	KUNIT_EXPECT_EQ(test, e->tms[XTCP_T_RTX], 500U);
	xs_fire(test, XTCP_T_RTX);
	KUNIT_EXPECT_EQ(test, e->now - t0, 1500ULL);
	xs_expect_none(test);
	KUNIT_EXPECT_EQ(test, e->err, -ETIMEDOUT);
	KUNIT_EXPECT_EQ(test, e->tcb.state, XTCP_CLOSED);
}

static struct kunit_case xtcp_sender_cases[] = {
	KUNIT_CASE(nagle_hold_release),
	KUNIT_CASE(nagle_full_segments_and_minshall),
	KUNIT_CASE(nagle_first_tail_any_iss),
	KUNIT_CASE(nagle_nodelay),
	KUNIT_CASE(nagle_fin_not_held),
	KUNIT_CASE(cork_flush_200ms),
	KUNIT_CASE(cork_uncork_sends),
	KUNIT_CASE(cork_full_segments_go),
	KUNIT_CASE(msg_more),
	KUNIT_CASE(msg_more_flush),
	KUNIT_CASE(sws_half_window_goes),
	KUNIT_CASE(sws_sliver_held),
	KUNIT_CASE(sws_probe_timer_sends),
	KUNIT_CASE(quickack_at_start),
	KUNIT_CASE(quickack_budget_from_window),
	KUNIT_CASE(delack_every_second_segment),
	KUNIT_CASE(quickack_after_idle),
	KUNIT_CASE(quickack_sockopt),
	KUNIT_CASE(pingpong_on_answer),
	KUNIT_CASE(pingpong_not_on_late_data),
	KUNIT_CASE(pingpong_not_before_data),
	KUNIT_CASE(keepalive_dead_peer),
	KUNIT_CASE(keepalive_answered),
	KUNIT_CASE(keepalive_busy),
	KUNIT_CASE(keepalive_set_on_established),
	KUNIT_CASE(keepalive_user_timeout),
	KUNIT_CASE(user_timeout_rtx),
	KUNIT_CASE(user_timeout_progress_restarts),
	KUNIT_CASE(user_timeout_zero_window),
	KUNIT_CASE(user_timeout_connect),
	{}
};

/* the scoreboard is what a TCB allocates */
static void xs_exit(struct kunit *test)
{
	xtcp_core_destroy(&E(test)->tcb);
}

static struct kunit_suite xtcp_sender_suite = {
	.name = "xtcp_sender",
	.init = xs_init,
	.exit = xs_exit,
	.test_cases = xtcp_sender_cases,
};

kunit_test_suite(xtcp_sender_suite);
