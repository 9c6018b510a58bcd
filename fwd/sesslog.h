/*
 * The session log line (listen.NAME.log = true), HAProxy's `option tcplog`
 * readable by a person: one line per session, built from its counters by
 * a pure function. Format and fields: fwd(8), SESSION LOG.
 */
#ifndef FWD_SESSLOG_H
#define FWD_SESSLOG_H

#include <stddef.h>
#include <stdint.h>

/* How a session ended. */
enum sess_end {
	SESS_END_CLIENT_CLOSE,	 /* the client closed first */
	SESS_END_SERVER_CLOSE,	 /* the server closed first */
	SESS_END_CLIENT_TIMEOUT, /* the client was idle for timeout.client */
	SESS_END_SERVER_TIMEOUT, /* the server was idle for timeout.server */
	SESS_END_CONNECT_FAILED, /* no connect succeeded, retries spent */
	SESS_END_NO_SERVER,	 /* no server could take it */
	SESS_END_CLIENT_ABORT,	 /* the client left before the connect */
	SESS_END_CLIENT_ERROR,	 /* a socket error on the client side */
	SESS_END_SERVER_ERROR,	 /* a socket error on the server side */
	SESS_END_KILLED_DOWN,	 /* shutdown_sessions_on_down */
	SESS_END_KILLED_STOP,	 /* the grace period after SIGTERM ran out */
	SESS_END_PROXY_HEADER,	 /* accept_proxy: bad or missing header */
	SESS_END_LOCAL,		 /* our own shortage: fds, memory */
	SESS_END_COUNT,
};

const char *sess_end_str(enum sess_end e);

/* Everything one line says, gathered when the session ends. */
struct sesslog_rec {
	const char *client; /* "ip:port" */
	const char *listen;
	int lport;		  /* the bind port the client came in on */
	const char *server;	  /* NULL: none was found */
	const char *noserver_why; /* with server NULL: why, one word */
	int64_t wait_ms;	  /* accept to first connect; -1: none */
	int64_t connect_ms;	  /* the last connect; -1: never connected */
	int64_t total_ms;
	uint64_t bytes_up, bytes_down; /* client->server, server->client */
	int retries, redispatches;
	enum sess_end end;
	const char *errname; /* SESS_END_*_ERROR: "ECONNRESET"; or NULL */
};

/* Writes the line (no newline) into buf; returns its length, or what it
 * would have been (snprintf's rule) when len is too small. */
size_t sesslog_format(const struct sesslog_rec *r, char *buf, size_t len);

#endif
