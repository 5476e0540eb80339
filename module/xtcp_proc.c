// SPDX-License-Identifier: GPL-2.0
/*
 * XTCP observability and knobs: /proc/net/xtcp and /proc/net/xtcp6 (one
 * line per socket in the format of /proc/net/tcp, plus the RFC 9293 state
 * name), /proc/net/xtcp_stat (MIB counters, "Name value" per line) and the
 * per-netns sysctls under net.xtcp.
 */
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <linux/sysctl.h>
#include <linux/slab.h>
#include <net/net_namespace.h>

#include "xtcp.h"
#include "xtcp_cc.h"

static const char * const xtcp_mib_names[XTCP_MIB_MAX] = {
	[XTCP_MIB_ACTIVEOPENS]		= "ActiveOpens",
	[XTCP_MIB_PASSIVEOPENS]		= "PassiveOpens",
	[XTCP_MIB_ATTEMPTFAILS]		= "AttemptFails",
	[XTCP_MIB_ESTABRESETS]		= "EstabResets",
	[XTCP_MIB_CURRESTAB]		= "CurrEstab",
	[XTCP_MIB_INSEGS]		= "InSegs",
	[XTCP_MIB_OUTSEGS]		= "OutSegs",
	[XTCP_MIB_RETRANSSEGS]		= "RetransSegs",
	[XTCP_MIB_INERRS]		= "InErrs",
	[XTCP_MIB_INCSUMERRORS]		= "InCsumErrors",
	[XTCP_MIB_OUTRSTS]		= "OutRsts",
	[XTCP_MIB_TIMEWAITS]		= "TimeWaits",
	[XTCP_MIB_TIMEWAITRECYCLED]	= "TimeWaitRecycled",
	[XTCP_MIB_TIMEWAITKILLED]	= "TimeWaitKilled",
	[XTCP_MIB_LISTENDROPS]		= "ListenDrops",
	[XTCP_MIB_LISTENOVERFLOWS]	= "ListenOverflows",
	[XTCP_MIB_BACKLOGGED]		= "Backlogged",
	[XTCP_MIB_DATAIN]		= "DataBytesIn",
	[XTCP_MIB_DATAOUT]		= "DataBytesOut",
	[XTCP_MIB_NOSOCKRSTS]		= "NoSocketResets",
	[XTCP_MIB_TIMEOUTS]		= "Timeouts",
	[XTCP_MIB_FINWAIT2TIMEOUTS]	= "FinWait2Timeouts",
	[XTCP_MIB_SYNQDROPS]		= "SynQueueDrops",
	[XTCP_MIB_INFRAGDROPS]		= "InFragDrops",
	[XTCP_MIB_INBADFLAGS]		= "InBadFlags",
	[XTCP_MIB_SYNCOOKIESSENT]	= "SyncookiesSent",
	[XTCP_MIB_SYNCOOKIESRECV]	= "SyncookiesRecv",
	[XTCP_MIB_SYNCOOKIESFAILED]	= "SyncookiesFailed",
	[XTCP_MIB_ICMPERRS]		= "IcmpErrors",
	[XTCP_MIB_ICMPPMTU]		= "IcmpPmtu",
	[XTCP_MIB_OUTOFWINDOWICMPS]	= "OutOfWindowIcmps",
	[XTCP_MIB_PRUNECALLED]		= "PruneCalled",
	[XTCP_MIB_RCVPRUNED]		= "RcvPruned",
	[XTCP_MIB_RCVCOLLAPSED]		= "RcvCollapsed",
	[XTCP_MIB_RCVCOALESCE]		= "RcvCoalesce",
	[XTCP_MIB_RCVQDROP]		= "RcvQDrop",
	[XTCP_MIB_OOWDROP]		= "OutOfWindowDrop",
	[XTCP_MIB_ZWINDROP]		= "ZeroWindowDrop",
	[XTCP_MIB_OFODROP]		= "OfoDrop",
	[XTCP_MIB_MEMPRESSURES]		= "MemoryPressures",
	[XTCP_MIB_ABORTONMEMORY]	= "AbortOnMemory",
	[XTCP_MIB_ORPHANPROBEABORTS]	= "OrphanProbeAborts",
	/* out-of-order queue (ofo) */
	[XTCP_MIB_OFOQUEUE]		= "OFOQueue",
	[XTCP_MIB_OFOMERGE]		= "OFOMerge",
	[XTCP_MIB_OFOPRUNED]		= "OfoPruned",
	[XTCP_MIB_DSACKOLDSENT]		= "DSACKOldSent",
	[XTCP_MIB_DSACKOFOSENT]		= "DSACKOfoSent",
	/* sender */
	[XTCP_MIB_DELAYEDACKS]		= "DelayedACKs",
	[XTCP_MIB_DELAYEDACKLOCKED]	= "DelayedACKLocked",
	[XTCP_MIB_TCPWINPROBE]		= "TCPWinProbe",
	[XTCP_MIB_TCPKEEPALIVE]		= "TCPKeepAlive",
	[XTCP_MIB_TCPTIMEOUTS]		= "TCPTimeouts",
	/* timestamps (ts) */
	[XTCP_MIB_PAWSESTAB]		= "PAWSEstab",
	/* loss recovery (recov) */
	[XTCP_MIB_FASTRETRANS]		= "TCPFastRetrans",
	[XTCP_MIB_SACKRECOVERY]		= "TCPSackRecovery",
	[XTCP_MIB_RENORECOVERY]		= "TCPRenoRecovery",
	[XTCP_MIB_LOSSPROBES]		= "TCPLossProbes",
	[XTCP_MIB_LOSSPROBERECOVERY]	= "TCPLossProbeRecovery",
	[XTCP_MIB_SACKREORDER]		= "TCPSACKReorder",
	[XTCP_MIB_DSACKUNDO]		= "TCPDSACKUndo",
	[XTCP_MIB_SPURIOUSRTOS]		= "TCPSpuriousRTOs",
	[XTCP_MIB_LOSSUNDO]		= "TCPLossUndo",
	[XTCP_MIB_PARTIALUNDO]		= "TCPPartialUndo",
	[XTCP_MIB_SACKBLOCKSRECV]	= "TCPSackBlocksRecv",
	[XTCP_MIB_SACKDISCARD]		= "TCPSACKDiscard",
	[XTCP_MIB_DSACKRECV]		= "TCPDSACKRecv",
	[XTCP_MIB_RACKTIMEOUTS]		= "TCPRackTimeouts",
	[XTCP_MIB_LOSTRETRANSMIT]	= "TCPLostRetransmit",
	[XTCP_MIB_SACKRENEGING]		= "TCPSACKReneging",
	[XTCP_MIB_OUTGSOSKBS]		= "OutGsoSkbs",
	[XTCP_MIB_OUTSEGSCOPIED]	= "OutSegsCopied",
	[XTCP_MIB_OUTSPLICEBYTES]	= "OutSpliceBytes",
	[XTCP_MIB_TCPBACKLOGDROP]	= "TCPBacklogDrop",
	/* ECN (RFC 3168) */
	[XTCP_MIB_DELIVEREDCE]		= "TCPDeliveredCE",
	[XTCP_MIB_ECNREDUCE]		= "EcnReductions",
	[XTCP_MIB_ECNCERCVD]		= "EcnCeRcvd",
	[XTCP_MIB_ACKSKIPPEDPAWS]	= "TCPACKSkippedPAWS",
	[XTCP_MIB_ACKSKIPPEDSEQ]	= "TCPACKSkippedSeq",
	[XTCP_MIB_ACKSKIPPEDCHALLENGE]	= "TCPACKSkippedChallenge",
	[XTCP_MIB_ACKSKIPPEDTIMEWAIT]	= "TCPACKSkippedTimeWait",
};

