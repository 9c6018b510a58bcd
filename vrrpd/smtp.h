/*
 * Alert mail, vrrpd's side (maillink.c, mailproc.c): messages composed
 * by alert.c are handed to vrrpd-mail, a process of its own that queues,
 * retries and delivers them with libcurl (vrrpd/mail/), so a slow or dead
 * mail server never delays VRRP and vrrpd never maps libcurl. Failed
 * sends are retried with backoff, then logged and dropped.
 */
#ifndef VRRPD_SMTP_H
#define VRRPD_SMTP_H

#include "../common/ctl.h"
#include "../common/sbuf.h"
#include "vrrpd.h"

/* d->smtp stays NULL when there is no smtp_server or no recipient.
 * 0 or -errno. */
int smtp_open(struct vrrpd *d);
/* New mail settings (reload): passed to vrrpd-mail, which sends what is
 * queued with them; alerts start or stop when they are turned on or off. */
void smtp_reload(struct vrrpd *d);
/* Gives pending mail a short bounded grace (the shutdown alert), then
 * frees everything; what is still pending is abandoned with a log line. */
void smtp_close(struct vrrpd *d);

struct alert_env;
/* Sender, recipients, time and a fresh sequence number for a mail. */
void smtp_env_fill(struct smtp *s, struct alert_env *env);
/* Queues a whole message, taking the text out of sb. 0 or -ENOMEM. */
int smtp_enqueue(struct smtp *s, struct sbuf *sb, const char *what, bool test);
/* `alert-test`: queues a test message and replies {"ok":true,"queued":1},
 * or an error when no alert can be sent. */
void smtp_alert_test(struct vrrpd *d, struct ctl_client *cl);
/* fwd's "certwarn" line (certwarn.h): one mail, when alerts are on. */
void smtp_alert_cert(struct vrrpd *d, struct ctl_client *cl, const char *line);

/* Appends ,"alerts":{...} (counters) to the status object. */
void smtp_status_json(const struct vrrpd *d, struct sbuf *sb);

#endif
