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
#include "check.h"
#include "fwd.h"
#include "listener.h"
#include "proxy.h"
#include "reload_names.h"
#include "stats_http.h"

/* How often retired sections are checked for their last session. */
#define REAP_MS 1000
/* As main.c's fit_nofile: fds kept for listeners, control, checks... */

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

struct tally {
	unsigned kept, added, removed;
};

/* What a new configuration means for the running one. */
struct plan {
	struct conf *conf;
	struct fwd_listen *ls; /* new sections */
	size_t n;
	int *lmap;  /* old section -> new one, or -1 (removed) */
	int **smap; /* per old section: old server -> new one, or -1 */
	int *fds;   /* per new bind, in order: its socket */
	struct fwd_bind **src; /* per new bind: the old one handing its fd */
	size_t n_binds;
	struct tally listens, servers, binds;
};

/* the whole socket address (common/parse.h) */
static bool sockaddr_same(const struct sockaddr_storage *a,
			  const struct sockaddr_storage *b)
{
	return sockaddr_equal((const struct sockaddr *)a,
			      (const struct sockaddr *)b, false);
}

/* Index of p in the array [base, base + n), or -1. */
static long index_in(const void *base, size_t n, size_t size, const void *p)
{
	uintptr_t b = (uintptr_t)base, q = (uintptr_t)p;

	if (!base || q < b || q >= b + n * size)
		return -1;
	return (long)((q - b) / size);
}

static void plan_free(struct plan *p, size_t n_old)
{
	size_t i;

	for (i = 0; p->smap && i < n_old; i++)
		free(p->smap[i]);
	free(p->smap);
	free(p->lmap);
	free(p->fds);
	free(p->src);
}

/* Undoes plan_make: closes what it bound, frees what it built. */
static void plan_abort(struct plan *p, size_t n_old)
{
	size_t i;

	for (i = 0; p->fds && i < p->n_binds; i++)
		if (!p->src[i] && p->fds[i] >= 0)
			close(p->fds[i]);
	listener_free(p->ls, p->n);
	conf_free(p->conf);
	plan_free(p, n_old);
}

static struct fwd_bind *old_bind(struct fwd *f, const struct plan *p,
				 const struct conf_fwd_bind *cb)
{
	size_t i, j, k;

	for (i = 0; i < f->n_listens; i++)
		for (j = 0; j < f->listens[i].n_binds; j++) {
			struct fwd_bind *b = &f->listens[i].binds[j];

			if (b->io.fd < 0 ||
			    !sockaddr_same(&b->conf->addr, &cb->addr))
				continue;
			for (k = 0; k < p->n_binds && p->src[k] != b; k++)
				;
			if (k == p->n_binds)
				return b;
		}
	return NULL;
}

/* Pairs new binds with old sockets and binds the new addresses. */
static int plan_binds(struct fwd *f, struct plan *p, char *err, size_t len)
{
	size_t i, j, total = 0;
	char addr[80];

	for (i = 0; i < p->n; i++)
		total += p->ls[i].n_binds;
	p->fds = calloc(total + 1, sizeof(*p->fds));
	p->src = calloc(total + 1, sizeof(*p->src));
	if (!p->fds || !p->src)
		return -ENOMEM;
	for (i = 0; i < p->n; i++) {
		struct fwd_listen *l = &p->ls[i];

		for (j = 0; j < l->n_binds; j++) {
			struct fwd_bind *b = old_bind(f, p, l->binds[j].conf);
			size_t k = p->n_binds;

			p->src[k] = b;
			p->fds[k] =
			    b ? b->io.fd
			      : listener_bind(l->binds[j].conf,
					      listener_backlog(l->conf));
			p->n_binds++;
			if (p->fds[k] >= 0)
				continue;
			snprintf(
			    err, len, "%s:%d: listen %s: cannot bind %s: %s",
			    f->reload->path, l->binds[j].conf->line,
			    l->conf->name,
			    sockaddr_str((const struct sockaddr *)&l->binds[j]
					     .conf->addr,
					 addr, sizeof(addr)),
			    strerror(-p->fds[k]));
			return p->fds[k];
		}
	}
	return 0;
}

