#include "check.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proxy_pp.h"

static int64_t check_timeout(const struct fwd_server *s)
{
	int64_t t = s->l->f->c->timeout_check_ms;
	int64_t inter = s->conf->check.inter_ms;

	return t < 0 || t > inter ? inter : t;
}

static void check_finish(struct fwd_server *s, int err)
{
	struct fwd *f = s->l->f;

	if (s->check_io.fd >= 0) {
		loop_io_del(&f->loop, &s->check_io);
		close(s->check_io.fd);
		s->check_io.fd = -1;
	}
	s->last_check_err = err;
	s->last_check_ms = f->loop.now_ms;
	if (err)
		s->checks_fail++;
	else
		s->checks_ok++;
	server_health_result(s, err == 0, err, "check");
	loop_timer_at(&f->loop, &s->check_timer,
		      s->check_started_ms + s->conf->check.inter_ms);
}

static void check_ready(struct loop *loop, struct loop_io *io, uint32_t ev)
{
	struct fwd_server *s = io->arg;
	int err = 0;
	socklen_t len = sizeof(err);

	(void)loop;
	if (getsockopt(io->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		err = errno;
	if (!err && (ev & (EPOLLERR | EPOLLHUP)))
		err = ECONNRESET;
	if (!err && s->conf->check.send_proxy) {
		/* a back end that expects the PROXY protocol on every
		 * connection (check.send_proxy): LOCAL, "not a client" */
		char hdr[128];
		size_t n =
		    pp_check_header(s->conf->send_proxy, hdr, sizeof(hdr));

		if (send(io->fd, hdr, n, MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
			err = errno;
	}
	check_finish(s, err);
}

/* fwd's own shortage (fds, memory, ports) says nothing of the server. */
static bool local_shortage(int err)
{
	return err == EMFILE || err == ENFILE || err == ENOBUFS ||
	       err == ENOMEM || err == EADDRNOTAVAIL;
}

/* No check this time: try again at the next interval, count nothing
 * (counting it took a healthy server DOWN when fds ran out). */
static void check_skip(struct fwd_server *s, int err)
{
	struct fwd *f = s->l->f;

	log_debug("server %s/%s: check skipped: %s", s->l->conf->name,
		  s->conf->name, strerror(err));
	loop_timer_at(&f->loop, &s->check_timer,
		      s->check_started_ms + s->conf->check.inter_ms);
}

static void check_begin(struct fwd_server *s)
{
	struct fwd *f = s->l->f;
	struct sockaddr_storage ss = s->conf->addr;
	int fd, rc;

	if (s->conf->check.port) {
		if (ss.ss_family == AF_INET)
			((struct sockaddr_in *)&ss)->sin_port =
			    htons((uint16_t)s->conf->check.port);
		else
			((struct sockaddr_in6 *)&ss)->sin6_port =
			    htons((uint16_t)s->conf->check.port);
	}
	s->check_started_ms = f->loop.now_ms;
	fd =
	    socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		rc = errno;
		if (local_shortage(rc))
			check_skip(s, rc);
		else
			check_finish(s, rc);
		return;
	}
	rc = connect(fd, (struct sockaddr *)&ss, s->conf->addrlen);
	if (rc < 0 && errno != EINPROGRESS) {
		rc = errno;
		close(fd);
		if (local_shortage(rc))
			check_skip(s, rc);
		else
			check_finish(s, rc);
		return;
	}
	s->check_io.fd = fd;
	s->check_io.events = EPOLLOUT;
	s->check_io.cb = check_ready;
	s->check_io.arg = s;
	rc = loop_io_add(&f->loop, &s->check_io);
	if (rc < 0) {
		s->check_io.fd = -1;
		close(fd);
		check_finish(s, -rc);
		return;
	}
	loop_timer_at(&f->loop, &s->check_timer,
		      s->check_started_ms + check_timeout(s));
}

/* One timer per server: starts a check, or times out the running one. */
static void check_timer(struct loop *loop, struct loop_timer *t)
{
	struct fwd_server *s = t->arg;

	(void)loop;
	if (s->check_io.fd >= 0)
		check_finish(s, ETIMEDOUT);
	else
		check_begin(s);
}

void check_start(struct fwd *f)
{
	size_t i, j;

	srandom((unsigned)(getpid() ^ mono_ms()));
	for (i = 0; i < f->n_listens; i++) {
		struct fwd_listen *l = &f->listens[i];

		for (j = 0; j < l->n_servers; j++) {
			struct fwd_server *s = &l->servers[j];
			int64_t inter = s->conf->check.inter_ms;

			s->check_io.fd = -1;
			loop_timer_init(&s->check_timer, check_timer, s);
			if (!s->conf->check.enabled)
				continue;
			loop_timer_at(&f->loop, &s->check_timer,
				      f->loop.now_ms + random() % inter);
		}
	}
}

void check_stop(struct fwd *f)
{
	size_t i, j;

	for (i = 0; i < f->n_listens; i++) {
		struct fwd_listen *l = &f->listens[i];

		for (j = 0; j < l->n_servers; j++) {
			struct fwd_server *s = &l->servers[j];

			loop_timer_cancel(&f->loop, &s->check_timer);
			if (s->check_io.fd >= 0) {
				loop_io_del(&f->loop, &s->check_io);
				close(s->check_io.fd);
				s->check_io.fd = -1;
			}
		}
	}
}
