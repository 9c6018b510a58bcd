#!/usr/bin/python3
"""Anycast behind a real BGP router (issue 17): one router namespace running
FRR (zebra + bgpd, maximum-paths, L4 hashing) and three load-balancer
namespaces each running FRR (conf/examples/anycast/frr.conf), vrrpd with
an anycast_instance (198.19.0.50/32 on lo, track_forwarder, hold_down 1 s)
and fwd; back ends on the LAN, a client behind the router. eBGP timers
1/3 (BFD_TOO=1 in the environment adds a BFD run).

Checks and measures: all three nodes in the router's ECMP set; kill -9 of
fwd on l1 takes l1 out of the set (time from the kill to the router's
route losing the next hop); new connections from the client (failures,
longest gap); long-lived sessions: the ones on l1 are lost (the honest
limit), and how many on l2/l3 break when l1 leaves and when it returns
(plain ECMP rehashing); fwd back on l1: back in the set only after
hold_down. FRR daemons run with -N and their own config and run
directories in the lab's temp dir; they are stopped by PID, and the
namespaces go, also on failure."""

import os
import re
import shutil
import signal
import subprocess
import sys
import time

from lab import (DAEMONS, FWD, PYTHON, SOURCE_ROOT, _sh, check, log,
                 run_test, wait_until)

FRR_DIR = "/usr/lib/frr"
ZEBRA, BGPD, BFDD = (os.path.join(FRR_DIR, d) for d in
                     ("zebra", "bgpd", "bfdd"))
ROUTER = "198.18.0.1"
ROUTER_C = "198.18.2.1"
CLIENT = "198.18.2.100"
LBS = {"l1": "198.18.0.31", "l2": "198.18.0.32", "l3": "198.18.0.33"}
BACKENDS = {"s1": "198.18.0.21", "s2": "198.18.0.22"}
AVIP = "198.19.0.50"
HOLD = 1.0
SESSIONS = 48

ROUTER_CONF = """frr defaults traditional
hostname r
ip prefix-list ANYCAST seq 5 permit 198.19.0.0/16 ge 32
route-map FROM-LB permit 10
 match ip address prefix-list ANYCAST
exit
router bgp 65000
 bgp router-id %(router)s
 neighbor LB peer-group
 neighbor LB remote-as 65001
 neighbor LB timers 1 3
 neighbor LB timers connect 1
 neighbor LB advertisement-interval 0
%(bfd)s%(neighbors)s
 address-family ipv4 unicast
  neighbor LB route-map FROM-LB in
  maximum-paths 16
 exit-address-family
exit
"""

NODE_CONF = """global_defs = {
  router_id = "%(role)s";
  control_socket = "%(sock)s";
};
anycast_instance = {
  AC = {
    virtual_ipaddress = [ "%(vip)s/32" ];
    track_forwarder = { };
    hold_down = "%(hold)dms";
  };
};
forwarder = {
  control_socket = "%(fwd_sock)s";
  timeout = { connect = "300ms"; check = "150ms"; };
  listen = {
    web = { bind = [ "%(vip)s:8080" ]; balance = "roundrobin";
      server = {
        s1 = { address = "%(s1)s:9000"; check = { inter = "200ms"; }; };
        s2 = { address = "%(s2)s:9000"; check = { inter = "200ms"; }; };
      }; };
    echo = { bind = [ "%(vip)s:9001" ];
      server = { s1 = { address = "%(s1)s:9001";
                        check = { inter = "200ms"; }; }; }; };
  };
};
"""

# web on 9000 answers "NAME PEER" (PEER: the node whose fwd connected);
# echo on 9001 says PEER first, then echoes.
BACKEND = r"""
import socket, sys, threading
def serve(port, fn):
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((sys.argv[1], port)); s.listen(256)
    while True:
        c, peer = s.accept()
        threading.Thread(target=fn, args=(c, peer[0]), daemon=True).start()
def web(c, peer):
    try:
        c.sendall(("%s %s\n" % (sys.argv[2], peer)).encode())
    finally:
        c.close()
def echo(c, peer):
    try:
        c.sendall((peer + "\n").encode())
        while True:
            b = c.recv(4096)
            if not b:
                break
            c.sendall(b)
    except OSError:
        pass
    c.close()
threading.Thread(target=serve, args=(9001, echo), daemon=True).start()
serve(9000, web)
"""

