#!/usr/bin/env python3
"""An outsider's connection flood, for flood.sh (test-only).

Opens N idle TCP connections to HOST:PORT, spread over source addresses
127.0.0.2.. (one per SOURCES), sends nothing, and watches each until the
server closes it or SECONDS pass. A connection the kernel completed but the
server never accepted (its accept queue was full) stays "open" here for
good: flood.sh counts what the server holds with ss instead. Writes a JSON summary to OUT when done,
and progress (opened, closed) to OUT.progress while it runs:
  opened, refused, closed, open, max_close_s (seconds from connect to
  the server's close, worst case), seconds.
"""
import json
import os
import resource
import selectors
import socket
import sys
import time


def main():
    host, port = sys.argv[1].rsplit(":", 1)
    n, seconds, sources, out = (int(sys.argv[2]), float(sys.argv[3]),
                                int(sys.argv[4]), sys.argv[5])
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = min(hard, n + 256)
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    sel = selectors.DefaultSelector()
    start = time.monotonic()
    opened = refused = closed = 0
    max_close = 0.0
    pending = {}  # connecting sockets -> start time
    live = {}  # connected sockets -> connect time
    for i in range(n):
        s = socket.socket()
        s.setblocking(False)
        s.bind(("127.0.0.%d" % (2 + i % sources), 0))
        try:
            s.connect((host, int(port)))
        except BlockingIOError:
            pass
        except OSError:
            refused += 1
            s.close()
            continue
        pending[s] = time.monotonic()
        sel.register(s, selectors.EVENT_WRITE)
        if i % 100 == 99:
            # Paced a little, so that most connections are accepted
            # rather than left half-open by a full accept queue (the
            # kernel then never tells this side they are gone).
            time.sleep(0.02)
    last_progress = 0.0
    while time.monotonic() - start < seconds and (pending or live):
        for key, ev in sel.select(timeout=0.2):
            s = key.fileobj
            if s in pending:
                err = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                del pending[s]
                sel.unregister(s)
                if err:
                    refused += 1
                    s.close()
                    continue
                opened += 1
                live[s] = time.monotonic()
                sel.register(s, selectors.EVENT_READ)
                continue
            try:
                data = s.recv(4096)
            except OSError:
                data = b""
            if data:
                continue  # a TLS or SP greeting: we never answer
            closed += 1
            max_close = max(max_close, time.monotonic() - live.pop(s))
            sel.unregister(s)
            s.close()
        now = time.monotonic()
        if now - last_progress > 0.5:
            last_progress = now
            with open(out + ".progress.tmp", "w") as f:
                f.write("%d %d %d\n" % (opened, closed, len(live)))
            os.replace(out + ".progress.tmp", out + ".progress")
    summary = {
        "opened": opened,
        "refused": refused + len(pending),
        "closed": closed,
        "open": len(live),
        "max_close_s": round(max_close, 2),
        "seconds": round(time.monotonic() - start, 2),
    }
    with open(out, "w") as f:
        json.dump(summary, f)
    for s in list(live) + list(pending):
        s.close()


if __name__ == "__main__":
    main()
