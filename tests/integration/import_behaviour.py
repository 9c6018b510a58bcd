#!/usr/bin/python3
"""vrrpd-import, behaviour (issue #13): seed 000's keepalived.conf and
haproxy.cfg run as they are in keepalived + HAProxy (Debian's), then the
file vrrpd-import made from them runs in vrrpd + fwd, on the same lab.
Both must give the same observable result: A holds both VIPs, the
client reaches a server and sticks to it, a server whose check port stops
answering is taken out (new clients reach the other one), the stats page
answers with its auth and refuses without. One difference is asserted as
such: HAProxy's 'option persist' keeps the sticky client on the server
marked down while it still accepts; fwd moves it (vrrpd-import warns).
Then the forwarder on the Master is killed in both and the time the
client waits is measured (keepalived + HAProxy: the Backup waits out
Master_Down_Interval; vrrpd + fwd: under 2 s).

Lab adaptations of the seed, the same for both runs: lab addresses; its
timers scaled from 5 s (advert_int 5 -> 2, check inter 5000 -> 1000; the
same import, in less time); two back ends
instead of four; the stats page on each node's own address;
pid file and stats socket per node (both nodes share one file system).
For keepalived only, the check script tests this node's HAProxy by its
pid file: `killall -0 haproxy` would see the other node's HAProxy too (one
pid namespace). vrrpd-import reads the seed's `killall -0 haproxy`."""

import csv
import os
import socket
import subprocess
import time

from lab import (ADDR, BUILD_ROOT, DAEMONS, FWD, PYTHON, SOURCE_ROOT, VIP,
                 VIP2, VRRPD, check, log, recv_all, run_test)
from labpair import CLIENT, client_log, gap_around

IMPORT = os.path.join(BUILD_ROOT, "conf", "import", "vrrpd-import")
SEED = os.path.join(SOURCE_ROOT, "tests", "import", "seed000")
ADVERT = 2  # s: the seed's advert_int 5, scaled
INTER = 1  # s: the seed's check inter 5000 (ms), scaled
FALL = 3  # the seed's check fall
SCRIPT_INTERVAL = 2  # s: the seed's vrrp_script interval

# one process per port, so a check port can stop on its own
BACKEND = r"""
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], int(sys.argv[2]))); s.listen(128)
while True:
    c, _ = s.accept()
    try:
        c.sendall(("%s:%s\n" % (sys.argv[3], sys.argv[2])).encode())
    finally:
        c.close()
"""


def scale(text, seed, lab):
    check(seed in text, "the seed has %r" % seed)
    return text.replace(seed, lab)


def lab_keepalived(text, role, pidfile):
    text = text.replace("198.18.30.49", VIP).replace("198.18.30.59", VIP2)
    text = scale(text, "advert_int 5\n", "advert_int %d\n" % ADVERT)
    if role == "b":
        text = text.replace("priority 101", "priority 100")
        text = text.replace("state MASTER", "state BACKUP")
    if pidfile:
        text = text.replace('"killall -0 haproxy"',
                            '"/bin/sh -c \'kill -0 $(cat %s)\'"' % pidfile)
    return text


def lab_haproxy(text, role, tmp):
    text = text.replace("198.18.30.49", VIP).replace("198.18.30.59", VIP2)
    text = scale(text, "inter 5000 rise 2 fall %d" % FALL,
                 "inter %d rise 2 fall %d" % (INTER * 1000, FALL))
    text = text.replace("198.18.30.47", ADDR[role])
    text = text.replace("198.18.30.11", ADDR["s1"])
    text = text.replace("198.18.30.12", ADDR["s2"])
    text = "\n".join(l for l in text.split("\n")
                     if "198.18.30.13" not in l and "198.18.30.14" not in l)
    text = text.replace("/var/run/haproxy.pid",
                        os.path.join(tmp, "haproxy-%s.pid" % role))
    text = text.replace("/var/lib/haproxy/stats",
                        os.path.join(tmp, "haproxy-%s.sock" % role))
    return text + "\n"


