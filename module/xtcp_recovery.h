/* SPDX-License-Identifier: GPL-2.0 */
/*
 * XTCP sender scoreboard (RFC 6675 §3) and the loss-detection rules that
 * read it: RFC 6675 IsLost/NextSeg, RACK (RFC 8985 §6). Pure: no skb, no
 * lock, no timer; times are microseconds the caller passes in.
 *
 * The scoreboard is the list of segments in flight between SND.UNA and
 * SND.MAX, in sequence order, as they were sent: a ring of records
 * (kmalloc'd, GFP_ATOMIC, grown by doubling). When memory is short it
 * degrades, never fails hard: a new transmission is merged into the last
 * record, and a TCB with no ring at all uses one spare record.
 */
#ifndef _XTCP_RECOVERY_H
#define _XTCP_RECOVERY_H

#include <linux/types.h>
#include <linux/bits.h>

struct xtcp_sack_block;

/* xtcp_sb_seg.fl */
#define XTCP_SB_SACKED		BIT(0)	/* SACKed by the peer */
#define XTCP_SB_LOST		BIT(1)	/* deemed lost, not SACKed since */
#define XTCP_SB_RETRANS		BIT(2)	/* a retransmission is in flight */
#define XTCP_SB_EVER_RETRANS	BIT(3)	/* retransmitted at least once */
#define XTCP_SB_FIN		BIT(4)	/* the last sequence number is FIN */

/**
 * struct xtcp_sb_seg - one segment as sent
 * @xmit_us: time of its last (re)transmission
 * @seq: first sequence number
 * @end: one past the last (payload, plus 1 for a FIN)
 * @delivered: tcb delivered count when it was sent (delivery rate)
 * @fl: XTCP_SB_*
 */
struct xtcp_sb_seg {
	u64 xmit_us;
	u32 seq;
	u32 end;
	u32 delivered;
	u8 fl;
};

/**
 * struct xtcp_sb - the scoreboard
 * @seg: ring of @cap records (a power of two), @n used from @head
 * @cap: ring size; 0 when nothing is allocated
 * @head: index of the record at SND.UNA
 * @n: records in flight
 * @spare: the one-record ring used when no memory could be had
 * @sacked: payload+FIN sequence space SACKed above SND.UNA
 * @lost: sequence space marked lost and not SACKed
 * @retrans: sequence space retransmitted and still in flight
 * @nsacked: records SACKed
 * @fack: highest sequence number SACKed or acknowledged (RACK.fack)
 */
struct xtcp_sb {
	struct xtcp_sb_seg *seg;
	u32 cap;
	u32 head;
	u32 n;
	u32 sacked;
	struct xtcp_sb_seg spare;
	u32 lost;
	u32 retrans;
	u32 nsacked;
	u32 fack;
};

/**
 * struct xtcp_sb_rs - what one ACK delivered (filled by xtcp_sb_ack and
 *	xtcp_sb_sack; zero it first)
 * @delivered: sequence space newly acknowledged or SACKed (not counting
 *	what was SACKed before and is now cumulatively acknowledged)
 * @acked: sequence space newly acknowledged cumulatively
 * @newly_sacked: sequence space newly SACKed
 * @rtt_xmit_us: send time of the latest-sent record delivered that was
 *	never retransmitted (RFC 6298 §3 Karn), 0 for none
 * @rtt_delivered: its delivered count at send time
 * @rack_xmit_us: send time of the latest-sent record delivered that RACK
 *	may use (RFC 8985 §6.2 step 2), 0 for none
 * @rack_end: its end
 * @orig: a record never retransmitted was delivered (RFC 5682 §3)
 * @orig_end: the lowest end of such a record
 * @reordered: a never-retransmitted record below fack was delivered
 *	(RFC 8985 §6.2 step 3)
 * @reorder_dist: how far below fack, in sequence space
 * @dsack: the ACK carried a D-SACK (RFC 2883)
 * @dsack_retrans: retransmissions the D-SACK reports as needless
 * @dsack_end: end of the D-SACK block
 * @blocks: SACK blocks taken
 * @discarded: SACK blocks ignored as invalid
 */
struct xtcp_sb_rs {
	u32 delivered;
	u32 acked;
	u32 newly_sacked;
	u64 rtt_xmit_us;
	u32 rtt_delivered;
	u64 rack_xmit_us;
	u32 rack_end;
	bool orig;
	u32 orig_end;
	bool reordered;
	u32 reorder_dist;
	bool dsack;
	u32 dsack_retrans;
	u32 dsack_end;
	u32 blocks;
	u32 discarded;
};

static inline struct xtcp_sb_seg *xtcp_sb_at(const struct xtcp_sb *sb,
					     u32 i)
{
	return &sb->seg[(sb->head + i) & (sb->cap - 1)];
}

