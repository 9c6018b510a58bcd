#include "anycast_io.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert.h"
#include "smtp.h"
#include "vrrpd.h"

static const char *const meaning[ANYCAST_STATE_COUNT] = {
    [ANYCAST_WITHDRAWN] = "The virtual addresses are removed from the "
			  "interface; the BGP speaker withdraws their "
			  "routes and the upstream router sends this node "
			  "no new flow.",
    [ANYCAST_ANNOUNCED] = "The virtual addresses are on the interface; "
			  "the BGP speaker announces them and the upstream "
			  "router spreads flows over this node too.",
};

static void on_timer(struct loop *loop, struct loop_timer *t);

static void tell_forwarder(struct vrrpd *d, const struct anycast_instance *ai)
{
	struct sbuf sb;

	if (!d->fwd.client)
		return;
	sbuf_init(&sb);
	sbuf_puts(&sb, "{\"event\":\"state\",\"instance\":");
	sbuf_json_str(&sb, ai->cfg->base.name);
	sbuf_printf(&sb, ",\"state\":\"%s\",\"priority\":0,\"reason\":",
		    anycast_state_str(ai->fsm.state));
	sbuf_json_str(&sb, ai->last_reason);
	sbuf_puts(&sb, "}\n");
	/* a forwarder that stopped reading is dropped here, which calls
	 * back into anycast_trackers_changed: nothing may follow */
	ctl_send_sbuf(d->fwd.client, &sb);
	sbuf_free(&sb);
}

/* One mail per transition, with the reason; not coalesced like VRRP's
 * (hold_down already keeps a flapping node to one pair per hold_down). */
static void mail(struct vrrpd *d, const struct anycast_instance *ai,
		 const char *from, const char *to, const char *reason)
{
	const struct conf_instance *c = &ai->cfg->base;
	struct alert_transition t;
	struct alert_env env;
	struct sbuf sb;
	char what[96];

	if (!d->smtp || !c->smtp_alert)
		return;
	memset(&t, 0, sizeof(t));
	t.instance = c->name;
	t.interface = c->interface;
	t.reason = reason;
	t.vips = c->vips;
	t.n_vips = c->n_vips;
	t.anycast_from = from;
	t.anycast_to = to;
	t.anycast_meaning = meaning[ai->fsm.state];
	smtp_env_fill(d->smtp, &env);
	sbuf_init(&sb);
	alert_format_transition(&sb, &env, &t);
	snprintf(what, sizeof(what), "%s: %s -> %s", c->name, from, to);
	smtp_enqueue(d->smtp, &sb, what, false);
}

static void apply(struct anycast_instance *ai, const struct anycast_out *o)
{
	struct vrrpd *d = ai->vi->d;
	const struct conf_anycast *c = ai->cfg;
	const char *from = anycast_state_str(o->from);
	const char *to = anycast_state_str(o->to);
	int64_t at;

	/* the address first: a withdrawal is what the node waits for */
	if (o->del_vips)
		vip_del_all(ai->vi);
	if (o->add_vips)
		vip_add_all(ai->vi);
	at = anycast_fsm_deadline(&ai->fsm, c->hold_down_ms);
	if (at)
		loop_timer_at(&d->loop, &ai->timer, at);
	else
		loop_timer_cancel(&d->loop, &ai->timer);
	if (!o->changed)
		return;
	snprintf(ai->last_reason, sizeof(ai->last_reason), "%s", o->reason);
	ai->since_ms = mono_ms();
	if (o->to == ANYCAST_ANNOUNCED)
		ai->announces++;
	else
		ai->withdrawals++;
	log_info("%s: %s -> %s (%s)", c->base.name, from, to, o->reason);
	mail(d, ai, from, to, o->reason);
	notify_named(ai->vi,
		     o->to == ANYCAST_ANNOUNCED ? c->notify_announced
						: c->notify_withdrawn,
		     "ANYCAST", to);
	tell_forwarder(d, ai);
}

static void feed(struct anycast_instance *ai, enum anycast_event ev,
		 const struct anycast_in *in)
{
	struct anycast_out out;

	anycast_fsm_handle(&ai->fsm, ai->cfg->hold_down_ms, ev, in, mono_ms(),
			   &out);
	apply(ai, &out);
}

