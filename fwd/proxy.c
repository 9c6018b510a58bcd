#include "proxy.h"

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../common/parse.h"
#include "../conf/conf_addr.h"
#include "kpath_sess.h"
#include "listener.h"
#include "proxy_pp.h"

/*
 * Edge-triggered and registered once: the interest set never changes,
 * so moving bytes costs no epoll_ctl. Readiness is tracked in side.rd/wr.
 */
#define SIDE_EVENTS (EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET)
/* A splice read smaller than this means the bulk phase is over. */
#define SPLICE_MIN 4096
/*
 * Bytes per recv on the copy path. 32 KiB measured best for bulk on
 * loopback (docs/fwd-bench.md): 64 KiB reads spill the caches, 8-16 KiB
 * cost more system calls per byte.
 */
#define COPY_CHUNK 32768
/* Rounds of read+write per flow before yielding to other sessions. */
#define PUMP_ROUNDS 8
/* Sessions at once after which going idle returns the heap to the OS. */
#define TRIM_PEAK 1024
/*
 * A new client that has sent nothing yet gets this long to send its
 * first bytes before the back end is dialled without them. Connecting
 * with the request in hand lets the back end accept, read and answer in
 * one wake-up instead of two: +12 % new connections/s on loopback
 * (docs/fwd-bench.md). Listeners whose servers speak first (SMTP, FTP,
 * MySQL) stop waiting after their first session: see note_speaker().
 */
#define FIRST_BYTES_WAIT_MS 2
/* Bound of fwd_listen.client_first, so a protocol change is learnt fast. */
#define SPEAKER_SCORE_MAX 4

static void session_connect(struct session *s, struct fwd_server *srv,
			    int exclude);
static void connect_failure(struct session *s, int err);
static void session_start(struct session *s, bool wait);

static int64_t now_ms(const struct session *s)
{
	return s->l->f->loop.now_ms;
}

