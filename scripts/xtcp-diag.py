#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Helpers of the guest suite "diag" (scripts/guest-diag.sh).

Socket modes run under tools/xtcp-run for XTCP (plain for Linux TCP):
  server A4 A6 P4 P6 PT4 PT6   listeners (backlog 16) on A4:P4, [A6]:P6
                               (never read) and A4:PT4, [A6]:PT6 (read to
                               EOF, then close: the peer keeps TIME-WAIT)
  client A4 A6 P4 P6 PT4 PT6 N OUT
                               N connections per family to P4/P6, each
                               sending its own number of bytes, one bulk
                               IPv4 connection filling both buffers, two
                               closed connections per family to PT4/PT6;
                               writes OUT (JSON: the expected rows), sleeps
  many N PORT READY            N connections over 127.0.0.1:PORT, both ends
                               open (2N+1 sockets); READY when done
  tw N PORT READY              N connections over 127.0.0.1:PORT closed by
                               the client first: N TIME-WAIT entries; exits
  orphans N PORT READY         N connections over 127.0.0.1:PORT whose
                               client is closed (an orphan in FIN-WAIT-2),
                               the server end held (CLOSE-WAIT)
  kserver A PORT OUT           SOCK_DESTROY target, server end: listen,
                               accept one; OUT gets "listening",
                               "accepted", then "recv RESULT" (the
                               connection's blocking recv) and "accept
                               RESULT" (a second, blocking accept)
  kclient A PORT OUT           client end: OUT gets "connected LPORT",
                               then "recv RESULT" of a blocking recv and
                               "send RESULT" of one send after it
                               (RESULT: an errno name, "eof" or "data")
  mserver A PORT RCVBUF OUT    listener with SO_RCVBUF RCVBUF; accepts two
                               connections, never reads; OUT (JSON): each
                               one's ends, SO_RCVBUF and SO_SNDBUF
  mclient A PORT SMALL OUT     two connections: SMALL bytes, then one
                               writing until both buffers are full; OUT
                               (JSON): ends, bytes sent, SO_SNDBUF
Long-lived modes append their pid to the file $DIAG_PIDS.
Checks (plain python):
  expect OUT SIDE SS_OUT       compare `ss -tanH`-layout rows with OUT for
                               SIDE (client/server)
  proc SS_OUT PROC4 PROC6      compare rows with /proc/net/xtcp{,6}
  partial FAMILY GO            a raw NETLINK_SOCK_DIAG dump (family 19 or
                               2 = inet): read one part, print "first N",
                               wait for file GO, read the rest, print
                               "total N parts P"
  badreq                       bad requests: print the errno of each
  memcheck SIDE RCVBUF SMALL SOUT COUT SS_OUT
                               `ss -tmnH`-layout rows (xtcp-ss -m or
                               Linux's ss -m) against mserver's SOUT and
                               mclient's COUT for SIDE (server/client)
"""
import ipaddress
import json
import os
import resource
import selectors
import socket
import struct
import sys
import time

TCP_INFO = 11


def note_pid():
    """long-lived modes: the guest script kills them by this pid (its own
    $! is the pid of a shell function's subshell)"""
    if os.environ.get("DIAG_PIDS"):
        with open(os.environ["DIAG_PIDS"], "a") as f:
            f.write("%d\n" % os.getpid())


# ss's names for Linux's TCP states
SS_NAMES = {1: "ESTAB", 2: "SYN-SENT", 3: "SYN-RECV", 4: "FIN-WAIT-1",
            5: "FIN-WAIT-2", 6: "TIME-WAIT", 7: "UNCONN", 8: "CLOSE-WAIT",
            9: "LAST-ACK", 10: "LISTEN", 11: "CLOSING"}


def ep(fam, addr, port, peer=False):
    """an address:port as ss prints it"""
    p = "*" if peer and port == 0 else str(port)
    a = ipaddress.ip_address(addr)
    if fam == 6 and a.is_unspecified:
        return "*:%s" % p       # as ss prints the IPv6 wildcard
    return "[%s]:%s" % (a, p) if fam == 6 else "%s:%s" % (a, p)


def server(a4, a6, p4, p6, pt4, pt6):
    sel = selectors.DefaultSelector()
    for fam, a, p, tw in ((socket.AF_INET, a4, p4, False),
                          (socket.AF_INET6, a6, p6, False),
                          (socket.AF_INET, a4, pt4, True),
                          (socket.AF_INET6, a6, pt6, True)):
        s = socket.socket(fam, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if fam == socket.AF_INET6:
            s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        s.bind((a, int(p)))
        s.listen(16)
        sel.register(s, selectors.EVENT_READ, ("l", tw))
    note_pid()
    print("listening", flush=True)
    held = []
    while True:
        for key, _ in sel.select():
            kind, tw = key.data
            if kind == "l":
                c, _ = key.fileobj.accept()
                if tw:
                    sel.register(c, selectors.EVENT_READ, ("c", True))
                else:
                    held.append(c)      # never read: Recv-Q stays
            else:
                if not key.fileobj.recv(65536):
                    sel.unregister(key.fileobj)
                    key.fileobj.close()


def sockrow(s, fam, state, sent=0):
    la, lp = s.getsockname()[:2]
    ra, rp = s.getpeername()[:2]
    info = s.getsockopt(socket.IPPROTO_TCP, TCP_INFO, 104)
    mss = struct.unpack_from("I", info, 16)[0]
    return {"fam": fam, "state": state, "local": ep(fam, la, lp),
            "peer": ep(fam, ra, rp), "sent": sent, "mss": mss}


def client(a4, a6, p4, p6, pt4, pt6, n, out):
    note_pid()
    rows, keep = [], []
    for fam, af, a, p in ((4, socket.AF_INET, a4, p4),
                          (6, socket.AF_INET6, a6, p6)):
        for i in range(int(n)):
            s = socket.create_connection((a, int(p)))
            size = 1000 + 111 * i + 7 * fam
            s.sendall(os.urandom(size))
            keep.append(s)
            rows.append(sockrow(s, fam, "ESTAB", size))
    # bulk: fill the peer's receive buffer and our send buffer
    s = socket.create_connection((a4, int(p4)))
    sent = fill(s)
    keep.append(s)
    r = sockrow(s, 4, "ESTAB", sent)
    r["bulk"] = True
    rows.append(r)
    for fam, af, a, p in ((4, socket.AF_INET, a4, pt4),
                          (6, socket.AF_INET6, a6, pt6)):
        for i in range(2):
            s = socket.create_connection((a, int(p)))
            r = sockrow(s, fam, "TIME-WAIT")
            s.close()
            rows.append(r)
    with open(out + ".tmp", "w") as f:
        json.dump(rows, f)
    os.rename(out + ".tmp", out)
    time.sleep(3600)


def many(n, port, ready, tw=False):
    n = int(n)
    note_pid()
    resource.setrlimit(resource.RLIMIT_NOFILE, (2 * n + 64, 2 * n + 64))
    lsn = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    lsn.bind(("127.0.0.1", int(port)))
    lsn.listen(64)
    keep = []
    for i in range(n):
        c = socket.create_connection(("127.0.0.1", int(port)))
        s, _ = lsn.accept()
        if tw:
            c.close()
            s.recv(16)
            s.close()
        else:
            keep += [c, s]
    with open(ready, "w") as f:
        f.write("%d\n" % n)
    if not tw:
        time.sleep(3600)


def orphans(n, port, ready):
    n = int(n)
    note_pid()
    resource.setrlimit(resource.RLIMIT_NOFILE, (2 * n + 64, 2 * n + 64))
    lsn = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    lsn.bind(("127.0.0.1", int(port)))
    lsn.listen(64)
    keep = [lsn]
    for i in range(n):
        c = socket.create_connection(("127.0.0.1", int(port)))
        s, _ = lsn.accept()
        keep.append(s)
        c.close()
    with open(ready, "w") as f:
        f.write("%d\n" % n)
    time.sleep(3600)


def ss_rows(path):
    """rows of `ss -tanH` layout: state rq sq local peer"""
    rows = []
    with open(path) as f:
        for line in f:
            w = line.split()
            if len(w) >= 5 and w[0] != "State":
                rows.append((w[0], int(w[1]), int(w[2]), w[3], w[4]))
    return rows


def port(e):
    return int(e.rsplit(":", 1)[1])


def expect(out, side, ssout, strict="strict"):
    """strict: no other row at all (XTCP: the netns has nothing else);
    else rows of other ports (Linux TCP's own traffic) are ignored"""
    exp = json.load(open(out))
    sports = {port(r["peer"]) for r in exp}
    allrows = ss_rows(ssout)
    got = [g for g in allrows
           if port(g[4] if side == "client" else g[3]) in sports]
    bad = []
    if strict == "strict" and len(got) != len(allrows):
        bad.append("rows of other ports: %s" % (set(allrows) - set(got)))
    want = []
    for r in exp:
        if side == "client":
            want.append((r["state"], r["local"], r["peer"], r))
        elif r["state"] == "ESTAB":
            want.append(("ESTAB", r["peer"], r["local"], r))
    gotkeys = sorted((g[0], g[3], g[4]) for g in got
                     if not (side == "server" and g[0] == "LISTEN"))
    wantkeys = sorted((w[0], w[1], w[2]) for w in want)
    if gotkeys != wantkeys:
        bad.append("rows differ: missing %s extra %s" % (
            sorted(set(wantkeys) - set(gotkeys)),
            sorted(set(gotkeys) - set(wantkeys))))
    byk = {(g[0], g[3], g[4]): g for g in got}
    for st, loc, peer, r in want:
        g = byk.get((st, loc, peer))
        if not g:
            continue
        rq, sq = g[1], g[2]
        if side == "server" and not r.get("bulk") and rq != r["sent"]:
            bad.append("%s Recv-Q %d != %d bytes sent" % (loc, rq, r["sent"]))
        if side == "server" and r.get("bulk") and not 0 < rq <= r["sent"]:
            bad.append("bulk %s Recv-Q %d not in 1..%d" % (loc, rq, r["sent"]))
        if side == "client" and r.get("bulk") and not 0 < sq <= r["sent"]:
            bad.append("bulk %s Send-Q %d not in 1..%d" % (loc, sq, r["sent"]))
        if side == "client" and not r.get("bulk") and (rq or sq):
            bad.append("%s queues %d/%d, want 0/0" % (loc, rq, sq))
    if side == "server":
        ls = [g for g in got if g[0] == "LISTEN"]
        if len(ls) != 4 or any(g[1] != 0 or g[2] != 16 for g in ls):
            bad.append("listeners %s: want 4, Recv-Q 0, Send-Q 16" % ls)
    return report(bad, "%d rows, %d expected" % (len(got), len(want)))


def fill(s):
    """send until the peer's receive buffer and our send buffer are full
    (3 s without progress); the bytes sent"""
    s.setblocking(False)
    sent = 0
    idle = time.time()
    while time.time() - idle < 3:
        try:
            sent += s.send(b"x" * 65536)
            idle = time.time()
        except BlockingIOError:
            time.sleep(0.05)
    return sent


def report(bad, what):
    """print each difference, then WHAT and the verdict; exit status"""
    for b in bad:
        print(b)
    print("%s, %s" % (what, "match" if not bad else "DIFF"))
    return 1 if bad else 0


def proc_rows(path, fam):
    rows = []
    with open(path) as f:
        next(f)
        for line in f:
            w = line.split()
            la, lp = w[1].split(":")
            ra, rp = w[2].split(":")
            tx, rx = w[4].split(":")
            if fam == 4:
                conv = lambda h: socket.inet_ntop(
                    socket.AF_INET, struct.pack("<I", int(h, 16)))
            else:
                conv = lambda h: socket.inet_ntop(socket.AF_INET6, b"".join(
                    struct.pack("<I", int(h[i:i + 8], 16))
                    for i in range(0, 32, 8)))
            st = int(w[3], 16)
            rows.append((SS_NAMES.get(st, "?"), int(rx, 16), int(tx, 16),
                         ep(fam, conv(la), int(lp, 16)),
                         ep(fam, conv(ra), int(rp, 16), True), w[-1]))
    return rows


def proc(ssout, p4, p6):
    """same sockets (state, ends) as /proc; Send-Q equal except for
    listeners (sock_diag: the backlog, as Linux; /proc: 0)"""
    got = ss_rows(ssout)
    pr = proc_rows(p4, 4) + proc_rows(p6, 6)
    gk = sorted((g[0], g[3], g[4]) for g in got)
    pk = sorted((p[0], p[3], p[4]) for p in pr)
    bad = []
    if gk != pk:
        bad.append("rows differ: only in /proc %s, only in sock_diag %s" % (
            sorted(set(pk) - set(gk)), sorted(set(gk) - set(pk))))
    byk = {(g[0], g[3], g[4]): g for g in got}
    for p in pr:
        g = byk.get((p[0], p[3], p[4]))
        if g and p[0] != "LISTEN" and g[2] != p[2]:
            bad.append("%s Send-Q %d, /proc tx_queue %d" % (p[3], g[2], p[2]))
    return report(bad, "%d rows, /proc %d" % (len(got), len(pr)))


def partial(family, go):
    """a sock_diag dump read part by part; stops after the first part"""
    fam = int(family)
    nl = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 4)
    # struct xtcp_diag_req / inet_diag_req_v2: family, protocol, ext, pad,
    # states, then the 48-byte inet_diag_sockid
    req = struct.pack("BBBBI", fam, 6, 0, 0, 0xFFFFFFFF) + bytes(48)
    hdr = struct.pack("IHHII", 16 + len(req), 20, 0x301, 7, 0)
    nl.send(hdr + req)
    total = parts = 0
    done = False
    while not done:
        buf = nl.recv(1 << 17)
        parts += 1
        off = 0
        while off + 16 <= len(buf):
            ln, typ = struct.unpack_from("IH", buf, off)
            if typ == 3:        # NLMSG_DONE
                done = True
            elif typ == 2:      # NLMSG_ERROR
                print("error %d" % struct.unpack_from("i", buf, off + 16))
                return 1
            else:
                total += 1
            off += (ln + 3) & ~3
        if parts == 1:
            print("first %d" % total, flush=True)
            while not os.path.exists(go):
                time.sleep(0.1)
    print("total %d parts %d" % (total, parts), flush=True)
    return 0


def badreq():
    """malformed or unanswerable requests: the errno of each, in order"""
    import errno
    nl = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 4)
    nl.settimeout(30)
    full = struct.pack("BBBBI", 19, 6, 0, 0, 0)
    cases = (
        (20, 0x301, full[:8]),                                  # short
        (20, 0x301, struct.pack("BBBBI", 19, 6, 0, 99, 0) + bytes(48)),
        (20, 0x301, struct.pack("BBBBI", 19, 17, 0, 0, 0) + bytes(48)),
        (20, 0x1, struct.pack("BBBBI", 19, 6, 0, 0, 0) + bytes(48)),
        # exact, IPv4, 0.0.0.0:1 -> 0.0.0.0:1: no such socket
        (20, 0x1, struct.pack("BBBBI", 19, 6, 0, 2, 0) +
         struct.pack(">HH", 1, 1) + bytes(36) + b"\xff" * 8),
        # SOCK_DESTROY: 0.0.0.0:0 -> 0.0.0.0:0 (none), no family
        (21, 0x1, struct.pack("BBBBI", 19, 6, 0, 2, 0) + bytes(48)),
        (21, 0x1, struct.pack("BBBBI", 19, 6, 0, 0, 0) + bytes(48)),
    )
    out = []
    for seq, (typ, flags, body) in enumerate(cases, 1):
        nl.send(struct.pack("IHHII", 16 + len(body), typ, flags, seq, 0) +
                body)
        while True:
            buf = nl.recv(65536)
            ln, t, _, sq = struct.unpack_from("IHHI", buf, 0)
            if sq != seq:
                continue
            if t == 2:
                e = -struct.unpack_from("i", buf, 16)[0]
                # 95 is both EOPNOTSUPP and ENOTSUP: the kernel's name
                name = "EOPNOTSUPP" if e == errno.EOPNOTSUPP else \
                    errno.errorcode.get(e, str(e))
                out.append(name if e else "0")
            else:
                out.append("reply%d" % t)
            break
    print(" ".join(out))
    return 0


def outline(path, line):
    with open(path, "a") as f:
        f.write(line + "\n")


def result(fn):
    """an errno name, "eof" or "data" for one blocking call"""
    import errno
    try:
        d = fn()
    except OSError as e:
        return errno.errorcode.get(e.errno, str(e.errno))
    return "data" if d else "eof"


def kserver(a, p, out):
    import threading
    note_pid()
    lsn = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    lsn.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsn.bind((a, int(p)))
    lsn.listen(4)
    outline(out, "listening")
    c, _ = lsn.accept()
    outline(out, "accepted")
    t = threading.Thread(target=lambda: outline(
        out, "recv " + result(lambda: c.recv(100))), daemon=True)
    t.start()
    outline(out, "accept " + result(lambda: lsn.accept()))
    t.join()
    time.sleep(3600)


def kclient(a, p, out):
    note_pid()
    s = socket.create_connection((a, int(p)))
    outline(out, "connected %d" % s.getsockname()[1])
    outline(out, "recv " + result(lambda: s.recv(100)))
    outline(out, "send " + result(lambda: s.send(b"x")))
    time.sleep(3600)


def ends(s):
    la, lp = s.getsockname()[:2]
    ra, rp = s.getpeername()[:2]
    return ep(4, la, lp), ep(4, ra, rp)


def mserver(a, p, rcvbuf, out):
    note_pid()
    lsn = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    lsn.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsn.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, int(rcvbuf))
    lsn.bind((a, int(p)))
    lsn.listen(4)
    print("listening", flush=True)
    held, rows = [], []
    for _ in range(2):
        c, _ = lsn.accept()
        held.append(c)
        loc, peer = ends(c)
        rows.append({"local": loc, "peer": peer,
                     "rcvbuf": c.getsockopt(socket.SOL_SOCKET,
                                            socket.SO_RCVBUF),
                     "sndbuf": c.getsockopt(socket.SOL_SOCKET,
                                            socket.SO_SNDBUF)})
    with open(out + ".tmp", "w") as f:
        json.dump(rows, f)
    os.rename(out + ".tmp", out)
    time.sleep(3600)


def mclient(a, p, small, out):
    note_pid()
    rows = []
    s1 = socket.create_connection((a, int(p)))
    s1.sendall(os.urandom(int(small)))
    s2 = socket.create_connection((a, int(p)))
    sent = fill(s2)
    for s, n, bulk in ((s1, int(small), False), (s2, sent, True)):
        loc, peer = ends(s)
        rows.append({"local": loc, "peer": peer, "sent": n, "bulk": bulk,
                     "sndbuf": s.getsockopt(socket.SOL_SOCKET,
                                            socket.SO_SNDBUF)})
    with open(out + ".tmp", "w") as f:
        json.dump(rows, f)
    os.rename(out + ".tmp", out)
    time.sleep(3600)


def skmem_rows(path):
    """(local, peer) -> (rq, sq, {r: .., rb: .., ...}) of `ss -tmnH`"""
    import re
    rows, last = {}, None
    for line in open(path):
        if line[:1] in " \t":
            m = re.search(r"skmem:\(([^)]*)\)", line)
            if m and last:
                rows[last[0]] = (last[1], last[2], {
                    k: int(v) for k, v in
                    re.findall(r"([a-z]+)(\d+)", m.group(1))})
            continue
        w = line.split()
        last = None
        if len(w) >= 5 and w[0] != "State":
            last = ((w[3], w[4]), int(w[1]), int(w[2]))
    return rows


def memcheck(side, rcvbuf, small, sout, cout, ssout):
    """the skmem of each connection agrees with what it holds"""
    srv, cli = json.load(open(sout)), json.load(open(cout))
    got = skmem_rows(ssout)
    bad = []
    byc = {(c["peer"], c["local"]): c for c in cli}
    for r in srv:
        c = byc.get((r["local"], r["peer"]))
        if not c:
            bad.append("no client row for %s" % r["local"])
            continue
        key = (r["local"], r["peer"]) if side == "server" else \
            (c["local"], c["peer"])
        g = got.get(key)
        if not g:
            bad.append("no skmem row for %s %s" % key)
            continue
        rq, sq, m = g
        if side == "server":
            if r["rcvbuf"] != 2 * int(rcvbuf) or m.get("rb") != r["rcvbuf"]:
                bad.append("%s rb %s, SO_RCVBUF %d, set %s (doubled?)" % (
                    key[0], m.get("rb"), r["rcvbuf"], rcvbuf))
            if m.get("tb") != r["sndbuf"]:
                bad.append("%s tb %s != SO_SNDBUF %d" % (key[0], m.get("tb"),
                                                         r["sndbuf"]))
            if not c["bulk"] and rq != int(small):
                bad.append("%s Recv-Q %d != %s sent" % (key[0], rq, small))
            if not 0 < rq <= m.get("r", 0):
                bad.append("%s r %s < Recv-Q %d" % (key[0], m.get("r"), rq))
        else:
            if m.get("tb") != c["sndbuf"]:
                bad.append("%s tb %s != SO_SNDBUF %d" % (key[0], m.get("tb"),
                                                         c["sndbuf"]))
            if c["bulk"] and not 0 < sq <= m.get("w", 0):
                bad.append("%s w %s < Send-Q %d" % (key[0], m.get("w"), sq))
            if not c["bulk"] and (sq or m.get("w")):
                bad.append("%s Send-Q %d w %s, want 0" % (key[0], sq,
                                                           m.get("w")))
        # the bulk receiver may drop what exceeds its buffer (Linux does)
        if (m.get("d", 0) and not c["bulk"]) or "bl" not in m or \
                "d" not in m:
            bad.append("%s d %s bl %s" % (key[0], m.get("d"), m.get("bl")))
    return report(bad, "%d connections: %s" % (len(srv), " ".join(
        "%s" % sorted(v[2].items()) for k, v in sorted(got.items())
        if k in {(r["local"], r["peer"]) for r in srv} or
        k in {(c["local"], c["peer"]) for c in cli})))


def main():
    m, a = sys.argv[1], sys.argv[2:]
    if m == "server":
        server(*a)
    elif m == "client":
        client(*a)
    elif m == "many":
        many(*a)
    elif m == "tw":
        many(*a, tw=True)
    elif m == "expect":
        return expect(*a)
    elif m == "proc":
        return proc(*a)
    elif m == "partial":
        return partial(*a)
    elif m == "badreq":
        return badreq()
    elif m in ("kserver", "kclient", "mserver", "mclient", "orphans"):
        globals()[m](*a)
    elif m == "memcheck":
        return memcheck(*a)
    return 0


if __name__ == "__main__":
    sys.exit(main())
