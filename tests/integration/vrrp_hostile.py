#!/usr/bin/python3
"""Hostile VRRP input: crafted packets and a flood from a third namespace.

A (priority 101) is Master, B (100) Backup; an attacker namespace on the
same bridge sends crafted VRRPv2 packets through a raw IP_HDRINCL socket,
to 224.0.0.18 (both nodes get them) and unicast to each node:

  TTL 64, bad checksum, version 3, type 2, another VRID, auth type NONE,
  wrong password, advert_int 3, truncated below the header, count_ip
  larger than the addresses carried, trailing junk, a 1400-byte packet,
  a priority-254 advert with a wrong password, and adverts spoofing the
  receiving node's own address (with accept_local=1: by default the
  kernel already drops a packet with a local source address).

For each class: no transition on either node, the VIP only on A, and the
node's drop counters (`vrrpctl --json status`) moved by exactly the
number sent, under the class's reason and nowhere else.

Then the flood keepalived 2.2.7 fails: >= 10,000 packets/s for 5 s of
TTL-64 adverts with our VRID to 224.0.0.18, mixed with other junk. B
must not take over, A's adverts must keep going out on time (max gap
seen in B's namespace < 1.5 advert_int), every packet sent must be
accounted for in the counters (the kernel's own queue drops are counted
under "rcvbuf"), and the logs must not grow by a line per packet.
"""

import json
import struct
import time

from lab import (ADDR, PYTHON, VIP, Node, check, log, master_down, run_test)

ATTACKER = "c"
VRID = 51
PASS = b"s3cret"
FLOOD_RATE = 10000
FLOOD_SECS = 5.0

# Runs in the attacker namespace: sends a weighted mix of packets at a
# given rate; prints what it sent per class as JSON.
SENDER = r"""
import json, socket, sys, time
spec = json.load(open(sys.argv[1]))
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 22)
s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF,
             socket.inet_aton(spec["src"]))
seq = []
for cls, hexpkt, dst, weight in spec["packets"]:
    seq += [(cls, bytes.fromhex(hexpkt), (dst, 0))] * weight
rate, total = spec["rate"], spec["count"]
sent = {}
errors = 0
t0 = time.monotonic()
i = 0
n = len(seq)
while i < total:
    cls, pkt, dst = seq[i % n]
    try:
        s.sendto(pkt, dst)
        sent[cls] = sent.get(cls, 0) + 1
    except OSError:
        errors += 1
        time.sleep(0.0005)
        continue
    i += 1
    if rate and i % 32 == 0:
        ahead = t0 + i / rate - time.monotonic()
        if ahead > 0:
            time.sleep(ahead)
print(json.dumps({"sent": sent, "errors": errors,
                  "elapsed": time.monotonic() - t0}))
"""


def inet(a):
    return bytes(int(x) for x in a.split("."))


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def vrrp_msg(vrid=VRID, prio=200, addrs=(VIP,), count=None, auth_type=1,
             pw=PASS, adv=1, version=2, vtype=1, trailing=b"",
             bad_sum=False, cut=None):
    """A VRRPv2 advertisement (RFC 3768 5.1), optionally damaged."""
    body = b"".join(inet(a) for a in addrs)
    auth = (pw + b"\0" * 8)[:8] if auth_type == 1 else b"\0" * 8
    hdr = struct.pack("!BBBBBBH", version << 4 | vtype, vrid, prio,
                      len(addrs) if count is None else count, auth_type, adv,
                      0)
    m = hdr + body + auth + trailing
    s = csum(m)
    if bad_sum:
        s ^= 0x5a5a
    m = m[:6] + struct.pack("!H", s) + m[8:]
    return m[:cut] if cut is not None else m


def ip_pkt(src, dst, payload, ttl=255):
    """IPv4 header + payload for an IP_HDRINCL socket (the kernel fills in
    the header checksum and total length)."""
    return struct.pack("!BBHHHBBH4s4s", 0x45, 0xc0, 20 + len(payload), 0,
                       0, ttl, 112, 0, inet(src), inet(dst)) + payload


