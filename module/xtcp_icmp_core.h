/* SPDX-License-Identifier: GPL-2.0 */
/*
 * XTCP ICMP decisions (RFC 1122 §4.2.3.9, RFC 1191, RFC 8201, RFC 5927):
 * what an ICMP error quoting one of our segments does to a connection, as
 * Linux's tcp_v4_err() / tcp_v6_err() decide it. Pure: a TCB and the parsed
 * message in, a verdict out; the glue (xtcp_icmp.c) acts on it.
 */
#ifndef _XTCP_ICMP_CORE_H
#define _XTCP_ICMP_CORE_H

#include "xtcp_core.h"

/**
 * struct xtcp_icmp_msg - an ICMP error about one of our segments
 * @v6: ICMPv6 (else ICMPv4)
 * @type: ICMP type
 * @code: ICMP code
 * @info: next-hop MTU of "fragmentation needed" / "packet too big"
 * @seq: SEG.SEQ of the quoted TCP header, host order
 */
struct xtcp_icmp_msg {
	bool v6;
	u8 type;
	u8 code;
	u32 info;
	u32 seq;
};

enum xtcp_icmp_act {
	XTCP_ICMP_IGNORE,	/* not ours to act on (type, state) */
	XTCP_ICMP_OUT_OF_WINDOW, /* quotes a sequence number not in flight */
	XTCP_ICMP_PMTU,		/* path MTU is now @mtu: lower the MSS */
	XTCP_ICMP_SOFT,		/* remember @err for SO_ERROR / the timeout */
	XTCP_ICMP_REPORT,	/* IP_RECVERR: report @err now, keep going */
	XTCP_ICMP_ABORT,	/* fail the connection (connect()) with @err */
	XTCP_ICMP_DROP,		/* drop a passive half-open child silently */
};

/**
 * struct xtcp_icmp_verdict - what to do
 * @act: the action
 * @err: positive errno for SOFT, REPORT, ABORT (and EMSGSIZE for PMTU)
 * @mtu: the reported MTU for PMTU
 */
struct xtcp_icmp_verdict {
	enum xtcp_icmp_act act;
	int err;
	u32 mtu;
};

enum xtcp_icmp_act xtcp_icmp_classify(const struct xtcp_tcb *tcb,
				      const struct xtcp_icmp_msg *m,
				      bool recverr,
				      struct xtcp_icmp_verdict *v);
u16 xtcp_mtu_to_mss(u32 mtu, bool v6);

#endif /* _XTCP_ICMP_CORE_H */
