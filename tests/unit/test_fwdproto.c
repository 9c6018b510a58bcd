/* The forwarder's lines to vrrpd: hello and health. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "fwdproto.h"

static void test_hello(void **state)
{
	int v = 0;

	(void)state;
	assert_int_equal(fwdproto_parse_hello("hello fwd 1", &v), 0);
	assert_int_equal(v, 1);
	assert_int_equal(fwdproto_parse_hello("hello fwd 2", &v), 0);
	assert_int_equal(v, 2);
	assert_int_equal(fwdproto_parse_hello("hello fwd", &v), -EINVAL);
	assert_int_equal(fwdproto_parse_hello("hello fwd 0", &v), -EINVAL);
	assert_int_equal(fwdproto_parse_hello("hello fwd 1 x", &v), -EINVAL);
	/* an overflowing version is refused, not wrapped (found by lint) */
	assert_int_equal(fwdproto_parse_hello("hello fwd 4294967297", &v),
			 -EINVAL);
	assert_int_equal(fwdproto_parse_hello("hello fwd -1", &v), -EINVAL);
	assert_int_equal(fwdproto_parse_hello("hello vrrpd 1", &v), -EINVAL);
}

static void test_health(void **state)
{
	struct fwd_health h;
	char why[128], ip[INET_ADDRSTRLEN];

	(void)state;
	assert_int_equal(
	    fwdproto_parse_health("health web_ext 2 3 198.18.0.50:443,"
				  "[2001:db8::1]:443,198.18.0.51:80",
				  &h, why, sizeof(why)),
	    0);
	assert_string_equal(h.listener, "web_ext");
	assert_int_equal(h.up, 2);
	assert_int_equal(h.total, 3);
	assert_int_equal(h.n_binds, 2); /* the IPv6 bind is skipped */
	inet_ntop(AF_INET, &h.binds[1], ip, sizeof(ip));
	assert_string_equal(ip, "198.18.0.51");
}

static void test_health_bad(void **state)
{
	static const struct {
		const char *line, *why;
	} bad[] = {
	    {"health web 2 3", "expected: health LISTENER UP TOTAL "
			       "BIND[,BIND...]"},
	    {"health web 2 3 1.2.3.4:80 extra",
	     "expected: health LISTENER UP TOTAL BIND[,BIND...]"},
	    {"health web x 3 1.2.3.4:80",
	     "UP and TOTAL must be numbers, UP <= TOTAL"},
	    {"health web 4 3 1.2.3.4:80",
	     "UP and TOTAL must be numbers, UP <= TOTAL"},
	    {"health web -1 3 1.2.3.4:80",
	     "UP and TOTAL must be numbers, UP <= TOTAL"},
	    {"health web 1 3 1.2.3.4", "bind '1.2.3.4' is not ADDRESS:PORT"},
	    {"health web 1 3 1.2.3.4:80,,", NULL},
	};
	struct fwd_health h;
	char why[128];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc =
		    fwdproto_parse_health(bad[i].line, &h, why, sizeof(why));

		print_message("%s\n", bad[i].line);
		if (!bad[i].why) {
			/* empty items between commas are skipped */
			assert_int_equal(rc, 0);
			assert_int_equal(h.n_binds, 1);
			continue;
		}
		assert_int_equal(rc, -EINVAL);
		assert_string_equal(why, bad[i].why);
	}
}

/* A wildcard listener ("*:443" is 0.0.0.0:443) serves every VIP. */
static void test_bind_serves(void **state)
{
	struct in_addr vip, other, any;
	struct fwd_health h;
	char why[128];

	(void)state;
	inet_pton(AF_INET, "198.18.0.50", &vip);
	inet_pton(AF_INET, "198.18.0.51", &other);
	assert_true(fwdproto_bind_serves(vip, vip));
	assert_false(fwdproto_bind_serves(other, vip));
	assert_int_equal(fwdproto_parse_health("health web 0 2 0.0.0.0:443", &h,
					       why, sizeof(why)),
			 0);
	assert_int_equal(h.n_binds, 1);
	any = h.binds[0];
	assert_true(fwdproto_bind_serves(any, vip));
	assert_true(fwdproto_bind_serves(any, other));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_hello),
	    cmocka_unit_test(test_health),
	    cmocka_unit_test(test_health_bad),
	    cmocka_unit_test(test_bind_serves),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
