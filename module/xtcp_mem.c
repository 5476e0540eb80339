// SPDX-License-Identifier: GPL-2.0
/*
 * XTCP memory: receive data is charged by skb truesize against sk_rcvbuf
 * and, through the proto, against the host-wide limit net.xtcp.mem (pages:
 * min, pressure, max, with Linux's tcp_mem semantics); tiny segments are
 * coalesced into the queue's tail or collapsed into compact skbs (as
 * Linux's tcp_collapse) before data is refused; too many orphans, or an
 * orphan holding memory above the hard limit, are reset at close (as
 * tcp_check_oom).
 */
#include <linux/mm.h>
#include <linux/percpu.h>
#include <linux/percpu_counter.h>
#include <linux/seq_file.h>
#include <linux/skbuff.h>
#include <net/sock.h>
#include <net/tcp.h>

#include "xtcp.h"
#include "xtcp_buf.h"

static DEFINE_PER_CPU(int, xtcp_fw_alloc);
static DEFINE_PER_CPU(unsigned int, xtcp_orphans);
static atomic_long_t xtcp_memory_allocated;
static struct percpu_counter xtcp_sockets_allocated;
static unsigned long xtcp_memory_pressure;
/* net.xtcp.mem (pages), net.xtcp.max_orphans: host-wide, as tcp_mem */
long xtcp_sysctl_mem[3];
int xtcp_max_orphans = 16384;
/* per-socket floors that pressure never takes away (as tcp_rmem[0]) */
static int xtcp_rmem0 = 4096;
static int xtcp_wmem0 = 4096;

static void xtcp_enter_memory_pressure(struct sock *sk)
{
	if (READ_ONCE(xtcp_memory_pressure))
		return;
	WRITE_ONCE(xtcp_memory_pressure, 1);
	XTCP_INC_STATS(xtcp_pernet(sock_net(sk)), XTCP_MIB_MEMPRESSURES);
}

static void xtcp_leave_memory_pressure(struct sock *sk)
{
	if (READ_ONCE(xtcp_memory_pressure))
		WRITE_ONCE(xtcp_memory_pressure, 0);
}

/* the proto fields that make sk_mem_schedule() and friends account */
void xtcp_mem_proto(struct proto *p)
{
	p->memory_allocated = &xtcp_memory_allocated;
	p->per_cpu_fw_alloc = &xtcp_fw_alloc;
	p->sockets_allocated = &xtcp_sockets_allocated;
	p->memory_pressure = &xtcp_memory_pressure;
	p->enter_memory_pressure = xtcp_enter_memory_pressure;
	p->leave_memory_pressure = xtcp_leave_memory_pressure;
	p->sysctl_mem = xtcp_sysctl_mem;
	p->sysctl_rmem = &xtcp_rmem0;
	p->sysctl_wmem = &xtcp_wmem0;
	p->orphan_count = &xtcp_orphans;
}

int xtcp_mem_init(void)
{
	unsigned long limit = max(nr_free_buffer_pages() / 16, 128UL);

	/* tcp_init_mem()'s defaults */
	xtcp_sysctl_mem[0] = limit / 4 * 3;
	xtcp_sysctl_mem[1] = limit;
	xtcp_sysctl_mem[2] = xtcp_sysctl_mem[0] * 2;
	return percpu_counter_init(&xtcp_sockets_allocated, 0, GFP_KERNEL);
}

void xtcp_mem_exit(void)
{
	percpu_counter_destroy(&xtcp_sockets_allocated);
}

/* pages charged to XTCP, exact: the per-CPU reserves included */
static long xtcp_mem_pages(void)
{
	long pages = atomic_long_read(&xtcp_memory_allocated);
	int cpu;

	for_each_possible_cpu(cpu)
		pages += per_cpu(xtcp_fw_alloc, cpu);
	return pages;
}

/**
 * xtcp_mem_reclaim() - sk_mem_reclaim(), then leave memory pressure once
 *	the exact sum is below net.xtcp.mem[0]
 * @sk: the socket, locked
 *
 * __sk_mem_reduce_allocated() compares only the global counter, which
 * lags the per-CPU reserves (up to 1 MB a CPU on 6.1, where
 * net.core.mem_pcpu_rsv does not exist): with a small net.xtcp.mem the
 * pressure would outlive the memory that caused it.
 */
