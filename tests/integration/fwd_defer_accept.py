#!/usr/bin/python3
"""TCP_DEFER_ACCEPT (issue 20): once a listener has seen its clients
speak first, its socket defers accept() until the client's first bytes
are in, so fwd is not woken for a client that has sent nothing. The
first session whose server speaks first (a banner, like SMTP) turns it
off again: that silent client still gets its banner, and later silent
clients are accepted at once, also after a reload that kept the socket. A kept socket that a reload
moves to a section of another name starts from that section's state.
It is opt-in (forwarder.defer_accept = true), and off unless set.
The option is read back from fwd's own listening socket (pidfd_getfd) as
well as observed by its accept count."""

import ctypes
import json
import os
import socket
import time

import fwdlab as L

SYS_PIDFD_GETFD = 438  # x86_64 and aarch64 (asm-generic) alike
TCP_DEFER_ACCEPT = getattr(socket, 'TCP_DEFER_ACCEPT', 9)
STREAK = 4  # fwd/listener.c DEFER_STREAK
# the kernel holds a deferred silent client for 1 s (DEFER_SECS) and a
# SYN-ACK resend; an accept sooner than this was not held
HELD_S = 0.9


def defer_value(pid, port):
    """TCP_DEFER_ACCEPT of fwd's socket listening on port (seconds)."""
    libc = ctypes.CDLL(None, use_errno=True)
    pidfd = os.pidfd_open(pid)
    try:
        for name in os.listdir('/proc/%d/fd' % pid):
            if not os.readlink('/proc/%d/fd/%s' % (pid, name)).startswith(
                    'socket:'):
                continue
            fd = libc.syscall(SYS_PIDFD_GETFD, pidfd, int(name), 0)
            L.check(fd >= 0, 'pidfd_getfd: errno %d' % ctypes.get_errno())
            with socket.socket(fileno=fd) as s:
                if (s.family == socket.AF_INET and s.type ==
                        socket.SOCK_STREAM and s.getsockopt(
                            socket.SOL_SOCKET, socket.SO_ACCEPTCONN) and
                        s.getsockname()[1] == port):
                    return s.getsockopt(socket.IPPROTO_TCP, TCP_DEFER_ACCEPT)
    finally:
        os.close(pidfd)
    raise KeyError('no listening socket on port %d' % port)


