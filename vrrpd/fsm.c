#include "fsm.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "packet.h"

const char *vrrp_state_str(enum vrrp_state s)
{
	static const char *const names[VRRP_STATE_COUNT] = {"INIT", "BACKUP",
							    "MASTER", "FAULT"};

	return s < VRRP_STATE_COUNT ? names[s] : "?";
}

const char *vrrp_event_str(enum vrrp_event e)
{
	static const char *const names[VRRP_EV_COUNT] = {
	    "startup",	"shutdown", "timer",  "advert",
	    "priority", "fault",    "recover"};

	return e < VRRP_EV_COUNT ? names[e] : "?";
}

void vrrp_fsm_init(struct vrrp_fsm *f, uint8_t priority)
{
	memset(f, 0, sizeof(*f));
	f->state = VRRP_STATE_INIT;
	f->priority = priority;
}

int64_t vrrp_skew_ms(uint8_t priority)
{
	return (256 - (int64_t)priority) * 1000 / 256;
}

int64_t vrrp_master_down_ms(uint8_t priority, uint8_t advert_int)
{
	return 3 * (int64_t)advert_int * 1000 + vrrp_skew_ms(priority);
}

int64_t vrrp3_skew_ms(uint8_t priority, unsigned adver_cs)
{
	return (256 - (int64_t)priority) * adver_cs * 10 / 256;
}

int64_t vrrp3_master_down_ms(uint8_t priority, unsigned adver_cs)
{
	return 3 * (int64_t)adver_cs * 10 + vrrp3_skew_ms(priority, adver_cs);
}

int64_t vrrp_fsm_deadline(const struct vrrp_fsm *f)
{
	if (f->state == VRRP_STATE_MASTER)
		return f->adver_at;
	if (f->state == VRRP_STATE_BACKUP)
		return f->down_at;
	return 0;
}

struct ctx {
	struct vrrp_fsm *f;
	const struct vrrp_fsm_cfg *cfg;
	const struct vrrp_fsm_in *in;
	int64_t now;
	struct vrrp_fsm_out *out;
};

/* Advertisement_Interval in ms */
static int64_t adver_ms(const struct ctx *c)
{
	return c->cfg->advert_cs ? c->cfg->advert_cs * 10
				 : c->cfg->advert_int * 1000;
}

/* Master_Adver_Interval in centiseconds: learned in v3, ours in v2 */
static unsigned master_cs(const struct ctx *c)
{
	if (c->cfg->v3 && c->f->master_adver_cs)
		return c->f->master_adver_cs;
	return (unsigned)(adver_ms(c) / 10);
}

static int64_t down_ms(const struct ctx *c)
{
	if (!c->cfg->v3)
		return vrrp_master_down_ms(c->f->priority, c->cfg->advert_int);
	return vrrp3_master_down_ms(c->f->priority, master_cs(c));
}

static int64_t skew_ms(const struct ctx *c)
{
	if (!c->cfg->v3)
		return vrrp_skew_ms(c->f->priority);
	return vrrp3_skew_ms(c->f->priority, master_cs(c));
}

static void __attribute__((format(printf, 2, 3)))
reason(struct ctx *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->out->reason, sizeof(c->out->reason), fmt, ap);
	va_end(ap);
}

/* buf holds INET6_ADDRSTRLEN */
static const char *addr_str(const struct ctx *c, const struct in_addr *a,
			    const struct in6_addr *a6, char *buf)
{
	if (c->cfg->v6)
		inet_ntop(AF_INET6, a6, buf, INET6_ADDRSTRLEN);
	else
		inet_ntop(AF_INET, a, buf, INET6_ADDRSTRLEN);
	return buf;
}

static const char *src_str(const struct ctx *c, char *buf)
{
	return addr_str(c, &c->in->src, &c->in->src6, buf);
}

/* the advert's sender becomes the Master we know */
static void note_master(struct ctx *c)
{
	c->f->master_ip = c->in->src;
	c->f->master_ip6 = c->in->src6;
	c->f->master_prio = c->in->priority;
	c->f->master_known = true;
}

