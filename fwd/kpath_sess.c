#include "kpath_sess.h"

#include <errno.h>
#include <linux/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bpf/splice_side.h"
#include "kpath.h"
#include "kpath_decide.h"
#include "tcpcount.h"
#include "proxy.h"

/*
 * Redirected bytes that may wait for a slow reader, per direction.
 * Bulk to a slower reader holds often: 1 MiB sent 94 % of an iperf3
 * stream through fwd, 4 MiB 60-80 % (loopback, loaded machine).
 */
#define BACKLOG_HIGH (4u << 20)
#define BACKLOG_LOW  (1u << 20)
/* What fwd copies of held bytes at a time. */
#define COPY_CHUNK  32768
#define COPY_ROUNDS 32
/* Re-checks while a FIN waits for bytes in flight, or a side is held. */
#define POLL_MIN_MS 1
#define POLL_MAX_MS 50
/* Bytes redirected between two looks for flow control on EPOLLOUT. */
#define FLOW_STEP (256u << 10)

struct kpath_sess {
	struct kpath_handle h;
	uint64_t read0[2]; /* [0] client, [1] server: read by fwd itself */
	uint64_t w0[2];	   /* written into each socket before hand-off */
	uint64_t wlast[2]; /* written, at the last look (idle stamps) */
	struct kpath_counts seen; /* already in the session's counters */
	bool held[2];		  /* flow control, per reading side */
	uint64_t consumed[2];	  /* held bytes fwd sent on */
	char *buf[2];		  /* held bytes read, not yet sent */
	size_t boff[2], blen[2];
	uint64_t limit[2]; /* credit published, per reading side */
	int64_t poll_ms;   /* 0: nothing to re-check */
	uint64_t looked;   /* bytes redirected at the last full look */
};

static struct side *side_of(struct session *s, int i)
{
	return i ? &s->be : &s->cli;
}

/* The program ran out of a session's credit: look at it at once. */
static void on_wake(void *arg, uint64_t tag)
{
	struct fwd *f = arg;
	struct session *s = (struct session *)(uintptr_t)tag;

	if (s->kp) {
		s->kp->poll_ms = 0;
		loop_timer_at(&f->loop, &s->timer, f->loop.now_ms);
	}
}

static void wakes_ready(struct loop *loop, struct loop_io *io, uint32_t ev)
{
	struct fwd *f = io->arg;

	(void)loop;
	(void)ev;
	kpath_wakes(f->kpath, on_wake, f);
}

int kpath_sess_start(struct fwd *f)
{
	enum conf_data_path want = f->c->data_path;
	char why[160];
	enum kpath_err e;

	if (want == CONF_DATA_PATH_COPY)
		return 0;
	e = kpath_open(&f->kpath, (size_t)f->maxconn, why, sizeof(why));
	if (e == KPATH_OK) {
		f->kpath_io = (struct loop_io){.fd = kpath_wake_fd(f->kpath),
					       .events = EPOLLIN,
					       .cb = wakes_ready,
					       .arg = f};
		if (loop_io_add(&f->loop, &f->kpath_io) < 0) {
			log_err("data path: kernel: epoll: %s",
				strerror(errno));
			kpath_sess_stop(f);
			return -1;
		}
		log_info("data path: kernel (sockmap)");
		return 0;
	}
	if (want == CONF_DATA_PATH_KERNEL) {
		log_err("forwarder.data_path is \"kernel\" but the kernel "
			"refused the sockmap program (%s: %s); it needs "
			"CAP_BPF, CAP_NET_ADMIN and CAP_PERFMON at start, "
			"and Linux 6.2+ with BTF (fwd(8)). Not "
			"starting; use \"auto\" or \"copy\" to run without it",
			kpath_err_str(e), why);
		return -1;
	}
	log_info("data path: copy (kernel path %s: %s)", kpath_err_str(e), why);
	return 0;
}

void kpath_sess_stop(struct fwd *f)
{
	if (f->kpath && f->kpath_io.cb)
		loop_io_del(&f->loop, &f->kpath_io);
	f->kpath_io.cb = NULL;
	kpath_close(f->kpath);
	f->kpath = NULL;
}

const char *kpath_sess_path(const struct fwd *f)
{
	return f->kpath && f->c->data_path != CONF_DATA_PATH_COPY ? "kernel"
								  : "copy";
}

