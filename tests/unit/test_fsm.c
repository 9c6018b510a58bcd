/* The RFC 3768 6.4 state tables, one row per transition. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <string.h>

#include "fsm.h"

#define NOW   100000
#define ME    "198.18.0.11"
#define LOWER "198.18.0.5"
#define UPPER "198.18.0.20"

enum { A_ADVERT = 1, A_STOP = 2, A_ADD = 4, A_DEL = 8, A_GARP = 16 };

struct row {
	const char *name;
	enum vrrp_state from;
	uint8_t prio;
	bool nopreempt, strict; /* strict: fast_preempt off */
	int64_t preempt_delay_ms, backup_age_ms;
	enum vrrp_event ev;
	int in_prio; /* advert priority, -1 for none */
	const char *in_src;
	int64_t deadline; /* armed timer relative to NOW (0: none) */
	enum vrrp_state to;
	unsigned actions;
	int64_t want_deadline; /* relative to NOW; -1: don't check */
	const char *reason;    /* substring; NULL: no transition */
};

/* MDI for priority 100, advert_int 1: 3000 + 156000/256 = 3609 ms */
static const struct row rows[] = {
    {"init startup", VRRP_STATE_INIT, 100, 0, 0, 0, 0, VRRP_EV_STARTUP, -1,
     NULL, 0, VRRP_STATE_BACKUP, 0, 3609, "startup"},
    {"init startup owner", VRRP_STATE_INIT, 255, 0, 0, 0, 0, VRRP_EV_STARTUP,
     -1, NULL, 0, VRRP_STATE_MASTER, A_ADVERT | A_ADD | A_GARP, 1000,
     "address owner"},
    {"init fault", VRRP_STATE_INIT, 100, 0, 0, 0, 0, VRRP_EV_FAULT, -1, NULL, 0,
     VRRP_STATE_FAULT, 0, 0, "fault"},
    {"init advert ignored", VRRP_STATE_INIT, 100, 0, 0, 0, 0, VRRP_EV_ADVERT,
     100, UPPER, 0, VRRP_STATE_INIT, 0, 0, NULL},
    {"backup master down", VRRP_STATE_BACKUP, 100, 0, 0, 0, 0, VRRP_EV_TIMER,
     -1, NULL, -1, VRRP_STATE_MASTER, A_ADVERT | A_ADD | A_GARP, 1000,
     "master down timer expired"},
    {"backup timer early", VRRP_STATE_BACKUP, 100, 0, 0, 0, 0, VRRP_EV_TIMER,
     -1, NULL, 5, VRRP_STATE_BACKUP, 0, 5, NULL},
    {"backup prio 0", VRRP_STATE_BACKUP, 100, 0, 0, 0, 0, VRRP_EV_ADVERT, 0,
     UPPER, 3000, VRRP_STATE_BACKUP, 0, 609, NULL},
    {"backup higher", VRRP_STATE_BACKUP, 100, 0, 0, 0, 0, VRRP_EV_ADVERT, 150,
     LOWER, 10, VRRP_STATE_BACKUP, 0, 3609, NULL},
    {"backup equal", VRRP_STATE_BACKUP, 100, 0, 0, 0, 0, VRRP_EV_ADVERT, 100,
     LOWER, 10, VRRP_STATE_BACKUP, 0, 3609, NULL},
    {"backup lower fast", VRRP_STATE_BACKUP, 100, 0, 0, 0, 0, VRRP_EV_ADVERT,
     90, UPPER, 3000, VRRP_STATE_MASTER, A_ADVERT | A_ADD | A_GARP, 1000,
     "preempting lower priority master 198.18.0.20 (priority 90)"},
    {"backup lower strict", VRRP_STATE_BACKUP, 100, 0, 1, 0, 0, VRRP_EV_ADVERT,
     90, UPPER, 3000, VRRP_STATE_BACKUP, 0, 3000, NULL},
    {"backup lower nopreempt", VRRP_STATE_BACKUP, 100, 1, 0, 0, 0,
     VRRP_EV_ADVERT, 90, UPPER, 10, VRRP_STATE_BACKUP, 0, 3609, NULL},
    {"backup lower in preempt_delay", VRRP_STATE_BACKUP, 100, 0, 0, 5000, 1000,
     VRRP_EV_ADVERT, 90, UPPER, 10, VRRP_STATE_BACKUP, 0, 3609, NULL},
    {"backup lower after preempt_delay", VRRP_STATE_BACKUP, 100, 0, 0, 5000,
     6000, VRRP_EV_ADVERT, 90, UPPER, 10, VRRP_STATE_MASTER,
     A_ADVERT | A_ADD | A_GARP, 1000, "preempting"},
    {"backup shutdown", VRRP_STATE_BACKUP, 100, 0, 0, 0, 0, VRRP_EV_SHUTDOWN,
     -1, NULL, 10, VRRP_STATE_INIT, 0, 0, "shutdown"},
    {"backup fault", VRRP_STATE_BACKUP, 100, 0, 0, 0, 0, VRRP_EV_FAULT, -1,
     NULL, 10, VRRP_STATE_FAULT, 0, 0, "fault"},
    {"backup recover ignored", VRRP_STATE_BACKUP, 100, 0, 0, 0, 0,
     VRRP_EV_RECOVER, -1, NULL, 10, VRRP_STATE_BACKUP, 0, 10, NULL},
    {"master adver timer", VRRP_STATE_MASTER, 100, 0, 0, 0, 0, VRRP_EV_TIMER,
     -1, NULL, -1, VRRP_STATE_MASTER, A_ADVERT, 1000, NULL},
    {"master higher", VRRP_STATE_MASTER, 100, 0, 0, 0, 0, VRRP_EV_ADVERT, 150,
     LOWER, 500, VRRP_STATE_BACKUP, A_DEL | A_ADVERT, 3609,
     "higher priority advert from 198.18.0.5 (priority 150)"},
    {"master equal higher ip", VRRP_STATE_MASTER, 100, 0, 0, 0, 0,
     VRRP_EV_ADVERT, 100, UPPER, 500, VRRP_STATE_BACKUP, A_DEL | A_ADVERT, 3609,
     "equal priority 100 and a higher address"},
    {"master equal lower ip", VRRP_STATE_MASTER, 100, 0, 0, 0, 0,
     VRRP_EV_ADVERT, 100, LOWER, 500, VRRP_STATE_MASTER, A_ADVERT | A_GARP,
     1000, NULL},
    {"master lower: split brain", VRRP_STATE_MASTER, 100, 0, 0, 0, 0,
     VRRP_EV_ADVERT, 50, UPPER, 500, VRRP_STATE_MASTER, A_ADVERT | A_GARP, 1000,
     NULL},
    {"master prio 0", VRRP_STATE_MASTER, 100, 0, 0, 0, 0, VRRP_EV_ADVERT, 0,
     UPPER, 500, VRRP_STATE_MASTER, A_ADVERT, 1000, NULL},
    {"master shutdown", VRRP_STATE_MASTER, 100, 0, 0, 0, 0, VRRP_EV_SHUTDOWN,
     -1, NULL, 500, VRRP_STATE_INIT, A_STOP | A_DEL, 0, "shutdown"},
    {"master fault", VRRP_STATE_MASTER, 100, 0, 0, 0, 0, VRRP_EV_FAULT, -1,
     NULL, 500, VRRP_STATE_FAULT, A_STOP | A_DEL, 0, "fault"},
    {"master priority change", VRRP_STATE_MASTER, 100, 0, 0, 0, 0,
     VRRP_EV_PRIORITY, -1, NULL, 500, VRRP_STATE_MASTER, A_ADVERT, 1000, NULL},
    {"fault recover", VRRP_STATE_FAULT, 100, 0, 0, 0, 0, VRRP_EV_RECOVER, -1,
     NULL, 0, VRRP_STATE_BACKUP, 0, 3609, "fault cleared"},
    {"fault advert ignored", VRRP_STATE_FAULT, 100, 0, 0, 0, 0, VRRP_EV_ADVERT,
     50, UPPER, 0, VRRP_STATE_FAULT, 0, 0, NULL},
    {"fault timer ignored", VRRP_STATE_FAULT, 100, 0, 0, 0, 0, VRRP_EV_TIMER,
     -1, NULL, 0, VRRP_STATE_FAULT, 0, 0, NULL},
    {"fault shutdown", VRRP_STATE_FAULT, 100, 0, 0, 0, 0, VRRP_EV_SHUTDOWN, -1,
     NULL, 0, VRRP_STATE_INIT, 0, 0, "shutdown"},
};

