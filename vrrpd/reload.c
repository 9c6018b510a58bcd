/*
 * Reload: the new file is loaded and checked completely first; only then
 * is anything touched. Instances are matched by name. Unchanged ones are
 * moved to the new configuration with their state, timers and VIPs as
 * they are; changed ones are updated in place, except for a new interface
 * or virtual_router_id (another virtual router: stopped, then started
 * anew). Removed ones stop as on shutdown; added ones start.
 *
 * Start-up is a reload from nothing (as relayd's config.c feeds the same
 * functions at start and at reload): the same builders make interfaces,
 * links, scripts and instances against a daemon that has none yet.
 */
#include "reload.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/reload_reply.h"
#include "../conf/conf_bound.h"
#include "../conf/conf_diff.h"
#include "iface.h"
#include "instance.h"
#include "scriptcheck.h"
#include "smtp.h"
#include "vrrpd.h"

/* What becomes of each instance, old and new, and what they run on. */
struct plan {
	struct conf *nc;
	const struct conf *oc;	  /* the running file; NULL at start-up */
	enum conf_change *fate;	  /* per new instance */
	unsigned *bits;		  /* per new instance */
	ssize_t *old;		  /* per new instance: index in d->inst */
	bool *gone;		  /* per old instance: removed or restarted */
	struct vrrp_instance *ni; /* the new instances */
	bool *fresh;		  /* per new instance: set up, not adopted */
	struct iface_plan ifaces;
	struct ifwatch_plan links;
	struct track_script *scripts;
	size_t n_scripts;
};

/* What reload_run answers beyond the instances' fates. */
struct summary {
	struct reload_area inst;
	struct sbuf restarted, failed, keys;
};

static void plan_free(struct vrrpd *d, struct plan *p)
{
	ifaces_discard(d, &p->ifaces);
	track_discard(d, p->scripts, p->n_scripts);
	free(p->links.v);
	free(p->fate);
	free(p->bits);
	free(p->old);
	free(p->gone);
	free(p->ni);
	free(p->fresh);
	conf_free(p->nc);
}

static ssize_t old_index(const struct vrrpd *d, const char *name)
{
	size_t i;

	for (i = 0; i < d->n_inst; i++)
		if (strcmp(d->inst[i].cfg->name, name) == 0)
			return (ssize_t)i;
	return -1;
}

static void classify(struct vrrpd *d, struct plan *p)
{
	size_t i;

	for (i = 0; i < p->nc->n_instances; i++) {
		const char *name = p->nc->instances[i].name;

		p->fate[i] = CONF_ADDED;
		p->old[i] = -1;
		if (!p->oc)
			continue;
		p->fate[i] =
		    conf_instance_change(p->oc, p->nc, name, &p->bits[i]);
		p->old[i] = old_index(d, name);
		if (p->old[i] >= 0 && (p->bits[i] & CONF_DIFF_RESTART))
			p->gone[p->old[i]] = true;
	}
	for (i = 0; i < d->n_inst; i++)
		if (!conf_instance_find(p->nc, d->inst[i].cfg->name))
			p->gone[i] = true;
}

/* Everything that can fail, before anything running is touched. */
static int plan_make(struct vrrpd *d, struct plan *p, struct sbuf *err)
{
	size_t n = p->nc->n_instances + 1;
	int rc;

	p->fate = calloc(n, sizeof(*p->fate));
	p->bits = calloc(n, sizeof(*p->bits));
	p->old = calloc(n, sizeof(*p->old));
	p->ni = calloc(n, sizeof(*p->ni));
	p->fresh = calloc(n, sizeof(*p->fresh));
	p->gone = calloc(d->n_inst + 1, sizeof(*p->gone));
	if (!p->fate || !p->bits || !p->old || !p->ni || !p->fresh ||
	    !p->gone) {
		sbuf_printf(err, "%s:0: out of memory\n", p->nc->file);
		return -ENOMEM;
	}
	classify(d, p);
	p->links.old = d->links;
	p->links.n_old = d->n_links;
	if ((rc = ifwatch_build(p->nc, &p->links)) < 0) {
		sbuf_printf(err, "%s:0: %s\n", p->nc->file, strerror(-rc));
		return rc;
	}
	if ((rc = ifaces_build(d, p->nc, &p->ifaces, err)) < 0)
		return rc;
	rc = track_build(d, p->nc, &p->scripts, &p->n_scripts);
	if (rc < 0)
		sbuf_printf(err, "%s:0: vrrp_script: cannot prepare: %s\n",
			    p->nc->file, strerror(-rc));
	return rc;
}

static void name_add(struct sbuf *list, const char *name)
{
	if (list->len)
		sbuf_puts(list, ",");
	sbuf_json_str(list, name);
}

