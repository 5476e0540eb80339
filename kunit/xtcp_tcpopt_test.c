// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: IPPROTO_TCP socket options with Linux's ranges, errnos and
 * defaults (do_tcp_setsockopt / do_tcp_getsockopt), and struct tcp_info
 * from a TCB.
 */
#include <kunit/test.h>
#include <linux/errno.h>

#include "xtcp_tcpopt.h"

static void tcpopt_tcb(struct xtcp_tcb *tcb, u8 state)
{
	memset(tcb, 0, sizeof(*tcb));
	tcb->state = state;
	tcb->p.syn_retries = 6;
	tcb->p.fin_timeout_ms = 60000;
	tcb->p.delack_ms = 40;
}

/* a zeroed TCB on the heap: it is too big for a KUnit case's stack */
static struct xtcp_tcb *tcpopt_tcb_new(struct kunit *test)
{
	struct xtcp_tcb *tcb = kunit_kzalloc(test, sizeof(*tcb), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, tcb);
	return tcb;
}

static int tcpopt_roundtrip(struct kunit *test, int optname, int set,
			    int *got)
{
	struct xtcp_tcpopts o = {};
	struct xtcp_tcb *tcb = tcpopt_tcb_new(test);
	int err;

	tcpopt_tcb(tcb, XTCP_CLOSED);
	err = xtcp_tcpopt_set(&o, optname, set, true);
	KUNIT_EXPECT_EQ(test, xtcp_tcpopt_get(&o, tcb, optname, got), 0);
	return err;
}

static void tcpopt_maxseg(struct kunit *test)
{
	int v;

	KUNIT_EXPECT_EQ(test, tcpopt_roundtrip(test, TCP_MAXSEG, 87, &v), -EINVAL);
	KUNIT_EXPECT_EQ(test, v, XTCP_MSS_DEFAULT);
	KUNIT_EXPECT_EQ(test, tcpopt_roundtrip(test, TCP_MAXSEG, 88, &v), 0);
	KUNIT_EXPECT_EQ(test, v, 88);
	KUNIT_EXPECT_EQ(test, tcpopt_roundtrip(test, TCP_MAXSEG, 32767, &v), 0);
	KUNIT_EXPECT_EQ(test, v, 32767);
	KUNIT_EXPECT_EQ(test, tcpopt_roundtrip(test, TCP_MAXSEG, 32768, &v), -EINVAL);
	KUNIT_EXPECT_EQ(test, tcpopt_roundtrip(test, TCP_MAXSEG, 0, &v), 0);
	KUNIT_EXPECT_EQ(test, v, XTCP_MSS_DEFAULT);
}

static void tcpopt_maxseg_connected(struct kunit *test)
{
	struct xtcp_tcpopts o = { .user_mss = 1000 };
	struct xtcp_tcb *tcb = tcpopt_tcb_new(test);
	int v;

	tcpopt_tcb(tcb, XTCP_ESTABLISHED);
	tcb->snd_mss = 1460;
	KUNIT_EXPECT_EQ(test, xtcp_tcpopt_get(&o, tcb, TCP_MAXSEG, &v), 0);
	KUNIT_EXPECT_EQ(test, v, 1460);
}

