/* SPDX-License-Identifier: GPL-2.0 */
/*
 * XTCP urgent data (RFC 9293 §3.8.5, RFC 6093) with Linux TCP's
 * semantics: the urgent pointer points one past the urgent byte; one byte
 * is out of band (recv(MSG_OOB)), taken out of the stream unless
 * SO_OOBINLINE; reads stop at the mark. Pure functions of the state below,
 * as Linux's urg_data / urg_seq / snd_up; the glue moves the bytes.
 */
#ifndef _XTCP_URG_H
#define _XTCP_URG_H

#include <linux/types.h>
#include <linux/bits.h>
#include <linux/compiler.h>

/* xtcp_urg.data, as Linux's TCP_URG_*: the byte in the low 8 bits */
#define XTCP_URG_VALID	0x0100	/* the urgent byte arrived: low 8 bits */
#define XTCP_URG_NOTYET	0x0200	/* mark known, its byte not yet in order */
#define XTCP_URG_READ	0x0400	/* read out of band (recv(MSG_OOB)) */

/* xtcp_urg.ev: what the glue does after the core returns */
#define XTCP_URG_EV_SIG		BIT(0)	/* a new mark: SIGURG to the owner */
#define XTCP_URG_EV_SKIP	BIT(1)	/* a superseded urgent byte at
					 * skip_seq leaves the stream if the
					 * reader is at it (not inline)
					 */
#define XTCP_URG_EV_BYTE	BIT(2)	/* the byte at seq is queued now */

/**
 * struct xtcp_urg - urgent data state of a connection
 * @seq: receiver: sequence number of the urgent byte (the mark)
 * @data: receiver: 0 or XTCP_URG_*
 * @ev: XTCP_URG_EV_* for the glue
 * @snd: sender: in urgent mode, @snd_up valid
 * @skip_seq: with XTCP_URG_EV_SKIP, the superseded mark
 * @snd_up: sender: SND.UP, one past the last urgent byte
 */
struct xtcp_urg {
	u32 seq;
	u16 data;
	u8 ev;
	u8 snd;
	u32 skip_seq;
	u32 snd_up;
};

void xtcp_urg_check(struct xtcp_urg *u, u32 seq, u16 up, u32 rcv_nxt);
void xtcp_urg_arrived(struct xtcp_urg *u, u32 from, u32 to);
void xtcp_urg_set_byte(struct xtcp_urg *u, u8 byte);
u32 xtcp_urg_read_len(const struct xtcp_urg *u, u32 seq, u32 avail,
		      bool inl, bool *skip);
bool xtcp_urg_stop(const struct xtcp_urg *u, u32 seq);
void xtcp_urg_consumed(struct xtcp_urg *u, u32 copied_seq);
u32 xtcp_urg_inq(const struct xtcp_urg *u, u32 seq, u32 avail, bool inl);
u32 xtcp_urg_rcv_target(const struct xtcp_urg *u, u32 seq, bool inl,
			u32 target);
int xtcp_urg_recv(struct xtcp_urg *u, bool inl, bool peek, bool eof,
		  u8 *byte);
void xtcp_urg_mark(struct xtcp_urg *u, u32 snd_end);
bool xtcp_urg_out(struct xtcp_urg *u, u32 snd_una, u32 snd_nxt, u32 seq,
		  u16 *ptr);

/* SIOCATMARK: the reader is at the mark (tcp_ioctl) */
static inline bool xtcp_urg_at_mark(const struct xtcp_urg *u, u32 seq)
{
	return READ_ONCE(u->data) && READ_ONCE(u->seq) == seq;
}

/* poll's EPOLLPRI: an urgent byte arrived and was not read past */
static inline bool xtcp_urg_pri(const struct xtcp_urg *u)
{
	return READ_ONCE(u->data) & XTCP_URG_VALID;
}

#endif
