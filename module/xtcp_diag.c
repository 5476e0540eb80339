// SPDX-License-Identifier: GPL-2.0
/*
 * XTCP sock_diag: NETLINK_SOCK_DIAG requests for family AF_XTCP, the way
 * inet_diag answers them for TCP, so that a netlink client (tools/xtcp-ss)
 * lists XTCP sockets as `ss -tan` lists TCP's. The request is struct
 * xtcp_diag_req (module/uapi/xtcp.h), the replies struct inet_diag_msg
 * with INET_DIAG_* attributes and XTCP_DIAG_STATE.
 *
 * What is listed: every socket on the netns list xtcp_net.socks (the one
 * /proc/net/xtcp{,6} reads: listeners, SYN-RECEIVED children, connections)
 * and every TIME-WAIT object of the netns in the ehash. The socket list is
 * walked in batches: references taken under socks_lock, each socket then
 * filled under its own lock (the TCB is read as TCP_INFO reads it). A dump
 * spans several skbs; cb->args keeps the resume point.
 *
 * SOCK_DESTROY (what `ss -K` sends for TCP): the socket named by the
 * request's 4-tuple (and cookie), found as a get-exact request finds it, is
 * aborted as tcp_abort() aborts a TCP one; CAP_NET_ADMIN in the socket's
 * netns is needed (sock_diag_destroy()).
 */
#include <linux/module.h>
#include <linux/sock_diag.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/jiffies.h>
#include <net/netlink.h>
#include <net/sock.h>

#include "xtcp.h"
#include "xtcp_cc.h"

/* cb->args[]: where a multi-part dump resumes */
enum {
	XD_PHASE,	/* 0: sockets, 1: TIME-WAIT, 2: done */
	XD_SOCK,	/* next index on xtcp_net.socks */
	XD_TWSLOT,	/* ehash slot */
	XD_TWSKIP,	/* entries of this netns already sent from that slot */
};

#define XTCP_DIAG_BATCH	16

struct xtcp_diag_ctx {
	struct sk_buff *skb;
	const struct xtcp_diag_req *req;
	struct user_namespace *user_ns;
	u32 portid;
	u32 seq;
	u16 flags;
	bool exact;		/* a get-exact request: match req->id */
};

/**
 * xtcp_sk_timer() - the timer /proc/net/xtcp and sock_diag report, in
 *	Linux's codes (1 retransmit, 2 keep-alive or FIN-WAIT-2 limit, 4 zero
 *	window probe; 0 none)
 * @xs: the socket (read locklessly by /proc)
 * @expires: set to the timer's expiry in jiffies (now if none)
 *
 * Return: the timer code.
 */
int xtcp_sk_timer(struct xtcp_sock *xs, unsigned long *expires)
{
	static const struct { u8 t, code; } order[] = {
		{ XTCP_T_RTX, 1 }, { XTCP_T_PERSIST, 4 },
		/* Linux runs its FIN-WAIT-2 limit on the keepalive timer */
		{ XTCP_T_FINWAIT2, 2 }, { XTCP_T_KEEPALIVE, 2 },
	};
	int i;

	for (i = 0; i < ARRAY_SIZE(order); i++) {
		if (xtcp_timer_due(xs, order[i].t, expires))
			return order[i].code;
	}
	*expires = jiffies;
	return 0;
}

static bool xtcp_diag_want(const struct xtcp_diag_req *req, u16 family,
			   int lstate)
{
	if (req->xdiag_family && req->xdiag_family != family)
		return false;
	return !req->xdiag_states || (req->xdiag_states & BIT(lstate));
}

/* the exact request's 4-tuple: the local end is src, as inet_diag */
static bool xtcp_diag_match(const struct xtcp_diag_req *req, u16 family,
			    const void *saddr, const void *daddr,
			    __be16 sport, __be16 dport)
{
	const struct inet_diag_sockid *id = &req->id;
	size_t alen = family == AF_INET6 ? 16 : 4;

	return req->xdiag_family == family && id->idiag_sport == sport &&
	       id->idiag_dport == dport &&
	       !memcmp(id->idiag_src, saddr, alen) &&
	       !memcmp(id->idiag_dst, daddr, alen);
}

