/*
 * A session's life: accepted, waiting for the client's first bytes or
 * its PROXY header, connecting (connect.c), pumping (flow.c), ended by
 * a close or a timeout, with one end reason, counted and logged.
 */
#include "proxy.h"

#include <errno.h>
#include <malloc.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../common/parse.h"
#include "connect.h"
#include "flow.h"
#include "listener.h"
#include "proxy_pp.h"
#include "session.h"
#include "kpath_sess.h"

/* Sessions at once after which going idle returns the heap to the OS. */
#define TRIM_PEAK 1024
/*
 * A new client that has sent nothing yet gets this long to send its
 * first bytes before the back end is dialled without them. Connecting
 * with the request in hand lets the back end accept, read and answer in
 * one wake-up instead of two: +12 % new connections/s on loopback
 * (docs/fwd-bench.md). Listeners whose servers speak first (SMTP, FTP,
 * MySQL) stop waiting after their first session: see note_speaker() in
 * flow.c.
 */
#define FIRST_BYTES_WAIT_MS 2

static void session_start(struct session *s, bool wait);

void set_nodelay(int fd)
{
	int one = 1;

	/* bytes are already segmented by the endpoints; do not delay them */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

void side_ready(struct side *sd, uint32_t ev)
{
	if (ev & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))
		sd->rd = true;
	if (ev & (EPOLLRDHUP | EPOLLHUP | EPOLLERR))
		sd->rdhup = true;
	if (ev & (EPOLLOUT | EPOLLHUP | EPOLLERR))
		sd->wr = true;
}

/*
 * close() drops the fd from epoll by itself (we never dup or fork it),
 * so loop_io_del is told fd -1: it only forgets pending events.
 */
void side_close(struct fwd *f, struct side *sd)
{
	int fd = sd->io.fd;

	if (fd < 0)
		return;
	sd->io.fd = -1;
	loop_io_del(&f->loop, &sd->io);
	close(fd);
	sd->rd = sd->wr = sd->rdhup = false;
}

static int64_t span(int64_t from, int64_t to)
{
	return from && to ? to - from : -1;
}

/* One line per session, listen.NAME.log (fwd(8), SESSION LOG). */
static void session_log(struct session *s, enum sess_end end, int err)
{
	struct fwd_listen *l = s->l;
	struct fwd_server *srv = s->srv				  ? s->srv
				 : end == SESS_END_CONNECT_FAILED ? s->failed
								  : NULL;
	struct sesslog_rec r = {
	    .listen = l->conf->name,
	    .lport = s->lport,
	    .server = srv ? srv->conf->name : NULL,
	    .noserver_why = s->noserver_why,
	    .wait_ms = span(s->t_accept, s->t_dial),
	    .connect_ms = span(s->t_conn, s->t_established),
	    .total_ms = now_ms(s) - s->t_accept,
	    /* what the client sent, without our PROXY header */
	    .bytes_up =
		s->up.bytes - (s->up.bytes >= s->pp_len ? s->pp_len : 0),
	    .bytes_down = s->down.bytes,
	    .retries = s->retries,
	    .redispatches = s->redispatches,
	    .end = end,
	    .errname = err ? strerrorname_np(err) : NULL,
	};
	char client[80], line[512];
	size_t n;

	r.client = sockaddr_str((const struct sockaddr *)&s->peer, client,
				sizeof(client));
	n = sesslog_format(&r, line, sizeof(line));
	sesslog_out_line(&l->f->slog, line,
			 n < sizeof(line) ? n : sizeof(line) - 1);
}

void session_close(struct session *s, enum sess_end end, int err)
{
	struct fwd_listen *l = s->l;
	struct fwd *f = l->f;

	kpath_sess_end(s); /* kernel path: its byte counts, before the log */
	l->ends[end]++;
	if (l->conf->log)
		session_log(s, end, err);
	if (s->srv)
		log_debug("%s/%s: session closed: %s%s%s", l->conf->name,
			  s->srv->conf->name, sess_end_str(end),
			  err ? ": " : "", err ? strerror(err) : "");
	loop_timer_cancel(&f->loop, &s->timer);
	side_close(f, &s->cli);
	side_close(f, &s->be);
	flow_release(f, &s->up);
	flow_release(f, &s->down);
	detach_server(s);
	list_del(&s->by_again);
	list_del(&s->by_fwd);
	l->cur--;
	f->cur--;
	free(s);
	if (!f->cur && f->peak >= TRIM_PEAK) {
		/* a flood has passed: glibc keeps the freed sessions and
		 * buffers (scattered over the heap, so not trimmed by free)
		 * and RSS would stay at the peak; give the pages back once,
		 * when nothing is left */
		malloc_trim(0);
		f->peak = 0;
	}
	listener_sync(f);
	if (f->stopping && list_empty(&f->sessions))
		loop_stop(&f->loop);
}

