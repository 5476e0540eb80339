// SPDX-License-Identifier: GPL-2.0
/*
 * XTCP ICMP decisions: which ICMP error means what for a connection, as
 * Linux TCP decides (net/ipv4/tcp_ipv4.c tcp_v4_err(), tcp_req_err(),
 * net/ipv6/tcp_ipv6.c tcp_v6_err(), icmp_err_convert[],
 * icmpv6_err_convert()). See xtcp_icmp_core.h.
 */
#include <linux/kernel.h>
#include <linux/errno.h>
#include <linux/export.h>
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <kunit/visibility.h>

#include "xtcp_icmp_core.h"

/* IPv4 destination unreachable codes (RFC 792, RFC 1812): errno, and
 * whether RFC 1122 §4.2.3.9 calls them hard (Linux icmp_err_convert[])
 */
static const struct {
	u8 err;
	u8 fatal;
} xtcp_unreach4[] = {
	{ ENETUNREACH,	0 },	/* ICMP_NET_UNREACH */
	{ EHOSTUNREACH,	0 },	/* ICMP_HOST_UNREACH */
	{ ENOPROTOOPT,	1 },	/* ICMP_PROT_UNREACH */
	{ ECONNREFUSED,	1 },	/* ICMP_PORT_UNREACH */
	{ EMSGSIZE,	0 },	/* ICMP_FRAG_NEEDED */
	{ EOPNOTSUPP,	0 },	/* ICMP_SR_FAILED */
	{ ENETUNREACH,	1 },	/* ICMP_NET_UNKNOWN */
	{ EHOSTDOWN,	1 },	/* ICMP_HOST_UNKNOWN */
	{ ENONET,	1 },	/* ICMP_HOST_ISOLATED */
	{ ENETUNREACH,	1 },	/* ICMP_NET_ANO */
	{ EHOSTUNREACH,	1 },	/* ICMP_HOST_ANO */
	{ ENETUNREACH,	0 },	/* ICMP_NET_UNR_TOS */
	{ EHOSTUNREACH,	0 },	/* ICMP_HOST_UNR_TOS */
	{ EHOSTUNREACH,	1 },	/* ICMP_PKT_FILTERED */
	{ EHOSTUNREACH,	1 },	/* ICMP_PREC_VIOLATION */
	{ EHOSTUNREACH,	1 },	/* ICMP_PREC_CUTOFF */
};

/* ICMPv6 destination unreachable codes (RFC 4443 §3.1) */
static const struct {
	u8 err;
	u8 fatal;
} xtcp_unreach6[] = {
	{ ENETUNREACH,	0 },	/* NOROUTE */
	{ EACCES,	1 },	/* ADM_PROHIBITED */
	{ EHOSTUNREACH,	0 },	/* beyond scope (was NOT_NEIGHBOUR) */
	{ EHOSTUNREACH,	0 },	/* ADDR_UNREACH */
	{ ECONNREFUSED,	1 },	/* PORT_UNREACH */
	{ EACCES,	1 },	/* POLICY_FAIL */
	{ EACCES,	1 },	/* REJECT_ROUTE */
};

/* errno and "fatal" of an ICMPv6 error; false when TCP ignores the type */
static bool xtcp_icmp6_err(const struct xtcp_icmp_msg *m, int *err,
			   bool *fatal)
{
	*err = EPROTO;
	*fatal = false;
	switch (m->type) {
	case ICMPV6_DEST_UNREACH:
		*fatal = true;
		if (m->code < ARRAY_SIZE(xtcp_unreach6)) {
			*err = xtcp_unreach6[m->code].err;
			*fatal = xtcp_unreach6[m->code].fatal;
		}
		return true;
	case ICMPV6_PKT_TOOBIG:
		*err = EMSGSIZE;
		return true;
	case ICMPV6_PARAMPROB:
		*fatal = true;
		return true;
	case ICMPV6_TIME_EXCEED:
		*err = EHOSTUNREACH;
		return true;
	default:
		return false;
	}
}

/* the same for ICMPv4; "fatal" as tcp_v4_err() passes to tcp_req_err() */
static bool xtcp_icmp4_err(const struct xtcp_icmp_msg *m, int *err,
			   bool *fatal)
{
	*fatal = false;
	switch (m->type) {
	case ICMP_PARAMETERPROB:
		*err = EPROTO;
		*fatal = true;
		return true;
	case ICMP_DEST_UNREACH:
		if (m->code > NR_ICMP_UNREACH)
			return false;
		*err = xtcp_unreach4[m->code].err;
		*fatal = m->code == ICMP_NET_UNREACH ||
			 m->code == ICMP_HOST_UNREACH;
		return true;
	case ICMP_TIME_EXCEEDED:
		*err = EHOSTUNREACH;
		*fatal = true;
		return true;
	default:	/* source quench, redirect, ... */
		return false;
	}
}

