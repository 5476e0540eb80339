// SPDX-License-Identifier: GPL-2.0
/*
 * XTCP socket calls (RFC 9293 §3.10.1-5 user interface): bind, connect,
 * listen, accept, sendmsg, recvmsg, poll, shutdown, close and options.
 * Each enters the protocol core under lock_sock().
 */
#include <linux/net.h>
#include <linux/poll.h>
#include <linux/sched/signal.h>
#include <linux/tcp.h>
#include <linux/sockios.h>
#include <asm/ioctls.h>
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

#define XTCP_CHUNK	16384	/* bytes per send-buffer skb */

enum { XQ_NONE, XQ_SYN, XQ_ACCEPT };

static u8 xtcp_wscale_for(int rcvbuf)
{
	u8 s = 0;

	/* our window is half the free buffer (xtcp_sock_rcv_space) */
	while (s < 14 && (65535U << s) < (u32)rcvbuf / 2)
		s++;
	return s;
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
	rcu_read_unlock();
}

static void xtcp_init_inet(struct sock *sk, struct sock *parent)
{
	struct inet_sock *inet = inet_sk(sk);
	struct ipv6_pinfo *np = &((struct xtcp6_sock *)sk)->inet6;

	inet->uc_ttl = -1;
	inet->mc_loop = 1;
	inet->mc_ttl = 1;
	inet->mc_all = 1;
	inet->pmtudisc = IP_PMTUDISC_WANT;
	inet->pinet6 = np;
	if (parent) {
		memcpy(np, inet6_sk(parent), sizeof(*np));
		np->ipv6_mc_list = NULL;
		np->ipv6_ac_list = NULL;
		np->ipv6_fl_list = NULL;
		np->pktoptions = NULL;
		np->rxpmtu = NULL;
		RCU_INIT_POINTER(np->opt, NULL);
		inet->tos = inet_sk(parent)->tos;
		inet->uc_ttl = inet_sk(parent)->uc_ttl;
	} else {
		np->hop_limit = -1;
		np->mcast_hops = IPV6_DEFAULT_MCASTHOPS;
		np->mc_loop = 1;
		np->mc_all = 1;
		np->pmtudisc = IPV6_PMTUDISC_WANT;
	}
	sk->sk_ipv6only = 1;
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

	INIT_LIST_HEAD(&xs->synq);
	INIT_LIST_HEAD(&xs->acceptq);
	INIT_LIST_HEAD(&xs->child_node);
	INIT_HLIST_NODE(&xs->bind_node);
	INIT_HLIST_NODE(&xs->hash_node);
	spin_lock_init(&xs->qlock);
	xtcp_timers_init(sk);
	xtcp_init_inet(sk, parent);

	sk->sk_protocol = IPPROTO_TCP;
	sk->sk_destruct = xtcp_sock_destruct;
	sk->sk_backlog_rcv = xtcp_backlog_rcv;
	sk->sk_write_space = xtcp_write_space;
	if (parent) {
		sk->sk_rcvbuf = parent->sk_rcvbuf;
		sk->sk_sndbuf = parent->sk_sndbuf;
		sk->sk_mark = parent->sk_mark;
		sk->sk_bound_dev_if = parent->sk_bound_dev_if;
		sk->sk_priority = parent->sk_priority;
		sk->sk_reuse = parent->sk_reuse;
		sk->sk_uid = parent->sk_uid;
		sk->sk_family = parent->sk_family;
		xs->nodelay = xtcp_sk(parent)->nodelay;
	} else {
		sk->sk_rcvbuf = xn->rmem;
		sk->sk_sndbuf = xn->wmem;
	}
	xtcp_core_init(&xs->tcb, &xtcp_sock_ops, &xn->params, 536,
		       xtcp_wscale_for(sk->sk_rcvbuf));

	spin_lock_bh(&xn->socks_lock);
	list_add_tail(&xs->node, &xn->socks);
	spin_unlock_bh(&xn->socks_lock);
	return 0;
}

void xtcp_sock_destruct(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct xtcp_net *xn = xtcp_pernet(sock_net(sk));
	struct sk_buff *skb;

	spin_lock_bh(&xn->socks_lock);
	list_del(&xs->node);
	spin_unlock_bh(&xn->socks_lock);

	while ((skb = __skb_dequeue(&sk->sk_write_queue))) {
		sk->sk_wmem_queued -= skb->truesize;
		kfree_skb(skb);
	}
	if (sk->sk_family == AF_INET6)
		inet6_destroy_sock(sk);
	inet_sock_destruct(sk);
}

/* Drop a child's link to its listener; called with the child locked. */
static void xtcp_detach_parent(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct sock *parent = xs->parent;
	struct xtcp_sock *pxs;
	bool unlinked = false;

	if (!parent)
		return;
	pxs = xtcp_sk(parent);
	spin_lock_bh(&pxs->qlock);
	if (xs->in_queue != XQ_NONE) {
		if (xs->in_queue == XQ_SYN)
			pxs->synq_len--;
		else
			pxs->acceptq_len--;
		list_del_init(&xs->child_node);
		xs->in_queue = XQ_NONE;
		unlinked = true;
	}
	spin_unlock_bh(&pxs->qlock);
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
	struct xtcp_sock *pxs = xtcp_sk(parent);
	bool moved = false;

	spin_lock_bh(&pxs->qlock);
	if (xs->in_queue == XQ_SYN) {
		list_move_tail(&xs->child_node, &pxs->acceptq);
		pxs->synq_len--;
		pxs->acceptq_len++;
		xs->in_queue = XQ_ACCEPT;
		moved = true;
	}
	spin_unlock_bh(&pxs->qlock);
	if (moved)
		parent->sk_data_ready(parent);
}

