/* One VRRP instance: feeds the FSM and applies what it decides. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../conf/conf_diff.h"
#include "iface.h"
#include "instance.h"
#include "smtp.h"
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
		/* a Master pushed out because its own priority fell: say
		 * why it fell, not only who outbid it */
		if (o->from == VRRP_STATE_MASTER &&
		    o->to == VRRP_STATE_BACKUP && vi->prio_fell)
			snprintf(vi->last_reason, sizeof(vi->last_reason),
				 "%s; our priority had fallen to %u: %s",
				 o->reason, vi->fsm.priority, vi->prio_why);
		else
			snprintf(vi->last_reason, sizeof(vi->last_reason), "%s",
				 o->reason);
		if (vi->suspect[0])
			snprintf(vi->last_reason + strlen(vi->last_reason),
				 sizeof(vi->last_reason) -
				     strlen(vi->last_reason),
				 "; WARNING: %s", vi->suspect);
		log_info("%s: %s -> %s (%s)", c->name, vrrp_state_str(o->from),
			 vrrp_state_str(o->to), vi->last_reason);
		if (o->to == VRRP_STATE_MASTER)
			vi->cnt.became_master++;
		alertmail_transition(vi->d, vi, o->from, o->to,
				     vi->last_reason);
		notify_transition(vi, o->to);
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
		announce_all(vi);
		if (c->garp_master_delay_ms > 0)
			loop_timer_in(&vi->d->loop, &vi->garp_timer,
				      c->garp_master_delay_ms);
	}
	reschedule(vi);
	/* last: a forwarder that stopped reading is dropped here, which
	 * recomputes priorities and may feed this FSM again */
	if (o->changed)
		fwdlink_push_state(vi->d, vi);
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
		announce_all(vi);
}

static int tracker_add(struct vrrp_instance *vi, enum track_kind kind,
		       const char *name, int weight)
{
	struct inst_tracker *t = &vi->trackers[vi->n_trackers];

	t->kind = kind;
	t->name = name;
	t->weight = weight;
	if (kind == TRACK_SCRIPT)
		t->script = track_find(vi->d, name);
	else if (kind == TRACK_IFACE)
		t->link = ifwatch_find(vi->d, name);
	if (kind != TRACK_FORWARDER && !t->script && !t->link)
		return -ENOENT;
	vi->terms[vi->n_trackers].kind = kind;
	vi->terms[vi->n_trackers].name = name;
	vi->terms[vi->n_trackers].weight = weight;
	vi->terms[vi->n_trackers].ok = true;
	vi->n_trackers++;
	return 0;
}

/* The instance's own interface (always, weight 0: down means Fault),
 * its track_interface entries and its track_script entries. */
static int trackers_setup(struct vrrp_instance *vi)
{
	const struct conf_instance *c = vi->cfg;
	size_t n = 2 + c->n_track_ifs + c->n_track_scripts, i;
	int rc = 0;

	vi->trackers = calloc(n, sizeof(*vi->trackers));
	vi->terms = calloc(n, sizeof(*vi->terms));
	if (!vi->trackers || !vi->terms)
		return -ENOMEM;
	rc = tracker_add(vi, TRACK_IFACE, c->interface, 0);
	for (i = 0; rc == 0 && i < c->n_track_ifs; i++)
		if (strcmp(c->track_ifs[i].name, c->interface) != 0)
			rc = tracker_add(vi, TRACK_IFACE, c->track_ifs[i].name,
					 c->track_ifs[i].weight);
	for (i = 0; rc == 0 && i < c->n_track_scripts; i++) {
		const struct conf_track_script *ts = &c->track_scripts[i];
		const struct conf_script *s =
		    conf_script_find(vi->d->conf, ts->name);

		rc = tracker_add(vi, TRACK_SCRIPT, ts->name,
				 ts->weight_set ? ts->weight : s->weight);
	}
	if (rc == 0 && c->track_forwarder)
		rc = tracker_add(vi, TRACK_FORWARDER, "fwd",
				 c->track_forwarder_weight);
	return rc;
}