static int find_listen(struct fwd_listen *ls, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(ls[i].conf->name, name) == 0)
			return (int)i;
	return -1;
}

/* A server stays when its section, name and address stay. */
static int find_server(const struct fwd_listen *l,
		       const struct conf_fwd_server *c)
{
	size_t i;

	for (i = 0; i < l->n_servers; i++)
		if (strcmp(l->servers[i].conf->name, c->name) == 0 &&
		    sockaddr_same(&l->servers[i].conf->addr, &c->addr) &&
		    l->servers[i].conf->port_follow == c->port_follow &&
		    l->servers[i].conf->port_offset == c->port_offset)
			return (int)i;
	return -1;
}

/* Maps old sections and servers to new ones and counts the changes. */
static int plan_map(struct fwd *f, struct plan *p)
{
	size_t i, j;

	p->lmap = calloc(f->n_listens + 1, sizeof(*p->lmap));
	p->smap = calloc(f->n_listens + 1, sizeof(*p->smap));
	if (!p->lmap || !p->smap)
		return -ENOMEM;
	for (i = 0; i < f->n_listens; i++) {
		struct fwd_listen *ol = &f->listens[i];
		int ni = find_listen(p->ls, p->n, ol->conf->name);

		p->lmap[i] = ni;
		p->smap[i] = calloc(ol->n_servers + 1, sizeof(*p->smap[i]));
		if (!p->smap[i])
			return -ENOMEM;
		for (j = 0; j < ol->n_servers; j++) {
			p->smap[i][j] =
			    ni < 0
				? -1
				: find_server(&p->ls[ni], ol->servers[j].conf);
			if (p->smap[i][j] < 0)
				p->servers.removed++;
			else
				p->servers.kept++;
		}
		if (ni < 0)
			p->listens.removed++;
		else
			p->listens.kept++;
	}
	p->listens.added = (unsigned)p->n - p->listens.kept;
	for (i = 0; i < p->n; i++)
		p->servers.added += (unsigned)p->ls[i].n_servers;
	p->servers.added -= p->servers.kept;
	return 0;
}

static void move_server(struct fwd_server *os, struct fwd_server *ns)
{
	/* the operator's disable/drain stays unless the file changed it */
	if (os->conf->disabled == ns->conf->disabled)
		ns->admin = os->admin;
	ns->health = os->health;
	ns->last_check_err = os->last_check_err;
	ns->last_check_ms = os->last_check_ms;
	ns->last_change_ms = os->last_change_ms;
	ns->last_change_wall = os->last_change_wall;
	ns->total = os->total;
	ns->bytes_in = os->bytes_in;
	ns->bytes_out = os->bytes_out;
	ns->connect_fail = os->connect_fail;
	ns->checks_ok = os->checks_ok;
	ns->checks_fail = os->checks_fail;
	ns->last_verdict = os->last_verdict;
	ns->last_check_dur_ms = os->last_check_dur_ms;
	ns->cert_not_after = os->cert_not_after;
	ns->cert_warned_ms = os->cert_warned_ms;
	ns->cert_mailed_ms = os->cert_mailed_ms;
	server_sync(ns);
}

/* The stick table moves with its section; entries are renumbered and
 * those of removed servers dropped. */
