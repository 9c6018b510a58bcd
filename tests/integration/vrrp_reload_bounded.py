#!/usr/bin/python3
"""A reload cannot stall the daemons (issue 18 item 3).

The config file replaced by a FIFO + SIGHUP used to block vrrpd in open():
no adverts, the peer took over, both held the VIP until someone wrote to
the FIFO; fwd froze the same way. And libconfig needs seconds for a file
of many settings in one group. Now a FIFO is refused at once, and the
largest file the 4 MiB cap allows (tiny vrrp_script groups, which
libconfig would parse for many minutes) is refused after the 500 ms
parse budget: the Master keeps advertising, B never takes over, fwd keeps
answering. Then the real file reloads."""

import json
import os
import signal
import time

from lab import DAEMONS, FWD, Node, VIP, check, hold, log, run_test
from labpair import FwdNode

CONF_MAX_BYTES = 4 * 1024 * 1024


def timed_reload(lab, sock):
    """`vrrpctl reload` on sock: (seconds, parsed reply or None)."""
    t0 = time.monotonic()
    r = lab.vrrpctl("a", sock, "--json", "reload")
    took = time.monotonic() - t0
    try:
        return took, json.loads(r.stdout)
    except ValueError:
        return took, None


def steady(lab, a, b, secs, what):
    """A stays Master with the VIP, B Backup, and A keeps advertising."""
    sent0 = a.status()["counters"]["adverts_sent"]
    ok = hold(lambda: lab.owners(VIP) == ["a"] and b.state() == "BACKUP",
              secs, 0.2)
    check(ok, "%s: VIP on A only and B Backup for %d s" % (what, secs))
    sent = a.status()["counters"]["adverts_sent"] - sent0
    check(sent >= secs - 1, "%s: A advertised %d times in %d s"
          % (what, sent, secs))


def test(lab):
    a = FwdNode(lab, "a", priority=101, track_forwarder={"weight": 2})
    b = Node(lab, "b", priority=100)
    a.start()
    b.start()
    fwd = lab.spawn("a", [FWD, "-n", "-f", a.conf], name="fwd-a")
    check(lab.wait_until(lambda: lab.owners(VIP) == ["a"] and
                         b.state() == "BACKUP", 8) is not None,
          "steady pair: A Master")
    good = open(a.conf).read()

    # 1. a FIFO in the file's place, SIGHUP to both daemons
    fifo = lab.path("fifo")
    os.mkfifo(fifo)
    os.replace(fifo, a.conf)
    a.proc.signal(signal.SIGHUP, group=False)
    fwd.signal(signal.SIGHUP, group=False)
    took, j = timed_reload(lab, a.sock)
    log("vrrpd reload of a FIFO answered in %.3f s: %r" % (took, j))
    check(j is not None and j.get("ok") is False and
          "not a regular file (a FIFO)" in json.dumps(j),
          "vrrpd refuses the FIFO with a clear error")
    check(took < 1.0, "at once (%.3f s)" % took)
    took, j = timed_reload(lab, a.fwd_sock)
    log("fwd reload of a FIFO answered in %.3f s: %r" % (took, j))
    check(j is not None and j.get("ok") is False and took < 1.0,
          "fwd refuses the FIFO at once (%.3f s)" % took)
    steady(lab, a, b, 5, "FIFO")
    check("not a regular file (a FIFO)" in a.proc.output(),
          "vrrpd logged why the SIGHUP reload was refused")

    # 2. the largest file the cap allows, of what libconfig is slowest at
    body = []
    size = len("vrrp_script = {\n};\n")
    i = 0
    while True:
        item = "s%d={};" % i
        if size + len(item) > CONF_MAX_BYTES:
            break
        body.append(item)
        size += len(item)
        i += 1
    tmp = lab.write("big.conf", "vrrp_script = {\n" + "".join(body) + "};\n")
    log("%d bytes, %d groups" % (os.path.getsize(tmp), i))
    os.replace(tmp, a.conf)
    a.proc.signal(signal.SIGHUP, group=False)
    fwd.signal(signal.SIGHUP, group=False)
    took, j = timed_reload(lab, a.sock)
    log("vrrpd reload of the 4 MiB file answered in %.3f s: %r"
        % (took, j and json.dumps(j)[:200]))
    check(j is not None and j.get("ok") is False and
          "longer than 500 ms" in json.dumps(j),
          "vrrpd refuses it: parse over the budget")
    check(took < 2.0, "within the budget, twice over at most (%.3f s)"
          % took)
    took, j = timed_reload(lab, a.fwd_sock)
    log("fwd reload of the 4 MiB file answered in %.3f s" % took)
    check(j is not None and j.get("ok") is False and took < 2.0,
          "fwd refuses it too (%.3f s)" % took)
    steady(lab, a, b, 5, "4 MiB file")

    # 3. the real file back: reloads
    tmp = lab.write("good.conf", good)
    os.replace(tmp, a.conf)
    took, j = timed_reload(lab, a.sock)
    check(j is not None and j.get("ok") is True,
          "the real file reloads (%.3f s)" % took)
    check(fwd.alive() and a.proc.alive(), "both daemons alive")


if __name__ == "__main__":
    run_test(test, binaries=DAEMONS)
