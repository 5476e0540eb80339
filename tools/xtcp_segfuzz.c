// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp_segfuzz: hostile TCP segments from a raw socket (run as root in the
 * peer's network namespace). Works on any TCP, XTCP or Linux.
 *
 *   xtcp_segfuzz probe -s SRC -d DST -p DPORT -c CLASS [-P SPORT]
 *       send one crafted segment of CLASS to DST:DPORT and print what
 *       DST answered within 2 s: "reply=FLAGS[,FLAGS..]" or "reply=none"
 *       (FLAGS as S F R P . U, e.g. "S." for a SYN-ACK). Classes:
 *         syn doff4 doffbig trunc badcsum optlen0 optlen1 optover
 *         synfin synrst synurg fin null xmas
 *       or "allflags": all 64 combinations of FIN SYN RST PSH ACK URG,
 *       from source ports SPORT..SPORT+63, printed as "fNN=REPLIES"
 *       and, with IPv6 addresses, v6ext (a SYN behind hop-by-hop and
 *       destination-options headers) and v6frag (a SYN split into two
 *       fragments).
 *
 *   xtcp_segfuzz fuzz -s SRC -d DST [-l PORT].. [-v PORT].. [-b PORT]..
 *                [-t SECS] [-n MAX] [-S SEED] [-i IFACE]
 *       random and mutated segments for SECS seconds (or MAX segments):
 *       -l listener ports (random source ports, any flags/options/
 *       lengths/offsets, truncations, bad checksums); live connections
 *       are learnt by sniffing IFACE: -v "victim" ports get everything,
 *       in-window sequence numbers included; -b "bystander" ports get
 *       only segments a correct TCP must not accept (malformed, bad
 *       checksum, or sequence numbers half the space away), so their
 *       transfers must stay byte-exact. Prints "sent=N conns=K".
 */
#include "xtcp_tools.h"

#include <getopt.h>
#include <net/if.h>
#include <netinet/ip.h>
#include <netinet/ip6.h>
#include <netinet/tcp.h>
#include <linux/if_packet.h>
#include <linux/if_ether.h>
#include <poll.h>
#include <sys/time.h>

#define F_FIN 0x01
#define F_SYN 0x02
#define F_RST 0x04
#define F_PSH 0x08
#define F_ACK 0x10
#define F_URG 0x20

static int v6;
static struct in_addr s4, d4;
static struct in6_addr s6, d6;
static int raw_fd = -1, pkt_fd = -1;

static uint64_t rng = 88172645463325252ULL;

static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 11);
}

static uint32_t csum_add(uint32_t s, const void *p, size_t n)
{
	const uint8_t *b = p;

	while (n > 1) {
		s += (b[0] << 8) | b[1];
		b += 2;
		n -= 2;
	}
	if (n)
		s += b[0] << 8;
	return s;
}

static uint16_t csum_fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return ~s & 0xffff;
}

/* TCP checksum over pseudo header + @tcp (@len bytes) */
static uint16_t tcp_csum(const uint8_t *tcp, size_t len)
{
	uint32_t s = 0;

	if (v6) {
		s = csum_add(s, &s6, 16);
		s = csum_add(s, &d6, 16);
		s += len >> 16;
		s += len & 0xffff;
		s += IPPROTO_TCP;
	} else {
		s = csum_add(s, &s4, 4);
		s = csum_add(s, &d4, 4);
		s += IPPROTO_TCP;
		s += len;
	}
	s = csum_add(s, tcp, len);
	return csum_fold(s);
}

/*
 * Send @tcp (@len bytes, checksum field already final) inside an IP
 * header. IPv6: optional extension headers @ext (@extlen bytes, whose
 * first header's type is @ext_nh and last one's next header is TCP).
 */
