/*
 * The byte pump: moves a session's bytes both ways, through a pipe with
 * splice() for bulk data or with recv/send, passes a half-close on, and
 * yields to other sessions after PUMP_ROUNDS.
 */
#include "flow.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "listener.h"
#include "session.h"
#include "kpath_sess.h"

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
/* Bound of fwd_listen.client_first, so a protocol change is learnt fast. */
#define SPEAKER_SCORE_MAX 4

void flow_release(struct fwd *f, struct flow *fl)
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

static void enqueue(struct fwd *f, struct session *s)
{
	if (!list_empty(&s->by_again))
		return; /* queued already */
	list_add(&f->again, &s->by_again);
	if (!loop_timer_armed(&f->again_timer))
		loop_timer_at(&f->loop, &f->again_timer, f->loop.now_ms);
}

void account(struct session *s, struct flow *fl, size_t n)
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
	listener_note_speaker(s->l, fl == &s->down);
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
int flow_fill_copy(struct session *s, struct flow *fl, struct side *in,
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

void session_pump(struct session *s)
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
	struct list list;

	(void)loop;
	/* take the whole list: sessions that yield again requeue */
	list_take(&list, &f->again);
	while (!list_empty(&list)) {
		struct session *s =
		    list_first_entry(&list, struct session, by_again);

		list_del(&s->by_again);
		session_pump(s);
	}
}
