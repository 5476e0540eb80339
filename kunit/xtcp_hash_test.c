// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the port, listener and connection tables of xtcp_hash.c, driven
 * through real AF_XTCP sockets in init_net (loopback addresses, ports above
 * the default ephemeral range) and the table functions themselves.
 *
 * Every socket a case creates is recorded in the case's context and
 * released by the suite's exit hook, so a failed assertion leaks nothing.
 */
#include <kunit/test.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/inet.h>
#include <linux/ktime.h>
#include <linux/delay.h>
#include <linux/net.h>
#include <net/sock.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/net_namespace.h>

#include "xtcp.h"
#include "uapi/xtcp.h"

/* above the default net.ipv4.ip_local_port_range (32768-60999) */
#define XT_PORT		61200
#define XT_NSOCKS	8

struct xt_ctx {
	struct socket *socks[XT_NSOCKS];
};

static int xt_init(struct kunit *test)
{
	test->priv = kunit_kzalloc(test, sizeof(struct xt_ctx), GFP_KERNEL);
	return test->priv ? 0 : -ENOMEM;
}

static void xt_exit(struct kunit *test)
{
	struct xt_ctx *c = test->priv;
	int i;

	for (i = 0; i < XT_NSOCKS; i++) {
		if (c->socks[i])
			sock_release(c->socks[i]);
		c->socks[i] = NULL;
	}
}

/* a new AF_XTCP socket in init_net, released by xt_exit() at the latest */
static struct socket *xt_sock(struct kunit *test)
{
	struct xt_ctx *c = test->priv;
	struct socket *sock = NULL;
	int i, err;

	for (i = 0; i < XT_NSOCKS && c->socks[i]; i++)
		;
	KUNIT_ASSERT_LT(test, i, XT_NSOCKS);
	err = sock_create_kern(&init_net, AF_XTCP, SOCK_STREAM, 0, &sock);
	KUNIT_ASSERT_EQ(test, err, 0);
	KUNIT_ASSERT_NOT_NULL(test, sock);
	c->socks[i] = sock;
	return sock;
}

/* close(2) now */
static void xt_close(struct kunit *test, struct socket *sock)
{
	struct xt_ctx *c = test->priv;
	int i;

	for (i = 0; i < XT_NSOCKS; i++)
		if (c->socks[i] == sock)
			c->socks[i] = NULL;
	sock_release(sock);
}

static int xt_bind4(struct socket *sock, const char *addr, u16 port)
{
	struct sockaddr_in a = {
		.sin_family = AF_INET,
		.sin_port = htons(port),
		.sin_addr.s_addr = in_aton(addr),
	};

	return kernel_bind(sock, (struct sockaddr *)&a, sizeof(a));
}

static int xt_bind6(struct socket *sock, const struct in6_addr *addr,
		    u16 port)
{
	struct sockaddr_in6 a = {
		.sin6_family = AF_INET6,
		.sin6_port = htons(port),
		.sin6_addr = *addr,
	};

	return kernel_bind(sock, (struct sockaddr *)&a, sizeof(a));
}

static u16 xt_num(struct socket *sock)
{
	return inet_sk(sock->sk)->inet_num;
}

static void xt_tuple4(struct xtcp_tuple *t, const char *laddr, u16 lport,
		      const char *raddr, u16 rport)
{
	memset(t, 0, sizeof(*t));
	t->family = AF_INET;
	t->laddr.v4 = in_aton(laddr);
	t->raddr.v4 = in_aton(raddr);
	t->lport = htons(lport);
	t->rport = htons(rport);
}

static void xt_tuple6(struct xtcp_tuple *t, const struct in6_addr *laddr,
		      u16 lport, const struct in6_addr *raddr, u16 rport)
{
	memset(t, 0, sizeof(*t));
	t->family = AF_INET6;
	t->laddr.v6 = *laddr;
	t->raddr.v6 = *raddr;
	t->lport = htons(lport);
	t->rport = htons(rport);
}

/* give an unbound socket a connection's addresses, as connect() would */
static void xt_set_conn4(struct socket *sock, const char *laddr, u16 lport,
			 const char *raddr, u16 rport)
{
	struct sock *sk = sock->sk;
	struct inet_sock *inet = inet_sk(sk);

	sk->sk_family = AF_INET;
	inet->inet_rcv_saddr = in_aton(laddr);
	inet->inet_saddr = inet->inet_rcv_saddr;
	inet->inet_num = lport;
	inet->inet_sport = htons(lport);
	inet->inet_daddr = in_aton(raddr);
	inet->inet_dport = htons(rport);
}

static void xt_set_conn6(struct kunit *test, struct socket *sock,
			 const struct in6_addr *laddr, u16 lport,
			 const struct in6_addr *raddr, u16 rport)
{
	struct sock *sk = sock->sk;
	struct inet_sock *inet = inet_sk(sk);

	/* as connect() does before the socket becomes AF_INET6 */
	lock_sock(sk);
	KUNIT_ASSERT_EQ(test, xtcp_ipv6_pinfo(sk), 0);
	release_sock(sk);
	sk->sk_family = AF_INET6;
	sk->sk_v6_rcv_saddr = *laddr;
	inet6_sk(sk)->saddr = *laddr;
	inet->inet_num = lport;
	inet->inet_sport = htons(lport);
	sk->sk_v6_daddr = *raddr;
	inet->inet_dport = htons(rport);
}

/* the lookups run in softirq (netfilter hook) and take the table locks
 * without disabling BHs: call them the same way
 */
static struct sock *xt_lookup_listener(struct net *net,
				       const struct xtcp_tuple *t)
{
	struct sock *sk;

	local_bh_disable();
	sk = xtcp_lookup_listener(net, t);
	local_bh_enable();
	return sk;
}

static struct sock *xt_lookup_est(struct net *net, const struct xtcp_tuple *t)
{
	struct sock *sk;

	local_bh_disable();
	sk = xtcp_lookup_established(net, t);
	local_bh_enable();
	return sk;
}

/* Is @port held in @family? XTCP and Linux TCP share one port space
 * (Linux's bind buckets), so a wildcard Linux TCP bind answers (IPv6-only
 * for AF_INET6, as XTCP's IPv6 sockets are).
 */
static bool xt_port_bound(struct net *net, u16 family, u16 port)
{
	struct socket *probe;
	int err;

	err = sock_create_kern(net, family, SOCK_STREAM, IPPROTO_TCP, &probe);
	if (err)
		return true;	/* fails the expectations that want "free" */
	if (family == AF_INET6) {
		ip6_sock_set_v6only(probe->sk);
		err = xt_bind6(probe, &in6addr_any, port);
	} else {
		err = xt_bind4(probe, "0.0.0.0", port);
	}
	sock_release(probe);
	return err == -EADDRINUSE;
}

