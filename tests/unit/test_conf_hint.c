/* conf_syntax_hint: the likely cause of libconfig's "syntax error". */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "conf_hint.h"

static void expect_hint(const char *text, int line, const char *want)
{
	char buf[256];
	bool got = conf_syntax_hint(text, line, buf, sizeof(buf));

	if (!want) {
		assert_false(got);
		return;
	}
	assert_true(got);
	assert_string_equal(buf, want);
}

static void test_digit_name(void **state)
{
	(void)state;
	expect_hint("vrrp_instance = {\n  50 = { };\n};\n", 2,
		    "the setting name '50' starts with a digit; names start "
		    "with a letter (write VI_50)");
	/* the newcomer's keepalived line */
	expect_hint("vrrp_instance 50 {\n", 1,
		    "the setting name '50' starts with a digit; names start "
		    "with a letter (write VI_50)");
	/* digits of addresses, numbers and names are not names */
	expect_hint("bind = [ \"198.18.0.50:443\" ] x\n", 1, NULL);
	expect_hint("a = \"10:30\" b\n", 1, NULL);
	expect_hint("VI_50 = 1 2;\n", 1, NULL);
}

static void test_bare_key(void **state)
{
	(void)state;
	expect_hint("global_defs = {\n  smtp_alert;\n};\n", 2,
		    "'smtp_alert' has no value; write smtp_alert = true;");
	expect_hint("global_defs = { smtp_alert; };\n", 1,
		    "'smtp_alert' has no value; write smtp_alert = true;");
	expect_hint("g = { a = 1; b }\n", 1,
		    "'b' has no value; write b = VALUE;");
	/* alone on its line: libconfig names the next line */
	expect_hint(
	    "g = {\n  nopreempt   # keepalived style\n\n  x = 1;\n};\n", 4,
	    "line 2: 'nopreempt' has no value; write nopreempt = true;");
	expect_hint("g = {\n  smtp_alert\n};\n", 3,
		    "line 2: 'smtp_alert' has no value; write smtp_alert = "
		    "true;");
	/* keepalived/HAProxy syntax is another question (vrrpd-import) */
	expect_hint("global\n  maxconn 100\n", 2, NULL);
	expect_hint("vrrp_instance VI_1 {\n  state MASTER\n}\n", 1, NULL);
}

static void test_bounds(void **state)
{
	char buf[8];

	(void)state;
	expect_hint("a = 1;\n", 0, NULL);
	expect_hint("a = 1;\n", 9, NULL);
	expect_hint("", 1, NULL);
	assert_false(conf_syntax_hint(NULL, 1, buf, sizeof(buf)));
	/* a small buffer is cut, not overrun */
	assert_true(conf_syntax_hint("smtp_alert;\n", 1, buf, sizeof(buf)));
	assert_int_equal(strlen(buf), sizeof(buf) - 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_digit_name),
	    cmocka_unit_test(test_bare_key),
	    cmocka_unit_test(test_bounds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
