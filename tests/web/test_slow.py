#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""tfund serve against slow and greedy clients: fifty connections that
send half a request and then nothing do not keep anyone else waiting;
one address holds at most 64 connections at once (the others are
closed at once); a connection idle for 30 seconds is closed by the
server, whatever it was sending; a login still works after all that.

usage: test_slow.py TFUND SOURCE_DIR"""

import os
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from webtest import Fund, check  # noqa: E402

TIMEOUT = 30      # the server's idle timeout (src/web/server.c)
PER_ADDRESS = 64  # its connections per address


def half_request(port):
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    s.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
    return s


def closed(s, wait):
    """True if the server closed s within wait seconds."""
    s.settimeout(wait)
    try:
        return s.recv(4096) == b""
    except socket.timeout:
        return False
    except (ConnectionResetError, BrokenPipeError):
        return True


def quick_get(port, path="/healthz"):
    start = time.monotonic()
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    s.sendall(("GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close"
               "\r\n\r\n" % path).encode())
    data = b""
    while True:
        chunk = s.recv(4096)
        if not chunk:
            break
        data += chunk
    s.close()
    return data, time.monotonic() - start


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    fund = Fund(sys.argv[1], sys.argv[2])
    slow = []
    try:
        fund.build()
        srv = fund.serve()
        port = srv.port

        # Half requests, then silence: others are served at once.
        slow = [half_request(port) for _ in range(50)]
        sent = time.monotonic()
        time.sleep(0.5)
        data, took = quick_get(port)
        check(data.startswith(b"HTTP/1.1 200") and took < 2,
              "with 50 stalled connections a request took %.2f s: %r" %
              (took, data[:40]))
        print("  50 stalled connections: others answered in %.3f s" % took)

        # One address: at most 64 connections; more are closed at once.
        extra = [socket.create_connection(("127.0.0.1", port), timeout=10)
                 for _ in range(PER_ADDRESS - len(slow) + 6)]
        time.sleep(0.5)
        shut = sum(closed(s, 0.5) for s in extra)
        check(shut >= 6, "%d connections from one address: only %d of the "
              "last closed" % (len(slow) + len(extra), shut))
        for s in extra:
            s.close()
        print("  %d connections from one address: %d closed at once" %
              (len(slow) + len(extra), shut))

        # Idle for the timeout: closed by the server, not before.
        first = None
        for s in slow:
            left = TIMEOUT + 15 - (time.monotonic() - sent)
            check(closed(s, max(left, 0.1)),
                  "a stalled connection was still open after %.0f s" %
                  (time.monotonic() - sent))
            if first is None:
                first = time.monotonic() - sent
        check(first >= TIMEOUT - 2, "a stalled connection closed after only "
              "%.1f s" % first)
        print("  stalled connections closed by the server after %.0f s" %
              first)

        # Still serving.
        srv.client().login("aud")
        check(srv.stop() == 0, "the server did not stop cleanly")
    finally:
        for s in slow:
            s.close()
        fund.close()
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
