// SPDX-License-Identifier: GPL-2.0
/*
 * XTCP: module init/exit, the AF_XTCP protocol family, struct proto and
 * the per network namespace state.
 */
#define pr_fmt(fmt) "xtcp: " fmt

#include <linux/module.h>
#include <linux/net.h>
#include <linux/socket.h>
#include <linux/percpu.h>
#include <net/sock.h>
#include <net/netns/generic.h>
#include <net/tcp_states.h>

#include "xtcp.h"
#include "xtcp_cc.h"

#define CREATE_TRACE_POINTS
#include "xtcp_trace.h"

static unsigned int xtcp_net_id __read_mostly;

struct xtcp_net *xtcp_pernet(const struct net *net)
{
	return net_generic(net, xtcp_net_id);
}

u64 xtcp_mib_read(struct xtcp_net *xn, enum xtcp_mib f)
{
	u64 sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += per_cpu_ptr(xn->mib, cpu)->v[f];
	return sum;
}

struct proto xtcp_prot = {
	.name		= "XTCP",
	.owner		= THIS_MODULE,
	.backlog_rcv	= xtcp_backlog_rcv,
	.keepalive	= xtcp_set_keepalive,
	.diag_destroy	= xtcp_diag_abort,
	.obj_size	= sizeof(struct xtcp_sock),
};

const struct proto_ops xtcp_proto_ops = {
	.family		= PF_XTCP,
	.owner		= THIS_MODULE,
	.release	= xtcp_release,
	.bind		= xtcp_bind,
	.connect	= xtcp_connect,
	.socketpair	= sock_no_socketpair,
	.accept		= xtcp_ops_accept,
	.getname	= xtcp_getname,
	.poll		= xtcp_poll,
	.ioctl		= xtcp_ioctl,
	.listen		= xtcp_listen,
	.shutdown	= xtcp_shutdown,
	.setsockopt	= xtcp_setsockopt,
	.getsockopt	= xtcp_getsockopt,
	.sendmsg	= xtcp_sendmsg,
	XTCP_OPS_SENDPAGE
	.set_peek_off	= sk_set_peek_off,
	.recvmsg	= xtcp_recvmsg,
	.splice_read	= xtcp_splice_read,
	.mmap		= sock_no_mmap,
};

static int xtcp_create(struct net *net, struct socket *sock, int protocol,
		       int kern)
{
	struct sock *sk;
	int err;

	if (protocol < 0 || protocol >= IPPROTO_MAX)
		return -EINVAL;
	/* as inet_create(): a type with no protocol is ESOCKTNOSUPPORT */
	if (sock->type != SOCK_STREAM)
		return -ESOCKTNOSUPPORT;
	if (protocol != 0 && protocol != IPPROTO_TCP)
		return -EPROTONOSUPPORT;

	err = xtcp_nf_ensure(net);
	if (err)
		return err;
	sock->state = SS_UNCONNECTED;
	sock->ops = &xtcp_proto_ops;

	sk = sk_alloc(net, PF_INET, GFP_KERNEL, &xtcp_prot, kern);
	if (!sk)
		return -ENOMEM;
	sock_init_data(sock, sk);
	err = xtcp_sock_init(sk, NULL);
	if (err) {
		sk->sk_state = TCP_CLOSE;
		sock_orphan(sk);
		sk_free(sk);
		sock->sk = NULL;
	}
	return err;
}

static const struct net_proto_family xtcp_family = {
	.family	= PF_XTCP,
	.create	= xtcp_create,
	.owner	= THIS_MODULE,
};

static const struct xtcp_params xtcp_default_params = {
	.msl_ms		= 60000,	/* 2*MSL = 2 min (RFC 9293 §3.4.2) */
	.fin_timeout_ms	= 60000,
	.rto_init_ms	= 1000,		/* RFC 6298 §2.1 */
	.rto_min_ms	= 200,		/* as Linux; RFC 6298 says 1 s */
	.rto_max_ms	= 120000,
	.syn_retries	= 6,
	.synack_retries	= 5,
	.retries	= 15,
	.orphan_retries	= 0,		/* as tcp_orphan_retries */
	.sack		= 1,		/* as tcp_sack */
	.delack_ms	= 40,
	.keepalive_time	= 7200,		/* s, as tcp_keepalive_time */
	.keepalive_intvl = 75,		/* s, as tcp_keepalive_intvl */
	.keepalive_probes = 9,		/* as tcp_keepalive_probes */
	.timestamps	= 1,		/* as tcp_timestamps */
	.ecn		= 2,		/* as tcp_ecn: accept when asked */
	.invalid_ratelimit = 500,	/* ms, as tcp_invalid_ratelimit */
};

