#include "listener.h"

#include <errno.h>
#include <stdlib.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <unistd.h>

#include "../common/parse.h"
#include "proxy.h"
#include "server.h"

#ifndef IPV6_FREEBIND
#define IPV6_FREEBIND 78 /* linux/in6.h, Linux 4.15 */
#endif

/* Accepts per wake-up per socket, so one busy port cannot starve others. */
#define ACCEPT_BATCH 64
/* Pause after EMFILE/ENFILE: long enough to let sessions end. */
#define ACCEPT_PAUSE_MS 100
/*
 * TCP_DEFER_ACCEPT: the kernel hands a connection to accept() only once
 * the client's first bytes are in, so fwd is woken once per new client
 * with the request in hand, instead of accepting, waiting up to 2 ms
 * (proxy.c, FIRST_BYTES_WAIT_MS) and being woken again. It is turned on
 * after DEFER_STREAK sessions in a row whose client spoke first, and off
 * at the first session whose server spoke first (a banner: SMTP, FTP,
 * MySQL): the kernel would hold such silent clients for DEFER_SECS and
 * one SYN-ACK resend before fwd sees them.
 */
#define DEFER_STREAK 4
#define DEFER_SECS   1

int listener_bind(const struct conf_fwd_bind *b, int backlog)
{
	int fd, one = 1, rc;
	bool v6 = b->addr.ss_family == AF_INET6;

	fd = socket(b->addr.ss_family,
		    SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    (v6 ? setsockopt(fd, IPPROTO_IPV6, IPV6_FREEBIND, &one, sizeof(one))
		: setsockopt(fd, IPPROTO_IP, IP_FREEBIND, &one, sizeof(one))) <
		0 ||
	    (v6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one,
			      sizeof(one)) < 0) ||
	    bind(fd, (const struct sockaddr *)&b->addr, b->addrlen) < 0 ||
	    listen(fd, backlog) < 0) {
		rc = -errno;
		close(fd);
		return rc;
	}
	return fd;
}

static bool wants_accept(const struct fwd_listen *l)
{
	const struct fwd *f = l->f;

	return !f->stopping && !f->accept_paused &&
	       l->cur < (unsigned long)l->conf->maxconn &&
	       f->cur < (unsigned long)f->maxconn;
}

void listener_sync(struct fwd *f)
{
	size_t i, j;

	for (i = 0; i < f->n_listens; i++) {
		struct fwd_listen *l = &f->listens[i];
		bool want = wants_accept(l);

		for (j = 0; j < l->n_binds; j++) {
			struct fwd_bind *b = &l->binds[j];

			if (b->io.fd < 0 || b->active == want)
				continue;
			if (want) {
				if (loop_io_add(&f->loop, &b->io) == 0)
					b->active = true;
			} else {
				loop_io_del(&f->loop, &b->io);
				b->active = false;
			}
		}
	}
}

static void accept_resume(struct loop *loop, struct loop_timer *t)
{
	struct fwd *f = t->arg;

	(void)loop;
	f->accept_paused = false;
	listener_sync(f);
}

/* Out of fds: retrying at once would spin on the same error. */
void listener_pause(struct fwd *f, int err)
{
	unsigned skipped;

	if (ratelimit_allow(&f->rl_accept, f->loop.now_ms, 1000, &skipped))
		log_warn("accept: %s; pausing accepts for %d ms (%u more "
			 "suppressed)",
			 strerror(err), ACCEPT_PAUSE_MS, skipped);
	f->accept_paused = true;
	listener_sync(f);
	loop_timer_at(&f->loop, &f->resume_timer,
		      f->loop.now_ms + ACCEPT_PAUSE_MS);
}

static void accept_ready(struct loop *loop, struct loop_io *io, uint32_t ev)
{
	struct fwd_bind *b = io->arg;
	struct fwd_listen *l = b->l;
	struct fwd *f = l->f;
	int i;

	(void)loop;
	(void)ev;
	for (i = 0; i < ACCEPT_BATCH && b->active; i++) {
		struct sockaddr_storage peer;
		socklen_t len = sizeof(peer);
		int fd = accept4(io->fd, (struct sockaddr *)&peer, &len,
				 SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0) {
			if (errno == EAGAIN)
				return;
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno == EMFILE || errno == ENFILE ||
			    errno == ENOBUFS || errno == ENOMEM) {
				listener_pause(f, errno);
				return;
			}
			log_warn("%s: accept: %s", l->conf->name,
				 strerror(errno));
			return;
		}
		proxy_accept(b, fd, &peer, len);
		if (!wants_accept(l)) {
			listener_sync(f);
			return;
		}
	}
}