/* Is @sk what the listener table returns for @t? Drops the reference. */
static bool xt_listener_is(struct net *net, const struct xtcp_tuple *t,
			   struct sock *sk)
{
	struct sock *found = xt_lookup_listener(net, t);

	if (found)
		sock_put(found);
	return found == sk;
}

static bool xt_est_is(struct net *net, const struct xtcp_tuple *t,
		      struct sock *sk)
{
	struct sock *found = xt_lookup_est(net, t);

	if (found)
		sock_put(found);
	return found == sk;
}

/* ---- bind ---- */

static void bind_explicit_port(struct kunit *test)
{
	struct socket *a = xt_sock(test);
	struct sockaddr_in name = {};

	KUNIT_EXPECT_FALSE(test, xt_port_bound(&init_net, AF_INET, XT_PORT));
	KUNIT_ASSERT_EQ(test, xt_bind4(a, "127.0.0.1", XT_PORT), 0);
	KUNIT_EXPECT_TRUE(test, xtcp_sk(a->sk)->bound);
	KUNIT_EXPECT_EQ(test, xt_num(a), XT_PORT);
	KUNIT_EXPECT_EQ(test, inet_sk(a->sk)->inet_sport, htons(XT_PORT));
	KUNIT_EXPECT_EQ(test, a->sk->sk_rcv_saddr, in_aton("127.0.0.1"));
	KUNIT_EXPECT_TRUE(test, xt_port_bound(&init_net, AF_INET, XT_PORT));
	KUNIT_EXPECT_FALSE(test, xt_port_bound(&init_net, AF_INET6, XT_PORT));
	KUNIT_EXPECT_FALSE(test, xt_port_bound(&init_net, AF_INET,
					       XT_PORT + 1));

	KUNIT_EXPECT_GT(test, kernel_getsockname(a, (struct sockaddr *)&name),
			0);
	KUNIT_EXPECT_EQ(test, name.sin_family, AF_INET);
	KUNIT_EXPECT_EQ(test, name.sin_port, htons(XT_PORT));
	KUNIT_EXPECT_EQ(test, name.sin_addr.s_addr, in_aton("127.0.0.1"));

	/* a bound socket cannot bind again */
	KUNIT_EXPECT_EQ(test, xt_bind4(a, "127.0.0.1", XT_PORT + 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, xt_num(a), XT_PORT);
	KUNIT_EXPECT_FALSE(test, xt_port_bound(&init_net, AF_INET,
					       XT_PORT + 1));
}

static void bind_ephemeral_in_range(struct kunit *test)
{
	struct socket *s[4];
	int low, high, i, j;

	inet_get_local_port_range(&init_net, &low, &high);
	for (i = 0; i < ARRAY_SIZE(s); i++) {
		s[i] = xt_sock(test);
		KUNIT_ASSERT_EQ(test, xt_bind4(s[i], "0.0.0.0", 0), 0);
		KUNIT_EXPECT_TRUE(test, xtcp_sk(s[i]->sk)->bound);
		KUNIT_EXPECT_GE(test, xt_num(s[i]), low);
		KUNIT_EXPECT_LE(test, xt_num(s[i]), high);
		KUNIT_EXPECT_EQ(test, inet_sk(s[i]->sk)->inet_sport,
				htons(xt_num(s[i])));
		KUNIT_EXPECT_TRUE(test, xt_port_bound(&init_net, AF_INET,
						      xt_num(s[i])));
		for (j = 0; j < i; j++)
			KUNIT_EXPECT_NE(test, xt_num(s[i]), xt_num(s[j]));
	}

	/* IPv6 too, and the table function directly on a v4 socket */
	s[0] = xt_sock(test);
	KUNIT_ASSERT_EQ(test, xt_bind6(s[0], &in6addr_any, 0), 0);
	KUNIT_EXPECT_GE(test, xt_num(s[0]), low);
	KUNIT_EXPECT_LE(test, xt_num(s[0]), high);
	KUNIT_EXPECT_TRUE(test, xt_port_bound(&init_net, AF_INET6,
					      xt_num(s[0])));
	s[1] = xt_sock(test);
	KUNIT_ASSERT_EQ(test, xtcp_bind_port(s[1]->sk, 0), 0);
	KUNIT_EXPECT_GE(test, xt_num(s[1]), low);
	KUNIT_EXPECT_LE(test, xt_num(s[1]), high);
	KUNIT_EXPECT_NE(test, xt_num(s[1]), xt_num(s[0]));
}

static void bind_conflict_same_addr(struct kunit *test)
{
	struct socket *a = xt_sock(test), *b = xt_sock(test);
	struct socket *c = xt_sock(test), *d = xt_sock(test);

	KUNIT_ASSERT_EQ(test, xt_bind4(a, "127.0.0.1", XT_PORT), 0);
	/* same address, and the wildcard that covers it */
	KUNIT_EXPECT_EQ(test, xt_bind4(b, "127.0.0.1", XT_PORT), -EADDRINUSE);
	KUNIT_EXPECT_EQ(test, xt_bind4(c, "0.0.0.0", XT_PORT), -EADDRINUSE);
	/* a failed bind leaves the socket unbound, free to bind elsewhere */
	KUNIT_EXPECT_FALSE(test, xtcp_sk(b->sk)->bound);
	KUNIT_EXPECT_EQ(test, b->sk->sk_rcv_saddr, 0);
	KUNIT_EXPECT_EQ(test, xt_bind4(b, "127.0.0.1", XT_PORT + 1), 0);
	KUNIT_EXPECT_EQ(test, xt_num(b), XT_PORT + 1);
	/* another specific address on the same port does not overlap */
	KUNIT_EXPECT_EQ(test, xt_bind4(d, "127.0.0.2", XT_PORT), 0);
	/* nor does SO_REUSEADDR on one side only help */
	sock_set_reuseaddr(c->sk);
	KUNIT_EXPECT_EQ(test, xt_bind4(c, "127.0.0.1", XT_PORT), -EADDRINUSE);

	/* the table function says the same */
	KUNIT_EXPECT_EQ(test, xtcp_bind_port(c->sk, XT_PORT), -EADDRINUSE);
	KUNIT_EXPECT_FALSE(test, xtcp_sk(c->sk)->bound);
}

static void bind_wildcard_then_specific(struct kunit *test)
{
	struct socket *a = xt_sock(test), *b = xt_sock(test);

	KUNIT_ASSERT_EQ(test, xt_bind4(a, "0.0.0.0", XT_PORT), 0);
	KUNIT_EXPECT_EQ(test, xt_bind4(b, "127.0.0.1", XT_PORT), -EADDRINUSE);
	KUNIT_EXPECT_EQ(test, xt_bind4(b, "127.0.0.2", XT_PORT), -EADDRINUSE);
}

static void bind_no_conflict_other_family(struct kunit *test)
{
	struct socket *a = xt_sock(test), *b = xt_sock(test);
	struct socket *c = xt_sock(test), *d = xt_sock(test);

	KUNIT_ASSERT_EQ(test, xt_bind4(a, "0.0.0.0", XT_PORT), 0);
	/* a dual-stack [::] (the default, bindv6only 0) covers 0.0.0.0 */
	KUNIT_EXPECT_EQ(test, xt_bind6(d, &in6addr_any, XT_PORT),
			-EADDRINUSE);
	/* an IPv6-only [::] does not */
	xtcp_sk(b->sk)->v6only_set = 1;
	xtcp_sk(b->sk)->v6only = 1;
	KUNIT_EXPECT_EQ(test, xt_bind6(b, &in6addr_any, XT_PORT), 0);
	KUNIT_EXPECT_EQ(test, b->sk->sk_family, AF_INET6);
	KUNIT_EXPECT_TRUE(test, xt_port_bound(&init_net, AF_INET, XT_PORT));
	KUNIT_EXPECT_TRUE(test, xt_port_bound(&init_net, AF_INET6, XT_PORT));
	/* but within IPv6 the wildcard covers ::1 */
	KUNIT_EXPECT_EQ(test, xt_bind6(c, &in6addr_loopback, XT_PORT),
			-EADDRINUSE);

	xt_close(test, a);
	KUNIT_EXPECT_FALSE(test, xt_port_bound(&init_net, AF_INET, XT_PORT));
	KUNIT_EXPECT_TRUE(test, xt_port_bound(&init_net, AF_INET6, XT_PORT));
}

static void bind_no_conflict_distinct_devices(struct kunit *test)
{
	struct socket *a = xt_sock(test), *b = xt_sock(test);
	struct socket *c = xt_sock(test);

	/* SO_BINDTOIFINDEX does not check that the device exists */
	KUNIT_ASSERT_EQ(test, sock_bindtoindex(a->sk, 1, true), 0);
	KUNIT_ASSERT_EQ(test, sock_bindtoindex(b->sk, 2, true), 0);
	KUNIT_ASSERT_EQ(test, xt_bind4(a, "0.0.0.0", XT_PORT), 0);
	KUNIT_EXPECT_EQ(test, xt_bind4(b, "0.0.0.0", XT_PORT), 0);
	/* a socket on no device overlaps both */
	KUNIT_EXPECT_EQ(test, xt_bind4(c, "0.0.0.0", XT_PORT), -EADDRINUSE);
}

static void bind_reuseaddr_both_no_listener(struct kunit *test)
{
	struct socket *a = xt_sock(test), *b = xt_sock(test);
	struct socket *c = xt_sock(test);

	sock_set_reuseaddr(a->sk);
	sock_set_reuseaddr(b->sk);
	KUNIT_ASSERT_EQ(test, xt_bind4(a, "127.0.0.1", XT_PORT), 0);
	KUNIT_EXPECT_EQ(test, xt_bind4(b, "127.0.0.1", XT_PORT), 0);
	KUNIT_EXPECT_EQ(test, xt_num(b), XT_PORT);
	/* without SO_REUSEADDR a third one still conflicts */
	KUNIT_EXPECT_EQ(test, xt_bind4(c, "127.0.0.1", XT_PORT), -EADDRINUSE);

	/* the port stays bound until the last of them closes */
	xt_close(test, a);
	KUNIT_EXPECT_TRUE(test, xt_port_bound(&init_net, AF_INET, XT_PORT));
	xt_close(test, b);
	KUNIT_EXPECT_FALSE(test, xt_port_bound(&init_net, AF_INET, XT_PORT));
	KUNIT_EXPECT_EQ(test, xt_bind4(c, "127.0.0.1", XT_PORT), 0);
}

/* ---- listen ---- */

static void listen_conflict_with_reuseaddr(struct kunit *test)
{
	struct socket *a = xt_sock(test), *b = xt_sock(test);
	struct socket *c = xt_sock(test);
	struct xtcp_tuple t;

	sock_set_reuseaddr(a->sk);
	sock_set_reuseaddr(b->sk);
	sock_set_reuseaddr(c->sk);
	KUNIT_ASSERT_EQ(test, xt_bind4(a, "127.0.0.1", XT_PORT), 0);
	KUNIT_ASSERT_EQ(test, kernel_listen(a, 8), 0);
	KUNIT_EXPECT_TRUE(test, xtcp_sk(a->sk)->listening);
	KUNIT_EXPECT_EQ(test, a->sk->sk_state, TCP_LISTEN);

	/* SO_REUSEADDR on both does not share a port with a listener */
	KUNIT_EXPECT_EQ(test, xt_bind4(b, "127.0.0.1", XT_PORT), -EADDRINUSE);
	KUNIT_EXPECT_EQ(test, xt_bind4(b, "0.0.0.0", XT_PORT), -EADDRINUSE);
	KUNIT_EXPECT_FALSE(test, xtcp_sk(b->sk)->bound);

	/* nor does listen_hash: a second listener on the port is refused */
	xt_set_conn4(c, "127.0.0.1", XT_PORT, "0.0.0.0", 0);
	KUNIT_EXPECT_EQ(test, xtcp_listen_hash(c->sk), -EADDRINUSE);
	KUNIT_EXPECT_FALSE(test, xtcp_sk(c->sk)->listening);
	KUNIT_EXPECT_FALSE(test, xtcp_sk(c->sk)->hashed);
	inet_sk(c->sk)->inet_num = 0;

	xt_tuple4(&t, "127.0.0.1", XT_PORT, "127.0.0.1", 40000);
	KUNIT_EXPECT_TRUE(test, xt_listener_is(&init_net, &t, a->sk));

	/* once the listener is gone the port is free again */
	xt_close(test, a);
	KUNIT_EXPECT_TRUE(test, xt_listener_is(&init_net, &t, NULL));
	KUNIT_EXPECT_EQ(test, xt_bind4(b, "127.0.0.1", XT_PORT), 0);
	KUNIT_EXPECT_EQ(test, kernel_listen(b, 8), 0);
	KUNIT_EXPECT_TRUE(test, xt_listener_is(&init_net, &t, b->sk));
}

static void listen_autobinds_ephemeral(struct kunit *test)
{
	struct socket *a = xt_sock(test);
	struct xtcp_tuple t;
	int low, high;

	inet_get_local_port_range(&init_net, &low, &high);
	KUNIT_ASSERT_EQ(test, kernel_listen(a, 8), 0);
	KUNIT_EXPECT_TRUE(test, xtcp_sk(a->sk)->bound);
	KUNIT_EXPECT_GE(test, xt_num(a), low);
	KUNIT_EXPECT_LE(test, xt_num(a), high);
	xt_tuple4(&t, "127.0.0.1", xt_num(a), "127.0.0.1", 40000);
	KUNIT_EXPECT_TRUE(test, xt_listener_is(&init_net, &t, a->sk));
}

/* ---- listener lookup ---- */

/* listen on @addr:@port with SO_REUSEPORT (same owner), so that, as in
 * Linux, a wildcard and a specific listener can share the port
 */
static int xt_listen_on(struct socket *sock, const char *addr, u16 port)
{
	int err = xtcp_listenq_alloc(sock->sk);

	if (err)
		return err;
	sock->sk->sk_reuseport = 1;
	xt_set_conn4(sock, addr, port, "0.0.0.0", 0);
	return xtcp_listen_hash(sock->sk);
}

static void listener_lookup_exact_before_wildcard(struct kunit *test)
{
	struct socket *wild = xt_sock(test), *exact = xt_sock(test);
	struct socket *dev = xt_sock(test);
	struct xtcp_tuple t;
	int round;

	for (round = 0; round < 2; round++) {
		/* both orders in the bucket: the newest is at its head */
		if (round == 0) {
			KUNIT_ASSERT_EQ(test, xt_listen_on(wild, "0.0.0.0",
							   XT_PORT), 0);
			KUNIT_ASSERT_EQ(test, xt_listen_on(exact, "127.0.0.1",
							   XT_PORT), 0);
		} else {
			KUNIT_ASSERT_EQ(test, xt_listen_on(exact, "127.0.0.1",
							   XT_PORT), 0);
			KUNIT_ASSERT_EQ(test, xt_listen_on(wild, "0.0.0.0",
							   XT_PORT), 0);
		}
		xt_tuple4(&t, "127.0.0.1", XT_PORT, "127.0.0.9", 40000);
		KUNIT_EXPECT_TRUE(test, xt_listener_is(&init_net, &t,
						       exact->sk));
		xt_tuple4(&t, "127.0.0.2", XT_PORT, "127.0.0.9", 40000);
		KUNIT_EXPECT_TRUE(test, xt_listener_is(&init_net, &t,
						       wild->sk));
		/* other port, other family: nothing */
		xt_tuple4(&t, "127.0.0.1", XT_PORT + 1, "127.0.0.9", 40000);
		KUNIT_EXPECT_TRUE(test, xt_listener_is(&init_net, &t, NULL));
		xt_tuple6(&t, &in6addr_loopback, XT_PORT, &in6addr_loopback,
			  40000);
		KUNIT_EXPECT_TRUE(test, xt_listener_is(&init_net, &t, NULL));

		xtcp_unhash(exact->sk);
		KUNIT_EXPECT_FALSE(test, xtcp_sk(exact->sk)->listening);
		xt_tuple4(&t, "127.0.0.1", XT_PORT, "127.0.0.9", 40000);
		KUNIT_EXPECT_TRUE(test, xt_listener_is(&init_net, &t,
						       wild->sk));
		xtcp_unhash(wild->sk);
		KUNIT_EXPECT_TRUE(test, xt_listener_is(&init_net, &t, NULL));
	}

	/* a listener bound to a device answers only for that device */
	dev->sk->sk_bound_dev_if = 7;
	KUNIT_ASSERT_EQ(test, xt_listen_on(dev, "127.0.0.1", XT_PORT), 0);
	xt_tuple4(&t, "127.0.0.1", XT_PORT, "127.0.0.9", 40000);
	t.dif = 1;
	KUNIT_EXPECT_TRUE(test, xt_listener_is(&init_net, &t, NULL));
	t.dif = 7;
	KUNIT_EXPECT_TRUE(test, xt_listener_is(&init_net, &t, dev->sk));
	xtcp_unhash(dev->sk);
}

static void listener_lookup_ipv6(struct kunit *test)
{
	struct socket *a = xt_sock(test);
	struct xtcp_tuple t;
	struct in6_addr other;

	xtcp_sk(a->sk)->v6only_set = 1;
	xtcp_sk(a->sk)->v6only = 1;
	KUNIT_ASSERT_EQ(test, xt_bind6(a, &in6addr_any, XT_PORT), 0);
	KUNIT_ASSERT_EQ(test, kernel_listen(a, 8), 0);
	xt_tuple6(&t, &in6addr_loopback, XT_PORT, &in6addr_loopback, 40000);
	KUNIT_EXPECT_TRUE(test, xt_listener_is(&init_net, &t, a->sk));
	ipv6_addr_set(&other, htonl(0x20010db8), 0, 0, htonl(1));
	xt_tuple6(&t, &other, XT_PORT, &in6addr_loopback, 40000);
	KUNIT_EXPECT_TRUE(test, xt_listener_is(&init_net, &t, a->sk));
	/* IPV6_V6ONLY set: the IPv4 tuple on the same port is not its */
	KUNIT_ASSERT_TRUE(test, a->sk->sk_ipv6only);
	xt_tuple4(&t, "127.0.0.1", XT_PORT, "127.0.0.1", 40000);
	KUNIT_EXPECT_TRUE(test, xt_listener_is(&init_net, &t, NULL));
}

/* RFC 4291 §2.5.5.2: [::] without IPV6_V6ONLY also takes IPv4, after
 * an IPv4 listener of the same port (as Linux's compute_score)
 */
static void listener_lookup_dual_stack(struct kunit *test)
{
	struct socket *a = xt_sock(test), *b = xt_sock(test);
	struct xtcp_tuple t;

	xtcp_sk(a->sk)->v6only_set = 1;
	xtcp_sk(a->sk)->v6only = 0;
	a->sk->sk_reuseport = 1;	/* b shares the port below */
	KUNIT_ASSERT_EQ(test, xt_bind6(a, &in6addr_any, XT_PORT), 0);
	KUNIT_ASSERT_FALSE(test, a->sk->sk_ipv6only);
	KUNIT_ASSERT_EQ(test, kernel_listen(a, 8), 0);
	xt_tuple4(&t, "127.0.0.1", XT_PORT, "127.0.0.9", 40000);
	KUNIT_EXPECT_TRUE(test, xt_listener_is(&init_net, &t, a->sk));
	xt_tuple6(&t, &in6addr_loopback, XT_PORT, &in6addr_loopback, 40000);
	KUNIT_EXPECT_TRUE(test, xt_listener_is(&init_net, &t, a->sk));
	/* an IPv4 listener on that port (SO_REUSEPORT on both) wins IPv4 */
	KUNIT_ASSERT_EQ(test, xt_listen_on(b, "127.0.0.1", XT_PORT), 0);
	xt_tuple4(&t, "127.0.0.1", XT_PORT, "127.0.0.9", 40000);
	KUNIT_EXPECT_TRUE(test, xt_listener_is(&init_net, &t, b->sk));
	xtcp_unhash(b->sk);
	xtcp_unhash(a->sk);
}

/*
 * A module cannot create a network namespace (copy_net_ns is not
 * exported), so the "other" namespace is a zeroed struct net with
 * init_net's hash_mix: it hashes to the same buckets, and only the
 * namespace comparison in the tables keeps it apart. The tables use
 * nothing else of it.
 */
static void listener_lookup_other_netns_misses(struct kunit *test)
{
	struct socket *a = xt_sock(test), *b = xt_sock(test);
	struct xtcp_tuple t;
	struct net *other;

	other = kunit_kzalloc(test, sizeof(*other), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, other);
	other->hash_mix = net_hash_mix(&init_net);

	KUNIT_ASSERT_EQ(test, xt_bind4(a, "0.0.0.0", XT_PORT), 0);
	KUNIT_ASSERT_EQ(test, kernel_listen(a, 8), 0);
	xt_tuple4(&t, "127.0.0.1", XT_PORT, "127.0.0.1", 40000);
	KUNIT_EXPECT_TRUE(test, xt_listener_is(&init_net, &t, a->sk));
	KUNIT_EXPECT_TRUE(test, xt_listener_is(other, &t, NULL));
	KUNIT_EXPECT_TRUE(test, xt_port_bound(&init_net, AF_INET, XT_PORT));

	/* connections as well */
	xt_set_conn4(b, "127.0.0.1", XT_PORT + 1, "127.0.0.1", 40000);
	KUNIT_ASSERT_EQ(test, xtcp_ehash_insert(b->sk), 0);
	xt_tuple4(&t, "127.0.0.1", XT_PORT + 1, "127.0.0.1", 40000);
	KUNIT_EXPECT_TRUE(test, xt_est_is(&init_net, &t, b->sk));
	KUNIT_EXPECT_TRUE(test, xt_est_is(other, &t, NULL));
	KUNIT_EXPECT_TRUE(test, xtcp_tuple_busy(&init_net, &t));
	KUNIT_EXPECT_FALSE(test, xtcp_tuple_busy(other, &t));
	xtcp_unhash(b->sk);
}

/* ---- connection table ---- */

static void ehash_insert_lookup_unhash(struct kunit *test)
{
	struct socket *a = xt_sock(test);
	struct sock *sk = a->sk;
	struct xtcp_tuple t, s;
	int ref;

	xt_set_conn4(a, "127.0.0.1", XT_PORT, "127.0.0.2", 40000);
	xt_tuple4(&t, "127.0.0.1", XT_PORT, "127.0.0.2", 40000);
	xtcp_sk_tuple(sk, &s);
	KUNIT_EXPECT_EQ(test, s.family, AF_INET);
	KUNIT_EXPECT_EQ(test, s.lport, t.lport);
	KUNIT_EXPECT_EQ(test, s.rport, t.rport);
	KUNIT_EXPECT_EQ(test, s.laddr.v4, t.laddr.v4);
	KUNIT_EXPECT_EQ(test, s.raddr.v4, t.raddr.v4);

	KUNIT_EXPECT_FALSE(test, xtcp_tuple_busy(&init_net, &t));
	ref = refcount_read(&sk->sk_refcnt);
	KUNIT_ASSERT_EQ(test, xtcp_ehash_insert(sk), 0);
	KUNIT_EXPECT_TRUE(test, xtcp_sk(sk)->hashed);
	/* the table holds a reference */
	KUNIT_EXPECT_EQ(test, refcount_read(&sk->sk_refcnt), ref + 1);
	KUNIT_EXPECT_TRUE(test, xtcp_tuple_busy(&init_net, &t));

	{
		struct sock *found = xt_lookup_est(&init_net, &t);

		KUNIT_EXPECT_PTR_EQ(test, found, sk);
		/* and the lookup gives the caller one */
		KUNIT_EXPECT_EQ(test, refcount_read(&sk->sk_refcnt), ref + 2);
		if (found)
			sock_put(found);
	}

	/* any other field of the 4-tuple misses */
	xt_tuple4(&s, "127.0.0.2", XT_PORT, "127.0.0.1", 40000);
	KUNIT_EXPECT_TRUE(test, xt_est_is(&init_net, &s, NULL));
	xt_tuple4(&s, "127.0.0.1", 40000, "127.0.0.2", XT_PORT);
	KUNIT_EXPECT_TRUE(test, xt_est_is(&init_net, &s, NULL));
	xt_tuple4(&s, "127.0.0.1", XT_PORT, "127.0.0.3", 40000);
	KUNIT_EXPECT_TRUE(test, xt_est_is(&init_net, &s, NULL));
	xt_tuple4(&s, "127.0.0.1", XT_PORT, "127.0.0.2", 40001);
	KUNIT_EXPECT_TRUE(test, xt_est_is(&init_net, &s, NULL));
	KUNIT_EXPECT_FALSE(test, xtcp_tuple_busy(&init_net, &s));
	/* nor is a connection a listener */
	KUNIT_EXPECT_TRUE(test, xt_listener_is(&init_net, &t, NULL));

	xtcp_unhash(sk);
	KUNIT_EXPECT_FALSE(test, xtcp_sk(sk)->hashed);
	KUNIT_EXPECT_EQ(test, refcount_read(&sk->sk_refcnt), ref);
	KUNIT_EXPECT_TRUE(test, xt_est_is(&init_net, &t, NULL));
	KUNIT_EXPECT_FALSE(test, xtcp_tuple_busy(&init_net, &t));
	/* a second unhash is a no-op */
	xtcp_unhash(sk);
	KUNIT_EXPECT_EQ(test, refcount_read(&sk->sk_refcnt), ref);
}

static void ehash_ipv6(struct kunit *test)
{
	struct socket *a = xt_sock(test);
	struct in6_addr peer;
	struct xtcp_tuple t;

	ipv6_addr_set(&peer, htonl(0x20010db8), 0, 0, htonl(2));
	xt_set_conn6(test, a, &in6addr_loopback, XT_PORT, &peer, 40000);
	KUNIT_ASSERT_EQ(test, xtcp_ehash_insert(a->sk), 0);
	xt_tuple6(&t, &in6addr_loopback, XT_PORT, &peer, 40000);
	KUNIT_EXPECT_TRUE(test, xt_est_is(&init_net, &t, a->sk));
	KUNIT_EXPECT_TRUE(test, xtcp_tuple_busy(&init_net, &t));
	/* same ports, IPv4 family: a different connection */
	xt_tuple4(&t, "127.0.0.1", XT_PORT, "127.0.0.2", 40000);
	KUNIT_EXPECT_TRUE(test, xt_est_is(&init_net, &t, NULL));
	xt_tuple6(&t, &in6addr_loopback, XT_PORT, &in6addr_loopback, 40000);
	KUNIT_EXPECT_TRUE(test, xt_est_is(&init_net, &t, NULL));
	/* release unhashes it: the table's reference must not leak */
	xt_close(test, a);
	xt_tuple6(&t, &in6addr_loopback, XT_PORT, &peer, 40000);
	KUNIT_EXPECT_TRUE(test, xt_est_is(&init_net, &t, NULL));
	KUNIT_EXPECT_FALSE(test, xtcp_tuple_busy(&init_net, &t));
}

static void ehash_duplicate_tuple_rejected(struct kunit *test)
{
	struct socket *a = xt_sock(test), *b = xt_sock(test);
	struct xtcp_tuple t;
	int ref;

	xt_set_conn4(a, "127.0.0.1", XT_PORT, "127.0.0.2", 40000);
	xt_set_conn4(b, "127.0.0.1", XT_PORT, "127.0.0.2", 40000);
	KUNIT_ASSERT_EQ(test, xtcp_ehash_insert(a->sk), 0);
	ref = refcount_read(&b->sk->sk_refcnt);
	KUNIT_EXPECT_EQ(test, xtcp_ehash_insert(b->sk), -EADDRNOTAVAIL);
	KUNIT_EXPECT_FALSE(test, xtcp_sk(b->sk)->hashed);
	KUNIT_EXPECT_EQ(test, refcount_read(&b->sk->sk_refcnt), ref);
	xt_tuple4(&t, "127.0.0.1", XT_PORT, "127.0.0.2", 40000);
	KUNIT_EXPECT_TRUE(test, xt_est_is(&init_net, &t, a->sk));
	/* unhashing the rejected socket must not remove the other */
	xtcp_unhash(b->sk);
	KUNIT_EXPECT_TRUE(test, xt_est_is(&init_net, &t, a->sk));

	/* another peer port makes it a different connection */
	inet_sk(b->sk)->inet_dport = htons(40001);
	KUNIT_EXPECT_EQ(test, xtcp_ehash_insert(b->sk), 0);
	xt_tuple4(&t, "127.0.0.1", XT_PORT, "127.0.0.2", 40001);
	KUNIT_EXPECT_TRUE(test, xt_est_is(&init_net, &t, b->sk));

	/* once the first is gone its tuple can be reused */
	xtcp_unhash(a->sk);
	xtcp_unhash(b->sk);
	inet_sk(b->sk)->inet_dport = htons(40000);
	KUNIT_EXPECT_EQ(test, xtcp_ehash_insert(b->sk), 0);
	xt_tuple4(&t, "127.0.0.1", XT_PORT, "127.0.0.2", 40000);
	KUNIT_EXPECT_TRUE(test, xt_est_is(&init_net, &t, b->sk));
	xtcp_unhash(b->sk);
}

/* ---- close ---- */

static void port_released_on_close(struct kunit *test)
{
	struct socket *a = xt_sock(test), *b = xt_sock(test);
	struct socket *c = xt_sock(test), *d = xt_sock(test);
	struct xtcp_tuple t;

	/* a bound socket */
	KUNIT_ASSERT_EQ(test, xt_bind4(a, "127.0.0.1", XT_PORT), 0);
	KUNIT_EXPECT_EQ(test, xt_bind4(b, "127.0.0.1", XT_PORT), -EADDRINUSE);
	xt_close(test, a);
	KUNIT_EXPECT_FALSE(test, xt_port_bound(&init_net, AF_INET, XT_PORT));
	KUNIT_EXPECT_EQ(test, xt_bind4(b, "127.0.0.1", XT_PORT), 0);

	/* a listener */
	KUNIT_ASSERT_EQ(test, kernel_listen(b, 8), 0);
	xt_tuple4(&t, "127.0.0.1", XT_PORT, "127.0.0.1", 40000);
	KUNIT_EXPECT_TRUE(test, xt_listener_is(&init_net, &t, b->sk));
	KUNIT_EXPECT_EQ(test, xt_bind4(c, "0.0.0.0", XT_PORT), -EADDRINUSE);
	xt_close(test, b);
	KUNIT_EXPECT_FALSE(test, xt_port_bound(&init_net, AF_INET, XT_PORT));
	KUNIT_EXPECT_TRUE(test, xt_listener_is(&init_net, &t, NULL));
	KUNIT_EXPECT_EQ(test, xt_bind4(c, "0.0.0.0", XT_PORT), 0);
	KUNIT_EXPECT_EQ(test, kernel_listen(c, 8), 0);
	KUNIT_EXPECT_TRUE(test, xt_listener_is(&init_net, &t, c->sk));

	/* an IPv6 one */
	KUNIT_ASSERT_EQ(test, xt_bind6(d, &in6addr_loopback, XT_PORT + 1), 0);
	KUNIT_EXPECT_TRUE(test, xt_port_bound(&init_net, AF_INET6,
					      XT_PORT + 1));
	xt_close(test, d);
	KUNIT_EXPECT_FALSE(test, xt_port_bound(&init_net, AF_INET6,
					       XT_PORT + 1));
}

/* ---- ISN (RFC 6528) ---- */

static void isn_differs_per_tuple_and_advances(struct kunit *test)
{
	struct xtcp_tuple t[5], t6;
	u64 t0, t1, t2, t3;
	u32 i0, i1, lo, hi;
	int k;

	xt_tuple4(&t[0], "127.0.0.1", XT_PORT, "127.0.0.2", 40000);
	xt_tuple4(&t[1], "127.0.0.3", XT_PORT, "127.0.0.2", 40000);
	xt_tuple4(&t[2], "127.0.0.1", XT_PORT + 1, "127.0.0.2", 40000);
	xt_tuple4(&t[3], "127.0.0.1", XT_PORT, "127.0.0.4", 40000);
	xt_tuple4(&t[4], "127.0.0.1", XT_PORT, "127.0.0.2", 40001);

	/* each field is in the hash: back-to-back ISNs of tuples that differ
	 * in one field are further apart than the clock moved
	 */
	for (k = 1; k < ARRAY_SIZE(t); k++) {
		t0 = ktime_get_real_ns();
		i0 = xtcp_isn(&init_net, &t[0]);
		i1 = xtcp_isn(&init_net, &t[k]);
		t1 = ktime_get_real_ns();
		KUNIT_EXPECT_GT_MSG(test, abs((s32)(i1 - i0)),
				    (int)((t1 - t0) >> 6) + 2,
				    "tuple %d: isn %u vs %u", k, i1, i0);
	}
	xt_tuple6(&t6, &in6addr_loopback, XT_PORT, &in6addr_loopback, 40000);
	t0 = ktime_get_real_ns();
	i0 = xtcp_isn(&init_net, &t[0]);
	i1 = xtcp_isn(&init_net, &t6);
	t1 = ktime_get_real_ns();
	KUNIT_EXPECT_GT(test, abs((s32)(i1 - i0)), (int)((t1 - t0) >> 6) + 2);

	/* the same tuple: the ISN advances with the 64 ns clock */
	t0 = ktime_get_real_ns();
	i0 = xtcp_isn(&init_net, &t[0]);
	t1 = ktime_get_real_ns();
	usleep_range(2000, 3000);
	t2 = ktime_get_real_ns();
	i1 = xtcp_isn(&init_net, &t[0]);
	t3 = ktime_get_real_ns();
	lo = (u32)(t2 >> 6) - (u32)(t1 >> 6);
	hi = (u32)(t3 >> 6) - (u32)(t0 >> 6);
	KUNIT_EXPECT_GE(test, lo, 2000000U >> 6);
	KUNIT_EXPECT_GE_MSG(test, i1 - i0, lo, "isn %u then %u", i0, i1);
	KUNIT_EXPECT_LE_MSG(test, i1 - i0, hi, "isn %u then %u", i0, i1);
	KUNIT_EXPECT_GT(test, (s32)(i1 - i0), 0);
}

/*
 * Linux (inet_csk_bind_conflict): with SO_REUSEADDR on both sockets only an
 * existing listener conflicts, so the first of two such binders may listen
 * and the second may not.
 */
static void listen_reuseaddr_first_of_two_binders(struct kunit *test)
{
	struct socket *a = xt_sock(test), *b = xt_sock(test);
	struct xtcp_tuple t;

	sock_set_reuseaddr(a->sk);
	sock_set_reuseaddr(b->sk);
	KUNIT_ASSERT_EQ(test, xt_bind4(a, "127.0.0.1", XT_PORT), 0);
	KUNIT_ASSERT_EQ(test, xt_bind4(b, "127.0.0.1", XT_PORT), 0);
	KUNIT_EXPECT_EQ(test, kernel_listen(a, 8), 0);
	KUNIT_EXPECT_EQ(test, kernel_listen(b, 8), -EADDRINUSE);
	xt_tuple4(&t, "127.0.0.1", XT_PORT, "127.0.0.1", 40000);
	KUNIT_EXPECT_TRUE(test, xt_listener_is(&init_net, &t, a->sk));
}

/*
 * Server restart: the old listener is closed but an accepted connection
 * still holds the port (a passive child shares it through
 * xtcp_bind_inherit() and inherits SO_REUSEADDR). A new SO_REUSEADDR
 * listener must be able to bind and listen, as on Linux.
 */
static void listen_reuseaddr_restart_with_live_child(struct kunit *test)
{
	struct socket *l = xt_sock(test), *c = xt_sock(test);
	struct socket *n = xt_sock(test);
	struct xtcp_tuple t;

	sock_set_reuseaddr(l->sk);
	KUNIT_ASSERT_EQ(test, xt_bind4(l, "0.0.0.0", XT_PORT), 0);
	KUNIT_ASSERT_EQ(test, kernel_listen(l, 8), 0);
	/* the child, as xtcp_listen_syn() makes it */
	c->sk->sk_reuse = l->sk->sk_reuse;
	xt_set_conn4(c, "127.0.0.1", XT_PORT, "127.0.0.1", 40000);
	KUNIT_ASSERT_EQ(test, xtcp_bind_inherit(l->sk, c->sk), 0);
	KUNIT_ASSERT_EQ(test, xtcp_ehash_insert(c->sk), 0);
	xt_close(test, l);

	sock_set_reuseaddr(n->sk);
	KUNIT_ASSERT_EQ(test, xt_bind4(n, "0.0.0.0", XT_PORT), 0);
	KUNIT_EXPECT_EQ(test, kernel_listen(n, 8), 0);
	xt_tuple4(&t, "127.0.0.1", XT_PORT, "127.0.0.2", 40000);
	KUNIT_EXPECT_TRUE(test, xt_listener_is(&init_net, &t, n->sk));
	xtcp_unhash(c->sk);
}

/* One port space: a Linux TCP socket and an XTCP socket on the same
 * address:port conflict both ways, and SO_REUSEADDR lets them share it
 * exactly when it would let two Linux TCP sockets.
 */
static void port_shared_with_linux_tcp(struct kunit *test)
{
	struct socket *a = xt_sock(test), *b = xt_sock(test);
	struct socket *lin;

	KUNIT_ASSERT_EQ(test, sock_create_kern(&init_net, AF_INET, SOCK_STREAM,
					       IPPROTO_TCP, &lin), 0);
	KUNIT_ASSERT_EQ(test, xt_bind4(lin, "127.0.0.1", XT_PORT), 0);
	KUNIT_EXPECT_EQ(test, xt_bind4(a, "127.0.0.1", XT_PORT), -EADDRINUSE);
	KUNIT_EXPECT_EQ(test, xt_bind4(a, "0.0.0.0", XT_PORT), -EADDRINUSE);
	KUNIT_EXPECT_EQ(test, xt_bind4(a, "127.0.0.2", XT_PORT), 0);
	sock_release(lin);

	KUNIT_ASSERT_EQ(test, sock_create_kern(&init_net, AF_INET, SOCK_STREAM,
					       IPPROTO_TCP, &lin), 0);
	KUNIT_EXPECT_EQ(test, xt_bind4(lin, "127.0.0.2", XT_PORT), -EADDRINUSE);
	sock_set_reuseaddr(lin->sk);
	sock_set_reuseaddr(b->sk);
	KUNIT_EXPECT_EQ(test, xt_bind4(b, "127.0.0.3", XT_PORT), 0);
	KUNIT_EXPECT_EQ(test, xt_bind4(lin, "127.0.0.3", XT_PORT), 0);
	/* a listener is never shared through SO_REUSEADDR */
	KUNIT_EXPECT_EQ(test, kernel_listen(b, 8), 0);
	sock_release(lin);
	KUNIT_ASSERT_EQ(test, sock_create_kern(&init_net, AF_INET, SOCK_STREAM,
					       IPPROTO_TCP, &lin), 0);
	sock_set_reuseaddr(lin->sk);
	KUNIT_EXPECT_EQ(test, xt_bind4(lin, "127.0.0.3", XT_PORT), -EADDRINUSE);
	sock_release(lin);
}

/* a Linux TCP socket of @family binding @addr:XT_PORT; its errno */
static int xt_linux_bind(struct kunit *test, int family, const char *addr)
{
	struct sockaddr_storage ss = {};
	struct socket *lin;
	int len, err;

	KUNIT_ASSERT_EQ(test, sock_create_kern(&init_net, family, SOCK_STREAM,
					       IPPROTO_TCP, &lin), 0);
	if (family == AF_INET) {
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;

		a->sin_family = AF_INET;
		a->sin_port = htons(XT_PORT);
		a->sin_addr.s_addr = in_aton(addr);
		len = sizeof(*a);
	} else {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;

		a->sin6_family = AF_INET6;
		a->sin6_port = htons(XT_PORT);
		KUNIT_ASSERT_EQ(test, in6_pton(addr, -1, a->sin6_addr.s6_addr,
					       -1, NULL), 1);
		len = sizeof(*a);
	}
	err = kernel_bind(lin, (struct sockaddr *)&ss, len);
	sock_release(lin);
	return err;
}

/*
 * A dual-stack [::] socket connecting to a v4-mapped peer: the route's
 * source address moves it in bhash2 as Linux's mapped socket, IPv4 from
 * then on with its port; a failed connect makes it [::] again. Linux TCP's
 * binds see each state, and the port is free after close.
 */
static void bind_any6_then_mapped_saddr(struct kunit *test)
{
	struct socket *a = xt_sock(test);
	struct xtcp_sock *xs = xtcp_sk(a->sk);
	__be32 lo = in_aton("127.0.0.1");

	KUNIT_ASSERT_EQ(test, xt_bind6(a, &in6addr_any, XT_PORT), 0);
	KUNIT_EXPECT_EQ(test, xt_linux_bind(test, AF_INET6, "::1"),
			-EADDRINUSE);
	/* as xtcp_set_peer_mapped() + xtcp_route() */
	lock_sock(a->sk);
	xs->v4mapped = 1;
	xs->map6 = 1;
	KUNIT_EXPECT_EQ(test, xtcp_set_saddr(a->sk, &lo), 0);
	release_sock(a->sk);
	KUNIT_EXPECT_EQ(test, a->sk->sk_family, AF_INET);
	KUNIT_EXPECT_EQ(test, xt_num(a), XT_PORT);
	KUNIT_EXPECT_EQ(test, inet_sk(a->sk)->inet_rcv_saddr, lo);
	KUNIT_EXPECT_TRUE(test, ipv6_addr_v4mapped(&a->sk->sk_v6_rcv_saddr));
	KUNIT_EXPECT_EQ(test, xt_linux_bind(test, AF_INET, "127.0.0.1"),
			-EADDRINUSE);
	KUNIT_EXPECT_EQ(test, xt_linux_bind(test, AF_INET6,
					    "::ffff:127.0.0.1"), -EADDRINUSE);
	KUNIT_EXPECT_EQ(test, xt_linux_bind(test, AF_INET6, "::1"), 0);
	KUNIT_EXPECT_EQ(test, xt_linux_bind(test, AF_INET, "127.0.0.2"), 0);

	/* as a failed connect(): [::] again, same port */
	lock_sock(a->sk);
	xtcp_reset_saddr(a->sk);
	release_sock(a->sk);
	KUNIT_EXPECT_EQ(test, a->sk->sk_family, AF_INET6);
	KUNIT_EXPECT_TRUE(test, ipv6_addr_any(&a->sk->sk_v6_rcv_saddr));
	KUNIT_EXPECT_EQ(test, inet_sk(a->sk)->inet_rcv_saddr, 0);
	KUNIT_EXPECT_FALSE(test, xs->v4mapped);
	KUNIT_EXPECT_TRUE(test, xs->bound);
	KUNIT_EXPECT_EQ(test, xt_num(a), XT_PORT);
	KUNIT_EXPECT_EQ(test, xt_linux_bind(test, AF_INET6, "::1"),
			-EADDRINUSE);
	KUNIT_EXPECT_EQ(test, xt_linux_bind(test, AF_INET, "127.0.0.2"),
			-EADDRINUSE);

	xt_close(test, a);
	KUNIT_EXPECT_EQ(test, xt_linux_bind(test, AF_INET6, "::"), 0);
}

static struct kunit_case xtcp_hash_cases[] = {
	KUNIT_CASE(bind_any6_then_mapped_saddr),
	KUNIT_CASE(port_shared_with_linux_tcp),
	KUNIT_CASE(bind_explicit_port),
	KUNIT_CASE(bind_ephemeral_in_range),
	KUNIT_CASE(bind_conflict_same_addr),
	KUNIT_CASE(bind_wildcard_then_specific),
	KUNIT_CASE(bind_no_conflict_other_family),
	KUNIT_CASE(bind_no_conflict_distinct_devices),
	KUNIT_CASE(bind_reuseaddr_both_no_listener),
	KUNIT_CASE(listen_conflict_with_reuseaddr),
	KUNIT_CASE(listen_autobinds_ephemeral),
	KUNIT_CASE(listen_reuseaddr_first_of_two_binders),
	KUNIT_CASE(listen_reuseaddr_restart_with_live_child),
	KUNIT_CASE(listener_lookup_exact_before_wildcard),
	KUNIT_CASE(listener_lookup_ipv6),
	KUNIT_CASE(listener_lookup_dual_stack),
	KUNIT_CASE(listener_lookup_other_netns_misses),
	KUNIT_CASE(ehash_insert_lookup_unhash),
	KUNIT_CASE(ehash_ipv6),
	KUNIT_CASE(ehash_duplicate_tuple_rejected),
	KUNIT_CASE(port_released_on_close),
	KUNIT_CASE(isn_differs_per_tuple_and_advances),
	{}
};

static struct kunit_suite xtcp_hash_suite = {
	.name = "xtcp_hash",
	.init = xt_init,
	.exit = xt_exit,
	.test_cases = xtcp_hash_cases,
};

kunit_test_suites(&xtcp_hash_suite);
