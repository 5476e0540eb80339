// SPDX-License-Identifier: GPL-2.0
/*
 * XTCP ports and lookup tables (listeners, connections by 4-tuple,
 * TIME-WAIT objects). Every key includes the network namespace.
 *
 * Ports: one port space with Linux TCP. An XTCP socket owns its port in
 * Linux TCP's own bind buckets (bhash/bhash2 of the netns' TCP hashinfo):
 * bind(), listen() and passive children go through inet_csk_get_port()
 * and __inet_inherit_port(), so every conflict rule (SO_REUSEADDR,
 * SO_REUSEPORT, wildcard vs specific address, IPV6_V6ONLY,
 * SO_BINDTODEVICE) is Linux's own code applied to XTCP and Linux TCP
 * sockets alike. XTCP sockets never enter Linux TCP's established or
 * listening hashes, so Linux TCP never delivers to them (nor lists them).
 *
 * connect() without a bound port cannot use inet_hash_connect(): it would
 * put the socket into Linux's established hash, and __inet_hash_connect()
 * (which takes the uniqueness check as a callback) is not exported. So
 * XTCP walks net.ipv4.ip_local_port_range itself, skipping
 * ip_local_reserved_ports: a port with no bucket is taken with
 * inet_csk_get_port(); a port whose bucket holds only XTCP sockets that
 * got it the same way is shared when the 4-tuple is unique (as Linux
 * shares connect()-bound ports by 4-tuple); a port held by Linux TCP or
 * by bind() is skipped. A bucket XTCP owns has fastreuse or fastreuseport
 * >= 0, so Linux's connect() skips it in turn, and XTCP checks Linux's
 * established hash too: a 4-tuple is never both XTCP's and Linux's.
 *
 * Lookups run in the netfilter hook for every TCP segment of the host:
 * RCU readers with no lock and no atomic on a miss; writers take a
 * per-bucket lock. Sockets are freed after a grace period (SOCK_RCU_FREE)
 * and TIME-WAIT objects with kfree_rcu(); a hit takes its reference with
 * refcount_inc_not_zero() and re-checks the key, and a walk that ends on
 * another chain's nulls marker restarts, as __inet_lookup_established().
 * A socket in the listening or connection table holds a reference
 * (sock_hold) that xtcp_unhash() drops; lookups return a new reference.
 */
#include <linux/jhash.h>
#include <linux/siphash.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/rculist_nulls.h>
#include <kunit/visibility.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/inet_hashtables.h>
#include <net/inet6_hashtables.h>
#include <net/inet_connection_sock.h>
#include <net/tcp_states.h>

#include "xtcp.h"

#define XTCP_EHASH_SIZE		16384
#define XTCP_LHASH_SIZE		1024
/* nulls values of the listening chains: never an ehash slot */
#define XTCP_LNULLS		BIT(29)

/* connections and TIME-WAIT objects of one 4-tuple hash */
struct xtcp_ebucket {
	spinlock_t lock;		/* writers of both chains */
	struct hlist_nulls_head socks;
	struct hlist_nulls_head tws;
};

struct xtcp_lbucket {
	spinlock_t lock;		/* writers */
	struct hlist_nulls_head head;
};

static struct xtcp_ebucket *ehash;
static struct xtcp_lbucket *lhash;

int xtcp_hash_init(void)
{
	unsigned int i;

	ehash = kvmalloc_array(XTCP_EHASH_SIZE, sizeof(*ehash), GFP_KERNEL);
	lhash = kvmalloc_array(XTCP_LHASH_SIZE, sizeof(*lhash), GFP_KERNEL);
	if (!ehash || !lhash) {
		xtcp_hash_exit();
		return -ENOMEM;
	}
	/* one init site per table: one lockdep class each */
	for (i = 0; i < XTCP_EHASH_SIZE; i++) {
		spin_lock_init(&ehash[i].lock);
		INIT_HLIST_NULLS_HEAD(&ehash[i].socks, i);
		INIT_HLIST_NULLS_HEAD(&ehash[i].tws, i);
	}
	for (i = 0; i < XTCP_LHASH_SIZE; i++) {
		spin_lock_init(&lhash[i].lock);
		INIT_HLIST_NULLS_HEAD(&lhash[i].head, XTCP_LNULLS + i);
	}
	return 0;
}

