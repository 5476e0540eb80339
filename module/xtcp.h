/* SPDX-License-Identifier: GPL-2.0 */
/*
 * XTCP internal types: the Linux glue around the protocol core.
 */
#ifndef _XTCP_H
#define _XTCP_H

#include <linux/types.h>
#include <linux/list.h>
#include <linux/timer.h>
#include <linux/spinlock.h>
#include <linux/refcount.h>
#include <linux/skbuff.h>
#include <net/sock.h>
#include <net/inet_sock.h>
#include <net/ipv6.h>
#include <net/net_namespace.h>
#include <net/tcp_states.h>
#include <linux/siphash.h>
#include <linux/list_nulls.h>
#include <net/inet_connection_sock.h>

#include "xtcp_compat.h"
#include "xtcp_core.h"
#include "xtcp_tcpopt.h"

/*
 * sk_protocol of every XTCP socket. Kernel code takes a socket whose
 * sk_protocol is IPPROTO_TCP for a struct tcp_sock (sk_is_tcp():
 * sock_set_timestamping() reads tcp_sk(sk)->snd_una, OPT_STATS, sockmap,
 * bpf_tcp_sock(), bpf_skc_to_tcp_sock()); an xtcp_sock is not one.
 * 0x206 is no IP protocol, and its low byte is IPPROTO_TCP: the 8-bit
 * fields ip_queue_xmit() fills from sk_protocol (iph->protocol,
 * flowi4_proto on a re-route) still say TCP. getsockopt(SO_PROTOCOL)
 * answers this number (sock_getsockopt() cannot be intercepted).
 */
#define XTCP_SK_PROTOCOL	(IPPROTO_TCP + 0x200)
#include "xtcp_icmp_core.h"

