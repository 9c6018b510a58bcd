#!/usr/bin/python3
"""Check types against real servers (issue #14), all in a namespace of
the test's own:
- tls: `openssl s_server` is UP (L6OK, days left of a 3-day certificate
  on the page and in /metrics, the expiry warning logged); killed, then
  a plain TCP listener on the same port: the tls check fails (L6RSP);
- http: python http.server with /owa/healthcheck.htm, plain (a) and
  behind a TLS front made with socat OPENSSL-LISTEN (b, ssl = true). When
  b's file goes, its 404 takes it out within `fall` checks and traffic
  goes to a only; when the file is back, b comes back;
- smtp: aiosmtpd is UP (L7OK); a socket that answers 554 is DOWN (L7STS)
  and, DOWN, is checked every downinter;
  aiosmtpd with STARTTLS required (starttls = true) and with SMTPS
  (ssl = true) are UP; starttls = true against a server that offers no
  STARTTLS is DOWN (L7RSP).
"""

import os
import re
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import urllib.request

import fwdlab as L

INTER = 0.2  # seconds
RISE, FALL = 2, 2
CHK = 'inter = "%dms"; rise = %d; fall = %d;' % (INTER * 1000, RISE, FALL)


class Procs:
    """Processes started in the namespace, killed by their own PIDs."""

    def __init__(self, ns, tmp):
        self.ns, self.tmp, self.procs = ns, tmp, {}

    def start(self, name, argv, wait_port=None):
        log = open(os.path.join(self.tmp, name + '.log'), 'w')
        p = subprocess.Popen(['ip', 'netns', 'exec', self.ns.name] + argv,
                             stdout=log, stderr=subprocess.STDOUT,
                             stdin=subprocess.DEVNULL, cwd=self.tmp)
        self.procs[name] = p
        if wait_port:
            wait_listen(self.ns, wait_port, p)
        return p

    def stop(self, name):
        p = self.procs.pop(name)
        p.kill()
        p.wait()

    def close(self):
        for name in list(self.procs):
            self.stop(name)


def wait_listen(ns, port, proc, timeout=10):
    deadline = time.time() + timeout
    with L.in_netns(ns):
        while time.time() < deadline:
            L.check(proc.poll() is None, 'server on %d exited' % port)
            try:
                socket.create_connection(('127.0.0.1', port), 1).close()
                return
            except OSError:
                time.sleep(0.05)
    raise AssertionError('nothing listens on %d' % port)


def get(ns, port, path):
    with L.in_netns(ns):
        with urllib.request.urlopen('http://127.0.0.1:%d%s' % (port, path),
                                    timeout=5) as r:
            return r.read().decode()


