#!/usr/bin/python3
"""A back end killed (-9) in the middle of large transfers: each client
sees its connection end (EOF or RST) at once instead of hanging until a
timeout, the dead server is marked DOWN after `fall` checks, the other
server takes every new connection with no failure, and fwd is left with
no session and the file descriptors it had before."""

import socket
import threading
import time

import fwdlab as L
import fwdstress as S

INTER = 0.2  # check interval, seconds
FALL = 2
CHUNK = 1 << 16


def transfer(sock, upload, box):
    """Reads (and with upload also writes) until the connection ends;
    box gets bytes read, how it ended and when."""
    stop = threading.Event()

    def writer():
        blob = b'u' * CHUNK
        try:
            while not stop.is_set():
                sock.sendall(blob)
        except OSError:
            pass
    if upload:
        threading.Thread(target=writer, daemon=True).start()
    sock.settimeout(30)
    try:
        while True:
            b = sock.recv(CHUNK)
            if not b:
                box['end'] = 'EOF'
                break
            box['bytes'] = box.get('bytes', 0) + len(b)
    except socket.timeout:
        box['end'] = 'hung'
    except OSError as e:
        box['end'] = type(e).__name__
    box['t_end'] = time.time()
    stop.set()


def run():
    pa, pb, fport = L.free_port(), L.free_port(), L.free_port()
    a = S.spawn('stream', '127.0.0.1', pa, 'a')
    procs = [a]
    S.first_line(a, 'back end a')
    b = L.Backend('b', '127.0.0.1', pb)
    chk = 'check = { inter = "%dms"; rise = 2; fall = %d; };' % (
        INTER * 1000, FALL)
    f = L.Fwd('''timeout = { check = "100ms"; client = "5m";
                             server = "5m"; };
      listen = { web = { bind = "127.0.0.1:%d"; retries = 3;
        redispatch = true;
        server = { a = { address = "127.0.0.1:%d"; %s };
                   b = { address = "127.0.0.1:%d"; %s }; }; }; };'''
              % (fport, pa, chk, pb, chk))
    socks = []
    try:
        f.wait_state('web', 'a', 'UP')
        f.wait_state('web', 'b', 'UP')
        time.sleep(INTER)
        idle_fds = S.fd_count(f.proc.pid)
        idle_table = S.fd_table(f.proc.pid)
        idle_pipes = f.stats()['pipes_idle']
        # two transfers on a: download only, and both ways at once
        while len(socks) < 2:
            s = socket.create_connection(('127.0.0.1', fport), timeout=5)
            if L.read_line(s) == 'a':
                socks.append(s)
            else:
                s.close()
        boxes = [{}, {}]
        threads = [threading.Thread(target=transfer, args=(s, i == 1, bx))
                   for i, (s, bx) in enumerate(zip(socks, boxes))]
        for t in threads:
            t.start()
        deadline = time.time() + 20
        while min(bx.get('bytes', 0) for bx in boxes) < (16 << 20):
            L.check(time.time() < deadline, 'transfers too slow: %s' % boxes)
            L.check(all('end' not in bx for bx in boxes),
                    'transfer ended early: %s' % boxes)
            time.sleep(0.05)

        t_kill = time.time()
        a.kill()
        a.wait()
        for t in threads:
            t.join(10)
        for i, bx in enumerate(boxes):
            L.check(bx.get('end') in ('EOF', 'ConnectionResetError'),
                    'transfer %d did not end cleanly: %s' % (i, bx))
            L.check(bx['t_end'] - t_kill < 2.0,
                    'transfer %d ended %.2f s after the kill' %
                    (i, bx['t_end'] - t_kill))
        # no new traffic yet: only the active checks can take a down
        t_down = f.wait_state('web', 'a', 'DOWN', timeout=10)
        L.check((FALL - 1) * INTER * 0.9 <= t_down - t_kill <=
                FALL * INTER + 1.0,
                'DOWN %.2f s after the kill' % (t_down - t_kill))
        st = f.server('web', 'a')
        L.check(st['check']['last'] == 'Connection refused' and
                st['check']['fail'] >= FALL and st['connect_fail'] == 0,
                'not taken down by its checks: %s' % st)

        # new connections: every one goes to b and none fails
        tally = [0, 0]
        stop = threading.Event()

        def prober():
            while not stop.is_set():
                try:
                    name = L.ask_name('127.0.0.1', fport)
                    tally[0 if name == 'b' else 1] += 1
                except OSError:
                    tally[1] += 1
        probe = threading.Thread(target=prober, daemon=True)
        probe.start()
        time.sleep(2)
        stop.set()
        probe.join(10)
        ok, bad = tally
        L.check(ok >= 20 and bad == 0,
                'after DOWN: %d served by b, %d failed or sent to a' %
                (ok, bad))
        for s in socks:
            s.close()
        # pipes kept for reuse (stats pipes_idle) hold two fds each
        deadline = time.time() + 5
        while True:
            st = f.stats()
            want = idle_fds + 2 * (st['pipes_idle'] - idle_pipes)
            fds = S.fd_count(f.proc.pid)
            if (st['cur'] == 0 and fds == want) or time.time() > deadline:
                break
            time.sleep(0.05)
        L.check(st['cur'] == 0 and st['pipes_in_use'] == 0,
                'sessions left: %s' % st)
        # An ASan run once kept one descriptor more for the whole 5 s (1
        # run in 6, not seen again nor in the normal build): there, one
        # extra is told with both tables; the normal build stays exact.
        extra = 1 if S.sanitized(f.proc.pid) else 0
        if fds != want:
            print('fds idle: %s\nfds now:  %s' % (idle_table,
                                                 S.fd_table(f.proc.pid)))
        L.check(want <= fds <= want + extra,
                'fds %d, want %d (idle %d, pipes kept %d)' %
                (fds, want, idle_fds, st['pipes_idle']))
        L.check(f.server('web', 'a')['state'] == 'DOWN', 'a came back')
        ends = [(bx['end'], round(bx['t_end'] - t_kill, 3),
                 bx['bytes'] >> 20) for bx in boxes]
        print('ends (how, s after kill, MiB): %s; kill->DOWN %.2f s; '
              'after DOWN %d served by b, %d failed; fds %d (pipes kept '
              '%d)' % (ends, t_down - t_kill, ok, bad, fds,
                       st['pipes_idle']))
    finally:
        for s in socks:
            s.close()
        f.close()
        b.stop()
        S.reap(procs)


if __name__ == '__main__':
    L.main(run)
