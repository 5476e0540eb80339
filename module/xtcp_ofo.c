// SPDX-License-Identifier: GPL-2.0
/*
 * XTCP out-of-order queue, the glue half: the segments the core holds
 * above RCV.NXT (xtcp_ofo_core.c keeps their ranges) sit in an rbtree
 * ordered by sequence, as Linux's out_of_order_queue, trimmed so that no
 * two overlap; they move to the receive queue when the core says the gap
 * is filled. They are charged by truesize to sk_rcvbuf like the receive
 * queue, and dropped from the highest sequence down under pressure (as
 * tcp_prune_ofo_queue), which the core is told.
 */
#include <linux/rbtree.h>
#include <linux/skbuff.h>
#include <net/sock.h>

#include "xtcp.h"

static u32 xtcp_ofo_seq(const struct sk_buff *skb)
{
	return XTCP_SKB_CB(skb)->seg.seq;
}

static u32 xtcp_ofo_end(const struct sk_buff *skb)
{
	return XTCP_SKB_CB(skb)->seg.seq + XTCP_SKB_CB(skb)->seg.len;
}

/* drop the first @n payload bytes of a held skb */
static void xtcp_ofo_trim_front(struct sk_buff *skb, u32 n)
{
	struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);

	cb->doff += n;
	cb->seg.len -= n;
	cb->seg.seq += n;
}

/* take @skb out of the tree; rbnode shares its words with next, prev and
 * dev, which must not keep tree pointers
 */
static void xtcp_ofo_erase(struct sock *sk, struct sk_buff *skb)
{
	rb_erase(&skb->rbnode, &xtcp_sk(sk)->ofo_root);
	skb->next = NULL;
	skb->prev = NULL;
	skb->dev = NULL;
}

/*
 * Insert @skb: what a neighbour holds already is trimmed from it, and
 * neighbours it covers are dropped, so the tree never overlaps. The core
 * asks only for data with new bytes; a duplicate is freed all the same.
 */
static void xtcp_ofo_insert(struct sock *sk, struct sk_buff *skb)
{
	struct rb_root *root = &xtcp_sk(sk)->ofo_root;
	struct rb_node **p = &root->rb_node, *parent = NULL;
	struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	struct sk_buff *prev = NULL, *next;
	u32 end = xtcp_ofo_end(skb);

	while (*p) {
		parent = *p;
		if (xtcp_seq_lt(cb->seg.seq, xtcp_ofo_seq(rb_to_skb(parent)))) {
			p = &parent->rb_left;
		} else {
			prev = rb_to_skb(parent);
			p = &parent->rb_right;
		}
	}
	if (prev && xtcp_seq_gt(xtcp_ofo_end(prev), cb->seg.seq)) {
		if (!xtcp_seq_lt(xtcp_ofo_end(prev), end)) {
			kfree_skb(skb);		/* all held already */
			return;
		}
		xtcp_ofo_trim_front(skb, xtcp_ofo_end(prev) - cb->seg.seq);
	}
	rb_link_node(&skb->rbnode, parent, p);
	rb_insert_color(&skb->rbnode, root);

	while ((next = skb_rb_next(skb))) {
		if (!xtcp_seq_lt(xtcp_ofo_seq(next), end))
			break;
		if (xtcp_seq_gt(xtcp_ofo_end(next), end)) {
			cb->seg.len = xtcp_ofo_seq(next) - cb->seg.seq;
			break;
		}
		xtcp_ofo_erase(sk, next);
		kfree_skb(next);
	}
	if (!cb->seg.len) {
		xtcp_ofo_erase(sk, skb);
		kfree_skb(skb);
	}
}

/**
 * xtcp_sock_ofo_hold() - ops->ofo_hold: keep bytes [@off, @off + @len) of
 *	the segment being processed, sequence @seq on, out of order
 * @tcb: the socket's TCB
 * @off: offset in the segment's payload
 * @len: bytes
 * @seq: sequence number of the first
 *
 * Return: false when memory does not allow it (the core counts the drop).
 */