void xtcp_hash_exit(void)
{
	unsigned int i;

	if (ehash)
		for (i = 0; i < XTCP_EHASH_SIZE; i++)
			WARN_ON(!hlist_nulls_empty(&ehash[i].socks) ||
				!hlist_nulls_empty(&ehash[i].tws));
	if (lhash)
		for (i = 0; i < XTCP_LHASH_SIZE; i++)
			WARN_ON(!hlist_nulls_empty(&lhash[i].head));
	kvfree(ehash);
	kvfree(lhash);
	ehash = NULL;
	lhash = NULL;
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

static u32 eslot(const struct net *net, const struct xtcp_tuple *t)
{
	return tuple_hash(net, t) & (XTCP_EHASH_SIZE - 1);
}

static u32 lslot(const struct net *net, u16 port)
{
	return port_hash(net, port) & (XTCP_LHASH_SIZE - 1);
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

/* ports first: the cheap test that rejects most chain neighbours */
static bool tuple_match(const struct sock *sk, const struct net *net,
			const struct xtcp_tuple *t)
{
	if (inet_sk(sk)->inet_sport != t->lport || sk->sk_dport != t->rport ||
	    sk->sk_family != t->family || !net_eq(sock_net(sk), net))
		return false;
	if (t->family == AF_INET6)
		return ipv6_addr_equal(&sk->sk_v6_rcv_saddr, &t->laddr.v6) &&
		       ipv6_addr_equal(&sk->sk_v6_daddr, &t->raddr.v6);
	return sk->sk_rcv_saddr == t->laddr.v4 && sk->sk_daddr == t->raddr.v4;
}

static bool tw_match(const struct xtcp_tw *tw, const struct net *net,
		     const struct xtcp_tuple *t)
{
	return tw->sport == t->lport && tw->dport == t->rport &&
	       tw->family == t->family && net_eq(read_pnet(&tw->net), net) &&
	       addr_eq(t->family, &tw->saddr, &t->laddr) &&
	       addr_eq(t->family, &tw->daddr, &t->raddr);
}

/* ---- ports: Linux TCP's bind buckets ---- */

static struct inet_hashinfo *xtcp_hinfo(const struct sock *sk)
{
	/* xtcp_prot.h.hashinfo is NULL: the netns' TCP hashinfo, as TCP */
	return tcp_or_dccp_get_hashinfo(sk);
}

static void xtcp_mark_bound(struct sock *sk)
{
	inet_sk(sk)->inet_sport = htons(inet_sk(sk)->inet_num);
	xtcp_sk(sk)->bound = 1;
}

/**
 * xtcp_bind_port() - take a local port in Linux TCP's bind buckets
 * @sk: the socket, its local address already set
 * @port: host order; 0 picks a free port as bind(port 0) does in Linux
 *
 * Return: 0 or -EADDRINUSE, with Linux's conflict rules against Linux TCP
 *	and XTCP sockets alike.
 */
int xtcp_bind_port(struct sock *sk, u16 port)
{
	int err = inet_csk_get_port(sk, port);

	if (err)
		return err;
	xtcp_mark_bound(sk);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_bind_port);

int xtcp_autobind(struct sock *sk)
{
	if (xtcp_sk(sk)->bound)
		return 0;
	/* [::] of an AF_INET6 socket: IPv6-only as set, or as the netns */
	if (sk->sk_family == AF_INET6)
		sk->sk_ipv6only = xtcp_v6only(sk);
	return xtcp_bind_port(sk, 0);
}

void xtcp_unbind(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	if (!xs->bound)
		return;
	inet_put_port(sk);
	xs->bound = 0;
	xs->conn_port = 0;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_unbind);

/* A passive child shares its listener's bucket, as Linux's children do:
 * the port stays in use while any of them lives.
 */
int xtcp_bind_inherit(struct sock *lsk, struct sock *sk)
{
	int err = __inet_inherit_port(lsk, sk);

	if (!err)
		xtcp_mark_bound(sk);
	return err;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_bind_inherit);

/**
 * xtcp_set_saddr() - set the local address a route chose; a bound socket
 *	moves in bhash2 with it, as Linux's connect() does.
 * @sk: the socket
 * @addr: __be32 (AF_INET or v4-mapped socket) or struct in6_addr
 *
 * A dual-stack socket bound to [::] that connects to a v4-mapped peer
 * (@map6) is still AF_INET6 here and moves as tcp_v6_connect() ->
 * tcp_v4_connect() moves Linux's: inet_bhash2_update_saddr(AF_INET) sets
 * inet_rcv_saddr to the address and sk_v6_rcv_saddr to its v4-mapped
 * form, into the bucket Linux's mapped socket gets. Only then does it
 * become AF_INET for XTCP's IPv4 path: with the two addresses equivalent
 * its bhash2 chain (ipv6_portaddr_hash of a mapped address is
 * ipv4_portaddr_hash of the IPv4 one), its bucket match and the bind
 * conflict tests on it (inet_rcv_saddr_equal) are the same in both
 * families, so the bucket stays consistent for 6.1 and 6.12.
 *
 * Return: 0 or -ENOMEM.
 */
int xtcp_set_saddr(struct sock *sk, const void *addr)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	int family = xs->v4mapped ? AF_INET : sk->sk_family;
	int err;

	if (xs->bound) {
		err = inet_bhash2_update_saddr(sk, (void *)addr, family);
		if (err)
			return err;
	} else if (family == AF_INET6) {
		sk->sk_v6_rcv_saddr = *(const struct in6_addr *)addr;
	} else {
		inet_sk(sk)->inet_saddr = *(const __be32 *)addr;
		sk->sk_rcv_saddr = *(const __be32 *)addr;
	}
	sk->sk_family = family;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_set_saddr);

/**
 * xtcp_reset_saddr() - forget the local address connect() chose, unless
 *	bind() set one (SOCK_BINDADDR_LOCK), as tcp_disconnect() does with
 *	inet_bhash2_reset_saddr(); a @map6 socket is the [::] one again.
 * @sk: a bound socket, locked
 */
void xtcp_reset_saddr(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	if (xs->map6) {
		/* addresses are v4-mapped-equivalent or still [::] here
		 * (see xtcp_set_saddr): the family may change in bhash2
		 */
		sk->sk_family = AF_INET6;
		xs->v4mapped = 0;
		xs->map6 = 0;
	}
	if (sk->sk_userlocks & SOCK_BINDADDR_LOCK)
		return;
	inet_bhash2_reset_saddr(sk);	/* np->saddr too, if AF_INET6 */
	/* no memory for the [::]/0.0.0.0 bucket: Linux unbound the socket */
	if (!inet_csk(sk)->icsk_bind_hash) {
		xs->bound = 0;
		xs->conn_port = 0;
	}
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_reset_saddr);

/* Only XTCP sockets whose port connect() picked: safe to share by
 * 4-tuple. Linux TIME-WAIT entries in the bucket have sk_prot == tcp_prot.
 */
static bool xtcp_conn_owner(const struct sock *sk)
{
	return READ_ONCE(sk->sk_prot) == &xtcp_prot &&
	       xtcp_sk(sk)->conn_port;
}

enum { XP_FREE, XP_SHARE, XP_BUSY };

/* What the port's Linux bind bucket says for an XTCP connect() */
static int xtcp_port_state(struct sock *sk, u16 port)
{
	struct inet_hashinfo *h = xtcp_hinfo(sk);
	struct net *net = sock_net(sk);
	int l3mdev = inet_sk_bound_l3mdev(sk);
	struct inet_bind_hashbucket *head;
	struct inet_bind_bucket *tb;
	int ret = XP_FREE;

	head = &h->bhash[inet_bhashfn(net, port, h->bhash_size)];
	spin_lock_bh(&head->lock);
	inet_bind_bucket_for_each(tb, &head->chain) {
		if (!net_eq(ib_net(tb), net) || tb->port != port ||
		    tb->l3mdev != l3mdev)
			continue;
		ret = xtcp_tb_owners_all(tb, xtcp_conn_owner) ? XP_SHARE :
								XP_BUSY;
		break;
	}
	spin_unlock_bh(&head->lock);
	return ret;
}

/* Is the 4-tuple a Linux TCP connection or TIME-WAIT? (@sk: any socket
 * of the netns, for its hashinfo)
 */
bool xtcp_linux_owns_net(struct net *net, const struct xtcp_tuple *t)
{
	struct inet_hashinfo *h = net->ipv4.tcp_death_row.hashinfo;
	struct sock *o;

	rcu_read_lock();
	if (t->family == AF_INET6)
		o = __inet6_lookup_established(net, h, &t->raddr.v6, t->rport,
					       &t->laddr.v6, ntohs(t->lport),
					       t->dif, 0);
	else
		o = __inet_lookup_established(net, h, t->raddr.v4, t->rport,
					      t->laddr.v4, ntohs(t->lport),
					      t->dif, 0);
	rcu_read_unlock();
	if (!o)
		return false;
	sock_gen_put(o);
	return true;
}

bool xtcp_linux_owns(struct sock *sk, const struct xtcp_tuple *t)
{
	return xtcp_linux_owns_net(sock_net(sk), t);
}

/* hash a socket that owns its port; the 4-tuple must be new to both */
static int xtcp_conn_hash(struct sock *sk)
{
	struct xtcp_tuple t;
	int err;

	xtcp_sk_tuple(sk, &t);
	if (xtcp_linux_owns(sk, &t))
		return -EADDRNOTAVAIL;
	err = xtcp_ehash_insert(sk);
	if (err)
		return err;
	/* a Linux socket that shared the port (both SO_REUSEADDR) may have
	 * connected meanwhile: whoever comes second backs off
	 */
	if (xtcp_linux_owns(sk, &t)) {
		xtcp_unhash(sk);
		return -EADDRNOTAVAIL;
	}
	return 0;
}

/* Take @port for a connect(): a free port normally; a shared one past
 * the conflict check (SK_FORCE_REUSE), then re-verify under the bucket
 * lock that it still holds only shareable XTCP sockets.
 */
static int xtcp_connect_take(struct sock *sk, u16 port, int state)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	unsigned char reuse = sk->sk_reuse;
	int err;

	xs->conn_port = 1;
	if (state == XP_SHARE)
		sk->sk_reuse = SK_FORCE_REUSE;
	err = inet_csk_get_port(sk, port);
	sk->sk_reuse = reuse;
	if (err) {
		xs->conn_port = 0;
		return err;
	}
	xtcp_mark_bound(sk);
	if (state == XP_SHARE && xtcp_port_state(sk, port) != XP_SHARE) {
		xtcp_unbind(sk);
		return -EADDRINUSE;
	}
	return 0;
}

