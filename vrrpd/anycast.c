#include "anycast.h"

#include <stdio.h>
#include <string.h>

const char *anycast_state_str(enum anycast_state s)
{
	static const char *const names[] = {"WITHDRAWN", "ANNOUNCED"};

	return s < ANYCAST_STATE_COUNT ? names[s] : "?";
}

const char *anycast_event_str(enum anycast_event e)
{
	static const char *const names[] = {"health", "timer", "shutdown"};

	return e < ANYCAST_EV_COUNT ? names[e] : "?";
}

struct step {
	struct anycast_fsm *f;
	int64_t hold_down_ms;
	const struct anycast_in *in;
	int64_t now;
	struct anycast_out *out;
};

/* The one place a state changes: the entry action and the count. */
static void move(struct step *s, enum anycast_state to, const char *reason)
{
	struct anycast_out *o = s->out;

	o->changed = true;
	o->from = s->f->state;
	o->to = to;
	o->add_vips = to == ANYCAST_ANNOUNCED;
	o->del_vips = to == ANYCAST_WITHDRAWN;
	snprintf(o->reason, sizeof(o->reason), "%s", reason);
	s->f->state = to;
	s->f->transitions++;
}

static bool hold_done(const struct step *s)
{
	return s->f->healthy && !s->f->stopped &&
	       s->now - s->f->healthy_since_ms >= s->hold_down_ms;
}

static void announce_if_held(struct step *s)
{
	char why[160];

	if (!hold_done(s))
		return;
	snprintf(why, sizeof(why),
		 "every tracker healthy for %lld ms "
		 "(hold_down %lld ms)",
		 (long long)(s->now - s->f->healthy_since_ms),
		 (long long)s->hold_down_ms);
	move(s, ANYCAST_ANNOUNCED, why);
}

/* Health edges are kept in either state, so hold_down counts from the
 * last failure whatever the state was then. */
static void note_health(struct step *s)
{
	if (s->in->healthy && !s->f->healthy)
		s->f->healthy_since_ms = s->now;
	s->f->healthy = s->in->healthy;
}

static void withdrawn_health(struct step *s)
{
	note_health(s);
	announce_if_held(s); /* hold_down 0: at once */
}

static void withdrawn_timer(struct step *s)
{
	announce_if_held(s);
}

static void announced_health(struct step *s)
{
	note_health(s);
	if (!s->f->healthy)
		move(s, ANYCAST_WITHDRAWN,
		     s->in->why ? s->in->why : "a tracker failed");
}

static void any_shutdown(struct step *s)
{
	s->f->stopped = true;
	if (s->f->state == ANYCAST_ANNOUNCED)
		move(s, ANYCAST_WITHDRAWN, "shutting down");
}

static void ignore(struct step *s)
{
	(void)s;
}

typedef void (*handler)(struct step *s);

static const handler table[ANYCAST_STATE_COUNT][ANYCAST_EV_COUNT] = {
    [ANYCAST_WITHDRAWN] = {[ANYCAST_EV_HEALTH] = withdrawn_health,
			   [ANYCAST_EV_TIMER] = withdrawn_timer,
			   [ANYCAST_EV_SHUTDOWN] = any_shutdown},
    [ANYCAST_ANNOUNCED] = {[ANYCAST_EV_HEALTH] = announced_health,
			   [ANYCAST_EV_TIMER] = ignore,
			   [ANYCAST_EV_SHUTDOWN] = any_shutdown},
};

void anycast_fsm_init(struct anycast_fsm *f)
{
	memset(f, 0, sizeof(*f));
	f->state = ANYCAST_WITHDRAWN;
}

void anycast_fsm_handle(struct anycast_fsm *f, int64_t hold_down_ms,
			enum anycast_event ev, const struct anycast_in *in,
			int64_t now_ms, struct anycast_out *out)
{
	static const struct anycast_in none = {0};
	struct step s = {f, hold_down_ms, in ? in : &none, now_ms, out};

	memset(out, 0, sizeof(*out));
	out->from = out->to = f->state;
	if (f->stopped || ev >= ANYCAST_EV_COUNT)
		return;
	table[f->state][ev](&s);
}

int64_t anycast_fsm_deadline(const struct anycast_fsm *f, int64_t hold_down_ms)
{
	if (f->state != ANYCAST_WITHDRAWN || !f->healthy || f->stopped)
		return 0;
	return f->healthy_since_ms + hold_down_ms;
}