# source addresses of fresh clients, six per run
FRESH = {"keepalived+haproxy": ["198.18.0.%d" % i for i in range(101, 107)],
         "vrrpd+fwd": ["198.18.0.%d" % i for i in range(111, 117)]}

PROBE = r"""
import socket, sys
c = socket.socket()
c.settimeout(1)
c.bind((sys.argv[1], 0))
try:
    c.connect((sys.argv[2], 443))
    print(c.recv(32).decode().strip())
except OSError:
    print("fail")
"""


def probe(lab, src):
    """One connection from src (a fresh client: no stick entry yet)."""
    r = lab.run("c", PYTHON, "-c", PROBE, src, VIP, check=False)
    return r.stdout.strip()


def http_status(lab, url, auth=None):
    argv = ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}",
            "--max-time", "3"]
    if auth:
        argv += ["-u", auth]
    r = lab.run("c", *(argv + [url]), check=False)
    return r.stdout.strip()


# the seed's server names of the two back ends the lab keeps
SERVER = {"s1": "SFBSFE01", "s2": "SFBSFE02"}


def show_stat(sock):
    """HAProxy's `show stat` CSV rows from a stats socket (HAProxy's, or
    fwd's control socket, which answers it the same way)."""
    try:
        with socket.socket(socket.AF_UNIX) as s:
            s.settimeout(3)
            s.connect(sock)
            s.sendall(b"show stat\n")
            buf = recv_all(s, 8192)
    except OSError:
        return []
    return list(csv.DictReader(buf.decode().lstrip("# ").splitlines()))


def marked_down(sock, server):
    """True when A's proxy SFBS_int (ports 80 and 443) has server down."""
    return any(r.get("pxname") == "SFBS_int" and r.get("svname") == server
               and r.get("status", "").startswith("DOWN")
               for r in show_stat(sock))


def start_backends(lab):
    procs = {}
    for s in ("s1", "s2"):
        for port in (80, 443, 4443):
            procs[(s, port)] = lab.spawn(
                s, [PYTHON, "-c", BACKEND, ADDR[s], str(port), s],
                name="backend-%s-%d" % (s, port))
    return procs


