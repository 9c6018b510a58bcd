#!/usr/bin/python3
"""VRRPv3 interop with FRR's vrrpd (Debian's frr 8.4: zebra + vrrpd per
namespace, advertisement-interval 100 ms), IPv4 and IPv6 (VIP
2001:2::50/64), both roles. FRR puts the VIP on a macvlan child of eth0
with the virtual MAC and holds it in protodown while Backup, so "FRR
owns the VIP" means its macvlan is up (and `show vrrp` says Master).

FRR Master / vrrpd Backup: exactly one owner; vrrpd follows FRR's
adverts (Master: FRR's address, for IPv6 its macvlan's link-local) and
counts their checksum form in peer_checksum; kill -9 of FRR's vrrpd
moves the VIP to vrrpd within 3 x 0.1 + Skew_Time + 0.15 s; FRR
restarted preempts; SIGTERM of FRR's vrrpd (its priority-0 advert,
counted) within Skew_Time + 0.15 s.
vrrpd Master / FRR Backup: exactly one owner (FRR accepts our adverts);
kill -9 of vrrpd makes FRR Master within 3 x 0.1 + Skew_Time + 0.3 s
(FRR's timers: more slack); vrrpd restarted preempts; SIGTERM within
Skew_Time + 0.3 s.
Checksum forms: FRR 8.4 always includes the IPv4 pseudo-header and has
no `checksum-with-ipv4-pseudoheader` command; vrrpd with
v3_checksum_as_v2 is not heard by it (both Master). Where FRR has the
command (newer releases), the IPv4 runs repeat with `no vrrp 51
checksum-with-ipv4-pseudoheader` and vrrpd's v3_checksum_as_v2.
FRR daemons run with -N and their own config and run directories in the
lab's temp dir, are stopped by PID, and the namespaces go, also on
failure."""

import glob
import json
import os
import shutil
import signal
import sys

from lab import (ADDR, VIP, Node, check, hold, log, run_test, wait_until,
                 _sh)
from lab6 import ADV, VIP6, has6, link_local, mdi3, skew3

FRR_DIR = "/usr/lib/frr"
ZEBRA, FRR_VRRPD = (os.path.join(FRR_DIR, d) for d in ("zebra", "vrrpd"))
VRID = 51


class V4:
    """What differs between the IPv4 and IPv6 runs."""
    name = "IPv4"
    vip, prefix, frr_kw, key = VIP, 24, "ip", "v4"
    macvlan = "vrrp4-2-%d" % VRID
    vmac = "00:00:5e:00:01:%02x" % VRID

    def has(self, lab, role):
        return lab.has_addr(role, VIP)


class V6(V4):
    name = "IPv6"
    vip, prefix, frr_kw, key = VIP6, 64, "ipv6", "v6"
    macvlan = "vrrp6-2-%d" % VRID
    vmac = "00:00:5e:00:02:%02x" % VRID

    def has(self, lab, role):
        return has6(lab, role)


VRRPD_CONF = """frr defaults traditional
hostname %(role)s
interface eth0
 vrrp %(vrid)d version 3
 vrrp %(vrid)d priority %(prio)d
 vrrp %(vrid)d advertisement-interval %(adv_ms)d
 %(no)svrrp %(vrid)d checksum-with-ipv4-pseudoheader
 vrrp %(vrid)d %(kw)s %(vip)s
exit
"""


def mvl_link_local(lab, role, dev):
    r = _sh(["ip", "-n", lab.ns(role), "-j", "-6", "addr", "show", "dev",
             dev, "scope", "link"], check=False)
    try:
        data = json.loads(r.stdout or "[]")
    except ValueError:
        return None
    return next((a["local"] for link in data
                 for a in link.get("addr_info", [])
                 if a.get("local") and not a.get("tentative")), None)