static bool xtcp_icmp_is_pmtu(const struct xtcp_icmp_msg *m)
{
	if (m->v6)
		return m->type == ICMPV6_PKT_TOOBIG;
	return m->type == ICMP_DEST_UNREACH && m->code == ICMP_FRAG_NEEDED;
}

/**
 * xtcp_icmp_classify() - what an ICMP error quoting our segment does
 * @tcb: the connection the quoted 4-tuple belongs to
 * @m: the message
 * @recverr: the socket asked for IP_RECVERR / IPV6_RECVERR
 * @v: filled with the verdict
 *
 * RFC 5927 §4.1 (and Linux): the quoted sequence number must be in flight,
 * between SND.UNA and SND.NXT; a passive half-open connection only listens
 * to errors about its SYN-ACK (SEQ = ISS). PMTU messages lower the MSS in
 * any state but a passive half-open one (RFC 1191 §6.4, RFC 8201 §5.2).
 * During the handshake of an active open every other error fails the
 * connection (Linux's choice; RFC 1122 §4.2.3.9 would make only
 * protocol/port unreachable hard); once synchronized, errors are soft:
 * remembered for SO_ERROR and for the errno of a later timeout, or
 * reported at once with IP_RECVERR.
 *
 * Return: @v->act.
 */
enum xtcp_icmp_act xtcp_icmp_classify(const struct xtcp_tcb *tcb,
				      const struct xtcp_icmp_msg *m,
				      bool recverr,
				      struct xtcp_icmp_verdict *v)
{
	bool fatal, known;
	int err;

	*v = (struct xtcp_icmp_verdict){ .act = XTCP_ICMP_IGNORE };
	if (m->v6)
		known = xtcp_icmp6_err(m, &err, &fatal);
	else
		known = xtcp_icmp4_err(m, &err, &fatal);
	if (!known)
		return v->act;

	switch (tcb->state) {
	case XTCP_CLOSED:
	case XTCP_LISTEN:
	case XTCP_TIME_WAIT:
		return v->act;
	case XTCP_SYN_RECEIVED:
		if (!(tcb->fl & XTCP_F_PASSIVE))
			break;
		/* as tcp_req_err(): only the SYN-ACK's errors count */
		if (m->seq != tcb->iss)
			v->act = XTCP_ICMP_OUT_OF_WINDOW;
		else if (fatal && !xtcp_icmp_is_pmtu(m))
			v->act = XTCP_ICMP_DROP;
		return v->act;
	default:
		break;
	}

	if (!xtcp_seq_in_incl(m->seq, tcb->snd_una, tcb->snd_max)) {
		v->act = XTCP_ICMP_OUT_OF_WINDOW;
		return v->act;
	}
	v->err = err;
	if (xtcp_icmp_is_pmtu(m)) {
		/* RFC 8201 §4: IPv6 links carry at least 1280 bytes */
		if (m->v6 && m->info < 1280)
			return v->act;
		v->act = XTCP_ICMP_PMTU;
		v->mtu = m->info;
		return v->act;
	}
	if (tcb->state == XTCP_SYN_SENT || tcb->state == XTCP_SYN_RECEIVED)
		v->act = XTCP_ICMP_ABORT;
	else if (recverr)
		v->act = XTCP_ICMP_REPORT;
	else
		v->act = XTCP_ICMP_SOFT;
	return v->act;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_icmp_classify);

/**
 * xtcp_mtu_to_mss() - the MSS a path MTU allows: the IP and TCP headers
 *	(XTCP data segments carry no options) off the MTU, never below
 *	Linux's tcp_min_snd_mss default (48)
 * @mtu: path MTU
 * @v6: IPv6 (40-byte header) else IPv4 (20)
 */
u16 xtcp_mtu_to_mss(u32 mtu, bool v6)
{
	u32 hdr = (v6 ? 40 : 20) + 20;

	if (mtu > 65535)
		mtu = 65535;
	return mtu > hdr + 48 ? mtu - hdr : 48;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_mtu_to_mss);
