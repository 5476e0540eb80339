// SPDX-License-Identifier: GPL-2.0
/*
 * XTCP output: the core's segments become skbs, with the checksum left to
 * the NIC (CHECKSUM_PARTIAL), sent through ip_queue_xmit() / ip6_xmit() so
 * that routing, netfilter OUTPUT and the device apply. Segments that belong
 * to no socket (RST replies, TIME-WAIT ACKs) go out through a per-netns
 * control socket. The send buffer (sk_write_queue) holds the user's bytes
 * from snd_una on, in page fragments that segments refer to.
 */
#include <linux/skbuff.h>
#include <linux/tcp.h>
#include <net/tcp.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/ip6_route.h>
#include <net/ip6_checksum.h>
#include <net/inet_ecn.h>
#include <net/inet_common.h>
#include <net/route.h>
#include <net/dst.h>
#include <net/xfrm.h>

#include "xtcp.h"
#include "xtcp_trace.h"

/* 40 bytes of options at most (RFC 9293 §3.1: data offset 15) */
#define XTCP_MAX_OPT_LEN	40

/* SACK blocks that fit beside the other options (RFC 2018 §3) */
static unsigned int xtcp_opt_nsack(const struct xtcp_out *o)
{
	unsigned int room = XTCP_MAX_OPT_LEN - (o->mss ? 4 : 0) -
			    (o->wscale >= 0 ? 4 : 0) -
			    (o->ts_ok || o->sack_ok ? 12 : 0);

	if (o->flags & XTCP_SYN)
		return 0;
	return min_t(unsigned int, o->nsack,
		     room < 4 + 8 ? 0 : (room - 4) / 8);
}

/*
 * Option bytes: MSS (4); SACK-permitted + timestamps (12, padded with
 * NOPs when one is absent); NOP + window scale (4); NOP, NOP, SACK (4+8n).
 */
static unsigned int xtcp_opt_len(const struct xtcp_out *o)
{
	unsigned int nsack = xtcp_opt_nsack(o);

	return (o->mss ? 4 : 0) + (o->wscale >= 0 ? 4 : 0) +
	       (o->ts_ok ? 12 : (o->sack_ok ? 4 : 0)) +
	       (nsack ? 4 + 8 * nsack : 0);
}

static u8 *xtcp_put_ts_sackok(u8 *opt, const struct xtcp_out *o)
{
	if (o->sack_ok) {
		*opt++ = TCPOPT_SACK_PERM;
		*opt++ = TCPOLEN_SACK_PERM;
	} else if (o->ts_ok) {
		*opt++ = TCPOPT_NOP;
		*opt++ = TCPOPT_NOP;
	}
	if (o->ts_ok) {
		*opt++ = TCPOPT_TIMESTAMP;
		*opt++ = TCPOLEN_TIMESTAMP;
		put_unaligned_be32(o->tsval, opt);
		put_unaligned_be32(o->tsecr, opt + 4);
		opt += 8;
	} else if (o->sack_ok) {
		*opt++ = TCPOPT_NOP;
		*opt++ = TCPOPT_NOP;
	}
	return opt;
}

static u8 *xtcp_put_sack(u8 *opt, const struct xtcp_out *o)
{
	unsigned int n = xtcp_opt_nsack(o), i;

	if (!n)
		return opt;
	*opt++ = TCPOPT_NOP;
	*opt++ = TCPOPT_NOP;
	*opt++ = TCPOPT_SACK;
	*opt++ = 2 + 8 * n;
	for (i = 0; i < n; i++) {
		put_unaligned_be32(o->sack[i].start, opt);
		put_unaligned_be32(o->sack[i].end, opt + 4);
		opt += 8;
	}
	return opt;
}

/* Write the header of @o at @th; returns its length. */
static unsigned int xtcp_build_header(struct tcphdr *th,
				      const struct xtcp_out *o,
				      __be16 sport, __be16 dport)
{
	unsigned int optlen = xtcp_opt_len(o);
	u8 *opt;

	memset(th, 0, sizeof(*th));
	th->source = sport;
	th->dest = dport;
	th->seq = htonl(o->seq);
	th->ack_seq = htonl(o->flags & XTCP_ACK ? o->ack : 0);
	th->doff = (sizeof(*th) + optlen) >> 2;
	((u8 *)th)[13] = o->flags;
	th->window = htons(o->wnd);
	opt = (u8 *)(th + 1);
	if (o->mss) {
		*opt++ = TCPOPT_MSS;
		*opt++ = TCPOLEN_MSS;
		put_unaligned_be16(o->mss, opt);
		opt += 2;
	}
	opt = xtcp_put_ts_sackok(opt, o);
	if (o->wscale >= 0) {
		*opt++ = TCPOPT_NOP;
		*opt++ = TCPOPT_WINDOW;
		*opt++ = TCPOLEN_WINDOW;
		*opt++ = o->wscale;
	}
	xtcp_put_sack(opt, o);
	return sizeof(*th) + optlen;
}

