#!/usr/bin/python3
"""vrrpd faults: SMTP black-holed, a track script that hangs, one that
spews output, a notify script that leaves a daemon behind.

A (priority 110) runs three track scripts: chk (`test -f FLAG`, weight
-20, the test toggles it), hang (`sleep 1000`, timeout 500 ms) and spew
(`yes`, timeout 500 ms); its notify script starts a detached daemon
(setsid sleep 300, keeping the notify's stdout) on its first run and
writes the daemon's PID to a file.  B (priority 100) is the peer.  The
SMTP server's address answers ARP but black-holes every reply, so each
mail transfer hangs.  Asserted:

- A's adverts stay on time (capture: every gap within advert_int +- 0.1 s)
  while the scripts hang/spew and a mail hangs;
- hang and spew are killed at their timeout on every run, the runs keep
  their schedule (kills advert_int apart), they count as failures
  (tracker not ok), no child of vrrpd (or of its spawner) is a zombie;
- spew's output is bounded in the log (at most PROC_LOG_LINES lines a run),
  vrrpd answers `vrrpctl status` quickly;
- the notify daemon survives, has no fd but 0-2, and every later notify
  still runs (one line per transition);
- 34 forced fail/recover cycles of chk (68 transitions, 68 alerts while
  the mail server is black-holed): the alert queue stays at <= 64 and the
  excess is counted as dropped; A's RSS grows by < 8 MiB (ASan quarantine included);
- kill -9 of A: B takes the VIP within Master_Down + 0.5 s.
"""

import os
import re
import signal
import time

from lab import (VIP, check, hold, log, master_down, run_test, steady_pair,
                 wait_ctl)
from labsmtp import MailNode

CYCLES = 34
QUEUE_MAX = 64


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        return int(re.search(r"VmRSS:\s+(\d+)", f.read()).group(1))


def children(pid):
    out = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % d) as f:
                st = f.read()
        except OSError:
            continue
        fields = st[st.rindex(")") + 2:].split()
        if int(fields[1]) == pid:
            out.append((int(d), fields[0]))
    return out


def stamps(text, pattern):
    """Seconds-of-day of the log lines matching pattern."""
    out = []
    for line in text.splitlines():
        if pattern in line:
            m = re.match(r"(\d\d):(\d\d):(\d\d\.\d+)", line)
            if m:
                out.append(int(m.group(1)) * 3600 + int(m.group(2)) * 60 +
                           float(m.group(3)))
    return out


