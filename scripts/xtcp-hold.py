#!/usr/bin/python3
"""Hold N idle TCP connections, for the bench's scale series.

usage: xtcp-hold.py server|client ADDR PORT N READY

server: listen on ADDR:PORT, accept N connections; client: open N
connections to ADDR:PORT. Either writes the count to READY once all are
open, then holds them until SIGTERM, and closes them with a reset
(SO_LINGER 0: no TIME-WAIT left to blur the next measure). Through
tools/xtcp-run the sockets are XTCP's (AF_INET mapped to AF_XTCP), without
it Linux TCP's.
"""
import resource
import signal
import socket
import struct
import sys


def main():
    role, addr, port, n, ready = sys.argv[1:6]
    port, n = int(port), int(n)
    # root may raise the hard limit: two descriptors per connection at most
    resource.setrlimit(resource.RLIMIT_NOFILE, (n + 64, n + 64))
    held = []
    if role == "server":
        ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        ls.bind((addr, port))
        ls.listen(4096)
        with open(ready + ".listen", "w") as f:
            f.write("listening\n")
        while len(held) < n:
            held.append(ls.accept()[0])
    else:
        for _ in range(n):
            held.append(socket.create_connection((addr, port), timeout=60))
    with open(ready, "w") as f:
        f.write("%d\n" % len(held))
    signal.sigwait([signal.SIGTERM, signal.SIGINT])
    for s in held:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                     struct.pack("ii", 1, 0))
        s.close()
    return 0


if __name__ == "__main__":
    signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGTERM, signal.SIGINT])
    sys.exit(main())
