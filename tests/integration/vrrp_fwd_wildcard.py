#!/usr/bin/python3
"""A wildcard listener ("*:8080", HAProxy's form of 0.0.0.0:8080) serves
the VIP, and its health counts for track_forwarder: when its only back end
dies, the Master's priority drops and the peer takes the VIP. Before, a
wildcard bind's health matched no VIP and was ignored, so a node whose
forwarder could reach no server kept the VIP."""

import os
import socket

from lab import (DAEMONS, FWD, Node, PYTHON, VIP, check, log, master_down,
                 run_test, server)
from labpair import FwdNode

PORT = 8080

BACKEND = r"""
import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 9000)); s.listen(16)
while True:
    c, _ = s.accept()
    c.sendall(b"wild\n")
    c.close()
"""


class WildNode(FwdNode):
    """vrrpd and fwd from one file; fwd listens on "*:8080"."""

    def __init__(self, lab, role, **inst):
        super().__init__(
            lab, role,
            fwd_settings={"timeout": {"connect": "300ms", "check": "150ms"}},
            listen={"web": {"bind": ["*:%d" % PORT], "server": {
                "s": server("127.0.0.1:9000", {"inter": "200ms", "rise": 1,
                                               "fall": 1})}}}, **inst)


def ask(lab):
    """One connection from the b namespace to VIP:PORT; the answer."""
    r = lab.run("b", PYTHON, "-c",
                "import socket; c = socket.create_connection(('%s', %d), "
                "timeout=2); print(c.recv(16).decode().strip())"
                % (VIP, PORT), check=False)
    return r.stdout.strip()


def test(lab):
    backend = lab.spawn("a", [PYTHON, "-c", BACKEND], name="backend-a")
    # A is Master only with its forwarder healthy: 100 + 5 > 102
    a = WildNode(lab, "a", priority=100, track_forwarder={"weight": 5})
    b = Node(lab, "b", priority=102)
    a.start()
    t = lab.run("a", FWD, "-t", "-f", a.conf, check=False)
    check(t.returncode == 0, "fwd -t accepts bind \"*:%d\" (%s)"
          % (PORT, t.stderr.strip()))
    fwd = lab.spawn("a", [FWD, "-n", "-f", a.conf], name="fwd-a")

    def linked_up():
        st = lab.vrrpctl_status("a", a.sock)
        ls = st and st["forwarder"]["listeners"]
        return bool(ls) and ls[0]["up"] == 1
    check(lab.wait_until(linked_up, 5) is not None,
          "fwd linked, its wildcard listener has its server up")
    check(lab.wait_until(lambda: a.status()["effective_priority"] == 105,
                         3) is not None, "A at 100 + 5")
    b.start()
    check(lab.wait_until(lambda: lab.owners(VIP) == ["a"],
                         master_down(102) + 3) is not None,
          "A (105) Master over B (102)")
    check(ask(lab) == "wild", "the wildcard listener serves the VIP")

    backend.stop()
    t = lab.wait_until(lambda: lab.owners(VIP) == ["b"], 5)
    check(t is not None, "A's wildcard listener lost its only server: B "
          "took the VIP (owners %s)" % lab.owners(VIP))
    st = a.status()
    log("A: effective priority %s, reason %r"
        % (st["effective_priority"], st["last_reason"]))
    check(st["effective_priority"] == 100,
          "A's wildcard listener health counted: 105 -> 100")
    fwd.stop()


if __name__ == "__main__":
    run_test(test, binaries=DAEMONS)
