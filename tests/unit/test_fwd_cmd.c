/* Control requests: parsing and error messages. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <errno.h>

#include "cmd.h"

static void test_ok(void **state)
{
	struct cmd c;
	char err[160];

	(void)state;
	assert_int_equal(cmd_parse("stats", &c, err, sizeof(err)), 0);
	assert_int_equal(c.verb, CMD_STATS);
	assert_false(cmd_privileged(&c));
	assert_int_equal(
	    cmd_parse("  server web/fe01   drain ", &c, err, sizeof(err)), 0);
	assert_int_equal(c.verb, CMD_SERVER);
	assert_int_equal(c.action, CMD_DRAIN);
	assert_string_equal(c.listen, "web");
	assert_string_equal(c.server, "fe01");
	assert_true(cmd_privileged(&c));
	assert_int_equal(cmd_parse("server a/b enable", &c, err, sizeof(err)),
			 0);
	assert_int_equal(c.action, CMD_ENABLE);
	assert_int_equal(cmd_parse("server a/b disable", &c, err, sizeof(err)),
			 0);
	assert_int_equal(c.action, CMD_DISABLE);
	assert_int_equal(cmd_parse(" reload ", &c, err, sizeof(err)), 0);
	assert_int_equal(c.verb, CMD_RELOAD);
	assert_true(cmd_privileged(&c));
}

static void test_errors(void **state)
{
	static const struct {
		const char *line, *err;
	} cases[] = {
	    {"", "empty request; try 'help'"},
	    {"bogus", "unknown command 'bogus'; try 'help'"},
	    {"stats now", "'stats' takes no argument"},
	    {"reload now", "'reload' takes no argument"},
	    {"server web/fe01", "usage: server LISTEN/SERVER "
				"enable|disable|drain"},
	    {"server webfe01 enable", "'webfe01' is not LISTEN/SERVER"},
	    {"server /fe01 enable", "'/fe01' is not LISTEN/SERVER"},
	    {"server web/ enable", "'web/' is not LISTEN/SERVER"},
	    {"server web/fe01 kill",
	     "unknown action 'kill'; use enable, disable or drain"},
	};
	struct cmd c;
	char err[160];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(cmd_parse(cases[i].line, &c, err, sizeof(err)),
				 -EINVAL);
		assert_string_equal(err, cases[i].err);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ok),
	    cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
