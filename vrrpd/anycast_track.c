/*
 * An anycast instance's trackers: its interface, track_interface,
 * track_script and track_forwarder, without weights (each failure
 * withdraws), read into one healthy/why verdict for anycast.c.
 */
#include "anycast_io.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vrrpd.h"

static void tracker_add(struct vrrp_instance *vi, enum track_kind kind,
			const char *name)
{
	struct inst_tracker *t = &vi->trackers[vi->n_trackers];

	t->kind = kind;
	t->name = name;
	if (kind == TRACK_SCRIPT)
		t->script = track_find(vi->d, name);
	else if (kind == TRACK_IFACE)
		t->link = ifwatch_find(vi->d, name);
	vi->terms[vi->n_trackers].kind = kind;
	vi->terms[vi->n_trackers].name = name;
	vi->terms[vi->n_trackers].ok = true;
	vi->n_trackers++;
}

/* The instance's interface, then track_interface, track_script and the
 * forwarder; no weights: each one's failure withdraws. */
int anycast_trackers_setup(struct vrrp_instance *vi)
{
	const struct conf_instance *c = vi->cfg;
	size_t n = 2 + c->n_track_ifs + c->n_track_scripts, i;

	free(vi->trackers);
	free(vi->terms);
	vi->n_trackers = 0;
	vi->trackers = calloc(n, sizeof(*vi->trackers));
	vi->terms = calloc(n, sizeof(*vi->terms));
	if (!vi->trackers || !vi->terms)
		return -ENOMEM;
	tracker_add(vi, TRACK_IFACE, c->interface);
	for (i = 0; i < c->n_track_ifs; i++)
		if (strcmp(c->track_ifs[i].name, c->interface) != 0)
			tracker_add(vi, TRACK_IFACE, c->track_ifs[i].name);
	for (i = 0; i < c->n_track_scripts; i++)
		tracker_add(vi, TRACK_SCRIPT, c->track_scripts[i].name);
	if (c->track_forwarder)
		tracker_add(vi, TRACK_FORWARDER, "fwd");
	return 0;
}

/* track_forwarder's verdict (fwdtrack.c); fwdlink_schedule arms the
 * link's timer for the silence bound (anycast_fwd_next_ms). */
static bool forwarder_ok(struct anycast_instance *ai, struct inst_tracker *t,
			 char *why, size_t len)
{
	const struct fwdtrack_cfg cfg = {
	    .timeout_ms = ai->cfg->base.track_forwarder_timeout_ms,
	};
	struct vrrpd *d = ai->vi->d;
	struct fwdtrack_link l;
	bool ok;

	fwdlink_view(d, ai->vi, &l);
	ok = fwdtrack_eval(&t->fwd, &cfg, &l, mono_ms(), &t->fwd_next_ms);
	snprintf(why, len, "forwarder %s", fwdtrack_why_str(t->fwd.why));
	return ok;
}

bool anycast_trackers_healthy(struct anycast_instance *ai, char *why,
			      size_t len)
{
	struct vrrp_instance *vi = ai->vi;
	bool all = true;
	size_t i;

	for (i = 0; i < vi->n_trackers; i++) {
		const struct inst_tracker *t = &vi->trackers[i];
		char fwhy[128];
		bool ok;

		if (t->kind == TRACK_FORWARDER)
			ok = forwarder_ok(ai, &vi->trackers[i], fwhy,
					  sizeof(fwhy));
		else if (t->kind == TRACK_SCRIPT)
			ok = t->script && t->script->ok;
		else
			ok = t->link && t->link->up;
		vi->terms[i].ok = ok;
		if (ok || !all)
			continue;
		all = false;
		if (t->kind == TRACK_FORWARDER)
			snprintf(why, len, "%s", fwhy);
		else
			snprintf(why, len, "%s %s %s", track_kind_str(t->kind),
				 t->name,
				 t->kind == TRACK_IFACE ? "down" : "failed");
	}
	return all;
}

int64_t anycast_fwd_timeout_ms(const struct vrrpd *d)
{
	int64_t t = 0;
	size_t i;

	for (i = 0; i < d->anycast.n; i++) {
		const struct conf_instance *c;

		/* an entry reload has moved out is all zero */
		if (!d->anycast.v[i].vi)
			continue;
		c = &d->anycast.v[i].cfg->base;
		if (c->track_forwarder && c->track_forwarder_timeout_ms > 0 &&
		    (!t || c->track_forwarder_timeout_ms < t))
			t = c->track_forwarder_timeout_ms;
	}
	return t;
}

int64_t anycast_fwd_next_ms(const struct vrrpd *d)
{
	int64_t next = 0;
	size_t i, j;

	for (i = 0; i < d->anycast.n; i++) {
		const struct vrrp_instance *vi = d->anycast.v[i].vi;

		for (j = 0; vi && j < vi->n_trackers; j++) {
			int64_t at = vi->trackers[j].fwd_next_ms;

			if (at && (!next || at < next))
				next = at;
		}
	}
	return next;
}
