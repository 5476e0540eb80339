// SPDX-License-Identifier: GPL-2.0
/*
 * XTCP lookup tables: bound ports, listeners, connections (4-tuple) and
 * TIME-WAIT objects. Every key includes the network namespace.
 *
 * Each table is an array of hlist buckets under one spinlock. A socket in
 * the listening or connection table holds a reference (sock_hold) that
 * xtcp_unhash() drops; lookups return a new reference.
 */
#include <linux/jhash.h>
#include <linux/siphash.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/mm.h>
#include <kunit/visibility.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/tcp_states.h>

#include "xtcp.h"

struct xtcp_htable {
	spinlock_t lock;	/* all buckets of the table */
	struct hlist_head *b;
	unsigned int mask;
};

static struct xtcp_htable bhash, lhash, ehash, twhash;

static int htable_init(struct xtcp_htable *h, unsigned int size)
{
	unsigned int i;

	h->b = kvmalloc_array(size, sizeof(*h->b), GFP_KERNEL);
	if (!h->b)
		return -ENOMEM;
	for (i = 0; i < size; i++)
		INIT_HLIST_HEAD(&h->b[i]);
	h->mask = size - 1;
	return 0;
}

static void htable_free(struct xtcp_htable *h)
{
	unsigned int i;

	if (!h->b)
		return;
	for (i = 0; i <= h->mask; i++)
		WARN_ON(!hlist_empty(&h->b[i]));
	kvfree(h->b);
	h->b = NULL;
}

int xtcp_hash_init(void)
{
	/* one init site each: a lockdep class per table (ehash nests twhash) */
	spin_lock_init(&bhash.lock);
	spin_lock_init(&lhash.lock);
	spin_lock_init(&ehash.lock);
	spin_lock_init(&twhash.lock);
	if (htable_init(&bhash, 4096) || htable_init(&lhash, 1024) ||
	    htable_init(&ehash, 16384) || htable_init(&twhash, 16384)) {
		xtcp_hash_exit();
		return -ENOMEM;
	}
	return 0;
}

void xtcp_hash_exit(void)
{
	htable_free(&bhash);
	htable_free(&lhash);
	htable_free(&ehash);
	htable_free(&twhash);
}

static u32 port_hash(const struct net *net, u16 port)
{
	return jhash_1word(port, net_hash_mix(net));
}

static u32 addr_hash(u16 family, const void *a)
{
	if (family == AF_INET6)
		return ipv6_addr_hash(a);
	return (__force u32)*(const __be32 *)a;
}

static u32 tuple_hash(const struct net *net, const struct xtcp_tuple *t)
{
	return jhash_3words(addr_hash(t->family, &t->laddr),
			    addr_hash(t->family, &t->raddr),
			    (__force u32)t->lport << 16 | (__force u32)t->rport,
			    net_hash_mix(net));
}

void xtcp_sk_tuple(const struct sock *sk, struct xtcp_tuple *t)
{
	memset(t, 0, sizeof(*t));
	t->family = sk->sk_family;
	t->lport = inet_sk(sk)->inet_sport;
	t->rport = sk->sk_dport;
	if (t->family == AF_INET6) {
		t->laddr.v6 = sk->sk_v6_rcv_saddr;
		t->raddr.v6 = sk->sk_v6_daddr;
	} else {
		t->laddr.v4 = sk->sk_rcv_saddr;
		t->raddr.v4 = sk->sk_daddr;
	}
	t->dif = sk->sk_bound_dev_if;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_sk_tuple);

static bool addr_eq(u16 family, const void *a, const void *b)
{
	if (family == AF_INET6)
		return ipv6_addr_equal(a, b);
	return *(const __be32 *)a == *(const __be32 *)b;
}

static bool addr_any(u16 family, const void *a)
{
	if (family == AF_INET6)
		return ipv6_addr_any(a);
	return !*(const __be32 *)a;
}

static const void *sk_laddr(const struct sock *sk)
{
	if (sk->sk_family == AF_INET6)
		return &sk->sk_v6_rcv_saddr;
	return &sk->sk_rcv_saddr;
}

static bool tuple_match(const struct sock *sk, const struct net *net,
			const struct xtcp_tuple *t)
{
	struct xtcp_tuple s;

	if (!net_eq(sock_net(sk), net) || sk->sk_family != t->family)
		return false;
	xtcp_sk_tuple(sk, &s);
	return s.lport == t->lport && s.rport == t->rport &&
	       addr_eq(t->family, &s.laddr, &t->laddr) &&
	       addr_eq(t->family, &s.raddr, &t->raddr);
}

/* Linux's bind rules (inet_csk_bind_conflict), simplified: same family,
 * overlapping addresses and devices conflict unless both set SO_REUSEADDR
 * and the other one does not listen.
 */