# New connections, one every 10 ms: "time node" or "time fail".
CLIENT_LOOP = r"""
import socket, sys, time
out = open(sys.argv[2], "w", buffering=1)
while True:
    t = time.time()
    try:
        c = socket.create_connection((sys.argv[1], 8080), timeout=0.3)
        c.settimeout(0.3)
        who = c.recv(64).decode().split()[1]
        c.close()
    except (OSError, IndexError):
        who = "fail"
    out.write("%.4f %s\n" % (t, who))
    time.sleep(0.01)
"""

# Long-lived sessions: each learns its node, then pings every 100 ms;
# logs "time idx node up|dead".
SESSIONS_LOOP = r"""
import socket, sys, time
out = open(sys.argv[3], "w", buffering=1)
conns = []
for i in range(int(sys.argv[2])):
    c = socket.create_connection((sys.argv[1], 9001), timeout=2)
    c.settimeout(1)
    node = c.recv(64).decode().strip()
    conns.append([c, node, True])
    out.write("%.4f %d %s up\n" % (time.time(), i, node))
while True:
    for i, s in enumerate(conns):
        if not s[2]:
            continue
        try:
            s[0].sendall(b"ping\n")
            got = b""
            while not got.endswith(b"\n"):
                b = s[0].recv(64)
                if not b:
                    raise OSError("closed")
                got += b
        except OSError:
            s[2] = False
            out.write("%.4f %d %s dead\n" % (time.time(), i, s[1]))
    time.sleep(0.1)
"""

# The router's next hops for the VIP, logged at each change.
POLLER = r"""
import re, subprocess, sys, time
out = open(sys.argv[2], "w", buffering=1)
last = None
while True:
    r = subprocess.run(["ip", "-o", "route", "show", sys.argv[1]],
                       capture_output=True, text=True)
    hops = sorted(set(re.findall(r"via (\S+)", r.stdout)))
    if hops != last:
        out.write("%.4f %s\n" % (time.time(), ",".join(hops) or "-"))
        last = hops
    time.sleep(0.002)
"""


class Frr:
    """zebra + bgpd (+ bfdd) of one namespace, with its own pathspace
    (-N), config and run directory."""

    def __init__(self, lab, role, bgpd_conf, bfd=False):
        self.lab, self.role = lab, role
        self.dir = lab.path("frr-" + role)
        os.makedirs(self.dir)
        self.space = lab.ns(role)
        zconf = os.path.join(self.dir, "zebra.conf")
        bconf = os.path.join(self.dir, "bgpd.conf")
        with open(zconf, "w") as f:
            f.write("hostname %s\n" % role)
        with open(bconf, "w") as f:
            f.write(bgpd_conf)
        shutil.chown(self.dir, "frr", "frr")
        for p in (zconf, bconf):
            shutil.chown(p, "frr", "frr")
        zsock = os.path.join(self.dir, "zserv.api")
        common = ["-N", self.space, "-z", zsock, "--vty_socket", self.dir,
                  "-u", "frr", "-g", "frr"]
        self.procs = [lab.spawn(role, [ZEBRA, "-f", zconf, "-i",
                                       os.path.join(self.dir, "zebra.pid")]
                                + common, name="zebra-" + role)]
        check(wait_until(lambda: os.path.exists(zsock), 10) is not None,
              "zebra up in %s" % role)
        if bfd:
            fconf = os.path.join(self.dir, "bfdd.conf")
            with open(fconf, "w") as f:
                f.write(BFD_PROFILE)
            shutil.chown(fconf, "frr", "frr")
            self.procs.append(lab.spawn(role, [
                BFDD, "-f", fconf, "-i", os.path.join(self.dir, "bfdd.pid"),
                "--bfdctl", os.path.join(self.dir, "bfdd.sock")] + common,
                name="bfdd-" + role))
        self.procs.append(lab.spawn(role, [
            BGPD, "-f", bconf, "-i", os.path.join(self.dir, "bgpd.pid")]
            + common, name="bgpd-" + role))

    def vtysh(self, cmd):
        return self.lab.run(self.role, "vtysh", "--vty_socket", self.dir,
                            "-c", cmd, check=False).stdout

    def stop(self):
        for p in reversed(self.procs):
            p.stop()
        shutil.rmtree("/var/run/frr/" + self.space, ignore_errors=True)


def lb_frr_conf(addr):
    """The shipped example with this node's router-id."""
    with open(os.path.join(SOURCE_ROOT, "conf", "examples", "anycast",
                           "frr.conf")) as f:
        text = f.read()
    return text.replace("bgp router-id 198.18.0.31",
                        "bgp router-id " + addr)


def rows(path):
    out = []
    if os.path.exists(path):
        for line in open(path).read().split("\n"):
            parts = line.split()
            if len(parts) >= 2:
                out.append([float(parts[0])] + parts[1:])
    return out