/**
 * xtcp_connect_bind() - give a connecting socket a local port, if it has
 *	none, and hash its 4-tuple; ephemeral ports are shared by 4-tuple
 *	as Linux's __inet_hash_connect() does (see the top of this file).
 * @sk: the socket, local and peer addresses set
 *
 * Return: 0 or a negative errno (-EADDRNOTAVAIL: no port/4-tuple free).
 */
int xtcp_connect_bind(struct sock *sk)
{
	struct net *net = sock_net(sk);
	int low, high, err;
	u32 n, i, off;

	if (xtcp_sk(sk)->bound)
		return xtcp_conn_hash(sk);

	inet_sk_get_local_port_range(sk, &low, &high);
	n = high - low + 1;
	off = get_random_u32();
	for (i = 0; i < n; i++) {
		u16 port = low + (off + i) % n;
		int state;

		if (inet_is_local_reserved_port(net, port))
			continue;
		state = xtcp_port_state(sk, port);
		if (state == XP_BUSY)
			continue;
		if (xtcp_connect_take(sk, port, state))
			continue;
		err = xtcp_conn_hash(sk);
		if (!err)
			return 0;
		xtcp_unbind(sk);
		if (err != -EADDRNOTAVAIL)
			return err;
		cond_resched();
	}
	return -EADDRNOTAVAIL;
}