static struct inet_diag_msg *
xtcp_diag_put(struct xtcp_diag_ctx *c, struct nlmsghdr **nlh, u16 family,
	      int lstate, const void *saddr, const void *daddr,
	      __be16 sport, __be16 dport, int ifindex)
{
	struct inet_diag_msg *r;
	size_t alen = family == AF_INET6 ? 16 : 4;

	*nlh = nlmsg_put(c->skb, c->portid, c->seq, SOCK_DIAG_BY_FAMILY,
			 sizeof(*r), c->flags);
	if (!*nlh)
		return NULL;
	r = nlmsg_data(*nlh);
	memset(r, 0, sizeof(*r));
	r->idiag_family = family;
	r->idiag_state = lstate;
	r->id.idiag_sport = sport;
	r->id.idiag_dport = dport;
	r->id.idiag_if = ifindex;
	memcpy(r->id.idiag_src, saddr, alen);
	memcpy(r->id.idiag_dst, daddr, alen);
	return r;
}

static int xtcp_diag_put_state(struct sk_buff *skb, unsigned int state)
{
	struct xtcp_diag_state st = { .state = state };

	strscpy(st.name, xtcp_state_name(state), sizeof(st.name));
	return nla_put(skb, XTCP_DIAG_STATE, sizeof(st), &st);
}

/* one socket, locked by the caller */
static int xtcp_diag_fill_sk(struct sock *sk, struct xtcp_diag_ctx *c)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	unsigned int state = xs->tcb.state;
	u8 ext = c->req->xdiag_ext;
	const struct xtcp_cc_ops *cc;
	const void *saddr, *daddr;
	struct inet_diag_msg *r;
	unsigned long expires;
	struct nlmsghdr *nlh;
	struct nlattr *attr;

	if (sk->sk_family == AF_INET6) {
		saddr = &sk->sk_v6_rcv_saddr;
		daddr = &sk->sk_v6_daddr;
	} else {
		saddr = &sk->sk_rcv_saddr;
		daddr = &sk->sk_daddr;
	}
	r = xtcp_diag_put(c, &nlh, sk->sk_family, xtcp_linux_state(state),
			  saddr, daddr, htons(inet_sk(sk)->inet_num),
			  sk->sk_dport, sk->sk_bound_dev_if);
	if (!r)
		return -EMSGSIZE;
	sock_diag_save_cookie(sk, r->id.idiag_cookie);
	r->idiag_timer = xtcp_sk_timer(xs, &expires);
	if (r->idiag_timer)
		r->idiag_expires = jiffies_delta_to_msecs(expires - jiffies);
	r->idiag_retrans = xs->tcb.backoff;
	if (xs->listening) {
		/* as tcp_diag_get_info(): accept queue and its bound */
		r->idiag_rqueue = xtcp_acceptq_len(xs);
		r->idiag_wqueue = READ_ONCE(sk->sk_max_ack_backlog);
	} else {
		r->idiag_rqueue = xs->rcvq_bytes;
		if (state >= XTCP_ESTABLISHED &&
		    xtcp_seq_gt(xs->tcb.snd_end, xs->tcb.snd_una))
			r->idiag_wqueue = xs->tcb.snd_end - xs->tcb.snd_una;
	}
	r->idiag_uid = from_kuid_munged(c->user_ns, sock_i_uid(sk));
	r->idiag_inode = sock_i_ino(sk);

	if (nla_put_u8(c->skb, INET_DIAG_SHUTDOWN, sk->sk_shutdown) ||
	    xtcp_diag_put_state(c->skb, state))
		goto fail;
	if (ext & BIT(INET_DIAG_INFO - 1)) {
		attr = nla_reserve_64bit(c->skb, INET_DIAG_INFO,
					 sizeof(struct tcp_info),
					 INET_DIAG_PAD);
		if (!attr)
			goto fail;
		xtcp_sock_tcp_info(sk, nla_data(attr));
	}
	/* as inet_sk_diag_fill(): the old four counters, then sk_meminfo */
	if (ext & BIT(INET_DIAG_MEMINFO - 1)) {
		struct inet_diag_meminfo minfo = {
			.idiag_rmem = sk_rmem_alloc_get(sk),
			.idiag_wmem = READ_ONCE(sk->sk_wmem_queued),
			.idiag_fmem = sk_forward_alloc_get(sk),
			.idiag_tmem = sk_wmem_alloc_get(sk),
		};

		if (nla_put(c->skb, INET_DIAG_MEMINFO, sizeof(minfo), &minfo))
			goto fail;
	}
	if ((ext & BIT(INET_DIAG_SKMEMINFO - 1)) &&
	    sock_diag_put_meminfo(sk, c->skb, INET_DIAG_SKMEMINFO))
		goto fail;
	if (ext & BIT(INET_DIAG_CONG - 1)) {
		cc = xs->topt.cc ?: xtcp_cc_default();
		if (nla_put_string(c->skb, INET_DIAG_CONG, cc->name))
			goto fail;
	}
	nlmsg_end(c->skb, nlh);
	return 0;
