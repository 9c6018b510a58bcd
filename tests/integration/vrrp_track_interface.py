#!/usr/bin/python3
"""A tracked interface going down puts the Master in Fault: it resigns
with a priority-0 advert and the peer owns the VIP within skew + 0.5 s;
the link coming back recovers and preempts. A VIP that someone deletes
while we are Master is put back at once. Notify scripts run in the order
of the transitions, STOP included."""

import os

from lab import (VIP, Node, check, log, master_down, run_test, skew,
                 wait_until)


def test(lab):
    ns = lab.ns("a")
    lab.run("a", "ip", "link", "add", "eth1", "type", "veth", "peer", "name",
            "eth1p")
    lab.run("a", "ip", "link", "set", "eth1", "up")
    lab.run("a", "ip", "link", "set", "eth1p", "up")
    notify_log = lab.path("notify.log")
    notify = lab.write("notify.sh",
                       "#!/bin/sh\necho \"$*\" >> %s\n" % notify_log)
    os.chmod(notify, 0o755)
    open(notify_log, "w").close()
    os.chmod(notify_log, 0o666)
    os.chmod(lab.tmp, 0o755)

    a = Node(lab, "a", priority=101, track_interface=["eth1"],
             notify=notify)
    b = Node(lab, "b", priority=100)
    a.start()
    b.start()
    check(lab.wait_until(lambda: lab.owners(VIP) == ["a"],
                         master_down(100) + 3) is not None,
          "steady state: A Master")

    lab.run("a", "ip", "link", "set", "eth1", "down")
    t = lab.wait_until(lambda: lab.owners(VIP) == ["b"], 5)
    check(t is not None, "B took the VIP after A's eth1 went down")
    log("eth1 down on A -> VIP on B: %.3f s (limit %.3f)"
        % (t, skew(100) + 0.5))
    check(t <= skew(100) + 0.5, "takeover within skew + 0.5 s")
    st = a.status()
    check(st["state"] == "FAULT", "A is in FAULT (%s)" % st["state"])
    check(st["last_reason"] == "interface eth1 down",
          "A's reason: %r" % st["last_reason"])

    lab.run("a", "ip", "link", "set", "eth1", "up")
    t = lab.wait_until(lambda: lab.owners(VIP) == ["a"], 5)
    check(t is not None, "A took the VIP back after eth1 came up")
    log("eth1 up on A -> VIP on A: %.3f s" % t)
    check(t <= 1.0 + 0.5, "fail-back within advert_int + 0.5 s")

    # someone removes the VIP behind our back
    lab.run("a", "ip", "addr", "del", VIP + "/24", "dev", "eth0")
    t = lab.wait_until(lambda: a.has_vip(), 2)
    check(t is not None and t < 0.5, "A restored its VIP (%s s)" % t)

    a.proc.stop()
    check(wait_until(lambda: "STOP" in open(notify_log).read(), 3)
          is not None, "notify ran for STOP")
    states = [line.split()[2] for line in open(notify_log).read().split("\n")
              if line]
    log("notify calls on A: %s" % " ".join(states))
    want = ["BACKUP", "MASTER", "FAULT", "BACKUP", "MASTER", "STOP"]
    check(states == want, "notify order %s == %s" % (states, want))
    check(all(line.startswith("INSTANCE VI_1 ")
              for line in open(notify_log).read().split("\n") if line),
          "notify arguments: INSTANCE name state priority")
    del ns


if __name__ == "__main__":
    run_test(test)
