/*
 * vrrpd's side of alert mail: it composes each message (alert.c) and hands
 * it to vrrpd-mail, its mail process, over a socketpair (mailmsg.h);
 * vrrpd-mail queues, retries and delivers it with libcurl, as an
 * unprivileged user with no capability, so vrrpd itself never maps
 * libcurl or TLS (docs/security.md). vrrpd keeps each message until
 * vrrpd-mail says what became of it: should vrrpd-mail die, it is started
 * again (with backoff) and gets what was not done yet. This file keeps
 * smtp.h's interface, which the rest of vrrpd calls.
 */
#include "smtp.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "alert.h"
#include "certwarn.h"
#include "mailbackoff.h"
#include "mailmsg.h"

#ifndef VRRPD_MAIL_PATH
#define VRRPD_MAIL_PATH "/usr/local/libexec/vrrpd-mail"
#endif

#define PENDING_MAX 64	 /* vrrpd-mail's own queue bound */
#define GRACE_MS    2000 /* vrrpd-mail's drain at shutdown */

/* A message handed over, kept until vrrpd-mail reports on it. */
struct pending_mail {
	struct pending_mail *next;
	uint32_t id;
	bool test;
	int64_t queued_at;
	char what[96];
	char *text;
};

struct smtp {
	struct vrrpd *d;
	char host[128];
	char url[512];
	char mail_from[256];
	unsigned long seq;
	/* the link; io.fd is -1 while vrrpd-mail is not running */
	struct loop_io io;
	struct sbuf out;
	struct mailmsg_rx rx;
	struct proc *proc; /* vrrpd-mail, until it is reaped */
	struct run_as user;
	/* script_user changed: the running vrrpd-mail finishes its queue
	 * and exits, and the next one starts as the new user */
	bool handover;
	char path[PATH_MAX];
	struct loop_timer restart_timer;
	unsigned restarts; /* failures in a row, for the backoff */
	unsigned failures; /* since start-up */
	int64_t started_at;
	struct pending_mail *head, *tail;
	size_t n_pending;
	uint32_t next_id;
	uint64_t sent, failed, retried, dropped;
};

static void pending_free(struct pending_mail *p)
{
	free(p->text);
	free(p);
}

static void pending_unlink(struct smtp *s, struct pending_mail *p)
{
	struct pending_mail **pp, *prev = NULL;

	for (pp = &s->head; *pp; prev = *pp, pp = &(*pp)->next)
		if (*pp == p) {
			*pp = p->next;
			if (s->tail == p)
				s->tail = prev;
			s->n_pending--;
			return;
		}
}

/* --- the link ------------------------------------------------------------- */

static void link_flush(struct smtp *s)
{
	while (s->io.fd >= 0 && s->out.len) {
		ssize_t n = send(s->io.fd, s->out.buf, s->out.len,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break; /* EAGAIN: EPOLLOUT; else the read side sees it
				*/
		sbuf_consume(&s->out, (size_t)n);
	}
	if (s->io.fd >= 0)
		loop_io_mod(&s->d->loop, &s->io,
			    EPOLLIN | (s->out.len ? EPOLLOUT : 0));
}

static void frame_mail(struct smtp *s, const struct pending_mail *p)
{
	size_t at = mailmsg_begin(&s->out, MAILMSG_MAIL, p->id);

	mailmsg_put(&s->out, "what", p->what);
	mailmsg_putf(&s->out, "queued_at", "%lld", (long long)p->queued_at);
	mailmsg_put(&s->out, "text", p->text);
	if (mailmsg_end(&s->out, at) < 0)
		log_err("alert '%s': too big to hand over", p->what);
}

/*
 * smtp_ca_file is read here, as root, and its PEM text handed over:
 * vrrpd-mail's user need not be able to read it (an operator's 0600 file
 * stays as it is). Read again at each (re)start of vrrpd-mail and reload.
 */
static void put_ca(struct sbuf *out, const char *path)
{
	struct sbuf pem;
	char buf[4096];
	size_t n;
	FILE *f = fopen(path, "re");

	mailmsg_put(out, "ca_file", path);
	if (!f) {
		log_err("smtp_ca_file %s: %s; vrrpd-mail tries it itself", path,
			strerror(errno));
		return;
	}
	sbuf_init(&pem);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0 &&
	       pem.len < MAILMSG_MAX / 2)
		sbuf_add(&pem, buf, n);
	fclose(f);
	if (pem.len >= MAILMSG_MAX / 2 || memchr(pem.buf, '\0', pem.len))
		log_err("smtp_ca_file %s: not PEM text of at most %d bytes; "
			"vrrpd-mail tries it itself",
			path, MAILMSG_MAX / 2);
	else if (pem.len)
		mailmsg_put(out, "ca_pem", sbuf_str(&pem));
	sbuf_free(&pem);
}

