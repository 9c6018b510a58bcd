#!/usr/bin/python3
"""kill -9 of the Master: the Backup owns the VIP within
3*advert_int + Skew_Time + 0.5 s.  The old Master restarted (fast_preempt,
the default) takes the VIP back within advert_int + 0.5 s."""

import signal

from lab import (VIP, check, log, master_down, run_test, steady_pair, takeover,
                 wait_ctl)


def test(lab):
    a, b = steady_pair(lab)

    # 3 x advert_int + Skew_Time + 0.5
    takeover(lab, a, b, signal.SIGKILL, master_down(100) + 0.5)
    check(lab.wait_until(lambda: b.state() == "MASTER", 1) is not None,
          "B reports MASTER")
    check(a.has_vip(), "kill -9 left A's VIP behind (what a crash does)")

    # The old Master comes back; B's adverts (priority 100) are lower than
    # its own, so with fast_preempt it takes over on the first one it hears.
    limit = 1 + 0.5
    a.start()
    t = lab.wait_until(lambda: not b.has_vip(), limit + 4)
    check(t is not None, "B released the VIP after A came back")
    log("A restarted -> B released the VIP after %.3f s (limit %.3f)"
        % (t, limit))
    check(t <= limit, "fast preemption %.3f s <= advert_int + 0.5" % t)
    check(lab.wait_until(lambda: lab.owners(VIP) == ["a"], 1) is not None,
          "A owns the VIP again, alone (owners %s)" % lab.owners(VIP))
    wait_ctl(a)
    check(a.state() == "MASTER" and b.state() == "BACKUP",
          "A MASTER, B BACKUP (got %s, %s)" % (a.state(), b.state()))


if __name__ == "__main__":
    run_test(test)
