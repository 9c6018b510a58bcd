#include "track.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "../common/risefall.h"
#include "vrrpd.h"

static void run_script(struct loop *loop, struct loop_timer *t);

static void script_done(struct proc *p, int status, void *arg)
{
	struct track_script *s = arg;
	bool success =
	    status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
	/* ok and streak stay plain fields: reload and status read them */
	struct risefall rf = {.up = s->ok, .streak = s->streak};
	bool flipped;
	char what[32], why[160];

	(void)p;
	s->running = false;
	s->runs++;
	proc_status_str(status, what, sizeof(what));
	snprintf(s->last, sizeof(s->last), "%s", what);
	if (!success)
		s->failures++;
	if (status == -1)
		s->timeouts++;
	flipped = risefall_step(&rf, success, s->cfg->rise, s->cfg->fall);
	s->ok = rf.up;
	s->streak = rf.streak;
	if (flipped) {
		if (s->ok)
			snprintf(why, sizeof(why), "track script %s recovered",
				 s->cfg->name);
		else
			snprintf(why, sizeof(why),
				 "track script %s failed (%s)", s->cfg->name,
				 what);
		log_info("%s", why);
		instances_trackers_changed(s->d, why);
	}
	/* the next run keeps the interval from drifting by the run time */
	loop_timer_at(&s->d->loop, &s->timer,
		      s->started_ms + s->cfg->interval_ms);
}

static void run_script(struct loop *loop, struct loop_timer *t)
{
	struct track_script *s = t->arg;
	char tag[96];
	int rc;

	if (s->running) {
		loop_timer_in(loop, &s->timer, s->cfg->interval_ms);
		return;
	}
	s->started_ms = mono_ms();
	snprintf(tag, sizeof(tag), "vrrp_script %s", s->cfg->name);
	rc = proc_spawn(&s->d->procs, &s->argv, &s->user, proc_script_env,
			s->cfg->timeout_ms, 0, tag, script_done, s);
	if (rc < 0) {
		log_err("vrrp_script %s: cannot start: %s", s->cfg->name,
			strerror(-rc));
		loop_timer_in(loop, &s->timer, s->cfg->interval_ms);
		return;
	}
	s->running = true;
}

static bool script_used(const struct conf *c, const char *name)
{
	size_t i, j;

	for (i = 0; i < c->n_instances; i++)
		for (j = 0; j < c->instances[i].n_track_scripts; j++)
			if (!strcmp(c->instances[i].track_scripts[j].name,
				    name))
				return true;
	for (i = 0; i < c->n_anycast; i++)
		for (j = 0; j < c->anycast[i].base.n_track_scripts; j++)
			if (!strcmp(c->anycast[i].base.track_scripts[j].name,
				    name))
				return true;
	return false;
}

void track_discard(struct vrrpd *d, struct track_script *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		loop_timer_cancel(&d->loop, &v[i].timer);
		argv_free(&v[i].argv);
	}
	free(v);
}

int track_build(struct vrrpd *d, const struct conf *c,
		struct track_script **out, size_t *n_out)
{
	struct track_script *v;
	size_t i, n = 0;
	int rc = 0;

	*out = NULL;
	*n_out = 0;
	v = calloc(c->n_scripts + 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (i = 0; rc == 0 && i < c->n_scripts; i++) {
		const struct conf_script *cs = &c->scripts[i];
		struct track_script *s = &v[n];

		if (!script_used(c, cs->name))
			continue;
		s->d = d;
		s->cfg = cs;
		s->ok = true; /* keepalived's default: not init_fail */
		loop_timer_init(&s->timer, run_script, s);
		n++;
		/* conf_check_scripts reported a bad command or user */
		rc = argv_split(cs->script, &s->argv);
		if (rc == 0)
			rc = cs->user ? proc_resolve_user(cs->user, &s->user)
				      : script_user(c, &s->user);
	}
	if (rc < 0) {
		track_discard(d, v, n);
		return rc;
	}
	*out = v;
	*n_out = n;
	return 0;
}

/* What a script keeps of the one it replaces (same name): its counters;
 * with the same command and user also its result, streak and a run in
 * progress, and its next run no later than the new interval. */
static void script_adopt(struct vrrpd *d, struct track_script *s,
			 struct track_script *o, int64_t now, size_t i)
{
	bool same = o && !strcmp(o->cfg->script, s->cfg->script) &&
		    o->user.set == s->user.set && o->user.uid == s->user.uid &&
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
		procs_repoint(&d->procs, o, s);
	} else if (same && loop_timer_armed(&o->timer)) {
		int64_t at = o->timer.when_ms;

		if (at > now + s->cfg->interval_ms)
			at = now + s->cfg->interval_ms;
		loop_timer_at(&d->loop, &s->timer, at);
	} else {
		/* spread the first runs so checks do not all fire together */
		loop_timer_in(&d->loop, &s->timer, (int64_t)(i * 97 % 500));
	}
}

void track_commit(struct vrrpd *d, struct track_script *v, size_t n)
{
	int64_t now = mono_ms();
	size_t i;

	for (i = 0; i < n; i++)
		script_adopt(d, &v[i], track_find(d, v[i].cfg->name), now, i);
	for (i = 0; i < d->n_scripts; i++)
		if (d->scripts[i].running) /* not re-pointed above */
			procs_repoint(&d->procs, &d->scripts[i], NULL);
	track_discard(d, d->scripts, d->n_scripts);
	d->scripts = v;
	d->n_scripts = n;
}

void track_free(struct vrrpd *d)
{
	track_discard(d, d->scripts, d->n_scripts);
	d->scripts = NULL;
	d->n_scripts = 0;
}

struct track_script *track_find(struct vrrpd *d, const char *name)
{
	size_t i;

	for (i = 0; i < d->n_scripts; i++)
		if (!strcmp(d->scripts[i].cfg->name, name))
			return &d->scripts[i];
	return NULL;
}
