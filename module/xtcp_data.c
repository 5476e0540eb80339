// SPDX-License-Identifier: GPL-2.0
/*
 * XTCP data calls (RFC 9293 §3.10.2 SEND, §3.10.3 RECEIVE): sendmsg
 * into the send buffer, recvmsg out of the receive queue.
 */
#include <linux/net.h>
#include <linux/poll.h>
#include <linux/sched/signal.h>
#include <linux/tcp.h>
#include <linux/sockios.h>
#include <asm/ioctls.h>
#include <net/sock.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/ip6_route.h>
#include <net/addrconf.h>
#include <net/route.h>
#include <net/inet_common.h>
#include <net/tcp_states.h>
#include <net/transp_v6.h>

#include "xtcp.h"
#include "xtcp_buf.h"

static bool xtcp_can_send(const struct xtcp_sock *xs)
{
	return xs->tcb.state == XTCP_ESTABLISHED ||
	       xs->tcb.state == XTCP_CLOSE_WAIT;
}

/*
 * The write queue's tail skb when it takes more bytes (below its goal,
 * and a fragment free or @page at @poff continuing its last one; never
 * when @fresh: its fragments proved full), else a new skb queued; NULL:
 * wait for memory. @want: the bytes still to queue.
 */
static struct sk_buff *xtcp_wq_tail(struct sock *sk, struct page *page,
				    unsigned int poff, size_t want, bool fresh)
{
	struct sk_buff *skb = skb_peek_tail(&sk->sk_write_queue);
	int goal = xtcp_buf_wq_goal(sk->sk_sndbuf);

	if (skb && !fresh && skb->len < goal) {
		int i = skb_shinfo(skb)->nr_frags;

		if (i < MAX_SKB_FRAGS ||
		    (page && skb_can_coalesce(skb, i, page, poff)))
			return skb;
	}
	if (!sk_stream_memory_free(sk))
		return NULL;
	skb = alloc_skb(0, sk->sk_allocation | __GFP_NOWARN);
	/* sndbuf, or the proto's limits (net.xtcp.mem): wait for memory as
	 * sk_stream_wait_memory() does, never ENOBUFS. Memory for the skb's
	 * bytes is asked for at once, as for one linear skb: above the
	 * limits suppress_allocation() forces a request that crosses
	 * sk_sndbuf, not the small ones of each write
	 */
	if (!skb ||
	    (!sk_wmem_schedule(sk, skb->truesize + min_t(size_t, want, goal)) &&
	     xtcp_wmem_schedule(sk, skb->truesize) < skb->truesize)) {
		kfree_skb(skb);
		return NULL;
	}
	/* no software checksum while copying in */
	skb->ip_summed = CHECKSUM_PARTIAL;
	__skb_queue_tail(&sk->sk_write_queue, skb);
	sk_wmem_queued_add(sk, skb->truesize);
	sk_mem_charge(sk, skb->truesize);
	return skb;
}

/*
 * Copy @n bytes of the user's into the socket's page fragment, at the end
 * of @skb, as tcp_sendmsg_locked(): small writes fill the tail skb's last
 * fragment. Returns the bytes queued, 0 to wait for memory, or an errno.
 */
static int xtcp_wq_copy_in(struct sock *sk, struct sk_buff *skb,
			   struct page_frag *pfrag, struct msghdr *msg,
			   size_t n)
{
	int i = skb_shinfo(skb)->nr_frags;
	bool merge = skb_can_coalesce(skb, i, pfrag->page, pfrag->offset);
	int err;

	if (!merge && i >= MAX_SKB_FRAGS)
		return -EMSGSIZE;
	n = min_t(size_t, n, pfrag->size - pfrag->offset);
	n = xtcp_wmem_schedule(sk, n);
	if (!n)
		return 0;
	/* len, data_len, truesize, sk_wmem_queued and the charge */
	err = skb_copy_to_page_nocache(sk, &msg->msg_iter, skb, pfrag->page,
				       pfrag->offset, n);
	if (err)
		return err;
	if (merge) {
		skb_frag_size_add(&skb_shinfo(skb)->frags[i - 1], n);
	} else {
		skb_fill_page_desc(skb, i, pfrag->page, pfrag->offset, n);
		get_page(pfrag->page);
	}
	pfrag->offset += n;
	return n;
}