/* The one place where the state changes: entry actions and bookkeeping. */
static void enter(struct ctx *c, enum vrrp_state to)
{
	struct vrrp_fsm *f = c->f;
	struct vrrp_fsm_out *o = c->out;
	enum vrrp_state from = f->state;

	if (from == to)
		return;
	f->state = to;
	f->transitions++;
	o->changed = true;
	o->to = to;
	f->adver_at = 0;
	f->down_at = 0;
	f->stop_from.s_addr = 0;
	memset(&f->stop_from6, 0, sizeof(f->stop_from6));
	if (from == VRRP_STATE_MASTER)
		o->del_vips = true;
	switch (to) {
	case VRRP_STATE_MASTER:
		/* RFC 3768 6.4.1/6.4.2: advertise, GARP, start Adver_Timer */
		o->send_advert = true;
		o->add_vips = true;
		o->garp = true;
		f->adver_at = c->now + adver_ms(c);
		f->master_ip = c->cfg->primary_ip;
		f->master_ip6 = c->cfg->primary_ip6;
		f->master_prio = f->priority;
		f->master_known = true;
		f->split_garp_at = c->now; /* these GARPs count as the burst */
		break;
	case VRRP_STATE_BACKUP:
		/* RFC 5798 6.4.1: Master_Adver_Interval = ours until heard */
		f->master_adver_cs = 0;
		f->down_at = c->now + down_ms(c);
		f->backup_since = c->now;
		f->master_known = false;
		f->master_ip.s_addr = 0;
		memset(&f->master_ip6, 0, sizeof(f->master_ip6));
		break;
	case VRRP_STATE_INIT:
	case VRRP_STATE_FAULT:
		f->master_known = false;
		f->master_ip.s_addr = 0;
		memset(&f->master_ip6, 0, sizeof(f->master_ip6));
		break;
	default:
		break;
	}
}

static bool preempt_allowed(const struct ctx *c)
{
	return c->cfg->preempt &&
	       c->now >= c->f->backup_since + c->cfg->preempt_delay_ms;
}

/* RFC 3768 6.4.1 */
static void init_startup(struct ctx *c)
{
	if (c->f->priority == VRRP_PRIO_OWNER) {
		reason(c, "address owner (priority 255)");
		enter(c, VRRP_STATE_MASTER);
	} else {
		reason(c, "startup");
		enter(c, VRRP_STATE_BACKUP);
	}
}

static void to_init(struct ctx *c)
{
	reason(c, "shutdown");
	enter(c, VRRP_STATE_INIT);
}

static void to_fault(struct ctx *c)
{
	if (c->f->state == VRRP_STATE_MASTER)
		c->out->send_stop = true;
	reason(c, "%s", c->in->why ? c->in->why : "fault");
	enter(c, VRRP_STATE_FAULT);
}

static void fault_recover(struct ctx *c)
{
	reason(c, "%s", c->in->why ? c->in->why : "fault cleared");
	enter(c, VRRP_STATE_BACKUP);
}

/* RFC 3768 6.4.2 */
static void backup_timer(struct ctx *c)
{
	struct vrrp_fsm *f = c->f;
	char src[INET6_ADDRSTRLEN];

	if (!f->down_at || c->now < f->down_at)
		return;
	if (f->stop_from.s_addr || !IN6_IS_ADDR_UNSPECIFIED(&f->stop_from6)) {
		addr_str(c, &f->stop_from, &f->stop_from6, src);
		reason(c, "priority 0 advert from %s (master stopped)", src);
	} else {
		reason(c, "master down timer expired");
	}
	enter(c, VRRP_STATE_MASTER);
}

static void backup_advert(struct ctx *c)
{
	struct vrrp_fsm *f = c->f;
	char src[INET6_ADDRSTRLEN];

	if (c->in->priority == VRRP_PRIO_STOP) {
		/* the Master resigned: take over after Skew_Time */
		f->down_at = c->now + skew_ms(c);
		f->master_known = false;
		f->stop_from = c->in->src;
		f->stop_from6 = c->in->src6;
		return;
	}
	f->stop_from.s_addr = 0;
	memset(&f->stop_from6, 0, sizeof(f->stop_from6));
	note_master(c);
	if (c->in->priority >= f->priority || !preempt_allowed(c)) {
		/* RFC 5798 6.4.2: learn the Master's interval */
		if (c->cfg->v3 && c->in->advert_cs)
			f->master_adver_cs = c->in->advert_cs;
		f->down_at = c->now + down_ms(c);
		return;
	}
	/* A lower-priority Master and we may preempt. The RFC discards the
	 * advert and waits for Master_Down_Timer; fast_preempt takes over
	 * now, and the old Master yields on our first advert. */
	if (c->cfg->fast_preempt) {
		reason(c, "preempting lower priority master %s (priority %u)",
		       src_str(c, src), c->in->priority);
		enter(c, VRRP_STATE_MASTER);
	}
}

static void backup_priority(struct ctx *c)
{
	struct vrrp_fsm *f = c->f;
	char src[INET6_ADDRSTRLEN];

	if (f->master_known && f->master_prio < f->priority &&
	    c->cfg->fast_preempt && preempt_allowed(c)) {
		addr_str(c, &f->master_ip, &f->master_ip6, src);
		reason(c, "our priority rose above master %s (priority %u)%s%s",
		       src, f->master_prio, c->in->why ? " after " : "",
		       c->in->why ? c->in->why : "");
		enter(c, VRRP_STATE_MASTER);
	}
}

/* RFC 3768 6.4.3 */
static void master_timer(struct ctx *c)
{
	if (c->f->adver_at && c->now >= c->f->adver_at) {
		c->out->send_advert = true;
		c->f->adver_at = c->now + adver_ms(c);
	}
}

