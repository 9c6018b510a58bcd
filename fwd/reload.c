#include "reload.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../common/parse.h"
#include "../common/reload_reply.h"
#include "../conf/conf_bound.h"
#include "../conf/conf_fwd_diff.h"
#include "check.h"
#include "fwd.h"
#include "install.h"
#include "kpath_sess.h"
#include "listener.h"
#include "proxy.h"
#include "reload_names.h"
#include "server.h"
#include "stats_http.h"

/* How often retired sections are checked for their last session. */
#define REAP_MS 1000

/* Sections replaced by a reload, kept while sessions still use them. */
struct fwd_gen {
	struct conf *conf;
	struct fwd_listen *listens;
	size_t n_listens;
	struct fwd_gen *next;
};

struct fwd_reload {
	char *path;
	struct fwd_gen *retired;
	struct loop_timer reap_timer;
	uint64_t reloads, failures;
};

static bool gen_busy(const struct fwd_gen *g)
{
	size_t i, j;

	for (i = 0; i < g->n_listens; i++) {
		if (g->listens[i].cur)
			return true;
		for (j = 0; j < g->listens[i].n_servers; j++)
			if (g->listens[i].servers[j].cur)
				return true;
	}
	return false;
}

static void gen_free(struct fwd_gen *g)
{
	listener_free(g->listens, g->n_listens);
	conf_free(g->conf);
	free(g);
}

static void reap(struct fwd *f)
{
	struct fwd_reload *r = f->reload;
	struct fwd_gen **pp = &r->retired, *g;

	while ((g = *pp)) {
		if (gen_busy(g)) {
			pp = &g->next;
			continue;
		}
		*pp = g->next;
		log_debug("reload: the last session of a replaced "
			  "configuration ended; freeing it");
		gen_free(g);
	}
	if (r->retired)
		loop_timer_at(&f->loop, &r->reap_timer,
			      f->loop.now_ms + REAP_MS);
}

static void reap_timer(struct loop *loop, struct loop_timer *t)
{
	(void)loop;
	reap(t->arg);
}

static const char *vrrpd_path(const struct conf *c)
{
	return c->fwd->vrrpd_socket ? c->fwd->vrrpd_socket
				    : c->global.control_socket;
}

static void warn_restart_only(const struct conf_fwd_change *ch,
			      const struct conf_fwd *o)
{
	if (ch->control_socket)
		log_warn("reload: control_socket changed; fwd keeps %s until "
			 "restarted",
			 o->control_socket);
	if (ch->identity)
		log_warn("reload: user/group changed; takes effect when fwd "
			 "restarts");
}

/* The status page reads the configuration per request; only another
 * address or uri needs its socket made again. */
static void reload_stats_page(struct fwd *f, const struct conf_fwd_change *ch)
{
	if (!ch->stats)
		return;
	stats_http_close(f);
	if (stats_http_open(f) < 0)
		log_warn("reload: the status page is off until the next "
			 "reload");
}

/* Keeps the sections install() replaced until their last session ends. */
static void retire(struct fwd *f, const struct plan *p)
{
	struct fwd_gen *g;

	if (!p->old_conf)
		return; /* start-up: nothing was replaced */
	g = calloc(1, sizeof(*g));
	if (!g) {
		/* out of memory: leak the old sections rather than free what
		 * sessions may still use */
		log_err("reload: out of memory; the old sections leak");
		return;
	}
	g->conf = p->old_conf;
	g->listens = p->old_ls;
	g->n_listens = p->n_old;
	g->next = f->reload->retired;
	f->reload->retired = g;
}

/* Replaces the running configuration with p's: nothing here can fail. */
static void commit(struct fwd *f, struct plan *p)
{
	const char *old_vrrpd = vrrpd_path(f->conf);
	bool forget = p->listens.removed > 0;

	check_stop(f);
	warn_restart_only(&p->ch, f->c);
	kpath_sess_reload(f, p->conf->fwd);
	install(f, p);
	retire(f, p);
	check_start(f);
	reload_stats_page(f, &p->ch);
	if (strcmp(old_vrrpd ? old_vrrpd : "",
		   vrrpd_path(f->conf) ? vrrpd_path(f->conf) : "") != 0)
		log_info("reload: vrrpd_socket is now %s",
			 vrrpd_path(f->conf) ? vrrpd_path(f->conf) : "none");
	vrrplink_reload(f, vrrpd_path(f->conf), forget);
	listener_sync(f);
	reap(f);
}