static struct tcphdr *xtcp_push_header(struct sk_buff *skb,
				       const struct xtcp_out *o,
				       __be16 sport, __be16 dport)
{
	struct tcphdr *th = skb_push(skb, sizeof(*th) + xtcp_opt_len(o));

	skb_reset_transport_header(skb);
	xtcp_build_header(th, o, sport, dport);
	return th;
}

static struct sk_buff *xtcp_wq_next(struct sock *sk, struct sk_buff *skb)
{
	return skb_queue_is_last(&sk->sk_write_queue, skb) ?
	       NULL : skb_queue_next(&sk->sk_write_queue, skb);
}

/*
 * Find the write-queue skb holding sequence number @seq and the sequence
 * number of its first byte. New data continues where the last segment
 * ended (xs->wq_cur), so sending a window costs O(1) per segment rather
 * than a walk from the head; what lies before that (a retransmission) is
 * found from the head.
 */
static struct sk_buff *xtcp_wq_find(struct sock *sk, u32 seq, u32 *start)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct sk_buff *skb = xs->wq_cur;

	*start = xs->wq_cur_seq;
	if (!skb || xtcp_seq_lt(seq, *start)) {
		skb = skb_peek(&sk->sk_write_queue);
		*start = xs->wq_seq;
	}
	for (; skb; skb = xtcp_wq_next(sk, skb)) {
		if (seq - *start < skb->len)
			return skb;
		*start += skb->len;
	}
	return NULL;
}

/*
 * Add references to @len bytes at @off of write-queue skb @from (all
 * page fragments) to @to, coalescing fragments that continue each other.
 */
static int xtcp_frags_ref(struct sk_buff *to, const struct sk_buff *from,
			  u32 off, u32 len)
{
	const struct skb_shared_info *shi = skb_shinfo(from);
	unsigned int j;

	for (j = 0; len && j < shi->nr_frags; j++) {
		const skb_frag_t *f = &shi->frags[j];
		u32 fsz = skb_frag_size(f), n, poff;
		struct page *page = skb_frag_page(f);
		int i = skb_shinfo(to)->nr_frags;

		if (off >= fsz) {
			off -= fsz;
			continue;
		}
		n = min(len, fsz - off);
		poff = skb_frag_off(f) + off;
		if (skb_can_coalesce(to, i, page, poff)) {
			skb_frag_size_add(&skb_shinfo(to)->frags[i - 1], n);
		} else {
			if (i >= MAX_SKB_FRAGS)
				return -EMSGSIZE;
			skb_fill_page_desc(to, i, page, poff, n);
			get_page(page);
		}
		/* pages that may change under us (sendfile): no in-place
		 * checksum, as Linux's skb_has_shared_frag() users know
		 */
		skb_shinfo(to)->flags |= shi->flags & SKBFL_SHARED_FRAG;
		/* as much as a copy would have cost: sk_wmem_alloc */
		to->len += n;
		to->data_len += n;
		to->truesize += n;
		len -= n;
		off = 0;
	}
	return len ? -EFAULT : 0;
}

/*
 * Attach [seq, seq + len) of the send stream to @skb as references to the
 * write queue's pages: no copy. -EMSGSIZE when more fragments than an skb
 * holds would be needed (the caller trims @skb back).
 */
static int xtcp_wq_ref(struct sock *sk, struct sk_buff *skb, u32 seq,
		       u32 len)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct sk_buff *from;
	u32 start;

	for (from = xtcp_wq_find(sk, seq, &start); from;
	     start += from->len, from = xtcp_wq_next(sk, from)) {
		u32 off = seq - start, n = min(len, from->len - off);
		int err = xtcp_frags_ref(skb, from, off, n);

		if (err)
			return err;
		seq += n;
		len -= n;
		if (!len) {
			xs->wq_cur = from;
			xs->wq_cur_seq = start;
			return 0;
		}
	}
	return -EFAULT;
}

/* Copy [seq, seq + len) of the send stream: when xtcp_wq_ref() cannot. */
static int xtcp_wq_copy(struct sock *sk, u32 seq, u8 *to, u32 len)
{
	struct sk_buff *from;
	u32 start;

	for (from = xtcp_wq_find(sk, seq, &start); from;
	     start += from->len, from = xtcp_wq_next(sk, from)) {
		u32 off = seq - start, n = min(len, from->len - off);

		if (skb_copy_bits(from, off, to, n))
			return -EFAULT;
		to += n;
		seq += n;
		len -= n;
		if (!len)
			return 0;
	}
	return -EFAULT;
}

/*
 * Free the skbs the peer acknowledged whole (everything below snd_una).
 * A partly acknowledged head stays as it is (its pages are referenced by
 * segments in flight; __skb_pull() cannot pull page fragments): wq_seq
 * is the sequence number of its first byte, acknowledged or not.
 */
