/* The session log line: exact text for each kind of ending. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <string.h>

#include "sesslog.h"

static struct sesslog_rec base(void)
{
	struct sesslog_rec r = {
	    .client = "198.18.1.7:51234",
	    .listen = "Exchange2010",
	    .lport = 443,
	    .server = "cas1",
	    .wait_ms = 0,
	    .connect_ms = 1,
	    .total_ms = 5012,
	    .bytes_up = 120,
	    .bytes_down = 4560,
	    .end = SESS_END_CLIENT_CLOSE,
	};
	return r;
}

static void test_normal(void **state)
{
	struct sesslog_rec r = base();
	char buf[256];
	size_t n;

	(void)state;
	n = sesslog_format(&r, buf, sizeof(buf));
	assert_int_equal(n, strlen(buf));
	assert_string_equal(buf, "session 198.18.1.7:51234 Exchange2010:443 "
				 "cas1 wait=0 connect=1 total=5012 up=120 "
				 "down=4560 retries=0 redispatches=0 "
				 "end=client_close");
}

static void test_no_server(void **state)
{
	struct sesslog_rec r = base();
	char buf[256];

	(void)state;
	r.server = NULL;
	r.noserver_why = "all_down";
	r.connect_ms = -1;
	r.bytes_up = r.bytes_down = 0;
	r.total_ms = 0;
	r.end = SESS_END_NO_SERVER;
	sesslog_format(&r, buf, sizeof(buf));
	assert_string_equal(buf, "session 198.18.1.7:51234 Exchange2010:443 "
				 "-(all_down) wait=0 connect=-1 total=0 up=0 "
				 "down=0 retries=0 redispatches=0 "
				 "end=no_server");
}

static void test_error_and_retries(void **state)
{
	struct sesslog_rec r = base();
	char buf[256];

	(void)state;
	r.server = "cas2";
	r.retries = 2;
	r.redispatches = 1;
	r.end = SESS_END_SERVER_ERROR;
	r.errname = "ECONNRESET";
	sesslog_format(&r, buf, sizeof(buf));
	assert_non_null(strstr(buf, " cas2 "));
	assert_non_null(strstr(
	    buf, "retries=2 redispatches=1 end=server_error:ECONNRESET"));
}

/* Truncation follows snprintf: the full length is returned. */
static void test_short_buffer(void **state)
{
	struct sesslog_rec r = base();
	char big[256], small[16];
	size_t n;

	(void)state;
	n = sesslog_format(&r, big, sizeof(big));
	assert_int_equal(sesslog_format(&r, small, sizeof(small)), n);
	assert_int_equal(strlen(small), sizeof(small) - 1);
}

static void test_end_names(void **state)
{
	int e;

	(void)state;
	for (e = 0; e < SESS_END_COUNT; e++) {
		assert_string_not_equal(sess_end_str((enum sess_end)e), "?");
		assert_null(strchr(sess_end_str((enum sess_end)e), ' '));
	}
	assert_string_equal(sess_end_str(SESS_END_COUNT), "?");
	assert_string_equal(sess_end_str(SESS_END_KILLED_DOWN), "killed_down");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_normal),
	    cmocka_unit_test(test_no_server),
	    cmocka_unit_test(test_error_and_retries),
	    cmocka_unit_test(test_short_buffer),
	    cmocka_unit_test(test_end_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
