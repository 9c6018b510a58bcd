#!/usr/bin/python3
"""Few file descriptors: fwd lowers maxconn to what its open files limit
fits (extra clients wait in the backlog), and when descriptors run out
anyway (EMFILE) it pauses accepting instead of spinning, then recovers."""

import socket
import time

import fwdlab as L

LIMIT = 120  # fits (120 - 64) / 2 = 28 connections


def served(s, timeout):
    try:
        return L.read_line(s, timeout) == 'be'
    except (socket.timeout, OSError):
        return False


def run():
    bport, fport = L.free_port(), L.free_port()
    be = L.Backend('be', '127.0.0.1', bport)
    f = L.Fwd('maxconn = 1000; listen = { a = { bind = "127.0.0.1:%d"; '
              'server = { s = { address = "127.0.0.1:%d"; }; }; }; };'
              % (fport, bport),
              prefix=['prlimit', '--nofile=%d:%d' % (LIMIT, LIMIT)])
    clients, ctls = [], []
    try:
        L.check(f.stats()['maxconn'] == 28, 'maxconn %s' % f.stats())
        L.check('maxconn 1000 lowered to 28' in f.logtext(), 'no warning')
        for _ in range(35):
            clients.append(socket.create_connection(('127.0.0.1', fport),
                                                    timeout=5))
        ok = [served(c, 2) for c in clients[:28]]
        L.check(all(ok), 'first 28 not all served')
        L.check(not any(served(c, 0.3) for c in clients[28:]),
                'clients beyond maxconn were served')
        for c in clients[:10]:
            c.close()
        L.check(all(served(c, 5) for c in clients[28:]),
                'waiting clients not served after others left')
        for c in clients[10:]:
            c.close()
        clients = []
        deadline = time.time() + 5
        while f.stats()['cur'] and time.time() < deadline:
            time.sleep(0.05)

        # eat descriptors with control clients: now EMFILE comes first
        for _ in range(60):
            s = socket.socket(socket.AF_UNIX)
            s.connect(f.sock)
            ctls.append(s)
        cpu0 = f.cpu_seconds()
        for _ in range(28):
            clients.append(socket.create_connection(('127.0.0.1', fport),
                                                    timeout=5))
        time.sleep(2)
        used = f.cpu_seconds() - cpu0
        L.check(used < 0.5, 'fwd spun on EMFILE: %.2f s CPU in 2 s' % used)
        L.check(f.proc.poll() is None, 'fwd died')
        L.check('pausing accepts' in f.logtext(), 'no EMFILE pause logged')
        for s in ctls:
            s.close()
        ctls = []
        for c in clients:
            c.close()
        clients = []
        time.sleep(0.5)
        # recovered: new clients are served again
        for _ in range(5):
            L.check(L.ask_name('127.0.0.1', fport) == 'be',
                    'not served after EMFILE')
    finally:
        for s in clients + ctls:
            s.close()
        f.close()
        be.stop()


if __name__ == '__main__':
    L.main(run)
