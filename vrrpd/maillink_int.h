/*
 * Alert mail's vrrpd side in two files, one a job: maillink.c (the link
 * to vrrpd-mail: frames, reports, the queue kept until vrrpd-mail says
 * what became of each mail, and smtp.h's interface) and mailproc.c
 * (vrrpd-mail's life cycle: who it runs as, starting it, restarts with
 * backoff, letting it go, a change of user). Only those files include
 * this header.
 */
#ifndef VRRPD_MAILLINK_INT_H
#define VRRPD_MAILLINK_INT_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/loop.h"
#include "../common/sbuf.h"
#include "mailmsg.h"
#include "smtp.h"

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

/* --- maillink.c: the link ---------------------------------------------- */

/* Writes what is buffered, as far as the socket takes it. */
void maillink_flush(struct smtp *s);
/* Buffers one mail's frame, or the current settings' frame. */
void maillink_frame_mail(struct smtp *s, const struct pending_mail *p);
void maillink_frame_conf(struct smtp *s);
/* Closes our end; io.fd is -1 after. */
void maillink_close(struct smtp *s);
/* The link's loop callback: reports in, buffered frames out. */
void maillink_on_io(struct loop *loop, struct loop_io *io, uint32_t ev);

/* --- mailproc.c: vrrpd-mail's life cycle --------------------------------- */

/* Who vrrpd-mail runs as: script_user, else nobody; never root.
 * 0 or -ENOENT (no one to run it as). */
int mailer_user(struct vrrpd *d, struct run_as *u);
/* Where vrrpd-mail is: next to vrrpd (a build tree), else installed. */
void mailer_path(char *buf, size_t len);
/* Starts vrrpd-mail and hands it the settings and what is pending.
 * 0 or -errno. */
int mailer_start(struct smtp *s);
/* Starts vrrpd-mail if it is not running and may be started now. */
void mailer_want(struct smtp *s);
/* restart_timer's callback: the backoff is over. */
void mailer_restart_fired(struct loop *loop, struct loop_timer *t);
/* Lets vrrpd-mail go (it drains and exits), and closes the link. */
void mailer_release(struct smtp *s);
/* script_user changed (reload): the running vrrpd-mail hands over. */
void mailer_user_change(struct smtp *s, const struct run_as *u);

#endif
