/* Rise/fall counting (fwd server health, vrrpd track scripts). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "risefall.h"

/*
 * One row: a start state, rise/fall, then a string of results ('1' ok,
 * '0' failed) and, for each, whether the state flipped ('f') or not ('.').
 */
struct row {
	const char *name;
	bool start_up;
	int rise, fall;
	const char *results;
	const char *flips;
	bool end_up;
};

static const struct row rows[] = {
    {"up stays up on success", true, 2, 3, "111", "...", true},
    {"fall=3 needs three failures", true, 2, 3, "000", "..f", false},
    {"stays down after the flip", true, 2, 3, "0000", "..f.", false},
    {"fall needs consecutive failures", true, 2, 3, "001001001", ".........",
     true},
    {"rise=2 needs two successes", true, 2, 1, "01010111", "f.....f.", true},
    {"rise=fall=1 flips on each change", true, 1, 1, "0110", "ff.f", false},
    {"down start, rise=3", false, 3, 2, "11011", ".....", false},
    {"down start, rise=3 reached", false, 3, 2, "111", "..f", true},
    {"down stays down on failure", false, 2, 2, "000", "...", false},
    {"a success resets the fall streak", true, 1, 2, "010", "...", true},
};

static void test_table(void **state)
{
	size_t i, k;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];
		struct risefall rf;

		print_message("%s\n", r->name);
		risefall_init(&rf, r->start_up);
		assert_int_equal(rf.up, r->start_up);
		for (k = 0; r->results[k]; k++) {
			bool flipped = risefall_step(&rf, r->results[k] == '1',
						     r->rise, r->fall);

			assert_int_equal(flipped, r->flips[k] == 'f');
		}
		assert_int_equal(rf.up, r->end_up);
		assert_int_equal(k, strlen(r->flips));
	}
}

/* The streak counts contradicting results only, for fastinter. */
static void test_streak(void **state)
{
	struct risefall rf;

	(void)state;
	risefall_init(&rf, true);
	risefall_step(&rf, false, 2, 3);
	assert_int_equal(rf.streak, 1);
	risefall_step(&rf, false, 2, 3);
	assert_int_equal(rf.streak, 2);
	risefall_step(&rf, true, 2, 3);
	assert_int_equal(rf.streak, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_table),
	    cmocka_unit_test(test_streak),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