static bool forwarder_ok(struct vrrp_instance *vi, struct inst_tracker *t)
{
	const struct fwdtrack_cfg cfg = {
	    .timeout_ms = vi->cfg->track_forwarder_timeout_ms,
	    .hold_ms = vi->cfg->track_forwarder_hold_ms,
	};
	struct fwdtrack_link l;

	fwdlink_view(vi->d, vi, &l);
	return fwdtrack_eval(&t->fwd, &cfg, &l, mono_ms(), &t->fwd_next_ms);
}

/* Recomputes priority and fault from the trackers; feeds the FSM what
 * changed, with why as the reason. */
static void instance_recompute(struct vrrp_instance *vi, const char *why)
{
	struct vrrp_fsm_in in = {.why = why};
	struct prio_result res;
	char fault_why[112];
	size_t i;

	if (vi->fsm.state == VRRP_STATE_INIT)
		return;
	for (i = 0; i < vi->n_trackers; i++) {
		const struct inst_tracker *t = &vi->trackers[i];

		if (t->kind == TRACK_FORWARDER)
			vi->terms[i].ok = forwarder_ok(vi, &vi->trackers[i]);
		else
			vi->terms[i].ok =
			    t->script ? t->script->ok : t->link->up;
	}
	prio_compute(vi->cfg->priority, vi->terms, vi->n_trackers, &res);
	if (res.priority != vi->fsm.priority) {
		log_info("%s: priority %u -> %u (%s)", vi->cfg->name,
			 vi->fsm.priority, res.priority, why);
		snprintf(vi->prio_why, sizeof(vi->prio_why), "%s", why);
		vi->prio_fell = res.priority < vi->fsm.priority;
		vi->fsm.priority = res.priority;
		if (!res.fault && vi->fsm.state != VRRP_STATE_FAULT)
			feed(vi, VRRP_EV_PRIORITY, &in);
	}
	if (res.fault && vi->fsm.state != VRRP_STATE_FAULT) {
		/* name the tracker that failed, not the last event */
		snprintf(fault_why, sizeof(fault_why), "%s %s %s",
			 track_kind_str(res.fault_by->kind), res.fault_by->name,
			 res.fault_by->kind == TRACK_IFACE ? "down" : "failed");
		in.why = fault_why;
		feed(vi, VRRP_EV_FAULT, &in);
	} else if (!res.fault && vi->fsm.state == VRRP_STATE_FAULT) {
		feed(vi, VRRP_EV_RECOVER, &in);
	}
}

void instances_trackers_changed(struct vrrpd *d, const char *why)
{
	size_t i;

	for (i = 0; i < d->n_inst; i++)
		instance_recompute(&d->inst[i], why);
	anycast_trackers_changed(d, why);
	fwdlink_schedule(d);
}

/* The parts of an instance derived from its configuration. */
static int derive(struct vrrp_instance *vi)
{
	const struct conf_instance *cfg = vi->cfg;
	size_t i;

	vi->src = cfg->has_unicast_src ? cfg->unicast_src : vi->iface->primary;
	free(vi->vip_addrs);
	vi->vip_addrs = calloc(cfg->n_vips + 1, sizeof(*vi->vip_addrs));
	if (!vi->vip_addrs)
		return -ENOMEM;
	free(vi->vip_addrs6);
	vi->vip_addrs6 = calloc(cfg->n_vips + 1, sizeof(*vi->vip_addrs6));
	if (!vi->vip_addrs6)
		return -ENOMEM;
	for (i = 0; i < cfg->n_vips; i++) {
		vi->vip_addrs[i] = cfg->vips[i].addr;
		vi->vip_addrs6[i] = cfg->vips[i].addr6;
	}
	vi->src6 = vi->iface->ll6;
	vi->fsm_cfg.v6 = cfg->family == AF_INET6;
	/* the address our adverts come from, for the tie-break */
	vi->fsm_cfg.primary_ip6 =
	    cfg->has_unicast_src && cfg->family == AF_INET6 ? cfg->unicast_src6
							    : vi->src6;
	vi->fsm_cfg.advert_int = cfg->advert_int;
	vi->fsm_cfg.advert_cs = cfg->advert_cs;
	vi->fsm_cfg.v3 = cfg->version == 3;
	vi->fsm_cfg.preempt = !cfg->nopreempt;
	vi->fsm_cfg.fast_preempt = cfg->fast_preempt;
	vi->fsm_cfg.preempt_delay_ms = cfg->preempt_delay_ms;
	vi->fsm_cfg.primary_ip = vi->src;
	return 0;
}

