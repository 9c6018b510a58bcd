/*
 * SMTP alert sender on libcurl's multi interface, driven by our epoll loop
 * (CURLMOPT_SOCKETFUNCTION / CURLMOPT_TIMERFUNCTION): nothing here blocks,
 * so a dead or black-holed mail server cannot delay an advert or a
 * takeover. One mail is in flight at a time, so operators get them in
 * transition order; a mail waiting for its retry does not hold up the
 * others. libcurl does the SMTP dialogue, including dot-stuffing of the
 * body (curl's tests 901/1520), STARTTLS, SMTPS and AUTH. Which
 * transitions become which mails is alertmail.c's business.
 */
#include "smtp.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "alert.h"
#include "certwarn.h"

#define QUEUE_MAX     64   /* an alert storm must not eat our memory */
#define GRACE_MS      2000 /* at shutdown, for the "-> INIT" alert */
#define STALL_EXTRA_S 60   /* whole transfer: connect timeout + this */

/* Retry n (1-based) waits backoff_ms[n - 1]; then the mail is dropped. */
static const int backoff_ms[] = {2000, 10000, 30000};
#define MAX_TRIES (1 + sizeof(backoff_ms) / sizeof(backoff_ms[0]))

struct smtp_mail {
	struct smtp_mail *next;
	char *text;
	size_t len, off;
	char what[96]; /* for log lines: "VI_1: BACKUP -> MASTER" */
	bool test;
	unsigned tries;
	int64_t queued_at, not_before; /* monotonic ms */
	CURL *easy;
	char err[CURL_ERROR_SIZE];
	char reply[160]; /* the server's last refusal, for the log */
};

/* One per socket libcurl asks us to watch. */
struct smtp_sock {
	struct loop_io io;
	struct smtp *s;
	struct smtp_sock *next;
};

struct smtp {
	struct vrrpd *d;
	CURLM *multi;
	struct curl_slist *rcpt;
	char url[512];
	char mail_from[256];
	char host[128];
	struct loop_timer curl_timer;  /* libcurl's own timeouts */
	struct loop_timer retry_timer; /* the next backoff expiry */
	struct loop_timer grace_timer; /* shutdown deadline */
	struct smtp_mail *head, *tail; /* FIFO; active stays in it */
	size_t n_queued;
	struct smtp_mail *active;
	struct smtp_sock *socks;
	unsigned long seq;
	bool draining;
	uint64_t sent, failed, retried, dropped;
};

static void pump(struct smtp *s);

static void mail_free(struct smtp_mail *m)
{
	free(m->text);
	free(m);
}

static void queue_unlink(struct smtp *s, struct smtp_mail *m)
{
	struct smtp_mail **pp, *prev = NULL;

	for (pp = &s->head; *pp; prev = *pp, pp = &(*pp)->next) {
		if (*pp != m)
			continue;
		*pp = m->next;
		if (s->tail == m)
			s->tail = prev;
		s->n_queued--;
		return;
	}
}

/* --- libcurl <-> loop glue --------------------------------------------- */

static void check_done(struct smtp *s);

static void on_sock_ready(struct loop *loop, struct loop_io *io, uint32_t ev)
{
	struct smtp_sock *ss = io->arg;
	struct smtp *s = ss->s; /* ss may be freed by the call below */
	int mask = 0, running;

	(void)loop;
	if (ev & EPOLLIN)
		mask |= CURL_CSELECT_IN;
	if (ev & EPOLLOUT)
		mask |= CURL_CSELECT_OUT;
	if (ev & (EPOLLERR | EPOLLHUP))
		mask |= CURL_CSELECT_ERR;
	curl_multi_socket_action(s->multi, io->fd, mask, &running);
	check_done(s);
}

static void sock_forget(struct smtp *s, struct smtp_sock *ss)
{
	struct smtp_sock **pp;

	for (pp = &s->socks; *pp; pp = &(*pp)->next)
		if (*pp == ss) {
			*pp = ss->next;
			break;
		}
	loop_io_del(&s->d->loop, &ss->io);
	free(ss);
}