bool xtcp_sock_ofo_hold(struct xtcp_tcb *tcb, u32 off, u32 len, u32 seq)
{
	struct xtcp_sock *xs = tcb_to_xs(tcb);
	struct sock *sk = xtcp_to_sk(xs);
	struct sk_buff *skb = xs->cur_skb;
	struct xtcp_skb_cb *cb;

	if (!skb || xs->cur_queued)
		return false;
	skb_orphan(skb);
	if (!xtcp_rmem_schedule(sk, skb, seq)) {
		atomic_inc(&sk->sk_drops);
		return false;
	}
	skb_set_owner_r(skb, sk);
	cb = XTCP_SKB_CB(skb);
	cb->doff += off;
	cb->seg.len = len;
	cb->seg.seq = seq;
	/* the tree takes its own reference: the input path frees the one
	 * it holds when the core returns
	 */
	xtcp_ofo_insert(sk, skb_get(skb));
	return true;
}

/**
 * xtcp_sock_ofo_pull() - ops->ofo_pull: held bytes below @to are in order
 * @tcb: the socket's TCB
 * @from: RCV.NXT: bytes below it were received already
 * @to: the end of the bytes now in order
 */
void xtcp_sock_ofo_pull(struct xtcp_tcb *tcb, u32 from, u32 to)
{
	struct xtcp_sock *xs = tcb_to_xs(tcb);
	struct sock *sk = xtcp_to_sk(xs);
	struct xtcp_net *xn = xtcp_pernet(sock_net(sk));
	struct rb_node *node;

	while ((node = rb_first(&xs->ofo_root))) {
		struct sk_buff *skb = rb_to_skb(node);
		struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);

		if (!xtcp_seq_lt(cb->seg.seq, to))
			break;
		xtcp_ofo_erase(sk, skb);
		if (!xtcp_seq_gt(xtcp_ofo_end(skb), from)) {
			kfree_skb(skb);		/* came in order meanwhile */
			continue;
		}
		if (xtcp_seq_lt(cb->seg.seq, from))
			xtcp_ofo_trim_front(skb, from - cb->seg.seq);
		if (xtcp_seq_gt(xtcp_ofo_end(skb), to))
			cb->seg.len = to - cb->seg.seq;
		from = xtcp_ofo_end(skb);
		XTCP_ADD_STATS(xn, XTCP_MIB_DATAIN, cb->seg.len);
		WRITE_ONCE(xs->rcvq_bytes, xs->rcvq_bytes + cb->seg.len);
		xs->cur_data = true;
		if (xtcp_try_coalesce(sk, skb))
			consume_skb(skb);
		else if (!xtcp_rcv_merge(sk, skb))
			__skb_queue_tail(&sk->sk_receive_queue, skb);
	}
}

/**
 * xtcp_ofo_prune() - drop held data at and above @seq, the highest first,
 *	until the socket is within sk_rcvbuf (as tcp_prune_ofo_queue, which
 *	keeps what is nearest RCV.NXT); the core forgets the ranges
 * @sk: the socket, locked
 * @seq: nothing below it is dropped
 *
 * Return: whether anything was dropped.
 */
bool xtcp_ofo_prune(struct sock *sk, u32 seq)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct rb_node *node = rb_last(&xs->ofo_root), *prev;
	int goal = sk->sk_rcvbuf >> 3;
	bool pruned = false;
	u32 cut = 0;

	while (node) {
		struct sk_buff *skb = rb_to_skb(node);

		if (xtcp_seq_lt(xtcp_ofo_seq(skb), seq))
			break;
		prev = rb_prev(node);
		cut = xtcp_ofo_seq(skb);
		pruned = true;
		goal -= skb->truesize;
		xtcp_ofo_erase(sk, skb);
		kfree_skb(skb);
		if (!prev || goal <= 0) {
			if (atomic_read(&sk->sk_rmem_alloc) <= sk->sk_rcvbuf &&
			    !sk_under_memory_pressure(sk))
				break;
			goal = sk->sk_rcvbuf >> 3;
		}
		node = prev;
	}
	if (!pruned)
		return false;
	XTCP_INC_STATS(xtcp_pernet(sock_net(sk)), XTCP_MIB_OFOPRUNED);
	xtcp_ofo_cut(&xs->tcb.ofo, cut);
	xtcp_mem_reclaim(sk);
	return true;
}

/* drop all held data (the connection ends or is reset) */
void xtcp_ofo_purge(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct rb_node *node;

	while ((node = rb_first(&xs->ofo_root))) {
		struct sk_buff *skb = rb_to_skb(node);

		xtcp_ofo_erase(sk, skb);
		kfree_skb(skb);
	}
	xtcp_ofo_reset(&xs->tcb.ofo);
}
