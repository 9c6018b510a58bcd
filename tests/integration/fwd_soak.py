#!/usr/bin/python3
"""Soak: 100,000 short connections (one request, one answer, keepalive
off) through fwd after a warm-up of 10,000. Afterwards fwd holds exactly
its idle file descriptors again and its RSS is within RSS_SLACK of the
value after the warm-up: no fd or memory leak per connection (a leak of
even 24 bytes a connection would show as 2.3 MiB). Runs in a namespace of
its own so 200,000 TIME_WAIT sockets stay out of everyone else's way."""

import time

import fwdlab as L
import fwdstress as S

WORKERS = 4
WARMUP = 10000
SOAK = 100000
RSS_SLACK = 2048  # KiB


def load(ns, port, total):
    procs = [S.spawn('reqs', '127.0.0.1', port, total // WORKERS,
                     netns=ns.name) for _ in range(WORKERS)]
    try:
        res = [S.result(p, timeout=120) for p in procs]
    finally:
        S.reap(procs)
    n = sum(r['n'] for r in res)
    fails = sum(r['fails'] for r in res)
    L.check(n == total and fails == 0,
            '%d connections, %d failed: %s' % (n, fails, res))
    return max(r['secs'] for r in res)


def settle(f, want_fds=None):
    """Waits until fwd has no session (and want_fds fds if given)."""
    deadline = time.time() + 10
    while True:
        st = f.stats()
        time.sleep(0.2)  # fwd closes the control connection
        fds = S.fd_count(f.proc.pid)
        if st['cur'] == 0 and (want_fds is None or fds == want_fds):
            return st, fds
        if time.time() > deadline:
            return st, fds


def run():
    ns = L.NetNS('soak')
    procs, f = [], None
    try:
        bport, fport = 8080, 8000
        be = S.spawn('reply', '127.0.0.1', bport, netns=ns.name)
        procs.append(be)
        S.first_line(be, 'back end')
        f = L.Fwd('''maxconn = 2000;
          timeout = { connect = "2s"; client = "10s"; server = "10s"; };
          listen = { soak = { bind = "127.0.0.1:%d";
            server = { s = { address = "127.0.0.1:%d"; }; }; }; };'''
                  % (fport, bport), netns=ns.name)
        pid = f.proc.pid
        time.sleep(0.2)  # fwd closes the control connection of startup
        fds0, rss0 = S.fd_count(pid), S.rss_kib(pid)
        secs = load(ns, fport, WARMUP)
        st, fds_w = settle(f)
        rss_w = S.rss_kib(pid)
        print('idle: %d fds, %d KiB; after %d warm-up (%.1f s): %d fds, '
              '%d KiB' % (fds0, rss0, WARMUP, secs, fds_w, rss_w),
              flush=True)
        secs = load(ns, fport, SOAK)
        st, fds = settle(f, fds_w)
        rss = S.rss_kib(pid)
        print('after %d more (%.1f s, %.0f conn/s): %d fds, %d KiB, '
              'total %d' % (SOAK, secs, SOAK / secs, fds, rss, st['total']))
        L.check(st['total'] == WARMUP + SOAK, 'total %s' % st['total'])
        L.check(st['cur'] == 0 and st['pipes_in_use'] == 0,
                'sessions left: %s' % st)
        L.check(fds == fds_w, 'fds %d after the soak, %d before' %
                (fds, fds_w))
        S.check_rss(pid, rss_w, rss, RSS_SLACK, 'after the soak')
    finally:
        S.teardown(f, procs, ns)


if __name__ == '__main__':
    L.main(run)
