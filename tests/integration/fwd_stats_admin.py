#!/usr/bin/python3
"""stats.admin in headless Chromium, by clicking the page's buttons
(DevTools protocol over --remote-debugging-pipe): disable a server, see it
marked MAINT and getting no new sessions; drain one, see its open session
go on and finish while new ones go elsewhere; enable brings it back. A
POST without the page's token, or from another origin, is refused (403);
a GET never changes state; `fwd -t` refuses admin without auth."""

import base64
import http.client
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

import fwdlab as L

CHROMIUM = '/usr/bin/chromium'
AUTH = 'admin:s3cret'


class Browser:
    """Chromium driven through the DevTools protocol on fds 3 and 4."""

    def __init__(self):
        self.prof = tempfile.mkdtemp(prefix='chromium-')
        to_chrome_r, self.to_chrome = os.pipe()
        self.from_chrome, from_chrome_w = os.pipe()

        # the protocol's fixed descriptors, 3 in and 4 out, put in place
        # by the shell that execs chromium
        self.proc = subprocess.Popen(
            ['/bin/bash', '-c', 'exec "$@" 3<&%d 4>&%d %d<&- %d>&-' % (
                to_chrome_r, from_chrome_w, to_chrome_r, from_chrome_w),
             'bash', CHROMIUM, '--headless', '--no-sandbox', '--disable-gpu',
             '--remote-debugging-pipe', '--no-first-run',
             '--disable-background-networking', '--disable-component-update',
             '--disable-sync', '--user-data-dir=' + self.prof,
             'about:blank'],
            pass_fds=(to_chrome_r, from_chrome_w),
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self.buf, self.events, self.next_id = b'', [], 0
        self.session = None
        tid = self.call('Target.createTarget',
                        {'url': 'about:blank'})['targetId']
        self.session = self.call('Target.attachToTarget',
                                 {'targetId': tid,
                                  'flatten': True})['sessionId']
        for m in ('Page.enable', 'Network.enable'):
            self.call(m)

    def _read(self, timeout):
        deadline = time.time() + timeout
        while b'\0' not in self.buf:
            L.check(time.time() < deadline, 'chromium did not answer')
            chunk = os.read(self.from_chrome, 65536)
            L.check(chunk, 'chromium closed its pipe')
            self.buf += chunk
        msg, self.buf = self.buf.split(b'\0', 1)
        return json.loads(msg)

    def call(self, method, params=None, timeout=20):
        self.next_id += 1
        msg = {'id': self.next_id, 'method': method, 'params': params or {}}
        if self.session:
            msg['sessionId'] = self.session
        os.write(self.to_chrome, json.dumps(msg).encode() + b'\0')
        while True:
            m = self._read(timeout)
            if m.get('id') == self.next_id:
                L.check('error' not in m, '%s: %s' % (method, m))
                return m.get('result', {})
            self.events.append(m)

    def wait_event(self, name, timeout=20):
        deadline = time.time() + timeout
        while True:
            for i, e in enumerate(self.events):
                if e.get('method') == name:
                    del self.events[i]
                    return e
            self.events.append(self._read(max(0.1, deadline - time.time())))

    def js(self, expr):
        r = self.call('Runtime.evaluate', {'expression': expr,
                                           'returnByValue': True})
        return r['result'].get('value')

    def load(self, url):
        self.events = []
        self.call('Page.navigate', {'url': url})
        self.wait_event('Page.loadEventFired')

    def click(self, server, action):
        """Clicks a server's button and waits for the page it leads to."""
        self.events = []
        found = self.js(
            '(function(){var i=document.querySelector('
            '\'input[name=server][value="%s"]\');if(!i)return false;'
            'i.form.querySelector(\'button[value=%s]\').click();'
            'return true;})()' % (server, action))
        L.check(found, 'no %s button for %s' % (action, server))
        self.wait_event('Page.loadEventFired')

    def state_of(self, server):
        return self.js(
            '(function(){var i=document.querySelector('
            '\'input[name=server][value="%s"]\');return i.closest("tr")'
            '.querySelector(".st").textContent;})()' % server)

    def close(self):
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self.to_chrome)
        os.close(self.from_chrome)
        shutil.rmtree(self.prof, ignore_errors=True)


def post(url, body, origin, auth=AUTH):
    """The status code, redirects not followed."""
    u = urllib.parse.urlsplit(url)
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=5)
    headers = {'Authorization':
               'Basic ' + base64.b64encode(auth.encode()).decode(),
               'Content-Type': 'application/x-www-form-urlencoded'}
    if origin:
        headers['Origin'] = origin
    try:
        c.request('POST', u.path, body=body, headers=headers)
        return c.getresponse().status
    finally:
        c.close()


def get(url):
    req = urllib.request.Request(url)
    req.add_header('Authorization',
                   'Basic ' + base64.b64encode(AUTH.encode()).decode())
    try:
        with urllib.request.urlopen(req, timeout=5) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, ''


