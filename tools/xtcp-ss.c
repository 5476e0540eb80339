// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp-ss: list XTCP sockets through NETLINK_SOCK_DIAG (the AF_XTCP
 * handler, module/xtcp_diag.c), in the layout of `ss -tan`.
 *
 * usage: xtcp-ss [-l] [-4|-6] [-i] [-m] [-o] [-H] [-S] [-e] [-K]
 *	  [-p PORT] [-L ADDR:PORT] [-R ADDR:PORT] [-tan]
 *   -l listeners only; -4 / -6 one address family; -i per socket: the
 *   congestion control, rto, rtt/rttvar, mss, cwnd, ssthresh, retrans and
 *   the RFC 9293 state; -m socket memory as `ss -m`:
 *   skmem:(r rmem_alloc, rb rcvbuf, t wmem_alloc, tb sndbuf, f forward
 *   alloc, w wmem_queued, o optmem, bl backlog, d drops); -o the timer;
 *   -H no header; -S a summary line on stderr (sockets, netlink reads);
 *   -e ask each listed socket again by its 4-tuple (a get-exact request)
 *   and check the answer; -t -a -n are accepted (and implied) for ss's
 *   habits.
 *   Filters: -p PORT local or peer port; -L / -R the local / peer end,
 *   ADDR:PORT or [ADDR6]:PORT, ADDR or PORT may be "*".
 *   -K (as `ss -K`, needs CAP_NET_ADMIN in the netns): abort each listed
 *   socket with SOCK_DESTROY (a connection sends a RST, its owner gets
 *   ECONNABORTED, a listener is closed, a TIME-WAIT entry goes) and list
 *   the ones aborted; a socket gone in between is skipped, as ss does.
 *   With -L and -R both exact (no "*"), -K sends SOCK_DESTROY for that
 *   4-tuple directly, without a dump: ENOENT when there is none.
 * Exit status: 0, 1 on an error (XTCP not loaded: "XTCP is not loaded";
 * -K refused: "SOCK_DESTROY ...: Operation not permitted").
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/inet_diag.h>

#include "uapi/xtcp.h"

/* ss's names for Linux's TCP states (TCP_ESTABLISHED = 1 ...) */
static const char *const ss_state[] = {
	"UNKNOWN", "ESTAB", "SYN-SENT", "SYN-RECV", "FIN-WAIT-1",
	"FIN-WAIT-2", "TIME-WAIT", "UNCONN", "CLOSE-WAIT", "LAST-ACK",
	"LISTEN", "CLOSING", "NEW-SYN-RECV",
};

static const char *timer_name[] = { "off", "on", "keepalive", "timewait",
				    "persist" };

static int opt_info, opt_timer, opt_noheader, opt_summary, opt_exact;
static int opt_mem, opt_kill;
static unsigned long n_socks, n_reads, n_exact_ok, n_exact_bad;

/* -p, -L, -R: one end to match; family 0: any address */
struct endsel {
	int set, family, any_port;
	__u32 addr[4];
	__u16 port;	/* host order */
};
static struct endsel sel_local, sel_peer;
static int sel_port = -1;

/* one dumped entry, for -e */
struct entry {
	struct inet_diag_msg m;
};
static struct entry *entries;
static size_t n_entries, cap_entries;

