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
	list_init(&t->lru);
	t->buckets = calloc(t->nbuckets, sizeof(*t->buckets));
	return t->buckets ? 0 : -ENOMEM;
}

void stick_free(struct stick_table *t)
{
	struct stick_entry *e, *next;

	if (t->lru.next) /* else never initialised */
		list_for_each_entry_safe (e, next, &t->lru, lru)
			free(e);
	free(t->buckets);
	memset(t, 0, sizeof(*t));
}

void stick_move(struct stick_table *dst, struct stick_table *src)
{
	stick_free(dst);
	*dst = *src;
	list_take(&dst->lru, &src->lru);
	if (stick_init(src, 1, 0) < 0)
		memset(src, 0, sizeof(*src));
}

struct stick_entry *stick_oldest(struct stick_table *t)
{
	return list_empty(&t->lru)
		   ? NULL
		   : list_entry(t->lru.prev, struct stick_entry, lru);
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
	list_del(&e->lru);
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
	list_for_each_entry (e, &t->lru, lru) {
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
	list_del(&e->lru);
	list_add(&t->lru, &e->lru);
	return e->server;
}

int stick_store(struct stick_table *t, const struct stick_key *k, int server,
		int64_t now_ms)
{
	struct stick_entry **pp = find(t, k), *e = *pp;

	if (!e) {
		stick_expire(t, now_ms);
		if (t->count >= t->size && stick_oldest(t)) {
			t->evictions++;
			entry_delete(t, stick_oldest(t));
		}
		e = calloc(1, sizeof(*e));
		if (!e)
			return -ENOMEM;
		e->key = *k;
		pp = find(t, k); /* the chain may have changed */
		*pp = e;
		t->count++;
	} else {
		list_del(&e->lru);
	}
	e->server = server;
	e->expire_ms = now_ms + t->expire_ms;
	list_add(&t->lru, &e->lru);
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
	struct stick_entry *e, *next;
	size_t n = 0;

	list_for_each_entry_safe (e, next, &t->lru, lru) {
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
	struct stick_entry *e;
	size_t n = 0;

	while ((e = stick_oldest(t)) && e->expire_ms <= now_ms) {
		entry_delete(t, e);
		t->expirations++;
		n++;
	}
	return n;
}
