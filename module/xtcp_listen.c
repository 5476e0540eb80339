// SPDX-License-Identifier: GPL-2.0
/*
 * XTCP listen and accept (RFC 9293 §3.10.1 passive OPEN): listeners,
 * SYN-RECEIVED children and the accept queue.
 */
#include <linux/net.h>
#include <linux/poll.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/tcp.h>
#include <linux/sockios.h>
#include <asm/ioctls.h>
#include <kunit/visibility.h>
#include <net/sock.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/ip6_route.h>
#include <net/addrconf.h>
#include <net/route.h>
#include <net/inet_common.h>
#include <net/tcp_states.h>
#include <net/transp_v6.h>

#include "xtcp.h"
#include "xtcp_syncookie.h"

/**
 * xtcp_listenq_alloc() - give @sk its listener queues, once
 * @sk: a socket about to listen, owned by the caller
 *
 * Return: 0, or -ENOMEM (listen() fails with it, as Linux's can).
 */
int xtcp_listenq_alloc(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct xtcp_listenq *lq;

	if (xs->lq)
		return 0;
	lq = kzalloc(sizeof(*lq), GFP_KERNEL);
	if (!lq)
		return -ENOMEM;
	spin_lock_init(&lq->lock);
	INIT_LIST_HEAD(&lq->synq);
	INIT_LIST_HEAD(&lq->acceptq);
	/* lockless readers see it initialised (xtcp_acceptq_len()) */
	smp_store_release(&xs->lq, lq);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_listenq_alloc);

int xtcp_listen(struct socket *sock, int backlog)
{
	struct sock *sk = sock->sk;
	struct xtcp_sock *xs = xtcp_sk(sk);
	int err = -EINVAL;

	lock_sock(sk);
	if (sock->state != SS_UNCONNECTED)
		goto out;
	backlog = clamp(backlog, 0,
			(int)READ_ONCE(sock_net(sk)->core.sysctl_somaxconn));
	WRITE_ONCE(sk->sk_max_ack_backlog, backlog);
	if (xs->listening) {
		err = 0;
		goto out;
	}
	if (xs->tcb.state != XTCP_CLOSED)
		goto out;
	err = xtcp_listenq_alloc(sk);
	if (err)
		goto out;
	err = xtcp_autobind(sk);
	if (err)
		goto out;
	err = xtcp_listen_hash(sk);
	if (err)
		goto out;
	err = xtcp_core_listen(&xs->tcb);
out:
	release_sock(sk);
	return err;
}

/*
 * A child for @t: allocated, routed, hashed and put in the listener's
 * half-open queue; then, under its lock, either it answers the SYN @syn
 * with a SYN-ACK from @iss, or (@cookie_ack) it is rebuilt from a SYN
 * cookie (@syn holds what the cookie recorded, @iss is the cookie) and
 * takes the ACK @cookie_ack. False when the child could not be made; the
 * caller still owns @cookie_ack then.
 */
static bool xtcp_child_open(struct sock *lsk, const struct xtcp_tuple *t,
			    const struct xtcp_seg *syn, u32 iss,
			    struct sk_buff *cookie_ack)
{
	struct xtcp_sack_block blocks[XTCP_MAX_SACK_BLOCKS];
	struct xtcp_sock *lxs = xtcp_sk(lsk), *cxs;
	struct net *net = sock_net(lsk);
	struct xtcp_seg in;
	struct inet_sock *inet;
	struct sock *sk;
	u32 mss;

