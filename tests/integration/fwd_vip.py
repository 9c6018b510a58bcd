#!/usr/bin/python3
"""A listener on a VIP that is not on the host starts (IP_FREEBIND) and
serves once the VIP is added, with no sysctl touched: ip_nonlocal_bind
stays 0 in the namespace the whole time."""

import socket

import fwdlab as L

VIP = '198.18.0.50'


def nonlocal_bind(ns):
    with L.in_netns(ns):
        with open('/proc/sys/net/ipv4/ip_nonlocal_bind') as f:
            return f.read().strip()


def run():
    ns = L.NetNS('v')
    f = be = None
    try:
        L.check(nonlocal_bind(ns) == '0', 'ip_nonlocal_bind is on')
        with L.in_netns(ns):
            be = L.Backend('app', '127.0.0.1', 4443)
        f = L.Fwd('listen = { web = { bind = [ "%s:443", "[2001:db8::50]:443"'
                  ' ]; server = { s = { address = "127.0.0.1:4443"; }; }; '
                  '}; };' % VIP, netns=ns.name)
        with L.in_netns(ns):
            try:
                socket.create_connection((VIP, 443), timeout=1).close()
                raise AssertionError('VIP answered before it existed')
            except OSError:
                pass
        L.ip('addr', 'add', VIP + '/32', 'dev', 'lo', ns=ns.name)
        with L.in_netns(ns):
            L.check(L.ask_name(VIP, 443) == 'app', 'v4 VIP not served')
        L.ip('addr', 'add', '2001:db8::50/128', 'dev', 'lo', 'nodad',
             ns=ns.name)
        with L.in_netns(ns):
            L.check(L.ask_name('2001:db8::50', 443) == 'app',
                    'v6 VIP not served')
        L.check(nonlocal_bind(ns) == '0', 'ip_nonlocal_bind changed')
        print('VIP %s and 2001:db8::50 served after being added' % VIP)
    finally:
        if f:
            f.close()
        if be:
            be.stop()
        ns.delete()


if __name__ == '__main__':
    L.main(run)
