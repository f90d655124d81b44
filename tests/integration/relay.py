#!/usr/bin/env python3
"""A TCP relay a test controls, for chaos.sh (test-only).

relay.py LISTEN_PORT TARGET_PORT: accepts on 127.0.0.1:LISTEN_PORT and
relays each connection to 127.0.0.1:TARGET_PORT, bytes as they come.
  SIGUSR1  drops every relayed connection (both ends closed at once).
  SIGUSR2  toggles a black hole: while on, nothing is read or forwarded on
           any connection, old or new (bytes wait in the kernel's buffers,
           as on a link that loses every packet until it heals).
TLS goes through untouched: the relay never looks at the bytes.
"""
import selectors
import signal
import socket
import sys

drop = False
hole = False


def on_usr1(signum, frame):
    global drop
    drop = True


def on_usr2(signum, frame):
    global hole
    hole = not hole


def main():
    global drop
    listen_port, target_port = int(sys.argv[1]), int(sys.argv[2])
    signal.signal(signal.SIGUSR1, on_usr1)
    signal.signal(signal.SIGUSR2, on_usr2)
    signal.signal(signal.SIGTERM, lambda s, f: sys.exit(0))
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", listen_port))
    ls.listen(128)
    sel = selectors.DefaultSelector()
    sel.register(ls, selectors.EVENT_READ)
    other = {}  # relayed socket -> its partner
    holding = False

    def close_pair(s):
        o = other.pop(s, None)
        for x in (s, o):
            if x is None:
                continue
            other.pop(x, None)
            try:
                sel.unregister(x)
            except (KeyError, ValueError):
                pass
            x.close()

    while True:
        if drop:
            drop = False
            for s in list(other):
                if s in other:
                    close_pair(s)
        if hole != holding:
            holding = hole
            for s in other:
                if holding:
                    sel.unregister(s)
                else:
                    sel.register(s, selectors.EVENT_READ)
        for key, _ in sel.select(timeout=0.05):
            s = key.fileobj
            if s is ls:
                c, _ = ls.accept()
                try:
                    u = socket.create_connection(("127.0.0.1", target_port),
                                                 timeout=1)
                except OSError:
                    c.close()  # the node is down: so is the link
                    continue
                u.settimeout(None)
                other[c] = u
                other[u] = c
                if not holding:
                    sel.register(c, selectors.EVENT_READ)
                    sel.register(u, selectors.EVENT_READ)
                continue
            if s not in other:
                continue
            try:
                data = s.recv(65536)
            except OSError:
                data = b""
            if not data:
                close_pair(s)
                continue
            try:
                other[s].sendall(data)
            except OSError:
                close_pair(s)


if __name__ == "__main__":
    main()
