// SPDX-License-Identifier: GPL-2.0
/*
 * XTCP input: a netfilter LOCAL_IN hook (after the filter table) steals
 * exactly what XTCP owns: segments of its connections' and TIME-WAIT
 * 4-tuples, and SYNs to a listener's bound address:port (and device) that
 * open no Linux TCP 4-tuple. It validates them and hands them to the
 * protocol core under the socket lock (or the socket backlog when the
 * user holds it). Everything else, a segment to an XTCP-bound port that
 * matches no XTCP socket included, is left to Linux TCP, which answers
 * as it would (NF_ACCEPT). The lookups are lockless (xtcp_hash.c).
 */
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <linux/tcp.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/ip6_checksum.h>
#include <net/inet_ecn.h>
#include <net/tcp.h>

#include "xtcp.h"
#include "xtcp_trace.h"

/* xtcp:xtcp_segment_recv for a segment the core saw in @old, left in @new */
static void xtcp_trace_recv(const struct sk_buff *skb,
			    const struct xtcp_seg *seg, int old, int new)
{
	struct xtcp_tuple t;

	xtcp_parse_tuple_skb(skb, &t);
	trace_xtcp_segment_recv(&t, seg->seq, seg->ack, seg->flags, seg->wnd,
				seg->len, seg->mss, seg->wscale, false, old,
				new);
}

/* SACK blocks (RFC 2018 §3): 2 + 8n bytes, n = 1..4; decoded into
 * @blocks when not NULL
 */
static void xtcp_parse_sack(const u8 *p, u8 olen, struct xtcp_seg *seg,
			    struct xtcp_sack_block *blocks)
{
	unsigned int n = (olen - 2) / 8, i;

	if ((olen - 2) % 8 || !n || n > XTCP_MAX_SACK_BLOCKS)
		return;
	seg->nsack = n;
	if (!blocks)
		return;
	for (i = 0; i < n; i++) {
		blocks[i].start = get_unaligned_be32(p + 2 + 8 * i);
		blocks[i].end = get_unaligned_be32(p + 6 + 8 * i);
	}
	seg->sack = blocks;
}

/*
 * Options we understand (RFC 9293 §3.2): MSS and window scale on SYNs,
 * SACK-permitted and SACK (RFC 2018), timestamps (RFC 7323).
 */
static void xtcp_parse_options(const struct tcphdr *th, struct xtcp_seg *seg,
			       struct xtcp_sack_block *blocks)
{
	const u8 *p = (const u8 *)(th + 1);
	int len = th->doff * 4 - sizeof(*th);

	while (len > 0) {
		u8 kind = *p, olen;

		if (kind == TCPOPT_EOL)
			break;
		if (kind == TCPOPT_NOP) {
			p++;
			len--;
			continue;
		}
		if (len < 2)
			break;
		olen = p[1];
		if (olen < 2 || olen > len)
			break;
		switch (kind) {
		case TCPOPT_MSS:
			if (olen == TCPOLEN_MSS)
				seg->mss = get_unaligned_be16(p + 2);
			break;
		case TCPOPT_WINDOW:
			if (olen == TCPOLEN_WINDOW)
				seg->wscale = min_t(u8, p[2], TCP_MAX_WSCALE);
			break;
		case TCPOPT_SACK_PERM:
			if (olen == TCPOLEN_SACK_PERM && th->syn)
				seg->sack_ok = 1;
			break;
		case TCPOPT_SACK:
			xtcp_parse_sack(p, olen, seg, blocks);
			break;
		case TCPOPT_TIMESTAMP:
			if (olen == TCPOLEN_TIMESTAMP) {
				seg->ts_ok = 1;
				seg->tsval = get_unaligned_be32(p + 2);
				seg->tsecr = get_unaligned_be32(p + 6);
			}
			break;
		}
		p += olen;
		len -= olen;
	}
}

/**
 * xtcp_skb_seg() - the parsed segment of a stolen @skb for the core, with
 *	its SACK blocks decoded into @blocks
 * @skb: the segment; its TCP header is still in place
 * @seg: filled from XTCP_SKB_CB(skb)->seg
 * @blocks: room for XTCP_MAX_SACK_BLOCKS
 *
 * Return: @seg.
 */
const struct xtcp_seg *xtcp_skb_seg(const struct sk_buff *skb,
				    struct xtcp_seg *seg,
				    struct xtcp_sack_block *blocks)
{
	*seg = XTCP_SKB_CB(skb)->seg;
	seg->sack = NULL;
	if (seg->nsack)
		xtcp_parse_options(tcp_hdr(skb), seg, blocks);
	return seg;
}

