/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one place for kernel-version differences. XTCP is built and tested
 * against Debian's 6.1 and 6.12; protocol code never tests
 * LINUX_VERSION_CODE itself. Where the kernel changed a macro, we test for
 * the macro (exact even with stable backports); else the version.
 */
#ifndef _XTCP_COMPAT_H
#define _XTCP_COMPAT_H

#include <linux/version.h>
#include <linux/bitops.h>
#include <linux/net.h>
#include <net/sock.h>
#include <net/inet_sock.h>
#include <net/ipv6.h>
#include <net/route.h>
#include <net/net_namespace.h>

/* kernel a.b.c or later (the only use of LINUX_VERSION_CODE) */
#define XTCP_KERNEL_GE(a, b, c)	(KERNEL_VERSION(a, b, c) <= LINUX_VERSION_CODE)

/*
 * proto_ops.accept: 6.10 folded flags and kern into struct
 * proto_accept_arg. xtcp_ops_accept() is what the ops table points at.
 */
int xtcp_accept(struct socket *sock, struct socket *newsock, int flags,
		bool kern);
#if XTCP_KERNEL_GE(6, 10, 0)
static inline int xtcp_ops_accept(struct socket *sock,
				  struct socket *newsock,
				  struct proto_accept_arg *arg)
{
	return xtcp_accept(sock, newsock, arg->flags, arg->kern);
}
#else
#define xtcp_ops_accept xtcp_accept
#endif

/*
 * register_net_sysctl() sizes the table with ARRAY_SIZE() since 6.6, so
 * it no longer takes a kmemdup()ed pointer; @n counts the entries
 * before the { } sentinel (which 6.1 still needs, 6.11+ must not count).
 */
static inline struct ctl_table_header *
xtcp_register_net_sysctl(struct net *net, const char *path,
			 struct ctl_table *t, size_t n)
{
#if XTCP_KERNEL_GE(6, 6, 0)
	return register_net_sysctl_sz(net, path, t, n);
#else
	return register_net_sysctl(net, path, t);
#endif
}

/* sysctl proc_handler: the table is const since 6.11 */
#if XTCP_KERNEL_GE(6, 11, 0)
#define XTCP_PROC_HANDLER(name)						\
	int name(const struct ctl_table *ctl, int write, void *buffer,	\
		 size_t *lenp, loff_t *ppos)
#else
#define XTCP_PROC_HANDLER(name)						\
	int name(struct ctl_table *ctl, int write, void *buffer,	\
		 size_t *lenp, loff_t *ppos)
#endif

/* IPv4 socket flags: bitfields in 6.1, atomic inet_flags bits (6.6) */
/* IP_RECVERR / IPV6_RECVERR set on the socket (ICMP errors as hard ones) */
#ifdef inet_test_bit
#define xtcp_inet_recverr(sk)		inet_test_bit(RECVERR, sk)
#define xtcp_inet6_recverr(sk)		inet6_test_bit(RECVERR6, sk)
#else
#define xtcp_inet_recverr(sk)		(inet_sk(sk)->recverr)
#define xtcp_inet6_recverr(sk)		(inet6_sk(sk)->recverr)
#endif

#ifdef inet_test_bit
#define xtcp_inet_freebind(sk)		inet_test_bit(FREEBIND, sk)
#define xtcp_inet_transparent(sk)	inet_test_bit(TRANSPARENT, sk)
static inline void xtcp_inet_mc_defaults(struct sock *sk)
{
	inet_set_bit(MC_LOOP, sk);
	inet_set_bit(MC_ALL, sk);
}
#else
#define xtcp_inet_freebind(sk)		(inet_sk(sk)->freebind)
#define xtcp_inet_transparent(sk)	(inet_sk(sk)->transparent)
static inline void xtcp_inet_mc_defaults(struct sock *sk)
{
	inet_sk(sk)->mc_loop = 1;
	inet_sk(sk)->mc_all = 1;
}
#endif

/*
 * IPv6 socket flags: bitfields of struct ipv6_pinfo in 6.1, inet_flags
 * bits from INET_FLAGS_MC6_LOOP up (6.7). A passive child copies its
 * listener's ipv6_pinfo; xtcp_inet6_inherit() copies what moved out.
 */
#ifdef inet6_set_bit
static inline void xtcp_inet6_mc_defaults(struct sock *sk)
{
	inet6_set_bit(MC6_LOOP, sk);
	inet6_set_bit(MC6_ALL, sk);
}

static inline void xtcp_inet6_inherit(struct sock *sk,
				      const struct sock *parent)
{
	unsigned long m = GENMASK(BITS_PER_LONG - 1, INET_FLAGS_MC6_LOOP);
	unsigned long v = READ_ONCE(inet_sk(parent)->inet_flags) & m;
	struct inet_sock *inet = inet_sk(sk);

	inet->inet_flags = (inet->inet_flags & ~m) | v;
}
#else
static inline void xtcp_inet6_mc_defaults(struct sock *sk)
{
	inet6_sk(sk)->mc_loop = 1;
	inet6_sk(sk)->mc_all = 1;
}

static inline void xtcp_inet6_inherit(struct sock *sk,
				      const struct sock *parent)
{
}
#endif

