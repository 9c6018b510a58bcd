#!/usr/bin/python3
"""Split brain by a cut link, then the link restored.

The cut is made on the bridge: B's bridge-side veth leaves br0 (nomaster),
so B's own eth0 stays up and running (no track_interface / Fault logic is
involved) but nothing passes between the nodes.  B's Master_Down_Timer
expires and both nodes are Master, each with the VIP.  Then the port joins
br0 again and the pair must converge:

- exactly one Master (A, priority 101) within one advert interval of the
  restore, plus a small margin for polling (the protocol bound: the next
  advert of A reaches B at most advert_int after the restore);
- the VIP on A only (both namespaces checked, and for a while after);
- gratuitous ARPs for the VIP from A's MAC after the restore, seen by a
  third host on the bridge: while the link was cut B's GARPs taught the
  segment B's MAC for the VIP, so the winner must re-announce itself.

Which advert crosses the restored link first decides who learns of the
split: if B hears A first, B steps down and (like keepalived's
vrrp_higher_prio_send_advert) sends one last advert at its own priority,
so that A hears a lower-priority Master and repeats its GARPs.  Both
orders are forced: restore right after one of B's adverts (A's advert is
first) and right after one of A's (B's is first).
"""

import time

from lab import VIP, check, hold, log, master_down, run_test, steady_pair

ADVERT_INT = 1.0
MARGIN = 0.3  # polling (10 ms) + vrrpctl/ip round trips on a loaded box


def counter(node, name):
    st = node.status()
    return st["counters"][name] if st else -1


def after_advert_of(lab, node):
    """Return right after node sent an advert (its counter moves)."""
    n = counter(node, "adverts_sent")
    check(lab.wait_until(lambda: counter(node, "adverts_sent") > n,
                         2 * ADVERT_INT + 1, 0.002) is not None,
          "%s advertises" % node.role.upper())


def cycle(lab, a, b, cap, n, first):
    """One cut/restore; first: whose advert crosses the restored link
    first ('a' or 'b').  Returns the convergence time."""
    lab._ip(lab.brns, "link", "set", "dev", "b", "nomaster")
    t_cut = time.monotonic()
    t = lab.wait_until(lambda: b.has_vip() and a.has_vip(),
                       master_down(100) + 3)
    check(t is not None, "cut %d: both nodes hold the VIP (split brain)"
          % n)
    log("cut %d: B took the VIP %.3f s after the cut (Master_Down %.3f)"
        % (n, time.monotonic() - t_cut, master_down(100)))
    check(a.state() == "MASTER" and b.state() == "MASTER",
          "cut %d: both are MASTER (B's eth0 stayed up: no FAULT)" % n)
    time.sleep(0.5)  # B's GARPs went out (on its own, cut-off side)
    # the other one advertises just now: its next advert is a full
    # interval away, so `first`'s advert crosses the link first
    after_advert_of(lab, b if first == "a" else a)
    lab._ip(lab.brns, "link", "set", "dev", "b", "master", "br0")
    t_restore_wall = time.time()
    t_conv = lab.wait_until(lambda: lab.owners(VIP) == ["a"],
                            ADVERT_INT + MARGIN + 3)
    check(t_conv is not None, "cut %d: one VIP owner again after the "
          "restore" % n)
    log("cut %d (%s's advert first): restore -> VIP on A only: %.3f s "
        "(bound %.3f)" % (n, first.upper(), t_conv, ADVERT_INT + MARGIN))
    check(t_conv <= ADVERT_INT + MARGIN,
          "cut %d: converged in %.3f s <= advert_int + %.1f s"
          % (n, t_conv, MARGIN))
    check(lab.wait_until(lambda: a.state() == "MASTER" and
                         b.state() == "BACKUP", 1) is not None,
          "cut %d: A MASTER, B BACKUP" % n)
    check(hold(lambda: lab.owners(VIP) == ["a"] and
               b.state() == "BACKUP", 1.5),
          "cut %d: the VIP stays on A only (both namespaces checked)" % n)
    return t_conv, t_restore_wall


def test(lab):
    mac_a, mac_b = lab.mac("a"), lab.mac("b")
    cap = lab.capture("c", "eth0", "vrrp or arp")
    a, b = steady_pair(lab, a_first=True, advert_int=int(ADVERT_INT))
    runs = []
    for n, first in enumerate(("a", "b", "a"), 1):
        runs.append((n, first) + cycle(lab, a, b, cap, n, first))
    cap.stop()

    garps = [(float(t), src) for t, src in cap.fields(
        ["frame.time_epoch", "eth.src"],
        "arp.isgratuitous == 1 && arp.src.proto_ipv4 == %s" % VIP)]
    for n, first, t_conv, t_wall in runs:
        win = [g for g, src in garps
               if src == mac_a and t_wall < g <= t_wall + ADVERT_INT + 0.5]
        los = [g for g, src in garps
               if src == mac_b and t_wall < g <= t_wall + 3]
        log("cut %d: GARPs from A after the restore at %s" %
            (n, ["%+.3f" % (g - t_wall) for g in win]))
        check(len(win) >= 1, "cut %d (%s's advert first): A sent "
              "gratuitous ARPs for the VIP after the restore" %
              (n, first.upper()))
        check(not los, "cut %d: no GARP from B after the restore" % n)
    st = b.status()
    check(st["state"] == "BACKUP" and
          "higher priority advert" in st["last_reason"],
          "B's reason for stepping down: %r" % st["last_reason"])
    log("RESULT split_brain_convergence_s=%s" %
        ",".join("%.3f" % r[2] for r in runs))


if __name__ == "__main__":
    run_test(test, "tshark", "tcpdump", roles=("a", "b", "c"))
