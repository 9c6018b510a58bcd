/* vrrpd's control-socket verbs (DESIGN.md "Control sockets"). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "ctlcmd.h"
#include "reload.h"
#include "smtp.h"
#include "vrrpd.h"

static void json_addr(struct sbuf *sb, struct in_addr a)
{
	char ip[INET_ADDRSTRLEN] = "";

	if (a.s_addr)
		inet_ntop(AF_INET, &a, ip, sizeof(ip));
	sbuf_json_str(sb, ip);
}

static void json_addr6(struct sbuf *sb, const struct vrrp_instance *vi)
{
	char ip[INET6_ADDRSTRLEN] = "";

	if (vi->fsm.state == VRRP_STATE_MASTER)
		inet_ntop(AF_INET6, &vi->src6, ip, sizeof(ip));
	else if (vi->fsm.state == VRRP_STATE_BACKUP && vi->fsm.master_known)
		inet_ntop(AF_INET6, &vi->fsm.master_ip6, ip, sizeof(ip));
	sbuf_json_str(sb, ip);
}

static void json_instance(struct sbuf *sb, const struct vrrp_instance *vi)
{
	const struct conf_instance *c = vi->cfg;
	const struct vrrp_counters *n = &vi->cnt;
	struct in_addr master = {0};
	size_t i;

	if (vi->fsm.state == VRRP_STATE_MASTER)
		master = vi->src;
	else if (vi->fsm.state == VRRP_STATE_BACKUP && vi->fsm.master_known)
		master = vi->fsm.master_ip;
	sbuf_puts(sb, "{\"name\":");
	sbuf_json_str(sb, c->name);
	sbuf_puts(sb, ",\"state\":");
	sbuf_json_str(sb, vrrp_state_str(vi->fsm.state));
	sbuf_puts(sb, ",\"interface\":");
	sbuf_json_str(sb, c->interface);
	sbuf_printf(sb,
		    ",\"vrid\":%u,\"priority\":%u,\"effective_priority\":%u,"
		    "\"advert_int\":%g,",
		    c->vrid, c->priority, vi->fsm.priority,
		    c->advert_cs / 100.0);
	/* v3: which IPv4 checksum form the peer sends (packet.h) */
	sbuf_printf(sb,
		    "\"version\":%u,\"peer_checksum\":{\"last\":\"%s\","
		    "\"pseudo_header\":%lu,\"without\":%lu},\"master_ip\":",
		    c->version, vrrp_csum_str(n->peer_csum), n->csum_pseudo,
		    n->csum_plain);
	if (c->family == AF_INET6)
		json_addr6(sb, vi);
	else
		json_addr(sb, master);
	sbuf_puts(sb, ",\"vips\":[");
	for (i = 0; i < c->n_vips; i++) {
		char ip[INET6_ADDRSTRLEN];

		vip_str(&c->vips[i], ip, sizeof(ip));
		sbuf_printf(sb, "%s\"%s/%d\"", i ? "," : "", ip,
			    c->vips[i].prefix);
	}
	sbuf_printf(
	    sb, "],\"transitions\":%u,\"last_reason\":", vi->fsm.transitions);
	sbuf_json_str(sb, vi->last_reason);
	sbuf_printf(sb,
		    ",\"counters\":{\"adverts_sent\":%lu,"
		    "\"adverts_received\":%lu,\"priority_zero_sent\":%lu,"
		    "\"priority_zero_received\":%lu,\"became_master\":%lu,"
		    "\"garp_sent\":%lu,\"owner_suspect\":%lu},\"drops\":{",
		    n->adverts_sent, n->adverts_received, n->priority_zero_sent,
		    n->priority_zero_received, n->became_master, n->garp_sent,
		    n->owner_suspect);
	for (i = 1; i < VRRP_DROP_COUNT; i++)
		sbuf_printf(sb, "\"%s\":%lu,", vrrp_drop_str((enum vrrp_drop)i),
			    n->drops[i]);
	sbuf_printf(sb, "\"addr_list\":%lu},\"trackers\":[",
		    n->addr_list_mismatch);
	for (i = 0; i < vi->n_trackers; i++) {
		const struct track_term *t = &vi->terms[i];

		sbuf_printf(sb, "%s{\"type\":\"%s\",\"name\":", i ? "," : "",
			    track_kind_str(t->kind));
		sbuf_json_str(sb, t->name);
		sbuf_printf(sb, ",\"weight\":%d,\"ok\":%s,\"contribution\":%d",
			    t->weight, t->ok ? "true" : "false",
			    prio_contribution(t));
		if (t->kind == TRACK_FORWARDER)
			sbuf_printf(sb, ",\"why\":\"%s\",\"flaps\":%lu",
				    fwdtrack_why_str(vi->trackers[i].fwd.why),
				    vi->trackers[i].fwd.flaps);
		sbuf_puts(sb, "}");
	}
	sbuf_printf(sb,
		    "],\"notify\":{\"runs\":%lu,\"failures\":%lu,"
		    "\"dropped\":%lu}}",
		    vi->notify.runs, vi->notify.failures, vi->notify.dropped);
}

