/*
 * Reload: the new file is loaded and checked completely first; only then
 * is anything touched. Instances are matched by name. Unchanged ones are
 * moved to the new configuration with their state, timers and VIPs as
 * they are; changed ones are updated in place, except for a new interface
 * or virtual_router_id (another virtual router: stopped, then started
 * anew). Removed ones stop as on shutdown; added ones start.
 */
#include "reload.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "../conf/conf_bound.h"
#include "../conf/conf_diff.h"
#include "instance.h"
#include "scriptcheck.h"
#include "smtp.h"
#include "vrrpd.h"

/* What becomes of each instance, old and new. */
struct plan {
	struct conf *nc;
	enum conf_change *fate; /* per new instance */
	unsigned *bits;		/* per new instance */
	ssize_t *old;		/* per new instance: index in d->inst */
	bool *gone;		/* per old instance: removed or restarted */
	struct vrrp_iface *ifaces;
	ssize_t *iface_from; /* per new iface: index in d->ifaces or -1 */
	size_t n_ifaces;
	struct vrrp_link *links;
	size_t n_links;
	struct track_script *scripts;
	size_t n_scripts;
};

static void plan_free(struct vrrpd *d, struct plan *p)
{
	size_t i;

	for (i = 0; i < p->n_ifaces; i++)
		if (p->iface_from[i] < 0)
			net_iface_close(d, &p->ifaces[i]);
	for (i = 0; i < p->n_scripts; i++)
		argv_free(&p->scripts[i].argv);
	free(p->scripts);
	free(p->ifaces);
	free(p->iface_from);
	free(p->links);
	free(p->fate);
	free(p->bits);
	free(p->old);
	free(p->gone);
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

		p->fate[i] =
		    conf_instance_change(d->conf, p->nc, name, &p->bits[i]);
		p->old[i] = old_index(d, name);
		if (p->old[i] >= 0 && (p->bits[i] & CONF_DIFF_RESTART))
			p->gone[p->old[i]] = true;
	}
	for (i = 0; i < d->n_inst; i++)
		if (!conf_instance_find(p->nc, d->inst[i].cfg->name))
			p->gone[i] = true;
}

static bool link_up_now(const char *name)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct ifreq ifr = {0};
	bool up;

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	up = fd >= 0 && ioctl(fd, SIOCGIFFLAGS, &ifr) == 0 &&
	     (ifr.ifr_flags & IFF_UP) && (ifr.ifr_flags & IFF_RUNNING);
	if (fd >= 0)
		close(fd);
	return up;
}

static void plan_link(struct vrrpd *d, struct plan *p, const char *name)
{
	struct vrrp_link *old = link_find(d, name);
	size_t k;

	for (k = 0; k < p->n_links; k++)
		if (!strcmp(p->links[k].name, name))
			return;
	snprintf(p->links[p->n_links].name, IF_NAMESIZE, "%s", name);
	p->links[p->n_links++].up = old ? old->up : link_up_now(name);
}

/* anycast_instance's interfaces, after the VRRP ones */
static void links_plan_anycast(struct vrrpd *d, struct plan *p)
{
	const struct conf *c = p->nc;
	size_t i, j;

	for (i = 0; i < c->n_anycast; i++) {
		plan_link(d, p, c->anycast[i].base.interface);
		for (j = 0; j < c->anycast[i].base.n_track_ifs; j++)
			plan_link(d, p, c->anycast[i].base.track_ifs[j].name);
	}
}

/* The links the new instances watch; known ones keep their state. */
static int links_plan(struct vrrpd *d, struct plan *p)
{
	const struct conf *c = p->nc;
	size_t i, j, k, cap = 0;

	for (i = 0; i < c->n_anycast; i++)
		cap += 1 + c->anycast[i].base.n_track_ifs;
	for (i = 0; i < c->n_instances; i++)
		cap += 1 + c->instances[i].n_track_ifs;
	p->links = calloc(cap + 1, sizeof(*p->links));
	if (!p->links)
		return -ENOMEM;
	for (i = 0; i < c->n_instances; i++)
		for (j = 0; j <= c->instances[i].n_track_ifs; j++) {
			const char *name =
			    j == 0 ? c->instances[i].interface
				   : c->instances[i].track_ifs[j - 1].name;
			struct vrrp_link *old = link_find(d, name);
			bool seen = false;

			for (k = 0; k < p->n_links; k++)
				seen |= !strcmp(p->links[k].name, name);
			if (seen)
				continue;
			snprintf(p->links[p->n_links].name, IF_NAMESIZE, "%s",
				 name);
			p->links[p->n_links++].up =
			    old ? old->up : link_up_now(name);
		}
	links_plan_anycast(d, p);
	return 0;
}