class Topology:
    def __init__(self, lab, bfd=False):
        self.lab, self.bfd = lab, bfd
        self.frr = {}
        self.fwd = {}
        self.conf = {}

    def build(self):
        lab = self.lab
        lab.add_node("r", ROUTER)
        for role, addr in list(LBS.items()) + list(BACKENDS.items()):
            lab.add_node(role, addr)
        # the client sits behind the router on its own link
        c = lab.ns("c")
        _sh(["ip", "netns", "add", c])
        lab.created.append(c)
        _sh(["ip", "-n", c, "link", "set", "lo", "up"])
        _sh(["ip", "-n", lab.ns("r"), "link", "add", "eth1", "type", "veth",
             "peer", "name", "eth0", "netns", c])
        _sh(["ip", "-n", lab.ns("r"), "addr", "add", ROUTER_C + "/24",
             "dev", "eth1"])
        _sh(["ip", "-n", lab.ns("r"), "link", "set", "eth1", "up"])
        _sh(["ip", "-n", c, "addr", "add", CLIENT + "/24", "dev", "eth0"])
        _sh(["ip", "-n", c, "link", "set", "eth0", "up"])
        _sh(["ip", "-n", c, "route", "add", "default", "via", ROUTER_C])
        lab.run("r", "sysctl", "-qw", "net.ipv4.ip_forward=1",
                "net.ipv4.fib_multipath_hash_policy=1")
        for role in LBS:
            _sh(["ip", "-n", lab.ns(role), "route", "add",
                 "198.18.2.0/24", "via", ROUTER])
        for role, addr in BACKENDS.items():
            lab.spawn(role, [PYTHON, "-c", BACKEND, addr, role],
                      name="backend-" + role)
        bfd = (" neighbor LB bfd\n neighbor LB bfd profile fast\n"
               if self.bfd else "")
        neighbors = "".join(" neighbor %s peer-group LB\n" % a
                            for a in LBS.values())
        rconf = ROUTER_CONF % dict(router=ROUTER, bfd=bfd,
                                   neighbors=neighbors)
        os.chmod(lab.tmp, 0o755)  # frr reads its files under it
        self.frr["r"] = Frr(lab, "r", rconf, bfd=self.bfd)
        for role, addr in LBS.items():
            conf = lb_frr_conf(addr)
            if self.bfd:
                conf = conf.replace(
                    " neighbor 198.18.0.1 timers 1 3\n",
                    " neighbor 198.18.0.1 timers 1 3\n"
                    " neighbor 198.18.0.1 bfd\n"
                    " neighbor 198.18.0.1 bfd profile fast\n")
            self.frr[role] = Frr(lab, role, conf, bfd=self.bfd)
            self.start_node(role)
        self.poll = lab.path("router-nexthops.log")
        lab.spawn("r", [PYTHON, "-c", POLLER, AVIP, self.poll],
                  name="poller")

    def start_node(self, role):
        lab = self.lab
        sock = lab.path("%s-vrrpd.sock" % role)
        self.conf[role] = lab.write("%s.conf" % role, NODE_CONF % dict(
            role=role, sock=sock, vip=AVIP, hold=int(HOLD * 1000),
            fwd_sock=lab.path("%s-fwd.sock" % role), s1=BACKENDS["s1"],
            s2=BACKENDS["s2"]))
        lab.start_vrrpd(role, self.conf[role])
        self.start_fwd(role)

    def start_fwd(self, role):
        self.fwd[role] = self.lab.spawn(role, [FWD, "-n", "-f",
                                               self.conf[role]],
                                        name="fwd-" + role)

    def hops(self):
        r = rows(self.poll)
        return r[-1][1].split(",") if r and r[-1][1] != "-" else []

    def hop_change_after(self, t0, pred, timeout):
        """Time of the first logged next-hop set after t0 meeting pred."""
        def find():
            for r in rows(self.poll):
                hops = r[1].split(",") if r[1] != "-" else []
                if r[0] >= t0 and pred(hops):
                    return r[0]
            return None
        wait_until(lambda: find() is not None, timeout)
        return find()

    def stop(self):
        # the test is over: kill -9 the forwarders, whose SIGTERM would
        # wait out the grace for sessions left open (3 s each, one by one)
        for p in self.fwd.values():
            p.signal(signal.SIGKILL, group=False)
        for f in self.frr.values():
            f.stop()
        # -N made these; one whose daemons failed to start too
        for role in ["r"] + list(LBS):
            shutil.rmtree("/var/run/frr/" + self.lab.ns(role),
                          ignore_errors=True)


