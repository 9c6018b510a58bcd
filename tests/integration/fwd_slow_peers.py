#!/usr/bin/python3
"""Peers that do not keep up (issue #18, probed): fwd's memory stays
bounded and its timeouts still apply, with the copy path and with splice
(-s).

- back ends that never read: 10 clients each push 100 MB at a back end
  that accepts and never reads; fwd buffers at most one chunk per flow
  (RSS grows by less than RSS_SLACK), the clients stall, and `timeout
  server` ends every session;
- clients reading at 1 byte/s while a back end sends 100 MB to each of
  10: the same bound on RSS while the back end blasts, and `timeout
  client` ends the sessions once nothing moves. Such a client still has
  its receive buffer to read, so it cannot see the end; fwd resets both
  sides on a timeout, and no socket of the listener is left behind (a
  plain close() left each in FIN-WAIT-1 with ~3.7 MB unsent, an orphan
  that the kernel keeps while the client acknowledges zero windows).

What a session may hold: the socket buffers (kernel) plus one recv chunk
(32 KiB, copy path) or one pipe (splice) per direction."""

import socket
import subprocess
import threading
import time

import fwdlab as L
import fwdstress as S

N = 10
TOTAL = 100 << 20
TIMEOUT = 2  # timeout client and server, seconds
RSS_SLACK = 2048  # KiB over the idle value, for N sessions


def serve(lsock, mode, stop):
    """Back end: 'deaf' accepts and never reads; 'blast' sends TOTAL."""
    conns = []

    def blast(c):
        chunk = b'x' * (1 << 20)
        try:
            for _ in range(TOTAL // len(chunk)):
                c.sendall(chunk)
        except OSError:
            pass
    while not stop.is_set():
        try:
            c, _ = lsock.accept()
        except socket.timeout:
            continue
        except OSError:
            break
        conns.append(c)
        if mode == 'blast':
            threading.Thread(target=blast, args=(c,), daemon=True).start()
    for c in conns:
        c.close()


def push(port, out, i, stop):
    """Client: sends TOTAL, notes how far it got and when it was cut."""
    sent, t0 = 0, time.time()
    chunk = b'y' * 65536
    with socket.create_connection(('127.0.0.1', port), timeout=30) as s:
        try:
            while sent < TOTAL:
                sent += s.send(chunk)
        except OSError:
            pass
    out[i] = (sent, time.time() - t0)


def drip(port, out, i, stop):
    """Client: reads one byte a second until stop is set."""
    got = 0
    with socket.create_connection(('127.0.0.1', port), timeout=30) as s:
        try:
            while not stop.wait(1):
                got += len(s.recv(1))
        except OSError:
            pass
    out[i] = got


def left_behind(fport, bport):
    """fwd's sockets (to clients, to the back end) and their queues."""
    r = subprocess.run(['ss', '-tnH', 'state', 'all', '( sport = :%d or '
                        'dport = :%d )' % (fport, bport)],
                       capture_output=True, text=True, check=True)
    rows = [l.split() for l in r.stdout.splitlines() if l.strip()]
    socks = [r for r in rows if r[0] != 'LISTEN']
    return len(socks), sum(int(r[2]) for r in socks)


def scenario(mode, client, splice):
    bport, fport = L.free_port(), L.free_port()
    lsock = socket.socket()
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsock.bind(('127.0.0.1', bport))
    lsock.listen(64)
    lsock.settimeout(0.2)
    stop, cstop = threading.Event(), threading.Event()
    srv = threading.Thread(target=serve, args=(lsock, mode, stop),
                           daemon=True)
    srv.start()
    f = L.Fwd('timeout = { connect = "2s"; client = "%ds"; server = "%ds"; '
              '};\nlisten = { a = { bind = "127.0.0.1:%d"; server = {'
              ' s = { address = "127.0.0.1:%d"; }; }; }; };'
              % (TIMEOUT, TIMEOUT, fport, bport),
              args=['-s'] if splice else [])
    ts = []
    try:
        rss0 = S.rss_kib(f.proc.pid)
        out = {}
        ts = [threading.Thread(target=client, args=(fport, out, i, cstop),
                               daemon=True) for i in range(N)]
        for t in ts:
            t.start()
        rss_max, t0, cur_max, t_end = rss0, time.time(), 0, None
        while time.time() < t0 + TIMEOUT + 10:
            rss_max = max(rss_max, S.rss_kib(f.proc.pid))
            cur = f.stats()['cur']
            cur_max = max(cur, cur_max)
            if cur_max == N and cur == 0:
                t_end = time.time() - t0
                break
            time.sleep(0.1)
        what = '%s back end, %s client, %s' % (
            mode, client.__name__, 'splice' if splice else 'copy')
        st = f.stats()['listeners'][0]
        time.sleep(0.2)
        n_left, queued = left_behind(fport, bport)
        print('%s: RSS %d -> max %d KiB; %d sessions moved %d bytes in, '
              '%d out, all ended after %s s; %d sockets left, %d bytes '
              'queued' % (what, rss0, rss_max, N, st['bytes_in'],
                          st['bytes_out'], t_end and round(t_end, 1),
                          n_left, queued))
        L.check(cur_max == N, '%s: only %d sessions' % (what, cur_max))
        L.check(t_end is not None and TIMEOUT - 0.5 < t_end < TIMEOUT + 5,
                '%s: sessions ended after %s s (timeout %d s)' %
                (what, t_end, TIMEOUT))
        L.check(st['bytes_in'] + st['bytes_out'] < N * TOTAL // 4,
                '%s: too much moved' % what)
        L.check(rss_max - rss0 < RSS_SLACK or S.sanitized(f.proc.pid),
                '%s: RSS grew by %d KiB' % (what, rss_max - rss0))
        L.check(n_left == 0, '%s: %d sockets left behind, %d bytes queued'
                % (what, n_left, queued))
        if client is push:
            for t in ts:
                t.join(3)
            lives = sorted(round(out[i][1], 1) for i in out)
            L.check(len(out) == N and lives[-1] < TIMEOUT + 5,
                    '%s: clients saw the end after %s s' % (what, lives))
    finally:
        cstop.set()
        stop.set()
        for t in ts:
            t.join(2)
        lsock.close()
        f.close()
        srv.join(2)


def run():
    for splice in (False, True):
        scenario('deaf', push, splice)
        scenario('blast', drip, splice)


if __name__ == '__main__':
    L.main(run)
