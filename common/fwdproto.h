/*
 * The fwd <-> vrrpd link protocol (docs/vrrpd-interface.md "Forwarder
 * protocol"), both directions, in one place. Pure: encoders append to an
 * sbuf, parsers take a line (or its parsed JSON) and return values.
 *
 * fwd -> vrrpd, one text line each:
 *   hello fwd VERSION
 *   health LISTENER UP TOTAL BIND[,BIND...]  (health web 2 3 1.2.3.4:443)
 *   heartbeat                                (version 2; no reply)
 *
 * vrrpd -> fwd, one JSON object per line:
 *   {"ok":true,"proto":VERSION}              (the reply to hello)
 *   {"ok":false,"error":"..."}               (an unsupported version...)
 *   {"event":"state","instance":"VI_1","state":"MASTER","priority":103,
 *    "reason":"..."}                         (one per transition)
 */
#ifndef COMMON_FWDPROTO_H
#define COMMON_FWDPROTO_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include "json.h"
#include "sbuf.h"

/*
 * Version 1: hello and health; vrrpd notices a dead forwarder only by its
 * closed socket. Version 2 adds the heartbeat, so a stopped or stuck fwd
 * (its socket still open) goes silent and counts as lost.
 */
#define FWDPROTO_VERSION     2	/* the newest we speak */
#define FWDPROTO_VERSION_MIN 1	/* the oldest we still accept */
#define FWDPROTO_MAX_BINDS   64 /* distinct addresses per listener */
/* fwd's heartbeat period; vrrpd's default silence bound is 3 of them */
#define FWDPROTO_HEARTBEAT_MS 100

/* The kinds of line fwd sends to vrrpd. */
enum fwdproto_line {
	FWDPROTO_NONE, /* not a forwarder line: a control verb */
	FWDPROTO_HELLO,
	FWDPROTO_HEALTH,
	FWDPROTO_HEARTBEAT,
};

struct fwd_health {
	char listener[64];
	unsigned up, total;
	struct in_addr binds[FWDPROTO_MAX_BINDS]; /* the IPv4 binds */
	size_t n_binds;
	struct in6_addr binds6[FWDPROTO_MAX_BINDS]; /* and the IPv6 ones */
	size_t n_binds6;
};

struct fwd_state_event {
	char instance[64];
	char state[16]; /* MASTER ..., or an anycast ANNOUNCED, WITHDRAWN */
	unsigned priority;
	char reason[448];
};

/* Which forwarder line this is, by its first word. */
enum fwdproto_line fwdproto_classify(const char *line);

/* fwd -> vrrpd. Each appends one line with its newline. */
void fwdproto_put_hello(struct sbuf *sb, int version);
/* binds: IPv4 and IPv6 alike (vrrpd skips the IPv6 ones). */
void fwdproto_put_health(struct sbuf *sb, const char *listener, unsigned up,
			 unsigned total, const struct sockaddr *const *binds,
			 size_t n_binds);

void fwdproto_put_heartbeat(struct sbuf *sb);

/* "hello fwd N": 0 with *version, or -EINVAL. */
int fwdproto_parse_hello(const char *line, int *version);
/* 0, or -EINVAL with a reason in why. IPv4 binds go to binds, IPv6
 * ones to binds6. */
int fwdproto_parse_health(const char *line, struct fwd_health *out, char *why,
			  size_t why_len);
/* Whether a listener bound to bind serves the VIP vip: the same address,
 * or the wildcard 0.0.0.0 ("*:443"), which serves every VIP. */
bool fwdproto_bind_serves(struct in_addr bind, struct in_addr vip);
/* The same for IPv6: the address, or "[::]" (IPV6_V6ONLY: it serves
 * every IPv6 VIP and no IPv4 one). */
bool fwdproto_bind6_serves(const struct in6_addr *bind,
			   const struct in6_addr *vip);

/*
 * vrrpd's answer to "hello fwd offered": the version both speak (the
 * offered one when we know it), or -EPROTONOSUPPORT.
 */
int fwdproto_negotiate(int offered);
/*
 * fwd reading the reply to its "hello fwd sent": 0 with *agreed when
 * accepted; 1 with *agreed = the older version to say hello with next
 * (an older vrrpd refused ours); -EPROTO when nothing older is left.
 */
int fwdproto_hello_reply(const struct json *reply, int sent, int *agreed);

/* vrrpd -> fwd. */
void fwdproto_put_hello_ok(struct sbuf *sb, int version);
void fwdproto_put_state(struct sbuf *sb, const char *instance,
			const char *state, unsigned priority,
			const char *reason);
/* A state event (a parsed line): 0 with *out, or -EINVAL for any other
 * object. Missing members read as "?" and 0. */
int fwdproto_parse_state(const struct json *j, struct fwd_state_event *out);

#endif
