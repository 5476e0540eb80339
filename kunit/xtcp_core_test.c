// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the XTCP state machine (xtcp_core.c) driven through its API with a
 * fake environment: a clock the test advances, an ops table that records
 * every emitted segment, timer request, accepted byte range, error and
 * state change. Each TCB is brought to its state by the real API (one
 * builder per state); cases are named <state>_<event>.
 */
#include <kunit/test.h>
#include <linux/errno.h>

#include "xtcp_core.h"
#include "xtcp_cc.h"

#define ISS	1000U		/* our initial send sequence number */
#define IRS	5000U		/* the peer's */
#define S1	(ISS + 1)	/* first byte of our data stream */
#define R1	(IRS + 1)	/* first byte of the peer's data stream */
#define XT_ANY	(-1)
#define XT_MAXOUT	64
#define XT_MAXRCV	32
#define XT_MAXST	16

struct xt_env {
	struct xtcp_tcb tcb;
	u64 cc_priv[XTCP_CC_PRIV_U64];
	struct xtcp_params p;
	struct kunit *test;
	u64 now;
	/* recorders */
	struct xtcp_out out[XT_MAXOUT];
	int nout, rd;
	int out_ret;
	bool armed[XTCP_T_MAX];
	u32 tms[XTCP_T_MAX];
	int nset[XTCP_T_MAX];
	u32 roff[XT_MAXRCV], rlen[XT_MAXRCV];
	int nrcv;
	u8 states[XT_MAXST];
	int nstates;
	int err, nerr;
	int events;
	/* receive buffer model: rcv_space() = rbuf - queued */
	u32 rbuf, queued;
	bool rcv_refuse;	/* rcv_data() says: no memory */
	bool tw_compact;	/* TIME-WAIT through struct xtcp_tw_tcb */
	int notes[XTCP_N_MAX];	/* by enum xtcp_note */
	/* out-of-order queue: ofo_hold() and ofo_pull() calls */
	u32 hoff[XT_MAXRCV], hlen[XT_MAXRCV], hseq[XT_MAXRCV];
	int nhold;
	u32 pfrom[XT_MAXRCV], pto[XT_MAXRCV];
	int npull;
	bool hold_refuse;	/* ofo_hold() says: no memory */
	/* builder parameters */
	u32 iss, irs;
	u16 rcv_mss, peer_mss;
	u8 rcv_ws;
	s8 peer_ws;
	u16 peer_wnd;
};

static struct xt_env *xt_e(struct xtcp_tcb *tcb)
{
	return container_of(tcb, struct xt_env, tcb);
}

static u64 xt_now(struct xtcp_tcb *tcb)
{
	return xt_e(tcb)->now;
}

static int xt_output(struct xtcp_tcb *tcb, const struct xtcp_out *o)
{
	struct xt_env *e = xt_e(tcb);

	if (e->nout < XT_MAXOUT)
		e->out[e->nout++] = *o;
	return e->out_ret;
}

static void xt_timer_set(struct xtcp_tcb *tcb, enum xtcp_timer t, u32 ms)
{
	struct xt_env *e = xt_e(tcb);

	e->armed[t] = true;
	e->tms[t] = ms;
	e->nset[t]++;
}

static void xt_timer_clear(struct xtcp_tcb *tcb, enum xtcp_timer t)
{
	xt_e(tcb)->armed[t] = false;
}

static bool xt_rcv_data(struct xtcp_tcb *tcb, u32 off, u32 len)
{
	struct xt_env *e = xt_e(tcb);

	if (e->rcv_refuse)
		return false;
	if (e->nrcv < XT_MAXRCV) {
		e->roff[e->nrcv] = off;
		e->rlen[e->nrcv] = len;
		e->nrcv++;
	}
	e->queued += len;
	return true;
}

static u32 xt_rcv_space(struct xtcp_tcb *tcb)
{
	struct xt_env *e = xt_e(tcb);

	return e->rbuf > e->queued ? e->rbuf - e->queued : 0;
}

static void xt_state_change(struct xtcp_tcb *tcb, enum xtcp_state old)
{
	struct xt_env *e = xt_e(tcb);

	if (e->nstates < XT_MAXST)
		e->states[e->nstates++] = tcb->state;
}

static void xt_error(struct xtcp_tcb *tcb, int err)
{
	struct xt_env *e = xt_e(tcb);

	e->err = err;
	e->nerr++;
}

static void xt_event(struct xtcp_tcb *tcb)
{
	xt_e(tcb)->events++;
}

static void xt_note(struct xtcp_tcb *tcb, enum xtcp_note n)
{
	struct xt_env *e = xt_e(tcb);

	KUNIT_ASSERT_LT(e->test, (int)n, (int)ARRAY_SIZE(e->notes));
	e->notes[n]++;
}

/* held bytes count against the buffer model as queued ones do */
static bool xt_ofo_hold(struct xtcp_tcb *tcb, u32 off, u32 len, u32 seq)
{
	struct xt_env *e = xt_e(tcb);

	if (e->hold_refuse)
		return false;
	if (e->nhold < XT_MAXRCV) {
		e->hoff[e->nhold] = off;
		e->hlen[e->nhold] = len;
		e->hseq[e->nhold] = seq;
		e->nhold++;
	}
	e->queued += len;
	return true;
}

static void xt_ofo_pull(struct xtcp_tcb *tcb, u32 from, u32 to)
{
	struct xt_env *e = xt_e(tcb);

	if (e->npull < XT_MAXRCV) {
		e->pfrom[e->npull] = from;
		e->pto[e->npull] = to;
		e->npull++;
	}
}

static const struct xtcp_core_ops xt_ops = {
	.now = xt_now,
	.output = xt_output,
	.timer_set = xt_timer_set,
	.timer_clear = xt_timer_clear,
	.rcv_data = xt_rcv_data,
	.rcv_space = xt_rcv_space,
	.state_change = xt_state_change,
	.error = xt_error,
	.event = xt_event,
	.note = xt_note,
	.ofo_hold = xt_ofo_hold,
	.ofo_pull = xt_ofo_pull,
};

static int xt_init(struct kunit *test)
{
	struct xt_env *e = kunit_kzalloc(test, sizeof(*e), GFP_KERNEL);

	if (!e)
		return -ENOMEM;
	e->test = test;
	e->now = 100000;
	e->p = (struct xtcp_params){
		.msl_ms = 30000, .fin_timeout_ms = 40000,
		.rto_init_ms = 1000, .rto_min_ms = 200, .rto_max_ms = 120000,
		.syn_retries = 3, .synack_retries = 2, .retries = 4,
		.delack_ms = 40,
	};
	e->rbuf = 65535;
	e->iss = ISS;
	e->irs = IRS;
	e->rcv_mss = 1460;
	e->peer_mss = 1460;
	e->peer_ws = -1;
	e->peer_wnd = 65535;
	test->priv = e;
	return 0;
}

/* the TIME-WAIT cases again, on the compact TIME-WAIT state */
static int xt_init_tw_compact(struct kunit *test)
{
	int ret = xt_init(test);

	if (!ret)
		((struct xt_env *)test->priv)->tw_compact = true;
	return ret;
}

/* the scoreboard is the one thing a TCB allocates */
static void xt_exit(struct kunit *test)
{
	xtcp_core_destroy(&((struct xt_env *)test->priv)->tcb);
}

static struct xt_env *E(struct kunit *test)
{
	return test->priv;
}

static struct xtcp_tcb *T(struct kunit *test)
{
	return &E(test)->tcb;
}

/* forget what was recorded (timers stay armed) */
static void xt_clear(struct kunit *test)
{
	struct xt_env *e = E(test);

	e->nout = 0;
	e->rd = 0;
	e->nrcv = 0;
	e->nhold = 0;
	e->npull = 0;
	e->nstates = 0;
	e->err = 0;
	e->nerr = 0;
	e->events = 0;
	memset(e->nset, 0, sizeof(e->nset));
}

/* ---- the peer ---- */

static void xt_send_full(struct kunit *test, u16 flags, u32 seq, u32 ack,
			 u32 len, u16 wnd, u16 mss, s8 ws)
{
	struct xtcp_seg seg = {
		.seq = seq, .ack = ack, .flags = flags, .wnd = wnd,
		.len = len, .mss = mss, .wscale = ws,
	};

	xtcp_core_input(T(test), &seg);
}

static void xt_send(struct kunit *test, u16 flags, u32 seq, u32 ack, u32 len)
{
	xt_send_full(test, flags, seq, ack, len, E(test)->peer_wnd, 0, -1);
}

static void xt_send_wnd(struct kunit *test, u16 flags, u32 seq, u32 ack,
			u32 len, u16 wnd)
{
	xt_send_full(test, flags, seq, ack, len, wnd, 0, -1);
}

/* the glue appends @n bytes to the send stream */
static void xt_write(struct kunit *test, u32 n)
{
	T(test)->snd_end += n;
	xtcp_core_output(T(test));
}

/* the user reads @n bytes */
static void xt_read(struct kunit *test, u32 n)
{
	E(test)->queued -= n;
	xtcp_core_recvd(T(test));
}

/* a timer fires after its interval */
static void xt_fire(struct kunit *test, enum xtcp_timer t)
{
	struct xt_env *e = E(test);

	KUNIT_ASSERT_TRUE(test, e->armed[t]);
	e->armed[t] = false;
	e->now += e->tms[t];
	xtcp_core_timeout(T(test), t);
}

/* ---- expectations ---- */

static const struct xtcp_out *xt_expect_seg_(struct kunit *test, int line,
					     u16 flags, u32 seq, u32 ack,
					     int wnd)
{
	static const struct xtcp_out none = { .wscale = -1 };
	struct xt_env *e = E(test);
	const struct xtcp_out *o;

	KUNIT_EXPECT_LT_MSG(test, e->rd, e->nout, "line %d: no segment", line);
	if (e->rd >= e->nout)
		return &none;
	o = &e->out[e->rd++];
	KUNIT_EXPECT_EQ_MSG(test, o->flags, flags, "line %d: flags", line);
	KUNIT_EXPECT_EQ_MSG(test, o->seq, seq, "line %d: seq", line);
	if (flags & XTCP_ACK)
		KUNIT_EXPECT_EQ_MSG(test, o->ack, ack, "line %d: ack", line);
	if (wnd != XT_ANY)
		KUNIT_EXPECT_EQ_MSG(test, o->wnd, wnd, "line %d: wnd", line);
	return o;
}

#define xt_expect_seg(test, f, s, a, w) \
	xt_expect_seg_(test, __LINE__, f, s, a, w)

static void xt_expect_none_(struct kunit *test, int line)
{
	struct xt_env *e = E(test);

	KUNIT_EXPECT_EQ_MSG(test, e->nout - e->rd, 0,
			    "line %d: unexpected segment flags %#x seq %u",
			    line, e->rd < e->nout ? e->out[e->rd].flags : 0,
			    e->rd < e->nout ? e->out[e->rd].seq : 0);
}

#define xt_expect_none(test) xt_expect_none_(test, __LINE__)

static void xt_expect_state_(struct kunit *test, int line, u8 state)
{
	u8 cur = T(test)->state;

	KUNIT_EXPECT_EQ_MSG(test, cur, state, "line %d: state %s, want %s",
			    line, xtcp_state_name(cur), xtcp_state_name(state));
}

#define xt_expect_state(test, s) xt_expect_state_(test, __LINE__, s)

static void xt_expect_timer_(struct kunit *test, int line,
			     enum xtcp_timer t, u32 ms)
{
	KUNIT_EXPECT_TRUE_MSG(test, E(test)->armed[t], "line %d: timer %d off",
			      line, t);
	KUNIT_EXPECT_EQ_MSG(test, E(test)->tms[t], ms, "line %d: timer %d",
			    line, t);
}

#define xt_expect_timer(test, t, ms) xt_expect_timer_(test, __LINE__, t, ms)

static void xt_expect_no_timer_(struct kunit *test, int line,
				enum xtcp_timer t)
{
	KUNIT_EXPECT_FALSE_MSG(test, E(test)->armed[t], "line %d: timer %d on",
			       line, t);
}

#define xt_expect_no_timer(test, t) xt_expect_no_timer_(test, __LINE__, t)

static void xt_expect_no_timers_(struct kunit *test, int line)
{
	int t;

	for (t = 0; t < XTCP_T_MAX; t++)
		xt_expect_no_timer_(test, line, t);
}

#define xt_expect_no_timers(test) xt_expect_no_timers_(test, __LINE__)

static void xt_expect_rcv_(struct kunit *test, int line, int i, u32 off,
			   u32 len)
{
	KUNIT_EXPECT_LT_MSG(test, i, E(test)->nrcv, "line %d", line);
	if (i >= E(test)->nrcv)
		return;
	KUNIT_EXPECT_EQ_MSG(test, E(test)->roff[i], off, "line %d", line);
	KUNIT_EXPECT_EQ_MSG(test, E(test)->rlen[i], len, "line %d", line);
}

#define xt_expect_rcv(test, i, off, len) \
	xt_expect_rcv_(test, __LINE__, i, off, len)

/* ---- builders: each drives a fresh TCB to its state via the API ---- */

/*
 * The cases of this file check the delayed-ACK path (one ACK per two
 * segments or the timer): start them past the quick-ACK mode a new
 * connection begins in (kunit/xtcp_sender_test.c covers that mode).
 */
static void xt_no_quickack(struct kunit *test)
{
	T(test)->ack_started = 1;
	T(test)->quick = 0;
}

static void xt_closed(struct kunit *test)
{
	struct xt_env *e = E(test);

	memset(&e->tcb, 0, sizeof(e->tcb));
	memset(e->armed, 0, sizeof(e->armed));
	e->queued = 0;
	xtcp_core_init(&e->tcb, &xt_ops, &e->p, e->cc_priv, e->rcv_mss,
		       e->rcv_ws);
	KUNIT_ASSERT_EQ(test, e->tcb.state, XTCP_CLOSED);
	xt_clear(test);
}

static void xt_listen(struct kunit *test)
{
	xt_closed(test);
	KUNIT_ASSERT_EQ(test, xtcp_core_listen(T(test)), 0);
	KUNIT_ASSERT_EQ(test, T(test)->state, XTCP_LISTEN);
	xt_clear(test);
}

static void xt_syn_sent(struct kunit *test)
{
	xt_closed(test);
	KUNIT_ASSERT_EQ(test, xtcp_core_connect(T(test), E(test)->iss), 0);
	KUNIT_ASSERT_EQ(test, T(test)->state, XTCP_SYN_SENT);
	xt_clear(test);
}

/* the peer's SYN, as a listener would hand it to xtcp_core_accept_syn() */
static struct xtcp_seg xt_peer_syn(struct kunit *test)
{
	struct xt_env *e = E(test);

	return (struct xtcp_seg){
		.seq = e->irs, .flags = XTCP_SYN, .wnd = e->peer_wnd,
		.mss = e->peer_mss, .wscale = e->peer_ws,
	};
}

/* passive: LISTEN took a SYN, the child is in SYN-RECEIVED */
static void xt_syn_received(struct kunit *test)
{
	struct xtcp_seg syn = xt_peer_syn(test);

	xt_closed(test);
	KUNIT_ASSERT_EQ(test, xtcp_core_listen_input(&syn), XTCP_LV_SYN);
	xtcp_core_accept_syn(T(test), &syn, E(test)->iss);
	KUNIT_ASSERT_EQ(test, T(test)->state, XTCP_SYN_RECEIVED);
	xt_no_quickack(test);
	xt_clear(test);
}

/* active: simultaneous open */
static void xt_syn_received_active(struct kunit *test)
{
	struct xt_env *e = E(test);

	xt_syn_sent(test);
	xt_send_full(test, XTCP_SYN, e->irs, 0, 0, e->peer_wnd, e->peer_mss,
		     e->peer_ws);
	KUNIT_ASSERT_EQ(test, T(test)->state, XTCP_SYN_RECEIVED);
	xt_clear(test);
}

static void xt_established(struct kunit *test)
{
	struct xt_env *e = E(test);

	xt_syn_sent(test);
	e->now += 10;
	xt_send_full(test, XTCP_SYN | XTCP_ACK, e->irs, e->iss + 1, 0,
		     e->peer_wnd, e->peer_mss, e->peer_ws);
	KUNIT_ASSERT_EQ(test, T(test)->state, XTCP_ESTABLISHED);
	xt_no_quickack(test);
	xt_clear(test);
}

static void xt_fin_wait_1(struct kunit *test)
{
	xt_established(test);
	KUNIT_ASSERT_EQ(test, xtcp_core_close(T(test)), 0);
	KUNIT_ASSERT_EQ(test, T(test)->state, XTCP_FIN_WAIT_1);
	xt_clear(test);
}

static void xt_fin_wait_2(struct kunit *test)
{
	xt_fin_wait_1(test);
	xt_send(test, XTCP_ACK, R1, S1 + 1, 0);
	KUNIT_ASSERT_EQ(test, T(test)->state, XTCP_FIN_WAIT_2);
	xt_clear(test);
}

static void xt_close_wait(struct kunit *test)
{
	xt_established(test);
	xt_send(test, XTCP_FIN | XTCP_ACK, R1, S1, 0);
	KUNIT_ASSERT_EQ(test, T(test)->state, XTCP_CLOSE_WAIT);
	xt_clear(test);
}

static void xt_closing(struct kunit *test)
{
	xt_fin_wait_1(test);
	xt_send(test, XTCP_FIN | XTCP_ACK, R1, S1, 0);
	KUNIT_ASSERT_EQ(test, T(test)->state, XTCP_CLOSING);
	xt_clear(test);
}

static void xt_last_ack(struct kunit *test)
{
	xt_close_wait(test);
	KUNIT_ASSERT_EQ(test, xtcp_core_close(T(test)), 0);
	KUNIT_ASSERT_EQ(test, T(test)->state, XTCP_LAST_ACK);
	xt_clear(test);
}

static void xt_time_wait(struct kunit *test)
{
	struct xtcp_tw_tcb tw;

	xt_fin_wait_2(test);
	xt_send(test, XTCP_FIN | XTCP_ACK, R1, S1 + 1, 0);
	KUNIT_ASSERT_EQ(test, T(test)->state, XTCP_TIME_WAIT);
	if (E(test)->tw_compact) {
		/* what the glue's TIME-WAIT object keeps, and rebuilds */
		xtcp_core_tw_save(T(test), &tw);
		xtcp_core_destroy(T(test));
		xtcp_core_tw_load(T(test), &tw, T(test)->ops, E(test)->now);
		KUNIT_ASSERT_EQ(test, T(test)->state, XTCP_TIME_WAIT);
	}
	xt_clear(test);
}

/* ==== CLOSED ==== */

static void closed_connect(struct kunit *test)
{
	const struct xtcp_out *o;

	xt_closed(test);
	KUNIT_EXPECT_EQ(test, xtcp_core_connect(T(test), ISS), 0);
	o = xt_expect_seg(test, XTCP_SYN, ISS, 0, 65535);
	KUNIT_EXPECT_EQ(test, o->mss, 1460);
	KUNIT_EXPECT_EQ(test, o->wscale, 0);
	KUNIT_EXPECT_EQ(test, o->len, 0);
	KUNIT_EXPECT_FALSE(test, o->rtx);
	xt_expect_none(test);
	xt_expect_state(test, XTCP_SYN_SENT);
	KUNIT_EXPECT_EQ(test, E(test)->nstates, 1);
	KUNIT_EXPECT_EQ(test, E(test)->states[0], XTCP_SYN_SENT);
	xt_expect_timer(test, XTCP_T_RTX, 1000);
	KUNIT_EXPECT_EQ(test, T(test)->snd_una, ISS);
	KUNIT_EXPECT_EQ(test, T(test)->snd_nxt, ISS + 1);
	KUNIT_EXPECT_EQ(test, T(test)->snd_max, ISS + 1);
	KUNIT_EXPECT_EQ(test, T(test)->snd_end, ISS + 1);
}

static void closed_connect_syn_window_unscaled(struct kunit *test)
{
	const struct xtcp_out *o;

	E(test)->rcv_ws = 7;
	E(test)->rbuf = 1 << 20;
	xt_closed(test);
	xtcp_core_connect(T(test), ISS);
	o = xt_expect_seg(test, XTCP_SYN, ISS, 0, 65535);
	KUNIT_EXPECT_EQ(test, o->wscale, 7);
	E(test)->rbuf = 3000;
	xt_closed(test);
	xtcp_core_connect(T(test), ISS);
	xt_expect_seg(test, XTCP_SYN, ISS, 0, 3000);
}

