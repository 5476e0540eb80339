// SPDX-License-Identifier: GPL-2.0
/*
 * close() with unread data must abort the connection (RFC 9293 §3.10.4 /
 * RFC 2525 2.17, as Linux does): the side that closes sends RST, and the
 * peer's next recv() fails with ECONNRESET instead of reading EOF.
 *
 *   xtcp_unread -f xtcp|tcp -a ADDR -p PORT   (listener: XTCP, -f: client)
 * The listener accepts, waits until the client's bytes are queued, and
 * closes without reading them. Exit 0 when the client sees ECONNRESET.
 */
#include "xtcp_tools.h"

#include <getopt.h>
#include <poll.h>

int main(int argc, char **argv)
{
	const char *addr = NULL, *fam_s = "xtcp";
	struct sockaddr_storage ss;
	int port = 0, lfd, cfd, afd, opt, one = 1;
	struct pollfd pfd;
	char buf[16];
	socklen_t sl;
	ssize_t r;

	while ((opt = getopt(argc, argv, "f:a:p:")) != -1) {
		switch (opt) {
		case 'f': fam_s = optarg; break;
		case 'a': addr = optarg; break;
		case 'p': port = atoi(optarg); break;
		default: return 2;
		}
	}
	if (!addr || !port)
		return 2;
	sl = parse_addr(addr, port, &ss);
	lfd = socket(AF_XTCP, SOCK_STREAM, 0);
	if (lfd < 0 || setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(lfd, (struct sockaddr *)&ss, sl) || listen(lfd, 1)) {
		printf("error=%s (listener)\n", ename(errno));
		return 1;
	}
	cfd = socket(parse_family(fam_s) ? : ss.ss_family, SOCK_STREAM, 0);
	if (cfd < 0 || connect(cfd, (struct sockaddr *)&ss, sl)) {
		printf("error=%s (connect)\n", ename(errno));
		return 1;
	}
	afd = accept(lfd, NULL, NULL);
	if (afd < 0 || write(cfd, "unread bytes", 12) != 12) {
		printf("error=%s (accept/write)\n", ename(errno));
		return 1;
	}
	pfd.fd = afd;
	pfd.events = POLLIN;
	if (poll(&pfd, 1, 30000) != 1) {
		printf("error=data never arrived\n");
		return 1;
	}
	close(afd);	/* 12 bytes unread: must send RST */
	pfd.fd = cfd;
	poll(&pfd, 1, 30000);
	r = recv(cfd, buf, sizeof(buf), 0);
	if (r < 0 && errno == ECONNRESET) {
		printf("peer recv: ECONNRESET\n");
		return 0;
	}
	printf("error=peer recv returned %zd (%s), want ECONNRESET\n", r,
	       r < 0 ? ename(errno) : "no error");
	return 1;
}
