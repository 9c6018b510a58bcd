/* common/list.h: the intrusive list the forwarder's sessions and stick
 * table live on. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>

#include "list.h"

struct item {
	int v;
	struct list link;
};

/* The values on l, front to back, as digits ("" when empty). */
static const char *order(struct list *l)
{
	static char buf[32];
	struct item *it;
	size_t n = 0;

	list_for_each_entry (it, l, link)
		buf[n++] = (char)('0' + it->v);
	buf[n] = '\0';
	return buf;
}

static void test_add_del(void **state)
{
	struct item it[4] = {{.v = 0}, {.v = 1}, {.v = 2}, {.v = 3}};
	struct list l;
	int i;

	(void)state;
	list_init(&l);
	assert_true(list_empty(&l));
	for (i = 0; i < 4; i++)
		list_init(&it[i].link);
	assert_true(list_empty(&it[0].link)); /* on no list */
	list_add(&l, &it[1].link);
	list_add(&l, &it[0].link);
	list_add_tail(&l, &it[2].link);
	list_add_tail(&l, &it[3].link);
	assert_string_equal(order(&l), "0123");
	assert_false(list_empty(&it[2].link));
	assert_ptr_equal(list_first_entry(&l, struct item, link), &it[0]);
	list_del(&it[2].link);
	assert_true(list_empty(&it[2].link));
	list_del(&it[2].link); /* twice: harmless */
	assert_string_equal(order(&l), "013");
	list_del(&it[0].link);
	list_del(&it[3].link);
	assert_string_equal(order(&l), "1");
	list_del(&it[1].link);
	assert_true(list_empty(&l));
	assert_string_equal(order(&l), "");
}

/* The safe walk survives freeing the current element. */
static void test_foreach_safe_free(void **state)
{
	struct item *it, *tmp;
	struct list l;
	int i, n = 0;

	(void)state;
	list_init(&l);
	for (i = 0; i < 5; i++) {
		it = calloc(1, sizeof(*it));
		assert_non_null(it);
		it->v = i;
		list_add_tail(&l, &it->link);
	}
	list_for_each_entry_safe (it, tmp, &l, link) {
		if (it->v % 2 == 0) {
			list_del(&it->link);
			free(it);
		}
	}
	assert_string_equal(order(&l), "13");
	list_for_each_entry_safe (it, tmp, &l, link) {
		list_del(&it->link);
		free(it);
		n++;
	}
	assert_int_equal(n, 2);
	assert_true(list_empty(&l));
}

/* list_take moves the whole list to a new head, empty or not. */
static void test_take(void **state)
{
	struct item it[3] = {{.v = 1}, {.v = 2}, {.v = 3}};
	struct list a, b;
	int i;

	(void)state;
	list_init(&a);
	list_take(&b, &a);
	assert_true(list_empty(&a));
	assert_true(list_empty(&b));
	for (i = 0; i < 3; i++)
		list_add_tail(&a, &it[i].link);
	list_take(&b, &a);
	assert_true(list_empty(&a));
	assert_string_equal(order(&b), "123");
	/* the moved elements point at the new head */
	assert_ptr_equal(it[0].link.prev, &b);
	assert_ptr_equal(it[2].link.next, &b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_add_del),
	    cmocka_unit_test(test_foreach_safe_free),
	    cmocka_unit_test(test_take),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