static void closed_listen(struct kunit *test)
{
	xt_closed(test);
	KUNIT_EXPECT_EQ(test, xtcp_core_listen(T(test)), 0);
	xt_expect_state(test, XTCP_LISTEN);
	KUNIT_EXPECT_EQ(test, E(test)->nstates, 1);
	xt_expect_none(test);
	xt_expect_no_timers(test);
}

static void closed_close(struct kunit *test)
{
	xt_closed(test);
	KUNIT_EXPECT_EQ(test, xtcp_core_close(T(test)), -ENOTCONN);
	xt_expect_state(test, XTCP_CLOSED);
	KUNIT_EXPECT_EQ(test, E(test)->nstates, 0);
	xt_expect_none(test);
}

static void closed_abort(struct kunit *test)
{
	xt_closed(test);
	xtcp_core_abort(T(test));
	xt_expect_state(test, XTCP_CLOSED);
	KUNIT_EXPECT_EQ(test, E(test)->nstates, 0);
	xt_expect_none(test);
}

static void closed_segment_ignored(struct kunit *test)
{
	xt_closed(test);
	xt_send(test, XTCP_SYN, IRS, 0, 0);
	xt_send(test, XTCP_ACK, IRS, ISS, 10);
	xt_expect_none(test);
	xt_expect_state(test, XTCP_CLOSED);
	KUNIT_EXPECT_EQ(test, E(test)->nrcv, 0);
}

static void closed_output_nothing(struct kunit *test)
{
	xt_closed(test);
	xt_write(test, 100);
	xt_expect_none(test);
	xt_expect_no_timers(test);
}

/* ==== LISTEN ==== */

static void listen_rst(struct kunit *test)
{
	struct xtcp_seg s = { .flags = XTCP_RST };

	KUNIT_EXPECT_EQ(test, xtcp_core_listen_input(&s), XTCP_LV_DROP);
	s.flags = XTCP_RST | XTCP_ACK;
	KUNIT_EXPECT_EQ(test, xtcp_core_listen_input(&s), XTCP_LV_DROP);
	s.flags = XTCP_RST | XTCP_SYN;
	KUNIT_EXPECT_EQ(test, xtcp_core_listen_input(&s), XTCP_LV_DROP);
}

static void listen_ack(struct kunit *test)
{
	struct xtcp_seg s = { .flags = XTCP_ACK, .ack = 77 };
	struct xtcp_out o;

	KUNIT_EXPECT_EQ(test, xtcp_core_listen_input(&s), XTCP_LV_RESET);
	s.flags = XTCP_SYN | XTCP_ACK;
	KUNIT_EXPECT_EQ(test, xtcp_core_listen_input(&s), XTCP_LV_RESET);
	KUNIT_EXPECT_TRUE(test, xtcp_core_reset_for(&s, &o));
	KUNIT_EXPECT_EQ(test, o.flags, XTCP_RST);
	KUNIT_EXPECT_EQ(test, o.seq, 77);
}

static void listen_syn(struct kunit *test)
{
	struct xtcp_seg s = { .flags = XTCP_SYN };

	KUNIT_EXPECT_EQ(test, xtcp_core_listen_input(&s), XTCP_LV_SYN);
	s.flags = XTCP_SYN | XTCP_PSH;
	KUNIT_EXPECT_EQ(test, xtcp_core_listen_input(&s), XTCP_LV_SYN);
	s.flags = XTCP_SYN | XTCP_URG;
	KUNIT_EXPECT_EQ(test, xtcp_core_listen_input(&s), XTCP_LV_SYN);
	/* SYN+FIN is dropped, as Linux does */
	s.flags = XTCP_SYN | XTCP_FIN;
	KUNIT_EXPECT_EQ(test, xtcp_core_listen_input(&s), XTCP_LV_DROP);
	s.flags = XTCP_SYN | XTCP_FIN | XTCP_PSH | XTCP_URG;
	KUNIT_EXPECT_EQ(test, xtcp_core_listen_input(&s), XTCP_LV_DROP);
}

static void listen_other(struct kunit *test)
{
	struct xtcp_seg s = { .flags = XTCP_FIN };

	KUNIT_EXPECT_EQ(test, xtcp_core_listen_input(&s), XTCP_LV_DROP);
	s.flags = 0;
	s.len = 10;
	KUNIT_EXPECT_EQ(test, xtcp_core_listen_input(&s), XTCP_LV_DROP);
}

static void listen_close(struct kunit *test)
{
	xt_listen(test);
	KUNIT_EXPECT_EQ(test, xtcp_core_close(T(test)), 0);
	xt_expect_state(test, XTCP_CLOSED);
	xt_expect_none(test);
}

static void listen_abort(struct kunit *test)
{
	xt_listen(test);
	xtcp_core_abort(T(test));
	xt_expect_state(test, XTCP_CLOSED);
	xt_expect_none(test);
}

static void listen_input_ignored(struct kunit *test)
{
	xt_listen(test);
	xt_send(test, XTCP_SYN, IRS, 0, 0);
	xt_expect_none(test);
	xt_expect_state(test, XTCP_LISTEN);
	KUNIT_EXPECT_EQ(test, xtcp_core_connect(T(test), ISS), -EISCONN);
}

static void listen_accept_syn(struct kunit *test)
{
	const struct xtcp_out *o;
	struct xtcp_seg syn;

	E(test)->peer_mss = 1200;
	E(test)->peer_wnd = 30000;
	syn = xt_peer_syn(test);
	xt_closed(test);
	xtcp_core_accept_syn(T(test), &syn, ISS);
	o = xt_expect_seg(test, XTCP_SYN | XTCP_ACK, ISS, IRS + 1, 65535);
	KUNIT_EXPECT_EQ(test, o->mss, 1460);
	KUNIT_EXPECT_EQ(test, o->wscale, -1);
	xt_expect_none(test);
	xt_expect_state(test, XTCP_SYN_RECEIVED);
	xt_expect_timer(test, XTCP_T_RTX, 1000);
	KUNIT_EXPECT_TRUE(test, T(test)->fl & XTCP_F_PASSIVE);
	KUNIT_EXPECT_EQ(test, T(test)->irs, IRS);
	KUNIT_EXPECT_EQ(test, T(test)->rcv_nxt, IRS + 1);
	KUNIT_EXPECT_EQ(test, T(test)->snd_wnd, 30000);
	KUNIT_EXPECT_EQ(test, T(test)->snd_mss, 1200);
	KUNIT_EXPECT_EQ(test, T(test)->wscale_ok, 0);
	KUNIT_EXPECT_EQ(test, T(test)->snd_nxt, ISS + 1);
}

static void listen_accept_syn_wscale(struct kunit *test)
{
	const struct xtcp_out *o;
	struct xtcp_seg syn;

	E(test)->peer_ws = 9;
	E(test)->rcv_ws = 7;
	E(test)->rbuf = 1 << 20;
	syn = xt_peer_syn(test);
	syn.wnd = 1000;
	xt_closed(test);
	xtcp_core_accept_syn(T(test), &syn, ISS);
	o = xt_expect_seg(test, XTCP_SYN | XTCP_ACK, ISS, IRS + 1, 65535);
	KUNIT_EXPECT_EQ(test, o->wscale, 7);
	KUNIT_EXPECT_EQ(test, T(test)->wscale_ok, 1);
	KUNIT_EXPECT_EQ(test, T(test)->snd_wscale, 9);
	KUNIT_EXPECT_EQ(test, T(test)->rcv_wscale, 7);
	/* the SYN's window is not scaled */
	KUNIT_EXPECT_EQ(test, T(test)->snd_wnd, 1000);
}

static void listen_accept_syn_no_mss(struct kunit *test)
{
	struct xtcp_seg syn;

	E(test)->peer_mss = 0;
	E(test)->rcv_ws = 7;
	syn = xt_peer_syn(test);
	xt_closed(test);
	xtcp_core_accept_syn(T(test), &syn, ISS);
	KUNIT_EXPECT_EQ(test, T(test)->snd_mss, 536);
	KUNIT_EXPECT_EQ(test, T(test)->cwnd, 5360);
	/* no wscale from the peer: neither side scales */
	KUNIT_EXPECT_EQ(test, T(test)->rcv_wscale, 0);
	KUNIT_EXPECT_EQ(test, xt_expect_seg(test, XTCP_SYN | XTCP_ACK, ISS,
					    IRS + 1, XT_ANY)->wscale, -1);
}

/* RFC 2018 §2: SACK-permitted only in SYNs, a SYN-ACK echoes the offer */
static void listen_accept_syn_sack(struct kunit *test)
{
	const struct xtcp_out *o;
	struct xtcp_seg syn;

	E(test)->p.sack = 1;
	syn = xt_peer_syn(test);
	syn.sack_ok = 1;
	xt_closed(test);
	xtcp_core_accept_syn(T(test), &syn, ISS);
	o = xt_expect_seg(test, XTCP_SYN | XTCP_ACK, ISS, IRS + 1, XT_ANY);
	KUNIT_EXPECT_EQ(test, o->sack_ok, 1);
	KUNIT_EXPECT_EQ(test, T(test)->sack_ok, 1);
}

static void listen_accept_syn_no_sack(struct kunit *test)
{
	struct xtcp_seg syn;

	/* the peer did not offer: the SYN-ACK does not either */
	E(test)->p.sack = 1;
	syn = xt_peer_syn(test);
	xt_closed(test);
	xtcp_core_accept_syn(T(test), &syn, ISS);
	KUNIT_EXPECT_EQ(test, xt_expect_seg(test, XTCP_SYN | XTCP_ACK, ISS,
					    IRS + 1, XT_ANY)->sack_ok, 0);
	KUNIT_EXPECT_EQ(test, T(test)->sack_ok, 0);
}

static void listen_accept_syn_sack_off(struct kunit *test)
{
	struct xtcp_seg syn;

	/* net.xtcp.sack = 0: an offer is declined */
	E(test)->p.sack = 0;
	syn = xt_peer_syn(test);
	syn.sack_ok = 1;
	xt_closed(test);
	xtcp_core_accept_syn(T(test), &syn, ISS);
	KUNIT_EXPECT_EQ(test, xt_expect_seg(test, XTCP_SYN | XTCP_ACK, ISS,
					    IRS + 1, XT_ANY)->sack_ok, 0);
	KUNIT_EXPECT_EQ(test, T(test)->sack_ok, 0);
}

static void syn_sent_sack_negotiated(struct kunit *test)
{
	struct xtcp_seg s = { .seq = IRS, .ack = ISS + 1,
			      .flags = XTCP_SYN | XTCP_ACK, .wnd = 65535,
			      .mss = 1460, .wscale = -1, .sack_ok = 1 };

	E(test)->p.sack = 1;
	xt_closed(test);
	KUNIT_EXPECT_EQ(test, xtcp_core_connect(T(test), ISS), 0);
	KUNIT_EXPECT_EQ(test, xt_expect_seg(test, XTCP_SYN, ISS, 0,
					    XT_ANY)->sack_ok, 1);
	xtcp_core_input(T(test), &s);
	KUNIT_EXPECT_EQ(test, T(test)->state, XTCP_ESTABLISHED);
	KUNIT_EXPECT_EQ(test, T(test)->sack_ok, 1);
}

/* ==== reset generation (§3.10.7.1) ==== */

static void reset_for_ack(struct kunit *test)
{
	struct xtcp_seg s = { .flags = XTCP_ACK, .seq = 9, .ack = 123456,
			      .len = 50 };
	struct xtcp_out o;

	KUNIT_EXPECT_TRUE(test, xtcp_core_reset_for(&s, &o));
	KUNIT_EXPECT_EQ(test, o.flags, XTCP_RST);
	KUNIT_EXPECT_EQ(test, o.seq, 123456);
	KUNIT_EXPECT_EQ(test, o.len, 0);
	KUNIT_EXPECT_EQ(test, o.wnd, 0);
	KUNIT_EXPECT_EQ(test, o.mss, 0);
	KUNIT_EXPECT_EQ(test, o.wscale, -1);
}

static void reset_for_noack(struct kunit *test)
{
	struct xtcp_seg s = { .flags = XTCP_SYN, .seq = 0xffffffffU };
	struct xtcp_out o;

	KUNIT_EXPECT_TRUE(test, xtcp_core_reset_for(&s, &o));
	KUNIT_EXPECT_EQ(test, o.flags, XTCP_RST | XTCP_ACK);
	KUNIT_EXPECT_EQ(test, o.seq, 0);
	KUNIT_EXPECT_EQ(test, o.ack, 0);	/* SYN counts: wraps */
	s = (struct xtcp_seg){ .flags = XTCP_FIN | XTCP_PSH, .seq = 100,
			       .len = 20 };
	KUNIT_EXPECT_TRUE(test, xtcp_core_reset_for(&s, &o));
	KUNIT_EXPECT_EQ(test, o.ack, 121);
	s = (struct xtcp_seg){ .seq = 100, .len = 20 };
	KUNIT_EXPECT_TRUE(test, xtcp_core_reset_for(&s, &o));
	KUNIT_EXPECT_EQ(test, o.ack, 120);
}

static void reset_for_rst(struct kunit *test)
{
	struct xtcp_seg s = { .flags = XTCP_RST };
	struct xtcp_out o;

	KUNIT_EXPECT_FALSE(test, xtcp_core_reset_for(&s, &o));
	s.flags = XTCP_RST | XTCP_ACK;
	KUNIT_EXPECT_FALSE(test, xtcp_core_reset_for(&s, &o));
}

/* ==== SYN-SENT ==== */

static void syn_sent_synack(struct kunit *test)
{
	xt_syn_sent(test);
	xt_send_full(test, XTCP_SYN | XTCP_ACK, IRS, ISS + 1, 0, 20000, 1460,
		     -1);
	xt_expect_seg(test, XTCP_ACK, ISS + 1, IRS + 1, 65535);
	xt_expect_none(test);
	xt_expect_state(test, XTCP_ESTABLISHED);
	xt_expect_no_timers(test);
	KUNIT_EXPECT_GE(test, E(test)->events, 1);
	KUNIT_EXPECT_EQ(test, T(test)->irs, IRS);
	KUNIT_EXPECT_EQ(test, T(test)->snd_una, ISS + 1);
	KUNIT_EXPECT_EQ(test, T(test)->snd_wnd, 20000);
	KUNIT_EXPECT_EQ(test, T(test)->cwnd, 14600);
	KUNIT_EXPECT_EQ(test, T(test)->ssthresh, 0x7fffffff);
	KUNIT_EXPECT_EQ(test, E(test)->nerr, 0);
}

/* the handshake ACK acknowledges the peer's ISN plus one, even at 2^32-1 */
static void syn_sent_synack_ack_is_isn_plus_one(struct kunit *test)
{
	E(test)->irs = 0xffffffffU;
	xt_syn_sent(test);
	xt_send(test, XTCP_SYN | XTCP_ACK, 0xffffffffU, ISS + 1, 0);
	xt_expect_seg(test, XTCP_ACK, ISS + 1, 0, XT_ANY);
	KUNIT_EXPECT_EQ(test, T(test)->rcv_nxt, 0);
	KUNIT_EXPECT_EQ(test, T(test)->irs, 0xffffffffU);
}

static void syn_sent_synack_mss(struct kunit *test)
{
	E(test)->peer_mss = 1000;
	xt_established(test);
	KUNIT_EXPECT_EQ(test, T(test)->snd_mss, 1000);
	KUNIT_EXPECT_EQ(test, T(test)->cwnd, 10000);
	xt_write(test, 2500);
	KUNIT_EXPECT_EQ(test, xt_expect_seg(test, XTCP_ACK, S1, R1,
					    XT_ANY)->len, 1000);
	KUNIT_EXPECT_EQ(test, xt_expect_seg(test, XTCP_ACK, S1 + 1000, R1,
					    XT_ANY)->len, 1000);
	KUNIT_EXPECT_EQ(test, xt_expect_seg(test, XTCP_ACK | XTCP_PSH,
					    S1 + 2000, R1, XT_ANY)->len, 500);
	xt_expect_none(test);
}

static void syn_sent_synack_mss_absent(struct kunit *test)
{
	E(test)->peer_mss = 0;
	xt_established(test);
	KUNIT_EXPECT_EQ(test, T(test)->snd_mss, 536);
}

static void syn_sent_synack_mss_larger(struct kunit *test)
{
	E(test)->peer_mss = 9000;
	xt_established(test);
	KUNIT_EXPECT_EQ(test, T(test)->snd_mss, 1460);
}

static void syn_sent_synack_wscale(struct kunit *test)
{
	E(test)->rcv_ws = 7;
	E(test)->peer_ws = 9;
	E(test)->rbuf = 1 << 20;
	E(test)->peer_wnd = 1000;
	xt_syn_sent(test);
	xt_send_full(test, XTCP_SYN | XTCP_ACK, IRS, ISS + 1, 0, 1000, 1460, 9);
	KUNIT_EXPECT_EQ(test, T(test)->wscale_ok, 1);
	KUNIT_EXPECT_EQ(test, T(test)->snd_wscale, 9);
	KUNIT_EXPECT_EQ(test, T(test)->snd_wnd, 1000);	/* SYN: unscaled */
	/* our ACK's window is scaled. It opens with the data that comes
	 * (rcv_ssthresh, as Linux), not to the 1 MiB buffer at once: the
	 * SYN's 65535, rounded up to 128 so that the edge does not
	 * shrink, 65536 >> 7
	 */
	xt_expect_seg(test, XTCP_ACK, ISS + 1, IRS + 1, 512);
	KUNIT_EXPECT_EQ(test, T(test)->rcv_wnd, 65536);
	/* later windows from the peer are scaled */
	xt_send_wnd(test, XTCP_ACK, R1, S1, 0, 1000);
	KUNIT_EXPECT_EQ(test, T(test)->snd_wnd, 1000 << 9);
}

static void syn_sent_synack_wscale_cap(struct kunit *test)
{
	E(test)->rcv_ws = 2;
	xt_syn_sent(test);
	xt_send_full(test, XTCP_SYN | XTCP_ACK, IRS, ISS + 1, 0, 100, 1460, 15);
	KUNIT_EXPECT_EQ(test, T(test)->snd_wscale, 14);
	xt_send_wnd(test, XTCP_ACK, R1, S1, 0, 1);
	KUNIT_EXPECT_EQ(test, T(test)->snd_wnd, 1 << 14);
}

static void syn_sent_synack_no_wscale(struct kunit *test)
{
	E(test)->rcv_ws = 7;
	E(test)->rbuf = 1 << 20;
	xt_established(test);
	KUNIT_EXPECT_EQ(test, T(test)->wscale_ok, 0);
	KUNIT_EXPECT_EQ(test, T(test)->rcv_wscale, 0);
	KUNIT_EXPECT_EQ(test, T(test)->snd_wscale, 0);
	xt_send(test, XTCP_ACK, R1, S1, 10);
	xt_fire(test, XTCP_T_DELACK);
	xt_expect_seg(test, XTCP_ACK, S1, R1 + 10, 65535);
}

static void syn_sent_synack_rtt(struct kunit *test)
{
	E(test)->p.rto_min_ms = 1;
	xt_syn_sent(test);
	E(test)->now += 100;
	xt_send(test, XTCP_SYN | XTCP_ACK, IRS, ISS + 1, 0);
	KUNIT_EXPECT_EQ(test, T(test)->srtt_us, 8 * 100000);
	KUNIT_EXPECT_EQ(test, T(test)->rttvar_us, 4 * 50000);
	KUNIT_EXPECT_EQ(test, T(test)->rto_ms, 300);
}

static void syn_sent_synack_after_rtx_no_rtt(struct kunit *test)
{
	xt_syn_sent(test);
	xt_fire(test, XTCP_T_RTX);
	E(test)->now += 50;
	xt_send(test, XTCP_SYN | XTCP_ACK, IRS, ISS + 1, 0);
	xt_expect_state(test, XTCP_ESTABLISHED);
	KUNIT_EXPECT_EQ(test, T(test)->srtt_us, 0);	/* Karn */
	KUNIT_EXPECT_EQ(test, T(test)->rto_ms, 1000);
	KUNIT_EXPECT_EQ(test, T(test)->backoff, 0);
}

static void syn_sent_bad_ack(struct kunit *test)
{
	xt_syn_sent(test);
	xt_send(test, XTCP_SYN | XTCP_ACK, IRS, ISS, 0);
	xt_expect_seg(test, XTCP_RST, ISS, 0, 0);
	xt_send(test, XTCP_ACK, IRS, ISS + 2, 0);
	xt_expect_seg(test, XTCP_RST, ISS + 2, 0, 0);
	xt_expect_none(test);
	xt_expect_state(test, XTCP_SYN_SENT);
	xt_expect_timer(test, XTCP_T_RTX, 1000);
}

