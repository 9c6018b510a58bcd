#!/usr/bin/python3
"""VRRPv3 over IPv6, two vrrpd with version = 3, advert_int = "100ms" and
an IPv6 VIP (2001:2::50/64, the benchmarking range of RFC 5180):
election (A Master, B Backup, B's status names A's link-local address as
Master); kill -9 of A moves the VIP to B within 3 x 0.1 + Skew_Time +
0.15 s, and the client's neighbour cache follows it to B's MAC through
B's unsolicited Neighbour Advertisement (before that, A restores the VIP
when something else removes it); A restarted preempts; SIGTERM of
A moves it within Skew_Time + 0.15 s. On the wire (tshark): A joined
ff02::12 with MLD; its adverts go from its link-local address to ff02::12
with hop limit 255 as VRRPv3 with a good checksum; B's NA for the VIP has
Override set, Solicited clear, hop limit 255, B's MAC, a good checksum."""

import signal

from lab import Node, PYTHON, check, hold, log, run_test, wait_ctl
from lab6 import (VIP6, addrs6, has6, link_local, mdi3, neigh_mac, owners6,
                  skew3)

CLIENT6 = "2001:2::99"


def node(lab, role, state, prio):
    return Node(lab, role, state=state, priority=prio, auth_pass=None,
                version=3, advert_int="100ms", vips=(VIP6 + "/64",))


