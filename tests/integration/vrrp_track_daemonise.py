#!/usr/bin/python3
"""Track scripts leave nothing behind (issue 18 item 8). The spawner
killed only a script's process group, so whatever a script started with
setsid survived it: one stray process per run.

The spawner now starts each track script under a keeper, a child
subreaper that kills and reaps what the script left (keeper.h); notify
scripts may still leave daemons (vrrp_faults).

Two scripts run every 200 ms: one daemonises two sleeps (setsid, and
setsid in a subshell: a double fork) and exits 0; the other daemonises
one and then hangs until its 500 ms timeout kills it. After several runs
of each, no sleep of ours is left, during the run or after vrrpd stops."""

import os
import time

from lab import Node, check, log, run_test

MARK = "300.%d" % os.getpid()  # sleep's argument: unique to this test


def strays():
    """PIDs of our marked sleeps, wherever they are."""
    out = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/cmdline" % d, "rb") as f:
                argv = f.read().split(b"\0")
        except OSError:
            continue
        if len(argv) > 1 and argv[1] == MARK.encode() and \
                argv[0].endswith(b"sleep"):
            out.append(int(d))
    return out


def script(lab, name, tail):
    path = lab.path(name)
    with open(path, "w") as f:
        f.write("#!/bin/sh\n"
                "setsid sleep %s </dev/null >/dev/null 2>&1 &\n"
                "( setsid sleep %s </dev/null >/dev/null 2>&1 & )\n"
                "%s\n" % (MARK, MARK, tail))
    os.chmod(path, 0o755)
    return path


def test(lab):
    os.chmod(lab.tmp, 0o755)  # the scripts run as nobody
    quick = script(lab, "quick.sh", "exit 0")
    hang = script(lab, "hang.sh", "exec sleep 30")
    section = ('vrrp_script = {\n'
               '  quick = { script = "%s"; interval = "200ms"; '
               'timeout = "500ms"; weight = 2; };\n'
               '  hang = { script = "%s"; interval = "200ms"; '
               'timeout = "500ms"; weight = 2; };\n};\n' % (quick, hang))
    a = Node(lab, "a", head=section, state="MASTER", priority=101,
                   track_script=["quick", "hang"])
    a.start()
    check(lab.wait_until(lambda: a.state() == "MASTER", 6) is not None,
          "A is Master")
    time.sleep(4)  # ~15 runs of quick, ~5 of hang
    st = a.status()
    check(st is not None, "vrrpd answers")
    left = strays()
    log("after 4 s of runs: %d stray process(es) %s" % (len(left), left))
    out = a.proc.output()
    runs = out.count("hang: still running after its timeout")
    check(runs >= 3, "the hanging script timed out %d times" % runs)
    # what the running scripts started is still theirs (2 + 2, more if a
    # keeper is still at work on a loaded machine); never one per run
    check(len(left) <= 8, "no strays pile up (%d left after ~20 runs)"
          % len(left))
    check("process(es) the script left running" in out,
          "the keeper says it killed what scripts left")
    a.proc.stop()
    check(lab.wait_until(lambda: not strays(), 3) is not None,
          "none left after vrrpd stopped (%s)" % strays())


if __name__ == "__main__":
    run_test(test, roles=("a",))