# class -> (drop reason, ip_pkt kwargs, vrrp_msg kwargs)
CLASSES = {
    "ttl64": ("ttl", {"ttl": 64}, {}),
    "checksum": ("checksum", {}, {"bad_sum": True}),
    "version3": ("version", {}, {"version": 3}),
    "type2": ("type", {}, {"vtype": 2}),
    "other_vrid": ("vrid", {}, {"vrid": 52, "prio": 254}),
    "auth_none": ("auth_type", {}, {"auth_type": 0}),
    "wrong_pass": ("auth_pass", {}, {"pw": b"guessed"}),
    "prio254_wrong_pass": ("auth_pass", {}, {"prio": 254, "pw": b"s3cre7"}),
    "advert_int3": ("advert_int", {}, {"adv": 3}),
    "truncated_hdr": ("length", {}, {"cut": 6}),
    "count_ip_too_big": ("count_ip", {}, {"count": 3}),
    "trailing_junk": ("count_ip", {}, {"trailing": b"\xa5" * 40}),
    "oversized_1400": ("count_ip", {}, {"trailing": b"J" * 1364}),
}


def packet(cls, src, dst):
    reason, ipkw, vkw = CLASSES[cls]
    return ip_pkt(src, dst, vrrp_msg(**vkw), **ipkw)


def send(lab, packets, rate, count):
    """packets: [(class, bytes, dst, weight)]; returns the sender's JSON."""
    spec = {"src": ADDR[ATTACKER], "rate": rate, "count": count,
            "packets": [(c, p.hex(), d, w) for c, p, d, w in packets]}
    path = lab.write("send-%d.json" % time.monotonic_ns(), json.dumps(spec))
    r = lab.run(ATTACKER, PYTHON, "-c", SENDER, path,
                timeout=30 + count / max(rate, 1))
    return json.loads(r.stdout)


def drops(node):
    return dict(node.status()["drops"])


def delta(after, before):
    return {k: after[k] - before.get(k, 0) for k in after
            if after[k] != before.get(k, 0)}


def steady(lab, a, b, t_a, t_b):
    return (a.status()["transitions"] == t_a and
            b.status()["transitions"] == t_b and
            lab.owners(VIP, ["a", "b"]) == ["a"] and
            a.state() == "MASTER" and b.state() == "BACKUP")


def log_lines(node):
    return node.proc.output().count("\n")


def test_classes(lab, a, b, t_a, t_b):
    n_mc, n_uc = 20, 10
    totals = {}
    for cls, (reason, _, _) in CLASSES.items():
        before = {"a": drops(a), "b": drops(b)}
        pkts = [(cls, packet(cls, ADDR[ATTACKER], "224.0.0.18"),
                 "224.0.0.18", n_mc)]
        for r in ("a", "b"):
            pkts.append((cls, packet(cls, ADDR[ATTACKER], ADDR[r]), ADDR[r],
                         n_uc))
        out = send(lab, pkts, 2000, n_mc + 2 * n_uc)
        check(out["sent"].get(cls) == n_mc + 2 * n_uc,
              "%s: attacker sent %d packets" % (cls, n_mc + 2 * n_uc))
        want = {reason: n_mc + n_uc}
        for node, r in ((a, "a"), (b, "b")):
            ok = lab.wait_until(lambda: delta(drops(node), before[r]) == want,
                                2, 0.05)
            got = delta(drops(node), before[r])
            check(ok is not None,
                  "%s: %s's drops moved by %s (want %s)" % (cls, r, got, want))
        totals[cls] = (reason, n_mc + n_uc)
        check(steady(lab, a, b, t_a, t_b),
              "%s: no transition, VIP only on A" % cls)
    return totals


def test_own_address(lab, a, b, t_a, t_b):
    # by default the kernel drops packets claiming a local source address
    # (martians); let them through so that vrrpd's own check is exercised
    for r in ("a", "b"):
        lab.run(r, "sysctl", "-qw", "net.ipv4.conf.eth0.accept_local=1")
        lab.run(r, "sysctl", "-qw", "net.ipv4.conf.all.rp_filter=0")
        lab.run(r, "sysctl", "-qw", "net.ipv4.conf.eth0.rp_filter=0")
    n = 25
    for node, r in ((a, "a"), (b, "b")):
        before = drops(node)
        pkt = ip_pkt(ADDR[r], ADDR[r], vrrp_msg(prio=254))
        out = send(lab, [("own_address", pkt, ADDR[r], 1)], 2000, n)
        check(out["sent"].get("own_address") == n, "sent %d own-address "
              "adverts to %s" % (n, r))
        ok = lab.wait_until(
            lambda: delta(drops(node), before) == {"own_address": n}, 2, 0.05)
        check(ok is not None, "%s: own_address drops moved by exactly %d "
              "(%s)" % (r, n, delta(drops(node), before)))
    check(steady(lab, a, b, t_a, t_b),
          "own-address adverts: no transition, VIP only on A")