void xtcp_wq_free_acked(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	u32 end = xtcp_seq_lt(xs->tcb.snd_una, xs->tcb.snd_end) ?
		  xs->tcb.snd_una : xs->tcb.snd_end;
	struct sk_buff *skb;
	bool freed = false;

	if (!xtcp_seq_gt(end, xs->wq_seq))
		return;
	while ((skb = skb_peek(&sk->sk_write_queue)) &&
	       end - xs->wq_seq >= skb->len) {
		if (skb == xs->wq_cur)
			xs->wq_cur = NULL;
		xs->wq_seq += skb->len;
		__skb_unlink(skb, &sk->sk_write_queue);
		xtcp_wmem_free_skb(sk, skb);
		freed = true;
	}
	if (!freed)
		return;
	xtcp_mem_reclaim(sk);
	/* grow sk_sndbuf with the window, or give back what pressure took
	 * (sk_stream_moderate_sndbuf), as tcp_new_space
	 */
	xtcp_sndbuf_expand(sk);
	if (sk->sk_socket &&
	    test_bit(SOCK_NOSPACE, &sk->sk_socket->flags))
		sk->sk_write_space(sk);
}

/* the IPv6 flow of a connected socket */
void xtcp_flow6(const struct sock *sk, struct flowi6 *fl6)
{
	const struct ipv6_pinfo *np = inet6_sk(sk);

	memset(fl6, 0, sizeof(*fl6));
	fl6->flowi6_proto = IPPROTO_TCP;
	fl6->daddr = sk->sk_v6_daddr;
	fl6->saddr = np->saddr;
	fl6->flowlabel = np->flow_label;
	fl6->flowi6_oif = sk->sk_bound_dev_if;
	fl6->flowi6_mark = sk->sk_mark;
	fl6->fl6_dport = inet_sk(sk)->inet_dport;
	fl6->fl6_sport = inet_sk(sk)->inet_sport;
	fl6->flowi6_uid = sk->sk_uid;
}

/**
 * xtcp_route6() - route an IPv6 socket and cache the route in it; an
 *	unset source address is taken from the route.
 * @sk: the socket, peer address set
 * @fl6: filled with the flow
 *
 * Return: the route (owned by the socket cache) or an ERR_PTR.
 */
struct dst_entry *xtcp_route6(struct sock *sk, struct flowi6 *fl6)
{
	struct ipv6_pinfo *np = inet6_sk(sk);
	struct dst_entry *dst;

	xtcp_flow6(sk, fl6);
	dst = ip6_dst_lookup_flow(sock_net(sk), sk, fl6, NULL);
	if (IS_ERR(dst))
		return dst;
	if (ipv6_addr_any(&np->saddr)) {
		int err = xtcp_set_saddr(sk, &fl6->saddr);

		if (err) {
			dst_release(dst);
			return ERR_PTR(err);
		}
		np->saddr = fl6->saddr;
	}
	ip6_dst_store(sk, dst, NULL, NULL);
	return dst;
}

static int xtcp_v6_xmit(struct sock *sk, struct sk_buff *skb)
{
	struct ipv6_pinfo *np = inet6_sk(sk);
	struct dst_entry *dst;
	struct flowi6 fl6;
	int err;

	dst = __sk_dst_check(sk, np->dst_cookie);
	if (dst) {
		xtcp_flow6(sk, &fl6);
	} else {
		dst = xtcp_route6(sk, &fl6);
		if (IS_ERR(dst)) {
			kfree_skb(skb);
			return PTR_ERR(dst);
		}
	}
	skb_dst_set(skb, dst_clone(dst));
	rcu_read_lock();
	err = ip6_xmit(sk, skb, &fl6, sk->sk_mark, rcu_dereference(np->opt),
		       np->tclass, sk->sk_priority);
	rcu_read_unlock();
	return err;
}

/* Checksum (pseudo-header; the rest is the NIC's or GSO's) and send. */
static int xtcp_skb_xmit(struct sock *sk, struct sk_buff *skb, bool ect)
{
	struct tcphdr *th = tcp_hdr(skb);
	int err;

	/* ECT(0) on this packet or not (RFC 3168 §6.1.2): the IP layer takes
	 * it from the socket's TOS / traffic class, as in tcp_ecn_send()
	 */
	if (ect)
		INET_ECN_xmit(sk);
	else
		INET_ECN_dontxmit(sk);
	skb_set_owner_w(skb, sk);
	if (sk->sk_family == AF_INET6) {
		th->check = ~tcp_v6_check(skb->len, &inet6_sk(sk)->saddr,
					  &sk->sk_v6_daddr, 0);
		err = xtcp_v6_xmit(sk, skb);
	} else {
		th->check = ~tcp_v4_check(skb->len, inet_sk(sk)->inet_saddr,
					  inet_sk(sk)->inet_daddr, 0);
		err = ip_queue_xmit(sk, skb, &inet_sk(sk)->cork.fl);
	}
	return net_xmit_eval(err);
}

