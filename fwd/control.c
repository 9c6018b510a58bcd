#include "control.h"

#include <errno.h>
#include <string.h>

#include "../common/parse.h"
#include "cmd.h"

static const char *check_str(const struct fwd_server *s)
{
	if (!s->conf->check.enabled)
		return "none";
	if (s->last_check_err < 0)
		return "pending";
	return s->last_check_err ? strerror(s->last_check_err) : "ok";
}

static void stats_server(struct sbuf *sb, const struct fwd_server *s,
			 int64_t now)
{
	char addr[80];

	sbuf_puts(sb, "{\"name\":");
	sbuf_json_str(sb, s->conf->name);
	sbuf_puts(sb, ",\"address\":");
	sbuf_json_str(sb, sockaddr_str((const struct sockaddr *)&s->conf->addr,
				       addr, sizeof(addr)));
	sbuf_printf(sb,
		    ",\"state\":\"%s\",\"health\":\"%s\",\"admin\":\"%s\","
		    "\"weight\":%d,\"backup\":%s,\"cur\":%u,\"total\":%llu,"
		    "\"bytes_in\":%llu,\"bytes_out\":%llu,"
		    "\"connect_fail\":%llu,",
		    server_state_str(s), s->health.up ? "UP" : "DOWN",
		    server_admin_str(s->admin), s->conf->weight,
		    s->conf->backup ? "true" : "false", s->cur,
		    (unsigned long long)s->total,
		    (unsigned long long)s->bytes_in,
		    (unsigned long long)s->bytes_out,
		    (unsigned long long)s->connect_fail);
	sbuf_puts(sb, "\"check\":{\"last\":");
	sbuf_json_str(sb, check_str(s));
	sbuf_printf(
	    sb,
	    ",\"ago_ms\":%lld,\"ok\":%llu,\"fail\":%llu},"
	    "\"last_change\":%lld,\"last_change_ago_ms\":%lld}",
	    s->last_check_err < 0 ? -1LL : (long long)(now - s->last_check_ms),
	    (unsigned long long)s->checks_ok,
	    (unsigned long long)s->checks_fail, (long long)s->last_change_wall,
	    (long long)(now - s->last_change_ms));
}

static void stats_listen(struct sbuf *sb, const struct fwd_listen *l,
			 int64_t now)
{
	size_t i;
	char addr[80];
	const char *state = "FULL";

	if (l->f->stopping)
		state = "CLOSED";
	else if (l->f->accept_paused)
		state = "PAUSED";
	else if (l->n_binds && l->binds[0].active)
		state = "OPEN";
	sbuf_puts(sb, "{\"name\":");
	sbuf_json_str(sb, l->conf->name);
	sbuf_puts(sb, ",\"binds\":[");
	for (i = 0; i < l->n_binds; i++) {
		if (i)
			sbuf_puts(sb, ",");
		sbuf_json_str(
		    sb, sockaddr_str(
			    (const struct sockaddr *)&l->binds[i].conf->addr,
			    addr, sizeof(addr)));
	}
	sbuf_printf(sb,
		    "],\"state\":\"%s\",\"balance\":\"%s\",\"cur\":%u,"
		    "\"maxconn\":%ld,\"total\":%llu,\"bytes_in\":%llu,"
		    "\"bytes_out\":%llu,\"no_server\":%llu,\"stick_entries\":"
		    "%zu,\"servers\":[",
		    state, conf_balance_str(l->conf->balance), l->cur,
		    l->conf->maxconn, (unsigned long long)l->total,
		    (unsigned long long)l->bytes_in,
		    (unsigned long long)l->bytes_out,
		    (unsigned long long)l->no_server, l->stick.count);
	for (i = 0; i < l->n_servers; i++) {
		if (i)
			sbuf_puts(sb, ",");
		stats_server(sb, &l->servers[i], now);
	}
	sbuf_puts(sb, "]}");
}

