/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The IPPROTO_TCP socket options with Linux's names, values and checks,
 * and TCP_INFO filled from a TCB: pure functions (no socket, lock or skb),
 * KUnit-tested in kunit/xtcp_tcpopt_test.c.
 */
#ifndef _XTCP_TCPOPT_H
#define _XTCP_TCPOPT_H

#include <linux/types.h>
#include <linux/tcp.h>

#include "xtcp_core.h"

/* Linux's defaults and limits (include/net/tcp.h) */
#define XTCP_MSS_DEFAULT	536
#define XTCP_MIN_MSS		88
#define XTCP_MAX_WINDOW		32767	/* MAX_TCP_WINDOW: TCP_MAXSEG bound */
#define XTCP_MAX_KEEPIDLE	32767
#define XTCP_MAX_KEEPINTVL	32767
#define XTCP_MAX_KEEPCNT	127
#define XTCP_MAX_SYNCNT		127
#define XTCP_KEEPIDLE_DEFAULT	7200	/* s, tcp_keepalive_time */
#define XTCP_KEEPINTVL_DEFAULT	75	/* s, tcp_keepalive_intvl */
#define XTCP_KEEPCNT_DEFAULT	9	/* tcp_keepalive_probes */
#define XTCP_FIN_TIMEOUT_MAX	120	/* s, TCP_FIN_TIMEOUT_MAX */
#define XTCP_INFINITE_SSTHRESH	0x7fffffff
#define XTCP_MIN_RCVBUF_HALF	1152	/* SOCK_MIN_RCVBUF / 2 on x86_64 */

/**
 * struct xtcp_tcpopts - per-socket IPPROTO_TCP option values
 *
 * Zero means "not set": the getter then reports the default Linux would.
 * Passive children copy their listener's values, as Linux's clone does.
 */
struct xtcp_tcpopts {
	const struct xtcp_cc_ops *cc;	/* congestion control in force */
	bool cc_set;			/* chosen with TCP_CONGESTION */
	u32 keepidle;		/* s */
	u32 keepintvl;		/* s */
	u32 user_timeout;	/* ms */
	u32 window_clamp;	/* bytes */
	u32 notsent_lowat;	/* bytes */
	u32 defer_accept;	/* retransmissions, as Linux stores it */
	int linger2;		/* s; -1: no FIN-WAIT-2 wait; 0: sysctl */
	u16 user_mss;
	u8 keepcnt;
	u8 syncnt;
	u8 nodelay:1,
	   cork:1,
	   quickack:1,
	   inq:1,
	   quickack_set:1;
};

int xtcp_tcpopt_set(struct xtcp_tcpopts *o, int optname, int val,
		    bool closed);
int xtcp_tcpopt_get(const struct xtcp_tcpopts *o, const struct xtcp_tcb *tcb,
		    int optname, int *val);
void xtcp_tcpopt_apply(const struct xtcp_tcpopts *o, struct xtcp_tcb *tcb);
void xtcp_tcpopt_apply_sender(const struct xtcp_tcpopts *o,
			      struct xtcp_tcb *tcb);
void xtcp_tcpinfo_fill(const struct xtcp_tcb *tcb, struct tcp_info *ti);

#endif /* _XTCP_TCPOPT_H */
