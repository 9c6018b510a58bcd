#!/usr/bin/python3
"""One daemon per control socket (issue 18 item 2). A second `vrrpd -f
SAME.conf` started while the first is Master used to unlink and rebind the
control socket, remove the Master's VIP as "left from an earlier run" and
unlink the socket on exit: fwd could never link again. Now it exits at
once, non-zero, naming the running PID; the VIP and the socket stay and
fwd still links. The same for a second fwd, and `vrrpd --cleanup` refuses
while vrrpd runs."""

import os
import signal
import time

from lab import DAEMONS, FWD, VRRPD, check, log, run_test
from labpair import fwd_master


def run_second(lab, argv, what):
    """Runs argv in A's namespace; returns (exit code, output, seconds)."""
    t0 = time.monotonic()
    r = lab.run("a", *argv, check=False, timeout=10)
    took = time.monotonic() - t0
    out = (r.stdout or "") + (r.stderr or "")
    log("%s: exit %d in %.3f s: %s" % (what, r.returncode, took,
                                         out.strip().split("\n")[-1]))
    return r.returncode, out, took


def test(lab):
    a = fwd_master(lab)
    fwd = lab.spawn("a", [FWD, "-n", "-f", a.conf], name="fwd-a")
    check(lab.wait_until(lambda: (a.forwarder() or {}).get("connected"), 5)
          is not None, "fwd linked")

    # a second vrrpd on the same file
    rc, out, took = run_second(lab, [VRRPD, "-n", "-f", a.conf],
                               "second vrrpd")
    check(rc != 0, "second vrrpd exits non-zero (%d)" % rc)
    check("PID %d" % a.proc.pid in out, "it names the running PID %d"
          % a.proc.pid)
    check(took < 3, "it refuses at once (%.3f s)" % took)
    check("removed" not in out, "it removed no address")
    time.sleep(0.3)
    check(a.has_vip(), "the VIP stays on A")
    check(os.path.exists(a.sock), "the control socket file stays")
    f = a.forwarder()
    check(f is not None and f["connected"] and f["connects"] == 1,
          "vrrpd still answers and fwd is still linked, never relinked")
    check(a.state() == "MASTER", "A still Master")

    # a second fwd on the same file
    rc, out, took = run_second(lab, [FWD, "-n", "-f", a.conf], "second fwd")
    check(rc != 0 and "PID %d" % fwd.pid in out,
          "second fwd exits non-zero naming PID %d" % fwd.pid)
    check(fwd.alive(), "the first fwd runs on")
    r = lab.vrrpctl("a", a.fwd_sock, "stats")
    check(r.returncode == 0, "the first fwd's control socket answers")

    # a restarted fwd links again
    fwd.signal(signal.SIGKILL, group=False)
    fwd.wait(3)
    fwd = lab.spawn("a", [FWD, "-n", "-f", a.conf], name="fwd-a2")
    check(lab.wait_until(lambda: (a.forwarder() or {}).get("connects") == 2
                         and a.forwarder()["connected"], 5) is not None,
          "a restarted fwd links")

    # --cleanup while vrrpd runs
    rc, out, took = run_second(lab, [VRRPD, "--cleanup", "-f", a.conf],
                               "--cleanup")
    check(rc != 0 and "PID %d" % a.proc.pid in out and "refused" in out,
          "--cleanup refuses, naming PID %d" % a.proc.pid)
    check(a.has_vip(), "the VIP stays after --cleanup")

    # once vrrpd is gone (kill -9 leaves the VIP), --cleanup works
    a.proc.signal(signal.SIGKILL, group=False)
    a.proc.wait(3)
    check(a.has_vip(), "kill -9 left the VIP")
    rc, out, took = run_second(lab, [VRRPD, "--cleanup", "-f", a.conf],
                               "--cleanup after kill -9")
    check(rc == 0 and not a.has_vip(), "--cleanup removed the VIP")
    # and a new vrrpd starts on the stale socket file
    a.proc = lab.start_vrrpd("a", a.conf)
    check(lab.wait_until(lambda: a.state() == "MASTER", 6) is not None,
          "a new vrrpd starts over the stale socket and is Master")


if __name__ == "__main__":
    run_test(test, roles=("a",), binaries=DAEMONS)