fail:
	nlmsg_cancel(c->skb, nlh);
	return -EMSGSIZE;
}

/* a TIME-WAIT object, under its ehash bucket lock */
static int xtcp_diag_fill_tw(struct xtcp_tw *tw, void *arg)
{
	struct xtcp_diag_ctx *c = arg;
	struct inet_diag_msg *r;
	struct nlmsghdr *nlh;

	if (!xtcp_diag_want(c->req, tw->family, TCP_TIME_WAIT))
		return 0;
	if (c->exact && !xtcp_diag_match(c->req, tw->family, &tw->saddr,
					 &tw->daddr, tw->sport, tw->dport))
		return 0;
	r = xtcp_diag_put(c, &nlh, tw->family, TCP_TIME_WAIT, &tw->saddr,
			  &tw->daddr, tw->sport, tw->dport, tw->bound_dev_if);
	if (!r)
		return -EMSGSIZE;
	/* no socket, no cookie (INET_DIAG_NOCOOKIE) */
	r->id.idiag_cookie[0] = INET_DIAG_NOCOOKIE;
	r->id.idiag_cookie[1] = INET_DIAG_NOCOOKIE;
	r->idiag_timer = 3;
	r->idiag_expires = jiffies_to_msecs(xtcp_tw_remaining(tw));
	if (xtcp_diag_put_state(c->skb, XTCP_TIME_WAIT)) {
		nlmsg_cancel(c->skb, nlh);
		return -EMSGSIZE;
	}
	nlmsg_end(c->skb, nlh);
	/* an exact request wants one: stop the walk */
	return c->exact ? 1 : 0;
}

static bool xtcp_diag_sk_want(struct sock *sk, struct xtcp_diag_ctx *c)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	unsigned int state = READ_ONCE(xs->tcb.state);
	bool match;

	/* a closed socket is in no table Linux's dump walks (as /proc) */
	if (state == XTCP_CLOSED)
		return false;
	if (!xtcp_diag_want(c->req, sk->sk_family, xtcp_linux_state(state)))
		return false;
	if (!c->exact)
		return true;
	if (sk->sk_family == AF_INET6)
		match = xtcp_diag_match(c->req, AF_INET6, &sk->sk_v6_rcv_saddr,
					&sk->sk_v6_daddr,
					htons(inet_sk(sk)->inet_num),
					sk->sk_dport);
	else
		match = xtcp_diag_match(c->req, AF_INET, &sk->sk_rcv_saddr,
					&sk->sk_daddr,
					htons(inet_sk(sk)->inet_num),
					sk->sk_dport);
	return match && !sock_diag_check_cookie(sk, c->req->id.idiag_cookie);
}

