#include "server.h"

#include <stdio.h>
#include <string.h>

#include "proxy.h"

const char *server_admin_str(enum server_admin a)
{
	switch (a) {
	case ADMIN_READY:
		return "READY";
	case ADMIN_DRAIN:
		return "DRAIN";
	case ADMIN_MAINT:
		return "MAINT";
	}
	return "?";
}

const char *server_state_str(const struct fwd_server *s)
{
	if (s->admin == ADMIN_MAINT)
		return "MAINT";
	if (!s->health.up)
		return "DOWN";
	if (s->admin == ADMIN_DRAIN)
		return "DRAIN";
	return "UP";
}

bool server_usable(const struct fwd_server *s)
{
	return s->health.up && s->admin == ADMIN_READY;
}

bool server_stick_ok(const struct fwd_server *s)
{
	return s->health.up && s->admin != ADMIN_MAINT;
}

void server_init(struct fwd_server *s, struct fwd_listen *l, int idx,
		 const struct conf_fwd_server *c)
{
	struct pool_member *m = &l->pool.m[idx];

	s->l = l;
	s->idx = idx;
	s->conf = c;
	s->admin = c->disabled ? ADMIN_MAINT : ADMIN_READY;
	s->last_check_err = -1;
	s->check_io.fd = -1;
	/* not armed until check_start(): a start that fails before it
	 * (a port in use, data_path "kernel" refused) runs check_stop() */
	loop_timer_init(&s->check_timer, NULL, s);
	s->last_change_ms = l->f->loop.now_ms;
	s->last_change_wall = time(NULL);
	/* UP, so traffic flows before the first check */
	risefall_init(&s->health, true);
	list_init(&s->sessions);
	m->weight = (unsigned)c->weight;
	m->backup = c->backup;
	pool_member_name(m, c->name);
	server_sync(s);
}

void server_sync(struct fwd_server *s)
{
	s->l->pool.m[s->idx].usable = server_usable(s);
}

static void state_changed(struct fwd_server *s, const char *old)
{
	struct fwd *f = s->l->f;

	s->last_change_ms = f->loop.now_ms;
	s->last_change_wall = time(NULL);
	server_sync(s);
	if (!server_stick_ok(s))
		stick_drop_server(&s->l->stick, s->idx);
	vrrplink_health_changed(f);
	log_info("server %s/%s: %s -> %s", s->l->conf->name, s->conf->name, old,
		 server_state_str(s));
}

void server_health_result(struct fwd_server *s, bool ok, const char *why,
			  const char *how)
{
	const struct conf_fwd_check *c = &s->conf->check;
	const char *old = server_state_str(s);

	/* without checks nothing could bring it back: ignore passive hints */
	if (!c->enabled)
		return;
	if (!risefall_step(&s->health, ok, c->rise, c->fall))
		return;
	if (!s->health.up)
		log_warn("server %s/%s is DOWN after %d failed %s (%s)",
			 s->l->conf->name, s->conf->name, c->fall,
			 c->fall == 1 ? "attempt" : "attempts",
			 why ? why : "?");
	else
		log_warn(
		    "server %s/%s is UP after %d successful checks (%s%s%s)",
		    s->l->conf->name, s->conf->name, c->rise, how,
		    why ? ": " : "", why ? why : "");
	state_changed(s, old);
	if (!s->health.up && s->l->f->c->shutdown_sessions_on_down)
		proxy_shutdown_server(s);
}

struct fwd_server *server_admin_by_name(struct fwd *f, const char *listen,
					const char *server, enum server_admin a,
					const char *who, char *err,
					size_t errlen)
{
	size_t i, j;

	for (i = 0; i < f->n_listens; i++) {
		struct fwd_listen *l = &f->listens[i];

		if (strcmp(l->conf->name, listen) != 0)
			continue;
		for (j = 0; j < l->n_servers; j++) {
			struct fwd_server *s = &l->servers[j];

			if (strcmp(s->conf->name, server) != 0)
				continue;
			log_info("%s: server %s/%s %s", who, listen, server,
				 server_admin_str(a));
			server_set_admin(s, a);
			return s;
		}
		snprintf(err, errlen, "listen %s has no server '%s'", listen,
			 server);
		return NULL;
	}
	snprintf(err, errlen, "no listen section '%s'", listen);
	return NULL;
}

void server_set_admin(struct fwd_server *s, enum server_admin a)
{
	const char *old = server_state_str(s);

	if (s->admin == a)
		return;
	s->admin = a;
	state_changed(s, old);
}
