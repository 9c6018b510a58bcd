/*
 * Link and address events from rtnetlink (libmnl): tracked interfaces
 * going down or up, and VIPs that something else removes while we are
 * Master. Events, not polling.
 */
#ifndef VRRPD_LINK_H
#define VRRPD_LINK_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/loop.h"

struct vrrpd;
struct conf;
struct mnl_socket;

struct vrrp_link {
	char name[IF_NAMESIZE];
	bool up; /* present, administratively up, and with carrier */
};

struct link_watch {
	struct mnl_socket *nl;
	struct loop_io io;
	uint64_t events, overruns, vips_restored;
};

/* The links a configuration watches, built against the running ones. */
struct link_plan {
	const struct vrrp_link *old; /* d's links, or NULL at start-up */
	size_t n_old;
	struct vrrp_link *v; /* built */
	size_t n;
};

/* Every interface c's instances use or track, once: a known one keeps its
 * state, a new one is read now (ioctl). 0 or -ENOMEM. */
int link_build(const struct conf *c, struct link_plan *s);
/* Makes s's links d's (s is left empty). */
void link_commit(struct vrrpd *d, struct link_plan *s);
/* Opens the netlink watch. 0 or -errno. */
int link_setup(struct vrrpd *d);
void link_free(struct vrrpd *d);
struct vrrp_link *link_find(struct vrrpd *d, const char *name);

#endif