static void move_stick(struct fwd_listen *ol, struct fwd_listen *nl,
		       const int *smap)
{
	struct stick_table *t = &nl->stick;
	struct stick_entry *e, *next;

	if (!ol->conf->stick || !nl->conf->stick)
		return;
	stick_free(t);
	*t = ol->stick;
	if (stick_init(&ol->stick, 1, 0) < 0)
		memset(&ol->stick, 0, sizeof(ol->stick));
	for (e = t->newest; e; e = next) {
		next = e->older;
		/* false positive: smap is set once plan_map() succeeded */
		if (e->server < 0 || (size_t)e->server >= ol->n_servers ||
		    smap[e->server] < 0) /* NOLINT */
			stick_remove(t, &e->key);
		else
			e->server = smap[e->server];
	}
	t->size = nl->conf->stick_size > 0 ? (size_t)nl->conf->stick_size : 1;
	t->expire_ms = nl->conf->stick_expire_ms;
	while (t->count > t->size && t->oldest)
		stick_remove(t, &t->oldest->key);
}

static void move_listen(struct fwd_listen *ol, struct fwd_listen *nl,
			const int *smap)
{
	size_t j;

	nl->total = ol->total;
	nl->bytes_in = ol->bytes_in;
	nl->bytes_out = ol->bytes_out;
	nl->no_server = ol->no_server;
	nl->client_first = ol->client_first;
	memcpy(nl->ends, ol->ends, sizeof(nl->ends));
	for (j = 0; j < ol->n_servers; j++)
		/* false positive: smap is set once plan_map() succeeded;
		 * NOLINTNEXTLINE(clang-analyzer-core.NullDereference) */
		if (smap[j] >= 0)
			move_server(&ol->servers[j], &nl->servers[smap[j]]);
	move_stick(ol, nl, smap);
}

/* Sessions of kept sections and servers now count on the new ones;
 * the others stay on the old objects (retired, not freed). */
static void move_sessions(struct fwd *f, struct plan *p)
{
	struct session *s;

	for (s = f->sessions; s; s = s->anext) {
		long li = index_in(f->listens, f->n_listens,
				   sizeof(*f->listens), s->l);

		if (li >= 0 && p->lmap[li] >= 0) {
			s->l->cur--;
			s->l = &p->ls[p->lmap[li]];
			s->l->cur++;
		}
		if (!s->srv)
			continue;
		li = index_in(f->listens, f->n_listens, sizeof(*f->listens),
			      s->srv->l);
		if (li >= 0 && p->lmap[li] >= 0 &&
		    p->smap[li][s->srv->idx] >= 0)
			proxy_move_server(
			    s, &p->ls[p->lmap[li]]
				    .servers[p->smap[li][s->srv->idx]]);
	}
}

static void move_binds(struct fwd *f, struct plan *p)
{
	size_t i, j, k = 0;

	for (i = 0; i < p->n; i++) {
		struct fwd_listen *l = &p->ls[i];

		for (j = 0; j < l->n_binds; j++, k++) {
			struct fwd_bind *ob = p->src[k];

			if (ob) {
				/* same socket, only its epoll entry moves:
				 * clients keep queueing in its backlog */
				if (ob->active)
					loop_io_del(&f->loop, &ob->io);
				ob->active = false;
				ob->io.fd = -1;
				l->binds[j].total = ob->total;
				if (listen(p->fds[k],
					   listener_backlog(l->conf)) < 0)
					log_warn("listen %s: backlog: %s",
						 l->conf->name,
						 strerror(errno));
			} else {
				p->binds.added++;
			}
			listener_attach(&l->binds[j], p->fds[k]);
		}
	}
	p->binds.kept = (unsigned)(p->n_binds - p->binds.added);
}

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

static void warn_restart_only(const struct conf_fwd *o,
			      const struct conf_fwd *n)
{
	if (strcmp(o->control_socket, n->control_socket) != 0)
		log_warn("reload: control_socket changed; fwd keeps %s until "
			 "restarted",
			 o->control_socket);
	if ((o->user == NULL) != (n->user == NULL) ||
	    (o->user && strcmp(o->user, n->user) != 0) ||
	    (o->group == NULL) != (n->group == NULL) ||
	    (o->group && strcmp(o->group, n->group) != 0))
		log_warn("reload: user/group changed; takes effect when fwd "
			 "restarts");
}

