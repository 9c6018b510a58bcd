/*
 * fwd: a TCP forwarder for the VIP (DESIGN.md). Reads the forwarder
 * section, binds, drops root, then runs one event loop.
 */
#include <errno.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "check.h"
#include "control.h"
#include "fwd.h"
#include "kpath_sess.h"
#include "listener.h"
#include "pidlock.h"
#include "proxy.h"
#include "reload.h"
#include "stats_http.h"

#define STICK_PURGE_MS 10000
#define IDLE_PIPES     256
/* fds kept for listeners, control clients, checks, epoll, logging */
#define FD_RESERVE 64

static void usage(FILE *out)
{
	fprintf(out,
		"usage: fwd [-t] [-n] [-d] [-S] [-s|-c] -f FILE\n"
		"  -f FILE  configuration (the 'forwarder' section is read)\n"
		"  -t       check the configuration and exit (0 valid, 1 not)\n"
		"  -n       stay in the foreground and log to stderr\n"
		"  -S       log to syslog instead of stderr (as vrrpd -S)\n"
		"  -d       debug logging\n"
		"  -s       move bulk data with splice() (default: copy)\n"
		"  -c       never splice(): copy (the default)\n");
}

static void fwd_free(struct fwd *f)
{
	reload_free(f);
	kpath_sess_stop(f);
	listener_free(f->listens, f->n_listens);
	pipes_free(&f->pipes);
	loop_free(&f->loop);
	conf_free(f->conf);
	free(f);
}

/* Connections that nofile descriptors hold: two sockets each, after
 * FD_RESERVE. */
static long maxconn_fit(rlim_t nofile)
{
	long fit = ((long)nofile - FD_RESERVE) / 2;

	return fit < 1 ? 1 : fit;
}

void fwd_fit_maxconn(struct fwd *f, rlim_t nofile)
{
	long fit = maxconn_fit(nofile);

	f->maxconn = f->c->maxconn;
	if (fit < f->maxconn) {
		log_warn("open files limit %llu fits %ld connections; "
			 "maxconn %ld lowered to %ld",
			 (unsigned long long)nofile, fit, f->c->maxconn, fit);
		f->maxconn = fit;
	}
	/* what is left is for pipes, two fds each */
	fit = ((long)nofile - FD_RESERVE) / 2 - f->maxconn;
	f->pipes.limit = fit > 0 ? (size_t)fit : 0;
}

/* Raises the open files limit towards what maxconn needs; 0 or -1. */
static int raise_nofile(long maxconn, struct rlimit *out)
{
	rlim_t need = (rlim_t)maxconn * 4 + 1024;
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return -1;
	if (rl.rlim_cur < need) {
		struct rlimit want = rl;

		if (want.rlim_max < need && geteuid() == 0)
			want.rlim_max = need;
		want.rlim_cur = need < want.rlim_max ? need : want.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &want) < 0) {
			/* no CAP_SYS_RESOURCE: up to the hard limit only */
			want.rlim_max = rl.rlim_max;
			want.rlim_cur = need < rl.rlim_max ? need : rl.rlim_max;
			if (setrlimit(RLIMIT_NOFILE, &want) < 0)
				want = rl;
		}
		rl = want;
	}
	*out = rl;
	return 0;
}

/*
 * Each session needs two sockets, and two pipes while bulk data flows.
 * Raises the open files limit as far as allowed, then lowers maxconn to
 * what fits, so a full forwarder stops accepting (clients wait in the
 * backlog) instead of running into EMFILE.
 */
static void fit_nofile(struct fwd *f, const struct conf_fwd *c)
{
	struct rlimit rl;

	f->maxconn = c->maxconn;
	f->pipes.limit = (size_t)-1;
	if (raise_nofile(c->maxconn, &rl) < 0)
		return;
	/* maxconn itself is fitted when the sections are installed */
	f->idle_pipes =
	    rl.rlim_cur / 16 < IDLE_PIPES ? rl.rlim_cur / 16 : IDLE_PIPES;
}

/*
 * Of root's powers only CAP_NET_BIND_SERVICE is kept, so that a reload
 * can bind a new port below 1024; everything else goes, also from the
 * bounding set (best effort: needs CAP_SETPCAP).
 */
static int keep_bind_cap(bool before)
{
	cap_value_t keep = CAP_NET_BIND_SERVICE;
	cap_t caps;
	int rc = 0;

	if (before) {
		for (cap_value_t v = 0; v <= CAP_LAST_CAP; v++)
			if (v != keep && CAP_IS_SUPPORTED(v))
				cap_drop_bound(v);
		return prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0);
	}
	caps = cap_init();
	if (!caps || cap_set_flag(caps, CAP_PERMITTED, 1, &keep, CAP_SET) < 0 ||
	    cap_set_flag(caps, CAP_EFFECTIVE, 1, &keep, CAP_SET) < 0)
		rc = -1;
	else if (cap_set_proc(caps) < 0) {
		/* not ours to keep (a bounding set without it): drop all */
		log_warn("cannot keep CAP_NET_BIND_SERVICE (%s); a reload "
			 "cannot bind ports below 1024",
			 strerror(errno));
		rc = cap_clear(caps) < 0 ? -1 : cap_set_proc(caps);
	}
	if (caps)
		cap_free(caps);
	prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0);
	return rc;
}

