#!/usr/bin/python3
"""Least privilege (issue #6).

vrrpd's main process keeps exactly CAP_NET_RAW + CAP_NET_ADMIN (effective,
permitted, bounding; nothing inheritable or ambient); its script spawner
keeps CAP_SETUID + CAP_SETGID + CAP_KILL. A track script runs as nobody with
no capability and only fds 0-2; a hung one (as nobody) is killed at its
timeout. Failover still works after the drop (VIP add and remove). Control
sockets are 0600, or 0660 + group with control_socket_group; a uid outside
the group cannot connect; a member may run state-changing commands; a peer
that can connect but is neither root, us, nor in the group gets read-only
commands only. A world-readable config holding auth_pass is warned about.
fwd running as nobody re-links to a restarted vrrpd when vrrpd's socket is
opened to fwd's group (and cannot when it is not)."""

import json
import os
import signal
import stat
import subprocess
import time

from lab import (DAEMONS, FWD, Node, PYTHON, VIP, VRRPD, check, forwarder_conf,
                 hold, log, master_down, run_test, server, vrrpd_conf,
                 wait_ctl)

GROUP = 4242  # a gid no one has: only our test clients get it
CLIENT_UID = 4321  # not root, not vrrpd's or fwd's uid
NOBODY = 65534
NET_RAW, NET_ADMIN = 1 << 13, 1 << 12
SETGID, SETUID, KILL = 1 << 6, 1 << 7, 1 << 5

# one request line over a unix socket; prints the reply or ERR <errno name>
CLIENT = r"""
import errno, socket, sys
s = socket.socket(socket.AF_UNIX)
try:
    s.connect(sys.argv[1])
except OSError as e:
    print("ERR", errno.errorcode[e.errno]); sys.exit(0)
s.sendall(sys.argv[2].encode() + b"\n")
s.settimeout(3)
print(s.makefile().readline().strip())
"""

# writes who it is, then becomes a process the test can look at
TRACK = """#!/bin/sh
id > %s
exec sleep 0.7
"""


def caps(pid):
    out = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            k, _, v = line.partition(":")
            if k.startswith("Cap"):
                out[k] = int(v, 16)
            elif k in ("Uid", "Gid", "Name", "NoNewPrivs"):
                out[k] = v.split() if k in ("Uid", "Gid") else v.strip()
    return out


def children(pid):
    try:
        with open("/proc/%d/task/%d/children" % (pid, pid)) as f:
            return [int(x) for x in f.read().split()]
    except OSError:
        return []


def spawner_of(pid):
    for c in children(pid):
        if caps(c).get("Name") == "vrrpd-spawner":
            return c
    return None


def script_procs(spawner, name):
    """The spawner's children called name, and (a track script runs under
    a keeper, issue 18 item 8) its keepers' children."""
    out = []
    kids = list(children(spawner))
    for c in list(kids):
        try:
            if caps(c).get("Name") == "vrrpd-keeper":
                kids += children(c)
        except OSError:
            pass
    for c in kids:
        try:
            if caps(c).get("Name") == name:
                out.append(c)
        except OSError:
            pass
    return out


def as_client(lab, role, sock, line, groups=(), dac=False):
    """Runs CLIENT as uid CLIENT_UID (gid CLIENT_UID) with the given
    supplementary groups; dac: with CAP_DAC_OVERRIDE, so it can connect
    to any socket without being anyone the daemon trusts."""
    argv = ["setpriv", "--reuid=%d" % CLIENT_UID, "--regid=%d" % CLIENT_UID]
    argv += (["--groups=" + ",".join(str(g) for g in groups)] if groups
             else ["--clear-groups"])
    if dac:
        argv += ["--inh-caps=+dac_override", "--ambient-caps=+dac_override"]
    r = lab.run(role, *(argv + [PYTHON, "-c", CLIENT, sock, line]),
                check=False)
    return r.stdout.strip()