void kpath_sess_reload(const struct fwd *f, const struct conf_fwd *n)
{
	/* the program is loaded at start, with privileges since dropped */
	if (!f->kpath && n->data_path != CONF_DATA_PATH_COPY &&
	    f->c->data_path == CONF_DATA_PATH_COPY)
		log_warn("reload: data_path \"%s\" takes effect when fwd "
			 "restarts; new sessions keep copying",
			 enum_name_str(conf_data_path_names, (int)n->data_path,
				       "?"));
}

/* Adds what the program counted since the last look to the session. */
static void fold(struct session *s, const struct kpath_counts *c)
{
	struct kpath_sess *kp = s->kp;
	uint64_t up = c->up - kp->seen.up, down = c->down - kp->seen.down;

	s->up.bytes += up;
	s->down.bytes += down;
	s->l->bytes_in += up;
	s->l->bytes_out += down;
	if (s->srv) {
		s->srv->bytes_in += up;
		s->srv->bytes_out += down;
	}
	s->l->f->kpath_dup += c->dup - kp->seen.dup;
	kp->seen = *c;
}

/* Runs the program over bytes already queued (see kpath_sess_try). */
static int kick(int fd)
{
	int one = 1;

	return setsockopt(fd, SOL_SOCKET, SO_RCVLOWAT, &one, sizeof(one));
}

/*
 * The credit of the direction that writes into a socket: bytes written
 * since the hand-off (w0 before it) may reach this, SPLICE_CREDIT past
 * what had reached the socket's send queue (w) at the last look. So the
 * kernel's redirect queue is bounded as the hold bounded it, and the
 * send queue by the socket's own buffer, which on loopback alone grows
 * to 4 MiB: a credit counted from the acknowledged bytes ran out there.
 */
static uint64_t credit_limit(uint64_t w, uint64_t w0)
{
	return w + SPLICE_CREDIT - w0;
}

static bool qualifies(const struct session *s)
{
	const struct flow *u = &s->up, *d = &s->down;

	return s->l->f->kpath && s->l->f->c->data_path != CONF_DATA_PATH_COPY &&
	       !s->kp && !s->kp_no && s->connected && s->spoke && !s->cli.rd &&
	       !s->be.rd && !u->eof && !d->eof && !u->pending && !u->blen &&
	       !d->pending && !d->blen && !s->l->f->stopping;
}

void kpath_sess_try(struct session *s)
{
	struct fwd *f = s->l->f;
	struct kpath_sess *kp;
	int rc;

	if (!qualifies(s))
		return;
	if (!kpath_worth(s->kp_quiet, (unsigned)f->c->kernel_after)) {
		s->kp_quiet++;
		return;
	}
	kp = calloc(1, sizeof(*kp));
	if (!kp) {
		s->kp_no = true;
		return;
	}
	if ((rc = tcpcount_read(s->cli.io.fd, &kp->read0[0])) < 0 ||
	    (rc = tcpcount_read(s->be.io.fd, &kp->read0[1])) < 0 ||
	    (rc = tcpcount_written(s->cli.io.fd, &kp->w0[0])) < 0 ||
	    (rc = tcpcount_written(s->be.io.fd, &kp->w0[1])) < 0 ||
	    (kp->limit[0] = credit_limit(kp->w0[1], kp->w0[1]),
	     kp->limit[1] = credit_limit(kp->w0[0], kp->w0[0]),
	     (rc = kpath_adopt(f->kpath, s->cli.io.fd, s->be.io.fd,
			       (uint64_t)(uintptr_t)s, kp->limit, &kp->h)) <
		 0)) {
		/* e.g. the maps are full (maxconn raised by a reload) */
		log_debug("%s: session stays on the copy path: %s",
			  s->l->conf->name, strerror(-rc));
		free(kp);
		s->kp_no = true;
		return;
	}
	kp->wlast[0] = kp->w0[0];
	kp->wlast[1] = kp->w0[1];
	s->kp = kp;
	f->kpath_sessions++;
	/* bytes that came between fwd's last read and the hand-off sit in
	 * the receive queues, and the program only sees a queue when new
	 * bytes arrive: setting SO_RCVLOWAT runs it over them now */
	kick(s->cli.io.fd);
	kick(s->be.io.fd);
	/* fwd is woken for FIN, errors, write space after a full send
	 * buffer and, through the ring buffer, when the program runs out
	 * of a side's credit; not for bytes (EPOLLIN would fire for each
	 * message the program moves) */
	loop_io_mod(&f->loop, &s->cli.io, EPOLLRDHUP | EPOLLOUT | EPOLLET);
	loop_io_mod(&f->loop, &s->be.io, EPOLLRDHUP | EPOLLOUT | EPOLLET);
}