/* ifaces_build() checked that the interface suits the instance. */
int instance_setup(struct vrrpd *d, struct vrrp_instance *vi,
		   const struct conf_instance *cfg)
{
	memset(vi, 0, sizeof(*vi));
	vi->d = d;
	vi->cfg = cfg;
	vi->iface = iface_find(d->ifaces, d->n_ifaces, cfg->interface);
	if (!vi->iface)
		return -ENODEV;
	if (derive(vi) < 0 || trackers_setup(vi) < 0)
		return -ENOMEM;
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
	instance_recompute(vi, "startup");
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
	free(vi->vip_addrs6);
	vi->vip_addrs6 = NULL;
	free(vi->trackers);
	free(vi->terms);
	notify_free(&vi->notify);
	vi->vip_addrs = NULL;
	vi->trackers = NULL;
	vi->terms = NULL;
}

int instance_adopt(struct vrrp_instance *to, struct vrrp_instance *from,
		   const struct conf_instance *cfg, struct vrrp_iface *iface)
{
	struct vrrpd *d = from->d;
	bool garp_armed = loop_timer_armed(&from->garp_timer);
	int64_t garp_at = from->garp_timer.when_ms;
	int rc;

	/* the loop's heap points at the timers themselves */
	loop_timer_cancel(&d->loop, &from->timer);
	loop_timer_cancel(&d->loop, &from->garp_timer);
	*to = *from;
	memset(from, 0, sizeof(*from));
	loop_timer_init(&to->timer, instance_timer, to);
	loop_timer_init(&to->garp_timer, garp_again, to);
	if (garp_armed)
		loop_timer_at(&d->loop, &to->garp_timer, garp_at);
	procs_repoint(&d->procs, from, to);
	free(to->trackers);
	free(to->terms);
	to->trackers = NULL;
	to->terms = NULL;
	to->n_trackers = 0;
	to->cfg = cfg;
	to->iface = iface;
	if ((rc = derive(to)) < 0 || (rc = trackers_setup(to)) < 0)
		return rc;
	vrrp_fsm_retime(&to->fsm, &to->fsm_cfg, mono_ms());
	reschedule(to);
	return 0;
}

void instance_vips_changed(struct vrrp_instance *vi,
			   const struct conf_instance *old)
{
	struct conf_instance gone = *old;
	struct vrrp_instance tmp = {.d = vi->d, .cfg = &gone};
	struct conf_vip *v;
	size_t i;
	int added, removed;

	if (vi->fsm.state != VRRP_STATE_MASTER)
		return;
	v = calloc(old->n_vips + 1, sizeof(*v));
	if (!v)
		return;
	gone.vips = v;
	gone.n_vips = 0;
	for (i = 0; i < old->n_vips; i++)
		if (!conf_vips_have(vi->cfg->vips, vi->cfg->n_vips,
				    &old->vips[i]))
			v[gone.n_vips++] = old->vips[i];
	removed = vip_del_all(&tmp);
	free(v);
	added = vip_add_all(vi);
	log_info("%s: virtual addresses reconfigured: %d removed, %d added",
		 vi->cfg->name, removed, added);
	if (added > 0)
		announce_all(vi);
}

void instance_retire(struct vrrp_instance *vi)
{
	instance_stop(vi);
	procs_repoint(&vi->d->procs, vi, NULL);
	instance_free(vi);
}

/* At most one line per reason per LOG_EVERY_MS, with the count of the
 * lines swallowed since; false when this one is swallowed. */