static void frame_conf(struct smtp *s)
{
	const struct conf_global *g = &s->d->conf->global;
	size_t at = mailmsg_begin(&s->out, MAILMSG_CONF, 0), i, n = 0;
	char addr[256];

	mailmsg_put(&s->out, "url", s->url);
	mailmsg_put(&s->out, "mail_from", s->mail_from);
	for (i = 0; i < g->n_emails; i++) {
		if (alert_addr_spec(addr, sizeof(addr), g->emails[i]) < 0) {
			log_err("notification_email \"%s\" is not an e-mail "
				"address; skipped",
				g->emails[i]);
			continue;
		}
		/* past the bound vrrpd-mail would refuse the whole frame,
		 * exit, and get it again from its restart */
		if (n == MAILMSG_RCPT_MAX) {
			log_err("notification_email: more than %d addresses; "
				"only the first %d get alerts",
				MAILMSG_RCPT_MAX, MAILMSG_RCPT_MAX);
			break;
		}
		mailmsg_put(&s->out, "rcpt", addr);
		n++;
	}
	mailmsg_putf(&s->out, "connect_timeout", "%d", g->smtp_connect_timeout);
	mailmsg_putf(&s->out, "starttls", "%d", g->smtp_starttls);
	mailmsg_putf(&s->out, "verify", "%d", g->smtp_verify);
	if (g->smtp_ca_file)
		put_ca(&s->out, g->smtp_ca_file);
	if (g->smtp_user)
		mailmsg_put(&s->out, "user", g->smtp_user);
	if (g->smtp_password)
		mailmsg_put(&s->out, "password", g->smtp_password);
	mailmsg_end(&s->out, at);
}

static void link_close(struct smtp *s)
{
	if (s->io.fd < 0)
		return;
	loop_io_del(&s->d->loop, &s->io);
	close(s->io.fd);
	s->io.fd = -1;
	sbuf_reset(&s->out);
	mailmsg_rx_free(&s->rx);
}

/* What vrrpd-mail says became of a message. */
static void on_report(struct smtp *s, const struct mailmsg *m)
{
	struct pending_mail *p;

	for (p = s->head; p && p->id != m->id; p = p->next)
		;
	switch (m->type) {
	case MAILMSG_SENT:
		s->sent++;
		break;
	case MAILMSG_RETRY:
		s->retried++;
		return; /* still vrrpd-mail's */
	case MAILMSG_FAILED:
	case MAILMSG_DROPPED:
		/* an old vrrpd-mail draining at a change of user gives each
		 * mail one try, no retry: what it could not send is kept for
		 * the next one */
		if (s->handover)
			return;
		if (m->type == MAILMSG_FAILED)
			s->failed++;
		else
			s->dropped++;
		break;
	default:
		log_err("vrrpd-mail sent a %s frame; ignored",
			mailmsg_type_str(m->type));
		return;
	}
	if (p) {
		pending_unlink(s, p);
		pending_free(p);
	}
}