/**
 * xtcp_done() - the connection reached CLOSED: stop timers, leave the
 *	tables, wake everyone.
 * @sk: the socket; the caller holds its lock and a reference
 */
void xtcp_done(struct sock *sk)
{
	xtcp_timers_stop(sk);
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

/* Route the socket's 4-tuple, pick the source address, cache the route. */
static int xtcp_route(struct sock *sk, u32 *mtu)
{
	struct inet_sock *inet = inet_sk(sk);
	struct net *net = sock_net(sk);

	if (sk->sk_family == AF_INET6) {
		struct dst_entry *dst;
		struct flowi6 fl6;

		dst = xtcp_route6(sk, &fl6);
		if (IS_ERR(dst))
			return PTR_ERR(dst);
		*mtu = dst_mtu(dst) - sizeof(struct ipv6hdr) -
		       sizeof(struct tcphdr);
	} else {
		/* ip_queue_xmit() builds the IP header from cork.fl */
		struct flowi4 *fl4 = &inet->cork.fl.u.ip4;
		struct rtable *rt;

		rt = ip_route_output_ports(net, fl4, sk, inet->inet_daddr,
					   inet->inet_saddr, inet->inet_dport,
					   inet->inet_sport, IPPROTO_TCP,
					   RT_CONN_FLAGS(sk),
					   sk->sk_bound_dev_if);
		if (IS_ERR(rt))
			return PTR_ERR(rt);
		if (rt->rt_flags & (RTCF_MULTICAST | RTCF_BROADCAST)) {
			ip_rt_put(rt);
			return -ENETUNREACH;
		}
		if (!inet->inet_saddr) {
			inet->inet_saddr = fl4->saddr;
			inet->inet_rcv_saddr = fl4->saddr;
		}
		sk_setup_caps(sk, &rt->dst);
		*mtu = dst_mtu(&rt->dst) - sizeof(struct iphdr) -
		       sizeof(struct tcphdr);
	}
	return 0;
}

static void xtcp_set_mss(struct sock *sk, u32 mss)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	xs->tcb.rcv_mss = clamp_t(u32, mss, 88, 65495);
}

/* ---- bind ---- */

static int xtcp_check_port(struct sock *sk, u16 port)
{
	struct net *net = sock_net(sk);

	if (port && inet_port_requires_bind_service(net, port) &&
	    !ns_capable(net->user_ns, CAP_NET_BIND_SERVICE))
		return -EACCES;
	return 0;
}

static int xtcp_bind4(struct sock *sk, struct sockaddr_in *a)
{
	struct inet_sock *inet = inet_sk(sk);
	u16 port = ntohs(a->sin_port);
	int err;

	if (a->sin_addr.s_addr != htonl(INADDR_ANY) &&
	    inet_addr_type(sock_net(sk), a->sin_addr.s_addr) != RTN_LOCAL &&
	    !inet->freebind && !inet->transparent)
		return -EADDRNOTAVAIL;
	err = xtcp_check_port(sk, port);
	if (err)
		return err;
	sk->sk_family = AF_INET;
	inet->inet_rcv_saddr = a->sin_addr.s_addr;
	inet->inet_saddr = a->sin_addr.s_addr;
	err = xtcp_bind_port(sk, port);
	if (err) {
		inet->inet_rcv_saddr = 0;
		inet->inet_saddr = 0;
	}
	return err;
}

static int xtcp_bind6(struct sock *sk, struct sockaddr_in6 *a)
{
	struct ipv6_pinfo *np = inet6_sk(sk);
	int type = ipv6_addr_type(&a->sin6_addr);
	u16 port = ntohs(a->sin6_port);
	int dif = sk->sk_bound_dev_if;
	int err;

	if (type & IPV6_ADDR_MAPPED)
		return -EINVAL;	/* XTCP IPv6 sockets are IPv6-only */
	if (type & IPV6_ADDR_MULTICAST)
		return -EINVAL;
	if (type & IPV6_ADDR_LINKLOCAL) {
		if (a->sin6_scope_id)
			dif = a->sin6_scope_id;
		if (!dif)
			return -EINVAL;
	}
	if (type != IPV6_ADDR_ANY && !inet_sk(sk)->freebind &&
	    !ipv6_chk_addr(sock_net(sk), &a->sin6_addr,
			   dif ? dev_get_by_index_rcu(sock_net(sk), dif) : NULL,
			   0))
		return -EADDRNOTAVAIL;
	err = xtcp_check_port(sk, port);
	if (err)
		return err;
	sk->sk_family = AF_INET6;
	sk->sk_bound_dev_if = dif;
	sk->sk_v6_rcv_saddr = a->sin6_addr;
	np->saddr = a->sin6_addr;
	err = xtcp_bind_port(sk, port);
	if (err) {
		sk->sk_v6_rcv_saddr = in6addr_any;
		np->saddr = in6addr_any;
	}
	return err;
}