/* MIB counters, /proc/net/xtcp_stat (names in xtcp_proc.c) */
enum xtcp_mib {
	XTCP_MIB_ACTIVEOPENS,
	XTCP_MIB_PASSIVEOPENS,
	XTCP_MIB_ATTEMPTFAILS,
	XTCP_MIB_ESTABRESETS,
	XTCP_MIB_CURRESTAB,
	XTCP_MIB_INSEGS,
	XTCP_MIB_OUTSEGS,
	XTCP_MIB_RETRANSSEGS,
	XTCP_MIB_INERRS,
	XTCP_MIB_INCSUMERRORS,
	XTCP_MIB_OUTRSTS,
	XTCP_MIB_TIMEWAITS,
	XTCP_MIB_TIMEWAITRECYCLED,
	XTCP_MIB_TIMEWAITKILLED,
	XTCP_MIB_LISTENDROPS,
	XTCP_MIB_LISTENOVERFLOWS,
	XTCP_MIB_BACKLOGGED,
	XTCP_MIB_DATAIN,
	XTCP_MIB_DATAOUT,
	XTCP_MIB_NOSOCKRSTS,
	XTCP_MIB_TIMEOUTS,
	XTCP_MIB_FINWAIT2TIMEOUTS,
	XTCP_MIB_SYNQDROPS,
	XTCP_MIB_INFRAGDROPS,
	XTCP_MIB_INBADFLAGS,
	XTCP_MIB_SYNCOOKIESSENT,
	XTCP_MIB_SYNCOOKIESRECV,
	XTCP_MIB_SYNCOOKIESFAILED,
	XTCP_MIB_ICMPERRS,
	XTCP_MIB_ICMPPMTU,
	XTCP_MIB_OUTOFWINDOWICMPS,
	XTCP_MIB_PRUNECALLED,
	XTCP_MIB_RCVPRUNED,
	XTCP_MIB_RCVCOLLAPSED,
	XTCP_MIB_RCVCOALESCE,
	XTCP_MIB_RCVQDROP,
	XTCP_MIB_OOWDROP,
	XTCP_MIB_ZWINDROP,
	XTCP_MIB_OFODROP,
	XTCP_MIB_MEMPRESSURES,
	XTCP_MIB_ABORTONMEMORY,
	XTCP_MIB_ORPHANPROBEABORTS,
	/* out-of-order queue (ofo) */
	XTCP_MIB_OFOQUEUE,
	XTCP_MIB_OFOMERGE,
	XTCP_MIB_OFOPRUNED,
	XTCP_MIB_DSACKOLDSENT,
	XTCP_MIB_DSACKOFOSENT,
	/* sender: delayed ACK, probes, timeouts (Linux's TcpExt names) */
	XTCP_MIB_DELAYEDACKS,
	XTCP_MIB_DELAYEDACKLOCKED,
	XTCP_MIB_TCPWINPROBE,
	XTCP_MIB_TCPKEEPALIVE,
	XTCP_MIB_TCPTIMEOUTS,
	/* timestamps (ts) */
	XTCP_MIB_PAWSESTAB,
	/* loss recovery (recov) */
	XTCP_MIB_FASTRETRANS,
	XTCP_MIB_SACKRECOVERY,
	XTCP_MIB_RENORECOVERY,
	XTCP_MIB_LOSSPROBES,
	XTCP_MIB_LOSSPROBERECOVERY,
	XTCP_MIB_SACKREORDER,
	XTCP_MIB_DSACKUNDO,
	XTCP_MIB_SPURIOUSRTOS,
	XTCP_MIB_LOSSUNDO,
	XTCP_MIB_PARTIALUNDO,
	XTCP_MIB_SACKBLOCKSRECV,
	XTCP_MIB_SACKDISCARD,
	XTCP_MIB_DSACKRECV,
	XTCP_MIB_RACKTIMEOUTS,
	XTCP_MIB_LOSTRETRANSMIT,
	XTCP_MIB_SACKRENEGING,
	XTCP_MIB_OUTGSOSKBS,
	XTCP_MIB_OUTSEGSCOPIED,
	XTCP_MIB_OUTSPLICEBYTES,
	XTCP_MIB_TCPBACKLOGDROP,
	/* ECN (RFC 3168) */
	XTCP_MIB_DELIVEREDCE,
	XTCP_MIB_ECNREDUCE,
	XTCP_MIB_ECNCERCVD,
	XTCP_MIB_ACKSKIPPEDPAWS,
	XTCP_MIB_ACKSKIPPEDSEQ,
	XTCP_MIB_ACKSKIPPEDCHALLENGE,
	XTCP_MIB_ACKSKIPPEDTIMEWAIT,
	XTCP_MIB_MAX
};

struct xtcp_mib_cnt {
	u64 v[XTCP_MIB_MAX];
};

/* per network namespace state */
struct xtcp_net {
	struct net *net;
	struct xtcp_params params;	/* sysctl-backed defaults */
	int rmem;			/* default receive buffer */
	int wmem;			/* default send buffer */
	int max_syn_backlog;		/* half-open entries per listener */
	int syncookies;			/* 0, 1, 2 as tcp_syncookies */
	siphash_key_t cookie_key[2];	/* RFC 4987 SYN cookies */
	struct xtcp_mib_cnt __percpu *mib;
	spinlock_t socks_lock;		/* all XTCP sockets of the netns */
	struct list_head socks;
	struct sock *ctl4;		/* replies without a socket (RST, TW) */
	struct sock *ctl6;
	struct ctl_table_header *sysctl_hdr;
	struct ctl_table *sysctl_table;
	siphash_key_t isn_key;		/* RFC 6528 */
	/* congestion control (cc): net.xtcp.congestion_control */
	const struct xtcp_cc_ops *cc_default;
	/* buffers (ts): 0 follows net.ipv4.tcp_rmem[2] / tcp_wmem[2] */
	int rmem_max;
	int wmem_max;
	int gso;			/* net.xtcp.gso: GSO on output */
	bool nf_on;			/* hooks registered (first socket) */
};

struct xtcp_net *xtcp_pernet(const struct net *net);

