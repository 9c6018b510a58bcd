#!/usr/bin/python3
"""Seed 004's Exchange2010 listener: one VIP on ports 80, 443, 135 and the
range 60000-60001, servers named by address alone. Each port reaches the
same port on the chosen server, a client stuck to a server stays on it
for every port, each port has its own line in stats, and the check port
takes a server down for all ports. An offset server ("ip:+1000") maps
7000-7001 to 8000-8001."""

import socket

import fwdlab as L

VIP, VIP2 = '198.18.0.50', '198.18.0.51'
CAS = {'cas1': '198.18.0.21', 'cas2': '198.18.0.22'}
OFF = '198.18.0.23'
PORTS = [80, 443, 135, 60000, 60001]
CLIENTS = ['198.18.1.%d' % i for i in range(1, 9)]


def ask(ns, host, port, src):
    with L.in_netns(ns):
        return L.ask_name(host, port, src=src)


def run():
    ns = L.NetNS('pt')
    backends, f = [], None
    try:
        for a in [VIP, VIP2, OFF] + list(CAS.values()) + CLIENTS:
            L.ip('addr', 'add', a + '/32', 'dev', 'lo', ns=ns.name)
        with L.in_netns(ns):
            for name, addr in CAS.items():
                for p in PORTS:
                    backends.append(L.Backend('%s:%d' % (name, p), addr, p))
            for p in (8000, 8001):
                backends.append(L.Backend('off:%d' % p, OFF, p))
        chk = 'check = { port = 80; inter = "200ms"; rise = 2; fall = 2; };'
        f = L.Fwd('''listen = {
          Exchange2010 = {
            bind = [ "%s:80", "%s:443", "%s:135", "%s:60000-60001" ];
            balance = "roundrobin";
            stick = { on = "src"; expire = "30m"; size = "10240k"; };
            redispatch = true;
            server = { cas1 = { address = "%s"; %s };
                       cas2 = { address = "%s"; %s }; };
          };
          offset = { bind = "%s:7000-7001";
            server = { o = { address = "%s:+1000"; }; }; };
        };''' % (VIP, VIP, VIP, VIP, CAS['cas1'], chk, CAS['cas2'], chk,
                 VIP2, OFF), netns=ns.name)
        f.wait_state('Exchange2010', 'cas1', 'UP')
        f.wait_state('Exchange2010', 'cas2', 'UP')

        # each port reaches the same port; a client keeps its server
        stuck = {}
        for c in CLIENTS:
            got = [ask(ns, VIP, p, c) for p in PORTS]
            server = got[0].split(':')[0]
            L.check(got == ['%s:%d' % (server, p) for p in PORTS],
                    'client %s across ports: %s' % (c, got))
            stuck[c] = server
        L.check(set(stuck.values()) == {'cas1', 'cas2'},
                'one server took every client: %s' % stuck)
        for c in CLIENTS:
            L.check(ask(ns, VIP, 443, c) == stuck[c] + ':443',
                    'client %s left %s' % (c, stuck[c]))

        # one stats line per port, each counting its own sessions
        lst = [x for x in f.stats()['listeners']
               if x['name'] == 'Exchange2010'][0]
        L.check(lst['binds'] == ['%s:%d' % (VIP, p) for p in PORTS],
                'binds: %s' % lst['binds'])
        want = [len(CLIENTS)] * len(PORTS)
        want[1] += len(CLIENTS)
        L.check(lst['bind_sessions'] == want,
                'per-port sessions %s, want %s' % (lst['bind_sessions'],
                                                    want))
        L.check(lst['servers'][0]['address'] == CAS['cas1'],
                'address shown as %s' % lst['servers'][0]['address'])

        # offsets
        for p in (7000, 7001):
            got = ask(ns, VIP2, p, CLIENTS[0])
            L.check(got == 'off:%d' % (p + 1000), '%d -> %s' % (p, got))

        # the check port (80) fails: cas1 is DOWN for every port, though
        # its other ports still answer
        victim = [b for b in backends if b.name == 'cas1:80'][0]
        victim.stop()
        f.wait_state('Exchange2010', 'cas1', 'DOWN', timeout=10)
        for c in CLIENTS:
            for p in PORTS[1:]:
                got = ask(ns, VIP, p, c)
                L.check(got == 'cas2:%d' % p,
                        'cas1 down, client %s port %d -> %s' % (c, p, got))
    finally:
        if f:
            f.close()
        for b in backends:
            b.stop()
        ns.delete()


if __name__ == '__main__':
    L.main(run)
