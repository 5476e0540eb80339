// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: urgent data (xtcp_urg.c, RFC 6093 with Linux TCP's semantics) and
 * its hook in the core's SEGMENT ARRIVES (sixth step), with the fake ops
 * table of xtcp_fake.h.
 */
#include <kunit/test.h>

#include "xtcp_core.h"
#include "xtcp_fake.h"

/* SEG.UP points one past the urgent byte (RFC 6093 §2, Linux) */
static void urg_check_mark(struct kunit *test)
{
	struct xtcp_urg u = {};

	xtcp_urg_check(&u, 1000, 4, 1000);
	KUNIT_EXPECT_EQ(test, u.seq, 1003U);
	KUNIT_EXPECT_EQ(test, u.data, XTCP_URG_NOTYET);
	KUNIT_EXPECT_EQ(test, u.ev, XTCP_URG_EV_SIG);
	/* the same mark again: no new signal */
	u.ev = 0;
	xtcp_urg_check(&u, 1001, 3, 1001);
	KUNIT_EXPECT_EQ(test, u.ev, 0);
	/* a pointer of 0 (as Linux: not decremented) is SEG.SEQ itself */
	u = (struct xtcp_urg){};
	xtcp_urg_check(&u, 5000, 0, 5000);
	KUNIT_EXPECT_EQ(test, u.seq, 5000U);
}

/* a mark below RCV.NXT or below the one known is not replayed */
static void urg_check_old(struct kunit *test)
{
	struct xtcp_urg u = {};

	xtcp_urg_check(&u, 1000, 4, 1010);
	KUNIT_EXPECT_EQ(test, u.data, 0);
	KUNIT_EXPECT_EQ(test, u.ev, 0);
	xtcp_urg_check(&u, 1000, 20, 1010);	/* mark 1019 */
	u.ev = 0;
	xtcp_urg_check(&u, 1010, 5, 1010);	/* mark 1014 < 1019 */
	KUNIT_EXPECT_EQ(test, u.seq, 1019U);
	KUNIT_EXPECT_EQ(test, u.ev, 0);
	/* across the wrap of the sequence space */
	u = (struct xtcp_urg){};
	xtcp_urg_check(&u, 0xfffffffeU, 4, 0xfffffffeU);
	KUNIT_EXPECT_EQ(test, u.seq, 1U);
}

/* a newer mark over an urgent byte received: SKIP names the old one */
static void urg_check_supersede(struct kunit *test)
{
	struct xtcp_urg u = {};

	xtcp_urg_check(&u, 100, 2, 100);	/* byte 101 */
	xtcp_urg_set_byte(&u, 'X');
	u.ev = 0;
	xtcp_urg_check(&u, 102, 2, 102);	/* byte 103 */
	KUNIT_EXPECT_EQ(test, u.ev, XTCP_URG_EV_SIG | XTCP_URG_EV_SKIP);
	KUNIT_EXPECT_EQ(test, u.skip_seq, 101U);
	KUNIT_EXPECT_EQ(test, u.seq, 103U);
	KUNIT_EXPECT_EQ(test, u.data, XTCP_URG_NOTYET);
	/* over a mark whose byte never came: nothing to skip */
	u.ev = 0;
	xtcp_urg_check(&u, 104, 10, 104);
	KUNIT_EXPECT_EQ(test, u.ev, XTCP_URG_EV_SIG);
}

/* the awaited byte is in data that came in order, a FIN not counted */
static void urg_arrived(struct kunit *test)
{
	struct xtcp_urg u = { .seq = 200, .data = XTCP_URG_NOTYET };

	xtcp_urg_arrived(&u, 100, 200);
	KUNIT_EXPECT_EQ(test, u.ev, 0);
	xtcp_urg_arrived(&u, 150, 150);		/* nothing came */
	KUNIT_EXPECT_EQ(test, u.ev, 0);
	xtcp_urg_arrived(&u, 200, 199);		/* a FIN only */
	KUNIT_EXPECT_EQ(test, u.ev, 0);
	xtcp_urg_arrived(&u, 150, 201);
	KUNIT_EXPECT_EQ(test, u.ev, XTCP_URG_EV_BYTE);
	/* once it is there, no second fetch */
	u.ev = 0;
	xtcp_urg_set_byte(&u, 'Z');
	xtcp_urg_arrived(&u, 150, 201);
	KUNIT_EXPECT_EQ(test, u.ev, 0);
	KUNIT_EXPECT_EQ(test, u.data, XTCP_URG_VALID | 'Z');
}