static int __net_init xtcp_net_init(struct net *net)
{
	struct xtcp_net *xn = xtcp_pernet(net);
	int err;

	xn->net = net;
	xn->params = xtcp_default_params;
	/* 0: follow net.ipv4.tcp_rmem / tcp_wmem (xtcp_mem.c) */
	xn->rmem = 0;
	xn->wmem = 0;
	xn->max_syn_backlog = 256;
	spin_lock_init(&xn->socks_lock);
	INIT_LIST_HEAD(&xn->socks);
	get_random_bytes(&xn->isn_key, sizeof(xn->isn_key));
	get_random_bytes(xn->cookie_key, sizeof(xn->cookie_key));
	xn->syncookies = 1;		/* as net.ipv4.tcp_syncookies */
	xn->gso = 1;
	xn->cc_default = xtcp_cc_default();	/* CUBIC, as Linux */

	xn->mib = alloc_percpu(struct xtcp_mib_cnt);
	if (!xn->mib)
		return -ENOMEM;
	err = xtcp_ctl_init(xn);
	if (err)
		goto out_mib;
	err = xtcp_sysctl_init_net(xn);
	if (err)
		goto out_ctl;
	err = xtcp_proc_init_net(net);
	if (err)
		goto out_sysctl;
	/* the netfilter hooks come with the netns's first XTCP socket */
	return 0;

out_sysctl:
	xtcp_sysctl_exit_net(xn);
out_ctl:
	xtcp_ctl_exit(xn);
out_mib:
	free_percpu(xn->mib);
	return err;
}

static void __net_exit xtcp_net_exit(struct net *net)
{
	struct xtcp_net *xn = xtcp_pernet(net);

	xtcp_nf_unregister(net);
	xtcp_tw_purge(net);
	xtcp_proc_exit_net(net);
	xtcp_sysctl_exit_net(xn);
	xtcp_ctl_exit(xn);
	free_percpu(xn->mib);
}

static struct pernet_operations xtcp_net_ops = {
	.init	= xtcp_net_init,
	.exit	= xtcp_net_exit,
	.id	= &xtcp_net_id,
	.size	= sizeof(struct xtcp_net),
};

static int __init xtcp_init(void)
{
	int err;

	err = xtcp_hash_init();
	if (err)
		return err;
	err = xtcp_mem_init();
	if (err)
		goto out_hash;
	xtcp_mem_proto(&xtcp_prot);
	err = proto_register(&xtcp_prot, 1);
	if (err)
		goto out_mem;
	err = register_pernet_subsys(&xtcp_net_ops);
	if (err)
		goto out_proto;
	err = sock_register(&xtcp_family);
	if (err) {
		if (err == -EEXIST)
			pr_err("address family %d is already registered by another module; XTCP cannot load\n",
			       PF_XTCP);
		goto out_pernet;
	}
	err = xtcp_diag_init();
	if (err)
		goto out_sock;
	pr_info("AF_XTCP (family %d) registered\n", PF_XTCP);
	return 0;

out_sock:
	sock_unregister(PF_XTCP);
out_pernet:
	unregister_pernet_subsys(&xtcp_net_ops);
out_proto:
	proto_unregister(&xtcp_prot);
out_mem:
	xtcp_mem_exit();
out_hash:
	xtcp_hash_exit();
	return err;
}

static void __exit xtcp_exit(void)
{
	xtcp_diag_exit();
	sock_unregister(PF_XTCP);
	unregister_pernet_subsys(&xtcp_net_ops);
	proto_unregister(&xtcp_prot);
	rcu_barrier();	/* SOCK_RCU_FREE sockets, kfree_rcu TIME-WAITs */
	xtcp_mem_exit();
	xtcp_hash_exit();
}

module_init(xtcp_init);
module_exit(xtcp_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("XTCP: an alternate TCP as a protocol family");
MODULE_AUTHOR("XTCP developers");
MODULE_VERSION(XTCP_VERSION);
MODULE_ALIAS_NETPROTO(PF_XTCP);
