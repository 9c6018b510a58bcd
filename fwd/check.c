#include "check.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proxy_pp.h"
#include "check_run.h"
#include "server.h"

#define DAY_MS 86400000LL

static const struct check_type *check_type_of(const struct fwd_server *s)
{
	switch (s->conf->check.app.type) {
	case CONF_CHECK_TLS:
		return &check_type_tls;
	case CONF_CHECK_HTTP:
		return &check_type_http;
	case CONF_CHECK_SMTP:
		return &check_type_smtp;
	case CONF_CHECK_TCP:
		break;
	}
	return &check_type_tcp;
}

static int64_t check_timeout(const struct fwd_server *s)
{
	int64_t t = s->l->f->c->timeout_check_ms;
	int64_t inter = s->conf->check.inter_ms;

	return t < 0 || t > inter ? inter : t;
}

/* HAProxy's meaning: fastinter while the state is changing, downinter
 * while it is DOWN, inter otherwise. */
static int64_t check_interval(const struct fwd_server *s)
{
	const struct conf_fwd_check *c = &s->conf->check;

	if (s->health.streak > 0 && c->app.fastinter_ms)
		return c->app.fastinter_ms;
	if (!s->health.up && c->app.downinter_ms)
		return c->app.downinter_ms;
	return c->inter_ms;
}

/* True at most once a day for each stamp. */
static bool check_daily(int64_t *stamp, int64_t now)
{
	if (*stamp && now - *stamp < DAY_MS)
		return false;
	*stamp = now;
	return true;
}

/* The certificate's days left: below cert_warn_days, a warning once a
 * day, and once a day a mail through vrrpd (when the link is up). */
static void check_cert_expiry(struct fwd_server *s)
{
	struct fwd *f = s->l->f;
	int64_t left = s->cert_not_after - (int64_t)time(NULL);
	int64_t days = left >= 0 ? left / 86400 : -((-left + 86399) / 86400);
	int64_t mailed = s->cert_mailed_ms;

	if (!s->cert_not_after || days >= f->c->cert_warn_days)
		return;
	if (check_daily(&mailed, f->loop.now_ms) &&
	    vrrplink_cert_warn(f, s, (long)days))
		s->cert_mailed_ms = mailed;
	if (!check_daily(&s->cert_warned_ms, f->loop.now_ms))
		return;
	if (left < 0)
		log_warn("server %s/%s: its TLS certificate has expired",
			 s->l->conf->name, s->conf->name);
	else
		log_warn("server %s/%s: its TLS certificate expires in %lld "
			 "days (cert_warn_days %d)",
			 s->l->conf->name, s->conf->name, (long long)days,
			 f->c->cert_warn_days);
}

/* Closes and frees the check in progress, if any. */
static void check_run_end(struct loop *loop, struct fwd_server *s)
{
	struct check_run *r = s->check_run;

	if (r) {
		if (r->ssl)
			check_tls_end(r);
		if (r->fd >= 0) {
			loop_io_del(loop, &s->check_io);
			close(r->fd);
		}
		free(r);
		s->check_run = NULL;
	}
	s->check_io.fd = -1;
}

static void check_finish(struct fwd_server *s, const struct check_verdict *v)
{
	struct fwd *f = s->l->f;
	bool ok = check_status_ok(v->st);
	char why[sizeof(v->detail) + 16];

	s->last_verdict = *v;
	check_run_end(&f->loop, s);
	s->last_check_err = ok ? 0 : (v->err ? v->err : EPROTO);
	s->last_check_ms = f->loop.now_ms;
	s->last_check_dur_ms = f->loop.now_ms - s->check_started_ms;
	if (ok)
		s->checks_ok++;
	else
		s->checks_fail++;
	snprintf(why, sizeof(why), "%s %s", check_status_str(v->st), v->detail);
	server_health_result(s, ok, why, "check");
	if (s->cert_not_after)
		check_cert_expiry(s);
	loop_timer_at(&f->loop, &s->check_timer,
		      s->check_started_ms + check_interval(s));
}

static void check_fail_errno(struct fwd_server *s, enum check_status st,
			     int err)
{
	struct check_verdict v;

	check_verdict_set(&v, st, "%s", strerror(err));
	v.err = err;
	check_finish(s, &v);
}

static void check_apply(struct check_run *r, enum check_step step)
{
	struct fwd_server *s = r->s;
	int rc;

	if (step == CHECK_STEP_DONE) {
		struct check_verdict v = r->v;

		check_finish(s, &v);
		return;
	}
	if (r->want == s->check_io.events)
		return;
	rc = loop_io_mod(&s->l->f->loop, &s->check_io, r->want);
	if (rc < 0)
		check_fail_errno(s, CHECK_SOCKERR, -rc);
	else
		s->check_io.events = r->want;
}

