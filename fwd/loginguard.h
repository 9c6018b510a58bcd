/*
 * Failed logins on the status page, per source address (issue #18): who
 * failed how often, which failures to log, and how long a source must
 * wait before its next password is checked. Pure: no I/O, time passed in.
 *
 * A source gets LOGINGUARD_FREE failures; each further failure puts it
 * in a back-off (1 s, doubling up to LOGINGUARD_BACKOFF_MAX_MS) during
 * which its requests are refused (429) without looking at the password.
 * A source is forgotten LOGINGUARD_FORGET_MS after its last failure, or
 * at once when it logs in.
 */
#ifndef FWD_LOGINGUARD_H
#define FWD_LOGINGUARD_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#define LOGINGUARD_SLOTS	  256
#define LOGINGUARD_FREE		  5
#define LOGINGUARD_BACKOFF_MS	  1000
#define LOGINGUARD_BACKOFF_MAX_MS 60000
#define LOGINGUARD_FORGET_MS	  600000

/* IPv4 address, or the /64 of an IPv6 one (one host owns a /64). */
struct loginguard_key {
	unsigned char b[9];
};

struct loginguard_src {
	struct loginguard_key key;
	bool used;
	uint32_t fails;
	int64_t last_ms;  /* last failure */
	int64_t until_ms; /* no check before this */
};

struct loginguard {
	struct loginguard_src src[LOGINGUARD_SLOTS];
	uint64_t failures, throttled;
};

/* What loginguard_fail() decided about one wrong password. */
struct loginguard_verdict {
	uint32_t fails;	    /* of this source, this one included */
	int64_t backoff_ms; /* 0: none yet */
};

/* 0, or -1 for an address family that has no key (then no guard). */
int loginguard_key_from(const struct sockaddr *sa, struct loginguard_key *k);
/* Before a password is checked: 0 to check it, or the ms to wait. */
int64_t loginguard_wait(struct loginguard *g, const struct loginguard_key *k,
			int64_t now);
/* A wrong password (a request without credentials is not one). */
void loginguard_fail(struct loginguard *g, const struct loginguard_key *k,
		     int64_t now, struct loginguard_verdict *v);
/* A good password: the source starts afresh. */
void loginguard_ok(struct loginguard *g, const struct loginguard_key *k);

#endif
