#!/usr/bin/python3
"""The pair: vrrpd + fwd on two nodes, back ends, and a client that keeps
connecting through the VIP. kill -9 of the Master's fwd moves the VIP to
the peer in well under a second (track_forwarder + fast takeover) and the
client gets answers through it again; back ends unreachable from the
Master do the same; a restarted fwd restores the Master (preemption)."""

import os
import time

from lab import (ADDR, BUILD_ROOT, PYTHON, VIP, Node, check, log,
                 master_down, run_test, vrrpd_conf)

FWD = os.path.join(BUILD_ROOT, "fwd", "fwd")
PORT = 8080

BACKEND = r"""
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], 9000)); s.listen(128)
while True:
    c, _ = s.accept()
    try:
        c.sendall(sys.argv[2].encode() + b"\n")
    finally:
        c.close()
"""

CLIENT = r"""
import socket, sys, time
out = open(sys.argv[2], "w", buffering=1)
while True:
    t = time.monotonic()
    try:
        c = socket.create_connection((sys.argv[1], %d), timeout=0.3)
        c.settimeout(0.3)
        who = c.recv(16).decode().strip() or "empty"
        c.close()
    except OSError as e:
        who = "fail"
    out.write("%%.4f %%s\n" %% (t, who))
    time.sleep(0.02)
""" % PORT


class PairNode(Node):
    """vrrpd and fwd from one config file, as DESIGN.md shows it."""

    def __init__(self, lab, role, **inst):
        super().__init__(lab, role, track_forwarder={"weight": 2}, **inst)
        self.fwd_sock = lab.path("%s-fwd.sock" % role)
        self.fwd = None

    def write_conf(self):
        self.starts += 1
        servers = " ".join(
            '%s = { address = "%s:9000"; check = { inter = "200ms"; '
            'rise = 1; fall = 1; }; };' % (s, ADDR[s]) for s in ("s1", "s2"))
        text = vrrpd_conf(self.router_id, self.sock, self.instances) + (
            'forwarder = {\n'
            '  control_socket = "%s";\n'
            '  timeout = { connect = "300ms"; check = "150ms"; };\n'
            '  listen = { web = { bind = [ "%s:%d" ]; balance = "roundrobin";'
            ' retries = 1; redispatch = true;\n'
            '    server = { %s }; }; };\n'
            '};\n' % (self.fwd_sock, VIP, PORT, servers))
        self.conf = self.lab.write("pair-%s.%d.conf" % (self.role,
                                                        self.starts), text)
        return self.conf

    def start_fwd(self):
        self.fwd = self.lab.spawn(self.role, [FWD, "-n", "-f", self.conf],
                                  name="fwd-" + self.role)
        return self.fwd

    def fwd_connected(self):
        st = self.lab.vrrpctl_status(self.role, self.sock)
        return st is not None and st["forwarder"]["connected"]


def client_log(path):
    rows = []
    for line in open(path).read().split("\n"):
        parts = line.split()
        if len(parts) == 2:
            rows.append((float(parts[0]), parts[1]))
    return rows


def gap_around(rows, t0):
    """The client's outage around t0: from the last answer before it to
    the first answer after it."""
    before = [t for t, who in rows if t <= t0 and who != "fail"]
    after = [t for t, who in rows if t > t0 and who != "fail"]
    if not before or not after:
        return None
    return after[0] - before[-1]


def start_pair(lab, node_class):
    """Back ends s1 and s2, nodes A (101) and B (100) with vrrpd and fwd
    linked; returns (a, b) once A is Master."""
    for s in ("s1", "s2"):
        lab.spawn(s, [PYTHON, "-c", BACKEND, ADDR[s], s], name="backend-" + s)
    a = node_class(lab, "a", priority=101)
    b = node_class(lab, "b", priority=100)
    a.start()
    b.start()
    a.start_fwd()
    b.start_fwd()
    check(lab.wait_until(lambda: a.fwd_connected() and b.fwd_connected(), 5)
          is not None, "both forwarders linked to their vrrpd")
    check(lab.wait_until(lambda: lab.owners(VIP) == ["a"],
                         master_down(100) + 3) is not None,
          "steady state: A Master")
    return a, b