static void on_timer(struct loop *loop, struct loop_timer *t)
{
	(void)loop;
	feed(t->arg, ANYCAST_EV_TIMER, NULL);
}

static void recompute(struct anycast_instance *ai, const char *why)
{
	char fail[160];
	struct anycast_in in = {.why = why};

	in.healthy = anycast_trackers_healthy(ai, fail, sizeof(fail));
	if (!in.healthy)
		in.why = fail;
	feed(ai, ANYCAST_EV_HEALTH, &in);
}

void anycast_trackers_changed(struct vrrpd *d, const char *why)
{
	struct anycast_set *s = &d->anycast;
	size_t i;

	for (i = 0; i < s->n; i++)
		if (s->v[i].vi && !s->v[i].fsm.stopped && s->v[i].vi->trackers)
			recompute(&s->v[i], why);
	/* a forwarder that just said hello learns our states too */
	if (d->fwd.client && s->fwd_told != d->fwd.connects) {
		s->fwd_told = d->fwd.connects;
		for (i = 0; i < s->n && d->fwd.client; i++)
			if (s->v[i].vi)
				tell_forwarder(d, &s->v[i]);
	}
}

static int one_setup(struct vrrpd *d, struct anycast_instance *ai,
		     const struct conf_anycast *cfg)
{
	memset(ai, 0, sizeof(*ai));
	ai->cfg = cfg;
	ai->vi = calloc(1, sizeof(*ai->vi));
	if (!ai->vi)
		return -ENOMEM;
	ai->vi->d = d;
	ai->vi->cfg = &cfg->base;
	anycast_fsm_init(&ai->fsm);
	loop_timer_init(&ai->timer, on_timer, ai);
	snprintf(ai->last_reason, sizeof(ai->last_reason), "starting");
	return anycast_trackers_setup(ai->vi);
}

int anycast_setup(struct vrrpd *d)
{
	struct anycast_set *s = &d->anycast;
	size_t i;
	int rc;

	s->v = calloc(d->conf->n_anycast + 1, sizeof(*s->v));
	if (!s->v)
		return -ENOMEM;
	for (i = 0; i < d->conf->n_anycast; i++) {
		rc = one_setup(d, &s->v[i], &d->conf->anycast[i]);
		s->n++;
		if (rc < 0)
			return rc;
	}
	return 0;
}

static void one_start(struct anycast_instance *ai)
{
	int stale = vip_del_all(ai->vi);

	if (stale > 0)
		log_warn("%s: removed %d anycast address(es) left from an "
			 "earlier run; they return after hold_down",
			 ai->cfg->base.name, stale);
	ai->since_ms = mono_ms();
	recompute(ai, "startup");
}

void anycast_start(struct vrrpd *d)
{
	size_t i;

	for (i = 0; i < d->anycast.n; i++)
		one_start(&d->anycast.v[i]);
}

static void one_stop(struct anycast_instance *ai)
{
	feed(ai, ANYCAST_EV_SHUTDOWN, NULL);
	loop_timer_cancel(&ai->vi->d->loop, &ai->timer);
}

void anycast_stop(struct vrrpd *d)
{
	size_t i;

	for (i = 0; i < d->anycast.n; i++)
		one_stop(&d->anycast.v[i]);
}

/* A notify script still running keeps its vi until it is reaped. */
static void orphan_done(struct proc *p, int status, void *arg)
{
	(void)p;
	(void)status;
	free(arg);
}

static void one_free(struct vrrpd *d, struct anycast_instance *ai)
{
	struct vrrp_instance *vi = ai->vi;
	struct proc *p;
	bool busy = false;

	if (!vi)
		return;
	loop_timer_cancel(&d->loop, &ai->timer);
	free(vi->trackers);
	free(vi->terms);
	notify_free(&vi->notify);
	vi->trackers = NULL;
	vi->terms = NULL;
	for (p = d->procs.list; p; p = p->next)
		if (p->arg == vi) {
			p->done = orphan_done;
			busy = true;
		}
	if (!busy)
		free(vi);
	ai->vi = NULL;
}

