/* Alert coalescing per instance: send now, or hold for a summary (pure). */
#include "alertq.h"

#include <string.h>

enum alertq_verdict alertq_push(struct alertq *q, const struct alertq_item *it,
				int64_t interval_ms, int64_t now_ms)
{
	if (q->n_held == 0 &&
	    (!q->last_mail_ms || now_ms - q->last_mail_ms >= interval_ms)) {
		q->last_mail_ms = now_ms ? now_ms : 1;
		return ALERTQ_SEND;
	}
	if (q->n_held < ALERTQ_HELD_MAX) {
		q->held[q->n_held++] = *it;
		return ALERTQ_HELD;
	}
	/* full: keep the first ones and, in the last slot, the newest (the
	 * state the summary ends in) */
	q->omitted++;
	q->held[ALERTQ_HELD_MAX - 1] = *it;
	return ALERTQ_HELD;
}

int64_t alertq_due(const struct alertq *q, int64_t interval_ms)
{
	return q->n_held ? q->last_mail_ms + interval_ms : 0;
}

size_t alertq_take(struct alertq *q, int64_t now_ms, struct alertq_item *out,
		   uint64_t *omitted)
{
	size_t n = q->n_held;

	memcpy(out, q->held, n * sizeof(*out));
	*omitted = q->omitted;
	q->n_held = 0;
	q->omitted = 0;
	q->last_mail_ms = now_ms ? now_ms : 1;
	return n;
}
