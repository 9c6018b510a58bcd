#!/usr/bin/python3
"""Golden-file test of vrrpd-import (issue #13) for one case directory.

The case holds keepalived.conf and/or haproxy.cfg; vrrpd-import runs in
that directory (so FILE:LINE names the files as the user wrote them) and
its output and its messages must equal expected.conf and expected.err.
Then the output must pass `vrrpd -t` and `fwd -t` (without a haproxy.cfg
there is no forwarder section, and fwd -t must say exactly that).

  golden.py IMPORT VRRPD FWD CASEDIR [--update]
"""
import os
import subprocess
import sys
import tempfile


def run(cmd, cwd=None):
    p = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True,
                       timeout=30)
    return p.returncode, p.stdout, p.stderr


def main():
    imp, vrrpd, fwd, case = [os.path.abspath(a) for a in sys.argv[1:5]]
    update = '--update' in sys.argv[5:]
    args = [imp]
    if os.path.exists(os.path.join(case, 'keepalived.conf')):
        args += ['--keepalived', 'keepalived.conf']
    has_hap = os.path.exists(os.path.join(case, 'haproxy.cfg'))
    if has_hap:
        args += ['--haproxy', 'haproxy.cfg']
    rc, out, err = run(args, cwd=case)
    fail = []
    if rc != 0:
        fail.append('vrrpd-import exited %d:\n%s' % (rc, err))
    for name, got in (('expected.conf', out), ('expected.err', err)):
        path = os.path.join(case, name)
        if update:
            with open(path, 'w') as f:
                f.write(got)
            continue
        with open(path) as f:
            want = f.read()
        if want != got:
            d = subprocess.run(['diff', '-u', path, '-'], input=got,
                               capture_output=True, text=True).stdout
            fail.append('%s differs:\n%s' % (name, d))
    with tempfile.TemporaryDirectory() as tmp:
        conf = os.path.join(tmp, 'vrrpd.conf')
        with open(conf, 'w') as f:
            f.write(out)
        os.chmod(conf, 0o600)
        rc, o, e = run([vrrpd, '-t', '-f', conf])
        if rc != 0:
            fail.append('vrrpd -t failed (%d): %s%s' % (rc, o, e))
        rc, o, e = run([fwd, '-t', '-f', conf])
        if has_hap and rc != 0:
            fail.append('fwd -t failed (%d): %s%s' % (rc, o, e))
        if not has_hap and (rc != 1 or "no 'forwarder' section" not in e):
            fail.append('fwd -t without a forwarder: %d %s%s' % (rc, o, e))
    # the same import with --strict: exit 1 exactly when there were
    # warnings, and then nothing on stdout
    rc, out2, err2 = run(args + ['--strict'], cwd=case)
    warned = ': warning: ' in err
    if rc != (1 if warned else 0) or (warned and out2):
        fail.append('--strict: exit %d with warnings=%s' % (rc, warned))
    if fail:
        print('\n'.join(fail))
        sys.exit(1)
    print('ok %s' % os.path.basename(case))


if __name__ == '__main__':
    main()