static void master_shutdown(struct ctx *c)
{
	c->out->send_stop = true;
	to_init(c);
}

static bool peer_wins(const struct ctx *c)
{
	if (c->in->priority != c->f->priority)
		return c->in->priority > c->f->priority;
	/* network byte order: memcmp orders IPv6 addresses numerically */
	if (c->cfg->v6)
		return memcmp(&c->in->src6, &c->cfg->primary_ip6, 16) > 0;
	return ntohl(c->in->src.s_addr) > ntohl(c->cfg->primary_ip.s_addr);
}

static void master_advert(struct ctx *c)
{
	struct vrrp_fsm *f = c->f;
	char src[INET6_ADDRSTRLEN];

	if (c->in->priority == VRRP_PRIO_STOP) {
		c->out->send_advert = true;
		f->adver_at = c->now + adver_ms(c);
		return;
	}
	if (peer_wins(c)) {
		if (c->in->priority > f->priority)
			reason(c,
			       "higher priority advert from %s (priority %u)",
			       src_str(c, src), c->in->priority);
		else
			reason(c,
			       "advert from %s with equal priority %u and a "
			       "higher address",
			       src_str(c, src), c->in->priority);
		enter(c, VRRP_STATE_BACKUP);
		note_master(c);
		/* RFC 5798 6.4.3: the new Master's interval times it */
		if (c->cfg->v3 && c->in->advert_cs) {
			f->master_adver_cs = c->in->advert_cs;
			f->down_at = c->now + down_ms(c);
		}
		/* one last advert at our priority (keepalived's
		 * vrrp_higher_prio_send_advert): after a split brain the
		 * winner may never have heard us, and this tells it to
		 * re-announce its MAC (our GARPs taught the segment ours) */
		c->out->send_advert = true;
		return;
	}
	/* Split brain: the peer thinks it is Master too. Assert ourselves
	 * now, and refresh the ARP caches that may have learnt its MAC
	 * (at most one GARP burst per advert interval). */
	c->out->send_advert = true;
	f->adver_at = c->now + adver_ms(c);
	if (c->now - f->split_garp_at >= adver_ms(c) || f->split_garp_at == 0) {
		c->out->garp = true;
		f->split_garp_at = c->now;
	}
}

static void master_priority(struct ctx *c)
{
	/* tell the peer at once rather than at the next interval */
	c->out->send_advert = true;
	c->f->adver_at = c->now + adver_ms(c);
}

typedef void (*handler)(struct ctx *c);

static const handler handlers[VRRP_STATE_COUNT][VRRP_EV_COUNT] = {
    [VRRP_STATE_INIT] =
	{
	    [VRRP_EV_STARTUP] = init_startup,
	    [VRRP_EV_FAULT] = to_fault,
	},
    [VRRP_STATE_BACKUP] =
	{
	    [VRRP_EV_SHUTDOWN] = to_init,
	    [VRRP_EV_TIMER] = backup_timer,
	    [VRRP_EV_ADVERT] = backup_advert,
	    [VRRP_EV_PRIORITY] = backup_priority,
	    [VRRP_EV_FAULT] = to_fault,
	},
    [VRRP_STATE_MASTER] =
	{
	    [VRRP_EV_SHUTDOWN] = master_shutdown,
	    [VRRP_EV_TIMER] = master_timer,
	    [VRRP_EV_ADVERT] = master_advert,
	    [VRRP_EV_PRIORITY] = master_priority,
	    [VRRP_EV_FAULT] = to_fault,
	},
    [VRRP_STATE_FAULT] =
	{
	    [VRRP_EV_SHUTDOWN] = to_init,
	    [VRRP_EV_RECOVER] = fault_recover,
	},
};

void vrrp_fsm_handle(struct vrrp_fsm *f, const struct vrrp_fsm_cfg *cfg,
		     enum vrrp_event ev, const struct vrrp_fsm_in *in,
		     int64_t now, struct vrrp_fsm_out *out)
{
	static const struct vrrp_fsm_in none;
	/* out is only stored here and zeroed below before any read */
	/* cppcheck-suppress ctuuninitvar */
	struct ctx c = {f, cfg, in ? in : &none, now, out};
	handler h;

	memset(out, 0, sizeof(*out));
	out->from = out->to = f->state;
	if (f->state >= VRRP_STATE_COUNT || ev >= VRRP_EV_COUNT)
		return;
	h = handlers[f->state][ev];
	if (h)
		h(&c);
}

void vrrp_fsm_retime(struct vrrp_fsm *f, const struct vrrp_fsm_cfg *cfg,
		     int64_t now)
{
	struct ctx c = {f, cfg, NULL, now, NULL};

	if (f->state == VRRP_STATE_MASTER && f->adver_at > now + adver_ms(&c))
		f->adver_at = now + adver_ms(&c);
}
