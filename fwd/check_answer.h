/*
 * What a health check makes of a server's answer, pure: the HTTP status
 * line, headers and body of an http check, the replies of an smtp
 * check. The sockets are elsewhere (check_http.c, check_smtp.c); these
 * take the bytes read so far and say "more", or give a verdict in
 * HAProxy's terms (L4/L6/L7 and a short reason).
 */
#ifndef FWD_CHECK_ANSWER_H
#define FWD_CHECK_ANSWER_H

#include <stdbool.h>
#include <stddef.h>

#include "../conf/conf_check.h"

/* The most of an answer a check reads (issue #14). */
#define CHECK_ANSWER_MAX 16384

enum check_status {
	CHECK_NONE,   /* no check yet */
	CHECK_L4OK,   /* TCP connect succeeded */
	CHECK_L4CON,  /* TCP connect refused or failed */
	CHECK_L4TOUT, /* TCP connect timed out */
	CHECK_L6OK,   /* TLS handshake completed */
	CHECK_L6RSP,  /* TLS handshake failed */
	CHECK_L6TOUT, /* TLS handshake timed out */
	CHECK_L7OK,   /* the application answered as expected */
	CHECK_L7STS,  /* wrong status (HTTP code, SMTP reply) */
	CHECK_L7RSP,  /* not a valid answer, or the body did not match */
	CHECK_L7TOUT, /* no complete answer in time */
	CHECK_SOCKERR /* could not even start (no socket, no memory) */
};

/* "L4OK", "L7STS"... as HAProxy names them. */
const char *check_status_str(enum check_status st);
bool check_status_ok(enum check_status st);

struct check_verdict {
	enum check_status st;
	int err; /* errno for L4 failures, else 0 */
	char detail[160];
};

void check_verdict_set(struct check_verdict *v, enum check_status st,
		       const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

enum check_judge {
	CHECK_MORE, /* read more, then ask again */
	CHECK_DONE, /* *v holds the verdict */
};

/*
 * Judges an HTTP answer from the len bytes read so far; end is true when
 * no more will come (the server closed, or CHECK_ANSWER_MAX was read).
 * The status is judged against expect, then, when expect_body is not
 * empty, the body must contain it (chunked bodies are decoded).
 */
enum check_judge check_http_judge(const char *buf, size_t len, bool end,
				  const struct conf_check_app *a,
				  struct check_verdict *v);

/* The request an http check sends: Connection: close, no body. */
int check_http_request(char *out, size_t size, const struct conf_check_app *a,
		       const char *default_host);

/*
 * One SMTP reply (RFC 5321 4.2: "250-..." lines then "250 ..."): returns
 * 1 with *code, *used (bytes of the reply) and *starttls (an EHLO line
 * said STARTTLS), 0 when incomplete, -1 when it is not a reply.
 */
int check_smtp_reply(const char *buf, size_t len, int *code, size_t *used,
		     bool *starttls);

#endif