int listener_backlog(const struct conf_fwd_listen *cl)
{
	return cl->maxconn < 128     ? 128
	       : cl->maxconn > 65535 ? 65535
				     : (int)cl->maxconn;
}

static void bind_defer_set(struct fwd_bind *b, bool on)
{
	int v;

	on = on && b->l->f->c->defer_accept; /* forwarder.defer_accept */
	v = on ? DEFER_SECS : 0;
	if (b->io.fd < 0 || b->deferred == on)
		return;
	if (setsockopt(b->io.fd, IPPROTO_TCP, TCP_DEFER_ACCEPT, &v, sizeof(v)) <
	    0)
		log_warn("listen %s: TCP_DEFER_ACCEPT %d: %s", b->l->conf->name,
			 v, strerror(errno));
	else
		b->deferred = on;
}

static void defer_set(struct fwd_listen *l, bool on)
{
	size_t j;

	for (j = 0; j < l->n_binds; j++)
		bind_defer_set(&l->binds[j], on);
}

void listener_defer_sync(struct fwd_bind *b)
{
	bind_defer_set(b, b->l->client_streak >= DEFER_STREAK);
}

void listener_note_speaker(struct fwd_listen *l, bool server_first)
{
	if (server_first) {
		l->client_streak = 0;
		defer_set(l, false);
	} else if (l->client_streak < DEFER_STREAK &&
		   ++l->client_streak == DEFER_STREAK) {
		defer_set(l, true);
	}
}

void listener_attach(struct fwd_bind *b, int fd)
{
	int v = 0;
	socklen_t len = sizeof(v);

	/* a socket kept over a reload keeps its option: read it back */
	b->deferred =
	    getsockopt(fd, IPPROTO_TCP, TCP_DEFER_ACCEPT, &v, &len) == 0 &&
	    v > 0;
	b->io.fd = fd;
	b->io.events = EPOLLIN;
	b->io.cb = accept_ready;
	b->io.arg = b;
	b->active = false;
}

void listener_init(struct fwd *f)
{
	loop_timer_init(&f->resume_timer, accept_resume, f);
}

void listener_close_bind(struct fwd *f, struct fwd_bind *b)
{
	if (b->io.fd < 0)
		return;
	if (b->active)
		loop_io_del(&f->loop, &b->io);
	b->active = false;
	close(b->io.fd);
	b->io.fd = -1;
}

void listener_close(struct fwd *f)
{
	size_t i, j;

	loop_timer_cancel(&f->loop, &f->resume_timer);
	for (i = 0; i < f->n_listens; i++) {
		struct fwd_listen *l = &f->listens[i];

		for (j = 0; j < l->n_binds; j++)
			listener_close_bind(f, &l->binds[j]);
	}
}

int listener_build(struct fwd *f, const struct conf_fwd *c,
		   struct fwd_listen **out, size_t *n_out)
{
	struct fwd_listen *ls =
	    calloc(c->n_listens ? c->n_listens : 1, sizeof(*ls));
	size_t i, j;

	*out = ls;
	*n_out = 0;
	if (!ls)
		return -ENOMEM;
	for (i = 0; i < c->n_listens; i++) {
		const struct conf_fwd_listen *cl = &c->listens[i];
		struct fwd_listen *l = &ls[i];

		*n_out = i + 1;
		l->f = f;
		l->conf = cl;
		l->binds = calloc(cl->n_binds + 1, sizeof(*l->binds));
		l->servers = calloc(cl->n_servers + 1, sizeof(*l->servers));
		l->pool.m = calloc(cl->n_servers + 1, sizeof(*l->pool.m));
		if (!l->binds || !l->servers || !l->pool.m ||
		    stick_init(&l->stick, (size_t)cl->stick_size,
			       cl->stick_expire_ms) < 0)
			return -ENOMEM;
		l->n_binds = cl->n_binds;
		for (j = 0; j < cl->n_binds; j++) {
			l->binds[j].io.fd = -1;
			l->binds[j].conf = &cl->binds[j];
			l->binds[j].l = l;
		}
		l->pool.algo =
		    cl->balance == CONF_BALANCE_LEASTCONN ? POOL_LEASTCONN
		    : cl->balance == CONF_BALANCE_SOURCE  ? POOL_SOURCE
							  : POOL_ROUNDROBIN;
		l->pool.n = l->n_servers = cl->n_servers;
		for (j = 0; j < cl->n_servers; j++)
			server_init(&l->servers[j], l, (int)j, &cl->servers[j]);
	}
	return 0;
}

void listener_free(struct fwd_listen *ls, size_t n)
{
	size_t i;

	for (i = 0; ls && i < n; i++) {
		free(ls[i].binds);
		free(ls[i].servers);
		free(ls[i].pool.m);
		stick_free(&ls[i].stick);
	}
	free(ls);
}
