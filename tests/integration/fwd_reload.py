#!/usr/bin/python3
"""Reload without loss (docs/reload.md): fwd runs as nobody; 4 clients
open a new connection per request during 20 reloads (SIGHUP and
`vrrpctl reload` in turn) and none is refused or cut; a transfer started
before the reloads arrives intact; the listening socket keeps its fd; an
operator's `disable` survives; an added server gets clients; a removed
one gets none while its open connection goes on; a new section binds a
port below 1024 (CAP_NET_BIND_SERVICE kept, nothing else); a broken file
is rejected with FILE:LINE and the old configuration keeps serving."""

import hashlib
import json
import os
import re
import signal
import socket
import subprocess
import threading
import time

import fwdlab as L

VRRPCTL = L.VRRPCTL
RELOADS = 20


def conf_body(fport, servers, extra='', balance='roundrobin'):
    srv = ' '.join('%s = { address = "127.0.0.1:%d"; check = { inter = '
                   '"200ms"; }; };' % (n, p) for n, p in servers)
    return ('user = "nobody"; group = "nogroup";\n'
            'vrrpd_socket = "";\n'
            'listen = {\n  a = { bind = "127.0.0.1:%d"; balance = "%s";\n'
            '    server = { %s };\n  };\n%s};\n'
            % (fport, balance, srv, extra))


def write_conf(f, body):
    tmp = f.conf + '.new'
    with open(tmp, 'w') as fh:
        fh.write(L.forwarder_conf(f.sock, body=body))
    os.chmod(tmp, 0o644)
    os.rename(tmp, f.conf)  # as an editor would: a new file


def vrrpctl_reload(f):
    r = subprocess.run([VRRPCTL, '-s', f.sock, 'reload'],
                       capture_output=True, text=True, timeout=10)
    return r.returncode, r.stdout, r.stderr


def reload_ok(f, how):
    if how == 'hup':
        before = f.logtext().count('reload done:')
        f.proc.send_signal(signal.SIGHUP)
        deadline = time.time() + 5
        while f.logtext().count('reload done:') == before:
            L.check(time.time() < deadline and
                    'reload failed' not in f.logtext(),
                    'SIGHUP reload did not finish:\n' + f.logtext()[-2000:])
            time.sleep(0.02)
        return None
    rc, out, err = vrrpctl_reload(f)
    L.check(rc == 0, 'vrrpctl reload: %d %s %s' % (rc, out, err))
    return out


def listen_fd(pid, port):
    """(fd number, socket inode) of pid's listener on 127.0.0.1:port."""
    want = '0100007F:%04X' % port
    inode = None
    with open('/proc/%d/net/tcp' % pid) as fh:
        for line in fh.readlines()[1:]:
            w = line.split()
            if w[1] == want and w[3] == '0A':
                inode = w[9]
    L.check(inode, 'nothing listens on port %d' % port)
    for fd in os.listdir('/proc/%d/fd' % pid):
        try:
            if os.readlink('/proc/%d/fd/%s' % (pid, fd)) == \
                    'socket:[%s]' % inode:
                return int(fd), inode
        except OSError:
            pass
    raise AssertionError('fwd has no fd for socket %s' % inode)


def hammer(port, stop, stats):
    """New connection per request until stop; counts and errors."""
    while not stop.is_set():
        try:
            with socket.create_connection(('127.0.0.1', port),
                                          timeout=5) as s:
                name = L.read_line(s)
                s.sendall(b'hi\n')
                L.check(name and L.read_line(s) == 'hi', 'no echo')
            with stats['lock']:
                stats['ok'] += 1
        except (OSError, AssertionError) as e:
            with stats['lock']:
                stats['fail'] += 1
                stats['errors'].append(repr(e))


