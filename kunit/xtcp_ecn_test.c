// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: ECN (RFC 3168 §6.1) in the core, xtcp_ecn.c and its hooks in
 * xtcp_core.c: the SYN exchange for every net.xtcp.ecn pair, ECT(0) on
 * new data only, ECE held until CWR, one window reduction per window of
 * data, CWR once on the next new data. The fake environment of
 * xtcp_fake.h, with a note recorder.
 */
#include <kunit/test.h>
#include <kunit/resource.h>
#include <net/inet_ecn.h>

#include "xtcp_core.h"
#include "xtcp_cc.h"
#include "xtcp_fake.h"

#define ISS	1000U
#define IRS	5000U
#define S1	(ISS + 1)
#define R1	(IRS + 1)
#define MSS	1000U
#define CE	(INET_ECN_CE << XTCP_IP_ECN_SHIFT)
#define ECT0	(INET_ECN_ECT_0 << XTCP_IP_ECN_SHIFT)

static int ecn_notes[XTCP_N_MAX];

static void ecn_note(struct xtcp_tcb *tcb, enum xtcp_note n)
{
	ecn_notes[n]++;
}

static struct xtcp_core_ops ecn_ops;

static struct xf_env *ecn_new(struct kunit *test, u8 ecn)
{
	struct xf_env *e = xf_new(test, MSS, 0);

	ecn_ops = xf_ops;
	ecn_ops.note = ecn_note;
	memset(ecn_notes, 0, sizeof(ecn_notes));
	e->tcb.ops = &ecn_ops;
	e->tcb.p.ecn = ecn;
	e->tcb.p.sack = 1;
	return e;
}

static struct xtcp_seg ecn_seg(u32 seq, u32 ack, u16 flags, u32 len)
{
	return (struct xtcp_seg){ .seq = seq, .ack = ack, .flags = flags,
				  .wnd = 65535, .len = len, .wscale = -1 };
}

static const struct xtcp_out *ecn_last(struct kunit *test, struct xf_env *e)
{
	KUNIT_ASSERT_GT(test, e->nout, 0);
	return &e->out[e->nout - 1];
}

/*
 * One handshake between a client with net.xtcp.ecn @c and a listener with
 * @s; the client's SYN goes to the listener's child, its SYN-ACK back.
 * Returns the flags of the SYN-ACK; *@cli, *@srv whether each side
 * ended with ECN on.
 */
static u16 ecn_handshake(struct kunit *test, u8 c, u8 s, bool *cli,
			 bool *srv)
{
	struct xf_env *a = ecn_new(test, c), *b = ecn_new(test, s);
	struct xtcp_seg syn, synack;
	const struct xtcp_out *o;

	KUNIT_ASSERT_EQ(test, xtcp_core_connect(&a->tcb, ISS), 0);
	o = ecn_last(test, a);
	KUNIT_EXPECT_EQ(test, o->flags & (XTCP_ECE | XTCP_CWR),
			c == 1 ? XTCP_ECE | XTCP_CWR : 0);
	KUNIT_EXPECT_EQ(test, o->ect, 0);	/* §6.1.1: SYNs are not ECT */
	syn = ecn_seg(ISS, 0, o->flags, 0);
	syn.mss = MSS;
	xtcp_core_accept_syn(&b->tcb, &syn, IRS);
	o = ecn_last(test, b);
	KUNIT_EXPECT_EQ(test, o->ect, 0);
	synack = ecn_seg(IRS, ISS + 1, o->flags, 0);
	synack.mss = MSS;
	xtcp_core_input(&a->tcb, &synack);
	KUNIT_EXPECT_EQ(test, a->tcb.state, XTCP_ESTABLISHED);
	*cli = a->tcb.ecn & XTCP_ECN_OK;
	*srv = b->tcb.ecn & XTCP_ECN_OK;
	return synack.flags;
}

/* RFC 3168 §6.1.1 for every pair of net.xtcp.ecn (0 off, 1 ask, 2 accept) */
static void ecn_negotiation_matrix(struct kunit *test)
{
	/* only a client with 1 asks; a listener with 1 or 2 accepts */
	static const bool want[3][3] = {
		{ false, false, false },
		{ false, true, true },
		{ false, false, false },
	};
	bool cli, srv;
	u16 fl;
	int c, s;

	for (c = 0; c <= 2; c++) {
		for (s = 0; s <= 2; s++) {
			fl = ecn_handshake(test, c, s, &cli, &srv);
			KUNIT_EXPECT_EQ_MSG(test, cli, want[c][s], "c %d s %d",
					    c, s);
			KUNIT_EXPECT_EQ_MSG(test, srv, want[c][s], "c %d s %d",
					    c, s);
			/* an ECN-setup SYN-ACK: ECE, never CWR */
			KUNIT_EXPECT_EQ_MSG(test, fl & (XTCP_ECE | XTCP_CWR),
					    want[c][s] ? XTCP_ECE : 0,
					    "c %d s %d", c, s);
		}
	}
}

