/*
 * libFuzzer target: back-end selection (fwd/pool.c) and the stick table
 * (fwd/stick.c), driven by a sequence of operations.
 *
 * Input: [0] algorithm, [1] members, [2] stick size, [3] stick expire,
 * then 2 bytes per member (weight, flags: bit0 usable, bit1 backup),
 * then operations of 3 bytes (opcode, x, y) until the input ends.
 * Invariants checked with abort():
 *  - a pick is usable, weighted, not excluded, from the normal tier
 *    whenever a normal member is eligible; -1 only when none is;
 *  - leastconn picks a member with the fewest connections per weight;
 *  - source hashing is deterministic, and when a server goes down only
 *    its own clients move;
 *  - roundrobin from a fresh state gives each member exactly its weight
 *    in every cycle of sum(weights) picks;
 *  - the stick table behaves exactly like a plain model (LRU eviction,
 *    expiry, refresh on use), never holds more than its size, and its
 *    hash chains and LRU list agree.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pool.h"
#include "stick.h"

#define REQUIRE(cond)                                                          \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "fuzz_balance: %s:%d: %s\n", __FILE__, \
				__LINE__, #cond);                              \
			abort();                                               \
		}                                                              \
	} while (0)

#define MAX_MEMBERS 8
#define MAX_KEYS    256

/* The stick table's model: one slot per possible key byte. */
struct model_entry {
	bool live;
	int server;
	int64_t expire_ms;
	uint64_t used; /* recency: higher is newer */
};

struct state {
	struct pool pool;
	struct pool_member m[MAX_MEMBERS];
	struct stick_table st;
	struct model_entry model[MAX_KEYS];
	size_t model_count, size;
	int64_t expire_ms, now;
	uint64_t seq;
};

static void client_of(uint8_t b, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (b & 0x80) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_addr.s6_addr[0] = 0x20;
		s6->sin6_addr.s6_addr[15] = b;
		s6->sin6_port = htons(1000 + b);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

		s4->sin_family = AF_INET;
		s4->sin_addr.s_addr = htonl(0xc6120000u | b);
		s4->sin_port = htons(2000 + b);
	}
}

static bool eligible(const struct pool *p, size_t i, bool backup, int excl)
{
	return p->m[i].usable && p->m[i].weight > 0 &&
	       p->m[i].backup == backup && (int)i != excl;
}

static bool any_eligible(const struct pool *p, bool backup, int excl)
{
	for (size_t i = 0; i < p->n; i++)
		if (eligible(p, i, backup, excl))
			return true;
	return false;
}

static int pick(struct state *s, uint8_t client, int excl)
{
	struct pool *p = &s->pool;
	struct sockaddr_storage ss;
	bool normal = any_eligible(p, false, excl);
	int r;

	client_of(client, &ss);
	r = pool_pick(p, (struct sockaddr *)&ss, excl);
	if (r < 0) {
		REQUIRE(r == -1);
		REQUIRE(!normal && !any_eligible(p, true, excl));
		return r;
	}
	REQUIRE((size_t)r < p->n);
	REQUIRE(eligible(p, (size_t)r, p->m[r].backup, excl));
	REQUIRE(!p->m[r].backup || !normal);
	if (p->algo == POOL_LEASTCONN) {
		for (size_t i = 0; i < p->n; i++)
			if (eligible(p, i, p->m[r].backup, excl))
				REQUIRE(
				    (uint64_t)p->m[r].conns * p->m[i].weight <=
				    (uint64_t)p->m[i].conns * p->m[r].weight);
	}
	if (p->algo == POOL_SOURCE)
		REQUIRE(pool_pick(p, (struct sockaddr *)&ss, excl) == r);
	p->m[r].conns++;
	return r;
}