BFD_PROFILE = """bfd
 profile fast
  receive-interval 100
  transmit-interval 100
  detect-multiplier 3
 exit
exit
"""


def sessions_by(path, t_from=0, t_to=1e18):
    """{node: count} of sessions that died in [t_from, t_to)."""
    dead = {}
    for r in rows(path):
        if r[3] == "dead" and t_from <= r[0] < t_to:
            dead[r[2]] = dead.get(r[2], 0) + 1
    return dead


def test(lab, bfd=False):
    top = Topology(lab, bfd=bfd)
    try:
        run(lab, top)
    finally:
        top.stop()


def run(lab, top):
    top.build()
    l1 = LBS["l1"]
    everyone = sorted(LBS.values())
    t = wait_until(lambda: top.hops() == everyone, 30)
    if t is None:
        for cmd in ("show bgp summary", "show bfd peers brief",
                    "show ip route"):
            log(top.frr["r"].vtysh(cmd))
        log(top.frr["l1"].vtysh("show ip route"))
    check(t is not None, "all three nodes in the router's ECMP set (%s)"
          % top.hops())
    log("ECMP set complete: %s" % top.hops())
    log(top.frr["r"].vtysh("show ip route %s" % AVIP))

    clog = lab.path("client.log")
    slog = lab.path("sessions.log")
    lab.spawn("c", [PYTHON, "-c", CLIENT_LOOP, AVIP, clog], name="client")
    lab.spawn("c", [PYTHON, "-c", SESSIONS_LOOP, AVIP, str(SESSIONS), slog],
              name="sessions")
    check(wait_until(lambda: sum(1 for r in rows(slog) if r[3] == "up")
                     == SESSIONS, 10) is not None,
          "%d long-lived sessions open" % SESSIONS)
    time.sleep(1.5)
    up = {}
    for r in rows(slog):
        up[r[2]] = up.get(r[2], 0) + 1
    log("sessions per node: %s" % up)
    seen = set(r[1] for r in rows(clog) if r[1] != "fail")
    check(seen == set(everyone), "new connections reach all three nodes "
          "(%s)" % sorted(seen))
    early = sum(1 for r in rows(clog) if r[1] == "fail")
    # a slow (sanitizer) build on a loaded machine may miss one 0.3 s
    # deadline; more means the set-up is broken
    check(early <= 1, "at most one failed connection before the kill "
          "(%d)" % early)

    # kill -9 of fwd on l1
    t0 = time.time()
    top.fwd["l1"].signal(signal.SIGKILL)
    tw = top.hop_change_after(t0, lambda h: l1 not in h and h, 10)
    check(tw is not None, "l1 left the router's ECMP set")
    withdraw = tw - t0
    log("kill -9 fwd on l1 -> router's route without l1: %.0f ms"
        % (withdraw * 1000))
    check(top.hops() == sorted([LBS["l2"], LBS["l3"]]),
          "l2 and l3 stay (%s)" % top.hops())
    check(withdraw < 1.0, "withdrawn in %.3f s < 1 s" % withdraw)
    time.sleep(2)
    t1 = time.time()
    fails = [r[0] for r in rows(clog) if t0 <= r[0] < t1 and
             r[1] == "fail"]
    oks = [r[0] for r in rows(clog) if r[0] >= t0 - 1 and r[1] != "fail"]
    gap = max((b - a for a, b in zip(oks, oks[1:])), default=0)
    log("new connections while l1 left: %d failed, longest gap %.0f ms"
        % (len(fails), gap * 1000))
    late = [f for f in fails if f > tw + 0.35]
    check(not late, "no failure once the route was withdrawn (+0.35 s "
          "for the client's timeout): %s" % late)
    dead = sessions_by(slog, t0, t1)
    log("sessions broken when l1 left: %s (of %s)" % (dead, up))
    check(dead.get(l1, 0) == up.get(l1, 0), "every session on l1 is lost "
          "(the honest limit)")
    survivors_broken_leave = sum(v for k, v in dead.items() if k != l1)
    # sessions opened while l1 is out: the ones a return can break (the
    # older survivors hash to the node they had before l1 left)
    slog2 = lab.path("sessions2.log")
    lab.spawn("c", [PYTHON, "-c", SESSIONS_LOOP, AVIP, str(SESSIONS),
                    slog2], name="sessions2")
    check(wait_until(lambda: sum(1 for r in rows(slog2) if r[3] == "up")
                     == SESSIONS, 10) is not None,
          "%d more sessions open while l1 is out" % SESSIONS)

    # fwd back on l1: in the set again only after hold_down
    top.fwd["l1"].wait(5)
    t2 = time.time()
    top.start_fwd("l1")
    tb = top.hop_change_after(t2, lambda h: l1 in h, 15)
    check(tb is not None, "l1 back in the ECMP set")
    log("fwd restarted on l1 -> back in the router's set: %.0f ms "
        "(hold_down %.0f ms)" % ((tb - t2) * 1000, HOLD * 1000))
    check(tb - t2 >= HOLD, "not before hold_down")
    time.sleep(2)
    t3 = time.time()
    dead2 = sessions_by(slog, t2, t3)
    log("sessions on l2/l3 broken when l1 came back: %s" % dead2)
    dead3 = sessions_by(slog2, t2, t3)
    log("sessions opened while l1 was out, broken when it came back: %s "
        "of %d" % (dead3, SESSIONS))
    fails2 = [r[0] for r in rows(clog) if t2 <= r[0] < t3 and
              r[1] == "fail"]
    log("new connections while l1 returned: %d failed" % len(fails2))
    check(not fails2, "no new connection fails when a node joins")

    # the whole node gone silent (its link cut, nothing says goodbye):
    # only the BGP hold time (3 s) or BFD (3 x 100 ms) notices
    t4 = time.time()
    _sh(["ip", "-n", lab.brns, "link", "set", "l3", "down"])
    tl = top.hop_change_after(t4, lambda h: LBS["l3"] not in h and h, 10)
    check(tl is not None, "l3 left the set when its link was cut")
    node_dead = tl - t4
    log("l3's link cut -> out of the router's set: %.0f ms (%s)"
        % (node_dead * 1000, "BFD 100 ms x 3" if top.bfd else
           "BGP hold time 3 s"))
    check(node_dead < (1.0 if top.bfd else 4.5), "in time")

    log("FIGURES bfd=%d node_dead_ms=%.0f withdraw_ms=%.0f "
        "new_conn_fail=%d gap_ms=%.0f "
        "survivor_sessions_broken_leave=%d/%d "
        "survivor_sessions_broken_return=%d/%d "
        "sessions_opened_during_broken_return=%d/%d return_ms=%.0f"
        % (top.bfd, node_dead * 1000, withdraw * 1000, len(fails),
           gap * 1000,
           survivors_broken_leave, SESSIONS - up.get(l1, 0),
           sum(dead2.values()), SESSIONS - up.get(l1, 0),
           sum(dead3.values()), SESSIONS, (tb - t2) * 1000))