def check_t_refuses_admin_without_auth():
    d = tempfile.mkdtemp(prefix='fwdtest.')
    try:
        conf = d + '/f.conf'
        with open(conf, 'w') as fh:
            fh.write('forwarder = { listen = { l = { bind = "127.0.0.1:1";'
                     ' server = { a = { address = "127.0.0.1:2"; }; }; }; };'
                     '\n stats = { bind = "127.0.0.1:3"; admin = true; };'
                     '\n};\n')
        r = subprocess.run([L.FWD, '-t', '-f', conf], capture_output=True,
                           text=True)
        L.check(r.returncode == 1 and
                '%s:2: stats: admin needs auth' % conf in r.stderr,
                'fwd -t: rc %d %s' % (r.returncode, r.stderr))
    finally:
        shutil.rmtree(d, ignore_errors=True)


def run():
    if not os.path.exists(CHROMIUM):
        print('SKIP: needs chromium')
        raise SystemExit(L.SKIP)
    check_t_refuses_admin_without_auth()
    pa, pb, fport, sport = [L.free_port() for _ in range(4)]
    a = L.Backend('a', '127.0.0.1', pa)
    b = L.Backend('b', '127.0.0.1', pb)
    f = L.Fwd('''listen = { web = { bind = "127.0.0.1:%d";
        server = { a = { address = "127.0.0.1:%d"; };
                   b = { address = "127.0.0.1:%d"; }; }; }; };
      stats = { bind = "127.0.0.1:%d"; auth = "%s"; admin = true;
                refresh = "1h"; };''' % (fport, pa, pb, sport, AUTH))
    page = 'http://127.0.0.1:%d/' % sport
    br = None
    try:
        br = Browser()
        br.call('Network.setExtraHTTPHeaders', {'headers': {
            'Authorization': 'Basic ' +
            base64.b64encode(AUTH.encode()).decode()}})
        br.load(page)
        L.check(br.state_of('a') == 'UP' and br.state_of('b') == 'UP',
                'page: a %s b %s' % (br.state_of('a'), br.state_of('b')))

        # disable a: marked, no new sessions
        br.click('a', 'disable')
        L.check(br.js('location.href') == page, 'not back on the page: %s'
                % br.js('location.href'))
        L.check(br.state_of('a') == 'MAINT', 'a shows %s' % br.state_of('a'))
        total_a = f.server('web', 'a')['total']
        names = [L.ask_name('127.0.0.1', fport) for _ in range(6)]
        L.check(names == ['b'] * 6, 'disabled a: %s' % names)
        L.check(f.server('web', 'a')['total'] == total_a, 'a got sessions')
        L.check('stats page (user admin from 127.0.0.1:' in f.logtext() and
                'server web/a MAINT' in f.logtext(), 'action not logged')

        # enable a, then drain the server holding an open session
        br.click('a', 'enable')
        L.check(br.state_of('a') == 'UP', 'enable: a %s' % br.state_of('a'))
        held = socket.create_connection(('127.0.0.1', fport), timeout=5)
        victim = L.read_line(held)
        other = 'b' if victim == 'a' else 'a'
        br.click(victim, 'drain')
        L.check(br.state_of(victim) == 'DRAIN', 'drain: %s' %
                br.state_of(victim))
        names = [L.ask_name('127.0.0.1', fport) for _ in range(4)]
        L.check(names == [other] * 4, 'drained %s: %s' % (victim, names))
        held.sendall(b'still here\n')
        L.check(L.read_line(held) == 'still here', 'drained session cut')
        L.check(f.server('web', victim)['cur'] == 1, 'session not counted')
        held.close()
        deadline = time.time() + 5
        while f.server('web', victim)['cur'] and time.time() < deadline:
            time.sleep(0.05)
        L.check(f.server('web', victim)['cur'] == 0, 'session not finished')

        # refusals: no token, foreign origin, replayed token; GET is inert
        form = 'listen=web&server=%s&action=disable' % other
        L.check(post(page + 'admin', form, page.rstrip('/')) == 403,
                'POST without token accepted')
        token = br.js('document.querySelector("input[name=token]").value')
        L.check(post(page + 'admin', 'token=%s&%s' % (token, form),
                     'http://evil.example') == 403, 'foreign origin')
        L.check(post(page + 'admin', 'token=%s&%s' % (token, form),
                     page.rstrip('/')) == 303, 'a good POST refused')
        L.check(f.server('web', other)['state'] == 'MAINT', 'POST no effect')
        L.check(post(page + 'admin', 'token=%s&listen=web&server=%s&'
                     'action=enable' % (token, other), page.rstrip('/'))
                == 403, 'a token worked twice')
        st, _ = get(page + 'admin?token=%s&listen=web&server=%s&'
                    'action=enable' % (token, other))
        L.check(st == 404 and f.server('web', other)['state'] == 'MAINT',
                'GET changed state (%d)' % st)
        st, body = get(page)
        L.check(st == 200 and 'value="drain"' in body, 'page: %d' % st)
    finally:
        if br:
            br.close()
        f.close()
        a.stop()
        b.stop()


if __name__ == '__main__':
    L.main(run)