static ssize_t iface_index(const struct vrrpd *d, const char *name)
{
	size_t i;

	for (i = 0; i < d->n_ifaces; i++)
		if (strcmp(d->ifaces[i].name, name) == 0)
			return (ssize_t)i;
	return -1;
}

/* Opens the sockets of interfaces not in use yet; fails before anything
 * running is touched. */
static int ifaces_plan(struct vrrpd *d, struct plan *p, struct sbuf *err)
{
	const struct conf *c = p->nc;
	size_t i, j;
	int rc;

	p->ifaces = calloc(c->n_instances + 1, sizeof(*p->ifaces));
	p->iface_from = calloc(c->n_instances + 1, sizeof(*p->iface_from));
	if (!p->ifaces || !p->iface_from)
		return -ENOMEM;
	for (i = 0; i < c->n_instances; i++) {
		const struct conf_instance *in = &c->instances[i];
		struct vrrp_iface *ifc = NULL;

		for (j = 0; j < p->n_ifaces; j++)
			if (!strcmp(p->ifaces[j].name, in->interface))
				ifc = &p->ifaces[j];
		if (!ifc) {
			ifc = &p->ifaces[p->n_ifaces];
			snprintf(ifc->name, IF_NAMESIZE, "%s", in->interface);
			ifc->io.fd = -1;
			p->iface_from[p->n_ifaces] =
			    iface_index(d, in->interface);
			p->n_ifaces++;
			if (p->iface_from[p->n_ifaces - 1] >= 0)
				*ifc =
				    d->ifaces[p->iface_from[p->n_ifaces - 1]];
			else if ((rc = net_iface_open(d, ifc)) < 0) {
				sbuf_printf(err,
					    "%s:%d: vrrp_instance %s: cannot "
					    "use interface %s: %s\n",
					    c->file, in->line, in->name,
					    in->interface, strerror(-rc));
				return rc;
			}
		}
		if (!in->has_unicast_src && !ifc->primary.s_addr) {
			sbuf_printf(err,
				    "%s:%d: vrrp_instance %s: interface %s has "
				    "no IPv4 address; add one or set "
				    "unicast_src_ip\n",
				    c->file, in->line, in->name, in->interface);
			return -EADDRNOTAVAIL;
		}
	}
	return 0;
}

/* track_setup() against the new file, without touching d's scripts. */
static int scripts_plan(struct vrrpd *d, struct plan *p, struct sbuf *err)
{
	struct conf *old_conf = d->conf;
	struct track_script *old = d->scripts;
	size_t n_old = d->n_scripts;
	int rc;

	d->conf = p->nc;
	d->scripts = NULL;
	d->n_scripts = 0;
	rc = track_setup(d);
	p->scripts = d->scripts;
	p->n_scripts = d->n_scripts;
	d->conf = old_conf;
	d->scripts = old;
	d->n_scripts = n_old;
	if (rc < 0)
		sbuf_printf(err, "%s:0: vrrp_script: cannot prepare: %s\n",
			    p->nc->file, strerror(-rc));
	return rc;
}

static void iface_move(struct vrrpd *d, struct vrrp_iface *to,
		       struct vrrp_iface *from)
{
	int rc;

	/* epoll holds the io's address: register the moved one again */
	loop_io_del(&d->loop, &from->io);
	if (from->io6.fd >= 0)
		loop_io_del(&d->loop, &from->io6);
	*to = *from;
	to->io.arg = to;
	to->io6.arg = to;
	from->io.fd = -1;
	from->io6.fd = -1;
	if (to->io6.fd >= 0 && loop_io_add(&d->loop, &to->io6) < 0)
		log_err("%s: cannot watch the IPv6 socket again after reload",
			to->name);
	rc = loop_io_add(&d->loop, &to->io);
	if (rc < 0)
		log_err("%s: cannot watch the socket again after reload: %s",
			to->name, strerror(-rc));
}