def hands_on(lab, bfd=False):
    """scripts/lab anycast: the topology, kept until Ctrl-C."""
    top = Topology(lab, bfd=bfd)
    try:
        top.build()
        wait_until(lambda: len(top.hops()) == 3, 30)
        vty = "ip netns exec %s vtysh --vty_socket %s" % (
            lab.ns("r"), top.frr["r"].dir)
        print("""
anycast lab up (prefix %(p)s), VIP %(vip)s:8080 through the router.
  router's next hops:  ip -n %(p)sr route show %(vip)s
  router's BGP:        %(vty)s -c 'show bgp summary'
  a node's state:      ip netns exec %(p)sl1 %(ctl)s -s %(sock)s status
  the client:          ip netns exec %(p)sc %(py)s -c "import socket; \\
    print(socket.create_connection(('%(vip)s', 8080)).recv(64).decode())"
  take l1 out:         kill -9 %(fwd)d   (its fwd)
logs and configs in %(tmp)s; Ctrl-C removes everything.""" % dict(
            p=lab.prefix, vip=AVIP, vty=vty, tmp=lab.tmp, py=PYTHON,
            ctl=os.path.join(os.path.dirname(os.path.dirname(FWD)),
                             "vrrpd", "vrrpctl"),
            sock=lab.path("l1-vrrpd.sock"), fwd=top.fwd["l1"].pid),
            flush=True)
        try:  # the lab turns SIGINT/SIGTERM into SystemExit
            while True:
                time.sleep(3600)
        except SystemExit:
            pass
    finally:
        top.stop()


if __name__ == "__main__":
    for tool in (ZEBRA, BGPD):
        if not os.access(tool, os.X_OK):
            print("SKIP: FRR is not installed (%s)" % tool)
            raise SystemExit(77)
    bfd = os.environ.get("ANYCAST_BFD") == "1"
    if "--up" in sys.argv:
        run_test(lambda lab: hands_on(lab, bfd=bfd), "vtysh", roles=(),
                 binaries=DAEMONS)
    run_test(lambda lab: test(lab, bfd=bfd), "vtysh", roles=(),
             binaries=DAEMONS)
