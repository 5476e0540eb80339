// SPDX-License-Identifier: GPL-2.0
/*
 * XTCP buffer sizing, as Linux's TCP does it: see xtcp_buf.h.
 */
#include <linux/kernel.h>
#include <linux/export.h>
#include <linux/log2.h>
#include <linux/math64.h>
#include <kunit/visibility.h>

#include "xtcp_buf.h"

#define XTCP_BUF_MAX_WSCALE	14	/* RFC 7323 §2.3 */
#define XTCP_BUF_INIT_CWND	10	/* RFC 6928, TCP_INIT_CWND */

/**
 * xtcp_buf_wscale() - the window scale to offer (RFC 7323 §2.2)
 * @space: the largest window the connection may ever offer, in bytes
 *
 * As tcp_select_initial_window(): the shift that lets the 16-bit field
 * express @space, ilog2(space) - 15 within 0..14. A host whose tcp_rmem
 * maximum is 6 MB offers 7, one with 15 MB offers 8.
 */
u8 xtcp_buf_wscale(u32 space)
{
	if (space <= U16_MAX)
		return 0;
	return clamp_t(int, ilog2(space) - 15, 0, XTCP_BUF_MAX_WSCALE);
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_buf_wscale);

/**
 * xtcp_buf_rcv_grow() - receive-buffer autotuning, tcp_rcv_space_adjust()
 * @copied: bytes the user read in the last RTT
 * @space: bytes read in the RTT before (the previous measure); > 0
 * @mss: the MSS we advertise
 * @rcvmem: buffer memory (truesize) one MSS of data costs
 * @max: the largest receive buffer allowed (tcp_rmem[2])
 *
 * Twice what the user read per RTT (a loss costs a round trip) plus 16
 * segments of cushion, and twice again the growth since the last RTT (a
 * sender in slow start doubles each RTT, and the window we advertise now
 * is used in the next one); converted to memory per segment.
 * Return: the receive buffer wanted, at most @max; 0 when @copied did
 * not grow beyond @space (no new measure).
 */
u32 xtcp_buf_rcv_grow(u32 copied, u32 space, u32 mss, u32 rcvmem, u32 max)
{
	u64 rcvwin, grow;

	if (!space || !mss || copied <= space)
		return 0;
	rcvwin = ((u64)copied << 1) + 16ULL * mss;
	grow = div_u64(rcvwin * (copied - space), space);
	rcvwin += grow << 1;
	rcvwin = div_u64(rcvwin, mss);
	return (u32)min_t(u64, rcvwin * rcvmem, max);
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_buf_rcv_grow);

/**
 * xtcp_buf_snd_expand() - the send buffer a congestion window needs,
 *	tcp_sndbuf_expand()
 * @cwnd_segs: congestion window in segments
 * @per_mss: memory one segment costs in the send queue
 *
 * Twice the larger of the window and the initial window (fast recovery
 * keeps about 1.7 windows queued; CUBIC's factor rounded up).
 * Return: bytes of send buffer.
 */
u32 xtcp_buf_snd_expand(u32 cwnd_segs, u32 per_mss)
{
	u64 segs = max_t(u32, cwnd_segs, XTCP_BUF_INIT_CWND);

	return (u32)min_t(u64, 2 * segs * per_mss, INT_MAX);
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_buf_snd_expand);

/**
 * xtcp_buf_wq_goal() - payload one send-queue skb gathers in page
 *	fragments before the next write starts a new one, as
 *	tcp_xmit_size_goal() bounds an skb
 * @sndbuf: sk_sndbuf
 *
 * A GSO skb's worth (64 KB), but no more than half the send buffer: the
 * send buffer is checked only when an skb is started, so a small one is
 * not overshot by a whole 64 KB skb. At least 2 KB, so that small writes
 * share an skb.
 * Return: bytes.
 */
u32 xtcp_buf_wq_goal(u32 sndbuf)
{
	return clamp_t(u32, sndbuf / 2, XTCP_BUF_WQ_GOAL_MIN,
		       XTCP_BUF_WQ_GOAL_MAX);
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_buf_wq_goal);