/*
 * GSO on output. The core emits one segment per call of ->output; data
 * segments of one core call that follow each other in sequence with the
 * same header but for SEQ (and PSH, which only the last carries) are
 * gathered in one skb (xs->gso_skb), sent with gso_size = the first
 * one's length when the run ends: at a segment that does not fit, or when
 * the glue regains control (xtcp_out_flush() from xtcp_after_core()).
 * tcp_gso_segment() (or the NIC's TSO) cuts it back into exactly the
 * segments the core emitted. Counters and tracepoints stay per segment.
 * Every segment's bytes are references to the write queue's pages
 * (xtcp_wq_ref()): the payload is copied once, by sendmsg.
 */
struct xtcp_gso_cb {
	u32 end;	/* sequence number after the last byte */
	u32 size;	/* payload of every segment but the last */
	u32 max_size;	/* payload the skb may carry */
	u16 max_segs;
	u16 segs;
	bool rtx;
	bool last;	/* a short segment or a PSH closed the run */
	bool ect;	/* ECT(0) (RFC 3168) */
};

#define XTCP_GSO_CB(skb) ((struct xtcp_gso_cb *)&((skb)->cb[0]))

/* a data segment GSO may carry: ACK (+PSH), no urgent data */
static bool xtcp_gso_seg_ok(struct sock *sk, const struct xtcp_out *o)
{
	return o->len && (o->flags & ~(XTCP_PSH | XTCP_ECE)) == XTCP_ACK &&
	       !xtcp_sk(sk)->tcb.urg.snd;
}

/*
 * May a run start with data segment @o, and how large may it grow? As
 * sk_setup_caps() sets a TCP socket up: sk_is_tcp() is false for XTCP, so
 * there a device without NETIF_F_GSO ("ethtool -K gso off", or no
 * checksum offload) leaves sk_route_caps without GSO, where Linux TCP
 * still builds GSO skbs and the stack cuts them (validate_xmit_skb());
 * XTCP does the same. None through IPsec without offload, none with
 * net.xtcp.gso 0; ACK (+PSH) segments without urgent data only.
 */
static bool xtcp_gso_start(struct sock *sk, const struct xtcp_out *o,
			   struct xtcp_gso_cb *cb)
{
	struct dst_entry *dst = __sk_dst_get(sk);
	struct net_device *dev;

	if (!xtcp_gso_seg_ok(sk, o) || !dst || !sk->sk_gso_type ||
	    sk->sk_gso_disabled || !READ_ONCE(xtcp_pernet(sock_net(sk))->gso))
		return false;
	if (dst->header_len && !xfrm_dst_offload_ok(dst))
		return false;
	dev = dst_dev(dst);
	cb->max_size = min(READ_ONCE(dev->gso_max_size), GSO_LEGACY_MAX_SIZE) -
		       (MAX_TCP_HEADER + 1);
	cb->max_segs = READ_ONCE(dev->gso_max_segs);
	return cb->max_segs > 1;
}

/* headers equal but for SEQ and PSH (tcp_gso_segment copies the header) */
static bool xtcp_gso_same_header(const struct tcphdr *a,
				 const struct tcphdr *b)
{
	const u8 *x = (const u8 *)a, *y = (const u8 *)b;

	return a->doff == b->doff &&
	       !memcmp(x + 8, y + 8, 5) &&	/* ACK, data offset */
	       !((x[13] ^ y[13]) & ~TCPHDR_PSH) &&
	       !memcmp(x + 14, y + 14, a->doff * 4 - 14);
}

/*
 * Append the payload of @o to the pending GSO skb if it continues it, as
 * references to the write queue's pages.
 */
static bool xtcp_gso_append(struct sock *sk, struct sk_buff *skb,
			    const struct xtcp_out *o,
			    const struct tcphdr *th)
{
	struct xtcp_gso_cb *cb = XTCP_GSO_CB(skb);
	unsigned int old_len = skb->len, old_truesize = skb->truesize;

	if (!xtcp_gso_seg_ok(sk, o) ||
	    cb->last || o->seq != cb->end || o->rtx != cb->rtx ||
	    o->ect != cb->ect ||
	    o->len > cb->size || cb->segs >= cb->max_segs ||
	    skb->len - tcp_hdrlen(skb) + o->len > cb->max_size ||
	    !xtcp_gso_same_header(tcp_hdr(skb), th))
		return false;
	if (xtcp_wq_ref(sk, skb, o->seq, o->len)) {
		/* out of fragments: the run ends with the whole segments
		 * it had, this one starts the next
		 */
		__pskb_trim(skb, old_len);
		skb->truesize = old_truesize;
		return false;
	}
	if (th->psh) {
		tcp_hdr(skb)->psh = 1;
		cb->last = true;
	}
	if (o->len < cb->size)
		cb->last = true;
	cb->end += o->len;
	cb->segs++;
	return true;
}