static int on_curl_socket(CURL *e, curl_socket_t fd, int what, void *userp,
			  void *socketp)
{
	struct smtp *s = userp;
	struct smtp_sock *ss = socketp;
	uint32_t events = 0;

	(void)e;
	if (what == CURL_POLL_REMOVE) {
		if (ss) {
			curl_multi_assign(s->multi, fd, NULL);
			sock_forget(s, ss);
		}
		return 0;
	}
	if (what & CURL_POLL_IN)
		events |= EPOLLIN;
	if (what & CURL_POLL_OUT)
		events |= EPOLLOUT;
	if (ss)
		return loop_io_mod(&s->d->loop, &ss->io, events) < 0 ? -1 : 0;
	ss = calloc(1, sizeof(*ss));
	if (!ss)
		return -1;
	ss->s = s;
	ss->io.fd = fd;
	ss->io.events = events;
	ss->io.cb = on_sock_ready;
	ss->io.arg = ss;
	if (loop_io_add(&s->d->loop, &ss->io) < 0) {
		free(ss);
		return -1;
	}
	ss->next = s->socks;
	s->socks = ss;
	curl_multi_assign(s->multi, fd, ss);
	return 0;
}

/* libcurl must not be re-entered from here; the loop calls it next. */
static int on_curl_timer(CURLM *multi, long timeout_ms, void *userp)
{
	struct smtp *s = userp;

	(void)multi;
	if (timeout_ms < 0)
		loop_timer_cancel(&s->d->loop, &s->curl_timer);
	else
		loop_timer_in(&s->d->loop, &s->curl_timer, timeout_ms);
	return 0;
}

static void curl_timer_fired(struct loop *loop, struct loop_timer *t)
{
	struct smtp *s = t->arg;
	int running;

	(void)loop;
	curl_multi_socket_action(s->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	check_done(s);
}

static void retry_timer_fired(struct loop *loop, struct loop_timer *t)
{
	(void)loop;
	pump(t->arg);
}

static void grace_timer_fired(struct loop *loop, struct loop_timer *t)
{
	(void)t;
	loop_stop(loop);
}

/* --- one transfer --------------------------------------------------------- */

static size_t mail_read(char *buf, size_t size, size_t nitems, void *arg)
{
	struct smtp_mail *m = arg;
	size_t n = size * nitems, left = m->len - m->off;

	if (n > left)
		n = left;
	memcpy(buf, m->text + m->off, n);
	m->off += n;
	return n;
}

/* Keeps the server's last refusal: libcurl's own message for a refused
 * end of data is only "Weird server reply". */
static int on_curl_debug(CURL *e, curl_infotype type, char *data, size_t size,
			 void *arg)
{
	struct smtp_mail *m = arg;
	size_t n = 0;

	(void)e;
	/* only refusals (4xx, 5xx): the 221 to QUIT explains nothing */
	if (type != CURLINFO_HEADER_IN || size < 3 ||
	    (data[0] != '4' && data[0] != '5'))
		return 0;
	while (n < size && n + 1 < sizeof(m->reply) && data[n] != '\r' &&
	       data[n] != '\n') {
		m->reply[n] = data[n] >= ' ' && data[n] < 127 ? data[n] : '?';
		n++;
	}
	m->reply[n] = '\0';
	return 0;
}

static void transfer_tls(CURL *e, const struct conf_global *g)
{
	if (g->smtp_starttls)
		curl_easy_setopt(e, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, g->smtp_verify ? 1L : 0L);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, g->smtp_verify ? 2L : 0L);
	if (g->smtp_ca_file)
		curl_easy_setopt(e, CURLOPT_CAINFO, g->smtp_ca_file);
}

