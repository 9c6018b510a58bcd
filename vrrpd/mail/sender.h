/*
 * vrrpd-mail's SMTP sender: a bounded queue of finished messages (vrrpd
 * composes them) delivered by libcurl's multi interface on the event
 * loop. Failed sends are retried with backoff, then dropped; what became
 * of each message goes back to vrrpd through the report callback.
 */
#ifndef VRRPD_MAIL_SENDER_H
#define VRRPD_MAIL_SENDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../../common/loop.h"
#include "../mailmsg.h"

#define SENDER_QUEUE_MAX 64   /* an alert storm must not eat our memory */
#define SENDER_GRACE_MS	 2000 /* at shutdown, for the "-> INIT" alert */

struct sender;
/* ev: MAILMSG_SENT, _RETRY, _FAILED or _DROPPED for mail id. */
typedef void (*sender_report_cb)(void *arg, enum mailmsg_type ev, uint32_t id);

struct sender *sender_new(struct loop *loop, sender_report_cb report,
			  void *arg);
/* A MAILMSG_CONF frame: url, mail_from, rcpt (repeated), connect_timeout,
 * starttls, verify, ca_file, user, password. Mails not yet started go with
 * it. 0, -EINVAL (no url or recipient) or -ENOMEM. */
int sender_configure(struct sender *s, const struct mailmsg *conf);
/* A MAILMSG_MAIL frame: id, what, text, queued_at (monotonic ms). */
int sender_enqueue(struct sender *s, const struct mailmsg *mail);
/* Mails waiting or in flight. */
size_t sender_queued(const struct sender *s);
/* Gives what is queued one try within SENDER_GRACE_MS, running the loop;
 * then frees everything. */
void sender_close(struct sender *s);

#endif
