#include "control.h"

#include <errno.h>
#include <string.h>

#include "../common/parse.h"
#include "cmd.h"
#include "reload.h"
#include "stats.h"

/* The shared snapshot, rendered as stats.json is (statspage.c). */
static void reply_stats(struct ctl_client *c, struct fwd *f)
{
	struct stats_snap snap;
	struct sbuf sb;

	sbuf_init(&sb);
	if (stats_snap_take(f, &snap) < 0) {
		stats_snap_free(&snap);
		ctl_send_error(c, "out of memory");
		return;
	}
	statspage_json(&snap, &sb);
	stats_snap_free(&snap);
	sbuf_puts(&sb, "\n");
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

static void reply_reload(struct ctl_client *c, struct fwd *f)
{
	struct sbuf sb;

	log_info("control (uid %u): reload", (unsigned)c->uid);
	sbuf_init(&sb);
	reload_run(f, &sb);
	ctl_send_sbuf(c, &sb);
	sbuf_free(&sb);
}

static const char help[] =
    "{\"ok\":true,\"commands\":[\"stats\","
    "\"server LISTEN/SERVER enable|disable|drain\",\"reload\",\"help\"]}"
    "\n";

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
	case CMD_RELOAD:
		reply_reload(c, f);
		break;
	}
}

int control_open(struct fwd *f)
{
	int rc = ctl_server_open(&f->ctl, &f->loop, f->c->control_socket,
				 on_line, NULL, f);

	if (rc == 0 && f->c->control_socket_group)
		rc = ctl_server_set_group(&f->ctl, f->c->control_socket_gid);
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
