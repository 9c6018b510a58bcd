#include "pool.h"

#include <math.h>
#include <netinet/in.h>
#include <string.h>

uint64_t pool_hash(const void *data, size_t len, uint64_t seed)
{
	const unsigned char *p = data;
	uint64_t h = 0xcbf29ce484222325ULL ^ seed;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* splitmix64 finaliser: FNV alone mixes the last bytes poorly. */
static uint64_t mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

void pool_member_name(struct pool_member *m, const char *name)
{
	m->name_hash = pool_hash(name, strlen(name), 0);
}

/* Eligible now: usable, weighted, in the tier in use, not excluded. */
static bool eligible(const struct pool_member *m, bool backup_tier, int i,
		     int exclude)
{
	return m->usable && m->weight > 0 && m->backup == backup_tier &&
	       i != exclude;
}

/* Normal members first; backups only when no normal one is eligible. */
static bool pick_tier(const struct pool *p, int exclude)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		if (eligible(&p->m[i], false, (int)i, exclude))
			return false;
	return true;
}

/* nginx's smooth weighted roundrobin: spreads a heavy server's turns. */
static int pick_rr(struct pool *p, bool tier, int exclude)
{
	int64_t total = 0;
	int best = -1;
	size_t i;

	for (i = 0; i < p->n; i++) {
		struct pool_member *m = &p->m[i];

		if (!eligible(m, tier, (int)i, exclude))
			continue;
		m->cur += m->weight;
		total += m->weight;
		if (best < 0 || m->cur > p->m[best].cur)
			best = (int)i;
	}
	if (best >= 0)
		p->m[best].cur -= total;
	return best;
}

/* Fewest connections per unit of weight; ties rotate. */
static int pick_leastconn(struct pool *p, bool tier, int exclude)
{
	int best = -1;
	size_t k;

	for (k = 0; k < p->n; k++) {
		size_t i = (p->lc_next + k) % p->n;
		const struct pool_member *m = &p->m[i];

		if (!eligible(m, tier, (int)i, exclude))
			continue;
		if (best < 0 || (uint64_t)m->conns * p->m[best].weight <
				    (uint64_t)p->m[best].conns * m->weight)
			best = (int)i;
	}
	if (best >= 0)
		p->lc_next = (size_t)best + 1;
	return best;
}

static uint64_t client_hash(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const void *)sa;

		return pool_hash(&in->sin_addr, 4, 0);
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const void *)sa;

		return pool_hash(&in6->sin6_addr, 16, 0);
	}
	return 0;
}

/*
 * Weighted rendezvous hashing: score = -weight / ln(u), u uniform in
 * (0,1) from hash(client, server). The highest score wins; a member's
 * share is proportional to its weight.
 */
static int pick_source(struct pool *p, bool tier, int exclude,
		       const struct sockaddr *client)
{
	uint64_t ch = client ? client_hash(client) : 0;
	double best_score = 0;
	int best = -1;
	size_t i;

	for (i = 0; i < p->n; i++) {
		const struct pool_member *m = &p->m[i];
		uint64_t h;
		double u, score;

		if (!eligible(m, tier, (int)i, exclude))
			continue;
		h = mix64(ch ^ mix64(m->name_hash));
		u = ((double)(h >> 11) + 0.5) / 9007199254740992.0;
		score = -(double)m->weight / log(u);
		if (best < 0 || score > best_score) {
			best = (int)i;
			best_score = score;
		}
	}
	return best;
}

int pool_pick(struct pool *p, const struct sockaddr *client, int exclude)
{
	bool tier = pick_tier(p, exclude);

	switch (p->algo) {
	case POOL_LEASTCONN:
		return pick_leastconn(p, tier, exclude);
	case POOL_SOURCE:
		return pick_source(p, tier, exclude, client);
	case POOL_ROUNDROBIN:
	default:
		return pick_rr(p, tier, exclude);
	}
}
