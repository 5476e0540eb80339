/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small fake environment for the XTCP core, shared by the SYN-cookie and
 * ICMP suites: a clock the test sets, and an ops table that records
 * emitted segments, received ranges, errors and states.
 */
#ifndef _XTCP_FAKE_H
#define _XTCP_FAKE_H

#include <kunit/test.h>
#include "xtcp_core.h"

#define XF_MAXOUT	32

struct xf_env {
	struct xtcp_tcb tcb;
	u64 cc_priv[XTCP_CC_PRIV_U64];
	struct xtcp_params p;
	u64 now;
	struct xtcp_out out[XF_MAXOUT];
	int nout;
	u32 roff, rlen;
	int nrcv;
	int err, nerr;
	u8 state_seen;
	u32 rbuf;
};

static inline struct xf_env *xf_e(struct xtcp_tcb *tcb)
{
	return container_of(tcb, struct xf_env, tcb);
}

static inline u64 xf_now(struct xtcp_tcb *tcb)
{
	return xf_e(tcb)->now;
}

static inline int xf_output(struct xtcp_tcb *tcb, const struct xtcp_out *o)
{
	struct xf_env *e = xf_e(tcb);

	if (e->nout < XF_MAXOUT)
		e->out[e->nout++] = *o;
	return 0;
}

static inline void xf_timer_set(struct xtcp_tcb *tcb, enum xtcp_timer t,
				u32 ms)
{
}

static inline void xf_timer_clear(struct xtcp_tcb *tcb, enum xtcp_timer t)
{
}

static inline bool xf_rcv_data(struct xtcp_tcb *tcb, u32 off, u32 len)
{
	struct xf_env *e = xf_e(tcb);

	e->roff = off;
	e->rlen = len;
	e->nrcv++;
	return true;	/* memory is never short here */
}

static inline u32 xf_rcv_space(struct xtcp_tcb *tcb)
{
	return xf_e(tcb)->rbuf;
}

static inline void xf_state_change(struct xtcp_tcb *tcb, enum xtcp_state old)
{
	xf_e(tcb)->state_seen = tcb->state;
}

static inline void xf_error(struct xtcp_tcb *tcb, int err)
{
	xf_e(tcb)->err = err;
	xf_e(tcb)->nerr++;
}

static inline void xf_event(struct xtcp_tcb *tcb)
{
}

static const struct xtcp_core_ops xf_ops = {
	.now = xf_now,
	.output = xf_output,
	.timer_set = xf_timer_set,
	.timer_clear = xf_timer_clear,
	.rcv_data = xf_rcv_data,
	.rcv_space = xf_rcv_space,
	.state_change = xf_state_change,
	.error = xf_error,
	.event = xf_event,
};

/* what the TCB allocated (its scoreboard) goes when the test ends */
static inline void xf_free_res(struct kunit_resource *res)
{
	xtcp_core_destroy(&((struct xf_env *)res->data)->tcb);
}

/* a CLOSED TCB advertising @rcv_mss and window scale @ws */
static inline struct xf_env *xf_new(struct kunit *test, u16 rcv_mss, u8 ws)
{
	struct xf_env *e = kunit_kzalloc(test, sizeof(*e), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, e);
	e->now = 100000;
	e->rbuf = 65535;
	e->p = (struct xtcp_params){
		.msl_ms = 30000, .fin_timeout_ms = 40000,
		.rto_init_ms = 1000, .rto_min_ms = 200, .rto_max_ms = 120000,
		.syn_retries = 3, .synack_retries = 2, .retries = 4,
		.delack_ms = 40,
	};
	xtcp_core_init(&e->tcb, &xf_ops, &e->p, e->cc_priv, rcv_mss, ws);
	KUNIT_ASSERT_NOT_NULL(test, kunit_alloc_resource(test, NULL,
							 xf_free_res,
							 GFP_KERNEL, e));
	return e;
}

#endif /* _XTCP_FAKE_H */
