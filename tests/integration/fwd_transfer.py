#!/usr/bin/python3
"""50 MB each way through fwd at the same time, checksummed, with
half-close: each side only sees EOF if fwd passed the other's FIN on.
On loopback with splice (-s) and with copying (the default), and between two network
namespaces over a veth pair (198.18.0.0/24)."""

import hashlib
import os
import socket
import threading

import fwdlab as L

SIZE = 50 * 1024 * 1024


def transfer(fwd_addr, backend, data_up, data_down, src=None):
    """Client sends data_up and half-closes while reading data_down."""
    fam = socket.AF_INET
    with socket.socket(fam) as s:
        s.settimeout(30)
        if src:
            s.bind((src, 0))
        s.connect(fwd_addr)
        t = threading.Thread(target=L.send_all, args=(s, data_up))
        t.start()
        got = L.recv_hash(s)
        t.join()
    want_down = hashlib.sha256(data_down).hexdigest()
    L.check(got == want_down, 'server->client bytes differ')
    # the back end records the hash once it saw our FIN
    for _ in range(100):
        if backend.received:
            break
        threading.Event().wait(0.05)
    L.check(backend.received, 'back end never saw EOF (FIN not passed on)')
    L.check(backend.received.pop() == hashlib.sha256(data_up).hexdigest(),
            'client->server bytes differ')


def loopback(data_up, data_down, args):
    bport, fport = L.free_port(), L.free_port()
    be = L.Backend('sink', '127.0.0.1', bport, mode='sink', data=data_down)
    f = L.Fwd('listen = { t = { bind = "127.0.0.1:%d"; server = { s = { '
              'address = "127.0.0.1:%d"; }; }; }; };' % (fport, bport),
              args=args)
    try:
        transfer(('127.0.0.1', fport), be, data_up, data_down)
        # a small upload: the copy path for short messages
        transfer(('127.0.0.1', fport), be, b'x' * 1000, data_down)
        st = f.server('t', 's')
        L.check(st['bytes_in'] == SIZE + 1000,
                'bytes_in %d' % st['bytes_in'])
        L.check(st['bytes_out'] == 2 * SIZE,
                'bytes_out %d' % st['bytes_out'])
        stats = f.stats()
        L.check(stats['pipes_in_use'] == 0, 'pipes leak: %s' % stats)
        # pipes are pooled once used: splice ran with -s and only then
        L.check((stats['pipes_idle'] > 0) == ('-s' in args),
                'pipes pooled %d with %s' % (stats['pipes_idle'], args))
    finally:
        be.stop()
        f.close()


def namespaces(data_up, data_down):
    """client ns 198.18.0.10 <-veth-> lb ns 198.18.0.1 (fwd + back end)."""
    cli, lb = L.NetNS('c'), L.NetNS('l')
    f = be = None
    veth = 'fwv%d' % (os.getpid() % 100000)
    try:
        L.ip('link', 'add', veth + 'a', 'netns', cli.name, 'type', 'veth',
             'peer', 'name', veth + 'b', 'netns', lb.name)
        L.ip('addr', 'add', '198.18.0.10/24', 'dev', veth + 'a', ns=cli.name)
        L.ip('addr', 'add', '198.18.0.1/24', 'dev', veth + 'b', ns=lb.name)
        L.ip('link', 'set', veth + 'a', 'up', ns=cli.name)
        L.ip('link', 'set', veth + 'b', 'up', ns=lb.name)
        with L.in_netns(lb):
            be = L.Backend('sink', '127.0.0.1', 9000, mode='sink',
                           data=data_down)
        f = L.Fwd('listen = { t = { bind = "198.18.0.1:8000"; server = { '
                  's = { address = "127.0.0.1:9000"; }; }; }; };',
                  netns=lb.name)
        with L.in_netns(cli):
            transfer(('198.18.0.1', 8000), be, data_up, data_down)
        # on the kernel path: bytes the kernel handed the program twice
        # and the program cut (the client got them once, checked above)
        print('repeats cut: %d bytes' % f.stats().get('kernel_dup_bytes', 0))
    finally:
        if f:
            f.close()
        if be:
            be.stop()
        cli.delete()
        lb.delete()


def run():
    data_up = os.urandom(SIZE)
    data_down = os.urandom(SIZE)
    loopback(data_up, data_down, ['-s'])
    print('loopback, splice: ok')
    loopback(data_up, data_down, [])
    print('loopback, copy: ok')
    namespaces(data_up, data_down)
    print('namespaces over veth: ok')


if __name__ == '__main__':
    L.main(run)
