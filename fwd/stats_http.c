#include "stats_http.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../common/parse.h"
#include "fwd.h"
#include "httpreq.h"
#include "stats.h"
#include "statsadmin.h"
#include "statspage.h"

#define CLIENTS_MAX	  16	/* concurrent page requests */
#define CLIENT_TIMEOUT_MS 10000 /* whole request/answer exchange */
#define VRRP_WAIT_MS	  300	/* how long a page waits for vrrpd */
#define BACKLOG		  16

struct stats_client {
	struct stats_http *h;
	struct loop_io io;
	struct loop_timer timer;
	struct stats_client *next, **pprev;
	enum stats_page page;
	bool head, waiting;
	size_t in_len, out_off;
	struct sbuf out;
	char in[HTTPREQ_MAX];
};

struct stats_http {
	struct fwd *f;
	struct loop_io lio;
	struct loop_timer wait_timer;
	struct stats_client *clients;
	unsigned n_clients;
	uint64_t requests, refused;
	struct statsadmin adm; /* stats.admin: tokens handed out */
};

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
		if (n <= 0)
			break;
		c->out_off += (size_t)n;
	}
	/* all sent (or the client is gone): Connection: close */
	client_free(c);
}

static void respond(struct stats_client *c, const char *status,
		    const char *type, const char *extra, struct sbuf *body)
{
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

static void respond_text(struct stats_client *c, const char *status,
			 const char *extra, const char *text)
{
	struct sbuf body;

	sbuf_init(&body);
	sbuf_printf(&body, "%s\n", text);
	respond(c, status, "text/plain; charset=utf-8", extra, &body);
	sbuf_free(&body);
}

/* A fresh CSRF token for one page load (stats.admin). */
static const char *admin_token(struct stats_http *h)
{
	uint8_t rnd[16];

	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
		return NULL; /* no buttons rather than guessable ones */
	return statsadmin_token_new(&h->adm, rnd, h->f->loop.now_ms);
}

/* "user admin from 198.18.0.9:51234", for the log line of an action. */
static void admin_who(const struct stats_client *c, const char *auth, char *buf,
		      size_t len)
{
	unsigned char up[400];
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	char addr[80] = "?", *colon;
	long n = -1;

	if (strncmp(auth, "Basic ", 6) == 0)
		n = httpreq_b64_decode(auth + 6, strlen(auth + 6), up,
				       sizeof(up) - 1);
	up[n > 0 ? n : 0] = '\0';
	colon = strchr((char *)up, ':');
	if (colon)
		*colon = '\0';
	if (getpeername(c->io.fd, (struct sockaddr *)&ss, &sl) == 0)
		sockaddr_str((const struct sockaddr *)&ss, addr, sizeof(addr));
	snprintf(buf, len, "stats page (user %.64s from %s)", (char *)up, addr);
}

/*
 * stats.admin: a button's POST. Same site (Origin), a token of a page
 * this server served, then the action through server_admin_by_name(),
 * and 303 back to the page.
 */
static void admin_post(struct stats_client *c, const struct httpreq *req)
{
	static const enum server_admin to_admin[] = {
	    [STATSADMIN_ENABLE] = ADMIN_READY,
	    [STATSADMIN_DISABLE] = ADMIN_MAINT,
	    [STATSADMIN_DRAIN] = ADMIN_DRAIN,
	};
	struct stats_http *h = c->h;
	struct statsadmin_form form;
	char base[1100], path[1200], who[200], err[160], loc[1300];
	const char *body = c->in + req->head_len;
	int rc;

	memset(&form, 0, sizeof(form));
	stats_base(h->f->c->stats.uri, base, sizeof(base));
	snprintf(path, sizeof(path), "%sadmin", base);
	if (strcmp(req->path, path) != 0) {
		respond_text(c, "404 Not Found", NULL, "not found");
		return;
	}
	if (!statsadmin_origin_ok(req->origin, req->referer, req->host)) {
		respond_text(c, "403 Forbidden", NULL,
			     "cross-site request refused");
		return;
	}
	/* the token first: a POST without one is refused as forbidden,
	 * whatever else its form holds */
	rc = req->content_length > 0
		 ? statsadmin_form_parse(body, (size_t)req->content_length,
					 &form)
		 : -1;
	if (!statsadmin_token_take(&h->adm, form.token, h->f->loop.now_ms)) {
		respond_text(c, "403 Forbidden", NULL,
			     "missing or stale token; reload the page");
		return;
	}
	if (rc < 0) {
		respond_text(c, "400 Bad Request", NULL, "bad form");
		return;
	}
	admin_who(c, req->auth, who, sizeof(who));
	if (!server_admin_by_name(h->f, form.listen, form.server,
				  to_admin[form.action], who, err,
				  sizeof(err))) {
		respond_text(c, "404 Not Found", NULL, err);
		return;
	}
	snprintf(loc, sizeof(loc), "Location: %s\r\n", h->f->c->stats.uri);
	respond_text(c, "303 See Other", loc, "done");
}

static void serve_page(struct stats_client *c)
{
	static const char *const types[] = {
	    [STATS_PAGE_HTML] = "text/html; charset=utf-8",
	    [STATS_PAGE_JSON] = "application/json",
	    [STATS_PAGE_METRICS] = "text/plain; version=0.0.4; charset=utf-8",
	};
	struct stats_http *h = c->h;
	struct stats_snap snap;
	struct sbuf body;
	char base[1100];

	c->waiting = false;
	sbuf_init(&body);
	if (stats_snap_take(h->f, &snap) < 0) {
		stats_snap_free(&snap);
		sbuf_free(&body);
		respond_text(c, "503 Service Unavailable", NULL,
			     "out of memory");
		return;
	}
	if (c->page == STATS_PAGE_HTML && h->f->c->stats.admin)
		snap.admin_token = admin_token(h);
	if (c->page == STATS_PAGE_HTML)
		statspage_html(
		    &snap, stats_base(h->f->c->stats.uri, base, sizeof(base)),
		    h->f->c->stats.refresh_ms, &body);
	else if (c->page == STATS_PAGE_JSON) {
		statspage_json(&snap, &body);
		sbuf_puts(&body, "\n");
	} else
		statspage_prom(&snap, &body);
	stats_snap_free(&snap);
	respond(c, "200 OK", types[c->page], NULL, &body);
	sbuf_free(&body);
}

static void handle(struct stats_client *c, const struct httpreq *req)
{
	struct stats_http *h = c->h;
	const struct conf_fwd_stats *cs = &h->f->c->stats;

	bool post = cs->admin && strcmp(req->method, "POST") == 0;

	h->requests++;
	c->head = strcmp(req->method, "HEAD") == 0;
	if (!c->head && !post && strcmp(req->method, "GET") != 0) {
		respond_text(c, "405 Method Not Allowed",
			     cs->admin ? "Allow: GET, HEAD, POST\r\n"
				       : "Allow: GET, HEAD\r\n",
			     "only GET and HEAD");
		return;
	}
	if (!httpreq_auth_ok(req->auth, cs->auth)) {
		respond_text(c, "401 Unauthorized",
			     "WWW-Authenticate: Basic realm=\"fwd stats\", "
			     "charset=\"UTF-8\"\r\n",
			     "authentication required");
		return;
	}
	if (post) {
		admin_post(c, req);
		return;
	}
	c->page = stats_route(cs->uri, req->path);
	if (c->page == STATS_PAGE_NONE) {
		respond_text(c, "404 Not Found", NULL, "not found");
		return;
	}
	if (!vrrplink_status_ask(h->f)) {
		serve_page(c);
		return;
	}
	/* a fresh vrrpd status is on its way: answer when it comes */
	c->waiting = true;
	loop_io_mod(&h->f->loop, &c->io, EPOLLRDHUP);
	if (!loop_timer_armed(&h->wait_timer))
		loop_timer_in(&h->f->loop, &h->wait_timer, VRRP_WAIT_MS);
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
				respond_text(c, "413 Content Too Large", NULL,
					     "body too large");
				return;
			}
			/* a POST's body may come after its head */
			if (req.content_length > 0 &&
			    c->in_len - req.head_len <
				(size_t)req.content_length)
				break;
			handle(c, &req);
			return;
		case HTTPREQ_BAD:
			respond_text(c, "400 Bad Request", NULL, "bad request");
			return;
		case HTTPREQ_MORE:
			if (c->in_len == sizeof(c->in)) {
				respond_text(c,
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
	if (c->out.len) {
		client_flush(c);
		return;
	}
	if (c->waiting) {
		if (ev & (EPOLLRDHUP | EPOLLHUP | EPOLLERR))
			client_free(c); /* gave up before vrrpd answered */
		return;
	}
	client_read(c);
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

static void on_accept(struct loop *loop, struct loop_io *io, uint32_t ev)
{
	struct stats_http *h = io->arg;
	int fd;

	(void)ev;
	while ((fd = accept4(io->fd, NULL, NULL,
			     SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
		struct stats_client *c;

		if (h->n_clients >= CLIENTS_MAX ||
		    !(c = calloc(1, sizeof(*c)))) {
			refuse(h, fd);
			continue;
		}
		c->h = h;
		c->io.fd = fd;
		c->io.events = EPOLLIN | EPOLLRDHUP;
		c->io.cb = client_ready;
		c->io.arg = c;
		sbuf_init(&c->out);
		if (loop_io_add(loop, &c->io) < 0) {
			close(fd);
			free(c);
			continue;
		}
		c->next = h->clients;
		if (c->next)
			c->next->pprev = &c->next;
		c->pprev = &h->clients;
		h->clients = c;
		h->n_clients++;
		loop_timer_init(&c->timer, client_timeout, c);
		loop_timer_in(loop, &c->timer, CLIENT_TIMEOUT_MS);
	}
	if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
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
		if (c->waiting)
			serve_page(c);
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
	loop_io_del(&f->loop, &h->lio);
	close(h->lio.fd);
	free(h);
	f->stats_http = NULL;
}
