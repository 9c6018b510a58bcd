/* The status page's admin actions: tokens, the Origin rule, the form. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <string.h>

#include "statsadmin.h"

static void test_tokens(void **state)
{
	static struct statsadmin a;
	uint8_t rnd[16];
	char t1[40], t2[40];
	int i;

	(void)state;
	memset(&a, 0, sizeof(a));
	memset(rnd, 0xab, sizeof(rnd));
	strcpy(t1, statsadmin_token_new(&a, rnd, 1000));
	assert_int_equal(strlen(t1), 32);
	assert_string_equal(t1, "abababababababababababababababab");
	rnd[0] = 1;
	strcpy(t2, statsadmin_token_new(&a, rnd, 1000));
	assert_string_not_equal(t1, t2);
	/* unknown, empty, wrong length */
	assert_false(statsadmin_token_take(&a, "", 2000));
	assert_false(statsadmin_token_take(
	    &a, "00000000000000000000000000000000", 2000));
	assert_false(statsadmin_token_take(&a, "abab", 2000));
	/* a token works once */
	assert_true(statsadmin_token_take(&a, t1, 2000));
	assert_false(statsadmin_token_take(&a, t1, 2000));
	/* and for an hour */
	assert_false(statsadmin_token_take(&a, t2, 1000 + STATSADMIN_TOKEN_MS));
	/* the oldest of STATSADMIN_TOKENS page loads is forgotten */
	memset(&a, 0, sizeof(a));
	rnd[0] = 0xff;
	strcpy(t1, statsadmin_token_new(&a, rnd, 0));
	for (i = 0; i < STATSADMIN_TOKENS; i++) {
		rnd[1] = (uint8_t)i;
		strcpy(t2, statsadmin_token_new(&a, rnd, 0));
	}
	assert_false(statsadmin_token_take(&a, t1, 1));
	assert_true(statsadmin_token_take(&a, t2, 1));
}

static void test_origin(void **state)
{
	(void)state;
	assert_true(statsadmin_origin_ok("http://198.18.0.11:8404", "",
					 "198.18.0.11:8404"));
	assert_true(
	    statsadmin_origin_ok("https://lb.example", "", "lb.example"));
	assert_false(statsadmin_origin_ok("http://evil.example", "",
					  "198.18.0.11:8404"));
	assert_false(statsadmin_origin_ok("http://198.18.0.11:8404.evil", "",
					  "198.18.0.11:8404"));
	assert_false(statsadmin_origin_ok("null", "", "198.18.0.11:8404"));
	/* no Origin: the Referer must be the page */
	assert_true(statsadmin_origin_ok("", "http://198.18.0.11:8404/",
					 "198.18.0.11:8404"));
	assert_false(
	    statsadmin_origin_ok("", "http://evil/x", "198.18.0.11:8404"));
	assert_false(statsadmin_origin_ok("", "", "198.18.0.11:8404"));
	assert_false(statsadmin_origin_ok("http://x", "", ""));
}

static int parse(const char *s, struct statsadmin_form *f)
{
	return statsadmin_form_parse(s, strlen(s), f);
}

static void test_form(void **state)
{
	struct statsadmin_form f;

	(void)state;
	assert_int_equal(parse("token=abababababababababababababababab&"
			       "listen=web&server=s%2D1&action=drain",
			       &f),
			 0);
	assert_string_equal(f.token, "abababababababababababababababab");
	assert_string_equal(f.listen, "web");
	assert_string_equal(f.server, "s-1");
	assert_int_equal(f.action, STATSADMIN_DRAIN);
	assert_string_equal(statsadmin_action_str(f.action), "drain");
	assert_int_equal(
	    parse("token=x&listen=web&server=a&action=disable", &f), 0);
	assert_int_equal(f.action, STATSADMIN_DISABLE);
	assert_int_equal(parse("action=enable&server=a&listen=web&token=x", &f),
			 0);
	assert_int_equal(f.action, STATSADMIN_ENABLE);
	/* missing field, unknown action, bad escape, NUL, no '=' */
	assert_int_equal(parse("listen=a&server=b&action=drain", &f), -1);
	assert_int_equal(parse("token=x&listen=a&server=b&action=reboot", &f),
			 -1);
	assert_int_equal(parse("token=x&listen=%zz&server=b&action=drain", &f),
			 -1);
	assert_int_equal(parse("token=x&listen=%00&server=b&action=drain", &f),
			 -1);
	assert_int_equal(parse("token", &f), -1);
	/* the body is not NUL-terminated: only len bytes count */
	assert_int_equal(
	    statsadmin_form_parse("token=x&listen=a&server=b&action=drainXX",
				  38, &f),
	    0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_tokens),
	    cmocka_unit_test(test_origin),
	    cmocka_unit_test(test_form),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
