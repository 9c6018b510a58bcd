#!/usr/bin/python3
"""maxconn: with the listener's limit reached, further clients are not
accepted (they wait in the backlog, not refused) and are served as soon
as a session ends. The global limit applies across listen sections."""

import socket
import time

import fwdlab as L


def try_read(s, timeout):
    s.settimeout(timeout)
    try:
        return L.read_line(s, timeout)
    except socket.timeout:
        return None


def run():
    bport, p1, p2 = L.free_port(), L.free_port(), L.free_port()
    be = L.Backend('be', '127.0.0.1', bport)
    f = L.Fwd('''maxconn = 3;
      listen = {
        one = { bind = "127.0.0.1:%d"; maxconn = 2;
                server = { s = { address = "127.0.0.1:%d"; }; }; };
        two = { bind = "127.0.0.1:%d";
                server = { s = { address = "127.0.0.1:%d"; }; }; };
      };''' % (p1, bport, p2, bport))
    try:
        c1 = socket.create_connection(('127.0.0.1', p1), timeout=5)
        c2 = socket.create_connection(('127.0.0.1', p1), timeout=5)
        L.check(L.read_line(c1) == 'be' and L.read_line(c2) == 'be',
                'first two not served')
        # the third connects (kernel backlog) but is not served
        c3 = socket.create_connection(('127.0.0.1', p1), timeout=5)
        L.check(try_read(c3, 1.0) is None, 'third client served')
        st = f.stats()['listeners'][0]
        L.check(st['cur'] == 2 and st['state'] == 'FULL', 'stats %s' % st)
        L.check(be.open_conns == 2, 'back end has %d' % be.open_conns)
        # one leaves: the waiting one gets in
        c1.close()
        L.check(try_read(c3, 5) == 'be', 'waiting client not served')
        L.check(f.stats()['listeners'][0]['cur'] == 2, 'cur after')

        # global maxconn 3: listen two gets one, then waits too
        d1 = socket.create_connection(('127.0.0.1', p2), timeout=5)
        L.check(L.read_line(d1) == 'be', 'two not served')
        d2 = socket.create_connection(('127.0.0.1', p2), timeout=5)
        L.check(try_read(d2, 1.0) is None, 'global maxconn exceeded')
        L.check(f.stats()['cur'] == 3, 'global cur %s' % f.stats()['cur'])
        c2.close()
        L.check(try_read(d2, 5) == 'be', 'global waiter not served')
        for s in (c3, d1, d2):
            s.close()
        deadline = time.time() + 5
        while f.stats()['cur'] and time.time() < deadline:
            time.sleep(0.05)
        L.check(f.stats()['cur'] == 0, 'sessions leaked')
    finally:
        f.close()
        be.stop()


if __name__ == '__main__':
    L.main(run)
