// SPDX-License-Identifier: GPL-2.0
/*
 * XTCP ICMP glue: ICMPv4 destination unreachable / time exceeded /
 * parameter problem and ICMPv6 destination unreachable / packet too big /
 * time exceeded / parameter problem that quote a segment of an XTCP
 * connection are taken in the LOCAL_IN hook (Linux's icmp_rcv() would hand
 * them to tcp_v4_err(), which knows no XTCP socket). Every other ICMP
 * message is left untouched to the stack. The decision is the core's
 * (xtcp_icmp_core.c); here the message is parsed, matched by the quoted
 * 4-tuple, delivered under the socket lock (or through the backlog), and
 * the route's PMTU is updated with the kernel's helpers as
 * tcp_v4_mtu_reduced() / tcp_v6_mtu_reduced() do.
 */
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/netfilter.h>
#include <linux/tcp.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/ip6_checksum.h>
#include <net/inet_connection_sock.h>
#include <net/inet6_connection_sock.h>
#include <net/ip6_route.h>
#include <net/route.h>

#include "xtcp.h"

/* the quoted TCP header: only the first 8 bytes are guaranteed (RFC 792) */
struct xtcp_quoted_th {
	__be16 source;
	__be16 dest;
	__be32 seq;
};

/* ICMPv4: the quoted segment's 4-tuple (local side first) and message */
static bool xtcp_icmp4_parse(struct sk_buff *skb, unsigned int off,
			     struct xtcp_tuple *t, struct xtcp_icmp_msg *m)
{
	const struct xtcp_quoted_th *th;
	const struct icmphdr *ih;
	const struct iphdr *iph;
	struct xtcp_quoted_th _th;
	struct icmphdr _ih;
	struct iphdr _iph;

	ih = skb_header_pointer(skb, off, sizeof(_ih), &_ih);
	if (!ih)
		return false;
	switch (ih->type) {
	case ICMP_DEST_UNREACH:
	case ICMP_TIME_EXCEEDED:
	case ICMP_PARAMETERPROB:
		break;
	default:
		return false;
	}
	iph = skb_header_pointer(skb, off + sizeof(_ih), sizeof(_iph), &_iph);
	if (!iph || iph->version != 4 || iph->ihl < 5 ||
	    iph->protocol != IPPROTO_TCP ||
	    (ntohs(iph->frag_off) & IP_OFFSET))
		return false;
	th = skb_header_pointer(skb, off + sizeof(_ih) + iph->ihl * 4,
				sizeof(_th), &_th);
	if (!th)
		return false;
	t->family = AF_INET;
	t->laddr.v4 = iph->saddr;
	t->raddr.v4 = iph->daddr;
	t->lport = th->source;
	t->rport = th->dest;
	m->v6 = false;
	m->type = ih->type;
	m->code = ih->code;
	m->info = ntohs(ih->un.frag.mtu);
	m->seq = ntohl(th->seq);
	return true;
}

static bool xtcp_icmp6_parse(struct sk_buff *skb, unsigned int off,
			     struct xtcp_tuple *t, struct xtcp_icmp_msg *m)
{
	const struct xtcp_quoted_th *th;
	const struct ipv6hdr *ip6;
	const struct icmp6hdr *ih;
	struct xtcp_quoted_th _th;
	struct icmp6hdr _ih;
	struct ipv6hdr _ip6;
	__be16 frag_off;
	u8 nexthdr;
	int toff;

	ih = skb_header_pointer(skb, off, sizeof(_ih), &_ih);
	if (!ih)
		return false;
	switch (ih->icmp6_type) {
	case ICMPV6_DEST_UNREACH:
	case ICMPV6_PKT_TOOBIG:
	case ICMPV6_TIME_EXCEED:
	case ICMPV6_PARAMPROB:
		break;
	default:
		return false;
	}
	ip6 = skb_header_pointer(skb, off + sizeof(_ih), sizeof(_ip6), &_ip6);
	if (!ip6 || ip6->version != 6)
		return false;
	nexthdr = ip6->nexthdr;
	toff = ipv6_skip_exthdr(skb, off + sizeof(_ih) + sizeof(_ip6),
				&nexthdr, &frag_off);
	if (toff < 0 || nexthdr != IPPROTO_TCP || frag_off)
		return false;
	th = skb_header_pointer(skb, toff, sizeof(_th), &_th);
	if (!th)
		return false;
	t->family = AF_INET6;
	t->laddr.v6 = ip6->saddr;
	t->raddr.v6 = ip6->daddr;
	t->lport = th->source;
	t->rport = th->dest;
	m->v6 = true;
	m->type = ih->icmp6_type;
	m->code = ih->icmp6_code;
	m->info = ntohl(ih->icmp6_mtu);
	m->seq = ntohl(th->seq);
	return true;
}

/* The ICMP checksum (RFC 792, RFC 4443 §2.3); a bad one is the stack's
 * to count and drop.
 */
static bool xtcp_icmp_csum_ok(struct sk_buff *skb, unsigned int off,
			      u16 family)
{
	unsigned int len = skb->len - off;
	__wsum csum = skb_checksum(skb, off, len, 0);

	if (family == AF_INET6)
		return !csum_ipv6_magic(&ipv6_hdr(skb)->saddr,
					&ipv6_hdr(skb)->daddr, len,
					IPPROTO_ICMPV6, csum);
	return !csum_fold(csum);
}

/**
 * xtcp_icmp_hook() - an ICMP message reached LOCAL_IN: take it when it
 *	quotes a segment of an XTCP connection or TIME-WAIT entry
 * @net: namespace
 * @skb: the packet, data at the network header
 * @off: offset of the ICMP header from the network header
 * @family: AF_INET or AF_INET6
 * @dif: the device it came in by
 *
 * Return: NF_STOLEN when taken, else NF_ACCEPT (the skb untouched).
 */
