/*
 * Connecting a session: choosing a server (stick table, then the
 * balancer), the non-blocking connect with the client's first bytes sent
 * at once, and after a failure the retry or redispatch (retry.c decides).
 */
#include "connect.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../common/parse.h"
#include "../conf/conf_addr.h"
#include "flow.h"
#include "listener.h"
#include "proxy_pp.h"
#include "retry.h"
#include "server.h"
#include "session.h"
#include "kpath_sess.h"

/* Counts s on srv (current connections, leastconn) and links it there. */
static void link_server(struct session *s, struct fwd_server *srv)
{
	s->srv = srv;
	srv->cur++;
	srv->l->pool.m[srv->idx].conns++;
	list_add(&srv->sessions, &s->by_srv);
}

void detach_server(struct session *s)
{
	struct fwd_server *srv = s->srv;

	if (!srv)
		return;
	srv->cur--;
	srv->l->pool.m[srv->idx].conns--;
	list_del(&s->by_srv);
	s->srv = NULL;
}

static void attach_server(struct session *s, struct fwd_server *srv)
{
	link_server(s, srv);
	srv->total++;
	s->t_conn = now_ms(s);
	if (!s->t_dial)
		s->t_dial = s->t_conn;
}

void proxy_move_server(struct session *s, struct fwd_server *srv)
{
	detach_server(s);
	link_server(s, srv);
}

static struct fwd_server *session_choose(struct session *s, int exclude)
{
	struct fwd_listen *l = s->l;
	int64_t now = now_ms(s);
	int idx = -1;

	if (s->has_key) {
		idx = stick_lookup(&l->stick, &s->key, now);
		if (idx >= 0 &&
		    (idx == exclude || !server_stick_ok(&l->servers[idx]))) {
			stick_remove(&l->stick, &s->key);
			idx = -1;
		}
	}
	if (idx < 0) {
		idx = pool_pick(&l->pool, (struct sockaddr *)&s->peer, exclude);
		if (idx < 0 && exclude >= 0)
			idx = pool_pick(&l->pool, (struct sockaddr *)&s->peer,
					-1);
		if (idx >= 0 && s->has_key)
			stick_store(&l->stick, &s->key, idx, now);
	}
	return idx >= 0 ? &l->servers[idx] : NULL;
}

/*
 * After a failed connect: counts it (a refused or timed-out connect is a
 * passive health failure), then picks what to try next. Returns false if
 * the session was closed.
 */
static bool connect_retry(struct session *s, int err, int *exclude,
			  struct fwd_server **next)
{
	struct fwd_server *srv = s->srv;
	struct fwd *f = s->l->f;
	struct retry_input in = {
	    .tries_left = s->tries_left,
	    .redispatch = s->l->conf->redispatch,
	    .kind = connect_err_kind(err),
	};
	enum retry_action act = retry_decide(&in);
	struct sockaddr_storage to;
	unsigned skipped;
	char addr[80];

	proxy_server_addr(s, srv, &to);
	if (act == RETRY_SHED) {
		/* our own shortage, not the server's fault: shed this client
		 * and stop accepting for a moment */
		listener_pause(f, err);
		session_close(s, SESS_END_LOCAL, err);
		return false;
	}
	srv->connect_fail++;
	s->failed = srv;
	if (ratelimit_allow(&f->rl_connect, f->loop.now_ms, 1000, &skipped))
		log_warn("%s/%s: connect to %s failed: %s (%u more "
			 "suppressed)",
			 s->l->conf->name, srv->conf->name,
			 sockaddr_str((const struct sockaddr *)&to, addr,
				      sizeof(addr)),
			 strerror(err), skipped);
	side_close(f, &s->be);
	loop_timer_cancel(&f->loop, &s->timer);
	detach_server(s);
	if (in.kind == CONNECT_ERR_SERVER)
		server_health_result(srv, false, strerror(err), "traffic");
	if (act == RETRY_GIVE_UP) {
		session_close(s, SESS_END_CONNECT_FAILED, err);
		return false;
	}
	s->tries_left--;
	s->retries++;
	if (act == RETRY_REDISPATCH) {
		s->redispatches++;
		*exclude = srv->idx;
		*next = NULL;
	} else {
		*exclude = -1;
		*next = srv;
	}
	return true;
}

void connect_failure(struct session *s, int err)
{
	struct fwd_server *next = NULL;
	int exclude = -1;

	if (connect_retry(s, err, &exclude, &next))
		session_connect(s, next, exclude);
}

static void established(struct session *s, uint32_t ev)
{
	s->connected = true;
	s->t_established = now_ms(s);
	s->be.wr = true;
	s->be.rd = (ev & (EPOLLIN | EPOLLRDHUP)) != 0;
	s->be.rdhup = (ev & EPOLLRDHUP) != 0;
	s->be.last_ms = now_ms(s);
	arm_idle(s);
	session_pump(s);
}

