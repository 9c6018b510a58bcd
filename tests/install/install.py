#!/usr/bin/python3
"""Install this build into a temporary DESTDIR and check the result.

- every expected file is at its prefix path (from the build's own options)
  with a sane mode; nothing installed is writable by group or others;
- the default vrrpd.conf is created 0600 once and never overwritten by a
  later install; it and its uncommented example pass `vrrpd -t`/`fwd -t`;
- the man pages pass `groff -man -ww -z` with no warning;
- the systemd units point at the installed binaries and config, carry the
  hardening settings, and pass `systemd-analyze verify` (when available);
- every key in the config loader's key tables (conf/*.c) is documented in
  vrrpd.conf(5), in the section for its table, with a default and an
  example.
Needs no root. Exits 1 listing every problem found.
"""
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile

BUILD = os.environ["BUILD_ROOT"]
SRC = os.environ["SOURCE_ROOT"]
MESON = os.environ.get("MESON", "meson")

problems = []


def fail(msg):
    problems.append(msg)
    print("FAIL: " + msg)


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def build_options():
    out = run([MESON, "introspect", "--buildoptions", BUILD], check=True)
    return {o["name"]: o["value"] for o in json.loads(out.stdout)}


def meson_install(destdir):
    r = run([MESON, "install", "-C", BUILD, "--no-rebuild", "--quiet",
             "--destdir", destdir])
    if r.returncode != 0:
        print(r.stdout, r.stderr)
        sys.exit("meson install failed")
    return r.stdout


def under(destdir, path):
    return os.path.join(destdir, path.lstrip("/"))


def check_mode(path, want, what):
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        fail(f"{what}: {path} is missing")
        return
    if not stat.S_ISREG(st.st_mode):
        fail(f"{what}: {path} is not a regular file")
    mode = stat.S_IMODE(st.st_mode)
    if mode != want:
        fail(f"{what}: {path} has mode {mode:04o}, expected {want:04o}")


def check_tree_modes(destdir):
    for root, dirs, files in os.walk(destdir):
        for name in dirs + files:
            p = os.path.join(root, name)
            mode = stat.S_IMODE(os.lstat(p).st_mode)
            if mode & (stat.S_IWGRP | stat.S_IWOTH):
                fail(f"{p} is writable by group or others ({mode:04o})")


def expected_paths(opt):
    prefix = opt["prefix"]

    def at(d, *rest):
        return os.path.join(prefix, d, *rest)  # d may be absolute (/etc)

    unitdir = opt["systemdunitdir"] or os.path.join(prefix, "lib",
                                                    "systemd", "system")
    conf = at(opt["sysconfdir"], "vrrpd", "vrrpd.conf")
    files = {
        at(opt["sbindir"], "vrrpd"): 0o755,
        at(opt["sbindir"], "fwd"): 0o755,
        at(opt["sbindir"], "vrrpctl"): 0o755,
        at(opt["sbindir"], "vrrpd-import"): 0o755,
        at(opt["libexecdir"], "vrrpd-mail"): 0o755,
        at(opt["mandir"], "man8", "vrrpd.8"): 0o644,
        at(opt["mandir"], "man8", "vrrpd-import.8"): 0o644,
        at(opt["mandir"], "man8", "fwd.8"): 0o644,
        at(opt["mandir"], "man8", "vrrpctl.8"): 0o644,
        at(opt["mandir"], "man5", "vrrpd.conf.5"): 0o644,
        os.path.join(unitdir, "vrrpd.service"): 0o644,
        os.path.join(unitdir, "fwd.service"): 0o644,
        at(opt["datadir"], "doc", "vrrpd", "examples", "lbA.conf"): 0o644,
        at(opt["datadir"], "doc", "vrrpd", "examples", "lbB.conf"): 0o644,
        at(opt["datadir"], "doc", "vrrpd", "examples",
           "active-active-A.conf"): 0o644,
        at(opt["datadir"], "doc", "vrrpd", "examples",
           "active-active-B.conf"): 0o644,
        conf + ".example": 0o644,
        conf: 0o600,
    }
    return files, unitdir, conf