static int transfer_start(struct smtp *s, struct smtp_mail *m)
{
	const struct conf_global *g = &s->d->conf->global;
	CURL *e = curl_easy_init();

	if (!e)
		return -ENOMEM;
	m->off = 0;
	m->err[0] = '\0';
	m->reply[0] = '\0';
	m->tries++;
	curl_easy_setopt(e, CURLOPT_URL, s->url);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
#endif
	curl_easy_setopt(e, CURLOPT_MAIL_FROM, s->mail_from);
	curl_easy_setopt(e, CURLOPT_MAIL_RCPT, s->rcpt);
#if LIBCURL_VERSION_NUM >= 0x080200
	curl_easy_setopt(e, CURLOPT_MAIL_RCPT_ALLOWFAILS, 1L);
#elif LIBCURL_VERSION_NUM >= 0x074500
	/* one bad address must not keep the alert from the others */
	curl_easy_setopt(e, CURLOPT_MAIL_RCPT_ALLLOWFAILS, 1L);
#endif
	curl_easy_setopt(e, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(e, CURLOPT_READFUNCTION, mail_read);
	curl_easy_setopt(e, CURLOPT_READDATA, m);
	curl_easy_setopt(e, CURLOPT_INFILESIZE_LARGE, (curl_off_t)m->len);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT,
			 (long)g->smtp_connect_timeout);
	curl_easy_setopt(e, CURLOPT_TIMEOUT,
			 (long)g->smtp_connect_timeout + STALL_EXTRA_S);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L); /* no SIGALRM for DNS */
	/* a fresh connection for every attempt: after a failed transaction
	 * the server's state is unknown (a reused one gave "Weird server
	 * reply" / "MAIL failed: 503" in turn); alerts are rare */
	curl_easy_setopt(e, CURLOPT_FORBID_REUSE, 1L);
	curl_easy_setopt(e, CURLOPT_DEBUGFUNCTION, on_curl_debug);
	curl_easy_setopt(e, CURLOPT_DEBUGDATA, m);
	curl_easy_setopt(e, CURLOPT_VERBOSE, 1L); /* to on_curl_debug only */
	transfer_tls(e, g);
	if (g->smtp_user)
		curl_easy_setopt(e, CURLOPT_USERNAME, g->smtp_user);
	if (g->smtp_password)
		curl_easy_setopt(e, CURLOPT_PASSWORD, g->smtp_password);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, m->err);
	curl_easy_setopt(e, CURLOPT_PRIVATE, m);
	if (curl_multi_add_handle(s->multi, e) != CURLM_OK) {
		curl_easy_cleanup(e);
		return -ENOMEM;
	}
	m->easy = e;
	s->active = m;
	return 0;
}

static void transfer_end(struct smtp *s, struct smtp_mail *m, CURLcode rc)
{
	char why[CURL_ERROR_SIZE + sizeof(m->reply) + 16];
	int64_t now = mono_ms();

	snprintf(why, sizeof(why), "%s",
		 m->err[0] ? m->err : curl_easy_strerror(rc));
	/* the server's words, unless libcurl's message holds them already */
	if (strlen(m->reply) >= 3) {
		char code[4] = {m->reply[0], m->reply[1], m->reply[2], '\0'};

		if (!strstr(why, code))
			snprintf(why + strlen(why), sizeof(why) - strlen(why),
				 " (server: %s)", m->reply);
	}
	curl_multi_remove_handle(s->multi, m->easy);
	curl_easy_cleanup(m->easy);
	m->easy = NULL;
	s->active = NULL;
	if (rc == CURLE_OK) {
		s->sent++;
		log_info("alert sent %lld ms after the event: %s",
			 (long long)(now - m->queued_at), m->what);
	} else if (m->tries < MAX_TRIES && !s->draining) {
		int wait = backoff_ms[m->tries - 1];

		s->retried++;
		m->not_before = now + wait;
		log_warn("alert '%s' via %s: %s; retry %u of %zu in %d s",
			 m->what, s->url, why, m->tries, MAX_TRIES - 1,
			 wait / 1000);
		return;
	} else {
		s->failed++;
		log_err("alert '%s' via %s: %s; giving up after %u "
			"attempt(s); check smtp_server and the mail server",
			m->what, s->url, why, m->tries);
	}
	queue_unlink(s, m);
	mail_free(m);
}

static void check_done(struct smtp *s)
{
	CURLMsg *msg;
	int left;

	while ((msg = curl_multi_info_read(s->multi, &left))) {
		struct smtp_mail *m = NULL;

		if (msg->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &m);
		if (m)
			transfer_end(s, m, msg->data.result);
	}
	pump(s);
}

