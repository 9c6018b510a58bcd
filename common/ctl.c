#include "ctl.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "log.h"

static void client_free(struct ctl_client *c)
{
	sbuf_free(&c->in);
	sbuf_free(&c->out);
	free(c);
}

/* The reap step: on_close and free for every dead client. */
static void server_reap(struct loop *loop, struct loop_timer *t)
{
	struct ctl_server *s = t->arg;
	struct ctl_client **pp = &s->clients;

	(void)loop;
	while (*pp) {
		struct ctl_client *c = *pp;

		if (!c->dead) {
			pp = &c->next;
			continue;
		}
		*pp = c->next;
		/* on_close may drop other clients: they are only marked,
		 * and this walk or the re-armed timer frees them */
		if (s->on_close)
			s->on_close(c, s->arg);
		client_free(c);
	}
}

/* Closes the socket now, frees the memory at the reap step. */
static void client_kill(struct ctl_client *c)
{
	struct ctl_server *s = c->srv;

	if (c->dead)
		return;
	c->dead = true;
	s->n_clients--;
	if (c->reserved)
		s->n_reserved--;
	loop_io_del(s->loop, &c->io);
	close(c->io.fd);
	c->io.fd = -1;
	sbuf_reset(&c->out);
	if (!loop_timer_armed(&s->reap))
		loop_timer_at(s->loop, &s->reap, 0);
}

void ctl_client_close(struct ctl_client *c)
{
	client_kill(c);
}

bool ctl_client_gone(const struct ctl_client *c)
{
	return c->dead;
}

void ctl_server_reserve(struct ctl_server *s, unsigned n)
{
	s->reserve = n < CTL_MAX_CLIENTS ? n : CTL_MAX_CLIENTS - 1;
}

bool ctl_client_reserve(struct ctl_client *c)
{
	struct ctl_server *s = c->srv;

	if (c->reserved)
		return true;
	if (c->dead || s->n_reserved >= s->reserve)
		return false;
	c->reserved = true;
	c->probation = false;
	s->n_reserved++;
	return true;
}

/* Drops clients idle for longer than they may be. */
static void server_sweep(struct loop *loop, struct loop_timer *t)
{
	struct ctl_server *s = t->arg;
	int64_t now = mono_ms();
	struct ctl_client *c;
	bool any = false;

	for (c = s->clients; c; c = c->next) {
		int64_t limit = c->probation ? CTL_PROBATION_MS : CTL_IDLE_MS;

		if (c->dead || c->reserved)
			continue;
		if (now - c->active_ms < limit) {
			any = true;
			continue;
		}
		s->stats.timed_out++;
		log_debug("control client uid %u idle for %lld ms; closing it",
			  (unsigned)c->uid, (long long)(now - c->active_ms));
		client_kill(c);
	}
	if (any)
		loop_timer_in(loop, t, 1000);
}

static void client_flush(struct ctl_client *c)
{
	while (c->out.len) {
		ssize_t n = send(c->io.fd, c->out.buf, c->out.len,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				break;
			client_kill(c);
			return;
		}
		sbuf_consume(&c->out, (size_t)n);
		c->active_ms = mono_ms(); /* a slow reader is not idle */
	}
	if (!c->out.len && c->closing) {
		client_kill(c);
		return;
	}
	loop_io_mod(c->srv->loop, &c->io,
		    EPOLLIN | EPOLLRDHUP | (c->out.len ? EPOLLOUT : 0));
}

void ctl_send(struct ctl_client *c, const char *data, size_t len)
{
	if (c->dead)
		return;
	if (c->out.len + len > CTL_MAX_OUT) {
		c->srv->stats.overflows++;
		log_warn("control client uid %u does not read its replies; "
			 "disconnecting it",
			 (unsigned)c->uid);
		client_kill(c);
		return;
	}
	sbuf_add(&c->out, data, len);
	client_flush(c);
}

void ctl_send_sbuf(struct ctl_client *c, struct sbuf *sb)
{
	ctl_send(c, sbuf_str(sb), sb->len);
}

void ctl_send_str(struct ctl_client *c, const char *s)
{
	ctl_send(c, s, strlen(s));
}