void xtcp_mem_reclaim(struct sock *sk)
{
	sk_mem_reclaim(sk);
	if (READ_ONCE(xtcp_memory_pressure) &&
	    xtcp_mem_pages() < sk_prot_mem_limits(sk, 0))
		xtcp_leave_memory_pressure(sk);
}

/* for /proc/net/xtcp_stat: MemPages exact (with the per-CPU reserves) */
void xtcp_mem_show(struct seq_file *f)
{
	long pages = xtcp_mem_pages();

	seq_printf(f, "MemPages %ld\nMemPressure %lu\nSockets %lld\nOrphans %u\n",
		   max(pages, 0L),
		   READ_ONCE(xtcp_memory_pressure),
		   percpu_counter_sum_positive(&xtcp_sockets_allocated),
		   xtcp_orphan_count());
}

unsigned int xtcp_orphan_count(void)
{
	unsigned int n = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		n += per_cpu(xtcp_orphans, cpu);
	return n;
}

/* @sk was close()d and lives on as an orphan until it is destroyed */
void xtcp_orphan_inc(struct sock *sk)
{
	xtcp_sk(sk)->orphan_counted = 1;
	this_cpu_inc(xtcp_orphans);
}

void xtcp_orphan_dec(struct sock *sk)
{
	if (!xtcp_sk(sk)->orphan_counted)
		return;
	xtcp_sk(sk)->orphan_counted = 0;
	this_cpu_dec(xtcp_orphans);
}

/**
 * xtcp_check_oom() - may a closing socket live on as an orphan? As
 *	Linux's tcp_check_oom(): not when the orphans exceed
 *	net.xtcp.max_orphans, nor when it holds send memory while the proto
 *	is above its hard limit.
 * @sk: the socket, counted as an orphan already
 */
bool xtcp_check_oom(struct sock *sk)
{
	if (xtcp_orphan_count() > (unsigned int)READ_ONCE(xtcp_max_orphans)) {
		net_info_ratelimited("xtcp: too many orphaned sockets\n");
		return true;
	}
	if (sk->sk_wmem_queued > SOCK_MIN_SNDBUF &&
	    sk_memory_allocated(sk) > sk_prot_mem_limits(sk, 2)) {
		net_info_ratelimited("xtcp: out of memory -- consider tuning net.xtcp.mem\n");
		return true;
	}
	return false;
}

/* as Linux's sk_forced_mem_schedule(): charge even above the limits */
static void xtcp_forced_mem_schedule(struct sock *sk, int size)
{
	int delta = size - sk->sk_forward_alloc, amt;

	if (delta <= 0)
		return;
	amt = sk_mem_pages(delta);
	sk_forward_alloc_add(sk, amt << PAGE_SHIFT);
	/* sk_memory_allocated_add() needs sysctl_mem_pcpu_rsv, which 6.1
	 * does not export; the per-CPU reserve only batches this sum
	 */
	atomic_long_add(amt, sk->sk_prot->memory_allocated);
}

/**
 * xtcp_wmem_schedule() - memory for @size bytes of the send queue, as
 *	tcp_wmem_schedule(): above the limits a socket with less than
 *	wmem[0] (4 KB) queued is charged all the same, so that a send
 *	with nothing in flight (no ack to wait for) still progresses
 * @sk: the socket, locked
 * @size: bytes wanted
 *
 * Return: the bytes that may be queued, 0 to wait for memory.
 */
int xtcp_wmem_schedule(struct sock *sk, int size)
{
	int left;

	if (likely(sk_wmem_schedule(sk, size)))
		return size;
	left = READ_ONCE(xtcp_wmem0) - sk->sk_wmem_queued;
	if (left > 0)
		xtcp_forced_mem_schedule(sk, min(left, size));
	return min(size, sk->sk_forward_alloc);
}

/* payload bytes of a queued skb and where they start */
static u32 xtcp_rq_len(const struct sk_buff *skb)
{
	return XTCP_SKB_CB(skb)->seg.len;
}

/* as tcp_win_from_space(): is truesize more than twice the payload? */
static bool xtcp_bloated(const struct sk_buff *skb)
{
	return skb->truesize / 2 > xtcp_rq_len(skb);
}

