#include "iface.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vrrpd.h"

struct vrrp_iface *iface_find(struct vrrp_iface *v, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(v[i].name, name) == 0)
			return &v[i];
	return NULL;
}

/* Can the instance send from ifc? Says why not in err. */
static int iface_fits(const struct conf *c, const struct conf_instance *in,
		      const struct vrrp_iface *ifc, struct sbuf *err)
{
	if (in->family == AF_INET6 &&
	    (ifc->io6.fd < 0 || IN6_IS_ADDR_UNSPECIFIED(&ifc->ll6))) {
		sbuf_printf(err,
			    "%s:%d: vrrp_instance %s: interface %s has no IPv6 "
			    "link-local address (or IPv6 is off); VRRPv3 over "
			    "IPv6 sends from it\n",
			    c->file, in->line, in->name, in->interface);
		return -EADDRNOTAVAIL;
	}
	if (in->family != AF_INET6 && !in->has_unicast_src &&
	    !ifc->primary.s_addr) {
		sbuf_printf(err,
			    "%s:%d: vrrp_instance %s: interface %s has no IPv4 "
			    "address; add one or set unicast_src_ip\n",
			    c->file, in->line, in->name, in->interface);
		return -EADDRNOTAVAIL;
	}
	return 0;
}

/* The entry for the instance's interface: found, taken from d, or opened. */
static int iface_get(struct vrrpd *d, const struct conf *c,
		     const struct conf_instance *in, struct iface_plan *p,
		     struct sbuf *err)
{
	struct vrrp_iface *ifc = iface_find(p->v, p->n, in->interface);
	struct vrrp_iface *old;
	int rc;

	if (!ifc) {
		ifc = &p->v[p->n];
		old = iface_find(d->ifaces, d->n_ifaces, in->interface);
		p->from[p->n++] = old ? old - d->ifaces : -1;
		if (old) {
			*ifc = *old;
		} else {
			snprintf(ifc->name, IF_NAMESIZE, "%s", in->interface);
			rc = net_iface_open(d, ifc);
			if (rc < 0) {
				sbuf_printf(err,
					    "%s:%d: vrrp_instance %s: cannot "
					    "use interface %s: %s\n",
					    c->file, in->line, in->name,
					    in->interface, strerror(-rc));
				return rc;
			}
		}
	}
	return iface_fits(c, in, ifc, err);
}

int ifaces_build(struct vrrpd *d, const struct conf *c, struct iface_plan *p,
		 struct sbuf *err)
{
	size_t i;
	int rc = 0;

	p->n = 0;
	p->v = calloc(c->n_instances + 1, sizeof(*p->v));
	p->from = calloc(c->n_instances + 1, sizeof(*p->from));
	if (!p->v || !p->from) {
		sbuf_printf(err, "%s:0: out of memory\n", c->file);
		rc = -ENOMEM;
	}
	for (i = 0; rc == 0 && i < c->n_instances; i++)
		rc = iface_get(d, c, &c->instances[i], p, err);
	if (rc < 0)
		ifaces_discard(d, p);
	return rc;
}

void ifaces_discard(struct vrrpd *d, struct iface_plan *p)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		if (p->from[i] < 0)
			net_iface_close(d, &p->v[i]);
	free(p->v);
	free(p->from);
	memset(p, 0, sizeof(*p));
}

static void iface_move(struct vrrpd *d, struct vrrp_iface *to,
		       struct vrrp_iface *from)
{
	int rc;

	/* epoll holds the io's address: register the moved one again */
	loop_io_del(&d->loop, &from->io);
	if (from->io6.fd >= 0)
		loop_io_del(&d->loop, &from->io6);
	*to = *from;
	to->io.arg = to;
	to->io6.arg = to;
	from->io.fd = -1;
	from->io6.fd = -1;
	if (to->io6.fd >= 0 && loop_io_add(&d->loop, &to->io6) < 0)
		log_err("%s: cannot watch the IPv6 socket again after reload",
			to->name);
	rc = loop_io_add(&d->loop, &to->io);
	if (rc < 0)
		log_err("%s: cannot watch the socket again after reload: %s",
			to->name, strerror(-rc));
}

void ifaces_commit(struct vrrpd *d, struct iface_plan *p)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		if (p->from[i] >= 0)
			iface_move(d, &p->v[i], &d->ifaces[p->from[i]]);
	for (i = 0; i < d->n_ifaces; i++)
		net_iface_close(d, &d->ifaces[i]);
	free(d->ifaces);
	free(p->from);
	d->ifaces = p->v;
	d->n_ifaces = p->n;
	memset(p, 0, sizeof(*p));
}
