#include "sesslog.h"

#include <stdio.h>

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

/*
 * session 198.18.1.7:51234 Exchange2010:443 cas1 wait=0 connect=1
 * total=5012 up=120 down=4560 retries=0 redispatches=0 end=client_close
 *
 * Fixed order, key=value after the first three, no spaces inside a
 * value: a person reads it, awk and grep split it.
 */
size_t sesslog_format(const struct sesslog_rec *r, char *buf, size_t len)
{
	char srv[96];
	int n;

	if (r->server)
		snprintf(srv, sizeof(srv), "%s", r->server);
	else
		snprintf(srv, sizeof(srv), "-(%s)",
			 r->noserver_why ? r->noserver_why : "none");
	n = snprintf(buf, len,
		     "session %s %s:%d %s wait=%lld connect=%lld total=%lld "
		     "up=%llu down=%llu retries=%d redispatches=%d end=%s%s%s",
		     r->client, r->listen, r->lport, srv, (long long)r->wait_ms,
		     (long long)r->connect_ms, (long long)r->total_ms,
		     (unsigned long long)r->bytes_up,
		     (unsigned long long)r->bytes_down, r->retries,
		     r->redispatches, sess_end_str(r->end),
		     r->errname ? ":" : "", r->errname ? r->errname : "");
	return n < 0 ? 0 : (size_t)n;
}