static unsigned actions_of(const struct vrrp_fsm_out *o)
{
	return (o->send_advert ? A_ADVERT : 0) | (o->send_stop ? A_STOP : 0) |
	       (o->add_vips ? A_ADD : 0) | (o->del_vips ? A_DEL : 0) |
	       (o->garp ? A_GARP : 0);
}

static void setup_row(const struct row *r, struct vrrp_fsm *f,
		      struct vrrp_fsm_cfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->advert_int = 1;
	cfg->preempt = !r->nopreempt;
	cfg->fast_preempt = !r->strict;
	cfg->preempt_delay_ms = r->preempt_delay_ms;
	inet_pton(AF_INET, ME, &cfg->primary_ip);
	vrrp_fsm_init(f, r->prio);
	f->state = r->from;
	f->backup_since = NOW - r->backup_age_ms;
	if (r->deadline) {
		int64_t at = NOW + r->deadline;

		if (r->from == VRRP_STATE_MASTER)
			f->adver_at = at;
		else
			f->down_at = at;
	}
}

static void test_rows(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];
		struct vrrp_fsm f;
		struct vrrp_fsm_cfg cfg;
		struct vrrp_fsm_in in = {0};
		struct vrrp_fsm_out o;

		print_message("row: %s\n", r->name);
		setup_row(r, &f, &cfg);
		if (r->in_prio >= 0) {
			in.priority = (uint8_t)r->in_prio;
			inet_pton(AF_INET, r->in_src, &in.src);
		}
		vrrp_fsm_handle(&f, &cfg, r->ev, r->in_prio >= 0 ? &in : NULL,
				NOW, &o);
		assert_int_equal(f.state, r->to);
		assert_int_equal(o.from, r->from);
		assert_int_equal(o.changed, r->from != r->to);
		assert_int_equal(actions_of(&o), r->actions);
		if (r->want_deadline >= 0) {
			int64_t d = vrrp_fsm_deadline(&f);

			assert_int_equal(d ? d - NOW : 0, r->want_deadline);
		}
		if (r->reason)
			assert_non_null(strstr(o.reason, r->reason));
		assert_int_equal(f.transitions, r->from != r->to ? 1 : 0);
	}
}

