// SPDX-License-Identifier: GPL-2.0
/*
 * XTCP sender scoreboard and loss detection rules. See xtcp_recovery.h.
 * The recovery state machine that uses them (RFC 6675 recovery, RFC 6582
 * NewReno, RFC 6937 PRR, RFC 8985 timers, undo) lives in xtcp_core.c.
 */
#include <linux/kernel.h>
#include <linux/errno.h>
#include <linux/minmax.h>
#include <linux/slab.h>
#include <linux/export.h>
#include <kunit/visibility.h>

#include "xtcp_core.h"

#define XTCP_SB_MIN	16	/* first ring */
#define XTCP_SB_MAX	8192	/* larger rings degrade to merged records */
#define XTCP_DUPTHRESH	3	/* RFC 6675 §2 DupThresh */
#define XTCP_DSACK_MAX	BIT(20)	/* a longer D-SACK block is bogus */

void xtcp_sb_free(struct xtcp_sb *sb)
{
	if (sb->seg != &sb->spare)
		kfree(sb->seg);
	sb->seg = NULL;
	sb->cap = 0;
	sb->head = 0;
	sb->n = 0;
	sb->sacked = 0;
	sb->lost = 0;
	sb->retrans = 0;
	sb->nsacked = 0;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_sb_free);

static int xtcp_sb_grow(struct xtcp_sb *sb)
{
	u32 cap = sb->cap >= XTCP_SB_MIN ? sb->cap * 2 : XTCP_SB_MIN;
	struct xtcp_sb_seg *seg;
	u32 i;

	if (cap > XTCP_SB_MAX)
		return -ENOMEM;
	/* softirq context: atomic; failing is handled by merging */
	seg = kmalloc_array(cap, sizeof(*seg), GFP_ATOMIC | __GFP_NOWARN);
	if (!seg)
		return -ENOMEM;
	for (i = 0; i < sb->n; i++)
		seg[i] = *xtcp_sb_at(sb, i);
	if (sb->seg != &sb->spare)
		kfree(sb->seg);
	sb->seg = seg;
	sb->cap = cap;
	sb->head = 0;
	return 0;
}

int xtcp_sb_add(struct xtcp_sb *sb, u32 seq, u32 end, bool fin, u64 now_us,
		u32 delivered)
{
	struct xtcp_sb_seg *s;

	if (sb->n == sb->cap && xtcp_sb_grow(sb)) {
		if (sb->n) {
			/* degrade: one longer record, as long as it is
			 * plain new data right before this one
			 */
			s = xtcp_sb_at(sb, sb->n - 1);
			if (s->fl || s->end != seq)
				return -ENOMEM;
			s->end = end;
			s->xmit_us = now_us;
			if (fin)
				s->fl |= XTCP_SB_FIN;
			return 0;
		}
		sb->seg = &sb->spare;
		sb->cap = 1;
		sb->head = 0;
	}
	if (!sb->n)
		sb->fack = seq;
	s = xtcp_sb_at(sb, sb->n);
	*s = (struct xtcp_sb_seg){
		.xmit_us = now_us, .seq = seq, .end = end,
		.delivered = delivered, .fl = fin ? XTCP_SB_FIN : 0,
	};
	sb->n++;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_sb_add);

/* RFC 8985 §6.2 steps 2-3 and the RTT sample of a delivered record */
static void xtcp_sb_deliver(const struct xtcp_sb_seg *s, u32 fack,
			    u64 now_us, u32 min_rtt_us, struct xtcp_sb_rs *rs)
{
	bool rtx = s->fl & XTCP_SB_EVER_RETRANS;

	if (!rtx) {
		if (s->xmit_us >= rs->rtt_xmit_us) {
			rs->rtt_xmit_us = s->xmit_us;
			rs->rtt_delivered = s->delivered;
		}
		if (!rs->orig || xtcp_seq_lt(s->end, rs->orig_end))
			rs->orig_end = s->end;
		rs->orig = true;
		if (xtcp_seq_lt(s->end, fack)) {
			rs->reordered = true;
			rs->reorder_dist = max(rs->reorder_dist, fack - s->end);
		}
	} else if (now_us - s->xmit_us < min_rtt_us) {
		return;	/* too soon: the ACK is for the original */
	}
	if (s->xmit_us > rs->rack_xmit_us ||
	    (s->xmit_us == rs->rack_xmit_us &&
	     xtcp_seq_gt(s->end, rs->rack_end))) {
		rs->rack_xmit_us = s->xmit_us;
		rs->rack_end = s->end;
	}
}