static int send_ip(const uint8_t *tcp, size_t len, const uint8_t *ext,
		   size_t extlen, uint8_t ext_nh)
{
	uint8_t pkt[2048];
	size_t n;

	if (len + extlen + 40 > sizeof(pkt))
		return -1;
	if (v6) {
		struct ip6_hdr *h = (struct ip6_hdr *)pkt;
		struct sockaddr_in6 sa = { .sin6_family = AF_INET6 };

		memset(h, 0, sizeof(*h));
		h->ip6_flow = htonl(6 << 28);
		h->ip6_plen = htons(len + extlen);
		h->ip6_nxt = extlen ? ext_nh : IPPROTO_TCP;
		h->ip6_hlim = 64;
		h->ip6_src = s6;
		h->ip6_dst = d6;
		memcpy(pkt + 40, ext, extlen);
		memcpy(pkt + 40 + extlen, tcp, len);
		n = 40 + extlen + len;
		sa.sin6_addr = d6;
		return sendto(raw_fd, pkt, n, 0, (struct sockaddr *)&sa,
			      sizeof(sa)) < 0 ? -1 : 0;
	} else {
		struct iphdr *h = (struct iphdr *)pkt;
		struct sockaddr_in sa = { .sin_family = AF_INET };

		memset(h, 0, sizeof(*h));
		h->version = 4;
		h->ihl = 5;
		h->ttl = 64;
		h->protocol = IPPROTO_TCP;
		h->saddr = s4.s_addr;
		h->daddr = d4.s_addr;
		memcpy(pkt + 20, tcp, len);
		n = 20 + len;	/* tot_len, id and checksum: the kernel */
		sa.sin_addr = d4;
		return sendto(raw_fd, pkt, n, 0, (struct sockaddr *)&sa,
			      sizeof(sa)) < 0 ? -1 : 0;
	}
}

static void open_sockets(const char *ifname)
{
	raw_fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_RAW, IPPROTO_RAW);
	if (raw_fd < 0) {
		perror("raw socket");
		exit(2);
	}
	pkt_fd = socket(AF_PACKET, SOCK_DGRAM, htons(ETH_P_ALL));
	if (pkt_fd < 0) {
		perror("packet socket");
		exit(2);
	}
	if (ifname) {
		struct sockaddr_ll ll = {
			.sll_family = AF_PACKET,
			.sll_protocol = htons(ETH_P_ALL),
			.sll_ifindex = if_nametoindex(ifname),
		};

		if (bind(pkt_fd, (struct sockaddr *)&ll, sizeof(ll)) < 0) {
			perror("bind packet socket");
			exit(2);
		}
	}
}

/* a sniffed TCP segment: addresses of the IP header, the TCP header */
struct sniffed {
	int v6;
	uint8_t src[16], dst[16];
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t flags;
	uint16_t win;
	uint32_t paylen;
};

/* next TCP segment from the packet socket, or 0 after @ms */
static int sniff(struct sniffed *s, int ms)
{
	uint8_t b[2048];
	struct sockaddr_ll ll;
	socklen_t sl = sizeof(ll);
	struct pollfd p = { .fd = pkt_fd, .events = POLLIN };
	const uint8_t *th;
	ssize_t n;
	size_t off, tl;

	for (;;) {
		if (poll(&p, 1, ms) <= 0)
			return 0;
		n = recvfrom(pkt_fd, b, sizeof(b), MSG_DONTWAIT,
			     (struct sockaddr *)&ll, &sl);
		if (n <= 0)
			continue;
		if (ll.sll_pkttype == PACKET_OUTGOING)
			continue;
		memset(s, 0, sizeof(*s));
		if (ntohs(ll.sll_protocol) == ETH_P_IP && n >= 20 &&
		    (b[0] >> 4) == 4 && b[9] == IPPROTO_TCP) {
			off = (b[0] & 15) * 4;
			tl = ((b[2] << 8) | b[3]);
			if (tl > (size_t)n)
				tl = n;
			memcpy(s->src, b + 12, 4);
			memcpy(s->dst, b + 16, 4);
		} else if (ntohs(ll.sll_protocol) == ETH_P_IPV6 && n >= 40 &&
			   b[6] == IPPROTO_TCP) {
			off = 40;
			tl = 40 + ((b[4] << 8) | b[5]);
			if (tl > (size_t)n)
				tl = n;
			s->v6 = 1;
			memcpy(s->src, b + 8, 16);
			memcpy(s->dst, b + 24, 16);
		} else {
			continue;
		}
		if (off + 20 > tl)
			continue;
		th = b + off;
		s->sport = (th[0] << 8) | th[1];
		s->dport = (th[2] << 8) | th[3];
		s->seq = ntohl(*(uint32_t *)(th + 4));
		s->ack = ntohl(*(uint32_t *)(th + 8));
		s->flags = th[13];
		s->win = (th[14] << 8) | th[15];
		s->paylen = tl - off - (th[12] >> 4) * 4;
		return 1;
	}
}