static int xtcp_bind(struct socket *sock, struct sockaddr *uaddr, int len)
{
	struct sock *sk = sock->sk;
	int err;

	if (len >= (int)sizeof(sa_family_t) && uaddr->sa_family == AF_INET6) {
		if (len < SIN6_LEN_RFC2133)
			return -EINVAL;
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)uaddr;

		if (len < (int)sizeof(struct sockaddr_in))
			return -EINVAL;
		/* as inet_bind(): AF_UNSPEC only with INADDR_ANY */
		if (a->sin_family != AF_INET &&
		    (a->sin_family != AF_UNSPEC ||
		     a->sin_addr.s_addr != htonl(INADDR_ANY)))
			return -EAFNOSUPPORT;
	}

	lock_sock(sk);
	if (xtcp_sk(sk)->bound || xtcp_sk(sk)->tcb.state != XTCP_CLOSED) {
		err = -EINVAL;
		goto out;
	}
	rcu_read_lock();
	if (uaddr->sa_family == AF_INET6)
		err = xtcp_bind6(sk, (struct sockaddr_in6 *)uaddr);
	else
		err = xtcp_bind4(sk, (struct sockaddr_in *)uaddr);
	rcu_read_unlock();
	if (!err)
		sk->sk_userlocks |= SOCK_BINDPORT_LOCK;
out:
	release_sock(sk);
	return err;
}

/* ---- connect ---- */

static int xtcp_set_peer(struct sock *sk, struct sockaddr *uaddr, int len)
{
	struct inet_sock *inet = inet_sk(sk);

	if (uaddr->sa_family == AF_INET6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)uaddr;
		int type;

		if (len < SIN6_LEN_RFC2133)
			return -EINVAL;
		if (xtcp_sk(sk)->bound && sk->sk_family != AF_INET6)
			return -EAFNOSUPPORT;
		type = ipv6_addr_type(&a->sin6_addr);
		if (type & (IPV6_ADDR_MULTICAST | IPV6_ADDR_MAPPED))
			return -ENETUNREACH;
		if (type == IPV6_ADDR_ANY)
			a->sin6_addr = in6addr_loopback;
		if (type & IPV6_ADDR_LINKLOCAL) {
			if (a->sin6_scope_id) {
				if (sk->sk_bound_dev_if &&
				    sk->sk_bound_dev_if != a->sin6_scope_id)
					return -EINVAL;
				sk->sk_bound_dev_if = a->sin6_scope_id;
			}
			if (!sk->sk_bound_dev_if)
				return -EINVAL;
		}
		sk->sk_family = AF_INET6;
		sk->sk_v6_daddr = a->sin6_addr;
		inet->inet_dport = a->sin6_port;
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)uaddr;

		if (len < (int)sizeof(struct sockaddr_in))
			return -EINVAL;
		if (a->sin_family != AF_INET)
			return -EAFNOSUPPORT;
		if (xtcp_sk(sk)->bound && sk->sk_family != AF_INET)
			return -EAFNOSUPPORT;
		if (ipv4_is_multicast(a->sin_addr.s_addr) ||
		    ipv4_is_lbcast(a->sin_addr.s_addr))
			return -ENETUNREACH;
		sk->sk_family = AF_INET;
		inet->inet_daddr = a->sin_addr.s_addr;
		inet->inet_dport = a->sin_port;
	}
	if (!inet->inet_dport)
		return -EINVAL;
	return 0;
}

static void xtcp_clear_peer(struct sock *sk, bool autobound)
{
	struct inet_sock *inet = inet_sk(sk);

	inet->inet_dport = 0;
	inet->inet_daddr = 0;
	sk->sk_v6_daddr = in6addr_any;
	sk_dst_reset(sk);
	if (autobound) {
		xtcp_unbind(sk);
		inet->inet_saddr = 0;
		inet->inet_rcv_saddr = 0;
		sk->sk_v6_rcv_saddr = in6addr_any;
		inet6_sk(sk)->saddr = in6addr_any;
	}
}

/* OPEN, active (§3.10.1) */
static int xtcp_start_connect(struct sock *sk, struct sockaddr *uaddr,
			      int len)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct xtcp_net *xn = xtcp_pernet(sock_net(sk));
	bool autobound = !xs->bound;
	struct xtcp_tuple t;
	u32 mss, iss;
	int err;

	err = xtcp_set_peer(sk, uaddr, len);
	if (err)
		return err;
	/* a socket may connect again after a failed attempt */
	WRITE_ONCE(sk->sk_shutdown, 0);
	WRITE_ONCE(sk->sk_err, 0);
	err = xtcp_route(sk, &mss);
	if (err)
		goto fail;
	err = xtcp_connect_bind(sk);
	if (err)
		goto fail;

	xtcp_core_init(&xs->tcb, &xtcp_sock_ops, &xn->params, 536,
		       xtcp_wscale_for(sk->sk_rcvbuf));
	xtcp_set_mss(sk, mss);
	xtcp_sk_tuple(sk, &t);
	iss = xtcp_isn(sock_net(sk), &t);
	xs->wq_seq = iss + 1;
	xs->was_connected = 1;
	XTCP_INC_STATS(xn, XTCP_MIB_ACTIVEOPENS);
	err = xtcp_core_connect(&xs->tcb, iss);
	xtcp_after_core(sk);
	return err;