void ctl_send_error(struct ctl_client *c, const char *msg)
{
	struct sbuf sb;

	sbuf_init(&sb);
	sbuf_puts(&sb, "{\"ok\":false,\"error\":");
	sbuf_json_str(&sb, msg);
	sbuf_puts(&sb, "}\n");
	ctl_send_sbuf(c, &sb);
	sbuf_free(&sb);
}

/* Splits the input into lines; stops when a callback dropped the
 * client. */
static void client_lines(struct ctl_server *s, struct ctl_client *c)
{
	for (;;) {
		char *nl = memchr(c->in.buf, '\n', c->in.len);
		size_t len;

		if (!nl) {
			if (c->in.len > CTL_MAX_LINE) {
				s->stats.bad_requests++;
				if (!c->discarding)
					ctl_send_error(c, "line too long");
				if (c->dead)
					return;
				c->discarding = true;
				sbuf_reset(&c->in);
			}
			return;
		}
		*nl = '\0';
		len = (size_t)(nl - c->in.buf) + 1;
		if (c->discarding) {
			c->discarding = false;
		} else {
			char *line = strndup(c->in.buf, len - 1);
			size_t l;

			if (!line)
				return;
			l = strlen(line);
			if (l && line[l - 1] == '\r')
				line[l - 1] = '\0';
			s->stats.requests++;
			sbuf_consume(&c->in, len);
			s->on_line(c, line, s->arg);
			free(line);
			if (c->dead)
				return;
			if (c->probation && !c->reserved) {
				/* one request (an operator's status), then
				 * the slot is free again */
				c->probation = false;
				c->closing = true;
				client_flush(c);
				return;
			}
			continue;
		}
		sbuf_consume(&c->in, len);
	}
}

static void client_ready(struct loop *loop, struct loop_io *io, uint32_t ev)
{
	struct ctl_client *c = io->arg;
	struct ctl_server *s = c->srv;
	char buf[4096];

	(void)loop;
	if (ev & EPOLLOUT) {
		client_flush(c);
		if (c->dead)
			return;
	}
	if (!(ev & (EPOLLIN | EPOLLHUP | EPOLLERR | EPOLLRDHUP)))
		return;
	for (;;) {
		ssize_t n = recv(io->fd, buf, sizeof(buf), MSG_DONTWAIT);

		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
			client_kill(c);
			return;
		}
		if (n < 0)
			break;
		c->active_ms = mono_ms();
		sbuf_add(&c->in, buf, (size_t)n);
		if (c->in.oom) {
			client_kill(c);
			return;
		}
		client_lines(s, c);
		if (c->dead)
			return;
	}
}

bool ctl_peer_privileged(const struct ctl_peer *p, uid_t self, bool has_group,
			 gid_t group)
{
	size_t i;

	if (p->uid == 0 || p->uid == self)
		return true;
	if (!has_group)
		return false;
	if (p->gid == group)
		return true;
	for (i = 0; i < p->n_groups; i++)
		if (p->groups[i] == group)
			return true;
	return false;
}

/* The peer's supplementary groups come from SO_PEERGROUPS (Linux 4.13):
 * what they were when it connected, like SO_PEERCRED's ids. */
static bool peer_privileged(const struct ctl_server *s, int fd,
			    const struct ucred *cred)
{
	struct ctl_peer peer = {.uid = cred->uid, .gid = cred->gid};
	gid_t small[64], *groups = small;
	socklen_t len = sizeof(small);
	bool ok = ctl_peer_privileged(&peer, geteuid(), false, 0);

	if (ok || !s->has_group)
		return ok;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, small, &len) < 0) {
		groups = errno == ERANGE ? malloc(len) : NULL;
		if (!groups ||
		    getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len) < 0)
			len = 0;
	}
	peer.groups = groups;
	peer.n_groups = len / sizeof(gid_t);
	ok = ctl_peer_privileged(&peer, geteuid(), true, s->group);
	if (groups != small)
		free(groups);
	return ok;
}

enum admit { ADMIT_REFUSE, ADMIT_NORMAL, ADMIT_PROBATION };

/*
 * Ordinary clients get all slots but the reserved ones. Past that, one
 * client at a time gets in on probation, even when every slot is taken:
 * it may reserve itself (a restarted forwarder) or ask one thing (an
 * operator's status).
 */
