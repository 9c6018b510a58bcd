#include "stats.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../common/parse.h"
#include "fwd.h"
#include "server.h"
#include "kpath_sess.h"

static const char *check_str(const struct fwd_server *s)
{
	if (!s->conf->check.enabled)
		return "none";
	if (s->last_verdict.st == CHECK_NONE)
		return "pending";
	return check_status_ok(s->last_verdict.st) ? "ok"
						   : s->last_verdict.detail;
}

/* Whole days left, rounded down; negative once expired. */
static int64_t cert_days_left(int64_t not_after, time_t now)
{
	int64_t left = not_after - (int64_t)now;

	return left >= 0 ? left / 86400 : -((-left + 86399) / 86400);
}

/* As written in the config: "ip", "ip:+N" for a port-following server. */
static void server_addr_str(const struct conf_fwd_server *c, char *buf,
			    size_t len)
{
	char *colon;

	sockaddr_str((const struct sockaddr *)&c->addr, buf, len);
	if (!c->port_follow)
		return;
	colon = strrchr(buf, ':');
	if (colon)
		*colon = '\0';
	if (c->port_offset)
		snprintf(buf + strlen(buf), len - strlen(buf), ":%+d",
			 c->port_offset);
}

static void snap_server(struct snap_server *o, const struct fwd_server *s,
			int64_t now)
{
	o->name = s->conf->name;
	server_addr_str(s->conf, o->address, sizeof(o->address));
	o->state = server_state_str(s);
	o->health = s->health.up ? "UP" : "DOWN";
	o->admin = server_admin_str(s->admin);
	o->check = check_str(s);
	o->weight = s->conf->weight;
	o->backup = s->conf->backup;
	o->cur = s->cur;
	o->total = s->total;
	o->bytes_in = s->bytes_in;
	o->bytes_out = s->bytes_out;
	o->connect_fail = s->connect_fail;
	o->checks_ok = s->checks_ok;
	o->checks_fail = s->checks_fail;
	o->check_ago_ms = s->last_check_err < 0 ? -1 : now - s->last_check_ms;
	o->last_change_wall = (int64_t)s->last_change_wall;
	o->last_change_ago_ms = now - s->last_change_ms;
	o->check_type = conf_check_type_str(s->conf->check.app.type);
	if (s->conf->check.enabled && s->last_verdict.st != CHECK_NONE) {
		o->check_status = check_status_str(s->last_verdict.st);
		o->check_duration_ms = s->last_check_dur_ms;
	}
	o->has_cert = s->cert_not_after != 0;
	if (o->has_cert)
		o->cert_days_left =
		    cert_days_left(s->cert_not_after, time(NULL));
}

static int snap_listen(struct snap_listen *o, const struct fwd_listen *l,
		       int64_t now)
{
	size_t i;

	o->name = l->conf->name;
	o->state = "FULL";
	if (l->f->stopping)
		o->state = "CLOSED";
	else if (l->f->accept_paused)
		o->state = "PAUSED";
	else if (l->n_binds && l->binds[0].active)
		o->state = "OPEN";
	o->balance = conf_balance_str(l->conf->balance);
	o->cur = l->cur;
	o->maxconn = l->conf->maxconn;
	o->total = l->total;
	o->bytes_in = l->bytes_in;
	o->bytes_out = l->bytes_out;
	o->no_server = l->no_server;
	o->first_speaker = l->client_first >= 0 ? "client" : "server";
	o->stick_entries = l->stick.count;
	memcpy(o->ends, l->ends, sizeof(o->ends));
	o->binds = calloc(l->n_binds + 1, sizeof(*o->binds));
	o->bind_total = calloc(l->n_binds + 1, sizeof(*o->bind_total));
	o->servers = calloc(l->n_servers + 1, sizeof(*o->servers));
	if (!o->binds || !o->bind_total || !o->servers)
		return -ENOMEM;
	o->n_binds = l->n_binds;
	for (i = 0; i < l->n_binds; i++) {
		sockaddr_str((const struct sockaddr *)&l->binds[i].conf->addr,
			     o->binds[i], sizeof(o->binds[i]));
		o->bind_total[i] = l->binds[i].total;
	}
	o->n_servers = l->n_servers;
	for (i = 0; i < l->n_servers; i++)
		snap_server(&o->servers[i], &l->servers[i], now);
	return 0;
}

int stats_snap_take(const struct fwd *f, struct stats_snap *s)
{
	char host[sizeof(s->node)] = "?";
	size_t i;

	memset(s, 0, sizeof(*s));
	if (gethostname(host, sizeof(host) - 1) < 0)
		strcpy(host, "?");
	host[sizeof(host) - 1] = '\0';
	memcpy(s->node, host, sizeof(s->node));
	s->now_wall = time(NULL);
	s->cur = f->cur;
	s->maxconn = f->maxconn;
	s->total = f->total;
	s->stopping = f->stopping;
	s->pipes_in_use = f->pipes.in_use;
	s->pipes_idle = f->pipes.n;
	s->log_lines = f->slog.lines;
	s->log_dropped = f->slog.dropped;
	s->data_path = kpath_sess_path(f);
	s->kernel_sessions = f->kpath_sessions;
	s->kernel_dup_bytes = f->kpath_dup;
	s->listens = calloc(f->n_listens + 1, sizeof(*s->listens));
	if (!s->listens)
		return -ENOMEM;
	s->n_listens = f->n_listens;
	for (i = 0; i < f->n_listens; i++)
		if (snap_listen(&s->listens[i], &f->listens[i],
				f->loop.now_ms) < 0)
			return -ENOMEM;
	return vrrplink_snap(f, &s->vrrpd);
}

void stats_snap_free(struct stats_snap *s)
{
	size_t i;

	for (i = 0; s->listens && i < s->n_listens; i++) {
		free(s->listens[i].binds);
		free(s->listens[i].bind_total);
		free(s->listens[i].servers);
	}
	free(s->listens);
	free(s->vrrpd.inst);
	memset(s, 0, sizeof(*s));
}