static void tcpopt_keepalive(struct kunit *test)
{
	int v;

	KUNIT_EXPECT_EQ(test, tcpopt_roundtrip(test, TCP_KEEPIDLE, 0, &v), -EINVAL);
	KUNIT_EXPECT_EQ(test, v, 7200);
	KUNIT_EXPECT_EQ(test, tcpopt_roundtrip(test, TCP_KEEPIDLE, 32768, &v), -EINVAL);
	KUNIT_EXPECT_EQ(test, tcpopt_roundtrip(test, TCP_KEEPIDLE, 30, &v), 0);
	KUNIT_EXPECT_EQ(test, v, 30);
	KUNIT_EXPECT_EQ(test, tcpopt_roundtrip(test, TCP_KEEPINTVL, -1, &v), -EINVAL);
	KUNIT_EXPECT_EQ(test, v, 75);
	KUNIT_EXPECT_EQ(test, tcpopt_roundtrip(test, TCP_KEEPINTVL, 5, &v), 0);
	KUNIT_EXPECT_EQ(test, v, 5);
	KUNIT_EXPECT_EQ(test, tcpopt_roundtrip(test, TCP_KEEPCNT, 128, &v), -EINVAL);
	KUNIT_EXPECT_EQ(test, v, 9);
	KUNIT_EXPECT_EQ(test, tcpopt_roundtrip(test, TCP_KEEPCNT, 127, &v), 0);
	KUNIT_EXPECT_EQ(test, v, 127);
}

static void tcpopt_syncnt(struct kunit *test)
{
	struct xtcp_tcpopts o = {};
	struct xtcp_tcb *tcb = tcpopt_tcb_new(test);
	int v;

	KUNIT_EXPECT_EQ(test, tcpopt_roundtrip(test, TCP_SYNCNT, 0, &v), -EINVAL);
	KUNIT_EXPECT_EQ(test, v, 6);	/* the sysctl's value */
	KUNIT_EXPECT_EQ(test, tcpopt_roundtrip(test, TCP_SYNCNT, 128, &v), -EINVAL);
	KUNIT_EXPECT_EQ(test, tcpopt_roundtrip(test, TCP_SYNCNT, 2, &v), 0);
	KUNIT_EXPECT_EQ(test, v, 2);

	tcpopt_tcb(tcb, XTCP_CLOSED);
	tcb->rcv_mss = 1460;
	KUNIT_EXPECT_EQ(test, xtcp_tcpopt_set(&o, TCP_SYNCNT, 2, true), 0);
	KUNIT_EXPECT_EQ(test, xtcp_tcpopt_set(&o, TCP_MAXSEG, 1000, true), 0);
	KUNIT_EXPECT_EQ(test, xtcp_tcpopt_set(&o, TCP_LINGER2, 7, true), 0);
	xtcp_tcpopt_apply(&o, tcb);
	KUNIT_EXPECT_EQ(test, tcb->p.syn_retries, 2);
	KUNIT_EXPECT_EQ(test, tcb->rcv_mss, 1000);
	KUNIT_EXPECT_EQ(test, tcb->p.fin_timeout_ms, 7000U);
}

static void tcpopt_linger2(struct kunit *test)
{
	int v;

	KUNIT_EXPECT_EQ(test, tcpopt_roundtrip(test, TCP_LINGER2, -5, &v), 0);
	KUNIT_EXPECT_EQ(test, v, -1);
	KUNIT_EXPECT_EQ(test, tcpopt_roundtrip(test, TCP_LINGER2, 500, &v), 0);
	KUNIT_EXPECT_EQ(test, v, XTCP_FIN_TIMEOUT_MAX);
	KUNIT_EXPECT_EQ(test, tcpopt_roundtrip(test, TCP_LINGER2, 0, &v), 0);
	KUNIT_EXPECT_EQ(test, v, 60);	/* fin_timeout */
}

static void tcpopt_defer_accept(struct kunit *test)
{
	int v;

	/* Linux rounds up to the SYN-ACK retransmission schedule 1,2,4.. s */
	KUNIT_EXPECT_EQ(test, tcpopt_roundtrip(test, TCP_DEFER_ACCEPT, 0, &v), 0);
	KUNIT_EXPECT_EQ(test, v, 0);
	KUNIT_EXPECT_EQ(test, tcpopt_roundtrip(test, TCP_DEFER_ACCEPT, 1, &v), 0);
	KUNIT_EXPECT_EQ(test, v, 1);
	KUNIT_EXPECT_EQ(test, tcpopt_roundtrip(test, TCP_DEFER_ACCEPT, 3, &v), 0);
	KUNIT_EXPECT_EQ(test, v, 3);
	KUNIT_EXPECT_EQ(test, tcpopt_roundtrip(test, TCP_DEFER_ACCEPT, 5, &v), 0);
	KUNIT_EXPECT_EQ(test, v, 7);
	KUNIT_EXPECT_EQ(test, tcpopt_roundtrip(test, TCP_DEFER_ACCEPT, -3, &v), 0);
	KUNIT_EXPECT_EQ(test, v, 0);
}

