// SPDX-License-Identifier: GPL-2.0
/*
 * XTCP socket options (SOL_SOCKET, IPPROTO_IP/IPV6, IPPROTO_TCP,
 * SOL_XTCP) and ioctls.
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
#include "xtcp_cc.h"

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

/* TCP_CONGESTION, as do_tcp_setsockopt() and tcp_set_congestion_control() */
static int xtcp_set_congestion(struct sock *sk, sockptr_t optval,
			       unsigned int optlen)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	const struct xtcp_cc_ops *ops;
	char name[XTCP_CC_NAME_MAX];
	long n;

	if (optlen < 1)
		return -EINVAL;
	n = strncpy_from_sockptr(name, optval,
				 min_t(long, XTCP_CC_NAME_MAX - 1, optlen));
	if (n < 0)
		return -EFAULT;
	name[n] = 0;
	ops = xtcp_cc_find(name);
	if (!ops)
		return -ENOENT;	/* an algorithm this host does not have */
	lock_sock(sk);
	xs->topt.cc = ops;
	xs->topt.cc_set = true;
	/* a connection re-initialises (tcp_reinit_congestion_control) */
	if (!xs->listening && xs->tcb.state != XTCP_CLOSED)
		xtcp_cc_select(&xs->tcb, ops);
	release_sock(sk);
	return 0;
}

/* Options that act on a live connection at once, as Linux's. */
static void xtcp_tcpopt_live(struct sock *sk, int optname, int val)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct xtcp_tcb *tcb = &xs->tcb;

	switch (optname) {
	case TCP_NODELAY:
		xtcp_core_set_nodelay(tcb, val);
		break;
	case TCP_CORK:
		xtcp_core_set_cork(tcb, val);
		break;
	case TCP_QUICKACK:
		xtcp_core_set_quickack(tcb, val);
		break;
	case TCP_KEEPIDLE:
		xtcp_core_set_keepidle(tcb, val);
		break;
	case TCP_KEEPINTVL:
		tcb->p.keepalive_intvl = val;
		break;
	case TCP_KEEPCNT:
		tcb->p.keepalive_probes = val;
		break;
	case TCP_USER_TIMEOUT:
		tcb->user_timeout = val;
		break;
	default:
		return;
	}
	if (tcb->state != XTCP_CLOSED && tcb->state != XTCP_LISTEN)
		xtcp_after_core(sk);
}

/* SO_KEEPALIVE (struct proto keepalive), as tcp_set_keepalive() */
void xtcp_set_keepalive(struct sock *sk, int val)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	if (xs->listening)
		return;
	xtcp_core_set_keepalive(&xs->tcb, val);
}

/* IPPROTO_TCP options, checked as Linux's do_tcp_setsockopt() */
static int xtcp_setsockopt_tcp(struct sock *sk, int optname, sockptr_t optval,
			       unsigned int optlen)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	int val, err;

	if (optname == TCP_CONGESTION)
		return xtcp_set_congestion(sk, optval, optlen);
	if (optlen < sizeof(int))
		return -EINVAL;
	if (copy_from_sockptr(&val, optval, sizeof(val)))
		return -EFAULT;
	lock_sock(sk);
	err = xtcp_tcpopt_set(&xs->topt, optname, val,
			      xs->tcb.state == XTCP_CLOSED);
	if (!err && !xs->listening)
		xtcp_tcpopt_live(sk, optname, val);
	release_sock(sk);
	return err;
}

/**
 * xtcp_sock_tcp_info() - Linux's struct tcp_info of a socket (TCP_INFO,
 *	sock_diag's INET_DIAG_INFO)
 * @sk: the socket, locked
 * @ti: filled
 */
void xtcp_sock_tcp_info(struct sock *sk, struct tcp_info *ti)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct dst_entry *dst;

	xtcp_tcpinfo_fill(&xs->tcb, ti);
	if (xs->listening) {
		/* as Linux: accept queue length and its bound */
		ti->tcpi_unacked = xtcp_acceptq_len(xs);
		ti->tcpi_sacked = READ_ONCE(sk->sk_max_ack_backlog);
	}
	dst = __sk_dst_get(sk);
	if (dst)
		ti->tcpi_pmtu = dst_mtu(dst);
	/* receive-buffer autotuning's measure, as Linux reports it */
	if (xs->rcvq_space)
		ti->tcpi_rcv_space = xs->rcvq_space;
}

