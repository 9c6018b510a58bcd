"""Network-namespace lab for the vrrpd integration tests and benchmarks.

One bridge namespace holds bridge br0 (multicast snooping off, so VRRP
multicast reaches every port); each node is its own namespace joined to the
bridge by a veth pair whose node end is called eth0.  Addresses come from
198.18.0.0/24 only.  Every name starts with a per-process prefix (vt<pid>) so
that tests run in parallel by meson never touch each other's namespaces, and
only processes this lab started are ever signalled.

    with Lab(["a", "b"]) as lab:
        a = lab.start_vrrpd("a", lab.write("a.conf", vrrpd_conf(...)))
        lab.wait_until(lambda: lab.has_addr("b", VIP), 5)
"""

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

from labconf import (ADDR, SUBNET_LEN, VIP, VIP2,  # noqa: F401
                     forged_advert, forwarder_conf, keepalived_conf, server,
                     vrrp_instance, vrrpd_conf)

SKIP = 77

SOURCE_ROOT = os.environ.get(
    "SOURCE_ROOT",
    os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
BUILD_ROOT = os.environ.get("BUILD_ROOT", os.path.join(SOURCE_ROOT, "build"))
VRRPD = os.path.join(BUILD_ROOT, "vrrpd", "vrrpd")
VRRPCTL = os.path.join(BUILD_ROOT, "vrrpd", "vrrpctl")
FWD = os.path.join(BUILD_ROOT, "fwd", "fwd")
DAEMONS = (VRRPD, VRRPCTL, FWD)  # run_test(binaries=) of the pair's tests
PYTHON = "/usr/bin/python3"


class TestFailure(AssertionError):
    pass


def log(msg):
    print("[%8.3f] %s" % (time.monotonic() % 100000, msg), flush=True)


LOG_OK = True  # fwdlab's tests word msg as the failure: no "ok:" lines


def check(cond, msg):
    """Assert with a message that says what was expected and what we saw
    (any object: a dict is printed as it is)."""
    if not cond:
        raise TestFailure(msg)
    if LOG_OK:
        log("ok: %s" % (msg,))


def recv_all(sock, size=4096):
    """Everything sock receives until EOF."""
    buf = b''
    while True:
        b = sock.recv(size)
        if not b:
            return buf
        buf += b


def require_root_and_tools(*tools, binaries=(VRRPD, VRRPCTL)):
    """The one skip rule: exit 77 (meson's skip code) when not root, when a
    tool is not installed or when one of our binaries is not built, naming
    what is missing."""
    if os.geteuid() != 0:
        print("SKIP: network-namespace tests need root")
        sys.exit(SKIP)
    for t in ("ip",) + tools:
        if not shutil.which(t):
            print("SKIP: %s is not installed" % t)
            sys.exit(SKIP)
    for b in binaries:
        if not os.access(b, os.X_OK):
            print("SKIP: %s is not built (BUILD_ROOT=%s)" % (b, BUILD_ROOT))
            sys.exit(SKIP)


def _sh(cmd, check=True, timeout=20, capture=True):
    r = subprocess.run(cmd, stdout=subprocess.PIPE if capture else None,
                       stderr=subprocess.PIPE if capture else None,
                       text=True, timeout=timeout)
    if check and r.returncode != 0:
        raise RuntimeError("%s failed (%d): %s" %
                           (" ".join(cmd), r.returncode,
                            (r.stderr or "").strip()))
    return r


def _pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def list_netns():
    r = _sh(["ip", "-j", "netns", "list"], check=False)
    try:
        return [n["name"] for n in json.loads(r.stdout or "[]")]
    except ValueError:
        return []


def _kill_ns_pids(ns):
    """Kill the processes left inside a namespace of ours (by namespace
    membership, which only our lab could have put them in)."""
    r = _sh(["ip", "netns", "pids", ns], check=False)
    for p in (r.stdout or "").split():
        try:
            os.kill(int(p), signal.SIGKILL)
        except (ProcessLookupError, ValueError):
            pass


def remove_netns(names):
    for ns in names:
        _kill_ns_pids(ns)
    for ns in names:
        _sh(["ip", "netns", "del", ns], check=False)


def cleanup_stale(prefix_re=r"^vt(\d+)[a-z][a-z0-9]*$"):
    """Remove namespaces left by a lab whose process is gone (killed by
    SIGKILL, so its own cleanup could not run)."""
    stale = []
    for ns in list_netns():
        m = re.match(prefix_re, ns)
        if m and not _pid_alive(int(m.group(1))):
            stale.append(ns)
    if stale:
        log("removing stale namespaces " + " ".join(stale))
        remove_netns(stale)


class Proc:
    """A process started by the lab inside a namespace.  It runs in its own
    session, so its process group holds the daemon and any children it
    forks (keepalived's VRRP child), and nothing else."""

    def __init__(self, lab, role, name, argv, logpath):
        self.lab, self.role, self.name, self.argv = lab, role, name, argv
        self.logpath = logpath
        self.logf = open(logpath, "ab")
        self.popen = subprocess.Popen(
            ["ip", "netns", "exec", lab.ns(role)] + argv,
            stdin=subprocess.DEVNULL, stdout=self.logf,
            stderr=subprocess.STDOUT, start_new_session=True)
        self.pid = self.popen.pid  # ip netns exec execs the command in place
        self.started = time.monotonic()

    def alive(self):
        return self.popen.poll() is None

    def signal(self, sig, group=True):
        """Signal this process (and its process group, when group)."""
        if self.popen.poll() is not None and not group:
            return
        try:
            if group:
                os.killpg(self.pid, sig)
            else:
                os.kill(self.pid, sig)
        except ProcessLookupError:
            pass

    def wait(self, timeout=None):
        try:
            return self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def stop(self, timeout=3):
        """SIGTERM, then SIGKILL whatever of the group is left."""
        if self.alive():
            self.signal(signal.SIGTERM)
            self.wait(timeout)
        self.signal(signal.SIGKILL)
        self.wait(2)
        self.logf.close()

    def output(self):
        try:
            with open(self.logpath, errors="replace") as f:
                return f.read()
        except OSError:
            return ""


class Capture:
    """tcpdump writing a pcap inside a namespace; tshark dissects it."""

    def __init__(self, lab, role, iface, bpf, path):
        self.path = path
        self.proc = lab.spawn(role, ["tcpdump", "-i", iface, "-U", "-n",
                                     "--immediate-mode", "-Z", "root",
                                     "-w", path] + bpf.split(),
                              name="tcpdump-%s-%s" % (role, iface))
        # tcpdump says "listening on" once the socket is bound.
        if not wait_until(lambda: "listening on" in self.proc.output(), 5):
            raise RuntimeError("tcpdump did not start: " + self.proc.output())

    def stop(self):
        time.sleep(0.2)  # let the last packets reach the file
        self.proc.signal(signal.SIGINT, group=False)
        self.proc.wait(3)
        self.proc.stop()

    def fields(self, fields, display_filter=""):
        """Rows of tshark -T fields output, one list per packet."""
        cmd = ["tshark", "-n", "-r", self.path, "-T", "fields",
               "-E", "separator=|", "-E", "occurrence=a",
               "-E", "aggregator=,"]
        if display_filter:
            cmd += ["-Y", display_filter]
        for f in fields:
            cmd += ["-e", f]
        r = _sh(cmd, check=True)
        return [line.split("|") for line in r.stdout.splitlines() if line]

    def json(self, display_filter=""):
        cmd = ["tshark", "-n", "-r", self.path, "-T", "json"]
        if display_filter:
            cmd += ["-Y", display_filter]
        r = _sh(cmd, check=True)
        return json.loads(r.stdout or "[]")


def wait_until(pred, timeout, interval=0.01):
    """Poll pred until true; return the elapsed seconds, or None on timeout."""
    t0 = time.monotonic()
    while True:
        if pred():
            return time.monotonic() - t0
        if time.monotonic() - t0 > timeout:
            return None
        time.sleep(interval)


class Lab:
    """Context manager: builds the topology on enter, removes it on exit,
    also on SIGTERM/SIGINT (meson's timeout sends SIGTERM)."""

    def __init__(self, roles=("a", "b"), prefix=None, keep_tmp=False):
        self.prefix = prefix or "vt%d" % os.getpid()
        self.roles = list(roles)
        self.procs = []
        self._nspawn = 0
        self.created = []
        self.keep_tmp = keep_tmp or bool(os.environ.get("LAB_KEEP_TMP"))
        self.tmp = None
        self._old_handlers = {}

    # -- names --------------------------------------------------------------
    def ns(self, role):
        return self.prefix + role

    @property
    def brns(self):
        return self.prefix + "br"

    # -- set-up / tear-down -------------------------------------------------
    def __enter__(self):
        for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            self._old_handlers[s] = signal.signal(s, self._on_signal)
        try:
            cleanup_stale()
            # leftovers of an earlier process that had our PID
            remove_netns([n for n in list_netns() if self._ours(n)])
            self.tmp = tempfile.mkdtemp(prefix=self.prefix + "-")
            self._build()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def _ours(self, name):
        """Our prefix and a role: vt12a is not vt123's (tests run in
        parallel, each with the PID of its own)."""
        return re.match(re.escape(self.prefix) + "[a-z]", name) is not None

    def _on_signal(self, signum, frame):
        raise SystemExit(128 + signum)

    def _ip(self, ns, *args):
        return _sh(["ip", "-n", ns] + list(args))

    def _build(self):
        br = self.brns
        _sh(["ip", "netns", "add", br])
        self.created.append(br)
        self._ip(br, "link", "set", "lo", "up")
        self._ip(br, "link", "add", "br0", "type", "bridge",
                 "stp_state", "0", "forward_delay", "0")
        # IPv4 multicast (224.0.0.18) must be flooded to every port.
        self._ip(br, "link", "set", "br0", "type", "bridge",
                 "mcast_snooping", "0")
        self._ip(br, "link", "set", "br0", "up")
        for role in self.roles:
            self.add_node(role)

    def add_node(self, role, addr=None):
        ns = self.ns(role)
        addr = addr or ADDR[role]
        _sh(["ip", "netns", "add", ns])
        self.created.append(ns)
        self._ip(ns, "link", "set", "lo", "up")
        self._ip(self.brns, "link", "add", "name", role, "type", "veth",
                 "peer", "name", "eth0", "netns", ns)
        self._ip(self.brns, "link", "set", "dev", role, "master", "br0", "up")
        self._ip(ns, "addr", "add", "%s/%d" % (addr, SUBNET_LEN),
                 "dev", "eth0")
        self._ip(ns, "link", "set", "eth0", "up")

    def close(self):
        # the test is over, nothing is checked any more: 1 s after SIGTERM
        # is SIGKILL, so that a daemon waiting out a grace (fwd for
        # sessions whose peer is gone, vrrpd for mail) does not hold the
        # next test up
        for p in reversed(self.procs):
            try:
                p.stop(timeout=1)
            except Exception as e:  # keep cleaning up
                log("stopping %s: %s" % (p.name, e))
        self.procs = []
        remove_netns(reversed(self.created))
        remove_netns([n for n in list_netns() if self._ours(n)])
        self.created = []
        if self.tmp and not self.keep_tmp:
            shutil.rmtree(self.tmp, ignore_errors=True)
        for s, h in self._old_handlers.items():
            signal.signal(s, h)
        self._old_handlers = {}

    # -- files ---------------------------------------------------------------
    def path(self, name):
        return os.path.join(self.tmp, name)

    def write(self, name, text):
        p = self.path(name)
        with open(p, "w") as f:
            f.write(text)
        return p

    # -- processes -----------------------------------------------------------
    def run(self, role, *argv, check=True, timeout=20):
        return _sh(["ip", "netns", "exec", self.ns(role)] + list(argv),
                   check=check, timeout=timeout)

    def spawn(self, role, argv, name=None):
        name = name or "%s-%s" % (os.path.basename(argv[0]), role)
        self._nspawn += 1
        logpath = self.path("%s.%d.log" % (name, self._nspawn))
        p = Proc(self, role, name, argv, logpath)
        self.procs.append(p)
        return p

    def start_vrrpd(self, role, conf, extra=()):
        return self.spawn(role, [VRRPD, "-n", "-f", conf, "-l", "debug"]
                          + list(extra), name="vrrpd-" + role)

    def start_keepalived(self, role, conf):
        """keepalived in a namespace: its own pid files and config, VRRP
        only, foreground, logging to the console (captured)."""
        base = self.path("ka-" + role)
        return self.spawn(role, ["keepalived", "-n", "-l", "-D", "-P",
                                 "-G", "-f", conf,
                                 "-p", base + ".pid",
                                 "-r", base + ".vrrp.pid",
                                 "-c", base + ".check.pid",
                                 "-b", base + ".bfd.pid"],
                          name="keepalived-" + role)

    def dump_logs(self):
        for p in self.procs:
            out = p.output()
            if out:
                print("----- %s (%s) -----" % (p.name, p.logpath))
                print(out[-6000:])

    # -- observations ---------------------------------------------------------
    def addrs(self, role, dev="eth0"):
        r = _sh(["ip", "-n", self.ns(role), "-j", "addr", "show", "dev", dev],
                check=False)
        try:
            data = json.loads(r.stdout or "[]")
        except ValueError:
            return []
        return [a["local"] for link in data for a in link.get("addr_info", [])
                if a.get("family") == "inet"]

    def has_addr(self, role, addr, dev="eth0"):
        return addr in self.addrs(role, dev)

    def owners(self, addr, roles=None):
        return [r for r in (roles or self.roles) if self.has_addr(r, addr)]

    def mac(self, role, dev="eth0"):
        r = _sh(["ip", "-n", self.ns(role), "-j", "link", "show", "dev", dev])
        return json.loads(r.stdout)[0]["address"]

    def vrrpctl(self, role, sock, *args, check=False):
        return self.run(role, VRRPCTL, "-s", sock, *args, check=check,
                        timeout=5)

    def vrrpctl_status(self, role, sock):
        """Parsed JSON of `vrrpctl --json status`, or None when the socket
        cannot be reached or the reply is not JSON."""
        r = self.vrrpctl(role, sock, "--json", "status")
        try:
            return json.loads(r.stdout)
        except ValueError:
            return None

    def instance(self, role, sock, name="VI_1"):
        st = self.vrrpctl_status(role, sock)
        if not st:
            return None
        for i in st.get("instances", []):
            if i.get("name") == name:
                return i
        return None

    def state(self, role, sock, name="VI_1"):
        i = self.instance(role, sock, name)
        return i.get("state") if i else None

    def capture(self, role, iface="eth0", bpf=""):
        n = len(self.procs)
        return Capture(self, role, iface, bpf,
                       self.path("cap-%s-%s-%d.pcap" % (role, iface, n)))

    def wait_until(self, pred, timeout, interval=0.01):
        return wait_until(pred, timeout, interval)


# -- timing (RFC 3768) -----------------------------------------------------

def skew(prio):
    return (256 - prio) / 256.0


def master_down(prio, advert_int=1):
    return 3 * advert_int + skew(prio)


class Node:
    """One VRRP router of the lab: vrrpd or keepalived in a namespace,
    with its generated config; restart() reuses or replaces the config."""

    def __init__(self, lab, role, kind="vrrpd", instances=None, head="",
                 **inst):
        self.lab, self.role, self.kind = lab, role, kind
        self.head = head  # text before vrrpd's (a vrrp_script section)
        self.sock = lab.path("%s.sock" % role)
        self.router_id = "lb" + role.upper()
        self.instances = instances or [vrrp_instance(**inst)]
        self.global_defs = {}  # vrrpd's only
        self.proc = None
        self.starts = 0

    def write_conf(self):
        self.starts += 1
        name = "%s-%s.%d.conf" % (self.kind, self.role, self.starts)
        if self.kind == "vrrpd":
            text = self.head + vrrpd_conf(self.router_id, self.sock,
                                          self.instances, self.global_defs)
        else:
            text = keepalived_conf(self.router_id, self.instances)
        return self.lab.write(name, text)

    def start(self, instances=None, **inst):
        if instances or inst:
            self.instances = instances or [vrrp_instance(**inst)]
        if self.proc and self.proc.wait(3) is None:
            raise RuntimeError("%s on %s is still running" % (self.kind,
                                                               self.role))
        conf = self.write_conf()
        if self.kind == "vrrpd":
            self.proc = self.lab.start_vrrpd(self.role, conf)
        else:
            self.proc = self.lab.start_keepalived(self.role, conf)
        return self.proc

    def kill(self, sig=signal.SIGKILL):
        """Signal the daemon: the whole process group, so keepalived's VRRP
        child gets it too (kill -9 of one keepalived process is not a dead
        router: its child would go on advertising)."""
        t = time.monotonic()
        self.proc.signal(sig, group=True)
        return t

    def status(self, name="VI_1"):
        if self.kind != "vrrpd":
            return None
        return self.lab.instance(self.role, self.sock, name)

    def state(self, name="VI_1"):
        i = self.status(name)
        return i.get("state") if i else None

    def has_vip(self, vip=VIP):
        return self.lab.has_addr(self.role, vip)


def start_pair(lab, node_class=Node, a=None, b=None, a_first=False,
               **inst):
    """Nodes A (state MASTER, priority 101) and B (BACKUP, 100) of
    node_class, started; inst goes to both, the dicts a and b to one
    (they override the state and priority too). a_first: B starts once
    A is Master, for one clean election (two routers started together
    may both time out before hearing each other)."""
    na = node_class(lab, "a", **{"state": "MASTER", "priority": 101,
                                 **inst, **(a or {})})
    nb = node_class(lab, "b", **{"state": "BACKUP", "priority": 100,
                                 **inst, **(b or {})})
    na.start()
    if a_first:
        prio = na.instances[0]["priority"]
        check(lab.wait_until(lambda: na.state() == "MASTER",
                             master_down(prio) + 3) is not None,
              "A alone becomes Master")
    nb.start()
    return na, nb


def steady_pair(lab, node_class=Node, a=None, b=None, a_first=False,
                timeout=None, **inst):
    """start_pair(), then the steady state every failover starts from: A
    Master with the VIP, B Backup (within Master_Down_Interval + 3 s)."""
    na, nb = start_pair(lab, node_class, a, b, a_first, **inst)
    check(lab.wait_until(lambda: lab.owners(VIP) == ["a"] and
                         nb.state() == "BACKUP",
                         timeout or master_down(100) + 3) is not None,
          "steady state: A Master with the VIP, B Backup")
    return na, nb


def takeover(lab, a, b, sig, limit, wait=2, has=None):
    """Signal A's daemon (its process group); the seconds until B holds
    the VIP (has(), by default b.has_vip()), checked to be within
    limit."""
    how = {signal.SIGKILL: "kill -9"}.get(sig, signal.Signals(sig).name)
    who = "%s (%s)" % (b.role.upper(), b.kind), "%s (%s)" % (a.role.upper(),
                                                           a.kind)
    a.kill(sig)
    t = lab.wait_until(has or b.has_vip, limit + wait)
    check(t is not None, "%s took the VIP after %s of %s" % (who[0], how,
                                                             who[1]))
    log("%s of %s -> VIP on %s: %.3f s (limit %.3f)"
        % (how, who[1], who[0], t, limit))
    check(t <= limit, "takeover %.3f s <= %.3f s" % (t, limit))
    return t


def wait_ctl(node, timeout=5):
    """Wait until a vrrpd node answers on its control socket."""
    return wait_until(lambda: node.status() is not None, timeout, 0.05)


def hold(pred, duration, interval=0.1):
    """True when pred stays true for the whole duration."""
    end = time.monotonic() + duration
    while time.monotonic() < end:
        if not pred():
            return False
        time.sleep(interval)
    return pred()


def run_test(fn, *tools, roles=("a", "b"), binaries=(VRRPD, VRRPCTL)):
    """Test entry point: skip when not root or something is missing, build
    a lab, run fn(lab), print the daemons' logs on failure, exit 0/1."""
    require_root_and_tools(*tools, binaries=binaries)
    t0 = time.monotonic()
    try:
        with Lab(roles) as lab:
            try:
                fn(lab)
            except BaseException:
                lab.dump_logs()
                raise
    except TestFailure as e:
        print("FAIL: %s" % e)
        sys.exit(1)
    log("PASS in %.1f s" % (time.monotonic() - t0))
    sys.exit(0)