/* any other combination leaves ECN off */
static void ecn_negotiation_odd(struct kunit *test)
{
	static const u16 synack_fl[] = { 0, XTCP_CWR, XTCP_ECE | XTCP_CWR };
	static const u16 syn_fl[] = {
		XTCP_SYN | XTCP_ECE, XTCP_SYN | XTCP_CWR,
		XTCP_SYN | XTCP_ECE | XTCP_CWR | ECT0,
	};
	struct xtcp_seg syn, synack;
	struct xf_env *e;
	int i;

	/* a client that asked: a SYN-ACK without ECE, CWR alone, or both */
	for (i = 0; i < ARRAY_SIZE(synack_fl); i++) {
		e = ecn_new(test, 1);
		KUNIT_ASSERT_EQ(test, xtcp_core_connect(&e->tcb, ISS), 0);
		KUNIT_EXPECT_TRUE(test, e->tcb.ecn & XTCP_ECN_OK);
		synack = ecn_seg(IRS, ISS + 1,
				 XTCP_SYN | XTCP_ACK | synack_fl[i], 0);
		xtcp_core_input(&e->tcb, &synack);
		KUNIT_EXPECT_EQ(test, e->tcb.state, XTCP_ESTABLISHED);
		KUNIT_EXPECT_FALSE_MSG(test, e->tcb.ecn & XTCP_ECN_OK,
				       "SYN-ACK flags %#x", synack_fl[i]);
	}
	/* a listener: a SYN with ECE alone, CWR alone, or ECE|CWR but ECT */
	for (i = 0; i < ARRAY_SIZE(syn_fl); i++) {
		e = ecn_new(test, 1);
		syn = ecn_seg(ISS, 0, syn_fl[i], 0);
		xtcp_core_accept_syn(&e->tcb, &syn, IRS);
		KUNIT_EXPECT_FALSE(test, e->tcb.ecn & XTCP_ECN_OK);
		KUNIT_EXPECT_EQ(test, ecn_last(test, e)->flags &
				(XTCP_ECE | XTCP_CWR), 0);
	}
	/* §6.1.1.1: the retransmitted SYN goes without ECE|CWR */
	e = ecn_new(test, 1);
	KUNIT_ASSERT_EQ(test, xtcp_core_connect(&e->tcb, ISS), 0);
	xtcp_core_timeout(&e->tcb, XTCP_T_RTX);
	KUNIT_ASSERT_EQ(test, e->nout, 2);
	KUNIT_EXPECT_EQ(test, e->out[0].flags, XTCP_SYN | XTCP_ECE | XTCP_CWR);
	KUNIT_EXPECT_EQ(test, e->out[1].flags, XTCP_SYN);
	KUNIT_EXPECT_TRUE(test, e->out[1].rtx);
}

/* a client with ECN on, ESTABLISHED, Reno (RFC 5681 arithmetic) */
static struct xf_env *ecn_established(struct kunit *test)
{
	struct xf_env *e = ecn_new(test, 1);
	struct xtcp_seg synack = ecn_seg(IRS, ISS + 1,
					 XTCP_SYN | XTCP_ACK | XTCP_ECE, 0);

	synack.mss = MSS;
	synack.sack_ok = 1;
	KUNIT_ASSERT_EQ(test, xtcp_core_connect(&e->tcb, ISS), 0);
	e->now += 10;
	xtcp_core_input(&e->tcb, &synack);
	KUNIT_ASSERT_EQ(test, e->tcb.state, XTCP_ESTABLISHED);
	KUNIT_ASSERT_TRUE(test, e->tcb.ecn & XTCP_ECN_OK);
	KUNIT_ASSERT_EQ(test, e->tcb.cwnd, 10 * MSS);
	xtcp_cc_select(&e->tcb, &xtcp_reno);
	e->nout = 0;
	return e;
}

static void ecn_ack(struct xf_env *e, u32 ack, u16 flags)
{
	struct xtcp_seg s = ecn_seg(e->tcb.rcv_nxt, ack, XTCP_ACK | flags, 0);

	e->now += 1;
	xtcp_core_input(&e->tcb, &s);
}

