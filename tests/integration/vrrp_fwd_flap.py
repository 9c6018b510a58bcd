#!/usr/bin/python3
"""Issue #18 item 6: a forwarder that flaps. A fake peer on A's control
socket connects, says it is healthy and disconnects, 10 times a second
for 5 s (as a lying peer or an fwd in a crash-restart loop would). The
drop counts at once, so the VIP leaves A at the first one; but a
forwarder that came back must stay healthy for track_forwarder's hold
(1 s by default) before A's priority rises again, so the VIP does not
follow the flaps. A's status counts them. Alert mails (to a real SMTP
server, aiosmtpd) are coalesced per instance: at most one per
smtp_alert_interval (5 s here), the rest in a summary."""

import re
import signal
import socket
import time

from lab import VIP, check, hold, log, master_down, run_test
from labctl import FakeFwd
from labsmtp import MailBox, MailNode

FLAP_S = 5.0
INTERVAL = 5


class FlapNode(MailNode):
    alert_interval = "%ds" % INTERVAL


def flap_once(node):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(2)
    s.connect(node.sock)
    f = s.makefile("r")
    s.sendall(b"hello fwd 1\n")
    f.readline()
    s.sendall(("health web 1 1 %s:443\n" % VIP).encode())
    time.sleep(0.05)
    f.close()
    s.close()


def moves(a, b):
    """Transitions to MASTER logged by either node so far."""
    return sum(1 for n in (a, b) for _, to, _ in n.transitions()
               if to == "MASTER")


def all_out(lab, box, nodes):
    """Every node's alerts sent: none held for a summary, none queued,
    as many delivered as it sent."""
    for node in nodes:
        al = (lab.vrrpctl_status(node.role, node.sock) or {}).get("alerts")
        if not al or al["held"] or al["queued"] or \
                al["sent"] != len(box.of(node)):
            return False
    return True


def test(lab):
    box = MailBox(lab)
    box.start()
    a = FlapNode(lab, "a", priority=100, smtp_alert=True,
                 track_forwarder={"weight": 2})
    b = FlapNode(lab, "b", priority=101, smtp_alert=True)
    a.start()
    b.start()
    check(lab.wait_until(lambda: a.status() and b.status(), 5) is not None,
          "both control sockets answer")
    fa = FakeFwd(lab, a)
    fa.health(1, 1)
    check(lab.wait_until(lambda: lab.owners(VIP) == ["a"],
                         master_down(100) + 3) is not None,
          "steady state: A Master (100 + 2 > 101)")
    time.sleep(INTERVAL + 1)  # the start-up's summaries are out
    mails0 = len(box.of(a)) + len(box.of(b))
    moves0 = moves(a, b)

    fa.close()
    t0 = time.monotonic()
    n = 0
    while time.monotonic() - t0 < FLAP_S:
        flap_once(a)
        n += 1
        time.sleep(0.05)
    check(lab.owners(VIP) == ["b"], "the VIP is on B after the flapping")
    fa = FakeFwd(lab, a)
    fa.health(1, 1)
    t = lab.wait_until(lambda: lab.owners(VIP) == ["a"], 5)
    check(t is not None, "A Master again once its forwarder stays up")
    log("forwarder steady again -> VIP on A after %.3f s (hold 1 s)" % t)
    # the last summaries: nothing held or queued, every mail delivered
    check(lab.wait_until(lambda: all_out(lab, box, (a, b)), INTERVAL + 3,
                         0.1) is not None,
          "the held transitions went out as mails")
    n_moves = moves(a, b) - moves0
    mails = box.of(a)[:] + box.of(b)[:]
    n_mails = len(mails) - mails0
    tr = [x for x in a.status()["trackers"] if x["type"] == "forwarder"][0]
    alerts = lab.vrrpctl_status("a", a.sock)["alerts"]
    log("flapping peer, %d cycles in %.0f s: %d VIP moves, %d mails; A's "
        "forwarder tracker %s; A's alerts %s"
        % (n, FLAP_S, n_moves, n_mails, tr, alerts))
    check(n >= 30, "the peer flapped (%d cycles)" % n)
    check(tr["flaps"] >= n, "A counted the flaps (%d)" % tr["flaps"])
    check(n_moves <= 3, "few VIP moves (%d): out, and back once" % n_moves)
    check(n_mails <= 6, "few mails (%d)" % n_mails)
    summaries = [m for m in mails if re.search(
        r"\] VI_1: \d+ transitions?, now ", str(m["msg"]["Subject"]))]
    check(len(summaries) >= 1 and "Transitions since the last alert:" in
          summaries[-1]["msg"].get_content(),
          "what was held went out as a summary")

    # held transitions are not lost at shutdown: they go with the last mail
    fa.close()
    check(lab.wait_until(lambda: lab.owners(VIP) == ["b"], 3) is not None,
          "VIP to B once more")
    fa = FakeFwd(lab, a)
    fa.health(1, 1)
    check(lab.wait_until(lambda: lab.owners(VIP) == ["a"], 4) is not None,
          "and back to A after the hold")
    held = lab.vrrpctl_status("a", a.sock)["alerts"]["held"]
    check(held >= 1, "A holds its last transition(s) for a summary (%d)"
          % held)
    n = len(box.of(a))
    a.kill(signal.SIGTERM)
    check(lab.wait_until(lambda: len(box.of(a)) > n, 5) is not None,
          "A's mail came at shutdown")
    subj = str(box.of(a)[-1]["msg"]["Subject"])
    log("at shutdown: %s" % subj)
    check(subj == "[lbA] VI_1: %d transitions, now INIT" % (held + 1),
          "one summary with the held ones and the shutdown: %r" % subj)
    fa.close()


if __name__ == "__main__":
    run_test(test, roles=("a", "b", "smtp"))