static void test_timing(void **state)
{
	(void)state;
	assert_int_equal(vrrp_skew_ms(100), 609);
	assert_int_equal(vrrp_skew_ms(255), 3);
	assert_int_equal(vrrp_skew_ms(1), 996);
	assert_int_equal(vrrp_master_down_ms(100, 1), 3609);
	assert_int_equal(vrrp_master_down_ms(101, 5), 15605);
}

/* A split brain: the second lower advert within one interval refreshes
 * the peer, but does not flood the segment with GARPs. */
static void test_split_brain_garp_rate(void **state)
{
	struct vrrp_fsm f;
	struct vrrp_fsm_cfg cfg = {.advert_int = 1, .preempt = true};
	struct vrrp_fsm_in in = {.priority = 50};
	struct vrrp_fsm_out o;

	(void)state;
	inet_pton(AF_INET, ME, &cfg.primary_ip);
	inet_pton(AF_INET, UPPER, &in.src);
	vrrp_fsm_init(&f, 100);
	f.state = VRRP_STATE_MASTER;
	vrrp_fsm_handle(&f, &cfg, VRRP_EV_ADVERT, &in, NOW, &o);
	assert_true(o.garp && o.send_advert);
	vrrp_fsm_handle(&f, &cfg, VRRP_EV_ADVERT, &in, NOW + 300, &o);
	assert_true(o.send_advert);
	assert_false(o.garp);
	vrrp_fsm_handle(&f, &cfg, VRRP_EV_ADVERT, &in, NOW + 1000, &o);
	assert_true(o.garp);
}

