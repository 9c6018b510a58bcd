#!/usr/bin/python3
"""fwd's HTTP status page on the pair (vrrpd + fwd on two nodes), read by a
real browser: headless Debian chromium loads each node's page inside the
node's namespace; A's page says MASTER and B's BACKUP with both servers UP;
after kill -9 of A's fwd, B's page says MASTER. Basic auth (401 without or
with wrong credentials, 200 with them), 404/405, /stats.json (same data as
the control socket's `stats`), /metrics (the vrrp state gauge flips). A
phone-sized screenshot is kept in meson-logs/stats-page.png."""

import json
import os
import shutil
import sys
import tempfile

from lab import (ADDR, BUILD_ROOT, DAEMONS, PYTHON, SKIP, VIP, check, log,
                 run_test)
from labpair import PairNode, start_fwd_pair

CHROMIUM = "/usr/bin/chromium"
STATS_PORT = 8404
AUTH = ("admin", "s3cret:x")  # a colon in the password is allowed
SHOT = os.path.join(BUILD_ROOT, "meson-logs", "stats-page.png")

# Runs inside a node's namespace: one request, the answer as JSON.
FETCH = r"""
import base64, json, sys, urllib.request, urllib.error
url, method, cred = sys.argv[1], sys.argv[2], sys.argv[3]
req = urllib.request.Request(url, method=method)
if cred:
    req.add_header("Authorization",
                   "Basic " + base64.b64encode(cred.encode()).decode())
try:
    with urllib.request.urlopen(req, timeout=5) as r:
        out = (r.status, dict(r.headers), r.read().decode())
except urllib.error.HTTPError as e:
    out = (e.code, dict(e.headers), e.read().decode())
print(json.dumps({"status": out[0], "headers": out[1], "body": out[2]}))
"""


