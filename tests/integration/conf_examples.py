#!/usr/bin/python3
"""Every shipped configuration passes both checkers, and the checkers
speak one vocabulary: `vrrpd -t` and `fwd -t` on conf/examples/*.conf and
conf/vrrpd.conf.example (as shipped and uncommented) exit 0 and print
"FILE: configuration OK", with no warning but those that depend on the
host. Then the newcomer's traps (issue 12) as `-t` shows them: a bare
number as a forwarder duration, libconfig's syntax error with its cause,
a wildcard bind, a missing interface, smtp_alert without a server, and a
maxconn the open files limit will lower. Needs no root."""

import glob
import os
import resource
import signal
import socket
import subprocess
import sys
import tempfile
import time

from lab import FWD, SOURCE_ROOT, VRRPD

# warnings that depend on the host or the file's mode, not the file
HOST_WARNINGS = ("does not exist on this host", "holds a secret",
                 "the open files limit here")

failed = []


def check(cond, msg):
    """Not lab's check(): this one notes a failure and goes on, so one
    run lists every example and trap that fails."""
    print(("ok: " if cond else "FAIL: ") + msg, flush=True)
    if not cond:
        failed.append(msg)


def run(prog, path, nofile=None):
    def limit():
        resource.setrlimit(resource.RLIMIT_NOFILE, (nofile, nofile))
    return subprocess.run([prog, "-t", "-f", path], capture_output=True,
                          text=True, timeout=20,
                          preexec_fn=limit if nofile else None)


def warnings(stderr):
    return [l for l in stderr.splitlines() if ": warning: " in l]


def expect_ok(prog, path, what):
    r = run(prog, path)
    name = os.path.basename(prog)
    check(r.returncode == 0 and r.stdout == "%s: configuration OK\n" % path,
          "%s -t %s: exit 0, 'configuration OK' (rc %d, %r %r)"
          % (name, what, r.returncode, r.stdout, r.stderr[-300:]))
    other = [w for w in warnings(r.stderr)
             if not any(h in w for h in HOST_WARNINGS)]
    check(not other, "%s -t %s: no warning about the file itself %r"
          % (name, what, other))
    return r


def write(tmp, name, text):
    path = os.path.join(tmp, name)
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, 0o600)
    return path


FWD_MIN = ('forwarder = { %s listen = { web = { bind = "%s";\n'
           '  server = { s = { address = "127.0.0.1:9";\n'
           '    check = { inter = %s; }; }; }; }; }; };\n')


def shipped(tmp):
    examples = sorted(glob.glob(os.path.join(SOURCE_ROOT, "conf",
                                             "examples", "*.conf")))
    check(len(examples) >= 2, "conf/examples has the lab pair (%d files)"
          % len(examples))
    for path in examples:
        what = "conf/examples/" + os.path.basename(path)
        expect_ok(VRRPD, path, what)
        expect_ok(FWD, path, what)
    example = os.path.join(SOURCE_ROOT, "conf", "vrrpd.conf.example")
    expect_ok(VRRPD, example, "vrrpd.conf.example as shipped")
    with open(example) as f:
        text = "".join(l[2:] if l.startswith("# ") else l
                       for l in f.read().splitlines(True))
    check("forwarder" in text and "vrrp_instance" in text,
          "the example has a commented instance and forwarder")
    unc = write(tmp, "uncommented.conf", text)
    expect_ok(VRRPD, unc, "vrrpd.conf.example uncommented")
    expect_ok(FWD, unc, "vrrpd.conf.example uncommented")


def vocabulary(tmp):
    bad = write(tmp, "bad.conf", "global_defs = { routr_id = 1; };\n")
    for prog in (VRRPD, FWD):
        r = run(prog, bad)
        name = os.path.basename(prog)
        check(r.returncode == 1 and "%s: %s: configuration has errors\n"
              % (name, bad) in r.stderr,
              "%s -t on a bad file: exit 1, 'configuration has errors' "
              "(%r)" % (name, r.stderr[-200:]))