#define XTCP_INC_STATS(xn, f)	this_cpu_inc((xn)->mib->v[f])
#define XTCP_ADD_STATS(xn, f, n) this_cpu_add((xn)->mib->v[f], n)
u64 xtcp_mib_read(struct xtcp_net *xn, enum xtcp_mib f);

/**
 * struct xtcp_listenq - a listener's queues: the half-open children
 *	(SYN-RECEIVED) and those ready for accept(), as Linux's
 *	request_sock_queue. 56 bytes, allocated by the first listen()
 *	(xtcp_listenq_alloc()) rather than kept in every socket: most
 *	sockets never listen.
 * @lock: the queues, their lengths and each child's in_queue
 * @synq_len: children in @synq
 * @acceptq_len: children in @acceptq (read locklessly)
 * @synq: half-open children
 * @acceptq: children for accept(), oldest first
 * @cookie_ms: when the listener last sent a SYN cookie (lockless)
 * @cookie_sent: it has sent one
 */
struct xtcp_listenq {
	spinlock_t lock;	/* the queues, lengths, children's in_queue */
	int synq_len;
	int acceptq_len;
	bool cookie_sent;
	u64 cookie_ms;
	struct list_head synq;
	struct list_head acceptq;
};

/**
 * struct xtcp_sock - an XTCP socket
 * @icsk: must stay first (struct inet_sock casts); an inet_connection_sock
 *	so that the socket can own a port in Linux TCP's bind buckets
 *	(icsk_bind_hash, icsk_bind2_hash); XTCP also uses its retransmit
 *	timer (xtcp_ktimer()) and its icsk_ca_priv (the congestion control's
 *	state, tcb.cc_priv), and nothing else of it. An IPv4 socket has no
 *	ipv6_pinfo (xtcp_ipv6_pinfo()) and a listener's queues are apart
 *	(@lq): a 2240-byte slab object, where Linux's tcp_sock takes 2304
 *	(6.1 and 6.12)
 * @tcb: protocol state
 * @tdue: each core timer's deadline (the low 32 bits of jiffies: see
 *	xtcp_tdue()), valid while armed
 * @tarmed: bitmask of core timers armed
 * @node: xtcp_net.socks
 * @hash_node: established (4-tuple) or listening table (RCU, nulls)
 * @bound: owns its port in Linux TCP's bind buckets
 * @conn_port: the port was picked by connect(): other XTCP connections
 *	may share it when their 4-tuples differ
 * @hashed: in the established or listening table
 * @listening: hashed in the listening table
 * @parent: listener this child came from, until accept()
 * @child_node: link in the parent's synq/acceptq
 * @lq: listener queues, allocated by the first listen() and kept until
 *	the socket is freed (a child's link holds its parent)
 * @wq_seq: sequence number of the first byte in sk_write_queue (a partly
 *	acknowledged head skb keeps its acknowledged bytes until freed whole)
 * @wq_cur, @wq_cur_seq: the write-queue skb the last segment ended in and
 *	the sequence number of its first byte, where the next segment of new
 *	data starts (NULL: from the head)
 * @gso_skb: segments of the current core call gathered for GSO, sent by
 *	xtcp_out_flush() before the socket lock is released
 * @cur_skb, @cur_off: segment being processed, for rcv_data
 * @cur_queued: cur_skb was queued to the user (or merged and freed)
 * @cur_data: the segment being processed made bytes readable (queued,
 *	or appended to the queue's tail skb): readers are woken
 * @rx_off: bytes already read from the head of sk_receive_queue
 * @rcvq_bytes: bytes in sk_receive_queue not yet read (SIOCINQ, poll's
 *	SO_RCVLOWAT test, without walking the queue)
 * @dst_cookie: IPv6 route validity
 * @v6only_set, @v6only: IPV6_V6ONLY as set before bind()/connect()
 *	(the family is chosen there; unset: net.ipv6.bindv6only)
 * @v4mapped: an IPv4 connection or bind of a dual-stack IPv6 socket
 *	(RFC 4291 §2.5.5.2 addresses): IPv4 inside, sockaddr_in6 to the user
 * @map6: bound as IPv6 [::] (dual-stack), connecting or connected to a
 *	v4-mapped peer: AF_INET6 until the route's source address moves it
 *	in bhash2 (xtcp_set_saddr), IPv4 after; back to [::] on failure
 */
