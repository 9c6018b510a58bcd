#!/usr/bin/python3
"""The client's first bytes, read before the back end is dialled, are
sent with the connect and survive a refused connect: the retry on the
next server (redispatch) carries them, once, in order. A listener whose
server speaks first (a banner, like SMTP) learns it and serves banners;
a client that only half-closes, or resets before it sent anything, is
handled and leaves nothing behind."""

import socket
import struct
import time

import fwdlab as L

CLIENTS = 8


def run():
    pb, dead, pcf, psf = (L.free_port() for _ in range(4))
    b = L.Backend('b', '127.0.0.1', pb)
    # c refuses; a fall this high keeps it UP, so it stays in the
    # rotation and every other client is redispatched from it
    f = L.Fwd('''listen = {
        cf = { bind = "127.0.0.1:%d"; retries = 2; redispatch = true;
          server = { c = { address = "127.0.0.1:%d";
                           check = { inter = "1m"; fall = 1000; }; };
                     b = { address = "127.0.0.1:%d"; }; }; };
        sf = { bind = "127.0.0.1:%d";
          server = { b = { address = "127.0.0.1:%d"; }; }; }; };'''
              % (pcf, dead, pb, psf, pb))
    try:
        for i in range(CLIENTS):
            L.client_first(pcf, i)
        c = f.server('cf', 'c')
        L.check(c['connect_fail'] >= CLIENTS // 2 - 1,
                'c was not tried first for half the clients: %s' % c)
        L.check(c['bytes_in'] == 0, 'bytes counted on c: %s' % c)
        want = sum(len(b'hello %d\n' % i) for i in range(CLIENTS))
        bb = f.server('cf', 'b')
        L.check(bb['bytes_in'] == want,
                'b got %d bytes, clients sent %d' % (bb['bytes_in'], want))
        L.check(L.listener(f, 'cf')['first_speaker'] == 'client',
                'cf: %s' % L.listener(f, 'cf'))

        # server first: the client sends nothing and waits for the banner
        for i in range(4):
            L.check(L.ask_name('127.0.0.1', psf) == 'b',
                    'banner %d on sf' % i)
        L.check(L.listener(f, 'sf')['first_speaker'] == 'server',
                'sf did not learn: %s' % L.listener(f, 'sf'))

        # a client that half-closes at once: its FIN reaches b, which
        # answers with its banner and closes
        with socket.create_connection(('127.0.0.1', pcf), timeout=5) as s:
            s.shutdown(socket.SHUT_WR)
            L.check(L.read_line(s) == 'b', 'half-closed client: no banner')
            L.check(s.recv(10) == b'', 'half-closed client: no EOF')

        # clients that reset before sending leave no session behind
        for _ in range(5):
            s = socket.create_connection(('127.0.0.1', pcf), timeout=5)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                         struct.pack('ii', 1, 0))
            s.close()
        deadline = time.time() + 5
        while L.listener(f, 'cf')['cur'] and time.time() < deadline:
            time.sleep(0.05)
        L.check(L.listener(f, 'cf')['cur'] == 0,
                'reset clients left sessions: %s' % L.listener(f, 'cf'))
        L.check(f.proc.poll() is None, 'fwd died')
    finally:
        f.close()
        b.stop()


if __name__ == '__main__':
    L.main(run)
