/* vrrpd: the VRRPv2 daemon's entry point. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "caps.h"
#include "conf_host.h"
#include "pidlock.h"
#include "privsep.h"
#include "reload.h"
#include "scriptcheck.h"
#include "smtp.h"
#include "vrrpd.h"

#define DEFAULT_CONF "/etc/vrrpd/vrrpd.conf"

struct options {
	const char *conf;
	bool check, cleanup, syslog;
	int level;
};

static void usage(FILE *to)
{
	fprintf(to,
		"usage: vrrpd [-f FILE] [-n] [-t] [-l LEVEL] [-S] [--cleanup]\n"
		"  -f FILE     configuration (default " DEFAULT_CONF ")\n"
		"  -n          run in the foreground (the only mode)\n"
		"  -t          check the configuration and exit 0 or 1\n"
		"  -l LEVEL    error, warning, info (default) or debug\n"
		"  -S          log to syslog instead of stderr\n"
		"  --cleanup   remove the configured virtual addresses and "
		"exit\n");
}

static int parse_level(const char *s)
{
	static const struct {
		const char *name;
		int level;
	} levels[] = {{"error", LOG_ERR},
		      {"warning", LOG_WARNING},
		      {"info", LOG_INFO},
		      {"debug", LOG_DEBUG}};
	size_t i;

	for (i = 0; i < sizeof(levels) / sizeof(levels[0]); i++)
		if (strcmp(s, levels[i].name) == 0)
			return levels[i].level;
	return -1;
}

static int parse_args(int argc, char **argv, struct options *o)
{
	static const struct option longs[] = {
	    {"cleanup", no_argument, NULL, 'C'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0}};
	int ch;

	o->conf = DEFAULT_CONF;
	o->level = LOG_INFO;
	while ((ch = getopt_long(argc, argv, "f:ntl:Sh", longs, NULL)) != -1) {
		switch (ch) {
		case 'f':
			o->conf = optarg;
			break;
		case 'n':
			break;
		case 't':
			o->check = true;
			break;
		case 'l':
			o->level = parse_level(optarg);
			if (o->level < 0) {
				fprintf(stderr,
					"vrrpd: unknown log level '%s'\n",
					optarg);
				return -1;
			}
			break;
		case 'S':
			o->syslog = true;
			break;
		case 'C':
			o->cleanup = true;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return -1;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return -1;
	}
	return 0;
}

static void on_stop(struct loop *loop, int signo, void *arg)
{
	(void)arg;
	log_info("signal %d: stopping", signo);
	loop_stop(loop);
}

static void on_hup(struct loop *loop, int signo, void *arg)
{
	(void)loop;
	(void)signo;
	reload_run(arg, NULL);
}

int script_user(const struct conf *c, struct run_as *out)
{
	if (c->global.script_user)
		return proc_resolve_user(c->global.script_user, out);
	proc_default_user(out);
	return 0;
}

static int daemon_setup(struct vrrpd *d)
{
	int rc;

	/* interfaces, links, scripts and instances: reload from nothing. The
	 * link watcher subscribes first: a change between the reading of a
	 * link's state and the subscription would be lost; events queued
	 * meanwhile are read once the loop runs, against that state */
	if ((rc = loop_init(&d->loop)) < 0 ||
	    (rc = procs_init(&d->procs, &d->loop)) < 0 ||
	    (rc = vip_open(d)) < 0 || (rc = garp_open(d)) < 0 ||
	    (rc = ifwatch_open(d)) < 0 || (rc = reload_startup(d)) < 0)
		return rc;
	fwdlink_init(d);
	if ((rc = anycast_setup(d)) < 0)
		return rc;
	if ((rc = control_open(d)) < 0 || (rc = smtp_open(d)) < 0)
		return rc;
	if ((rc = loop_signal(&d->loop, SIGTERM, on_stop, d)) < 0 ||
	    (rc = loop_signal(&d->loop, SIGINT, on_stop, d)) < 0 ||
	    (rc = loop_signal(&d->loop, SIGHUP, on_hup, d)) < 0)
		return rc;
	return 0;
}

static void daemon_teardown(struct vrrpd *d)
{
	size_t i;

	smtp_close(d);
	control_close(d);
	procs_free(&d->procs);
	for (i = 0; i < d->n_inst; i++)
		instance_free(&d->inst[i]);
	anycast_free(d);
	track_free(d);
	ifwatch_free(d);
	fwdlink_free(d);
	free(d->inst);
	for (i = 0; i < d->n_ifaces; i++)
		net_iface_close(d, &d->ifaces[i]);
	free(d->ifaces);
	garp_close(d);
	vip_close(d);
	loop_free(&d->loop);
	conf_free(d->conf);
}