static int so_error(int fd)
{
	int err = 0;
	socklen_t len = sizeof(err);

	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		return errno;
	return err;
}

/* As session_abort() in proxy.c: reset both sides, free their buffers. */
static void abort_session(struct session *s, enum sess_end end)
{
	static const struct linger rst = {.l_onoff = 1, .l_linger = 0};

	setsockopt(s->cli.io.fd, SOL_SOCKET, SO_LINGER, &rst, sizeof(rst));
	setsockopt(s->be.io.fd, SOL_SOCKET, SO_LINGER, &rst, sizeof(rst));
	session_close(s, end, 0);
}

/* Bytes fwd itself sent on (held bytes) into the counters. */
static void count(struct session *s, int i, size_t n)
{
	(i ? &s->down : &s->up)->bytes += n;
	*(i ? &s->l->bytes_out : &s->l->bytes_in) += n;
	if (s->srv)
		*(i ? &s->srv->bytes_out : &s->srv->bytes_in) += n;
}

/*
 * Sends on what the program left in the reader's queue (held bytes),
 * in order: nothing it redirects overtakes them, since it passes until
 * consumed catches up. 0, or -errno to end the session.
 */
static int copy_held(struct session *s, int i, uint64_t passed)
{
	struct kpath_sess *kp = s->kp;
	struct side *in = side_of(s, i), *out = side_of(s, !i);
	uint64_t before = kp->consumed[i];
	ssize_t n;

	if (!kp->buf[i] && !(kp->buf[i] = malloc(COPY_CHUNK)))
		return -ENOMEM;
	for (int round = 0; round < COPY_ROUNDS; round++) {
		while (kp->blen[i]) {
			n = send(out->io.fd, kp->buf[i] + kp->boff[i],
				 kp->blen[i], MSG_NOSIGNAL | MSG_DONTWAIT);
			if (n < 0 && (errno == EAGAIN || errno == EINTR))
				goto out;
			if (n < 0) {
				s->err_side = out;
				return -errno;
			}
			count(s, i, (size_t)n);
			kp->consumed[i] += (uint64_t)n;
			kp->boff[i] += (size_t)n;
			kp->blen[i] -= (size_t)n;
		}
		/* the program goes on passing until fwd has caught up, so
		 * a snapshot would keep fwd behind a sender it alone holds
		 * back: look again at what was passed since */
		if (kp->consumed[i] >= passed) {
			struct kpath_counts c;

			if (kpath_counters(s->l->f->kpath, &kp->h, &c) < 0)
				break;
			passed = i ? c.down_passed : c.up_passed;
			if (kp->consumed[i] >= passed)
				break;
		}
		n = recv(in->io.fd, kp->buf[i], COPY_CHUNK, MSG_DONTWAIT);
		if (n <= 0) {
			if (n < 0 && errno != EAGAIN && errno != EINTR) {
				s->err_side = in;
				return -errno;
			}
			break;
		}
		kp->boff[i] = 0;
		kp->blen[i] = (size_t)n;
	}
out:
	if (kp->consumed[i] != before)
		kpath_hold(s->l->f->kpath, &kp->h, i == 0, kp->held[i],
			   kp->consumed[i], kp->limit[i]);
	return 0;
}

/*
 * One direction: i 0 is client->server, 1 server->client. Keeps the
 * kernel's queue bounded (holding the reader) and passes a FIN on once
 * every byte before it has left. 0 waits for an event, 1 wants another
 * look soon, -errno ends the session.
 */