def observe(lab, kind, procs, kill_forwarder, stat_sock):
    """The checks both pairs must pass; returns the client's wait (s)
    after kill_forwarder() on the Master (stat_sock: A's socket that
    answers `show stat`)."""
    check(lab.wait_until(lambda: lab.owners(VIP) == ["a"] and
                         lab.owners(VIP2) == ["a"], 25) is not None,
          "%s: A holds both VIPs (%s, %s)" % (kind, lab.owners(VIP),
                                              lab.owners(VIP2)))
    clog = lab.path("client-%s.log" % kind)
    client = lab.spawn("c", [PYTHON, "-c", CLIENT, VIP, clog, "443", "0.5",
                             "0.05"],
                       name="client-" + kind)
    check(lab.wait_until(lambda: sum(1 for _, w in client_log(clog)
                                     if w.startswith("s")) >= 20, 15)
          is not None, "%s: the client gets answers through the VIP" % kind)
    answers = [w for _, w in client_log(clog) if w != "fail"]
    check(len(set(answers)) == 1 and answers[0].endswith(":443"),
          "%s: every answer from one server, port 443 (stick on src): %s"
          % (kind, sorted(set(answers))))
    first = answers[0].split(":")[0]
    other = "s2" if first == "s1" else "s1"
    check(http_status(lab, "http://%s:8080/stats" % ADDR["a"],
                      "admin:password") == "200",
          "%s: the stats page answers with its auth" % kind)
    check(http_status(lab, "http://%s:8080/stats" % ADDR["a"]) == "401",
          "%s: the stats page refuses without auth" % kind)

    # the sticky server's check port (80) stops (inter, fall 3): after
    # that, fresh clients (new source addresses, no stick entry) reach
    # only the other server; before, roundrobin alternates them
    procs[(first, 80)].stop()
    # fall x inter, plus up to one inter until the first failed check
    # (both spread checks over inter), plus margin; A's show stat says
    # when it took the server out
    check(lab.wait_until(lambda: marked_down(stat_sock, SERVER[first]),
                         FALL * INTER + INTER + 3, 0.2) is not None,
          "%s: A marks %s (%s) down" % (kind, first, SERVER[first]))
    fresh = {probe(lab, a) for a in FRESH[kind]}
    check(fresh == {other + ":443"}, "%s: %s taken out by its check port: "
          "fresh clients reach %s only (%s)" % (kind, first, other,
                                               sorted(fresh)))
    # the sticky client: HAProxy's 'option persist' keeps it on the server
    # marked down while that still accepts; fwd moves it (vrrpd-import
    # warns about exactly this)
    time.sleep(1)
    recent = {w for tt, w in client_log(clog) if tt > time.monotonic() - 0.8
              and w != "fail"}
    log("%s: the sticky client now reaches %s" % (kind, sorted(recent)))
    want = first if kind.startswith("keepalived") else other
    check(recent == {want + ":443"}, "%s: the sticky client on %s (%s)"
          % (kind, want, sorted(recent)))
    procs[(first, 80)] = lab.spawn(
        first, [PYTHON, "-c", BACKEND, ADDR[first], "80", first],
        name="backend-%s-80-again" % first)

    # the forwarder on the Master dies
    time.sleep(1)
    t0 = time.monotonic()
    kill_forwarder()
    check(lab.wait_until(lambda: lab.owners(VIP) == ["b"], 40) is not None,
          "%s: B holds the VIP after the Master's forwarder died" % kind)
    check(lab.wait_until(lambda: any(tt > t0 and w != "fail"
                                     for tt, w in client_log(clog)), 10)
          is not None, "%s: the client gets answers through B" % kind)
    gap = gap_around(client_log(clog), t0)
    log("%s: forwarder killed on the Master -> client waited %.2f s"
        % (kind, gap))
    client.stop()
    return gap


def run_keepalived_haproxy(lab, procs):
    nodes = {}
    for role in ("a", "b"):
        lab.run(role, "sysctl", "-qw", "net.ipv4.ip_nonlocal_bind=1")
        pid = os.path.join(lab.tmp, "haproxy-%s.pid" % role)
        hcfg = lab.write("haproxy-%s.cfg" % role, lab_haproxy(
            open(os.path.join(SEED, "haproxy.cfg")).read(), role, lab.tmp))
        kcfg = lab.write("keepalived-%s.conf" % role, lab_keepalived(
            open(os.path.join(SEED, "keepalived.conf")).read(), role, pid))
        r = lab.run(role, "haproxy", "-c", "-f", hcfg, check=False)
        check(r.returncode == 0, "haproxy -c accepts the seed: %s"
              % r.stderr[-500:])
        hp = lab.spawn(role, ["haproxy", "-db", "-f", hcfg],
                       name="haproxy-" + role)
        with open(pid, "w") as f:  # -db writes no pid file
            f.write("%d\n" % hp.pid)
        ka = lab.start_keepalived(role, kcfg)
        nodes[role] = (hp, ka)
    def kill_haproxy():
        nodes["a"][0].signal(9, group=False)
        nodes["a"][0].wait(2)  # reaped, as systemd would: no zombie

    gap = observe(lab, "keepalived+haproxy", procs, kill_haproxy,
                  os.path.join(lab.tmp, "haproxy-a.sock"))
    # SIGTERM to all four first: keepalived takes ~1 s to exit, and the
    # waits then overlap
    for role in ("b", "a"):
        for p in nodes[role]:
            p.signal(15)
    for role in ("b", "a"):
        for p in nodes[role]:
            p.stop()
    for role in ("a", "b"):
        lab.run(role, "sysctl", "-qw", "net.ipv4.ip_nonlocal_bind=0")
    check(lab.wait_until(lambda: lab.owners(VIP) == [] and
                         lab.owners(VIP2) == [], 10) is not None,
          "keepalived removed the VIPs")
    return gap


