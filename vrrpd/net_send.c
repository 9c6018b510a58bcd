/* Encoding and sending adverts on net.c's sockets: to the group or each
 * unicast peer, from the instance's source address (IP_PKTINFO). */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "vrrpd.h"

static int send_to(struct vrrp_instance *vi, const uint8_t *msg, size_t len,
		   struct in_addr dst)
{
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_addr = dst};
	union {
		char buf[CMSG_SPACE(sizeof(struct in_pktinfo))];
		struct cmsghdr align;
	} cbuf;
	struct iovec iov = {.iov_base = (void *)msg, .iov_len = len};
	struct msghdr mh = {.msg_name = &sin,
			    .msg_namelen = sizeof(sin),
			    .msg_iov = &iov,
			    .msg_iovlen = 1,
			    .msg_control = cbuf.buf,
			    .msg_controllen = sizeof(cbuf.buf)};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
	struct in_pktinfo *pi;

	/* the source address goes in IP_PKTINFO, so one socket per
	 * interface serves instances with different unicast_src_ip */
	memset(&cbuf, 0, sizeof(cbuf));
	cm->cmsg_level = IPPROTO_IP;
	cm->cmsg_type = IP_PKTINFO;
	cm->cmsg_len = CMSG_LEN(sizeof(*pi));
	pi = (struct in_pktinfo *)CMSG_DATA(cm);
	pi->ipi_ifindex = vi->iface->ifindex;
	pi->ipi_spec_dst = vi->src;
	if (sendmsg(vi->iface->io.fd, &mh, MSG_DONTWAIT) >= 0)
		return 0;
	/* our source address is gone: take the interface's current one */
	if ((errno != ENETUNREACH && errno != EADDRNOTAVAIL &&
	     errno != EINVAL) ||
	    !net_iface_refresh_src(vi->d, vi->iface))
		return -errno;
	pi->ipi_spec_dst = vi->src;
	if (sendmsg(vi->iface->io.fd, &mh, MSG_DONTWAIT) < 0)
		return -errno;
	return 0;
}

/* v2's message is the same for every destination; v3's checksum covers
 * the pseudo-header, so it is encoded per destination (RFC 5798 5.2.8). */
static int send_v(struct vrrp_instance *vi, const struct vrrp_advert *a,
		  uint8_t *msg, size_t len, struct in_addr dst)
{
	struct vrrp_rx hdr = {.family = AF_INET, .src = vi->src, .dst = dst};

	if (a->version == 3)
		len = vrrp3_pkt_encode(a, &hdr, vi->cfg->v3_checksum_as_v2, msg,
				       VRRP_MAX_LEN);
	return send_to(vi, msg, len, dst);
}

/* RFC 5798 5.1.2.1: from the interface's link-local address (or
 * unicast_src_ip), to ff02::12 or to one unicast peer */
static int send6_to(struct vrrp_instance *vi, const struct vrrp_advert *a,
		    const struct in6_addr *dst)
{
	const struct conf_instance *c = vi->cfg;
	struct sockaddr_in6 sin6 = {.sin6_family = AF_INET6,
				    .sin6_addr = *dst,
				    .sin6_scope_id =
					(uint32_t)vi->iface->ifindex};
	struct in6_addr src = c->has_unicast_src ? c->unicast_src6 : vi->src6;
	struct vrrp_rx hdr = {.family = AF_INET6, .src6 = src, .dst6 = *dst};
	static uint8_t msg[VRRP3_MAX_LEN6];
	union {
		char buf[CMSG_SPACE(sizeof(struct in6_pktinfo))];
		struct cmsghdr align;
	} cbuf;
	struct iovec iov = {.iov_base = msg};
	struct msghdr mh = {.msg_name = &sin6,
			    .msg_namelen = sizeof(sin6),
			    .msg_iov = &iov,
			    .msg_iovlen = 1,
			    .msg_control = cbuf.buf,
			    .msg_controllen = sizeof(cbuf.buf)};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
	struct in6_pktinfo pi = {.ipi6_addr = src,
				 .ipi6_ifindex = (unsigned)vi->iface->ifindex};

	iov.iov_len = vrrp3_pkt_encode(a, &hdr, false, msg, sizeof(msg));
	memset(&cbuf, 0, sizeof(cbuf));
	cm->cmsg_level = IPPROTO_IPV6;
	cm->cmsg_type = IPV6_PKTINFO;
	cm->cmsg_len = CMSG_LEN(sizeof(pi));
	memcpy(CMSG_DATA(cm), &pi, sizeof(pi));
	if (sendmsg(vi->iface->io6.fd, &mh, MSG_DONTWAIT) < 0)
		return -errno;
	return 0;
}

static int send6(struct vrrp_instance *vi, const struct vrrp_advert *a)
{
	const struct conf_instance *c = vi->cfg;
	struct in6_addr group;
	size_t i;
	int rc = 0;

	if (vi->iface->io6.fd < 0)
		return -EAFNOSUPPORT;
	if (c->n_peers == 0) {
		inet_pton(AF_INET6, VRRP_GROUP6, &group);
		return send6_to(vi, a, &group);
	}
	for (i = 0; i < c->n_peers; i++) {
		int r = send6_to(vi, a, &c->peers6[i]);

		if (r < 0)
			rc = r;
	}
	return rc;
}

/* IPv4: to the group or each unicast peer */
static int send4(struct vrrp_instance *vi, const struct vrrp_advert *a)
{
	const struct conf_instance *c = vi->cfg;
	uint8_t msg[VRRP_MAX_LEN];
	size_t len, i;
	int rc = 0;

	len = vrrp_pkt_encode(a, msg, sizeof(msg));
	if (c->n_peers == 0) {
		struct in_addr group;

		inet_pton(AF_INET, VRRP_GROUP, &group);
		rc = send_v(vi, a, msg, len, group);
	}
	for (i = 0; i < c->n_peers; i++) {
		int r = send_v(vi, a, msg, len, c->peers[i]);

		if (r < 0)
			rc = r;
	}
	return rc;
}

int net_send_advert(struct vrrp_instance *vi, uint8_t priority)
{
	const struct conf_instance *c = vi->cfg;
	struct vrrp_advert a = {0};
	int rc;

	a.version = c->version;
	a.vrid = c->vrid;
	a.priority = priority;
	a.advert_int = c->advert_int;
	a.max_adver_cs = c->advert_cs;
	a.n_addrs = (uint8_t)c->n_vips;
	if (c->auth_pass_set) {
		a.auth_type = VRRP_AUTH_PASS;
		memcpy(a.auth, c->auth_pass, VRRP_AUTH_LEN);
	}
	if (c->family == AF_INET6) {
		a.family = AF_INET6;
		memcpy(a.addrs6, vi->vip_addrs6,
		       c->n_vips * sizeof(struct in6_addr));
		rc = send6(vi, &a);
	} else {
		memcpy(a.addrs, vi->vip_addrs,
		       c->n_vips * sizeof(struct in_addr));
		rc = send4(vi, &a);
	}
	if (rc == 0) {
		vi->cnt.adverts_sent++;
		if (priority == VRRP_PRIO_STOP)
			vi->cnt.priority_zero_sent++;
	}
	return rc;
}
