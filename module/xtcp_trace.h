/* SPDX-License-Identifier: GPL-2.0 */
/*
 * XTCP tracepoints (see /sys/kernel/tracing/events/xtcp):
 * xtcp:xtcp_state on every RFC 9293 state change of a socket or TIME-WAIT
 * object; xtcp:xtcp_segment_send / xtcp:xtcp_segment_recv for every
 * segment a connection sends or the core is given; xtcp:xtcp_timer when a
 * timer is armed, fires or is stopped. tools/xtcp-ladder draws them.
 * Fixed-size fields only (no __string), so one header fits 6.1 and 6.12.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM xtcp

#if !defined(_XTCP_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _XTCP_TRACE_H

#include <linux/tracepoint.h>
#include <linux/in6.h>
#include <net/ipv6.h>

#define xtcp_show_state(s)						\
	__print_symbolic(s, { 0, "CLOSED" }, { 1, "LISTEN" },		\
			 { 2, "SYN-SENT" }, { 3, "SYN-RECEIVED" },	\
			 { 4, "ESTABLISHED" }, { 5, "FIN-WAIT-1" },	\
			 { 6, "FIN-WAIT-2" }, { 7, "CLOSE-WAIT" },	\
			 { 8, "CLOSING" }, { 9, "LAST-ACK" },		\
			 { 10, "TIME-WAIT" })

#ifndef _XTCP_TRACE_HELPERS
#define _XTCP_TRACE_HELPERS
/* IPv4 as v4-mapped, so one format prints both families */
static inline void xtcp_trace_addr(u8 *to, u16 family, const void *a)
{
	if (family == AF_INET6)
		memcpy(to, a, sizeof(struct in6_addr));
	else
		ipv6_addr_set_v4mapped(*(const __be32 *)a,
				       (struct in6_addr *)to);
}

/* xtcp_timer actions */
#define XTCP_TIMER_ARM		0
#define XTCP_TIMER_FIRE		1
#define XTCP_TIMER_STOP		2
#endif

TRACE_EVENT(xtcp_state,
	    TP_PROTO(const struct xtcp_tuple *t, int oldstate, int newstate),
	    TP_ARGS(t, oldstate, newstate),
	    TP_STRUCT__entry(__array(u8, saddr, 16)
			     __array(u8, daddr, 16)
			     __field(u16, sport)
			     __field(u16, dport)
			     __field(int, oldstate)
			     __field(int, newstate)),
	    TP_fast_assign(xtcp_trace_addr(__entry->saddr, t->family,
					   &t->laddr);
			   xtcp_trace_addr(__entry->daddr, t->family,
					   &t->raddr);
			   __entry->sport = ntohs(t->lport);
			   __entry->dport = ntohs(t->rport);
			   __entry->oldstate = oldstate;
			   __entry->newstate = newstate),
	    TP_printk("[%pI6c]:%u -> [%pI6c]:%u %s -> %s",
		      __entry->saddr, __entry->sport, __entry->daddr,
		      __entry->dport, xtcp_show_state(__entry->oldstate),
		      xtcp_show_state(__entry->newstate))
);

#define xtcp_show_flags(f)						\
	__print_flags(f, ",", { 0x02, "SYN" }, { 0x01, "FIN" },		\
		      { 0x04, "RST" }, { 0x08, "PSH" }, { 0x10, "ACK" },	\
		      { 0x20, "URG" }, { 0x40, "ECE" }, { 0x80, "CWR" })

/*
 * One segment; the tuple is local side first. For a send @oldstate and
 * @newstate are both the state it is sent in; for a receive they are the
 * states before and after the core processed it.
 */
