#!/usr/bin/python3
"""forwarder.data_path (issue 20), decided at start:

- "auto" without the capabilities the kernel path needs (fwd started
  under setpriv with CAP_BPF, CAP_NET_ADMIN and CAP_SYS_ADMIN out of its
  bounding set): fwd serves on the copy path, says so in exactly one log
  line, and stats say data_path "copy" with no kernel session;
- "kernel" without them: fwd refuses to start, with an error that names
  the key and what is missing;
- "kernel" with exactly the systemd unit's bounding set (what
  systemd/fwd.service.in grants: CAP_BPF, CAP_NET_ADMIN and CAP_PERFMON on top of the
  copy path's): stats say "kernel", and sessions (an echo, and a
  transfer that half-closes) are handed to the kernel with their bytes
  counted; a reload to "copy" sends new sessions down the copy path;
- kernel_after left at its default (4 turns): a one-line echo stays on
  the copy path, a session that goes on past four turns is handed off,
  and echoes on unchanged."""

import hashlib
import os
import socket
import subprocess
import threading

import fwdlab as L

NO_BPF = ['setpriv', '--bounding-set=-bpf,-net_admin,-sys_admin']
# systemd/fwd.service.in: CapabilityBoundingSet=
UNIT_CAPS = ['setpriv', '--bounding-set=-all,+net_bind_service,+setuid,'
             '+setgid,+chown,+bpf,+net_admin,+perfmon']


def body(path, fport, bport):
    return ('data_path = "%s"; kernel_after = 0; vrrpd_socket = ""; listen = { t = { bind = '
            '"127.0.0.1:%d"; server = { s = { address = "127.0.0.1:%d"; '
            '}; }; }; };' % (path, fport, bport))


def echo_once(fport):
    with socket.create_connection(('127.0.0.1', fport), timeout=5) as s:
        name = L.read_line(s)
        s.sendall(b'ping\n')
        L.check(L.read_line(s) == 'ping', 'no echo through fwd')
    return name


def auto_falls_back(fport, bport):
    f = L.Fwd(body('auto', fport, bport), prefix=NO_BPF)
    try:
        L.check(echo_once(fport) == 'b1', 'wrong back end')
        st = f.stats()
        L.check(st['data_path'] == 'copy', 'data_path %s' % st['data_path'])
        L.check(st['kernel_sessions'] == 0, 'a session took the kernel path')
        lines = [ln for ln in f.logtext().splitlines() if 'data path' in ln]
        L.check(len(lines) == 1 and 'copy' in lines[0] and
                'not permitted' in lines[0],
                'want one "data path: copy (... not permitted ...)" line, '
                'got %r' % lines)
        print('auto without CAP_BPF:', lines[0].split('] ', 1)[1])
    finally:
        f.close()


def kernel_refuses(fport, bport):
    conf = os.path.join('/tmp', 'fwd_data_path.%d.conf' % os.getpid())
    with open(conf, 'w') as fh:
        fh.write('forwarder = { control_socket = "/tmp/fwd_dp.%d.sock"; '
                 '%s };\n' % (os.getpid(), body('kernel', fport, bport)))
    try:
        r = subprocess.run(NO_BPF + [L.FWD, '-n', '-f', conf],
                           capture_output=True, text=True, timeout=20)
    finally:
        os.unlink(conf)
    # 1, not a signal: failing before the checks start once crashed in
    # check_stop() on timers never initialised (as did a port in use)
    L.check(r.returncode == 1, 'fwd without CAP_BPF on "kernel": exit %d'
            % r.returncode)
    L.check('data_path is "kernel"' in r.stderr and 'CAP_BPF' in r.stderr,
            'no clear error: %r' % r.stderr[-500:])
    print('kernel without CAP_BPF: exit %d' % r.returncode)


def kernel_with_unit_caps(fport, bport):
    f = L.Fwd(body('kernel', fport, bport), prefix=UNIT_CAPS)
    try:
        L.check(f.stats()['data_path'] == 'kernel', 'not on the kernel path')
        L.check(echo_once(fport) == 'b1', 'wrong back end')
        up = os.urandom(3 << 20)
        with socket.create_connection(('127.0.0.1', fport), timeout=10) as s:
            L.check(L.read_line(s) == 'b1', 'no banner')
            t = threading.Thread(target=L.send_all, args=(s, up))
            t.start()
            got = hashlib.sha256()
            while True:
                b = s.recv(1 << 16)
                if not b:
                    break
                got.update(b)
            t.join()
        L.check(got.hexdigest() == hashlib.sha256(up).hexdigest(),
                'echoed bytes differ')
        st = f.stats()
        L.check(st['kernel_sessions'] >= 2,
                'kernel_sessions %d' % st['kernel_sessions'])
        n = st['listeners'][0]
        L.check(n['bytes_in'] >= len(up) and n['bytes_out'] >= len(up),
                'bytes not counted: %s in, %s out' % (n['bytes_in'],
                                                    n['bytes_out']))
        print('kernel with the unit\'s capabilities: %d sessions, %d bytes in'
              % (st['kernel_sessions'], n['bytes_in']))
        # a reload to "copy": new sessions copy, the count stays
        with open(f.conf) as fh:
            text = fh.read()
        with open(f.conf, 'w') as fh:
            fh.write(text.replace('data_path = "kernel"',
                                  'data_path = "copy"'))
        L.check(f.ctl('reload').get('ok'), 'reload failed')
        L.check(f.stats()['data_path'] == 'copy', 'reload kept "kernel"')
        L.check(echo_once(fport) == 'b1', 'wrong back end after reload')
        L.check(f.stats()['kernel_sessions'] == st['kernel_sessions'],
                'a session took the kernel path after a reload to "copy"')
    finally:
        f.close()


def kernel_after_default(fport, bport):
    f = L.Fwd(body('kernel', fport, bport).replace('kernel_after = 0; ',
                                                   ''))
    try:
        L.check(echo_once(fport) == 'b1', 'wrong back end')
        n = f.stats()['kernel_sessions']
        L.check(n == 0, 'a one-line echo was handed off (%d)' % n)
        with socket.create_connection(('127.0.0.1', fport), timeout=5) as s:
            L.check(L.read_line(s) == 'b1', 'no banner')
            for i in range(6):
                line = 'ping %d' % i
                s.sendall(line.encode() + b'\n')
                L.check(L.read_line(s) == line, 'no echo of %r' % line)
            n = f.stats()['kernel_sessions']
            L.check(n == 1, 'kernel_sessions %d after six echoes' % n)
            s.sendall(b'after\n')
            L.check(L.read_line(s) == 'after', 'no echo after hand-off')
        print('kernel_after default: one line copied, six handed off')
    finally:
        f.close()


def test():
    bport = L.free_port()
    be = L.Backend('b1', '127.0.0.1', bport)
    try:
        auto_falls_back(L.free_port(), bport)
        kernel_refuses(L.free_port(), bport)
        kernel_with_unit_caps(L.free_port(), bport)
        kernel_after_default(L.free_port(), bport)
    finally:
        be.stop()


if __name__ == '__main__':
    L.main(test)