/**
 * xtcp_out_flush() - send the pending GSO skb, if any: the end of a run
 *	of segments. Called before the socket lock is released after every
 *	call into the core (xtcp_after_core(), xtcp_done()).
 * @sk: the socket, locked
 */
void xtcp_out_flush(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct sk_buff *skb = xs->gso_skb;
	struct xtcp_gso_cb *cb;
	bool ect;

	if (likely(!skb))
		return;
	xs->gso_skb = NULL;
	cb = XTCP_GSO_CB(skb);
	ect = cb->ect;
	if (cb->segs > 1) {
		struct skb_shared_info *shi = skb_shinfo(skb);

		shi->gso_size = cb->size;
		shi->gso_segs = cb->segs;
		shi->gso_type = sk->sk_gso_type;
		XTCP_INC_STATS(xtcp_pernet(sock_net(sk)), XTCP_MIB_OUTGSOSKBS);
	}
	memset(skb->cb, 0, sizeof(skb->cb));
	/* an error loses the segments: the core's timers recover them */
	xtcp_skb_xmit(sk, skb, ect);
}

/* Free a pending GSO skb unsent (the socket is going away). */
void xtcp_out_purge(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	kfree_skb(xs->gso_skb);
	xs->gso_skb = NULL;
}

static int xtcp_sock_output(struct xtcp_tcb *tcb, const struct xtcp_out *o)
{
	struct xtcp_sock *xs = tcb_to_xs(tcb);
	struct sock *sk = xtcp_to_sk(xs);
	struct xtcp_net *xn = xtcp_pernet(sock_net(sk));
	u8 hdr[sizeof(struct tcphdr) + XTCP_MAX_OPT_LEN] __aligned(4);
	struct tcphdr *th = (struct tcphdr *)hdr;
	struct xtcp_gso_cb gcb;
	unsigned int hlen;
	struct sk_buff *skb;
	bool gso;

	BUILD_BUG_ON(sizeof(struct xtcp_gso_cb) > sizeof(skb->cb));
	hlen = xtcp_build_header(th, o, inet_sk(sk)->inet_sport,
				 inet_sk(sk)->inet_dport);
	if (unlikely(tcb->urg.snd) && !(o->flags & (XTCP_SYN | XTCP_RST))) {
		u16 up;

		if (xtcp_urg_out(&tcb->urg, tcb->snd_una, tcb->snd_nxt,
				 o->seq, &up)) {
			th->urg = 1;
			th->urg_ptr = htons(up);
		}
	}

	if (trace_xtcp_segment_send_enabled()) {
		struct xtcp_tuple t;

		xtcp_sk_tuple(sk, &t);
		trace_xtcp_segment_send(&t, o->seq, o->ack, o->flags, o->wnd,
					o->len, o->mss, o->wscale, o->rtx,
					tcb->state, tcb->state);
	}
	XTCP_INC_STATS(xn, XTCP_MIB_OUTSEGS);
	if (o->rtx)
		XTCP_INC_STATS(xn, XTCP_MIB_RETRANSSEGS);
	if (o->flags & XTCP_RST)
		XTCP_INC_STATS(xn, XTCP_MIB_OUTRSTS);
	if (o->len && !o->rtx) {
		XTCP_ADD_STATS(xn, XTCP_MIB_DATAOUT, o->len);
		xs->bytes_sent += o->len;
	}

	if (xs->gso_skb) {
		if (xtcp_gso_append(sk, xs->gso_skb, o, th))
			return 0;
		xtcp_out_flush(sk);	/* segments go out in order */
	}
	gso = xtcp_gso_start(sk, o, &gcb);

	/* headers only: the payload refers to the write queue's pages */
	skb = alloc_skb(MAX_TCP_HEADER, GFP_ATOMIC);
	if (!skb)
		return -ENOBUFS;
	skb_reserve(skb, MAX_TCP_HEADER);
	if (o->len && xtcp_wq_ref(sk, skb, o->seq, o->len)) {
		/* scattered over more fragments than an skb holds: copy */
		kfree_skb(skb);
		skb = alloc_skb(MAX_TCP_HEADER + o->len, GFP_ATOMIC);
		if (!skb)
			return -ENOBUFS;
		skb_reserve(skb, MAX_TCP_HEADER);
		if (xtcp_wq_copy(sk, o->seq, skb_put(skb, o->len), o->len)) {
			WARN_ONCE(1, "xtcp: send stream has no bytes at %u\n",
				  o->seq);
			kfree_skb(skb);
			return -EFAULT;
		}
		XTCP_INC_STATS(xtcp_pernet(sock_net(sk)),
			       XTCP_MIB_OUTSEGSCOPIED);
	}
	memcpy(skb_push(skb, hlen), hdr, hlen);
	skb_reset_transport_header(skb);
	skb->ip_summed = CHECKSUM_PARTIAL;
	skb->csum_start = skb_transport_header(skb) - skb->head;
	skb->csum_offset = offsetof(struct tcphdr, check);
	skb->protocol = sk->sk_family == AF_INET6 ? htons(ETH_P_IPV6) :
						   htons(ETH_P_IP);
	if (gso) {
		gcb.end = o->seq + o->len;
		gcb.size = o->len;
		gcb.segs = 1;
		gcb.rtx = o->rtx;
		gcb.ect = o->ect;
		gcb.last = th->psh;
		*XTCP_GSO_CB(skb) = gcb;
		xs->gso_skb = skb;
		return 0;
	}
	return xtcp_skb_xmit(sk, skb, o->ect);
}