DECLARE_EVENT_CLASS(xtcp_segment,
		    TP_PROTO(const struct xtcp_tuple *t, u32 seq, u32 ack, u16 flags,
			     u16 wnd, u32 len, u16 mss, s8 wscale, bool rtx,
			     int oldstate, int newstate),
		    TP_ARGS(t, seq, ack, flags, wnd, len, mss, wscale, rtx, oldstate,
			    newstate),
		    TP_STRUCT__entry(__array(u8, saddr, 16)
				     __array(u8, daddr, 16)
				     __field(u16, sport)
				     __field(u16, dport)
				     __field(u32, seq)
				     __field(u32, ack)
				     __field(u16, flags)
				     __field(u16, wnd)
				     __field(u32, len)
				     __field(u16, mss)
				     __field(s8, wscale)
				     __field(u8, rtx)
				     __field(int, oldstate)
				     __field(int, newstate)),
		    TP_fast_assign(xtcp_trace_addr(__entry->saddr, t->family,
						   &t->laddr);
				   xtcp_trace_addr(__entry->daddr, t->family,
						   &t->raddr);
				   __entry->sport = ntohs(t->lport);
				   __entry->dport = ntohs(t->rport);
				   __entry->seq = seq;
				   __entry->ack = ack;
				   __entry->flags = flags & 0xff; /* no IP ECN */
				   __entry->wnd = wnd;
				   __entry->len = len;
				   __entry->mss = mss;
				   __entry->wscale = wscale;
				   __entry->rtx = rtx;
				   __entry->oldstate = oldstate;
				   __entry->newstate = newstate),
		    TP_printk("[%pI6c]:%u -> [%pI6c]:%u flags=%s seq=%u ack=%u win=%u len=%u mss=%u wscale=%d rtx=%u %s -> %s",
			      __entry->saddr, __entry->sport, __entry->daddr,
			      __entry->dport, xtcp_show_flags(__entry->flags),
			      __entry->seq, __entry->ack, __entry->wnd, __entry->len,
			      __entry->mss, __entry->wscale, __entry->rtx,
			      xtcp_show_state(__entry->oldstate),
			      xtcp_show_state(__entry->newstate))
);

DEFINE_EVENT(xtcp_segment, xtcp_segment_send,
	     TP_PROTO(const struct xtcp_tuple *t, u32 seq, u32 ack, u16 flags,
		      u16 wnd, u32 len, u16 mss, s8 wscale, bool rtx,
		      int oldstate, int newstate),
	     TP_ARGS(t, seq, ack, flags, wnd, len, mss, wscale, rtx, oldstate,
		     newstate));

DEFINE_EVENT(xtcp_segment, xtcp_segment_recv,
	     TP_PROTO(const struct xtcp_tuple *t, u32 seq, u32 ack, u16 flags,
		      u16 wnd, u32 len, u16 mss, s8 wscale, bool rtx,
		      int oldstate, int newstate),
	     TP_ARGS(t, seq, ack, flags, wnd, len, mss, wscale, rtx, oldstate,
		     newstate));

#define xtcp_show_timer(t)						\
	__print_symbolic(t, { 0, "retransmit" }, { 1, "delayed-ack" },	\
			 { 2, "persist" }, { 3, "fin-wait-2" },		\
			 { 4, "time-wait" })

/* @ms: the duration armed (0 on fire and stop) */
TRACE_EVENT(xtcp_timer,
	    TP_PROTO(const struct xtcp_tuple *t, int timer, int action, u32 ms),
	    TP_ARGS(t, timer, action, ms),
	    TP_STRUCT__entry(__array(u8, saddr, 16)
			     __array(u8, daddr, 16)
			     __field(u16, sport)
			     __field(u16, dport)
			     __field(int, timer)
			     __field(int, action)
			     __field(u32, ms)),
	    TP_fast_assign(xtcp_trace_addr(__entry->saddr, t->family,
					   &t->laddr);
			   xtcp_trace_addr(__entry->daddr, t->family,
					   &t->raddr);
			   __entry->sport = ntohs(t->lport);
			   __entry->dport = ntohs(t->rport);
			   __entry->timer = timer;
			   __entry->action = action;
			   __entry->ms = ms),
	    TP_printk("[%pI6c]:%u -> [%pI6c]:%u %s %s ms=%u",
		      __entry->saddr, __entry->sport, __entry->daddr,
		      __entry->dport, xtcp_show_timer(__entry->timer),
		      __print_symbolic(__entry->action, { 0, "arm" },
				       { 1, "fire" }, { 2, "stop" }),
		      __entry->ms)
);

#endif /* _XTCP_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#define TRACE_INCLUDE_FILE xtcp_trace
#include <trace/define_trace.h>
