#!/usr/bin/python3
"""PROXY protocol against real peers. To nginx-light (listen ...
proxy_protocol, logging $proxy_protocol_addr): send_proxy v1 and v2 carry
the client's address and port; check.send_proxy checks send a LOCAL
header nginx accepts. From HAProxy (send-proxy-v2, send-proxy) to a
listener with accept_proxy: fwd's session log and a forwarded header show
the original client. To HAProxy (bind ... accept-proxy): it logs our
client. A client without a header is closed and counted as proxy_header."""

import os
import shutil
import socket
import subprocess
import time

import fwdlab as L

CLIENT = '127.0.0.5'


def http_get(port, src=CLIENT):
    with socket.socket() as s:
        s.settimeout(5)
        s.bind((src, 0))
        s.connect(('127.0.0.1', port))
        me = s.getsockname()[1]
        s.sendall(b'GET /x HTTP/1.0\r\nHost: t\r\n\r\n')
        return me, L.recv_all(s)


def wait_for(fn, what, timeout=5):
    deadline = time.time() + timeout
    while time.time() < deadline:
        v = fn()
        if v:
            return v
        time.sleep(0.05)
    raise AssertionError('timed out waiting for ' + what)


def port_up(p):
    try:
        socket.create_connection(('127.0.0.1', p), timeout=1).close()
        return True
    except OSError:
        return False


def read(path):
    try:
        with open(path) as f:
            return f.read()
    except FileNotFoundError:
        return ''


