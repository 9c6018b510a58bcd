#!/usr/bin/python3
"""Unicast peers: with unicast_peer set, adverts go to the peer's address
(not 224.0.0.18) from unicast_src_ip, the election and kill -9 failover
work as with multicast, and an advert from an address that is not a
configured peer is dropped and counted (drops.not_peer)."""

import time

from lab import (ADDR, VIP, Node, check, log, master_down, run_test)


def test(lab):
    a = Node(lab, "a", priority=101, unicast_src_ip=ADDR["a"],
             unicast_peer=[ADDR["b"]])
    b = Node(lab, "b", priority=100, unicast_src_ip=ADDR["b"],
             unicast_peer=[ADDR["a"]])
    # a third router that is nobody's peer, with a higher priority
    c = Node(lab, "c", priority=200, unicast_src_ip=ADDR["c"],
             unicast_peer=[ADDR["b"]])
    cap = lab.capture("b", bpf="ip proto 112")
    a.start()
    b.start()
    check(lab.wait_until(lambda: lab.owners(VIP, ["a", "b"]) == ["a"] and
                         b.state() == "BACKUP", master_down(100) + 3)
          is not None, "unicast election: A Master, B Backup")
    time.sleep(1.5)
    cap.stop()
    rows = cap.fields(["ip.src", "ip.dst", "ip.ttl", "vrrp.prio"])
    from_a = [r for r in rows if r[0] == ADDR["a"]]
    check(len(from_a) >= 2, "B saw A's adverts (%d)" % len(from_a))
    check(all(r[1] == ADDR["b"] and r[2] == "255" for r in from_a),
          "A's adverts go to B's address with TTL 255: %s" % from_a[:3])

    before = b.status()["drops"]["not_peer"]
    c.start()
    check(lab.wait_until(lambda: b.status()["drops"]["not_peer"] > before,
                         master_down(200) + 3) is not None,
          "B drops adverts from C, which is not its peer")
    check(b.state() == "BACKUP" and lab.owners(VIP, ["a", "b"]) == ["a"],
          "C's higher priority changed nothing on A and B")
    c.proc.stop()

    t0 = a.kill()
    # kill -9 leaves A's VIP behind (vrrpd --cleanup is for that)
    t = lab.wait_until(lambda: b.has_vip(), master_down(100) + 2)
    check(t is not None, "B took the VIP after kill -9 of A")
    log("unicast kill -9 -> VIP on B: %.3f s (limit %.3f)"
        % (time.monotonic() - t0, master_down(100) + 0.5))
    check(time.monotonic() - t0 <= master_down(100) + 0.5,
          "within Master_Down_Interval + 0.5 s")


if __name__ == "__main__":
    run_test(test, "tcpdump", "tshark", roles=("a", "b", "c"))