static int dir_step(struct session *s, int i, const struct kpath_counts *c)
{
	struct kpath_sess *kp = s->kp;
	struct flow *fl = i ? &s->down : &s->up;
	struct flow *other = i ? &s->up : &s->down;
	struct side *in = side_of(s, i), *out = side_of(s, !i);
	struct kpath_dir d = {.fin = fl->eof,
			      .read0 = kp->read0[i],
			      .redirected = i ? c->down : c->up,
			      .passed = i ? c->down_passed : c->up_passed};
	struct tcp_info ti;
	uint64_t w, limit, backlog;
	bool hold, moved = false;
	int rc;

	if (fl->shut)
		return 0;
	if (tcpcount_written(out->io.fd, &w) < 0 ||
	    tcpcount_info(in->io.fd, &ti) < 0)
		return 1;
	/* bytes reached the writer's send queue: move the credit on */
	limit = credit_limit(w, kp->w0[!i]);
	if (limit > kp->limit[i] &&
	    kpath_hold(s->l->f->kpath, &kp->h, i == 0, kp->held[i],
		       kp->consumed[i], limit) == 0)
		kp->limit[i] = limit;
	if (w != kp->wlast[!i]) {
		/* the reader took bytes: it is not idle (as a write on
		 * the copy path stamps the side written to) */
		kp->wlast[!i] = w;
		out->last_ms = s->l->f->loop.now_ms;
	}
	d.written = w - kp->w0[!i];
	d.received = ti.tcpi_bytes_received;
	d.consumed = kp->consumed[i];
	backlog = kpath_dir_backlog(&d);
	hold =
	    kpath_should_hold(backlog, kp->held[i], BACKLOG_HIGH, BACKLOG_LOW);
	if (hold != kp->held[i] &&
	    kpath_hold(s->l->f->kpath, &kp->h, i == 0, hold, kp->consumed[i],
		       kp->limit[i]) == 0)
		kp->held[i] = hold;
	/* held bytes come after every redirected one: they may only be
	 * sent once the kernel's queue is empty, or they would overtake */
	if (!kp->held[i] && !backlog &&
	    (kp->blen[i] || d.passed > kp->consumed[i])) {
		uint64_t before = kp->consumed[i];

		if ((rc = copy_held(s, i, d.passed)) < 0)
			return rc;
		moved = kp->consumed[i] != before;
		d.consumed = kp->consumed[i];
		if (tcpcount_written(out->io.fd, &w) == 0)
			d.written = w - kp->w0[!i];
	}
	if (!fl->eof) {
		if (!kp->held[i] && !kp->blen[i] && d.passed == kp->consumed[i])
			return 0;
		return moved ? 2 : 1;
	}
	if (!kpath_dir_drained(&d))
		return 1;
	/* half-close, as flow_pump(): the last direction to end leaves
	 * its FIN to close() */
	if (!other->shut)
		shutdown(out->io.fd, SHUT_WR);
	fl->shut = true;
	return 0;
}

/* soon: 0 idle timers only, 1 a look with backoff, 2 at once. */
static void arm(struct session *s, int soon)
{
	struct kpath_sess *kp = s->kp;
	const struct conf_fwd_listen *c = s->l->conf;
	struct loop *loop = &s->l->f->loop;
	int64_t next;

	kpath_idle_check(s->cli.last_ms, s->be.last_ms, c->timeout_client_ms,
			 c->timeout_server_ms, loop->now_ms, &next);
	if (soon == 2)
		kp->poll_ms = 0;
	if (soon) {
		kp->poll_ms = kp->poll_ms ? kp->poll_ms * 2 : POLL_MIN_MS;
		if (kp->poll_ms > POLL_MAX_MS)
			kp->poll_ms = POLL_MAX_MS;
		if (loop->now_ms + kp->poll_ms < next)
			next = loop->now_ms + (soon == 2 ? 0 : kp->poll_ms);
	} else {
		kp->poll_ms = 0;
	}
	loop_timer_at(loop, &s->timer, next);
}

/* Why the program broke a side (SPLICE_BROKEN_*), for the log. */
static const struct enum_name broken_names[] = {
    {"longer than it cuts off one skb", SPLICE_BROKEN_LONG},
    {"the kernel had no memory to cut", SPLICE_BROKEN_NOMEM},
    {"a whole skb again", SPLICE_BROKEN_WHOLE},
    {NULL, 0}};

