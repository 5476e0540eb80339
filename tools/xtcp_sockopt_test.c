// SPDX-License-Identifier: GPL-2.0
/*
 * IPPROTO_TCP socket options on XTCP compared with Linux TCP in the same
 * run: for every option and a set of values (valid, bounds, invalid), the
 * setsockopt() result and errno and the getsockopt() value and length must
 * be Linux's. Then TCP_INFO on a connected loopback pair and a listener.
 * TAP output.  usage: xtcp_sockopt_test
 */
#include "xtcp_tools.h"

#include <linux/sockios.h>
#include <linux/tcp.h>
#include <sys/ioctl.h>

static int sock_of(int fam)
{
	int fd = socket(fam ? fam : AF_INET, SOCK_STREAM, 0);

	if (fd < 0) {
		perror("socket");
		exit(2);
	}
	return fd;
}

struct res {
	int set_rc, set_err, get_rc, get_err, val;
	socklen_t len;
};

static void try_opt(int fam, int opt, int val, struct res *r)
{
	int fd = sock_of(fam), v = -12345;
	socklen_t len = sizeof(v);

	errno = 0;
	r->set_rc = setsockopt(fd, IPPROTO_TCP, opt, &val, sizeof(val));
	r->set_err = r->set_rc ? errno : 0;
	errno = 0;
	r->get_rc = getsockopt(fd, IPPROTO_TCP, opt, &v, &len);
	r->get_err = r->get_rc ? errno : 0;
	r->val = v;
	r->len = len;
	close(fd);
}

static const struct {
	const char *name;
	int opt;
} opts[] = {
	{ "TCP_NODELAY", TCP_NODELAY }, { "TCP_CORK", TCP_CORK },
	{ "TCP_MAXSEG", TCP_MAXSEG }, { "TCP_KEEPIDLE", TCP_KEEPIDLE },
	{ "TCP_KEEPINTVL", TCP_KEEPINTVL }, { "TCP_KEEPCNT", TCP_KEEPCNT },
	{ "TCP_USER_TIMEOUT", TCP_USER_TIMEOUT },
	{ "TCP_QUICKACK", TCP_QUICKACK }, { "TCP_SYNCNT", TCP_SYNCNT },
	{ "TCP_LINGER2", TCP_LINGER2 },
	{ "TCP_DEFER_ACCEPT", TCP_DEFER_ACCEPT },
	{ "TCP_WINDOW_CLAMP", TCP_WINDOW_CLAMP },
	{ "TCP_NOTSENT_LOWAT", TCP_NOTSENT_LOWAT }, { "TCP_INQ", TCP_INQ },
	{ "unknown option 99", 99 },
};
static const int vals[] = { -1, 0, 1, 2, 5, 87, 88, 127, 128, 500,
			    1000, 32767, 32768, 100000 };

static void compare_options(void)
{
	char want[160], got[160];
	struct res x, t;
	size_t i, j;
	int bad;

	for (i = 0; i < sizeof(opts) / sizeof(opts[0]); i++) {
		bad = 0;
		for (j = 0; j < sizeof(vals) / sizeof(vals[0]); j++) {
			try_opt(AF_XTCP, opts[i].opt, vals[j], &x);
			try_opt(0, opts[i].opt, vals[j], &t);
			/* TCP_SYNCNT/LINGER2 defaults come from each stack's sysctl */
			if (x.set_rc == t.set_rc && x.set_err == t.set_err &&
			    x.get_rc == t.get_rc && x.get_err == t.get_err &&
			    x.len == t.len && x.val == t.val)
				continue;
			snprintf(want, sizeof(want), "set %s get %s val %d len %u",
				 ename(t.set_err), ename(t.get_err), t.val, t.len);
			snprintf(got, sizeof(got), "set %s get %s val %d len %u",
				 ename(x.set_err), ename(x.get_err), x.val, x.len);
			printf("# %s = %d: Linux TCP %s, XTCP %s\n", opts[i].name,
			       vals[j], want, got);
			bad++;
		}
		tap(!bad, "%s: set/get of %zu values as Linux TCP (%d differ)",
		    opts[i].name, sizeof(vals) / sizeof(vals[0]), bad);
	}
}

static void short_optlen(void)
{
	int fx = sock_of(AF_XTCP), ft = sock_of(0), v = 1, rx, rt, ex, et;

	errno = 0;
	rx = setsockopt(fx, IPPROTO_TCP, TCP_NODELAY, &v, 2);
	ex = errno;
	errno = 0;
	rt = setsockopt(ft, IPPROTO_TCP, TCP_NODELAY, &v, 2);
	et = errno;
	tap(rx == rt && ex == et, "optlen 2 for an int option: XTCP %s, Linux %s",
	    ename(rx ? ex : 0), ename(rt ? et : 0));
	close(fx);
	close(ft);
}