static void syn_sent_bad_ack_rst(struct kunit *test)
{
	xt_syn_sent(test);
	xt_send(test, XTCP_RST | XTCP_ACK, IRS, ISS + 5, 0);
	xt_expect_none(test);
	xt_expect_state(test, XTCP_SYN_SENT);
	KUNIT_EXPECT_EQ(test, E(test)->nerr, 0);
}

static void syn_sent_rst_ack(struct kunit *test)
{
	xt_syn_sent(test);
	xt_send(test, XTCP_RST | XTCP_ACK, 0, ISS + 1, 0);
	xt_expect_none(test);
	xt_expect_state(test, XTCP_CLOSED);
	KUNIT_EXPECT_EQ(test, E(test)->err, -ECONNREFUSED);
	KUNIT_EXPECT_EQ(test, E(test)->nerr, 1);
	xt_expect_no_timers(test);
}

static void syn_sent_rst_noack(struct kunit *test)
{
	xt_syn_sent(test);
	xt_send(test, XTCP_RST, IRS, 0, 0);
	xt_expect_none(test);
	xt_expect_state(test, XTCP_SYN_SENT);
	KUNIT_EXPECT_EQ(test, E(test)->nerr, 0);
}

static void syn_sent_syn(struct kunit *test)
{
	const struct xtcp_out *o;

	xt_syn_sent(test);
	xt_send_full(test, XTCP_SYN, IRS, 0, 0, 65535, 1460, -1);
	o = xt_expect_seg(test, XTCP_SYN | XTCP_ACK, ISS, IRS + 1, 65535);
	KUNIT_EXPECT_EQ(test, o->mss, 1460);
	xt_expect_none(test);
	xt_expect_state(test, XTCP_SYN_RECEIVED);
	KUNIT_EXPECT_FALSE(test, T(test)->fl & XTCP_F_PASSIVE);
	xt_expect_timer(test, XTCP_T_RTX, 1000);
}

static void syn_sent_ack_only(struct kunit *test)
{
	xt_syn_sent(test);
	xt_send(test, XTCP_ACK, IRS, ISS + 1, 0);
	xt_expect_none(test);
	xt_expect_state(test, XTCP_SYN_SENT);
}

static void syn_sent_rtx(struct kunit *test)
{
	const struct xtcp_out *o;

	xt_syn_sent(test);
	xt_fire(test, XTCP_T_RTX);
	o = xt_expect_seg(test, XTCP_SYN, ISS, 0, 65535);
	KUNIT_EXPECT_TRUE(test, o->rtx);
	KUNIT_EXPECT_EQ(test, o->mss, 1460);
	xt_expect_timer(test, XTCP_T_RTX, 2000);
	KUNIT_EXPECT_EQ(test, T(test)->syn_tries, 1);
	xt_fire(test, XTCP_T_RTX);
	xt_expect_seg(test, XTCP_SYN, ISS, 0, 65535);
	xt_expect_timer(test, XTCP_T_RTX, 4000);
	KUNIT_EXPECT_EQ(test, T(test)->retransmits, 2);
}

static void syn_sent_rtx_timeout(struct kunit *test)
{
	int i;

	xt_syn_sent(test);
	for (i = 0; i < 3; i++) {
		xt_fire(test, XTCP_T_RTX);
		xt_expect_seg(test, XTCP_SYN, ISS, 0, XT_ANY);
		xt_expect_state(test, XTCP_SYN_SENT);
	}
	KUNIT_EXPECT_EQ(test, E(test)->nerr, 0);
	xt_fire(test, XTCP_T_RTX);
	xt_expect_none(test);
	xt_expect_state(test, XTCP_CLOSED);
	KUNIT_EXPECT_EQ(test, E(test)->err, -ETIMEDOUT);
	xt_expect_no_timers(test);
}

static void syn_sent_rtx_cap(struct kunit *test)
{
	E(test)->p.rto_max_ms = 3000;
	xt_syn_sent(test);
	xt_fire(test, XTCP_T_RTX);
	xt_expect_timer(test, XTCP_T_RTX, 2000);
	xt_fire(test, XTCP_T_RTX);
	xt_expect_timer(test, XTCP_T_RTX, 3000);
	xt_fire(test, XTCP_T_RTX);
	xt_expect_timer(test, XTCP_T_RTX, 3000);
}

static void syn_sent_close(struct kunit *test)
{
	xt_syn_sent(test);
	KUNIT_EXPECT_EQ(test, xtcp_core_close(T(test)), 0);
	xt_expect_state(test, XTCP_CLOSED);
	xt_expect_none(test);
	xt_expect_no_timers(test);
	KUNIT_EXPECT_EQ(test, E(test)->nerr, 0);
}

static void syn_sent_abort(struct kunit *test)
{
	xt_syn_sent(test);
	xtcp_core_abort(T(test));
	xt_expect_state(test, XTCP_CLOSED);
	xt_expect_none(test);
	xt_expect_no_timers(test);
}

static void syn_sent_connect_again(struct kunit *test)
{
	xt_syn_sent(test);
	KUNIT_EXPECT_EQ(test, xtcp_core_connect(T(test), ISS), -EISCONN);
	xt_expect_none(test);
}

static void syn_sent_synack_data(struct kunit *test)
{
	xt_syn_sent(test);
	xt_send(test, XTCP_SYN | XTCP_ACK, IRS, ISS + 1, 100);
	xt_expect_state(test, XTCP_ESTABLISHED);
	KUNIT_EXPECT_EQ(test, E(test)->nrcv, 1);
	xt_expect_rcv(test, 0, 0, 100);
	xt_expect_seg(test, XTCP_ACK, ISS + 1, IRS + 101, 65435);
	xt_expect_none(test);
	xt_expect_no_timer(test, XTCP_T_DELACK);
}

static void syn_sent_data_queued(struct kunit *test)
{
	const struct xtcp_out *o;

	xt_syn_sent(test);
	xt_write(test, 100);
	xt_expect_none(test);
	xt_send(test, XTCP_SYN | XTCP_ACK, IRS, ISS + 1, 0);
	o = xt_expect_seg(test, XTCP_ACK | XTCP_PSH, S1, R1, XT_ANY);
	KUNIT_EXPECT_EQ(test, o->len, 100);
	KUNIT_EXPECT_FALSE(test, o->rtx);
	xt_expect_none(test);
	xt_expect_timer(test, XTCP_T_RTX, 200);
}

/* ==== SYN-RECEIVED ==== */

static void syn_received_ack(struct kunit *test)
{
	xt_syn_received(test);
	E(test)->now += 10;
	xt_send_wnd(test, XTCP_ACK, R1, ISS + 1, 0, 40000);
	xt_expect_state(test, XTCP_ESTABLISHED);
	xt_expect_none(test);
	xt_expect_no_timers(test);
	KUNIT_EXPECT_GE(test, E(test)->events, 1);
	KUNIT_EXPECT_EQ(test, T(test)->snd_una, ISS + 1);
	KUNIT_EXPECT_EQ(test, T(test)->snd_wnd, 40000);
	KUNIT_EXPECT_EQ(test, T(test)->srtt_us, 8 * 10000);
	KUNIT_EXPECT_EQ(test, T(test)->bytes_acked, 0);
}

static void syn_received_ack_bad(struct kunit *test)
{
	xt_syn_received(test);
	xt_send(test, XTCP_ACK, R1, ISS, 0);
	xt_expect_seg(test, XTCP_RST, ISS, 0, 0);
	xt_send(test, XTCP_ACK, R1, ISS + 5, 0);
	xt_expect_seg(test, XTCP_RST, ISS + 5, 0, 0);
	xt_expect_none(test);
	xt_expect_state(test, XTCP_SYN_RECEIVED);
}

static void syn_received_rst_exact_passive(struct kunit *test)
{
	xt_syn_received(test);
	xt_send(test, XTCP_RST, R1, 0, 0);
	xt_expect_state(test, XTCP_CLOSED);
	KUNIT_EXPECT_EQ(test, E(test)->nerr, 0);
	xt_expect_none(test);
	xt_expect_no_timers(test);
}

static void syn_received_rst_exact_active(struct kunit *test)
{
	xt_syn_received_active(test);
	xt_send(test, XTCP_RST | XTCP_ACK, R1, ISS + 1, 0);
	xt_expect_state(test, XTCP_CLOSED);
	KUNIT_EXPECT_EQ(test, E(test)->err, -ECONNREFUSED);
	xt_expect_no_timers(test);
}

static void syn_received_rst_inwindow(struct kunit *test)
{
	xt_syn_received(test);
	xt_send(test, XTCP_RST, R1 + 100, 0, 0);
	xt_expect_seg(test, XTCP_ACK, ISS + 1, R1, XT_ANY);
	xt_expect_none(test);
	xt_expect_state(test, XTCP_SYN_RECEIVED);
}

static void syn_received_rst_outwindow(struct kunit *test)
{
	xt_syn_received(test);
	xt_send(test, XTCP_RST, R1 + 100000, 0, 0);
	xt_expect_none(test);
	xt_expect_state(test, XTCP_SYN_RECEIVED);
}

static void syn_received_syn_dup(struct kunit *test)
{
	const struct xtcp_out *o;

	xt_syn_received(test);
	xt_send(test, XTCP_SYN, IRS, 0, 0);
	o = xt_expect_seg(test, XTCP_SYN | XTCP_ACK, ISS, R1, 65535);
	KUNIT_EXPECT_TRUE(test, o->rtx);
	KUNIT_EXPECT_EQ(test, o->mss, 1460);
	xt_expect_none(test);
	xt_expect_state(test, XTCP_SYN_RECEIVED);
}

static void syn_received_syn_other(struct kunit *test)
{
	xt_syn_received(test);
	xt_send(test, XTCP_SYN, IRS + 10, 0, 0);
	xt_expect_seg(test, XTCP_ACK, ISS + 1, R1, XT_ANY);
	xt_expect_none(test);
	xt_expect_state(test, XTCP_SYN_RECEIVED);
}

static void syn_received_noack(struct kunit *test)
{
	xt_syn_received(test);
	xt_send(test, 0, R1, 0, 10);
	xt_send(test, XTCP_FIN, R1, 0, 0);
	xt_expect_none(test);
	xt_expect_state(test, XTCP_SYN_RECEIVED);
	KUNIT_EXPECT_EQ(test, E(test)->nrcv, 0);
}

static void syn_received_ack_data(struct kunit *test)
{
	xt_syn_received(test);
	xt_send(test, XTCP_ACK | XTCP_PSH, R1, ISS + 1, 100);
	xt_expect_state(test, XTCP_ESTABLISHED);
	xt_expect_rcv(test, 0, 0, 100);
	xt_expect_none(test);
	xt_expect_timer(test, XTCP_T_DELACK, 40);
}

static void syn_received_ack_fin(struct kunit *test)
{
	xt_syn_received(test);
	xt_send(test, XTCP_ACK | XTCP_FIN, R1, ISS + 1, 0);
	xt_expect_state(test, XTCP_CLOSE_WAIT);
	xt_expect_none(test);		/* the ACK of the FIN is delayed */
	xt_fire(test, XTCP_T_DELACK);
	xt_expect_seg(test, XTCP_ACK, ISS + 1, R1 + 1, XT_ANY);
	xt_expect_none(test);
	KUNIT_EXPECT_EQ(test, E(test)->nstates, 2);
}

static void syn_received_rtx(struct kunit *test)
{
	const struct xtcp_out *o;

	xt_syn_received(test);
	xt_fire(test, XTCP_T_RTX);
	o = xt_expect_seg(test, XTCP_SYN | XTCP_ACK, ISS, R1, 65535);
	KUNIT_EXPECT_TRUE(test, o->rtx);
	xt_expect_timer(test, XTCP_T_RTX, 2000);
}

static void syn_received_rtx_timeout_passive(struct kunit *test)
{
	xt_syn_received(test);
	xt_fire(test, XTCP_T_RTX);
	xt_fire(test, XTCP_T_RTX);
	KUNIT_EXPECT_EQ(test, E(test)->nout, 2);
	xt_fire(test, XTCP_T_RTX);
	KUNIT_EXPECT_EQ(test, E(test)->nout, 2);
	xt_expect_state(test, XTCP_CLOSED);
	KUNIT_EXPECT_EQ(test, E(test)->nerr, 0);
	xt_expect_no_timers(test);
}

static void syn_received_rtx_timeout_active(struct kunit *test)
{
	xt_syn_received_active(test);
	xt_fire(test, XTCP_T_RTX);
	xt_fire(test, XTCP_T_RTX);
	xt_expect_state(test, XTCP_SYN_RECEIVED);
	xt_fire(test, XTCP_T_RTX);
	xt_expect_state(test, XTCP_CLOSED);
	KUNIT_EXPECT_EQ(test, E(test)->err, -ETIMEDOUT);
}

static void syn_received_close(struct kunit *test)
{
	xt_syn_received(test);
	KUNIT_EXPECT_EQ(test, xtcp_core_close(T(test)), 0);
	xt_expect_none(test);
	xt_expect_state(test, XTCP_SYN_RECEIVED);
	/* the FIN goes once the handshake completes */
	xt_send(test, XTCP_ACK, R1, ISS + 1, 0);
	xt_expect_state(test, XTCP_FIN_WAIT_1);
	xt_expect_seg(test, XTCP_ACK | XTCP_FIN, S1, R1, XT_ANY);
	xt_expect_none(test);
	xt_expect_timer(test, XTCP_T_RTX, 200);
}

static void syn_received_abort(struct kunit *test)
{
	xt_syn_received(test);
	xtcp_core_abort(T(test));
	xt_expect_seg(test, XTCP_RST | XTCP_ACK, ISS + 1, R1, 0);
	xt_expect_none(test);
	xt_expect_state(test, XTCP_CLOSED);
	xt_expect_no_timers(test);
}

static void syn_received_out_of_window(struct kunit *test)
{
	xt_syn_received(test);
	xt_send(test, XTCP_ACK, R1 + 100000, ISS + 1, 10);
	xt_expect_seg(test, XTCP_ACK, ISS + 1, R1, XT_ANY);
	xt_expect_none(test);
	xt_expect_state(test, XTCP_SYN_RECEIVED);
}

static void syn_received_simopen_synack(struct kunit *test)
{
	xt_syn_received_active(test);
	xt_send(test, XTCP_SYN | XTCP_ACK, IRS, ISS + 1, 0);
	xt_expect_state(test, XTCP_ESTABLISHED);
	xt_expect_none(test);
	xt_expect_no_timer(test, XTCP_T_RTX);
}

static void syn_received_simopen_ack(struct kunit *test)
{
	xt_syn_received_active(test);
	xt_send(test, XTCP_ACK, R1, ISS + 1, 0);
	xt_expect_state(test, XTCP_ESTABLISHED);
	xt_expect_none(test);
	KUNIT_EXPECT_EQ(test, E(test)->nerr, 0);
}

/* ==== ESTABLISHED ==== */

static void established_data(struct kunit *test)
{
	xt_established(test);
	xt_send(test, XTCP_ACK | XTCP_PSH, R1, S1, 100);
	xt_expect_rcv(test, 0, 0, 100);
	KUNIT_EXPECT_EQ(test, T(test)->rcv_nxt, R1 + 100);
	KUNIT_EXPECT_EQ(test, T(test)->bytes_received, 100);
	KUNIT_EXPECT_GE(test, E(test)->events, 1);
	xt_expect_none(test);
	xt_expect_timer(test, XTCP_T_DELACK, 40);
}

static void established_data_two_segments(struct kunit *test)
{
	xt_established(test);
	xt_send(test, XTCP_ACK, R1, S1, 1460);
	xt_expect_none(test);
	xt_send(test, XTCP_ACK, R1 + 1460, S1, 1460);
	xt_expect_seg(test, XTCP_ACK, S1, R1 + 2920, 65535 - 2920);
	xt_expect_none(test);
	xt_expect_no_timer(test, XTCP_T_DELACK);
	KUNIT_EXPECT_EQ(test, T(test)->delack_pending, 0);
}

static void established_delack_fire(struct kunit *test)
{
	xt_established(test);
	xt_send(test, XTCP_ACK, R1, S1, 100);
	xt_fire(test, XTCP_T_DELACK);
	xt_expect_seg(test, XTCP_ACK, S1, R1 + 100, 65435);
	xt_expect_none(test);
	xt_expect_no_timer(test, XTCP_T_DELACK);
}

static void established_delack_zero(struct kunit *test)
{
	E(test)->p.delack_ms = 0;
	xt_established(test);
	xt_send(test, XTCP_ACK, R1, S1, 100);
	xt_expect_seg(test, XTCP_ACK, S1, R1 + 100, XT_ANY);
	xt_expect_none(test);
	xt_expect_no_timer(test, XTCP_T_DELACK);
}

static void established_data_ooo(struct kunit *test)
{
	xt_established(test);
	xt_send(test, XTCP_ACK, R1 + 100, S1, 100);
	xt_expect_seg(test, XTCP_ACK, S1, R1, XT_ANY);
	xt_expect_none(test);
	KUNIT_EXPECT_EQ(test, E(test)->nrcv, 0);
	KUNIT_EXPECT_EQ(test, T(test)->rcv_nxt, R1);
}

static void established_data_dup(struct kunit *test)
{
	xt_established(test);
	xt_send(test, XTCP_ACK, R1, S1, 100);
	xt_clear(test);
	xt_send(test, XTCP_ACK, R1, S1, 100);
	xt_expect_seg(test, XTCP_ACK, S1, R1 + 100, XT_ANY);
	xt_expect_none(test);
	KUNIT_EXPECT_EQ(test, E(test)->nrcv, 0);
}

static void established_data_overlap(struct kunit *test)
{
	xt_established(test);
	xt_send(test, XTCP_ACK, R1, S1, 100);
	xt_clear(test);
	xt_send(test, XTCP_ACK, R1 + 50, S1, 100);
	xt_expect_rcv(test, 0, 50, 50);
	xt_expect_seg(test, XTCP_ACK, S1, R1 + 150, XT_ANY);
	xt_expect_none(test);
}

static void established_data_beyond_window(struct kunit *test)
{
	E(test)->rbuf = 1000;
	xt_established(test);
	KUNIT_EXPECT_EQ(test, T(test)->rcv_wnd, 1000);
	xt_send(test, XTCP_ACK, R1, S1, 1500);
	xt_expect_rcv(test, 0, 0, 1000);
	xt_expect_seg(test, XTCP_ACK, S1, R1 + 1000, 0);
	xt_expect_none(test);
	KUNIT_EXPECT_EQ(test, T(test)->rcv_wnd, 0);
}

static void established_zero_window_data(struct kunit *test)
{
	E(test)->rbuf = 1000;
	xt_established(test);
	xt_send(test, XTCP_ACK, R1, S1, 1000);
	xt_clear(test);
	/* window is 0: the data is not taken, but the ACK field is */
	xt_write(test, 10);
	xt_clear(test);
	xt_send(test, XTCP_ACK, R1 + 1000, S1 + 10, 10);
	KUNIT_EXPECT_EQ(test, E(test)->nrcv, 0);
	KUNIT_EXPECT_EQ(test, T(test)->snd_una, S1 + 10);
	xt_expect_seg(test, XTCP_ACK, S1 + 10, R1 + 1000, 0);
	xt_expect_none(test);
}

static void established_ack_new(struct kunit *test)
{
	const struct xtcp_out *o;

	xt_established(test);
	xt_write(test, 1000);
	o = xt_expect_seg(test, XTCP_ACK | XTCP_PSH, S1, R1, 65535);
	KUNIT_EXPECT_EQ(test, o->len, 1000);
	KUNIT_EXPECT_FALSE(test, o->rtx);
	xt_expect_timer(test, XTCP_T_RTX, 200);
	xt_clear(test);
	xt_send(test, XTCP_ACK, R1, S1 + 1000, 0);
	xt_expect_none(test);
	KUNIT_EXPECT_EQ(test, T(test)->snd_una, S1 + 1000);
	KUNIT_EXPECT_EQ(test, T(test)->bytes_acked, 1000);
	KUNIT_EXPECT_GE(test, E(test)->events, 1);
	xt_expect_no_timer(test, XTCP_T_RTX);
}

static void established_ack_partial(struct kunit *test)
{
	xt_established(test);
	xt_write(test, 3000);
	KUNIT_EXPECT_EQ(test, E(test)->nout, 3);
	xt_clear(test);
	E(test)->now += 50;
	xt_send(test, XTCP_ACK, R1, S1 + 1460, 0);
	KUNIT_EXPECT_EQ(test, E(test)->nset[XTCP_T_RTX], 1);
	xt_expect_timer(test, XTCP_T_RTX, T(test)->rto_ms);
	KUNIT_EXPECT_EQ(test, T(test)->snd_una, S1 + 1460);
	xt_expect_none(test);
}

