/*
 * The VRRP state machine of RFC 3768 section 6.4, plus Fault, fast
 * preemption and split-brain recovery. Pure: the caller passes events and
 * the current time in, and applies the actions that come out.
 */
#ifndef VRRPD_FSM_H
#define VRRPD_FSM_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

enum vrrp_state {
	VRRP_STATE_INIT,
	VRRP_STATE_BACKUP,
	VRRP_STATE_MASTER,
	VRRP_STATE_FAULT,
	VRRP_STATE_COUNT
};

enum vrrp_event {
	VRRP_EV_STARTUP,
	VRRP_EV_SHUTDOWN,
	VRRP_EV_TIMER,	  /* a deadline from vrrp_fsm_deadline() passed */
	VRRP_EV_ADVERT,	  /* a validated advert; see vrrp_fsm_in */
	VRRP_EV_PRIORITY, /* the effective priority changed */
	VRRP_EV_FAULT,	  /* a tracked thing failed hard */
	VRRP_EV_RECOVER,  /* nothing fails hard any more */
	VRRP_EV_COUNT
};

const char *vrrp_state_str(enum vrrp_state s);
const char *vrrp_event_str(enum vrrp_event e);

struct vrrp_fsm_cfg {
	uint8_t advert_int; /* seconds; v2, and v3 when advert_cs is 0 */
	bool v3; /* RFC 5798: a Backup learns the Master's interval */
	uint16_t advert_cs; /* Advertisement_Interval (centiseconds), or 0 */
	bool preempt;
	bool fast_preempt;
	int64_t preempt_delay_ms;
	struct in_addr primary_ip; /* ours, for the RFC's tie-break */
	bool v6;		   /* addresses below are the *6 ones */
	struct in6_addr primary_ip6;
};

struct vrrp_fsm {
	enum vrrp_state state;
	uint8_t priority; /* effective; the caller updates it */
	int64_t adver_at; /* Adver_Timer deadline, 0 when not running */
	int64_t down_at;  /* Master_Down_Timer deadline, 0 when off */
	int64_t backup_since;
	int64_t split_garp_at; /* last split-brain GARP burst */
	struct in_addr master_ip;
	uint8_t master_prio;
	bool master_known;
	struct in_addr stop_from; /* who sent the priority 0 advert */
	uint16_t master_adver_cs; /* v3: Master_Adver_Interval (RFC 5798 6.1) */
	struct in6_addr master_ip6, stop_from6; /* IPv6 instances */
	unsigned transitions;
};

struct vrrp_fsm_in {
	uint8_t priority;     /* VRRP_EV_ADVERT */
	uint16_t advert_cs;   /* VRRP_EV_ADVERT, v3: its Max Advert Int */
	struct in_addr src;   /* VRRP_EV_ADVERT */
	struct in6_addr src6; /* VRRP_EV_ADVERT, IPv6 instances */
	const char *why;      /* FAULT, RECOVER, PRIORITY: what changed */
};

struct vrrp_fsm_out {
	enum vrrp_state from, to;
	bool changed;
	bool send_advert; /* with the current priority */
	bool send_stop;	  /* with priority 0 (RFC 3768 6.4.3 Shutdown) */
	bool add_vips;
	bool del_vips;
	bool garp;
	char reason[112];
};

void vrrp_fsm_init(struct vrrp_fsm *f, uint8_t priority);

/* RFC 3768 6.1: Skew_Time and Master_Down_Interval, in ms. */
int64_t vrrp_skew_ms(uint8_t priority);
int64_t vrrp_master_down_ms(uint8_t priority, uint8_t advert_int);
/* RFC 5798 6.1: the same from Master_Adver_Interval in centiseconds; in
 * ms rather than whole centiseconds (keepalived uses microseconds). */
int64_t vrrp3_skew_ms(uint8_t priority, unsigned adver_cs);
int64_t vrrp3_master_down_ms(uint8_t priority, unsigned adver_cs);

void vrrp_fsm_handle(struct vrrp_fsm *f, const struct vrrp_fsm_cfg *cfg,
		     enum vrrp_event ev, const struct vrrp_fsm_in *in,
		     int64_t now, struct vrrp_fsm_out *out);

/* After cfg changed (reload): a Master whose next advert is further away
 * than the new interval advertises within it, so a Backup that already
 * times it by the new interval does not take over. */
void vrrp_fsm_retime(struct vrrp_fsm *f, const struct vrrp_fsm_cfg *cfg,
		     int64_t now);

/* The next time the caller must deliver VRRP_EV_TIMER, or 0 for never. */
int64_t vrrp_fsm_deadline(const struct vrrp_fsm *f);

#endif
