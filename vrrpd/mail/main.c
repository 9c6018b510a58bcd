/*
 * vrrpd-mail: vrrpd's alert mailer, a process of its own (docs/security.md).
 * vrrpd starts it with one end of a socketpair as descriptor 3, already
 * as an unprivileged user with no capability; it reads the SMTP settings
 * and finished messages from there (mailmsg.h), delivers them with
 * libcurl (sender.c) and reports what became of each one. When vrrpd
 * closes its end, what is queued gets a short grace and it exits. With
 * nothing to send for MAILER_IDLE_MS it exits too (status 0): vrrpd starts
 * it again for the next mail, so that at idle no process maps libcurl.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../common/log.h"
#include "../mailmsg.h"
#include "sender.h"

#define LINK_FD	       3
#define MAILER_IDLE_MS 30000

struct mailer {
	struct loop loop;
	struct loop_io io;
	struct mailmsg_rx rx;
	struct sender *sender;
	struct loop_timer idle;
	bool bad; /* it sent a bad frame: a failure, not an idle exit */
};

/* Reports are a few bytes and vrrpd reads them at once: a blocking write
 * is short, and a vrrpd that is gone makes it fail, not hang. They are
 * sent after vrrpd's end of file too: at shutdown vrrpd only shuts down
 * its writing side and reads on, to learn what its last mails became. */
static void report(void *arg, enum mailmsg_type ev, uint32_t id)
{
	struct mailer *m = arg;
	struct sbuf sb;
	size_t off = 0;

	if (ev != MAILMSG_RETRY && !sender_queued(m->sender))
		loop_timer_in(&m->loop, &m->idle, MAILER_IDLE_MS);
	sbuf_init(&sb);
	mailmsg_end(&sb, mailmsg_begin(&sb, ev, id));
	while (off < sb.len) {
		ssize_t n =
		    send(LINK_FD, sb.buf + off, sb.len - off, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	sbuf_free(&sb);
}

static void dispatch(struct mailer *m, const struct mailmsg *msg)
{
	int rc;

	switch (msg->type) {
	case MAILMSG_CONF:
		rc = sender_configure(m->sender, msg);
		if (rc < 0)
			log_err("alerts: the mail settings from vrrpd are not "
				"usable (%s); mail waits for the next ones",
				strerror(-rc));
		break;
	case MAILMSG_MAIL:
		loop_timer_cancel(&m->loop, &m->idle);
		if (sender_enqueue(m->sender, msg) == -EINVAL)
			log_err("a mail from vrrpd without a text; ignored");
		break;
	default:
		log_err("unexpected %s frame from vrrpd; ignored",
			mailmsg_type_str(msg->type));
	}
}

static void on_link(struct loop *loop, struct loop_io *io, uint32_t ev)
{
	struct mailer *m = io->arg;
	struct mailmsg msg;
	char buf[16384];
	ssize_t n;
	int rc;

	(void)ev;
	n = recv(io->fd, buf, sizeof(buf), MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		loop_stop(loop);
		return;
	}
	mailmsg_rx_feed(&m->rx, buf, (size_t)n);
	while ((rc = mailmsg_rx_next(&m->rx, &msg)) > 0)
		dispatch(m, &msg);
	if (rc < 0) {
		log_err("bad frame from vrrpd (%s); stopping", strerror(-rc));
		m->bad = true;
		loop_stop(loop);
	}
}

/* Idle: exit; a mail vrrpd sends meanwhile is one it keeps until told
 * what became of it, so it starts us again and sends it anew. */
static void idle_fired(struct loop *loop, struct loop_timer *t)
{
	(void)t;
	log_debug("nothing to mail for %d s; exiting until the next alert",
		  MAILER_IDLE_MS / 1000);
	loop_stop(loop);
}

/* SIGTERM to the whole service (systemd) must not stop us before vrrpd
 * has handed over its last alert: we end when vrrpd closes the link. */
static void on_ignored(struct loop *loop, int signo, void *arg)
{
	(void)loop;
	(void)signo;
	(void)arg;
}

static int parse_args(int argc, char **argv, bool *use_syslog, int *level)
{
	int ch;

	while ((ch = getopt(argc, argv, "l:S")) != -1) {
		switch (ch) {
		case 'l':
			*level = (int)strtol(optarg, NULL, 10);
			if (*level < LOG_ERR || *level > LOG_DEBUG)
				*level = LOG_INFO;
			break;
		case 'S':
			*use_syslog = true;
			break;
		default:
			return -1;
		}
	}
	return optind == argc ? 0 : -1;
}

int main(int argc, char **argv)
{
	struct mailer m;
	bool use_syslog = false;
	int level = LOG_INFO, rc;
	struct stat st;

	if (parse_args(argc, argv, &use_syslog, &level) < 0 ||
	    fstat(LINK_FD, &st) < 0 || !S_ISSOCK(st.st_mode)) {
		fprintf(stderr,
			"vrrpd-mail: vrrpd starts this with its link "
			"as descriptor 3; not meant to be run by hand\n");
		return 2;
	}
	log_init("vrrpd-mail", use_syslog, level);
	/* vrrpd never starts us as root (it picks script_user or nobody);
	 * should it ever, no mail code runs with privileges */
	if (geteuid() == 0 || getuid() == 0) {
		log_err("running as root; refusing (vrrpd should have started "
			"this as its script user)");
		return 1;
	}
	/* nothing can ever be gained by an execve from here, and a process
	 * of the same user (a track script) cannot ptrace us for the SMTP
	 * password */
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	signal(SIGPIPE, SIG_IGN);
	memset(&m, 0, sizeof(m));
	mailmsg_rx_init(&m.rx);
	m.io.fd = LINK_FD;
	m.io.events = EPOLLIN;
	m.io.cb = on_link;
	m.io.arg = &m;
	if ((rc = loop_init(&m.loop)) < 0 ||
	    (rc = loop_signal(&m.loop, SIGTERM, on_ignored, &m)) < 0 ||
	    (rc = loop_signal(&m.loop, SIGINT, on_ignored, &m)) < 0 ||
	    (rc = loop_signal(&m.loop, SIGHUP, on_ignored, &m)) < 0 ||
	    (rc = loop_io_add(&m.loop, &m.io)) < 0) {
		log_err("start-up: %s", strerror(-rc));
		return 1;
	}
	m.sender = sender_new(&m.loop, report, &m);
	if (!m.sender)
		return 1;
	loop_timer_init(&m.idle, idle_fired, &m);
	loop_timer_in(&m.loop, &m.idle, MAILER_IDLE_MS);
	rc = loop_run(&m.loop);
	loop_timer_cancel(&m.loop, &m.idle);
	loop_io_del(&m.loop, &m.io);
	sender_close(m.sender);
	mailmsg_rx_free(&m.rx);
	close(LINK_FD);
	loop_free(&m.loop);
	/* 0 tells vrrpd "idle": it would start us at once with the same
	 * frames; a failure gets its restart backoff */
	return rc < 0 || m.bad ? 1 : 0;
}
