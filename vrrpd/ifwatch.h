/*
 * The interface watcher: link and address events from rtnetlink (libmnl).
 * Tracked interfaces going down or up, a sending interface re-created
 * (its socket opened again), its address changing (the adverts' source
 * follows), and VIPs that something else removes while we are Master
 * (put back). Events, not polling.
 */
#ifndef VRRPD_IFWATCH_H
#define VRRPD_IFWATCH_H

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

struct ifwatch {
	struct mnl_socket *nl;
	struct loop_io io;
	uint64_t events, overruns, vips_restored;
};

/* The links a configuration watches, built against the running ones. */
struct ifwatch_plan {
	const struct vrrp_link *old; /* d's links, or NULL at start-up */
	size_t n_old;
	struct vrrp_link *v; /* built */
	size_t n;
};

/* Every interface c's instances use or track, once: a known one keeps its
 * state, a new one is read now (ioctl). 0 or -ENOMEM. */
int ifwatch_build(const struct conf *c, struct ifwatch_plan *s);
/* Makes s's links d's (s is left empty). */
void ifwatch_commit(struct vrrpd *d, struct ifwatch_plan *s);
/* Opens the netlink watch. 0 or -errno. */
int ifwatch_open(struct vrrpd *d);
void ifwatch_free(struct vrrpd *d);
struct vrrp_link *ifwatch_find(struct vrrpd *d, const char *name);

#endif
