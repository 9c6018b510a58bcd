#!/usr/bin/python3
"""listen.NAME.log: one line per session, checked field by field against
what the client saw (its own address and port, bytes each way, how long
it stayed, who closed). Each way of ending gets its word; a log that
stalls (a pipe nobody reads) loses lines, counted, and never slows the
sessions."""

import json
import os
import re
import socket
import subprocess
import tempfile
import threading
import time

import fwdlab as L

LINE = re.compile(
    r'session (?P<client>\S+) (?P<listen>[^:\s]+):(?P<lport>\d+) '
    r'(?P<server>\S+) wait=(?P<wait>-?\d+) connect=(?P<connect>-?\d+) '
    r'total=(?P<total>\d+) up=(?P<up>\d+) down=(?P<down>\d+) '
    r'retries=(?P<retries>\d+) redispatches=(?P<redispatches>\d+) '
    r'end=(?P<end>\S+)$')


def closer(port):
    """A back end that says bye and closes first."""
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(('127.0.0.1', port))
    s.listen(16)

    def serve():
        while True:
            try:
                c, _ = s.accept()
            except OSError:
                return
            c.sendall(b'bye\n')
            c.close()
    threading.Thread(target=serve, daemon=True).start()
    return s


def lines_for(f, client):
    out = []
    for text in f.logtext().splitlines():
        m = LINE.search(text)
        if m and m.group('client') == client:
            out.append(m.groupdict())
    return out


def wait_line(f, client, timeout=5):
    deadline = time.time() + timeout
    while time.time() < deadline:
        got = lines_for(f, client)
        if got:
            L.check(len(got) == 1, 'several lines for %s: %s' % (client, got))
            return got[0]
        time.sleep(0.05)
    raise AssertionError('no log line for %s:\n%s' % (client, f.logtext()))


def run():
    pb, pc, dead = L.free_port(), L.free_port(), L.free_port()
    pweb, pbye, pdead, pnone, pidle, pquiet = [L.free_port()
                                               for _ in range(6)]
    b = L.Backend('b', '127.0.0.1', pb)
    bye = closer(pc)
    f = L.Fwd('''listen = {
        web = { bind = "127.0.0.1:%d"; log = true;
          server = { b = { address = "127.0.0.1:%d"; }; }; };
        bye = { bind = "127.0.0.1:%d"; log = true;
          server = { c = { address = "127.0.0.1:%d"; }; }; };
        dead = { bind = "127.0.0.1:%d"; log = true; retries = 1;
          server = { gone = { address = "127.0.0.1:%d"; }; }; };
        none = { bind = "127.0.0.1:%d"; log = true;
          server = { off = { address = "127.0.0.1:%d"; disabled = true;
                     }; }; };
        idle = { bind = "127.0.0.1:%d"; log = true;
          timeout = { client = "300ms"; };
          server = { b = { address = "127.0.0.1:%d"; }; }; };
        quiet = { bind = "127.0.0.1:%d";
          server = { b = { address = "127.0.0.1:%d"; }; }; };
      };''' % (pweb, pb, pbye, pc, pdead, dead, pnone, pb, pidle, pb,
               pquiet, pb))
    try:
        # client closes after an exchange
        t0 = time.time()
        s = socket.create_connection(('127.0.0.1', pweb), timeout=5)
        me = '%s:%d' % s.getsockname()
        sent = b'hello fwd\n'
        s.sendall(sent)
        got = b''
        while len(got) < 2 + len(sent):
            got += s.recv(100)
        time.sleep(0.3)
        s.close()
        elapsed = (time.time() - t0) * 1000
        r = wait_line(f, me)
        L.check(r['listen'] == 'web' and int(r['lport']) == pweb and
                r['server'] == 'b', 'who: %s' % r)
        L.check(int(r['up']) == len(sent) and int(r['down']) == len(got),
                'bytes %s/%s, client sent %d got %d' % (
                    r['up'], r['down'], len(sent), len(got)))
        # fwd's clock starts after the client's connect and stops before
        # its close is seen: total within what the client measured
        L.check(300 <= int(r['total']) <= elapsed + 100,
                'total %s ms, client saw %.0f' % (r['total'], elapsed))
        L.check(0 <= int(r['wait']) <= int(r['total']) and
                0 <= int(r['connect']) <= int(r['total']),
                'wait/connect %s/%s' % (r['wait'], r['connect']))
        L.check(r['retries'] == '0' and r['redispatches'] == '0' and
                r['end'] == 'client_close', 'end: %s' % r)

        # server closes first
        s = socket.create_connection(('127.0.0.1', pbye), timeout=5)
        me = '%s:%d' % s.getsockname()
        L.check(L.read_line(s) == 'bye', 'no bye')
        s.settimeout(5)
        L.check(s.recv(10) == b'', 'server did not close')
        s.close()
        r = wait_line(f, me)
        L.check(r['server'] == 'c' and r['up'] == '0' and r['down'] == '4'
                and r['end'] == 'server_close', 'server close: %s' % r)

        # connect refused, one retry
        s = socket.create_connection(('127.0.0.1', pdead), timeout=5)
        me = '%s:%d' % s.getsockname()
        s.settimeout(5)
        try:
            L.check(s.recv(10) == b'', 'dead listener answered')
        except ConnectionResetError:
            pass
        s.close()
        r = wait_line(f, me)
        L.check(r['server'] == 'gone' and r['retries'] == '1' and
                r['connect'] == '-1' and
                r['end'] == 'connect_failed:ECONNREFUSED',
                'connect failed: %s' % r)

        # no server to take it
        s = socket.create_connection(('127.0.0.1', pnone), timeout=5)
        me = '%s:%d' % s.getsockname()
        s.close()
        r = wait_line(f, me)
        L.check(r['server'] == '-(none_ready)' and r['end'] == 'no_server'
                and r['wait'] == '-1', 'no server: %s' % r)

        # idle client
        s = socket.create_connection(('127.0.0.1', pidle), timeout=5)
        me = '%s:%d' % s.getsockname()
        L.check(L.read_line(s) == 'b', 'idle: no name')
        s.settimeout(5)
        try:
            s.recv(10)
        except ConnectionResetError:
            pass
        s.close()
        r = wait_line(f, me)
        L.check(r['end'] == 'client_timeout' and r['down'] == '2' and
                300 <= int(r['total']) <= 1500, 'client timeout: %s' % r)

        # a listener without log = true says nothing
        s = socket.create_connection(('127.0.0.1', pquiet), timeout=5)
        me = '%s:%d' % s.getsockname()
        L.read_line(s)
        s.close()
        time.sleep(0.3)
        L.check(lines_for(f, me) == [], 'quiet listener logged')
        st = f.stats()
        web = [x for x in st['listeners'] if x['name'] == 'web'][0]
        L.check(web['ends']['client_close'] == 1, 'ends: %s' % web['ends'])
        L.check(st['log_lines'] == 5 and st['log_dropped'] == 0,
                'log counters %s/%s' % (st['log_lines'], st['log_dropped']))
        # a reload keeps the per-listener counts by ending
        L.check(f.ctl('reload')['ok'], 'reload failed')
        web = [x for x in f.stats()['listeners'] if x['name'] == 'web'][0]
        L.check(web['ends']['client_close'] == 1,
                'ends after reload: %s' % web['ends'])
    finally:
        f.close()
        b.stop()
        bye.close()
    stalled_log(pb)


