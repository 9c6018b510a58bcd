#!/usr/bin/python3
"""The systemd units' privileges are enough, and ExecStopPost works.

No systemd runs here, so the units' own settings are applied by hand:
vrrpd and fwd run as root under `setpriv --no-new-privs --bounding-set`
with exactly the CapabilityBoundingSet= of the generated units
(build/systemd/*.service), with the units' ExecStart= arguments, in a
two-node network-namespace lab. Asserted:
- vrrpd becomes Master and adds its VIP (CAP_NET_RAW, CAP_NET_ADMIN),
  its control socket 0660 for control_socket_group (CAP_CHOWN);
- its track script runs as nobody (CAP_SETUID/SETGID: weight 0, so
  anything else would be a Fault) and a hanging one is killed at its
  timeout, not when it ends (CAP_KILL on another user's process);
- fwd binds port 80 on the VIP, drops to nobody, reports to vrrpd's 0600
  socket and forwards a connection (CAP_NET_BIND_SERVICE, CAP_SETUID,
  CAP_SETGID, CAP_CHOWN);
- after kill -9 of vrrpd the VIP stays on the node (and the peer takes it
  too: a duplicate); the unit's ExecStopPost= (vrrpd --cleanup) removes it.
Root only (exit 77 otherwise).
"""
import grp
import os
import pwd
import re
import shlex
import shutil
import signal
import sys
import time

sys.path.insert(0, os.path.join(os.environ.get("SOURCE_ROOT", "."), "tests",
                                "integration"))
import lab as L  # noqa: E402

FWD = os.path.join(L.BUILD_ROOT, "fwd", "fwd")
GROUP = "nogroup"  # root is not in it: the chown needs CAP_CHOWN
BACKEND = """
import socket
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("198.18.0.11", 8080))
s.listen(16)
while True:
    c, _ = s.accept()
    c.sendall(b"hello from the back end\\n")
    c.close()
"""
CLIENT = """
import socket, sys
c = socket.create_connection(("198.18.0.50", 80), timeout=3)
sys.stdout.write(c.makefile().readline())
"""