fail:
	xtcp_clear_peer(sk, autobound);
	return err;
}

/* Stop waiting? -EAGAIN when the time is up (or non-blocking), the
 * signal's errno when one is pending, else 0.
 */
static int xtcp_wait_check(long timeo)
{
	if (!timeo)
		return -EAGAIN;
	if (signal_pending(current))
		return sock_intr_errno(timeo);
	return 0;
}

static int xtcp_wait_connect(struct sock *sk, long *timeo)
{
	DEFINE_WAIT_FUNC(wait, woken_wake_function);
	struct xtcp_sock *xs = xtcp_sk(sk);
	int err = 0;

	add_wait_queue(sk_sleep(sk), &wait);
	while (xs->tcb.state == XTCP_SYN_SENT ||
	       xs->tcb.state == XTCP_SYN_RECEIVED) {
		if (!*timeo) {
			err = -EINPROGRESS;
			break;
		}
		if (signal_pending(current)) {
			err = sock_intr_errno(*timeo);
			break;
		}
		sk_wait_event(sk, timeo,
			      xs->tcb.state != XTCP_SYN_SENT &&
			      xs->tcb.state != XTCP_SYN_RECEIVED, &wait);
	}
	remove_wait_queue(sk_sleep(sk), &wait);
	return err;
}

static int xtcp_connect(struct socket *sock, struct sockaddr *uaddr,
			int len, int flags)
{
	struct sock *sk = sock->sk;
	struct xtcp_sock *xs = xtcp_sk(sk);
	long timeo;
	int err;

	if (len < (int)sizeof(uaddr->sa_family))
		return -EINVAL;

	lock_sock(sk);
	if (uaddr->sa_family == AF_UNSPEC) {
		/* disconnect, as Linux TCP does: abort the connection */
		if (xs->tcb.state != XTCP_CLOSED && !xs->listening) {
			xtcp_core_abort(&xs->tcb);
			xtcp_after_core(sk);
		}
		sock->state = SS_UNCONNECTED;
		err = 0;
		goto out;
	}

	switch (sock->state) {
	case SS_CONNECTED:
		err = -EISCONN;
		goto out;
	case SS_CONNECTING:
		err = -EALREADY;
		break;
	case SS_UNCONNECTED:
		err = -EISCONN;
		if (xs->tcb.state != XTCP_CLOSED || xs->listening)
			goto out;
		err = xtcp_start_connect(sk, uaddr, len);
		if (err)
			goto out;
		sock->state = SS_CONNECTING;
		err = -EINPROGRESS;
		break;
	default:
		err = -EINVAL;
		goto out;
	}

	timeo = sock_sndtimeo(sk, flags & O_NONBLOCK);
	if (xs->tcb.state == XTCP_SYN_SENT ||
	    xs->tcb.state == XTCP_SYN_RECEIVED) {
		if (!timeo)
			goto out;	/* -EINPROGRESS or -EALREADY */
		err = xtcp_wait_connect(sk, &timeo);
		if (err)
			goto out;
	}
	if (xs->tcb.state == XTCP_CLOSED) {
		err = sock_error(sk) ? : -ECONNABORTED;
		sock->state = SS_UNCONNECTED;
		xtcp_clear_peer(sk, !(sk->sk_userlocks & SOCK_BINDPORT_LOCK));
		goto out;
	}
	sock->state = SS_CONNECTED;
	err = 0;
out:
	release_sock(sk);
	return err;
}

/* ---- listen / accept ---- */

static int xtcp_listen(struct socket *sock, int backlog)
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

/**
 * xtcp_listen_syn() - a listener took a SYN: make a child in SYN-RECEIVED
 *	(§3.10.7.2). Called in softirq with the listener locked.
 * @lsk: listener
 * @skb: the SYN
 * @t: its 4-tuple
 */
void xtcp_listen_syn(struct sock *lsk, struct sk_buff *skb,
		     const struct xtcp_tuple *t)
{
	struct xtcp_sock *lxs = xtcp_sk(lsk), *cxs;
	struct net *net = sock_net(lsk);
	struct xtcp_net *xn = xtcp_pernet(net);
	struct inet_sock *inet;
	struct sock *sk;
	u32 mss, iss;

	if (READ_ONCE(lxs->acceptq_len) >= READ_ONCE(lsk->sk_max_ack_backlog)) {
		XTCP_INC_STATS(xn, XTCP_MIB_LISTENOVERFLOWS);
		goto drop;
	}
	/* half-open bound (§3.10.7.2 leaves it to the implementation): the
	 * netns limit, and no more than the listen() backlog, as Linux's
	 * request queue
	 */
	if (READ_ONCE(lxs->synq_len) >=
	    min_t(int, xn->max_syn_backlog,
		  max_t(int, READ_ONCE(lsk->sk_max_ack_backlog), 1))) {
		XTCP_INC_STATS(xn, XTCP_MIB_SYNQDROPS);
		goto drop;
	}

	sk = sk_alloc(net, lsk->sk_family, GFP_ATOMIC, &xtcp_prot, 0);
	if (!sk)
		goto drop;
	sock_init_data(NULL, sk);
	sk->sk_type = SOCK_STREAM;	/* no struct socket to copy it from */
	xtcp_sock_init(sk, lsk);
	cxs = xtcp_sk(sk);
	inet = inet_sk(sk);
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
	xtcp_bind_inherit(sk);
	cxs->was_connected = 1;

	bh_lock_sock_nested(sk);
	if (xtcp_ehash_insert(sk)) {
		bh_unlock_sock(sk);
		goto free;
	}
	spin_lock(&lxs->qlock);
	list_add_tail(&cxs->child_node, &lxs->synq);
	lxs->synq_len++;
	cxs->in_queue = XQ_SYN;
	spin_unlock(&lxs->qlock);
	sock_hold(lsk);
	cxs->parent = lsk;

	iss = xtcp_isn(net, t);
	cxs->wq_seq = iss + 1;
	XTCP_INC_STATS(xn, XTCP_MIB_PASSIVEOPENS);
	xtcp_core_accept_syn(&cxs->tcb, &XTCP_SKB_CB(skb)->seg, iss);
	xtcp_after_core(sk);
	bh_unlock_sock(sk);
	return;

free:
	sock_set_flag(sk, SOCK_DEAD);
	xtcp_unbind(sk);
	sk_free(sk);
drop:
	XTCP_INC_STATS(xn, XTCP_MIB_LISTENDROPS);
}