static void ifaces_commit(struct vrrpd *d, struct plan *p)
{
	size_t i;

	for (i = 0; i < p->n_ifaces; i++)
		if (p->iface_from[i] >= 0)
			iface_move(d, &p->ifaces[i],
				   &d->ifaces[p->iface_from[i]]);
	for (i = 0; i < d->n_ifaces; i++)
		net_iface_close(d, &d->ifaces[i]);
	free(d->ifaces);
	d->ifaces = p->ifaces;
	d->n_ifaces = p->n_ifaces;
	p->ifaces = NULL;
	p->n_ifaces = 0;
}

/* A child whose script is gone or changed: reaped, result unused. */
static void script_orphan_done(struct proc *pr, int status, void *arg)
{
	(void)pr;
	(void)status;
	(void)arg;
}

static void procs_repoint(struct vrrpd *d, void *from, void *to)
{
	struct proc *pr;

	for (pr = d->procs.list; pr; pr = pr->next)
		if (pr->arg == from) {
			pr->arg = to;
			if (!to)
				pr->done = script_orphan_done;
		}
}

/*
 * A script whose command and user stayed keeps its result, streak and a
 * run in progress; its next run keeps its schedule unless the new
 * interval is shorter. Others start afresh, as at start-up.
 */
static void scripts_commit(struct vrrpd *d, struct plan *p)
{
	int64_t now = mono_ms();
	size_t i;

	for (i = 0; i < p->n_scripts; i++) {
		struct track_script *s = &p->scripts[i];
		struct track_script *o = track_find(d, s->cfg->name);
		bool same = o && !strcmp(o->cfg->script, s->cfg->script) &&
			    o->user.set == s->user.set &&
			    o->user.uid == s->user.uid &&
			    o->user.gid == s->user.gid;

		if (o) {
			s->runs = o->runs;
			s->failures = o->failures;
			s->timeouts = o->timeouts;
		}
		if (same) {
			s->ok = o->ok;
			s->streak = o->streak;
			memcpy(s->last, o->last, sizeof(s->last));
		}
		if (same && o->running) {
			s->running = true;
			s->started_ms = o->started_ms;
			procs_repoint(d, o, s);
		} else if (same && loop_timer_armed(&o->timer)) {
			int64_t at = o->timer.when_ms;

			if (at > now + s->cfg->interval_ms)
				at = now + s->cfg->interval_ms;
			loop_timer_at(&d->loop, &s->timer, at);
		} else {
			loop_timer_in(&d->loop, &s->timer,
				      (int64_t)(i * 97 % 500));
		}
	}
	for (i = 0; i < d->n_scripts; i++) {
		struct track_script *o = &d->scripts[i];

		if (o->running)
			procs_repoint(d, o, NULL); /* not re-pointed above */
		loop_timer_cancel(&d->loop, &o->timer);
		argv_free(&o->argv);
	}
	free(d->scripts);
	d->scripts = p->scripts;
	d->n_scripts = p->n_scripts;
	p->scripts = NULL;
	p->n_scripts = 0;
}

static void json_names(struct sbuf *sb, const char *key, struct sbuf *names)
{
	sbuf_printf(sb, ",\"%s\":[%s]", key, sbuf_str(names));
}

static void name_add(struct sbuf *list, struct sbuf *logl, const char *name)
{
	if (list->len)
		sbuf_puts(list, ",");
	sbuf_json_str(list, name);
	sbuf_printf(logl, " %s", name);
}

struct summary {
	struct sbuf kept, changed, restarted, added, removed, failed, keys;
	struct sbuf log_kept, log_changed, log_added, log_removed;
};

static void summary_each(struct summary *s, void (*fn)(struct sbuf *))
{
	struct sbuf *all[] = {&s->kept,	     &s->changed,    &s->restarted,
			      &s->added,     &s->removed,    &s->failed,
			      &s->keys,	     &s->log_kept,   &s->log_changed,
			      &s->log_added, &s->log_removed};
	size_t i;

	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		fn(all[i]);
}

