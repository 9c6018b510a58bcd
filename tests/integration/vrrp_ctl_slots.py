#!/usr/bin/python3
"""vrrpd's control socket under a hostile local client (issue 18 items 1
and 7).

1. A client asks for replies it never reads until just short of the
   1 MiB queue limit, then says `hello fwd 1`: the reply overflows and the
   client is dropped. vrrpd used the freed client right after (an ASan
   heap-use-after-free, and a dead Master with its VIP up); now it stays
   Master with its VIP and answers.
7. Idle clients hold every ordinary slot: a (re)started fwd still links
   through the slot kept for it, an operator's `status` still answers,
   refusals are counted in status, and the idle clients are closed after
   10 s."""

import fcntl
import socket
import struct
import termios
import time

from lab import DAEMONS, FWD, check, log, run_test
from labpair import fwd_master

CTL_MAX_OUT = 1024 * 1024
CTL_MAX_CLIENTS = 64


def ioctl_int(s, req):
    return struct.unpack("i", fcntl.ioctl(s.fileno(), req,
                                          struct.pack("i", 0)))[0]


def settle(s, sent):
    """Waits until vrrpd has read all we sent; returns how many reply
    bytes it holds in its own queue (sent - what the kernel holds for
    us)."""
    deadline = time.monotonic() + 10
    while ioctl_int(s, termios.TIOCOUTQ) and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.05)
    return sent - ioctl_int(s, termios.FIONREAD)


def flood_then_hello(node):
    """Pings until vrrpd's queue for us is within 12 bytes of the limit;
    the 22-byte hello reply then overflows it."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.connect(node.sock)
    replies = 0
    queued = 0
    while True:
        k = (CTL_MAX_OUT - queued) // 12
        if queued < CTL_MAX_OUT - 20000:
            k = min(k, 5000)
        if k == 0:
            break
        s.sendall(b"ping\n" * k)
        replies += 12 * k
        queued = settle(s, replies)
    log("vrrpd holds %d unread reply bytes for us; sending hello"
        % queued)
    check(CTL_MAX_OUT - 12 < queued <= CTL_MAX_OUT,
          "queue just short of 1 MiB (%d)" % queued)
    s.sendall(b"hello fwd 1\n")
    return s


def test(lab):
    a = fwd_master(lab)

    # item 1
    s = flood_then_hello(a)
    time.sleep(0.5)
    check(a.proc.alive(), "vrrpd survived the overflowing hello")
    st = lab.vrrpctl_status("a", a.sock)
    check(st is not None and st["instances"][0]["state"] == "MASTER",
          "A still Master and answering")
    check(a.has_vip(), "VIP still on A")
    check(st["control"]["overflows"] >= 1,
          "overflow counted (%d)" % st["control"]["overflows"])
    check("does not read its replies" in a.proc.output(),
          "the drop is logged")
    check(not st["forwarder"]["connected"],
          "the dropped client is not taken for a forwarder")
    s.close()

    # item 7: every ordinary slot held by an idle client
    idle = []
    for _ in range(CTL_MAX_CLIENTS - 1):
        c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        c.connect(a.sock)
        idle.append(c)
    time.sleep(0.2)
    st = lab.vrrpctl_status("a", a.sock)  # on probation: one request, then closed
    check(st is not None and st["control"]["clients"] >= CTL_MAX_CLIENTS - 1,
          "an operator's status still answers with %s clients held"
          % (st and st["control"]["clients"]))
    t0 = time.monotonic()
    fwd = lab.spawn("a", [FWD, "-n", "-f", a.conf], name="fwd-a")
    t = lab.wait_until(a.fwd_connected, 5)
    check(t is not None, "fwd linked with every ordinary slot held")
    link_s = time.monotonic() - t0
    log("fwd start -> linked with %d idle clients: %.3f s"
        % (len(idle), link_s))
    # more clients: refused (one gets the probation slot, the rest not)
    extra = []
    for _ in range(5):
        c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        c.connect(a.sock)
        extra.append(c)
    time.sleep(0.3)
    fwd.signal(9, group=False)  # a crashed fwd; systemd restarts it
    fwd.wait(3)
    check(lab.wait_until(lambda: not a.fwd_connected(), 3) is not None,
          "the dead fwd's link is gone")
    t0 = time.monotonic()
    fwd = lab.spawn("a", [FWD, "-n", "-f", a.conf], name="fwd-a2")
    t = lab.wait_until(a.fwd_connected, 5)
    check(t is not None, "a restarted fwd linked too")
    log("restarted fwd -> linked: %.3f s" % (time.monotonic() - t0))
    st = lab.vrrpctl_status("a", a.sock)
    check(st["control"]["refused"] >= 4,
          "refusals counted in status (%d)" % st["control"]["refused"])
    check("slots busy; refused" in a.proc.output(), "refusal logged")
    # idle ones are closed after 10 s; the forwarder stays
    check(lab.wait_until(lambda: lab.vrrpctl_status("a", a.sock)["control"]["timed_out"]
                         >= CTL_MAX_CLIENTS - 1, 14) is not None,
          "idle clients timed out")
    check(a.fwd_connected(), "the forwarder's link is not timed out")
    closed = 0
    for c in idle:
        c.setblocking(False)
        try:
            closed += c.recv(1) == b""
        except BlockingIOError:
            pass
        c.close()
    check(closed == len(idle), "%d of %d idle clients closed by vrrpd"
          % (closed, len(idle)))
    for c in extra:
        c.close()
    lines = [l for l in a.proc.output().split("\n") if "slots busy" in l]
    check(len(lines) <= 2, "refusals logged rate-limited (%d lines)"
          % len(lines))


if __name__ == "__main__":
    run_test(test, roles=("a",), binaries=DAEMONS)
