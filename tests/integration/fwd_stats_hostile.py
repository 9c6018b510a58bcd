#!/usr/bin/python3
"""fwd's status page under attack (issue #18), in a namespace of its own
with the page on 127.0.0.1; each client binds its own 127.0.0.x source.

- idle attackers (24 sources, one of them holding 10 connections) cannot
  lock the page out: an authenticated request and a /metrics scrape still
  get 200; one source keeps at most PER_SRC connections; a connection
  that sends nothing is closed after the header timeout;
- wrong passwords from one source as fast as it can: only a handful are
  checked (401), the rest refused (429, Retry-After); the log has one
  fail2ban line per checked failure, with the source address; a good
  password from another source gets 200 meanwhile; a request without
  credentials is no failure;
- request parsing: a second Authorization header -> 400, a space before
  the colon -> 400, a 1 MB header -> a readable 431 (no reset)."""

import base64
import re
import socket
import threading
import time

import fwdlab as L

AUTH = 'admin:s3cret'
PER_SRC = 4
HEAD_TIMEOUT = 3.0
N_ATTACKERS = 24


def basic(cred):
    return 'Basic ' + base64.b64encode(cred.encode()).decode()


def request(port, src, path='/metrics', cred=AUTH, extra='', timeout=5):
    """One GET from src; returns (status, head+body text)."""
    with socket.socket() as s:
        s.settimeout(timeout)
        s.bind((src, 0))
        s.connect(('127.0.0.1', port))
        head = 'GET %s HTTP/1.1\r\nHost: x\r\n' % path
        if cred:
            head += 'Authorization: %s\r\n' % basic(cred)
        s.sendall((head + extra + '\r\n').encode())
        return read_answer(s)


def read_answer(s):
    buf = b''
    while True:
        b = s.recv(65536)
        if not b:
            break
        buf += b
    text = buf.decode(errors='replace')
    m = re.match(r'HTTP/1\.1 (\d+) ', text)
    return (int(m.group(1)) if m else 0), text


def idle(port, src):
    s = socket.socket()
    s.bind((src, 0))
    s.connect(('127.0.0.1', port))
    return s


def closed_by_peer(s, timeout):
    s.settimeout(timeout)
    try:
        return s.recv(1) == b''
    except socket.timeout:
        return False
    except OSError:
        return True


def lockout(port):
    # 23 sources with one idle connection, and one with 10
    held = [idle(port, '127.0.0.%d' % (10 + i))
            for i in range(N_ATTACKERS - 1)]
    t0 = time.time()
    crowd = [idle(port, '127.0.0.9') for _ in range(10)]
    try:
        time.sleep(0.2)
        codes = []
        for i in range(5):
            codes.append(request(port, '127.0.0.2', '/metrics')[0])
            codes.append(request(port, '127.0.0.2', '/')[0])
        print('authenticated with %d idle attackers: %s' %
              (len(held) + len(crowd), codes))
        L.check(codes == [200] * 10, 'locked out: %s' % codes)
        gone = sum(closed_by_peer(s, 0.01) for s in crowd)
        L.check(gone >= 10 - PER_SRC, 'one source kept %d of 10 '
                'connections (limit %d)' % (10 - gone, PER_SRC))
        # the rest go at the header timeout
        left = [s for s in held + crowd if not closed_by_peer(s, 0.01)]
        L.check(all(closed_by_peer(s, HEAD_TIMEOUT + 1.5 -
                                   (time.time() - t0)) for s in left),
                'idle connections outlived the header timeout')
        life = time.time() - t0
        print('idle connections closed within %.1f s' % life)
        L.check(life < HEAD_TIMEOUT + 1.5, 'closed after %.1f s' % life)
    finally:
        for s in held + crowd:
            s.close()


def hammer(port, src, secs, out):
    codes = {}
    t_end = time.time() + secs
    while time.time() < t_end:
        c = request(port, src, '/', cred='admin:wrong')[0]
        codes[c] = codes.get(c, 0) + 1
    out['codes'] = codes


def brute_force(f, port):
    L.check(request(port, '127.0.0.5', '/', cred=None)[0] == 401,
            '401 without credentials')
    out = {}
    t = threading.Thread(target=hammer, args=(port, '127.0.0.3', 4, out))
    t0 = time.time()
    t.start()
    # the 7th failure, at about 1 s, starts a back-off of 2 s
    time.sleep(1.5)
    good = [request(port, '127.0.0.4', '/metrics')[0] for _ in range(5)]
    same = request(port, '127.0.0.3', '/metrics')
    t.join()
    secs = time.time() - t0
    codes = out['codes']
    checked = codes.get(401, 0)
    print('wrong passwords in %.1f s: %s (%.1f checked/s, %.0f tries/s)' %
          (secs, codes, checked / secs, sum(codes.values()) / secs))
    L.check(good == [200] * 5, 'good password from another source: %s'
            % good)
    L.check(same[0] == 429 and 'Retry-After: ' in same[1],
            'a throttled source gets 429 with Retry-After: %s' % same[0])
    L.check(set(codes) <= {401, 429} and codes.get(429, 0) > 0,
            'answers %s' % codes)
    # 5 free tries, then back-offs of 1 s and 2 s fit in 4 s (+ one)
    L.check(checked <= 9, '%d wrong passwords checked in %.1f s' %
            (checked, secs))
    lines = [l for l in f.logtext().splitlines()
             if 'stats: authentication failure from ' in l]
    print('log lines: %d, e.g. %s' % (len(lines), lines[-1:]))
    L.check(all(re.search(r'stats: authentication failure from '
                          r'127\.0\.0\.3 \(\d+ in a row', l)
                for l in lines), 'fail2ban line shape: %s' % lines)
    L.check(len(lines) == checked, '%d log lines for %d failures'
            % (len(lines), checked))


def send_huge(port, out):
    with socket.socket() as s:
        s.settimeout(5)
        s.bind(('127.0.0.6', 0))
        s.connect(('127.0.0.1', port))
        try:
            s.sendall(b'GET / HTTP/1.1\r\nX-Big: ' + b'a' * (1 << 20) +
                      b'\r\n\r\n')
            out['answer'] = read_answer(s)
        except OSError as e:
            out['error'] = e


def parsing(port):
    dup = 'Authorization: %s\r\n' % basic(AUTH)
    code = request(port, '127.0.0.7', '/', extra=dup)[0]
    L.check(code == 400, 'second Authorization header: %s' % code)
    code = request(port, '127.0.0.7', '/', extra='Host : y\r\n')[0]
    L.check(code == 400, 'space before the colon: %s' % code)
    out = {}
    send_huge(port, out)
    L.check('error' not in out, '1 MB header: %s' % out.get('error'))
    code, text = out['answer']
    L.check(code == 431 and text.endswith('request too large\n'),
            '1 MB header: %s %r' % (code, text[:60]))


def run():
    ns = L.NetNS('sth')
    f = None
    try:
        port = 8404
        bport = 8080
        f = L.Fwd('stats = { bind = "127.0.0.1:%d"; auth = "%s"; };\n'
                  'listen = { a = { bind = "127.0.0.1:8000"; server = {'
                  ' s = { address = "127.0.0.1:%d"; }; }; }; };'
                  % (port, AUTH, bport), netns=ns.name)
        with L.in_netns(ns):
            parsing(port)
            lockout(port)
            brute_force(f, port)
        L.check(f.proc.poll() is None, 'fwd died')
    finally:
        if f:
            f.close()
        ns.delete()


if __name__ == '__main__':
    L.main(run)