def test(lab):
    flag = lab.path("ok")
    open(flag, "w").close()
    pidf = lab.path("daemon.pid")
    nlog = lab.path("notify.log")
    for p in (pidf, nlog):
        open(p, "w").close()
        os.chmod(p, 0o666)
    notify = lab.write("notify.sh", "#!/bin/sh\necho \"$*\" >> %s\n"
                       "if [ ! -s %s ]; then setsid sleep 300 & "
                       "echo $! > %s; fi\n" % (nlog, pidf, pidf))
    os.chmod(notify, 0o755)
    os.chmod(lab.tmp, 0o755)
    scripts = ('vrrp_script = {\n'
               ' chk = { script = "test -f %s"; interval = "100ms"; '
               'timeout = "1s"; weight = -20; fall = 1; rise = 1; };\n'
               ' hang = { script = "sleep 1000"; interval = 1; '
               'timeout = "500ms"; weight = -2; };\n'
               ' spew = { script = "yes"; interval = 1; '
               'timeout = "500ms"; weight = -2; };\n};\n' % flag)
    # the SMTP host answers ARP, its replies vanish: transfers hang
    lab.run("smtp", "ip", "route", "add", "blackhole", "198.18.0.0/25")
    try:
        a, b = steady_pair(
            lab, MailNode, a_first=True, smtp_alert=True,
            a=dict(head=scripts, priority=110, notify=notify,
                   track_script=["chk", "hang", "spew"]))
        check(lab.wait_until(lambda: a.status()["effective_priority"] ==
                             106, 5, 0.05) is not None,
              "hang and spew failed once: A at priority 106")
        cap = lab.capture("smtp", "eth0", "vrrp")
        rss0 = rss_kib(a.proc.pid)
        time.sleep(5.2)
        cap.stop()
        times = [float(r[0]) for r in cap.fields(
            ["frame.time_epoch"], "vrrp && vrrp.prio == 106")]
        gaps = [y - x for x, y in zip(times, times[1:])]
        log("A's advert gaps: %s" % ["%.3f" % g for g in gaps])
        check(len(gaps) >= 4 and all(0.9 <= g <= 1.1 for g in gaps),
              "A's adverts (priority 106: hang and spew failing) every "
              "advert_int +- 0.1 s while scripts hang/spew and SMTP hangs")

        out = a.proc.output()
        for name in ("hang", "spew"):
            kills = stamps(out, "vrrp_script %s: still running after its "
                           "timeout" % name)
            d = [y - x for x, y in zip(kills, kills[1:])]
            log("%s killed at %s" % (name, ["%+.3f" % (k - kills[0])
                                            for k in kills]))
            check(len(kills) >= 4 and all(0.8 <= g <= 1.2 for g in d),
                  "%s: killed at its timeout on each run, runs on schedule"
                  " (%d kills, gaps %s)" % (name, len(kills),
                                            ["%.2f" % g for g in d]))
        tr = {t["name"]: t for t in a.status()["trackers"]}
        check(not tr["hang"]["ok"] and not tr["spew"]["ok"] and
              tr["chk"]["ok"], "hang and spew count as failed: %s" % tr)
        spew_lines = [x for x in out.splitlines()
                      if "vrrp_script spew: y" in x]
        runs = len(stamps(out, "vrrp_script spew: still running"))
        check(len(spew_lines) <= (runs + 1) * 21 and
              "more output not logged" in out,
              "spew's output logged at most 20 lines a run (%d lines, %d "
              "runs), then cut" % (len(spew_lines), runs))
        t0 = time.monotonic()
        check(a.status() is not None, "vrrpctl status answers")
        dt = time.monotonic() - t0
        log("vrrpctl status took %.3f s" % dt)
        check(dt < 1.0, "status answered in %.3f s" % dt)

        # the notify daemon
        check(lab.wait_until(lambda: open(pidf).read().strip(), 3)
              is not None, "notify started a daemon")
        dpid = int(open(pidf).read())
        fds = sorted(int(x) for x in os.listdir("/proc/%d/fd" % dpid))
        check(fds == [0, 1, 2], "the daemon holds fds %s only" % fds)

        # 34 forced cycles while SMTP is black-holed
        for i in range(CYCLES):
            os.unlink(flag)
            lab.wait_until(lambda: b.state() == "MASTER", 2, 0.02)
            open(flag, "w").close()
            lab.wait_until(lambda: a.state() == "MASTER", 2, 0.02)
        check(lab.wait_until(lambda: a.state() == "MASTER" and
                             lab.owners(VIP) == ["a"], 3) is not None,
              "A Master again after the cycles")
        st = lab.vrrpctl_status("a", a.sock)
        al = st["alerts"]
        trans = a.status()["transitions"]
        log("A: %d transitions, alerts %s" % (trans, al))
        check(trans >= 2 * CYCLES, "A made %d transitions" % trans)
        check(al["queued"] <= QUEUE_MAX and al["dropped"] >= 1 and
              al["queued"] + al["dropped"] + al["failed"] + al["sent"] +
              1 >= trans, "alert queue bounded at %d, excess dropped: %s"
              % (QUEUE_MAX, al))
        check(hold(lambda: True, 0.1) and
              _alive(dpid), "the notify daemon is still running")
        nl = open(nlog).read().splitlines()
        check(lab.wait_until(lambda: len(open(nlog).read().splitlines())
                             >= trans, 10) is not None,
              "one notify per transition after the daemon (%d lines, %d "
              "transitions)" % (len(nl), trans))
        rss1 = rss_kib(a.proc.pid)
        log("A's RSS: %d KiB before, %d KiB after %d transitions"
            % (rss0, rss1, trans))
        check(rss1 - rss0 < 8192, "RSS grew by %d KiB (< 8 MiB, ASan incl.)"
              % (rss1 - rss0))
        zombies = [(p, s) for p, s in children(a.proc.pid) +
                   [c for k, _ in children(a.proc.pid)
                    for c in children(k)] if s == "Z"]
        check(not zombies, "no zombie child of vrrpd or its spawner: %s"
              % zombies)

        wait_ctl(b)
        n = b.status()["counters"]["adverts_received"]
        lab.wait_until(lambda: b.status()["counters"]["adverts_received"]
                       > n, 2, 0.005)
        a.kill(signal.SIGKILL)
        t = lab.wait_until(lambda: b.has_vip(), master_down(100) + 3)
        log("kill -9 of A -> VIP on B, SMTP black-holed: %s s" % t)
        check(t is not None and t <= master_down(100) + 0.5,
              "takeover on protocol time with SMTP black-holed (%s s)" % t)
        log("RESULT takeover_blackholed=%.3f transitions=%d alerts=%s "
            "rss_growth_kib=%d status_s=%.3f" % (t, trans, al, rss1 - rss0,
                                                 dt))
        # B holds alerts it cannot send: kill -9 spares the teardown's
        # SIGTERM the 2 s mail grace (nothing is checked after this)
        b.kill(signal.SIGKILL)
    finally:
        try:
            os.kill(int(open(pidf).read()), signal.SIGKILL)
        except (ValueError, OSError):
            pass


def _alive(pid):
    try:
        os.kill(pid, 0)
        return True
    except OSError:
        return False


if __name__ == "__main__":
    run_test(test, "tshark", "tcpdump", roles=("a", "b", "smtp"))
