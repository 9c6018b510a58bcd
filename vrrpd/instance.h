/*
 * What reload (reload.c) needs from an instance beyond vrrpd.h's set-up,
 * start and stop: moving a running instance to a new slot and a new
 * configuration without touching its state, and retiring one for good.
 */
#ifndef VRRPD_INSTANCE_H
#define VRRPD_INSTANCE_H

struct vrrpd;
struct vrrp_iface;
struct vrrp_instance;
struct conf_instance;

/*
 * Moves from into to (to's memory is overwritten) and points it at cfg
 * and iface: its FSM state, counters, timers, running notify script and
 * queue go with it; its trackers are rebuilt from cfg against d's current
 * scripts and links. from is left zeroed. 0 or -errno (trackers).
 */
int instance_adopt(struct vrrp_instance *to, struct vrrp_instance *from,
		   const struct conf_instance *cfg, struct vrrp_iface *iface);

/* After adopt with a different VIP list: a Master removes the addresses
 * that left the list and adds (and GARPs) the new ones. */
void instance_vips_changed(struct vrrp_instance *vi,
			   const struct conf_instance *old);

/* Stops vi as on shutdown (priority-0 advert if Master, VIPs removed,
 * notify_stop) and frees it; a notify script still running is left to
 * finish on its own. */
void instance_retire(struct vrrp_instance *vi);

#endif
