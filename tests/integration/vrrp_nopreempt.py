#!/usr/bin/python3
"""nopreempt: a returning higher-priority node stays Backup.  It also
removes the VIP a crash (kill -9) left on its interface before entering
Backup, so it never answers for the address the peer owns."""

import signal

from lab import VIP, check, hold, log, master_down, run_test, steady_pair


def test(lab):
    a, b = steady_pair(lab)
    a.kill(signal.SIGKILL)
    check(lab.wait_until(lambda: b.has_vip(), master_down(100) + 1.5)
          is not None, "B took over after kill -9 of A")
    check(a.has_vip(), "the crash left the VIP on A")

    a.start(state="BACKUP", priority=101, nopreempt=True)
    t = lab.wait_until(lambda: not a.has_vip(), 2)
    check(t is not None, "restarted A removed the leftover VIP")
    log("leftover VIP removed %.3f s after restart" % t)
    # Longer than Master_Down_Interval and several adverts of B.
    check(hold(lambda: lab.owners(VIP) == ["b"], master_down(101) + 1.5),
          "with nopreempt, A does not take the VIP back (owners %s)"
          % lab.owners(VIP))
    check(a.state() == "BACKUP" and b.state() == "MASTER",
          "A BACKUP, B MASTER (got %s, %s)" % (a.state(), b.state()))


if __name__ == "__main__":
    run_test(test)