static void xtcp_sk_take(struct sock *sk, struct sk_buff *skb);

/* A SYN (or anything) reaching a listener. */
static void xtcp_listen_rcv(struct sock *sk, struct sk_buff *skb)
{
	struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	struct xtcp_tuple t;
	struct xtcp_out o;
	struct sock *child;

	xtcp_parse_tuple_skb(skb, &t);
	/*
	 * The hook gives a listener the ACKs of a 4-tuple that has no socket
	 * yet: a SYN cookie's ACK and the data right behind it. Taken one
	 * after the other under the listener's lock (its backlog, if its
	 * owner held it, or softirq on another CPU waiting for the lock),
	 * the first makes the child: the rest are the child's, not a failed
	 * cookie to answer with a RST. Looked up again under the lock, where
	 * children are made; SYNs (a flood) skip the second lookup.
	 */
	if (!(cb->seg.flags & XTCP_SYN)) {
		child = xtcp_lookup_established(sock_net(sk), &t);
		if (child) {
			bh_lock_sock_nested(child);
			xtcp_sk_take(child, skb);
			bh_unlock_sock(child);
			sock_put(child);
			return;
		}
	}
	if (trace_xtcp_segment_recv_enabled())
		xtcp_trace_recv(skb, &cb->seg, XTCP_LISTEN, XTCP_LISTEN);
	/* the ACK of a SYN cookie (RFC 4987 §3.6) */
	if ((cb->seg.flags & (XTCP_SYN | XTCP_RST | XTCP_ACK)) == XTCP_ACK &&
	    xtcp_listen_cookie_ack(sk, skb, &t))
		return;
	switch (xtcp_core_listen_input(&cb->seg)) {
	case XTCP_LV_RESET:
		if (xtcp_core_reset_for(&cb->seg, &o))
			xtcp_send_reply(sock_net(sk), &t, &o, skb->mark);
		break;
	case XTCP_LV_SYN:
		xtcp_listen_syn(sk, skb, &t);
		break;
	case XTCP_LV_DROP:
		/* a RST is ignored silently (§3.10.7.2); the rest (no SYN,
		 * SYN+FIN) counted
		 */
		if (!(cb->seg.flags & XTCP_RST))
			XTCP_INC_STATS(xtcp_pernet(sock_net(sk)),
				       XTCP_MIB_INBADFLAGS);
		break;
	}
	consume_skb(skb);
}

/* SEGMENT ARRIVES for a socket; called with the socket locked. */
static void xtcp_sk_rcv_segment(struct sock *sk, struct sk_buff *skb)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct xtcp_sack_block blocks[XTCP_MAX_SACK_BLOCKS];
	bool tr = trace_xtcp_segment_recv_enabled();
	struct xtcp_seg seg, in;
	struct xtcp_tuple t;
	struct xtcp_out o;
	int old;

	if (XTCP_SKB_CB(skb)->icmp) {
		xtcp_icmp_process(sk, skb);
		return;
	}
	if (xs->listening) {
		xtcp_listen_rcv(sk, skb);
		return;
	}
	if (xs->tcb.state == XTCP_CLOSED || xs->tcb.state == XTCP_LISTEN) {
		struct xtcp_tw *tw;

		/* raced with close or the move to TIME-WAIT */
		xtcp_parse_tuple_skb(skb, &t);
		tw = xtcp_lookup_tw(sock_net(sk), &t);
		if (tw) {
			xtcp_tw_input(tw, skb);
			xtcp_tw_put(tw);
			return;
		}
		/* answer as if there were no socket (§3.10.7.1) */
		if (xtcp_core_reset_for(&XTCP_SKB_CB(skb)->seg, &o)) {
			XTCP_INC_STATS(xtcp_pernet(sock_net(sk)),
				       XTCP_MIB_NOSOCKRSTS);
			xtcp_send_reply(sock_net(sk), &t, &o, skb->mark);
		}
		consume_skb(skb);
		return;
	}
	xs->cur_skb = skb;
	xs->cur_queued = false;
	/* copies: the core trims the queued segment, the reader may free it */
	if (tr) {
		xtcp_parse_tuple_skb(skb, &t);
		seg = XTCP_SKB_CB(skb)->seg;
		old = xs->tcb.state;
	}
	xtcp_core_input(&xs->tcb, xtcp_skb_seg(skb, &in, blocks));
	xs->cur_skb = NULL;
	if (tr)
		trace_xtcp_segment_recv(&t, seg.seq, seg.ack, seg.flags,
					seg.wnd, seg.len, seg.mss, seg.wscale,
					false, old, xs->tcb.state);
	if (!xs->cur_queued)
		consume_skb(skb);
	xtcp_after_core(sk);
}