static void die(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("xtcp-ss: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

static void fmt_addr(char *buf, size_t len, int family, const __u32 *a,
		     __be16 port, bool peer)
{
	char ip[INET6_ADDRSTRLEN];
	char p[8];

	/* as ss: the IPv6 wildcard is "*" */
	if (family == AF_INET6 && !(a[0] | a[1] | a[2] | a[3]))
		snprintf(ip, sizeof(ip), "*");
	else
		inet_ntop(family, a, ip, sizeof(ip));
	if (peer && !port)
		snprintf(p, sizeof(p), "*");
	else
		snprintf(p, sizeof(p), "%u", ntohs(port));
	if (family == AF_INET6 && ip[0] != '*')
		snprintf(buf, len, "[%s]:%s", ip, p);
	else
		snprintf(buf, len, "%s:%s", ip, p);
}

static void print_info(const struct tcp_info *ti, size_t len,
		       const char *cong, const struct xtcp_diag_state *st)
{
	if (cong)
		printf(" %s", cong);
	/* the fields up to tcpi_total_retrans: every kernel fills them */
	if (len >= offsetof(struct tcp_info, tcpi_total_retrans) +
		   sizeof(ti->tcpi_total_retrans)) {
		if (ti->tcpi_options & TCPI_OPT_WSCALE)
			printf(" wscale:%u,%u", ti->tcpi_snd_wscale,
			       ti->tcpi_rcv_wscale);
		printf(" rto:%g rtt:%.3f/%.3f mss:%u cwnd:%u",
		       ti->tcpi_rto / 1000.0, ti->tcpi_rtt / 1000.0,
		       ti->tcpi_rttvar / 1000.0, ti->tcpi_snd_mss,
		       ti->tcpi_snd_cwnd);
		if (ti->tcpi_snd_ssthresh < 0xFFFF)
			printf(" ssthresh:%u", ti->tcpi_snd_ssthresh);
		printf(" retrans:%u/%u", ti->tcpi_retrans,
		       ti->tcpi_total_retrans);
		if (ti->tcpi_unacked)
			printf(" unacked:%u", ti->tcpi_unacked);
		printf(" rcv_space:%u", ti->tcpi_rcv_space);
	}
	if (st)
		printf(" xtcp_state:%s(%u)", st->name, st->state);
}

/* as ss's print_skmeminfo(): skmem, or the old mem:() without it */
static void print_mem(const __u32 *v, size_t n,
		      const struct inet_diag_meminfo *mi)
{
	if (!v || n <= SK_MEMINFO_OPTMEM) {
		if (mi)
			printf(" mem:(r%u,w%u,f%u,t%u)", mi->idiag_rmem,
			       mi->idiag_wmem, mi->idiag_fmem, mi->idiag_tmem);
		return;
	}
	printf(" skmem:(r%u,rb%u,t%u,tb%u,f%u,w%u,o%u",
	       v[SK_MEMINFO_RMEM_ALLOC], v[SK_MEMINFO_RCVBUF],
	       v[SK_MEMINFO_WMEM_ALLOC], v[SK_MEMINFO_SNDBUF],
	       v[SK_MEMINFO_FWD_ALLOC], v[SK_MEMINFO_WMEM_QUEUED],
	       v[SK_MEMINFO_OPTMEM]);
	if (n > SK_MEMINFO_BACKLOG)
		printf(",bl%u", v[SK_MEMINFO_BACKLOG]);
	if (n > SK_MEMINFO_DROPS)
		printf(",d%u", v[SK_MEMINFO_DROPS]);
	printf(")");
}

/* once, before the first line (not before an error message) */
static void header(void)
{
	static int done;

	if (done++ || opt_noheader || opt_exact)
		return;
	printf("%-10s %-6s %-6s %25s %-25s\n", "State", "Recv-Q", "Send-Q",
	       "Local Address:Port", "Peer Address:Port");
}

static bool selected(const struct inet_diag_msg *m);

/* the ss -tan columns of one socket, and its timer with -o */
static void print_row(const struct inet_diag_msg *m)
{
	char local[64], peer[64];

	header();
	fmt_addr(local, sizeof(local), m->idiag_family, m->id.idiag_src,
		 m->id.idiag_sport, false);
	fmt_addr(peer, sizeof(peer), m->idiag_family, m->id.idiag_dst,
		 m->id.idiag_dport, true);
	printf("%-10s %-6u %-6u %25s %-25s",
	       m->idiag_state < sizeof(ss_state) / sizeof(ss_state[0]) ?
	       ss_state[m->idiag_state] : "UNKNOWN",
	       m->idiag_rqueue, m->idiag_wqueue, local, peer);
	if (opt_timer && m->idiag_timer)
		printf(" timer:(%s,%ums,%u)",
		       m->idiag_timer < 5 ? timer_name[m->idiag_timer] : "?",
		       m->idiag_expires, m->idiag_retrans);
	printf("\n");
}

static void show(const struct nlmsghdr *h)
{
	const struct inet_diag_msg *m = NLMSG_DATA(h);
	int len = h->nlmsg_len - NLMSG_LENGTH(sizeof(*m));
	const struct xtcp_diag_state *st = NULL;
	const struct tcp_info *ti = NULL;
	const __u32 *skmem = NULL;
	size_t skmem_n = 0;
	const struct inet_diag_meminfo *mi = NULL;
	const char *cong = NULL;
	struct tcp_info tib;
	size_t tilen = 0;
	struct rtattr *a;

	if (len < 0)
		die("short sock_diag message (%u bytes)", h->nlmsg_len);
	for (a = (struct rtattr *)(m + 1); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		switch (a->rta_type) {
		case INET_DIAG_INFO:
			/* an older or newer kernel's size: what both know */
			memset(&tib, 0, sizeof(tib));
			tilen = RTA_PAYLOAD(a) < sizeof(tib) ? RTA_PAYLOAD(a) :
							      sizeof(tib);
			memcpy(&tib, RTA_DATA(a), tilen);
			ti = &tib;
			break;
		case INET_DIAG_CONG:
			cong = RTA_DATA(a);
			break;
		case INET_DIAG_SKMEMINFO:
			skmem = RTA_DATA(a);
			skmem_n = RTA_PAYLOAD(a) / sizeof(__u32);
			break;
		case INET_DIAG_MEMINFO:
			if (RTA_PAYLOAD(a) >= sizeof(*mi))
				mi = RTA_DATA(a);
			break;
		case XTCP_DIAG_STATE:
			if (RTA_PAYLOAD(a) >= sizeof(*st))
				st = RTA_DATA(a);
			break;
		}
	}
	if (!selected(m))
		return;
	n_socks++;
	/* -K: aborted after the dump (an abort mid-dump would shift the
	 * kernel's resume index); -e: asked again after it
	 */
	if (opt_exact || opt_kill) {
		if (n_entries == cap_entries) {
			cap_entries = cap_entries ? 2 * cap_entries : 256;
			entries = realloc(entries,
					  cap_entries * sizeof(*entries));
			if (!entries)
				die("out of memory");
		}
		entries[n_entries++].m = *m;
		return;
	}
	print_row(m);
	if ((opt_mem && (skmem || mi)) || (opt_info && (ti || st))) {
		printf("\t");
		if (opt_mem)
			print_mem(skmem, skmem_n, mi);
		if (opt_info)
			print_info(ti ? ti : &tib, ti ? tilen : 0, cong, st);
		printf("\n");
	}
}

static int nl_open(void)
{
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);

	if (fd < 0)
		die("socket(NETLINK_SOCK_DIAG): %s", strerror(errno));
	return fd;
}

static void nl_send_type(int fd, const struct xtcp_diag_req *req,
			 __u16 type, __u16 flags, __u32 seq)
{
	struct {
		struct nlmsghdr h;
		struct xtcp_diag_req r;
	} msg = {
		.h = {
			.nlmsg_len = sizeof(msg),
			.nlmsg_type = type,
			.nlmsg_flags = NLM_F_REQUEST | flags,
			.nlmsg_seq = seq,
		},
		.r = *req,
	};
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };

	if (sendto(fd, &msg, sizeof(msg), 0, (struct sockaddr *)&sa,
		   sizeof(sa)) < 0)
		die("sendto(NETLINK_SOCK_DIAG): %s", strerror(errno));
}