/* Roundrobin from a fresh state: exact shares per cycle. */
static void rr_cycles(struct state *s, unsigned cycles)
{
	struct pool *p = &s->pool;
	unsigned count[MAX_MEMBERS] = {0}, total = 0, c;
	bool backup = !any_eligible(p, false, -1);
	size_t i;

	for (i = 0; i < p->n; i++) {
		p->m[i].cur = 0;
		if (eligible(p, i, backup, -1))
			total += p->m[i].weight;
	}
	if (!total)
		return;
	for (c = 1; c <= cycles; c++) {
		for (unsigned k = 0; k < total; k++) {
			int r = pick(s, (uint8_t)k, -1);

			REQUIRE(r >= 0);
			count[r]++;
		}
		for (i = 0; i < p->n; i++)
			REQUIRE(count[i] == (eligible(p, i, backup, -1)
						 ? c * p->m[i].weight
						 : 0));
	}
}

/* Source hashing: taking one server out moves only its clients. */
static void source_down(struct state *s, size_t j)
{
	struct pool *p = &s->pool;
	int before[16];
	bool tier = any_eligible(p, false, -1);
	unsigned k;

	for (k = 0; k < 16; k++)
		before[k] = pick(s, (uint8_t)(k * 17), -1);
	p->m[j].usable = false;
	if (any_eligible(p, false, -1) != tier)
		return;
	for (k = 0; k < 16; k++) {
		int after = pick(s, (uint8_t)(k * 17), -1);

		if (before[k] != (int)j)
			REQUIRE(after == before[k]);
	}
}

static void key_of(uint8_t b, struct stick_key *k)
{
	struct sockaddr_storage ss;

	client_of(b, &ss);
	REQUIRE(stick_key_from((struct sockaddr *)&ss, k) == 0);
}

static void model_del(struct state *s, size_t i)
{
	s->model[i].live = false;
	s->model_count--;
}

static size_t model_expire(struct state *s)
{
	size_t n = 0;

	for (size_t i = 0; i < MAX_KEYS; i++)
		if (s->model[i].live && s->model[i].expire_ms <= s->now) {
			model_del(s, i);
			n++;
		}
	return n;
}

static void model_store(struct state *s, uint8_t key, int server)
{
	struct model_entry *e = &s->model[key];

	if (!e->live) {
		model_expire(s);
		if (s->model_count >= s->size) {
			size_t old = MAX_KEYS;

			for (size_t i = 0; i < MAX_KEYS; i++)
				if (s->model[i].live &&
				    (old == MAX_KEYS ||
				     s->model[i].used < s->model[old].used))
					old = i;
			REQUIRE(old < MAX_KEYS);
			model_del(s, old);
		}
		e->live = true;
		s->model_count++;
	}
	e->server = server;
	e->expire_ms = s->now + s->expire_ms;
	e->used = ++s->seq;
}

static int model_lookup(struct state *s, uint8_t key)
{
	struct model_entry *e = &s->model[key];

	if (!e->live)
		return -1;
	if (e->expire_ms <= s->now) {
		model_del(s, key);
		return -1;
	}
	e->expire_ms = s->now + s->expire_ms;
	e->used = ++s->seq;
	return e->server;
}

/* The table's structure agrees with itself and with the model. */
static void check_table(struct state *s)
{
	const struct stick_table *t = &s->st;
	const struct stick_entry *e, *prev = NULL;
	uint64_t last_used = UINT64_MAX;
	size_t n = 0, chained = 0, b;

	REQUIRE(t->count <= t->size);
	REQUIRE(t->count == s->model_count);
	list_for_each_entry (e, &t->lru, lru) {
		/* client_of() puts the key byte last: undo it */
		uint8_t x = e->key.family == AF_INET6 ? e->key.addr[15]
						      : e->key.addr[3];
		const struct model_entry *m = &s->model[x];
		struct stick_key k;

		REQUIRE(e->lru.prev == (prev ? &prev->lru : &t->lru));
		REQUIRE(++n <= t->count);
		key_of(x, &k);
		REQUIRE(memcmp(&k, &e->key, sizeof(k)) == 0);
		REQUIRE(m && m->live);
		REQUIRE(m->server == e->server && m->expire_ms == e->expire_ms);
		REQUIRE(m->used < last_used);
		last_used = m->used;
		prev = e;
	}
	REQUIRE(t->lru.prev == (prev ? &prev->lru : &t->lru));
	REQUIRE(n == t->count);
	for (b = 0; b < t->nbuckets; b++)
		for (e = t->buckets[b]; e; e = e->hnext)
			REQUIRE(++chained <= t->count);
	REQUIRE(chained == t->count);
}