/*
 * ipv6_fl_list moved from ipv6_pinfo to inet_sock in 6.19, and the move
 * was taken into the 6.12 stable series at 6.12.112 (Debian 6.12.117 has
 * it). After copying the listener's ipv6_pinfo the child must not share
 * its flow label list.
 */
#if XTCP_KERNEL_GE(6, 19, 0) || \
	(XTCP_KERNEL_GE(6, 12, 112) && !XTCP_KERNEL_GE(6, 13, 0))
#define xtcp_inet6_fl_list_clear(sk) \
	RCU_INIT_POINTER(inet_sk(sk)->ipv6_fl_list, NULL)
#else
#define xtcp_inet6_fl_list_clear(sk) \
	RCU_INIT_POINTER(inet6_sk(sk)->ipv6_fl_list, NULL)
#endif

/*
 * The TOS argument of ip_route_output_ports(): 6.1 adds RTO_ONLINK for
 * SO_DONTROUTE (RT_CONN_FLAGS); later kernels take the scope from the
 * socket themselves and RT_CONN_FLAGS is gone.
 */
#ifdef RT_CONN_FLAGS
#define xtcp_rt_conn_flags(sk)	RT_CONN_FLAGS(sk)
#else
#define xtcp_rt_conn_flags(sk)	ip_sock_rt_tos(sk)
#endif

#include <net/sock.h>
#include <net/inet_hashtables.h>
#include <net/inet_timewait_sock.h>

/* Does every owner of a Linux bind bucket (TIME-WAIT entries included)
 * pass @ok? 6.1 lists them on the bucket (and has a separate bhash2
 * death row, twsk_for_each_bound_bhash2); since 6.8 they hang off the
 * bucket's bhash2 entries.
 */
static inline bool xtcp_tb_owners_all(const struct inet_bind_bucket *tb,
				      bool (*ok)(const struct sock *sk))
{
	struct sock *sk;
#ifndef twsk_for_each_bound_bhash2
	const struct inet_bind2_bucket *tb2;

	hlist_for_each_entry(tb2, &tb->bhash2, bhash_node)
		sk_for_each_bound(sk, &tb2->owners)
			if (!ok(sk))
				return false;
#else
	sk_for_each_bound(sk, &tb->owners)
		if (!ok(sk))
			return false;
#endif
	return true;
}

/*
 * 6.10 moved the protocol memory helpers (sk_memory_allocated(),
 * sk_under_memory_pressure(), ...) out of net/sock.h into their own header
 * (module/Kbuild defines XTCP_HAVE_PROTO_MEMORY_H when the tree has it).
 */
#ifdef XTCP_HAVE_PROTO_MEMORY_H
#include <net/proto_memory.h>
#endif

/*
 * What the kernel keeps of a proto's memory in each CPU's reserve before
 * it adds it to the global counter: net.core.mem_pcpu_rsv since 6.9 (in
 * net_hotdata), a constant (1 MB) before.
 */
#if XTCP_KERNEL_GE(6, 9, 0)
#define xtcp_mem_pcpu_rsv()	READ_ONCE(net_hotdata.sysctl_mem_pcpu_rsv)
#else
#define xtcp_mem_pcpu_rsv()	SK_MEMORY_PCPU_RESERVE
#endif

/*
 * splice()/sendfile() into a socket: until 6.5 the pages come one at a
 * time through proto_ops.sendpage; since, as an ITER_BVEC given to
 * sendmsg() with MSG_SPLICE_PAGES (a flag user space cannot pass).
 * Either way XTCP queues references to the pages (xtcp_data.c). Debian's
 * 6.1 defines MSG_SPLICE_PAGES (a stable backport) but still splices
 * through sendpage: the version decides.
 */
int xtcp_send_page(struct socket *sock, struct page *page, int offset,
		   size_t size, int flags);
#if XTCP_KERNEL_GE(6, 5, 0)
#define xtcp_msg_splice_pages(msg)	((msg)->msg_flags & MSG_SPLICE_PAGES)
#define XTCP_OPS_SENDPAGE
static inline ssize_t xtcp_splice_from_iter(struct sk_buff *skb,
					    struct iov_iter *iter,
					    ssize_t maxsize, gfp_t gfp)
{
	return skb_splice_from_iter(skb, iter, maxsize, gfp);
}
#else
#define xtcp_msg_splice_pages(msg)	0
#define XTCP_OPS_SENDPAGE		.sendpage = xtcp_ops_sendpage,
static inline ssize_t xtcp_ops_sendpage(struct socket *sock,
					struct page *page, int offset,
					size_t size, int flags)
{
	/* more pages follow: hold a partial segment, as MSG_MORE */
	if (flags & MSG_SENDPAGE_NOTLAST)
		flags |= MSG_MORE;
	return xtcp_send_page(sock, page, offset, size, flags);
}

static inline ssize_t xtcp_splice_from_iter(struct sk_buff *skb,
					    struct iov_iter *iter,
					    ssize_t maxsize, gfp_t gfp)
{
	return -EOPNOTSUPP;	/* no MSG_SPLICE_PAGES before 6.5 */
}
#endif

#endif /* _XTCP_COMPAT_H */
