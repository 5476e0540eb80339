// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: RFC 7323 timestamps in the core (xtcp_ts.c and its hooks in
 * xtcp_core.c) and the buffer arithmetic of xtcp_buf.c, with a fake clock
 * and an ops table that records emitted segments and notes.
 */
#include <kunit/test.h>
#include <kunit/resource.h>

#include "xtcp_core.h"
#include "xtcp_buf.h"

#define ISS	1000U
#define IRS	5000U
#define TS_OFF	0x40000000U	/* our per-connection offset */
#define T0	100000ULL	/* the fake clock at the start, ms */
#define PEER_TS	7000U		/* the peer's TSval in its SYN(-ACK) */
#define MAXOUT	32

struct ts_env {
	struct xtcp_tcb tcb;
	u64 cc_priv[XTCP_CC_PRIV_U64];
	struct xtcp_params p;
	u64 now;
	struct xtcp_out out[MAXOUT];
	int nout;
	u32 rcvd;		/* payload bytes taken */
	int paws;		/* XTCP_N_PAWS_DROP notes */
	int skip_paws, skip_seq, skip_chal, skip_tw; /* XTCP_N_ACK_SKIP_* */
};

static struct ts_env *te(struct xtcp_tcb *tcb)
{
	return container_of(tcb, struct ts_env, tcb);
}

static u64 t_now(struct xtcp_tcb *tcb)
{
	return te(tcb)->now;
}

static int t_output(struct xtcp_tcb *tcb, const struct xtcp_out *o)
{
	struct ts_env *e = te(tcb);

	if (e->nout < MAXOUT)
		e->out[e->nout++] = *o;
	return 0;
}

static void t_timer_set(struct xtcp_tcb *tcb, enum xtcp_timer t, u32 ms)
{
}

static void t_timer_clear(struct xtcp_tcb *tcb, enum xtcp_timer t)
{
}

static bool t_rcv_data(struct xtcp_tcb *tcb, u32 off, u32 len)
{
	te(tcb)->rcvd += len;
	return true;
}

static u32 t_rcv_space(struct xtcp_tcb *tcb)
{
	return 65535;
}

static void t_state_change(struct xtcp_tcb *tcb, enum xtcp_state old)
{
}

static void t_error(struct xtcp_tcb *tcb, int err)
{
}

static void t_event(struct xtcp_tcb *tcb)
{
}

static void t_note(struct xtcp_tcb *tcb, enum xtcp_note n)
{
	if (n == XTCP_N_PAWS_DROP)
		te(tcb)->paws++;
	if (n == XTCP_N_ACK_SKIP_PAWS)
		te(tcb)->skip_paws++;
	if (n == XTCP_N_ACK_SKIP_SEQ)
		te(tcb)->skip_seq++;
	if (n == XTCP_N_ACK_SKIP_CHALLENGE)
		te(tcb)->skip_chal++;
	if (n == XTCP_N_ACK_SKIP_TW)
		te(tcb)->skip_tw++;
}

static const struct xtcp_core_ops t_ops = {
	.now = t_now,
	.output = t_output,
	.timer_set = t_timer_set,
	.timer_clear = t_timer_clear,
	.rcv_data = t_rcv_data,
	.rcv_space = t_rcv_space,
	.state_change = t_state_change,
	.error = t_error,
	.event = t_event,
	.note = t_note,
};

/* the scoreboard is what a TCB allocates: freed when the test ends */
static void t_free_res(struct kunit_resource *res)
{
	xtcp_core_destroy(&((struct ts_env *)res->data)->tcb);
}

static struct ts_env *t_new(struct kunit *test, bool ts)
{
	struct ts_env *e = kunit_kzalloc(test, sizeof(*e), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, e);
	e->now = T0;
	e->p = (struct xtcp_params){
		.msl_ms = 30000, .fin_timeout_ms = 40000,
		.rto_init_ms = 1000, .rto_min_ms = 1, .rto_max_ms = 120000,
		.syn_retries = 3, .synack_retries = 2, .retries = 4,
		.delack_ms = 40, .sack = 1, .timestamps = ts,
	};
	xtcp_core_init(&e->tcb, &t_ops, &e->p, e->cc_priv, 1460, 0);
	KUNIT_ASSERT_NOT_NULL(test, kunit_alloc_resource(test, NULL, t_free_res,
							 GFP_KERNEL, e));
	e->tcb.ts_off = TS_OFF;
	return e;
}

static struct xtcp_seg t_seg(u32 seq, u32 ack, u16 flags, u32 len)
{
	return (struct xtcp_seg){ .seq = seq, .ack = ack, .flags = flags,
				  .wnd = 65535, .len = len, .wscale = -1 };
}

static struct xtcp_seg t_tseg(u32 seq, u32 ack, u16 flags, u32 len,
			      u32 tsval, u32 tsecr)
{
	struct xtcp_seg s = t_seg(seq, ack, flags, len);

	s.ts_ok = 1;
	s.tsval = tsval;
	s.tsecr = tsecr;
	return s;
}

static const struct xtcp_out *t_last(struct kunit *test, struct ts_env *e)
{
	KUNIT_ASSERT_GT(test, e->nout, 0);
	return &e->out[e->nout - 1];
}

