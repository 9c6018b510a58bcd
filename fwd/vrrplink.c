#include "vrrplink.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "../common/json.h"
#include "../common/parse.h"
#include "fwd.h"
#include "stats_http.h"

#define BACKOFF_MIN_MS 100
#define BACKOFF_MAX_MS 1000 /* a local socket: cheap to retry */
#define OUT_MAX	       (256 * 1024)

/* ask vrrpd for its status at most this often */
#define STATUS_FRESH_MS 1000

static void link_connect(struct loop *loop, struct loop_timer *t);

static unsigned servers_up(const struct fwd_listen *l)
{
	unsigned up = 0;
	size_t i;

	for (i = 0; i < l->n_servers; i++)
		if (server_usable(&l->servers[i]))
			up++;
	return up;
}

static void link_close(struct vrrplink *v, bool retry)
{
	if (v->io.fd >= 0) {
		loop_io_del(&v->f->loop, &v->io);
		close(v->io.fd);
		v->io.fd = -1;
	}
	if (v->connected)
		log_warn("vrrpd link: lost; reconnecting");
	v->connected = false;
	v->n_inst = 0;
	json_free(v->status);
	v->status = NULL;
	if (v->status_pending) {
		v->status_pending = false;
		stats_http_status_arrived(v->f);
	}
	sbuf_reset(&v->in);
	sbuf_reset(&v->out);
	if (retry && v->path) {
		loop_timer_in(&v->f->loop, &v->retry, v->backoff_ms);
		v->backoff_ms *= 2;
		if (v->backoff_ms > BACKOFF_MAX_MS)
			v->backoff_ms = BACKOFF_MAX_MS;
	}
}

static void link_flush(struct vrrplink *v)
{
	while (v->out.len) {
		ssize_t n = send(v->io.fd, v->out.buf, v->out.len,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				break;
			link_close(v, true);
			return;
		}
		sbuf_consume(&v->out, (size_t)n);
	}
	loop_io_mod(&v->f->loop, &v->io,
		    EPOLLIN | EPOLLRDHUP | (v->out.len ? EPOLLOUT : 0));
}

static void link_send(struct vrrplink *v, const char *line)
{
	if (!v->connected)
		return;
	if (v->out.len > OUT_MAX) {
		/* vrrpd stopped reading: better a fresh start */
		link_close(v, true);
		return;
	}
	sbuf_puts(&v->out, line);
	sbuf_puts(&v->out, "\n");
	link_flush(v);
}

static void report(struct vrrplink *v, size_t idx)
{
	const struct fwd_listen *l = &v->f->listens[idx];
	struct sbuf line;
	char addr[80];
	size_t i;

	sbuf_init(&line);
	v->reported[idx] = servers_up(l);
	sbuf_printf(&line, "health %s %u %zu ", l->conf->name, v->reported[idx],
		    l->n_servers);
	for (i = 0; i < l->n_binds; i++)
		sbuf_printf(
		    &line, "%s%s", i ? "," : "",
		    sockaddr_str(
			(const struct sockaddr *)&l->binds[i].conf->addr, addr,
			sizeof(addr)));
	link_send(v, sbuf_str(&line));
	sbuf_free(&line);
}

bool vrrplink_cert_warn(struct fwd *f, const struct fwd_server *s, long days)
{
	struct vrrplink *v = &f->vrrp;
	char line[256];

	if (!v->connected)
		return false;
	snprintf(line, sizeof(line), "certwarn %s %s %ld %lld",
		 s->l->conf->name, s->conf->name, days,
		 (long long)s->cert_not_after);
	link_send(v, line);
	return true;
}

void vrrplink_health_changed(struct fwd *f)
{
	struct vrrplink *v = &f->vrrp;
	size_t i;

	if (!v->connected)
		return;
	for (i = 0; i < f->n_listens && v->connected; i++)
		if (servers_up(&f->listens[i]) != v->reported[i])
			report(v, i);
}

static void remember_state(struct vrrplink *v, const char *name,
			   const char *state)
{
	unsigned i;

	for (i = 0; i < v->n_inst; i++)
		if (!strcmp(v->inst[i].name, name))
			break;
	if (i == v->n_inst) {
		if (v->n_inst == VRRPLINK_MAX_INST)
			return;
		v->n_inst++;
		snprintf(v->inst[i].name, sizeof(v->inst[i].name), "%s", name);
	}
	snprintf(v->inst[i].state, sizeof(v->inst[i].state), "%s", state);
}

