/*
 * The smtp check: a 220 banner, EHLO <router_id> answered 250, then QUIT.
 * ssl = true runs it over TLS from the first byte (SMTPS, 465);
 * starttls = true asks for STARTTLS after the first EHLO, completes the
 * handshake and judges the second EHLO (587).
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "check_run.h"
#include "fwd.h"

enum smtp_phase {
	SMTP_TLS,    /* SMTPS: the handshake first */
	SMTP_BANNER, /* 220 */
	SMTP_EHLO_SEND,
	SMTP_EHLO_REPLY, /* 250 */
	SMTP_STARTTLS_SEND,
	SMTP_STARTTLS_REPLY, /* 220 */
	SMTP_TLS2,
	SMTP_EHLO2_SEND,
	SMTP_EHLO2_REPLY,
	SMTP_QUIT,
};

/* A short printable copy of a reply's first line, for the verdict. */
static void smtp_text(const char *in, size_t len, char *out, size_t size)
{
	size_t i, n = 0;

	for (i = 0; i < len && in[i] != '\r' && in[i] != '\n' && n + 1 < size;
	     i++)
		out[n++] = isprint((unsigned char)in[i]) ? in[i] : '?';
	out[n] = '\0';
}

/* 1: a reply with the expected code; 0 wait; -1 done (verdict set). */
static int smtp_expect(struct check_run *r, const char *what, int want,
		       bool *starttls)
{
	char text[64];
	int code = 0;
	bool tls = false;

	for (;;) {
		size_t used = 0;
		int rc = check_smtp_reply(r->in, r->in_len, &code, &used, &tls);
		ssize_t n;

		if (rc > 0) {
			smtp_text(r->in, r->in_len, text, sizeof(text));
			memmove(r->in, r->in + used, r->in_len - used + 1);
			r->in_len -= used;
			if (starttls)
				*starttls = tls;
			if (code == want)
				return 1;
			check_verdict_set(&r->v, CHECK_L7STS, "%s: %s", what,
					  text);
			return -1;
		}
		if (rc < 0) {
			smtp_text(r->in, r->in_len, text, 41);
			check_verdict_set(&r->v, CHECK_L7RSP,
					  "%s: not an SMTP reply: \"%s\"", what,
					  text);
			return -1;
		}
		n = check_fill(r);
		if (n == -1)
			return 0;
		if (n == -2)
			return -1;
		if (n <= 0) {
			check_verdict_set(&r->v, CHECK_L7RSP, "%s: %s", what,
					  n == 0 ? "closed before the reply"
						 : "reply too long");
			return -1;
		}
	}
}

/* Queues a command and sends it; 1 sent, 0 wait, -1 done. */
static int smtp_send(struct check_run *r, const char *cmd)
{
	if (r->out_len == 0 && check_queue(r, cmd) < 0) {
		check_verdict_set(&r->v, CHECK_SOCKERR, "command too long");
		return -1;
	}
	return check_flush(r);
}

static int smtp_send_ehlo(struct check_run *r)
{
	const char *id = r->s->l->f->conf->global.router_id;
	char host[128], line[160];

	if (r->out_len)
		return check_flush(r);
	if (!id || !id[0]) {
		if (gethostname(host, sizeof(host) - 1) < 0)
			strcpy(host, "fwd");
		host[sizeof(host) - 1] = '\0';
		id = host;
	}
	snprintf(line, sizeof(line), "EHLO %s\r\n", id);
	return smtp_send(r, line);
}

#define STEP(expr)                                                             \
	do {                                                                   \
		int rc_ = (expr);                                              \
		if (rc_ == 0)                                                  \
			return CHECK_STEP_WAIT;                                \
		if (rc_ < 0)                                                   \
			return CHECK_STEP_DONE;                                \
	} while (0)

static enum check_step smtp_io(struct check_run *r)
{
	bool offered = false;

	for (;;) {
		switch ((enum smtp_phase)r->phase) {
		case SMTP_TLS:
			STEP(check_tls_handshake(r));
			r->phase = SMTP_BANNER;
			break;
		case SMTP_BANNER:
			STEP(smtp_expect(r, "banner", 220, NULL));
			r->phase = SMTP_EHLO_SEND;
			break;
		case SMTP_EHLO_SEND:
		case SMTP_EHLO2_SEND:
			STEP(smtp_send_ehlo(r));
			r->phase++;
			break;
		case SMTP_EHLO_REPLY:
			STEP(smtp_expect(r, "EHLO", 250, &offered));
			if (!r->app->starttls) {
				r->phase = SMTP_QUIT;
				break;
			}
			if (!offered) {
				check_verdict_set(&r->v, CHECK_L7RSP,
						  "EHLO: STARTTLS not offered");
				return CHECK_STEP_DONE;
			}
			r->phase = SMTP_STARTTLS_SEND;
			break;
		case SMTP_STARTTLS_SEND:
			STEP(smtp_send(r, "STARTTLS\r\n"));
			r->phase = SMTP_STARTTLS_REPLY;
			break;
		case SMTP_STARTTLS_REPLY:
			STEP(smtp_expect(r, "STARTTLS", 220, NULL));
			/* nothing may come before the handshake (RFC 3207 5) */
			r->in_len = 0;
			if (check_tls_begin(r) < 0)
				return CHECK_STEP_DONE;
			r->phase = SMTP_TLS2;
			break;
		case SMTP_TLS2:
			STEP(check_tls_handshake(r));
			r->phase = SMTP_EHLO2_SEND;
			break;
		case SMTP_EHLO2_REPLY:
			STEP(smtp_expect(r, "EHLO after STARTTLS", 250, NULL));
			r->phase = SMTP_QUIT;
			break;
		case SMTP_QUIT:
			/* judged already; QUIT is courtesy, not waited for */
			r->out_len = r->out_off = 0;
			check_queue(r, "QUIT\r\n");
			check_flush(r);
			check_verdict_set(&r->v, CHECK_L7OK, "EHLO 250%s",
					  r->app->starttls ? " after STARTTLS"
							   : "");
			return CHECK_STEP_DONE;
		}
	}
}

static enum check_step smtp_start(struct check_run *r)
{
	r->phase = SMTP_BANNER;
	if (r->app->ssl) {
		if (check_tls_begin(r) < 0)
			return CHECK_STEP_DONE;
		r->phase = SMTP_TLS;
	}
	return smtp_io(r);
}

const struct check_type check_type_smtp = {.start = smtp_start, .io = smtp_io};
