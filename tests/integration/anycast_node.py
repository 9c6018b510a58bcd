#!/usr/bin/python3
"""One anycast node without a router: vrrpd with an anycast_instance
(198.19.0.50/32 on lo, track_forwarder, a track_script, hold_down 1 s) and
fwd on that VIP. The address appears only after hold_down of health;
kill -9 of fwd removes it from lo at once (measured with `ip -ts monitor
address`); fwd back, the address returns only after hold_down. A failing
track_script withdraws too, with its name as the reason. Notify scripts,
the mails and `vrrpctl status` show both transitions."""

import datetime
import os
import signal
import subprocess
import time

from lab import ADDR, DAEMONS, FWD, PYTHON, check, log, run_test, wait_until
from labpair import BACKEND
from labsmtp import SMTP_PORT, MailBox

AVIP = "198.19.0.50"
AVIP2 = "198.19.0.51"
PORT = 8080
HOLD = 1.0
WITHDRAW_MAX = 0.25  # s, kill -9 of fwd to the address gone (issue 17)

CONF = """global_defs = {
  router_id = "a";
  control_socket = "%(sock)s";
  notification_email = [ "ops@example.com" ];
  notification_email_from = "vrrpd@a.example.com";
  smtp_server = "%(smtp)s:%(smtp_port)d";
};
vrrp_script = {
  chk = { script = "test -f %(flag)s"; interval = "100ms"; };
};
anycast_instance = {
  AC_1 = {
    virtual_ipaddress = [ "%(vip)s/32" ];
    track_forwarder = { };
    track_script = [ "chk" ];
    hold_down = "%(hold)dms";
    notify = "%(notify)s";
    smtp_alert = true;
  };
};
forwarder = {
  control_socket = "%(fwd_sock)s";
  timeout = { connect = "300ms"; check = "150ms"; };
  listen = { web = { bind = [ "%(vip)s:%(port)d" ];
    server = { s1 = { address = "%(s1)s:9000";
      check = { inter = "200ms"; rise = 1; fall = 1; }; }; }; }; };
};
"""


class Monitor:
    """`ip -ts monitor address dev lo` in the node: when the VIP came and
    went, by the kernel's notifications, not by polling."""

    def __init__(self, lab, role):
        self.path = lab.path("monitor-%s.log" % role)
        self.out = open(self.path, "w")
        self.p = subprocess.Popen(
            ["ip", "netns", "exec", lab.ns(role), "ip", "-ts", "monitor",
             "address", "dev", "lo"], stdout=self.out,
            stderr=subprocess.STDOUT)
        time.sleep(0.2)

    def events(self):
        """[(wall time, 'add'|'del')] for the VIP."""
        out = []
        for line in open(self.path).read().split("\n"):
            if AVIP not in line or not line.startswith("["):
                continue
            # ip prints the stamp before it filters, so a line may
            # start with the stamps of skipped events: the last is ours
            ts = line[:line.rindex("] ") + 1].split("]")[-2].lstrip("[ ")
            t = datetime.datetime.fromisoformat(ts).timestamp()
            out.append((t, "del" if "Deleted" in line else "add"))
        return out

    def first_after(self, kind, t0, timeout=5):
        def find():
            for t, k in self.events():
                if k == kind and t >= t0:
                    return t
            return None
        wait_until(lambda: find() is not None, timeout)
        return find()

    def stop(self):
        self.p.terminate()
        self.p.wait(5)
        self.out.close()


class AnycastNode:
    def __init__(self, lab, role):
        self.lab, self.role = lab, role
        self.router_id = role
        self.sock = lab.path("%s-vrrpd.sock" % role)
        self.fwd_sock = lab.path("%s-fwd.sock" % role)
        self.flag = lab.path("%s-ok" % role)
        open(self.flag, "w").close()
        self.nlog = lab.path("%s-notify.log" % role)
        open(self.nlog, "w").close()
        os.chmod(self.nlog, 0o666)
        self.notify = lab.write("%s-notify.sh" % role,
                                "#!/bin/sh\necho \"$*\" >> %s\n" % self.nlog)
        os.chmod(self.notify, 0o755)
        os.chmod(lab.tmp, 0o755)
        self.conf = lab.write("%s.conf" % role, CONF % dict(
            sock=self.sock, smtp=ADDR["smtp"], smtp_port=SMTP_PORT,
            flag=self.flag, vip=AVIP, hold=int(HOLD * 1000),
            notify=self.notify, fwd_sock=self.fwd_sock, port=PORT,
            s1=ADDR["s1"]))
        self.vrrpd = self.fwd = None

    def start(self):
        self.vrrpd = self.lab.start_vrrpd(self.role, self.conf)
        check(wait_until(lambda: self.status() is not None, 5) is not None,
              "vrrpd answers on %s" % self.sock)

    def start_fwd(self):
        self.fwd = self.lab.spawn(self.role, [FWD, "-n", "-f", self.conf],
                                  name="fwd-" + self.role)

    def full_status(self):
        return self.lab.vrrpctl_status(self.role, self.sock)

    def status(self):
        st = self.full_status()
        if not st:
            return None
        for i in st.get("anycast", []):
            if i["name"] == "AC_1":
                return i
        return None

    def state(self):
        st = self.status()
        return st["state"] if st else None

    def lo_addrs(self):
        return self.lab.run(self.role, "ip", "-o", "addr", "show", "dev",
                            "lo").stdout

    def has_vip(self):
        return (" %s/32 " % AVIP) in self.lo_addrs()

    def notifies(self):
        return [l for l in open(self.nlog).read().split("\n") if l]