/* active open; the peer's SYN-ACK carries timestamps when @peer_ts */
static struct ts_env *t_established(struct kunit *test, bool ts,
				    bool peer_ts)
{
	struct ts_env *e = t_new(test, ts);
	struct xtcp_seg s;

	KUNIT_ASSERT_EQ(test, xtcp_core_connect(&e->tcb, ISS), 0);
	e->now += 10;
	s = t_seg(IRS, ISS + 1, XTCP_SYN | XTCP_ACK, 0);
	s.mss = 1460;
	if (peer_ts) {
		s.ts_ok = 1;
		s.tsval = PEER_TS;
		s.tsecr = (u32)T0 + TS_OFF;
	}
	xtcp_core_input(&e->tcb, &s);
	KUNIT_ASSERT_EQ(test, e->tcb.state, XTCP_ESTABLISHED);
	/* past the quick-ACK mode a connection starts in: these cases
	 * check which segment's TSval a delayed ACK echoes
	 */
	e->tcb.ack_started = 1;
	e->tcb.quick = 0;
	return e;
}

/* ---- negotiation ---- */

static void ts_syn_offers(struct kunit *test)
{
	struct ts_env *e = t_new(test, true);
	const struct xtcp_out *o;

	xtcp_core_connect(&e->tcb, ISS);
	o = t_last(test, e);
	KUNIT_EXPECT_EQ(test, o->flags, XTCP_SYN);
	KUNIT_EXPECT_EQ(test, o->ts_ok, 1);
	/* a 1 ms clock plus the connection's offset; TSecr 0 in a SYN */
	KUNIT_EXPECT_EQ(test, o->tsval, (u32)T0 + TS_OFF);
	KUNIT_EXPECT_EQ(test, o->tsecr, 0);
	KUNIT_EXPECT_EQ(test, o->sack_ok, 1);
}

static void ts_syn_off(struct kunit *test)
{
	struct ts_env *e = t_new(test, false);

	xtcp_core_connect(&e->tcb, ISS);
	KUNIT_EXPECT_EQ(test, t_last(test, e)->ts_ok, 0);
}

static void ts_both(struct kunit *test)
{
	struct ts_env *e = t_established(test, true, true);
	const struct xtcp_out *o = t_last(test, e);

	KUNIT_EXPECT_EQ(test, e->tcb.ts_ok, 1);
	KUNIT_EXPECT_EQ(test, e->tcb.ts_recent, PEER_TS);
	/* the ACK of the SYN-ACK echoes its TSval */
	KUNIT_EXPECT_EQ(test, o->flags, XTCP_ACK);
	KUNIT_EXPECT_EQ(test, o->ts_ok, 1);
	KUNIT_EXPECT_EQ(test, o->tsval, (u32)T0 + 10 + TS_OFF);
	KUNIT_EXPECT_EQ(test, o->tsecr, PEER_TS);
	/* and the SYN-ACK's TSecr gave the first RTT: 10 ms */
	KUNIT_EXPECT_EQ(test, e->tcb.srtt_us >> 3, 10000);
}

static void ts_peer_none(struct kunit *test)
{
	struct ts_env *e = t_established(test, true, false);

	KUNIT_EXPECT_EQ(test, e->tcb.ts_ok, 0);
	KUNIT_EXPECT_EQ(test, t_last(test, e)->ts_ok, 0);
	/* full-sized segments keep the whole MSS */
	KUNIT_EXPECT_EQ(test, xtcp_send_mss(&e->tcb), 1460);
}

static void ts_local_off_peer_ts(struct kunit *test)
{
	/* a SYN-ACK with timestamps we never offered: ignored */
	struct ts_env *e = t_established(test, false, true);

	KUNIT_EXPECT_EQ(test, e->tcb.ts_ok, 0);
	KUNIT_EXPECT_EQ(test, t_last(test, e)->ts_ok, 0);
}

static void ts_passive_echo(struct kunit *test)
{
	struct ts_env *e = t_new(test, true);
	struct xtcp_seg s = t_tseg(IRS, 0, XTCP_SYN, 0, PEER_TS, 0);
	const struct xtcp_out *o;

	s.sack_ok = 1;
	xtcp_core_accept_syn(&e->tcb, &s, ISS);
	o = t_last(test, e);
	KUNIT_EXPECT_EQ(test, o->flags, XTCP_SYN | XTCP_ACK);
	KUNIT_EXPECT_EQ(test, o->ts_ok, 1);
	KUNIT_EXPECT_EQ(test, o->tsecr, PEER_TS);
	KUNIT_EXPECT_EQ(test, o->tsval, (u32)T0 + TS_OFF);
	KUNIT_EXPECT_EQ(test, o->sack_ok, 1);
}

static void ts_passive_syn_without(struct kunit *test)
{
	struct ts_env *e = t_new(test, true);
	struct xtcp_seg s = t_seg(IRS, 0, XTCP_SYN, 0);

	xtcp_core_accept_syn(&e->tcb, &s, ISS);
	KUNIT_EXPECT_EQ(test, t_last(test, e)->ts_ok, 0);
	KUNIT_EXPECT_EQ(test, e->tcb.ts_ok, 0);
}

static void ts_passive_off(struct kunit *test)
{
	struct ts_env *e = t_new(test, false);
	struct xtcp_seg s = t_tseg(IRS, 0, XTCP_SYN, 0, PEER_TS, 0);

	xtcp_core_accept_syn(&e->tcb, &s, ISS);
	KUNIT_EXPECT_EQ(test, t_last(test, e)->ts_ok, 0);
	KUNIT_EXPECT_EQ(test, e->tcb.ts_ok, 0);
}

/* ---- TSval on every segment, TSecr and TS.Recent (§4.3) ---- */

