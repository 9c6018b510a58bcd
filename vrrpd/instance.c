/* One VRRP instance: feeds the FSM and applies what it decides. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vrrpd.h"

#define LOG_EVERY_MS 10000 /* per-packet problems: one line per reason */

static void instance_timer(struct loop *loop, struct loop_timer *t);
static void garp_again(struct loop *loop, struct loop_timer *t);

static void reschedule(struct vrrp_instance *vi)
{
	int64_t at = vrrp_fsm_deadline(&vi->fsm);

	if (at)
		loop_timer_at(&vi->d->loop, &vi->timer, at);
	else
		loop_timer_cancel(&vi->d->loop, &vi->timer);
}

static void apply(struct vrrp_instance *vi, const struct vrrp_fsm_out *o)
{
	const struct conf_instance *c = vi->cfg;
	int rc;

	if (o->changed) {
		log_info("%s: %s -> %s (%s)", c->name, vrrp_state_str(o->from),
			 vrrp_state_str(o->to), o->reason);
		snprintf(vi->last_reason, sizeof(vi->last_reason), "%s",
			 o->reason);
		if (o->to == VRRP_STATE_MASTER)
			vi->cnt.became_master++;
	}
	/* order matters: resign before the VIPs go, so the peer's skew
	 * timer starts as early as possible */
	if (o->send_stop && (rc = net_send_advert(vi, VRRP_PRIO_STOP)) < 0)
		log_warn("%s: sending priority 0 advert: %s", c->name,
			 strerror(-rc));
	if (o->del_vips) {
		loop_timer_cancel(&vi->d->loop, &vi->garp_timer);
		vip_del_all(vi);
	}
	if (o->add_vips)
		vip_add_all(vi);
	if (o->send_advert && (rc = net_send_advert(vi, vi->fsm.priority)) < 0)
		log_warn("%s: sending advert: %s", c->name, strerror(-rc));
	if (o->garp) {
		garp_send_all(vi);
		if (c->garp_master_delay_ms > 0)
			loop_timer_in(&vi->d->loop, &vi->garp_timer,
				      c->garp_master_delay_ms);
	}
	reschedule(vi);
}

static void feed(struct vrrp_instance *vi, enum vrrp_event ev,
		 const struct vrrp_fsm_in *in)
{
	struct vrrp_fsm_out out;

	vrrp_fsm_handle(&vi->fsm, &vi->fsm_cfg, ev, in, mono_ms(), &out);
	apply(vi, &out);
}

static void instance_timer(struct loop *loop, struct loop_timer *t)
{
	(void)loop;
	feed(t->arg, VRRP_EV_TIMER, NULL);
}

/* keepalived's garp_master_delay: a second burst once things settled */
static void garp_again(struct loop *loop, struct loop_timer *t)
{
	struct vrrp_instance *vi = t->arg;

	(void)loop;
	if (vi->fsm.state == VRRP_STATE_MASTER)
		garp_send_all(vi);
}

static struct vrrp_iface *iface_get(struct vrrpd *d, const char *name)
{
	size_t i;

	for (i = 0; i < d->n_ifaces; i++)
		if (strcmp(d->ifaces[i].name, name) == 0)
			return &d->ifaces[i];
	return NULL;
}

int instance_setup(struct vrrpd *d, struct vrrp_instance *vi,
		   const struct conf_instance *cfg)
{
	size_t i;

	memset(vi, 0, sizeof(*vi));
	vi->d = d;
	vi->cfg = cfg;
	vi->iface = iface_get(d, cfg->interface);
	if (!vi->iface)
		return -ENODEV;
	vi->src = cfg->has_unicast_src ? cfg->unicast_src : vi->iface->primary;
	if (!vi->src.s_addr) {
		log_err("%s:%d: vrrp_instance %s: interface %s has no IPv4 "
			"address; add one or set unicast_src_ip",
			d->conf->file, cfg->line, cfg->name, cfg->interface);
		return -EADDRNOTAVAIL;
	}
	vi->vip_addrs = calloc(cfg->n_vips + 1, sizeof(*vi->vip_addrs));
	if (!vi->vip_addrs)
		return -ENOMEM;
	for (i = 0; i < cfg->n_vips; i++)
		vi->vip_addrs[i] = cfg->vips[i].addr;
	vi->fsm_cfg.advert_int = cfg->advert_int;
	vi->fsm_cfg.preempt = !cfg->nopreempt;
	vi->fsm_cfg.fast_preempt = cfg->fast_preempt;
	vi->fsm_cfg.preempt_delay_ms = cfg->preempt_delay_ms;
	vi->fsm_cfg.primary_ip = vi->src;
	vrrp_fsm_init(&vi->fsm, cfg->priority);
	loop_timer_init(&vi->timer, instance_timer, vi);
	loop_timer_init(&vi->garp_timer, garp_again, vi);
	return 0;
}

