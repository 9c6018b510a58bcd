/*
 * Transition alerts, coalesced per instance: at most one mail per
 * smtp_alert_interval, the transitions in between in one summary
 * (alertq.c decides, alert.c composes, smtp.c sends).
 */
#ifndef VRRPD_ALERTMAIL_H
#define VRRPD_ALERTMAIL_H

#include <stddef.h>
#include <stdint.h>

#include "../common/loop.h"
#include "fsm.h"

struct vrrpd;
struct vrrp_instance;
struct alertmail_inst;

struct alertmail {
	struct vrrpd *d; /* NULL: no alert is sent */
	struct alertmail_inst *insts;
	size_t n_insts;
	struct loop_timer timer;       /* the next summary */
	uint64_t coalesced, summaries; /* transitions held; mails of them */
};

/* smtp_open/smtp_close call these around the sender's life. */
void alertmail_init(struct alertmail *a, struct vrrpd *d);
/* Mails what is held now (shutdown, a new sender). */
void alertmail_flush(struct alertmail *a);
void alertmail_free(struct alertmail *a);
/* Transitions waiting for a summary. */
size_t alertmail_held(const struct alertmail *a);

/* A transition of vi: mailed now or held; a no-op unless
 * vi->cfg->smtp_alert and a sender is configured. */
void alertmail_transition(struct vrrpd *d, const struct vrrp_instance *vi,
			  enum vrrp_state from, enum vrrp_state to,
			  const char *reason);

#endif