class PrivNode(Node):
    def __init__(self, lab, role, head="", group=None, fwd="", mode=0o644,
                 **inst):
        super().__init__(lab, role, **inst)
        self.head, self.group, self.fwd, self.mode = head, group, fwd, mode

    def write_conf(self):
        self.starts += 1
        text = vrrpd_conf(self.router_id, self.sock, self.instances)
        if self.group is not None:
            text = text.replace("global_defs = {", 'global_defs = {\n'
                                '  control_socket_group = "%s";' % self.group)
        self.conf = self.lab.write("vrrpd-%s.%d.conf" % (self.role,
                                                         self.starts),
                                   self.head + text + self.fwd)
        os.chmod(self.conf, self.mode)
        return self.conf


def sock_mode(path):
    st = os.stat(path)
    return stat.S_IMODE(st.st_mode), st.st_gid


def phase_caps_scripts_sockets(lab):
    os.chmod(lab.tmp, 0o755)  # nobody and the test clients must get in
    drop = lab.path("drop")  # world-writable, for what nobody writes
    os.mkdir(drop)
    os.chmod(drop, 0o1777)
    idfile = os.path.join(drop, "track-id.txt")
    track = lab.write("track.sh", TRACK % idfile)
    os.chmod(track, 0o755)
    head = ('vrrp_script = {\n'
            '  chk = { script = "%s"; interval = 1; timeout = 3; '
            'weight = -5; user = "nobody"; };\n'
            '  hang = { script = "sleep 30"; interval = 1; timeout = "400ms";'
            ' weight = -2; user = "nobody"; };\n'
            '};\n' % track)
    a = PrivNode(lab, "a", head=head, group=str(GROUP), priority=110,
                 track_script=["chk", "hang"])
    b = PrivNode(lab, "b", priority=100, mode=0o640)
    a.write_conf()
    t = lab.run("a", VRRPD, "-t", "-f", a.conf, check=False)
    check(t.returncode == 0 and "holds a secret (auth_pass)" in t.stderr
          and "chmod 600" in t.stderr,
          "vrrpd -t warns about the world-readable config with auth_pass "
          "(and still says OK): %r" % t.stderr.strip()[:200])
    a.start()
    b.start()
    check(wait_ctl(a) and wait_ctl(b), "both control sockets answer")
    check("holds a secret (auth_pass)" in a.proc.output(),
          "vrrpd logs the warning at start-up too")

    # capabilities of the main process and of the spawner
    ca = caps(a.proc.pid)
    log("main process: %s" % {k: hex(v) for k, v in ca.items()
                              if k.startswith("Cap")})
    want = NET_RAW | NET_ADMIN
    check(ca["CapEff"] == want and ca["CapPrm"] == want and
          ca["CapBnd"] == want and ca["CapInh"] == 0 and ca["CapAmb"] == 0,
          "vrrpd main: CapEff/CapPrm/CapBnd exactly NET_RAW|NET_ADMIN "
          "(%x/%x/%x), nothing inheritable or ambient"
          % (ca["CapEff"], ca["CapPrm"], ca["CapBnd"]))
    check(ca["NoNewPrivs"] == "1", "vrrpd main: no_new_privs set")
    sp = spawner_of(a.proc.pid)
    check(sp is not None, "vrrpd has a script spawner child")
    cs = caps(sp)
    log("spawner: %s" % {k: hex(v) for k, v in cs.items()
                         if k.startswith("Cap")})
    want = SETUID | SETGID | KILL
    check(cs["CapEff"] == want and cs["CapPrm"] == want and
          cs["CapBnd"] == want | NET_RAW and cs["CapInh"] == 0,
          "spawner: CapEff/CapPrm SETUID|SETGID|KILL (%x/%x), bounding "
          "adds only NET_RAW for setcap'd tools (%x)"
          % (cs["CapEff"], cs["CapPrm"], cs["CapBnd"]))
    check(cs["NoNewPrivs"] == "0", "the spawner is not no_new_privs: a "
          "script may still exec a setcap'd tool")
    # forked before vrrpd opened anything: its stdio, one socket to the
    # main process, its own epoll and signalfd, the scripts' output pipes
    kinds = []
    for fd in sorted(os.listdir("/proc/%d/fd" % sp), key=int)[3:]:
        try:
            kinds.append(os.readlink("/proc/%d/fd/%s" % (sp, fd))
                         .split(":")[0])
        except OSError:
            pass
    check(kinds.count("socket") == 1 and
          set(kinds) <= {"socket", "anon_inode", "pipe"},
          "the spawner holds one socket and no vrrpd descriptor: %s"
          % kinds)

    # the track script as nobody, seen while it runs
    seen = {}

    def look():
        for pid in script_procs(sp, "sleep"):
            try:
                with open("/proc/%d/cmdline" % pid) as f:
                    if "0.7" not in f.read():
                        continue
                seen["caps"] = caps(pid)
                seen["fds"] = sorted(os.listdir("/proc/%d/fd" % pid),
                                     key=int)
                return True
            except OSError:
                pass
        return False
    check(lab.wait_until(look, 4, 0.02) is not None,
          "the track script runs under the spawner")
    s = seen["caps"]
    check(s["Uid"] == [str(NOBODY)] * 4 and s["Gid"] == [str(NOBODY)] * 4,
          "the script runs as nobody (uid %s gid %s)" % (s["Uid"], s["Gid"]))
    check(s["CapEff"] == 0 and s["CapPrm"] == 0 and s["CapInh"] == 0 and
          s["CapAmb"] == 0, "the script has no capability")
    check(seen["fds"] == ["0", "1", "2"],
          "the script has only fds 0-2 open (%s)" % seen["fds"])
    check(lab.wait_until(lambda: os.path.exists(idfile), 2) is not None,
          "the script wrote its `id`")
    ident = open(idfile).read()
    check(ident.startswith("uid=%d(nobody) gid=%d" % (NOBODY, NOBODY)),
          "the script's own `id`: %s" % ident.strip())

    # the hung script (as nobody) is killed at its timeout: CAP_KILL
    hung = lab.wait_until(lambda: script_procs(sp, "sleep") and
                          [p for p in script_procs(sp, "sleep")
                           if "30" in open("/proc/%d/cmdline" % p).read()],
                          3, 0.02)
    check(hung is not None, "the hanging script was started")
    pids = [p for p in script_procs(sp, "sleep")
            if "30" in open("/proc/%d/cmdline" % p).read()]
    check(lab.wait_until(lambda: not any(os.path.exists("/proc/%d" % p)
                                         for p in pids), 2) is not None,
          "the hung script (nobody's) was killed and reaped at its timeout")
    check("hang: still running after its timeout; killing it"
          in a.proc.output(), "the kill is logged")

    # A Master: priority 110 - 2 (hang fails) = 108 > 100
    check(lab.wait_until(lambda: lab.owners(VIP) == ["a"],
                         master_down(100) + 4) is not None,
          "A Master after the drop (VIP added with CAP_NET_ADMIN only)")
    st = a.status()
    trk = {t["name"]: t["ok"] for t in st["trackers"]}
    check(trk.get("chk") is True and trk.get("hang") is False,
          "tracker chk ok (ran as nobody), hang failed (%s)" % trk)

    # control sockets: modes and who may do what
    mode_a, gid_a = sock_mode(a.sock)
    mode_b, gid_b = sock_mode(b.sock)
    check((mode_a, gid_a) == (0o660, GROUP),
          "control_socket_group: socket 0660 group %d (%o, %d)"
          % (GROUP, mode_a, gid_a))
    check(mode_b == 0o600, "no group: socket 0600 (%o)" % mode_b)
    r = as_client(lab, "b", b.sock, "status")
    check(r == "ERR EACCES", "uid %d cannot connect to a 0600 socket: %s"
          % (CLIENT_UID, r))
    r = as_client(lab, "a", a.sock, "status")
    check(r == "ERR EACCES", "uid %d outside the group cannot connect to "
          "the 0660 socket: %s" % (CLIENT_UID, r))
    r = as_client(lab, "a", a.sock, "status", groups=[GROUP])
    check(json.loads(r).get("ok") is True, "a group member runs status")
    r = as_client(lab, "a", a.sock, "alert-test", groups=[GROUP])
    check("no alert can be sent" in r,
          "a group member may run alert-test (no SMTP set: %s)" % r)
    r = as_client(lab, "a", a.sock, "hello fwd 1", groups=[GROUP])
    check('"ok":true' in r, "a group member may speak for a forwarder: %s"
          % r)
    # connects (CAP_DAC_OVERRIDE) but is neither root, us, nor a member
    r = as_client(lab, "a", a.sock, "status", dac=True)
    check(json.loads(r).get("ok") is True,
          "a non-member that can connect still gets status (read-only)")
    for line in ("alert-test", "hello fwd 1", "reload"):
        r = as_client(lab, "a", a.sock, line, dac=True)
        check("permission denied" in r,
              "a non-member is refused '%s': %s" % (line, r))

    # failover after the drop: VIP removal and addition on both sides
    a.kill(signal.SIGTERM)
    check(lab.wait_until(lambda: lab.owners(VIP) == ["b"],
                         master_down(100) + 2) is not None,
          "A stopping removed its VIP and B added it (CAP_NET_ADMIN kept)")
    check(a.proc.wait(3) == 0, "A exited cleanly, its spawner too")
    a.start()
    t = lab.wait_until(lambda: lab.owners(VIP) == ["a"],
                       master_down(108) + 4)
    check(t is not None, "A preempts again; B removed the VIP (%s)"
          % lab.owners(VIP))
    a.proc.stop()
    b.proc.stop()
    check("holds a secret" not in b.proc.output(),
          "no warning for B's config")