/*
 * splice()/sendfile(): @n bytes of @page at @poff (6.1's sendpage), or
 * of the pages of @msg's iterator (MSG_SPLICE_PAGES), referenced at the
 * end of @skb, not copied, as do_tcp_sendpages() / tcp_sendmsg_locked().
 * The pages may change later (a file written): SKBFL_SHARED_FRAG.
 */
static int xtcp_wq_splice_in(struct sock *sk, struct sk_buff *skb,
			     struct page *page, unsigned int poff,
			     struct msghdr *msg, size_t n)
{
	int i = skb_shinfo(skb)->nr_frags;
	ssize_t got;

	n = xtcp_wmem_schedule(sk, n);
	if (!n)
		return 0;
	if (!page) {
		got = xtcp_splice_from_iter(skb, &msg->msg_iter, n,
					    sk->sk_allocation);
		if (got < 0)
			return got;
		n = got;
	} else if (skb_can_coalesce(skb, i, page, poff)) {
		skb_frag_size_add(&skb_shinfo(skb)->frags[i - 1], n);
		skb_len_add(skb, n);
	} else {
		if (i >= MAX_SKB_FRAGS)
			return -EMSGSIZE;
		get_page(page);
		skb_fill_page_desc(skb, i, page, poff, n);
		skb_len_add(skb, n);
	}
	skb_shinfo(skb)->flags |= SKBFL_SHARED_FRAG;
	sk_wmem_queued_add(sk, n);
	sk_mem_charge(sk, n);
	XTCP_ADD_STATS(xtcp_pernet(sock_net(sk)), XTCP_MIB_OUTSPLICEBYTES, n);
	return n;
}

/*
 * SEND (RFC 9293 §3.10.2): @len bytes of @msg into the write queue,
 * copied once (user memory), or referenced (@page: 6.1's sendpage;
 * MSG_SPLICE_PAGES), then handed to the core.
 */
