#!/usr/bin/python3
"""An address-list mismatch (count_ip and the addresses differ) is logged
and accepted, as keepalived does, so changing the VIP list on one node
first does not cause a failover: B, configured with one more VIP than A,
stays Backup, owns nothing, and counts the mismatch in drops.addr_list."""

from lab import (ADDR, VIP, VIP2, Node, check, hold, master_down, run_test)


def test(lab):
    a = Node(lab, "a", state="MASTER", priority=101)
    b = Node(lab, "b", state="BACKUP", priority=100,
             vips=(VIP + "/24", VIP2 + "/24"))
    a.start()
    b.start()
    check(lab.wait_until(lambda: lab.owners(VIP) == ["a"],
                         master_down(100) + 3) is not None,
          "A owns %s" % VIP)
    check(hold(lambda: lab.owners(VIP) == ["a"] and
               lab.owners(VIP2) == [], 4.5),
          "for 4.5 s (> Master_Down_Interval) A alone owns %s and nobody "
          "%s (owners %s / %s)" % (VIP, VIP2, lab.owners(VIP),
                                   lab.owners(VIP2)))
    s = b.status()
    check(s["state"] == "BACKUP" and s["master_ip"] == ADDR["a"],
          "B BACKUP under A (%s, %r)" % (s["state"], s["master_ip"]))
    check(s["drops"]["addr_list"] >= 3,
          "B counted the mismatching adverts in drops.addr_list (%d)"
          % s["drops"]["addr_list"])
    check(s["counters"]["adverts_received"] >= 3,
          "and accepted them (adverts_received %d)"
          % s["counters"]["adverts_received"])


if __name__ == "__main__":
    run_test(test)
