/*
 * Alert e-mail composition (pure): the RFC 5322 message for a state
 * transition or a test, and the libcurl URL for smtp_server. No I/O: the
 * wall-clock time, pid and sequence number come in as arguments, so the
 * output is a function of the inputs and unit-testable. smtp.c sends it.
 */
#ifndef VRRPD_ALERT_H
#define VRRPD_ALERT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "../common/sbuf.h"
#include "../conf/conf.h"
#include "alertq.h"
#include "fsm.h"

/* Who sends, to whom, and what makes this message unique. */
struct alert_env {
	const char *router_id; /* NULL or "": host is used instead */
	const char *host;      /* gethostname() */
	const char *from;      /* notification_email_from; NULL: derived */
	char *const *to;       /* notification_email */
	size_t n_to;
	struct timespec now; /* CLOCK_REALTIME */
	pid_t pid;
	unsigned long seq; /* per-process message counter */
};

/* What happened to one instance. */
struct alert_transition {
	const char *instance;
	const char *interface;
	enum vrrp_state from, to;
	const char *reason;
	uint8_t priority; /* effective, after the transition */
	uint8_t base_priority;
	const struct conf_vip *vips;
	size_t n_vips;
	/* an anycast_instance: its own state names and what the new one
	 * means; no priority. NULL for a VRRP instance. */
	const char *anycast_from, *anycast_to, *anycast_meaning;
};

/* Appends the whole message (headers, blank line, body), CRLF endings. */
void alert_format_transition(struct sbuf *out, const struct alert_env *env,
			     const struct alert_transition *t);
void alert_format_test(struct sbuf *out, const struct alert_env *env);
/*
 * The summary of transitions held by alertq (n >= 1, oldest first;
 * omitted more were not kept). t describes the instance as it is now:
 * t->from/to/reason are those of the last transition.
 */
void alert_format_summary(struct sbuf *out, const struct alert_env *env,
			  const struct alert_transition *t,
			  const struct alertq_item *items, size_t n,
			  uint64_t omitted, int64_t interval_ms);
/* fwd saw a TLS certificate close to its expiry (issue #14). */
void alert_format_cert(struct sbuf *out, const struct alert_env *env,
		       const char *listener, const char *server, long days,
		       time_t not_after);

/* Fills buf with "<1700000000.123.7@lbA>"; 0, or -ENOSPC. */
int alert_message_id(char *buf, size_t len, const struct alert_env *env);
/* RFC 5322 3.3 date-time in local time, e.g. "Tue, 14 Nov 2023 23:13:20
 * +0100", independent of the locale. 0, or -ENOSPC. */
int alert_date(char *buf, size_t len, time_t t);

/* The addr-spec of "Name <a@b>" or "a@b" (for MAIL FROM / RCPT TO).
 * 0, -EINVAL when empty or unbalanced, or -ENOSPC. */
int alert_addr_spec(char *buf, size_t len, const char *addr);

/*
 * smtp_server ("host", "host:port", "[v6]:port", "smtp://host[:port]",
 * "smtps://host[:port]") to a libcurl URL with an explicit port (25 for
 * smtp, 465 for smtps) and ehlo as the path, which libcurl sends in EHLO.
 * 0, -EINVAL for a malformed server, or -ENOSPC.
 */
int alert_server_url(char *buf, size_t len, const char *server,
		     const char *ehlo);

#endif
