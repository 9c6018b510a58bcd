#include "install.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../common/parse.h"
#include "listener.h"
#include "proxy.h"
#include "server.h"

/* Index of p in the array [base, base + n), or -1. */
static long index_in(const void *base, size_t n, size_t size, const void *p)
{
	uintptr_t b = (uintptr_t)base, q = (uintptr_t)p;

	if (!base || q < b || q >= b + n * size)
		return -1;
	return (long)((q - b) / size);
}

void plan_free(struct plan *p)
{
	conf_fwd_change_free(&p->ch);
	p->lmap = NULL;
	p->smap = NULL;
	free(p->fds);
	free(p->src);
}

/* Undoes plan_make: closes what it bound, frees what it built. */
static void plan_abort(struct plan *p)
{
	size_t i;

	for (i = 0; p->fds && i < p->n_binds; i++)
		if (!p->src[i] && p->fds[i] >= 0)
			close(p->fds[i]);
	listener_free(p->ls, p->n);
	conf_free(p->conf);
	plan_free(p);
}

/* An open socket of the old sections for cb's address, not yet taken. */
static struct fwd_bind *old_bind(struct fwd_listen *old, size_t n_old,
				 const struct plan *p,
				 const struct conf_fwd_bind *cb)
{
	size_t i, j, k;

	for (i = 0; i < n_old; i++)
		for (j = 0; j < old[i].n_binds; j++) {
			struct fwd_bind *b = &old[i].binds[j];

			if (b->io.fd < 0 ||
			    !sockaddr_equal(
				(const struct sockaddr *)&b->conf->addr,
				(const struct sockaddr *)&cb->addr, false))
				continue;
			for (k = 0; k < p->n_binds && p->src[k] != b; k++)
				;
			if (k == p->n_binds)
				return b;
		}
	return NULL;
}

/* Pairs new binds with old sockets (none at start) and binds the new
 * addresses; path names the file in err. */
static int plan_binds(struct plan *p, struct fwd_listen *old, size_t n_old,
		      const char *path, char *err, size_t len)
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
			struct fwd_bind *b =
			    old_bind(old, n_old, p, l->binds[j].conf);
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
			    path, l->binds[j].conf->line, l->conf->name,
			    sockaddr_str((const struct sockaddr *)&l->binds[j]
					     .conf->addr,
					 addr, sizeof(addr)),
			    strerror(-p->fds[k]));
			return p->fds[k];
		}
	}
	return 0;
}

/* Maps old sections and servers (old NULL: none) to new ones and
 * counts the changes. */
static int plan_map(struct plan *p, const struct conf_fwd *old)
{
	const struct conf_fwd_change *ch = &p->ch;

	if (conf_fwd_change(old, p->conf->fwd, &p->ch) < 0)
		return -ENOMEM;
	p->lmap = ch->lmap;
	p->smap = ch->smap;
	p->listens = (struct tally){ch->listens.kept, ch->listens.added,
				    ch->listens.removed};
	p->servers = (struct tally){ch->servers.kept, ch->servers.added,
				    ch->servers.removed};
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
	stick_move(t, &ol->stick);
	list_for_each_entry_safe (e, next, &t->lru, lru) {
		/* false positive: smap is set once plan_map() succeeded */
		if (e->server < 0 || (size_t)e->server >= ol->n_servers ||
		    smap[e->server] < 0) /* NOLINT */
			stick_remove(t, &e->key);
		else
			e->server = smap[e->server];
	}
	t->size = nl->conf->stick_size > 0 ? (size_t)nl->conf->stick_size : 1;
	t->expire_ms = nl->conf->stick_expire_ms;
	while (t->count > t->size && (e = stick_oldest(t)))
		stick_remove(t, &e->key);
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
	nl->client_streak = ol->client_streak; /* what defer has learnt */
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

	list_for_each_entry (s, &f->sessions, by_fwd) {
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
	char addr[80];

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
				log_info(
				    "listen %s: listening on %s", l->conf->name,
				    sockaddr_str(
					(const struct sockaddr *)&l->binds[j]
					    .conf->addr,
					addr, sizeof(addr)));
			}
			listener_attach(&l->binds[j], p->fds[k]);
		}
	}
	p->binds.kept = (unsigned)(p->n_binds - p->binds.added);
}

/*
 * A socket kept from another section (the address moved to a section of
 * another name) would keep that section's TCP_DEFER_ACCEPT: should the
 * new section's servers speak first, its first silent client would wait
 * 1-3 s. It, and a fresh one, start from their section's state, learnt
 * (client_streak) once move_listen has carried it.
 */
static void binds_defer_sync(struct fwd *f, struct plan *p)
{
	size_t i, j, k = 0;

	for (i = 0; i < p->n; i++)
		for (j = 0; j < p->ls[i].n_binds; j++, k++) {
			const struct fwd_bind *ob = p->src[k];
			long oi = ob ? index_in(f->listens, f->n_listens,
						sizeof(*f->listens), ob->l)
				     : -1;

			if (oi < 0 || p->lmap[oi] != (int)i)
				listener_defer_sync(&p->ls[i].binds[j]);
		}
}

/*
 * Puts p's sections in the place of f's, at start (f has none) as at a
 * reload: sockets are attached or handed over, state and sessions move
 * to the new objects, sockets no section binds any more close; the old
 * sections are left in p->old_* for the caller. Cannot fail.
 */
void install(struct fwd *f, struct plan *p)
{
	struct rlimit rl;
	size_t i, j;

	move_binds(f, p);
	for (i = 0; i < f->n_listens; i++)
		if (p->lmap[i] >= 0)
			move_listen(&f->listens[i], &p->ls[p->lmap[i]],
				    p->smap[i]);
	binds_defer_sync(f, p);
	move_sessions(f, p);
	/* sockets no section binds any more; the new ones are in place */
	for (i = 0; i < f->n_listens; i++)
		for (j = 0; j < f->listens[i].n_binds; j++)
			if (f->listens[i].binds[j].io.fd >= 0) {
				p->binds.removed++;
				listener_close_bind(f, &f->listens[i].binds[j]);
			}
	p->old_conf = f->conf;
	p->old_ls = f->listens;
	p->n_old = f->n_listens;
	f->conf = p->conf;
	f->c = p->conf->fwd;
	f->listens = p->ls;
	f->n_listens = p->n;
	p->conf = NULL;
	p->ls = NULL;
	/* maxconn is fitted to the open files limit (main.c raised it) */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0)
		fwd_fit_maxconn(f, rl.rlim_cur);
}

/* Builds p for conf against the running state (none at start): the new
 * sections, their mapping from the old ones, their sockets. On failure
 * p is undone (conf freed) and err says why. */
int plan_make(struct fwd *f, struct plan *p, struct conf *conf,
	      const char *path, char *err, size_t len)
{
	int rc;

	p->conf = conf;
	snprintf(err, len, "out of memory");
	/* the first two fail only for memory; plan_binds says why in err */
	if ((rc = listener_build(f, conf->fwd, &p->ls, &p->n)) < 0 ||
	    (rc = plan_map(p, f->c)) < 0 ||
	    (rc = plan_binds(p, f->listens, f->n_listens, path, err, len)) <
		0) {
		plan_abort(p);
		return rc;
	}
	return 0;
}