void instance_start(struct vrrp_instance *vi)
{
	/* a VIP left behind by a crashed run would make us answer for an
	 * address the peer may own now */
	int stale = vip_del_all(vi);

	if (stale > 0)
		log_warn("%s: removed %d virtual address(es) left from an "
			 "earlier run",
			 vi->cfg->name, stale);
	feed(vi, VRRP_EV_STARTUP, NULL);
}

void instance_stop(struct vrrp_instance *vi)
{
	feed(vi, VRRP_EV_SHUTDOWN, NULL);
	loop_timer_cancel(&vi->d->loop, &vi->timer);
	loop_timer_cancel(&vi->d->loop, &vi->garp_timer);
}

void instance_free(struct vrrp_instance *vi)
{
	free(vi->vip_addrs);
	vi->vip_addrs = NULL;
}

static void log_drop(struct vrrp_instance *vi, unsigned slot, const char *why)
{
	unsigned suppressed = 0;

	if (!ratelimit_allow(&vi->rl[slot], vi->d->loop.now_ms, LOG_EVERY_MS,
			     &suppressed))
		return;
	if (suppressed)
		log_warn("%s: %s (and %u more like it)", vi->cfg->name, why,
			 suppressed);
	else
		log_warn("%s: %s", vi->cfg->name, why);
}

/*
 * Decode failures are charged to the instance whose VRID the packet
 * carries if we can read it, else to the first instance on the interface.
 */
static struct vrrp_instance *instance_for(struct vrrpd *d,
					  struct vrrp_iface *ifc,
					  const uint8_t *pkt, size_t len)
{
	struct vrrp_instance *first = NULL;
	size_t ihl = len ? (size_t)(pkt[0] & 0x0f) * 4 : 0;
	size_t i;

	for (i = 0; i < d->n_inst; i++) {
		struct vrrp_instance *vi = &d->inst[i];

		if (vi->iface != ifc)
			continue;
		if (!first)
			first = vi;
		if (ihl >= 20 && len > ihl + 1 && pkt[ihl + 1] == vi->cfg->vrid)
			return vi;
	}
	return first;
}

void instance_handle_packet(struct vrrp_iface *ifc, const uint8_t *pkt,
			    size_t len)
{
	struct vrrpd *d = ifc->d;
	struct vrrp_instance *vi;
	struct vrrp_advert a;
	struct vrrp_rx rx;
	struct vrrp_expect e = {0};
	struct vrrp_fsm_in in;
	enum vrrp_drop drop;
	bool mismatch = false;
	char why[160];

	vi = instance_for(d, ifc, pkt, len);
	if (!vi)
		return;
	drop = vrrp_pkt_decode(pkt, len, &rx, &a, why, sizeof(why));
	if (drop == VRRP_DROP_NONE) {
		e.vrid = vi->cfg->vrid;
		e.advert_int = vi->cfg->advert_int;
		e.owner = vi->cfg->priority == VRRP_PRIO_OWNER;
		e.auth_type =
		    vi->cfg->auth_pass_set ? VRRP_AUTH_PASS : VRRP_AUTH_NONE;
		memcpy(e.auth, vi->cfg->auth_pass, VRRP_AUTH_LEN);
		e.vips = vi->vip_addrs;
		e.n_vips = vi->cfg->n_vips;
		e.own = &vi->src;
		e.n_own = 1;
		e.peers = vi->cfg->peers;
		e.n_peers = vi->cfg->n_peers;
		drop =
		    vrrp_pkt_validate(&a, &rx, &e, &mismatch, why, sizeof(why));
	}
	if (drop != VRRP_DROP_NONE) {
		vi->cnt.drops[drop]++;
		log_drop(vi, drop, why);
		return;
	}
	if (mismatch) {
		vi->cnt.addr_list_mismatch++;
		log_drop(vi, VRRP_DROP_COUNT, why);
	}
	vi->cnt.adverts_received++;
	if (a.priority == VRRP_PRIO_STOP)
		vi->cnt.priority_zero_received++;
	in.priority = a.priority;
	in.src = rx.src;
	feed(vi, VRRP_EV_ADVERT, &in);
}