static void nl_send(int fd, const struct xtcp_diag_req *req, __u16 flags,
		    __u32 seq)
{
	nl_send_type(fd, req, SOCK_DIAG_BY_FAMILY, flags, seq);
}

static void not_loaded(int err)
{
	if (err == ENOENT)
		die("XTCP is not loaded: no sock_diag handler for AF_XTCP (%d); load xtcp.ko first",
		    AF_XTCP);
	die("sock_diag request failed: %s", strerror(err));
}

/*
 * Read replies until NLMSG_DONE (a dump) or one answer (exact); call @fn
 * for each socket message. Return 0, or the errno of an NLMSG_ERROR.
 */
static int nl_recv(int fd, __u32 seq, void (*fn)(const struct nlmsghdr *),
		   bool dump)
{
	/* not static: -K sends SOCK_DESTROY from within a dump's reading */
	enum { BUFSZ = 1 << 17 };
	char *buf = malloc(BUFSZ);
	int ret = 0;

	if (!buf)
		die("out of memory");
	for (;;) {
		ssize_t n = recv(fd, buf, BUFSZ, 0);
		struct nlmsghdr *h;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			die("recv(NETLINK_SOCK_DIAG): %s", strerror(errno));
		}
		if (n == 0)
			die("netlink socket closed");
		n_reads++;
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, n);
		     h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_seq != seq)
				continue;
			if (h->nlmsg_type == NLMSG_DONE)
				goto out;
			if (h->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *e = NLMSG_DATA(h);

				if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*e)))
					die("short netlink error message");
				/* an ACK (SOCK_DESTROY) ends a request */
				if (!e->error && dump)
					continue;
				ret = -e->error;
				goto out;
			}
			if (h->nlmsg_type != SOCK_DIAG_BY_FAMILY)
				continue;
			fn(h);
			if (!dump)
				goto out;
		}
	}
