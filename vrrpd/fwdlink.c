#include "fwdlink.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vrrpd.h"

static void event_line(struct sbuf *sb, const struct vrrp_instance *vi)
{
	sbuf_puts(sb, "{\"event\":\"state\",\"instance\":");
	sbuf_json_str(sb, vi->cfg->name);
	sbuf_printf(sb, ",\"state\":\"%s\",\"priority\":%u,\"reason\":",
		    vrrp_state_str(vi->fsm.state), vi->fsm.priority);
	sbuf_json_str(sb, vi->last_reason);
	sbuf_puts(sb, "}\n");
}

void fwdlink_push_state(struct vrrpd *d, const struct vrrp_instance *vi)
{
	struct sbuf sb;

	if (!d->fwd.client)
		return;
	sbuf_init(&sb);
	event_line(&sb, vi);
	/* a forwarder that stops reading is dropped by ctl_send, which
	 * then calls fwdlink_closed */
	ctl_send_sbuf(d->fwd.client, &sb);
	sbuf_free(&sb);
}

static void forget_listeners(struct fwd_link *f)
{
	free(f->listeners);
	f->listeners = NULL;
	f->n_listeners = 0;
}

void fwdlink_hello(struct vrrpd *d, struct ctl_client *cl, const char *line)
{
	struct fwd_link *f = &d->fwd;
	int version;
	size_t i;
	char reply[64];

	if (fwdproto_parse_hello(line, &version) < 0) {
		f->bad_lines++;
		ctl_send_error(cl, "expected: hello fwd VERSION");
		return;
	}
	if (version != FWDPROTO_VERSION) {
		f->bad_lines++;
		ctl_send_error(cl, "unsupported forwarder protocol version; "
				   "this vrrpd speaks 1");
		return;
	}
	if (f->client && f->client != cl) {
		/* a restarted fwd whose old connection is not gone yet */
		struct ctl_client *old = f->client;

		log_warn("a new forwarder connected; dropping the old link");
		f->client = NULL;
		ctl_client_close(old);
	}
	forget_listeners(f);
	f->client = cl;
	f->connects++;
	f->since_ms = mono_ms();
	snprintf(reply, sizeof(reply), "{\"ok\":true,\"proto\":%d}\n",
		 FWDPROTO_VERSION);
	ctl_send(cl, reply, strlen(reply));
	log_info("forwarder connected (uid %u)", (unsigned)cl->uid);
	instances_trackers_changed(d, "forwarder connected");
	for (i = 0; i < d->n_inst && f->client; i++)
		fwdlink_push_state(d, &d->inst[i]);
}

void fwdlink_health(struct vrrpd *d, struct ctl_client *cl, const char *line)
{
	struct fwd_link *f = &d->fwd;
	struct fwd_health h;
	struct fwd_health *slot = NULL;
	char why[128];
	size_t i;

	if (cl != f->client) {
		f->bad_lines++;
		ctl_send_error(cl, "say 'hello fwd 1' first");
		return;
	}
	if (fwdproto_parse_health(line, &h, why, sizeof(why)) < 0) {
		f->bad_lines++;
		ctl_send_error(cl, why);
		return;
	}
	for (i = 0; i < f->n_listeners; i++)
		if (!strcmp(f->listeners[i].listener, h.listener))
			slot = &f->listeners[i];
	if (!slot) {
		struct fwd_health *l;

		if (f->n_listeners >= 1024) {
			ctl_send_error(cl, "too many listeners");
			return;
		}
		l = realloc(f->listeners, (f->n_listeners + 1) * sizeof(*l));
		if (!l) {
			ctl_send_error(cl, "out of memory");
			return;
		}
		f->listeners = l;
		slot = &f->listeners[f->n_listeners++];
	}
	*slot = h;
	f->health_updates++;
	ctl_send(cl, "{\"ok\":true}\n", 12);
	snprintf(why, sizeof(why),
		 "forwarder: listener %s has %u/%u servers up", h.listener,
		 h.up, h.total);
	instances_trackers_changed(d, why);
}

void fwdlink_closed(struct vrrpd *d, struct ctl_client *cl)
{
	struct fwd_link *f = &d->fwd;

	if (cl != f->client)
		return;
	f->client = NULL;
	f->disconnects++;
	f->since_ms = mono_ms();
	forget_listeners(f);
	log_warn("forwarder lost: its control connection closed");
	instances_trackers_changed(d, "forwarder lost (control connection "
				      "closed)");
}

void fwdlink_free(struct vrrpd *d)
{
	d->fwd.client = NULL;
	forget_listeners(&d->fwd);
}

static bool serves_instance(const struct fwd_health *h,
			    const struct vrrp_instance *vi)
{
	size_t i, j;

	for (i = 0; i < h->n_binds; i++)
		for (j = 0; j < vi->cfg->n_vips; j++)
			/* binds are IPv4 (fwdproto); an IPv6 VIP's addr is 0 */
			if (vi->cfg->vips[j].family != AF_INET6 &&
			    h->binds[i].s_addr == vi->cfg->vips[j].addr.s_addr)
				return true;
	return false;
}

bool fwdlink_healthy(const struct vrrpd *d, const struct vrrp_instance *vi,
		     char *why, size_t why_len)
{
	const struct fwd_link *f = &d->fwd;
	size_t i;

	if (!f->client) {
		if (why)
			snprintf(why, why_len, "forwarder not connected");
		return false;
	}
	for (i = 0; i < f->n_listeners; i++) {
		const struct fwd_health *h = &f->listeners[i];

		if (h->up == 0 && serves_instance(h, vi)) {
			if (why)
				snprintf(why, why_len,
					 "forwarder listener %s has no server "
					 "up",
					 h->listener);
			return false;
		}
	}
	return true;
}

void fwdlink_status_json(const struct vrrpd *d, struct sbuf *sb)
{
	const struct fwd_link *f = &d->fwd;
	size_t i, j;

	sbuf_printf(sb,
		    "\"forwarder\":{\"connected\":%s,\"connects\":%lu,"
		    "\"disconnects\":%lu,\"health_updates\":%lu,"
		    "\"bad_lines\":%lu,\"listeners\":[",
		    f->client ? "true" : "false", f->connects, f->disconnects,
		    f->health_updates, f->bad_lines);
	for (i = 0; i < f->n_listeners; i++) {
		const struct fwd_health *h = &f->listeners[i];

		sbuf_printf(sb, "%s{\"name\":", i ? "," : "");
		sbuf_json_str(sb, h->listener);
		sbuf_printf(sb, ",\"up\":%u,\"total\":%u,\"binds\":[", h->up,
			    h->total);
		for (j = 0; j < h->n_binds; j++) {
			char ip[INET_ADDRSTRLEN];

			inet_ntop(AF_INET, &h->binds[j], ip, sizeof(ip));
			sbuf_printf(sb, "%s\"%s\"", j ? "," : "", ip);
		}
		sbuf_puts(sb, "]}");
	}
	sbuf_puts(sb, "]}");
}