static void on_link(struct loop *loop, struct loop_io *io, uint32_t ev)
{
	struct smtp *s = io->arg;
	struct mailmsg m;
	char buf[4096];
	ssize_t n;
	int rc;

	(void)loop;
	if (ev & EPOLLOUT)
		link_flush(s);
	if (!(ev & (EPOLLIN | EPOLLHUP | EPOLLERR)))
		return;
	n = recv(io->fd, buf, sizeof(buf), MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		/* it died: its exit (mailer_exited) starts it again */
		link_close(s);
		return;
	}
	mailmsg_rx_feed(&s->rx, buf, (size_t)n);
	while ((rc = mailmsg_rx_next(&s->rx, &m)) > 0)
		on_report(s, &m);
	if (rc < 0) {
		log_err("vrrpd-mail: bad frame (%s); restarting it",
			strerror(-rc));
		link_close(s); /* end of file: it exits */
	}
}

static void mailer_exited(struct proc *p, int status, void *arg);

/* Resolves who vrrpd-mail runs as: script_user, else nobody; never root. */
static int mailer_user(struct vrrpd *d, struct run_as *u)
{
	const char *want = d->conf->global.script_user;

	memset(u, 0, sizeof(*u));
	if (geteuid() != 0)
		return 0; /* cannot change user: runs as ourselves */
	if (want && proc_resolve_user(want, u) == 0 && u->uid != 0)
		return 0;
	if (want)
		log_warn("alerts: script_user \"%s\" %s; vrrpd-mail runs as "
			 "nobody",
			 want, u->set ? "is root" : "does not exist");
	if (proc_resolve_user("nobody", u) == 0 && u->uid != 0)
		return 0;
	log_err("alerts: no user \"nobody\" to run vrrpd-mail as, and it "
		"never runs as root; no alert will be sent");
	return -ENOENT;
}

/* vrrpd-mail next to our own executable (a build tree), else installed. */
static void mailer_path(char *buf, size_t len)
{
	char self[PATH_MAX - 16];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	char *slash;

	if (n > 0) {
		self[n] = '\0';
		slash = strrchr(self, '/');
		if (slash) {
			*slash = '\0';
			snprintf(buf, len, "%s/vrrpd-mail", self);
			if (access(buf, X_OK) == 0)
				return;
		}
	}
	snprintf(buf, len, "%s", VRRPD_MAIL_PATH);
}

static int mailer_start(struct smtp *s)
{
	static char *const env[] = {"LANG=C", NULL};
	char level[16];
	char *args[] = {s->path, "-l", level, NULL, NULL};
	struct argv argv = {.v = args, .n = 3};
	struct pending_mail *p;
	int sv[2], rc;

	snprintf(level, sizeof(level), "%d", log_get_level());
	if (log_get_syslog())
		args[argv.n++] = "-S";
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return -errno;
	rc = proc_spawn_helper(&s->d->procs, &argv, &s->user, env, sv[1],
			       "vrrpd-mail", mailer_exited, s, &s->proc);
	close(sv[1]);
	if (rc < 0) {
		close(sv[0]);
		return rc;
	}
	s->started_at = mono_ms();
	s->io.fd = sv[0];
	s->io.events = EPOLLIN;
	s->io.cb = on_link;
	s->io.arg = s;
	mailmsg_rx_init(&s->rx);
	if ((rc = loop_io_add(&s->d->loop, &s->io)) < 0) {
		close(sv[0]);
		s->io.fd = -1;
		/* the child is let go, as mailer_release does: it reads end
		 * of file on its descriptor 3 and exits, and is reaped with
		 * no callback (s may be freed before: smtp_open's failure) */
		s->proc->done = NULL;
		s->proc = NULL;
		return rc;
	}
	frame_conf(s);
	/* what the last one had not done, in order */
	for (p = s->head; p; p = p->next)
		frame_mail(s, p);
	link_flush(s);
	return 0;
}