static void xtcp_seq_addr(struct seq_file *f, u16 family, const void *a,
			  u16 port)
{
	if (family == AF_INET6) {
		const __be32 *w = a;

		seq_printf(f, "%08X%08X%08X%08X:%04X", w[0], w[1], w[2], w[3],
			   port);
	} else {
		seq_printf(f, "%08X:%04X", *(const __be32 *)a, port);
	}
}

static void xtcp_seq_sock(struct seq_file *f, struct sock *sk, int i)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	unsigned int state = READ_ONCE(xs->tcb.state);
	u32 una = READ_ONCE(xs->tcb.snd_una), end = READ_ONCE(xs->tcb.snd_end);
	unsigned long expires;
	int tr = xtcp_sk_timer(xs, &expires);

	seq_printf(f, "%4d: ", i);
	if (sk->sk_family == AF_INET6) {
		xtcp_seq_addr(f, AF_INET6, &sk->sk_v6_rcv_saddr,
			      inet_sk(sk)->inet_num);
		seq_putc(f, ' ');
		xtcp_seq_addr(f, AF_INET6, &sk->sk_v6_daddr,
			      ntohs(sk->sk_dport));
	} else {
		xtcp_seq_addr(f, AF_INET, &sk->sk_rcv_saddr,
			      inet_sk(sk)->inet_num);
		seq_putc(f, ' ');
		xtcp_seq_addr(f, AF_INET, &sk->sk_daddr, ntohs(sk->sk_dport));
	}
	seq_printf(f, " %02X %08X:%08X %02X:%08lX %08X %5u %8d %lu %s\n",
		   xtcp_linux_state(state),
		   state >= XTCP_ESTABLISHED && xtcp_seq_gt(end, una) ?
		   end - una : 0,
		   xs->listening ? xtcp_acceptq_len(xs) :
		   atomic_read(&sk->sk_rmem_alloc),
		   tr, jiffies_delta_to_clock_t(expires - jiffies),
		   READ_ONCE(xs->tcb.backoff),
		   from_kuid_munged(seq_user_ns(f), sock_i_uid(sk)),
		   0, sock_i_ino(sk), xtcp_state_name(state));
}

