/*
 * vrrpd-mail's SMTP sender on libcurl's multi interface, driven by our
 * epoll loop (CURLMOPT_SOCKETFUNCTION / CURLMOPT_TIMERFUNCTION): nothing
 * here blocks, so a dead or black-holed mail server only delays mail. One
 * mail is in flight at a time, so operators get them in transition order;
 * a mail waiting for its retry does not hold up the others. libcurl does
 * the SMTP dialogue, including dot-stuffing of the body (curl's tests
 * 901/1520), STARTTLS, SMTPS and AUTH. This runs in its own process, as
 * an unprivileged user (docs/security.md): vrrpd never maps libcurl.
 */
#include "sender.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../common/log.h"
#include "mailq.h"

#define STALL_EXTRA_S 60 /* whole transfer: connect timeout + this */

struct smtp_mail {
	struct mailq_item q; /* first: a queue item is its mail */
	char *text;
	size_t len, off;
	char what[96];	   /* for log lines: "VI_1: BACKUP -> MASTER" */
	uint32_t id;	   /* vrrpd's, for the report */
	int64_t queued_at; /* monotonic ms, in vrrpd */
	CURL *easy;
	char err[CURL_ERROR_SIZE];
	char reply[160]; /* the server's last refusal, for the log */
};

/* One per socket libcurl asks us to watch. */
struct smtp_sock {
	struct loop_io io;
	struct sender *s;
	struct smtp_sock *next;
};

/* The settings of the last MAILMSG_CONF. */
struct sender_conf {
	char *url, *mail_from, *user, *password, *ca_file;
	char *ca_pem; /* smtp_ca_file's text, read by vrrpd */
	struct curl_slist *rcpt;
	long connect_timeout;
	bool starttls, verify;
};

struct sender {
	struct loop *loop;
	sender_report_cb report;
	void *report_arg;
	CURLM *multi;
	struct sender_conf conf;
	/* replaced while a transfer used it: libcurl keeps pointing at its
	 * recipient list until that transfer ends */
	struct sender_conf retired;
	struct loop_timer curl_timer;  /* libcurl's own timeouts */
	struct loop_timer retry_timer; /* the next backoff expiry */
	struct loop_timer grace_timer; /* shutdown deadline */
	struct mailq queue; /* mailq.c decides which mail goes when */
	struct smtp_sock *socks;
	bool draining;
};

static void pump(struct sender *s);
static void conf_clear(struct sender_conf *c);

static void mail_free(struct smtp_mail *m)
{
	free(m->text);
	free(m);
}

/* --- libcurl <-> loop glue --------------------------------------------- */

static void check_done(struct sender *s);

static void on_sock_ready(struct loop *loop, struct loop_io *io, uint32_t ev)
{
	struct smtp_sock *ss = io->arg;
	struct sender *s = ss->s; /* ss may be freed by the call below */
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

static void sock_forget(struct sender *s, struct smtp_sock *ss)
{
	struct smtp_sock **pp;

	for (pp = &s->socks; *pp; pp = &(*pp)->next)
		if (*pp == ss) {
			*pp = ss->next;
			break;
		}
	loop_io_del(s->loop, &ss->io);
	free(ss);
}

static int on_curl_socket(CURL *e, curl_socket_t fd, int what, void *userp,
			  void *socketp)
{
	struct sender *s = userp;
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
		return loop_io_mod(s->loop, &ss->io, events) < 0 ? -1 : 0;
	ss = calloc(1, sizeof(*ss));
	if (!ss)
		return -1;
	ss->s = s;
	ss->io.fd = fd;
	ss->io.events = events;
	ss->io.cb = on_sock_ready;
	ss->io.arg = ss;
	if (loop_io_add(s->loop, &ss->io) < 0) {
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
	struct sender *s = userp;

	(void)multi;
	if (timeout_ms < 0)
		loop_timer_cancel(s->loop, &s->curl_timer);
	else
		loop_timer_in(s->loop, &s->curl_timer, timeout_ms);
	return 0;
}

static void curl_timer_fired(struct loop *loop, struct loop_timer *t)
{
	struct sender *s = t->arg;
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

static void transfer_tls(CURL *e, const struct sender_conf *c)
{
	if (c->starttls)
		curl_easy_setopt(e, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, c->verify ? 1L : 0L);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, c->verify ? 2L : 0L);
#if LIBCURL_VERSION_NUM >= 0x074d00
	if (c->ca_pem) {
		struct curl_blob blob = {.data = c->ca_pem,
					 .len = strlen(c->ca_pem),
					 .flags = CURL_BLOB_COPY};

		curl_easy_setopt(e, CURLOPT_CAINFO_BLOB, &blob);
		return;
	}
#endif
	if (c->ca_file)
		curl_easy_setopt(e, CURLOPT_CAINFO, c->ca_file);
}

static int transfer_start(struct sender *s, struct smtp_mail *m)
{
	const struct sender_conf *c = &s->conf;
	CURL *e;

	if (!c->url || !c->rcpt)
		return -EINVAL;
	e = curl_easy_init();
	if (!e)
		return -ENOMEM;
	m->off = 0;
	m->err[0] = '\0';
	m->reply[0] = '\0';
	curl_easy_setopt(e, CURLOPT_URL, c->url);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
#endif
	curl_easy_setopt(e, CURLOPT_MAIL_FROM, c->mail_from);
	curl_easy_setopt(e, CURLOPT_MAIL_RCPT, c->rcpt);
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
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, c->connect_timeout);
	curl_easy_setopt(e, CURLOPT_TIMEOUT,
			 c->connect_timeout + STALL_EXTRA_S);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L); /* no SIGALRM for DNS */
	/* a fresh connection for every attempt: after a failed transaction
	 * the server's state is unknown (a reused one gave "Weird server
	 * reply" / "MAIL failed: 503" in turn); alerts are rare */
	curl_easy_setopt(e, CURLOPT_FORBID_REUSE, 1L);
	curl_easy_setopt(e, CURLOPT_DEBUGFUNCTION, on_curl_debug);
	curl_easy_setopt(e, CURLOPT_DEBUGDATA, m);
	curl_easy_setopt(e, CURLOPT_VERBOSE, 1L); /* to on_curl_debug only */
	transfer_tls(e, c);
	if (c->user)
		curl_easy_setopt(e, CURLOPT_USERNAME, c->user);
	if (c->password)
		curl_easy_setopt(e, CURLOPT_PASSWORD, c->password);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, m->err);
	curl_easy_setopt(e, CURLOPT_PRIVATE, m);
	if (curl_multi_add_handle(s->multi, e) != CURLM_OK) {
		curl_easy_cleanup(e);
		return -ENOMEM;
	}
	m->easy = e;
	mailq_start(&s->queue, &m->q);
	return 0;
}

