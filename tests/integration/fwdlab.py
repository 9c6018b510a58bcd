"""Helpers for the fwd integration tests, on top of lab.py (its paths,
check(), skip rule and forwarder_conf()): back ends, clients, a running
fwd, network namespaces (lab.py's vt<pid> prefix). Only loopback,
198.18.0.0/24 and namespaces made here are touched; processes are killed
by the PIDs started here."""

import contextlib
import ctypes
import hashlib
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

import lab
from lab import (BUILD_ROOT, FWD, SKIP, VRRPCTL, check,  # noqa: F401
                 cleanup_stale, forwarder_conf, recv_all,
                 require_root_and_tools)

lab.LOG_OK = False  # the fwd tests word check()'s message as the failure

CLONE_NEWNET = 0x40000000


def require_root():
    require_root_and_tools(binaries=(FWD,))


_given = set()


def free_port(host='127.0.0.1'):
    """A port nobody listens on, never the same twice in one test."""
    while True:
        with socket.socket() as s:
            s.bind((host, 0))
            port = s.getsockname()[1]
        if port not in _given:
            _given.add(port)
            return port


class Backend:
    """A threaded TCP server. mode 'name': sends its name and a newline,
    then echoes until EOF. mode 'sink': reads to EOF hashing what came,
    while sending `send` bytes from `data`, then half-closes."""

    def __init__(self, name, host, port, mode='name', data=b''):
        self.name, self.host, self.port = name, host, port
        self.mode, self.data = mode, data
        self.accepted = 0
        self.received = []  # sha256 hex per finished sink connection
        self.open_conns = 0
        self.lock = threading.Lock()
        self.sock = None
        self.conns = []
        self.start()

    def start(self):
        s = socket.socket(socket.AF_INET6 if ':' in self.host
                          else socket.AF_INET)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((self.host, self.port))
        s.listen(512)
        self.sock = s
        threading.Thread(target=self._accept, args=(s,), daemon=True).start()

    def stop(self):
        """Close the listener (new connects are refused) and all conns."""
        s, self.sock = self.sock, None
        if s:
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
            s.close()
        with self.lock:
            for c in self.conns:
                with contextlib.suppress(OSError):
                    c.shutdown(socket.SHUT_RDWR)
            self.conns = []

    def _accept(self, s):
        while True:
            try:
                c, _ = s.accept()
            except OSError:
                return
            with self.lock:
                self.accepted += 1
                self.open_conns += 1
                self.conns.append(c)
            threading.Thread(target=self._serve, args=(c,),
                             daemon=True).start()

    def _serve(self, c):
        try:
            if self.mode == 'name':
                c.sendall(self.name.encode() + b'\n')
                while True:
                    b = c.recv(65536)
                    if not b:
                        break
                    c.sendall(b)
            else:
                sender = threading.Thread(target=send_all,
                                          args=(c, self.data))
                sender.start()
                h = recv_hash(c)
                sender.join()
                with self.lock:
                    self.received.append(h)
        except OSError:
            pass
        finally:
            with self.lock:
                self.open_conns -= 1
                if c in self.conns:
                    self.conns.remove(c)
            c.close()


def send_all(sock, data, chunk=1 << 20):
    view = memoryview(data)
    for i in range(0, len(data), chunk):
        sock.sendall(view[i:i + chunk])
    sock.shutdown(socket.SHUT_WR)


def recv_hash(sock):
    h = hashlib.sha256()
    while True:
        b = sock.recv(1 << 20)
        if not b:
            return h.hexdigest()
        h.update(b)


