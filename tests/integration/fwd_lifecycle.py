#!/usr/bin/python3
"""The command line and SIGTERM: -t accepts a good file and rejects a bad
one with FILE:LINE; SIGTERM stops accepting but lets an open session
finish, and exits 0; past the grace period sessions are cut."""

import os
import socket
import subprocess
import tempfile
import time

import fwdlab as L


def config_check():
    d = tempfile.mkdtemp(prefix='fwdtest.')
    try:
        good, bad = os.path.join(d, 'good.conf'), os.path.join(d, 'bad.conf')
        with open(good, 'w') as f:
            f.write('forwarder = { listen = { a = { bind = "127.0.0.1:1"; '
                    'server = { s = { address = "127.0.0.1:2"; }; }; }; };'
                    ' };\n')
        with open(bad, 'w') as f:
            f.write('forwarder = {\n  listen = { a = { bind = "127.0.0.1:1";'
                    '\n  server = { s = { address = "127.0.0.1:2"; weigth = '
                    '1; }; }; }; };\n};\n')
        r = subprocess.run([L.FWD, '-t', '-f', good], capture_output=True,
                           text=True)
        L.check(r.returncode == 0, '-t good: %d %s' % (r.returncode,
                                                       r.stderr))
        r = subprocess.run([L.FWD, '-t', '-f', bad], capture_output=True,
                           text=True)
        L.check(r.returncode == 1, '-t bad returned %d' % r.returncode)
        L.check(r.stderr == "%s:3: unknown key 'weigth' (did you mean "
                "'weight'?)\nfwd: %s: configuration has errors\n"
                % (bad, bad), '-t bad said %r' % r.stderr)
    finally:
        subprocess.run(['rm', '-rf', d])


def sigterm(grace_ms, hold_s):
    bport, fport = L.free_port(), L.free_port()
    be = L.Backend('be', '127.0.0.1', bport)
    f = L.Fwd('grace = "%dms"; listen = { a = { bind = "127.0.0.1:%d"; '
              'server = { s = { address = "127.0.0.1:%d"; }; }; }; };'
              % (grace_ms, fport, bport))
    try:
        c = socket.create_connection(('127.0.0.1', fport), timeout=5)
        L.check(L.read_line(c) == 'be', 'not served')
        t0 = time.time()
        f.proc.terminate()
        time.sleep(0.3)
        L.check(f.proc.poll() is None, 'exited with a session open')
        try:
            socket.create_connection(('127.0.0.1', fport), timeout=1)
            raise AssertionError('still accepting after SIGTERM')
        except ConnectionRefusedError:
            pass
        # the open session still works
        c.sendall(b'ping\n')
        L.check(L.read_line(c) == 'ping', 'session broken by SIGTERM')
        if hold_s:
            time.sleep(hold_s)
        else:
            # past the grace period fwd cuts the session itself
            c.settimeout(5)
            L.check(c.recv(10) == b'', 'session not closed at grace end')
        c.close()
        rc = f.proc.wait(10)
        return rc, time.time() - t0
    finally:
        f.close()
        be.stop()


def drop_root():
    """user/group: binds as root, then runs as nobody:nogroup."""
    import grp
    import pwd
    uid, gid = pwd.getpwnam('nobody').pw_uid, grp.getgrnam('nogroup').gr_gid
    bport, fport = L.free_port(), L.free_port()
    be = L.Backend('be', '127.0.0.1', bport)
    f = L.Fwd('user = "nobody"; group = "nogroup"; listen = { a = { bind = '
              '"127.0.0.1:%d"; server = { s = { address = "127.0.0.1:%d"; '
              'check = { inter = "200ms"; }; }; }; }; };' % (fport, bport))
    try:
        with open('/proc/%d/status' % f.proc.pid) as st:
            ids = {l.split(':')[0]: l.split()[1:]
                   for l in st if l.startswith(('Uid', 'Gid', 'Groups'))}
        L.check(ids['Uid'] == [str(uid)] * 4, 'uids %s' % ids['Uid'])
        L.check(ids['Gid'] == [str(gid)] * 4, 'gids %s' % ids['Gid'])
        L.check(ids['Groups'] == [str(gid)], 'groups %s' % ids['Groups'])
        L.check(L.ask_name('127.0.0.1', fport) == 'be', 'not served')
        time.sleep(0.5)
        L.check(f.server('a', 's')['check']['last'] == 'ok',
                'checks fail after dropping root')
        L.check(f.stop() == 0, 'exit code')
    finally:
        f.close()
        be.stop()


def run():
    config_check()
    drop_root()
    # the session ends after 0.5 s, well inside a 10 s grace
    rc, took = sigterm(10000, 0.5)
    L.check(rc == 0, 'exit code %d' % rc)
    L.check(took < 3, 'took %.1fs to exit after the last session' % took)
    # grace 1 s: fwd closes the open session and exits
    rc, took = sigterm(1000, 0)
    L.check(rc == 0, 'exit code %d' % rc)
    L.check(0.9 < took < 3, 'grace 1s, exit after %.1fs' % took)


if __name__ == '__main__':
    L.main(run)