static void note_keys(struct summary *s, const char *name, unsigned bits)
{
	unsigned b;
	bool first = true;

	if (s->keys.len)
		sbuf_puts(&s->keys, ",");
	sbuf_json_str(&s->keys, name);
	sbuf_puts(&s->keys, ":[");
	for (b = 0; b < CONF_DIFF_COUNT_BITS; b++)
		if (bits & (1u << b)) {
			sbuf_printf(&s->keys, "%s\"%s\"", first ? "" : ",",
				    conf_diff_str(1u << b));
			first = false;
		}
	sbuf_puts(&s->keys, "]");
}

static void note_fate(struct summary *s, const struct plan *p, size_t i,
		      const char *name)
{
	if (p->fate[i] == CONF_SAME)
		reload_area_add(&s->inst, RELOAD_KEPT, name);
	else if (p->fate[i] == CONF_ADDED)
		reload_area_add(&s->inst, RELOAD_ADDED, name);
	else {
		reload_area_add(&s->inst, RELOAD_CHANGED, name);
		note_keys(s, name, p->bits[i]);
		if (p->bits[i] & CONF_DIFF_RESTART)
			name_add(&s->restarted, name);
	}
}

/* Commit step 1: the instances that stop (removed, or another virtual
 * router now), as on shutdown. */
static void instances_retire(struct vrrpd *d, struct plan *p, struct summary *s)
{
	size_t i;

	for (i = 0; i < d->n_inst; i++)
		if (p->gone[i]) {
			if (!conf_instance_find(p->nc, d->inst[i].cfg->name))
				reload_area_add(&s->inst, RELOAD_REMOVED,
						d->inst[i].cfg->name);
			instance_retire(&d->inst[i]);
		}
}

/* Commit step 2: the new interfaces, links and scripts become d's. */
static void resources_commit(struct vrrpd *d, struct plan *p)
{
	ifaces_commit(d, &p->ifaces);
	ifwatch_commit(d, &p->links);
	track_commit(d, p->scripts, p->n_scripts);
	p->scripts = NULL;
	p->n_scripts = 0;
}

/* One instance of d->conf: a kept one adopted with its state, another
 * set up (started later). */
static int instance_build(struct vrrpd *d, struct plan *p, size_t i,
			  struct vrrp_instance *vi)
{
	const struct conf_instance *cfg = &d->conf->instances[i];
	ssize_t j = p->old[i];
	const struct conf_instance *was;
	int rc;

	if (j < 0 || p->gone[j])
		return instance_setup(d, vi, cfg);
	was = d->inst[j].cfg; /* the old file's, still valid */
	rc = instance_adopt(vi, &d->inst[j], cfg,
			    iface_find(d->ifaces, d->n_ifaces, cfg->interface));
	if (rc == 0 && (p->bits[i] & CONF_DIFF_VIPS))
		instance_vips_changed(vi, was);
	if (rc < 0)
		instance_stop(vi);
	return rc;
}

/*
 * Commit step 3: every instance of d->conf (already the new file) into
 * p->ni, then d->inst. At start-up (s NULL) the first failure ends it;
 * at reload an instance that cannot start is logged, reported in
 * "failed", and the others go on.
 */
static int instances_build(struct vrrpd *d, struct plan *p, struct summary *s)
{
	size_t i, k = 0;
	int rc = 0;

	for (i = 0; i < d->conf->n_instances; i++) {
		const struct conf_instance *cfg = &d->conf->instances[i];

		p->fresh[k] = p->old[i] < 0 || p->gone[p->old[i]];
		rc = instance_build(d, p, i, &p->ni[k]);
		if (rc < 0) {
			log_err("%s:%d: vrrp_instance %s: cannot start%s: %s",
				d->conf->file, cfg->line, cfg->name,
				s ? " after reload" : "", strerror(-rc));
			instance_free(&p->ni[k]);
			if (!s)
				break;
			name_add(&s->failed, cfg->name);
			continue;
		}
		if (s)
			note_fate(s, p, i, cfg->name);
		k++;
	}
	/* what is left of the old array: retired or moved, all freed */
	free(d->inst);
	d->inst = p->ni;
	d->n_inst = k;
	p->ni = NULL;
	return s ? 0 : rc;
}

static void global_changes(struct vrrpd *d, const struct conf *old)
{
	const struct conf_global *g = &d->conf->global;

	if (strcmp(g->control_socket, d->ctl.path) != 0)
		log_warn("control_socket is now %s but vrrpd keeps serving %s "
			 "(and its clients, the forwarder too); restart "
			 "vrrpd to move it",
			 g->control_socket, d->ctl.path);
	if (!conf_global_smtp_equal(g, &old->global))
		smtp_reload(d);
}