static void established_ack_dup(struct kunit *test)
{
	xt_established(test);
	xt_write(test, 100);
	xt_clear(test);
	xt_send(test, XTCP_ACK, R1, S1, 0);
	xt_expect_none(test);
	KUNIT_EXPECT_EQ(test, T(test)->snd_una, S1);
	xt_expect_timer(test, XTCP_T_RTX, 200);
	KUNIT_EXPECT_EQ(test, E(test)->nset[XTCP_T_RTX], 0);
}

static void established_ack_future(struct kunit *test)
{
	xt_established(test);
	xt_write(test, 100);
	xt_clear(test);
	xt_send(test, XTCP_ACK, R1, S1 + 500, 10);
	xt_expect_seg(test, XTCP_ACK, S1 + 100, R1, XT_ANY);
	xt_expect_none(test);
	KUNIT_EXPECT_EQ(test, T(test)->snd_una, S1);
	KUNIT_EXPECT_EQ(test, E(test)->nrcv, 0);
}

static void established_ack_too_old(struct kunit *test)
{
	xt_established(test);
	xt_send(test, XTCP_ACK, R1, S1 - 70000, 10);
	xt_expect_none(test);
	KUNIT_EXPECT_EQ(test, E(test)->nrcv, 0);
	xt_expect_no_timer(test, XTCP_T_DELACK);
}

static void established_ack_old_in_window(struct kunit *test)
{
	xt_established(test);
	xt_send(test, XTCP_ACK, R1, S1 - 1000, 10);
	xt_expect_rcv(test, 0, 0, 10);
	KUNIT_EXPECT_EQ(test, T(test)->snd_una, S1);
}

static void established_fin(struct kunit *test)
{
	xt_established(test);
	xt_send(test, XTCP_ACK | XTCP_FIN, R1, S1, 0);
	xt_expect_state(test, XTCP_CLOSE_WAIT);
	/* as tcp_fin(): the ACK is delayed (pingpong) for our FIN to carry */
	xt_expect_none(test);
	KUNIT_EXPECT_TRUE(test, T(test)->pingpong);
	KUNIT_EXPECT_TRUE(test, T(test)->fl & XTCP_F_FIN_RCVD);
	KUNIT_EXPECT_GE(test, E(test)->events, 1);
	xt_fire(test, XTCP_T_DELACK);
	xt_expect_seg(test, XTCP_ACK, S1, R1 + 1, XT_ANY);
	xt_expect_none(test);
	xt_expect_no_timers(test);
}

/* close() before the delayed ACK: one FIN-ACK, as Linux */
static void established_fin_close(struct kunit *test)
{
	xt_established(test);
	xt_send(test, XTCP_ACK | XTCP_FIN, R1, S1, 0);
	xt_expect_none(test);
	xtcp_core_close(T(test));
	xt_expect_state(test, XTCP_LAST_ACK);
	xt_expect_seg(test, XTCP_ACK | XTCP_FIN, S1, R1 + 1, XT_ANY);
	xt_expect_none(test);
	KUNIT_EXPECT_FALSE(test, E(test)->armed[XTCP_T_DELACK]);
}

static void established_data_fin(struct kunit *test)
{
	xt_established(test);
	xt_send(test, XTCP_ACK | XTCP_FIN | XTCP_PSH, R1, S1, 100);
	xt_expect_rcv(test, 0, 0, 100);
	xt_expect_state(test, XTCP_CLOSE_WAIT);
	xt_expect_none(test);
	xt_fire(test, XTCP_T_DELACK);
	xt_expect_seg(test, XTCP_ACK, S1, R1 + 101, XT_ANY);
	xt_expect_none(test);
}

/* a FIN out of order is held (RFC 5681 §4.2: dup ACK), taken in order */
static void established_fin_ooo(struct kunit *test)
{
	xt_established(test);
	xt_send(test, XTCP_ACK | XTCP_FIN, R1 + 100, S1, 0);
	xt_expect_state(test, XTCP_ESTABLISHED);
	xt_expect_seg(test, XTCP_ACK, S1, R1, XT_ANY);
	xt_expect_none(test);
	KUNIT_EXPECT_EQ(test, E(test)->nhold, 0);	/* no bytes */
	KUNIT_EXPECT_FALSE(test, T(test)->fl & XTCP_F_FIN_RCVD);
	/* again, with data before it: dup ACK */
	xt_send(test, XTCP_ACK | XTCP_FIN, R1 + 90, S1, 10);
	xt_expect_seg(test, XTCP_ACK, S1, R1, XT_ANY);
	xt_expect_state(test, XTCP_ESTABLISHED);
	/* the gap fills: the data, then the FIN */
	xt_clear(test);
	xt_send(test, XTCP_ACK, R1, S1, 90);
	xt_expect_rcv(test, 0, 0, 90);
	KUNIT_EXPECT_EQ(test, E(test)->npull, 1);
	KUNIT_EXPECT_EQ(test, E(test)->pfrom[0], R1 + 90);
	KUNIT_EXPECT_EQ(test, E(test)->pto[0], R1 + 100);
	KUNIT_EXPECT_EQ(test, T(test)->rcv_nxt, R1 + 101);
	xt_expect_state(test, XTCP_CLOSE_WAIT);
	xt_expect_seg(test, XTCP_ACK, S1, R1 + 101, XT_ANY);
	xt_expect_none(test);
}

static void established_rst_exact(struct kunit *test)
{
	xt_established(test);
	xt_write(test, 100);
	xt_clear(test);
	xt_send(test, XTCP_RST, R1, 0, 0);
	xt_expect_state(test, XTCP_CLOSED);
	KUNIT_EXPECT_EQ(test, E(test)->err, -ECONNRESET);
	xt_expect_none(test);
	xt_expect_no_timers(test);
}

static void established_rst_inwindow(struct kunit *test)
{
	xt_established(test);
	xt_send(test, XTCP_RST | XTCP_ACK, R1 + 1, S1, 0);
	xt_expect_seg(test, XTCP_ACK, S1, R1, XT_ANY);
	xt_expect_none(test);
	xt_expect_state(test, XTCP_ESTABLISHED);
	KUNIT_EXPECT_EQ(test, E(test)->nerr, 0);
}

static void established_rst_outwindow(struct kunit *test)
{
	xt_established(test);
	xt_send(test, XTCP_RST, R1 + 65535, 0, 0);
	xt_send(test, XTCP_RST, R1 - 1, 0, 0);
	xt_expect_none(test);
	xt_expect_state(test, XTCP_ESTABLISHED);
}

static void established_syn(struct kunit *test)
{
	xt_established(test);
	xt_send(test, XTCP_SYN, R1 + 10, 0, 0);
	xt_expect_seg(test, XTCP_ACK, S1, R1, XT_ANY);
	xt_expect_none(test);
	xt_expect_state(test, XTCP_ESTABLISHED);
}

static void established_synack(struct kunit *test)
{
	xt_established(test);
	xt_send(test, XTCP_SYN | XTCP_ACK, IRS, S1, 0);
	xt_expect_seg(test, XTCP_ACK, S1, R1, XT_ANY);
	xt_expect_none(test);
	xt_expect_state(test, XTCP_ESTABLISHED);
}

static void established_noack(struct kunit *test)
{
	xt_established(test);
	xt_send(test, XTCP_PSH, R1, 0, 10);
	xt_expect_none(test);
	KUNIT_EXPECT_EQ(test, E(test)->nrcv, 0);
	KUNIT_EXPECT_EQ(test, T(test)->rcv_nxt, R1);
}

static void established_out_of_window(struct kunit *test)
{
	xt_established(test);
	xt_send(test, XTCP_ACK, R1 + 100000, S1, 10);
	xt_expect_seg(test, XTCP_ACK, S1, R1, 65535);
	xt_expect_none(test);
	KUNIT_EXPECT_EQ(test, E(test)->nrcv, 0);
}

static void established_close(struct kunit *test)
{
	xt_established(test);
	KUNIT_EXPECT_EQ(test, xtcp_core_close(T(test)), 0);
	xt_expect_state(test, XTCP_FIN_WAIT_1);
	xt_expect_seg(test, XTCP_ACK | XTCP_FIN, S1, R1, XT_ANY);
	xt_expect_none(test);
	xt_expect_timer(test, XTCP_T_RTX, 200);
	KUNIT_EXPECT_EQ(test, T(test)->snd_nxt, S1 + 1);
	KUNIT_EXPECT_TRUE(test, T(test)->fl & XTCP_F_FIN_SENT);
}

static void established_close_with_data(struct kunit *test)
{
	const struct xtcp_out *o;

	xt_established(test);
	T(test)->snd_end += 100;
	xtcp_core_close(T(test));
	o = xt_expect_seg(test, XTCP_ACK | XTCP_PSH | XTCP_FIN, S1, R1, XT_ANY);
	KUNIT_EXPECT_EQ(test, o->len, 100);
	xt_expect_none(test);
	KUNIT_EXPECT_EQ(test, T(test)->snd_nxt, S1 + 101);
}

static void established_abort(struct kunit *test)
{
	xt_established(test);
	xt_send(test, XTCP_ACK, R1, S1, 10);
	xt_clear(test);
	xtcp_core_abort(T(test));
	xt_expect_seg(test, XTCP_RST | XTCP_ACK, S1, R1 + 10, 0);
	xt_expect_none(test);
	xt_expect_state(test, XTCP_CLOSED);
	xt_expect_no_timers(test);
	KUNIT_EXPECT_EQ(test, E(test)->nerr, 0);
}

static void established_send_mss_split(struct kunit *test)
{
	xt_established(test);
	xt_write(test, 3000);
	KUNIT_EXPECT_EQ(test, xt_expect_seg(test, XTCP_ACK, S1, R1,
					    XT_ANY)->len, 1460);
	KUNIT_EXPECT_EQ(test, xt_expect_seg(test, XTCP_ACK, S1 + 1460, R1,
					    XT_ANY)->len, 1460);
	KUNIT_EXPECT_EQ(test, xt_expect_seg(test, XTCP_ACK | XTCP_PSH,
					    S1 + 2920, R1, XT_ANY)->len, 80);
	xt_expect_none(test);
	KUNIT_EXPECT_EQ(test, T(test)->snd_nxt, S1 + 3000);
	KUNIT_EXPECT_EQ(test, T(test)->bytes_sent, 3000);
}

static void established_send_wnd_limited(struct kunit *test)
{
	E(test)->peer_wnd = 2000;
	xt_established(test);
	xt_write(test, 3000);
	KUNIT_EXPECT_EQ(test, xt_expect_seg(test, XTCP_ACK, S1, R1,
					    XT_ANY)->len, 1460);
	/* sender SWS avoidance (RFC 9293 §3.8.6.2.1): no 540-byte sliver,
	 * below an MSS and below half the 2000-byte window
	 */
	xt_expect_none(test);
	/* the ACK opens the window: the rest goes */
	xt_send(test, XTCP_ACK, R1, S1 + 1460, 0);
	KUNIT_EXPECT_EQ(test, xt_expect_seg(test, XTCP_ACK, S1 + 1460, R1,
					    XT_ANY)->len, 1460);
	KUNIT_EXPECT_EQ(test, xt_expect_seg(test, XTCP_ACK | XTCP_PSH,
					    S1 + 2920, R1, XT_ANY)->len, 80);
	xt_expect_none(test);
}

static void established_window_update_sends(struct kunit *test)
{
	E(test)->peer_wnd = 1000;
	xt_established(test);
	xt_write(test, 1500);
	KUNIT_EXPECT_EQ(test, xt_expect_seg(test, XTCP_ACK, S1, R1,
					    XT_ANY)->len, 1000);
	xt_expect_none(test);
	/* pure window update (same ack): snd_wl rule accepts it */
	xt_send_wnd(test, XTCP_ACK, R1, S1, 0, 3000);
	KUNIT_EXPECT_EQ(test, T(test)->snd_wnd, 3000);
	/* Nagle (Minshall): the 500-byte tail waits for the 1000-byte
	 * (short) segment's ACK
	 */
	xt_expect_none(test);
	xt_send_wnd(test, XTCP_ACK, R1, S1 + 1000, 0, 3000);
	KUNIT_EXPECT_EQ(test, xt_expect_seg(test, XTCP_ACK | XTCP_PSH,
					    S1 + 1000, R1, XT_ANY)->len, 500);
	xt_expect_none(test);
}

static void established_window_update_old_ignored(struct kunit *test)
{
	xt_established(test);
	xt_send_wnd(test, XTCP_ACK, R1, S1, 10, 30000);
	KUNIT_EXPECT_EQ(test, T(test)->snd_wnd, 30000);
	/* an older segment (lower seq) must not change the window */
	xt_send_wnd(test, XTCP_ACK, R1, S1, 0, 100);
	KUNIT_EXPECT_EQ(test, T(test)->snd_wnd, 30000);
	KUNIT_EXPECT_EQ(test, T(test)->snd_wl1, R1);
}

static void established_cwnd_limited(struct kunit *test)
{
	xt_established(test);
	xt_write(test, 20000);
	KUNIT_EXPECT_EQ(test, E(test)->nout, 10);
	KUNIT_EXPECT_EQ(test, T(test)->snd_nxt, S1 + 14600);
	KUNIT_EXPECT_EQ(test, E(test)->out[9].seq, S1 + 9 * 1460);
	KUNIT_EXPECT_EQ(test, E(test)->out[9].flags, XTCP_ACK);
}

static void established_slow_start(struct kunit *test)
{
	xt_established(test);
	xt_write(test, 20000);
	xt_clear(test);
	xt_send(test, XTCP_ACK, R1, S1 + 1460, 0);
	KUNIT_EXPECT_EQ(test, T(test)->cwnd, 16060);
	/* cwnd grew by 1460 and one segment was acked: 2 new segments */
	KUNIT_EXPECT_EQ(test, E(test)->nout, 2);
	xt_expect_seg(test, XTCP_ACK, S1 + 14600, R1, XT_ANY);
	xt_expect_seg(test, XTCP_ACK, S1 + 16060, R1, XT_ANY);
}

/* a cumulative ACK grows cwnd by what it acks, up to L = 8 SMSS
 * (RFC 9406 §4.2, RFC 3465 §2.2)
 */
static void established_slow_start_cumulative(struct kunit *test)
{
	xt_established(test);
	xt_write(test, 20000);
	xt_send(test, XTCP_ACK, R1, S1 + 2920, 0);
	KUNIT_EXPECT_EQ(test, T(test)->cwnd, 14600 + 2920);
	KUNIT_EXPECT_EQ(test, T(test)->bytes_acked, 2920);
}

/* Reno (RFC 5681 §3.1, byte counting): one SMSS per window acked */
static void established_congestion_avoidance(struct kunit *test)
{
	int i;

	xt_established(test);
	xtcp_cc_select(T(test), &xtcp_reno);
	T(test)->ssthresh = T(test)->cwnd;	/* tunable: start in CA */
	xt_write(test, 2 * 14600);
	for (i = 1; i < 10; i++)
		xt_send(test, XTCP_ACK, R1, S1 + i * 1460, 0);
	KUNIT_EXPECT_EQ(test, T(test)->cwnd, 14600);
	xt_send(test, XTCP_ACK, R1, S1 + 14600, 0);
	KUNIT_EXPECT_EQ(test, T(test)->cwnd, 14600 + 1460);
}

static void established_rtx_gobackn(struct kunit *test)
{
	const struct xtcp_out *o;

	xt_established(test);
	xt_write(test, 3000);
	xt_clear(test);
	xt_fire(test, XTCP_T_RTX);
	o = xt_expect_seg(test, XTCP_ACK, S1, R1, XT_ANY);
	KUNIT_EXPECT_EQ(test, o->len, 1460);
	KUNIT_EXPECT_TRUE(test, o->rtx);
	xt_expect_none(test);	/* cwnd is one segment */
	KUNIT_EXPECT_EQ(test, T(test)->cwnd, 1460);
	/* CUBIC: 0.7 * 10 segments (RFC 9438 §4.6) */
	KUNIT_EXPECT_EQ(test, T(test)->ssthresh, 10220);
	KUNIT_EXPECT_EQ(test, T(test)->backoff, 1);
	KUNIT_EXPECT_EQ(test, T(test)->retransmits, 1);
	xt_expect_timer(test, XTCP_T_RTX, 400);
	/* its ACK: slow start to 2 segments, the rest is resent */
	xt_send(test, XTCP_ACK, R1, S1 + 1460, 0);
	KUNIT_EXPECT_EQ(test, T(test)->cwnd, 2920);
	o = xt_expect_seg(test, XTCP_ACK, S1 + 1460, R1, XT_ANY);
	KUNIT_EXPECT_TRUE(test, o->rtx);
	o = xt_expect_seg(test, XTCP_ACK | XTCP_PSH, S1 + 2920, R1, XT_ANY);
	KUNIT_EXPECT_TRUE(test, o->rtx);
	KUNIT_EXPECT_EQ(test, o->len, 80);
	xt_expect_none(test);
	KUNIT_EXPECT_EQ(test, T(test)->backoff, 0);
}

static void established_rtx_ack_beyond_snd_nxt(struct kunit *test)
{
	xt_established(test);
	xt_write(test, 3000);
	xt_fire(test, XTCP_T_RTX);
	xt_clear(test);
	/* the originals arrived after all: snd_nxt jumps to the ACK */
	xt_send(test, XTCP_ACK, R1, S1 + 3000, 0);
	KUNIT_EXPECT_EQ(test, T(test)->snd_una, S1 + 3000);
	KUNIT_EXPECT_EQ(test, T(test)->snd_nxt, S1 + 3000);
	xt_expect_none(test);
	xt_expect_no_timer(test, XTCP_T_RTX);
}

static void established_rtx_backoff(struct kunit *test)
{
	xt_established(test);
	xt_write(test, 100);
	xt_fire(test, XTCP_T_RTX);
	xt_expect_timer(test, XTCP_T_RTX, 400);
	xt_fire(test, XTCP_T_RTX);
	xt_expect_timer(test, XTCP_T_RTX, 800);
	xt_fire(test, XTCP_T_RTX);
	xt_expect_timer(test, XTCP_T_RTX, 1600);
	KUNIT_EXPECT_EQ(test, T(test)->retransmits, 3);
	KUNIT_EXPECT_EQ(test, T(test)->backoff, 3);
	/* ssthresh is set once per loss episode (CUBIC: 0.7 cwnd) */
	KUNIT_EXPECT_EQ(test, T(test)->ssthresh, 10220);
}

static void established_rtx_backoff_cap(struct kunit *test)
{
	E(test)->p.rto_max_ms = 500;
	xt_established(test);
	xt_write(test, 100);
	xt_fire(test, XTCP_T_RTX);
	xt_expect_timer(test, XTCP_T_RTX, 400);
	xt_fire(test, XTCP_T_RTX);
	xt_expect_timer(test, XTCP_T_RTX, 500);
	xt_fire(test, XTCP_T_RTX);
	xt_expect_timer(test, XTCP_T_RTX, 500);
}

static void established_rtx_timeout(struct kunit *test)
{
	int i;

	xt_established(test);
	xt_write(test, 100);
	xt_clear(test);
	for (i = 0; i < 4; i++) {
		xt_fire(test, XTCP_T_RTX);
		xt_expect_seg(test, XTCP_ACK | XTCP_PSH, S1, R1, XT_ANY);
	}
	xt_expect_state(test, XTCP_ESTABLISHED);
	xt_fire(test, XTCP_T_RTX);
	xt_expect_none(test);	/* no RST */
	xt_expect_state(test, XTCP_CLOSED);
	KUNIT_EXPECT_EQ(test, E(test)->err, -ETIMEDOUT);
	xt_expect_no_timers(test);
}

static void established_rtx_karn(struct kunit *test)
{
	u32 srtt;

	xt_established(test);
	srtt = T(test)->srtt_us;
	xt_write(test, 100);
	xt_fire(test, XTCP_T_RTX);
	E(test)->now += 3000;
	xt_send(test, XTCP_ACK, R1, S1 + 100, 0);
	KUNIT_EXPECT_EQ(test, T(test)->srtt_us, srtt);	/* no sample */
	KUNIT_EXPECT_EQ(test, T(test)->backoff, 0);
	KUNIT_EXPECT_EQ(test, T(test)->rto_ms, 200);	/* from srtt again */
	/* the next segment is timed */
	xt_write(test, 100);
	E(test)->now += 300;
	xt_send(test, XTCP_ACK, R1, S1 + 200, 0);
	KUNIT_EXPECT_NE(test, T(test)->srtt_us, srtt);
}