class Frr:
    """zebra + vrrpd of one namespace with their own pathspace (-N),
    config and run directory, and the macvlan FRR wants for VRID 51."""

    def __init__(self, lab, role, prio, fam, pseudo=True):
        self.lab, self.role, self.fam = lab, role, fam
        mvl = self.macvlan = fam.macvlan
        lab.frr_runs = getattr(lab, "frr_runs", 0) + 1
        self.dir = lab.path("frr-%s-%d" % (role, lab.frr_runs))
        os.chmod(lab.tmp, 0o755)  # FRR (user frr) reads its files under it
        os.makedirs(self.dir)
        self.space = "%s%d" % (lab.ns(role), lab.frr_runs)
        # the virtual MAC on a macvlan in bridge mode; FRR toggles its
        # protodown, the VIP stays configured on it
        lab.run(role, "ip", "link", "add", mvl, "link", "eth0",
                "type", "macvlan", "mode", "bridge")
        lab.run(role, "ip", "link", "set", "dev", mvl, "addrgenmode",
                "random")
        lab.run(role, "ip", "link", "set", "dev", mvl, "address", fam.vmac)
        lab.run(role, "ip", "addr", "add", "%s/%d" % (fam.vip, fam.prefix),
                "dev", mvl, *(("nodad",) if fam.key == "v6" else ()))
        lab.run(role, "ip", "link", "set", "dev", mvl, "up")
        # the advert's source: eth0's address, or for IPv6 the
        # macvlan's link-local address
        self.src = ADDR[role]
        if fam.key == "v6":
            check(wait_until(lambda: mvl_link_local(lab, role, mvl), 10)
                  is not None, "link-local address on %s" % mvl)
            self.src = mvl_link_local(lab, role, mvl)
        zconf = os.path.join(self.dir, "zebra.conf")
        vconf = os.path.join(self.dir, "vrrpd.conf")
        with open(zconf, "w") as f:
            f.write("hostname %s\n" % role)
        with open(vconf, "w") as f:
            f.write(VRRPD_CONF % {"role": role, "vrid": VRID, "prio": prio,
                                  "adv_ms": int(ADV * 1000), "vip": fam.vip,
                                  "kw": fam.frr_kw,
                                  "no": "" if pseudo else "no "})
        for p in (self.dir, zconf, vconf):
            shutil.chown(p, "frr", "frr")
        zsock = os.path.join(self.dir, "zserv.api")
        common = ["-N", self.space, "-z", zsock, "--vty_socket", self.dir,
                  "-u", "frr", "-g", "frr", "--log", "stdout"]
        self.zebra = lab.spawn(role, [ZEBRA, "-f", zconf, "-i",
                                      os.path.join(self.dir, "zebra.pid")]
                               + common, name="zebra-" + role)
        check(wait_until(lambda: os.path.exists(zsock), 10) is not None,
              "FRR zebra up in %s" % role)
        self.vrrpd = lab.spawn(role, [FRR_VRRPD, "-f", vconf, "-i",
                                      os.path.join(self.dir, "vrrpd.pid")]
                               + common, name="frr-vrrpd-" + role)

    def vtysh(self, cmd):
        return self.lab.run(self.role, "vtysh", "--vty_socket", self.dir,
                            "-c", cmd, check=False, timeout=5).stdout

    def state(self):
        """FRR's IPv4 state of VRID 51 ("Master", "Backup", ...), or None."""
        try:
            data = json.loads(self.vtysh("show vrrp %d json" % VRID) or "[]")
        except ValueError:
            return None
        for g in data:
            if g.get("vrid") == VRID:
                return g.get(self.fam.key, {}).get("status")
        return None

    def link_up(self):
        """The macvlan carries traffic: not protodown, operstate up."""
        r = _sh(["ip", "-n", self.lab.ns(self.role), "-j", "link", "show",
                 "dev", self.macvlan], check=False)
        try:
            link = json.loads(r.stdout or "[]")[0]
        except (ValueError, IndexError):
            return False
        return not link.get("proto_down") and link.get("operstate") == "UP"

    def owns(self):
        return self.link_up()

    def stop(self):
        for p in (self.vrrpd, self.zebra):
            p.stop()
        self.lab.run(self.role, "ip", "link", "del", self.macvlan,
                     check=False)
        shutil.rmtree("/var/run/frr/" + self.space, ignore_errors=True)