out:
	free(buf);
	return ret;
}

static const struct inet_diag_msg *exact_want;

static void exact_check(const struct nlmsghdr *h)
{
	const struct inet_diag_msg *m = NLMSG_DATA(h);
	const struct inet_diag_msg *w = exact_want;

	if (m->idiag_family == w->idiag_family &&
	    m->id.idiag_sport == w->id.idiag_sport &&
	    m->id.idiag_dport == w->id.idiag_dport &&
	    !memcmp(m->id.idiag_src, w->id.idiag_src, 16) &&
	    !memcmp(m->id.idiag_dst, w->id.idiag_dst, 16) &&
	    m->idiag_inode == w->idiag_inode) {
		n_exact_ok++;
	} else {
		n_exact_bad++;
		fprintf(stderr, "xtcp-ss: exact reply differs for port %u\n",
			ntohs(w->id.idiag_sport));
	}
}

/* -e: each dumped entry asked again by its 4-tuple and cookie */
static void exact_all(int fd, __u32 seq)
{
	size_t i;
	int err;

	for (i = 0; i < n_entries; i++) {
		const struct inet_diag_msg *m = &entries[i].m;
		struct xtcp_diag_req req = {
			.sdiag_family = AF_XTCP,
			.sdiag_protocol = IPPROTO_TCP,
			.xdiag_family = m->idiag_family,
			.id = m->id,
		};

		exact_want = m;
		nl_send(fd, &req, 0, ++seq);
		err = nl_recv(fd, seq, exact_check, false);
		if (err) {
			n_exact_bad++;
			fprintf(stderr, "xtcp-ss: exact request for port %u: %s\n",
				ntohs(m->id.idiag_sport), strerror(err));
		}
	}
	fprintf(stderr, "xtcp-ss: exact: %lu of %zu found, %lu bad\n",
		n_exact_ok, n_entries, n_exact_bad);
}

static bool end_match(const struct endsel *e, int family, const __u32 *a,
		      __be16 port)
{
	size_t alen = family == AF_INET6 ? 16 : 4;

	if (!e->set)
		return true;
	if (!e->any_port && ntohs(port) != e->port)
		return false;
	return !e->family ||
	       (e->family == family && !memcmp(e->addr, a, alen));
}

static bool selected(const struct inet_diag_msg *m)
{
	if (sel_port >= 0 && ntohs(m->id.idiag_sport) != sel_port &&
	    ntohs(m->id.idiag_dport) != sel_port)
		return false;
	return end_match(&sel_local, m->idiag_family, m->id.idiag_src,
			 m->id.idiag_sport) &&
	       end_match(&sel_peer, m->idiag_family, m->id.idiag_dst,
			 m->id.idiag_dport);
}