def test(lab):
    a, b = start_pair(lab, PairNode)
    check(a.status()["effective_priority"] == 103, "A at 101 + 2")
    clog = lab.path("client.log")
    lab.spawn("c", [PYTHON, "-c", CLIENT, VIP, clog], name="client")
    check(lab.wait_until(lambda: os.path.exists(clog) and
                         sum(1 for _, w in client_log(clog)
                             if w in ("s1", "s2")) >= 10, 5) is not None,
          "the client gets answers through the VIP")
    answers = {w for _, w in client_log(clog)}
    check({"s1", "s2"} <= answers, "roundrobin over both back ends (%s)"
          % sorted(answers))
    st = lab.run("a", os.path.join(BUILD_ROOT, "vrrpd", "vrrpctl"), "-s",
                 a.fwd_sock, "stats")
    check('"vrrpd":{"enabled":true,"connected":true' in st.stdout and
          '"state":"MASTER"' in st.stdout,
          "A's fwd shows the link and A's MASTER state in its stats")

    # 1. kill -9 of the Master's forwarder
    t0 = time.monotonic()
    a.fwd.signal(9, group=False)
    t = lab.wait_until(lambda: lab.owners(VIP) == ["b"], 3)
    check(t is not None, "B owns the VIP after A's fwd was killed")
    vip_gap = time.monotonic() - t0
    check(lab.wait_until(lambda: any(tt > t0 + vip_gap and w != "fail"
                                     for tt, w in client_log(clog)), 3)
          is not None, "the client gets answers through B")
    gap = gap_around(client_log(clog), t0)
    log("kill -9 fwd on Master: VIP on B after %.3f s; client gap %.3f s"
        % (vip_gap, gap))
    check(vip_gap < 1.0, "VIP moved in %.3f s < 1 s" % vip_gap)
    check("forwarder" in a.status()["last_reason"],
          "A says why: %r" % a.status()["last_reason"])

    # 2. fwd back on A: A preempts
    a.start_fwd()
    t = lab.wait_until(lambda: lab.owners(VIP) == ["a"], 3)
    check(t is not None, "A took the VIP back once its fwd returned (%s s)"
          % t)
    log("fwd restarted on A -> VIP on A after %.3f s" % t)

    # 3. back ends unreachable from A (as if they stopped for A)
    time.sleep(0.5)
    t0 = time.monotonic()
    for s in ("s1", "s2"):
        lab.run("a", "ip", "route", "add", "prohibit", ADDR[s] + "/32")
    t = lab.wait_until(lambda: lab.owners(VIP) == ["b"], 3)
    check(t is not None, "B owns the VIP when A's back ends are down")
    log("all back ends down for A -> VIP on B after %.3f s "
        "(checks every 200 ms, fall 1)" % t)
    check(t < 1.0, "moved in %.3f s < 1 s" % t)
    st = lab.vrrpctl_status("a", a.sock)
    check(st["forwarder"]["connected"] and
          st["forwarder"]["listeners"][0]["up"] == 0,
          "A's vrrpd knows its fwd is alive with no server up")
    for s in ("s1", "s2"):
        lab.run("a", "ip", "route", "del", "prohibit", ADDR[s] + "/32")
    check(lab.wait_until(lambda: lab.owners(VIP) == ["a"], 3) is not None,
          "A Master again once its back ends are back")
    time.sleep(0.3)
    rows = client_log(clog)
    fails = sum(1 for _, w in rows if w == "fail")
    log("client: %d requests, %d failed" % (len(rows), fails))


if __name__ == "__main__":
    run_test(test, roles=("a", "b", "c", "s1", "s2"))
