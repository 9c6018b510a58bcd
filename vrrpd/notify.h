/*
 * notify_master / notify_backup / notify_fault / notify_stop and the
 * generic `notify` ("INSTANCE" name state priority), as keepalived calls
 * them: asynchronously, one at a time per instance, in transition order.
 */
#ifndef VRRPD_NOTIFY_H
#define VRRPD_NOTIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fsm.h"

#define NOTIFY_QUEUE_MAX 32

struct vrrp_instance;

struct notify_item {
	char *cmd;
	struct notify_item *next;
};

struct notify_queue {
	struct notify_item *head, *tail;
	size_t len;
	bool running;
	uint64_t runs, failures, dropped;
};

/* The state name keepalived passes: MASTER, BACKUP, FAULT, STOP. */
const char *notify_state_str(enum vrrp_state s);

/* Queues the scripts configured for a transition into state `to`. */
void notify_transition(struct vrrp_instance *vi, enum vrrp_state to);
/* The same for a state with no vrrp_state (an anycast_instance): runs
 * specific (may be NULL), then `notify TYPE NAME STATE 0`. */
void notify_named(struct vrrp_instance *vi, const char *specific,
		  const char *type, const char *state);
void notify_free(struct notify_queue *q);

#endif
