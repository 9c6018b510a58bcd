#!/usr/bin/python3
"""Interop, keepalived Master / vrrpd Backup (same VRID, PASS auth):
exactly one side owns the VIP and vrrpd sees keepalived as Master; kill -9
of keepalived moves the VIP to vrrpd within 3*advert_int + skew + 0.5 s;
keepalived restarted preempts (after its Master_Down_Interval, as the RFC
says) and vrrpd steps down; SIGTERM of keepalived (priority-0 advert) moves
the VIP to vrrpd within skew + 0.5 s."""

import signal

from lab import (ADDR, VIP, check, hold, log, master_down, run_test, skew,
                 start_pair, takeover)


def test(lab):
    a, b = start_pair(lab, a={"kind": "keepalived"})
    check(lab.wait_until(lambda: lab.owners(VIP) == ["a"],
                         master_down(100) + 3) is not None,
          "keepalived (A, 101) owns the VIP")
    check(hold(lambda: lab.owners(VIP) == ["a"], 3),
          "exactly one owner for 3 s: vrrpd accepts keepalived's adverts "
          "(owners %s)" % lab.owners(VIP))
    st = b.status()
    check(st["state"] == "BACKUP" and st["master_ip"] == ADDR["a"],
          "vrrpd BACKUP with master_ip %s (%s, %r)"
          % (ADDR["a"], st["state"], st["master_ip"]))
    check(st["counters"]["adverts_received"] >= 2 and
          st["drops"]["auth_pass"] == 0 and st["drops"]["checksum"] == 0,
          "vrrpd accepted keepalived's adverts (%s, drops %s)"
          % (st["counters"], st["drops"]))

    takeover(lab, a, b, signal.SIGKILL, master_down(100) + 0.5)
    check(b.state() == "MASTER", "vrrpd reports MASTER")

    a.start()
    mdi = master_down(101)
    t = lab.wait_until(lambda: not b.has_vip(), mdi + 4)
    check(t is not None, "vrrpd released the VIP when keepalived came back")
    log("keepalived restarted -> vrrpd released the VIP after %.3f s" % t)
    check(lab.wait_until(lambda: lab.owners(VIP) == ["a"], 1) is not None,
          "keepalived owns the VIP alone (owners %s)" % lab.owners(VIP))
    check(lab.wait_until(lambda: b.state() == "BACKUP", 1) is not None,
          "vrrpd BACKUP again")
    lab.wait_until(lambda: False, 1.2)

    takeover(lab, a, b, signal.SIGTERM, skew(100) + 0.5, wait=4)
    check(hold(lambda: lab.owners(VIP) == ["b"], 1.0),
          "vrrpd owns the VIP alone (owners %s)" % lab.owners(VIP))
    check(b.status()["counters"]["priority_zero_received"] >= 1,
          "vrrpd counted keepalived's priority-0 advert")


if __name__ == "__main__":
    run_test(test, "keepalived")
