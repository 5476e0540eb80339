// SPDX-License-Identifier: GPL-2.0
/*
 * XTCP socket lifecycle: initialisation of a new or accepted socket,
 * destruction, the parent/child link of passive opens, and the work done
 * after every call into the protocol core (wake-ups, state mirroring).
 */
#include <linux/net.h>
#include <linux/poll.h>
#include <linux/sched/signal.h>
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
#include "xtcp_buf.h"

/**
 * xtcp_wscale_for() - the window scale @sk offers, as Linux's
 *	tcp_select_initial_window(): room for the largest buffer autotuning
 *	may reach (net.xtcp.rmem_max, by default net.ipv4.tcp_rmem[2], or
 *	net.core.rmem_max if larger), or only for the buffer the user set
 *	with SO_RCVBUF. Our window is half the buffer (xtcp_rcv_space_calc).
 * @sk: the socket, its sk_rcvbuf set
 */
u8 xtcp_wscale_for(const struct sock *sk)
{
	u32 rcvbuf = READ_ONCE(sk->sk_rcvbuf);
	u32 space = rcvbuf / 2;

	if (!(sk->sk_userlocks & SOCK_RCVBUF_LOCK)) {
		space = max_t(u32, space, xtcp_rmem_max(sock_net(sk)));
		space = max_t(u32, space, READ_ONCE(sysctl_rmem_max));
	}
	return xtcp_buf_wscale(space);
}

static void xtcp_write_space(struct sock *sk)
{
	struct socket_wq *wq;

	if (!sk_stream_is_writeable(sk) || !sk->sk_socket)
		return;
	clear_bit(SOCK_NOSPACE, &sk->sk_socket->flags);
	rcu_read_lock();
	wq = rcu_dereference(sk->sk_wq);
	if (skwq_has_sleeper(wq))
		wake_up_interruptible_poll(&wq->wait, EPOLLOUT | EPOLLWRNORM |
					   EPOLLWRBAND);
	/* SIGIO POLL_OUT for O_ASYNC owners, as sk_stream_write_space() */
	if (!(sk->sk_shutdown & SEND_SHUTDOWN))
		sk_wake_async(sk, SOCK_WAKE_SPACE, POLL_OUT);
	rcu_read_unlock();
}

/**
 * xtcp_ipv6_pinfo() - give @sk its IPv6 state (struct ipv6_pinfo), if it
 *	has none yet, with inet6_create()'s defaults
 * @sk: the socket, locked (or not yet visible to anyone)
 *
 * An XTCP socket takes its family at bind()/connect(), so the state is
 * allocated only when the socket becomes an IPv6 one or an IPv6 option is
 * set or read; an IPv4 socket, like Linux's, carries none.
 *
 * Return: 0, or -ENOMEM.
 */
int xtcp_ipv6_pinfo(struct sock *sk)
{
	struct inet_sock *inet = inet_sk(sk);
	struct ipv6_pinfo *np;

	if (inet->pinet6)
		return 0;
	np = kzalloc(sizeof(*np), GFP_KERNEL);
	if (!np)
		return -ENOMEM;
	np->hop_limit = -1;
	np->mcast_hops = IPV6_DEFAULT_MCASTHOPS;
	np->pmtudisc = IPV6_PMTUDISC_WANT;
	WRITE_ONCE(inet->pinet6, np);
	xtcp_inet6_mc_defaults(sk);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_ipv6_pinfo);

/* a passive child's copy of its listener's IPv6 state, if it has one */
static int xtcp_ipv6_pinfo_inherit(struct sock *sk, struct sock *parent)
{
	const struct ipv6_pinfo *pnp = inet6_sk(parent);
	struct ipv6_pinfo *np;

	if (!pnp)
		return 0;
	np = kmemdup(pnp, sizeof(*np), GFP_ATOMIC);
	if (!np)
		return -ENOMEM;
	np->ipv6_mc_list = NULL;
	np->ipv6_ac_list = NULL;
	np->pktoptions = NULL;
	np->rxpmtu = NULL;
	RCU_INIT_POINTER(np->opt, NULL);
	inet_sk(sk)->pinet6 = np;
	xtcp_inet6_fl_list_clear(sk);
	xtcp_inet6_inherit(sk, parent);
	return 0;
}