/* compact skbs: one page of data (SKB_MAX_ORDER(0, 0), as tcp_collapse) */
#define XTCP_COLLAPSE_SIZE	SKB_MAX_ORDER(0, 0)

/**
 * xtcp_collapse() - copy the payload of bloated skbs of the receive queue
 *	into compact ones, as Linux's tcp_collapse(); order and bytes kept.
 * @sk: the socket, locked
 */
static void xtcp_collapse(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct sk_buff_head old;
	struct sk_buff *skb, *nskb = NULL;
	struct xtcp_net *xn = xtcp_pernet(sock_net(sk));

	/* fold the partly read head into its offsets */
	skb = skb_peek(&sk->sk_receive_queue);
	if (skb && xs->rx_off) {
		XTCP_SKB_CB(skb)->doff += xs->rx_off;
		XTCP_SKB_CB(skb)->seg.len -= xs->rx_off;
		xs->rx_off = 0;
	}
	__skb_queue_head_init(&old);
	skb_queue_splice_init(&sk->sk_receive_queue, &old);
	while ((skb = __skb_dequeue(&old))) {
		struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);

		if (!xtcp_bloated(skb)) {
			nskb = NULL;
			__skb_queue_tail(&sk->sk_receive_queue, skb);
			continue;
		}
		while (cb->seg.len) {
			u32 n;

			if (!nskb || !skb_tailroom(nskb)) {
				nskb = alloc_skb(XTCP_COLLAPSE_SIZE, GFP_ATOMIC);
				if (!nskb)
					break;
				memset(nskb->cb, 0, sizeof(nskb->cb));
				skb_set_owner_r(nskb, sk);
				__skb_queue_tail(&sk->sk_receive_queue, nskb);
			}
			n = min_t(u32, cb->seg.len, skb_tailroom(nskb));
			if (WARN_ON_ONCE(skb_copy_bits(skb, cb->doff,
						       skb_put(nskb, n), n)))
				break;
			XTCP_SKB_CB(nskb)->seg.len += n;
			cb->doff += n;
			cb->seg.len -= n;
		}
		if (cb->seg.len) {	/* no memory: keep the rest as it is */
			nskb = NULL;
			__skb_queue_tail(&sk->sk_receive_queue, skb);
			continue;
		}
		XTCP_INC_STATS(xn, XTCP_MIB_RCVCOLLAPSED);
		kfree_skb(skb);
	}
	xtcp_mem_reclaim(sk);
}

/* as tcp_prune_queue(): collapse, then drop held out-of-order data at and
 * above @seq
 */
static int xtcp_prune_queue(struct sock *sk, u32 seq)
{
	struct xtcp_net *xn = xtcp_pernet(sock_net(sk));

	XTCP_INC_STATS(xn, XTCP_MIB_PRUNECALLED);
	if (atomic_read(&sk->sk_rmem_alloc) <= sk->sk_rcvbuf)
		return 0;
	xtcp_collapse(sk);
	if (atomic_read(&sk->sk_rmem_alloc) <= sk->sk_rcvbuf)
		return 0;
	xtcp_ofo_prune(sk, seq);
	if (atomic_read(&sk->sk_rmem_alloc) <= sk->sk_rcvbuf)
		return 0;
	XTCP_INC_STATS(xn, XTCP_MIB_RCVPRUNED);
	return -1;
}

/**
 * xtcp_rmem_over_limit() - would @size more bytes of receive memory take
 *	XTCP above net.xtcp.mem[2], counted exactly?
 * @sk: the socket, locked
 * @size: the truesize to charge
 *
 * The kernel compares net.xtcp.mem with the global counter, which lags
 * each CPU's reserve by up to net.core.mem_pcpu_rsv pages (1 MB): with
 * 2 CPUs and net.xtcp.mem at 120 pages, 12 receivers that never read held
 * 439 pages and never met the limit. Near the limits the sum is taken
 * with the reserves (as percpu_counter_compare() does): pressure above
 * net.xtcp.mem[1], refusal above [2]. Far below them it costs one read.
 *
 * Return: true to refuse the charge.
 */