static void tcpopt_misc(struct kunit *test)
{
	struct xtcp_tcpopts o = {};
	int v;

	KUNIT_EXPECT_EQ(test, xtcp_tcpopt_set(&o, TCP_WINDOW_CLAMP, 0, false), -EINVAL);
	KUNIT_EXPECT_EQ(test, tcpopt_roundtrip(test, TCP_WINDOW_CLAMP, 100, &v), 0);
	KUNIT_EXPECT_EQ(test, v, XTCP_MIN_RCVBUF_HALF);
	KUNIT_EXPECT_EQ(test, tcpopt_roundtrip(test, TCP_WINDOW_CLAMP, -1, &v), 0);
	KUNIT_EXPECT_EQ(test, v, -1);
	KUNIT_EXPECT_EQ(test, tcpopt_roundtrip(test, TCP_QUICKACK, 0, &v), 0);
	KUNIT_EXPECT_EQ(test, v, 0);
	KUNIT_EXPECT_EQ(test, tcpopt_roundtrip(test, TCP_INQ, 2, &v), -EINVAL);
	KUNIT_EXPECT_EQ(test, v, 0);
	KUNIT_EXPECT_EQ(test, tcpopt_roundtrip(test, TCP_USER_TIMEOUT, -1, &v), -EINVAL);
	KUNIT_EXPECT_EQ(test, tcpopt_roundtrip(test, TCP_USER_TIMEOUT, 3000, &v), 0);
	KUNIT_EXPECT_EQ(test, v, 3000);
	KUNIT_EXPECT_EQ(test, tcpopt_roundtrip(test, TCP_CORK, 5, &v), 0);
	KUNIT_EXPECT_EQ(test, v, 1);
	KUNIT_EXPECT_EQ(test, xtcp_tcpopt_set(&o, 99, 1, true), -ENOPROTOOPT);
	KUNIT_EXPECT_EQ(test, xtcp_tcpopt_set(&o, TCP_REPAIR, 1, true), -ENOPROTOOPT);
}

static void tcpopt_quickack_default(struct kunit *test)
{
	struct xtcp_tcpopts o = {};
	struct xtcp_tcb *tcb = tcpopt_tcb_new(test);
	int v;

	tcpopt_tcb(tcb, XTCP_CLOSED);
	KUNIT_EXPECT_EQ(test, xtcp_tcpopt_get(&o, tcb, TCP_QUICKACK, &v), 0);
	KUNIT_EXPECT_EQ(test, v, 1);
	KUNIT_EXPECT_EQ(test, xtcp_tcpopt_get(&o, tcb, TCP_INFO, &v), -ENOPROTOOPT);
}

