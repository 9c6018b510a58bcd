#!/usr/bin/python3
"""vrrpd's alert mail over TLS (issue #14), against aiosmtpd with a
self-signed certificate, as a small controller script (--serve):

1. STARTTLS required and AUTH required: smtp_starttls + smtp_user +
   smtp_password + smtp_ca_file deliver, once with only AUTH PLAIN on
   offer and once with only AUTH LOGIN; the server saw TLS and the login.
2. A wrong password: a log line that says the login was refused, and a
   retry; no mail.
3. smtp_starttls against a server that offers no STARTTLS: refused, and
   the server never sees MAIL FROM (nothing goes in clear).
4. smtp_verify (default true) without smtp_ca_file refuses the
   self-signed certificate; smtp_verify = false delivers.
5. smtps:// with smtp_ca_file delivers (SMTPS).
6. A failed delivery (the mailbox answers 451 at DATA), then the mailbox
   works again: the retry delivers the mail (it used to reuse the
   connection of the failed transaction: "Weird server reply" /
   "MAIL failed: 503").
7. Certificate expiry: fwd's tls check sees a certificate made with
   `openssl req -days 3` on an `openssl s_server`; with cert_warn_days
   14 fwd asks vrrpd over the link, and one mail arrives (not one per
   check).
"""

import glob
import json
import os
import signal
import subprocess
import sys
import time

SMTP_PORT = 2525
USER, PASSWORD = "alert", "s3cret-pw"


def serve(outdir, host, mode, cert, key):
    """The SMTP server; writes one JSON file per event into outdir."""
    import ssl
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import SMTP, AuthResult

    n = [0]

    def tls(server):
        """STARTTLS or SMTPS: the transport is TLS."""
        return server.transport.get_extra_info("ssl_object") is not None

    def record(kind, **rec):
        n[0] += 1
        rec["kind"] = kind
        tmp = os.path.join(outdir, ".%d.tmp" % n[0])
        with open(tmp, "w") as f:
            json.dump(rec, f)
        os.rename(tmp, os.path.join(outdir, "%04d.%s.json" % (n[0], kind)))

    class Handler:
        async def handle_MAIL(self, server, session, envelope, address,
                              options):
            record("mail", tls=tls(server),
                   auth=repr(session.auth_data))
            envelope.mail_from = address
            return "250 OK"

        async def handle_EHLO(self, server, session, envelope, hostname,
                              responses):
            record("ehlo", tls=tls(server))
            session.host_name = hostname
            return responses

        async def handle_RCPT(self, server, session, envelope, address,
                              options):
            if os.path.exists(os.path.join(outdir, "rcpt-broken")):
                record("refused-rcpt")
                return "450 4.2.1 mailbox temporarily unavailable"
            envelope.rcpt_tos.append(address)
            return "250 OK"

        async def handle_DATA(self, server, session, envelope):
            if os.path.exists(os.path.join(outdir, "mailbox-broken")):
                record("refused")
                return "451 4.3.0 mailbox temporarily unavailable"
            record("data", tls=tls(server),
                   auth=repr(session.auth_data),
                   raw=envelope.original_content.decode("utf-8", "replace"))
            return "250 Message accepted"

    mechs = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = (auth_data.login == USER.encode() and
              auth_data.password == PASSWORD.encode())
        mechs.append(mechanism)
        record("auth", mechanism=mechanism, ok=ok, tls=tls(server))
        # handled=False: aiosmtpd answers 535 itself (its default,
        # handled=True, would leave the client waiting)
        return AuthResult(success=ok, handled=False)

    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(cert, key)
    kw = dict(hostname=host, port=SMTP_PORT)
    if mode.startswith("starttls"):
        kw.update(tls_context=ctx, require_starttls=True,
                  authenticator=authenticator, auth_required=True,
                  auth_require_tls=True)
        if mode == "starttls-plain":
            kw["auth_exclude_mechanism"] = ["LOGIN"]
        elif mode == "starttls-login":
            kw["auth_exclude_mechanism"] = ["PLAIN"]
    elif mode == "smtps":
        kw.update(ssl_context=ctx)
    class BrokenMailbox(SMTP):
        """While DIR/data-broken exists the DATA command itself gets 451
        (as a server does whose mailbox or queue is unavailable): the
        transaction stays open, MAIL and RCPT accepted."""

        async def smtp_DATA(self, arg):
            if os.path.exists(os.path.join(outdir, "data-broken")):
                record("refused-data")
                await self.push("451 4.3.0 mailbox temporarily unavailable")
                return
            await super().smtp_DATA(arg)

    class Ctl(Controller):
        def factory(self):
            return BrokenMailbox(self.handler, **self.SMTP_kwargs)

    ctl = Ctl(Handler(), **kw)
    ctl.start()
    print("smtp server listening on %s:%d (%s)" % (host, SMTP_PORT, mode),
          flush=True)
    signal.sigwait({signal.SIGTERM, signal.SIGINT})
    ctl.stop()


