/* Failed logins on the status page: free tries, back-off doubling to its
 * cap, refusal while it runs, forgetting, per-source keys, a full table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loginguard.h"

static struct loginguard_key key4(const char *a)
{
	struct sockaddr_in in = {.sin_family = AF_INET};
	struct loginguard_key k;

	assert_int_equal(inet_pton(AF_INET, a, &in.sin_addr), 1);
	in.sin_port = htons(4242); /* ignored */
	assert_int_equal(loginguard_key_from((struct sockaddr *)&in, &k), 0);
	return k;
}

static struct loginguard_key key6(const char *a)
{
	struct sockaddr_in6 in6 = {.sin6_family = AF_INET6};
	struct loginguard_key k;

	assert_int_equal(inet_pton(AF_INET6, a, &in6.sin6_addr), 1);
	assert_int_equal(loginguard_key_from((struct sockaddr *)&in6, &k), 0);
	return k;
}

static struct loginguard *new_guard(void)
{
	struct loginguard *g = calloc(1, sizeof(*g));

	assert_non_null(g);
	return g;
}

static void test_free_then_backoff(void **state)
{
	struct loginguard *g = new_guard();
	struct loginguard_key a = key4("198.18.0.5"), b = key4("198.18.0.6");
	struct loginguard_verdict v;
	int64_t now = 1000, want = LOGINGUARD_BACKOFF_MS;
	int i;

	(void)state;
	for (i = 1; i <= LOGINGUARD_FREE; i++) {
		assert_int_equal(loginguard_wait(g, &a, now), 0);
		loginguard_fail(g, &a, now, &v);
		assert_int_equal(v.fails, i);
		assert_int_equal(v.backoff_ms, 0);
		now += 10;
	}
	/* each further failure doubles the wait, up to the cap */
	for (i = 0; i < 12; i++) {
		assert_int_equal(loginguard_wait(g, &a, now), 0);
		loginguard_fail(g, &a, now, &v);
		assert_int_equal(v.backoff_ms, want);
		assert_int_equal(loginguard_wait(g, &a, now), want);
		assert_int_equal(loginguard_wait(g, &a, now + want - 1), 1);
		/* another source is not slowed down */
		assert_int_equal(loginguard_wait(g, &b, now), 0);
		now += want;
		want = want * 2 > LOGINGUARD_BACKOFF_MAX_MS
			   ? LOGINGUARD_BACKOFF_MAX_MS
			   : want * 2;
	}
	assert_int_equal(v.backoff_ms, LOGINGUARD_BACKOFF_MAX_MS);
	assert_int_equal(g->failures, LOGINGUARD_FREE + 12);
	assert_int_equal(g->throttled, 24);
	/* a good password clears the source */
	loginguard_ok(g, &a);
	assert_int_equal(loginguard_wait(g, &a, now), 0);
	loginguard_fail(g, &a, now, &v);
	assert_int_equal(v.fails, 1);
	free(g);
}

static void test_forget(void **state)
{
	struct loginguard *g = new_guard();
	struct loginguard_key a = key4("198.18.0.5");
	struct loginguard_verdict v;
	int i;

	(void)state;
	for (i = 0; i < LOGINGUARD_FREE + 1; i++)
		loginguard_fail(g, &a, 0, &v);
	assert_int_equal(v.backoff_ms, LOGINGUARD_BACKOFF_MS);
	loginguard_fail(g, &a, LOGINGUARD_FORGET_MS - 1, &v);
	assert_int_equal(v.fails, LOGINGUARD_FREE + 2);
	/* quiet for the forget time: a fresh start */
	loginguard_fail(g, &a, 2 * LOGINGUARD_FORGET_MS, &v);
	assert_int_equal(v.fails, 1);
	free(g);
}

static void test_keys(void **state)
{
	struct loginguard_key k1, k2;
	struct sockaddr_un_like {
		sa_family_t fam;
		char path[8];
	} un = {.fam = AF_UNIX};

	(void)state;
	/* one IPv6 /64 is one source; another /64 is another */
	k1 = key6("2001:db8:1:2::1");
	k2 = key6("2001:db8:1:2:ffff::9");
	assert_memory_equal(&k1, &k2, sizeof(k1));
	k2 = key6("2001:db8:1:3::1");
	assert_memory_not_equal(&k1, &k2, sizeof(k1));
	/* a v4-mapped address is the IPv4 source */
	k1 = key6("::ffff:198.18.0.5");
	k2 = key4("198.18.0.5");
	assert_memory_equal(&k1, &k2, sizeof(k1));
	assert_int_equal(loginguard_key_from((struct sockaddr *)&un, &k1), -1);
}

static void test_full_table(void **state)
{
	struct loginguard *g = new_guard();
	struct loginguard_key a = key4("10.0.0.1"), k;
	struct loginguard_verdict v;
	char addr[32];
	int i;

	(void)state;
	for (i = 0; i < LOGINGUARD_FREE + 1; i++)
		loginguard_fail(g, &a, 0, &v);
	/* a crowd of one-failure sources fills the table many times over:
	 * the source in its back-off keeps its slot meanwhile */
	for (i = 0; i < 4 * LOGINGUARD_SLOTS; i++) {
		snprintf(addr, sizeof(addr), "10.1.%d.%d", i / 250, i % 250);
		k = key4(addr);
		loginguard_fail(g, &k, 1 + i / 4, &v);
		assert_int_equal(v.fails, 1);
	}
	assert_true(loginguard_wait(g, &a, 500) > 0);
	free(g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_free_then_backoff),
	    cmocka_unit_test(test_forget),
	    cmocka_unit_test(test_keys),
	    cmocka_unit_test(test_full_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