static void congestion(void)
{
	int fx = sock_of(AF_XTCP), ft = sock_of(0), rx, rt, ex, et;
	char name[32], lname[32];
	socklen_t len = sizeof(name), llen = sizeof(lname);

	memset(name, 'x', sizeof(name));
	memset(lname, 'x', sizeof(lname));
	rx = getsockopt(fx, IPPROTO_TCP, TCP_CONGESTION, name, &len);
	rt = getsockopt(ft, IPPROTO_TCP, TCP_CONGESTION, lname, &llen);
	/* both stacks default to CUBIC (xtcp_cc_test compares the rest) */
	tap(rx == 0 && rt == 0 && len == llen && !memcmp(name, lname, 32),
	    "TCP_CONGESTION reads \"%s\" len %u (Linux \"%s\" len %u)",
	    rx ? "?" : name, len, rt ? "?" : lname, llen);
	errno = 0;
	rx = setsockopt(fx, IPPROTO_TCP, TCP_CONGESTION, "reno", 4);
	tap(rx == 0, "TCP_CONGESTION \"reno\" accepted");
	errno = 0;
	rx = setsockopt(fx, IPPROTO_TCP, TCP_CONGESTION, "nosuchcc", 8);
	ex = errno;
	errno = 0;
	rt = setsockopt(ft, IPPROTO_TCP, TCP_CONGESTION, "nosuchcc", 8);
	et = errno;
	tap(rx == rt && ex == et, "TCP_CONGESTION unknown name: XTCP %s, Linux %s",
	    ename(rx ? ex : 0), ename(rt ? et : 0));
	close(fx);
	close(ft);
}

/* a connected loopback pair of family fam; returns the client */
static int pair(int fam, int *srv, int *lfd)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t al = sizeof(a);
	int l = sock_of(fam), c = sock_of(fam);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(l, (void *)&a, sizeof(a)) || listen(l, 7) ||
	    getsockname(l, (void *)&a, &al) ||
	    connect(c, (void *)&a, sizeof(a))) {
		perror("pair");
		exit(2);
	}
	*srv = accept(l, NULL, NULL);
	if (*srv < 0) {
		perror("accept");
		exit(2);
	}
	*lfd = l;
	return c;
}

static void tcp_info_check(void)
{
	struct tcp_info ix, it;
	socklen_t lx = sizeof(ix), lt = sizeof(it);
	static char buf[100000];
	int sx, st, lsx, lst, cx, ct, rx;
	size_t got = 0;
	ssize_t n;

	cx = pair(AF_XTCP, &sx, &lsx);
	ct = pair(0, &st, &lst);
	memset(buf, 7, sizeof(buf));
	if (write(cx, buf, sizeof(buf)) != sizeof(buf))
		perror("write");
	while (got < sizeof(buf) && (n = read(sx, buf, sizeof(buf))) > 0)
		got += n;
	/* the last ACK reaches the sender soon after the reader has it all */
	for (int i = 0; i < 200; i++) {
		lx = sizeof(ix);
		rx = getsockopt(cx, IPPROTO_TCP, TCP_INFO, &ix, &lx);
		if (rx || ix.tcpi_bytes_acked >= sizeof(buf))
			break;
		usleep(10000);
	}
	getsockopt(ct, IPPROTO_TCP, TCP_INFO, &it, &lt);
	tap(rx == 0 && lx == lt, "TCP_INFO length %u (Linux %u)", lx, lt);
	tap(ix.tcpi_state == it.tcpi_state && ix.tcpi_state == 1,
	    "tcpi_state %u (Linux %u, ESTABLISHED = 1)", ix.tcpi_state,
	    it.tcpi_state);
	tap(ix.tcpi_bytes_acked >= sizeof(buf) && ix.tcpi_bytes_acked <= sizeof(buf) + 1,
	    "tcpi_bytes_acked %llu after %zu bytes sent and read",
	    (unsigned long long)ix.tcpi_bytes_acked, sizeof(buf));
	/* 65495: loopback MTU 65535 less 40, XTCP sends no timestamps */
	tap(ix.tcpi_snd_mss >= 536 && ix.tcpi_snd_mss <= 65495 &&
	    ix.tcpi_rtt > 0 && ix.tcpi_rto >= 200000 && ix.tcpi_snd_cwnd > 0,
	    "tcpi_snd_mss %u rtt %u us rto %u us cwnd %u (Linux %u %u %u %u)",
	    ix.tcpi_snd_mss, ix.tcpi_rtt, ix.tcpi_rto, ix.tcpi_snd_cwnd,
	    it.tcpi_snd_mss, it.tcpi_rtt, it.tcpi_rto, it.tcpi_snd_cwnd);
	tap(ix.tcpi_pmtu == it.tcpi_pmtu, "tcpi_pmtu %u (Linux %u)",
	    ix.tcpi_pmtu, it.tcpi_pmtu);
	lx = 8;
	rx = getsockopt(cx, IPPROTO_TCP, TCP_INFO, &ix, &lx);
	tap(rx == 0 && lx == 8, "TCP_INFO truncated to the caller's 8 bytes");
	lx = sizeof(ix);
	lt = sizeof(it);
	getsockopt(lsx, IPPROTO_TCP, TCP_INFO, &ix, &lx);
	getsockopt(lst, IPPROTO_TCP, TCP_INFO, &it, &lt);
	tap(ix.tcpi_state == 10 && it.tcpi_state == 10 &&
	    ix.tcpi_sacked == it.tcpi_sacked && ix.tcpi_unacked == it.tcpi_unacked,
	    "listener: state %u backlog %u queued %u (Linux %u %u %u)",
	    ix.tcpi_state, ix.tcpi_sacked, ix.tcpi_unacked,
	    it.tcpi_state, it.tcpi_sacked, it.tcpi_unacked);
	close(cx); close(sx); close(lsx);
	close(ct); close(st); close(lst);
}