def run():
    if not os.path.exists('/usr/sbin/nginx') or not shutil.which('haproxy'):
        print('SKIP: needs nginx-light and haproxy (scripts/deps)')
        raise SystemExit(L.SKIP)
    d = L.tempfile.mkdtemp(prefix='fwdpp.')
    ng1, ng2, hap_in, hap_out, b_port = [L.free_port() for _ in range(5)]
    f1, f2, facc, fplain, fchain = [L.free_port() for _ in range(5)]
    ftohap, hap_acc = L.free_port(), L.free_port()
    with open(d + '/nginx.conf', 'w') as fh:
        fh.write('''daemon off; master_process off; pid %s/nginx.pid;
error_log %s/nginx.err info;
events { worker_connections 64; }
http {
  log_format pp '$proxy_protocol_addr $proxy_protocol_port $server_port';
  access_log %s/access.log pp;
  server { listen 127.0.0.1:%d proxy_protocol;
           listen 127.0.0.1:%d proxy_protocol;
           location / { return 200 "ok $proxy_protocol_addr\\n"; } }
}
''' % (d, d, d, ng1, ng2))
    procs = [subprocess.Popen(['/usr/sbin/nginx', '-c', d + '/nginx.conf',
                               '-p', d], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)]
    b = L.Backend('b', '127.0.0.1', b_port)
    f = None
    try:
        for p in (ng1, ng2):
            wait_for(lambda p=p: port_up(p), 'nginx on %d' % p)
        f = L.Fwd('''listen = {
          v1 = { bind = "127.0.0.1:%d"; server = { n = {
            address = "127.0.0.1:%d"; send_proxy = "v1"; }; }; };
          v2 = { bind = "127.0.0.1:%d"; server = { n = {
            address = "127.0.0.1:%d"; send_proxy = "v2";
            check = { inter = "200ms"; send_proxy = true; }; }; }; };
          acc = { bind = "127.0.0.1:%d"; accept_proxy = true; log = true;
            stick = { on = "src"; };
            server = { b = { address = "127.0.0.1:%d"; }; }; };
          chain = { bind = "127.0.0.1:%d"; accept_proxy = true;
            server = { n = { address = "127.0.0.1:%d";
                             send_proxy = "v1"; }; }; };
          plain = { bind = "127.0.0.1:%d"; accept_proxy = true;
            server = { b = { address = "127.0.0.1:%d"; }; }; };
          tohap = { bind = "127.0.0.1:%d"; server = { h = {
            address = "127.0.0.1:%d"; send_proxy = "v2"; }; }; };
        };''' % (f1, ng1, f2, ng2, facc, b_port, fchain, ng1, fplain,
                 b_port, ftohap, hap_acc))
        # to nginx, v1 and v2: nginx sees our client, not fwd
        for port, ng in ((f1, ng1), (f2, ng2)):
            me, reply = http_get(port)
            L.check(reply.endswith(b'ok 127.0.0.5\n'),
                    'nginx answered %r' % reply)
            want = '%s %d %d' % (CLIENT, me, ng)
            wait_for(lambda w=want: w in read(d + '/access.log'),
                     'nginx log line %r in:\n%s' % (
                         want, read(d + '/access.log')))
        # check.send_proxy: LOCAL headers, nginx reads them without error
        time.sleep(0.6)
        st = f.server('v2', 'n')
        L.check(st['check']['ok'] >= 2 and st['check']['fail'] == 0,
                'checks: %s' % st['check'])
        L.check('broken header' not in read(d + '/nginx.err'),
                'nginx: broken header:\n' + read(d + '/nginx.err'))

        # from HAProxy: it adds the header, fwd reads it
        with open(d + '/haproxy.cfg', 'w') as fh:
            fh.write('''global
  log stdout format raw local0
defaults
  mode tcp
  log global
  option tcplog
  log-format "hap %%ci:%%cp"
  timeout connect 5s
  timeout client 30s
  timeout server 30s
listen in2
  bind 127.0.0.1:%d
  server fwd 127.0.0.1:%d send-proxy-v2
listen in1
  bind 127.0.0.1:%d
  server fwd 127.0.0.1:%d send-proxy
listen out
  bind 127.0.0.1:%d accept-proxy
  server b 127.0.0.1:%d
''' % (hap_in, facc, hap_out, fchain, hap_acc, b_port))
        hap_log = open(d + '/haproxy.log', 'w')
        procs.append(subprocess.Popen(['haproxy', '-db', '-f',
                                       d + '/haproxy.cfg'],
                                      stdout=hap_log, stderr=hap_log))
        wait_for(lambda: port_up(hap_in), 'haproxy')
        with socket.socket() as s:
            s.settimeout(5)
            s.bind((CLIENT, 0))
            s.connect(('127.0.0.1', hap_in))
            me = '%s:%d' % s.getsockname()
            L.check(L.read_line(s) == 'b', 'through haproxy: no name')
        line = wait_for(lambda: [x for x in f.logtext().splitlines()
                                 if 'session ' + me + ' acc:' in x],
                        'fwd log line for %s:\n%s' % (me, f.logtext()))
        L.check(' b ' in line[0], 'log: %s' % line)
        # HAProxy v1 -> fwd -> v1 -> nginx: the original client all along
        me, reply = http_get(hap_out)
        L.check(reply.endswith(b'ok 127.0.0.5\n'), 'chain: %r' % reply)
        want = '%s %d %d' % (CLIENT, me, ng1)
        wait_for(lambda: want in read(d + '/access.log'),
                 'chained log line %r' % want)

        # to HAProxy's accept-proxy: it logs our client
        with socket.socket() as s:
            s.settimeout(5)
            s.bind((CLIENT, 0))
            s.connect(('127.0.0.1', ftohap))
            me = '%s:%d' % s.getsockname()
            L.check(L.read_line(s) == 'b', 'to haproxy: no name')
        wait_for(lambda: 'hap ' + me in read(d + '/haproxy.log'),
                 'haproxy log line for %s:\n%s' % (
                     me, read(d + '/haproxy.log')))

        # no header: closed, counted under its own reason
        before = b.accepted
        with socket.socket() as s:
            s.settimeout(5)
            s.connect(('127.0.0.1', fplain))
            s.sendall(b'GET / HTTP/1.0\r\n\r\n')
            try:
                L.check(s.recv(100) == b'', 'plain client got an answer')
            except ConnectionResetError:
                pass
        lst = [x for x in f.stats()['listeners'] if x['name'] == 'plain']
        L.check(lst[0]['ends']['proxy_header'] == 1 and
                b.accepted == before,
                'ends %s, back end accepted %d' % (lst[0]['ends'],
                                                    b.accepted - before))
        L.check('no PROXY header' in f.logtext(), 'no warning logged')
    finally:
        if f:
            f.close()
        for p in procs:
            L.stop_proc(p)
        b.stop()
        shutil.rmtree(d, ignore_errors=True)


if __name__ == '__main__':
    L.main(run)