static void reply_stats(struct ctl_client *c, struct fwd *f)
{
	struct sbuf sb;
	size_t i;

	sbuf_init(&sb);
	sbuf_printf(&sb,
		    "{\"ok\":true,\"cur\":%u,\"maxconn\":%ld,\"total\":%llu,"
		    "\"stopping\":%s,\"pipes_in_use\":%zu,\"pipes_idle\":%zu,"
		    "\"listeners\":[",
		    f->cur, f->maxconn, (unsigned long long)f->total,
		    f->stopping ? "true" : "false", f->pipes.in_use,
		    f->pipes.n);
	for (i = 0; i < f->n_listens; i++) {
		if (i)
			sbuf_puts(&sb, ",");
		stats_listen(&sb, &f->listens[i], f->loop.now_ms);
	}
	sbuf_puts(&sb, "]");
	vrrplink_stats_json(f, &sb);
	sbuf_puts(&sb, "}\n");
	ctl_send_sbuf(c, &sb);
	sbuf_free(&sb);
}

static struct fwd_server *find_server(struct fwd *f, const struct cmd *cmd,
				      char *err, size_t errlen)
{
	size_t i, j;

	for (i = 0; i < f->n_listens; i++) {
		struct fwd_listen *l = &f->listens[i];

		if (strcmp(l->conf->name, cmd->listen) != 0)
			continue;
		for (j = 0; j < l->n_servers; j++)
			if (strcmp(l->servers[j].conf->name, cmd->server) == 0)
				return &l->servers[j];
		snprintf(err, errlen, "listen %s has no server '%s'",
			 cmd->listen, cmd->server);
		return NULL;
	}
	snprintf(err, errlen, "no listen section '%s'", cmd->listen);
	return NULL;
}

static void reply_server(struct ctl_client *c, struct fwd *f,
			 const struct cmd *cmd)
{
	static const enum server_admin to_admin[] = {
	    [CMD_ENABLE] = ADMIN_READY,
	    [CMD_DISABLE] = ADMIN_MAINT,
	    [CMD_DRAIN] = ADMIN_DRAIN,
	};
	struct fwd_server *s;
	struct sbuf sb;
	char err[160];

	s = find_server(f, cmd, err, sizeof(err));
	if (!s) {
		ctl_send_error(c, err);
		return;
	}
	log_info("control (uid %u): server %s/%s %s", (unsigned)c->uid,
		 cmd->listen, cmd->server,
		 server_admin_str(to_admin[cmd->action]));
	server_set_admin(s, to_admin[cmd->action]);
	sbuf_init(&sb);
	sbuf_puts(&sb, "{\"ok\":true,\"server\":");
	sbuf_json_str(&sb, s->conf->name);
	sbuf_printf(&sb, ",\"state\":\"%s\"}\n", server_state_str(s));
	ctl_send_sbuf(c, &sb);
	sbuf_free(&sb);
}

static const char help[] =
    "{\"ok\":true,\"commands\":[\"stats\","
    "\"server LISTEN/SERVER enable|disable|drain\",\"help\"]}\n";

static void on_line(struct ctl_client *c, char *line, void *arg)
{
	struct fwd *f = arg;
	struct cmd cmd;
	char err[160];

	if (cmd_parse(line, &cmd, err, sizeof(err)) < 0) {
		ctl_send_error(c, err);
		return;
	}
	if (cmd_privileged(&cmd) && !c->privileged) {
		ctl_send_error(c, "permission denied: this command needs "
				  "root or the daemon's user");
		return;
	}
	switch (cmd.verb) {
	case CMD_HELP:
		ctl_send(c, help, sizeof(help) - 1);
		break;
	case CMD_STATS:
		reply_stats(c, f);
		break;
	case CMD_SERVER:
		reply_server(c, f, &cmd);
		break;
	}
}

int control_open(struct fwd *f)
{
	int rc = ctl_server_open(&f->ctl, &f->loop, f->c->control_socket,
				 on_line, NULL, f);

	if (rc < 0) {
		log_err("control socket %s: %s", f->c->control_socket,
			strerror(-rc));
		return rc;
	}
	f->ctl_open = true;
	return 0;
}

void control_close(struct fwd *f)
{
	if (f->ctl_open)
		ctl_server_close(&f->ctl);
	f->ctl_open = false;
}
