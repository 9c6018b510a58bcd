#!/usr/bin/python3
"""listen.NAME.timeout overrides the forwarder's timeouts for that listener
only: an idle session on the short listener is closed after its own client
timeout, one on the other listener lives on the forwarder's."""

import socket
import time

import fwdlab as L


def run():
    pb, fshort, flong = L.free_port(), L.free_port(), L.free_port()
    b = L.Backend('b', '127.0.0.1', pb)
    f = L.Fwd('''timeout = { client = "30s"; server = "30s"; };
      listen = {
        short = { bind = "127.0.0.1:%d";
          timeout = { client = "400ms"; server = "400ms"; };
          server = { b = { address = "127.0.0.1:%d"; }; }; };
        long = { bind = "127.0.0.1:%d";
          server = { b = { address = "127.0.0.1:%d"; }; }; };
      };''' % (fshort, pb, flong, pb))
    try:
        s1 = socket.create_connection(('127.0.0.1', fshort), timeout=5)
        s2 = socket.create_connection(('127.0.0.1', flong), timeout=5)
        L.check(L.read_line(s1) == 'b' and L.read_line(s2) == 'b',
                'no answer')
        t0 = time.time()
        s1.settimeout(5)
        try:
            got = s1.recv(10)
        except ConnectionResetError:
            got = b''
        took = time.time() - t0
        L.check(got == b'', 'short listener sent %r' % got)
        L.check(0.3 <= took <= 2.5, 'closed after %.2fs, want ~0.4s' % took)
        # the other listener's session, idle as long, is still there
        s2.sendall(b'ping\n')
        L.check(L.read_line(s2) == 'ping', 'long listener session gone')
        s1.close()
        s2.close()
    finally:
        f.close()
        b.stop()


if __name__ == '__main__':
    L.main(run)