static int xtcp_send_locked(struct sock *sk, struct msghdr *msg,
			    size_t len, struct page *page, unsigned int poff)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	bool splice = page || xtcp_msg_splice_pages(msg);
	size_t copied = 0;
	bool fresh = false;
	long timeo;
	int err = 0;

	timeo = sock_sndtimeo(sk, msg->msg_flags & MSG_DONTWAIT);
	if (xs->tcb.state == XTCP_SYN_SENT ||
	    xs->tcb.state == XTCP_SYN_RECEIVED) {
		err = xtcp_wait_connect(sk, &timeo);
		if (err == -EINPROGRESS)
			err = -EAGAIN;
		if (err)
			goto out;
	}

	while (copied < len) {
		struct page_frag *pfrag = NULL;
		struct sk_buff *skb;
		size_t n;
		int got;

		if (sk->sk_err) {
			err = sock_error(sk);
			break;
		}
		if ((sk->sk_shutdown & SEND_SHUTDOWN) || !xtcp_can_send(xs)) {
			err = -EPIPE;	/* as Linux, also when never connected */
			break;
		}
		/* segments sent later refer to the queued pages instead of
		 * copying them (xtcp_wq_ref())
		 */
		if (!splice) {
			pfrag = sk_page_frag(sk);
			if (!sk_page_frag_refill(sk, pfrag))
				goto wait;
		}
		skb = xtcp_wq_tail(sk, splice ? page : pfrag->page,
				   splice ? poff + copied : pfrag->offset,
				   len - copied, fresh);
		if (!skb)
			goto wait;
		n = min_t(size_t, len - copied,
			  xtcp_buf_wq_goal(sk->sk_sndbuf) - skb->len);
		if (splice)
			got = xtcp_wq_splice_in(sk, skb, page, poff + copied,
						msg, n);
		else
			got = xtcp_wq_copy_in(sk, skb, pfrag, msg, n);
		/* the tail's fragments are full (skb_splice_from_iter()
		 * stops at net.core.max_skb_frags): a new skb, as
		 * tcp_sendmsg_locked()'s new_segment
		 */
		fresh = got == -EMSGSIZE && skb->len;
		if (fresh)
			continue;
		if (got < 0) {
			err = got;
			if (!skb->len) {
				__skb_unlink(skb, &sk->sk_write_queue);
				xtcp_wmem_free_skb(sk, skb);
			}
			break;
		}
		if (!got)
			goto wait;
		xs->tcb.snd_end += got;
		copied += got;
		if (copied == len || !sk_stream_memory_free(sk)) {
			unsigned int how = 0;

			/* MSG_MORE holds a partial segment (tcp_push);
			 * MSG_OOB: the last byte queued is urgent and goes
			 * now (tcp_mark_urg, tcp_nagle_test)
			 */
			if (msg->msg_flags & MSG_OOB) {
				xtcp_urg_mark(&xs->tcb.urg, xs->tcb.snd_end);
				how = XTCP_SEND_PUSH;
			} else if (copied == len &&
				   (msg->msg_flags & MSG_MORE)) {
				how = XTCP_SEND_MORE;
			}
			xtcp_core_send(&xs->tcb, how);
			xtcp_after_core(sk);
		}
		continue;
wait:
		set_bit(SOCK_NOSPACE, &sk->sk_socket->flags);
		/* as tcp_sendmsg(): what is queued goes before sleeping */
		if ((msg->msg_flags & MSG_OOB) && copied)
			xtcp_urg_mark(&xs->tcb.urg, xs->tcb.snd_end);
		xtcp_core_send(&xs->tcb, XTCP_SEND_PUSH);
		xtcp_after_core(sk);
		err = sk_stream_wait_memory(sk, &timeo);
		if (err)
			break;
	}
out:
	if (copied)
		return copied;
	if (err == -EPIPE && !(msg->msg_flags & MSG_NOSIGNAL))
		send_sig(SIGPIPE, current, 0);
	return err;
}

int xtcp_sendmsg(struct socket *sock, struct msghdr *msg, size_t len)
{
	struct sock *sk = sock->sk;
	int ret;

	lock_sock(sk);
	ret = xtcp_send_locked(sk, msg, len, NULL, 0);
	release_sock(sk);
	return ret;
}

/**
 * xtcp_send_page() - proto_ops.sendpage before 6.5 (xtcp_compat.h): one
 *	page of a splice()/sendfile(), referenced in the write queue
 * @sock: the socket
 * @page: the page
 * @offset: where in @page the bytes start
 * @size: how many
 * @flags: MSG_*; MSG_MORE holds a partial segment
 *
 * Return: the bytes queued, or an errno
 */
int xtcp_send_page(struct socket *sock, struct page *page, int offset,
		   size_t size, int flags)
{
	struct msghdr msg = { .msg_flags = flags };
	struct sock *sk = sock->sk;
	int ret;

	lock_sock(sk);
	ret = xtcp_send_locked(sk, &msg, size, page, offset);
	release_sock(sk);
	return ret;
}

bool xtcp_eof(const struct sock *sk)
{
	return (xtcp_sk(sk)->tcb.fl & XTCP_F_FIN_RCVD) ||
	       (sk->sk_shutdown & RCV_SHUTDOWN);
}

