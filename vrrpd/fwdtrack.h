/*
 * track_forwarder's verdict for one instance (pure, time passed in):
 * connected, heard from within the silence bound (version 2 forwarders
 * send heartbeats), a server up behind every listener on the instance's
 * VIPs, and, after a flap, healthy for the whole hold time. A loss counts
 * at once; only the recovery is damped.
 */
#ifndef VRRPD_FWDTRACK_H
#define VRRPD_FWDTRACK_H

#include <stdbool.h>
#include <stdint.h>

enum fwdtrack_why {
	FWDTRACK_OK,
	FWDTRACK_NOT_CONNECTED,
	FWDTRACK_SILENT,    /* no heartbeat within timeout: stopped, stuck */
	FWDTRACK_NO_SERVER, /* a listener on our VIPs has no server up */
	FWDTRACK_HOLDING,   /* healthy again, not for long enough yet */
	FWDTRACK_WHY_COUNT
};

/* What vrrpd knows of the forwarder link now. */
struct fwdtrack_link {
	bool connected;
	int version;	       /* agreed in hello; >= 2 sends heartbeats */
	int64_t last_heard_ms; /* any line from it */
	bool servers_ok;       /* every listener on our VIPs has one up */
};

struct fwdtrack_cfg {
	int64_t timeout_ms; /* silence bound; 0: none */
	int64_t hold_ms;    /* healthy this long after a flap; 0: none */
};

struct fwdtrack {
	bool ok;	    /* what the priority sees */
	bool raw_ok;	    /* the link as it is, undamped */
	bool was_ok;	    /* ever ok: the first link-up is not held */
	int64_t good_since; /* raw_ok since, when raw_ok */
	uint64_t flaps;	    /* raw ok -> lost */
	enum fwdtrack_why why;
};

/*
 * Updates t for now; returns t->ok. *next_ms is when to look again (the
 * silence bound or the end of the hold), 0 when only an event can change
 * the verdict.
 */
bool fwdtrack_eval(struct fwdtrack *t, const struct fwdtrack_cfg *c,
		   const struct fwdtrack_link *l, int64_t now_ms,
		   int64_t *next_ms);
const char *fwdtrack_why_str(enum fwdtrack_why why);

#endif
