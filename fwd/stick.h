/*
 * Stick table, pure: remembers which server a client address was sent
 * to, for `stick = { on = "src"; expire; size; }`. Entries expire when
 * unused for `expire`; when full, the least recently used one is evicted.
 * Time is passed in.
 */
#ifndef FWD_STICK_H
#define FWD_STICK_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "../common/list.h"

struct stick_key {
	uint8_t family; /* AF_INET or AF_INET6 */
	uint8_t addr[16];
};

struct stick_entry {
	struct stick_key key;
	int server;
	int64_t expire_ms;
	struct stick_entry *hnext; /* hash chain */
	struct list lru;	   /* on stick_table.lru */
};

struct stick_table {
	struct stick_entry **buckets;
	size_t nbuckets; /* power of two */
	size_t count, size;
	int64_t expire_ms;
	struct list lru; /* of struct stick_entry, the newest first */
	uint64_t evictions, expirations;
};

/* 0 or -ENOMEM. */
int stick_init(struct stick_table *t, size_t size, int64_t expire_ms);
void stick_free(struct stick_table *t);
/* dst (freed first) takes src's entries and settings; src is left an
 * empty table (reload: the table moves to the new listen section). */
void stick_move(struct stick_table *dst, struct stick_table *src);
/* The least recently used entry, or NULL. */
struct stick_entry *stick_oldest(struct stick_table *t);

/* The client's address (port ignored); -EAFNOSUPPORT for other families. */
int stick_key_from(const struct sockaddr *sa, struct stick_key *k);

/* The server stored for k, refreshing its expiry, or -1. */
int stick_lookup(struct stick_table *t, const struct stick_key *k,
		 int64_t now_ms);
/* Stores or updates k -> server. 0 or -ENOMEM. */
int stick_store(struct stick_table *t, const struct stick_key *k, int server,
		int64_t now_ms);
void stick_remove(struct stick_table *t, const struct stick_key *k);
/* Forgets every client of server (it went down); returns how many. */
size_t stick_drop_server(struct stick_table *t, int server);
/* Frees expired entries; returns how many. */
size_t stick_expire(struct stick_table *t, int64_t now_ms);

#endif
