// SPDX-License-Identifier: GPL-2.0
/*
 * XTCP timers: the core's timers of a socket share one kernel timer, as
 * Linux multiplexes its retransmission, probe and loss-probe timers on
 * icsk_retransmit_timer. Each core timer keeps only its deadline; the
 * kernel timer runs at the earliest one, fires every core timer that is
 * due and is set again for the rest. A pending kernel timer holds a socket
 * reference (sk_reset_timer). When the socket is owned by the user the
 * expiry is retried shortly after, as Linux's keepalive timer does, so the
 * core always runs under the socket lock.
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

/* core timer @t's deadline in jiffies: tdue[] keeps its low 32 bits, as
 * no deadline is more than 2^30 jiffies away (xtcp_timer_set(); the
 * longest a sysctl or option allows is keepalive's 32767 s)
 */
static unsigned long xtcp_tdue(const struct xtcp_sock *xs, int t)
{
	unsigned long now = jiffies;

	return now + (s32)(READ_ONCE(xs->tdue[t]) - (u32)now);
}

/* the earliest deadline of the armed core timers; false when none is */
static bool xtcp_timer_next(const struct xtcp_sock *xs, unsigned long *when)
{
	unsigned long armed = READ_ONCE(xs->tarmed);
	bool any = false;
	int t;

	for_each_set_bit(t, &armed, XTCP_T_MAX) {
		unsigned long due = xtcp_tdue(xs, t);

		if (!any || time_before(due, *when))
			*when = due;
		any = true;
	}
	return any;
}

/* the kernel timer runs at @when at the latest (socket locked) */
static void xtcp_timer_arm(struct sock *sk, unsigned long when)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	/* due sooner: it fires, then runs again for the later deadlines */
	if (timer_pending(xtcp_ktimer(xs)) &&
	    time_before_eq(READ_ONCE(xtcp_ktimer(xs)->expires), when))
		return;
	sk_reset_timer(sk, xtcp_ktimer(xs), when);
}

static void xtcp_timer_cb(struct timer_list *tl)
{
	struct xtcp_sock *xs = from_timer(xs, tl, icsk.icsk_retransmit_timer);
	struct sock *sk = xtcp_to_sk(xs);
	unsigned long now, next;
	int t;

	bh_lock_sock(sk);
	if (sock_owned_by_user(sk)) {
		if (test_bit(XTCP_T_DELACK, &xs->tarmed) &&
		    !time_before(jiffies, xtcp_tdue(xs, XTCP_T_DELACK)))
			XTCP_INC_STATS(xtcp_pernet(sock_net(sk)),
				       XTCP_MIB_DELAYEDACKLOCKED);
		/* retry soon; keeps the reference the timer held */
		sk_reset_timer(sk, xtcp_ktimer(xs), jiffies + 1);
		goto out;
	}
	now = jiffies;
	for (t = 0; t < XTCP_T_MAX; t++) {
		/* cleared, or set again for later, by an earlier one */
		if (!test_bit(t, &xs->tarmed) ||
		    time_before(now, xtcp_tdue(xs, t)))
			continue;
		clear_bit(t, &xs->tarmed);
		if (trace_xtcp_timer_enabled())
			xtcp_trace_timer(sk, t, XTCP_TIMER_FIRE, 0);
		xtcp_core_timeout(&xs->tcb, t);
		if (t == XTCP_T_FINWAIT2 && xs->tcb.state == XTCP_CLOSED)
			XTCP_INC_STATS(xtcp_pernet(sock_net(sk)),
				       XTCP_MIB_FINWAIT2TIMEOUTS);
		xtcp_after_core(sk);
		/* done, or a TIME-WAIT object now: the timers were stopped */
		if (xs->tcb.state == XTCP_CLOSED ||
		    xs->tcb.state == XTCP_TIME_WAIT)
			break;
	}
	if (xtcp_timer_next(xs, &next))
		xtcp_timer_arm(sk, next);
out:
	bh_unlock_sock(sk);
	sock_put(sk);
}

void xtcp_timers_init(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	timer_setup(xtcp_ktimer(xs), xtcp_timer_cb, 0);
	xs->tarmed = 0;
}

/* Stop every timer; a pending kernel timer gives back its reference. */
void xtcp_timers_stop(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	WRITE_ONCE(xs->tarmed, 0);
	sk_stop_timer(sk, xtcp_ktimer(xs));
}

void xtcp_timer_set(struct xtcp_tcb *tcb, enum xtcp_timer t, u32 ms)
{
	struct xtcp_sock *xs = tcb_to_xs(tcb);
	unsigned long due = jiffies + clamp_t(unsigned long,
					      msecs_to_jiffies(ms), 1, 1UL << 30);

	if (trace_xtcp_timer_enabled())
		xtcp_trace_timer(xtcp_to_sk(xs), t, XTCP_TIMER_ARM, ms);
	WRITE_ONCE(xs->tdue[t], (u32)due);
	set_bit(t, &xs->tarmed);
	xtcp_timer_arm(xtcp_to_sk(xs), due);
}

void xtcp_timer_clear(struct xtcp_tcb *tcb, enum xtcp_timer t)
{
	struct xtcp_sock *xs = tcb_to_xs(tcb);

	if (!test_bit(t, &xs->tarmed))
		return;
	if (trace_xtcp_timer_enabled())
		xtcp_trace_timer(xtcp_to_sk(xs), t, XTCP_TIMER_STOP, 0);
	clear_bit(t, &xs->tarmed);
	/* the last one: no wake-up left to do (a pending kernel timer for
	 * others fires early once and is set again for them)
	 */
	if (!READ_ONCE(xs->tarmed))
		sk_stop_timer(xtcp_to_sk(xs), xtcp_ktimer(xs));
}

/**
 * xtcp_timer_due() - when core timer @t of @xs is due, if armed (read
 *	locklessly by /proc and sock_diag)
 * @xs: the socket
 * @t: the core timer
 * @expires: set to its deadline in jiffies when armed
 *
 * Return: armed.
 */
bool xtcp_timer_due(const struct xtcp_sock *xs, enum xtcp_timer t,
		    unsigned long *expires)
{
	if (!test_bit(t, &xs->tarmed))
		return false;
	*expires = xtcp_tdue(xs, t);
	return true;
}