void arm_idle(struct session *s)
{
	const struct conf_fwd_listen *c = s->l->conf;
	int64_t a = s->cli.last_ms + c->timeout_client_ms;
	int64_t b = s->be.last_ms + c->timeout_server_ms;

	loop_timer_at(&s->l->f->loop, &s->timer, a < b ? a : b);
}

/*
 * A peer that stopped reading holds what fwd wrote in the kernel (up to
 * the socket's send buffer, megabytes); a plain close() would leave it
 * there behind the FIN, an orphan in FIN-WAIT-1 that the client never
 * sees end while it reads a byte a second. Nothing more can be delivered
 * after a timeout anyway: reset both sides, which frees the buffers now.
 */
static void session_abort(struct session *s, enum sess_end end)
{
	static const struct linger rst = {.l_onoff = 1, .l_linger = 0};

	if (s->cli.io.fd >= 0)
		setsockopt(s->cli.io.fd, SOL_SOCKET, SO_LINGER, &rst,
			   sizeof(rst));
	if (s->be.io.fd >= 0)
		setsockopt(s->be.io.fd, SOL_SOCKET, SO_LINGER, &rst,
			   sizeof(rst));
	session_close(s, end, 0);
}

/* A bad or missing PROXY header: counted and logged, then closed. */
static void pp_failed(struct session *s, const char *why, int err)
{
	struct fwd *f = s->l->f;
	unsigned skipped;
	char addr[80];

	if (ratelimit_allow(&f->rl_proxy, f->loop.now_ms, 1000, &skipped))
		log_warn("%s: client %s: %s%s%s; closed (%u more suppressed)",
			 s->l->conf->name,
			 sockaddr_str((const struct sockaddr *)&s->peer, addr,
				      sizeof(addr)),
			 why, err ? ": " : "", err ? strerror(err) : "",
			 skipped);
	session_close(s, SESS_END_PROXY_HEADER, err);
}

/* accept_proxy: the header first, then the session as usual. */
static void pp_read(struct session *s)
{
	const char *why = NULL;
	int err, rc = pp_session_read(s, &why, &err);

	if (rc < 0) {
		pp_failed(s, why, err);
		return;
	}
	if (rc == 0)
		return;
	s->pp_wait = false;
	loop_timer_cancel(&s->l->f->loop, &s->timer);
	if (s->l->conf->stick)
		s->has_key = stick_key_from((const struct sockaddr *)&s->peer,
					    &s->key) == 0;
	session_start(s, true);
}

/* Idle deadlines are checked lazily: I/O only stamps last_ms. */
static void session_timeout(struct loop *loop, struct loop_timer *t)
{
	struct session *s = t->arg;
	const struct conf_fwd_listen *c = s->l->conf;
	int64_t now = loop->now_ms;

	if (s->kp) {
		kpath_sess_timeout(s);
		return;
	}
	if (s->pp_wait) {
		pp_failed(s, "no PROXY header in time", 0);
		return;
	}
	if (s->waiting) {
		session_start(s, false);
		return;
	}
	if (!s->connected) {
		connect_failure(s, ETIMEDOUT);
		return;
	}
	if (now >= s->cli.last_ms + c->timeout_client_ms) {
		session_abort(s, SESS_END_CLIENT_TIMEOUT);
		return;
	}
	if (now >= s->be.last_ms + c->timeout_server_ms) {
		session_abort(s, SESS_END_SERVER_TIMEOUT);
		return;
	}
	arm_idle(s);
}