/* ---- listeners ---- */

/* listen(): Linux's inet_csk_listen_start() re-runs the bind conflict
 * check as a listener (two SO_REUSEADDR binders cannot both listen).
 */
int xtcp_listen_hash(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	u16 port = inet_sk(sk)->inet_num;
	int old = sk->sk_state, err;
	struct xtcp_lbucket *b;

	xtcp_set_sk_state(sk, TCP_LISTEN);
	err = inet_csk_get_port(sk, port);
	if (err) {
		xtcp_set_sk_state(sk, old);
		return err;
	}
	if (!xs->bound)
		xtcp_mark_bound(sk);	/* listen() autobinds first; KUnit may not */
	xs->hslot = lslot(sock_net(sk), port);
	b = &lhash[xs->hslot];
	spin_lock_bh(&b->lock);
	sock_hold(sk);
	xs->listening = 1;
	hlist_nulls_add_head_rcu(&xs->hash_node, &b->head);
	xs->hashed = 1;
	spin_unlock_bh(&b->lock);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_listen_hash);

/*
 * 0: no match, 1: a dual-stack IPv6 wildcard for an IPv4 segment,
 * 2: wildcard address, 3: exact address (as compute_score(): a listener
 * of the segment's own family wins over a dual-stack one)
 */
static int listen_score(const struct sock *sk, const struct net *net,
			const struct xtcp_tuple *t, u16 port)
{
	if (inet_sk(sk)->inet_num != port || !net_eq(sock_net(sk), net) ||
	    !xtcp_sk(sk)->listening)
		return 0;
	if (sk->sk_bound_dev_if && sk->sk_bound_dev_if != t->dif)
		return 0;
	if (sk->sk_family != t->family) {
		/* RFC 4291 §2.5.5.2: [::] with IPV6_V6ONLY off takes IPv4 */
		return t->family == AF_INET && sk->sk_family == AF_INET6 &&
		       !sk->sk_ipv6only &&
		       ipv6_addr_any(&sk->sk_v6_rcv_saddr) ? 1 : 0;
	}
	if (addr_eq(t->family, sk_laddr(sk), &t->laddr))
		return 3;
	return addr_any(t->family, sk_laddr(sk)) ? 2 : 0;
}