def test(lab):
    # link-local addresses leave DAD about a second after the link is up
    check(lab.wait_until(lambda: all(link_local(lab, r) for r in
                                     ("a", "b", "c")), 10) is not None,
          "link-local addresses ready")
    ll_a = link_local(lab, "a")
    mac_a, mac_b = lab.mac("a"), lab.mac("b")
    lab.run("c", "ip", "addr", "add", CLIENT6 + "/64", "dev", "eth0",
            "nodad")
    cap = lab.capture("b", "eth0", "ip6")
    a = node(lab, "a", "MASTER", 101)
    b = node(lab, "b", "BACKUP", 100)
    a.start()
    b.start()
    check(lab.wait_until(lambda: owners6(lab) == ["a"] and
                         b.state() == "BACKUP", mdi3(100) + 3)
          is not None, "steady state: A Master with the IPv6 VIP, B Backup")
    check(hold(lambda: owners6(lab) == ["a"], 1.0, 0.05),
          "A alone owns the VIP for 1 s (owners %s)" % owners6(lab))
    vip = [x for x in addrs6(lab, "a") if x["local"] == VIP6][0]
    check(not vip.get("tentative") and not vip.get("dadfailed"),
          "the VIP is usable at once (nodad): %s" % vip)
    st = b.status()
    check(st["master_ip"] == ll_a and st["version"] == 3 and
          st["vips"] == [VIP6 + "/64"] and sum(st["drops"].values()) == 0,
          "B: master %s (A's link-local), VIP %s, no drops (%s, %s, %s)"
          % (ll_a, VIP6, st["master_ip"], st["vips"], st["drops"]))
    # a datagram to the VIP makes the client resolve it (no ping here)
    lab.run("c", PYTHON, "-c", "import socket; s = socket.socket("
            "socket.AF_INET6, socket.SOCK_DGRAM); s.sendto(b'x', "
            "('%s', 9))" % VIP6)
    check(lab.wait_until(lambda: neigh_mac(lab, "c", VIP6) == mac_a, 2)
          is not None,
          "the client reaches the VIP at A's MAC %s" % mac_a)

    # someone removes the VIP behind A's back: A puts it back
    lab.run("a", "ip", "addr", "del", VIP6 + "/64", "dev", "eth0")
    t = lab.wait_until(lambda: has6(lab, "a"), 2)
    check(t is not None and t < 0.5, "A restored its IPv6 VIP (%s s)" % t)

    limit = mdi3(100) + 0.15
    a.kill(signal.SIGKILL)
    t = lab.wait_until(lambda: has6(lab, "b"), limit + 2)
    check(t is not None, "B took the VIP after kill -9 of A")
    log("kill -9 -> IPv6 VIP on B: %.3f s (limit %.3f)" % (t, limit))
    check(t <= limit, "takeover %.3f s <= %.3f s" % (t, limit))
    check(lab.wait_until(lambda: neigh_mac(lab, "c", VIP6) == mac_b, 2)
          is not None, "the client's neighbour cache follows the VIP to "
          "B's MAC %s (got %s)" % (mac_b, neigh_mac(lab, "c", VIP6)))
    a.proc.wait(3)
    lab.run("a", "ip", "addr", "del", VIP6 + "/64", "dev", "eth0",
            check=False)

    a.start()
    check(lab.wait_until(lambda: owners6(lab) == ["a"], mdi3(101) + 2)
          is not None, "A restarted took the VIP back (owners %s)"
          % owners6(lab))
    wait_ctl(a)
    check(lab.wait_until(lambda: b.state() == "BACKUP", 1) is not None,
          "B BACKUP again")
    lab.wait_until(lambda: False, 0.5)

    limit = skew3(100) + 0.15
    a.kill(signal.SIGTERM)
    t = lab.wait_until(lambda: has6(lab, "b"), limit + 2)
    check(t is not None, "B took the VIP after SIGTERM of A")
    log("SIGTERM -> IPv6 VIP on B: %.3f s (limit %.3f)" % (t, limit))
    check(t <= limit, "takeover after priority 0: %.3f s <= %.3f s"
          % (t, limit))
    check(hold(lambda: owners6(lab) == ["b"], 0.5, 0.05),
          "B alone owns the VIP")
    cap.stop()

    f = ["ipv6.src", "ipv6.dst", "ipv6.hlim", "vrrp.version", "vrrp.type",
         "vrrp.virt_rtr_id", "vrrp.prio", "vrrp.short_adver_int",
         "vrrp.checksum.status", "vrrp.ipv6_addr"]
    rows = [dict(zip(f, r)) for r in
            cap.fields(f, "vrrp && ipv6.src == %s" % ll_a)]
    check(len(rows) >= 10, "captured %d adverts from A" % len(rows))
    log("advert: %s" % rows[0])
    for r in rows:
        check(r["ipv6.dst"] == "ff02::12" and r["ipv6.hlim"] == "255",
              "to ff02::12, hop limit 255 (%s)" % r)
        check(r["vrrp.version"] == "3" and r["vrrp.type"] == "1" and
              r["vrrp.virt_rtr_id"] == "51" and
              r["vrrp.short_adver_int"] == "10" and
              r["vrrp.ipv6_addr"] == VIP6,
              "VRRPv3 advert, VRID 51, 10 cs, address %s" % VIP6)
        check(r["vrrp.checksum.status"] == "1",
              "tshark: good checksum (%s)" % r["vrrp.checksum.status"])
    mld = cap.fields(["ipv6.src", "icmpv6.mldr.mar.multicast_address"],
                     "icmpv6.type == 143 && ipv6.src == %s" % ll_a)
    log("MLD reports from A: %s" % mld[:3])
    check(any("ff02::12" in m[1] for m in mld),
          "A joined ff02::12 with an MLDv2 report")
    nf = ["eth.src", "ipv6.src", "ipv6.dst", "ipv6.hlim",
          "icmpv6.nd.na.flag.o", "icmpv6.nd.na.flag.s",
          "icmpv6.nd.na.flag.r", "icmpv6.opt.linkaddr",
          "icmpv6.checksum.status"]
    nas = [dict(zip(nf, r)) for r in
           cap.fields(nf, "icmpv6.type == 136 && "
                          "icmpv6.nd.na.target_address == %s" % VIP6)]
    from_b = [n for n in nas if n["eth.src"] == mac_b]
    log("unsolicited NAs for the VIP from B: %d; first %s"
        % (len(from_b), from_b[:1]))
    check(len(from_b) >= 5, "B sent unsolicited NAs for the VIP")
    for n in from_b:
        check(n["ipv6.dst"] == "ff02::1" and n["ipv6.hlim"] == "255" and
              n["icmpv6.nd.na.flag.o"] in ("1", "True") and
              n["icmpv6.nd.na.flag.s"] in ("0", "False") and
              n["icmpv6.opt.linkaddr"] == mac_b and
              n["icmpv6.checksum.status"] == "1",
              "NA to ff02::1, hop limit 255, Override, not Solicited, "
              "B's MAC, good checksum (%s)" % n)


if __name__ == "__main__":
    run_test(test, "tcpdump", "tshark", roles=("a", "b", "c"))