void anycast_free(struct vrrpd *d)
{
	size_t i;

	for (i = 0; i < d->anycast.n; i++)
		one_free(d, &d->anycast.v[i]);
	free(d->anycast.v);
	d->anycast.v = NULL;
	d->anycast.n = 0;
}

bool anycast_addr_removed(struct vrrpd *d, struct in_addr addr)
{
	bool restored = false;
	size_t i, j;

	for (i = 0; i < d->anycast.n; i++) {
		struct anycast_instance *ai = &d->anycast.v[i];
		const struct conf_instance *c;

		if (!ai->vi || ai->fsm.state != ANYCAST_ANNOUNCED)
			continue;
		c = &ai->cfg->base;
		for (j = 0; j < c->n_vips; j++) {
			char ip[INET_ADDRSTRLEN];

			if (c->vips[j].addr.s_addr != addr.s_addr)
				continue;
			inet_ntop(AF_INET, &addr, ip, sizeof(ip));
			log_warn("%s: anycast address %s was removed by "
				 "something else while announced; restoring it",
				 c->name, ip);
			vip_add_all(ai->vi);
			restored = true;
		}
	}
	return restored;
}

int anycast_cleanup(struct vrrpd *d)
{
	struct vrrp_instance vi;
	size_t i;
	int removed = 0;

	for (i = 0; i < d->conf->n_anycast; i++) {
		memset(&vi, 0, sizeof(vi));
		vi.d = d;
		vi.cfg = &d->conf->anycast[i].base;
		removed += vip_del_all(&vi);
	}
	return removed;
}

static void json_one(struct sbuf *sb, const struct anycast_instance *ai,
		     int64_t now)
{
	const struct conf_instance *c = &ai->cfg->base;
	const struct vrrp_instance *vi = ai->vi;
	int64_t at = anycast_fsm_deadline(&ai->fsm, ai->cfg->hold_down_ms);
	size_t i;

	sbuf_puts(sb, "{\"name\":");
	sbuf_json_str(sb, c->name);
	sbuf_printf(sb, ",\"state\":\"%s\",\"interface\":",
		    anycast_state_str(ai->fsm.state));
	sbuf_json_str(sb, c->interface);
	sbuf_printf(sb,
		    ",\"healthy\":%s,\"hold_down_ms\":%lld,"
		    "\"announce_in_ms\":%lld,\"in_state_ms\":%lld,\"vips\":[",
		    ai->fsm.healthy ? "true" : "false",
		    (long long)ai->cfg->hold_down_ms,
		    (long long)(at ? (at > now ? at - now : 0) : -1),
		    (long long)(now - ai->since_ms));
	for (i = 0; i < c->n_vips; i++) {
		char ip[INET_ADDRSTRLEN];

		inet_ntop(AF_INET, &c->vips[i].addr, ip, sizeof(ip));
		sbuf_printf(sb, "%s\"%s/%d\"", i ? "," : "", ip,
			    c->vips[i].prefix);
	}
	sbuf_printf(sb,
		    "],\"transitions\":%u,\"announces\":%lu,"
		    "\"withdrawals\":%lu,\"last_reason\":",
		    ai->fsm.transitions, ai->announces, ai->withdrawals);
	sbuf_json_str(sb, ai->last_reason);
	sbuf_puts(sb, ",\"trackers\":[");
	for (i = 0; i < vi->n_trackers; i++) {
		sbuf_printf(sb, "%s{\"type\":\"%s\",\"name\":", i ? "," : "",
			    track_kind_str(vi->terms[i].kind));
		sbuf_json_str(sb, vi->terms[i].name);
		sbuf_printf(sb, ",\"ok\":%s}",
			    vi->terms[i].ok ? "true" : "false");
	}
	sbuf_printf(sb,
		    "],\"notify\":{\"runs\":%lu,\"failures\":%lu,"
		    "\"dropped\":%lu}}",
		    vi->notify.runs, vi->notify.failures, vi->notify.dropped);
}

