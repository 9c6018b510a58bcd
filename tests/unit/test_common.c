/* common/: durations, addresses, edit distance, JSON reader, timers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "argv.h"
#include "json.h"
#include "loop.h"
#include "parse.h"
#include "sbuf.h"

static void test_durations(void **state)
{
	static const struct {
		const char *in;
		int rc;
		int64_t ms;
	} cases[] = {
	    {"500ms", 0, 500},
	    {"10s", 0, 10000},
	    {"1m", 0, 60000},
	    {"30m", 0, 1800000},
	    {"2h", 0, 7200000},
	    {"1d", 0, 86400000},
	    {"5", 0, 5000},
	    {"0", 0, 0},
	    {"", -EINVAL, 0},
	    {"s", -EINVAL, 0},
	    {"5x", -EINVAL, 0},
	    {"-5s", -EINVAL, 0},
	    {"5 s", -EINVAL, 0},
	    {"10us", -EINVAL, 0},
	    {"99999999999999999999", -ERANGE, 0},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int64_t ms = -1;

		print_message("%s\n", cases[i].in);
		assert_int_equal(parse_duration_ms(cases[i].in, &ms),
				 cases[i].rc);
		if (cases[i].rc == 0)
			assert_int_equal(ms, cases[i].ms);
	}
}

static void test_sockaddrs(void **state)
{
	struct sockaddr_storage ss;
	socklen_t len;
	char buf[64];

	(void)state;
	assert_int_equal(parse_sockaddr("198.18.0.21:4443", &ss, &len, false),
			 0);
	assert_string_equal(
	    sockaddr_str((struct sockaddr *)&ss, buf, sizeof(buf)),
	    "198.18.0.21:4443");
	assert_int_equal(parse_sockaddr("[2001:db8::1]:80", &ss, &len, false),
			 0);
	assert_int_equal(ss.ss_family, AF_INET6);
	assert_string_equal(
	    sockaddr_str((struct sockaddr *)&ss, buf, sizeof(buf)),
	    "[2001:db8::1]:80");
	assert_int_equal(parse_sockaddr("198.18.0.21", &ss, &len, false),
			 -EINVAL);
	assert_int_equal(parse_sockaddr("198.18.0.21", &ss, &len, true), 0);
	assert_int_equal(parse_sockaddr("198.18.0.21:0", &ss, &len, false),
			 -EINVAL);
	assert_int_equal(parse_sockaddr("198.18.0.21:65536", &ss, &len, false),
			 -EINVAL);
	assert_int_equal(parse_sockaddr("host:80", &ss, &len, false), -EINVAL);
	assert_int_equal(parse_sockaddr("[::1", &ss, &len, false), -EINVAL);
}

static void test_sockaddr_equal(void **state)
{
	static const struct {
		const char *a, *b;
		bool host, whole;
	} cases[] = {
	    {"198.18.0.1:80", "198.18.0.1:80", true, true},
	    {"198.18.0.1:80", "198.18.0.1:81", true, false},
	    {"198.18.0.1:80", "198.18.0.2:80", false, false},
	    {"[2001:db8::1]:80", "[2001:db8::1]:443", true, false},
	    {"[2001:db8::1]:80", "[2001:db8::1]:80", true, true},
	    {"[::ffff:198.18.0.1]:80", "198.18.0.1:80", false, false},
	};
	struct sockaddr_storage a, b;
	struct sockaddr_in6 *b6 = (struct sockaddr_in6 *)&b;
	socklen_t len;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(parse_sockaddr(cases[i].a, &a, &len, false),
				 0);
		assert_int_equal(parse_sockaddr(cases[i].b, &b, &len, false),
				 0);
		assert_int_equal(sockaddr_equal((struct sockaddr *)&a,
						(struct sockaddr *)&b, true),
				 cases[i].host);
		assert_int_equal(sockaddr_equal((struct sockaddr *)&a,
						(struct sockaddr *)&b, false),
				 cases[i].whole);
	}
	/* the same link-local address on another interface: another socket
	 * address, the same host */
	assert_int_equal(parse_sockaddr("[fe80::1]:80", &a, &len, false), 0);
	b = a;
	b6->sin6_scope_id = 7;
	assert_true(
	    sockaddr_equal((struct sockaddr *)&a, (struct sockaddr *)&b, true));
	assert_false(sockaddr_equal((struct sockaddr *)&a,
				    (struct sockaddr *)&b, false));
}