static void ts_data_carries(struct kunit *test)
{
	struct ts_env *e = t_established(test, true, true);
	const struct xtcp_out *o;

	e->now += 5;
	e->tcb.snd_end += 2000;
	xtcp_core_output(&e->tcb);
	KUNIT_ASSERT_EQ(test, e->nout, 4);	/* SYN, ACK, 2 data */
	o = &e->out[2];
	KUNIT_EXPECT_EQ(test, o->ts_ok, 1);
	KUNIT_EXPECT_EQ(test, o->tsval, (u32)T0 + 15 + TS_OFF);
	KUNIT_EXPECT_EQ(test, o->tsecr, PEER_TS);
	/* 12 option bytes: 1448 of 1460 per segment, as Linux's mss_cache */
	KUNIT_EXPECT_EQ(test, o->len, 1448);
	KUNIT_EXPECT_EQ(test, e->out[3].len, 2000 - 1448);
}

static void ts_recent_in_order(struct kunit *test)
{
	struct ts_env *e = t_established(test, true, true);
	struct xtcp_seg s = t_tseg(IRS + 1, ISS + 1, XTCP_ACK, 100,
				   PEER_TS + 3, (u32)T0 + TS_OFF);

	xtcp_core_input(&e->tcb, &s);
	KUNIT_EXPECT_EQ(test, e->rcvd, 100);
	KUNIT_EXPECT_EQ(test, e->tcb.ts_recent, PEER_TS + 3);
}

static void ts_recent_not_from_later(struct kunit *test)
{
	struct ts_env *e = t_established(test, true, true);
	struct xtcp_seg s;

	/* two segments before our ACK (the second ACKs at once: more than
	 * one full segment of the peer's size, 600 bytes, unacknowledged):
	 * only the first (SEG.SEQ <= Last.ACK.sent) renews TS.Recent, so
	 * the ACK echoes the earliest
	 */
	e->tcb.p.delack_ms = 40;
	s = t_tseg(IRS + 1, ISS + 1, XTCP_ACK, 600, PEER_TS + 3, 0);
	xtcp_core_input(&e->tcb, &s);
	KUNIT_EXPECT_EQ(test, e->tcb.ts_recent, PEER_TS + 3);
	s = t_tseg(IRS + 601, ISS + 1, XTCP_ACK, 600, PEER_TS + 9, 0);
	xtcp_core_input(&e->tcb, &s);
	KUNIT_EXPECT_EQ(test, e->rcvd, 1200);
	KUNIT_EXPECT_EQ(test, e->tcb.ts_recent, PEER_TS + 3);
	KUNIT_EXPECT_EQ(test, t_last(test, e)->ack, IRS + 1201);
	KUNIT_EXPECT_EQ(test, t_last(test, e)->tsecr, PEER_TS + 3);
	/* the next in-order segment starts at Last.ACK.sent */
	s = t_tseg(IRS + 1201, ISS + 1, XTCP_ACK, 100, PEER_TS + 12, 0);
	xtcp_core_input(&e->tcb, &s);
	KUNIT_EXPECT_EQ(test, e->tcb.ts_recent, PEER_TS + 12);
}

/* ---- PAWS (§5) ---- */

static void paws_reject_old(struct kunit *test)
{
	struct ts_env *e = t_established(test, true, true);
	struct xtcp_seg s = t_tseg(IRS + 1, ISS + 1, XTCP_ACK, 100,
				   PEER_TS - 1, 0);
	int n = e->nout;

	xtcp_core_input(&e->tcb, &s);
	KUNIT_EXPECT_EQ(test, e->rcvd, 0);
	KUNIT_EXPECT_EQ(test, e->tcb.rcv_nxt, IRS + 1);
	KUNIT_EXPECT_EQ(test, e->paws, 1);
	/* R1: an ACK answers it */
	KUNIT_ASSERT_EQ(test, e->nout, n + 1);
	KUNIT_EXPECT_EQ(test, t_last(test, e)->flags, XTCP_ACK);
	KUNIT_EXPECT_EQ(test, t_last(test, e)->ack, IRS + 1);
	KUNIT_EXPECT_EQ(test, e->tcb.ts_recent, PEER_TS);
}

/*
 * A copy of bytes we hold with an old TSval (a retransmission its
 * reordered original overtook): PAWS drops it and the ACK reports the part
 * below RCV.NXT as duplicate (RFC 2883 §4), as Linux's tcp_send_dupack()
 */
static void paws_old_data_dsack(struct kunit *test)
{
	struct ts_env *e = t_established(test, true, true);
	struct xtcp_seg s;
	int n;

	e->tcb.sack_ok = 1;
	s = t_tseg(IRS + 1, ISS + 1, XTCP_ACK, 100, PEER_TS + 5, 0);
	xtcp_core_input(&e->tcb, &s);
	KUNIT_ASSERT_EQ(test, e->tcb.rcv_nxt, IRS + 101);
	KUNIT_ASSERT_EQ(test, e->tcb.ts_recent, PEER_TS + 5);
	/* all of it held: the block is the whole segment */
	n = e->nout;
	s = t_tseg(IRS + 1, ISS + 1, XTCP_ACK, 100, PEER_TS + 2, 0);
	xtcp_core_input(&e->tcb, &s);
	KUNIT_EXPECT_EQ(test, e->paws, 1);
	KUNIT_ASSERT_EQ(test, e->nout, n + 1);
	KUNIT_EXPECT_EQ(test, t_last(test, e)->ack, IRS + 101);
	KUNIT_ASSERT_EQ(test, t_last(test, e)->nsack, 1);
	KUNIT_EXPECT_EQ(test, t_last(test, e)->sack[0].start, IRS + 1);
	KUNIT_EXPECT_EQ(test, t_last(test, e)->sack[0].end, IRS + 101);
	/* each copy reports itself again */
	xtcp_core_input(&e->tcb, &s);
	KUNIT_EXPECT_EQ(test, e->paws, 2);
	KUNIT_EXPECT_EQ(test, t_last(test, e)->nsack, 1);
	/* half of it below RCV.NXT: only that half, IRS+51..IRS+101 */
	s = t_tseg(IRS + 51, ISS + 1, XTCP_ACK, 100, PEER_TS + 2, 0);
	xtcp_core_input(&e->tcb, &s);
	KUNIT_EXPECT_EQ(test, e->paws, 3);
	KUNIT_EXPECT_EQ(test, e->rcvd, 100);
	KUNIT_ASSERT_EQ(test, t_last(test, e)->nsack, 1);
	KUNIT_EXPECT_EQ(test, t_last(test, e)->sack[0].start, IRS + 51);
	KUNIT_EXPECT_EQ(test, t_last(test, e)->sack[0].end, IRS + 101);
	/* data above RCV.NXT and a pure ACK: a plain ACK */
	s = t_tseg(IRS + 101, ISS + 1, XTCP_ACK, 100, PEER_TS + 2, 0);
	xtcp_core_input(&e->tcb, &s);
	KUNIT_EXPECT_EQ(test, e->paws, 4);
	KUNIT_EXPECT_EQ(test, t_last(test, e)->nsack, 0);
	KUNIT_EXPECT_EQ(test, t_last(test, e)->ack, IRS + 101);
}