static void cli_ready(struct loop *loop, struct loop_io *io, uint32_t ev)
{
	struct session *s = io->arg;

	(void)loop;
	if (s->kp) {
		kpath_sess_event(s, &s->cli, ev);
		return;
	}
	side_ready(&s->cli, ev);
	if (s->pp_wait && !(ev & EPOLLERR)) {
		if (s->cli.rd)
			pp_read(s);
		return;
	}
	if (!s->connected) {
		/* a reset client is gone; a FIN may still carry a request */
		if (ev & (EPOLLERR | EPOLLHUP))
			session_close(s, SESS_END_CLIENT_ABORT, 0);
		else if (s->waiting && s->cli.rd)
			session_start(s, false);
		return;
	}
	session_pump(s);
}

/*
 * Reads what the client has sent so far and dials the back end, or, with
 * wait and nothing read yet on a listener whose clients speak first,
 * gives the client FIRST_BYTES_WAIT_MS: cli_ready() or the timer calls
 * again. (Under load a client's request had not arrived at accept 97 %
 * of the time; it comes a few microseconds later.)
 */
static void session_start(struct session *s, bool wait)
{
	int rc = 0;

	if (s->cli.rd)
		rc = flow_fill_copy(s, &s->up, &s->cli, &s->be);
	if (rc < 0) {
		session_close(s, SESS_END_CLIENT_ERROR, -rc);
		return;
	}
	if (wait && !s->up.blen && !s->up.eof && s->l->client_first >= 0) {
		s->waiting = true;
		loop_timer_at(&s->l->f->loop, &s->timer,
			      now_ms(s) + FIRST_BYTES_WAIT_MS);
		return;
	}
	s->waiting = false;
	session_connect(s, NULL, -1);
}

void proxy_accept(struct fwd_bind *b, int fd,
		  const struct sockaddr_storage *peer, socklen_t peerlen)
{
	struct fwd_listen *l = b->l;
	struct fwd *f = l->f;
	struct session *s = calloc(1, sizeof(*s));

	if (!s) {
		close(fd);
		return;
	}
	s->l = l;
	list_init(&s->by_srv);
	list_init(&s->by_again);
	s->up.pipe[0] = s->up.pipe[1] = -1;
	s->down.pipe[0] = s->down.pipe[1] = -1;
	s->cli.io.fd = fd;
	s->cli.io.events = SIDE_EVENTS;
	s->cli.io.cb = cli_ready;
	s->cli.io.arg = s;
	s->cli.last_ms = f->loop.now_ms;
	s->cli.wr = true; /* a new socket has room */
	s->be.io.fd = -1;
	memcpy(&s->peer, peer, peerlen);
	s->peerlen = peerlen;
	s->t_accept = f->loop.now_ms ? f->loop.now_ms : 1;
	s->lport = ntohs(
	    b->conf->addr.ss_family == AF_INET
		? ((const struct sockaddr_in *)&b->conf->addr)->sin_port
		: ((const struct sockaddr_in6 *)&b->conf->addr)->sin6_port);
	b->total++;
	loop_timer_init(&s->timer, session_timeout, s);
	s->tries_left = l->conf->retries;
	if (l->conf->stick)
		s->has_key =
		    stick_key_from((const struct sockaddr *)peer, &s->key) == 0;
	list_add(&f->sessions, &s->by_fwd);
	l->cur++;
	l->total++;
	f->cur++;
	f->total++;
	if (f->cur > f->peak)
		f->peak = f->cur;
	set_nodelay(fd);
	if (loop_io_add(&f->loop, &s->cli.io) < 0) {
		session_close(s, SESS_END_LOCAL, ENOMEM);
		return;
	}
	s->cli.rd = true; /* unknown: try */
	if (l->conf->accept_proxy) {
		s->pp_wait = true;
		loop_timer_at(&f->loop, &s->timer,
			      f->loop.now_ms + l->conf->timeout_client_ms);
		pp_read(s);
		return;
	}
	session_start(s, true);
}

void proxy_shutdown_server(struct fwd_server *srv)
{
	struct session *s, *next;

	/* session_close() frees s and unlinks it, and no other session */
	list_for_each_entry_safe (s, next, &srv->sessions, by_srv)
		session_close(s, SESS_END_KILLED_DOWN, 0);
}

void proxy_close_all(struct fwd *f)
{
	struct session *s, *next;

	list_for_each_entry_safe (s, next, &f->sessions, by_fwd)
		session_close(s, SESS_END_KILLED_STOP, 0);
}
