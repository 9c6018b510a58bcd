#!/usr/bin/python3
"""Two vrrpd nodes: the higher priority becomes Master and owns the VIP
(seen with `ip addr`), the other is Backup (seen with vrrpctl status)."""

import os
import subprocess

from lab import (ADDR, SOURCE_ROOT, VIP, VRRPD, Node, check, hold, log,
                 master_down, run_test, wait_ctl)


def test(lab):
    a = Node(lab, "a", state="MASTER", priority=101)
    b = Node(lab, "b", state="BACKUP", priority=100)
    a.start()
    # B after A is up: their Master_Down timers differ by the skew only
    # (4 ms), and an ASan build on a loaded machine once started A 5 ms
    # after B, so B's fired first and it was Master for 1 ms
    check(wait_ctl(a) is not None, "A answers on its control socket")
    b.start()
    check(wait_ctl(a) is not None and wait_ctl(b) is not None,
          "both control sockets answer `vrrpctl --json status`")
    # Before Master_Down_Interval both are Backup and know no Master yet.
    early = [a.status(), b.status()]
    check(all(s["state"] == "BACKUP" and s["master_ip"] == ""
              for s in early),
          "both start as BACKUP with master_ip \"\" (%s)"
          % [(s["state"], s["master_ip"]) for s in early])

    t = lab.wait_until(lambda: a.has_vip(), master_down(100) + 2)
    check(t is not None, "node A (priority 101) owns %s" % VIP)
    log("A owns the VIP %.3f s after start" % t)
    # RFC 3768 6.4.1: a non-owner starts in Backup and waits
    # Master_Down_Interval before claiming the VIP, even with state MASTER.
    check(t >= 3 * 1 - 0.2,
          "A started through Backup: VIP after %.3f s >= 3*advert_int" % t)
    check(hold(lambda: lab.owners(VIP) == ["a"], 2.5),
          "only A owns the VIP for 2.5 s (owners now %s)" % lab.owners(VIP))

    sa, sb = a.status(), b.status()
    log("A: %s" % sa)
    log("B: %s" % sb)
    check(sa["state"] == "MASTER", "A state MASTER (got %s)" % sa["state"])
    check(sb["state"] == "BACKUP", "B state BACKUP (got %s)" % sb["state"])
    for s, prio in ((sa, 101), (sb, 100)):
        check(s["vrid"] == 51 and s["priority"] == prio and
              s["effective_priority"] == prio and s["advert_int"] == 1 and
              s["interface"] == "eth0",
              "status shows vrid 51, priority %d, advert_int 1, eth0" % prio)
        check(s["vips"] == [VIP + "/24"], "vips listed as %s" % s["vips"])
        check(s["master_ip"] == ADDR["a"],
              "master_ip is A's address (got %r)" % s["master_ip"])
    check(sa["counters"]["adverts_sent"] >= 2,
          "A has sent adverts (%d)" % sa["counters"]["adverts_sent"])
    check(sa["counters"]["became_master"] == 1,
          "A became Master once (%d)" % sa["counters"]["became_master"])
    check(sb["counters"]["adverts_received"] >= 2,
          "B received A's adverts (%d)" % sb["counters"]["adverts_received"])
    check(sb["counters"]["became_master"] == 0, "B never became Master")
    for reason in ("ttl", "version", "type", "checksum", "length", "vrid",
                   "auth_type", "auth_pass", "advert_int"):
        check(sb["drops"][reason] == 0,
              "B dropped no packet for %s (%d)" % (reason,
                                                   sb["drops"][reason]))
    r = lab.vrrpctl("b", b.sock, "status")
    check(r.returncode == 0 and "BACKUP" in r.stdout,
          "human `vrrpctl status` exits 0 and says BACKUP")
    log(r.stdout.strip())
    r = lab.vrrpctl("a", a.sock, "--json", "status", "VI_1")
    check(r.returncode == 0 and '"VI_1"' in r.stdout,
          "`vrrpctl status VI_1` exits 0")
    r = lab.vrrpctl("a", a.sock, "--json", "status", "VI_9")
    check(r.returncode == 1, "`vrrpctl status VI_9` (no such instance) "
          "exits 1 (rc %d: %s)" % (r.returncode, r.stdout.strip()))
    r = lab.vrrpctl("a", lab.path("nothing.sock"), "status")
    check(r.returncode == 2, "vrrpctl exits 2 when the socket cannot be "
          "reached (rc %d)" % r.returncode)
    for n in ("lbA", "lbB"):
        conf = os.path.join(SOURCE_ROOT, "conf", "examples", n + ".conf")
        r = subprocess.run([VRRPD, "-t", "-f", conf], capture_output=True,
                           text=True)
        check(r.returncode == 0, "conf/examples/%s.conf passes vrrpd -t "
              "(%s)" % (n, (r.stderr or r.stdout).strip()))


if __name__ == "__main__":
    run_test(test)