def check_default_config(destdir, opt, conf):
    dconf = under(destdir, conf)
    sbin = under(destdir, os.path.join(opt["prefix"], opt["sbindir"]))
    with open(dconf) as f:
        text = f.read()
    # as installed (all commented) and with the example uncommented
    example = "".join(l[2:] if l.startswith("# ") else l
                      for l in text.splitlines(True))
    ex_path = os.path.join(destdir, "uncommented.conf")
    with open(ex_path, "w") as f:
        f.write(example)
    if "vrrp_instance" not in example or "forwarder" not in example:
        fail("the default config has no commented vrrp_instance/forwarder")
    for path, what in ((dconf, "default config as installed"),
                       (ex_path, "default config uncommented")):
        r = run([os.path.join(sbin, "vrrpd"), "-t", "-f", path])
        if r.returncode != 0:
            fail(f"vrrpd -t on the {what}: {r.stdout}{r.stderr}")
    r = run([os.path.join(sbin, "fwd"), "-t", "-f", ex_path])
    if r.returncode != 0:
        fail(f"fwd -t on the uncommented default config: {r.stderr}")
    for ex in ("lbA.conf", "lbB.conf", "active-active-A.conf",
               "active-active-B.conf"):
        p = under(destdir, os.path.join(opt["prefix"], opt["datadir"],
                                        "doc", "vrrpd", "examples", ex))
        r = run([os.path.join(sbin, "vrrpd"), "-t", "-f", p])
        if r.returncode != 0:
            fail(f"vrrpd -t {ex}: {r.stdout}{r.stderr}")
    os.unlink(ex_path)


def check_no_overwrite(destdir, conf):
    """A second install keeps an operator's vrrpd.conf as it is."""
    dconf = under(destdir, conf)
    mine = "# edited by the operator\nglobal_defs = { router_id = \"x\"; };\n"
    with open(dconf, "w") as f:
        f.write(mine)
    os.chmod(dconf, 0o640)
    meson_install(destdir)
    with open(dconf) as f:
        if f.read() != mine:
            fail("a second meson install overwrote the existing vrrpd.conf")
    if stat.S_IMODE(os.stat(dconf).st_mode) != 0o640:
        fail("a second meson install changed vrrpd.conf's mode")


def groff_lint(page):
    r = run(["groff", "-man", "-ww", "-z", page])
    if r.returncode != 0 or r.stderr.strip():
        fail(f"groff -man -ww -z {os.path.basename(page)}:\n{r.stderr}")


def check_man(destdir, opt):
    mandir = under(destdir, os.path.join(opt["prefix"], opt["mandir"]))
    for sec, name in (("8", "vrrpd"), ("8", "fwd"), ("8", "vrrpctl"),
                      ("8", "vrrpd-import"), ("5", "vrrpd.conf")):
        page = os.path.join(mandir, "man" + sec, f"{name}.{sec}")
        if not os.path.exists(page):
            continue  # reported by the file check
        with open(page) as f:
            text = f.read()
        th = re.search(r"^\.TH\s+(\S+)\s+(\S+)", text, re.M)
        if not th or th.group(1).lower().strip('"') != name or \
                th.group(2).strip('"') != sec:
            fail(f"{name}.{sec}: .TH does not name {name}({sec})")
        for sh in ("NAME", "SYNOPSIS" if sec == "8" else "DESCRIPTION",
                   "SEE ALSO"):
            if not re.search(rf'^\.SH\s+"?{sh}"?\s*$', text, re.M):
                fail(f"{name}.{sec}: no {sh} section")
        if shutil.which("groff"):
            groff_lint(page)
        if shutil.which("mandoc"):
            r = run(["mandoc", "-T", "lint", "-W", "warning", page])
            if r.returncode != 0 or r.stdout.strip():
                fail(f"mandoc -T lint {name}.{sec}:\n{r.stdout}{r.stderr}")
    if not shutil.which("groff"):
        print("SKIP: groff not installed; man pages not linted")