/*
 * One vrrpd per control socket. A second one would unlink and rebind the
 * socket, remove the running Master's VIPs at start as "left from an
 * earlier run", and unlink the socket again on exit. The descriptor to
 * keep open, or -1 (said why).
 */
static int instance_lock(const struct conf *c, const char *instead)
{
	const char *sock = c->global.control_socket;
	pid_t holder;
	int fd = pidlock_take(sock, &holder);

	if (fd == -EWOULDBLOCK)
		log_err("another vrrpd (PID %ld) runs with control socket %s "
			"(it holds %s.lock); %s",
			(long)holder, sock, sock, instead);
	else if (fd < 0)
		log_err("cannot lock %s.lock: %s; %s", sock, strerror(-fd),
			instead);
	return fd < 0 ? -1 : fd;
}

/* --cleanup: what ExecStopPost runs after a crash. */
static int cleanup_vips(struct vrrpd *d)
{
	struct vrrp_instance vi;
	size_t i;
	int removed = 0, lock;

	/* never while a vrrpd runs: its VIPs are not left-overs */
	lock = instance_lock(d->conf, "--cleanup refused; stop it first");
	if (lock < 0 || vip_open(d) < 0) {
		if (lock >= 0)
			close(lock);
		conf_free(d->conf);
		return 1;
	}
	for (i = 0; i < d->conf->n_instances; i++) {
		memset(&vi, 0, sizeof(vi));
		vi.d = d;
		vi.cfg = &d->conf->instances[i];
		removed += vip_del_all(&vi);
	}
	removed += anycast_cleanup(d);
	vip_close(d);
	close(lock);
	log_info("removed %d virtual address(es)", removed);
	conf_free(d->conf);
	return 0;
}

int main(int argc, char **argv)
{
	struct vrrpd d = {.garp_fd = -1};
	struct conf_diag diag;
	struct options o = {0};
	size_t i;
	int rc, lock;

	if (parse_args(argc, argv, &o) < 0)
		return 1;
	log_init("vrrpd", o.syslog, o.level);
	signal(SIGPIPE, SIG_IGN);
	conf_diag_init(&diag);
	rc = conf_load(o.conf, o.check ? CONF_ALL : CONF_VRRP, &d.conf, &diag);
	if (rc == 0 && o.check)
		conf_check_host(d.conf, &diag);
	if (rc == 0 && !o.cleanup && script_check_all(d.conf, &diag) > 0) {
		conf_free(d.conf);
		d.conf = NULL;
		rc = -1;
	}
	fputs(sbuf_str(&diag.text), stderr);
	conf_diag_free(&diag);
	if (rc < 0) {
		fprintf(stderr, "vrrpd: %s: configuration has errors%s\n",
			o.conf, o.check ? "" : "; not starting");
		return 1;
	}
	if (o.check) {
		printf("%s: configuration OK\n", o.conf);
		conf_free(d.conf);
		return 0;
	}
	if (o.cleanup)
		return cleanup_vips(&d);
	if (d.conf->n_instances == 0 && d.conf->n_anycast == 0)
		log_warn("%s: no vrrp_instance configured", o.conf);

	/* first, while we hold no descriptor the scripts could inherit */
	if (privsep_start(&d.procs, d.conf) < 0) {
		conf_free(d.conf);
		return 1;
	}
	/* before the socket and the VIPs are touched */
	lock = instance_lock(d.conf, "not starting");
	if (lock < 0) {
		privsep_abort(&d.procs);
		conf_free(d.conf);
		return 1;
	}
	rc = daemon_setup(&d);
	if (rc == 0)
		rc = caps_drop_main();
	if (rc < 0) {
		daemon_teardown(&d);
		close(lock);
		return 1;
	}
	log_info("started with %zu instance(s), router_id %s", d.n_inst,
		 d.conf->global.router_id);
	for (i = 0; i < d.n_inst; i++)
		instance_start(&d.inst[i]);
	anycast_start(&d);
	rc = loop_run(&d.loop);
	if (rc < 0)
		log_err("event loop: %s", strerror(-rc));
	for (i = 0; i < d.n_inst; i++)
		instance_stop(&d.inst[i]);
	anycast_stop(&d);
	daemon_teardown(&d);
	close(lock);
	log_info("stopped");
	return rc < 0 ? 1 : 0;
}
