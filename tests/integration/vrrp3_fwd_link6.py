#!/usr/bin/python3
"""track_forwarder on an IPv6 instance: the forwarder's link counts (its
weight while connected, Master lost when it drops), a listener on
0.0.0.0 with no server up is not taken for one on the IPv6 VIP (an IPv6
VIP's IPv4 field is 0.0.0.0; it matched such a bind before), and the
listener on the IPv6 VIP itself counts: no server up takes the weight
back (before, IPv6 binds were skipped and only the link counted)."""

from lab import Node, check, log, run_test
from lab6 import VIP6, has6, link_local
from labctl import FakeFwd


def test(lab):
    check(lab.wait_until(lambda: link_local(lab, "a"), 10) is not None,
          "link-local address ready")
    a = Node(lab, "a", state="MASTER", priority=101, auth_pass=None,
             version=3, advert_int="100ms", vips=(VIP6 + "/64",),
             track_forwarder={"weight": 2})
    a.start()
    check(lab.wait_until(lambda: a.status() is not None, 5) is not None,
          "vrrpd answers")
    fk = FakeFwd(lab, a)
    fk.send("health web 2 2 [%s]:8080" % VIP6)
    check(fk.reply().get("ok") is True, "IPv6 bind accepted")
    check(lab.wait_until(lambda: a.status()["effective_priority"] == 103,
                         2) is not None,
          "forwarder connected: priority 101 + 2 (%s)"
          % a.status()["effective_priority"])
    check(lab.wait_until(lambda: has6(lab, "a"), 2) is not None,
          "A is Master with the IPv6 VIP")
    fk.send("health any 0 2 0.0.0.0:8080")
    check(fk.reply().get("ok") is True, "wildcard listener accepted")
    lab.wait_until(lambda: False, 0.3)
    st = a.status()
    log("after a wildcard listener without servers: priority %d (%s)"
        % (st["effective_priority"], st["trackers"]))
    check(st["effective_priority"] == 103,
          "a down listener on 0.0.0.0 does not count against the IPv6 "
          "instance (priority %d)" % st["effective_priority"])
    # the listener on the IPv6 VIP itself counts (fwdproto's binds6)
    fk.send("health web 0 2 [%s]:8080" % VIP6)
    check(fk.reply().get("ok") is True, "IPv6 listener down accepted")
    check(lab.wait_until(lambda: a.status()["effective_priority"] == 101,
                         2) is not None,
          "the IPv6 VIP's listener with no server up takes the weight "
          "back (priority %d)" % a.status()["effective_priority"])
    fk.send("health web 1 2 [%s]:8080" % VIP6)
    check(fk.reply().get("ok") is True, "IPv6 listener up accepted")
    check(lab.wait_until(lambda: a.status()["effective_priority"] == 103,
                         3) is not None,
          "and up again gives it back after the hold (priority %d)"
          % a.status()["effective_priority"])
    fk.close()
    check(lab.wait_until(lambda: a.status()["effective_priority"] == 101,
                         2) is not None,
          "forwarder gone: the weight is taken back (%s)"
          % a.status()["effective_priority"])


if __name__ == "__main__":
    run_test(test, roles=("a",))