def flood_mix():
    """Mostly the keepalived-killing TTL-64 adverts, plus other junk."""
    mc = "224.0.0.18"
    src = ADDR[ATTACKER]
    mix = [("ttl64", 16), ("checksum", 1), ("other_vrid", 1),
           ("wrong_pass", 1), ("count_ip_too_big", 1)]
    return [(c, packet(c, src, mc), mc, w) for c, w in mix]


def max_gap(times):
    return max((y - x for x, y in zip(times, times[1:])), default=None)


def test_flood(lab, a, b, t_a, t_b):
    cap = lab.capture("b", bpf="ip proto 112 and src host %s" % ADDR["a"])
    before = {"a": drops(a), "b": drops(b)}
    lines = {"a": log_lines(a), "b": log_lines(b)}
    time.sleep(1.2)  # an advert or two before the flood starts
    count = int(FLOOD_RATE * FLOOD_SECS)
    out = send(lab, flood_mix(), FLOOD_RATE, count)
    time.sleep(1.2)
    cap.stop()
    rate = sum(out["sent"].values()) / out["elapsed"]
    log("flood: sent %s in %.2f s (%.0f packets/s, %d send errors)"
        % (out["sent"], out["elapsed"], rate, out["errors"]))
    check(rate >= FLOOD_RATE * 0.95,
          "the attacker reached %.0f packets/s (target %d)"
          % (rate, FLOOD_RATE))
    check(steady(lab, a, b, t_a, t_b),
          "after the flood: no transition on A or B, VIP only on A")

    times = [float(r[0]) for r in cap.fields(["frame.time_epoch"],
                                             "ip.ttl == 255")]
    gap = max_gap(times)
    log("A's adverts seen in B's namespace: %d, max gap %.3f s"
        % (len(times), gap or -1))
    check(len(times) >= FLOOD_SECS + 1 and gap is not None and gap < 1.5,
          "A's adverts kept going out: max gap %.3f s < 1.5 x advert_int"
          % (gap or -1))

    sent = dict(out["sent"])
    want = {}
    for cls, n in sent.items():
        reason = CLASSES[cls][0]
        want[reason] = want.get(reason, 0) + n
    for node, r in ((a, "a"), (b, "b")):
        got = {}
        # the counters are read once the socket is drained
        lab.wait_until(lambda: sum(delta(drops(node), before[r]).values())
                       >= count, 3, 0.1)
        got = delta(drops(node), before[r])
        lost = got.pop("rcvbuf", 0)
        log("%s counted %s, rcvbuf (kernel queue) drops %d" % (r, got, lost))
        check(sum(got.values()) + lost == count,
              "%s accounted for all %d flood packets (%d checked, %d "
              "dropped by a full queue)" % (r, count, sum(got.values()), lost))
        check(all(want[k] - lost <= got.get(k, 0) <= want[k] for k in want)
              and set(got) <= set(want),
              "%s: each class under its reason: %s (sent %s)" % (r, got, want))
        check("TTL is 64; should be 255" in node.proc.output(),
              "%s logged the TTL drops at all" % r)
        grown = log_lines(node) - lines[r]
        check(grown < 100, "%s's log grew by %d lines for %d junk packets "
              "(rate limited)" % (r, grown, count))


def test(lab):
    a = Node(lab, "a", priority=101)
    b = Node(lab, "b", priority=100)
    lab.add_node(ATTACKER)
    a.start()
    b.start()
    check(lab.wait_until(lambda: lab.owners(VIP, ["a", "b"]) == ["a"] and
                         b.state() == "BACKUP" and a.state() == "MASTER",
                         master_down(100) + 3) is not None,
          "election: A Master, B Backup")
    t_a, t_b = a.status()["transitions"], b.status()["transitions"]
    totals = test_classes(lab, a, b, t_a, t_b)
    log("per class, dropped on each node: %s" % totals)
    test_own_address(lab, a, b, t_a, t_b)
    test_flood(lab, a, b, t_a, t_b)


if __name__ == "__main__":
    run_test(test, "tcpdump", "tshark")
