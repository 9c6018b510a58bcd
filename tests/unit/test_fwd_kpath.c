/* Kernel data path decisions (fwd/kpath_decide.c): when a FIN may pass,
 * and the idle timeouts read from the program's timestamps. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "kpath_decide.h"

/* A table: what the reader got, what went where, and the verdict. */
static void test_drained_table(void **state)
{
	static const struct {
		struct kpath_dir d;
		bool drained;
		const char *why;
	} t[] = {
	    /* received fin read0 redirected passed consumed written */
	    {{0, false, 0, 0, 0, 0, 0}, true, "nothing ever came"},
	    {{100, false, 100, 0, 0, 0, 0}, true, "all read by fwd before"},
	    {{101, true, 100, 0, 0, 0, 0}, true, "then a FIN (one seq)"},
	    {{1101, true, 100, 1000, 0, 0, 1000}, true, "redirected, written"},
	    {{1101, true, 100, 1000, 0, 0, 999}, false, "a byte in the queue"},
	    {{1101, true, 100, 900, 0, 0, 900},
	     false,
	     "not yet seen by the "
	     "program"},
	    {{1100, true, 100, 1000, 0, 0, 1000}, false, "FIN: a byte short"},
	    {{1100, false, 100, 1000, 0, 0, 1000},
	     true,
	     "no FIN: counts agree"},
	    {{1101, true, 100, 1000, 0, 0, 1200}, true, "more written"},
	    {{1101, true, 100, 600, 400, 400, 1000}, true, "held bytes sent"},
	    {{1101, true, 100, 600, 400, 300, 900},
	     false,
	     "held bytes not "
	     "all sent"},
	    {{1101, true, 100, 600, 400, 400, 999},
	     false,
	     "sent, one byte "
	     "still queued"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		if (kpath_dir_drained(&t[i].d) != t[i].drained)
			fail_msg("row %zu (%s): expected %s", i, t[i].why,
				 t[i].drained ? "drained" : "not drained");
	}
}

static void test_backlog_hold(void **state)
{
	struct kpath_dir d = {
	    .redirected = 5000, .consumed = 1000, .written = 2000};

	(void)state;
	/* what the kernel holds: redirected + sent by fwd - written */
	assert_int_equal(kpath_dir_backlog(&d), 4000);
	d.written = 7000;
	assert_int_equal(kpath_dir_backlog(&d), 0);
	/* hysteresis: hold above high, let go only below low */
	assert_false(kpath_should_hold(100, false, 1000, 200));
	assert_true(kpath_should_hold(1001, false, 1000, 200));
	assert_true(kpath_should_hold(500, true, 1000, 200));
	assert_false(kpath_should_hold(200, true, 1000, 200));
}

static void test_last_ms(void **state)
{
	(void)state;
	/* no stamp yet: the hand-off time stays */
	assert_int_equal(kpath_last_ms(5000, 0), 5000);
	/* a later stamp moves it, an earlier one does not */
	assert_int_equal(kpath_last_ms(5000, 7000000000ull), 7000);
	assert_int_equal(kpath_last_ms(5000, 4000000000ull), 5000);
	assert_int_equal(kpath_last_ms(5000, 5000999999ull), 5000);
}

static void test_idle(void **state)
{
	int64_t next;

	(void)state;
	/* client 1 s, server 2 s, both last active at 1000 */
	assert_int_equal(kpath_idle_check(1000, 1000, 1000, 2000, 1500, &next),
			 KPATH_IDLE_NONE);
	assert_int_equal(next, 2000);
	assert_int_equal(kpath_idle_check(1000, 1000, 1000, 2000, 2000, &next),
			 KPATH_IDLE_CLIENT);
	/* the client spoke later: the server's deadline comes first */
	assert_int_equal(kpath_idle_check(2500, 1000, 1000, 2000, 3000, &next),
			 KPATH_IDLE_SERVER);
	assert_int_equal(next, 3000);
	assert_int_equal(kpath_idle_check(2500, 1000, 1000, 2000, 2000, &next),
			 KPATH_IDLE_NONE);
	assert_int_equal(next, 3000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_drained_table),
	    cmocka_unit_test(test_backlog_hold),
	    cmocka_unit_test(test_last_ms),
	    cmocka_unit_test(test_idle),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