/* RFC 6298 §2 from known samples: 100 ms, then 200 ms */
static void established_rto_rfc6298(struct kunit *test)
{
	struct xtcp_info info;

	E(test)->p.rto_min_ms = 1;
	xt_syn_sent(test);
	E(test)->now += 100;
	xt_send(test, XTCP_SYN | XTCP_ACK, IRS, ISS + 1, 0);
	KUNIT_EXPECT_EQ(test, T(test)->rto_ms, 300);	/* 100 + 4 * 50 */
	xt_write(test, 100);
	E(test)->now += 200;
	xt_send(test, XTCP_ACK, R1, S1 + 100, 0);
	/* RTTVAR = 3/4 * 50 + 1/4 * 100 = 62.5; SRTT = 7/8 100 + 200/8 */
	KUNIT_EXPECT_EQ(test, T(test)->srtt_us, 8 * 112500);
	KUNIT_EXPECT_EQ(test, T(test)->rttvar_us, 4 * 62500);
	KUNIT_EXPECT_EQ(test, T(test)->rto_ms, 363);	/* 112.5 + 250 */
	xtcp_core_info(T(test), &info);
	KUNIT_EXPECT_EQ(test, info.srtt_us, 112500);
	KUNIT_EXPECT_EQ(test, info.rttvar_us, 62500);
	KUNIT_EXPECT_EQ(test, info.rto_ms, 363);
}

static void established_rto_clamp(struct kunit *test)
{
	xt_established(test);	/* 10 ms RTT: 30 ms raised to rto_min */
	KUNIT_EXPECT_EQ(test, T(test)->rto_ms, 200);
	E(test)->p.rto_max_ms = 5000;
	xt_syn_sent(test);
	E(test)->now += 4000;
	xt_send(test, XTCP_SYN | XTCP_ACK, IRS, ISS + 1, 0);
	KUNIT_EXPECT_EQ(test, T(test)->rto_ms, 5000);
}

static void established_persist(struct kunit *test)
{
	const struct xtcp_out *o;

	xt_established(test);
	xt_send_wnd(test, XTCP_ACK, R1, S1, 0, 0);
	KUNIT_EXPECT_EQ(test, T(test)->snd_wnd, 0);
	xt_write(test, 100);
	xt_expect_none(test);
	xt_expect_no_timer(test, XTCP_T_RTX);
	xt_expect_timer(test, XTCP_T_PERSIST, 200);
	xt_fire(test, XTCP_T_PERSIST);
	o = xt_expect_seg(test, XTCP_ACK, S1 - 1, R1, XT_ANY);
	KUNIT_EXPECT_EQ(test, o->len, 0);
	xt_expect_none(test);
	xt_expect_timer(test, XTCP_T_PERSIST, 400);
	xt_fire(test, XTCP_T_PERSIST);
	xt_expect_seg(test, XTCP_ACK, S1 - 1, R1, XT_ANY);
	xt_expect_timer(test, XTCP_T_PERSIST, 800);
}

static void established_persist_opens(struct kunit *test)
{
	xt_established(test);
	xt_send_wnd(test, XTCP_ACK, R1, S1, 0, 0);
	xt_write(test, 100);
	xt_fire(test, XTCP_T_PERSIST);
	xt_clear(test);
	xt_send_wnd(test, XTCP_ACK, R1, S1, 0, 5000);
	xt_expect_no_timer(test, XTCP_T_PERSIST);
	KUNIT_EXPECT_EQ(test, xt_expect_seg(test, XTCP_ACK | XTCP_PSH, S1, R1,
					    XT_ANY)->len, 100);
	xt_expect_timer(test, XTCP_T_RTX, 200);
	KUNIT_EXPECT_EQ(test, T(test)->probes, 0);
}

static void established_persist_cap(struct kunit *test)
{
	E(test)->p.rto_max_ms = 700;
	xt_established(test);
	xt_send_wnd(test, XTCP_ACK, R1, S1, 0, 0);
	xt_write(test, 1);
	xt_fire(test, XTCP_T_PERSIST);
	xt_expect_timer(test, XTCP_T_PERSIST, 400);
	xt_fire(test, XTCP_T_PERSIST);
	xt_expect_timer(test, XTCP_T_PERSIST, 700);
	xt_fire(test, XTCP_T_PERSIST);
	xt_expect_timer(test, XTCP_T_PERSIST, 700);
}

/* the window memory allows (xtcp_rcv_space_calc) */
static void window_space_calc(struct kunit *test)
{
	/* half the free truesize budget: payload is ~half of truesize */
	KUNIT_EXPECT_EQ(test, xtcp_rcv_space_calc(131072, 0, 1460, false),
			65536);
	KUNIT_EXPECT_EQ(test, xtcp_rcv_space_calc(131072, 65536, 1460, false),
			32768);
	KUNIT_EXPECT_EQ(test, xtcp_rcv_space_calc(10001, 0, 100, false), 5001);
	/* charged beyond the buffer (a forced segment): nothing */
	KUNIT_EXPECT_EQ(test, xtcp_rcv_space_calc(131072, 140000, 1460, false),
			0);
	/* receiver SWS: not below 1/16 of the half buffer (4096) */
	KUNIT_EXPECT_EQ(test, xtcp_rcv_space_calc(131072, 131072 - 8192, 1460,
						  false), 4096);
	KUNIT_EXPECT_EQ(test, xtcp_rcv_space_calc(131072, 131072 - 8190, 1460,
						  false), 0);
	/* nor below one MSS */
	KUNIT_EXPECT_EQ(test, xtcp_rcv_space_calc(1 << 20, (1 << 20) - 2000,
						  1460, false), 0);
	/* a buffer smaller than 2 MSS still opens: MSS is clamped */
	KUNIT_EXPECT_EQ(test, xtcp_rcv_space_calc(2304, 0, 1460, false), 1152);
	KUNIT_EXPECT_EQ(test, xtcp_rcv_space_calc(0, 0, 1460, false), 0);
	/* global pressure: at most 4 MSS (tcp_adjust_rcv_ssthresh) */
	KUNIT_EXPECT_EQ(test, xtcp_rcv_space_calc(4 << 20, 0, 1460, true),
			4 * 1460);
	KUNIT_EXPECT_EQ(test, xtcp_rcv_space_calc(8192, 0, 1460, true), 4096);
}

/* RFC 9293 §3.8.6.2.2: memory shrinks, the right edge does not */
static void established_mem_no_shrink(struct kunit *test)
{
	E(test)->rbuf = 10000;
	xt_established(test);
	KUNIT_EXPECT_EQ(test, T(test)->rcv_adv, R1 + 10000);
	E(test)->rbuf = 0;	/* truesize ate the buffer */
	xt_clear(test);
	xt_send(test, XTCP_ACK, R1, S1, 100);
	xt_send(test, XTCP_ACK, R1 + 100, S1, 100);
	/* 200 bytes are not two full-sized segments: the timer ACKs */
	xt_expect_none(test);
	xt_fire(test, XTCP_T_DELACK);
	xt_expect_seg(test, XTCP_ACK, S1, R1 + 200, 9800);
	xt_expect_none(test);
	KUNIT_EXPECT_EQ(test, T(test)->rcv_adv, R1 + 10000);
	/* space comes back: offered only when it moves the edge (SWS);
	 * the buffer alone bounds the window here (no rcv_ssthresh)
	 */
	T(test)->rcv_ssthresh = 0;
	E(test)->rbuf = 20000;
	xt_clear(test);
	xtcp_core_recvd(T(test));
	xt_expect_seg(test, XTCP_ACK, S1, R1 + 200, 19800);
	KUNIT_EXPECT_EQ(test, T(test)->rcv_adv, R1 + 20000);
}

/* no memory for in-order data: not acknowledged, taken when resent */
static void established_rcv_nomem(struct kunit *test)
{
	xt_established(test);
	E(test)->rcv_refuse = true;
	xt_clear(test);
	xt_send(test, XTCP_ACK, R1, S1, 100);
	KUNIT_EXPECT_EQ(test, T(test)->rcv_nxt, R1);
	KUNIT_EXPECT_EQ(test, E(test)->nrcv, 0);
	xt_expect_seg(test, XTCP_ACK, S1, R1, XT_ANY);
	xt_expect_none(test);
	/* a FIN riding on refused data is not taken either */
	xt_clear(test);
	xt_send(test, XTCP_ACK | XTCP_FIN, R1, S1, 100);
	KUNIT_EXPECT_EQ(test, T(test)->state, XTCP_ESTABLISHED);
	KUNIT_EXPECT_EQ(test, T(test)->rcv_nxt, R1);
	E(test)->rcv_refuse = false;
	xt_clear(test);
	xt_send(test, XTCP_ACK | XTCP_FIN, R1, S1, 100);
	xt_expect_rcv(test, 0, 0, 100);
	KUNIT_EXPECT_EQ(test, T(test)->rcv_nxt, R1 + 101);
	KUNIT_EXPECT_EQ(test, T(test)->state, XTCP_CLOSE_WAIT);
}

/* dropped data is counted through ops->note */
static void established_drop_notes(struct kunit *test)
{
	E(test)->rbuf = 1000;
	xt_established(test);
	xt_send(test, XTCP_ACK, R1 + 10, S1, 10);	/* out of order: held */
	KUNIT_EXPECT_EQ(test, E(test)->notes[XTCP_N_OFO_QUEUE], 1);
	KUNIT_EXPECT_EQ(test, E(test)->notes[XTCP_N_OFO_DROP], 0);
	xt_send(test, XTCP_ACK, R1 + 5000, S1, 10);	/* beyond the window */
	KUNIT_EXPECT_EQ(test, E(test)->notes[XTCP_N_OOW_DROP], 1);
	xt_send(test, XTCP_ACK, R1, S1, 1500);		/* partly beyond */
	KUNIT_EXPECT_EQ(test, E(test)->notes[XTCP_N_OOW_DROP], 2);
	xt_send(test, XTCP_ACK, R1 + 1000, S1, 10);	/* zero window */
	KUNIT_EXPECT_EQ(test, E(test)->notes[XTCP_N_ZWIN_DROP], 1);
	KUNIT_EXPECT_EQ(test, T(test)->rcv_nxt, R1 + 1000);
}

/* ---- out-of-order queue, SACK, D-SACK (RFC 5681 §4.2, 2018, 2883) ---- */

static void xt_established_sack(struct kunit *test)
{
	xt_established(test);
	T(test)->sack_ok = 1;
}

static void xt_expect_sack_(struct kunit *test, int line,
			    const struct xtcp_out *o, unsigned int i,
			    u32 start, u32 end)
{
	KUNIT_ASSERT_LT_MSG(test, i, (unsigned int)o->nsack, "line %d", line);
	KUNIT_EXPECT_EQ_MSG(test, o->sack[i].start, start, "line %d", line);
	KUNIT_EXPECT_EQ_MSG(test, o->sack[i].end, end, "line %d", line);
}

#define xt_expect_sack(test, o, i, s, e) \
	xt_expect_sack_(test, __LINE__, o, i, s, e)

/* held, dup ACK at once with the blocks most recent first; merged; the
 * hole fills: pulled in order, ACKed at once without blocks
 */
static void established_ofo_hold_fill(struct kunit *test)
{
	const struct xtcp_out *o;

	xt_established_sack(test);
	xt_send(test, XTCP_ACK, R1 + 1000, S1, 500);
	KUNIT_EXPECT_EQ(test, E(test)->nhold, 1);
	KUNIT_EXPECT_EQ(test, E(test)->hoff[0], 0U);
	KUNIT_EXPECT_EQ(test, E(test)->hlen[0], 500U);
	KUNIT_EXPECT_EQ(test, E(test)->hseq[0], R1 + 1000);
	KUNIT_EXPECT_EQ(test, E(test)->nrcv, 0);
	KUNIT_EXPECT_EQ(test, T(test)->rcv_nxt, R1);
	o = xt_expect_seg(test, XTCP_ACK, S1, R1, XT_ANY);
	KUNIT_EXPECT_EQ(test, o->nsack, 1);
	xt_expect_sack(test, o, 0, R1 + 1000, R1 + 1500);
	xt_expect_none(test);
	KUNIT_EXPECT_EQ(test, E(test)->notes[XTCP_N_OFO_QUEUE], 1);

	xt_send(test, XTCP_ACK, R1 + 2000, S1, 500);
	o = xt_expect_seg(test, XTCP_ACK, S1, R1, XT_ANY);
	KUNIT_EXPECT_EQ(test, o->nsack, 2);
	xt_expect_sack(test, o, 0, R1 + 2000, R1 + 2500);
	xt_expect_sack(test, o, 1, R1 + 1000, R1 + 1500);

	/* [1500, 2000) joins both */
	xt_send(test, XTCP_ACK, R1 + 1500, S1, 500);
	o = xt_expect_seg(test, XTCP_ACK, S1, R1, XT_ANY);
	KUNIT_EXPECT_EQ(test, o->nsack, 1);
	xt_expect_sack(test, o, 0, R1 + 1000, R1 + 2500);
	KUNIT_EXPECT_EQ(test, E(test)->notes[XTCP_N_OFO_MERGE], 1);
	KUNIT_EXPECT_EQ(test, E(test)->notes[XTCP_N_OFO_QUEUE], 3);
	xt_expect_none(test);

	/* the hole [0, 1000) */
	xt_clear(test);
	xt_send(test, XTCP_ACK, R1, S1, 1000);
	xt_expect_rcv(test, 0, 0, 1000);
	KUNIT_EXPECT_EQ(test, E(test)->npull, 1);
	KUNIT_EXPECT_EQ(test, E(test)->pfrom[0], R1 + 1000);
	KUNIT_EXPECT_EQ(test, E(test)->pto[0], R1 + 2500);
	KUNIT_EXPECT_EQ(test, T(test)->rcv_nxt, R1 + 2500);
	KUNIT_EXPECT_EQ(test, T(test)->bytes_received, 2500U);
	o = xt_expect_seg(test, XTCP_ACK, S1, R1 + 2500, XT_ANY);
	KUNIT_EXPECT_EQ(test, o->nsack, 0);
	xt_expect_none(test);
	KUNIT_EXPECT_EQ(test, E(test)->notes[XTCP_N_OFO_DROP], 0);
}

/* a gap filled in part: ACKed at once, the blocks left reported */
static void established_ofo_partial_fill(struct kunit *test)
{
	const struct xtcp_out *o;

	xt_established_sack(test);
	xt_send(test, XTCP_ACK, R1 + 200, S1, 100);
	xt_send(test, XTCP_ACK, R1 + 500, S1, 100);
	xt_clear(test);
	xt_send(test, XTCP_ACK, R1, S1, 200);
	KUNIT_EXPECT_EQ(test, T(test)->rcv_nxt, R1 + 300);
	o = xt_expect_seg(test, XTCP_ACK, S1, R1 + 300, XT_ANY);
	KUNIT_EXPECT_EQ(test, o->nsack, 1);
	xt_expect_sack(test, o, 0, R1 + 500, R1 + 600);
	xt_expect_none(test);
}

/* RFC 2883: a duplicate below RCV.NXT, part of one, one inside a held
 * block (that block second), one overlapping a held block
 */
static void established_ofo_dsack(struct kunit *test)
{
	const struct xtcp_out *o;

	xt_established_sack(test);
	xt_send(test, XTCP_ACK, R1, S1, 100);
	xt_clear(test);
	xt_send(test, XTCP_ACK, R1, S1, 100);
	o = xt_expect_seg(test, XTCP_ACK, S1, R1 + 100, XT_ANY);
	KUNIT_EXPECT_EQ(test, o->nsack, 1);
	xt_expect_sack(test, o, 0, R1, R1 + 100);
	KUNIT_EXPECT_EQ(test, E(test)->notes[XTCP_N_DSACK_OLD], 1);
	xt_expect_none(test);

	/* [50, 150): [50, 100) duplicate, [100, 150) taken */
	xt_send(test, XTCP_ACK, R1 + 50, S1, 100);
	o = xt_expect_seg(test, XTCP_ACK, S1, R1 + 150, XT_ANY);
	KUNIT_EXPECT_EQ(test, o->nsack, 1);
	xt_expect_sack(test, o, 0, R1 + 50, R1 + 100);
	KUNIT_EXPECT_EQ(test, E(test)->notes[XTCP_N_DSACK_OLD], 2);
	xt_expect_none(test);

	xt_send(test, XTCP_ACK, R1 + 1000, S1, 500);
	xt_send(test, XTCP_ACK, R1 + 2000, S1, 100);
	xt_clear(test);
	/* inside [1000, 1500): nothing held anew */
	xt_send(test, XTCP_ACK, R1 + 1100, S1, 100);
	KUNIT_EXPECT_EQ(test, E(test)->nhold, 0);
	o = xt_expect_seg(test, XTCP_ACK, S1, R1 + 150, XT_ANY);
	KUNIT_EXPECT_EQ(test, o->nsack, 3);
	xt_expect_sack(test, o, 0, R1 + 1100, R1 + 1200);
	xt_expect_sack(test, o, 1, R1 + 1000, R1 + 1500);
	xt_expect_sack(test, o, 2, R1 + 2000, R1 + 2100);
	KUNIT_EXPECT_EQ(test, E(test)->notes[XTCP_N_DSACK_OFO], 1);
	/* reported once */
	xt_send(test, XTCP_ACK, R1 + 3000, S1, 100);
	o = xt_expect_seg(test, XTCP_ACK, S1, R1 + 150, XT_ANY);
	KUNIT_EXPECT_EQ(test, o->nsack, 3);
	xt_expect_sack(test, o, 0, R1 + 3000, R1 + 3100);
	xt_expect_sack(test, o, 1, R1 + 1000, R1 + 1500);

	/* [1400, 1600): [1400, 1500) duplicate, [1500, 1600) held */
	xt_clear(test);
	xt_send(test, XTCP_ACK, R1 + 1400, S1, 200);
	KUNIT_EXPECT_EQ(test, E(test)->nhold, 1);
	o = xt_expect_seg(test, XTCP_ACK, S1, R1 + 150, XT_ANY);
	KUNIT_EXPECT_EQ(test, o->nsack, 4);
	xt_expect_sack(test, o, 0, R1 + 1400, R1 + 1500);
	xt_expect_sack(test, o, 1, R1 + 1000, R1 + 1600);
	xt_expect_sack(test, o, 2, R1 + 3000, R1 + 3100);
	xt_expect_sack(test, o, 3, R1 + 2000, R1 + 2100);
	KUNIT_EXPECT_EQ(test, E(test)->notes[XTCP_N_DSACK_OFO], 2);
}

/* data and FIN out of order: taken together when the gap fills */
static void established_ofo_data_fin(struct kunit *test)
{
	const struct xtcp_out *o;

	xt_established_sack(test);
	xt_send(test, XTCP_ACK | XTCP_FIN, R1 + 100, S1, 100);
	xt_expect_state(test, XTCP_ESTABLISHED);
	o = xt_expect_seg(test, XTCP_ACK, S1, R1, XT_ANY);
	/* the FIN's sequence number is in the block, as Linux reports it */
	xt_expect_sack(test, o, 0, R1 + 100, R1 + 201);
	xt_clear(test);
	xt_send(test, XTCP_ACK, R1, S1, 100);
	KUNIT_EXPECT_EQ(test, E(test)->pto[0], R1 + 200);
	KUNIT_EXPECT_EQ(test, T(test)->rcv_nxt, R1 + 201);
	xt_expect_state(test, XTCP_CLOSE_WAIT);
	KUNIT_EXPECT_TRUE(test, T(test)->fl & XTCP_F_FIN_RCVD);
	o = xt_expect_seg(test, XTCP_ACK, S1, R1 + 201, XT_ANY);
	KUNIT_EXPECT_EQ(test, o->nsack, 0);
	xt_expect_none(test);
}

/* no memory to hold: dropped and counted, still a dup ACK, no block */
static void established_ofo_nomem(struct kunit *test)
{
	const struct xtcp_out *o;

	xt_established_sack(test);
	E(test)->hold_refuse = true;
	xt_send(test, XTCP_ACK, R1 + 100, S1, 100);
	KUNIT_EXPECT_EQ(test, E(test)->notes[XTCP_N_OFO_DROP], 1);
	KUNIT_EXPECT_EQ(test, E(test)->notes[XTCP_N_OFO_QUEUE], 0);
	o = xt_expect_seg(test, XTCP_ACK, S1, R1, XT_ANY);
	KUNIT_EXPECT_EQ(test, o->nsack, 0);
	xt_clear(test);
	xt_send(test, XTCP_ACK, R1, S1, 100);
	KUNIT_EXPECT_EQ(test, E(test)->npull, 0);
	KUNIT_EXPECT_EQ(test, T(test)->rcv_nxt, R1 + 100);
}

