#!/usr/bin/python3
"""Active/active on two nodes (conf/examples/active-active-{A,B}.conf):
node A is Master of VI_1 (VIP1), node B of VI_2 (VIP2), fwd on each node
listens on both VIPs and both instances track it. Clients use both VIPs.
kill -9 of A's fwd moves VIP1 to B (gap measured) while VIP2 stays on B
with no failed request and its long-lived session untouched; both
transitions of VI_1 are mailed; `vrrpctl status` shows both instances.
A's fwd back: VIP1 returns to A. kill -9 of B's vrrpd: A holds both."""

import time

from lab import (ADDR, DAEMONS, PYTHON, VIP, VIP2, check, log, master_down,
                 run_test, server, vrrp_instance)
from labpair import (FwdNode, PORT, client_log, gap_around, kill_fwd,
                     start_backends, start_client)
from labsmtp import MailBox, mail_globals

ECHO_PORT = 9001

# A back end that also holds long-lived sessions: echoes on ECHO_PORT.
ECHO = r"""
import socket, sys, threading
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], %d)); s.listen(16)
def echo(c):
    while True:
        b = c.recv(4096)
        if not b:
            break
        c.sendall(b)
    c.close()
while True:
    c, _ = s.accept()
    threading.Thread(target=echo, args=(c,), daemon=True).start()
""" % ECHO_PORT


class AANode(FwdNode):
    """Two instances with mirrored priorities, both mailed at once; fwd
    on both VIPs (web to s1 and s2, echo on VIP2 to s1)."""

    def __init__(self, lab, role, prio1, prio2):
        tf = {"weight": 2}
        chk = {"inter": "200ms", "rise": 1, "fall": 1}
        super().__init__(lab, role, instances=[
            vrrp_instance("VI_1", priority=prio1, vrid=51,
                          vips=(VIP + "/24",), track_forwarder=tf,
                          fast_preempt=True, smtp_alert=True),
            vrrp_instance("VI_2", priority=prio2, vrid=52,
                          vips=(VIP2 + "/24",), track_forwarder=tf,
                          fast_preempt=True, smtp_alert=True)],
            fwd_settings={"timeout": {"connect": "300ms", "check": "150ms"}},
            listen={
                "web": {"bind": ["%s:%d" % (v, PORT) for v in (VIP, VIP2)],
                        "balance": "roundrobin", "retries": 1,
                        "redispatch": True, "server": {
                            s: server(ADDR[s] + ":9000", chk)
                            for s in ("s1", "s2")}},
                "echo": {"bind": ["%s:%d" % (VIP2, ECHO_PORT)], "server": {
                    "s1": server("%s:%d" % (ADDR["s1"], ECHO_PORT), chk)}}})
        # every transition mailed at once, not coalesced per 30 s
        self.global_defs = mail_globals(self.router_id,
                                        smtp_alert_interval=0)


