// SPDX-License-Identifier: GPL-2.0
/*
 * XTCP shutdown and close (RFC 9293 §3.10.4 CLOSE, §3.10.5 ABORT),
 * SO_LINGER.
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

int xtcp_shutdown(struct socket *sock, int how)
{
	struct sock *sk = sock->sk;
	struct xtcp_sock *xs = xtcp_sk(sk);
	int err = 0;

	how++;	/* SHUT_RD/WR/RDWR -> RCV_SHUTDOWN/SEND_SHUTDOWN/both */
	if ((how & ~SHUTDOWN_MASK) || !how)
		return -EINVAL;

	lock_sock(sk);
	if (sock->state == SS_CONNECTING &&
	    (xs->tcb.state == XTCP_SYN_SENT ||
	     xs->tcb.state == XTCP_SYN_RECEIVED ||
	     xs->tcb.state == XTCP_CLOSED))
		sock->state = SS_DISCONNECTING;
	else if (sock->state == SS_CONNECTING)
		sock->state = SS_CONNECTED;

	if (xs->listening) {
		if (how & RCV_SHUTDOWN) {
			xtcp_unhash(sk);
			xtcp_listen_stop(sk);
			xtcp_core_close(&xs->tcb);
		}
	} else if (xs->tcb.state == XTCP_CLOSED) {
		err = -ENOTCONN;
	} else {
		WRITE_ONCE(sk->sk_shutdown, sk->sk_shutdown | how);
		if (how & SEND_SHUTDOWN) {
			xtcp_core_close(&xs->tcb);
			xtcp_after_core(sk);
		}
	}
	sk->sk_state_change(sk);
	release_sock(sk);
	return err;
}

static void xtcp_linger_wait(struct sock *sk)
{
	DEFINE_WAIT_FUNC(wait, woken_wake_function);
	struct xtcp_sock *xs = xtcp_sk(sk);
	long timeo = sk->sk_lingertime;

	add_wait_queue(sk_sleep(sk), &wait);
	while (timeo && !signal_pending(current) &&
	       xs->tcb.state != XTCP_CLOSED &&
	       !(xs->tcb.fl & XTCP_F_FIN_SENT && xs->tcb.snd_una == xs->tcb.snd_nxt))
		sk_wait_event(sk, &timeo, xs->tcb.state == XTCP_CLOSED ||
			      (xs->tcb.fl & XTCP_F_FIN_SENT &&
			       xs->tcb.snd_una == xs->tcb.snd_nxt), &wait);
	remove_wait_queue(sk_sleep(sk), &wait);
}

/* CLOSE (§3.10.4) from close(2) */
int xtcp_release(struct socket *sock)
{
	struct sock *sk = sock->sk;
	struct xtcp_sock *xs;

	if (!sk)
		return 0;
	xs = xtcp_sk(sk);
	lock_sock(sk);
	WRITE_ONCE(sk->sk_shutdown, SHUTDOWN_MASK);
	xs->tcb.fl |= XTCP_F_ORPHAN;
	if (xs->listening) {
		xtcp_unhash(sk);
		xtcp_listen_stop(sk);
		xtcp_core_close(&xs->tcb);
	} else if (xs->tcb.state != XTCP_CLOSED) {
		/* unread data or SO_LINGER 0: abort (RFC 9293 §3.10.4, as
		 * Linux's tcp_close)
		 */
		if (!skb_queue_empty(&sk->sk_receive_queue) ||
		    (sock_flag(sk, SOCK_LINGER) && !sk->sk_lingertime)) {
			xtcp_core_abort(&xs->tcb);
		} else {
			xtcp_core_close(&xs->tcb);
		}
		xtcp_after_core(sk);
		if (sock_flag(sk, SOCK_LINGER) && sk->sk_lingertime)
			xtcp_linger_wait(sk);
	}
	__skb_queue_purge(&sk->sk_receive_queue);
	xtcp_ofo_purge(sk);
	xs->rx_off = 0;
	WRITE_ONCE(xs->rcvq_bytes, 0);
	sock_orphan(sk);
	if (xs->tcb.state != XTCP_CLOSED && !xs->listening) {
		/* an orphan now; too many, or no memory: reset instead */
		xtcp_orphan_inc(sk);
		if (xtcp_check_oom(sk)) {
			xtcp_core_abort(&xs->tcb);
			XTCP_INC_STATS(xtcp_pernet(sock_net(sk)),
				       XTCP_MIB_ABORTONMEMORY);
		}
	}
	if (xs->tcb.state == XTCP_CLOSED) {
		xtcp_done(sk);
		xtcp_unbind(sk);
	}
	release_sock(sk);
	sock->sk = NULL;
	sock_put(sk);
	return 0;
}