/* Starts vrrpd-mail if it is not running and may be started now. */
static void mailer_want(struct smtp *s)
{
	int rc;

	if (s->io.fd >= 0 || s->proc || loop_timer_armed(&s->restart_timer))
		return;
	rc = mailer_start(s);
	if (rc < 0) {
		log_err("alerts: cannot start vrrpd-mail: %s", strerror(-rc));
		mailer_exited(NULL, W_EXITCODE(127, 0), s);
	}
}

/* The backoff is over: started again only when there is mail for it. */
static void restart_fired(struct loop *loop, struct loop_timer *t)
{
	struct smtp *s = t->arg;

	(void)loop;
	if (s->head)
		mailer_want(s);
}

/*
 * vrrpd-mail exits 0 after a quiet spell (and is started again for the
 * next mail, at once); any other end is a failure: logged, counted, and
 * the next start waits, 0.5 s doubling to 30 s.
 */
static void mailer_exited(struct proc *p, int status, void *arg)
{
	struct smtp *s = arg;
	int64_t delay;
	char how[64];

	s->proc = NULL;
	s->handover = false;
	link_close(s);
	if (p && WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		log_debug("vrrpd-mail (PID %d) exited, idle", (int)p->pid);
		if (s->head) /* mail it had not read yet */
			mailer_want(s);
		return;
	}
	/* p NULL: the start itself failed, so it ran for no time;
	 * started_at is the last good start's, maybe long ago, and would
	 * start the backoff over at each failed start */
	delay =
	    mailbackoff_next(&s->restarts, p ? mono_ms() - s->started_at : 0);
	s->failures++;
	log_warn("vrrpd-mail (PID %d) ended (%s); %zu message(s) kept for "
		 "it; starting it again in %lld ms",
		 p ? (int)p->pid : 0, proc_status_str(status, how, sizeof(how)),
		 s->n_pending, (long long)delay);
	loop_timer_in(&s->d->loop, &s->restart_timer, delay);
}

/* --- queue ---------------------------------------------------------------- */

void smtp_env_fill(struct smtp *s, struct alert_env *env)
{
	const struct conf_global *g = &s->d->conf->global;

	memset(env, 0, sizeof(*env));
	env->router_id = g->router_id;
	env->host = s->host;
	env->from = g->email_from;
	env->to = g->emails;
	env->n_to = g->n_emails;
	clock_gettime(CLOCK_REALTIME, &env->now);
	env->pid = getpid();
	env->seq = ++s->seq;
}

int smtp_enqueue(struct smtp *s, struct sbuf *sb, const char *what, bool test)
{
	struct pending_mail *p;

	if (sb->oom || !(p = calloc(1, sizeof(*p)))) {
		s->dropped++;
		log_err("alert '%s': out of memory; dropped", what);
		sbuf_free(sb);
		return -ENOMEM;
	}
	/* vrrpd-mail bounds its queue and says what it drops; this bound is
	 * for while it is not running */
	if (s->n_pending >= PENDING_MAX && s->io.fd < 0) {
		struct pending_mail *old = s->head;

		s->dropped++;
		log_warn("alert queue full (%d): dropped the oldest, '%s'",
			 PENDING_MAX, old->what);
		pending_unlink(s, old);
		pending_free(old);
	}
	p->text = sb->buf;
	sbuf_init(sb);
	p->id = ++s->next_id ? s->next_id : ++s->next_id;
	p->test = test;
	p->queued_at = mono_ms();
	snprintf(p->what, sizeof(p->what), "%s", what);
	if (s->tail)
		s->tail->next = p;
	else
		s->head = p;
	s->tail = p;
	s->n_pending++;
	if (s->io.fd >= 0 && !s->handover) {
		frame_mail(s, p);
		link_flush(s);
	} else {
		mailer_want(s); /* not while the old one is still running */
	}
	return 0;
}

