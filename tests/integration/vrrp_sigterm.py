#!/usr/bin/python3
"""SIGTERM of the Master: it sends a priority-0 advert, removes its VIP and
exits 0; the Backup owns the VIP within Skew_Time + 0.5 s (RFC 3768 6.4.2:
a priority-0 advert sets Master_Down_Timer to Skew_Time)."""

import signal

from lab import check, run_test, skew, steady_pair, takeover


def test(lab):
    a, b = steady_pair(lab)
    before = b.status()["counters"]["priority_zero_received"]

    takeover(lab, a, b, signal.SIGTERM, skew(100) + 0.5, wait=4)

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