/**
 * xtcp_diag_grab() - references to the next sockets wanted on the netns
 *	list, from index *@pos
 * @xn: the netns
 * @c: request
 * @pos: in: first index to look at; out: index after the last one looked at
 * @batch: filled with held sockets
 * @idx: the list index of each
 * @max: room in @batch and @idx
 *
 * The list is only stable under socks_lock, and filling a socket needs its
 * lock (which sleeps), so take references here and fill afterwards. A
 * socket whose last reference is gone is being destroyed: skipped.
 *
 * Return: the number of sockets in @batch; fewer than @max means the end
 * of the list was reached.
 */
static int xtcp_diag_grab(struct xtcp_net *xn, struct xtcp_diag_ctx *c,
			  long *pos, struct sock **batch, long *idx, int max)
{
	struct xtcp_sock *xs;
	long i = 0;
	int n = 0;

	spin_lock_bh(&xn->socks_lock);
	list_for_each_entry(xs, &xn->socks, node) {
		struct sock *sk = xtcp_to_sk(xs);

		if (i++ < *pos || !xtcp_diag_sk_want(sk, c) ||
		    !refcount_inc_not_zero(&sk->sk_refcnt))
			continue;
		idx[n] = i - 1;
		batch[n++] = sk;
		if (n == max)
			break;
	}
	spin_unlock_bh(&xn->socks_lock);
	*pos = i;
	return n;
}

static int xtcp_diag_dump_socks(struct xtcp_net *xn, struct xtcp_diag_ctx *c,
				struct netlink_callback *cb)
{
	struct sock *batch[XTCP_DIAG_BATCH];
	long idx[XTCP_DIAG_BATCH];
	int n, k, err = 0;
	long pos;

	do {
		pos = cb->args[XD_SOCK];
		n = xtcp_diag_grab(xn, c, &pos, batch, idx, XTCP_DIAG_BATCH);
		for (k = 0; k < n; k++) {
			if (!err) {
				lock_sock(batch[k]);
				err = xtcp_diag_fill_sk(batch[k], c);
				release_sock(batch[k]);
				/* resume at the one that did not fit */
				cb->args[XD_SOCK] = idx[k] + !err;
			}
			sock_put(batch[k]);
		}
		if (err)
			return err;
		cb->args[XD_SOCK] = pos;
	} while (n == XTCP_DIAG_BATCH);
	return 0;
}

static int xtcp_diag_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct net *net = sock_net(skb->sk);
	struct xtcp_diag_ctx c = {
		.skb = skb,
		.req = nlmsg_data(cb->nlh),
		.user_ns = sk_user_ns(NETLINK_CB(cb->skb).sk),
		.portid = NETLINK_CB(cb->skb).portid,
		.seq = cb->nlh->nlmsg_seq,
		.flags = NLM_F_MULTI,
	};
	unsigned int slot, skip;
	int err;

	if (cb->args[XD_PHASE] == 0) {
		if (xtcp_diag_dump_socks(xtcp_pernet(net), &c, cb))
			return skb->len;
		cb->args[XD_PHASE] = 1;
	}
	if (cb->args[XD_PHASE] == 1) {
		slot = cb->args[XD_TWSLOT];
		skip = cb->args[XD_TWSKIP];
		err = xtcp_tw_walk(net, &slot, &skip, xtcp_diag_fill_tw, &c);
		cb->args[XD_TWSLOT] = slot;
		cb->args[XD_TWSKIP] = skip;
		if (err)
			return skb->len;
		cb->args[XD_PHASE] = 2;
	}
	return skb->len;
}