def phase_fwd_relink(lab):
    fwd_sock = lab.path("fwd.sock")
    section = forwarder_conf(
        fwd_sock, control_socket_group=str(GROUP), user="nobody",
        group="nogroup", listen={"web": {
            "bind": ["127.0.0.1:18080"],
            "server": {"s1": server("127.0.0.1:18081")}}})
    a = PrivNode(lab, "a", group="nogroup", fwd=section,
                 priority=110, track_forwarder={"weight": 2}, mode=0o640)
    a.sock = lab.path("a2.sock")
    a.start()
    with_group = a.conf
    fwd = lab.spawn("a", [FWD, "-n", "-f", with_group], name="fwd-a")

    def linked():
        st = lab.vrrpctl_status("a", a.sock)
        return bool(st and st["forwarder"]["connected"])
    check(lab.wait_until(linked, 5) is not None,
          "fwd (as nobody) links to vrrpd")
    check(caps(fwd.pid)["Uid"][1] == str(NOBODY), "fwd runs as nobody")
    mode, gid = sock_mode(fwd_sock)
    check((mode, gid) == (0o660, GROUP),
          "fwd's socket: 0660 group %d (%o %d)" % (GROUP, mode, gid))
    r = as_client(lab, "a", fwd_sock, "server web/s1 disable",
                  groups=[GROUP])
    check('"ok":true' in r, "a group member disables a server on fwd: %s"
          % r)
    r = as_client(lab, "a", fwd_sock, "server web/s1 enable", dac=True)
    check("permission denied" in r, "a non-member may not: %s" % r)
    r = as_client(lab, "a", fwd_sock, "stats", dac=True)
    check('"ok":true' in r, "but may read stats")

    # vrrpd restarted without the group: its socket is root's 0600
    a.group = None
    a.kill()
    a.proc.wait(3)
    a.start()
    check(wait_ctl(a), "vrrpd back (socket 0600)")
    check(hold(lambda: not linked(), 2.5),
          "fwd as nobody cannot re-link to a 0600 root socket")
    out = fwd.output()
    denied = [l for l in out.splitlines()
              if "cannot connect to" in l and "Permission denied" in l]
    check(len(denied) == 1 and "control_socket_group" in denied[0],
          "fwd logs the EACCES once (rate-limited), with the fix: %r"
          % denied)
    t = lab.run("a", FWD, "-t", "-f", a.conf, check=False)
    check(t.returncode == 0 and "cannot reconnect to vrrpd's control "
          "socket" in t.stderr and "control_socket_group" in t.stderr,
          "fwd -t warns that fwd as nobody cannot re-link to a 0600 "
          "socket: %r" % t.stderr.strip()[:300])
    a.group = "nogroup"
    a.kill()
    a.proc.wait(3)
    a.start()
    t = lab.wait_until(linked, 5)
    check(t is not None, "with control_socket_group = fwd's group, fwd "
          "re-links to the restarted vrrpd (%.2f s)" % (t or -1))
    fwd.stop()
    a.proc.stop()


def test(lab):
    phase_caps_scripts_sockets(lab)
    phase_fwd_relink(lab)


if __name__ == "__main__":
    run_test(test, "setpriv", binaries=DAEMONS)
