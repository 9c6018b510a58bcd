#!/usr/bin/python3
"""On the wire, as tshark dissects it: our adverts are valid VRRPv2
(version 2, type 1, VRID, priority, one address, auth type 1 with the
password, adver int 1, good checksum, IP TTL 255 to 224.0.0.18), sent every
advert_int; SIGTERM sends a priority-0 advert; whoever becomes Master sends
gratuitous ARPs for the VIP from its own MAC."""

import signal
import statistics

from lab import ADDR, VIP, check, log, run_test, steady_pair

FIELDS = ["ip.src", "ip.dst", "ip.ttl", "ip.proto", "vrrp.version",
          "vrrp.type", "vrrp.virt_rtr_id", "vrrp.prio", "vrrp.addr_count",
          "vrrp.auth_type", "vrrp.adver_int", "vrrp.checksum.status",
          "vrrp.auth_string", "vrrp.ip_addr", "frame.time_epoch"]


def test(lab):
    mac_a, mac_b = lab.mac("a"), lab.mac("b")
    cap = lab.capture("b", "eth0", "vrrp or arp")
    a, b = steady_pair(lab, auth_pass="s3cret")
    lab.wait_until(lambda: False, 3.2)  # a few adverts
    a.kill(signal.SIGTERM)
    check(lab.wait_until(lambda: b.has_vip(), 3) is not None,
          "B took over after SIGTERM of A")
    lab.wait_until(lambda: False, 0.5)  # B's first GARPs
    cap.stop()

    rows = cap.fields(FIELDS, "vrrp && ip.src == %s" % ADDR["a"])
    check(len(rows) >= 3, "captured %d adverts from A" % len(rows))
    for r in rows:
        d = dict(zip(FIELDS, r))
        log("advert: %s" % d)
        prio = int(d["vrrp.prio"])
        check(d["ip.dst"] == "224.0.0.18" and d["ip.ttl"] == "255" and
              d["ip.proto"] == "112",
              "IP: to 224.0.0.18, TTL 255, protocol 112")
        check(d["vrrp.version"] == "2" and d["vrrp.type"] == "1",
              "VRRP version 2, type 1 (advertisement)")
        check(d["vrrp.virt_rtr_id"] == "51" and prio in (101, 0),
              "VRID 51, priority 101 or 0 (got %d)" % prio)
        check(d["vrrp.addr_count"] == "1" and d["vrrp.ip_addr"] == VIP,
              "one address, %s" % VIP)
        check(d["vrrp.auth_type"] == "1" and
              d["vrrp.auth_string"] == "s3cret",
              "auth type 1 (simple text) with the password")
        check(d["vrrp.adver_int"] == "1", "adver int 1")
        check(d["vrrp.checksum.status"] == "1",
              "tshark says the checksum is good (status %s)"
              % d["vrrp.checksum.status"])
    prios = [int(dict(zip(FIELDS, r))["vrrp.prio"]) for r in rows]
    check(prios[-1] == 0 and prios.count(0) >= 1 and
          all(p == 101 for p in prios[:prios.index(0)]),
          "adverts at priority 101, then priority 0 on SIGTERM (%s)" % prios)
    times = [float(dict(zip(FIELDS, r))["frame.time_epoch"])
             for r in rows if int(dict(zip(FIELDS, r))["vrrp.prio"]) == 101]
    gaps = [y - x for x, y in zip(times, times[1:])]
    med = statistics.median(gaps)
    check(0.9 <= med <= 1.1,
          "adverts every advert_int: median gap %.3f s" % med)

    arp_fields = ["eth.src", "arp.opcode", "arp.src.hw_mac",
                  "arp.src.proto_ipv4", "arp.dst.proto_ipv4",
                  "arp.isgratuitous"]
    garps = [dict(zip(arp_fields, r)) for r in
             cap.fields(arp_fields, "arp.isgratuitous == 1 && "
                                    "arp.src.proto_ipv4 == %s" % VIP)]
    for g in garps:
        log("gratuitous ARP: %s" % g)
    from_a = [g for g in garps if g["eth.src"] == mac_a and
              g["arp.src.hw_mac"] == mac_a]
    from_b = [g for g in garps if g["eth.src"] == mac_b and
              g["arp.src.hw_mac"] == mac_b]
    check(len(from_a) >= 1,
          "gratuitous ARP for %s from A's MAC %s when A became Master"
          % (VIP, mac_a))
    check(len(from_b) >= 1,
          "gratuitous ARP for %s from B's MAC %s when B took over"
          % (VIP, mac_b))
    check(len(from_a) + len(from_b) == len(garps),
          "no gratuitous ARP for the VIP from another MAC")


if __name__ == "__main__":
    run_test(test, "tshark", "tcpdump")
