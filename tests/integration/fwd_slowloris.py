#!/usr/bin/python3
"""fwd under a connection flood, as many connections as one process can
hold here: clients that connect and say nothing, clients that drip one
byte a second and then stop, clients that send half a request and reset
(SO_LINGER 0), and normal clients, spread over several processes.
Asserts: `timeout client` reclaims every stalled connection (seen by the
clients) and none that still drips; maxconn holds while loaded (stats
never show more, the excess waits in the backlog and is served later);
normal clients are all served during the attack; afterwards no session,
no extra fd, and RSS back within RSS_SLACK of the value before.

Size: the hard open files limit is 20,000 per process and fwd needs two
descriptors per proxied connection (plus 64 kept in reserve), so one fwd
holds at most 9,968 connections; MAXCONN is set just below that."""

import time

import fwdlab as L
import fwdstress as S

MAXCONN = 9000
TIMEOUT = 3  # timeout client, seconds
STALL = (3000, 3000, 3000)  # one process each
# drip for longer than TIMEOUT: a drip that did not reset the timer
# would close before DRIP_SECS
DRIP, DRIP_SECS = (1000, 1000), 5  # 11,000 in all: 2,000 over maxconn
# resetters and normal clients run this long: past the last drip and
# the stalls that waited in the backlog (accepted at ~TIMEOUT)
ATTACK_SECS = 9
# KiB. Without malloc_trim it grew by ~4 MiB. With this round's session
# fields it ends 300-1,080 KiB above the start after ~55,000 connections
# (heap fragmentation: LeakSanitizer and valgrind_pair find no leak), so
# 1 MiB failed now and then; 2 MiB still catches a leak of 40 bytes a
# connection.
RSS_SLACK = 2048


def run():
    ns = L.NetNS('slow')
    procs, holders, f = [], [], None
    try:
        bport, fport = 8080, 8000
        be = S.spawn('echo', '127.0.0.1', bport, netns=ns.name)
        procs.append(be)
        S.first_line(be, 'back end')
        f = L.Fwd('''maxconn = %d;
          timeout = { connect = "2s"; client = "%ds"; server = "60s"; };
          listen = { flood = { bind = "127.0.0.1:%d"; maxconn = %d;
            server = { s = { address = "127.0.0.1:%d"; }; }; }; };'''
                  % (MAXCONN, TIMEOUT, fport, MAXCONN, bport),
                  netns=ns.name)
        pid = f.proc.pid
        L.check(f.stats()['maxconn'] == MAXCONN, 'maxconn %s' %
                f.stats()['maxconn'])
        # warm up allocator and pools a little, then take the baseline
        w = S.spawn('normal', '127.0.0.1', fport, 0.5, netns=ns.name)
        S.result(w)
        st0 = f.stats()
        time.sleep(0.2)  # fwd closes the control connection
        fds0, rss0 = S.fd_count(pid), S.rss_kib(pid)

        t0 = time.time()
        for n in STALL:
            holders.append(('stall', n, S.spawn(
                'hold', '127.0.0.1', fport, n, 'stall', netns=ns.name)))
        for n in DRIP:
            holders.append(('drip', n, S.spawn(
                'hold', '127.0.0.1', fport, n, 'drip', DRIP_SECS,
                netns=ns.name)))
        others = [S.spawn(k, '127.0.0.1', fport, ATTACK_SECS, netns=ns.name)
                  for k in ('reset', 'reset', 'normal', 'normal')]
        procs += others + [p for _, _, p in holders]
        for _, _, p in holders:
            S.first_line(p, 'holder')
        max_cur, full_seen, t_full = 0, False, None
        while time.time() < t0 + ATTACK_SECS:
            st = f.stats()
            max_cur = max(max_cur, st['cur'])
            if st['listeners'][0]['state'] == 'FULL' and not full_seen:
                full_seen, t_full = True, time.time() - t0
            time.sleep(0.05)
        res = [S.result(p) for p in others]
        # after the attack: everything stalled is reclaimed
        deadline = time.time() + 2 * TIMEOUT + 5
        while f.stats()['cur'] and time.time() < deadline:
            time.sleep(0.1)
        t_zero = time.time() - t0
        st = f.stats()
        held = [(k, n, S.result(p)) for k, n, p in holders]
        print('max cur %d (maxconn %d), full at %s s, zero at %.1f s' %
              (max_cur, MAXCONN, t_full and round(t_full, 1), t_zero))
        for k, n, r in held:
            print('  %-5s %s' % (k, r))
        for r in res:
            print('  %s' % r)
        L.check(st['cur'] == 0, 'sessions left %.1f s after the attack: '
                '%s' % (t_zero - ATTACK_SECS, st))
        L.check(t_zero <= ATTACK_SECS + TIMEOUT + 2,
                'last session closed %.1f s after the attack' %
                (t_zero - ATTACK_SECS))
        L.check(max_cur == MAXCONN and full_seen,
                'maxconn: max cur %d, FULL seen %s' % (max_cur, full_seen))
        for k, n, r in held:
            L.check(r['closed'] == n, '%s: %d of %d closed by fwd' %
                    (k, r['closed'], n))
            # lifetimes count from connect(): a SYN retried by the
            # kernel or a wait in the backlog (maxconn) comes on top
            lo, hi = {'stall': (TIMEOUT, 3 * TIMEOUT + 3),
                      'drip': (DRIP_SECS, DRIP_SECS + TIMEOUT + 3)}[k]
            L.check(lo - 0.2 <= r['life_min'] and r['life_max'] <= hi,
                    '%s: lifetimes %s..%s s, want %s..%s' %
                    (k, r['life_min'], r['life_max'], lo, hi))
        for r in res[:2]:
            L.check(r['n'] > 100 and r['fails'] == 0, 'resetters: %s' % r)
        for r in res[2:]:
            L.check(r['n'] > 20 and r['fails'] == 0,
                    'normal clients: %s' % r)
        L.check(st['total'] - st0['total'] >= sum(STALL) + sum(DRIP),
                'total %d' % st['total'])

        st = f.stats()
        time.sleep(0.2)
        fds, rss = S.fd_count(pid), S.rss_kib(pid)
        want = fds0 + 2 * (st['pipes_idle'] - st0['pipes_idle'])
        print('fds %d before, %d after; RSS %d KiB before, %d after; '
              'connections %d' % (fds0, fds, rss0, rss,
                                  st['total'] - st0['total']))
        L.check(fds == want, 'fds %d, want %d' % (fds, want))
        S.check_rss(pid, rss0, rss, RSS_SLACK, 'after the attack')
    finally:
        S.teardown(f, procs, ns)


if __name__ == '__main__':
    L.main(run)