	sk = sk_alloc(net, lsk->sk_family, GFP_ATOMIC, &xtcp_prot, 0);
	if (!sk)
		return false;
	sock_init_data(NULL, sk);
	sk->sk_type = SOCK_STREAM;	/* no struct socket to copy it from */
	if (xtcp_sock_init(sk, lsk)) {
		sock_set_flag(sk, SOCK_DEAD);
		sk_free(sk);
		return false;
	}
	cxs = xtcp_sk(sk);
	inet = inet_sk(sk);
	if (lxs->v4mapped ||
	    (t->family == AF_INET && lsk->sk_family == AF_INET6)) {
		/* an IPv4 peer of a dual-stack listener: an IPv4 connection
		 * the user sees with v4-mapped addresses
		 */
		sk->sk_family = AF_INET;
		cxs->v4mapped = 1;
	}
	if (t->family == AF_INET6) {
		sk->sk_v6_rcv_saddr = t->laddr.v6;
		inet6_sk(sk)->saddr = t->laddr.v6;
		sk->sk_v6_daddr = t->raddr.v6;
		if (ipv6_addr_type(&t->raddr.v6) & IPV6_ADDR_LINKLOCAL)
			sk->sk_bound_dev_if = t->dif;
	} else {
		inet->inet_rcv_saddr = t->laddr.v4;
		inet->inet_saddr = t->laddr.v4;
		inet->inet_daddr = t->raddr.v4;
	}
	inet->inet_dport = t->rport;
	inet->inet_num = ntohs(t->lport);
	inet->inet_sport = t->lport;
	if (xtcp_route(sk, &mss))
		goto free;
	xtcp_set_mss(sk, mss);
	if (xtcp_bind_inherit(lsk, sk))
		goto free;
	cxs->was_connected = 1;

	bh_lock_sock_nested(sk);
	if (xtcp_ehash_insert(sk)) {
		bh_unlock_sock(sk);
		goto free;
	}
	spin_lock(&lxs->lq->lock);
	list_add_tail(&cxs->child_node, &lxs->lq->synq);
	WRITE_ONCE(lxs->lq->synq_len, lxs->lq->synq_len + 1);
	cxs->in_queue = XQ_SYN;
	spin_unlock(&lxs->lq->lock);
	sock_hold(lsk);
	cxs->parent = lsk;

	cxs->wq_seq = iss + 1;
	cxs->tcb.ts_off = xtcp_ts_off(net, t);
	XTCP_INC_STATS(xtcp_pernet(net), XTCP_MIB_PASSIVEOPENS);
	if (!cookie_ack) {
		xtcp_core_accept_syn(&cxs->tcb, syn, iss);
	} else {
		/* the ACK completes the handshake on the child */
		xtcp_core_cookie_child(&cxs->tcb, syn, iss);
		cxs->cur_skb = cookie_ack;
		cxs->cur_queued = false;
		xtcp_core_input(&cxs->tcb,
				xtcp_skb_seg(cookie_ack, &in, blocks));
		cxs->cur_skb = NULL;
		if (!cxs->cur_queued)
			consume_skb(cookie_ack);
	}
	xtcp_after_core(sk);
	bh_unlock_sock(sk);
	return true;

free:
	sock_set_flag(sk, SOCK_DEAD);
	xtcp_unbind(sk);
	sk_free(sk);
	return false;
}

static void xtcp_cookie_addr_of(const struct xtcp_tuple *t,
				struct xtcp_cookie_addr *a)
{
	memset(a, 0, sizeof(*a));
	a->v6 = t->family == AF_INET6;
	a->lport = t->lport;
	a->rport = t->rport;
	if (a->v6) {
		a->laddr.v6 = t->laddr.v6;
		a->raddr.v6 = t->raddr.v6;
	} else {
		a->laddr.v4 = t->laddr.v4;
		a->raddr.v4 = t->raddr.v4;
	}
}

static u32 xtcp_cookie_count(void)
{
	return div_u64(xtcp_now_ms(), XTCP_COOKIE_TICK_MS);
}

/*
 * The cookie's SYN-ACK echoes the SYN's timestamps (RFC 7323 §3.2) and
 * keeps SACK-permitted in the lowest bit of its TSval, which the ACK
 * echoes back (as Linux's cookie_init_timestamp(); the window scale is in
 * the cookie itself). The TSval is never above the child's clock.
 */
