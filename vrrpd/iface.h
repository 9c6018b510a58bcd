/*
 * The interfaces vrrpd sends and receives on: one raw socket each (net.c),
 * shared by the instances on it. Built from a configuration against the
 * running set, the same way at start-up (nothing running) and at reload.
 */
#ifndef VRRPD_IFACE_H
#define VRRPD_IFACE_H

#include <stddef.h>
#include <sys/types.h>

#include "../common/sbuf.h"

struct vrrpd;
struct vrrp_iface;
struct conf;

struct iface_plan {
	struct vrrp_iface *v;
	ssize_t *from; /* per entry: its index in d->ifaces, or -1 (opened) */
	size_t n;
};

/* The interface called name in v[0..n), or NULL. */
struct vrrp_iface *iface_find(struct vrrp_iface *v, size_t n, const char *name);
/*
 * One entry per interface c's instances name: d's running one when d has
 * it, else opened now. Checks that each instance can send from it (an
 * IPv4 address or unicast_src_ip; IPv6: a link-local address). On failure
 * appends "FILE:LINE: ..." lines to err, closes what it opened and
 * returns -errno; nothing running is touched either way.
 */
int ifaces_build(struct vrrpd *d, const struct conf *c, struct iface_plan *p,
		 struct sbuf *err);
/* Makes p's interfaces d's: kept sockets move (their epoll entries with
 * them), those no longer named are closed. p is left empty. */
void ifaces_commit(struct vrrpd *d, struct iface_plan *p);
/* Undoes ifaces_build (closes what it opened). */
void ifaces_discard(struct vrrpd *d, struct iface_plan *p);

#endif