/*
 * The most specific listener: exact local address before wildcard. Equal
 * listeners on one port are an SO_REUSEPORT group (bind() let them share
 * it): as reuseport_select_sock(), the 4-tuple's hash picks one, each
 * with the same chance (reservoir sampling over the chain), so a
 * connection's SYN and its retransmissions reach the same listener.
 */
struct sock *xtcp_lookup_listener(struct net *net, const struct xtcp_tuple *t)
{
	u16 port = ntohs(t->lport);
	u32 slot = lslot(net, port);
	u32 phash = tuple_hash(net, t);
	struct hlist_nulls_node *n;
	unsigned int nbest;
	struct sock *best;
	struct xtcp_sock *xs;
	int score, bscore;

	rcu_read_lock();
begin:
	best = NULL;
	bscore = 0;
	nbest = 0;
	hlist_nulls_for_each_entry_rcu(xs, n, &lhash[slot].head, hash_node) {
		score = listen_score(xtcp_to_sk(xs), net, t, port);
		if (!score || score < bscore)
			continue;
		if (score > bscore) {
			bscore = score;
			nbest = 0;
		}
		nbest++;
		if (!reciprocal_scale(jhash_1word(nbest, phash), nbest))
			best = xtcp_to_sk(xs);
	}
	if (get_nulls_value(n) != XTCP_LNULLS + slot)
		goto begin;
	if (best) {
		if (unlikely(!refcount_inc_not_zero(&best->sk_refcnt))) {
			best = NULL;
		} else if (unlikely(listen_score(best, net, t, port) != bscore)) {
			sock_put(best);
			goto begin;
		}
	}
	rcu_read_unlock();
	return best;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_lookup_listener);

/* ---- connections and TIME-WAIT ---- */

/* under the bucket lock */
static bool ebucket_busy(struct xtcp_ebucket *b, struct net *net,
			 const struct xtcp_tuple *t)
{
	struct hlist_nulls_node *n;
	struct xtcp_sock *xs;
	struct xtcp_tw *tw;

	hlist_nulls_for_each_entry(xs, n, &b->socks, hash_node)
		if (tuple_match(xtcp_to_sk(xs), net, t))
			return true;
	hlist_nulls_for_each_entry(tw, n, &b->tws, node)
		if (tw_match(tw, net, t))
			return true;
	return false;
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
	struct xtcp_ebucket *b;
	struct xtcp_tuple t;
	u32 slot;
	int err = 0;

	xtcp_sk_tuple(sk, &t);
	slot = eslot(net, &t);
	b = &ehash[slot];
	spin_lock_bh(&b->lock);
	if (ebucket_busy(b, net, &t)) {
		err = -EADDRNOTAVAIL;
	} else {
		sock_hold(sk);
		xs->hslot = slot;
		hlist_nulls_add_head_rcu(&xs->hash_node, &b->socks);
		xs->hashed = 1;
	}
	spin_unlock_bh(&b->lock);
	return err;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_ehash_insert);