def long_transfer(port, stop):
    """Streams data through an echo until stop, then checks it all came
    back: returns (bytes sent, sent digest, received digest)."""
    s = socket.create_connection(('127.0.0.1', port), timeout=10)
    L.read_line(s)
    got = hashlib.sha256()
    box = {'n': 0}

    def reader():
        while True:
            b = s.recv(1 << 16)
            if not b:
                return
            box['n'] += len(b)
            got.update(b)
    t = threading.Thread(target=reader, daemon=True)
    t.start()
    sent = hashlib.sha256()
    n, i = 0, 0
    while not stop.is_set() or n < (4 << 20):
        chunk = hashlib.sha256(b'%d' % i).digest() * 2048  # 64 KiB
        s.sendall(chunk)
        sent.update(chunk)
        n += len(chunk)
        i += 1
        time.sleep(0.005)
    s.shutdown(socket.SHUT_WR)
    t.join(20)
    s.close()
    return n, box['n'], sent.hexdigest(), got.hexdigest()


def low_port():
    for p in range(900, 1000):
        with socket.socket() as s:
            try:
                s.bind(('127.0.0.1', p))
                return p
            except OSError:
                continue
    raise AssertionError('no free port below 1024')


def names(port, n):
    return [L.ask_name('127.0.0.1', port) for _ in range(n)]


