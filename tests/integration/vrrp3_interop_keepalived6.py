#!/usr/bin/python3
"""VRRPv3 interop with keepalived over IPv6 (vrrp_version 3, native_ipv6,
advert_int 0.1, VIP 2001:2::50/64), both roles, as
vrrp3_interop_keepalived does for IPv4: exactly one owns the VIP, vrrpd
follows keepalived's adverts (Master: keepalived's link-local address,
nothing dropped), kill -9 and SIGTERM move the VIP both ways within the
same bounds."""

from lab import check, run_test
from vrrp3_interop_keepalived import Family, run_both
from vrrp3_ipv6 import VIP6, has6, link_local, owners6


class V6(Family):
    vip = VIP6
    prefix = 64
    extra = {"native_ipv6": True}  # keepalived's (deprecated) spelling

    def owners(self, lab):
        return owners6(lab)

    def has(self, lab, role):
        return has6(lab, role)

    def master_addr(self, lab, role):
        return link_local(lab, role)


def test(lab):
    check(lab.wait_until(lambda: all(link_local(lab, r) for r in
                                     ("a", "b")), 10) is not None,
          "link-local addresses ready")
    run_both(lab, V6())


if __name__ == "__main__":
    run_test(test, "keepalived")
