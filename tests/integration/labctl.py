"""vrrpd driven through its control socket and its config file:
FakeFwd speaks fwd's side of the forwarder protocol, ReloadNode rewrites
the config and reloads it."""

import json
import os
import signal
import socket

from lab import VIP, check, vrrp_instance, vrrpd_conf


class FakeFwd:
    """Speaks fwd's side of the protocol on vrrpd's control socket."""

    def __init__(self, lab, node):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.s.connect(node.sock)
        self.f = self.s.makefile("r")
        self.events = []
        self.send("hello fwd 1")
        check(self.reply().get("proto") == 1, "hello accepted")

    def send(self, line):
        self.s.sendall((line + "\n").encode())

    def reply(self):
        """The next non-event line; events are kept."""
        while True:
            obj = json.loads(self.f.readline())
            if obj.get("event"):
                self.events.append(obj)
                continue
            return obj

    def health(self, up, total=2):
        self.send("health web %d %d %s:443" % (up, total, VIP))
        check(self.reply().get("ok") is True, "health accepted")

    def close(self):
        # the makefile() reader holds the fd open too
        self.f.close()
        self.s.close()


NOTIFY = """#!/bin/sh
echo "$@" >> %s
"""


class ReloadNode:
    """A vrrpd whose config file (role.conf) the test rewrites with
    write() and reloads by SIGHUP (hup()) or `vrrpctl reload`; a notify
    script appends each transition's arguments to role.notify."""

    def __init__(self, lab, role, priority):
        self.lab, self.role = lab, role
        self.sock = lab.path("%s.sock" % role)
        self.conf = lab.path("%s.conf" % role)
        self.notes = lab.path("%s.notify" % role)
        script = lab.write("%s-notify.sh" % role, NOTIFY % self.notes)
        os.chmod(script, 0o755)
        self.script = script
        self.priority = priority
        self.proc = None

    def instance(self, name, vrid, vip, priority=None):
        return vrrp_instance(name=name, vrid=vrid, vips=(vip + "/24",),
                             priority=priority or self.priority,
                             notify=self.script)

    def write(self, instances):
        text = vrrpd_conf("lb" + self.role.upper(), self.sock, instances)
        # scripts run as root here: the notes file is in the lab's 0700 dir
        text = text.replace("global_defs = {",
                            'global_defs = {\n  script_user = "root";', 1)
        with open(self.conf, "w") as f:
            f.write(text)

    def start(self):
        self.proc = self.lab.start_vrrpd(self.role, self.conf)

    def hup(self):
        self.proc.signal(signal.SIGHUP, group=False)

    def reload(self):
        """`vrrpctl reload`: (exit code, parsed JSON or None, stderr)."""
        r = self.lab.vrrpctl(self.role, self.sock, "reload")
        try:
            j = json.loads(r.stdout)
        except ValueError:
            j = None
        return r.returncode, j, r.stderr

    def status(self, name="VI_1"):
        return self.lab.instance(self.role, self.sock, name)

    def full_status(self):
        return self.lab.vrrpctl_status(self.role, self.sock)

    def notify_lines(self):
        try:
            with open(self.notes) as f:
                return f.read().splitlines()
        except FileNotFoundError:
            return []
