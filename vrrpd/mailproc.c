/*
 * vrrpd-mail's life cycle, for maillink.c: who it runs as (never root),
 * where it is, starting it with the settings and the mail not done yet,
 * starting it again after a failure (with backoff, mailbackoff.h), letting
 * it go at tear-down, and a change of script_user, which it hands over
 * without losing or doubling a mail.
 */
#include "maillink_int.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mailbackoff.h"

#ifndef VRRPD_MAIL_PATH
#define VRRPD_MAIL_PATH "/usr/local/libexec/vrrpd-mail"
#endif

static void mailer_exited(struct proc *p, int status, void *arg);

/* Resolves who vrrpd-mail runs as: script_user, else nobody; never root. */
int mailer_user(struct vrrpd *d, struct run_as *u)
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
void mailer_path(char *buf, size_t len)
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

int mailer_start(struct smtp *s)
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
	s->io.cb = maillink_on_io;
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
	maillink_frame_conf(s);
	/* what the last one had not done, in order */
	for (p = s->head; p; p = p->next)
		maillink_frame_mail(s, p);
	maillink_flush(s);
	return 0;
}

/* Starts vrrpd-mail if it is not running and may be started now. */
void mailer_want(struct smtp *s)
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
void mailer_restart_fired(struct loop *loop, struct loop_timer *t)
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
	maillink_close(s);
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

/* Lets vrrpd-mail go: it mails what it has within its grace and exits
 * (reaped by procs, no longer ours). */
void mailer_release(struct smtp *s)
{
	if (s->proc)
		s->proc->done = NULL;
	s->proc = NULL;
	loop_timer_cancel(&s->d->loop, &s->restart_timer);
	maillink_close(s);
}

/*
 * script_user changed (reload): vrrpd-mail must run as the new user. The
 * running one gets end of file (our writing side shut), mails what it
 * holds and reports on each as at shutdown; what it sent is done, what it
 * could not send stays ours, as do mails queued meanwhile, and all go to
 * the next vrrpd-mail, started as the new user when this one has exited
 * (mailer_exited). Nothing is lost, and nothing is handed to both.
 */
void mailer_user_change(struct smtp *s, const struct run_as *u)
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