def run():
    fport = L.free_port()
    ports = {n: L.free_port() for n in ('be1', 'be2', 'be3')}
    bes = {n: L.Backend(n, '127.0.0.1', p) for n, p in ports.items()}
    two = [('be1', ports['be1']), ('be2', ports['be2'])]
    f = L.Fwd(conf_body(fport, two))
    try:
        os.chmod(f.dir, 0o755)  # nobody re-reads the file
        os.chmod(f.conf, 0o644)
        pid = f.proc.pid
        with open('/proc/%d/status' % pid) as fh:
            st = dict(l.split(':', 1) for l in fh)
        L.check(st['CapEff'].strip() == '0000000000000400' and
                st['CapPrm'].strip() == '0000000000000400',
                'capabilities: eff %s prm %s' % (st['CapEff'], st['CapPrm']))
        fd0 = listen_fd(pid, fport)

        # --- 20 reloads under load ----------------------------------
        stop, tstop = threading.Event(), threading.Event()
        stats = {'ok': 0, 'fail': 0, 'errors': [], 'lock': threading.Lock()}
        hs = [threading.Thread(target=hammer, args=(fport, stop, stats),
                               daemon=True) for _ in range(4)]
        for h in hs:
            h.start()
        tt, tbox = L.run_in_thread(long_transfer, fport, tstop)
        time.sleep(0.3)
        for i in range(RELOADS):
            write_conf(f, conf_body(fport, two, balance=(
                'leastconn' if i % 2 else 'roundrobin')))
            reload_ok(f, 'hup' if i % 2 == 0 else 'ctl')
            time.sleep(0.1)
        time.sleep(0.3)
        stop.set()
        tstop.set()
        for h in hs:
            h.join(10)
        tt.join(30)
        L.check(stats['fail'] == 0, '%d of %d connections failed during '
                'reloads: %s' % (stats['fail'], stats['ok'] + stats['fail'],
                                 stats['errors'][:5]))
        L.check(stats['ok'] > 100, 'only %d connections' % stats['ok'])
        L.check('value' in tbox, 'transfer: %s' % tbox.get('error'))
        n, back, h_sent, h_got = tbox['value']
        L.check(back == n and h_sent == h_got,
                'transfer across reloads: sent %d, got back %d' % (n, back))
        L.check(listen_fd(pid, fport) == fd0,
                'listening socket changed: %s -> %s'
                % (fd0, listen_fd(pid, fport)))
        print('%d connections, %d bytes echoed, %d reloads, fd %d kept'
              % (stats['ok'], n, RELOADS, fd0[0]))

        # --- admin state survives; an added server gets clients --------
        L.check(f.ctl('server a/be2 disable')['ok'], 'disable')
        three = two + [('be3', ports['be3'])]
        write_conf(f, conf_body(fport, three))
        out = reload_ok(f, 'ctl')
        srv = json.loads(out)['servers']
        L.check(srv == {'kept': ['a/be1', 'a/be2'], 'changed': [],
                        'added': ['a/be3'], 'removed': []},
                'summary: %s' % out)
        L.check(f.server('a', 'be2')['admin'] == 'MAINT',
                'disable lost on reload')
        got = names(fport, 20)
        L.check('be3' in got and 'be2' not in got, 'added: %s' % got)
        L.check(f.ctl('server a/be2 enable')['ok'], 'enable')

        # --- a removed server: no new clients, its session goes on ----
        held = None
        for _ in range(30):
            s = socket.create_connection(('127.0.0.1', fport), timeout=5)
            if L.read_line(s) == 'be3':
                held = s
                break
            s.close()
        L.check(held, 'no connection reached be3')
        write_conf(f, conf_body(fport, two))
        out = reload_ok(f, 'ctl')
        js = json.loads(out)
        L.check(js['servers']['removed'] == ['a/be3'] and
                js['retired_sessions'] == 1, 'summary: %s' % out)
        before = bes['be3'].accepted
        got = names(fport, 20)
        L.check('be3' not in got and bes['be3'].accepted == before,
                'removed server still gets clients: %s' % got)
        held.sendall(b'still there\n')
        L.check(L.read_line(held) == 'still there',
                'the removed server\'s session was cut')
        held.close()
        deadline = time.time() + 5
        while 'freeing it' not in f.logtext().split('"removed":["a/be3"]')[-1]:
            L.check(time.time() < deadline,
                    'old configuration never freed after its last session')
            time.sleep(0.1)

        # --- a new section on a port below 1024, as nobody ------------
        lport = low_port()
        extra = ('  b = { bind = "127.0.0.1:%d"; server = { be1 = { '
                 'address = "127.0.0.1:%d"; }; }; };\n'
                 % (lport, ports['be1']))
        write_conf(f, conf_body(fport, two, extra))
        out = reload_ok(f, 'ctl')
        js = json.loads(out)
        L.check(js['listeners']['kept'] == ['a'] and
                js['listeners']['added'] == ['b'] and
                js['binds']['added'] == ['127.0.0.1:%d' % lport],
                'summary %s' % out)
        L.check(L.ask_name('127.0.0.1', lport) == 'be1',
                'new section on port %d does not serve' % lport)

        # --- a broken file is rejected, the old one keeps serving -----
        body = conf_body(fport, two, extra).replace(
            'balance = "roundrobin";', 'balance = "roundrobin"; retires = 2;')
        write_conf(f, body)
        with open(f.conf) as fh:
            line = 1 + [i for i, l in enumerate(fh) if 'retires' in l][0]
        rc, out, err = vrrpctl_reload(f)
        L.check(rc == 1 and '"ok":false' in out, 'broken file: %s' % out)
        want = '%s:%d: unknown key \'retires\'' % (f.conf, line)
        js = json.loads(out)
        L.check(any(e.startswith(want) for e in js['errors']) and
                js['error'].startswith(want) and want in f.logtext() and
                want in err, 'no FILE:LINE error (%s) in %s %s'
                % (want, out, err))
        f.proc.send_signal(signal.SIGHUP)
        time.sleep(0.3)
        L.check(len(re.findall('reload failed', f.logtext())) == 2,
                'SIGHUP with a broken file not rejected')
        L.check(L.ask_name('127.0.0.1', lport) == 'be1' and
                L.ask_name('127.0.0.1', fport) in ('be1', 'be2'),
                'old configuration stopped serving')
        L.check(listen_fd(pid, fport) == fd0, 'listening socket changed')
        L.check(f.stop() == 0, 'exit code')
    finally:
        f.close()
        for b in bes.values():
            b.stop()


if __name__ == '__main__':
    L.main(run)
