/*
 * The http check: one request (Connection: close), over TLS when
 * ssl = true, and the answer judged by check_http_judge as it arrives,
 * at most CHECK_ANSWER_MAX bytes of it.
 */
#include <string.h>
#include <sys/epoll.h>

#include "../common/parse.h"
#include "check_run.h"
#include "fwd.h"

enum http_phase { HTTP_TLS, HTTP_BUILD, HTTP_SEND, HTTP_RECV };

static enum check_step http_recv(struct check_run *r)
{
	for (;;) {
		ssize_t n = check_fill(r);

		if (n == -1)
			return CHECK_STEP_WAIT;
		if (n == -2)
			return CHECK_STEP_DONE;
		if (check_http_judge(r->in, r->in_len, n <= 0, r->app, &r->v) ==
		    CHECK_DONE)
			return CHECK_STEP_DONE;
	}
}

static bool http_build(struct check_run *r)
{
	char host[80];

	sockaddr_str((const struct sockaddr *)&r->s->conf->addr, host,
		     sizeof(host));
	if (check_http_request(r->out, sizeof(r->out), r->app, host) < 0) {
		check_verdict_set(&r->v, CHECK_SOCKERR, "request too long");
		return false;
	}
	r->out_len = strlen(r->out);
	r->out_off = 0;
	return true;
}

static enum check_step http_io(struct check_run *r)
{
	int rc;

	for (;;) {
		switch ((enum http_phase)r->phase) {
		case HTTP_TLS:
			rc = check_tls_handshake(r);
			if (rc <= 0)
				return rc == 0 ? CHECK_STEP_WAIT
					       : CHECK_STEP_DONE;
			r->phase = HTTP_BUILD;
			break;
		case HTTP_BUILD:
			if (!http_build(r))
				return CHECK_STEP_DONE;
			r->phase = HTTP_SEND;
			break;
		case HTTP_SEND:
			rc = check_flush(r);
			if (rc <= 0)
				return rc == 0 ? CHECK_STEP_WAIT
					       : CHECK_STEP_DONE;
			r->phase = HTTP_RECV;
			r->want = EPOLLIN;
			break;
		case HTTP_RECV:
			return http_recv(r);
		}
	}
}

static enum check_step http_start(struct check_run *r)
{
	r->phase = HTTP_BUILD;
	if (r->app->ssl) {
		if (check_tls_begin(r) < 0)
			return CHECK_STEP_DONE;
		r->phase = HTTP_TLS;
	}
	return http_io(r);
}

const struct check_type check_type_http = {.start = http_start, .io = http_io};