/* ECT(0) on new data only: not on pure ACKs, FIN alone, retransmissions */
static void ecn_ect_new_data_only(struct kunit *test)
{
	struct xf_env *e = ecn_established(test);
	struct xtcp_seg d = ecn_seg(R1, S1, XTCP_ACK, 100);
	int i;

	e->tcb.snd_end += 3 * MSS;
	xtcp_core_output(&e->tcb);
	KUNIT_ASSERT_EQ(test, e->nout, 3);
	for (i = 0; i < 3; i++) {
		KUNIT_EXPECT_EQ(test, e->out[i].ect, 1);
		KUNIT_EXPECT_FALSE(test, e->out[i].rtx);
		KUNIT_EXPECT_EQ(test, e->out[i].flags & (XTCP_ECE | XTCP_CWR),
				0);
	}
	/* the RTO resends the head: not ECT */
	e->nout = 0;
	xtcp_core_timeout(&e->tcb, XTCP_T_RTX);
	KUNIT_ASSERT_GE(test, e->nout, 1);
	KUNIT_EXPECT_TRUE(test, e->out[0].rtx);
	KUNIT_EXPECT_EQ(test, e->out[0].ect, 0);
	KUNIT_EXPECT_EQ(test, e->out[0].flags & XTCP_CWR, 0);
	/* a pure ACK (of the peer's data) is not ECT */
	e->nout = 0;
	e->tcb.pingpong = 0;
	e->tcb.quick = 2;
	xtcp_core_input(&e->tcb, &d);
	KUNIT_EXPECT_EQ(test, ecn_last(test, e)->len, 0);
	KUNIT_EXPECT_EQ(test, ecn_last(test, e)->ect, 0);
	/* the RTO queued a CWR (as Linux): it rides on the next new data */
	e->nout = 0;
	ecn_ack(e, S1 + 3 * MSS, 0);
	e->tcb.snd_end += 2 * MSS;
	xtcp_core_output(&e->tcb);
	KUNIT_ASSERT_GE(test, e->nout, 1);
	KUNIT_EXPECT_EQ(test, e->out[0].seq, S1 + 3 * MSS);
	KUNIT_EXPECT_EQ(test, e->out[0].ect, 1);
	KUNIT_EXPECT_EQ(test, e->out[0].flags & XTCP_CWR, XTCP_CWR);
	for (i = 1; i < e->nout; i++) {
		KUNIT_EXPECT_EQ(test, e->out[i].ect, 1);
		KUNIT_EXPECT_EQ(test, e->out[i].flags & XTCP_CWR, 0);
	}
	/* without ECN nothing is ECT */
	e = ecn_new(test, 0);
	KUNIT_ASSERT_EQ(test, xtcp_core_connect(&e->tcb, ISS), 0);
	d = ecn_seg(IRS, ISS + 1, XTCP_SYN | XTCP_ACK | XTCP_ECE, 0);
	d.mss = MSS;
	xtcp_core_input(&e->tcb, &d);
	KUNIT_EXPECT_FALSE(test, e->tcb.ecn & XTCP_ECN_OK);
	e->nout = 0;
	e->tcb.snd_end += MSS;
	xtcp_core_output(&e->tcb);
	KUNIT_ASSERT_EQ(test, e->nout, 1);
	KUNIT_EXPECT_EQ(test, e->out[0].ect, 0);
}

