#!/usr/bin/python3
"""VRRPv3 over IPv4, two vrrpd with version = 3 and advert_int = "100ms":
election (A 101 Master, B Backup; status shows version 3, 0.1 s and the
pseudo-header checksum form of A's adverts); kill -9 of A moves the VIP
to B within 3 x 0.1 + Skew_Time + 0.15 s; A restarted preempts; SIGTERM
of A (priority 0) moves it within Skew_Time + 0.15 s. tshark dissects
A's adverts as VRRPv3 (type 1, VRID 51, adver int 10 cs, good checksum,
TTL 255 to 224.0.0.18, no auth data) every 0.1 s. A restarted with
v3_checksum_as_v2 still owns the VIP; B counts the other form, and
tshark, which sums the pseudo-header, calls those checksums bad."""

import signal
import statistics

from lab import (ADDR, VIP, check, hold, log, run_test, steady_pair, takeover,
                 wait_ctl)
from lab6 import ADV, mdi3, skew3

FIELDS = ["ip.src", "ip.dst", "ip.ttl", "vrrp.version", "vrrp.type",
          "vrrp.virt_rtr_id", "vrrp.prio", "vrrp.addr_count",
          "vrrp.short_adver_int", "vrrp.reserved_mbz",
          "vrrp.checksum.status", "vrrp.ip_addr", "ip.len",
          "frame.time_epoch"]


def test(lab):
    cap = lab.capture("b", "eth0", "ip proto 112")
    a, b = steady_pair(lab, auth_pass=None, version=3, advert_int="100ms",
                       timeout=mdi3(100) + 3)
    check(hold(lambda: lab.owners(VIP) == ["a"], 1.0, 0.05),
          "A alone owns the VIP for 1 s (owners %s)" % lab.owners(VIP))
    st = b.status()
    log("B status: %s" % {k: st[k] for k in ("version", "advert_int",
                                             "peer_checksum", "master_ip")})
    check(st["version"] == 3 and st["advert_int"] == ADV and
          st["master_ip"] == ADDR["a"],
          "B: version 3, advert_int 0.1, master %s" % ADDR["a"])
    check(st["peer_checksum"]["last"] == "pseudo-header" and
          st["peer_checksum"]["pseudo_header"] >= 5 and
          st["peer_checksum"]["without"] == 0,
          "B saw A's checksums over the pseudo-header (%s)"
          % st["peer_checksum"])
    check(sum(st["drops"].values()) == 0, "B dropped nothing (%s)"
          % st["drops"])

    takeover(lab, a, b, signal.SIGKILL, mdi3(100) + 0.15)
    check(lab.wait_until(lambda: b.state() == "MASTER", 1) is not None,
          "B reports MASTER")
    lab.run("a", "ip", "addr", "del", VIP + "/24", "dev", "eth0",
            check=False)  # what kill -9 left behind

    a.start()
    t = lab.wait_until(lambda: lab.owners(VIP) == ["a"], mdi3(101) + 2)
    check(t is not None, "A restarted took the VIP back (owners %s)"
          % lab.owners(VIP))
    log("A restarted -> owns the VIP alone after %.3f s" % t)
    wait_ctl(a)
    check(lab.wait_until(lambda: b.state() == "BACKUP", 1) is not None,
          "B BACKUP again")
    lab.wait_until(lambda: False, 0.5)

    takeover(lab, a, b, signal.SIGTERM, skew3(100) + 0.15)
    check(hold(lambda: lab.owners(VIP) == ["b"], 0.5, 0.05),
          "B alone owns the VIP (owners %s)" % lab.owners(VIP))
    a.proc.wait(3)

    # the other IPv4 checksum form: B accepts it and says so
    before = b.status()["peer_checksum"]
    a.start(instances=[dict(a.instances[0], v3_checksum_as_v2=True)])
    check(lab.wait_until(lambda: lab.owners(VIP) == ["a"], mdi3(101) + 2)
          is not None, "A with v3_checksum_as_v2 took the VIP back")
    check(hold(lambda: lab.owners(VIP) == ["a"], 0.5, 0.05),
          "B follows A's plain-checksum adverts (owners %s)"
          % lab.owners(VIP))
    st = b.status()
    log("B peer_checksum before %s, now %s" % (before, st["peer_checksum"]))
    check(st["peer_checksum"]["last"] == "without pseudo-header" and
          st["peer_checksum"]["without"] >= 3 and st["drops"]["checksum"] == 0,
          "B counted the form without pseudo-header (%s)"
          % st["peer_checksum"])
    cap.stop()

    rows = [dict(zip(FIELDS, r)) for r in
            cap.fields(FIELDS, "vrrp && ip.src == %s" % ADDR["a"])]
    check(len(rows) >= 18, "captured %d adverts from A" % len(rows))
    good = [r for r in rows if r["vrrp.checksum.status"] == "1"]
    bad = [r for r in rows if r["vrrp.checksum.status"] != "1"]
    log("A's adverts: %d with a checksum tshark calls good, %d bad "
        "(the v3_checksum_as_v2 run)" % (len(good), len(bad)))
    log("first advert: %s" % rows[0])
    for r in rows:
        prio = int(r["vrrp.prio"])
        check(r["ip.dst"] == "224.0.0.18" and r["ip.ttl"] == "255",
              "IP: to 224.0.0.18, TTL 255")
        check(r["vrrp.version"] == "3" and r["vrrp.type"] == "1",
              "VRRP version 3, type 1 (%s)" % r)
        check(r["vrrp.virt_rtr_id"] == "51" and prio in (101, 0),
              "VRID 51, priority 101 or 0 (got %d)" % prio)
        check(r["vrrp.addr_count"] == "1" and r["vrrp.ip_addr"] == VIP and
              r["ip.len"] == str(20 + 8 + 4),
              "one address, %s, no auth data (IP length %s)"
              % (VIP, r["ip.len"]))
        check(r["vrrp.short_adver_int"] == "10" and
              r["vrrp.reserved_mbz"] in ("0", "0x00", "0x0"),
              "adver int 10 centiseconds, reserved bits 0 (%s)" % r)
    check(len(good) >= 15, "tshark: %d adverts with a good v3 checksum"
          % len(good))
    check(len(bad) >= 3, "tshark: the v3_checksum_as_v2 adverts (%d) do "
          "not sum the pseudo-header" % len(bad))
    check(any(int(r["vrrp.prio"]) == 0 and r["vrrp.checksum.status"] == "1"
              for r in good), "a priority-0 advert on SIGTERM")
    times = [float(r["frame.time_epoch"]) for r in good
             if int(r["vrrp.prio"]) == 101]
    gaps = [y - x for x, y in zip(times, times[1:]) if y - x < 1]
    med = statistics.median(gaps)
    check(0.09 <= med <= 0.12, "adverts every 0.1 s: median gap %.3f s"
          % med)


if __name__ == "__main__":
    run_test(test, "tcpdump", "tshark")