static inline u32 xtcp_sb_seg_len(const struct xtcp_sb_seg *s)
{
	return s->end - s->seq;
}

/* payload bytes of a record (its FIN not counted) */
static inline u32 xtcp_sb_seg_data(const struct xtcp_sb_seg *s)
{
	return s->end - s->seq - !!(s->fl & XTCP_SB_FIN);
}

/* Free the records; the scoreboard is empty and usable again. */
void xtcp_sb_free(struct xtcp_sb *sb);

/*
 * A new segment [seq, end) went out at @now_us. Returns 0, or -ENOMEM when
 * it could be neither recorded nor merged into the last record: the
 * caller must not send it now.
 */
int xtcp_sb_add(struct xtcp_sb *sb, u32 seq, u32 end, bool fin, u64 now_us,
		u32 delivered);

/*
 * Cumulative ACK @ack: records below it leave; a record it cuts is
 * trimmed. @min_rtt_us filters RACK samples of retransmitted records.
 */
void xtcp_sb_ack(struct xtcp_sb *sb, u32 ack, u64 now_us, u32 min_rtt_us,
		 struct xtcp_sb_rs *rs);

/*
 * SACK blocks of one ACK (RFC 2018, D-SACK per RFC 2883 §4): invalid
 * blocks (empty, outside [@snd_una, @snd_max]) are ignored; a first block
 * below @snd_una or inside the second is a D-SACK. @mss estimates how many
 * retransmissions a D-SACK below SND.UNA reports.
 */
void xtcp_sb_sack(struct xtcp_sb *sb, u32 snd_una, u32 snd_max,
		  const struct xtcp_sack_block *blk, unsigned int nblk,
		  u32 mss, u64 now_us, u32 min_rtt_us, struct xtcp_sb_rs *rs);

/* RFC 6675 §4 IsLost(SeqNum) for record @i: DupThresh (3) SACKed records
 * above it, or more than (DupThresh - 1) * @mss SACKed bytes above it.
 */
bool xtcp_sb_is_lost(const struct xtcp_sb *sb, u32 i, u32 mss);

/* Mark every record IsLost() holds for; returns sequence space marked. */
u32 xtcp_sb_mark_lost_6675(struct xtcp_sb *sb, u32 mss);

/* Mark record @i lost (a retransmission in flight is deemed lost too). */
void xtcp_sb_mark_lost(struct xtcp_sb *sb, u32 i);

/* After an RTO (RFC 6675 §5.1, RFC 5681 §3.1): all but the SACKed is lost
 * and may be resent.
 */
void xtcp_sb_mark_all_lost(struct xtcp_sb *sb);

/* Forget the lost marks (an episode proved spurious). */
void xtcp_sb_unmark_lost(struct xtcp_sb *sb);

/* The record at SND.UNA is SACKed: the peer dropped data it had SACKed
 * (RFC 2018 §8 reneging), as the cumulative ACK would cover it otherwise.
 */
static inline bool xtcp_sb_reneged(const struct xtcp_sb *sb)
{
	return sb->n && (xtcp_sb_at(sb, 0)->fl & XTCP_SB_SACKED);
}

/* Forget every SACK mark: what was SACKed is in flight again (reneging) */
void xtcp_sb_unmark_sacked(struct xtcp_sb *sb, u32 snd_una);

/* RFC 6675 NextSeg rule 1: the first record lost and not retransmitted
 * since, or -1.
 */
int xtcp_sb_next_lost(const struct xtcp_sb *sb);

/*
 * Record @i is being retransmitted at @now_us. When it is longer than
 * @mss, its first @mss bytes are split off into their own record first
 * (if memory allows). Returns the sequence space retransmitted.
 */
u32 xtcp_sb_retransmit(struct xtcp_sb *sb, u32 i, u32 mss, u64 now_us,
		       u32 delivered);

/**
 * xtcp_sb_rack_detect() - RACK loss detection (RFC 8985 §6.2 step 5)
 * @sb: scoreboard
 * @rack_xmit_us: RACK.xmit_ts
 * @rack_end: RACK.end_seq
 * @rack_rtt_us: RACK.rtt
 * @reo_wnd_us: RACK.reo_wnd
 * @now_us: now
 * @timeout_us: set to the time until the next record would be lost (0
 *	when none waits)
 * @lost_rtx: retransmissions found lost again are counted here
 *
 * Return: sequence space newly marked lost.
 */
u32 xtcp_sb_rack_detect(struct xtcp_sb *sb, u64 rack_xmit_us, u32 rack_end,
			u32 rack_rtt_us, u32 reo_wnd_us, u64 now_us,
			u32 *timeout_us, u32 *lost_rtx);

#endif /* _XTCP_RECOVERY_H */
