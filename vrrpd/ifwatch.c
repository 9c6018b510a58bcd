#include "ifwatch.h"

#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "iface.h"
#include "vrrpd.h"

struct vrrp_link *ifwatch_find(struct vrrpd *d, const char *name)
{
	size_t i;

	for (i = 0; i < d->n_links; i++)
		if (!strcmp(d->links[i].name, name))
			return &d->links[i];
	return NULL;
}

static bool flags_up(unsigned flags)
{
	return (flags & IFF_UP) && (flags & IFF_RUNNING);
}

/* The state right now, by ioctl on fd (any AF_INET socket, or -1). */
static bool link_up_now(int fd, const char *name)
{
	struct ifreq ifr = {0};

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	return fd >= 0 && ioctl(fd, SIOCGIFFLAGS, &ifr) == 0 &&
	       flags_up((unsigned)ifr.ifr_flags);
}

/* After an overrun: every link's state read again. */
static void ifwatch_poll_all(struct vrrpd *d)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	size_t i;

	for (i = 0; i < d->n_links; i++)
		d->links[i].up = link_up_now(fd, d->links[i].name);
	if (fd >= 0)
		close(fd);
}

static void link_add(struct ifwatch_plan *s, int fd, const char *name)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (!strcmp(s->v[i].name, name))
			return;
	snprintf(s->v[s->n].name, IF_NAMESIZE, "%s", name);
	for (i = 0; i < s->n_old; i++)
		if (!strcmp(s->old[i].name, name))
			break;
	s->v[s->n++].up = i < s->n_old ? s->old[i].up : link_up_now(fd, name);
}

static void links_of(struct ifwatch_plan *s, int fd,
		     const struct conf_instance *c)
{
	size_t j;

	link_add(s, fd, c->interface);
	for (j = 0; j < c->n_track_ifs; j++)
		link_add(s, fd, c->track_ifs[j].name);
}

int ifwatch_build(const struct conf *c, struct ifwatch_plan *s)
{
	size_t i, cap = 0;
	int fd;

	for (i = 0; i < c->n_anycast; i++)
		cap += 1 + c->anycast[i].base.n_track_ifs;
	for (i = 0; i < c->n_instances; i++)
		cap += 1 + c->instances[i].n_track_ifs;
	s->v = calloc(cap + 1, sizeof(*s->v));
	s->n = 0;
	if (!s->v)
		return -ENOMEM;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	/* the VRRP instances' interfaces first, then anycast's */
	for (i = 0; i < c->n_instances; i++)
		links_of(s, fd, &c->instances[i]);
	for (i = 0; i < c->n_anycast; i++)
		links_of(s, fd, &c->anycast[i].base);
	if (fd >= 0)
		close(fd);
	return 0;
}

void ifwatch_commit(struct vrrpd *d, struct ifwatch_plan *s)
{
	free(d->links);
	d->links = s->v;
	d->n_links = s->n;
	s->v = NULL;
	s->n = 0;
}

static void link_set(struct vrrpd *d, const char *name, bool up)
{
	struct vrrp_link *l = ifwatch_find(d, name);
	char why[80];

	if (!l || l->up == up)
		return;
	l->up = up;
	snprintf(why, sizeof(why), "interface %s %s", name, up ? "up" : "down");
	log_info("%s", why);
	instances_trackers_changed(d, why);
}

static int attr_cb(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(a);

	if (type <= IFLA_MAX)
		tb[type] = a;
	return MNL_CB_OK;
}

/*
 * An interface we send on was deleted and created again under the same
 * name: the raw socket is still bound to the old ifindex (SO_BINDTODEVICE
 * and the multicast membership keep the number, not the name), so it
 * would hear nothing and fail every send. Open it again on the new one.
 */
static void iface_rebind(struct vrrpd *d, const char *name, int ifindex)
{
	struct vrrp_iface *ifc = iface_find(d->ifaces, d->n_ifaces, name);
	struct in_addr primary;
	int old, rc;

	if (!ifc || ifc->ifindex == ifindex)
		return;
	primary = ifc->primary;
	old = ifc->ifindex;
	net_iface_close(d, ifc);
	rc = net_iface_open(d, ifc);
	if (!ifc->primary.s_addr)
		ifc->primary = primary; /* no address yet: keep ours */
	if (rc < 0)
		log_err("interface %s is back (index %d, was %d) but its "
			"socket cannot be opened again: %s",
			name, ifindex, old, strerror(-rc));
	else
		log_info("interface %s is back (index %d, was %d); socket "
			 "opened again",
			 name, ifc->ifindex, old);
}

static void on_link_msg(struct vrrpd *d, const struct nlmsghdr *nlh)
{
	const struct ifinfomsg *ifm = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[IFLA_MAX + 1] = {0};
	const char *name;

	mnl_attr_parse(nlh, sizeof(*ifm), attr_cb, tb);
	if (!tb[IFLA_IFNAME])
		return;
	name = mnl_attr_get_str(tb[IFLA_IFNAME]);
	if (nlh->nlmsg_type == RTM_NEWLINK && ifm->ifi_index > 0)
		iface_rebind(d, name, ifm->ifi_index);
	link_set(d, name,
		 nlh->nlmsg_type == RTM_NEWLINK && flags_up(ifm->ifi_flags));
}

