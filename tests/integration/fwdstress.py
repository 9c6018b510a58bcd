#!/usr/bin/python3
"""Load helpers for the fwd fault tests, run as separate processes (each
has its own open files limit, and kill -9 hits only that process):

  fwdstress.py echo HOST PORT           epoll echo server (many conns)
  fwdstress.py reply HOST PORT          answers each request line with
                                        "ok\\n" and closes (keepalive off)
  fwdstress.py stream HOST PORT NAME    sends NAME\\n then endless bytes,
                                        reading and dropping input
  fwdstress.py reqs HOST PORT N         N request/response connections
  fwdstress.py hold HOST PORT N KIND [SECS]
                                        N connections that stall (KIND
                                        'stall': send nothing; 'drip': one
                                        byte every DRIP seconds for SECS);
                                        stdin EOF ends it
  fwdstress.py reset HOST PORT SECS     connect, send, close with RST
  fwdstress.py normal HOST PORT SECS    connect, send, await echo, close

Servers print 'ready' when listening. Clients print one JSON line."""

import errno
import json
import os
import select
import socket
import struct
import subprocess
import sys
import time

DRIP = 1.0  # seconds between the bytes of a dripping client
LINGER0 = struct.pack('ii', 1, 0)
HERE = os.path.abspath(__file__)


def spawn(*args, netns=None):
    """Starts this script as a process (in netns if given); read its first
    line (servers: 'ready') with first_line()."""
    cmd = ['/usr/bin/python3', HERE] + [str(a) for a in args]
    if netns:
        cmd = ['ip', 'netns', 'exec', netns] + cmd
    p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         text=True)
    return p


def first_line(p, what):
    line = p.stdout.readline()
    if not line:
        raise AssertionError('%s exited (%s) before starting' %
                             (what, p.wait()))
    return line


def result(p, timeout=60):
    """The JSON result line of a client process (closes its stdin)."""
    out, _ = p.communicate(timeout=timeout)
    return json.loads(out.strip().splitlines()[-1])


def reap(procs):
    for p in procs:
        if p.poll() is None:
            p.kill()
        p.wait()


def teardown(f, procs, ns):
    """The end of a load test, also on failure: fwd (if started), the
    load processes, the namespace."""
    try:
        if f:
            f.close()
    finally:
        reap(procs)
        ns.delete()


def fd_count(pid):
    return len(os.listdir('/proc/%d/fd' % pid))


def fd_table(pid):
    """What each of pid's descriptors is, for a failure message."""
    out = []
    for fd in sorted(os.listdir('/proc/%d/fd' % pid), key=int):
        try:
            out.append('%s->%s' % (fd, os.readlink('/proc/%d/fd/%s'
                                                    % (pid, fd))))
        except OSError:
            pass
    return ' '.join(out)


def sanitized(pid):
    """True for an ASan build: its quarantine keeps freed memory, so RSS
    says nothing about leaks there (ASan's leak checker does instead)."""
    with open('/proc/%d/maps' % pid) as f:
        return 'libasan' in f.read()


def check_rss(pid, before, after, slack, what):
    """RSS after the load within slack KiB of before (not on ASan)."""
    if not (after <= before + slack or sanitized(pid)):
        raise AssertionError('RSS %d KiB %s, %d before (slack %d)'
                             % (after, what, before, slack))


def rss_kib(pid):
    with open('/proc/%d/status' % pid) as f:
        for line in f:
            if line.startswith('VmRSS:'):
                return int(line.split()[1])
    raise AssertionError('no VmRSS for %d' % pid)


def listen(host, port):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((host, port))
    s.listen(4096)
    s.setblocking(False)
    return s


def serve(host, port, mode, name=b''):
    """Single-threaded epoll server; mode 'echo', 'reply' or 'stream'."""
    ls = listen(host, port)
    ep = select.epoll()
    ep.register(ls.fileno(), select.EPOLLIN)
    conns = {}
    blob = b'x' * (1 << 16)
    print('ready', flush=True)
    while True:
        for fd, ev in ep.poll():
            if fd == ls.fileno():
                for _ in range(256):
                    try:
                        c, _ = ls.accept()
                    except BlockingIOError:
                        break
                    c.setblocking(False)
                    conns[c.fileno()] = c
                    want = select.EPOLLIN
                    if mode == 'stream':
                        c.send(name + b'\n')
                        want |= select.EPOLLOUT
                    ep.register(c.fileno(), want)
                continue
            c = conns[fd]
            try:
                if ev & select.EPOLLOUT:
                    c.send(blob)
                if ev & (select.EPOLLIN | select.EPOLLHUP | select.EPOLLERR):
                    b = c.recv(65536)
                    if not b:
                        raise ConnectionResetError
                    if mode == 'echo':
                        c.send(b)
                    elif mode == 'reply' and b.endswith(b'\n'):
                        c.send(b'ok\n')
                        raise ConnectionResetError
            except BlockingIOError:
                pass
            except OSError:
                ep.unregister(fd)
                del conns[fd]
                c.close()