static enum admit admit(const struct ctl_server *s)
{
	unsigned ordinary = s->n_clients - s->n_reserved;
	const struct ctl_client *c;

	if (ordinary < CTL_MAX_CLIENTS - s->reserve)
		return ADMIT_NORMAL;
	for (c = s->clients; c; c = c->next)
		if (c->probation && !c->dead)
			return ADMIT_REFUSE;
	return ADMIT_PROBATION;
}

/* Counts the refusal; says so at most every 10 s, with how many. */
static void refuse(struct ctl_server *s)
{
	int64_t now = mono_ms();

	s->stats.refused++;
	if (s->refused_log_ms && now - s->refused_log_ms < 10000)
		return;
	log_warn("control socket %s: all %d slots busy; refused %llu "
		 "connection(s) (clients idle for %d s are closed)",
		 s->path, CTL_MAX_CLIENTS,
		 (unsigned long long)(s->stats.refused - s->refused_logged),
		 CTL_IDLE_MS / 1000);
	s->refused_log_ms = now;
	s->refused_logged = s->stats.refused;
}

/* Out of descriptors: a pending connection stays in the backlog and
 * epoll would report it again at once, a busy loop. Stop listening for
 * 100 ms instead, as fwd's listeners do, and say so once a minute. */
static void server_pause(struct ctl_server *s, int err)
{
	s->stats.accept_paused++;
	if (loop_io_mod(s->loop, &s->io, 0) < 0)
		return;
	loop_timer_in(s->loop, &s->resume, 100);
	if (s->paused_log_ms == 0 ||
	    s->loop->now_ms - s->paused_log_ms >= 60000) {
		s->paused_log_ms = s->loop->now_ms;
		log_warn("control socket %s: cannot accept: %s; paused 100 ms "
			 "(%llu times so far)",
			 s->path, strerror(err),
			 (unsigned long long)s->stats.accept_paused);
	}
}

static void server_resume(struct loop *loop, struct loop_timer *t)
{
	struct ctl_server *s = t->arg;

	if (s->io.fd >= 0)
		loop_io_mod(loop, &s->io, EPOLLIN);
}

static void server_ready(struct loop *loop, struct loop_io *io, uint32_t ev)
{
	struct ctl_server *s = io->arg;

	(void)ev;
	for (;;) {
		struct ctl_client *c;
		struct ucred cred;
		socklen_t cl = sizeof(cred);
		enum admit how;
		bool privileged;
		int fd =
		    accept4(io->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0) {
			if (errno == EMFILE || errno == ENFILE ||
			    errno == ENOBUFS || errno == ENOMEM)
				server_pause(s, errno);
			return;
		}
		if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &cl) < 0) {
			close(fd);
			continue;
		}
		privileged = peer_privileged(s, fd, &cred);
		how = admit(s);
		/* a reserved slot is for who may say hello fwd */
		if (how == ADMIT_REFUSE ||
		    (how == ADMIT_PROBATION && !privileged)) {
			refuse(s);
			close(fd);
			continue;
		}
		c = calloc(1, sizeof(*c));
		if (!c) {
			close(fd);
			continue;
		}
		c->srv = s;
		c->uid = cred.uid;
		c->gid = cred.gid;
		c->privileged = privileged;
		c->io.fd = fd;
		c->io.events = EPOLLIN | EPOLLRDHUP;
		c->io.cb = client_ready;
		c->io.arg = c;
		sbuf_init(&c->in);
		sbuf_init(&c->out);
		if (loop_io_add(loop, &c->io) < 0) {
			close(fd);
			free(c);
			continue;
		}
		c->probation = how == ADMIT_PROBATION;
		c->active_ms = mono_ms();
		c->next = s->clients;
		s->clients = c;
		s->n_clients++;
		s->stats.accepted++;
		if (!loop_timer_armed(&s->sweep))
			loop_timer_in(loop, &s->sweep, 1000);
	}
}

/* Does a server accept connections on path? A stale socket file (its
 * daemon died) refuses them. */
static bool path_answers(const struct sockaddr_un *sun)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	bool yes;

	if (fd < 0)
		return false;
	yes = connect(fd, (const struct sockaddr *)sun, sizeof(*sun)) == 0 ||
	      errno == EAGAIN; /* alive, its backlog full */
	close(fd);
	return yes;
}

