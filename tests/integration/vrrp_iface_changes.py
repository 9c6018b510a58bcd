#!/usr/bin/python3
"""Issue #18's unprobed cases on a running pair:
1. the interface's own address removed while Master: A keeps the VIP
   and keeps advertising (from the VIP, its only address left), B stays
   Backup, no error loop in A's log; the address back, adverts come from
   it again;
2. an MTU change on the Master's interface (1500 -> 1280 -> 9000 -> 1500):
   nothing moves, adverts keep their pace;
3. a VRID clash, two instances on one link with the same VRID: refused
   at -t with FILE:LINE, nothing starts."""

import re
import subprocess
import time

from lab import (ADDR, VIP, VRRPD, Node, check, hold, log, master_down,
                 run_test, vrrp_instance, vrrpd_conf)


def adverts_from(lab, role, secs):
    """Sources of the VRRP adverts seen on role's eth0 for secs."""
    cap = lab.capture(role, bpf="ip proto 112")
    time.sleep(secs)
    cap.stop()
    return [r[0] for r in cap.fields(["ip.src"]) if r]


def test(lab):
    a = Node(lab, "a", priority=101, fast_preempt=True)
    b = Node(lab, "b", priority=100)
    a.start()
    b.start()
    check(lab.wait_until(lambda: lab.owners(VIP) == ["a"],
                         master_down(100) + 3) is not None, "A Master")

    # 1. A's own address goes away while it is Master
    lab.run("a", "ip", "addr", "del", ADDR["a"] + "/24", "dev", "eth0")
    t0 = time.monotonic()
    # B's capture runs through the hold; its last 2.5 s are checked
    cap = lab.capture("b", bpf="ip proto 112")
    check(hold(lambda: lab.owners(VIP) == ["a"] and b.state() == "BACKUP",
               master_down(100) + 1), "A's address removed: A keeps the "
          "VIP, B stays Backup for Master_Down_Interval + 1 s")
    t_end = time.time()
    cap.stop()
    rows = [r for r in cap.fields(["frame.time_epoch", "ip.src"]) if r]
    srcs = [r[1] for r in rows]
    late = [r for r in rows if float(r[0]) > t_end - 2.5]
    log("adverts heard by B without A's address: %s" % sorted(set(srcs)))
    check(len(late) >= 2, "A kept advertising (%d adverts in the last "
          "2.5 s)" % len(late))
    text = a.proc.output()
    errs = [line for line in text.splitlines()
            if re.search(r"error|fail|cannot|sending advert", line, re.I)]
    log("A's log lines with error/fail/cannot/sending advert: %d"
        % len(errs))
    check(len(errs) <= 5, "no error loop in A's log (%d lines)" % len(errs))
    lab.run("a", "ip", "addr", "add", ADDR["a"] + "/24", "dev", "eth0")
    check(lab.wait_until(lambda: ADDR["a"] in adverts_from(lab, "b", 1.5),
                         6) is not None,
          "adverts come from A's address again once it is back")
    check(lab.owners(VIP) == ["a"], "A still Master (%.1f s in all)"
          % (time.monotonic() - t0))

    # 2. MTU changes on the Master's interface
    n0 = a.status()["counters"]["adverts_sent"]
    t0 = time.monotonic()
    for mtu in (1280, 9000, 1500):
        lab.run("a", "ip", "link", "set", "dev", "eth0", "mtu", str(mtu))
        check(hold(lambda: lab.owners(VIP) == ["a"] and
                   b.state() == "BACKUP", 1.2),
              "MTU %d on A's eth0: nothing moves" % mtu)
    sent = a.status()["counters"]["adverts_sent"] - n0
    secs = time.monotonic() - t0
    check(sent >= int(secs) - 1, "adverts kept their pace through the MTU "
          "changes (%d in %.1f s)" % (sent, secs))
    check(a.state() == "MASTER", "A Master after the MTU changes")

    # 3. two instances with one VRID on one link
    conf = lab.write("clash.conf", vrrpd_conf("lbX", lab.path("x.sock"), [
        vrrp_instance("VI_1", vrid=51),
        vrrp_instance("VI_2", vrid=51, vips=("198.18.0.60/24",))]))
    r = subprocess.run([VRRPD, "-t", "-f", conf], capture_output=True,
                       text=True)
    log("vrrpd -t on a VRID clash: rc %d: %s" % (r.returncode,
                                                   r.stderr.strip()))
    check(r.returncode == 1 and re.search(r"clash\.conf:\d+: .*51",
                                          r.stderr) is not None,
          "a VRID clash on one link is a FILE:LINE error at -t")


if __name__ == "__main__":
    run_test(test, "tshark")
