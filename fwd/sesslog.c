#include "sesslog.h"

#include <string.h>

const char *sess_end_str(enum sess_end e)
{
	static const char *const names[SESS_END_COUNT] = {
	    [SESS_END_CLIENT_CLOSE] = "client_close",
	    [SESS_END_SERVER_CLOSE] = "server_close",
	    [SESS_END_CLIENT_TIMEOUT] = "client_timeout",
	    [SESS_END_SERVER_TIMEOUT] = "server_timeout",
	    [SESS_END_CONNECT_FAILED] = "connect_failed",
	    [SESS_END_NO_SERVER] = "no_server",
	    [SESS_END_CLIENT_ABORT] = "client_abort",
	    [SESS_END_CLIENT_ERROR] = "client_error",
	    [SESS_END_SERVER_ERROR] = "server_error",
	    [SESS_END_KILLED_DOWN] = "killed_down",
	    [SESS_END_KILLED_STOP] = "killed_stop",
	    [SESS_END_PROXY_HEADER] = "proxy_header",
	    [SESS_END_LOCAL] = "local_error",
	};

	return (unsigned)e < SESS_END_COUNT && names[e] ? names[e] : "?";
}

/* An appender with snprintf's contract: writes what fits, counts all.
 * Hand-rolled because printf was most of the line's cost (perf). */
struct out {
	char *buf;
	size_t len, n;
};

static void put(struct out *o, const char *s, size_t k)
{
	if (o->n + 1 < o->len) {
		size_t room = o->len - 1 - o->n;

		memcpy(o->buf + o->n, s, k < room ? k : room);
	}
	o->n += k;
}

static void put_s(struct out *o, const char *s)
{
	put(o, s, strlen(s));
}

static void put_u(struct out *o, uint64_t v)
{
	char d[24];
	size_t i = sizeof(d);

	do {
		d[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	put(o, d + i, sizeof(d) - i);
}

static void put_i(struct out *o, int64_t v)
{
	if (v < 0) {
		put(o, "-", 1);
		put_u(o, (uint64_t)0 - (uint64_t)v);
		return;
	}
	put_u(o, (uint64_t)v);
}

/*
 * session 198.18.1.7:51234 Exchange2010:443 cas1 wait=0 connect=1
 * total=5012 up=120 down=4560 retries=0 redispatches=0 end=client_close
 *
 * Fixed order, key=value after the first three, no spaces inside a
 * value: a person reads it, awk and grep split it.
 */
size_t sesslog_format(const struct sesslog_rec *r, char *buf, size_t len)
{
	struct out o = {buf, len, 0};

	put_s(&o, "session ");
	put_s(&o, r->client);
	put(&o, " ", 1);
	put_s(&o, r->listen);
	put(&o, ":", 1);
	put_i(&o, r->lport);
	put(&o, " ", 1);
	if (r->server) {
		put_s(&o, r->server);
	} else {
		put(&o, "-(", 2);
		put_s(&o, r->noserver_why ? r->noserver_why : "none");
		put(&o, ")", 1);
	}
	put_s(&o, " wait=");
	put_i(&o, r->wait_ms);
	put_s(&o, " connect=");
	put_i(&o, r->connect_ms);
	put_s(&o, " total=");
	put_i(&o, r->total_ms);
	put_s(&o, " up=");
	put_u(&o, r->bytes_up);
	put_s(&o, " down=");
	put_u(&o, r->bytes_down);
	put_s(&o, " retries=");
	put_i(&o, r->retries);
	put_s(&o, " redispatches=");
	put_i(&o, r->redispatches);
	put_s(&o, " end=");
	put_s(&o, sess_end_str(r->end));
	if (r->errname) {
		put(&o, ":", 1);
		put_s(&o, r->errname);
	}
	if (len)
		buf[o.n < len ? o.n : len - 1] = '\0';
	return o.n;
}
