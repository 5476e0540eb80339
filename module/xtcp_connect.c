// SPDX-License-Identifier: GPL-2.0
/*
 * XTCP bind, connect and getname (RFC 9293 §3.10.1 OPEN): local
 * addresses and ports, routes and the MSS they give, the active open.
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

/* Route the socket's 4-tuple, pick the source address, cache the route. */
int xtcp_route(struct sock *sk, u32 *mtu)
{
	struct inet_sock *inet = inet_sk(sk);
	struct net *net = sock_net(sk);
	bool v6 = sk->sk_family == AF_INET6 && !xtcp_sk(sk)->v4mapped;

	/* sk_setup_caps() (here and when a route is looked up again)
	 * enables GSO for it, as tcp_v4_connect() / tcp_v6_connect(). A
	 * [::]-bound socket connecting to a v4-mapped peer routes as IPv4
	 * while still AF_INET6 (xtcp_set_saddr)
	 */
	sk->sk_gso_type = v6 ? SKB_GSO_TCPV6 : SKB_GSO_TCPV4;
	if (v6) {
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
					   xtcp_rt_conn_flags(sk),
					   sk->sk_bound_dev_if);
		if (IS_ERR(rt))
			return PTR_ERR(rt);
		if (rt->rt_flags & (RTCF_MULTICAST | RTCF_BROADCAST)) {
			ip_rt_put(rt);
			return -ENETUNREACH;
		}
		if (!inet->inet_saddr) {
			int err = xtcp_set_saddr(sk, &fl4->saddr);

			if (err) {
				ip_rt_put(rt);
				return err;
			}
		}
		sk_setup_caps(sk, &rt->dst);
		*mtu = dst_mtu(&rt->dst) - sizeof(struct iphdr) -
		       sizeof(struct tcphdr);
	}
	return 0;
}

void xtcp_set_mss(struct sock *sk, u32 mss)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	xs->tcb.rcv_mss = clamp_t(u32, mss, 88, 65495);
	xtcp_tcpopt_apply(&xs->topt, &xs->tcb);
	xs->tcb.keepalive = sock_flag(sk, SOCK_KEEPOPEN);
}

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
	    !xtcp_inet_freebind(sk) && !xtcp_inet_transparent(sk))
		return -EADDRNOTAVAIL;
	err = xtcp_check_port(sk, port);
	if (err)
		return err;
	sk->sk_family = AF_INET;
	sk->sk_ipv6only = 0;
	inet->inet_rcv_saddr = a->sin_addr.s_addr;
	inet->inet_saddr = a->sin_addr.s_addr;
	err = xtcp_bind_port(sk, port);
	if (err) {
		inet->inet_rcv_saddr = 0;
		inet->inet_saddr = 0;
	}
	return err;
}

/* sin6_scope_id of @a, @len bytes long: a 24-byte RFC 2133 address has
 * none, as in inet6_bind() / tcp_v6_connect()
 */
static u32 xtcp_scope_id(const struct sockaddr_in6 *a, int len)
{
	return len >= (int)sizeof(*a) ? a->sin6_scope_id : 0;
}

/**
 * xtcp_v6only() - IPV6_V6ONLY of @sk: as set with setsockopt() before the
 *	family was chosen, else the netns' net.ipv6.bindv6only (as inet6_create)
 * @sk: the socket
 */
bool xtcp_v6only(const struct sock *sk)
{
	const struct xtcp_sock *xs = xtcp_sk(sk);

	if (xs->v6only_set)
		return xs->v6only;
	return READ_ONCE(sock_net(sk)->ipv6.sysctl.bindv6only);
}