if __name__ == "__main__" and len(sys.argv) > 1 and sys.argv[1] == "--serve":
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM, signal.SIGINT})
    serve(*sys.argv[2:7])
    sys.exit(0)

from lab import (ADDR, DAEMONS, FWD, PYTHON, check,  # noqa: E402
                 forwarder_conf, log, run_test, server, wait_until)
from labsmtp import Vrrpd  # noqa: E402


class Server:
    started = 0

    def __init__(self, lab, mode):
        self.lab, self.mode = lab, mode
        Server.started += 1
        self.dir = lab.path("mail-%s-%d" % (mode, Server.started))
        os.makedirs(self.dir, exist_ok=True)
        self.proc = lab.spawn("smtp", [PYTHON, os.path.abspath(__file__),
                                       "--serve", self.dir, ADDR["smtp"],
                                       mode, lab.path("cert.pem"),
                                       lab.path("key.pem")],
                              name="aiosmtpd-" + mode)
        check(wait_until(lambda: "listening" in self.proc.output(), 10)
              is not None, "aiosmtpd (%s) does not listen" % mode)

    def events(self, kind=None):
        out = []
        for p in sorted(glob.glob(os.path.join(self.dir, "*.json"))):
            with open(p) as f:
                rec = json.load(f)
            if kind is None or rec["kind"] == kind:
                out.append(rec)
        return out

    def stop(self):
        self.proc.stop()


def make_cert(lab):
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048",
                    "-nodes", "-keyout", lab.path("key.pem"), "-out",
                    lab.path("cert.pem"), "-days", "30",
                    "-subj", "/CN=mail.lab.test",
                    "-addext", "subjectAltName=IP:%s" % ADDR["smtp"]],
                   check=True, capture_output=True)


def delivered(srv, n=1, timeout=10):
    check(wait_until(lambda: len(srv.events("data")) >= n, timeout)
          is not None, "no mail delivered; events: %s" % srv.events())
    return srv.events("data")[n - 1]


def server_url(scheme=""):
    return "%s%s:%d" % (scheme, ADDR["smtp"], SMTP_PORT)


def with_vrrpd(lab, mode, tag, smtp, fn):
    srv = Server(lab, mode)
    d = Vrrpd(lab, tag, smtp)
    try:
        d.alert_test()
        fn(srv, d)
    finally:
        d.stop()
        srv.stop()


def test_starttls_auth(lab):
    """1: STARTTLS and AUTH required; PLAIN, then LOGIN."""
    for mech in ("PLAIN", "LOGIN"):
        def judge(srv, d):
            m = delivered(srv)
            check(m["tls"], "mail not over TLS: %s" % m)
            auths = srv.events("auth")
            check([(a["mechanism"], a["ok"], a["tls"]) for a in auths]
                  == [(mech, True, True)], "auth: %s" % auths)
            check("test message" in m["raw"], "not the test mail")
        with_vrrpd(lab, "starttls-" + mech.lower(), "auth-" + mech.lower(),
                   {"smtp_server": server_url(), "smtp_starttls": True,
                    "smtp_user": USER, "smtp_password": PASSWORD,
                    "smtp_ca_file": lab.path("cert.pem")}, judge)
        log("STARTTLS + AUTH %s: delivered, verified" % mech)


def test_wrong_password(lab):
    """2: a clear log line and a retry; nothing delivered."""
    def judge(srv, d):
        d.wait_log("retry 1 of 3")
        line = [x for x in d.log().splitlines() if "retry 1 of 3" in x][0]
        check("Login denied" in line and "535" in line,
              "unclear log line: %s" % line)
        check(not srv.events("data"), "delivered with a wrong password")
        check([a["ok"] for a in srv.events("auth")] == [False],
              "auth: %s" % srv.events("auth"))
        log("wrong password: %s" % line.split(": ", 1)[1])
    with_vrrpd(lab, "starttls-plain", "badpw",
               {"smtp_server": server_url(), "smtp_starttls": True,
                "smtp_user": USER, "smtp_password": "wrong",
                "smtp_ca_file": lab.path("cert.pem")}, judge)


def test_no_starttls(lab):
    """3: STARTTLS required, the server offers none: nothing in clear."""
    def judge(srv, d):
        d.wait_log("retry 1 of 3")
        check("STARTTLS" in d.log(), "log does not say STARTTLS:\n"
              + d.log())
        check(srv.events("ehlo") and not srv.events("mail") and
              not srv.events("data"),
              "sent in clear: %s" % srv.events())
        log("no STARTTLS on offer: refused, no MAIL FROM sent")
    with_vrrpd(lab, "plain", "nostarttls",
               {"smtp_server": server_url(), "smtp_starttls": True,
                "smtp_user": USER, "smtp_password": PASSWORD}, judge)