int ctl_server_open(struct ctl_server *s, struct loop *loop, const char *path,
		    ctl_line_cb on_line, ctl_close_cb on_close, void *arg)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	struct stat st;
	mode_t old;
	int fd, rc;

	memset(s, 0, sizeof(*s));
	s->io.fd = -1;
	if (strlen(path) >= sizeof(sun.sun_path))
		return -ENAMETOOLONG;
	strcpy(sun.sun_path, path);
	/* never take the socket of a live daemon (the pidlock should
	 * have said so first; this also covers a daemon without it) */
	if (path_answers(&sun))
		return -EADDRINUSE;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	unlink(path);
	old = umask(0177);
	rc = bind(fd, (struct sockaddr *)&sun, sizeof(sun));
	umask(old);
	if (rc < 0 || listen(fd, 16) < 0 || stat(path, &st) < 0) {
		rc = -errno;
		close(fd);
		return rc;
	}
	s->dev = st.st_dev;
	s->ino = st.st_ino;
	s->loop = loop;
	loop_timer_init(&s->reap, server_reap, s);
	loop_timer_init(&s->sweep, server_sweep, s);
	loop_timer_init(&s->resume, server_resume, s);
	s->path = strdup(path);
	s->on_line = on_line;
	s->on_close = on_close;
	s->arg = arg;
	s->io.fd = fd;
	s->io.events = EPOLLIN;
	s->io.cb = server_ready;
	s->io.arg = s;
	rc = loop_io_add(loop, &s->io);
	if (rc < 0) {
		ctl_server_close(s);
		return rc;
	}
	return 0;
}

void ctl_server_close(struct ctl_server *s)
{
	struct ctl_client *c;

	for (c = s->clients; c; c = c->next)
		client_kill(c);
	if (s->loop) {
		loop_timer_cancel(s->loop, &s->reap);
		server_reap(s->loop, &s->reap);
		/* an on_close may have re-armed it */
		loop_timer_cancel(s->loop, &s->reap);
		loop_timer_cancel(s->loop, &s->sweep);
		loop_timer_cancel(s->loop, &s->resume);
	}
	if (s->io.fd >= 0) {
		loop_io_del(s->loop, &s->io);
		close(s->io.fd);
		s->io.fd = -1;
	}
	if (s->path) {
		struct stat st;

		/* only if it is still ours: not one another daemon bound */
		if (stat(s->path, &st) == 0 && st.st_dev == s->dev &&
		    st.st_ino == s->ino)
			unlink(s->path);
		free(s->path);
		s->path = NULL;
	}
}

int ctl_server_set_group(struct ctl_server *s, gid_t gid)
{
	if (!s->path)
		return -EBADF;
	/* the socket's own inode: the path is ours, we just bound it */
	if (chown(s->path, (uid_t)-1, gid) < 0 || chmod(s->path, 0660) < 0)
		return -errno;
	s->has_group = true;
	s->group = gid;
	return 0;
}

int ctl_request(const char *path, const char *line, char **reply,
		int timeout_ms)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	struct sbuf sb;
	int fd, rc = 0;
	size_t ll = strlen(line);

	*reply = NULL;
	if (strlen(path) >= sizeof(sun.sun_path))
		return -ENAMETOOLONG;
	strcpy(sun.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 ||
	    send(fd, line, ll, MSG_NOSIGNAL) != (ssize_t)ll ||
	    send(fd, "\n", 1, MSG_NOSIGNAL) != 1) {
		rc = -errno;
		close(fd);
		return rc;
	}
	sbuf_init(&sb);
	for (;;) {
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		char buf[4096];
		ssize_t n;
		char *nl;

		if (poll(&pfd, 1, timeout_ms) <= 0) {
			rc = -ETIMEDOUT;
			break;
		}
		n = recv(fd, buf, sizeof(buf), 0);
		if (n <= 0) {
			rc = n == 0 ? -ECONNRESET : -errno;
			break;
		}
		sbuf_add(&sb, buf, (size_t)n);
		nl = memchr(sb.buf, '\n', sb.len);
		if (nl) {
			*nl = '\0';
			*reply = strdup(sb.buf);
			rc = *reply ? 0 : -ENOMEM;
			break;
		}
	}
	sbuf_free(&sb);
	close(fd);
	return rc;
}