static bool bind_conflict(const struct sock *sk, const struct sock *o)
{
	if (sk->sk_family != o->sk_family)
		return false;
	if (sk->sk_bound_dev_if && o->sk_bound_dev_if &&
	    sk->sk_bound_dev_if != o->sk_bound_dev_if)
		return false;
	if (!addr_any(sk->sk_family, sk_laddr(sk)) &&
	    !addr_any(o->sk_family, sk_laddr(o)) &&
	    !addr_eq(sk->sk_family, sk_laddr(sk), sk_laddr(o)))
		return false;
	if (sk->sk_reuse && o->sk_reuse && !xtcp_sk(o)->listening)
		return false;
	return true;
}

static bool port_conflict(struct sock *sk, u16 port)
{
	struct net *net = sock_net(sk);
	struct xtcp_sock *o;

	hlist_for_each_entry(o, &bhash.b[port_hash(net, port) & bhash.mask],
			     bind_node) {
		struct sock *osk = xtcp_to_sk(o);

		if (osk == sk || !net_eq(sock_net(osk), net) ||
		    inet_sk(osk)->inet_num != port)
			continue;
		if (bind_conflict(sk, osk))
			return true;
	}
	return false;
}

static bool port_used(struct net *net, u16 port)
{
	struct xtcp_sock *o;

	hlist_for_each_entry(o, &bhash.b[port_hash(net, port) & bhash.mask],
			     bind_node) {
		struct sock *osk = xtcp_to_sk(o);

		if (net_eq(sock_net(osk), net) &&
		    inet_sk(osk)->inet_num == port)
			return true;
	}
	return false;
}

static void bind_insert(struct sock *sk, u16 port)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	inet_sk(sk)->inet_num = port;
	inet_sk(sk)->inet_sport = htons(port);
	hlist_add_head(&xs->bind_node,
		       &bhash.b[port_hash(sock_net(sk), port) & bhash.mask]);
	xs->bound = 1;
}

/**
 * xtcp_bind_port() - take a local port for a socket
 * @sk: the socket, its local address already set
 * @port: host order; 0 picks a free ephemeral port from
 *	net.ipv4.ip_local_port_range
 *
 * Return: 0, -EADDRINUSE, or -EADDRNOTAVAIL when no port is free.
 */
int xtcp_bind_port(struct sock *sk, u16 port)
{
	struct net *net = sock_net(sk);
	int err = 0;

	spin_lock_bh(&bhash.lock);
	if (port) {
		if (port_conflict(sk, port))
			err = -EADDRINUSE;
		else
			bind_insert(sk, port);
	} else {
		int low, high;
		u32 n, i, off;

		inet_get_local_port_range(net, &low, &high);
		n = high - low + 1;
		off = get_random_u32() % n;	/* off + i cannot wrap */
		err = -EADDRNOTAVAIL;
		for (i = 0; i < n; i++) {
			u16 p = low + (off + i) % n;

			if (!port_used(net, p)) {
				bind_insert(sk, p);
				err = 0;
				break;
			}
		}
	}
	spin_unlock_bh(&bhash.lock);
	return err;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_bind_port);

int xtcp_autobind(struct sock *sk)
{
	if (xtcp_sk(sk)->bound)
		return 0;
	return xtcp_bind_port(sk, 0);
}

void xtcp_unbind(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	spin_lock_bh(&bhash.lock);
	if (xs->bound) {
		hlist_del(&xs->bind_node);
		xs->bound = 0;
	}
	spin_unlock_bh(&bhash.lock);
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_unbind);

/* listen(): a second listener on an overlapping address fails even when
 * SO_REUSEADDR let both bind.
 */
int xtcp_listen_hash(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	u16 port = inet_sk(sk)->inet_num;
	int err = 0;

	spin_lock_bh(&bhash.lock);
	if (port_conflict(sk, port))
		err = -EADDRINUSE;
	else
		xs->listening = 1;	/* a concurrent listen() or bind() sees it */
	spin_unlock_bh(&bhash.lock);
	if (err)
		return err;

	spin_lock_bh(&lhash.lock);
	sock_hold(sk);
	hlist_add_head(&xs->hash_node,
		       &lhash.b[port_hash(sock_net(sk), port) & lhash.mask]);
	xs->hashed = 1;
	spin_unlock_bh(&lhash.lock);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_listen_hash);

static struct sock *ehash_find(struct net *net, const struct xtcp_tuple *t)
{
	struct xtcp_sock *xs;

	hlist_for_each_entry(xs, &ehash.b[tuple_hash(net, t) & ehash.mask],
			     hash_node)
		if (tuple_match(xtcp_to_sk(xs), net, t))
			return xtcp_to_sk(xs);
	return NULL;
}

