// SPDX-License-Identifier: GPL-2.0
/*
 * XTCP urgent data glue (RFC 6093, Linux's semantics): the byte moves
 * between the receive queue and the state of xtcp_urg.c, SIGURG reaches
 * the owner, recv(MSG_OOB) reads it. The rules are in xtcp_urg.c.
 */
#include <linux/net.h>
#include <linux/skbuff.h>
#include <net/sock.h>

#include "xtcp.h"

/**
 * xtcp_rcv_consume() - @n bytes at the head of the receive queue are
 *	read (or skipped): the reader moves past them
 * @sk: the socket, locked
 * @n: bytes, at most what the head skb holds unread
 */
void xtcp_rcv_consume(struct sock *sk, u32 n)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct sk_buff *skb = skb_peek(&sk->sk_receive_queue);

	if (WARN_ON_ONCE(!skb))
		return;
	xs->copied_seq += n;
	xs->rx_off += n;
	WRITE_ONCE(xs->rcvq_bytes, xs->rcvq_bytes - n);
	sk_peek_offset_bwd(sk, n);
	if (xs->rx_off >= XTCP_SKB_CB(skb)->seg.len) {
		__skb_unlink(skb, &sk->sk_receive_queue);
		kfree_skb(skb);
		xs->rx_off = 0;
	}
	xtcp_urg_consumed(&xs->tcb.urg, xs->copied_seq);
}

/* the urgent byte at @seq, from the receive queue: it came last, so look
 * from the tail
 */
static bool xtcp_urg_fetch(struct sock *sk, u32 seq, u8 *byte)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	u32 end = xs->copied_seq + xs->rcvq_bytes;
	struct sk_buff *skb;

	skb_queue_reverse_walk(&sk->sk_receive_queue, skb) {
		struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
		u32 len = cb->seg.len;

		if (skb == skb_peek(&sk->sk_receive_queue))
			len -= xs->rx_off;
		if (xtcp_seq_in(seq, end - len, end))
			return !skb_copy_bits(skb, cb->doff + cb->seg.len -
					      (end - seq), byte, 1);
		end -= len;
	}
	return false;
}

/**
 * xtcp_urg_after_core() - act on what xtcp_urg.c decided while the core
 *	ran (tcp_check_urg(), tcp_urg())
 * @sk: the socket, locked
 */
void xtcp_urg_after_core(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct xtcp_urg *u = &xs->tcb.urg;
	u8 ev = u->ev, byte;

	if (likely(!ev))
		return;
	u->ev = 0;
	/* the superseded urgent byte the reader is at is not data */
	if ((ev & XTCP_URG_EV_SKIP) && !sock_flag(sk, SOCK_URGINLINE) &&
	    xs->copied_seq == u->skip_seq && xs->rcvq_bytes)
		xtcp_rcv_consume(sk, 1);
	if (ev & XTCP_URG_EV_SIG)
		sk_send_sigurg(sk);
	if (ev & XTCP_URG_EV_BYTE) {
		if (xtcp_urg_fetch(sk, u->seq, &byte)) {
			xtcp_urg_set_byte(u, byte);
			if (!sock_flag(sk, SOCK_DEAD))
				sk->sk_data_ready(sk);
		} else {
			WRITE_ONCE(u->data, 0);	/* discarded (SHUT_RD) */
		}
	}
}

/**
 * xtcp_recv_urg() - recv(MSG_OOB), as tcp_recv_urg(): never blocks
 * @sk: the socket, locked
 * @msg: where the byte goes
 * @len: room
 * @flags: MSG_PEEK, MSG_TRUNC
 *
 * Return: 1 (or 0 with no room: MSG_TRUNC), 0 at EOF, or -EINVAL (no
 * urgent data, or read), -ENOTCONN, -EAGAIN (its byte has not come),
 * -EFAULT.
 */
int xtcp_recv_urg(struct sock *sk, struct msghdr *msg, size_t len, int flags)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct xtcp_urg *u = &xs->tcb.urg;
	bool inl = sock_flag(sk, SOCK_URGINLINE);
	int ret;
	u8 c;

	if (inl || !u->data || u->data == XTCP_URG_READ)
		return -EINVAL;
	if (xs->tcb.state == XTCP_CLOSED && !(xs->tcb.fl & XTCP_F_FIN_RCVD))
		return -ENOTCONN;
	ret = xtcp_urg_recv(u, inl, flags & MSG_PEEK,
			    xs->tcb.state == XTCP_CLOSED ||
			    (sk->sk_shutdown & RCV_SHUTDOWN), &c);
	if (ret <= 0)
		return ret;
	msg->msg_flags |= MSG_OOB;
	if (!len) {
		msg->msg_flags |= MSG_TRUNC;
		return 0;
	}
	if (!(flags & MSG_TRUNC) && memcpy_to_msg(msg, &c, 1))
		return -EFAULT;
	return 1;
}
