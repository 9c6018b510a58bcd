#!/usr/bin/python3
"""Split-brain recovery: a Master that hears a lower-priority advert (the
other side also believes it is Master) re-advertises at once and repeats
its gratuitous ARPs, so switches and clients learn the winner's MAC again.

A runs alone and becomes Master; a client injects (scapy) a well-formed
advert for the same VRID at priority 50 half-way between two of A's
adverts.  A must answer with an advert and GARPs within 100 ms, instead of
waiting for its next Adver_Timer."""

import time

from lab import (ADDR, Node, PYTHON, VIP, check, forged_advert, log,
                 master_down, run_test)

INJECT = forged_advert(ADDR["c"], 50) + r"""
time.sleep(max(0.0, float(sys.argv[1]) - time.time()))  # after imports
sendp(p, iface="eth0", verbose=False)
"""


def test(lab):
    mac_a = lab.mac("a")
    cap = lab.capture("c", "eth0", "vrrp or arp")
    a = Node(lab, "a", state="MASTER", priority=101)
    a.start()
    t = lab.wait_until(lambda: a.has_vip(), master_down(101) + 2)
    check(t is not None, "A alone becomes Master")
    t_master = time.time()
    # half-way between A's adverts, far from its second GARP burst (+5 s)
    r = lab.run("c", PYTHON, "-c", INJECT, str(t_master + 2.5), check=False)
    check(r.returncode == 0, "injected a priority-50 advert %s"
          % r.stderr.strip()[-300:])
    time.sleep(0.8)
    st = a.status()
    log("A: %s" % st)
    cap.stop()

    fields = ["frame.time_epoch", "ip.src", "vrrp.prio"]
    adv = [(float(t), src, int(p)) for t, src, p in
           cap.fields(fields, "vrrp")]
    inj = [x for x in adv if x[1] == ADDR["c"]]
    check(len(inj) == 1, "the injected advert is on the wire")
    t_in = inj[0][0]
    log("injected at +%.3f s after the VIP appeared" % (t_in - t_master))
    resp = [x for x in adv if x[1] == ADDR["a"] and t_in < x[0] <= t_in + 0.1]
    log("A's adverts around it: %s" %
        ["%+.3f" % (x[0] - t_in) for x in adv if x[1] == ADDR["a"]])
    check(len(resp) >= 1 and all(x[2] == 101 for x in resp),
          "A re-advertised (priority 101) within 100 ms of the "
          "lower-priority advert")
    garps = [float(x[0]) for x in cap.fields(
        ["frame.time_epoch", "eth.src"],
        "arp.isgratuitous == 1 && arp.src.proto_ipv4 == %s && eth.src == %s"
        % (VIP, mac_a))]
    after = [g for g in garps if t_in < g <= t_in + 0.1]
    check(len(after) >= 1, "A repeated its gratuitous ARPs within 100 ms "
          "(%d GARPs, at %s)" % (len(garps),
                                ["%+.3f" % (g - t_in) for g in garps]))
    check(st and st["state"] == "MASTER", "A is still MASTER")
    check(a.has_vip(), "A still owns the VIP")


if __name__ == "__main__":
    run_test(test, "tshark", "tcpdump", roles=("a", "c"))