def ctl_stats(sock):
    with socket.socket(socket.AF_UNIX) as c:
        c.settimeout(5)
        c.connect(sock)
        c.sendall(b'stats\n')
        buf = b''
        while not buf.endswith(b'\n'):
            buf += c.recv(65536)
    return json.loads(buf)


def stalled_log(pb):
    """fwd's stderr is a pipe nobody reads: sessions go on, lines drop."""
    port = L.free_port()
    d = tempfile.mkdtemp(prefix='fwdtest.')
    sock = os.path.join(d, 'ctl.sock')
    conf = os.path.join(d, 'fwd.conf')
    with open(conf, 'w') as fh:
        fh.write(L.forwarder_conf(sock, listen={"web": {
            "bind": "127.0.0.1:%d" % port, "log": True,
            "server": {"b": {"address": "127.0.0.1:%d" % pb}}}}))
    b = L.Backend('b', '127.0.0.1', pb)
    rfd, wfd = os.pipe()
    p = subprocess.Popen([L.FWD, '-n', '-f', conf], stdout=wfd, stderr=wfd)
    os.close(wfd)
    try:
        deadline = time.time() + 10
        while not os.path.exists(sock):
            L.check(time.time() < deadline and p.poll() is None,
                    'fwd did not start')
            time.sleep(0.05)
        t0 = time.time()
        n = 3000  # ~150 bytes a line: far more than a pipe and the buffer
        for _ in range(n):
            L.check(L.ask_name('127.0.0.1', port, timeout=2) == 'b',
                    'session failed while the log stalls')
        took = time.time() - t0
        deadline = time.time() + 5
        while True:  # the last sessions may still be closing
            st = ctl_stats(sock)
            if (st['log_lines'] + st['log_dropped'] == n or
                    time.time() > deadline):
                break
            time.sleep(0.05)
        L.check(st['log_dropped'] > 0 and
                st['log_lines'] + st['log_dropped'] == n,
                'lines %d dropped %d of %d' % (st['log_lines'],
                                               st['log_dropped'], n))
        print('stalled log: %d sessions in %.1fs, %d lines dropped'
              % (n, took, st['log_dropped']))
    finally:
        os.close(rfd)  # a blocked writer gets EPIPE
        L.stop_proc(p)
        b.stop()
        subprocess.run(['rm', '-rf', d], check=False)


if __name__ == '__main__':
    L.main(run)
