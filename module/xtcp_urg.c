// SPDX-License-Identifier: GPL-2.0
/*
 * XTCP urgent data (RFC 9293 §3.8.5, RFC 6093): where the mark is, which
 * byte is urgent, what a reader may take, what a segment carries. Pure
 * functions, as Linux's tcp_check_urg(), tcp_urg(), tcp_recv_urg(),
 * tcp_inq() and the urgent-pointer code of tcp_transmit_skb().
 */
#include <linux/errno.h>
#include <linux/export.h>
#include <kunit/visibility.h>

#include "xtcp_core.h"
#include "xtcp_urg.h"

/**
 * xtcp_urg_check() - a segment with URG is acceptable (RFC 9293 §3.10.7.4
 *	sixth): record its mark, as tcp_check_urg()
 * @u: the state
 * @seq: SEG.SEQ
 * @up: SEG.UP
 * @rcv_nxt: RCV.NXT before the segment's data
 *
 * RFC 6093 §2 (and Linux without tcp_stdurg): SEG.UP points one past the
 * urgent byte. A mark below RCV.NXT is not replayed, nor an older one.
 */
void xtcp_urg_check(struct xtcp_urg *u, u32 seq, u16 up, u32 rcv_nxt)
{
	u32 ptr = seq + (up ? up - 1 : 0);

	if (xtcp_seq_lt(ptr, rcv_nxt))
		return;
	if (u->data && !xtcp_seq_gt(ptr, u->seq))
		return;
	u->ev |= XTCP_URG_EV_SIG;
	/* an urgent byte already received, superseded: if the reader is at
	 * it and not inline, it never shows as data (tcp_check_urg)
	 */
	if (u->data & (XTCP_URG_VALID | XTCP_URG_READ)) {
		u->ev |= XTCP_URG_EV_SKIP;
		u->skip_seq = u->seq;
	}
	WRITE_ONCE(u->data, XTCP_URG_NOTYET);
	WRITE_ONCE(u->seq, ptr);
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_urg_check);

/**
 * xtcp_urg_arrived() - data [@from, @to) came in order: if it holds the
 *	awaited urgent byte, the glue takes it from the receive queue
 * @u: the state
 * @from: RCV.NXT before
 * @to: end of the data now in order (a FIN not counted)
 */
void xtcp_urg_arrived(struct xtcp_urg *u, u32 from, u32 to)
{
	if (u->data == XTCP_URG_NOTYET && xtcp_seq_gt(to, from) &&
	    xtcp_seq_in(u->seq, from, to))
		u->ev |= XTCP_URG_EV_BYTE;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_urg_arrived);

/* the glue read the urgent byte out of the queue */
void xtcp_urg_set_byte(struct xtcp_urg *u, u8 byte)
{
	WRITE_ONCE(u->data, XTCP_URG_VALID | byte);
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_urg_set_byte);

/**
 * xtcp_urg_read_len() - bytes a reader at @seq may take of @avail in
 *	order, as tcp_recvmsg(): up to the mark; at the mark the urgent
 *	byte is skipped first unless inline
 * @u: the state
 * @seq: sequence number of the reader's next byte
 * @avail: contiguous bytes from @seq
 * @inl: SO_OOBINLINE
 * @skip: set when one byte at @seq is to be skipped before the rest
 *
 * Return: bytes to copy after the skipped one.
 */
u32 xtcp_urg_read_len(const struct xtcp_urg *u, u32 seq, u32 avail,
		      bool inl, bool *skip)
{
	u32 off;

	*skip = false;
	if (!u->data)
		return avail;
	off = u->seq - seq;
	if (off >= avail)
		return avail;
	if (off)
		return off;
	if (inl)
		return avail;
	*skip = true;
	return avail - 1;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_urg_read_len);

/* a read that has copied something stops at the mark (tcp_recvmsg) */
bool xtcp_urg_stop(const struct xtcp_urg *u, u32 seq)
{
	return u->data && u->seq == seq;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_urg_stop);

