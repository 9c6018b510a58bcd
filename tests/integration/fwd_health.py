#!/usr/bin/python3
"""A back end that stops is marked DOWN after `fall` failed checks and
gets no new connections; it comes back after `rise` good ones. With
shutdown_sessions_on_down its open sessions are closed. Drain and the
control socket's answers are checked on the way."""

import socket
import time

import fwdlab as L

INTER = 0.2  # seconds
RISE, FALL = 3, 2


def run():
    pa, pb, fport = L.free_port(), L.free_port(), L.free_port()
    dead, pport = L.free_port(), L.free_port()
    a = L.Backend('a', '127.0.0.1', pa)
    b = L.Backend('b', '127.0.0.1', pb)
    chk = 'check = { inter = "%dms"; rise = %d; fall = %d; };' % (
        INTER * 1000, RISE, FALL)
    f = L.Fwd('''shutdown_sessions_on_down = true;
      timeout = { check = "100ms"; };
      listen = { web = { bind = "127.0.0.1:%d"; retries = 2;
        redispatch = true;
        server = { a = { address = "127.0.0.1:%d"; %s };
                   b = { address = "127.0.0.1:%d"; %s }; }; };
        pas = { bind = "127.0.0.1:%d"; retries = 1; redispatch = true;
          server = { c = { address = "127.0.0.1:%d";
                           check = { inter = "1d"; fall = 2; }; };
                     d = { address = "127.0.0.1:%d"; }; }; }; };'''
              % (fport, pa, chk, pb, chk, pport, dead, pb))
    try:
        f.wait_state('web', 'a', 'UP')
        time.sleep(3 * INTER)
        L.check(f.server('web', 'a')['check']['last'] == 'ok',
                'check result %s' % f.server('web', 'a')['check'])
        # an open session on a, to be cut when a goes down
        held = None
        for _ in range(4):
            s = socket.create_connection(('127.0.0.1', fport), timeout=5)
            if L.read_line(s) == 'a':
                held = s
                break
            s.close()
        L.check(held is not None, 'never reached a')

        t0 = time.time()
        a.stop()
        t_down = f.wait_state('web', 'a', 'DOWN', timeout=10)
        # fall checks at most INTER apart (plus the check timeout)
        L.check(t_down - t0 <= FALL * INTER + 1.0,
                'DOWN took %.2fs' % (t_down - t0))
        st = f.server('web', 'a')
        L.check(st['check']['last'] == 'Connection refused',
                'last check %s' % st['check'])
        L.check(st['cur'] == 0, 'sessions left on a: %s' % st)
        held.settimeout(2)
        try:
            L.check(held.recv(10) == b'', 'held session not closed')
        except ConnectionResetError:
            pass
        held.close()

        total_a = f.server('web', 'a')['total']
        for _ in range(10):
            L.check(L.ask_name('127.0.0.1', fport) == 'b', 'sent to a')
        L.check(f.server('web', 'a')['total'] == total_a,
                'DOWN server got connections')

        # stays DOWN until rise successes in a row
        t1 = time.time()
        a.start()
        t_up = f.wait_state('web', 'a', 'UP', timeout=10)
        L.check(t_up - t1 >= (RISE - 1) * INTER * 0.9,
                'UP after %.2fs: fewer than rise=%d checks' %
                (t_up - t1, RISE))
        names = [L.ask_name('127.0.0.1', fport) for _ in range(10)]
        L.check(names.count('a') == 5, 'after rise: %s' % names)

        # drain: no new clients; enable: back
        r = f.ctl('server web/a drain')
        L.check(r['ok'] and r['state'] == 'DRAIN', 'drain: %s' % r)
        names = [L.ask_name('127.0.0.1', fport) for _ in range(6)]
        L.check(names == ['b'] * 6, 'drain: %s' % names)
        L.check(f.ctl('server web/a enable')['state'] == 'UP', 'enable')
        r = f.ctl('server web/zz enable')
        L.check(r == {'ok': False, 'error': "listen web has no server 'zz'"},
                'unknown server: %s' % r)
        # passive: refused connects on real traffic count as failures;
        # the first check comes at a random point of the first day (checks
        # are spread over inter), so only traffic can take c down
        names = [L.ask_name('127.0.0.1', pport) for _ in range(6)]
        L.check(names == ['b'] * 6, 'passive: %s' % names)
        c = f.server('pas', 'c')
        L.check(c['state'] == 'DOWN' and c['connect_fail'] == 2 and
                c['check']['ok'] + c['check']['fail'] == 0,
                'passive failures did not take c down: %s' % c)
        r = f.ctl('frobnicate')
        L.check(r == {'ok': False,
                      'error': "unknown command 'frobnicate'; try 'help'"},
                'unknown verb: %s' % r)
    finally:
        f.close()
        a.stop()
        b.stop()


if __name__ == '__main__':
    L.main(run)