void smtp_alert_test(struct vrrpd *d, struct ctl_client *cl)
{
	struct smtp *s = d->smtp;
	struct pending_mail *p;
	struct alert_env env;
	struct sbuf sb;

	if (!s) {
		ctl_send_error(cl, "no alert can be sent: set smtp_server and "
				   "notification_email in global_defs");
		return;
	}
	/* at most one test mail waits, so tests cannot push real alerts out
	 * of the bounded queue */
	for (p = s->head; p; p = p->next)
		if (p->test) {
			ctl_send_error(cl, "a test message is already queued");
			return;
		}
	smtp_env_fill(s, &env);
	sbuf_init(&sb);
	alert_format_test(&sb, &env);
	if (smtp_enqueue(s, &sb, "test message", true) < 0) {
		ctl_send_error(cl, "out of memory");
		return;
	}
	ctl_send_str(cl, "{\"ok\":true,\"queued\":1}\n");
}

void smtp_alert_cert(struct vrrpd *d, struct ctl_client *cl, const char *line)
{
	struct smtp *s = d->smtp;
	struct certwarn w;
	struct alert_env env;
	struct sbuf sb;
	char why[128], what[96];

	if (certwarn_parse(line, &w, why, sizeof(why)) < 0) {
		ctl_send_error(cl, why);
		return;
	}
	if (!s) {
		ctl_send_str(cl, "{\"ok\":true,\"mailed\":false}\n");
		return;
	}
	smtp_env_fill(s, &env);
	sbuf_init(&sb);
	alert_format_cert(&sb, &env, w.listener, w.server, w.days,
			  (time_t)w.not_after);
	snprintf(what, sizeof(what), "certificate of %.39s/%.39s", w.listener,
		 w.server);
	if (smtp_enqueue(s, &sb, what, false) < 0) {
		ctl_send_error(cl, "out of memory");
		return;
	}
	ctl_send_str(cl, "{\"ok\":true,\"mailed\":true}\n");
}

void smtp_status_json(const struct vrrpd *d, struct sbuf *sb)
{
	const struct smtp *s = d->smtp;

	if (!s) {
		sbuf_puts(sb, ",\"alerts\":{\"configured\":false}");
		return;
	}
	sbuf_printf(sb,
		    ",\"alerts\":{\"configured\":true,\"queued\":%zu,"
		    "\"sent\":%lu,\"failed\":%lu,\"retried\":%lu,"
		    "\"dropped\":%lu,\"coalesced\":%lu,\"summaries\":%lu,"
		    "\"held\":%zu,\"mailer_restarts\":%u}",
		    s->n_pending, (unsigned long)s->sent,
		    (unsigned long)s->failed, (unsigned long)s->retried,
		    (unsigned long)s->dropped,
		    (unsigned long)d->alerts.coalesced,
		    (unsigned long)d->alerts.summaries,
		    alertmail_held(&d->alerts), s->restarts);
}

size_t smtp_queued(const struct vrrpd *d)
{
	return d->smtp ? d->smtp->n_pending + alertmail_held(&d->alerts) : 0;
}

/* --- set-up and tear-down ------------------------------------------------- */

/* The URL and envelope sender for the current settings; 0 or -EINVAL. */
static int addresses_build(struct smtp *s, const struct conf_global *g)
{
	char addr[sizeof(s->mail_from) - 2];
	size_t i, n = 0;

	if (alert_server_url(s->url, sizeof(s->url), g->smtp_server, s->host) <
	    0) {
		log_err("smtp_server \"%s\" is not host[:port] or an smtp:// / "
			"smtps:// URL; no alert will be sent",
			g->smtp_server);
		return -EINVAL;
	}
	if (g->email_from &&
	    alert_addr_spec(addr, sizeof(addr), g->email_from) == 0)
		snprintf(s->mail_from, sizeof(s->mail_from), "<%s>", addr);
	else
		snprintf(s->mail_from, sizeof(s->mail_from), "<vrrpd@%s>",
			 s->host);
	for (i = 0; i < g->n_emails; i++)
		if (alert_addr_spec(addr, sizeof(addr), g->emails[i]) == 0)
			n++;
	return n ? 0 : -EINVAL;
}

