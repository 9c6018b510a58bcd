#!/usr/bin/python3
"""Alert mail runs in vrrpd-mail, a process of its own (docs/security.md).

1. vrrpd-mail runs as the script user (nobody here) with no capability
   (CapEff, CapPrm, CapInh, CapAmb all 0, NoNewPrivs 1), and vrrpd's own
   process maps no libcurl, OpenSSL or GnuTLS (/proc/PID/maps), while
   vrrpd-mail does.
2. kill -9 of vrrpd-mail while a transition's mail waits for its retry (the
   SMTP server is down): vrrpd logs it, starts vrrpd-mail again, and the
   mail is delivered once, after the restart, to the server come back.
3. A reload with new mail settings (another recipient) passes them to
   vrrpd-mail: `vrrpctl alert-test` answers as before and its mail goes to
   the new recipient; then 70 recipients (more fields than one frame held
   before: vrrpd-mail refused it, exited and was started again in a tight
   loop, and no mail left) all get it.
4. vrrpd not run as root (nobody with ambient CAP_NET_RAW, CAP_NET_ADMIN:
   no spawner) forks and execs vrrpd-mail itself: same user, no
   capability (the ambient set does not reach it), and the mail arrives.
5. vrrpd-mail exits 1, not 0 (idle), after a bad frame from vrrpd.
6. SIGTERM of vrrpd just after vrrpd-mail died (its restart backoff
   running): the shutdown mail still leaves.

Run with --serve DIR ADDR (inside the SMTP namespace) it is the SMTP
server (aiosmtpd), one JSON file per message in DIR.
"""

import glob
import json
import os
import shutil
import signal
import sys
import time

SMTP_PORT = 2525
TLS_LIBS = ("libcurl", "libssl", "libcrypto", "libgnutls", "libnettle")


def serve(outdir, addr):
    from aiosmtpd.controller import Controller

    class Handler:
        n = 0

        async def handle_DATA(self, server, session, envelope):
            Handler.n += 1
            tmp = os.path.join(outdir, ".%d.tmp" % Handler.n)
            with open(tmp, "w") as f:
                json.dump({"rcpt": envelope.rcpt_tos,
                           "raw": envelope.original_content.decode(
                               "utf-8", "replace")}, f)
            # in arrival order across the server's restarts
            os.rename(tmp, os.path.join(outdir, "%020d.json"
                                        % time.monotonic_ns()))
            return "250 Message accepted"

    ctl = Controller(Handler(), hostname=addr, port=SMTP_PORT)
    ctl.start()
    print("smtp server listening", flush=True)
    signal.sigwait({signal.SIGTERM, signal.SIGINT})
    ctl.stop()


if __name__ == "__main__" and len(sys.argv) > 1 and sys.argv[1] == "--serve":
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM, signal.SIGINT})
    serve(sys.argv[2], sys.argv[3])
    sys.exit(0)

from lab import (ADDR, BUILD_ROOT, PYTHON, VRRPD, Node, check,  # noqa: E402
                 log, master_down, run_test, wait_until)
import pwd  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402


class MailNode(Node):
    def write_conf(self):
        p = super().write_conf()
        with open(p) as f:
            text = f.read()
        extra = ("  notification_email = [ \"ops@example.com\" ];\n"
                 "  smtp_server = \"%s:%d\";\n"
                 "  smtp_alert_interval = 0;\n" % (ADDR["smtp"], SMTP_PORT))
        with open(p, "w") as f:
            f.write(text.replace("global_defs = {\n",
                                 "global_defs = {\n" + extra, 1))
        self.conf = p
        return p


class Box:
    def __init__(self, lab):
        self.lab, self.dir, self.proc = lab, lab.path("mail"), None
        os.makedirs(self.dir, exist_ok=True)

    def start(self):
        self.proc = self.lab.spawn("smtp", [PYTHON, os.path.abspath(__file__),
                                            "--serve", self.dir,
                                            ADDR["smtp"]], name="aiosmtpd")
        check(wait_until(lambda: "listening" in self.proc.output(), 10)
              is not None, "aiosmtpd listens")

    def mails(self):
        out = []
        for p in sorted(glob.glob(os.path.join(self.dir, "*.json"))):
            with open(p) as f:
                rec = json.load(f)
            rec["subject"] = [ln[9:] for ln in rec["raw"].splitlines()
                              if ln.startswith("Subject: ")][0]
            out.append(rec)
        return out

    def subjects(self):
        return [m["subject"] for m in self.mails()]