struct xtcp_sock {
	struct inet_connection_sock icsk;
	struct xtcp_tcb tcb;
	unsigned long tarmed;
	u32 tdue[XTCP_T_MAX];

	struct list_head node;
	struct hlist_nulls_node hash_node;
	u32 hslot;		/* bucket of hash_node */
	u8 bound:1,
	   conn_port:1,
	   hashed:1,
	   listening:1,
	   was_connected:1,
	   orphan_counted:1,
	   v6only_set:1,
	   v6only:1,
	   v4mapped:1,
	   map6:1;
	u8 in_queue;		/* child: XQ_* below, under parent's lq->lock */
	struct xtcp_tcpopts topt;	/* IPPROTO_TCP options */

	struct xtcp_listenq *lq;
	/* child */
	struct sock *parent;
	struct list_head child_node;

	struct sk_buff *wq_cur;
	struct sk_buff *gso_skb;
	struct sk_buff *cur_skb;
	u32 wq_cur_seq;
	u32 cur_off;
	u32 rx_off;
	u32 rcvq_bytes;
	u32 wq_seq;
	u32 dst_cookie;
	u64 bytes_sent;
	/* out-of-order queue (ofo): skbs by sequence, no overlap */
	struct rb_root ofo_root;

	/* receive-buffer autotuning (ts), as Linux's rcvq_space */
	u32 copied_seq;		/* bytes the user read, mod 2^32 */
	u32 rcvq_seq;		/* copied_seq when the measure began */
	u32 rcvq_space;		/* bytes read in the last measured RTT */
	bool cur_queued;	/* (receive, above: here to fill a hole) */
	bool cur_data;
	u64 rcvq_time_us;	/* when the measure began */
};

static inline struct xtcp_sock *xtcp_sk(const struct sock *sk)
{
	return (struct xtcp_sock *)sk;
}

/* The kernel timer, at the earliest deadline of the core timers: the
 * icsk's retransmit timer, which XTCP has no other use for (a timer of its
 * own would make every socket 40 bytes larger)
 */
static inline struct timer_list *xtcp_ktimer(struct xtcp_sock *xs)
{
	return &xs->icsk.icsk_retransmit_timer;
}

static inline struct sock *xtcp_to_sk(struct xtcp_sock *xs)
{
	return &xs->icsk.icsk_inet.sk;
}

/* a listener's accept-queue length, locklessly (/proc, diag, poll) */
static inline int xtcp_acceptq_len(const struct xtcp_sock *xs)
{
	/* pairs with xtcp_listen()'s store: its fields initialised */
	const struct xtcp_listenq *lq = smp_load_acquire(&xs->lq);

	return lq ? READ_ONCE(lq->acceptq_len) : 0;
}

static inline struct xtcp_sock *tcb_to_xs(struct xtcp_tcb *tcb)
{
	return container_of(tcb, struct xtcp_sock, tcb);
}

/**
 * struct xtcp_tw - compact TIME-WAIT object (RFC 9293 §3.6); the full
 *	socket is freed when it enters TIME-WAIT.
 */
struct xtcp_tw {
	struct hlist_nulls_node node;
	struct rcu_head rcu;
	refcount_t refcnt;
	possible_net_t net;
	spinlock_t lock;		/* tcb, dead */
	struct timer_list timer;
	u16 family;
	__be16 sport, dport;
	union {
		__be32 v4;
		struct in6_addr v6;
	} saddr, daddr;
	int bound_dev_if;
	u32 mark;
	bool dead;
	struct xtcp_tw_tcb tcb;	/* under @lock */
};