/* a reply to an exact request: one message with every attribute */
static size_t xtcp_diag_msg_size(void)
{
	return NLMSG_ALIGN(sizeof(struct inet_diag_msg)) +
	       nla_total_size(1) +
	       nla_total_size(sizeof(struct xtcp_diag_state)) +
	       nla_total_size_64bit(sizeof(struct tcp_info)) +
	       nla_total_size(sizeof(struct inet_diag_meminfo)) +
	       nla_total_size(SK_MEMINFO_VARS * sizeof(u32)) +
	       nla_total_size(XTCP_CC_NAME_MAX);
}

/* SOCK_DIAG_BY_FAMILY without NLM_F_DUMP, as inet_diag_dump_one_icsk() */
static int xtcp_diag_get_exact(struct sk_buff *in_skb,
			       const struct nlmsghdr *nlh,
			       const struct xtcp_diag_req *req)
{
	struct net *net = sock_net(in_skb->sk);
	struct xtcp_diag_ctx c = {
		.req = req,
		.user_ns = sk_user_ns(NETLINK_CB(in_skb).sk),
		.portid = NETLINK_CB(in_skb).portid,
		.seq = nlh->nlmsg_seq,
		.exact = true,
	};
	unsigned int slot = 0, skip = 0;
	struct sock *sk;
	long pos = 0, idx;
	int err;

	if (req->xdiag_family != AF_INET && req->xdiag_family != AF_INET6)
		return -EINVAL;
	c.skb = nlmsg_new(xtcp_diag_msg_size(), GFP_KERNEL);
	if (!c.skb)
		return -ENOMEM;
	/* the first match (SO_REUSEPORT listeners share a 4-tuple) */
	if (xtcp_diag_grab(xtcp_pernet(net), &c, &pos, &sk, &idx, 1) == 1) {
		lock_sock(sk);
		err = xtcp_diag_fill_sk(sk, &c);
		release_sock(sk);
		sock_put(sk);
	} else {
		err = xtcp_tw_walk(net, &slot, &skip, xtcp_diag_fill_tw, &c);
		err = err < 0 ? err : err ? 0 : -ENOENT;
	}
	if (err) {
		/* the message is sized for every attribute: never -EMSGSIZE */
		WARN_ON(err == -EMSGSIZE);
		kfree_skb(c.skb);
		return err;
	}
	return nlmsg_unicast(net->diag_nlsk, c.skb, NETLINK_CB(in_skb).portid);
}

/* the request of a SOCK_DIAG_BY_FAMILY or SOCK_DESTROY message, or NULL */
static const struct xtcp_diag_req *xtcp_diag_req_ok(const struct nlmsghdr *h)
{
	const struct xtcp_diag_req *req;

	if (nlmsg_len(h) < sizeof(*req))
		return NULL;
	req = nlmsg_data(h);
	if (req->sdiag_protocol && req->sdiag_protocol != IPPROTO_TCP)
		return NULL;
	if (req->xdiag_family && req->xdiag_family != AF_INET &&
	    req->xdiag_family != AF_INET6)
		return NULL;
	return req;
}

/**
 * xtcp_diag_abort() - abort a socket for SOCK_DESTROY (struct proto's
 *	diag_destroy, called by sock_diag_destroy() once CAP_NET_ADMIN is
 *	checked), as tcp_abort(): a listener stops listening and resets its
 *	queued children; a synchronized connection sends a RST (RFC 9293
 *	§3.10.7.1, the ABORT call); the owner gets @err from its next call.
 * @sk: the socket; the caller holds a reference, process context
 * @err: the error for the owner (ECONNABORTED)
 *
 * Return: 0.
 */
