/* SPDX-License-Identifier: GPL-2.0 */
/*
 * XTCP buffers that fit the path: the window scale chosen from the
 * largest receive buffer, receive-buffer autotuning and send-buffer
 * growth, as Linux's tcp_select_initial_window(), tcp_rcv_space_adjust()
 * and tcp_sndbuf_expand(). Pure arithmetic, KUnit-tested in
 * kunit/xtcp_ts_test.c; the glue (xtcp_mem.c) measures and applies.
 */
#ifndef _XTCP_BUF_H
#define _XTCP_BUF_H

#include <linux/types.h>

u8 xtcp_buf_wscale(u32 space);
u32 xtcp_buf_rcv_grow(u32 copied, u32 space, u32 mss, u32 rcvmem, u32 max);
u32 xtcp_buf_snd_expand(u32 cwnd_segs, u32 per_mss);

/* payload of one send-queue skb (page fragments): least, most */
#define XTCP_BUF_WQ_GOAL_MIN	2048U
#define XTCP_BUF_WQ_GOAL_MAX	65536U
u32 xtcp_buf_wq_goal(u32 sndbuf);

#endif /* _XTCP_BUF_H */