void xtcp_unhash(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	spinlock_t *lock;	/* the bucket of hash_node */
	bool put = false;

	if (!xs->hashed)
		return;
	/* hashed, listening and hslot change only under the socket lock */
	lock = xs->listening ? &lhash[xs->hslot].lock : &ehash[xs->hslot].lock;
	spin_lock_bh(lock);
	if (xs->hashed) {
		hlist_nulls_del_init_rcu(&xs->hash_node);
		xs->hashed = 0;
		xs->listening = 0;
		put = true;
	}
	spin_unlock_bh(lock);
	if (put)
		sock_put(sk);
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_unhash);

struct sock *xtcp_lookup_established(struct net *net,
				     const struct xtcp_tuple *t)
{
	u32 slot = eslot(net, t);
	struct hlist_nulls_node *n;
	struct xtcp_sock *xs;
	struct sock *sk;

	rcu_read_lock();
begin:
	hlist_nulls_for_each_entry_rcu(xs, n, &ehash[slot].socks, hash_node) {
		sk = xtcp_to_sk(xs);
		if (!tuple_match(sk, net, t))
			continue;
		if (unlikely(!refcount_inc_not_zero(&sk->sk_refcnt)))
			goto miss;
		if (unlikely(!tuple_match(sk, net, t))) {
			sock_put(sk);
			goto begin;
		}
		goto out;
	}
	if (get_nulls_value(n) != slot)
		goto begin;
miss:
	sk = NULL;
out:
	rcu_read_unlock();
	return sk;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_lookup_established);

/* TIME-WAIT objects never change key nor chain and are freed after a
 * grace period: no re-check after the reference.
 */
struct xtcp_tw *xtcp_lookup_tw(struct net *net, const struct xtcp_tuple *t)
{
	u32 slot = eslot(net, t);
	struct hlist_nulls_node *n;
	struct xtcp_tw *tw;

	rcu_read_lock();
	hlist_nulls_for_each_entry_rcu(tw, n, &ehash[slot].tws, node) {
		if (!tw_match(tw, net, t))
			continue;
		if (!refcount_inc_not_zero(&tw->refcnt))
			tw = NULL;
		goto out;
	}
	tw = NULL;
out:
	rcu_read_unlock();
	return tw;
}

static struct xtcp_ebucket *tw_bucket(const struct xtcp_tw *tw)
{
	struct xtcp_tuple t;

	xtcp_tw_tuple(tw, &t);
	return &ehash[eslot(read_pnet(&tw->net), &t)];
}

/* Hash a new TIME-WAIT object; the table holds a reference. */
int xtcp_tw_hash(struct xtcp_tw *tw)
{
	struct xtcp_ebucket *b = tw_bucket(tw);

	spin_lock_bh(&b->lock);
	refcount_inc(&tw->refcnt);
	hlist_nulls_add_head_rcu(&tw->node, &b->tws);
	spin_unlock_bh(&b->lock);
	return 0;
}

/* Returns true when this call removed it (the caller drops the table's
 * reference).
 */
bool xtcp_tw_unhash(struct xtcp_tw *tw)
{
	struct xtcp_ebucket *b = tw_bucket(tw);
	bool was = false;

	spin_lock_bh(&b->lock);
	if (!hlist_nulls_unhashed(&tw->node)) {
		hlist_nulls_del_init_rcu(&tw->node);
		was = true;
	}
	spin_unlock_bh(&b->lock);
	return was;
}

/* netns exit and module unload: kill every TIME-WAIT object of @net */
void xtcp_tw_purge(struct net *net)
{
	unsigned int i;

	for (i = 0; i < XTCP_EHASH_SIZE; i++) {
		struct hlist_nulls_node *n;
		struct xtcp_tw *tw;

restart:
		spin_lock_bh(&ehash[i].lock);
		hlist_nulls_for_each_entry(tw, n, &ehash[i].tws, node) {
			if (!net_eq(read_pnet(&tw->net), net))
				continue;
			refcount_inc(&tw->refcnt);
			spin_unlock_bh(&ehash[i].lock);
			xtcp_tw_kill(tw);
			xtcp_tw_put(tw);
			goto restart;
		}
		spin_unlock_bh(&ehash[i].lock);
	}
}