def ppid_of(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return int(f.read().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return None


def comm_of(pid):
    try:
        with open("/proc/%d/comm" % pid) as f:
            return f.read().strip()
    except OSError:
        return None


def mailer_pid(vrrpd_pid):
    """The vrrpd-mail descended from this vrrpd (through its spawner)."""
    for d in os.listdir("/proc"):
        if not d.isdigit() or comm_of(int(d)) != "vrrpd-mail":
            continue
        p = int(d)
        while p and p > 1:
            p = ppid_of(p)
            if p == vrrpd_pid:
                return int(d)
    return None


def status_fields(pid):
    out = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            k, _, v = line.partition(":")
            out[k] = v.split()
    return out


def mapped(pid):
    with open("/proc/%d/maps" % pid) as f:
        return sorted({os.path.basename(ln.split()[-1]).split(".so")[0]
                       for ln in f if "/" in ln and
                       os.path.basename(ln.split()[-1]).startswith(TLS_LIBS)})


def check_unprivileged(a, mpid):
    # a vrrpd-mail just exec'd may not have run its first lines yet
    wait_until(lambda: status_fields(mpid).get("NoNewPrivs") == ["1"], 5)
    st = status_fields(mpid)
    uid = int(st["Uid"][1])
    check(uid != 0 and all(int(x) == uid for x in st["Uid"]),
          "vrrpd-mail (PID %d) runs as uid %s, not root" % (mpid, st["Uid"]))
    caps = {k: st[k][0] for k in ("CapInh", "CapPrm", "CapEff", "CapAmb")}
    check(all(int(v, 16) == 0 for v in caps.values()),
          "vrrpd-mail holds no capability: %s" % caps)
    check(st.get("NoNewPrivs") == ["1"], "vrrpd-mail: NoNewPrivs %s"
          % st.get("NoNewPrivs"))
    check(mapped(a.proc.pid) == [], "vrrpd (PID %d) maps no TLS or mail "
          "library: %s" % (a.proc.pid, mapped(a.proc.pid)))
    check("libcurl" in mapped(mpid), "vrrpd-mail maps libcurl: %s"
          % mapped(mpid))


def non_root(lab, box, a):
    """A restarted as nobody with the two capabilities it needs, its
    control socket in a directory nobody may write."""
    a.proc.stop()
    os.chmod(lab.path(""), 0o711)
    d = lab.path("nr")
    os.makedirs(d, exist_ok=True)
    os.chmod(d, 0o777)
    with open(a.conf) as f:
        text = f.read().replace(a.sock, os.path.join(d, "a.sock"))
    conf = os.path.join(d, "a.conf")
    with open(conf, "w") as f:
        f.write(text)
    os.chmod(conf, 0o644)
    # vrrpd and vrrpd-mail side by side where nobody may reach them, as
    # installed ones are: a build tree under /root (0700, as on a fresh
    # root) is closed to nobody, and vrrpd run as nobody execs vrrpd-mail
    # itself (there is no root spawner to open it)
    vrrpd = os.path.join(d, "vrrpd")
    for src, dst in ((VRRPD, vrrpd),
                     (os.path.join(os.path.dirname(VRRPD), "vrrpd-mail"),
                      os.path.join(d, "vrrpd-mail"))):
        shutil.copy(src, dst)
        os.chmod(dst, 0o755)
    caps = "+net_raw,+net_admin"
    proc = lab.spawn("a", ["setpriv", "--reuid=65534", "--regid=65534",
                           "--clear-groups", "--inh-caps=" + caps,
                           "--ambient-caps=" + caps, vrrpd, "-n", "-f", conf,
                           "-l", "debug"], name="vrrpd-a-nobody")
    n = len(box.mails())
    check(wait_until(lambda: len(box.mails()) > n, 10) is not None,
          "vrrpd as nobody: its start-up mail arrived: %s"
          % box.subjects()[n:])
    mpid = mailer_pid(proc.pid)
    check(mpid is not None, "vrrpd as nobody runs vrrpd-mail itself")
    wait_until(lambda: status_fields(mpid).get("NoNewPrivs") == ["1"], 5)
    st = status_fields(mpid)
    check(st["Uid"][0] == "65534" and ppid_of(mpid) == proc.pid and
          all(int(st[k][0], 16) == 0
              for k in ("CapInh", "CapPrm", "CapEff", "CapAmb")),
          "vrrpd-mail: uid %s, parent %s (vrrpd %d), caps %s"
          % (st["Uid"], ppid_of(mpid), proc.pid,
             [st[k][0] for k in ("CapPrm", "CapEff", "CapAmb")]))
    proc.stop()


def bad_frame_exit():
    """vrrpd-mail fed a frame it refuses exits 1: vrrpd restarts a failed
    one with backoff, where an exit 0 (idle) is restarted at once and would
    get the same frame again, in a tight loop."""
    ours, theirs = socket.socketpair()
    # the link as descriptor 3, as vrrpd hands it over
    p = subprocess.Popen(["bash", "-c", "exec setpriv --reuid=65534 "
                          "--regid=65534 --clear-groups %s 3<&%d"
                          % (os.path.join(BUILD_ROOT, "vrrpd", "vrrpd-mail"),
                             theirs.fileno())],
                         stdin=subprocess.DEVNULL, stderr=subprocess.PIPE,
                         pass_fds=(theirs.fileno(),))
    theirs.close()
    try:
        ours.sendall(b"\0\0\0\x08\x02\0\0\0\x01ab\0")  # no '='
        rc = p.wait(10)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
        ours.close()
    err = p.stderr.read().decode()
    check(rc == 1 and "bad frame" in err,
          "vrrpd-mail exits 1 after a bad frame: %s %r" % (rc, err))


def test(lab):
    bad_frame_exit()
    box = Box(lab)
    box.start()
    a = MailNode(lab, "a", state="BACKUP", priority=100, smtp_alert=True)
    b = Node(lab, "b", state="BACKUP", priority=101)
    a.start()
    check(wait_until(lambda: a.state() == "MASTER", master_down(100) + 3)
          is not None, "A alone becomes Master")
    want = ["[lbA] VI_1: INIT -> BACKUP", "[lbA] VI_1: BACKUP -> MASTER"]
    check(wait_until(lambda: box.subjects() == want, 5) is not None,
          "A's two mails arrived: %s" % box.subjects())
    mpid = mailer_pid(a.proc.pid)
    check(mpid is not None, "vrrpd-mail runs under vrrpd")
    check_unprivileged(a, mpid)

    # -- kill -9 of vrrpd-mail while a mail waits -----------------------------
    box.proc.stop()
    b.start()
    check(wait_until(lambda: a.state() == "BACKUP", 5) is not None,
          "B preempts A")
    check(wait_until(lambda: "retry 1 of 3" in a.proc.output(), 5)
          is not None, "A's mail waits for its retry (SMTP down)")
    os.kill(mpid, signal.SIGKILL)
    t_kill = time.monotonic()
    box.start()
    check(wait_until(lambda: "ended (signal 9)" in a.proc.output(), 5)
          is not None, "vrrpd logs the end of vrrpd-mail")
    check(wait_until(lambda: mailer_pid(a.proc.pid) not in (None, mpid), 5)
          is not None, "vrrpd started vrrpd-mail again")
    check_unprivileged(a, mailer_pid(a.proc.pid))
    subj = "[lbA] VI_1: MASTER -> BACKUP"
    t = wait_until(lambda: subj in box.subjects(), 20, 0.05)
    check(t is not None, "the mail of the transition arrived after the "
          "restart: %s" % box.subjects())
    log("mail delivered %.1f s after kill -9 of vrrpd-mail"
        % (time.monotonic() - t_kill))
    time.sleep(1)
    check(box.subjects() == want + [subj], "each mail once: %s"
          % box.subjects())
    al = lab.vrrpctl_status("a", a.sock)["alerts"]
    check(al["queued"] == 0 and al["sent"] == 3 and
          al["mailer_restarts"] == 1, "A's alert counters: %s" % al)

    # -- reload: new settings reach vrrpd-mail -------------------------------
    with open(a.conf) as f:
        text = f.read()
    with open(a.conf, "w") as f:
        f.write(text.replace("ops@example.com", "noc@example.com"))
    os.kill(a.proc.pid, signal.SIGHUP)
    check(wait_until(lambda: "mail settings reloaded" in a.proc.output(), 5)
          is not None, "A reloads its mail settings")
    r = lab.vrrpctl("a", a.sock, "alert-test")
    check(r.returncode == 0 and json.loads(r.stdout) ==
          {"ok": True, "queued": 1}, "alert-test answers: %s" % r.stdout)
    check(wait_until(lambda: len(box.mails()) == 4, 10) is not None,
          "the test mail arrived")
    m = box.mails()[-1]
    check(m["subject"] == "[lbA] vrrpd test alert" and
          m["rcpt"] == ["noc@example.com"],
          "the test mail went to the reloaded recipient: %s %s"
          % (m["subject"], m["rcpt"]))

    # -- many recipients: the settings frame stays one vrrpd-mail reads -----
    many = ["r%02d@example.com" % i for i in range(70)]
    with open(a.conf) as f:
        text = f.read()
    with open(a.conf, "w") as f:
        f.write(text.replace('"noc@example.com"',
                             ", ".join('"%s"' % r for r in many)))
    n_out = len(a.proc.output())
    os.kill(a.proc.pid, signal.SIGHUP)
    check(wait_until(lambda: "mail settings reloaded"
                     in a.proc.output()[n_out:], 5) is not None,
          "A reloads 70 recipients")
    r = lab.vrrpctl("a", a.sock, "alert-test")
    check(r.returncode == 0, "alert-test answers: %s" % r.stdout)
    check(wait_until(lambda: len(box.mails()) == 5, 10) is not None,
          "the test mail to 70 recipients arrived: %s; vrrpd says %s"
          % (box.subjects(), a.proc.output()[n_out:][-600:]))
    check(sorted(box.mails()[-1]["rcpt"]) == many,
          "it went to all 70: %s" % box.mails()[-1]["rcpt"])

    # -- reload with another script_user: vrrpd-mail runs as the new user ---
    # a mail waits for its retry (SMTP down) in the old vrrpd-mail: it is
    # handed over, not lost, and delivered once by the new one
    mpid = mailer_pid(a.proc.pid)
    check(mpid is not None and int(status_fields(mpid)["Uid"][1]) ==
          pwd.getpwnam("nobody").pw_uid, "vrrpd-mail runs as nobody first")
    box.proc.stop()
    n_out = len(a.proc.output())
    r = lab.vrrpctl("a", a.sock, "alert-test")
    check(r.returncode == 0, "alert-test answers: %s" % r.stdout)
    check(wait_until(lambda: "retry 1 of 3" in a.proc.output()[n_out:], 5)
          is not None, "the test mail waits for its retry (SMTP down)")
    with open(a.conf) as f:
        text = f.read()
    with open(a.conf, "w") as f:
        f.write(text.replace("global_defs = {\n",
                             "global_defs = {\n  script_user = \"daemon\";\n",
                             1))
    n_out = len(a.proc.output())
    os.kill(a.proc.pid, signal.SIGHUP)
    check(wait_until(lambda: "mail settings reloaded"
                     in a.proc.output()[n_out:], 5) is not None,
          "A reloads script_user as a mail setting: %s"
          % a.proc.output()[n_out:][-400:])
    check(wait_until(lambda: comm_of(mpid) is None, 5) is not None,
          "the old vrrpd-mail (nobody) handed over and exited")
    box.start()
    check(wait_until(lambda: len(box.mails()) == 6, 20, 0.05) is not None,
          "the test mail queued before the change of user arrived: %s; "
          "A said %s" % (box.subjects(), a.proc.output()[n_out:][-600:]))
    mpid = mailer_pid(a.proc.pid)
    check(mpid is not None and int(status_fields(mpid)["Uid"][1]) ==
          pwd.getpwnam("daemon").pw_uid,
          "vrrpd-mail runs as daemon after the reload: %s"
          % (mpid and status_fields(mpid)["Uid"]))
    check_unprivileged(a, mpid)
    time.sleep(1)
    check(len(box.mails()) == 6 and
          box.subjects()[-1] == "[lbA] vrrpd test alert",
          "the test mail arrived once: %s" % box.subjects())

    # -- shutdown while vrrpd-mail waits out its restart backoff -------------
    # vrrpd stopped, its vrrpd-mail killed and reaped, then SIGTERM: vrrpd
    # sees the death first (backoff armed), then the signal; the shutdown
    # mail must still leave, as it did when vrrpd mailed by itself
    mpid = mailer_pid(a.proc.pid)
    check(mpid is not None, "vrrpd-mail runs before the shutdown case")
    n = len(box.mails())
    a.proc.signal(signal.SIGSTOP, group=False)
    os.kill(mpid, signal.SIGKILL)
    check(wait_until(lambda: comm_of(mpid) is None, 5) is not None,
          "vrrpd-mail is gone")
    time.sleep(0.5)  # the spawner's report of it waits for vrrpd
    a.proc.signal(signal.SIGTERM, group=False)
    a.proc.signal(signal.SIGCONT, group=False)
    check(a.proc.wait(5) == 0, "A exited 0 after SIGTERM")
    check(wait_until(lambda: any(m["subject"].endswith(" -> INIT")
                                 for m in box.mails()[n:]), 5) is not None,
          "A's shutdown mail left although vrrpd-mail had just died: %s; "
          "A said %s" % (box.subjects()[n:], a.proc.output()[-500:]))

    # -- not root: no spawner, vrrpd starts vrrpd-mail itself ----------------
    non_root(lab, box, a)


if __name__ == "__main__":
    run_test(test, roles=("a", "b", "smtp"))
