#!/usr/bin/python3
"""vrrpd's side of the forwarder link: track_forwarder applies its weight
when the forwarder's connection drops or a listener on our VIP has no
server up, and the Master advertises at once, so the peer (fast_preempt)
owns the VIP within milliseconds. Garbage on the control socket (random
bytes, long lines, half lines, a client that never reads) does not
disturb VRRP. The fake forwarder speaks protocol version 1 (no
heartbeat), as an fwd older than vrrpd does: its silence is not a loss.
A forwarder that came back counts only after track_forwarder's hold."""

import os
import socket
import time

from lab import VIP, Node, check, hold, log, master_down, run_test
from labctl import FakeFwd


def garbage(node):
    """Hostile clients; returns the ones to keep open."""
    keep = []
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(node.sock)
    s.sendall(os.urandom(20000))
    s.close()
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(node.sock)
    s.sendall(b"x" * 100000 + b"\nstatus\n")
    s.close()
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(node.sock)
    s.sendall(b"stat")  # half a line, never finished
    keep.append(s)
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(node.sock)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.setblocking(False)
    try:  # asks for replies it never reads
        for _ in range(20000):
            s.send(b"status\n")
    except (BlockingIOError, BrokenPipeError, ConnectionResetError):
        pass
    keep.append(s)
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(node.sock)
    s.sendall(b"health web 1 1 1.2.3.4:1\nhello fwd 99\nhealth\n")
    keep.append(s)
    return keep


def test(lab):
    a = Node(lab, "a", priority=101, track_forwarder={"weight": 2})
    b = Node(lab, "b", priority=100, track_forwarder={"weight": 2})
    a.start()
    b.start()
    check(lab.wait_until(lambda: a.status() and b.status(), 5) is not None,
          "both control sockets answer")
    fa, fb = FakeFwd(lab, a), FakeFwd(lab, b)
    fa.health(2)
    fb.health(2)
    check(lab.wait_until(lambda: lab.owners(VIP) == ["a"],
                         master_down(100) + 3) is not None,
          "steady state: A Master")
    check(a.status()["effective_priority"] == 103, "A at 101 + 2")
    st = lab.vrrpctl_status("a", a.sock)
    check(st["forwarder"]["connected"] and
          st["forwarder"]["listeners"][0]["up"] == 2,
          "A shows its forwarder and listener")
    check(any(e["state"] == "MASTER" for e in fa.events) or
          (fa.send("ping") or fa.reply()) and
          any(e["state"] == "MASTER" for e in fa.events),
          "A pushed its MASTER state to the forwarder")
    # version 1: silent for 1 s (> the 300 ms bound of version 2), fine
    check(st["forwarder"]["proto"] == 1, "protocol 1 agreed")
    check(hold(lambda: lab.owners(VIP) == ["a"], 1.0),
          "a silent version 1 forwarder is not counted lost")
    st = lab.vrrpctl_status("a", a.sock)
    check(st["forwarder"]["silences"] == 0 and
          st["instances"][0]["effective_priority"] == 103,
          "no silence counted, A still at 103")

    # forwarder dies: connection drops
    t0 = time.monotonic()
    fa.close()
    t = lab.wait_until(lambda: lab.owners(VIP) == ["b"], 3)
    check(t is not None, "B took the VIP when A's forwarder went away")
    gap = time.monotonic() - t0
    log("forwarder connection dropped -> VIP only on B: %.3f s" % gap)
    check(gap < 1.0, "takeover in %.3f s < 1 s" % gap)
    st = a.status()
    check("forwarder" in st["last_reason"], "A's reason names the "
          "forwarder: %r" % st["last_reason"])

    # forwarder back: A preempts once it stayed healthy for the hold
    # time (1 s by default): a flapping forwarder cannot move the VIP
    fa = FakeFwd(lab, a)
    fa.health(2)
    t = lab.wait_until(lambda: lab.owners(VIP) == ["a"], 4)
    check(t is not None and 0.8 <= t < 3,
          "A back as Master after the 1 s hold (%s s)" % t)
    fl = [x for x in a.status()["trackers"] if x["type"] == "forwarder"]
    check(fl[0]["flaps"] == 1, "one flap counted (%s)" % fl)

    # all back ends of A's listener down: same as a dead forwarder
    t0 = time.monotonic()
    fa.health(0)
    t = lab.wait_until(lambda: lab.owners(VIP) == ["b"], 3)
    check(t is not None, "B took the VIP when A's listener lost its servers")
    log("no server up on A -> VIP on B: %.3f s" % (time.monotonic() - t0))
    fa.health(1)
    check(lab.wait_until(lambda: lab.owners(VIP) == ["a"], 4) is not None,
          "A Master again")

    # garbage on B's and A's control sockets
    sent_before = a.status()["counters"]["adverts_sent"]
    keep = garbage(a) + garbage(b)
    time.sleep(3)
    check(a.proc.alive() and b.proc.alive(), "both daemons alive")
    st = a.status()
    check(st is not None and st["state"] == "MASTER", "A still Master")
    sent = st["counters"]["adverts_sent"] - sent_before
    check(sent >= 3, "A kept advertising (%d adverts in ~3 s)" % sent)
    check(b.state() == "BACKUP", "B still Backup")
    check(lab.owners(VIP) == ["a"], "VIP on A only")
    bad = lab.vrrpctl_status("a", a.sock)["forwarder"]["bad_lines"]
    check(bad >= 1, "bad forwarder lines counted (%d)" % bad)
    for s in keep:
        s.close()
    fa.close()
    fb.close()


if __name__ == "__main__":
    run_test(test)
