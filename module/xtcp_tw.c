// SPDX-License-Identifier: GPL-2.0
/*
 * XTCP TIME-WAIT (RFC 9293 §3.6.1): when a connection enters TIME-WAIT the
 * full socket is freed and a compact object keeps the 4-tuple, what the
 * core needs of the TCB (struct xtcp_tw_tcb: the core re-ACKs a
 * retransmitted FIN and restarts 2*MSL, and ignores RST per RFC 1337) and
 * one timer. References: the table holds
 * one, a pending timer one, each lookup one.
 */
#include <linux/slab.h>
#include <linux/jiffies.h>

#include "xtcp.h"
#include "xtcp_trace.h"

/*
 * The object keeps only struct xtcp_tw_tcb; a core call runs on a full TCB
 * rebuilt in a per-CPU scratch area (softirqs off, under tw->lock: no one
 * else uses this CPU's copy meanwhile) and its changes are stored back.
 */
struct xtcp_tw_scratch {
	struct xtcp_tcb tcb;
	struct xtcp_tw *tw;
};

static DEFINE_PER_CPU(struct xtcp_tw_scratch, xtcp_tw_scratch);

static struct xtcp_tw *tcb_to_tw(struct xtcp_tcb *tcb)
{
	return container_of(tcb, struct xtcp_tw_scratch, tcb)->tw;
}

/* the 4-tuple (and device) of a TIME-WAIT object, as xtcp_sk_tuple() */
void xtcp_tw_tuple(const struct xtcp_tw *tw, struct xtcp_tuple *t)
{
	memset(t, 0, sizeof(*t));
	t->family = tw->family;
	t->lport = tw->sport;
	t->rport = tw->dport;
	memcpy(&t->laddr, &tw->saddr, sizeof(t->laddr));
	memcpy(&t->raddr, &tw->daddr, sizeof(t->raddr));
	t->dif = tw->bound_dev_if;
}

static int xtcp_tw_output(struct xtcp_tcb *tcb, const struct xtcp_out *o)
{
	struct xtcp_tw *tw = tcb_to_tw(tcb);
	struct xtcp_tuple t;

	xtcp_tw_tuple(tw, &t);
	return xtcp_send_reply_state(read_pnet(&tw->net), &t, o, tw->mark,
				     tcb->state);
}

static void xtcp_tw_arm(struct xtcp_tw *tw, u32 ms)
{
	if (!mod_timer(&tw->timer, jiffies + msecs_to_jiffies(ms)))
		refcount_inc(&tw->refcnt);
}

/* the core (re)starts 2*MSL: a retransmitted FIN was re-ACKed */
static void xtcp_tw_timer_set(struct xtcp_tcb *tcb, enum xtcp_timer t,
			      u32 ms)
{
	struct xtcp_tw *tw = tcb_to_tw(tcb);

	if (t != XTCP_T_TIMEWAIT)
		return;
	if (trace_xtcp_timer_enabled()) {
		struct xtcp_tuple tu;

		xtcp_tw_tuple(tw, &tu);
		trace_xtcp_timer(&tu, t, XTCP_TIMER_ARM, ms);
	}
	xtcp_tw_arm(tw, ms);
}

static void xtcp_tw_timer_clear(struct xtcp_tcb *tcb, enum xtcp_timer t)
{
	struct xtcp_tw *tw = tcb_to_tw(tcb);

	/* the caller holds a reference: this never frees */
	if (t == XTCP_T_TIMEWAIT && del_timer(&tw->timer))
		refcount_dec(&tw->refcnt);
}

/* TIME-WAIT never accepts data; keep the window last advertised */
static u32 xtcp_tw_rcv_space(struct xtcp_tcb *tcb)
{
	return tcb->rcv_wnd;
}

static void xtcp_tw_state_change(struct xtcp_tcb *tcb, enum xtcp_state old)
{
	struct xtcp_tw *tw = tcb_to_tw(tcb);
	struct xtcp_tuple t;

	if (trace_xtcp_state_enabled()) {
		xtcp_tw_tuple(tw, &t);
		trace_xtcp_state(&t, old, tcb->state);
	}
	if (tcb->state == XTCP_CLOSED)
		tw->dead = true;
}

static bool xtcp_tw_rcv_data(struct xtcp_tcb *tcb, u32 off, u32 len)
{
	return true;
}

static void xtcp_tw_error(struct xtcp_tcb *tcb, int err)
{
}

static void xtcp_tw_event(struct xtcp_tcb *tcb)
{
}