static void xtcp_init_inet(struct sock *sk, struct sock *parent)
{
	struct inet_sock *inet = inet_sk(sk);

	inet->uc_ttl = -1;
	xtcp_inet_mc_defaults(sk);
	inet->mc_ttl = 1;
	inet->pmtudisc = IP_PMTUDISC_WANT;
	if (parent) {
		inet->tos = inet_sk(parent)->tos;
		inet->uc_ttl = inet_sk(parent)->uc_ttl;
	}
	/* IPv6 sockets are IPv6-only; IPv4 ones must not say so, as Linux's
	 * bind-conflict rules read the flag (ipv6_only_sock())
	 */
	sk->sk_ipv6only = parent ? parent->sk_ipv6only : 0;
}

/**
 * xtcp_tcb_init() - the socket's TCB, CLOSED, with the netns parameters
 * @sk: the socket
 */
void xtcp_tcb_init(struct sock *sk)
{
	/* the congestion control's state lives in the icsk's own area */
	BUILD_BUG_ON(XTCP_CC_PRIV_U64 * sizeof(u64) > ICSK_CA_PRIV_SIZE);
	xtcp_core_init(&xtcp_sk(sk)->tcb, &xtcp_sock_ops,
		       &xtcp_pernet(sock_net(sk))->params,
		       inet_csk(sk)->icsk_ca_priv, 536, xtcp_wscale_for(sk));
}

/**
 * xtcp_sock_init() - set up the XTCP part of a new socket
 * @sk: from sk_alloc() + sock_init_data()
 * @parent: the listener for a passive child, else NULL
 */
int xtcp_sock_init(struct sock *sk, struct sock *parent)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct xtcp_net *xn = xtcp_pernet(sock_net(sk));

	xs->ofo_root = RB_ROOT;
	INIT_LIST_HEAD(&xs->child_node);
	xs->hash_node.pprev = NULL;
	xtcp_timers_init(sk);
	xtcp_init_inet(sk, parent);

	sk->sk_protocol = XTCP_SK_PROTOCOL;
	/* the hook looks sockets up under RCU (xtcp_hash.c) */
	sock_set_flag(sk, SOCK_RCU_FREE);
	sk->sk_destruct = xtcp_sock_destruct;
	sk->sk_backlog_rcv = xtcp_backlog_rcv;
	sk->sk_write_space = xtcp_write_space;
	if (parent) {
		sk->sk_rcvbuf = parent->sk_rcvbuf;
		sk->sk_sndbuf = parent->sk_sndbuf;
		sk->sk_mark = parent->sk_mark;
		sk->sk_bound_dev_if = parent->sk_bound_dev_if;
		/* the listener's SO_PRIORITY until synchronized: only its
		 * SYN-ACKs carry it (xtcp_child_ready())
		 */
		sk->sk_priority = parent->sk_priority;
		sk->sk_reuse = parent->sk_reuse;
		sk->sk_uid = parent->sk_uid;
		sk->sk_family = parent->sk_family;
		/* SO_RCVBUF / SO_SNDBUF stop autotuning in children too */
		sk->sk_userlocks |= parent->sk_userlocks &
				    (SOCK_RCVBUF_LOCK | SOCK_SNDBUF_LOCK);
		xs->topt = xtcp_sk(parent)->topt;
		/* as sk_clone_lock(): SO_KEEPALIVE is inherited */
		sock_valbool_flag(sk, SOCK_KEEPOPEN,
				  sock_flag(parent, SOCK_KEEPOPEN));
	} else {
		sk->sk_rcvbuf = xtcp_rmem_default(sock_net(sk));
		sk->sk_sndbuf = xtcp_wmem_default(sock_net(sk));
	}
	/* the netns default now, unless the listener chose one (Linux's
	 * tcp_assign_congestion_control, tcp_ca_openreq_child)
	 */
	if (!xs->topt.cc_set)
		xs->topt.cc = READ_ONCE(xn->cc_default);
	xtcp_tcb_init(sk);

	sk_sockets_allocated_inc(sk);
	spin_lock_bh(&xn->socks_lock);
	list_add_tail(&xs->node, &xn->socks);
	spin_unlock_bh(&xn->socks_lock);
	/* last: on failure the destructor undoes all of the above */
	return parent ? xtcp_ipv6_pinfo_inherit(sk, parent) : 0;
}

