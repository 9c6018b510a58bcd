#include "loginguard.h"

#include <netinet/in.h>
#include <string.h>

int loginguard_key_from(const struct sockaddr *sa, struct loginguard_key *k)
{
	memset(k, 0, sizeof(*k));
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)sa;

		k->b[0] = 4;
		memcpy(k->b + 1, &in->sin_addr, 4);
		return 0;
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 =
		    (const struct sockaddr_in6 *)sa;

		if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr)) {
			k->b[0] = 4;
			memcpy(k->b + 1, in6->sin6_addr.s6_addr + 12, 4);
		} else {
			k->b[0] = 6;
			memcpy(k->b + 1, in6->sin6_addr.s6_addr, 8);
		}
		return 0;
	}
	return -1;
}

static struct loginguard_src *find(struct loginguard *g,
				   const struct loginguard_key *k, int64_t now)
{
	size_t i;

	for (i = 0; i < LOGINGUARD_SLOTS; i++) {
		struct loginguard_src *s = &g->src[i];

		if (!s->used || memcmp(&s->key, k, sizeof(*k)) != 0)
			continue;
		if (now - s->last_ms >= LOGINGUARD_FORGET_MS &&
		    now >= s->until_ms) {
			s->used = false; /* quiet long enough */
			return NULL;
		}
		return s;
	}
	return NULL;
}

/*
 * A slot for a new source: a free one, else the one whose last failure
 * is oldest, preferring those not in a back-off (so a flood of sources
 * does not easily release the ones being slowed down).
 */
static struct loginguard_src *take(struct loginguard *g,
				   const struct loginguard_key *k, int64_t now)
{
	struct loginguard_src *best = NULL;
	size_t i;

	for (i = 0; i < LOGINGUARD_SLOTS; i++) {
		struct loginguard_src *s = &g->src[i];
		bool free_s, free_b;

		if (!s->used) {
			best = s;
			break;
		}
		if (!best) {
			best = s;
			continue;
		}
		free_s = now >= s->until_ms;
		free_b = now >= best->until_ms;
		if ((free_s && !free_b) ||
		    (free_s == free_b && s->last_ms < best->last_ms))
			best = s;
	}
	memset(best, 0, sizeof(*best));
	best->used = true;
	best->key = *k;
	return best;
}

int64_t loginguard_wait(struct loginguard *g, const struct loginguard_key *k,
			int64_t now)
{
	struct loginguard_src *s = find(g, k, now);

	if (!s || now >= s->until_ms)
		return 0;
	g->throttled++;
	return s->until_ms - now;
}

void loginguard_fail(struct loginguard *g, const struct loginguard_key *k,
		     int64_t now, struct loginguard_verdict *v)
{
	struct loginguard_src *s = find(g, k, now);

	if (!s)
		s = take(g, k, now);
	g->failures++;
	s->fails++;
	s->last_ms = now;
	v->fails = s->fails;
	v->backoff_ms = 0;
	if (s->fails > LOGINGUARD_FREE) {
		uint32_t n = s->fails - LOGINGUARD_FREE - 1;
		int64_t d = LOGINGUARD_BACKOFF_MS;

		while (n-- && d < LOGINGUARD_BACKOFF_MAX_MS)
			d *= 2;
		if (d > LOGINGUARD_BACKOFF_MAX_MS)
			d = LOGINGUARD_BACKOFF_MAX_MS;
		s->until_ms = now + d;
		v->backoff_ms = d;
	}
}

void loginguard_ok(struct loginguard *g, const struct loginguard_key *k)
{
	size_t i;

	for (i = 0; i < LOGINGUARD_SLOTS; i++)
		if (g->src[i].used &&
		    memcmp(&g->src[i].key, k, sizeof(*k)) == 0)
			g->src[i].used = false;
}