static void xtcp_cookie_ts(struct xtcp_net *xn, const struct xtcp_tuple *t,
			   const struct xtcp_seg *seg, struct xtcp_out *o)
{
	u32 now, ts;

	if (!seg->ts_ok || !READ_ONCE(xn->params.timestamps))
		return;
	now = (u32)xtcp_now_ms() + xtcp_ts_off(xn->net, t);
	ts = (now & ~1U) | (o->sack_ok ? 1 : 0);
	if ((s32)(ts - now) > 0)
		ts -= 2;
	o->ts_ok = 1;
	o->tsval = ts;
	o->tsecr = seg->tsval;
}

/*
 * Answer a SYN with a SYN cookie (RFC 4987 §3.6): a SYN-ACK whose ISN
 * encodes the connection, and no state at all. The SYN-ACK offers what a
 * child of this listener would: its window and window scale (both follow
 * from the receive buffer) and the MSS of the device the SYN came in by.
 */
static void xtcp_listen_send_cookie(struct sock *lsk, struct sk_buff *skb,
				    const struct xtcp_tuple *t)
{
	const struct xtcp_seg *seg = &XTCP_SKB_CB(skb)->seg;
	struct xtcp_sock *lxs = xtcp_sk(lsk);
	struct net *net = sock_net(lsk);
	struct xtcp_net *xn = xtcp_pernet(net);
	struct xtcp_cookie_opts co = { .mss = seg->mss, .wscale = seg->wscale };
	struct xtcp_cookie_addr a;
	struct net_device *dev;
	struct xtcp_out o;
	u32 mtu = 1280;

	xtcp_cookie_addr_of(t, &a);
	memset(&o, 0, sizeof(o));
	o.seq = xtcp_cookie_make(xn->cookie_key, &a, seg->seq,
				 xtcp_cookie_count(), &co);
	o.ack = seg->seq + 1;
	o.flags = XTCP_SYN | XTCP_ACK;
	o.wnd = min_t(u32, READ_ONCE(lsk->sk_rcvbuf) / 2, 65535);
	o.wscale = seg->wscale >= 0 ? xtcp_wscale_for(lsk) : -1;
	/* without timestamps there is no room for SACK (as Linux) */
	o.sack_ok = seg->sack_ok && seg->ts_ok && READ_ONCE(xn->params.sack);
	xtcp_cookie_ts(xn, t, seg, &o);
	if (!o.ts_ok)
		o.sack_ok = 0;
	rcu_read_lock();
	dev = dev_get_by_index_rcu(net, t->dif);
	if (dev)
		mtu = READ_ONCE(dev->mtu);
	rcu_read_unlock();
	o.mss = xtcp_mtu_to_mss(mtu, t->family == AF_INET6);
	/* the mark of the SYN-ACK a child would send: the listener's
	 * SO_MARK (or the SYN's with tcp_fwmark_accept), as Linux's
	 */
	if (xtcp_send_reply(net, t, &o, inet_request_mark(lsk, skb)))
		return;
	WRITE_ONCE(lxs->lq->cookie_ms, xtcp_now_ms());
	WRITE_ONCE(lxs->lq->cookie_sent, true);
	XTCP_INC_STATS(xn, XTCP_MIB_SYNCOOKIESSENT);
}

/**
 * xtcp_listen_cookie_pending() - may an ACK to @lsk answer a SYN cookie?
 * @lsk: listener
 *
 * True while cookies are on and @lsk sent one recently (as Linux checks
 * cookies only then); lockless, for the netfilter hook.
 */
bool xtcp_listen_cookie_pending(const struct sock *lsk)
{
	/* pairs with xtcp_listen()'s store: its fields initialised */
	const struct xtcp_listenq *lq = smp_load_acquire(&xtcp_sk(lsk)->lq);
	const struct xtcp_net *xn = xtcp_pernet(sock_net(lsk));

	return lq && xtcp_cookie_check_wanted(READ_ONCE(xn->syncookies),
					      READ_ONCE(lq->cookie_sent),
					      READ_ONCE(lq->cookie_ms),
					      xtcp_now_ms());
}

