/*
 * Link and address events from rtnetlink (libmnl): tracked interfaces
 * going down or up, and VIPs that something else removes while we are
 * Master. Events, not polling.
 */
#ifndef VRRPD_LINK_H
#define VRRPD_LINK_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>

#include "../common/loop.h"

struct vrrpd;
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

/* Collects the tracked names and reads their state now. 0 or -errno. */
int link_setup(struct vrrpd *d);
void link_free(struct vrrpd *d);
struct vrrp_link *link_find(struct vrrpd *d, const char *name);

#endif