/* §6.1.3: ECE on every ACK from a CE mark until a segment with CWR */
static void ecn_ece_until_cwr(struct kunit *test)
{
	struct xf_env *e = ecn_established(test);
	struct xtcp_tcb *t = &e->tcb;
	u32 seq = R1;
	struct xtcp_seg d;

	/* delayed ACKs, no quick ones: only the CE mark forces an ACK */
	t->pingpong = 1;
	d = ecn_seg(seq, S1, XTCP_ACK | ECT0, 500);
	xtcp_core_input(t, &d);
	seq += 500;
	t->quick = 0;
	xtcp_core_timeout(t, XTCP_T_DELACK);
	KUNIT_ASSERT_EQ(test, e->nout, 1);
	KUNIT_EXPECT_EQ(test, e->out[0].flags, XTCP_ACK);
	KUNIT_EXPECT_TRUE(test, t->ecn & XTCP_ECN_SEEN);

	e->nout = 0;
	d = ecn_seg(seq, S1, XTCP_ACK | CE, 500);
	xtcp_core_input(t, &d);
	seq += 500;
	KUNIT_ASSERT_EQ(test, e->nout, 1);	/* at once */
	KUNIT_EXPECT_EQ(test, e->out[0].flags, XTCP_ACK | XTCP_ECE);
	KUNIT_EXPECT_EQ(test, e->out[0].ack, seq);
	KUNIT_EXPECT_EQ(test, ecn_notes[XTCP_N_ECN_CE_RCVD], 1);

	/* unmarked data: its ACK still echoes */
	e->nout = 0;
	t->pingpong = 1;
	d = ecn_seg(seq, S1, XTCP_ACK | ECT0, 500);
	xtcp_core_input(t, &d);
	seq += 500;
	xtcp_core_timeout(t, XTCP_T_DELACK);
	KUNIT_EXPECT_EQ(test, ecn_last(test, e)->flags, XTCP_ACK | XTCP_ECE);
	KUNIT_EXPECT_EQ(test, ecn_last(test, e)->ack, seq);
	/* and our own new data too */
	e->nout = 0;
	t->snd_end += 100;
	xtcp_core_output(t);
	KUNIT_ASSERT_EQ(test, e->nout, 1);
	KUNIT_EXPECT_EQ(test, e->out[0].flags & XTCP_ECE, XTCP_ECE);
	KUNIT_EXPECT_EQ(test, e->out[0].ect, 1);

	/* CWR: ACKed at once, without ECE from now on */
	e->nout = 0;
	d = ecn_seg(seq, S1 + 100, XTCP_ACK | XTCP_CWR | ECT0, 500);
	xtcp_core_input(t, &d);
	seq += 500;
	KUNIT_ASSERT_EQ(test, e->nout, 1);
	KUNIT_EXPECT_EQ(test, e->out[0].flags, XTCP_ACK);
	KUNIT_EXPECT_EQ(test, e->out[0].ack, seq);
	KUNIT_EXPECT_FALSE(test, t->ecn & XTCP_ECN_DEMAND_CWR);

	/* CE and CWR together: the new mark is echoed again */
	e->nout = 0;
	d = ecn_seg(seq, S1 + 100, XTCP_ACK | XTCP_CWR | CE, 500);
	xtcp_core_input(t, &d);
	KUNIT_ASSERT_EQ(test, e->nout, 1);
	KUNIT_EXPECT_EQ(test, e->out[0].flags, XTCP_ACK | XTCP_ECE);
	KUNIT_EXPECT_EQ(test, ecn_notes[XTCP_N_ECN_CE_RCVD], 2);
}

/*
 * §6.1.2: ECE halves the window once per window of data, by PRR, without
 * retransmission; CWR goes on the first new data only.
 */
