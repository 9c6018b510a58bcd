/*
 * Which transitions become which alert mails: coalesced per instance
 * (alertq.c: the first after a quiet spell at once, the rest in one
 * summary per smtp_alert_interval), composed by alert.c, handed to the
 * SMTP sender (smtp.c).
 */
#include "alertmail.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alert.h"
#include "smtp.h"
#include "vrrpd.h"

/* An instance's coalescing state, by name (it outlives a reload). */
struct alertmail_inst {
	char name[CONF_NAME_MAX];
	struct alertq q;
};

static struct alertmail_inst *inst_get(struct alertmail *a, const char *name)
{
	struct alertmail_inst *n;
	size_t i;

	for (i = 0; i < a->n_insts; i++)
		if (!strcmp(a->insts[i].name, name))
			return &a->insts[i];
	n = realloc(a->insts, (a->n_insts + 1) * sizeof(*n));
	if (!n)
		return NULL;
	a->insts = n;
	n = &a->insts[a->n_insts++];
	memset(n, 0, sizeof(*n));
	snprintf(n->name, sizeof(n->name), "%s", name);
	return n;
}

static void transition_fill(struct alert_transition *t,
			    const struct vrrp_instance *vi)
{
	memset(t, 0, sizeof(*t));
	t->instance = vi->cfg->name;
	t->interface = vi->cfg->interface;
	t->priority = vi->fsm.priority;
	t->base_priority = vi->cfg->priority;
	t->vips = vi->cfg->vips;
	t->n_vips = vi->cfg->n_vips;
}

static const struct vrrp_instance *inst_find(const struct vrrpd *d,
					     const char *name)
{
	size_t i;

	for (i = 0; i < d->n_inst; i++)
		if (!strcmp(d->inst[i].cfg->name, name))
			return &d->inst[i];
	return NULL;
}

/* Mails what one instance held, as one summary. */
static void summary_send(struct alertmail *a, struct alertmail_inst *si,
			 int64_t now)
{
	static const struct alertq_item none;
	const struct vrrp_instance *vi = inst_find(a->d, si->name);
	struct alertq_item *items = calloc(ALERTQ_HELD_MAX, sizeof(*items));
	const struct alertq_item *last;
	struct alert_transition t;
	struct alert_env env;
	struct sbuf sb;
	uint64_t omitted;
	size_t n;
	char what[96];

	if (!items)
		return; /* held: the next timer tries again */
	n = alertq_take(&si->q, now, items, &omitted);
	last = n ? &items[n - 1] : &none;
	if (vi) {
		transition_fill(&t, vi);
	} else { /* reloaded away since */
		memset(&t, 0, sizeof(t));
		t.instance = si->name;
		t.priority = last->priority;
	}
	t.from = last->from;
	t.to = last->to;
	t.reason = last->reason;
	smtp_env_fill(a->d->smtp, &env);
	sbuf_init(&sb);
	alert_format_summary(&sb, &env, &t, items, n, omitted,
			     a->d->conf->global.smtp_alert_interval_ms);
	snprintf(what, sizeof(what), "%s: summary of %llu transitions",
		 si->name, (unsigned long long)n + omitted);
	a->summaries++;
	free(items);
	smtp_enqueue(a->d->smtp, &sb, what, false);
}

static void summary_schedule(struct alertmail *a)
{
	int64_t iv = a->d->conf->global.smtp_alert_interval_ms, next = 0;
	size_t i;

	for (i = 0; i < a->n_insts; i++) {
		int64_t due = alertq_due(&a->insts[i].q, iv);

		if (due && (!next || due < next))
			next = due;
	}
	if (next)
		loop_timer_at(&a->d->loop, &a->timer, next);
	else
		loop_timer_cancel(&a->d->loop, &a->timer);
}

static void summary_timer_fired(struct loop *loop, struct loop_timer *t)
{
	struct alertmail *a = t->arg;
	int64_t iv = a->d->conf->global.smtp_alert_interval_ms, now = mono_ms();
	size_t i;

	(void)loop;
	for (i = 0; i < a->n_insts; i++) {
		int64_t due = alertq_due(&a->insts[i].q, iv);

		if (due && due <= now)
			summary_send(a, &a->insts[i], now);
	}
	summary_schedule(a);
}

void alertmail_flush(struct alertmail *a)
{
	size_t i;

	if (!a->d)
		return;
	loop_timer_cancel(&a->d->loop, &a->timer);
	for (i = 0; i < a->n_insts; i++)
		if (a->insts[i].q.n_held)
			summary_send(a, &a->insts[i], mono_ms());
}

void alertmail_transition(struct vrrpd *d, const struct vrrp_instance *vi,
			  enum vrrp_state from, enum vrrp_state to,
			  const char *reason)
{
	struct alertmail *a = &d->alerts;
	struct alert_transition t;
	struct alertq_item it = {.from = from, .to = to};
	struct alertmail_inst *si;
	struct alert_env env;
	struct sbuf sb;
	char what[96];

	if (!d->smtp || !a->d || !vi->cfg->smtp_alert)
		return;
	it.priority = vi->fsm.priority;
	clock_gettime(CLOCK_REALTIME, &it.wall);
	snprintf(it.reason, sizeof(it.reason), "%s", reason ? reason : "");
	si = inst_get(a, vi->cfg->name);
	if (si &&
	    alertq_push(&si->q, &it, d->conf->global.smtp_alert_interval_ms,
			mono_ms()) == ALERTQ_HELD) {
		a->coalesced++;
		summary_schedule(a);
		return;
	}
	transition_fill(&t, vi);
	t.from = from;
	t.to = to;
	t.reason = reason;
	smtp_env_fill(d->smtp, &env);
	sbuf_init(&sb);
	alert_format_transition(&sb, &env, &t);
	snprintf(what, sizeof(what), "%s: %s -> %s", vi->cfg->name,
		 vrrp_state_str(from), vrrp_state_str(to));
	smtp_enqueue(d->smtp, &sb, what, false);
}

void alertmail_init(struct alertmail *a, struct vrrpd *d)
{
	memset(a, 0, sizeof(*a));
	a->d = d;
	loop_timer_init(&a->timer, summary_timer_fired, a);
}

void alertmail_free(struct alertmail *a)
{
	if (a->d)
		loop_timer_cancel(&a->d->loop, &a->timer);
	free(a->insts);
	a->insts = NULL;
	a->n_insts = 0;
	a->d = NULL;
}

size_t alertmail_held(const struct alertmail *a)
{
	size_t i, n = 0;

	for (i = 0; i < a->n_insts; i++)
		n += a->insts[i].q.n_held;
	return n;
}
