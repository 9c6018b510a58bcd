/* The anycast state machine, as tables of (event, health, now) steps and
 * what each must do. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "anycast.h"

#define HOLD 2000
#define W    ANYCAST_WITHDRAWN
#define A    ANYCAST_ANNOUNCED
#define H    ANYCAST_EV_HEALTH
#define T    ANYCAST_EV_TIMER
#define S    ANYCAST_EV_SHUTDOWN

struct row {
	enum anycast_event ev;
	bool healthy; /* for H */
	int64_t now;
	enum anycast_state want; /* state after */
	bool add, del;		 /* actions wanted */
	int64_t deadline;	 /* after; 0: none */
	const char *reason;	 /* substring of the reason when it changed */
};

static void run(const struct row *rows, size_t n, int64_t hold)
{
	struct anycast_fsm f;
	struct anycast_out o;
	size_t i;

	anycast_fsm_init(&f);
	assert_int_equal(f.state, W);
	for (i = 0; i < n; i++) {
		const struct row *r = &rows[i];
		struct anycast_in in = {.healthy = r->healthy,
					.why = "track script chk failed"};
		enum anycast_state before = f.state;

		print_message("row %zu: %s at %lld\n", i,
			      anycast_event_str(r->ev), (long long)r->now);
		anycast_fsm_handle(&f, hold, r->ev, &in, r->now, &o);
		assert_int_equal(f.state, r->want);
		assert_int_equal(o.changed, before != r->want);
		assert_int_equal(o.add_vips, r->add);
		assert_int_equal(o.del_vips, r->del);
		assert_int_equal(anycast_fsm_deadline(&f, hold), r->deadline);
		if (o.changed) {
			assert_int_equal(o.from, before);
			assert_int_equal(o.to, r->want);
			assert_non_null(strstr(o.reason, r->reason));
		}
	}
}

/* Start healthy: announced only once hold_down has passed. */
static void test_announce_after_hold_down(void **state)
{
	static const struct row rows[] = {
	    {H, true, 1000, W, false, false, 3000, NULL},
	    {T, false, 2999, W, false, false, 3000, NULL},
	    {H, true, 2999, W, false, false, 3000, NULL}, /* no reset */
	    {T, false, 3000, A, true, false, 0, "hold_down 2000 ms"},
	    {T, false, 4000, A, false, false, 0, NULL},
	    {H, true, 4100, A, false, false, 0, NULL},
	};

	(void)state;
	run(rows, sizeof(rows) / sizeof(rows[0]), HOLD);
}

/* Any failure withdraws at once, with the tracker's reason. */
static void test_withdraw_at_once(void **state)
{
	static const struct row rows[] = {
	    {H, true, 0, W, false, false, 2000, NULL},
	    {T, false, 2000, A, true, false, 0, "healthy"},
	    {H, false, 2001, W, false, true, 0, "track script chk failed"},
	    {H, false, 2002, W, false, false, 0, NULL},
	    {T, false, 5000, W, false, false, 0, NULL},
	};

	(void)state;
	run(rows, sizeof(rows) / sizeof(rows[0]), HOLD);
}

/* A flap inside hold_down restarts the count from the last recovery. */
static void test_flap_restarts_hold_down(void **state)
{
	static const struct row rows[] = {
	    {H, true, 0, W, false, false, 2000, NULL},
	    {T, false, 2000, A, true, false, 0, "healthy"},
	    {H, false, 3000, W, false, true, 0, "failed"},
	    {H, true, 3100, W, false, false, 5100, NULL},
	    {H, false, 4000, W, false, false, 0, NULL},
	    {H, true, 4500, W, false, false, 6500, NULL},
	    {T, false, 5100, W, false, false, 6500, NULL}, /* stale timer */
	    {T, false, 6500, A, true, false, 0, "for 2000 ms"},
	};

	(void)state;
	run(rows, sizeof(rows) / sizeof(rows[0]), HOLD);
}

/* Never healthy: nothing is announced, however long. */
static void test_never_healthy(void **state)
{
	static const struct row rows[] = {
	    {H, false, 0, W, false, false, 0, NULL},
	    {T, false, 100000, W, false, false, 0, NULL},
	};

	(void)state;
	run(rows, sizeof(rows) / sizeof(rows[0]), HOLD);
}

/* hold_down 0: healthy announces at once. */
static void test_hold_down_zero(void **state)
{
	static const struct row rows[] = {
	    {H, true, 10, A, true, false, 0, "hold_down 0 ms"},
	    {H, false, 20, W, false, true, 0, "failed"},
	    {H, true, 30, A, true, false, 0, "healthy"},
	};

	(void)state;
	run(rows, sizeof(rows) / sizeof(rows[0]), 0);
}

/* Shutdown withdraws, and nothing announces after it. */
static void test_shutdown(void **state)
{
	static const struct row rows[] = {
	    {H, true, 0, W, false, false, 2000, NULL},
	    {T, false, 2000, A, true, false, 0, "healthy"},
	    {S, false, 2100, W, false, true, 0, "shutting down"},
	    {H, true, 2200, W, false, false, 0, NULL},
	    {T, false, 9000, W, false, false, 0, NULL},
	};
	static const struct row withdrawn[] = {
	    {H, true, 0, W, false, false, 2000, NULL},
	    {S, false, 100, W, false, false, 0, NULL},
	    {T, false, 2000, W, false, false, 0, NULL},
	};

	(void)state;
	run(rows, sizeof(rows) / sizeof(rows[0]), HOLD);
	run(withdrawn, sizeof(withdrawn) / sizeof(withdrawn[0]), HOLD);
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(anycast_state_str(A), "ANNOUNCED");
	assert_string_equal(anycast_state_str(W), "WITHDRAWN");
	assert_string_equal(anycast_state_str(ANYCAST_STATE_COUNT), "?");
	assert_string_equal(anycast_event_str(S), "shutdown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_announce_after_hold_down),
	    cmocka_unit_test(test_withdraw_at_once),
	    cmocka_unit_test(test_flap_restarts_hold_down),
	    cmocka_unit_test(test_never_healthy),
	    cmocka_unit_test(test_hold_down_zero),
	    cmocka_unit_test(test_shutdown),
	    cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