static bool drop_log_allowed(struct vrrp_instance *vi, unsigned slot,
			     unsigned *suppressed)
{
	*suppressed = 0;
	return ratelimit_allow(&vi->rl[slot], vi->d->loop.now_ms, LOG_EVERY_MS,
			       suppressed);
}

static void log_drop(struct vrrp_instance *vi, const char *why,
		     unsigned suppressed)
{
	if (suppressed)
		log_warn("%s: %s (and %u more like it)", vi->cfg->name, why,
			 suppressed);
	else
		log_warn("%s: %s", vi->cfg->name, why);
}

void instance_rx_overflow(struct vrrp_iface *ifc, uint32_t n)
{
	struct vrrp_instance *vi = NULL;
	unsigned suppressed;
	char why[96];
	size_t i;

	for (i = 0; i < ifc->d->n_inst && !vi; i++)
		if (ifc->d->inst[i].iface == ifc)
			vi = &ifc->d->inst[i];
	if (!vi)
		return;
	vi->cnt.drops[VRRP_DROP_RCVBUF] += n;
	if (drop_log_allowed(vi, VRRP_DROP_RCVBUF, &suppressed)) {
		snprintf(
		    why, sizeof(why),
		    "%s: receive queue full; the kernel dropped %u packets",
		    ifc->name, n);
		log_drop(vi, why, suppressed);
	}
}

/*
 * Decode failures are charged to the instance whose VRID the packet
 * carries if we can read it, else to the first instance on the interface.
 */
static struct vrrp_instance *instance_for(struct vrrpd *d,
					  struct vrrp_iface *ifc,
					  const uint8_t *pkt, size_t len,
					  bool v6)
{
	struct vrrp_instance *first = NULL;
	size_t ihl = len ? (size_t)(pkt[0] & 0x0f) * 4 : 0;
	size_t i;

	for (i = 0; i < d->n_inst; i++) {
		struct vrrp_instance *vi = &d->inst[i];

		/* VRIDs are per address family (RFC 5798 5.2.3) */
		if (vi->iface != ifc || (vi->cfg->family == AF_INET6) != !!v6)
			continue;
		if (!first)
			first = vi;
		if (v6 && len > 1 && pkt[1] == vi->cfg->vrid)
			return vi;
		if (!v6 && ihl >= 20 && len > ihl + 1 &&
		    pkt[ihl + 1] == vi->cfg->vrid)
			return vi;
	}
	return first;
}

/* The receive checks of RFC 3768 7.1; why (may be NULL) is only
 * worth its formatting when the line will be logged. */
static enum vrrp_drop check_packet(struct vrrp_instance *vi, const uint8_t *pkt,
				   size_t len, const struct vrrp_rx *rx6,
				   struct vrrp_rx *rx, struct vrrp_advert *a,
				   bool *mismatch, char *why, size_t why_len)
{
	struct in_addr own[2] = {vi->src, vi->iface->primary};
	struct vrrp_expect e = {0};
	enum vrrp_drop drop;

	*mismatch = false;
	if (rx6) {
		*rx = *rx6;
		drop = vrrp3_pkt_decode6(pkt, len, rx, a, why, why_len);
	} else {
		drop = vrrp_pkt_decode_ver(vi->cfg->version, pkt, len, rx, a,
					   why, why_len);
	}
	if (drop != VRRP_DROP_NONE)
		return drop;
	e.version = vi->cfg->version;
	e.family = rx6 ? AF_INET6 : AF_INET;
	e.vips6 = vi->vip_addrs6;
	e.own6 = &vi->src6;
	e.vrid = vi->cfg->vrid;
	e.advert_int = vi->cfg->advert_int;
	e.owner = vi->cfg->priority == VRRP_PRIO_OWNER;
	e.auth_type = vi->cfg->auth_pass_set ? VRRP_AUTH_PASS : VRRP_AUTH_NONE;
	memcpy(e.auth, vi->cfg->auth_pass, VRRP_AUTH_LEN);
	e.vips = vi->vip_addrs;
	e.n_vips = vi->cfg->n_vips;
	e.own = own;
	e.n_own = own[1].s_addr ? 2 : 1;
	e.peers = vi->cfg->peers;
	e.peers6 = vi->cfg->peers6;
	e.n_peers = vi->cfg->n_peers;
	return vrrp_pkt_validate(a, rx, &e, mismatch, why, why_len);
}