static void on_line(struct vrrplink *v, const char *line)
{
	struct json *j = json_parse(line);

	if (!j) {
		v->errors++;
		log_warn("vrrpd link: unreadable line from vrrpd");
		return;
	}
	if (json_str(j, "event", NULL)) {
		const char *name = json_str(j, "instance", "?");
		const char *state = json_str(j, "state", "?");

		v->events++;
		v->status_stale = true;
		remember_state(v, name, state);
		log_info("vrrpd: %s is %s (priority %.0f; %s)", name, state,
			 json_num(j, "priority", 0), json_str(j, "reason", ""));
	} else if (json_num(j, "ok", 1) == 0) {
		v->errors++;
		log_warn("vrrpd link: vrrpd says: %s",
			 json_str(j, "error", "?"));
	} else if (json_get(j, "instances") && v->status_pending) {
		/* the answer to our `status`: keep it */
		json_free(v->status);
		v->status = j;
		v->status_ms = v->f->loop.now_ms;
		v->status_pending = false;
		v->status_stale = false;
		stats_http_status_arrived(v->f);
		return;
	}
	json_free(j);
}

static void link_ready(struct loop *loop, struct loop_io *io, uint32_t ev)
{
	struct vrrplink *v = io->arg;
	char buf[4096];
	ssize_t n;

	(void)loop;
	if (ev & EPOLLOUT) {
		link_flush(v);
		if (!v->connected)
			return;
	}
	for (;;) {
		char *nl;

		n = recv(io->fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
			link_close(v, true);
			return;
		}
		if (n < 0)
			return;
		sbuf_add(&v->in, buf, (size_t)n);
		while ((nl = memchr(v->in.buf, '\n', v->in.len))) {
			*nl = '\0';
			on_line(v, v->in.buf);
			sbuf_consume(&v->in, (size_t)(nl - v->in.buf) + 1);
		}
		if (v->in.len > 65536) {
			link_close(v, true);
			return;
		}
	}
}

static void link_connect(struct loop *loop, struct loop_timer *t)
{
	struct vrrplink *v = t->arg;
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	size_t i;
	int fd;

	(void)loop;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", v->path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		/* vrrpd not (yet) there: quietly, it may start later */
		log_debug("vrrpd link: %s: %s", v->path, strerror(errno));
		if (fd >= 0)
			close(fd);
		link_close(v, true);
		return;
	}
	v->io.fd = fd;
	v->io.events = EPOLLIN | EPOLLRDHUP;
	v->io.cb = link_ready;
	v->io.arg = v;
	if (loop_io_add(&v->f->loop, &v->io) < 0) {
		close(fd);
		v->io.fd = -1;
		link_close(v, true);
		return;
	}
	v->connected = true;
	v->connects++;
	v->backoff_ms = BACKOFF_MIN_MS;
	log_info("vrrpd link: connected to %s", v->path);
	link_send(v, "hello fwd 1");
	for (i = 0; i < v->f->n_listens && v->connected; i++)
		report(v, i);
}

void vrrplink_start(struct fwd *f, const char *path)
{
	struct vrrplink *v = &f->vrrp;

	memset(v, 0, sizeof(*v));
	v->f = f;
	v->io.fd = -1;
	sbuf_init(&v->in);
	sbuf_init(&v->out);
	loop_timer_init(&v->retry, link_connect, v);
	if (!path || !*path)
		return;
	v->path = strdup(path);
	v->reported = calloc(f->n_listens + 1, sizeof(*v->reported));
	if (!v->path || !v->reported) {
		free(v->path);
		v->path = NULL;
		return;
	}
	v->backoff_ms = BACKOFF_MIN_MS;
	link_connect(&f->loop, &v->retry);
}

void vrrplink_stop(struct fwd *f)
{
	struct vrrplink *v = &f->vrrp;

	if (!v->f)
		return;
	loop_timer_cancel(&f->loop, &v->retry);
	link_close(v, false);
	free(v->path);
	free(v->reported);
	sbuf_free(&v->in);
	sbuf_free(&v->out);
	v->path = NULL;
	v->reported = NULL;
	v->f = NULL;
}