static void ecn_one_reduction_per_window(struct kunit *test)
{
	struct xf_env *e = ecn_established(test);
	struct xtcp_tcb *t = &e->tcb;
	int i;

	t->snd_end += 20 * MSS;
	xtcp_core_output(t);
	KUNIT_ASSERT_EQ(test, e->nout, 10);	/* cwnd 10000 */
	e->nout = 0;

	/* flight 10000: ssthresh = 10000 / 2 = 5000; PRR: pipe 9000 >
	 * 5000, sndcnt = ceil(1000 * 5000 / 10000) = 500, one segment
	 * (the first always goes): cwnd = 9000 + 1000
	 */
	ecn_ack(e, S1 + MSS, XTCP_ECE);
	KUNIT_EXPECT_EQ(test, ecn_notes[XTCP_N_ECN_REDUCE], 1);
	KUNIT_EXPECT_EQ(test, ecn_notes[XTCP_N_DELIVERED_CE], 1);
	KUNIT_EXPECT_EQ(test, t->ssthresh, 5000);
	KUNIT_EXPECT_EQ(test, t->cwnd, 10000);
	KUNIT_EXPECT_EQ(test, t->ca_state, XTCP_CA_OPEN);
	KUNIT_EXPECT_EQ(test, t->ecn_high, S1 + 10 * MSS);
	KUNIT_ASSERT_EQ(test, e->nout, 1);
	KUNIT_EXPECT_EQ(test, e->out[0].seq, S1 + 10 * MSS);
	KUNIT_EXPECT_FALSE(test, e->out[0].rtx);
	KUNIT_EXPECT_EQ(test, e->out[0].flags & XTCP_CWR, XTCP_CWR);
	KUNIT_EXPECT_EQ(test, e->out[0].ect, 1);

	/* more ECEs in the same window: no second reduction; PRR:
	 * ceil(2000 * 5000 / 10000) - 1000 = 0, cwnd = pipe = 9000
	 */
	e->nout = 0;
	ecn_ack(e, S1 + 2 * MSS, XTCP_ECE);
	KUNIT_EXPECT_EQ(test, ecn_notes[XTCP_N_ECN_REDUCE], 1);
	KUNIT_EXPECT_EQ(test, ecn_notes[XTCP_N_DELIVERED_CE], 2);
	KUNIT_EXPECT_EQ(test, t->ssthresh, 5000);
	KUNIT_EXPECT_EQ(test, t->cwnd, 9000);
	KUNIT_EXPECT_EQ(test, e->nout, 0);
	/* 3000 delivered: 1500 - 1000 = 500, a segment: no CWR on it */
	ecn_ack(e, S1 + 3 * MSS, 0);
	KUNIT_EXPECT_EQ(test, t->cwnd, 9000);
	KUNIT_ASSERT_EQ(test, e->nout, 1);
	KUNIT_EXPECT_EQ(test, e->out[0].seq, S1 + 11 * MSS);
	KUNIT_EXPECT_EQ(test, e->out[0].flags & XTCP_CWR, 0);
	KUNIT_EXPECT_EQ(test, e->out[0].ect, 1);
	/* up to ecn_high, ECEs still change nothing */
	for (i = 4; i <= 10; i++)
		ecn_ack(e, S1 + i * MSS, XTCP_ECE);
	KUNIT_EXPECT_EQ(test, ecn_notes[XTCP_N_ECN_REDUCE], 1);
	KUNIT_EXPECT_TRUE(test, t->ecn & XTCP_ECN_CWR);
	KUNIT_EXPECT_EQ(test, t->ssthresh, 5000);
	/* beyond it the reduction ends: cwnd = ssthresh */
	ecn_ack(e, S1 + 11 * MSS, 0);
	KUNIT_EXPECT_FALSE(test, t->ecn & XTCP_ECN_CWR);
	KUNIT_EXPECT_EQ(test, t->cwnd, 5000);
	/* the next window's ECE reduces again, from cwnd 5000 */
	ecn_ack(e, t->snd_una + MSS, XTCP_ECE);
	KUNIT_EXPECT_EQ(test, ecn_notes[XTCP_N_ECN_REDUCE], 2);
	KUNIT_EXPECT_EQ(test, ecn_notes[XTCP_N_FAST_RETRANS], 0);
	KUNIT_EXPECT_EQ(test, ecn_notes[XTCP_N_RTO], 0);
	KUNIT_EXPECT_EQ(test, t->retransmits, 0);
}

/* in loss recovery the loss response covers the ECE */
static void ecn_not_in_recovery(struct kunit *test)
{
	struct xtcp_sack_block b[1] = { { S1 + 2 * MSS, S1 + 5 * MSS } };
	struct xf_env *e = ecn_established(test);
	struct xtcp_tcb *t = &e->tcb;
	struct xtcp_seg s;
	u32 ssthresh;

	t->snd_end += 10 * MSS;
	xtcp_core_output(t);
	s = ecn_seg(R1, S1 + MSS, XTCP_ACK, 0);
	s.nsack = 1;
	s.sack = b;
	e->now += 1;
	xtcp_core_input(t, &s);
	KUNIT_ASSERT_EQ(test, t->ca_state, XTCP_CA_RECOVERY);
	ssthresh = t->ssthresh;
	KUNIT_EXPECT_EQ(test, ssthresh, 4000);	/* flight 9000 / 2 */
	s.flags |= XTCP_ECE;
	xtcp_core_input(t, &s);
	KUNIT_EXPECT_EQ(test, ecn_notes[XTCP_N_ECN_REDUCE], 0);
	KUNIT_EXPECT_EQ(test, t->ssthresh, ssthresh);
	KUNIT_EXPECT_FALSE(test, t->ecn & XTCP_ECN_CWR);
}

static struct kunit_case xtcp_ecn_cases[] = {
	KUNIT_CASE(ecn_negotiation_matrix),
	KUNIT_CASE(ecn_negotiation_odd),
	KUNIT_CASE(ecn_ect_new_data_only),
	KUNIT_CASE(ecn_ece_until_cwr),
	KUNIT_CASE(ecn_one_reduction_per_window),
	KUNIT_CASE(ecn_not_in_recovery),
	{}
};

static struct kunit_suite xtcp_ecn_suite = {
	.name = "xtcp_ecn",
	.test_cases = xtcp_ecn_cases,
};

kunit_test_suites(&xtcp_ecn_suite);