/* A new Master's own GARPs count as the split-brain burst: the loser's
 * last advert right after a preemption does not trigger a second one. */
static void test_new_master_garp_rate(void **state)
{
	struct vrrp_fsm f;
	struct vrrp_fsm_cfg cfg = {.advert_int = 1, .preempt = true};
	struct vrrp_fsm_in in = {.priority = 50};
	struct vrrp_fsm_out o;

	(void)state;
	inet_pton(AF_INET, ME, &cfg.primary_ip);
	inet_pton(AF_INET, UPPER, &in.src);
	vrrp_fsm_init(&f, 100);
	f.state = VRRP_STATE_BACKUP;
	f.down_at = NOW;
	vrrp_fsm_handle(&f, &cfg, VRRP_EV_TIMER, NULL, NOW, &o);
	assert_int_equal(f.state, VRRP_STATE_MASTER);
	assert_true(o.garp);
	vrrp_fsm_handle(&f, &cfg, VRRP_EV_ADVERT, &in, NOW + 20, &o);
	assert_true(o.send_advert);
	assert_false(o.garp);
	vrrp_fsm_handle(&f, &cfg, VRRP_EV_ADVERT, &in, NOW + 1000, &o);
	assert_true(o.garp);
}

/* A Backup's priority rising above the master it heard (a tracker
 * recovered) takes over without waiting for the next advert. */
static void test_backup_priority_rise(void **state)
{
	struct vrrp_fsm f;
	struct vrrp_fsm_cfg cfg = {
	    .advert_int = 1, .preempt = true, .fast_preempt = true};
	struct vrrp_fsm_in in = {.priority = 100};
	struct vrrp_fsm_out o;

	(void)state;
	inet_pton(AF_INET, ME, &cfg.primary_ip);
	inet_pton(AF_INET, UPPER, &in.src);
	vrrp_fsm_init(&f, 90);
	vrrp_fsm_handle(&f, &cfg, VRRP_EV_STARTUP, NULL, NOW, &o);
	vrrp_fsm_handle(&f, &cfg, VRRP_EV_ADVERT, &in, NOW + 10, &o);
	assert_int_equal(f.state, VRRP_STATE_BACKUP);
	f.priority = 95; /* still below */
	vrrp_fsm_handle(&f, &cfg, VRRP_EV_PRIORITY, NULL, NOW + 20, &o);
	assert_int_equal(f.state, VRRP_STATE_BACKUP);
	f.priority = 102;
	vrrp_fsm_handle(&f, &cfg, VRRP_EV_PRIORITY, NULL, NOW + 30, &o);
	assert_int_equal(f.state, VRRP_STATE_MASTER);
	assert_non_null(strstr(o.reason, "rose above master 198.18.0.20"));
}

/* The priority 0 takeover names the resigning master, for the alert. */
static void test_stop_then_takeover(void **state)
{
	struct vrrp_fsm f;
	struct vrrp_fsm_cfg cfg = {.advert_int = 1, .preempt = true};
	struct vrrp_fsm_in in = {.priority = 0};
	struct vrrp_fsm_out o;

	(void)state;
	inet_pton(AF_INET, ME, &cfg.primary_ip);
	inet_pton(AF_INET, UPPER, &in.src);
	vrrp_fsm_init(&f, 100);
	vrrp_fsm_handle(&f, &cfg, VRRP_EV_STARTUP, NULL, NOW, &o);
	vrrp_fsm_handle(&f, &cfg, VRRP_EV_ADVERT, &in, NOW + 100, &o);
	assert_int_equal(vrrp_fsm_deadline(&f), NOW + 100 + 609);
	vrrp_fsm_handle(&f, &cfg, VRRP_EV_TIMER, NULL, NOW + 709, &o);
	assert_int_equal(f.state, VRRP_STATE_MASTER);
	assert_string_equal(o.reason,
			    "priority 0 advert from 198.18.0.20 (master "
			    "stopped)");
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(vrrp_state_str(VRRP_STATE_MASTER), "MASTER");
	assert_string_equal(vrrp_state_str(VRRP_STATE_FAULT), "FAULT");
	assert_string_equal(vrrp_state_str(VRRP_STATE_COUNT), "?");
	assert_string_equal(vrrp_event_str(VRRP_EV_ADVERT), "advert");
}