static void note_keys(struct summary *s, const char *name, unsigned bits)
{
	unsigned b;
	bool first = true;

	if (s->keys.len)
		sbuf_puts(&s->keys, ",");
	sbuf_json_str(&s->keys, name);
	sbuf_puts(&s->keys, ":[");
	sbuf_printf(&s->log_changed, "(");
	for (b = 0; b < CONF_DIFF_COUNT_BITS; b++)
		if (bits & (1u << b)) {
			sbuf_printf(&s->keys, "%s\"%s\"", first ? "" : ",",
				    conf_diff_str(1u << b));
			sbuf_printf(&s->log_changed, "%s%s", first ? "" : " ",
				    conf_diff_str(1u << b));
			first = false;
		}
	sbuf_puts(&s->keys, "]");
	sbuf_puts(&s->log_changed, ")");
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
	struct vrrp_instance *ni;
	bool *fresh;
	size_t i, k = 0;
	int rc;

	for (i = 0; i < d->n_inst; i++)
		if (p->gone[i]) {
			if (!conf_instance_find(p->nc, d->inst[i].cfg->name))
				name_add(&s->removed, &s->log_removed,
					 d->inst[i].cfg->name);
			instance_retire(&d->inst[i]);
		}
	ni = calloc(p->nc->n_instances + 1, sizeof(*ni));
	fresh = calloc(p->nc->n_instances + 1, sizeof(*fresh));
	if (!ni || !fresh) {
		/* nothing sensible is left to do; keep running the rest */
		log_err("reload: out of memory");
		free(ni);
		free(fresh);
		return;
	}
	ifaces_commit(d, p);
	free(d->links);
	d->links = p->links;
	d->n_links = p->n_links;
	p->links = NULL;
	scripts_commit(d, p);
	d->conf = p->nc;
	p->nc = NULL;
	for (i = 0; i < d->conf->n_instances; i++) {
		const struct conf_instance *cfg = &d->conf->instances[i];
		ssize_t j = p->old[i];

		if (j >= 0 && !p->gone[j]) {
			struct vrrp_iface *ifc = &d->ifaces[0];
			size_t f;

			for (f = 0; f < d->n_ifaces; f++)
				if (!strcmp(d->ifaces[f].name, cfg->interface))
					ifc = &d->ifaces[f];
			fresh[k] = false;
			rc = instance_adopt(&ni[k], &d->inst[j], cfg, ifc);
			if (rc == 0 && (p->bits[i] & CONF_DIFF_VIPS))
				instance_vips_changed(&ni[k],
						      &old_conf->instances[j]);
		} else {
			rc = instance_setup(d, &ni[k], cfg);
			fresh[k] = true;
		}
		if (rc < 0) {
			log_err("%s:%d: vrrp_instance %s: cannot start after "
				"reload: %s",
				d->conf->file, cfg->line, cfg->name,
				strerror(-rc));
			if (!fresh[k]) /* a fresh one never started */
				instance_stop(&ni[k]);
			instance_free(&ni[k]);
			name_add(&s->failed, &s->log_removed, cfg->name);
			continue;
		}
		if (p->fate[i] == CONF_SAME)
			name_add(&s->kept, &s->log_kept, cfg->name);
		else if (p->fate[i] == CONF_ADDED)
			name_add(&s->added, &s->log_added, cfg->name);
		else {
			name_add(&s->changed, &s->log_changed, cfg->name);
			note_keys(s, cfg->name, p->bits[i]);
			if (p->bits[i] & CONF_DIFF_RESTART) {
				if (s->restarted.len)
					sbuf_puts(&s->restarted, ",");
				sbuf_json_str(&s->restarted, cfg->name);
				sbuf_puts(&s->log_changed, "(restarted)");
			}
		}
		k++;
	}
	/* what is left of the old array: retired or moved, all freed */
	free(d->inst);
	d->inst = ni;
	d->n_inst = k;
	global_changes(d, old_conf);
	anycast_reload(d, old_conf);
	conf_free(old_conf);
	/* new weights, trackers and base priorities: one recompute; an
	 * unchanged instance comes out with the priority it had */
	instances_trackers_changed(d, "configuration reloaded");
	for (i = 0; i < d->n_inst; i++)
		if (fresh[i])
			instance_start(&d->inst[i]);
	free(fresh);
}