static void tcpinfo_established(struct kunit *test)
{
	struct xtcp_tcb *tcb = tcpopt_tcb_new(test);
	struct tcp_info ti;

	tcpopt_tcb(tcb, XTCP_ESTABLISHED);
	tcb->snd_mss = 1000;
	tcb->rcv_mss = 1460;
	tcb->snd_una = 100;
	tcb->snd_nxt = 2601;	/* 2501 bytes in flight: 3 segments */
	tcb->snd_end = 5000;
	tcb->cwnd = 10000;
	tcb->ssthresh = 0x7fffffff;
	tcb->srtt_us = 8 * 2000;
	tcb->rttvar_us = 4 * 500;
	tcb->rto_ms = 210;
	tcb->wscale_ok = 1;
	tcb->snd_wscale = 7;
	tcb->rcv_wscale = 9;
	tcb->retransmits = 4;
	tcb->bytes_acked = 12345;
	tcb->snd_wnd = 65535;
	xtcp_tcpinfo_fill(tcb, &ti);
	KUNIT_EXPECT_EQ(test, ti.tcpi_state, TCP_ESTABLISHED);
	KUNIT_EXPECT_EQ(test, ti.tcpi_ca_state, 0);
	KUNIT_EXPECT_EQ(test, ti.tcpi_unacked, 3U);
	KUNIT_EXPECT_EQ(test, ti.tcpi_snd_cwnd, 10U);
	KUNIT_EXPECT_EQ(test, ti.tcpi_snd_ssthresh, 0x7fffffffU);
	KUNIT_EXPECT_EQ(test, ti.tcpi_rtt, 2000U);
	KUNIT_EXPECT_EQ(test, ti.tcpi_rttvar, 500U);
	KUNIT_EXPECT_EQ(test, ti.tcpi_rto, 210000U);
	KUNIT_EXPECT_EQ(test, ti.tcpi_ato, 40000U);
	KUNIT_EXPECT_EQ(test, ti.tcpi_options, TCPI_OPT_WSCALE);
	KUNIT_EXPECT_EQ(test, (int)ti.tcpi_snd_wscale, 7);
	KUNIT_EXPECT_EQ(test, (int)ti.tcpi_rcv_wscale, 9);
	KUNIT_EXPECT_EQ(test, ti.tcpi_total_retrans, 4U);
	KUNIT_EXPECT_EQ(test, ti.tcpi_bytes_acked, 12345ULL);
	KUNIT_EXPECT_EQ(test, ti.tcpi_notsent_bytes, 2399U);
	KUNIT_EXPECT_EQ(test, ti.tcpi_snd_wnd, 65535U);
	KUNIT_EXPECT_EQ(test, ti.tcpi_snd_mss, 1000U);
	KUNIT_EXPECT_EQ(test, ti.tcpi_advmss, 1460U);
}

static void tcpinfo_loss(struct kunit *test)
{
	struct xtcp_tcb *tcb = tcpopt_tcb_new(test);
	struct tcp_info ti;

	tcpopt_tcb(tcb, XTCP_FIN_WAIT_1);
	tcb->snd_mss = 1460;
	tcb->backoff = 2;
	tcb->ssthresh = 2920;
	xtcp_tcpinfo_fill(tcb, &ti);
	KUNIT_EXPECT_EQ(test, ti.tcpi_state, TCP_FIN_WAIT1);
	KUNIT_EXPECT_EQ(test, ti.tcpi_ca_state, 4);	/* TCP_CA_Loss */
	KUNIT_EXPECT_EQ(test, ti.tcpi_backoff, 2);
	KUNIT_EXPECT_EQ(test, ti.tcpi_snd_ssthresh, 2U);
	KUNIT_EXPECT_EQ(test, ti.tcpi_options, 0);
	KUNIT_EXPECT_EQ(test, ti.tcpi_unacked, 0U);
}

static struct kunit_case xtcp_tcpopt_cases[] = {
	KUNIT_CASE(tcpopt_maxseg),
	KUNIT_CASE(tcpopt_maxseg_connected),
	KUNIT_CASE(tcpopt_keepalive),
	KUNIT_CASE(tcpopt_syncnt),
	KUNIT_CASE(tcpopt_linger2),
	KUNIT_CASE(tcpopt_defer_accept),
	KUNIT_CASE(tcpopt_misc),
	KUNIT_CASE(tcpopt_quickack_default),
	KUNIT_CASE(tcpinfo_established),
	KUNIT_CASE(tcpinfo_loss),
	{}
};

static struct kunit_suite xtcp_tcpopt_suite = {
	.name = "xtcp_tcpopt",
	.test_cases = xtcp_tcpopt_cases,
};

kunit_test_suites(&xtcp_tcpopt_suite);