/* held data is cut at the window's right edge (as in-order data is) */
static void established_ofo_window(struct kunit *test)
{
	E(test)->rbuf = 10000;
	xt_established_sack(test);
	xt_send(test, XTCP_ACK, R1 + 9000, S1, 1460);
	KUNIT_EXPECT_EQ(test, E(test)->nhold, 1);
	KUNIT_EXPECT_EQ(test, E(test)->hlen[0], 1000U);
	KUNIT_EXPECT_EQ(test, E(test)->notes[XTCP_N_OOW_DROP], 1);
}

/* without SACK: held all the same, dup ACKs carry no blocks */
static void established_ofo_no_sack(struct kunit *test)
{
	const struct xtcp_out *o;

	xt_established(test);
	xt_send(test, XTCP_ACK, R1 + 100, S1, 100);
	KUNIT_EXPECT_EQ(test, E(test)->nhold, 1);
	o = xt_expect_seg(test, XTCP_ACK, S1, R1, XT_ANY);
	KUNIT_EXPECT_EQ(test, o->nsack, 0);
	xt_send(test, XTCP_ACK, R1, S1, 100);
	KUNIT_EXPECT_EQ(test, T(test)->rcv_nxt, R1 + 200);
}

/* after out-of-order data each in-order segment is ACKed at once (quick
 * ACKs, as tcp_incr_quickack), where one alone would wait (delayed ACK)
 */
static void established_ofo_quickack(struct kunit *test)
{
	xt_established_sack(test);
	xt_send(test, XTCP_ACK, R1, S1, 100);
	xt_expect_none(test);
	xt_expect_timer(test, XTCP_T_DELACK, 40);
	xt_send(test, XTCP_ACK, R1 + 200, S1, 100);
	xt_send(test, XTCP_ACK, R1 + 100, S1, 100);
	xt_clear(test);
	xt_send(test, XTCP_ACK, R1 + 300, S1, 100);
	xt_expect_seg(test, XTCP_ACK, S1, R1 + 400, XT_ANY);
	xt_send(test, XTCP_ACK, R1 + 400, S1, 100);
	xt_expect_seg(test, XTCP_ACK, S1, R1 + 500, XT_ANY);
	xt_expect_none(test);
}

/*
 * Data going out when out-of-order data arrives: a full-sized segment
 * has no room for blocks, so a bare dup ACK with them follows; a short
 * one carries them.
 */
static void established_ofo_data_segments(struct kunit *test)
{
	const struct xtcp_out *o;

	xt_established_sack(test);
	T(test)->snd_end += 1460;	/* queued, not yet pushed */
	xt_send(test, XTCP_ACK, R1 + 100, S1, 100);
	o = xt_expect_seg(test, XTCP_ACK | XTCP_PSH, S1, R1, XT_ANY);
	KUNIT_EXPECT_EQ(test, o->len, 1460U);
	KUNIT_EXPECT_EQ(test, o->nsack, 0);
	o = xt_expect_seg(test, XTCP_ACK, S1 + 1460, R1, XT_ANY);
	KUNIT_EXPECT_EQ(test, o->nsack, 1);
	xt_expect_sack(test, o, 0, R1 + 100, R1 + 200);
	xt_expect_none(test);
	xt_clear(test);
	xt_write(test, 100);
	o = xt_expect_seg(test, XTCP_ACK | XTCP_PSH, S1 + 1460, R1, XT_ANY);
	KUNIT_EXPECT_EQ(test, o->len, 100U);
	KUNIT_EXPECT_EQ(test, o->nsack, 1);
}

/* RFC 1122 §4.2.2.17: probing goes on while the peer answers */
static void established_persist_answered(struct kunit *test)
{
	int i;

	xt_established(test);
	xt_send_wnd(test, XTCP_ACK, R1, S1, 0, 0);
	xt_write(test, 100);
	for (i = 0; i < 3 * E(test)->p.retries; i++) {
		xt_fire(test, XTCP_T_PERSIST);
		xt_send_wnd(test, XTCP_ACK, R1, S1, 0, 0);
	}
	KUNIT_EXPECT_EQ(test, T(test)->state, XTCP_ESTABLISHED);
	KUNIT_EXPECT_TRUE(test, E(test)->armed[XTCP_T_PERSIST]);
}

/* ... and gives up after `retries` unanswered probes (tcp_probe_timer) */
static void established_persist_unanswered(struct kunit *test)
{
	int i;

	xt_established(test);
	xt_send_wnd(test, XTCP_ACK, R1, S1, 0, 0);
	xt_write(test, 100);
	for (i = 0; i < E(test)->p.retries; i++)
		xt_fire(test, XTCP_T_PERSIST);
	KUNIT_EXPECT_EQ(test, T(test)->state, XTCP_ESTABLISHED);
	xt_fire(test, XTCP_T_PERSIST);
	KUNIT_EXPECT_EQ(test, T(test)->state, XTCP_CLOSED);
	KUNIT_EXPECT_EQ(test, E(test)->err, -ETIMEDOUT);
	KUNIT_EXPECT_EQ(test, E(test)->notes[XTCP_N_ORPHAN_PROBE_ABORT], 0);
}

/*
 * An orphan in a zero window that the peer keeps answering is freed once
 * its probe interval reached rto_max and orphan_retries probes went out
 * (tcp_orphan_retries, "alive").
 */
static void established_persist_orphan(struct kunit *test)
{
	E(test)->p.orphan_retries = 2;
	E(test)->p.rto_max_ms = 800;
	xt_established(test);
	xt_send_wnd(test, XTCP_ACK, R1, S1, 0, 0);
	xt_write(test, 100);
	T(test)->fl |= XTCP_F_ORPHAN;
	KUNIT_EXPECT_EQ(test, xtcp_core_close(T(test)), 0);
	KUNIT_EXPECT_EQ(test, T(test)->state, XTCP_FIN_WAIT_1);
	xt_fire(test, XTCP_T_PERSIST);			/* 200 ms */
	xt_send_wnd(test, XTCP_ACK, R1, S1, 0, 0);
	xt_fire(test, XTCP_T_PERSIST);			/* 400 ms */
	xt_send_wnd(test, XTCP_ACK, R1, S1, 0, 0);
	KUNIT_EXPECT_EQ(test, T(test)->state, XTCP_FIN_WAIT_1);
	xt_expect_timer(test, XTCP_T_PERSIST, 800);
	xt_clear(test);
	xt_fire(test, XTCP_T_PERSIST);			/* not alive */
	KUNIT_EXPECT_EQ(test, T(test)->state, XTCP_CLOSED);
	KUNIT_EXPECT_EQ(test, E(test)->notes[XTCP_N_ORPHAN_PROBE_ABORT], 1);
	xt_expect_none(test);
}

/* orphan_retries 0 means 8 probes while alive, as Linux */
static void established_persist_orphan_default(struct kunit *test)
{
	int i;

	E(test)->p.retries = 15;
	xt_established(test);
	xt_send_wnd(test, XTCP_ACK, R1, S1, 0, 0);
	xt_write(test, 100);
	T(test)->fl |= XTCP_F_ORPHAN;
	for (i = 0; i < 8; i++)
		xt_fire(test, XTCP_T_PERSIST);		/* unanswered */
	KUNIT_EXPECT_EQ(test, T(test)->state, XTCP_ESTABLISHED);
	xt_fire(test, XTCP_T_PERSIST);
	KUNIT_EXPECT_EQ(test, T(test)->state, XTCP_CLOSED);
	KUNIT_EXPECT_EQ(test, E(test)->notes[XTCP_N_ORPHAN_PROBE_ABORT], 1);
}

/*
 * Window updates after a read: only when the read at least doubles what
 * the peer has left (tcp_cleanup_rbuf()), and then only for >= 2 MSS or
 * crossing 1 MSS (receiver SWS avoidance, RFC 9293 §3.8.6.2.2)
 */
static void established_sws_window_update(struct kunit *test)
{
	u32 i;

	E(test)->rbuf = 10 * 1460;
	xt_established(test);
	xt_send(test, XTCP_ACK, R1, S1, 1460);
	xt_send(test, XTCP_ACK, R1 + 1460, S1, 1460);
	xt_expect_seg(test, XTCP_ACK, S1, R1 + 2920, 8 * 1460);
	xt_clear(test);
	/* 8 MSS of 10 left: reading 2 MSS does not double it */
	xt_read(test, 2920);
	xt_expect_none(test);
	for (i = 2; i < 8; i++)
		xt_send(test, XTCP_ACK, R1 + i * 1460, S1, 1460);
	xt_clear(test);
	/* 4 MSS left (the ACKs moved the edge to 12 MSS), 6 queued */
	KUNIT_EXPECT_EQ(test, T(test)->rcv_adv - T(test)->rcv_nxt, 4 * 1460);
	xt_read(test, 1460);	/* 5 MSS free: not twice 4 */
	xt_expect_none(test);
	xt_read(test, 4380);	/* 8 MSS free: twice what is left */
	xt_expect_seg(test, XTCP_ACK, S1, R1 + 8 * 1460, 8 * 1460);
	xt_expect_none(test);
}

static void established_sws_small_window(struct kunit *test)
{
	E(test)->rbuf = 3000;
	xt_established(test);
	xt_send(test, XTCP_ACK, R1, S1, 1460);
	xt_send(test, XTCP_ACK, R1 + 1460, S1, 1460);
	xt_expect_seg(test, XTCP_ACK, S1, R1 + 2920, 80);
	xt_clear(test);
	xt_read(test, 1000);	/* window 80 -> 1080: below 1 MSS */
	xt_expect_none(test);
	xt_read(test, 400);	/* 1480 >= MSS, old < MSS */
	xt_expect_seg(test, XTCP_ACK, S1, R1 + 2920, 1480);
	xt_expect_none(test);
}

static void established_wscale_window(struct kunit *test)
{
	E(test)->rcv_ws = 7;
	E(test)->peer_ws = 7;
	E(test)->rbuf = 200000;
	xt_established(test);
	/* the buffer alone bounds the window (no rcv_ssthresh): a window
	 * update (more than twice the SYN's 65536) offers 200000 rounded
	 * down to 128: 199936 >> 7 = 1562
	 */
	T(test)->rcv_ssthresh = 0;
	xtcp_core_recvd(T(test));
	xt_expect_seg(test, XTCP_ACK, S1, R1, 1562);
	KUNIT_EXPECT_EQ(test, T(test)->rcv_wnd, 199936);
	xt_send(test, XTCP_ACK, R1, S1, 1000);
	xt_fire(test, XTCP_T_DELACK);
	/* free 199000 -> 198912; the old edge needs 198936, rounded up */
	xt_expect_seg(test, XTCP_ACK, S1, R1 + 1000, 1555);
	KUNIT_EXPECT_EQ(test, T(test)->rcv_wnd, 1555 * 128);
}

/*
 * The window opens with the data (Linux's tcp_grow_window), not to the
 * buffer at once: rcv_ssthresh starts at the SYN's window (65535) and
 * grows by twice each segment, at least 2 MSS (2 * 1460), up to the
 * buffer's room (1 MiB here, scale 7)
 */
static void established_window_grows(struct kunit *test)
{
	E(test)->rcv_ws = 7;
	E(test)->peer_ws = 7;
	E(test)->rbuf = 1 << 20;
	xt_established(test);
	KUNIT_EXPECT_EQ(test, T(test)->rcv_ssthresh, 65535);
	KUNIT_EXPECT_EQ(test, T(test)->rcv_wnd, 65536);
	/* 100 bytes: + 2920 = 68455; the ACK offers 68455 & ~127 = 68352 */
	xt_send(test, XTCP_ACK, R1, S1, 100);
	xt_fire(test, XTCP_T_DELACK);
	KUNIT_EXPECT_EQ(test, T(test)->rcv_ssthresh, 68455);
	xt_expect_seg(test, XTCP_ACK, S1, R1 + 100, 68352 >> 7);
	/* 2000 bytes (held out of order too): + 4000 = 72455 */
	xt_send(test, XTCP_ACK, R1 + 3100, S1, 2000);
	KUNIT_EXPECT_EQ(test, T(test)->rcv_ssthresh, 72455);
	xt_send(test, XTCP_ACK, R1 + 100, S1, 3000);
	KUNIT_EXPECT_EQ(test, T(test)->rcv_ssthresh, 78455);
	/* at most the buffer's room: 1 MiB less the 6100 bytes queued
	 * (5100 and the segment's own 1000)
	 */
	T(test)->rcv_ssthresh = (1 << 20) - 6100 - 10;
	xt_send(test, XTCP_ACK, R1 + 5100, S1, 1000);
	KUNIT_EXPECT_EQ(test, T(test)->rcv_ssthresh, (1 << 20) - 6100);
}

static void established_window_no_shrink(struct kunit *test)
{
	xt_established(test);
	KUNIT_EXPECT_EQ(test, T(test)->rcv_adv, R1 + 65535);
	E(test)->rbuf = 1000;	/* memory pressure */
	xt_send(test, XTCP_ACK, R1, S1, 100);
	xt_fire(test, XTCP_T_DELACK);
	xt_expect_seg(test, XTCP_ACK, S1, R1 + 100, 65435);
	KUNIT_EXPECT_EQ(test, T(test)->rcv_adv, R1 + 65535);
}

static void established_wrap_receive(struct kunit *test)
{
	E(test)->irs = 0xfffffe00U;
	xt_established(test);
	xt_send(test, XTCP_ACK, 0xfffffe01U, S1, 1000);
	xt_send(test, XTCP_ACK, 0xfffffe01U + 1000, S1, 1000);
	xt_expect_rcv(test, 0, 0, 1000);
	xt_expect_rcv(test, 1, 0, 1000);
	xt_expect_seg(test, XTCP_ACK, S1, 0xfffffe01U + 2000, XT_ANY);
	KUNIT_EXPECT_EQ(test, T(test)->rcv_nxt, 0x5d1U);
	/* an old duplicate from before the wrap is recognised as such */
	xt_clear(test);
	xt_send(test, XTCP_ACK, 0xfffffe01U, S1, 1000);
	KUNIT_EXPECT_EQ(test, E(test)->nrcv, 0);
	xt_expect_seg(test, XTCP_ACK, S1, 0x5d1U, XT_ANY);
	xt_send(test, XTCP_ACK | XTCP_FIN, 0x5d1U, S1, 0);
	xt_expect_state(test, XTCP_CLOSE_WAIT);
}

static void established_wrap_send(struct kunit *test)
{
	E(test)->iss = 0xfffffff0U;
	xt_established(test);
	xt_write(test, 100);
	xt_expect_seg(test, XTCP_ACK | XTCP_PSH, 0xfffffff1U, R1, XT_ANY);
	KUNIT_EXPECT_EQ(test, T(test)->snd_nxt, 0x55U);
	xt_send(test, XTCP_ACK, R1, 0x10U, 0);
	KUNIT_EXPECT_EQ(test, T(test)->snd_una, 0x10U);
	KUNIT_EXPECT_EQ(test, T(test)->bytes_acked, 31);
	xt_send(test, XTCP_ACK, R1, 0x55U, 0);
	KUNIT_EXPECT_EQ(test, T(test)->bytes_acked, 100);
	xt_expect_no_timer(test, XTCP_T_RTX);
}

static void established_info(struct kunit *test)
{
	struct xtcp_info info;

	xt_established(test);
	xt_write(test, 500);
	E(test)->now += 10;
	xt_send(test, XTCP_ACK, R1, S1 + 200, 30);
	xtcp_core_info(T(test), &info);
	KUNIT_EXPECT_EQ(test, info.state, XTCP_ESTABLISHED);
	KUNIT_EXPECT_EQ(test, info.snd_una, 201);
	KUNIT_EXPECT_EQ(test, info.snd_nxt, 501);
	KUNIT_EXPECT_EQ(test, info.rcv_nxt, 31);
	KUNIT_EXPECT_EQ(test, info.snd_mss, 1460);
	KUNIT_EXPECT_EQ(test, info.rcv_mss, 1460);
	KUNIT_EXPECT_EQ(test, info.bytes_sent, 500);
	KUNIT_EXPECT_EQ(test, info.bytes_acked, 200);
	KUNIT_EXPECT_EQ(test, info.bytes_received, 30);
	KUNIT_EXPECT_EQ(test, info.srtt_us, 10000);
	/* 500 bytes of a 14600 window: not cwnd-limited (RFC 7661) */
	KUNIT_EXPECT_EQ(test, info.cwnd, 14600);
	KUNIT_EXPECT_EQ(test, info.snd_wnd, 65535);
}

static void established_output_error(struct kunit *test)
{
	xt_established(test);
	E(test)->out_ret = -ENOBUFS;
	xt_write(test, 100);
	KUNIT_EXPECT_EQ(test, E(test)->nout, 1);
	KUNIT_EXPECT_EQ(test, T(test)->snd_nxt, S1 + 100);
	xt_expect_timer(test, XTCP_T_RTX, 200);
	E(test)->out_ret = 0;
	xt_fire(test, XTCP_T_RTX);
	KUNIT_EXPECT_TRUE(test, E(test)->out[1].rtx);
	KUNIT_EXPECT_EQ(test, E(test)->out[1].seq, S1);
}

static void established_shut_rd(struct kunit *test)
{
	xt_established(test);
	T(test)->fl |= XTCP_F_SHUT_RD;
	xt_send(test, XTCP_ACK, R1, S1, 100);
	KUNIT_EXPECT_EQ(test, E(test)->nrcv, 0);
	KUNIT_EXPECT_EQ(test, T(test)->rcv_nxt, R1 + 100);
}

static void established_stale_timer(struct kunit *test)
{
	xt_established(test);
	xtcp_core_timeout(T(test), XTCP_T_RTX);
	xtcp_core_timeout(T(test), XTCP_T_TIMEWAIT);
	xtcp_core_timeout(T(test), XTCP_T_PERSIST);
	xt_expect_none(test);
	xt_expect_state(test, XTCP_ESTABLISHED);
	KUNIT_EXPECT_EQ(test, T(test)->backoff, 0);
}

static void established_ack_piggyback(struct kunit *test)
{
	const struct xtcp_out *o;

	xt_established(test);
	xt_send(test, XTCP_ACK, R1, S1, 100);
	xt_expect_timer(test, XTCP_T_DELACK, 40);
	xt_write(test, 10);
	o = xt_expect_seg(test, XTCP_ACK | XTCP_PSH, S1, R1 + 100, XT_ANY);
	KUNIT_EXPECT_EQ(test, o->len, 10);
	xt_expect_no_timer(test, XTCP_T_DELACK);
}

/* ==== FIN-WAIT-1 ==== */

static void fin_wait_1_ack_fin(struct kunit *test)
{
	xt_fin_wait_1(test);
	xt_send(test, XTCP_ACK, R1, S1 + 1, 0);
	xt_expect_state(test, XTCP_FIN_WAIT_2);
	xt_expect_none(test);
	xt_expect_no_timers(test);
}

static void fin_wait_1_ack_fin_orphan(struct kunit *test)
{
	xt_fin_wait_1(test);
	T(test)->fl |= XTCP_F_ORPHAN;
	xt_send(test, XTCP_ACK, R1, S1 + 1, 0);
	xt_expect_state(test, XTCP_FIN_WAIT_2);
	xt_expect_timer(test, XTCP_T_FINWAIT2, 40000);
	xt_expect_no_timer(test, XTCP_T_RTX);
}

static void fin_wait_1_ack_data_only(struct kunit *test)
{
	xt_established(test);
	xt_write(test, 100);
	xtcp_core_close(T(test));
	xt_clear(test);
	xt_send(test, XTCP_ACK, R1, S1 + 100, 0);
	xt_expect_state(test, XTCP_FIN_WAIT_1);
	xt_expect_timer(test, XTCP_T_RTX, 200);
	xt_send(test, XTCP_ACK, R1, S1 + 101, 0);
	xt_expect_state(test, XTCP_FIN_WAIT_2);
	KUNIT_EXPECT_EQ(test, T(test)->bytes_acked, 100);
}

static void fin_wait_1_fin(struct kunit *test)
{
	xt_fin_wait_1(test);
	xt_send(test, XTCP_ACK | XTCP_FIN, R1, S1, 0);
	xt_expect_state(test, XTCP_CLOSING);
	xt_expect_seg(test, XTCP_ACK, S1 + 1, R1 + 1, XT_ANY);
	xt_expect_none(test);
	xt_expect_timer(test, XTCP_T_RTX, 200);
}

static void fin_wait_1_finack(struct kunit *test)
{
	xt_fin_wait_1(test);
	xt_send(test, XTCP_ACK | XTCP_FIN, R1, S1 + 1, 0);
	xt_expect_state(test, XTCP_TIME_WAIT);
	xt_expect_seg(test, XTCP_ACK, S1 + 1, R1 + 1, XT_ANY);
	xt_expect_none(test);
	xt_expect_timer(test, XTCP_T_TIMEWAIT, 60000);
	xt_expect_no_timer(test, XTCP_T_RTX);
	KUNIT_EXPECT_EQ(test, E(test)->nstates, 2);	/* via FIN-WAIT-2 */
}