static u64 xtcp_tw_now(struct xtcp_tcb *tcb)
{
	return xtcp_now_ms();
}

/* TIME-WAIT's events (an ACK not sent: TCPACKSkippedTimeWait) count in
 * its namespace as a socket's do
 */
static void xtcp_tw_note(struct xtcp_tcb *tcb, enum xtcp_note n)
{
	xtcp_note_count(read_pnet(&tcb_to_tw(tcb)->net), n);
}

static const struct xtcp_core_ops xtcp_tw_ops = {
	.now		= xtcp_tw_now,
	.output		= xtcp_tw_output,
	.timer_set	= xtcp_tw_timer_set,
	.timer_clear	= xtcp_tw_timer_clear,
	.rcv_data	= xtcp_tw_rcv_data,
	.rcv_space	= xtcp_tw_rcv_space,
	.state_change	= xtcp_tw_state_change,
	.error		= xtcp_tw_error,
	.event		= xtcp_tw_event,
	.note		= xtcp_tw_note,
};

/* this CPU's TCB for @tw, rebuilt; caller holds tw->lock with BH off */
static struct xtcp_tcb *xtcp_tw_tcb_get(struct xtcp_tw *tw)
{
	struct xtcp_tw_scratch *sc = this_cpu_ptr(&xtcp_tw_scratch);

	sc->tw = tw;
	xtcp_core_tw_load(&sc->tcb, &tw->tcb, &xtcp_tw_ops, xtcp_now_ms());
	return &sc->tcb;
}

static void xtcp_tw_tcb_put(struct xtcp_tw *tw, struct xtcp_tcb *tcb)
{
	xtcp_core_tw_save(tcb, &tw->tcb);
	this_cpu_ptr(&xtcp_tw_scratch)->tw = NULL;
}

void xtcp_tw_put(struct xtcp_tw *tw)
{
	if (refcount_dec_and_test(&tw->refcnt))
		kfree_rcu(tw, rcu);	/* lookups run under RCU */
}

static void xtcp_tw_timer(struct timer_list *t)
{
	struct xtcp_tw *tw = from_timer(tw, t, timer);
	bool dead;

	spin_lock_bh(&tw->lock);
	if (!tw->dead && !timer_pending(&tw->timer)) {
		struct xtcp_tcb *tcb;

		if (trace_xtcp_timer_enabled()) {
			struct xtcp_tuple tu;

			xtcp_tw_tuple(tw, &tu);
			trace_xtcp_timer(&tu, XTCP_T_TIMEWAIT, XTCP_TIMER_FIRE,
					 0);
		}
		tcb = xtcp_tw_tcb_get(tw);
		xtcp_core_timeout(tcb, XTCP_T_TIMEWAIT);
		xtcp_tw_tcb_put(tw, tcb);
	}
	dead = tw->dead;
	spin_unlock_bh(&tw->lock);
	if (dead && xtcp_tw_unhash(tw))
		xtcp_tw_put(tw);
	xtcp_tw_put(tw);	/* the timer's reference */
}

/* End a TIME-WAIT early (new SYN, netns exit, module unload). */
void xtcp_tw_kill(struct xtcp_tw *tw)
{
	spin_lock_bh(&tw->lock);
	tw->dead = true;
	spin_unlock_bh(&tw->lock);
	if (del_timer_sync(&tw->timer))
		xtcp_tw_put(tw);
	if (xtcp_tw_unhash(tw))
		xtcp_tw_put(tw);
}

long xtcp_tw_remaining(const struct xtcp_tw *tw)
{
	long left = (long)(READ_ONCE(tw->timer.expires) - jiffies);

	return left > 0 ? left : 0;
}

/**
 * xtcp_time_wait() - a socket entered TIME-WAIT: hand the connection to a
 *	compact TIME-WAIT object and close the socket.
 * @sk: the socket, locked
 */
