/*
 * Alert coalescing, per instance (pure, time passed in): the first
 * transition after a quiet spell is mailed at once; the ones that follow
 * within smtp_alert_interval are held and go out as one summary when the
 * interval is over. So an instance that flaps sends at most one mail per
 * interval, and no transition goes unreported.
 */
#ifndef VRRPD_ALERTQ_H
#define VRRPD_ALERTQ_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "fsm.h"

#define ALERTQ_HELD_MAX 32

struct alertq_item {
	enum vrrp_state from, to;
	uint8_t priority;
	struct timespec wall; /* CLOCK_REALTIME, for the summary's lines */
	char reason[160];
};

struct alertq {
	int64_t last_mail_ms; /* the last mail for this instance; 0 never */
	struct alertq_item held[ALERTQ_HELD_MAX];
	size_t n_held;
	uint64_t omitted; /* held past the capacity: counted, not kept */
};

enum alertq_verdict { ALERTQ_SEND, ALERTQ_HELD };

/*
 * A transition at now_ms. ALERTQ_SEND: mail it now (the window starts);
 * ALERTQ_HELD: kept for the summary due at alertq_due(). interval_ms 0
 * sends everything.
 */
enum alertq_verdict alertq_push(struct alertq *q, const struct alertq_item *it,
				int64_t interval_ms, int64_t now_ms);
/* When the summary of what is held is due; 0 when nothing is held. */
int64_t alertq_due(const struct alertq *q, int64_t interval_ms);
/*
 * Moves what is held to out (up to ALERTQ_HELD_MAX items: the first ones
 * and, last, the newest) for a summary mailed at now_ms, which starts a
 * new window. Returns the number of items; *omitted those left out.
 */
size_t alertq_take(struct alertq *q, int64_t now_ms, struct alertq_item *out,
		   uint64_t *omitted);

#endif
