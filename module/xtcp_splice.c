// SPDX-License-Identifier: GPL-2.0
/*
 * splice() out of an XTCP socket, as tcp_splice_read(): the receive
 * queue's skbs go to the pipe through skb_splice_bits() (page references
 * for paged data, page fragments for the linear part), not through a
 * user-space copy.
 */
#include <linux/net.h>
#include <linux/pipe_fs_i.h>
#include <linux/sched/signal.h>
#include <linux/skbuff.h>
#include <linux/splice.h>
#include <net/sock.h>

#include "xtcp.h"

/* one pass over the queue, as tcp_read_sock() with tcp_splice_data_recv() */
static int xtcp_splice_some(struct sock *sk, struct pipe_inode_info *pipe,
			    size_t len, unsigned int flags)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct sk_buff *skb;
	int done = 0;

	while (len && (skb = skb_peek(&sk->sk_receive_queue))) {
		struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
		u32 n = cb->seg.len - xs->rx_off;
		int ret;

		/* as tcp_read_sock(): stop at urgent data */
		if (unlikely(xs->tcb.urg.data)) {
			u32 uoff = xs->tcb.urg.seq - xs->copied_seq;

			if (uoff < n)
				n = uoff;
			if (!n)
				break;
		}
		n = min_t(size_t, n, len);
		ret = skb_splice_bits(skb, sk, cb->doff + xs->rx_off, pipe, n,
				      flags);
		if (ret <= 0) {
			if (!done)
				done = ret;
			break;
		}
		xtcp_rcv_consume(sk, ret);
		done += ret;
		len -= ret;
		if (ret < n)
			break;		/* the pipe is full */
	}
	if (done > 0) {
		xtcp_mem_reclaim(sk);
		xtcp_rcv_space_adjust(sk);
		xtcp_core_recvd(&xs->tcb);
		xtcp_after_core(sk);
	}
	return done;
}

/**
 * xtcp_splice_read() - proto_ops.splice_read, as tcp_splice_read()
 * @sock: the socket
 * @ppos: must be 0 (a socket cannot seek)
 * @pipe: the pipe
 * @len: most bytes to move
 * @flags: SPLICE_F_*; SPLICE_F_NONBLOCK concerns the pipe, O_NONBLOCK
 *	on the socket the socket (as Linux TCP)
 *
 * Return: bytes moved, 0 at EOF, or a negative errno.
 */
ssize_t xtcp_splice_read(struct socket *sock, loff_t *ppos,
			 struct pipe_inode_info *pipe, size_t len,
			 unsigned int flags)
{
	DEFINE_WAIT_FUNC(wait, woken_wake_function);
	struct sock *sk = sock->sk;
	struct xtcp_sock *xs = xtcp_sk(sk);
	ssize_t spliced = 0;
	long timeo;
	int ret = 0;

	if (unlikely(*ppos))
		return -ESPIPE;
	lock_sock(sk);
	if (xs->listening) {
		release_sock(sk);
		return -ENOTCONN;
	}
	timeo = sock_rcvtimeo(sk, sock->file->f_flags & O_NONBLOCK);
	add_wait_queue(sk_sleep(sk), &wait);
	while (len) {
		ret = xtcp_splice_some(sk, pipe, len, flags);
		if (ret < 0)
			break;
		if (!ret) {
			if (spliced)
				break;
			/* as xtcp_recvmsg(): FIN, error, shutdown, closed */
			if (xs->tcb.fl & XTCP_F_FIN_RCVD)
				break;
			if (sk->sk_err) {
				ret = sock_error(sk);
				break;
			}
			if (sk->sk_shutdown & RCV_SHUTDOWN)
				break;
			if (xs->tcb.state == XTCP_CLOSED) {
				if (!xs->was_connected)
					ret = -ENOTCONN;
				break;
			}
			if (!timeo) {
				ret = -EAGAIN;
				break;
			}
			/* nothing moved with data queued: urgent data */
			if (!skb_queue_empty(&sk->sk_receive_queue))
				break;
			sk_wait_event(sk, &timeo,
				      !skb_queue_empty(&sk->sk_receive_queue) ||
				      READ_ONCE(sk->sk_err) || xtcp_eof(sk) ||
				      xs->tcb.state == XTCP_CLOSED, &wait);
			if (signal_pending(current)) {
				ret = sock_intr_errno(timeo);
				break;
			}
			continue;
		}
		len -= ret;
		spliced += ret;
		if (!timeo)
			break;
		release_sock(sk);
		lock_sock(sk);
		if (sk->sk_err || xs->tcb.state == XTCP_CLOSED ||
		    (sk->sk_shutdown & RCV_SHUTDOWN) || signal_pending(current))
			break;
	}
	remove_wait_queue(sk_sleep(sk), &wait);
	release_sock(sk);
	return spliced ? spliced : ret;
}
