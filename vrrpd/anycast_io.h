/*
 * The anycast instances at run time: the trackers' verdict fed to the
 * state machine (anycast.c), its actions applied with vrrpd's own address,
 * notify and alert code. A BGP speaker on the node (FRR, BIRD, GoBGP)
 * announces what the interface holds; vrrpd never talks to it.
 */
#ifndef VRRPD_ANYCAST_IO_H
#define VRRPD_ANYCAST_IO_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/loop.h"
#include "../common/sbuf.h"
#include "anycast.h"

struct vrrpd;
struct vrrp_instance;
struct conf;
struct conf_anycast;

struct anycast_instance {
	/* what vip.c, notify.c, fwdlink.c and smtp.c take: d, cfg (the
	 * conf's base), trackers and the notify queue */
	struct vrrp_instance *vi;
	const struct conf_anycast *cfg;
	struct anycast_fsm fsm;
	struct loop_timer timer; /* hold_down's end */
	char last_reason[160];
	int64_t since_ms; /* of the last transition */
	uint64_t announces, withdrawals;
};

struct anycast_set {
	struct anycast_instance *v;
	size_t n;
	uint64_t fwd_told; /* fwd.connects when it last got our states */
};

/* Set up from d->conf; 0 or -errno. */
int anycast_setup(struct vrrpd *d);
/* Removes addresses a crashed run left, then reads the trackers. */
void anycast_start(struct vrrpd *d);
/* Withdraws everything (shutdown). */
void anycast_stop(struct vrrpd *d);
void anycast_free(struct vrrpd *d);
/* A tracker changed (instances_trackers_changed). */
void anycast_trackers_changed(struct vrrpd *d, const char *why);
/* Appends "anycast":[...], (only: one name, or NULL); *found set when
 * only matched. */
void anycast_status_json(const struct vrrpd *d, struct sbuf *sb,
			 const char *only, bool *found);
/* For fwdlink.c's silence watch: the shortest track_forwarder timeout
 * and the earliest time a forwarder tracker wants a fresh look (0: none). */
int64_t anycast_fwd_timeout_ms(const struct vrrpd *d);
int64_t anycast_fwd_next_ms(const struct vrrpd *d);
/* Someone else removed addr: an ANNOUNCED instance that holds it puts it
 * back. True when one did. */
bool anycast_addr_removed(struct vrrpd *d, struct in_addr addr);
/* vrrpd --cleanup: removes every anycast address; how many were there. */
int anycast_cleanup(struct vrrpd *d);
/* anycast_track.c: (re)builds vi's trackers from vi->cfg; 0 or -ENOMEM. */
int anycast_trackers_setup(struct vrrp_instance *vi);
/* Reads every tracker; false with the first failure named in why. */
bool anycast_trackers_healthy(struct anycast_instance *ai, char *why,
			      size_t len);
/* After reload swapped d->conf (old is still valid): kept instances keep
 * their state, new ones start, gone ones withdraw. */
void anycast_reload(struct vrrpd *d, const struct conf *old);

#endif