static bool stats_same(const struct conf_fwd_stats *a,
		       const struct conf_fwd_stats *b)
{
	if (a->enabled != b->enabled)
		return false;
	if (!a->enabled)
		return true;
	if (!a->uri || !b->uri)
		return a->uri == b->uri && sockaddr_same(&a->addr, &b->addr);
	return sockaddr_same(&a->addr, &b->addr) && !strcmp(a->uri, b->uri);
}

/* The status page reads the configuration per request; only another
 * address or uri needs its socket made again. */
static void reload_stats_page(struct fwd *f, const struct conf_fwd *old)
{
	if (stats_same(&old->stats, &f->c->stats))
		return;
	stats_http_close(f);
	if (stats_http_open(f) < 0)
		log_warn("reload: the status page is off until the next "
			 "reload");
}

/* Replaces the running configuration with p's: nothing here can fail. */
static void commit(struct fwd *f, struct plan *p)
{
	struct fwd_gen *g = calloc(1, sizeof(*g));
	const char *old_vrrpd = vrrpd_path(f->conf);
	const struct conf_fwd *old_c;
	bool forget = p->listens.removed > 0;
	struct rlimit rl;
	size_t i, j;

	check_stop(f);
	move_binds(f, p);
	for (i = 0; i < f->n_listens; i++)
		if (p->lmap[i] >= 0)
			move_listen(&f->listens[i], &p->ls[p->lmap[i]],
				    p->smap[i]);
	move_sessions(f, p);
	warn_restart_only(f->c, p->conf->fwd);
	/* sockets no section binds any more; the new ones are in place */
	for (i = 0; i < f->n_listens; i++)
		for (j = 0; j < f->listens[i].n_binds; j++)
			if (f->listens[i].binds[j].io.fd >= 0) {
				p->binds.removed++;
				listener_close_bind(f, &f->listens[i].binds[j]);
			}
	if (g) {
		g->conf = f->conf;
		g->listens = f->listens;
		g->n_listens = f->n_listens;
		g->next = f->reload->retired;
		f->reload->retired = g;
	} else {
		/* out of memory: leak the old sections rather than free what
		 * sessions may still use */
		log_err("reload: out of memory; the old sections leak");
	}
	old_c = f->c;
	f->conf = p->conf;
	f->c = p->conf->fwd;
	f->listens = p->ls;
	f->n_listens = p->n;
	p->conf = NULL;
	p->ls = NULL;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0)
		fwd_fit_maxconn(f, rl.rlim_cur);
	check_start(f);
	reload_stats_page(f, old_c);
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
	size_t n_old = f->n_listens, i;
	char err[512], extra[96];
	struct sbuf sum;
	int rc;

	if (f->stopping)
		return fail(f, reply, "fwd is stopping");
	log_info("reload: reading %s", f->reload->path);
	sbuf_init(&sum);
	p.conf = load(f, &sum);
	if (!p.conf) {
		rc = fail(f, reply, sbuf_str(&sum));
		sbuf_free(&sum);
		return rc;
	}
	snprintf(err, sizeof(err), "out of memory");
	/* the first two fail only for memory; plan_binds says why in err */
	if (listener_build(f, p.conf->fwd, &p.ls, &p.n) < 0 ||
	    plan_map(f, &p) < 0 || plan_binds(f, &p, err, sizeof(err)) < 0) {
		plan_abort(&p, n_old);
		sbuf_free(&sum);
		return fail(f, reply, err);
	}
	reload_area_init(&a[0], "listeners");
	reload_area_init(&a[1], "servers");
	reload_area_init(&a[2], "binds");
	reload_names(f->listens, f->n_listens, p.ls, p.n, p.lmap, p.smap, p.src,
		     a);
	commit(f, &p);
	plan_free(&p, n_old);
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