static void mail_done(struct sender *s, struct smtp_mail *m,
		      enum mailmsg_type ev)
{
	uint32_t id = m->id;

	mailq_remove(&s->queue, &m->q);
	mail_free(m);
	s->report(s->report_arg, ev, id);
}

static void transfer_end(struct sender *s, struct smtp_mail *m, CURLcode rc)
{
	char why[CURL_ERROR_SIZE + sizeof(m->reply) + 16];
	int64_t now = mono_ms(), wait;

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
	conf_clear(&s->retired);
	if (rc == CURLE_OK) {
		log_info("alert sent %lld ms after the event: %s",
			 (long long)(now - m->queued_at), m->what);
		mail_done(s, m, MAILMSG_SENT);
	} else if ((wait = mailq_failed(&s->queue, &m->q, now, s->draining)) >=
		   0) {
		log_warn("alert '%s' via %s: %s; retry %u of %d in %lld s",
			 m->what, s->conf.url, why, m->q.tries, MAILQ_RETRIES,
			 (long long)wait / 1000);
		s->report(s->report_arg, MAILMSG_RETRY, m->id);
	} else {
		log_err("alert '%s' via %s: %s; giving up after %u "
			"attempt(s); check smtp_server and the mail server",
			m->what, s->conf.url, why, m->q.tries);
		mail_done(s, m, MAILMSG_FAILED);
	}
}

static void check_done(struct sender *s)
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
static void pump(struct sender *s)
{
	int64_t now = mono_ms(), next = 0;
	struct mailq_item *it;

	if (s->queue.active)
		return;
	while ((it = mailq_next(&s->queue, now, &next))) {
		struct smtp_mail *m = (struct smtp_mail *)it;

		if (transfer_start(s, m) == 0)
			return;
		log_err("alert '%s': cannot start a transfer; dropped",
			m->what);
		mail_done(s, m, MAILMSG_FAILED);
	}
	if (s->draining)
		loop_stop(s->loop); /* nothing left that may go */
	else if (next)
		loop_timer_at(s->loop, &s->retry_timer, next);
}

/* --- queue ---------------------------------------------------------------- */

int sender_enqueue(struct sender *s, const struct mailmsg *mail)
{
	const char *text = mailmsg_get(mail, "text", 0);
	const char *what = mailmsg_get(mail, "what", 0);
	struct smtp_mail *m, *old;

	if (!text)
		return -EINVAL;
	if (!what)
		what = "alert";
	if (!(m = calloc(1, sizeof(*m))) || !(m->text = strdup(text))) {
		free(m);
		log_err("alert '%s': out of memory; dropped", what);
		s->report(s->report_arg, MAILMSG_DROPPED, mail->id);
		return -ENOMEM;
	}
	m->len = strlen(text);
	m->id = mail->id;
	snprintf(m->what, sizeof(m->what), "%s", what);
	m->queued_at =
	    mailmsg_get_num(mail, "queued_at", 0, INT64_MAX, mono_ms());
	old = (struct smtp_mail *)mailq_push(&s->queue, &m->q);
	if (old) {
		log_warn("alert queue full (%d): dropped the oldest, '%s'",
			 SENDER_QUEUE_MAX, old->what);
		mail_done(s, old, MAILMSG_DROPPED);
	}
	pump(s);
	return 0;
}