def wait_check(f, srv, state, status, timeout=10):
    """Waits for the server's state and last check status."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        s = f.server('app', srv)
        if s['state'] == state and s['check'].get('status') == status:
            return s
        time.sleep(0.05)
    raise AssertionError('%s: not %s/%s: %s' % (srv, state, status,
                                                f.server('app', srv)))


class Answer554:
    """A mail server that turns everyone away: '554 no service'."""

    def __init__(self, ns, port):
        with L.in_netns(ns):
            self.sock = socket.socket()
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            self.sock.bind(('127.0.0.1', port))
            self.sock.listen(16)
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        while True:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            try:
                c.sendall(b'554 5.3.2 no service here\r\n')
                c.recv(100)
            except OSError:
                pass
            c.close()

    def close(self):
        self.sock.close()


def run():
    ns = L.NetNS('ck')
    tmp = tempfile.mkdtemp(prefix='fwdcheck.')
    procs = Procs(ns, tmp)
    f = None
    stop554 = None
    try:
        cert, key = os.path.join(tmp, 'cert.pem'), os.path.join(tmp, 'key.pem')
        subprocess.run(['openssl', 'req', '-x509', '-newkey', 'rsa:2048',
                        '-nodes', '-keyout', key, '-out', cert, '-days', '3',
                        '-subj', '/CN=backend.test'], check=True,
                       capture_output=True)
        # a second older than made: under 3 days left, so 2 whole days
        time.sleep(1.1)
        for n in ('a', 'b'):
            os.makedirs(os.path.join(tmp, n, 'owa'))
            with open(os.path.join(tmp, n, 'owa', 'healthcheck.htm'),
                      'w') as fh:
                fh.write('<html>OK</html>\n')
            with open(os.path.join(tmp, n, 'name.txt'), 'w') as fh:
                fh.write(n)
        ports = dict(tls=8443, a=8001, b=8002, b_tls=8444, smtp=8025,
                     smtp554=8026, smtp_stls=8587, smtps=8465, fwd=9000,
                     stats=9001)
        procs.start('s_server', ['openssl', 's_server', '-accept',
                                 '127.0.0.1:%d' % ports['tls'], '-cert',
                                 cert, '-key', key, '-naccept', '1000000',
                                 '-quiet'], ports['tls'])
        for n in ('a', 'b'):
            procs.start('http_' + n, ['/usr/bin/python3', '-m', 'http.server',
                                      '--bind', '127.0.0.1', '--directory',
                                      os.path.join(tmp, n), str(ports[n])],
                        ports[n])
        procs.start('socat', ['socat',
                              'OPENSSL-LISTEN:%d,bind=127.0.0.1,reuseaddr,'
                              'fork,cert=%s,key=%s,verify=0'
                              % (ports['b_tls'], cert, key),
                              'TCP:127.0.0.1:%d' % ports['b']],
                    ports['b_tls'])
        procs.start('aiosmtpd', ['/usr/bin/python3', '-m', 'aiosmtpd', '-n',
                                 '-l', '127.0.0.1:%d' % ports['smtp']],
                    ports['smtp'])
        procs.start('aiosmtpd_stls', ['/usr/bin/python3', '-m', 'aiosmtpd',
                                      '-n', '-l', '127.0.0.1:%d'
                                      % ports['smtp_stls'], '--tlscert',
                                      cert, '--tlskey', key],
                    ports['smtp_stls'])
        procs.start('aiosmtpd_smtps', ['/usr/bin/python3', '-m', 'aiosmtpd',
                                       '-n', '-l', '127.0.0.1:%d'
                                       % ports['smtps'], '--smtpscert',
                                       cert, '--smtpskey', key],
                    ports['smtps'])
        stop554 = Answer554(ns, ports['smtp554'])

        f = L.Fwd('''cert_warn_days = 14;
          timeout = { check = "2s"; };
          listen = {
            app = { bind = "127.0.0.1:%(fwd)d"; retries = 1;
              redispatch = true;
              server = {
                a = { address = "127.0.0.1:%(a)d"; check = { type = "http";
                      uri = "/owa/healthcheck.htm"; %(chk)s }; };
                b = { address = "127.0.0.1:%(b)d"; check = { type = "http";
                      port = %(b_tls)d; ssl = true; sni = "backend.test";
                      verify = true; ca_file = "%(cert)s";
                      uri = "/owa/healthcheck.htm"; expect_body = "OK";
                      %(chk)s }; };
              }; };
            other = { bind = "127.0.0.1:9002";
              server = {
                tls = { address = "127.0.0.1:%(tls)d"; check = {
                        type = "tls"; %(chk)s }; };
                tlsfast = { address = "127.0.0.1:%(tls)d"; check = {
                            type = "tls"; inter = "3s"; fastinter = "100ms";
                            rise = 2; fall = 3; }; };
                mail = { address = "127.0.0.1:%(smtp)d"; check = {
                         type = "smtp"; %(chk)s }; };
                mail554 = { address = "127.0.0.1:%(smtp554)d"; check = {
                            type = "smtp"; downinter = "1s"; %(chk)s }; };
                mail_stls = { address = "127.0.0.1:%(smtp_stls)d"; check = {
                              type = "smtp"; starttls = true; %(chk)s }; };
                mail_smtps = { address = "127.0.0.1:%(smtps)d"; check = {
                               type = "smtp"; ssl = true; %(chk)s }; };
                mail_nostls = { address = "127.0.0.1:%(smtp)d"; check = {
                                type = "smtp"; starttls = true; %(chk)s };
                              };
              }; };
          };
          stats = { bind = "127.0.0.1:%(stats)d"; };''' % dict(
            ports, chk=CHK, cert=cert), netns=ns.name)

        def other(name):
            return f.server('other', name)

        def wait_other(name, state, status, timeout=10):
            deadline = time.time() + timeout
            while time.time() < deadline:
                s = other(name)
                if s['state'] == state and s['check'].get('status') == status:
                    return s
                time.sleep(0.05)
            raise AssertionError('%s: not %s/%s: %s' % (name, state, status,
                                                        other(name)))

        # --- http, plain and over TLS: both UP, traffic to both
        wait_check(f, 'a', 'UP', 'L7OK')
        sb = wait_check(f, 'b', 'UP', 'L7OK')
        L.check(sb['check']['type'] == 'http' and
                sb['check'].get('cert_days_left') == 2,
                'b over TLS: %s' % sb['check'])
        names = [get(ns, ports['fwd'], '/name.txt') for _ in range(8)]
        L.check(sorted(set(names)) == ['a', 'b'], 'before: %s' % names)

        # b's application goes: 404 through the TLS front
        os.unlink(os.path.join(tmp, 'b', 'owa', 'healthcheck.htm'))
        t0 = time.time()
        sb = wait_check(f, 'b', 'DOWN', 'L7STS')
        took = time.time() - t0
        L.check(took <= FALL * INTER + 1.0, 'b DOWN took %.2fs' % took)
        L.check(sb['check']['last'].startswith('status 404'),
                'b: %s' % sb['check'])
        L.check(re.search(r'server app/b is DOWN after 2 failed attempts '
                          r'\(L7STS status 404', f.logtext()),
                'no DOWN line with the reason:\n' + f.logtext())
        names = [get(ns, ports['fwd'], '/name.txt') for _ in range(8)]
        L.check(names == ['a'] * 8, 'after b DOWN: %s' % names)
        # a plain http server gets a 404 the same way
        os.unlink(os.path.join(tmp, 'a', 'owa', 'healthcheck.htm'))
        wait_check(f, 'a', 'DOWN', 'L7STS')
        with open(os.path.join(tmp, 'b', 'owa', 'healthcheck.htm'),
                  'w') as fh:
            fh.write('<html>OK</html>\n')
        wait_check(f, 'b', 'UP', 'L7OK')
        names = [get(ns, ports['fwd'], '/name.txt') for _ in range(4)]
        L.check(names == ['b'] * 4, 'after a DOWN, b UP: %s' % names)
        # a body that does not hold expect_body is a mismatch
        with open(os.path.join(tmp, 'b', 'owa', 'healthcheck.htm'),
                  'w') as fh:
            fh.write('<html>maintenance</html>\n')
        sb = wait_check(f, 'b', 'DOWN', 'L7RSP')
        L.check('body mismatch' in sb['check']['last'], sb['check'])

        # --- tls: s_server UP, certificate days on the page and metrics
        st = wait_other('tls', 'UP', 'L6OK')
        L.check(st['check'].get('cert_days_left') == 2, st['check'])
        page = get(ns, ports['stats'], '/')
        L.check('cert 2 days left' in page, 'page has no days left')
        metrics = get(ns, ports['stats'], '/metrics')
        L.check('fwd_server_cert_days_left{listener="other",server="tls"} 2'
                in metrics, 'metrics: no days left')
        L.check(re.search(r'fwd_server_check_duration_seconds\{listener='
                          r'"other",server="tls"\} [0-9.]+', metrics),
                'metrics: no check duration')
        L.check('fwd_server_check_status{listener="app",server="b",'
                'status="L7RSP"} 1' in metrics, 'metrics: no check status')
        L.check(re.search(r'server other/tls: its TLS certificate expires '
                          r'in 2 days \(cert_warn_days 14\)', f.logtext()),
                'no expiry warning:\n' + f.logtext())
        L.check(len(re.findall('other/tls: its TLS certificate',
                               f.logtext())) == 1,
                'expiry warned more than once a day')
        # killed, then a plain TCP listener on the same port
        procs.stop('s_server')
        with L.in_netns(ns):
            plain = L.Backend('plain', '127.0.0.1', ports['tls'])
        t0 = time.time()
        try:
            st = wait_other('tls', 'DOWN', 'L6RSP')
            L.check('TLS handshake failed' in st['check']['last'],
                    st['check'])
            # fastinter: after the first failure (within inter = 3 s) the
            # next two come 100 ms apart, not 3 s
            wait_other('tlsfast', 'DOWN', 'L6RSP')
            took = time.time() - t0
            L.check(took < 4.5, 'fall 3 with fastinter took %.1fs' % took)
        finally:
            plain.stop()

        # --- smtp: aiosmtpd UP, a 554 banner DOWN
        wait_other('mail', 'UP', 'L7OK')
        s5 = wait_other('mail554', 'DOWN', 'L7STS')
        L.check(s5['check']['last'] == 'banner: 554 5.3.2 no service here',
                s5['check'])
        # downinter: once DOWN it is checked every 1 s, not every 200 ms
        n0 = s5['check']['fail']
        time.sleep(3)
        n = other('mail554')['check']['fail'] - n0
        L.check(2 <= n <= 4, 'downinter 1s: %d checks in 3 s' % n)
        s = wait_other('mail_stls', 'UP', 'L7OK')
        L.check(s['check'].get('cert_days_left') == 2, s['check'])
        wait_other('mail_smtps', 'UP', 'L7OK')
        s = wait_other('mail_nostls', 'DOWN', 'L7RSP')
        L.check(s['check']['last'] == 'EHLO: STARTTLS not offered',
                s['check'])
    finally:
        if stop554:
            stop554.close()
        procs.close()
        if f:
            f.close()
        ns.delete()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == '__main__':
    L.main(run)
