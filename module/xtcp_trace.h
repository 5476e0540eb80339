/* SPDX-License-Identifier: GPL-2.0 */
/*
 * XTCP tracepoints: xtcp:xtcp_state fires on every RFC 9293 state change
 * of a socket or TIME-WAIT object (see /sys/kernel/tracing/events/xtcp).
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

#endif /* _XTCP_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#define TRACE_INCLUDE_FILE xtcp_trace
#include <trace/define_trace.h>