/**
 * xtcp_listen_cookie_ack() - an ACK reached a listener: if it completes
 *	a SYN-cookie handshake, create the child from the cookie and give it
 *	the ACK (and any data). Called with the listener locked.
 * @lsk: listener
 * @skb: the segment (an ACK without SYN or RST)
 * @t: its 4-tuple
 *
 * Return: true when the skb was taken; false when the ACK is no valid
 * cookie's (the caller answers it with a RST, §3.10.7.2).
 */
bool xtcp_listen_cookie_ack(struct sock *lsk, struct sk_buff *skb,
			    const struct xtcp_tuple *t)
{
	const struct xtcp_seg *seg = &XTCP_SKB_CB(skb)->seg;
	struct xtcp_sock *lxs = xtcp_sk(lsk);
	struct xtcp_net *xn = xtcp_pernet(sock_net(lsk));
	struct xtcp_cookie_opts co;
	struct xtcp_cookie_addr a;
	struct xtcp_seg syn;
	u32 iss = seg->ack - 1;

	if (!xtcp_cookie_check_wanted(READ_ONCE(xn->syncookies),
				      READ_ONCE(lxs->lq->cookie_sent),
				      READ_ONCE(lxs->lq->cookie_ms),
				      xtcp_now_ms()))
		return false;
	xtcp_cookie_addr_of(t, &a);
	if (xtcp_cookie_check(xn->cookie_key, &a, iss, seg->seq - 1,
			      xtcp_cookie_count(), &co)) {
		XTCP_INC_STATS(xn, XTCP_MIB_SYNCOOKIESFAILED);
		return false;
	}
	XTCP_INC_STATS(xn, XTCP_MIB_SYNCOOKIESRECV);
	if (READ_ONCE(lxs->lq->acceptq_len) >=
	    READ_ONCE(lsk->sk_max_ack_backlog)) {
		XTCP_INC_STATS(xn, XTCP_MIB_LISTENOVERFLOWS);
		goto drop;
	}
	memset(&syn, 0, sizeof(syn));
	syn.seq = seg->seq - 1;
	syn.flags = XTCP_SYN;
	syn.wnd = seg->wnd;
	syn.mss = co.mss;
	syn.wscale = co.wscale;
	/* timestamps and SACK, if the cookie's SYN-ACK had them */
	if (seg->ts_ok && seg->tsecr && READ_ONCE(xn->params.timestamps)) {
		syn.ts_ok = 1;
		syn.tsval = seg->tsval;
		syn.sack_ok = seg->tsecr & 1;
	}
	if (xtcp_child_open(lsk, t, &syn, iss, skb))
		return true;
drop:
	XTCP_INC_STATS(xn, XTCP_MIB_LISTENDROPS);
	consume_skb(skb);
	return true;
}

/**
 * xtcp_listen_syn() - a listener took a SYN: make a child in SYN-RECEIVED
 *	(§3.10.7.2), or answer with a SYN cookie when the half-open queue is
 *	full (net.xtcp.syncookies 1) or always (2). Called in softirq with
 *	the listener locked.
 * @lsk: listener
 * @skb: the SYN
 * @t: its 4-tuple
 */
void xtcp_listen_syn(struct sock *lsk, struct sk_buff *skb,
		     const struct xtcp_tuple *t)
{
	struct xtcp_sock *lxs = xtcp_sk(lsk);
	struct net *net = sock_net(lsk);
	struct xtcp_net *xn = xtcp_pernet(net);
	bool synq_full;
	u32 iss;

	if (READ_ONCE(lxs->lq->acceptq_len) >=
	    READ_ONCE(lsk->sk_max_ack_backlog)) {
		XTCP_INC_STATS(xn, XTCP_MIB_LISTENOVERFLOWS);
		goto drop;
	}
	/* half-open bound (§3.10.7.2 leaves it to the implementation): the
	 * netns limit, and no more than the listen() backlog, as Linux's
	 * request queue
	 */
	synq_full = READ_ONCE(lxs->lq->synq_len) >=
		    min_t(int, xn->max_syn_backlog,
			  max_t(int, READ_ONCE(lsk->sk_max_ack_backlog), 1));
	if (xtcp_cookie_want(READ_ONCE(xn->syncookies), synq_full)) {
		xtcp_listen_send_cookie(lsk, skb, t);
		return;
	}
	if (synq_full) {
		XTCP_INC_STATS(xn, XTCP_MIB_SYNQDROPS);
		goto drop;
	}

	/* a SYN that ended a TIME-WAIT starts above its old SND.NXT */
	iss = XTCP_SKB_CB(skb)->tw_isn ? : xtcp_isn(net, t);
	if (xtcp_child_open(lsk, t, &XTCP_SKB_CB(skb)->seg, iss, NULL))
		return;

drop:
	XTCP_INC_STATS(xn, XTCP_MIB_LISTENDROPS);
}

