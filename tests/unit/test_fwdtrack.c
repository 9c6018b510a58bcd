/* track_forwarder's verdict: silence bound and flap damping
 * (vrrpd/fwdtrack.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "fwdtrack.h"

static const struct fwdtrack_cfg cfg = {.timeout_ms = 300, .hold_ms = 1000};

static struct fwdtrack_link up(int version, int64_t heard)
{
	return (struct fwdtrack_link){.connected = true,
				      .version = version,
				      .last_heard_ms = heard,
				      .servers_ok = true};
}

/* A version 2 forwarder silent for the timeout is lost; heard again, it
 * counts again (after the hold, since it had been ok). */
static void test_silence(void **state)
{
	struct fwdtrack t = {0};
	struct fwdtrack_link l = up(2, 1000);
	int64_t next;

	(void)state;
	assert_true(fwdtrack_eval(&t, &cfg, &l, 1000, &next));
	assert_int_equal(next, 1300); /* look again at the silence bound */
	assert_true(fwdtrack_eval(&t, &cfg, &l, 1299, &next));
	assert_false(fwdtrack_eval(&t, &cfg, &l, 1300, &next));
	assert_int_equal(t.why, FWDTRACK_SILENT);
	assert_int_equal(next, 0); /* only a heartbeat can change that */
	assert_int_equal(t.flaps, 1);
	l.last_heard_ms = 5000;
	assert_false(fwdtrack_eval(&t, &cfg, &l, 5000, &next));
	assert_int_equal(t.why, FWDTRACK_HOLDING);
	assert_int_equal(next, 5300); /* the bound comes before the hold end */
	l.last_heard_ms = 5950;
	assert_false(fwdtrack_eval(&t, &cfg, &l, 5999, &next));
	assert_int_equal(next, 6000);
	assert_true(fwdtrack_eval(&t, &cfg, &l, 6000, &next));
	assert_int_equal(next, 6250);
}

/* Version 1 sends no heartbeat: silence means nothing, only a closed
 * socket does (today's behaviour for an old fwd). */
static void test_version1(void **state)
{
	struct fwdtrack t = {0};
	struct fwdtrack_link l = up(1, 0);
	int64_t next;

	(void)state;
	assert_true(fwdtrack_eval(&t, &cfg, &l, 3600000, &next));
	assert_int_equal(next, 0);
	l.connected = false;
	assert_false(fwdtrack_eval(&t, &cfg, &l, 3600001, &next));
	assert_int_equal(t.why, FWDTRACK_NOT_CONNECTED);
}

/* The first link-up is not held; later ones are; the drop never is. A
 * peer flapping faster than the hold never raises the priority. */
static void test_flaps(void **state)
{
	struct fwdtrack t = {0};
	struct fwdtrack_link l = up(2, 0), down = {0};
	int64_t now, next;
	int rises = 0;
	bool was = false;

	(void)state;
	assert_false(fwdtrack_eval(&t, &cfg, &down, 0, &next));
	assert_int_equal(t.flaps, 0);
	for (now = 100; now < 6000; now += 100) {
		bool ok;

		l.last_heard_ms = now;
		ok = fwdtrack_eval(&t, &cfg, (now / 100) % 2 ? &down : &l, now,
				   &next);
		rises += ok && !was;
		was = ok;
	}
	assert_int_equal(rises, 1); /* the first connect only */
	assert_true(t.flaps >= 29);
	/* servers down is a loss too, and drops at once */
	l.last_heard_ms = 7000;
	assert_false(fwdtrack_eval(&t, &cfg, &l, 7000, &next)); /* holding */
	l.last_heard_ms = 8000;
	assert_true(fwdtrack_eval(&t, &cfg, &l, 8000, &next));
	l.servers_ok = false;
	l.last_heard_ms = 8100;
	assert_false(fwdtrack_eval(&t, &cfg, &l, 8100, &next));
	assert_int_equal(t.why, FWDTRACK_NO_SERVER);
	assert_string_equal(fwdtrack_why_str(t.why), "no server up");
}

/* hold 0: no damping at all. */
static void test_no_hold(void **state)
{
	const struct fwdtrack_cfg c0 = {.timeout_ms = 300, .hold_ms = 0};
	struct fwdtrack t = {0};
	struct fwdtrack_link l = up(2, 0), down = {0};
	int64_t next;

	(void)state;
	assert_true(fwdtrack_eval(&t, &c0, &l, 0, &next));
	assert_false(fwdtrack_eval(&t, &c0, &down, 100, &next));
	l.last_heard_ms = 200;
	assert_true(fwdtrack_eval(&t, &c0, &l, 200, &next));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_silence),
	    cmocka_unit_test(test_version1),
	    cmocka_unit_test(test_flaps),
	    cmocka_unit_test(test_no_hold),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