static void check_ready(struct loop *loop, struct loop_io *io, uint32_t ev)
{
	struct fwd_server *s = io->arg;
	struct check_run *r = s->check_run;
	int err = 0;
	socklen_t len = sizeof(err);

	(void)loop;
	if (r->layer > 4) {
		check_apply(r, check_type_of(s)->io(r));
		return;
	}
	if (getsockopt(io->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		err = errno;
	if (!err && (ev & (EPOLLERR | EPOLLHUP)))
		err = ECONNRESET;
	if (err) {
		check_fail_errno(s, CHECK_L4CON, err);
		return;
	}
	if (s->conf->check.send_proxy) {
		/* a back end that expects the PROXY protocol on every
		 * connection (check.send_proxy): LOCAL, "not a client",
		 * before any TLS or request */
		char hdr[128];
		size_t n =
		    pp_check_header(s->conf->send_proxy, hdr, sizeof(hdr));

		if (send(io->fd, hdr, n, MSG_DONTWAIT | MSG_NOSIGNAL) < 0) {
			check_fail_errno(s, CHECK_L4CON, errno);
			return;
		}
	}
	r->layer = 7;
	check_apply(r, check_type_of(s)->start(r));
}

static void check_port(const struct fwd_server *s, struct sockaddr_storage *ss)
{
	if (!s->conf->check.port)
		return;
	if (ss->ss_family == AF_INET)
		((struct sockaddr_in *)ss)->sin_port =
		    htons((uint16_t)s->conf->check.port);
	else
		((struct sockaddr_in6 *)ss)->sin6_port =
		    htons((uint16_t)s->conf->check.port);
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
	free(s->check_run); /* no socket or TLS yet */
	s->check_run = NULL;
	loop_timer_at(&f->loop, &s->check_timer,
		      s->check_started_ms + s->conf->check.inter_ms);
}

static void check_begin(struct fwd_server *s)
{
	struct fwd *f = s->l->f;
	struct sockaddr_storage ss = s->conf->addr;
	struct check_run *r;
	int fd, rc;

	check_port(s, &ss);
	s->check_started_ms = f->loop.now_ms;
	r = calloc(1, sizeof(*r));
	if (!r) {
		check_skip(s, ENOMEM);
		return;
	}
	r->s = s;
	r->app = &s->conf->check.app;
	r->layer = 4;
	r->fd = -1;
	s->check_run = r;
	fd =
	    socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		rc = errno;
		if (local_shortage(rc))
			check_skip(s, rc);
		else
			check_fail_errno(s, CHECK_SOCKERR, rc);
		return;
	}
	rc = connect(fd, (struct sockaddr *)&ss, s->conf->addrlen);
	if (rc < 0 && errno != EINPROGRESS) {
		rc = errno;
		close(fd);
		if (local_shortage(rc))
			check_skip(s, rc);
		else
			check_fail_errno(s, CHECK_L4CON, rc);
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
		check_fail_errno(s, CHECK_SOCKERR, -rc);
		return;
	}
	r->fd = fd;
	loop_timer_at(&f->loop, &s->check_timer,
		      s->check_started_ms + check_timeout(s));
}

static void check_timed_out(struct fwd_server *s)
{
	struct check_verdict v;

	switch (s->check_run->layer) {
	case 4:
		check_fail_errno(s, CHECK_L4TOUT, ETIMEDOUT);
		return;
	case 6:
		check_verdict_set(&v, CHECK_L6TOUT, "TLS handshake timed out");
		break;
	default:
		check_verdict_set(&v, CHECK_L7TOUT,
				  "no complete answer in time");
		break;
	}
	v.err = ETIMEDOUT;
	check_finish(s, &v);
}

/* One timer per server: starts a check, or times out the running one. */
static void check_timer(struct loop *loop, struct loop_timer *t)
{
	struct fwd_server *s = t->arg;

	(void)loop;
	if (s->check_run)
		check_timed_out(s);
	else
		check_begin(s);
}

int check_flush(struct check_run *r)
{
	while (r->out_off < r->out_len) {
		ssize_t n;

		if (r->ssl)
			n = check_tls_write(r, r->out + r->out_off,
					    r->out_len - r->out_off);
		else
			n = send(r->fd, r->out + r->out_off,
				 r->out_len - r->out_off, MSG_NOSIGNAL);
		if (n < 0 && errno == EAGAIN) {
			if (!r->ssl)
				r->want = EPOLLOUT;
			return 0;
		}
		if (n <= 0) {
			check_verdict_set(&r->v, CHECK_L7RSP, "send: %s",
					  n < 0 ? strerror(errno) : "closed");
			return -1;
		}
		r->out_off += (size_t)n;
	}
	r->out_len = r->out_off = 0;
	return 1;
}

int check_queue(struct check_run *r, const char *text)
{
	size_t n = strlen(text);

	if (r->out_len + n > sizeof(r->out))
		return -1;
	memcpy(r->out + r->out_len, text, n);
	r->out_len += n;
	return 0;
}

ssize_t check_fill(struct check_run *r)
{
	size_t room = sizeof(r->in) - 1 - r->in_len;
	ssize_t n;

	if (room == 0)
		return -3;
	if (r->ssl)
		n = check_tls_read(r, r->in + r->in_len, room);
	else
		n = recv(r->fd, r->in + r->in_len, room, 0);
	if (n < 0 && errno == EAGAIN) {
		if (!r->ssl)
			r->want = EPOLLIN;
		return -1;
	}
	if (n < 0) {
		check_verdict_set(&r->v, CHECK_L7RSP, "recv: %s",
				  strerror(errno));
		return -2;
	}
	r->in_len += (size_t)n;
	r->in[r->in_len] = '\0';
	return n;
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
			s->check_run = NULL;
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
			check_run_end(&f->loop, s);
			check_tls_ctx_free(s);
		}
	}
}
