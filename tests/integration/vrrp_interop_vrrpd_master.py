#!/usr/bin/python3
"""Interop, vrrpd Master / keepalived Backup (same VRID, PASS auth):
exactly one side owns the VIP; kill -9 of vrrpd moves it to keepalived
within 3*advert_int + skew + 0.5 s; vrrpd restarted takes it back
(fast_preempt) and keepalived steps down."""

import signal

from lab import (ADDR, VIP, check, hold, log, master_down, run_test,
                 start_pair, takeover, wait_ctl)


def test(lab):
    a, b = start_pair(lab, b={"kind": "keepalived"})
    check(lab.wait_until(lambda: lab.owners(VIP) == ["a"],
                         master_down(100) + 3) is not None,
          "vrrpd (A, 101) owns the VIP")
    check(hold(lambda: lab.owners(VIP) == ["a"], 3),
          "exactly one owner for 3 s: keepalived accepts our adverts "
          "(owners %s)" % lab.owners(VIP))
    st = a.status()
    check(st["state"] == "MASTER", "vrrpd reports MASTER (%s)" % st["state"])
    check(st["drops"]["auth_pass"] == 0,
          "no password drop against keepalived")

    takeover(lab, a, b, signal.SIGKILL, master_down(100) + 0.5)

    a.start()
    t = lab.wait_until(lambda: not b.has_vip(), 1.5 + 4)
    check(t is not None, "keepalived released the VIP when vrrpd came back")
    log("vrrpd restarted -> keepalived released the VIP after %.3f s" % t)
    check(t <= 1.5, "vrrpd preempted keepalived within advert_int + 0.5 s")
    check(lab.wait_until(lambda: lab.owners(VIP) == ["a"], 1) is not None,
          "vrrpd owns the VIP alone again (owners %s)" % lab.owners(VIP))
    wait_ctl(a)
    check(lab.wait_until(lambda: a.status()["master_ip"] == ADDR["a"]
                         and a.state() == "MASTER", 2) is not None,
          "vrrpd MASTER again")
    check(hold(lambda: lab.owners(VIP) == ["a"], 2.5),
          "and it stays that way (owners %s)" % lab.owners(VIP))


if __name__ == "__main__":
    run_test(test, "keepalived")