static bool xtcp_sock_rcv_data(struct xtcp_tcb *tcb, u32 off, u32 len)
{
	struct xtcp_sock *xs = tcb_to_xs(tcb);
	struct sock *sk = xtcp_to_sk(xs);
	struct sk_buff *skb = xs->cur_skb;
	struct xtcp_skb_cb *cb;
	int ret;

	if (WARN_ON_ONCE(!skb || xs->cur_queued))
		return false;
	cb = XTCP_SKB_CB(skb);
	cb->doff += off;
	cb->seg.len = len;
	ret = xtcp_rcv_queue(sk, skb);
	if (ret < 0)
		return false;
	xs->cur_queued = ret > 0;
	xs->cur_data = true;
	XTCP_ADD_STATS(xtcp_pernet(sock_net(sk)), XTCP_MIB_DATAIN, len);
	return true;
}

static u32 xtcp_sock_rcv_space(struct xtcp_tcb *tcb)
{
	return xtcp_rcv_space(xtcp_to_sk(tcb_to_xs(tcb)));
}

/**
 * xtcp_note_count() - count a core event (enum xtcp_note) in @net's
 *	counters: for sockets and TIME-WAIT objects alike
 * @net: the namespace
 * @n: the event
 */
void xtcp_note_count(struct net *net, enum xtcp_note n)
{
	static const u8 mib[] = {
		[XTCP_N_OOW_DROP] = XTCP_MIB_OOWDROP,
		[XTCP_N_ZWIN_DROP] = XTCP_MIB_ZWINDROP,
		[XTCP_N_OFO_DROP] = XTCP_MIB_OFODROP,
		[XTCP_N_ORPHAN_PROBE_ABORT] = XTCP_MIB_ORPHANPROBEABORTS,
		[XTCP_N_OFO_QUEUE] = XTCP_MIB_OFOQUEUE,
		[XTCP_N_OFO_MERGE] = XTCP_MIB_OFOMERGE,
		[XTCP_N_DSACK_OLD] = XTCP_MIB_DSACKOLDSENT,
		[XTCP_N_DSACK_OFO] = XTCP_MIB_DSACKOFOSENT,
		[XTCP_N_DELACK] = XTCP_MIB_DELAYEDACKS,
		[XTCP_N_WINPROBE] = XTCP_MIB_TCPWINPROBE,
		[XTCP_N_KEEPALIVE] = XTCP_MIB_TCPKEEPALIVE,
		[XTCP_N_RTO] = XTCP_MIB_TCPTIMEOUTS,
		[XTCP_N_PAWS_DROP] = XTCP_MIB_PAWSESTAB,
		[XTCP_N_FAST_RETRANS] = XTCP_MIB_FASTRETRANS,
		[XTCP_N_SACK_RECOVERY] = XTCP_MIB_SACKRECOVERY,
		[XTCP_N_RENO_RECOVERY] = XTCP_MIB_RENORECOVERY,
		[XTCP_N_LOSS_PROBE] = XTCP_MIB_LOSSPROBES,
		[XTCP_N_LOSS_PROBE_RECOVERY] = XTCP_MIB_LOSSPROBERECOVERY,
		[XTCP_N_SACK_REORDER] = XTCP_MIB_SACKREORDER,
		[XTCP_N_DSACK_UNDO] = XTCP_MIB_DSACKUNDO,
		[XTCP_N_SPURIOUS_RTO] = XTCP_MIB_SPURIOUSRTOS,
		[XTCP_N_LOSS_UNDO] = XTCP_MIB_LOSSUNDO,
		[XTCP_N_PARTIAL_UNDO] = XTCP_MIB_PARTIALUNDO,
		[XTCP_N_SACK_BLOCKS] = XTCP_MIB_SACKBLOCKSRECV,
		[XTCP_N_SACK_DISCARD] = XTCP_MIB_SACKDISCARD,
		[XTCP_N_DSACK_RECV] = XTCP_MIB_DSACKRECV,
		[XTCP_N_RACK_TIMEOUT] = XTCP_MIB_RACKTIMEOUTS,
		[XTCP_N_LOST_RETRANS] = XTCP_MIB_LOSTRETRANSMIT,
		[XTCP_N_SACK_RENEGING] = XTCP_MIB_SACKRENEGING,
		[XTCP_N_DELIVERED_CE] = XTCP_MIB_DELIVEREDCE,
		[XTCP_N_ECN_REDUCE] = XTCP_MIB_ECNREDUCE,
		[XTCP_N_ECN_CE_RCVD] = XTCP_MIB_ECNCERCVD,
		[XTCP_N_ACK_SKIP_PAWS] = XTCP_MIB_ACKSKIPPEDPAWS,
		[XTCP_N_ACK_SKIP_SEQ] = XTCP_MIB_ACKSKIPPEDSEQ,
		[XTCP_N_ACK_SKIP_CHALLENGE] = XTCP_MIB_ACKSKIPPEDCHALLENGE,
		[XTCP_N_ACK_SKIP_TW] = XTCP_MIB_ACKSKIPPEDTIMEWAIT,
	};

	if (n < ARRAY_SIZE(mib))
		XTCP_INC_STATS(xtcp_pernet(net), mib[n]);
}