def traps(tmp):
    p = write(tmp, "bare.conf", FWD_MIN % ("", "127.0.0.1:8080", "5000"))
    r = run(FWD, p)
    check(r.returncode == 1 and "'inter' = 5000 has no unit: as seconds "
          "5000 is 83 min, as milliseconds 5s; write \"5000ms\" or "
          "\"5000s\"" in r.stderr,
          "a bare forwarder duration is an error with both readings: %r"
          % r.stderr[-300:])
    p = write(tmp, "wild.conf", FWD_MIN % ("", "*:8080", '"5s"'))
    r = run(FWD, p)
    check(r.returncode == 0, "bind \"*:8080\" passes fwd -t (%r)"
          % r.stderr[-200:])
    p = write(tmp, "digit.conf", "vrrp_instance = {\n  50 = { };\n};\n")
    r = run(VRRPD, p)
    check(r.returncode == 1 and "%s:2: syntax error: the setting name '50' "
          "starts with a digit" % p in r.stderr,
          "vrrpd -t names the cause of a syntax error: %r" % r.stderr)
    p = write(tmp, "host.conf",
              'global_defs = { smtp_alert = true; };\n'
              'vrrp_instance = { VI_1 = { interface = "nosuchif7";\n'
              '  virtual_router_id = 51;\n'
              '  virtual_ipaddress = [ "198.18.0.50" ]; }; };\n')
    r = run(VRRPD, p)
    check(r.returncode == 0 and "%s:2: warning: vrrp_instance VI_1: "
          "interface 'nosuchif7' does not exist on this host" % p
          in r.stderr and "%s:1: warning: smtp_alert is on but smtp_server "
          "is not set" % p in r.stderr,
          "vrrpd -t warns about a missing interface and smtp_alert with "
          "no smtp_server: %r" % r.stderr)
    p = write(tmp, "maxconn.conf", FWD_MIN % ("maxconn = 40000;",
                                              "127.0.0.1:8080", '"5s"'))
    r = run(FWD, p, nofile=1024)
    check(r.returncode == 0 and "maxconn 40000: the open files limit here "
          "is 1024 (hard limit 1024), which fits 480 connections; fwd will "
          "lower maxconn to 480 at start" in r.stderr,
          "fwd -t under a 1024 open files limit says maxconn 40000 will be "
          "480: %r" % r.stderr[-300:])
    p = write(tmp, "fits.conf", FWD_MIN % ("maxconn = 480;",
                                           "127.0.0.1:8080", '"5s"'))
    r = run(FWD, p, nofile=1024)
    check(r.returncode == 0 and "open files limit" not in r.stderr,
          "and nothing for a maxconn 480 that fits: %r" % r.stderr)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_fwd(conf, port, *flags):
    """Starts fwd -n FLAGS, waits for its listener, stops it; stderr."""
    p = subprocess.Popen([FWD, "-n"] + list(flags) + ["-f", conf],
                         stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), 1).close()
                break
            except OSError:
                time.sleep(0.05)
        p.send_signal(signal.SIGTERM)
        _, err = p.communicate(timeout=10)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    return p.returncode, err


def flags(tmp):
    """-S is syslog, as vrrpd's; -c is never-splice."""
    port = free_port()
    conf = write(tmp, "run.conf",
                 'forwarder = { control_socket = "%s"; vrrpd_socket = "";\n'
                 '  listen = { web = { bind = "127.0.0.1:%d";\n'
                 '  server = { s = { address = "127.0.0.1:9"; }; }; }; };\n'
                 '};\n' % (os.path.join(tmp, "fwd.sock"), port))
    rc, err = run_fwd(conf, port, "-c")
    check(rc == 0 and "fwd started" in err and ", copy" in err,
          "fwd -n -c logs to stderr and copies: %r" % err[-300:])
    rc, err = run_fwd(conf, port, "-s", "-S")
    check(rc == 0 and "fwd started" not in err,
          "fwd -n -S logs to syslog, not stderr: %r" % err[-300:])


def main():
    for prog in (VRRPD, FWD):
        if not os.access(prog, os.X_OK):
            print("skip: %s not built" % prog)
            return 77
    with tempfile.TemporaryDirectory(prefix="conf_examples.") as tmp:
        shipped(tmp)
        vocabulary(tmp)
        traps(tmp)
        flags(tmp)
    if failed:
        print("%d check(s) failed" % len(failed))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