def reqs(host, port, n):
    """n sequential connections with one request each; counts failures."""
    fails, t0 = 0, time.time()
    for _ in range(n):
        try:
            with socket.create_connection((host, port), timeout=5) as s:
                s.sendall(b'get\n')
                buf = b''
                while True:
                    b = s.recv(64)
                    if not b:
                        break
                    buf += b
                if buf != b'ok\n':
                    fails += 1
        except OSError:
            fails += 1
    return {'n': n, 'fails': fails, 'secs': round(time.time() - t0, 2)}


def hold(host, port, n, kind, drip_secs=0.0):
    """Opens n connections that never send a request (or drip single
    bytes for drip_secs), records how long each lived until the proxy
    closed it, ends at stdin EOF."""
    ep = select.epoll()
    socks, opened, closed = {}, {}, {}
    for i in range(n):
        s = socket.socket()
        s.setblocking(False)
        try:
            s.connect((host, port))
        except BlockingIOError:
            pass
        socks[s.fileno()] = s
        ep.register(s.fileno(), select.EPOLLIN | select.EPOLLRDHUP)
        opened[s.fileno()] = time.time()
    ep.register(sys.stdin.fileno(), select.EPOLLIN)
    print(json.dumps({'opened': n}), flush=True)
    next_drip = time.time() + DRIP
    drip_end = time.time() + drip_secs
    done = False
    while not done:
        for fd, ev in ep.poll(0.2):
            if fd == sys.stdin.fileno():
                done = True
                continue
            s = socks.get(fd)
            if s is None or fd in closed:
                continue
            try:
                if s.recv(4096) != b'':
                    continue  # echo of a drip
            except BlockingIOError:
                continue
            except OSError:
                pass
            closed[fd] = time.time() - opened[fd]
            ep.unregister(fd)
        if kind == 'drip' and next_drip <= time.time() < drip_end:
            next_drip += DRIP
            for fd, s in socks.items():
                if fd not in closed:
                    try:
                        s.send(b'.')
                    except OSError:
                        pass
    life = sorted(closed.values())
    res = {'n': n, 'closed': len(closed),
           'life_min': round(life[0], 2) if life else None,
           'life_max': round(life[-1], 2) if life else None}
    for s in socks.values():
        s.close()
    return res


def resets(host, port, secs):
    """Connects, sends a little, then aborts with RST, for secs."""
    n, fails, end = 0, 0, time.time() + secs
    while time.time() < end:
        try:
            s = socket.create_connection((host, port), timeout=5)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, LINGER0)
            s.sendall(b'half a requ')
            s.close()
            n += 1
        except OSError:
            fails += 1
    return {'n': n, 'fails': fails}


def normal(host, port, secs):
    """Well-behaved clients: request, echo, close; latency per conn."""
    lat, fails, errs, end = [], 0, [], time.time() + secs
    while time.time() < end:
        t = time.time()
        try:
            with socket.create_connection((host, port), timeout=10) as s:
                s.sendall(b'hello\n')
                buf = b''
                while len(buf) < 6:
                    b = s.recv(64)
                    if not b:
                        break
                    buf += b
                if buf != b'hello\n':
                    raise OSError(errno.EPROTO, 'got %r' % buf)
            lat.append(time.time() - t)
        except OSError as e:
            fails += 1
            errs.append(str(e))
        time.sleep(0.02)
    lat.sort()
    return {'n': len(lat), 'fails': fails, 'errors': errs[:3],
            'lat_max': round(lat[-1], 3) if lat else None,
            'lat_p50': round(lat[len(lat) // 2], 4) if lat else None}


def main(argv):
    cmd, host, port = argv[1], argv[2], int(argv[3])
    if cmd in ('echo', 'reply'):
        serve(host, port, cmd)
    elif cmd == 'stream':
        serve(host, port, 'stream', argv[4].encode())
    else:
        fn = {'reqs': lambda: reqs(host, port, int(argv[4])),
              'hold': lambda: hold(host, port, int(argv[4]), argv[5],
                                   float(argv[6]) if argv[6:] else 0.0),
              'reset': lambda: resets(host, port, float(argv[4])),
              'normal': lambda: normal(host, port, float(argv[4]))}[cmd]
        print(json.dumps(fn()), flush=True)


if __name__ == '__main__':
    main(sys.argv)