/* The control socket's own counters: refusals say slots were full. */
static void control_status_json(const struct ctl_server *s, struct sbuf *sb)
{
	const struct ctl_stats *st = &s->stats;

	sbuf_printf(
	    sb,
	    "\"control\":{\"clients\":%u,\"max_clients\":%d,"
	    "\"accepted\":%llu,\"refused\":%llu,\"timed_out\":%llu,"
	    "\"overflows\":%llu},",
	    s->n_clients, CTL_MAX_CLIENTS, (unsigned long long)st->accepted,
	    (unsigned long long)st->refused, (unsigned long long)st->timed_out,
	    (unsigned long long)st->overflows);
}

static void cmd_status(struct vrrpd *d, struct ctl_client *cl, const char *only)
{
	struct sbuf sb;
	size_t i;
	bool first = true, found = false;

	sbuf_init(&sb);
	sbuf_puts(&sb, "{\"ok\":true,\"router_id\":");
	sbuf_json_str(&sb, d->conf->global.router_id);
	sbuf_puts(&sb, ",\"instances\":[");
	for (i = 0; i < d->n_inst; i++) {
		if (only && strcmp(only, d->inst[i].cfg->name) != 0)
			continue;
		if (!first)
			sbuf_puts(&sb, ",");
		first = false;
		found = true;
		json_instance(&sb, &d->inst[i]);
	}
	sbuf_puts(&sb, "],");
	anycast_status_json(d, &sb, only, &found);
	control_status_json(&d->ctl, &sb);
	fwdlink_status_json(d, &sb);
	smtp_status_json(d, &sb);
	sbuf_puts(&sb, "}\n");
	if (only && !found)
		ctl_send_error(cl, "no such instance");
	else
		ctl_send_sbuf(cl, &sb);
	sbuf_free(&sb);
}

static void reply_reload(struct vrrpd *d, struct ctl_client *cl)
{
	struct sbuf sb;

	sbuf_init(&sb);
	reload_run(d, &sb);
	ctl_send_sbuf(cl, &sb);
	sbuf_free(&sb);
}

static void on_line(struct ctl_client *cl, char *line, void *arg)
{
	struct vrrpd *d = arg;
	struct ctlcmd cmd;
	char err[160];

	if (ctlcmd_parse(line, &cmd, err, sizeof(err)) < 0) {
		if (cmd.verb == CTLCMD_UNKNOWN)
			d->ctl.stats.bad_requests++;
		ctl_send_error(cl, err);
		return;
	}
	if (cmd.privileged && !cl->privileged) {
		ctl_send_error(cl, "permission denied");
		return;
	}
	switch (cmd.verb) {
	case CTLCMD_STATUS:
		cmd_status(d, cl, cmd.instance[0] ? cmd.instance : NULL);
		break;
	case CTLCMD_PING:
		ctl_send_str(cl, "{\"ok\":true}\n");
		break;
	case CTLCMD_ALERT_TEST:
		smtp_alert_test(d, cl);
		break;
	case CTLCMD_RELOAD:
		reply_reload(d, cl);
		break;
	case CTLCMD_HELLO:
		fwdlink_hello(d, cl, cmd.line);
		/* the forwarder keeps its slot, busy socket or not */
		if (d->fwd.client == cl)
			ctl_client_reserve(cl);
		break;
	case CTLCMD_HEALTH:
		fwdlink_health(d, cl, cmd.line);
		break;
	case CTLCMD_HEARTBEAT:
		fwdlink_heartbeat(d, cl);
		break;
	case CTLCMD_CERTWARN:
		smtp_alert_cert(d, cl, cmd.line);
		break;
	case CTLCMD_EMPTY:
	case CTLCMD_UNKNOWN:
		break; /* ctlcmd_parse failed above */
	}
}

static void on_close(struct ctl_client *cl, void *arg)
{
	fwdlink_closed(arg, cl);
}

int control_open(struct vrrpd *d)
{
	char dir[108];
	char *slash;
	int rc;

	/* like systemd's RuntimeDirectory=, for runs outside systemd */
	snprintf(dir, sizeof(dir), "%s", d->conf->global.control_socket);
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		mkdir(dir, 0755);
	}
	rc = ctl_server_open(&d->ctl, &d->loop, d->conf->global.control_socket,
			     on_line, on_close, d);
	if (rc == 0)
		ctl_server_reserve(&d->ctl, 1); /* for the forwarder */
	if (rc == 0 && d->conf->global.control_socket_group)
		rc = ctl_server_set_group(&d->ctl,
					  d->conf->global.control_socket_gid);
	if (rc == -EADDRINUSE)
		log_err("control socket %s: another daemon answers on it",
			d->conf->global.control_socket);
	else if (rc < 0)
		log_err("control socket %s: %s (does its directory exist?)",
			d->conf->global.control_socket, strerror(-rc));
	return rc;
}

void control_close(struct vrrpd *d)
{
	ctl_server_close(&d->ctl);
}