static bool alerts_wanted(struct vrrpd *d)
{
	const struct conf_global *g = &d->conf->global;
	size_t i;

	if (g->smtp_server && g->n_emails)
		return true;
	for (i = 0; i < d->n_inst; i++)
		if (d->inst[i].cfg->smtp_alert) {
			log_warn("%s: smtp_alert is set but global_defs lacks "
				 "smtp_server or notification_email; no alert "
				 "will be sent",
				 d->inst[i].cfg->name);
			break;
		}
	return false;
}

int smtp_open(struct vrrpd *d)
{
	struct smtp *s;
	int rc;

	d->smtp = NULL;
	if (!alerts_wanted(d))
		return 0;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->d = d;
	s->io.fd = -1;
	sbuf_init(&s->out);
	mailmsg_rx_init(&s->rx);
	loop_timer_init(&s->restart_timer, restart_fired, s);
	if (gethostname(s->host, sizeof(s->host) - 1) < 0 || !s->host[0])
		snprintf(s->host, sizeof(s->host), "localhost");
	mailer_path(s->path, sizeof(s->path));
	if ((rc = addresses_build(s, &d->conf->global)) < 0 ||
	    (rc = mailer_user(d, &s->user)) < 0 || (rc = mailer_start(s)) < 0) {
		if (rc != -EINVAL && rc != -ENOENT)
			log_err("alerts: cannot start %s: %s", s->path,
				strerror(-rc));
		sbuf_free(&s->out);
		free(s);
		/* no user to run it as: vrrpd runs, without alerts (said) */
		return rc == -ENOENT ? 0 : rc;
	}
	d->smtp = s;
	alertmail_init(&d->alerts, d);
	log_info("alerts: %zu recipient(s) via %s, mailed by %s as %s",
		 d->conf->global.n_emails, s->url, s->path,
		 s->user.set ? s->user.name : "ourselves");
	return 0;
}

/* Lets vrrpd-mail go: it mails what it has within its grace and exits
 * (reaped by procs, no longer ours). */
static void mailer_release(struct smtp *s)
{
	if (s->proc)
		s->proc->done = NULL;
	s->proc = NULL;
	loop_timer_cancel(&s->d->loop, &s->restart_timer);
	link_close(s);
}

static void smtp_free(struct smtp *s)
{
	struct pending_mail *p;

	mailer_release(s);
	while ((p = s->head)) {
		pending_unlink(s, p);
		pending_free(p);
	}
	sbuf_free(&s->out);
	mailmsg_rx_free(&s->rx);
	free(s);
}

/*
 * The "MASTER -> INIT (shutdown)" alert was queued after the main loop
 * stopped: hand everything over, close our end, and wait (bounded) for
 * vrrpd-mail to end, so the mail leaves before vrrpd exits.
 */
static void smtp_drain(struct smtp *s)
{
	int64_t until = mono_ms() + GRACE_MS + 1000;
	struct pollfd pfd = {.fd = s->io.fd};
	char buf[4096];

	while (s->out.len && mono_ms() < until) {
		pfd.events = POLLOUT;
		if (poll(&pfd, 1, (int)(until - mono_ms())) <= 0)
			break;
		link_flush(s);
	}
	shutdown(s->io.fd, SHUT_WR);
	pfd.events = POLLIN;
	while (mono_ms() < until &&
	       poll(&pfd, 1, (int)(until - mono_ms())) > 0) {
		struct mailmsg m;
		ssize_t n = recv(s->io.fd, buf, sizeof(buf), 0);

		if (n <= 0)
			break;
		mailmsg_rx_feed(&s->rx, buf, (size_t)n);
		while (mailmsg_rx_next(&s->rx, &m) > 0)
			on_report(s, &m);
	}
}