/*
 * Priority 255 from a source that is not a VIP: RFC 3768 has us obey it
 * (a Master steps down at once), but the real owner's source is the VIP
 * itself, so say loudly that this looks wrong: in the log (one line per
 * LOG_EVERY_MS) and, through the reason, in the alert mail.
 */
static void owner_suspect(struct vrrp_instance *vi, struct in_addr src)
{
	static const char fmt[] =
	    "priority 255 advert from %s, which is not one of our virtual "
	    "addresses (the address owner sends from the VIP itself): "
	    "likely a misconfiguration or an attack; protect the VRID with "
	    "authentication and unicast_peer";
	char ip[INET_ADDRSTRLEN];
	unsigned suppressed = 0;

	vi->cnt.owner_suspect++;
	inet_ntop(AF_INET, &src, ip, sizeof(ip));
	snprintf(vi->suspect, sizeof(vi->suspect), fmt, ip);
	if (ratelimit_allow(&vi->rl_owner, vi->d->loop.now_ms, LOG_EVERY_MS,
			    &suppressed))
		log_drop(vi, vi->suspect, suppressed);
}

static void handle_packet(struct vrrp_iface *ifc, const uint8_t *pkt,
			  size_t len, const struct vrrp_rx *rx6)
{
	struct vrrp_instance *vi;
	struct vrrp_advert a;
	struct vrrp_rx rx;
	struct vrrp_fsm_in in = {0};
	enum vrrp_drop drop;
	bool mismatch;
	unsigned suppressed;
	char why[160];

	vi = instance_for(ifc->d, ifc, pkt, len, rx6 != NULL);
	if (!vi)
		return;
	drop = check_packet(vi, pkt, len, rx6, &rx, &a, &mismatch, NULL, 0);
	if (drop != VRRP_DROP_NONE) {
		vi->cnt.drops[drop]++;
		if (drop_log_allowed(vi, drop, &suppressed)) {
			check_packet(vi, pkt, len, rx6, &rx, &a, &mismatch, why,
				     sizeof(why));
			log_drop(vi, why, suppressed);
		}
		return;
	}
	if (mismatch) {
		vi->cnt.addr_list_mismatch++;
		if (drop_log_allowed(vi, VRRP_DROP_COUNT, &suppressed)) {
			check_packet(vi, pkt, len, rx6, &rx, &a, &mismatch, why,
				     sizeof(why));
			log_drop(vi, why, suppressed);
		}
	}
	vi->cnt.adverts_received++;
	if (a.priority == VRRP_PRIO_STOP)
		vi->cnt.priority_zero_received++;
	if (rx.csum == VRRP_CSUM_PSEUDO)
		vi->cnt.csum_pseudo++;
	else if (rx.csum == VRRP_CSUM_PLAIN)
		vi->cnt.csum_plain++;
	if (rx.csum != VRRP_CSUM_NONE)
		vi->cnt.peer_csum = rx.csum;
	in.priority = a.priority;
	in.advert_cs = a.max_adver_cs;
	in.src = rx.src;
	in.src6 = rx.src6;
	/* IPv4 only: an IPv6 owner sends from its link-local address */
	if (!rx6 &&
	    vrrp_pkt_owner_suspect(&a, &rx, vi->vip_addrs, vi->cfg->n_vips))
		owner_suspect(vi, rx.src);
	feed(vi, VRRP_EV_ADVERT, &in);
	vi->suspect[0] = '\0';
}

void instance_handle_packet(struct vrrp_iface *ifc, const uint8_t *pkt,
			    size_t len)
{
	handle_packet(ifc, pkt, len, NULL);
}

void instance_handle_packet6(struct vrrp_iface *ifc, const uint8_t *msg,
			     size_t len, const struct vrrp_rx *rx)
{
	handle_packet(ifc, msg, len, rx);
}
