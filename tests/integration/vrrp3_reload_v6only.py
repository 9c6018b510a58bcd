#!/usr/bin/python3
"""Reload of a VRRPv3 IPv6 instance on an interface with no IPv4 address.
vrrpd starts on it (IPv6 adverts go from the link-local address), so a
reload of the same file must work too: start-up and reload check an
interface the same way (vrrpd/iface.c). Before, reload asked every
instance for an IPv4 address and refused the file. Then an added IPv6
instance starts on the same interface and a removed one stops."""

import json

from lab import (Node, check, log, run_test, vrrp_instance, vrrpd_conf,
                 _sh)

VIP6 = "2001:2::50"
VIP6B = "2001:2::51"


def link_local(lab):
    r = _sh(["ip", "-n", lab.ns("a"), "-j", "-6", "addr", "show", "dev",
             "eth0"], check=False)
    for link in json.loads(r.stdout or "[]"):
        for a in link.get("addr_info", []):
            if a["local"].startswith("fe80:") and not a.get("tentative"):
                return a["local"]
    return None


def inst(name, vrid, vip):
    return vrrp_instance(name=name, vrid=vrid, state="MASTER", priority=101,
                         auth_pass=None, version=3, advert_int="100ms",
                         vips=(vip + "/64",))


def reload(lab, a, instances=None):
    """Rewrites the file vrrpd runs with (when instances), then reloads."""
    if instances:
        lab.write("vrrpd-a.1.conf", vrrpd_conf(a.router_id, a.sock,
                                               instances))
    r = lab.vrrpctl("a", a.sock, "--json", "reload")
    try:
        return r.returncode, json.loads(r.stdout)
    except ValueError:
        return r.returncode, {"raw": r.stdout, "err": r.stderr}


def test(lab):
    check(lab.wait_until(lambda: link_local(lab), 10) is not None,
          "link-local address ready")
    lab.run("a", "ip", "-4", "addr", "flush", "dev", "eth0")
    check(not [x for x in lab.addrs("a") if "." in x],
          "no IPv4 address left on eth0 (%s)" % lab.addrs("a"))
    a = Node(lab, "a", instances=[inst("VI_1", 51, VIP6)])
    a.start()
    check(lab.wait_until(lambda: a.state() == "MASTER", 3) is not None,
          "A Master on an IPv6-only interface")

    rc, j = reload(lab, a)
    log("reload of the same file: rc %d, %r" % (rc, j))
    check(rc == 0 and j.get("ok") is True and
          j["instances"]["kept"] == ["VI_1"],
          "the same file reloads, VI_1 kept (%r)" % j)
    check(a.state() == "MASTER", "still Master")

    rc, j = reload(lab, a, [inst("VI_1", 51, VIP6), inst("VI_2", 52, VIP6B)])
    check(rc == 0 and j.get("ok") is True and
          j["instances"]["added"] == ["VI_2"], "VI_2 added (%r)" % j)
    check(lab.wait_until(lambda: a.state("VI_2") == "MASTER", 3)
          is not None, "VI_2 Master")

    rc, j = reload(lab, a, [inst("VI_2", 52, VIP6B)])
    check(rc == 0 and j["instances"]["removed"] == ["VI_1"] and
          j["instances"]["kept"] == ["VI_2"], "VI_1 removed (%r)" % j)
    check(a.status("VI_1") is None and a.state("VI_2") == "MASTER",
          "VI_1 gone, VI_2 still Master")
    a.proc.stop()


if __name__ == "__main__":
    run_test(test, roles=("a",))
