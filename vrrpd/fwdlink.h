/*
 * The forwarder (fwd) as vrrpd sees it over the control socket: whether it
 * is connected and how healthy each of its listeners is. Its health is a
 * tracker of the instances with track_forwarder; losing the connection
 * counts at once, so the peer can take over in milliseconds.
 */
#ifndef VRRPD_FWDLINK_H
#define VRRPD_FWDLINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/sbuf.h"
#include "../common/fwdproto.h"

struct vrrpd;
struct vrrp_instance;
struct ctl_client;

struct fwd_link {
	struct ctl_client *client; /* the connected forwarder, or NULL */
	struct fwd_health *listeners;
	size_t n_listeners;
	int64_t since_ms; /* of the last connect or disconnect */
	uint64_t connects, disconnects, health_updates, bad_lines;
};

void fwdlink_hello(struct vrrpd *d, struct ctl_client *cl, const char *line);
void fwdlink_health(struct vrrpd *d, struct ctl_client *cl, const char *line);
void fwdlink_closed(struct vrrpd *d, struct ctl_client *cl);
void fwdlink_free(struct vrrpd *d);

/* Connected, and every listener bound to one of vi's VIPs has a server
 * up. why (may be NULL) says what is wrong when it is not. */
bool fwdlink_healthy(const struct vrrpd *d, const struct vrrp_instance *vi,
		     char *why, size_t why_len);

/* Tells the forwarder about a transition of vi. */
void fwdlink_push_state(struct vrrpd *d, const struct vrrp_instance *vi);
void fwdlink_status_json(const struct vrrpd *d, struct sbuf *sb);

#endif