static void fin_wait_1_data(struct kunit *test)
{
	xt_fin_wait_1(test);
	xt_send(test, XTCP_ACK, R1, S1, 100);
	xt_expect_rcv(test, 0, 0, 100);
	xt_expect_timer(test, XTCP_T_DELACK, 40);
	xt_expect_state(test, XTCP_FIN_WAIT_1);
}

static void fin_wait_1_orphan_data(struct kunit *test)
{
	xt_fin_wait_1(test);
	T(test)->fl |= XTCP_F_ORPHAN;
	xt_send(test, XTCP_ACK, R1, S1 + 1, 100);
	xt_expect_seg(test, XTCP_RST, S1 + 1, 0, 0);
	xt_expect_none(test);
	xt_expect_state(test, XTCP_CLOSED);
	KUNIT_EXPECT_EQ(test, E(test)->nerr, 0);
	KUNIT_EXPECT_EQ(test, E(test)->nrcv, 0);
	xt_expect_no_timers(test);
}

static void fin_wait_1_rst_exact(struct kunit *test)
{
	xt_fin_wait_1(test);
	xt_send(test, XTCP_RST, R1, 0, 0);
	xt_expect_state(test, XTCP_CLOSED);
	KUNIT_EXPECT_EQ(test, E(test)->err, -ECONNRESET);
	xt_expect_no_timers(test);
}

static void fin_wait_1_rst_inwindow(struct kunit *test)
{
	xt_fin_wait_1(test);
	xt_send(test, XTCP_RST, R1 + 5, 0, 0);
	xt_expect_seg(test, XTCP_ACK, S1 + 1, R1, XT_ANY);
	xt_expect_state(test, XTCP_FIN_WAIT_1);
}

static void fin_wait_1_rst_outwindow(struct kunit *test)
{
	xt_fin_wait_1(test);
	xt_send(test, XTCP_RST, R1 + 70000, 0, 0);
	xt_expect_none(test);
	xt_expect_state(test, XTCP_FIN_WAIT_1);
}

static void fin_wait_1_syn(struct kunit *test)
{
	xt_fin_wait_1(test);
	xt_send(test, XTCP_SYN, R1, 0, 0);
	xt_expect_seg(test, XTCP_ACK, S1 + 1, R1, XT_ANY);
	xt_expect_none(test);
	xt_expect_state(test, XTCP_FIN_WAIT_1);
}

static void fin_wait_1_rtx(struct kunit *test)
{
	const struct xtcp_out *o;

	xt_fin_wait_1(test);
	xt_fire(test, XTCP_T_RTX);
	o = xt_expect_seg(test, XTCP_ACK | XTCP_FIN, S1, R1, XT_ANY);
	KUNIT_EXPECT_TRUE(test, o->rtx);
	xt_expect_none(test);
	xt_expect_timer(test, XTCP_T_RTX, 400);
	KUNIT_EXPECT_EQ(test, T(test)->snd_nxt, S1 + 1);
	KUNIT_EXPECT_TRUE(test, T(test)->fl & XTCP_F_FIN_SENT);
}

static void fin_wait_1_rtx_timeout(struct kunit *test)
{
	int i;

	xt_fin_wait_1(test);
	for (i = 0; i < 4; i++)
		xt_fire(test, XTCP_T_RTX);
	KUNIT_EXPECT_EQ(test, E(test)->nout, 4);
	xt_fire(test, XTCP_T_RTX);
	KUNIT_EXPECT_EQ(test, E(test)->nout, 4);
	xt_expect_state(test, XTCP_CLOSED);
	KUNIT_EXPECT_EQ(test, E(test)->err, -ETIMEDOUT);
}

static void fin_wait_1_close(struct kunit *test)
{
	xt_fin_wait_1(test);
	KUNIT_EXPECT_EQ(test, xtcp_core_close(T(test)), 0);
	xt_expect_none(test);
	xt_expect_state(test, XTCP_FIN_WAIT_1);
}

static void fin_wait_1_abort(struct kunit *test)
{
	xt_fin_wait_1(test);
	xtcp_core_abort(T(test));
	xt_expect_seg(test, XTCP_RST | XTCP_ACK, S1 + 1, R1, 0);
	xt_expect_none(test);
	xt_expect_state(test, XTCP_CLOSED);
	xt_expect_no_timers(test);
}

static void fin_wait_1_out_of_window(struct kunit *test)
{
	xt_fin_wait_1(test);
	xt_send(test, XTCP_ACK, R1 - 200, S1 + 1, 100);
	xt_expect_seg(test, XTCP_ACK, S1 + 1, R1, XT_ANY);
	xt_expect_none(test);
	/* the unacceptable segment's ACK was not processed */
	xt_expect_state(test, XTCP_FIN_WAIT_1);
}

/* ==== FIN-WAIT-2 ==== */

static void fin_wait_2_fin(struct kunit *test)
{
	xt_fin_wait_2(test);
	xt_send(test, XTCP_ACK | XTCP_FIN, R1, S1 + 1, 0);
	xt_expect_state(test, XTCP_TIME_WAIT);
	xt_expect_seg(test, XTCP_ACK, S1 + 1, R1 + 1, XT_ANY);
	xt_expect_none(test);
	xt_expect_timer(test, XTCP_T_TIMEWAIT, 60000);
	KUNIT_EXPECT_TRUE(test, T(test)->fl & XTCP_F_FIN_RCVD);
}

static void fin_wait_2_data_fin(struct kunit *test)
{
	xt_fin_wait_2(test);
	xt_send(test, XTCP_ACK | XTCP_FIN, R1, S1 + 1, 300);
	xt_expect_rcv(test, 0, 0, 300);
	xt_expect_state(test, XTCP_TIME_WAIT);
	xt_expect_seg(test, XTCP_ACK, S1 + 1, R1 + 301, XT_ANY);
}

static void fin_wait_2_data(struct kunit *test)
{
	xt_fin_wait_2(test);
	xt_send(test, XTCP_ACK, R1, S1 + 1, 100);
	xt_expect_rcv(test, 0, 0, 100);
	xt_expect_none(test);
	xt_expect_timer(test, XTCP_T_DELACK, 40);
	xt_fire(test, XTCP_T_DELACK);
	xt_expect_seg(test, XTCP_ACK, S1 + 1, R1 + 100, XT_ANY);
}

static void fin_wait_2_orphan_data(struct kunit *test)
{
	xt_fin_wait_2(test);
	T(test)->fl |= XTCP_F_ORPHAN;
	xtcp_core_close(T(test));
	xt_send(test, XTCP_ACK, R1, S1 + 1, 100);
	xt_expect_seg(test, XTCP_RST, S1 + 1, 0, 0);
	xt_expect_state(test, XTCP_CLOSED);
	KUNIT_EXPECT_EQ(test, E(test)->nerr, 0);
	xt_expect_no_timers(test);
}

static void fin_wait_2_close_orphan_timer(struct kunit *test)
{
	xt_fin_wait_2(test);
	xt_expect_no_timer(test, XTCP_T_FINWAIT2);
	T(test)->fl |= XTCP_F_ORPHAN;
	KUNIT_EXPECT_EQ(test, xtcp_core_close(T(test)), 0);
	xt_expect_timer(test, XTCP_T_FINWAIT2, 40000);
	xt_fire(test, XTCP_T_FINWAIT2);
	xt_expect_state(test, XTCP_CLOSED);
	xt_expect_none(test);
	KUNIT_EXPECT_EQ(test, E(test)->nerr, 0);
}

static void fin_wait_2_close(struct kunit *test)
{
	xt_fin_wait_2(test);
	KUNIT_EXPECT_EQ(test, xtcp_core_close(T(test)), 0);
	xt_expect_no_timers(test);
	xt_expect_none(test);
	xt_expect_state(test, XTCP_FIN_WAIT_2);
}

static void fin_wait_2_rst_exact(struct kunit *test)
{
	xt_fin_wait_2(test);
	xt_send(test, XTCP_RST, R1, 0, 0);
	xt_expect_state(test, XTCP_CLOSED);
	KUNIT_EXPECT_EQ(test, E(test)->err, -ECONNRESET);
}

static void fin_wait_2_rst_inwindow(struct kunit *test)
{
	xt_fin_wait_2(test);
	xt_send(test, XTCP_RST, R1 + 1000, 0, 0);
	xt_expect_seg(test, XTCP_ACK, S1 + 1, R1, XT_ANY);
	xt_expect_state(test, XTCP_FIN_WAIT_2);
}

static void fin_wait_2_syn(struct kunit *test)
{
	xt_fin_wait_2(test);
	xt_send(test, XTCP_SYN, R1 + 1000, 0, 0);
	xt_expect_seg(test, XTCP_ACK, S1 + 1, R1, XT_ANY);
	xt_expect_none(test);
	xt_expect_state(test, XTCP_FIN_WAIT_2);
}

static void fin_wait_2_abort(struct kunit *test)
{
	xt_fin_wait_2(test);
	xtcp_core_abort(T(test));
	xt_expect_seg(test, XTCP_RST | XTCP_ACK, S1 + 1, R1, 0);
	xt_expect_state(test, XTCP_CLOSED);
}

static void fin_wait_2_out_of_window(struct kunit *test)
{
	xt_fin_wait_2(test);
	xt_send(test, XTCP_ACK | XTCP_FIN, R1 + 70000, S1 + 1, 0);
	xt_expect_seg(test, XTCP_ACK, S1 + 1, R1, XT_ANY);
	xt_expect_state(test, XTCP_FIN_WAIT_2);
}

/* ==== CLOSE-WAIT ==== */

static void close_wait_close(struct kunit *test)
{
	xt_close_wait(test);
	KUNIT_EXPECT_EQ(test, xtcp_core_close(T(test)), 0);
	xt_expect_state(test, XTCP_LAST_ACK);
	xt_expect_seg(test, XTCP_ACK | XTCP_FIN, S1, R1 + 1, XT_ANY);
	xt_expect_none(test);
	xt_expect_timer(test, XTCP_T_RTX, 200);
}

static void close_wait_send(struct kunit *test)
{
	const struct xtcp_out *o;

	xt_close_wait(test);
	xt_write(test, 200);
	o = xt_expect_seg(test, XTCP_ACK | XTCP_PSH, S1, R1 + 1, XT_ANY);
	KUNIT_EXPECT_EQ(test, o->len, 200);
	xt_send(test, XTCP_ACK, R1 + 1, S1 + 200, 0);
	KUNIT_EXPECT_EQ(test, T(test)->snd_una, S1 + 200);
	xt_expect_no_timer(test, XTCP_T_RTX);
	xt_expect_state(test, XTCP_CLOSE_WAIT);
}

static void close_wait_close_with_data(struct kunit *test)
{
	const struct xtcp_out *o;

	xt_close_wait(test);
	T(test)->snd_end += 50;
	xtcp_core_close(T(test));
	o = xt_expect_seg(test, XTCP_ACK | XTCP_PSH | XTCP_FIN, S1, R1 + 1,
			  XT_ANY);
	KUNIT_EXPECT_EQ(test, o->len, 50);
	xt_expect_state(test, XTCP_LAST_ACK);
}

static void close_wait_fin_retransmit(struct kunit *test)
{
	xt_close_wait(test);
	xt_send(test, XTCP_ACK | XTCP_FIN, R1, S1, 0);
	xt_expect_seg(test, XTCP_ACK, S1, R1 + 1, XT_ANY);
	xt_expect_none(test);
	xt_expect_state(test, XTCP_CLOSE_WAIT);
}

static void close_wait_data_ignored(struct kunit *test)
{
	xt_close_wait(test);
	xt_send(test, XTCP_ACK, R1 + 1, S1, 100);
	KUNIT_EXPECT_EQ(test, E(test)->nrcv, 0);
	KUNIT_EXPECT_EQ(test, T(test)->rcv_nxt, R1 + 1);
	xt_expect_state(test, XTCP_CLOSE_WAIT);
}

static void close_wait_rst_exact(struct kunit *test)
{
	xt_close_wait(test);
	xt_send(test, XTCP_RST, R1 + 1, 0, 0);
	xt_expect_state(test, XTCP_CLOSED);
	KUNIT_EXPECT_EQ(test, E(test)->err, -ECONNRESET);
	xt_expect_none(test);
}

static void close_wait_rst_inwindow(struct kunit *test)
{
	xt_close_wait(test);
	xt_send(test, XTCP_RST, R1 + 2, 0, 0);
	xt_expect_seg(test, XTCP_ACK, S1, R1 + 1, XT_ANY);
	xt_expect_state(test, XTCP_CLOSE_WAIT);
}

static void close_wait_syn(struct kunit *test)
{
	xt_close_wait(test);
	xt_send(test, XTCP_SYN, R1 + 1, 0, 0);
	xt_expect_seg(test, XTCP_ACK, S1, R1 + 1, XT_ANY);
	xt_expect_none(test);
	xt_expect_state(test, XTCP_CLOSE_WAIT);
}

static void close_wait_abort(struct kunit *test)
{
	xt_close_wait(test);
	xtcp_core_abort(T(test));
	xt_expect_seg(test, XTCP_RST | XTCP_ACK, S1, R1 + 1, 0);
	xt_expect_none(test);
	xt_expect_state(test, XTCP_CLOSED);
}

static void close_wait_out_of_window(struct kunit *test)
{
	xt_close_wait(test);
	xt_send(test, XTCP_ACK, R1 + 100000, S1, 0);
	xt_expect_seg(test, XTCP_ACK, S1, R1 + 1, XT_ANY);
	xt_expect_state(test, XTCP_CLOSE_WAIT);
}

/* ==== CLOSING ==== */

static void closing_ack_fin(struct kunit *test)
{
	xt_closing(test);
	xt_send(test, XTCP_ACK, R1 + 1, S1 + 1, 0);
	xt_expect_state(test, XTCP_TIME_WAIT);
	xt_expect_none(test);
	xt_expect_timer(test, XTCP_T_TIMEWAIT, 60000);
	xt_expect_no_timer(test, XTCP_T_RTX);
}

static void closing_ack_dup(struct kunit *test)
{
	xt_closing(test);
	xt_send(test, XTCP_ACK, R1 + 1, S1, 0);
	xt_expect_state(test, XTCP_CLOSING);
	xt_expect_none(test);
	xt_expect_timer(test, XTCP_T_RTX, 200);
}

static void closing_rst(struct kunit *test)
{
	xt_closing(test);
	xt_send(test, XTCP_RST, R1 + 1, 0, 0);
	xt_expect_state(test, XTCP_CLOSED);
	KUNIT_EXPECT_EQ(test, E(test)->nerr, 0);
	xt_expect_no_timers(test);
}

static void closing_rst_inwindow(struct kunit *test)
{
	xt_closing(test);
	xt_send(test, XTCP_RST, R1 + 3, 0, 0);
	xt_expect_seg(test, XTCP_ACK, S1 + 1, R1 + 1, XT_ANY);
	xt_expect_state(test, XTCP_CLOSING);
}

static void closing_rtx(struct kunit *test)
{
	const struct xtcp_out *o;

	xt_closing(test);
	xt_fire(test, XTCP_T_RTX);
	o = xt_expect_seg(test, XTCP_ACK | XTCP_FIN, S1, R1 + 1, XT_ANY);
	KUNIT_EXPECT_TRUE(test, o->rtx);
	xt_expect_timer(test, XTCP_T_RTX, 400);
}

static void closing_syn(struct kunit *test)
{
	xt_closing(test);
	xt_send(test, XTCP_SYN, R1 + 1, 0, 0);
	xt_expect_seg(test, XTCP_ACK, S1 + 1, R1 + 1, XT_ANY);
	xt_expect_state(test, XTCP_CLOSING);
}

static void closing_close_abort(struct kunit *test)
{
	xt_closing(test);
	KUNIT_EXPECT_EQ(test, xtcp_core_close(T(test)), 0);
	xt_expect_state(test, XTCP_CLOSING);
	xtcp_core_abort(T(test));
	xt_expect_none(test);	/* no RST from CLOSING */
	xt_expect_state(test, XTCP_CLOSED);
	xt_expect_no_timers(test);
}

static void closing_fin_retransmit(struct kunit *test)
{
	xt_closing(test);
	xt_send(test, XTCP_ACK | XTCP_FIN, R1, S1, 0);
	xt_expect_seg(test, XTCP_ACK, S1 + 1, R1 + 1, XT_ANY);
	xt_expect_state(test, XTCP_CLOSING);
}

/* ==== LAST-ACK ==== */

static void last_ack_ack_fin(struct kunit *test)
{
	xt_last_ack(test);
	xt_send(test, XTCP_ACK, R1 + 1, S1 + 1, 0);
	xt_expect_state(test, XTCP_CLOSED);
	xt_expect_none(test);
	xt_expect_no_timers(test);
	KUNIT_EXPECT_EQ(test, E(test)->nerr, 0);
}

static void last_ack_ack_old(struct kunit *test)
{
	xt_last_ack(test);
	xt_send(test, XTCP_ACK, R1 + 1, S1, 0);
	xt_expect_state(test, XTCP_LAST_ACK);
	xt_expect_none(test);
}

static void last_ack_rst(struct kunit *test)
{
	xt_last_ack(test);
	xt_send(test, XTCP_RST, R1 + 1, 0, 0);
	xt_expect_state(test, XTCP_CLOSED);
	KUNIT_EXPECT_EQ(test, E(test)->nerr, 0);
}

static void last_ack_rtx(struct kunit *test)
{
	xt_last_ack(test);
	xt_fire(test, XTCP_T_RTX);
	KUNIT_EXPECT_TRUE(test, xt_expect_seg(test, XTCP_ACK | XTCP_FIN, S1,
					      R1 + 1, XT_ANY)->rtx);
	xt_expect_timer(test, XTCP_T_RTX, 400);
}

static void last_ack_rtx_timeout(struct kunit *test)
{
	int i;

	xt_last_ack(test);
	for (i = 0; i < 5; i++)
		xt_fire(test, XTCP_T_RTX);
	xt_expect_state(test, XTCP_CLOSED);
	KUNIT_EXPECT_EQ(test, E(test)->err, -ETIMEDOUT);
	KUNIT_EXPECT_EQ(test, E(test)->nout, 4);
}

static void last_ack_syn(struct kunit *test)
{
	xt_last_ack(test);
	xt_send(test, XTCP_SYN, R1 + 50, 0, 0);
	xt_expect_seg(test, XTCP_ACK, S1 + 1, R1 + 1, XT_ANY);
	xt_expect_state(test, XTCP_LAST_ACK);
}

static void last_ack_close_abort(struct kunit *test)
{
	xt_last_ack(test);
	KUNIT_EXPECT_EQ(test, xtcp_core_close(T(test)), 0);
	xt_expect_none(test);
	xtcp_core_abort(T(test));
	xt_expect_none(test);
	xt_expect_state(test, XTCP_CLOSED);
}

/* ==== TIME-WAIT ==== */

static void time_wait_expire(struct kunit *test)
{
	xt_time_wait(test);
	xt_expect_timer(test, XTCP_T_TIMEWAIT, 60000);
	xt_fire(test, XTCP_T_TIMEWAIT);
	xt_expect_state(test, XTCP_CLOSED);
	xt_expect_none(test);
	KUNIT_EXPECT_EQ(test, E(test)->nerr, 0);
}

static void time_wait_fin_retransmit(struct kunit *test)
{
	xt_time_wait(test);
	E(test)->now += 30000;
	xt_send(test, XTCP_ACK | XTCP_FIN, R1, S1 + 1, 0);
	xt_expect_seg(test, XTCP_ACK, S1 + 1, R1 + 1, XT_ANY);
	xt_expect_none(test);
	KUNIT_EXPECT_EQ(test, E(test)->nset[XTCP_T_TIMEWAIT], 1);
	xt_expect_timer(test, XTCP_T_TIMEWAIT, 60000);
	xt_expect_state(test, XTCP_TIME_WAIT);
}

static void time_wait_rst_ignored(struct kunit *test)
{
	xt_time_wait(test);
	xt_send(test, XTCP_RST, R1 + 1, 0, 0);
	xt_send(test, XTCP_RST | XTCP_ACK, R1 + 10, S1 + 1, 0);
	xt_expect_none(test);
	xt_expect_state(test, XTCP_TIME_WAIT);
	KUNIT_EXPECT_EQ(test, E(test)->nerr, 0);
	xt_expect_timer(test, XTCP_T_TIMEWAIT, 60000);
}

