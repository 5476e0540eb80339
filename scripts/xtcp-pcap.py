#!/usr/bin/python3
"""Print fields of the TCP segments in a pcap file, one line per segment.

The guest suites read their tcpdump captures with this instead of tshark:
tshark takes 10-15 s to start in a TCG guest, 40-60 s on the debug kernel,
for a capture of a dozen segments.

usage: xtcp-pcap.py [-s SEP | -sSEP] PCAP FIELD...
fields (tshark's name in brackets):
  time    capture time, epoch seconds        (frame.time_epoch)
  src     source address, IPv4 or IPv6       (ip.src / ipv6.src)
  dst     destination address                (ip.dst / ipv6.dst)
  sport   source port                        (tcp.srcport)
  dport   destination port                   (tcp.dstport)
  flags   0x%04x of the flag bits            (tcp.flags)
  seq     raw sequence number                (tcp.seq_raw)
  ack     raw acknowledgment number          (tcp.ack_raw)
  win     raw window field                   (tcp.window_size_value)
  len     payload bytes (from the IP length) (tcp.len)
  kinds   option kinds in order, comma-separated
  tsval   TSval, empty without a timestamp option
  tsecr   TSecr, empty without a timestamp option
  wscale  window scale shift, empty without the option
Link types: Ethernet (1), Linux cooked (113), raw IP (101, 228, 229).
Non-TCP packets, truncated headers and later IP fragments are skipped.
"""
import socket
import struct
import sys

FIELDS = ("time", "src", "dst", "sport", "dport", "flags", "seq", "ack",
          "win", "len", "kinds", "tsval", "tsecr", "wscale")


def records(data):
    """Yield (time, link-layer payload, link type) for each pcap record."""
    magic = data[:4]
    if magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        end = ">"
    elif magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        end = "<"
    else:
        raise ValueError("not a pcap file (pcapng is not read)")
    nano = magic in (b"\xa1\xb2\x3c\x4d", b"\x4d\x3c\xb2\xa1")
    link = struct.unpack(end + "I", data[20:24])[0]
    off = 24
    while off + 16 <= len(data):
        sec, frac, cap = struct.unpack(end + "III", data[off:off + 12])
        frame = data[off + 16:off + 16 + cap]
        off += 16 + cap
        yield sec + frac / (1e9 if nano else 1e6), frame, link


def ip_packet(frame, link):
    """The IP header onwards of a frame, or b"" for another link type."""
    if link == 1:  # Ethernet, with VLAN tags skipped
        off, etype = 14, frame[12:14]
        while etype in (b"\x81\x00", b"\x88\xa8") and len(frame) >= off + 4:
            etype, off = frame[off + 2:off + 4], off + 4
        return frame[off:]
    if link == 113:  # Linux cooked capture (tcpdump -i any)
        return frame[16:]
    if link in (101, 228, 229):
        return frame
    return b""


def segment(ip):
    """Split an IP packet into (src, dst, tcp header+payload, payload length)."""
    if len(ip) >= 20 and ip[0] >> 4 == 4 and ip[9] == 6:
        if struct.unpack(">H", ip[6:8])[0] & 0x1fff:
            return None  # a later fragment: no TCP header in it
        ihl = (ip[0] & 15) * 4
        tot = struct.unpack(">H", ip[2:4])[0]
        return (socket.inet_ntop(socket.AF_INET, ip[12:16]),
                socket.inet_ntop(socket.AF_INET, ip[16:20]), ip[ihl:], tot - ihl)
    if len(ip) >= 40 and ip[0] >> 4 == 6:
        nxt, off = ip[6], 40
        plen = struct.unpack(">H", ip[4:6])[0]
        # hop-by-hop, routing, destination options: skip to TCP
        while nxt in (0, 43, 60) and len(ip) >= off + 8:
            nxt, off = ip[off], off + (ip[off + 1] + 1) * 8
        if nxt != 6:
            return None
        return (socket.inet_ntop(socket.AF_INET6, ip[8:24]),
                socket.inet_ntop(socket.AF_INET6, ip[24:40]), ip[off:], plen + 40 - off)
    return None


def options(opt):
    """(kinds, tsval, tsecr, wscale) of a TCP option block."""
    kinds, tsval, tsecr, wscale = [], "", "", ""
    i = 0
    while i < len(opt):
        kind = opt[i]
        kinds.append(str(kind))
        if kind == 0:
            break
        if kind == 1:
            i += 1
            continue
        if i + 1 >= len(opt) or opt[i + 1] < 2:
            break
        size = opt[i + 1]
        if kind == 8 and size == 10 and i + 10 <= len(opt):
            tsval, tsecr = struct.unpack(">II", opt[i + 2:i + 10])
        if kind == 3 and size == 3 and i + 3 <= len(opt):
            wscale = opt[i + 2]
        i += size
    return ",".join(kinds), tsval, tsecr, wscale


def rows(path):
    """Yield a dict of every field for each TCP segment of PATH."""
    with open(path, "rb") as fh:
        data = fh.read()
    for when, frame, link in records(data):
        seg = segment(ip_packet(frame, link))
        if not seg or len(seg[2]) < 20:
            continue
        src, dst, tcp, tlen = seg
        doff = (tcp[12] >> 4) * 4
        sport, dport, seq, ack = struct.unpack(">HHII", tcp[:12])
        kinds, tsval, tsecr, wscale = options(tcp[20:doff])
        yield {"time": "%.6f" % when, "src": src, "dst": dst,
               "sport": sport, "dport": dport,
               "flags": "0x%04x" % (((tcp[12] & 1) << 8) | tcp[13]),
               "seq": seq, "ack": ack,
               "win": struct.unpack(">H", tcp[14:16])[0],
               "len": max(tlen - doff, 0), "kinds": kinds, "tsval": tsval,
               "tsecr": tsecr, "wscale": wscale}


def main(argv):
    sep = " "
    if len(argv) > 2 and argv[1] == "-s":
        sep = argv[2]
        argv = argv[:1] + argv[3:]
    elif len(argv) > 1 and argv[1].startswith("-s"):
        sep = argv[1][2:]
        argv = argv[:1] + argv[2:]
    if len(argv) < 3 or any(f not in FIELDS for f in argv[2:]):
        sys.stderr.write(__doc__)
        return 2
    try:
        for row in rows(argv[1]):
            print(sep.join(str(row[f]) for f in argv[2:]))
    except (OSError, ValueError) as err:
        sys.stderr.write("xtcp-pcap: %s: %s\n" % (argv[1], err))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