static void xtcp_sock_note(struct xtcp_tcb *tcb, enum xtcp_note n)
{
	xtcp_note_count(sock_net(xtcp_to_sk(tcb_to_xs(tcb))), n);
}

static bool xtcp_estab_like(unsigned int s)
{
	return s == XTCP_ESTABLISHED || s == XTCP_CLOSE_WAIT;
}

static void xtcp_sock_state_change(struct xtcp_tcb *tcb,
				   enum xtcp_state old)
{
	struct sock *sk = xtcp_to_sk(tcb_to_xs(tcb));
	struct xtcp_net *xn = xtcp_pernet(sock_net(sk));
	unsigned int new = tcb->state;
	struct xtcp_tuple t;

	if (trace_xtcp_state_enabled()) {
		xtcp_sk_tuple(sk, &t);
		trace_xtcp_state(&t, old, new);
	}

	xtcp_set_sk_state(sk, new == XTCP_TIME_WAIT ? TCP_CLOSE :
				xtcp_linux_state(new));
	if (!xtcp_estab_like(old) && xtcp_estab_like(new))
		XTCP_INC_STATS(xn, XTCP_MIB_CURRESTAB);
	if (xtcp_estab_like(old) && !xtcp_estab_like(new)) {
		this_cpu_dec(xn->mib->v[XTCP_MIB_CURRESTAB]);
		if (new == XTCP_CLOSED)
			XTCP_INC_STATS(xn, XTCP_MIB_ESTABRESETS);
	}
	if ((old == XTCP_SYN_SENT || old == XTCP_SYN_RECEIVED) &&
	    new == XTCP_CLOSED)
		XTCP_INC_STATS(xn, XTCP_MIB_ATTEMPTFAILS);
	if (new == XTCP_TIME_WAIT)
		XTCP_INC_STATS(xn, XTCP_MIB_TIMEWAITS);
	if (new == XTCP_ESTABLISHED &&
	    (old == XTCP_SYN_SENT || old == XTCP_SYN_RECEIVED))
		xtcp_buf_established(sk);
	sk->sk_state_change(sk);
}

static void xtcp_sock_error(struct xtcp_tcb *tcb, int err)
{
	struct sock *sk = xtcp_to_sk(tcb_to_xs(tcb));

	if (err == -ETIMEDOUT) {
		XTCP_INC_STATS(xtcp_pernet(sock_net(sk)), XTCP_MIB_TIMEOUTS);
		/* as tcp_write_err(): a soft error (ICMP) explains it */
		if (READ_ONCE(sk->sk_err_soft))
			err = -READ_ONCE(sk->sk_err_soft);
	}
	WRITE_ONCE(sk->sk_err, -err);
	sk_error_report(sk);
}

/*
 * Wake readers through sk_data_ready (EPOLLIN waiters only, and SIGIO
 * POLL_IN for O_ASYNC owners) when this segment queued data or the FIN
 * arrived. Writers are woken by sk_write_space when acknowledged bytes
 * are freed (xtcp_wq_free_acked), waiters on a state by sk_state_change.
 */
static void xtcp_sock_event(struct xtcp_tcb *tcb)
{
	struct xtcp_sock *xs = tcb_to_xs(tcb);
	struct sock *sk = xtcp_to_sk(xs);

	/* data copied into the tail skb wakes too: a poll waiter for
	 * SO_RCVLOWAT bytes has nobody else to wake it
	 */
	if (xs->cur_data || (tcb->fl & XTCP_F_FIN_RCVD)) {
		xs->cur_data = false;
		sk->sk_data_ready(sk);
	}
}

static u64 xtcp_sock_now(struct xtcp_tcb *tcb)
{
	return xtcp_now_ms();
}

/* as tcp_clock_us() */
static u64 xtcp_sock_now_us(struct xtcp_tcb *tcb)
{
	return div_u64(ktime_get_ns(), NSEC_PER_USEC);
}