static void run_op(struct state *s, uint8_t op, uint8_t x, uint8_t y)
{
	struct pool *p = &s->pool;
	size_t j = x % p->n;
	struct stick_key k;
	size_t dropped, want;

	switch (op % 12) {
	case 0:
		pick(s, x, (int)(y % (p->n + 1)) - 1);
		break;
	case 1:
		if (p->m[j].conns)
			p->m[j].conns--;
		break;
	case 2:
		if (p->algo == POOL_SOURCE && p->m[j].usable)
			source_down(s, j);
		else
			p->m[j].usable = !p->m[j].usable;
		break;
	case 3:
		p->m[j].weight = y % 8;
		break;
	case 4:
		p->m[j].backup = !p->m[j].backup;
		break;
	case 5:
		key_of(x, &k);
		REQUIRE(stick_store(&s->st, &k, y % MAX_MEMBERS, s->now) == 0);
		model_store(s, x, y % MAX_MEMBERS);
		break;
	case 6:
		key_of(x, &k);
		REQUIRE(stick_lookup(&s->st, &k, s->now) == model_lookup(s, x));
		break;
	case 7:
		key_of(x, &k);
		stick_remove(&s->st, &k);
		if (s->model[x].live)
			model_del(s, x);
		break;
	case 8:
		dropped = stick_drop_server(&s->st, y % MAX_MEMBERS);
		want = 0;
		for (size_t i = 0; i < MAX_KEYS; i++)
			if (s->model[i].live &&
			    s->model[i].server == y % MAX_MEMBERS) {
				model_del(s, i);
				want++;
			}
		REQUIRE(dropped == want);
		break;
	case 9:
		REQUIRE(stick_expire(&s->st, s->now) == model_expire(s));
		break;
	case 10:
		s->now += x * (y % 4 + 1);
		break;
	case 11:
		if (p->algo == POOL_ROUNDROBIN)
			rr_cycles(s, 1 + y % 3);
		else
			for (unsigned i = 0; i < 8; i++)
				pick(s, (uint8_t)(x + i), -1);
		break;
	}
	check_table(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct state *s;
	size_t i, n;

	if (size < 4)
		return 0;
	s = calloc(1, sizeof(*s));
	REQUIRE(s);
	s->pool.algo = (enum pool_algo)(data[0] % 3);
	n = 1 + data[1] % MAX_MEMBERS;
	s->size = 1 + data[2] % 32;
	s->expire_ms = 1 + data[3] * 4;
	s->now = 1000;
	data += 4;
	size -= 4;
	s->pool.m = s->m;
	s->pool.n = n;
	for (i = 0; i < n; i++) {
		char name[16];

		snprintf(name, sizeof(name), "srv%zu", i);
		pool_member_name(&s->m[i], name);
		s->m[i].weight = 1;
		s->m[i].usable = true;
		if (size >= 2) {
			s->m[i].weight = data[0] % 8;
			s->m[i].usable = data[1] & 1;
			s->m[i].backup = data[1] & 2;
			data += 2;
			size -= 2;
		}
	}
	REQUIRE(stick_init(&s->st, s->size, s->expire_ms) == 0);
	for (; size >= 3; data += 3, size -= 3)
		run_op(s, data[0], data[1], data[2]);
	stick_free(&s->st);
	free(s);
	return 0;
}