void anycast_status_json(const struct vrrpd *d, struct sbuf *sb,
			 const char *only, bool *found)
{
	int64_t now = mono_ms();
	bool first = true;
	size_t i;

	sbuf_puts(sb, "\"anycast\":[");
	for (i = 0; i < d->anycast.n; i++) {
		const struct anycast_instance *ai = &d->anycast.v[i];

		if (!ai->vi)
			continue;
		if (only && strcmp(only, ai->cfg->base.name) != 0)
			continue;
		if (!first)
			sbuf_puts(sb, ",");
		first = false;
		*found = true;
		json_one(sb, ai, now);
	}
	sbuf_puts(sb, "],");
}

static const struct conf_anycast *find_cfg(const struct conf *c,
					   const char *name)
{
	size_t i;

	for (i = 0; i < c->n_anycast; i++)
		if (!strcmp(c->anycast[i].base.name, name))
			return &c->anycast[i];
	return NULL;
}

/* The addresses of old that cfg no longer has leave at once; the new ones
 * come when the (unchanged) state says ANNOUNCED. */
static void vips_moved(struct anycast_instance *ai,
		       const struct conf_instance *old)
{
	struct conf_instance gone = *old;
	struct vrrp_instance tmp = {.d = ai->vi->d, .cfg = &gone};
	const struct conf_instance *now = &ai->cfg->base;
	size_t i, j;

	gone.vips = calloc(old->n_vips + 1, sizeof(*gone.vips));
	if (!gone.vips)
		return;
	gone.n_vips = 0;
	for (i = 0; i < old->n_vips; i++) {
		bool kept = false;

		for (j = 0; j < now->n_vips; j++)
			if (now->vips[j].addr.s_addr ==
				old->vips[i].addr.s_addr &&
			    now->vips[j].prefix == old->vips[i].prefix &&
			    !strcmp(now->vips[j].dev, old->vips[i].dev))
				kept = true;
		if (!kept)
			gone.vips[gone.n_vips++] = old->vips[i];
	}
	vip_del_all(&tmp);
	free(gone.vips);
	if (ai->fsm.state == ANYCAST_ANNOUNCED)
		vip_add_all(ai->vi);
}

void anycast_reload(struct vrrpd *d, const struct conf *old)
{
	struct anycast_set *s = &d->anycast;
	struct anycast_instance *nv;
	size_t i, j, n = 0;
	unsigned kept = 0, added = 0, removed = 0;

	nv = calloc(d->conf->n_anycast + 1, sizeof(*nv));
	if (!nv) {
		log_err("reload: out of memory; anycast instances unchanged");
		return;
	}
	/* gone: withdraw now, while their old configuration is valid */
	for (i = 0; i < s->n; i++)
		if (!find_cfg(d->conf, s->v[i].cfg->base.name)) {
			one_stop(&s->v[i]);
			one_free(d, &s->v[i]);
			removed++;
		}
	for (i = 0; i < d->conf->n_anycast; i++) {
		const struct conf_anycast *cfg = &d->conf->anycast[i];
		struct anycast_instance *ai = &nv[n];
		struct anycast_instance *was = NULL;

		for (j = 0; j < s->n && !was; j++)
			if (s->v[j].vi &&
			    !strcmp(s->v[j].cfg->base.name, cfg->base.name))
				was = &s->v[j];
		if (!was) {
			if (one_setup(d, ai, cfg) < 0) {
				one_free(d, ai);
				continue;
			}
			n++;
			added++;
			one_start(ai);
			continue;
		}
		/* the loop's heap points at the timer itself */
		loop_timer_cancel(&d->loop, &was->timer);
		*ai = *was;
		memset(was, 0, sizeof(*was));
		loop_timer_init(&ai->timer, on_timer, ai);
		ai->cfg = cfg;
		ai->vi->cfg = &cfg->base;
		n++;
		kept++;
		if (anycast_trackers_setup(ai->vi) < 0)
			continue;
		vips_moved(ai, &find_cfg(old, cfg->base.name)->base);
		recompute(ai, "configuration reloaded");
	}
	free(s->v);
	s->v = nv;
	s->n = n;
	if (kept + added + removed)
		log_info("reload: anycast instances: %u kept (state and "
			 "addresses as they were), %u added, %u removed",
			 kept, added, removed);
}