void smtp_close(struct vrrpd *d)
{
	struct smtp *s = d->smtp;

	if (!s)
		return;
	alertmail_flush(&d->alerts);
	/* an old vrrpd-mail handing over at a change of user: its reports
	 * first, then a fresh one (below) for what it left and what came
	 * since */
	if (s->handover && s->io.fd >= 0) {
		smtp_drain(s);
		link_close(s);
	}
	s->handover = false;
	/* vrrpd-mail died just before (its restart waits out the backoff) or
	 * is being reaped: the last alerts get a fresh one now, or the
	 * shutdown mail would never leave */
	if (s->head && s->io.fd < 0) {
		int rc;

		mailer_release(s);
		if ((rc = mailer_start(s)) < 0)
			log_err("alerts: cannot start vrrpd-mail: %s",
				strerror(-rc));
	}
	if (s->io.fd >= 0)
		smtp_drain(s);
	if (s->n_pending) {
		s->dropped += s->n_pending;
		log_warn("alerts: %zu message(s) not delivered within %d ms of "
			 "shutdown; abandoned",
			 s->n_pending, GRACE_MS);
	}
	smtp_free(s);
	d->smtp = NULL;
	alertmail_free(&d->alerts);
}

/*
 * script_user changed (reload): vrrpd-mail must run as the new user. The
 * running one gets end of file (our writing side shut), mails what it
 * holds and reports on each as at shutdown; what it sent is done, what it
 * could not send stays ours, as do mails queued meanwhile, and all go to
 * the next vrrpd-mail, started as the new user when this one has exited
 * (mailer_exited). Nothing is lost, and nothing is handed to both.
 */
static void mailer_user_change(struct smtp *s, const struct run_as *u)
{
	bool same =
	    s->user.set == u->set &&
	    (!u->set || (s->user.uid == u->uid && s->user.gid == u->gid));

	s->user = *u;
	if (same || s->io.fd < 0 || s->handover)
		return; /* not running: the next start is as the new user */
	log_info("alerts: vrrpd-mail is started again as %s once it has "
		 "handed over its queue",
		 u->set ? u->name : "ourselves");
	s->handover = true;
	sbuf_reset(&s->out); /* mails whose frames had not left stay ours */
	shutdown(s->io.fd, SHUT_WR);
	loop_io_mod(&s->d->loop, &s->io, EPOLLIN);
}

void smtp_reload(struct vrrpd *d)
{
	struct smtp *s = d->smtp;
	int rc;

	if (!s) {
		if (smtp_open(d) < 0)
			log_err("alerts: the new mail settings do not work; no "
				"alert will be sent until the next good "
				"reload");
		else if (d->smtp)
			log_info("alerts: mail settings reloaded");
		return;
	}
	if (!d->conf->global.smtp_server || !d->conf->global.n_emails) {
		/* what is queued still goes, with the old settings */
		alertmail_flush(&d->alerts);
		smtp_free(s);
		d->smtp = NULL;
		alertmail_free(&d->alerts);
		log_info("alerts: off after the reload");
		return;
	}
	rc = addresses_build(s, &d->conf->global);
	if (rc == 0) {
		struct run_as u;

		if (mailer_user(d, &u) == 0)
			mailer_user_change(s, &u);
		else
			log_err("alerts: vrrpd-mail keeps running as %s",
				s->user.set ? s->user.name : "ourselves");
	}
	if (rc == 0 && s->io.fd >= 0 && !s->handover) {
		frame_conf(s);
		link_flush(s);
	}
	if (rc < 0)
		log_err("alerts: the new mail settings do not work; vrrpd-mail "
			"keeps the old ones");
	else
		log_info("alerts: mail settings reloaded (passed to "
			 "vrrpd-mail)");
}
