/* Health state machine: rise and fall. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "health.h"

static void test_starts_up(void **state)
{
	struct health h;

	(void)state;
	health_init(&h);
	assert_true(h.up);
	assert_int_equal(health_result(&h, true, 2, 3), HEALTH_SAME);
}

static void test_fall(void **state)
{
	struct health h;

	(void)state;
	health_init(&h);
	assert_int_equal(health_result(&h, false, 2, 3), HEALTH_SAME);
	assert_int_equal(health_result(&h, false, 2, 3), HEALTH_SAME);
	assert_true(h.up);
	assert_int_equal(health_result(&h, false, 2, 3), HEALTH_WENT_DOWN);
	assert_false(h.up);
	assert_int_equal(health_result(&h, false, 2, 3), HEALTH_SAME);
}

/* A success in between resets the count: failures must be consecutive. */
static void test_fall_needs_consecutive(void **state)
{
	struct health h;
	int i;

	(void)state;
	health_init(&h);
	for (i = 0; i < 10; i++) {
		assert_int_equal(health_result(&h, false, 2, 3), HEALTH_SAME);
		assert_int_equal(health_result(&h, false, 2, 3), HEALTH_SAME);
		assert_int_equal(health_result(&h, true, 2, 3), HEALTH_SAME);
	}
	assert_true(h.up);
}

static void test_rise(void **state)
{
	struct health h;

	(void)state;
	health_init(&h);
	assert_int_equal(health_result(&h, false, 2, 1), HEALTH_WENT_DOWN);
	assert_int_equal(health_result(&h, true, 2, 1), HEALTH_SAME);
	assert_int_equal(health_result(&h, false, 2, 1), HEALTH_SAME);
	assert_int_equal(health_result(&h, true, 2, 1), HEALTH_SAME);
	assert_false(h.up);
	assert_int_equal(health_result(&h, true, 2, 1), HEALTH_WENT_UP);
	assert_true(h.up);
}

static void test_rise_fall_one(void **state)
{
	struct health h;

	(void)state;
	health_init(&h);
	assert_int_equal(health_result(&h, false, 1, 1), HEALTH_WENT_DOWN);
	assert_int_equal(health_result(&h, true, 1, 1), HEALTH_WENT_UP);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_starts_up),
	    cmocka_unit_test(test_fall),
	    cmocka_unit_test(test_fall_needs_consecutive),
	    cmocka_unit_test(test_rise),
	    cmocka_unit_test(test_rise_fall_one),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
