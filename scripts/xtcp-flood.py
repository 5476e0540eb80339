#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""A raw TCP peer that floods 1-byte segments (guest memory test, as root).

  xtcp-flood.py SRC DST DPORT SPORT OFO TOTAL GOFILE [SECS]

SRC is an address of no host: DST must reach it through a static
neighbour entry, so no local TCP stack answers our peer with RST; we send
through a raw IP socket and read DST's segments from a packet socket.
Connects to DST:DPORT (MSS 1460, no window scaling), then
  1. OFO out-of-order 1-byte segments (every other byte, in the window),
  2. in-order 1-byte segments from the peer's RCV.NXT over its whole
     window, again and again, until it advertises a zero window, then 100
     more into the zero window; prints "closed ack=A win=W segs=N" (or
     "open ..." after SECS),
  3. waits for GOFILE (the reader reads), then sends the rest of the
     TOTAL-byte stream in 1000-byte segments as the window allows, a FIN,
     and ACKs the peer's FIN; prints "done acked=A fin=0|1".
Byte i of the stream is (i * 131 + 7) & 0xff, as tools/xtcp_mem.c checks.
"""
import importlib.machinery
import os
import socket
import struct
import sys
import threading
import time

# the flags and the Internet checksum of xtcp-raw.py (one copy)
_raw = importlib.machinery.SourceFileLoader(
    "xtcp_raw", os.path.join(os.path.dirname(os.path.abspath(__file__)),
                             "xtcp-raw.py")).load_module()
FIN, SYN, RST, ACK = _raw.FIN, _raw.SYN, _raw.RST, _raw.ACK
PSH = 0x08
csum = _raw.csum


def pat(off, n):
    return bytes(((off + i) * 131 + 7) & 0xFF for i in range(n))


class Peer:
    def __init__(self, src, dst, dport, sport):
        self.src, self.dst, self.dport, self.sport = src, dst, dport, sport
        self.sa, self.da = socket.inet_aton(src), socket.inet_aton(dst)
        self.tx = socket.socket(socket.AF_INET, socket.SOCK_RAW,
                                socket.IPPROTO_RAW)
        self.rx = socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM,
                                socket.htons(0x0800))
        self.rx.settimeout(0.05)
        self.lock = threading.Lock()
        self.ack = None     # highest SEG.ACK seen
        self.win = None     # window of the latest segment
        self.minwin = None
        self.irs = None
        self.fin = None     # sequence number of the peer's FIN
        self.nseen = 0
        self.running = True
        self.iss = 0x10000000
        threading.Thread(target=self.sniff, daemon=True).start()

    def sniff(self):
        while self.running:
            try:
                p = self.rx.recv(65535)
            except socket.timeout:
                continue
            if len(p) < 40 or p[9] != 6 or p[12:16] != self.da or \
                    p[16:20] != self.sa:
                continue
            t = p[(p[0] & 15) * 4:]
            sp, dp, seq, ack, off, fl, win = struct.unpack("!HHIIBBH",
                                                           t[:16])
            if sp != self.dport or dp != self.sport:
                continue
            plen = len(p) - (p[0] & 15) * 4 - (off >> 4) * 4
            with self.lock:
                self.nseen += 1
                if fl & SYN:
                    self.irs = seq
                if fl & FIN:
                    self.fin = seq + plen
                if fl & ACK:
                    if self.ack is None or \
                            ((ack - self.ack) & 0xFFFFFFFF) < 0x80000000:
                        self.ack = ack
                    self.win = win
                    if self.minwin is None or win < self.minwin:
                        self.minwin = win

    def send(self, flags, seq, ack, data=b"", opts=b""):
        doff = (20 + len(opts)) // 4
        h = struct.pack("!HHIIBBHHH", self.sport, self.dport,
                        seq & 0xFFFFFFFF, ack & 0xFFFFFFFF, doff << 4,
                        flags, 65535, 0, 0) + opts
        ph = self.sa + self.da + struct.pack("!BBH", 0, 6, len(h) + len(data))
        c = csum(ph + h + data)
        tcp = h[:16] + struct.pack("!H", c) + h[18:] + data
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 0, 0x4000,
                         64, 6, 0, self.sa, self.da)
        self.tx.sendto(ip + tcp, (self.dst, 0))

    def state(self):
        with self.lock:
            return self.ack, self.win

    def connect(self):
        for _ in range(10):
            self.send(SYN, self.iss, 0, opts=struct.pack("!BBH", 2, 4, 1460))
            end = time.time() + 1
            while time.time() < end and self.irs is None:
                time.sleep(0.01)
            if self.irs is not None:
                break
        if self.irs is None:
            print("no SYN-ACK")
            sys.exit(1)
        self.rcv = (self.irs + 1) & 0xFFFFFFFF
        self.send(ACK, self.iss + 1, self.rcv)

    def off(self, ack):  # stream offset of a sequence number
        return (ack - self.iss - 1) & 0xFFFFFFFF


def main():
    src, dst, dport, sport, nofo, total, gofile = sys.argv[1:8]
    secs = float(sys.argv[8]) if len(sys.argv) > 8 else 60
    dport, sport, nofo, total = int(dport), int(sport), int(nofo), int(total)
    t0 = time.time()
    p = Peer(src, dst, dport, sport)
    p.connect()
    time.sleep(0.3)
    base = p.iss + 1
    # 1. out of order: every other byte after a hole, inside the window
    for i in range(nofo):
        o = 2 + 2 * i
        p.send(ACK | PSH, base + o, p.rcv, pat(o, 1))
    # 2. in order, over the whole window, until it is zero
    segs = 0
    end = time.time() + secs
    closed = False
    while time.time() < end:
        time.sleep(0.2)
        ack, win = p.state()
        if ack is not None and win == 0:
            closed = True
            break
        start = p.off(ack) if ack is not None else 0
        for o in range(start, min(start + (win or 1), total)):
            p.send(ACK | PSH, base + o, p.rcv, pat(o, 1))
            segs += 1
    if closed:  # into the zero window: dropped (ZeroWindowDrop)
        o = p.off(p.state()[0])
        for i in range(100):
            p.send(ACK | PSH, base + o + i, p.rcv, pat(o + i, 1))
        time.sleep(0.5)
    ack, win = p.state()
    print("%s ack=%d win=%d minwin=%s segs=%d seen=%d t=%.1f" %
          ("closed" if closed else "open", p.off(ack), win, p.minwin, segs,
           p.nseen, time.time() - t0), flush=True)
    # 3. the reader reads: the rest of the stream, then FIN
    while not os.path.exists(gofile):
        time.sleep(0.05)
    print("go t=%.1f" % (time.time() - t0), flush=True)
    end = time.time() + secs
    while time.time() < end:
        ack, win = p.state()
        una = p.off(ack)
        if una >= total:
            break
        for o in range(una, min(una + max(win, 1), total), 1000):
            n = min(1000, total - o, una + max(win, 1) - o)
            p.send(ACK | PSH, base + o, p.rcv, pat(o, n))
        time.sleep(0.1)
    while time.time() < end and p.off(p.state()[0]) < total + 1:
        p.send(ACK | FIN, base + total, p.rcv)
        time.sleep(0.2)
    while time.time() < end and p.fin is None:
        time.sleep(0.05)
    if p.fin is not None:
        p.send(ACK, base + total + 1, p.fin + 1)
    print("done acked=%d fin=%d t=%.1f" % (p.off(p.state()[0]),
                                         int(p.fin is not None),
                                         time.time() - t0), flush=True)
    p.running = False


if __name__ == "__main__":
    main()