/*
 * A pure duplicate ACK reordered behind a later one (older TSval, within
 * an RTO, no window update) passes PAWS and its SACK block is taken, as
 * Linux's tcp_disordered_ack(); anything else with an old TSval is still
 * dropped
 */
static void paws_disordered_ack(struct kunit *test)
{
	struct ts_env *e = t_established(test, true, true);
	struct xtcp_sack_block blk = { ISS + 1 + 1448, ISS + 1 + 2000 };
	struct xtcp_seg s;

	e->tcb.sack_ok = 1;
	e->tcb.snd_end += 2000;
	xtcp_core_output(&e->tcb);
	KUNIT_ASSERT_EQ(test, e->tcb.snd_nxt, ISS + 1 + 2000);
	/* a later ACK first: TS.Recent PEER_TS + 50, SND.WND 65535 */
	e->now += 5;
	s = t_tseg(IRS + 1, ISS + 1, XTCP_ACK, 0, PEER_TS + 50, 0);
	xtcp_core_input(&e->tcb, &s);
	KUNIT_ASSERT_EQ(test, e->tcb.ts_recent, PEER_TS + 50);
	KUNIT_ASSERT_EQ(test, e->tcb.snd_wnd, 65535);
	KUNIT_ASSERT_EQ(test, e->tcb.snd_wl1, IRS + 1);
	KUNIT_ASSERT_GE(test, e->tcb.rto_ms, 20);
	/* an older one with a SACK block: taken, TS.Recent kept */
	s = t_tseg(IRS + 1, ISS + 1, XTCP_ACK, 0, PEER_TS + 30, 0);
	s.nsack = 1;
	s.sack = &blk;
	xtcp_core_input(&e->tcb, &s);
	KUNIT_EXPECT_EQ(test, e->paws, 0);
	KUNIT_EXPECT_EQ(test, e->tcb.sb.sacked, 2000 - 1448);
	KUNIT_EXPECT_EQ(test, e->tcb.ts_recent, PEER_TS + 50);
	/* it would widen the window: dropped */
	s.wnd = 65535;
	e->tcb.snd_wnd = 60000;
	xtcp_core_input(&e->tcb, &s);
	KUNIT_EXPECT_EQ(test, e->paws, 1);
	e->tcb.snd_wnd = 65535;
	/* older than TS.Recent by more than the RTO: dropped */
	s.tsval = PEER_TS + 50 - e->tcb.rto_ms - 1;
	xtcp_core_input(&e->tcb, &s);
	KUNIT_EXPECT_EQ(test, e->paws, 2);
	/* by exactly the RTO: taken */
	s.tsval = PEER_TS + 50 - e->tcb.rto_ms;
	xtcp_core_input(&e->tcb, &s);
	KUNIT_EXPECT_EQ(test, e->paws, 2);
	/* it acknowledges data: dropped */
	s = t_tseg(IRS + 1, ISS + 1 + 1448, XTCP_ACK, 0, PEER_TS + 30, 0);
	xtcp_core_input(&e->tcb, &s);
	KUNIT_EXPECT_EQ(test, e->paws, 3);
	KUNIT_EXPECT_EQ(test, e->tcb.snd_una, ISS + 1);
	/* it carries data: dropped */
	s = t_tseg(IRS + 1, ISS + 1, XTCP_ACK, 10, PEER_TS + 30, 0);
	xtcp_core_input(&e->tcb, &s);
	KUNIT_EXPECT_EQ(test, e->paws, 4);
	KUNIT_EXPECT_EQ(test, e->rcvd, 0);
}

/*
 * RFC 5961 §7, as Linux's tcp_oow_rate_limited(): ACKs for segments
 * without data that fail PAWS or the window test, and challenge ACKs,
 * share one stamp and go at most once per invalid_ratelimit ms; data is
 * always answered; 0 means no limit
 */
