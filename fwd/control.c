#include "control.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "../common/parse.h"
#include "cmd.h"
#include "hapcmd.h"
#include "reload.h"
#include "server.h"
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
	char err[160], who[48];

	snprintf(who, sizeof(who), "control (uid %u)", (unsigned)c->uid);
	s = server_admin_by_name(f, cmd->listen, cmd->server,
				 to_admin[cmd->action], who, err, sizeof(err));
	if (!s) {
		ctl_send_error(c, err);
		return;
	}
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

/* HAProxy's runtime API (hapcmd.c): text answers, and the connection
 * closes after them as HAProxy's non-interactive mode does, so tools that
 * read until EOF get their answer. */
static void hap_set_state(struct ctl_client *c, struct fwd *f,
			  const struct hap_cmd *h, struct sbuf *out)
{
	static const enum server_admin to_admin[] = {
	    [HAP_READY] = ADMIN_READY,
	    [HAP_DRAIN] = ADMIN_DRAIN,
	    [HAP_MAINT] = ADMIN_MAINT,
	};
	char err[160], who[48];

	if (!c->privileged) {
		sbuf_puts(out, "Permission denied\n");
		return;
	}
	snprintf(who, sizeof(who), "control (uid %u, HAProxy API)",
		 (unsigned)c->uid);
	if (!server_admin_by_name(f, h->listen, h->server, to_admin[h->state],
				  who, err, sizeof(err))) {
		sbuf_puts(out, strncmp(err, "no listen", 9) == 0
				   ? "No such backend.\n"
				   : "No such server.\n");
		return;
	}
	sbuf_puts(out, "\n");
}

static void hap_one(struct ctl_client *c, struct fwd *f,
		    const struct hap_cmd *h, struct sbuf *out)
{
	struct stats_snap snap;
	struct hap_info info = {.version = "fwd-0.1.0"};
	struct rlimit rl;

	if (h->verb == HAP_SET_STATE) {
		hap_set_state(c, f, h, out);
		return;
	}
	if (stats_snap_take(f, &snap) < 0) {
		stats_snap_free(&snap);
		sbuf_puts(out, "Out of memory.\n");
		return;
	}
	switch (h->verb) {
	case HAP_SHOW_INFO:
		info.pid = (long)getpid();
		info.uptime_sec = (f->loop.now_ms - f->start_ms) / 1000;
		info.nofile =
		    getrlimit(RLIMIT_NOFILE, &rl) == 0 ? (long)rl.rlim_cur : 0;
		hapcmd_show_info(&snap, &info, out);
		break;
	case HAP_SHOW_STAT:
		hapcmd_show_stat(&snap, out);
		break;
	case HAP_SHOW_SERVERS_STATE:
		if (hapcmd_show_servers_state(&snap, h->listen, out) < 0)
			sbuf_puts(out, "Can't find backend.\n");
		break;
	case HAP_SET_STATE:
		break;
	}
	stats_snap_free(&snap);
}

/* 1 when the line was HAProxy's (answered), 0 when it is ours. Several
 * commands may be joined with ';', as HAProxy allows. */
static int hap_line(struct ctl_client *c, struct fwd *f, const char *line)
{
	char buf[CTL_MAX_LINE + 1], *save = NULL, *part, err[160];
	struct hap_cmd h;
	struct sbuf out;
	int rc;

	if (strlen(line) >= sizeof(buf))
		return 0;
	strcpy(buf, line);
	/* only lines whose every part is HAProxy's */
	for (part = strtok_r(buf, ";", &save); part;
	     part = strtok_r(NULL, ";", &save))
		if (hapcmd_parse(part, &h, err, sizeof(err)) == 0)
			return 0;
	strcpy(buf, line);
	sbuf_init(&out);
	save = NULL;
	for (part = strtok_r(buf, ";", &save); part;
	     part = strtok_r(NULL, ";", &save)) {
		rc = hapcmd_parse(part, &h, err, sizeof(err));
		if (rc < 0)
			sbuf_puts(&out, err);
		else
			hap_one(c, f, &h, &out);
	}
	c->closing = true;
	ctl_send_sbuf(c, &out);
	sbuf_free(&out);
	return 1;
}

static const char help[] =
    "{\"ok\":true,\"commands\":[\"stats\","
    "\"server LISTEN/SERVER enable|disable|drain\",\"reload\",\"help\"],"
    "\"haproxy\":[\"show info\",\"show stat\",\"show servers state "
    "[LISTEN]\",\"set server LISTEN/SERVER state ready|drain|maint\","
    "\"disable server LISTEN/SERVER\",\"enable server LISTEN/SERVER\"]}"
    "\n";

static void on_line(struct ctl_client *c, char *line, void *arg)
{
	struct fwd *f = arg;
	struct cmd cmd;
	char err[160];

	if (hap_line(c, f, line))
		return;
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
		ctl_send_str(c, help);
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