def vrrpd_node(lab, role, state, prio, fam, **extra):
    return Node(lab, role, state=state, priority=prio, auth_pass=None,
                version=3, advert_int="100ms",
                vips=("%s/%d" % (fam.vip, fam.prefix),), **extra)


def owners(lab, frr, vn):
    """Who owns the VIP: "frr" when FRR's macvlan is up, "vrrpd" when
    the VIP is on the vrrpd node's eth0."""
    out = []
    if frr.owns():
        out.append("frr")
    if frr.fam.has(lab, vn.role):
        out.append("vrrpd")
    return out


def frr_summary(frr):
    """The lines of FRR's `show vrrp` that say what it saw and did."""
    keep = ("Status", "Advertisements", "Master Down", "Skew")
    return "; ".join(" ".join(line.split()) for line in
                     frr.vtysh("show vrrp %d" % VRID).splitlines()
                     if line.strip().startswith(keep) and
                     "(%s)" % frr.fam.key in line)


def frr_counter(frr, name):
    """A number from FRR's `show vrrp`, e.g. "Advertisements Rx (v4)"."""
    key = "%s (%s)" % (name, frr.fam.key)
    for line in frr.vtysh("show vrrp %d" % VRID).splitlines():
        if line.strip().startswith(key):
            return int(line.split()[-1])
    return None


def frr_master(lab, fam, pseudo):
    """FRR (A, 101) Master, vrrpd (B, 100) Backup, then kill -9 of FRR's
    vrrpd; FRR restarted preempts, then SIGTERM of FRR's vrrpd. Returns
    the two takeover times."""
    form = "with" if pseudo else "without"
    frr = Frr(lab, "a", 101, fam, pseudo=pseudo)
    b = vrrpd_node(lab, "b", "BACKUP", 100, fam)
    b.start()
    check(wait_until(lambda: frr.state() == "Master" and
                     owners(lab, frr, b) == ["frr"], mdi3(100) + 8)
          is not None, "%s: FRR (A, 101) Master (state %s, owners %s)"
          % (fam.name, frr.state(), owners(lab, frr, b)))
    check(hold(lambda: owners(lab, frr, b) == ["frr"], 2.0, 0.05),
          "exactly one owner for 2 s (owners %s)" % owners(lab, frr, b))
    st = b.status()
    log("vrrpd: %s master %s %s %s drops %s" % (
        st["state"], st["master_ip"], st["peer_checksum"], st["counters"],
        st["drops"]))
    check(st["state"] == "BACKUP" and st["master_ip"] == frr.src,
          "vrrpd BACKUP, master %s (%s)" % (frr.src, st["master_ip"]))
    pc = st["peer_checksum"]
    took, other = ("pseudo_header", "without") if pseudo else \
        ("without", "pseudo_header")
    check(pc[took] >= 10 and pc[other] == 0 and
          st["counters"]["adverts_received"] >= 10 and
          sum(st["drops"].values()) == 0,
          "vrrpd took FRR's adverts, checksums %s the pseudo-header "
          "(%s, drops %s)" % (form, pc, st["drops"]))
    log("FRR: " + frr_summary(frr))

    limit = mdi3(100) + 0.15
    frr.vrrpd.signal(signal.SIGKILL)
    t = wait_until(lambda: fam.has(lab, "b"), limit + 2)
    check(t is not None, "vrrpd took the VIP after kill -9 of FRR's vrrpd")
    log("%s: kill -9 FRR vrrpd -> VIP on vrrpd: %.3f s (limit %.3f)"
        % (fam.name, t, limit))
    check(t <= limit, "takeover %.3f s <= %.3f s" % (t, limit))
    frr.stop()
    check(hold(lambda: fam.has(lab, "b") and b.state() == "MASTER",
               0.5, 0.05), "vrrpd alone owns the VIP")

    frr = Frr(lab, "a", 101, fam, pseudo=pseudo)
    check(wait_until(lambda: frr.state() == "Master" and
                     owners(lab, frr, b) == ["frr"] and
                     b.state() == "BACKUP", mdi3(101) + 8) is not None,
          "FRR restarted took the VIP back (owners %s)"
          % owners(lab, frr, b))
    limit2 = skew3(100) + 0.15
    frr.vrrpd.signal(signal.SIGTERM)
    t2 = wait_until(lambda: fam.has(lab, "b"), limit2 + 2)
    check(t2 is not None, "vrrpd took the VIP after SIGTERM of FRR's vrrpd")
    log("%s: SIGTERM FRR vrrpd -> VIP on vrrpd: %.3f s (limit %.3f)"
        % (fam.name, t2, limit2))
    check(t2 <= limit2, "takeover after priority 0: %.3f s <= %.3f s"
          % (t2, limit2))
    check(b.status()["counters"]["priority_zero_received"] >= 1,
          "vrrpd counted FRR's priority-0 advert")
    frr.stop()
    b.kill(signal.SIGTERM)
    b.proc.wait(3)
    return t, t2