static void xtcp_seq_tw(struct seq_file *f, struct xtcp_tw *tw, int i)
{
	seq_printf(f, "%4d: ", i);
	xtcp_seq_addr(f, tw->family, &tw->saddr, ntohs(tw->sport));
	seq_putc(f, ' ');
	xtcp_seq_addr(f, tw->family, &tw->daddr, ntohs(tw->dport));
	seq_printf(f, " %02X %08X:%08X %02X:%08lX %08X %5u %8d %lu %s\n",
		   TCP_TIME_WAIT, 0, 0, 3,
		   jiffies_delta_to_clock_t(xtcp_tw_remaining(tw)), 0, 0, 0,
		   0UL, xtcp_state_name(XTCP_TIME_WAIT));
}

static int xtcp_seq_show(struct seq_file *f, u16 family)
{
	struct net *net = seq_file_single_net(f);
	struct xtcp_net *xn = xtcp_pernet(net);
	struct xtcp_sock *xs;
	int i = 0;

	seq_puts(f, "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode state\n");
	spin_lock_bh(&xn->socks_lock);
	list_for_each_entry(xs, &xn->socks, node) {
		struct sock *sk = xtcp_to_sk(xs);

		/* as /proc/net/tcp, which walks the listening and
		 * established tables: a closed socket is in neither, whether
		 * its owner still holds it (reset, killed, never connected)
		 * or only skbs in flight pin it
		 */
		if (sk->sk_family != family ||
		    READ_ONCE(xs->tcb.state) == XTCP_CLOSED)
			continue;
		xtcp_seq_sock(f, sk, i++);
	}
	spin_unlock_bh(&xn->socks_lock);
	xtcp_tw_for_each(net, family, xtcp_seq_tw, f, &i);
	return 0;
}

static int xtcp4_seq_show(struct seq_file *f, void *v)
{
	return xtcp_seq_show(f, AF_INET);
}

static int xtcp6_seq_show(struct seq_file *f, void *v)
{
	return xtcp_seq_show(f, AF_INET6);
}

static int xtcp_stat_show(struct seq_file *f, void *v)
{
	struct xtcp_net *xn = xtcp_pernet(seq_file_single_net(f));
	int i;

	for (i = 0; i < XTCP_MIB_MAX; i++)
		seq_printf(f, "%s %lld\n", xtcp_mib_names[i],
			   (s64)xtcp_mib_read(xn, i));
	xtcp_mem_show(f);
	/* this netns's netfilter hooks registered (its first XTCP socket) */
	seq_printf(f, "Hooks %d\n", READ_ONCE(xn->nf_on));
	return 0;
}

int xtcp_proc_init_net(struct net *net)
{
	if (!proc_create_net_single("xtcp", 0444, net->proc_net,
				    xtcp4_seq_show, NULL))
		goto fail;
	if (!proc_create_net_single("xtcp6", 0444, net->proc_net,
				    xtcp6_seq_show, NULL))
		goto fail;
	if (!proc_create_net_single("xtcp_stat", 0444, net->proc_net,
				    xtcp_stat_show, NULL))
		goto fail;
	return 0;
fail:
	xtcp_proc_exit_net(net);
	return -ENOMEM;
}

void xtcp_proc_exit_net(struct net *net)
{
	remove_proc_entry("xtcp_stat", net->proc_net);
	remove_proc_entry("xtcp6", net->proc_net);
	remove_proc_entry("xtcp", net->proc_net);
}

/* ---- sysctl: net.xtcp.* ---- */

