/*
 * Back-end selection, pure: which server a new connection goes to.
 * Smooth weighted roundrobin (as nginx), leastconn, and source hashing
 * (weighted rendezvous hashing of the client address with the server
 * names, so the choice survives restarts and reordering, and only the
 * clients of a server that goes away move).
 */
#ifndef FWD_POOL_H
#define FWD_POOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

enum pool_algo {
	POOL_ROUNDROBIN,
	POOL_LEASTCONN,
	POOL_SOURCE,
};

struct pool_member {
	unsigned weight; /* 0: no new connections */
	bool backup;	 /* only used when no normal member is usable */
	bool usable;	 /* up and accepting new connections */
	unsigned conns;	 /* current connections, for leastconn */
	int64_t cur;	 /* smooth roundrobin state */
	uint64_t name_hash;
};

struct pool {
	enum pool_algo algo;
	struct pool_member *m;
	size_t n;
	size_t lc_next; /* leastconn tie breaker, rotates */
};

/* FNV-1a 64; stable across runs and hosts. */
uint64_t pool_hash(const void *data, size_t len, uint64_t seed);

/* Sets a member's name hash (used by source hashing). */
void pool_member_name(struct pool_member *m, const char *name);

/*
 * Picks a member index for a client, or -1 if none is usable. exclude is
 * a member to avoid (a server that just failed), or -1. client may be
 * NULL except for POOL_SOURCE.
 */
int pool_pick(struct pool *p, const struct sockaddr *client, int exclude);

#endif