/* Looks at both directions; false if the session was closed. */
static bool step(struct session *s)
{
	struct kpath_sess *kp = s->kp;
	struct kpath_counts c;
	int up, down;

	if (kpath_counters(s->l->f->kpath, &kp->h, &c) < 0)
		c = kp->seen;
	fold(s, &c);
	/* as on the copy path: a side is active when fwd reads from it
	 * (the program's stamps) or writes to it (dir_step) */
	s->cli.last_ms = kpath_last_ms(s->cli.last_ms, c.up_ns);
	s->be.last_ms = kpath_last_ms(s->be.last_ms, c.down_ns);
	kp->looked = c.up + c.down;
	if (c.broken) {
		/* the kernel repeated bytes the program could not cut: the
		 * stream has a hole, so it ends rather than lie */
		log_err("%s: kernel data path: the kernel handed over bytes "
			"twice and the program could not cut them (%s); "
			"session reset",
			s->l->conf->name,
			enum_name_str(broken_names, c.broken, "?"));
		abort_session(s, SESS_END_LOCAL);
		return false;
	}
	up = dir_step(s, 0, &c);
	down = up < 0 ? 0 : dir_step(s, 1, &c);
	if (up < 0 || down < 0) {
		session_close(s,
			      s->err_side == &s->cli ? SESS_END_CLIENT_ERROR
						     : SESS_END_SERVER_ERROR,
			      up < 0 ? -up : -down);
		return false;
	}
	if (s->up.shut && s->down.shut) {
		session_close(s,
			      s->first_eof == 's' ? SESS_END_SERVER_CLOSE
						  : SESS_END_CLIENT_CLOSE,
			      0);
		return false;
	}
	arm(s, up > down ? up : down);
	return true;
}

void kpath_sess_event(struct session *s, struct side *sd, uint32_t ev)
{
	bool cli = sd == &s->cli;
	struct kpath_counts c;

	/* a send buffer drained (the program's credit wakes fwd for a
	 * queue that grows): a full look costs a dozen system calls, so
	 * unless something waits (a hold, a FIN) it waits for FLOW_STEP
	 * bytes */
	if (!(ev & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)) && !s->kp->held[0] &&
	    !s->kp->held[1] && !s->kp->poll_ms &&
	    kpath_counters(s->l->f->kpath, &s->kp->h, &c) == 0 && !c.broken &&
	    c.up + c.down - s->kp->looked < FLOW_STEP)
		return;

	if (ev & EPOLLERR) {
		int err = so_error(sd->io.fd);

		if (err) {
			s->err_side = sd;
			session_close(s,
				      cli ? SESS_END_CLIENT_ERROR
					  : SESS_END_SERVER_ERROR,
				      err);
			return;
		}
	}
	if (ev & (EPOLLRDHUP | EPOLLHUP)) {
		struct flow *fl = cli ? &s->up : &s->down;

		if (!fl->eof) {
			fl->eof = true;
			if (!s->first_eof)
				s->first_eof = cli ? 'c' : 's';
		}
	}
	step(s);
}

void kpath_sess_timeout(struct session *s)
{
	const struct conf_fwd_listen *c = s->l->conf;
	int64_t next;

	if (!step(s))
		return;
	switch (kpath_idle_check(s->cli.last_ms, s->be.last_ms,
				 c->timeout_client_ms, c->timeout_server_ms,
				 s->l->f->loop.now_ms, &next)) {
	case KPATH_IDLE_CLIENT:
		abort_session(s, SESS_END_CLIENT_TIMEOUT);
		break;
	case KPATH_IDLE_SERVER:
		abort_session(s, SESS_END_SERVER_TIMEOUT);
		break;
	case KPATH_IDLE_NONE:
		break;
	}
}

void kpath_sess_end(struct session *s)
{
	struct kpath_sess *kp = s->kp;
	struct kpath *k = s->l->f->kpath;
	struct kpath_counts c;

	if (!kp)
		return;
	if (k && kpath_counters(k, &kp->h, &c) == 0) {
		fold(s, &c);
		log_debug("%s: kernel path moved %llu/%llu bytes up/down, fwd "
			  "%llu/%llu of them (flow control); repeats cut %llu "
			  "(at most %llu off one skb's head)",
			  s->l->conf->name,
			  (unsigned long long)(c.up + kp->consumed[0]),
			  (unsigned long long)(c.down + kp->consumed[1]),
			  (unsigned long long)kp->consumed[0],
			  (unsigned long long)kp->consumed[1],
			  (unsigned long long)c.dup,
			  (unsigned long long)c.cut_max);
	}
	if (k)
		kpath_release(k, &kp->h);
	free(kp->buf[0]);
	free(kp->buf[1]);
	free(kp);
	s->kp = NULL;
}