static int addr_attr_cb(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(a);

	if (type <= IFA_MAX)
		tb[type] = a;
	return MNL_CB_OK;
}

/* Someone removed an address: if it is a VIP we hold as Master, put it
 * back (NetworkManager or an operator's `ip addr flush`). */
static bool vip_is(const struct conf_vip *v, int family, const void *addr)
{
	if ((v->family == AF_INET6) != (family == AF_INET6))
		return false;
	return family == AF_INET6 ? memcmp(&v->addr6, addr, 16) == 0
				  : memcmp(&v->addr, addr, 4) == 0;
}

static void on_addr_removed(struct vrrpd *d, const struct nlmsghdr *nlh)
{
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[IFA_MAX + 1] = {0};
	const struct nlattr *at;
	uint8_t addr[16];
	size_t i, j, alen;

	if (ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6)
		return;
	alen = ifa->ifa_family == AF_INET6 ? 16 : 4;
	mnl_attr_parse(nlh, sizeof(*ifa), addr_attr_cb, tb);
	/* IPv6 addresses come as IFA_ADDRESS alone */
	at = ifa->ifa_family == AF_INET6 ? tb[IFA_ADDRESS] : tb[IFA_LOCAL];
	if (!at || mnl_attr_get_payload_len(at) != alen)
		return;
	memcpy(addr, mnl_attr_get_payload(at), alen);
	for (i = 0; i < d->n_inst; i++) {
		struct vrrp_instance *vi = &d->inst[i];

		if (vi->fsm.state != VRRP_STATE_MASTER)
			continue;
		for (j = 0; j < vi->cfg->n_vips; j++) {
			char ip[INET6_ADDRSTRLEN];

			if (!vip_is(&vi->cfg->vips[j], ifa->ifa_family, addr))
				continue;
			log_warn("%s: virtual address %s was removed by "
				 "something else while we are Master; "
				 "restoring it",
				 vi->cfg->name,
				 vip_str(&vi->cfg->vips[j], ip, sizeof(ip)));
			vip_add_all(vi);
			d->ifwatch.vips_restored++;
		}
	}
	if (ifa->ifa_family == AF_INET) {
		struct in_addr a4;

		memcpy(&a4, addr, 4);
		if (anycast_addr_removed(d, a4))
			d->ifwatch.vips_restored++;
	}
}

/* An IPv4 address came or went on an interface we send on: the adverts'
 * source follows the interface's own address. */
static void on_addr_changed(struct vrrpd *d, const struct nlmsghdr *nlh)
{
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
	size_t i;

	if (ifa->ifa_family != AF_INET)
		return;
	for (i = 0; i < d->n_ifaces; i++)
		if (d->ifaces[i].ifindex == (int)ifa->ifa_index)
			net_iface_refresh_src(d, &d->ifaces[i]);
}

static int msg_cb(const struct nlmsghdr *nlh, void *data)
{
	struct vrrpd *d = data;

	d->ifwatch.events++;
	switch (nlh->nlmsg_type) {
	case RTM_NEWLINK:
	case RTM_DELLINK:
		on_link_msg(d, nlh);
		break;
	case RTM_DELADDR:
		on_addr_removed(d, nlh);
		on_addr_changed(d, nlh);
		break;
	case RTM_NEWADDR:
		on_addr_changed(d, nlh);
		break;
	default:
		break;
	}
	return MNL_CB_OK;
}

static void nl_readable(struct loop *loop, struct loop_io *io, uint32_t ev)
{
	struct vrrpd *d = io->arg;
	char buf[MNL_SOCKET_BUFFER_SIZE];
	ssize_t n;

	(void)loop;
	(void)ev;
	for (;;) {
		n = mnl_socket_recvfrom(d->ifwatch.nl, buf, sizeof(buf));
		if (n < 0) {
			if (errno == ENOBUFS) {
				/* events were lost: read the truth again */
				d->ifwatch.overruns++;
				log_warn("netlink overrun; re-reading link "
					 "state");
				ifwatch_poll_all(d);
				instances_trackers_changed(d, "netlink resync");
				continue;
			}
			return;
		}
		mnl_cb_run(buf, (size_t)n, 0, 0, msg_cb, d);
	}
}

int ifwatch_open(struct vrrpd *d)
{
	struct ifwatch *w = &d->ifwatch;
	int rc;

	w->nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (!w->nl) {
		log_err("netlink socket for link events: %s", strerror(errno));
		return -errno;
	}
	if (mnl_socket_bind(
		w->nl, RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR,
		MNL_SOCKET_AUTOPID) < 0) {
		rc = -errno;
		log_err("netlink bind: %s", strerror(errno));
		return rc;
	}
	w->io.fd = mnl_socket_get_fd(w->nl);
	w->io.events = EPOLLIN;
	w->io.cb = nl_readable;
	w->io.arg = d;
	return loop_io_add(&d->loop, &w->io);
}

void ifwatch_free(struct vrrpd *d)
{
	if (d->ifwatch.nl) {
		loop_io_del(&d->loop, &d->ifwatch.io);
		mnl_socket_close(d->ifwatch.nl);
		d->ifwatch.nl = NULL;
	}
	free(d->links);
	d->links = NULL;
	d->n_links = 0;
}