/*
 * What the backlog of a socket its owner holds may take, as Linux's
 * tcp_add_backlog(): the receive queue and the backlog can both reach
 * sk_rcvbuf before the owner prunes, ACKs free send memory, and 64 KB of
 * headroom (a burst of GRO skbs while the reader copies).
 */
static u32 xtcp_backlog_limit(const struct sock *sk)
{
	u64 limit = ((u64)READ_ONCE(sk->sk_rcvbuf) << 1) +
		    ((u32)READ_ONCE(sk->sk_sndbuf) >> 1) + 64 * 1024;

	return min_t(u64, limit, UINT_MAX);
}

/* Process @skb on @sk, or queue it on the backlog if its owner holds it;
 * called with @sk's spinlock held.
 */
static void xtcp_sk_take(struct sock *sk, struct sk_buff *skb)
{
	if (!sock_owned_by_user(sk)) {
		xtcp_sk_rcv_segment(sk, skb);
	} else if (sk_add_backlog(sk, skb, xtcp_backlog_limit(sk))) {
		XTCP_INC_STATS(xtcp_pernet(sock_net(sk)), XTCP_MIB_INERRS);
		XTCP_INC_STATS(xtcp_pernet(sock_net(sk)),
			       XTCP_MIB_TCPBACKLOGDROP);
		kfree_skb(skb);
	} else {
		XTCP_INC_STATS(xtcp_pernet(sock_net(sk)), XTCP_MIB_BACKLOGGED);
	}
}

/* Deliver to @sk (a lookup reference is held and dropped here). */
void xtcp_sk_deliver(struct sock *sk, struct sk_buff *skb)
{
	bh_lock_sock(sk);
	xtcp_sk_take(sk, skb);
	bh_unlock_sock(sk);
	sock_put(sk);
}

/* release_sock() replays the backlog with BH enabled; the input path
 * expects softirq context, as in the hook.
 */
int xtcp_backlog_rcv(struct sock *sk, struct sk_buff *skb)
{
	local_bh_disable();
	xtcp_sk_rcv_segment(sk, skb);
	local_bh_enable();
	return 0;
}

/*
 * Local side first. Valid on a stolen skb whose data starts at the TCP
 * header and whose network header is intact.
 */
void xtcp_parse_tuple_skb(const struct sk_buff *skb, struct xtcp_tuple *t)
{
	const struct tcphdr *th = tcp_hdr(skb);

	memset(t, 0, sizeof(*t));
	t->family = XTCP_SKB_CB(skb)->family;
	t->lport = th->dest;
	t->rport = th->source;
	t->dif = skb->skb_iif;
	if (t->family == AF_INET6) {
		t->laddr.v6 = ipv6_hdr(skb)->daddr;
		t->raddr.v6 = ipv6_hdr(skb)->saddr;
	} else {
		t->laddr.v4 = ip_hdr(skb)->daddr;
		t->raddr.v4 = ip_hdr(skb)->saddr;
	}
}

/* Checksum (RFC 9293 §3.1) and header sanity; skb->data is the TCP
 * header on return. Returns false when the segment must be dropped.
 */
static bool xtcp_validate(struct sk_buff *skb, unsigned int thoff,
			  u16 family, struct xtcp_net *xn)
{
	struct xtcp_skb_cb *cb;
	const struct tcphdr *th;
	const u8 *nh = skb->data;
	unsigned int hlen;

	if (!pskb_may_pull(skb, thoff + sizeof(struct tcphdr)))
		goto bad;
	hlen = ((const struct tcphdr *)(skb->data + thoff))->doff * 4;
	if (hlen < sizeof(struct tcphdr) || !pskb_may_pull(skb, thoff + hlen))
		goto bad;
	nh = skb->data;
	__skb_pull(skb, thoff);
	skb_postpull_rcsum(skb, nh, thoff);
	skb_reset_transport_header(skb);
	if (hlen > skb->len)
		goto bad;

	if (family == AF_INET6) {
		if (skb_checksum_init(skb, IPPROTO_TCP, ip6_compute_pseudo))
			goto csum;
	} else {
		if (skb_checksum_init(skb, IPPROTO_TCP, inet_compute_pseudo))
			goto csum;
	}
	if (!skb_csum_unnecessary(skb) && __skb_checksum_complete(skb))
		goto csum;

	th = tcp_hdr(skb);
	cb = XTCP_SKB_CB(skb);
	memset(cb, 0, sizeof(*cb));
	cb->family = family;
	cb->doff = hlen;
	cb->seg.seq = ntohl(th->seq);
	cb->seg.ack = ntohl(th->ack_seq);
	/* with ECE, CWR and the IP header's ECN field (RFC 3168 §5) */
	cb->seg.flags = tcp_flag_byte(th) |
			((family == AF_INET6 ? ipv6_get_dsfield(ipv6_hdr(skb)) :
			  ipv4_get_dsfield(ip_hdr(skb))) & INET_ECN_MASK) <<
			XTCP_IP_ECN_SHIFT;
	cb->seg.wnd = ntohs(th->window);
	cb->seg.urg_ptr = ntohs(th->urg_ptr);
	cb->seg.len = skb->len - hlen;
	cb->seg.wscale = -1;
	if (hlen > sizeof(*th))
		xtcp_parse_options(th, &cb->seg, NULL);
	return true;

csum:
	XTCP_INC_STATS(xn, XTCP_MIB_INCSUMERRORS);
bad:
	XTCP_INC_STATS(xn, XTCP_MIB_INERRS);
	return false;
}

