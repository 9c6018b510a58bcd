#!/usr/bin/python3
"""VRRPv3 over IPv6 with unicast peers (unicast_src_ip / unicast_peer in
IPv6, as keepalived allows): A and B send their adverts to each other's
address instead of ff02::12 (tshark: every advert B hears is unicast from
A's unicast_src_ip, none to the group); election and kill -9 takeover work
as with multicast; a third router C advertising at priority 250 to the
group from outside the peer list is dropped by B (counted, no takeover)."""

import signal

from lab import Node, check, hold, log, run_test
from lab6 import VIP6, has6, link_local, mdi3, owners6

ADDR6 = {"a": "2001:2::11", "b": "2001:2::12", "c": "2001:2::13"}


def node(lab, role, prio, peer=None, **extra):
    uni = {}
    if peer:
        uni = {"unicast_src_ip": ADDR6[role], "unicast_peer": [ADDR6[peer]]}
    return Node(lab, role, state="BACKUP", priority=prio, auth_pass=None,
                version=3, advert_int="100ms", vips=(VIP6 + "/64",),
                **uni, **extra)


def test(lab):
    check(lab.wait_until(lambda: all(link_local(lab, r) for r in
                                     ("a", "b", "c")), 10) is not None,
          "link-local addresses ready")
    for r in ("a", "b", "c"):
        lab.run(r, "ip", "addr", "add", ADDR6[r] + "/64", "dev", "eth0",
                "nodad")
    cap = lab.capture("b", "eth0", "ip6 proto 112")
    a = node(lab, "a", 101, "b")
    b = node(lab, "b", 100, "a")
    a.start()
    b.start()
    check(lab.wait_until(lambda: owners6(lab) == ["a"] and
                         b.state() == "BACKUP", mdi3(100) + 3)
          is not None, "unicast peers: A Master with the IPv6 VIP, B Backup")
    check(hold(lambda: owners6(lab) == ["a"], 1.0, 0.05),
          "A alone owns the VIP for 1 s")
    cap.stop()
    rows = cap.fields(["ipv6.src", "ipv6.dst", "vrrp.prio"])
    log("adverts on B's link: %d, e.g. %s" % (len(rows), rows[-1:]))
    from_a = [r for r in rows if r[0] == ADDR6["a"]]
    check(len(from_a) >= 8 and all(r[1] == ADDR6["b"] for r in from_a),
          "A's adverts go unicast from %s to %s (%d seen)"
          % (ADDR6["a"], ADDR6["b"], len(from_a)))
    check(not [r for r in rows if r[1] == "ff02::12"],
          "no advert to ff02::12")

    # a router outside the peer list, to the group at priority 250
    drops0 = sum(b.status()["drops"].values())
    c = node(lab, "c", 250)
    c.start()
    check(lab.wait_until(lambda: sum(b.status()["drops"].values()) >
                         drops0 + 3, 3) is not None,
          "B drops C's adverts: C is not a unicast peer (%s)"
          % b.status()["drops"])
    check(hold(lambda: b.state() == "BACKUP" and has6(lab, "a"), 1.0),
          "C did not move anything on A and B")
    c.kill(signal.SIGKILL)

    limit = mdi3(100) + 0.15
    a.kill(signal.SIGKILL)
    t = lab.wait_until(lambda: has6(lab, "b"), limit + 2)
    check(t is not None, "B took the VIP after kill -9 of A")
    log("unicast IPv6: kill -9 -> VIP on B: %.3f s (limit %.3f)"
        % (t, limit))
    check(t <= limit, "takeover %.3f s <= %.3f s" % (t, limit))


if __name__ == "__main__":
    run_test(test, "tshark", roles=("a", "b", "c"))