/* text's lines, without their newlines: v[1..n]; v[0] owns them */
static char **split_lines(const char *text, size_t *n)
{
	char *copy = strdup(text), *save = NULL, *line, **v;

	*n = 0;
	v = calloc(strlen(text) / 2 + 3, sizeof(*v));
	if (!copy || !v) {
		free(copy);
		free(v);
		return NULL;
	}
	v[0] = copy;
	for (line = strtok_r(copy, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		v[++*n] = line;
	return v;
}

static void lines_free(char **v)
{
	if (v)
		free(v[0]);
	free(v);
}

static void reply_errors(struct sbuf *reply, const char *text)
{
	struct sbuf msg;
	size_t n, i;
	char **v = split_lines(text, &n);

	sbuf_init(&msg);
	sbuf_puts(&msg, "configuration has errors; still running the "
			"previous one: ");
	sbuf_puts(reply, "{\"ok\":false,\"errors\":[");
	for (i = 1; v && i <= n; i++) {
		sbuf_printf(&msg, "%s%s", i > 1 ? "; " : "", v[i]);
		sbuf_puts(reply, i > 1 ? "," : "");
		sbuf_json_str(reply, v[i]);
	}
	sbuf_puts(reply, "],\"error\":");
	sbuf_json_str(reply, sbuf_str(&msg));
	sbuf_puts(reply, "}\n");
	sbuf_free(&msg);
	lines_free(v);
}

/* Every line of text through the log, as errors or as warnings. */
static void log_lines(const char *text, bool errors)
{
	size_t n, i;
	char **v = split_lines(text, &n);

	for (i = 1; v && i <= n; i++)
		if (errors)
			log_err("%s", v[i]);
		else
			log_warn("%s", v[i]);
	lines_free(v);
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

int reload_run(struct vrrpd *d, struct sbuf *reply)
{
	struct plan p = {0};
	struct summary s;
	struct sbuf err;
	size_t n;
	int rc;

	sbuf_init(&err);
	log_info("reloading %s", d->conf->file);
	rc = load_checked(d, &p, &err);
	if (rc == 0) {
		n = p.nc->n_instances + 1;
		p.fate = calloc(n, sizeof(*p.fate));
		p.bits = calloc(n, sizeof(*p.bits));
		p.old = calloc(n, sizeof(*p.old));
		p.gone = calloc(d->n_inst + 1, sizeof(*p.gone));
		if (!p.fate || !p.bits || !p.old || !p.gone) {
			sbuf_printf(&err, "%s:0: out of memory\n",
				    d->conf->file);
			rc = -ENOMEM;
		}
	}
	if (rc == 0) {
		classify(d, &p);
		if ((rc = links_plan(d, &p)) < 0)
			sbuf_printf(&err, "%s:0: %s\n", d->conf->file,
				    strerror(-rc));
	}
	if (rc == 0)
		rc = ifaces_plan(d, &p, &err);
	if (rc == 0)
		rc = scripts_plan(d, &p, &err);
	if (rc < 0) {
		if (!err.len)
			sbuf_printf(&err, "%s:0: %s\n", d->conf->file,
				    strerror(-rc));
		log_lines(sbuf_str(&err), true);
		log_err("%s: configuration has errors; still running the "
			"previous one",
			d->conf->file);
		if (reply)
			reply_errors(reply, sbuf_str(&err));
		plan_free(d, &p);
		sbuf_free(&err);
		return -1;
	}
	summary_each(&s, sbuf_init);
	commit(d, &p, &s);
	log_info("reloaded %s: kept [%s ] changed [%s ] added [%s ] removed "
		 "[%s ]",
		 d->conf->file, sbuf_str(&s.log_kept), sbuf_str(&s.log_changed),
		 sbuf_str(&s.log_added), sbuf_str(&s.log_removed));
	if (reply) {
		sbuf_puts(reply, "{\"ok\":true");
		json_names(reply, "kept", &s.kept);
		json_names(reply, "changed", &s.changed);
		json_names(reply, "added", &s.added);
		json_names(reply, "removed", &s.removed);
		json_names(reply, "restarted", &s.restarted);
		if (s.failed.len)
			json_names(reply, "failed", &s.failed);
		sbuf_printf(reply, ",\"changed_keys\":{%s}}\n",
			    sbuf_str(&s.keys));
	}
	summary_each(&s, sbuf_free);
	plan_free(d, &p);
	sbuf_free(&err);
	return 0;
}
