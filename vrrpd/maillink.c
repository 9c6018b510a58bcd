/*
 * vrrpd's side of alert mail: it composes each message (alert.c) and hands
 * it to vrrpd-mail, its mail process, over a socketpair (mailmsg.h);
 * vrrpd-mail queues, retries and delivers it with libcurl, as an
 * unprivileged user with no capability, so vrrpd itself never maps
 * libcurl or TLS (docs/security.md). vrrpd keeps each message until
 * vrrpd-mail says what became of it: should vrrpd-mail die, it is started
 * again (with backoff) and gets what was not done yet. This file keeps
 * smtp.h's interface, which the rest of vrrpd calls; vrrpd-mail's life
 * cycle is mailproc.c's.
 */
#include "maillink_int.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "alert.h"
#include "certwarn.h"
#include "mailmsg.h"

#define PENDING_MAX 64	 /* vrrpd-mail's own queue bound */
#define GRACE_MS    2000 /* vrrpd-mail's drain at shutdown */

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

void maillink_flush(struct smtp *s)
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

void maillink_frame_mail(struct smtp *s, const struct pending_mail *p)
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

void maillink_frame_conf(struct smtp *s)
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

void maillink_close(struct smtp *s)
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

void maillink_on_io(struct loop *loop, struct loop_io *io, uint32_t ev)
{
	struct smtp *s = io->arg;
	struct mailmsg m;
	char buf[4096];
	ssize_t n;
	int rc;

	(void)loop;
	if (ev & EPOLLOUT)
		maillink_flush(s);
	if (!(ev & (EPOLLIN | EPOLLHUP | EPOLLERR)))
		return;
	n = recv(io->fd, buf, sizeof(buf), MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		/* it died: its exit (mailer_exited) starts it again */
		maillink_close(s);
		return;
	}
	mailmsg_rx_feed(&s->rx, buf, (size_t)n);
	while ((rc = mailmsg_rx_next(&s->rx, &m)) > 0)
		on_report(s, &m);
	if (rc < 0) {
		log_err("vrrpd-mail: bad frame (%s); restarting it",
			strerror(-rc));
		maillink_close(s); /* end of file: it exits */
	}
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
		maillink_frame_mail(s, p);
		maillink_flush(s);
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
	loop_timer_init(&s->restart_timer, mailer_restart_fired, s);
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
		maillink_flush(s);
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
		maillink_close(s);
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
		maillink_frame_conf(s);
		maillink_flush(s);
	}
	if (rc < 0)
		log_err("alerts: the new mail settings do not work; vrrpd-mail "
			"keeps the old ones");
	else
		log_info("alerts: mail settings reloaded (passed to "
			 "vrrpd-mail)");
}
