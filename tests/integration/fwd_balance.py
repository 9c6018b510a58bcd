#!/usr/bin/python3
"""Roundrobin spreads by weight; stickiness keeps a client address on one
server (and moves it when that server is disabled); source hashing is
stable; leastconn prefers the idle server."""

import socket

import fwdlab as L


def run():
    ports = [L.free_port() for _ in range(3)]
    bes = [L.Backend('b%d' % i, '127.0.0.1', p) for i, p in enumerate(ports)]
    rr, st, src, lc = (L.free_port() for _ in range(4))
    servers = ' '.join('b%d = { address = "127.0.0.1:%d"; weight = %d; };'
                       % (i, p, i + 1) for i, p in enumerate(ports))
    plain = ' '.join('b%d = { address = "127.0.0.1:%d"; };' % (i, p)
                     for i, p in enumerate(ports))
    f = L.Fwd('''listen = {
      rr = { bind = "127.0.0.1:%d"; server = { %s }; };
      st = { bind = "127.0.0.1:%d"; stick = { on = "src"; expire = "1m";
             size = 100; }; server = { %s }; };
      src = { bind = "127.0.0.1:%d"; balance = "source"; server = { %s }; };
      lc = { bind = "127.0.0.1:%d"; balance = "leastconn";
             server = { %s }; };
    };''' % (rr, servers, st, plain, src, plain, lc, plain))
    try:
        # weights 1:2:3 over 60 connections, exactly (smooth wrr)
        names = [L.ask_name('127.0.0.1', rr) for _ in range(60)]
        counts = [names.count('b%d' % i) for i in range(3)]
        L.check(counts == [10, 20, 30], 'roundrobin counts %s' % counts)
        L.check(names[:6] != sorted(names[:6]), 'not interleaved: %s'
                % names[:6])

        # stickiness: each source address keeps its server
        first = {}
        for i in range(2, 12):
            first[i] = L.ask_name('127.0.0.1', st, src='127.0.0.%d' % i)
        L.check(len(set(first.values())) == 3,
                'sticky clients not spread: %s' % first)
        for _ in range(3):
            for i in range(2, 12):
                got = L.ask_name('127.0.0.1', st, src='127.0.0.%d' % i)
                L.check(got == first[i], 'client %d moved %s -> %s'
                        % (i, first[i], got))
        L.check(f.stats()['listeners'][1]['stick_entries'] == 10,
                'stick entries')
        # disabling a server moves its clients, and they stay moved
        victim = first[2]
        r = f.ctl('server st/%s disable' % victim)
        L.check(r == {'ok': True, 'server': victim, 'state': 'MAINT'},
                'disable reply %s' % r)
        moved = {}
        for i in range(2, 12):
            got = L.ask_name('127.0.0.1', st, src='127.0.0.%d' % i)
            L.check(got != victim, 'sent to disabled server')
            if first[i] == victim:
                moved[i] = got
            else:
                L.check(got == first[i], 'unaffected client %d moved' % i)
        f.ctl('server st/%s enable' % victim)
        for i, srv in moved.items():
            got = L.ask_name('127.0.0.1', st, src='127.0.0.%d' % i)
            L.check(got == srv, 'redispatched client %d moved back' % i)

        # source hashing: same address, same server, across many tries
        seen = {}
        for i in range(2, 30):
            a = L.ask_name('127.0.0.1', src, src='127.0.0.%d' % i)
            b = L.ask_name('127.0.0.1', src, src='127.0.0.%d' % i)
            L.check(a == b, 'source hash not stable for %d' % i)
            seen[a] = seen.get(a, 0) + 1
        L.check(len(seen) == 3, 'source hash uses %s' % seen)

        # leastconn: hold two connections open; the next goes elsewhere
        held = []
        for _ in range(2):
            s = socket.create_connection(('127.0.0.1', lc), timeout=5)
            held.append((s, L.read_line(s)))
        busy = {n for _, n in held}
        L.check(len(busy) == 2, 'leastconn stacked: %s' % busy)
        nxt = L.ask_name('127.0.0.1', lc)
        L.check(nxt not in busy, 'leastconn picked busy %s' % nxt)
        for s, _ in held:
            s.close()
    finally:
        f.close()
        for b in bes:
            b.stop()


if __name__ == '__main__':
    L.main(run)
