/* vrrpd-mail's delivery queue (vrrpd/mail/mailq.c): order, one in flight,
 * retries at 2, 10, 30 s then given up, a waiting mail not holding up the
 * others, the bound dropping the oldest not in flight, shutdown. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "mail/mailq.h"

static void test_order_and_one_in_flight(void **state)
{
	struct mailq_item a = {0}, b = {0};
	struct mailq q;
	int64_t wake;

	(void)state;
	mailq_init(&q, 4);
	assert_null(mailq_next(&q, 1000, &wake));
	assert_int_equal(wake, 0);
	assert_null(mailq_push(&q, &a));
	assert_null(mailq_push(&q, &b));
	assert_ptr_equal(mailq_next(&q, 1000, &wake), &a);
	mailq_start(&q, &a);
	/* one at a time: b waits while a is in flight */
	assert_null(mailq_next(&q, 1000, &wake));
	mailq_remove(&q, &a); /* sent */
	assert_ptr_equal(mailq_next(&q, 1000, &wake), &b);
	assert_int_equal(q.n, 1);
	mailq_remove(&q, &a); /* not queued: nothing happens */
	assert_int_equal(q.n, 1);
}

static void test_retries_then_give_up(void **state)
{
	struct mailq_item a = {0}, b = {0};
	struct mailq q;
	int64_t now = 5000, wake;
	int i;

	(void)state;
	mailq_init(&q, 4);
	mailq_push(&q, &a);
	mailq_push(&q, &b);
	for (i = 0; i < MAILQ_RETRIES; i++) {
		assert_ptr_equal(mailq_next(&q, now, &wake), &a);
		mailq_start(&q, &a);
		assert_int_equal(mailq_failed(&q, &a, now, false),
				 mailq_backoff_ms[i]);
		/* a waiting mail does not hold up the others */
		assert_ptr_equal(mailq_next(&q, now, &wake), &b);
		mailq_start(&q, &b);
		assert_int_equal(mailq_failed(&q, &b, now, false),
				 mailq_backoff_ms[i]);
		assert_null(
		    mailq_next(&q, now + mailq_backoff_ms[i] - 1, &wake));
		assert_int_equal(wake, now + mailq_backoff_ms[i]);
		now += mailq_backoff_ms[i];
	}
	assert_int_equal(mailq_backoff_ms[0], 2000);
	assert_int_equal(mailq_backoff_ms[2], 30000);
	/* the fourth attempt fails: given up, unlinked */
	assert_ptr_equal(mailq_next(&q, now, &wake), &a);
	mailq_start(&q, &a);
	assert_int_equal(a.tries, MAILQ_RETRIES + 1);
	assert_int_equal(mailq_failed(&q, &a, now, false), -1);
	assert_int_equal(q.n, 1);
	assert_ptr_equal(mailq_next(&q, now, &wake), &b);
}

static void test_bound_drops_oldest_not_in_flight(void **state)
{
	struct mailq_item it[4] = {{0}};
	struct mailq q;
	int64_t wake;

	(void)state;
	mailq_init(&q, 3);
	mailq_push(&q, &it[0]);
	mailq_push(&q, &it[1]);
	mailq_push(&q, &it[2]);
	mailq_start(&q, mailq_next(&q, 0, &wake));
	/* full: it[0] is in flight, so it[1] goes */
	assert_ptr_equal(mailq_push(&q, &it[3]), &it[1]);
	assert_int_equal(q.n, 3);
	assert_ptr_equal(q.head, &it[0]);
	assert_ptr_equal(q.head->next, &it[2]);
	assert_ptr_equal(q.tail, &it[3]);
}

static void test_draining(void **state)
{
	struct mailq_item a = {0}, b = {0};
	struct mailq q;
	int64_t wake;

	(void)state;
	mailq_init(&q, 4);
	mailq_push(&q, &a);
	mailq_push(&q, &b);
	mailq_start(&q, mailq_next(&q, 0, &wake));
	assert_int_equal(mailq_failed(&q, &a, 0, false), 2000);
	mailq_start(&q, mailq_next(&q, 0, &wake));
	assert_int_equal(mailq_failed(&q, &b, 0, false), 2000);
	/* shutdown: no waiting, a failure is final */
	mailq_hurry(&q);
	assert_ptr_equal(mailq_next(&q, 0, &wake), &a);
	mailq_start(&q, &a);
	assert_int_equal(mailq_failed(&q, &a, 0, true), -1);
	assert_ptr_equal(mailq_next(&q, 0, &wake), &b);
	assert_int_equal(q.n, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_order_and_one_in_flight),
	    cmocka_unit_test(test_retries_then_give_up),
	    cmocka_unit_test(test_bound_drops_oldest_not_in_flight),
	    cmocka_unit_test(test_draining),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
