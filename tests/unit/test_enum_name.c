/* common/enum_name: one {name, value} table per enum, read both ways, and
 * every table in conf/ reads back what it wrote. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "conf.h"
#include "conf_check.h"
#include "conf_diff.h"
#include "conf_fwd.h"
#include "enum_name.h"

static const struct enum_name colours[] = {
    {"red", 1}, {"green", 2}, {"blue", 7}, {NULL, 0}};

static void test_value_by_name(void **state)
{
	int v = -1;

	(void)state;
	assert_true(enum_name_value(colours, "blue", &v));
	assert_int_equal(v, 7);
	v = -1;
	assert_false(enum_name_value(colours, "Blue", &v)); /* exact */
	assert_false(enum_name_value(colours, "", &v));
	assert_false(enum_name_value(colours, "re", &v));
	assert_int_equal(v, -1); /* untouched when unknown */
}

static void test_name_by_value(void **state)
{
	(void)state;
	assert_string_equal(enum_name_str(colours, 2, "?"), "green");
	assert_string_equal(enum_name_str(colours, 0, "?"), "?");
	assert_string_equal(enum_name_str(colours, 3, "none"), "none");
}

static void test_list(void **state)
{
	static const struct enum_name one[] = {{"only", 0}, {NULL, 0}};
	static const struct enum_name none[] = {{NULL, 0}};
	char buf[64];

	(void)state;
	enum_name_list(colours, buf, sizeof(buf));
	assert_string_equal(buf, "\"red\", \"green\" or \"blue\"");
	enum_name_list(one, buf, sizeof(buf));
	assert_string_equal(buf, "\"only\"");
	enum_name_list(none, buf, sizeof(buf));
	assert_string_equal(buf, "");
	/* a short buffer is cut, still terminated */
	enum_name_list(colours, buf, 9);
	assert_int_equal(strlen(buf), 8);
	assert_memory_equal(buf, "\"red\", \"", 8);
}

/* Each name maps to one value and back; no name or value twice. */
static void round_trip(const struct enum_name *t, size_t n_expected)
{
	size_t i, j, n = 0;

	for (i = 0; t[i].name; i++, n++) {
		int v = -12345;

		assert_true(enum_name_value(t, t[i].name, &v));
		assert_int_equal(v, t[i].value);
		assert_string_equal(enum_name_str(t, v, "?"), t[i].name);
		for (j = 0; j < i; j++) {
			assert_int_not_equal(t[i].value, t[j].value);
			assert_string_not_equal(t[i].name, t[j].name);
		}
	}
	assert_int_equal(n, n_expected);
}

static void test_conf_tables_round_trip(void **state)
{
	(void)state;
	round_trip(conf_wish_names, 2);
	round_trip(conf_balance_names, 3);
	round_trip(conf_send_proxy_names, 2);
	round_trip(conf_check_type_names, 4);
	round_trip(conf_change_names, 5);
	round_trip(conf_diff_names, CONF_DIFF_COUNT_BITS);
}

/* The _str() helpers read the same tables as the parsers. */
static void test_conf_str_helpers(void **state)
{
	(void)state;
	assert_string_equal(conf_balance_str(CONF_BALANCE_SOURCE), "source");
	assert_string_equal(conf_balance_str((enum conf_balance)99), "?");
	assert_string_equal(conf_check_type_str(CONF_CHECK_SMTP), "smtp");
	assert_string_equal(conf_change_str(CONF_ABSENT), "absent");
	assert_string_equal(conf_diff_str(CONF_DIFF_STATE), "state");
	assert_string_equal(conf_diff_str(0), "?");
	assert_string_equal(conf_diff_str(CONF_DIFF_RESTART), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_value_by_name),
	    cmocka_unit_test(test_name_by_value),
	    cmocka_unit_test(test_list),
	    cmocka_unit_test(test_conf_tables_round_trip),
	    cmocka_unit_test(test_conf_str_helpers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