/* take @len of record @s out of the counters (it is acknowledged) */
static void xtcp_sb_uncount(struct xtcp_sb *sb, struct xtcp_sb_seg *s,
			    u32 len)
{
	if (s->fl & XTCP_SB_SACKED) {
		sb->sacked -= len;
		return;
	}
	if (s->fl & XTCP_SB_LOST)
		sb->lost -= len;
	if (s->fl & XTCP_SB_RETRANS)
		sb->retrans -= len;
}

void xtcp_sb_ack(struct xtcp_sb *sb, u32 ack, u64 now_us, u32 min_rtt_us,
		 struct xtcp_sb_rs *rs)
{
	u32 fack = sb->fack;

	while (sb->n) {
		struct xtcp_sb_seg *s = xtcp_sb_at(sb, 0);
		u32 len;

		if (!xtcp_seq_gt(ack, s->seq))
			break;
		len = xtcp_seq_leq(s->end, ack) ? xtcp_sb_seg_len(s) :
						  ack - s->seq;
		rs->acked += len;
		if (!(s->fl & XTCP_SB_SACKED)) {
			rs->delivered += len;
			xtcp_sb_deliver(s, fack, now_us, min_rtt_us, rs);
		}
		xtcp_sb_uncount(sb, s, len);
		if (len < xtcp_sb_seg_len(s)) {
			s->seq = ack;	/* the peer took part of it */
			break;
		}
		if (s->fl & XTCP_SB_SACKED)
			sb->nsacked--;
		sb->head = (sb->head + 1) & (sb->cap - 1);
		sb->n--;
	}
	if (!sb->n)
		sb->head = 0;
	if (xtcp_seq_lt(sb->fack, ack))
		sb->fack = ack;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_sb_ack);