/* TCP_INFO: Linux's struct tcp_info, truncated to the caller's length */
static int xtcp_get_tcp_info(struct sock *sk, char __user *optval,
			     int __user *optlen, int len)
{
	struct tcp_info ti;

	lock_sock(sk);
	xtcp_sock_tcp_info(sk, &ti);
	release_sock(sk);
	len = min_t(unsigned int, len, sizeof(ti));
	if (put_user(len, optlen) || copy_to_user(optval, &ti, len))
		return -EFAULT;
	return 0;
}

/*
 * IPV6_V6ONLY, as ipv6_setsockopt(): only before the socket has a local
 * port. An XTCP socket takes its family at bind()/connect(), so the value
 * is kept until then (the preload maps AF_INET6 sockets, whose dual-stack
 * servers set it to 0 before binding [::]).
 */
/* the socket has not taken its family yet: no local port, not listening,
 * never connected
 */
static bool xtcp_family_open(const struct sock *sk)
{
	const struct xtcp_sock *xs = xtcp_sk(sk);

	return !xs->bound && !inet_sk(sk)->inet_num && !xs->listening &&
	       xs->tcb.state == XTCP_CLOSED;
}

/*
 * SOL_IPV6 options other than IPV6_V6ONLY can be read on an IPv6 socket,
 * on one that may still become IPv6 and on a dual-stack socket with a
 * v4-mapped peer (as an AF_INET6 Linux socket, where they are kept but
 * not used).
 */
static bool xtcp_ipv6_level_ok(const struct sock *sk)
{
	return sk->sk_family == AF_INET6 || xtcp_sk(sk)->v4mapped ||
	       xtcp_family_open(sk);
}

/*
 * Setting one makes a socket that has not taken its family AF_INET6: to
 * the program it was one (the preload maps AF_INET6 sockets, whose
 * programs set IPV6_TCLASS and the like before connect()), and
 * ipv6_setsockopt() acts on AF_INET6 sockets only. An IPv4 bind() or
 * connect() still makes it AF_INET, keeping the IPv6 settings unused.
 * A socket connected to a v4-mapped peer is AF_INET for good:
 * -ENOPROTOOPT (Linux keeps the values there, unused).
 */
static int xtcp_take_ipv6(struct sock *sk)
{
	int err = 0;

	lock_sock(sk);
	if (sk->sk_family != AF_INET6) {
		if (!xtcp_family_open(sk))
			err = -ENOPROTOOPT;
		else if (xtcp_ipv6_pinfo(sk))
			err = -ENOMEM;
		else
			sk->sk_family = AF_INET6;
	}
	release_sock(sk);
	return err;
}

static int xtcp_set_v6only(struct sock *sk, sockptr_t optval,
			   unsigned int optlen)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	int val, err = 0;

	if (optlen < sizeof(int))
		return -EINVAL;
	if (copy_from_sockptr(&val, optval, sizeof(val)))
		return -EFAULT;
	lock_sock(sk);
	if (!xtcp_family_open(sk)) {
		err = sk->sk_family == AF_INET6 || xs->v4mapped || !xs->bound ?
		      -EINVAL : -ENOPROTOOPT;
	} else {
		xs->v6only_set = 1;
		xs->v6only = !!val;
	}
	release_sock(sk);
	return err;
}

int xtcp_setsockopt(struct socket *sock, int level, int optname,
		    sockptr_t optval, unsigned int optlen)
{
	struct sock *sk = sock->sk;
	int err;

	switch (level) {
	case SOL_TCP:
		return xtcp_setsockopt_tcp(sk, optname, optval, optlen);
	case SOL_IP:
		/* as Linux, AF_INET6 sockets take SOL_IP options too (for
		 * v4-mapped peers: ipv6_setsockopt() passes them on)
		 */
		if (xtcp_mcast_opt(level, optname))
			return -EPROTO;
		return ip_setsockopt(sk, level, optname, optval, optlen);
	case SOL_IPV6:
		if (optname == IPV6_V6ONLY)
			return xtcp_set_v6only(sk, optval, optlen);
		if (xtcp_mcast_opt(level, optname))
			return xtcp_ipv6_level_ok(sk) ? -EPROTO : -ENOPROTOOPT;
		err = xtcp_take_ipv6(sk);
		if (err)
			return err;
		return ipv6_setsockopt(sk, level, optname, optval, optlen);
	default:
		return -ENOPROTOOPT;
	}
}

