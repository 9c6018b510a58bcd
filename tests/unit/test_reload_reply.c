/* The one reload reply of both daemons (common/reload_reply.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <string.h>

#include "json.h"
#include "reload_reply.h"
#include "sbuf.h"

static void test_ok_areas(void **state)
{
	struct reload_area a[2];
	struct sbuf out;

	(void)state;
	sbuf_init(&out);
	reload_area_init(&a[0], "listeners");
	reload_area_init(&a[1], "servers");
	reload_area_add(&a[0], RELOAD_KEPT, "web");
	reload_area_add(&a[0], RELOAD_ADDED, "smtp");
	reload_area_add(&a[1], RELOAD_KEPT, "web/fe01");
	reload_area_add(&a[1], RELOAD_KEPT, "web/fe\"02");
	reload_area_add(&a[1], RELOAD_REMOVED, "web/fe03");
	reload_area_add(&a[1], RELOAD_FATE_COUNT, "ignored");
	reload_reply_ok(&out, a, 2, "\"reloads\":3");
	assert_string_equal(
	    sbuf_str(&out),
	    "{\"ok\":true,\"listeners\":{\"kept\":[\"web\"],\"changed\":[],"
	    "\"added\":[\"smtp\"],\"removed\":[]},\"servers\":{\"kept\":"
	    "[\"web/fe01\",\"web/fe\\\"02\"],\"changed\":[],\"added\":[],"
	    "\"removed\":[\"web/fe03\"]},\"reloads\":3}\n");
	assert_int_equal(a[1].count[RELOAD_KEPT], 2);
	assert_int_equal(a[1].count[RELOAD_ADDED], 0);
	reload_area_free(&a[0]);
	reload_area_free(&a[1]);
	sbuf_free(&out);
}

static void test_ok_empty(void **state)
{
	struct reload_area a;
	struct sbuf out;
	struct json *j;

	(void)state;
	sbuf_init(&out);
	reload_area_init(&a, "instances");
	reload_area_add(&a, RELOAD_CHANGED, "VI_1");
	reload_reply_ok(&out, &a, 1, NULL);
	j = json_parse(sbuf_str(&out));
	assert_non_null(j);
	assert_non_null(json_get(json_get(j, "instances"), "changed"));
	assert_string_equal(
	    json_get(json_get(j, "instances"), "changed")->kids->str, "VI_1");
	json_free(j);
	reload_area_free(&a);
	sbuf_free(&out);
	assert_string_equal(reload_fate_str(RELOAD_REMOVED), "removed");
	assert_string_equal(reload_fate_str(RELOAD_FATE_COUNT), "?");
}

static void test_fail(void **state)
{
	static const struct {
		const char *errors, *reply;
	} cases[] = {
	    {"a.conf:3: unknown key 'weigth'\na.conf:9: priority 300\n",
	     "{\"ok\":false,\"errors\":[\"a.conf:3: unknown key 'weigth'\","
	     "\"a.conf:9: priority 300\"],\"error\":\"a.conf:3: unknown key "
	     "'weigth'\"}\n"},
	    /* no trailing newline; blank lines are not errors */
	    {"\nfwd is stopping\n\n",
	     "{\"ok\":false,\"errors\":[\"fwd is stopping\"],\"error\":\"fwd "
	     "is stopping\"}\n"},
	    {"x:1: \"quoted\"",
	     "{\"ok\":false,\"errors\":[\"x:1: \\\"quoted\\\"\"],\"error\":"
	     "\"x:1: \\\"quoted\\\"\"}\n"},
	    {"", "{\"ok\":false,\"errors\":[],\"error\":\"reload failed\"}\n"},
	};
	struct sbuf out;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		sbuf_init(&out);
		reload_reply_fail(&out, cases[i].errors);
		assert_string_equal(sbuf_str(&out), cases[i].reply);
		sbuf_free(&out);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ok_areas),
	    cmocka_unit_test(test_ok_empty),
	    cmocka_unit_test(test_fail),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