static unsigned int xtcp_nf_hook(void *priv, struct sk_buff *skb,
				 const struct nf_hook_state *state)
{
	struct net *net = state->net;
	struct xtcp_net *xn = xtcp_pernet(net);
	__be16 _ports[2];
	const __be16 *ports;
	const u8 *fl;
	u8 _fl, flags;
	struct xtcp_tuple t;
	struct xtcp_tw *tw = NULL;
	struct sock *sk = NULL;
	unsigned int thoff;
	bool frag = false;
	u16 family;

	if (skb->pkt_type != PACKET_HOST)
		return NF_ACCEPT;

	memset(&t, 0, sizeof(t));
	t.dif = state->in ? state->in->ifindex : 0;
	if (state->pf == NFPROTO_IPV6) {
		const struct ipv6hdr *ip6 = ipv6_hdr(skb);
		__be16 frag_off;
		u8 nexthdr = ip6->nexthdr;
		int off;

		off = ipv6_skip_exthdr(skb, skb_network_offset(skb) +
				       sizeof(*ip6), &nexthdr, &frag_off);
		if (off >= 0 && nexthdr == IPPROTO_ICMPV6 && !frag_off)
			return xtcp_icmp_hook(net, skb,
					      off - skb_network_offset(skb),
					      AF_INET6, t.dif);
		/* a later fragment has no TCP header to look up */
		if (off < 0 || nexthdr != IPPROTO_TCP ||
		    (frag_off & htons(IP6_OFFSET)))
			return NF_ACCEPT;
		frag = frag_off & htons(IP6_MF);
		thoff = off - skb_network_offset(skb);
		family = AF_INET6;
		t.laddr.v6 = ip6->daddr;
		t.raddr.v6 = ip6->saddr;
	} else {
		const struct iphdr *iph = ip_hdr(skb);

		if (iph->protocol == IPPROTO_ICMP && !ip_is_fragment(iph))
			return xtcp_icmp_hook(net, skb, ip_hdrlen(skb), AF_INET,
					      t.dif);
		if (iph->protocol != IPPROTO_TCP || ip_is_fragment(iph))
			return NF_ACCEPT;
		thoff = ip_hdrlen(skb);
		family = AF_INET;
		t.laddr.v4 = iph->daddr;
		t.raddr.v4 = iph->saddr;
	}
	/* the ports are all the lookup needs (a first fragment may carry
	 * no more); a truncated header of ours is counted in validation
	 */
	ports = skb_header_pointer(skb, skb_network_offset(skb) + thoff,
				   sizeof(_ports), _ports);
	if (!ports)
		return NF_ACCEPT;
	t.family = family;
	t.lport = ports[1];
	t.rport = ports[0];
	t.dif = state->in ? state->in->ifindex : 0;

	sk = xtcp_lookup_established(net, &t);
	if (!sk) {
		tw = xtcp_lookup_tw(net, &t);
		/* an XTCP TIME-WAIT gave its port back: if Linux TCP has
		 * opened the 4-tuple since, the segments are Linux's
		 */
		if (tw && xtcp_linux_owns_net(net, &t)) {
			xtcp_tw_put(tw);
			return NF_ACCEPT;
		}
	}
	if (!sk && !tw) {
		/* a listener owns the SYNs that open a connection, the ACKs
		 * of its SYN cookies and flagless segments (discarded); any
		 * other segment to its port is Linux TCP's to answer (RST for
		 * no socket, what RFC 9293 §3.10.7.2 has a listener send), and
		 * a Linux connection sharing the port keeps its segments
		 */
		fl = skb_header_pointer(skb, skb_network_offset(skb) + thoff +
					offsetof(struct tcphdr, window) - 1,
					sizeof(_fl), &_fl);
		/* a header too short for its flags is the listener's to
		 * drop and count (xtcp_validate)
		 */
		flags = fl ? *fl & (TCPHDR_SYN | TCPHDR_ACK | TCPHDR_RST) : 0;
		if (flags != TCPHDR_SYN && flags != TCPHDR_ACK && flags)
			return NF_ACCEPT;
		sk = xtcp_lookup_listener(net, &t);
		if (!sk)
			return NF_ACCEPT;
		/* a pure ACK is the listener's only as a SYN cookie's answer
		 * (RFC 4987), while its cookies are recent
		 */
		if (flags == TCPHDR_ACK && !xtcp_listen_cookie_pending(sk)) {
			sock_put(sk);
			return NF_ACCEPT;
		}
		if (xtcp_linux_owns_net(net, &t)) {
			sock_put(sk);
			return NF_ACCEPT;
		}
	}

	if (frag && (sk || tw)) {
		/*
		 * The first fragment of an IPv6 datagram for XTCP. IPv6
		 * reassembles after LOCAL_IN (IPv4 before it) and hands the
		 * result to Linux TCP, which would answer with a RST. TCP
		 * does not fragment its segments; without this fragment the
		 * datagram never reassembles. Dropped and counted.
		 */
		XTCP_INC_STATS(xn, XTCP_MIB_INFRAGDROPS);
		XTCP_INC_STATS(xn, XTCP_MIB_INERRS);
		if (sk)
			sock_put(sk);
		if (tw)
			xtcp_tw_put(tw);
		return NF_DROP;
	}

	/* ours from here on */
	skb_dst_drop(skb);
	if (!xtcp_validate(skb, thoff, family, xn)) {
		kfree_skb(skb);
		goto put;
	}
	XTCP_INC_STATS(xn, XTCP_MIB_INSEGS);
	if (sk) {
		xtcp_sk_deliver(sk, skb);
		return NF_STOLEN;
	}
	xtcp_tw_input(tw, skb);
	xtcp_tw_put(tw);
	return NF_STOLEN;
put:
	if (sk)
		sock_put(sk);
	if (tw)
		xtcp_tw_put(tw);
	return NF_STOLEN;
}