static void time_wait_syn(struct kunit *test)
{
	struct xtcp_seg syn = { .flags = XTCP_SYN, .seq = R1 };

	xt_time_wait(test);
	KUNIT_EXPECT_FALSE(test, xtcp_core_tw_syn_ok(T(test), &syn));
	xt_send(test, XTCP_SYN, R1, 0, 0);
	xt_expect_seg(test, XTCP_ACK, S1 + 1, R1 + 1, XT_ANY);
	xt_expect_none(test);
	xt_expect_state(test, XTCP_TIME_WAIT);
}

static void time_wait_syn_ok(struct kunit *test)
{
	struct xtcp_seg syn = { .flags = XTCP_SYN, .seq = R1 + 100 };

	xt_time_wait(test);
	KUNIT_EXPECT_TRUE(test, xtcp_core_tw_syn_ok(T(test), &syn));
	syn.flags = XTCP_SYN | XTCP_ACK;
	KUNIT_EXPECT_FALSE(test, xtcp_core_tw_syn_ok(T(test), &syn));
	syn.flags = XTCP_SYN;
	syn.seq = R1 + 1;	/* == rcv_nxt: not beyond */
	KUNIT_EXPECT_FALSE(test, xtcp_core_tw_syn_ok(T(test), &syn));
	syn.seq = R1 + 2;
	KUNIT_EXPECT_TRUE(test, xtcp_core_tw_syn_ok(T(test), &syn));
	xt_established(test);
	KUNIT_EXPECT_FALSE(test, xtcp_core_tw_syn_ok(T(test), &syn));
}

/* a new-incarnation SYN that the glue could not hand to a listener (none
 * is left): the TIME-WAIT stays and answers with an ACK, as Linux's
 * TCP_TW_SYN falling through to TCP_TW_ACK
 */
static void time_wait_syn_new_no_listener(struct kunit *test)
{
	xt_time_wait(test);
	xt_send(test, XTCP_SYN, R1 + 100, 0, 0);
	xt_expect_seg(test, XTCP_ACK, S1 + 1, R1 + 1, XT_ANY);
	xt_expect_none(test);
	xt_expect_state(test, XTCP_TIME_WAIT);
	KUNIT_EXPECT_EQ(test, E(test)->nerr, 0);
}

static void time_wait_ack(struct kunit *test)
{
	xt_time_wait(test);
	xt_send(test, XTCP_ACK, R1 + 1, S1 + 1, 0);
	xt_expect_none(test);
	xt_expect_state(test, XTCP_TIME_WAIT);
	KUNIT_EXPECT_EQ(test, E(test)->nset[XTCP_T_TIMEWAIT], 0);
}

static void time_wait_out_of_window(struct kunit *test)
{
	xt_time_wait(test);
	xt_send(test, XTCP_ACK, R1 + 100000, S1 + 1, 10);
	xt_expect_seg(test, XTCP_ACK, S1 + 1, R1 + 1, XT_ANY);
	xt_expect_state(test, XTCP_TIME_WAIT);
}

static void time_wait_close_abort(struct kunit *test)
{
	xt_time_wait(test);
	KUNIT_EXPECT_EQ(test, xtcp_core_close(T(test)), 0);
	xt_expect_state(test, XTCP_TIME_WAIT);
	xtcp_core_abort(T(test));
	xt_expect_none(test);
	xt_expect_state(test, XTCP_CLOSED);
	xt_expect_no_timers(test);
}

static void time_wait_from_closing_timers(struct kunit *test)
{
	xt_closing(test);
	T(test)->fl |= XTCP_F_ORPHAN;
	xt_send(test, XTCP_ACK, R1 + 1, S1 + 1, 0);
	xt_expect_state(test, XTCP_TIME_WAIT);
	xt_expect_timer(test, XTCP_T_TIMEWAIT, 60000);
	xt_expect_no_timer(test, XTCP_T_RTX);
	xt_expect_no_timer(test, XTCP_T_DELACK);
	xt_expect_no_timer(test, XTCP_T_PERSIST);
	xt_expect_no_timer(test, XTCP_T_FINWAIT2);
}

static void time_wait_delack_cleared(struct kunit *test)
{
	xt_fin_wait_2(test);
	xt_send(test, XTCP_ACK, R1, S1 + 1, 100);
	xt_expect_timer(test, XTCP_T_DELACK, 40);
	xt_send(test, XTCP_ACK | XTCP_FIN, R1 + 100, S1 + 1, 0);
	xt_expect_state(test, XTCP_TIME_WAIT);
	xt_expect_no_timer(test, XTCP_T_DELACK);
	xt_expect_seg(test, XTCP_ACK, S1 + 1, R1 + 101, XT_ANY);
}

/* ==== whole connections ==== */

static void lifecycle_active_close(struct kunit *test)
{
	static const u8 want[] = {
		XTCP_SYN_SENT, XTCP_ESTABLISHED, XTCP_FIN_WAIT_1,
		XTCP_FIN_WAIT_2, XTCP_TIME_WAIT, XTCP_CLOSED,
	};
	int i;

	xt_closed(test);
	xtcp_core_connect(T(test), ISS);
	xt_send(test, XTCP_SYN | XTCP_ACK, IRS, ISS + 1, 0);
	xtcp_core_close(T(test));
	xt_send(test, XTCP_ACK, R1, S1 + 1, 0);
	xt_send(test, XTCP_ACK | XTCP_FIN, R1, S1 + 1, 0);
	xt_fire(test, XTCP_T_TIMEWAIT);
	KUNIT_ASSERT_EQ(test, E(test)->nstates, ARRAY_SIZE(want));
	for (i = 0; i < ARRAY_SIZE(want); i++)
		KUNIT_EXPECT_EQ(test, E(test)->states[i], want[i]);
	KUNIT_EXPECT_EQ(test, E(test)->nerr, 0);
	xt_expect_no_timers(test);
}

static void lifecycle_passive_close(struct kunit *test)
{
	static const u8 want[] = {
		XTCP_SYN_RECEIVED, XTCP_ESTABLISHED, XTCP_CLOSE_WAIT,
		XTCP_LAST_ACK, XTCP_CLOSED,
	};
	struct xtcp_seg syn = xt_peer_syn(test);
	int i;

	xt_closed(test);
	xtcp_core_accept_syn(T(test), &syn, ISS);
	xt_send(test, XTCP_ACK, R1, ISS + 1, 0);
	xt_send(test, XTCP_ACK | XTCP_FIN, R1, S1, 0);
	xtcp_core_close(T(test));
	xt_send(test, XTCP_ACK, R1 + 1, S1 + 1, 0);
	KUNIT_ASSERT_EQ(test, E(test)->nstates, ARRAY_SIZE(want));
	for (i = 0; i < ARRAY_SIZE(want); i++)
		KUNIT_EXPECT_EQ(test, E(test)->states[i], want[i]);
	/* SYN-ACK, our FIN carrying the delayed ACK of theirs */
	KUNIT_EXPECT_EQ(test, E(test)->nout, 2);
}

static void lifecycle_simultaneous_close(struct kunit *test)
{
	xt_fin_wait_1(test);
	xt_send(test, XTCP_ACK | XTCP_FIN, R1, S1, 0);
	xt_expect_state(test, XTCP_CLOSING);
	xt_send(test, XTCP_ACK, R1 + 1, S1 + 1, 0);
	xt_expect_state(test, XTCP_TIME_WAIT);
	xt_fire(test, XTCP_T_TIMEWAIT);
	xt_expect_state(test, XTCP_CLOSED);
	KUNIT_EXPECT_EQ(test, E(test)->nstates, 3);
}

static struct kunit_case xtcp_core_handshake_cases[] = {
	KUNIT_CASE(closed_connect),
	KUNIT_CASE(closed_connect_syn_window_unscaled),
	KUNIT_CASE(listen_accept_syn_sack),
	KUNIT_CASE(listen_accept_syn_no_sack),
	KUNIT_CASE(listen_accept_syn_sack_off),
	KUNIT_CASE(syn_sent_sack_negotiated),
	KUNIT_CASE(closed_listen),
	KUNIT_CASE(closed_close),
	KUNIT_CASE(closed_abort),
	KUNIT_CASE(closed_segment_ignored),
	KUNIT_CASE(closed_output_nothing),
	KUNIT_CASE(listen_rst),
	KUNIT_CASE(listen_ack),
	KUNIT_CASE(listen_syn),
	KUNIT_CASE(listen_other),
	KUNIT_CASE(listen_close),
	KUNIT_CASE(listen_abort),
	KUNIT_CASE(listen_input_ignored),
	KUNIT_CASE(listen_accept_syn),
	KUNIT_CASE(listen_accept_syn_wscale),
	KUNIT_CASE(listen_accept_syn_no_mss),
	KUNIT_CASE(reset_for_ack),
	KUNIT_CASE(reset_for_noack),
	KUNIT_CASE(reset_for_rst),
	KUNIT_CASE(syn_sent_synack),
	KUNIT_CASE(syn_sent_synack_ack_is_isn_plus_one),
	KUNIT_CASE(syn_sent_synack_mss),
	KUNIT_CASE(syn_sent_synack_mss_absent),
	KUNIT_CASE(syn_sent_synack_mss_larger),
	KUNIT_CASE(syn_sent_synack_wscale),
	KUNIT_CASE(syn_sent_synack_wscale_cap),
	KUNIT_CASE(syn_sent_synack_no_wscale),
	KUNIT_CASE(syn_sent_synack_rtt),
	KUNIT_CASE(syn_sent_synack_after_rtx_no_rtt),
	KUNIT_CASE(syn_sent_bad_ack),
	KUNIT_CASE(syn_sent_bad_ack_rst),
	KUNIT_CASE(syn_sent_rst_ack),
	KUNIT_CASE(syn_sent_rst_noack),
	KUNIT_CASE(syn_sent_syn),
	KUNIT_CASE(syn_sent_ack_only),
	KUNIT_CASE(syn_sent_rtx),
	KUNIT_CASE(syn_sent_rtx_timeout),
	KUNIT_CASE(syn_sent_rtx_cap),
	KUNIT_CASE(syn_sent_close),
	KUNIT_CASE(syn_sent_abort),
	KUNIT_CASE(syn_sent_connect_again),
	KUNIT_CASE(syn_sent_synack_data),
	KUNIT_CASE(syn_sent_data_queued),
	KUNIT_CASE(syn_received_ack),
	KUNIT_CASE(syn_received_ack_bad),
	KUNIT_CASE(syn_received_rst_exact_passive),
	KUNIT_CASE(syn_received_rst_exact_active),
	KUNIT_CASE(syn_received_rst_inwindow),
	KUNIT_CASE(syn_received_rst_outwindow),
	KUNIT_CASE(syn_received_syn_dup),
	KUNIT_CASE(syn_received_syn_other),
	KUNIT_CASE(syn_received_noack),
	KUNIT_CASE(syn_received_ack_data),
	KUNIT_CASE(syn_received_ack_fin),
	KUNIT_CASE(syn_received_rtx),
	KUNIT_CASE(syn_received_rtx_timeout_passive),
	KUNIT_CASE(syn_received_rtx_timeout_active),
	KUNIT_CASE(syn_received_close),
	KUNIT_CASE(syn_received_abort),
	KUNIT_CASE(syn_received_out_of_window),
	KUNIT_CASE(syn_received_simopen_synack),
	KUNIT_CASE(syn_received_simopen_ack),
	{}
};

static struct kunit_case xtcp_core_established_cases[] = {
	KUNIT_CASE(established_data),
	KUNIT_CASE(established_data_two_segments),
	KUNIT_CASE(established_delack_fire),
	KUNIT_CASE(established_delack_zero),
	KUNIT_CASE(established_data_ooo),
	KUNIT_CASE(established_data_dup),
	KUNIT_CASE(established_data_overlap),
	KUNIT_CASE(established_data_beyond_window),
	KUNIT_CASE(established_zero_window_data),
	KUNIT_CASE(established_ack_new),
	KUNIT_CASE(established_ack_partial),
	KUNIT_CASE(established_ack_dup),
	KUNIT_CASE(established_ack_future),
	KUNIT_CASE(established_ack_too_old),
	KUNIT_CASE(established_ack_old_in_window),
	KUNIT_CASE(established_fin),
	KUNIT_CASE(established_fin_close),
	KUNIT_CASE(established_data_fin),
	KUNIT_CASE(established_fin_ooo),
	KUNIT_CASE(established_rst_exact),
	KUNIT_CASE(established_rst_inwindow),
	KUNIT_CASE(established_rst_outwindow),
	KUNIT_CASE(established_syn),
	KUNIT_CASE(established_synack),
	KUNIT_CASE(established_noack),
	KUNIT_CASE(established_out_of_window),
	KUNIT_CASE(established_close),
	KUNIT_CASE(established_close_with_data),
	KUNIT_CASE(established_abort),
	KUNIT_CASE(established_send_mss_split),
	KUNIT_CASE(established_send_wnd_limited),
	KUNIT_CASE(established_window_update_sends),
	KUNIT_CASE(established_window_update_old_ignored),
	KUNIT_CASE(established_cwnd_limited),
	KUNIT_CASE(established_slow_start),
	KUNIT_CASE(established_slow_start_cumulative),
	KUNIT_CASE(established_congestion_avoidance),
	KUNIT_CASE(established_rtx_gobackn),
	KUNIT_CASE(established_rtx_ack_beyond_snd_nxt),
	KUNIT_CASE(established_rtx_backoff),
	KUNIT_CASE(established_rtx_backoff_cap),
	KUNIT_CASE(established_rtx_timeout),
	KUNIT_CASE(established_rtx_karn),
	KUNIT_CASE(established_rto_rfc6298),
	KUNIT_CASE(established_rto_clamp),
	KUNIT_CASE(established_persist),
	KUNIT_CASE(window_space_calc),
	KUNIT_CASE(established_mem_no_shrink),
	KUNIT_CASE(established_rcv_nomem),
	KUNIT_CASE(established_drop_notes),
	KUNIT_CASE(established_ofo_hold_fill),
	KUNIT_CASE(established_ofo_partial_fill),
	KUNIT_CASE(established_ofo_dsack),
	KUNIT_CASE(established_ofo_data_fin),
	KUNIT_CASE(established_ofo_nomem),
	KUNIT_CASE(established_ofo_window),
	KUNIT_CASE(established_ofo_no_sack),
	KUNIT_CASE(established_ofo_quickack),
	KUNIT_CASE(established_ofo_data_segments),
	KUNIT_CASE(established_persist_answered),
	KUNIT_CASE(established_persist_unanswered),
	KUNIT_CASE(established_persist_orphan),
	KUNIT_CASE(established_persist_orphan_default),
	KUNIT_CASE(established_persist_opens),
	KUNIT_CASE(established_persist_cap),
	KUNIT_CASE(established_sws_window_update),
	KUNIT_CASE(established_sws_small_window),
	KUNIT_CASE(established_wscale_window),
	KUNIT_CASE(established_window_grows),
	KUNIT_CASE(established_window_no_shrink),
	KUNIT_CASE(established_wrap_receive),
	KUNIT_CASE(established_wrap_send),
	KUNIT_CASE(established_info),
	KUNIT_CASE(established_output_error),
	KUNIT_CASE(established_shut_rd),
	KUNIT_CASE(established_stale_timer),
	KUNIT_CASE(established_ack_piggyback),
	{}
};

static struct kunit_case xtcp_core_close_cases[] = {
	KUNIT_CASE(fin_wait_1_ack_fin),
	KUNIT_CASE(fin_wait_1_ack_fin_orphan),
	KUNIT_CASE(fin_wait_1_ack_data_only),
	KUNIT_CASE(fin_wait_1_fin),
	KUNIT_CASE(fin_wait_1_finack),
	KUNIT_CASE(fin_wait_1_data),
	KUNIT_CASE(fin_wait_1_orphan_data),
	KUNIT_CASE(fin_wait_1_rst_exact),
	KUNIT_CASE(fin_wait_1_rst_inwindow),
	KUNIT_CASE(fin_wait_1_rst_outwindow),
	KUNIT_CASE(fin_wait_1_syn),
	KUNIT_CASE(fin_wait_1_rtx),
	KUNIT_CASE(fin_wait_1_rtx_timeout),
	KUNIT_CASE(fin_wait_1_close),
	KUNIT_CASE(fin_wait_1_abort),
	KUNIT_CASE(fin_wait_1_out_of_window),
	KUNIT_CASE(fin_wait_2_fin),
	KUNIT_CASE(fin_wait_2_data_fin),
	KUNIT_CASE(fin_wait_2_data),
	KUNIT_CASE(fin_wait_2_orphan_data),
	KUNIT_CASE(fin_wait_2_close_orphan_timer),
	KUNIT_CASE(fin_wait_2_close),
	KUNIT_CASE(fin_wait_2_rst_exact),
	KUNIT_CASE(fin_wait_2_rst_inwindow),
	KUNIT_CASE(fin_wait_2_syn),
	KUNIT_CASE(fin_wait_2_abort),
	KUNIT_CASE(fin_wait_2_out_of_window),
	KUNIT_CASE(close_wait_close),
	KUNIT_CASE(close_wait_send),
	KUNIT_CASE(close_wait_close_with_data),
	KUNIT_CASE(close_wait_fin_retransmit),
	KUNIT_CASE(close_wait_data_ignored),
	KUNIT_CASE(close_wait_rst_exact),
	KUNIT_CASE(close_wait_rst_inwindow),
	KUNIT_CASE(close_wait_syn),
	KUNIT_CASE(close_wait_abort),
	KUNIT_CASE(close_wait_out_of_window),
	KUNIT_CASE(closing_ack_fin),
	KUNIT_CASE(closing_ack_dup),
	KUNIT_CASE(closing_rst),
	KUNIT_CASE(closing_rst_inwindow),
	KUNIT_CASE(closing_rtx),
	KUNIT_CASE(closing_syn),
	KUNIT_CASE(closing_close_abort),
	KUNIT_CASE(closing_fin_retransmit),
	KUNIT_CASE(last_ack_ack_fin),
	KUNIT_CASE(last_ack_ack_old),
	KUNIT_CASE(last_ack_rst),
	KUNIT_CASE(last_ack_rtx),
	KUNIT_CASE(last_ack_rtx_timeout),
	KUNIT_CASE(last_ack_syn),
	KUNIT_CASE(last_ack_close_abort),
	KUNIT_CASE(time_wait_expire),
	KUNIT_CASE(time_wait_fin_retransmit),
	KUNIT_CASE(time_wait_rst_ignored),
	KUNIT_CASE(time_wait_syn),
	KUNIT_CASE(time_wait_syn_ok),
	KUNIT_CASE(time_wait_syn_new_no_listener),
	KUNIT_CASE(time_wait_ack),
	KUNIT_CASE(time_wait_out_of_window),
	KUNIT_CASE(time_wait_close_abort),
	KUNIT_CASE(time_wait_from_closing_timers),
	KUNIT_CASE(time_wait_delack_cleared),
	KUNIT_CASE(lifecycle_active_close),
	KUNIT_CASE(lifecycle_passive_close),
	KUNIT_CASE(lifecycle_simultaneous_close),
	{}
};

static struct kunit_case xtcp_core_tw_compact_cases[] = {
	KUNIT_CASE(time_wait_expire),
	KUNIT_CASE(time_wait_fin_retransmit),
	KUNIT_CASE(time_wait_rst_ignored),
	KUNIT_CASE(time_wait_syn),
	KUNIT_CASE(time_wait_syn_ok),
	KUNIT_CASE(time_wait_syn_new_no_listener),
	KUNIT_CASE(time_wait_ack),
	KUNIT_CASE(time_wait_out_of_window),
	KUNIT_CASE(time_wait_close_abort),
	KUNIT_CASE(time_wait_delack_cleared),
	{}
};

static struct kunit_suite xtcp_core_handshake_suite = {
	.name = "xtcp_core_handshake",
	.init = xt_init,
	.exit = xt_exit,
	.test_cases = xtcp_core_handshake_cases,
};

static struct kunit_suite xtcp_core_established_suite = {
	.name = "xtcp_core_established",
	.init = xt_init,
	.exit = xt_exit,
	.test_cases = xtcp_core_established_cases,
};

static struct kunit_suite xtcp_core_close_suite = {
	.name = "xtcp_core_close",
	.init = xt_init,
	.exit = xt_exit,
	.test_cases = xtcp_core_close_cases,
};

static struct kunit_suite xtcp_core_tw_compact_suite = {
	.name = "xtcp_core_tw_compact",
	.init = xt_init_tw_compact,
	.exit = xt_exit,
	.test_cases = xtcp_core_tw_compact_cases,
};

kunit_test_suites(&xtcp_core_handshake_suite, &xtcp_core_established_suite,
		  &xtcp_core_close_suite, &xtcp_core_tw_compact_suite);
