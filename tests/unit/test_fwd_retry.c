/* Retry policy after a failed connect: one row per case, with the
 * expected action. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "retry.h"

struct row {
	int err;	/* the connect's errno */
	int tries_left; /* before this failure */
	bool redispatch;
	enum retry_action want;
};

static const struct row rows[] = {
    /* a server's fault, tries left: the setting decides */
    {ECONNREFUSED, 3, false, RETRY_SAME},
    {ECONNREFUSED, 3, true, RETRY_REDISPATCH},
    {ETIMEDOUT, 1, false, RETRY_SAME},
    {ETIMEDOUT, 1, true, RETRY_REDISPATCH},
    {EHOSTUNREACH, 2, true, RETRY_REDISPATCH},
    {ENETUNREACH, 2, false, RETRY_SAME},
    /* other errors are retried the same way */
    {ECONNRESET, 1, false, RETRY_SAME},
    {ECONNRESET, 1, true, RETRY_REDISPATCH},
    {EADDRNOTAVAIL, 5, true, RETRY_REDISPATCH},
    /* no tries left: give up, whatever the setting */
    {ECONNREFUSED, 0, false, RETRY_GIVE_UP},
    {ECONNREFUSED, 0, true, RETRY_GIVE_UP},
    {ETIMEDOUT, 0, true, RETRY_GIVE_UP},
    {ECONNRESET, 0, false, RETRY_GIVE_UP},
    {ECONNRESET, -1, true, RETRY_GIVE_UP},
    /* our own shortage: shed the client, even with tries left */
    {EMFILE, 3, true, RETRY_SHED},
    {ENFILE, 3, false, RETRY_SHED},
    {ENOBUFS, 0, false, RETRY_SHED},
    {ENOMEM, 1, true, RETRY_SHED},
};

static void test_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];
		struct retry_input in = {
		    .tries_left = r->tries_left,
		    .redispatch = r->redispatch,
		    .kind = connect_err_kind(r->err),
		};
		enum retry_action got = retry_decide(&in);

		if (got != r->want)
			fail_msg("row %zu (%s, tries %d, redispatch %d): "
				 "%s, want %s",
				 i, strerrorname_np(r->err), r->tries_left,
				 r->redispatch, retry_action_str(got),
				 retry_action_str(r->want));
	}
}

/* Which errors count against the server's health (passive check). */
static void test_err_kind(void **state)
{
	(void)state;
	assert_int_equal(connect_err_kind(ECONNREFUSED), CONNECT_ERR_SERVER);
	assert_int_equal(connect_err_kind(ETIMEDOUT), CONNECT_ERR_SERVER);
	assert_int_equal(connect_err_kind(EHOSTUNREACH), CONNECT_ERR_SERVER);
	assert_int_equal(connect_err_kind(ENETUNREACH), CONNECT_ERR_SERVER);
	assert_int_equal(connect_err_kind(ECONNRESET), CONNECT_ERR_OTHER);
	assert_int_equal(connect_err_kind(EMFILE), CONNECT_ERR_LOCAL);
	assert_int_equal(connect_err_kind(ENOMEM), CONNECT_ERR_LOCAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_table),
	    cmocka_unit_test(test_err_kind),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