void xtcp_time_wait(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct xtcp_tuple t;
	struct xtcp_tw *tw;

	tw = kzalloc(sizeof(*tw), GFP_ATOMIC);
	if (tw) {
		xtcp_sk_tuple(sk, &t);
		refcount_set(&tw->refcnt, 1);
		write_pnet(&tw->net, sock_net(sk));
		spin_lock_init(&tw->lock);
		timer_setup(&tw->timer, xtcp_tw_timer, 0);
		tw->family = t.family;
		tw->sport = t.lport;
		tw->dport = t.rport;
		memcpy(&tw->saddr, &t.laddr, sizeof(tw->saddr));
		memcpy(&tw->daddr, &t.raddr, sizeof(tw->daddr));
		tw->bound_dev_if = sk->sk_bound_dev_if;
		tw->mark = sk->sk_mark;
		xtcp_core_tw_save(&xs->tcb, &tw->tcb);
		xtcp_tw_hash(tw);
		spin_lock_bh(&tw->lock);
		/* untraced: the socket's 2*MSL, traced, just started */
		xtcp_tw_arm(tw, 2 * tw->tcb.msl_ms);
		spin_unlock_bh(&tw->lock);
		xtcp_tw_put(tw);
	}
	/* the socket itself is done; its TIME-WAIT lives on in @tw */
	xs->tcb.state = XTCP_CLOSED;
	xtcp_done(sk);
}

/* A SYN that may open a new incarnation of a TIME-WAIT connection: its
 * listener, or NULL. Called without tw->lock (the listener table lock is
 * never taken under it).
 */
static struct sock *xtcp_tw_syn_listener(struct xtcp_tw *tw,
					 struct sk_buff *skb)
{
	struct xtcp_seg *seg = &XTCP_SKB_CB(skb)->seg;
	struct xtcp_tuple t;
	u32 isn = 0;
	bool ok;

	spin_lock_bh(&tw->lock);
	if (!tw->dead) {
		struct xtcp_tcb *tcb = xtcp_tw_tcb_get(tw);

		ok = xtcp_core_tw_syn_ok(tcb, seg);
		xtcp_tw_tcb_put(tw, tcb);
	} else {
		ok = false;
	}
	/* the new incarnation starts above the old SND.NXT, so that old
	 * duplicates cannot be taken for new data (Linux's tw_snd_nxt +
	 * 65535 + 2 in tcp_timewait_state_process())
	 */
	if (ok)
		isn = tw->tcb.snd_nxt + 65535 + 2 ? : 1;
	spin_unlock_bh(&tw->lock);
	if (!ok)
		return NULL;
	XTCP_SKB_CB(skb)->tw_isn = isn;
	xtcp_parse_tuple_skb(skb, &t);
	return xtcp_lookup_listener(read_pnet(&tw->net), &t);
}

/**
 * xtcp_tw_input() - a segment for a TIME-WAIT 4-tuple; consumes @skb.
 * @tw: the TIME-WAIT object (the caller holds a reference)
 * @skb: the segment, validated
 *
 * A SYN with a sequence number above RCV.NXT ends the TIME-WAIT and goes
 * to the listener, as Linux's TCP_TW_SYN does (RFC 9293 §3.10.7.4 leaves
 * reopening from TIME-WAIT to the implementation; RFC 6191 is the
 * timestamp variant). With no listener, or an old sequence number, the
 * core handles the SYN like any segment in TIME-WAIT (challenge ACK).
 */
void xtcp_tw_input(struct xtcp_tw *tw, struct sk_buff *skb)
{
	struct net *net = read_pnet(&tw->net);
	struct xtcp_seg *seg = &XTCP_SKB_CB(skb)->seg;
	struct sock *lsk;
	bool dead;

	lsk = xtcp_tw_syn_listener(tw, skb);
	if (lsk) {
		xtcp_tw_kill(tw);
		XTCP_INC_STATS(xtcp_pernet(net), XTCP_MIB_TIMEWAITRECYCLED);
		xtcp_sk_deliver(lsk, skb);
		return;
	}
	spin_lock_bh(&tw->lock);
	if (!tw->dead) {
		struct xtcp_tcb *tcb = xtcp_tw_tcb_get(tw);
		int old = tcb->state;

		xtcp_core_input(tcb, seg);
		xtcp_tw_tcb_put(tw, tcb);
		if (trace_xtcp_segment_recv_enabled()) {
			struct xtcp_tuple tu;

			xtcp_tw_tuple(tw, &tu);
			trace_xtcp_segment_recv(&tu, seg->seq, seg->ack,
						seg->flags, seg->wnd, seg->len,
						seg->mss, seg->wscale, false,
						old, tw->tcb.state);
		}
	}
	dead = tw->dead;
	spin_unlock_bh(&tw->lock);
	if (dead) {
		XTCP_INC_STATS(xtcp_pernet(net), XTCP_MIB_TIMEWAITKILLED);
		if (del_timer(&tw->timer))
			xtcp_tw_put(tw);
		if (xtcp_tw_unhash(tw))
			xtcp_tw_put(tw);
	}
	consume_skb(skb);
}
