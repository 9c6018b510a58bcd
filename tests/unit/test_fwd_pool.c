/* Balancing: weights over many picks, leastconn, source stability. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "pool.h"

static struct pool make(enum pool_algo algo, struct pool_member *m, size_t n)
{
	struct pool p = {.algo = algo, .m = m, .n = n};
	char name[16];
	size_t i;

	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "s%zu", i);
		pool_member_name(&m[i], name);
		m[i].usable = true;
	}
	return p;
}

static struct sockaddr_in v4(const char *ip)
{
	struct sockaddr_in in = {.sin_family = AF_INET};

	inet_pton(AF_INET, ip, &in.sin_addr);
	return in;
}

static void test_rr_weights(void **state)
{
	struct pool_member m[3] = {{.weight = 5}, {.weight = 1}, {.weight = 1}};
	struct pool p = make(POOL_ROUNDROBIN, m, 3);
	unsigned count[3] = {0};
	int i;

	(void)state;
	for (i = 0; i < 7000; i++)
		count[pool_pick(&p, NULL, -1)]++;
	assert_int_equal(count[0], 5000);
	assert_int_equal(count[1], 1000);
	assert_int_equal(count[2], 1000);
}

/* Smooth: a heavy server's turns are interleaved (nginx's example). */
static void test_rr_smooth_sequence(void **state)
{
	struct pool_member m[3] = {{.weight = 5}, {.weight = 1}, {.weight = 1}};
	struct pool p = make(POOL_ROUNDROBIN, m, 3);
	int expect[7] = {0, 0, 1, 0, 2, 0, 0};
	int i;

	(void)state;
	for (i = 0; i < 7; i++)
		assert_int_equal(pool_pick(&p, NULL, -1), expect[i]);
}

static void test_rr_skips_unusable_and_zero_weight(void **state)
{
	struct pool_member m[4] = {
	    {.weight = 1}, {.weight = 1}, {.weight = 0}, {.weight = 3}};
	struct pool p = make(POOL_ROUNDROBIN, m, 4);
	unsigned count[4] = {0};
	int i;

	(void)state;
	m[1].usable = false;
	for (i = 0; i < 400; i++)
		count[pool_pick(&p, NULL, -1)]++;
	assert_int_equal(count[0], 100);
	assert_int_equal(count[1], 0);
	assert_int_equal(count[2], 0);
	assert_int_equal(count[3], 300);
}

static void test_backup_only_when_all_down(void **state)
{
	struct pool_member m[3] = {
	    {.weight = 1}, {.weight = 1}, {.weight = 1, .backup = true}};
	struct pool p = make(POOL_ROUNDROBIN, m, 3);
	int i;

	(void)state;
	for (i = 0; i < 100; i++)
		assert_int_not_equal(pool_pick(&p, NULL, -1), 2);
	m[0].usable = false;
	for (i = 0; i < 10; i++)
		assert_int_equal(pool_pick(&p, NULL, -1), 1);
	m[1].usable = false;
	for (i = 0; i < 10; i++)
		assert_int_equal(pool_pick(&p, NULL, -1), 2);
	m[2].usable = false;
	assert_int_equal(pool_pick(&p, NULL, -1), -1);
}

static void test_exclude(void **state)
{
	struct pool_member m[2] = {{.weight = 1}, {.weight = 1}};
	struct pool p = make(POOL_ROUNDROBIN, m, 2);
	int i;

	(void)state;
	for (i = 0; i < 10; i++)
		assert_int_equal(pool_pick(&p, NULL, 0), 1);
	m[1].usable = false;
	assert_int_equal(pool_pick(&p, NULL, 0), -1);
}

static void test_leastconn(void **state)
{
	struct pool_member m[3] = {{.weight = 1, .conns = 5},
				   {.weight = 1, .conns = 2},
				   {.weight = 2, .conns = 6}};
	struct pool p = make(POOL_LEASTCONN, m, 3);
	int i, pick;

	(void)state;
	/* 5/1, 2/1, 6/2=3: server 1 */
	assert_int_equal(pool_pick(&p, NULL, -1), 1);
	/* simulate the picks opening connections: load evens out */
	for (i = 0; i < 30; i++) {
		pick = pool_pick(&p, NULL, -1);
		m[pick].conns++;
	}
	/* 43 connections over weights 1,1,2: 10.75 per unit */
	assert_in_range(m[0].conns, 10, 12);
	assert_in_range(m[1].conns, 10, 12);
	assert_in_range(m[2].conns, 20, 23);
}