static bool xtcp_rmem_over_limit(struct sock *sk, int size)
{
	long hidden = (long)num_possible_cpus() * xtcp_mem_pcpu_rsv();
	long pages;

	if (size <= sk->sk_forward_alloc ||
	    atomic_long_read(&xtcp_memory_allocated) + hidden <=
	    sk_prot_mem_limits(sk, 1))
		return false;
	pages = xtcp_mem_pages() + sk_mem_pages(size - sk->sk_forward_alloc);
	if (pages > sk_prot_mem_limits(sk, 1))
		xtcp_enter_memory_pressure(sk);
	return pages > sk_prot_mem_limits(sk, 2);
}

/* charge @skb to @sk's receive memory: the exact limit, then the kernel's */
static bool xtcp_rmem_charge(struct sock *sk, struct sk_buff *skb)
{
	return !xtcp_rmem_over_limit(sk, skb->truesize) &&
	       sk_rmem_schedule(sk, skb, skb->truesize);
}

/* as tcp_try_rmem_schedule(): room for @skb, whose data starts at @seq
 * (out-of-order data above it may be dropped for it)
 */
bool xtcp_rmem_schedule(struct sock *sk, struct sk_buff *skb, u32 seq)
{
	if (atomic_read(&sk->sk_rmem_alloc) > sk->sk_rcvbuf ||
	    !xtcp_rmem_charge(sk, skb)) {
		if (xtcp_prune_queue(sk, seq) < 0)
			return false;
		while (!xtcp_rmem_charge(sk, skb))
			if (!xtcp_ofo_prune(sk, seq))
				return false;
	}
	return true;
}

/*
 * Append the payload to the queue's tail skb when it fits in its tailroom
 * (Linux coalesces too: tcp_try_coalesce); the segment is then freed.
 */
bool xtcp_try_coalesce(struct sock *sk, struct sk_buff *skb)
{
	struct sk_buff *tail = skb_peek_tail(&sk->sk_receive_queue);
	struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb), *tcb;

	if (!tail || skb_cloned(tail) || skb_is_nonlinear(tail))
		return false;
	tcb = XTCP_SKB_CB(tail);
	if (tcb->doff + tcb->seg.len != tail->len ||
	    skb_tailroom(tail) < cb->seg.len)
		return false;
	if (skb_copy_bits(skb, cb->doff, skb_put(tail, cb->seg.len),
			  cb->seg.len)) {
		__skb_trim(tail, tail->len - cb->seg.len);
		return false;
	}
	tcb->seg.len += cb->seg.len;
	XTCP_INC_STATS(xtcp_pernet(sock_net(sk)), XTCP_MIB_RCVCOALESCE);
	return true;
}

/**
 * xtcp_rcv_merge() - append an in-order segment's payload to the receive
 *	queue's tail skb without copying it, as tcp_try_coalesce(): its page
 *	fragments move over, and its head too, as one more fragment
 *	(skb_try_coalesce()); the tail's truesize grows by less than the
 *	segment's, and the reader walks one skb instead of two
 * @sk: the socket, locked; receive memory for @skb's truesize scheduled
 *	(@skb not charged: orphaned), or @skb charged to @sk (held
 *	out-of-order data)
 * @skb: the segment, cb->seg.len bytes of payload at cb->doff
 *
 * Return: true when merged: @skb is freed. False: nothing moved, though
 *	@skb may have lost its header (cb->doff 0 then) and any bytes after
 *	its payload.
 */
bool xtcp_rcv_merge(struct sock *sk, struct sk_buff *skb)
{
	struct sk_buff *tail = skb_peek_tail(&sk->sk_receive_queue);
	struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb), *tcb;
	u32 end = cb->doff + cb->seg.len;
	bool stolen;
	int delta;

	if (!tail || skb_shared(skb) || cb->doff > skb_headlen(skb) ||
	    skb->len < end)
		return false;
	tcb = XTCP_SKB_CB(tail);
	if (tcb->doff + tcb->seg.len != tail->len)
		return false;
	/* the payload alone: what follows it trimmed, the header pulled */
	if (skb->len > end && pskb_trim(skb, end))
		return false;
	__skb_pull(skb, cb->doff);
	cb->doff = 0;
	if (!skb_try_coalesce(tail, skb, &stolen, &delta))
		return false;
	tcb->seg.len += cb->seg.len;
	atomic_add(delta, &sk->sk_rmem_alloc);
	sk_mem_charge(sk, delta);
	XTCP_INC_STATS(xtcp_pernet(sock_net(sk)), XTCP_MIB_RCVCOALESCE);
	kfree_skb_partial(skb, stolen);
	return true;
}

