"""Addresses and config text for the lab: vrrpd's and keepalived's
instances from one dict, and the `forwarder = { ... };` section that fwd
reads (from vrrpd's file or its own). Python values become libconfig
values: dicts are groups, lists are arrays, strings are quoted."""


SUBNET_LEN = 24
ADDR = {
    "a": "198.18.0.11",
    "b": "198.18.0.12",
    "c": "198.18.0.100",  # client
    "s1": "198.18.0.21",  # back ends
    "s2": "198.18.0.22",
    "smtp": "198.18.0.25",
}
VIP = "198.18.0.50"
VIP2 = "198.18.0.51"

def _lc_str(s):
    return '"%s"' % s.replace("\\", "\\\\").replace('"', '\\"')


def _lc_val(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return str(v)
    if isinstance(v, (list, tuple)):
        return "[ " + ", ".join(_lc_val(x) for x in v) + " ]"
    if isinstance(v, dict):
        return "{ " + " ".join("%s = %s;" % (k, _lc_val(x))
                               for k, x in v.items()) + " }"
    return _lc_str(str(v))


def vrrp_instance(name="VI_1", state="BACKUP", priority=100, vrid=51,
                  vips=(VIP + "/24",), auth_pass="s3cret", advert_int=1,
                  interface="eth0", **extra):
    """One vrrp_instance as a dict; extra keys are passed through
    (nopreempt, fast_preempt, preempt_delay, garp_master_delay, ...)."""
    d = {"name": name, "state": state, "interface": interface,
         "virtual_router_id": vrid, "priority": priority,
         "advert_int": advert_int, "virtual_ipaddress": list(vips)}
    if auth_pass is not None:
        d["authentication"] = {"auth_type": "PASS", "auth_pass": auth_pass}
    d.update(extra)
    return d


def vrrpd_conf(router_id, control_socket, instances, global_defs=None):
    """libconfig text for vrrpd; global_defs: more keys of that group."""
    lines = ["global_defs = {",
             "  router_id = %s;" % _lc_str(router_id),
             "  control_socket = %s;" % _lc_str(control_socket)]
    for k, v in (global_defs or {}).items():
        lines.append("  %s = %s;" % (k, _lc_val(v)))
    lines += ["};", "vrrp_instance = {"]
    for inst in instances:
        inst = dict(inst)
        name = inst.pop("name")
        lines.append("  %s = {" % name)
        for k, v in inst.items():
            lines.append("    %s = %s;" % (k, _lc_val(v)))
        lines.append("  };")
    lines.append("};")
    return "\n".join(lines) + "\n"


def keepalived_conf(router_id, instances):
    """keepalived.conf text for the same instance dicts (VRRPv2, or v3
    when an instance says version = 3)."""
    version = max(i.get("version", 2) for i in instances)
    out = ["global_defs {", "  router_id %s" % router_id,
           "  vrrp_version %d" % version,
           "  script_user root",
           "}"]
    for inst in instances:
        inst = dict(inst)
        out.append("vrrp_instance %s {" % inst.pop("name"))
        vips = inst.pop("virtual_ipaddress")
        auth = inst.pop("authentication", None)
        inst.pop("fast_preempt", None)  # ours only
        inst.pop("v3_checksum_as_v2", None)  # not in keepalived 2.2.7
        adv = inst.get("advert_int")
        if isinstance(adv, str) and adv.endswith("ms"):  # v3: "100ms"
            inst["advert_int"] = "%g" % (int(adv[:-2]) / 1000.0)
        for k, v in inst.items():
            if isinstance(v, bool):
                if v:
                    out.append("  %s" % k)
            else:
                out.append("  %s %s" % (k, v))
        if auth:
            out.append("  authentication {")
            out.append("    auth_type %s" % auth["auth_type"])
            out.append("    auth_pass %s" % auth["auth_pass"])
            out.append("  }")
        out.append("  virtual_ipaddress {")
        for v in vips:
            out.append("    %s" % (v if " dev " in v else v + " dev eth0"))
        out.append("  }")
        out.append("}")
    return "\n".join(out) + "\n"


def forged_advert(src, priority, vip=VIP):
    """Python for a node's namespace: scapy builds `p`, a VRRPv2 advert
    for VRID 51 and vip from src on eth0 (password s3cret), and `sys`,
    `time` and `sendp` are imported; the caller adds how it is sent."""
    return r'''
import sys, time
from scapy.all import Ether, IP, get_if_hwaddr, sendp
from scapy.layers.vrrp import VRRP
pw = b"s3cret\0\0"
p = (Ether(src=get_if_hwaddr("eth0"), dst="01:00:5e:00:00:12") /
     IP(src="%s", dst="224.0.0.18", ttl=255) /
     VRRP(vrid=51, priority=%d, adv=1, authtype=1, addrlist=["%s"],
          auth1=int.from_bytes(pw[:4], "big"),
          auth2=int.from_bytes(pw[4:], "big")))
''' % (src, priority, vip)


def forwarder_conf(control_socket=None, listen=None, body="", **settings):
    """fwd's section: control_socket first, then each setting (a dict is
    a group: timeout={"connect": "300ms"}), the listen groups by name,
    then body as it is (libconfig text, for the tests that write their
    own). Every fwd of the tests gets its section here."""
    out = ["forwarder = {"]
    if control_socket is not None:
        out.append("  control_socket = %s;" % _lc_str(control_socket))
    for k, v in settings.items():
        out.append("  %s = %s;" % (k, _lc_val(v)))
    if listen:
        out.append("  listen = {")
        for name, group in listen.items():
            out.append("    %s = %s;" % (name, _lc_val(group)))
        out.append("  };")
    if body:
        out.append(body)
    out.append("};")
    return "\n".join(out) + "\n"


def server(addr, check=None, **extra):
    """One fwd server group: address, and a check group when given."""
    d = {"address": addr}
    if check:
        d["check"] = check
    d.update(extra)
    return d
