/* Alert coalescing per instance (vrrpd/alertq.c), time passed in. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "alertq.h"

static struct alertq_item item(enum vrrp_state from, enum vrrp_state to, int n)
{
	struct alertq_item it = {.from = from, .to = to};

	snprintf(it.reason, sizeof(it.reason), "reason %d", n);
	return it;
}

/* The first transition goes at once; the next ones within the interval
 * wait for one summary at the interval's end; then a quiet instance
 * sends at once again. */
static void test_window(void **state)
{
	struct alertq q = {0};
	struct alertq_item out[ALERTQ_HELD_MAX], a, b;
	uint64_t omitted = 7;

	(void)state;
	a = item(VRRP_STATE_BACKUP, VRRP_STATE_MASTER, 1);
	b = item(VRRP_STATE_MASTER, VRRP_STATE_BACKUP, 2);
	assert_int_equal(alertq_push(&q, &a, 30000, 1000), ALERTQ_SEND);
	assert_int_equal(alertq_due(&q, 30000), 0);
	assert_int_equal(alertq_push(&q, &b, 30000, 2000), ALERTQ_HELD);
	assert_int_equal(alertq_push(&q, &a, 30000, 2100), ALERTQ_HELD);
	assert_int_equal(alertq_due(&q, 30000), 31000);
	/* something held: even past the interval, the summary goes first */
	assert_int_equal(alertq_push(&q, &b, 30000, 40000), ALERTQ_HELD);
	assert_int_equal(alertq_take(&q, 40000, out, &omitted), 3);
	assert_int_equal(omitted, 0);
	assert_string_equal(out[0].reason, "reason 2");
	assert_int_equal(out[2].to, VRRP_STATE_BACKUP);
	assert_int_equal(alertq_due(&q, 30000), 0);
	/* the summary started a window of its own */
	assert_int_equal(alertq_push(&q, &a, 30000, 50000), ALERTQ_HELD);
	assert_int_equal(alertq_take(&q, 70000, out, &omitted), 1);
	assert_int_equal(alertq_push(&q, &a, 30000, 100000), ALERTQ_SEND);
}

/* interval 0: no coalescing at all. */
static void test_off(void **state)
{
	struct alertq q = {0};
	struct alertq_item a = item(VRRP_STATE_BACKUP, VRRP_STATE_MASTER, 1);
	int i;

	(void)state;
	for (i = 0; i < 5; i++)
		assert_int_equal(alertq_push(&q, &a, 0, 1000 + i), ALERTQ_SEND);
	assert_int_equal(alertq_due(&q, 0), 0);
}

/* A storm: at most ALERTQ_HELD_MAX kept, the newest last, the rest
 * counted. */
static void test_storm(void **state)
{
	struct alertq q = {0};
	struct alertq_item out[ALERTQ_HELD_MAX], a;
	uint64_t omitted;
	int i;

	(void)state;
	a = item(VRRP_STATE_BACKUP, VRRP_STATE_MASTER, 0);
	assert_int_equal(alertq_push(&q, &a, 30000, 1), ALERTQ_SEND);
	for (i = 1; i <= 100; i++) {
		a = item(i % 2 ? VRRP_STATE_MASTER : VRRP_STATE_BACKUP,
			 i % 2 ? VRRP_STATE_BACKUP : VRRP_STATE_MASTER, i);
		assert_int_equal(alertq_push(&q, &a, 30000, 1 + i),
				 ALERTQ_HELD);
	}
	assert_int_equal(alertq_take(&q, 30001, out, &omitted),
			 ALERTQ_HELD_MAX);
	assert_int_equal(omitted, 100 - ALERTQ_HELD_MAX);
	assert_string_equal(out[0].reason, "reason 1");
	assert_string_equal(out[ALERTQ_HELD_MAX - 2].reason, "reason 31");
	assert_string_equal(out[ALERTQ_HELD_MAX - 1].reason, "reason 100");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_window),
	    cmocka_unit_test(test_off),
	    cmocka_unit_test(test_storm),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