static void be_ready(struct loop *loop, struct loop_io *io, uint32_t ev)
{
	struct session *s = io->arg;

	(void)loop;
	if (!s->connected) {
		int err = 0;
		socklen_t len = sizeof(err);

		if (!(ev & (EPOLLOUT | EPOLLERR | EPOLLHUP)))
			return;
		/* a failed connect always raises EPOLLERR; a clean EPOLLOUT
		 * needs no SO_ERROR system call */
		if (ev & (EPOLLERR | EPOLLHUP)) {
			if (getsockopt(io->fd, SOL_SOCKET, SO_ERROR, &err,
				       &len) < 0)
				err = errno;
			if (!err)
				err = ECONNRESET;
		}
		if (err)
			connect_failure(s, err);
		else
			established(s, ev);
		return;
	}
	if (s->kp) {
		kpath_sess_event(s, &s->be, ev);
		return;
	}
	side_ready(&s->be, ev);
	session_pump(s);
}

/*
 * Optimistic send, as HAProxy does: to a near back end the connect has
 * often completed by the time connect() returns, so the client's first
 * bytes go out now instead of a loop turn later, on EPOLLOUT. While the
 * connect is still under way send() fails with EAGAIN and nothing is
 * lost. The bytes stay in up.buf until sent, so a retry on another
 * server resends them. 1 connected, 0 under way, -errno refused.
 */
static int early_send(struct session *s)
{
	struct flow *fl = &s->up;
	ssize_t n;

	if (!fl->blen)
		return 0;
	n = send(s->be.io.fd, fl->buf + fl->boff, fl->blen,
		 MSG_NOSIGNAL | MSG_DONTWAIT);
	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -errno;
	account(s, fl, (size_t)n);
	fl->boff += (size_t)n;
	fl->blen -= (size_t)n;
	if (!fl->blen) {
		free(fl->buf);
		fl->buf = NULL;
		fl->boff = 0;
	}
	return 1;
}

void proxy_server_addr(const struct session *s, const struct fwd_server *srv,
		       struct sockaddr_storage *ss)
{
	const struct conf_fwd_server *c = srv->conf;
	int port;

	*ss = c->addr;
	if (!c->port_follow)
		return;
	/* conf_fwd.c checked every bind port maps into 1..65535 */
	port = conf_addr_follow_port(s->lport, c->port_offset);
	if (ss->ss_family == AF_INET)
		((struct sockaddr_in *)ss)->sin_port = htons((uint16_t)port);
	else
		((struct sockaddr_in6 *)ss)->sin6_port = htons((uint16_t)port);
}

/* Starts a connect to s->srv: 0 under way, 1 connected, or -errno. */
static int start_connect(struct session *s)
{
	const struct conf_fwd_server *c = s->srv->conf;
	struct fwd *f = s->l->f;
	struct sockaddr_storage to;
	int fd, rc;

	fd = socket(c->addr.ss_family,
		    SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	set_nodelay(fd);
	/* connect before epoll: a socket not yet connecting polls as HUP */
	proxy_server_addr(s, s->srv, &to);
	if (pp_session_prepare(s) < 0) {
		close(fd);
		return -ENOMEM;
	}
	rc = connect(fd, (const struct sockaddr *)&to, c->addrlen);
	if (rc < 0 && errno != EINPROGRESS) {
		rc = -errno;
		close(fd);
		return rc;
	}
	s->be.io.fd = fd;
	s->be.io.events = SIDE_EVENTS;
	s->be.io.cb = be_ready;
	s->be.io.arg = s;
	s->be.rd = s->be.wr = s->be.rdhup = false;
	rc = loop_io_add(&f->loop, &s->be.io);
	if (rc < 0) {
		s->be.io.fd = -1;
		close(fd);
		return rc;
	}
	loop_timer_at(&f->loop, &s->timer,
		      f->loop.now_ms + s->l->conf->timeout_connect_ms);
	return early_send(s);
}

/* One word for the session log: why no server took the client. */
static const char *noserver_why(const struct fwd_listen *l)
{
	bool up = false;
	size_t i;

	for (i = 0; l->servers && i < l->n_servers; i++)
		if (l->servers[i].health.up) {
			up = true;
			if (l->servers[i].admin == ADMIN_READY &&
			    l->servers[i].conf->weight > 0)
				return "all_failed"; /* usable, but excluded */
		}
	return up ? "none_ready" : "all_down";
}

void session_connect(struct session *s, struct fwd_server *srv, int exclude)
{
	struct fwd *f = s->l->f;

	for (;;) {
		unsigned skipped;
		int rc;

		if (!srv)
			srv = session_choose(s, exclude);
		if (!srv) {
			s->l->no_server++;
			if (ratelimit_allow(&f->rl_noserver, f->loop.now_ms,
					    1000, &skipped))
				log_warn("%s: no server available; closing "
					 "the client (%u more suppressed)",
					 s->l->conf->name, skipped);
			s->noserver_why = noserver_why(s->l);
			session_close(s, SESS_END_NO_SERVER, 0);
			return;
		}
		attach_server(s, srv);
		rc = start_connect(s);
		if (rc > 0)
			established(s, 0);
		if (rc >= 0)
			return;
		if (!connect_retry(s, -rc, &exclude, &srv))
			return;
	}
}
