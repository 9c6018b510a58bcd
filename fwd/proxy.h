/*
 * Sessions: one accepted client, one back-end connection, and the bytes
 * between them. The public face of session.c (life cycle, timeouts, end
 * reasons), flow.c (the byte pump: half-close propagation, splice() for
 * bulk data) and connect.c (choosing a server, non-blocking connect,
 * retries and redispatch).
 */
#ifndef FWD_PROXY_H
#define FWD_PROXY_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "../common/list.h"
#include "fwd.h"
#include "sesslog.h"

/* One direction of a session: bytes read from one socket, written to the
 * other. Data waiting for the writer sits in a pipe or in buf. */
struct flow {
	int pipe[2];
	size_t pending; /* bytes in the pipe */
	char *buf;	/* read/write path: the part send() did not take */
	size_t boff, blen;
	bool splice; /* bulk: move through the pipe */
	bool eof;    /* the reader saw EOF */
	bool shut;   /* and it was passed on with shutdown(SHUT_WR) */
	uint64_t bytes;
};

struct side {
	struct loop_io io;
	bool rd, wr; /* edge-triggered readiness, cleared by EAGAIN */
	bool rdhup;  /* the peer's FIN was signalled: read on to EOF */
	int64_t last_ms;
};

struct session {
	struct fwd_listen *l;
	struct fwd_server *srv;
	struct side cli, be;
	struct flow up, down; /* client->server, server->client */
	struct loop_timer timer;
	bool connected;
	bool waiting; /* for the client's first bytes, before connecting */
	bool spoke;   /* first bytes seen, in either direction */
	int tries_left;
	bool has_key;
	struct stick_key key;
	struct sockaddr_storage peer;
	socklen_t peerlen;
	int lport;	      /* the listener port the client connected to */
	struct list by_srv;   /* on srv->sessions */
	struct list by_fwd;   /* on fwd->sessions */
	struct list by_again; /* on fwd->again; unlinked: not queued */
	/* for the session log */
	int64_t t_accept, t_dial, t_conn, t_established; /* 0: not yet */
	int retries, redispatches;
	char first_eof;		   /* 'c' or 's': who closed first */
	struct side *err_side;	   /* where a socket error came from */
	struct fwd_server *failed; /* its connect failed (read at once) */
	const char *noserver_why;
	/* PROXY protocol */
	bool pp_wait;	 /* accept_proxy: the header is not read yet */
	bool has_pp_dst; /* pp_dst came in the client's header */
	bool kp_no;	 /* the kernel path refused it: copy to the end */
	size_t pp_len;	 /* our header's bytes at the front of up.buf */
	struct sockaddr_storage pp_dst;
	/* kernel data path (kpath_sess.c): NULL while on the copy path */
	struct kpath_sess *kp;
};

/* Takes ownership of fd, a freshly accepted client of b's listener. */
void proxy_accept(struct fwd_bind *b, int fd,
		  const struct sockaddr_storage *peer, socklen_t peerlen);
/* Ends a session at once (both sockets closed); err: errno or 0. */
void session_close(struct session *s, enum sess_end end, int err);
/* Moves s to srv (reload: the new copy of its server), counters with it. */
void proxy_move_server(struct session *s, struct fwd_server *srv);
/* Closes every session attached to srv. */
void proxy_shutdown_server(struct fwd_server *srv);
/* Closes every session (end of the grace period). */
void proxy_close_all(struct fwd *f);
/* Continues sessions that yielded to be fair to others. */
void proxy_run_again(struct loop *loop, struct loop_timer *t);
/* Where s goes on srv: its address, with the client's port (plus the
 * server's offset) for a port-following server. */
void proxy_server_addr(const struct session *s, const struct fwd_server *srv,
		       struct sockaddr_storage *ss);

#endif
