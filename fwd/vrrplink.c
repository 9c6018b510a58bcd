#include "vrrplink.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "../common/fwdproto.h"
#include "../common/json.h"
#include "../common/parse.h"
#include "fwd.h"
#include "server.h"
#include "stats_http.h"

#define BACKOFF_MIN_MS 100
#define BACKOFF_MAX_MS 1000 /* a local socket: cheap to retry */
#define OUT_MAX	       (256 * 1024)

/* ask vrrpd for its status at most this often */
#define STATUS_FRESH_MS 1000

static void link_connect(struct loop *loop, struct loop_timer *t);
static void report_all(struct vrrplink *v);

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
	v->hello_pending = false;
	v->version = 0;
	v->replies_due = v->hello_behind = 0;
	loop_timer_cancel(&v->f->loop, &v->beat);
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

/* Queues what sb holds (whole lines) and sends what it can. */
static void link_send_sbuf(struct vrrplink *v, struct sbuf *sb)
{
	if (!v->connected)
		return;
	if (v->out.len > OUT_MAX) {
		/* vrrpd stopped reading: better a fresh start */
		link_close(v, true);
		return;
	}
	sbuf_add(&v->out, sb->buf, sb->len);
	link_flush(v);
}

/* A line vrrpd answers: counted, to tell hello's answer from others. */
static void link_request(struct vrrplink *v, struct sbuf *sb)
{
	if (!v->connected)
		return;
	v->replies_due++;
	link_send_sbuf(v, sb);
}

static void link_send(struct vrrplink *v, const char *line)
{
	struct sbuf sb;

	sbuf_init(&sb);
	sbuf_puts(&sb, line);
	sbuf_puts(&sb, "\n");
	link_request(v, &sb);
	sbuf_free(&sb);
}

static void send_hello(struct vrrplink *v, int version)
{
	struct sbuf sb;

	loop_timer_cancel(&v->f->loop, &v->beat);
	v->hello_pending = true;
	v->hello_sent = version;
	v->hello_behind = v->replies_due;
	sbuf_init(&sb);
	fwdproto_put_hello(&sb, version);
	link_request(v, &sb);
	sbuf_free(&sb);
}

/* From the loop's timer: a stopped or stuck loop sends none. */
static void beat(struct loop *loop, struct loop_timer *t)
{
	struct vrrplink *v = t->arg;
	struct sbuf sb;

	if (!v->connected || v->version < 2)
		return;
	loop_timer_in(loop, &v->beat, FWDPROTO_HEARTBEAT_MS);
	sbuf_init(&sb);
	fwdproto_put_heartbeat(&sb);
	v->heartbeats++;
	link_send_sbuf(v, &sb);
	sbuf_free(&sb);
}

/* vrrpd answered our hello: report, beat, or say an older hello. */
static void hello_answered(struct vrrplink *v, const struct json *j)
{
	int agreed = 0, rc = fwdproto_hello_reply(j, v->hello_sent, &agreed);

	if (rc == 1) {
		log_info("vrrpd link: vrrpd refused protocol %d (%s); "
			 "falling back to %d",
			 v->hello_sent, json_str(j, "error", "?"), agreed);
		send_hello(v, agreed);
		return;
	}
	v->hello_pending = false;
	if (rc < 0) {
		v->errors++;
		log_warn("vrrpd link: vrrpd refused our hello: %s",
			 json_str(j, "error", "?"));
		return;
	}
	v->version = agreed;
	log_info("vrrpd link: protocol %d%s", agreed,
		 agreed >= 2 ? ", heartbeat every 100 ms" : ", no heartbeat");
	if (agreed >= 2)
		loop_timer_in(&v->f->loop, &v->beat, FWDPROTO_HEARTBEAT_MS);
	report_all(v);
}

static void report(struct vrrplink *v, size_t idx)
{
	const struct fwd_listen *l = &v->f->listens[idx];
	const struct sockaddr **binds;
	struct sbuf line;
	size_t i;

	binds = calloc(l->n_binds + 1, sizeof(*binds));
	if (!binds)
		return; /* reported[] stays stale: retried on the next change */
	for (i = 0; i < l->n_binds; i++)
		binds[i] = (const struct sockaddr *)&l->binds[i].conf->addr;
	sbuf_init(&line);
	v->reported[idx] = servers_up(l);
	fwdproto_put_health(&line, l->conf->name, v->reported[idx],
			    (unsigned)l->n_servers, binds, l->n_binds);
	link_request(v, &line);
	sbuf_free(&line);
	free(binds);
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

	/* while hello is unanswered, report_all follows its answer */
	if (!v->connected || v->hello_pending)
		return;
	for (i = 0; i < f->n_listens && v->connected; i++)
		if (servers_up(&f->listens[i]) != v->reported[i])
			report(v, i);
}

static void report_all(struct vrrplink *v)
{
	size_t i;

	for (i = 0; i < v->f->n_listens && v->connected; i++)
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
	struct fwd_state_event ev;

	if (!j) {
		v->errors++;
		log_warn("vrrpd link: unreadable line from vrrpd");
		return;
	}
	if (fwdproto_parse_state(j, &ev) == 0) {
		json_free(j);
		v->events++;
		v->status_stale = true;
		remember_state(v, ev.instance, ev.state);
		log_info("vrrpd: %s is %s (priority %u; %s)", ev.instance,
			 ev.state, ev.priority, ev.reason);
		return;
	}
	if (v->replies_due)
		v->replies_due--;
	if (v->hello_pending && v->hello_behind == 0) {
		hello_answered(v, j);
		json_free(j);
		return;
	}
	if (v->hello_pending)
		v->hello_behind--;
	if (json_num(j, "ok", 1) == 0) {
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

/*
 * Why the link cannot be made, at warning level: at once for a new reason,
 * then once a minute while it lasts (the retries run every second).
 */
#define CONNECT_WARN_MS 60000

static void connect_failed(struct vrrplink *v, int err)
{
	int64_t now = v->f->loop.now_ms;

	if (err == v->connect_errno &&
	    now - v->connect_warned_ms < CONNECT_WARN_MS) {
		log_debug("vrrpd link: %s: %s", v->path, strerror(err));
		return;
	}
	v->connect_errno = err;
	v->connect_warned_ms = now;
	if (err == EACCES || err == EPERM)
		log_warn("vrrpd link: cannot connect to %s: %s (fwd runs as "
			 "uid %u gid %u: set global_defs.control_socket_group "
			 "to fwd's group); retrying",
			 v->path, strerror(err), (unsigned)geteuid(),
			 (unsigned)getegid());
	else
		log_warn("vrrpd link: cannot connect to %s: %s; retrying "
			 "(forwarder.vrrpd_socket = \"\" runs fwd alone)",
			 v->path, strerror(err));
}

static void link_connect(struct loop *loop, struct loop_timer *t)
{
	struct vrrplink *v = t->arg;
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	int fd;

	(void)loop;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", v->path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		connect_failed(v, errno);
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
	v->connect_errno = 0;
	v->connects++;
	v->backoff_ms = BACKOFF_MIN_MS;
	log_info("vrrpd link: connected to %s", v->path);
	send_hello(v, FWDPROTO_VERSION);
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
	loop_timer_init(&v->beat, beat, v);
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
	loop_timer_cancel(&f->loop, &v->beat);
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
		send_hello(v, FWDPROTO_VERSION);
	if (!v->hello_pending)
		report_all(v);
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
