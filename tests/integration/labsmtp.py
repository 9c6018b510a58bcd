"""Alert mail in the lab: a real SMTP server (aiosmtpd) on the smtp node
and vrrpd nodes that mail it.

Run with --serve DIR ADDR (inside the SMTP namespace) this file is the
server: one JSON file per message in DIR, with the arrival time
(CLOCK_MONOTONIC, which namespaces share, so a test can compare it with its
own clock)."""

import email
import email.policy
import glob
import json
import os
import re
import signal
import sys
import time

from lab import (ADDR, PYTHON, Node, check, vrrp_instance, vrrpd_conf,
                 wait_until)

SMTP_PORT = 2525
RCPTS = ["ops@example.com", "Night Shift <noc@example.com>"]
RCPT_ADDRS = ["ops@example.com", "noc@example.com"]


def serve(outdir):
    """The SMTP server: aiosmtpd's Controller, one file per message."""
    from aiosmtpd.controller import Controller

    class Handler:
        n = 0

        async def handle_DATA(self, server, session, envelope):
            Handler.n += 1
            rec = {"mono": time.monotonic(), "wall": time.time(),
                   "peer": session.peer[0],
                   "mail_from": envelope.mail_from,
                   "rcpt_tos": envelope.rcpt_tos,
                   "raw": envelope.original_content.decode("utf-8",
                                                           "replace")}
            tmp = os.path.join(outdir, ".%d.tmp" % Handler.n)
            with open(tmp, "w") as f:
                json.dump(rec, f)
            os.rename(tmp, os.path.join(outdir, "%04d.json" % Handler.n))
            return "250 Message accepted"

    ctl = Controller(Handler(), hostname=sys.argv[3], port=SMTP_PORT)
    ctl.start()
    print("smtp server listening on %s:%d" % (sys.argv[3], SMTP_PORT),
          flush=True)
    signal.sigwait({signal.SIGTERM, signal.SIGINT})
    ctl.stop()


def mail_globals(router_id, rcpts=("ops@example.com",), **keys):
    """global_defs keys that mail alerts from router_id to rcpts through
    the lab's server (smtp_server unless keys has one), then keys."""
    d = {"notification_email": list(rcpts),
         "notification_email_from": "vrrpd@%s.example.com" % router_id,
         "smtp_server": "%s:%d" % (ADDR["smtp"], SMTP_PORT)}
    d.update(keys)
    return d


TRANSITION_RE = re.compile(r"\] VI_1: (\w+) -> (\w+) \((.*)\)$")


class MailNode(Node):
    """A vrrpd node whose global_defs send alerts to the lab's server;
    every transition mailed at once unless alert_interval is set."""

    alert_interval = 0

    def write_conf(self):
        self.global_defs = mail_globals(self.router_id, RCPTS,
                                        smtp_connect_timeout=30,
                                        smtp_alert_interval=str(
                                            self.alert_interval))
        return super().write_conf()

    def transitions(self):
        """(from, to, reason) of every transition in every run's log."""
        out = []
        for p in self.lab.procs:
            if p.name != "vrrpd-" + self.role:
                continue
            for line in p.output().splitlines():
                m = TRANSITION_RE.search(line)
                if m:
                    out.append(m.groups())
        return out


class MailBox:
    """aiosmtpd on the smtp node (this file run with --serve); mails()
    parses what it received."""

    def __init__(self, lab):
        self.lab = lab
        self.dir = lab.path("mail")
        os.makedirs(self.dir, exist_ok=True)
        self.proc = None

    def start(self):
        self.proc = self.lab.spawn("smtp", [PYTHON, os.path.abspath(__file__),
                                            "--serve", self.dir,
                                            ADDR["smtp"]], name="aiosmtpd")
        check(wait_until(lambda: "listening" in self.proc.output(), 10)
              is not None, "aiosmtpd listens on %s:%d"
              % (ADDR["smtp"], SMTP_PORT))

    def stop(self):
        self.proc.stop()

    def mails(self):
        out = []
        for p in sorted(glob.glob(os.path.join(self.dir, "*.json"))):
            with open(p) as f:
                rec = json.load(f)
            rec["msg"] = email.message_from_string(
                rec["raw"], policy=email.policy.default)
            out.append(rec)
        return out

    def of(self, node):
        return [m for m in self.mails()
                if m["msg"]["Subject"].startswith("[%s] " % node.router_id)]


class Vrrpd:
    """vrrpd on node a with the given SMTP keys in global_defs."""

    def __init__(self, lab, tag, smtp):
        self.lab = lab
        self.sock = lab.path("a-%s.sock" % tag)
        # smtp's values as strings (quoted), booleans as they are
        keys = mail_globals("lbA", smtp_connect_timeout=5)
        del keys["smtp_server"]
        keys.update((k, v if isinstance(v, bool) else str(v))
                    for k, v in smtp.items())
        text = vrrpd_conf("lbA", self.sock, [vrrp_instance(smtp_alert=False)],
                          keys)
        self.proc = lab.start_vrrpd("a", lab.write("a-%s.conf" % tag, text))
        check(wait_until(lambda: lab.vrrpctl_status("a", self.sock)
                         is not None, 5) is not None, "vrrpd did not start")

    def alert_test(self):
        r = self.lab.vrrpctl("a", self.sock, "alert-test")
        check(r.returncode == 0, "alert-test: %s %s" % (r.stdout, r.stderr))

    def log(self):
        return self.proc.output()

    def wait_log(self, text, timeout=10):
        check(wait_until(lambda: text in self.log(), timeout) is not None,
              "no %r in vrrpd's log:\n%s" % (text, self.log()))

    def stop(self):
        self.proc.stop()


if __name__ == "__main__" and len(sys.argv) > 1 and sys.argv[1] == "--serve":
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM, signal.SIGINT})
    serve(sys.argv[2])
    sys.exit(0)