size_t sender_queued(const struct sender *s)
{
	return s->queue.n;
}

/* --- set-up and tear-down ------------------------------------------------- */

static void conf_clear(struct sender_conf *c)
{
	free(c->url);
	free(c->mail_from);
	free(c->user);
	free(c->password);
	free(c->ca_file);
	free(c->ca_pem);
	curl_slist_free_all(c->rcpt);
	memset(c, 0, sizeof(*c));
}

static char *dup_opt(const struct mailmsg *m, const char *key, bool *oom)
{
	const char *v = mailmsg_get(m, key, 0);
	char *d;

	if (!v || !*v)
		return NULL;
	if (!(d = strdup(v)))
		*oom = true;
	return d;
}

int sender_configure(struct sender *s, const struct mailmsg *msg)
{
	struct sender_conf c = {0};
	const char *rcpt;
	bool oom = false;
	size_t i;

	c.url = dup_opt(msg, "url", &oom);
	c.mail_from = dup_opt(msg, "mail_from", &oom);
	c.user = dup_opt(msg, "user", &oom);
	c.password = dup_opt(msg, "password", &oom);
	c.ca_file = dup_opt(msg, "ca_file", &oom);
	c.ca_pem = dup_opt(msg, "ca_pem", &oom);
	c.connect_timeout =
	    (long)mailmsg_get_num(msg, "connect_timeout", 1, 3600, 30);
	c.starttls = mailmsg_get_num(msg, "starttls", 0, 1, 0);
	c.verify = mailmsg_get_num(msg, "verify", 0, 1, 1);
	for (i = 0; (rcpt = mailmsg_get(msg, "rcpt", i)); i++) {
		struct curl_slist *l = curl_slist_append(c.rcpt, rcpt);

		if (!l) {
			oom = true;
			break;
		}
		c.rcpt = l;
	}
	if (oom || !c.url || !c.rcpt) {
		conf_clear(&c);
		return oom ? -ENOMEM : -EINVAL;
	}
	if (s->queue.active) {
		conf_clear(&s->retired);
		s->retired = s->conf;
	} else {
		conf_clear(&s->conf);
	}
	s->conf = c;
	log_info("alerts: %zu recipient(s) via %s", i, c.url);
	pump(s);
	return 0;
}

struct sender *sender_new(struct loop *loop, sender_report_cb report, void *arg)
{
	struct sender *s;

	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		log_err("libcurl initialisation failed; no alert will be sent");
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (!s || !(s->multi = curl_multi_init())) {
		free(s);
		curl_global_cleanup();
		return NULL;
	}
	mailq_init(&s->queue, SENDER_QUEUE_MAX);
	s->loop = loop;
	s->report = report;
	s->report_arg = arg;
	loop_timer_init(&s->curl_timer, curl_timer_fired, s);
	loop_timer_init(&s->retry_timer, retry_timer_fired, s);
	loop_timer_init(&s->grace_timer, grace_timer_fired, s);
	curl_multi_setopt(s->multi, CURLMOPT_SOCKETFUNCTION, on_curl_socket);
	curl_multi_setopt(s->multi, CURLMOPT_SOCKETDATA, s);
	curl_multi_setopt(s->multi, CURLMOPT_TIMERFUNCTION, on_curl_timer);
	curl_multi_setopt(s->multi, CURLMOPT_TIMERDATA, s);
	return s;
}

static void sender_free(struct sender *s)
{
	struct smtp_mail *m;

	while ((m = (struct smtp_mail *)s->queue.head)) {
		if (m->easy) {
			curl_multi_remove_handle(s->multi, m->easy);
			curl_easy_cleanup(m->easy);
		}
		mailq_remove(&s->queue, &m->q);
		mail_free(m);
	}
	loop_timer_cancel(s->loop, &s->curl_timer);
	loop_timer_cancel(s->loop, &s->retry_timer);
	loop_timer_cancel(s->loop, &s->grace_timer);
	curl_multi_cleanup(s->multi);
	while (s->socks) /* sockets libcurl did not tell us to forget */
		sock_forget(s, s->socks);
	conf_clear(&s->conf);
	conf_clear(&s->retired);
	free(s);
	curl_global_cleanup();
}

/*
 * vrrpd has gone (its "MASTER -> INIT (shutdown)" alert may be the last
 * frame): run the loop for at most SENDER_GRACE_MS so what is queued can
 * leave. Retries are off: a mail that fails now is dropped, never waited
 * for.
 */
void sender_close(struct sender *s)
{
	if (!s)
		return;
	s->draining = true;
	mailq_hurry(&s->queue);
	loop_timer_cancel(s->loop, &s->retry_timer);
	pump(s);
	if (s->queue.active) {
		loop_timer_in(s->loop, &s->grace_timer, SENDER_GRACE_MS);
		loop_run(s->loop);
		loop_timer_cancel(s->loop, &s->grace_timer);
	}
	if (s->queue.n)
		log_warn("alerts: %zu message(s) not delivered within %d ms of "
			 "shutdown; abandoned",
			 s->queue.n, SENDER_GRACE_MS);
	sender_free(s);
}