static int from_dst(const struct sniffed *s)
{
	if (s->v6 != v6)
		return 0;
	return v6 ? !memcmp(s->src, &d6, 16) : !memcmp(s->src, &d4, 4);
}

static void flags_str(uint8_t f, char *out)
{
	static const struct { uint8_t b; char c; } m[] = {
		{ F_SYN, 'S' }, { F_FIN, 'F' }, { F_RST, 'R' },
		{ F_PSH, 'P' }, { F_ACK, '.' }, { F_URG, 'U' },
	};
	size_t i;

	for (i = 0; i < sizeof(m) / sizeof(m[0]); i++)
		if (f & m[i].b)
			*out++ = m[i].c;
	*out = 0;
}

/* a basic header in @t (20 bytes), checksum left 0 */
static void tcp_hdr(uint8_t *t, uint16_t sp, uint16_t dp, uint32_t seq,
		    uint32_t ack, uint8_t doff, uint8_t flags, uint16_t win)
{
	memset(t, 0, 20);
	t[0] = sp >> 8;
	t[1] = sp;
	t[2] = dp >> 8;
	t[3] = dp;
	*(uint32_t *)(t + 4) = htonl(seq);
	*(uint32_t *)(t + 8) = htonl(ack);
	t[12] = doff << 4;
	t[13] = flags;
	t[14] = win >> 8;
	t[15] = win;
}

static void set_csum(uint8_t *t, size_t len)
{
	uint16_t c;

	t[16] = t[17] = 0;
	c = tcp_csum(t, len);
	t[16] = c >> 8;
	t[17] = c;
}

/* every combination of the six classic flags at DST:DPORT, one source
 * port each; prints "fNN=REPLIES" (distinct reply flags) per combination
 */
static int probe_allflags(int dport, int sport0)
{
	uint8_t seen[64][4], nseen[64] = { 0 };
	struct sniffed s;
	uint8_t t[20];
	char fl[8];
	double end;
	int i, j;

	for (i = 0; i < 64; i++) {
		tcp_hdr(t, sport0 + i, dport, rnd(), rnd(), 5, i, 65535);
		set_csum(t, 20);
		if (send_ip(t, 20, NULL, 0, 0))
			perror("send");
	}
	end = now_s() + 1.5;
	while (now_s() < end) {
		if (!sniff(&s, 100) || !from_dst(&s) || s.sport != dport ||
		    s.dport < sport0 || s.dport >= sport0 + 64)
			continue;
		i = s.dport - sport0;
		for (j = 0; j < nseen[i] && seen[i][j] != s.flags; j++)
			;
		if (j == nseen[i] && j < 4)
			seen[i][nseen[i]++] = s.flags;
	}
	for (i = 0; i < 64; i++) {
		printf("f%02x=", i);
		for (j = 0; j < nseen[i]; j++) {
			flags_str(seen[i][j], fl);
			printf("%s%s", j ? "," : "", fl);
		}
		printf("%s\n", nseen[i] ? "" : "none");
	}
	return 0;
}

