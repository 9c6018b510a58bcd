/*
 * The forwarder (fwd) as vrrpd sees it over the control socket: whether it
 * is connected and how healthy each of its listeners is. Its health is a
 * tracker of the instances with track_forwarder; losing the connection
 * counts at once, so the peer can take over in milliseconds, and so does
 * the silence of a version 2 forwarder (no heartbeat within the bound).
 */
#ifndef VRRPD_FWDLINK_H
#define VRRPD_FWDLINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/fwdproto.h"
#include "../common/loop.h"
#include "../common/sbuf.h"
#include "fwdtrack.h"

struct vrrpd;
struct vrrp_instance;
struct ctl_client;

struct fwd_link {
	struct ctl_client *client; /* the connected forwarder, or NULL */
	struct fwd_health *listeners;
	size_t n_listeners;
	int64_t since_ms; /* of the last connect or disconnect */
	int version;	  /* agreed in hello */
	int64_t last_heard_ms;
	bool silent;		 /* past the silence bound, counted lost */
	unsigned deferrals;	 /* silence checks put off for unread input */
	struct loop_timer timer; /* silence bounds and hold ends */
	uint64_t connects, disconnects, health_updates, bad_lines;
	uint64_t heartbeats, silences;
};

void fwdlink_init(struct vrrpd *d);

void fwdlink_hello(struct vrrpd *d, struct ctl_client *cl, const char *line);
void fwdlink_health(struct vrrpd *d, struct ctl_client *cl, const char *line);
void fwdlink_heartbeat(struct vrrpd *d, struct ctl_client *cl);
void fwdlink_closed(struct vrrpd *d, struct ctl_client *cl);
void fwdlink_free(struct vrrpd *d);

/* The link as vi's track_forwarder sees it (fwdtrack.h). */
void fwdlink_view(const struct vrrpd *d, const struct vrrp_instance *vi,
		  struct fwdtrack_link *out);
/* After trackers were evaluated: wakes up at the earliest silence bound
 * or hold end any instance asked for. */
void fwdlink_schedule(struct vrrpd *d);

/* Tells the forwarder about a transition of vi. */
void fwdlink_push_state(struct vrrpd *d, const struct vrrp_instance *vi);
void fwdlink_status_json(const struct vrrpd *d, struct sbuf *sb);

#endif
