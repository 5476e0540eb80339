/* SPDX-License-Identifier: GPL-2.0 */
/*
 * XTCP receiver reassembly bookkeeping, pure: the sequence ranges held out
 * of order (the glue holds the bytes, in an rbtree of skbs), kept most
 * recently changed first so that they are the SACK blocks of RFC 2018 §4
 * in order; the D-SACK block of RFC 2883; a FIN that arrived out of
 * order. No skb, no lock: KUnit drives it directly (xtcp_ofo_test.c).
 */
#ifndef _XTCP_OFO_CORE_H
#define _XTCP_OFO_CORE_H

#include <linux/types.h>

/*
 * Disjoint ranges held at most. A segment that would open one more is
 * dropped and counted (OfoDrop): it bounds the work per segment against
 * a peer that fragments the window on purpose (every other byte).
 */
#define XTCP_OFO_MAX_RANGES	32

/* in-order segments ACKed at once after out-of-order data (as Linux's
 * TCP_MAX_QUICKACKS)
 */

/* [start, end) of sequence space */
struct xtcp_ofo_range {
	u32 start;
	u32 end;
};

/**
 * struct xtcp_ofo - out-of-order state of a receiver
 * @r: ranges held above RCV.NXT, disjoint and not adjacent, most recently
 *	received into first (RFC 2018 §4); a FIN held out of order counts
 *	as the byte at @fin_seq. XTCP_OFO_MAX_RANGES of them, allocated when
 *	the connection first holds data out of order (xtcp_ofo_reserve), so
 *	that a connection that never does pays 8 bytes, not 256
 * @n: ranges in use
 * @fin: a FIN arrived out of order at @fin_seq
 * @dsack: @dsack_r is to be reported in the next ACK (RFC 2883)
 * @fin_seq: sequence number of that FIN
 * @dsack_r: the duplicate range
 */
struct xtcp_ofo {
	struct xtcp_ofo_range *r;
	u8 n;
	u8 fin;
	u8 dsack;
	u32 fin_seq;
	struct xtcp_ofo_range dsack_r;
};

struct xtcp_sack_block;

void xtcp_ofo_reset(struct xtcp_ofo *o);
int xtcp_ofo_reserve(struct xtcp_ofo *o);
void xtcp_ofo_free(struct xtcp_ofo *o);
u32 xtcp_ofo_new_bytes(const struct xtcp_ofo *o, u32 start, u32 end);
bool xtcp_ofo_dup(const struct xtcp_ofo *o, u32 start, u32 end,
		  struct xtcp_ofo_range *dup);
bool xtcp_ofo_can_add(const struct xtcp_ofo *o, u32 start, u32 end);
int xtcp_ofo_add(struct xtcp_ofo *o, u32 start, u32 end);
void xtcp_ofo_touch(struct xtcp_ofo *o, u32 seq);
u32 xtcp_ofo_take(struct xtcp_ofo *o, u32 rcv_nxt);
void xtcp_ofo_cut(struct xtcp_ofo *o, u32 seq);
void xtcp_ofo_set_dsack(struct xtcp_ofo *o, u32 start, u32 end);
unsigned int xtcp_ofo_sack(struct xtcp_ofo *o, struct xtcp_sack_block *b,
			   unsigned int max);

#endif /* _XTCP_OFO_CORE_H */