def vrrpd_master(lab, fam, pseudo):
    """vrrpd (A, 101) Master, FRR (B, 100) Backup, then kill -9 of
    vrrpd; vrrpd restarted preempts, then SIGTERM of vrrpd. With FRR's
    checksum without the pseudo-header, vrrpd sends that form too
    (v3_checksum_as_v2). Returns the two takeover times."""
    extra = {} if pseudo else {"v3_checksum_as_v2": True}
    a = vrrpd_node(lab, "a", "MASTER", 101, fam, **extra)
    frr = Frr(lab, "b", 100, fam, pseudo=pseudo)
    a.start()
    check(wait_until(lambda: a.state() == "MASTER" and
                     frr.state() == "Backup" and
                     owners(lab, frr, a) == ["vrrpd"], mdi3(100) + 8)
          is not None, "%s: vrrpd (A, 101) Master, FRR Backup (FRR %s, "
          "owners %s)" % (fam.name, frr.state(), owners(lab, frr, a)))
    check(hold(lambda: owners(lab, frr, a) == ["vrrpd"], 2.0, 0.05),
          "exactly one owner for 2 s: FRR accepts our adverts "
          "(owners %s)" % owners(lab, frr, a))
    log("FRR: " + frr_summary(frr))
    st = a.status()
    check(st["state"] == "MASTER" and st["counters"]["adverts_sent"] >= 15,
          "vrrpd MASTER, %d adverts sent" % st["counters"]["adverts_sent"])

    limit = mdi3(100) + 0.3
    a.kill(signal.SIGKILL)
    t = wait_until(frr.owns, limit + 2)
    check(t is not None, "FRR took the VIP after kill -9 of vrrpd")
    log("%s: kill -9 vrrpd -> FRR Master: %.3f s (limit %.3f)"
        % (fam.name, t, limit))
    check(t <= limit, "takeover %.3f s <= %.3f s" % (t, limit))
    check(frr.state() == "Master", "FRR says Master")
    a.proc.wait(3)
    lab.run("a", "ip", "addr", "del", "%s/%d" % (fam.vip, fam.prefix),
            "dev", "eth0", check=False)  # what kill -9 left behind

    a.start()
    check(wait_until(lambda: a.state() == "MASTER" and
                     frr.state() == "Backup" and
                     owners(lab, frr, a) == ["vrrpd"], mdi3(101) + 8)
          is not None, "vrrpd restarted took the VIP back (FRR %s, "
          "owners %s)" % (frr.state(), owners(lab, frr, a)))
    limit2 = skew3(100) + 0.3
    a.kill(signal.SIGTERM)
    t2 = wait_until(frr.owns, limit2 + 2)
    check(t2 is not None, "FRR took the VIP after SIGTERM of vrrpd")
    log("%s: SIGTERM vrrpd -> FRR Master: %.3f s (limit %.3f)"
        % (fam.name, t2, limit2))
    check(t2 <= limit2, "takeover after priority 0: %.3f s <= %.3f s"
          % (t2, limit2))
    check(hold(lambda: owners(lab, frr, a) == ["frr"], 0.5, 0.05),
          "FRR alone owns the VIP")
    a.proc.wait(3)
    frr.stop()
    return t, t2