static unsigned retired_sessions(const struct fwd *f)
{
	const struct fwd_gen *g;
	unsigned n = 0;
	size_t i, j;

	for (g = f->reload->retired; g; g = g->next)
		for (i = 0; i < g->n_listens; i++) {
			n += g->listens[i].cur;
			for (j = 0; j < g->listens[i].n_servers; j++)
				n += g->listens[i].servers[j].cur;
		}
	return n;
}

/* errors: one per line; the first is logged here, all were by load() */
static int fail(struct fwd *f, struct sbuf *reply, const char *errors)
{
	f->reload->failures++;
	log_err("reload failed; the running configuration is kept: %.*s",
		(int)strcspn(errors, "\n"), errors);
	reload_reply_fail(reply, errors);
	return -1;
}

/* Loads the file; problems are logged one per line, and the errors
 * also go to err, one per line. */
static struct conf *load(struct fwd *f, struct sbuf *err)
{
	struct conf_diag diag;
	struct conf *c = NULL;
	char *line, *save = NULL;
	int rc;

	conf_diag_init(&diag);
	rc = conf_load_bounded(f->reload->path, CONF_FWD, CONF_RELOAD_BUDGET_MS,
			       &c, &diag);
	for (line = strtok_r((char *)sbuf_str(&diag.text), "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (rc < 0)
			log_err("%s", line);
		else
			log_warn("%s", line);
		if (rc < 0)
			sbuf_printf(err, "%s\n", line);
	}
	conf_diag_free(&diag);
	if (rc < 0 && !err->len)
		sbuf_printf(err, "%s: cannot load\n", f->reload->path);
	if (rc < 0)
		return NULL;
	if (!c->fwd) {
		sbuf_printf(err, "%s:0: no 'forwarder' section\n",
			    f->reload->path);
		conf_free(c);
		return NULL;
	}
	return c;
}

int reload_run(struct fwd *f, struct sbuf *reply)
{
	struct reload_area a[3];
	struct plan p = {0};
	struct conf *conf;
	size_t i;
	char err[512], extra[96];
	struct sbuf sum;
	int rc;

	if (f->stopping)
		return fail(f, reply, "fwd is stopping");
	log_info("reload: reading %s", f->reload->path);
	sbuf_init(&sum);
	conf = load(f, &sum);
	if (!conf) {
		rc = fail(f, reply, sbuf_str(&sum));
		sbuf_free(&sum);
		return rc;
	}
	if (plan_make(f, &p, conf, f->reload->path, err, sizeof(err)) < 0) {
		sbuf_free(&sum);
		return fail(f, reply, err);
	}
	reload_area_init(&a[0], "listeners");
	reload_area_init(&a[1], "servers");
	reload_area_init(&a[2], "binds");
	reload_names(f->listens, f->n_listens, p.ls, p.n, p.lmap, p.smap, p.src,
		     a);
	commit(f, &p);
	plan_free(&p);
	f->reload->reloads++;
	snprintf(extra, sizeof(extra),
		 "\"retired_sessions\":%u,\"reloads\":%llu",
		 retired_sessions(f), (unsigned long long)f->reload->reloads);
	reload_reply_ok(&sum, a, 3, extra);
	log_info("reload done: %.*s", (int)sum.len - 1, sbuf_str(&sum));
	sbuf_puts(reply, sbuf_str(&sum));
	for (i = 0; i < 3; i++)
		reload_area_free(&a[i]);
	sbuf_free(&sum);
	return 0;
}

int reload_start(struct fwd *f, struct conf *conf)
{
	struct plan p = {0};
	char err[512];
	int rc;

	rc = plan_make(f, &p, conf, f->reload->path, err, sizeof(err));
	if (rc < 0) {
		log_err("%s; not starting", err);
		return rc;
	}
	install(f, &p);
	plan_free(&p);
	listener_sync(f);
	return 0;
}

int reload_init(struct fwd *f, const char *path)
{
	struct fwd_reload *r = calloc(1, sizeof(*r));

	if (!r)
		return -ENOMEM;
	r->path = realpath(path, NULL);
	if (!r->path)
		r->path = strdup(path);
	if (!r->path) {
		free(r);
		return -ENOMEM;
	}
	loop_timer_init(&r->reap_timer, reap_timer, f);
	f->reload = r;
	return 0;
}

void reload_free(struct fwd *f)
{
	struct fwd_reload *r = f->reload;
	struct fwd_gen *g;

	if (!r)
		return;
	loop_timer_cancel(&f->loop, &r->reap_timer);
	while ((g = r->retired)) {
		r->retired = g->next;
		gen_free(g);
	}
	free(r->path);
	free(r);
	f->reload = NULL;
}
