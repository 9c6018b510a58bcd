/* Raw IP protocol 112 sockets: join the group, receive adverts, keep the
 * source address; net_send.c sends on them. */
#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "vrrpd.h"

static int iface_primary_ip(const char *name, struct in_addr *out)
{
	struct ifreq ifr = {0};
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), rc = 0;

	if (fd < 0)
		return -errno;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	ifr.ifr_addr.sa_family = AF_INET;
	if (ioctl(fd, SIOCGIFADDR, &ifr) < 0)
		rc = -errno;
	else
		*out = ((struct sockaddr_in *)&ifr.ifr_addr)->sin_addr;
	close(fd);
	return rc;
}

/*
 * A flood of junk must neither overflow the socket (the real adverts would
 * be lost with it: keepalived's Backup takes over under ~20k packets/s of
 * TTL-64 junk) nor starve the timers that send our own adverts. So the
 * socket gets a large buffer and each wake-up drains it in recvmmsg()
 * batches, up to a budget; the rest waits for the next loop turn, after
 * the timers (epoll is level-triggered). Every packet still reaches the
 * checks, so each drop is counted under its reason.
 */
#define RX_BATCH  64
#define RX_BUDGET 2048 /* packets per wake-up: about 2 ms of work */
#define RX_BUF	  2048 /* our adverts are < 1100 bytes; longer: length */
#define RX_RCVBUF (4 << 20)
#define RX_LOG_MS 10000

struct rx_batch {
	struct mmsghdr msg[RX_BATCH];
	struct iovec iov[RX_BATCH];
	uint8_t buf[RX_BATCH][RX_BUF];
	union {
		char c[CMSG_SPACE(sizeof(uint32_t))];
		struct cmsghdr align;
	} ctl[RX_BATCH];
};

/* SO_RXQ_OVFL: the socket's cumulative drop count rides on each packet */
static void note_overflow(struct vrrp_iface *ifc, struct msghdr *mh)
{
	struct cmsghdr *cm;

	for (cm = CMSG_FIRSTHDR(mh); cm; cm = CMSG_NXTHDR(mh, cm)) {
		uint32_t total;

		if (cm->cmsg_level != SOL_SOCKET ||
		    cm->cmsg_type != SO_RXQ_OVFL)
			continue;
		memcpy(&total, CMSG_DATA(cm), sizeof(total));
		if (total != ifc->rx_overflow) {
			instance_rx_overflow(ifc, total - ifc->rx_overflow);
			ifc->rx_overflow = total;
		}
	}
}

static void iface_readable(struct loop *loop, struct loop_io *io,
			   uint32_t events)
{
	static struct rx_batch b; /* 140 KiB: not on the stack */
	struct vrrp_iface *ifc = io->arg;
	int budget = RX_BUDGET;

	(void)loop;
	(void)events;
	while (budget > 0) {
		int n, i;

		for (i = 0; i < RX_BATCH; i++) {
			b.iov[i] = (struct iovec){b.buf[i], RX_BUF};
			b.msg[i].msg_hdr = (struct msghdr){
			    .msg_iov = &b.iov[i],
			    .msg_iovlen = 1,
			    .msg_control = b.ctl[i].c,
			    .msg_controllen = sizeof(b.ctl[i].c)};
		}
		n = recvmmsg(io->fd, b.msg, RX_BATCH, MSG_DONTWAIT, NULL);
		if (n < 0) {
			unsigned skipped = 0;

			if (errno != EAGAIN && errno != EINTR &&
			    ratelimit_allow(&ifc->rl_err, mono_ms(), RX_LOG_MS,
					    &skipped))
				log_warn("%s: receive failed: %s (%u more)",
					 ifc->name, strerror(errno), skipped);
			return;
		}
		for (i = 0; i < n; i++) {
			note_overflow(ifc, &b.msg[i].msg_hdr);
			instance_handle_packet(ifc, b.buf[i], b.msg[i].msg_len);
		}
		budget -= n;
		if (n < RX_BATCH)
			return; /* drained */
	}
}