void vrrplink_reload(struct fwd *f, const char *path, bool forget)
{
	struct vrrplink *v = &f->vrrp;
	unsigned *r;
	size_t i;

	if (!v->path || !path || strcmp(path, v->path) != 0) {
		vrrplink_stop(f);
		vrrplink_start(f, path);
		return;
	}
	r = realloc(v->reported, (f->n_listens + 1) * sizeof(*r));
	if (!r) {
		vrrplink_stop(f);
		vrrplink_start(f, path);
		return;
	}
	v->reported = r;
	if (!v->connected)
		return; /* link_connect reports everything */
	if (forget)
		link_send(v, "hello fwd 1");
	for (i = 0; i < f->n_listens && v->connected; i++)
		report(v, i);
}

bool vrrplink_status_ask(struct fwd *f)
{
	struct vrrplink *v = &f->vrrp;
	int64_t now = f->loop.now_ms;

	if (!v->connected)
		return false;
	if (v->status_pending)
		return true;
	if (v->status && !v->status_stale &&
	    now - v->status_ms < STATUS_FRESH_MS)
		return false;
	if (v->asked_ms && now - v->asked_ms < STATUS_FRESH_MS)
		return false;
	v->asked_ms = now;
	v->status_pending = true;
	link_send(v, "status");
	return v->status_pending;
}

static uint64_t num_u64(const struct json *o, const char *key)
{
	double d = json_num(o, key, 0);

	return d > 0 ? (uint64_t)d : 0;
}

/* Details of one instance from vrrpd's status answer. */
static void snap_detail(struct snap_inst *o, const struct json *in)
{
	const struct json *drops = json_get(in, "drops"), *d;

	o->detail = true;
	o->priority = (long)json_num(in, "priority", -1);
	o->effective_priority = (long)json_num(in, "effective_priority", -1);
	o->master_ip = json_str(in, "master_ip", "");
	o->last_reason = json_str(in, "last_reason", "");
	o->transitions = num_u64(in, "transitions");
	o->adverts_sent = num_u64(json_get(in, "counters"), "adverts_sent");
	o->adverts_received =
	    num_u64(json_get(in, "counters"), "adverts_received");
	for (d = drops ? drops->kids : NULL; d; d = d->next) {
		if (d->type != JSON_NUM || !d->key)
			continue;
		if (!strcmp(d->key, "addr_list"))
			o->addr_list_mismatch =
			    d->num > 0 ? (uint64_t)d->num : 0;
		else if (o->n_drops < SNAP_DROPS_MAX)
			o->drops[o->n_drops++] = (struct snap_drop){
			    d->key, d->num > 0 ? (uint64_t)d->num : 0};
	}
}

static const struct json *status_inst(const struct json *status,
				      const char *name)
{
	const struct json *list = status ? json_get(status, "instances") : NULL;
	const struct json *in;

	for (in = list ? list->kids : NULL; in; in = in->next)
		if (!strcmp(json_str(in, "name", ""), name))
			return in;
	return NULL;
}

int vrrplink_snap(const struct fwd *f, struct snap_vrrpd *o)
{
	const struct vrrplink *v = &f->vrrp;
	unsigned i;

	o->enabled = v->path != NULL;
	o->connected = v->connected;
	o->connects = v->connects;
	o->events = v->events;
	o->errors = v->errors;
	o->router_id =
	    v->status ? json_str(v->status, "router_id", NULL) : NULL;
	o->status_age_ms = v->status ? f->loop.now_ms - v->status_ms : -1;
	o->inst = calloc(v->n_inst + 1, sizeof(*o->inst));
	if (!o->inst)
		return -ENOMEM;
	o->n_inst = v->n_inst;
	for (i = 0; i < v->n_inst; i++) {
		const struct json *in = status_inst(v->status, v->inst[i].name);

		/* the pushed event is newer than any status answer */
		o->inst[i].name = v->inst[i].name;
		o->inst[i].state = v->inst[i].state;
		if (in)
			snap_detail(&o->inst[i], in);
	}
	return 0;
}
