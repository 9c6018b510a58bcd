/* Stick table: insert, lookup, expiry, LRU eviction, dead servers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "stick.h"

static struct stick_key key(int i)
{
	struct sockaddr_in in = {.sin_family = AF_INET};
	struct stick_key k;

	in.sin_addr.s_addr = htonl(0x0a000000u + (uint32_t)i);
	in.sin_port = htons((uint16_t)(1000 + i)); /* ignored */
	assert_int_equal(stick_key_from((struct sockaddr *)&in, &k), 0);
	return k;
}

static void test_insert_lookup(void **state)
{
	struct stick_table t;
	struct stick_key k1 = key(1), k2 = key(2);

	(void)state;
	assert_int_equal(stick_init(&t, 10, 1000), 0);
	assert_int_equal(stick_lookup(&t, &k1, 0), -1);
	assert_int_equal(stick_store(&t, &k1, 3, 0), 0);
	assert_int_equal(stick_store(&t, &k2, 1, 0), 0);
	assert_int_equal(stick_lookup(&t, &k1, 10), 3);
	assert_int_equal(stick_lookup(&t, &k2, 10), 1);
	assert_int_equal(stick_store(&t, &k1, 4, 20), 0);
	assert_int_equal(stick_lookup(&t, &k1, 30), 4);
	assert_int_equal(t.count, 2);
	stick_remove(&t, &k1);
	assert_int_equal(stick_lookup(&t, &k1, 30), -1);
	assert_int_equal(t.count, 1);
	stick_free(&t);
}

static void test_port_ignored_and_v6(void **state)
{
	struct sockaddr_in6 a = {.sin6_family = AF_INET6};
	struct sockaddr_in6 b;
	struct stick_key ka, kb;
	struct stick_table t;
	struct sockaddr_un_like {
		sa_family_t f;
	} bad = {AF_UNIX};

	(void)state;
	inet_pton(AF_INET6, "2001:db8::1", &a.sin6_addr);
	b = a;
	a.sin6_port = htons(1);
	b.sin6_port = htons(2);
	assert_int_equal(stick_key_from((struct sockaddr *)&a, &ka), 0);
	assert_int_equal(stick_key_from((struct sockaddr *)&b, &kb), 0);
	assert_int_equal(stick_key_from((struct sockaddr *)&bad, &kb),
			 -EAFNOSUPPORT);
	assert_int_equal(stick_key_from((struct sockaddr *)&b, &kb), 0);
	assert_int_equal(stick_init(&t, 10, 1000), 0);
	assert_int_equal(stick_store(&t, &ka, 7, 0), 0);
	assert_int_equal(stick_lookup(&t, &kb, 1), 7);
	stick_free(&t);
}

static void test_expiry_refreshed_by_use(void **state)
{
	struct stick_table t;
	struct stick_key k1 = key(1), k2 = key(2);

	(void)state;
	assert_int_equal(stick_init(&t, 10, 1000), 0);
	stick_store(&t, &k1, 1, 0);
	stick_store(&t, &k2, 2, 0);
	/* k1 used at 900: lives until 1900; k2 dies at 1000 */
	assert_int_equal(stick_lookup(&t, &k1, 900), 1);
	assert_int_equal(stick_expire(&t, 999), 0);
	assert_int_equal(stick_expire(&t, 1000), 1);
	assert_int_equal(stick_lookup(&t, &k2, 1000), -1);
	assert_int_equal(stick_lookup(&t, &k1, 1899), 1);
	/* lookup of an expired entry misses and frees it */
	assert_int_equal(stick_lookup(&t, &k1, 2899), -1);
	assert_int_equal(t.count, 0);
	assert_int_equal(t.expirations, 2);
	stick_free(&t);
}

static void test_eviction_lru(void **state)
{
	struct stick_table t;
	struct stick_key k[4] = {key(1), key(2), key(3), key(4)};

	(void)state;
	assert_int_equal(stick_init(&t, 3, 100000), 0);
	stick_store(&t, &k[0], 0, 0);
	stick_store(&t, &k[1], 1, 1);
	stick_store(&t, &k[2], 2, 2);
	/* touch k0: k1 becomes the least recently used */
	assert_int_equal(stick_lookup(&t, &k[0], 3), 0);
	stick_store(&t, &k[3], 3, 4);
	assert_int_equal(t.count, 3);
	assert_int_equal(t.evictions, 1);
	assert_int_equal(stick_lookup(&t, &k[1], 5), -1);
	assert_int_equal(stick_lookup(&t, &k[0], 5), 0);
	assert_int_equal(stick_lookup(&t, &k[2], 5), 2);
	assert_int_equal(stick_lookup(&t, &k[3], 5), 3);
	stick_free(&t);
}

static void test_drop_server(void **state)
{
	struct stick_table t;
	struct stick_key k;
	int i;

	(void)state;
	assert_int_equal(stick_init(&t, 1000, 100000), 0);
	for (i = 0; i < 300; i++) {
		k = key(i);
		stick_store(&t, &k, i % 3, 0);
	}
	assert_int_equal(stick_drop_server(&t, 1), 100);
	assert_int_equal(t.count, 200);
	for (i = 0; i < 300; i++) {
		k = key(i);
		assert_int_equal(stick_lookup(&t, &k, 1),
				 i % 3 == 1 ? -1 : i % 3);
	}
	stick_free(&t);
}

/* Many entries: the table grows its buckets and finds all of them. */
static void test_many(void **state)
{
	struct stick_table t;
	struct stick_key k;
	int i;

	(void)state;
	assert_int_equal(stick_init(&t, 50000, 100000), 0);
	for (i = 0; i < 60000; i++) {
		k = key(i);
		assert_int_equal(stick_store(&t, &k, i & 7, i / 1000), 0);
	}
	assert_int_equal(t.count, 50000);
	assert_int_equal(t.evictions, 10000);
	assert_true(t.nbuckets >= 32768);
	for (i = 0; i < 60000; i++) {
		k = key(i);
		assert_int_equal(stick_lookup(&t, &k, 100),
				 i < 10000 ? -1 : i & 7);
	}
	stick_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_insert_lookup),
	    cmocka_unit_test(test_port_ignored_and_v6),
	    cmocka_unit_test(test_expiry_refreshed_by_use),
	    cmocka_unit_test(test_eviction_lru),
	    cmocka_unit_test(test_drop_server),
	    cmocka_unit_test(test_many),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