static void test_leastconn_ties_rotate(void **state)
{
	struct pool_member m[3] = {{.weight = 1}, {.weight = 1}, {.weight = 1}};
	struct pool p = make(POOL_LEASTCONN, m, 3);
	unsigned count[3] = {0};
	int i;

	(void)state;
	/* short connections: conns stay 0, picks must still spread */
	for (i = 0; i < 300; i++)
		count[pool_pick(&p, NULL, -1)]++;
	assert_int_equal(count[0], 100);
	assert_int_equal(count[1], 100);
	assert_int_equal(count[2], 100);
}

static void test_source_stable_and_spread(void **state)
{
	struct pool_member m[4] = {
	    {.weight = 1}, {.weight = 1}, {.weight = 1}, {.weight = 1}};
	struct pool p = make(POOL_SOURCE, m, 4);
	struct pool_member m2[4] = {
	    {.weight = 1}, {.weight = 1}, {.weight = 1}, {.weight = 1}};
	struct pool p2 = make(POOL_SOURCE, m2, 4);
	unsigned count[4] = {0};
	char ip[32];
	int i, a, b;

	(void)state;
	for (i = 0; i < 4000; i++) {
		struct sockaddr_in in;

		snprintf(ip, sizeof(ip), "10.%d.%d.%d", i / 65536,
			 (i / 256) % 256, i % 256);
		in = v4(ip);
		a = pool_pick(&p, (struct sockaddr *)&in, -1);
		/* a fresh pool (a restart) picks the same */
		b = pool_pick(&p2, (struct sockaddr *)&in, -1);
		assert_int_equal(a, b);
		assert_int_equal(pool_pick(&p, (struct sockaddr *)&in, -1), a);
		count[a]++;
	}
	for (i = 0; i < 4; i++)
		assert_in_range(count[i], 850, 1150);
}

/* Rendezvous: when one server goes, only its clients move. */
static void test_source_minimal_disruption(void **state)
{
	struct pool_member m[4] = {
	    {.weight = 1}, {.weight = 1}, {.weight = 1}, {.weight = 1}};
	struct pool p = make(POOL_SOURCE, m, 4);
	int before[1000], i, moved = 0;
	char ip[32];

	(void)state;
	for (i = 0; i < 1000; i++) {
		struct sockaddr_in in;

		snprintf(ip, sizeof(ip), "192.0.2.%d", i % 256);
		in = v4(ip);
		in.sin_addr.s_addr ^= htonl((uint32_t)(i / 256) << 16);
		before[i] = pool_pick(&p, (struct sockaddr *)&in, -1);
	}
	m[2].usable = false;
	for (i = 0; i < 1000; i++) {
		struct sockaddr_in in;
		int now;

		snprintf(ip, sizeof(ip), "192.0.2.%d", i % 256);
		in = v4(ip);
		in.sin_addr.s_addr ^= htonl((uint32_t)(i / 256) << 16);
		now = pool_pick(&p, (struct sockaddr *)&in, -1);
		assert_int_not_equal(now, 2);
		if (before[i] != 2)
			assert_int_equal(now, before[i]);
		else
			moved++;
	}
	assert_true(moved > 150);
}

static void test_source_weights(void **state)
{
	struct pool_member m[2] = {{.weight = 3}, {.weight = 1}};
	struct pool p = make(POOL_SOURCE, m, 2);
	unsigned count[2] = {0};
	char ip[32];
	int i;

	(void)state;
	for (i = 0; i < 8000; i++) {
		struct sockaddr_in in;

		snprintf(ip, sizeof(ip), "172.16.%d.%d", i / 256, i % 256);
		in = v4(ip);
		count[pool_pick(&p, (struct sockaddr *)&in, -1)]++;
	}
	assert_in_range(count[0], 5700, 6300);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rr_weights),
	    cmocka_unit_test(test_rr_smooth_sequence),
	    cmocka_unit_test(test_rr_skips_unusable_and_zero_weight),
	    cmocka_unit_test(test_backup_only_when_all_down),
	    cmocka_unit_test(test_exclude),
	    cmocka_unit_test(test_leastconn),
	    cmocka_unit_test(test_leastconn_ties_rotate),
	    cmocka_unit_test(test_source_stable_and_spread),
	    cmocka_unit_test(test_source_minimal_disruption),
	    cmocka_unit_test(test_source_weights),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