static void oow_ack_ratelimit(struct kunit *test)
{
	struct ts_env *e = t_established(test, true, true);
	struct xtcp_seg old = t_tseg(IRS + 1, ISS + 1, XTCP_ACK, 0,
				     PEER_TS - 1, 0);
	struct xtcp_seg s;
	int n;

	e->tcb.p.invalid_ratelimit = 500;
	n = e->nout;
	xtcp_core_input(&e->tcb, &old);		/* first: answered */
	KUNIT_EXPECT_EQ(test, e->nout, n + 1);
	xtcp_core_input(&e->tcb, &old);		/* same ms: not */
	e->now += 499;
	xtcp_core_input(&e->tcb, &old);		/* 499 ms: not */
	KUNIT_EXPECT_EQ(test, e->nout, n + 1);
	KUNIT_EXPECT_EQ(test, e->skip_paws, 2);
	KUNIT_EXPECT_EQ(test, e->paws, 3);
	/* data failing PAWS: answered all the same, stamp kept */
	s = t_tseg(IRS + 1, ISS + 1, XTCP_ACK, 100, PEER_TS - 1, 0);
	xtcp_core_input(&e->tcb, &s);
	KUNIT_EXPECT_EQ(test, e->nout, n + 2);
	/* a pure ACK far beyond the window and a SYN (challenge ACK): the
	 * same stamp holds them back
	 */
	s = t_tseg(IRS + 1 + 10 * 65535, ISS + 1, XTCP_ACK, 0, PEER_TS, 0);
	xtcp_core_input(&e->tcb, &s);
	KUNIT_EXPECT_EQ(test, e->skip_seq, 1);
	s = t_tseg(IRS + 1, ISS + 1, XTCP_SYN, 0, PEER_TS, 0);
	xtcp_core_input(&e->tcb, &s);
	KUNIT_EXPECT_EQ(test, e->skip_chal, 1);
	KUNIT_EXPECT_EQ(test, e->nout, n + 2);
	KUNIT_EXPECT_EQ(test, e->tcb.state, XTCP_ESTABLISHED);
	/* 500 ms after the first: the challenge ACK goes, then none */
	e->now += 1;
	xtcp_core_input(&e->tcb, &s);
	KUNIT_EXPECT_EQ(test, e->nout, n + 3);
	KUNIT_EXPECT_EQ(test, t_last(test, e)->flags, XTCP_ACK);
	KUNIT_EXPECT_EQ(test, t_last(test, e)->ack, IRS + 1);
	xtcp_core_input(&e->tcb, &old);
	KUNIT_EXPECT_EQ(test, e->nout, n + 3);
	KUNIT_EXPECT_EQ(test, e->skip_paws, 3);
	/* no limit: every one answered */
	e->tcb.p.invalid_ratelimit = 0;
	xtcp_core_input(&e->tcb, &old);
	xtcp_core_input(&e->tcb, &old);
	KUNIT_EXPECT_EQ(test, e->nout, n + 5);
	KUNIT_EXPECT_EQ(test, e->skip_paws, 3);
}

static void paws_equal_ok(struct kunit *test)
{
	struct ts_env *e = t_established(test, true, true);
	struct xtcp_seg s = t_tseg(IRS + 1, ISS + 1, XTCP_ACK, 100,
				   PEER_TS, 0);

	xtcp_core_input(&e->tcb, &s);
	KUNIT_EXPECT_EQ(test, e->rcvd, 100);
	KUNIT_EXPECT_EQ(test, e->paws, 0);
}

static void paws_wraparound(struct kunit *test)
{
	struct ts_env *e = t_established(test, true, true);
	struct xtcp_seg s;

	/* TS.Recent just below 2^32: 0x10 is newer */
	e->tcb.ts_recent = 0xfffffff0U;
	s = t_tseg(IRS + 1, ISS + 1, XTCP_ACK, 100, 0x10, 0);
	xtcp_core_input(&e->tcb, &s);
	KUNIT_EXPECT_EQ(test, e->rcvd, 100);
	KUNIT_EXPECT_EQ(test, e->tcb.ts_recent, 0x10);
	/* and 0xfffffff0 is now older: rejected */
	s = t_tseg(IRS + 101, ISS + 1, XTCP_ACK, 100, 0xfffffff0U, 0);
	xtcp_core_input(&e->tcb, &s);
	KUNIT_EXPECT_EQ(test, e->rcvd, 100);
	KUNIT_EXPECT_EQ(test, e->paws, 1);
	/* more than 2^31 apart counts as older too */
	s = t_tseg(IRS + 101, ISS + 1, XTCP_ACK, 100, 0x10 + 0x80000001U, 0);
	xtcp_core_input(&e->tcb, &s);
	KUNIT_EXPECT_EQ(test, e->paws, 2);
}

static void paws_rst_exempt(struct kunit *test)
{
	struct ts_env *e = t_established(test, true, true);
	struct xtcp_seg s = t_tseg(IRS + 1, 0, XTCP_RST, 0, PEER_TS - 100, 0);

	xtcp_core_input(&e->tcb, &s);
	KUNIT_EXPECT_EQ(test, e->paws, 0);
	KUNIT_EXPECT_EQ(test, e->tcb.state, XTCP_CLOSED);
}

static void paws_no_option_accepted(struct kunit *test)
{
	struct ts_env *e = t_established(test, true, true);
	struct xtcp_seg s = t_seg(IRS + 1, ISS + 1, XTCP_ACK, 100);

	xtcp_core_input(&e->tcb, &s);
	KUNIT_EXPECT_EQ(test, e->rcvd, 100);
	KUNIT_EXPECT_EQ(test, e->paws, 0);
}

static void paws_24_days(struct kunit *test)
{
	struct ts_env *e = t_established(test, true, true);
	struct xtcp_seg s = t_tseg(IRS + 1, ISS + 1, XTCP_ACK, 100, 5, 0);

	/* idle beyond 24 days: TS.Recent is invalid (§5.5) */
	e->now += XTCP_PAWS_IDLE_MS;
	xtcp_core_input(&e->tcb, &s);
	KUNIT_EXPECT_EQ(test, e->rcvd, 100);
	KUNIT_EXPECT_EQ(test, e->paws, 0);
	KUNIT_EXPECT_EQ(test, e->tcb.ts_recent, 5);
	/* one ms short of it, it still holds */
	e = t_established(test, true, true);
	e->now += XTCP_PAWS_IDLE_MS - 1;
	xtcp_core_input(&e->tcb, &s);
	KUNIT_EXPECT_EQ(test, e->rcvd, 0);
	KUNIT_EXPECT_EQ(test, e->paws, 1);
}

