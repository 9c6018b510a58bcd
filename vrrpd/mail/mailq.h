/*
 * vrrpd-mail's delivery queue (pure, time passed in): FIFO order, one
 * mail in flight, a failed one waits for its retry without holding up the
 * others, a bounded length. sender.c embeds a mailq_item in each mail and
 * does the I/O; this decides which mail goes when, and what a failure
 * means.
 */
#ifndef VRRPD_MAIL_MAILQ_H
#define VRRPD_MAIL_MAILQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Retry n (1-based) waits mailq_backoff_ms[n - 1]; then it is given up. */
#define MAILQ_RETRIES 3
extern const int64_t mailq_backoff_ms[MAILQ_RETRIES];

struct mailq_item {
	struct mailq_item *next;
	unsigned tries;	    /* attempts started */
	int64_t not_before; /* monotonic ms; 0: at once */
};

struct mailq {
	struct mailq_item *head, *tail;
	struct mailq_item *active; /* in flight, still in the list */
	size_t n, max;
};

void mailq_init(struct mailq *q, size_t max);
/* Appends it. When the queue was full, the oldest item not in flight is
 * unlinked first and returned, for the caller to drop; else NULL. */
struct mailq_item *mailq_push(struct mailq *q, struct mailq_item *it);
/* Unlinks it (sent, given up, dropped); a no-op when not queued. */
void mailq_remove(struct mailq *q, struct mailq_item *it);
/*
 * The oldest item that may start at now, or NULL: then *wake is when the
 * first waiting one may (0: none waits). NULL too while one is in flight.
 */
struct mailq_item *mailq_next(const struct mailq *q, int64_t now,
			      int64_t *wake);
/* It is being tried now. */
void mailq_start(struct mailq *q, struct mailq_item *it);
/*
 * Its attempt failed at now: the wait before the retry (it stays queued,
 * not_before set), or -1 when it is given up (unlinked): after its last
 * retry, or at once when draining (shutdown).
 */
int64_t mailq_failed(struct mailq *q, struct mailq_item *it, int64_t now,
		     bool draining);
/* Shutdown: every waiting item may go at once. */
void mailq_hurry(struct mailq *q);

#endif