static int probe(int dport, int sport, const char *cls)
{
	uint8_t t[128], ext[64];
	size_t len = 20, extlen = 0;
	uint8_t ext_nh = 0;
	uint32_t seq = rnd();
	struct sniffed s;
	double end;
	char fl[8], out[256] = "";
	int bad = 0, nrep = 0;

	if (!strcmp(cls, "allflags"))
		return probe_allflags(dport, sport);
	tcp_hdr(t, sport, dport, seq, 0, 5, F_SYN, 65535);
	if (!strcmp(cls, "syn")) {
		/* a plain SYN */
	} else if (!strcmp(cls, "doff4")) {
		t[12] = 4 << 4;
	} else if (!strcmp(cls, "doffbig")) {
		t[12] = 15 << 4;	/* 60 bytes of header, 24 sent */
		memset(t + 20, 1, 4);
		len = 24;
	} else if (!strcmp(cls, "trunc")) {
		len = 12;		/* not even a whole header */
	} else if (!strcmp(cls, "badcsum")) {
		bad = 1;
	} else if (!strcmp(cls, "optlen0") || !strcmp(cls, "optlen1")) {
		t[12] = 6 << 4;
		t[20] = 2;		/* MSS kind, length 0 or 1 */
		t[21] = cls[6] - '0';
		t[22] = t[23] = 0;
		len = 24;
	} else if (!strcmp(cls, "optover")) {
		t[12] = 6 << 4;
		t[20] = 3;		/* window scale, length past the header */
		t[21] = 40;
		t[22] = 14;
		t[23] = 0;
		len = 24;
	} else if (!strcmp(cls, "synfin")) {
		t[13] = F_SYN | F_FIN;
	} else if (!strcmp(cls, "synrst")) {
		t[13] = F_SYN | F_RST;
	} else if (!strcmp(cls, "synurg")) {
		t[13] = F_SYN | F_URG;
		t[18] = 0;
		t[19] = 10;		/* urgent pointer past a zero payload */
	} else if (!strcmp(cls, "fin")) {
		t[13] = F_FIN;
	} else if (!strcmp(cls, "null")) {
		t[13] = 0;
	} else if (!strcmp(cls, "xmas")) {
		t[13] = 0x3f;
	} else if (!strcmp(cls, "v6ext") && v6) {
		/* hop-by-hop (PadN) then destination options (PadN) */
		ext_nh = 0;
		memset(ext, 0, 16);
		ext[0] = 60;		/* next: destination options */
		ext[1] = 0;		/* 8 bytes */
		ext[2] = 1;		/* PadN, 4 bytes of padding */
		ext[3] = 4;
		ext[8] = IPPROTO_TCP;
		ext[9] = 0;
		ext[10] = 1;
		ext[11] = 4;
		extlen = 16;
	} else if (!strcmp(cls, "v6frag") && v6) {
		/* the SYN (with 8 bytes of payload) in two fragments: the
		 * first carries the header and 4 bytes (RFC 8200 §4.5 wants
		 * the whole header chain in it), the second bytes 24..27
		 */
		uint32_t id = rnd();
		uint8_t f[8];

		memset(t + 20, 'x', 8);
		len = 28;
		set_csum(t, len);
		f[0] = IPPROTO_TCP;
		f[1] = 0;
		f[2] = 0;
		f[3] = 1;		/* offset 0, M */
		memcpy(f + 4, &id, 4);
		if (send_ip(t, 24, f, 8, 44))
			perror("send");
		f[2] = 0;
		f[3] = 3 << 3;		/* offset 24 bytes, last */
		if (send_ip(t + 24, 4, f, 8, 44))
			perror("send");
		goto listen;
	} else {
		fprintf(stderr, "unknown class %s\n", cls);
		return 2;
	}
	set_csum(t, len);
	if (bad)
		t[17] ^= 0x55;
	if (send_ip(t, len, ext, extlen, ext_nh)) {
		perror("send");
		return 1;
	}
listen:
	end = now_s() + 2.0;
	while (now_s() < end) {
		if (!sniff(&s, 100))
			continue;
		if (!from_dst(&s) || s.sport != dport || s.dport != sport)
			continue;
		flags_str(s.flags, fl);
		snprintf(out + strlen(out), sizeof(out) - strlen(out), "%s%s",
			 nrep++ ? "," : "", fl);
	}
	printf("reply=%s\n", nrep ? out : "none");
	return 0;
}

/* ------------------------------------------------------------ fuzz --- */

enum { K_LISTEN, K_VICTIM, K_BYSTANDER };

struct conn {
	uint16_t lport, rport;	/* DST's port, our port */
	uint32_t snd, rcv;	/* DST's seq / ack last seen */
	uint16_t win;
	int kind;
};

#define MAXC 64
static struct conn conns[MAXC];
static int nconns;
static int ports[3][16], nports[3];