def unit_settings(path):
    settings = {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line or line[0] in "#;[" or "=" not in line:
                continue
            k, v = line.split("=", 1)
            settings.setdefault(k.strip(), []).append(v.strip())
    return settings


HARDENING = {
    "NoNewPrivileges": "yes", "ProtectSystem": "strict",
    "ProtectHome": "yes", "PrivateTmp": "yes",
    "ProtectKernelTunables": "yes", "ProtectKernelModules": "yes",
    "ProtectKernelLogs": "yes", "ProtectControlGroups": "yes",
    "LockPersonality": "yes", "MemoryDenyWriteExecute": "yes",
    "RestrictRealtime": "yes", "SystemCallArchitectures": "native",
    "RuntimeDirectory": "vrrpd", "Restart": "on-failure",
}
CAPS = {
    "vrrpd": {"CAP_NET_RAW", "CAP_NET_ADMIN", "CAP_SETUID", "CAP_SETGID",
              "CAP_KILL", "CAP_CHOWN", "CAP_SETPCAP"},
    # CAP_BPF, CAP_NET_ADMIN and CAP_PERFMON: the kernel data path's
    # program and maps, at start only (docs/security.md)
    "fwd": {"CAP_NET_BIND_SERVICE", "CAP_SETUID", "CAP_SETGID", "CAP_CHOWN",
            "CAP_BPF", "CAP_NET_ADMIN", "CAP_PERFMON"},
}
FAMILIES = {
    "vrrpd": {"AF_UNIX", "AF_INET", "AF_INET6", "AF_NETLINK", "AF_PACKET"},
    "fwd": {"AF_UNIX", "AF_INET", "AF_INET6"},
}


def check_unit(destdir, unitdir, name, opt, conf):
    path = under(destdir, os.path.join(unitdir, name + ".service"))
    if not os.path.exists(path):
        return
    s = unit_settings(path)
    sbin = os.path.join(opt["prefix"], opt["sbindir"])

    def one(key):
        v = s.get(key, [])
        return v[-1] if v else None

    start = (one("ExecStart") or "").split()
    if start[:1] != [os.path.join(sbin, name)] or "-n" not in start or \
            start[start.index("-f") + 1 if "-f" in start else 0] != conf:
        fail(f"{name}.service: ExecStart={one('ExecStart')}, expected "
             f"{os.path.join(sbin, name)} -n -f {conf}")
    elif not os.access(under(destdir, start[0]), os.X_OK):
        fail(f"{name}.service: {start[0]} is not installed")
    if "/bin/kill -HUP $MAINPID" not in s.get("ExecReload", []):
        fail(f"{name}.service: no ExecReload=/bin/kill -HUP $MAINPID")
    for k, v in HARDENING.items():
        if one(k) != v:
            fail(f"{name}.service: {k}={one(k)}, expected {v}")
    if one("Type") not in ("simple", "notify"):
        fail(f"{name}.service: Type={one('Type')}")
    caps = set((one("CapabilityBoundingSet") or "").split())
    if caps != CAPS[name]:
        fail(f"{name}.service: CapabilityBoundingSet {sorted(caps)}, "
             f"expected {sorted(CAPS[name])}")
    fam = set((one("RestrictAddressFamilies") or "").split())
    if fam != FAMILIES[name]:
        fail(f"{name}.service: RestrictAddressFamilies {sorted(fam)}")
    if name == "vrrpd":
        post = (one("ExecStopPost") or "").split()
        if post != [os.path.join(sbin, "vrrpd"), "--cleanup", "-f", conf]:
            fail(f"vrrpd.service: ExecStopPost={one('ExecStopPost')}, "
                 "expected vrrpd --cleanup -f CONF")
    else:
        after = " ".join(s.get("After", [])).split()
        wants = " ".join(s.get("Wants", [])).split()
        if "vrrpd.service" not in after or "vrrpd.service" not in wants:
            fail("fwd.service: not After= and Wants= vrrpd.service")
        for k in ("Requires", "BindsTo", "Requisite", "PartOf"):
            if "vrrpd.service" in " ".join(s.get(k, [])):
                fail(f"fwd.service: {k}=vrrpd.service (fwd must run "
                     "without vrrpd)")
    return path


def systemd_verify(destdir, units, opt):
    sa = shutil.which("systemd-analyze")
    if not sa:
        print("SKIP: systemd-analyze not found; units not verified")
        return
    # verify wants the Exec*= binaries to exist: check copies whose sbindir
    # points into DESTDIR (check_unit checked the real paths); --root
    # would hide the host's own units (sysinit.target...)
    sbin = os.path.join(opt["prefix"], opt["sbindir"])
    vdir = os.path.join(destdir, "verify")
    os.mkdir(vdir)
    copies = []
    for u in units:
        with open(u) as f:
            text = f.read().replace(sbin + "/", under(destdir, sbin) + "/")
        copies.append(os.path.join(vdir, os.path.basename(u)))
        with open(copies[-1], "w") as f:
            f.write(text)
    r = run([sa, "verify", "--man=no"] + copies)
    out = (r.stdout + r.stderr).strip()
    if r.returncode != 0 or out:
        fail("systemd-analyze verify:\n" + out)
    shutil.rmtree(vdir)
    for u in units:
        r = run([sa, "security", "--offline=yes", "--root=" + destdir, u])
        m = re.search(r"Overall exposure level for \S+: ([\d.]+) (\w+)",
                      r.stdout)
        if not m:
            fail(f"systemd-analyze security {os.path.basename(u)}: "
                 f"no exposure level\n{r.stdout}{r.stderr}")
            continue
        print(f"exposure {os.path.basename(u)}: {m.group(1)} {m.group(2)}")
        # OK or better; an unhardened unit scores 9.6 UNSAFE
        if float(m.group(1)) > 4.9:
            fail(f"{os.path.basename(u)}: exposure {m.group(1)} is above "
                 "4.9 (systemd's OK)")


# --- config keys ----------------------------------------------------------
# table in conf/*.c -> the vrrpd.conf(5) subsection (.SS) documenting it
KEY_SECTIONS = {
    "top_keys": "Sections",
    "global_keys": "global_defs",
    "script_keys": "vrrp_script",
    "instance_keys": "vrrp_instance",
    "auth_keys": "authentication",
    "weight_keys": "track_script, track_interface",
    "track_fwd_keys": "track_forwarder",
    "fwd_keys": "forwarder",
    "timeout_keys": "timeout",
    "listen_keys": "listen",
    "stick_keys": "stick",
    "server_keys": "server",
    "check_keys": "check",
    "stats_keys": "stats",
}


def key_tables():
    """{table: [keys]} from every `static const char *const X[] = {...}`."""
    tables = {}
    conf = os.path.join(SRC, "conf")
    for name in sorted(os.listdir(conf)):
        if not name.endswith(".c"):
            continue
        with open(os.path.join(conf, name)) as f:
            text = f.read()
        for m in re.finditer(r"const\s+char\s*\*\s*const\s+(\w+)\s*\[\s*\]"
                             r"\s*=\s*\{(.*?)\}\s*;", text, re.S):
            keys = re.findall(r'"([^"\\]*)"', m.group(2))
            if "NULL" in m.group(2) and keys:
                tables[m.group(1)] = keys
    return tables


def man_entries(text):
    """{subsection: {key: entry text}} for `.TP` / `.B key` entries."""
    sections, cur, key = {}, None, None
    for line in text.splitlines():
        if line.startswith(".SS") or line.startswith(".SH"):
            cur = line[3:].strip().strip('"') if line.startswith(".SS") \
                else None
            key = None
            continue
        if line.startswith(".TP"):
            key = "?"
            continue
        if key == "?":
            m = re.match(r"\.B\s+(\w+)\s*$", line)
            key = m.group(1) if m else None
            if key and cur:
                sections.setdefault(cur, {})[key] = ""
            continue
        if key and cur:
            sections[cur][key] += line + "\n"
    return sections


def check_keys_documented(destdir, opt):
    page = under(destdir, os.path.join(opt["prefix"], opt["mandir"], "man5",
                                       "vrrpd.conf.5"))
    if not os.path.exists(page):
        return
    with open(page) as f:
        entries = man_entries(f.read())
    tables = key_tables()
    n = sum(len(k) for k in tables.values())
    print(f"{len(tables)} key tables, {n} keys in conf/*.c")
    if len(tables) < len(KEY_SECTIONS) or n < 70:
        fail(f"found only {len(tables)} key tables / {n} keys in conf/*.c: "
             "has the table syntax changed? Update key_tables()")
    everywhere = {k for sec in entries.values() for k in sec}
    for table, keys in tables.items():
        sec = KEY_SECTIONS.get(table)
        if sec is None:
            print(f"note: table {table} has no section mapping here; its "
                  "keys must be documented somewhere in vrrpd.conf(5)")
        for k in keys:
            if sec is not None:
                if sec not in entries:
                    fail(f"vrrpd.conf(5) has no subsection '{sec}' "
                         f"(for {table})")
                    break
                if k not in entries[sec]:
                    fail(f"vrrpd.conf(5): key '{k}' ({table}) is not "
                         f"documented in subsection '{sec}'")
                    continue
                body = entries[sec][k]
            elif k not in everywhere:
                fail(f"vrrpd.conf(5): key '{k}' ({table}) is not "
                     "documented")
                continue
            else:
                body = next(s[k] for s in entries.values() if k in s)
            if table != "top_keys" and (
                    not re.search(r"[Dd]efault|[Rr]equired", body) or
                    "Example" not in body):
                fail(f"vrrpd.conf(5): key '{k}' in '{sec}' lacks a "
                     "default (or 'required') or an Example")


def main():
    opt = build_options()
    files, unitdir, conf = expected_paths(opt)
    destdir = tempfile.mkdtemp(prefix="vrrpd-install-")
    try:
        meson_install(destdir)
        for path, mode in files.items():
            check_mode(under(destdir, path), mode, "installed file")
        check_tree_modes(destdir)
        if os.path.exists(under(destdir, conf)):
            check_default_config(destdir, opt, conf)
            check_no_overwrite(destdir, conf)
        check_man(destdir, opt)
        units = [u for u in (check_unit(destdir, unitdir, n, opt, conf)
                             for n in ("vrrpd", "fwd")) if u]
        if units:
            systemd_verify(destdir, units, opt)
        check_keys_documented(destdir, opt)
    finally:
        shutil.rmtree(destdir, ignore_errors=True)
    if problems:
        print(f"{len(problems)} problem(s)")
        return 1
    print("install: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
