#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "mailbackoff.h"

/* Starts that fail at once (ran 0, as when the spawn itself fails) double
 * the wait up to 30 s: the count is not reset by an old start's time. */
static void test_failed_starts_double(void **state)
{
	static const int64_t want[] = {500,   1000,  2000,  4000, 8000,
				       16000, 30000, 30000, 30000};
	unsigned restarts = 0;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		assert_int_equal(mailbackoff_next(&restarts, 0), want[i]);
	assert_int_equal(restarts, 9);
}

/* Short runs count as failures in a row; a long run starts over. */
static void test_stable_run_starts_over(void **state)
{
	unsigned restarts = 0;

	(void)state;
	assert_int_equal(mailbackoff_next(&restarts, 100), 500);
	assert_int_equal(mailbackoff_next(&restarts, 59999), 1000);
	assert_int_equal(mailbackoff_next(&restarts, 0), 2000);
	assert_int_equal(mailbackoff_next(&restarts, 60000), 500);
	assert_int_equal(restarts, 1);
	assert_int_equal(mailbackoff_next(&restarts, 0), 1000);
}

/* A huge count neither overflows nor passes the cap. */
static void test_cap_with_large_count(void **state)
{
	unsigned restarts = 4000000000u;

	(void)state;
	assert_int_equal(mailbackoff_next(&restarts, 0), 30000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_failed_starts_double),
	    cmocka_unit_test(test_stable_run_starts_over),
	    cmocka_unit_test(test_cap_with_large_count),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