/* skb->cb of a stolen segment */
struct xtcp_skb_cb {
	union {
		struct xtcp_seg seg;		/* a segment (!@icmp) */
		struct xtcp_icmp_msg msg;	/* an ICMP error (@icmp) */
	};
	u16 doff;		/* payload offset from skb->data */
	u8 family;
	bool icmp;		/* an ICMP error: @msg, not @seg */
	u32 tw_isn;		/* ISS for a SYN that ends a TIME-WAIT, or 0 */
};

#define XTCP_SKB_CB(skb) ((struct xtcp_skb_cb *)&((skb)->cb[0]))

/* the address/port 4-tuple of a segment, local side first */
struct xtcp_tuple {
	u16 family;
	__be16 lport, rport;
	union {
		__be32 v4;
		struct in6_addr v6;
	} laddr, raddr;
	int dif;
};

/* xtcp_hash.c */
int xtcp_hash_init(void);
void xtcp_hash_exit(void);
int xtcp_bind_port(struct sock *sk, u16 port);
int xtcp_bind_inherit(struct sock *lsk, struct sock *sk);
int xtcp_set_saddr(struct sock *sk, const void *addr);
void xtcp_reset_saddr(struct sock *sk);
int xtcp_autobind(struct sock *sk);
void xtcp_unbind(struct sock *sk);
int xtcp_listen_hash(struct sock *sk);
int xtcp_ehash_insert(struct sock *sk);
int xtcp_connect_bind(struct sock *sk);
void xtcp_unhash(struct sock *sk);
struct sock *xtcp_lookup_established(struct net *net,
				     const struct xtcp_tuple *t);
struct sock *xtcp_lookup_listener(struct net *net,
				  const struct xtcp_tuple *t);
struct xtcp_tw *xtcp_lookup_tw(struct net *net, const struct xtcp_tuple *t);
int xtcp_tw_hash(struct xtcp_tw *tw);
bool xtcp_tw_unhash(struct xtcp_tw *tw);
void xtcp_tw_purge(struct net *net);
struct seq_file;
void xtcp_tw_for_each(struct net *net, u16 family,
		      void (*fn)(struct seq_file *, struct xtcp_tw *, int),
		      struct seq_file *f, int *idx);
bool xtcp_tuple_busy(struct net *net, const struct xtcp_tuple *t);
bool xtcp_linux_owns(struct sock *sk, const struct xtcp_tuple *t);
bool xtcp_linux_owns_net(struct net *net, const struct xtcp_tuple *t);
void xtcp_sk_tuple(const struct sock *sk, struct xtcp_tuple *t);
u32 xtcp_isn(struct net *net, const struct xtcp_tuple *t);
u32 xtcp_ts_off(struct net *net, const struct xtcp_tuple *t);

/* xtcp_tw.c */
void xtcp_tw_tuple(const struct xtcp_tw *tw, struct xtcp_tuple *t);
void xtcp_time_wait(struct sock *sk);
void xtcp_tw_put(struct xtcp_tw *tw);
void xtcp_tw_input(struct xtcp_tw *tw, struct sk_buff *skb);
void xtcp_tw_kill(struct xtcp_tw *tw);
long xtcp_tw_remaining(const struct xtcp_tw *tw);

/* xtcp_input.c */
int xtcp_nf_ensure(struct net *net);
void xtcp_nf_unregister(struct net *net);
int xtcp_backlog_rcv(struct sock *sk, struct sk_buff *skb);
void xtcp_sk_deliver(struct sock *sk, struct sk_buff *skb);
void xtcp_parse_tuple_skb(const struct sk_buff *skb, struct xtcp_tuple *t);
bool xtcp_v6only(const struct sock *sk);
const struct xtcp_seg *xtcp_skb_seg(const struct sk_buff *skb,
				    struct xtcp_seg *seg,
				    struct xtcp_sack_block *blocks);

/* xtcp_icmp.c */
unsigned int xtcp_icmp_hook(struct net *net, struct sk_buff *skb,
			    unsigned int off, u16 family, int dif);