static void test_prefix(void **state)
{
	struct in_addr a;
	int p;

	(void)state;
	assert_int_equal(parse_ipv4_prefix("198.18.0.50/24", &a, &p), 0);
	assert_int_equal(p, 24);
	assert_int_equal(parse_ipv4_prefix("198.18.0.50", &a, &p), 0);
	assert_int_equal(p, 32);
	assert_int_equal(parse_ipv4_prefix("198.18.0.50/33", &a, &p), -EINVAL);
	assert_int_equal(parse_ipv4_prefix("198.18.0.50/", &a, &p), -EINVAL);
	assert_int_equal(parse_ipv4_prefix("198.18.0.50/24", &a, NULL),
			 -EINVAL);
	assert_int_equal(parse_ipv4_prefix("198.18.0.500", &a, &p), -EINVAL);
}

static void test_edit_distance(void **state)
{
	(void)state;
	assert_int_equal(edit_distance("weight", "weight"), 0);
	assert_int_equal(edit_distance("weigth", "weight"), 2);
	assert_int_equal(edit_distance("priorty", "priority"), 1);
	assert_int_equal(edit_distance("", "abc"), 3);
}

/* The suggestion behind "unknown key (did you mean ...?)": vrrpd -t and
 * vrrpd-import share it. */
static void test_closest_word(void **state)
{
	static const char *const known[] = {"weight", "priority", "interface",
					    NULL};

	(void)state;
	assert_string_equal(closest_word("weigth", known), "weight");
	assert_string_equal(closest_word("interfaces", known), "interface");
	assert_null(closest_word("xyz", known)); /* not plausibly a typo */
	assert_null(closest_word("weight", (const char *const[]){NULL}));
}

static void test_hexdigit(void **state)
{
	(void)state;
	assert_int_equal(parse_hexdigit('0'), 0);
	assert_int_equal(parse_hexdigit('9'), 9);
	assert_int_equal(parse_hexdigit('a'), 10);
	assert_int_equal(parse_hexdigit('F'), 15);
	assert_int_equal(parse_hexdigit('g'), -1);
	assert_int_equal(parse_hexdigit('/'), -1);
	assert_int_equal(parse_hexdigit('\0'), -1);
}

static void test_json(void **state)
{
	struct json *j;
	const struct json *arr;
	struct sbuf sb;

	(void)state;
	j = json_parse("{\"ok\":true,\"n\":42,\"s\":\"a\\\"b\\u0041\","
		       "\"arr\":[1,{\"x\":null}],\"e\":{}}");
	assert_non_null(j);
	assert_true(json_num(j, "ok", 0) == 1);
	assert_true(json_num(j, "n", 0) == 42);
	assert_string_equal(json_str(j, "s", ""), "a\"bA");
	arr = json_get(j, "arr");
	assert_non_null(arr);
	assert_int_equal(arr->kids->next->type, JSON_OBJ);
	assert_null(json_get(j, "missing"));
	json_free(j);
	assert_null(json_parse("{\"a\":1,}"));
	assert_null(json_parse("{\"a\" 1}"));
	assert_null(json_parse("[1,2] x"));
	assert_null(json_parse("\"unterminated"));
	assert_null(json_parse("[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]"
			       "]]]]]]]]]]]]]]]]]]]]]]]]]]]"));
	/* what sbuf_json_str writes, json_parse reads back */
	sbuf_init(&sb);
	sbuf_json_str(&sb, "tab\there \"q\" back\\slash \x01");
	j = json_parse(sbuf_str(&sb));
	assert_non_null(j);
	assert_string_equal(j->str, "tab\there \"q\" back\\slash \x01");
	json_free(j);
	sbuf_free(&sb);
}