static void paws_time_wait_syn(struct kunit *test)
{
	struct ts_env *e = t_established(test, true, true);
	struct xtcp_seg s;

	e->tcb.state = XTCP_TIME_WAIT;
	/* a SYN below rcv_nxt but with a newer TSval may reopen (RFC 6191) */
	s = t_tseg(IRS - 100, 0, XTCP_SYN, 0, PEER_TS + 1, 0);
	KUNIT_EXPECT_TRUE(test, xtcp_core_tw_syn_ok(&e->tcb, &s));
	/* an older TSval never, even beyond rcv_nxt */
	s = t_tseg(IRS + 100, 0, XTCP_SYN, 0, PEER_TS - 1, 0);
	KUNIT_EXPECT_FALSE(test, xtcp_core_tw_syn_ok(&e->tcb, &s));
	/* the same TSval: only by sequence number */
	s = t_tseg(IRS - 100, 0, XTCP_SYN, 0, PEER_TS, 0);
	KUNIT_EXPECT_FALSE(test, xtcp_core_tw_syn_ok(&e->tcb, &s));
	s = t_tseg(IRS + 100, 0, XTCP_SYN, 0, PEER_TS, 0);
	KUNIT_EXPECT_TRUE(test, xtcp_core_tw_syn_ok(&e->tcb, &s));
}

/* the compact TIME-WAIT state keeps TS.Recent, its age and the offset */
static void paws_time_wait_compact(struct kunit *test)
{
	struct ts_env *e = t_established(test, true, true);
	u32 ts_recent = e->tcb.ts_recent, ts_off = e->tcb.ts_off;
	u64 stamp = e->tcb.ts_recent_stamp;
	struct xtcp_tw_tcb tw;
	struct xtcp_seg s;

	e->tcb.state = XTCP_TIME_WAIT;
	xtcp_core_tw_save(&e->tcb, &tw);
	xtcp_core_destroy(&e->tcb);
	e->now += 5000;
	xtcp_core_tw_load(&e->tcb, &tw, e->tcb.ops, e->now);
	KUNIT_EXPECT_EQ(test, e->tcb.ts_ok, 1);
	KUNIT_EXPECT_EQ(test, e->tcb.ts_recent, ts_recent);
	KUNIT_EXPECT_EQ(test, e->tcb.ts_off, ts_off);
	KUNIT_EXPECT_EQ(test, e->tcb.ts_recent_stamp, stamp);
	s = t_tseg(IRS - 100, 0, XTCP_SYN, 0, PEER_TS + 1, 0);
	KUNIT_EXPECT_TRUE(test, xtcp_core_tw_syn_ok(&e->tcb, &s));
	s = t_tseg(IRS + 100, 0, XTCP_SYN, 0, PEER_TS - 1, 0);
	KUNIT_EXPECT_FALSE(test, xtcp_core_tw_syn_ok(&e->tcb, &s));
	/* an old duplicate in TIME-WAIT: PAWS drops it (with an ACK) */
	e->nout = 0;
	s = t_tseg(IRS + 1, ISS + 1, XTCP_ACK, 0, PEER_TS - 1, 0);
	xtcp_core_input(&e->tcb, &s);
	KUNIT_EXPECT_EQ(test, e->paws, 1);
	KUNIT_EXPECT_EQ(test, e->nout, 1);
}

/* the ACK rate limit's stamp and interval live through the compact
 * TIME-WAIT object (tcp_timewait_check_oow_rate_limit)
 */
static void oow_ack_time_wait(struct kunit *test)
{
	struct ts_env *e = t_established(test, true, true);
	struct xtcp_seg s = t_tseg(IRS + 1, ISS + 1, XTCP_ACK, 0,
				   PEER_TS - 1, 0);
	struct xtcp_tw_tcb tw;

	e->tcb.p.invalid_ratelimit = 500;
	e->tcb.state = XTCP_TIME_WAIT;
	e->nout = 0;
	xtcp_core_input(&e->tcb, &s);
	KUNIT_EXPECT_EQ(test, e->nout, 1);
	xtcp_core_tw_save(&e->tcb, &tw);
	xtcp_core_destroy(&e->tcb);
	e->now += 300;
	xtcp_core_tw_load(&e->tcb, &tw, e->tcb.ops, e->now);
	KUNIT_EXPECT_EQ(test, e->tcb.p.invalid_ratelimit, 500);
	xtcp_core_input(&e->tcb, &s);
	KUNIT_EXPECT_EQ(test, e->nout, 1);
	KUNIT_EXPECT_EQ(test, e->skip_tw, 1);
	xtcp_core_tw_save(&e->tcb, &tw);
	e->now += 200;
	xtcp_core_tw_load(&e->tcb, &tw, e->tcb.ops, e->now);
	xtcp_core_input(&e->tcb, &s);
	KUNIT_EXPECT_EQ(test, e->nout, 2);
	KUNIT_EXPECT_EQ(test, e->skip_tw, 1);
}

/* ---- RTTM (§4) ---- */

