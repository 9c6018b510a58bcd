#include "stats_http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../common/parse.h"
#include "stats_client.h"

#define CLIENTS_MAX 32 /* concurrent page requests */
/*
 * Per source address (an IPv6 /64): a browser or a scraper needs one or
 * two; more from one source evict its own oldest idle connection.
 */
#define PER_SRC_MAX 4
/* The request head must be in by then: scrapers send it in one packet. */
#define HEAD_TIMEOUT_MS 3000
/*
 * After the answer, the write side is shut and unread input drained for
 * at most this long before close(): closing with unread bytes sends an
 * RST, which can destroy the answer (a 431) before the client reads it.
 */
#define LINGER_MS	2000
#define BACKLOG		16
#define ACCEPT_PAUSE_MS 100 /* after EMFILE, as the listeners */

static void client_free(struct stats_client *c)
{
	struct stats_http *h = c->h;

	loop_timer_cancel(&h->f->loop, &c->timer);
	loop_io_del(&h->f->loop, &c->io);
	close(c->io.fd);
	*c->pprev = c->next;
	if (c->next)
		c->next->pprev = c->pprev;
	h->n_clients--;
	sbuf_free(&c->out);
	free(c);
}

/* Reads and drops what the client still sends; frees c at its EOF. */
static void client_drain(struct stats_client *c)
{
	int round;

	/* bounded: a fast sender must not keep the loop here */
	for (round = 0; round < 16; round++) {
		ssize_t n = recv(c->io.fd, c->in, sizeof(c->in), MSG_DONTWAIT);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0)
			break;
	}
	if (round < 16)
		client_free(c); /* EOF or error */
}

/* The answer is out: FIN, then wait for the client's (LINGER_MS). */
static void client_linger(struct stats_client *c)
{
	struct loop *loop = &c->h->f->loop;

	c->state = CL_LINGER;
	if (shutdown(c->io.fd, SHUT_WR) < 0 ||
	    loop_io_mod(loop, &c->io, EPOLLIN | EPOLLRDHUP) < 0) {
		client_free(c);
		return;
	}
	loop_timer_in(loop, &c->timer, LINGER_MS);
	client_drain(c);
}

static void client_flush(struct stats_client *c)
{
	while (c->out_off < c->out.len) {
		ssize_t n =
		    send(c->io.fd, c->out.buf + c->out_off,
			 c->out.len - c->out_off, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
			loop_io_mod(&c->h->f->loop, &c->io, EPOLLOUT);
			return;
		}
		if (n <= 0) {
			client_free(c); /* the client is gone */
			return;
		}
		c->out_off += (size_t)n;
	}
	client_linger(c); /* Connection: close */
}

void stats_http_respond(struct stats_client *c, const char *status,
			const char *type, const char *extra, struct sbuf *body)
{
	c->state = CL_SEND;
	sbuf_printf(&c->out,
		    "HTTP/1.1 %s\r\nContent-Type: %s\r\n"
		    "Content-Length: %zu\r\nCache-Control: no-store\r\n"
		    "X-Content-Type-Options: nosniff\r\n%sConnection: close"
		    "\r\n\r\n",
		    status, type, body->len, extra ? extra : "");
	if (!c->head)
		sbuf_add(&c->out, body->buf, body->len);
	if (c->out.oom || body->oom) {
		client_free(c);
		return;
	}
	client_flush(c);
}

void stats_http_respond_text(struct stats_client *c, const char *status,
			     const char *extra, const char *text)
{
	struct sbuf body;

	sbuf_init(&body);
	sbuf_printf(&body, "%s\n", text);
	stats_http_respond(c, status, "text/plain; charset=utf-8", extra,
			   &body);
	sbuf_free(&body);
}

static void client_read(struct stats_client *c)
{
	struct httpreq req;
	ssize_t n;

	for (;;) {
		n = recv(c->io.fd, c->in + c->in_len, sizeof(c->in) - c->in_len,
			 MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0) {
			client_free(c);
			return;
		}
		c->in_len += (size_t)n;
		switch (httpreq_parse(c->in, c->in_len, &req)) {
		case HTTPREQ_OK:
			if (req.content_length > STATSADMIN_BODY_MAX) {
				stats_http_respond_text(c,
							"413 Content Too Large",
							NULL, "body too large");
				return;
			}
			/* a POST's body may come after its head */
			if (req.content_length > 0 &&
			    c->in_len - req.head_len <
				(size_t)req.content_length)
				break;
			stats_http_handle(c, &req);
			return;
		case HTTPREQ_BAD:
			stats_http_respond_text(c, "400 Bad Request", NULL,
						"bad request");
			return;
		case HTTPREQ_MORE:
			if (c->in_len == sizeof(c->in)) {
				stats_http_respond_text(
				    c,
				    "431 Request Header Fields Too "
				    "Large",
				    NULL, "request too large");
				return;
			}
			break;
		}
	}
}