/* index of the first record ending after @seq (n when none) */
static u32 xtcp_sb_find(const struct xtcp_sb *sb, u32 seq)
{
	u32 lo = 0, hi = sb->n;

	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;

		if (xtcp_seq_leq(xtcp_sb_at(sb, mid)->end, seq))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* RFC 2883 §4: a D-SACK reports data received twice */
static void xtcp_sb_dsack(struct xtcp_sb *sb, u32 start, u32 end,
			  u32 snd_una, u32 mss, struct xtcp_sb_rs *rs)
{
	u32 i;

	rs->dsack = true;
	rs->dsack_end = end;
	if (xtcp_seq_leq(end, snd_una)) {
		/* the records are gone: assume MSS-sized retransmissions */
		rs->dsack_retrans += max_t(u32, 1, DIV_ROUND_UP(end - start,
								mss ? : 1));
		return;
	}
	for (i = xtcp_sb_find(sb, start); i < sb->n; i++) {
		struct xtcp_sb_seg *s = xtcp_sb_at(sb, i);

		if (xtcp_seq_geq(s->seq, end))
			break;
		if (s->fl & XTCP_SB_EVER_RETRANS)
			rs->dsack_retrans++;
	}
}

void xtcp_sb_sack(struct xtcp_sb *sb, u32 snd_una, u32 snd_max,
		  const struct xtcp_sack_block *blk, unsigned int nblk,
		  u32 mss, u64 now_us, u32 min_rtt_us, struct xtcp_sb_rs *rs)
{
	u32 fack = sb->fack, top = sb->fack;
	unsigned int b;

	for (b = 0; b < nblk; b++) {
		u32 start = blk[b].start, end = blk[b].end, i;

		if (!xtcp_seq_lt(start, end) || end - start > XTCP_DSACK_MAX) {
			rs->discarded++;
			continue;
		}
		/* RFC 2883 §4: only the first block may be a D-SACK */
		if (!b && (xtcp_seq_lt(start, snd_una) ||
			   (nblk > 1 && xtcp_seq_geq(start, blk[1].start) &&
			    xtcp_seq_leq(end, blk[1].end)))) {
			if (xtcp_seq_gt(end, snd_max)) {
				rs->discarded++;
				continue;
			}
			xtcp_sb_dsack(sb, start, end, snd_una, mss, rs);
			continue;
		}
		if (xtcp_seq_lt(start, snd_una) || xtcp_seq_gt(end, snd_max)) {
			rs->discarded++;
			continue;
		}
		rs->blocks++;
		for (i = xtcp_sb_find(sb, start); i < sb->n; i++) {
			struct xtcp_sb_seg *s = xtcp_sb_at(sb, i);
			u32 len = xtcp_sb_seg_len(s);

			if (xtcp_seq_geq(s->seq, end))
				break;
			/* only whole records: senders cut at the same
			 * boundaries receivers SACK at
			 */
			if ((s->fl & XTCP_SB_SACKED) ||
			    xtcp_seq_lt(s->seq, start) ||
			    xtcp_seq_gt(s->end, end))
				continue;
			xtcp_sb_uncount(sb, s, len);
			s->fl &= ~(XTCP_SB_LOST | XTCP_SB_RETRANS);
			s->fl |= XTCP_SB_SACKED;
			sb->sacked += len;
			sb->nsacked++;
			rs->newly_sacked += len;
			rs->delivered += len;
			xtcp_sb_deliver(s, fack, now_us, min_rtt_us, rs);
			if (xtcp_seq_gt(s->end, top))
				top = s->end;
		}
	}
	sb->fack = top;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_sb_sack);

bool xtcp_sb_is_lost(const struct xtcp_sb *sb, u32 i, u32 mss)
{
	u32 cnt = 0, bytes = 0, j;

	for (j = i + 1; j < sb->n; j++) {
		const struct xtcp_sb_seg *s = xtcp_sb_at(sb, j);

		if (!(s->fl & XTCP_SB_SACKED))
			continue;
		cnt++;
		bytes += xtcp_sb_seg_len(s);
		if (cnt >= XTCP_DUPTHRESH ||
		    bytes > (XTCP_DUPTHRESH - 1) * mss)
			return true;
	}
	return false;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_sb_is_lost);

void xtcp_sb_mark_lost(struct xtcp_sb *sb, u32 i)
{
	struct xtcp_sb_seg *s = xtcp_sb_at(sb, i);
	u32 len = xtcp_sb_seg_len(s);

	if (s->fl & XTCP_SB_SACKED)
		return;
	if (s->fl & XTCP_SB_RETRANS) {
		sb->retrans -= len;
		s->fl &= ~XTCP_SB_RETRANS;
	}
	if (!(s->fl & XTCP_SB_LOST)) {
		s->fl |= XTCP_SB_LOST;
		sb->lost += len;
	}
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_sb_mark_lost);

u32 xtcp_sb_mark_lost_6675(struct xtcp_sb *sb, u32 mss)
{
	u32 cnt = 0, bytes = 0, marked = 0, j;

	/* from the top down: the SACKed records above each one */
	for (j = sb->n; j-- > 0;) {
		struct xtcp_sb_seg *s = xtcp_sb_at(sb, j);

		if (s->fl & XTCP_SB_SACKED) {
			cnt++;
			bytes += xtcp_sb_seg_len(s);
			continue;
		}
		if (s->fl & (XTCP_SB_LOST | XTCP_SB_RETRANS))
			continue;	/* RACK judges retransmissions */
		if (cnt >= XTCP_DUPTHRESH ||
		    bytes > (XTCP_DUPTHRESH - 1) * mss) {
			xtcp_sb_mark_lost(sb, j);
			marked += xtcp_sb_seg_len(s);
		}
	}
	return marked;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_sb_mark_lost_6675);

void xtcp_sb_mark_all_lost(struct xtcp_sb *sb)
{
	u32 i;

	for (i = 0; i < sb->n; i++)
		xtcp_sb_mark_lost(sb, i);
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_sb_mark_all_lost);

void xtcp_sb_unmark_lost(struct xtcp_sb *sb)
{
	u32 i;

	for (i = 0; i < sb->n; i++)
		xtcp_sb_at(sb, i)->fl &= ~XTCP_SB_LOST;
	sb->lost = 0;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_sb_unmark_lost);

void xtcp_sb_unmark_sacked(struct xtcp_sb *sb, u32 snd_una)
{
	u32 i;

	for (i = 0; i < sb->n; i++)
		xtcp_sb_at(sb, i)->fl &= ~XTCP_SB_SACKED;
	sb->sacked = 0;
	sb->nsacked = 0;
	sb->fack = snd_una;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_sb_unmark_sacked);

int xtcp_sb_next_lost(const struct xtcp_sb *sb)
{
	u32 i;

	if (!sb->lost)
		return -1;
	for (i = 0; i < sb->n; i++) {
		u8 fl = xtcp_sb_at(sb, i)->fl;

		if ((fl & (XTCP_SB_LOST | XTCP_SB_RETRANS)) == XTCP_SB_LOST)
			return i;
	}
	return -1;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_sb_next_lost);

/* split record @i after its first @len sequence numbers */
static void xtcp_sb_split(struct xtcp_sb *sb, u32 i, u32 len)
{
	struct xtcp_sb_seg *s;
	u32 j;

	if (sb->n == sb->cap && xtcp_sb_grow(sb))
		return;		/* resent whole, in MSS pieces */
	for (j = sb->n; j > i + 1; j--)
		*xtcp_sb_at(sb, j) = *xtcp_sb_at(sb, j - 1);
	s = xtcp_sb_at(sb, i);
	*xtcp_sb_at(sb, i + 1) = *s;
	xtcp_sb_at(sb, i + 1)->seq = s->seq + len;
	s->end = s->seq + len;
	s->fl &= ~XTCP_SB_FIN;
	if (s->fl & XTCP_SB_SACKED)
		sb->nsacked++;
	sb->n++;
}

/* merge record @i + 1 into @i (both lost and waiting, or both plain) */
static void xtcp_sb_collapse(struct xtcp_sb *sb, u32 i)
{
	struct xtcp_sb_seg *s = xtcp_sb_at(sb, i);
	struct xtcp_sb_seg *nx = xtcp_sb_at(sb, i + 1);
	u32 j;

	s->end = nx->end;
	s->fl |= nx->fl;
	for (j = i + 1; j + 1 < sb->n; j++)
		*xtcp_sb_at(sb, j) = *xtcp_sb_at(sb, j + 1);
	sb->n--;
}

u32 xtcp_sb_retransmit(struct xtcp_sb *sb, u32 i, u32 mss, u64 now_us,
		       u32 delivered)
{
	struct xtcp_sb_seg *s = xtcp_sb_at(sb, i);
	u32 len;

	/* full segments again after the MSS shrank (tcp_retrans_try_collapse):
	 * fill a short lost record from the next lost one
	 */
	while (xtcp_sb_seg_data(s) < mss && !(s->fl & XTCP_SB_FIN) &&
	       i + 1 < sb->n &&
	       (s->fl & (XTCP_SB_LOST | XTCP_SB_RETRANS | XTCP_SB_SACKED)) ==
	       XTCP_SB_LOST &&
	       (xtcp_sb_at(sb, i + 1)->fl & (XTCP_SB_LOST | XTCP_SB_RETRANS |
					    XTCP_SB_SACKED)) == XTCP_SB_LOST)
		xtcp_sb_collapse(sb, i);
	if (xtcp_sb_seg_data(s) > mss)
		xtcp_sb_split(sb, i, mss);
	s = xtcp_sb_at(sb, i);
	len = xtcp_sb_seg_len(s);
	if (!(s->fl & XTCP_SB_RETRANS) && !(s->fl & XTCP_SB_SACKED))
		sb->retrans += len;
	s->fl |= XTCP_SB_RETRANS | XTCP_SB_EVER_RETRANS;
	s->xmit_us = now_us;
	s->delivered = delivered;
	return len;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_sb_retransmit);

u32 xtcp_sb_rack_detect(struct xtcp_sb *sb, u64 rack_xmit_us, u32 rack_end,
			u32 rack_rtt_us, u32 reo_wnd_us, u64 now_us,
			u32 *timeout_us, u32 *lost_rtx)
{
	u64 wait = (u64)rack_rtt_us + reo_wnd_us;
	u32 marked = 0, i;

	*timeout_us = 0;
	if (!rack_xmit_us)
		return 0;
	for (i = 0; i < sb->n; i++) {
		struct xtcp_sb_seg *s = xtcp_sb_at(sb, i);
		u64 elapsed;

		if (s->fl & XTCP_SB_SACKED)
			continue;
		if ((s->fl & (XTCP_SB_LOST | XTCP_SB_RETRANS)) == XTCP_SB_LOST)
			continue;	/* waits for its retransmission */
		/* not sent before the last delivered segment: no verdict */
		if (s->xmit_us > rack_xmit_us ||
		    (s->xmit_us == rack_xmit_us &&
		     xtcp_seq_geq(s->end, rack_end)))
			continue;
		elapsed = now_us - s->xmit_us;
		if (elapsed >= wait) {
			if (s->fl & XTCP_SB_RETRANS)
				(*lost_rtx)++;
			xtcp_sb_mark_lost(sb, i);
			marked += xtcp_sb_seg_len(s);
		} else {
			*timeout_us = max_t(u32, *timeout_us, wait - elapsed);
		}
	}
	return marked;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_sb_rack_detect);