/* Starts the oldest mail that may go now, or arms the retry timer. */
static void pump(struct smtp *s)
{
	int64_t now = mono_ms(), next = 0;
	struct smtp_mail *m, *n;

	if (s->active)
		return;
	for (m = s->head; m; m = n) {
		n = m->next;
		if (m->not_before > now) {
			if (!next || m->not_before < next)
				next = m->not_before;
			continue;
		}
		if (transfer_start(s, m) == 0)
			return;
		s->failed++;
		log_err("alert '%s': cannot start a transfer; dropped",
			m->what);
		queue_unlink(s, m);
		mail_free(m);
	}
	if (s->draining)
		loop_stop(&s->d->loop); /* nothing left that may go */
	else if (next)
		loop_timer_at(&s->d->loop, &s->retry_timer, next);
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

static void drop_oldest(struct smtp *s)
{
	struct smtp_mail *m;

	for (m = s->head; m && m == s->active; m = m->next)
		;
	if (!m)
		return;
	s->dropped++;
	log_warn("alert queue full (%d): dropped the oldest, '%s'", QUEUE_MAX,
		 m->what);
	queue_unlink(s, m);
	mail_free(m);
}

int smtp_enqueue(struct smtp *s, struct sbuf *sb, const char *what, bool test)
{
	struct smtp_mail *m;

	if (sb->oom || !(m = calloc(1, sizeof(*m)))) {
		s->dropped++;
		log_err("alert '%s': out of memory; dropped", what);
		sbuf_free(sb);
		return -ENOMEM;
	}
	if (s->n_queued >= QUEUE_MAX)
		drop_oldest(s);
	m->text = sb->buf;
	m->len = sb->len;
	sbuf_init(sb);
	snprintf(m->what, sizeof(m->what), "%s", what);
	m->test = test;
	m->queued_at = mono_ms();
	if (s->tail)
		s->tail->next = m;
	else
		s->head = m;
	s->tail = m;
	s->n_queued++;
	pump(s);
	return 0;
}

void smtp_alert_test(struct vrrpd *d, struct ctl_client *cl)
{
	struct smtp *s = d->smtp;
	struct smtp_mail *m;
	struct alert_env env;
	struct sbuf sb;

	if (!s) {
		ctl_send_error(cl, "no alert can be sent: set smtp_server and "
				   "notification_email in global_defs");
		return;
	}
	/* at most one test mail waits, so tests cannot push real alerts out
	 * of the bounded queue */
	for (m = s->head; m; m = m->next)
		if (m->test) {
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
	sbuf_printf(
	    sb,
	    ",\"alerts\":{\"configured\":true,\"queued\":%zu,"
	    "\"sent\":%lu,\"failed\":%lu,\"retried\":%lu,"
	    "\"dropped\":%lu,\"coalesced\":%lu,\"summaries\":%lu,"
	    "\"held\":%zu}",
	    s->n_queued, (unsigned long)s->sent, (unsigned long)s->failed,
	    (unsigned long)s->retried, (unsigned long)s->dropped,
	    (unsigned long)d->alerts.coalesced,
	    (unsigned long)d->alerts.summaries, alertmail_held(&d->alerts));
}

size_t smtp_queued(const struct vrrpd *d)
{
	return d->smtp ? d->smtp->n_queued + alertmail_held(&d->alerts) : 0;
}

/* --- set-up and tear-down ------------------------------------------------- */

static int recipients_build(struct smtp *s, const struct conf_global *g)
{
	char addr[256];
	size_t i;

	for (i = 0; i < g->n_emails; i++) {
		struct curl_slist *l;

		if (alert_addr_spec(addr, sizeof(addr), g->emails[i]) < 0) {
			log_err("notification_email \"%s\" is not an e-mail "
				"address; skipped",
				g->emails[i]);
			continue;
		}
		l = curl_slist_append(s->rcpt, addr);
		if (!l)
			return -ENOMEM;
		s->rcpt = l;
	}
	return s->rcpt ? 0 : -EINVAL;
}

static int smtp_init(struct smtp *s, const struct conf_global *g)
{
	char addr[sizeof(s->mail_from) - 2];
	int rc;

	if (gethostname(s->host, sizeof(s->host) - 1) < 0 || !s->host[0])
		snprintf(s->host, sizeof(s->host), "localhost");
	rc = alert_server_url(s->url, sizeof(s->url), g->smtp_server, s->host);
	if (rc < 0) {
		log_err("smtp_server \"%s\" is not host[:port] or an smtp:// / "
			"smtps:// URL; no alert will be sent",
			g->smtp_server);
		return rc;
	}
	if (g->email_from &&
	    alert_addr_spec(addr, sizeof(addr), g->email_from) == 0)
		snprintf(s->mail_from, sizeof(s->mail_from), "<%s>", addr);
	else
		snprintf(s->mail_from, sizeof(s->mail_from), "<vrrpd@%s>",
			 s->host);
	if ((rc = recipients_build(s, g)) < 0)
		return rc;
	s->multi = curl_multi_init();
	if (!s->multi)
		return -ENOMEM;
	curl_multi_setopt(s->multi, CURLMOPT_SOCKETFUNCTION, on_curl_socket);
	curl_multi_setopt(s->multi, CURLMOPT_SOCKETDATA, s);
	curl_multi_setopt(s->multi, CURLMOPT_TIMERFUNCTION, on_curl_timer);
	curl_multi_setopt(s->multi, CURLMOPT_TIMERDATA, s);
	return 0;
}

static void smtp_free(struct smtp *s)
{
	struct smtp_mail *m;

	while ((m = s->head)) {
		if (m->easy) {
			curl_multi_remove_handle(s->multi, m->easy);
			curl_easy_cleanup(m->easy);
		}
		queue_unlink(s, m);
		mail_free(m);
	}
	loop_timer_cancel(&s->d->loop, &s->curl_timer);
	loop_timer_cancel(&s->d->loop, &s->retry_timer);
	loop_timer_cancel(&s->d->loop, &s->grace_timer);
	if (s->multi)
		curl_multi_cleanup(s->multi);
	while (s->socks) /* sockets libcurl did not tell us to forget */
		sock_forget(s, s->socks);
	curl_slist_free_all(s->rcpt);
	free(s);
	curl_global_cleanup();
}

int smtp_open(struct vrrpd *d)
{
	const struct conf_global *g = &d->conf->global;
	struct smtp *s;
	size_t i;
	int rc;

	d->smtp = NULL;
	if (!g->smtp_server || !g->n_emails) {
		for (i = 0; i < d->n_inst; i++)
			if (d->inst[i].cfg->smtp_alert) {
				log_warn(
				    "%s: smtp_alert is set but global_defs "
				    "lacks smtp_server or "
				    "notification_email; no alert will "
				    "be sent",
				    d->inst[i].cfg->name);
				break;
			}
		return 0;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		log_err("libcurl initialisation failed; no alert will be sent");
		return -ENOMEM;
	}
	s = calloc(1, sizeof(*s));
	if (!s) {
		curl_global_cleanup();
		return -ENOMEM;
	}
	s->d = d;
	loop_timer_init(&s->curl_timer, curl_timer_fired, s);
	loop_timer_init(&s->retry_timer, retry_timer_fired, s);
	loop_timer_init(&s->grace_timer, grace_timer_fired, s);
	rc = smtp_init(s, g);
	if (rc < 0) {
		smtp_free(s);
		return rc;
	}
	d->smtp = s;
	alertmail_init(&d->alerts, d);
	log_info("alerts: %zu recipient(s) via %s", g->n_emails, s->url);
	return 0;
}

/*
 * The "MASTER -> INIT (shutdown)" alert is queued after the main loop
 * stopped; run the loop again for at most GRACE_MS so it can leave. Retries
 * are off: a mail that fails now is dropped, never waited for.
 */
static void smtp_drain(struct smtp *s)
{
	struct loop *loop = &s->d->loop;
	struct smtp_mail *m;

	s->draining = true;
	for (m = s->head; m; m = m->next)
		m->not_before = 0;
	loop_timer_cancel(loop, &s->retry_timer);
	pump(s);
	if (!s->active)
		return;
	loop_timer_in(loop, &s->grace_timer, GRACE_MS);
	loop_run(loop);
	loop_timer_cancel(loop, &s->grace_timer);
}

void smtp_close(struct vrrpd *d)
{
	struct smtp *s = d->smtp;

	if (!s)
		return;
	alertmail_flush(&d->alerts);
	if (s->head)
		smtp_drain(s);
	if (s->n_queued) {
		s->dropped += s->n_queued;
		log_warn("alerts: %zu message(s) not delivered within %d ms of "
			 "shutdown; abandoned",
			 s->n_queued, GRACE_MS);
	}
	smtp_free(s);
	d->smtp = NULL;
	alertmail_free(&d->alerts);
}
