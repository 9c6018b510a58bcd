/* track_forwarder's verdict with silence bound and flap damping (pure). */
#include "fwdtrack.h"

static const char *const why_str[FWDTRACK_WHY_COUNT] = {
    [FWDTRACK_OK] = "ok",
    [FWDTRACK_NOT_CONNECTED] = "not connected",
    [FWDTRACK_SILENT] = "silent",
    [FWDTRACK_NO_SERVER] = "no server up",
    [FWDTRACK_HOLDING] = "holding after a flap",
};

const char *fwdtrack_why_str(enum fwdtrack_why why)
{
	return (unsigned)why < FWDTRACK_WHY_COUNT ? why_str[why] : "?";
}

static enum fwdtrack_why raw_verdict(const struct fwdtrack_cfg *c,
				     const struct fwdtrack_link *l,
				     int64_t now_ms)
{
	if (!l->connected)
		return FWDTRACK_NOT_CONNECTED;
	/* version 1 sends no heartbeat: only a closed socket tells */
	if (l->version >= 2 && c->timeout_ms > 0 &&
	    now_ms - l->last_heard_ms >= c->timeout_ms)
		return FWDTRACK_SILENT;
	if (!l->servers_ok)
		return FWDTRACK_NO_SERVER;
	return FWDTRACK_OK;
}

static void next_at(int64_t *next_ms, int64_t at)
{
	if (!*next_ms || at < *next_ms)
		*next_ms = at;
}

bool fwdtrack_eval(struct fwdtrack *t, const struct fwdtrack_cfg *c,
		   const struct fwdtrack_link *l, int64_t now_ms,
		   int64_t *next_ms)
{
	enum fwdtrack_why raw = raw_verdict(c, l, now_ms);

	*next_ms = 0;
	if (raw != FWDTRACK_OK) {
		if (t->raw_ok)
			t->flaps++;
		t->raw_ok = false;
		t->ok = false; /* the drop is never damped */
		t->why = raw;
		return false;
	}
	if (!t->raw_ok) {
		t->raw_ok = true;
		t->good_since = now_ms;
	}
	if (l->version >= 2 && c->timeout_ms > 0)
		next_at(next_ms, l->last_heard_ms + c->timeout_ms);
	if (!t->ok && t->was_ok && c->hold_ms > 0 &&
	    now_ms - t->good_since < c->hold_ms) {
		next_at(next_ms, t->good_since + c->hold_ms);
		t->why = FWDTRACK_HOLDING;
		return false;
	}
	t->ok = t->was_ok = true;
	t->why = FWDTRACK_OK;
	return true;
}