unsigned int xtcp_icmp_hook(struct net *net, struct sk_buff *skb,
			    unsigned int off, u16 family, int dif)
{
	struct xtcp_icmp_msg m;
	struct xtcp_skb_cb *cb;
	struct xtcp_tuple t;
	struct xtcp_tw *tw;
	struct sock *sk;
	bool ok;

	BUILD_BUG_ON(sizeof(struct xtcp_skb_cb) > sizeof_field(struct sk_buff,
							       cb));
	off += skb_network_offset(skb);
	memset(&t, 0, sizeof(t));
	if (family == AF_INET6)
		ok = xtcp_icmp6_parse(skb, off, &t, &m);
	else
		ok = xtcp_icmp4_parse(skb, off, &t, &m);
	if (!ok)
		return NF_ACCEPT;
	t.dif = dif;

	sk = xtcp_lookup_established(net, &t);
	tw = sk ? NULL : xtcp_lookup_tw(net, &t);
	if (!sk && !tw)
		return NF_ACCEPT;
	if (!xtcp_icmp_csum_ok(skb, off, family)) {
		if (sk)
			sock_put(sk);
		else
			xtcp_tw_put(tw);
		return NF_ACCEPT;
	}
	if (tw) {
		/* as tcp_v4_err(): nothing to do in TIME-WAIT */
		xtcp_tw_put(tw);
		consume_skb(skb);
		return NF_STOLEN;
	}
	skb_dst_drop(skb);
	cb = XTCP_SKB_CB(skb);
	memset(cb, 0, sizeof(*cb));
	cb->family = family;
	cb->icmp = true;
	cb->msg = m;
	xtcp_sk_deliver(sk, skb);
	return NF_STOLEN;
}

/*
 * RFC 1191 §6.3 / RFC 8201 §5.2, as tcp_v4_mtu_reduced() and
 * tcp_v6_mtu_reduced(): record the new PMTU in the route (an exception
 * route the kernel ages out), then lower the MSS to what the route now
 * says and resend what was in flight.
 */
static void xtcp_icmp_mtu_reduced(struct sock *sk, u32 mtu)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	bool v6 = sk->sk_family == AF_INET6;
	struct dst_entry *dst;

	if (v6) {
		if (!ip6_sk_accept_pmtu(sk))
			return;
		/* no use asking to raise the MSS */
		if (xtcp_mtu_to_mss(mtu, true) >= xs->tcb.snd_mss)
			return;
		dst = inet6_csk_update_pmtu(sk, mtu);
		if (!dst)
			return;
	} else {
		dst = inet_csk_update_pmtu(sk, mtu);
		if (!dst)
			return;
		/* below what the route accepts: may never get through */
		if (mtu < dst_mtu(dst) && ip_dont_fragment(sk, dst))
			WRITE_ONCE(sk->sk_err_soft, EMSGSIZE);
		if (inet_sk(sk)->pmtudisc == IP_PMTUDISC_DONT ||
		    !ip_sk_accept_pmtu(sk))
			return;
	}
	if (xtcp_core_mtu_reduced(&xs->tcb, xtcp_mtu_to_mss(dst_mtu(dst), v6)))
		XTCP_INC_STATS(xtcp_pernet(sock_net(sk)), XTCP_MIB_ICMPPMTU);
}

/**
 * xtcp_icmp_process() - act on an ICMP error for @sk (socket locked, not
 *	owned by the user: from the hook or the backlog); consumes @skb
 * @sk: the connection the quoted segment belongs to
 * @skb: the message, XTCP_SKB_CB(skb)->msg parsed
 */
void xtcp_icmp_process(struct sock *sk, struct sk_buff *skb)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct xtcp_net *xn = xtcp_pernet(sock_net(sk));
	struct xtcp_icmp_verdict v;
	bool recverr;

	if (xs->listening)
		goto out;
	recverr = sk->sk_family == AF_INET6 ? xtcp_inet6_recverr(sk) :
					      xtcp_inet_recverr(sk);
	switch (xtcp_icmp_classify(&xs->tcb, &XTCP_SKB_CB(skb)->msg, recverr,
				   &v)) {
	case XTCP_ICMP_IGNORE:
		break;
	case XTCP_ICMP_OUT_OF_WINDOW:
		XTCP_INC_STATS(xn, XTCP_MIB_OUTOFWINDOWICMPS);
		break;
	case XTCP_ICMP_PMTU:
		xtcp_icmp_mtu_reduced(sk, v.mtu);
		xtcp_after_core(sk);
		break;
	case XTCP_ICMP_SOFT:
		XTCP_INC_STATS(xn, XTCP_MIB_ICMPERRS);
		WRITE_ONCE(sk->sk_err_soft, v.err);
		break;
	case XTCP_ICMP_REPORT:
		XTCP_INC_STATS(xn, XTCP_MIB_ICMPERRS);
		WRITE_ONCE(sk->sk_err, v.err);
		sk_error_report(sk);
		break;
	case XTCP_ICMP_ABORT:
		XTCP_INC_STATS(xn, XTCP_MIB_ICMPERRS);
		xtcp_core_fail(&xs->tcb, v.err);
		xtcp_after_core(sk);
		break;
	case XTCP_ICMP_DROP:
		/* as tcp_req_err(): a half-open child goes silently */
		XTCP_INC_STATS(xn, XTCP_MIB_ICMPERRS);
		XTCP_INC_STATS(xn, XTCP_MIB_LISTENDROPS);
		xtcp_core_fail(&xs->tcb, 0);
		xtcp_after_core(sk);
		break;
	}
out:
	consume_skb(skb);
}