def stop_proc(p, timeout=10):
    """SIGTERM a subprocess.Popen, SIGKILL after timeout; reaped."""
    p.terminate()
    try:
        p.wait(timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()


def listener(f, name):
    """fwd f's stats entry of listen section name."""
    for entry in f.stats()['listeners']:
        if entry['name'] == name:
            return entry
    raise KeyError(name)


def client_first(port, i):
    """A client that speaks first, to a Backend: sends at once, reads the
    banner and the echo, half-closes and expects nothing more."""
    with socket.create_connection(('127.0.0.1', port), timeout=5) as s:
        msg = b'hello %d\n' % i
        s.sendall(msg)
        name = read_line(s)
        echo = read_line(s)
        s.shutdown(socket.SHUT_WR)
        rest = s.recv(100)
    check(name == 'b', 'client %d: banner %r' % (i, name))
    check(echo == msg.decode().strip(), 'client %d: echo %r' % (i, echo))
    check(rest == b'', 'client %d: extra bytes %r' % (i, rest))


def read_line(sock, timeout=5):
    sock.settimeout(timeout)
    buf = b''
    while not buf.endswith(b'\n'):
        b = sock.recv(1)
        if not b:
            break
        buf += b
    return buf.decode().strip()


def ask_name(host, port, src=None, timeout=5):
    """Connects (optionally from src), returns the back end's name."""
    fam = socket.AF_INET6 if ':' in host else socket.AF_INET
    with socket.socket(fam) as s:
        s.settimeout(timeout)
        if src:
            s.bind((src, 0))
        s.connect((host, port))
        return read_line(s, timeout)


class Fwd:
    """A fwd process with a generated config, in its own temp dir."""

    def __init__(self, body, args=(), netns=None, prefix=()):
        self.dir = tempfile.mkdtemp(prefix='fwdtest.')
        self.sock = os.path.join(self.dir, 'ctl.sock')
        self.conf = os.path.join(self.dir, 'fwd.conf')
        # FWD_DATA_PATH=kernel|copy: the suite's second run (meson.build)
        path = os.environ.get('FWD_DATA_PATH')
        if path and 'data_path' not in body:
            body = 'data_path = "%s";\n%s' % (path, body)
        # the kernel path's tests hand off at once, even a one-line
        # exchange (forwarder.kernel_after)
        if path == 'kernel' and 'kernel_after' not in body:
            body = 'kernel_after = 0;\n%s' % body
        with open(self.conf, 'w') as f:
            f.write(forwarder_conf(self.sock, body=body))
        self.log = open(os.path.join(self.dir, 'fwd.log'), 'w+')
        cmd = list(prefix) + [FWD, '-n', '-d', '-f', self.conf] + list(args)
        if netns:
            cmd = ['ip', 'netns', 'exec', netns] + cmd
        self.proc = subprocess.Popen(cmd, stdout=self.log,
                                     stderr=subprocess.STDOUT)
        deadline = time.time() + 10
        while True:
            try:
                self.stats()
                break
            except OSError:
                if self.proc.poll() is not None or time.time() > deadline:
                    raise AssertionError('fwd did not start:\n' +
                                         self.logtext())
                time.sleep(0.05)

    def ctl(self, line, timeout=5):
        with socket.socket(socket.AF_UNIX) as s:
            s.settimeout(timeout)
            s.connect(self.sock)
            s.sendall(line.encode() + b'\n')
            buf = b''
            while not buf.endswith(b'\n'):
                b = s.recv(65536)
                if not b:
                    break
                buf += b
        return json.loads(buf)

    def stats(self):
        return self.ctl('stats')

    def server(self, listen, name):
        for l in self.stats()['listeners']:
            if l['name'] == listen:
                for s in l['servers']:
                    if s['name'] == name:
                        return s
        raise KeyError(name)

    def wait_state(self, listen, name, state, timeout=15):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.server(listen, name)['state'] == state:
                return time.time()
            time.sleep(0.05)
        raise AssertionError('%s/%s never became %s: %s' % (
            listen, name, state, self.server(listen, name)))

    def cpu_seconds(self):
        with open('/proc/%d/stat' % self.proc.pid) as f:
            fields = f.read().rsplit(')', 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf('SC_CLK_TCK')

    def logtext(self):
        self.log.flush()
        with open(self.log.name) as f:
            return f.read()

    kernel_sessions = 0  # FWD_DATA_PATH=kernel: proof, checked by main()

    def stop(self, timeout=10):
        """SIGTERM, then SIGKILL; returns the exit code."""
        with contextlib.suppress(OSError, ValueError, KeyError):
            if self.proc.poll() is None:
                Fwd.kernel_sessions += self.stats()['kernel_sessions']
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode

    def close(self):
        """Stops fwd; fails if a sanitizer (ASan build) said anything."""
        self.stop()
        text = self.logtext()
        self.log.close()
        subprocess.run(['rm', '-rf', self.dir], check=False)
        if 'Sanitizer' in text or 'runtime error:' in text:
            raise AssertionError('sanitizer report from fwd:\n' + text)


_libc = ctypes.CDLL(None, use_errno=True)


def setns_thread(path):
    """Moves the calling thread into the network namespace at path."""
    fd = os.open(path, os.O_RDONLY)
    try:
        if _libc.setns(fd, CLONE_NEWNET) != 0:
            e = ctypes.get_errno()
            raise OSError(e, os.strerror(e))
    finally:
        os.close(fd)


def ip(*args, ns=None, check_rc=True):
    cmd = ['ip'] + (['-n', ns] if ns else []) + list(args)
    r = subprocess.run(cmd, capture_output=True, text=True)
    if check_rc and r.returncode != 0:
        raise AssertionError('%s: %s' % (' '.join(cmd), r.stderr))
    return r.stdout


class NetNS:
    """A uniquely named namespace with lo up; removed by delete()."""

    def __init__(self, tag):
        self.name = 'vt%d%s' % (os.getpid(), tag)
        ip('netns', 'add', self.name)
        ip('link', 'set', 'lo', 'up', ns=self.name)
        self.path = '/run/netns/' + self.name

    def delete(self):
        ip('netns', 'del', self.name, check_rc=False)


@contextlib.contextmanager
def in_netns(ns):
    """Runs the calling thread in ns for the with block."""
    own = os.open('/proc/thread-self/ns/net', os.O_RDONLY)
    try:
        setns_thread(ns.path)
        yield
    finally:
        _libc.setns(own, CLONE_NEWNET)
        os.close(own)


def run_in_thread(fn, *args):
    """Runs fn in a thread and returns (thread, result box)."""
    box = {}

    def wrap():
        try:
            box['value'] = fn(*args)
        except BaseException as e:  # reported by the caller
            box['error'] = e
    t = threading.Thread(target=wrap, daemon=True)
    t.start()
    return t, box


def main(fn):
    """Runs a test function, printing the failure; exit 0/1/77."""
    require_root()
    cleanup_stale()
    try:
        fn()
        check(os.environ.get('FWD_DATA_PATH') != 'kernel' or
              Fwd.kernel_sessions > 0,
              'FWD_DATA_PATH=kernel but no session took the kernel path')
    except AssertionError as e:
        print('FAIL:', e)
        sys.exit(1)
    print('PASS')
    sys.exit(0)
