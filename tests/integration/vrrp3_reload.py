#!/usr/bin/python3
"""Reload from VRRPv2 to VRRPv3 without a failover: a v2 pair (1 s, PASS)
is reloaded to version = 3, advert_int = "100ms" (A first, then B at
once: B's v2 Master_Down_Interval covers the moment it drops A's v3
adverts as 'version'; A's next advert comes within the new interval). A
stays Master, B stays Backup with no transition,
and B then follows A's v3 adverts; the new timers are in effect: kill -9
of A moves the VIP within 3 x 0.1 + Skew_Time + 0.15 s."""

import signal

from lab import (VIP, check, hold, log, master_down, run_test,
                 vrrp_instance)
from labctl import ReloadNode


def v3(node):
    return [vrrp_instance(priority=node.priority, auth_pass=None,
                          version=3, advert_int="100ms")]


def test(lab):
    a, b = ReloadNode(lab, "a", 101), ReloadNode(lab, "b", 100)
    for n in (a, b):
        n.write([vrrp_instance(priority=n.priority)])
        n.start()
    check(lab.wait_until(lambda: lab.owners(VIP) == ["a"] and
                         (b.status() or {}).get("state") == "BACKUP",
                         master_down(100) + 3) is not None,
          "v2: A Master, B Backup")
    before = b.status()
    check(before["version"] == 2 and before["advert_int"] == 1,
          "B runs version 2 at 1 s")
    for n in (a, b):
        n.write(v3(n))
    for n in (a, b):
        rc, j, err = n.reload()
        check(rc == 0 and j and j.get("ok"), "%s reloaded (%s %s)"
              % (n.role, j, err))
    check(hold(lambda: lab.owners(VIP) == ["a"], 2.0, 0.05),
          "A kept the VIP through the reload (owners %s)" % lab.owners(VIP))
    st = b.status()
    log("B after reload: version %s, advert_int %s, %s, transitions %d -> "
        "%d, drops %s" % (st["version"], st["advert_int"],
                          st["peer_checksum"], before["transitions"],
                          st["transitions"], st["drops"]))
    check(st["version"] == 3 and st["advert_int"] == 0.1 and
          st["state"] == "BACKUP" and
          st["transitions"] == before["transitions"],
          "B: version 3 at 0.1 s, still BACKUP, no transition")
    # A's next advert comes within the new interval, not at the old
    # 1 s schedule: ~20 in the 2 s (11 when A waited out the old timer)
    check(st["peer_checksum"]["pseudo_header"] >= 16,
          "B follows A's v3 adverts at once (%s)" % st["peer_checksum"])
    check(a.status()["state"] == "MASTER" and a.status()["version"] == 3,
          "A: MASTER, version 3")

    limit = 3 * 0.1 + (256 - 100) * 0.1 / 256 + 0.15
    a.proc.signal(signal.SIGKILL, group=True)
    t = lab.wait_until(lambda: lab.has_addr("b", VIP), limit + 3)
    check(t is not None, "B took the VIP after kill -9 of A")
    log("kill -9 after the reload -> VIP on B: %.3f s (limit %.3f)"
        % (t, limit))
    check(t <= limit, "v3 timers in effect: %.3f s <= %.3f s" % (t, limit))


if __name__ == "__main__":
    run_test(test)