static int xtcp_bind6(struct sock *sk, struct sockaddr_in6 *a, int len)
{
	u32 scope_id = xtcp_scope_id(a, len);
	struct ipv6_pinfo *np;
	int type = ipv6_addr_type(&a->sin6_addr);
	u16 port = ntohs(a->sin6_port);
	int dif = sk->sk_bound_dev_if;
	int err;

	if (type & IPV6_ADDR_MAPPED) {
		struct sockaddr_in a4 = {
			.sin_family = AF_INET,
			.sin_port = a->sin6_port,
			.sin_addr.s_addr = a->sin6_addr.s6_addr32[3],
		};

		/* as inet6_bind(): an IPv4 address for a dual-stack socket
		 * only; it then works as an IPv4 socket
		 */
		if (xtcp_v6only(sk))
			return -EINVAL;
		err = xtcp_bind4(sk, &a4);
		if (!err)
			xtcp_sk(sk)->v4mapped = 1;
		return err;
	}
	if (type & IPV6_ADDR_MULTICAST)
		return -EINVAL;
	if (type & IPV6_ADDR_LINKLOCAL) {
		if (scope_id)
			dif = scope_id;
		if (!dif)
			return -EINVAL;
	}
	if (type != IPV6_ADDR_ANY && !xtcp_inet_freebind(sk)) {
		bool local;

		/* only the address check reads RCU-protected devices: the
		 * port search below may sleep (inet_csk_get_port)
		 */
		rcu_read_lock();
		local = ipv6_chk_addr(sock_net(sk), &a->sin6_addr,
				      dif ? dev_get_by_index_rcu(sock_net(sk),
								 dif) : NULL,
				      0);
		rcu_read_unlock();
		if (!local)
			return -EADDRNOTAVAIL;
	}
	err = xtcp_check_port(sk, port);
	if (err)
		return err;
	if (xtcp_ipv6_pinfo(sk))
		return -ENOMEM;
	np = inet6_sk(sk);
	sk->sk_family = AF_INET6;
	sk->sk_ipv6only = xtcp_v6only(sk);
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

int xtcp_bind(struct socket *sock, struct sockaddr *uaddr, int len)
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
	if (uaddr->sa_family == AF_INET6)
		err = xtcp_bind6(sk, (struct sockaddr_in6 *)uaddr, len);
	else
		err = xtcp_bind4(sk, (struct sockaddr_in *)uaddr);
	if (!err)
		sk->sk_userlocks |= SOCK_BINDPORT_LOCK;
	/* as inet_bind()/inet6_bind(): a chosen address (v4-mapped ones
	 * included) stays when a connect() fails; [::] and 0.0.0.0 do not
	 */
	if (!err && (uaddr->sa_family == AF_INET6 ?
		     !ipv6_addr_any(&((struct sockaddr_in6 *)uaddr)->sin6_addr) :
		     inet_sk(sk)->inet_rcv_saddr != htonl(INADDR_ANY)))
		sk->sk_userlocks |= SOCK_BINDADDR_LOCK;
out:
	release_sock(sk);
	return err;
}

/*
 * connect() of a dual-stack IPv6 socket to an IPv4-mapped address, as
 * tcp_v6_connect(): an IPv6-only socket cannot reach it (ENETUNREACH), nor
 * one bound to an IPv6 address (inet6_bind() makes it IPv6-only);
 * otherwise the connection is IPv4 and the socket shows mapped addresses.
 * A socket bound to [::] keeps its port: it stays AF_INET6 until the
 * route's source address moves it in bhash2 (xtcp_set_saddr).
 */
static int xtcp_set_peer_mapped(struct sock *sk, struct sockaddr_in6 *a)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	__be32 daddr = a->sin6_addr.s6_addr32[3];
	bool any6 = xs->bound && !xs->v4mapped &&
		    sk->sk_family == AF_INET6 && !sk->sk_ipv6only &&
		    ipv6_addr_any(&sk->sk_v6_rcv_saddr);

	if (xs->bound ? !xs->v4mapped && !any6 : xtcp_v6only(sk))
		return -ENETUNREACH;
	if (ipv4_is_multicast(daddr) || ipv4_is_lbcast(daddr))
		return -ENETUNREACH;
	if (!a->sin6_port)
		return -EINVAL;
	if (any6) {
		xs->map6 = 1;
	} else if (!xs->bound) {
		sk->sk_family = AF_INET;
		sk->sk_ipv6only = 0;
	}
	xs->v4mapped = 1;
	inet_sk(sk)->inet_daddr = daddr;
	inet_sk(sk)->inet_dport = a->sin6_port;
	return 0;
}

static int xtcp_set_peer(struct sock *sk, struct sockaddr *uaddr, int len)
{
	struct inet_sock *inet = inet_sk(sk);

	if (uaddr->sa_family == AF_INET6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)uaddr;
		u32 scope_id;
		int type;

		if (len < SIN6_LEN_RFC2133)
			return -EINVAL;
		scope_id = xtcp_scope_id(a, len);
		type = ipv6_addr_type(&a->sin6_addr);
		if (type & IPV6_ADDR_MAPPED)
			return xtcp_set_peer_mapped(sk, a);
		if (xtcp_sk(sk)->bound && sk->sk_family != AF_INET6)
			return -EAFNOSUPPORT;
		if (type & IPV6_ADDR_MULTICAST)
			return -ENETUNREACH;
		if (type == IPV6_ADDR_ANY)
			a->sin6_addr = in6addr_loopback;
		if (type & IPV6_ADDR_LINKLOCAL) {
			if (scope_id) {
				if (sk->sk_bound_dev_if &&
				    sk->sk_bound_dev_if != scope_id)
					return -EINVAL;
				sk->sk_bound_dev_if = scope_id;
			}
			if (!sk->sk_bound_dev_if)
				return -EINVAL;
		}
		if (xtcp_ipv6_pinfo(sk))
			return -ENOMEM;
		sk->sk_family = AF_INET6;
		if (!xtcp_sk(sk)->bound)
			sk->sk_ipv6only = xtcp_v6only(sk);
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
		sk->sk_ipv6only = 0;
		xtcp_sk(sk)->v4mapped = 0;
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
		xtcp_sk(sk)->v4mapped = 0;
		xtcp_unbind(sk);
		inet->inet_saddr = 0;
		inet->inet_rcv_saddr = 0;
		sk->sk_v6_rcv_saddr = in6addr_any;
		/* an IPv4 socket has no IPv6 state (xtcp_ipv6_pinfo()) */
		if (inet6_sk(sk))
			inet6_sk(sk)->saddr = in6addr_any;
	} else if (xtcp_sk(sk)->bound) {
		xtcp_reset_saddr(sk);
	}
}

