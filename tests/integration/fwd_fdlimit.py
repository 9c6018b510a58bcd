#!/usr/bin/python3
"""Few file descriptors: fwd lowers maxconn to what its open files limit
fits (extra clients wait in the backlog), and when descriptors run out
anyway (EMFILE) it pauses accepting instead of spinning, then recovers.
Health checks that cannot get a socket then are not counted against the
server (before, the server went DOWN: a failover for fwd's own
shortage). With splice (-s) at 256 open files, 200 clients at once
moving 4 MB each all complete: pipes only use the descriptors maxconn
left over (before, pipes took the back-end sockets' fds and 2-4 clients
in 200 were reset).
New clients keep coming at the listener and at the status page while
descriptors are out: the page's accept pauses too (before, it spun and
logged over 100,000 lines in 2 s), and answers again once fds are
free; so does the control socket's (before, it spun silently: 0.68 s
of CPU in 2 s)."""

import hashlib
import os
import socket
import threading
import time

import fwdlab as L

LIMIT = 120  # fits (120 - 64) / 2 = 28 connections


def served(s, timeout):
    try:
        return L.read_line(s, timeout) == 'be'
    except (socket.timeout, OSError):
        return False


def knock(ports, stop, out, unix_path=None):
    """Connects and closes, again and again, until stop is set: the TCP
    ports and the control socket."""
    n = 0
    while not stop.is_set():
        for port in ports:
            with socket.socket() as s:
                s.settimeout(0.05)
                if s.connect_ex(('127.0.0.1', port)) == 0:
                    n += 1
        if unix_path:
            with socket.socket(socket.AF_UNIX) as s:
                s.settimeout(0.05)
                if s.connect_ex(unix_path) == 0:
                    n += 1
        time.sleep(0.01)
    out['n'] = n


def page(port):
    with socket.create_connection(('127.0.0.1', port), timeout=5) as s:
        s.sendall(b'GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n')
        return s.recv(100).split(b' ')[1]


def splice_crowd():
    data = os.urandom(4 << 20)
    want = hashlib.sha256(data).hexdigest()
    bport, fport = L.free_port(), L.free_port()
    be = L.Backend('sink', '127.0.0.1', bport, mode='sink', data=data)
    f = L.Fwd('maxconn = 1000; listen = { a = { bind = "127.0.0.1:%d"; '
              'server = { s = { address = "127.0.0.1:%d"; }; }; }; };'
              % (fport, bport), args=['-s'],
              prefix=['prlimit', '--nofile=256:256'])
    res = []

    def client():
        try:
            with socket.create_connection(('127.0.0.1', fport),
                                          timeout=20) as s:
                t = threading.Thread(target=L.send_all, args=(s, data))
                t.start()
                h = L.recv_hash(s)
                t.join()
                res.append(h == want)
        except OSError as e:
            res.append(repr(e))
    try:
        ts = [threading.Thread(target=client) for _ in range(200)]
        t0 = time.time()
        for t in ts:
            t.start()
        for t in ts:
            t.join(30)
        bad = [r for r in res if r is not True]
        print('splice at 256 open files: %d of 200 clients complete in '
              '%.1f s' % (res.count(True), time.time() - t0))
        L.check(res.count(True) == 200, 'clients failed: %s' % bad[:3])
        L.check('session closed: Too many' not in f.logtext(),
                'sessions shed for want of fds')
    finally:
        f.close()
        be.stop()


def run():
    splice_crowd()
    bport, fport, sport = L.free_port(), L.free_port(), L.free_port()
    be = L.Backend('be', '127.0.0.1', bport)
    f = L.Fwd('maxconn = 1000; stats = { bind = "127.0.0.1:%d"; };\n'
              'listen = { a = { bind = "127.0.0.1:%d"; '
              'server = { s = { address = "127.0.0.1:%d"; check = {'
              ' inter = "100ms"; rise = 1; fall = 2; }; }; }; }; };'
              % (sport, fport, bport),
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
        # and more keep coming, at the listener and at the page
        stop, knocked = threading.Event(), {}
        t = threading.Thread(target=knock, args=((fport, sport), stop,
                                                 knocked, f.sock))
        t.start()
        time.sleep(2)
        used = f.cpu_seconds() - cpu0
        stop.set()
        t.join()
        text = f.logtext()
        print('EMFILE for 2 s, %d connects: %.2f s CPU, %d lines logged'
              % (knocked['n'], used, text.count('\n')))
        L.check(used < 0.5, 'fwd spun on EMFILE: %.2f s CPU in 2 s' % used)
        L.check(f.proc.poll() is None, 'fwd died')
        # a check that cannot get a socket says nothing of the server
        L.check('is DOWN' not in text,
                'fwd took its own EMFILE for a failed check')
        L.check('pausing accepts' in text, 'no EMFILE pause logged')
        # the control socket's accept pauses too (it spun before)
        L.check(0 < text.count('control socket') <= 3 and
                'cannot accept' in text,
                "control socket accept on EMFILE: %d lines" %
                text.count('control socket'))
        L.check(0 < text.count("pausing the page's accepts") <= 3 and
                text.count('stats: accept') <= 3,
                'page accept on EMFILE: %d lines' %
                text.count('stats: accept'))
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
        L.check(page(sport) == b'200', 'page not served after EMFILE')
        st = f.server('a', 's')
        L.check(st['check']['fail'] == 0, 'failed checks: %s' % st)
    finally:
        for s in clients + ctls:
            s.close()
        f.close()
        be.stop()


if __name__ == '__main__':
    L.main(run)
