#!/usr/bin/python3
"""The pair under valgrind: node A runs vrrpd and fwd under memcheck, node
B runs them plainly, one back end, one client. Election (A Master), traffic
through A's fwd, failover by SIGTERM of A's vrrpd (B takes the VIP and
serves), then a clean stop of A's fwd. Both valgrinded daemons must exit 0
with "ERROR SUMMARY: 0 errors" and nothing definitely or indirectly lost.
--track-fds=yes only reports (fds inherited from the test are fine).
Skips (77) when not root, without valgrind, or on an ASan build (ASan and
valgrind do not mix; the ASan leg covers that build)."""

import glob
import os
import shutil
import signal
import sys

from lab import (ADDR, DAEMONS, FWD, PYTHON, SKIP, VIP, VRRPD, check, log,
                 run_test, server)
from labpair import BACKEND, FwdNode

PORT = 8080
# valgrind makes the daemons 20-50x slower: be generous, not exact
SLOW = 25

# one request through the VIP; prints the back end's name or "fail"
REQUEST = r"""
import socket, sys
try:
    c = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=3)
    c.settimeout(3)
    print(c.recv(64).decode().strip() or "empty")
except OSError as e:
    print("fail", e)
"""


def asan_build(path):
    """ASan binaries carry its runtime's symbols; valgrind cannot run them."""
    with open(path, "rb") as f:
        return b"__asan_init" in f.read()


class VgNode(FwdNode):
    """vrrpd + fwd from one config; either may run under valgrind."""

    def __init__(self, lab, role, valgrind, **inst):
        super().__init__(
            lab, role, track_forwarder={"weight": 2},
            fwd_settings={"grace": "1s",
                          "timeout": {"connect": "2s", "check": "1s"}},
            listen={"web": {"bind": ["%s:%d" % (VIP, PORT)], "server": {
                "s1": server(ADDR["s1"] + ":9000",
                             {"inter": "1s", "rise": 1, "fall": 3})}}},
            **inst)
        self.valgrind = valgrind

    def _argv(self, name, argv):
        if not self.valgrind:
            return argv
        return ["valgrind", "--error-exitcode=99", "--leak-check=full",
                "--errors-for-leak-kinds=definite,indirect",
                "--track-fds=yes", "--trace-children=no",
                "--log-file=" + self.lab.path("vg-%s-%s.%%p.log"
                                              % (name, self.role))] + argv

    def start(self):
        conf = self.write_conf()
        self.proc = self.lab.spawn(
            self.role, self._argv("vrrpd", [VRRPD, "-n", "-f", conf]),
            name="vrrpd-" + self.role)
        return self.proc

    def fwd_argv(self):
        return self._argv("fwd", super().fwd_argv())


def request(lab):
    r = lab.run("c", PYTHON, "-c", REQUEST, VIP, str(PORT), check=False)
    return r.stdout.strip()


def valgrind_clean(lab, name, role, proc):
    """The daemon exited 0 and every valgrind log it (and any process it
    forked) left says 0 errors and nothing definitely lost."""
    rc = proc.wait(SLOW)
    check(rc == 0, "%s on %s under valgrind exited %s" % (name, role, rc))
    logs = glob.glob(lab.path("vg-%s-%s.*.log" % (name, role)))
    check(logs, "%s: valgrind wrote %d log(s)" % (name, len(logs)))
    for path in logs:
        text = open(path, errors="replace").read()
        summary = [line.split("== ", 1)[-1] for line in text.splitlines()
                   if "ERROR SUMMARY" in line or "definitely lost" in line
                   or "indirectly lost" in line]
        log("%s: %s" % (os.path.basename(path), "; ".join(summary)))
        if "ERROR SUMMARY: 0 errors" not in text:
            print(text[-8000:])
        check("ERROR SUMMARY: 0 errors" in text,
              "%s: ERROR SUMMARY: 0 errors" % os.path.basename(path))
        lost = [line for line in text.splitlines()
                if "definitely lost:" in line and "definitely lost: 0 " not in line]
        check(not lost, "%s: nothing definitely lost %s"
              % (os.path.basename(path), lost))
        fds = [line.split("== ", 1)[-1] for line in text.splitlines()
               if "FILE DESCRIPTORS:" in line]
        if fds:
            log("%s: %s (report only)" % (os.path.basename(path), fds[-1]))


def test(lab):
    lab.spawn("s1", [PYTHON, "-c", BACKEND, ADDR["s1"], "s1"],
              name="backend-s1")
    a = VgNode(lab, "a", True, priority=101)
    b = VgNode(lab, "b", False, priority=100)
    a.start()
    b.start()
    a.start_fwd()
    b.start_fwd()

    # election: A (101 + 2 for its forwarder) wins
    t = lab.wait_until(lambda: lab.owners(VIP) == ["a"], SLOW)
    check(t is not None, "A (vrrpd under valgrind) is Master and owns the "
          "VIP (%s s)" % t)
    check(lab.wait_until(lambda: request(lab) == "s1", SLOW) is not None,
          "the client reaches the back end through A's fwd")
    answers = [request(lab) for _ in range(20)]
    check(answers.count("s1") == 20, "20 of 20 requests answered through A "
          "(%s)" % sorted(set(answers)))

    # failover: SIGTERM A's vrrpd; it says goodbye (priority 0), B takes over
    a.proc.signal(signal.SIGTERM, group=False)
    t = lab.wait_until(lambda: lab.owners(VIP) == ["b"], SLOW)
    check(t is not None, "B owns the VIP after A's vrrpd got SIGTERM (%s s)"
          % t)
    check(lab.wait_until(lambda: request(lab) == "s1", SLOW) is not None,
          "the client reaches the back end through B's fwd")
    valgrind_clean(lab, "vrrpd", "a", a.proc)

    # clean stop of A's fwd (it lost its vrrpd link meanwhile)
    a.fwd.signal(signal.SIGTERM, group=False)
    valgrind_clean(lab, "fwd", "a", a.fwd)
    check(request(lab) == "s1", "B still serves")


if __name__ == "__main__":
    if os.path.exists(VRRPD) and (asan_build(VRRPD) or
                                  (os.path.exists(FWD) and asan_build(FWD))):
        print("SKIP: ASan build; valgrind runs against the normal build")
        sys.exit(SKIP)
    if not shutil.which("valgrind"):
        print("SKIP: valgrind is not installed")
        sys.exit(SKIP)
    run_test(test, "valgrind", roles=("a", "b", "c", "s1"),
             binaries=DAEMONS)