static const struct nf_hook_ops xtcp_nf_ops[] = {
	{
		.hook		= xtcp_nf_hook,
		.pf		= NFPROTO_IPV4,
		.hooknum	= NF_INET_LOCAL_IN,
		.priority	= NF_IP_PRI_FILTER + 1,
	},
	{
		.hook		= xtcp_nf_hook,
		.pf		= NFPROTO_IPV6,
		.hooknum	= NF_INET_LOCAL_IN,
		.priority	= NF_IP6_PRI_FILTER + 1,
	},
};

static DEFINE_MUTEX(xtcp_nf_mutex);

/**
 * xtcp_nf_ensure() - register a netns's hooks with its first XTCP socket
 * @net: the netns of the socket being created
 *
 * A netns that never opened an XTCP socket has nothing to steal: its TCP
 * segments do not pass through XTCP at all, so a loaded, idle module costs
 * Linux TCP nothing. Once registered, the hooks stay until the netns goes
 * (unregistering waits for a grace period; close() should not).
 *
 * Return: 0, or the error of nf_register_net_hooks()
 */
int xtcp_nf_ensure(struct net *net)
{
	struct xtcp_net *xn = xtcp_pernet(net);
	int err = 0;

	/* pairs with the release below: a socket created after seeing
	 * nf_on finds the hooks registered
	 */
	if (smp_load_acquire(&xn->nf_on))
		return 0;
	mutex_lock(&xtcp_nf_mutex);
	if (xn->nf_on)
		goto out;
	err = nf_register_net_hooks(net, xtcp_nf_ops, ARRAY_SIZE(xtcp_nf_ops));
	if (err)
		goto out;
	/* published after the registration (the acquire above) */
	smp_store_release(&xn->nf_on, true);
out:
	mutex_unlock(&xtcp_nf_mutex);
	return err;
}

void xtcp_nf_unregister(struct net *net)
{
	struct xtcp_net *xn = xtcp_pernet(net);

	mutex_lock(&xtcp_nf_mutex);
	if (xn->nf_on)
		nf_unregister_net_hooks(net, xtcp_nf_ops,
					ARRAY_SIZE(xtcp_nf_ops));
	xn->nf_on = false;
	mutex_unlock(&xtcp_nf_mutex);
}