/* After binding: fwd needs no privilege to move bytes. */
static int drop_privileges(struct fwd *f)
{
	const struct conf_fwd *c = f->c;

	if (!c->user && !c->group)
		return 0;
	if (geteuid() != 0) {
		log_warn("user/group configured but not started as root; "
			 "keeping uid %u",
			 (unsigned)geteuid());
		return 0;
	}
	/* let the configured user reach its own control socket */
	if (f->ctl_open &&
	    chown(c->control_socket, c->user ? c->uid : 0,
		  c->control_socket_group ? c->control_socket_gid : c->gid) < 0)
		log_warn("chown %s: %s", c->control_socket, strerror(errno));
	if ((c->user && keep_bind_cap(true) < 0) || setgroups(1, &c->gid) < 0 ||
	    setgid(c->gid) < 0 || (c->user && setuid(c->uid) < 0) ||
	    (c->user && keep_bind_cap(false) < 0)) {
		log_err("cannot drop privileges to %s:%s: %s",
			c->user ? c->user : "root", c->group ? c->group : "-",
			strerror(errno));
		return -errno;
	}
	if (c->user && setuid(0) == 0) {
		log_err("could regain root after dropping it; refusing to run");
		return -EPERM;
	}
	log_info("running as uid %u gid %u", (unsigned)getuid(),
		 (unsigned)getgid());
	return 0;
}

/* -t: what fit_nofile() will do at start, said now (this process's
 * limits are the service's when systemd's ExecReload runs the check). */
static void check_nofile(const char *path, const struct conf_fwd *c)
{
	struct rlimit rl;
	long fit;

	if (raise_nofile(c->maxconn, &rl) < 0)
		return;
	fit = maxconn_fit(rl.rlim_cur);
	if (fit < c->maxconn)
		fprintf(stderr,
			"%s:0: warning: maxconn %ld: the open files limit "
			"here is %llu (hard limit %llu), which fits %ld "
			"connections; fwd will lower maxconn to %ld at start "
			"(raise LimitNOFILE= or ulimit -n to %ld)\n",
			path, c->maxconn, (unsigned long long)rl.rlim_cur,
			(unsigned long long)rl.rlim_max, fit, fit,
			c->maxconn * 2 + FD_RESERVE);
}

static void grace_over(struct loop *loop, struct loop_timer *t)
{
	struct fwd *f = t->arg;

	log_info("grace period over; closing %u session(s)", f->cur);
	proxy_close_all(f);
	loop_stop(loop);
}

static void on_stop(struct loop *loop, int signo, void *arg)
{
	struct fwd *f = arg;

	if (f->stopping)
		return;
	f->stopping = true;
	listener_close(f);
	check_stop(f);
	/* tell vrrpd now, not after the grace period: we no longer accept */
	vrrplink_stop(f);
	if (list_empty(&f->sessions)) {
		log_info("signal %d: no open session; exiting", signo);
		loop_stop(loop);
		return;
	}
	log_info("signal %d: stopped accepting; waiting up to %lld ms for "
		 "%u session(s)",
		 signo, (long long)f->c->grace_ms, f->cur);
	loop_timer_at(loop, &f->grace_timer, loop->now_ms + f->c->grace_ms);
}

static void on_hup(struct loop *loop, int signo, void *arg)
{
	struct sbuf reply;

	(void)loop;
	(void)signo;
	sbuf_init(&reply);
	reload_run(arg, &reply); /* logs its outcome */
	sbuf_free(&reply);
}

static void stick_purge(struct loop *loop, struct loop_timer *t)
{
	struct fwd *f = t->arg;
	size_t i;

	for (i = 0; i < f->n_listens; i++)
		stick_expire(&f->listens[i].stick, loop->now_ms);
	loop_timer_at(loop, t, loop->now_ms + STICK_PURGE_MS);
}

/*
 * One fwd per control socket: a second one would take the socket (and
 * with it the stats and the reloads) and bind the same ports. The
 * descriptor to keep open, or -errno (said why).
 */
static int instance_lock(const char *sock)
{
	pid_t holder;
	int fd = pidlock_take(sock, &holder);

	if (fd == -EWOULDBLOCK)
		log_err("another fwd (PID %ld) runs with control socket %s "
			"(it holds %s.lock); not starting",
			(long)holder, sock, sock);
	else if (fd < 0)
		log_err("cannot lock %s.lock: %s; not starting", sock,
			strerror(-fd));
	return fd;
}