/* the reader passed the mark: the urgent data is gone */
void xtcp_urg_consumed(struct xtcp_urg *u, u32 copied_seq)
{
	if (u->data && xtcp_seq_gt(copied_seq, u->seq))
		WRITE_ONCE(u->data, 0);
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_urg_consumed);

/**
 * xtcp_urg_inq() - SIOCINQ as tcp_inq(): the bytes before a mark ahead
 * @u: the state
 * @seq: the reader's next byte
 * @avail: bytes queued in order from @seq
 * @inl: SO_OOBINLINE
 *
 * Return: bytes readable.
 */
u32 xtcp_urg_inq(const struct xtcp_urg *u, u32 seq, u32 avail, bool inl)
{
	u32 mark = READ_ONCE(u->seq);

	if (inl || !READ_ONCE(u->data) || xtcp_seq_lt(mark, seq) ||
	    !xtcp_seq_lt(mark, seq + avail))
		return avail;
	return mark - seq;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_urg_inq);

/* poll's readable target (tcp_poll): the urgent byte at the reader does
 * not count unless inline
 */
u32 xtcp_urg_rcv_target(const struct xtcp_urg *u, u32 seq, bool inl,
			u32 target)
{
	if (!inl && READ_ONCE(u->data) && READ_ONCE(u->seq) == seq)
		return target + 1;
	return target;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_urg_rcv_target);

/**
 * xtcp_urg_recv() - recv(MSG_OOB), as tcp_recv_urg(): never blocks
 * @u: the state
 * @inl: SO_OOBINLINE (the byte is in the stream: nothing out of band)
 * @peek: MSG_PEEK: the byte stays
 * @eof: the connection is closed or shut for reading
 * @byte: the urgent byte
 *
 * Return: 1 with @byte, 0 at EOF, -EINVAL when there is no urgent data
 * (or it was read), -EAGAIN when its byte has not arrived.
 */
int xtcp_urg_recv(struct xtcp_urg *u, bool inl, bool peek, bool eof,
		  u8 *byte)
{
	if (inl || !u->data || u->data == XTCP_URG_READ)
		return -EINVAL;
	if (u->data & XTCP_URG_VALID) {
		*byte = u->data & 0xff;
		if (!peek)
			WRITE_ONCE(u->data, XTCP_URG_READ);
		return 1;
	}
	return eof ? 0 : -EAGAIN;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_urg_recv);

/* send(MSG_OOB) queued up to @snd_end: the last byte is urgent (tcp_push:
 * tcp_mark_urg)
 */
void xtcp_urg_mark(struct xtcp_urg *u, u32 snd_end)
{
	u->snd_up = snd_end;
	u->snd = 1;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_urg_mark);

/**
 * xtcp_urg_out() - does a segment starting at @seq carry URG, as
 *	tcp_transmit_skb()
 * @u: the state
 * @snd_una: SND.UNA: urgent mode ends when it passes SND.UP
 * @snd_nxt: SND.NXT
 * @seq: the segment's sequence number
 * @ptr: SEG.UP to send
 *
 * A 16-bit pointer reaches 64 KB: farther marks send 0xFFFF while the
 * window of the segment allows (RFC 6093 §4 leaves it to the sender).
 * Return: whether to set URG.
 */
bool xtcp_urg_out(struct xtcp_urg *u, u32 snd_una, u32 snd_nxt, u32 seq,
		  u16 *ptr)
{
	if (!u->snd)
		return false;
	if (!xtcp_seq_gt(u->snd_up, snd_una)) {
		u->snd = 0;	/* acknowledged: urgent mode ends */
		return false;
	}
	if (!xtcp_seq_lt(seq, u->snd_up))
		return false;
	if (xtcp_seq_lt(u->snd_up, seq + 0x10000)) {
		*ptr = u->snd_up - seq;
		return true;
	}
	if (xtcp_seq_gt(seq + 0xFFFF, snd_nxt)) {
		*ptr = 0xFFFF;
		return true;
	}
	return false;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_urg_out);
