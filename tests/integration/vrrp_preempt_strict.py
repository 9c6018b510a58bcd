#!/usr/bin/python3
"""fast_preempt = false gives the strict RFC 3768 6.4.2 behaviour: a
returning higher-priority node discards the lower-priority Master's adverts
and takes over only when its Master_Down_Timer fires."""

import signal

from lab import VIP, check, log, master_down, run_test, steady_pair


def test(lab):
    a, b = steady_pair(lab, fast_preempt=False)
    a.kill(signal.SIGTERM)
    check(lab.wait_until(lambda: lab.owners(VIP) == ["b"], 3) is not None,
          "B took over after SIGTERM of A")
    a.proc.wait(3)

    mdi = master_down(101)
    a.start()
    t = lab.wait_until(lambda: not b.has_vip(), mdi + 3)
    check(t is not None, "B released the VIP after A came back")
    log("A restarted -> B released the VIP after %.3f s "
        "(Master_Down_Interval %.3f)" % (t, mdi))
    check(t >= mdi - 0.2,
          "no early preemption: %.3f s >= Master_Down_Interval - 0.2" % t)
    check(t <= mdi + 0.5, "preempted within %.3f s + 0.5 s" % mdi)
    check(lab.wait_until(lambda: lab.owners(VIP) == ["a"], 1) is not None,
          "A owns the VIP alone (owners %s)" % lab.owners(VIP))
    check(a.state() == "MASTER" and b.state() == "BACKUP",
          "A MASTER, B BACKUP (got %s, %s)" % (a.state(), b.state()))


if __name__ == "__main__":
    run_test(test)