static unsigned int one_u = 1;
static unsigned int ms_max = 3600000;
static int one_i = 1;
static int buf_max = 64 << 20;
static int two_i = 2;
static unsigned int ka_max = 32767;	/* MAX_TCP_KEEPIDLE, in seconds */
static unsigned int ka_probes_max = 127; /* MAX_TCP_KEEPCNT; u8vec reads uint */

#define XTCP_MS(n, f) {							\
	.procname = n, .data = &xtcp_tmpl.params.f,			\
	.maxlen = sizeof(unsigned int), .mode = 0644,			\
	.proc_handler = proc_douintvec_minmax,				\
	.extra1 = &one_u, .extra2 = &ms_max }
#define XTCP_U8(n, f) {							\
	.procname = n, .data = &xtcp_tmpl.params.f,			\
	.maxlen = sizeof(u8), .mode = 0644,				\
	.proc_handler = proc_dou8vec_minmax }
#define XTCP_BOOL(n, f) {						\
	.procname = n, .data = &xtcp_tmpl.params.f,			\
	.maxlen = sizeof(u8), .mode = 0644,				\
	.proc_handler = proc_dou8vec_minmax,				\
	.extra1 = SYSCTL_ZERO, .extra2 = SYSCTL_ONE }
#define XTCP_INT(n, f, lo, hi) {					\
	.procname = n, .data = &xtcp_tmpl.f,				\
	.maxlen = sizeof(int), .mode = 0644,				\
	.proc_handler = proc_dointvec_minmax,				\
	.extra1 = lo, .extra2 = hi }

/* only the addresses matter: entries are rebased onto each netns */
static struct xtcp_net xtcp_tmpl;

/*
 * net.xtcp.congestion_control, as tcp_congestion_control: reads the
 * netns default's name, takes the name of an algorithm XTCP has, else
 * -ENOENT (what Linux's tcp_set_default_congestion_control returns).
 */
static XTCP_PROC_HANDLER(xtcp_proc_cc)
{
	struct xtcp_net *xn = container_of(ctl->data, struct xtcp_net,
					   cc_default);
	char val[XTCP_CC_NAME_MAX];
	struct ctl_table tbl = { .data = val, .maxlen = sizeof(val) };
	const struct xtcp_cc_ops *ops;
	int ret;

	strscpy(val, READ_ONCE(xn->cc_default)->name, sizeof(val));
	ret = proc_dostring(&tbl, write, buffer, lenp, ppos);
	if (!write || ret)
		return ret;
	ops = xtcp_cc_find(val);
	if (!ops)
		return -ENOENT;
	WRITE_ONCE(xn->cc_default, ops);
	return 0;
}

/* net.xtcp.available_congestion_control, read-only: "reno cubic" */
static XTCP_PROC_HANDLER(xtcp_proc_cc_avail)
{
	char val[2 * XTCP_CC_NAME_MAX];
	struct ctl_table tbl = { .data = val, .maxlen = sizeof(val) };

	xtcp_cc_available(val, sizeof(val));
	return proc_dostring(&tbl, write, buffer, lenp, ppos);
}