int xtcp_recvmsg(struct socket *sock, struct msghdr *msg, size_t len,
		 int flags)
{
	DEFINE_WAIT_FUNC(wait, woken_wake_function);
	struct sock *sk = sock->sk;
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct xtcp_urg *urg = &xs->tcb.urg;
	bool inl = sock_flag(sk, SOCK_URGINLINE);
	bool peek = flags & MSG_PEEK;
	size_t copied = 0;
	u32 skip = 0, hole = 0;
	long timeo;
	int target, err = 0;

	if (flags & MSG_ERRQUEUE)
		return -EINVAL;

	lock_sock(sk);
	if (xs->listening) {
		err = -ENOTCONN;
		goto out;
	}
	if (flags & MSG_OOB) {
		err = xtcp_recv_urg(sk, msg, len, flags);
		goto out;
	}
	timeo = sock_rcvtimeo(sk, flags & MSG_DONTWAIT);
	target = sock_rcvlowat(sk, flags & MSG_WAITALL, len);
	/* SO_PEEK_OFF: a peek starts that far into the unread bytes */
	if (peek)
		skip = max(sk_peek_offset(sk, flags), 0);
	add_wait_queue(sk_sleep(sk), &wait);
	while (copied < len) {
		struct sk_buff *skb;
		u32 off = xs->rx_off + skip; /* only the head is partly read */
		bool got = false, mark = false;

		skb_queue_walk(&sk->sk_receive_queue, skb) {
			struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
			u32 n;
again:
			if (off >= cb->seg.len) {	/* peeked past */
				off -= cb->seg.len;
				continue;
			}
			n = min_t(size_t, cb->seg.len - off, len - copied);
			/* urgent data, as tcp_recvmsg(): a read stops at the
			 * mark; there the byte is skipped unless inline
			 */
			if (unlikely(urg->data)) {
				u32 pos = xs->copied_seq +
					  (peek ? skip + copied + hole : 0);
				bool skip1;

				if (copied && xtcp_urg_stop(urg, pos)) {
					mark = true;
					break;
				}
				n = xtcp_urg_read_len(urg, pos, n, inl, &skip1);
				if (skip1 && peek) {
					hole++;
					off++;
					goto again;
				}
				if (skip1) {
					xtcp_rcv_consume(sk, 1);
					got = true;
					if (skb_peek(&sk->sk_receive_queue) != skb)
						break;
					off++;
					goto again;
				}
			}
			/* MSG_TRUNC: the bytes are consumed, not copied, as
			 * tcp_recvmsg() does
			 */
			if (!(flags & MSG_TRUNC) &&
			    skb_copy_datagram_msg(skb, cb->doff + off, msg,
						  n)) {
				err = -EFAULT;
				break;
			}
			copied += n;
			got = true;
			if (!peek) {
				xtcp_rcv_consume(sk, n);
				break;
			}
			off = 0;
			if (copied == len)
				break;
		}
		if (peek && got)
			sk_peek_offset_fwd(sk, copied);
		if (err || (peek && got) || mark)
			break;
		if (got)
			continue;

		if (copied >= target)
			break;
		if (copied && (sk->sk_err || xtcp_eof(sk) ||
			       signal_pending(current)))
			break;
		/* as tcp_recvmsg(): the peer's FIN, then an error (a reset
		 * also shuts the socket down), then a local shutdown
		 */
		if (xs->tcb.fl & XTCP_F_FIN_RCVD)
			break;
		if (sk->sk_err) {
			err = sock_error(sk);
			break;
		}
		if (sk->sk_shutdown & RCV_SHUTDOWN)
			break;
		if (xs->tcb.state == XTCP_CLOSED) {
			if (!xs->was_connected)
				err = -ENOTCONN;
			break;
		}
		err = xtcp_wait_check(timeo);
		if (err)
			break;
		if (copied) {
			xtcp_rcv_space_adjust(sk);
			xtcp_core_recvd(&xs->tcb);
			xtcp_after_core(sk);
		}
		sk_wait_event(sk, &timeo,
			      !skb_queue_empty(&sk->sk_receive_queue) ||
			      READ_ONCE(sk->sk_err) || xtcp_eof(sk) ||
			      xs->tcb.state == XTCP_CLOSED, &wait);
	}
	remove_wait_queue(sk_sleep(sk), &wait);
	if (!peek)
		xtcp_mem_reclaim(sk);
	if (copied && !peek) {
		xtcp_rcv_space_adjust(sk);
		xtcp_core_recvd(&xs->tcb);
		xtcp_after_core(sk);
	}
out:
	release_sock(sk);
	return copied ? copied : err;
}