const struct xtcp_core_ops xtcp_sock_ops = {
	.now		= xtcp_sock_now,
	.output		= xtcp_sock_output,
	.timer_set	= xtcp_timer_set,
	.timer_clear	= xtcp_timer_clear,
	.rcv_data	= xtcp_sock_rcv_data,
	.rcv_space	= xtcp_sock_rcv_space,
	.state_change	= xtcp_sock_state_change,
	.error		= xtcp_sock_error,
	.event		= xtcp_sock_event,
	.note		= xtcp_sock_note,
	.ofo_hold	= xtcp_sock_ofo_hold,
	.ofo_pull	= xtcp_sock_ofo_pull,
	.now_us		= xtcp_sock_now_us,
};

/**
 * xtcp_send_reply_state() - send a segment that has no socket: a RST
 *	answering a stray segment, or an ACK from a TIME-WAIT object.
 * @net: namespace
 * @t: the connection, local side first
 * @o: the segment (no payload)
 * @mark: skb mark
 * @state: the state of the sender, for the xtcp_segment_send tracepoint
 */
int xtcp_send_reply_state(struct net *net, const struct xtcp_tuple *t,
			  const struct xtcp_out *o, u32 mark, int state)
{
	struct xtcp_net *xn = xtcp_pernet(net);
	struct sk_buff *skb;
	struct tcphdr *th;
	int err;

	skb = alloc_skb(MAX_TCP_HEADER, GFP_ATOMIC);
	if (!skb)
		return -ENOBUFS;
	skb_reserve(skb, MAX_TCP_HEADER);
	th = xtcp_push_header(skb, o, t->lport, t->rport);
	skb->ip_summed = CHECKSUM_NONE;
	skb->mark = mark;
	trace_xtcp_segment_send(t, o->seq, o->ack, o->flags, o->wnd, 0,
				o->mss, o->wscale, o->rtx, state, state);

	if (t->family == AF_INET6) {
		struct dst_entry *dst;
		struct flowi6 fl6;

		memset(&fl6, 0, sizeof(fl6));
		fl6.flowi6_proto = IPPROTO_TCP;
		fl6.daddr = t->raddr.v6;
		fl6.saddr = t->laddr.v6;
		fl6.fl6_sport = t->lport;
		fl6.fl6_dport = t->rport;
		fl6.flowi6_mark = mark;
		fl6.flowi6_oif = t->dif;
		th->check = tcp_v6_check(skb->len, &fl6.saddr, &fl6.daddr,
					 csum_partial(th, skb->len, 0));
		dst = ip6_dst_lookup_flow(net, xn->ctl6, &fl6, NULL);
		if (IS_ERR(dst)) {
			kfree_skb(skb);
			return PTR_ERR(dst);
		}
		skb_dst_set(skb, dst);
		skb->protocol = htons(ETH_P_IPV6);
		err = ip6_xmit(xn->ctl6, skb, &fl6, mark, NULL, 0, 0);
	} else {
		struct flowi4 fl4;
		struct rtable *rt;

		flowi4_init_output(&fl4, t->dif, mark, 0, RT_SCOPE_UNIVERSE,
				   IPPROTO_TCP, 0, t->raddr.v4, t->laddr.v4,
				   t->rport, t->lport, sock_net_uid(net, NULL));
		th->check = tcp_v4_check(skb->len, t->laddr.v4, t->raddr.v4,
					 csum_partial(th, skb->len, 0));
		rt = ip_route_output_key(net, &fl4);
		if (IS_ERR(rt)) {
			kfree_skb(skb);
			return PTR_ERR(rt);
		}
		skb_dst_set(skb, &rt->dst);
		skb->protocol = htons(ETH_P_IP);
		err = ip_build_and_send_pkt(skb, xn->ctl4, t->laddr.v4,
					    t->raddr.v4, NULL, 0);
	}
	XTCP_INC_STATS(xn, XTCP_MIB_OUTSEGS);
	if (o->flags & XTCP_RST)
		XTCP_INC_STATS(xn, XTCP_MIB_OUTRSTS);
	return net_xmit_eval(err);
}

int xtcp_send_reply(struct net *net, const struct xtcp_tuple *t,
		    const struct xtcp_out *o, u32 mark)
{
	return xtcp_send_reply_state(net, t, o, mark, XTCP_CLOSED);
}

int xtcp_ctl_init(struct xtcp_net *xn)
{
	int err;

	err = inet_ctl_sock_create(&xn->ctl4, PF_INET, SOCK_RAW, IPPROTO_TCP,
				   xn->net);
	if (err)
		return err;
	err = inet_ctl_sock_create(&xn->ctl6, PF_INET6, SOCK_RAW, IPPROTO_TCP,
				   xn->net);
	if (err) {
		inet_ctl_sock_destroy(xn->ctl4);
		xn->ctl4 = NULL;
	}
	return err;
}

void xtcp_ctl_exit(struct xtcp_net *xn)
{
	inet_ctl_sock_destroy(xn->ctl6);
	inet_ctl_sock_destroy(xn->ctl4);
	xn->ctl4 = NULL;
	xn->ctl6 = NULL;
}