def unit(name):
    """{key: [values]} of the generated unit in the build directory."""
    path = os.path.join(L.BUILD_ROOT, "systemd", name + ".service")
    out = {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line and line[0] not in "#;[" and "=" in line:
                k, v = line.split("=", 1)
                out.setdefault(k, []).append(v)
    return out


def sandboxed(u, key, binary, conf):
    """The unit's command line for key, run from the build tree with the
    lab's config, under the unit's bounding set and no_new_privs."""
    argv = shlex.split(u[key][-1])
    argv[0] = binary
    argv[argv.index("-f") + 1] = conf
    caps = u["CapabilityBoundingSet"][-1].split()
    bset = "-all," + ",".join("+" + c[4:].lower() for c in caps)
    nnp = ["--no-new-privs"] if u.get("NoNewPrivileges") == ["yes"] else []
    return ["setpriv"] + nnp + ["--bounding-set", bset, "--inh-caps", "-all",
                                "--"] + argv


def has_socket_group(lab):
    """Whether this build's loader knows control_socket_group (the check
    runs on builds from before it too, and says so)."""
    path = lab.write("group-probe.conf", 'global_defs = { '
                     'control_socket_group = "%s"; };\n' % GROUP)
    r = L._sh([L.VRRPD, "-t", "-f", path], check=False)
    if r.returncode != 0:
        L.log("note: no control_socket_group in this build; socket group "
              "checks skipped: " + (r.stdout + r.stderr).strip())
    return r.returncode == 0


def tracker(lab, sock, name):
    inst = lab.instance("a", sock)
    for t in (inst or {}).get("trackers", []):
        if t.get("name") == name:
            return t
    return None


def main():
    L.require_root_and_tools("setpriv")
    if not os.access(FWD, os.X_OK):
        print("FAIL: %s not built" % FWD)
        return 1
    vu, fu = unit("vrrpd"), unit("fwd")
    nobody = pwd.getpwnam("nobody").pw_uid
    gid = grp.getgrnam(GROUP).gr_gid
    with L.Lab(["a", "b"]) as lab:
        sock_a, sock_b = lab.path("a.sock"), lab.path("b.sock")
        scripts = (
            "vrrp_script = {\n"
            '  chk_user = { script = "[ \\"$(id -u)\\" = %d ]"; '
            "interval = 1; weight = 0; };\n"
            '  chk_hang = { script = "sleep 30"; interval = 2; '
            'timeout = "1s"; weight = -10; };\n'
            "};\n" % nobody)
        inst_a = L.vrrp_instance(state="MASTER", priority=150,
                                 track_script=["chk_user", "chk_hang"])
        # control_socket_group: a chown of each socket (CAP_CHOWN)
        group = has_socket_group(lab)
        gline = '  control_socket_group = "%s";\n' % GROUP if group else ""
        vconf = L.vrrpd_conf("lbA", sock_a, [inst_a]).replace(
            "global_defs = {\n", "global_defs = {\n" + gline, 1)
        conf_a = lab.write("a.conf", vconf + scripts + """
forwarder = {
  control_socket = "%s";
%s  vrrpd_socket = "%s";
  user = "nobody";
  listen = { web = { bind = "%s:80";
    server = { s1 = { address = "198.18.0.11:8080"; }; }; }; };
};
""" % (lab.path("fwd.sock"), gline, sock_a, L.VIP))
        conf_b = lab.write("b.conf", L.vrrpd_conf(
            "lbB", sock_b, [L.vrrp_instance(priority=100)]))

        argv = sandboxed(vu, "ExecStart", L.VRRPD, conf_a)
        L.log("vrrpd a: " + " ".join(argv))
        va = lab.spawn("a", argv, name="vrrpd-a")
        lab.start_vrrpd("b", conf_b)
        t0 = time.monotonic()
        L.check(lab.wait_until(lambda: lab.state("a", sock_a) == "MASTER"
                               and lab.has_addr("a", L.VIP), 6),
                "sandboxed vrrpd on a is Master with the VIP")
        t = tracker(lab, sock_a, "chk_user")
        L.check(t is not None and t.get("ok") is True,
                "the track script ran as nobody (uid %d): %s" % (nobody, t))
        L.check(lab.wait_until(
            lambda: (tracker(lab, sock_a, "chk_hang") or {}).get("ok")
            is False, 6),
            "the hanging script failed at its 1 s timeout")
        hang_s = time.monotonic() - t0
        L.check(hang_s < 8, "killed after %.1f s, not after its 30 s sleep"
                % hang_s)
        with open("/proc/%d/status" % va.pid) as f:
            caps = dict(re.findall(r"^(Cap\w+):\s+([0-9a-f]+)$", f.read(),
                                   re.M))
        net = 1 << 12 | 1 << 13  # CAP_NET_ADMIN, CAP_NET_RAW
        L.check(all(int(caps[k], 16) == net
                    for k in ("CapEff", "CapPrm", "CapBnd")),
                "vrrpd's main process narrowed its sets, bounding set "
                "included (CAP_SETPCAP), to NET_RAW|NET_ADMIN: %s" % caps)
        st = os.stat(sock_a)
        L.check(not group or st.st_mode & 0o777 == 0o660 and st.st_gid == gid,
                "vrrpd's socket is 0660 group %s (mode %o gid %d)%s"
                % (GROUP, st.st_mode & 0o777, st.st_gid,
                   "" if group else ": skipped"))
        L.check(lab.instance("a", sock_a)["effective_priority"] == 140,
                "priority 150 - 10 for the failed script")
        L.check(lab.state("a", sock_a) == "MASTER", "a is still Master")

        # fwd as its unit starts it
        lab.spawn("a", ["/usr/bin/python3", "-c", BACKEND], name="backend")
        argv = sandboxed(fu, "ExecStart", FWD, conf_a)
        L.log("fwd a: " + " ".join(argv))
        fa = lab.spawn("a", argv, name="fwd-a")

        def uid_of(pid):
            try:
                with open("/proc/%d/status" % pid) as f:
                    return int(re.search(r"^Uid:\s+(\d+)", f.read(),
                                         re.M).group(1))
            except (OSError, AttributeError):
                return None
        L.check(lab.wait_until(lambda: uid_of(fa.pid) == nobody, 5),
                "fwd dropped to nobody after binding")

        def linked():
            st = lab.vrrpctl_status("a", sock_a) or {}
            return (st.get("forwarder") or {}).get("connected") is True
        L.check(lab.wait_until(linked, 5),
                "fwd reached vrrpd's 0600 socket before dropping root")
        got = ""
        for _ in range(30):
            r = lab.run("b", "/usr/bin/python3", "-c", CLIENT, check=False,
                        timeout=5)
            got = r.stdout.strip()
            if got:
                break
            time.sleep(0.1)
        L.check(got == "hello from the back end",
                "a client on b reached the back end through fwd on VIP:80 "
                "(got %r)" % got)
        L.check("chown" not in fa.output(),
                "fwd gave its socket to its user (no chown error)")
        st = os.stat(lab.path("fwd.sock"))
        L.check(not group or st.st_mode & 0o777 == 0o660 and st.st_gid == gid,
                "fwd's socket is 0660 group %s%s"
                % (GROUP, "" if group else ": skipped"))
        fa.stop()

        # kill -9: the VIP stays behind, ExecStopPost removes it
        va.signal(signal.SIGKILL)
        va.wait(3)
        L.check(lab.has_addr("a", L.VIP),
                "after kill -9 the VIP is still on a")
        L.check(lab.wait_until(lambda: lab.has_addr("b", L.VIP), 6),
                "b took the VIP over: it is now on both nodes")
        argv = sandboxed(vu, "ExecStopPost", L.VRRPD, conf_a)
        L.log("ExecStopPost: " + " ".join(argv))
        r = lab.run("a", *argv, check=False)
        L.check(r.returncode == 0, "vrrpd --cleanup exits 0: %s%s"
                % (r.stdout, r.stderr))
        L.check(not lab.has_addr("a", L.VIP),
                "ExecStopPost removed the VIP from a")
        L.check(lab.owners(L.VIP) == ["b"], "the VIP is on b only")
        r = lab.run("a", *argv, check=False)
        L.check(r.returncode == 0, "a second --cleanup (nothing to remove, "
                "as after a clean stop) exits 0 too")
    return 0


if __name__ == "__main__":
    if not shutil.which("setpriv") and os.geteuid() == 0:
        print("SKIP: setpriv (util-linux) not installed")
        sys.exit(77)
    try:
        sys.exit(main())
    except L.TestFailure as e:
        print("FAIL: %s" % e)
        sys.exit(1)