/* "ADDR:PORT", "[ADDR6]:PORT", either part "*" */
static void parse_end(struct endsel *e, const char *arg)
{
	char buf[INET6_ADDRSTRLEN + 16], *addr = buf, *port;
	char *end;
	long p;

	if (strlen(arg) >= sizeof(buf))
		die("bad end %s", arg);
	strcpy(buf, arg);
	port = strrchr(buf, ':');
	if (!port)
		die("bad end %s: ADDR:PORT", arg);
	*port++ = '\0';
	if (*addr == '[') {
		addr++;
		if (addr[strlen(addr) - 1] != ']')
			die("bad end %s", arg);
		addr[strlen(addr) - 1] = '\0';
	}
	e->set = 1;
	if (!strcmp(addr, "*"))
		e->family = 0;
	else if (inet_pton(AF_INET, addr, e->addr) == 1)
		e->family = AF_INET;
	else if (inet_pton(AF_INET6, addr, e->addr) == 1)
		e->family = AF_INET6;
	else
		die("bad address %s", addr);
	if (!strcmp(port, "*")) {
		e->any_port = 1;
		return;
	}
	p = strtol(port, &end, 10);
	if (*end || !*port || p < 0 || p > 65535)
		die("bad port %s", port);
	e->port = p;
}

static int kill_fd;
static __u32 kill_seq = 1U << 30;

static void kill_ack(const struct nlmsghdr *h)
{
	(void)h;
}

/*
 * SOCK_DESTROY for @m's 4-tuple and cookie. Return true when the socket
 * was aborted; false when it is gone already or cannot be (as ss -K);
 * exit on any other error.
 */
static bool kill_one(const struct inet_diag_msg *m)
{
	struct xtcp_diag_req req = {
		.sdiag_family = AF_XTCP,
		.sdiag_protocol = IPPROTO_TCP,
		.xdiag_family = m->idiag_family,
		.id = m->id,
	};
	char local[64], peer[64];
	int err;

	nl_send_type(kill_fd, &req, SOCK_DESTROY, NLM_F_ACK, ++kill_seq);
	err = nl_recv(kill_fd, kill_seq, kill_ack, false);
	if (!err)
		return true;
	if (err == ENOENT || err == EOPNOTSUPP)
		return false;
	fmt_addr(local, sizeof(local), m->idiag_family, m->id.idiag_src,
		 m->id.idiag_sport, false);
	fmt_addr(peer, sizeof(peer), m->idiag_family, m->id.idiag_dst,
		 m->id.idiag_dport, true);
	die("SOCK_DESTROY %s %s: %s", local, peer, strerror(err));
}

/* -K with an exact 4-tuple: one SOCK_DESTROY, its errno reported */
static int kill_tuple(void)
{
	struct xtcp_diag_req req = {
		.sdiag_family = AF_XTCP,
		.sdiag_protocol = IPPROTO_TCP,
		.xdiag_family = sel_local.family,
	};
	int err;

	if (sel_peer.family != sel_local.family)
		die("-L and -R of different families");
	memcpy(req.id.idiag_src, sel_local.addr, sizeof(req.id.idiag_src));
	memcpy(req.id.idiag_dst, sel_peer.addr, sizeof(req.id.idiag_dst));
	req.id.idiag_sport = htons(sel_local.port);
	req.id.idiag_dport = htons(sel_peer.port);
	req.id.idiag_cookie[0] = INET_DIAG_NOCOOKIE;
	req.id.idiag_cookie[1] = INET_DIAG_NOCOOKIE;
	nl_send_type(kill_fd, &req, SOCK_DESTROY, NLM_F_ACK, ++kill_seq);
	err = nl_recv(kill_fd, kill_seq, kill_ack, false);
	if (err == EOPNOTSUPP || err == EINVAL)
		not_loaded(err);
	if (err) {
		char local[64], peer[64];

		fmt_addr(local, sizeof(local), req.xdiag_family,
			 req.id.idiag_src, req.id.idiag_sport, false);
		fmt_addr(peer, sizeof(peer), req.xdiag_family,
			 req.id.idiag_dst, req.id.idiag_dport, true);
		die("SOCK_DESTROY %s %s: %s", local, peer, strerror(err));
	}
	printf("aborted\n");
	return 0;
}