/* RFC 5798 6.1 in ms: Skew_Time = (256 - Priority) * Master_Adver_Interval
 * / 256, Master_Down_Interval = 3 * Master_Adver_Interval + Skew_Time. */
static void test_v3_intervals(void **state)
{
	static const struct {
		uint8_t prio;
		unsigned cs;
		int64_t skew, down;
	} t[] = {
	    {100, 10, 60, 360},	     /* advert_int "100ms": 0.36 s */
	    {100, 100, 609, 3609},   /* 1 s: the same as v2 */
	    {101, 500, 3027, 18027}, /* 5 s */
	    {255, 1, 0, 30},	     /* 10 ms, owner */
	    {254, 10, 0, 300},	      {200, 50, 109, 1609},
	    {1, 4095, 40790, 163640}, /* the longest: 40.95 s */
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		print_message("prio %u, %u cs\n", t[i].prio, t[i].cs);
		assert_int_equal(vrrp3_skew_ms(t[i].prio, t[i].cs), t[i].skew);
		assert_int_equal(vrrp3_master_down_ms(t[i].prio, t[i].cs),
				 t[i].down);
	}
	for (i = 1; i <= 255; i++)
		assert_int_equal(vrrp3_master_down_ms((uint8_t)i, 100),
				 vrrp_master_down_ms((uint8_t)i, 1));
}

/* A v3 Backup times the Master by the Master's interval (RFC 5798
 * 6.4.2/6.4.3), and forgets it when it enters Backup anew (6.4.1). */
static void test_v3_learns_interval(void **state)
{
	struct vrrp_fsm_cfg cfg = {.v3 = true,
				   .advert_cs = 100,
				   .preempt = true,
				   .fast_preempt = false};
	struct vrrp_fsm_in in = {.priority = 150, .advert_cs = 10};
	struct vrrp_fsm_out o;
	struct vrrp_fsm f;

	(void)state;
	inet_pton(AF_INET, ME, &cfg.primary_ip);
	inet_pton(AF_INET, UPPER, &in.src);
	vrrp_fsm_init(&f, 100);
	vrrp_fsm_handle(&f, &cfg, VRRP_EV_STARTUP, NULL, NOW, &o);
	assert_int_equal(vrrp_fsm_deadline(&f) - NOW, 3609); /* ours: 1 s */
	/* a 100 ms Master: 3 x 100 + 60 */
	vrrp_fsm_handle(&f, &cfg, VRRP_EV_ADVERT, &in, NOW, &o);
	assert_int_equal(f.master_adver_cs, 10);
	assert_int_equal(vrrp_fsm_deadline(&f) - NOW, 360);
	/* it resigns: Skew_Time of its interval */
	in.priority = 0;
	vrrp_fsm_handle(&f, &cfg, VRRP_EV_ADVERT, &in, NOW + 50, &o);
	assert_int_equal(vrrp_fsm_deadline(&f) - NOW, 110);
	/* a lower Master we would preempt but for fast_preempt: discarded,
	 * its interval not learned */
	in.priority = 150;
	vrrp_fsm_handle(&f, &cfg, VRRP_EV_ADVERT, &in, NOW, &o);
	in.priority = 90;
	in.advert_cs = 200;
	vrrp_fsm_handle(&f, &cfg, VRRP_EV_ADVERT, &in, NOW + 100, &o);
	assert_int_equal(f.master_adver_cs, 10);
	assert_int_equal(vrrp_fsm_deadline(&f) - NOW, 360);
	/* we take over and advertise at our own interval */
	vrrp_fsm_handle(&f, &cfg, VRRP_EV_TIMER, NULL, NOW + 360, &o);
	assert_int_equal(f.state, VRRP_STATE_MASTER);
	assert_int_equal(vrrp_fsm_deadline(&f) - NOW, 360 + 1000);
	vrrp_fsm_handle(&f, &cfg, VRRP_EV_TIMER, NULL, NOW + 1360, &o);
	assert_true(o.send_advert);
	assert_int_equal(vrrp_fsm_deadline(&f) - NOW, 2360);
	/* a higher Master at 2 s: Backup, timed by its interval */
	in.priority = 200;
	in.advert_cs = 200;
	vrrp_fsm_handle(&f, &cfg, VRRP_EV_ADVERT, &in, NOW + 1400, &o);
	assert_int_equal(f.state, VRRP_STATE_BACKUP);
	assert_int_equal(vrrp_fsm_deadline(&f) - NOW,
			 1400 + vrrp3_master_down_ms(100, 200));
	/* Fault and back: our own interval again */
	vrrp_fsm_handle(&f, &cfg, VRRP_EV_FAULT, NULL, NOW + 2000, &o);
	vrrp_fsm_handle(&f, &cfg, VRRP_EV_RECOVER, NULL, NOW + 3000, &o);
	assert_int_equal(vrrp_fsm_deadline(&f) - NOW, 3000 + 3609);
}