static void client_ready(struct loop *loop, struct loop_io *io, uint32_t ev)
{
	struct stats_client *c = io->arg;

	(void)loop;
	switch (c->state) {
	case CL_HEAD:
		client_read(c);
		break;
	case CL_WAIT:
		if (ev & (EPOLLRDHUP | EPOLLHUP | EPOLLERR))
			client_free(c); /* gave up before vrrpd answered */
		break;
	case CL_SEND:
		client_flush(c);
		break;
	case CL_LINGER:
		client_drain(c);
		break;
	}
}

static void client_timeout(struct loop *loop, struct loop_timer *t)
{
	(void)loop;
	client_free(t->arg);
}

static void refuse(struct stats_http *h, int fd)
{
	static const char busy[] =
	    "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 5\r\n"
	    "Retry-After: 1\r\nConnection: close\r\n\r\nbusy\n";

	h->refused++;
	if (send(fd, busy, sizeof(busy) - 1, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
		log_debug("stats: %s", strerror(errno));
	close(fd);
}

static bool same_src(const struct stats_client *c,
		     const struct loginguard_key *k)
{
	return c->has_key && memcmp(&c->key, k, sizeof(*k)) == 0;
}

/*
 * The connection to close for a newcomer: an answered one still
 * lingering, else the oldest one that has not sent its request head.
 * Only from source k when k is given. NULL: none (all are busy).
 */
static struct stats_client *victim(struct stats_http *h,
				   const struct loginguard_key *k)
{
	struct stats_client *c, *best = NULL;

	for (c = h->clients; c; c = c->next) {
		if (c->state != CL_HEAD && c->state != CL_LINGER)
			continue;
		if (k && !same_src(c, k))
			continue;
		if (!best ||
		    (c->state == CL_LINGER) > (best->state == CL_LINGER) ||
		    ((c->state == CL_LINGER) == (best->state == CL_LINGER) &&
		     c->since_ms < best->since_ms))
			best = c;
	}
	return best;
}

/*
 * Makes room for a newcomer from source k (NULL: unknown family) by
 * closing a connection that holds a slot without asking anything.
 * Idle connections cannot lock the page (and /metrics) out: one source
 * only pushes out its own, the crowd pushes out the oldest.
 * false: no room, refuse.
 */
static bool make_room(struct stats_http *h, const struct loginguard_key *k)
{
	struct stats_client *c, *v = NULL;
	unsigned n_src = 0, skipped;

	if (k)
		for (c = h->clients; c; c = c->next)
			n_src += same_src(c, k);
	if (n_src >= PER_SRC_MAX) {
		if (!(v = victim(h, k)))
			return false;
	} else if (h->n_clients >= CLIENTS_MAX) {
		if (!(v = victim(h, NULL)))
			return false;
	}
	if (!v)
		return true;
	h->evicted++;
	if (ratelimit_allow(&h->rl_evict, h->f->loop.now_ms, 10000, &skipped))
		log_warn("stats: %s; closed an idle connection from %s to "
			 "make room (%u more not logged)",
			 n_src >= PER_SRC_MAX ? "too many connections from one "
						"source"
					      : "all connections in use",
			 v->addr, skipped);
	client_free(v);
	return true;
}

static void client_add(struct stats_http *h, int fd,
		       const struct sockaddr_storage *peer)
{
	struct loginguard_key key;
	bool has_key =
	    loginguard_key_from((const struct sockaddr *)peer, &key) == 0;
	struct stats_client *c;
	struct loop *loop = &h->f->loop;

	if (!make_room(h, has_key ? &key : NULL) ||
	    !(c = calloc(1, sizeof(*c)))) {
		refuse(h, fd);
		return;
	}
	c->h = h;
	c->io.fd = fd;
	c->io.events = EPOLLIN | EPOLLRDHUP;
	c->io.cb = client_ready;
	c->io.arg = c;
	c->state = CL_HEAD;
	c->has_key = has_key;
	c->key = key;
	c->since_ms = loop->now_ms;
	if (peer->ss_family == AF_INET)
		inet_ntop(AF_INET,
			  &((const struct sockaddr_in *)peer)->sin_addr,
			  c->addr, sizeof(c->addr));
	else if (peer->ss_family == AF_INET6)
		inet_ntop(AF_INET6,
			  &((const struct sockaddr_in6 *)peer)->sin6_addr,
			  c->addr, sizeof(c->addr));
	else
		strcpy(c->addr, "?");
	sbuf_init(&c->out);
	if (loop_io_add(loop, &c->io) < 0) {
		close(fd);
		free(c);
		return;
	}
	c->next = h->clients;
	if (c->next)
		c->next->pprev = &c->next;
	c->pprev = &h->clients;
	h->clients = c;
	h->n_clients++;
	loop_timer_init(&c->timer, client_timeout, c);
	loop_timer_in(loop, &c->timer, HEAD_TIMEOUT_MS);
}

static void accept_resume(struct loop *loop, struct loop_timer *t)
{
	struct stats_http *h = t->arg;

	loop_io_mod(loop, &h->lio, EPOLLIN);
}

/* Out of fds: the listening socket stays readable, so stop polling it
 * for a while instead of spinning (and logging) on the same error. */
static void accept_pause(struct stats_http *h, int err)
{
	unsigned skipped;

	if (ratelimit_allow(&h->rl_accept, h->f->loop.now_ms, 1000, &skipped))
		log_warn("stats: accept: %s; pausing the page's accepts for "
			 "%d ms (%u more suppressed)",
			 strerror(err), ACCEPT_PAUSE_MS, skipped);
	loop_io_mod(&h->f->loop, &h->lio, 0);
	loop_timer_in(&h->f->loop, &h->resume_timer, ACCEPT_PAUSE_MS);
}

static void on_accept(struct loop *loop, struct loop_io *io, uint32_t ev)
{
	struct stats_http *h = io->arg;
	struct sockaddr_storage peer = {0};
	socklen_t len = sizeof(peer);
	int fd;

	(void)loop;
	(void)ev;
	while ((fd = accept4(io->fd, (struct sockaddr *)&peer, &len,
			     SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
		client_add(h, fd, &peer);
		len = sizeof(peer);
	}
	if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
	    errno == ENOMEM)
		accept_pause(h, errno);
	else if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
		log_warn("stats: accept: %s", strerror(errno));
}

void stats_http_status_arrived(struct fwd *f)
{
	struct stats_http *h = f->stats_http;
	struct stats_client *c, *next;

	if (!h)
		return;
	loop_timer_cancel(&f->loop, &h->wait_timer);
	for (c = h->clients; c; c = next) {
		next = c->next; /* serve_page may free c */
		if (c->state == CL_WAIT)
			stats_http_serve_page(c);
	}
}

static void wait_over(struct loop *loop, struct loop_timer *t)
{
	struct stats_http *h = t->arg;

	(void)loop;
	/* vrrpd is slow: serve what we know, status_age_ms says how old */
	stats_http_status_arrived(h->f);
}

/* Like the listeners: IP_FREEBIND, so the page may sit on an address
 * that arrives later (a VIP). Returns the fd or -errno. */
static int stats_bind(const struct conf_fwd_stats *cs)
{
	int fd, one = 1, rc;
	int fam = cs->addr.ss_family;

	fd = socket(fam, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    (fam == AF_INET &&
	     setsockopt(fd, IPPROTO_IP, IP_FREEBIND, &one, sizeof(one)) < 0) ||
	    (fam == AF_INET6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one,
					   sizeof(one)) < 0) ||
	    bind(fd, (const struct sockaddr *)&cs->addr, cs->addrlen) < 0 ||
	    listen(fd, BACKLOG) < 0) {
		rc = -errno;
		close(fd);
		return rc;
	}
	return fd;
}

int stats_http_open(struct fwd *f)
{
	const struct conf_fwd_stats *cs = &f->c->stats;
	struct stats_http *h;
	char addr[80];
	int fd, rc;

	if (!cs->enabled)
		return 0;
	h = calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	fd = stats_bind(cs);
	sockaddr_str((const struct sockaddr *)&cs->addr, addr, sizeof(addr));
	if (fd < 0) {
		log_err("stats: cannot listen on %s: %s", addr, strerror(-fd));
		free(h);
		return fd;
	}
	h->f = f;
	h->lio.fd = fd;
	h->lio.events = EPOLLIN;
	h->lio.cb = on_accept;
	h->lio.arg = h;
	loop_timer_init(&h->wait_timer, wait_over, h);
	loop_timer_init(&h->resume_timer, accept_resume, h);
	h->log_tokens = LOG_BURST;
	h->log_refill_ms = f->loop.now_ms;
	if ((rc = loop_io_add(&f->loop, &h->lio)) < 0) {
		close(fd);
		free(h);
		return rc;
	}
	f->stats_http = h;
	log_info("stats: page on http://%s%s%s", addr, cs->uri,
		 cs->auth ? " (basic auth)" : "");
	return 0;
}

void stats_http_close(struct fwd *f)
{
	struct stats_http *h = f->stats_http;

	if (!h)
		return;
	while (h->clients)
		/* false positive: client_free() unlinks it before freeing;
		 * NOLINTNEXTLINE(clang-analyzer-unix.Malloc) */
		client_free(h->clients);
	loop_timer_cancel(&f->loop, &h->wait_timer);
	loop_timer_cancel(&f->loop, &h->resume_timer);
	loop_io_del(&f->loop, &h->lio);
	close(h->lio.fd);
	free(h);
	f->stats_http = NULL;
}