static void expect_argv(const char *cmd, bool shell, int n, ...)
{
	struct argv a;
	va_list ap;
	int i;

	print_message("argv: %s\n", cmd);
	assert_int_equal(argv_split(cmd, &a), 0);
	assert_int_equal(a.shell, shell);
	assert_int_equal(a.n, n);
	va_start(ap, n);
	for (i = 0; i < n; i++)
		assert_string_equal(a.v[i], va_arg(ap, const char *));
	va_end(ap);
	assert_null(a.v[n]);
	argv_free(&a);
}

static void test_argv(void **state)
{
	struct argv a;

	(void)state;
	expect_argv("/usr/bin/killall -0 haproxy", false, 3, "/usr/bin/killall",
		    "-0", "haproxy");
	expect_argv("  /bin/check   a\\ b ", false, 2, "/bin/check", "a b");
	expect_argv("/bin/notify 'two words' \"x y\" ''", false, 4,
		    "/bin/notify", "two words", "x y", "");
	expect_argv("/bin/echo \"a \\\"q\\\" b\"", false, 2, "/bin/echo",
		    "a \"q\" b");
	expect_argv("/bin/echo 'a|b'", false, 2, "/bin/echo", "a|b");
	expect_argv("/bin/echo a\\|b", false, 2, "/bin/echo", "a|b");
	expect_argv("pidof haproxy || exit 1", true, 3, "/bin/sh", "-c",
		    "pidof haproxy || exit 1");
	expect_argv("test -e $HOME/x", true, 3, "/bin/sh", "-c",
		    "test -e $HOME/x");
	expect_argv("curl -s http://x/ > /dev/null", true, 3, "/bin/sh", "-c",
		    "curl -s http://x/ > /dev/null");
	assert_int_equal(argv_split("", &a), -EINVAL);
	assert_int_equal(argv_split("   ", &a), -EINVAL);
	assert_int_equal(argv_split("/bin/x 'open", &a), -EINVAL);
}

struct fired {
	int order[64];
	int n;
};

static struct fired fired;

static void on_timer(struct loop *loop, struct loop_timer *t)
{
	fired.order[fired.n++] = (int)(intptr_t)t->arg;
	if (fired.n == 5)
		loop_stop(loop);
}

static void test_timers_fire_in_order(void **state)
{
	struct loop loop;
	struct loop_timer t[6];
	static const int delays[6] = {30, 10, 50, 20, 40, 15};
	int64_t start;
	int i;

	(void)state;
	assert_int_equal(loop_init(&loop), 0);
	memset(&fired, 0, sizeof(fired));
	for (i = 0; i < 6; i++) {
		loop_timer_init(&t[i], on_timer, (void *)(intptr_t)delays[i]);
		loop_timer_in(&loop, &t[i], delays[i]);
	}
	loop_timer_cancel(&loop, &t[5]); /* 15 never fires */
	assert_false(loop_timer_armed(&t[5]));
	loop_timer_in(&loop, &t[0], 5); /* re-arm 30 -> 5 */
	start = mono_ms();
	assert_int_equal(loop_run(&loop), 0);
	assert_true(mono_ms() - start >= 40);
	assert_int_equal(fired.n, 5);
	assert_int_equal(fired.order[0], 30); /* re-armed to 5 ms */
	assert_int_equal(fired.order[1], 10);
	assert_int_equal(fired.order[2], 20);
	assert_int_equal(fired.order[3], 40);
	assert_int_equal(fired.order[4], 50);
	loop_free(&loop);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_durations),
	    cmocka_unit_test(test_sockaddrs),
	    cmocka_unit_test(test_sockaddr_equal),
	    cmocka_unit_test(test_prefix),
	    cmocka_unit_test(test_edit_distance),
	    cmocka_unit_test(test_closest_word),
	    cmocka_unit_test(test_hexdigit),
	    cmocka_unit_test(test_json),
	    cmocka_unit_test(test_argv),
	    cmocka_unit_test(test_timers_fire_in_order),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