/* Close a listener: every child not yet accepted is reset. */
static void xtcp_listen_stop(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk), *c, *tmp;
	LIST_HEAD(list);

	spin_lock_bh(&xs->qlock);
	list_splice_init(&xs->synq, &list);
	list_splice_tail_init(&xs->acceptq, &list);
	list_for_each_entry(c, &list, child_node)
		c->in_queue = XQ_NONE;
	xs->synq_len = 0;
	xs->acceptq_len = 0;
	spin_unlock_bh(&xs->qlock);

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

static int xtcp_accept(struct socket *sock, struct socket *newsock,
		       int flags, bool kern)
{
	DEFINE_WAIT_FUNC(wait, woken_wake_function);
	struct sock *sk = sock->sk, *child = NULL;
	struct xtcp_sock *xs = xtcp_sk(sk), *c;
	long timeo;
	int err = 0;

	lock_sock(sk);
	if (!xs->listening) {
		err = -EINVAL;
		goto out;
	}
	timeo = sock_rcvtimeo(sk, flags & O_NONBLOCK);
	add_wait_queue_exclusive(sk_sleep(sk), &wait);
	for (;;) {
		spin_lock_bh(&xs->qlock);
		c = list_first_entry_or_null(&xs->acceptq, struct xtcp_sock,
					     child_node);
		if (c) {
			list_del_init(&c->child_node);
			c->in_queue = XQ_NONE;
			xs->acceptq_len--;
			child = xtcp_to_sk(c);
		}
		spin_unlock_bh(&xs->qlock);
		if (child)
			break;
		if (!xs->listening) {
			err = -EINVAL;
			break;
		}
		err = xtcp_wait_check(timeo);
		if (err)
			break;
		sk_wait_event(sk, &timeo, !list_empty(&xs->acceptq) ||
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

/* ---- data ---- */

static int xtcp_wait_sndbuf(struct sock *sk, long *timeo)
{
	DEFINE_WAIT_FUNC(wait, woken_wake_function);
	int err = 0;

	add_wait_queue(sk_sleep(sk), &wait);
	for (;;) {
		if (sk->sk_err || (sk->sk_shutdown & SEND_SHUTDOWN)) {
			err = -EPIPE;
			break;
		}
		if (sk_stream_memory_free(sk))
			break;
		err = xtcp_wait_check(*timeo);
		if (err)
			break;
		set_bit(SOCK_NOSPACE, &sk->sk_socket->flags);
		sk_wait_event(sk, timeo, READ_ONCE(sk->sk_err) ||
			      (READ_ONCE(sk->sk_shutdown) & SEND_SHUTDOWN) ||
			      sk_stream_memory_free(sk), &wait);
	}
	remove_wait_queue(sk_sleep(sk), &wait);
	return err;
}

static bool xtcp_can_send(const struct xtcp_sock *xs)
{
	return xs->tcb.state == XTCP_ESTABLISHED ||
	       xs->tcb.state == XTCP_CLOSE_WAIT;
}

static int xtcp_sendmsg(struct socket *sock, struct msghdr *msg, size_t len)
{
	struct sock *sk = sock->sk;
	struct xtcp_sock *xs = xtcp_sk(sk);
	size_t copied = 0;
	long timeo;
	int err = 0;

	if (msg->msg_flags & MSG_OOB)
		return -EOPNOTSUPP;

	lock_sock(sk);
	timeo = sock_sndtimeo(sk, msg->msg_flags & MSG_DONTWAIT);
	if (xs->tcb.state == XTCP_SYN_SENT ||
	    xs->tcb.state == XTCP_SYN_RECEIVED) {
		err = xtcp_wait_connect(sk, &timeo);
		if (err == -EINPROGRESS)
			err = -EAGAIN;
		if (err)
			goto out;
	}

	while (copied < len) {
		struct sk_buff *skb;
		size_t n;

		if (sk->sk_err) {
			err = sock_error(sk);
			break;
		}
		if ((sk->sk_shutdown & SEND_SHUTDOWN) || !xtcp_can_send(xs)) {
			err = -EPIPE;	/* as Linux, also when never connected */
			break;
		}
		if (!sk_stream_memory_free(sk)) {
			xtcp_core_output(&xs->tcb);
			xtcp_after_core(sk);
			err = xtcp_wait_sndbuf(sk, &timeo);
			if (err)
				break;
			continue;
		}
		n = min_t(size_t, len - copied, XTCP_CHUNK);
		skb = alloc_skb(n, sk->sk_allocation);
		if (!skb) {
			err = -ENOBUFS;
			break;
		}
		if (memcpy_from_msg(skb_put(skb, n), msg, n)) {
			kfree_skb(skb);
			err = -EFAULT;
			break;
		}
		__skb_queue_tail(&sk->sk_write_queue, skb);
		sk->sk_wmem_queued += skb->truesize;
		xs->tcb.snd_end += n;
		copied += n;
		if (copied == len || !sk_stream_memory_free(sk)) {
			xtcp_core_output(&xs->tcb);
			xtcp_after_core(sk);
		}
	}
out:
	release_sock(sk);
	if (copied)
		return copied;
	if (err == -EPIPE && !(msg->msg_flags & MSG_NOSIGNAL))
		send_sig(SIGPIPE, current, 0);
	return err;
}

static bool xtcp_eof(const struct sock *sk)
{
	return (xtcp_sk(sk)->tcb.fl & XTCP_F_FIN_RCVD) ||
	       (sk->sk_shutdown & RCV_SHUTDOWN);
}

static int xtcp_recvmsg(struct socket *sock, struct msghdr *msg, size_t len,
			int flags)
{
	DEFINE_WAIT_FUNC(wait, woken_wake_function);
	struct sock *sk = sock->sk;
	struct xtcp_sock *xs = xtcp_sk(sk);
	bool peek = flags & MSG_PEEK;
	size_t copied = 0;
	long timeo;
	int target, err = 0;

	if (flags & (MSG_OOB | MSG_ERRQUEUE))
		return -EINVAL;

	lock_sock(sk);
	if (xs->listening) {
		err = -ENOTCONN;
		goto out;
	}
	timeo = sock_rcvtimeo(sk, flags & MSG_DONTWAIT);
	target = sock_rcvlowat(sk, flags & MSG_WAITALL, len);
	add_wait_queue(sk_sleep(sk), &wait);
	while (copied < len) {
		struct sk_buff *skb;
		u32 off = xs->rx_off;	/* only the head is partly read */
		bool got = false;

		skb_queue_walk(&sk->sk_receive_queue, skb) {
			struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
			u32 n = min_t(size_t, cb->seg.len - off, len - copied);

			if (skb_copy_datagram_msg(skb, cb->doff + off, msg,
						  n)) {
				err = -EFAULT;
				break;
			}
			copied += n;
			got = true;
			if (!peek) {
				xs->rx_off += n;
				if (xs->rx_off == cb->seg.len) {
					__skb_unlink(skb, &sk->sk_receive_queue);
					kfree_skb(skb);
					xs->rx_off = 0;
				}
				break;
			}
			off = 0;
			if (copied == len)
				break;
		}
		if (err || (peek && got))
			break;
		if (got)
			continue;

		if (copied >= target)
			break;
		if (copied && (sk->sk_err || xtcp_eof(sk) ||
			       signal_pending(current)))
			break;
		/* as tcp_recvmsg(): the peer's FIN, then an error (a reset
		 * also shuts the socket down), then a local shutdown
		 */
		if (xs->tcb.fl & XTCP_F_FIN_RCVD)
			break;
		if (sk->sk_err) {
			err = sock_error(sk);
			break;
		}
		if (sk->sk_shutdown & RCV_SHUTDOWN)
			break;
		if (xs->tcb.state == XTCP_CLOSED) {
			if (!xs->was_connected)
				err = -ENOTCONN;
			break;
		}
		err = xtcp_wait_check(timeo);
		if (err)
			break;
		if (copied) {
			xtcp_core_recvd(&xs->tcb);
			xtcp_after_core(sk);
		}
		sk_wait_event(sk, &timeo,
			      !skb_queue_empty(&sk->sk_receive_queue) ||
			      READ_ONCE(sk->sk_err) || xtcp_eof(sk) ||
			      xs->tcb.state == XTCP_CLOSED, &wait);
	}
	remove_wait_queue(sk_sleep(sk), &wait);
	if (copied && !peek) {
		xtcp_core_recvd(&xs->tcb);
		xtcp_after_core(sk);
	}
out:
	release_sock(sk);
	return copied ? copied : err;
}

static __poll_t xtcp_poll(struct file *file, struct socket *sock,
			  poll_table *wait)
{
	struct sock *sk = sock->sk;
	struct xtcp_sock *xs = xtcp_sk(sk);
	unsigned int state = READ_ONCE(xs->tcb.state);
	u8 shutdown;
	__poll_t mask = 0;

	sock_poll_wait(file, sock, wait);
	if (xs->listening)
		return READ_ONCE(xs->acceptq_len) ? EPOLLIN | EPOLLRDNORM : 0;

	shutdown = READ_ONCE(sk->sk_shutdown);
	if (shutdown == SHUTDOWN_MASK || state == XTCP_CLOSED)
		mask |= EPOLLHUP;
	if (xtcp_eof(sk))
		mask |= EPOLLIN | EPOLLRDNORM | EPOLLRDHUP;
	if (state != XTCP_SYN_SENT && state != XTCP_SYN_RECEIVED) {
		if (!skb_queue_empty_lockless(&sk->sk_receive_queue))
			mask |= EPOLLIN | EPOLLRDNORM;
		if (!(shutdown & SEND_SHUTDOWN)) {
			if (sk_stream_is_writeable(sk)) {
				mask |= EPOLLOUT | EPOLLWRNORM;
			} else {
				sk_set_bit(SOCKWQ_ASYNC_NOSPACE, sk);
				set_bit(SOCK_NOSPACE, &sk->sk_socket->flags);
				/* NOSPACE before re-reading the space,
				 * as tcp_poll() does
				 */
				smp_mb__after_atomic();
				if (sk_stream_is_writeable(sk))
					mask |= EPOLLOUT | EPOLLWRNORM;
			}
		} else {
			mask |= EPOLLOUT | EPOLLWRNORM;
		}
	}
	if (READ_ONCE(sk->sk_err))
		mask |= EPOLLERR;
	return mask;
}

static int xtcp_shutdown(struct socket *sock, int how)
{
	struct sock *sk = sock->sk;
	struct xtcp_sock *xs = xtcp_sk(sk);
	int err = 0;

	how++;	/* SHUT_RD/WR/RDWR -> RCV_SHUTDOWN/SEND_SHUTDOWN/both */
	if ((how & ~SHUTDOWN_MASK) || !how)
		return -EINVAL;

	lock_sock(sk);
	if (sock->state == SS_CONNECTING &&
	    (xs->tcb.state == XTCP_SYN_SENT ||
	     xs->tcb.state == XTCP_SYN_RECEIVED ||
	     xs->tcb.state == XTCP_CLOSED))
		sock->state = SS_DISCONNECTING;
	else if (sock->state == SS_CONNECTING)
		sock->state = SS_CONNECTED;

	if (xs->listening) {
		if (how & RCV_SHUTDOWN) {
			xtcp_unhash(sk);
			xtcp_listen_stop(sk);
			xtcp_core_close(&xs->tcb);
		}
	} else if (xs->tcb.state == XTCP_CLOSED) {
		err = -ENOTCONN;
	} else {
		WRITE_ONCE(sk->sk_shutdown, sk->sk_shutdown | how);
		if (how & SEND_SHUTDOWN) {
			xtcp_core_close(&xs->tcb);
			xtcp_after_core(sk);
		}
	}
	sk->sk_state_change(sk);
	release_sock(sk);
	return err;
}

static void xtcp_linger_wait(struct sock *sk)
{
	DEFINE_WAIT_FUNC(wait, woken_wake_function);
	struct xtcp_sock *xs = xtcp_sk(sk);
	long timeo = sk->sk_lingertime;

	add_wait_queue(sk_sleep(sk), &wait);
	while (timeo && !signal_pending(current) &&
	       xs->tcb.state != XTCP_CLOSED &&
	       !(xs->tcb.fl & XTCP_F_FIN_SENT && xs->tcb.snd_una == xs->tcb.snd_nxt))
		sk_wait_event(sk, &timeo, xs->tcb.state == XTCP_CLOSED ||
			      (xs->tcb.fl & XTCP_F_FIN_SENT &&
			       xs->tcb.snd_una == xs->tcb.snd_nxt), &wait);
	remove_wait_queue(sk_sleep(sk), &wait);
}

/* CLOSE (§3.10.4) from close(2) */
static int xtcp_release(struct socket *sock)
{
	struct sock *sk = sock->sk;
	struct xtcp_sock *xs;

	if (!sk)
		return 0;
	xs = xtcp_sk(sk);
	lock_sock(sk);
	WRITE_ONCE(sk->sk_shutdown, SHUTDOWN_MASK);
	xs->tcb.fl |= XTCP_F_ORPHAN;
	if (xs->listening) {
		xtcp_unhash(sk);
		xtcp_listen_stop(sk);
		xtcp_core_close(&xs->tcb);
	} else if (xs->tcb.state != XTCP_CLOSED) {
		/* unread data or SO_LINGER 0: abort (RFC 9293 §3.10.4, as
		 * Linux's tcp_close)
		 */
		if (!skb_queue_empty(&sk->sk_receive_queue) ||
		    (sock_flag(sk, SOCK_LINGER) && !sk->sk_lingertime)) {
			xtcp_core_abort(&xs->tcb);
		} else {
			xtcp_core_close(&xs->tcb);
		}
		xtcp_after_core(sk);
		if (sock_flag(sk, SOCK_LINGER) && sk->sk_lingertime)
			xtcp_linger_wait(sk);
	}
	__skb_queue_purge(&sk->sk_receive_queue);
	xs->rx_off = 0;
	sock_orphan(sk);
	if (xs->tcb.state == XTCP_CLOSED) {
		xtcp_done(sk);
		xtcp_unbind(sk);
	}
	release_sock(sk);
	sock->sk = NULL;
	sock_put(sk);
	return 0;
}

static int xtcp_getname(struct socket *sock, struct sockaddr *uaddr, int peer)
{
	if (sock->sk->sk_family == AF_INET6)
		return inet6_getname(sock, uaddr, peer);
	return inet_getname(sock, uaddr, peer);
}

static bool xtcp_mcast_opt(int level, int optname)
{
	if (level == SOL_IP)
		return (optname >= IP_ADD_MEMBERSHIP &&
			optname <= IP_DROP_MEMBERSHIP) ||
		       (optname >= IP_UNBLOCK_SOURCE &&
			optname <= IP_MSFILTER) ||
		       (optname >= MCAST_JOIN_GROUP &&
			optname <= MCAST_MSFILTER);
	return optname == IPV6_ADDRFORM ||
	       optname == IPV6_ADD_MEMBERSHIP ||
	       optname == IPV6_DROP_MEMBERSHIP ||
	       optname == IPV6_JOIN_ANYCAST || optname == IPV6_LEAVE_ANYCAST ||
	       (optname >= MCAST_JOIN_GROUP && optname <= MCAST_MSFILTER);
}

static int xtcp_setsockopt(struct socket *sock, int level, int optname,
			   sockptr_t optval, unsigned int optlen)
{
	struct sock *sk = sock->sk;
	int val;

	switch (level) {
	case SOL_TCP:
		if (optname != TCP_NODELAY)
			return -ENOPROTOOPT;
		if (optlen < sizeof(int))
			return -EINVAL;
		if (copy_from_sockptr(&val, optval, sizeof(val)))
			return -EFAULT;
		lock_sock(sk);
		xtcp_sk(sk)->nodelay = !!val;
		release_sock(sk);
		return 0;
	case SOL_IP:
		if (sk->sk_family != AF_INET)
			return -ENOPROTOOPT;
		if (xtcp_mcast_opt(level, optname))
			return -EPROTO;
		return ip_setsockopt(sk, level, optname, optval, optlen);
	case SOL_IPV6:
		if (sk->sk_family != AF_INET6)
			return -ENOPROTOOPT;
		if (xtcp_mcast_opt(level, optname))
			return -EPROTO;
		if (optname == IPV6_V6ONLY)
			return -EINVAL;	/* always IPv6-only */
		return ipv6_setsockopt(sk, level, optname, optval, optlen);
	default:
		return -ENOPROTOOPT;
	}
}

static int xtcp_getsockopt(struct socket *sock, int level, int optname,
			   char __user *optval, int __user *optlen)
{
	struct sock *sk = sock->sk;
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct xtcp_info info;
	int len, val;

	if (level == SOL_IP && sk->sk_family == AF_INET)
		return ip_getsockopt(sk, level, optname, optval, optlen);
	if (level == SOL_IPV6 && sk->sk_family == AF_INET6)
		return ipv6_getsockopt(sk, level, optname, optval, optlen);
	if (get_user(len, optlen))
		return -EFAULT;
	if (len < 0)
		return -EINVAL;

	if (level == SOL_XTCP && optname == XTCP_INFO) {
		lock_sock(sk);
		xtcp_core_info(&xs->tcb, &info);
		info.bytes_sent = xs->bytes_sent;
		release_sock(sk);
		len = min_t(unsigned int, len, sizeof(info));
		if (put_user(len, optlen) || copy_to_user(optval, &info, len))
			return -EFAULT;
		return 0;
	}
	if (level != SOL_TCP)
		return -ENOPROTOOPT;
	switch (optname) {
	case TCP_NODELAY:
		val = xs->nodelay;
		break;
	case TCP_MAXSEG:
		val = xs->tcb.snd_mss ? : xs->tcb.rcv_mss;
		break;
	default:
		return -ENOPROTOOPT;
	}
	len = min_t(unsigned int, len, sizeof(int));
	if (put_user(len, optlen) || copy_to_user(optval, &val, len))
		return -EFAULT;
	return 0;
}

static int xtcp_ioctl(struct socket *sock, unsigned int cmd, unsigned long arg)
{
	struct sock *sk = sock->sk;
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct sk_buff *skb;
	int answ = 0;

	switch (cmd) {
	case SIOCINQ:
		if (xs->listening)
			return -EINVAL;
		lock_sock(sk);
		skb_queue_walk(&sk->sk_receive_queue, skb)
			answ += XTCP_SKB_CB(skb)->seg.len;
		answ -= xs->rx_off;
		release_sock(sk);
		break;
	case SIOCOUTQ:
		if (xs->listening)
			return -EINVAL;
		lock_sock(sk);
		if (xtcp_seq_gt(xs->tcb.snd_end, xs->tcb.snd_una))
			answ = xs->tcb.snd_end - xs->tcb.snd_una;
		release_sock(sk);
		break;
	default:
		return -ENOIOCTLCMD;
	}
	return put_user(answ, (int __user *)arg);
}

const struct proto_ops xtcp_proto_ops = {
	.family		= PF_XTCP,
	.owner		= THIS_MODULE,
	.release	= xtcp_release,
	.bind		= xtcp_bind,
	.connect	= xtcp_connect,
	.socketpair	= sock_no_socketpair,
	.accept		= xtcp_accept,
	.getname	= xtcp_getname,
	.poll		= xtcp_poll,
	.ioctl		= xtcp_ioctl,
	.listen		= xtcp_listen,
	.shutdown	= xtcp_shutdown,
	.setsockopt	= xtcp_setsockopt,
	.getsockopt	= xtcp_getsockopt,
	.sendmsg	= xtcp_sendmsg,
	.recvmsg	= xtcp_recvmsg,
	.mmap		= sock_no_mmap,
};
