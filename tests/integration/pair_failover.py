#!/usr/bin/python3
"""The pair: vrrpd + fwd on two nodes, back ends, and a client that keeps
connecting through the VIP. kill -9 of the Master's fwd moves the VIP to
the peer in well under a second (track_forwarder + fast takeover) and the
client gets answers through it again; back ends unreachable from the
Master do the same; a restarted fwd restores the Master (preemption)."""

import time

from lab import ADDR, DAEMONS, VIP, check, log, run_test
from labpair import (client_log, gap_around, kill_fwd, start_client,
                     start_fwd_pair)


def test(lab):
    a, b = start_fwd_pair(lab)
    check(a.status()["effective_priority"] == 103, "A at 101 + 2")
    clog = start_client(lab, VIP)
    answers = {w for _, w in client_log(clog)}
    check({"s1", "s2"} <= answers, "roundrobin over both back ends (%s)"
          % sorted(answers))
    st = lab.vrrpctl("a", a.fwd_sock, "stats")
    check('"vrrpd":{"enabled":true,"connected":true' in st.stdout and
          '"state":"MASTER"' in st.stdout,
          "A's fwd shows the link and A's MASTER state in its stats")

    # 1. kill -9 of the Master's forwarder
    t0, vip_gap = kill_fwd(lab, a, clog)
    gap = gap_around(client_log(clog), t0)
    log("kill -9 fwd on Master: VIP on B after %.3f s; client gap %.3f s"
        % (vip_gap, gap))
    check(vip_gap < 1.0, "VIP moved in %.3f s < 1 s" % vip_gap)
    check("forwarder" in a.status()["last_reason"],
          "A says why: %r" % a.status()["last_reason"])

    # 2. fwd back on A: A preempts
    a.start_fwd()
    t = lab.wait_until(lambda: lab.owners(VIP) == ["a"], 3)
    check(t is not None, "A took the VIP back once its fwd returned (%s s)"
          % t)
    log("fwd restarted on A -> VIP on A after %.3f s" % t)

    # 3. back ends unreachable from A (as if they stopped for A)
    time.sleep(0.5)
    t0 = time.monotonic()
    for s in ("s1", "s2"):
        lab.run("a", "ip", "route", "add", "prohibit", ADDR[s] + "/32")
    t = lab.wait_until(lambda: lab.owners(VIP) == ["b"], 3)
    check(t is not None, "B owns the VIP when A's back ends are down")
    log("all back ends down for A -> VIP on B after %.3f s "
        "(checks every 200 ms, fall 1)" % t)
    check(t < 1.0, "moved in %.3f s < 1 s" % t)
    st = lab.vrrpctl_status("a", a.sock)
    check(st["forwarder"]["connected"] and
          st["forwarder"]["listeners"][0]["up"] == 0,
          "A's vrrpd knows its fwd is alive with no server up")
    for s in ("s1", "s2"):
        lab.run("a", "ip", "route", "del", "prohibit", ADDR[s] + "/32")
    check(lab.wait_until(lambda: lab.owners(VIP) == ["a"], 3) is not None,
          "A Master again once its back ends are back")
    time.sleep(0.3)
    rows = client_log(clog)
    fails = sum(1 for _, w in rows if w == "fail")
    log("client: %d requests, %d failed" % (len(rows), fails))


if __name__ == "__main__":
    run_test(test, roles=("a", "b", "c", "s1", "s2"), binaries=DAEMONS)