/* Runs fwd with conf (taken over) until it stops. */
static int fwd_run(struct fwd *f, struct conf *conf)
{
	int rc, lock;

	lock = instance_lock(conf->fwd->control_socket);
	if (lock < 0) {
		conf_free(conf);
		return lock;
	}
	fit_nofile(f, conf->fwd);
	signal(SIGPIPE, SIG_IGN);
	pipes_init(&f->pipes, f->idle_pipes);
	loop_timer_init(&f->grace_timer, grace_over, f);
	loop_timer_init(&f->stick_timer, stick_purge, f);
	loop_timer_init(&f->again_timer, proxy_run_again, f);
	listener_init(f);
	if ((rc = reload_start(f, conf)) < 0 || (rc = control_open(f)) < 0 ||
	    (rc = stats_http_open(f)) < 0)
		goto out;
	/* as root: loading the program needs CAP_BPF, CAP_NET_ADMIN and
	 * CAP_PERFMON */
	if ((rc = kpath_sess_start(f)) < 0)
		goto out;
	/* before dropping root: vrrpd's socket is root's, mode 0600 */
	vrrplink_start(f, f->c->vrrpd_socket ? f->c->vrrpd_socket
					     : f->conf->global.control_socket);
	if ((rc = drop_privileges(f)) < 0)
		goto out;
	if ((rc = loop_signal(&f->loop, SIGTERM, on_stop, f)) < 0 ||
	    (rc = loop_signal(&f->loop, SIGINT, on_stop, f)) < 0 ||
	    (rc = loop_signal(&f->loop, SIGHUP, on_hup, f)) < 0) {
		log_err("signalfd: %s", strerror(-rc));
		goto out;
	}
	check_start(f);
	f->start_ms = f->loop.now_ms;
	loop_timer_at(&f->loop, &f->stick_timer,
		      f->loop.now_ms + STICK_PURGE_MS);
	log_info("fwd started: %zu listen section(s), maxconn %ld, %s",
		 f->n_listens, f->maxconn, f->use_splice ? "splice" : "copy");
	rc = loop_run(&f->loop);
	if (rc < 0)
		log_err("event loop: %s", strerror(-rc));
	else
		log_info("fwd stopped");
out:
	vrrplink_stop(f);
	check_stop(f);
	listener_close(f);
	f->stopping = true;
	proxy_close_all(f);
	stats_http_close(f);
	control_close(f);
	close(lock);
	sesslog_out_close(&f->slog);
	return rc;
}

int main(int argc, char **argv)
{
	const char *path = NULL;
	char *abs_path = NULL;
	bool test = false, foreground = false, debug = false, splice = false;
	bool use_syslog = false;
	struct conf_diag diag;
	struct conf *conf;
	struct fwd *f;
	int opt, rc;

	while ((opt = getopt(argc, argv, "f:tndscSh")) != -1) {
		switch (opt) {
		case 'f':
			path = optarg;
			break;
		case 't':
			test = true;
			break;
		case 'n':
			foreground = true;
			break;
		case 'd':
			debug = true;
			break;
		case 's':
			splice = true;
			break;
		case 'S':
			/* -S meant "never splice" before it meant syslog as
			 * in vrrpd: it still cancels an earlier -s */
			use_syslog = true;
			splice = false;
			break;
		case 'c':
			splice = false;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (!path || optind != argc) {
		usage(stderr);
		return 2;
	}
	conf_diag_init(&diag);
	rc = conf_load(path, CONF_FWD, &conf, &diag);
	fputs(sbuf_str(&diag.text), stderr);
	conf_diag_free(&diag);
	if (rc == 0 && !conf->fwd) {
		fprintf(stderr, "%s:0: no 'forwarder' section\n", path);
		conf_free(conf);
		rc = -1;
	}
	/* the same words as vrrpd -t */
	if (rc < 0) {
		fprintf(stderr, "fwd: %s: configuration has errors%s\n", path,
			test ? "" : "; not starting");
		return 1;
	}
	if (test) {
		check_nofile(path, conf->fwd);
		printf("%s: configuration OK\n", path);
		conf_free(conf);
		return 0;
	}
	/* for reloads: daemon() moves to / */
	abs_path = realpath(path, NULL);
	log_init("fwd", !foreground || use_syslog,
		 debug ? LOG_DEBUG : LOG_INFO);
	if (!foreground && daemon(0, 0) < 0) {
		fprintf(stderr, "daemon: %s\n", strerror(errno));
		conf_free(conf);
		free(abs_path);
		return 1;
	}
	f = calloc(1, sizeof(*f));
	if (!f || loop_init(&f->loop) < 0) {
		fprintf(stderr, "out of memory\n");
		free(f);
		conf_free(conf);
		free(abs_path);
		return 1;
	}
	list_init(&f->sessions);
	list_init(&f->again);
	f->use_splice = splice;
	sesslog_out_init(&f->slog, &f->loop, !foreground);
	rc = reload_init(f, abs_path ? abs_path : path);
	free(abs_path);
	if (rc < 0) {
		log_err("out of memory");
		conf_free(conf);
		fwd_free(f);
		return 1;
	}
	rc = fwd_run(f, conf);
	fwd_free(f);
	return rc < 0 ? 1 : 0;
}