static void usage(int st) __attribute__((noreturn));
static void usage(int st)
{
	fprintf(st ? stderr : stdout,
		"usage: xtcp-ss [-l] [-4|-6] [-i] [-m] [-o] [-H] [-S] [-e] [-K]\n"
		"               [-p PORT] [-L ADDR:PORT] [-R ADDR:PORT] [-tan]\n"
		"List XTCP sockets (sock_diag, family AF_XTCP) as ss -tan does.\n"
		"  -l listeners only   -4/-6 one family   -i cwnd, rtt, rto, retrans, RFC state\n"
		"  -m socket memory (skmem)   -o timers   -H no header   -S summary on stderr\n"
		"  -e check exact requests   -p PORT local or peer port\n"
		"  -L / -R ADDR:PORT local / peer end ([ADDR6]:PORT; \"*\" for any)\n"
		"  -K abort the sockets listed (SOCK_DESTROY, as ss -K; CAP_NET_ADMIN);\n"
		"     exact -L and -R: that 4-tuple only, ENOENT if none\n");
	exit(st);
}

int main(int argc, char **argv)
{
	struct xtcp_diag_req req = {
		.sdiag_family = AF_XTCP,
		.sdiag_protocol = IPPROTO_TCP,
	};
	__u32 seq = 1;
	int c, fd, err;

	while ((c = getopt(argc, argv, "l46imoHSeKp:L:R:tanh")) != -1) {
		switch (c) {
		case 'l':
			req.xdiag_states = 1U << TCP_LISTEN;
			break;
		case '4':
			req.xdiag_family = AF_INET;
			break;
		case '6':
			req.xdiag_family = AF_INET6;
			break;
		case 'i':
			opt_info = 1;
			req.xdiag_ext |= (1 << (INET_DIAG_INFO - 1)) |
					 (1 << (INET_DIAG_CONG - 1));
			break;
		case 'm':
			opt_mem = 1;
			req.xdiag_ext |= (1 << (INET_DIAG_MEMINFO - 1)) |
					 (1 << (INET_DIAG_SKMEMINFO - 1));
			break;
		case 'K':
			opt_kill = 1;
			break;
		case 'p': {
			char *end;

			sel_port = strtol(optarg, &end, 10);
			if (*end || !*optarg || sel_port < 0 || sel_port > 65535)
				die("bad port %s", optarg);
			break;
		}
		case 'L':
			parse_end(&sel_local, optarg);
			break;
		case 'R':
			parse_end(&sel_peer, optarg);
			break;
		case 'o':
			opt_timer = 1;
			break;
		case 'H':
			opt_noheader = 1;
			break;
		case 'S':
			opt_summary = 1;
			break;
		case 'e':
			opt_exact = 1;
			break;
		case 't': case 'a': case 'n':
			break;
		case 'h':
			usage(0);
		default:
			usage(2);
		}
	}
	if (optind != argc)
		usage(2);

	if (opt_kill && opt_exact)
		die("-K and -e do not go together");
	fd = nl_open();
	kill_fd = opt_kill ? nl_open() : -1;
	if (opt_kill && sel_local.set && sel_peer.set && sel_local.family &&
	    sel_peer.family && !sel_local.any_port && !sel_peer.any_port)
		return kill_tuple();
	nl_send(fd, &req, NLM_F_DUMP, seq);
	err = nl_recv(fd, seq, show, true);
	if (err)
		not_loaded(err);
	header();
	if (opt_summary)
		fprintf(stderr, "xtcp-ss: %lu sockets in %lu netlink reads\n",
			n_socks, n_reads);
	if (opt_kill) {
		size_t i;

		/* as ss -K: the sockets aborted are listed */
		for (i = 0; i < n_entries; i++)
			if (kill_one(&entries[i].m))
				print_row(&entries[i].m);
	}
	if (opt_exact) {
		exact_all(fd, seq);
		if (n_exact_bad || n_exact_ok != n_entries)
			return 1;
	}
	close(fd);
	return 0;
}