/**
 * xtcp_rcv_queue() - queue an in-order segment's accepted payload
 *	(cb->doff, cb->seg.len already trimmed) for the user
 * @sk: the socket, locked
 * @skb: the segment
 *
 * Return: 1 queued or merged into the tail (the skb belongs to the queue
 *	now, or is freed), 0 copied into the tail (the caller frees @skb),
 *	-ENOMEM refused (counted; the caller frees @skb and the bytes are
 *	not acknowledged).
 */
int xtcp_rcv_queue(struct sock *sk, struct sk_buff *skb)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	u32 len = XTCP_SKB_CB(skb)->seg.len;

	if (xtcp_try_coalesce(sk, skb)) {
		WRITE_ONCE(xs->rcvq_bytes, xs->rcvq_bytes + len);
		return 0;
	}
	skb_orphan(skb);
	if (!xtcp_rmem_schedule(sk, skb, xtcp_sk(sk)->tcb.rcv_nxt)) {
		/* Linux keeps one segment even so: progress is possible */
		if (!skb_queue_empty(&sk->sk_receive_queue)) {
			XTCP_INC_STATS(xtcp_pernet(sock_net(sk)),
				       XTCP_MIB_RCVQDROP);
			atomic_inc(&sk->sk_drops);
			return -ENOMEM;
		}
		xtcp_forced_mem_schedule(sk, skb->truesize);
	}
	if (xtcp_rcv_merge(sk, skb)) {
		WRITE_ONCE(xs->rcvq_bytes, xs->rcvq_bytes + len);
		return 1;
	}
	skb_set_owner_r(skb, sk);
	__skb_queue_tail(&sk->sk_receive_queue, skb);
	WRITE_ONCE(xs->rcvq_bytes, xs->rcvq_bytes + len);
	return 1;
}

/* the window memory allows now */
u32 xtcp_rcv_space(struct sock *sk)
{
	return xtcp_rcv_space_calc(READ_ONCE(sk->sk_rcvbuf),
				   atomic_read(&sk->sk_rmem_alloc),
				   xtcp_sk(sk)->tcb.rcv_mss,
				   sk_under_memory_pressure(sk));
}

/* free a send-queue skb: sk_wmem_queued and the forward allocation */
void xtcp_wmem_free_skb(struct sock *sk, struct sk_buff *skb)
{
	sk_wmem_queued_add(sk, -skb->truesize);
	sk_mem_uncharge(sk, skb->truesize);
	__kfree_skb(skb);
}

/* ---- buffers that fit the path (as Linux's TCP) ---- */

/* sk_rcvbuf of a new socket: net.xtcp.rmem_default, else tcp_rmem[1] */
int xtcp_rmem_default(const struct net *net)
{
	return READ_ONCE(xtcp_pernet(net)->rmem) ? :
	       READ_ONCE(net->ipv4.sysctl_tcp_rmem[1]);
}

int xtcp_wmem_default(const struct net *net)
{
	return READ_ONCE(xtcp_pernet(net)->wmem) ? :
	       READ_ONCE(net->ipv4.sysctl_tcp_wmem[1]);
}

/* autotuning's bound: net.xtcp.rmem_max, else tcp_rmem[2] */
int xtcp_rmem_max(const struct net *net)
{
	return READ_ONCE(xtcp_pernet(net)->rmem_max) ? :
	       READ_ONCE(net->ipv4.sysctl_tcp_rmem[2]);
}

static int xtcp_wmem_max(const struct net *net)
{
	return READ_ONCE(xtcp_pernet(net)->wmem_max) ? :
	       READ_ONCE(net->ipv4.sysctl_tcp_wmem[2]);
}

static u64 xtcp_now_us(void)
{
	return div_u64(ktime_get_ns(), NSEC_PER_USEC);
}