/* a reader stops at the mark; there the byte is skipped unless inline */
static void urg_read_len(struct kunit *test)
{
	struct xtcp_urg u = { .seq = 110, .data = XTCP_URG_VALID | 'X' };
	bool skip;

	KUNIT_EXPECT_EQ(test, xtcp_urg_read_len(&u, 100, 50, false, &skip),
			10U);
	KUNIT_EXPECT_FALSE(test, skip);
	KUNIT_EXPECT_EQ(test, xtcp_urg_read_len(&u, 100, 5, false, &skip),
			5U);
	KUNIT_EXPECT_EQ(test, xtcp_urg_read_len(&u, 110, 40, false, &skip),
			39U);
	KUNIT_EXPECT_TRUE(test, skip);
	KUNIT_EXPECT_EQ(test, xtcp_urg_read_len(&u, 110, 40, true, &skip),
			40U);
	KUNIT_EXPECT_FALSE(test, skip);
	KUNIT_EXPECT_EQ(test, xtcp_urg_read_len(&u, 111, 40, false, &skip),
			40U);
	KUNIT_EXPECT_FALSE(test, skip);
	KUNIT_EXPECT_TRUE(test, xtcp_urg_stop(&u, 110));
	KUNIT_EXPECT_FALSE(test, xtcp_urg_stop(&u, 109));
	/* passing the mark forgets the urgent data */
	xtcp_urg_consumed(&u, 110);
	KUNIT_EXPECT_NE(test, u.data, 0);
	xtcp_urg_consumed(&u, 111);
	KUNIT_EXPECT_EQ(test, u.data, 0);
	KUNIT_EXPECT_EQ(test, xtcp_urg_read_len(&u, 100, 50, false, &skip),
			50U);
}

/* SIOCINQ as tcp_inq(), SIOCATMARK, poll's target and EPOLLPRI */
static void urg_inq_atmark_poll(struct kunit *test)
{
	struct xtcp_urg u = { .seq = 103, .data = XTCP_URG_VALID | 'X' };

	KUNIT_EXPECT_EQ(test, xtcp_urg_inq(&u, 100, 7, false), 3U);
	KUNIT_EXPECT_EQ(test, xtcp_urg_inq(&u, 100, 7, true), 7U);
	KUNIT_EXPECT_EQ(test, xtcp_urg_inq(&u, 103, 4, false), 0U);
	KUNIT_EXPECT_EQ(test, xtcp_urg_inq(&u, 104, 3, false), 3U);
	KUNIT_EXPECT_EQ(test, xtcp_urg_inq(&u, 100, 3, false), 3U);
	KUNIT_EXPECT_FALSE(test, xtcp_urg_at_mark(&u, 100));
	KUNIT_EXPECT_TRUE(test, xtcp_urg_at_mark(&u, 103));
	KUNIT_EXPECT_TRUE(test, xtcp_urg_pri(&u));
	KUNIT_EXPECT_EQ(test, xtcp_urg_rcv_target(&u, 103, false, 1), 2U);
	KUNIT_EXPECT_EQ(test, xtcp_urg_rcv_target(&u, 103, true, 1), 1U);
	KUNIT_EXPECT_EQ(test, xtcp_urg_rcv_target(&u, 100, false, 1), 1U);
	u.data = XTCP_URG_NOTYET;
	KUNIT_EXPECT_FALSE(test, xtcp_urg_pri(&u));
	u.data = 0;
	KUNIT_EXPECT_FALSE(test, xtcp_urg_at_mark(&u, 103));
	KUNIT_EXPECT_EQ(test, xtcp_urg_inq(&u, 100, 7, false), 7U);
}

/* recv(MSG_OOB) as tcp_recv_urg(): never blocks */
static void urg_recv(struct kunit *test)
{
	struct xtcp_urg u = {};
	u8 c = 0;

	KUNIT_EXPECT_EQ(test, xtcp_urg_recv(&u, false, false, false, &c),
			-EINVAL);
	u.data = XTCP_URG_NOTYET;
	KUNIT_EXPECT_EQ(test, xtcp_urg_recv(&u, false, false, false, &c),
			-EAGAIN);
	KUNIT_EXPECT_EQ(test, xtcp_urg_recv(&u, false, false, true, &c), 0);
	u.data = XTCP_URG_VALID | 'X';
	KUNIT_EXPECT_EQ(test, xtcp_urg_recv(&u, true, false, false, &c),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, xtcp_urg_recv(&u, false, true, false, &c), 1);
	KUNIT_EXPECT_EQ(test, c, 'X');
	KUNIT_EXPECT_EQ(test, u.data, XTCP_URG_VALID | 'X');
	c = 0;
	KUNIT_EXPECT_EQ(test, xtcp_urg_recv(&u, false, false, false, &c), 1);
	KUNIT_EXPECT_EQ(test, c, 'X');
	KUNIT_EXPECT_EQ(test, u.data, XTCP_URG_READ);
	KUNIT_EXPECT_EQ(test, xtcp_urg_recv(&u, false, false, false, &c),
			-EINVAL);
	/* SIOCATMARK still holds at the mark after the byte was read */
	u.seq = 7;
	KUNIT_EXPECT_TRUE(test, xtcp_urg_at_mark(&u, 7));
}

