#!/usr/bin/python3
"""Issue #18 item 10: a priority-255 advert from a host whose address is
none of the VIPs. RFC 3768 makes the Master step down at once (we keep
that), but the address owner sends from the VIP itself, so vrrpd warns:
one log line per 10 s however many arrive, and the alert mail names it
as a likely misconfiguration or attack and points to authentication and
unicast_peer. A client injects the adverts with scapy."""

import re
import time

from lab import ADDR, PYTHON, check, forged_advert, log, master_down, run_test
from labsmtp import MailBox, MailNode

INJECT = forged_advert(ADDR["c"], 255) + r"""
for i in range(int(sys.argv[1])):
    sendp(p, iface="eth0", verbose=False)
    time.sleep(0.2)
"""

WARN = ("priority 255 advert from %s, which is not one of our virtual "
        "addresses" % ADDR["c"])


def test(lab):
    box = MailBox(lab)
    box.start()
    a = MailNode(lab, "a", state="MASTER", priority=101, smtp_alert=True)
    a.start()
    check(lab.wait_until(lambda: a.has_vip(), master_down(101) + 2)
          is not None, "A alone becomes Master")
    check(lab.wait_until(lambda: len(box.of(a)) >= 1, 10) is not None,
          "A's mail for becoming Master arrived")
    n_before = len(box.of(a))

    r = lab.run("c", PYTHON, "-c", INJECT, "8", check=False)
    check(r.returncode == 0, "injected 8 priority-255 adverts %s"
          % r.stderr.strip()[-300:])
    st = a.status()
    check(st["state"] == "BACKUP", "A stepped down (RFC 3768): %s"
          % st["state"])
    check(st["counters"]["owner_suspect"] == 8,
          "8 suspect adverts counted (%d)" % st["counters"]["owner_suspect"])
    # the warning lines; the transition's line carries it once more
    lines = [ln for ln in a.proc.output().splitlines()
             if WARN in ln and "[warning]" in ln]
    log("log: %s" % (lines[0] if lines else None))
    check(len(lines) == 1, "one warning in the log for 8 adverts (%d)"
          % len(lines))
    check("likely a misconfiguration or an attack" in lines[0] and
          "authentication and unicast_peer" in lines[0],
          "the warning says what it likely is and what to do")

    check(lab.wait_until(lambda: len(box.of(a)) > n_before, 10) is not None,
          "A's mail for stepping down arrived")
    body = box.of(a)[-1]["msg"].get_content()
    why = re.search(r"Why: +(.*)", body)
    log("mail: Why: %s" % (why.group(1) if why else None))
    check("MASTER -> BACKUP" in body, "the mail is for MASTER -> BACKUP")
    flat = re.sub(r"\s+", " ", body)
    check("higher priority advert from %s (priority 255)" % ADDR["c"] in flat
          and "WARNING: " + WARN in flat and
          "likely a misconfiguration or an attack" in flat and
          "authentication and unicast_peer" in flat,
          "the mail says so too:\n" + body)
    check(not a.has_vip(), "A released the VIP (the RFC way)")


if __name__ == "__main__":
    run_test(test, "tshark", roles=("a", "c", "smtp"))
