#!/usr/bin/python3
"""VRRPv3 interop with keepalived (vrrp_version 3, advert_int 0.1), IPv4,
both roles; with LAB_IP=6 (the test vrrp3_interop_keepalived6) the same
over IPv6 (native_ipv6, VIP 2001:2::50/64; the Master vrrpd reports is
keepalived's link-local address). keepalived Master / vrrpd Backup:
exactly one owns the VIP, vrrpd follows keepalived's adverts
(pseudo-header checksums, nothing dropped); kill -9 of keepalived moves
the VIP to vrrpd within 3 x 0.1 + Skew_Time + 0.15 s, SIGTERM within
Skew_Time + 0.15 s.
vrrpd Master / keepalived Backup: exactly one owner; kill -9 and SIGTERM
of vrrpd move the VIP to keepalived (its own timers: 0.25 s of slack)."""

import os
import signal

from lab import ADDR, Node, VIP, check, hold, log, run_test, takeover, wait_ctl
from lab6 import VIP6, has6, link_local, mdi3, owners6, skew3


class Family:
    """What differs between the IPv4 and IPv6 runs: the VIP, how to see
    who owns it, and the Master's address as vrrpd reports it."""
    vip = VIP
    prefix = 24
    extra = {}

    def owners(self, lab):
        return lab.owners(VIP)

    def has(self, lab, role):
        return lab.has_addr(role, VIP)

    def master_addr(self, lab, role):
        return ADDR[role]


V4 = Family()


class V6(Family):
    vip = VIP6
    prefix = 64
    extra = {"native_ipv6": True}  # keepalived's (deprecated) spelling

    def owners(self, lab):
        return owners6(lab)

    def has(self, lab, role):
        return has6(lab, role)

    def master_addr(self, lab, role):
        return link_local(lab, role)


def node(lab, role, kind, state, prio, fam):
    extra = dict(fam.extra) if kind == "keepalived" else {}
    return Node(lab, role, kind, state=state, priority=prio, auth_pass=None,
                version=3, advert_int="100ms",
                vips=("%s/%d" % (fam.vip, fam.prefix),), **extra)


def gone(lab, n):
    """Wait until the daemon's whole process group has exited (keepalived
    refuses to start while its killed VRRP child is still around)."""
    n.proc.wait(3)

    def empty():
        try:
            os.killpg(n.proc.pid, 0)
            return False
        except ProcessLookupError:
            return True
    lab.wait_until(empty, 3)


def drop_vip(lab, fam, role):
    lab.run(role, "ip", "addr", "del", "%s/%d" % (fam.vip, fam.prefix),
            "dev", "eth0", check=False)


def one_owner(lab, fam, who, secs=1.0):
    return hold(lambda: fam.owners(lab) == [who], secs, 0.05)


def keepalived_master(lab, fam):
    a = node(lab, "a", "keepalived", "MASTER", 101, fam)
    b = node(lab, "b", "vrrpd", "BACKUP", 100, fam)
    a.start()
    b.start()
    check(lab.wait_until(lambda: fam.owners(lab) == ["a"], mdi3(100) + 5)
          is not None, "keepalived (A, 101) owns the VIP")
    check(one_owner(lab, fam, "a", 2.0),
          "exactly one owner for 2 s (owners %s)" % fam.owners(lab))
    st = b.status()
    log("vrrpd: %s %s %s" % (st["state"], st["peer_checksum"],
                              st["counters"]))
    check(st["state"] == "BACKUP" and
          st["master_ip"] == fam.master_addr(lab, "a"),
          "vrrpd BACKUP, master %s (%s)" % (fam.master_addr(lab, "a"),
                                             st["master_ip"]))
    check((fam is not V4 or st["peer_checksum"]["pseudo_header"] >= 10) and
          st["counters"]["adverts_received"] >= 10 and
          st["peer_checksum"]["without"] == 0 and
          sum(st["drops"].values()) == 0,
          "vrrpd took keepalived's adverts with pseudo-header checksums "
          "(%s, drops %s)" % (st["peer_checksum"], st["drops"]))

    takeover(lab, a, b, signal.SIGKILL, mdi3(100) + 0.15,
             has=lambda: fam.has(lab, "b"))
    gone(lab, a)
    drop_vip(lab, fam, "a")  # what kill -9 left behind

    a.start()
    check(lab.wait_until(lambda: fam.owners(lab) == ["a"], mdi3(101) + 5)
          is not None, "keepalived restarted took the VIP back (owners %s)"
          % fam.owners(lab))
    check(lab.wait_until(lambda: b.state() == "BACKUP", 1) is not None,
          "vrrpd BACKUP again")
    check(one_owner(lab, fam, "a", 1.0), "keepalived alone owns the VIP")

    takeover(lab, a, b, signal.SIGTERM, skew3(100) + 0.15,
             has=lambda: fam.has(lab, "b"))
    check(one_owner(lab, fam, "b", 0.5), "vrrpd alone owns the VIP")
    check(b.status()["counters"]["priority_zero_received"] >= 1,
          "vrrpd counted keepalived's priority-0 advert")
    gone(lab, a)
    b.kill(signal.SIGTERM)
    gone(lab, b)


def vrrpd_master(lab, fam):
    a = node(lab, "a", "vrrpd", "MASTER", 101, fam)
    b = node(lab, "b", "keepalived", "BACKUP", 100, fam)
    b.start()
    a.start()
    check(lab.wait_until(lambda: fam.owners(lab) == ["a"], mdi3(100) + 5)
          is not None, "vrrpd (A, 101) owns the VIP")
    check(one_owner(lab, fam, "a", 2.0),
          "exactly one owner for 2 s: keepalived accepts our adverts "
          "(owners %s)" % fam.owners(lab))
    st = a.status()
    check(st["state"] == "MASTER" and st["counters"]["adverts_sent"] >= 15,
          "vrrpd MASTER, %d adverts sent" % st["counters"]["adverts_sent"])

    takeover(lab, a, b, signal.SIGKILL, mdi3(100) + 0.25,
             has=lambda: fam.has(lab, "b"))
    gone(lab, a)
    drop_vip(lab, fam, "a")

    a.start()
    check(lab.wait_until(lambda: fam.owners(lab) == ["a"], mdi3(101) + 5)
          is not None, "vrrpd restarted took the VIP back (owners %s)"
          % fam.owners(lab))
    wait_ctl(a)
    check(one_owner(lab, fam, "a", 1.0), "vrrpd alone owns the VIP")

    takeover(lab, a, b, signal.SIGTERM, skew3(100) + 0.25,
             has=lambda: fam.has(lab, "b"))
    check(one_owner(lab, fam, "b", 0.5), "keepalived alone owns the VIP")
    b.kill(signal.SIGTERM)
    gone(lab, b)


def run_both(lab, fam):
    keepalived_master(lab, fam)
    lab.wait_until(lambda: not fam.owners(lab), 3)
    vrrpd_master(lab, fam)


def test(lab):
    if os.environ.get("LAB_IP") == "6":
        check(lab.wait_until(lambda: all(link_local(lab, r) for r in
                                         ("a", "b")), 10) is not None,
              "link-local addresses ready")
        run_both(lab, V6())
    else:
        run_both(lab, V4)


if __name__ == "__main__":
    run_test(test, "keepalived")