def test(lab):
    box = MailBox(lab)
    box.start()
    start_backends(lab)
    lab.spawn("s1", [PYTHON, "-c", ECHO, ADDR["s1"]], name="echo-s1")
    a = AANode(lab, "a", 101, 100)
    b = AANode(lab, "b", 100, 101)
    for n in (a, b):
        n.start()
        n.start_fwd()
    check(lab.wait_until(lambda: a.fwd_connected() and b.fwd_connected(), 5)
          is not None, "both forwarders linked to their vrrpd")
    check(lab.wait_until(lambda: lab.owners(VIP) == ["a"] and
                         lab.owners(VIP2) == ["b"], master_down(100) + 3)
          is not None, "steady state: VIP1 on A, VIP2 on B")
    st = lab.vrrpctl_status("a", a.sock)
    names = sorted(i["name"] for i in st["instances"])
    check(names == ["VI_1", "VI_2"], "vrrpctl status on A shows both "
          "instances (%s)" % names)
    check(a.status("VI_1")["state"] == "MASTER" and
          a.status("VI_2")["state"] == "BACKUP", "A: VI_1 Master, VI_2 Backup")

    logs = {v: start_client(lab, v, "client-" + v) for v in (VIP, VIP2)}

    # A long-lived session on VIP2 (through B's fwd) must survive A's loss.
    sess = lab.spawn("c", [PYTHON, "-c", r"""
import socket, sys, time
c = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=2)
c.settimeout(2)
n = 0
while True:
    c.sendall(b"ping %d\n" % n)
    got = b""
    while not got.endswith(b"\n"):
        b = c.recv(100)
        if not b:
            print("closed after", n, flush=True)
            sys.exit(1)
        got += b
    n += 1
    print("ok", n, flush=True)
    time.sleep(0.05)
""", VIP2, str(ECHO_PORT)], name="session-vip2")
    check(lab.wait_until(lambda: "ok 5" in sess.output(), 5) is not None,
          "a long-lived session to VIP2 echoes")

    # kill -9 of A's fwd: VIP1 moves to B, VIP2 stays on B
    mails_before = len(box.mails())
    time.sleep(0.3)
    t0, vip_gap = kill_fwd(lab, a, logs[VIP])
    time.sleep(0.5)
    gap = gap_around(client_log(logs[VIP]), t0)
    log("kill -9 fwd on A: VIP1 on B after %.3f s; VIP1 client gap %.3f s"
        % (vip_gap, gap))
    check(vip_gap < 1.0, "VIP1 moved in %.3f s < 1 s" % vip_gap)
    check(lab.owners(VIP2) == ["b"], "VIP2 stayed on B")
    fails2 = [tt for tt, w in client_log(logs[VIP2]) if w == "fail"]
    check(not fails2, "no failed request on VIP2 (%d failed)" % len(fails2))
    check(sess.alive(), "VIP2's long-lived session is still open (%s)"
          % sess.output().strip().splitlines()[-1])

    def vi1_mails():
        subj = [m["msg"]["Subject"] for m in box.mails()[mails_before:]]
        return ("[lbA] VI_1: MASTER -> BACKUP" in subj and
                "[lbB] VI_1: BACKUP -> MASTER" in subj)
    check(lab.wait_until(vi1_mails, 10) is not None,
          "both VI_1 transitions were mailed (A MASTER -> BACKUP, "
          "B BACKUP -> MASTER)")
    check(not any("VI_2" in m["msg"]["Subject"]
                  for m in box.mails()[mails_before:]),
          "no mail about VI_2: it did not move")

    # A's fwd back: VIP1 returns to A
    t0 = time.monotonic()
    a.start_fwd()
    t = lab.wait_until(lambda: lab.owners(VIP) == ["a"], 5)
    check(t is not None, "VIP1 back on A once its fwd returned (%s s)" % t)
    check(lab.owners(VIP2) == ["b"], "VIP2 still on B")
    time.sleep(0.3)
    check(sess.alive(), "VIP2's session survived the return too")
    fails2 = [tt for tt, w in client_log(logs[VIP2]) if w == "fail"]
    check(not fails2, "still no failed request on VIP2")

    # kill -9 of B's vrrpd: A takes VIP2 after Master_Down_Interval and
    # holds both (B's crashed vrrpd leaves VIP2 on B's interface too, as
    # keepalived does: the unit's ExecStopPost removes it)
    t0 = b.kill()
    t = lab.wait_until(lambda: "a" in lab.owners(VIP2), master_down(100) + 1)
    check(t is not None, "A took VIP2 after B's vrrpd died (%.3f s)"
          % (time.monotonic() - t0))
    check("a" in lab.owners(VIP) and
          a.status("VI_2")["state"] == "MASTER", "A holds both VIPs")
    log("RESULT vip1_move=%.3f vip1_client_gap=%.3f vip2_failed=0 "
        "vip2_takeover_after_vrrpd_kill=%.3f"
        % (vip_gap, gap, t))


if __name__ == "__main__":
    run_test(test, roles=("a", "b", "c", "s1", "s2", "smtp"),
             binaries=DAEMONS)