static struct ctl_table xtcp_sysctl_tmpl[] = {
	XTCP_MS("msl_ms", msl_ms),
	XTCP_MS("fin_timeout_ms", fin_timeout_ms),
	XTCP_MS("rto_init_ms", rto_init_ms),
	XTCP_MS("rto_min_ms", rto_min_ms),
	XTCP_MS("rto_max_ms", rto_max_ms),
	XTCP_MS("delack_ms", delack_ms),
	XTCP_U8("syn_retries", syn_retries),
	XTCP_U8("synack_retries", synack_retries),
	XTCP_U8("retries", retries),
	XTCP_U8("orphan_retries", orphan_retries),
	/* as tcp_invalid_ratelimit: ms, 0 no limit */
	{ .procname = "invalid_ratelimit",
	  .data = &xtcp_tmpl.params.invalid_ratelimit,
	  .maxlen = sizeof(unsigned int), .mode = 0644,
	  .proc_handler = proc_douintvec_minmax,
	  .extra1 = SYSCTL_ZERO, .extra2 = &ms_max },
	XTCP_BOOL("sack", sack),
	XTCP_INT("rmem_default", rmem, SYSCTL_ZERO, &buf_max),
	XTCP_INT("wmem_default", wmem, SYSCTL_ZERO, &buf_max),
	XTCP_INT("max_syn_backlog", max_syn_backlog, &one_i, &buf_max),
	XTCP_INT("syncookies", syncookies, SYSCTL_ZERO, &two_i),
	/* congestion control (cc) */
	{ .procname = "congestion_control", .data = &xtcp_tmpl.cc_default,
	  .maxlen = XTCP_CC_NAME_MAX, .mode = 0644,
	  .proc_handler = xtcp_proc_cc },
	{ .procname = "available_congestion_control",
	  .data = &xtcp_tmpl.cc_default, .maxlen = 2 * XTCP_CC_NAME_MAX,
	  .mode = 0444, .proc_handler = xtcp_proc_cc_avail },
	/* sender: keep-alive, in Linux's units (seconds, probes) */
	{ .procname = "keepalive_time",
	  .data = &xtcp_tmpl.params.keepalive_time,
	  .maxlen = sizeof(unsigned int), .mode = 0644,
	  .proc_handler = proc_douintvec_minmax,
	  .extra1 = &one_u, .extra2 = &ka_max },
	{ .procname = "keepalive_intvl",
	  .data = &xtcp_tmpl.params.keepalive_intvl,
	  .maxlen = sizeof(unsigned int), .mode = 0644,
	  .proc_handler = proc_douintvec_minmax,
	  .extra1 = &one_u, .extra2 = &ka_max },
	{ .procname = "keepalive_probes",
	  .data = &xtcp_tmpl.params.keepalive_probes,
	  .maxlen = sizeof(u8), .mode = 0644,
	  .proc_handler = proc_dou8vec_minmax,
	  .extra1 = SYSCTL_ONE, .extra2 = &ka_probes_max },
	/* timestamps and buffers (ts) */
	XTCP_BOOL("timestamps", timestamps),
	XTCP_INT("rmem_max", rmem_max, SYSCTL_ZERO, &buf_max),
	XTCP_INT("wmem_max", wmem_max, SYSCTL_ZERO, &buf_max),
	/* output (gso) */
	XTCP_INT("gso", gso, SYSCTL_ZERO, SYSCTL_ONE),
	/* ECN (RFC 3168): 0, 1, 2 as tcp_ecn */
	{ .procname = "ecn", .data = &xtcp_tmpl.params.ecn,
	  .maxlen = sizeof(u8), .mode = 0644,
	  .proc_handler = proc_dou8vec_minmax,
	  .extra1 = SYSCTL_ZERO, .extra2 = SYSCTL_TWO },
	{ }
};

/* host-wide (as tcp_mem, tcp_max_orphans): only in the initial netns */
static struct ctl_table xtcp_sysctl_global[] = {
	{ .procname = "mem", .data = xtcp_sysctl_mem,
	  .maxlen = sizeof(xtcp_sysctl_mem), .mode = 0644,
	  .proc_handler = proc_doulongvec_minmax },
	{ .procname = "max_orphans", .data = &xtcp_max_orphans,
	  .maxlen = sizeof(int), .mode = 0644,
	  .proc_handler = proc_dointvec_minmax, .extra1 = SYSCTL_ZERO },
	{ }
};

int xtcp_sysctl_init_net(struct xtcp_net *xn)
{
	bool init = net_eq(xn->net, &init_net);
	/* the entries before the { } sentinels */
	size_t n = ARRAY_SIZE(xtcp_sysctl_tmpl) - 1;
	size_t g = ARRAY_SIZE(xtcp_sysctl_global) - 1;
	struct ctl_table *t;
	int i;

	t = kcalloc(n + g + 1, sizeof(*t), GFP_KERNEL);
	if (!t)
		return -ENOMEM;
	memcpy(t, xtcp_sysctl_tmpl, n * sizeof(*t));
	for (i = 0; t[i].procname; i++)
		t[i].data = (char *)xn + ((char *)t[i].data -
					  (char *)&xtcp_tmpl);
	if (init) {
		memcpy(t + n, xtcp_sysctl_global, g * sizeof(*t));
		n += g;
	}
	xn->sysctl_hdr = xtcp_register_net_sysctl(xn->net, "net/xtcp", t, n);
	if (!xn->sysctl_hdr) {
		kfree(t);
		return -ENOMEM;
	}
	xn->sysctl_table = t;
	return 0;
}

void xtcp_sysctl_exit_net(struct xtcp_net *xn)
{
	if (xn->sysctl_hdr)
		unregister_net_sysctl_table(xn->sysctl_hdr);
	kfree(xn->sysctl_table);
	xn->sysctl_hdr = NULL;
	xn->sysctl_table = NULL;
}