static void rttm_every_ack(struct kunit *test)
{
	struct ts_env *e = t_established(test, true, true);
	u32 ts1, ts2;
	struct xtcp_seg s;

	e->tcb.snd_end += 2896;
	e->now += 100;
	xtcp_core_output(&e->tcb);
	KUNIT_ASSERT_EQ(test, e->nout, 4);
	ts1 = e->out[2].tsval;
	ts2 = e->out[3].tsval;
	/* first ACK 40 ms later echoes the first segment's TSval */
	e->now += 40;
	s = t_tseg(IRS + 1, ISS + 1 + 1448, XTCP_ACK, 0, PEER_TS + 1, ts1);
	xtcp_core_input(&e->tcb, &s);
	/* SRTT 10 ms from the handshake; then 7/8 * 10 + 40/8 = 13.75 */
	KUNIT_EXPECT_EQ(test, e->tcb.srtt_us >> 3, 13750);
	/* a second sample in the same window (Karn's one timed segment
	 * would give none): 7/8 * 13.75 + 60/8 = 19.53125
	 */
	e->now += 20;
	s = t_tseg(IRS + 1, ISS + 1 + 2896, XTCP_ACK, 0, PEER_TS + 2, ts2);
	xtcp_core_input(&e->tcb, &s);
	KUNIT_EXPECT_EQ(test, e->tcb.srtt_us >> 3, 19531);
	KUNIT_EXPECT_EQ(test, xtcp_ts_rtt_ms(&e->tcb, &s), 60);
}

static void rttm_retransmission(struct kunit *test)
{
	struct ts_env *e = t_established(test, true, true);
	struct xtcp_seg s;
	u32 ts;

	e->tcb.snd_end += 100;
	xtcp_core_output(&e->tcb);
	e->now += 1000;
	xtcp_core_timeout(&e->tcb, XTCP_T_RTX);
	ts = t_last(test, e)->tsval;
	KUNIT_EXPECT_TRUE(test, t_last(test, e)->rtx);
	/* the echo says the retransmission was answered, 30 ms later */
	e->now += 30;
	s = t_tseg(IRS + 1, ISS + 101, XTCP_ACK, 0, PEER_TS + 1, ts);
	xtcp_core_input(&e->tcb, &s);
	/* 7/8 * 10 + 30/8 = 12.5 ms */
	KUNIT_EXPECT_EQ(test, e->tcb.srtt_us >> 3, 12500);
}

static void rttm_no_echo(struct kunit *test)
{
	struct ts_env *e = t_established(test, true, true);
	struct xtcp_seg s = t_tseg(IRS + 1, ISS + 1, XTCP_ACK, 0, PEER_TS, 0);

	KUNIT_EXPECT_EQ(test, xtcp_ts_rtt_ms(&e->tcb, &s), -1);
	/* an echo from the future is no sample */
	s.tsecr = xtcp_ts_now(&e->tcb) + 5;
	KUNIT_EXPECT_EQ(test, xtcp_ts_rtt_ms(&e->tcb, &s), -1);
	s.tsecr = xtcp_ts_now(&e->tcb) - 7;
	KUNIT_EXPECT_EQ(test, xtcp_ts_rtt_ms(&e->tcb, &s), 7);
}

static void rcv_rtt_from_data(struct kunit *test)
{
	struct ts_env *e = t_established(test, true, true);
	u32 ts = xtcp_ts_now(&e->tcb);
	struct xtcp_seg s;

	e->now += 30;
	s = t_tseg(IRS + 1, ISS + 1, XTCP_ACK, 1000, PEER_TS + 1, ts);
	xtcp_core_input(&e->tcb, &s);
	KUNIT_EXPECT_EQ(test, e->tcb.rcv_rtt_us, 30000 << 3);
	/* the same echo again is no new sample */
	e->now += 100;
	s = t_tseg(IRS + 1001, ISS + 1, XTCP_ACK, 1000, PEER_TS + 2, ts);
	xtcp_core_input(&e->tcb, &s);
	KUNIT_EXPECT_EQ(test, e->tcb.rcv_rtt_us, 30000 << 3);
	/* a new one, 40 ms: 30 + (40 - 30) / 8 = 31.25 */
	ts = xtcp_ts_now(&e->tcb);
	e->now += 40;
	s = t_tseg(IRS + 2001, ISS + 1, XTCP_ACK, 1000, PEER_TS + 3, ts);
	xtcp_core_input(&e->tcb, &s);
	KUNIT_EXPECT_EQ(test, e->tcb.rcv_rtt_us >> 3, 31250);
}

static void rcv_rtt_no_ts(struct kunit *test)
{
	struct ts_env *e = t_established(test, false, false);

	/* the time the peer takes to fill a window: at least an RTT */
	e->tcb.rcv_wnd = 10000;
	xtcp_rcv_rtt_measure(&e->tcb);
	KUNIT_EXPECT_EQ(test, e->tcb.rcv_rtt_us, 0);
	e->now += 25;
	e->tcb.rcv_nxt += 5000;
	xtcp_rcv_rtt_measure(&e->tcb);
	KUNIT_EXPECT_EQ(test, e->tcb.rcv_rtt_us, 0);
	e->tcb.rcv_nxt += 5000;
	xtcp_rcv_rtt_measure(&e->tcb);
	KUNIT_EXPECT_EQ(test, e->tcb.rcv_rtt_us, 25000 << 3);
	/* the smallest such time is kept */
	e->now += 40;
	e->tcb.rcv_nxt += 10000;
	xtcp_rcv_rtt_measure(&e->tcb);
	KUNIT_EXPECT_EQ(test, e->tcb.rcv_rtt_us, 25000 << 3);
	/* within one tick of the 1 ms clock: 1 ms */
	e->tcb.rcv_nxt += 10000;
	xtcp_rcv_rtt_measure(&e->tcb);
	KUNIT_EXPECT_EQ(test, e->tcb.rcv_rtt_us, 1000 << 3);
	/* with timestamps the echo measures it instead */
	e->tcb.ts_ok = 1;
	e->now += 7;
	e->tcb.rcv_nxt += 10000;
	xtcp_rcv_rtt_measure(&e->tcb);
	KUNIT_EXPECT_EQ(test, e->tcb.rcv_rtt_us, 1000 << 3);
}

