#include "stick.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "pool.h"

#define MIN_BUCKETS 64

int stick_init(struct stick_table *t, size_t size, int64_t expire_ms)
{
	memset(t, 0, sizeof(*t));
	t->size = size ? size : 1;
	t->expire_ms = expire_ms;
	t->nbuckets = MIN_BUCKETS;
	t->buckets = calloc(t->nbuckets, sizeof(*t->buckets));
	return t->buckets ? 0 : -ENOMEM;
}

void stick_free(struct stick_table *t)
{
	struct stick_entry *e = t->newest, *next;

	for (; e; e = next) {
		next = e->older;
		free(e);
	}
	free(t->buckets);
	memset(t, 0, sizeof(*t));
}

int stick_key_from(const struct sockaddr *sa, struct stick_key *k)
{
	memset(k, 0, sizeof(*k));
	k->family = (uint8_t)sa->sa_family;
	if (sa->sa_family == AF_INET) {
		memcpy(
		    k->addr,
		    &((const struct sockaddr_in *)(const void *)sa)->sin_addr,
		    4);
		return 0;
	}
	if (sa->sa_family == AF_INET6) {
		memcpy(
		    k->addr,
		    &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr,
		    16);
		return 0;
	}
	return -EAFNOSUPPORT;
}

static size_t slot_of(const struct stick_table *t, const struct stick_key *k)
{
	return (size_t)pool_hash(k, sizeof(*k), 0) & (t->nbuckets - 1);
}

static void lru_unlink(struct stick_table *t, struct stick_entry *e)
{
	if (e->newer)
		e->newer->older = e->older;
	else
		t->newest = e->older;
	if (e->older)
		e->older->newer = e->newer;
	else
		t->oldest = e->newer;
	e->newer = e->older = NULL;
}

static void lru_push(struct stick_table *t, struct stick_entry *e)
{
	e->newer = NULL;
	e->older = t->newest;
	if (t->newest)
		t->newest->newer = e;
	t->newest = e;
	if (!t->oldest)
		t->oldest = e;
}

static struct stick_entry **find(struct stick_table *t,
				 const struct stick_key *k)
{
	struct stick_entry **pp = &t->buckets[slot_of(t, k)];

	for (; *pp; pp = &(*pp)->hnext)
		if (memcmp(&(*pp)->key, k, sizeof(*k)) == 0)
			return pp;
	return pp;
}

static void entry_delete(struct stick_table *t, struct stick_entry *e)
{
	struct stick_entry **pp = find(t, &e->key);

	*pp = e->hnext;
	lru_unlink(t, e);
	t->count--;
	free(e);
}

/* Doubles the buckets when chains get long; failure only costs speed. */
static void maybe_grow(struct stick_table *t)
{
	size_t n = t->nbuckets * 2, i;
	struct stick_entry **b, *e;

	if (t->count < t->nbuckets)
		return;
	b = calloc(n, sizeof(*b));
	if (!b)
		return;
	free(t->buckets);
	t->buckets = b;
	t->nbuckets = n;
	for (e = t->newest; e; e = e->older) {
		i = slot_of(t, &e->key);
		e->hnext = b[i];
		b[i] = e;
	}
}

int stick_lookup(struct stick_table *t, const struct stick_key *k,
		 int64_t now_ms)
{
	struct stick_entry *e = *find(t, k);

	if (!e)
		return -1;
	if (e->expire_ms <= now_ms) {
		t->expirations++;
		entry_delete(t, e);
		return -1;
	}
	e->expire_ms = now_ms + t->expire_ms;
	lru_unlink(t, e);
	lru_push(t, e);
	return e->server;
}

int stick_store(struct stick_table *t, const struct stick_key *k, int server,
		int64_t now_ms)
{
	struct stick_entry **pp = find(t, k), *e = *pp;

	if (!e) {
		stick_expire(t, now_ms);
		if (t->count >= t->size && t->oldest) {
			t->evictions++;
			entry_delete(t, t->oldest);
		}
		e = calloc(1, sizeof(*e));
		if (!e)
			return -ENOMEM;
		e->key = *k;
		pp = find(t, k); /* the chain may have changed */
		*pp = e;
		t->count++;
	} else {
		lru_unlink(t, e);
	}
	e->server = server;
	e->expire_ms = now_ms + t->expire_ms;
	lru_push(t, e);
	maybe_grow(t);
	return 0;
}

void stick_remove(struct stick_table *t, const struct stick_key *k)
{
	struct stick_entry *e = *find(t, k);

	if (e)
		entry_delete(t, e);
}

size_t stick_drop_server(struct stick_table *t, int server)
{
	struct stick_entry *e = t->newest, *next;
	size_t n = 0;

	for (; e; e = next) {
		next = e->older;
		if (e->server == server) {
			entry_delete(t, e);
			n++;
		}
	}
	return n;
}

/* Uniform expiry and refresh-on-use keep the LRU tail the first to die. */
size_t stick_expire(struct stick_table *t, int64_t now_ms)
{
	size_t n = 0;

	while (t->oldest && t->oldest->expire_ms <= now_ms) {
		entry_delete(t, t->oldest);
		t->expirations++;
		n++;
	}
	return n;
}
