/* The daemon's context: interfaces, instances, and what ties them. */
#ifndef VRRPD_VRRPD_H
#define VRRPD_VRRPD_H

#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#include "../common/ctl.h"
#include "../common/log.h"
#include "../common/loop.h"
#include "../conf/conf.h"
#include "alertmail.h"
#include "anycast_io.h"
#include "fsm.h"
#include "fwdlink.h"
#include "ifwatch.h"
#include "notify.h"
#include "packet.h"
#include "priority.h"
#include "proc.h"
#include "track.h"

struct vrrpd;
struct nl_sock;
struct smtp; /* smtp.c: alert e-mail sender */

/* One raw socket per interface, shared by the instances on it. */
struct vrrp_iface {
	struct vrrpd *d;
	char name[IF_NAMESIZE];
	int ifindex;
	struct in_addr primary;
	struct loop_io io;
	struct loop_io io6;	 /* v3 over IPv6; fd -1 without IPv6 */
	struct in6_addr ll6;	 /* the link-local address, our source */
	uint32_t rx_overflow;	 /* the kernel's drop count, last seen */
	struct ratelimit rl_err; /* receive errors */
};

struct vrrp_counters {
	uint64_t adverts_sent, adverts_received;
	uint64_t priority_zero_sent, priority_zero_received;
	uint64_t became_master, garp_sent, addr_list_mismatch;
	uint64_t owner_suspect; /* priority 255 from a non-VIP source */
	uint64_t drops[VRRP_DROP_COUNT];
	/* v3 over IPv4: which checksum form the peers use (packet.h) */
	uint64_t csum_pseudo, csum_plain;
	enum vrrp_csum peer_csum; /* the last one seen */
};

/* One thing an instance tracks, and where its health comes from. */
struct inst_tracker {
	enum track_kind kind;
	const char *name;
	int weight;
	struct track_script *script; /* TRACK_SCRIPT */
	struct vrrp_link *link;	     /* TRACK_IFACE */
	struct fwdtrack fwd;	     /* TRACK_FORWARDER */
	int64_t fwd_next_ms;	     /* when fwd wants a fresh look; 0 */
};

struct vrrp_instance {
	struct vrrpd *d;
	const struct conf_instance *cfg;
	struct vrrp_iface *iface;
	struct in_addr src; /* unicast_src_ip or the interface's primary */
	struct in_addr *vip_addrs;   /* for the advert's address list */
	struct in6_addr src6;	     /* IPv6: the interface's link-local */
	struct in6_addr *vip_addrs6; /* IPv6: the advert's address list */
	struct vrrp_fsm fsm;
	struct vrrp_fsm_cfg fsm_cfg;
	struct loop_timer timer;      /* the FSM's next deadline */
	struct loop_timer garp_timer; /* garp_master_delay's second burst */
	struct vrrp_counters cnt;
	struct inst_tracker *trackers;
	struct track_term *terms; /* parallel to trackers */
	size_t n_trackers;
	char prio_why[112]; /* why the effective priority last changed */
	bool prio_fell;	    /* and whether it went down */
	struct notify_queue notify;
	char last_reason[448];
	struct ratelimit rl[VRRP_DROP_COUNT + 1]; /* +1: address list */
	struct ratelimit rl_owner; /* priority 255 from a non-owner */
	char suspect[256]; /* its warning, while such an advert is fed */
};

struct vrrpd {
	struct loop loop;
	struct conf *conf;
	struct nl_sock *nl;
	int garp_fd;
	struct vrrp_iface *ifaces;
	size_t n_ifaces;
	struct vrrp_instance *inst;
	size_t n_inst;
	struct ctl_server ctl;
	struct procs procs;
	struct track_script *scripts;
	size_t n_scripts;
	struct vrrp_link *links;
	size_t n_links;
	struct ifwatch ifwatch;
	struct fwd_link fwd;
	struct smtp *smtp;	    /* NULL when no alert can be sent */
	struct alertmail alerts;    /* coalescing, while smtp is set */
	struct anycast_set anycast; /* anycast_io.c */
};

/* net.c */
int net_iface_open(struct vrrpd *d, struct vrrp_iface *ifc);
void net_iface_close(struct vrrpd *d, struct vrrp_iface *ifc);
/* Adverts' source follows the interface's own address; true if changed. */
bool net_iface_refresh_src(struct vrrpd *d, struct vrrp_iface *ifc);
int net_send_advert(struct vrrp_instance *vi, uint8_t priority);
/* The interface's first usable link-local address; -EADDRNOTAVAIL. */
int net_iface_ll6(const char *name, struct in6_addr *out);

/* vip.c */
int vip_open(struct vrrpd *d);
void vip_close(struct vrrpd *d);
/* Each returns how many addresses actually changed. */
int vip_add_all(struct vrrp_instance *vi);
int vip_del_all(struct vrrp_instance *vi);

/* garp.c */
int garp_open(struct vrrpd *d);
void garp_close(struct vrrpd *d);
int garp_send_all(struct vrrp_instance *vi);
int garp_iface_mac(int fd, const char *name, uint8_t mac[6]);
/* Sends one announcement per VIP, garp_master_repeat rounds, counted in
 * garp_sent; what names it in the warning when one fails. */
typedef int (*announce_fn)(struct vrrp_instance *vi, const char *dev,
			   const struct conf_vip *v);
int announce_vips(struct vrrp_instance *vi, const char *what,
		  announce_fn send_one);

/* ndisc.c: unsolicited Neighbour Advertisements, IPv6's GARP, through
 * garp.c's packet socket; the same repeat and counter. */
int ndisc_send_all(struct vrrp_instance *vi);
/* garp or ndisc, by the instance's family */
int announce_all(struct vrrp_instance *vi);

/* vip.c: "198.18.0.50" or "2001:db8::50" into buf */
const char *vip_str(const struct conf_vip *v, char *buf, size_t len);

/* instance.c */
int instance_setup(struct vrrpd *d, struct vrrp_instance *vi,
		   const struct conf_instance *cfg);
void instance_start(struct vrrp_instance *vi);
void instance_stop(struct vrrp_instance *vi);
void instance_free(struct vrrp_instance *vi);
void instance_handle_packet(struct vrrp_iface *ifc, const uint8_t *pkt,
			    size_t len);
/* A v3 message from the IPv6 socket, rx filled from its cmsgs. */
void instance_handle_packet6(struct vrrp_iface *ifc, const uint8_t *msg,
			     size_t len, const struct vrrp_rx *rx);
/* The kernel dropped n packets on ifc's full socket (counted as rcvbuf). */
void instance_rx_overflow(struct vrrp_iface *ifc, uint32_t n);
/* A tracker changed: recompute every instance's priority and fault. */
void instances_trackers_changed(struct vrrpd *d, const char *why);

/* main.c: the user scripts run as (global script_user, else nobody). */
int script_user(const struct conf *c, struct run_as *out);

/* control.c */
int control_open(struct vrrpd *d);
void control_close(struct vrrpd *d);

#endif
