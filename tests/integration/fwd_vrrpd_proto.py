#!/usr/bin/python3
"""fwd's side of the link protocol's version negotiation, against a fake
vrrpd on a unix socket. An old vrrpd (version 1: it refuses "hello fwd 2"
and answers only "hello fwd 1") gets hello 1, the health lines and no
heartbeat; a current one (version 2) gets a heartbeat every 100 ms."""

import json
import os
import socket
import threading
import time

import fwdlab as L


class FakeVrrpd:
    """Answers as vrrpd version `speaks` does; records each line."""

    def __init__(self, path, speaks):
        self.speaks = speaks
        self.lines = []
        self.conn = None
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.s.bind(path)
        self.s.listen(4)
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                c, _ = self.s.accept()
            except OSError:
                return
            self.conn = c
            threading.Thread(target=self._serve, args=(c,),
                             daemon=True).start()

    def _answer(self, line, hello):
        if line.startswith("hello fwd "):
            v = int(line.split()[2])
            if self.speaks == 1 and v != 1:
                return {"ok": False, "error": "unsupported forwarder "
                        "protocol version; this vrrpd speaks 1"}
            return {"ok": True, "proto": v}
        if line == "heartbeat":
            if self.speaks == 1:
                return {"ok": False, "error": "unknown command"}
            return None  # version 2: no reply
        if line.startswith("health ") and not hello:
            return {"ok": False, "error": "say 'hello fwd 1' first"}
        return {"ok": True}

    def _serve(self, c):
        f = c.makefile("r")
        hello = False
        for line in f:
            line = line.rstrip("\n")
            self.lines.append(line)
            r = self._answer(line, hello)
            if r and r.get("proto"):
                hello = True
            if r is not None:
                try:
                    c.sendall((json.dumps(r) + "\n").encode())
                except OSError:
                    return

    def drop(self, speaks):
        """Closes the connection; the next one speaks `speaks`."""
        self.speaks = speaks
        self.lines = []
        if self.conn:
            self.conn.shutdown(socket.SHUT_RDWR)

    def close(self):
        self.s.close()


def test():
    bport, fport = L.free_port(), L.free_port()
    be = L.Backend("be", "127.0.0.1", bport)
    d = "/tmp/fwdproto.%d" % os.getpid()
    os.makedirs(d, exist_ok=True)
    path = os.path.join(d, "vrrpd.sock")
    fake = FakeVrrpd(path, speaks=1)
    f = L.Fwd('vrrpd_socket = "%s"; listen = { web = { bind = '
              '"127.0.0.1:%d"; server = { s = { address = "127.0.0.1:%d"; '
              '}; }; }; };' % (path, fport, bport))
    try:
        time.sleep(1.5)
        got = list(fake.lines)
        print("to a version 1 vrrpd:", got)
        L.check(got[:2] == ["hello fwd 2", "hello fwd 1"],
                "hello 2, then hello 1 after the refusal: %s" % got)
        L.check(["health web 1 1 127.0.0.1:%d" % fport] == got[2:],
                "then the health line, no heartbeat, nothing else: %s"
                % got)
        L.check("falling back to 1" in f.logtext(), "fwd says it fell back")
        L.check("vrrpd says" not in f.logtext(),
                "no error answer logged:\n" + f.logtext())

        fake.drop(speaks=2)
        time.sleep(1.6)  # reconnect backoff, then ~1 s of heartbeats
        got = list(fake.lines)
        beats = got.count("heartbeat")
        print("to a version 2 vrrpd: %s ... (%d heartbeats)" % (got[:3],
                                                                beats))
        L.check(got[:2] == ["hello fwd 2", "health web 1 1 127.0.0.1:%d"
                            % fport], "hello 2 accepted, health: %s" % got)
        L.check(8 <= beats <= 16, "heartbeats every 100 ms (%d in ~1.3 s)"
                % beats)
    finally:
        f.close()
        fake.close()
        be.stop()
        os.unlink(path)
        os.rmdir(d)


if __name__ == "__main__":
    L.main(test)
