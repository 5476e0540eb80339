// SPDX-License-Identifier: GPL-2.0
/*
 * Simultaneous open (RFC 9293 §3.5, figure 8): both ends bind a fixed port
 * and connect() to each other at the same time, so that the two SYNs cross.
 * Run one instance on each host; with a path delay the SYNs are in flight
 * together. After the connection opens each side sends a line naming
 * itself and checks the peer's line, then prints the XTCP states seen.
 *
 *   xtcp_simopen -f xtcp|tcp -l LADDR -p LPORT -a RADDR -P RPORT -n NAME
 *                [-t SECONDS]
 * Exit: 0 connected and exchanged, 1 failure.
 */
#include "xtcp_tools.h"

#include <getopt.h>

int main(int argc, char **argv)
{
	const char *laddr = NULL, *raddr = NULL, *name = "x", *fam_s = "xtcp";
	struct sockaddr_storage ls, rs;
	int lport = 0, rport = 0, timeout = 30, fd, opt, one = 1;
	char msg[64], got[64] = { 0 }, want[64];
	socklen_t ll, rl;
	double t0 = now_s();
	ssize_t n = 0;

	while ((opt = getopt(argc, argv, "f:l:p:a:P:n:t:")) != -1) {
		switch (opt) {
		case 'f': fam_s = optarg; break;
		case 'l': laddr = optarg; break;
		case 'p': lport = atoi(optarg); break;
		case 'a': raddr = optarg; break;
		case 'P': rport = atoi(optarg); break;
		case 'n': name = optarg; break;
		case 't': timeout = atoi(optarg); break;
		default: return 2;
		}
	}
	if (!laddr || !raddr || !lport || !rport) {
		fprintf(stderr, "usage: xtcp_simopen -f xtcp|tcp -l LADDR -p LPORT -a RADDR -P RPORT -n NAME\n");
		return 2;
	}
	ll = parse_addr(laddr, lport, &ls);
	rl = parse_addr(raddr, rport, &rs);
	if (!ll || !rl)
		return 2;
	fd = socket(parse_family(fam_s) ? : ls.ss_family, SOCK_STREAM, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, (struct sockaddr *)&ls, ll)) {
		printf("error=%s (socket/bind)\n", ename(errno));
		return 1;
	}
	/* no listener anywhere: a SYN that finds none is answered with RST,
	 * so keep trying until the other side's connect() is under way
	 */
	while (connect(fd, (struct sockaddr *)&rs, rl)) {
		if ((errno != ECONNREFUSED && errno != ETIMEDOUT) ||
		    now_s() - t0 > timeout) {
			printf("error=%s (connect)\n", ename(errno));
			return 1;
		}
		close(fd);
		fd = socket(parse_family(fam_s) ? : ls.ss_family, SOCK_STREAM, 0);
		if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one,
					 sizeof(one)) ||
		    bind(fd, (struct sockaddr *)&ls, ll)) {
			printf("error=%s (rebind)\n", ename(errno));
			return 1;
		}
		usleep(20000);
	}
	snprintf(msg, sizeof(msg), "hello from %s\n", name);
	if (write(fd, msg, strlen(msg)) != (ssize_t)strlen(msg)) {
		printf("error=%s (write)\n", ename(errno));
		return 1;
	}
	while (n < (ssize_t)sizeof(got) - 1) {
		ssize_t r = read(fd, got + n, sizeof(got) - 1 - n);

		if (r <= 0)
			break;
		n += r;
		if (got[n - 1] == '\n')
			break;
	}
	snprintf(want, sizeof(want), "hello from ");
	if (strncmp(got, want, strlen(want)) || !strcmp(got, msg)) {
		printf("error=bad peer line '%s'\n", got);
		return 1;
	}
	got[strcspn(got, "\n")] = 0;
	printf("connected after %.3f s, peer said '%s'\n", now_s() - t0, got);
	close(fd);
	return 0;
}