def test(lab):
    box = MailBox(lab)
    box.start()
    lab.spawn("s1", [PYTHON, "-c", BACKEND, ADDR["s1"], "s1"],
              name="backend-s1")
    a = AnycastNode(lab, "a")
    mon = Monitor(lab, "a")
    try:
        run(lab, a, mon, box)
    finally:
        mon.stop()


def run(lab, a, mon, box):
    t_start = time.time()
    a.start()
    a.start_fwd()
    check(lab.wait_until(lambda: a.full_status()["forwarder"]["connected"],
                         5) is not None, "fwd linked to vrrpd")
    check(a.state() == "WITHDRAWN" and not a.has_vip(),
          "not announced before hold_down")
    t_add = mon.first_after("add", t_start, 5)
    check(t_add is not None, "the VIP came on lo")
    log("start -> VIP on lo: %.3f s (hold_down %.1f s)" %
        (t_add - t_start, HOLD))
    check(t_add - t_start >= HOLD, "only after hold_down (%.3f s)"
          % (t_add - t_start))
    st = a.status()
    check(st["state"] == "ANNOUNCED" and st["healthy"], "ANNOUNCED")
    check([t["type"] for t in st["trackers"]] ==
          ["interface", "script", "forwarder"],
          "trackers: lo, chk, fwd (%s)" % st["trackers"])
    r = lab.run("a", PYTHON, "-c", "import socket; print(socket."
                "create_connection(('%s', %d), 2).recv(16).decode())"
                % (AVIP, PORT), check=False)
    check(r.stdout.strip() == "s1", "fwd serves the anycast VIP (%r)"
          % r.stdout)
    check(lab.wait_until(lambda: "vrrpd: AC_1 is ANNOUNCED" in
                         a.fwd.output(), 2) is not None,
          "fwd was told (its page and metrics show the state)")
    text = lab.vrrpctl("a", a.sock, "status").stdout
    check("AC_1: ANNOUNCED  anycast on lo" in text,
          "vrrpctl status shows the anycast instance:\n" + text)

    # an address removed by hand while announced is put back
    lab.run("a", "ip", "addr", "del", AVIP + "/32", "dev", "lo")
    check(lab.wait_until(a.has_vip, 1) is not None,
          "vrrpd restored the VIP removed by hand")
    check(a.state() == "ANNOUNCED", "still ANNOUNCED")

    # a stopped fwd (no heartbeat within track_forwarder's 300 ms timeout)
    # withdraws too; it is back a hold_down after it wakes up
    t5 = time.time()
    a.fwd.signal(signal.SIGSTOP)
    t_del = mon.first_after("del", t5, 3)
    a.fwd.signal(signal.SIGCONT)
    check(t_del is not None, "VIP withdrawn while fwd was stopped")
    log("SIGSTOP fwd -> VIP gone from lo: %.0f ms" % ((t_del - t5) * 1000))
    check("silent" in a.status()["last_reason"], "reason: fwd silent (%r)"
          % a.status()["last_reason"])
    check(mon.first_after("add", t_del, 5) is not None, "VIP back after "
          "SIGCONT")
    check(lab.wait_until(lambda: a.state() == "ANNOUNCED", 2) is not None,
          "ANNOUNCED again")

    # kill -9 fwd: withdrawn at once
    time.sleep(0.3)
    t0 = time.time()
    a.fwd.signal(signal.SIGKILL)
    t_del = mon.first_after("del", t0, 3)
    check(t_del is not None, "VIP removed from lo after kill -9 of fwd")
    withdraw = t_del - t0
    log("kill -9 fwd -> VIP gone from lo: %.1f ms" % (withdraw * 1000))
    check(withdraw < WITHDRAW_MAX, "withdrawn in %.3f s < %.2f s" %
          (withdraw, WITHDRAW_MAX))
    st = a.status()
    check(st["state"] == "WITHDRAWN" and "forwarder" in st["last_reason"],
          "WITHDRAWN, the reason names the forwarder: %r" %
          st["last_reason"])

    # fwd back: the VIP returns only after hold_down
    a.fwd.wait(5)
    t1 = time.time()
    a.start_fwd()
    check(lab.wait_until(lambda: a.full_status()["forwarder"]["connected"],
                         5) is not None, "fwd linked again")
    t_linked = time.time()
    t_add = mon.first_after("add", t1, 5)
    check(t_add is not None, "VIP back on lo")
    log("fwd restarted -> linked %.3f s, VIP back %.3f s" %
        (t_linked - t1, t_add - t1))
    check(t_add - t_linked >= HOLD - 0.15,
          "VIP back only after hold_down (%.3f s after the link)"
          % (t_add - t_linked))

    # a failing track_script withdraws too, naming it
    time.sleep(0.2)
    os.unlink(a.flag)
    check(lab.wait_until(lambda: not a.has_vip(), 3) is not None,
          "VIP withdrawn when chk fails")
    st = a.status()
    check("chk" in st["last_reason"], "reason names chk: %r"
          % st["last_reason"])
    # a flap inside hold_down restarts the count
    open(a.flag, "w").close()
    time.sleep(HOLD / 2)
    os.unlink(a.flag)
    time.sleep(0.4)
    open(a.flag, "w").close()
    t2 = time.time()
    check(not a.has_vip(), "no announce while flapping")
    t_add = mon.first_after("add", t2 - 0.5, 5)
    check(t_add is not None and t_add - t2 >= HOLD - 0.3,
          "announced a full hold_down after the last recovery")

    # notify and mail for each transition
    lab.wait_until(lambda: len(a.notifies()) >= 7, 5)
    n = a.notifies()
    check(n == ["ANYCAST AC_1 ANNOUNCED 0", "ANYCAST AC_1 WITHDRAWN 0"] * 3 +
          ["ANYCAST AC_1 ANNOUNCED 0"],
          "notify ran for each transition, in order: %s" % n)
    def subjects():
        return [m["msg"]["Subject"] for m in box.of(a)]
    check(lab.wait_until(lambda: len(subjects()) >= 7, 10) is not None,
          "seven mails (%s)" % subjects())
    s = subjects()
    check(s.count("[a] AC_1: WITHDRAWN -> ANNOUNCED") == 4 and
          s.count("[a] AC_1: ANNOUNCED -> WITHDRAWN") == 3,
          "mail subjects: %s" % s)
    bodies = [str(m["msg"].get_body().get_content()) for m in box.of(a)]
    check(any("anycast instance AC_1 went from ANNOUNCED to WITHDRAWN "
              "because: forwarder" in b for b in bodies),
          "a mail says why: the forwarder")

    # reload: unchanged, the instance keeps its state and address; a new
    # VIP of an announced instance comes at once, a removed one goes
    t3 = time.time()
    r = lab.vrrpctl("a", a.sock, "reload")
    check('"ok":true' in r.stdout.replace(" ", ""), "reload: %s" % r.stdout)
    time.sleep(0.3)
    check(a.state() == "ANNOUNCED" and a.has_vip() and
          not [e for e in mon.events() if e[0] >= t3],
          "reload left the announced VIP alone")
    text = open(a.conf).read()
    open(a.conf, "w").write(text.replace(
        '[ "%s/32" ]' % AVIP, '[ "%s/32" ]' % AVIP2))
    r = lab.vrrpctl("a", a.sock, "reload")
    check(lab.wait_until(lambda: not a.has_vip() and
                         (" %s/32 " % AVIP2) in a.lo_addrs(), 2)
          is not None, "reload moved the VIP to %s" % AVIP2)
    check(a.state() == "ANNOUNCED", "still ANNOUNCED after the reload")
    open(a.conf, "w").write(text)
    r = lab.vrrpctl("a", a.sock, "reload")
    check(lab.wait_until(lambda: a.has_vip() and
                         (" %s/32 " % AVIP2) not in a.lo_addrs(), 2)
          is not None, "and back")
    # an instance added by reload starts WITHDRAWN and announces after
    # hold_down; removed, it withdraws
    open(a.conf, "w").write(text.replace(
        "anycast_instance = {\n", 'anycast_instance = {\n  AC_2 = { '
        'virtual_ipaddress = [ "%s/32" ]; hold_down = "500ms"; };\n'
        % AVIP2))
    t6 = time.time()
    lab.vrrpctl("a", a.sock, "reload")
    check(lab.wait_until(lambda: (" %s/32 " % AVIP2) in a.lo_addrs(), 3)
          is not None and time.time() - t6 >= 0.5,
          "AC_2 added by reload, announced after its hold_down")
    open(a.conf, "w").write(text)
    lab.vrrpctl("a", a.sock, "reload")
    check(lab.wait_until(lambda: (" %s/32 " % AVIP2) not in a.lo_addrs(),
                         2) is not None and a.has_vip(),
          "AC_2 removed by reload: its VIP withdrawn, AC_1's stays")

    a.vrrpd.signal(signal.SIGTERM)
    a.vrrpd.wait(5)
    check(not a.has_vip(), "SIGTERM withdraws the VIP")


if __name__ == "__main__":
    run_test(test, "ip", roles=("a", "s1", "smtp"), binaries=DAEMONS)