/*
 * Forget everything of a previous connection before a new one, as
 * tcp_disconnect() does: unsent and unread bytes, the TCB (FIN and EOF
 * flags included) and the counters.
 */
static void xtcp_reset_conn(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct sk_buff *skb;

	/* uncharged as they were charged (xtcp_mem.c), or sk_forward_alloc
	 * is left short of a page multiple at destruction
	 */
	xs->wq_cur = NULL;
	while ((skb = __skb_dequeue(&sk->sk_write_queue)))
		xtcp_wmem_free_skb(sk, skb);
	__skb_queue_purge(&sk->sk_receive_queue);
	xtcp_ofo_purge(sk);
	xtcp_mem_reclaim(sk);
	xs->rx_off = 0;
	WRITE_ONCE(xs->rcvq_bytes, 0);
	xs->bytes_sent = 0;
	xtcp_core_destroy(&xs->tcb);	/* what it allocated, if not CLOSED */
	memset(&xs->tcb, 0, sizeof(xs->tcb));
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
	WRITE_ONCE(sk->sk_err_soft, 0);
	err = xtcp_route(sk, &mss);
	if (err)
		goto fail;
	err = xtcp_connect_bind(sk);
	if (err)
		goto fail;

	xtcp_reset_conn(sk);
	xtcp_tcb_init(sk);
	xtcp_set_mss(sk, mss);
	xtcp_sk_tuple(sk, &t);
	iss = xtcp_isn(sock_net(sk), &t);
	xs->tcb.ts_off = xtcp_ts_off(sock_net(sk), &t);
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
int xtcp_wait_check(long timeo)
{
	if (!timeo)
		return -EAGAIN;
	if (signal_pending(current))
		return sock_intr_errno(timeo);
	return 0;
}

int xtcp_wait_connect(struct sock *sk, long *timeo)
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

int xtcp_connect(struct socket *sock, struct sockaddr *uaddr,
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
		if (!xs->listening && xs->tcb.state == XTCP_CLOSED) {
			xtcp_reset_conn(sk);
			xtcp_tcb_init(sk);
			if (inet_sk(sk)->inet_dport)
				xtcp_clear_peer(sk, !(sk->sk_userlocks &
						      SOCK_BINDPORT_LOCK));
			WRITE_ONCE(sk->sk_shutdown, 0);
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

/* An IPv4 socket seen through a dual-stack IPv6 one: inet6_getname() of
 * a v4-mapped Linux TCP socket
 */
static int xtcp_getname_mapped(struct socket *sock, struct sockaddr *uaddr,
			       int peer)
{
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)uaddr;
	struct sock *sk = sock->sk;
	struct inet_sock *inet = inet_sk(sk);

	memset(sin6, 0, sizeof(*sin6));
	sin6->sin6_family = AF_INET6;
	if (peer) {
		if (!inet->inet_dport ||
		    (((1 << sk->sk_state) & (TCPF_CLOSE | TCPF_SYN_SENT)) &&
		     peer == 1))
			return -ENOTCONN;
		sin6->sin6_port = inet->inet_dport;
		ipv6_addr_set_v4mapped(inet->inet_daddr, &sin6->sin6_addr);
	} else {
		sin6->sin6_port = inet->inet_sport;
		ipv6_addr_set_v4mapped(inet->inet_rcv_saddr ? :
				       inet->inet_saddr, &sin6->sin6_addr);
	}
	return sizeof(*sin6);
}

int xtcp_getname(struct socket *sock, struct sockaddr *uaddr, int peer)
{
	if (xtcp_sk(sock->sk)->v4mapped)
		return xtcp_getname_mapped(sock, uaddr, peer);
	if (sock->sk->sk_family == AF_INET6)
		return inet6_getname(sock, uaddr, peer);
	return inet_getname(sock, uaddr, peer);
}
