/* fwd's "certwarn" line to vrrpd (issue #14, vrrpd/certwarn.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <string.h>

#include "certwarn.h"

static void test_parse(void **state)
{
	static const char *const bad[] = {
	    "certwarn",
	    "certwarn web",
	    "certwarn web fe01",
	    "certwarn web fe01 3",
	    "certwarn web fe01 3 ",
	    "certwarn web fe01 x 1796544536",
	    "certwarn web fe01 3 1796544536 extra",
	    "certwarn web  fe01 3 1796544536",
	    "certwarn web fe\x01 3 1796544536",
	    "certwarn web fe01 3 -5",
	    "certwarn web fe01 999999 1796544536",
	    "certwarn "
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    " fe01 3 1",
	    "health web 1 2 1.2.3.4:80",
	};
	struct certwarn w;
	char why[128];
	size_t i;

	(void)state;
	assert_int_equal(certwarn_parse("certwarn web fe01 3 1796544536", &w,
					why, sizeof(why)),
			 0);
	assert_string_equal(w.listener, "web");
	assert_string_equal(w.server, "fe01");
	assert_int_equal(w.days, 3);
	assert_int_equal(w.not_after, 1796544536LL);
	assert_int_equal(
	    certwarn_parse("certwarn a b -2 1", &w, why, sizeof(why)), 0);
	assert_int_equal(w.days, -2);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (certwarn_parse(bad[i], &w, why, sizeof(why)) == 0)
			fail_msg("accepted: %s", bad[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
