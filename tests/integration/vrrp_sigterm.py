#!/usr/bin/python3
"""SIGTERM of the Master: it sends a priority-0 advert, removes its VIP and
exits 0; the Backup owns the VIP within Skew_Time + 0.5 s (RFC 3768 6.4.2:
a priority-0 advert sets Master_Down_Timer to Skew_Time)."""

import signal

from lab import VIP, Node, check, log, master_down, run_test, skew


def test(lab):
    a = Node(lab, "a", state="MASTER", priority=101)
    b = Node(lab, "b", state="BACKUP", priority=100)
    a.start()
    b.start()
    check(lab.wait_until(lambda: lab.owners(VIP) == ["a"] and
                         b.state() == "BACKUP", master_down(100) + 3)
          is not None, "steady state: A Master with the VIP, B Backup")
    before = b.status()["counters"]["priority_zero_received"]

    limit = skew(100) + 0.5
    a.kill(signal.SIGTERM)
    t = lab.wait_until(lambda: b.has_vip(), limit + 4)
    check(t is not None, "B took the VIP after SIGTERM of A")
    log("SIGTERM -> VIP on B: %.3f s (limit %.3f + 0.5 = %.3f)"
        % (t, skew(100), limit))
    check(t <= limit, "takeover %.3f s <= Skew_Time + 0.5 s" % t)

    rc = a.proc.wait(3)
    check(rc == 0, "A's vrrpd exited 0 on SIGTERM (rc %r)" % rc)
    check(not a.has_vip(), "A removed its VIP on exit")
    st = b.status()
    check(st["state"] == "MASTER", "B reports MASTER (%s)" % st["state"])
    got = st["counters"]["priority_zero_received"]
    check(got == before + 1,
          "B counted one priority-0 advert (%d -> %d)" % (before, got))


if __name__ == "__main__":
    run_test(test)