/* ioctl(fd, cmd) as "rc/errno/value" for comparing two sockets */
static void ioc(int fd, unsigned long cmd, char *out, size_t n)
{
	int v = -7, rc;

	errno = 0;
	rc = ioctl(fd, cmd, &v);
	if (rc)
		snprintf(out, n, "%s", ename(errno));
	else
		snprintf(out, n, "%d", v);
}

/* ioctl(fd, cmd) until it reads want (the last ACK may be in flight) */
static void ioc_wait(int fd, unsigned long cmd, const char *want, char *out,
		     size_t n)
{
	for (int i = 0; i < 300; i++) {
		ioc(fd, cmd, out, n);
		if (!strcmp(out, want))
			return;
		usleep(10000);
	}
}

/*
 * SIOCINQ/SIOCOUTQ/SIOCOUTQNSD/SIOCATMARK on a listener and on both ends of
 * a connection with 3000 bytes unread, then read and acknowledged.
 */
static void ioctl_check(void)
{
	static const struct {
		const char *name;
		unsigned long cmd;
	} c[] = {
		{ "SIOCINQ", SIOCINQ }, { "SIOCOUTQ", SIOCOUTQ },
		{ "SIOCOUTQNSD", SIOCOUTQNSD }, { "SIOCATMARK", SIOCATMARK },
	};
	char buf[3000], x[32], t[32];
	int sx, st, lsx, lst, cx, ct;
	size_t got;
	ssize_t r;

	cx = pair(AF_XTCP, &sx, &lsx);
	ct = pair(0, &st, &lst);
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		ioc(lsx, c[i].cmd, x, sizeof(x));
		ioc(lst, c[i].cmd, t, sizeof(t));
		tap(!strcmp(x, t), "ioctl %s on a listener: XTCP %s, Linux %s",
		    c[i].name, x, t);
	}
	memset(buf, 3, sizeof(buf));
	if (write(cx, buf, sizeof(buf)) != sizeof(buf) ||
	    write(ct, buf, sizeof(buf)) != sizeof(buf))
		perror("write");
	ioc_wait(sx, SIOCINQ, "3000", x, sizeof(x));
	ioc_wait(st, SIOCINQ, "3000", t, sizeof(t));
	tap(!strcmp(x, t), "SIOCINQ with 3000 bytes unread: XTCP %s, Linux %s",
	    x, t);
	for (size_t i = 1; i < sizeof(c) / sizeof(c[0]); i++) {
		/* the reader acknowledged the data: nothing queued to send */
		ioc_wait(cx, c[i].cmd, "0", x, sizeof(x));
		ioc_wait(ct, c[i].cmd, "0", t, sizeof(t));
		tap(!strcmp(x, t), "ioctl %s on the sender: XTCP %s, Linux %s",
		    c[i].name, x, t);
	}
	for (got = 0; got < sizeof(buf) && (r = read(sx, buf, sizeof(buf))) > 0;)
		got += r;
	ioc(sx, SIOCINQ, x, sizeof(x));
	ioc(sx, SIOCATMARK, t, sizeof(t));
	tap(got == sizeof(buf) && !strcmp(x, "0") && !strcmp(t, "0"),
	    "after reading all: SIOCINQ %s SIOCATMARK %s (Linux 0 0)", x, t);
	close(cx); close(sx); close(lsx);
	close(ct); close(st); close(lst);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	compare_options();
	short_optlen();
	congestion();
	tcp_info_check();
	ioctl_check();
	printf("1..%d\n%d passed, %d failed\n", tap_n, tap_n - tap_fail, tap_fail);
	return tap_fail != 0;
}