static int port_kind(int p)
{
	int k, i;

	for (k = 0; k < 3; k++)
		for (i = 0; i < nports[k]; i++)
			if (ports[k][i] == p)
				return k;
	return -1;
}

static void learn(const struct sniffed *s)
{
	int k = port_kind(s->sport), i;

	if (k < 0 || !from_dst(s) || (s->flags & (F_RST | F_SYN)) == F_RST)
		return;
	for (i = 0; i < nconns; i++)
		if (conns[i].lport == s->sport && conns[i].rport == s->dport)
			break;
	if (i == nconns) {
		if (nconns == MAXC)
			i = rnd() % MAXC;
		else
			nconns++;
	}
	conns[i].lport = s->sport;
	conns[i].rport = s->dport;
	conns[i].snd = s->seq + s->paylen;
	conns[i].rcv = s->ack;
	conns[i].win = s->win;
	conns[i].kind = k == K_LISTEN ? K_VICTIM : k;
}

/* one random segment; returns 0 when sent */
static int fuzz_one(void)
{
	uint8_t t[1600];
	uint8_t ext[64];
	size_t extlen = 0, len, optlen, pay, i;
	uint8_t ext_nh = 0;
	uint16_t sp, dp;
	uint32_t seq, ack, r = rnd();
	int kind, malformed = 0, badsum = 0;
	struct conn *c = NULL;

	if (nconns && (r & 3)) {
		c = &conns[rnd() % nconns];
		sp = c->rport;
		dp = c->lport;
		kind = c->kind;
	} else {
		int k = nports[K_LISTEN] ? K_LISTEN :
			nports[K_VICTIM] ? K_VICTIM : K_BYSTANDER;

		dp = ports[k][rnd() % nports[k]];
		sp = 1024 + rnd() % 60000;
		kind = K_LISTEN;
	}
	/* sequence numbers: near what the peer expects, or anywhere */
	if (c && kind == K_VICTIM && (rnd() & 1)) {
		seq = c->rcv + (rnd() % 4096) - 1024;
		ack = c->snd + (rnd() % 4096) - 1024;
	} else if (c && kind == K_BYSTANDER) {
		/* half the sequence space away: never acceptable */
		seq = c->rcv + 0x80000000u + (rnd() % 0x20000000u) -
		      0x10000000u;
		ack = rnd();
	} else {
		seq = rnd();
		ack = rnd();
	}
	optlen = (rnd() & 3) ? 0 : (rnd() % 11) * 4;
	pay = (rnd() & 3) ? 0 : rnd() % 1200;
	tcp_hdr(t, sp, dp, seq, ack, 5 + optlen / 4, rnd() & 0xff,
		rnd() & 0xffff);
	if (rnd() & 1)
		t[13] &= ~(F_RST | F_FIN);	/* more SYN/ACK/data cases */
	if (rnd() % 8 == 0)
		*(uint16_t *)(t + 18) = rnd();	/* urgent pointer */
	for (i = 0; i < optlen; i++) {
		static const uint8_t kinds[] = { 0, 1, 2, 3, 4, 5, 8, 19, 28,
						 29, 30, 34, 253, 254 };

		if (rnd() & 1)
			t[20 + i] = rnd();
		else if (rnd() & 1)
			t[20 + i] = kinds[rnd() % sizeof(kinds)];
		else
			t[20 + i] = rnd() % 12;	/* short lengths */
	}
	for (i = 0; i < pay; i++)
		t[20 + optlen + i] = rnd();
	len = 20 + optlen + pay;
	switch (rnd() % 16) {
	case 0:		/* data offset below 5 or past the packet */
		t[12] = (rnd() % 16) << 4;
		malformed = 1;
		break;
	case 1:		/* truncated header */
		len = rnd() % 20;
		malformed = 1;
		break;
	case 2:
		badsum = 1;
		break;
	case 3:		/* truncated inside options or payload */
		len = 20 + rnd() % (len - 19);
		break;
	default:
		break;
	}
	if (kind == K_BYSTANDER && !malformed && !badsum && !c)
		badsum = 1;
	if (len >= 18)
		set_csum(t, len);
	if (badsum && len >= 18)
		t[16] ^= 1 + (rnd() % 255);
	if (v6 && rnd() % 8 == 0) {
		/* extension headers: destination options, sometimes a
		 * fragment header (atomic or first-of-many)
		 */
		memset(ext, 0, 16);
		if (rnd() & 1) {
			ext_nh = 60;
			ext[0] = IPPROTO_TCP;
			ext[2] = 1;
			ext[3] = 4;
			extlen = 8;
		} else {
			uint32_t id = rnd();

			ext_nh = 44;
			ext[0] = IPPROTO_TCP;
			ext[3] = rnd() & 1;	/* M */
			memcpy(ext + 4, &id, 4);
			extlen = 8;
		}
	}
	return send_ip(t, len, ext, extlen, ext_nh);
}

