#!/usr/bin/python3
"""A track script that starts failing drops the Master's priority below the
peer's: with fast_preempt the VIP moves within 0.5 s of the failure being
detected; with fast_preempt = false within 3*advert_int + skew + 0.5 s
(RFC timing). Recovery moves it back (preemption)."""

import os

from lab import Node, VIP, check, log, master_down, run_test


def script_section(flag):
    # no shell syntax: vrrpd execs test(1) directly, as user nobody
    return ('vrrp_script = { chk = { script = "test -f %s"; '
            'interval = "200ms"; weight = -10; fall = 1; rise = 1; }; };\n'
            % flag)


def tracker_ok(node):
    st = node.status()
    return st and [t["ok"] for t in st["trackers"]
                   if t["name"] == "chk"][0]


def scenario(lab, fast):
    tag = "fast" if fast else "strict"
    flags = {r: lab.path("ok-%s-%s" % (tag, r)) for r in ("a", "b")}
    for f in flags.values():
        open(f, "w").close()
    os.chmod(lab.tmp, 0o755)  # nobody must see the flag files
    extra = {} if fast else {"fast_preempt": False}
    a = Node(lab, "a", head=script_section(flags["a"]), priority=101,
                   track_script=["chk"], **extra)
    b = Node(lab, "b", head=script_section(flags["b"]), priority=100,
                   track_script=["chk"], **extra)
    a.sock = lab.path("a-%s.sock" % tag)
    b.sock = lab.path("b-%s.sock" % tag)
    a.start()
    b.start()
    check(lab.wait_until(lambda: lab.owners(VIP) == ["a"] and
                         b.state() == "BACKUP", master_down(100) + 3)
          is not None, "%s: steady state, A Master" % tag)
    check(a.status()["effective_priority"] == 101, "A at priority 101")

    os.unlink(flags["a"])
    t_detect = lab.wait_until(lambda: tracker_ok(a) is False, 3)
    check(t_detect is not None, "%s: A saw its script fail" % tag)
    t_vip = lab.wait_until(lambda: lab.owners(VIP) == ["b"], 6)
    check(t_vip is not None, "%s: B took the VIP" % tag)
    # t_vip counts from the detection poll, so it is the time after it
    limit = 0.5 if fast else master_down(100) + 0.5
    log("%s: script failure detected -> VIP on B: %.3f s (limit %.3f)"
        % (tag, t_vip, limit))
    check(t_vip <= limit, "%s: takeover %.3f s <= %.3f s" % (tag, t_vip,
                                                           limit))
    st = a.status()
    check(st["effective_priority"] == 91, "A's priority fell to 91 (%d)"
          % st["effective_priority"])
    check("track script chk failed" in st["last_reason"],
          "A says why it left Master: %r" % st["last_reason"])

    open(flags["a"], "w").close()
    limit = 2.0 if fast else master_down(100) + 1.5
    t_back = lab.wait_until(lambda: lab.owners(VIP) == ["a"], limit + 3)
    check(t_back is not None, "%s: A took the VIP back" % tag)
    log("%s: recovery -> VIP on A: %.3f s" % (tag, t_back))
    check(t_back <= limit, "%s: fail-back %.3f s <= %.3f s"
          % (tag, t_back, limit))
    a.proc.stop()
    b.proc.stop()


def test(lab):
    scenario(lab, fast=True)
    scenario(lab, fast=False)


if __name__ == "__main__":
    run_test(test)