/* v2 ignores an advert's interval field: the Backup uses its own. */
static void test_v2_does_not_learn(void **state)
{
	struct vrrp_fsm_cfg cfg = {.advert_int = 1, .preempt = true};
	struct vrrp_fsm_in in = {.priority = 150, .advert_cs = 10};
	struct vrrp_fsm_out o;
	struct vrrp_fsm f;

	(void)state;
	inet_pton(AF_INET, UPPER, &in.src);
	vrrp_fsm_init(&f, 100);
	vrrp_fsm_handle(&f, &cfg, VRRP_EV_STARTUP, NULL, NOW, &o);
	vrrp_fsm_handle(&f, &cfg, VRRP_EV_ADVERT, &in, NOW, &o);
	assert_int_equal(vrrp_fsm_deadline(&f) - NOW, 3609);
}

/* Reload to a shorter interval: the Master's next advert comes within
 * it; a longer one leaves the running timer alone; a Backup keeps its. */
static void test_retime(void **state)
{
	struct vrrp_fsm_cfg cfg = {.advert_int = 1, .preempt = true};
	struct vrrp_fsm_out o;
	struct vrrp_fsm f;

	(void)state;
	vrrp_fsm_init(&f, 255);
	vrrp_fsm_handle(&f, &cfg, VRRP_EV_STARTUP, NULL, NOW, &o);
	assert_int_equal(vrrp_fsm_deadline(&f) - NOW, 1000);
	cfg.v3 = true;
	cfg.advert_cs = 10;
	vrrp_fsm_retime(&f, &cfg, NOW + 200);
	assert_int_equal(vrrp_fsm_deadline(&f) - NOW, 300);
	cfg.advert_cs = 500;
	vrrp_fsm_retime(&f, &cfg, NOW + 250);
	assert_int_equal(vrrp_fsm_deadline(&f) - NOW, 300);
	vrrp_fsm_init(&f, 100);
	vrrp_fsm_handle(&f, &cfg, VRRP_EV_STARTUP, NULL, NOW, &o);
	cfg.advert_cs = 10;
	vrrp_fsm_retime(&f, &cfg, NOW);
	assert_int_equal(vrrp_fsm_deadline(&f) - NOW,
			 vrrp3_master_down_ms(100, 500));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rows),
	    cmocka_unit_test(test_timing),
	    cmocka_unit_test(test_split_brain_garp_rate),
	    cmocka_unit_test(test_new_master_garp_rate),
	    cmocka_unit_test(test_backup_priority_rise),
	    cmocka_unit_test(test_stop_then_takeover),
	    cmocka_unit_test(test_names),
	    cmocka_unit_test(test_v3_intervals),
	    cmocka_unit_test(test_v3_learns_interval),
	    cmocka_unit_test(test_v2_does_not_learn),
	    cmocka_unit_test(test_retime),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
