/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * XTCP user-space API: the one definition shared by the module and tools.
 *
 * AF_XTCP is 19, the number of AF_ECONET: Econet was removed from Linux in
 * 3.5 and no 6.1 or 6.12 kernel registers family 19, while numbers must be
 * below AF_MAX (46) for sock_register(). The module refuses to load with a
 * clear message if some other module took it first.
 *
 * An AF_XTCP socket uses ordinary struct sockaddr_in / sockaddr_in6
 * addresses. Its IP version is fixed by the first bind() or connect():
 * AF_INET or AF_INET6 in sa_family (an unbound socket is IPv4).
 */
#ifndef _UAPI_XTCP_H
#define _UAPI_XTCP_H

#include <linux/types.h>
#include <linux/inet_diag.h>

#define AF_XTCP		19
#define PF_XTCP		AF_XTCP

/* Socket option level for XTCP specific options. */
#define SOL_XTCP	290

/* getsockopt(SOL_XTCP, XTCP_INFO): struct xtcp_info */
#define XTCP_INFO	1

/* RFC 9293 §3.3.2 connection states, as reported in xtcp_info.state */
enum xtcp_state {
	XTCP_CLOSED = 0,
	XTCP_LISTEN,
	XTCP_SYN_SENT,
	XTCP_SYN_RECEIVED,
	XTCP_ESTABLISHED,
	XTCP_FIN_WAIT_1,
	XTCP_FIN_WAIT_2,
	XTCP_CLOSE_WAIT,
	XTCP_CLOSING,
	XTCP_LAST_ACK,
	XTCP_TIME_WAIT,
	XTCP_NSTATES
};

struct xtcp_info {
	__u32 state;		/* enum xtcp_state */
	__u32 snd_mss;		/* MSS used for sending */
	__u32 rcv_mss;		/* MSS advertised to the peer */
	__u32 snd_una;		/* relative to ISS */
	__u32 snd_nxt;		/* relative to ISS */
	__u32 rcv_nxt;		/* relative to IRS */
	__u32 snd_wnd;		/* peer's window, bytes */
	__u32 rcv_wnd;		/* our window, bytes */
	__u32 cwnd;		/* congestion window, bytes */
	__u32 ssthresh;		/* bytes */
	__u32 srtt_us;		/* smoothed RTT (RFC 6298) */
	__u32 rttvar_us;
	__u32 rto_ms;		/* current RTO including backoff */
	__u32 retransmits;	/* segments retransmitted */
	__u32 backoff;		/* consecutive timeouts */
	__u8 snd_wscale;
	__u8 rcv_wscale;
	__u16 pad;
	__u64 bytes_sent;
	__u64 bytes_acked;
	__u64 bytes_received;
	/* loss recovery */
	__u32 sacked;		/* bytes SACKed, above snd_una */
	__u32 lost;		/* bytes deemed lost, not yet repaired */
	__u32 retrans;		/* bytes retransmitted, in flight */
	__u32 reordering;	/* reordering degree seen, segments */
	__u32 min_rtt_us;	/* RACK.min_RTT */
	__u32 ca_state;		/* 0 open, 1 fast recovery, 2 after RTO */
	__u64 delivery_rate;	/* bytes per second, last sample */
	__u64 lost_total;	/* bytes ever deemed lost */
};

/*
 * sock_diag (NETLINK_SOCK_DIAG): a SOCK_DIAG_BY_FAMILY request with
 * sdiag_family AF_XTCP, laid out as Linux's struct inet_diag_req_v2 with
 * its pad byte naming the address family to list (0: both). NLM_F_DUMP
 * lists every socket and TIME-WAIT entry of the caller's netns whose
 * Linux state (TCP_ESTABLISHED...) has its bit in xdiag_states (0: all);
 * without NLM_F_DUMP, the one socket whose 4-tuple (and cookie, unless
 * INET_DIAG_NOCOOKIE) is in @id. Each reply is a struct inet_diag_msg
 * (idiag_family AF_INET or AF_INET6, state in Linux's numbering) with
 * INET_DIAG_SHUTDOWN and XTCP_DIAG_STATE, plus INET_DIAG_INFO (Linux's
 * struct tcp_info), INET_DIAG_CONG (congestion control name),
 * INET_DIAG_MEMINFO and INET_DIAG_SKMEMINFO (sk_meminfo, as `ss -m`)
 * when their bits, 1 << (attribute - 1), are in xdiag_ext. SOCK_DESTROY
 * with the same request (xdiag_family and @id set) aborts the socket or
 * TIME-WAIT entry of that 4-tuple as `ss -K` does for TCP: 0, ENOENT
 * (none), EPERM (no CAP_NET_ADMIN in its netns). tools/xtcp-ss.c is a
 * client.
 */
struct xtcp_diag_req {
	__u8 sdiag_family;	/* AF_XTCP */
	__u8 sdiag_protocol;	/* 0 or IPPROTO_TCP */
	__u8 xdiag_ext;		/* INET_DIAG_INFO, _CONG, _MEMINFO, _SKMEMINFO */
	__u8 xdiag_family;	/* AF_INET, AF_INET6 or 0 for both */
	__u32 xdiag_states;	/* 1 << TCP_ESTABLISHED ...; 0: all */
	struct inet_diag_sockid id;	/* exact request: the 4-tuple */
};

/* reply attribute beyond the INET_DIAG_* ones: the RFC 9293 state */
#define XTCP_DIAG_STATE		128
struct xtcp_diag_state {
	__u32 state;		/* enum xtcp_state */
	char name[16];		/* "SYN-RECEIVED", NUL-terminated */
};

#endif /* _UAPI_XTCP_H */