void xtcp_icmp_process(struct sock *sk, struct sk_buff *skb);

/* xtcp_output.c */
extern const struct xtcp_core_ops xtcp_sock_ops;
int xtcp_send_reply(struct net *net, const struct xtcp_tuple *t,
		    const struct xtcp_out *o, u32 mark);
int xtcp_send_reply_state(struct net *net, const struct xtcp_tuple *t,
			  const struct xtcp_out *o, u32 mark, int state);
void xtcp_note_count(struct net *net, enum xtcp_note n);
void xtcp_wq_free_acked(struct sock *sk);
void xtcp_out_flush(struct sock *sk);
void xtcp_out_purge(struct sock *sk);
int xtcp_ctl_init(struct xtcp_net *xn);
void xtcp_flow6(const struct sock *sk, struct flowi6 *fl6);
struct dst_entry *xtcp_route6(struct sock *sk, struct flowi6 *fl6);
void xtcp_ctl_exit(struct xtcp_net *xn);

/* xtcp_timer.c */
void xtcp_timers_init(struct sock *sk);
void xtcp_timers_stop(struct sock *sk);
void xtcp_timer_set(struct xtcp_tcb *tcb, enum xtcp_timer t, u32 ms);
void xtcp_timer_clear(struct xtcp_tcb *tcb, enum xtcp_timer t);
bool xtcp_timer_due(const struct xtcp_sock *xs, enum xtcp_timer t,
		    unsigned long *expires);
u64 xtcp_now_ms(void);

/* where a passive child sits: xtcp_sock.in_queue, under the parent's
 * lq->lock
 */
enum { XQ_NONE, XQ_SYN, XQ_ACCEPT };

/* xtcp_sock.c */
void xtcp_after_core(struct sock *sk);
void xtcp_done(struct sock *sk);
void xtcp_tcb_init(struct sock *sk);
int xtcp_ipv6_pinfo(struct sock *sk);
int xtcp_sock_init(struct sock *sk, struct sock *parent);
void xtcp_sock_destruct(struct sock *sk);
u8 xtcp_wscale_for(const struct sock *sk);

/* xtcp_connect.c */
int xtcp_route(struct sock *sk, u32 *mtu);
void xtcp_set_mss(struct sock *sk, u32 mss);
int xtcp_bind(struct socket *sock, struct sockaddr *uaddr, int len);
int xtcp_wait_check(long timeo);
int xtcp_wait_connect(struct sock *sk, long *timeo);
int xtcp_connect(struct socket *sock, struct sockaddr *uaddr,
		 int len, int flags);
int xtcp_getname(struct socket *sock, struct sockaddr *uaddr, int peer);

/* xtcp_listen.c */
void xtcp_listen_syn(struct sock *lsk, struct sk_buff *skb,
		     const struct xtcp_tuple *t);
int xtcp_listen(struct socket *sock, int backlog);
int xtcp_listenq_alloc(struct sock *sk);
void xtcp_listen_stop(struct sock *sk);
int xtcp_accept(struct socket *sock, struct socket *newsock,
		int flags, bool kern);
bool xtcp_listen_cookie_pending(const struct sock *lsk);
bool xtcp_listen_cookie_ack(struct sock *lsk, struct sk_buff *skb,
			    const struct xtcp_tuple *t);

/* xtcp_data.c */
int xtcp_sendmsg(struct socket *sock, struct msghdr *msg, size_t len);
bool xtcp_eof(const struct sock *sk);
int xtcp_recvmsg(struct socket *sock, struct msghdr *msg, size_t len,
		 int flags);

/* xtcp_poll.c */
__poll_t xtcp_poll(struct file *file, struct socket *sock,
		   poll_table *wait);

/* xtcp_close.c */
int xtcp_shutdown(struct socket *sock, int how);
int xtcp_release(struct socket *sock);

