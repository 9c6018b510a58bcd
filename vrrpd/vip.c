/* Virtual addresses on and off the interfaces, through rtnetlink. */
#include <arpa/inet.h>
#include <errno.h>
#include <netlink/errno.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <string.h>

#include "vrrpd.h"

int vip_open(struct vrrpd *d)
{
	int rc;

	d->nl = nl_socket_alloc();
	if (!d->nl)
		return -ENOMEM;
	rc = nl_connect(d->nl, NETLINK_ROUTE);
	if (rc < 0) {
		log_err("netlink: %s", nl_geterror(rc));
		nl_socket_free(d->nl);
		d->nl = NULL;
		return -EIO;
	}
	return 0;
}

void vip_close(struct vrrpd *d)
{
	if (d->nl)
		nl_socket_free(d->nl);
	d->nl = NULL;
}

static struct rtnl_addr *vip_build(const struct vrrp_instance *vi,
				   const struct conf_vip *v, int *ifindex)
{
	const char *dev = v->dev[0] ? v->dev : vi->cfg->interface;
	struct rtnl_addr *a;
	struct nl_addr *local;

	*ifindex = (int)if_nametoindex(dev);
	if (!*ifindex)
		return NULL;
	a = rtnl_addr_alloc();
	local = v->family == AF_INET6
		    ? nl_addr_build(AF_INET6, &v->addr6, sizeof(v->addr6))
		    : nl_addr_build(AF_INET, &v->addr, sizeof(v->addr));
	if (!a || !local) {
		rtnl_addr_put(a);
		nl_addr_put(local);
		return NULL;
	}
	rtnl_addr_set_ifindex(a, *ifindex);
	rtnl_addr_set_family(a, v->family == AF_INET6 ? AF_INET6 : AF_INET);
	/* a VIP that moves is in use elsewhere until a moment ago: DAD
	 * would hold it tentative, unusable, for a second or more */
	if (v->family == AF_INET6)
		rtnl_addr_set_flags(a, IFA_F_NODAD);
	rtnl_addr_set_local(a, local);
	rtnl_addr_set_prefixlen(a, v->prefix);
	if (v->label[0])
		rtnl_addr_set_label(a, v->label);
	nl_addr_put(local);
	return a;
}

/* add: 1 added, 0 already there; del: 1 removed, 0 was absent. */
static int vip_change(struct vrrp_instance *vi, const struct conf_vip *v,
		      bool add)
{
	char ip[INET6_ADDRSTRLEN];
	struct rtnl_addr *a;
	int ifindex, rc;

	vip_str(v, ip, sizeof(ip));
	a = vip_build(vi, v, &ifindex);
	if (!a) {
		log_err("%s: cannot %s %s: interface %s is missing",
			vi->cfg->name, add ? "add" : "remove", ip,
			v->dev[0] ? v->dev : vi->cfg->interface);
		return -ENODEV;
	}
	rc = add ? rtnl_addr_add(vi->d->nl, a, 0)
		 : rtnl_addr_delete(vi->d->nl, a, 0);
	rtnl_addr_put(a);
	if (rc == 0)
		return 1;
	if ((add && rc == -NLE_EXIST) ||
	    (!add && (rc == -NLE_NOADDR || rc == -NLE_OBJ_NOTFOUND)))
		return 0;
	log_err("%s: cannot %s %s/%d: %s", vi->cfg->name,
		add ? "add" : "remove", ip, v->prefix, nl_geterror(rc));
	return -EIO;
}

const char *vip_str(const struct conf_vip *v, char *buf, size_t len)
{
	if (v->family == AF_INET6)
		inet_ntop(AF_INET6, &v->addr6, buf, (socklen_t)len);
	else
		inet_ntop(AF_INET, &v->addr, buf, (socklen_t)len);
	return buf;
}

int vip_add_all(struct vrrp_instance *vi)
{
	size_t i;
	int n = 0;

	for (i = 0; i < vi->cfg->n_vips; i++)
		if (vip_change(vi, &vi->cfg->vips[i], true) > 0)
			n++;
	return n;
}

int vip_del_all(struct vrrp_instance *vi)
{
	size_t i;
	int n = 0;

	for (i = 0; i < vi->cfg->n_vips; i++)
		if (vip_change(vi, &vi->cfg->vips[i], false) > 0)
			n++;
	return n;
}
