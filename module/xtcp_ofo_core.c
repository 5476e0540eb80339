// SPDX-License-Identifier: GPL-2.0
/*
 * XTCP receiver reassembly bookkeeping (see xtcp_ofo_core.h): which
 * sequence ranges are held out of order, merged as segments fill them,
 * taken when RCV.NXT reaches them, and reported as SACK blocks (RFC 2018
 * §4: the block of the most recent segment first, then the blocks most
 * recently reported) after a D-SACK block (RFC 2883 §4) when one is due.
 */

#include <linux/kernel.h>
#include <linux/errno.h>
#include <linux/export.h>
#include <linux/string.h>
#include <linux/slab.h>
#include <kunit/visibility.h>

#include "xtcp_core.h"

static u32 xtcp_seq_min(u32 a, u32 b)
{
	return xtcp_seq_lt(a, b) ? a : b;
}

static u32 xtcp_seq_max(u32 a, u32 b)
{
	return xtcp_seq_gt(a, b) ? a : b;
}

/* do [s, e) and @r overlap or touch? */
static bool xtcp_ofo_touches(const struct xtcp_ofo_range *r, u32 s, u32 e)
{
	return xtcp_seq_leq(r->start, e) && xtcp_seq_leq(s, r->end);
}

static void xtcp_ofo_remove(struct xtcp_ofo *o, unsigned int i)
{
	memmove(&o->r[i], &o->r[i + 1], (o->n - i - 1) * sizeof(o->r[0]));
	o->n--;
}

/* move range @i to the front: it is the most recent one */
static void xtcp_ofo_front(struct xtcp_ofo *o, unsigned int i)
{
	struct xtcp_ofo_range r = o->r[i];

	memmove(&o->r[1], &o->r[0], i * sizeof(o->r[0]));
	o->r[0] = r;
}

/* nothing held, no FIN, no D-SACK due (the ranges' memory stays) */
void xtcp_ofo_reset(struct xtcp_ofo *o)
{
	struct xtcp_ofo_range *r = o->r;

	memset(o, 0, sizeof(*o));
	o->r = r;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_ofo_reset);

/**
 * xtcp_ofo_reserve() - the ranges' memory, before the first range is held
 * @o: the state
 *
 * In softirq context (GFP_ATOMIC); a failure is a segment dropped and
 * counted, as for any receive memory.
 *
 * Return: 0 or -ENOMEM.
 */
int xtcp_ofo_reserve(struct xtcp_ofo *o)
{
	if (likely(o->r))
		return 0;
	o->r = kmalloc_array(XTCP_OFO_MAX_RANGES, sizeof(*o->r), GFP_ATOMIC);
	return o->r ? 0 : -ENOMEM;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_ofo_reserve);

/* nothing held any more, and the ranges' memory freed */
void xtcp_ofo_free(struct xtcp_ofo *o)
{
	kfree(o->r);
	memset(o, 0, sizeof(*o));
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_ofo_free);

/**
 * xtcp_ofo_new_bytes() - how many sequence numbers of [@start, @end) are
 *	not held yet
 * @o: the state
 * @start: first sequence number
 * @end: one after the last
 */
u32 xtcp_ofo_new_bytes(const struct xtcp_ofo *o, u32 start, u32 end)
{
	u32 n = end - start;
	unsigned int i;

	if (!xtcp_seq_lt(start, end))
		return 0;
	for (i = 0; i < o->n; i++) {
		u32 lo = xtcp_seq_max(start, o->r[i].start);
		u32 hi = xtcp_seq_min(end, o->r[i].end);

		if (xtcp_seq_lt(lo, hi))
			n -= hi - lo;
	}
	return n;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_ofo_new_bytes);

/**
 * xtcp_ofo_dup() - the lowest part of [@start, @end) already held: what a
 *	D-SACK block reports (RFC 2883 §4, one contiguous duplicate)
 * @o: the state
 * @start: first sequence number
 * @end: one after the last
 * @dup: set to the duplicate range
 *
 * Return: false when nothing of it is held.
 */
bool xtcp_ofo_dup(const struct xtcp_ofo *o, u32 start, u32 end,
		  struct xtcp_ofo_range *dup)
{
	bool found = false;
	unsigned int i;

	for (i = 0; i < o->n; i++) {
		u32 lo = xtcp_seq_max(start, o->r[i].start);
		u32 hi = xtcp_seq_min(end, o->r[i].end);

		if (!xtcp_seq_lt(lo, hi))
			continue;
		if (!found || xtcp_seq_lt(lo, dup->start)) {
			dup->start = lo;
			dup->end = hi;
			found = true;
		}
	}
	return found;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_ofo_dup);