/* xtcp_mem.c */
extern long xtcp_sysctl_mem[3];
extern int xtcp_max_orphans;
void xtcp_mem_proto(struct proto *p);
int xtcp_mem_init(void);
void xtcp_mem_exit(void);
struct seq_file;
void xtcp_mem_show(struct seq_file *f);
void xtcp_mem_reclaim(struct sock *sk);
unsigned int xtcp_orphan_count(void);
void xtcp_orphan_inc(struct sock *sk);
void xtcp_orphan_dec(struct sock *sk);
bool xtcp_check_oom(struct sock *sk);
int xtcp_rcv_queue(struct sock *sk, struct sk_buff *skb);
bool xtcp_rmem_schedule(struct sock *sk, struct sk_buff *skb, u32 seq);
bool xtcp_rcv_merge(struct sock *sk, struct sk_buff *skb);
bool xtcp_try_coalesce(struct sock *sk, struct sk_buff *skb);

/* xtcp_ofo.c */
bool xtcp_sock_ofo_hold(struct xtcp_tcb *tcb, u32 off, u32 len, u32 seq);
void xtcp_sock_ofo_pull(struct xtcp_tcb *tcb, u32 from, u32 to);
bool xtcp_ofo_prune(struct sock *sk, u32 seq);
void xtcp_ofo_purge(struct sock *sk);
u32 xtcp_rcv_space(struct sock *sk);
void xtcp_wmem_free_skb(struct sock *sk, struct sk_buff *skb);
int xtcp_wmem_schedule(struct sock *sk, int size);
int xtcp_rmem_default(const struct net *net);
int xtcp_wmem_default(const struct net *net);
int xtcp_rmem_max(const struct net *net);
void xtcp_buf_established(struct sock *sk);
void xtcp_sndbuf_expand(struct sock *sk);
void xtcp_rcv_space_adjust(struct sock *sk);

/* xtcp_sockopt.c */
int xtcp_setsockopt(struct socket *sock, int level, int optname,
		    sockptr_t optval, unsigned int optlen);
int xtcp_getsockopt(struct socket *sock, int level, int optname,
		    char __user *optval, int __user *optlen);
int xtcp_ioctl(struct socket *sock, unsigned int cmd, unsigned long arg);
/* urgent data (xtcp_oob.c) and splice() out (xtcp_splice.c) */
struct pipe_inode_info;
void xtcp_rcv_consume(struct sock *sk, u32 n);
void xtcp_urg_after_core(struct sock *sk);
int xtcp_recv_urg(struct sock *sk, struct msghdr *msg, size_t len, int flags);
ssize_t xtcp_splice_read(struct socket *sock, loff_t *ppos,
			 struct pipe_inode_info *pipe, size_t len,
			 unsigned int flags);
void xtcp_set_keepalive(struct sock *sk, int val);

/* af_xtcp.c */
extern struct proto xtcp_prot;
extern const struct proto_ops xtcp_proto_ops;

/* xtcp_proc.c */
int xtcp_proc_init_net(struct net *net);
void xtcp_proc_exit_net(struct net *net);
int xtcp_sysctl_init_net(struct xtcp_net *xn);
void xtcp_sysctl_exit_net(struct xtcp_net *xn);

/* xtcp_diag.c: sock_diag for AF_XTCP (issue 11, part "diag") */
int xtcp_diag_init(void);
void xtcp_diag_exit(void);
int xtcp_sk_timer(struct xtcp_sock *xs, unsigned long *expires);
int xtcp_tw_walk(struct net *net, unsigned int *slot, unsigned int *skip,
		 int (*fn)(struct xtcp_tw *tw, void *arg), void *arg);
void xtcp_sock_tcp_info(struct sock *sk, struct tcp_info *ti);
int xtcp_diag_abort(struct sock *sk, int err);

/* inet_sk_state_store() is not exported; same store, no tracepoint */
static inline void xtcp_set_sk_state(struct sock *sk, int state)
{
	/* pairs with the lockless reads of sk_state (poll, /proc) */
	smp_store_release(&sk->sk_state, state);
}

#endif /* _XTCP_H */
