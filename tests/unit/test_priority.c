/* Priority arithmetic with keepalived's rules, as a table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "priority.h"

#define MAXT 4

struct row {
	const char *name;
	uint8_t base;
	struct track_term t[MAXT];
	size_t n;
	uint8_t want;
	bool fault;
	int fault_idx;
};

#define S(w, ok)                                                               \
	{                                                                      \
		TRACK_SCRIPT, "s", w, ok                                       \
	}
#define I(w, ok)                                                               \
	{                                                                      \
		TRACK_IFACE, "i", w, ok                                        \
	}
#define F(w, ok)                                                               \
	{                                                                      \
		TRACK_FORWARDER, "f", w, ok                                    \
	}

static const struct row rows[] = {
    {"no trackers", 100, {{0}}, 0, 100, false, -1},
    {"positive ok adds", 100, {S(2, true)}, 1, 102, false, -1},
    {"positive failed adds nothing", 100, {S(2, false)}, 1, 100, false, -1},
    {"negative ok subtracts nothing", 100, {S(-10, true)}, 1, 100, false, -1},
    {"negative failed subtracts", 100, {S(-10, false)}, 1, 90, false, -1},
    {"seed: killall -0 haproxy weight 2, both ok",
     101,
     {S(2, true), F(2, true)},
     2,
     105,
     false,
     -1},
    {"mixed",
     100,
     {S(5, true), S(-20, false), I(3, true), F(-7, true)},
     4,
     88,
     false,
     -1},
    {"clamp low", 10, {S(-50, false)}, 1, 1, false, -1},
    {"clamp high", 250, {S(10, true)}, 1, 254, false, -1},
    {"254 stays below owner",
     200,
     {S(100, true), S(100, true)},
     2,
     254,
     false,
     -1},
    {"owner not adjusted", 255, {S(-50, false)}, 1, 255, false, -1},
    {"weight 0 failed is fault",
     100,
     {S(2, true), I(0, false)},
     2,
     102,
     true,
     1},
    {"weight 0 ok is nothing", 100, {I(0, true)}, 1, 100, false, -1},
    {"first fault named", 100, {I(0, false), S(0, false)}, 2, 100, true, 0},
    {"owner can still fault", 255, {I(0, false)}, 1, 255, true, 0},
};

static void test_rows(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];
		struct prio_result res;

		print_message("%s\n", r->name);
		prio_compute(r->base, r->t, r->n, &res);
		assert_int_equal(res.priority, r->want);
		assert_int_equal(res.fault, r->fault);
		if (r->fault_idx >= 0)
			assert_ptr_equal(res.fault_by, &r->t[r->fault_idx]);
		else
			assert_null(res.fault_by);
	}
}

static void test_contribution(void **state)
{
	struct track_term t = S(4, true);

	(void)state;
	assert_int_equal(prio_contribution(&t), 4);
	t.ok = false;
	assert_int_equal(prio_contribution(&t), 0);
	t.weight = -4;
	assert_int_equal(prio_contribution(&t), -4);
	assert_string_equal(track_kind_str(TRACK_FORWARDER), "forwarder");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rows),
	    cmocka_unit_test(test_contribution),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
