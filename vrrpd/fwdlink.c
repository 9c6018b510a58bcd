#include "fwdlink.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "vrrpd.h"

void fwdlink_push_state(struct vrrpd *d, const struct vrrp_instance *vi)
{
	struct sbuf sb;

	if (!d->fwd.client)
		return;
	sbuf_init(&sb);
	fwdproto_put_state(&sb, vi->cfg->name, vrrp_state_str(vi->fsm.state),
			   vi->fsm.priority, vi->last_reason);
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

/* The shortest silence bound of the instances tracking the forwarder,
 * 0 when none does. */
static int64_t min_timeout(const struct vrrpd *d)
{
	int64_t t = 0;
	size_t i;

	for (i = 0; i < d->n_inst; i++) {
		const struct conf_instance *c = d->inst[i].cfg;

		if (c->track_forwarder && c->track_forwarder_timeout_ms > 0 &&
		    (!t || c->track_forwarder_timeout_ms < t))
			t = c->track_forwarder_timeout_ms;
	}
	if (anycast_fwd_timeout_ms(d) && (!t || anycast_fwd_timeout_ms(d) < t))
		t = anycast_fwd_timeout_ms(d);
	return t;
}

static void link_timer(struct loop *loop, struct loop_timer *t)
{
	struct vrrpd *d = t->arg;
	struct fwd_link *f = &d->fwd;
	int64_t timeout = min_timeout(d), quiet = mono_ms() - f->last_heard_ms;
	char why[96];

	(void)loop;
	if (f->client && f->version >= 2 && timeout && quiet >= timeout) {
		int unread = 0;

		/* timers run before I/O: after vrrpd itself stalled, what
		 * fwd sent meanwhile is still unread; read it first */
		if (!f->silent && f->deferrals < 20 &&
		    ioctl(f->client->io.fd, FIONREAD, &unread) == 0 &&
		    unread > 0) {
			f->deferrals++; /* bounded: 100 ms, whatever happens */
			loop_timer_in(&d->loop, &f->timer, 5);
			return;
		}
		if (!f->silent) {
			f->silent = true;
			f->silences++;
			log_warn("forwarder silent for %lld ms (stopped or "
				 "stuck?); counting it lost",
				 (long long)quiet);
		}
		snprintf(why, sizeof(why),
			 "forwarder silent for %lld ms (stopped or stuck?)",
			 (long long)quiet);
	} else {
		snprintf(why, sizeof(why),
			 "forwarder healthy through its hold time");
	}
	instances_trackers_changed(d, why);
}

void fwdlink_init(struct vrrpd *d)
{
	loop_timer_init(&d->fwd.timer, link_timer, d);
}

/* A line from the connected forwarder: it is alive. Call it last, once
 * done with the client: a recompute may push state and drop it. */
static void heard(struct vrrpd *d)
{
	struct fwd_link *f = &d->fwd;
	int64_t now = mono_ms(), quiet = now - f->last_heard_ms;

	f->last_heard_ms = now;
	f->deferrals = 0;
	if (!f->silent)
		return;
	f->silent = false;
	log_info("forwarder heard again after %lld ms of silence",
		 (long long)quiet);
	instances_trackers_changed(d, "forwarder heard again");
}

void fwdlink_hello(struct vrrpd *d, struct ctl_client *cl, const char *line)
{
	struct fwd_link *f = &d->fwd;
	int version;
	size_t i;
	struct sbuf reply;

	if (fwdproto_parse_hello(line, &version) < 0) {
		f->bad_lines++;
		ctl_send_error(cl, "expected: hello fwd VERSION");
		return;
	}
	if ((version = fwdproto_negotiate(version)) < 0) {
		char err[96];

		f->bad_lines++;
		/* "version" in the error is what an fwd falls back on */
		snprintf(err, sizeof(err),
			 "unsupported forwarder protocol version; this vrrpd "
			 "speaks %d to %d",
			 FWDPROTO_VERSION_MIN, FWDPROTO_VERSION);
		ctl_send_error(cl, err);
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
	f->version = version;
	f->silent = false;
	f->since_ms = f->last_heard_ms = mono_ms();
	sbuf_init(&reply);
	fwdproto_put_hello_ok(&reply, version);
	ctl_send_sbuf(cl, &reply);
	sbuf_free(&reply);
	if (ctl_client_gone(cl)) /* it stopped reading: on_close follows */
		return;
	log_info("forwarder connected (uid %u, protocol %d%s)",
		 (unsigned)cl->uid, version,
		 version >= 2 ? ""
			      : ", no heartbeat: only a closed socket "
				"counts as lost");
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
		heard(d);
		return;
	}
	for (i = 0; i < f->n_listeners; i++)
		if (!strcmp(f->listeners[i].listener, h.listener))
			slot = &f->listeners[i];
	if (!slot) {
		struct fwd_health *l;

		if (f->n_listeners >= 1024) {
			ctl_send_error(cl, "too many listeners");
			heard(d);
			return;
		}
		l = realloc(f->listeners, (f->n_listeners + 1) * sizeof(*l));
		if (!l) {
			ctl_send_error(cl, "out of memory");
			heard(d);
			return;
		}
		f->listeners = l;
		slot = &f->listeners[f->n_listeners++];
	}
	*slot = h;
	f->health_updates++;
	ctl_send_str(cl, "{\"ok\":true}\n");
	snprintf(why, sizeof(why),
		 "forwarder: listener %s has %u/%u servers up", h.listener,
		 h.up, h.total);
	heard(d);
	instances_trackers_changed(d, why);
}

void fwdlink_heartbeat(struct vrrpd *d, struct ctl_client *cl)
{
	struct fwd_link *f = &d->fwd;

	if (cl != f->client) {
		f->bad_lines++;
		ctl_send_error(cl, "say 'hello fwd 2' first");
		return;
	}
	/* no reply: ten a second would only be read and thrown away */
	f->heartbeats++;
	heard(d);
}

void fwdlink_closed(struct vrrpd *d, struct ctl_client *cl)
{
	struct fwd_link *f = &d->fwd;

	if (cl != f->client)
		return;
	f->client = NULL;
	f->disconnects++;
	f->silent = false;
	f->since_ms = mono_ms();
	forget_listeners(f);
	log_warn("forwarder lost: its control connection closed");
	instances_trackers_changed(d, "forwarder lost (control connection "
				      "closed)");
}

void fwdlink_free(struct vrrpd *d)
{
	if (d->fwd.timer.cb) /* fwdlink_init ran */
		loop_timer_cancel(&d->loop, &d->fwd.timer);
	d->fwd.client = NULL;
	forget_listeners(&d->fwd);
}

static bool serves_instance(const struct fwd_health *h,
			    const struct vrrp_instance *vi)
{
	size_t i, j;

	for (j = 0; j < vi->cfg->n_vips; j++) {
		const struct conf_vip *v = &vi->cfg->vips[j];

		/* each family's VIPs against that family's binds (an IPv6
		 * VIP's IPv4 field is 0.0.0.0, the wildcard) */
		if (v->family == AF_INET6) {
			for (i = 0; i < h->n_binds6; i++)
				if (fwdproto_bind6_serves(&h->binds6[i],
							  &v->addr6))
					return true;
			continue;
		}
		for (i = 0; i < h->n_binds; i++)
			if (fwdproto_bind_serves(h->binds[i], v->addr))
				return true;
	}
	return false;
}

void fwdlink_view(const struct vrrpd *d, const struct vrrp_instance *vi,
		  struct fwdtrack_link *out)
{
	const struct fwd_link *f = &d->fwd;
	size_t i;

	out->connected = f->client != NULL;
	out->version = f->version;
	out->last_heard_ms = f->last_heard_ms;
	out->servers_ok = true;
	for (i = 0; i < f->n_listeners; i++)
		if (f->listeners[i].up == 0 &&
		    serves_instance(&f->listeners[i], vi))
			out->servers_ok = false;
}

void fwdlink_schedule(struct vrrpd *d)
{
	int64_t next = 0;
	size_t i, j;

	for (i = 0; i < d->n_inst; i++)
		for (j = 0; j < d->inst[i].n_trackers; j++) {
			int64_t at = d->inst[i].trackers[j].fwd_next_ms;

			if (at && (!next || at < next))
				next = at;
		}
	if (anycast_fwd_next_ms(d) && (!next || anycast_fwd_next_ms(d) < next))
		next = anycast_fwd_next_ms(d);
	if (next)
		loop_timer_at(&d->loop, &d->fwd.timer, next);
	else
		loop_timer_cancel(&d->loop, &d->fwd.timer);
}

void fwdlink_status_json(const struct vrrpd *d, struct sbuf *sb)
{
	const struct fwd_link *f = &d->fwd;
	size_t i, j;

	sbuf_printf(sb,
		    "\"forwarder\":{\"connected\":%s,\"connects\":%lu,"
		    "\"disconnects\":%lu,\"health_updates\":%lu,"
		    "\"bad_lines\":%lu,\"proto\":%d,\"heartbeats\":%lu,"
		    "\"silences\":%lu,\"silent\":%s,\"listeners\":[",
		    f->client ? "true" : "false", f->connects, f->disconnects,
		    f->health_updates, f->bad_lines, f->client ? f->version : 0,
		    f->heartbeats, f->silences, f->silent ? "true" : "false");
	for (i = 0; i < f->n_listeners; i++) {
		const struct fwd_health *h = &f->listeners[i];

		sbuf_printf(sb, "%s{\"name\":", i ? "," : "");
		sbuf_json_str(sb, h->listener);
		sbuf_printf(sb, ",\"up\":%u,\"total\":%u,\"binds\":[", h->up,
			    h->total);
		for (j = 0; j < h->n_binds + h->n_binds6; j++) {
			char ip[INET6_ADDRSTRLEN];

			if (j < h->n_binds)
				inet_ntop(AF_INET, &h->binds[j], ip,
					  sizeof(ip));
			else
				inet_ntop(AF_INET6, &h->binds6[j - h->n_binds],
					  ip, sizeof(ip));
			sbuf_printf(sb, "%s\"%s\"", j ? "," : "", ip);
		}
		sbuf_puts(sb, "]}");
	}
	sbuf_puts(sb, "]}");
}
