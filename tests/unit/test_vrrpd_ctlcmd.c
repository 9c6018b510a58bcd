/* vrrpd's control requests (vrrpd/ctlcmd.c): every verb, its privilege
 * class, and the replies to bad input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <errno.h>
#include <string.h>

#include "ctlcmd.h"

static const char unknown[] =
    "unknown command; known: status [INSTANCE], ping, alert-test, reload, "
    "hello, health, heartbeat";

static void test_verbs(void **state)
{
	static const struct {
		const char *line;
		enum ctlcmd_verb verb;
		bool privileged;
	} cases[] = {
	    {"status", CTLCMD_STATUS, false},
	    {" \tstatus  ", CTLCMD_STATUS, false},
	    {"ping", CTLCMD_PING, false},
	    {"ping extra words", CTLCMD_PING, false},
	    {"alert-test", CTLCMD_ALERT_TEST, true},
	    {"reload", CTLCMD_RELOAD, true},
	    {"reload now", CTLCMD_RELOAD, true},
	    {"hello fwd 1", CTLCMD_HELLO, true},
	    {"hello fwd 2", CTLCMD_HELLO, true},
	    {"health web 2 3 198.18.0.50:443", CTLCMD_HEALTH, true},
	    {"heartbeat", CTLCMD_HEARTBEAT, true},
	    {"heartbeat \r", CTLCMD_HEARTBEAT, true},
	    {"certwarn web/fe01 1700000000 CN=x", CTLCMD_CERTWARN, true},
	};
	struct ctlcmd c;
	char err[160];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		err[0] = '\0';
		assert_int_equal(
		    ctlcmd_parse(cases[i].line, &c, err, sizeof(err)), 0);
		assert_int_equal(c.verb, cases[i].verb);
		assert_int_equal(c.privileged, cases[i].privileged);
		assert_ptr_equal(c.line, cases[i].line);
		assert_string_equal(c.instance, "");
		assert_string_equal(err, "");
	}
}

static void test_status_instance(void **state)
{
	char name[CONF_NAME_MAX + 8];
	struct ctlcmd c;
	char err[160];

	(void)state;
	assert_int_equal(ctlcmd_parse("status VI_1", &c, err, sizeof(err)), 0);
	assert_int_equal(c.verb, CTLCMD_STATUS);
	assert_string_equal(c.instance, "VI_1");
	assert_int_equal(
	    ctlcmd_parse("  status\tAC_2  more", &c, err, sizeof(err)), 0);
	assert_string_equal(c.instance, "AC_2");
	/* the longest name an instance can have, then one longer */
	memset(name, 'x', sizeof(name));
	memcpy(name, "status ", 7);
	name[7 + CONF_NAME_MAX - 1] = '\0';
	assert_int_equal(ctlcmd_parse(name, &c, err, sizeof(err)), 0);
	assert_int_equal(strlen(c.instance), CONF_NAME_MAX - 1);
	name[7 + CONF_NAME_MAX - 1] = 'x';
	name[7 + CONF_NAME_MAX] = '\0';
	assert_int_equal(ctlcmd_parse(name, &c, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "no such instance");
	assert_int_equal(c.verb, CTLCMD_STATUS);
}

static void test_bad(void **state)
{
	static const struct {
		const char *line;
		enum ctlcmd_verb verb;
		const char *err;
	} cases[] = {
	    {"", CTLCMD_EMPTY, "empty request; try 'status'"},
	    {" \t ", CTLCMD_EMPTY, "empty request; try 'status'"},
	    {"bogus", CTLCMD_UNKNOWN, unknown},
	    {"STATUS", CTLCMD_UNKNOWN, unknown},
	    {"statuses", CTLCMD_UNKNOWN, unknown},
	    {"reloadreloadreloadreload", CTLCMD_UNKNOWN, unknown},
	    /* the forwarder's verbs need their words */
	    {"hello", CTLCMD_UNKNOWN, unknown},
	    {"health", CTLCMD_UNKNOWN, unknown},
	    {"certwarn", CTLCMD_UNKNOWN, unknown},
	    {"heartbeat now", CTLCMD_UNKNOWN, unknown},
	};
	struct ctlcmd c;
	char err[160];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(
		    ctlcmd_parse(cases[i].line, &c, err, sizeof(err)), -EINVAL);
		assert_int_equal(c.verb, cases[i].verb);
		assert_false(c.privileged);
		assert_string_equal(err, cases[i].err);
	}
}

static void test_verb_str(void **state)
{
	(void)state;
	assert_string_equal(ctlcmd_verb_str(CTLCMD_ALERT_TEST), "alert-test");
	assert_string_equal(ctlcmd_verb_str(CTLCMD_CERTWARN), "certwarn");
	assert_string_equal(ctlcmd_verb_str((enum ctlcmd_verb)99), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_verbs),
	    cmocka_unit_test(test_status_instance),
	    cmocka_unit_test(test_bad),
	    cmocka_unit_test(test_verb_str),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