def test_verify(lab):
    """4: smtp_verify defaults to true: the self-signed certificate is
    refused without smtp_ca_file; smtp_verify = false accepts it."""
    def refused(srv, d):
        d.wait_log("retry 1 of 3")
        check("certificate" in d.log(), "log does not name the "
              "certificate:\n" + d.log())
        check(not srv.events("auth") and not srv.events("data"),
              "talked past a bad certificate: %s" % srv.events())
    with_vrrpd(lab, "starttls-plain", "verify",
               {"smtp_server": server_url(), "smtp_starttls": True,
                "smtp_user": USER, "smtp_password": PASSWORD}, refused)

    def accepted(srv, d):
        m = delivered(srv)
        check(m["tls"], "not over TLS: %s" % srv.events())
    with_vrrpd(lab, "starttls-plain", "noverify",
               {"smtp_server": server_url(), "smtp_starttls": True,
                "smtp_verify": False, "smtp_user": USER,
                "smtp_password": PASSWORD}, accepted)
    log("smtp_verify: refused without smtp_ca_file, accepted when false")


def test_smtps(lab):
    """5: smtps:// (TLS from the first byte), verified with smtp_ca_file."""
    def judge(srv, d):
        m = delivered(srv)
        check(m["tls"], "not over TLS: %s" % srv.events())
    with_vrrpd(lab, "smtps", "smtps",
               {"smtp_server": server_url("smtps://"),
                "smtp_ca_file": lab.path("cert.pem")}, judge)
    log("smtps://: delivered")


def test_mailbox_recovers(lab):
    """6: after a failed transaction the retry uses a new connection and
    delivers once the mailbox works again."""
    srv = Server(lab, "plain")
    open(os.path.join(srv.dir, "mailbox-broken"), "w").close()
    d = Vrrpd(lab, "recover", {"smtp_server": server_url()})
    try:
        d.alert_test()
        d.wait_log("retry 1 of 3")
        line = [x for x in d.log().splitlines() if "retry 1 of 3" in x][0]
        check("451 4.3.0 mailbox temporarily unavailable" in line,
              "the log line hides the server's answer: %s" % line)
        os.unlink(os.path.join(srv.dir, "mailbox-broken"))
        m = delivered(srv, 1, timeout=15)
        check("test message" in m["raw"], "not the test mail")
        ev = [e["kind"] for e in srv.events()]
        check(ev == ["ehlo", "mail", "refused", "ehlo", "mail", "data"],
              "each attempt must start with a new connection (EHLO): %s"
              % ev)
        for bad in ("Weird server reply;", "MAIL failed: 503"):
            check(bad not in d.log(), "%r in vrrpd's log:\n%s"
                  % (bad, d.log()))
        log("the retry delivered after the mailbox came back: %s" % ev)
    finally:
        d.stop()
        srv.stop()


def test_cert_mail(lab):
    """7: an expiring certificate seen by fwd, mailed once by vrrpd."""
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048",
                    "-nodes", "-keyout", lab.path("k3.pem"), "-out",
                    lab.path("c3.pem"), "-days", "3", "-subj",
                    "/CN=expiring.lab.test"], check=True,
                   capture_output=True)
    # a second older than made: under 3 days left, so 2 whole days
    time.sleep(1.1)
    srv = Server(lab, "plain")
    d = Vrrpd(lab, "certmail", {"smtp_server": server_url()})
    tls = lab.spawn("a", ["openssl", "s_server", "-accept", "127.0.0.1:8443",
                          "-cert", lab.path("c3.pem"), "-key",
                          lab.path("k3.pem"), "-naccept", "100000",
                          "-quiet"], name="s_server")
    conf = lab.write("fwd.conf", forwarder_conf(
        lab.path("fwd.sock"), vrrpd_socket=d.sock, cert_warn_days=14,
        listen={"web": {"bind": "127.0.0.1:9443", "server": {
            "tls": server("127.0.0.1:8443",
                          {"type": "tls", "inter": "200ms"})}}}))
    fwd = lab.spawn("a", [FWD, "-n", "-f", conf], name="fwd")
    try:
        m = delivered(srv, 1, timeout=15)
        check("Subject: [lbA] TLS certificate of web/tls expires in 2 days"
              in m["raw"], "subject: %s" % m["raw"][:400])
        time.sleep(2)  # ten more checks: still one mail
        check(len(srv.events("data")) == 1,
              "%d mails for one certificate" % len(srv.events("data")))
        check("its TLS certificate expires in 2 days" in fwd.output(),
              "no warning in fwd's log:\n" + fwd.output())
        log("expiring certificate: one mail via vrrpd, days left 2")
    finally:
        fwd.stop()
        tls.stop()
        d.stop()
        srv.stop()


def run(lab):
    make_cert(lab)
    test_wrong_password(lab)
    test_mailbox_recovers(lab)
    test_starttls_auth(lab)
    test_no_starttls(lab)
    test_verify(lab)
    test_smtps(lab)
    test_cert_mail(lab)


if __name__ == "__main__":
    run_test(run, "openssl", roles=("a", "smtp"), binaries=DAEMONS)