def import_for(lab, role):
    """What the operator of node ROLE runs: vrrpd-import on its files."""
    d = lab.path("import-" + role)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "keepalived.conf"), "w") as f:
        f.write(lab_keepalived(open(os.path.join(SEED, "keepalived.conf"))
                               .read(), role, None))
    with open(os.path.join(d, "haproxy.cfg"), "w") as f:
        f.write(lab_haproxy(open(os.path.join(SEED, "haproxy.cfg")).read(),
                            role, lab.tmp))
    out = os.path.join(d, "vrrpd.conf")
    r = subprocess.run([IMPORT, "--keepalived", "keepalived.conf",
                        "--haproxy", "haproxy.cfg", "-o", out], cwd=d,
                       capture_output=True, text=True)
    check(r.returncode == 0, "vrrpd-import: %s" % r.stderr[-800:])
    check("track_forwarder = { weight = 2; }" in r.stderr,
          "the killall idiom became track_forwarder")
    text = open(out).read()
    # the lab's control sockets: both nodes share one file system
    vsock = lab.path("vrrpd-%s.sock" % role)
    fsock = lab.path("fwd-%s.sock" % role)
    text = text.replace("\nglobal_defs = {", '\nglobal_defs = {\n  '
                        'control_socket = "%s";' % vsock, 1)
    text = text.replace("\nforwarder = {", '\nforwarder = {\n  '
                        'control_socket = "%s";' % fsock, 1)
    with open(out, "w") as f:
        f.write(text)
    for prog in (VRRPD, FWD):
        r = subprocess.run([prog, "-t", "-f", out], capture_output=True,
                           text=True)
        check(r.returncode == 0, "%s -t: %s" % (prog, r.stderr))
    return out


def run_pair(lab, procs):
    # fwd drops to user haproxy: it must reach vrrpd's socket in lab.tmp
    os.chmod(lab.tmp, 0o711)
    nodes = {}
    for role in ("a", "b"):
        conf = import_for(lab, role)
        v = lab.spawn(role, [VRRPD, "-n", "-f", conf, "-l", "debug"],
                      name="vrrpd-" + role)
        f = lab.spawn(role, [FWD, "-n", "-f", conf], name="fwd-" + role)
        nodes[role] = (v, f)
    def kill_fwd():
        nodes["a"][1].signal(9, group=False)
        nodes["a"][1].wait(2)

    return observe(lab, "vrrpd+fwd", procs, kill_fwd,
                   lab.path("fwd-a.sock"))


def test(lab):
    for addrs in FRESH.values():
        for a in addrs:
            lab.run("c", "ip", "addr", "add", a + "/24", "dev", "eth0")
    procs = start_backends(lab)
    gap_ka = run_keepalived_haproxy(lab, procs)
    gap_ours = run_pair(lab, procs)
    log("client wait after the Master's forwarder died: keepalived + "
        "HAProxy %.2f s, vrrpd + fwd %.2f s" % (gap_ka, gap_ours))
    # B's Master_Down_Interval (3 x advert_int + skew) runs from A's last
    # advert at full priority, sent at most one script interval before
    # the killed HAProxy was seen
    least = 3 * ADVERT - SCRIPT_INTERVAL
    check(gap_ka > least, "keepalived + HAProxy waited for "
          "Master_Down_Interval (advert_int %d): %.2f s > %d s"
          % (ADVERT, gap_ka, least))
    check(gap_ours < 2, "vrrpd + fwd: %.2f s < 2 s" % gap_ours)


if __name__ == "__main__":
    run_test(test, "keepalived", "haproxy", "curl",
             roles=("a", "b", "c", "s1", "s2"),
             binaries=DAEMONS + (IMPORT,))
