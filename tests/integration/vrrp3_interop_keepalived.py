#!/usr/bin/python3
"""VRRPv3 interop with keepalived (vrrp_version 3, advert_int 0.1), IPv4,
both roles. keepalived Master / vrrpd Backup: exactly one owns the VIP,
vrrpd follows keepalived's adverts (pseudo-header checksums, nothing
dropped); kill -9 of keepalived moves the VIP to vrrpd within
3 x 0.1 + Skew_Time + 0.15 s, SIGTERM within Skew_Time + 0.15 s.
vrrpd Master / keepalived Backup: exactly one owner; kill -9 and SIGTERM
of vrrpd move the VIP to keepalived (its own timers: 0.25 s of slack)."""

import os
import signal

from lab import (ADDR, VIP, Node, check, hold, log, run_test, wait_ctl)

ADV = 0.1


def skew3(prio):
    return (256 - prio) * ADV / 256.0


def mdi3(prio):
    return 3 * ADV + skew3(prio)


def node(lab, role, kind, state, prio):
    return Node(lab, role, kind, state=state, priority=prio, auth_pass=None,
                version=3, advert_int="100ms")


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


def one_owner(lab, who, secs=1.0):
    return hold(lambda: lab.owners(VIP) == [who], secs, 0.05)


def keepalived_master(lab):
    a = node(lab, "a", "keepalived", "MASTER", 101)
    b = node(lab, "b", "vrrpd", "BACKUP", 100)
    a.start()
    b.start()
    check(lab.wait_until(lambda: lab.owners(VIP) == ["a"], mdi3(100) + 5)
          is not None, "keepalived (A, 101) owns the VIP")
    check(one_owner(lab, "a", 2.0),
          "exactly one owner for 2 s (owners %s)" % lab.owners(VIP))
    st = b.status()
    log("vrrpd: %s %s %s" % (st["state"], st["peer_checksum"],
                              st["counters"]))
    check(st["state"] == "BACKUP" and st["master_ip"] == ADDR["a"],
          "vrrpd BACKUP, master %s" % ADDR["a"])
    check(st["peer_checksum"]["pseudo_header"] >= 10 and
          st["peer_checksum"]["without"] == 0 and
          sum(st["drops"].values()) == 0,
          "vrrpd took keepalived's adverts with pseudo-header checksums "
          "(%s, drops %s)" % (st["peer_checksum"], st["drops"]))

    limit = mdi3(100) + 0.15
    a.kill(signal.SIGKILL)
    t = lab.wait_until(lambda: b.has_vip(), limit + 2)
    check(t is not None, "vrrpd took the VIP after kill -9 of keepalived")
    log("kill -9 keepalived -> VIP on vrrpd: %.3f s (limit %.3f)"
        % (t, limit))
    check(t <= limit, "takeover %.3f s <= %.3f s" % (t, limit))
    gone(lab, a)
    lab.run("a", "ip", "addr", "del", VIP + "/24", "dev", "eth0",
            check=False)  # what kill -9 left behind

    a.start()
    check(lab.wait_until(lambda: lab.owners(VIP) == ["a"], mdi3(101) + 5)
          is not None, "keepalived restarted took the VIP back (owners %s)"
          % lab.owners(VIP))
    check(lab.wait_until(lambda: b.state() == "BACKUP", 1) is not None,
          "vrrpd BACKUP again")
    check(one_owner(lab, "a", 1.0), "keepalived alone owns the VIP")

    limit = skew3(100) + 0.15
    a.kill(signal.SIGTERM)
    t = lab.wait_until(lambda: b.has_vip(), limit + 2)
    check(t is not None, "vrrpd took the VIP after SIGTERM of keepalived")
    log("SIGTERM keepalived -> VIP on vrrpd: %.3f s (limit %.3f)"
        % (t, limit))
    check(t <= limit, "takeover after priority 0: %.3f s <= %.3f s"
          % (t, limit))
    check(one_owner(lab, "b", 0.5), "vrrpd alone owns the VIP")
    check(b.status()["counters"]["priority_zero_received"] >= 1,
          "vrrpd counted keepalived's priority-0 advert")
    gone(lab, a)
    b.kill(signal.SIGTERM)
    gone(lab, b)


def vrrpd_master(lab):
    a = node(lab, "a", "vrrpd", "MASTER", 101)
    b = node(lab, "b", "keepalived", "BACKUP", 100)
    b.start()
    a.start()
    check(lab.wait_until(lambda: lab.owners(VIP) == ["a"], mdi3(100) + 5)
          is not None, "vrrpd (A, 101) owns the VIP")
    check(one_owner(lab, "a", 2.0),
          "exactly one owner for 2 s: keepalived accepts our adverts "
          "(owners %s)" % lab.owners(VIP))
    st = a.status()
    check(st["state"] == "MASTER" and st["counters"]["adverts_sent"] >= 15,
          "vrrpd MASTER, %d adverts sent" % st["counters"]["adverts_sent"])

    limit = mdi3(100) + 0.25
    a.kill(signal.SIGKILL)
    t = lab.wait_until(lambda: b.has_vip(), limit + 2)
    check(t is not None, "keepalived took the VIP after kill -9 of vrrpd")
    log("kill -9 vrrpd -> VIP on keepalived: %.3f s (limit %.3f)"
        % (t, limit))
    check(t <= limit, "takeover %.3f s <= %.3f s" % (t, limit))
    gone(lab, a)
    lab.run("a", "ip", "addr", "del", VIP + "/24", "dev", "eth0",
            check=False)

    a.start()
    check(lab.wait_until(lambda: lab.owners(VIP) == ["a"], mdi3(101) + 5)
          is not None, "vrrpd restarted took the VIP back (owners %s)"
          % lab.owners(VIP))
    wait_ctl(a)
    check(one_owner(lab, "a", 1.0), "vrrpd alone owns the VIP")

    limit = skew3(100) + 0.25
    a.kill(signal.SIGTERM)
    t = lab.wait_until(lambda: b.has_vip(), limit + 2)
    check(t is not None, "keepalived took the VIP after SIGTERM of vrrpd")
    log("SIGTERM vrrpd -> VIP on keepalived: %.3f s (limit %.3f)"
        % (t, limit))
    check(t <= limit, "takeover after priority 0: %.3f s <= %.3f s"
          % (t, limit))
    check(one_owner(lab, "b", 0.5), "keepalived alone owns the VIP")
    b.kill(signal.SIGTERM)
    gone(lab, b)


def test(lab):
    keepalived_master(lab)
    lab.wait_until(lambda: not lab.owners(VIP), 3)
    vrrpd_master(lab)


if __name__ == "__main__":
    run_test(test, "keepalived")
