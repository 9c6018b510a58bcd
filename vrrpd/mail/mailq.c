/* vrrpd-mail's delivery queue (pure, time passed in). */
#include "mailq.h"

const int64_t mailq_backoff_ms[MAILQ_RETRIES] = {2000, 10000, 30000};

void mailq_init(struct mailq *q, size_t max)
{
	q->head = q->tail = q->active = NULL;
	q->n = 0;
	q->max = max;
}

void mailq_remove(struct mailq *q, struct mailq_item *it)
{
	struct mailq_item **pp, *prev = NULL;

	for (pp = &q->head; *pp; prev = *pp, pp = &(*pp)->next)
		if (*pp == it) {
			*pp = it->next;
			if (q->tail == it)
				q->tail = prev;
			if (q->active == it)
				q->active = NULL;
			it->next = NULL;
			q->n--;
			return;
		}
}

struct mailq_item *mailq_push(struct mailq *q, struct mailq_item *it)
{
	struct mailq_item *old = NULL;

	if (q->n >= q->max) {
		for (old = q->head; old && old == q->active; old = old->next)
			;
		if (old)
			mailq_remove(q, old);
	}
	it->next = NULL;
	if (q->tail)
		q->tail->next = it;
	else
		q->head = it;
	q->tail = it;
	q->n++;
	return old;
}

struct mailq_item *mailq_next(const struct mailq *q, int64_t now, int64_t *wake)
{
	struct mailq_item *it;

	*wake = 0;
	if (q->active)
		return NULL;
	for (it = q->head; it; it = it->next) {
		if (it->not_before <= now)
			return it;
		if (!*wake || it->not_before < *wake)
			*wake = it->not_before;
	}
	return NULL;
}

void mailq_start(struct mailq *q, struct mailq_item *it)
{
	it->tries++;
	q->active = it;
}

int64_t mailq_failed(struct mailq *q, struct mailq_item *it, int64_t now,
		     bool draining)
{
	int64_t wait;

	if (q->active == it)
		q->active = NULL;
	if (draining || it->tries == 0 || it->tries > MAILQ_RETRIES) {
		mailq_remove(q, it);
		return -1;
	}
	wait = mailq_backoff_ms[it->tries - 1];
	it->not_before = now + wait;
	return wait;
}

void mailq_hurry(struct mailq *q)
{
	struct mailq_item *it;

	for (it = q->head; it; it = it->next)
		it->not_before = 0;
}