int xtcp_diag_abort(struct sock *sk, int err)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct sk_buff *skb;

	lock_sock(sk);
	if (xs->listening) {
		xtcp_unhash(sk);
		xtcp_listen_stop(sk);
		xtcp_core_close(&xs->tcb);
	}
	if (!sock_flag(sk, SOCK_DEAD)) {
		WRITE_ONCE(sk->sk_err, err);
		sk_error_report(sk);
	}
	if (xs->tcb.state != XTCP_CLOSED)
		xtcp_core_abort(&xs->tcb);
	xtcp_after_core(sk);
	if (xs->tcb.state == XTCP_CLOSED) {
		/* a listener is no longer hashed: xtcp_after_core() left it */
		if (sk->sk_state != TCP_CLOSE)
			xtcp_done(sk);
		/* as tcp_write_queue_purge(): nothing will be sent again */
		xs->wq_cur = NULL;
		while ((skb = __skb_dequeue(&sk->sk_write_queue)))
			xtcp_wmem_free_skb(sk, skb);
		xtcp_mem_reclaim(sk);
	}
	release_sock(sk);
	return 0;
}

/* a TIME-WAIT object named by the request's 4-tuple, held, or NULL */
static struct xtcp_tw *xtcp_diag_lookup_tw(struct net *net,
					   const struct xtcp_diag_req *req)
{
	size_t alen = req->xdiag_family == AF_INET6 ? 16 : 4;
	struct xtcp_tuple t = {
		.family = req->xdiag_family,
		.lport = req->id.idiag_sport,
		.rport = req->id.idiag_dport,
	};

	memcpy(&t.laddr, req->id.idiag_src, alen);
	memcpy(&t.raddr, req->id.idiag_dst, alen);
	return xtcp_lookup_tw(net, &t);
}

/* SOCK_DESTROY, as inet_diag_cmd_exact(): ENOENT before EPERM */
static int xtcp_diag_handler_destroy(struct sk_buff *skb, struct nlmsghdr *h)
{
	const struct xtcp_diag_req *req = xtcp_diag_req_ok(h);
	struct net *net = sock_net(skb->sk);
	struct xtcp_diag_ctx c = { .exact = true };
	struct xtcp_tw *tw;
	struct sock *sk;
	long pos = 0, idx;
	int err;

	if (!req || (req->xdiag_family != AF_INET &&
		     req->xdiag_family != AF_INET6))
		return -EINVAL;
	c.req = req;
	if (xtcp_diag_grab(xtcp_pernet(net), &c, &pos, &sk, &idx, 1) == 1) {
		/* not in any table: Linux's lookup would not find it */
		if (READ_ONCE(xtcp_sk(sk)->tcb.state) == XTCP_CLOSED)
			err = -ENOENT;
		else
			err = sock_diag_destroy(sk, ECONNABORTED);
		sock_put(sk);
		return err;
	}
	/* TIME-WAIT: as tcp_abort(), the entry goes (no cookie to check) */
	tw = xtcp_diag_lookup_tw(net, req);
	if (!tw)
		return -ENOENT;
	if (ns_capable(net->user_ns, CAP_NET_ADMIN)) {
		xtcp_tw_kill(tw);
		err = 0;
	} else {
		err = -EPERM;
	}
	xtcp_tw_put(tw);
	return err;
}

static int xtcp_diag_handler_dump(struct sk_buff *skb, struct nlmsghdr *h)
{
	struct net *net = sock_net(skb->sk);
	const struct xtcp_diag_req *req = xtcp_diag_req_ok(h);
	struct netlink_dump_control c = {
		.dump = xtcp_diag_dump,
		.min_dump_alloc = SKB_WITH_OVERHEAD(32768),
	};

	if (!req)
		return -EINVAL;
	if (!(h->nlmsg_flags & NLM_F_DUMP))
		return xtcp_diag_get_exact(skb, h, req);
	/* pins the module until the dump is done (control->module) */
	return netlink_dump_start(net->diag_nlsk, skb, h, &c);
}

static const struct sock_diag_handler xtcp_diag_handler = {
	.owner = THIS_MODULE,
	.family = AF_XTCP,
	.dump = xtcp_diag_handler_dump,
	.destroy = xtcp_diag_handler_destroy,
};

int xtcp_diag_init(void)
{
	return sock_diag_register(&xtcp_diag_handler);
}

void xtcp_diag_exit(void)
{
	sock_diag_unregister(&xtcp_diag_handler);
}
