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

int xtcp_setsockopt(struct socket *sock, int level, int optname,
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

int xtcp_getsockopt(struct socket *sock, int level, int optname,
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

int xtcp_ioctl(struct socket *sock, unsigned int cmd, unsigned long arg)
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