/**
 * xtcp_sndbuf_expand() - a send buffer for the congestion window, as
 *	tcp_new_space() / tcp_sndbuf_expand(): unless the user set
 *	SO_SNDBUF, while memory is plentiful and the window is not full,
 *	grow sk_sndbuf to twice the window in memory per segment, up to
 *	net.xtcp.wmem_max (tcp_wmem[2]); never below the default size.
 * @sk: the socket, locked
 */
void xtcp_sndbuf_expand(struct sock *sk)
{
	struct xtcp_tcb *tcb = &xtcp_sk(sk)->tcb;
	u32 mss = xtcp_send_mss(tcb), per_mss, want;

	if ((sk->sk_userlocks & SOCK_SNDBUF_LOCK) ||
	    sk_under_memory_pressure(sk) ||
	    sk_memory_allocated(sk) >= sk_prot_mem_limits(sk, 0) ||
	    tcb->snd_nxt - tcb->snd_una >= tcb->cwnd || !mss)
		return;
	per_mss = roundup_pow_of_two(max_t(u32, tcb->snd_mss, mss) +
				     MAX_TCP_HEADER +
				     SKB_DATA_ALIGN(sizeof(struct skb_shared_info))) +
		  SKB_DATA_ALIGN(sizeof(struct sk_buff));
	want = min_t(u32, xtcp_buf_snd_expand(DIV_ROUND_UP(tcb->cwnd, mss),
					      per_mss),
		     xtcp_wmem_max(sock_net(sk)));
	want = max_t(u32, want, xtcp_wmem_default(sock_net(sk)));
	if (sk->sk_sndbuf < want)
		WRITE_ONCE(sk->sk_sndbuf, want);
}

/**
 * xtcp_buf_established() - the connection is synchronized: the first
 *	autotuning measure starts (10 segments or the window, as
 *	tcp_init_buffer_space) and the send buffer fits the initial window.
 * @sk: the socket, locked
 */
void xtcp_buf_established(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	xs->rcvq_space = min_t(u32, xs->tcb.rcv_wnd, 10U * xs->tcb.rcv_mss) ?:
			 xs->tcb.rcv_mss;
	/* the sequence number of the next byte to read (urgent data) */
	xs->copied_seq = xs->tcb.rcv_nxt - xs->rcvq_bytes;
	xs->rcvq_seq = xs->copied_seq;
	xs->rcvq_time_us = xtcp_now_us();
	xtcp_sndbuf_expand(sk);
}

/**
 * xtcp_rcv_space_adjust() - receive-buffer autotuning after the user read
 *	data, as tcp_rcv_space_adjust(): once per receiver RTT (from
 *	timestamps, else the smoothed RTT), when the user read more than in
 *	the RTT before, grow sk_rcvbuf (xtcp_buf_rcv_grow) up to
 *	net.xtcp.rmem_max (tcp_rmem[2]); not when SO_RCVBUF was set or
 *	net.ipv4.tcp_moderate_rcvbuf is 0.
 * @sk: the socket, locked
 */
void xtcp_rcv_space_adjust(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct net *net = sock_net(sk);
	u32 rtt = xs->tcb.rcv_rtt_us >> 3 ? : xs->tcb.srtt_us >> 3;
	u32 mss = xs->tcb.rcv_mss, copied, rcvmem, buf;
	u64 now = xtcp_now_us();

	if (!rtt || !xs->rcvq_space || now - xs->rcvq_time_us < rtt)
		return;
	copied = xs->copied_seq - xs->rcvq_seq;
	if (copied > xs->rcvq_space) {
		if (READ_ONCE(net->ipv4.sysctl_tcp_moderate_rcvbuf) &&
		    !(sk->sk_userlocks & SOCK_RCVBUF_LOCK)) {
			/* the window is half the memory (xtcp_rcv_space) */
			rcvmem = SKB_TRUESIZE(mss + MAX_TCP_HEADER);
			while (rcvmem / 2 < mss)
				rcvmem += 128;
			buf = xtcp_buf_rcv_grow(copied, xs->rcvq_space, mss,
						rcvmem, xtcp_rmem_max(net));
			if (buf > (u32)sk->sk_rcvbuf)
				WRITE_ONCE(sk->sk_rcvbuf, buf);
		}
		xs->rcvq_space = copied;
	}
	xs->rcvq_seq = xs->copied_seq;
	xs->rcvq_time_us = now;
}