static bool tw_match(const struct xtcp_tw *tw, const struct net *net,
		     const struct xtcp_tuple *t)
{
	return net_eq(read_pnet(&tw->net), net) && tw->family == t->family &&
	       tw->sport == t->lport && tw->dport == t->rport &&
	       addr_eq(t->family, &tw->saddr, &t->laddr) &&
	       addr_eq(t->family, &tw->daddr, &t->raddr);
}

static struct xtcp_tw *tw_find(struct net *net, const struct xtcp_tuple *t)
{
	struct xtcp_tw *tw;

	hlist_for_each_entry(tw, &twhash.b[tuple_hash(net, t) & twhash.mask],
			     node)
		if (tw_match(tw, net, t))
			return tw;
	return NULL;
}

/**
 * xtcp_ehash_insert() - hash a connecting or accepted socket by 4-tuple
 * @sk: the socket, addresses and ports set
 *
 * Return: -EADDRNOTAVAIL when the 4-tuple is in use (also in TIME-WAIT).
 */
int xtcp_ehash_insert(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct net *net = sock_net(sk);
	struct xtcp_tuple t;
	int err = 0;

	xtcp_sk_tuple(sk, &t);
	spin_lock_bh(&ehash.lock);
	spin_lock(&twhash.lock);
	if (ehash_find(net, &t) || tw_find(net, &t)) {
		err = -EADDRNOTAVAIL;
	} else {
		sock_hold(sk);
		hlist_add_head(&xs->hash_node,
			       &ehash.b[tuple_hash(net, &t) & ehash.mask]);
		xs->hashed = 1;
	}
	spin_unlock(&twhash.lock);
	spin_unlock_bh(&ehash.lock);
	return err;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_ehash_insert);

/**
 * xtcp_connect_bind() - give a connecting socket a local port, if it has
 *	none, and hash it; an ephemeral port is retried until the 4-tuple is
 *	unique.
 * @sk: the socket, peer address set
 *
 * Return: 0 or a negative errno.
 */
int xtcp_connect_bind(struct sock *sk)
{
	int tries, err;

	if (xtcp_sk(sk)->bound)
		return xtcp_ehash_insert(sk);
	for (tries = 0; tries < 16; tries++) {
		err = xtcp_bind_port(sk, 0);
		if (err)
			return err;
		err = xtcp_ehash_insert(sk);
		if (err != -EADDRNOTAVAIL)
			return err;
		xtcp_unbind(sk);
	}
	return -EADDRNOTAVAIL;
}

void xtcp_unhash(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct xtcp_htable *h = xs->listening ? &lhash : &ehash;
	bool put = false;

	spin_lock_bh(&h->lock);
	if (xs->hashed) {
		hlist_del_init(&xs->hash_node);
		xs->hashed = 0;
		xs->listening = 0;
		put = true;
	}
	spin_unlock_bh(&h->lock);
	if (put)
		sock_put(sk);
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_unhash);

struct sock *xtcp_lookup_established(struct net *net,
				     const struct xtcp_tuple *t)
{
	struct sock *sk;

	spin_lock(&ehash.lock);
	sk = ehash_find(net, t);
	if (sk)
		sock_hold(sk);
	spin_unlock(&ehash.lock);
	return sk;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_lookup_established);

/* The most specific listener: exact local address before wildcard. */
struct sock *xtcp_lookup_listener(struct net *net, const struct xtcp_tuple *t)
{
	u16 port = ntohs(t->lport);
	struct sock *best = NULL;
	struct xtcp_sock *xs;

	spin_lock(&lhash.lock);
	hlist_for_each_entry(xs, &lhash.b[port_hash(net, port) & lhash.mask],
			     hash_node) {
		struct sock *sk = xtcp_to_sk(xs);

		if (!net_eq(sock_net(sk), net) || sk->sk_family != t->family ||
		    inet_sk(sk)->inet_num != port)
			continue;
		if (sk->sk_bound_dev_if && sk->sk_bound_dev_if != t->dif)
			continue;
		if (addr_eq(t->family, sk_laddr(sk), &t->laddr)) {
			best = sk;
			break;
		}
		if (addr_any(t->family, sk_laddr(sk)) && !best)
			best = sk;
	}
	if (best)
		sock_hold(best);
	spin_unlock(&lhash.lock);
	return best;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_lookup_listener);

struct xtcp_tw *xtcp_lookup_tw(struct net *net, const struct xtcp_tuple *t)
{
	struct xtcp_tw *tw;

	spin_lock(&twhash.lock);
	tw = tw_find(net, t);
	if (tw)
		refcount_inc(&tw->refcnt);
	spin_unlock(&twhash.lock);
	return tw;
}