/* The point of no return: everything below only moves and starts. */
static void commit(struct vrrpd *d, struct plan *p, struct summary *s)
{
	struct conf *old_conf = d->conf;
	size_t i;

	instances_retire(d, p, s);
	resources_commit(d, p);
	d->conf = p->nc;
	p->nc = NULL;
	instances_build(d, p, s);
	global_changes(d, old_conf);
	anycast_reload(d, old_conf);
	conf_free(old_conf);
	/* new weights, trackers and base priorities: one recompute; an
	 * unchanged instance comes out with the priority it had */
	instances_trackers_changed(d, "configuration reloaded");
	for (i = 0; i < d->n_inst; i++)
		if (p->fresh[i])
			instance_start(&d->inst[i]);
}

/* Every line of text through the log, as errors or as warnings. */
static void log_lines(const char *text, bool errors)
{
	const char *nl;

	for (; *text; text = *nl ? nl + 1 : nl) {
		nl = text + strcspn(text, "\n");
		if (nl == text)
			continue;
		if (errors)
			log_err("%.*s", (int)(nl - text), text);
		else
			log_warn("%.*s", (int)(nl - text), text);
	}
}

int reload_startup(struct vrrpd *d)
{
	struct plan p = {.nc = d->conf};
	struct sbuf err;
	int rc;

	sbuf_init(&err);
	rc = plan_make(d, &p, &err);
	if (rc == 0) {
		resources_commit(d, &p);
		rc = instances_build(d, &p, NULL);
	}
	log_lines(sbuf_str(&err), true);
	p.nc = NULL; /* d's */
	plan_free(d, &p);
	sbuf_free(&err);
	return rc;
}

static int load_checked(struct vrrpd *d, struct plan *p, struct sbuf *err)
{
	struct conf_diag diag;
	int rc;

	conf_diag_init(&diag);
	rc = conf_load_bounded(d->conf->file, CONF_VRRP, CONF_RELOAD_BUDGET_MS,
			       &p->nc, &diag);
	if (rc == 0 && script_check_all(p->nc, &diag) > 0)
		rc = -1;
	if (rc < 0)
		sbuf_puts(err, sbuf_str(&diag.text));
	else if (diag.text.len)
		log_lines(sbuf_str(&diag.text), false); /* warnings */
	conf_diag_free(&diag);
	return rc;
}

/* The reply (common/reload_reply.h), and the same in the log. */
static void reply_ok(struct vrrpd *d, struct summary *s, struct sbuf *reply)
{
	struct sbuf extra, out;

	sbuf_init(&extra);
	sbuf_init(&out);
	sbuf_printf(&extra, "\"restarted\":[%s],", sbuf_str(&s->restarted));
	if (s->failed.len)
		sbuf_printf(&extra, "\"failed\":[%s],", sbuf_str(&s->failed));
	sbuf_printf(&extra, "\"changed_keys\":{%s}", sbuf_str(&s->keys));
	reload_reply_ok(&out, &s->inst, 1, sbuf_str(&extra));
	log_info("reloaded %s: %.*s", d->conf->file, (int)out.len - 1,
		 sbuf_str(&out));
	if (reply)
		sbuf_puts(reply, sbuf_str(&out));
	sbuf_free(&extra);
	sbuf_free(&out);
}

int reload_run(struct vrrpd *d, struct sbuf *reply)
{
	struct plan p = {.oc = d->conf};
	struct summary s;
	struct sbuf err;
	int rc;

	sbuf_init(&err);
	log_info("reloading %s", d->conf->file);
	rc = load_checked(d, &p, &err);
	if (rc == 0)
		rc = plan_make(d, &p, &err);
	if (rc < 0) {
		if (!err.len)
			sbuf_printf(&err, "%s:0: %s\n", d->conf->file,
				    strerror(-rc));
		log_lines(sbuf_str(&err), true);
		log_err("%s: configuration has errors; still running the "
			"previous one",
			d->conf->file);
		if (reply)
			reload_reply_fail(reply, sbuf_str(&err));
		plan_free(d, &p);
		sbuf_free(&err);
		return -1;
	}
	reload_area_init(&s.inst, "instances");
	sbuf_init(&s.restarted);
	sbuf_init(&s.failed);
	sbuf_init(&s.keys);
	commit(d, &p, &s);
	reply_ok(d, &s, reply);
	reload_area_free(&s.inst);
	sbuf_free(&s.restarted);
	sbuf_free(&s.failed);
	sbuf_free(&s.keys);
	plan_free(d, &p);
	sbuf_free(&err);
	return 0;
}
