/* Unsolicited Neighbour Advertisements for IPv6 VIPs: what gratuitous
 * ARP is to IPv4 (RFC 5798 6.4.1), sent through garp.c's packet socket
 * with the same garp_master_repeat and garp_master_delay. */
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "nd_packet.h"
#include "vrrpd.h"

/* RFC 4861 4.4: the Router flag says whether the sender routes; so does
 * the interface's forwarding setting. */
static bool iface_routes(const char *dev)
{
	char path[96], c = '0';
	FILE *f;

	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/forwarding",
		 dev);
	f = fopen(path, "re");
	if (!f)
		return false;
	if (fread(&c, 1, 1, f) != 1)
		c = '0';
	fclose(f);
	return c == '1';
}

static int na_send(struct vrrp_instance *vi, const char *dev,
		   const struct conf_vip *v)
{
	const struct in6_addr *target = &v->addr6;
	struct sockaddr_ll sll = {0};
	uint8_t mac[ETH_ALEN], pkt[ND_NA_LEN];
	size_t len;
	int rc;

	sll.sll_ifindex = (int)if_nametoindex(dev);
	if (!sll.sll_ifindex)
		return -ENODEV;
	rc = garp_iface_mac(vi->d->garp_fd, dev, mac);
	if (rc < 0)
		return rc;
	len = nd_na_build(mac, &vi->src6, target, iface_routes(dev), pkt,
			  sizeof(pkt));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_IPV6);
	sll.sll_halen = ETH_ALEN;
	/* RFC 2464 7: ff02::1 on Ethernet */
	memcpy(sll.sll_addr, "\x33\x33\x00\x00\x00\x01", ETH_ALEN);
	if (sendto(vi->d->garp_fd, pkt, len, 0, (struct sockaddr *)&sll,
		   sizeof(sll)) < 0)
		return -errno;
	return 0;
}

int ndisc_send_all(struct vrrp_instance *vi)
{
	return announce_vips(vi, "neighbour advertisement", na_send);
}

int announce_all(struct vrrp_instance *vi)
{
	if (vi->cfg->family == AF_INET6)
		return ndisc_send_all(vi);
	return garp_send_all(vi);
}