/* Hash a new TIME-WAIT object; the table holds a reference. */
int xtcp_tw_hash(struct xtcp_tw *tw)
{
	struct net *net = read_pnet(&tw->net);
	struct xtcp_tuple t = {
		.family = tw->family,
		.lport = tw->sport,
		.rport = tw->dport,
	};

	memcpy(&t.laddr, &tw->saddr, sizeof(t.laddr));
	memcpy(&t.raddr, &tw->daddr, sizeof(t.raddr));
	spin_lock_bh(&twhash.lock);
	refcount_inc(&tw->refcnt);
	hlist_add_head(&tw->node, &twhash.b[tuple_hash(net, &t) & twhash.mask]);
	spin_unlock_bh(&twhash.lock);
	return 0;
}

/* Returns true when this call removed it (the caller drops the table's
 * reference).
 */
bool xtcp_tw_unhash(struct xtcp_tw *tw)
{
	bool was = false;

	spin_lock_bh(&twhash.lock);
	if (!hlist_unhashed(&tw->node)) {
		hlist_del_init(&tw->node);
		was = true;
	}
	spin_unlock_bh(&twhash.lock);
	return was;
}

/* netns exit and module unload: kill every TIME-WAIT object of @net */
void xtcp_tw_purge(struct net *net)
{
	unsigned int i;

	for (i = 0; i <= twhash.mask; i++) {
		struct xtcp_tw *tw;

restart:
		spin_lock_bh(&twhash.lock);
		hlist_for_each_entry(tw, &twhash.b[i], node) {
			if (!net_eq(read_pnet(&tw->net), net))
				continue;
			refcount_inc(&tw->refcnt);
			spin_unlock_bh(&twhash.lock);
			xtcp_tw_kill(tw);
			xtcp_tw_put(tw);
			goto restart;
		}
		spin_unlock_bh(&twhash.lock);
	}
}

/* Is the 4-tuple already a connection or in TIME-WAIT? */
bool xtcp_tuple_busy(struct net *net, const struct xtcp_tuple *t)
{
	bool busy;

	spin_lock_bh(&ehash.lock);
	spin_lock(&twhash.lock);
	busy = ehash_find(net, t) || tw_find(net, t);
	spin_unlock(&twhash.lock);
	spin_unlock_bh(&ehash.lock);
	return busy;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_tuple_busy);

/**
 * xtcp_isn() - initial sequence number per RFC 6528: a keyed hash of the
 *	4-tuple plus a clock ticking every 64 ns, as Linux does.
 * @net: namespace (holds the key)
 * @t: the connection
 *
 * Return: the ISN.
 */
u32 xtcp_isn(struct net *net, const struct xtcp_tuple *t)
{
	struct {
		struct in6_addr l, r;
		__be16 lp, rp;
	} __aligned(SIPHASH_ALIGNMENT) k;
	u32 h;

	memset(&k, 0, sizeof(k));
	memcpy(&k.l, &t->laddr, sizeof(t->laddr));
	memcpy(&k.r, &t->raddr, sizeof(t->raddr));
	k.lp = t->lport;
	k.rp = t->rport;
	h = siphash(&k, sizeof(k), &xtcp_pernet(net)->isn_key);
	return h + (u32)(ktime_get_real_ns() >> 6);
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_isn);

/* A passive child shares its listener's port, as Linux's children share
 * the bind bucket: the port stays in use while any of them lives.
 */
void xtcp_bind_inherit(struct sock *sk)
{
	spin_lock_bh(&bhash.lock);
	bind_insert(sk, inet_sk(sk)->inet_num);
	spin_unlock_bh(&bhash.lock);
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_bind_inherit);

/* Does an XTCP socket of @family hold @port (host order) in @net? */
bool xtcp_port_bound(struct net *net, u16 family, u16 port)
{
	struct xtcp_sock *o;
	bool ret = false;

	spin_lock(&bhash.lock);
	hlist_for_each_entry(o, &bhash.b[port_hash(net, port) & bhash.mask],
			     bind_node) {
		struct sock *osk = xtcp_to_sk(o);

		if (net_eq(sock_net(osk), net) && osk->sk_family == family &&
		    inet_sk(osk)->inet_num == port) {
			ret = true;
			break;
		}
	}
	spin_unlock(&bhash.lock);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_port_bound);

/* /proc: call @fn for each TIME-WAIT object of @net and @family */
void xtcp_tw_for_each(struct net *net, u16 family,
		      void (*fn)(struct seq_file *, struct xtcp_tw *, int),
		      struct seq_file *f, int *idx)
{
	struct xtcp_tw *tw;
	unsigned int i;

	spin_lock_bh(&twhash.lock);
	for (i = 0; i <= twhash.mask; i++)
		hlist_for_each_entry(tw, &twhash.b[i], node)
			if (net_eq(read_pnet(&tw->net), net) &&
			    tw->family == family)
				fn(f, tw, (*idx)++);
	spin_unlock_bh(&twhash.lock);
}
