#!/usr/bin/python3
"""vrrpd's alert mail against a real MTA: Debian's Postfix, run as its
own master in the lab's mail namespace (198.18.0.25:25) with a
configuration in the test's directory, delivering to a Maildir.
1. A plain alert (`vrrpctl alert-test`) is delivered.
2. A failed transaction, then recovery: Postfix refuses the recipient
   with 451 (the mailbox is "temporarily unavailable"); vrrpd logs the
   server's answer and retries; the refusal is lifted (postconf + SIGHUP
   to master) and the retry delivers. Each attempt is a new SMTP session
   (Postfix logs a connect and an EHLO per attempt), and vrrpd's log has
   neither "Weird server reply" nor "MAIL failed: 503", which a newcomer
   saw alternate when a failed transaction's connection was reused."""

import glob
import grp
import os
import pwd
import re
import shutil
import signal
import subprocess

from lab import ADDR, check, log, run_test, wait_until
from labsmtp import Vrrpd

MASTER = "/usr/lib/postfix/sbin/master"
REFUSE = ("check_recipient_access "
          "static:{451 4.3.0 mailbox temporarily unavailable}")


class Postfix:
    def __init__(self, lab):
        self.lab = lab
        self.dir = lab.path("postfix")
        etc = os.path.join(self.dir, "etc")
        spool = os.path.join(self.dir, "spool")
        self.mail = os.path.join(self.dir, "mail")
        self.etc = etc
        for d in (etc, spool, os.path.join(self.dir, "lib"), self.mail):
            os.makedirs(d, exist_ok=True)
        uid, gid = pwd.getpwnam("postfix").pw_uid, grp.getgrnam(
            "postfix").gr_gid
        for d in (spool, os.path.join(self.dir, "lib"), self.mail):
            os.chown(d, uid, gid)
        os.chmod(self.dir, 0o755)
        # the lab's temporary directory is root's 0700: postfix's
        # daemons drop to the postfix user and must reach their dirs
        os.chmod(lab.path(""), 0o755)
        for f in ("master.cf", "dynamicmaps.cf"):
            shutil.copy(os.path.join("/etc/postfix", f), etc)
        with open(os.path.join(etc, "main.cf"), "w") as f:
            f.write("""compatibility_level = 3.6
queue_directory = %(d)s/spool
data_directory = %(d)s/lib
mail_owner = postfix
setgid_group = postdrop
inet_interfaces = %(ip)s
inet_protocols = ipv4
myhostname = mx.lab.test
mydestination =
mynetworks = 198.18.0.0/24
virtual_mailbox_domains = example.com
virtual_mailbox_base = %(d)s/mail
virtual_mailbox_maps = static:box/
virtual_uid_maps = static:%(uid)d
virtual_gid_maps = static:%(gid)d
smtpd_recipient_restrictions = permit_mynetworks, reject
maillog_file = /dev/stdout
# one session per smtpd process: a reload applies to the next session
max_use = 1
alias_maps =
alias_database =
""" % {"d": self.dir, "ip": ADDR["smtp"], "uid": uid, "gid": gid})
        self.postconf("-F", "*/*/chroot = n")
        # in the namespace: Postfix checks inet_interfaces is local
        r = lab.run("smtp", "postfix", "-c", etc, "post-install",
                    "create-missing", check=False)
        check(r.returncode == 0, "postfix post-install create-missing: %s%s"
              % (r.stdout, r.stderr))
        self.proc = lab.spawn("smtp", [MASTER, "-c", etc, "-d"],
                              name="postfix-master")
        check(wait_until(lambda: "daemon started" in self.proc.output(), 10)
              is not None, "Postfix's master started: %s"
              % self.proc.output())

    def postconf(self, *args):
        subprocess.run(["postconf", "-c", self.etc] + list(args),
                       check=True, capture_output=True)

    def reload(self):
        self.proc.signal(signal.SIGHUP, group=False)

    def mails(self):
        return sorted(glob.glob(os.path.join(self.mail, "box", "new", "*")))

    def log(self):
        return self.proc.output()


def run(lab):
    if not os.access(MASTER, os.X_OK) or not shutil.which("postconf"):
        print("SKIP: postfix is not installed (scripts/deps test)")
        raise SystemExit(77)
    pf = Postfix(lab)
    d = Vrrpd(lab, "postfix", {"smtp_server": "%s:25" % ADDR["smtp"]})
    try:
        # 1. delivered
        d.alert_test()
        check(wait_until(lambda: len(pf.mails()) == 1, 15) is not None,
              "Postfix delivered the alert to the Maildir:\n%s" % pf.log())
        with open(pf.mails()[0]) as f:
            body = f.read()
        check("Subject: [lbA] test message" in body or
              "test message" in body, "the alert-test mail: %s"
              % body[:300])
        log("alert delivered by Postfix")

        # 2. refused (451), then the mailbox works again
        pf.postconf("-e", "smtpd_recipient_restrictions = " + REFUSE)
        pf.reload()
        wait_until(lambda: "reload" in pf.log(), 5)
        connects0 = len(re.findall(r"\]: connect from", pf.log()))
        d.alert_test()
        d.wait_log("retry 1 of 3", 15)
        line = [x for x in d.log().splitlines() if "retry 1 of 3" in x][0]
        log("vrrpd: %s" % line.strip())
        check("451" in line, "vrrpd's log names Postfix's refusal: %s"
              % line)
        pf.postconf("-e", "smtpd_recipient_restrictions = "
                    "permit_mynetworks, reject")
        pf.reload()
        check(wait_until(lambda: len(pf.mails()) == 2, 20) is not None,
              "the retry delivered once the mailbox worked again:\n%s\n%s"
              % (d.log(), pf.log()))
        sessions = len(re.findall(r"\]: connect from", pf.log())) - connects0
        ehlos = len(re.findall(r"disconnect from .* ehlo=1", pf.log()))
        log("Postfix saw %d sessions for the refused alert and its retry"
            % sessions)
        check(sessions >= 2, "each attempt is a new SMTP session (%d)"
              % sessions)
        check(ehlos >= 3, "every session began with EHLO (%d)" % ehlos)
        for bad in ("Weird server reply", "MAIL failed: 503"):
            check(bad not in d.log(), "%r in vrrpd's log:\n%s"
                  % (bad, d.log()))
    finally:
        d.stop()
        pf.proc.stop()


if __name__ == "__main__":
    run_test(run, "postconf", roles=("a", "smtp"))