static int setopt(int fd, int level, int name, const void *val, socklen_t len,
		  const char *what, const char *ifname)
{
	if (setsockopt(fd, level, name, val, len) == 0)
		return 0;
	log_err("%s: %s: %s", ifname, what, strerror(errno));
	return -errno;
}

struct sockopt {
	int level, name;
	const void *val;
	socklen_t len;
	const char *what;
};

/* Sets each option in turn; the first failure is logged and returned. */
static int setopts(int fd, const struct sockopt *o, size_t n,
		   const char *ifname)
{
	size_t i;
	int rc;

	for (i = 0; i < n; i++) {
		rc = setopt(fd, o[i].level, o[i].name, o[i].val, o[i].len,
			    o[i].what, ifname);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* Gives a receiving socket its buffer and puts it in the loop; on
 * failure fd is closed and io->fd is -1. */
static int rx_attach(struct vrrpd *d, struct loop_io *io, int fd,
		     void (*cb)(struct loop *, struct loop_io *, uint32_t),
		     void *arg)
{
	int rcvbuf = RX_RCVBUF, rc;

	/* FORCE passes net.core.rmem_max (we have CAP_NET_ADMIN); without
	 * it the kernel caps the size, which still beats the default */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf,
		       sizeof(rcvbuf)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	io->fd = fd;
	io->events = EPOLLIN;
	io->cb = cb;
	io->arg = arg;
	rc = loop_io_add(&d->loop, io);
	if (rc < 0) {
		close(fd);
		io->fd = -1;
	}
	return rc;
}

int net_iface_ll6(const char *name, struct in6_addr *out)
{
	struct ifaddrs *all, *i;
	int rc = -EADDRNOTAVAIL;

	if (getifaddrs(&all) < 0)
		return -errno;
	for (i = all; i; i = i->ifa_next) {
		const struct sockaddr_in6 *s6 =
		    (const struct sockaddr_in6 *)i->ifa_addr;

		if (!s6 || s6->sin6_family != AF_INET6 ||
		    strcmp(i->ifa_name, name) != 0 ||
		    !IN6_IS_ADDR_LINKLOCAL(&s6->sin6_addr))
			continue;
		*out = s6->sin6_addr;
		rc = 0;
		break;
	}
	freeifaddrs(all);
	return rc;
}

/* The IPv6 socket hands over the VRRP message alone: the addresses and
 * hop limit come in control messages (RFC 3542). Few adverts come this
 * way, so plain recvmsg; the budget still bounds a flood. */
static void iface_readable6(struct loop *loop, struct loop_io *io,
			    uint32_t events)
{
	static uint8_t buf[RX_BUF];
	struct vrrp_iface *ifc = io->arg;
	int budget = RX_BUDGET;

	(void)loop;
	(void)events;
	while (budget-- > 0) {
		struct sockaddr_in6 from;
		union {
			char c[CMSG_SPACE(sizeof(struct in6_pktinfo)) +
			       CMSG_SPACE(sizeof(int))];
			struct cmsghdr align;
		} ctl;
		struct iovec iov = {buf, sizeof(buf)};
		struct msghdr mh = {.msg_name = &from,
				    .msg_namelen = sizeof(from),
				    .msg_iov = &iov,
				    .msg_iovlen = 1,
				    .msg_control = ctl.c,
				    .msg_controllen = sizeof(ctl.c)};
		struct vrrp_rx rx = {.family = AF_INET6};
		struct cmsghdr *cm;
		ssize_t n = recvmsg(io->fd, &mh, MSG_DONTWAIT);

		if (n < 0) {
			unsigned skipped = 0;

			if (errno != EAGAIN && errno != EINTR &&
			    ratelimit_allow(&ifc->rl_err, mono_ms(), RX_LOG_MS,
					    &skipped))
				log_warn(
				    "%s: IPv6 receive failed: %s (%u more)",
				    ifc->name, strerror(errno), skipped);
			return;
		}
		rx.src6 = from.sin6_addr;
		for (cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
			if (cm->cmsg_level != IPPROTO_IPV6)
				continue;
			if (cm->cmsg_type == IPV6_PKTINFO) {
				struct in6_pktinfo pi;

				memcpy(&pi, CMSG_DATA(cm), sizeof(pi));
				rx.dst6 = pi.ipi6_addr;
			} else if (cm->cmsg_type == IPV6_HOPLIMIT) {
				int hops;

				memcpy(&hops, CMSG_DATA(cm), sizeof(hops));
				rx.ttl = (uint8_t)hops;
			}
		}
		instance_handle_packet6(ifc, buf, (size_t)n, &rx);
	}
}

/* RFC 5798 5.1.2: to ff02::12, hop limit 255; joining the group sends
 * the MLD report (5.2.1). No IPv6 on the host: no socket, no error. */
static void open6(struct vrrpd *d, struct vrrp_iface *ifc)
{
	struct ipv6_mreq mreq = {0};
	int fd, hops = 255, zero = 0, one = 1, idx = ifc->ifindex;
	const struct sockopt opts[] = {
	    {SOL_SOCKET, SO_BINDTODEVICE, ifc->name,
	     (socklen_t)strlen(ifc->name), "SO_BINDTODEVICE (IPv6)"},
	    {IPPROTO_IPV6, IPV6_ADD_MEMBERSHIP, &mreq, sizeof(mreq),
	     "join ff02::12"},
	    {IPPROTO_IPV6, IPV6_MULTICAST_IF, &idx, sizeof(idx),
	     "IPV6_MULTICAST_IF"},
	    {IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &hops, sizeof(hops),
	     "IPV6_MULTICAST_HOPS"},
	    {IPPROTO_IPV6, IPV6_UNICAST_HOPS, &hops, sizeof(hops),
	     "IPV6_UNICAST_HOPS"},
	    {IPPROTO_IPV6, IPV6_MULTICAST_LOOP, &zero, sizeof(zero),
	     "IPV6_MULTICAST_LOOP"},
	    {IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof(one),
	     "IPV6_RECVPKTINFO"},
	    {IPPROTO_IPV6, IPV6_RECVHOPLIMIT, &one, sizeof(one),
	     "IPV6_RECVHOPLIMIT"},
	};

	if (net_iface_ll6(ifc->name, &ifc->ll6) < 0)
		memset(&ifc->ll6, 0,
		       sizeof(ifc->ll6)); /* checked per instance */
	fd = socket(AF_INET6, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    VRRP_PROTO);
	if (fd < 0)
		return;
	inet_pton(AF_INET6, VRRP_GROUP6, &mreq.ipv6mr_multiaddr);
	mreq.ipv6mr_interface = (unsigned)idx;
	if (setopts(fd, opts, sizeof(opts) / sizeof(opts[0]), ifc->name) < 0) {
		close(fd);
		return;
	}
	rx_attach(d, &ifc->io6, fd, iface_readable6, ifc);
}

int net_iface_open(struct vrrpd *d, struct vrrp_iface *ifc)
{
	struct ip_mreqn mreq = {0};
	int fd, ttl = 255, zero = 0, one = 1, rc;
	const struct sockopt opts[] = {
	    {SOL_SOCKET, SO_BINDTODEVICE, ifc->name,
	     (socklen_t)strlen(ifc->name), "SO_BINDTODEVICE"},
	    {IPPROTO_IP, IP_ADD_MEMBERSHIP, &mreq, sizeof(mreq),
	     "join 224.0.0.18"},
	    {IPPROTO_IP, IP_MULTICAST_IF, &mreq, sizeof(mreq),
	     "IP_MULTICAST_IF"},
	    {IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof(ttl),
	     "IP_MULTICAST_TTL"},
	    {IPPROTO_IP, IP_TTL, &ttl, sizeof(ttl), "IP_TTL"},
	    {IPPROTO_IP, IP_MULTICAST_LOOP, &zero, sizeof(zero),
	     "IP_MULTICAST_LOOP"},
	    {SOL_SOCKET, SO_RXQ_OVFL, &one, sizeof(one), "SO_RXQ_OVFL"},
	};

	ifc->d = d;
	ifc->io.fd = -1;
	ifc->io6.fd = -1;
	ifc->ifindex = (int)if_nametoindex(ifc->name);
	if (!ifc->ifindex) {
		log_err("interface %s does not exist", ifc->name);
		return -ENODEV;
	}
	rc = iface_primary_ip(ifc->name, &ifc->primary);
	if (rc < 0)
		ifc->primary.s_addr = 0; /* checked per instance */
	fd = socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    VRRP_PROTO);
	if (fd < 0) {
		rc = -errno;
		log_err("raw socket for protocol 112: %s (vrrpd needs "
			"CAP_NET_RAW)",
			strerror(errno));
		return rc;
	}
	inet_pton(AF_INET, VRRP_GROUP, &mreq.imr_multiaddr);
	mreq.imr_ifindex = ifc->ifindex;
	rc = setopts(fd, opts, sizeof(opts) / sizeof(opts[0]), ifc->name);
	if (rc < 0) {
		close(fd);
		return rc;
	}
	rc = rx_attach(d, &ifc->io, fd, iface_readable, ifc);
	if (rc < 0)
		return rc;
	open6(d, ifc);
	return 0;
}

void net_iface_close(struct vrrpd *d, struct vrrp_iface *ifc)
{
	if (ifc->io6.fd >= 0) {
		loop_io_del(&d->loop, &ifc->io6);
		close(ifc->io6.fd);
		ifc->io6.fd = -1;
	}
	if (ifc->io.fd < 0)
		return;
	loop_io_del(&d->loop, &ifc->io);
	close(ifc->io.fd);
	ifc->io.fd = -1;
}

/* Whether a is one of the IPv4 VIPs of an instance on ifc. */
static bool is_our_vip(const struct vrrpd *d, const struct vrrp_iface *ifc,
		       struct in_addr a)
{
	size_t i, j;

	for (i = 0; i < d->n_inst; i++) {
		const struct conf_instance *c = d->inst[i].cfg;

		if (d->inst[i].iface != ifc)
			continue;
		for (j = 0; j < c->n_vips; j++)
			if (c->vips[j].family != AF_INET6 &&
			    c->vips[j].addr.s_addr == a.s_addr)
				return true;
	}
	return false;
}

/* The interface's own IPv4 address: the first one that is none of our
 * VIPs, or 0.0.0.0 when it has none left. */
static struct in_addr iface_own_ip(const struct vrrpd *d,
				   const struct vrrp_iface *ifc)
{
	struct in_addr own = {0};
	struct ifaddrs *all, *x;

	if (getifaddrs(&all) < 0)
		return ifc->primary;
	for (x = all; x; x = x->ifa_next) {
		struct in_addr a;

		if (!x->ifa_addr || x->ifa_addr->sa_family != AF_INET ||
		    strcmp(x->ifa_name, ifc->name) != 0)
			continue;
		a = ((const struct sockaddr_in *)x->ifa_addr)->sin_addr;
		if (!is_our_vip(d, ifc, a)) {
			own = a;
			break;
		}
	}
	freeifaddrs(all);
	return own;
}

/*
 * The interface's own address changed (removed, replaced, back): adverts
 * take the new one as their source, or, with none left, let the kernel
 * pick one (a VIP) instead of failing every send with ENETUNREACH while
 * the peer takes over. Instances with unicast_src_ip keep theirs.
 */
bool net_iface_refresh_src(struct vrrpd *d, struct vrrp_iface *ifc)
{
	struct in_addr now = iface_own_ip(d, ifc);
	char was[INET_ADDRSTRLEN], is[INET_ADDRSTRLEN];
	size_t i;

	if (now.s_addr == ifc->primary.s_addr)
		return false;
	inet_ntop(AF_INET, &ifc->primary, was, sizeof(was));
	inet_ntop(AF_INET, &now, is, sizeof(is));
	if (now.s_addr)
		log_info("interface %s: its own address is now %s (was %s); "
			 "adverts are sent from it",
			 ifc->name, is, was);
	else
		log_warn("interface %s has no address of its own left (was "
			 "%s); adverts go out from a virtual address until "
			 "one comes back",
			 ifc->name, was);
	ifc->primary = now;
	for (i = 0; i < d->n_inst; i++) {
		struct vrrp_instance *vi = &d->inst[i];

		if (vi->iface != ifc || vi->cfg->has_unicast_src)
			continue;
		vi->src = now;
		vi->fsm_cfg.primary_ip = now;
	}
	return true;
}