def frr_needs_pseudo(lab):
    """FRR 8.4 takes only the pseudo-header form: with vrrpd sending the
    other (v3_checksum_as_v2), FRR does not hear it and becomes Master
    too. Shows the option really changes what goes out, and why it must
    stay off against this FRR."""
    fam = V4()
    a = vrrpd_node(lab, "a", "MASTER", 101, fam, v3_checksum_as_v2=True)
    frr = Frr(lab, "b", 100, fam)
    a.start()
    check(wait_until(lambda: a.state() == "MASTER", mdi3(101) + 5)
          is not None, "vrrpd (v3_checksum_as_v2) Master")
    check(wait_until(lambda: frr.state() == "Master", mdi3(100) + 5)
          is not None, "FRR Master too (%s)" % frr.state())
    check(hold(lambda: owners(lab, frr, a) == ["frr", "vrrpd"], 1.0, 0.05),
          "FRR 8.4 ignores adverts without the pseudo-header: both own the "
          "VIP for 1 s (owners %s)" % owners(lab, frr, a))
    sent = a.status()["counters"]["adverts_sent"]
    rx = frr_counter(frr, "Advertisements Rx")
    log("FRR: " + frr_summary(frr))
    check(sent >= 10 and rx == 0, "FRR received none of vrrpd's %d adverts "
          "(Rx %s)" % (sent, rx))
    a.kill(signal.SIGTERM)
    a.proc.wait(3)
    frr.stop()


def frr_has_checksum_option():
    """`checksum-with-ipv4-pseudoheader` came after FRR 8.4 (Debian 12's
    8.4 always includes the pseudo-header and has no such command)."""
    with open(FRR_VRRPD, "rb") as f:
        return b"checksum-with-ipv4-pseudoheader" in f.read()


def test(lab):
    try:
        runs_both(lab)
    finally:  # FRR's -N run directories, also when a check failed
        for d in glob.glob("/var/run/frr/%s*" % lab.prefix):
            shutil.rmtree(d, ignore_errors=True)


def runs_both(lab):
    check(wait_until(lambda: all(link_local(lab, r) for r in ("a", "b")),
                     10) is not None, "link-local addresses ready")
    times = []
    runs = [(V4(), True), (V6(), True)]
    if frr_has_checksum_option():
        runs.append((V4(), False))
    else:
        log("FRR has no checksum-with-ipv4-pseudoheader: only its "
            "pseudo-header form is tested")
        frr_needs_pseudo(lab)
    for fam, pseudo in runs:
        what = "%s%s" % (fam.name, "" if pseudo else " without pseudo-header")
        times.append(("%s FRR->vrrpd" % what, frr_master(lab, fam, pseudo)))
        times.append(("%s vrrpd->FRR" % what,
                      vrrpd_master(lab, fam, pseudo)))
    log("takeover times (kill -9, SIGTERM): " + ", ".join(
        "%s %.3f s, %.3f s" % (w, k, t) for w, (k, t) in times))


if __name__ == "__main__":
    if not os.access(FRR_VRRPD, os.X_OK) or not os.access(ZEBRA, os.X_OK):
        print("SKIP: FRR's %s or %s is missing (Debian package frr)"
              % (FRR_VRRPD, ZEBRA))
        sys.exit(77)
    run_test(test, "vtysh")