/* Close a listener: every child not yet accepted is reset. */
void xtcp_listen_stop(struct sock *sk)
{
	struct xtcp_listenq *lq = xtcp_sk(sk)->lq;
	struct xtcp_sock *c, *tmp;
	LIST_HEAD(list);

	spin_lock_bh(&lq->lock);
	list_splice_init(&lq->synq, &list);
	list_splice_tail_init(&lq->acceptq, &list);
	list_for_each_entry(c, &list, child_node)
		c->in_queue = XQ_NONE;
	WRITE_ONCE(lq->synq_len, 0);
	WRITE_ONCE(lq->acceptq_len, 0);
	spin_unlock_bh(&lq->lock);

	list_for_each_entry_safe(c, tmp, &list, child_node) {
		struct sock *child = xtcp_to_sk(c);

		list_del_init(&c->child_node);
		local_bh_disable();
		bh_lock_sock_nested(child);
		if (c->parent == sk) {
			c->parent = NULL;
			__sock_put(sk);
		}
		sock_set_flag(child, SOCK_DEAD);
		c->tcb.fl |= XTCP_F_ORPHAN;
		if (c->tcb.state != XTCP_CLOSED)
			xtcp_core_abort(&c->tcb);
		xtcp_done(child);
		bh_unlock_sock(child);
		local_bh_enable();
		sock_put(child);	/* the queue's reference */
	}
}

int xtcp_accept(struct socket *sock, struct socket *newsock,
		int flags, bool kern)
{
	DEFINE_WAIT_FUNC(wait, woken_wake_function);
	struct sock *sk = sock->sk, *child = NULL;
	struct xtcp_sock *xs = xtcp_sk(sk), *c;
	struct xtcp_listenq *lq;
	long timeo;
	int err = 0;

	lock_sock(sk);
	if (!xs->listening) {
		err = -EINVAL;
		goto out;
	}
	lq = xs->lq;	/* set before listening, freed with the socket */
	timeo = sock_rcvtimeo(sk, flags & O_NONBLOCK);
	add_wait_queue_exclusive(sk_sleep(sk), &wait);
	for (;;) {
		spin_lock_bh(&lq->lock);
		c = list_first_entry_or_null(&lq->acceptq,
					     struct xtcp_sock, child_node);
		if (c) {
			list_del_init(&c->child_node);
			c->in_queue = XQ_NONE;
			WRITE_ONCE(lq->acceptq_len, lq->acceptq_len - 1);
			child = xtcp_to_sk(c);
		}
		spin_unlock_bh(&lq->lock);
		if (child)
			break;
		if (!xs->listening) {
			err = -EINVAL;
			break;
		}
		err = xtcp_wait_check(timeo);
		if (err)
			break;
		sk_wait_event(sk, &timeo, !list_empty(&lq->acceptq) ||
			      !xs->listening, &wait);
	}
	remove_wait_queue(sk_sleep(sk), &wait);
out:
	release_sock(sk);
	if (!child)
		return err;

	lock_sock(child);
	c = xtcp_sk(child);
	if (c->parent) {
		c->parent = NULL;
		sock_put(sk);
	}
	sock_graft(child, newsock);
	newsock->state = SS_CONNECTED;
	release_sock(child);
	return 0;
}