class StatsNode(PairNode):
    """PairNode with forwarder.stats on the node's own address."""

    def __init__(self, lab, role, **inst):
        super().__init__(lab, role, **inst)
        self.fwd_settings["stats"] = {
            "bind": "%s:%d" % (ADDR[role], STATS_PORT), "uri": "/",
            "auth": "%s:%s" % AUTH, "refresh": "2s"}

    def url(self, path="/", creds=False):
        return "http://%s%s:%d%s" % ("%s:%s@" % AUTH if creds else "",
                                     ADDR[self.role], STATS_PORT, path)

    def fetch(self, path, method="GET", cred=":".join(AUTH)):
        r = self.lab.run(self.role, PYTHON, "-c", FETCH, self.url(path),
                         method, cred or "")
        return json.loads(r.stdout)

    def browser(self, *args):
        """Headless chromium in this node's namespace, fresh profile."""
        prof = tempfile.mkdtemp(prefix="chromium-", dir=self.lab.tmp)
        try:
            r = self.lab.run(
                self.role, CHROMIUM, "--headless", "--no-sandbox",
                "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + prof, *args, check=False, timeout=40)
        finally:
            shutil.rmtree(prof, ignore_errors=True)
        return r

    def dom(self):
        r = self.browser("--dump-dom", self.url("/", creds=True))
        check(r.returncode == 0 and "</html>" in r.stdout,
              "chromium rendered %s's page (rc %d)" % (self.role,
                                                         r.returncode))
        return r.stdout


def badge(state):
    return '<span class="st %s">%s</span>' % (state, state)


def metric(text, line):
    return any(l == line for l in text.split("\n"))


def png_size(path):
    with open(path, "rb") as f:
        head = f.read(24)
    check(head[:8] == b"\x89PNG\r\n\x1a\n", "screenshot is a PNG")
    return (int.from_bytes(head[16:20], "big"),
            int.from_bytes(head[20:24], "big"))


def test(lab):
    a, b = start_fwd_pair(lab, StatsNode)

    def both_up(n):
        js = json.loads(n.fetch("/stats.json")["body"])
        return [s["state"] for s in js["listeners"][0]["servers"]] == \
            ["UP", "UP"]
    check(lab.wait_until(lambda: both_up(a) and both_up(b), 5) is not None,
          "both nodes see s1 and s2 UP")

    # authentication and routing
    r = a.fetch("/", cred=None)
    check(r["status"] == 401 and
          r["headers"].get("WWW-Authenticate", "").startswith("Basic "),
          "401 with WWW-Authenticate: Basic without credentials (%s)"
          % r["status"])
    check(a.fetch("/", cred="admin:wrong")["status"] == 401,
          "401 with a wrong password")
    check(a.fetch("/metrics", cred=None)["status"] == 401,
          "/metrics needs the credentials too")
    r = a.fetch("/")
    check(r["status"] == 200 and
          r["headers"]["Content-Type"].startswith("text/html"),
          "200 text/html with the credentials")
    check(a.fetch("/nope")["status"] == 404, "404 for another path")
    r = a.fetch("/", method="POST")
    check(r["status"] == 405 and r["headers"].get("Allow") == "GET, HEAD",
          "405 with Allow: GET, HEAD for POST")
    r = a.fetch("/", method="HEAD")
    check(r["status"] == 200 and r["body"] == "" and
          int(r["headers"]["Content-Length"]) > 1000,
          "HEAD: headers only, Content-Length of the page")

    # the browser's view
    dom_a, dom_b = a.dom(), b.dom()
    check(badge("MASTER") in dom_a and badge("BACKUP") not in dom_a,
          "A's page in chromium: VI_1 MASTER")
    check(badge("BACKUP") in dom_b and badge("MASTER") not in dom_b,
          "B's page in chromium: VI_1 BACKUP")
    for dom in (dom_a, dom_b):
        check(dom.count(badge("UP")) == 2 and badge("DOWN") not in dom,
              "both servers UP on the page")
        check('content="width=device-width, initial-scale=1"' in dom and
              'http-equiv="refresh" content="2"' in dom,
              "viewport and 2 s refresh")
    check(">198.18.0.11<" in dom_b, "B's page names A (198.18.0.11) as "
          "Master")
    check(">103 (101 configured)<" in dom_a,
          "A's priority: 103 effective (101 + forwarder weight 2)")

    # phone-sized screenshot, kept as an artifact
    os.makedirs(os.path.dirname(SHOT), exist_ok=True)
    shot = os.path.join(lab.tmp, "shot.png")
    r = a.browser("--hide-scrollbars", "--window-size=412,915",
                  "--screenshot=" + shot, a.url("/", creds=True))
    check(r.returncode == 0 and os.path.exists(shot),
          "chromium took a screenshot (rc %d)" % r.returncode)
    shutil.copy(shot, SHOT)
    w, h = png_size(SHOT)
    check((w, h) == (412, 915), "phone-sized screenshot %dx%d" % (w, h))
    log("screenshot: %s (%d bytes)" % (SHOT, os.path.getsize(SHOT)))

    # /stats.json: the control socket's stats, plus vrrpd's details
    js = json.loads(a.fetch("/stats.json")["body"])
    ctl = json.loads(lab.run("a", os.path.join(BUILD_ROOT, "vrrpd",
                                               "vrrpctl"),
                             "-s", a.fwd_sock, "--json", "stats").stdout)
    check(set(js) == set(ctl), "stats.json has the control socket's keys")
    for x, y in zip(js["listeners"][0]["servers"],
                    ctl["listeners"][0]["servers"]):
        check((x["name"], x["state"], x["address"]) ==
              (y["name"], y["state"], y["address"]),
              "server %s the same in stats.json and `stats`" % x["name"])
    vi = js["vrrpd"]["instances"][0]
    check((vi["name"], vi["state"], vi["priority"],
           vi["effective_priority"], vi["master_ip"]) ==
          ("VI_1", "MASTER", 101, 103, ADDR["a"]),
          "stats.json: VI_1 MASTER, priority 101/103, master A (%s)" % vi)
    check(js["vrrpd"]["router_id"] == "lbA", "router_id from vrrpd")

    # /metrics
    ma = a.fetch("/metrics")
    mb = b.fetch("/metrics")["body"]
    check(ma["headers"]["Content-Type"].startswith("text/plain; version="
                                                   "0.0.4"),
          "Prometheus content type")
    ma = ma["body"]
    for line in ('fwd_vrrp_state{instance="VI_1",state="MASTER"} 1',
                 'fwd_vrrp_state{instance="VI_1",state="BACKUP"} 0',
                 'fwd_vrrp_priority{instance="VI_1"} 101',
                 'fwd_vrrp_effective_priority{instance="VI_1"} 103',
                 'fwd_server_up{listener="web",server="s1"} 1',
                 'fwd_server_up{listener="web",server="s2"} 1',
                 'fwd_vrrpd_connected 1',
                 '# TYPE fwd_vrrp_state gauge',
                 '# TYPE fwd_vrrp_adverts_dropped_total counter',
                 'fwd_vrrp_adverts_dropped_total{instance="VI_1",'
                 'reason="auth_pass"} 0'):
        check(metric(ma, line), "A's /metrics: %s" % line)
    check(metric(mb, 'fwd_vrrp_state{instance="VI_1",state="BACKUP"} 1'),
          "B's /metrics: BACKUP 1")
    trans_b = json.loads(b.fetch("/stats.json")["body"])["vrrpd"][
        "instances"][0]["transitions"]

    # failover: kill -9 A's fwd; B's page must say MASTER
    a.fwd.signal(9, group=False)
    check(lab.wait_until(lambda: lab.owners(VIP) == ["b"], 3) is not None,
          "B owns the VIP after A's fwd was killed")
    dom_b = b.dom()
    check(badge("MASTER") in dom_b and badge("BACKUP") not in dom_b,
          "B's page in chromium after the failover: MASTER")
    mb = b.fetch("/metrics")["body"]
    check(metric(mb, 'fwd_vrrp_state{instance="VI_1",state="MASTER"} 1') and
          metric(mb, 'fwd_vrrp_state{instance="VI_1",state="BACKUP"} 0'),
          "B's vrrp state gauge flipped to MASTER")
    t = lab.wait_until(lambda: metric(
        b.fetch("/metrics")["body"],
        'fwd_vrrp_transitions_total{instance="VI_1"} %d' % (trans_b + 1)),
        3, 0.3)
    check(t is not None, "B's transitions counter went up by one")

    # vrrpd gone: the page says so
    b.proc.signal(15, group=False)
    check(lab.wait_until(lambda: "vrrpd: not connected" in
                         b.fetch("/")["body"], 3, 0.1) is not None,
          "B's page says 'vrrpd: not connected' once vrrpd stopped")
    check(metric(b.fetch("/metrics")["body"], "fwd_vrrpd_connected 0"),
          "fwd_vrrpd_connected 0")


if __name__ == "__main__":
    if os.geteuid() == 0 and not os.access(CHROMIUM, os.X_OK):
        print("SKIP: %s is missing (apt-get install chromium; "
              "scripts/deps installs it)" % CHROMIUM)
        sys.exit(SKIP)
    run_test(test, roles=("a", "b", "s1", "s2"), binaries=DAEMONS)
