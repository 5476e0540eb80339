// SPDX-License-Identifier: GPL-2.0
/*
 * XTCP timers: one timer_list per core timer of a socket. A pending timer
 * holds a socket reference (sk_reset_timer). When the socket is owned by
 * the user the expiry is retried shortly after, as Linux's keepalive timer
 * does, so the core always runs under the socket lock.
 */
#include <linux/jiffies.h>
#include <net/sock.h>

#include "xtcp.h"
#include "xtcp_trace.h"

static void xtcp_trace_timer(struct sock *sk, enum xtcp_timer t, int act,
			     u32 ms)
{
	struct xtcp_tuple tu;

	xtcp_sk_tuple(sk, &tu);
	trace_xtcp_timer(&tu, t, act, ms);
}

u64 xtcp_now_ms(void)
{
	return jiffies64_to_msecs(get_jiffies_64());
}

static void xtcp_timer_fire(struct sock *sk, enum xtcp_timer t)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	bh_lock_sock(sk);
	if (sock_owned_by_user(sk)) {
		if (t == XTCP_T_DELACK)
			XTCP_INC_STATS(xtcp_pernet(sock_net(sk)),
				       XTCP_MIB_DELAYEDACKLOCKED);
		/* retry soon; keeps the reference the timer held */
		sk_reset_timer(sk, &xs->timers[t].tl, jiffies + 1);
		goto out;
	}
	/* cleared or re-armed for later while we waited for the lock */
	if (!test_bit(t, &xs->tarmed) || timer_pending(&xs->timers[t].tl))
		goto out;
	clear_bit(t, &xs->tarmed);
	if (trace_xtcp_timer_enabled())
		xtcp_trace_timer(sk, t, XTCP_TIMER_FIRE, 0);
	xtcp_core_timeout(&xs->tcb, t);
	if (t == XTCP_T_FINWAIT2 && xs->tcb.state == XTCP_CLOSED)
		XTCP_INC_STATS(xtcp_pernet(sock_net(sk)),
			       XTCP_MIB_FINWAIT2TIMEOUTS);
	xtcp_after_core(sk);
out:
	bh_unlock_sock(sk);
	sock_put(sk);
}

static void xtcp_timer_cb(struct timer_list *tl)
{
	struct xtcp_tslot *slot = from_timer(slot, tl, tl);
	struct xtcp_sock *xs = container_of(slot - slot->idx, struct xtcp_sock,
					    timers[0]);

	xtcp_timer_fire(xtcp_to_sk(xs), slot->idx);
}

void xtcp_timers_init(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	int t;

	for (t = 0; t < XTCP_T_MAX; t++) {
		timer_setup(&xs->timers[t].tl, xtcp_timer_cb, 0);
		xs->timers[t].idx = t;
	}
	xs->tarmed = 0;
}

/* Stop every timer; each pending one gives back its reference. */
void xtcp_timers_stop(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	int t;

	for (t = 0; t < XTCP_T_MAX; t++) {
		clear_bit(t, &xs->tarmed);
		sk_stop_timer(sk, &xs->timers[t].tl);
	}
}

void xtcp_timer_set(struct xtcp_tcb *tcb, enum xtcp_timer t, u32 ms)
{
	struct xtcp_sock *xs = tcb_to_xs(tcb);

	if (trace_xtcp_timer_enabled())
		xtcp_trace_timer(xtcp_to_sk(xs), t, XTCP_TIMER_ARM, ms);
	set_bit(t, &xs->tarmed);
	sk_reset_timer(xtcp_to_sk(xs), &xs->timers[t].tl,
		       jiffies + max_t(unsigned long, msecs_to_jiffies(ms), 1));
}

void xtcp_timer_clear(struct xtcp_tcb *tcb, enum xtcp_timer t)
{
	struct xtcp_sock *xs = tcb_to_xs(tcb);

	if (trace_xtcp_timer_enabled() && test_bit(t, &xs->tarmed))
		xtcp_trace_timer(xtcp_to_sk(xs), t, XTCP_TIMER_STOP, 0);
	clear_bit(t, &xs->tarmed);
	sk_stop_timer(xtcp_to_sk(xs), &xs->timers[t].tl);
}