int xtcp_getsockopt(struct socket *sock, int level, int optname,
		    char __user *optval, int __user *optlen)
{
	struct sock *sk = sock->sk;
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct xtcp_info info;
	int len, val, err;

	if (level == SOL_IP)
		return ip_getsockopt(sk, level, optname, optval, optlen);
	if (get_user(len, optlen))
		return -EFAULT;
	if (len < 0)
		return -EINVAL;
	/* not yet an IPv6 socket (or a v4-mapped one): the value it would
	 * bind with, as an AF_INET6 socket reports it
	 */
	if (level == SOL_IPV6 && optname == IPV6_V6ONLY &&
	    (xs->v4mapped || !xs->bound)) {
		val = xs->v4mapped ? 0 : xtcp_v6only(sk);
		len = min_t(unsigned int, len, sizeof(int));
		if (put_user(len, optlen) || copy_to_user(optval, &val, len))
			return -EFAULT;
		return 0;
	}
	if (level == SOL_IPV6 && xtcp_ipv6_level_ok(sk)) {
		/* the defaults, until an IPv6 use gave the socket its state */
		lock_sock(sk);
		err = xtcp_ipv6_pinfo(sk);
		release_sock(sk);
		if (err)
			return err;
		return ipv6_getsockopt(sk, level, optname, optval, optlen);
	}

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
	case TCP_INFO:
		return xtcp_get_tcp_info(sk, optval, optlen, len);
	case TCP_CONGESTION: {
		/* the NUL-padded name, at most TCP_CA_NAME_MAX bytes */
		const struct xtcp_cc_ops *ops = READ_ONCE(xs->topt.cc);

		if (!ops)
			ops = xtcp_cc_default();
		len = min_t(unsigned int, len, XTCP_CC_NAME_MAX);
		if (put_user(len, optlen) || copy_to_user(optval, ops->name, len))
			return -EFAULT;
		return 0;
	}
	}
	lock_sock(sk);
	err = xtcp_tcpopt_get(&xs->topt, &xs->tcb, optname, &val);
	release_sock(sk);
	if (err)
		return err;
	len = min_t(unsigned int, len, sizeof(int));
	if (put_user(len, optlen) || copy_to_user(optval, &val, len))
		return -EFAULT;
	return 0;
}

int xtcp_ioctl(struct socket *sock, unsigned int cmd, unsigned long arg)
{
	struct sock *sk = sock->sk;
	struct xtcp_sock *xs = xtcp_sk(sk);
	int answ = 0;

	switch (cmd) {
	case SIOCINQ:
		if (xs->listening)
			return -EINVAL;
		/* as tcp_inq(): up to the urgent mark */
		answ = xtcp_urg_inq(&xs->tcb.urg, READ_ONCE(xs->copied_seq),
				    READ_ONCE(xs->rcvq_bytes),
				    sock_flag(sk, SOCK_URGINLINE));
		break;
	case SIOCOUTQ:
		if (xs->listening)
			return -EINVAL;
		lock_sock(sk);
		if (xtcp_seq_gt(xs->tcb.snd_end, xs->tcb.snd_una))
			answ = xs->tcb.snd_end - xs->tcb.snd_una;
		release_sock(sk);
		break;
	case SIOCOUTQNSD:	/* queued, not yet sent: as tcp_ioctl() */
		if (xs->listening)
			return -EINVAL;
		lock_sock(sk);
		if (xtcp_seq_gt(xs->tcb.snd_end, xs->tcb.snd_nxt))
			answ = xs->tcb.snd_end - xs->tcb.snd_nxt;
		release_sock(sk);
		break;
	case SIOCATMARK:	/* the reader is at the urgent mark */
		answ = xtcp_urg_at_mark(&xs->tcb.urg,
					READ_ONCE(xs->copied_seq));
		break;
	default:
		return -ENOIOCTLCMD;
	}
	return put_user(answ, (int __user *)arg);
}