/* ---- buffers ---- */

static void buf_wscale(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, xtcp_buf_wscale(65535), 0);
	KUNIT_EXPECT_EQ(test, xtcp_buf_wscale(65536), 1);
	KUNIT_EXPECT_EQ(test, xtcp_buf_wscale(131072), 2);
	/* Linux defaults: tcp_rmem max 6 MB -> 7; 15 MB -> 8; 4 MB -> 7 */
	KUNIT_EXPECT_EQ(test, xtcp_buf_wscale(6291456), 7);
	KUNIT_EXPECT_EQ(test, xtcp_buf_wscale(15728640), 8);
	KUNIT_EXPECT_EQ(test, xtcp_buf_wscale(4194304), 7);
	KUNIT_EXPECT_EQ(test, xtcp_buf_wscale(U32_MAX), 14);
}

static void buf_rcv_grow(struct kunit *test)
{
	/* rcvwin = 2 * 200000 + 16 * 1460 = 423360; grown by 2 * 423360 *
	 * (200000 - 100000) / 100000 = 1270080 bytes = 869 segments of
	 * 2944 bytes of memory = 2558336
	 */
	KUNIT_EXPECT_EQ(test, xtcp_buf_rcv_grow(200000, 100000, 1460, 2944,
						6291456), 2558336);
	KUNIT_EXPECT_EQ(test, xtcp_buf_rcv_grow(200000, 100000, 1460, 2944,
						1000000), 1000000);
	/* steady: 2 * 100000 + 23360 = 223360 -> 152 segments */
	KUNIT_EXPECT_EQ(test, xtcp_buf_rcv_grow(100001, 100000, 1460, 2944,
						6291456), 152 * 2944);
	KUNIT_EXPECT_EQ(test, xtcp_buf_rcv_grow(100000, 100000, 1460, 2944,
						6291456), 0);
	KUNIT_EXPECT_EQ(test, xtcp_buf_rcv_grow(5, 0, 1460, 2944, 6291456), 0);
}

static void buf_snd_expand(struct kunit *test)
{
	/* at least the initial window of 10 segments, twice */
	KUNIT_EXPECT_EQ(test, xtcp_buf_snd_expand(4, 4352), 2 * 10 * 4352);
	KUNIT_EXPECT_EQ(test, xtcp_buf_snd_expand(100, 4352), 2 * 100 * 4352);
	KUNIT_EXPECT_EQ(test, xtcp_buf_snd_expand(U32_MAX, 4352), INT_MAX);
}

static void buf_wq_goal(struct kunit *test)
{
	/* half the send buffer, between 2 KB and 64 KB */
	KUNIT_EXPECT_EQ(test, xtcp_buf_wq_goal(0), 2048U);
	KUNIT_EXPECT_EQ(test, xtcp_buf_wq_goal(4608), 2304U);
	KUNIT_EXPECT_EQ(test, xtcp_buf_wq_goal(16384), 8192U);
	KUNIT_EXPECT_EQ(test, xtcp_buf_wq_goal(131071), 65535U);
	KUNIT_EXPECT_EQ(test, xtcp_buf_wq_goal(4 << 20), 65536U);
}

static struct kunit_case xtcp_ts_cases[] = {
	KUNIT_CASE(ts_syn_offers),
	KUNIT_CASE(ts_syn_off),
	KUNIT_CASE(ts_both),
	KUNIT_CASE(ts_peer_none),
	KUNIT_CASE(ts_local_off_peer_ts),
	KUNIT_CASE(ts_passive_echo),
	KUNIT_CASE(ts_passive_syn_without),
	KUNIT_CASE(ts_passive_off),
	KUNIT_CASE(ts_data_carries),
	KUNIT_CASE(ts_recent_in_order),
	KUNIT_CASE(ts_recent_not_from_later),
	KUNIT_CASE(paws_reject_old),
	KUNIT_CASE(paws_old_data_dsack),
	KUNIT_CASE(paws_disordered_ack),
	KUNIT_CASE(oow_ack_ratelimit),
	KUNIT_CASE(paws_equal_ok),
	KUNIT_CASE(paws_wraparound),
	KUNIT_CASE(paws_rst_exempt),
	KUNIT_CASE(paws_no_option_accepted),
	KUNIT_CASE(paws_24_days),
	KUNIT_CASE(paws_time_wait_syn),
	KUNIT_CASE(paws_time_wait_compact),
	KUNIT_CASE(oow_ack_time_wait),
	KUNIT_CASE(rttm_every_ack),
	KUNIT_CASE(rttm_retransmission),
	KUNIT_CASE(rttm_no_echo),
	KUNIT_CASE(rcv_rtt_from_data),
	KUNIT_CASE(rcv_rtt_no_ts),
	KUNIT_CASE(buf_wscale),
	KUNIT_CASE(buf_rcv_grow),
	KUNIT_CASE(buf_snd_expand),
	KUNIT_CASE(buf_wq_goal),
	{}
};

static struct kunit_suite xtcp_ts_suite = {
	.name = "xtcp_ts",
	.test_cases = xtcp_ts_cases,
};

kunit_test_suites(&xtcp_ts_suite);