/* Is the 4-tuple already an XTCP connection or in TIME-WAIT? */
bool xtcp_tuple_busy(struct net *net, const struct xtcp_tuple *t)
{
	struct xtcp_ebucket *b = &ehash[eslot(net, t)];
	bool busy;

	spin_lock_bh(&b->lock);
	busy = ebucket_busy(b, net, t);
	spin_unlock_bh(&b->lock);
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

/**
 * xtcp_ts_off() - the offset of a connection's TSval (RFC 7323 §5.4): a
 *	keyed hash of the 4-tuple, as Linux's secure_tcp_ts_off(), so that
 *	TSval says nothing of the uptime and differs between connections,
 *	yet a SYN cookie's SYN-ACK and the child it becomes (or a new
 *	incarnation after TIME-WAIT) share it.
 * @net: namespace (holds the key)
 * @t: the connection
 */
u32 xtcp_ts_off(struct net *net, const struct xtcp_tuple *t)
{
	struct {
		struct in6_addr l, r;
		__be16 lp, rp;
		u32 tag;
	} __aligned(SIPHASH_ALIGNMENT) k;

	memset(&k, 0, sizeof(k));
	memcpy(&k.l, &t->laddr, sizeof(t->laddr));
	memcpy(&k.r, &t->raddr, sizeof(t->raddr));
	k.lp = t->lport;
	k.rp = t->rport;
	k.tag = 0x7473;		/* "ts": independent of the ISN's hash */
	return siphash(&k, sizeof(k), &xtcp_pernet(net)->isn_key);
}

/* /proc: call @fn for each TIME-WAIT object of @net and @family */
void xtcp_tw_for_each(struct net *net, u16 family,
		      void (*fn)(struct seq_file *, struct xtcp_tw *, int),
		      struct seq_file *f, int *idx)
{
	struct hlist_nulls_node *n;
	struct xtcp_tw *tw;
	unsigned int i;

	for (i = 0; i < XTCP_EHASH_SIZE; i++) {
		if (hlist_nulls_empty(&ehash[i].tws))
			continue;
		spin_lock_bh(&ehash[i].lock);
		hlist_nulls_for_each_entry(tw, n, &ehash[i].tws, node)
			if (net_eq(read_pnet(&tw->net), net) &&
			    tw->family == family)
				fn(f, tw, (*idx)++);
		spin_unlock_bh(&ehash[i].lock);
	}
}

/**
 * xtcp_tw_walk() - call @fn for the TIME-WAIT objects of @net, resumably
 * @net: the netns
 * @slot: in/out: the ehash slot to start at / to resume at
 * @skip: in/out: objects of @net in *@slot already seen
 * @fn: called under the slot's lock; non-zero stops the walk there
 * @arg: for @fn
 *
 * sock_diag dumps span several skbs: when @fn stops (its skb is full),
 * *@slot and *@skip name the object it stopped at.
 *
 * Return: what @fn returned when it stopped, else 0.
 */
int xtcp_tw_walk(struct net *net, unsigned int *slot, unsigned int *skip,
		 int (*fn)(struct xtcp_tw *tw, void *arg), void *arg)
{
	struct hlist_nulls_node *n;
	struct xtcp_tw *tw;
	unsigned int i;
	int err;

	for (; *slot < XTCP_EHASH_SIZE; (*slot)++, *skip = 0) {
		if (hlist_nulls_empty(&ehash[*slot].tws))
			continue;
		i = 0;
		spin_lock_bh(&ehash[*slot].lock);
		hlist_nulls_for_each_entry(tw, n, &ehash[*slot].tws, node) {
			if (!net_eq(read_pnet(&tw->net), net) || i++ < *skip)
				continue;
			err = fn(tw, arg);
			if (err) {
				*skip = i - 1;
				spin_unlock_bh(&ehash[*slot].lock);
				return err;
			}
		}
		spin_unlock_bh(&ehash[*slot].lock);
	}
	return 0;
}