static void fuzz(double secs, uint64_t max)
{
	double end = now_s() + secs, next_sniff = 0;
	uint64_t sent = 0, errs = 0;
	struct sniffed s;

	while (sent < max) {
		double now = now_s();

		if (now >= end)
			break;
		if (now >= next_sniff) {
			/* drain what was captured: live sequence numbers */
			while (sniff(&s, 0))
				learn(&s);
			next_sniff = now + 0.01;
		}
		if (fuzz_one())
			errs++;
		sent++;
	}
	printf("sent=%llu senderrs=%llu conns=%d\n", (unsigned long long)sent,
	       (unsigned long long)errs, nconns);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: xtcp_segfuzz probe -s SRC -d DST -p DPORT -c CLASS [-P SPORT]\n"
		"       xtcp_segfuzz fuzz -s SRC -d DST [-l PORT].. [-v PORT].. [-b PORT]..\n"
		"                    [-t SECS] [-n MAX] [-S SEED] [-i IFACE]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *src = NULL, *dst = NULL, *cls = NULL, *ifname = NULL;
	int dport = 0, sport = 0, o;
	double secs = 10;
	uint64_t max = ~0ULL, seed = 0;
	const char *cmd;

	if (argc < 2)
		usage();
	cmd = argv[1];
	optind = 2;
	while ((o = getopt(argc, argv, "s:d:p:P:c:l:v:b:t:n:S:i:")) != -1) {
		int k = -1;

		switch (o) {
		case 's': src = optarg; break;
		case 'd': dst = optarg; break;
		case 'p': dport = atoi(optarg); break;
		case 'P': sport = atoi(optarg); break;
		case 'c': cls = optarg; break;
		case 'l': k = K_LISTEN; break;
		case 'v': k = K_VICTIM; break;
		case 'b': k = K_BYSTANDER; break;
		case 't': secs = atof(optarg); break;
		case 'n': max = strtoull(optarg, NULL, 0); break;
		case 'S': seed = strtoull(optarg, NULL, 0); break;
		case 'i': ifname = optarg; break;
		default: usage();
		}
		if (k >= 0 && nports[k] < 16)
			ports[k][nports[k]++] = atoi(optarg);
	}
	if (!src || !dst)
		usage();
	if (inet_pton(AF_INET, src, &s4) == 1 &&
	    inet_pton(AF_INET, dst, &d4) == 1) {
		v6 = 0;
	} else if (inet_pton(AF_INET6, src, &s6) == 1 &&
		   inet_pton(AF_INET6, dst, &d6) == 1) {
		v6 = 1;
	} else {
		usage();
	}
	if (!seed) {
		struct timeval tv;

		gettimeofday(&tv, NULL);
		seed = tv.tv_sec * 1000003ULL + tv.tv_usec + getpid();
	}
	rng ^= seed * 0x9E3779B97F4A7C15ULL;
	if (!rng)
		rng = 1;
	open_sockets(ifname);
	if (!strcmp(cmd, "probe")) {
		if (!dport || !cls)
			usage();
		return probe(dport, sport ? sport : (int)(20000 + rnd() % 40000),
			     cls);
	}
	if (!strcmp(cmd, "fuzz")) {
		if (!nports[0] && !nports[1] && !nports[2])
			usage();
		printf("seed=%llu\n", (unsigned long long)seed);
		fflush(stdout);
		fuzz(secs, max);
		return 0;
	}
	usage();
	return 2;
}
