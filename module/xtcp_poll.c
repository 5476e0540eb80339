// SPDX-License-Identifier: GPL-2.0
/*
 * XTCP poll/select/epoll readiness.
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

/* Enough queued for a reader, as tcp_stream_is_readable(): SO_RCVLOWAT
 * bytes (the default, 1, is any data)
 */
static bool xtcp_readable(const struct sock *sk)
{
	const struct xtcp_sock *xs = xtcp_sk(sk);
	u32 n = READ_ONCE(xs->rcvq_bytes);

	/* an urgent byte at the reader is not data unless inline */
	return n && n >= xtcp_urg_rcv_target(&xs->tcb.urg,
					     READ_ONCE(xs->copied_seq),
					     sock_flag(sk, SOCK_URGINLINE),
					     max(READ_ONCE(sk->sk_rcvlowat), 1));
}

__poll_t xtcp_poll(struct file *file, struct socket *sock,
		   poll_table *wait)
{
	struct sock *sk = sock->sk;
	struct xtcp_sock *xs = xtcp_sk(sk);
	unsigned int state = READ_ONCE(xs->tcb.state);
	u8 shutdown;
	__poll_t mask = 0;

	sock_poll_wait(file, sock, wait);
	if (xs->listening)
		return xtcp_acceptq_len(xs) ? EPOLLIN | EPOLLRDNORM : 0;

	shutdown = READ_ONCE(sk->sk_shutdown);
	/* the peer's FIN counts as RCV_SHUTDOWN, which Linux's tcp_fin()
	 * sets: after our SHUT_WR it makes HUP, whatever state the
	 * connection is in by now (seen on the debug kernel: IN|RDHUP only)
	 */
	if (xtcp_eof(sk))
		shutdown |= RCV_SHUTDOWN;
	if (shutdown == SHUTDOWN_MASK || state == XTCP_CLOSED)
		mask |= EPOLLHUP;
	if (shutdown & RCV_SHUTDOWN)
		mask |= EPOLLIN | EPOLLRDNORM | EPOLLRDHUP;
	if (state != XTCP_SYN_SENT && state != XTCP_SYN_RECEIVED) {
		if (xtcp_readable(sk))
			mask |= EPOLLIN | EPOLLRDNORM;
		if (!(shutdown & SEND_SHUTDOWN)) {
			if (sk_stream_is_writeable(sk)) {
				mask |= EPOLLOUT | EPOLLWRNORM;
			} else {
				sk_set_bit(SOCKWQ_ASYNC_NOSPACE, sk);
				set_bit(SOCK_NOSPACE, &sk->sk_socket->flags);
				/* NOSPACE before re-reading the space,
				 * as tcp_poll() does
				 */
				smp_mb__after_atomic();
				if (sk_stream_is_writeable(sk))
					mask |= EPOLLOUT | EPOLLWRNORM;
			}
		} else {
			mask |= EPOLLOUT | EPOLLWRNORM;
		}
	}
	if (xtcp_urg_pri(&xs->tcb.urg))
		mask |= EPOLLPRI;
	if (READ_ONCE(sk->sk_err))
		mask |= EPOLLERR;
	return mask;
}