void xtcp_sock_destruct(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct xtcp_net *xn = xtcp_pernet(sock_net(sk));
	struct sk_buff *skb;

	spin_lock_bh(&xn->socks_lock);
	list_del(&xs->node);
	spin_unlock_bh(&xn->socks_lock);

	/* every path flushes it before the lock is released */
	if (WARN_ON_ONCE(xs->gso_skb))
		xtcp_out_purge(sk);
	xs->wq_cur = NULL;
	while ((skb = __skb_dequeue(&sk->sk_write_queue)))
		xtcp_wmem_free_skb(sk, skb);
	xtcp_ofo_purge(sk);
	xtcp_core_destroy(&xs->tcb);	/* normally freed at CLOSED already */
	xtcp_orphan_dec(sk);
	sk_sockets_allocated_dec(sk);
	/* IPv6 options set while it was AF_INET6 stay after a v4-mapped
	 * bind or connect made it AF_INET (as a Linux TCPv6 socket, it is
	 * cleaned up either way). RCU readers are done: SOCK_RCU_FREE.
	 */
	if (inet_sk(sk)->pinet6) {
		inet6_cleanup_sock(sk);
		kfree(inet_sk(sk)->pinet6);
		inet_sk(sk)->pinet6 = NULL;
	}
	kfree(xs->lq);
	inet_sock_destruct(sk);
}

/* Drop a child's link to its listener; called with the child locked. */
static void xtcp_detach_parent(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct sock *parent = xs->parent;
	struct xtcp_listenq *lq;
	bool unlinked = false;

	if (!parent)
		return;
	lq = xtcp_sk(parent)->lq;
	spin_lock_bh(&lq->lock);
	if (xs->in_queue != XQ_NONE) {
		if (xs->in_queue == XQ_SYN)
			lq->synq_len--;
		else
			WRITE_ONCE(lq->acceptq_len, lq->acceptq_len - 1);
		list_del_init(&xs->child_node);
		xs->in_queue = XQ_NONE;
		unlinked = true;
	}
	spin_unlock_bh(&lq->lock);
	if (!unlinked)
		return;	/* the listener's close or accept() owns it now */
	xs->parent = NULL;
	sock_put(parent);
	/* never accepted, so no close() will come: it is an orphan, and
	 * xtcp_done() must give its port share back
	 */
	sock_set_flag(sk, SOCK_DEAD);
	sock_put(sk);	/* the queue's reference */
}

/* A passive child became synchronized: move it to the accept queue. */
static void xtcp_child_ready(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct sock *parent = xs->parent;
	struct xtcp_listenq *lq = xtcp_sk(parent)->lq;
	bool moved = false;

	spin_lock_bh(&lq->lock);
	if (xs->in_queue == XQ_SYN) {
		list_move_tail(&xs->child_node, &lq->acceptq);
		WRITE_ONCE(lq->synq_len, lq->synq_len - 1);
		WRITE_ONCE(lq->acceptq_len, lq->acceptq_len + 1);
		xs->in_queue = XQ_ACCEPT;
		moved = true;
	}
	spin_unlock_bh(&lq->lock);
	if (!moved)
		return;
	/* Linux makes its child here, and sk_clone_lock() does not inherit
	 * SO_PRIORITY (SO_MARK it does): what the child sends from now on
	 * goes with priority 0 until the user sets one
	 */
	WRITE_ONCE(sk->sk_priority, 0);
	parent->sk_data_ready(parent);
}

/**
 * xtcp_done() - the connection reached CLOSED: stop timers, leave the
 *	tables, wake everyone.
 * @sk: the socket; the caller holds its lock and a reference
 */
void xtcp_done(struct sock *sk)
{
	xtcp_out_flush(sk);
	xtcp_timers_stop(sk);
	xtcp_ofo_purge(sk);
	xtcp_unhash(sk);
	xtcp_detach_parent(sk);
	WRITE_ONCE(sk->sk_shutdown, SHUTDOWN_MASK);
	xtcp_set_sk_state(sk, TCP_CLOSE);
	if (sock_flag(sk, SOCK_DEAD))
		xtcp_unbind(sk);
	sk->sk_state_change(sk);
}

/* Glue work after every call into the core, under the socket lock. */
void xtcp_after_core(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	xtcp_out_flush(sk);	/* the end of the core call's segment run */
	xtcp_urg_after_core(sk);
	xtcp_wq_free_acked(sk);
	switch (xs->tcb.state) {
	case XTCP_CLOSED:
		if (xs->hashed || xs->parent)
			xtcp_done(sk);
		break;
	case XTCP_TIME_WAIT:
		xtcp_time_wait(sk);
		break;
	case XTCP_SYN_RECEIVED:
	case XTCP_LISTEN:
	case XTCP_SYN_SENT:
		break;
	default:
		if (xs->parent)
			xtcp_child_ready(sk);
		break;
	}
}