static void set_nodelay(int fd)
{
	int one = 1;

	/* bytes are already segmented by the endpoints; do not delay them */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

/* Counts s on srv (current connections, leastconn) and links it there. */
static void link_server(struct session *s, struct fwd_server *srv)
{
	s->srv = srv;
	srv->cur++;
	srv->l->pool.m[srv->idx].conns++;
	s->sprev = NULL;
	s->snext = srv->sessions;
	if (srv->sessions)
		srv->sessions->sprev = s;
	srv->sessions = s;
}

static void detach_server(struct session *s)
{
	struct fwd_server *srv = s->srv;

	if (!srv)
		return;
	srv->cur--;
	srv->l->pool.m[srv->idx].conns--;
	if (s->sprev)
		s->sprev->snext = s->snext;
	else
		srv->sessions = s->snext;
	if (s->snext)
		s->snext->sprev = s->sprev;
	s->snext = s->sprev = NULL;
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

/*
 * close() drops the fd from epoll by itself (we never dup or fork it),
 * so loop_io_del is told fd -1: it only forgets pending events.
 */
static void side_close(struct fwd *f, struct side *sd)
{
	int fd = sd->io.fd;

	if (fd < 0)
		return;
	sd->io.fd = -1;
	loop_io_del(&f->loop, &sd->io);
	close(fd);
	sd->rd = sd->wr = sd->rdhup = false;
}

static void flow_release(struct fwd *f, struct flow *fl)
{
	if (fl->pipe[0] >= 0) {
		if (fl->pending)
			pipes_discard(&f->pipes, fl->pipe);
		else
			pipes_put(&f->pipes, fl->pipe);
	}
	fl->pending = 0;
	free(fl->buf);
	fl->buf = NULL;
	fl->blen = fl->boff = 0;
}

static void unqueue(struct fwd *f, struct session *s)
{
	if (!s->queued)
		return;
	if (s->qprev)
		s->qprev->qnext = s->qnext;
	else
		f->again = s->qnext;
	if (s->qnext)
		s->qnext->qprev = s->qprev;
	s->qnext = s->qprev = NULL;
	s->queued = false;
}

static void enqueue(struct fwd *f, struct session *s)
{
	if (s->queued)
		return;
	s->queued = true;
	s->qprev = NULL;
	s->qnext = f->again;
	if (f->again)
		f->again->qprev = s;
	f->again = s;
	if (!loop_timer_armed(&f->again_timer))
		loop_timer_at(&f->loop, &f->again_timer, f->loop.now_ms);
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
	unqueue(f, s);
	if (s->aprev)
		s->aprev->anext = s->anext;
	else
		f->sessions = s->anext;
	if (s->anext)
		s->anext->aprev = s->aprev;
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
	if (f->stopping && !f->sessions)
		loop_stop(&f->loop);
}

static void account(struct session *s, struct flow *fl, size_t n)
{
	fl->bytes += n;
	if (fl == &s->up) {
		s->l->bytes_in += n;
		s->srv->bytes_in += n;
	} else {
		s->l->bytes_out += n;
		s->srv->bytes_out += n;
	}
}

/* Writes what waits in the pipe or buffer. 0, or -errno on a dead peer. */
static int flow_flush(struct session *s, struct flow *fl, struct side *out)
{
	while (fl->pending || fl->blen) {
		ssize_t n;

		if (fl->blen)
			n = send(out->io.fd, fl->buf + fl->boff, fl->blen,
				 MSG_NOSIGNAL | MSG_DONTWAIT);
		else
			n = splice(fl->pipe[0], NULL, out->io.fd, NULL,
				   fl->pending,
				   SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
		if (n < 0) {
			if (errno == EAGAIN) {
				out->wr = false;
				return 0;
			}
			if (errno == EINTR)
				continue;
			s->err_side = out;
			return -errno;
		}
		account(s, fl, (size_t)n);
		out->last_ms = now_ms(s);
		if (fl->blen) {
			fl->boff += (size_t)n;
			fl->blen -= (size_t)n;
		} else {
			fl->pending -= (size_t)n;
		}
	}
	if (fl->buf) {
		free(fl->buf);
		fl->buf = NULL;
		fl->boff = 0;
	}
	if (fl->pipe[0] >= 0)
		pipes_put(&s->l->f->pipes, fl->pipe);
	return 0;
}

/*
 * Counts who sent the first bytes of a session, per listener: while
 * clients speak first, new sessions wait for the client's first bytes
 * (FIRST_BYTES_WAIT_MS); once a server has spoken first they do not.
 */
static void note_speaker(struct session *s, const struct flow *fl)
{
	int *v = &s->l->client_first;

	if (s->spoke)
		return;
	s->spoke = true;
	if (fl == &s->up && *v < SPEAKER_SCORE_MAX)
		(*v)++;
	else if (fl == &s->down && *v > -SPEAKER_SCORE_MAX)
		(*v)--;
}

/* Bulk path: socket -> pipe. 1 moved, 0 nothing now, -errno. */
static int flow_fill_splice(struct session *s, struct flow *fl, struct side *in)
{
	struct fwd *f = s->l->f;
	ssize_t n;

	if (fl->pipe[0] < 0 && pipes_get(&f->pipes, fl->pipe) < 0) {
		fl->splice = false; /* out of fds: copy instead */
		return 1;
	}
	n = splice(in->io.fd, NULL, fl->pipe[1], NULL, (size_t)f->pipes.size,
		   SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
	if (n > 0) {
		note_speaker(s, fl);
		fl->pending = (size_t)n;
		in->last_ms = now_ms(s);
		if (n < SPLICE_MIN)
			fl->splice = false;
		return 1;
	}
	pipes_put(&f->pipes, fl->pipe);
	if (n == 0) {
		fl->eof = true;
		return 1;
	}
	if (errno == EAGAIN) {
		in->rd = false;
		return 0;
	}
	if (errno == EINTR)
		return 1;
	if (errno == EINVAL) {
		fl->splice = false; /* not spliceable: copy */
		return 1;
	}
	s->err_side = in;
	return -errno;
}

/*
 * Copy path: one recv into the shared scratch buffer, one send straight
 * out; only what send() refuses is kept (in fl->buf). With splice on
 * (fwd -s), a full read means bulk data: later reads use splice.
 */
static int flow_fill_copy(struct session *s, struct flow *fl, struct side *in,
			  struct side *out)
{
	struct fwd *f = s->l->f;
	ssize_t n, m = 0;

	_Static_assert(COPY_CHUNK <= sizeof(f->scratch), "scratch too small");
	n = recv(in->io.fd, f->scratch, COPY_CHUNK, MSG_DONTWAIT);
	if (n < 0) {
		if (errno == EAGAIN) {
			in->rd = false;
			return 0;
		}
		if (errno == EINTR)
			return 1;
		s->err_side = in;
		return -errno;
	}
	if (n == 0) {
		fl->eof = true;
		return 1;
	}
	note_speaker(s, fl);
	in->last_ms = now_ms(s);
	if (n == COPY_CHUNK)
		fl->splice = f->use_splice;
	else if (!in->rdhup)
		in->rd = false; /* drained; new bytes raise a new edge */
	if (out->wr) {
		/* the peer's FIN is queued behind these bytes: hold them
		 * for the shutdown() that follows, so data and FIN leave in
		 * one segment */
		int more = n < COPY_CHUNK && in->rdhup ? MSG_MORE : 0;

		m = send(out->io.fd, f->scratch, (size_t)n,
			 MSG_NOSIGNAL | MSG_DONTWAIT | more);
		if (m < 0) {
			if (errno != EAGAIN) {
				s->err_side = out;
				return -errno;
			}
			m = 0;
		}
		if (m > 0) {
			account(s, fl, (size_t)m);
			out->last_ms = in->last_ms;
		}
	}
	if (m < n) {
		out->wr = false;
		fl->buf = malloc((size_t)(n - m));
		if (!fl->buf)
			return -ENOMEM;
		memcpy(fl->buf, f->scratch + m, (size_t)(n - m));
		fl->boff = 0;
		fl->blen = (size_t)(n - m);
	}
	return 1;
}

/*
 * Moves bytes from in to out until one side would block. Returns 1 if it
 * stopped only to let other sessions run, 0 when waiting for an edge,
 * -errno when the session must end.
 */
static int flow_pump(struct session *s, struct flow *fl, struct side *in,
		     struct side *out)
{
	int round, rc;

	for (round = 0; round < PUMP_ROUNDS; round++) {
		if (fl->pending || fl->blen) {
			if (!out->wr)
				return 0;
			rc = flow_flush(s, fl, out);
			if (rc < 0)
				return rc;
			if (fl->pending || fl->blen)
				return 0;
		}
		if (fl->eof) {
			if (!fl->shut) {
				struct flow *other =
				    fl == &s->up ? &s->down : &s->up;

				/* half-close: pass the FIN on; the last
				 * direction to end leaves it to close(),
				 * both sockets having been read to EOF */
				if (!other->shut)
					shutdown(out->io.fd, SHUT_WR);
				fl->shut = true;
			}
			return 0;
		}
		if (!in->rd)
			return 0;
		rc = fl->splice ? flow_fill_splice(s, fl, in)
				: flow_fill_copy(s, fl, in, out);
		if (rc <= 0)
			return rc;
	}
	return 1;
}

static enum sess_end side_error(const struct session *s)
{
	return s->err_side == &s->cli ? SESS_END_CLIENT_ERROR
				      : SESS_END_SERVER_ERROR;
}

static void session_pump(struct session *s)
{
	int up, down;

	up = flow_pump(s, &s->up, &s->cli, &s->be);
	if (up < 0) {
		session_close(s, side_error(s), -up);
		return;
	}
	if (!s->first_eof && s->up.eof)
		s->first_eof = 'c';
	down = flow_pump(s, &s->down, &s->be, &s->cli);
	if (down < 0) {
		session_close(s, side_error(s), -down);
		return;
	}
	if (!s->first_eof && s->down.eof)
		s->first_eof = 's';
	if (s->up.shut && s->down.shut) {
		session_close(s,
			      s->first_eof == 's' ? SESS_END_SERVER_CLOSE
						  : SESS_END_CLIENT_CLOSE,
			      0);
		return;
	}
	if (up > 0 || down > 0)
		enqueue(s->l->f, s);
	else
		kpath_sess_try(s); /* both sides wait: hand off to the kernel */
}

void proxy_run_again(struct loop *loop, struct loop_timer *t)
{
	struct fwd *f = t->arg;
	struct session *list = f->again, *s;

	(void)loop;
	/* take the whole list: sessions that yield again requeue */
	f->again = NULL;
	for (s = list; s; s = s->qnext)
		s->queued = false;
	while (list) {
		s = list;
		list = s->qnext;
		if (list)
			list->qprev = NULL;
		s->qnext = s->qprev = NULL;
		session_pump(s);
	}
}

static void arm_idle(struct session *s)
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
	struct sockaddr_storage to;
	unsigned skipped;
	char addr[80];

	proxy_server_addr(s, srv, &to);
	if (err == EMFILE || err == ENFILE || err == ENOBUFS || err == ENOMEM) {
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
	if (err == ECONNREFUSED || err == ETIMEDOUT || err == EHOSTUNREACH ||
	    err == ENETUNREACH)
		server_health_result(srv, false, strerror(err), "traffic");
	if (s->tries_left <= 0) {
		session_close(s, SESS_END_CONNECT_FAILED, err);
		return false;
	}
	s->tries_left--;
	s->retries++;
	if (s->l->conf->redispatch) {
		s->redispatches++;
		*exclude = srv->idx;
		*next = NULL;
	} else {
		*exclude = -1;
		*next = srv;
	}
	return true;
}

static void connect_failure(struct session *s, int err)
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
	if (ev & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))
		s->be.rd = true;
	if (ev & (EPOLLRDHUP | EPOLLHUP | EPOLLERR))
		s->be.rdhup = true;
	if (ev & (EPOLLOUT | EPOLLHUP | EPOLLERR))
		s->be.wr = true;
	session_pump(s);
}

static void cli_ready(struct loop *loop, struct loop_io *io, uint32_t ev)
{
	struct session *s = io->arg;

	(void)loop;
	if (s->kp) {
		kpath_sess_event(s, &s->cli, ev);
		return;
	}
	if (ev & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))
		s->cli.rd = true;
	if (ev & (EPOLLRDHUP | EPOLLHUP | EPOLLERR))
		s->cli.rdhup = true;
	if (ev & (EPOLLOUT | EPOLLHUP | EPOLLERR))
		s->cli.wr = true;
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

static void session_connect(struct session *s, struct fwd_server *srv,
			    int exclude)
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
	s->anext = f->sessions;
	if (f->sessions)
		f->sessions->aprev = s;
	f->sessions = s;
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
	while (srv->sessions)
		/* false positive: session_close() unlinks it before freeing;
		 * NOLINTNEXTLINE(clang-analyzer-unix.Malloc) */
		session_close(srv->sessions, SESS_END_KILLED_DOWN, 0);
}

void proxy_close_all(struct fwd *f)
{
	while (f->sessions)
		/* false positive: session_close() unlinks it before freeing;
		 * NOLINTNEXTLINE(clang-analyzer-unix.Malloc) */
		session_close(f->sessions, SESS_END_KILLED_STOP, 0);
}
