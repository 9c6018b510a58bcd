#!/usr/bin/python3
"""vrrpd and netlink faults: the VIP already on the interface, the VRRP
interface renamed away and back, and deleted and created again.

1. VIP already present: the test adds the VIP to Backup B's eth0 by hand
   (`ip addr add`).  When A dies B becomes Master without an error (the
   address exists: that is success) and without an error loop; when A
   preempts, B removes the VIP (like keepalived: a Master's VIPs go when
   it leaves Master, whoever added them first; see docs/faults.md).
2. Renamed: A (Master) sets eth0 down and renames it eth9: A goes to
   FAULT, B takes over; eth9 up under the new name leaves A in FAULT (its
   interface eth0 is missing); renamed back and up, A recovers and takes
   the VIP back within a few advert intervals.
3. Deleted and re-created: A's veth is deleted (the bridge end, which
   takes A's eth0 with it), B takes over; the veth is created again with
   the same names and address: a new ifindex, so A must open its socket
   again (SO_BINDTODEVICE and the multicast membership hold the old
   index).  A hears B, preempts, and the pair converges: one Master (A),
   the VIP on A only, within a few advert intervals of the link coming up.
   With the old socket A would hear nothing and send nothing: after its
   Master_Down_Timer both would be Master.
Throughout, A's log must not loop on errors.
"""

import signal
import time

from lab import (ADDR, SUBNET_LEN, VIP, check, hold, log, master_down,
                 run_test, start_pair)

ADVERT_INT = 1
CONVERGE = 3 * ADVERT_INT + 0.5  # bound after the link is back


def log_lines(node):
    return len(node.proc.output().splitlines())


def errors(node, since=0):
    lines = node.proc.output().splitlines()[since:]
    return [x for x in lines if "cannot" in x or "failed" in x]


def steady(lab, a, b, what):
    check(lab.wait_until(lambda: lab.owners(VIP) == ["a"] and
                         a.state() == "MASTER" and b.state() == "BACKUP",
                         master_down(100) + 4) is not None,
          "%s: A Master with the VIP, B Backup" % what)


def vip_present(lab, a, b):
    lab.run("b", "ip", "addr", "add", VIP + "/24", "dev", "eth0")
    check(lab.owners(VIP) == ["a", "b"], "VIP added by hand on Backup B")
    n0 = log_lines(b)
    a.kill(signal.SIGKILL)
    t = lab.wait_until(lambda: b.state() == "MASTER",
                       master_down(100) + 2)
    check(t is not None and t <= master_down(100) + 0.5,
          "B became Master with the VIP already present (%s s)" % t)
    check(b.has_vip() and not errors(b, n0),
          "B holds the VIP and logged no error: %s" % errors(b, n0))
    time.sleep(2 * ADVERT_INT)
    n = log_lines(b) - n0
    check(n < 15, "no error loop: B logged %d lines in ~%d s" %
          (n, 2 * ADVERT_INT + t))
    a.proc.wait(2)
    a.start()
    steady(lab, a, b, "A back and preempted")
    check(not b.has_vip(), "B removed the VIP when it left Master (it "
          "was there before B became Master)")
    check(not errors(b, n0), "B logged no netlink error")


def renamed(lab, a, b):
    n0 = log_lines(a)
    lab.run("a", "ip", "link", "set", "eth0", "down")
    check(lab.wait_until(lambda: b.state() == "MASTER" and b.has_vip(),
                         master_down(100) + 2) is not None,
          "rename: B took over after A's eth0 went down")
    lab.run("a", "ip", "link", "set", "eth0", "name", "eth9")
    lab.run("a", "ip", "link", "set", "eth9", "up")
    check(hold(lambda: a.state() == "FAULT", 2 * ADVERT_INT),
          "rename: A stays in FAULT while its interface is called eth9")
    check(lab.owners(VIP) == ["b"], "rename: the VIP is on B only")
    lab.run("a", "ip", "link", "set", "eth9", "down")
    lab.run("a", "ip", "link", "set", "eth9", "name", "eth0")
    lab.run("a", "ip", "link", "set", "eth0", "up")
    t = lab.wait_until(lambda: lab.owners(VIP) == ["a"] and
                       b.state() == "BACKUP", CONVERGE + 3)
    check(t is not None, "rename: A took the VIP back after the rename "
          "back")
    log("rename back + up -> one Master (A): %.3f s (bound %.1f)"
        % (t, CONVERGE))
    check(t <= CONVERGE, "rename: converged in %.3f s" % t)
    n = log_lines(a) - n0
    check(n < 40, "rename: no error loop (%d log lines)" % n)
    return t


def recreated(lab, a, b):
    ns, br = lab.ns("a"), lab.brns
    n0 = log_lines(a)
    old_index = lab.run("a", "cat", "/sys/class/net/eth0/ifindex").stdout
    lab._ip(br, "link", "del", "dev", "a")
    t = lab.wait_until(lambda: b.state() == "MASTER" and b.has_vip(),
                       master_down(100) + 2)
    check(t is not None and t <= master_down(100) + 0.5,
          "delete: B took over %s s after A's interface vanished" % t)
    check(lab.wait_until(lambda: a.state() == "FAULT", 1) is not None,
          "delete: A is in FAULT")
    time.sleep(2 * ADVERT_INT)
    n_fault = log_lines(a) - n0
    check(n_fault < 25, "delete: no error loop while the interface is "
          "gone (%d log lines)" % n_fault)
    lab._ip(br, "link", "add", "name", "a", "type", "veth", "peer",
            "name", "eth0", "netns", ns)
    lab._ip(br, "link", "set", "dev", "a", "master", "br0", "up")
    lab._ip(ns, "addr", "add", "%s/%d" % (ADDR["a"], SUBNET_LEN),
            "dev", "eth0")
    lab._ip(ns, "link", "set", "eth0", "up")
    new_index = lab.run("a", "cat", "/sys/class/net/eth0/ifindex").stdout
    check(new_index != old_index, "delete: eth0 is back with a new "
          "ifindex (%s -> %s)" % (old_index.strip(), new_index.strip()))
    t = lab.wait_until(lambda: lab.owners(VIP) == ["a"] and
                       b.state() == "BACKUP" and a.state() == "MASTER",
                       CONVERGE + 4)
    check(t is not None, "delete: A Master again with the VIP, B Backup")
    log("veth re-created + up -> one Master (A): %.3f s (bound %.1f)"
        % (t, CONVERGE))
    check(t <= CONVERGE, "delete: converged in %.3f s" % t)
    check(hold(lambda: lab.owners(VIP) == ["a"] and
               b.state() == "BACKUP", 2 * ADVERT_INT),
          "delete: stays converged (B hears A's adverts)")
    st = b.status()
    check(st["counters"]["adverts_received"] > 0 and
          "higher priority advert from %s" % ADDR["a"] in st["last_reason"],
          "delete: B stepped down for A's advert: %r" % st["last_reason"])
    check("interface eth0 is back" in a.proc.output(),
          "delete: A re-resolved eth0's new ifindex and opened its "
          "socket again")
    return t


def test(lab):
    a, b = start_pair(lab, a_first=True, advert_int=ADVERT_INT)
    steady(lab, a, b, "start")
    vip_present(lab, a, b)
    t_ren = renamed(lab, a, b)
    t_del = recreated(lab, a, b)
    log("RESULT rename_converge_s=%.3f recreate_converge_s=%.3f"
        % (t_ren, t_del))


if __name__ == "__main__":
    run_test(test)
