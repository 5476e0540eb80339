// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp_softerr: how a connected socket reports an ICMP error (RFC 1122
 * §4.2.3.9 soft errors): connect, send a first byte, wait for TRIGGER_FILE
 * to appear (the test then makes the path fail), send again and poll
 * getsockopt(SO_ERROR) until it reports an error or TIMEOUT seconds pass.
 *
 *   xtcp_softerr -f xtcp|tcp -a ADDR -p PORT -w TRIGGER_FILE [-t TIMEOUT]
 *
 * Prints "connected" once connected, then "so_error=ENAME ms=N" (OK when
 * none came) and "so_error_again=ENAME" (SO_ERROR clears what it reports).
 * Exit: 0 when an error was reported, 1 otherwise, 2 usage.
 */
#include "xtcp_tools.h"

int main(int argc, char **argv)
{
	const char *addr = NULL, *trig = NULL;
	int fam = -1, port = -1, timeout = 20, fd, opt, e = 0;
	struct sockaddr_storage ss;
	char buf[1000] = { 0 };
	socklen_t sl, l;
	double t0;

	while ((opt = getopt(argc, argv, "f:a:p:w:t:")) != -1) {
		switch (opt) {
		case 'f': fam = parse_family(optarg); break;
		case 'a': addr = optarg; break;
		case 'p': port = atoi(optarg); break;
		case 'w': trig = optarg; break;
		case 't': timeout = atoi(optarg); break;
		default: return 2;
		}
	}
	if (fam < 0 || !addr || port < 0 || !trig)
		return 2;
	sl = parse_addr(addr, port, &ss);
	if (!sl)
		return 2;
	fd = stream_socket(fam, ss.ss_family, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&ss, sl) < 0 ||
	    send(fd, buf, 1, 0) != 1) {
		printf("error=%s op=connect\n", ename(errno));
		return 1;
	}
	printf("connected\n");
	fflush(stdout);
	t0 = now_s();
	while (access(trig, F_OK) && now_s() - t0 < timeout)
		usleep(20000);
	t0 = now_s();
	if (send(fd, buf, sizeof(buf), MSG_DONTWAIT) < 0)
		printf("send error=%s\n", ename(errno));
	while (now_s() - t0 < timeout) {
		l = sizeof(e);
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &l) < 0) {
			printf("error=%s op=getsockopt\n", ename(errno));
			return 1;
		}
		if (e)
			break;
		usleep(20000);
	}
	printf("so_error=%s ms=%d\n", ename(e), (int)((now_s() - t0) * 1000));
	l = sizeof(opt);
	opt = 0;
	getsockopt(fd, SOL_SOCKET, SO_ERROR, &opt, &l);
	printf("so_error_again=%s\n", ename(opt));
	close(fd);
	return e ? 0 : 1;
}
