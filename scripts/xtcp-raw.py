#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Raw IPv4 TCP segments for the guest tests (run inside a netns, as root).

  xtcp-raw.py synflood SRC DST DPORT SPORT0 N [rst] [want=W]
      send N SYNs from SRC:SPORT0.. to DST:DPORT, then listen and print
      "synacks=K ports=P,.." (distinct source ports answered): with
      want=W until W ports answered (or WAIT s) and 0.3 s more for any
      extra, else 1.5 s; with "rst", then reset each answered handshake
      (RST at SEG.ACK)
  xtcp-raw.py twprobe SRC DST DPORT CPORT CMD...
      run CMD (a client that connects from CPORT to DST:DPORT and whose
      peer closes first, so DST holds the TIME-WAIT), sniffing what DST
      sends; wait for DST's ACK of the client's FIN, then probe the
      TIME-WAIT with an old SYN (SEG.SEQ below RCV.NXT; its ACK waited
      for) and an RST at exactly RCV.NXT (0.5 s for a reply that must not
      come), then 0.6 s later a burst of 20 old SYNs, whose answers are
      counted until 1 s after the first. Prints key=value lines: last=
      (the peer's last segment), oldsyn_reply=, rst_reply=, oldsyn_burst=

  xtcp-raw.py oowacks SRC DST DPORT N CMD...
      run CMD (a client of DST:DPORT that echoes once and then idles);
      after DST's echo (its PSH), send N pure ACKs back to back from the
      client's 4-tuple with SEG.SEQ 2^30 beyond DST's RCV.NXT (outside
      any window) and count DST's answers until 1 s after the first:
      "replies=K", then "client_rc=..." once CMD ends
  xtcp-raw.py winsyns SRC DST DPORT N CMD...
      as oowacks, but N SYNs with SEG.SEQ 10 above DST's RCV.NXT (in
      the window): each may get a challenge ACK, no more than one per
      invalid_ratelimit

  xtcp-raw.py cookieburst SRC DST DPORT SPORT0 N
      N handshakes from SRC:SPORT0.. with a listener that answers with
      SYN cookies; after each SYN-ACK the ACK and three 100-byte data
      segments back to back: "handshakes=H acked=K rsts=R" (K: those
      whose 300 bytes DST acknowledged, R: ports DST sent a RST to)

Waits are for the segments themselves, bounded by WAIT (30) seconds: on a
slow guest they take longer, they do not fail.
  xtcp-raw.py twisn SRC DST DPORT CPORT CMD...
      as twprobe, then a SYN above RCV.NXT (it may reopen the 4-tuple):
      newsyn_reply= (FLAGS:SEQ:ACK of what DST answered)
