"""The pair of DESIGN.md in the lab: vrrpd and fwd from one config file
(FwdNode) on nodes A and B, back ends s1 and s2 that answer with their name, and a
client that keeps connecting through the VIP and logs who answered."""

import os
import signal
import time

from lab import (ADDR, FWD, PYTHON, VIP, Node, check, forwarder_conf,
                 master_down, server, start_pair, vrrpd_conf)

PORT = 8080

# A back end (argv: ADDR NAME): on ADDR:9000, says NAME and closes.
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

# A client (argv: HOST LOGFILE [PORT [TIMEOUT [PAUSE]]]): a line
# "monotonic-time who" per connection (who: the back end's answer,
# "empty" or "fail"), one connection every PAUSE seconds.
CLIENT = r"""
import socket, sys, time
out = open(sys.argv[2], "w", buffering=1)
arg = sys.argv + [None] * 3
port, timeout, pause = int(arg[3] or %d), float(arg[4] or 0.3), float(
    arg[5] or 0.02)
while True:
    t = time.monotonic()
    try:
        c = socket.create_connection((sys.argv[1], port), timeout=timeout)
        c.settimeout(timeout)
        who = c.recv(32).decode().strip() or "empty"
        c.close()
    except OSError as e:
        who = "fail"
    out.write("%%.4f %%s\n" %% (t, who))
    time.sleep(pause)
""" % PORT

CHECK = {"inter": "200ms", "rise": 1, "fall": 1}


class FwdNode(Node):
    """vrrpd and fwd from one config file, as DESIGN.md shows it: vrrpd's
    part from the instances, fwd's section from forwarder_conf() with
    fwd_settings (timeout = {...}, grace, ...) and listen. The default
    listen: web on VIP:8080 to s1:9000, no check."""

    def __init__(self, lab, role, listen=None, fwd_settings=None, **inst):
        super().__init__(lab, role, **inst)
        self.fwd_sock = lab.path("%s-fwd.sock" % role)
        self.listen = listen or {"web": {
            "bind": [VIP + ":8080"],
            "server": {"s1": server(ADDR["s1"] + ":9000")}}}
        self.fwd_settings = fwd_settings or {}
        self.fwd = None
        self.conf = None

    def write_conf(self):
        self.starts += 1
        text = vrrpd_conf(self.router_id, self.sock, self.instances,
                          self.global_defs) + \
            forwarder_conf(self.fwd_sock, listen=self.listen,
                           **self.fwd_settings)
        self.conf = self.lab.write("pair-%s.%d.conf" % (self.role,
                                                        self.starts), text)
        return self.conf

    def fwd_argv(self):
        return [FWD, "-n", "-f", self.conf]

    def start_fwd(self):
        self.fwd = self.lab.spawn(self.role, self.fwd_argv(),
                                  name="fwd-" + self.role)
        return self.fwd

    def forwarder(self):
        """The forwarder part of `vrrpctl status`, or None."""
        st = self.lab.vrrpctl_status(self.role, self.sock)
        return st and st["forwarder"]

    def fwd_connected(self):
        return bool((self.forwarder() or {}).get("connected"))


def fwd_master(lab):
    """Node A alone: vrrpd (Master, 101, track_forwarder weight 2) from a
    file that has fwd's section too; returned once A says MASTER, fwd
    not started."""
    a = FwdNode(lab, "a", state="MASTER", priority=101,
                track_forwarder={"weight": 2})
    a.start()
    check(lab.wait_until(lambda: a.state() == "MASTER", 6) is not None,
          "A is Master")
    return a


class PairNode(FwdNode):
    """track_forwarder weight 2; fwd on VIP:8080, roundrobin over s1 and
    s2 (checked every 200 ms, fall 1), one retry, redispatch."""

    def __init__(self, lab, role, **inst):
        super().__init__(
            lab, role, track_forwarder={"weight": 2},
            fwd_settings={"timeout": {"connect": "300ms", "check": "150ms"}},
            listen={"web": {
                "bind": ["%s:%d" % (VIP, PORT)], "balance": "roundrobin",
                "retries": 1, "redispatch": True,
                "server": {s: server(ADDR[s] + ":9000", CHECK)
                           for s in ("s1", "s2")}}}, **inst)


def start_backends(lab, names=("s1", "s2")):
    """The back ends, listening before this returns: a forwarder started
    before them would see them down and its vrrpd count a flap."""
    for s in names:
        lab.spawn(s, [PYTHON, "-c", BACKEND, ADDR[s], s],
                  name="backend-" + s)
    for s in names:
        check(lab.wait_until(lambda: ":9000 " in lab.run(
            s, "ss", "-Htln", check=False).stdout, 5, 0.05) is not None,
            "back end %s listens" % s)


def start_fwd_pair(lab, node_class=PairNode):
    """Back ends s1 and s2, nodes A (101) and B (100), both starting as
    Backup, with vrrpd and fwd linked; returns (a, b) once A is Master."""
    start_backends(lab)
    a, b = start_pair(lab, node_class, a={"state": "BACKUP"})
    a.start_fwd()
    b.start_fwd()
    check(lab.wait_until(lambda: a.fwd_connected() and b.fwd_connected(), 5)
          is not None, "both forwarders linked to their vrrpd")
    check(lab.wait_until(lambda: lab.owners(VIP) == ["a"],
                         master_down(100) + 3) is not None,
          "steady state: A Master")
    return a, b


def start_client(lab, vip, name="client"):
    """The client on node c through vip, once it has 10 answers from the
    back ends (within 5 s); returns its log's path."""
    clog = lab.path("%s.log" % name)
    lab.spawn("c", [PYTHON, "-c", CLIENT, vip, clog], name=name)
    check(lab.wait_until(lambda: sum(1 for _, w in client_log(clog)
                                     if w in ("s1", "s2")) >= 10, 5)
          is not None, "the client gets answers through %s" % vip)
    return clog


def kill_fwd(lab, node, clog, vip=VIP, to="b"):
    """kill -9 of node's fwd; once `to` alone holds vip (within 3 s) and
    the client got an answer again, returns (t0, seconds the VIP took)."""
    t0 = time.monotonic()
    node.fwd.signal(signal.SIGKILL, group=False)
    check(lab.wait_until(lambda: lab.owners(vip) == [to], 3) is not None,
          "%s owns %s after %s's fwd was killed" % (to.upper(), vip,
                                                    node.role.upper()))
    vip_gap = time.monotonic() - t0
    check(lab.wait_until(lambda: any(tt > t0 + vip_gap and w != "fail"
                                     for tt, w in client_log(clog)), 3)
          is not None, "the client gets answers through %s" % to.upper())
    return t0, vip_gap


def client_log(path):
    """The client's lines as (time, who); none before it wrote any."""
    rows = []
    if not os.path.exists(path):
        return rows
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
