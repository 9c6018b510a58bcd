#!/usr/bin/python3
"""HAProxy's runtime API on fwd's control socket, used as HAProxy's tools
use it: socat one-liners, and the CSV read the way Ansible's haproxy
module reads it (csv.DictReader after stripping '# ', a client that reads
until the socket closes). show stat's header is checked against a real
HAProxy's; set server ... state drain/maint/ready, disable/enable change
where new sessions go."""

import csv
import os
import shutil
import socket
import subprocess
import time

import fwdlab as L


def socat(sock, line):
    r = subprocess.run(['socat', 'stdio', 'unix-connect:' + sock],
                       input=line + '\n', capture_output=True, text=True,
                       timeout=10)
    return r.stdout


def until_eof(sock, line):
    """Ansible's way: send, then read until the server closes."""
    with socket.socket(socket.AF_UNIX) as s:
        s.settimeout(5)
        s.connect(sock)
        s.sendall(line.encode() + b'\n')
        buf = b''
        while True:
            b = s.recv(8192)
            if not b:
                return buf.decode()
            buf += b


def stat_rows(text):
    return list(csv.DictReader(text.lstrip('# ').splitlines()))


def row(rows, px, sv):
    for r in rows:
        if r['pxname'] == px and r['svname'] == sv:
            return r
    raise AssertionError('no row %s/%s in %s' % (px, sv, rows))


def haproxy_header():
    """The header of a real HAProxy's show stat (None without haproxy)."""
    if not shutil.which('haproxy'):
        return None
    d = L.tempfile.mkdtemp(prefix='fwdhap.')
    sock = d + '/s.sock'
    with open(d + '/h.cfg', 'w') as f:
        f.write('global\n  stats socket %s mode 600\n'
                'defaults\n  mode tcp\n  timeout connect 1s\n'
                '  timeout client 1s\n  timeout server 1s\n'
                'listen x\n  bind 127.0.0.1:%d\n  server s 127.0.0.1:%d\n'
                % (sock, L.free_port(), L.free_port()))
    p = subprocess.Popen(['haproxy', '-db', '-f', d + '/h.cfg'],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 10
        while not os.path.exists(sock) and time.time() < deadline:
            time.sleep(0.05)
        return until_eof(sock, 'show stat').splitlines()[0]
    finally:
        p.terminate()
        p.wait(10)
        shutil.rmtree(d, ignore_errors=True)


def run():
    if not shutil.which('socat'):
        print('SKIP: needs socat')
        raise SystemExit(L.SKIP)
    pa, pb, fport = L.free_port(), L.free_port(), L.free_port()
    a = L.Backend('a', '127.0.0.1', pa)
    b = L.Backend('b', '127.0.0.1', pb)
    chk = 'check = { inter = "200ms"; rise = 1; fall = 1; };'
    f = L.Fwd('''listen = { web = { bind = "127.0.0.1:%d";
        server = { a = { address = "127.0.0.1:%d"; weight = 2; %s };
                   b = { address = "127.0.0.1:%d"; %s }; }; }; };'''
              % (fport, pa, chk, pb, chk))
    try:
        f.wait_state('web', 'a', 'UP')
        time.sleep(0.5)
        for _ in range(3):
            L.ask_name('127.0.0.1', fport)
        text = socat(f.sock, 'show stat')
        ours = text.splitlines()[0]
        theirs = haproxy_header()
        if theirs:
            L.check(theirs.startswith(ours),
                    'header differs from HAProxy:\n%s\n%s' % (ours, theirs))
        rows = stat_rows(text)
        L.check([(r['pxname'], r['svname']) for r in rows] ==
                [('web', 'FRONTEND'), ('web', 'a'), ('web', 'b'),
                 ('web', 'BACKEND')], 'rows: %s' % rows)
        ra = row(rows, 'web', 'a')
        L.check(ra['status'] == 'UP' and ra['weight'] == '2' and
                ra['check_status'] == 'L4OK' and ra['type'] == '2' and
                ra['addr'] == '127.0.0.1:%d' % pa, 'a: %s' % ra)
        fe = row(rows, 'web', 'FRONTEND')
        L.check(fe['stot'] == '3' and fe['status'] == 'OPEN', 'fe: %s' % fe)
        be = row(rows, 'web', 'BACKEND')
        L.check(be['status'] == 'UP' and be['act'] == '2' and
                be['algo'] == 'roundrobin', 'be: %s' % be)
        # lastchg may tick between the two: compare what cannot
        eof = stat_rows(until_eof(f.sock, 'show stat'))
        L.check([(r['pxname'], r['svname'], r['status']) for r in eof] ==
                [(r['pxname'], r['svname'], r['status']) for r in rows],
                'a read-until-EOF client got another answer: %s' % eof)

        # drain a: no new clients
        L.check(socat(f.sock, 'set server web/a state drain') == '\n',
                'set state answer')
        L.check(row(stat_rows(socat(f.sock, 'show stat')), 'web',
                    'a')['status'] == 'DRAIN', 'a not DRAIN')
        names = [L.ask_name('127.0.0.1', fport) for _ in range(4)]
        L.check(names == ['b'] * 4, 'drained a got clients: %s' % names)
        state = socat(f.sock, 'show servers state web').splitlines()
        L.check(state[0] == '1' and state[1].startswith('# be_id be_name'),
                'servers state head: %s' % state[:2])
        fields = state[2].split()
        L.check(fields[1:5] == ['web', '1', 'a', '127.0.0.1'] and
                fields[6] == '8' and fields[18] == str(pa),
                'servers state a: %s' % fields)
        # disable b (maint), enable a: everything to a
        L.check(socat(f.sock, 'disable server web/b') == '\n', 'disable')
        L.check(socat(f.sock, 'enable server web/a') == '\n', 'enable')
        rows = stat_rows(socat(f.sock, 'show stat'))
        L.check(row(rows, 'web', 'b')['status'] == 'MAINT' and
                row(rows, 'web', 'a')['status'] == 'UP', 'after maint')
        names = [L.ask_name('127.0.0.1', fport) for _ in range(4)]
        L.check(names == ['a'] * 4, 'maint b got clients: %s' % names)
        L.check(socat(f.sock, 'set server web/b state ready') == '\n' and
                f.server('web', 'b')['state'] == 'UP', 'ready')
        # errors as HAProxy words them; two commands on one line
        L.check(socat(f.sock, 'disable server web/zz') ==
                'No such server.\n', 'unknown server')
        L.check(socat(f.sock, 'disable server nope/a') ==
                'No such backend.\n', 'unknown backend')
        both = socat(f.sock, 'show info;show servers state')
        L.check(both.startswith('Name: fwd\n') and '\nCumConns: 11\n' in
                both and '\n1 web 2 b 127.0.0.1 ' in both,
                'show info;show servers state: %r' % both)
        # the JSON protocol is untouched
        L.check(f.ctl('stats')['ok'] is True, 'stats')
    finally:
        f.close()
        a.stop()
        b.stop()


if __name__ == '__main__':
    L.main(run)
