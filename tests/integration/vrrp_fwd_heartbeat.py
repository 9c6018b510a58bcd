#!/usr/bin/python3
"""Forwarder protocol version 2: fwd sends a heartbeat every 100 ms from
its event loop, so a stopped fwd (SIGSTOP: its socket stays open, a closed
socket is not there to tell) goes silent, and vrrpd counts it lost after
track_forwarder's timeout (300 ms by default): the VIP moves to the peer
within that bound plus the peer's reaction. SIGCONT: heard again, and
after the hold time (1 s by default) A takes the VIP back."""

import signal
import time

from lab import DAEMONS, VIP, check, hold, log, run_test
from labpair import start_fwd_pair

TIMEOUT = 0.3  # track_forwarder's default silence bound
HOLD = 1.0  # and its default hold after a flap


def fwd_status(lab, node):
    return lab.vrrpctl_status(node.role, node.sock)["forwarder"]


def tracker(node):
    return [t for t in node.status()["trackers"]
            if t["type"] == "forwarder"][0]


def test(lab):
    a, b = start_fwd_pair(lab)
    st = fwd_status(lab, a)
    check(st["proto"] == 2, "fwd and vrrpd agreed on protocol 2 (%s)"
          % st["proto"])
    h0 = st["heartbeats"]
    time.sleep(0.5)
    beats = fwd_status(lab, a)["heartbeats"] - h0
    check(3 <= beats <= 8, "about 5 heartbeats in 0.5 s (%d)" % beats)

    # vrrpd itself stalled (stopped for 1 s) while fwd kept beating: the
    # heartbeats waiting in the socket count, not the time vrrpd lost
    a.proc.signal(signal.SIGSTOP, group=False)
    time.sleep(1.0)
    a.proc.signal(signal.SIGCONT, group=False)
    time.sleep(0.3)
    st = fwd_status(lab, a)
    check(st["silences"] == 0 and lab.owners(VIP) == ["a"],
          "a stalled vrrpd does not count its forwarder silent (%d)"
          % st["silences"])

    t0 = time.monotonic()
    a.fwd.signal(signal.SIGSTOP, group=False)
    try:
        t = lab.wait_until(lambda: lab.owners(VIP) == ["b"], 5)
        check(t is not None, "B took the VIP while A's fwd was stopped")
        log("SIGSTOP fwd on Master -> VIP only on B after %.3f s "
            "(silence bound %.1f s)" % (t, TIMEOUT))
        check(t < TIMEOUT + 0.5, "within the bound plus 0.5 s (%.3f s)" % t)
        check("silent" in a.status()["last_reason"],
              "A says why: %r" % a.status()["last_reason"])
        check("forwarder silent for" in a.proc.output(),
              "A logged the silence")
        st = fwd_status(lab, a)
        check(st["connected"] and st["silent"] and st["silences"] == 1,
              "A's status: still connected, silent, 1 silence (%s)" % st)
        check(tracker(a)["why"] == "silent" and tracker(a)["flaps"] == 1,
              "the tracker says silent, 1 flap (%s)" % tracker(a))
        out = lab.vrrpctl("a", a.sock, "status").stdout
        check("forwarder: connected but SILENT (protocol 2" in out and
              "(silent; 1 flaps)" in out, "vrrpctl status says so:\n" + out)
        check(hold(lambda: lab.owners(VIP) == ["b"], 1.0),
              "the VIP stays on B while fwd is stopped")
    finally:
        t0 = time.monotonic()
        a.fwd.signal(signal.SIGCONT, group=False)
    t = lab.wait_until(lambda: lab.owners(VIP) == ["a"], 5)
    check(t is not None, "A took the VIP back after SIGCONT")
    log("SIGCONT -> VIP back on A after %.3f s (hold %.1f s)" % (t, HOLD))
    check(t >= HOLD - 0.2, "not before the hold time (%.3f s)" % t)
    check("forwarder heard again" in a.proc.output(),
          "A logged that it heard fwd again")
    check(a.status()["effective_priority"] == 103, "A at 101 + 2 again")
    check(tracker(a)["why"] == "ok", "tracker ok again")


if __name__ == "__main__":
    run_test(test, roles=("a", "b", "c", "s1", "s2"),
             binaries=DAEMONS)
