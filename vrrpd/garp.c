/* Gratuitous ARP for the VIPs, so neighbours learn the new Master's MAC. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if_arp.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "vrrpd.h"

int garp_open(struct vrrpd *d)
{
	/* protocol 0: this socket only sends, it receives nothing */
	d->garp_fd =
	    socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (d->garp_fd < 0) {
		log_err("AF_PACKET socket for gratuitous ARP: %s",
			strerror(errno));
		return -errno;
	}
	return 0;
}

void garp_close(struct vrrpd *d)
{
	if (d->garp_fd >= 0)
		close(d->garp_fd);
	d->garp_fd = -1;
}

int garp_iface_mac(int fd, const char *name, uint8_t mac[6])
{
	struct ifreq ifr = {0};

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) < 0)
		return -errno;
	memcpy(mac, ifr.ifr_hwaddr.sa_data, ETH_ALEN);
	return 0;
}

/* An ARP request for the VIP from the VIP (RFC 5227 "ARP Announcement"). */
static int garp_send(struct vrrp_instance *vi, const char *dev,
		     const struct conf_vip *v)
{
	struct vrrpd *d = vi->d;
	struct in_addr ip = v->addr;
	struct {
		struct arphdr h;
		uint8_t sha[ETH_ALEN];
		uint8_t spa[4];
		uint8_t tha[ETH_ALEN];
		uint8_t tpa[4];
	} __attribute__((packed)) arp;
	struct sockaddr_ll sll = {0};
	uint8_t mac[ETH_ALEN];
	int rc;

	sll.sll_ifindex = (int)if_nametoindex(dev);
	if (!sll.sll_ifindex)
		return -ENODEV;
	rc = garp_iface_mac(d->garp_fd, dev, mac);
	if (rc < 0)
		return rc;
	arp.h.ar_hrd = htons(ARPHRD_ETHER);
	arp.h.ar_pro = htons(ETH_P_IP);
	arp.h.ar_hln = ETH_ALEN;
	arp.h.ar_pln = 4;
	arp.h.ar_op = htons(ARPOP_REQUEST);
	memcpy(arp.sha, mac, ETH_ALEN);
	memcpy(arp.spa, &ip, 4);
	memset(arp.tha, 0, ETH_ALEN);
	memcpy(arp.tpa, &ip, 4);
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_ARP);
	sll.sll_halen = ETH_ALEN;
	memset(sll.sll_addr, 0xff, ETH_ALEN);
	if (sendto(d->garp_fd, &arp, sizeof(arp), 0, (struct sockaddr *)&sll,
		   sizeof(sll)) < 0)
		return -errno;
	return 0;
}

int announce_vips(struct vrrp_instance *vi, const char *what,
		  announce_fn send_one)
{
	const struct conf_instance *c = vi->cfg;
	int r, round, sent = 0;
	size_t i;

	for (round = 0; round < c->garp_master_repeat; round++) {
		for (i = 0; i < c->n_vips; i++) {
			const char *dev =
			    c->vips[i].dev[0] ? c->vips[i].dev : c->interface;

			r = send_one(vi, dev, &c->vips[i]);
			if (r < 0) {
				log_warn("%s: %s on %s: %s", c->name, what, dev,
					 strerror(-r));
				continue;
			}
			sent++;
		}
	}
	vi->cnt.garp_sent += (uint64_t)sent;
	return sent;
}

int garp_send_all(struct vrrp_instance *vi)
{
	return announce_vips(vi, "gratuitous ARP", garp_send);
}