"""
import socket
import struct
import subprocess
import sys
import threading
import time

SYN, RST, ACK, FIN = 0x02, 0x04, 0x10, 0x01
WAIT = 30
BURST = 20  # twprobe's burst of old SYNs


def wait_for(pred, bound=WAIT):
    """Poll pred() every 10 ms until true or bound seconds; its result."""
    end = time.time() + bound
    while not pred() and time.time() < end:
        time.sleep(0.01)
    return pred()


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def segment(src, dst, sport, dport, flags, seq, ack=0, win=1024, data=b""):
    h = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF,
                    ack & 0xFFFFFFFF, 5 << 4, flags, win, 0, 0) + data
    ph = socket.inet_aton(src) + socket.inet_aton(dst) + \
        struct.pack("!BBH", 0, 6, len(h))
    return h[:16] + struct.pack("!H", csum(ph + h)) + h[18:]


class Sniffer(threading.Thread):
    """Every TCP segment from DST:DPORT that reaches this netns's NICs.

    A packet socket, not a raw IP one: XTCP's netfilter hook steals its
    segments before raw IP sockets would see them.
    """

    def __init__(self, dport, to_ports=None):
        super().__init__(daemon=True)
        self.dport, self.to_ports = dport, to_ports
        self.segs = []  # (flags, seq, ack, to_port)
        self.sock = socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM,
                                  socket.htons(0x0800))
        self.sock.settimeout(0.1)
        self.running = True

    def run(self):
        while self.running:
            try:
                d, addr = self.sock.recvfrom(2000)
            except socket.timeout:
                continue
            if addr[2] == socket.PACKET_OUTGOING or d[9] != 6:
                continue
            ihl = (d[0] & 15) * 4
            sp, dp, sq, ak, _, fl = struct.unpack("!HHIIBB", d[ihl:ihl + 14])
            if sp == self.dport and (self.to_ports is None or
                                     dp in self.to_ports):
                self.segs.append((fl, sq, ak, dp))

    def stop(self):
        self.running = False
        self.join()


def flags_s(fl):
    return "".join(n for b, n in ((SYN, "S"), (0x01, "F"), (RST, "R"),
                                  (0x08, "P"), (ACK, "."))
                   if fl & b) or "-"


def synflood(src, dst, dport, sport0, n, rst, want=None):
    sn = Sniffer(dport, set(range(sport0, sport0 + n)))
    sn.start()
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_TCP)
    # mark 1: the tests drop this netns's own RSTs, but not ours
    s.setsockopt(socket.SOL_SOCKET, socket.SO_MARK, 1)
    for i in range(n):
        s.sendto(segment(src, dst, sport0 + i, dport, SYN, 1000 + i * 7919),
                 (dst, 0))
    def answered():
        return {g[3] for g in list(sn.segs) if g[0] & (SYN | ACK) == SYN | ACK}

    if want is None:
        time.sleep(1.5)
    else:
        wait_for(lambda: len(answered()) >= want)
        time.sleep(0.3)
    sn.stop()
    ports = sorted(answered())
    print("synacks=%d ports=%s" % (len(ports), ",".join(map(str, ports))))
    if rst:
        for p in ports:
            iss = 1000 + (p - sport0) * 7919
            s.sendto(segment(src, dst, p, dport, RST, iss + 1), (dst, 0))
        print("rsts=%d" % len(ports))


def cookieburst(src, dst, dport, sport0, n):
    """N handshakes with a listener that answers by SYN cookie: after each
    SYN-ACK, the ACK and three 100-byte segments back to back (what a
    client sends at once). Count DST's RSTs and the handshakes whose
    300 bytes DST acknowledged."""
    ports = set(range(sport0, sport0 + n))
    sn = Sniffer(dport, ports)
    sn.start()
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_TCP)
    # mark 1: the tests drop this netns's own RSTs, but not ours
    s.setsockopt(socket.SOL_SOCKET, socket.SO_MARK, 1)
    isn = {p: 7000 + (p - sport0) * 7919 for p in ports}
    done = 0
    for p in sorted(ports):
        s.sendto(segment(src, dst, p, dport, SYN, isn[p]), (dst, 0))

        def synack(p=p):
            return [g for g in list(sn.segs)
                    if g[3] == p and g[0] & (SYN | ACK) == SYN | ACK]
        if not wait_for(synack, 5):
            continue
        y = synack()[0][1]
        burst = [segment(src, dst, p, dport, ACK, isn[p] + 1, y + 1)]
        burst += [segment(src, dst, p, dport, ACK | 0x08,
                          isn[p] + 1 + 100 * k, y + 1, data=b"x" * 100)
                  for k in range(3)]
        for b in burst:
            s.sendto(b, (dst, 0))
        done += 1

    def acked():
        return {g[3] for g in list(sn.segs)
                if g[0] & (ACK | SYN | RST) == ACK and g[2] == isn[g[3]] + 301}
    wait_for(lambda: len(acked()) >= done, 10)
    time.sleep(0.3)
    sn.stop()
    rsts = {g[3] for g in sn.segs if g[0] & RST}
    print("handshakes=%d acked=%d rsts=%d" % (done, len(acked()), len(rsts)))


def twprobe(src, dst, dport, cport, cmd, newsyn=False):
    sn = Sniffer(dport, {cport})
    sn.start()
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    print("client_rc=%d client=%s" % (r.returncode,
                                     r.stdout.strip().replace("\n", ";")))
    # DST's last segment is its ACK of the client's FIN (ack one above
    # its own FIN's); the client has exited by then, the ACK may lag
    def fin_acked():
        segs = list(sn.segs)
        fins = [g for g in segs if g[0] & FIN]
        return fins and any(g[0] & (SYN | FIN | RST) == 0 and g[0] & ACK and
                            g[2] == (fins[0][2] + 1) & 0xFFFFFFFF
                            for g in segs[segs.index(fins[0]) + 1:])
    wait_for(fin_acked)
    if not sn.segs:
        print("last=none")
        sn.stop()
        return
    fl, seq, ack, _ = sn.segs[-1]
    print("last=%s seq=%d ack=%d" % (flags_s(fl), seq, ack))
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_TCP)

    def probe(name, flags, pseq, reply_expected):
        n0 = len(sn.segs)
        s.sendto(segment(src, dst, cport, dport, flags, pseq), (dst, 0))
        if reply_expected:
            wait_for(lambda: len(sn.segs) > n0)
            time.sleep(0.1)
        else:
            time.sleep(0.5)
        got = sn.segs[n0:]
        print("%s_reply=%s" % (name, ",".join(
            "%s:%d:%d" % (flags_s(g[0]), g[1], g[2]) for g in got) or "none"))

    if newsyn:
        # above RCV.NXT: a listener may take it, ISS above the old SND.NXT
        probe("newsyn", SYN, ack + 100000, True)
        sn.stop()
        return
    # RFC 9293 §3.10.7.4: an old SYN gets an ACK <SEQ=SND.NXT><ACK=RCV.NXT>
    probe("oldsyn", SYN, ack - 100000, True)
    # RFC 1337: an RST in TIME-WAIT is ignored (no reply either)
    probe("rst", RST, ack, False)
    # RFC 5961 section 7, as Linux's tcp_timewait_check_oow_rate_limit():
    # a burst of old SYNs gets one ACK per invalid_ratelimit (500 ms)
    time.sleep(0.6)
    n0 = len(sn.segs)
    for _ in range(BURST):
        s.sendto(segment(src, dst, cport, dport, SYN, ack - 100000), (dst, 0))
    wait_for(lambda: len(sn.segs) > n0)
    time.sleep(1.0)
    print("oldsyn_burst=%d" % len([g for g in sn.segs[n0:]
                                   if not g[0] & (SYN | FIN | RST)]))
    sn.stop()


def oowacks(src, dst, dport, n, cmd, syns=False):
    sn = Sniffer(dport)
    sn.start()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         text=True)
    if not wait_for(lambda: any(g[0] & 0x08 for g in list(sn.segs))):
        print("replies=none (no echo seen)")
    else:
        time.sleep(0.3)
        _, seq, ack, cport = sn.segs[-1]
        s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_TCP)
        n0 = len(sn.segs)
        t0 = time.time()
        for _ in range(n):
            if syns:
                # in the window: RFC 5961 section 4 challenge ACKs
                s.sendto(segment(src, dst, cport, dport, SYN, ack + 10),
                         (dst, 0))
            else:
                s.sendto(segment(src, dst, cport, dport, ACK,
                                 ack + (1 << 30), seq), (dst, 0))
        t1 = time.time()
        # the first answer however slow the guest, then 1 s for more
        wait_for(lambda: len(sn.segs) > n0)
        time.sleep(1.0)
        got = [g for g in sn.segs[n0:] if not g[0] & (SYN | FIN | RST)]
        print("replies=%d sent_in_ms=%d" % (len(got), (t1 - t0) * 1000))
    out, _ = p.communicate(timeout=120)
    sn.stop()
    print("client_rc=%d client=%s" % (p.returncode,
                                     out.strip().replace("\n", ";")))


def main():
    a = sys.argv[1:]
    if 6 <= len(a) <= 8 and a[0] == "synflood":
        want = [int(x[5:]) for x in a[6:] if x.startswith("want=")]
        synflood(a[1], a[2], int(a[3]), int(a[4]), int(a[5]),
                 "rst" in a[6:], want[0] if want else None)
    elif len(a) == 6 and a[0] == "cookieburst":
        cookieburst(a[1], a[2], int(a[3]), int(a[4]), int(a[5]))
    elif len(a) > 5 and a[0] in ("oowacks", "winsyns"):
        oowacks(a[1], a[2], int(a[3]), int(a[4]), a[5:], a[0] == "winsyns")
    elif len(a) > 5 and a[0] in ("twprobe", "twisn"):
        twprobe(a[1], a[2], int(a[3]), int(a[4]), a[5:], a[0] == "twisn")
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