def wait_total(f, name, want, secs):
    """Seconds until listener name has accepted want sessions, or None."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < secs:
        if L.listener(f, name)['total'] >= want:
            return time.monotonic() - t0
        time.sleep(0.01)
    return None


def silent_banner(f, port, name):
    """A client that sends nothing: the banner, and seconds until fwd
    accepted it."""
    total = L.listener(f, name)['total']
    t0 = time.monotonic()
    with socket.create_connection(('127.0.0.1', port), timeout=5) as s:
        accepted = wait_total(f, name, total + 1, 4)
        banner = L.read_line(s)
    L.check(banner == 'b', '%s: silent client got %r' % (name, banner))
    L.check(accepted is not None, '%s: silent client never accepted' % name)
    return time.monotonic() - t0 if accepted is None else accepted


def run():
    pb, pcf, psf = (L.free_port() for _ in range(3))
    b = L.Backend('b', '127.0.0.1', pb)
    # off by default (forwarder.defer_accept): learning changes nothing
    off = L.Fwd('''listen = {
        cf = { bind = "127.0.0.1:%d";
          server = { b = { address = "127.0.0.1:%d"; }; }; }; };'''
                % (pcf, pb))
    try:
        for i in range(STREAK + 1):
            L.client_first(pcf, i)
        L.check(defer_value(off.proc.pid, pcf) == 0,
                'defer_accept unset, yet cf deferred after %d client-first '
                'sessions' % (STREAK + 1))
    finally:
        off.close()
    f = L.Fwd('''defer_accept = true; listen = {
        cf = { bind = "127.0.0.1:%d";
          server = { b = { address = "127.0.0.1:%d"; }; }; };
        sf = { bind = "127.0.0.1:%d";
          server = { b = { address = "127.0.0.1:%d"; }; }; }; };'''
              % (pcf, pb, psf, pb))
    pid = f.proc.pid
    try:
        L.check(defer_value(pid, pcf) == 0, 'cf deferred before learning')
        for i in range(STREAK):
            L.client_first(pcf, i)
        L.check(defer_value(pid, pcf) > 0,
                'cf: no TCP_DEFER_ACCEPT after %d client-first sessions'
                % STREAK)
        L.check(defer_value(pid, psf) == 0, 'sf deferred, never used')

        # (a) a client that connects and sends nothing is not accepted:
        # fwd is not woken for it; its first bytes release it
        total = L.listener(f, 'cf')['total']
        with socket.create_connection(('127.0.0.1', pcf), timeout=5) as s:
            L.check(wait_total(f, 'cf', total + 1, 0.5) is None,
                    'cf accepted a client that sent nothing')
            s.sendall(b'late\n')
            L.check(wait_total(f, 'cf', total + 1, 4) is not None,
                    'cf did not accept once the client spoke')
            L.check(L.read_line(s) == 'b', 'late client: banner')
            L.check(L.read_line(s) == 'late', 'late client: echo')

        # a reload keeps the socket and its option, and fwd knows it is
        # on: the server-first session below must still turn it off
        with open(f.conf) as fh:
            text = fh.read()
        with open(f.conf, 'w') as fh:  # a change, so the sections are rebuilt
            fh.write(text.replace('sf = { bind', 'sf = { maxconn = 100; bind'))
        r = f.ctl('reload')
        L.check(r.get('ok') is True, 'reload: %s' % json.dumps(r))
        L.check(defer_value(pid, pcf) > 0, 'cf: reload lost TCP_DEFER_ACCEPT')

        # (b) a banner server on the same listener: the silent client is
        # held by the kernel, then served; its session turns defer off
        held = silent_banner(f, pcf, 'cf')
        L.check(held >= HELD_S,
                'first silent client accepted after %.2f s: not held' % held)
        L.check(defer_value(pid, pcf) == 0,
                'cf: TCP_DEFER_ACCEPT still on after a server-first session')
        for i in range(3):
            t = silent_banner(f, pcf, 'cf')
            L.check(t < HELD_S, 'silent client %d on cf held %.2f s' % (i, t))

        # a listener that only ever sees server-first sessions never defers
        for i in range(STREAK + 1):
            t = silent_banner(f, psf, 'sf')
            L.check(t < HELD_S, 'silent client %d on sf held %.2f s' % (i, t))
        L.check(defer_value(pid, psf) == 0, 'sf deferred')
        L.check(L.listener(f, 'sf')['first_speaker'] == 'server',
                'sf did not learn: %s' % L.listener(f, 'sf'))

        # (c) cf learns client-first again, then a reload moves its kept
        # socket to a section of another name, 'mv', that has learnt
        # nothing: the socket starts from mv's state (defer off), so a
        # silent client of mv's banner server is not held
        for i in range(STREAK):
            L.client_first(pcf, 10 + i)
        L.check(defer_value(pid, pcf) > 0, 'cf: deferred again')
        with open(f.conf) as fh:
            text = fh.read()
        with open(f.conf, 'w') as fh:
            fh.write(text.replace('cf = { bind', 'mv = { bind'))
        r = f.ctl('reload')
        L.check(r.get('ok') is True, 'rename reload: %s' % json.dumps(r))
        L.check(defer_value(pid, pcf) == 0,
                'mv: the socket moved from cf kept TCP_DEFER_ACCEPT')
        t = silent_banner(f, pcf, 'mv')
        L.check(t < HELD_S, 'first silent client on mv held %.2f s' % t)
        L.check(f.proc.poll() is None, 'fwd died')
    finally:
        f.close()
        b.stop()


if __name__ == '__main__':
    L.main(run)
