#!/usr/bin/python3
"""fwd on an IPv6 VIP that moves: vrrpd pairs (VRRPv3, 100 ms) own
2001:2::50, fwd on each node listens on [2001:2::50]:8080 (IPV6_FREEBIND:
B's listener is bound while the VIP is on A, with net.ipv6.ip_nonlocal_bind
at 0) and forwards to the back ends. A client over IPv6 gets answers
through A; after SIGTERM of A's vrrpd (the VIP leaves A) it gets them
through B within a second."""

import time

from lab import ADDR, DAEMONS, check, log, run_test, server, start_pair
from labpair import (CHECK, FwdNode, PORT, client_log, gap_around,
                     start_backends, start_client)
from lab6 import VIP6, has6, link_local, owners6

class Node6(FwdNode):
    """vrrpd (VRRPv3, IPv6 VIP) and fwd on [VIP6]:8080 from one file."""

    def __init__(self, lab, role, **inst):
        super().__init__(
            lab, role, auth_pass=None, version=3, advert_int="100ms",
            vips=(VIP6 + "/64",), listen={"web": {
                "bind": ["[%s]:%d" % (VIP6, PORT)],
                "server": {s: server(ADDR[s] + ":9000", CHECK)
                           for s in ("s1", "s2")}}}, **inst)


def test(lab):
    check(lab.wait_until(lambda: all(link_local(lab, r) for r in
                                     ("a", "b", "c")), 10) is not None,
          "link-local addresses ready")
    lab.run("c", "ip", "addr", "add", "2001:2::100/64", "dev", "eth0",
            "nodad")
    start_backends(lab)
    a, b = start_pair(lab, Node6)
    fa, fb = a.start_fwd(), b.start_fwd()
    check(lab.wait_until(lambda: owners6(lab) == ["a"], 5) is not None,
          "A owns the IPv6 VIP")
    r = lab.run("b", "sysctl", "-n", "net.ipv6.ip_nonlocal_bind")
    check(r.stdout.strip() == "0", "net.ipv6.ip_nonlocal_bind is 0 on B")
    lab.wait_until(lambda: False, 0.5)
    check(fb.alive() and "[%s]:%d" % (VIP6, PORT) in
          lab.run("b", "ss", "-Htln").stdout,
          "B's fwd listens on [%s]:%d without the VIP" % (VIP6, PORT))

    clog = start_client(lab, VIP6)

    t0 = time.monotonic()
    a.kill(15)
    check(lab.wait_until(lambda: owners6(lab) == ["b"], 2) is not None,
          "the VIP moved to B (owners %s)" % owners6(lab))
    check(lab.wait_until(lambda: any(t > t0 + 0.3 and w in ("s1", "s2")
                                     for t, w in client_log(clog)), 3)
          is not None, "the client gets answers through B's fwd")
    check(not has6(lab, "a"), "A has no VIP: the answers came through B")
    gap = gap_around(client_log(clog), t0)
    log("SIGTERM vrrpd A: client gap %.3f s" % gap)
    check(gap < 1.0, "client gap %.3f s < 1 s" % gap)
    check(fa.alive() and fb.alive(), "both forwarders still running")


if __name__ == "__main__":
    run_test(test, "ss", "sysctl", roles=("a", "b", "c", "s1", "s2"),
             binaries=DAEMONS)
