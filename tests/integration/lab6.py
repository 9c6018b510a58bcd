"""VRRPv3 and IPv6 in the lab: the 100 ms advert interval's timers, the
IPv6 VIP (2001:2::50, the benchmarking range of RFC 5180), who owns it,
link-local addresses and neighbour entries."""

import json

from lab import _sh

ADV = 0.1  # advert_int = "100ms", in seconds
VIP6 = "2001:2::50"


def skew3(prio):
    """Skew_Time of RFC 5798 at ADV."""
    return (256 - prio) * ADV / 256.0


def mdi3(prio):
    """Master_Down_Interval of RFC 5798 at ADV."""
    return 3 * ADV + skew3(prio)


def addrs6(lab, role):
    r = _sh(["ip", "-n", lab.ns(role), "-j", "-6", "addr", "show", "dev",
             "eth0"], check=False)
    try:
        data = json.loads(r.stdout or "[]")
    except ValueError:
        return []
    return [a for link in data for a in link.get("addr_info", [])]


def has6(lab, role, addr=VIP6):
    return any(a["local"] == addr for a in addrs6(lab, role))


def owners6(lab):
    return [r for r in ("a", "b") if has6(lab, r)]


def link_local(lab, role):
    for a in addrs6(lab, role):
        if a["local"].startswith("fe80:") and not a.get("tentative"):
            return a["local"]
    return None


def neigh_mac(lab, role, addr):
    r = _sh(["ip", "-n", lab.ns(role), "-j", "-6", "neigh", "show", addr,
             "dev", "eth0"], check=False)
    try:
        data = json.loads(r.stdout or "[]")
    except ValueError:
        return None
    return data[0].get("lladdr") if data else None