/* can [@start, @end) be added without a range more than the maximum? */
bool xtcp_ofo_can_add(const struct xtcp_ofo *o, u32 start, u32 end)
{
	unsigned int i;

	if (o->n < XTCP_OFO_MAX_RANGES)
		return true;
	for (i = 0; i < o->n; i++)
		if (xtcp_ofo_touches(&o->r[i], start, end))
			return true;
	return false;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_ofo_can_add);

/**
 * xtcp_ofo_add() - hold [@start, @end): merged with every range it
 *	overlaps or touches, the result first (the most recent block)
 * @o: the state
 * @start: first sequence number
 * @end: one after the last
 *
 * Return: the number of ranges merged into it (0: a new range), or
 *	-ENOSPC when it would be one range too many, -ENOMEM without
 *	xtcp_ofo_reserve() first (nothing changed).
 */
int xtcp_ofo_add(struct xtcp_ofo *o, u32 start, u32 end)
{
	unsigned int i = 0;
	int merged = 0;

	if (!o->r)
		return -ENOMEM;
	if (!xtcp_ofo_can_add(o, start, end))
		return -ENOSPC;
	/* one pass is enough: ranges neither overlap nor touch, so what a
	 * merge adds cannot touch a range already passed
	 */
	while (i < o->n) {
		if (!xtcp_ofo_touches(&o->r[i], start, end)) {
			i++;
			continue;
		}
		start = xtcp_seq_min(start, o->r[i].start);
		end = xtcp_seq_max(end, o->r[i].end);
		xtcp_ofo_remove(o, i);
		merged++;
	}
	o->n++;
	xtcp_ofo_front(o, o->n - 1);
	o->r[0].start = start;
	o->r[0].end = end;
	return merged;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_ofo_add);

/* a duplicate arrived inside the range holding @seq: it becomes the first
 * block after the D-SACK block (RFC 2883 §4 rule 4)
 */
void xtcp_ofo_touch(struct xtcp_ofo *o, u32 seq)
{
	unsigned int i;

	for (i = 0; i < o->n; i++) {
		if (xtcp_seq_in(seq, o->r[i].start, o->r[i].end)) {
			xtcp_ofo_front(o, i);
			return;
		}
	}
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_ofo_touch);

/**
 * xtcp_ofo_take() - RCV.NXT reached @rcv_nxt: the ranges starting at or
 *	below it become in-order and leave the state
 * @o: the state
 * @rcv_nxt: RCV.NXT after the in-order data
 *
 * Return: the new RCV.NXT for the data: the end of the contiguous bytes
 *	taken, never beyond a FIN held out of order (its sequence number is
 *	the FIN's to consume).
 */
u32 xtcp_ofo_take(struct xtcp_ofo *o, u32 rcv_nxt)
{
	unsigned int i = 0;

	while (i < o->n) {
		if (!xtcp_seq_leq(o->r[i].start, rcv_nxt)) {
			i++;
			continue;
		}
		rcv_nxt = xtcp_seq_max(rcv_nxt, o->r[i].end);
		xtcp_ofo_remove(o, i);
		i = 0;	/* RCV.NXT moved: look again */
	}
	if (o->fin && xtcp_seq_gt(rcv_nxt, o->fin_seq))
		rcv_nxt = o->fin_seq;
	return rcv_nxt;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_ofo_take);

/* the glue dropped what it held at and above @seq (memory pressure) */
void xtcp_ofo_cut(struct xtcp_ofo *o, u32 seq)
{
	unsigned int i = 0;

	while (i < o->n) {
		if (xtcp_seq_leq(seq, o->r[i].start)) {
			xtcp_ofo_remove(o, i);
			continue;
		}
		if (xtcp_seq_lt(seq, o->r[i].end))
			o->r[i].end = seq;
		i++;
	}
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_ofo_cut);

/* report [@start, @end) as a duplicate in the next ACK (RFC 2883): only the
 * most recent segment's duplicate is reported
 */
void xtcp_ofo_set_dsack(struct xtcp_ofo *o, u32 start, u32 end)
{
	o->dsack = 1;
	o->dsack_r.start = start;
	o->dsack_r.end = end;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_ofo_set_dsack);

/**
 * xtcp_ofo_sack() - the SACK blocks of the next ACK: the D-SACK block
 *	first when one is due (it is reported once), then the held ranges,
 *	most recent first (RFC 2018 §4)
 * @o: the state
 * @b: filled with up to @max blocks
 * @max: room in @b
 *
 * Return: the number of blocks.
 */
unsigned int xtcp_ofo_sack(struct xtcp_ofo *o, struct xtcp_sack_block *b,
			   unsigned int max)
{
	unsigned int k = 0, i;

	if (o->dsack && k < max) {
		b[k].start = o->dsack_r.start;
		b[k].end = o->dsack_r.end;
		k++;
		o->dsack = 0;
	}
	for (i = 0; i < o->n && k < max; i++, k++) {
		b[k].start = o->r[i].start;
		b[k].end = o->r[i].end;
	}
	return k;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_ofo_sack);
