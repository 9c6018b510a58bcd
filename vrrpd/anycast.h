/*
 * The anycast instance's state machine (pure): WITHDRAWN or ANNOUNCED.
 * Any tracker failing withdraws at once; the addresses come back only
 * after hold_down of continuous health, so a flapping node does not flap
 * the routes upstream. Inputs carry `now`; outputs say what to do, the
 * I/O layer (anycast_io.c) does it.
 */
#ifndef VRRPD_ANYCAST_H
#define VRRPD_ANYCAST_H

#include <stdbool.h>
#include <stdint.h>

enum anycast_state {
	ANYCAST_WITHDRAWN,
	ANYCAST_ANNOUNCED,
	ANYCAST_STATE_COUNT
};

enum anycast_event {
	ANYCAST_EV_HEALTH,   /* the trackers' verdict, maybe unchanged */
	ANYCAST_EV_TIMER,    /* the deadline passed */
	ANYCAST_EV_SHUTDOWN, /* the daemon or the instance stops */
	ANYCAST_EV_COUNT
};

const char *anycast_state_str(enum anycast_state s);
const char *anycast_event_str(enum anycast_event e);

struct anycast_fsm {
	enum anycast_state state;
	bool healthy;
	bool stopped;		  /* after SHUTDOWN, nothing announces */
	int64_t healthy_since_ms; /* valid while healthy */
	unsigned transitions;
};

struct anycast_in {
	bool healthy;	 /* ANYCAST_EV_HEALTH */
	const char *why; /* what changed; the reason of a withdrawal */
};

struct anycast_out {
	bool changed;
	enum anycast_state from, to;
	bool add_vips, del_vips;
	char reason[160];
};

void anycast_fsm_init(struct anycast_fsm *f);
void anycast_fsm_handle(struct anycast_fsm *f, int64_t hold_down_ms,
			enum anycast_event ev, const struct anycast_in *in,
			int64_t now_ms, struct anycast_out *out);
/* When ANYCAST_EV_TIMER is due, or 0 when nothing is pending. */
int64_t anycast_fsm_deadline(const struct anycast_fsm *f, int64_t hold_down_ms);

#endif