/* the sender: URG with SND.UP - SEG.SEQ on segments before SND.UP */
static void urg_out(struct kunit *test)
{
	struct xtcp_urg u = {};
	u16 up = 0;

	KUNIT_EXPECT_FALSE(test, xtcp_urg_out(&u, 1000, 1000, 1000, &up));
	xtcp_urg_mark(&u, 1004);		/* "abcX" from 1000 */
	KUNIT_EXPECT_TRUE(test, xtcp_urg_out(&u, 1000, 1000, 1000, &up));
	KUNIT_EXPECT_EQ(test, up, 4);
	KUNIT_EXPECT_TRUE(test, xtcp_urg_out(&u, 1000, 1003, 1003, &up));
	KUNIT_EXPECT_EQ(test, up, 1);
	/* data after the urgent byte, or a pure ACK at SND.UP: no URG */
	KUNIT_EXPECT_FALSE(test, xtcp_urg_out(&u, 1000, 1004, 1004, &up));
	/* a mark beyond 64 KB: 0xFFFF while the segment allows */
	xtcp_urg_mark(&u, 1000 + 100000);
	KUNIT_EXPECT_TRUE(test, xtcp_urg_out(&u, 1000, 1000, 1000, &up));
	KUNIT_EXPECT_EQ(test, up, 0xFFFF);
	KUNIT_EXPECT_FALSE(test, xtcp_urg_out(&u, 1000, 1000 + 70000, 1000,
					      &up));
	KUNIT_EXPECT_TRUE(test, xtcp_urg_out(&u, 1000, 1000 + 70000,
					     1000 + 40000, &up));
	KUNIT_EXPECT_EQ(test, up, 60000);
	/* acknowledged: urgent mode ends, for good */
	KUNIT_EXPECT_FALSE(test, xtcp_urg_out(&u, 101000, 101000, 100999,
					      &up));
	KUNIT_EXPECT_EQ(test, u.snd, 0);
	KUNIT_EXPECT_FALSE(test, xtcp_urg_out(&u, 1000, 1000, 1000, &up));
}

/* the core: URG of an acceptable segment records the mark; the byte in
 * the same segment is announced to the glue; an unacceptable one is not
 * looked at
 */
static void urg_core_input(struct kunit *test)
{
	struct xf_env *e = xf_new(test, 1460, 0);
	struct xtcp_tcb *tcb = &e->tcb;
	struct xtcp_seg synack = {
		.seq = 5000, .ack = 1001, .flags = XTCP_SYN | XTCP_ACK,
		.wnd = 65535, .mss = 1000, .wscale = -1,
	};
	struct xtcp_seg seg = {
		.seq = 5001, .ack = 1001, .flags = XTCP_ACK | XTCP_URG,
		.wnd = 65535, .wscale = -1, .len = 4, .urg_ptr = 4,
	};

	KUNIT_ASSERT_EQ(test, 0, xtcp_core_connect(tcb, 1000));
	xtcp_core_input(tcb, &synack);
	KUNIT_ASSERT_EQ(test, tcb->state, XTCP_ESTABLISHED);
	/* outside the window: no mark */
	seg.seq = 5001 + 1000000;
	xtcp_core_input(tcb, &seg);
	KUNIT_EXPECT_EQ(test, tcb->urg.data, 0);
	KUNIT_EXPECT_EQ(test, tcb->urg.ev, 0);
	/* "abcX", pointer 4: the byte 5004 is urgent and came */
	seg.seq = 5001;
	xtcp_core_input(tcb, &seg);
	KUNIT_EXPECT_EQ(test, tcb->rcv_nxt, 5005U);
	KUNIT_EXPECT_EQ(test, tcb->urg.seq, 5004U);
	KUNIT_EXPECT_EQ(test, tcb->urg.data, XTCP_URG_NOTYET);
	KUNIT_EXPECT_EQ(test, tcb->urg.ev,
			XTCP_URG_EV_SIG | XTCP_URG_EV_BYTE);
	/* a pointer ahead of the data: the byte comes with a later segment */
	tcb->urg = (struct xtcp_urg){};
	seg.seq = 5005;
	seg.urg_ptr = 10;			/* byte 5014 */
	xtcp_core_input(tcb, &seg);
	KUNIT_EXPECT_EQ(test, tcb->urg.seq, 5014U);
	KUNIT_EXPECT_EQ(test, tcb->urg.ev, XTCP_URG_EV_SIG);
	tcb->urg.ev = 0;
	seg.seq = 5009;
	seg.flags = XTCP_ACK;
	seg.len = 8;
	xtcp_core_input(tcb, &seg);
	KUNIT_EXPECT_EQ(test, tcb->urg.ev, XTCP_URG_EV_BYTE);
}

static struct kunit_case xtcp_urg_cases[] = {
	KUNIT_CASE(urg_check_mark),
	KUNIT_CASE(urg_check_old),
	KUNIT_CASE(urg_check_supersede),
	KUNIT_CASE(urg_arrived),
	KUNIT_CASE(urg_read_len),
	KUNIT_CASE(urg_inq_atmark_poll),
	KUNIT_CASE(urg_recv),
	KUNIT_CASE(urg_out),
	KUNIT_CASE(urg_core_input),
	{}
};

static struct kunit_suite xtcp_urg_suite = {
	.name = "xtcp_urg",
	.test_cases = xtcp_urg_cases,
};

kunit_test_suites(&xtcp_urg_suite);
